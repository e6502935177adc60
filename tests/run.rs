//! `crossroads run` and `crossroads bargain` through the real binary.

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

fn crossroads() -> Command {
    Command::cargo_bin("crossroads").expect("the binary builds")
}

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example(name: &str) -> PathBuf {
    repository().join("scenarios").join("examples").join(name)
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn same_seed_gives_identical_files_with_one_or_two_threads() {
    let root = tempfile::tempdir().unwrap();
    let mut folders = Vec::new();
    for threads in ["1", "2"] {
        let out = root.path().join(format!("threads{threads}"));
        crossroads()
            .args(["run", "--seed", "7", "--runs", "5000", "--threads", threads, "--quiet", "--out"])
            .arg(&out)
            // The reproducible-builds convention: the report is dated from it and states neither
            // wall time nor thread count, so every file must be byte-identical.
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .assert()
            .success();
        folders.push(out);
    }
    let charts = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir.join("charts"))
            .unwrap()
            .map(|entry| format!("charts/{}", entry.unwrap().file_name().to_string_lossy()))
            .collect();
        names.sort();
        names
    };
    let chart_files = charts(&folders[0]);
    assert_eq!(chart_files, charts(&folders[1]));
    assert!(chart_files.len() > 20, "charts written: {chart_files:?}");
    let fixed = ["summary.json", "runs.csv", "series.csv", "scenario.toml", "report.html"].map(String::from);
    for file in fixed.iter().chain(&chart_files) {
        let (one, two) = (read(&folders[0].join(file)), read(&folders[1].join(file)));
        assert!(one == two, "{file} differs between 1 and 2 threads");
    }
    let summary: serde_json::Value = serde_json::from_slice(&read(&folders[0].join("summary.json"))).unwrap();
    assert_eq!(summary["runs"], 5000);
    assert_eq!(summary["seed"], 7);
}

#[test]
fn run_writes_every_file_and_prints_the_outcome_table() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("small");
    let assert = crossroads()
        .args(["run"])
        .arg(example("small_complete.toml"))
        .args(["--runs", "300", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(stdout.contains("95% interval"), "{stdout}");
    assert!(stdout.contains("border_agreed"), "{stdout}");
    assert!(stdout.contains(&out.display().to_string()), "{stdout}");
    for file in
        ["summary.json", "runs.csv", "series.csv", "scenario.toml", "report.html", "charts/overview.svg"]
    {
        assert!(out.join(file).is_file(), "{file} missing");
    }

    // runs.csv: run, every driver (categorical as its outcome's name), every outcome (empty where
    // undefined), one row per run.
    let runs = String::from_utf8(read(&out.join("runs.csv"))).unwrap();
    let mut lines = runs.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "run");
    assert_eq!(header[1], "patron_fate");
    assert!(header.contains(&"first_skirmish") && header.contains(&"border_agreed"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 300);
    assert!(rows.iter().all(|r| r.len() == header.len()));
    assert!(rows.iter().all(|r| ["steady", "distracted", "withdraws"].contains(&r[1])));
    let first = header.iter().position(|h| *h == "first_skirmish").unwrap();
    let never = rows.iter().filter(|r| r[first].is_empty()).count();
    let summary: serde_json::Value = serde_json::from_slice(&read(&out.join("summary.json"))).unwrap();
    let first_skirmish =
        summary["outcomes"].as_array().unwrap().iter().find(|o| o["name"] == "first_skirmish").unwrap();
    assert_eq!(first_skirmish["kind"], "numeric");
    assert_eq!(first_skirmish["undefined"], never as u64);
    assert_eq!(first_skirmish["runs"], (300 - never) as u64);

    // series.csv: one row per series outcome and month.
    let series = String::from_utf8(read(&out.join("series.csv"))).unwrap();
    assert!(series.starts_with("outcome,month,date,mean,p5,p25,p50,p75,p95\n"));
    assert_eq!(series.lines().count(), 1 + 2 * 36);
    assert!(series.contains("\npeople_home,0,2025-01,"));

    // scenario.toml reloads to the same scenario.
    crossroads().args(["check"]).arg(out.join("scenario.toml")).assert().success();
}

#[test]
fn run_without_a_file_runs_the_bundled_default_into_output() {
    let cwd = tempfile::tempdir().unwrap();
    crossroads()
        .current_dir(cwd.path())
        .args(["run", "--runs", "64", "--quiet", "--no-charts"])
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_slice(&read(&cwd.path().join("output/south_caucasus_2024/summary.json"))).unwrap();
    assert_eq!(summary["scenario"], "south_caucasus_2024");
    assert_eq!(summary["horizon"], 120);
}

/// Each bad input exits 2 with a message naming the problem and leaves the previous result
/// exactly as it was.
#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("result");
    crossroads()
        .args(["run"])
        .arg(example("small_complete.toml"))
        .args(["--runs", "50", "--quiet", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    let before = read(&out.join("runs.csv"));
    let blocker = root.path().join("a_file");
    fs::write(&blocker, "not a folder").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["run".into(), root.path().join("missing.toml").display().to_string()],
            "cannot read scenario file",
        ),
        (
            vec![
                "run".into(),
                example("small_complete.toml").display().to_string(),
                "--runs".into(),
                "0".into(),
            ],
            "--runs",
        ),
        (
            vec![
                "run".into(),
                example("small_complete.toml").display().to_string(),
                "--threads".into(),
                "0".into(),
            ],
            "--threads",
        ),
        (
            vec![
                "run".into(),
                example("small_complete.toml").display().to_string(),
                "--set".into(),
                "drivers.no_such.fixed=1".into(),
            ],
            "no_such",
        ),
    ];
    for (args, expected) in cases {
        let assert = crossroads().args(&args).arg("--out").arg(&out).assert().code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_eq!(read(&out.join("runs.csv")), before, "{args:?} touched the previous result");
    }
    // Unwritable --out: under a file, and a folder that is not a crossroads result.
    let mine = root.path().join("mine");
    fs::create_dir(&mine).unwrap();
    fs::write(mine.join("notes.txt"), "keep me").unwrap();
    for target in [blocker.join("sub"), mine.clone()] {
        let assert = crossroads()
            .args(["run"])
            .arg(example("small_complete.toml"))
            .args(["--runs", "10", "--quiet", "--out"])
            .arg(&target)
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(stderr.contains("cannot"), "{stderr}");
    }
    assert_eq!(fs::read_to_string(mine.join("notes.txt")).unwrap(), "keep me");
    assert_eq!(fs::read_dir(&mine).unwrap().count(), 1);
    // Nothing but the results and the test's own files in the folder: no temporary leftovers.
    let mut names: Vec<String> = fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["a_file", "mine", "result"]);
}

#[test]
fn bargain_reproduces_the_published_ec_case() {
    let assert = crossroads()
        .args(["bargain"])
        .arg(example("ec_car_emissions.toml"))
        .args(["--issue", "emission_standards", "--rounds", "10", "--json"])
        .assert()
        .success();
    let trace: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    let rounds = trace["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 11);
    let actors: Vec<&str> = trace["actors"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    let at = |round: usize, actor: &str| {
        let index = actors.iter().position(|a| *a == actor).unwrap();
        rounds[round]["positions"][index].as_f64().unwrap()
    };
    let forecast = |round: usize| rounds[round]["forecast"].as_f64().unwrap();
    assert!((forecast(0) - 7.389955686853767).abs() < 1e-9, "{}", forecast(0));
    assert!((forecast(1) - 7.461314378277189).abs() < 1e-9, "{}", forecast(1));
    assert!((at(1, "belgium") - 8.415932315426764).abs() < 1e-9);
    assert!((at(1, "luxembourg") - 7.0).abs() < 1e-9);
    assert!((at(1, "ireland") - 4.0).abs() < 1e-9);
    for round in 2..=10 {
        assert!((4.0..=10.0).contains(&forecast(round)));
    }

    let table = crossroads()
        .args(["bargain"])
        .arg(example("ec_car_emissions.toml"))
        .args(["--issue", "emission_standards", "--rounds", "2"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&table.get_output().stdout).to_string();
    assert!(text.contains("7.4613") && text.contains("8.4159") && text.contains("belgium"), "{text}");
}

#[test]
fn bargain_on_an_unknown_issue_suggests_the_closest() {
    let assert = crossroads()
        .args(["bargain"])
        .arg(example("ec_car_emissions.toml"))
        .args(["--issue", "emission_standard"])
        .assert()
        .code(2);
    // miette wraps long lines: compare with the frame and line breaks taken out.
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).replace('│', " ");
    let stderr = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(stderr.contains("no issue `emission_standard`"), "{stderr}");
    assert!(stderr.contains("did you mean `emission_standards`"), "{stderr}");
}

#[test]
fn a_bad_source_date_epoch_is_bad_input_found_before_simulating() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("result");
    let assert = crossroads()
        .args(["run", "--runs", "10", "--quiet", "--out"])
        .arg(&out)
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("SOURCE_DATE_EPOCH"), "{stderr}");
    assert!(!out.exists(), "nothing written");
}

/// Runs small_complete quickly into `out` with `extra` flags.
fn run_small(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    crossroads()
        .arg("run")
        .arg(example("small_complete.toml"))
        .args(["--runs", "50", "--quiet", "--no-charts", "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

#[test]
fn a_result_of_another_scenario_is_replaced_only_with_force() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("result");
    let stderr = |assert: &assert_cmd::assert::Assert| {
        String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
    };
    let first = run_small(&out, &[]).success();
    assert_eq!(stderr(&first), "", "a new folder is written silently");
    // The same scenario again (another seed and run count): replaced, said in one line.
    let again = run_small(&out, &["--seed", "3"]).success();
    assert_eq!(
        stderr(&again),
        format!("note: replacing {}/, an earlier result of the same scenario\n", out.display())
    );
    // A different resolved scenario (as an edited copy that kept its name): refused, folder untouched.
    let before = read(&out.join("scenario.toml"));
    let refused = run_small(&out, &["--set", "scenario.horizon=24"]).code(2);
    let message = stderr(&refused).replace('│', " ").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(message.contains("holds the result of a different scenario"), "{message}");
    assert!(message.contains("pass --force to replace it"), "{message}");
    assert_eq!(read(&out.join("scenario.toml")), before);
    // With --force it is replaced, and said so.
    let forced = run_small(&out, &["--set", "scenario.horizon=24", "--force"]).success();
    assert!(stderr(&forced).contains("the result of a different scenario (--force)"), "{}", stderr(&forced));
    let now = String::from_utf8(read(&out.join("scenario.toml"))).unwrap();
    assert!(now.contains("horizon = 24"), "{now}");
}

#[test]
fn bargain_says_what_the_ends_of_the_scale_mean() {
    let assert = crossroads()
        .args([
            "bargain",
            "scenarios/south_caucasus_2024.toml",
            "--issue",
            "karabakh_return",
            "--rounds",
            "1",
        ])
        .current_dir(repository())
        .assert()
        .success();
    let text = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(text.contains("    0 = Return only as Azerbaijani citizens"), "{text}");
    assert!(text.contains("  100 = Return under international control"), "{text}");
}

#[test]
fn each_subcommand_help_describes_itself() {
    let help = |command: &str| {
        let assert = crossroads().args([command, "--help"]).assert().success();
        String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
    };
    let run = help("run");
    assert!(run.contains("default: the scenario's `runs`") && !run.contains("compare"), "{run}");
    let compare = help("compare");
    assert!(compare.contains("default: the first scenario's `runs`"), "{compare}");
    assert!(
        compare.contains("output/compare-<a>-vs-<b>/") && compare.contains("in every scenario"),
        "{compare}"
    );
    let check = help("check");
    assert!(
        check.contains("default: the bundled South Caucasus 2024 scenario") && check.contains("--wide"),
        "{check}"
    );
}

/// `count(e, from, to)` from the CLI: small_complete's `skirmish_months_2025` counts the months of
/// 2025 (months 0–11) with a skirmish: a whole number from 0 to 12, never more than the skirmishes
/// over the whole horizon, and not 0 in all 50 runs at a 4% monthly hazard.
#[test]
fn a_windowed_count_reaches_runs_csv() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("result");
    run_small(&out, &[]).success();
    let mut reader = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (window, all) = (column("skirmish_months_2025"), column("skirmishes"));
    let mut total = 0.0;
    for row in reader.records() {
        let row = row.unwrap();
        let in_window: f64 = row[window].parse().unwrap();
        let over_horizon: f64 = row[all].parse().unwrap();
        assert!(in_window.fract() == 0.0 && (0.0..=12.0).contains(&in_window), "{row:?}");
        assert!(in_window <= over_horizon, "{row:?}");
        total += in_window;
    }
    assert!(total > 0.0, "no skirmish in 2025 in 50 runs");
}
