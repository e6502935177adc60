//! The simulation's hot paths: one run of the bundled default scenario, the engine over 1,000 runs,
//! one month of a population, one BDM round. Target (issue 3): 10,000 runs of the default in ≤ 5 s
//! wall on 2 cores.
//!
//! `cargo bench --bench simulation`

use std::hint::black_box;
use std::path::Path;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crossroads::engine::stream::Stream;
use crossroads::engine::{self, Settings};
use crossroads::model::bargaining::{BdmScratch, bdm_round};
use crossroads::model::population::Agents;
use crossroads::model::quantile::Sampler;
use crossroads::model::streams::Purpose;
use crossroads::model::{Model, RunValues, World};
use crossroads::scenario::{self, Distribution};

fn default_model() -> Model {
    let loaded = scenario::load_str("default", crossroads::cli::DEFAULT_SCENARIO, Path::new("."), &[])
        .expect("the bundled default loads");
    Model::compile(&loaded.scenario).expect("the bundled default compiles")
}

fn runs(c: &mut Criterion) {
    let model = default_model();
    let series = model.series_outcomes().count() * model.horizon as usize;
    let (mut drivers, mut outcomes, mut values) =
        (vec![0.0; model.drivers.len()], vec![0.0; model.outcomes.len()], vec![0.0; series]);
    let mut world = World::new(&model);
    let mut run = 0u64;
    c.bench_function("one run of the default scenario (120 months)", |b| {
        b.iter(|| {
            run += 1;
            let out = RunValues { drivers: &mut drivers, outcomes: &mut outcomes, series: &mut values };
            world.simulate(20240101, run, out);
            black_box(&outcomes);
        })
    });
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    for threads in [1, 2] {
        let settings = Settings { runs: 1000, seed: 20240101, threads: Some(threads), progress: false };
        group.bench_function(format!("1,000 runs of the default scenario, {threads} thread(s)"), |b| {
            b.iter(|| black_box(engine::simulate(&model, &settings).expect("runs")))
        });
    }
    group.finish();
}

fn population_month(c: &mut Criterion) {
    let sampler = Sampler::new(&Distribution::Beta { alpha: 5.0, beta: 2.0 });
    let id = Purpose::Decision.stream("karabakh_armenians");
    let mut stream = Stream::new(1, 0, id);
    let mut agents = Agents::new(2000);
    c.bench_function("thresholds of 2,000 agents (beta 5, 2)", |b| {
        b.iter(|| agents.reset(&sampler, 0, &mut stream));
    });
    // A population partly home after a settlement: U = 0.55, noise 0.05.
    agents.reset(&sampler, 0, &mut stream);
    for _ in 0..6 {
        agents.decide(0.55, 0.05, &mut stream);
    }
    let settled = agents.clone();
    c.bench_function("population month, 2,000 agents, quiet", |b| {
        b.iter_batched(
            || settled.clone(),
            |mut agents| {
                agents.decide(0.56, 0.05, &mut stream);
                agents
            },
            BatchSize::SmallInput,
        )
    });
    c.bench_function("population month, 2,000 agents, flight then returns", |b| {
        b.iter_batched(
            || settled.clone(),
            |mut agents| {
                agents.flee(0.5, &mut stream);
                agents.decide(0.56, 0.05, &mut stream);
                agents
            },
            BatchSize::SmallInput,
        )
    });
}

fn bdm(c: &mut Criterion) {
    // The EC car-emission case: 10 actors.
    let capabilities = [0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08];
    let positions = [4.0, 7.0, 4.0, 4.0, 10.0, 10.0, 10.0, 7.0, 4.0, 7.0];
    let saliences = [0.8, 0.4, 0.2, 0.8, 0.6, 0.6, 0.9, 0.1, 1.0, 0.7];
    let mut next = [0.0; 10];
    let mut scratch = BdmScratch::new(10);
    c.bench_function("BDM round, 10 actors (EC case)", |b| {
        b.iter(|| {
            bdm_round(&capabilities, &saliences, black_box(&positions), 6.0, &mut next, &mut scratch);
            black_box(&next);
        })
    });
    let (c6, x6, s6) = (&capabilities[..6], [15.0, 40.0, 45.0, 20.0, 60.0, 40.0], &saliences[..6]);
    let mut next = [0.0; 6];
    c.bench_function("BDM round, 6 actors", |b| {
        b.iter(|| {
            bdm_round(c6, s6, black_box(&x6), 45.0, &mut next, &mut scratch);
            black_box(&next);
        })
    });
}

criterion_group!(benches, runs, population_month, bdm);
criterion_main!(benches);
