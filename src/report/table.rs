//! The compact outcome table `crossroads run` prints: each outcome's estimate with its 95%
//! Monte Carlo interval, and for numeric outcomes the spread of runs (p5 … p95). Numbers are in the
//! report's style (`crate::format`): percentages with the same decimals as report.html, three
//! significant digits with thousands separators, singular and plural.

use crate::format::{counted, number, percent, percent_interval};
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
