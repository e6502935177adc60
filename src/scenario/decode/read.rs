//! Generic readers: a table, a string, a number in a range, a whole number, a month, the keys of
//! a table; each reports a value of the wrong type or range at the value.

use crate::scenario::calendar::YearMonth;
use crate::scenario::diagnostic::suggestion;
use crate::scenario::keys;
use crate::scenario::schema::About;
use crate::scenario::source::{Entry, Node, Span, Table, Value};

use super::{Decoder, num, range_text};

impl Decoder<'_> {
    pub(super) fn check_keys(&mut self, table: &Table, allowed: &[&str], what: &str) {
        for entry in &table.entries {
            if !allowed.contains(&entry.key.as_str()) {
                let help = suggestion(&entry.key, allowed, what);
                self.error(entry.key_span, format!("unknown key `{}`", entry.key), "unknown key", help);
            }
        }
    }

    pub(super) fn table<'a>(&mut self, node: &'a Node, what: &str, example: &str) -> Option<&'a Table> {
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

    pub(super) fn string<'a>(&mut self, node: &'a Node, what: &str) -> Option<&'a str> {
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

    pub(super) fn optional_string(&mut self, table: &Table, key: &str, what: &str) -> Option<String> {
        let entry = table.get(key)?;
        self.string(&entry.node, &format!("{what}'s `{key}`")).map(str::to_string)
    }

    pub(super) fn boolean(&mut self, node: &Node, what: &str) -> Option<bool> {
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
    pub(super) fn number(&mut self, node: &Node, what: &str) -> Option<f64> {
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
    pub(super) fn number_or_infinite(&mut self, node: &Node, what: &str) -> Option<f64> {
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
    pub(super) fn number_in(&mut self, node: &Node, what: &str, lo: f64, hi: f64) -> Option<f64> {
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

    pub(super) fn probability(&mut self, node: &Node, what: &str) -> Option<f64> {
        self.number_in(node, what, 0.0, 1.0)
    }

    /// A whole number within [lo, hi].
    pub(super) fn whole(&mut self, node: &Node, what: &str, lo: i64, hi: i64) -> Option<i64> {
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

    /// The table of an assumption (`what`, e.g. "variable `tension`"), with `example` in the help
    /// when it is not a table: checks its keys and reads its [`About`] (see [`Self::assumption_keys`]).
    pub(super) fn assumption<'a>(
        &mut self,
        entry: &'a Entry,
        what: &str,
        example: &str,
        keys: &[&str],
        keys_what: &str,
    ) -> Option<(&'a Table, About)> {
        let table = self.table(&entry.node, what, example)?;
        Some((table, self.assumption_keys(table, what, keys, keys_what)))
    }

    /// Checks that an assumption's table has only `description`, `unit`, `source` and `keys`
    /// (`keys_what` names them in the help: "keys of a variable"), and reads the first three.
    pub(super) fn assumption_keys(
        &mut self,
        table: &Table,
        what: &str,
        keys: &[&str],
        keys_what: &str,
    ) -> About {
        let allowed: Vec<&str> = keys::ABOUT.iter().map(|k| k.name).chain(keys.iter().copied()).collect();
        self.check_keys(table, &allowed, keys_what);
        self.about(table, what)
    }

    /// An optional key: `read` its value when present, else `default`.
    pub(super) fn optional<T>(
        &mut self,
        table: &Table,
        key: &str,
        default: T,
        read: impl FnOnce(&mut Self, &Node) -> Option<T>,
    ) -> Option<T> {
        match table.get(key) {
            Some(entry) => read(self, &entry.node),
            None => Some(default),
        }
    }

    /// Checks that a parameter is > 0, else reports "`{what}` must be > 0, found …" at `span`
    /// with `label` and `help`.
    pub(super) fn positive(
        &mut self,
        value: f64,
        span: Span,
        what: &str,
        label: &str,
        help: &str,
    ) -> Option<()> {
        self.ensure(value > 0.0, span, format!("{what} must be > 0, found {}", num(value)), label, help)
    }

    /// Reports `message` at `span` with `label` and `help` unless `holds`; `None` when reported.
    pub(super) fn ensure(
        &mut self,
        holds: bool,
        span: Span,
        message: impl Into<String>,
        label: &str,
        help: &str,
    ) -> Option<()> {
        if !holds {
            self.error(span, message, label, help);
            return None;
        }
        Some(())
    }

    pub(super) fn about(&mut self, table: &Table, what: &str) -> About {
        About {
            description: self.optional_string(table, "description", what),
            unit: self.optional_string(table, "unit", what),
            source: self.optional_string(table, "source", what),
        }
    }

    pub(super) fn required<'a>(
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

    pub(super) fn year_month(&mut self, node: &Node, what: &str) -> Option<YearMonth> {
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
}
