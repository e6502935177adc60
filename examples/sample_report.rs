//! Writes the charts and report.html of a hand-built sample summary into a folder, to look at them
//! without running the engine: `cargo run --example sample_report -- /tmp/sample`.

#[path = "../tests/common/sample.rs"]
mod sample;

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "sample-output".to_string()));
    let summary = sample::summary();
    let charts = crossroads::report::charts::write_run_charts(&summary, &dir)?;
    for chart in &charts {
        println!("{}", chart.png.display());
    }
    Ok(())
}
