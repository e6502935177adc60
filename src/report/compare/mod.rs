//! The output of `crossroads compare` (DESIGN.md §5): scenarios side by side on common random
//! numbers, written atomically like a run's result into `output/compare-<a>-vs-<b>/` (or `--out`):
//!
//! | file | holds |
//! |---|---|
//! | `summary.json` | the comparison: scenarios (with `[correlations]`: each pair's target and achieved rank correlation), per outcome each scenario's statistics and each paired difference against the baseline with its variance reduction, the assumptions that differ, and (when the scenarios carry the same `[evidence]`) each one's evidence probability and Bayes factor against the baseline |
//! | `differences.csv` | one row per outcome and scenario after the baseline: the paired difference, its interval, the pairs, the variance reduction |
//! | `charts/` | grouped probability bars, overlaid histograms, CDFs and fans, difference charts; PNG and SVG |
//! | `report.html` | tables side by side, the charts, the assumptions that differ, the correlated drivers' target and achieved rank correlations, the resolved scenarios |
//! | `scenarios/<label>/` | each scenario's run: `summary.json`, `runs.csv`, `series.csv`, `scenario.toml` |
//!
//! Every file but report.html is a function of the scenarios, seed and runs; report.html's date and
//! wall time follow `SOURCE_DATE_EPOCH` as the run report's do.

pub mod html;
pub mod table;

use std::io::Write as _;
use std::path::Path;

use serde::Serialize;

use super::charts::{self, Chart};
use super::html::RunMetadata;
use super::{CsvWriter, ReportError, RunOutput, write_file};
use crate::scenario::AssumptionChange;
use crate::stats::paired::{ComparedScenario, Comparison, OutcomeComparison, VarianceReduction};

/// One compared scenario's finished run.
#[derive(Debug, Clone, Copy)]
pub struct ComparedRun<'a> {
    /// Its label in the comparison (unique; also its folder under `scenarios/`).
    pub label: &'a str,
    /// The scenario file as given on the command line.
    pub origin: &'a str,
    /// The run, as `crossroads run` writes it.
    pub run: RunOutput<'a>,
}

/// Everything a comparison's output is made from.
#[derive(Debug, Clone, Copy)]
pub struct CompareOutput<'a> {
    /// The outcomes side by side with their paired differences.
    pub comparison: &'a Comparison,
    /// The scenarios' runs, in the comparison's order (baseline first).
    pub runs: &'a [ComparedRun<'a>],
    /// For each scenario after the baseline, in order: its assumptions that differ from the
    /// baseline's.
    pub changes: &'a [Vec<AssumptionChange>],
}

/// The default output folder's name: `compare-<a>-vs-<b>`, with three or more scenarios
/// `compare-<a>-vs-<b>-<c>…` (scenario names are `[a-z0-9_-]`).
pub fn folder_name<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    match names.split_first() {
        Some((baseline, others)) => format!("compare-{baseline}-vs-{}", others.join("-")),
        None => "compare".to_string(),
    }
}

/// Each compared scenario's label: its `name`, or — where two scenarios share a name — its file's
/// stem (e.g. `my_copy` for `my_copy.toml`); `-2`, `-3`… are added only if those collide too.
pub fn labels(scenarios: &[(&str, &Path)]) -> Vec<String> {
    let shared = |name: &str| scenarios.iter().filter(|(other, _)| *other == name).count() > 1;
    let chosen: Vec<String> = scenarios
        .iter()
        .map(|(name, file)| match file.file_stem().and_then(|s| s.to_str()) {
            Some(stem) if shared(name) && !stem.is_empty() => stem.to_string(),
            _ => name.to_string(),
        })
        .collect();
    crate::stats::paired::unique_labels(chosen.iter().map(String::as_str))
}

/// summary.json of a comparison.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryFile<'a> {
    /// crossroads version that produced it.
    pub version: &'a str,
    /// The seed every scenario ran on.
    pub seed: u64,
    /// Runs per scenario.
    pub runs: u64,
    /// The baseline's label.
    pub baseline: &'a str,
    /// The scenarios, baseline first.
    pub scenarios: Vec<ScenarioEntry<'a>>,
    /// Every outcome of any scenario, matched by name.
    pub outcomes: &'a [OutcomeComparison],
    /// For each scenario after the baseline: the assumptions that differ from the baseline's.
    pub assumptions: Vec<AssumptionsEntry<'a>>,
    /// Each scenario's evidence probability and Bayes factor against the baseline, when they carry
    /// the same evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<&'a crate::stats::evidence::EvidenceComparison>,
}

/// A scenario in summary.json.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioEntry<'a> {
    /// Label, name, title, start and horizon.
    #[serde(flatten)]
    pub scenario: &'a ComparedScenario,
    /// The scenario file as given.
    pub file: &'a str,
    /// Its run's folder inside the comparison, e.g. `scenarios/frozen_war`.
    pub results: String,
    /// With `[correlations]`: the copula's construction and each pair's target and achieved rank
    /// correlation with its interval (as in its run's summary.json).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlations: Option<&'a crate::stats::correlations::CorrelationsSummary>,
}

/// The assumptions of one scenario that differ from the baseline's.
#[derive(Debug, Clone, Serialize)]
pub struct AssumptionsEntry<'a> {
    /// The scenario's label.
    pub scenario: &'a str,
    /// The baseline's label.
    pub baseline: &'a str,
    /// The differing assumptions (empty when they assume the same).
    pub changes: &'a [AssumptionChange],
}

/// The folder of a scenario's run inside the comparison: `scenarios/<label>`.
pub fn results_folder(label: &str) -> String {
    format!("scenarios/{}", charts::file_stem(label))
}

/// summary.json's content.
pub fn summary_file<'a>(output: &CompareOutput<'a>) -> SummaryFile<'a> {
    let comparison = output.comparison;
    SummaryFile {
        version: crate::VERSION,
        seed: comparison.seed,
        runs: comparison.runs,
        baseline: &comparison.baseline,
        scenarios: comparison
            .scenarios
            .iter()
            .zip(output.runs)
            .map(|(scenario, run)| ScenarioEntry {
                scenario,
                file: run.origin,
                results: results_folder(&scenario.label),
                correlations: run.run.summary.correlations.as_ref(),
            })
            .collect(),
        outcomes: &comparison.outcomes,
        assumptions: comparison
            .scenarios
            .iter()
            .skip(1)
            .zip(output.changes)
            .map(|(scenario, changes)| AssumptionsEntry {
                scenario: &scenario.label,
                baseline: &comparison.baseline,
                changes,
            })
            .collect(),
        evidence: comparison.evidence.as_ref(),
    }
}

/// Writes summary.json, differences.csv and each scenario's run (`scenarios/<label>/`) into
/// `folder`.
pub fn write_files(folder: &Path, output: &CompareOutput) -> Result<(), ReportError> {
    write_file(&folder.join("summary.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, &summary_file(output))?;
        writeln!(w).map_err(serde_json::Error::io)?;
        Ok(())
    })?;
    write_file(&folder.join("differences.csv"), |w| Ok(write_differences(w, output.comparison)?))?;
    for run in output.runs {
        let results = folder.join(results_folder(run.label));
        std::fs::create_dir_all(&results)
            .map_err(|source| ReportError::Io { path: results.clone(), source })?;
        super::write_files(&results, &run.run)?;
    }
    Ok(())
}

/// The columns of differences.csv.
pub const DIFFERENCES_HEADER: &str = "outcome,kind,scenario,baseline,runs,pairs,baseline_mean,scenario_mean,\
difference,standard_error,lower,upper,independent_standard_error,variance_reduction,note";

/// differences.csv: per outcome (comparison order) and scenario after the baseline, the paired
/// difference scenario − baseline. `kind` is `probability` (means are probabilities) or `numeric`;
/// `pairs` the runs where both are defined; `variance_reduction` a number, `inf`, or empty when not
/// applicable; `note` says when a scenario lacks the outcome (the numbers are then empty).
pub fn write_differences(w: &mut impl std::io::Write, comparison: &Comparison) -> std::io::Result<()> {
    let mut csv = CsvWriter::new(w);
    csv.row(DIFFERENCES_HEADER.split(','))?;
    for outcome in &comparison.outcomes {
        for difference in &outcome.differences {
            csv.text(&outcome.name)?;
            csv.text(if outcome.probability { "probability" } else { "numeric" })?;
            csv.text(&difference.scenario)?;
            csv.text(&comparison.baseline)?;
            match &difference.difference {
                Some(d) => {
                    csv.integer(d.runs)?;
                    csv.integer(d.pairs)?;
                    for x in [
                        d.baseline_mean,
                        d.scenario_mean,
                        d.difference,
                        d.standard_error,
                        d.lower,
                        d.upper,
                        d.independent_standard_error,
                    ] {
                        csv.number(x)?;
                    }
                    match d.variance_reduction {
                        VarianceReduction::Ratio(x) => csv.number(x)?,
                        VarianceReduction::Infinite => csv.text("inf")?,
                        VarianceReduction::NotApplicable => csv.empty()?,
                    }
                    csv.empty()?;
                }
                None => {
                    for _ in 0..10 {
                        csv.empty()?;
                    }
                    let missing = if outcome.present_in.contains(&comparison.baseline) {
                        &difference.scenario
                    } else {
                        &comparison.baseline
                    };
                    csv.text(&format!("not in {missing}"))?;
                }
            }
            csv.end_row()?;
        }
    }
    csv.flush()
}

/// Writes charts/ and report.html of a comparison into `folder`; returns the charts.
pub fn write_charts_and_report(
    folder: &Path,
    output: &CompareOutput,
    metadata: &RunMetadata,
) -> Result<Vec<Chart>, Box<dyn std::error::Error + Send + Sync>> {
    let charts = charts::write_compare_charts(output.comparison, folder)?;
    let page = html::render_compare_report(&html::CompareReport { output, metadata, charts: &charts });
    let path = folder.join("report.html");
    std::fs::write(&path, page).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(charts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_use_file_stems_only_where_names_collide() {
        let p = Path::new;
        let same = [("south", p("a/south.toml")), ("south", p("b/my_copy.toml")), ("other", p("c/x.toml"))];
        assert_eq!(labels(&same), ["south", "my_copy", "other"]);
        let twins = [("south", p("a/south.toml")), ("south", p("b/south.toml"))];
        assert_eq!(labels(&twins), ["south", "south-2"]);
        assert_eq!(labels(&[("a", p("x.toml")), ("b", p("y.toml"))]), ["a", "b"]);
    }

    #[test]
    fn folder_names_list_the_scenarios() {
        assert_eq!(folder_name(["a", "b"]), "compare-a-vs-b");
        assert_eq!(folder_name(["a", "b", "c"]), "compare-a-vs-b-c");
        assert_eq!(folder_name(["a", "a"]), "compare-a-vs-a");
        assert_eq!(results_folder("a b/c"), "scenarios/a_b_c");
    }
}
