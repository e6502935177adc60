//! Loading a scenario: read the file, follow `extends`, apply `--set` overrides, decode and
//! validate; the resolved text is what the run records as `scenario.toml`.

use std::path::{Path, PathBuf};

use super::decode::decode;
use super::diagnostic::{LoadError, Problem, suggestion};
use super::schema::Scenario;
use super::source::{Entry, Node, Sources, Span, Table, Value, parse_document, parse_value};

/// A loaded, valid scenario.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated scenario.
    pub scenario: Scenario,
    /// The resolved TOML text after `extends` and `--set` (written to the output as `scenario.toml`;
    /// loading it again gives the same scenario).
    pub resolved: String,
    /// The file path as given, or "<bundled default>".
    pub origin: String,
    /// The canonical paths of the files read: the scenario file and its `extends` parents
    /// (`crossroads watch` watches them). Empty for a scenario loaded from text alone.
    pub files: Vec<PathBuf>,
}

/// The keys whose values name a distribution (DESIGN.md §2.1). In a table, at most one is set;
/// a variant or `--set` that sets one drops the others it inherited, and their parameter tables
/// are replaced whole rather than merged.
pub(crate) const DISTRIBUTION_FORMS: [&str; 10] = [
    "fixed",
    "uniform",
    "normal",
    "lognormal",
    "beta",
    "triangular",
    "pert",
    "bernoulli",
    "categorical",
    "poisson",
];

/// Key groups of which a table holds one: setting one drops the inherited others.
const EXCLUSIVE: [&[&str]; 2] = [&DISTRIBUTION_FORMS, &["probability", "at"]];

/// The top-level sections of a scenario file.
pub(crate) const SECTIONS: [&str; 11] = [
    "scenario",
    "drivers",
    "variables",
    "events",
    "actors",
    "issues",
    "populations",
    "outcomes",
    "evidence",
    "correlations",
    "experiment",
];

/// The top-level sections that are one table rather than a collection of named entries: the
/// resolved text writes their keys under their own header.
const SINGLE_TABLES: [&str; 3] = ["scenario", "correlations", "experiment"];

/// Longest `extends` chain followed.
const MAX_EXTENDS_DEPTH: usize = 32;

/// Loads a scenario file, its `extends` parents and the `--set` overrides (`KEY=VALUE`, each in TOML
/// value syntax). Every problem found is in the error, each at its file, line and column.
pub fn load_file(path: &Path, overrides: &[String]) -> Result<Loaded, LoadError> {
    let origin = path.display().to_string();
    let mut sources = Sources::default();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            let problem = Problem::nowhere(format!("cannot read scenario file `{origin}`: {error}"))
                .help("check the path; scenario files are TOML, e.g. scenarios/examples/small_complete.toml");
            return Err(LoadError::new(&origin, vec![problem], &sources));
        }
    };
    let canonical = std::fs::canonicalize(path).ok();
    let base_dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let file = sources.add(origin.clone(), text, canonical);
    load_source(&origin, file, &base_dir, overrides, sources)
}

/// Loads a scenario from text. `origin` names it in diagnostics (a path or "<bundled default>");
/// `extends` paths are relative to `base_dir`.
pub fn load_str(
    origin: &str,
    text: &str,
    base_dir: &Path,
    overrides: &[String],
) -> Result<Loaded, LoadError> {
    let mut sources = Sources::default();
    let file = sources.add(origin.to_string(), text.to_string(), None);
    load_source(origin, file, base_dir, overrides, sources)
}

/// A scenario read and merged once, to be loaded again and again under different `--set`s: the
/// points of an experiment, each its scenario with one `--set` per factor. Loading a point skips
/// reading, parsing and merging the text and writing the resolved text (an experiment records the
/// scenario it was given, not each point's), which is most of a load's cost.
#[derive(Debug, Clone)]
pub struct Prepared {
    origin: String,
    file: usize,
    root: Table,
    sources: Sources,
}

impl Prepared {
    /// Reads `text` (and its `extends` parents, relative to `base_dir`) as [`load_str`] would.
    pub fn new(origin: &str, text: &str, base_dir: &Path) -> Result<Prepared, LoadError> {
        let mut sources = Sources::default();
        let file = sources.add(origin.to_string(), text.to_string(), None);
        let mut problems = Vec::new();
        let root = read_with_parents(file, base_dir, &[file], &mut sources, &mut problems);
        let Some(mut root) = root else {
            return Err(LoadError::new(origin, problems, &sources));
        };
        if let Some(Entry { node: Node { value: Value::Table(meta), .. }, .. }) = root.get_mut("scenario") {
            meta.remove("extends");
        }
        Ok(Prepared { origin: origin.to_string(), file, root, sources })
    }

    /// The scenario under `overrides`: the same scenario, or the same error, as [`load_str`] of
    /// the text with these overrides gives.
    pub fn scenario(&self, overrides: &[String]) -> Result<Scenario, LoadError> {
        let mut root = self.root.clone();
        let mut sources = self.sources.clone();
        let mut problems = Vec::new();
        for (index, text) in overrides.iter().enumerate() {
            let file = sources.add(format!("--set #{}", index + 1), text.clone(), None);
            if let Err(problem) = apply_override(&mut root, file, text) {
                problems.extend(problem);
            }
        }
        if !problems.is_empty() {
            return Err(LoadError::new(&self.origin, problems, &sources));
        }
        decode(&root, &sources, self.file)
            .map_err(|problems| LoadError::new(&self.origin, problems, &sources))
    }
}

fn load_source(
    origin: &str,
    file: usize,
    base_dir: &Path,
    overrides: &[String],
    mut sources: Sources,
) -> Result<Loaded, LoadError> {
    let mut problems = Vec::new();
    let chain = vec![file];
    let root = read_with_parents(file, base_dir, &chain, &mut sources, &mut problems);
    let Some(mut root) = root else {
        return Err(LoadError::new(origin, problems, &sources));
    };
    if let Some(Entry { node: Node { value: Value::Table(meta), .. }, .. }) = root.get_mut("scenario") {
        meta.remove("extends");
    }
    for (index, text) in overrides.iter().enumerate() {
        let file = sources.add(format!("--set #{}", index + 1), text.clone(), None);
        if let Err(problem) = apply_override(&mut root, file, text) {
            problems.extend(problem);
        }
    }
    if !problems.is_empty() {
        return Err(LoadError::new(origin, problems, &sources));
    }
    match decode(&root, &sources, file) {
        Ok(scenario) => Ok(Loaded {
            scenario,
            resolved: write_toml(&root),
            origin: origin.to_string(),
            files: sources.paths(),
        }),
        Err(problems) => Err(LoadError::new(origin, problems, &sources)),
    }
}

/// Parses source `file` and, when it `extends` a parent, merges it over its parents. `chain` is
/// the files being read, outermost first (to detect cycles). `None` when any problem was found.
fn read_with_parents(
    file: usize,
    base_dir: &Path,
    chain: &[usize],
    sources: &mut Sources,
    problems: &mut Vec<Problem>,
) -> Option<Table> {
    let text = sources.get(file).map(|f| f.text.clone()).unwrap_or_default();
    let table = match parse_document(file, &text) {
        Ok(table) => table,
        Err(syntax) => {
            problems.extend(syntax);
            return None;
        }
    };
    let Some(extends) = extends_of(&table) else {
        return Some(table);
    };
    let Value::String(relative) = &extends.value else {
        problems.push(
            Problem::error(
                format!("`extends` must be a file path in quotes, found {}", extends.value.kind()),
                extends.span,
                "not a path",
            )
            .help("write e.g. `extends = \"south_caucasus_2024.toml\"` (relative to this file)"),
        );
        return None;
    };
    let path = base_dir.join(relative);
    let shown = path.display().to_string();
    let canonical = std::fs::canonicalize(&path).ok();
    let names = |files: &[usize]| -> Vec<String> {
        files.iter().filter_map(|&f| sources.get(f).map(|s| s.name.clone())).collect()
    };
    let cycle_start = chain.iter().position(|&f| {
        let known = sources.get(f).and_then(|s| s.path.as_ref());
        canonical.is_some() && known == canonical.as_ref()
    });
    if let Some(start) = cycle_start {
        let mut names = names(chain.get(start..).unwrap_or(&[]));
        names.push(shown);
        problems.push(
            Problem::error(format!("`extends` makes a cycle: {}", names.join(" → ")), extends.span, "closes the cycle")
                .help("a scenario cannot extend itself, directly or through its parents; remove this `extends` or point it at another file"),
        );
        return None;
    }
    if chain.len() >= MAX_EXTENDS_DEPTH {
        problems.push(
            Problem::error(
                format!("`extends` chain is longer than {MAX_EXTENDS_DEPTH} files"),
                extends.span,
                "here",
            )
            .help("shorten the chain of variants"),
        );
        return None;
    }
    let parent_text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => {
            problems.push(
                Problem::error(format!("cannot read `{shown}`: {error}"), extends.span, "this file")
                    .help("`extends` is a path relative to the file that writes it; check the name"),
            );
            return None;
        }
    };
    let parent_file = sources.add(shown, parent_text, canonical);
    let parent_dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut parent_chain = chain.to_vec();
    parent_chain.push(parent_file);
    let parent = read_with_parents(parent_file, &parent_dir, &parent_chain, sources, problems)?;
    Some(merge(parent, table))
}

fn extends_of(root: &Table) -> Option<Node> {
    match &root.get("scenario")?.node.value {
        Value::Table(meta) => meta.get("extends").map(|e| e.node.clone()),
        _ => None,
    }
}

/// Merges `child` over `parent`: tables merge recursively, other values replace (DESIGN.md §2).
/// Setting one key of an exclusive group (a distribution form; `probability`/`at`) drops the
/// parent's others, and a distribution's parameter table is replaced whole.
pub(crate) fn merge(mut parent: Table, child: Table) -> Table {
    for entry in child.entries {
        drop_exclusive_siblings(&mut parent, &entry.key);
        let replace_whole = DISTRIBUTION_FORMS.contains(&entry.key.as_str());
        match parent.get_mut(&entry.key) {
            Some(existing) => {
                let merged = match (&mut existing.node.value, entry.node.value) {
                    (Value::Table(old), Value::Table(new)) if !replace_whole => {
                        Value::Table(merge(std::mem::take(old), new))
                    }
                    (_, new) => new,
                };
                *existing = Entry {
                    key: entry.key,
                    key_span: entry.key_span,
                    node: Node { value: merged, span: entry.node.span },
                };
            }
            None => parent.entries.push(entry),
        }
    }
    parent
}

fn drop_exclusive_siblings(table: &mut Table, key: &str) {
    for group in EXCLUSIVE {
        if group.contains(&key) {
            table.entries.retain(|e| e.key == key || !group.contains(&e.key.as_str()));
        }
    }
}

/// Applies one `--set KEY=VALUE` (source `file`, whose text is the argument) to the merged tree.
fn apply_override(root: &mut Table, file: usize, text: &str) -> Result<(), Vec<Problem>> {
    let whole = Span { file, start: 0, end: text.len() };
    let (path, equals) = parse_set_path(text).map_err(|(message, at, help)| {
        let (span, label) = match at {
            Some(at) => {
                let len = text.get(at..).and_then(|s| s.chars().next()).map_or(0, char::len_utf8);
                (Span { file, start: at, end: at + len }, "here")
            }
            None => (whole, "no `=` here"),
        };
        vec![Problem::error(message, span, label).help(help)]
    })?;
    let raw = text.get(equals + 1..).unwrap_or("");
    let value = match parse_value(file, equals + 1, raw) {
        Ok(value) => value,
        // A bare word is a string: `--set scenario.name=my_run` needs no TOML quotes. Where the
        // schema wants something else, decoding says what it wants.
        Err(_) if is_bare_word(raw) => Node {
            value: Value::String(raw.to_string()),
            span: Span { file, start: equals + 1, end: text.len() },
        },
        Err(problems) => {
            let key = text.get(..equals).unwrap_or("KEY");
            let hint = format!(
                "text with spaces or symbols is a TOML string: quote it, inside shell quotes: --set '{key}=\"…\"'"
            );
            return Err(problems.into_iter().map(|p| p.help(hint.clone())).collect());
        }
    };
    let path: Vec<(String, Span)> =
        path.into_iter().map(|(key, start, end)| (key, Span { file, start, end })).collect();
    let Some(((last, last_span), parents)) = path.split_last() else {
        return Err(vec![Problem::error("empty --set path", whole, "here")]);
    };
    let mut table = root;
    let mut walked = String::new();
    for (depth, (key, span)) in parents.iter().enumerate() {
        let candidates: Vec<String> = table.keys().map(str::to_string).collect();
        let exists = table.get(key).is_some();
        if !exists && depth == 0 && SECTIONS.contains(&key.as_str()) {
            let node = Node { value: Value::Table(Table::default()), span: *span };
            table.entries.push(Entry { key: key.clone(), key_span: *span, node });
        }
        let Some(entry) = table.get_mut(key) else {
            let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
            let place = if walked.is_empty() { "the scenario".to_string() } else { format!("`{walked}`") };
            return Err(vec![
                Problem::error(format!("--set path: there is no `{key}` in {place}"), *span, "unknown key")
                    .help(suggestion(key, &refs, "keys there")),
            ]);
        };
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(key);
        let found = entry.node.value.kind();
        let Value::Table(inner) = &mut entry.node.value else {
            return Err(vec![
                Problem::error(
                    format!("--set path: `{walked}` is {found}, not a table"),
                    *span,
                    "not a table",
                )
                .help(format!("set `{walked}` itself, e.g. --set {walked}=VALUE")),
            ]);
        };
        table = inner;
    }
    drop_exclusive_siblings(table, last);
    match table.get_mut(last) {
        Some(entry) => entry.node = value,
        None => table.entries.push(Entry { key: last.clone(), key_span: *last_span, node: value }),
    }
    Ok(())
}

/// A `--set` value that TOML rejects but that reads as one word: letters, digits and `_-./:+@`.
fn is_bare_word(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_alphanumeric() || "_-./:+@".contains(c))
}

/// One key of a `--set` path and its byte range in the argument.
type SetKey = (String, usize, usize);

/// A `--set` error: message, byte offset in the argument (`None`: the whole argument), help.
type SetPathError = (String, Option<usize>, String);

/// Splits `KEY=VALUE`'s key into its dotted segments, each bare (`horizon`) or quoted
/// (`"ever(armed_clash) * tension"`), with their byte ranges; returns them and the offset of `=`.
pub(crate) fn parse_set_path(text: &str) -> Result<(Vec<SetKey>, usize), SetPathError> {
    let example = "write e.g. --set drivers.turkey_guarantee_credibility.beta.alpha=4, quoting keys that \
                   hold other characters: --set 'variables.x.links.\"ever(e)\"=0.2'";
    let bytes = text.as_bytes();
    let mut segments = Vec::new();
    let mut i = 0;
    let skip_space = |mut i: usize| {
        while bytes.get(i).is_some_and(|b| *b == b' ' || *b == b'\t') {
            i += 1;
        }
        i
    };
    loop {
        i = skip_space(i);
        match bytes.get(i) {
            Some(&quote @ (b'"' | b'\'')) => {
                let start = i;
                let mut key = String::new();
                i += 1;
                loop {
                    let Some(c) = text.get(i..).and_then(|s| s.chars().next()) else {
                        return Err(("unclosed quote in a --set key".into(), Some(start), example.into()));
                    };
                    i += c.len_utf8();
                    if c as u32 == u32::from(quote) {
                        break;
                    }
                    if c == '\\' && quote == b'"' {
                        match text.get(i..).and_then(|s| s.chars().next()) {
                            Some(next @ ('"' | '\\')) => {
                                key.push(next);
                                i += 1;
                            }
                            _ => key.push(c),
                        }
                    } else {
                        key.push(c);
                    }
                }
                segments.push((key, start, i));
            }
            Some(b) if b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-' => {
                let start = i;
                while bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-') {
                    i += 1;
                }
                segments.push((text.get(start..i).unwrap_or("").to_string(), start, i));
            }
            None => {
                return Err(("a --set override needs `KEY=VALUE`".into(), None, example.into()));
            }
            Some(_) => {
                return Err(("expected a key in the --set path".into(), Some(i), example.into()));
            }
        }
        i = skip_space(i);
        match bytes.get(i) {
            Some(b'.') => i += 1,
            Some(b'=') => return Ok((segments, i)),
            None => return Err(("a --set override needs `KEY=VALUE`".into(), None, example.into())),
            Some(_) => {
                let message = "expected `.` or `=` after a key in the --set path";
                return Err((message.into(), Some(i), example.into()));
            }
        }
    }
}

/// Writes a source tree as TOML: sections and assumptions as `[a.b]` headers (and
/// `[issues.X.stakes]`), everything deeper inline. Loading the text gives the same tree's values.
pub(crate) fn write_toml(root: &Table) -> String {
    let mut out = String::new();
    write_section(&mut out, &[], root);
    out
}

fn is_header(path: &[&str]) -> bool {
    // `[correlations]` keeps its pairs inline: `"a ~ b" = { rho = 0.3, source = "…" }`.
    (path.len() <= 2 && path.first() != Some(&"correlations"))
        || path.len() == 1
        || (path.len() == 3 && path.first() == Some(&"issues") && path.last() == Some(&"stakes"))
}

fn write_section(out: &mut String, path: &[&str], table: &Table) {
    if let [section] = path
        && !SINGLE_TABLES.contains(section)
    {
        // Each assumption gets its own header, in file order; a bare number (a driver written
        // `x = 0.4`) becomes `[drivers.x]` with `fixed = 0.4`, which means the same.
        for entry in &table.entries {
            let child = [*section, entry.key.as_str()];
            match &entry.node.value {
                Value::Table(inner) => write_section(out, &child, inner),
                other => {
                    let fixed = Entry {
                        key: "fixed".to_string(),
                        key_span: entry.key_span,
                        node: Node { value: other.clone(), span: entry.node.span },
                    };
                    write_section(out, &child, &Table { entries: vec![fixed] });
                }
            }
        }
        return;
    }
    let (sections, inline): (Vec<&Entry>, Vec<&Entry>) = table.entries.iter().partition(|e| {
        let mut child = path.to_vec();
        child.push(&e.key);
        matches!(e.node.value, Value::Table(_)) && is_header(&child)
    });
    if !path.is_empty() && (!inline.is_empty() || table.entries.is_empty()) {
        if !out.is_empty() {
            out.push('\n');
        }
        let keys: Vec<String> = path.iter().map(|k| key_text(k)).collect();
        out.push_str(&format!("[{}]\n", keys.join(".")));
    }
    for entry in inline {
        out.push_str(&format!("{} = {}\n", key_text(&entry.key), value_text(&entry.node.value)));
    }
    for entry in sections {
        if let Value::Table(inner) = &entry.node.value {
            let mut child = path.to_vec();
            child.push(&entry.key);
            write_section(out, &child, inner);
        }
    }
}

fn key_text(key: &str) -> String {
    let bare = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare { key.to_string() } else { string_text(key) }
}

fn string_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => string_text(s),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) if f.is_nan() => "nan".to_string(),
        Value::Float(f) if f.is_infinite() => if *f > 0.0 { "inf" } else { "-inf" }.to_string(),
        Value::Float(f) => format!("{f:?}"),
        Value::Boolean(b) => b.to_string(),
        Value::Datetime(d) => d.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|n| value_text(&n.value)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Table(table) if table.entries.is_empty() => "{}".to_string(),
        Value::Table(table) => {
            let items: Vec<String> = table
                .entries
                .iter()
                .map(|e| format!("{} = {}", key_text(&e.key), value_text(&e.node.value)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        parse_set_path(text)
            .map(|(path, _)| path.into_iter().map(|(k, _, _)| k).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_prepared_scenario_loads_as_the_text_does_under_any_overrides() {
        let text = crate::cli::DEFAULT_SCENARIO;
        let prepared = Prepared::new("default", text, Path::new(".")).expect("the default reads");
        let here = Path::new(".");
        for sets in [
            vec![],
            vec!["events.armed_clash.probability=0.02".to_string(), "scenario.horizon=60".to_string()],
            vec!["drivers.iran_posture.fixed=0.3".to_string()],
        ] {
            let expected = load_str("default", text, here, &sets).expect("loads").scenario;
            assert_eq!(prepared.scenario(&sets).expect("loads"), expected, "{sets:?}");
            // Loading a point leaves the prepared tree as it was.
            assert_eq!(
                prepared.scenario(&[]).expect("loads"),
                load_str("default", text, here, &[]).expect("loads").scenario
            );
        }
        let bad = ["events.armed_clash.probability=1.5".to_string()];
        let (Err(a), Err(b)) = (prepared.scenario(&bad), load_str("default", text, here, &bad)) else {
            panic!("a probability of 1.5 is refused");
        };
        assert_eq!(a.render(), b.render());
    }

    #[test]
    fn set_paths_split_on_dots_outside_quotes() {
        assert_eq!(keys("scenario.horizon=60"), ["scenario", "horizon"]);
        assert_eq!(
            keys("variables.x.links.\"a=b * after(c.d)\"=0.2"),
            ["variables", "x", "links", "a=b * after(c.d)"]
        );
        assert_eq!(keys(" drivers . d . 'x y' = 1"), ["drivers", "d", "x y"]);
        assert_eq!(parse_set_path("a.b=1").map(|(_, equals)| equals), Ok(3));
        for bad in ["a..b=1", "a.b", "\"a=1", ".a=1", "a.b c=1", "é=1", ""] {
            assert!(parse_set_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn merge_replaces_distribution_forms_and_keeps_order() {
        let parent =
            parse_document(0, "[drivers.d]\nbeta = { alpha = 1, beta = 2 }\nsource = \"p\"\nunit = \"u\"\n")
                .expect("parent parses");
        let child = parse_document(1, "[drivers.d]\nsource = \"c\"\nuniform = { min = 0, max = 1 }\n")
            .expect("child parses");
        let merged = merge(parent, child);
        assert_eq!(
            write_toml(&merged),
            "[drivers.d]\nsource = \"c\"\nunit = \"u\"\nuniform = { min = 0, max = 1 }\n"
        );
    }
}
