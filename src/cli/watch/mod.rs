//! `crossroads watch`: run a scenario, serve its report on loopback, and rerun on every save.
//!
//! The loop: load → compile → a first look at the first [`FIRST_LOOK_RUNS`] runs, shown at once
//! → simulate every run → write the result folder (as `run` does, atomically) → show it. Both
//! stages stream the runs chunk by chunk into `run`'s statistics and end in `run`'s own final
//! stage ([`super::write_result`]), so the first look's page is the report of `run --runs 128`
//! (each estimate with its Monte Carlo error) and the output folder is, file for file, that of
//! `run --runs N` with the same seed. File events come from `notify` (inotify on Linux) on the
//! folders of the scenario file and of every file it `extends`, debounced by
//! `notify-debouncer-full` so an editor's burst of writes and renames is one save. A save during a
//! run cancels it between batches of chunks ([`engine::run_chunks`] told to stop) and starts
//! again. A mistake in the file is printed to the terminal and shown in the page above the last
//! good result, which is marked stale; the output folder keeps the last good result. Ctrl-C ends
//! the loop between stages: an unfinished run's temporary folder is removed, and the output folder
//! holds the last complete result.

mod page;
mod server;

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use clap::Args;
use notify_debouncer_full::notify::event::{AccessKind, AccessMode, EventKind};
use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use super::{Failure, bad_input, internal, not_finite, write_result};
use crate::engine::{self, EngineError, Flow, Settings};
use crate::model::Model;
use crate::report::{self, PendingOutput, html};
use crate::{scenario, stats};

/// Replications per rerun unless `--runs` says otherwise: about a second for the default scenario
/// on a two-core machine (`run --runs 1000` takes 0.4 s of wall time). The page shows a first look
/// at [`FIRST_LOOK_RUNS`] runs at once, then these, refined in place.
pub const DEFAULT_WATCH_RUNS: u64 = 1000;

/// Runs of the first look: two chunks (one per core on two cores), shown before the full count
/// with their Monte Carlo error (the report's 95% intervals and MC s.e.). They are runs 0..128 of
/// the full run, which recomputes them (an eighth of 1,000 runs) rather than keep a second set of
/// statistics.
pub const FIRST_LOOK_RUNS: u64 = 2 * engine::CHUNK_RUNS;

/// How long the file must be quiet before a rerun: an editor's save is several events.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// `crossroads watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Scenario file to watch (default: scenarios/south_caucasus_2024.toml).
    pub scenario: Option<PathBuf>,
    /// Replications per rerun (default: 1000, about a second for the default scenario; the page
    /// shows the first 128 at once, then all).
    #[arg(long, value_name = "N")]
    pub runs: Option<u64>,
    /// Seed (default: the scenario's `seed`).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Port of the page on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 3000, value_name = "P")]
    pub port: u16,
    /// Address to serve on: loopback only (127.0.0.0/8 or ::1).
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: IpAddr,
    /// Output folder (default: output/<scenario name>/), rewritten by every good run.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// What wakes the loop.
enum Wake {
    /// A watched file changed.
    Saved,
    /// Ctrl-C.
    Stop,
}

/// The flags the file watcher and Ctrl-C set for the loop.
#[derive(Default)]
struct Signals {
    /// Abandon the current run (a newer save, or Ctrl-C).
    cancel: AtomicBool,
    /// End the loop.
    stop: AtomicBool,
}

/// How one attempt ended.
enum Attempt {
    /// A complete result, committed to `folder`.
    Done { report: String, note: String },
    /// The file (or a flag) has a mistake: the rendered diagnostic.
    Mistake(String),
    /// A save or Ctrl-C came during the run.
    Cancelled,
}

/// Runs `watch` until Ctrl-C.
pub fn watch(args: WatchArgs) -> Result<(), Failure> {
    let file = args.scenario.clone().unwrap_or_else(|| PathBuf::from("scenarios/south_caucasus_2024.toml"));
    if !file.is_file() {
        return Err(bad_input(
            format!("`{}` is not a scenario file", file.display()),
            "give the file to watch, e.g. crossroads watch scenarios/south_caucasus_2024.toml",
        ));
    }
    if args.runs == Some(0) {
        return Err(bad_input("--runs must be at least 1".into(), "e.g. --runs 1000"));
    }
    // report.html is dated from SOURCE_DATE_EPOCH: a bad value is bad input, found before serving.
    html::report_date().map_err(super::bad_date)?;

    let shared = Arc::new(server::Shared::default());
    let running = server::bind(SocketAddr::new(args.bind, args.port), Arc::clone(&shared))
        .map_err(|e| bad_input(e.to_string(), "use --bind 127.0.0.1, and --port 0 for any free port"))?;
    println!("Serving http://{}/ — watching {} (Ctrl-C to stop)", running.address, file.display());

    let signals = Arc::new(Signals::default());
    let (wake, woken) = mpsc::channel();
    {
        let (signals, wake) = (Arc::clone(&signals), wake.clone());
        ctrlc::set_handler(move || {
            signals.stop.store(true, Ordering::SeqCst);
            signals.cancel.store(true, Ordering::SeqCst);
            let _ = wake.send(Wake::Stop);
        })
        .map_err(internal)?;
    }
    let watched = Arc::new(Mutex::new(HashSet::new()));
    let mut watcher = {
        let (signals, watched) = (Arc::clone(&signals), Arc::clone(&watched));
        new_debouncer(DEBOUNCE, None, move |events: DebounceEventResult| {
            let Ok(events) = events else { return };
            let files = watched.lock().unwrap_or_else(PoisonError::into_inner);
            let saved = |kind: &EventKind| match kind {
                EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any => true,
                EventKind::Access(access) => *access == AccessKind::Close(AccessMode::Write),
                EventKind::Other => false,
            };
            let changed = events
                .iter()
                .filter(|event| saved(&event.event.kind))
                .any(|event| event.event.paths.iter().any(|path| files.contains(path)));
            if changed {
                signals.cancel.store(true, Ordering::SeqCst);
                let _ = wake.send(Wake::Saved);
            }
        })
        .map_err(internal)?
    };
    let mut folders = HashSet::new();

    let result = watch_loop(&args, &file, &shared, &signals, &woken, |files| {
        watch_files(&mut watcher, &mut folders, &watched, files)
    });
    running.stop();
    result
}

/// Reruns on every wake until Ctrl-C; `watch_files` is told which files each attempt read.
fn watch_loop(
    args: &WatchArgs,
    file: &Path,
    shared: &server::Shared,
    signals: &Signals,
    woken: &Receiver<Wake>,
    mut watch_files: impl FnMut(&[PathBuf]) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let mut last_folder = None;
    while !signals.stop.load(Ordering::SeqCst) {
        signals.cancel.store(false, Ordering::SeqCst);
        shared.update(|page| page.running = true);
        let started = Instant::now();
        let mut files = vec![std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf())];
        let attempt = attempt(args, file, signals, shared, &mut files, &mut last_folder)?;
        watch_files(&files)?;
        match attempt {
            Attempt::Done { report, note } => {
                println!("{note}");
                shared.update(|page| {
                    page.running = false;
                    page.refining = None;
                    page.report = Some(report);
                    page.report_note = note;
                    page.problem = None;
                });
            }
            Attempt::Mistake(diagnostic) => {
                eprint!("{diagnostic}");
                eprintln!(
                    "[{}] not rerun: fix the file and save (the page keeps the last good result)",
                    clock()
                );
                shared.update(|page| {
                    page.running = false;
                    page.refining = None;
                    page.problem = Some(diagnostic);
                });
            }
            Attempt::Cancelled => {
                let seconds = started.elapsed().as_secs_f64();
                let why = if signals.stop.load(Ordering::SeqCst) { "Ctrl-C" } else { "the file changed" };
                println!("[{}] run cancelled after {seconds:.1} s: {why}", clock());
            }
        }
        // Wait for the next save (or Ctrl-C); a burst of saves is one rerun.
        match woken.recv() {
            Ok(Wake::Saved) => while woken.try_recv().is_ok() {},
            Ok(Wake::Stop) | Err(_) => break,
        }
    }
    match last_folder {
        Some(folder) => println!("Stopped. The last result is in {}/", folder.display()),
        None => println!("Stopped. No run completed."),
    }
    Ok(())
}

/// Watches the folders of `files` (editors save by renaming, so the folder is watched and events
/// are filtered by path) and makes `files` the set that triggers a rerun.
fn watch_files(
    watcher: &mut Debouncer<RecommendedWatcher, RecommendedCache>,
    folders: &mut HashSet<PathBuf>,
    watched: &Mutex<HashSet<PathBuf>>,
    files: &[PathBuf],
) -> Result<(), Failure> {
    for file in files {
        let Some(folder) = file.parent() else { continue };
        if folders.insert(folder.to_path_buf()) {
            watcher
                .watch(folder, RecursiveMode::NonRecursive)
                .map_err(|e| internal(format!("cannot watch {}: {e}", folder.display())))?;
        }
    }
    let mut set = watched.lock().unwrap_or_else(PoisonError::into_inner);
    set.extend(files.iter().cloned());
    Ok(())
}

/// One attempt: load, compile, then — when more than [`FIRST_LOOK_RUNS`] runs are asked for — a
/// first look at the first [`FIRST_LOOK_RUNS`] runs shown at once on the page (never written to the
/// output folder), then every run, written to the output folder. `files` gets the files the load
/// read; `last_folder` the folder of a committed result.
fn attempt(
    args: &WatchArgs,
    file: &Path,
    signals: &Signals,
    shared: &server::Shared,
    files: &mut Vec<PathBuf>,
    last_folder: &mut Option<PathBuf>,
) -> Result<Attempt, Failure> {
    let started = Instant::now();
    let loaded = match scenario::load_file(file, &[]) {
        Ok(loaded) => loaded,
        Err(error) => {
            files.extend(error.files().iter().cloned());
            return Ok(Attempt::Mistake(error.render()));
        }
    };
    files.extend(loaded.files.iter().cloned());
    let model = match Model::compile(&loaded.scenario) {
        Ok(model) => model,
        Err(error) => return Ok(Attempt::Mistake(format!("{}: {error}\n", loaded.origin))),
    };
    let target = args.out.clone().unwrap_or_else(|| Path::new("output").join(&model.name));
    let runs = args.runs.unwrap_or(DEFAULT_WATCH_RUNS);
    let seed = args.seed.unwrap_or(loaded.scenario.meta.seed);
    let run = Stage { loaded: &loaded, model: &model, seed, signals, started };

    if runs > FIRST_LOOK_RUNS {
        // The first look is written beside the target and deleted once shown (dropped uncommitted).
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let look_target = target.with_file_name(format!(".{name}.first-look"));
        let pending = match PendingOutput::prepare(&look_target) {
            Ok(pending) => pending,
            Err(error) => return Ok(Attempt::Mistake(format!("{error}\n"))),
        };
        match run.write(FIRST_LOOK_RUNS, pending.path())? {
            Written::Done => {}
            Written::Stopped(attempt) => return Ok(attempt),
        }
        let report = read_report(pending.path())?;
        let (time, seconds) = (clock(), started.elapsed().as_secs_f64());
        println!("[{time}] first look: {FIRST_LOOK_RUNS} runs of {runs} after {seconds:.1} s (refining)");
        shared.update(|page| {
            page.report = Some(report);
            page.report_note =
                format!("the first {FIRST_LOOK_RUNS} of {runs} runs, after {seconds:.1} s at {time}");
            page.refining = Some(runs);
            page.problem = None;
        });
    }

    let pending = match PendingOutput::prepare(&target) {
        Ok(pending) => pending,
        Err(error) => return Ok(Attempt::Mistake(format!("{error}\n"))),
    };
    match run.write(runs, pending.path())? {
        Written::Done => {}
        Written::Stopped(attempt) => return Ok(attempt),
    }
    let folder = pending.commit().map_err(internal)?;
    let report = read_report(&folder)?;
    let note = format!(
        "[{}] {runs} runs in {:.1} s, results in {}/",
        clock(),
        started.elapsed().as_secs_f64(),
        folder.display()
    );
    *last_folder = Some(folder);
    Ok(Attempt::Done { report, note })
}

/// What every stage of one attempt shares: the loaded scenario, its model, the seed, the flags and
/// when the attempt started.
struct Stage<'a> {
    loaded: &'a scenario::Loaded,
    model: &'a Model,
    seed: u64,
    signals: &'a Signals,
    started: Instant,
}

/// How [`Stage::write`] ended.
enum Written {
    /// The result folder is complete.
    Done,
    /// A mistake or a cancel: the attempt ends so.
    Stopped(Attempt),
}

impl Stage<'_> {
    /// Simulates runs `0..runs` chunk by chunk into the statistics and runs.csv, stopping between
    /// batches on a save or Ctrl-C, then writes the rest of the result folder into `folder` with
    /// `run`'s own final stage ([`super::write_result`]): the folder `run --runs N` writes with
    /// this seed, file for file.
    fn write(&self, runs: u64, folder: &Path) -> Result<Written, Failure> {
        let (loaded, model) = (self.loaded, self.model);
        let settings = Settings { runs, seed: self.seed, threads: None, progress: false };
        let cancel = &self.signals.cancel;
        let stopped = |attempt| Ok(Written::Stopped(attempt));
        let mut tally = stats::Tally::new(stats::Layout::of(model), self.seed, 0, runs, false);
        let mut runs_csv = report::RunsCsv::create(&folder.join("runs.csv"), model).map_err(internal)?;
        // The run weights of the scenario's `[evidence]`, as `run` takes them: chunk by chunk.
        let mut weighing = stats::evidence::Weighing::new(model);
        let mut written = Ok(());
        let chunks = 0..runs.div_ceil(engine::CHUNK_RUNS);
        let simulated = engine::run_chunks(model, &settings, chunks, |batch| {
            if cancel.load(Ordering::SeqCst) {
                return Flow::Stop;
            }
            tally.add_batch(&batch, |_| false);
            if let Some(weighing) = &mut weighing {
                batch.iter().for_each(|chunk| weighing.add_chunk(chunk));
            }
            written = runs_csv.write_chunks(&batch);
            if written.is_err() { Flow::Stop } else { Flow::Continue }
        });
        match simulated {
            Ok(()) => {}
            Err(error @ (EngineError::NoRuns | EngineError::NoThreads | EngineError::TooLarge { .. })) => {
                return stopped(Attempt::Mistake(format!("{error}\n")));
            }
            Err(EngineError::NotFinite { run, fault }) => {
                let (Failure::BadInput(report) | Failure::Internal(report)) = not_finite(loaded, run, fault);
                let help =
                    miette::Diagnostic::help(&*report).map(|h| format!("\n  help: {h}")).unwrap_or_default();
                return stopped(Attempt::Mistake(format!("{report}{help}\n")));
            }
            Err(error @ (EngineError::ThreadPool { .. } | EngineError::Cancelled)) => {
                return Err(internal(error));
            }
        }
        written.map_err(internal)?;
        if cancel.load(Ordering::SeqCst) {
            return stopped(Attempt::Cancelled);
        }
        runs_csv.finish().map_err(internal)?;
        tally.finish();
        let threads = rayon::current_num_threads();
        let evidence = weighing.map(|weighing| weighing.summarize(model, tally.prefix()));
        write_result(folder, model, loaded, &tally, (None, evidence), true, threads, self.started)?;
        if cancel.load(Ordering::SeqCst) {
            return stopped(Attempt::Cancelled);
        }
        Ok(Written::Done)
    }
}

/// The report.html of a result folder.
fn read_report(folder: &Path) -> Result<String, Failure> {
    let path = folder.join("report.html");
    std::fs::read_to_string(&path).map_err(|e| internal(format!("cannot read {}: {e}", path.display())))
}

/// The time of day (UTC), for the terminal and the page.
fn clock() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let seconds = now.as_secs() % 86_400;
    format!("{:02}:{:02}:{:02} UTC", seconds / 3600, seconds / 60 % 60, seconds % 60)
}
