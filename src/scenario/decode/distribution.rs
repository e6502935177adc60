//! Distribution forms: `fixed`, `uniform`, `normal`, … each with its parameters checked.

use statrs::distribution::ContinuousCDF;

use crate::scenario::diagnostic::{Problem, closest};
use crate::scenario::distribution::Distribution;
use crate::scenario::keys;
use crate::scenario::load::DISTRIBUTION_FORMS;
use crate::scenario::source::{Entry, Node, Span, Table, Value};

use super::{Decoder, FORM_EXAMPLES, WEIGHT_TOLERANCE, num, num_precise, range_text};

impl Decoder<'_> {
    /// A value that is a number (fixed) or a table holding one distribution form.
    pub(super) fn distribution_value(&mut self, node: &Node, what: &str) -> Option<Distribution> {
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
    pub(super) fn distribution_in(&mut self, table: &Table, owner: Span, what: &str) -> Option<Distribution> {
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
            [form] => {
                let distribution = self.form(form, what)?;
                self.computable(distribution, form, what)
            }
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
    pub(super) fn params(
        &mut self,
        node: &Node,
        form: &str,
        keys: &[&str],
        example: &str,
    ) -> Option<Vec<Option<(f64, Span)>>> {
        let table = self.form_table(node, form, "parameters", example)?;
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

    pub(super) fn missing_params(&mut self, node: &Node, form: &str, missing: &[&str], example: &str) {
        let list: Vec<String> = missing.iter().map(|k| format!("`{k}`")).collect();
        self.error(
            node.span,
            format!("`{form}` needs {}", list.join(" and ")),
            "missing parameters",
            format!("write e.g. {example}"),
        );
    }

    pub(super) fn form(&mut self, entry: &Entry, what: &str) -> Option<Distribution> {
        let node = &entry.node;
        let form = entry.key.as_str();
        match form {
            "fixed" => self.number(node, &format!("{what}'s fixed value")).map(Distribution::Fixed),
            "bernoulli" => self.probability(node, "`bernoulli` probability").map(Distribution::Bernoulli),
            "uniform" => {
                let example = "uniform = { min = 0.2, max = 0.6 }";
                let p = self.params(node, form, keys::parameters(form), example)?;
                let [Some((min, _)), Some((max, max_span))] = p[..] else {
                    return self.missing(node, form, &p, &["min", "max"], example);
                };
                self.ordered(min, max, max_span, form)?;
                Some(Distribution::Uniform { min, max })
            }
            "normal" => {
                let example = "normal = { mean = 0, sd = 1 } (optional min and max truncate it)";
                let p = self.params(node, form, keys::parameters(form), example)?;
                let [Some((mean, _)), Some((sd, sd_span)), min, max] = p[..] else {
                    return self.missing(node, form, p.get(..2).unwrap_or(&[]), &["mean", "sd"], example);
                };
                self.positive(
                    sd,
                    sd_span,
                    "`normal` sd",
                    "sd ≤ 0",
                    "a standard deviation is positive; for a constant write `fixed = …`",
                )?;
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
                let p = self.params(node, form, keys::parameters(form), example)?;
                match p[..] {
                    [Some((p5, p5_span)), Some((p95, p95_span)), None, None] => {
                        self.positive(
                            p5,
                            p5_span,
                            "`lognormal` p5",
                            "≤ 0",
                            "a lognormal quantity is positive; give its 5th percentile above 0",
                        )?;
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
                        self.positive(
                            sigma,
                            sigma_span,
                            "`lognormal` sigma",
                            "σ ≤ 0",
                            "sigma is the sd of ln X: positive",
                        )?;
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
                let p = self.params(node, form, keys::parameters(form), example)?;
                match p[..] {
                    [Some((alpha, alpha_span)), Some((beta, beta_span)), None, None] => {
                        let help = "beta shape parameters are positive, e.g. alpha = 8, beta = 3";
                        let alpha_ok =
                            self.positive(alpha, alpha_span, "`beta` α (alpha)", "must be > 0", help);
                        let beta_ok = self.positive(beta, beta_span, "`beta` β (beta)", "must be > 0", help);
                        alpha_ok.and(beta_ok).map(|()| Distribution::Beta { alpha, beta })
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
                let p = self.params(node, form, keys::parameters(form), &example)?;
                let [Some((min, _)), Some((mode, mode_span)), Some((max, max_span))] = p[..] else {
                    return self.missing(node, form, &p, &["min", "mode", "max"], &example);
                };
                let distribution = if form == "pert" {
                    Distribution::Pert { min, mode, max }
                } else {
                    Distribution::Triangular { min, mode, max }
                };
                let within_mode = min <= mode && mode <= max;
                let message =
                    format!("`{form}` max must exceed min, found min = {}, max = {}", num(min), num(max));
                let help = "min < max; for a constant write `fixed = …`";
                self.ensure(min < max, max_span, message, "not above min", help)?;
                let (mode, min, max) = (num(mode), num(min), num(max));
                let message = format!("`{form}` mode {mode} lies outside [min, max] = [{min}, {max}]");
                let help = "the mode is the most likely value: min ≤ mode ≤ max";
                self.ensure(within_mode, mode_span, message, "outside [min, max]", help)?;
                Some(distribution)
            }
            "poisson" => {
                let example = "poisson = { mean = 3 }";
                let p = self.params(node, form, keys::parameters(form), example)?;
                let [Some((mean, span))] = p[..] else {
                    return self.missing(node, form, &p, &["mean"], example);
                };
                self.positive(
                    mean,
                    span,
                    "`poisson` mean",
                    "must be > 0",
                    "a Poisson count has a positive mean; for 0 write `fixed = 0`",
                )?;
                Some(Distribution::Poisson { mean })
            }
            "categorical" => self.categorical(node),
            _ => None,
        }
    }

    /// The distribution if it can be drawn from (finite values in both 1e-12 tails, parameters
    /// within the caps of the inverse CDFs), else an error at its parameters.
    fn computable(&mut self, distribution: Distribution, form: &Entry, what: &str) -> Option<Distribution> {
        match distribution.check_computable() {
            Ok(()) => Some(distribution),
            Err(problem) => {
                self.error(
                    form.node.span,
                    format!("{what}: {}", problem.message),
                    "cannot be computed",
                    problem.help,
                );
                None
            }
        }
    }

    pub(super) fn missing(
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

    /// The table a distribution form takes (`contents`: "parameters"), or an error with `example`.
    fn form_table<'a>(
        &mut self,
        node: &'a Node,
        form: &str,
        contents: &str,
        example: &str,
    ) -> Option<&'a Table> {
        let Value::Table(table) = &node.value else {
            let kind = node.value.kind();
            self.error(
                node.span,
                format!("`{form}` takes a table of {contents}, found {kind}"),
                "expected a table",
                format!("write e.g. {example}"),
            );
            return None;
        };
        Some(table)
    }

    pub(super) fn ordered(&mut self, min: f64, max: f64, max_span: Span, form: &str) -> Option<()> {
        let message = format!("`{form}` min {} is greater than max {}", num(min), num(max));
        self.ensure(min <= max, max_span, message, "below min", "swap them: min ≤ max")
    }

    pub(super) fn categorical(&mut self, node: &Node) -> Option<Distribution> {
        let example = "categorical = { frozen = 0.45, settlement = 0.35, gains = 0.12, collapse = 0.08 }";
        let table = self.form_table(node, "categorical", "outcomes and probabilities", example)?;
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
    pub(super) fn numeric_distribution(&mut self, node: &Node, what: &str) -> Option<Distribution> {
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
    pub(super) fn within(
        &mut self,
        d: &Distribution,
        node: &Node,
        what: &str,
        lo: f64,
        hi: f64,
    ) -> Option<()> {
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
