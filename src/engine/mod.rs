//! Random streams, replications in fixed chunks, threads and progress (DESIGN.md §4).
//!
//! Runs are cut into chunks of [`CHUNK_RUNS`] consecutive run indices whatever the thread count.
//! Each chunk simulates its runs with one [`World`] and fills its own buffers and accumulators;
//! chunks are merged in chunk order. Run k is a pure function of (model, seed, k), so the merged
//! result is byte-identical with 1, 2 or 16 threads.

pub mod arithmetic;
pub mod design;
pub mod experiment;
pub mod shard_env;
pub mod stream;

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use thiserror::Error;

use crate::model::{Fault, Model, RunValues, World};

/// Runs per chunk: the unit of work and of merging. Fixed, so results never depend on threads.
pub const CHUNK_RUNS: u64 = 64;

/// Most recorded values (drivers, outcomes and series months over all runs) a simulation keeps:
/// 2³¹ values are 16 GiB. More is refused as bad input rather than aborting on allocation.
pub const MAX_VALUES: usize = 1 << 31;

/// How to run the replications.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Number of runs (≥ 1).
    pub runs: u64,
    /// The seed every stream derives from.
    pub seed: u64,
    /// Worker threads; `None` for one per core. Results do not depend on it.
    pub threads: Option<usize>,
    /// Show a progress bar on stderr (only drawn when stderr is a terminal).
    pub progress: bool,
}

/// Why the engine could not run.
#[derive(Debug, Error)]
pub enum EngineError {
    /// `--runs 0`.
    #[error("the number of runs must be at least 1")]
    NoRuns,
    /// `--threads 0`.
    #[error("the number of threads must be at least 1")]
    NoThreads,
    /// The thread pool could not start.
    #[error("could not start {threads} worker threads: {source}")]
    ThreadPool {
        /// Threads asked for (0: one per core).
        threads: usize,
        /// Why rayon could not start them.
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
    /// A run's arithmetic left the finite numbers (the lowest such run index, whatever the
    /// thread count).
    #[error("run {run} stopped in month {}: a value became NaN or infinite", fault.month)]
    NotFinite {
        /// The run's index (0-based).
        run: u64,
        /// Where and when.
        fault: Fault,
    },
    /// Too many values to hold in memory.
    #[error(
        "{runs} runs × {values} recorded values per run is more than crossroads keeps in memory (2³¹ values)"
    )]
    TooLarge {
        /// Runs asked for.
        runs: u64,
        /// Values recorded per run.
        values: usize,
    },
    /// The run was cancelled (by `crossroads watch`, when the file changed during it).
    #[error("the run was cancelled")]
    Cancelled,
}

/// Every run's recorded values, in run order.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    /// Runs made.
    pub runs: u64,
    /// The seed they were drawn from.
    pub seed: u64,
    /// Months per run.
    pub horizon: u32,
    /// Drivers per run.
    pub driver_count: usize,
    /// Outcomes per run.
    pub outcome_count: usize,
    /// Series outcomes.
    pub series_count: usize,
    /// `runs × driver_count`, row k = run k (categorical drivers: the outcome index).
    pub drivers: Vec<f64>,
    /// `runs × outcome_count`, row k = run k; NaN where undefined.
    pub outcomes: Vec<f64>,
    /// `series_count × horizon × runs`: series s, month m, run k at `(s·horizon + m)·runs + k`.
    pub series: Vec<f64>,
    /// Evidence items per run.
    pub evidence_count: usize,
    /// `runs × evidence_count`, row k = run k: each evidence term's value; NaN where undefined.
    pub evidence: Vec<f64>,
}

impl Simulation {
    /// Run k's driver values.
    pub fn run_drivers(&self, run: usize) -> &[f64] {
        self.drivers.get(run * self.driver_count..(run + 1) * self.driver_count).unwrap_or(&[])
    }

    /// Run k's outcome values (NaN where undefined).
    pub fn run_outcomes(&self, run: usize) -> &[f64] {
        self.outcomes.get(run * self.outcome_count..(run + 1) * self.outcome_count).unwrap_or(&[])
    }

    /// Outcome `outcome`'s values over all runs, in run order.
    pub fn outcome_values(&self, outcome: usize) -> impl Iterator<Item = f64> + '_ {
        self.outcomes.iter().skip(outcome).step_by(self.outcome_count.max(1)).copied()
    }

    /// Run k's evidence values (NaN where undefined).
    pub fn run_evidence(&self, run: usize) -> &[f64] {
        self.evidence.get(run * self.evidence_count..(run + 1) * self.evidence_count).unwrap_or(&[])
    }

    /// Series `series`' values at the end of `month`, over all runs in run order.
    pub fn series_values(&self, series: usize, month: u32) -> &[f64] {
        let runs = self.runs as usize;
        let start = (series * self.horizon as usize + month as usize) * runs;
        self.series.get(start..start + runs).unwrap_or(&[])
    }
}

/// One chunk's results.
struct Chunk {
    /// Runs in the chunk.
    len: usize,
    drivers: Vec<f64>,
    outcomes: Vec<f64>,
    /// `runs_in_chunk × series_count × horizon`, run-major.
    series: Vec<f64>,
    /// `runs_in_chunk × evidence items`, run-major.
    evidence: Vec<f64>,
}

/// Runs `settings.runs` replications of `model`.
pub fn simulate(model: &Model, settings: &Settings) -> Result<Simulation, EngineError> {
    simulate_cancellable(model, settings, &AtomicBool::new(false))
}

/// [`simulate`], abandoned between chunks once `cancel` is set (`crossroads watch` restarts a run
/// when the file is saved again): then [`EngineError::Cancelled`]. Chunks already started finish
/// first, so a cancel takes effect within one chunk's time.
pub fn simulate_cancellable(
    model: &Model,
    settings: &Settings,
    cancel: &AtomicBool,
) -> Result<Simulation, EngineError> {
    if settings.runs == 0 {
        return Err(EngineError::NoRuns);
    }
    if settings.threads == Some(0) {
        return Err(EngineError::NoThreads);
    }
    let horizon = model.horizon as usize;
    let (driver_count, outcome_count) = (model.drivers.len(), model.outcomes.len());
    let series_count = model.series_outcomes().count();
    let values_per_run = driver_count + outcome_count + series_count * horizon + model.evidence.len();
    let runs = usize::try_from(settings.runs)
        .ok()
        .filter(|runs| runs.checked_mul(values_per_run.max(1)).is_some_and(|total| total <= MAX_VALUES));
    let Some(runs) = runs else {
        return Err(EngineError::TooLarge { runs: settings.runs, values: values_per_run });
    };

    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = settings.threads {
        builder = builder.num_threads(threads);
    }
    let pool = builder
        .build()
        .map_err(|source| EngineError::ThreadPool { threads: settings.threads.unwrap_or(0), source })?;

    let progress = progress_bar(settings.runs, settings.progress, "runs");
    let chunk_count = settings.runs.div_ceil(CHUNK_RUNS);
    let seed = settings.seed;
    let chunks: Vec<Result<Chunk, EngineError>> = pool.install(|| {
        (0..chunk_count)
            .into_par_iter()
            .map(|chunk| {
                if cancel.load(Ordering::Relaxed) {
                    return Err(EngineError::Cancelled);
                }
                let first = chunk * CHUNK_RUNS;
                let last = (first + CHUNK_RUNS).min(settings.runs);
                let result =
                    simulate_chunk(model, seed, first..last, (driver_count, outcome_count, series_count));
                if let Some(bar) = &progress {
                    bar.inc(last - first);
                }
                result
            })
            .collect()
    });
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }

    let mut simulation = Simulation {
        runs: settings.runs,
        seed,
        horizon: model.horizon,
        driver_count,
        outcome_count,
        series_count,
        drivers: Vec::with_capacity(runs * driver_count),
        outcomes: Vec::with_capacity(runs * outcome_count),
        series: vec![0.0; runs * series_count * horizon],
        evidence_count: model.evidence.len(),
        evidence: Vec::with_capacity(runs * model.evidence.len()),
    };
    let mut run = 0;
    for chunk in chunks {
        // Chunks are in run order and each stops at its first faulty run: the first error is the
        // lowest faulty run index.
        let chunk = chunk?;
        simulation.drivers.extend_from_slice(&chunk.drivers);
        simulation.outcomes.extend_from_slice(&chunk.outcomes);
        simulation.evidence.extend_from_slice(&chunk.evidence);
        // Transpose run-major chunk series into (series, month, run).
        let per_run = series_count * horizon;
        if per_run > 0 {
            for (offset, values) in chunk.series.chunks_exact(per_run).enumerate() {
                for (index, value) in values.iter().enumerate() {
                    let (series, month) = (index / horizon, index % horizon);
                    if let Some(slot) =
                        simulation.series.get_mut((series * horizon + month) * runs + run + offset)
                    {
                        *slot = *value;
                    }
                }
            }
        }
        run += chunk.len;
    }
    Ok(simulation)
}

/// Chunks simulated in parallel before their results are handed over, in chunk order: what bounds
/// the memory of a streamed run (32 × 64 = 2,048 runs' values at a time).
pub const BATCH_CHUNKS: u64 = 32;

/// One chunk's recorded values, run-major, as [`run_chunks`] hands them over.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkValues {
    /// The chunk's index: its runs are `index · CHUNK_RUNS ..`.
    pub index: u64,
    /// Its first run.
    pub first_run: u64,
    /// Runs in the chunk (64, fewer in the last).
    pub len: usize,
    /// `len × driver_count` (categorical drivers: the outcome index).
    pub drivers: Vec<f64>,
    /// `len × outcome_count`; NaN where undefined.
    pub outcomes: Vec<f64>,
    /// `len × series_count × horizon`: run r, series s, month m at `(r·series_count + s)·horizon + m`.
    pub series: Vec<f64>,
    /// `len × evidence items`: each evidence term's value at its month; NaN where undefined.
    pub evidence: Vec<f64>,
}

/// Whether [`run_chunks`] should go on after a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Simulate the next batch.
    Continue,
    /// Stop: no more chunks are simulated.
    Stop,
}

/// The chunk range `--shard index/count` runs for `runs` runs: chunks are cut as evenly as
/// possible, shard `index` taking `⌊index·C/count⌋ .. ⌊(index + 1)·C/count⌋` of the C chunks.
pub fn shard_chunks(runs: u64, index: u64, count: u64) -> std::ops::Range<u64> {
    let chunks = u128::from(runs.div_ceil(CHUNK_RUNS));
    let cut = |i: u64| (u128::from(i) * chunks / u128::from(count.max(1))) as u64;
    cut(index)..cut(index + 1)
}

/// Simulates the chunks `chunks` of a `settings.runs`-run experiment in batches of
/// [`BATCH_CHUNKS`], in parallel within a batch, and hands each batch to `sink` in chunk order.
/// While `sink` takes one batch (on one thread: the tally's exact sums must go in order), the next
/// batch is simulated beside it, so no core waits for the sink. Memory is two batches' values,
/// whatever the number of runs. Stops after the last chunk or when `sink` says [`Flow::Stop`]; a
/// batch simulated beside a sink that stopped is dropped unseen, its failures too, so what is
/// reported is what a batch-by-batch loop would report.
pub fn run_chunks(
    model: &Model,
    settings: &Settings,
    chunks: std::ops::Range<u64>,
    mut sink: impl FnMut(Vec<ChunkValues>) -> Flow + Send,
) -> Result<(), EngineError> {
    if settings.runs == 0 {
        return Err(EngineError::NoRuns);
    }
    if settings.threads == Some(0) {
        return Err(EngineError::NoThreads);
    }
    let counts = (model.drivers.len(), model.outcomes.len(), model.series_outcomes().count());
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = settings.threads {
        builder = builder.num_threads(threads);
    }
    let pool = builder
        .build()
        .map_err(|source| EngineError::ThreadPool { threads: settings.threads.unwrap_or(0), source })?;
    let progress = progress_bar(settings.runs, settings.progress, "runs");
    if let Some(bar) = &progress {
        let first = (chunks.start * CHUNK_RUNS).min(settings.runs);
        bar.set_length((chunks.end * CHUNK_RUNS).min(settings.runs) - first);
    }
    let seed = settings.seed;
    let batch_after = |start: u64| start..(start + BATCH_CHUNKS).min(chunks.end);
    let simulate = |batch: std::ops::Range<u64>| -> Vec<Result<ChunkValues, EngineError>> {
        batch
            .into_par_iter()
            .map(|index| {
                let first = index * CHUNK_RUNS;
                let last = (first + CHUNK_RUNS).min(settings.runs);
                let chunk = simulate_chunk(model, seed, first..last, counts)?;
                if let Some(bar) = &progress {
                    bar.inc(last - first);
                }
                Ok(ChunkValues {
                    index,
                    first_run: first,
                    len: chunk.len,
                    drivers: chunk.drivers,
                    outcomes: chunk.outcomes,
                    series: chunk.series,
                    evidence: chunk.evidence,
                })
            })
            .collect()
    };
    // In the pool: the sink's own parallel work (sketches) uses the same threads.
    pool.install(|| {
        let mut batch = batch_after(chunks.start);
        let mut results = simulate(batch.clone());
        while !batch.is_empty() {
            // The first failing chunk in chunk order: the same error whatever the thread count.
            let values = results.into_iter().collect::<Result<Vec<_>, _>>()?;
            batch = batch_after(batch.end);
            let next = batch.clone();
            // After the last batch `next` is empty: nothing to simulate beside the last sink.
            let (flow, next) = rayon::join(|| sink(values), || simulate(next));
            if flow == Flow::Stop {
                break;
            }
            results = next;
        }
        Ok(())
    })?;
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    Ok(())
}

/// Simulates runs `range` with one world.
fn simulate_chunk(
    model: &Model,
    seed: u64,
    range: std::ops::Range<u64>,
    (driver_count, outcome_count, series_count): (usize, usize, usize),
) -> Result<Chunk, EngineError> {
    let len = (range.end - range.start) as usize;
    let per_run_series = series_count * model.horizon as usize;
    let mut chunk = Chunk {
        len,
        drivers: vec![0.0; len * driver_count],
        outcomes: vec![f64::NAN; len * outcome_count],
        series: vec![f64::NAN; len * per_run_series],
        evidence: vec![f64::NAN; len * model.evidence.len()],
    };
    let mut world = World::new(model);
    let (drivers, outcomes, series, evidence) = (
        rows(&mut chunk.drivers, driver_count, len),
        rows(&mut chunk.outcomes, outcome_count, len),
        rows(&mut chunk.series, per_run_series, len),
        rows(&mut chunk.evidence, model.evidence.len(), len),
    );
    let runs = drivers.into_iter().zip(outcomes).zip(series).zip(evidence);
    for (run, (((drivers, outcomes), series), evidence)) in range.zip(runs) {
        let values = RunValues { drivers, outcomes, series, evidence };
        world.simulate(seed, run, values).map_err(|fault| EngineError::NotFinite { run, fault })?;
    }
    Ok(chunk)
}

/// The `len` rows of `width` values of a run-major buffer (`chunks_mut(0)` would panic).
fn rows(buffer: &mut [f64], width: usize, len: usize) -> Vec<&mut [f64]> {
    if width == 0 { (0..len).map(|_| &mut [][..]).collect() } else { buffer.chunks_mut(width).collect() }
}

/// An indicatif bar on stderr (runs/s, ETA) when asked for and stderr is a terminal.
/// A progress bar on stderr counting `total` `unit`s, when asked for and stderr is a terminal.
fn progress_bar(total: u64, progress: bool, unit: &str) -> Option<ProgressBar> {
    if !progress || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let template = format!("{{bar:40}} {{pos}}/{{len}} {unit}  {{rate}} {unit}/s  ETA {{eta}}");
    let style = ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("rate", |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.0}", state.per_sec());
        });
    bar.set_style(style);
    Some(bar)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::*;
    use crate::scenario::{Distribution, Factor, Function};

    fn bits(values: &[f64]) -> Vec<u64> {
        values.iter().map(|x| x.to_bits()).collect()
    }

    fn small_model() -> Model {
        let mut s = scenario(24);
        s.drivers = vec![driver("d", Distribution::Beta { alpha: 2.0, beta: 5.0 })];
        s.variables = vec![variable("v", 0.5, 0.4, 0.1, 0.05)];
        s.events = vec![hazard("e", 0.05)];
        s.populations =
            vec![population("p", 200, Distribution::Uniform { min: 0.0, max: 1.0 }, 0.3, 0.2, 0.1)];
        s.outcomes = vec![
            outcome("first", vec![Factor::Call(Function::First, "e".into())], false),
            outcome("home", vec![Factor::Call(Function::HomeShare, "p".into())], true),
            outcome("v", vec![Factor::Variable("v".into())], true),
        ];
        Model::compile(&s).unwrap()
    }

    #[test]
    fn results_do_not_depend_on_threads_or_chunking() {
        let model = small_model();
        // 200 runs: three full chunks and a partial one.
        let run = |threads| {
            simulate(&model, &Settings { runs: 200, seed: 3, threads: Some(threads), progress: false })
                .unwrap()
        };
        let (one, four) = (run(1), run(4));
        assert_eq!(bits(&one.drivers), bits(&four.drivers));
        assert_eq!(bits(&one.outcomes), bits(&four.outcomes));
        assert_eq!(bits(&one.series), bits(&four.series));
        // The first 70 runs of a 70-run simulation are the first 70 runs of the 200-run one.
        let short =
            simulate(&model, &Settings { runs: 70, seed: 3, threads: Some(2), progress: false }).unwrap();
        assert_eq!(bits(&short.outcomes), bits(&one.outcomes[..70 * one.outcome_count]));
        assert_eq!(bits(short.series_values(1, 23)), bits(&one.series_values(1, 23)[..70]));
    }

    #[test]
    fn impossible_settings_are_errors_not_panics() {
        let model = small_model();
        let settings = |runs, threads| Settings { runs, seed: 1, threads, progress: false };
        assert!(matches!(simulate(&model, &settings(0, None)), Err(EngineError::NoRuns)));
        assert!(matches!(simulate(&model, &settings(10, Some(0))), Err(EngineError::NoThreads)));
        assert!(matches!(simulate(&model, &settings(u64::MAX, None)), Err(EngineError::TooLarge { .. })));
        assert!(matches!(simulate(&model, &settings(1 << 40, None)), Err(EngineError::TooLarge { .. })));
    }

    #[test]
    fn a_cancelled_simulation_stops_between_chunks() {
        let model = small_model();
        let settings = Settings { runs: 10 * CHUNK_RUNS, seed: 1, threads: Some(1), progress: false };
        let cancel = AtomicBool::new(true);
        assert!(matches!(simulate_cancellable(&model, &settings, &cancel), Err(EngineError::Cancelled)));
        cancel.store(false, Ordering::Relaxed);
        let whole = simulate_cancellable(&model, &settings, &cancel).unwrap();
        assert_eq!(bits(&whole.outcomes), bits(&simulate(&model, &settings).unwrap().outcomes));
    }
}
