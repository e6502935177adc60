//! The compact table `crossroads compare` prints: per outcome the baseline's and each scenario's
//! estimate, each scenario's paired difference against the baseline with its 95% interval, and the
//! variance reduction the pairing gave.

use super::html::{interval, point_decimals, reduction};
use crate::format::{compact, number, percent, percent_interval, signed_difference};
use crate::report::table::aligned;
use crate::stats::evidence::EvidenceComparison;
use crate::stats::paired::Comparison;
use crate::stats::{OutcomeStatistics, OutcomeSummary};

/// An estimate for the table: a probability in percent, else the mean; `–` when undefined.
fn estimate(summary: Option<&OutcomeSummary>) -> String {
    match summary.map(|s| &s.statistics) {
        None => "(absent)".to_string(),
        Some(OutcomeStatistics::Probability(p)) => format!("{}%", compact(100.0 * p.probability, 3)),
        Some(OutcomeStatistics::Numeric(n)) => compact(n.mean, 4),
    }
}

/// The table as text: one line per outcome, columns aligned. Columns: outcome, each scenario's
/// estimate (probability or mean), then per scenario after the baseline the difference
/// `scenario − baseline` with its 95% interval and the variance reduction; a last column notes
/// `first(...)` outcomes paired over fewer runs and outcomes some scenarios lack.
pub fn comparison_table(comparison: &Comparison) -> String {
    let mut header = vec!["outcome".to_string()];
    header.extend(comparison.scenarios.iter().map(|s| s.label.clone()));
    for scenario in comparison.scenarios.iter().skip(1) {
        header.push(format!("{} − {} (95% interval)", scenario.label, comparison.baseline));
        header.push("var. reduction".to_string());
    }
    header.push(String::new());
    let mut rows = vec![header];
    for outcome in &comparison.outcomes {
        let mut row = vec![outcome.name.clone()];
        row.extend(outcome.scenarios.iter().map(|s| estimate(s.summary.as_ref())));
        let mut notes = Vec::new();
        for difference in &outcome.differences {
            match &difference.difference {
                Some(d) => {
                    let p = outcome.probability;
                    row.push(format!(
                        "{} ({})",
                        signed_difference(d.difference, p, point_decimals(d)),
                        interval(d, p)
                    ));
                    row.push(reduction(d.variance_reduction));
                    if d.pairs < d.runs {
                        notes.push(format!(
                            "{}: paired over {} of {} runs",
                            difference.scenario, d.pairs, d.runs
                        ));
                    }
                }
                None => {
                    row.push("–".to_string());
                    row.push(String::new());
                }
            }
        }
        if outcome.present_in.len() < outcome.scenarios.len() {
            notes.push(format!("only in {}", outcome.present_in.join(", ")));
        }
        row.push(notes.join("; "));
        rows.push(row);
    }
    aligned(&rows)
}

/// The compared scenarios weighed by their common evidence, as `compare` prints it: each one's
/// evidence probability with its 95% interval, effective sample size, and Bayes factor against the
/// baseline with its 95% interval.
pub fn evidence_table(evidence: &EvidenceComparison) -> String {
    let mut rows = vec![[
        "scenario".to_string(),
        "P(evidence)".to_string(),
        "95% interval".to_string(),
        "ESS".to_string(),
        "Bayes factor vs first".to_string(),
        "95% interval".to_string(),
    ]];
    for s in &evidence.scenarios {
        rows.push([
            s.scenario.clone(),
            percent(s.probability.value),
            percent_interval(s.probability.lower, s.probability.upper),
            number(s.effective_sample_size),
            s.bayes_factor.map_or_else(|| "– (no run matched)".into(), |b| compact(b, 3)),
            match (s.lower, s.upper) {
                (Some(lower), Some(upper)) => format!("{}–{}", compact(lower, 3), compact(upper, 3)),
                _ => String::new(),
            },
        ]);
    }
    format!(
        "Evidence ({}): which scenario did history favour?\n{}",
        evidence.items.join(", "),
        aligned(&rows)
    )
}
