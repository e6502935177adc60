//! The files of an experiment (`crossroads explore`): design.csv (every point's factor values and
//! each outcome's mean over its replications), indices.csv (Sobol indices or Morris measures and
//! the chance share, each with its interval), prim.csv (the peeling trajectory, when a target was
//! given), summary.json (all of it), scenario.toml, charts/<outcome>_factors.png and .svg (each
//! outcome's point means against its most important factors) and report.html (a heat map of the
//! factors' indices per outcome first, then the bars, the PRIM box and its trade-off, the point
//! means' charts, the factors' sources).
//! Owns the file formats only: the numbers come from `stats::experiment` and `stats::prim`.

use std::io::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use super::charts::{self, Chart, ChartJob, ChartKind};
use super::{CsvWriter, ReportError, write_file};
use crate::format;
use crate::scenario::schema::Experiment;
use crate::stats::experiment::OutcomeAnalysis;
use crate::stats::prim::{Discovery, PrimBox};
use crate::stats::sobol::Estimate;

/// Everything an experiment's folder is written from.
#[derive(Debug)]
pub struct ExploreOutput<'a> {
    /// The scenario's name and title.
    pub name: &'a str,
    /// Its title.
    pub title: &'a str,
    /// The experiment as decoded.
    pub experiment: &'a Experiment,
    /// The seed of the runs and of the design.
    pub seed: u64,
    /// Each point's role in the design ("A", "B", "AB:2", "trajectory 3", "lhs", "grid").
    pub roles: &'a [String],
    /// Each point's factor values, in factor order.
    pub values: &'a [Vec<f64>],
    /// The outcomes' names and titles, in file order.
    pub outcomes: &'a [(String, String)],
    /// The analysis of each outcome.
    pub analyses: &'a [OutcomeAnalysis],
    /// The PRIM target as written and its discovery, when one was asked for.
    pub discovery: Option<(&'a str, &'a Discovery)>,
    /// The resolved scenario text.
    pub resolved: &'a str,
}

/// Writes the experiment's files into `folder`; charts/ and report.html only with `charts`.
pub fn write_explore(folder: &Path, output: &ExploreOutput, charts: bool) -> Result<(), ReportError> {
    write_file(&folder.join("design.csv"), |w| Ok(write_design(w, output)?))?;
    write_file(&folder.join("indices.csv"), |w| Ok(write_indices(w, output)?))?;
    if let Some((_, discovery)) = output.discovery {
        write_file(&folder.join("prim.csv"), |w| Ok(write_prim(w, output, discovery)?))?;
    }
    write_file(&folder.join("summary.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, &summary(output))?;
        writeln!(w)?;
        Ok(())
    })?;
    write_file(&folder.join("scenario.toml"), |w| Ok(w.write_all(output.resolved.as_bytes())?))?;
    if charts {
        let charts = write_factor_charts(folder, output)?;
        write_file(&folder.join("report.html"), |w| {
            Ok(w.write_all(report_html(output, &charts).as_bytes())?)
        })?;
    }
    Ok(())
}

/// Writes `charts/<outcome>_factors.png` and `.svg` for every outcome whose point means vary: the
/// point means against the factors that matter most for it ([`charts::FactorsFigure`]), in
/// parallel on the pool, byte-identical whatever the thread count.
pub fn write_factor_charts(folder: &Path, output: &ExploreOutput) -> Result<Vec<Chart>, ReportError> {
    let charts_folder = folder.join("charts");
    std::fs::create_dir_all(&charts_folder)
        .map_err(|source| ReportError::Io { path: charts_folder.clone(), source })?;
    let jobs = output
        .outcomes
        .iter()
        .zip(output.analyses)
        .filter_map(|((name, title), analysis)| {
            factors_figure(output, title, analysis).map(|figure| {
                ChartJob::new(
                    figure,
                    format!("{}_factors", charts::file_stem(name)),
                    ChartKind::Factors,
                    Some(name.as_str()),
                )
            })
        })
        .collect();
    charts::write_charts(jobs, &charts_folder).map_err(|e| ReportError::Extra(Box::new(e)))
}

/// The factors of an outcome, most important first, each with what ranks it: the total Sobol
/// index, Morris's μ*, or (a Latin hypercube or grid) the correlation of the point means with the
/// factor's values.
fn ranked_factors(
    output: &ExploreOutput,
    analysis: &OutcomeAnalysis,
) -> (Vec<(usize, String, String)>, &'static str) {
    let factors = &output.experiment.factors;
    let mut ranked: Vec<(usize, f64, String)> = if !sobol_of(analysis).is_empty() {
        sobol_of(analysis)
            .iter()
            .enumerate()
            .map(|(i, index)| (i, index.total.value, format!("total index {:.2}", index.total.value)))
            .collect()
    } else if !morris_of(analysis).is_empty() {
        morris_of(analysis)
            .iter()
            .enumerate()
            .map(|(i, m)| (i, m.mu_star, format!("μ* {}", format::significant(m.mu_star, 3))))
            .collect()
    } else {
        (0..factors.len())
            .map(|i| {
                let pairs = output.values.iter().zip(&analysis.means).map(|(v, &m)| (v.get(i).copied(), m));
                let r = pearson(pairs.filter_map(|(x, y)| x.map(|x| (x, y))));
                (i, r.abs(), format!("r = {r:.2}"))
            })
            .collect()
    };
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let what = match (sobol_of(analysis).is_empty(), morris_of(analysis).is_empty()) {
        (false, _) => "largest total Sobol index",
        (true, false) => "largest Morris μ*",
        (true, true) => "strongest correlation with the point means",
    };
    let labelled = ranked
        .into_iter()
        .filter_map(|(i, _, rank)| factors.get(i).map(|f| (i, f.path.clone(), rank)))
        .collect();
    (labelled, what)
}

/// Pearson's r over the finite pairs (0 when either side does not vary).
fn pearson(pairs: impl Iterator<Item = (f64, f64)>) -> f64 {
    let pairs: Vec<(f64, f64)> = pairs.filter(|(x, y)| x.is_finite() && y.is_finite()).collect();
    let n = pairs.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let (mx, my) = pairs.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let (sxy, sxx, syy) = pairs.iter().fold((0.0, 0.0, 0.0), |(sxy, sxx, syy), (x, y)| {
        (sxy + (x - mx) * (y - my), sxx + (x - mx) * (x - mx), syy + (y - my) * (y - my))
    });
    let r = sxy / (sxx * syy).sqrt();
    if r.is_finite() { r } else { 0.0 }
}

/// The figure of one outcome's point means against its factors; none when they do not vary.
fn factors_figure(
    output: &ExploreOutput,
    title: &str,
    analysis: &OutcomeAnalysis,
) -> Option<charts::FactorsFigure> {
    // The points drawn independently from the factors' distributions: a Saltelli design's A and B
    // rows (its ABᵢ rows repeat their values column by column), every point of the others.
    let sobol = output.roles.iter().any(|r| r == "A");
    let shown: Vec<usize> = (0..output.values.len())
        .filter(|&p| !sobol || matches!(output.roles.get(p).map(String::as_str), Some("A" | "B")))
        .collect();
    let means: Vec<f64> =
        shown.iter().filter_map(|&p| analysis.means.get(p).copied()).filter(|m| m.is_finite()).collect();
    let varies = means.iter().any(|&m| means.first().is_some_and(|&first| m != first));
    if !varies {
        return None;
    }
    let (ranked, what) = ranked_factors(output, analysis);
    let panels = ranked
        .into_iter()
        .take(charts::PANELS)
        .map(|(factor, label, rank)| charts::FactorPanel {
            label,
            rank,
            points: shown
                .iter()
                .filter_map(|&p| {
                    let x = output.values.get(p).and_then(|v| v.get(factor)).copied()?;
                    Some((x, analysis.means.get(p).copied()?))
                })
                .collect(),
        })
        .collect::<Vec<_>>();
    let count = output.experiment.factors.len();
    Some(charts::FactorsFigure {
        title: format!("{title}: point means against the factors"),
        subtitle: format!(
            "Each dot a design point ({} shown): its factor value and the mean of its {} runs · {} · seed {}",
            format::count(shown.len() as u64),
            format::count(output.experiment.replications),
            if count > charts::PANELS {
                format!("the {} factors of {what}", charts::PANELS)
            } else {
                format!("factors by {what}")
            },
            output.seed
        ),
        y_label: "mean".to_string(),
        panels,
    })
}

fn write_design(w: &mut impl std::io::Write, output: &ExploreOutput) -> std::io::Result<()> {
    let mut csv = CsvWriter::new(w);
    let mut header = vec!["point".to_string(), "role".to_string()];
    header.extend(output.experiment.factors.iter().map(|f| f.path.clone()));
    header.extend(output.outcomes.iter().map(|(name, _)| format!("{name} (mean)")));
    csv.row(header.iter().map(String::as_str))?;
    for (point, (role, values)) in output.roles.iter().zip(output.values).enumerate() {
        csv.integer(point as u64)?;
        csv.text(role)?;
        for value in values {
            csv.number(*value)?;
        }
        for analysis in output.analyses {
            csv.number(analysis.means.get(point).copied().unwrap_or(f64::NAN))?;
        }
        csv.end_row()?;
    }
    csv.flush()
}

fn write_indices(w: &mut impl std::io::Write, output: &ExploreOutput) -> std::io::Result<()> {
    let mut csv = CsvWriter::new(w);
    csv.row(["outcome", "factor", "measure", "value", "standard_error", "lower_95", "upper_95"])?;
    let estimate = |csv: &mut CsvWriter<_>, outcome: &str, factor: &str, measure: &str, e: Estimate| {
        csv.text(outcome)?;
        csv.text(factor)?;
        csv.text(measure)?;
        csv.number(e.value)?;
        csv.number(e.standard_error)?;
        csv.number(e.lower)?;
        csv.number(e.upper)?;
        csv.end_row()
    };
    for ((name, _), analysis) in output.outcomes.iter().zip(output.analyses) {
        if let Some(chance) = analysis.chance {
            estimate(&mut csv, name, "(chance)", "chance_share", chance)?;
        }
        for (factor, index) in output.experiment.factors.iter().zip(sobol_of(analysis)) {
            estimate(&mut csv, name, &factor.path, "first_order", index.first)?;
            estimate(&mut csv, name, &factor.path, "total", index.total)?;
        }
        for (factor, index) in output.experiment.factors.iter().zip(morris_of(analysis)) {
            let se = index.mu_star_standard_error;
            let mu_star = Estimate {
                value: index.mu_star,
                standard_error: se,
                lower: index.mu_star - 1.959_963_984_540_054 * se,
                upper: index.mu_star + 1.959_963_984_540_054 * se,
            };
            estimate(&mut csv, name, &factor.path, "mu_star", mu_star)?;
            let plain =
                |value: f64| Estimate { value, standard_error: f64::NAN, lower: f64::NAN, upper: f64::NAN };
            estimate(&mut csv, name, &factor.path, "mu", plain(index.mu))?;
            estimate(&mut csv, name, &factor.path, "sigma", plain(index.sigma))?;
        }
    }
    csv.flush()
}

fn write_prim(
    w: &mut impl std::io::Write,
    output: &ExploreOutput,
    discovery: &Discovery,
) -> std::io::Result<()> {
    let mut csv = CsvWriter::new(w);
    let mut header = vec!["step", "coverage", "density", "mass", "runs", "chosen"]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    for factor in &output.experiment.factors {
        header.push(format!("{} (lower)", factor.path));
        header.push(format!("{} (upper)", factor.path));
    }
    csv.row(header.iter().map(String::as_str))?;
    let simplified = std::iter::once(&discovery.simplified);
    for (step, b) in discovery.trajectory.iter().chain(simplified).enumerate() {
        if step == discovery.trajectory.len() {
            csv.text("simplified")?;
        } else {
            csv.integer(step as u64)?;
        }
        csv.number(b.coverage)?;
        csv.number(b.density)?;
        csv.number(b.mass)?;
        csv.integer(b.points as u64)?;
        csv.text(if step == discovery.chosen { "yes" } else { "" })?;
        for bound in &b.bounds {
            csv.number(bound.lower.unwrap_or(f64::NAN))?;
            csv.number(bound.upper.unwrap_or(f64::NAN))?;
        }
        csv.end_row()?;
    }
    csv.flush()
}

/// The Sobol indices of an analysis (none when the design is not Saltelli's or they failed).
pub fn sobol_of(analysis: &OutcomeAnalysis) -> &[crate::stats::sobol::SobolIndex] {
    match &analysis.sobol {
        Some(Ok(indices)) => indices,
        _ => &[],
    }
}

/// The Morris measures of an analysis (none when the design is not Morris's or they failed).
pub fn morris_of(analysis: &OutcomeAnalysis) -> &[crate::stats::morris::MorrisIndex] {
    match &analysis.morris {
        Some(Ok(indices)) => indices,
        _ => &[],
    }
}

/// The chosen PRIM box in the scenario's words: "when A ≤ x and B ≥ y: 64% of target runs, density 81%".
pub fn describe_box(output: &ExploreOutput, chosen: &PrimBox) -> String {
    let mut conditions = Vec::new();
    for (factor, bound) in output.experiment.factors.iter().zip(&chosen.bounds) {
        let show = |x: f64| crate::format::significant(x, 3);
        match (bound.lower, bound.upper) {
            (Some(lo), Some(hi)) => conditions.push(format!("{} ≤ {} ≤ {}", show(lo), factor.path, show(hi))),
            (Some(lo), None) => conditions.push(format!("{} ≥ {}", factor.path, show(lo))),
            (None, Some(hi)) => conditions.push(format!("{} ≤ {}", factor.path, show(hi))),
            (None, None) => {}
        }
    }
    let region = if conditions.is_empty() {
        "everywhere".to_string()
    } else {
        format!("when {}", conditions.join(" and "))
    };
    format!(
        "{region}: {} of target runs, density {} (in {} of all runs)",
        crate::format::percent(chosen.coverage),
        crate::format::percent(chosen.density),
        crate::format::percent(chosen.mass)
    )
}

fn estimate_json(e: Estimate) -> Value {
    let finite = |x: f64| if x.is_finite() { json!(x) } else { Value::Null };
    json!({ "value": finite(e.value), "standard_error": finite(e.standard_error), "lower_95": finite(e.lower), "upper_95": finite(e.upper) })
}

fn summary(output: &ExploreOutput) -> Value {
    let experiment = output.experiment;
    let factors: Vec<Value> = experiment
        .factors
        .iter()
        .map(|f| json!({ "path": f.path, "set": f.setting, "whole": f.whole, "source": f.about.source }))
        .collect();
    let outcomes: Vec<Value> = output
        .outcomes
        .iter()
        .zip(output.analyses)
        .map(|((name, title), analysis)| {
            let mut entry = json!({ "name": name, "title": title, "chance_share": analysis.chance.map(estimate_json) });
            let map = entry.as_object_mut();
            if let Some(map) = map {
                match &analysis.sobol {
                    Some(Ok(indices)) => {
                        let rows: Vec<Value> = experiment.factors.iter().zip(indices).map(|(f, i)| {
                            json!({ "factor": f.path, "first_order": estimate_json(i.first), "total": estimate_json(i.total) })
                        }).collect();
                        map.insert("sobol".into(), json!(rows));
                    }
                    Some(Err(why)) => {
                        map.insert("sobol_unavailable".into(), json!(why));
                    }
                    None => {}
                }
                match &analysis.morris {
                    Some(Ok(indices)) => {
                        let rows: Vec<Value> = experiment.factors.iter().zip(indices).map(|(f, i)| {
                            json!({ "factor": f.path, "mu_star": i.mu_star, "mu_star_standard_error": i.mu_star_standard_error, "mu": i.mu, "sigma": i.sigma, "effects": i.effects })
                        }).collect();
                        map.insert("morris".into(), json!(rows));
                    }
                    Some(Err(why)) => {
                        map.insert("morris_unavailable".into(), json!(why));
                    }
                    None => {}
                }
            }
            entry
        })
        .collect();
    let prim = output.discovery.map(|(target, discovery)| {
        let chosen = &discovery.simplified;
        json!({
            "target": target,
            "chosen_step": discovery.chosen,
            "reaches_density_threshold": discovery.reaches_threshold,
            "chosen": describe_box(output, chosen),
            "coverage": chosen.coverage,
            "density": chosen.density,
            "mass": chosen.mass,
            "steps": discovery.trajectory.len(),
        })
    });
    json!({
        "scenario": output.name,
        "title": output.title,
        "design": experiment.design.name(),
        "points": output.values.len(),
        "replications": experiment.replications,
        "runs": output.values.len() as u64 * experiment.replications,
        "seed": output.seed,
        "factors": factors,
        "outcomes": outcomes,
        "prim": prim,
    })
}

/// report.html of an experiment: the answer first (a heat map of every outcome's total indices
/// beside its chance share), then each outcome's indices as bars with their intervals, the PRIM
/// box and its trade-off, and the factors with their sources. No date: the same experiment gives
/// the same bytes.
pub fn report_html(output: &ExploreOutput, charts: &[Chart]) -> String {
    use crate::report::html::{escape, page_start};
    use std::fmt::Write as _;
    let experiment = output.experiment;
    let mut page = String::with_capacity(64 * 1024);
    page_start(
        &mut page,
        &format!("{} — which assumptions matter", output.title),
        &format!("Which assumptions matter: {}", output.title),
        EXPLORE_STYLE,
    );
    let runs = output.values.len() as u64 * experiment.replications;
    let _ = writeln!(
        page,
        "<p class=\"lede\">Scenario <code>{}</code>, experiment <code>{}</code> over {} factors: {} design points × {} \
         replications = {} runs, seed {}. Replication r of every point uses the same random streams.</p>\n</header>",
        escape(output.name),
        experiment.design.name(),
        experiment.factors.len(),
        format::count(output.values.len() as u64),
        format::count(experiment.replications),
        format::count(runs),
        output.seed
    );
    let sobol = output.analyses.iter().any(|a| !sobol_of(a).is_empty());
    let morris = output.analyses.iter().any(|a| !morris_of(a).is_empty());
    if sobol || morris {
        heat_map(&mut page, output, sobol);
    }
    if let Some((target, discovery)) = output.discovery {
        prim_section(&mut page, output, target, discovery);
    }
    if sobol {
        let _ = writeln!(
            page,
            "<section id=\"indices\">\n<h2>Each outcome's indices</h2>\n<p>Bars: the first-order index (the factor \
             alone, light) and the total index (with its interactions, dark), each with its 95% bootstrap interval \
             (the line). A bar is drawn within 0–1 and an interval clipped to it; <code>indices.csv</code> holds the \
             estimates as computed, which can fall outside 0–1 by chance.</p>"
        );
        for ((name, title), analysis) in output.outcomes.iter().zip(output.analyses) {
            let indices = sobol_of(analysis);
            if indices.is_empty() {
                continue;
            }
            let _ = writeln!(page, "<h3>{} <code>{}</code></h3>", escape(title), escape(name));
            if let Some(chance) = analysis.chance {
                let _ = writeln!(
                    page,
                    "<p class=\"note\">Chance within a point: {} of the run-to-run variance (95%: {}–{}). The indices \
                     below split the rest.</p>",
                    format::percent(chance.value),
                    format::percent(chance.lower),
                    format::percent(chance.upper)
                );
            }
            page.push_str(
                "<div class=\"bars\">\n<div class=\"bar-row note\"><span>factor</span><span>0 to 1</span>\
                 <span>first-order · total [95%]</span></div>\n",
            );
            for (factor, index) in experiment.factors.iter().zip(indices) {
                let _ = writeln!(
                    page,
                    "<div class=\"bar-row\"><span class=\"bar-label\">{}</span><span class=\"bar-track\">{}{}</span>\
                     <span class=\"bar-value\">{} · {}</span></div>",
                    escape(&factor.path),
                    bar(index.first, "first"),
                    bar(index.total, "total"),
                    format_index(index.first),
                    format_index(index.total)
                );
            }
            page.push_str("</div>\n");
        }
        page.push_str("</section>\n");
    }
    if !charts.is_empty() {
        let _ = writeln!(
            page,
            "<section id=\"point-means\">\n<h2>Point means against the factors</h2>\n<p>Each dot is a design point: \
             its value of the factor and the outcome's mean over its {} runs; for each outcome, the factors that \
             matter most for it. The panels share the y scale, so a steep cloud beside a flat one is what the \
             indices say. The spread at any one x is the other factors' part and chance's (each mean is of {} runs).</p>",
            format::count(experiment.replications),
            format::count(experiment.replications)
        );
        for chart in charts {
            let png = chart.png.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let svg =
                chart.svg_file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let _ = writeln!(
                page,
                "<figure id=\"chart-{}\">\n<img src=\"charts/{}\" alt=\"{}\" loading=\"lazy\" width=\"1200\" height=\"700\">\n\
                 <figcaption>{} <span class=\"files\">charts/{} · charts/{}</span></figcaption>\n</figure>",
                escape(&chart.name),
                escape(&svg),
                escape(&chart.title),
                escape(&chart.title),
                escape(&png),
                escape(&svg)
            );
        }
        page.push_str("</section>\n");
    }
    page.push_str("<section id=\"factors\">\n<h2>Factors</h2>\n<table class=\"wrap\">\n<thead><tr><th>factor (--set path)</th><th>range</th><th>source</th></tr></thead>\n<tbody>\n");
    for factor in &experiment.factors {
        let _ = writeln!(
            page,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            escape(&factor.path),
            escape(&crate::scenario::describe(&factor.distribution)),
            escape(factor.about.source.as_deref().unwrap_or("(no source given)"))
        );
    }
    page.push_str("</tbody>\n</table>\n</section>\n");
    let _ = writeln!(
        page,
        "<section id=\"scenario\">\n<h2>Resolved scenario</h2>\n<pre><code>{}</code></pre>\n</section>\n</main>\n</body>\n</html>",
        escape(output.resolved)
    );
    page
}

/// Extra rules for the experiment's page.
const EXPLORE_STYLE: &str = "
.heat td.cell{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.heat td.unclear{color:#999}
.heat th.factor{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:500;font-size:.8rem}
.bars{display:grid;gap:.25rem;margin:.5rem 0 1.2rem}
.bar-row{display:grid;grid-template-columns:minmax(12rem,26rem) 1fr 19rem;gap:.6rem;align-items:center;font-size:.88rem}
.bar-label{overflow-wrap:anywhere}
.bar-track{position:relative;height:1.3rem;background:var(--band);border-radius:3px}
.bar-track .first,.bar-track .total{position:absolute;left:0;height:.55rem}
.bar-track .first{top:.05rem;background:#9ecae1}
.bar-track .total{top:.65rem;background:#0072b2}
.bar-track .ci{position:absolute;height:2px;background:#222}
.bar-value{font-variant-numeric:tabular-nums;color:var(--muted);white-space:nowrap}
.note{color:var(--muted)}
";

/// A bar for one index: its value within 0–1 and its interval as a line.
fn bar(estimate: Estimate, class: &str) -> String {
    let clip = |x: f64| if x.is_finite() { (x.clamp(0.0, 1.0) * 1000.0).round() / 10.0 } else { 0.0 };
    let top = if class == "first" { 0.3 } else { 0.9 };
    format!(
        "<span class=\"{class}\" style=\"width:{}%\"></span><span class=\"ci\" style=\"left:{}%;width:{}%;top:{top}rem\"></span>",
        clip(estimate.value),
        clip(estimate.lower),
        (clip(estimate.upper) - clip(estimate.lower)).max(0.0)
    )
}

fn format_index(estimate: Estimate) -> String {
    format!("{:.2} [{:.2}, {:.2}]", estimate.value, estimate.lower, estimate.upper)
}

/// The first screen: outcomes × factors, each cell the total index (or Morris's μ* relative to the
/// row's largest), shaded by it; a cell whose interval reaches 0 is grey.
fn heat_map(page: &mut String, output: &ExploreOutput, sobol: bool) {
    use crate::report::html::escape;
    use std::fmt::Write as _;
    let factors = &output.experiment.factors;
    let what = if sobol {
        "Total Sobol index of each factor: its share of the variance of the outcome's point means, alone and \
         through its interactions (0: it does not matter; an additive model's totals sum to 1). Grey: the 95% \
         interval reaches 0; an estimate above 1 is sampling error (see its interval below). Chance: the share of the run-to-run variance within a point, which no factor explains."
    } else {
        "Morris's μ* of each factor, relative to the largest in its row (1: the factor that moves the outcome most \
         over its range). Chance: the share of the run-to-run variance within a point."
    };
    let _ = writeln!(
        page,
        "<section id=\"at-a-glance\">\n<h2>Which factors matter for which outcome</h2>\n<p>{what}</p>\n<div class=\"scroll\">\
         <table class=\"heat\">\n<thead><tr><th>outcome</th><th>chance</th>"
    );
    for factor in factors {
        let _ = write!(page, "<th class=\"factor\">{}</th>", escape(&factor.path));
    }
    page.push_str("</tr></thead>\n<tbody>\n");
    for ((name, title), analysis) in output.outcomes.iter().zip(output.analyses) {
        let chance = analysis.chance.map_or("–".to_string(), |c| format::percent(c.value));
        let _ = write!(
            page,
            "<tr><th title=\"{}\">{}</th><td class=\"cell\">{chance}</td>",
            escape(name),
            escape(title)
        );
        let cells: Vec<(f64, bool)> = if sobol {
            sobol_of(analysis).iter().map(|i| (i.total.value, i.total.lower > 0.0)).collect()
        } else {
            let morris = morris_of(analysis);
            let largest = morris.iter().map(|m| m.mu_star).fold(0.0, f64::max);
            morris
                .iter()
                .map(|m| {
                    let clear = m.mu_star - 1.96 * m.mu_star_standard_error > 0.0;
                    (if largest > 0.0 { m.mu_star / largest } else { 0.0 }, clear)
                })
                .collect()
        };
        if cells.is_empty() {
            let _ = write!(
                page,
                "<td colspan=\"{}\" class=\"unclear\">not computed (undefined at some point, or no variation)</td>",
                factors.len()
            );
        }
        for (value, clear) in cells {
            let alpha = if value.is_finite() { value.clamp(0.0, 1.0) } else { 0.0 };
            let ink = if !clear {
                "#999"
            } else if alpha > 0.55 {
                "#fff"
            } else {
                "inherit"
            };
            let class = if clear { "cell" } else { "cell unclear" };
            let _ = write!(
                page,
                "<td class=\"{class}\" style=\"background:rgba(0,114,178,{alpha:.2});color:{ink}\">{value:.2}</td>"
            );
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody>\n</table></div>\n</section>\n");
}

/// PRIM's box in words and its trade-off: coverage against density along the peeling trajectory.
fn prim_section(page: &mut String, output: &ExploreOutput, target: &str, discovery: &Discovery) {
    use crate::report::html::escape;
    use std::fmt::Write as _;
    let _ = writeln!(
        page,
        "<section id=\"discovery\">\n<h2>Where <code>{}</code> happens</h2>\n<p><strong>{}</strong></p>\n<p class=\"note\">\
         PRIM peels the factors' space {} times, each time cutting the 5% of runs that most dilute the target; the box \
         shown is {} (step {}), with the bounds that do not matter dropped. Coverage: the share of target runs inside \
         the box; density: the share of the box's runs that are target runs. The trade-off below shows every step; \
         prim.csv lists them.</p>",
        escape(target),
        escape(&describe_box(output, &discovery.simplified)),
        discovery.trajectory.len().saturating_sub(1),
        if discovery.reaches_threshold {
            "the largest with density at least 80%"
        } else {
            "the one that best weighs coverage against density (no box reaches 80%)"
        },
        discovery.chosen
    );
    let (width, height, margin) = (520.0, 300.0, 46.0);
    let x = |coverage: f64| margin + coverage * (width - 2.0 * margin);
    let y = |density: f64| height - margin + density * -(height - 2.0 * margin);
    let _ = write!(
        page,
        "<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"PRIM trade-off\">\
         <rect x=\"{margin}\" y=\"{margin}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#ccc\"/>",
        width - 2.0 * margin,
        height - 2.0 * margin
    );
    for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = write!(
            page,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            x(tick),
            height - margin + 16.0,
            format::percent(tick),
            margin - 6.0,
            y(tick) + 4.0,
            format::percent(tick)
        );
    }
    let _ = write!(
        page,
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">coverage (share of target runs in the box)</text>\
         <text x=\"12\" y=\"{:.1}\" font-size=\"12\" transform=\"rotate(-90 12 {:.1})\" text-anchor=\"middle\">density</text>",
        width / 2.0,
        height - 8.0,
        height / 2.0,
        height / 2.0
    );
    let points: Vec<String> =
        discovery.trajectory.iter().map(|b| format!("{:.1},{:.1}", x(b.coverage), y(b.density))).collect();
    let _ = write!(
        page,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#0072b2\" stroke-width=\"1.5\"/>",
        points.join(" ")
    );
    for b in &discovery.trajectory {
        let _ = write!(
            page,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"#0072b2\"/>",
            x(b.coverage),
            y(b.density)
        );
    }
    let chosen = &discovery.simplified;
    let _ = write!(
        page,
        "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"6\" fill=\"none\" stroke=\"#d55e00\" stroke-width=\"2.5\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#d55e00\">the box shown</text></svg>\n</section>\n",
        x(chosen.coverage),
        y(chosen.density),
        x(chosen.coverage) + 9.0,
        y(chosen.density) - 8.0
    );
}
