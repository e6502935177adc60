//! Citations: an assumption's `source` text cites entries of the project's sources page,
//! `docs/sources.md`, as `docs/sources.md#anchor`. This module finds the citations in a source text
//! and reads the page into entries (anchor, heading, text), so that a test can check every cited
//! anchor exists and report.html can copy the cited entries into the page (offline, as text).
//!
//! Contract: an anchor is an explicit `<a id="…"></a>` line of the page; an entry runs from its
//! anchor line to the next one; its heading is the first Markdown heading after the anchor. The page
//! is compiled into the binary ([`SourcesPage::bundled`]), so reports made anywhere carry the same
//! text as the repository at build time.

/// How a source text cites the sources page: this prefix, then the anchor.
pub const CITATION_PREFIX: &str = "docs/sources.md#";

/// The anchors a source text cites, in order of appearance (repeats kept), each with its byte range
/// in `source` (the whole `docs/sources.md#anchor`).
pub fn citations(source: &str) -> Vec<Citation<'_>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = source[from..].find(CITATION_PREFIX) {
        let start = from + at;
        let anchor_start = start + CITATION_PREFIX.len();
        let anchor_len = source[anchor_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(source.len() - anchor_start);
        let end = anchor_start + anchor_len;
        if anchor_len > 0 {
            found.push(Citation { anchor: &source[anchor_start..end], start, end });
        }
        from = end;
    }
    found
}

/// One `docs/sources.md#anchor` in a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Citation<'a> {
    /// The anchor cited.
    pub anchor: &'a str,
    /// Byte offset of the citation (its prefix) in the source text.
    pub start: usize,
    /// Byte offset one past the anchor.
    pub end: usize,
}

/// One entry of the sources page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceEntry {
    /// The explicit anchor (`<a id="…">`).
    pub anchor: String,
    /// The entry's heading, without the `#` marks.
    pub heading: String,
    /// The Markdown lines after the heading, up to the next anchor (trimmed of blank ends).
    pub body: String,
}

/// The sources page, read into its anchored entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcesPage {
    entries: Vec<SourceEntry>,
}

impl SourcesPage {
    /// The page as built into this binary (the repository's `docs/sources.md`).
    pub fn bundled() -> Self {
        Self::parse(include_str!("../../docs/sources.md"))
    }

    /// Reads a page: every `<a id="…"></a>` line opens an entry.
    pub fn parse(markdown: &str) -> Self {
        let mut entries: Vec<SourceEntry> = Vec::new();
        for line in markdown.lines() {
            if let Some(anchor) = anchor_of(line) {
                entries.push(SourceEntry {
                    anchor: anchor.to_string(),
                    heading: String::new(),
                    body: String::new(),
                });
                continue;
            }
            let Some(entry) = entries.last_mut() else { continue };
            if entry.heading.is_empty() && line.starts_with('#') {
                entry.heading = line.trim_start_matches('#').trim().to_string();
            } else if !entry.heading.is_empty() || !line.trim().is_empty() {
                entry.body.push_str(line);
                entry.body.push('\n');
            }
        }
        for entry in &mut entries {
            entry.body = entry.body.trim().to_string();
        }
        SourcesPage { entries }
    }

    /// The entry with this anchor.
    pub fn entry(&self, anchor: &str) -> Option<&SourceEntry> {
        self.entries.iter().find(|e| e.anchor == anchor)
    }

    /// Every entry, in page order.
    pub fn entries(&self) -> &[SourceEntry] {
        &self.entries
    }

    /// The anchors `source` cites that the page lacks, in order, without repeats.
    pub fn missing<'s>(&self, source: &'s str) -> Vec<&'s str> {
        let mut missing: Vec<&str> = Vec::new();
        for citation in citations(source) {
            if self.entry(citation.anchor).is_none() && !missing.contains(&citation.anchor) {
                missing.push(citation.anchor);
            }
        }
        missing
    }
}

/// The id of an `<a id="…"></a>` line, if the line is one.
fn anchor_of(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix("<a id=\"")?;
    let (id, tail) = rest.split_once('"')?;
    (tail.trim() == "></a>" && !id.is_empty()).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "# Sources\n\nIntro.\n\n<a id=\"one\"></a>\n## The first\n\nSome *text*.\n\n- A — B — 2024 — https://a.example/\n\n<a id=\"two\"></a>\n### Second\nMore.\n";

    #[test]
    fn finds_citations_with_their_ranges() {
        let source = "docs/sources.md#one (a fact); analyst judgement, docs/sources.md#two-b.";
        let found = citations(source);
        assert_eq!(found.iter().map(|c| c.anchor).collect::<Vec<_>>(), ["one", "two-b"]);
        assert_eq!(&source[found[1].start..found[1].end], "docs/sources.md#two-b");
        assert!(citations("FACTS.md §2; docs/sources.md# alone").is_empty());
    }

    #[test]
    fn reads_entries_from_explicit_anchors() {
        let page = SourcesPage::parse(PAGE);
        assert_eq!(page.entries().len(), 2);
        let one = page.entry("one").unwrap();
        assert_eq!(one.heading, "The first");
        assert_eq!(one.body, "Some *text*.\n\n- A — B — 2024 — https://a.example/");
        assert_eq!(page.entry("two").unwrap().body, "More.");
    }

    #[test]
    fn a_cited_anchor_missing_from_the_page_is_reported() {
        let page = SourcesPage::parse(PAGE);
        assert!(page.missing("docs/sources.md#one; docs/sources.md#two").is_empty());
        assert_eq!(
            page.missing("docs/sources.md#one; docs/sources.md#three, docs/sources.md#three"),
            ["three"]
        );
    }

    #[test]
    fn the_bundled_page_has_the_seed_article() {
        let page = SourcesPage::bundled();
        let seed = page.entry("seed-article").expect("the seed article's entry");
        assert!(seed.body.contains("besacenter.org"), "{}", seed.body);
        assert!(page.entry("claim-6").is_some());
    }
}
