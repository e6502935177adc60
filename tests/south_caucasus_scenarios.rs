//! The shipped South Caucasus scenarios (issue 5): every assumption carries a description, a unit and
//! a source, and each variant changes only what its name says, compared on the resolved scenarios.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
use std::path::{Path, PathBuf};

use crossroads::scenario::{About, Scenario, SourcesPage, citations, load_file};

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn load(relative: &str) -> Scenario {
    let path = scenarios_dir().join(relative);
    match load_file(&path, &[]) {
        Ok(loaded) => loaded.scenario,
        Err(error) => panic!("{relative} does not load: {error:?}"),
    }
}

/// The South Caucasus files: the two baselines, the look-back and every variant.
fn south_caucasus_files() -> Vec<String> {
    let mut files = vec![
        "south_caucasus_2024.toml".to_string(),
        "south_caucasus_2024_lookback.toml".to_string(),
        "south_caucasus_2024_evidence.toml".to_string(),
        "south_caucasus_2026.toml".to_string(),
    ];
    let mut variants: Vec<String> = std::fs::read_dir(scenarios_dir().join("variants"))
        .expect("scenarios/variants is readable")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .map(|name| format!("variants/{name}"))
        .collect();
    variants.sort();
    files.extend(variants);
    files
}

/// Every assumption of a scenario as (kind, name, about).
fn assumptions(scenario: &Scenario) -> Vec<(&'static str, &str, &About)> {
    let mut all = Vec::new();
    all.extend(scenario.drivers.iter().map(|d| ("driver", d.name.as_str(), &d.about)));
    all.extend(scenario.variables.iter().map(|v| ("variable", v.name.as_str(), &v.about)));
    all.extend(scenario.events.iter().map(|e| ("event", e.name.as_str(), &e.about)));
    all.extend(scenario.actors.iter().map(|a| ("actor", a.name.as_str(), &a.about)));
    all.extend(scenario.issues.iter().map(|i| ("issue", i.name.as_str(), &i.about)));
    all.extend(scenario.populations.iter().map(|p| ("population", p.name.as_str(), &p.about)));
    all
}

#[test]
fn every_assumption_has_a_description_a_unit_and_a_source() {
    let files = south_caucasus_files();
    assert!(files.len() >= 10, "{files:?}");
    let mut missing = Vec::new();
    for file in &files {
        let scenario = load(file);
        for (kind, name, about) in assumptions(&scenario) {
            for (field, value) in
                [("description", &about.description), ("unit", &about.unit), ("source", &about.source)]
            {
                if value.as_deref().is_none_or(|text| text.trim().is_empty()) {
                    missing.push(format!("{file}: {kind} {name} has no {field}"));
                }
            }
        }
        // A rank correlation has no unit and its pair names what it is: it needs its source.
        for pair in &scenario.correlations.pairs {
            if pair.about.source.as_deref().is_none_or(|text| text.trim().is_empty()) {
                missing.push(format!("{file}: correlation {} ~ {} has no source", pair.first, pair.second));
            }
        }
        for outcome in &scenario.outcomes {
            if outcome.about.description.is_none() || outcome.about.unit.is_none() {
                missing.push(format!("{file}: outcome {} lacks a description or unit", outcome.name));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The assumptions whose model content (everything but description, unit and source) differs between
/// two scenarios, as "kind name"; an assumption present in only one of them counts as differing.
fn changed(base: &Scenario, other: &Scenario) -> Vec<String> {
    fn diff<T: Clone + PartialEq>(
        kind: &str,
        base: &[T],
        other: &[T],
        name: impl Fn(&T) -> &str,
        bare: impl Fn(&T) -> T,
    ) -> Vec<String> {
        let mut out = Vec::new();
        for item in other {
            let same = base.iter().find(|b| name(b) == name(item)).is_some_and(|b| bare(b) == bare(item));
            if !same {
                out.push(format!("{kind} {}", name(item)));
            }
        }
        for item in base {
            if !other.iter().any(|o| name(o) == name(item)) {
                out.push(format!("{kind} {} (removed)", name(item)));
            }
        }
        out
    }
    /// A copy without description, unit and source.
    macro_rules! bare {
        ($item:expr) => {{
            let mut item = $item.clone();
            item.about = About::default();
            item
        }};
    }
    let mut all = Vec::new();
    all.extend(diff("driver", &base.drivers, &other.drivers, |d| &d.name, |d| bare!(d)));
    all.extend(diff("variable", &base.variables, &other.variables, |v| &v.name, |v| bare!(v)));
    all.extend(diff("event", &base.events, &other.events, |e| &e.name, |e| bare!(e)));
    all.extend(diff("actor", &base.actors, &other.actors, |a| &a.name, |a| bare!(a)));
    all.extend(diff("issue", &base.issues, &other.issues, |i| &i.name, |i| bare!(i)));
    all.extend(diff("population", &base.populations, &other.populations, |p| &p.name, |p| bare!(p)));
    all.extend(diff("outcome", &base.outcomes, &other.outcomes, |o| &o.name, |o| o.clone()));
    let pairs = |s: &Scenario| -> Vec<(String, String, f64)> {
        s.correlations.pairs.iter().map(|p| (p.first.clone(), p.second.clone(), p.spearman)).collect()
    };
    if pairs(base) != pairs(other) || base.correlations.repair != other.correlations.repair {
        all.push("correlations".to_string());
    }
    all.sort();
    all
}

#[test]
fn each_variant_changes_only_what_its_name_says() {
    let base = load("south_caucasus_2024.toml");
    let expected: &[(&str, &[&str])] = &[
        ("variants/correlated_drivers.toml", &["correlations", "driver russia_war_exit"]),
        ("variants/russia_collapse.toml", &["driver russia_war_exit"]),
        ("variants/russia_gains.toml", &["driver russia_war_exit"]),
        ("variants/frozen_war.toml", &["driver russia_war_exit"]),
        ("variants/turkey_guarantee_weak.toml", &["driver turkey_guarantee_credibility"]),
        ("variants/unified_army.toml", &["event unified_army"]),
        ("variants/return_international_control.toml", &["issue karabakh_return"]),
        ("variants/return_reciprocal.toml", &["issue karabakh_return", "issue zangezur_return"]),
        (
            "variants/analogue_cyprus.toml",
            &["issue karabakh_return", "outcome armenians_home_share_5y", "variable international_presence"],
        ),
        (
            "variants/analogue_kosovo.toml",
            &["issue karabakh_return", "outcome armenians_home_share_5y", "variable international_presence"],
        ),
        (
            "variants/analogue_bosnia.toml",
            &["issue karabakh_return", "outcome armenians_home_share_5y", "variable international_presence"],
        ),
    ];
    for (file, names) in expected {
        let variant = load(file);
        assert_eq!(variant.meta.start, base.meta.start, "{file}");
        assert_eq!(variant.meta.horizon, base.meta.horizon, "{file}");
        assert_eq!(variant.meta.seed, base.meta.seed, "{file}: variants share the default's seed");
        assert_eq!(changed(&base, &variant), names.to_vec(), "{file}");
    }
    // Every variant file in the folder is covered above.
    for file in south_caucasus_files().iter().filter(|f| f.starts_with("variants/")) {
        assert!(expected.iter().any(|(name, _)| name == file), "{file} has no expectation here");
    }
}

#[test]
fn the_lookback_only_adds_outcomes_before_2026_06() {
    let base = load("south_caucasus_2024.toml");
    let lookback = load("south_caucasus_2024_lookback.toml");
    let changes = changed(&base, &lookback);
    assert!(!changes.is_empty());
    for change in &changes {
        assert!(change.starts_with("outcome lookback_"), "{change}");
    }
    // 2026-05 is month 28 after 2024-01.
    for outcome in lookback.outcomes.iter().filter(|o| o.name.starts_with("lookback_")) {
        assert!(outcome.at.is_some_and(|at| at <= 28), "{}", outcome.name);
    }
}

#[test]
fn the_evidence_file_only_adds_sourced_evidence_before_2026_06() {
    let base = load("south_caucasus_2024.toml");
    let conditioned = load("south_caucasus_2024_evidence.toml");
    assert_eq!(changed(&base, &conditioned), Vec::<String>::new());
    assert!(conditioned.evidence.len() >= 5);
    for item in &conditioned.evidence {
        // 2026-05 is month 28 after 2024-01: only what had happened by then.
        let windows_end = item.observe.factors.iter().all(|f| match f {
            crossroads::scenario::Factor::Within(_, _, window) => window.to <= 28,
            _ => false,
        });
        assert!(item.at.is_some_and(|at| at <= 28) || (item.at.is_none() && windows_end), "{}", item.name);
        assert!(item.about.description.is_some() && item.about.unit.is_some(), "{}", item.name);
        assert!(
            item.about.source.as_deref().is_some_and(|s| s.contains("docs/sources.md#")),
            "{}",
            item.name
        );
    }
}

#[test]
fn the_2026_baseline_starts_in_december_2026_with_the_election_as_a_driver() {
    let base = load("south_caucasus_2024.toml");
    let later = load("south_caucasus_2026.toml");
    assert_eq!(later.meta.start.to_string(), "2026-12");
    assert_eq!(later.meta.horizon, 120);
    assert!(later.drivers.iter().any(|d| d.name == "armenia_election"));
    // Same mechanisms: every event, issue and population of 2024 is still there.
    for event in &base.events {
        assert!(later.events.iter().any(|e| e.name == event.name), "{}", event.name);
    }
    for issue in &base.issues {
        assert!(later.issues.iter().any(|i| i.name == issue.name), "{}", issue.name);
    }
}

/// Every shipped scenario file (South Caucasus, variants and examples), relative to scenarios/.
fn every_shipped_file() -> Vec<String> {
    let mut files = south_caucasus_files();
    files.extend(["examples/small_complete.toml".to_string(), "examples/ec_car_emissions.toml".to_string()]);
    files
}

/// What is wrong with the citations of the shipped scenarios and the guide against this sources
/// page: a `source` that cites no `docs/sources.md#anchor`, or cites an anchor the page lacks.
fn citation_problems(sources_md: &str) -> Vec<String> {
    let page = SourcesPage::parse(sources_md);
    let mut problems = Vec::new();
    for file in every_shipped_file() {
        let scenario = load(&file);
        let outcomes = scenario.outcomes.iter().map(|o| ("outcome", o.name.as_str(), &o.about));
        let evidence = scenario.evidence.iter().map(|e| ("evidence", e.name.as_str(), &e.about));
        for (kind, name, about) in assumptions(&scenario).into_iter().chain(outcomes).chain(evidence) {
            let Some(source) = about.source.as_deref() else { continue };
            if citations(source).is_empty() {
                problems.push(format!("{file}: {kind} {name}: the source cites no docs/sources.md#anchor"));
            }
            for anchor in page.missing(source) {
                problems.push(format!(
                    "{file}: {kind} {name} cites docs/sources.md#{anchor}, which does not exist"
                ));
            }
        }
    }
    let guide = std::fs::read_to_string(scenarios_dir().join("README.md")).unwrap();
    for anchor in page.missing(&guide) {
        problems.push(format!("scenarios/README.md cites docs/sources.md#{anchor}, which does not exist"));
    }
    problems
}

fn sources_md() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/sources.md")).unwrap()
}

#[test]
fn every_source_cites_anchors_that_exist_in_docs_sources_md() {
    let problems = citation_problems(&sources_md());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The page built into the binary (report.html copies cited entries from it) is this file.
    assert_eq!(SourcesPage::bundled(), SourcesPage::parse(&sources_md()));
}

#[test]
fn a_cited_anchor_missing_from_docs_sources_md_fails_the_check() {
    let page = sources_md();
    let without = page.replace("<a id=\"shusha-declaration\"></a>\n", "");
    assert_ne!(without, page, "the page has the anchor to remove");
    let problems = citation_problems(&without);
    assert!(
        problems.iter().any(|p| p.starts_with("south_caucasus_2024.toml: driver turkey_guarantee_credibility cites docs/sources.md#shusha-declaration, which does not exist")),
        "{}",
        problems.join("\n")
    );
    assert!(problems.iter().all(|p| p.contains("shusha-declaration")), "{}", problems.join("\n"));
}
