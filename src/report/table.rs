//! The compact outcome table `crossroads run` prints: each outcome's estimate with its 95%
//! Monte Carlo interval, and for numeric outcomes the spread of runs (p5 … p95). Numbers are in the
//! report's style (`crate::format`): percentages with the same decimals as report.html, three
//! significant digits with thousands separators, singular and plural.

use crate::format::{count, counted, number, percent, percent_interval};
use crate::stats::evidence::{EvidenceSummary, WeightedStatistics};
use crate::stats::{OutcomeStatistics, Summary};

/// The table as text, one outcome per line, aligned.
pub fn outcome_table(summary: &Summary) -> String {
    let mut rows = vec![[
        "outcome".to_string(),
        "estimate".to_string(),
        "95% interval".to_string(),
        "runs p5 … p95".to_string(),
        String::new(),
    ]];
    for outcome in &summary.outcomes {
        let row = match &outcome.statistics {
            OutcomeStatistics::Probability(p) => [
                outcome.name.clone(),
                percent(p.probability),
                percent_interval(p.lower, p.upper),
                String::new(),
                "probability".to_string(),
            ],
            OutcomeStatistics::Numeric(n) => {
                let half = crate::stats::describe::Z95 * n.standard_error;
                let unit = outcome.unit.clone().unwrap_or_else(|| "mean".into());
                let note = if let Some(given) = &outcome.given {
                    format!("{unit}; given {given}: {} left out", counted(n.undefined, "run", "runs"))
                } else if n.undefined > 0 {
                    let share = n.undefined as f64 / (n.runs + n.undefined) as f64;
                    format!("{unit}; never in {} of runs", percent(share))
                } else {
                    unit
                };
                let defined = n.runs > 0;
                // A share reads as a percentage, as in report.html.
                let value = |x: f64| if outcome.share { percent(x) } else { number(x) };
                let interval = if outcome.share {
                    percent_interval(n.mean - half, n.mean + half)
                } else {
                    format!("{}–{}", number(n.mean - half), number(n.mean + half))
                };
                [
                    outcome.name.clone(),
                    if defined { value(n.mean) } else { "–".into() },
                    if defined { interval } else { "–".into() },
                    if defined { format!("{} … {}", value(n.p5), value(n.p95)) } else { "–".into() },
                    note,
                ]
            }
        };
        rows.push(row);
    }
    aligned(&rows)
}

/// Rows of cells as aligned text: columns left-aligned two spaces apart, trailing spaces trimmed,
/// one line per row.
pub fn aligned<R: AsRef<[String]>>(rows: &[R]) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (column, cell) in row.as_ref().iter().enumerate() {
            let count = cell.chars().count();
            match widths.get_mut(column) {
                Some(width) => *width = (*width).max(count),
                None => widths.push(count),
            }
        }
    }
    let mut text = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, (cell, width)) in row.as_ref().iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', width.saturating_sub(cell.chars().count())));
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// The evidence as `crossroads run` prints it: each item's probability under the model with its
/// 95% interval and forecast scores, the joint evidence probability and effective sample size, any
/// warning, then every driver and outcome before and after the evidence.
pub fn evidence_table(evidence: &EvidenceSummary) -> String {
    let mut text = String::from("Evidence: how likely the model made what happened\n");
    let mut rows = vec![[
        "item".to_string(),
        "observed".to_string(),
        "P under the model".to_string(),
        "95% interval".to_string(),
        "Brier (no skill)".to_string(),
    ]];
    for item in &evidence.items {
        let probability = &item.probability;
        rows.push([
            item.name.clone(),
            format!("{} {} by {}", item.observe, item.observed, item.measured_at),
            percent(probability.value),
            percent_interval(probability.lower, probability.upper),
            item.scores
                .map(|s| format!("{} ({})", brier(s.brier), brier(s.brier_no_skill)))
                .unwrap_or_else(|| "measured".into()),
        ]);
    }
    let joint = &evidence.probability;
    rows.push([
        "all together".to_string(),
        format!("{} runs consistent", count(evidence.accepted_runs)),
        percent(joint.value),
        percent_interval(joint.lower, joint.upper),
        evidence
            .scores
            .map(|s| format!("{} ({})", brier(s.brier), brier(s.brier_no_skill)))
            .unwrap_or_default(),
    ]);
    text.push_str(&aligned(&rows));
    text.push_str(&format!(
        "Effective sample size {} of {} runs",
        number(evidence.effective_sample_size),
        count(evidence.runs)
    ));
    if let Some(target) = evidence.accepted_target {
        let reached = evidence.accepted_runs >= target;
        text.push_str(&format!(
            "; --accepted {}: {}",
            count(target),
            if reached { "reached" } else { "not reached before --runs" }
        ));
    }
    text.push_str(".\n");
    if let Some(scores) = evidence.scores {
        let log = scores.log.map_or("−∞".to_string(), number);
        text.push_str(&format!(
            "Log score of the exact items {} (no skill {}); Brier skill {}.\n",
            log,
            number(scores.log_no_skill),
            scores.brier_skill.map_or("–".to_string(), number)
        ));
    }
    if let Some(warning) = &evidence.warning {
        text.push_str(&format!("warning: {warning}\n"));
    }
    if evidence.accepted_runs == 0 {
        return text;
    }
    text.push_str(
        "\nPrior → posterior (weighted means with 95% intervals; p5 … p95 of runs, their intervals in \
         summary.json and report.html)\n",
    );
    let mut rows = vec![[
        "driver / outcome".to_string(),
        "prior".to_string(),
        "posterior".to_string(),
        "95% interval".to_string(),
        "prior p5 … p95".to_string(),
        "posterior p5 … p95".to_string(),
    ]];
    for driver in &evidence.drivers {
        if let Some(categories) = &driver.categories {
            for category in categories {
                let post = category.posterior;
                rows.push([
                    format!("{}={}", driver.name, category.name),
                    category.prior.map_or("–".into(), percent),
                    post.map_or("0%".into(), |p| percent(p.mean)),
                    post.map_or("–".into(), |p| percent_interval(p.lower.max(0.0), p.upper.min(1.0))),
                    String::new(),
                    String::new(),
                ]);
            }
        } else {
            rows.push(weighted_row(&driver.name, driver.prior, driver.posterior, false, false));
        }
    }
    for outcome in &evidence.outcomes {
        rows.push(weighted_row(
            &outcome.name,
            outcome.prior,
            outcome.posterior,
            outcome.probability,
            outcome.share,
        ));
    }
    text.push_str(&aligned(&rows));
    text
}

/// A row of the prior → posterior table.
fn weighted_row(
    name: &str,
    prior: Option<WeightedStatistics>,
    posterior: Option<WeightedStatistics>,
    probability: bool,
    share: bool,
) -> [String; 6] {
    let value = |x: f64| if probability || share { percent(x) } else { number(x) };
    let interval = |s: WeightedStatistics| {
        if probability || share {
            percent_interval(s.lower.max(0.0), if probability { s.upper.min(1.0) } else { s.upper })
        } else {
            format!("{}–{}", number(s.lower), number(s.upper))
        }
    };
    let spread = |s: WeightedStatistics| {
        if probability { String::new() } else { format!("{} … {}", value(s.p5), value(s.p95)) }
    };
    [
        name.to_string(),
        prior.map_or("–".into(), |s| value(s.mean)),
        posterior.map_or("–".into(), |s| value(s.mean)),
        posterior.map_or("–".into(), interval),
        prior.map_or(String::new(), spread),
        posterior.map_or(String::new(), spread),
    ]
}

/// A Brier score, three decimals.
fn brier(score: f64) -> String {
    format!("{score:.3}")
}
