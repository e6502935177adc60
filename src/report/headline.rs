//! The one-screen answer at the top of report.html and of `run`'s printout: the scenario in one
//! sentence, the headline outcomes with their probabilities and dates in words, and the strongest
//! driver effects in plain words.
//!
//! Headline outcomes are the 0/1 outcomes (probabilities read the same way whatever the
//! scenario). The strongest effects are each headline outcome's largest swing that Monte Carlo
//! error cannot explain, the three largest in percentage points; when there is none the summary
//! says so plainly.

use std::fmt::Write as _;

use crate::report::charts::format;
use crate::report::html::escape;
use crate::report::words::{self, DriverNames};
use crate::stats::{DriverSwing, Effects, OutcomeEffects, OutcomeStatistics, OutcomeSummary, Summary};

/// Strongest effects the summary names.
pub const STRONGEST: usize = 3;

/// What every interval of the report is, said once beside them.
pub const MONTE_CARLO_NOTE: &str = "Intervals are Monte Carlo error: how far the estimate could move \
     with more runs of the same assumptions. They are not the real world's uncertainty, which is the \
     spread of outcomes across runs.";

/// One headline outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadlineOutcome {
    /// Its title.
    pub title: String,
    /// Its probability and 95% interval.
    pub probability: (f64, f64, f64),
    /// "by December 2033" (cumulative measures) or "in December 2033".
    pub when: String,
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

impl Headline {
    /// The summary of a run.
    pub fn of(summary: &Summary, effects: &Effects, names: &DriverNames) -> Headline {
        let outcomes = summary
            .outcomes
            .iter()
            .filter_map(|outcome| match &outcome.statistics {
                OutcomeStatistics::Probability(p) => Some(HeadlineOutcome {
                    title: outcome.title.clone(),
                    probability: (p.probability, p.lower, p.upper),
                    when: when(outcome),
                }),
                OutcomeStatistics::Numeric(_) => None,
            })
            .collect();
        Headline { sentence: sentence(summary), outcomes, effects: strongest(effects, names) }
    }
}

/// "by December 2033" for a measure that counts whether something happened up to its month
/// (`ever`, `agreed`), "in December 2033" for a state in that month.
pub fn when(outcome: &OutcomeSummary) -> String {
    let measure = outcome.measure.trim_start();
    let cumulative = ["ever(", "agreed(", "count(", "first("].iter().any(|p| measure.starts_with(p));
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

/// Each 0/1 outcome's largest clear swing, the [`STRONGEST`] largest, in words.
fn strongest(effects: &Effects, names: &DriverNames) -> Vec<String> {
    let mut best: Vec<(&OutcomeEffects, &DriverSwing)> = effects
        .outcomes
        .iter()
        .filter(|o| o.probability)
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
        text.push_str("\nHeadline outcomes (probability, 95% interval)\n");
        let rows: Vec<[String; 4]> = headline
            .outcomes
            .iter()
            .map(|o| {
                let (p, lower, upper) = o.probability;
                [
                    format!("  {}", o.title),
                    format::percent(p),
                    format!("({})", format::percent_interval(lower, upper)),
                    o.when.clone(),
                ]
            })
            .collect();
        text.push_str(&crate::report::table::aligned(&rows));
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
             <th scope=\"col\" class=\"num\">Probability</th><th scope=\"col\" class=\"num\">95% interval*</th>\
             <th scope=\"col\">When</th></tr></thead>\n<tbody>\n",
        );
        for outcome in &headline.outcomes {
            let (p, lower, upper) = outcome.probability;
            let _ = writeln!(
                page,
                "<tr><th scope=\"row\">{}</th><td class=\"num strong\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                escape(&outcome.title),
                format::percent(p),
                format::percent_interval(lower, upper),
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
