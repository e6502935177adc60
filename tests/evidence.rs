//! Conditioning on `[evidence]` through the real binary (issue 11): the posterior against exact
//! answers (Bayes' rule with a binomial likelihood; numerical integration of a normal likelihood)
//! within z = 4 Monte Carlo standard errors, byte-identical files for any thread count, `--accepted`,
//! evidence no run matches (shards of evidence: tests/shards.rs).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// Tolerance of the statistical checks, in Monte Carlo standard errors.
const Z: f64 = 4.0;

fn crossroads() -> Command {
    Command::cargo_bin("crossroads").expect("the binary builds")
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

/// Runs `scenario` with `args` into `out` (quiet, reproducible) and returns summary.json's evidence.
fn run(scenario: &Path, out: &Path, args: &[&str]) -> Value {
    crossroads()
        .arg("run")
        .arg(scenario)
        .args(args)
        .args(["--quiet", "--out"])
        .arg(out)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .assert()
        .success();
    let summary: Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    summary["evidence"].clone()
}

fn binomial(k: u64, n: u64, p: f64) -> f64 {
    let choose: f64 = (0..k).map(|i| (n - i) as f64 / (i + 1) as f64).product();
    choose * p.powi(k as i32) * (1.0 - p).powi((n - k) as i32)
}

fn close(name: &str, estimate: &Value, exact: f64) {
    let (mean, se) = (estimate["mean"].as_f64().unwrap(), estimate["standard_error"].as_f64().unwrap());
    assert!(se > 0.0, "{name}: no Monte Carlo error");
    assert!((mean - exact).abs() <= Z * se, "{name}: {mean} ± {se} against the exact {exact}");
}

#[test]
fn categorical_posterior_matches_bayes_rule_with_a_binomial_likelihood() {
    let root = tempfile::tempdir().unwrap();
    let evidence = run(&data("evidence_conjugate.toml"), &root.path().join("c"), &["--no-charts"]);
    // mood: calm 0.7, tense 0.3; monthly clash probability 0.05 when calm, σ(logit 0.05 + 1.5)
    // when tense; evidence: 3 clashes in the 24 months.
    let logit = (0.05f64 / 0.95).ln();
    let (p_calm, p_tense) = (0.05, 1.0 / (1.0 + (-(logit + 1.5)).exp()));
    let (calm, tense) = (0.7 * binomial(3, 24, p_calm), 0.3 * binomial(3, 24, p_tense));
    let marginal = calm + tense;
    let categories = evidence["drivers"][0]["categories"].as_array().unwrap();
    close("calm", &categories[0]["posterior"], calm / marginal);
    close("tense", &categories[1]["posterior"], tense / marginal);
    let probability = &evidence["probability"];
    let (value, se) =
        (probability["value"].as_f64().unwrap(), probability["standard_error"].as_f64().unwrap());
    assert!((value - marginal).abs() <= Z * se, "evidence probability {value} ± {se} against {marginal}");
    // Exact evidence: every accepted run weighs 1, so the effective sample size is the accepted count.
    assert_eq!(
        evidence["effective_sample_size"].as_f64().unwrap(),
        evidence["accepted_runs"].as_f64().unwrap()
    );
    // Every posterior run had exactly 3 clashes.
    assert_eq!(evidence["outcomes"][0]["posterior"]["mean"].as_f64().unwrap(), 3.0);
    // runs.csv ends with each run's weight: 1 for the consistent runs, 0 for the others.
    let csv = std::fs::read_to_string(root.path().join("c/runs.csv")).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().ends_with(",weight"));
    let ones = lines.filter(|line| line.ends_with(",1")).count() as u64;
    assert_eq!(ones, evidence["accepted_runs"].as_u64().unwrap());
}

#[test]
fn numeric_posterior_matches_numerical_integration_of_a_normal_likelihood() {
    let root = tempfile::tempdir().unwrap();
    let evidence = run(&data("evidence_normal.toml"), &root.path().join("n"), &["--no-charts"]);
    // prior beta(2, 3) ∝ x(1 − x)²; likelihood averaged over the signal's noise (sd 0.05) of a
    // measurement 0.6 ± 0.1: ∝ exp(−(x − 0.6)² / 2(0.1² + 0.05²)). Simpson's rule on [0, 1].
    let variance = 0.1f64.powi(2) + 0.05f64.powi(2);
    let density = |x: f64| 12.0 * x * (1.0 - x).powi(2) * (-(x - 0.6).powi(2) / (2.0 * variance)).exp();
    let steps = 20_000;
    let h = 1.0 / steps as f64;
    let simpson = |f: &dyn Fn(f64) -> f64| {
        (0..=steps)
            .map(|i| {
                let weight = if i == 0 || i == steps {
                    1.0
                } else if i % 2 == 1 {
                    4.0
                } else {
                    2.0
                };
                weight * f(i as f64 * h)
            })
            .sum::<f64>()
            * h
            / 3.0
    };
    let mass = simpson(&density);
    let mean = simpson(&|x| x * density(x)) / mass;
    let second = simpson(&|x| x * x * density(x)) / mass;
    let posterior = &evidence["drivers"][0]["posterior"];
    close("resolve", posterior, mean);
    assert!(second > mean * mean);
    // The posterior median, where the integral reaches half the mass (bisection), lies in the
    // median's 95% interval widened from z = 1.96 to z = 4 on each side.
    let (mut low, mut high) = (0.0, 1.0);
    for _ in 0..40 {
        let middle = 0.5 * (low + high);
        let below = simpson(&|x| if x <= middle { density(x) } else { 0.0 });
        if below < 0.5 * mass { low = middle } else { high = middle }
    }
    let median = 0.5 * (low + high);
    let p50 = posterior["p50"].as_f64().unwrap();
    let [lower, upper] = [0, 1].map(|i| posterior["p50_interval"][i].as_f64().unwrap());
    assert!(lower < p50 && p50 < upper, "{lower} {p50} {upper}");
    let widen = Z / 1.959_963_984_540_054;
    assert!(
        p50 - widen * (p50 - lower) <= median && median <= p50 + widen * (upper - p50),
        "median {p50} ({lower}–{upper}) against the exact {median}"
    );
    // The evidence probability (mean weight) is the mass times the kernel's shrink sd/√(sd² + noise²).
    let expected = mass * 0.1 / variance.sqrt();
    let probability = &evidence["probability"];
    let (value, se) =
        (probability["value"].as_f64().unwrap(), probability["standard_error"].as_f64().unwrap());
    assert!((value - expected).abs() <= Z * se, "evidence probability {value} ± {se} against {expected}");
    // Measured evidence: the effective sample size is below the runs but far above the warning.
    let ess = evidence["effective_sample_size"].as_f64().unwrap();
    assert!(ess > 1000.0 && ess < 20_000.0, "ESS {ess}");
    assert!(evidence.get("warning").is_none());
}

#[test]
fn evidence_output_is_byte_identical_with_one_or_two_threads() {
    let root = tempfile::tempdir().unwrap();
    let mut folders = Vec::new();
    for threads in ["1", "2"] {
        let out = root.path().join(format!("t{threads}"));
        run(&data("evidence_conjugate.toml"), &out, &["--runs", "3000", "--threads", threads]);
        folders.push(out);
    }
    for file in ["summary.json", "runs.csv", "report.html"] {
        let (one, two) =
            (std::fs::read(folders[0].join(file)).unwrap(), std::fs::read(folders[1].join(file)).unwrap());
        assert!(one == two, "{file} differs between 1 and 2 threads");
    }
}

#[test]
fn accepted_runs_until_enough_runs_match_the_same_for_any_thread_count() {
    let root = tempfile::tempdir().unwrap();
    let mut summaries = Vec::new();
    for threads in ["1", "2"] {
        let out = root.path().join(format!("a{threads}"));
        let args = ["--accepted", "500", "--runs", "100000", "--threads", threads, "--no-charts"];
        let evidence = run(&data("evidence_conjugate.toml"), &out, &args);
        let (runs, accepted) =
            (evidence["runs"].as_u64().unwrap(), evidence["accepted_runs"].as_u64().unwrap());
        assert!(accepted >= 500, "{accepted}");
        // It stopped at the first chunk (64 runs) that reached 500, far before the cap.
        assert!(runs < 100_000 && runs % 64 == 0, "{runs}");
        summaries.push(std::fs::read(out.join("summary.json")).unwrap());
    }
    assert!(summaries[0] == summaries[1]);
    // Without evidence, --accepted is bad input.
    let out = root.path().join("none");
    let assert = crossroads()
        .args(["run", "--accepted", "10", "--quiet", "--no-charts", "--runs", "100", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("--accepted needs evidence"), "{stderr}");
}

#[test]
fn evidence_no_run_matches_says_so_with_each_items_probability() {
    let root = tempfile::tempdir().unwrap();
    // 20 clashes in 24 months: never, under these hazards, in 2,000 runs.
    let output = crossroads()
        .arg("run")
        .arg(data("evidence_conjugate.toml"))
        .args(["--set", "evidence.three_clashes.equals=20", "--runs", "2000", "--no-charts", "--out"])
        .arg(root.path().join("z"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("No run of 2,000 matches all the evidence together"), "{stdout}");
    assert!(stdout.contains("three_clashes 0% (0.00–0.19%)"), "{stdout}");
    assert!(!stdout.contains("NaN"), "{stdout}");
    let text = std::fs::read_to_string(root.path().join("z/summary.json")).unwrap();
    let summary: Value = serde_json::from_str(&text).unwrap();
    let evidence = &summary["evidence"];
    assert_eq!(evidence["accepted_runs"], 0);
    assert_eq!(evidence["effective_sample_size"], 0.0);
    assert!(evidence["drivers"][0]["categories"][0]["posterior"].is_null());
    assert!(evidence["warning"].as_str().unwrap().contains("no posterior"));
}

#[test]
fn compare_gives_bayes_factors_against_the_first_scenario() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("cmp");
    let output = crossroads()
        .arg("compare")
        .arg(data("evidence_conjugate.toml"))
        .arg(data("evidence_conjugate_tense.toml"))
        .args(["--runs", "20000", "--no-charts", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("which scenario did history favour?"), "{stdout}");
    let summary: Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let scenarios = summary["evidence"]["scenarios"].as_array().unwrap();
    assert_eq!(scenarios[0]["bayes_factor"].as_f64(), Some(1.0));
    // Exact: Z = Σ prior · Binomial(3; 24, p) with the swapped priors.
    let logit = (0.05f64 / 0.95).ln();
    let (calm, tense) = (binomial(3, 24, 0.05), binomial(3, 24, 1.0 / (1.0 + (-(logit + 1.5)).exp())));
    let exact = (0.3 * calm + 0.7 * tense) / (0.7 * calm + 0.3 * tense);
    let factor = scenarios[1]["bayes_factor"].as_f64().unwrap();
    let upper = scenarios[1]["upper"].as_f64().unwrap();
    // The interval is exp(ln B ± 1.96 s): s on the log scale, z = 4.
    let s = (upper / factor).ln() / 1.959_963_984_540_054;
    assert!(s > 0.0);
    assert!((factor.ln() - exact.ln()).abs() <= Z * s, "Bayes factor {factor} (s {s}) against {exact}");
    // Scenarios with different evidence are refused.
    let other = crossroads()
        .arg("compare")
        .arg(data("evidence_conjugate.toml"))
        .arg(data("evidence_normal.toml"))
        .args(["--runs", "200", "--no-charts", "--out"])
        .arg(root.path().join("refused"))
        .output()
        .unwrap();
    assert_eq!(other.status.code(), Some(2));
    // The diagnostic wraps at a width, after a path whose length depends on where the repository
    // is: read it as one line of words.
    let stderr = String::from_utf8_lossy(&other.stderr);
    let words: Vec<&str> = stderr.split_whitespace().filter(|w| *w != "│").collect();
    assert!(words.join(" ").contains("its [evidence] differs"), "{stderr}");
}
