//! The one-screen answer at the top of report.html and of `run`'s printout: the scenario in one
//! sentence, the headline outcomes with their estimates and dates in words, and the strongest
//! driver effects in plain words.
//!
//! Headline outcomes are the outcomes the file marks `headline = true`; when none is marked, every
//! 0/1 outcome (probabilities read the same way whatever the scenario). A headline `first(...)`
//! outcome reads as the probability that its event happens by the outcome's month, with the month
//! by which half of all runs have seen it; another numeric outcome as its mean. The strongest
//! effects are each headline probability's largest swing that Monte Carlo error cannot explain
//! (every 0/1 outcome's when no headline is a probability), the three largest in percentage
//! points; when there is none the summary says so plainly.

use std::fmt::Write as _;

use crate::report::charts::format;
use crate::report::html::escape;
use crate::report::words::{self, DriverNames};
use crate::stats::{
    DriverSwing, Effects, NumericStatistics, OutcomeEffects, OutcomeStatistics, OutcomeSummary, Summary,
};

/// Strongest effects the summary names.
pub const STRONGEST: usize = 3;

/// What every interval of the report is, said once beside them.
pub const MONTE_CARLO_NOTE: &str = "Intervals are Monte Carlo error: how far the estimate could move \
     with more runs of the same assumptions. They are not the real world's uncertainty, which is the \
     spread of outcomes across runs.";

/// A headline outcome's estimate.
#[derive(Debug, Clone, PartialEq)]
pub enum Estimate {
    /// A probability (a 0/1 outcome, or a `first(...)` event happening by its month) or a share,
    /// and its 95% interval: read as percentages.
    Probability(f64, f64, f64),
    /// A mean and its 95% interval, with the outcome's unit (left out for a position, whose scale
    /// the note explains).
    Mean(f64, f64, f64, Option<String>),
    /// No run defines it.
    Undefined,
}

impl Estimate {
    /// The estimate as read: `37.2%`, `1,281 persons`, `–`.
    pub fn value(&self) -> String {
        match self {
            Estimate::Probability(p, _, _) => format::percent(*p),
            Estimate::Mean(mean, _, _, unit) => match unit.as_deref().map(str::trim) {
                Some(unit) if !unit.is_empty() && !unit.starts_with("position") => {
                    format!("{} {unit}", format::number(*mean))
                }
                _ => format::number(*mean),
            },
            Estimate::Undefined => "–".to_string(),
        }
    }

    /// Its 95% interval: `36.3–38.2%`, `1,270–1,292`.
    pub fn interval(&self) -> String {
        match self {
            Estimate::Probability(_, lower, upper) => format::percent_interval(*lower, *upper),
            Estimate::Mean(_, lower, upper, _) => {
                format!("{}–{}", format::number(*lower), format::number(*upper))
            }
            Estimate::Undefined => "–".to_string(),
        }
    }
}

/// One headline outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadlineOutcome {
    /// Its title.
    pub title: String,
    /// Its estimate.
    pub estimate: Estimate,
    /// "by December 2033" (cumulative measures) or "in December 2033", and for a `first(...)`
    /// outcome when half of all runs have seen it.
    pub when: String,
    /// What its scale's ends mean, or over which runs it is measured; empty when nothing to say.
    pub note: String,
}

/// The summary's content.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// The scenario in one sentence.
    pub sentence: String,
    /// The headline outcomes, in file order.
    pub outcomes: Vec<HeadlineOutcome>,
    /// The strongest driver effects in words, largest swing first.
    pub effects: Vec<String>,
}

/// The outcomes the summary leads with: those marked `headline = true`, else every 0/1 outcome.
pub fn headline_outcomes(summary: &Summary) -> Vec<&OutcomeSummary> {
    let marked: Vec<&OutcomeSummary> = summary.outcomes.iter().filter(|o| o.headline).collect();
    if marked.is_empty() {
        summary.outcomes.iter().filter(|o| o.kind.is_probability()).collect()
    } else {
        marked
    }
}

impl Headline {
    /// The summary of a run.
    pub fn of(summary: &Summary, effects: &Effects, names: &DriverNames) -> Headline {
        let chosen = headline_outcomes(summary);
        let outcomes = chosen.iter().map(|outcome| headline_outcome(outcome)).collect();
        let probabilities: Vec<&str> =
            chosen.iter().filter(|o| o.kind.is_probability()).map(|o| o.name.as_str()).collect();
        Headline { sentence: sentence(summary), outcomes, effects: strongest(effects, &probabilities, names) }
    }
}

/// One outcome as the summary reads it.
fn headline_outcome(outcome: &OutcomeSummary) -> HeadlineOutcome {
    let mut when = when(outcome);
    let mut note = String::new();
    if let Some(scale) = &outcome.scale {
        note = format!(
            "{} = {}, {} = {}",
            format::number(scale.low),
            short_meaning(&scale.low_means),
            format::number(scale.high),
            short_meaning(&scale.high_means)
        );
    }
    let estimate = match &outcome.statistics {
        OutcomeStatistics::Probability(p) => Estimate::Probability(p.probability, p.lower, p.upper),
        OutcomeStatistics::Numeric(n) => match outcome.by_month.as_deref() {
            Some(curve) if outcome.kind.is_first_time() && !curve.is_empty() => {
                if let Some(half) = curve.iter().find(|point| point.probability >= 0.5) {
                    let _ = write!(when, "; in half of all runs by {}", words::month_in_words(&half.date));
                }
                // The title names a month, the estimate is a share of runs: say which.
                if note.is_empty() {
                    note = "the share of runs in which it has happened".to_string();
                }
                match curve.last() {
                    Some(last) => Estimate::Probability(last.probability, last.lower, last.upper),
                    None => Estimate::Undefined,
                }
            }
            _ if n.runs == 0 => Estimate::Undefined,
            // A share reads as a percentage.
            _ if outcome.share => match mean_of(outcome, n) {
                Estimate::Mean(mean, lower, upper, _) => Estimate::Probability(mean, lower, upper),
                other => other,
            },
            _ => mean_of(outcome, n),
        },
    };
    if let (Some(given), OutcomeStatistics::Numeric(n)) = (&outcome.given, &outcome.statistics) {
        let total = n.runs + n.undefined;
        let share = if total > 0 { n.runs as f64 / total as f64 } else { 0.0 };
        let over = format!("mean over the {} of runs where {given} holds", format::percent(share));
        note = if note.is_empty() { over } else { format!("{over}; {note}") };
    }
    HeadlineOutcome { title: outcome.title.clone(), estimate, when, note }
}

/// A scale end's meaning as the summary gives it: up to its first colon ("Yerevan's terms: border
/// delimitation first, …" reads "Yerevan's terms"); the outcome table gives it whole.
fn short_meaning(meaning: &str) -> &str {
    meaning.split_once(':').map_or(meaning, |(head, _)| head).trim()
}

/// A numeric outcome's mean and its 95% interval.
fn mean_of(outcome: &OutcomeSummary, n: &NumericStatistics) -> Estimate {
    let half = 1.959_963_984_540_054 * n.standard_error;
    Estimate::Mean(n.mean, n.mean - half, n.mean + half, outcome.unit.clone())
}

/// "by December 2033" for a measure that counts whether something happened up to its month
/// (`ever`, `agreed`, `count`, `first`), "in December 2033" for a state in that month.
pub fn when(outcome: &OutcomeSummary) -> String {
    let measure = outcome.measure.trim_start();
    let cumulative =
        outcome.kind.is_first_time() || ["ever(", "agreed(", "count("].iter().any(|p| measure.starts_with(p));
    let date = words::month_in_words(&outcome.measured_at);
    if cumulative { format!("by {date}") } else { format!("in {date}") }
}

/// The scenario in one sentence.
fn sentence(summary: &Summary) -> String {
    let end = crate::scenario::YearMonth::parse(&summary.start)
        .map(|start| start.plus(summary.horizon.saturating_sub(1)).to_string())
        .unwrap_or_default();
    format!(
        "{}: {} of the model, month by month from {} to {} (seed {}).",
        summary.title,
        format::counted(summary.runs, "Monte Carlo run", "Monte Carlo runs"),
        words::month_in_words(&summary.start),
        words::month_in_words(&end),
        summary.seed
    )
}

/// The largest clear swing of each 0/1 outcome named in `headline` (of every 0/1 outcome when it
/// names none), the [`STRONGEST`] largest, in words.
fn strongest(effects: &Effects, headline: &[&str], names: &DriverNames) -> Vec<String> {
    let mut best: Vec<(&OutcomeEffects, &DriverSwing)> = effects
        .outcomes
        .iter()
        .filter(|o| o.probability && (headline.is_empty() || headline.contains(&o.outcome.as_str())))
        .filter_map(|o| o.clear().next().map(|d| (o, d)))
        .collect();
    best.sort_by(|a, b| b.1.swing.unwrap_or(0.0).total_cmp(&a.1.swing.unwrap_or(0.0)));
    best.iter().take(STRONGEST).map(|(o, d)| words::effect_sentence(o, d, names)).collect()
}

/// The summary as text, for the terminal.
pub fn in_text(summary: &Summary, effects: &Effects, names: &DriverNames) -> String {
    let headline = Headline::of(summary, effects, names);
    let mut text = format!("{}\n", headline.sentence);
    if !headline.outcomes.is_empty() {
        text.push_str("\nHeadline outcomes (estimate, 95% interval)\n");
        let rows: Vec<[String; 4]> = headline
            .outcomes
            .iter()
            .map(|o| {
                [
                    format!("  {}", o.title),
                    o.estimate.value(),
                    format!("({})", o.estimate.interval()),
                    o.when.clone(),
                ]
            })
            .collect();
        text.push_str(&crate::report::table::aligned(&rows));
        for o in headline.outcomes.iter().filter(|o| !o.note.is_empty()) {
            let _ = writeln!(text, "  {}: {}", o.title, o.note);
        }
    }
    text.push_str("\nStrongest driver effects\n");
    if headline.effects.is_empty() {
        text.push_str("  No driver moves a probability by more than Monte Carlo error.\n");
    }
    for effect in &headline.effects {
        let _ = writeln!(text, "  - {effect}");
    }
    let _ = writeln!(text, "{MONTE_CARLO_NOTE}");
    text
}

/// The summary section of report.html.
pub fn in_html(page: &mut String, summary: &Summary, effects: Option<(&Effects, &DriverNames)>) {
    let empty = Effects { outcomes: Vec::new() };
    let names = DriverNames::default();
    let (effects_in, names_in) = effects.unwrap_or((&empty, &names));
    let headline = Headline::of(summary, effects_in, names_in);
    let _ = writeln!(
        page,
        "<section id=\"summary\" class=\"summary\">\n<h2>Summary</h2>\n<p class=\"sentence\">{}</p>",
        escape(&headline.sentence)
    );
    page.push_str("<div class=\"summary-grid\">\n<div>\n");
    if !headline.outcomes.is_empty() {
        page.push_str(
            "<table class=\"headline wrap\">\n<thead><tr><th scope=\"col\">Outcome</th>\
             <th scope=\"col\" class=\"num\">Estimate</th><th scope=\"col\" class=\"num\">95% interval*</th>\
             <th scope=\"col\">When</th></tr></thead>\n<tbody>\n",
        );
        for outcome in &headline.outcomes {
            let note = if outcome.note.is_empty() {
                String::new()
            } else {
                format!("<span class=\"measure\">{}</span>", escape(&outcome.note))
            };
            let _ = writeln!(
                page,
                "<tr><th scope=\"row\">{}{note}</th><td class=\"num strong\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                escape(&outcome.title),
                escape(&outcome.estimate.value()),
                escape(&outcome.estimate.interval()),
                escape(&outcome.when)
            );
        }
        page.push_str("</tbody>\n</table>\n");
    }
    page.push_str("</div>\n<div>\n");
    if effects.is_some() {
        page.push_str("<p class=\"effects-title\">Strongest driver effects</p>\n<ul class=\"effects\">\n");
        if headline.effects.is_empty() {
            page.push_str("<li>No driver moves a probability by more than Monte Carlo error.</li>\n");
        }
        for effect in &headline.effects {
            let _ = writeln!(page, "<li>{}</li>", escape(effect));
        }
        page.push_str("</ul>\n");
    }
    let _ =
        writeln!(page, "<p class=\"note\">* {}</p>\n</div>\n</div>\n</section>", escape(MONTE_CARLO_NOTE));
}
