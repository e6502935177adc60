//! crossroads: a scenario simulation engine.
//!
//! An analyst writes a situation's assumptions in a TOML file; crossroads runs many Monte Carlo
//! replications of an agent-based model of it, month by month, and reports the distribution of
//! every outcome with its Monte Carlo error, as numbers, charts and a report.
//!
//! The modules follow the data flow (see ARCHITECTURE.md):
//! [`scenario`] (file → validated `Scenario`) → [`model`] (compiled `Model`, one run's `World`) →
//! [`engine`] (replications in chunks, in parallel) → [`stats`] (accumulators, summaries) →
//! [`report`] (JSON, CSV, charts, HTML). [`cli`] is the command line only.

pub mod cli;
pub mod engine;
pub mod format;
pub mod model;
pub mod report;
pub mod scenario;
pub mod stats;

/// crossroads' version, as recorded in every output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
