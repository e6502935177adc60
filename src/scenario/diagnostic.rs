//! Load diagnostics: what is wrong in a scenario, where (file, line, column), and how to fix it.
//!
//! The loader collects [`Problem`]s (a message, a span, a label, a help line) while it reads;
//! at the end they become miette [`Diagnostic`]s inside one [`LoadError`], which renders the same
//! way everywhere (CLI, tests, snapshots): unicode, no colour, fixed width.

use std::fmt;
use std::path::PathBuf;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity, SourceSpan};

use super::source::{Sources, Span};

/// Width in columns of rendered diagnostics, fixed so output does not depend on the terminal.
pub const RENDER_WIDTH: usize = 100;

/// A problem found while loading, before it is attached to its source text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    pub message: String,
    /// Where; `None` for problems outside any text (a missing top-level file).
    pub span: Option<Span>,
    /// The label under the span.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Other places worth showing (e.g. where a duplicate name was first used).
    pub notes: Vec<(Span, String)>,
}

impl Problem {
    /// A problem at a span.
    pub fn error(message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Problem {
            message: message.into(),
            span: Some(span),
            label: label.into(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// A problem with no place in any text.
    pub fn nowhere(message: impl Into<String>) -> Self {
        Problem { message: message.into(), span: None, label: String::new(), help: None, notes: Vec::new() }
    }

    /// Adds the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary label (shown only when it is in the same text as the main one).
    pub fn note(mut self, span: Span, label: impl Into<String>) -> Self {
        self.notes.push((span, label.into()));
        self
    }
}

/// One diagnostic of a failed load: message, source text with a label under the offending value,
/// and a help line.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    message: String,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    location: Option<Location>,
}

/// Where a diagnostic points: the source's name and the 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file path as given, or `--set #N` for an override.
    pub origin: String,
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.origin, self.line, self.column)
    }
}

impl Diagnostic {
    fn from_problem(problem: Problem, sources: &Sources) -> Self {
        let file = problem.span.and_then(|span| sources.get(span.file).map(|file| (span, file)));
        let Some((span, file)) = file else {
            return Diagnostic {
                message: problem.message,
                help: problem.help,
                source: None,
                labels: Vec::new(),
                location: None,
            };
        };
        let clamp = |s: Span| {
            let start = floor_char_boundary(&file.text, s.start.min(file.text.len()));
            let end = floor_char_boundary(&file.text, s.end.min(file.text.len())).max(start);
            SourceSpan::from(start..end)
        };
        let mut labels = vec![LabeledSpan::new_primary_with_span(Some(problem.label), clamp(span))];
        for (note, label) in problem.notes {
            if note.file == span.file {
                labels.push(LabeledSpan::new_with_span(Some(label), clamp(note)));
            }
        }
        let location = Some(locate(&file.name, &file.text, span.start));
        Diagnostic {
            message: problem.message,
            help: problem.help,
            source: Some(NamedSource::new(file.name.clone(), file.text.clone())),
            labels,
            location,
        }
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// How to fix it.
    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// Where it is, when it is somewhere in a text.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// 1-based line and column (in characters) of a byte offset.
fn locate(origin: &str, text: &str, offset: usize) -> Location {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    Location { origin: origin.to_string(), line, column }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn severity(&self) -> Option<Severity> {
        Some(Severity::Error)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() { None } else { Some(Box::new(self.labels.iter().cloned())) }
    }
}

/// A scenario that could not be loaded: every problem found, in one go.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("{summary}")]
pub struct LoadError {
    summary: String,
    #[related]
    diagnostics: Vec<Diagnostic>,
    files: Vec<PathBuf>,
}

impl LoadError {
    pub(crate) fn new(origin: &str, problems: Vec<Problem>, sources: &Sources) -> Self {
        let count = problems.len();
        let noun = if count == 1 { "error" } else { "errors" };
        let diagnostics = problems.into_iter().map(|p| Diagnostic::from_problem(p, sources)).collect();
        LoadError {
            summary: format!("could not load scenario `{origin}`: {count} {noun}"),
            diagnostics,
            files: sources.paths(),
        }
    }

    /// The canonical paths of the files read before the load failed (the scenario file and the
    /// `extends` parents reached): `crossroads watch` keeps watching them.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The diagnostics, in the order they were found (file order where possible).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The diagnostics as text: unicode, no colour, 100 columns, whatever the terminal. The CLI
    /// prints exactly this, so snapshots of it are what users see.
    pub fn render(&self) -> String {
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(RENDER_WIDTH)
            .with_links(false)
            .tab_width(4);
        let mut out = String::new();
        for diagnostic in &self.diagnostics {
            if handler.render_report(&mut out, diagnostic).is_err() {
                out.push_str(&format!("  × {}\n", diagnostic.message));
            }
            out.push('\n');
        }
        out.push_str(&format!("error: {}\n", self.summary));
        out
    }
}

/// The candidate closest to `word`, if any is close enough to be a likely typo.
pub(crate) fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(word, candidate);
        let edits = strsim::damerau_levenshtein(word, candidate);
        let close = score >= 0.85 || edits <= (word.chars().count().max(3) / 3).max(1);
        if close && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// A help line suggesting the closest candidate, or listing the candidates when there are few.
/// `what` names the candidates ("drivers", "keys of [scenario]"…).
pub(crate) fn suggestion(word: &str, candidates: &[&str], what: &str) -> String {
    if let Some(best) = closest(word, candidates.iter().copied()) {
        return format!("did you mean `{best}`?");
    }
    match candidates.len() {
        0 => format!("there are no {what} in this scenario"),
        1..=12 => {
            let list: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
            format!("{what}: {}", list.join(", "))
        }
        n => format!("none of the {n} {what} is close to `{word}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_one_based_in_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        let offset = text.find("\"x\"").unwrap();
        let location = locate("f.toml", text, offset);
        assert_eq!(location.to_string(), "f.toml:2:6");
    }

    #[test]
    fn render_shows_file_line_column_and_help() {
        let mut sources = Sources::default();
        let file = sources.add("s.toml".into(), "[scenario]\nhorizon = 0\n".into(), None);
        let problem =
            Problem::error("horizon must be 1 to 1200 months", Span { file, start: 21, end: 22 }, "0")
                .help("set `horizon` to the number of months to simulate");
        let error = LoadError::new("s.toml", vec![problem], &sources);
        let text = error.render();
        assert!(text.contains("s.toml:2:11"), "{text}");
        assert!(text.contains("help: set `horizon`"), "{text}");
        assert!(text.ends_with("error: could not load scenario `s.toml`: 1 error\n"), "{text}");
    }
}
