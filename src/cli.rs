//! The command line: parses arguments, calls the library, prints, and maps failures to exit codes
//! (0 success, 2 bad input, 1 anything else). No model logic lives here.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::engine::{self, EngineError, Settings};
use crate::format;
use crate::model::{BargainTrace, Model};
use crate::report::compare as compare_report;
use crate::report::{self, PendingOutput, Replacing, RunOutput, charts, html, table};
use crate::scenario;
use crate::stats;

use crate::stats::precision;
pub mod explore;
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
    /// Merge the shard results of `run --shard I/N` (or `explore --shard I/N`) into the folder one
    /// process would have written.
    Merge(MergeArgs),
    /// Run a scenario, serve its report on 127.0.0.1 and rerun on every save.
    Watch(watch::WatchArgs),
    /// Run a scenario's [experiment]: which assumptions matter (Sobol, Morris) and where a target happens (PRIM).
    Explore(explore::ExploreArgs),
    /// Print the JSON Schema of scenario files (for editors: Taplo / Even Better TOML).
    Schema,
}

/// Flags of the commands that run replications (run, compare).
#[derive(Debug, Args)]
pub struct RunOptions {
    /// Number of replications (default: the scenario's `runs`).
    #[arg(long, value_name = "N")]
    pub runs: Option<u64>,
    #[command(flatten)]
    pub shared: SharedOptions,
}

/// Flags every command that runs replications takes (run, compare, explore). The help texts are
/// run's; compare's are set by [`compare_help`], explore's by [`explore::help`].
#[derive(Debug, Args)]
pub struct SharedOptions {
    /// Seed (default: the scenario's `seed`).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "T")]
    pub threads: Option<usize>,
    /// Output folder (default: output/<scenario name>/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace the output folder even when it holds the result of a different scenario.
    #[arg(long)]
    pub force: bool,
    /// No progress bar and no summary table.
    #[arg(long, short)]
    pub quiet: bool,
    /// Override one value, e.g. --set drivers.turkey_guarantee_credibility.beta.alpha=4 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Skip charts and report.html.
    #[arg(long)]
    pub no_charts: bool,
}

/// compare's own help for the flags it shares with run: its defaults differ.
fn compare_help(command: clap::Command) -> clap::Command {
    command
        .mut_arg("runs", |a| {
            a.help("Number of replications per scenario (default: the first scenario's `runs`)")
        })
        .mut_arg("seed", |a| a.help("Seed of every scenario (default: the first scenario's `seed`)"))
        .mut_arg("out", |a| a.help("Output folder (default: output/compare-<a>-vs-<b>/)"))
        .mut_arg("set", |a| {
            a.help(
                "Override one value in every scenario, e.g. --set scenario.horizon=60 (repeatable; a key \
                 a scenario lacks is an error for that scenario)",
            )
        })
        .mut_arg("force", |a| {
            a.help("Replace the output folder even when it holds a comparison of different scenarios")
        })
}

/// `crossroads run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (default: the bundled South Caucasus 2024 scenario).
    pub scenario: Option<PathBuf>,
    /// Leave out runs.csv (one row per run: ~200 bytes a run for the default scenario).
    #[arg(long)]
    pub no_runs_csv: bool,
    /// Run only shard I of N (0 ≤ I < N: a contiguous range of 64-run chunks) and write a shard
    /// result (default folder output/<name>-shard-<I>-of-<N>/) for `crossroads merge`. `auto` or
    /// `auto/N` reads I and N from the job array it runs in.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<ShardSpec>,
    /// Run chunk after chunk until OUTCOME's 95% interval half-width is at most HALF_WIDTH
    /// (percentage points for a 0/1 outcome, the outcome's unit otherwise); repeatable; --runs is
    /// the cap.
    #[arg(long, value_name = "OUTCOME=HALF_WIDTH")]
    pub precision: Vec<String>,
    /// Run chunk after chunk until N runs are consistent with the scenario's `[evidence]` (weight
    /// above 0), decided in chunk order (the same runs for any thread count); --runs is the cap.
    /// Not with --shard: where it stops depends on every chunk before.
    #[arg(long, value_name = "N")]
    pub accepted: Option<u64>,
    #[command(flatten)]
    pub options: RunOptions,
}

/// Which shard of an experiment `run --shard` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardSpec {
    /// `I/N`.
    Explicit {
        /// 0-based shard index.
        index: u64,
        /// Number of shards.
        count: u64,
    },
    /// `auto` (the engine says the count) or `auto/N`.
    Auto(Option<u64>),
}

impl std::str::FromStr for ShardSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let usage = "expected I/N (0-based shard I of N, e.g. 0/4), auto or auto/N";
        let (left, right) = match text.split_once('/') {
            Some((left, right)) => (left.trim(), Some(right.trim())),
            None => (text.trim(), None),
        };
        let count = match right {
            Some(n) => Some(
                n.parse::<u64>()
                    .ok()
                    .filter(|&n| n >= 1)
                    .ok_or_else(|| format!("`{n}` is not a shard count ≥ 1: {usage}"))?,
            ),
            None => None,
        };
        if left == "auto" {
            return Ok(ShardSpec::Auto(count));
        }
        let index = left.parse::<u64>().map_err(|_| format!("`{left}` is not a shard index: {usage}"))?;
        let count = count.ok_or_else(|| format!("`{text}` has no shard count: {usage}"))?;
        if index >= count {
            return Err(format!(
                "shard index {index} is not below the count {count} (indices are 0-based): {usage}"
            ));
        }
        Ok(ShardSpec::Explicit { index, count })
    }
}

/// `crossroads merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard result folders, in any order.
    #[arg(required = true, value_name = "SHARD_DIR")]
    pub shards: Vec<PathBuf>,
    /// Output folder (default: output/<scenario name>/, as for run).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Skip charts and report.html.
    #[arg(long)]
    pub no_charts: bool,
    /// No summary table.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `crossroads check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario file (default: the bundled South Caucasus 2024 scenario).
    pub scenario: Option<PathBuf>,
    /// Override one value, as for `run`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Print the register with every text on one line (default: wrapped to the terminal's width).
    #[arg(long)]
    pub wide: bool,
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
    let mut command =
        Cli::command().mut_subcommand("compare", compare_help).mut_subcommand("explore", explore::help);
    // The fingerprint takes about a millisecond: computed only when `--version` may print it.
    if std::env::args_os().any(|arg| arg == "--version") {
        command = command.long_version(long_version());
    }
    let matches = command.get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    let outcome = match cli.command {
        Command::Run(args) => run(args),
        Command::Check(args) => check(args),
        Command::Compare(args) => compare(args),
        Command::Bargain(args) => bargain(args),
        Command::Merge(args) => merge(args),
        Command::Watch(args) => watch::watch(args),
        Command::Explore(args) => explore::explore(args),
        Command::Schema => schema(),
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

/// What `--version` prints: the version, and the fingerprint of this machine's math library that
/// `merge` compares between shards, so a cluster's kinds of node can be checked before a job.
fn long_version() -> &'static str {
    let text = format!(
        "{}\nmath library fingerprint: {} (shards merge only between machines that print the same)",
        crate::VERSION,
        engine::arithmetic::fingerprint()
    );
    Box::leak(text.into_boxed_str())
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
pub(crate) fn load_scenario(path: Option<&Path>, overrides: &[String]) -> Result<scenario::Loaded, Failure> {
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
pub(crate) fn write_failure(error: impl std::fmt::Display) -> Failure {
    Failure::Internal(miette::miette!(
        help = "is the disk full, read-only, or a file size limit (ulimit -f) reached? The previous \
                result in that folder, if any, is untouched",
        "{error}"
    ))
}

/// `crossroads run`: load, compile, stream the runs chunk by chunk into the statistics (and
/// runs.csv), write the result folder (or a shard result) atomically, print the outcome table.
/// Bad input (file, flags, output folder) is found before anything is written.
fn run(args: RunArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let options = &args.options;
    let loaded = load_scenario(args.scenario.as_deref(), &options.shared.set)?;
    let runs = options.runs.unwrap_or(loaded.scenario.meta.runs);
    if runs == 0 {
        return Err(bad_input("--runs must be at least 1".into(), "e.g. --runs 10000"));
    }
    if runs > scenario::MAX_RUNS {
        return Err(too_many_runs(runs));
    }
    if options.shared.threads == Some(0) {
        return Err(bad_input("--threads must be at least 1".into(), "leave it out to use every core"));
    }
    let model = Model::compile(&loaded.scenario)
        .map_err(|e| bad_input(format!("{}: {e}", loaded.origin), "fix the scenario file"))?;
    if loaded.scenario.correlations.repaired.is_some() {
        // A repaired matrix changes stated assumptions: said even with --quiet.
        eprint!("{}", scenario::render_correlations(&loaded.scenario.correlations));
    }
    let targets = precision::parse_targets(&model, &args.precision)
        .map_err(|(message, help)| bad_input(message, &help))?;
    let shard = match args.shard {
        None => None,
        Some(spec) => Some(resolve_shard(spec, runs)?),
    };
    if shard.is_some() && !targets.is_empty() {
        return Err(bad_input(
            "--precision and --shard cannot be combined".into(),
            "a shard runs a fixed range of runs; run --precision in one process",
        ));
    }
    if let Some(accepted) = args.accepted {
        check_accepted(accepted, &model, shard.is_some())?;
    }
    if !options.shared.no_charts && shard.is_none() {
        // report.html is dated from SOURCE_DATE_EPOCH: a bad value is bad input, found before simulating.
        html::report_date().map_err(bad_date)?;
    }
    let target = options.shared.out.clone().unwrap_or_else(|| match shard {
        Some((index, count)) => Path::new("output").join(format!("{}-shard-{index}-of-{count}", model.name)),
        None => Path::new("output").join(&model.name),
    });
    let made_from = [("scenario.toml".to_string(), loaded.resolved.as_str())];
    let pending = prepare_output(&target, &made_from, options.shared.force)?;
    let seed = options.shared.seed.unwrap_or(loaded.scenario.meta.seed);
    let settings = Settings { runs, seed, threads: options.shared.threads, progress: !options.shared.quiet };
    let chunks = match shard {
        Some((index, count)) => engine::shard_chunks(runs, index, count),
        None => 0..runs.div_ceil(engine::CHUNK_RUNS),
    };
    let first_run = (chunks.start * engine::CHUNK_RUNS).min(runs);
    let mut tally = stats::Tally::new(stats::Layout::of(&model), seed, first_run, runs, shard.is_some());
    let mut runs_csv = if args.no_runs_csv {
        None
    } else {
        Some(report::RunsCsv::create(&pending.path().join("runs.csv"), &model).map_err(internal)?)
    };
    let mut weighing = match shard {
        Some(_) => stats::evidence::Weighing::for_shard(&model, first_run),
        None => stats::evidence::Weighing::new(&model),
    };
    let mut written = Ok(());
    let mut met = false;
    let mut enough = false;
    engine::run_chunks(&model, &settings, chunks, |batch| {
        // The tally calls `stop` once after each chunk, in chunk order: the weighing takes the same
        // chunk there, so both stop after the same chunk.
        let mut next = batch.iter();
        let taken = tally.add_batch(&batch, |tally| {
            if let (Some(weighing), Some(chunk)) = (&mut weighing, next.next()) {
                weighing.add_chunk(chunk);
                enough = args.accepted.is_some_and(|n| weighing.accepted() >= n);
            }
            met = !targets.is_empty() && precision::all_met(&targets, tally);
            met || enough
        });
        if let Some(csv) = &mut runs_csv {
            written = csv.write_chunks(batch.get(..taken).unwrap_or(&[]));
        }
        if met || enough || written.is_err() { engine::Flow::Stop } else { engine::Flow::Continue }
    })
    .map_err(|e| match e {
        EngineError::NoRuns | EngineError::NoThreads | EngineError::TooLarge { .. } => {
            bad_input(e.to_string(), "use fewer runs or a shorter horizon")
        }
        EngineError::NotFinite { run, fault } => not_finite(&loaded, run, fault),
        EngineError::ThreadPool { .. } | EngineError::Cancelled => internal(e),
    })?;
    written.map_err(write_failure)?;
    if let Some(csv) = runs_csv {
        csv.finish().map_err(write_failure)?;
    }
    tally.finish();
    if let Some((index, count)) = shard {
        let identity = report::shard::identity(&model.name, &loaded.resolved, seed, runs, index, count);
        let (first, end) = (identity.first_run, identity.end_run);
        report::shard::write_shard(pending.path(), identity, (&tally, weighing.as_ref()), &loaded.resolved)
            .map_err(write_failure)?;
        let folder = pending.commit().map_err(write_failure)?;
        if !options.shared.quiet {
            println!(
                "Shard {index} of {count}: runs {first}..{end} of {runs}, seed {seed}, in {:.1} s. Shard result in {}/\n\
                 Merge all {count} with: crossroads merge SHARD_DIR... (e.g. output/{}-shard-*-of-{count})",
                started.elapsed().as_secs_f64(),
                folder.display(),
                model.name
            );
        }
        return Ok(());
    }
    let stopping = (!targets.is_empty()).then(|| precision::stopping(&targets, &tally, runs, met));
    let threads = options.shared.threads.unwrap_or_else(rayon::current_num_threads);
    let charts = !options.shared.no_charts;
    let evidence = weighing.map(|w| {
        let mut summary = w.summarize(&model, tally.prefix());
        summary.accepted_target = args.accepted;
        summary
    });
    let (summary, effects) = write_result(
        pending.path(),
        &model,
        &loaded,
        &tally,
        (stopping, evidence),
        charts,
        threads,
        started,
    )?;
    let folder = pending.commit().map_err(write_failure)?;
    if !options.shared.quiet {
        print!(
            "{}\n{}",
            report::headline::in_text(&summary, &effects, &report::words::DriverNames::of(&model)),
            table::outcome_table(&summary)
        );
        if let Some(stopping) = &summary.stopping {
            println!("\n{}", precision::describe(stopping, summary.runs));
        }
        if let Some(approximation) = &summary.approximation {
            println!("\n{}", approximation.note);
        }
        if let Some(evidence) = &summary.evidence {
            print!("\n{}", table::evidence_table(evidence));
        }
        let mut files = vec!["summary.json"];
        if !args.no_runs_csv {
            files.push("runs.csv");
        }
        files.extend(["series.csv", "sensitivity.csv", "drivers.csv", "scenario.toml"]);
        if charts {
            files.extend(["charts/", "report.html"]);
        }
        println!(
            "\n{} runs, seed {}, in {:.1} s. Results in {}/ ({})",
            summary.runs,
            summary.seed,
            started.elapsed().as_secs_f64(),
            folder.display(),
            files.join(", ")
        );
    }
    Ok(())
}

/// `--accepted N`: the scenario has evidence, N is at least 1 and at most the posterior sample
/// [`stats::evidence::POSTERIOR_RUNS`], and the run is not a shard.
fn check_accepted(accepted: u64, model: &Model, shard: bool) -> Result<(), Failure> {
    if model.evidence.is_empty() {
        return Err(bad_input(
            "--accepted needs evidence: the scenario has no [evidence] table".into(),
            "add [evidence.NAME] tables (observe = \"...\", equals = k) or leave out --accepted",
        ));
    }
    if shard {
        return Err(bad_input(
            "--accepted and --shard cannot be combined: where --accepted stops depends on how many runs \
             before each chunk matched the evidence, which a shard running its own range of runs cannot know"
                .into(),
            "run --accepted in one process; or shard a fixed number of runs: a pilot run (or the evidence \
             probability p in summary.json) gives --runs ≈ N / p for N consistent runs",
        ));
    }
    let most = stats::evidence::POSTERIOR_RUNS;
    if accepted == 0 || accepted > most {
        return Err(bad_input(
            format!("--accepted {accepted} is not between 1 and {most}"),
            &format!("the posterior keeps at most {most} consistent runs; e.g. --accepted 1000"),
        ));
    }
    Ok(())
}

/// The (index, count) of `--shard`, checked against the run's chunks.
pub(crate) fn resolve_shard(spec: ShardSpec, runs: u64) -> Result<(u64, u64), Failure> {
    let (index, count) = match spec {
        ShardSpec::Explicit { index, count } => (index, count),
        ShardSpec::Auto(count) => {
            let placement = engine::shard_env::detect(|name| std::env::var(name).ok(), count)
                .map_err(|e| bad_input(e.to_string(), e.help()))?;
            // Say which launcher was used, also with --quiet: a job log should show it.
            eprintln!("--shard auto: {placement}");
            (placement.index, placement.count)
        }
    };
    let chunks = runs.div_ceil(engine::CHUNK_RUNS);
    if count > chunks {
        return Err(bad_input(
            format!(
                "--shard {index}/{count}: {runs} runs are only {chunks} chunk{} of {} runs, so at most {chunks} shard{}",
                if chunks == 1 { "" } else { "s" },
                engine::CHUNK_RUNS,
                if chunks == 1 { "" } else { "s" }
            ),
            "use fewer shards or more runs",
        ));
    }
    Ok((index, count))
}

/// The final stage of run and merge, the same code for both: statistics of the finished tally,
/// summary.json, series.csv, sensitivity.csv, drivers.csv, scenario.toml, then charts/ and
/// report.html. Returns the summary and the driver effects (for the printed headline).
///
/// Driver importance and driver effects need each run's driver draws next to its outcomes, so
/// beyond [`stats::EXACT_RUNS`] runs (and after a merge) both are computed over the tally's exact
/// prefix, the first [`stats::EXACT_RUNS`] runs; summary.json's `approximation` and report.html
/// say so.
#[allow(clippy::too_many_arguments)]
fn write_result(
    folder: &Path,
    model: &Model,
    loaded: &scenario::Loaded,
    tally: &stats::Tally,
    (stopping, evidence): (Option<stats::Stopping>, Option<stats::evidence::EvidenceSummary>),
    charts: bool,
    threads: usize,
    started: Instant,
) -> Result<(stats::Summary, stats::Effects), Failure> {
    // The statistics side by side on the run's threads (each a pure function of the tally).
    let pool = thread_pool(Some(threads))?;
    let (mut summary, (sensitivity, effects)) = pool.install(|| {
        rayon::join(
            || stats::summarize_tally(model, tally),
            || {
                rayon::join(
                    || stats::sensitivity(model, tally.prefix()),
                    || stats::effects(model, tally.prefix()),
                )
            },
        )
    });
    summary.stopping = stopping;
    summary.evidence = evidence;
    summary.correlations = stats::correlations::achieved(model, tally.prefix());
    report::write_statistics(folder, &summary, &sensitivity, &effects, &loaded.resolved).map_err(internal)?;
    if charts {
        let names = report::words::DriverNames::of(model);
        write_charts_and_report(folder, loaded, (&summary, &effects), &names, threads, started)
            .map_err(internal)?;
    }
    Ok((summary, effects))
}

/// `crossroads merge`: check that the shard folders are the complete set of one experiment (exit 2
/// naming the shard and what is wrong, nothing written), load the model from their scenario.toml,
/// absorb their tallies in chunk order, concatenate their runs.csv, and write the same folder one
/// `run` writes.
fn merge(args: MergeArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let refuse = |message: String| {
        bad_input(message, "merge the complete set of shards of one `run --shard I/N` experiment")
    };
    let shards = args
        .shards
        .iter()
        .map(|folder| report::shard::Shard::open(folder))
        .collect::<Result<Vec<_>, _>>()
        .map_err(refuse)?;
    let shards = report::shard::check_set(shards).map_err(refuse)?;
    let Some(first) = shards.first() else {
        return Err(internal("no shards"));
    };
    if first.identity.experiment.is_some() {
        return explore::merge(&shards, args.out, (args.quiet, args.no_charts), started);
    }
    for shard in &shards {
        for name in shard.identity.files.keys() {
            shard.checked_file(name).map_err(refuse)?;
        }
    }
    let scenario_path = first.checked_file("scenario.toml").map_err(refuse)?;
    let text = std::fs::read_to_string(&scenario_path)
        .map_err(|e| refuse(format!("cannot read {}: {e}", scenario_path.display())))?;
    let origin = scenario_path.display().to_string();
    let mut loaded =
        scenario::load_str(&origin, &text, &first.folder, &[]).map_err(|e| Failure::BadInput(e.into()))?;
    loaded.resolved = text;
    if !args.no_charts {
        html::report_date().map_err(bad_date)?;
    }
    let model = Model::compile(&loaded.scenario)
        .map_err(|e| bad_input(format!("{}: {e}", loaded.origin), "fix the scenario file"))?;
    let identity = &first.identity;
    let target = args.out.clone().unwrap_or_else(|| Path::new("output").join(&model.name));
    let pending = PendingOutput::prepare(&target).map_err(|e| {
        bad_input(e.to_string(), "choose another folder with --out, or remove what is in the way")
    })?;
    let layout = stats::Layout::of(&model);
    let mut tally = stats::Tally::new(layout, identity.seed, 0, identity.runs, false);
    let mut weighing = stats::evidence::Weighing::new(&model);
    for shard in &shards {
        let part = shard.tally(layout).map_err(refuse)?;
        tally.absorb(&part).map_err(|e| refuse(format!("{}: {e}", shard.folder.display())))?;
        if let (Some(weighing), Some(part)) = (&mut weighing, shard.weighing(&model).map_err(refuse)?) {
            weighing.absorb(&part).map_err(|e| refuse(format!("{}: {e}", shard.folder.display())))?;
        }
    }
    if let Some(weighing) = &weighing
        && weighing.runs() != identity.runs
    {
        return Err(refuse(format!(
            "the shards' evidence weighs {} runs, not the {} of the experiment",
            weighing.runs(),
            identity.runs
        )));
    }
    if tally.runs() != identity.runs {
        return Err(refuse(format!(
            "the shards hold {} runs, not the {} of the experiment",
            tally.runs(),
            identity.runs
        )));
    }
    tally.finish();
    let evidence = weighing.map(|w| w.summarize(&model, tally.prefix()));
    if identity.files.contains_key("runs.csv") {
        report::shard::concatenate_runs(&shards, &pending.path().join("runs.csv")).map_err(refuse)?;
    }
    let threads = rayon::current_num_threads();
    let (summary, effects) = write_result(
        pending.path(),
        &model,
        &loaded,
        &tally,
        (None, evidence),
        !args.no_charts,
        threads,
        started,
    )?;
    let folder = pending.commit().map_err(internal)?;
    if !args.quiet {
        print!(
            "{}\n{}",
            report::headline::in_text(&summary, &effects, &report::words::DriverNames::of(&model)),
            table::outcome_table(&summary)
        );
        if let Some(evidence) = &summary.evidence {
            print!("\n{}", table::evidence_table(evidence));
        }
        println!(
            "\n{} shards merged: {} runs, seed {}, in {:.1} s. Results in {}/",
            shards.len(),
            summary.runs,
            summary.seed,
            started.elapsed().as_secs_f64(),
            folder.display()
        );
    }
    Ok(())
}

/// A pool of `threads` workers (one per core when `None`) for the work after the simulation.
fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = threads {
        builder = builder.num_threads(threads);
    }
    builder.build().map_err(internal)
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

/// `crossroads schema`: the JSON Schema of scenario files, generated from the loader's key tables
/// (the repository ships it as schema/crossroads.schema.json).
fn schema() -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(&scenario::json_schema::json_schema()).map_err(internal)?;
    println!("{text}");
    Ok(())
}

/// `crossroads check`: load and validate, then print the assumptions register. Diagnostics go to
/// stderr exactly as [`scenario::LoadError::render`] writes them.
fn check(args: CheckArgs) -> Result<(), Failure> {
    let loaded = load_scenario(args.scenario.as_deref(), &args.set)?;
    let s = &loaded.scenario;
    let entries = scenario::register(s);
    let mut out = format!(
        "{} — {}\n{}: {} months from {}, {} runs, seed {}\n\n",
        s.meta.name, s.meta.title, loaded.origin, s.meta.horizon, s.meta.start, s.meta.runs, s.meta.seed
    );
    let width = if args.wide { None } else { Some(terminal_width()) };
    out.push_str(&scenario::render_register_to_width(&entries, width));
    let matrix = scenario::render_correlations(&s.correlations);
    if !matrix.is_empty() {
        out.push('\n');
        out.push_str(&matrix);
    }
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
        match scenario::load_file(path, &options.shared.set) {
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
    if options.shared.threads == Some(0) {
        return Err(bad_input("--threads must be at least 1".into(), "leave it out to use every core"));
    }
    let seed = options.shared.seed.unwrap_or(baseline.scenario.meta.seed);
    // A bad SOURCE_DATE_EPOCH is bad input: say so before simulating.
    if !options.shared.no_charts {
        html::report_date().map_err(bad_date)?;
    }
    let models = loaded
        .iter()
        .map(|l| {
            Model::compile(&l.scenario)
                .map_err(|e| bad_input(format!("{}: {e}", l.origin), "fix the scenario file"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let named: Vec<(&str, &Path)> =
        models.iter().zip(&args.scenarios).map(|(m, path)| (m.name.as_str(), path.as_path())).collect();
    let labels = compare_report::labels(&named);
    let target = options.shared.out.clone().unwrap_or_else(|| {
        Path::new("output").join(compare_report::folder_name(labels.iter().map(String::as_str)))
    });
    let made_from: Vec<(String, &str)> = labels
        .iter()
        .zip(&loaded)
        .map(|(label, l)| (format!("scenarios/{label}/scenario.toml"), l.resolved.as_str()))
        .collect();
    let pending = prepare_output(&target, &made_from, options.shared.force)?;
    let settings = Settings { runs, seed, threads: options.shared.threads, progress: !options.shared.quiet };
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
        .map(|(model, simulation)| {
            let mut summary = stats::summarize(model, simulation);
            summary.correlations = stats::correlations::achieved(model, simulation);
            summary
        })
        .collect();
    let scenario_runs: Vec<stats::paired::ScenarioRuns> = labels
        .iter()
        .zip(&summaries)
        .zip(&simulations)
        .map(|((label, summary), simulation)| stats::paired::ScenarioRuns { label, summary, simulation })
        .collect();
    let mut comparison = stats::paired::compare(&scenario_runs);
    comparison.evidence = weigh_compared(&models, &simulations, &labels, &loaded)?;
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
    if !options.shared.no_charts {
        let threads = options.shared.threads.unwrap_or_else(rayon::current_num_threads);
        let metadata = html::RunMetadata::measured(seed, runs, threads, started).map_err(bad_date)?;
        compare_report::write_charts_and_report(pending.path(), &output, &metadata).map_err(write_failure)?;
    }
    let folder = pending.commit().map_err(write_failure)?;
    if !options.shared.quiet {
        print!(
            "{} against {} on common random numbers\n{}",
            labels.iter().skip(1).map(String::as_str).collect::<Vec<_>>().join(", "),
            comparison.baseline,
            compare_report::table::comparison_table(&comparison)
        );
        if let Some(evidence) = &comparison.evidence {
            print!("\n{}", compare_report::table::evidence_table(evidence));
        }
        let files = if options.shared.no_charts {
            "summary.json, differences.csv, scenarios/"
        } else {
            "summary.json, differences.csv, charts/, report.html, scenarios/"
        };
        println!(
            "\n{} scenarios × {} runs, seed {}, in {:.1} s. Results in {}/ ({files})",
            labels.len(),
            runs,
            seed,
            started.elapsed().as_secs_f64(),
            folder.display()
        );
    }
    Ok(())
}

/// The compared scenarios weighed by their evidence, when they carry any: each one's evidence
/// probability and Bayes factor against the baseline. Scenarios must carry the same evidence (the
/// same items, terms, months and observations), else it is bad input naming the first that differs.
fn weigh_compared(
    models: &[Model],
    simulations: &[engine::Simulation],
    labels: &[String],
    loaded: &[scenario::Loaded],
) -> Result<Option<stats::evidence::EvidenceComparison>, Failure> {
    if models.iter().all(|m| m.evidence.is_empty()) {
        return Ok(None);
    }
    let items = |model: &Model| -> Vec<String> {
        model
            .evidence
            .iter()
            .map(|e| format!("{} {} {} {:?}", e.name, e.text, e.month, e.likelihood))
            .collect()
    };
    let baseline = models.first().map(items).unwrap_or_default();
    for (model, l) in models.iter().zip(loaded).skip(1) {
        if items(model) != baseline {
            return Err(bad_input(
                format!(
                    "{}: its [evidence] differs from the baseline's, so their evidence probabilities are not comparable",
                    l.origin
                ),
                "compare scenarios that carry the same [evidence] tables (e.g. variants that extend one evidence \
                 file), or none",
            ));
        }
    }
    let mut summaries = Vec::with_capacity(models.len());
    let mut weights = Vec::with_capacity(models.len());
    for (model, simulation) in models.iter().zip(simulations) {
        let Some(mut weighing) = stats::evidence::Weighing::new(model) else {
            return Err(internal("a scenario lost its evidence"));
        };
        weighing.add_simulation(simulation);
        summaries.push(weighing.summarize(model, simulation));
        weights.push(stats::evidence::run_weights(model, simulation));
    }
    let names: Vec<&str> = labels.iter().map(String::as_str).collect();
    Ok(Some(stats::evidence::bayes_factors(&names, &summaries, &weights)))
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
        let issue = loaded.scenario.issues.iter().find(|i| i.name == args.issue);
        let ends = issue.map(|i| (i.low.as_deref(), i.high.as_deref())).unwrap_or_default();
        print!("{}", bargain_table(&trace, ends));
    }
    Ok(())
}

/// The trace as an aligned table: one row per round, one column per actor; first what the ends
/// of the scale mean (the issue's `low` and `high`, where it has them).
fn bargain_table(trace: &BargainTrace, (low_means, high_means): (Option<&str>, Option<&str>)) -> String {
    let (low, high) = trace.scale;
    let (low, high) = (format::compact(low, 6), format::compact(high, 6));
    let mut text =
        format!("{} ({}, scale {low}–{high}), at each uncertain input's median\n", trace.issue, trace.model);
    let width = low.chars().count().max(high.chars().count());
    for (end, meaning) in [(&low, low_means), (&high, high_means)] {
        let meaning = meaning.unwrap_or("(not described: give the issue `low` and `high`)");
        text.push_str(&format!("  {end:>width$} = {meaning}\n"));
    }
    text.push('\n');
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

/// Prepares the output folder: refuses one that holds the result of different scenario(s) unless
/// `force`, and says in one line (on stderr) when it replaces an earlier result.
pub(crate) fn prepare_output(
    target: &Path,
    made_from: &[(String, &str)],
    force: bool,
) -> Result<PendingOutput, Failure> {
    let (pending, replacing) = PendingOutput::prepare_for(target, made_from, force).map_err(|e| match e {
        report::ReportError::OtherScenario { .. } => bad_input(
            e.to_string(),
            "pass --force to replace it, or choose another folder with --out (or give the scenario its own \
             `name`)",
        ),
        _ => bad_input(e.to_string(), "choose another folder with --out, or remove what is in the way"),
    })?;
    match replacing {
        Replacing::Nothing => {}
        Replacing::SameScenario => {
            eprintln!("note: replacing {}/, an earlier result of the same scenario", target.display());
        }
        Replacing::OtherScenario => {
            eprintln!("note: replacing {}/, the result of a different scenario (--force)", target.display());
        }
    }
    Ok(pending)
}

/// The width to fit `check`'s table in: the terminal's, else `$COLUMNS`, else 100.
fn terminal_width() -> usize {
    if let Some((terminal_size::Width(columns), _)) = terminal_size::terminal_size_of(std::io::stdout()) {
        return usize::from(columns);
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse().ok()).filter(|&c| c > 0).unwrap_or(100)
}

/// A `SOURCE_DATE_EPOCH` that is not whole seconds since 1970.
fn bad_date(error: html::InvalidSourceDateEpoch) -> Failure {
    bad_input(error.to_string(), "unset SOURCE_DATE_EPOCH or give whole seconds since 1970")
}
