//! Output: summary.json, runs.csv, series.csv, sensitivity.csv, scenario.toml, and (from the charts module) charts
//! and report.html (DESIGN.md §7). The report never simulates: it reads a finished run.
//!
//! [`write_run`] writes a result folder atomically and calls a hook with the temporary folder
//! before it is moved into place, so charts and the HTML report land in the same atomic result.
//! Numbers are written with Rust's shortest round-trip formatting (`{}` and serde_json's), so the
//! same run always gives the same bytes.

pub mod charts;
pub mod compare;
mod correlations;
pub mod csv_writer;
mod evidence;
pub mod explore;
pub mod folder;
pub mod headline;
pub mod html;
pub mod shard;
pub mod table;
pub mod words;

use std::fs;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use csv_writer::CsvWriter;
pub use folder::{PendingOutput, Replacing};

use crate::engine::Simulation;
use crate::model::Model;
use crate::stats::{BinLabel, Effects, Sensitivity, Summary};

/// Why a result could not be written.
#[derive(Debug, Error)]
pub enum ReportError {
    /// The output folder cannot be used.
    #[error("cannot write results to {}: {reason}", path.display())]
    BadTarget {
        /// The folder asked for.
        path: PathBuf,
        /// Why it cannot be used.
        reason: String,
    },
    /// The output folder holds the result of other scenario(s) and `--force` was not given.
    #[error(
        "{} holds the result of a different scenario (resolved scenario hash {before} there, {now} now)",
        path.display()
    )]
    OtherScenario {
        /// The folder asked for.
        path: PathBuf,
        /// Fingerprint of the resolved scenario(s) the folder was made from.
        before: String,
        /// Fingerprint of the resolved scenario(s) about to be written.
        now: String,
    },
    /// A file system error.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// summary.json could not be serialized.
    #[error("cannot write summary.json: {0}")]
    Json(#[from] serde_json::Error),
    /// A hook (charts, report.html) failed.
    #[error("{0}")]
    Extra(Box<dyn std::error::Error + Send + Sync>),
}

/// A hook that adds files (charts, report.html) into the temporary result folder it is given.
pub type Extra<'a> = &'a dyn Fn(&Path) -> Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// A finished run, as the report needs it.
#[derive(Debug, Clone, Copy)]
pub struct RunOutput<'a> {
    /// The compiled model (names of drivers, outcomes, categorical outcomes).
    pub model: &'a Model,
    /// Every run's values.
    pub simulation: &'a Simulation,
    /// The statistics.
    pub summary: &'a Summary,
    /// The resolved scenario as TOML (after `extends` and `--set`): written as scenario.toml.
    pub resolved: &'a str,
}

/// Writes `output` into `target` atomically: summary.json, runs.csv, series.csv, sensitivity.csv,
/// scenario.toml,
/// then whatever `extra` adds (it receives the temporary folder), then the rename into place.
/// Returns the final folder.
pub fn write_run(target: &Path, output: &RunOutput, extra: Extra) -> Result<PathBuf, ReportError> {
    let pending = PendingOutput::prepare(target)?;
    write_files(pending.path(), output)?;
    extra(pending.path()).map_err(ReportError::Extra)?;
    pending.commit()
}

/// Writes summary.json, runs.csv, series.csv, sensitivity.csv and scenario.toml into `folder`.
pub fn write_files(folder: &Path, output: &RunOutput) -> Result<(), ReportError> {
    let sensitivity = crate::stats::sensitivity(output.model, output.simulation);
    let effects = crate::stats::effects(output.model, output.simulation);
    write_files_with(folder, output, &sensitivity, &effects)
}

/// [`write_files`] with the driver importance and effects already computed (`stats::sensitivity`
/// and `stats::effects` of the same run), so that the charts and report.html can reuse them.
pub fn write_files_with(
    folder: &Path,
    output: &RunOutput,
    sensitivity: &Sensitivity,
    effects: &Effects,
) -> Result<(), ReportError> {
    write_file(&folder.join("runs.csv"), |w| Ok(write_runs(w, output.model, output.simulation)?))?;
    write_statistics(folder, output.summary, sensitivity, effects, output.resolved)
}

/// Writes summary.json, series.csv, sensitivity.csv, drivers.csv and scenario.toml into `folder`:
/// everything but runs.csv, which a streamed run writes as it goes ([`RunsCsv`]).
pub fn write_statistics(
    folder: &Path,
    summary: &Summary,
    sensitivity: &Sensitivity,
    effects: &Effects,
    resolved: &str,
) -> Result<(), ReportError> {
    write_file(&folder.join("summary.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, summary)?;
        writeln!(w).map_err(serde_json::Error::io)?;
        Ok(())
    })?;
    write_file(&folder.join("series.csv"), |w| Ok(write_series(w, summary)?))?;
    write_file(&folder.join("sensitivity.csv"), |w| Ok(write_sensitivity(w, sensitivity)?))?;
    write_file(&folder.join("drivers.csv"), |w| Ok(write_effects(w, effects)?))?;
    write_file(&folder.join("scenario.toml"), |w| Ok(w.write_all(resolved.as_bytes())?))?;
    Ok(())
}

/// runs.csv written as chunks finish, in chunk order: memory is one row.
#[derive(Debug)]
pub struct RunsCsv {
    path: PathBuf,
    csv: CsvWriter<fs::File>,
    /// Per driver: its categories' names (categorical drivers).
    categories: Vec<Option<Vec<String>>>,
    /// The evidence items' likelihoods: a `weight` column when there are any.
    likelihoods: Vec<crate::model::Likelihood>,
}

impl RunsCsv {
    /// Creates `path` and writes the header row.
    pub fn create(path: &Path, model: &Model) -> Result<Self, ReportError> {
        let io = |source| ReportError::Io { path: path.to_path_buf(), source };
        let mut csv = CsvWriter::new(fs::File::create(path).map_err(io)?);
        write_runs_header(&mut csv, model).map_err(|e| io(e.into()))?;
        Ok(RunsCsv {
            path: path.to_path_buf(),
            csv,
            categories: model.drivers.iter().map(|d| d.outcomes.clone()).collect(),
            likelihoods: model.evidence.iter().map(|e| e.likelihood).collect(),
        })
    }

    /// Appends the rows of `chunks` (consecutive, in chunk order).
    pub fn write_chunks(&mut self, chunks: &[crate::engine::ChunkValues]) -> Result<(), ReportError> {
        for chunk in chunks {
            let drivers = chunk.drivers.len() / chunk.len.max(1);
            let outcomes = chunk.outcomes.len() / chunk.len.max(1);
            let items = self.likelihoods.len();
            for offset in 0..chunk.len {
                let run = chunk.first_run + offset as u64;
                let d = chunk.drivers.get(offset * drivers..(offset + 1) * drivers).unwrap_or(&[]);
                let o = chunk.outcomes.get(offset * outcomes..(offset + 1) * outcomes).unwrap_or(&[]);
                let e = chunk.evidence.get(offset * items..(offset + 1) * items).unwrap_or(&[]);
                let weight = (items > 0).then(|| crate::model::evidence::run_weight(&self.likelihoods, e));
                write_runs_row(&mut self.csv, run, (d, o, weight), &self.categories)
                    .map_err(|e| ReportError::Io { path: self.path.clone(), source: e.into() })?;
            }
        }
        Ok(())
    }

    /// Flushes the file.
    pub fn finish(mut self) -> Result<(), ReportError> {
        self.csv.flush().map_err(|source| ReportError::Io { path: self.path.clone(), source })
    }
}

/// runs.csv's header row: `run`, the drivers' names, the outcomes' names, and `weight` when the
/// scenario has evidence.
fn write_runs_header<W: std::io::Write>(csv: &mut CsvWriter<W>, model: &Model) -> csv::Result<()> {
    let names =
        model.drivers.iter().map(|d| d.name.as_str()).chain(model.outcomes.iter().map(|o| o.name.as_str()));
    let weight = (!model.evidence.is_empty()).then_some("weight");
    csv.row(std::iter::once("run").chain(names).chain(weight))
}

/// One row of runs.csv: the run, its drivers, outcomes and (with evidence) weight.
fn write_runs_row<W: std::io::Write>(
    csv: &mut CsvWriter<W>,
    run: u64,
    (drivers, outcomes, weight): (&[f64], &[f64], Option<f64>),
    categories: &[Option<Vec<String>>],
) -> csv::Result<()> {
    csv.integer(run)?;
    for (value, names) in drivers.iter().zip(categories) {
        match names {
            Some(names) => csv.text(names.get(*value as usize).map_or("", String::as_str))?,
            None => csv.number(*value)?,
        }
    }
    for value in outcomes {
        csv.number(*value)?;
    }
    if let Some(weight) = weight {
        csv.number(weight)?;
    }
    csv.end_row()
}

/// A failure inside a file writer: I/O or JSON.
#[derive(Debug)]
enum WriteFailure {
    Io(std::io::Error),
    Json(serde_json::Error),
}

impl From<std::io::Error> for WriteFailure {
    fn from(e: std::io::Error) -> Self {
        WriteFailure::Io(e)
    }
}

impl From<serde_json::Error> for WriteFailure {
    fn from(e: serde_json::Error) -> Self {
        WriteFailure::Json(e)
    }
}

fn write_file(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<fs::File>) -> Result<(), WriteFailure>,
) -> Result<(), ReportError> {
    let io = |source| ReportError::Io { path: path.to_path_buf(), source };
    let mut writer = BufWriter::new(fs::File::create(path).map_err(io)?);
    match fill(&mut writer) {
        Ok(()) => {}
        Err(WriteFailure::Io(source)) => return Err(io(source)),
        Err(WriteFailure::Json(e)) => return Err(ReportError::Json(e)),
    }
    writer.flush().map_err(io)?;
    Ok(())
}

/// runs.csv: `run`, each driver's value (categorical: the outcome's name), each outcome's value
/// (empty where undefined), and the run's `weight` when the scenario has evidence. One row per run,
/// in run order.
pub fn write_runs(
    w: &mut impl std::io::Write,
    model: &Model,
    simulation: &Simulation,
) -> std::io::Result<()> {
    let mut csv = CsvWriter::new(w);
    write_runs_header(&mut csv, model)?;
    let categories: Vec<Option<Vec<String>>> = model.drivers.iter().map(|d| d.outcomes.clone()).collect();
    let likelihoods: Vec<crate::model::Likelihood> = model.evidence.iter().map(|e| e.likelihood).collect();
    for run in 0..simulation.runs as usize {
        let weight = (!likelihoods.is_empty())
            .then(|| crate::model::evidence::run_weight(&likelihoods, simulation.run_evidence(run)));
        write_runs_row(
            &mut csv,
            run as u64,
            (simulation.run_drivers(run), simulation.run_outcomes(run), weight),
            &categories,
        )?;
    }
    csv.flush()
}

/// series.csv: `outcome,month,date,mean,p5,p25,p50,p75,p95`, one row per series outcome and month.
pub fn write_series(w: &mut impl std::io::Write, summary: &Summary) -> std::io::Result<()> {
    let mut csv = CsvWriter::new(w);
    csv.row(["outcome", "month", "date", "mean", "p5", "p25", "p50", "p75", "p95"])?;
    for outcome in &summary.outcomes {
        for point in outcome.series.iter().flatten() {
            csv.text(&outcome.name)?;
            csv.integer(u64::from(point.month))?;
            csv.text(&point.date)?;
            for x in [point.mean, point.p5, point.p25, point.p50, point.p75, point.p95] {
                csv.number(x)?;
            }
            csv.end_row()?;
        }
    }
    csv.flush()
}

/// sensitivity.csv: `outcome,driver,spearman,lower,upper,runs`, one row per outcome and driver
/// indicator (`driver=category` for a categorical driver's categories): Spearman's ρ with its 95%
/// interval over the `runs` where the outcome is defined. Outcomes in file order, then |ρ|
/// descending (ties in driver order); an indicator without a coefficient (constant over those runs)
/// has empty `spearman,lower,upper` and comes last.
pub fn write_sensitivity(w: &mut impl std::io::Write, sensitivity: &Sensitivity) -> std::io::Result<()> {
    let mut csv = CsvWriter::new(w);
    csv.row(["outcome", "driver", "spearman", "lower", "upper", "runs"])?;
    for outcome in &sensitivity.outcomes {
        for effect in &outcome.drivers {
            csv.text(&outcome.outcome)?;
            csv.text(&effect.driver)?;
            match &effect.correlation {
                Some(c) => {
                    for x in [c.spearman, c.lower, c.upper] {
                        csv.number(x)?;
                    }
                }
                None => {
                    for _ in 0..3 {
                        csv.empty()?;
                    }
                }
            }
            csv.integer(outcome.runs)?;
            csv.end_row()?;
        }
    }
    csv.flush()
}

/// drivers.csv: `outcome,driver,bin,above,up_to,runs,mean,lower,upper,swing,swing_se,explained`,
/// one row per outcome, driver and bin: the outcome's mean (probability for 0/1 outcomes) over the
/// `runs` of the bin with its 95% interval. A numeric driver's bins are the thirds of its declared
/// distribution (`lowest third`, `middle third`, `highest third`; values in `above < x ≤ up_to`), a
/// categorical driver's its categories. `swing` (largest bin mean minus smallest), its Monte Carlo
/// standard error `swing_se` and `explained` (the share of the outcome's variance between the bins,
/// η²) repeat on each of the driver's rows. Outcomes in file order, drivers by swing descending.
pub fn write_effects(w: &mut impl std::io::Write, effects: &Effects) -> std::io::Result<()> {
    let mut csv = CsvWriter::new(w);
    csv.row([
        "outcome",
        "driver",
        "bin",
        "above",
        "up_to",
        "runs",
        "mean",
        "lower",
        "upper",
        "swing",
        "swing_se",
        "explained",
    ])?;
    for outcome in &effects.outcomes {
        for driver in &outcome.drivers {
            for bin in &driver.bins {
                csv.text(&outcome.outcome)?;
                csv.text(&driver.driver)?;
                match &bin.label {
                    BinLabel::Range { index, count, above, up_to } => {
                        csv.text(range_name(*index, *count))?;
                        csv.number(above.unwrap_or(f64::NAN))?;
                        csv.number(up_to.unwrap_or(f64::NAN))?;
                    }
                    BinLabel::Category(name) => {
                        csv.text(name)?;
                        csv.empty()?;
                        csv.empty()?;
                    }
                }
                csv.integer(bin.runs)?;
                for x in
                    [bin.mean, bin.lower, bin.upper, driver.swing.unwrap_or(f64::NAN), driver.swing_error]
                {
                    csv.number(x)?;
                }
                csv.number(driver.explained)?;
                csv.end_row()?;
            }
        }
    }
    csv.flush()
}

/// A numeric driver's bin in words: `lowest third`, `middle third`, `highest third` (`low`/`high`
/// when its distribution has only two, `all runs` when one).
pub fn range_name(index: usize, count: usize) -> &'static str {
    match (count, index) {
        (1, _) => "all runs",
        (2, 0) => "low",
        (2, _) => "high",
        (_, 0) => "lowest third",
        (_, 1) => "middle third",
        _ => "highest third",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::*;
    use crate::scenario::{Distribution, Factor, Function};
    use crate::stats::summarize;

    #[test]
    fn write_run_writes_everything_and_a_failed_hook_keeps_the_previous_result() {
        let mut s = scenario(6);
        s.drivers = vec![driver(
            "exit",
            Distribution::Categorical(vec![("frozen".into(), 0.5), ("war, again".into(), 0.5)]),
        )];
        s.events = vec![hazard("clash", 0.2)];
        s.outcomes = vec![
            outcome("first", vec![Factor::Call(Function::First, "clash".into())], false),
            outcome("clashes", vec![Factor::Call(Function::Count, "clash".into())], true),
        ];
        let (model, simulation) = run(&s, 40, 2);
        let summary = summarize(&model, &simulation);
        let output =
            RunOutput { model: &model, simulation: &simulation, summary: &summary, resolved: "[scenario]\n" };
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let hook: Extra = &|dir: &Path| {
            std::fs::write(dir.join("extra.txt"), "charts go here")?;
            Ok(())
        };
        assert_eq!(write_run(&target, &output, hook).unwrap(), target);
        for file in
            ["summary.json", "runs.csv", "series.csv", "sensitivity.csv", "scenario.toml", "extra.txt"]
        {
            assert!(target.join(file).is_file(), "{file}");
        }
        let runs = std::fs::read_to_string(target.join("runs.csv")).unwrap();
        assert!(runs.starts_with("run,exit,first,clashes\n0,"), "{runs}");
        assert!(runs.contains(",\"war, again\","), "a name with a comma is quoted: {runs}");
        assert!(runs.lines().any(|l| l.contains(",,")), "an undefined first(...) is empty: {runs}");
        assert_eq!(std::fs::read_to_string(target.join("series.csv")).unwrap().lines().count(), 1 + 6);
        let sensitivity = std::fs::read_to_string(target.join("sensitivity.csv")).unwrap();
        let lines: Vec<&str> = sensitivity.lines().collect();
        // Two outcomes × two indicators (exit=frozen, "exit=war, again").
        assert_eq!(lines.len(), 1 + 2 * 2, "{sensitivity}");
        assert_eq!(lines[0], "outcome,driver,spearman,lower,upper,runs");
        assert!(sensitivity.contains(",\"exit=war, again\","), "{sensitivity}");
        assert!(lines[1..].iter().all(|l| l.starts_with("first,") || l.starts_with("clashes,")));

        let failing: Extra = &|_: &Path| Err("the chart failed".into());
        let before = std::fs::read(target.join("summary.json")).unwrap();
        let error = write_run(&target, &output, failing).unwrap_err();
        assert!(error.to_string().contains("the chart failed"));
        assert_eq!(std::fs::read(target.join("summary.json")).unwrap(), before);
        assert!(target.join("extra.txt").is_file());
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1, "no temporary folder left");
    }
}
