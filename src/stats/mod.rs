//! Accumulators, merging and summaries (DESIGN.md §4).

pub mod summary;

pub use summary::*;
