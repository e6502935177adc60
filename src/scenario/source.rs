//! The spanned source tree: every scenario file (and every `--set` argument) parsed into owned
//! nodes whose keys and values remember where they were written, so that any later error can
//! point at its file, line and column.

use std::path::PathBuf;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diagnostic::Problem;

/// Where a key or value was written: a file (index into [`Sources`]) and a byte range in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    /// Index of the source in [`Sources`].
    pub file: usize,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset one past the last character.
    pub end: usize,
}

impl Span {
    /// A span inside the same file, `offset..offset + len` bytes from this span's start.
    pub fn sub(self, offset: usize, len: usize) -> Span {
        let start = (self.start + offset).min(self.end);
        Span { file: self.file, start, end: (start + len).min(self.end.max(start)) }
    }
}

/// One source text: a scenario file or a `--set` argument.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    /// The name shown in diagnostics: the path as given, or `--set #2`.
    pub name: String,
    /// The whole text.
    pub text: String,
    /// The canonical path of a file on disk (for `extends` cycles), `None` otherwise.
    pub path: Option<PathBuf>,
}

/// Every source text a load has read, indexed by [`Span::file`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Sources {
    pub files: Vec<SourceFile>,
}

impl Sources {
    /// Adds a source and returns its index.
    pub fn add(&mut self, name: String, text: String, path: Option<PathBuf>) -> usize {
        self.files.push(SourceFile { name, text, path });
        self.files.len() - 1
    }

    /// The source a span points into.
    pub fn get(&self, file: usize) -> Option<&SourceFile> {
        self.files.get(file)
    }

    /// The canonical paths of the files on disk that were read (the file and its `extends`
    /// parents), in reading order.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.files.iter().filter_map(|f| f.path.clone()).collect()
    }

    /// The raw text under a span, or "" when the span does not fit its source.
    pub fn slice(&self, span: Span) -> &str {
        self.get(span.file).and_then(|f| f.text.get(span.start..span.end)).unwrap_or("")
    }
}

/// A value in the source tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    String(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    /// A TOML date or time, kept as written (scenario files use strings for months).
    Datetime(String),
    Array(Vec<Node>),
    Table(Table),
}

impl Value {
    /// What the value is, in words, for "expected …, found …" messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer(_) => "a whole number",
            Value::Float(_) => "a number",
            Value::Boolean(_) => "true/false",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "a list",
            Value::Table(_) => "a table",
        }
    }
}

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub value: Value,
    pub span: Span,
}

/// A table: its entries in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Table {
    pub entries: Vec<Entry>,
}

/// One `key = value` of a table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub key: String,
    /// Where the key was written (for a `[a.b]` header: the `b`).
    pub key_span: Span,
    pub node: Node,
}

impl Table {
    /// The entry with this key.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The entry with this key, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.key == key)
    }

    /// Removes the entry with this key, if any.
    pub fn remove(&mut self, key: &str) -> Option<Entry> {
        let index = self.entries.iter().position(|e| e.key == key)?;
        Some(self.entries.remove(index))
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.key.as_str())
    }
}

/// Parses a whole TOML document of source `file`. Syntax errors are all returned (in text order);
/// a document with any syntax error yields no tree.
pub(crate) fn parse_document(file: usize, text: &str) -> Result<Table, Vec<Problem>> {
    let (root, errors) = DeTable::parse_recoverable(text);
    let mut problems: Vec<Problem> = errors.iter().map(|e| syntax_problem(file, 0, text, e)).collect();
    let table = convert_table(file, 0, root.into_inner(), &mut problems);
    if problems.is_empty() {
        Ok(table)
    } else {
        problems.sort_by_key(|p| p.span.map(|s| s.start));
        Err(problems)
    }
}

/// Parses one TOML value written at byte `offset` of source `file` (a `--set` argument's value).
pub(crate) fn parse_value(file: usize, offset: usize, text: &str) -> Result<Node, Vec<Problem>> {
    let (value, errors) = DeValue::parse_recoverable(text);
    let mut problems: Vec<Problem> = errors.iter().map(|e| syntax_problem(file, offset, text, e)).collect();
    let node = convert(file, offset, value, &mut problems);
    if problems.is_empty() {
        Ok(node)
    } else {
        problems.sort_by_key(|p| p.span.map(|s| s.start));
        Err(problems)
    }
}

fn syntax_problem(file: usize, offset: usize, text: &str, error: &toml::de::Error) -> Problem {
    let range = error.span().unwrap_or(text.len()..text.len());
    let span = Span { file, start: offset + range.start, end: offset + range.end };
    let message = error.message().trim().to_string();
    Problem::error(format!("TOML syntax error: {message}"), span, "here")
        .help("fix the TOML syntax here; see https://toml.io for the format")
}

fn span_of(file: usize, offset: usize, range: std::ops::Range<usize>) -> Span {
    Span { file, start: offset + range.start, end: offset + range.end }
}

fn convert_table(file: usize, offset: usize, table: DeTable<'_>, problems: &mut Vec<Problem>) -> Table {
    let mut entries = Vec::with_capacity(table.len());
    for (key, value) in table {
        let key_span = span_of(file, offset, key.span());
        let node = convert(file, offset, value, problems);
        entries.push(Entry { key: key.into_inner().into_owned(), key_span, node });
    }
    Table { entries }
}

fn convert(file: usize, offset: usize, value: Spanned<DeValue<'_>>, problems: &mut Vec<Problem>) -> Node {
    let span = span_of(file, offset, value.span());
    let value = match value.into_inner() {
        DeValue::String(s) => Value::String(s.into_owned()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Integer(n),
            Err(_) => {
                problems.push(
                    Problem::error("this whole number is too large", span, "out of range")
                        .help("whole numbers must lie between −9223372036854775808 and 9223372036854775807"),
                );
                Value::Integer(0)
            }
        },
        DeValue::Float(f) => Value::Float(parse_float(f.as_str())),
        DeValue::Boolean(b) => Value::Boolean(b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(items) => {
            Value::Array(items.into_iter().map(|item| convert(file, offset, item, problems)).collect())
        }
        DeValue::Table(table) => Value::Table(convert_table(file, offset, table, problems)),
    };
    Node { value, span }
}

/// A TOML float's text as a number (TOML writes `inf`, `+inf`, `-inf`, `nan`, `+nan`, `-nan`).
fn parse_float(text: &str) -> f64 {
    match text.trim_start_matches(['+', '-']) {
        "nan" => f64::NAN,
        "inf" if text.starts_with('-') => f64::NEG_INFINITY,
        "inf" => f64::INFINITY,
        _ => text.parse().unwrap_or(f64::NAN),
    }
}

/// The span of character `offset..offset + len` (byte offsets) of a string's *content*, when the
/// string was written without escapes so content offsets map onto the source; otherwise the
/// whole string's span. `raw` is the source text under `span` (quotes included).
pub(crate) fn content_span(span: Span, raw: &str, content: &str, offset: usize, len: usize) -> Span {
    let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else if raw.starts_with('"') || raw.starts_with('\'') {
        1
    } else {
        0
    };
    let inner = raw.get(quote..raw.len().saturating_sub(quote)).unwrap_or("");
    if inner == content { span.sub(quote + offset, len.max(1)) } else { span }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_carry_spans() {
        let text = "[drivers.a]\nbeta = { alpha = 8, beta = 3 }\n";
        let root = parse_document(0, text).unwrap();
        let drivers = root.get("drivers").unwrap();
        let Value::Table(drivers) = &drivers.node.value else { panic!("drivers is a table") };
        let a = drivers.get("a").unwrap();
        assert_eq!(&text[a.key_span.start..a.key_span.end], "a");
        let Value::Table(a) = &a.node.value else { panic!("a is a table") };
        let beta = a.get("beta").unwrap();
        assert_eq!(&text[beta.node.span.start..beta.node.span.end], "{ alpha = 8, beta = 3 }");
    }

    #[test]
    fn syntax_errors_are_all_reported_in_text_order() {
        let problems = parse_document(0, "a = \nb = [1, 2\n").unwrap_err();
        assert_eq!(problems.len(), 2);
        assert!(problems[0].span.unwrap().start < problems[1].span.unwrap().start);
    }

    #[test]
    fn floats_keep_toml_specials() {
        assert_eq!(parse_float("-inf"), f64::NEG_INFINITY);
        assert!(parse_float("+nan").is_nan());
        assert_eq!(parse_float("1.5e3"), 1500.0);
    }

    #[test]
    fn content_spans_map_into_the_string() {
        let span = Span { file: 0, start: 10, end: 17 };
        assert_eq!(content_span(span, "\"a * b\"", "a * b", 4, 1), Span { file: 0, start: 15, end: 16 });
        // With an escape the offsets no longer map: the whole string is used.
        assert_eq!(content_span(span, "\"a\\u0020b\"", "a b", 2, 1), span);
    }
}
