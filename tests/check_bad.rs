//! The corpus of bad scenarios: for each file in tests/bad/ (one mistake each) and each bad
//! `--set`, the real binary's `crossroads check` exits 2, points at file:line:col, never panics,
//! and prints exactly the snapshotted diagnostics.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
use std::path::Path;

use assert_cmd::Command;

/// Runs `crossroads check` from the crate root and returns (exit code, stderr).
fn check(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::cargo_bin("crossroads")
        .expect("the crossroads binary is built")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .args(args)
        .output()
        .expect("crossroads runs");
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// True when the text holds `NAME:LINE:COL` for a `.toml` file or a `--set #N` argument.
fn has_location(text: &str) -> bool {
    let after = |marker: &str| {
        text.match_indices(marker).any(|(i, m)| {
            let rest = &text[i + m.len()..];
            let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).count();
            let line = digits(rest);
            line > 0 && rest[line..].starts_with(':') && digits(&rest[line + 1..]) > 0
        })
    };
    after(".toml:") || (text.contains("--set #") && after(":"))
}

fn assert_bad(name: &str, args: &[&str]) {
    let (code, stderr) = check(args);
    assert!(!stderr.contains("panicked"), "{name}: the loader panicked:\n{stderr}");
    assert_eq!(code, Some(2), "{name}: exit code {code:?}, stderr:\n{stderr}");
    assert!(has_location(&stderr), "{name}: no file:line:col in\n{stderr}");
    assert!(stderr.contains("help:"), "{name}: no help line in\n{stderr}");
    insta::assert_snapshot!(name, stderr);
}

#[test]
fn every_bad_file_fails_with_located_diagnostics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/bad exists")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "the corpus has only {} files", files.len());
    for file in &files {
        let stem = file.trim_end_matches(".toml");
        assert_bad(stem, &[&format!("tests/bad/{file}")]);
    }
}

#[test]
fn bad_overrides_point_at_the_set_argument() {
    let example = "scenarios/examples/small_complete.toml";
    let cases = [
        ("set_unknown_path", "drivers.mediator_comitment.beta.alpha=4"),
        ("set_unknown_parameter", "drivers.mediator_commitment.beta.alfa=4"),
        ("set_invalid_value", "scenario.horizon=0"),
        ("set_value_syntax", "scenario.title=An unquoted title"),
        ("set_without_equals", "scenario.horizon"),
        ("set_into_a_number", "scenario.horizon.months=3"),
        ("set_bad_term", "variables.tension.links={\"ever(tension)\"=1}"),
        ("set_correlation_not_a_driver", "correlations.\"mediator_commitment ~ tension\"=0.3"),
    ];
    for (name, set) in cases {
        assert_bad(name, &[example, "--set", set]);
    }
}

/// A `--set` value of the wrong type says which type the schema wants there (and, for a bare word
/// where a number is wanted, that it was read as text).
#[test]
fn set_type_errors_say_the_expected_type() {
    let example = "scenarios/examples/small_complete.toml";
    let cases = [
        ("set_type_whole_number", "scenario.horizon=ten", "must be a whole number"),
        ("set_type_number", "events.skirmish.probability=often", "must be a number"),
        ("set_type_boolean", "events.patron_shift.once=sometimes", "must be true or false"),
        ("set_type_string", "scenario.title=5", "must be a string"),
        ("set_type_table", "drivers.mediator_commitment.beta=wide", "takes a table"),
    ];
    for (name, set, expected) in cases {
        let (_, stderr) = check(&[example, "--set", set]);
        assert!(stderr.contains(expected), "{set}: expected {expected:?} in\n{stderr}");
        assert_bad(name, &[example, "--set", set]);
    }
}

#[test]
fn a_missing_file_is_bad_input_not_a_panic() {
    let (code, stderr) = check(&["tests/bad/does_not_exist.toml"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("cannot read scenario file `tests/bad/does_not_exist.toml`"), "{stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
}

#[test]
fn all_errors_of_a_file_are_reported_together() {
    let text = "[scenario]\nname = \"Bad Name\"\nstart = \"2024-1\"\nhorizon = 0\nruns = 0\n";
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("many.toml");
    std::fs::write(&path, text).expect("write");
    let (code, stderr) = check(&[path.to_str().expect("utf-8 path")]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("could not load scenario") && stderr.contains(": 4 errors"), "{stderr}");
    for line in [":2:8]", ":3:9]", ":4:11]", ":5:8]"] {
        assert!(stderr.contains(line), "missing {line} in\n{stderr}");
    }
}
