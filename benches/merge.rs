//! `crossroads merge`'s statistics work: decoding shard states and absorbing them in chunk order,
//! then the summary — for 4 shards of the default scenario, at 2,048 runs (all in the exact prefix)
//! and at 12,288 runs (past the 10,000-run switch: sketches and exact sums).
//!
//! `cargo bench --bench merge`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use crossroads::engine::{self, Flow, Settings, shard_chunks};
use crossroads::model::Model;
use crossroads::scenario;
use crossroads::stats::{self, Layout, Tally};

fn default_model() -> Model {
    let loaded = scenario::load_str("default", crossroads::cli::DEFAULT_SCENARIO, Path::new("."), &[])
        .expect("the bundled default loads");
    Model::compile(&loaded.scenario).expect("the bundled default compiles")
}

/// The encoded states of `count` shards of a `runs`-run experiment.
fn shard_states(model: &Model, runs: u64, count: u64) -> Vec<Vec<u8>> {
    let settings = Settings { runs, seed: 1, threads: Some(2), progress: false };
    (0..count)
        .map(|index| {
            let chunks = shard_chunks(runs, index, count);
            let first = (chunks.start * engine::CHUNK_RUNS).min(runs);
            let mut tally = Tally::new(Layout::of(model), 1, first, runs, true);
            engine::run_chunks(model, &settings, chunks, |batch| {
                tally.add_batch(&batch, |_| false);
                Flow::Continue
            })
            .expect("the default runs");
            tally.finish();
            tally.encode()
        })
        .collect()
}

fn merge(c: &mut Criterion) {
    let model = default_model();
    let layout = Layout::of(&model);
    for runs in [2048, 12_288] {
        let states = shard_states(&model, runs, 4);
        c.bench_function(&format!("merge 4 shards of {runs} runs (decode, absorb, summarize)"), |b| {
            b.iter(|| {
                let mut tally = Tally::new(layout, 1, 0, runs, false);
                for state in &states {
                    let shard = Tally::decode(state, layout, 1).expect("a state just written");
                    tally.absorb(&shard).expect("shards in order");
                }
                tally.finish();
                black_box(stats::summarize_tally(&model, &tally))
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = merge
}
criterion_main!(benches);
