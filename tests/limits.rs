//! Numbers a file may legally write but the machine cannot honour: distributions whose values or
//! inverse CDFs cannot be computed, more runs or agents than crossroads holds, and arithmetic that
//! overflows during a run. Each ends in exit 2 with a located diagnostic and a hint, quickly —
//! never a hang, an allocation abort, or NaN reported as "undefined".

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;

/// The longest a refusal may take (the process included).
const QUICK: Duration = Duration::from_secs(1);

fn crossroads(args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let output = Command::cargo_bin("crossroads")
        .expect("the crossroads binary is built")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(args)
        .timeout(Duration::from_secs(20))
        .output()
        .expect("crossroads runs");
    (output, started.elapsed())
}

#[test]
fn uncomputable_numbers_are_refused_by_check_and_run_within_a_second() {
    let out = tempfile::tempdir().expect("a temporary folder");
    let cases = [
        ("poisson_mean_too_large", ":9:11]", "at most 100000"),
        ("beta_too_narrow", ":9:8]", "too narrow"),
        ("lognormal_overflows", ":9:13]", "1e-12 is inf"),
        ("runs_too_many", ":7:8]", "`runs` must be at most 1000000000"),
        ("agents_too_many", ":29:10]", "have 30000000 agents"),
    ];
    for (name, location, message) in cases {
        let file = format!("tests/bad/{name}.toml");
        let target = out.path().join(name);
        for args in [vec!["check", &file], vec!["run", &file, "--out", target.to_str().expect("utf-8")]] {
            let (output, elapsed) = crossroads(&args);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(
                stderr.contains(&format!("{name}.toml{location}")),
                "{args:?}: no {location} in\n{stderr}"
            );
            assert!(stderr.contains(message), "{args:?}: no `{message}` in\n{stderr}");
            assert!(stderr.contains("help:"), "{args:?}: no hint in\n{stderr}");
            assert!(elapsed < QUICK, "{args:?} took {elapsed:?}");
            assert!(!target.exists(), "{args:?} wrote output");
        }
    }
}

#[test]
fn too_many_runs_on_the_command_line_is_bad_input() {
    let out = tempfile::tempdir().expect("a temporary folder");
    let target = out.path().join("result");
    let (output, elapsed) =
        crossroads(&["run", "--runs", "18446744073709551615", "--out", target.to_str().expect("utf-8")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--runs must be at most 1000000000"), "{stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
    assert!(elapsed < QUICK, "took {elapsed:?}");
    assert!(!target.exists());
}

#[test]
fn overflow_during_a_run_names_the_term_month_and_lowest_run_whatever_the_threads() {
    let file = "tests/data/overflow_at_run_time.toml";
    let out = tempfile::tempdir().expect("a temporary folder");
    let target = out.path().join("result");
    let target = target.to_str().expect("utf-8");
    let mut messages = Vec::new();
    for threads in ["1", "2", "3"] {
        let (output, _) = crossroads(&["run", file, "--no-charts", "--threads", threads, "--out", target]);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("in run 3, month 36 (2027-01), the")
                && stderr.contains("effect of event `shock` on variable `level`")
                && stderr.contains("NaN or infinite"),
            "{stderr}"
        );
        assert!(stderr.contains("help:"), "{stderr}");
        messages.push(stderr);
    }
    assert!(messages.windows(2).all(|w| w[0] == w[1]), "the message depends on the thread count");
    assert!(!std::path::Path::new(target).exists());

    // Runs 0–2 are finite: they run, and `first` of an event that never fired stays "undefined",
    // apart from any arithmetic.
    let (output, _) = crossroads(&["run", file, "--no-charts", "--runs", "3", "--out", target]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary =
        std::fs::read_to_string(std::path::Path::new(target).join("summary.json")).expect("summary");
    let json: serde_json::Value = serde_json::from_str(&summary).expect("json");
    let first = &json["outcomes"][1];
    assert_eq!(first["name"], "first_quiet");
    assert_eq!(first["undefined"], 3, "{first}");
    assert_eq!(first["runs"], 0, "{first}");
}
