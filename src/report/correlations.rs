//! report.html's "Correlated drivers" section: each stated pair's target rank correlation, what the
//! drawn values should show (lower than the target where a categorical or 0/1 driver ties), and
//! the Spearman ρ the runs achieved with its 95% interval (Fisher's z), and the copula's
//! construction; [`table`] is also each correlated scenario's block in a comparison's report.

use std::fmt::Write as _;

use super::html::escape;
use crate::format::{count, signed_rho};
use crate::stats::correlations::CorrelationsSummary;

/// Appends the section to `page`.
pub(crate) fn section(page: &mut String, correlations: &CorrelationsSummary) {
    page.push_str("<section id=\"correlations\">\n<h2>Correlated drivers</h2>\n");
    let _ = writeln!(
        page,
        "<p>The drivers below are drawn together through a Gaussian copula on their uniforms, so each keeps \
         its own distribution. The achieved rank correlations are over {} runs.</p>",
        count(correlations.runs)
    );
    table(page, correlations);
    page.push_str("</section>\n");
}

/// Appends the construction, the table of pairs (target, expected, achieved with its interval) and
/// the note on its columns; the run report's section and each scenario of a comparison use it.
pub(crate) fn table(page: &mut String, correlations: &CorrelationsSummary) {
    let _ = writeln!(page, "<p>Construction: {}.</p>", with_code(&correlations.construction_note));
    page.push_str(
        "<div class=\"scroll\"><table class=\"numbers wrap\">\n<thead><tr><th scope=\"col\">Pair</th>\
         <th scope=\"col\">Target ρ</th><th scope=\"col\">Expected ρ of the values</th>\
         <th scope=\"col\">Achieved ρ</th><th scope=\"col\">95% interval</th></tr></thead>\n<tbody>\n",
    );
    for pair in &correlations.pairs {
        let expected = pair.expected.map_or("–".to_string(), signed_rho);
        let achieved = pair.spearman.map_or("–".to_string(), signed_rho);
        let interval = match (pair.lower, pair.upper) {
            (Some(lower), Some(upper)) => format!("{} to {}", signed_rho(lower), signed_rho(upper)),
            _ => "–".to_string(),
        };
        let _ = writeln!(
            page,
            "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&pair.pair),
            signed_rho(pair.target),
            expected,
            achieved,
            interval
        );
    }
    page.push_str("</tbody>\n</table></div>\n");
    let _ = writeln!(
        page,
        "<p class=\"note\">Target: the Spearman ρ of the two drivers' uniforms (the repaired value where \
         <code>repair = true</code> changed it). Expected: the ρ their drawn values should have — the target, \
         or less where a categorical or 0/1 driver's values tie (– where not computed). Interval: {}.</p>",
        escape(&correlations.interval)
    );
}

/// `text` escaped, its `backticked` spans as `<code>`.
fn with_code(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(k, part)| if k % 2 == 1 { format!("<code>{}</code>", escape(part)) } else { escape(part) })
        .collect()
}
