//! Faults during a run, at process level (the real binary): `kill -9` mid-run, two runs racing
//! into the same `--out`, and a full disk (a file size limit in the child). Each must leave the
//! output folder holding one complete result — the previous one or a new one, never a mixture —
//! and leave nothing in the way of the next run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_crossroads");
const SCENARIO: &str = "scenarios/examples/small_complete.toml";

/// `crossroads run SCENARIO --no-charts --quiet --out OUT` plus `args`, from the crate root.
fn run_command(out: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(BINARY);
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["run", SCENARIO, "--no-charts", "--quiet", "--out"])
        .arg(out)
        .args(args);
    command
}

fn run(out: &Path, args: &[&str]) -> Output {
    run_command(out, args).output().expect("crossroads runs")
}

fn spawn(out: &Path, args: &[&str]) -> Child {
    run_command(out, args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("crossroads starts")
}

/// Every file of a folder (recursively) and its bytes.
fn contents(folder: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, folder: &Path, into: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(folder).expect("readable folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, into);
            } else {
                let relative = path.strip_prefix(root).expect("inside the root").to_path_buf();
                into.insert(relative, fs::read(&path).expect("readable file"));
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(folder, folder, &mut files);
    files
}

/// The names in `folder`, sorted.
fn names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(folder)
        .expect("readable folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn kill_9_mid_run_leaves_the_previous_result_and_the_next_run_cleans_up() {
    let root = tempfile::tempdir().expect("a temporary folder");
    let out = root.path().join("result");
    assert_success(&run(&out, &["--runs", "100"]));
    let previous = contents(&out);

    // A long run, killed once it is under way.
    let mut child = spawn(&out, &["--runs", "1000000"]);
    let started = Instant::now();
    let partial = loop {
        if let Some(name) = names(root.path()).into_iter().find(|n| n.starts_with(".result.partial-")) {
            break root.path().join(name);
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the run never started writing");
        std::thread::sleep(Duration::from_millis(20));
    };
    std::thread::sleep(Duration::from_millis(300));
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("the killed run is reaped");
    assert_eq!(status.code(), None, "the run ended before it was killed: the test did not test a kill");

    assert_eq!(contents(&out), previous, "the previous result changed");
    assert!(partial.exists(), "the killed run's temporary folder is the stale folder this test is about");

    // The next run is not blocked, and it removes the stale temporary folder.
    assert_success(&run(&out, &["--runs", "50"]));
    assert_eq!(names(root.path()), vec!["result".to_string()]);
    assert_ne!(contents(&out), previous);
}

#[test]
fn concurrent_runs_into_one_folder_leave_one_complete_result() {
    let root = tempfile::tempdir().expect("a temporary folder");
    let (reference_a, reference_b) = (root.path().join("a"), root.path().join("b"));
    assert_success(&run(&reference_a, &["--runs", "3000", "--seed", "1"]));
    assert_success(&run(&reference_b, &["--runs", "3000", "--seed", "2"]));
    let (a, b) = (contents(&reference_a), contents(&reference_b));
    assert_ne!(a, b);

    let out = root.path().join("shared");
    for round in 0..3 {
        let first = spawn(&out, &["--runs", "3000", "--seed", "1"]);
        let second = spawn(&out, &["--runs", "3000", "--seed", "2"]);
        for child in [first, second] {
            let output = child.wait_with_output().expect("the run ends");
            assert!(output.status.success(), "round {round}: {}", String::from_utf8_lossy(&output.stderr));
        }
        let result = contents(&out);
        assert!(result == a || result == b, "round {round}: the folder is a mixture of the two runs");
        assert_eq!(names(root.path()), vec!["a", "b", "shared"], "round {round}: stray folders");
    }
}

#[test]
fn a_full_disk_is_exit_1_with_a_message_and_the_previous_result_intact() {
    let root = tempfile::tempdir().expect("a temporary folder");
    let out = root.path().join("result");
    assert_success(&run(&out, &["--runs", "20"]));
    let previous = contents(&out);

    // A file size limit of 16 × 512 bytes in the child: runs.csv of 2,000 runs cannot fit, as on
    // a full disk (the write fails with EFBIG instead of ENOSPC).
    let mut command = Command::new("sh");
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["-c", "ulimit -f 16 && exec \"$0\" \"$@\"", BINARY])
        .args(["run", SCENARIO, "--no-charts", "--quiet", "--runs", "2000", "--out"])
        .arg(&out);
    let output = command.output().expect("sh runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr:\n{stderr}");
    // miette wraps long lines at 80 columns (where depends on the file that failed): compare words.
    let words = stderr.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ");
    assert!(words.contains("cannot write") && words.contains("File too large"), "{stderr}");
    assert!(stderr.contains("untouched"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(contents(&out), previous, "the previous result changed");
    assert_eq!(names(root.path()), vec!["result".to_string()], "a temporary folder was left behind");
}
