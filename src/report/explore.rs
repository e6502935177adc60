//! The files of an experiment (`crossroads explore`): design.csv (every point's factor values and
//! each outcome's mean over its replications), indices.csv (Sobol indices or Morris measures and
//! the chance share, each with its interval), prim.csv (the peeling trajectory, when a target was
//! given), summary.json (all of it) and scenario.toml. Owns the file formats only: the numbers come
//! from `stats::experiment` and `stats::prim`.

use std::io::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use super::{CsvWriter, ReportError, write_file};
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

/// Writes the experiment's files into `folder`.
pub fn write_explore(folder: &Path, output: &ExploreOutput) -> Result<(), ReportError> {
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
    Ok(())
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
