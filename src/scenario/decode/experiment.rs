//! `[experiment]`: the design of `crossroads explore` and its factors, each a number of the scenario
//! named by its `--set` path and checked against the merged tree (it must exist and be a number, or
//! be a numeric driver, which the design then fixes run by run).

use crate::scenario::diagnostic::suggestion;
use crate::scenario::distribution::Distribution;
use crate::scenario::keys;
use crate::scenario::load::{DISTRIBUTION_FORMS, parse_set_path};
use crate::scenario::schema::{Design, Experiment, ExperimentFactor};
use crate::scenario::source::{Entry, Table, Value};

use super::{Decoder, MAX_RUNS};

const EXAMPLE: &str = "[experiment] with design = \"sobol\" and [experiment.factors] \
                       \"events.armed_clash.probability\" = { uniform = { min = 0.01, max = 0.04 } }";

impl Decoder<'_> {
    pub(super) fn experiment(&mut self, entry: &Entry, root: &Table) -> Option<Experiment> {
        let what = "`[experiment]`";
        let table = self.table(&entry.node, what, EXAMPLE)?;
        let about = self.assumption_keys(table, what, &keys::names(keys::EXPERIMENT), "keys of [experiment]");
        let owner = entry.key_span;
        let design = self.required(table, "design", owner, what, "design = \"sobol\"").and_then(|node| {
            let name = self.string(node, "`design`")?;
            let design = match name {
                "sobol" => Design::Sobol,
                "morris" => Design::Morris,
                "lhs" => Design::Lhs,
                "grid" => Design::Grid,
                other => {
                    let help = suggestion(other, &["sobol", "morris", "lhs", "grid"], "designs");
                    self.error(
                        node.span,
                        format!(
                            "`design` must be \"sobol\", \"morris\", \"lhs\" or \"grid\", found {other:?}"
                        ),
                        "unknown design",
                        help,
                    );
                    return None;
                }
            };
            Some(design)
        });
        let points = self.optional(table, "points", 64, |d, n| d.whole(n, "`points`", 1, 1_000_000));
        let replications =
            self.optional(table, "replications", 20, |d, n| d.whole(n, "`replications`", 1, 1_000_000));
        let levels = self.optional(table, "levels", 4, |d, n| d.whole(n, "`levels`", 2, 100));
        if let (Some(Design::Morris), Some(levels), Some(entry)) = (design, levels, table.get("levels")) {
            self.ensure(
                levels % 2 == 0,
                entry.node.span,
                format!("Morris's `levels` must be even, found {levels}"),
                "odd",
                "use an even number of levels, e.g. 4: the step Δ = levels/(2·(levels − 1)) then keeps every \
                 level equally likely",
            );
        }
        let factors_node =
            self.required(table, "factors", owner, what, "factors = { \"drivers.x\" = { … } }")?;
        let factors_table =
            self.table(factors_node, "`[experiment.factors]`", "\"events.armed_clash.probability\" = { … }")?;
        let factors: Vec<ExperimentFactor> =
            factors_table.entries.iter().filter_map(|e| self.experiment_factor(e, root, design)).collect();
        if factors_table.entries.is_empty() {
            self.error(
                factors_node.span,
                "`[experiment.factors]` has no factor",
                "empty",
                "add the numbers to explore, e.g. \"events.armed_clash.probability\" = { uniform = { min = 0.01, max = 0.04 } }",
            );
        }
        let (design, points, replications, levels) = (design?, points? as u64, replications? as u64, levels?);
        let count = factors_table.entries.len() as u64;
        let design_points = match design {
            Design::Sobol => points.checked_mul(count + 2),
            Design::Morris => points.checked_mul(count + 1),
            Design::Lhs => Some(points),
            Design::Grid => u32::try_from(count).ok().and_then(|k| points.checked_pow(k)),
        };
        let runs = design_points.and_then(|p| p.checked_mul(replications));
        if runs.is_none_or(|runs| runs > MAX_RUNS) {
            let span = table.get("points").map_or(owner, |e| e.node.span);
            self.error(
                span,
                format!(
                    "the experiment would make more than {MAX_RUNS} runs ({} design with {count} factors, {points} \
                     points, {replications} replications)",
                    design.name()
                ),
                "too large",
                "use fewer points, replications or factors (a grid grows as levels^factors)",
            );
            return None;
        }
        Some(Experiment { about, design, points, replications, levels: levels as u32, factors })
    }

    /// One factor: its path checked against the merged tree, its range decoded.
    fn experiment_factor(
        &mut self,
        entry: &Entry,
        root: &Table,
        design: Option<Design>,
    ) -> Option<ExperimentFactor> {
        let what = format!("factor `{}`", entry.key);
        let target = self.experiment_factor_target(entry, root);
        let (about, distribution) = match &entry.node.value {
            Value::Table(table) => {
                let about = self.assumption_keys(table, &what, &DISTRIBUTION_FORMS, "keys of a factor");
                (about, self.distribution_in(table, entry.key_span, &what)?)
            }
            other => {
                let kind = other.kind();
                self.error(
                    entry.node.span,
                    format!("{what} must be a table with a range, found {kind}"),
                    "expected a range",
                    "a factor varies: give it a range, e.g. { uniform = { min = 0.01, max = 0.04 }, source = \"…\" }",
                );
                return None;
            }
        };
        let varies = !matches!(distribution, Distribution::Fixed(_) | Distribution::Categorical { .. });
        self.ensure(
            varies,
            entry.node.span,
            format!("{what} must vary over numbers: a fixed value or categories cannot be explored"),
            "not a numeric range",
            "give a numeric range, e.g. uniform = { min = 0.01, max = 0.04 }",
        )?;
        let bounded = distribution.quantile(0.0).is_finite() && distribution.quantile(1.0).is_finite();
        if design == Some(Design::Morris) && !bounded {
            self.error(
                entry.node.span,
                format!("{what}: Morris's grid reaches both ends of every range, and this one is unbounded"),
                "unbounded",
                "use a bounded range (uniform, triangular, pert, beta, or a normal with min and max)",
            );
            return None;
        }
        let (setting, whole) = target?;
        Some(ExperimentFactor { path: entry.key.clone(), setting, whole, distribution, about })
    }

    /// Where a factor's path leads in the merged tree: the `--set` key that sets it, and whether
    /// the value there is a whole number.
    fn experiment_factor_target(&mut self, entry: &Entry, root: &Table) -> Option<(String, bool)> {
        let path = &entry.key;
        let span = entry.key_span;
        let segments = match parse_set_path(&format!("{path}=0")) {
            Ok((segments, _)) => segments,
            Err((message, _, help)) => {
                self.error(span, format!("factor path `{path}`: {message}"), "not a path", help);
                return None;
            }
        };
        let mut table = root;
        let mut walked = String::new();
        let last = segments.len().saturating_sub(1);
        for (depth, (key, _, _)) in segments.iter().enumerate() {
            let Some(found) = table.get(key) else {
                let keys: Vec<&str> = table.keys().collect();
                let place =
                    if walked.is_empty() { "the scenario".to_string() } else { format!("`{walked}`") };
                self.error(
                    span,
                    format!("factor path `{path}`: there is no `{key}` in {place}"),
                    "no such value",
                    suggestion(key, &keys, "keys there"),
                );
                return None;
            };
            if !walked.is_empty() {
                walked.push('.');
            }
            walked.push_str(key);
            match &found.node.value {
                Value::Integer(_) | Value::Float(_) if depth == last => {
                    // Whole-valued keys (a month, a count) by the format's key tables, not by how
                    // the file happens to write the number.
                    return Some((path.clone(), keys::holds_whole_number(key)));
                }
                Value::Table(inner)
                    if depth == last && depth == 1 && segments.first().is_some_and(|s| s.0 == "drivers") =>
                {
                    let numeric = inner.keys().any(|k| DISTRIBUTION_FORMS.contains(&k) && k != "categorical");
                    if !numeric {
                        self.error(
                            span,
                            format!("factor `{path}`: a categorical driver cannot be a factor"),
                            "categorical",
                            "explore its categories' weights instead, e.g. drivers.x.categorical.a (and keep them summing to 1), or make separate variants",
                        );
                        return None;
                    }
                    return Some((format!("{path}.fixed"), false));
                }
                Value::Table(inner) if depth < last => table = inner,
                other => {
                    let kind = other.kind();
                    let message = if walked == *path {
                        format!("factor `{path}` is {kind}, not a number")
                    } else {
                        format!("factor path `{path}`: `{walked}` is {kind}, not a number")
                    };
                    self.error(
                        span,
                        message,
                        "not a number",
                        "a factor is one number of the scenario (a driver, or a parameter such as \
                         events.armed_clash.probability or drivers.x.beta.alpha)",
                    );
                    return None;
                }
            }
        }
        None
    }
}
