//! The README's scenario example is a real scenario: it must load and check.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
use std::path::Path;

/// The TOML block under "The scenario format by example".
fn readme_example() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme.split("## The scenario format by example").nth(1).expect("the format section");
    let block = section.split("```toml\n").nth(1).expect("a toml block");
    block.split("\n```").next().unwrap().to_string()
}

#[test]
fn the_readme_example_loads() {
    let text = readme_example();
    let loaded = crossroads::scenario::load_str("README.md", &text, Path::new("scenarios"), &[]);
    if let Err(error) = &loaded {
        panic!("the README's example does not load:\n{}", error.render());
    }
    let scenario = loaded.unwrap().scenario;
    assert_eq!(scenario.meta.name, "south_caucasus_2024");
    assert!(!scenario.populations.is_empty() && !scenario.issues.is_empty() && !scenario.outcomes.is_empty());
}

/// Every relative link and image of the README points at a file of the repository.
#[test]
fn the_readme_links_point_at_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let targets: Vec<&str> = readme
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|target| !target.starts_with("http") && !target.starts_with('#'))
        .collect();
    assert!(targets.len() >= 4, "links found: {targets:?}");
    for target in targets {
        assert!(root.join(target).exists(), "the README links to {target}, which does not exist");
    }
}
