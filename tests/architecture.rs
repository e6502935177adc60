//! The dependency rule of ARCHITECTURE.md, checked: `scenario ← model ← engine ← stats ← report ←
//! cli`. Each folder of `src/` may use only the ones to its left; a `crate::…` path in a file that
//! runs the other way fails this test with the file, line and arrow. The exceptions are two leaves
//! that must themselves use nothing of the crate: `engine::stream`, which the model draws its
//! random numbers from, and `format`, how every stage writes numbers as text. Test code (`#[cfg(test)]` modules, inline or in their own files) is exempt: a model
//! test may run the engine. (A "tidy" test in the style of rust-analyzer's: it reads the source as
//! text, which rustfmt keeps regular.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
use std::fs;
use std::path::{Path, PathBuf};

/// The stages in dependency order: each may use those before it.
const LAYERS: [&str; 6] = ["scenario", "model", "engine", "stats", "report", "cli"];

/// Modules any stage may use because they use nothing of the crate themselves.
const LEAVES: [(&str, &str); 2] = [("engine::stream", "src/engine/stream.rs"), ("format::", "src/format.rs")];

fn layer(name: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == name)
}

/// Every `crate::` path in `text` that runs against the rule from a file of stage `from`, as
/// "line N: from → to (the path)", outside `#[cfg(test)]` modules.
fn wrong_arrows(from: &str, text: &str) -> Vec<String> {
    let Some(rank) = layer(from) else { return Vec::new() };
    let mut found = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        if line.trim() == "#[cfg(test)]" {
            skip_test_module(&mut lines);
            continue;
        }
        let code = line.split("//").next().unwrap_or("");
        for (at, _) in code.match_indices("crate::") {
            // `crossroads::` and `$crate::` are other paths, not this crate's `crate::`.
            if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            let path: String = code[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let target = path.split("::").next().unwrap_or("");
            if LEAVES.iter().any(|(leaf, _)| path.starts_with(leaf)) {
                continue;
            }
            if layer(target).is_some_and(|to| to > rank) {
                found.push(format!("line {}: {from} → {target} (crate::{path})", number + 1));
            }
        }
    }
    found
}

/// After a `#[cfg(test)]` line: skips an inline `mod name {` … `}` (its closing brace at the
/// module's indentation), or the one item line (`mod name;` whose file [`test_files`] skips).
fn skip_test_module<'a>(lines: &mut impl Iterator<Item = (usize, &'a str)>) {
    let Some((_, item)) = lines.next() else { return };
    if !item.trim_end().ends_with('{') {
        return;
    }
    let close = format!("{}}}", &item[..item.len() - item.trim_start().len()]);
    for (_, line) in lines.by_ref() {
        if line.trim_end() == close {
            return;
        }
    }
}

/// Files that are `#[cfg(test)] mod name;` of a module in `files`.
fn test_files(files: &[PathBuf]) -> Vec<PathBuf> {
    let mut tests = Vec::new();
    for file in files {
        let Ok(text) = fs::read_to_string(file) else { continue };
        let dir = if file.ends_with("mod.rs") || file.ends_with("lib.rs") {
            file.parent().map(Path::to_path_buf)
        } else {
            file.parent().zip(file.file_stem()).map(|(parent, stem)| parent.join(stem))
        };
        let Some(dir) = dir else { continue };
        let lines: Vec<&str> = text.lines().collect();
        for pair in lines.windows(2) {
            let item = pair[1].trim();
            if pair[0].trim() == "#[cfg(test)]" && item.ends_with(';') {
                let name = item.trim_end_matches(';').rsplit(' ').next().unwrap_or("");
                tests.push(dir.join(format!("{name}.rs")));
                tests.push(dir.join(name).join("mod.rs"));
            }
        }
    }
    tests
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The stage a source file belongs to: its folder under `src/`, or `cli` for `src/cli.rs`.
fn stage(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

#[test]
fn dependencies_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let tests = test_files(&files);
    let mut checked = 0;
    let mut problems = Vec::new();
    for file in &files {
        let Some(from) = stage(&src, file) else { continue };
        if layer(&from).is_none() || tests.contains(file) {
            continue;
        }
        let text = fs::read_to_string(file).unwrap();
        checked += 1;
        for arrow in wrong_arrows(&from, &text) {
            problems.push(format!("{}: {arrow}", file.strip_prefix(&src).unwrap().display()));
        }
    }
    assert!(checked > 40, "only {checked} files read under {}", src.display());
    assert!(
        problems.is_empty(),
        "dependencies must point one way, scenario ← model ← engine ← stats ← report ← cli \
         (ARCHITECTURE.md); these run the other way:\n{}",
        problems.join("\n")
    );
}

#[test]
fn leaves_use_nothing_of_the_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (leaf, file) in LEAVES {
        let text = fs::read_to_string(root.join(file)).unwrap();
        let uses: Vec<&str> =
            text.lines().filter(|l| l.contains("crate::") && !l.trim_start().starts_with("//")).collect();
        assert!(
            uses.is_empty(),
            "{leaf} is used from every stage, so it must use nothing of the crate: {uses:?}"
        );
    }
}

#[test]
fn the_checker_sees_a_wrong_arrow() {
    let text = "use crate::scenario::Scenario;\nuse crate::stats::Moments;\n// crate::report in a comment\n";
    assert_eq!(wrong_arrows("engine", text), ["line 2: engine → stats (crate::stats::Moments)"]);
    assert!(wrong_arrows("cli", text).is_empty());
    assert!(wrong_arrows("model", "let id = crate::engine::stream::StreamId::new(\"x\", \"y\");").is_empty());
    assert_eq!(wrong_arrows("model", "use crate::engine::Simulation;").len(), 1);
    assert!(wrong_arrows("model", "use crossroads::report::write;").is_empty());
    let tested = "fn f() {}\n#[cfg(test)]\nmod tests {\n    use crate::engine::simulate;\n}\nuse crate::stats::Summary;\n";
    assert_eq!(wrong_arrows("model", tested), ["line 6: model → stats (crate::stats::Summary)"]);
}
