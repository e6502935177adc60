//! Scenario files: the TOML schema, `extends` and `--set`, validation with diagnostics, the
//! distribution catalogue and the term language (DESIGN.md §2).
//!
//! [`load_file`] and [`load_str`] turn a file (with its `extends` parents and `--set` overrides)
//! into a valid [`Scenario`] or a [`LoadError`] holding every problem found, each at its file, line
//! and column with a help line. [`register`] lists the assumptions for `crossroads check` and the
//! report.

pub mod calendar;
pub mod citation;
pub mod correlation;
mod decode;
pub mod diagnostic;
pub mod diff;
pub mod distribution;
pub mod json_schema;
mod keys;
mod load;
pub mod register;
pub mod schema;
mod source;
pub mod term;
mod term_parser;

pub use calendar::YearMonth;
pub use citation::{Citation, SourceEntry, SourcesPage, citations};
pub use decode::{DEFAULT_CONCESSION, DEFAULT_RUNS, DEFAULT_SEED, MAX_RUNS, MAX_TOTAL_AGENTS};
pub use diagnostic::{Diagnostic, LoadError, Location};
pub use diff::{AssumptionChange, Change, KeyChange, assumption_changes};
pub use distribution::Distribution;
pub use load::{Loaded, Prepared, load_file, load_str};
pub use register::{
    RegisterEntry, describe, register, render_correlations, render_register, render_register_to_width,
};
pub use schema::*;
pub use term::{Factor, Function, OutcomeKind, Term, Window};
