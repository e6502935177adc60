//! The cost of a run inside `crossroads explore` against the same work in `crossroads run`
//! (issue 10: within 15%). Both sides simulate the same number of runs of the shipped experiment
//! (scenarios/explore/south_caucasus_2024.toml) on one thread: `run` the scenario as written,
//! `explore` a Sobol design of 72 points (size 6, ten factors) × 20 replications = 1,440 runs, each
//! point's model made from the resolved scenario and its factors' `--set`s as the CLI makes it. The
//! runs differ (the factors change the model at each point), so a few per cent either way is the
//! model, not the machinery; what explore adds is loading and compiling each point's model once.
//!
//! Measured in the process's CPU time (`common/cpu_time.rs`), which a loaded machine disturbs
//! little. `cargo bench --bench explore`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
#[path = "common/cpu_time.rs"]
#[allow(dead_code, reason = "this bench reads the process's clock only")]
mod cpu_time;

use std::hint::black_box;
use std::path::Path;

use cpu_time::ProcessCpu;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crossroads::cli::explore::Plan;
use crossroads::engine::{self, Settings};
use crossroads::model::Model;
use crossroads::scenario;

const EXPERIMENT: &str = "scenarios/explore/south_caucasus_2024.toml";
const SIZE: u64 = 6;
const REPLICATIONS: u64 = 20;

fn explore_against_run(c: &mut Criterion<ProcessCpu>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(EXPERIMENT);
    let loaded = scenario::load_file(&path, &[]).expect("the shipped experiment loads");
    let model = Model::compile(&loaded.scenario).expect("it compiles");
    let seed = loaded.scenario.meta.seed;
    let plan = Plan::new(loaded, Some(SIZE), Some(REPLICATIONS), None, None)
        .unwrap_or_else(|_| panic!("the shipped experiment plans"));
    let runs = plan.runs();
    assert_eq!(runs, 72 * REPLICATIONS, "ten factors: Sobol size 6 is 6 · 12 points");
    let mut group = c.benchmark_group("explore against run");
    group.sample_size(10).throughput(Throughput::Elements(runs));
    group.bench_function(format!("run: {runs} runs of the experiment's scenario, 1 thread"), |b| {
        let settings = Settings { runs, seed, threads: Some(1), progress: false };
        b.iter(|| black_box(engine::simulate(&model, &settings).expect("runs")))
    });
    group.bench_function(format!("explore: {runs} runs (72 points × {REPLICATIONS}), 1 thread"), |b| {
        b.iter(|| black_box(plan.run(0..runs, Some(1), false).unwrap_or_else(|_| panic!("runs"))))
    });
    group.finish();
    let resolved = plan.resolved().to_string();
    let sets = plan.settings_of(0);
    let mut group = c.benchmark_group("explore's cost per point");
    group.sample_size(20);
    group.bench_function("load the resolved scenario with the point's --sets", |b| {
        b.iter(|| black_box(scenario::load_str("point", &resolved, Path::new("."), &sets).expect("loads")))
    });
    let prepared = scenario::Prepared::new("point", &resolved, Path::new(".")).expect("reads");
    group.bench_function("the point's scenario from the scenario read once (what explore does)", |b| {
        b.iter(|| black_box(prepared.scenario(&sets).expect("loads")))
    });
    let point = scenario::load_str("point", &resolved, Path::new("."), &sets).expect("loads");
    group.bench_function("compile the point's model", |b| {
        b.iter(|| black_box(Model::compile(&point.scenario).expect("compiles")))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ProcessCpu);
    targets = explore_against_run
}
criterion_main!(benches);
