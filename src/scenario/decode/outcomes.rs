//! `[outcomes]`.

use crate::scenario::keys;
use crate::scenario::schema::{Given, Meta, Outcome};
use crate::scenario::source::{Entry, Table};

use super::Decoder;

impl Decoder<'_> {
    pub(super) fn outcome(&mut self, entry: &Entry, meta: Option<&Meta>) -> Option<Outcome> {
        let what = format!("outcome `{}`", entry.key);
        let table = self.table(&entry.node, &what, "[outcomes.x] with measure = \"agreed(issue)\"")?;
        self.check_keys(table, &keys::assumption_names(keys::OUTCOME), "keys of an outcome");
        let about = self.about(table, &what);
        let title = self.optional_string(table, "title", &what).unwrap_or_else(|| entry.key.clone());
        let measure_node =
            self.required(table, "measure", entry.key_span, &what, "measure = \"home_share(population)\"");
        let (text, measure) = match measure_node {
            Some(node) => match self.string(node, "`measure`") {
                Some(text) => (text.to_string(), self.term(text, node.span)),
                None => (String::new(), None),
            },
            None => (String::new(), None),
        };
        let at = self.month_in_horizon(table, meta);
        let series = self.optional(table, "series", false, |d, n| d.boolean(n, "`series`"));
        let headline = self.optional(table, "headline", false, |d, n| d.boolean(n, "`headline`"));
        let given = match table.get("given") {
            None => Some(None),
            Some(e) => self.string(&e.node, "`given`").and_then(|text| {
                let term = self.term(text, e.node.span)?;
                if !term.is_indicator() {
                    self.error(
                        e.node.span,
                        format!("`given` of outcome `{}` is not a 0/1 condition: {text:?}", entry.key),
                        "not 0 or 1 in every run",
                        "use a condition such as \"agreed(issue)\", \"ever(event)\" or \"driver=category\"",
                    );
                    return None;
                }
                Some(Some(Given { text: text.to_string(), term }))
            }),
        };
        Some(Outcome {
            name: entry.key.clone(),
            title,
            about,
            text,
            measure: measure?,
            at: at?,
            series: series?,
            given: given?,
            headline: headline?,
        })
    }

    /// A table's optional `at` month as months since start, checked to lie within the horizon:
    /// `Some(None)` when absent, `None` when wrong (reported).
    pub(super) fn month_in_horizon(&mut self, table: &Table, meta: Option<&Meta>) -> Option<Option<u32>> {
        match (table.get("at"), meta) {
            (Some(e), Some(meta)) => {
                let month = self.year_month(&e.node, "`at`");
                month.and_then(|month| {
                    let since = month.months_since(meta.start);
                    let last = meta.start.plus(meta.horizon.saturating_sub(1));
                    if since < 0 || since >= i64::from(meta.horizon) {
                        self.error(
                            e.node.span,
                            format!(
                                "`at` = {month} is outside the simulated months {} to {last}",
                                meta.start
                            ),
                            "outside the horizon",
                            format!("choose a month from {} to {last}, or lengthen `horizon`", meta.start),
                        );
                        return None;
                    }
                    Some(Some(since as u32))
                })
            }
            (Some(_), None) => None,
            (None, _) => Some(None),
        }
    }
}
