//! Accumulators, merging and summaries (DESIGN.md §4): Monte Carlo standard errors, Wilson 95%
//! intervals, exact quantiles over the kept per-run values, deterministic histograms, monthly
//! bands of series; driver importance (Spearman rank correlations with intervals) and driver effects
//! (the outcome by driver bin, and the swing between bins).

pub mod codec;
pub mod correlations;
pub mod describe;
pub mod effects;
pub mod evidence;
pub mod exact_sum;
pub mod experiment;
pub mod moments;
pub mod morris;
pub mod paired;
pub mod precision;
pub mod prim;
pub mod sensitivity;
pub mod sketch;
pub mod sobol;
pub mod summarize;
pub mod summary;
pub mod tally;

pub use effects::{BinEffect, BinLabel, DriverSwing, EffectSums, Effects, OutcomeEffects, effects};
pub use moments::Moments;
pub use sensitivity::{Correlation, DriverEffect, OutcomeDrivers, Sensitivity, sensitivity};
pub use summarize::{summarize, summarize_tally};
pub use summary::*;
pub use tally::{EXACT_RUNS, Layout, Tally};
