//! report.html: one self-contained page per run — title, navigation, a one-screen summary, run metadata, the outcome table, every
//! chart as inline SVG, what drives each outcome (swings by driver bin and their charts), the assumptions
//! register and the resolved scenario (DESIGN.md §7).
//!
//! Nothing in the page is fetched: the CSS is inline, the charts are inline SVG, there are no scripts
//! and no fonts to load, so it opens offline and can be mailed as one file. The same inputs give the
//! same bytes; what varies between runs (the date, the wall time) is an input, and
//! [`report_date`] takes the date from `SOURCE_DATE_EPOCH` when it is set, so reproducible runs can
//! leave the wall time out and get a fixed date.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::report::charts::{Chart, format};
use crate::report::words::{self, DriverNames};
use crate::scenario::{RegisterEntry, SourcesPage, citations};
use crate::stats::tally::Approximation;
use crate::stats::{
    Effects, NumericStatistics, OutcomeStatistics, OutcomeSummary, ProbabilityStatistics, Summary,
};

/// How a run was made, as the report states it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunMetadata {
    /// The seed the runs were drawn from.
    pub seed: u64,
    /// Replications.
    pub runs: u64,
    /// crossroads version.
    pub version: String,
    /// When the report was made (see [`report_date`]); left out when `None`.
    pub date: Option<String>,
    /// Wall-clock time of the run, seconds; left out when `None` (reproducible outputs).
    pub wall_time: Option<f64>,
    /// Worker threads used; left out when `None` (reproducible outputs: the results do not depend
    /// on it, so neither does the page).
    pub threads: Option<usize>,
}

impl RunMetadata {
    /// The metadata of a run that started at `started`, dated by [`report_date`]. In reproducible
    /// mode (`SOURCE_DATE_EPOCH` set) it leaves out the wall time and the thread count, so the page
    /// is byte-identical whatever the machine's speed and `--threads`.
    pub fn measured(
        seed: u64,
        runs: u64,
        threads: usize,
        started: std::time::Instant,
    ) -> Result<Self, InvalidSourceDateEpoch> {
        let date = report_date()?;
        Ok(RunMetadata {
            seed,
            runs,
            version: crate::VERSION.to_string(),
            date: Some(date.date),
            wall_time: (!date.reproducible).then(|| started.elapsed().as_secs_f64()),
            threads: (!date.reproducible).then_some(threads),
        })
    }
}

/// Everything report.html is made from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunReport<'a> {
    /// The outcomes' statistics.
    pub summary: &'a Summary,
    /// How the run was made.
    pub metadata: &'a RunMetadata,
    /// The assumptions register of the resolved scenario.
    pub register: &'a [RegisterEntry],
    /// The resolved scenario's TOML text (after `extends` and `--set`).
    pub scenario_toml: &'a str,
    /// The charts written for the run, in the order to show them.
    pub charts: &'a [Chart],
    /// Driver effects and their charts; the summary's effects and this section are left out when `None`.
    pub drivers: Option<DriversSection<'a>>,
}

/// What the "What drives each outcome" section is made from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriversSection<'a> {
    /// Every outcome's effects by driver bin.
    pub effects: &'a Effects,
    /// The drivers' titles.
    pub names: &'a DriverNames,
    /// The driver-effect charts (`<outcome>_drivers`), in outcome order.
    pub charts: &'a [Chart],
}

/// Drivers listed per outcome in the report's table.
const TABLE_DRIVERS: usize = 3;

/// Opens a report page (run's, compare's, explore's): the document's head with `title`, our style
/// sheet and `extra_style`, then `<main>`, `<header>` and its `<h1>`; the caller writes the
/// header's lede and closes it.
pub fn page_start(page: &mut String, title: &str, heading: &str, extra_style: &str) {
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(page, "<title>{}</title>", escape(title));
    let _ = writeln!(page, "<style>{STYLE}{extra_style}</style>\n</head>\n<body>\n<main>");
    let _ = writeln!(page, "<header>\n<h1>{}</h1>", escape(heading));
}

/// The report's page: a complete HTML5 document.
pub fn render_run_report(input: &RunReport<'_>) -> String {
    let summary = input.summary;
    let mut page = String::with_capacity(64 * 1024 + input.charts.iter().map(|c| c.svg.len()).sum::<usize>());
    page_start(&mut page, &format!("{} — crossroads report", summary.title), &summary.title, "");
    let _ = writeln!(
        page,
        "<p class=\"lede\">Scenario <code>{}</code>: {} months from {}, {} Monte Carlo runs.</p>",
        escape(&summary.scenario),
        summary.horizon,
        escape(&summary.start),
        format::count(input.metadata.runs)
    );
    contents(&mut page, input);
    page.push_str("</header>\n");
    crate::report::headline::in_html(
        &mut page,
        summary,
        input.drivers.as_ref().map(|d| (d.effects, d.names)),
    );
    metadata(&mut page, summary, input.metadata);
    outcome_table(&mut page, summary);
    if let Some(evidence) = &summary.evidence {
        crate::report::evidence::section(&mut page, evidence);
    }
    if let Some(correlations) = &summary.correlations {
        crate::report::correlations::section(&mut page, correlations);
    }
    charts(&mut page, input.charts);
    if let Some(section) = &input.drivers {
        drivers(&mut page, section, summary.approximation.as_ref());
    }
    register(&mut page, input.register);
    sources(&mut page, input.register);
    let _ = writeln!(
        page,
        "<section id=\"scenario\">\n<h2>Resolved scenario</h2>\n<p>The scenario file that produced these \
         numbers, after <code>extends</code> and <code>--set</code>.</p>\n<pre><code>{}</code></pre>\n</section>",
        escape(input.scenario_toml)
    );
    let _ = writeln!(
        page,
        "</main>\n<footer>Made by crossroads {}.</footer>\n</body>\n</html>",
        escape(&input.metadata.version)
    );
    page
}

fn metadata(page: &mut String, summary: &Summary, metadata: &RunMetadata) {
    let rows = vec![
        ("Seed", metadata.seed.to_string()),
        ("Runs", format::count(metadata.runs)),
        ("Start", escape(&summary.start)),
        ("Horizon", format!("{} months", summary.horizon)),
    ];
    metadata_list(page, rows, metadata);
}

/// The metadata bar: `rows` (name, HTML value), then from `metadata` crossroads' version, the
/// threads, and the date and wall time when known.
pub(crate) fn metadata_list(page: &mut String, mut rows: Vec<(&str, String)>, metadata: &RunMetadata) {
    rows.push(("crossroads", escape(&metadata.version)));
    if let Some(threads) = metadata.threads {
        rows.push(("Threads", threads.to_string()));
    }
    if let Some(date) = &metadata.date {
        rows.push(("Date", escape(date)));
    }
    if let Some(seconds) = metadata.wall_time.filter(|s| s.is_finite()) {
        rows.push(("Wall time", format!("{} s", format::with_separators(seconds, 2))));
    }
    page.push_str("<dl class=\"metadata\">\n");
    for (name, value) in rows {
        let _ = writeln!(page, "<div><dt>{name}</dt><dd>{value}</dd></div>");
    }
    page.push_str("</dl>\n");
}

fn contents(page: &mut String, input: &RunReport<'_>) {
    page.push_str(
        "<nav><ul>\n<li><a href=\"#summary\">Summary</a></li>\n<li><a href=\"#outcomes\">Outcomes</a></li>\n",
    );
    if input.summary.evidence.is_some() {
        page.push_str("<li><a href=\"#evidence\">Evidence</a></li>\n");
    }
    if input.summary.correlations.is_some() {
        page.push_str("<li><a href=\"#correlations\">Correlations</a></li>\n");
    }
    if !input.charts.is_empty() {
        page.push_str("<li><a href=\"#charts\">Charts</a></li>\n");
    }
    if input.drivers.is_some() {
        page.push_str("<li><a href=\"#drivers\">Drivers</a></li>\n");
    }
    page.push_str("<li><a href=\"#register\">Assumptions</a></li>\n");
    if !cited_anchors(input.register, &SourcesPage::bundled()).is_empty() {
        page.push_str("<li><a href=\"#sources\">Sources</a></li>\n");
    }
    page.push_str("<li><a href=\"#scenario\">Scenario file</a></li>\n</ul></nav>\n");
}

fn outcome_table(page: &mut String, summary: &Summary) {
    page.push_str(
        "<section id=\"outcomes\">\n<h2>Outcomes</h2>\n<div class=\"scroll\"><table class=\"numbers wrap\">\n<thead>\
         <tr><th scope=\"col\">Outcome</th><th scope=\"col\">Estimate</th><th scope=\"col\">95% interval</th>\
         <th scope=\"col\">MC s.e.</th><th scope=\"col\">p5</th><th scope=\"col\">p25</th><th scope=\"col\">p50</th>\
         <th scope=\"col\">p75</th><th scope=\"col\">p95</th><th scope=\"col\">Runs left out</th></tr></thead>\n<tbody>\n",
    );
    for outcome in &summary.outcomes {
        let _ = write!(
            page,
            "<tr id=\"outcome-{}\"><th scope=\"row\">{}<span class=\"measure\"><code>{}</code> · {}{}{}{}</span></th>",
            escape(&outcome.name),
            escape(&outcome.title),
            escape(&outcome.measure),
            escape(&outcome.measured_at),
            unit_note(outcome),
            outcome
                .given
                .as_deref()
                .map_or_else(String::new, |g| format!(" · given <code>{}</code>", escape(g))),
            scale_note(outcome)
        );
        match &outcome.statistics {
            OutcomeStatistics::Probability(stats) => probability_cells(page, summary.runs, stats),
            OutcomeStatistics::Numeric(stats) => numeric_cells(page, outcome, stats),
        }
        page.push_str("</tr>\n");
    }
    page.push_str(
        "</tbody>\n</table></div>\n<p class=\"note\">Estimate: the probability for 0/1 outcomes, the mean \
         otherwise. 95% interval: of the estimate — Wilson for probabilities, mean ± 1.96 standard errors \
         otherwise. MC s.e.: the Monte Carlo standard error (in percentage points for probabilities). \
         p5…p95: percentiles of the outcome over runs. Runs left out: runs where a <code>first(…)</code> \
         event never happened, or where the outcome's <code>given</code> condition did not hold; they are \
         left out of that outcome's statistics. Intervals are Monte Carlo error of the estimate, not the \
         real world's uncertainty (which is the spread p5…p95).</p>\n",
    );
    if let Some(stopping) = &summary.stopping {
        let _ = writeln!(
            page,
            "<p class=\"note\"><strong>Run until precise:</strong> {}</p>",
            escape(&crate::stats::precision::describe(stopping, summary.runs))
        );
    }
    if let Some(approximation) = &summary.approximation {
        let _ = writeln!(
            page,
            "<p class=\"note\"><strong>Approximation:</strong> {}</p>",
            escape(&approximation.note)
        );
    }
    page.push_str("</section>\n");
}

fn unit_note(outcome: &OutcomeSummary) -> String {
    match &outcome.unit {
        Some(unit) if !unit.trim().is_empty() => format!(" · {}", escape(unit)),
        _ => String::new(),
    }
}

/// What the ends of an outcome's position scale mean: ` · 0 = Yerevan's terms, 100 = Baku's terms`.
fn scale_note(outcome: &OutcomeSummary) -> String {
    outcome.scale.as_ref().map_or_else(String::new, |s| {
        format!(
            " · {} = {}, {} = {}",
            format::number(s.low),
            escape(&s.low_means),
            format::number(s.high),
            escape(&s.high_means)
        )
    })
}

/// Runs left out of an outcome, with their share: `4,000 (40.0%)`.
fn left_out(left: u64, total: u64) -> String {
    let share = if total > 0 { left as f64 / total as f64 } else { 0.0 };
    format!("<td>{} ({})</td>", format::count(left), format::percent(share))
}

fn probability_cells(page: &mut String, runs: u64, stats: &ProbabilityStatistics) {
    let left = runs.saturating_sub(stats.runs);
    let _ = write!(
        page,
        "<td>{}</td><td>{}</td><td>{} pp</td>{}{}",
        format::percent(stats.probability),
        format::percent_interval(stats.lower, stats.upper),
        format::number(stats.standard_error * 100.0),
        "<td class=\"none\">—</td>".repeat(5),
        if left > 0 { left_out(left, runs) } else { "<td class=\"none\">—</td>".to_string() }
    );
}

fn numeric_cells(page: &mut String, outcome: &OutcomeSummary, stats: &NumericStatistics) {
    if stats.runs == 0 {
        page.push_str(&"<td class=\"none\">—</td>".repeat(9));
    } else {
        let half = 1.959_963_984_540_054 * stats.standard_error;
        if outcome.share {
            // A share reads as a percentage, its error in percentage points.
            let _ = write!(
                page,
                "<td>{}</td><td>{}</td><td>{} pp</td>",
                format::percent(stats.mean),
                format::percent_interval(stats.mean - half, stats.mean + half),
                format::number(stats.standard_error * 100.0)
            );
        } else {
            let _ = write!(
                page,
                "<td>{}</td><td>{}–{}</td><td>{}</td>",
                format::number(stats.mean),
                format::number(stats.mean - half),
                format::number(stats.mean + half),
                format::number(stats.standard_error)
            );
        }
        for value in [stats.p5, stats.p25, stats.p50, stats.p75, stats.p95] {
            let text = if outcome.share { format::percent(value) } else { format::number(value) };
            let _ = write!(page, "<td>{text}</td>");
        }
    }
    let total = stats.runs + stats.undefined;
    if stats.undefined > 0 || outcome.kind.is_first_time() || outcome.given.is_some() {
        page.push_str(&left_out(stats.undefined, total));
    } else {
        page.push_str("<td>0</td>");
    }
}

/// The charts section: every chart inline in its figure, with its caption and file names.
pub(crate) fn charts(page: &mut String, charts: &[Chart]) {
    if charts.is_empty() {
        return;
    }
    page.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    figures(page, charts);
    page.push_str("</section>\n");
}

/// The "What drives each outcome" section: per outcome its drivers with the largest swing, in
/// words, then the driver-effect charts.
fn drivers(page: &mut String, section: &DriversSection<'_>, approximation: Option<&Approximation>) {
    page.push_str("<section id=\"drivers\">\n<h2>What drives each outcome</h2>\n");
    if let Some(approximation) = approximation {
        let _ = writeln!(
            page,
            "<p class=\"note\"><strong>Over the first {} runs:</strong> a driver's effect needs each run's \
             draws next to its outcomes, so driver effects (and Spearman's ρ) are computed exactly over the \
             first {} runs of this {}-run experiment (their intervals are those of that many runs).</p>",
            format::count(approximation.driver_importance_runs),
            format::count(approximation.driver_importance_runs),
            format::count(approximation.total_runs)
        );
    }
    page.push_str(
        "<p>For each outcome, the drivers \
         that move it most. The runs are split by each driver's draw — into the thirds of its declared \
         distribution (lowest, middle, highest), or by category — and the outcome is estimated in each \
         part. The <em>swing</em> is the largest part's estimate minus the smallest's: in percentage points \
         (pp) for probabilities, in the outcome's unit otherwise, so swings compare across drivers. It sees \
         effects a correlation misses (an outcome high only in the middle third). Explained: the share \
         of the outcome's variation across runs that lies between the parts. Every part's numbers are \
         in <code>drivers.csv</code>; Spearman's ρ is in <code>sensitivity.csv</code>.</p>\n\
         <table class=\"drivers wrap\">\n<thead><tr><th scope=\"col\">Outcome</th>",
    );
    for rank in 1..=TABLE_DRIVERS {
        let _ = write!(page, "<th scope=\"col\">Driver {rank}</th>");
    }
    page.push_str("</tr></thead>\n<tbody>\n");
    for outcome in &section.effects.outcomes {
        let _ = write!(
            page,
            "<tr><th scope=\"row\">{}<span class=\"measure\">{}</span></th>",
            escape(&outcome.title),
            format::counted(outcome.runs, "run", "runs")
        );
        let clear: Vec<_> = outcome.clear().take(TABLE_DRIVERS).collect();
        if clear.is_empty() {
            let strongest = outcome.drivers.first().and_then(|d| d.swing.map(|s| (d, s)));
            let text = match strongest {
                Some((driver, swing)) => format!(
                    "No driver explains much: the largest swing, {} ({}), is within Monte Carlo error.",
                    words::swing_value(swing, outcome.probability),
                    escape(&section.names.title(&driver.driver))
                ),
                None => "No driver varies in these runs.".to_string(),
            };
            let _ = write!(page, "<td colspan=\"{TABLE_DRIVERS}\" class=\"none\">{text}</td>");
        } else {
            for driver in &clear {
                let (low, high) = (driver.bins.get(driver.lowest), driver.bins.get(driver.highest));
                let estimate = |mean: f64| {
                    if outcome.probability { format::percent(mean) } else { format::number(mean) }
                };
                let detail = match (low, high) {
                    (Some(low), Some(high)) => format!(
                        "{} in {}, {} in {}",
                        estimate(high.mean),
                        escape(&words::bin_label(&high.label)),
                        estimate(low.mean),
                        escape(&words::bin_label(&low.label))
                    ),
                    _ => String::new(),
                };
                let _ = write!(
                    page,
                    "<td>{}<span class=\"rho\">{} · explains {}</span><span class=\"measure\">{detail}</span></td>",
                    escape(&section.names.title(&driver.driver)),
                    escape(&words::swing_label(driver, outcome.probability)),
                    format::percent(driver.explained)
                );
            }
            page.push_str(&"<td class=\"none\">—</td>".repeat(TABLE_DRIVERS - clear.len()));
        }
        page.push_str("</tr>\n");
    }
    page.push_str(
        "</tbody>\n</table>\n<p class=\"note\">Only swings larger than 1.96 Monte Carlo standard errors are \
         listed (the largest of several noisy parts is biased upwards). The estimates are within this \
         scenario's ranges; a swing says nothing of drivers held fixed, and two drivers drawn together \
         share the credit.</p>\n",
    );
    figures(page, section.charts);
    page.push_str("</section>\n");
}

/// Each chart as a figure with its caption and file names.
fn figures(page: &mut String, charts: &[Chart]) {
    for chart in charts {
        let png = chart.png.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let svg = chart.svg_file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let _ = writeln!(
            page,
            "<figure id=\"chart-{}\">\n{}\n<figcaption>{} <span class=\"files\">charts/{} · charts/{}</span></figcaption>\n</figure>",
            escape(&chart.name),
            inline_svg(&chart.svg, &chart.title),
            escape(&chart.title),
            escape(&png),
            escape(&svg)
        );
    }
}

/// A chart's SVG made fit to sit inside the page: no namespace attribute (HTML puts `<svg>` in the
/// SVG namespace itself, and the page then holds no URL), a role and a `<title>` for screen readers.
pub fn inline_svg(svg: &str, title: &str) -> String {
    let svg = svg.trim().replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    match (svg.starts_with("<svg"), svg.find('>')) {
        (true, Some(end)) => {
            let (open, rest) = svg.split_at(end);
            let rest = rest.strip_prefix('>').unwrap_or(rest);
            format!("{open} role=\"img\"><title>{}</title>{rest}", escape(title))
        }
        // Not an SVG from our charts: leave it out rather than paste unknown markup into the page.
        _ => format!("<p class=\"none\">{} could not be embedded.</p>", escape(title)),
    }
}

fn register(page: &mut String, entries: &[RegisterEntry]) {
    page.push_str(
        "<section id=\"register\">\n<h2>Assumptions register</h2>\n<p>Every assumption of the scenario with \
         its distribution and where it comes from.</p>\n<div class=\"scroll\"><table class=\"wrap\">\n<thead><tr>\
         <th scope=\"col\">Kind</th><th scope=\"col\">Name</th><th scope=\"col\">Distribution</th>\
         <th scope=\"col\" class=\"num\">Mean</th><th scope=\"col\" class=\"num\">p5</th>\
         <th scope=\"col\" class=\"num\">p95</th><th scope=\"col\">Unit</th><th scope=\"col\">Source</th>\
         </tr></thead>\n<tbody>\n",
    );
    let number = |value: Option<f64>| value.map_or_else(|| "—".to_string(), format::number);
    let text = |value: &Option<String>| value.as_deref().map_or_else(|| "—".to_string(), escape);
    let page_of_sources = SourcesPage::bundled();
    for entry in entries {
        let description = entry
            .description
            .as_deref()
            .map(|d| format!("<span class=\"measure\">{}</span>", escape(d)))
            .unwrap_or_default();
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td><code>{}</code>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(entry.kind),
            escape(&entry.name),
            description,
            escape(&entry.distribution),
            number(entry.mean),
            number(entry.p5),
            number(entry.p95),
            text(&entry.unit),
            entry.source.as_deref().map_or_else(|| "—".to_string(), |s| source_cell(s, &page_of_sources))
        );
    }
    if entries.is_empty() {
        page.push_str("<tr><td colspan=\"8\" class=\"none\">No assumptions recorded.</td></tr>\n");
    }
    page.push_str("</tbody>\n</table></div>\n</section>\n");
}

/// A source text, escaped, with each citation of an entry of docs/sources.md linked to its copy in
/// the page's "Sources" section (citations of anchors the page lacks stay plain text).
fn source_cell(source: &str, page_of_sources: &SourcesPage) -> String {
    let mut cell = String::with_capacity(source.len() + 64);
    let mut from = 0;
    for citation in citations(source) {
        cell.push_str(&escape(&source[from..citation.start]));
        let written = escape(&source[citation.start..citation.end]);
        if page_of_sources.entry(citation.anchor).is_some() {
            let _ = write!(cell, "<a href=\"#source-{}\">{written}</a>", escape(citation.anchor));
        } else {
            cell.push_str(&written);
        }
        from = citation.end;
    }
    cell.push_str(&escape(&source[from..]));
    cell
}

/// The "Sources" section: every entry of docs/sources.md that the register cites, copied as text
/// (publisher, title, date and address included), so the citations can be checked offline.
fn sources(page: &mut String, entries: &[RegisterEntry]) {
    let page_of_sources = SourcesPage::bundled();
    let cited = cited_anchors(entries, &page_of_sources);
    if cited.is_empty() {
        return;
    }
    // In the order of the sources page, not of first citation: related entries stay together.
    let listed = page_of_sources.entries().iter().filter(|e| cited.contains(&e.anchor.as_str()));
    page.push_str(
        "<section id=\"sources\">\n<h2>Sources</h2>\n<p>The entries of <code>docs/sources.md</code> (in the \
         crossroads repository) that the register cites, as they stood when this crossroads was built.</p>\n",
    );
    for entry in listed {
        let _ = writeln!(
            page,
            "<article id=\"source-{}\">\n<h3>{} <code>docs/sources.md#{}</code></h3>",
            escape(&entry.anchor),
            escape(&plain(&entry.heading)),
            escape(&entry.anchor)
        );
        for block in entry.body.split("\n\n") {
            let lines: Vec<&str> = block.lines().map(str::trim).collect();
            if lines.first().is_some_and(|l| l.starts_with("- ")) {
                // A list: each "- " line opens an item, the others continue it.
                let mut items: Vec<String> = Vec::new();
                for line in lines {
                    match line.strip_prefix("- ") {
                        Some(item) => items.push(item.to_string()),
                        None => {
                            if let Some(last) = items.last_mut() {
                                last.push(' ');
                                last.push_str(line);
                            }
                        }
                    }
                }
                page.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(page, "<li>{}</li>", escape(&plain(&item)));
                }
                page.push_str("</ul>\n");
            } else {
                let _ = writeln!(page, "<p>{}</p>", escape(&plain(&lines.join(" "))));
            }
        }
        page.push_str("</article>\n");
    }
    page.push_str("</section>\n");
}

/// The anchors of docs/sources.md that the register cites and the page has, without repeats.
fn cited_anchors<'a>(entries: &'a [RegisterEntry], page_of_sources: &SourcesPage) -> Vec<&'a str> {
    let mut cited: Vec<&str> = Vec::new();
    for source in entries.iter().filter_map(|e| e.source.as_deref()) {
        for citation in citations(source) {
            if page_of_sources.entry(citation.anchor).is_some() && !cited.contains(&citation.anchor) {
                cited.push(citation.anchor);
            }
        }
    }
    cited
}

/// Markdown inline marks dropped for plain text: `**`, `*`, backticks, and `[text](target)` read as
/// its text.
fn plain(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(open) = rest.find('[') {
        let (before, after) = rest.split_at(open);
        text.push_str(before);
        let link = after.find("](").and_then(|mid| after[mid..].find(')').map(|close| (mid, mid + close)));
        match link {
            Some((mid, close)) if !after[1..mid].contains(']') => {
                text.push_str(&after[1..mid]);
                rest = &after[close + 1..];
            }
            _ => {
                text.push('[');
                rest = &after[1..];
            }
        }
    }
    text.push_str(rest);
    text.replace(['*', '`'], "")
}

/// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references: safe in text and in
/// quoted attributes.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// The page's look (shared with the comparison's report): readable type, tables with aligned
/// figures, charts scaled to the column.
pub(crate) const STYLE: &str = "
:root{color-scheme:light;--ink:#222;--muted:#555;--rule:#ddd;--band:#f5f7fa;--accent:#0072b2}
*{box-sizing:border-box}
body{margin:0;background:#fff;color:var(--ink);font:16px/1.5 system-ui,-apple-system,'Segoe UI','DejaVu Sans',sans-serif}
main{max-width:1240px;margin:0 auto;padding:24px}
h1{font-size:1.9rem;line-height:1.25;margin:0 0 .4rem}
h2{font-size:1.35rem;margin:2.2rem 0 .8rem;padding-bottom:.3rem;border-bottom:2px solid var(--rule)}
.lede{color:var(--muted);margin:0 0 1rem}
.metadata{display:flex;flex-wrap:wrap;gap:.4rem 1.6rem;margin:1rem 0 0;padding:.8rem 1rem;background:var(--band);border-radius:6px}
.metadata div{display:flex;gap:.4rem}
.metadata dt{color:var(--muted)}
.metadata dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1.2rem;padding:0;margin:.6rem 0 0}
a{color:var(--accent)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{padding:.4rem .6rem;border-bottom:1px solid var(--rule);text-align:left;vertical-align:top}
table.wrap td,table.wrap tbody th{overflow-wrap:anywhere}
thead th{background:var(--band)}
table.numbers td,td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;overflow-wrap:normal}
table.numbers td{white-space:nowrap}
.summary{background:var(--band);border-radius:6px;padding:.2rem 1rem .6rem;margin-top:1rem}
.summary h2{margin:.6rem 0 .4rem;border:0;padding:0}
.sentence{margin:0 0 .5rem}
.summary-grid{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1.4rem;align-items:start}
@media (max-width:900px){.summary-grid{grid-template-columns:minmax(0,1fr)}}
table.headline{background:#fff}
table.headline th,table.headline td{padding:.2rem .5rem;line-height:1.35}
table.headline td.num{white-space:nowrap}
table.headline th[scope=row]{min-width:11em}
.strong{font-weight:700}
.effects-title{font-weight:600;margin:0 0 .3rem}
ul.effects{margin:0 0 .6rem;padding-left:1.2rem}
ul.effects li{margin-bottom:.3rem}
tbody tr:nth-child(even){background:#fafafa}
.measure{display:block;color:var(--muted);font-size:.85em;font-weight:normal}
.none{color:#888}
#register td:last-child{min-width:12rem}
.note{color:var(--muted);font-size:.9rem}
.warning{background:#fff4e5;border-left:4px solid #e69f00;padding:.5rem .8rem}
svg.bars{display:block}
.rho{display:block;font-size:.85em;font-variant-numeric:tabular-nums;white-space:nowrap}
figure{margin:0 0 2rem}
figure svg{display:block;width:100%;height:auto;border:1px solid var(--rule);border-radius:4px}
figcaption{color:var(--muted);font-size:.9rem;margin-top:.3rem}
.files{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:.85em;margin-left:.6rem}
pre{background:var(--band);padding:1rem;border-radius:6px;overflow-x:auto;font-size:.85rem;line-height:1.4}
code{font-family:ui-monospace,'DejaVu Sans Mono',monospace}
footer{max-width:1240px;margin:0 auto;padding:1rem 24px 2rem;color:var(--muted);font-size:.85rem}
@media print{figure{break-inside:avoid}.scroll{overflow:visible}}
";

/// When a report is dated, and whether it is a reproducible one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDate {
    /// `YYYY-MM-DD HH:MM UTC`.
    pub date: String,
    /// True when the date came from `SOURCE_DATE_EPOCH`: the report should then leave out the wall
    /// time, so that reruns give byte-identical files.
    pub reproducible: bool,
}

/// `SOURCE_DATE_EPOCH` was set but is not a whole number of seconds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, not {0:?}")]
pub struct InvalidSourceDateEpoch(pub String);

/// The report's date from the environment: `SOURCE_DATE_EPOCH` (the reproducible-builds convention)
/// when set, else the clock.
pub fn report_date() -> Result<ReportDate, InvalidSourceDateEpoch> {
    let epoch = std::env::var_os("SOURCE_DATE_EPOCH").map(|v| v.to_string_lossy().into_owned());
    report_date_from(epoch.as_deref(), SystemTime::now())
}

/// The report's date from a `SOURCE_DATE_EPOCH` value (if set) or `now`.
pub fn report_date_from(
    source_date_epoch: Option<&str>,
    now: SystemTime,
) -> Result<ReportDate, InvalidSourceDateEpoch> {
    match source_date_epoch {
        Some(text) => {
            let seconds: i64 = text.trim().parse().map_err(|_| InvalidSourceDateEpoch(text.to_string()))?;
            Ok(ReportDate { date: utc_minute(seconds), reproducible: true })
        }
        None => {
            let seconds = match now.duration_since(UNIX_EPOCH) {
                Ok(elapsed) => elapsed.as_secs() as i64,
                Err(before) => -(before.duration().as_secs() as i64),
            };
            Ok(ReportDate { date: utc_minute(seconds), reproducible: false })
        }
    }
}

/// Seconds since 1970-01-01 UTC as `YYYY-MM-DD HH:MM UTC` (proleptic Gregorian calendar).
pub fn utc_minute(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let minute_of_day = seconds.rem_euclid(86_400) / 60;
    // Howard Hinnant's days-from-civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", minute_of_day / 60, minute_of_day % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }

    #[test]
    fn dates_from_epoch_seconds() {
        assert_eq!(utc_minute(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_minute(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_minute(1_700_000_000), "2023-11-14 22:13 UTC");
        assert_eq!(utc_minute(-1), "1969-12-31 23:59 UTC");
    }

    #[test]
    fn source_date_epoch_wins_and_is_checked() {
        let now = UNIX_EPOCH + std::time::Duration::from_secs(86_400);
        let fixed = report_date_from(Some("1700000000"), now).unwrap();
        assert_eq!(fixed, ReportDate { date: "2023-11-14 22:13 UTC".to_string(), reproducible: true });
        let clock = report_date_from(None, now).unwrap();
        assert_eq!(clock, ReportDate { date: "1970-01-02 00:00 UTC".to_string(), reproducible: false });
        assert!(report_date_from(Some("yesterday"), now).is_err());
    }

    #[test]
    fn inline_svg_drops_the_namespace_and_gains_a_title() {
        let svg = "<svg width=\"1\" height=\"1\" viewBox=\"0 0 1 1\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/>\n</svg>\n";
        let inline = inline_svg(svg, "A & B");
        assert_eq!(
            inline,
            "<svg width=\"1\" height=\"1\" viewBox=\"0 0 1 1\" role=\"img\"><title>A &amp; B</title>\n<rect/>\n</svg>"
        );
        assert!(inline_svg("<script>x</script>", "t").starts_with("<p"));
    }
}
