//! `[drivers]` and `[variables]`.

use crate::scenario::distribution::Distribution;
use crate::scenario::keys;
use crate::scenario::load::DISTRIBUTION_FORMS;
use crate::scenario::schema::{About, Driver, Variable};
use crate::scenario::source::{Entry, Value};

use super::{Decoder, num};

impl Decoder<'_> {
    pub(super) fn driver(&mut self, entry: &Entry) -> Option<Driver> {
        let what = format!("driver `{}`", entry.key);
        let (about, distribution) = match &entry.node.value {
            Value::Integer(_) | Value::Float(_) => {
                (About::default(), self.number(&entry.node, &what).map(Distribution::Fixed))
            }
            Value::Table(table) => {
                let about = self.assumption_keys(table, &what, &DISTRIBUTION_FORMS, "keys of a driver");
                (about, self.distribution_in(table, entry.key_span, &what))
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

    pub(super) fn variable(&mut self, entry: &Entry) -> Option<Variable> {
        let what = format!("variable `{}`", entry.key);
        let allowed = keys::names(keys::VARIABLE);
        let example = "[variables.x] with initial = 0.5";
        let (table, about) = self.assumption(entry, &what, example, &allowed, "keys of a variable")?;
        let initial_node = self.required(table, "initial", entry.key_span, &what, "initial = 0.5");
        let initial = initial_node.and_then(|n| self.numeric_distribution(n, &format!("{what}'s `initial`")));
        let min = self.optional(table, "min", f64::NEG_INFINITY, |d, n| d.number_or_infinite(n, "`min`"));
        let max = self.optional(table, "max", f64::INFINITY, |d, n| d.number_or_infinite(n, "`max`"));
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
        let speed = self.optional(table, "speed", 0.0, |d, n| {
            d.number_in(n, "`speed` (share of the gap closed per month)", 0.0, 1.0)
        });
        let noise = self.optional(table, "noise", 0.0, |d, n| {
            d.number_in(n, "`noise` (sd of the monthly shock)", 0.0, f64::MAX)
        });
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
}
