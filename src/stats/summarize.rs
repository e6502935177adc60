//! Turning a [`Simulation`] into the [`Summary`] of DESIGN.md §4.

use super::describe::{histogram, quantile, wilson};
use super::summary::*;
use crate::engine::Simulation;
use crate::model::Model;

/// The statistics of every outcome of `simulation` (runs of `model`), in file order.
pub fn summarize(model: &Model, simulation: &Simulation) -> Summary {
    let mut series_index = 0;
    let outcomes = model
        .outcomes
        .iter()
        .enumerate()
        .map(|(i, outcome)| {
            let values: Vec<f64> = simulation.outcome_values(i).collect();
            let statistics = if outcome.probability {
                OutcomeStatistics::Probability(probability(&values))
            } else {
                let moments = simulation.moments.get(i).copied().unwrap_or_default();
                OutcomeStatistics::Numeric(numeric(values, moments, outcome.integer))
            };
            let series = outcome.series.then(|| {
                let points = (0..model.horizon)
                    .map(|month| series_point(model, month, simulation.series_values(series_index, month)))
                    .collect();
                series_index += 1;
                points
            });
            OutcomeSummary {
                name: outcome.name.clone(),
                title: outcome.title.clone(),
                unit: outcome.unit.clone(),
                description: outcome.description.clone(),
                measure: outcome.text.clone(),
                measured_at: model.start.plus(outcome.month).to_string(),
                statistics,
                series,
            }
        })
        .collect();
    Summary {
        scenario: model.name.clone(),
        title: model.title.clone(),
        seed: simulation.seed,
        runs: simulation.runs,
        version: crate::VERSION.to_string(),
        start: model.start.to_string(),
        horizon: model.horizon,
        outcomes,
    }
}

/// A 0/1 outcome: the share of runs where it is 1, with its standard error and Wilson interval.
pub fn probability(values: &[f64]) -> ProbabilityStatistics {
    let runs = values.iter().filter(|x| !x.is_nan()).count() as u64;
    let successes = values.iter().filter(|&&x| x > 0.5).count() as u64;
    let p = if runs == 0 { 0.0 } else { successes as f64 / runs as f64 };
    let (lower, upper) = wilson(successes, runs);
    ProbabilityStatistics {
        successes,
        runs,
        probability: p,
        standard_error: if runs == 0 { 0.0 } else { (p * (1.0 - p) / runs as f64).sqrt() },
        lower,
        upper,
    }
}

/// A numeric outcome over the runs where it is defined; `moments` are its merged accumulators.
pub fn numeric(mut values: Vec<f64>, moments: super::Moments, integer: bool) -> NumericStatistics {
    let total = values.len() as u64;
    values.retain(|x| !x.is_nan());
    values.sort_by(f64::total_cmp);
    let defined = values.len() as u64;
    let empty = defined == 0;
    let or_nan = |x: f64| if empty { f64::NAN } else { x };
    NumericStatistics {
        runs: defined,
        undefined: total - defined,
        mean: or_nan(moments.mean),
        sd: or_nan(moments.sd()),
        standard_error: or_nan(moments.standard_error()),
        min: or_nan(moments.min),
        p5: quantile(&values, 0.05),
        p25: quantile(&values, 0.25),
        p50: quantile(&values, 0.5),
        p75: quantile(&values, 0.75),
        p95: quantile(&values, 0.95),
        max: or_nan(moments.max),
        histogram: histogram(&values, integer),
    }
}

/// One month of a series: mean and quantiles over the runs where it is defined.
fn series_point(model: &Model, month: u32, values: &[f64]) -> SeriesPoint {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    sorted.sort_by(f64::total_cmp);
    let mean = if sorted.is_empty() { f64::NAN } else { sorted.iter().sum::<f64>() / sorted.len() as f64 };
    SeriesPoint {
        month,
        date: model.start.plus(month).to_string(),
        mean,
        p5: quantile(&sorted, 0.05),
        p25: quantile(&sorted, 0.25),
        p50: quantile(&sorted, 0.5),
        p75: quantile(&sorted, 0.75),
        p95: quantile(&sorted, 0.95),
    }
}
