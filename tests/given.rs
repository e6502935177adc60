//! `given`: outcomes measured only over the runs where a condition holds, through the real binary.
//! The shipped scenario's agreed-terms outcomes are measured over the runs with an agreement: their
//! mean lies between their 5th and 95th percentiles (it used to sit below p5, dragged down by runs
//! without an agreement counted as 0), and the runs without one are counted and shown.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
use std::path::PathBuf;

use assert_cmd::Command;

#[test]
fn agreed_terms_are_measured_over_agreed_runs_and_the_rest_counted() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let scenario = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/south_caucasus_2024.toml");
    let output = Command::cargo_bin("crossroads")
        .unwrap()
        .arg("run")
        .arg(&scenario)
        .args(["--runs", "2000", "--no-charts", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let printed = String::from_utf8(output.stdout).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let outcomes = summary["outcomes"].as_array().unwrap();
    let agreed = |issue: &str| {
        let o = outcomes.iter().find(|o| o["measure"] == format!("agreed({issue})")).unwrap();
        o["successes"].as_u64().unwrap()
    };
    let mut checked = 0;
    for (name, issue) in [
        ("treaty_terms", "peace_treaty"),
        ("karabakh_return_terms", "karabakh_return"),
        ("zangezur_return_terms", "zangezur_return"),
        ("corridor_terms", "corridor"),
    ] {
        let o = outcomes.iter().find(|o| o["name"] == name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(o["given"], format!("agreed({issue})"), "{name}");
        let (mean, p5, p95) =
            (o["mean"].as_f64().unwrap(), o["p5"].as_f64().unwrap(), o["p95"].as_f64().unwrap());
        assert!(p5 <= mean && mean <= p95, "{name}: mean {mean} outside p5 {p5} … p95 {p95}");
        // The runs counted are exactly those with an agreement; the rest are left out.
        assert_eq!(o["runs"].as_u64().unwrap(), agreed(issue), "{name}");
        assert_eq!(o["runs"].as_u64().unwrap() + o["undefined"].as_u64().unwrap(), 2000, "{name}");
        // The scale's ends say what they mean.
        assert!(o["scale"]["low_means"].as_str().is_some_and(|s| !s.is_empty()), "{name}");
        let left = o["undefined"].as_u64().unwrap();
        assert!(
            printed.contains(&format!("given agreed({issue}): {} runs left out", thousands(left))),
            "{name}: {printed}"
        );
        checked += 1;
    }
    assert_eq!(checked, 4);
}

/// `n` with commas between thousands, as the printed table writes counts.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
