//! The random draws one run of the bundled default scenario makes, by kind: the mean over runs
//! 0–999 of seed 20240101, rounded. A unit test (`model::tests::
//! a_default_run_makes_the_draws_the_floor_bench_generates`) counts them with the streams' test-only
//! tally and fails when they change; `benches/simulation.rs` generates exactly these draws to
//! measure the floor a run cannot beat without drawing less.

/// Draws of one run, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Draws {
    /// Streams keyed (`Stream::new`).
    pub streams: u64,
    /// Uniforms, including the one inside every geometric draw.
    pub uniform: u64,
    /// Standard normals.
    pub normal: u64,
    /// Standard exponentials.
    pub exponential: u64,
    /// Geometric draws (failures before a success): a uniform and a logarithm each.
    pub geometric: u64,
}

/// One default run (120 months).
pub const DEFAULT_RUN: Draws =
    Draws { streams: 63, uniform: 2048, normal: 753, exponential: 2002, geometric: 435 };
