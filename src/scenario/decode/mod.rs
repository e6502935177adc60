//! Decoding the merged source tree into a valid [`Scenario`], collecting every problem in one go.
//!
//! Each check reports at the offending key or value with a help line; decoding goes on after a
//! problem so that one run of `crossroads check` shows all of them.
//!
//! One [`Decoder`] walks the tree; its methods live in files by subject, each its own `impl` block:
//! - [`read`]: generic readers (tables, strings, numbers in a range, months, keys) and the small
//!   helpers every section uses (an assumption's table, an optional key with a default);
//! - [`distribution`]: the distribution forms and their parameters;
//! - [`names`]: the shared namespace of terms, and resolving a term's names;
//! - one file per section: [`meta`] (`[scenario]`), [`drivers`] (drivers and variables), [`events`],
//!   [`issues`] (actors and issues), [`populations`], [`outcomes`], [`evidence`],
//!   [`correlations`] and [`experiment`].

mod correlations;
mod distribution;
mod drivers;
mod events;
mod evidence;
mod experiment;
mod issues;
mod meta;
mod names;
mod outcomes;
mod populations;
mod read;

use std::collections::BTreeMap;

use super::diagnostic::Problem;
use super::load::SECTIONS;
use super::schema::{Actor, Driver, Event, Evidence, Issue, Outcome, Population, Scenario, Variable};
use super::source::{Entry, Sources, Span, Table, Value};
use names::Kind;

/// Categorical weights must sum to 1 within this.
const WEIGHT_TOLERANCE: f64 = 1e-9;
/// Longest horizon, in months (a century).
const MAX_HORIZON: i64 = 1200;
/// Most agents a population may have.
const MAX_AGENTS: i64 = 10_000_000;
/// Most agents of all populations together: every worker thread holds one run's agents (a
/// threshold and a bit each, about 8.1 bytes), so 20 million agents are about 160 MB a thread.
pub const MAX_TOTAL_AGENTS: i64 = 20_000_000;
/// Most runs a scenario may ask for: a billion runs of even a small scenario take days, and the
/// Monte Carlo error shrinks only as 1/√runs.
pub const MAX_RUNS: u64 = 1_000_000_000;
/// Default number of replications when `[scenario]` has no `runs`.
pub const DEFAULT_RUNS: u64 = 1000;
/// Default seed when `[scenario]` has no `seed`.
pub const DEFAULT_SEED: u64 = 1;
/// Default share of the way to the forecast a `compromise` actor moves per round, before salience.
pub const DEFAULT_CONCESSION: f64 = 0.2;

const FORM_EXAMPLES: &str = "`fixed = 0.4`, `uniform = { min = 0.2, max = 0.6 }`, `normal = { mean = 0, sd = 1 }`, \
`lognormal = { p5 = 10, p95 = 40 }`, `beta = { alpha = 8, beta = 3 }`, `triangular = { min = 6, mode = 30, max = 96 }`, \
`pert = { min, mode, max }`, `bernoulli = 0.3`, `categorical = { a = 0.6, b = 0.4 }` or `poisson = { mean = 3 }`";

/// Decodes a merged source tree into a scenario, or returns every problem found.
/// `file` is the source of the scenario itself (for problems of the file as a whole).
pub(crate) fn decode(root: &Table, sources: &Sources, file: usize) -> Result<Scenario, Vec<Problem>> {
    let mut decoder =
        Decoder { sources, file, problems: Vec::new(), names: BTreeMap::new(), horizon: None, agents: 0 };
    let scenario = decoder.scenario(root);
    match scenario {
        Some(scenario) if decoder.problems.is_empty() => Ok(scenario),
        _ if decoder.problems.is_empty() => {
            Err(vec![Problem::nowhere("the scenario could not be read (no detail was recorded)")])
        }
        _ => Err(decoder.problems),
    }
}

struct Decoder<'s> {
    sources: &'s Sources,
    /// The scenario's own source.
    file: usize,
    problems: Vec<Problem>,
    /// Every name of the term namespace, with its kind and where it was defined.
    names: BTreeMap<String, (Kind, Span)>,
    /// The horizon in months, once known.
    horizon: Option<u32>,
    /// Agents of the populations decoded so far (checked against [`MAX_TOTAL_AGENTS`]).
    agents: i64,
}

/// A section's entries: (name, key span, node).
type Items<'a> = Vec<&'a Entry>;

impl<'s> Decoder<'s> {
    fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn error(
        &mut self,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.push(Problem::error(message, span, label).help(help));
    }

    // ----- the whole file -----

    fn scenario(&mut self, root: &Table) -> Option<Scenario> {
        self.check_keys(root, &SECTIONS, "top-level sections");
        let meta_entry = root.get("scenario");
        let meta = match meta_entry {
            Some(entry) => self.meta(entry),
            None => {
                let help =
                    "start the file with [scenario] and its name, title, start, horizon, runs and seed";
                let message = "the scenario has no `[scenario]` table";
                let problem = match root.entries.first() {
                    Some(first) => Problem::error(message, first.key_span, "expected [scenario] before this"),
                    None => Problem::error(message, Span { file: self.file, start: 0, end: 0 }, "empty file"),
                };
                self.push(problem.help(help));
                None
            }
        };
        let drivers_section = self.section(root, "drivers");
        let variables_section = self.section(root, "variables");
        let events_section = self.section(root, "events");
        let actors_section = self.section(root, "actors");
        let issues_section = self.section(root, "issues");
        let populations_section = self.section(root, "populations");
        let outcomes_section = self.section(root, "outcomes");
        let evidence_section = self.section(root, "evidence");

        let drivers: Vec<Driver> = drivers_section.iter().filter_map(|e| self.driver(e)).collect();
        self.declare_names(
            &drivers_section,
            &variables_section,
            &events_section,
            &actors_section,
            &issues_section,
            &populations_section,
        );
        for entry in &outcomes_section {
            self.check_name(entry, "outcome");
        }
        for entry in &evidence_section {
            self.check_name(entry, "evidence");
        }
        let variables: Vec<Variable> = variables_section.iter().filter_map(|e| self.variable(e)).collect();
        let events: Vec<Event> = events_section.iter().filter_map(|e| self.event(e)).collect();
        let actors: Vec<Actor> = actors_section.iter().filter_map(|e| self.actor(e)).collect();
        let issues: Vec<Issue> = issues_section.iter().filter_map(|e| self.issue(e)).collect();
        let populations: Vec<Population> =
            populations_section.iter().filter_map(|e| self.population(e)).collect();
        let outcomes: Vec<Outcome> =
            outcomes_section.iter().filter_map(|e| self.outcome(e, meta.as_ref())).collect();
        let correlations = self.correlations(root.get("correlations"), &drivers);
        let evidence: Vec<Evidence> =
            evidence_section.iter().filter_map(|e| self.evidence(e, meta.as_ref(), &drivers)).collect();
        let experiment = root.get("experiment").and_then(|entry| self.experiment(entry, root));
        Some(Scenario {
            meta: meta?,
            drivers,
            variables,
            events,
            actors,
            issues,
            populations,
            outcomes,
            correlations: correlations?,
            evidence,
            experiment,
        })
    }

    /// The entries of a top-level section (empty when absent or not a table).
    fn section<'a>(&mut self, root: &'a Table, name: &str) -> Items<'a> {
        let Some(entry) = root.get(name) else { return Vec::new() };
        match &entry.node.value {
            Value::Table(table) => table.entries.iter().collect(),
            other => {
                let kind = other.kind();
                self.error(
                    entry.node.span,
                    format!("`{name}` must be a section of tables, found {kind}"),
                    "not a table",
                    format!("write each entry as its own table, e.g. [{name}.some_name]"),
                );
                Vec::new()
            }
        }
    }
}

/// "in [lo, hi]", "≥ lo" or "≤ hi", for messages about a value's range.
fn range_text(lo: f64, hi: f64) -> String {
    let (open_low, open_high) = (lo <= f64::MIN, hi >= f64::MAX);
    match (open_low, open_high) {
        (false, true) => format!("≥ {}", num(lo)),
        (true, false) => format!("≤ {}", num(hi)),
        (true, true) => "a number".to_string(),
        (false, false) => format!("in [{}, {}]", num(lo), num(hi)),
    }
}

/// A number for messages: whole numbers without a decimal point, others to 6 significant digits.
pub(crate) fn num(x: f64) -> String {
    crate::format::significant(x, 6)
}

/// A number to 12 decimals (for sums that miss 1 by a little).
fn num_precise(x: f64) -> String {
    crate::format::precise(x)
}
