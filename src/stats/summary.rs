//! What a run of many replications reports (DESIGN.md §4, §7): the shapes `summary.json`, the
//! charts and the report are made from. The engine fills them; `report/` only reads them.

use serde::Serialize;

use crate::model::OutcomeKind;

/// All outcomes of one scenario over all runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The scenario's `name`.
    pub scenario: String,
    /// The scenario's `title`.
    pub title: String,
    /// The seed every run's streams derive from.
    pub seed: u64,
    /// Runs made.
    pub runs: u64,
    /// crossroads version that produced it.
    pub version: String,
    /// First simulated month, `YYYY-MM`.
    pub start: String,
    /// Months simulated.
    pub horizon: u32,
    /// One entry per outcome, in file order.
    pub outcomes: Vec<OutcomeSummary>,
    /// What is approximate in a run of more than [`super::EXACT_RUNS`] runs (absent when every
    /// number is exact).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approximation: Option<super::tally::Approximation>,
    /// Why a `--precision` run stopped (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopping: Option<Stopping>,
    /// The evidence: its probability under the model, the effective sample size, and the prior
    /// and posterior of every driver and outcome (absent when the scenario has no `[evidence]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<super::evidence::EvidenceSummary>,
    /// The rank correlations the runs achieved between correlated drivers, with their targets
    /// (absent when the scenario has no `[correlations]` pairs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlations: Option<super::correlations::CorrelationsSummary>,
}

/// How a `--precision` run decided to stop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stopping {
    /// The cap (`--runs`).
    pub max_runs: u64,
    /// True when every target was met; false when the cap was reached first.
    pub met: bool,
    /// Each target and the half-width reached.
    pub targets: Vec<PrecisionReached>,
}

/// One `--precision OUTCOME=HALF_WIDTH` target and where the run ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrecisionReached {
    /// The outcome's name.
    pub outcome: String,
    /// True for a 0/1 outcome: target and half-width are probabilities (0.01 = one point).
    pub probability: bool,
    /// The target half-width of its 95% interval (probability points for a 0/1 outcome, i.e. 0.01
    /// is one percentage point; the outcome's unit otherwise).
    pub target: f64,
    /// The half-width reached.
    pub half_width: f64,
}

/// One outcome's statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeSummary {
    /// The outcome's name in the scenario file.
    pub name: String,
    /// Title for tables and charts.
    pub title: String,
    /// Unit of the value (numeric outcomes), if the file gives one.
    pub unit: Option<String>,
    /// What the outcome measures, if the file says.
    pub description: Option<String>,
    /// The measure as written in the file.
    pub measure: String,
    /// 0/1, count, value or first time, from the compiled measure (not written to summary.json,
    /// whose `kind` says probability or numeric).
    #[serde(skip)]
    pub kind: OutcomeKind,
    /// `YYYY-MM` the outcome is measured at (the horizon's last month unless `at` says otherwise).
    pub measured_at: String,
    /// `given`: the 0/1 condition the outcome is measured under; runs where it does not hold are
    /// undefined for this outcome (counted apart).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
    /// What the ends of its position scale mean, for outcomes that measure an issue's position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
    #[serde(flatten)]
    /// Probability or numeric statistics.
    pub statistics: OutcomeStatistics,
    /// Monthly bands when the outcome is a series.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<Vec<SeriesPoint>>,
    /// The measure is a share 0–1 (`home_share(p)`), shown as a percentage in tables (not written to
    /// summary.json, whose numbers stay 0–1).
    #[serde(skip)]
    pub share: bool,
    /// `headline = true` in the file: one of the summary's headline outcomes.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub headline: bool,
    /// The time-to-event curve: for a `first(...)` outcome, and for an `ever(...)` or `agreed(...)`
    /// outcome recorded monthly (`series = true`), the probability that it has happened by the end
    /// of each month, from the first month to the outcome's, with its pointwise 95% interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_month: Option<Vec<CumulativePoint>>,
}

/// The probability that an event has happened (or an agreement been reached) by the end of a
/// month, over all runs, with its Monte Carlo error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CumulativePoint {
    /// Months since start (0 is the first simulated month).
    pub month: u32,
    /// `YYYY-MM`.
    pub date: String,
    /// Runs where it has happened by the end of the month, over all runs.
    pub probability: f64,
    /// Wilson 95% interval of that probability, lower end (Monte Carlo error, at this month alone).
    pub lower: f64,
    /// Upper end.
    pub upper: f64,
}

/// A position scale and what its ends mean (an issue's `low` and `high`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scale {
    /// Position of the low end.
    pub low: f64,
    /// Position of the high end.
    pub high: f64,
    /// What the low end means.
    pub low_means: String,
    /// What the high end means.
    pub high_means: String,
}

/// A 0/1 outcome is a probability; anything else is numeric.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutcomeStatistics {
    /// A 0/1 outcome.
    Probability(ProbabilityStatistics),
    /// Any other outcome.
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
    /// Wilson 95% interval, lower end.
    pub lower: f64,
    /// Wilson 95% interval, upper end.
    pub upper: f64,
}

/// A numeric outcome's distribution over the runs where it is defined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumericStatistics {
    /// Runs where the value is defined.
    pub runs: u64,
    /// Runs where it is undefined (a `first(...)` whose event never happened).
    pub undefined: u64,
    /// Mean over the defined runs.
    pub mean: f64,
    /// Standard deviation over the defined runs (n − 1 denominator).
    pub sd: f64,
    /// Monte Carlo standard error of the mean, sd/√n.
    pub standard_error: f64,
    /// Smallest value.
    pub min: f64,
    /// 5th percentile (type-7 interpolation between order statistics, as all quantiles here).
    pub p5: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Largest value.
    pub max: f64,
    /// Counts in deterministic bins.
    pub histogram: Histogram,
}

/// Counts of values in consecutive bins; `edges` has one more element than `counts`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    /// Bin edges, ascending.
    pub edges: Vec<f64>,
    /// Values in each bin; the last bin includes its upper edge.
    pub counts: Vec<u64>,
}

/// A series outcome's distribution over runs at the end of one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesPoint {
    /// Months since start (0 is the first simulated month).
    pub month: u32,
    /// `YYYY-MM`.
    pub date: String,
    /// Mean over the runs where it is defined.
    pub mean: f64,
    /// 5th percentile.
    pub p5: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}
