//! `[events]`: triggers and effects.

use crate::scenario::diagnostic::suggestion;
use crate::scenario::keys;
use crate::scenario::schema::{Effect, Event, Operation, Trigger};
use crate::scenario::source::{Entry, Node, Table, Value};

use super::names::Wanted;
use super::{Decoder, MAX_HORIZON};

impl Decoder<'_> {
    pub(super) fn event(&mut self, entry: &Entry) -> Option<Event> {
        let what = format!("event `{}`", entry.key);
        let allowed = keys::names(keys::EVENT);
        let example = "[events.x] with probability = 0.03";
        let (table, about) = self.assumption(entry, &what, example, &allowed, "keys of an event")?;
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
        let duration = self.optional(table, "duration", 1, |d, n| {
            d.whole(n, "`duration` (months)", 1, MAX_HORIZON).map(|months| months as u32)
        });
        let once = self.optional(table, "once", false, |d, n| d.boolean(n, "`once`"));
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

    pub(super) fn event_at(&mut self, node: &Node, what: &str) -> Option<Trigger> {
        match &node.value {
            Value::String(name) => {
                self.resolve_string(node, name, Wanted::NumericDriver, "`at`")?;
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

    pub(super) fn effects(&mut self, table: &Table, what: &str) -> Option<Vec<Effect>> {
        let Some(entry) = table.get("effects") else { return Some(Vec::new()) };
        let effects = self.table(&entry.node, "`effects`", "effects = { tension = { add = 0.15 } }")?;
        let mut out = Vec::new();
        let mut ok = true;
        for effect in &effects.entries {
            if !self.is(&effect.key, Wanted::Variable) {
                let variables = self.names_of(Wanted::Variable);
                let message = match self.kind_of(&effect.key) {
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
            self.check_keys(operation, &keys::names(keys::EFFECT), "effect operations");
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
}
