//! `[populations]`.

use crate::scenario::keys;
use crate::scenario::schema::{Flee, Population};
use crate::scenario::source::{Entry, Node};

use super::names::Wanted;
use super::{Decoder, MAX_AGENTS, MAX_TOTAL_AGENTS};

impl Decoder<'_> {
    pub(super) fn population(&mut self, entry: &Entry) -> Option<Population> {
        let what = format!("population `{}`", entry.key);
        let allowed = keys::names(keys::POPULATION);
        let example = "[populations.x] with persons = 100000, agents = 2000";
        let (table, about) = self.assumption(entry, &what, example, &allowed, "keys of a population")?;
        let owner = entry.key_span;
        let persons = self.required(table, "persons", owner, &what, "persons = 100000").and_then(|node| {
            let d = self.numeric_distribution(node, "`persons`")?;
            self.within(&d, node, "`persons`", 0.0, f64::INFINITY)?;
            Some(d)
        });
        let agents_node = self.required(table, "agents", owner, &what, "agents = 2000");
        let agents = agents_node.and_then(|node| self.whole(node, "`agents`", 1, MAX_AGENTS));
        if let (Some(count), Some(node)) = (agents, agents_node) {
            let before = self.agents;
            self.agents = before.saturating_add(count);
            if before <= MAX_TOTAL_AGENTS && self.agents > MAX_TOTAL_AGENTS {
                self.error(
                    node.span,
                    format!(
                        "the populations have {} agents together with this one's {count}, more than the \
                         {MAX_TOTAL_AGENTS} crossroads holds (each worker thread keeps one run's agents: about \
                         8 bytes each)",
                        self.agents
                    ),
                    "too many agents",
                    "agents are a sample standing for `persons`: a few thousand per population give shares to \
                     within a percent; use fewer agents",
                );
            }
        }
        let at_home = self.optional(table, "at_home", 0, |d, n| d.whole(n, "`at_home`", 0, MAX_AGENTS));
        if let (Some(home), Some(agents), Some(e)) = (at_home, agents, table.get("at_home"))
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
        let threshold = self
            .required(table, "threshold", owner, &what, "threshold = { beta = { alpha = 5, beta = 2 } }")
            .and_then(|node| self.numeric_distribution(node, "`threshold`"));
        let mut number = |key: &str, lo: f64| {
            self.optional(table, key, 0.0, |d, n| d.number_in(n, &format!("`{key}`"), lo, f64::MAX))
        };
        let utility = number("utility", f64::MIN);
        let peer = number("peer", f64::MIN);
        let noise = number("noise", 0.0);
        let links = self.links(table);
        let flee = self.optional(table, "flee", None, |d, n| d.flee(n).map(Some));
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

    pub(super) fn flee(&mut self, node: &Node) -> Option<Flee> {
        let example = "flee = { on = \"armed_clash\", probability = 0.5 }";
        let table = self.table(node, "`flee`", example)?;
        self.check_keys(table, &keys::names(keys::FLEE), "keys of `flee`");
        let on = self.required(table, "on", node.span, "`flee`", "on = \"armed_clash\"").and_then(|on| {
            let name = self.string(on, "`flee.on`")?;
            self.resolve_string(on, name, Wanted::Event, "`flee.on`")?;
            Some(name.to_string())
        });
        let probability = self
            .required(table, "probability", node.span, "`flee`", "probability = 0.5")
            .and_then(|p| self.probability(p, "`flee.probability`"));
        Some(Flee { on: on?, probability: probability? })
    }
}
