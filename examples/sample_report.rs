//! Writes the charts and report.html of a hand-built sample summary into a folder, to look at them
//! without running the engine: `cargo run --example sample_report -- /tmp/sample`.
//! With `SOURCE_DATE_EPOCH` set the report is dated from it and leaves the wall time out.

#[path = "../tests/common/sample.rs"]
mod sample;

use std::path::PathBuf;
use std::time::Instant;

use crossroads::report::{charts, html};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "sample-output".to_string()));
    let started = Instant::now();
    let summary = sample::summary();
    let charts = charts::write_run_charts(&summary, &dir)?;
    let date = html::report_date()?;
    let metadata = html::RunMetadata {
        seed: summary.seed,
        runs: summary.runs,
        version: summary.version.clone(),
        date: Some(date.date),
        wall_time: (!date.reproducible).then(|| started.elapsed().as_secs_f64()),
        threads: 1,
    };
    let register = sample::register();
    let report = html::RunReport {
        summary: &summary,
        metadata: &metadata,
        register: &register,
        scenario_toml: sample::SCENARIO_TOML,
        charts: &charts,
    };
    let path = dir.join("report.html");
    std::fs::write(&path, html::render_run_report(&report))?;
    println!(
        "{} charts and {} in {:.2} s",
        charts.len() * 2,
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
