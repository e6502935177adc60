//! `crossroads explore` through the real binary: Sobol indices of a linear model against their
//! analytic values, the chance share against the analytic noise share, Morris's elementary effects
//! exactly, PRIM's box, byte-identical results with 1 and 2 threads and after a sharded merge, and
//! bad input.

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
use serde_json::Value;

/// y = 1·x₁ + 2·x₂ + 3·x₃ each month (speed 1), plus `noise` sd of chance; the design fixes the
/// three drivers: x₁ ~ U(0, 1), x₂ ~ U(0, 2), x₃ ~ U(−1, 1).
fn linear(noise: f64, design: &str, points: u64, replications: u64) -> String {
    format!(
        r#"[scenario]
name = "linear"
start = "2024-01"
horizon = 3
seed = 7

[drivers.x1]
uniform = {{ min = 0, max = 1 }}
[drivers.x2]
uniform = {{ min = 0, max = 1 }}
[drivers.x3]
uniform = {{ min = 0, max = 1 }}

[variables.y]
initial = 0
target = 0
speed = 1
noise = {noise}
links = {{ x1 = 1.0, x2 = 2.0, x3 = 3.0 }}

[outcomes.y_end]
measure = "y"

[experiment]
design = "{design}"
points = {points}
replications = {replications}

[experiment.factors]
"drivers.x1" = {{ uniform = {{ min = 0, max = 1 }}, source = "test" }}
"drivers.x2" = {{ uniform = {{ min = 0, max = 2 }}, source = "test" }}
"drivers.x3" = {{ uniform = {{ min = -1, max = 1 }}, source = "test" }}
"#
    )
}

/// The analytic variance each factor contributes: aᵢ²·Var(Xᵢ).
const CONTRIBUTIONS: [f64; 3] = [1.0 / 12.0, 4.0 * 4.0 / 12.0, 9.0 * 4.0 / 12.0];

fn explore(dir: &Path, scenario: &str, args: &[&str]) -> (PathBuf, std::process::Output) {
    let file = dir.join("scenario.toml");
    fs::write(&file, scenario).unwrap();
    let out = dir.join("out");
    let output = Command::cargo_bin("crossroads")
        .unwrap()
        .arg("explore")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .args(["--force", "--quiet"])
        .args(args)
        .output()
        .unwrap();
    (out, output)
}

fn summary(out: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

/// |estimate − analytic| ≤ z·se with z = 4 (the bootstrap's standard error).
fn assert_within(estimate: &Value, analytic: f64, what: &str) {
    let value = estimate["value"].as_f64().unwrap();
    let se = estimate["standard_error"].as_f64().unwrap();
    assert!((value - analytic).abs() <= 4.0 * se, "{what}: {value} ± {se}, analytic {analytic}");
}

#[test]
fn sobol_indices_of_a_linear_model_match_the_analytic_shares() {
    let dir = tempfile::tempdir().unwrap();
    let (out, output) = explore(dir.path(), &linear(0.0, "sobol", 512, 2), &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary = summary(&out);
    assert_eq!(summary["points"], 512 * 5);
    let total: f64 = CONTRIBUTIONS.iter().sum();
    let sobol = &summary["outcomes"][0]["sobol"];
    for (i, contribution) in CONTRIBUTIONS.iter().enumerate() {
        // Additive: first-order = total = aᵢ²Var(Xᵢ)/Σ.
        assert_within(&sobol[i]["first_order"], contribution / total, &format!("S{}", i + 1));
        assert_within(&sobol[i]["total"], contribution / total, &format!("S_T{}", i + 1));
    }
    // No noise: every replication is the same, nothing is chance.
    assert_eq!(summary["outcomes"][0]["chance_share"]["value"], 0.0);
    // The report leads with the heat map: one row per outcome, one cell per factor.
    let page = scraper::Html::parse_document(&fs::read_to_string(out.join("report.html")).unwrap());
    let rows = scraper::Selector::parse("#at-a-glance tbody tr").unwrap();
    let cells = scraper::Selector::parse("td.cell").unwrap();
    let rows: Vec<_> = page.select(&rows).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].select(&cells).count(), 1 + 3, "chance and three factors");
}

#[test]
fn the_chance_share_matches_the_noise_share() {
    let dir = tempfile::tempdir().unwrap();
    let (out, output) = explore(dir.path(), &linear(1.0, "lhs", 400, 100), &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let total: f64 = CONTRIBUTIONS.iter().sum();
    // Noise sd 1: a variance of 1 beside the factors' Σ aᵢ²Var(Xᵢ).
    assert_within(&summary(&out)["outcomes"][0]["chance_share"], 1.0 / (1.0 + total), "chance share");
}

#[test]
fn morris_elementary_effects_of_a_linear_model_are_its_slopes() {
    let dir = tempfile::tempdir().unwrap();
    let (out, output) = explore(dir.path(), &linear(0.0, "morris", 10, 1), &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let morris = &summary(&out)["outcomes"][0]["morris"];
    // Per unit coordinate: aᵢ times the factor's range.
    for (i, slope) in [1.0, 2.0 * 2.0, 3.0 * 2.0].iter().enumerate() {
        let mu_star = morris[i]["mu_star"].as_f64().unwrap();
        assert!((mu_star - slope).abs() < 1e-9, "μ*{} = {mu_star}, slope {slope}", i + 1);
        assert!(morris[i]["sigma"].as_f64().unwrap() < 1e-9);
    }
}

#[test]
fn prim_finds_where_the_target_happens_and_results_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = linear(0.5, "lhs", 300, 10);
    let (one, output) = explore(dir.path(), &scenario, &["--threads", "1", "--target", "y_end > 4"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let moved = dir.path().join("one");
    fs::rename(&one, &moved).unwrap();
    let (two, output) = explore(dir.path(), &scenario, &["--threads", "2", "--target", "y_end > 4"]);
    assert!(output.status.success());
    let files = files_under(&moved);
    assert_eq!(files, files_under(&two));
    assert!(files.iter().any(|f| f == "charts/y_end_factors.png"), "{files:?}");
    for file in files {
        assert_eq!(fs::read(moved.join(&file)).unwrap(), fs::read(two.join(&file)).unwrap(), "{file}");
    }
    let prim = &summary(&two)["prim"];
    assert!(prim["density"].as_f64().unwrap() > prim["mass"].as_f64().unwrap());
    // y > 4 needs large x₂ and x₃: the box bounds them from below.
    let chosen = prim["chosen"].as_str().unwrap();
    assert!(chosen.contains("drivers.x3 ≥") && chosen.contains("drivers.x2 ≥"), "{chosen}");
}

#[test]
fn bad_input_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let without = linear(0.0, "lhs", 10, 1).split("[experiment]").next().unwrap().to_string();
    let (_, output) = explore(dir.path(), &without, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("has no [experiment] table"));

    let (_, output) = explore(dir.path(), &linear(0.0, "lhs", 10, 1), &["--target", "y_ned > 1"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean `y_end`"));

    let (out, output) = explore(dir.path(), &linear(0.0, "lhs", 10, 1), &["--target", "y_end > 100"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no run of the experiment meets it"));
    assert!(!out.exists(), "nothing half-written");

    // A factor range that breaks the scenario at some point: said with the point's values.
    let broken = linear(0.0, "lhs", 10, 1).replace(
        "\"drivers.x1\" = { uniform = { min = 0, max = 1 }",
        "\"variables.y.speed\" = { uniform = { min = 0.5, max = 1.5 }",
    );
    let (_, output) = explore(dir.path(), &broken, &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("makes the scenario invalid") && stderr.contains("variables.y.speed="),
        "{stderr}"
    );
}

/// Every file under `dir`, as paths relative to it with `/`, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    files
}

fn crossroads(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::cargo_bin("crossroads").unwrap().args(args).output().unwrap()
}

#[test]
fn a_sharded_experiment_merges_into_the_one_process_folder_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    // 19 × (3 + 2) = 95 points × 5 replications = 475 runs: eight 64-run chunks, the last one
    // short, two per shard, and shard boundaries that cut points in two.
    let scenario = linear(0.5, "sobol", 19, 5);
    let (one, output) = explore(dir.path(), &scenario, &["--threads", "2", "--target", "y_end > 4"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let file = dir.path().join("scenario.toml");
    let mut shards = Vec::new();
    for index in 0..4 {
        let shard = dir.path().join(format!("shard-{index}"));
        let spec = format!("{index}/4");
        let threads = if index % 2 == 0 { "1" } else { "2" };
        let output = crossroads(&[
            "explore".as_ref(),
            file.as_os_str(),
            "--shard".as_ref(),
            spec.as_ref(),
            "--threads".as_ref(),
            threads.as_ref(),
            "--target".as_ref(),
            "y_end > 4".as_ref(),
            "--quiet".as_ref(),
            "--out".as_ref(),
            shard.as_os_str(),
        ]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(shard.join("values.bin").is_file() && shard.join("shard.json").is_file());
        shards.push(shard);
    }
    let merged = dir.path().join("merged");
    let mut args: Vec<&std::ffi::OsStr> = vec!["merge".as_ref(), "--quiet".as_ref()];
    // Any order: the merge puts the shards in run order.
    args.extend(shards.iter().rev().map(|s| s.as_os_str()));
    args.extend(["--out".as_ref(), merged.as_os_str()]);
    let output = crossroads(&args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let files = files_under(&one);
    assert_eq!(files, files_under(&merged));
    assert!(
        files.iter().any(|f| f.starts_with("charts/")) && files.contains(&"prim.csv".to_string()),
        "{files:?}"
    );
    for file in &files {
        assert_eq!(fs::read(one.join(file)).unwrap(), fs::read(merged.join(file)).unwrap(), "{file:?}");
    }

    // --no-charts leaves out charts/ and report.html, in one process and in a merge alike.
    let bare = dir.path().join("bare");
    let output = crossroads(&[
        "explore".as_ref(),
        file.as_os_str(),
        "--no-charts".as_ref(),
        "--target".as_ref(),
        "y_end > 4".as_ref(),
        "--quiet".as_ref(),
        "--out".as_ref(),
        bare.as_os_str(),
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let merged_bare = dir.path().join("merged-bare");
    let mut args: Vec<&std::ffi::OsStr> = vec!["merge".as_ref(), "--quiet".as_ref(), "--no-charts".as_ref()];
    args.extend(shards.iter().map(|s| s.as_os_str()));
    args.extend(["--out".as_ref(), merged_bare.as_os_str()]);
    let output = crossroads(&args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let bare_files = files_under(&bare);
    assert_eq!(bare_files, files_under(&merged_bare));
    let expected: Vec<String> =
        files.iter().filter(|f| !f.starts_with("charts/") && *f != "report.html").cloned().collect();
    assert_eq!(bare_files, expected);
    for file in bare_files {
        assert_eq!(fs::read(one.join(&file)).unwrap(), fs::read(merged_bare.join(&file)).unwrap(), "{file}");
    }

    // A missing shard, or a shard of another experiment, is refused and nothing is written.
    let refused = dir.path().join("refused");
    let output = crossroads(&[
        "merge".as_ref(),
        shards[0].as_os_str(),
        shards[1].as_os_str(),
        shards[3].as_os_str(),
        "--out".as_ref(),
        refused.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("2/4"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!refused.exists());
    let other = dir.path().join("other");
    let output = crossroads(&[
        "explore".as_ref(),
        file.as_os_str(),
        "--shard".as_ref(),
        "2/4".as_ref(),
        "--replications".as_ref(),
        "6".as_ref(),
        "--target".as_ref(),
        "y_end > 4".as_ref(),
        "--quiet".as_ref(),
        "--out".as_ref(),
        other.as_os_str(),
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let output = crossroads(&[
        "merge".as_ref(),
        shards[0].as_os_str(),
        shards[1].as_os_str(),
        other.as_os_str(),
        shards[3].as_os_str(),
        "--out".as_ref(),
        refused.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("another experiment"), "{stderr}");
    assert!(!refused.exists());
}
