//! The compiled model and one run's world (DESIGN.md §2.4–§2.8, §3).
//!
//! [`Model::compile`] turns a validated scenario into indices; [`World`] simulates one run of it.
//! The model never prints, touches files or knows about threads.
//!
//! # Decisions where DESIGN.md is silent
//!
//! * **Month order and what terms see.** Each month runs the steps of DESIGN.md §3 in order; a
//!   step's terms read the state left by the steps before it in the same month (an agreement
//!   signed this month counts for this month's returns). Within a step every item is updated
//!   simultaneously from the same state: all hazard events draw from the state after the
//!   scheduled events fired; all variables update from the state after the month's effects; all
//!   agreements draw after all rounds; all populations decide after all flights.
//! * **Events.** A scheduled event fires in month ⌊driver value⌋ (the month that contains that
//!   point in time, the same rounding as `after(driver)`, which is 1 from month ⌊value⌋ on); a
//!   value before the start fires in month 0, one at or beyond the horizon never fires. A hazard
//!   event does not fire again while it is active (a new episode starts only after the last one
//!   ended); `once` events fire at most once. Probability 0 never fires and 1 always fires,
//!   whatever the links (logit(0) = −∞, logit(1) = +∞). Each hazard event draws one uniform every
//!   month whether or not it can fire, which keeps common random numbers aligned.
//! * **Effects** apply in file order of events, then of effects, each followed by the variable's
//!   clamp to [min, max].
//! * **Bargaining.** An issue with `every = k` has rounds in months 0, k, 2k, … until it is
//!   agreed. Capabilities, saliences and positions bound to a variable are read at the start of
//!   each round (a variable-bound position is reset to the variable then). Drawn positions are
//!   clamped to the scale and saliences to [0, 1]; negative capabilities count as 0.
//!   `forecast(issue)` is the forecast after the latest round (before the first: at the initial
//!   positions). Agreements are drawn every month (not only in round months), after the rounds.
//! * **Undefined terms.** `first(e)` is undefined until e fires: an outcome of it is undefined in
//!   that run (counted apart); in a link it contributes 0.
//! * **Windows.** `count(e, from, to)` counts the months of the window in which e fired (a month
//!   counts once: an event fires at most once a month); before `to` it counts the months so far,
//!   and before `from` it is 0.
//! * **Outcomes** are measured at the end of their month: the last month (horizon − 1) unless
//!   `at` names another; series record the end of every month 0 … horizon − 1.
//! * **Populations.** Flights happen first (only in a month the `flee.on` event fires, not while
//!   it stays active); an agent that fled may decide to return in the same month like every other
//!   displaced agent. home_share in U(t) is the share after the month's flights. Agents at home
//!   at the start are a uniformly random subset.

// The month-step hot loops index by positions that `Model::compile` derived from the same lists
// (and `World::new` sized the buffers by): checked `get` there would cost time for no safety.
// Everywhere else, clippy denies indexing (Cargo.toml `[lints]`).
#[allow(clippy::indexing_slicing, reason = "hot loops over compiled indices")]
pub mod bargaining;
pub mod compile;
pub mod copula;
pub mod evidence;
#[allow(clippy::indexing_slicing, reason = "hot loops over compiled indices")]
pub mod population;
#[allow(clippy::indexing_slicing, reason = "hot loops over compiled indices")]
pub mod quantile;
pub mod streams;
#[allow(clippy::indexing_slicing, reason = "hot loops over compiled indices")]
pub mod term;
pub mod trace;
#[allow(clippy::indexing_slicing, reason = "hot loops over compiled indices")]
pub mod world;

pub use compile::{CompileError, Model, PositionScale};
pub use evidence::{EvidenceSpec, Likelihood};
pub use term::OutcomeKind;
pub use trace::{BargainTrace, Round};
pub use world::{Fault, RunValues, Site, State, World};

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
