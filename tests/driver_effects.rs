//! drivers.csv and the driver-effect summary through the real binary: a scenario with a known
//! non-monotone effect (the outcome is high only in the middle third of a driver) shows a large
//! swing where Spearman's ρ is about 0, and a driver nothing depends on has a swing within its
//! Monte Carlo error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn scenario() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/middle_third.toml")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// drivers.csv rows as maps from column to field (no field here needs quoting).
fn rows(csv: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| header.iter().map(|h| h.to_string()).zip(l.split(',').map(str::to_string)).collect())
        .collect()
}

#[test]
fn a_middle_third_effect_has_a_large_swing_where_rho_is_about_zero() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let output = Command::cargo_bin("crossroads")
        .unwrap()
        .arg("run")
        .arg(scenario())
        .args(["--no-charts", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let printed = String::from_utf8(output.stdout).unwrap();

    // Spearman's ρ of the outcome with onset: about 0 (|ρ| < 0.1; its 95% interval reaches 0 or
    // nearly). With 3,000 runs its standard error is 1.06/√2997 ≈ 0.019, so a true ρ of 0 lies
    // within ±0.1 at z > 5.
    let sensitivity = read(&out.join("sensitivity.csv"));
    let rho_line = sensitivity.lines().find(|l| l.starts_with("in_crisis,onset,")).unwrap();
    let rho: f64 = rho_line.split(',').nth(2).unwrap().parse().unwrap();
    assert!(rho.abs() < 0.1, "ρ = {rho}: {rho_line}");

    // drivers.csv: onset's thirds at 30 and 60 months; ~0%, ~100%, ~0%; a swing near 100 pp.
    let rows = rows(&read(&out.join("drivers.csv")));
    let onset: Vec<_> =
        rows.iter().filter(|r| r["outcome"] == "in_crisis" && r["driver"] == "onset").collect();
    assert_eq!(
        onset.iter().map(|r| r["bin"].as_str()).collect::<Vec<_>>(),
        ["lowest third", "middle third", "highest third"]
    );
    let number = |r: &std::collections::BTreeMap<String, String>, c: &str| r[c].parse::<f64>().unwrap();
    assert!(
        (number(onset[0], "up_to") - 30.0).abs() < 1e-9 && (number(onset[1], "up_to") - 60.0).abs() < 1e-9
    );
    let means: Vec<f64> = onset.iter().map(|r| number(r, "mean")).collect();
    assert!(means[0] < 0.01 && means[1] > 0.99 && means[2] < 0.01, "{means:?}");
    let swing = number(onset[0], "swing");
    assert!(swing > 0.95, "swing {swing}");
    // Ranked first by swing, with most of the variance between its thirds.
    let first = rows.iter().find(|r| r["outcome"] == "in_crisis").unwrap();
    assert_eq!(first["driver"], "onset");
    assert!(number(first, "explained") > 0.9, "{first:?}");

    // noise: a swing within 1.96 Monte Carlo standard errors (z = 1.96: this fails by chance in
    // about 5% of seeds; the seed is fixed).
    let noise: Vec<_> =
        rows.iter().filter(|r| r["outcome"] == "in_crisis" && r["driver"] == "noise").collect();
    assert_eq!(noise.len(), 3);
    assert!(number(noise[0], "swing") < 1.96 * number(noise[0], "swing_se"), "{:?}", noise[0]);

    // The printed summary names the effect in words.
    assert!(printed.contains("when Onset is in its middle third"), "{printed}");
}
