//! The assumptions register: every assumption of a scenario in one table, with its distribution in
//! words, mean, p5, p95, unit and source. `crossroads check` prints it; report.html shows it.

use serde::Serialize;

/// One row of the assumptions register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegisterEntry {
    /// "driver", "variable", "event", "actor", "issue", "population" or "outcome".
    pub kind: &'static str,
    /// The assumption's name in the scenario file.
    pub name: String,
    /// The distribution or rule in words, e.g. "beta(α=8, β=3)".
    pub distribution: String,
    /// Mean, where the assumption is a number.
    pub mean: Option<f64>,
    /// 5th percentile, where the assumption is a number.
    pub p5: Option<f64>,
    /// 95th percentile, where the assumption is a number.
    pub p95: Option<f64>,
    pub unit: Option<String>,
    pub source: Option<String>,
    pub description: Option<String>,
}
