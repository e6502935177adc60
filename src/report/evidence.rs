//! report.html's "Evidence" section: how likely the model made what happened (each item and all
//! together, with Monte Carlo intervals and forecast scores), the effective sample size, and every
//! driver and outcome before and after the evidence, as a table and as overlaid bars (prior grey,
//! posterior blue: a probability's bar, or a quantity's p5–p95 range with its median).

use std::fmt::Write as _;

use super::html::escape;
use crate::format::{count, number, percent, percent_interval};
use crate::stats::evidence::{EvidenceSummary, WeightedStatistics};

/// Appends the section to `page`.
pub(crate) fn section(page: &mut String, evidence: &EvidenceSummary) {
    page.push_str("<section id=\"evidence\">\n<h2>Evidence: the model updated by what happened</h2>\n");
    let _ = writeln!(
        page,
        "<p>Each run is weighed by the evidence: {} of {} runs are consistent with it, an effective sample size \
         of {}. The evidence's probability under the model is <strong>{}</strong> ({}).</p>",
        count(evidence.accepted_runs),
        count(evidence.runs),
        number(evidence.effective_sample_size),
        percent(evidence.probability.value),
        percent_interval(evidence.probability.lower, evidence.probability.upper)
    );
    if let Some(warning) = &evidence.warning {
        let _ = writeln!(page, "<p class=\"warning\"><strong>Warning:</strong> {}</p>", escape(warning));
    }
    page.push_str(
        "<div class=\"scroll\"><table class=\"numbers wrap\">\n<thead><tr><th scope=\"col\">Evidence</th>\
         <th scope=\"col\">P under the model</th><th scope=\"col\">95% interval</th><th scope=\"col\">Brier</th>\
         <th scope=\"col\">no skill</th><th scope=\"col\">log score</th><th scope=\"col\">no skill</th></tr></thead>\n<tbody>\n",
    );
    for item in &evidence.items {
        let _ = write!(
            page,
            "<tr><th scope=\"row\">{}<span class=\"measure\"><code>{}</code> {} · by {}</span></th><td>{}</td><td>{}</td>",
            escape(&item.name),
            escape(&item.observe),
            escape(&item.observed),
            escape(&item.measured_at),
            percent(item.probability.value),
            percent_interval(item.probability.lower, item.probability.upper)
        );
        score_cells(page, item.scores);
        page.push_str("</tr>\n");
    }
    let _ = write!(
        page,
        "<tr><th scope=\"row\">All together</th><td>{}</td><td>{}</td>",
        percent(evidence.probability.value),
        percent_interval(evidence.probability.lower, evidence.probability.upper)
    );
    score_cells(page, evidence.scores);
    page.push_str("</tr>\n</tbody>\n</table></div>\n");
    page.push_str(
        "<p class=\"note\">P under the model: the share of runs consistent with the item (for a measured item, \
         its mean likelihood relative to a perfect match), with its Monte Carlo interval. Brier (1 − p)², lower \
         is better; log score ln p, higher is better; the no-skill forecast gives each fact its base rate \
         (50% unless the file says).</p>\n",
    );
    if evidence.posterior_runs > 0 {
        posterior_table(page, evidence);
    }
    let _ = writeln!(page, "<p class=\"note\">{}</p>\n</section>", escape(&evidence.method));
}

fn score_cells(page: &mut String, scores: Option<crate::stats::evidence::Scores>) {
    match scores {
        Some(s) => {
            let _ = write!(
                page,
                "<td>{:.3}</td><td>{:.3}</td><td>{}</td><td>{}</td>",
                s.brier,
                s.brier_no_skill,
                s.log.map_or("−∞".to_string(), number),
                number(s.log_no_skill)
            );
        }
        None => page.push_str("<td colspan=\"4\" class=\"none\">measured</td>"),
    }
}

/// The prior → posterior table with its overlaid bars.
fn posterior_table(page: &mut String, evidence: &EvidenceSummary) {
    let _ = writeln!(
        page,
        "<h3>Prior and posterior</h3>\n<p class=\"note\">Prior: the first {} runs, every run weighing 1. \
         Posterior: {} runs weighed by the evidence. Bars: prior grey, posterior blue (probabilities as bars; \
         other quantities as their p5–p95 range with the median marked). Under each posterior range, the 95% \
         Monte Carlo intervals of its p5, median and p95 (Woodruff's, from the weighted distribution's \
         standard error: they widen as the effective sample size shrinks).</p>",
        count(evidence.prior_runs),
        count(evidence.posterior_runs)
    );
    page.push_str(
        "<div class=\"scroll\"><table class=\"numbers wrap posterior\">\n<thead><tr><th scope=\"col\">Driver or outcome</th>\
         <th scope=\"col\">Prior</th><th scope=\"col\">Posterior</th><th scope=\"col\">95% interval</th>\
         <th scope=\"col\">Prior p5–p95</th><th scope=\"col\">Posterior p5–p95<span class=\"measure\">each with its 95% interval</span></th><th scope=\"col\">Prior vs posterior</th></tr></thead>\n<tbody>\n",
    );
    for driver in &evidence.drivers {
        if let Some(categories) = &driver.categories {
            for category in categories {
                let post = category.posterior.map_or(0.0, |p| p.mean);
                let _ = write!(
                    page,
                    "<tr><th scope=\"row\">{}<span class=\"measure\">driver · category</span></th><td>{}</td><td>{}</td><td>{}</td><td></td><td></td>",
                    escape(&format!("{}={}", driver.name, category.name)),
                    category.prior.map_or("–".into(), percent),
                    percent(post),
                    category
                        .posterior
                        .map_or("–".into(), |p| percent_interval(p.lower.max(0.0), p.upper.min(1.0)))
                );
                let _ = writeln!(page, "<td>{}</td></tr>", bars(category.prior.unwrap_or(0.0), post));
            }
        } else {
            row(page, &driver.name, "driver", (driver.prior, driver.posterior), (false, false));
        }
    }
    for outcome in &evidence.outcomes {
        let what = format!("outcome · {}", outcome.measured_at);
        let kind = (outcome.probability, outcome.share);
        row(page, &outcome.name, &what, (outcome.prior, outcome.posterior), kind);
    }
    page.push_str("</tbody>\n</table></div>\n");
}

fn row(
    page: &mut String,
    name: &str,
    what: &str,
    (prior, posterior): (Option<WeightedStatistics>, Option<WeightedStatistics>),
    (probability, share): (bool, bool),
) {
    let value = |x: f64| if probability || share { percent(x) } else { number(x) };
    // A 0/1 quantity's runs are 0 or 1: its spread says nothing.
    let spread = |s: Option<WeightedStatistics>| match s {
        Some(s) if !probability => format!("{}–{}", value(s.p5), value(s.p95)),
        _ => String::new(),
    };
    // The posterior's quantiles with their 95% Monte Carlo intervals, below its range.
    let intervals = match posterior {
        Some(s) if !probability => {
            let each = |name: &str, [lower, upper]: [f64; 2]| {
                format!("<span class=\"measure\">{name} {}–{}</span>", value(lower), value(upper))
            };
            [("p5", s.p5_interval), ("p50", s.p50_interval), ("p95", s.p95_interval)]
                .map(|(name, interval)| each(name, interval))
                .concat()
        }
        _ => String::new(),
    };
    let _ = write!(
        page,
        "<tr><th scope=\"row\">{}<span class=\"measure\">{}</span></th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td>",
        escape(name),
        escape(what),
        prior.map_or("–".into(), |s| value(s.mean)),
        posterior.map_or("–".into(), |s| value(s.mean)),
        posterior.map_or("–".into(), |s| format!("{}–{}", value(s.lower), value(s.upper))),
        spread(prior),
        spread(posterior),
        intervals
    );
    let picture = match (prior, posterior) {
        (Some(p), Some(q)) if probability && is_probability(p, q) => bars(p.mean, q.mean),
        (Some(p), Some(q)) => ranges(p, q),
        _ => String::new(),
    };
    let _ = writeln!(page, "<td>{picture}</td></tr>");
}

/// True when both are means of 0/1 values (their quantiles are 0 or 1).
fn is_probability(p: WeightedStatistics, q: WeightedStatistics) -> bool {
    [p.p5, p.p95, q.p5, q.p95].iter().all(|x| *x == 0.0 || *x == 1.0)
}

/// Two bars of 0–100%: prior grey, posterior blue.
fn bars(prior: f64, posterior: f64) -> String {
    let width = |p: f64| (p.clamp(0.0, 1.0) * 100.0 * 10.0).round() / 10.0;
    format!(
        "<svg class=\"bars\" viewBox=\"0 0 100 14\" width=\"160\" height=\"22\" role=\"img\" aria-label=\"prior {}, posterior {}\">\
         <rect x=\"0\" y=\"1\" width=\"100\" height=\"12\" fill=\"#f0f0f0\"/>\
         <rect x=\"0\" y=\"1\" width=\"{}\" height=\"5\" fill=\"#999\"/>\
         <rect x=\"0\" y=\"7\" width=\"{}\" height=\"6\" fill=\"#0072b2\"/></svg>",
        percent(prior),
        percent(posterior),
        width(prior),
        width(posterior)
    )
}

/// The p5–p95 ranges of prior (grey) and posterior (blue) on a common scale, medians marked.
fn ranges(prior: WeightedStatistics, posterior: WeightedStatistics) -> String {
    let low = prior.p5.min(posterior.p5);
    let high = prior.p95.max(posterior.p95);
    let span = if high > low { high - low } else { 1.0 };
    let x = |v: f64| ((v - low) / span * 96.0 + 2.0).clamp(0.0, 100.0);
    let band = |s: WeightedStatistics, y: f64, colour: &str| {
        let (a, b) = (x(s.p5), x(s.p95));
        format!(
            "<rect x=\"{a:.1}\" y=\"{y}\" width=\"{:.1}\" height=\"5\" fill=\"{colour}\"/>\
             <rect x=\"{:.1}\" y=\"{}\" width=\"1.2\" height=\"7\" fill=\"#222\"/>",
            (b - a).max(0.8),
            x(s.p50) - 0.6,
            y - 1.0
        )
    };
    format!(
        "<svg class=\"bars\" viewBox=\"0 0 100 14\" width=\"160\" height=\"22\" role=\"img\" aria-label=\"p5–p95: prior {}–{}, posterior {}–{}\">{}{}</svg>",
        number(prior.p5),
        number(prior.p95),
        number(posterior.p5),
        number(posterior.p95),
        band(prior, 1.0, "#999"),
        band(posterior, 8.0, "#0072b2")
    )
}
