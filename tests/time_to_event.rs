//! Time-to-event curves and `headline = true` through the real binary.
//!
//! One event with a monthly probability of 5%: its `first(...)` outcome's curve must equal the
//! empirical distribution of runs.csv exactly (also beyond 10,000 runs, where it comes from the
//! streamed sketch), the monthly `ever(...)` outcome of the same event must give the same curve,
//! and both must follow 1 − 0.95^(m+1) within 4 Monte Carlo standard errors (z = 4, so a correct
//! engine fails this about once in 16,000 months checked). The summary leads with the outcomes
//! marked `headline = true`, and `compare` overlays the curves.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const SCENARIO: &str = r#"
[scenario]
name = "one_event"
title = "One event"
start = "2024-01"
horizon = 24

[events.clash]
probability = 0.05

[outcomes.first_clash]
title = "First clash"
measure = "first(clash)"
headline = true

[outcomes.clash_by_now]
title = "A clash by now"
measure = "ever(clash)"
series = true

[outcomes.clashes]
title = "Clashes"
measure = "count(clash)"
"#;

fn run(dir: &Path, runs: u64, extra: &[&str]) -> (Value, String) {
    let file = dir.join("one_event.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let out = dir.join(format!("out-{runs}"));
    let output = Command::cargo_bin("crossroads")
        .unwrap()
        .arg("run")
        .arg(&file)
        .args(["--runs", &runs.to_string(), "--out"])
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    (summary, String::from_utf8(output.stdout).unwrap())
}

fn outcome<'a>(summary: &'a Value, name: &str) -> &'a Value {
    summary["outcomes"].as_array().unwrap().iter().find(|o| o["name"] == name).unwrap()
}

fn curve(summary: &Value, name: &str) -> Vec<(u64, f64, f64, f64)> {
    outcome(summary, name)["by_month"]
        .as_array()
        .unwrap_or_else(|| panic!("{name} has no by_month"))
        .iter()
        .map(|p| {
            (
                p["month"].as_u64().unwrap(),
                p["probability"].as_f64().unwrap(),
                p["lower"].as_f64().unwrap(),
                p["upper"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// The runs whose `first_clash` in runs.csv is at most each month.
fn empirical(dir: &Path, runs: u64) -> Vec<u64> {
    let text = std::fs::read_to_string(dir.join(format!("out-{runs}/runs.csv"))).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = header.iter().position(|h| *h == "first_clash").unwrap();
    let mut by_month = [0u64; 24];
    for line in lines {
        let field = line.split(',').nth(column).unwrap();
        if !field.is_empty() {
            by_month[field.parse::<f64>().unwrap() as usize] += 1;
        }
    }
    let mut happened = 0;
    by_month
        .iter()
        .map(|count| {
            happened += count;
            happened
        })
        .collect()
}

/// The runs a probability over `runs` runs counts (summary.json's numbers are read back through
/// serde_json, whose float parsing may be one ulp off: compare counts, not floats).
fn count(p: f64, runs: u64) -> u64 {
    (p * runs as f64).round() as u64
}

#[test]
fn first_and_ever_curves_agree_with_the_runs_and_the_hazard() {
    let dir = tempfile::tempdir().unwrap();
    let runs = 4000;
    let (summary, printed) = run(dir.path(), runs, &[]);
    let first = curve(&summary, "first_clash");
    let ever = curve(&summary, "clash_by_now");
    assert_eq!(first.len(), 24);
    // Exactly the runs' distribution, and the monthly ever(...) of the same event says the same.
    let exact = empirical(dir.path(), runs);
    for (month, point) in first.iter().enumerate() {
        assert_eq!(point.0, month as u64);
        assert_eq!(count(point.1, runs), exact[month], "month {month}");
        assert_eq!(
            count(point.1, runs),
            count(ever[month].1, runs),
            "month {month}: first(...) and monthly ever(...) differ"
        );
    }
    // The last point is the share of runs with a clash, i.e. the ever outcome's probability.
    assert_eq!(count(first[23].1, runs), outcome(&summary, "clash_by_now")["successes"].as_u64().unwrap());
    for &(month, p, lower, upper) in &first {
        let expected = 1.0 - 0.95_f64.powi(month as i32 + 1);
        let se = (expected * (1.0 - expected) / runs as f64).sqrt();
        assert!((p - expected).abs() < 4.0 * se, "month {month}: {p} vs {expected} (se {se})");
        assert!(lower <= p && p <= upper, "month {month}: the band holds the estimate");
        // A Wilson 95% band is about ±1.96 se wide.
        let half = (upper - lower) / 2.0;
        assert!((half / (1.96 * se) - 1.0).abs() < 0.1, "month {month}: half-width {half}, se {se}");
    }
    // Charts: a curve for each; the monthly 0/1 outcome's fan is replaced by its curve.
    let charts = dir.path().join(format!("out-{runs}/charts"));
    for file in ["first_clash_by_month.png", "first_clash_by_month.svg", "clash_by_now_by_month.png"] {
        assert!(charts.join(file).is_file(), "{file}");
    }
    assert!(!charts.join("clash_by_now_series.png").exists());
    // report.html shows the curve.
    let html = std::fs::read_to_string(dir.path().join(format!("out-{runs}/report.html"))).unwrap();
    assert!(html.contains("First clash: by when"));
    // The summary leads with the headline outcome only (not the other 0/1 outcome).
    let headline = printed.split("Strongest driver effects").next().unwrap();
    assert!(headline.contains("First clash"), "{printed}");
    assert!(headline.contains("in half of all runs by"), "{printed}");
    // Its estimate is a share of runs, though its title names a month: the summary says so.
    assert!(headline.contains("First clash: the share of runs in which it has happened"), "{printed}");
    assert!(!headline.contains("A clash by now"), "{printed}");
}

#[test]
fn beyond_the_exact_runs_the_streamed_curve_is_still_exact() {
    let dir = tempfile::tempdir().unwrap();
    let runs = 10_100;
    let (summary, _) = run(dir.path(), runs, &["--no-charts"]);
    assert!(summary["approximation"].is_object(), "more than 10,000 runs are streamed");
    let exact = empirical(dir.path(), runs);
    for (month, point) in curve(&summary, "first_clash").iter().enumerate() {
        assert_eq!(count(point.1, runs), exact[month], "month {month}");
    }
    // The monthly ever(...) curve comes from exact sums: the same counts.
    for (month, point) in curve(&summary, "clash_by_now").iter().enumerate() {
        assert_eq!(count(point.1, runs), exact[month], "month {month}");
    }
}

#[test]
fn compare_overlays_the_curves() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("one_event.toml");
    std::fs::write(&a, SCENARIO).unwrap();
    let b = dir.path().join("calmer.toml");
    std::fs::write(&b, SCENARIO.replace("name = \"one_event\"", "name = \"calmer\"").replace("0.05", "0.02"))
        .unwrap();
    let out = dir.path().join("cmp");
    Command::cargo_bin("crossroads")
        .unwrap()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .args(["--runs", "500", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.join("charts/first_clash_by_month.svg")).unwrap();
    assert!(svg.contains("one_event") && svg.contains("calmer"), "both scenarios are named in the legend");
    assert!(out.join("charts/clash_by_now_by_month.png").is_file());
}
