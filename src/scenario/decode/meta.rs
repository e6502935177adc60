//! The `[scenario]` table.

use crate::scenario::keys;
use crate::scenario::schema::Meta;
use crate::scenario::source::{Entry, Node};

use super::{DEFAULT_RUNS, DEFAULT_SEED, Decoder, MAX_HORIZON, MAX_RUNS};

impl Decoder<'_> {
    pub(super) fn meta(&mut self, entry: &Entry) -> Option<Meta> {
        let table = self.table(&entry.node, "`[scenario]`", "[scenario] with name = \"…\"")?;
        self.check_keys(table, &keys::names(keys::SCENARIO), "keys of [scenario]");
        let owner = entry.key_span;
        let name = self.required(table, "name", owner, "[scenario]", "name = \"my_scenario\"").and_then(|node| {
            let name = self.string(node, "the scenario's `name`")?;
            let valid = !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
            if !valid {
                let fixed: String = name
                    .to_lowercase()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
                    .collect();
                self.error(
                    node.span,
                    format!("the scenario's `name` must use only a-z, 0-9, `_` and `-`, found {name:?}"),
                    "invalid name",
                    format!("it names the output folder; write e.g. name = \"{fixed}\" and put free text in `title`"),
                );
                return None;
            }
            Some(name.to_string())
        });
        let title = self.optional_string(table, "title", "[scenario]");
        let description = self.optional_string(table, "description", "[scenario]");
        let start = self
            .required(table, "start", owner, "[scenario]", "start = \"2024-01\"")
            .and_then(|node| self.year_month(node, "`start`"));
        let horizon = self
            .required(table, "horizon", owner, "[scenario]", "horizon = 120")
            .and_then(|node| self.whole(node, "`horizon` (months)", 1, MAX_HORIZON))
            .map(|h| h as u32);
        self.horizon = horizon;
        let runs = self.optional(table, "runs", DEFAULT_RUNS, |d, n| d.runs(n));
        let seed = self.optional(table, "seed", DEFAULT_SEED, |d, n| {
            d.whole(n, "`seed`", 0, i64::MAX).map(|s| s as u64)
        });
        if let Some(e) = table.get("extends") {
            self.string(&e.node, "`extends`");
        }
        let name = name?;
        Some(Meta {
            title: title.unwrap_or_else(|| name.clone()),
            name,
            description,
            start: start?,
            horizon: horizon?,
            runs: runs?,
            seed: seed?,
        })
    }

    /// `runs`: a whole number from 1 to [`MAX_RUNS`].
    fn runs(&mut self, node: &Node) -> Option<u64> {
        let runs = self.whole(node, "`runs`", 1, i64::MAX)? as u64;
        if runs > MAX_RUNS {
            self.error(
                node.span,
                format!("`runs` must be at most {MAX_RUNS}, found {runs}"),
                "too many runs",
                "a billion runs of even a small scenario take days, and the Monte Carlo error shrinks only as \
                 1/√runs: 10,000 runs estimate a probability to within ±1%",
            );
            return None;
        }
        Some(runs)
    }
}
