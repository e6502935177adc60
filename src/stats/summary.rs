//! What a run of many replications reports (DESIGN.md §4, §7): the shapes `summary.json`, the
//! charts and the report are made from. The engine fills them; `report/` only reads them.

use serde::Serialize;

/// All outcomes of one scenario over all runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The scenario's `name`.
    pub scenario: String,
    /// The scenario's `title`.
    pub title: String,
    pub seed: u64,
    pub runs: u64,
    /// crossroads version that produced it.
    pub version: String,
    /// First simulated month, `YYYY-MM`.
    pub start: String,
    /// Months simulated.
    pub horizon: u32,
    /// One entry per outcome, in file order.
    pub outcomes: Vec<OutcomeSummary>,
}

/// One outcome's statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeSummary {
    pub name: String,
    pub title: String,
    /// Unit of the value (numeric outcomes), if the file gives one.
    pub unit: Option<String>,
    pub description: Option<String>,
    /// The measure as written in the file.
    pub measure: String,
    /// `YYYY-MM` the outcome is measured at (the horizon's last month unless `at` says otherwise).
    pub measured_at: String,
    #[serde(flatten)]
    pub statistics: OutcomeStatistics,
    /// Monthly bands when the outcome is a series.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<Vec<SeriesPoint>>,
}

/// A 0/1 outcome is a probability; anything else is numeric.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutcomeStatistics {
    Probability(ProbabilityStatistics),
    Numeric(NumericStatistics),
}

/// A probability estimated from runs, with its Monte Carlo error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbabilityStatistics {
    /// Runs where the outcome was 1.
    pub successes: u64,
    /// Runs counted.
    pub runs: u64,
    /// successes / runs.
    pub probability: f64,
    /// Monte Carlo standard error √(p(1 − p)/n).
    pub standard_error: f64,
    /// Wilson 95% interval.
    pub lower: f64,
    pub upper: f64,
}

/// A numeric outcome's distribution over the runs where it is defined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumericStatistics {
    /// Runs where the value is defined.
    pub runs: u64,
    /// Runs where it is undefined (a `first(...)` whose event never happened).
    pub undefined: u64,
    pub mean: f64,
    pub sd: f64,
    /// Monte Carlo standard error of the mean, sd/√n.
    pub standard_error: f64,
    pub min: f64,
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    pub max: f64,
    pub histogram: Histogram,
}

/// Counts of values in consecutive bins; `edges` has one more element than `counts`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
}

/// A series outcome's distribution over runs at the end of one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesPoint {
    /// Months since start (0 is the first simulated month).
    pub month: u32,
    /// `YYYY-MM`.
    pub date: String,
    pub mean: f64,
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}
