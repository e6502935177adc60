//! `[correlations]`: pairs of drivers with a target Spearman rank correlation, and the matrix they
//! make (positive definite, or repaired with `repair = true`).
//!
//! A pair is `"a ~ b" = ρ` or `"a ~ b" = { rho = ρ, source = "…" }` (with the register keys of every
//! assumption); ρ = 0 states independence and takes the pair out of the matrix (how a variant or
//! `--set` removes a pair). Each pair's problems are reported at its key or value; a matrix that is
//! not positive definite is reported at the last-written pair of the smallest set that conflicts,
//! with the nearest valid matrix in the help.

use crate::scenario::correlation::{
    cholesky, frobenius_distance, nearest_correlation, pearson_matrix, smallest_conflict, spearman_matrix,
};
use crate::scenario::diagnostic::{Problem, suggestion};
use crate::scenario::distribution::Distribution;
use crate::scenario::keys;
use crate::scenario::schema::{About, Correlation, Correlations, Driver, Repair};
use crate::scenario::source::{Entry, Span, Table, Value, content_span};

use super::{Decoder, num};

/// A stated pair and where it was written.
struct Stated {
    pair: Correlation,
    key_span: Span,
}

impl Decoder<'_> {
    /// Decodes `[correlations]` (absent: no correlations). `None` when any pair is wrong.
    pub(super) fn correlations(
        &mut self,
        section: Option<&Entry>,
        drivers: &[Driver],
    ) -> Option<Correlations> {
        let Some(section) = section else { return Some(Correlations::default()) };
        let example = "[correlations] with \"driver_a ~ driver_b\" = { rho = -0.4, source = \"…\" }";
        let table = self.table(&section.node, "`correlations`", example)?;
        let mut ok = true;
        let mut repair = false;
        let mut stated: Vec<Stated> = Vec::new();
        for entry in &table.entries {
            if entry.key == "repair" {
                match self.boolean(&entry.node, "`repair`") {
                    Some(value) => repair = value,
                    None => ok = false,
                }
                continue;
            }
            match self.pair(entry, drivers, &stated) {
                Some(pair) => stated.push(Stated { pair, key_span: entry.key_span }),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        self.matrix(stated, repair)
    }

    /// One `"a ~ b" = …` entry, checked against the drivers and the pairs before it.
    fn pair(&mut self, entry: &Entry, drivers: &[Driver], before: &[Stated]) -> Option<Correlation> {
        let Some((first, second)) = entry.key.split_once('~') else {
            let mut allowed = keys::names(keys::CORRELATIONS);
            allowed.push("\"driver_a ~ driver_b\"");
            self.error(
                entry.key_span,
                format!("unknown key `{}` in [correlations]", entry.key),
                "not a pair",
                format!(
                    "write a pair of drivers as \"driver_a ~ driver_b\" = rho (quotes included); {}",
                    suggestion(&entry.key, &allowed, "keys of [correlations]")
                ),
            );
            return None;
        };
        let raw = self.sources.slice(entry.key_span).to_string();
        let name_span = |name: &str, offset: usize| {
            content_span(
                entry.key_span,
                &raw,
                &entry.key,
                offset + name.len() - name.trim_start().len(),
                name.trim().len(),
            )
        };
        let second_offset = first.len() + 1;
        let (first_span, second_span) = (name_span(first, 0), name_span(second, second_offset));
        let (first, second) = (first.trim(), second.trim());
        let mut ok = true;
        for (name, span) in [(first, first_span), (second, second_span)] {
            ok &= self.correlated_driver(name, span, drivers).is_some();
        }
        if ok && first == second {
            self.error(
                entry.key_span,
                format!("`{first}` is paired with itself in [correlations]"),
                "a driver with itself",
                "a driver's rank correlation with itself is 1; pair it with another driver",
            );
            ok = false;
        }
        if let Some(earlier) = before.iter().find(|s| {
            (s.pair.first == first && s.pair.second == second)
                || (s.pair.first == second && s.pair.second == first)
        }) {
            let written = format!("{} ~ {}", earlier.pair.first, earlier.pair.second);
            self.push(
                Problem::error(
                    format!("the pair `{first} ~ {second}` is stated twice in [correlations]"),
                    entry.key_span,
                    "stated again here",
                )
                .note(earlier.key_span, "first stated here")
                .help(format!(
                    "`a ~ b` and `b ~ a` are one pair: keep one of them (a variant changes an inherited pair by \
                     writing it as the parent does, \"{written}\")"
                )),
            );
            ok = false;
        }
        let what = format!("correlation `{first} ~ {second}`");
        let (spearman, about) = match &entry.node.value {
            Value::Table(table) => self.pair_table(table, entry, &what)?,
            _ => (self.rho(&entry.node, &what)?, About::default()),
        };
        ok.then(|| Correlation { first: first.to_string(), second: second.to_string(), spearman, about })
    }

    /// `{ rho = …, source = … }`.
    fn pair_table(&mut self, table: &Table, entry: &Entry, what: &str) -> Option<(f64, About)> {
        let about =
            self.assumption_keys(table, what, &keys::names(keys::CORRELATION), "keys of a correlation");
        let node = self.required(table, "rho", entry.key_span, what, "rho = -0.4")?;
        Some((self.rho(node, what)?, about))
    }

    /// A rank correlation strictly between −1 and 1.
    fn rho(&mut self, node: &crate::scenario::source::Node, what: &str) -> Option<f64> {
        let value = self.number(node, what)?;
        // `number` refuses NaN and ±∞.
        if value.abs() >= 1.0 {
            self.error(
                node.span,
                format!("{what} must be strictly between -1 and 1, found {}", num(value)),
                "out of range",
                "a rank correlation of ±1 would make one driver a function of the other: use e.g. 0.9, \
                 or drive one from the other with a variable's links",
            );
            return None;
        }
        Some(value)
    }

    /// Checks that `name` (at `span`) is a driver with some uncertainty.
    fn correlated_driver(&mut self, name: &str, span: Span, drivers: &[Driver]) -> Option<()> {
        match drivers.iter().find(|d| d.name == name) {
            Some(Driver { distribution: Distribution::Fixed(value), .. }) => {
                self.error(
                    span,
                    format!(
                        "driver `{name}` is fixed at {}: a correlation with it has no effect",
                        num(*value)
                    ),
                    "a fixed driver",
                    "correlate drivers drawn from a distribution, or remove this pair",
                );
                None
            }
            Some(_) => Some(()),
            None => {
                let names: Vec<&str> = drivers.iter().map(|d| d.name.as_str()).collect();
                let other = self.names.get(name).map(|(kind, _)| kind.words());
                let help = match other {
                    Some(kind) => format!(
                        "`{name}` is {kind}; only drivers (drawn once per run) can be correlated: {}",
                        suggestion(name, &names, "drivers")
                    ),
                    None => suggestion(name, &names, "drivers"),
                };
                self.error(
                    span,
                    format!("`{name}` in [correlations] is not a driver"),
                    "unknown driver",
                    help,
                );
                None
            }
        }
    }

    /// The matrix of the pairs with ρ ≠ 0: checked, and repaired when asked.
    fn matrix(&mut self, stated: Vec<Stated>, repair: bool) -> Option<Correlations> {
        let mut drivers: Vec<String> = Vec::new();
        for s in stated.iter().filter(|s| s.pair.spearman != 0.0) {
            for name in [&s.pair.first, &s.pair.second] {
                if !drivers.contains(name) {
                    drivers.push(name.clone());
                }
            }
        }
        let size = drivers.len();
        let index = |name: &str| drivers.iter().position(|d| d == name).unwrap_or(0);
        let mut matrix = vec![0.0; size * size];
        for i in 0..size {
            if let Some(cell) = matrix.get_mut(i * size + i) {
                *cell = 1.0;
            }
        }
        for s in stated.iter().filter(|s| s.pair.spearman != 0.0) {
            let (i, j) = (index(&s.pair.first), index(&s.pair.second));
            for k in [i * size + j, j * size + i] {
                if let Some(cell) = matrix.get_mut(k) {
                    *cell = s.pair.spearman;
                }
            }
        }
        let pearson = pearson_matrix(&matrix, size);
        let pairs = |s: &[Stated]| s.iter().map(|s| s.pair.clone()).collect::<Vec<_>>();
        let Err(failed) = cholesky(&pearson, size) else {
            return Some(Correlations { pairs: pairs(&stated), repair, drivers, matrix, repaired: None });
        };
        let nearest = nearest_correlation(&pearson, size).map(|p| spearman_matrix(&p, size));
        if repair && let Some(used) = nearest {
            let distance = frobenius_distance(&matrix, &used);
            let repaired = Some(Repair { stated: matrix, distance });
            return Some(Correlations { pairs: pairs(&stated), repair, drivers, matrix: used, repaired });
        }
        let rows = smallest_conflict(&pearson, size, failed);
        let in_conflict: Vec<&Stated> = stated
            .iter()
            .filter(|s| s.pair.spearman != 0.0)
            .filter(|s| rows.contains(&index(&s.pair.first)) && rows.contains(&index(&s.pair.second)))
            .collect();
        let names: Vec<String> =
            in_conflict.iter().map(|s| format!("`{} ~ {}`", s.pair.first, s.pair.second)).collect();
        let Some((last, others)) = in_conflict.split_last() else {
            self.push(Problem::nowhere("the correlations cannot hold together (no pair was found to blame)"));
            return None;
        };
        let suggestion = match &nearest {
            Some(used) => {
                let changes: Vec<String> = stated
                    .iter()
                    .filter_map(|s| {
                        let (i, j) = (index(&s.pair.first), index(&s.pair.second));
                        let value = used.get(i * size + j).copied().unwrap_or(0.0);
                        ((value - s.pair.spearman).abs() >= 0.0005 && s.pair.spearman != 0.0).then(|| {
                            format!(
                                "\"{} ~ {}\" = {}",
                                s.pair.first,
                                s.pair.second,
                                crate::format::fixed(value, 3)
                            )
                        })
                    })
                    .collect();
                let unstated = unstated_changes(&drivers, &matrix, used);
                let distance = frobenius_distance(&matrix, used);
                format!(
                    "the nearest valid matrix (Higham 2002; Frobenius distance {}) has {}{}; write those, or add \
                     `repair = true` to [correlations] to use it",
                    crate::format::fixed(distance, 3),
                    changes.join(", "),
                    unstated
                )
            }
            None => "weaken some of these pairs until they can hold together".to_string(),
        };
        let mut problem = Problem::error(
            format!(
                "the rank correlations {} cannot hold together: their matrix is not positive definite",
                join_and(&names)
            ),
            last.key_span,
            "conflicts with the pairs before it",
        )
        .help(suggestion);
        for other in others {
            problem = problem.note(other.key_span, "in the conflict");
        }
        self.push(problem);
        None
    }
}

/// ", and between drivers stated independent: …" when the nearest matrix moves pairs not stated.
fn unstated_changes(drivers: &[String], stated: &[f64], used: &[f64]) -> String {
    let size = drivers.len();
    let mut out = Vec::new();
    for i in 0..size {
        for j in 0..i {
            let (before, after) = (
                stated.get(i * size + j).copied().unwrap_or(0.0),
                used.get(i * size + j).copied().unwrap_or(0.0),
            );
            if before == 0.0 && after.abs() >= 0.0005 {
                let (a, b) =
                    (drivers.get(j).map_or("", String::as_str), drivers.get(i).map_or("", String::as_str));
                out.push(format!("\"{a} ~ {b}\" = {}", crate::format::fixed(after, 3)));
            }
        }
    }
    if out.is_empty() { String::new() } else { format!(" and, for pairs not stated, {}", out.join(", ")) }
}

/// "`a`, `b` and `c`".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
