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

/// The README's two commands share one build: every crate that `cargo run --release` builds (but the
/// proc-macro support crates) gets no more features from the dev-dependencies in `cargo test
/// --release`, so the tests reuse it (Cargo.toml's feature pins). Read from `cargo tree`, offline.
#[test]
fn the_tests_reuse_the_release_build_of_every_dependency() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let tree = |edges: &str, format: &str| -> std::collections::BTreeSet<String> {
        let output = std::process::Command::new(&cargo)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["tree", "--offline", "--locked", "--prefix", "none", "--no-dedupe", "-e", edges])
            .args(["--format", format])
            .output()
            .expect("cargo tree runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).lines().map(str::to_string).collect()
    };
    // `{p} {f}`: package and its features, one line per package.
    let built = tree("normal,build", "{p} [{f}]");
    let tested = tree("normal,build,dev", "{p} [{f}]");
    let features =
        |lines: &std::collections::BTreeSet<String>| -> std::collections::BTreeMap<String, String> {
            lines
                .iter()
                .filter_map(|line| {
                    line.split_once(" [")
                        .map(|(p, f)| (p.trim_end_matches(" (*)").to_string(), f.to_string()))
                })
                .collect()
        };
    let (built, tested) = (features(&built), features(&tested));
    assert!(built.len() > 50, "{built:?}");
    // Proc-macro support crates are built for the host, apart from the rest: the dev-dependencies'
    // macros want more of syn, which costs a rebuild of syn and of the crates with derive macros.
    let host = ["syn ", "proc-macro2 ", "quote ", "unicode-ident "];
    let differ: Vec<String> = built
        .iter()
        .filter(|(package, _)| !host.iter().any(|h| package.starts_with(h)))
        .filter(|(package, f)| tested.get(*package).is_some_and(|g| g != *f))
        .map(|(package, f)| format!("{package}: [{f} in the build, [{} in the tests", tested[package]))
        .collect();
    assert!(differ.is_empty(), "features differ, so `cargo test --release` rebuilds:\n{}", differ.join("\n"));
}
