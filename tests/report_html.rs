//! report.html: valid HTML5 (no parse errors from html5ever), self-contained (nothing to fetch, no
//! URLs outside the sources' text), every chart inline, the scenario escaped, byte-identical for the
//! same inputs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
mod common;

use common::sample;
use crossroads::report::charts;
use crossroads::report::html::{self, RunMetadata, RunReport};
use crossroads::report::words::DriverNames;
use scraper::{Html, Selector};

fn metadata(date: Option<&str>, wall_time: Option<f64>) -> RunMetadata {
    RunMetadata {
        seed: 20_240_101,
        runs: sample::RUNS,
        version: "0.1.0".to_string(),
        date: date.map(str::to_string),
        wall_time,
        threads: Some(2),
    }
}

/// The sample's page, with its charts written to a temporary folder.
fn page(metadata: &RunMetadata) -> (String, usize) {
    let dir = tempfile::tempdir().unwrap();
    let summary = sample::summary();
    let charts = charts::write_run_charts(&summary, dir.path()).unwrap();
    let effects = sample::effects();
    let names = DriverNames::default();
    let driver_charts = charts::write_driver_charts(&summary, &effects, &names, dir.path(), &charts).unwrap();
    let register = sample::register();
    let report = RunReport {
        summary: &summary,
        metadata,
        register: &register,
        scenario_toml: sample::SCENARIO_TOML,
        charts: &charts,
        drivers: Some(html::DriversSection { effects: &effects, names: &names, charts: &driver_charts }),
    };
    (html::render_run_report(&report), charts.len() + driver_charts.len())
}

fn select<'a>(document: &'a Html, selector: &str) -> Vec<scraper::ElementRef<'a>> {
    document.select(&Selector::parse(selector).unwrap()).collect()
}

#[test]
fn report_is_valid_html_with_every_part() {
    let (page, chart_count) = page(&metadata(Some("2024-05-01 12:00 UTC"), Some(3.25)));
    // The parser does report errors (so an empty list means something).
    assert!(!Html::parse_document("<!DOCTYPE html><p></div><table><p>x").errors.is_empty());
    let document = Html::parse_document(&page);
    assert_eq!(document.errors, Vec::<std::borrow::Cow<'static, str>>::new(), "HTML5 parse errors");
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert_eq!(select(&document, "head > title").len(), 1);
    assert_eq!(select(&document, "h1")[0].text().collect::<String>(), sample::summary().title);
    // Every chart inline, each in its figure with a caption.
    assert_eq!(select(&document, "figure > svg").len(), chart_count);
    assert_eq!(select(&document, "figure > figcaption").len(), chart_count);
    assert_eq!(select(&document, "svg > title").len(), chart_count);
    // One table row per outcome; the first(...) outcome's undefined runs are counted.
    let rows = select(&document, "#outcomes tbody tr");
    assert_eq!(rows.len(), sample::summary().outcomes.len());
    let first = select(&document, "#outcome-first_clash td");
    assert_eq!(first.last().unwrap().text().collect::<String>(), "1,234 (12.3%)");
    let treaty: Vec<String> =
        select(&document, "#outcome-peace_treaty td").iter().map(|td| td.text().collect()).collect();
    assert_eq!(&treaty[..3], &["37.2%", "36.3–38.2%", "0.483 pp"]);
    // What drives each outcome: a row per outcome with its largest clear swings, by title, in
    // percentage points; a constant outcome says plainly that no driver explains it; a driver-effect
    // chart per other outcome.
    let effects = sample::effects();
    let rows = select(&document, "#drivers tbody tr");
    assert_eq!(rows.len(), effects.outcomes.len());
    let cells: Vec<String> =
        select(&document, "#drivers tbody tr:first-child td").iter().map(|td| td.text().collect()).collect();
    assert!(cells[0].starts_with("Russia war exitswing 80.0 pp · explains"), "{}", cells[0]);
    assert!(cells[1].starts_with("Turkey guarantee credibilityswing 30.0 pp"), "{}", cells[1]);
    assert!(cells[1].contains("in middle third (0.681–0.796)"), "{}", cells[1]);
    let last: String = rows.last().unwrap().text().collect();
    assert!(last.contains("No driver varies"), "{last}");
    assert_eq!(select(&document, "#drivers figure > svg").len(), effects.outcomes.len() - 1);
    for anchor in ["#summary", "#outcomes", "#drivers", "#register", "#scenario"] {
        assert_eq!(select(&document, &format!("nav a[href=\"{anchor}\"]")).len(), 1, "{anchor}");
    }
    // The summary: the scenario in a sentence, every 0/1 outcome with its date in words, the
    // strongest effects, and the note that intervals are Monte Carlo error.
    let summary: String = select(&document, "#summary").iter().flat_map(|e| e.text()).collect();
    assert!(summary.contains("10,000 Monte Carlo runs"), "{summary}");
    assert!(summary.contains("Peace treaty signed37.2%36.3–38.2%by December 2033"), "{summary}");
    assert!(
        summary.contains("when Russia war exit is “collapse with a rather long category name”"),
        "{summary}"
    );
    assert!(summary.contains("not the real world's uncertainty"), "{summary}");
    // Every table wraps its cells rather than overflowing the page.
    assert!(page.contains("table.wrap td,table.wrap tbody th{overflow-wrap:anywhere}"));
    for table in select(&document, "table") {
        assert!(table.value().classes().any(|c| c == "wrap"), "a table without its wrapping style");
    }
    // An outcome measured given a condition: the runs left out counted, the scale's ends named.
    let terms: Vec<String> =
        select(&document, "#outcome-return_terms td").iter().map(|td| td.text().collect()).collect();
    assert_eq!(terms.last().unwrap(), "4,000 (40.0%)");
    let header: String =
        select(&document, "#outcome-return_terms th").iter().flat_map(|e| e.text()).collect();
    assert!(header.contains("given agreed(karabakh_return)"), "{header}");
    assert!(
        header.contains("0 = Return only as Azerbaijani citizens, 100 = Return under international control"),
        "{header}"
    );
    // The register: one row per entry, its source kept as text.
    assert_eq!(select(&document, "#register tbody tr").len(), sample::register().len());
    // Metadata as given.
    let metadata: String = select(&document, ".metadata").iter().flat_map(|e| e.text()).collect();
    for expected in ["20240101", "10,000", "2024-05-01 12:00 UTC", "3.25 s", "Threads2"] {
        assert!(metadata.contains(expected), "{expected} missing from {metadata}");
    }
}

#[test]
fn report_is_self_contained() {
    let (page, _) = page(&metadata(None, None));
    let document = Html::parse_document(&page);
    for tag in ["script", "link", "img", "iframe", "object", "embed", "base", "use", "image"] {
        assert!(select(&document, tag).is_empty(), "<{tag}> in the report");
    }
    for element in document.root_element().descendants().filter_map(scraper::ElementRef::wrap) {
        for (name, value) in element.value().attrs() {
            let value = value.to_ascii_lowercase();
            assert!(
                !value.contains("http:") && !value.contains("https:") && !value.contains("url("),
                "{name}={value}"
            );
            if name == "href" {
                assert!(value.starts_with('#'), "link out of the page: {value}");
            }
        }
    }
    assert!(!page.contains("@import") && !page.contains("url("));
    // URLs appear only inside the register's sources, as text.
    let sources: String = select(&document, "#register td").iter().flat_map(|e| e.text()).collect();
    assert_eq!(page.matches("https://").count(), sources.matches("https://").count());
    assert_eq!(page.matches("http://").count(), 0);
}

#[test]
fn scenario_text_is_escaped() {
    let (page, _) = page(&metadata(None, None));
    let document = Html::parse_document(&page);
    let code: String = select(&document, "#scenario pre code")[0].text().collect();
    assert_eq!(code, sample::SCENARIO_TOML);
    assert!(page.contains("&lt;script&gt;alert(&#39;not code&#39;)&lt;/script&gt; &amp; friends"));
    let source: String = select(&document, "#register tbody tr")[1].text().collect();
    assert!(source.contains("<https://example.org/shusha?a=1&b=2>"));
}

#[test]
fn same_inputs_give_identical_pages() {
    let fixed = metadata(Some("2023-11-14 22:13 UTC"), None);
    let (first, _) = page(&fixed);
    let (second, _) = page(&fixed);
    assert!(first == second, "two renders differ");
    // Without a date or a wall time, the page says neither.
    let (bare, _) = page(&metadata(None, None));
    assert!(!bare.contains("Wall time") && !bare.contains("<dt>Date</dt>"));
}

#[test]
fn source_date_epoch_fixes_the_date() {
    let date = html::report_date_from(Some("1700000000"), std::time::SystemTime::now()).unwrap();
    assert!(date.reproducible);
    assert_eq!(date.date, "2023-11-14 22:13 UTC");
}

#[test]
fn a_real_register_and_scenario_text_give_valid_html() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples/small_complete.toml");
    let loaded = crossroads::scenario::load_file(&path, &[]).unwrap();
    let register = crossroads::scenario::register(&loaded.scenario);
    let summary = sample::summary();
    let metadata = metadata(None, None);
    let report = RunReport {
        summary: &summary,
        metadata: &metadata,
        register: &register,
        scenario_toml: &loaded.resolved,
        charts: &[],
        drivers: None,
    };
    let page = html::render_run_report(&report);
    let document = Html::parse_document(&page);
    assert_eq!(document.errors, Vec::<std::borrow::Cow<'static, str>>::new());
    assert_eq!(select(&document, "#register tbody tr").len(), register.len());
    let code: String = select(&document, "#scenario pre code")[0].text().collect();
    assert_eq!(code, loaded.resolved);
    assert!(select(&document, "#charts").is_empty(), "no charts, no charts section");
    assert!(select(&document, "#drivers").is_empty(), "no driver importance, no section");
}
