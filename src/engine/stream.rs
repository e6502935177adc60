//! Random streams keyed by (seed, run, purpose, name) (DESIGN.md §4).
//!
//! Every source of randomness in a run has its own stream: a `Xoshiro256PlusPlus` generator seeded
//! from a SplitMix64 mix of the seed, the run index and an FNV-1a hash of the purpose and name
//! bytes. The key never depends on anything else (not on the scenario's other drivers or events,
//! not on the thread), so adding a driver or an event leaves every other stream's numbers unchanged,
//! and run k is a pure function of (model, seed, k).
//!
//! This module depends on nothing else in the crate and knows none of the model's nouns: callers
//! pass the purpose as a label (the model's are in `model::streams`); the model draws from
//! streams, the engine decides which runs to make.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution as _, Exp1, StandardNormal};

/// The part of a stream key that does not change between runs: a hash of (purpose, name).
/// Computed once when the model compiles, so starting a run never hashes strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamId(u64);

impl StreamId {
    /// The identity of the stream for `purpose` and `name` (FNV-1a over the purpose's bytes, a 0
    /// byte and the name's bytes; deterministic on every platform). The caller names the purpose
    /// ("driver", "event", …): this module knows nothing of what is drawn.
    pub fn new(purpose: &str, name: &str) -> Self {
        let mut hash = fnv1a(FNV_OFFSET, purpose.as_bytes());
        hash = fnv1a(hash, &[0]);
        hash = fnv1a(hash, name.as_bytes());
        StreamId(splitmix64(hash))
    }
}

/// One independent stream of random numbers for one run.
#[derive(Debug, Clone)]
pub struct Stream {
    generator: Xoshiro256PlusPlus,
}

impl Stream {
    /// The stream `id` of run `run` under `seed`.
    pub fn new(seed: u64, run: u64, id: StreamId) -> Self {
        #[cfg(test)]
        tally::add(tally::Kind::Stream);
        let key = splitmix64(splitmix64(splitmix64(seed) ^ run) ^ id.0);
        Stream { generator: Xoshiro256PlusPlus::seed_from_u64(key) }
    }

    /// A uniform number in the open interval (0, 1), with 53 random bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        #[cfg(test)]
        tally::add(tally::Kind::Uniform);
        ((self.generator.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal number (mean 0, sd 1).
    #[inline]
    pub fn normal(&mut self) -> f64 {
        #[cfg(test)]
        tally::add(tally::Kind::Normal);
        StandardNormal.sample(&mut self.generator)
    }

    /// A standard exponential number (mean 1).
    #[inline]
    pub fn exponential(&mut self) -> f64 {
        #[cfg(test)]
        tally::add(tally::Kind::Exponential);
        Exp1.sample(&mut self.generator)
    }

    /// The number of failures before the first success in Bernoulli trials of probability `p`
    /// (geometric on 0, 1, 2, …), saturating at `u64::MAX`. `p ≥ 1` gives 0; `p ≤ 0` gives
    /// `u64::MAX` (never). One uniform per call.
    #[inline]
    pub fn failures_before_success(&mut self, p: f64) -> u64 {
        if p.is_nan() {
            self.uniform();
            return u64::MAX;
        }
        self.failures_given_log_failure((-p).ln_1p())
    }

    /// [`Stream::failures_before_success`] for a probability p given as ln(1 − p) (≤ 0), which a
    /// caller drawing many times with the same p computes once. One uniform per call.
    #[inline]
    pub fn failures_given_log_failure(&mut self, log_failure: f64) -> u64 {
        #[cfg(test)]
        tally::add(tally::Kind::Geometric);
        let u = self.uniform();
        if log_failure >= 0.0 || log_failure.is_nan() {
            return u64::MAX;
        }
        // ln u / ln(1 − p) ≥ 0; the float-to-integer cast truncates (a floor here) and saturates.
        (u.ln() / log_failure) as u64
    }
}

/// A test-only tally of the draws made on this thread, by kind: what the draw-floor bench
/// (`benches/common/draws.rs`) must generate. Compiled out of every non-test build.
#[cfg(test)]
pub(crate) mod tally {
    use std::cell::Cell;

    /// What is counted.
    #[derive(Debug, Clone, Copy)]
    pub(crate) enum Kind {
        /// A stream keyed.
        Stream,
        /// A uniform (also the one inside each geometric draw).
        Uniform,
        /// A standard normal.
        Normal,
        /// A standard exponential.
        Exponential,
        /// A geometric draw.
        Geometric,
    }

    thread_local! {
        static COUNTS: Cell<[u64; 5]> = const { Cell::new([0; 5]) };
    }

    pub(crate) fn add(kind: Kind) {
        COUNTS.with(|counts| {
            let mut all = counts.get();
            all[kind as usize] += 1;
            counts.set(all);
        });
    }

    /// The counts on this thread since the last call, in the order of [`Kind`]; resets them.
    pub(crate) fn take() -> [u64; 5] {
        COUNTS.with(|counts| counts.replace([0; 5]))
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// SplitMix64's output function: a bijective mix of 64 bits.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let id = StreamId::new("driver", "turkey_guarantee_credibility");
        let mut a = Stream::new(7, 3, id);
        let mut b = Stream::new(7, 3, id);
        let xs: Vec<f64> = (0..5).map(|_| a.uniform()).collect();
        let ys: Vec<f64> = (0..5).map(|_| b.uniform()).collect();
        assert_eq!(xs, ys);
        let mut other_run = Stream::new(7, 4, id);
        let mut other_name = Stream::new(7, 3, StreamId::new("driver", "turkey"));
        let mut other_purpose = Stream::new(7, 3, StreamId::new("event", "turkey_guarantee_credibility"));
        assert_ne!(xs[0], other_run.uniform());
        assert_ne!(xs[0], other_name.uniform());
        assert_ne!(xs[0], other_purpose.uniform());
    }

    #[test]
    fn stream_values_are_pinned() {
        // The key derivation is part of the output contract: a change here changes every result.
        let mut s = Stream::new(20240101, 0, StreamId::new("driver", "russia_war_exit"));
        let values = [s.uniform(), s.uniform(), s.uniform()];
        assert_eq!(values.map(f64::to_bits), [4604150227622733432, 4593922374537983846, 4599620059224618667]);
    }

    #[test]
    fn uniform_is_open_and_geometric_has_its_mean() {
        let mut s = Stream::new(1, 0, StreamId::new("population", "p"));
        let n = 200_000;
        let mut total = 0.0;
        for _ in 0..n {
            let u = s.uniform();
            assert!(u > 0.0 && u < 1.0);
            total += s.failures_before_success(0.2) as f64;
        }
        // Geometric(0.2) failures: mean 4, variance 20; z = 5 on the MC error of the mean.
        let mean = total / n as f64;
        let tolerance = 5.0 * (20.0f64 / n as f64).sqrt();
        assert!((mean - 4.0).abs() < tolerance, "mean {mean}");
        assert_eq!(s.failures_before_success(1.0), 0);
        assert_eq!(s.failures_before_success(0.0), u64::MAX);
    }
}
