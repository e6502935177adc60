//! report.html of a comparison: one self-contained page — the scenarios, their outcomes side by
//! side, the paired differences against the baseline with their intervals and variance reductions,
//! every chart as inline SVG, the assumptions that differ and each resolved scenario file.
//!
//! Like the run report it fetches nothing (inline CSS and SVG, no scripts, no fonts), and the same
//! inputs give the same bytes: the date and wall time are inputs ([`RunMetadata`]).

use std::fmt::Write as _;

use super::CompareOutput;
use crate::format::signed_difference;
use crate::report::charts::{Chart, format};
use crate::report::html::{RunMetadata, STYLE, charts, escape, metadata_list};
use crate::scenario::{AssumptionChange, Change, RegisterEntry};
use crate::stats::paired::{OutcomeComparison, PairedDifference, ScenarioDifference, VarianceReduction};
use crate::stats::{OutcomeStatistics, OutcomeSummary};

/// Everything a comparison's report.html is made from.
#[derive(Debug, Clone, Copy)]
pub struct CompareReport<'a> {
    /// The comparison and the scenarios' runs.
    pub output: &'a CompareOutput<'a>,
    /// How the runs were made (seed, runs, version, date, wall time, threads).
    pub metadata: &'a RunMetadata,
    /// The comparison's charts, in the order to show them.
    pub charts: &'a [Chart],
}

/// Styles the comparison adds to the run report's.
const COMPARE_STYLE: &str = "
h3{font-size:1.1rem;margin:1.6rem 0 .6rem}
.baseline{font-weight:normal;color:var(--muted);font-size:.85em}
.keys{margin:0;padding-left:1.1rem}
.added{color:#007a55}.removed{color:#b04600}
details{margin:.6rem 0}
summary{cursor:pointer;font-weight:600}
";

/// The comparison's page: a complete HTML5 document.
pub fn render_compare_report(input: &CompareReport<'_>) -> String {
    let comparison = input.output.comparison;
    let labels: Vec<String> =
        comparison.scenarios.iter().map(|s| format!("<code>{}</code>", escape(&s.label))).collect();
    let (baseline, others) = labels.split_first().map_or(("", &[][..]), |(b, o)| (b.as_str(), o));
    let title = format!(
        "Comparison: {}",
        comparison.scenarios.iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join(" vs ")
    );
    let mut page = String::with_capacity(64 * 1024 + input.charts.iter().map(|c| c.svg.len()).sum::<usize>());
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(page, "<title>{} — crossroads report</title>", escape(&title));
    let _ = writeln!(page, "<style>{STYLE}{COMPARE_STYLE}</style>\n</head>\n<body>\n<main>");
    let _ = writeln!(page, "<header>\n<h1>{}</h1>", escape(&title));
    let _ = writeln!(
        page,
        "<p class=\"lede\">Baseline {baseline} against {}: {} runs each on common random numbers. Run k of \
         every scenario draws the same random numbers wherever the scenarios share a name, so a difference \
         measures the assumptions changed, not Monte Carlo noise.</p>",
        others.join(", "),
        format::count(comparison.runs)
    );
    page.push_str("<nav><ul>\n<li><a href=\"#summary\">Summary</a></li>\n");
    if comparison.evidence.is_some() {
        page.push_str("<li><a href=\"#evidence\">Evidence</a></li>\n");
    }
    page.push_str(
        "<li><a href=\"#assumptions\">Assumptions that differ</a></li>\n\
         <li><a href=\"#differences\">Differences</a></li>\n<li><a href=\"#outcomes\">Outcomes</a></li>\n",
    );
    if !input.charts.is_empty() {
        page.push_str("<li><a href=\"#charts\">Charts</a></li>\n");
    }
    page.push_str("<li><a href=\"#scenarios\">Scenarios</a></li>\n");
    if input.output.runs.iter().any(|r| r.run.summary.correlations.is_some()) {
        page.push_str("<li><a href=\"#correlations\">Correlated drivers</a></li>\n");
    }
    page.push_str("<li><a href=\"#scenario-files\">Scenario files</a></li>\n</ul></nav>\n");
    page.push_str("</header>\n");
    summary(&mut page, input.output);
    metadata(&mut page, input.metadata);
    if let Some(evidence) = &comparison.evidence {
        evidence_section(&mut page, evidence);
    }
    assumptions(&mut page, input.output);
    differences(&mut page, input.output);
    outcomes(&mut page, input.output);
    charts(&mut page, input.charts);
    scenarios(&mut page, input.output);
    correlations(&mut page, input.output);
    scenario_files(&mut page, input.output);
    let _ = writeln!(
        page,
        "</main>\n<footer>Made by crossroads {}.</footer>\n</body>\n</html>",
        escape(&input.metadata.version)
    );
    page
}

/// The "Evidence" section: each scenario's evidence probability and Bayes factor against the
/// baseline, with their intervals.
fn evidence_section(page: &mut String, evidence: &crate::stats::evidence::EvidenceComparison) {
    let _ = writeln!(
        page,
        "<section id=\"evidence\">\n<h2>Evidence: which scenario did history favour?</h2>\n<p>Every scenario \
         carries the same evidence ({}). A Bayes factor above 1 says history made the scenario likelier than \
         the baseline.</p>\n<div class=\"scroll\"><table class=\"numbers wrap\">\n<thead><tr><th scope=\"col\">\
         Scenario</th><th scope=\"col\">P(evidence)</th><th scope=\"col\">95% interval</th><th scope=\"col\">\
         Consistent runs</th><th scope=\"col\">ESS</th><th scope=\"col\">Bayes factor</th><th scope=\"col\">\
         95% interval</th></tr></thead>\n<tbody>",
        evidence.items.iter().map(|i| format!("<code>{}</code>", escape(i))).collect::<Vec<_>>().join(", ")
    );
    for s in &evidence.scenarios {
        let _ = writeln!(
            page,
            "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&s.scenario),
            crate::format::percent(s.probability.value),
            crate::format::percent_interval(s.probability.lower, s.probability.upper),
            format::count(s.accepted_runs),
            crate::format::number(s.effective_sample_size),
            s.bayes_factor.map_or_else(|| "– (no run matched)".into(), |b| crate::format::compact(b, 3)),
            match (s.lower, s.upper) {
                (Some(lower), Some(upper)) =>
                    format!("{}–{}", crate::format::compact(lower, 3), crate::format::compact(upper, 3)),
                _ => String::new(),
            }
        );
    }
    let _ = writeln!(
        page,
        "</tbody>\n</table></div>\n<p class=\"note\">{}</p>\n</section>",
        escape(&evidence.method)
    );
}

/// Differences the summary lists.
const SUMMARY_DIFFERENCES: usize = 12;

/// How large a difference reads, for ordering: percentage points for probabilities, the change
/// relative to the baseline's mean (in percent) otherwise; the two kinds are listed apart.
fn size(outcome: &OutcomeComparison, d: &PairedDifference) -> f64 {
    let size = if outcome.probability {
        d.difference.abs() * 100.0
    } else if d.baseline_mean != 0.0 {
        (d.difference / d.baseline_mean).abs() * 100.0
    } else {
        d.difference.abs()
    };
    if size.is_finite() { size } else { 0.0 }
}

/// Every defined difference, probabilities first, each kind largest first (ties in file order).
fn ranked<'a>(output: &'a CompareOutput<'_>) -> Vec<(&'a OutcomeComparison, &'a str, &'a PairedDifference)> {
    let mut rows: Vec<(&OutcomeComparison, &str, &PairedDifference)> = output
        .comparison
        .outcomes
        .iter()
        .flat_map(|o| {
            o.differences
                .iter()
                .filter_map(move |d| d.difference.as_ref().map(|p| (o, d.scenario.as_str(), p)))
        })
        .collect();
    rows.sort_by(|a, b| {
        b.0.probability.cmp(&a.0.probability).then(size(b.0, b.2).total_cmp(&size(a.0, a.2)))
    });
    rows
}

/// True when the difference's 95% interval excludes 0.
fn is_clear(d: &PairedDifference) -> bool {
    d.lower > 0.0 || d.upper < 0.0
}

/// A difference in words with the baseline's level: `+94.8 (+7.40% of 1,281)`, `-0.0298 (-0.0857% of 34.8)`, `+3.2 pp`.
fn difference_text(outcome: &OutcomeComparison, d: &PairedDifference) -> String {
    let text = signed_difference(d.difference, outcome.probability, point_decimals(d));
    if outcome.probability || d.baseline_mean == 0.0 || !d.baseline_mean.is_finite() {
        return text;
    }
    // A relative change to three significant digits, so a small one never reads 0%.
    let relative = d.difference / d.baseline_mean;
    let sign = if relative > 0.0 {
        "+"
    } else if relative < 0.0 {
        "-"
    } else {
        ""
    };
    format!(
        "{text} ({sign}{}% of {})",
        format::number(relative.abs() * 100.0),
        format::number(d.baseline_mean)
    )
}

/// The one-screen summary: the comparison in a sentence and its largest differences, those the
/// runs tell from none first.
fn summary(page: &mut String, output: &CompareOutput<'_>) {
    let comparison = output.comparison;
    let changed: usize = output.changes.iter().map(Vec::len).sum();
    let _ = writeln!(
        page,
        "<section id=\"summary\" class=\"summary\">\n<h2>Summary</h2>\n<p class=\"sentence\">{} against the \
         baseline <code>{}</code>, {} each on the same random numbers; {}. Largest differences \
         first (probabilities in percentage points, then other outcomes by their change relative to the \
         baseline).</p>",
        comparison
            .scenarios
            .iter()
            .skip(1)
            .map(|s| format!("<code>{}</code>", escape(&s.label)))
            .collect::<Vec<_>>()
            .join(", "),
        escape(&comparison.baseline),
        format::counted(comparison.runs, "run", "runs"),
        format::counted(changed as u64, "assumption differs", "assumptions differ")
    );
    let several = comparison.scenarios.len() > 2;
    let rows = ranked(output);
    let clear: Vec<_> = rows.iter().filter(|r| is_clear(r.2)).take(SUMMARY_DIFFERENCES).collect();
    if clear.is_empty() {
        page.push_str("<p>No outcome differs by more than Monte Carlo error.</p>\n");
    } else {
        let _ = write!(
            page,
            "<table class=\"headline wrap\">\n<thead><tr><th scope=\"col\">Outcome</th>{}\
             <th scope=\"col\" class=\"num\">Baseline</th><th scope=\"col\" class=\"num\">Scenario</th>\
             <th scope=\"col\" class=\"num\">Difference</th><th scope=\"col\" class=\"num\">95% interval*</th>\
             </tr></thead>\n<tbody>\n",
            if several { "<th scope=\"col\">Scenario</th>" } else { "" }
        );
        for (outcome, scenario, d) in &clear {
            let level = |x: f64| if outcome.probability { format::percent(x) } else { format::number(x) };
            let _ = writeln!(
                page,
                "<tr><th scope=\"row\">{}</th>{}<td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num strong\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&outcome.title),
                if several { format!("<td><code>{}</code></td>", escape(scenario)) } else { String::new() },
                level(d.baseline_mean),
                level(d.scenario_mean),
                escape(&difference_text(outcome, d)),
                interval(d, outcome.probability)
            );
        }
        page.push_str("</tbody>\n</table>\n");
    }
    let unclear = rows.iter().filter(|r| !is_clear(r.2)).count();
    let _ = writeln!(
        page,
        "<p class=\"note\">{} within Monte Carlo error are left out of this list (all are in \
         <a href=\"#differences\">Differences</a>). * {}</p>\n</section>",
        format::counted(unclear as u64, "difference", "differences"),
        escape(crate::report::headline::MONTE_CARLO_NOTE)
    );
}

fn metadata(page: &mut String, metadata: &RunMetadata) {
    let rows = vec![("Seed", metadata.seed.to_string()), ("Runs per scenario", format::count(metadata.runs))];
    metadata_list(page, rows, metadata);
}

fn scenarios(page: &mut String, output: &CompareOutput<'_>) {
    page.push_str(
        "<section id=\"scenarios\">\n<h2>Scenarios</h2>\n<div class=\"scroll\"><table class=\"wrap\">\n<thead><tr>\
         <th scope=\"col\">Scenario</th><th scope=\"col\">Title</th><th scope=\"col\">File</th>\
         <th scope=\"col\">Start</th><th scope=\"col\">Horizon</th><th scope=\"col\">Runs and series</th>\
         </tr></thead>\n<tbody>\n",
    );
    for (index, (scenario, run)) in output.comparison.scenarios.iter().zip(output.runs).enumerate() {
        let _ = writeln!(
            page,
            "<tr><th scope=\"row\"><code>{}</code>{}</th><td>{}</td><td><code>{}</code></td><td>{}</td>\
             <td>{} months</td><td><code>{}/</code></td></tr>",
            escape(&scenario.label),
            if index == 0 { " <span class=\"baseline\">baseline</span>" } else { "" },
            escape(&scenario.title),
            escape(run.origin),
            escape(&scenario.start),
            scenario.horizon,
            escape(&super::results_folder(&scenario.label))
        );
    }
    page.push_str("</tbody>\n</table></div>\n</section>\n");
}

/// The "Correlated drivers" section, when any scenario has `[correlations]`: per such scenario its
/// copula's construction and each pair's target and achieved rank correlation with its interval.
/// The uniforms before the copula are the same in every scenario (common random numbers); the
/// correlated drivers' values are what differs.
fn correlations(page: &mut String, output: &CompareOutput<'_>) {
    let correlated: Vec<_> = output
        .runs
        .iter()
        .filter_map(|r| r.run.summary.correlations.as_ref().map(|c| (r.label, c)))
        .collect();
    if correlated.is_empty() {
        return;
    }
    page.push_str(
        "<section id=\"correlations\">\n<h2>Correlated drivers</h2>\n<p>Every scenario draws each driver's \
         uniform from the same stream, so the comparison stays on common random numbers; a scenario's \
         <code>[correlations]</code> then mixes its correlated drivers' uniforms through a Gaussian copula, \
         keeping each driver's distribution. A driver in no pair, with the same distribution in two \
         scenarios, has the same values in both, run by run.</p>\n",
    );
    for (label, correlations) in correlated {
        let _ = writeln!(
            page,
            "<h3><code>{}</code>: achieved over {} runs</h3>",
            escape(label),
            format::count(correlations.runs)
        );
        crate::report::correlations::table(page, correlations);
    }
    page.push_str("</section>\n");
}

/// The header cells naming each scenario, the baseline marked.
fn scenario_headers(output: &CompareOutput<'_>) -> String {
    output
        .comparison
        .scenarios
        .iter()
        .enumerate()
        .map(|(index, s)| {
            let mark = if index == 0 { " <span class=\"baseline\">baseline</span>" } else { "" };
            format!("<th scope=\"col\"><code>{}</code>{mark}</th>", escape(&s.label))
        })
        .collect()
}

fn outcome_header(outcome: &OutcomeComparison) -> String {
    let (measure, at) = outcome
        .scenarios
        .iter()
        .find_map(|s| s.summary.as_ref())
        .map_or((String::new(), String::new()), |o| (o.measure.clone(), o.measured_at.clone()));
    let unit = match &outcome.unit {
        Some(unit) if !unit.trim().is_empty() => format!(" · {}", escape(unit)),
        _ => String::new(),
    };
    format!(
        "<th scope=\"row\">{}<span class=\"measure\"><code>{}</code> · {}{unit}</span></th>",
        escape(&outcome.title),
        escape(&measure),
        escape(&at)
    )
}

fn outcomes(page: &mut String, output: &CompareOutput<'_>) {
    let _ = write!(
        page,
        "<section id=\"outcomes\">\n<h2>Outcomes side by side</h2>\n<div class=\"scroll\"><table class=\"numbers wrap\">\n\
         <thead><tr><th scope=\"col\">Outcome</th>{}</tr></thead>\n<tbody>\n",
        scenario_headers(output)
    );
    for outcome in &output.comparison.outcomes {
        let _ = write!(page, "<tr id=\"outcome-{}\">{}", escape(&outcome.name), outcome_header(outcome));
        for scenario in &outcome.scenarios {
            page.push_str(&estimate_cell(scenario.summary.as_ref()));
        }
        page.push_str("</tr>\n");
    }
    page.push_str(
        "</tbody>\n</table></div>\n<p class=\"note\">Each cell: the probability with its 95% Wilson interval \
         for 0/1 outcomes; the mean with its 95% interval (± 1.96 Monte Carlo standard errors) and the \
         runs' 5th–95th percentiles otherwise. For <code>first(…)</code> outcomes, the share of runs \
         where the event never happened is left out of the statistics and stated.</p>\n</section>\n",
    );
}

fn estimate_cell(summary: Option<&OutcomeSummary>) -> String {
    let Some(summary) = summary else {
        return "<td class=\"none\">not in this scenario</td>".to_string();
    };
    match &summary.statistics {
        OutcomeStatistics::Probability(p) => format!(
            "<td>{}<span class=\"measure\">{}</span></td>",
            format::percent(p.probability),
            format::percent_interval(p.lower, p.upper)
        ),
        OutcomeStatistics::Numeric(n) if n.runs == 0 => "<td class=\"none\">never defined</td>".to_string(),
        OutcomeStatistics::Numeric(n) => {
            let half = crate::stats::describe::Z95 * n.standard_error;
            let total = n.runs + n.undefined;
            let never = if n.undefined > 0 && total > 0 {
                format!(" · never in {}", format::percent(n.undefined as f64 / total as f64))
            } else {
                String::new()
            };
            format!(
                "<td>{}<span class=\"measure\">{}–{} · runs {}…{}{never}</span></td>",
                format::number(n.mean),
                format::number(n.mean - half),
                format::number(n.mean + half),
                format::number(n.p5),
                format::number(n.p95)
            )
        }
    }
}

/// Decimals of percentage points that resolve a difference's interval: 1 for a half-width of 0.5 pp
/// or more (or none), 2 down to 0.05 pp, then 3.
pub fn point_decimals(d: &PairedDifference) -> usize {
    let half = (d.upper - d.lower) * 50.0;
    if !half.is_finite() || half >= 0.5 || half == 0.0 {
        1
    } else if half >= 0.05 {
        2
    } else {
        3
    }
}

/// A difference's 95% interval, both ends signed: `+2.5 to +3.7 pp`; `–` when undefined.
pub fn interval(d: &PairedDifference, probability: bool) -> String {
    if !(d.lower.is_finite() && d.upper.is_finite()) {
        return "–".to_string();
    }
    let decimals = point_decimals(d);
    let lower = signed_difference(d.lower, probability, decimals);
    format!("{} to {}", lower.trim_end_matches(" pp"), signed_difference(d.upper, probability, decimals))
}

/// The variance reduction for tables: `12.3×`, `∞` or `n/a`.
pub fn reduction(factor: VarianceReduction) -> String {
    match factor {
        VarianceReduction::Ratio(x) => format!("{}×", format::number(x)),
        VarianceReduction::Infinite => "∞".to_string(),
        VarianceReduction::NotApplicable => "n/a".to_string(),
    }
}

fn differences(page: &mut String, output: &CompareOutput<'_>) {
    let comparison = output.comparison;
    let _ = write!(
        page,
        "<section id=\"differences\">\n<h2>Differences against the baseline</h2>\n<div class=\"scroll\">\
         <table class=\"numbers wrap\">\n<thead><tr><th scope=\"col\">Outcome</th><th scope=\"col\">Scenario</th>\
         <th scope=\"col\">Difference (scenario − <code>{}</code>)</th><th scope=\"col\">95% interval</th>\
         <th scope=\"col\">Paired runs</th><th scope=\"col\">± independent runs</th>\
         <th scope=\"col\">Variance reduction</th></tr></thead>\n<tbody>\n",
        escape(&comparison.baseline)
    );
    // Largest first (probabilities by percentage points, then the rest by relative change); the
    // outcomes one scenario lacks last.
    let mut rows: Vec<(&OutcomeComparison, &ScenarioDifference)> =
        comparison.outcomes.iter().flat_map(|o| o.differences.iter().map(move |d| (o, d))).collect();
    rows.sort_by(|a, b| match (&a.1.difference, &b.1.difference) {
        (Some(x), Some(y)) => {
            b.0.probability.cmp(&a.0.probability).then(size(b.0, y).total_cmp(&size(a.0, x)))
        }
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    for (outcome, difference) in rows {
        {
            let _ = write!(
                page,
                "<tr>{}<td><code>{}</code></td>",
                outcome_header(outcome),
                escape(&difference.scenario)
            );
            match &difference.difference {
                Some(d) => {
                    let p = outcome.probability;
                    let decimals = point_decimals(d);
                    let independent = signed_difference(
                        crate::stats::describe::Z95 * d.independent_standard_error,
                        p,
                        decimals,
                    );
                    let _ = write!(
                        page,
                        "<td>{}</td><td>{}</td><td>{} of {}</td><td>{}</td><td>{}</td>",
                        difference_text(outcome, d),
                        interval(d, p),
                        format::count(d.pairs),
                        format::count(d.runs),
                        independent.trim_start_matches('+'),
                        reduction(d.variance_reduction)
                    );
                }
                None => {
                    let missing = if outcome.present_in.contains(&comparison.baseline) {
                        &difference.scenario
                    } else {
                        &comparison.baseline
                    };
                    let _ = write!(
                        page,
                        "<td colspan=\"5\" class=\"none\">not in <code>{}</code>: no difference</td>",
                        escape(missing)
                    );
                }
            }
            page.push_str("</tr>\n");
        }
    }
    page.push_str(
        "</tbody>\n</table></div>\n<p class=\"note\">Difference: the mean over runs of d<sub>k</sub> = \
         b<sub>k</sub> − a<sub>k</sub>, run k of the scenario minus run k of the baseline (for 0/1 outcomes, \
         the difference in probability, in percentage points). 95% interval: ± 1.96 · sd(d)/√n. Paired runs: \
         runs where both values are defined (a <code>first(…)</code> outcome pairs only runs where the event \
         happened in both). ± independent runs: the half-width the interval would have from independent \
         runs, 1.96 · √((var(a) + var(b))/n). Variance reduction: (var(a) + var(b)) / var(b − a), how much \
         pairing on common random numbers shrank the variance of the difference; ∞ when every run moved \
         by the same amount, n/a when neither scenario's values vary.</p>\n</section>\n",
    );
}

fn register_cell(entry: Option<&RegisterEntry>) -> String {
    match entry {
        Some(entry) => format!("<td>{}</td>", escape(&entry.distribution)),
        None => "<td class=\"none\">—</td>".to_string(),
    }
}

fn change_row(page: &mut String, change: &AssumptionChange) {
    let word = match change.change {
        Change::Added => "<td class=\"added\">added</td>",
        Change::Removed => "<td class=\"removed\">removed</td>",
        Change::Changed => "<td>changed</td>",
    };
    let keys: String = change
        .keys
        .iter()
        .map(|key| {
            let value = |v: &Option<String>| {
                v.as_deref()
                    .map_or_else(|| "<em>unset</em>".to_string(), |v| format!("<code>{}</code>", escape(v)))
            };
            format!(
                "<li><code>{}</code>: {} → {}</li>",
                escape(&key.key),
                value(&key.before),
                value(&key.after)
            )
        })
        .collect();
    let keys = if keys.is_empty() {
        "<td class=\"none\">—</td>".to_string()
    } else {
        format!("<td><ul class=\"keys\">{keys}</ul></td>")
    };
    let _ = writeln!(
        page,
        "<tr>{word}<td>{}</td><td><code>{}</code></td>{}{}{keys}</tr>",
        escape(&change.kind),
        escape(&change.name),
        register_cell(change.before.as_ref()),
        register_cell(change.after.as_ref()),
    );
}

fn assumptions(page: &mut String, output: &CompareOutput<'_>) {
    let comparison = output.comparison;
    page.push_str(
        "<section id=\"assumptions\">\n<h2>Assumptions that differ</h2>\n<p>The resolved assumption \
         registers (after <code>extends</code>) of each scenario against the baseline's: rows added, removed \
         or changed, with the keys of the scenario file that differ.</p>\n",
    );
    for (scenario, changes) in comparison.scenarios.iter().skip(1).zip(output.changes) {
        let _ = writeln!(
            page,
            "<h3><code>{}</code> against <code>{}</code></h3>",
            escape(&scenario.label),
            escape(&comparison.baseline)
        );
        if changes.is_empty() {
            page.push_str(
                "<p class=\"note\">No assumption differs: the two scenarios assume the same.</p>\n",
            );
            continue;
        }
        let _ = write!(
            page,
            "<div class=\"scroll\"><table class=\"wrap\">\n<thead><tr><th scope=\"col\">Change</th><th scope=\"col\">Kind</th>\
             <th scope=\"col\">Name</th><th scope=\"col\"><code>{}</code></th><th scope=\"col\"><code>{}</code></th>\
             <th scope=\"col\">Keys that differ</th></tr></thead>\n<tbody>\n",
            escape(&comparison.baseline),
            escape(&scenario.label)
        );
        for change in changes {
            change_row(page, change);
        }
        page.push_str("</tbody>\n</table></div>\n");
    }
    page.push_str("</section>\n");
}

fn scenario_files(page: &mut String, output: &CompareOutput<'_>) {
    page.push_str(
        "<section id=\"scenario-files\">\n<h2>Resolved scenarios</h2>\n<p>The scenario files that produced \
         these numbers, after <code>extends</code>.</p>\n",
    );
    for (scenario, run) in output.comparison.scenarios.iter().zip(output.runs) {
        let _ = writeln!(
            page,
            "<details>\n<summary><code>{}</code> — {}</summary>\n<pre><code>{}</code></pre>\n</details>",
            escape(&scenario.label),
            escape(run.origin),
            escape(run.run.resolved)
        );
    }
    page.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::paired::paired_difference;

    #[test]
    fn differences_are_signed_with_their_interval_to_the_same_precision() {
        let d = paired_difference([0.0, 1.0, 0.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 1.0, 1.0, 0.0]);
        assert_eq!(signed_difference(d.difference, true, point_decimals(&d)), "+33.3 pp");
        // sd(d) = √(4/15), s.e. = sd/√6, half-width 1.96 · s.e. = 41.3 pp.
        assert_eq!(interval(&d, true), "-8.0 to +74.7 pp");
        let zero = paired_difference([1.0, 2.0], [1.0, 2.0]);
        assert_eq!(
            (signed_difference(zero.difference, false, 1), interval(&zero, true)),
            ("0".into(), "0.0 to 0.0 pp".into())
        );
        let none = paired_difference([f64::NAN], [1.0]);
        assert_eq!(interval(&none, false), "–");
        assert_eq!(signed_difference(-1234.5, false, 0), "-1,234");
        assert_eq!(reduction(VarianceReduction::Ratio(12.345)), "12.3×");
        assert_eq!(reduction(VarianceReduction::Infinite), "∞");
        assert_eq!(reduction(VarianceReduction::NotApplicable), "n/a");
    }
}
