//! The JSON Schema for editors: the shipped file is exactly what `crossroads schema` prints, every
//! shipped scenario validates against it (decoded from TOML to JSON, as Taplo does), and every
//! file of the bad-scenario corpus whose mistake one file alone shows (an unknown key, a wrong type,
//! a missing value, a value out of range) fails it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn schema_output() -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_crossroads")).arg("schema").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let shipped = std::fs::read_to_string("schema/crossroads.schema.json").unwrap();
    assert_eq!(
        text, shipped,
        "schema/crossroads.schema.json is stale: run `crossroads schema > schema/crossroads.schema.json`"
    );
    serde_json::from_str(&text).unwrap()
}

fn validator() -> jsonschema::Validator {
    let schema = schema_output();
    jsonschema::draft4::new(&schema).expect("the schema is valid Draft 4")
}

fn toml_files(folder: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            toml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

/// The file as JSON, or None when it is not TOML at all (a syntax error is not the schema's).
fn as_json(path: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap();
    toml::from_str::<serde_json::Value>(&text).ok()
}

#[test]
fn the_shipped_schema_is_what_crossroads_schema_prints() {
    let schema = schema_output();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
}

#[test]
fn every_shipped_scenario_validates() {
    let validator = validator();
    let mut files = Vec::new();
    toml_files(Path::new("scenarios"), &mut files);
    toml_files(Path::new("examples"), &mut files);
    assert!(files.len() >= 5, "{files:?}");
    for file in &files {
        let json = as_json(file).unwrap_or_else(|| panic!("{} is TOML", file.display()));
        let errors: Vec<String> =
            validator.iter_errors(&json).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{}:\n{}", file.display(), errors.join("\n"));
    }
}

/// Bad files whose mistake the schema shows: an unknown key or section, a wrong type, a missing
/// value, a value outside its range or allowed values, two distribution forms or triggers.
const SCHEMA_LEVEL: &[&str] = &[
    "agents_zero",
    "bernoulli_above_one",
    "decimal_instead_of_whole",
    "distribution_missing_parameter",
    "driver_without_distribution",
    "effect_two_operations",
    "event_without_trigger",
    "experiment_unknown_design",
    "horizon_too_long",
    "horizon_zero",
    "invalid_assumption_name",
    "issue_unknown_model",
    "lognormal_mixed_forms",
    "missing_scenario_table",
    "outcome_without_measure",
    "probability_above_one",
    "runs_zero",
    "scenario_name_invalid",
    "start_not_a_month",
    "start_unquoted_date",
    "string_instead_of_number",
    "two_distributions",
    "unknown_distribution",
    "unknown_key_in_driver",
    "unknown_key_in_scenario",
    "unknown_section",
];

#[test]
fn schema_level_mistakes_of_the_bad_corpus_fail_it() {
    let validator = validator();
    let mut passed = Vec::new();
    for name in SCHEMA_LEVEL {
        let path = Path::new("tests/bad").join(format!("{name}.toml"));
        let json = as_json(&path).unwrap_or_else(|| panic!("{} is TOML", path.display()));
        if validator.is_valid(&json) {
            passed.push(*name);
        }
    }
    assert!(passed.is_empty(), "these schema-level mistakes pass the schema: {passed:?}");
}
