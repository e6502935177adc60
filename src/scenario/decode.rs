//! Decoding the merged source tree into a valid [`Scenario`], collecting every problem in one go.
//!
//! Each check reports at the offending key or value with a help line; decoding goes on after a
//! problem so that one run of `crossroads check` shows all of them.

use std::collections::BTreeMap;

use statrs::distribution::ContinuousCDF;

use super::calendar::YearMonth;
use super::diagnostic::{Problem, closest, suggestion};
use super::distribution::Distribution;
use super::load::{DISTRIBUTION_FORMS, SECTIONS};
use super::schema::*;
use super::source::{Entry, Node, Sources, Span, Table, Value, content_span};
use super::term::{Factor, Term};
use super::term_parser::{FUNCTIONS, RawFactor, Word, parse};

/// Categorical weights must sum to 1 within this.
const WEIGHT_TOLERANCE: f64 = 1e-9;
/// Longest horizon, in months (a century).
const MAX_HORIZON: i64 = 1200;
/// Most agents a population may have.
const MAX_AGENTS: i64 = 10_000_000;
/// Default number of replications when `[scenario]` has no `runs`.
pub const DEFAULT_RUNS: u64 = 1000;
/// Default seed when `[scenario]` has no `seed`.
pub const DEFAULT_SEED: u64 = 1;
/// Default share of the way to the forecast a `compromise` actor moves per round, before salience.
pub const DEFAULT_CONCESSION: f64 = 0.2;

const ABOUT: [&str; 3] = ["description", "unit", "source"];

const FORM_EXAMPLES: &str = "`fixed = 0.4`, `uniform = { min = 0.2, max = 0.6 }`, `normal = { mean = 0, sd = 1 }`, \
`lognormal = { p5 = 10, p95 = 40 }`, `beta = { alpha = 8, beta = 3 }`, `triangular = { min = 6, mode = 30, max = 96 }`, \
`pert = { min, mode, max }`, `bernoulli = 0.3`, `categorical = { a = 0.6, b = 0.4 }` or `poisson = { mean = 3 }`";

/// What a name in the shared namespace of terms is.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// A driver; `Some(outcomes)` when categorical.
    Driver(Option<Vec<String>>),
    Variable,
    Event,
    Actor,
    /// An issue; true when it has an agreement rule.
    Issue(bool),
    Population,
}

impl Kind {
    fn words(&self) -> &'static str {
        match self {
            Kind::Driver(None) => "a numeric driver",
            Kind::Driver(Some(_)) => "a categorical driver",
            Kind::Variable => "a variable",
            Kind::Event => "an event",
            Kind::Actor => "an actor",
            Kind::Issue(_) => "an issue",
            Kind::Population => "a population",
        }
    }

    fn section(&self) -> &'static str {
        match self {
            Kind::Driver(_) => "drivers",
            Kind::Variable => "variables",
            Kind::Event => "events",
            Kind::Actor => "actors",
            Kind::Issue(_) => "issues",
            Kind::Population => "populations",
        }
    }
}

/// The kinds a term position accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Wanted {
    /// A bare name: numeric driver, variable or event.
    Bare,
    CategoricalDriver,
    NumericDriver,
    Event,
    Issue,
    Population,
    Variable,
}

impl Wanted {
    fn accepts(self, kind: &Kind) -> bool {
        match self {
            Wanted::Bare => matches!(kind, Kind::Driver(None) | Kind::Variable | Kind::Event),
            Wanted::CategoricalDriver => matches!(kind, Kind::Driver(Some(_))),
            Wanted::NumericDriver => matches!(kind, Kind::Driver(None)),
            Wanted::Event => matches!(kind, Kind::Event),
            Wanted::Issue => matches!(kind, Kind::Issue(_)),
            Wanted::Population => matches!(kind, Kind::Population),
            Wanted::Variable => matches!(kind, Kind::Variable),
        }
    }

    fn words(self) -> &'static str {
        match self {
            Wanted::Bare => "numeric drivers, variables and events",
            Wanted::CategoricalDriver => "categorical drivers",
            Wanted::NumericDriver => "numeric drivers",
            Wanted::Event => "events",
            Wanted::Issue => "issues",
            Wanted::Population => "populations",
            Wanted::Variable => "variables",
        }
    }
}

/// Decodes a merged source tree into a scenario, or returns every problem found.
/// `file` is the source of the scenario itself (for problems of the file as a whole).
pub(crate) fn decode(root: &Table, sources: &Sources, file: usize) -> Result<Scenario, Vec<Problem>> {
    let mut decoder = Decoder { sources, file, problems: Vec::new(), names: BTreeMap::new(), horizon: None };
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
        let variables: Vec<Variable> = variables_section.iter().filter_map(|e| self.variable(e)).collect();
        let events: Vec<Event> = events_section.iter().filter_map(|e| self.event(e)).collect();
        let actors: Vec<Actor> = actors_section.iter().filter_map(|e| self.actor(e)).collect();
        let issues: Vec<Issue> = issues_section.iter().filter_map(|e| self.issue(e)).collect();
        let populations: Vec<Population> =
            populations_section.iter().filter_map(|e| self.population(e)).collect();
        let outcomes: Vec<Outcome> =
            outcomes_section.iter().filter_map(|e| self.outcome(e, meta.as_ref())).collect();
        Some(Scenario { meta: meta?, drivers, variables, events, actors, issues, populations, outcomes })
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

    /// Checks a name of an assumption: letters, digits, `_` and `-`, starting with a letter or `_`.
    fn check_name(&mut self, entry: &Entry, kind: &str) -> bool {
        let name = &entry.key;
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            self.error(
                entry.key_span,
                format!("`{name}` is not a valid {kind} name"),
                "invalid name",
                "names use letters, digits, `_` and `-`, and start with a letter, so that terms can refer to them",
            );
            return false;
        }
        if name == "month" && kind != "outcome" {
            self.error(
                entry.key_span,
                format!("`month` is reserved: it cannot name a {kind}"),
                "reserved",
                "in terms `month` means months since start; choose another name",
            );
            return false;
        }
        true
    }

    fn declare_names(
        &mut self,
        drivers: &Items<'_>,
        variables: &Items<'_>,
        events: &Items<'_>,
        actors: &Items<'_>,
        issues: &Items<'_>,
        populations: &Items<'_>,
    ) {
        let mut declared: Vec<(&Entry, Kind)> = Vec::new();
        for entry in drivers {
            // Kinds come from what is written, so a driver with a bad parameter still resolves.
            let categorical = match &entry.node.value {
                Value::Table(t) => t.get("categorical").map(|c| match &c.node.value {
                    Value::Table(outcomes) => outcomes.keys().map(str::to_string).collect(),
                    _ => Vec::new(),
                }),
                _ => None,
            };
            declared.push((entry, Kind::Driver(categorical)));
        }
        declared.extend(variables.iter().map(|e| (*e, Kind::Variable)));
        declared.extend(events.iter().map(|e| (*e, Kind::Event)));
        declared.extend(actors.iter().map(|e| (*e, Kind::Actor)));
        for entry in issues {
            let has_agreement = match &entry.node.value {
                Value::Table(t) => t.get("agreement").is_some(),
                _ => false,
            };
            declared.push((entry, Kind::Issue(has_agreement)));
        }
        declared.extend(populations.iter().map(|e| (*e, Kind::Population)));
        for (entry, kind) in declared {
            let singular = kind.words().trim_start_matches("a ").trim_start_matches("an ");
            let singular = singular.trim_start_matches("numeric ").trim_start_matches("categorical ");
            if !self.check_name(entry, singular) {
                continue;
            }
            if let Some((first_kind, first_span)) = self.names.get(&entry.key).cloned() {
                let mut problem = Problem::error(
                    format!(
                        "`{}` is both {} ([{}.{}]) and {} ([{}.{}])",
                        entry.key,
                        first_kind.words(),
                        first_kind.section(),
                        entry.key,
                        kind.words(),
                        kind.section(),
                        entry.key
                    ),
                    entry.key_span,
                    "second use of the name",
                )
                .help("drivers, variables, events, actors, issues and populations share one namespace in terms; rename one of them");
                if first_span.file == entry.key_span.file {
                    problem = problem.note(first_span, "first defined here");
                }
                self.push(problem);
                continue;
            }
            self.names.insert(entry.key.clone(), (kind, entry.key_span));
        }
    }

    // ----- generic value readers -----

    fn check_keys(&mut self, table: &Table, allowed: &[&str], what: &str) {
        for entry in &table.entries {
            if !allowed.contains(&entry.key.as_str()) {
                let help = suggestion(&entry.key, allowed, what);
                self.error(entry.key_span, format!("unknown key `{}`", entry.key), "unknown key", help);
            }
        }
    }

    fn table<'a>(&mut self, node: &'a Node, what: &str, example: &str) -> Option<&'a Table> {
        match &node.value {
            Value::Table(table) => Some(table),
            other => {
                let kind = other.kind();
                self.error(
                    node.span,
                    format!("{what} must be a table, found {kind}"),
                    "expected a table",
                    format!("write e.g. {example}"),
                );
                None
            }
        }
    }

    fn string<'a>(&mut self, node: &'a Node, what: &str) -> Option<&'a str> {
        match &node.value {
            Value::String(s) => Some(s),
            other => {
                let kind = other.kind();
                self.error(
                    node.span,
                    format!("{what} must be a string, found {kind}"),
                    "expected a string",
                    "put the text in double quotes",
                );
                None
            }
        }
    }

    fn optional_string(&mut self, table: &Table, key: &str, what: &str) -> Option<String> {
        let entry = table.get(key)?;
        self.string(&entry.node, &format!("{what}'s `{key}`")).map(str::to_string)
    }

    fn boolean(&mut self, node: &Node, what: &str) -> Option<bool> {
        match &node.value {
            Value::Boolean(b) => Some(*b),
            other => {
                let kind = other.kind();
                self.error(
                    node.span,
                    format!("{what} must be true or false, found {kind}"),
                    "expected true or false",
                    "write `true` or `false` without quotes",
                );
                None
            }
        }
    }

    /// A finite number (whole or decimal).
    fn number(&mut self, node: &Node, what: &str) -> Option<f64> {
        let value = self.number_or_infinite(node, what)?;
        if value.is_finite() {
            Some(value)
        } else {
            self.error(
                node.span,
                format!("{what} must be a finite number"),
                "not finite",
                "write an ordinary number here",
            );
            None
        }
    }

    /// A number that may be `inf` or `-inf` (bounds), never `nan`.
    fn number_or_infinite(&mut self, node: &Node, what: &str) -> Option<f64> {
        match &node.value {
            Value::Integer(i) => Some(*i as f64),
            Value::Float(f) if f.is_nan() => {
                self.error(
                    node.span,
                    format!("{what} is not a number (nan)"),
                    "nan",
                    "write an ordinary number here",
                );
                None
            }
            Value::Float(f) => Some(*f),
            Value::String(s) if s.trim().parse::<f64>().is_ok() => {
                let label = "a number in quotes";
                self.error(
                    node.span,
                    format!("{what} must be a number, found a string"),
                    label,
                    format!("remove the quotes: {}", s.trim()),
                );
                None
            }
            other => {
                let kind = other.kind();
                self.error(
                    node.span,
                    format!("{what} must be a number, found {kind}"),
                    "expected a number",
                    "write a number here, e.g. 0.5",
                );
                None
            }
        }
    }

    /// A number within [lo, hi].
    fn number_in(&mut self, node: &Node, what: &str, lo: f64, hi: f64) -> Option<f64> {
        let value = self.number(node, what)?;
        if value < lo || value > hi {
            self.error(
                node.span,
                format!("{what} must be {}, found {}", range_text(lo, hi), num(value)),
                "out of range",
                format!("use a value {}", range_text(lo, hi)),
            );
            return None;
        }
        Some(value)
    }

    fn probability(&mut self, node: &Node, what: &str) -> Option<f64> {
        self.number_in(node, what, 0.0, 1.0)
    }

    /// A whole number within [lo, hi].
    fn whole(&mut self, node: &Node, what: &str, lo: i64, hi: i64) -> Option<i64> {
        let range = if hi == i64::MAX { format!("{lo} or more") } else { format!("from {lo} to {hi}") };
        let value = match &node.value {
            Value::Integer(i) => *i,
            Value::Float(f) if f.fract() == 0.0 && f.is_finite() => {
                self.error(
                    node.span,
                    format!("{what} must be a whole number"),
                    "a decimal number",
                    format!("write it without the decimal point: {}", *f as i64),
                );
                return None;
            }
            other => {
                let kind = other.kind();
                self.error(
                    node.span,
                    format!("{what} must be a whole number, found {kind}"),
                    "expected a whole number",
                    format!("write a whole number {range}"),
                );
                return None;
            }
        };
        if value < lo || value > hi {
            self.error(
                node.span,
                format!("{what} must be {range}, found {value}"),
                "out of range",
                format!("write a whole number {range}"),
            );
            return None;
        }
        Some(value)
    }

    fn about(&mut self, table: &Table, what: &str) -> About {
        About {
            description: self.optional_string(table, "description", what),
            unit: self.optional_string(table, "unit", what),
            source: self.optional_string(table, "source", what),
        }
    }

    fn required<'a>(
        &mut self,
        table: &'a Table,
        key: &str,
        owner: Span,
        what: &str,
        example: &str,
    ) -> Option<&'a Node> {
        match table.get(key) {
            Some(entry) => Some(&entry.node),
            None => {
                self.error(
                    owner,
                    format!("{what} has no `{key}`"),
                    format!("`{key}` missing"),
                    format!("add e.g. `{example}`"),
                );
                None
            }
        }
    }

    // ----- [scenario] -----

    fn meta(&mut self, entry: &Entry) -> Option<Meta> {
        let table = self.table(&entry.node, "`[scenario]`", "[scenario] with name = \"…\"")?;
        let allowed = ["name", "title", "description", "start", "horizon", "runs", "seed", "extends"];
        self.check_keys(table, &allowed, "keys of [scenario]");
        let owner = entry.key_span;
        let name = self.required(table, "name", owner, "[scenario]", "name = \"my_scenario\"").and_then(|node| {
            let name = self.string(node, "the scenario's `name`")?;
            let valid = !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
            if !valid {
                let fixed: String = name
                    .to_lowercase()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
                    .collect();
                self.error(
                    node.span,
                    format!("the scenario's `name` must use only a-z, 0-9, `_` and `-`, found {name:?}"),
                    "invalid name",
                    format!("it names the output folder; write e.g. name = \"{fixed}\" and put free text in `title`"),
                );
                return None;
            }
            Some(name.to_string())
        });
        let title = self.optional_string(table, "title", "[scenario]");
        let description = self.optional_string(table, "description", "[scenario]");
        let start = self
            .required(table, "start", owner, "[scenario]", "start = \"2024-01\"")
            .and_then(|node| self.year_month(node, "`start`"));
        let horizon = self
            .required(table, "horizon", owner, "[scenario]", "horizon = 120")
            .and_then(|node| self.whole(node, "`horizon` (months)", 1, MAX_HORIZON))
            .map(|h| h as u32);
        self.horizon = horizon;
        let runs = match table.get("runs") {
            Some(e) => self.whole(&e.node, "`runs`", 1, i64::MAX).map(|r| r as u64),
            None => Some(DEFAULT_RUNS),
        };
        let seed = match table.get("seed") {
            Some(e) => self.whole(&e.node, "`seed`", 0, i64::MAX).map(|s| s as u64),
            None => Some(DEFAULT_SEED),
        };
        if let Some(e) = table.get("extends") {
            self.string(&e.node, "`extends`");
        }
        let name = name?;
        Some(Meta {
            title: title.unwrap_or_else(|| name.clone()),
            name,
            description,
            start: start?,
            horizon: horizon?,
            runs: runs?,
            seed: seed?,
        })
    }

    fn year_month(&mut self, node: &Node, what: &str) -> Option<YearMonth> {
        let help = "write the month in quotes as \"YYYY-MM\", e.g. \"2024-01\"";
        match &node.value {
            Value::String(s) => match YearMonth::parse(s.trim()) {
                Some(month) => Some(month),
                None => {
                    self.error(
                        node.span,
                        format!("{what} must be a month written YYYY-MM, found {s:?}"),
                        "not YYYY-MM",
                        help,
                    );
                    None
                }
            },
            other => {
                let kind = other.kind();
                self.error(
                    node.span,
                    format!("{what} must be a month in quotes (YYYY-MM), found {kind}"),
                    "not a \"YYYY-MM\" string",
                    help,
                );
                None
            }
        }
    }

    // ----- distributions -----

    /// A value that is a number (fixed) or a table holding one distribution form.
    fn distribution_value(&mut self, node: &Node, what: &str) -> Option<Distribution> {
        match &node.value {
            Value::Integer(_) | Value::Float(_) => self.number(node, what).map(Distribution::Fixed),
            Value::Table(table) => {
                self.check_keys(table, &DISTRIBUTION_FORMS, "distributions");
                self.distribution_in(table, node.span, what)
            }
            other => {
                let kind = other.kind();
                self.error(
                    node.span,
                    format!("{what} must be a number or a distribution, found {kind}"),
                    "expected a number or a distribution",
                    "write a number, or a table with one distribution, e.g. { beta = { alpha = 8, beta = 3 } }",
                );
                None
            }
        }
    }

    /// The one distribution form among a table's keys.
    fn distribution_in(&mut self, table: &Table, owner: Span, what: &str) -> Option<Distribution> {
        let forms: Vec<&Entry> =
            table.entries.iter().filter(|e| DISTRIBUTION_FORMS.contains(&e.key.as_str())).collect();
        match forms.as_slice() {
            [] if table.keys().any(|k| closest(k, DISTRIBUTION_FORMS).is_some()) => {
                // A misspelt form was already reported as an unknown key with its correction.
                None
            }
            [] => {
                self.error(
                    owner,
                    format!("{what} has no distribution"),
                    "no distribution",
                    format!("add one of {FORM_EXAMPLES}"),
                );
                None
            }
            [form] => self.form(form, what),
            [first, second, ..] => {
                let problem = Problem::error(
                    format!("{what} has two distributions, `{}` and `{}`", first.key, second.key),
                    second.key_span,
                    "second distribution",
                )
                .note(first.key_span, "first distribution")
                .help("keep exactly one distribution form");
                self.push(problem);
                None
            }
        }
    }

    /// Reads a distribution's parameter table: every key must be one of `keys`; returns the values
    /// present, in the order of `keys`.
    fn params(
        &mut self,
        node: &Node,
        form: &str,
        keys: &[&str],
        example: &str,
    ) -> Option<Vec<Option<(f64, Span)>>> {
        let Value::Table(table) = &node.value else {
            let kind = node.value.kind();
            self.error(
                node.span,
                format!("`{form}` takes a table of parameters, found {kind}"),
                "expected a table",
                format!("write e.g. {example}"),
            );
            return None;
        };
        self.check_keys(table, keys, &format!("parameters of `{form}`"));
        let mut values = Vec::with_capacity(keys.len());
        let mut ok = true;
        for key in keys {
            match table.get(key) {
                Some(entry) => {
                    let allow_infinite = form == "normal" && (*key == "min" || *key == "max");
                    let value = if allow_infinite {
                        self.number_or_infinite(&entry.node, &format!("`{form}` {key}"))
                    } else {
                        self.number(&entry.node, &format!("`{form}` {key}"))
                    };
                    ok &= value.is_some();
                    values.push(value.map(|v| (v, entry.node.span)));
                }
                None => values.push(None),
            }
        }
        if table.entries.iter().any(|e| !keys.contains(&e.key.as_str())) {
            ok = false;
        }
        ok.then_some(values)
    }

    fn missing_params(&mut self, node: &Node, form: &str, missing: &[&str], example: &str) {
        let list: Vec<String> = missing.iter().map(|k| format!("`{k}`")).collect();
        self.error(
            node.span,
            format!("`{form}` needs {}", list.join(" and ")),
            "missing parameters",
            format!("write e.g. {example}"),
        );
    }

    fn form(&mut self, entry: &Entry, what: &str) -> Option<Distribution> {
        let node = &entry.node;
        let form = entry.key.as_str();
        match form {
            "fixed" => self.number(node, &format!("{what}'s fixed value")).map(Distribution::Fixed),
            "bernoulli" => self.probability(node, "`bernoulli` probability").map(Distribution::Bernoulli),
            "uniform" => {
                let example = "uniform = { min = 0.2, max = 0.6 }";
                let p = self.params(node, form, &["min", "max"], example)?;
                let [Some((min, _)), Some((max, max_span))] = p[..] else {
                    return self.missing(node, form, &p, &["min", "max"], example);
                };
                self.ordered(min, max, max_span, form)?;
                Some(Distribution::Uniform { min, max })
            }
            "normal" => {
                let example = "normal = { mean = 0, sd = 1 } (optional min and max truncate it)";
                let p = self.params(node, form, &["mean", "sd", "min", "max"], example)?;
                let [Some((mean, _)), Some((sd, sd_span)), min, max] = p[..] else {
                    return self.missing(node, form, &p[..2], &["mean", "sd"], example);
                };
                if sd <= 0.0 {
                    self.error(
                        sd_span,
                        format!("`normal` sd must be > 0, found {}", num(sd)),
                        "sd ≤ 0",
                        "a standard deviation is positive; for a constant write `fixed = …`",
                    );
                    return None;
                }
                let lo = min.map_or(f64::NEG_INFINITY, |m| m.0);
                let hi = max.map_or(f64::INFINITY, |m| m.0);
                if let Some((hi_value, hi_span)) = max {
                    self.ordered(lo, hi_value, hi_span, form)?;
                }
                let unit = statrs::distribution::Normal::standard();
                let mass = unit.cdf((hi - mean) / sd) - unit.cdf((lo - mean) / sd);
                if mass.is_nan() || mass <= 1e-12 {
                    self.error(
                        node.span,
                        format!("`normal` truncated to [{}, {}] leaves no probability", num(lo), num(hi)),
                        "empty truncation",
                        "move `min`/`max` to surround the mean, or move the mean",
                    );
                    return None;
                }
                let d = Distribution::Normal { mean, sd, min: lo, max: hi };
                Some(d)
            }
            "lognormal" => {
                let example = "lognormal = { p5 = 10, p95 = 40 } or lognormal = { mu = 2.5, sigma = 0.4 }";
                let p = self.params(node, form, &["p5", "p95", "mu", "sigma"], example)?;
                match p[..] {
                    [Some((p5, p5_span)), Some((p95, p95_span)), None, None] => {
                        if p5 <= 0.0 {
                            self.error(
                                p5_span,
                                format!("`lognormal` p5 must be > 0, found {}", num(p5)),
                                "≤ 0",
                                "a lognormal quantity is positive; give its 5th percentile above 0",
                            );
                            return None;
                        }
                        if p5 >= p95 {
                            self.error(
                                p95_span,
                                format!(
                                    "`lognormal` p95 must exceed p5, found p5 = {}, p95 = {}",
                                    num(p5),
                                    num(p95)
                                ),
                                "not above p5",
                                "p5 and p95 are the 5th and 95th percentiles: p5 < p95",
                            );
                            return None;
                        }
                        Some(Distribution::lognormal_from_interval(p5, p95))
                    }
                    [None, None, Some((mu, _)), Some((sigma, sigma_span))] => {
                        if sigma <= 0.0 {
                            self.error(
                                sigma_span,
                                format!("`lognormal` sigma must be > 0, found {}", num(sigma)),
                                "σ ≤ 0",
                                "sigma is the sd of ln X: positive",
                            );
                            return None;
                        }
                        Some(Distribution::LogNormal { mu, sigma })
                    }
                    _ => {
                        self.error(
                            node.span,
                            "`lognormal` takes either { p5, p95 } or { mu, sigma }",
                            "wrong parameters",
                            format!("write {example}"),
                        );
                        None
                    }
                }
            }
            "beta" => {
                let example = "beta = { alpha = 8, beta = 3 } or beta = { mean = 0.7, sd = 0.1 }";
                let p = self.params(node, form, &["alpha", "beta", "mean", "sd"], example)?;
                match p[..] {
                    [Some((alpha, alpha_span)), Some((beta, beta_span)), None, None] => {
                        let mut ok = true;
                        for (name, value, span) in
                            [("α (alpha)", alpha, alpha_span), ("β (beta)", beta, beta_span)]
                        {
                            if value <= 0.0 {
                                self.error(
                                    span,
                                    format!("`beta` {name} must be > 0, found {}", num(value)),
                                    "must be > 0",
                                    "beta shape parameters are positive, e.g. alpha = 8, beta = 3",
                                );
                                ok = false;
                            }
                        }
                        ok.then_some(Distribution::Beta { alpha, beta })
                    }
                    [None, None, Some((mean, mean_span)), Some((sd, sd_span))] => {
                        if mean <= 0.0 || mean >= 1.0 {
                            self.error(
                                mean_span,
                                format!("`beta` mean must lie strictly between 0 and 1, found {}", num(mean)),
                                "outside (0, 1)",
                                "a beta distribution lives on [0, 1]",
                            );
                            return None;
                        }
                        let limit = (mean * (1.0 - mean)).sqrt();
                        if sd <= 0.0 || sd >= limit {
                            self.error(
                                sd_span,
                                format!("no beta distribution has mean {} and sd {}", num(mean), num(sd)),
                                "impossible sd",
                                format!("with mean {}, sd must lie in (0, {})", num(mean), num(limit)),
                            );
                            return None;
                        }
                        Some(Distribution::beta_from_moments(mean, sd))
                    }
                    _ => {
                        self.error(
                            node.span,
                            "`beta` takes either { alpha, beta } or { mean, sd }",
                            "wrong parameters",
                            format!("write {example}"),
                        );
                        None
                    }
                }
            }
            "triangular" | "pert" => {
                let example = format!("{form} = {{ min = 6, mode = 30, max = 96 }}");
                let p = self.params(node, form, &["min", "mode", "max"], &example)?;
                let [Some((min, _)), Some((mode, mode_span)), Some((max, max_span))] = p[..] else {
                    return self.missing(node, form, &p, &["min", "mode", "max"], &example);
                };
                if min >= max {
                    self.error(
                        max_span,
                        format!("`{form}` max must exceed min, found min = {}, max = {}", num(min), num(max)),
                        "not above min",
                        "min < max; for a constant write `fixed = …`",
                    );
                    return None;
                }
                if mode < min || mode > max {
                    self.error(
                        mode_span,
                        format!(
                            "`{form}` mode {} lies outside [min, max] = [{}, {}]",
                            num(mode),
                            num(min),
                            num(max)
                        ),
                        "outside [min, max]",
                        "the mode is the most likely value: min ≤ mode ≤ max",
                    );
                    return None;
                }
                Some(if form == "pert" {
                    Distribution::Pert { min, mode, max }
                } else {
                    Distribution::Triangular { min, mode, max }
                })
            }
            "poisson" => {
                let example = "poisson = { mean = 3 }";
                let p = self.params(node, form, &["mean"], example)?;
                let [Some((mean, span))] = p[..] else {
                    return self.missing(node, form, &p, &["mean"], example);
                };
                if mean <= 0.0 {
                    self.error(
                        span,
                        format!("`poisson` mean must be > 0, found {}", num(mean)),
                        "must be > 0",
                        "a Poisson count has a positive mean; for 0 write `fixed = 0`",
                    );
                    return None;
                }
                Some(Distribution::Poisson { mean })
            }
            "categorical" => self.categorical(node),
            _ => None,
        }
    }

    fn missing(
        &mut self,
        node: &Node,
        form: &str,
        present: &[Option<(f64, Span)>],
        keys: &[&str],
        example: &str,
    ) -> Option<Distribution> {
        let missing: Vec<&str> =
            keys.iter().zip(present).filter(|(_, v)| v.is_none()).map(|(k, _)| *k).collect();
        self.missing_params(node, form, &missing, example);
        None
    }

    fn ordered(&mut self, min: f64, max: f64, max_span: Span, form: &str) -> Option<()> {
        if min > max {
            self.error(
                max_span,
                format!("`{form}` min {} is greater than max {}", num(min), num(max)),
                "below min",
                "swap them: min ≤ max",
            );
            return None;
        }
        Some(())
    }

    fn categorical(&mut self, node: &Node) -> Option<Distribution> {
        let example = "categorical = { frozen = 0.45, settlement = 0.35, gains = 0.12, collapse = 0.08 }";
        let Value::Table(table) = &node.value else {
            let kind = node.value.kind();
            self.error(
                node.span,
                format!("`categorical` takes a table of outcomes and probabilities, found {kind}"),
                "expected a table",
                format!("write e.g. {example}"),
            );
            return None;
        };
        if table.entries.is_empty() {
            self.error(node.span, "`categorical` has no outcomes", "empty", format!("write e.g. {example}"));
            return None;
        }
        let mut outcomes = Vec::with_capacity(table.entries.len());
        let mut ok = true;
        for entry in &table.entries {
            if !self.check_name(entry, "categorical outcome") {
                ok = false;
            }
            match self.probability(&entry.node, &format!("the probability of `{}`", entry.key)) {
                Some(p) => outcomes.push((entry.key.clone(), p)),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        let total: f64 = outcomes.iter().map(|(_, p)| p).sum();
        if (total - 1.0).abs() > WEIGHT_TOLERANCE {
            let scaled: Vec<String> =
                outcomes.iter().map(|(n, p)| format!("{n} = {}", num(p / total))).collect();
            let help = if total > 0.0 {
                format!(
                    "the probabilities must sum to 1; scaled to sum to 1 they would be {{ {} }}",
                    scaled.join(", ")
                )
            } else {
                "the probabilities must sum to 1".to_string()
            };
            self.error(
                node.span,
                format!("`categorical` probabilities sum to {}, not 1", num_precise(total)),
                "does not sum to 1",
                help,
            );
            return None;
        }
        Some(Distribution::Categorical(outcomes))
    }

    /// A distribution that must be numeric (not categorical).
    fn numeric_distribution(&mut self, node: &Node, what: &str) -> Option<Distribution> {
        let d = self.distribution_value(node, what)?;
        if matches!(d, Distribution::Categorical(_)) {
            self.error(
                node.span,
                format!("{what} must be numeric, but this distribution is categorical"),
                "categorical",
                "use a numeric distribution here; categorical drivers are used in terms as `driver=outcome`",
            );
            return None;
        }
        Some(d)
    }

    /// Checks that every value a distribution can take lies within [lo, hi].
    fn within(&mut self, d: &Distribution, node: &Node, what: &str, lo: f64, hi: f64) -> Option<()> {
        let (low, high) = support(d);
        if low < lo || high > hi {
            let reach = if matches!(d, Distribution::Fixed(_)) {
                format!("found {}", num(low))
            } else {
                format!("this distribution reaches [{}, {}]", num(low), num(high))
            };
            let range = range_text(lo, hi);
            let help = if matches!(d, Distribution::Fixed(_)) {
                format!("use a value {range}")
            } else {
                format!(
                    "use a distribution whose values are all {range} (e.g. uniform, triangular, pert, or normal with min and max)"
                )
            };
            self.error(node.span, format!("{what} must be {range}; {reach}"), "out of range", help);
            return None;
        }
        Some(())
    }

    // ----- drivers -----

    fn driver(&mut self, entry: &Entry) -> Option<Driver> {
        let what = format!("driver `{}`", entry.key);
        let (about, distribution) = match &entry.node.value {
            Value::Integer(_) | Value::Float(_) => {
                (About::default(), self.number(&entry.node, &what).map(Distribution::Fixed))
            }
            Value::Table(table) => {
                let mut allowed = ABOUT.to_vec();
                allowed.extend(DISTRIBUTION_FORMS);
                self.check_keys(table, &allowed, "keys of a driver");
                (self.about(table, &what), self.distribution_in(table, entry.key_span, &what))
            }
            other => {
                let kind = other.kind();
                self.error(
                    entry.node.span,
                    format!("{what} must be a table with a distribution, found {kind}"),
                    "expected a table",
                    "write e.g. [drivers.x] with beta = { alpha = 8, beta = 3 }",
                );
                (About::default(), None)
            }
        };
        Some(Driver { name: entry.key.clone(), about, distribution: distribution? })
    }

    // ----- variables -----

    fn variable(&mut self, entry: &Entry) -> Option<Variable> {
        let what = format!("variable `{}`", entry.key);
        let table = self.table(&entry.node, &what, "[variables.x] with initial = 0.5")?;
        let mut allowed = ABOUT.to_vec();
        allowed.extend(["initial", "min", "max", "target", "speed", "noise", "links"]);
        self.check_keys(table, &allowed, "keys of a variable");
        let about = self.about(table, &what);
        let initial_node = self.required(table, "initial", entry.key_span, &what, "initial = 0.5");
        let initial = initial_node.and_then(|n| self.numeric_distribution(n, &format!("{what}'s `initial`")));
        let min = match table.get("min") {
            Some(e) => self.number_or_infinite(&e.node, "`min`"),
            None => Some(f64::NEG_INFINITY),
        };
        let max = match table.get("max") {
            Some(e) => self.number_or_infinite(&e.node, "`max`"),
            None => Some(f64::INFINITY),
        };
        if let (Some(lo), Some(hi), Some(e)) = (min, max, table.get("max"))
            && lo > hi
        {
            self.error(
                e.node.span,
                format!("{what}: `min` {} is greater than `max` {}", num(lo), num(hi)),
                "below min",
                "swap them: min ≤ max",
            );
            return None;
        }
        if let (Some(Distribution::Fixed(x)), Some(lo), Some(hi), Some(node)) =
            (&initial, min, max, initial_node)
            && (*x < lo || *x > hi)
        {
            self.error(
                node.span,
                format!("{what} starts at {}, outside its [min, max] = [{}, {}]", num(*x), num(lo), num(hi)),
                "outside [min, max]",
                "start within the bounds, or widen them",
            );
        }
        let target = match table.get("target") {
            Some(e) => self.number(&e.node, "`target`"),
            None => initial.as_ref().and_then(Distribution::mean),
        };
        let speed = match table.get("speed") {
            Some(e) => self.number_in(&e.node, "`speed` (share of the gap closed per month)", 0.0, 1.0),
            None => Some(0.0),
        };
        let noise = match table.get("noise") {
            Some(e) => self.number_in(&e.node, "`noise` (sd of the monthly shock)", 0.0, f64::MAX),
            None => Some(0.0),
        };
        let links = self.links(table)?;
        Some(Variable {
            name: entry.key.clone(),
            about,
            initial: initial?,
            min: min?,
            max: max?,
            target: target?,
            speed: speed?,
            noise: noise?,
            links,
        })
    }

    // ----- links and terms -----

    /// The `links` of a table (empty when absent). `None` when any link is wrong.
    fn links(&mut self, table: &Table) -> Option<Vec<Link>> {
        let Some(entry) = table.get("links") else { return Some(Vec::new()) };
        let links = self.table(&entry.node, "`links`", "links = { \"tension\" = 2.0 }")?;
        let mut out = Vec::with_capacity(links.entries.len());
        let mut ok = true;
        for link in &links.entries {
            let term = self.term(&link.key, link.key_span);
            let coefficient = self.number(&link.node, &format!("the coefficient of `{}`", link.key));
            match (term, coefficient) {
                (Some(term), _) if term.may_be_undefined() => {
                    self.error(
                        link.key_span,
                        format!(
                            "the link `{}` uses first(…), which has no value until its event fires",
                            link.key
                        ),
                        "undefined before the event",
                        "use ever(event) or count(event) in links; first(event) is for outcomes",
                    );
                    ok = false;
                }
                (Some(term), Some(coefficient)) => {
                    out.push(Link { text: link.key.clone(), term, coefficient })
                }
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// Parses a term written at `span` (a quoted key or string) and resolves its names.
    fn term(&mut self, text: &str, span: Span) -> Option<Term> {
        let raw = self.sources.slice(span).to_string();
        let at = |offset: usize, len: usize| content_span(span, &raw, text, offset, len);
        let factors = match parse(text) {
            Ok(factors) => factors,
            Err(error) => {
                self.error(
                    at(error.at, error.len),
                    format!("bad term {text:?}: {}", error.message),
                    "here",
                    error.help,
                );
                return None;
            }
        };
        // Every factor is checked, so one pass shows all the bad names of a term.
        let resolved: Vec<Option<Factor>> = factors.iter().map(|factor| self.factor(factor, &at)).collect();
        let factors: Option<Vec<Factor>> = resolved.into_iter().collect();
        Some(Term { factors: factors? })
    }

    fn factor(&mut self, factor: &RawFactor, at: &dyn Fn(usize, usize) -> Span) -> Option<Factor> {
        match factor {
            RawFactor::Name(word) if word.text == "month" => Some(Factor::Month),
            RawFactor::Name(word) => {
                let kind = self.resolve(word, Wanted::Bare, at, "")?;
                Some(match kind {
                    Kind::Driver(_) => Factor::Driver(word.text.clone()),
                    Kind::Variable => Factor::Variable(word.text.clone()),
                    _ => Factor::Active(word.text.clone()),
                })
            }
            RawFactor::Is { driver, outcome } => {
                let Kind::Driver(Some(outcomes)) =
                    self.resolve(driver, Wanted::CategoricalDriver, at, "`=outcome`")?
                else {
                    return None;
                };
                if !outcomes.contains(&outcome.text) {
                    let refs: Vec<&str> = outcomes.iter().map(String::as_str).collect();
                    let help = suggestion(&outcome.text, &refs, &format!("outcomes of `{}`", driver.text));
                    self.error(
                        at(outcome.at, outcome.len()),
                        format!(
                            "`{}` is not an outcome of the categorical driver `{}`",
                            outcome.text, driver.text
                        ),
                        "unknown outcome",
                        help,
                    );
                    return None;
                }
                Some(Factor::DriverIs { driver: driver.text.clone(), outcome: outcome.text.clone() })
            }
            RawFactor::Call { function, argument } => {
                let wanted = match function.text.as_str() {
                    "ever" | "count" | "first" => Wanted::Event,
                    "after" => Wanted::NumericDriver,
                    "agreed" | "settlement" | "forecast" => Wanted::Issue,
                    "home" | "home_share" => Wanted::Population,
                    other => {
                        let help = match closest(other, FUNCTIONS) {
                            Some(best) => format!("did you mean `{best}(…)`?"),
                            None => format!(
                                "the functions are {}",
                                FUNCTIONS.map(|f| format!("{f}(…)")).join(", ")
                            ),
                        };
                        self.error(
                            at(function.at, function.len()),
                            format!("unknown function `{other}`"),
                            "unknown function",
                            help,
                        );
                        return None;
                    }
                };
                let usage = format!("{}(…)", function.text);
                let kind = self.resolve(argument, wanted, at, &usage)?;
                let name = argument.text.clone();
                if matches!(function.text.as_str(), "agreed" | "settlement") && kind == Kind::Issue(false) {
                    self.error(
                        at(argument.at, argument.len()),
                        format!("issue `{name}` has no `agreement`, so {}({name}) is always 0", function.text),
                        "never agreed",
                        format!("add `agreement = {{ parties = [...], within = 10, probability = 0.1 }}` to [issues.{name}], or use forecast({name})"),
                    );
                    return None;
                }
                Some(match function.text.as_str() {
                    "ever" => Factor::Ever(name),
                    "count" => Factor::Count(name),
                    "first" => Factor::First(name),
                    "after" => Factor::After(name),
                    "agreed" => Factor::Agreed(name),
                    "settlement" => Factor::Settlement(name),
                    "forecast" => Factor::Forecast(name),
                    "home" => Factor::Home(name),
                    _ => Factor::HomeShare(name),
                })
            }
        }
    }

    /// Looks a term's name up and checks it is of a kind `wanted` accepts. `usage` says where the
    /// name is used ("ever(…)"), empty for a bare name.
    fn resolve(
        &mut self,
        word: &Word,
        wanted: Wanted,
        at: &dyn Fn(usize, usize) -> Span,
        usage: &str,
    ) -> Option<Kind> {
        let span = at(word.at, word.len());
        let fitting: Vec<&str> =
            self.names.iter().filter(|(_, (k, _))| wanted.accepts(k)).map(|(n, _)| n.as_str()).collect();
        let Some((kind, _)) = self.names.get(&word.text).cloned() else {
            let help = if FUNCTIONS.contains(&word.text.as_str()) && usage.is_empty() {
                format!("`{}` is a function: write {}(name)", word.text, word.text)
            } else {
                suggestion(&word.text, &fitting, wanted.words())
            };
            let message = if usage.is_empty() || usage.ends_with("(…)") {
                format!("unknown name `{}` in a term", word.text)
            } else {
                format!("{usage} names `{}`, which is not defined", word.text)
            };
            self.error(span, message, "not defined", help);
            return None;
        };
        if wanted.accepts(&kind) {
            return Some(kind);
        }
        let name = &word.text;
        let (message, help) = match (&kind, wanted) {
            (Kind::Driver(Some(outcomes)), Wanted::Bare) => (
                format!("`{name}` is a categorical driver: a term uses one of its outcomes"),
                format!("write `{name}={}`", outcomes.first().map_or("outcome", String::as_str)),
            ),
            (Kind::Driver(None), Wanted::CategoricalDriver) => (
                format!("`{name}` is a numeric driver, so `{name}=…` cannot compare it to an outcome"),
                format!("use `{name}` for its value or `after({name})` for a month"),
            ),
            (Kind::Issue(_), Wanted::Bare) => (
                format!("`{name}` is an issue and has no value by itself"),
                format!("write `agreed({name})`, `settlement({name})` or `forecast({name})`"),
            ),
            (Kind::Population, Wanted::Bare) => (
                format!("`{name}` is a population and has no value by itself"),
                format!("write `home({name})` or `home_share({name})`"),
            ),
            (Kind::Actor, _) => (
                format!("`{name}` is an actor; terms cannot refer to actors"),
                "refer to the issue instead, e.g. `forecast(issue)`".to_string(),
            ),
            _ => {
                let what = if usage.is_empty() {
                    "here".to_string()
                } else {
                    format!("where {usage} needs {}", singular(wanted))
                };
                (format!("`{name}` is {} {what}", kind.words()), suggestion(name, &fitting, wanted.words()))
            }
        };
        self.error(span, message, kind.words(), help);
        None
    }

    // ----- events -----

    fn event(&mut self, entry: &Entry) -> Option<Event> {
        let what = format!("event `{}`", entry.key);
        let table = self.table(&entry.node, &what, "[events.x] with probability = 0.03")?;
        let mut allowed = ABOUT.to_vec();
        allowed.extend(["probability", "links", "at", "duration", "once", "effects"]);
        self.check_keys(table, &allowed, "keys of an event");
        let about = self.about(table, &what);
        let trigger = match (table.get("probability"), table.get("at")) {
            (Some(p), None) => {
                let probability = self.probability(&p.node, &format!("{what}'s monthly `probability`"));
                let links = self.links(table);
                Some(Trigger::Hazard { probability: probability?, links: links? })
            }
            (None, Some(at)) => {
                if let Some(links) = table.get("links") {
                    self.error(
                        links.key_span,
                        format!("{what} is scheduled by `at`, so its `links` have no hazard to change"),
                        "unused links",
                        "remove `links`, or replace `at` by a monthly `probability`",
                    );
                }
                self.event_at(&at.node, &what)
            }
            (Some(_), Some(at)) => {
                self.error(
                    at.key_span,
                    format!("{what} has both `probability` and `at`"),
                    "second trigger",
                    "an event is either a hazard (`probability`, `links`) or scheduled (`at`): keep one",
                );
                None
            }
            (None, None) => {
                self.error(entry.key_span, format!("{what} has neither `probability` nor `at`"), "never fires", "add `probability = 0.03` (monthly hazard) or `at = \"driver_name\"` / `at = 12` (scheduled month)");
                None
            }
        };
        let duration = match table.get("duration") {
            Some(e) => self.whole(&e.node, "`duration` (months)", 1, MAX_HORIZON).map(|d| d as u32),
            None => Some(1),
        };
        let once = match table.get("once") {
            Some(e) => self.boolean(&e.node, "`once`"),
            None => Some(false),
        };
        let effects = self.effects(table, &what);
        Some(Event {
            name: entry.key.clone(),
            about,
            trigger: trigger?,
            duration: duration?,
            once: once?,
            effects: effects?,
        })
    }

    fn event_at(&mut self, node: &Node, what: &str) -> Option<Trigger> {
        match &node.value {
            Value::String(name) => {
                let (span, len) = (node.span, name.len());
                let raw = self.sources.slice(span).to_string();
                let word = Word { text: name.clone(), at: 0 };
                let at = |offset: usize, l: usize| content_span(span, &raw, name, offset, l.max(len));
                self.resolve(&word, Wanted::NumericDriver, &at, "`at`")?;
                Some(Trigger::AtDriver(name.clone()))
            }
            Value::Integer(_) | Value::Float(_) => {
                let last = self.horizon.map_or(MAX_HORIZON - 1, |h| i64::from(h) - 1);
                let month = self.whole(
                    node,
                    &format!("{what}'s `at` month (since start, within the horizon)"),
                    0,
                    last,
                )?;
                Some(Trigger::AtMonth(month as u32))
            }
            other => {
                let kind = other.kind();
                self.error(node.span, format!("{what}'s `at` must be a driver's name or a month number, found {kind}"), "expected a name or a number", "write `at = \"driver_name\"` (the month that driver draws) or `at = 12` (months since start)");
                None
            }
        }
    }

    fn effects(&mut self, table: &Table, what: &str) -> Option<Vec<Effect>> {
        let Some(entry) = table.get("effects") else { return Some(Vec::new()) };
        let effects = self.table(&entry.node, "`effects`", "effects = { tension = { add = 0.15 } }")?;
        let mut out = Vec::new();
        let mut ok = true;
        for effect in &effects.entries {
            let known = self.names.get(&effect.key).map(|(k, _)| k.clone());
            if known != Some(Kind::Variable) {
                let variables: Vec<&str> = self
                    .names
                    .iter()
                    .filter(|(_, (k, _))| *k == Kind::Variable)
                    .map(|(n, _)| n.as_str())
                    .collect();
                let message = match known {
                    Some(kind) => format!(
                        "{what} has an effect on `{}`, which is {}, not a variable",
                        effect.key,
                        kind.words()
                    ),
                    None => format!("{what} has an effect on `{}`, which is not a variable", effect.key),
                };
                self.error(
                    effect.key_span,
                    message,
                    "not a variable",
                    suggestion(&effect.key, &variables, "variables"),
                );
                ok = false;
                continue;
            }
            let example = "{ add = 0.15 }, { mul = 0.98 } or { set = 0 }";
            let Value::Table(operation) = &effect.node.value else {
                let kind = effect.node.value.kind();
                self.error(
                    effect.node.span,
                    format!("an effect must be a table like {example}, found {kind}"),
                    "expected a table",
                    format!("write e.g. {} = {{ add = 0.15 }}", effect.key),
                );
                ok = false;
                continue;
            };
            self.check_keys(operation, &["set", "add", "mul"], "effect operations");
            let operation = match operation.entries.as_slice() {
                [op] => {
                    let value = self.number(&op.node, &format!("`{}`", op.key));
                    match (op.key.as_str(), value) {
                        ("set", Some(v)) => Some(Operation::Set(v)),
                        ("add", Some(v)) => Some(Operation::Add(v)),
                        ("mul", Some(v)) => Some(Operation::Mul(v)),
                        _ => None,
                    }
                }
                _ => {
                    self.error(
                        effect.node.span,
                        format!(
                            "an effect has exactly one of `set`, `add`, `mul`, found {}",
                            operation.entries.len()
                        ),
                        "one operation",
                        format!("write e.g. {} = {{ add = 0.15 }}", effect.key),
                    );
                    None
                }
            };
            match operation {
                Some(operation) => out.push(Effect { variable: effect.key.clone(), operation }),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    // ----- actors and issues -----

    fn actor(&mut self, entry: &Entry) -> Option<Actor> {
        let what = format!("actor `{}`", entry.key);
        let table = self.table(&entry.node, &what, "[actors.x] with capability = 0.3")?;
        let mut allowed = ABOUT.to_vec();
        allowed.push("capability");
        self.check_keys(table, &allowed, "keys of an actor");
        let about = self.about(table, &what);
        let node = self.required(table, "capability", entry.key_span, &what, "capability = 0.3")?;
        let capability = self.quantity(node, &format!("{what}'s `capability`"), 0.0, f64::INFINITY)?;
        Some(Actor { name: entry.key.clone(), about, capability })
    }

    /// A number, a distribution or a variable's name, whose values must lie in [lo, hi].
    fn quantity(&mut self, node: &Node, what: &str, lo: f64, hi: f64) -> Option<Quantity> {
        if let Value::String(name) = &node.value {
            let raw = self.sources.slice(node.span).to_string();
            let span = node.span;
            let at = |offset: usize, len: usize| content_span(span, &raw, name, offset, len);
            let word = Word { text: name.clone(), at: 0 };
            self.resolve(&word, Wanted::Variable, &at, what)?;
            return Some(Quantity::Variable(name.clone()));
        }
        let d = self.numeric_distribution(node, what)?;
        self.within(&d, node, what, lo, hi)?;
        Some(Quantity::Drawn(d))
    }

    fn issue(&mut self, entry: &Entry) -> Option<Issue> {
        let what = format!("issue `{}`", entry.key);
        let table = self.table(&entry.node, &what, "[issues.x] with model = \"bdm\"")?;
        let mut allowed = ABOUT.to_vec();
        allowed.extend(["low", "high", "scale", "model", "concession", "every", "agreement", "stakes"]);
        self.check_keys(table, &allowed, "keys of an issue");
        let about = self.about(table, &what);
        let low = self.optional_string(table, "low", &what);
        let high = self.optional_string(table, "high", &what);
        let scale = match table.get("scale") {
            Some(e) => self.scale(&e.node),
            None => Some((0.0, 100.0)),
        };
        let model_node = self.required(table, "model", entry.key_span, &what, "model = \"bdm\"");
        let model = model_node.and_then(|node| {
            let name = self.string(node, "`model`")?;
            match name {
                "bdm" => {
                    if let Some(c) = table.get("concession") {
                        self.error(
                            c.key_span,
                            "`concession` applies only to model = \"compromise\"",
                            "unused",
                            "remove `concession`, or set model = \"compromise\"",
                        );
                        return None;
                    }
                    Some(BargainingModel::Bdm)
                }
                "compromise" => {
                    let concession = match table.get("concession") {
                        Some(c) => self.number_in(&c.node, "`concession`", 0.0, 1.0)?,
                        None => DEFAULT_CONCESSION,
                    };
                    Some(BargainingModel::Compromise { concession })
                }
                other => {
                    let help = suggestion(other, &["bdm", "compromise"], "models");
                    self.error(
                        node.span,
                        format!("unknown bargaining model {other:?}"),
                        "unknown model",
                        format!("{help} (\"bdm\" or \"compromise\")"),
                    );
                    None
                }
            }
        });
        let every = match table.get("every") {
            Some(e) => {
                self.whole(&e.node, "`every` (months between rounds)", 1, MAX_HORIZON).map(|v| v as u32)
            }
            None => Some(1),
        };
        let stakes = match (table.get("stakes"), scale) {
            (Some(stakes), Some(scale)) => self.stakes(stakes, &what, scale),
            (None, _) => {
                self.error(
                    entry.key_span,
                    format!("{what} has no stakes"),
                    "no stakes",
                    format!("add [issues.{}.stakes] with each actor's {{ position, salience }}", entry.key),
                );
                None
            }
            _ => None,
        };
        let agreement = match (table.get("agreement"), &stakes) {
            (Some(a), Some(stakes)) => self.agreement(a, &what, stakes).map(Some),
            (Some(_), None) => None,
            (None, _) => Some(None),
        };
        Some(Issue {
            name: entry.key.clone(),
            about,
            low,
            high,
            scale: scale?,
            model: model?,
            every: every?,
            agreement: agreement?,
            stakes: stakes?,
        })
    }

    fn scale(&mut self, node: &Node) -> Option<(f64, f64)> {
        let help = "write `scale = [lo, hi]` with lo < hi, e.g. scale = [4, 10]";
        let Value::Array(items) = &node.value else {
            self.error(node.span, "`scale` must be a list [lo, hi]", "expected [lo, hi]", help);
            return None;
        };
        let [lo, hi] = items.as_slice() else {
            self.error(
                node.span,
                format!("`scale` must have two numbers, found {}", items.len()),
                "expected [lo, hi]",
                help,
            );
            return None;
        };
        let (lo_value, hi_value) =
            (self.number(lo, "`scale` low end")?, self.number(hi, "`scale` high end")?);
        if lo_value >= hi_value {
            self.error(
                node.span,
                format!("`scale` low end {} must be below its high end {}", num(lo_value), num(hi_value)),
                "lo ≥ hi",
                help,
            );
            return None;
        }
        Some((lo_value, hi_value))
    }

    fn stakes(&mut self, entry: &Entry, what: &str, scale: (f64, f64)) -> Option<Vec<Stake>> {
        let table = self.table(
            &entry.node,
            "`stakes`",
            "[issues.x.stakes] with actor = { position = 50, salience = 0.5 }",
        )?;
        let mut out = Vec::new();
        let mut ok = true;
        for stake in &table.entries {
            match self.stake(stake, what, scale) {
                Some(s) => out.push(s),
                None => ok = false,
            }
        }
        if ok && out.len() < 2 {
            self.error(
                entry.key_span,
                format!("{what} has {} stake; bargaining needs at least two actors", out.len()),
                "too few stakes",
                "add another actor's { position, salience }",
            );
            return None;
        }
        ok.then_some(out)
    }

    fn stake(&mut self, entry: &Entry, issue: &str, scale: (f64, f64)) -> Option<Stake> {
        let actor = &entry.key;
        let known = self.names.get(actor).map(|(k, _)| k.clone());
        if known != Some(Kind::Actor) {
            let actors: Vec<&str> =
                self.names.iter().filter(|(_, (k, _))| *k == Kind::Actor).map(|(n, _)| n.as_str()).collect();
            let message = match known {
                Some(kind) => {
                    format!("{issue} has a stake of `{actor}`, which is {}, not an actor", kind.words())
                }
                None => format!("{issue} has a stake of `{actor}`, which is not an actor"),
            };
            let hint = suggestion(actor, &actors, "actors");
            let stop = if hint.ends_with('?') { "" } else { "." };
            let help = format!("{hint}{stop} Or define [actors.{actor}] with its capability.");
            self.error(entry.key_span, message, "unknown actor", help);
            return None;
        }
        let what = format!("`{actor}`'s stake in {issue}");
        let table =
            self.table(&entry.node, &what, &format!("{actor} = {{ position = 50, salience = 0.5 }}"))?;
        let mut allowed = vec!["position", "salience"];
        allowed.extend(ABOUT);
        self.check_keys(table, &allowed, "keys of a stake");
        let example = "position = 50, salience = 0.5";
        let position = self.required(table, "position", entry.key_span, &what, example).and_then(|node| {
            let (lo, hi) = scale;
            self.quantity(node, &format!("{what}: position (on the issue's scale)"), lo, hi)
        });
        let salience = self
            .required(table, "salience", entry.key_span, &what, example)
            .and_then(|node| self.quantity(node, &format!("{what}: salience"), 0.0, 1.0));
        Some(Stake { actor: actor.clone(), position: position?, salience: salience? })
    }

    fn agreement(&mut self, entry: &Entry, what: &str, stakes: &[Stake]) -> Option<Agreement> {
        let example = "agreement = { parties = [\"a\", \"b\"], within = 15, probability = 0.1 }";
        let table = self.table(&entry.node, "`agreement`", example)?;
        self.check_keys(table, &["parties", "within", "probability", "links"], "keys of an agreement");
        let owner = entry.key_span;
        let parties = self.required(table, "parties", owner, "`agreement`", "parties = [\"armenia\", \"azerbaijan\"]").and_then(|node| {
            let Value::Array(items) = &node.value else {
                self.error(node.span, "`parties` must be a list of actor names", "expected a list", "write e.g. parties = [\"armenia\", \"azerbaijan\"]");
                return None;
            };
            let mut parties: Vec<String> = Vec::new();
            let mut ok = true;
            for item in items {
                let Some(name) = self.string(item, "a party") else {
                    ok = false;
                    continue;
                };
                let is_actor = matches!(self.names.get(name), Some((Kind::Actor, _)));
                if !is_actor {
                    let actors: Vec<&str> = self.names.iter().filter(|(_, (k, _))| *k == Kind::Actor).map(|(n, _)| n.as_str()).collect();
                    let help = suggestion(name, &actors, "actors");
                    self.error(item.span, format!("agreement party `{name}` is not an actor"), "not an actor", help);
                    ok = false;
                } else if !stakes.iter().any(|s| s.actor == name) {
                    self.error(item.span, format!("agreement party `{name}` has no stake in {what}"), "no stake", format!("add `{name} = {{ position = …, salience = … }}` to the issue's stakes, or remove it from `parties`"));
                    ok = false;
                } else if parties.iter().any(|p| p == name) {
                    self.error(item.span, format!("agreement party `{name}` is listed twice"), "duplicate", "list each party once");
                    ok = false;
                } else {
                    parties.push(name.to_string());
                }
            }
            if ok && parties.len() < 2 {
                self.error(node.span, "an agreement needs at least two parties", "too few parties", "list the actors who must agree, e.g. parties = [\"a\", \"b\"]");
                return None;
            }
            ok.then_some(parties)
        });
        let within = self
            .required(table, "within", owner, "`agreement`", "within = 15")
            .and_then(|node| self.number_in(node, "`within` (points on the issue's scale)", 0.0, f64::MAX));
        let probability = self
            .required(table, "probability", owner, "`agreement`", "probability = 0.1")
            .and_then(|node| self.probability(node, "the agreement's monthly `probability`"));
        let links = self.links(table);
        Some(Agreement { parties: parties?, within: within?, probability: probability?, links: links? })
    }

    // ----- populations -----

    fn population(&mut self, entry: &Entry) -> Option<Population> {
        let what = format!("population `{}`", entry.key);
        let table = self.table(&entry.node, &what, "[populations.x] with persons = 100000, agents = 2000")?;
        let mut allowed = ABOUT.to_vec();
        allowed.extend([
            "persons",
            "agents",
            "at_home",
            "threshold",
            "utility",
            "peer",
            "noise",
            "links",
            "flee",
        ]);
        self.check_keys(table, &allowed, "keys of a population");
        let about = self.about(table, &what);
        let owner = entry.key_span;
        let persons = self.required(table, "persons", owner, &what, "persons = 100000").and_then(|node| {
            let d = self.numeric_distribution(node, "`persons`")?;
            self.within(&d, node, "`persons`", 0.0, f64::INFINITY)?;
            Some(d)
        });
        let agents_node = self.required(table, "agents", owner, &what, "agents = 2000");
        let agents = agents_node.and_then(|node| self.whole(node, "`agents`", 1, MAX_AGENTS));
        let at_home = match table.get("at_home") {
            Some(e) => {
                let value = self.whole(&e.node, "`at_home`", 0, MAX_AGENTS);
                if let (Some(home), Some(agents)) = (value, agents)
                    && home > agents
                {
                    self.error(
                        e.node.span,
                        format!("`at_home` ({home}) is more than `agents` ({agents})"),
                        "more than agents",
                        format!("at most all {agents} agents can be at home at the start"),
                    );
                    return None;
                }
                value
            }
            None => Some(0),
        };
        let threshold = self
            .required(table, "threshold", owner, &what, "threshold = { beta = { alpha = 5, beta = 2 } }")
            .and_then(|node| self.numeric_distribution(node, "`threshold`"));
        let mut number = |key: &str, lo: f64| match table.get(key) {
            Some(e) => self.number_in(&e.node, &format!("`{key}`"), lo, f64::MAX),
            None => Some(0.0),
        };
        let utility = number("utility", f64::MIN);
        let peer = number("peer", f64::MIN);
        let noise = number("noise", 0.0);
        let links = self.links(table);
        let flee = match table.get("flee") {
            Some(e) => self.flee(&e.node).map(Some),
            None => Some(None),
        };
        Some(Population {
            name: entry.key.clone(),
            about,
            persons: persons?,
            agents: agents? as u32,
            at_home: at_home? as u32,
            threshold: threshold?,
            utility: utility?,
            peer: peer?,
            noise: noise?,
            links: links?,
            flee: flee?,
        })
    }

    fn flee(&mut self, node: &Node) -> Option<Flee> {
        let example = "flee = { on = \"armed_clash\", probability = 0.5 }";
        let table = self.table(node, "`flee`", example)?;
        self.check_keys(table, &["on", "probability"], "keys of `flee`");
        let on = self.required(table, "on", node.span, "`flee`", "on = \"armed_clash\"").and_then(|on| {
            let name = self.string(on, "`flee.on`")?.to_string();
            let raw = self.sources.slice(on.span).to_string();
            let span = on.span;
            let at = |offset: usize, len: usize| content_span(span, &raw, &name, offset, len);
            let word = Word { text: name.clone(), at: 0 };
            self.resolve(&word, Wanted::Event, &at, "`flee.on`")?;
            Some(name)
        });
        let probability = self
            .required(table, "probability", node.span, "`flee`", "probability = 0.5")
            .and_then(|p| self.probability(p, "`flee.probability`"));
        Some(Flee { on: on?, probability: probability? })
    }

    // ----- outcomes -----

    fn outcome(&mut self, entry: &Entry, meta: Option<&Meta>) -> Option<Outcome> {
        let what = format!("outcome `{}`", entry.key);
        let table = self.table(&entry.node, &what, "[outcomes.x] with measure = \"agreed(issue)\"")?;
        let mut allowed = vec!["title", "measure", "at", "series"];
        allowed.extend(ABOUT);
        self.check_keys(table, &allowed, "keys of an outcome");
        let about = self.about(table, &what);
        let title = self.optional_string(table, "title", &what).unwrap_or_else(|| entry.key.clone());
        let measure_node =
            self.required(table, "measure", entry.key_span, &what, "measure = \"home_share(population)\"");
        let (text, measure) = match measure_node {
            Some(node) => match self.string(node, "`measure`") {
                Some(text) => (text.to_string(), self.term(text, node.span)),
                None => (String::new(), None),
            },
            None => (String::new(), None),
        };
        let at = match (table.get("at"), meta) {
            (Some(e), Some(meta)) => {
                let month = self.year_month(&e.node, "`at`");
                month.and_then(|month| {
                    let since = month.months_since(meta.start);
                    let last = meta.start.plus(meta.horizon.saturating_sub(1));
                    if since < 0 || since >= i64::from(meta.horizon) {
                        self.error(
                            e.node.span,
                            format!(
                                "`at` = {month} is outside the simulated months {} to {last}",
                                meta.start
                            ),
                            "outside the horizon",
                            format!("choose a month from {} to {last}, or lengthen `horizon`", meta.start),
                        );
                        return None;
                    }
                    Some(Some(since as u32))
                })
            }
            (Some(_), None) => None,
            (None, _) => Some(None),
        };
        let series = match table.get("series") {
            Some(e) => self.boolean(&e.node, "`series`"),
            None => Some(false),
        };
        Some(Outcome {
            name: entry.key.clone(),
            title,
            about,
            text,
            measure: measure?,
            at: at?,
            series: series?,
        })
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

/// The kind `wanted` names, in the singular.
fn singular(wanted: Wanted) -> &'static str {
    match wanted {
        Wanted::Bare => "a numeric driver, a variable or an event",
        Wanted::CategoricalDriver => "a categorical driver",
        Wanted::NumericDriver => "a numeric driver",
        Wanted::Event => "an event",
        Wanted::Issue => "an issue",
        Wanted::Population => "a population",
        Wanted::Variable => "a variable",
    }
}

/// The lowest and highest values a distribution can take (±∞ when unbounded).
pub(crate) fn support(d: &Distribution) -> (f64, f64) {
    match d {
        Distribution::Fixed(v) => (*v, *v),
        Distribution::Uniform { min, max } => (*min, *max),
        Distribution::Normal { min, max, .. } => (*min, *max),
        Distribution::LogNormal { .. } => (0.0, f64::INFINITY),
        Distribution::Beta { .. } | Distribution::Bernoulli(_) => (0.0, 1.0),
        Distribution::Triangular { min, max, .. } | Distribution::Pert { min, max, .. } => (*min, *max),
        Distribution::Categorical(outcomes) => (0.0, outcomes.len().saturating_sub(1) as f64),
        Distribution::Poisson { .. } => (0.0, f64::INFINITY),
    }
}

/// A number for messages: whole numbers without a decimal point, others to 6 significant digits.
pub(crate) fn num(x: f64) -> String {
    if x.is_infinite() {
        return if x > 0.0 { "∞".into() } else { "−∞".into() };
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{x:.0}");
    }
    let digits = (6 - 1 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
    let text = format!("{x:.digits$}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// A number to 12 significant digits (for sums that miss 1 by a little).
fn num_precise(x: f64) -> String {
    let text = format!("{x:.12}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
