//! The shared namespace of terms: declaring names, and resolving the names a term uses.

use crate::scenario::diagnostic::{Problem, closest, suggestion};
use crate::scenario::schema::Link;
use crate::scenario::source::{Entry, Node, Span, Table, Value, content_span};
use crate::scenario::term::{Argument, Factor, Function, Term, Window};
use crate::scenario::term_parser::{Number, RawFactor, Word, parse};

use super::{Decoder, Items, MAX_HORIZON};

/// What a name in the shared namespace of terms is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
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
    pub(super) fn words(&self) -> &'static str {
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

    pub(super) fn section(&self) -> &'static str {
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
pub(super) enum Wanted {
    /// A bare name: numeric driver, variable or event.
    Bare,
    CategoricalDriver,
    NumericDriver,
    Event,
    Issue,
    Population,
    Variable,
    /// An actor: never in a term, but in stakes and agreement parties.
    Actor,
}

impl From<Argument> for Wanted {
    fn from(argument: Argument) -> Self {
        match argument {
            Argument::Event | Argument::EventWindow => Wanted::Event,
            Argument::NumericDriver => Wanted::NumericDriver,
            Argument::Issue | Argument::AgreedIssue => Wanted::Issue,
            Argument::Population => Wanted::Population,
        }
    }
}

impl Wanted {
    pub(super) fn accepts(self, kind: &Kind) -> bool {
        match self {
            Wanted::Bare => matches!(kind, Kind::Driver(None) | Kind::Variable | Kind::Event),
            Wanted::CategoricalDriver => matches!(kind, Kind::Driver(Some(_))),
            Wanted::NumericDriver => matches!(kind, Kind::Driver(None)),
            Wanted::Event => matches!(kind, Kind::Event),
            Wanted::Issue => matches!(kind, Kind::Issue(_)),
            Wanted::Population => matches!(kind, Kind::Population),
            Wanted::Variable => matches!(kind, Kind::Variable),
            Wanted::Actor => matches!(kind, Kind::Actor),
        }
    }

    pub(super) fn words(self) -> &'static str {
        match self {
            Wanted::Bare => "numeric drivers, variables and events",
            Wanted::CategoricalDriver => "categorical drivers",
            Wanted::NumericDriver => "numeric drivers",
            Wanted::Event => "events",
            Wanted::Issue => "issues",
            Wanted::Population => "populations",
            Wanted::Variable => "variables",
            Wanted::Actor => "actors",
        }
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
        Wanted::Actor => "an actor",
    }
}

impl Decoder<'_> {
    /// Checks a name of an assumption: letters, digits, `_` and `-`, starting with a letter or `_`.
    pub(super) fn check_name(&mut self, entry: &Entry, kind: &str) -> bool {
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
        if name == "month" && kind != "outcome" && kind != "evidence" {
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

    pub(super) fn declare_names(
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

    /// The `links` of a table (empty when absent). `None` when any link is wrong.
    pub(super) fn links(&mut self, table: &Table) -> Option<Vec<Link>> {
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
    pub(super) fn term(&mut self, text: &str, span: Span) -> Option<Term> {
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

    pub(super) fn factor(&mut self, factor: &RawFactor, at: &dyn Fn(usize, usize) -> Span) -> Option<Factor> {
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
            RawFactor::Call { function, argument, numbers } => {
                let Some(named) = Function::named(&function.text) else {
                    let names = Function::ALL.map(Function::name);
                    let help = match closest(&function.text, names) {
                        Some(best) => format!("did you mean `{best}(…)`?"),
                        None => format!("the functions are {}", names.map(|f| format!("{f}(…)")).join(", ")),
                    };
                    self.error(
                        at(function.at, function.len()),
                        format!("unknown function `{}`", function.text),
                        "unknown function",
                        help,
                    );
                    return None;
                };
                let Some(called) = Function::named_with(&function.text, numbers.len()) else {
                    let forms: Vec<String> = Function::ALL
                        .into_iter()
                        .filter(|f| f.name() == named.name())
                        .map(Function::usage)
                        .collect();
                    let (start, end) = match (numbers.first(), numbers.last()) {
                        (Some(first), Some(last)) => (first.at, last.at + last.len),
                        _ => (argument.at, argument.at + argument.len()),
                    };
                    self.error(
                        at(start, end - start),
                        format!(
                            "{}(…) does not take {} number{} after its argument",
                            named.name(),
                            numbers.len(),
                            if numbers.len() == 1 { "" } else { "s" }
                        ),
                        "wrong arguments",
                        format!("write {}", forms.join(" or ")),
                    );
                    return None;
                };
                let argument_kind = called.spec().argument;
                let usage = format!("{}(…)", function.text);
                let kind = self.resolve(argument, Wanted::from(argument_kind), at, &usage);
                let window = match numbers.as_slice() {
                    [from, to] => self.window(from, to, at).map(Some),
                    _ => Some(None),
                };
                let (kind, window) = (kind?, window?);
                let name = argument.text.clone();
                if argument_kind == Argument::AgreedIssue && kind == Kind::Issue(false) {
                    self.error(
                        at(argument.at, argument.len()),
                        format!("issue `{name}` has no `agreement`, so {}({name}) is always 0", function.text),
                        "never agreed",
                        format!("add `agreement = {{ parties = [...], within = 10, probability = 0.1 }}` to [issues.{name}], or use forecast({name})"),
                    );
                    return None;
                }
                Some(match window {
                    Some(window) => Factor::Within(called, name, window),
                    None => Factor::Call(called, name),
                })
            }
        }
    }

    /// A window of months `from, to` written in a call: each a whole month since start within
    /// the horizon, `from` ≤ `to`.
    fn window(&mut self, from: &Number, to: &Number, at: &dyn Fn(usize, usize) -> Span) -> Option<Window> {
        let last = self.horizon.map_or(MAX_HORIZON - 1, |h| i64::from(h) - 1);
        let mut month = |number: &Number, which: &str| {
            let span = at(number.at, number.len);
            let value = number.value;
            if value.fract() != 0.0 {
                self.error(
                    span,
                    format!("the window's `{which}` month must be a whole number of months since start, found {value}"),
                    "not a whole month",
                    format!("write a month from 0 to {last} (months since start)"),
                );
                return None;
            }
            if value < 0.0 || value > last as f64 {
                self.error(
                    span,
                    format!(
                        "the window's `{which}` month {value} is outside the simulated months 0 to {last}"
                    ),
                    "outside the horizon",
                    format!("choose a month from 0 to {last} (months since start), or lengthen `horizon`"),
                );
                return None;
            }
            Some(value as u32)
        };
        let (from_month, to_month) = (month(from, "from"), month(to, "to"));
        let (from_month, to_month) = (from_month?, to_month?);
        if from_month > to_month {
            self.error(
                at(from.at, to.at + to.len - from.at),
                format!("the window ends (month {to_month}) before it starts (month {from_month})"),
                "an empty window",
                format!("write the first month first: {to_month}, {from_month}"),
            );
            return None;
        }
        Some(Window { from: from_month, to: to_month })
    }

    /// The kind of a declared name.
    pub(super) fn kind_of(&self, name: &str) -> Option<Kind> {
        self.names.get(name).map(|(kind, _)| kind.clone())
    }

    /// Whether `name` is declared with a kind `wanted` accepts.
    pub(super) fn is(&self, name: &str, wanted: Wanted) -> bool {
        self.names.get(name).is_some_and(|(kind, _)| wanted.accepts(kind))
    }

    /// The declared names of the kinds `wanted` accepts, in order.
    pub(super) fn names_of(&self, wanted: Wanted) -> Vec<&str> {
        self.names
            .iter()
            .filter(|(_, (kind, _))| wanted.accepts(kind))
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// Resolves a name written as a whole string value at `node` (`flee.on`, an event's `at`, a
    /// quantity), like a term's name; see [`Self::resolve`].
    pub(super) fn resolve_string(
        &mut self,
        node: &Node,
        name: &str,
        wanted: Wanted,
        usage: &str,
    ) -> Option<Kind> {
        let raw = self.sources.slice(node.span).to_string();
        let span = node.span;
        let at = |offset: usize, len: usize| content_span(span, &raw, name, offset, len);
        let word = Word { text: name.to_string(), at: 0 };
        self.resolve(&word, wanted, &at, usage)
    }

    /// Looks a term's name up and checks it is of a kind `wanted` accepts. `usage` says where the
    /// name is used ("ever(…)"), empty for a bare name.
    pub(super) fn resolve(
        &mut self,
        word: &Word,
        wanted: Wanted,
        at: &dyn Fn(usize, usize) -> Span,
        usage: &str,
    ) -> Option<Kind> {
        let span = at(word.at, word.len());
        let fitting = self.names_of(wanted);
        let Some(kind) = self.kind_of(&word.text) else {
            let help = if Function::named(&word.text).is_some() && usage.is_empty() {
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
}
