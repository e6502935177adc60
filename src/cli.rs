//! The command line: parses arguments, calls the library, prints, and maps failures to exit codes
//! (0 success, 2 bad input, 1 anything else). No model logic lives here.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use crate::engine::{self, EngineError, Settings};
use crate::model::{BargainTrace, Model};
use crate::report::compare as compare_report;
use crate::report::{self, PendingOutput, RunOutput, charts, html, table};
use crate::scenario;
use crate::stats;

pub mod watch;

/// The bundled default scenario, embedded in the binary: `crossroads run` with no file runs it.
pub const DEFAULT_SCENARIO: &str = include_str!("../scenarios/south_caucasus_2024.toml");

/// How the bundled default is named in diagnostics and reports.
pub const DEFAULT_ORIGIN: &str = "<bundled default: scenarios/south_caucasus_2024.toml>";

/// crossroads: Monte Carlo scenario simulation from a TOML file of assumptions.
#[derive(Debug, Parser)]
#[command(name = "crossroads", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario's Monte Carlo replications and write results to output/<name>/.
    Run(RunArgs),
    /// Validate a scenario and print its assumptions register.
    Check(CheckArgs),
    /// Run scenarios on common random numbers and compare their outcomes.
    Compare(CompareArgs),
    /// Print an issue's bargaining round by round at each uncertain input's median.
    Bargain(BargainArgs),
    /// Run a scenario, serve its report on 127.0.0.1 and rerun on every save.
    Watch(watch::WatchArgs),
}

/// Flags shared by the commands that run replications.
#[derive(Debug, Args)]
pub struct RunOptions {
    /// Number of replications (default: the scenario's `runs`; for compare the first scenario's).
    #[arg(long, value_name = "N")]
    pub runs: Option<u64>,
    /// Seed (default: the scenario's `seed`; for compare the first scenario's).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "T")]
    pub threads: Option<usize>,
    /// Output folder (default: output/<scenario name>/; for compare output/compare-<a>-vs-<b>/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bar and no summary table.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `crossroads run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (default: the bundled South Caucasus 2024 scenario).
    pub scenario: Option<PathBuf>,
    /// Override one value, e.g. --set drivers.turkey_guarantee_credibility.beta.alpha=4
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Skip charts and report.html.
    #[arg(long)]
    pub no_charts: bool,
    #[command(flatten)]
    pub options: RunOptions,
}

/// `crossroads check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario file.
    pub scenario: PathBuf,
    /// Override one value, as for `run`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// `crossroads compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Two or more scenario files; the first is the baseline.
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<PathBuf>,
    #[command(flatten)]
    pub options: RunOptions,
}

/// `crossroads bargain`.
#[derive(Debug, Args)]
pub struct BargainArgs {
    /// Scenario file.
    pub scenario: PathBuf,
    /// The issue to bargain over.
    #[arg(long, value_name = "NAME")]
    pub issue: String,
    /// Number of rounds.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub rounds: u32,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// How a command failed: decides the exit code.
#[derive(Debug)]
pub enum Failure {
    /// Bad input (file, flag, value): exit 2.
    BadInput(miette::Report),
    /// Anything else: exit 1.
    Internal(miette::Report),
}

impl Failure {
    fn exit_code(&self) -> ExitCode {
        match self {
            Failure::BadInput(_) => ExitCode::from(2),
            Failure::Internal(_) => ExitCode::from(1),
        }
    }
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    ignore_file_size_signal();
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Run(args) => run(args),
        Command::Check(args) => check(args),
        Command::Compare(args) => compare(args),
        Command::Bargain(args) => bargain(args),
        Command::Watch(args) => watch::watch(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let code = failure.exit_code();
            let (Failure::BadInput(report) | Failure::Internal(report)) = failure;
            // A scenario's diagnostics render the same way everywhere (tests snapshot this text).
            match report.downcast_ref::<scenario::LoadError>() {
                Some(error) => eprint!("{}", error.render()),
                None => eprintln!("{report:?}"),
            }
            code
        }
    }
}

/// A write beyond a file size limit (`ulimit -f`) kills the process by SIGXFSZ unless ignored;
/// ignored, the write fails with EFBIG and the run ends with exit 1 and a message like any full
/// disk, the previous result untouched.
fn ignore_file_size_signal() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_IGN installs no handler and touches no memory.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// Loads `path` with the overrides, or the bundled default when there is no path.
fn load_scenario(path: Option<&Path>, overrides: &[String]) -> Result<scenario::Loaded, Failure> {
    match path {
        Some(path) => scenario::load_file(path, overrides),
        None => scenario::load_str(DEFAULT_ORIGIN, DEFAULT_SCENARIO, Path::new("."), overrides),
    }
    .map_err(|e| Failure::BadInput(e.into()))
}

fn bad_input(message: String, help: &str) -> Failure {
    Failure::BadInput(miette::miette!(help = help.to_string(), "{message}"))
}

fn internal(error: impl std::fmt::Display) -> Failure {
    Failure::Internal(miette::miette!("{error}"))
}

/// A run whose arithmetic left the finite numbers: the scenario's numbers are bad input (exit 2).
fn not_finite(loaded: &scenario::Loaded, run: u64, fault: crate::model::Fault) -> Failure {
    let month = loaded.scenario.meta.start.plus(fault.month);
    bad_input(
        format!(
            "{}: in run {run}, month {} ({month}), {} became NaN or infinite",
            loaded.origin,
            fault.month,
            fault.site.describe(&loaded.scenario)
        ),
        "the scenario's numbers are too large for the arithmetic (products or sums beyond ±1.8e308, or ∞ − ∞): \
         use smaller coefficients, bounds (`min`/`max`) on the variables involved, or smaller distribution \
         parameters",
    )
}

/// `--runs` above [`scenario::MAX_RUNS`] (a file's `runs` is checked by the loader).
fn too_many_runs(runs: u64) -> Failure {
    bad_input(
        format!("--runs must be at most {}, found {runs}", scenario::MAX_RUNS),
        "a billion runs of even a small scenario take days, and the Monte Carlo error shrinks only as 1/√runs: \
         10,000 runs estimate a probability to within ±1%",
    )
}

/// A failure to write the result folder: exit 1, saying the previous result is untouched.
fn write_failure(error: impl std::fmt::Display) -> Failure {
    Failure::Internal(miette::miette!(
        help = "is the disk full, read-only, or a file size limit (ulimit -f) reached? The previous \
                result in that folder, if any, is untouched",
        "{error}"
    ))
}

/// `crossroads run`: load, compile, simulate, summarize, write the result folder atomically, print
/// the outcome table. Bad input (file, flags, output folder) is found before anything is written.
fn run(args: RunArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let loaded = load_scenario(args.scenario.as_deref(), &args.set)?;
    let options = &args.options;
    let runs = options.runs.unwrap_or(loaded.scenario.meta.runs);
    if runs == 0 {
        return Err(bad_input("--runs must be at least 1".into(), "e.g. --runs 10000"));
    }
    if runs > scenario::MAX_RUNS {
        return Err(too_many_runs(runs));
    }
    if options.threads == Some(0) {
        return Err(bad_input("--threads must be at least 1".into(), "leave it out to use every core"));
    }
    if !args.no_charts {
        // report.html is dated from SOURCE_DATE_EPOCH: a bad value is bad input, found before simulating.
        html::report_date().map_err(bad_date)?;
    }
    let model = Model::compile(&loaded.scenario)
        .map_err(|e| bad_input(format!("{}: {e}", loaded.origin), "fix the scenario file"))?;
    let target = options.out.clone().unwrap_or_else(|| Path::new("output").join(&model.name));
    let pending = PendingOutput::prepare(&target).map_err(|e| {
        bad_input(e.to_string(), "choose another folder with --out, or remove what is in the way")
    })?;
    let settings = Settings {
        runs,
        seed: options.seed.unwrap_or(loaded.scenario.meta.seed),
        threads: options.threads,
        progress: !options.quiet,
    };
    let simulation = engine::simulate(&model, &settings).map_err(|e| match e {
        EngineError::NoRuns | EngineError::NoThreads | EngineError::TooLarge { .. } => {
            bad_input(e.to_string(), "use fewer runs or a shorter horizon")
        }
        EngineError::NotFinite { run, fault } => not_finite(&loaded, run, fault),
        EngineError::ThreadPool { .. } | EngineError::Cancelled => internal(e),
    })?;
    let summary = stats::summarize(&model, &simulation);
    let output =
        RunOutput { model: &model, simulation: &simulation, summary: &summary, resolved: &loaded.resolved };
    let sensitivity = stats::sensitivity(&model, &simulation);
    let effects = stats::effects(&model, &simulation);
    report::write_files_with(pending.path(), &output, &sensitivity, &effects).map_err(write_failure)?;
    let names = report::words::DriverNames::of(&model);
    if !args.no_charts {
        let threads = options.threads.unwrap_or_else(rayon::current_num_threads);
        write_charts_and_report(pending.path(), &loaded, (&summary, &effects), &names, threads, started)
            .map_err(write_failure)?;
    }
    let folder = pending.commit().map_err(write_failure)?;
    if !options.quiet {
        print!(
            "{}\n{}",
            report::headline::in_text(&summary, &effects, &names),
            table::outcome_table(&summary)
        );
        let files = if args.no_charts {
            "summary.json, runs.csv, series.csv, sensitivity.csv, drivers.csv, scenario.toml"
        } else {
            "summary.json, runs.csv, series.csv, sensitivity.csv, drivers.csv, scenario.toml, charts/, report.html"
        };
        println!(
            "\n{} runs, seed {}, in {:.1} s. Results in {}/ ({files})",
            summary.runs,
            summary.seed,
            started.elapsed().as_secs_f64(),
            folder.display()
        );
    }
    Ok(())
}

/// charts/ (the outcomes', then each outcome's drivers) and report.html of a run, into the
/// (temporary) result folder.
fn write_charts_and_report(
    folder: &Path,
    loaded: &scenario::Loaded,
    (summary, effects): (&stats::Summary, &stats::Effects),
    names: &report::words::DriverNames,
    threads: usize,
    started: Instant,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let charts = charts::write_run_charts(summary, folder)?;
    let driver_charts = charts::write_driver_charts(summary, effects, names, folder, &charts)?;
    let metadata = html::RunMetadata::measured(summary.seed, summary.runs, threads, started)?;
    let register = scenario::register(&loaded.scenario);
    let page = html::render_run_report(&html::RunReport {
        summary,
        metadata: &metadata,
        register: &register,
        scenario_toml: &loaded.resolved,
        charts: &charts,
        drivers: Some(html::DriversSection { effects, names, charts: &driver_charts }),
    });
    let path = folder.join("report.html");
    std::fs::write(&path, page).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

/// `crossroads check`: load and validate, then print the assumptions register. Diagnostics go to
/// stderr exactly as [`scenario::LoadError::render`] writes them.
fn check(args: CheckArgs) -> Result<(), Failure> {
    let loaded = scenario::load_file(&args.scenario, &args.set).map_err(|e| Failure::BadInput(e.into()))?;
    let s = &loaded.scenario;
    let entries = scenario::register(s);
    let mut out = format!(
        "{} — {}\n{}: {} months from {}, {} runs, seed {}\n\n",
        s.meta.name, s.meta.title, loaded.origin, s.meta.horizon, s.meta.start, s.meta.runs, s.meta.seed
    );
    out.push_str(&scenario::render_register(&entries));
    let unsourced: Vec<String> = entries
        .iter()
        .filter(|e| e.kind != "outcome" && e.source.is_none())
        .map(|e| format!("{} `{}`", e.kind, e.name))
        .collect();
    if !unsourced.is_empty() {
        out.push_str(&format!(
            "\nwarning: {} assumption{} without `source`: {}\n",
            unsourced.len(),
            if unsourced.len() == 1 { "" } else { "s" },
            unsourced.join(", ")
        ));
    }
    out.push_str(&format!("\nok: {} is a valid scenario\n", loaded.origin));
    print!("{out}");
    Ok(())
}

/// `crossroads compare`: load every scenario (all problems reported), run each on the baseline's
/// seed and runs with the same run indices (common random numbers), pair the outcomes, write the
/// comparison folder atomically and print the comparison table. Bad input is found before anything
/// is written.
fn compare(args: CompareArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let options = &args.options;
    if args.scenarios.len() < 2 {
        return Err(bad_input(
            "compare needs at least two scenario files".into(),
            "e.g. crossroads compare baseline.toml variant.toml (the first is the baseline)",
        ));
    }
    let mut loaded = Vec::with_capacity(args.scenarios.len());
    let mut failures = Vec::new();
    for path in &args.scenarios {
        match scenario::load_file(path, &[]) {
            Ok(scenario) => loaded.push(scenario),
            Err(error) => failures.push(error),
        }
    }
    if let Some(last) = failures.pop() {
        // Every broken file is reported, not only the first.
        for error in &failures {
            eprint!("{}", error.render());
        }
        return Err(Failure::BadInput(last.into()));
    }
    let Some(baseline) = loaded.first() else {
        return Err(internal("no scenario was loaded"));
    };
    let runs = options.runs.unwrap_or(baseline.scenario.meta.runs);
    if runs == 0 {
        return Err(bad_input("--runs must be at least 1".into(), "e.g. --runs 10000"));
    }
    if runs > scenario::MAX_RUNS {
        return Err(too_many_runs(runs));
    }
    if options.threads == Some(0) {
        return Err(bad_input("--threads must be at least 1".into(), "leave it out to use every core"));
    }
    let seed = options.seed.unwrap_or(baseline.scenario.meta.seed);
    // A bad SOURCE_DATE_EPOCH is bad input: say so before simulating.
    html::report_date().map_err(bad_date)?;
    let models = loaded
        .iter()
        .map(|l| {
            Model::compile(&l.scenario)
                .map_err(|e| bad_input(format!("{}: {e}", l.origin), "fix the scenario file"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    let target = options
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(compare_report::folder_name(names.iter().copied())));
    let pending = PendingOutput::prepare(&target).map_err(|e| {
        bad_input(e.to_string(), "choose another folder with --out, or remove what is in the way")
    })?;
    let settings = Settings { runs, seed, threads: options.threads, progress: !options.quiet };
    let mut simulations = Vec::with_capacity(models.len());
    for (model, scenario) in models.iter().zip(&loaded) {
        simulations.push(engine::simulate(model, &settings).map_err(|e| match e {
            EngineError::NoRuns | EngineError::NoThreads | EngineError::TooLarge { .. } => {
                bad_input(format!("{}: {e}", model.name), "use fewer runs or a shorter horizon")
            }
            EngineError::NotFinite { run, fault } => not_finite(scenario, run, fault),
            EngineError::ThreadPool { .. } | EngineError::Cancelled => internal(e),
        })?);
    }
    let summaries: Vec<stats::Summary> = models
        .iter()
        .zip(&simulations)
        .map(|(model, simulation)| stats::summarize(model, simulation))
        .collect();
    let labels = stats::paired::unique_labels(names.iter().copied());
    let scenario_runs: Vec<stats::paired::ScenarioRuns> = labels
        .iter()
        .zip(&summaries)
        .zip(&simulations)
        .map(|((label, summary), simulation)| stats::paired::ScenarioRuns { label, summary, simulation })
        .collect();
    let comparison = stats::paired::compare(&scenario_runs);
    let changes: Vec<Vec<scenario::AssumptionChange>> =
        loaded.iter().skip(1).map(|other| scenario::assumption_changes(baseline, other)).collect();
    let runs_output: Vec<compare_report::ComparedRun> = labels
        .iter()
        .zip(&loaded)
        .zip(models.iter().zip(&simulations).zip(&summaries))
        .map(|((label, l), ((model, simulation), summary))| compare_report::ComparedRun {
            label,
            origin: &l.origin,
            run: RunOutput { model, simulation, summary, resolved: &l.resolved },
        })
        .collect();
    let output =
        compare_report::CompareOutput { comparison: &comparison, runs: &runs_output, changes: &changes };
    compare_report::write_files(pending.path(), &output).map_err(write_failure)?;
    let threads = options.threads.unwrap_or_else(rayon::current_num_threads);
    let metadata = html::RunMetadata::measured(seed, runs, threads, started).map_err(bad_date)?;
    compare_report::write_charts_and_report(pending.path(), &output, &metadata).map_err(write_failure)?;
    let folder = pending.commit().map_err(write_failure)?;
    if !options.quiet {
        print!(
            "{} against {} on common random numbers\n{}",
            labels.iter().skip(1).map(String::as_str).collect::<Vec<_>>().join(", "),
            comparison.baseline,
            compare_report::table::comparison_table(&comparison)
        );
        println!(
            "\n{} scenarios × {} runs, seed {}, in {:.1} s. Results in {}/ (summary.json, differences.csv, \
             charts/, report.html, scenarios/)",
            labels.len(),
            runs,
            seed,
            started.elapsed().as_secs_f64(),
            folder.display()
        );
    }
    Ok(())
}

/// `crossroads bargain`: an issue's rounds at the inputs' medians, as a table or JSON.
fn bargain(args: BargainArgs) -> Result<(), Failure> {
    let loaded = load_scenario(Some(&args.scenario), &[])?;
    let model = Model::compile(&loaded.scenario)
        .map_err(|e| bad_input(format!("{}: {e}", loaded.origin), "fix the scenario file"))?;
    let Some(index) = model.issue_index(&args.issue) else {
        let names: Vec<&str> = model.issue_names().collect();
        let closest = names
            .iter()
            .map(|name| (strsim::jaro_winkler(name, &args.issue), *name))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let help = match (closest, names.is_empty()) {
            (_, true) => format!("{} has no issues", loaded.origin),
            (Some((_, name)), _) => format!("did you mean `{name}`? The issues are: {}", names.join(", ")),
            (None, _) => format!("the issues are: {}", names.join(", ")),
        };
        return Err(bad_input(format!("{} has no issue `{}`", loaded.origin, args.issue), &help));
    };
    let trace = model.bargain(index, args.rounds).ok_or_else(|| internal("the issue disappeared"))?;
    if args.json {
        let text = serde_json::to_string_pretty(&trace).map_err(internal)?;
        println!("{text}");
    } else {
        print!("{}", bargain_table(&trace));
    }
    Ok(())
}

/// The trace as an aligned table: one row per round, one column per actor.
fn bargain_table(trace: &BargainTrace) -> String {
    let (low, high) = trace.scale;
    let mut text = format!(
        "{} ({}, scale {}–{}), at each uncertain input's median\n\n",
        trace.issue,
        trace.model,
        table::significant(low, 6),
        table::significant(high, 6)
    );
    let mut header = vec!["round".to_string(), "forecast".to_string()];
    header.extend(trace.actors.iter().cloned());
    let mut rows = vec![header];
    for round in &trace.rounds {
        let mut row = vec![round.round.to_string(), format!("{:.4}", round.forecast)];
        row.extend(round.positions.iter().map(|x| format!("{x:.4}")));
        rows.push(row);
    }
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let cells: Vec<String> =
            row.iter().zip(&widths).map(|(cell, width)| format!("{cell:>width$}")).collect();
        text.push_str(&cells.join("  "));
        text.push('\n');
    }
    text
}

/// A `SOURCE_DATE_EPOCH` that is not whole seconds since 1970.
fn bad_date(error: html::InvalidSourceDateEpoch) -> Failure {
    bad_input(error.to_string(), "unset SOURCE_DATE_EPOCH or give whole seconds since 1970")
}
