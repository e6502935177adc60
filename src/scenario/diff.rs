//! Which assumptions differ between two scenarios (for `crossroads compare`): a diff of their
//! resolved assumption registers — rows added, removed or changed — where each changed row lists the
//! keys of the resolved scenario file that differ, so a changed stake position or link coefficient
//! shows even where the register's one-line summary reads the same.

use serde::Serialize;

use super::load::Loaded;
use super::register::{RegisterEntry, register};

/// How an assumption differs from the baseline's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Only the other scenario has it.
    Added,
    /// Only the baseline has it.
    Removed,
    /// Both have it, with different values.
    Changed,
}

/// One assumption that differs between the baseline and another scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssumptionChange {
    /// The register's kind ("driver", "variable", "event", "actor", "issue", "population",
    /// "outcome"), or "scenario" for the `[scenario]` settings that shape runs (`start`, `horizon`).
    pub kind: String,
    /// The assumption's name ("settings" for the `[scenario]` table).
    pub name: String,
    /// Added, removed or changed.
    pub change: Change,
    /// The baseline's register row, when it has the assumption.
    pub before: Option<RegisterEntry>,
    /// The other scenario's register row, when it has the assumption.
    pub after: Option<RegisterEntry>,
    /// For a changed assumption: the keys of its table that differ, in file order.
    pub keys: Vec<KeyChange>,
}

/// A key of an assumption's table whose value differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyChange {
    /// The dotted key within the assumption's table, e.g. `stakes.azerbaijan.position`.
    pub key: String,
    /// The baseline's value in TOML syntax; `None` when it does not set the key.
    pub before: Option<String>,
    /// The other scenario's value in TOML syntax; `None` when it does not set the key.
    pub after: Option<String>,
}

/// `[scenario]` keys left out of the diff: they name and describe a scenario, or are replaced by the
/// comparison's own `--runs` and `--seed` (the baseline's).
const SCENARIO_KEYS_IGNORED: [&str; 6] = ["name", "title", "description", "runs", "seed", "extends"];

/// The assumptions of `other` that differ from `baseline`'s: the baseline's register order (removed
/// rows where they were), then the rows only `other` has, in its order. The `[scenario]` settings
/// come first when `start` or `horizon` differ. Empty when the scenarios assume the same.
pub fn assumption_changes(baseline: &Loaded, other: &Loaded) -> Vec<AssumptionChange> {
    let (before_register, after_register) = (register(&baseline.scenario), register(&other.scenario));
    // The resolved text was written by the loader and always parses; an empty table is a safe fallback.
    let before_file: toml::Table = baseline.resolved.parse().unwrap_or_default();
    let after_file: toml::Table = other.resolved.parse().unwrap_or_default();
    let mut changes = Vec::new();

    let settings = |file: &toml::Table| {
        let mut keys = leaves_of(file.get("scenario"));
        keys.retain(|(key, _)| !SCENARIO_KEYS_IGNORED.contains(&key.as_str()));
        keys
    };
    let keys = key_changes(&settings(&before_file), &settings(&after_file));
    if !keys.is_empty() {
        changes.push(AssumptionChange {
            kind: "scenario".to_string(),
            name: "settings".to_string(),
            change: Change::Changed,
            before: None,
            after: None,
            keys,
        });
    }

    let table = |file: &toml::Table, entry: &RegisterEntry| {
        let section = file.get(&format!("{}s", entry.kind)).and_then(toml::Value::as_table);
        leaves_of(section.and_then(|s| s.get(&entry.name)))
    };
    let find = |register: &[RegisterEntry], entry: &RegisterEntry| {
        register.iter().find(|e| e.kind == entry.kind && e.name == entry.name).cloned()
    };
    for before in &before_register {
        let change = match find(&after_register, before) {
            None => AssumptionChange {
                kind: before.kind.to_string(),
                name: before.name.clone(),
                change: Change::Removed,
                before: Some(before.clone()),
                after: None,
                keys: Vec::new(),
            },
            Some(after) => {
                let keys = key_changes(&table(&before_file, before), &table(&after_file, &after));
                if keys.is_empty() && *before == after {
                    continue;
                }
                AssumptionChange {
                    kind: before.kind.to_string(),
                    name: before.name.clone(),
                    change: Change::Changed,
                    before: Some(before.clone()),
                    after: Some(after),
                    keys,
                }
            }
        };
        changes.push(change);
    }
    for after in &after_register {
        if find(&before_register, after).is_none() {
            changes.push(AssumptionChange {
                kind: after.kind.to_string(),
                name: after.name.clone(),
                change: Change::Added,
                before: None,
                after: Some(after.clone()),
                keys: Vec::new(),
            });
        }
    }
    changes
}

/// The keys whose values differ between `before` and `after` (dotted key, TOML value), in the
/// order `before` has them, then the keys only `after` has.
fn key_changes(before: &[(String, String)], after: &[(String, String)]) -> Vec<KeyChange> {
    let lookup = |list: &[(String, String)], key: &str| {
        list.iter().find(|(k, _)| k == key).map(|(_, value)| value.clone())
    };
    let mut changes: Vec<KeyChange> = before
        .iter()
        .filter_map(|(key, value)| {
            let now = lookup(after, key);
            (now.as_ref() != Some(value)).then(|| KeyChange {
                key: key.clone(),
                before: Some(value.clone()),
                after: now,
            })
        })
        .collect();
    changes.extend(
        after.iter().filter(|(key, _)| lookup(before, key).is_none()).map(|(key, value)| KeyChange {
            key: key.clone(),
            before: None,
            after: Some(value.clone()),
        }),
    );
    changes
}

/// Every leaf of a table as (dotted key, value in TOML syntax), in file order. Arrays are leaves.
fn leaves_of(value: Option<&toml::Value>) -> Vec<(String, String)> {
    let mut leaves = Vec::new();
    if let Some(toml::Value::Table(table)) = value {
        for (key, value) in table {
            collect_leaves(&bare_or_quoted(key), value, &mut leaves);
        }
    }
    leaves
}

fn collect_leaves(prefix: &str, value: &toml::Value, leaves: &mut Vec<(String, String)>) {
    match value {
        toml::Value::Table(table) if !table.is_empty() => {
            for (key, value) in table {
                collect_leaves(&format!("{prefix}.{}", bare_or_quoted(key)), value, leaves);
            }
        }
        other => leaves.push((prefix.to_string(), other.to_string())),
    }
}

/// A key as written in a dotted key: bare when it can be, else a quoted string.
fn bare_or_quoted(key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        key.to_string()
    } else {
        toml::Value::String(key.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::scenario::load_str;

    const BASE: &str = r#"
[scenario]
name = "base"
title = "Base"
start = "2024-01"
horizon = 12
runs = 100

[drivers.resolve]
beta = { alpha = 8, beta = 3 }
source = "judgement"

[drivers.gone]
bernoulli = 0.3

[variables.tension]
initial = 0.4
target = 0.4
speed = 0.1
links = { resolve = -0.2, "gone * resolve" = 0.1 }

[outcomes.tension_end]
measure = "tension"
"#;

    fn load(text: &str, overrides: &[&str]) -> Loaded {
        let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        load_str("test.toml", text, Path::new("."), &overrides).unwrap_or_else(|e| panic!("{}", e.render()))
    }

    #[test]
    fn a_scenario_against_itself_has_no_changes() {
        let base = load(BASE, &[]);
        assert_eq!(assumption_changes(&base, &base), Vec::new());
        // Name, title, runs and seed are not assumptions the comparison uses.
        let renamed = load(BASE, &["scenario.name=\"other\"", "scenario.runs=5", "scenario.seed=9"]);
        assert_eq!(assumption_changes(&base, &renamed), Vec::new());
    }

    #[test]
    fn rows_added_removed_and_changed_with_their_keys() {
        let base = load(BASE, &[]);
        let variant = BASE
            .replace("[drivers.gone]\nbernoulli = 0.3\n", "[drivers.fresh]\nuniform = { min = 0, max = 1 }\n")
            .replace("\"gone * resolve\"", "\"fresh * resolve\"");
        let variant =
            load(&variant, &["drivers.resolve.beta.alpha=4", "variables.tension.links.resolve=-0.5"]);
        let changes = assumption_changes(&base, &variant);
        let rows: Vec<(&str, &str, Change)> =
            changes.iter().map(|c| (c.kind.as_str(), c.name.as_str(), c.change)).collect();
        assert_eq!(
            rows,
            [
                ("driver", "resolve", Change::Changed),
                ("driver", "gone", Change::Removed),
                ("variable", "tension", Change::Changed),
                ("driver", "fresh", Change::Added),
            ]
        );
        let key = |key: &str, before: Option<&str>, after: Option<&str>| KeyChange {
            key: key.to_string(),
            before: before.map(str::to_string),
            after: after.map(str::to_string),
        };
        assert_eq!(changes[0].keys, [key("beta.alpha", Some("8"), Some("4"))]);
        assert_ne!(changes[0].before, changes[0].after, "the register row shows the new distribution");
        // The register says "2 links" either way; the keys show what changed.
        assert_eq!(
            changes[2].before.as_ref().map(|e| &e.distribution),
            changes[2].after.as_ref().map(|e| &e.distribution)
        );
        assert_eq!(
            changes[2].keys,
            [
                key("links.resolve", Some("-0.2"), Some("-0.5")),
                key("links.\"gone * resolve\"", Some("0.1"), None),
                key("links.\"fresh * resolve\"", None, Some("0.1")),
            ]
        );
    }

    #[test]
    fn horizon_and_start_are_scenario_settings() {
        let base = load(BASE, &[]);
        let longer = load(BASE, &["scenario.horizon=24"]);
        let changes = assumption_changes(&base, &longer);
        assert_eq!(changes.len(), 1);
        assert_eq!((changes[0].kind.as_str(), changes[0].change), ("scenario", Change::Changed));
        assert_eq!(
            changes[0].keys,
            [KeyChange { key: "horizon".into(), before: Some("12".into()), after: Some("24".into()) }]
        );
    }
}
