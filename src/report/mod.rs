//! Output: summary.json, runs.csv, series.csv, charts and report.html (DESIGN.md §7).

pub mod charts;
pub mod html;
