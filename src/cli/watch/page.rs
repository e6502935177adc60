//! The page `watch` serves: the last good report.html with a status banner and a small reload
//! script put in after `<body>`. Only the served copy carries them; report.html on disk stays the
//! self-contained, script-free page `run` writes.
//!
//! What the banner says follows [`PageState`]: running, a first look at the first runs being
//! refined to the full count (saying that its numbers carry their Monte Carlo error), fresh (with
//! when and how long the run took), or a mistake in the file (the diagnostic as `check` prints it: file:line:col, the source
//! line with a caret, the hint) above the last good result, marked stale.

use std::fmt::Write as _;

use crate::report::html::escape;

/// What the page shows, changed by the watch loop and read by the server.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageState {
    /// Bumped on every change: the open page reloads when the server announces a newer one.
    pub version: u64,
    /// The last good run's report.html (as written to the output folder).
    pub report: Option<String>,
    /// What the last good run was: "1000 runs in 0.9 s at 22:31:05, results in output/x/".
    pub report_note: String,
    /// The diagnostic of the last attempt, when the file has a mistake (the result is stale).
    pub problem: Option<String>,
    /// A run is under way.
    pub running: bool,
    /// The report is a first look at a few runs, being refined to this many.
    pub refining: Option<u64>,
}

/// The served page for `state`.
pub fn render(state: &PageState) -> String {
    let banner = banner(state);
    match &state.report {
        Some(report) => inject(report, &banner),
        None => format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>crossroads watch</title>\n</head>\n<body>\n{banner}</body>\n</html>\n"
        ),
    }
}

/// `report` with `extra` put in right after its `<body>` tag (at the start when it has none).
fn inject(report: &str, extra: &str) -> String {
    let at = report
        .find("<body")
        .and_then(|start| report.get(start..).and_then(|rest| rest.find('>')).map(|end| start + end + 1))
        .unwrap_or(0);
    let (head, tail) = report.split_at(at);
    format!("{head}\n{extra}{tail}")
}

/// The status banner, its style and the reload script.
fn banner(state: &PageState) -> String {
    let mut out = String::from(STYLE);
    out.push_str("<div id=\"crossroads-watch\" role=\"status\">");
    let running = if state.running { " <span class=\"cw-running\">Running…</span>" } else { "" };
    match (&state.problem, &state.report) {
        (Some(problem), report) => {
            let _ = write!(
                out,
                "<p class=\"cw-error\"><strong>The file has a mistake: not rerun.</strong>{running}</p>\
                 <pre class=\"cw-diagnostic\">{}</pre>",
                escape(problem)
            );
            if report.is_some() {
                let _ = write!(
                    out,
                    "<p class=\"cw-stale\"><strong>Stale:</strong> the results below are the last good \
                     run's ({}).</p>",
                    escape(&state.report_note)
                );
            }
        }
        (None, Some(_)) => match state.refining {
            Some(runs) => {
                let _ = write!(
                    out,
                    "<p class=\"cw-first-look\"><strong>First look</strong> at {}: refining to all {runs} \
                     runs… Each estimate below carries its Monte Carlo error (95% interval, MC \
                     s.e.) for these runs; the numbers then settle to those of <code>run --runs {runs}</code> \
                     with the same seed.</p>",
                    escape(&state.report_note)
                );
            }
            None => {
                let _ =
                    write!(out, "<p class=\"cw-fresh\">Live: {}.{running}</p>", escape(&state.report_note));
            }
        },
        (None, None) => out.push_str("<p class=\"cw-fresh\">Running the scenario…</p>"),
    }
    out.push_str("</div>\n");
    let _ = writeln!(out, "<script>{}</script>", script(state.version));
    out
}

/// Reloads the page when the server announces a version other than the one it shows.
fn script(version: u64) -> String {
    format!(
        "(function(){{var shown=\"{version}\";var events=new EventSource(\"/events\");\
         events.onmessage=function(e){{if(e.data!==shown){{events.close();location.reload();}}}};}})();"
    )
}

const STYLE: &str = "<style>#crossroads-watch{font:15px/1.4 system-ui,sans-serif;padding:.5rem 1rem;\
border-bottom:1px solid #ccc;background:#f4f7fb}#crossroads-watch p{margin:.25rem 0}\
.cw-error{color:#a40000}.cw-first-look{color:#24527a}.cw-stale{color:#7a5200}.cw-running{color:#555;font-style:italic}\
.cw-diagnostic{background:#fff;border:1px solid #e0b4b4;padding:.5rem;overflow-x:auto;\
font:13px/1.35 'DejaVu Sans Mono',monospace;white-space:pre}</style>\n";

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "<!DOCTYPE html>\n<html><head></head>\n<body>\n<main>numbers</main></body></html>";

    #[test]
    fn the_banner_and_script_go_right_after_body() {
        let state = PageState {
            version: 7,
            report: Some(REPORT.into()),
            report_note: "1000 runs in 0.9 s".into(),
            ..PageState::default()
        };
        let page = render(&state);
        let body = page.find("<body>").unwrap();
        let banner = page.find("id=\"crossroads-watch\"").unwrap();
        assert!(body < banner && banner < page.find("<main>").unwrap(), "{page}");
        assert!(page.contains("Live: 1000 runs in 0.9 s."), "{page}");
        assert!(page.contains("var shown=\"7\""), "{page}");
        assert!(page.contains("new EventSource(\"/events\")"), "{page}");
    }

    #[test]
    fn a_mistake_shows_the_escaped_diagnostic_above_the_stale_result() {
        let state = PageState {
            version: 8,
            report: Some(REPORT.into()),
            report_note: "last".into(),
            problem: Some("s.toml:2:11 <here>\n  ^".into()),
            running: false,
            refining: None,
        };
        let page = render(&state);
        assert!(page.contains("s.toml:2:11 &lt;here&gt;\n  ^"), "{page}");
        assert!(page.contains("Stale:"), "{page}");
        assert!(page.find("cw-diagnostic").unwrap() < page.find("<main>").unwrap());
    }

    #[test]
    fn a_first_look_says_it_is_being_refined_and_how_honest_it_is() {
        let state = PageState {
            version: 3,
            report: Some(REPORT.into()),
            report_note: "the first 128 of 1000 runs, after 0.3 s at 04:16:54 UTC".into(),
            running: true,
            refining: Some(1000),
            ..PageState::default()
        };
        let page = render(&state);
        assert!(page.contains("class=\"cw-first-look\""), "{page}");
        assert!(page.contains("First look</strong> at the first 128 of 1000 runs"), "{page}");
        assert!(page.contains("refining to all 1000 runs"), "{page}");
        assert!(page.contains("Monte Carlo error"), "{page}");
        assert!(!page.contains("class=\"cw-fresh\""), "a first look is not the live result: {page}");
        let done = render(&PageState { refining: None, ..state });
        assert!(done.contains("class=\"cw-fresh\"") && !done.contains("class=\"cw-first-look\""), "{done}");
    }

    #[test]
    fn without_a_result_the_page_still_reloads() {
        let page = render(&PageState { version: 1, running: true, ..PageState::default() });
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("Running the scenario"));
        assert!(page.contains("EventSource"));
        let error = render(&PageState { problem: Some("bad".into()), ..PageState::default() });
        assert!(error.contains("bad") && !error.contains("Stale"), "{error}");
    }
}
