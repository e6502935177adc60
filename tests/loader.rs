//! The loader's public API: `extends`, `--set`, the resolved text, term resolution, the register.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
use std::path::Path;

use crossroads::scenario::{
    Distribution, Factor, Function, Quantity, Trigger, Window, load_file, load_str, register, render_register,
};

const SMALL: &str = "scenarios/examples/small_complete.toml";
const EC: &str = "scenarios/examples/ec_car_emissions.toml";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sets(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn examples_load_and_use_every_term_kind() {
    let loaded = load_file(&root().join(SMALL), &[]).expect("small_complete loads");
    let s = &loaded.scenario;
    assert_eq!(s.meta.name, "small_complete");
    assert_eq!((s.meta.horizon, s.meta.runs, s.meta.seed), (36, 2000, 20250101));
    let mut kinds = std::collections::HashSet::new();
    let terms = s
        .variables
        .iter()
        .flat_map(|v| &v.links)
        .chain(s.events.iter().flat_map(|e| match &e.trigger {
            Trigger::Hazard { links, .. } => links.as_slice(),
            _ => &[],
        }))
        .chain(s.issues.iter().filter_map(|i| i.agreement.as_ref()).flat_map(|a| &a.links))
        .chain(s.populations.iter().flat_map(|p| &p.links))
        .map(|l| &l.term)
        .chain(s.outcomes.iter().map(|o| &o.measure));
    for term in terms {
        for factor in &term.factors {
            // A factor kind: its variant, and for a call the function.
            kinds.insert((std::mem::discriminant(factor), factor.function()));
        }
    }
    // Driver, driver=outcome, variable, active event, month, and each function.
    let all = 5 + Function::ALL.len();
    assert_eq!(kinds.len(), all, "every one of the {all} factor kinds is used");
    let forms: std::collections::HashSet<_> =
        s.drivers.iter().map(|d| std::mem::discriminant(&d.distribution)).collect();
    assert_eq!(forms.len(), 10, "every distribution form is used");

    let ec = load_file(&root().join(EC), &[]).expect("ec_car_emissions loads");
    let issue = &ec.scenario.issues[0];
    assert_eq!(issue.scale, (4.0, 10.0));
    assert_eq!(issue.stakes.len(), 10);
    assert_eq!(ec.scenario.actors[0].capability, Quantity::Drawn(Distribution::Fixed(0.08)));
    assert_eq!(issue.stakes[1].actor, "belgium", "file order is kept");
}

#[test]
fn bare_names_resolve_by_kind() {
    let loaded = load_file(&root().join(SMALL), &[]).expect("loads");
    let s = &loaded.scenario;
    let aid = s.outcomes.iter().find(|o| o.name == "aid_when_skirmish_active").expect("outcome");
    assert_eq!(
        aid.measure.factors,
        vec![Factor::Driver("aid_budget".into()), Factor::Active("skirmish".into())]
    );
    let tension = s.outcomes.iter().find(|o| o.name == "tension_end").expect("outcome");
    assert_eq!(tension.measure.factors, vec![Factor::Variable("tension".into())]);
    let window = s.outcomes.iter().find(|o| o.name == "skirmish_months_2025").expect("outcome");
    assert_eq!(
        window.measure.factors,
        vec![Factor::Within(Function::CountWithin, "skirmish".into(), Window { from: 0, to: 11 })]
    );
    assert_eq!(window.measure.to_string(), "count(skirmish, 0, 11)");
    let share = s.outcomes.iter().find(|o| o.name == "share_home_2026").expect("outcome");
    assert_eq!(share.at, Some(17), "2026-06 is 17 months after 2025-01");
}

#[test]
fn resolved_text_loads_back_to_the_same_scenario() {
    for (file, overrides) in [
        (SMALL, sets(&[])),
        (EC, sets(&[])),
        (SMALL, sets(&["drivers.mediator_commitment.beta.alpha=4", "scenario.horizon=60"])),
    ] {
        let loaded = load_file(&root().join(file), &overrides).expect("loads");
        let again = load_str("scenario.toml", &loaded.resolved, root(), &[])
            .unwrap_or_else(|e| panic!("{file}: resolved text fails:\n{}\n{}", e.render(), loaded.resolved));
        assert_eq!(again.scenario, loaded.scenario, "{file}");
        assert!(!loaded.resolved.contains("extends"));
    }
}

#[test]
fn set_overrides_values_and_replaces_distribution_forms() {
    let overrides = sets(&[
        "drivers.mediator_commitment.beta.alpha=4",
        "scenario.horizon=60",
        "drivers.monitor_quality.triangular={min=0.1, mode=0.3, max=0.5}",
        "variables.tension.noise=0",
    ]);
    let loaded = load_file(&root().join(SMALL), &overrides).expect("loads");
    let s = &loaded.scenario;
    assert_eq!(s.meta.horizon, 60);
    let driver = |name: &str| s.drivers.iter().find(|d| d.name == name).expect("driver").distribution.clone();
    assert_eq!(driver("mediator_commitment"), Distribution::Beta { alpha: 4.0, beta: 3.0 });
    assert_eq!(driver("monitor_quality"), Distribution::Triangular { min: 0.1, mode: 0.3, max: 0.5 });
    assert_eq!(s.variables[0].noise, 0.0);
    assert!(loaded.resolved.contains("beta = { alpha = 4, beta = 3 }"), "{}", loaded.resolved);
}

#[test]
fn set_errors_name_their_argument() {
    let error = load_file(&root().join(SMALL), &sets(&["scenario.horizon=60", "scenario.runs=0"]))
        .expect_err("runs = 0 is bad");
    let location = error.diagnostics()[0].location().expect("located").to_string();
    assert_eq!(location, "--set #2:1:15");
}

#[test]
fn extends_merges_tables_and_replaces_values() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let parent = root().join(SMALL);
    let variant = format!(
        r#"[scenario]
extends = {parent:?}
name = "small_variant"
horizon = 48

[drivers.mediator_commitment]
uniform = {{ min = 0.1, max = 0.9 }}
source = "A variant's judgement"

[outcomes.extra]
measure = "month"
"#
    );
    let path = dir.path().join("variant.toml");
    std::fs::write(&path, variant).expect("write the variant");
    let loaded = load_file(&path, &[]).expect("the variant loads");
    let s = &loaded.scenario;
    assert_eq!(s.meta.name, "small_variant");
    assert_eq!(s.meta.horizon, 48);
    assert_eq!(s.meta.title, "Small complete example: a border dispute with a mediator", "inherited");
    let driver = s.drivers.iter().find(|d| d.name == "mediator_commitment").expect("driver");
    assert_eq!(driver.distribution, Distribution::Uniform { min: 0.1, max: 0.9 }, "form replaced");
    assert_eq!(driver.about.description.as_deref(), Some("Mediator's commitment to the talks, 0–1"));
    assert_eq!(driver.about.source.as_deref(), Some("A variant's judgement"));
    assert_eq!(s.drivers[2].name, "mediator_commitment", "parent order kept");
    assert_eq!(s.outcomes.last().map(|o| o.name.as_str()), Some("extra"));

    // An error in the variant points into the variant; one in the parent into the parent.
    std::fs::write(&path, format!("[scenario]\nextends = {parent:?}\nhorizon = 0\n")).expect("write");
    let error = load_file(&path, &[]).expect_err("horizon 0");
    let location = error.diagnostics()[0].location().expect("located");
    assert_eq!((location.line, location.column), (3, 11));
    assert!(location.origin.ends_with("variant.toml"));
}

#[test]
fn load_str_names_its_origin() {
    let text = "[scenario]\nname = \"x\"\nstart = \"2024-01\"\nhorizon = 0\n";
    let error = load_str("<bundled default>", text, Path::new("."), &[]).expect_err("horizon 0");
    assert!(error.render().contains("<bundled default>:4:11"), "{}", error.render());
    assert!(error.to_string().contains("`<bundled default>`"));
    let ok = load_str("<bundled default>", &text.replace("= 0", "= 12"), Path::new("."), &[]).expect("ok");
    assert_eq!(ok.origin, "<bundled default>");
    assert_eq!((ok.scenario.meta.runs, ok.scenario.meta.seed), (1000, 1), "documented defaults");
}

#[test]
fn a_categorical_driver_can_be_replaced_by_set() {
    let text = "[scenario]\nname = \"x\"\nstart = \"2024-01\"\nhorizon = 12\n\
                [drivers.d]\ncategorical = { a = 0.2, b = 0.8 }\n\
                [outcomes.o]\nmeasure = \"d=a\"\n";
    let loaded = load_str("x.toml", text, Path::new("."), &sets(&["drivers.d.categorical={a=0.5,b=0.5}"]))
        .expect("loads");
    assert_eq!(
        loaded.scenario.drivers[0].distribution,
        Distribution::Categorical(vec![("a".into(), 0.5), ("b".into(), 0.5)])
    );
    assert!(loaded.scenario.outcomes[0].is_probability());
}

#[test]
fn register_lists_every_assumption_with_its_percentiles() {
    let loaded = load_file(&root().join(SMALL), &[]).expect("loads");
    let entries = register(&loaded.scenario);
    let s = &loaded.scenario;
    let expected = s.drivers.len()
        + s.variables.len()
        + s.events.len()
        + s.actors.len()
        + s.issues.len()
        + s.populations.len()
        + s.outcomes.len();
    assert_eq!(entries.len(), expected);
    let beta = entries.iter().find(|e| e.name == "mediator_commitment").expect("row");
    assert_eq!(beta.distribution, "beta(α=8, β=3)");
    assert!((beta.mean.expect("mean") - 8.0 / 11.0).abs() < 1e-12);
    let (p5, p95) = (beta.p5.expect("p5"), beta.p95.expect("p95"));
    let d = Distribution::Beta { alpha: 8.0, beta: 3.0 };
    assert!((d.cdf(p5) - 0.05).abs() < 1e-9 && (d.cdf(p95) - 0.95).abs() < 1e-9);
    let fate = entries.iter().find(|e| e.name == "patron_fate").expect("row");
    assert_eq!(fate.distribution, "categorical: steady 60%, distracted 30%, withdraws 10%");
    assert_eq!(fate.mean, None);
    let text = render_register(&entries);
    let first_lines: Vec<&str> = text.lines().skip(2).filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(first_lines.len(), entries.len(), "one row per assumption (long text wraps)");
    for (line, entry) in first_lines.iter().zip(&entries) {
        assert!(line.starts_with(entry.kind) && line.contains(&entry.name), "{line}");
    }
}

#[test]
fn set_reaches_quoted_link_terms() {
    let overrides = sets(&[
        "variables.tension.links.\"ever(skirmish)\"=0.2",
        "variables.tension.links.\"patron_fate=withdraws * after(patron_change_month)\"=0.4",
    ]);
    let loaded = load_file(&root().join(SMALL), &overrides).expect("loads");
    let links = &loaded.scenario.variables[0].links;
    let coefficient = |text: &str| links.iter().find(|l| l.text == text).map(|l| l.coefficient);
    assert_eq!(coefficient("ever(skirmish)"), Some(0.2));
    assert_eq!(coefficient("patron_fate=withdraws * after(patron_change_month)"), Some(0.4));
    assert_eq!(links.len(), 5, "replaced in place, none added");
}
