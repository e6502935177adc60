//! `[actors]` and `[issues]`: stakes, scales and agreements.

use crate::scenario::diagnostic::suggestion;
use crate::scenario::keys;
use crate::scenario::schema::{Actor, Agreement, BargainingModel, Issue, Quantity, Stake};
use crate::scenario::source::{Entry, Node, Value};

use super::names::Wanted;
use super::{DEFAULT_CONCESSION, Decoder, MAX_HORIZON, num};

impl Decoder<'_> {
    pub(super) fn actor(&mut self, entry: &Entry) -> Option<Actor> {
        let what = format!("actor `{}`", entry.key);
        let example = "[actors.x] with capability = 0.3";
        let allowed = keys::names(keys::ACTOR);
        let (table, about) = self.assumption(entry, &what, example, &allowed, "keys of an actor")?;
        let node = self.required(table, "capability", entry.key_span, &what, "capability = 0.3")?;
        let capability = self.quantity(node, &format!("{what}'s `capability`"), 0.0, f64::INFINITY)?;
        Some(Actor { name: entry.key.clone(), about, capability })
    }

    /// A number, a distribution or a variable's name, whose values must lie in [lo, hi].
    pub(super) fn quantity(&mut self, node: &Node, what: &str, lo: f64, hi: f64) -> Option<Quantity> {
        if let Value::String(name) = &node.value {
            self.resolve_string(node, name, Wanted::Variable, what)?;
            return Some(Quantity::Variable(name.clone()));
        }
        let d = self.numeric_distribution(node, what)?;
        self.within(&d, node, what, lo, hi)?;
        Some(Quantity::Drawn(d))
    }

    pub(super) fn issue(&mut self, entry: &Entry) -> Option<Issue> {
        let what = format!("issue `{}`", entry.key);
        let allowed = keys::names(keys::ISSUE);
        let example = "[issues.x] with model = \"bdm\"";
        let (table, about) = self.assumption(entry, &what, example, &allowed, "keys of an issue")?;
        let low = self.optional_string(table, "low", &what);
        let high = self.optional_string(table, "high", &what);
        let scale = self.optional(table, "scale", (0.0, 100.0), Self::scale);
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
                    let concession = self.optional(table, "concession", DEFAULT_CONCESSION, |d, n| {
                        d.number_in(n, "`concession`", 0.0, 1.0)
                    })?;
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
        let every = self.optional(table, "every", 1, |d, n| {
            d.whole(n, "`every` (months between rounds)", 1, MAX_HORIZON).map(|v| v as u32)
        });
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

    pub(super) fn scale(&mut self, node: &Node) -> Option<(f64, f64)> {
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

    pub(super) fn stakes(&mut self, entry: &Entry, what: &str, scale: (f64, f64)) -> Option<Vec<Stake>> {
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

    pub(super) fn stake(&mut self, entry: &Entry, issue: &str, scale: (f64, f64)) -> Option<Stake> {
        let actor = &entry.key;
        if !self.is(actor, Wanted::Actor) {
            let actors = self.names_of(Wanted::Actor);
            let message = match self.kind_of(actor) {
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
        self.check_keys(table, &keys::assumption_names(keys::STAKE), "keys of a stake");
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

    pub(super) fn agreement(&mut self, entry: &Entry, what: &str, stakes: &[Stake]) -> Option<Agreement> {
        let example = "agreement = { parties = [\"a\", \"b\"], within = 15, probability = 0.1 }";
        let table = self.table(&entry.node, "`agreement`", example)?;
        self.check_keys(table, &keys::names(keys::AGREEMENT), "keys of an agreement");
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
                if !self.is(name, Wanted::Actor) {
                    let actors = self.names_of(Wanted::Actor);
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
}
