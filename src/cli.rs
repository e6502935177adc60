//! The command line: parses arguments, calls the library, prints, and maps failures to exit codes
//! (0 success, 2 bad input, 1 anything else). No model logic lives here.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::scenario;

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
}

/// Flags shared by the commands that run replications.
#[derive(Debug, Args)]
pub struct RunOptions {
    /// Number of replications (default: the scenario's `runs`).
    #[arg(long, value_name = "N")]
    pub runs: Option<u64>,
    /// Seed (default: the scenario's `seed`).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "T")]
    pub threads: Option<usize>,
    /// Output folder (default: output/<scenario name>/).
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
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Run(args) => run(args),
        Command::Check(args) => check(args),
        Command::Compare(args) => compare(args),
        Command::Bargain(args) => bargain(args),
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

fn run(_args: RunArgs) -> Result<(), Failure> {
    Err(Failure::Internal(miette::miette!("`crossroads run` is not built yet")))
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

fn compare(_args: CompareArgs) -> Result<(), Failure> {
    Err(Failure::Internal(miette::miette!("`crossroads compare` is not built yet")))
}

fn bargain(_args: BargainArgs) -> Result<(), Failure> {
    Err(Failure::Internal(miette::miette!("`crossroads bargain` is not built yet")))
}
