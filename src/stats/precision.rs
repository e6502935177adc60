//! `--precision OUTCOME=HALF_WIDTH`: run until every named outcome's 95% interval is that narrow.
//!
//! The half-width is that of the interval the summary reports: for a 0/1 outcome the Wilson
//! interval's (upper − lower)/2, given on the command line in percentage points; for any other
//! outcome z·se of its mean (z = 1.96), in the outcome's unit. The run checks after every chunk, in
//! chunk order, and stops at the first chunk after which every target is met — so the stop, and
//! with it every output byte, is the same for any thread count. `--runs` is the cap.

use super::describe::{Z95, wilson};
use super::summary::{PrecisionReached, Stopping};
use super::tally::Tally;
use crate::model::Model;

/// One parsed target.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The outcome's index in the model.
    pub outcome: usize,
    /// Its name.
    pub name: String,
    /// True for a 0/1 outcome (target and half-width in probability, 0.01 = one point).
    pub probability: bool,
    /// The target half-width (probability for a 0/1 outcome, the outcome's unit otherwise).
    pub half_width: f64,
}

/// Parses every `OUTCOME=HALF_WIDTH`; on bad input, (message, help).
pub fn parse_targets(model: &Model, specs: &[String]) -> Result<Vec<Target>, (String, String)> {
    let names: Vec<&str> = model.outcomes.iter().map(|o| o.name.as_str()).collect();
    let mut targets: Vec<Target> = Vec::new();
    for spec in specs {
        let Some((name, value)) = spec.split_once('=') else {
            return Err((
                format!("--precision `{spec}` is not OUTCOME=HALF_WIDTH"),
                "e.g. --precision peace_treaty=1 (percentage points for a 0/1 outcome)".into(),
            ));
        };
        let name = name.trim();
        let Some(outcome) = model.outcomes.iter().position(|o| o.name == name) else {
            let closest = names
                .iter()
                .map(|n| (strsim::jaro_winkler(n, name), *n))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let help = match closest {
                Some((_, n)) => format!("did you mean `{n}`? The outcomes are: {}", names.join(", ")),
                None => format!("the outcomes are: {}", names.join(", ")),
            };
            return Err((format!("--precision: the scenario has no outcome `{name}`"), help));
        };
        let half_width =
            value.trim().parse::<f64>().ok().filter(|x| x.is_finite() && *x > 0.0).ok_or_else(|| {
                (format!("--precision {name}=`{}` is not a positive number", value.trim()), "e.g. 0.5".into())
            })?;
        let probability = model.outcomes.get(outcome).is_some_and(|o| o.kind.is_probability());
        if targets.iter().any(|t| t.outcome == outcome) {
            return Err((format!("--precision names `{name}` twice"), "give each outcome once".into()));
        }
        targets.push(Target {
            outcome,
            name: name.to_string(),
            probability,
            half_width: if probability { half_width / 100.0 } else { half_width },
        });
    }
    Ok(targets)
}

/// The half-width of `target`'s 95% interval over the runs tallied so far (∞ while undefined).
pub fn half_width(target: &Target, tally: &Tally) -> f64 {
    if target.probability {
        let (runs, successes) = tally.counts(target.outcome);
        if runs == 0 {
            return f64::INFINITY;
        }
        let (lower, upper) = wilson(successes, runs);
        (upper - lower) / 2.0
    } else {
        match tally.moments().get(target.outcome) {
            Some(m) if m.count >= 2 => Z95 * m.standard_error(),
            _ => f64::INFINITY,
        }
    }
}

/// True when every target is met.
pub fn all_met(targets: &[Target], tally: &Tally) -> bool {
    targets.iter().all(|t| half_width(t, tally) <= t.half_width)
}

/// How the run ended, for summary.json.
pub fn stopping(targets: &[Target], tally: &Tally, max_runs: u64, met: bool) -> Stopping {
    Stopping {
        max_runs,
        met,
        targets: targets
            .iter()
            .map(|t| PrecisionReached {
                outcome: t.name.clone(),
                probability: t.probability,
                target: t.half_width,
                half_width: half_width(t, tally),
            })
            .collect(),
    }
}

/// One line: how many runs it took and why it stopped.
pub fn describe(stopping: &Stopping, runs: u64) -> String {
    let parts: Vec<String> = stopping
        .targets
        .iter()
        .map(|r| {
            let sign = if r.half_width <= r.target { "≤" } else { ">" };
            if r.probability {
                format!("{} ±{:.2} pp {sign} {} pp", r.outcome, r.half_width * 100.0, r.target * 100.0)
            } else {
                format!("{} ±{:.4} {sign} {}", r.outcome, r.half_width, r.target)
            }
        })
        .collect();
    if stopping.met {
        format!("Stopped after {runs} runs: every --precision target met ({}).", parts.join(", "))
    } else {
        format!(
            "Stopped at the cap of {} runs (--runs) before every --precision target was met ({}).",
            stopping.max_runs,
            parts.join(", ")
        )
    }
}
