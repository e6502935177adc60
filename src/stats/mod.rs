//! Accumulators, merging and summaries (DESIGN.md §4): Monte Carlo standard errors, Wilson 95%
//! intervals, exact quantiles over the kept per-run values, deterministic histograms, monthly
//! bands of series.

pub mod describe;
pub mod moments;
pub mod paired;
pub mod summarize;
pub mod summary;

pub use moments::Moments;
pub use summarize::summarize;
pub use summary::*;
