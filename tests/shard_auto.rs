//! `crossroads run --shard auto` through the real binary: under each launcher's variables the shards
//! merge to the one-process folder, the stderr line names the launcher, and an environment without
//! a launcher (or with inconsistent values) is bad input that writes nothing. The detection itself
//! is unit-tested in `engine::shard_env`; the real Slurm path is `tests/slurm/run.sh`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]

use std::fs;
use std::path::Path;

use assert_cmd::Command;

/// Every variable `--shard auto` reads, so the tests see only what they set (even when the suite
/// itself runs inside a Slurm job or an MPI launcher).
const LAUNCHER_VARIABLES: [&str; 13] = [
    "SLURM_JOB_ID",
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_STEP",
    "SLURM_ARRAY_TASK_COUNT",
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
    "AWS_BATCH_JOB_ARRAY_SIZE",
    "BATCH_TASK_INDEX",
    "BATCH_TASK_COUNT",
    "OMPI_COMM_WORLD_RANK",
    "OMPI_COMM_WORLD_SIZE",
];

/// `crossroads` with no launcher variables set; 192 runs (three chunks) of the default scenario.
fn crossroads(env: &[(&str, String)]) -> Command {
    let mut command = Command::cargo_bin("crossroads").expect("the binary builds");
    for variable in LAUNCHER_VARIABLES {
        command.env_remove(variable);
    }
    command.env("SOURCE_DATE_EPOCH", "1700000000");
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                found.push((name, fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
}

/// Each launcher's variables for shard `index` of `count`, and the `--shard` value to use.
fn launcher_env(launcher: &str, index: u64, count: u64) -> (Vec<(&'static str, String)>, String) {
    let (i, n) = (index.to_string(), count.to_string());
    match launcher {
        // A 1-based array, as `sbatch --array=1-N` gives: ID − MIN is the shard.
        "Slurm job array" => (
            vec![
                ("SLURM_JOB_ID", "41".into()),
                ("SLURM_ARRAY_TASK_ID", (index + 1).to_string()),
                ("SLURM_ARRAY_TASK_MIN", "1".into()),
                ("SLURM_ARRAY_TASK_MAX", n.clone()),
                ("SLURM_ARRAY_TASK_STEP", "1".into()),
                ("SLURM_ARRAY_TASK_COUNT", n),
            ],
            "auto".into(),
        ),
        "Kubernetes Indexed Job" => (vec![("JOB_COMPLETION_INDEX", i)], format!("auto/{count}")),
        "AWS Batch array job" => {
            (vec![("AWS_BATCH_JOB_ARRAY_INDEX", i), ("AWS_BATCH_JOB_ARRAY_SIZE", n)], "auto".into())
        }
        "Google Cloud Batch" => (vec![("BATCH_TASK_INDEX", i), ("BATCH_TASK_COUNT", n)], "auto".into()),
        "Open MPI" => (vec![("OMPI_COMM_WORLD_RANK", i), ("OMPI_COMM_WORLD_SIZE", n)], "auto".into()),
        other => unreachable!("{other}"),
    }
}

#[test]
fn shards_found_by_each_launcher_merge_to_the_one_process_folder() {
    let root = tempfile::tempdir().unwrap();
    let one = root.path().join("one");
    crossroads(&[])
        .args(["run", "--runs", "192", "--no-charts", "--quiet", "--out"])
        .arg(&one)
        .assert()
        .success();
    let expected = files(&one);
    assert!(expected.iter().any(|(name, _)| name == "summary.json"));
    for launcher in
        ["Slurm job array", "Kubernetes Indexed Job", "AWS Batch array job", "Google Cloud Batch", "Open MPI"]
    {
        let count = 3;
        let mut shards = Vec::new();
        for index in (0..count).rev() {
            let (env, shard) = launcher_env(launcher, index, count);
            let out = root.path().join(format!("{launcher}-{index}"));
            let assert = crossroads(&env)
                .args(["run", "--runs", "192", "--quiet", "--shard", &shard, "--out"])
                .arg(&out)
                .assert()
                .success();
            let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
            assert!(
                stderr.contains(&format!("shard {index}/{count} from the {launcher}")),
                "{launcher}: {stderr}"
            );
            shards.push(out);
        }
        let merged = root.path().join(format!("{launcher}-merged"));
        crossroads(&[])
            .arg("merge")
            .args(&shards)
            .args(["--no-charts", "--quiet", "--out"])
            .arg(&merged)
            .assert()
            .success();
        assert!(
            files(&merged) == expected,
            "{launcher}: the merged folder differs from the one-process folder"
        );
    }
}

/// Runs `--shard SHARD` under `env`, expects exit 2 with `expected` on stderr and nothing written.
fn refused(env: &[(&str, String)], shard: &str, expected: &[&str]) {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("shard");
    let assert = crossroads(env)
        .args(["run", "--runs", "192", "--quiet", "--shard", shard, "--out"])
        .arg(&out)
        .assert()
        .code(2);
    // miette wraps long lines: compare with the words joined by single spaces.
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr)
        .split_whitespace()
        .filter(|word| *word != "│")
        .collect::<Vec<_>>()
        .join(" ");
    for text in expected {
        assert!(stderr.contains(text), "expected {text:?} in:\n{stderr}");
    }
    assert!(
        fs::read_dir(root.path()).unwrap().next().is_none(),
        "something was written for {shard} under {env:?}"
    );
}

#[test]
fn no_launcher_or_inconsistent_values_are_bad_input() {
    refused(&[], "auto", &["--shard auto found no job array", "SLURM_ARRAY_TASK_ID", "--shard I/N"]);
    refused(&[("SLURM_JOB_ID", "9".into())], "auto", &["not an array task", "--array"]);
    refused(&[("JOB_COMPLETION_INDEX", "1".into())], "auto", &["does not say how many shards", "auto/N"]);
    refused(&[("JOB_COMPLETION_INDEX", "3".into())], "auto/3", &["shard index 3", "only 3 shards"]);
    refused(
        &[("BATCH_TASK_INDEX", "0".into()), ("BATCH_TASK_COUNT", "2".into())],
        "auto/3",
        &["--shard auto/3 says 3 shards, but BATCH_TASK_COUNT=2"],
    );
    refused(
        &[("OMPI_COMM_WORLD_RANK", "one".into()), ("OMPI_COMM_WORLD_SIZE", "2".into())],
        "auto",
        &["OMPI_COMM_WORLD_RANK=\"one\" is not a whole number"],
    );
    refused(
        &[
            ("SLURM_ARRAY_TASK_ID", "3".into()),
            ("SLURM_ARRAY_TASK_MIN", "1".into()),
            ("SLURM_ARRAY_TASK_MAX", "7".into()),
            ("SLURM_ARRAY_TASK_COUNT", "3".into()),
        ],
        "auto",
        &["not one evenly spaced range", "--array=0-15"],
    );
    refused(
        &[
            ("BATCH_TASK_INDEX", "0".into()),
            ("BATCH_TASK_COUNT", "2".into()),
            ("OMPI_COMM_WORLD_RANK", "1".into()),
            ("OMPI_COMM_WORLD_SIZE", "2".into()),
        ],
        "auto",
        &["two launchers disagree", "Google Cloud Batch", "Open MPI"],
    );
}
