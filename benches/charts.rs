//! How long charts and report.html add to a run: every chart (PNG and SVG) and the page for a
//! twelve-outcome summary with three series (the sample in tests/common). Target: ≤ 1 s in release.
//!
//! `cargo bench --bench charts`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
#[path = "../tests/common/sample.rs"]
mod sample;

use criterion::{Criterion, criterion_group, criterion_main};
use crossroads::report::{charts, html};

fn charts_and_report(c: &mut Criterion) {
    let summary = sample::summary();
    let register = sample::register();
    let metadata = html::RunMetadata {
        seed: summary.seed,
        runs: summary.runs,
        version: summary.version.clone(),
        date: None,
        wall_time: None,
        threads: Some(1),
    };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    group.bench_function("all charts and report.html, 12 outcomes", |b| {
        b.iter(|| {
            let charts = charts::write_run_charts(&summary, dir.path()).expect("charts");
            let report = html::RunReport {
                summary: &summary,
                metadata: &metadata,
                register: &register,
                scenario_toml: sample::SCENARIO_TOML,
                charts: &charts,
                drivers: None,
            };
            html::render_run_report(&report)
        })
    });
    let overview = charts::overview_for(&summary).expect("0/1 outcomes");
    group.bench_function("one chart as SVG", |b| b.iter(|| charts::render_svg(&overview).expect("svg")));
    group
        .bench_function("one chart as pixels", |b| b.iter(|| charts::render_pixels(&overview).expect("png")));
    group.finish();
}

criterion_group!(benches, charts_and_report);
criterion_main!(benches);
