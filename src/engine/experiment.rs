//! Running an experiment's design points (issue 10): at every point, `replications` runs of the
//! model the point makes, replication r of every point on run index r's random streams (common
//! random numbers), so that the differences between points are the factors', not the noise's.
//!
//! The caller says how a point becomes a model (`model_at`: in `crossroads explore`, the scenario
//! with each factor's `--set`); this module only runs them. Points are spread over the thread pool
//! and each point's runs are simulated in order by one thread, then the results are put in point
//! order: the same design gives the same bits with any thread count. What is kept is every run's
//! outcomes (points × replications × outcomes numbers, NaN where undefined), which the analysis
//! resamples; memory grows with the design, never with anything else.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::{EngineError, MAX_VALUES, progress_bar};
use crate::model::{Fault, Model, RunValues, World};

/// Every run's outcomes at every point.
#[derive(Debug, Clone, PartialEq)]
pub struct PointRuns {
    /// Number of points.
    pub points: usize,
    /// Runs at each point.
    pub replications: usize,
    /// Outcomes per run.
    pub outcomes: usize,
    /// `values[(point · replications + replication) · outcomes + outcome]`; NaN where undefined.
    pub values: Vec<f64>,
}

impl PointRuns {
    /// The outcome's values over the replications of one point.
    pub fn values_at(&self, point: usize, outcome: usize) -> impl Iterator<Item = f64> + '_ {
        let start = point * self.replications * self.outcomes + outcome;
        (0..self.replications).filter_map(move |r| self.values.get(start + r * self.outcomes).copied())
    }
}

/// Why an experiment could not run.
#[derive(Debug)]
pub enum ExperimentError<E> {
    /// The point's model could not be made (the caller's error).
    Point {
        /// The point's index.
        point: usize,
        /// Why.
        error: E,
    },
    /// A run at a point left the finite numbers.
    NotFinite {
        /// The point's index.
        point: usize,
        /// The replication.
        run: u64,
        /// Where and when.
        fault: Fault,
    },
    /// The engine refused (threads, size).
    Engine(EngineError),
}

/// Runs `runs`, a range of the experiment's runs numbered point by point (run p · replications + r
/// is replication r of point p, on run index r's streams), and returns their outcomes,
/// run-major. This is what a shard of `explore --shard I/N` runs (its 64-run chunks, as for
/// `run`); `0..points · replications` runs them all. Each point's part of the range is simulated in order by
/// one thread and the parts are put back in run order: the same bits with any thread count.
#[allow(clippy::too_many_arguments)]
pub fn run_range<E: Send>(
    runs: Range<u64>,
    points: usize,
    replications: u64,
    seed: u64,
    threads: Option<usize>,
    progress: bool,
    model_at: impl Fn(usize) -> Result<Model, E> + Sync,
) -> Result<Vec<f64>, ExperimentError<E>> {
    let total = (points as u64).checked_mul(replications);
    if replications == 0 || points == 0 || runs.is_empty() || total.is_none_or(|t| runs.end > t) {
        return Err(ExperimentError::Engine(EngineError::NoRuns));
    }
    if threads == Some(0) {
        return Err(ExperimentError::Engine(EngineError::NoThreads));
    }
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = threads {
        builder = builder.num_threads(threads);
    }
    let pool = builder.build().map_err(|source| {
        ExperimentError::Engine(EngineError::ThreadPool { threads: threads.unwrap_or(0), source })
    })?;
    // Each point's part of the range: (point, its replications in the range).
    let first_point = runs.start / replications;
    let end_point = runs.end.div_ceil(replications);
    let parts: Vec<(usize, Range<u64>)> = (first_point..end_point)
        .map(|point| {
            let start = (point * replications).max(runs.start) - point * replications;
            let end = ((point + 1) * replications).min(runs.end) - point * replications;
            (point as usize, start..end)
        })
        .collect();
    let bar = progress_bar(parts.len() as u64, progress, "points");
    let stop = AtomicBool::new(false);
    let results: Vec<Result<Vec<f64>, ExperimentError<E>>> = pool.install(|| {
        parts
            .par_iter()
            .map(|(point, replications)| {
                if stop.load(Ordering::Relaxed) {
                    return Ok(Vec::new());
                }
                let result = run_point(*point, replications.clone(), seed, &model_at);
                if result.is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
                if let Some(bar) = &bar {
                    bar.inc(1);
                }
                result
            })
            .collect()
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let mut values = Vec::new();
    // The first failing point in point order decides the error, whatever the thread count (points
    // after a failure may have been skipped, never points before it).
    for result in results {
        let point = result?;
        if values.len().saturating_add(point.len()) > MAX_VALUES {
            return Err(ExperimentError::Engine(EngineError::TooLarge {
                runs: runs.end - runs.start,
                values: point.len() / usize::try_from(replications).unwrap_or(1).max(1),
            }));
        }
        values.extend(point);
    }
    Ok(values)
}

/// One point's runs `replications` (run indices), run-major.
fn run_point<E>(
    point: usize,
    replications: Range<u64>,
    seed: u64,
    model_at: &impl Fn(usize) -> Result<Model, E>,
) -> Result<Vec<f64>, ExperimentError<E>> {
    let model = model_at(point).map_err(|error| ExperimentError::Point { point, error })?;
    let horizon = model.horizon as usize;
    let mut drivers = vec![0.0; model.drivers.len()];
    let outcome_count = model.outcomes.len();
    let mut series = vec![0.0; model.series_outcomes().count() * horizon];
    // Evidence is recorded by the run but not weighed here: an experiment's points are compared
    // on their forward runs (a scenario's [evidence] does not condition `explore` yet).
    let mut evidence = vec![0.0; model.evidence.len()];
    let count = (replications.end - replications.start) as usize;
    let mut values = vec![f64::NAN; outcome_count * count];
    let mut world = World::new(&model);
    for (run, outcomes) in replications.zip(values.chunks_exact_mut(outcome_count.max(1))) {
        let out = RunValues { drivers: &mut drivers, outcomes, series: &mut series, evidence: &mut evidence };
        world.simulate(seed, run, out).map_err(|fault| ExperimentError::NotFinite { point, run, fault })?;
    }
    Ok(values)
}
