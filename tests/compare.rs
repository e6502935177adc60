//! `crossroads compare` through the real binary: common random numbers, paired differences,
//! variance reductions, the files, determinism and bad input.

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
use scraper::{Html, Selector};
use serde_json::Value;

fn crossroads() -> Command {
    let mut command = Command::cargo_bin("crossroads").expect("the binary builds");
    command.env("SOURCE_DATE_EPOCH", "1700000000");
    command
}

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn small_complete() -> PathBuf {
    repository().join("scenarios/examples/small_complete.toml")
}

/// small_complete with one driver changed: `mediator_commitment` beta(8, 3) → beta(18, 2).
fn committed_mediator() -> PathBuf {
    repository().join("tests/data/small_complete_committed_mediator.toml")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs `crossroads compare` on `scenarios` with `extra` flags into `out`; returns stdout.
fn compare(scenarios: &[&Path], extra: &[&str], out: &Path) -> String {
    let assert =
        crossroads().arg("compare").args(scenarios).args(extra).arg("--out").arg(out).assert().success();
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

fn summary(out: &Path) -> Value {
    serde_json::from_str(&read(&out.join("summary.json"))).expect("summary.json is JSON")
}

/// A CSV file as its header and rows of fields (no quoted commas in these files' numbers).
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

/// The columns of a CSV file by name.
fn columns(path: &Path) -> BTreeMap<String, Vec<String>> {
    let (header, rows) = csv(path);
    header
        .iter()
        .enumerate()
        .map(|(i, name)| (name.clone(), rows.iter().map(|row| row[i].clone()).collect()))
        .collect()
}

#[test]
fn a_scenario_compared_with_itself_differs_by_exactly_zero() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("self");
    let stdout = compare(&[&small_complete(), &small_complete()], &["--runs", "300", "--quiet"], &out);
    assert!(stdout.is_empty(), "--quiet prints nothing: {stdout}");
    let summary = summary(&out);
    let labels: Vec<&str> =
        summary["scenarios"].as_array().unwrap().iter().map(|s| s["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["small_complete", "small_complete-2"]);
    let outcomes = summary["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 12);
    for outcome in outcomes {
        let d = &outcome["differences"][0];
        assert_eq!(d["difference"], 0.0, "{outcome}");
        assert_eq!((&d["lower"], &d["upper"]), (&Value::from(0.0), &Value::from(0.0)), "{d}");
        assert_eq!(d["standard_error"], 0.0);
        assert_eq!(d["baseline_mean"], d["scenario_mean"]);
        // Pairing removed all the noise (∞), unless the outcome does not vary at all (n/a).
        let constant = outcome["name"] == "months_elapsed";
        let expected = if constant { Value::Null } else { Value::from("infinite") };
        assert_eq!(d["variance_reduction"], expected, "{}", outcome["name"]);
    }
    // first(...) pairs only the runs where the event happened, and says how many.
    let first = outcomes.iter().find(|o| o["name"] == "first_skirmish").unwrap();
    let defined = first["scenarios"][0]["runs"].as_u64().unwrap();
    assert_eq!(first["differences"][0]["pairs"].as_u64(), Some(defined));
    assert!(defined < 300);
    // differences.csv says the same, and both scenarios' runs are identical.
    let differences = columns(&out.join("differences.csv"));
    assert!(differences["difference"].iter().all(|d| d == "0"));
    assert!(differences["lower"].iter().zip(&differences["upper"]).all(|(l, u)| l == "0" && u == "0"));
    assert_eq!(
        read(&out.join("scenarios/small_complete/runs.csv")),
        read(&out.join("scenarios/small_complete-2/runs.csv"))
    );
    let html = read(&out.join("report.html"));
    assert!(html.contains("No assumption differs"), "the assumptions section says so");
}

#[test]
fn changing_one_driver_leaves_every_other_driver_identical_run_by_run() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("mediator");
    let stdout = compare(&[&small_complete(), &committed_mediator()], &["--runs", "1000"], &out);
    let (baseline, variant) = (
        columns(&out.join("scenarios/small_complete/runs.csv")),
        columns(&out.join("scenarios/committed_mediator/runs.csv")),
    );
    let drivers = [
        "patron_fate",
        "patron_change_month",
        "mediator_commitment_alt",
        "border_incidents_base",
        "refugee_count",
        "aid_budget",
        "hawk_election",
        "monitor_quality",
        "economic_shock",
        "talks_start",
        "patience",
    ];
    for driver in drivers {
        assert_eq!(baseline[driver].len(), 1000);
        assert_eq!(baseline[driver], variant[driver], "{driver} differs between the scenarios");
    }
    // The changed driver moved in every run, upwards: inverse-CDF sampling of the same uniform.
    let changed = |c: &BTreeMap<String, Vec<String>>| -> Vec<f64> {
        c["mediator_commitment"].iter().map(|x| x.parse().unwrap()).collect()
    };
    let (before, after) = (changed(&baseline), changed(&variant));
    assert!(before.iter().zip(&after).all(|(b, a)| a != b));
    assert!(before.iter().zip(&after).filter(|(b, a)| a > b).count() > 900);

    // Outcomes downstream of the mediator (skirmish hazard → tension, clashes, returns) gain from
    // the pairing: var(a) + var(b) > var(b − a).
    let summary = summary(&out);
    let reduction = |name: &str| -> f64 {
        let outcome = summary["outcomes"].as_array().unwrap().iter().find(|o| o["name"] == name).unwrap();
        outcome["differences"][0]["variance_reduction"].as_f64().unwrap_or_else(|| panic!("{outcome}"))
    };
    for outcome in ["skirmishes", "first_skirmish", "tension_end", "people_home", "share_home_2026"] {
        assert!(reduction(outcome) > 1.0, "{outcome}: {}", reduction(outcome));
    }
    // The assumptions that differ: that driver only, with its keys.
    let changes = summary["assumptions"][0]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(
        (&changes[0]["kind"], &changes[0]["name"]),
        (&Value::from("driver"), &Value::from("mediator_commitment"))
    );
    let keys: Vec<&str> =
        changes[0]["keys"].as_array().unwrap().iter().map(|k| k["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["beta.alpha", "beta.beta", "source"]);

    // The printed table: every outcome, the difference with its interval, the variance reduction.
    assert!(stdout.contains("committed_mediator − small_complete (95% interval)"), "{stdout}");
    assert!(stdout.contains("var. reduction"), "{stdout}");
    for line in ["skirmishes", "people_home", "first_skirmish"] {
        assert!(stdout.lines().any(|l| l.starts_with(line) && l.contains('×')), "{line}: {stdout}");
    }
    assert!(stdout.contains("paired over"), "first(...) says how many runs pair: {stdout}");
}

#[test]
fn the_difference_is_the_mean_of_the_per_run_differences() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("check");
    compare(&[&small_complete(), &committed_mediator()], &["--runs", "400", "--quiet"], &out);
    let (a, b) = (
        columns(&out.join("scenarios/small_complete/runs.csv")),
        columns(&out.join("scenarios/committed_mediator/runs.csv")),
    );
    let differences = columns(&out.join("differences.csv"));
    for (row, outcome) in differences["outcome"].iter().enumerate() {
        let pairs: Vec<f64> = a[outcome]
            .iter()
            .zip(&b[outcome])
            .filter(|(x, y)| !x.is_empty() && !y.is_empty())
            .map(|(x, y)| y.parse::<f64>().unwrap() - x.parse::<f64>().unwrap())
            .collect();
        let n = pairs.len() as f64;
        let mean = pairs.iter().sum::<f64>() / n;
        let sd = (pairs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let get = |column: &str| differences[column][row].parse::<f64>().unwrap();
        assert_eq!(get("pairs"), n, "{outcome}");
        let tolerance = 1e-9 * (1.0 + mean.abs() + sd);
        assert!((get("difference") - mean).abs() < tolerance, "{outcome}: {} vs {mean}", get("difference"));
        assert!((get("standard_error") - sd / n.sqrt()).abs() < tolerance, "{outcome}");
        let half = 1.959_963_984_540_054 * sd / n.sqrt();
        assert!(
            (get("upper") - (mean + half)).abs() < tolerance
                && (get("lower") - (mean - half)).abs() < tolerance
        );
    }
}

#[test]
fn same_command_twice_gives_identical_files_whatever_the_threads() {
    let root = tempfile::tempdir().unwrap();
    let mut folders = Vec::new();
    for threads in ["1", "2"] {
        let out = root.path().join(format!("threads{threads}"));
        compare(
            &[&small_complete(), &committed_mediator()],
            &["--runs", "200", "--seed", "5", "--threads", threads, "--quiet"],
            &out,
        );
        folders.push(out);
    }
    let files = |dir: &Path| -> Vec<PathBuf> {
        let mut files = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(folder) = stack.pop() {
            for entry in fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path)
                } else {
                    files.push(path.strip_prefix(dir).unwrap().to_path_buf())
                }
            }
        }
        files.sort();
        files
    };
    let (one, two) = (files(&folders[0]), files(&folders[1]));
    assert_eq!(one, two);
    assert!(one.len() > 40, "charts, report and runs: {one:?}");
    for file in &one {
        let (x, y) = (fs::read(folders[0].join(file)).unwrap(), fs::read(folders[1].join(file)).unwrap());
        // report.html included: with SOURCE_DATE_EPOCH set it states neither wall time nor threads.
        assert!(x == y, "{} differs between 1 and 2 threads", file.display());
    }
    let summary = summary(&folders[0]);
    assert_eq!((summary["seed"].as_u64(), summary["runs"].as_u64()), (Some(5), Some(200)));
}

#[test]
fn runs_and_seed_default_to_the_baseline() {
    let root = tempfile::tempdir().unwrap();
    let baseline = root.path().join("baseline.toml");
    let text =
        read(&small_complete()).replace("runs = 2000", "runs = 150").replace("seed = 20250101", "seed = 77");
    fs::write(&baseline, text).unwrap();
    let out = root.path().join("defaults");
    compare(&[&baseline, &committed_mediator()], &["--quiet"], &out);
    let summary = summary(&out);
    assert_eq!((summary["runs"].as_u64(), summary["seed"].as_u64()), (Some(150), Some(77)));
    let runs = read(&out.join("scenarios/committed_mediator/runs.csv"));
    assert_eq!(runs.lines().count(), 1 + 150);
}

#[test]
fn outcomes_are_matched_by_name_and_one_in_only_some_scenarios_is_shown_as_such() {
    let root = tempfile::tempdir().unwrap();
    let extra = root.path().join("extra.toml");
    fs::write(
        &extra,
        format!(
            "[scenario]\nextends = {:?}\nname = \"extra\"\ntitle = \"With an extra outcome\"\n\n\
             [outcomes.patron_left]\nmeasure = \"patron_fate=withdraws\"\n",
            committed_mediator().display().to_string()
        ),
    )
    .unwrap();
    let out = root.path().join("three");
    let stdout = compare(&[&small_complete(), &committed_mediator(), &extra], &["--runs", "200"], &out);
    let summary = summary(&out);
    let outcomes = summary["outcomes"].as_array().unwrap();
    let last = outcomes.last().unwrap();
    assert_eq!(last["name"], "patron_left");
    assert_eq!(last["present_in"], serde_json::json!(["extra"]));
    assert_eq!(last["scenarios"][0], serde_json::json!({"scenario": "small_complete"}));
    assert!(last["differences"].as_array().unwrap().iter().all(|d| d["difference"].is_null()));
    // Two differences per outcome (against the baseline), and the extra one's rows say why they are empty.
    assert_eq!(outcomes[0]["differences"].as_array().unwrap().len(), 2);
    let (_, rows) = csv(&out.join("differences.csv"));
    assert_eq!(rows.len(), 2 * outcomes.len());
    let missing: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "patron_left").collect();
    assert_eq!(missing.len(), 2);
    assert!(missing.iter().all(|r| r.last().unwrap() == "not in small_complete"));
    assert!(stdout.lines().any(|l| l.starts_with("patron_left") && l.contains("only in extra")), "{stdout}");
    // The extra scenario's assumptions: the added outcome.
    let changes = summary["assumptions"][1]["changes"].as_array().unwrap();
    let added: Vec<(&str, &str)> =
        changes.iter().map(|c| (c["change"].as_str().unwrap(), c["name"].as_str().unwrap())).collect();
    assert_eq!(added, [("changed", "mediator_commitment"), ("added", "patron_left")]);
}

#[test]
fn the_default_folder_names_the_scenarios() {
    let root = tempfile::tempdir().unwrap();
    crossroads()
        .current_dir(root.path())
        .args(["compare", "--runs", "50", "--quiet"])
        .args([small_complete(), committed_mediator(), small_complete()])
        .assert()
        .success();
    // The same file twice: its two labels (and so the folder name) are made unique.
    let folder = root.path().join("output/compare-small_complete-vs-committed_mediator-small_complete-2");
    assert!(folder.join("summary.json").is_file());
    assert!(folder.join("scenarios/small_complete-2/runs.csv").is_file());
}

#[test]
fn report_is_valid_self_contained_html_with_every_part() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("report");
    compare(&[&small_complete(), &committed_mediator()], &["--runs", "200", "--quiet"], &out);
    let page = read(&out.join("report.html"));
    let document = Html::parse_document(&page);
    assert_eq!(document.errors, Vec::<std::borrow::Cow<'static, str>>::new(), "HTML5 parse errors");
    let select = |selector: &str| document.select(&Selector::parse(selector).unwrap()).count();
    for tag in ["script", "link", "img", "iframe", "object", "embed", "base", "use", "image"] {
        assert_eq!(select(tag), 0, "<{tag}> in the report");
    }
    let charts = fs::read_dir(out.join("charts"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "svg"));
    let chart_count = charts.count();
    assert!(chart_count >= 20, "{chart_count}");
    assert_eq!(select("figure > svg"), chart_count, "every chart inline");
    assert_eq!(select("#outcomes tbody tr"), 12);
    assert_eq!(select("#differences tbody tr"), 12);
    assert_eq!(select("#assumptions tbody tr"), 1);
    assert_eq!(select("#scenario-files details"), 2);
    assert!(page.contains("2023-11-14 22:13 UTC"), "dated from SOURCE_DATE_EPOCH");
    assert!(!page.contains("Wall time"), "no wall time in a reproducible report");
    // Every table wraps its long cells rather than widening the page (no clipped columns).
    let tables: Vec<_> = document.select(&Selector::parse("table").unwrap()).collect();
    assert!(tables.len() >= 5, "{} tables", tables.len());
    for table in tables {
        assert!(table.value().classes().any(|c| c == "wrap"), "a table without its wrapping style");
    }
    assert!(page.contains("table.wrap td,table.wrap tbody th{overflow-wrap:anywhere}"));
    // The PNGs decode to the chart size.
    let png = fs::File::open(out.join("charts/probabilities.png")).unwrap();
    let info = png::Decoder::new(std::io::BufReader::new(png)).read_info().unwrap().info().clone();
    assert_eq!((info.width, info.height), (1200, 700));
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("never");
    let missing = root.path().join("missing.toml");
    let bad = repository().join("tests/bad/bernoulli_above_one.toml");
    let cases: Vec<(Vec<std::ffi::OsString>, &str)> = vec![
        (vec![small_complete().into(), missing.clone().into()], "missing.toml"),
        (vec![bad.clone().into(), small_complete().into()], "bernoulli"),
        (vec![small_complete().into()], ""),
        (vec![small_complete().into(), committed_mediator().into(), "--runs".into(), "0".into()], "--runs"),
        (
            vec![small_complete().into(), committed_mediator().into(), "--threads".into(), "0".into()],
            "--threads",
        ),
    ];
    for (args, expected) in cases {
        let assert = crossroads().arg("compare").args(&args).arg("--out").arg(&out).assert().code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
    // Two broken files: both are reported.
    let assert = crossroads().arg("compare").arg(&missing).arg(&bad).arg("--out").arg(&out).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("missing.toml") && stderr.contains("bernoulli"), "{stderr}");
    // A folder that is not a crossroads result is never replaced.
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    crossroads()
        .arg("compare")
        .args([small_complete(), committed_mediator()])
        .args(["--runs", "20", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    assert_eq!(fs::read_dir(&out).unwrap().count(), 1);
    assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1, "no temporary folder left");
}

/// The shipped variants against the default scenario: each changes one driver; every other driver
/// draws the same values run by run, and every outcome the change measurably moves (its paired 95%
/// interval excludes 0) has a variance reduction above 1.
#[test]
fn shipped_variants_pair_with_the_default_and_the_pairing_pays() {
    let default = repository().join("scenarios/south_caucasus_2024.toml");
    for (variant, driver) in
        [("frozen_war", "russia_war_exit"), ("turkey_guarantee_weak", "turkey_guarantee_credibility")]
    {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join(variant);
        let file = repository().join(format!("scenarios/variants/{variant}.toml"));
        compare(&[&default, &file], &["--runs", "1000", "--quiet"], &out);
        let (a, b) = (
            columns(&out.join("scenarios/south_caucasus_2024/runs.csv")),
            columns(&out.join(format!("scenarios/{variant}/runs.csv"))),
        );
        let summary = summary(&out);
        let changes = summary["assumptions"][0]["changes"].as_array().unwrap();
        let changed: Vec<&str> = changes.iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(changed, [driver], "{variant}");
        let outcomes: Vec<&str> =
            summary["outcomes"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
        let (header, _) = csv(&out.join("scenarios/south_caucasus_2024/runs.csv"));
        let drivers: Vec<&String> =
            header.iter().skip(1).filter(|name| !outcomes.contains(&name.as_str())).collect();
        assert_eq!(drivers.len(), 8, "{drivers:?}");
        for name in drivers.iter().filter(|name| name.as_str() != driver) {
            assert_eq!(a[*name], b[*name], "{variant}: driver {name} differs");
        }
        assert_ne!(a[driver], b[driver]);
        let mut moved = 0;
        for outcome in summary["outcomes"].as_array().unwrap() {
            let d = &outcome["differences"][0];
            let (lower, upper) = (d["lower"].as_f64().unwrap(), d["upper"].as_f64().unwrap());
            if lower > 0.0 || upper < 0.0 {
                moved += 1;
                let factor = d["variance_reduction"].as_f64();
                assert!(factor.is_some_and(|f| f > 1.0), "{variant}: {} {d}", outcome["name"]);
            }
        }
        assert!(moved >= 3, "{variant} moves several outcomes measurably: {moved}");
    }
}

#[test]
fn scenarios_sharing_a_name_are_labelled_by_file_name() {
    let root = tempfile::tempdir().unwrap();
    let copy = root.path().join("my_copy.toml");
    fs::copy(small_complete(), &copy).unwrap();
    let out = root.path().join("result");
    compare(&[&small_complete(), &copy], &["--runs", "50", "--quiet", "--no-charts"], &out);
    let labels: Vec<String> = summary(&out)["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(labels, ["small_complete", "my_copy"]);
    assert!(out.join("scenarios/my_copy/scenario.toml").is_file());
    // The default folder is named by the labels too.
    let assert = crossroads()
        .current_dir(root.path())
        .arg("compare")
        .args([small_complete().as_path(), copy.as_path()])
        .args(["--runs", "20", "--quiet", "--no-charts"])
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&assert.get_output().stderr).is_empty());
    assert!(root.path().join("output/compare-small_complete-vs-my_copy/summary.json").is_file());
}

#[test]
fn compare_set_applies_to_every_scenario_and_no_charts_skips_charts() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("result");
    let flags = ["--runs", "50", "--quiet", "--no-charts", "--set", "scenario.horizon=24"];
    compare(&[&small_complete(), &committed_mediator()], &flags, &out);
    for label in ["small_complete", "committed_mediator"] {
        let resolved = read(&out.join("scenarios").join(label).join("scenario.toml"));
        assert!(resolved.contains("horizon = 24"), "{label}: {resolved}");
    }
    assert!(!out.join("charts").exists() && !out.join("report.html").exists());
    // The same comparison again replaces it and says so; another --set is another comparison.
    let again = crossroads()
        .arg("compare")
        .args([small_complete(), committed_mediator()])
        .args(flags)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&again.get_output().stderr).into_owned();
    assert!(stderr.contains("an earlier result of the same scenario"), "{stderr}");
    crossroads()
        .arg("compare")
        .args([small_complete(), committed_mediator()])
        .args(["--runs", "50", "--quiet", "--no-charts", "--set", "scenario.horizon=30", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    assert!(read(&out.join("scenarios/small_complete/scenario.toml")).contains("horizon = 24"));
}
