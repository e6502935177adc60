//! Turning a [`Simulation`] or a finished [`Tally`] into the [`Summary`] of DESIGN.md §4.

use super::Moments;
use super::describe::{histogram, quantile, wilson};
use super::exact_sum::ExactSum;
use super::sketch::Sketch;
use super::summary::*;
use super::tally::{Approximation, Tally};
use crate::engine::{CHUNK_RUNS, Simulation};
use crate::model::Model;
use crate::model::compile::OutcomeSpec;
use crate::scenario::term::Function;
use rayon::prelude::*;

/// The moments of an outcome's values over the runs (in run order; NaN, undefined, is skipped),
/// accumulated chunk by chunk and merged in chunk order, so the bits never depend on threads.
fn chunk_order_moments(values: &[f64]) -> Moments {
    let mut total = Moments::default();
    for chunk in values.chunks(CHUNK_RUNS as usize) {
        let mut part = Moments::default();
        for value in chunk.iter().filter(|x| !x.is_nan()) {
            part.add(*value);
        }
        total.merge(&part);
    }
    total
}

/// The statistics of every outcome of `simulation` (runs of `model`), in file order.
pub fn summarize(model: &Model, simulation: &Simulation) -> Summary {
    let mut series_index = 0;
    let outcomes = model
        .outcomes
        .iter()
        .enumerate()
        .map(|(i, outcome)| {
            let values: Vec<f64> = simulation.outcome_values(i).collect();
            let months: Vec<(f64, u64)> = if outcome.kind.is_first_time() {
                values.iter().filter(|v| !v.is_nan()).map(|&v| (v, 1)).collect()
            } else {
                Vec::new()
            };
            let statistics = if outcome.kind.is_probability() {
                OutcomeStatistics::Probability(probability(&values))
            } else {
                let moments = chunk_order_moments(&values);
                OutcomeStatistics::Numeric(numeric(values, moments, outcome.kind.is_integer()))
            };
            let series: Option<Vec<SeriesPoint>> = outcome.series.then(|| {
                // Each month sorts every run's value: the months side by side on the pool.
                let points = (0..model.horizon)
                    .into_par_iter()
                    .map(|month| series_point(model, month, simulation.series_values(series_index, month)))
                    .collect();
                series_index += 1;
                points
            });
            let by_month = by_month(model, outcome, simulation.runs, months.into_iter(), series.as_deref());
            outcome_summary(model, outcome, statistics, series, by_month)
        })
        .collect();
    model_summary(model, (simulation.seed, simulation.runs), outcomes, None)
}

/// The statistics of a finished [`Tally`]: exactly [`summarize`] of its runs when it kept them all;
/// beyond [`super::EXACT_RUNS`] runs, quantiles, histograms and series bands from its sketches and
/// series means from its exact sums (the summary says so in `approximation`).
pub fn summarize_tally(model: &Model, tally: &Tally) -> Summary {
    if tally.is_exact() {
        return summarize(model, tally.prefix());
    }
    let mut series_index = 0;
    let outcomes = model
        .outcomes
        .iter()
        .enumerate()
        .map(|(i, outcome)| {
            let (defined, ones) = tally.counts(i);
            let sketch = tally.outcome_sketch(i).cloned().unwrap_or_default();
            let statistics = if outcome.kind.is_probability() {
                OutcomeStatistics::Probability(probability_of_counts(ones, defined))
            } else {
                let moments = tally.moments().get(i).copied().unwrap_or_default();
                OutcomeStatistics::Numeric(numeric_of_sketch(
                    &sketch,
                    moments,
                    tally.runs(),
                    outcome.kind.is_integer(),
                ))
            };
            let series: Option<Vec<SeriesPoint>> = outcome.series.then(|| {
                let points = (0..model.horizon)
                    .map(|month| {
                        let point = tally.series_month(series_index, month);
                        sketch_series_point(model, month, point)
                    })
                    .collect();
                series_index += 1;
                points
            });
            let by_month = by_month(model, outcome, tally.runs(), sketch.buckets(), series.as_deref());
            outcome_summary(model, outcome, statistics, series, by_month)
        })
        .collect();
    model_summary(model, (tally.seed(), tally.runs()), outcomes, tally.approximation())
}

/// One outcome's entry: what the scenario says of it, with its statistics.
fn outcome_summary(
    model: &Model,
    outcome: &OutcomeSpec,
    statistics: OutcomeStatistics,
    series: Option<Vec<SeriesPoint>>,
    by_month: Option<Vec<CumulativePoint>>,
) -> OutcomeSummary {
    OutcomeSummary {
        name: outcome.name.clone(),
        title: outcome.title.clone(),
        unit: outcome.unit.clone(),
        description: outcome.description.clone(),
        measure: outcome.text.clone(),
        kind: outcome.kind,
        measured_at: model.start.plus(outcome.month).to_string(),
        given: outcome.given_text.clone(),
        scale: outcome.scale.as_ref().map(scale_of),
        statistics,
        series,
        headline: outcome.headline,
        share: outcome.share,
        by_month,
    }
}

/// The summary of `(seed, runs)` runs of `model` around its outcomes' entries; stopping, evidence
/// and correlations are the caller's to add.
fn model_summary(
    model: &Model,
    (seed, runs): (u64, u64),
    outcomes: Vec<OutcomeSummary>,
    approximation: Option<Approximation>,
) -> Summary {
    Summary {
        scenario: model.name.clone(),
        title: model.title.clone(),
        seed,
        runs,
        version: crate::VERSION.to_string(),
        start: model.start.to_string(),
        horizon: model.horizon,
        outcomes,
        approximation,
        stopping: None,
        evidence: None,
        correlations: None,
    }
}

/// The time-to-event curve of `outcome` over `runs` runs (see [`OutcomeSummary::by_month`]): for
/// a `first(...)` outcome from its defined values with their counts (`values`: every run's month,
/// or a sketch's buckets, exact for whole numbers up to 511), for a monthly `ever(...)` or
/// `agreed(...)` outcome from its monthly means (`series`). `None` for any other outcome and for an
/// outcome with a `given` condition (its undefined runs mix two reasons).
fn by_month(
    model: &Model,
    outcome: &crate::model::compile::OutcomeSpec,
    runs: u64,
    values: impl Iterator<Item = (f64, u64)>,
    series: Option<&[SeriesPoint]>,
) -> Option<Vec<CumulativePoint>> {
    if outcome.given.is_some() || runs == 0 {
        return None;
    }
    let point = |month: u32, happened: u64| {
        let (lower, upper) = wilson(happened, runs);
        CumulativePoint {
            month,
            date: model.start.plus(month).to_string(),
            probability: happened as f64 / runs as f64,
            lower,
            upper,
        }
    };
    if outcome.kind.is_first_time() {
        let months = outcome.month as usize + 1;
        let mut first = vec![0u64; months];
        for (value, count) in values {
            let month = (value.round().max(0.0) as usize).min(months - 1);
            if let Some(slot) = first.get_mut(month) {
                *slot += count;
            }
        }
        let mut happened = 0;
        return Some(
            first
                .iter()
                .enumerate()
                .map(|(month, &count)| {
                    happened += count;
                    point(month as u32, happened)
                })
                .collect(),
        );
    }
    let cumulative = matches!(
        outcome.measure.factors.as_slice(),
        [crate::model::term::Factor::Call(Function::Ever | Function::Agreed, _)]
    );
    let series = series.filter(|_| cumulative && outcome.kind.is_probability())?;
    Some(
        series
            .iter()
            .take(outcome.month as usize + 1)
            .map(|p| point(p.month, (p.mean * runs as f64).round() as u64))
            .collect(),
    )
}

/// An outcome's position scale as the summary states it.
fn scale_of(s: &crate::model::PositionScale) -> Scale {
    Scale { low: s.low, high: s.high, low_means: s.low_means.clone(), high_means: s.high_means.clone() }
}

/// A numeric outcome from its moments (exact) and sketch (quantiles and histogram).
fn numeric_of_sketch(
    sketch: &Sketch,
    moments: super::Moments,
    total: u64,
    integer: bool,
) -> NumericStatistics {
    let defined = moments.count;
    let empty = defined == 0;
    let or_nan = |x: f64| if empty { f64::NAN } else { x };
    NumericStatistics {
        runs: defined,
        undefined: total - defined,
        mean: or_nan(moments.mean),
        sd: or_nan(moments.sd()),
        standard_error: or_nan(moments.standard_error()),
        min: or_nan(moments.min),
        p5: sketch.quantile(0.05),
        p25: sketch.quantile(0.25),
        p50: sketch.quantile(0.5),
        p75: sketch.quantile(0.75),
        p95: sketch.quantile(0.95),
        max: or_nan(moments.max),
        histogram: if empty {
            Histogram { edges: Vec::new(), counts: Vec::new() }
        } else {
            sketch.histogram(moments.min, moments.max, integer)
        },
    }
}

/// One month of a series from its sketch and exact sum.
fn sketch_series_point(model: &Model, month: u32, state: Option<(&Sketch, &ExactSum)>) -> SeriesPoint {
    let (quantile, mean) = match state {
        Some((sketch, sum)) if sketch.count() > 0 => {
            (|p: f64| sketch.quantile(p), sum.value() / sketch.count() as f64)
        }
        _ => {
            return SeriesPoint {
                month,
                date: model.start.plus(month).to_string(),
                mean: f64::NAN,
                p5: f64::NAN,
                p25: f64::NAN,
                p50: f64::NAN,
                p75: f64::NAN,
                p95: f64::NAN,
            };
        }
    };
    SeriesPoint {
        month,
        date: model.start.plus(month).to_string(),
        mean,
        p5: quantile(0.05),
        p25: quantile(0.25),
        p50: quantile(0.5),
        p75: quantile(0.75),
        p95: quantile(0.95),
    }
}

/// A 0/1 outcome: the share of runs where it is 1, with its standard error and Wilson interval.
pub fn probability(values: &[f64]) -> ProbabilityStatistics {
    let runs = values.iter().filter(|x| !x.is_nan()).count() as u64;
    let successes = values.iter().filter(|&&x| x > 0.5).count() as u64;
    probability_of_counts(successes, runs)
}

/// A 0/1 outcome from its counts: `successes` of `runs`.
pub fn probability_of_counts(successes: u64, runs: u64) -> ProbabilityStatistics {
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
    // Unstable: values equal under total_cmp are the same bits, so the order is the same.
    values.sort_unstable_by(f64::total_cmp);
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
    sorted.sort_unstable_by(f64::total_cmp);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::*;
    use crate::scenario::{Distribution, Factor, Function};

    #[test]
    fn moments_skip_undefined_values_across_chunks() {
        // 150 runs: two full chunks and a partial one; every third value undefined.
        let values: Vec<f64> = (0..150).map(|i| if i % 3 == 0 { f64::NAN } else { i as f64 }).collect();
        let defined: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        let moments = chunk_order_moments(&values);
        assert_eq!(moments.count, defined.len() as u64);
        let mean = defined.iter().sum::<f64>() / defined.len() as f64;
        assert!((moments.mean - mean).abs() < 1e-9, "{} vs {mean}", moments.mean);
        assert_eq!((moments.min, moments.max), (1.0, 149.0));
    }

    #[test]
    fn summaries_follow_the_runs() {
        let mut s = scenario(24);
        s.events = vec![hazard("clash", 0.03)];
        s.variables = vec![variable("tension", 0.5, 0.3, 0.2, 0.0)];
        s.drivers = vec![driver("d", Distribution::Bernoulli(0.3))];
        s.outcomes = vec![
            outcome("ever", vec![Factor::Call(Function::Ever, "clash".into())], false),
            outcome("first", vec![Factor::Call(Function::First, "clash".into())], false),
            outcome("count", vec![Factor::Call(Function::Count, "clash".into())], false),
            outcome("tension", vec![Factor::Variable("tension".into())], true),
        ];
        let (model, simulation) = run(&s, 500, 4);
        let summary = summarize(&model, &simulation);
        assert_eq!((summary.runs, summary.seed, summary.horizon), (500, 4, 24));
        assert_eq!(summary.start, "2024-01");
        let [ever, first, count, tension] = &summary.outcomes[..] else { panic!("four outcomes") };
        let OutcomeStatistics::Probability(p) = &ever.statistics else { panic!("ever is a probability") };
        let fired = simulation.outcome_values(0).filter(|&x| x == 1.0).count() as u64;
        assert_eq!((p.successes, p.runs), (fired, 500));
        assert!(p.lower < p.probability && p.probability < p.upper);
        // first(...) counts the runs where it never happened apart, and describes the others.
        let OutcomeStatistics::Numeric(f) = &first.statistics else { panic!("first is numeric") };
        assert_eq!((f.runs, f.undefined), (fired, 500 - fired));
        assert!(f.min >= 0.0 && f.max <= 23.0 && f.p5 <= f.p50 && f.p50 <= f.p95);
        assert_eq!(f.histogram.counts.iter().sum::<u64>(), fired);
        // Counts get one bin per whole number.
        let OutcomeStatistics::Numeric(c) = &count.statistics else { panic!("count is numeric") };
        assert!(c.histogram.edges.iter().all(|e| e.fract() == 0.5 || e.fract() == -0.5));
        assert_eq!(first.measured_at, "2025-12");
        // A noise-free variable has one value per month: its bands collapse onto it.
        let series = tension.series.as_ref().unwrap();
        assert_eq!(series.len(), 24);
        assert_eq!(series[0].date, "2024-01");
        let expected = 0.3 + 0.2 * 0.8;
        assert!((series[0].mean - expected).abs() < 1e-12 && series[0].p5 == series[0].p95);
        assert!(ever.series.is_none());
    }
}
