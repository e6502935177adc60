//! `[correlations]` through the real binary (issue 13): every marginal stays its declared
//! distribution, the achieved rank correlations meet their targets, a matrix that cannot hold is
//! refused naming its pairs or repaired on request, results do not depend on threads, adding or
//! removing a pair touches only its two drivers (per-pair construction; the Cholesky fallback says
//! it does not promise that), and `compare` keeps the uniforms. Each runs with both constructions:
//! [`CORRELATIONS`] is made per pair, [`CHOLESKY`] (driver `a` loaded past 1) by the Cholesky factor.
//!
//! Tolerances: Spearman's ρ on Fisher's z scale, atanh(ρ̂) with variance 1.06/(n − 3) (Fieller,
//! Hartley and Pearson 1957), within z = 4; KS distances below 1.95/√n (the 0.1% level, as in the
//! distribution tests); categorical shares within z = 4 of their binomial error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use statrs::distribution::{Beta, ContinuousCDF, LogNormal, Normal, Triangular, Uniform};

/// Drivers of every kind; `h` is in no pair.
const BASE: &str = r#"
[scenario]
name = "correlated"
title = "Correlated drivers"
start = "2024-01"
horizon = 1
runs = 20000
seed = 13

[drivers.f]
uniform = { min = 0, max = 1 }

[drivers.g]
uniform = { min = 0, max = 1 }

[drivers.a]
beta = { alpha = 4, beta = 5 }

[drivers.b]
normal = { mean = 10, sd = 3 }

[drivers.c]
triangular = { min = 6, mode = 30, max = 96 }

[drivers.d]
lognormal = { mu = 1, sigma = 0.5 }

[drivers.war]
categorical = { frozen = 0.45, settlement = 0.35, gains = 0.12, collapse = 0.08 }

[drivers.e]
beta = { alpha = 3, beta = 3 }

[drivers.h]
uniform = { min = -5, max = 5 }

[outcomes.a_value]
measure = "a"
"#;

/// Three separate groups: a 2×2, a 4×4 (b ~ c left at 0) and a categorical with a continuous driver.
/// Every driver's Σ|r| ≤ 1 (the largest, a's, is 0.416 + 0.313 + 0.209 = 0.938): one latent normal
/// per pair.
const CORRELATIONS: &str = r#"
[correlations]
"f ~ g" = { rho = -0.4, source = "test: the 2×2 case" }
"a ~ b" = 0.4
"a ~ c" = -0.3
"a ~ d" = 0.2
"b ~ d" = 0.4
"c ~ d" = -0.2
"war ~ e" = { rho = 0.6, source = "test: a categorical driver with a continuous one" }
"#;

/// The same groups with a ~ b at 0.5: a's Σ|r| = 0.518 + 0.313 + 0.209 = 1.04 > 1, so the copula
/// falls back to the Cholesky factor.
const CHOLESKY: &str = r#"
[correlations]
"f ~ g" = { rho = -0.4, source = "test: the 2×2 case" }
"a ~ b" = 0.5
"a ~ c" = -0.3
"a ~ d" = 0.2
"b ~ d" = 0.4
"c ~ d" = -0.2
"war ~ e" = { rho = 0.6, source = "test: a categorical driver with a continuous one" }
"#;

const WAR: [(&str, f64); 4] = [("frozen", 0.45), ("settlement", 0.35), ("gains", 0.12), ("collapse", 0.08)];

fn crossroads() -> Command {
    Command::cargo_bin("crossroads").expect("the binary builds")
}

/// Writes `text` as `name` in `dir`.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

/// Runs `scenario` into `out` (no charts) with `extra` arguments; panics unless it succeeds.
fn run(scenario: &Path, out: &Path, extra: &[&str]) {
    crossroads()
        .arg("run")
        .arg(scenario)
        .args(["--quiet", "--no-charts", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

/// runs.csv's columns of text by header.
type Columns = BTreeMap<String, Vec<String>>;

/// runs.csv as columns of text by header.
fn columns(out: &Path) -> Columns {
    let text = fs::read_to_string(out.join("runs.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(str::to_string).collect();
    let mut columns: BTreeMap<String, Vec<String>> = header.iter().map(|h| (h.clone(), Vec::new())).collect();
    for line in lines {
        for (name, field) in header.iter().zip(line.split(',')) {
            columns.get_mut(name).unwrap().push(field.to_string());
        }
    }
    columns
}

/// A driver's values as numbers (a categorical driver's outcome as its index in file order).
fn numbers(columns: &BTreeMap<String, Vec<String>>, name: &str) -> Vec<f64> {
    columns[name]
        .iter()
        .map(|v| match WAR.iter().position(|(w, _)| w == v) {
            Some(index) => index as f64,
            None => v.parse().unwrap(),
        })
        .collect()
}

/// Mid-ranks (ties share their mean rank).
fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
    let mut rank = vec![0.0; x.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        while end + 1 < order.len() && x[order[end + 1]] == x[order[start]] {
            end += 1;
        }
        for &i in &order[start..=end] {
            rank[i] = (start + end) as f64 / 2.0;
        }
        start = end + 1;
    }
    rank
}

/// Spearman's ρ: Pearson's correlation of the mid-ranks.
fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = a.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

/// z of an achieved Spearman against its expected value on Fisher's scale.
fn fisher_z(achieved: f64, expected: f64, n: usize) -> f64 {
    (achieved.atanh() - expected.atanh()) / (1.06 / (n as f64 - 3.0)).sqrt()
}

/// The Spearman ρ (mid-ranks) a categorical driver with `weights` (in category order) has with a
/// continuous driver under a Gaussian copula of Pearson r: the categories tie, so it is below the
/// target's. With V the continuous driver's uniform, E[V | U = u] = Φ(r Φ⁻¹(u) / √(2 − r²)), and the
/// categorical's mid-distribution value m_k = (C_{k−1} + C_k)/2 on its interval; the integral is a
/// midpoint rule of 20,000 steps per category.
fn categorical_spearman(weights: &[f64], target: f64) -> f64 {
    let unit = Normal::standard();
    let r = 2.0 * (std::f64::consts::PI * target / 6.0).sin();
    let conditional = |u: f64| unit.cdf(r * unit.inverse_cdf(u) / (2.0 - r * r).sqrt());
    let (mut below, mut cross, mut square) = (0.0, 0.0, 0.0);
    for &w in weights {
        let mid = below + w / 2.0;
        let steps = 20_000;
        let integral: f64 =
            (0..steps).map(|i| conditional(below + w * (i as f64 + 0.5) / steps as f64)).sum::<f64>() * w
                / steps as f64;
        cross += mid * integral;
        square += w * mid * mid;
        below += w;
    }
    (cross - 0.25) / ((square - 0.25) * (1.0 / 12.0)).sqrt()
}

/// A distribution function.
type Cdf = Box<dyn Fn(f64) -> f64>;

/// Kolmogorov–Smirnov distance of a sample from a CDF.
fn ks(values: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .map(|(k, &x)| {
            let f = cdf(x);
            (f - k as f64 / n).abs().max((f - (k + 1) as f64 / n).abs())
        })
        .fold(0.0, f64::max)
}

#[test]
fn per_pair_marginals_stay_declared_and_rank_correlations_meet_their_targets_at_20000_runs() {
    marginals_and_targets(CORRELATIONS, 0.4, "per-pair");
}

#[test]
fn cholesky_marginals_stay_declared_and_rank_correlations_meet_their_targets_at_20000_runs() {
    marginals_and_targets(CHOLESKY, 0.5, "cholesky");
}

/// KS of every marginal, the categorical's shares, and every pair's achieved Spearman (stated and
/// unstated) at 20,000 runs; summary.json's block against the same computation and its construction.
fn marginals_and_targets(correlations: &str, ab: f64, construction: &str) {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "correlated.toml", &format!("{BASE}{correlations}"));
    let out = dir.path().join("out");
    run(&scenario, &out, &[]);
    let columns = columns(&out);
    let n = columns["run"].len();
    assert_eq!(n, 20_000);
    let bound = 1.95 / (n as f64).sqrt();

    let marginals: [(&str, Cdf); 8] = [
        ("f", Box::new(|x| Uniform::new(0.0, 1.0).unwrap().cdf(x))),
        ("g", Box::new(|x| Uniform::new(0.0, 1.0).unwrap().cdf(x))),
        ("a", Box::new(|x| Beta::new(4.0, 5.0).unwrap().cdf(x))),
        ("b", Box::new(|x| Normal::new(10.0, 3.0).unwrap().cdf(x))),
        ("c", Box::new(|x| Triangular::new(6.0, 96.0, 30.0).unwrap().cdf(x))),
        ("d", Box::new(|x| LogNormal::new(1.0, 0.5).unwrap().cdf(x))),
        ("e", Box::new(|x| Beta::new(3.0, 3.0).unwrap().cdf(x))),
        ("h", Box::new(|x| Uniform::new(-5.0, 5.0).unwrap().cdf(x))),
    ];
    for (name, cdf) in &marginals {
        let distance = ks(&numbers(&columns, name), cdf);
        assert!(distance < bound, "{name}: KS {distance} ≥ {bound}");
    }
    let war = numbers(&columns, "war");
    for (index, (outcome, weight)) in WAR.iter().enumerate() {
        let share = war.iter().filter(|&&w| w == index as f64).count() as f64 / n as f64;
        let z = (share - weight) / (weight * (1.0 - weight) / n as f64).sqrt();
        assert!(z.abs() < 4.0, "war = {outcome}: share {share} for {weight} (z = {z})");
    }

    let continuous = [
        ("f", "g", -0.4),
        ("a", "b", ab),
        ("a", "c", -0.3),
        ("a", "d", 0.2),
        ("b", "d", 0.4),
        ("c", "d", -0.2),
        ("b", "c", 0.0),
        ("f", "a", 0.0),
        ("e", "h", 0.0),
    ];
    let weights: Vec<f64> = WAR.iter().map(|(_, w)| *w).collect();
    let mixed = ("war", "e", categorical_spearman(&weights, 0.6));
    assert!(mixed.2 > 0.5 && mixed.2 < 0.6, "ties lower the attainable ρ: {}", mixed.2);
    for (a, b, expected) in continuous.into_iter().chain([mixed]) {
        let achieved = spearman(&numbers(&columns, a), &numbers(&columns, b));
        let z = fisher_z(achieved, expected, n);
        assert!(z.abs() < 4.0, "{a} ~ {b}: ρ_s {achieved:.4} for {expected:.4} (z = {z:.2})");
    }

    // summary.json reports each stated pair over the exact prefix (10,000 runs): its target, the ρ
    // its values should have, and the achieved ρ with its interval, as computed here.
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let reported = &summary["correlations"];
    assert_eq!(reported["runs"], 10_000);
    assert_eq!(reported["construction"], construction);
    let pairs = reported["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 7);
    let prefix = |name: &str| numbers(&columns, name)[..10_000].to_vec();
    for pair in pairs {
        let (a, b) = (pair["first"].as_str().unwrap(), pair["second"].as_str().unwrap());
        let achieved = spearman(&prefix(a), &prefix(b));
        assert!((pair["spearman"].as_f64().unwrap() - achieved).abs() < 1e-12, "{a} ~ {b}");
        let (lower, upper) = (pair["lower"].as_f64().unwrap(), pair["upper"].as_f64().unwrap());
        assert!(lower < achieved && achieved < upper, "{a} ~ {b}");
        let expected = pair["expected"].as_f64().unwrap();
        if a == "war" {
            assert!((expected - mixed.2).abs() < 1e-3, "{expected} vs {}", mixed.2);
        } else {
            assert_eq!(expected, pair["target"].as_f64().unwrap());
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    for (name, correlations) in [("per_pair", CORRELATIONS), ("cholesky", CHOLESKY)] {
        let scenario = write(dir.path(), &format!("{name}.toml"), &format!("{BASE}{correlations}"));
        let (one, two) = (dir.path().join(format!("{name}_one")), dir.path().join(format!("{name}_two")));
        run(&scenario, &one, &["--runs", "3000", "--threads", "1"]);
        run(&scenario, &two, &["--runs", "3000", "--threads", "2"]);
        for file in
            ["runs.csv", "summary.json", "series.csv", "drivers.csv", "sensitivity.csv", "scenario.toml"]
        {
            assert_eq!(
                fs::read(one.join(file)).unwrap(),
                fs::read(two.join(file)).unwrap(),
                "{name}: {file}"
            );
        }
    }
}

#[test]
fn each_pair_gets_a_scatter_chart_and_a_row_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "correlated.toml", &format!("{BASE}{CORRELATIONS}"));
    let out = dir.path().join("out");
    crossroads()
        .arg("run")
        .arg(&scenario)
        .args(["--quiet", "--runs", "1000", "--out"])
        .arg(&out)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .assert()
        .success();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<section id=\"correlations\">"), "no correlations section");
    for pair in ["f__g", "a__b", "a__c", "a__d", "b__d", "c__d", "war__e"] {
        let svg = fs::read_to_string(out.join("charts").join(format!("{pair}.svg"))).unwrap();
        assert!(out.join("charts").join(format!("{pair}.png")).exists(), "{pair}.png");
        // 1,000 runs: one dot per run.
        assert_eq!(svg.matches("<circle").count(), 1000, "{pair}");
        let title = format!("role=\"img\"><title>{}</title>", pair.replace("__", " ~ "));
        assert!(html.contains(&title), "{pair}'s chart is not in report.html");
    }
    assert!(html.contains("<code>war ~ e</code></th><td>+0.60</td><td>+0.55</td>"), "war ~ e row");
    assert!(html.contains("<p>Construction: one latent normal per pair"), "construction");
}

/// How many runs differ between two columns.
fn changed(a: &[String], b: &[String]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x != y).count()
}

#[test]
fn per_pair_adding_a_pair_changes_only_its_two_drivers_and_rho_0_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let independent = write(dir.path(), "independent.toml", BASE);
    let scenario = write(dir.path(), "correlated.toml", &format!("{BASE}{CORRELATIONS}"));
    let checked = crossroads().arg("check").arg(&scenario).assert().success();
    let stdout = String::from_utf8_lossy(&checked.get_output().stdout).into_owned();
    assert!(stdout.contains("construction: one latent normal per pair"), "{stdout}");
    assert!(stdout.contains("largest: `a`, 0.938"), "{stdout}");
    let runs = ["--runs", "2000"];
    let before = dir.path().join("before");
    run(&scenario, &before, &runs);
    let before = columns(&before);
    // `b ~ c` between two drivers already in pairs (b with a and d, c with a and d), and `g ~ h`
    // bringing in a driver in no pair: each changes its two drivers' values and nothing else.
    for (pair, moved) in [("b ~ c", ["b", "c"]), ("g ~ h", ["g", "h"])] {
        let out = dir.path().join(pair.replace(" ~ ", "_"));
        let set = format!("correlations.\"{pair}\"=0.1");
        run(&scenario, &out, &[&runs[..], &["--set", &set]].concat());
        let after = columns(&out);
        for (name, values) in &before {
            if moved.contains(&name.as_str()) {
                let count = changed(values, &after[name]);
                assert!(count > 1900, "{name} changed in only {count} of 2000 runs when `{pair}` was added");
            } else {
                assert_eq!(values, &after[name], "column {name} changed when `{pair}` was added");
            }
        }
    }
    // Every pair set to 0 by --set: the runs of the scenario without [correlations], byte for byte.
    let removed = dir.path().join("removed");
    let mut arguments: Vec<String> = runs.iter().map(|s| s.to_string()).collect();
    for pair in ["f ~ g", "a ~ b", "a ~ c", "a ~ d", "b ~ d", "c ~ d", "war ~ e"] {
        arguments.push("--set".into());
        arguments.push(format!("correlations.\"{pair}\"=0"));
    }
    let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
    run(&scenario, &removed, &arguments);
    let plain = dir.path().join("plain");
    run(&independent, &plain, &runs);
    assert_eq!(fs::read(removed.join("runs.csv")).unwrap(), fs::read(plain.join("runs.csv")).unwrap());
}

#[test]
fn cholesky_says_it_does_not_keep_pairs_local_and_indeed_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "cholesky.toml", &format!("{BASE}{CHOLESKY}"));
    let checked = crossroads().arg("check").arg(&scenario).assert().success();
    let stdout = String::from_utf8_lossy(&checked.get_output().stdout).into_owned();
    assert!(stdout.contains("construction: the Cholesky factor"), "{stdout}");
    assert!(stdout.contains("`a` has Σ|r| = 1.040 > 1"), "{stdout}");
    assert!(stdout.contains("holds only for the per-pair construction"), "{stdout}");
    let runs = ["--runs", "2000"];
    let (before, after) = (dir.path().join("before"), dir.path().join("after"));
    run(&scenario, &before, &runs);
    run(&scenario, &after, &[&runs[..], &["--set", r#"correlations."b ~ c"=0.1"#]].concat());
    let (before, after) = (columns(&before), columns(&after));
    // Copula order f, g, a, b, c, d, war, e: c's row of L changes, and d, correlated with c and
    // after it, moves too; the drivers before c, and the other groups, do not.
    for name in ["f", "g", "a", "b", "war", "e", "h"] {
        assert_eq!(before[name], after[name], "{name}");
    }
    for name in ["c", "d"] {
        assert!(changed(&before[name], &after[name]) > 1900, "{name}");
    }
}

/// `compare` of `BASE` against `BASE` with `correlations` (2000 runs): the two scenarios' runs.csv
/// columns and the correlated one's summary.json in the comparison.
fn compared(dir: &Path, correlations: &str) -> (Columns, Columns, serde_json::Value) {
    let independent = write(dir, "independent.toml", BASE);
    let correlated = write(
        dir,
        "correlated.toml",
        &format!("{}{correlations}", BASE.replace("name = \"correlated\"", "name = \"with_pairs\"")),
    );
    let out = dir.join("compare");
    crossroads()
        .arg("compare")
        .args([&independent, &correlated])
        .args(["--runs", "2000", "--quiet", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    let summary =
        serde_json::from_str(&fs::read_to_string(out.join("scenarios/with_pairs/summary.json")).unwrap())
            .unwrap();
    (columns(&out.join("scenarios/correlated")), columns(&out.join("scenarios/with_pairs")), summary)
}

#[test]
fn compare_with_and_without_correlations_feeds_the_copula_the_same_uniforms() {
    let unit = Normal::standard();
    // f, g ~ U(0, 1), so their values are their uniforms; r < 0 for f ~ g.
    let r = 2.0 * (std::f64::consts::PI * -0.4 / 6.0).sin();

    // Per pair: x_f = √(1 − |r|) z_f + √|r| w and x_g = √(1 − |r|) z_g − √|r| w, so the latent
    // cancels in x_f + x_g = √(1 − |r|) (z_f + z_g), with z = Φ⁻¹ of the very uniforms the
    // independent run drew (its own values).
    let dir = tempfile::tempdir().unwrap();
    let (plain, paired, summary) = compared(dir.path(), CORRELATIONS);
    assert_eq!(plain["h"], paired["h"], "a driver in no pair");
    let (f, g) = (numbers(&plain, "f"), numbers(&plain, "g"));
    let (f_paired, g_paired) = (numbers(&paired, "f"), numbers(&paired, "g"));
    for run in 0..f.len() {
        let sum = unit.inverse_cdf(f_paired[run]) + unit.inverse_cdf(g_paired[run]);
        let expected = (1.0 - r.abs()).sqrt() * (unit.inverse_cdf(f[run]) + unit.inverse_cdf(g[run]));
        assert!((sum - expected).abs() < 1e-9, "run {run}: {sum} vs {expected}");
        assert_ne!(f_paired[run], f[run], "run {run}: f is in a pair");
    }
    // The correlated scenario's summary.json carries its correlations block, computed over all
    // 2,000 runs from its runs.csv; the comparison's summary.json repeats it, the baseline has none.
    let reported = &summary["correlations"];
    assert_eq!(reported["construction"], "per-pair");
    assert_eq!(reported["runs"], 2000);
    let pairs = reported["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 7);
    for pair in pairs {
        let (a, b) = (pair["first"].as_str().unwrap(), pair["second"].as_str().unwrap());
        let achieved = spearman(&numbers(&paired, a), &numbers(&paired, b));
        assert!((pair["spearman"].as_f64().unwrap() - achieved).abs() < 1e-12, "{a} ~ {b}");
        let (lower, upper) = (pair["lower"].as_f64().unwrap(), pair["upper"].as_f64().unwrap());
        assert!(lower < achieved && achieved < upper, "{a} ~ {b}");
        assert!(pair["target"].is_number(), "{a} ~ {b}");
        // The independent scenario's values of the same pair are uncorrelated (z = 4).
        let independent = spearman(&numbers(&plain, a), &numbers(&plain, b));
        assert!(fisher_z(independent, 0.0, 2000).abs() < 4.0, "{a} ~ {b}: {independent}");
    }
    let comparison: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("compare/summary.json")).unwrap()).unwrap();
    assert!(comparison["scenarios"][0].get("correlations").is_none(), "the baseline has no pairs");
    assert_eq!(&comparison["scenarios"][1]["correlations"], reported);

    // Cholesky: the first driver of each group keeps its uniform, and g's correlated value is
    // Φ(r Φ⁻¹(u_f) + √(1 − r²) Φ⁻¹(u_g)).
    let dir = tempfile::tempdir().unwrap();
    let (plain, paired, _) = compared(dir.path(), CHOLESKY);
    for name in ["h", "f", "a", "war"] {
        assert_eq!(plain[name], paired[name], "{name}");
    }
    let (f, g, g_paired) = (numbers(&plain, "f"), numbers(&plain, "g"), numbers(&paired, "g"));
    for run in 0..f.len() {
        let expected =
            unit.cdf(r * unit.inverse_cdf(f[run]) + (1.0 - r * r).sqrt() * unit.inverse_cdf(g[run]));
        assert!((g_paired[run] - expected).abs() < 1e-12, "run {run}: {} vs {expected}", g_paired[run]);
    }
}

#[test]
fn a_matrix_that_cannot_hold_is_refused_naming_its_pairs_or_repaired_and_used() {
    let dir = tempfile::tempdir().unwrap();
    let conflict = r#"
[correlations]
"a ~ b" = 0.8
"f ~ g" = 0.3
"a ~ c" = 0.8
"b ~ c" = -0.7
"#;
    let scenario = write(dir.path(), "conflict.toml", &format!("{BASE}{conflict}"));
    let refused = crossroads().arg("check").arg(&scenario).assert().code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(stderr.contains("conflict.toml:44:1"), "{stderr}");
    assert!(stderr.contains("`a ~ b`, `a ~ c` and `b ~ c` cannot hold together"), "{stderr}");
    assert!(!stderr.contains("`f ~ g`,"), "f ~ g takes no part: {stderr}");
    assert!(stderr.contains("repair = true"), "{stderr}");

    let repaired = write(
        dir.path(),
        "repaired.toml",
        &format!("{BASE}{}", conflict.replace("]\n", "]\nrepair = true\n")),
    );
    let checked = crossroads().arg("check").arg(&repaired).assert().success();
    let stdout = String::from_utf8_lossy(&checked.get_output().stdout).into_owned();
    assert!(stdout.contains("repaired (repair = true)"), "{stdout}");
    assert!(stdout.contains("a ~ b: stated 0.800, used "), "{stdout}");
    let distance: f64 = stdout
        .split("Frobenius distance ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|d| d.parse().ok())
        .unwrap();
    assert!(distance > 0.1 && distance < 1.0, "{distance}");
    let used = |pair: &str| -> f64 {
        let line = stdout.lines().find(|l| l.trim_start().starts_with(&format!("{pair}: stated"))).unwrap();
        line.rsplit("used ").next().unwrap().trim().parse().unwrap()
    };
    let (ab, ac, bc) = (used("a ~ b"), used("a ~ c"), used("b ~ c"));

    // run prints the repair too, and its runs achieve the repaired correlations.
    let out = dir.path().join("out");
    let ran = crossroads()
        .arg("run")
        .arg(&repaired)
        .args(["--quiet", "--no-charts", "--runs", "20000", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&ran.get_output().stderr).into_owned();
    assert!(stderr.contains("repaired (repair = true)"), "{stderr}");
    let columns = columns(&out);
    let n = columns["run"].len();
    for (a, b, expected) in [("a", "b", ab), ("a", "c", ac), ("b", "c", bc)] {
        let achieved = spearman(&numbers(&columns, a), &numbers(&columns, b));
        let z = fisher_z(achieved, expected, n);
        assert!(z.abs() < 4.0, "{a} ~ {b}: ρ_s {achieved:.4} for the repaired {expected:.4} (z = {z:.2})");
    }
}

#[test]
fn compare_report_shows_each_correlated_scenarios_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let independent = write(dir.path(), "independent.toml", BASE);
    let correlated = write(
        dir.path(),
        "correlated.toml",
        &format!("{}{CORRELATIONS}", BASE.replace("name = \"correlated\"", "name = \"with_pairs\"")),
    );
    let out = dir.path().join("compare");
    crossroads()
        .arg("compare")
        .args([&independent, &correlated])
        .args(["--runs", "500", "--quiet", "--out"])
        .arg(&out)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .assert()
        .success();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<a href=\"#correlations\">Correlated drivers</a>"), "nav");
    assert!(html.contains("<section id=\"correlations\">"), "section");
    assert!(html.contains("<h3><code>with_pairs</code>: achieved over 500 runs</h3>"), "heading");
    assert!(!html.contains("<h3><code>correlated</code>"), "the baseline has no pairs");
    assert!(html.contains("<p>Construction: one latent normal per pair"), "construction");
    assert!(
        html.contains("<tr><th scope=\"row\"><code>war ~ e</code></th><td>+0.60</td><td>+0.55</td>"),
        "row"
    );
}
