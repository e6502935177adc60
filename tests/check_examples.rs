//! `crossroads check` on every shipped example: exit 0 and the register, snapshotted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
use assert_cmd::Command;

fn check_ok(file: &str) -> String {
    let output = Command::cargo_bin("crossroads")
        .expect("the crossroads binary is built")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        // Not a terminal: the table fits $COLUMNS.
        .env("COLUMNS", "200")
        .args(["check", file])
        .output()
        .expect("crossroads runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{file}: {stderr}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn small_complete_example_checks() {
    let stdout = check_ok("scenarios/examples/small_complete.toml");
    insta::assert_snapshot!("small_complete", stdout);
}

#[test]
fn ec_car_emissions_example_checks() {
    let stdout = check_ok("scenarios/examples/ec_car_emissions.toml");
    assert!(stdout.contains("bdm every month, scale 4–10, 10 stakes"), "{stdout}");
    insta::assert_snapshot!("ec_car_emissions", stdout);
}

#[test]
fn every_shipped_scenario_checks() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files = Vec::new();
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("scenarios/ is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    for file in files {
        check_ok(file.to_str().expect("utf-8 path"));
    }
}

#[test]
fn check_warns_about_assumptions_without_a_source_and_applies_set() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("unsourced.toml");
    let text = "[scenario]\nname = \"unsourced\"\nstart = \"2024-01\"\nhorizon = 12\n\n\
                [drivers.x]\nbeta = { alpha = 2, beta = 2 }\n\n[drivers.y]\nfixed = 1\nsource = \"FACTS.md\"\n";
    std::fs::write(&path, text).expect("write");
    let output = Command::cargo_bin("crossroads")
        .expect("the crossroads binary is built")
        .args(["check", path.to_str().expect("utf-8 path"), "--set", "drivers.x.beta.alpha=8"])
        .output()
        .expect("crossroads runs");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("beta(α=8, β=2)"), "{stdout}");
    assert!(stdout.contains("warning: 1 assumption without `source`: driver `x`"), "{stdout}");
}

/// Runs `crossroads check` with `args` and `$COLUMNS`; returns stdout (exit 0 asserted).
fn check_with(args: &[&str], columns: &str) -> String {
    let output = Command::cargo_bin("crossroads")
        .expect("the crossroads binary is built")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("COLUMNS", columns)
        .arg("check")
        .args(args)
        .output()
        .expect("crossroads runs");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn check_without_a_file_checks_the_bundled_default() {
    let stdout = check_with(&[], "100");
    assert!(stdout.starts_with("south_caucasus_2024 — "), "{stdout}");
    assert!(
        stdout.contains("ok: <bundled default: scenarios/south_caucasus_2024.toml> is a valid scenario"),
        "{stdout}"
    );
    // --set works on it too, and a bare word is a string where the schema wants one.
    let renamed = check_with(&["--set", "scenario.name=my_run"], "100");
    assert!(renamed.starts_with("my_run — "), "{renamed}");
}

#[test]
fn the_register_fits_the_width_and_wide_keeps_every_text_on_one_line() {
    let longest = |text: &str| text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    for columns in ["100", "200"] {
        let stdout = check_with(&["scenarios/south_caucasus_2024.toml"], columns);
        let width: usize = columns.parse().unwrap();
        let wide: Vec<&str> = stdout.lines().filter(|l| l.chars().count() > width).collect();
        assert!(wide.is_empty(), "lines wider than {columns}:\n{}", wide.join("\n"));
    }
    let wide = check_with(&["scenarios/south_caucasus_2024.toml", "--wide"], "100");
    assert!(longest(&wide) > 300, "the longest line of --wide has {} characters", longest(&wide));
    // --wide puts each source on its row's line: the longest source is there whole.
    assert!(
        wide.lines()
            .any(|l| l.contains("docs/sources.md#karabakh-exodus-2023 (100,417 counted by 30 Sep 2023;"))
    );
}
