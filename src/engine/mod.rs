//! Random streams, replications in fixed chunks, threads and progress (DESIGN.md §4).

pub mod stream;
