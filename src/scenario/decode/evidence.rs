//! `[evidence]`: observations each run is weighed by.
//!
//! An item observes a term at a month (like an outcome's `at`) and says what was seen: `equals`
//! for an exact fact (a 0/1 or whole-number term: accept or reject), or `value` with `sd` for a
//! measurement (a normal likelihood). A measured quantity without `sd`, an exact match asked of a
//! term that takes any value, both forms or neither, a window that ends after the item's month:
//! each a problem at its key.

use crate::scenario::keys;
use crate::scenario::schema::{Driver, Evidence, Meta, Observation};
use crate::scenario::source::Entry;
use crate::scenario::term::{Factor, OutcomeKind, Term};

use super::{Decoder, num};

const EXAMPLE: &str = "[evidence.x] with observe = \"count(event, 0, 11)\" and equals = 0";

impl Decoder<'_> {
    pub(super) fn evidence(
        &mut self,
        entry: &Entry,
        meta: Option<&Meta>,
        drivers: &[Driver],
    ) -> Option<Evidence> {
        let what = format!("evidence `{}`", entry.key);
        let table = self.table(&entry.node, &what, EXAMPLE)?;
        self.check_keys(table, &keys::assumption_names(keys::EVIDENCE), "keys of an evidence item");
        let about = self.about(table, &what);
        let observe_node =
            self.required(table, "observe", entry.key_span, &what, "observe = \"count(armed_clash, 0, 11)\"");
        let (text, observe) = match observe_node {
            Some(node) => match self.string(node, "`observe`") {
                Some(text) => (text.to_string(), self.term(text, node.span)),
                None => (String::new(), None),
            },
            None => (String::new(), None),
        };
        let at = self.month_in_horizon(table, meta);
        let base_rate = match table.get("base_rate") {
            None => Some(None),
            Some(e) => self.probability(&e.node, "`base_rate`").map(Some),
        };
        let observation = self.observation(entry, table, observe.as_ref(), drivers);
        if let (Some(Some(at)), Some(term), Some(e)) = (at, observe.as_ref(), table.get("at")) {
            let late = term.factors.iter().find_map(|factor| match factor {
                Factor::Within(_, _, window) if window.to > at => Some(window.to),
                _ => None,
            });
            if let Some(to) = late {
                self.error(
                    e.node.span,
                    format!("`at` (month {at} since start) comes before the end of the observed window (month {to})"),
                    "before the window ends",
                    "observe at or after the window's last month, or leave `at` out (the end of the run)",
                );
                return None;
            }
        }
        Some(Evidence {
            name: entry.key.clone(),
            about,
            text,
            observe: observe?,
            at: at?,
            observation: observation?,
            base_rate: base_rate?,
        })
    }

    /// `equals`, or `value` with `sd`, checked against the kind of value the term takes.
    fn observation(
        &mut self,
        entry: &Entry,
        table: &crate::scenario::source::Table,
        observe: Option<&Term>,
        drivers: &[Driver],
    ) -> Option<Observation> {
        let name = &entry.key;
        let (equals, value, sd) = (table.get("equals"), table.get("value"), table.get("sd"));
        match (equals, value, sd) {
            (None, None, None) => {
                self.error(
                    entry.key_span,
                    format!("evidence `{name}` says nothing about what was observed"),
                    "no `equals` or `value`",
                    "add `equals = k` for an exact 0/1 or count fact, or `value = x` with `sd = s` for a measurement",
                );
                None
            }
            (Some(_), Some(v), _) => {
                self.error(
                    v.key_span,
                    format!("evidence `{name}` has both `equals` and `value`"),
                    "a second observation",
                    "keep `equals` for an exact fact, or `value` with `sd` for a measurement, not both",
                );
                None
            }
            (Some(_), None, Some(s)) => {
                self.error(
                    s.key_span,
                    format!("evidence `{name}` has `sd` with `equals`: an exact observation has no error"),
                    "not with `equals`",
                    "remove `sd`, or write `value = x` instead of `equals` for a measurement with error",
                );
                None
            }
            (None, None, Some(s)) => {
                self.error(
                    s.key_span,
                    format!("evidence `{name}` has `sd` but no `value`"),
                    "`value` missing",
                    "add the measured `value = x` next to `sd`",
                );
                None
            }
            (None, Some(v), None) => {
                self.error(
                    v.node.span,
                    format!("evidence `{name}`: a measured `value` needs a likelihood: its `sd`"),
                    "no `sd`",
                    "add `sd = s`, the measurement's standard deviation (runs are weighed by a normal likelihood), \
                     or write `equals` for an exact 0/1 or count fact",
                );
                None
            }
            (None, Some(v), Some(s)) => {
                let value = self.number(&v.node, "`value`");
                let sd = self.number(&s.node, "`sd`");
                let sd = sd.and_then(|sd| {
                    self.positive(
                        sd,
                        s.node.span,
                        "`sd`",
                        "not > 0",
                        "the measurement's standard deviation, > 0",
                    )?;
                    Some(sd)
                });
                Some(Observation::Normal { value: value?, sd: sd? })
            }
            (Some(e), None, None) => {
                let k = self.number(&e.node, "`equals`")?;
                let kind = observe.map(|term| kind_of(term, drivers))?;
                match kind {
                    OutcomeKind::Value => {
                        self.error(
                            e.node.span,
                            format!(
                                "evidence `{name}`: `equals` needs a 0/1 or whole-number term, and `{}` takes any value \
                                 (an exact match would have probability 0)",
                                observe.map(ToString::to_string).unwrap_or_default()
                            ),
                            "a numeric observation without a likelihood",
                            "write `value = x` with `sd = s` instead: runs are weighed by a normal likelihood",
                        );
                        None
                    }
                    OutcomeKind::Indicator if k != 0.0 && k != 1.0 => {
                        self.error(
                            e.node.span,
                            format!(
                                "evidence `{name}`: the term is 0 or 1, so `equals` must be 0 or 1, found {}",
                                num(k)
                            ),
                            "not 0 or 1",
                            "write `equals = 1` (it happened) or `equals = 0` (it did not)",
                        );
                        None
                    }
                    _ if k.fract() != 0.0 || k < 0.0 => {
                        self.error(
                            e.node.span,
                            format!(
                                "evidence `{name}`: the term is a whole number ≥ 0, found `equals = {}`",
                                num(k)
                            ),
                            "not a whole number ≥ 0",
                            "write the observed count or month, e.g. `equals = 1`",
                        );
                        None
                    }
                    _ => Some(Observation::Equals(k)),
                }
            }
        }
    }
}

/// The kind of value `term` takes: 0/1, whole numbers (counts, months, discrete drivers) or any.
fn kind_of(term: &Term, drivers: &[Driver]) -> OutcomeKind {
    if term.is_indicator() {
        return OutcomeKind::Indicator;
    }
    let whole = term.factors.iter().all(|factor| match factor {
        Factor::Month => true,
        Factor::Call(function, _) | Factor::Within(function, _, _) => {
            function.spec().value != OutcomeKind::Value
        }
        Factor::Driver(name) => drivers.iter().any(|d| &d.name == name && d.distribution.is_discrete()),
        other => other.is_indicator(),
    });
    if whole { OutcomeKind::Count } else { OutcomeKind::Value }
}
