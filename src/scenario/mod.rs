//! Scenario files: the TOML schema, `extends` and `--set`, validation with diagnostics, the
//! distribution catalogue and the term language (DESIGN.md §2).

pub mod calendar;
pub mod distribution;
pub mod register;
pub mod schema;
pub mod term;

pub use calendar::YearMonth;
pub use distribution::Distribution;
pub use register::RegisterEntry;
pub use schema::*;
pub use term::{Factor, Term};
