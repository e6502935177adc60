//! Statistics accumulated chunk by chunk, in chunk order, in memory that does not grow with the
//! number of runs.
//!
//! A [`Tally`] is fed the engine's chunks in chunk order and keeps:
//! - each outcome's [`Moments`] (merged chunk after chunk, in chunk order: the same bits whatever
//!   the thread count or shard split), and its defined and 1-valued run counts;
//! - a [`Sketch`] (integer bucket counts) of every outcome and of every series month, and the
//!   [`ExactSum`] of every series month: both exact to merge in any order;
//! - the exact values of the first [`EXACT_RUNS`] runs (drivers, outcomes, series): the *exact
//!   prefix*.
//!
//! **The switch.** A run of at most [`EXACT_RUNS`] runs keeps every run, and its quantiles,
//! histograms and series bands are exact (type-7 order statistics). Beyond it they come from the
//! sketches, within [`sketch::RELATIVE_ERROR`] (2⁻⁸, 0.39%) of the exact value, and series means
//! from the exact sums; driver importance (ranks need every value) and driver effects are computed
//! exactly over the exact prefix, the first [`EXACT_RUNS`] runs. Means, standard deviations, standard errors,
//! extremes and probabilities are exact at any size. [`Tally::approximation`] states which applies.
//!
//! A shard tallies its own range of chunks and also records each chunk's moments, so that
//! [`Tally::absorb`]ing the shards in chunk order repeats exactly the merges one process makes.

use rayon::prelude::*;

use super::codec::{DecodeError, Reader, Writer};
use super::exact_sum::ExactSum;
use super::moments::Moments;
use super::sketch::{self, Sketch};
use crate::engine::{ChunkValues, Simulation};

/// Runs kept exactly: up to this many, every statistic is exact; beyond, quantiles come from the
/// sketches and driver importance from the first this-many runs.
pub const EXACT_RUNS: u64 = 10_000;

/// What a run records per run: the shape of every chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Months per run.
    pub horizon: u32,
    /// Drivers per run.
    pub drivers: usize,
    /// Outcomes per run.
    pub outcomes: usize,
    /// Series outcomes.
    pub series: usize,
}

impl Layout {
    /// The layout of `model`'s runs.
    pub fn of(model: &crate::model::Model) -> Self {
        Layout {
            horizon: model.horizon,
            drivers: model.drivers.len(),
            outcomes: model.outcomes.len(),
            series: model.series_outcomes().count(),
        }
    }

    /// Series values per run.
    fn series_values(&self) -> usize {
        self.series * self.horizon as usize
    }
}

/// Where the numbers of a large run stop being exact, as summary.json and report.html state it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Approximation {
    /// Runs up to which every statistic is exact.
    pub exact_up_to_runs: u64,
    /// The largest relative error of a quantile, histogram count's position or series band.
    pub quantile_relative_error: f64,
    /// The runs driver importance is computed over (the first ones).
    pub driver_importance_runs: u64,
    /// Runs of the experiment.
    pub total_runs: u64,
    /// In words.
    pub note: String,
}

/// Statistics of a contiguous range of runs, fed in chunk order.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    layout: Layout,
    /// The first run tallied (0 unless a shard).
    first_run: u64,
    /// Runs tallied so far.
    runs: u64,
    /// The exact prefix: runs `first_run .. first_run + prefix.runs` (all below [`EXACT_RUNS`]),
    /// with room for `prefix.runs` runs while tallying (see [`Tally::finish`]).
    prefix: Simulation,
    /// Runs of the prefix filled so far.
    prefix_filled: u64,
    moments: Vec<Moments>,
    /// Each chunk's moments, kept by shards so a merge repeats the same merges.
    chunk_moments: Option<Vec<Vec<Moments>>>,
    defined: Vec<u64>,
    ones: Vec<u64>,
    outcome_sketches: Vec<Sketch>,
    /// Series s, month m at `s·horizon + m`.
    series_sketches: Vec<Sketch>,
    series_sums: Vec<ExactSum>,
    /// False when the sketches and exact sums can never be read: a tally that is not a shard, starts
    /// at run 0 and ends by [`EXACT_RUNS`] keeps every run in the exact prefix, so
    /// [`crate::stats::summarize_tally`] never looks at them (they stay empty: the work was about a
    /// twentieth of a default run's CPU).
    sketching: bool,
}

impl Tally {
    /// An empty tally of runs `first_run ..` of `layout`, seed `seed`, that will receive at most
    /// up to run `last_run` (exclusive; only used to size the exact prefix). `record_chunks`: keep
    /// each chunk's moments (a shard).
    pub fn new(layout: Layout, seed: u64, first_run: u64, last_run: u64, record_chunks: bool) -> Self {
        let capacity = last_run.min(EXACT_RUNS).saturating_sub(first_run);
        let series_months = layout.series_values();
        let cap = capacity as usize;
        Tally {
            layout,
            first_run,
            runs: 0,
            prefix: Simulation {
                runs: capacity,
                seed,
                horizon: layout.horizon,
                driver_count: layout.drivers,
                outcome_count: layout.outcomes,
                series_count: layout.series,
                drivers: Vec::with_capacity(cap * layout.drivers),
                outcomes: Vec::with_capacity(cap * layout.outcomes),
                // Zeroed, not NaN-filled: the allocator hands zeroed pages over untouched, where a fill
                // wrote all of them (~80 MB at 10,000 runs) on one thread before the first run.
                // Every slot is written before it is read: `finish` cuts those of runs never tallied.
                series: vec![0.0; cap * series_months],
                // Evidence values go to `stats::evidence::Weighing`, not the prefix.
                evidence_count: 0,
                evidence: Vec::new(),
            },
            prefix_filled: 0,
            moments: vec![Moments::default(); layout.outcomes],
            chunk_moments: record_chunks.then(Vec::new),
            defined: vec![0; layout.outcomes],
            ones: vec![0; layout.outcomes],
            outcome_sketches: vec![Sketch::default(); layout.outcomes],
            series_sketches: vec![Sketch::default(); series_months],
            series_sums: vec![ExactSum::default(); series_months],
            sketching: record_chunks || first_run > 0 || last_run > EXACT_RUNS,
        }
    }

    /// Runs tallied.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// The first run tallied.
    pub fn first_run(&self) -> u64 {
        self.first_run
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.prefix.seed
    }

    /// The layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Each outcome's moments over its defined values.
    pub fn moments(&self) -> &[Moments] {
        &self.moments
    }

    /// Outcome `i`'s (defined runs, runs where it is 1).
    pub fn counts(&self, outcome: usize) -> (u64, u64) {
        (self.defined.get(outcome).copied().unwrap_or(0), self.ones.get(outcome).copied().unwrap_or(0))
    }

    /// Outcome `i`'s sketch.
    pub fn outcome_sketch(&self, outcome: usize) -> Option<&Sketch> {
        self.outcome_sketches.get(outcome)
    }

    /// Series `s`, month `m`: its sketch and exact sum.
    pub fn series_month(&self, series: usize, month: u32) -> Option<(&Sketch, &ExactSum)> {
        let at = series * self.layout.horizon as usize + month as usize;
        Some((self.series_sketches.get(at)?, self.series_sums.get(at)?))
    }

    /// True when every run is in the exact prefix: every statistic is computed from the values.
    pub fn is_exact(&self) -> bool {
        self.first_run == 0 && self.prefix_filled == self.runs
    }

    /// The exact prefix: the first runs' values (all runs when [`Tally::is_exact`]). Complete once
    /// [`Tally::finish`]ed.
    pub fn prefix(&self) -> &Simulation {
        &self.prefix
    }

    /// What is approximate, or `None` when everything is exact.
    pub fn approximation(&self) -> Option<Approximation> {
        (!self.is_exact()).then(|| Approximation {
            exact_up_to_runs: EXACT_RUNS,
            quantile_relative_error: sketch::RELATIVE_ERROR,
            driver_importance_runs: self.prefix_filled,
            total_runs: self.runs,
            note: format!(
                "More than {EXACT_RUNS} runs: means, standard deviations, standard errors, extremes and \
                 probabilities are exact; percentiles, histograms and series bands come from log-linear \
                 histograms and are within {:.2}% (relative) of the exact values; driver importance and \
                 driver effects are exact over the first {} runs.",
                sketch::RELATIVE_ERROR * 100.0,
                self.prefix_filled
            ),
        })
    }

    /// Adds a batch of consecutive chunks, chunk by chunk; after each chunk `stop` may end the
    /// batch (the later chunks are dropped). Returns how many chunks were added.
    pub fn add_batch(&mut self, chunks: &[ChunkValues], mut stop: impl FnMut(&Tally) -> bool) -> usize {
        let mut taken = 0;
        for chunk in chunks {
            self.add_exact(chunk);
            taken += 1;
            if stop(self) {
                break;
            }
        }
        let chunks = chunks.get(..taken).unwrap_or(&[]);
        if self.sketching {
            self.add_sketches(chunks);
        }
        taken
    }

    /// The order-dependent part of a chunk: moments, counts, the exact prefix.
    fn add_exact(&mut self, chunk: &ChunkValues) {
        let layout = self.layout;
        let mut moments = vec![Moments::default(); layout.outcomes];
        for row in chunk.outcomes.chunks_exact(layout.outcomes.max(1)).take(chunk.len) {
            for (i, &value) in row.iter().enumerate() {
                if value.is_nan() {
                    continue;
                }
                if let Some(m) = moments.get_mut(i) {
                    m.add(value);
                }
                if let Some(d) = self.defined.get_mut(i) {
                    *d += 1;
                }
                if value > 0.5
                    && let Some(o) = self.ones.get_mut(i)
                {
                    *o += 1;
                }
            }
        }
        for (total, part) in self.moments.iter_mut().zip(&moments) {
            total.merge(part);
        }
        if let Some(list) = &mut self.chunk_moments {
            list.push(moments);
        }
        // The exact prefix, series transposed to (series, month, run).
        let room = (self.prefix.runs - self.prefix_filled) as usize;
        let take = room.min(chunk.len);
        if take > 0 {
            let per_run = layout.series_values();
            let stride = self.prefix.runs as usize;
            let base = self.prefix_filled as usize;
            self.prefix.drivers.extend_from_slice(chunk.drivers.get(..take * layout.drivers).unwrap_or(&[]));
            self.prefix
                .outcomes
                .extend_from_slice(chunk.outcomes.get(..take * layout.outcomes).unwrap_or(&[]));
            if per_run > 0 {
                for (offset, values) in chunk.series.chunks_exact(per_run).take(take).enumerate() {
                    for (index, &value) in values.iter().enumerate() {
                        if let Some(slot) = self.prefix.series.get_mut(index * stride + base + offset) {
                            *slot = value;
                        }
                    }
                }
            }
            self.prefix_filled += take as u64;
        }
        self.runs += chunk.len as u64;
    }

    /// The order-free part: sketches and exact sums, one task per outcome or series month.
    fn add_sketches(&mut self, chunks: &[ChunkValues]) {
        let layout = self.layout;
        self.outcome_sketches.par_iter_mut().enumerate().for_each(|(i, sketch)| {
            for chunk in chunks {
                for row in chunk.outcomes.chunks_exact(layout.outcomes.max(1)).take(chunk.len) {
                    if let Some(&value) = row.get(i) {
                        sketch.add(value);
                    }
                }
            }
        });
        let per_run = layout.series_values();
        if per_run == 0 {
            return;
        }
        self.series_sketches.par_iter_mut().zip(self.series_sums.par_iter_mut()).enumerate().for_each(
            |(i, (sketch, sum))| {
                for chunk in chunks {
                    for row in chunk.series.chunks_exact(per_run).take(chunk.len) {
                        if let Some(&value) = row.get(i)
                            && !value.is_nan()
                        {
                            sketch.add(value);
                            sum.add(value);
                        }
                    }
                }
            },
        );
    }

    /// Ends tallying: the exact prefix shrinks to the runs it holds (a run stopped early by
    /// `--precision`).
    pub fn finish(&mut self) {
        let filled = self.prefix_filled as usize;
        let stride = self.prefix.runs as usize;
        if filled < stride {
            let rows = self.layout.series_values();
            for row in 0..rows {
                self.prefix.series.copy_within(row * stride..row * stride + filled, row * filled);
            }
            self.prefix.series.truncate(rows * filled);
            self.prefix.runs = self.prefix_filled;
        }
    }

    /// Adds a shard's tally, which must start where this one ends and have recorded its chunks:
    /// the moments merge chunk by chunk exactly as one process merges them.
    pub fn absorb(&mut self, shard: &Tally) -> Result<(), String> {
        if shard.layout != self.layout || shard.seed() != self.seed() {
            return Err("its scenario or seed differs".into());
        }
        if shard.first_run != self.first_run + self.runs {
            return Err(format!(
                "it starts at run {}, the runs before it end at {}",
                shard.first_run,
                self.first_run + self.runs
            ));
        }
        let Some(chunks) = &shard.chunk_moments else {
            return Err("it has no per-chunk state".into());
        };
        for moments in chunks {
            for (total, part) in self.moments.iter_mut().zip(moments) {
                total.merge(part);
            }
            if let Some(list) = &mut self.chunk_moments {
                list.push(moments.clone());
            }
        }
        for (a, b) in self.defined.iter_mut().zip(&shard.defined) {
            *a += b;
        }
        for (a, b) in self.ones.iter_mut().zip(&shard.ones) {
            *a += b;
        }
        for (a, b) in self.outcome_sketches.iter_mut().zip(&shard.outcome_sketches) {
            a.merge(b);
        }
        for (a, b) in self.series_sketches.iter_mut().zip(&shard.series_sketches) {
            a.merge(b);
        }
        for (a, b) in self.series_sums.iter_mut().zip(&shard.series_sums) {
            a.merge(b);
        }
        // The shard's exact prefix continues this one's.
        let take = shard.prefix_filled.min(self.prefix.runs - self.prefix_filled) as usize;
        if take > 0 {
            let layout = self.layout;
            let (stride, base, from) =
                (self.prefix.runs as usize, self.prefix_filled as usize, shard.prefix.runs as usize);
            self.prefix
                .drivers
                .extend_from_slice(shard.prefix.drivers.get(..take * layout.drivers).unwrap_or(&[]));
            self.prefix
                .outcomes
                .extend_from_slice(shard.prefix.outcomes.get(..take * layout.outcomes).unwrap_or(&[]));
            for row in 0..layout.series_values() {
                for run in 0..take {
                    if let (Some(slot), Some(&value)) = (
                        self.prefix.series.get_mut(row * stride + base + run),
                        shard.prefix.series.get(row * from + run),
                    ) {
                        *slot = value;
                    }
                }
            }
            self.prefix_filled += take as u64;
        }
        self.runs += shard.runs;
        Ok(())
    }

    /// The tally's state as bytes (a shard's `state.bin`). Call after [`Tally::finish`].
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Writer::default();
        let layout = self.layout;
        for x in
            [u64::from(layout.horizon), layout.drivers as u64, layout.outcomes as u64, layout.series as u64]
        {
            out.u64(x);
        }
        out.u64(self.prefix.seed);
        out.u64(self.first_run);
        out.u64(self.runs);
        out.floats(&self.prefix.drivers);
        out.floats(&self.prefix.outcomes);
        out.floats(&self.prefix.series);
        let chunks = self.chunk_moments.as_deref().unwrap_or(&[]);
        out.u64(chunks.len() as u64);
        for moments in chunks {
            for m in moments {
                m.encode(&mut out);
            }
        }
        for (d, o) in self.defined.iter().zip(&self.ones) {
            out.u64(*d);
            out.u64(*o);
        }
        for sketch in self.outcome_sketches.iter().chain(&self.series_sketches) {
            sketch.encode(&mut out);
        }
        for sum in &self.series_sums {
            sum.encode(&mut out);
        }
        out.finish()
    }

    /// Reads a state written by [`Tally::encode`]; `layout` and `seed` are what the experiment
    /// says they must be.
    pub fn decode(bytes: &[u8], layout: Layout, seed: u64) -> Result<Tally, DecodeError> {
        let mut input = Reader::new(bytes)?;
        let mut words = [0u64; 7];
        for word in &mut words {
            *word = input.u64()?;
        }
        let [horizon, drivers, outcomes, series, found_seed, first_run, runs] = words;
        let found = (horizon, drivers, outcomes, series);
        let expected =
            (u64::from(layout.horizon), layout.drivers as u64, layout.outcomes as u64, layout.series as u64);
        if found != expected || found_seed != seed {
            return Err(input.invalid("its layout or seed is not the experiment's"));
        }
        let prefix_runs = runs.min(EXACT_RUNS.saturating_sub(first_run));
        let mut tally = Tally::new(layout, seed, first_run, first_run + prefix_runs, true);
        tally.runs = runs;
        let p = prefix_runs as usize;
        tally.prefix.drivers = input.floats()?;
        tally.prefix.outcomes = input.floats()?;
        tally.prefix.series = input.floats()?;
        if tally.prefix.drivers.len() != p * layout.drivers
            || tally.prefix.outcomes.len() != p * layout.outcomes
            || tally.prefix.series.len() != p * layout.series_values()
        {
            return Err(input.invalid("its exact runs do not match its run count"));
        }
        tally.prefix_filled = prefix_runs;
        let chunk_count = input.len(layout.outcomes * 40)?;
        if chunk_count as u64 != runs.div_ceil(crate::engine::CHUNK_RUNS) {
            return Err(input.invalid("its chunk count does not match its run count"));
        }
        let mut chunks = Vec::with_capacity(chunk_count);
        for _ in 0..chunk_count {
            let moments =
                (0..layout.outcomes).map(|_| Moments::decode(&mut input)).collect::<Result<Vec<_>, _>>()?;
            chunks.push(moments);
        }
        tally.chunk_moments = Some(chunks);
        for (defined, ones) in tally.defined.iter_mut().zip(tally.ones.iter_mut()).take(layout.outcomes) {
            *defined = input.u64()?;
            *ones = input.u64()?;
        }
        for sketch in tally.outcome_sketches.iter_mut().chain(tally.series_sketches.iter_mut()) {
            *sketch = Sketch::decode(&mut input)?;
        }
        for sum in &mut tally.series_sums {
            *sum = ExactSum::decode(&mut input)?;
        }
        input.end()?;
        Ok(tally)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{self, Flow, Settings, shard_chunks};
    use crate::model::Model;
    use crate::model::testing::*;
    use crate::scenario::{Distribution, Factor};

    fn small_model() -> Model {
        let mut s = scenario(12);
        s.drivers = vec![driver("d", Distribution::Beta { alpha: 2.0, beta: 5.0 })];
        s.variables = vec![variable("v", 0.5, 0.4, 0.1, 0.05)];
        s.events = vec![hazard("e", 0.05)];
        s.outcomes = vec![
            outcome("first", vec![Factor::Call(crate::scenario::term::Function::First, "e".into())], false),
            outcome("v", vec![Factor::Variable("v".into())], true),
        ];
        Model::compile(&s).unwrap()
    }

    fn tally(model: &Model, runs: u64, chunks: std::ops::Range<u64>, shard: bool, threads: usize) -> Tally {
        tally_until(model, runs, runs, chunks, shard, threads)
    }

    /// [`tally`] of a tally told it may receive runs up to `last_run`.
    fn tally_until(
        model: &Model,
        runs: u64,
        last_run: u64,
        chunks: std::ops::Range<u64>,
        shard: bool,
        threads: usize,
    ) -> Tally {
        let settings = Settings { runs, seed: 5, threads: Some(threads), progress: false };
        let first = (chunks.start * engine::CHUNK_RUNS).min(runs);
        let mut tally = Tally::new(Layout::of(model), 5, first, last_run, shard);
        engine::run_chunks(model, &settings, chunks, |batch| {
            tally.add_batch(&batch, |_| false);
            Flow::Continue
        })
        .unwrap();
        tally.finish();
        tally
    }

    #[test]
    fn shards_absorbed_in_order_equal_one_pass() {
        let model = small_model();
        let runs: u64 = 3000;
        let all = runs.div_ceil(engine::CHUNK_RUNS);
        let one = tally(&model, runs, 0..all, false, 2);
        assert!(one.is_exact());
        assert_eq!(one.prefix().runs, runs);
        // Ending by EXACT_RUNS, it kept no sketches (never read); one told it might go beyond kept
        // them, and both summarize to the same statistics.
        assert_eq!(one.outcome_sketch(1).map(Sketch::count), Some(0));
        let one = {
            let sketching = tally_until(&model, runs, EXACT_RUNS + 1, 0..all, false, 2);
            assert_eq!(sketching.outcome_sketch(1).map(Sketch::count), Some(runs));
            assert_eq!(
                crate::stats::summarize_tally(&model, &sketching),
                crate::stats::summarize_tally(&model, &one)
            );
            sketching
        };
        // The exact prefix equals what simulate keeps.
        let sim =
            engine::simulate(&model, &Settings { runs, seed: 5, threads: Some(1), progress: false }).unwrap();
        assert_eq!(one.prefix().outcomes.len(), sim.outcomes.len());
        assert!(one.prefix().series.iter().zip(&sim.series).all(|(a, b)| a.to_bits() == b.to_bits()));
        for count in [1, 2, 3, 7] {
            let mut merged = Tally::new(Layout::of(&model), 5, 0, runs, false);
            for index in 0..count {
                let shard = tally(&model, runs, shard_chunks(runs, index, count), true, 1);
                let decoded = Tally::decode(&shard.encode(), Layout::of(&model), 5).unwrap();
                assert_eq!(decoded.encode(), shard.encode());
                merged.absorb(&decoded).unwrap();
            }
            merged.finish();
            assert_eq!(merged.encode(), one.encode(), "{count} shards");
        }
    }

    #[test]
    fn beyond_the_switch_only_the_prefix_is_kept() {
        let model = small_model();
        let runs = EXACT_RUNS + 500;
        let big = tally(&model, runs, 0..runs.div_ceil(engine::CHUNK_RUNS), false, 2);
        assert!(!big.is_exact());
        assert_eq!(big.prefix().runs, EXACT_RUNS);
        assert_eq!(big.runs(), runs);
        assert_eq!(big.outcome_sketch(1).map(Sketch::count), Some(runs));
        let approximation = big.approximation().unwrap();
        assert_eq!(approximation.driver_importance_runs, EXACT_RUNS);
        // Shards across the switch merge to the same state.
        let mut merged = Tally::new(Layout::of(&model), 5, 0, runs, false);
        for index in [0, 1, 2] {
            let shard = tally(&model, runs, shard_chunks(runs, index, 3), true, 1);
            merged.absorb(&Tally::decode(&shard.encode(), Layout::of(&model), 5).unwrap()).unwrap();
        }
        merged.finish();
        assert_eq!(merged.encode(), big.encode());
        // A shard out of order is refused.
        let mut wrong = Tally::new(Layout::of(&model), 5, 0, runs, false);
        let second = tally(&model, runs, shard_chunks(runs, 1, 3), true, 1);
        assert!(wrong.absorb(&second).is_err());
    }
}
