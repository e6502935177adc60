//! Tests of the model through the engine's streams: closed forms and statistical checks with
//! fixed seeds and tolerances from the Monte Carlo error (z stated at each).

use super::term::OutcomeKind;
use super::testing::*;
use crate::scenario::{
    Agreement, BargainingModel, Distribution, Factor, Flee, Function, Operation, Quantity, Window,
};

/// Kolmogorov–Smirnov distance between a sample and a CDF. For a discrete distribution on whole
/// numbers the left limit F(x−) is F(x − 1), which keeps the statistic exact.
fn ks_distance(sample: &[f64], cdf: impl Fn(f64) -> f64, discrete: bool) -> f64 {
    let mut sorted = sample.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let mut worst: f64 = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let x = sorted[i];
        let mut j = i;
        while j < sorted.len() && sorted[j] == x {
            j += 1;
        }
        let below = if discrete { cdf(x - 1.0) } else { cdf(x) };
        worst = worst.max((cdf(x) - j as f64 / n).abs()).max((below - i as f64 / n).abs());
        i = j;
    }
    worst
}

#[test]
fn every_distribution_is_sampled_exactly_through_the_driver_streams() {
    let categories = vec![
        ("frozen".into(), 0.45),
        ("settlement".into(), 0.35),
        ("gains".into(), 0.12),
        ("collapse".into(), 0.08),
    ];
    let cases = vec![
        Distribution::Fixed(0.4),
        Distribution::Uniform { min: 0.2, max: 0.6 },
        Distribution::Normal { mean: 0.0, sd: 1.0, min: f64::NEG_INFINITY, max: f64::INFINITY },
        Distribution::Normal { mean: 1.0, sd: 2.0, min: 0.0, max: 4.0 },
        Distribution::lognormal_from_interval(10.0, 40.0),
        Distribution::LogNormal { mu: 0.5, sigma: 0.3 },
        Distribution::Beta { alpha: 8.0, beta: 3.0 },
        Distribution::beta_from_moments(0.3, 0.1),
        Distribution::Triangular { min: 6.0, mode: 30.0, max: 96.0 },
        Distribution::Pert { min: 1.0, mode: 2.0, max: 7.0 },
        Distribution::Bernoulli(0.3),
        Distribution::Categorical(categories.clone()),
        Distribution::Poisson { mean: 3.0 },
    ];
    let mut s = scenario(1);
    s.drivers = cases.iter().enumerate().map(|(i, d)| driver(&format!("d{i}"), d.clone())).collect();
    let runs = 20_000;
    let (_, simulation) = run(&s, runs, 20240101);
    for (i, distribution) in cases.iter().enumerate() {
        let sample: Vec<f64> = (0..runs as usize).map(|k| simulation.run_drivers(k)[i]).collect();
        let n = runs as f64;
        let mean = sample.iter().sum::<f64>() / n;
        let variance = sample.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let fourth = sample.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n;
        let (true_mean, true_variance) = match distribution {
            Distribution::Categorical(c) => {
                let m: f64 = c.iter().enumerate().map(|(k, (_, p))| k as f64 * p).sum();
                (m, c.iter().enumerate().map(|(k, (_, p))| (k as f64 - m).powi(2) * p).sum())
            }
            d => (d.mean().unwrap(), d.variance().unwrap()),
        };
        // Mean within z = 4 standard errors; variance within z = 4 of its standard error
        // √((μ₄ − σ⁴)/n) estimated from the sample. A constant must be exact.
        let mean_tolerance = 4.0 * (true_variance / n).sqrt() + 1e-12;
        let variance_tolerance = 4.0 * ((fourth - variance * variance).max(0.0) / n).sqrt() + 1e-12;
        assert!((mean - true_mean).abs() <= mean_tolerance, "{distribution:?}: mean {mean} vs {true_mean}");
        assert!(
            (variance - true_variance).abs() <= variance_tolerance,
            "{distribution:?}: variance {variance} vs {true_variance}"
        );
        if !matches!(distribution, Distribution::Fixed(_)) {
            // KS critical value at the 0.1% level: 1.95/√n (conservative for discrete laws).
            let ks = ks_distance(&sample, |x| distribution.cdf(x), distribution.is_discrete());
            assert!(ks < 1.95 / n.sqrt(), "{distribution:?}: KS {ks}");
        }
    }
}

#[test]
fn an_unlinked_event_fires_by_month_24_with_the_geometric_probability() {
    let mut s = scenario(24);
    s.events = vec![hazard("clash", 0.02)];
    s.outcomes = vec![
        outcome("ever", vec![Factor::Call(Function::Ever, "clash".into())], false),
        outcome("count", vec![Factor::Call(Function::Count, "clash".into())], false),
    ];
    let runs = 40_000;
    let (_, simulation) = run(&s, runs, 7);
    let fired = simulation.outcome_values(0).filter(|&x| x == 1.0).count() as f64 / runs as f64;
    let p = 1.0 - 0.98f64.powi(24);
    let se = (p * (1.0 - p) / runs as f64).sqrt();
    assert!((fired - p).abs() < 4.0 * se, "P(fired by 24) = {fired}, expected {p} ± {}", 4.0 * se); // z = 4
    // With duration 1 the count is binomial(24, 0.02): mean 0.48.
    let count = simulation.outcome_values(1).sum::<f64>() / runs as f64;
    let se = (24.0 * 0.02 * 0.98 / runs as f64).sqrt();
    assert!((count - 0.48).abs() < 4.0 * se, "mean count {count}"); // z = 4
}

/// `count(e, from, to)` against its definition: the months of [from, to] in which the event
/// fired, read off the series of `count(e)` (C(to) − C(from − 1)), at the end of the run and month
/// by month while the window runs. The horizon crosses two 64-month words of the bitset.
#[test]
fn a_windowed_count_is_the_firings_within_its_months() {
    let mut s = scenario(150);
    s.events = vec![hazard("clash", 0.3)];
    let windows = [(0, 0), (0, 63), (60, 70), (63, 64), (10, 149), (128, 149), (149, 149), (5, 140)];
    let within = |from, to| Factor::Within(Function::CountWithin, "clash".into(), Window { from, to });
    s.outcomes = vec![
        outcome("count", vec![Factor::Call(Function::Count, "clash".into())], true),
        outcome("running", vec![within(60, 70)], true),
    ];
    for (from, to) in windows {
        s.outcomes.push(outcome(&format!("w{from}_{to}"), vec![within(from, to)], false));
    }
    let (model, simulation) = run(&s, 200, 11);
    assert!(model.outcomes.iter().skip(1).all(|o| o.kind == OutcomeKind::Count));
    let cumulative = |run: usize, month: i64| {
        if month < 0 { 0.0 } else { simulation.series_values(0, month as u32)[run] }
    };
    let mut fired = 0.0;
    for run in 0..200 {
        for (k, &(from, to)) in windows.iter().enumerate() {
            let expected = cumulative(run, i64::from(to)) - cumulative(run, i64::from(from) - 1);
            assert_eq!(simulation.run_outcomes(run)[2 + k], expected, "run {run}, window {from}–{to}");
        }
        for month in 0..150 {
            let running = simulation.series_values(1, month)[run];
            let expected = if month < 60 {
                0.0
            } else {
                cumulative(run, i64::from(month.min(70))) - cumulative(run, 59)
            };
            assert_eq!(running, expected, "run {run}, month {month}");
        }
        fired += simulation.run_outcomes(run)[2 + 4];
    }
    // Binomial(140, 0.3) firings in months 10–149: mean 42, standard error of the mean over 200
    // runs 0.38; within 5 (z = 13) only checks that firings reach the bits, not the hazard.
    assert!((fired / 200.0 - 42.0).abs() < 5.0, "{}", fired / 200.0);
}

#[test]
fn a_noise_free_variable_follows_the_closed_form() {
    let mut s = scenario(60);
    s.drivers = vec![driver("push", Distribution::Fixed(0.5))];
    let mut v = variable("influence", 0.2, 0.8, 0.1, 0.0);
    v.links = vec![link(vec![Factor::Driver("push".into())], 0.2)];
    s.variables = vec![v];
    s.outcomes = vec![outcome("influence", vec![Factor::Variable("influence".into())], true)];
    let (_, simulation) = run(&s, 3, 1);
    // target* = 0.8 + 0.2·0.5; the series records the end of month m, after m + 1 updates.
    let target = 0.9;
    for month in 0..60u32 {
        let expected = target + (0.2 - target) * 0.9f64.powi(month as i32 + 1);
        for &x in simulation.series_values(0, month) {
            assert!((x - expected).abs() < 1e-9, "month {month}: {x} vs {expected}");
        }
    }
}

#[test]
fn a_population_without_peers_or_noise_ends_at_the_threshold_cdf() {
    let threshold = Distribution::Beta { alpha: 5.0, beta: 2.0 };
    let u = 0.6;
    let mut s = scenario(12);
    s.populations = vec![population("displaced", 1000, threshold.clone(), u, 0.0, 0.0)];
    s.outcomes = vec![outcome("share", vec![Factor::Call(Function::HomeShare, "displaced".into())], false)];
    let runs = 2000;
    let (_, simulation) = run(&s, runs, 3);
    let share = simulation.outcome_values(0).sum::<f64>() / runs as f64;
    let f = threshold.cdf(u);
    // Each run's share is a mean of 1000 Bernoulli(F(u)): se = √(F(1 − F)/(1000·runs)); z = 4.
    let se = (f * (1.0 - f) / (1000.0 * runs as f64)).sqrt();
    assert!((share - f).abs() < 4.0 * se, "home share {share} vs F(u) = {f}");
}

#[test]
fn adding_a_driver_or_event_leaves_every_other_draw_unchanged() {
    let mut a = scenario(36);
    a.drivers = vec![
        driver("exit", Distribution::Categorical(vec![("frozen".into(), 0.6), ("collapse".into(), 0.4)])),
        driver("credibility", Distribution::Beta { alpha: 8.0, beta: 3.0 }),
        driver("exit_month", Distribution::Triangular { min: 6.0, mode: 30.0, max: 96.0 }),
    ];
    let mut clash = hazard("clash", 0.05);
    clash.trigger = crate::scenario::Trigger::Hazard {
        probability: 0.05,
        links: vec![link(vec![Factor::Driver("credibility".into())], -0.8)],
    };
    a.events = vec![clash, scheduled("exit_war", "exit_month")];
    a.variables = vec![variable("tension", 0.5, 0.4, 0.1, 0.05)];
    a.outcomes = vec![
        outcome("clashes", vec![Factor::Call(Function::Count, "clash".into())], false),
        outcome("first", vec![Factor::Call(Function::First, "clash".into())], false),
        outcome("tension", vec![Factor::Variable("tension".into())], false),
    ];
    let mut b = a.clone();
    b.drivers.insert(0, driver("new_driver", Distribution::Uniform { min: 0.0, max: 1.0 }));
    b.drivers.push(driver("another", Distribution::Bernoulli(0.5)));
    b.events.insert(0, hazard("new_event", 0.3));
    let runs = 300;
    let (_, sa) = run(&a, runs, 99);
    let (_, sb) = run(&b, runs, 99);
    for k in 0..runs as usize {
        let (da, db) = (sa.run_drivers(k), sb.run_drivers(k));
        assert_eq!(
            da.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            db[1..4].iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        let (oa, ob) = (sa.run_outcomes(k), sb.run_outcomes(k));
        assert_eq!(
            oa.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            ob.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
    }
}

#[test]
fn scheduled_events_fire_in_the_month_their_driver_names() {
    let mut s = scenario(40);
    s.drivers = vec![driver("when", Distribution::Uniform { min: -3.0, max: 50.0 })];
    s.events = vec![scheduled("exit", "when")];
    s.outcomes = vec![
        outcome("first", vec![Factor::Call(Function::First, "exit".into())], false),
        outcome("after", vec![Factor::Call(Function::After, "when".into())], true),
    ];
    let (_, simulation) = run(&s, 500, 5);
    for k in 0..500 {
        let when = simulation.run_drivers(k)[0];
        let first = simulation.run_outcomes(k)[0];
        if when.floor() >= 40.0 {
            assert!(first.is_nan(), "{when} fired at {first}");
        } else {
            assert_eq!(first, when.floor().max(0.0), "driver {when}");
        }
        for month in 0..40 {
            let after = simulation.series_values(0, month)[k];
            assert_eq!(after, f64::from(u8::from(f64::from(month) >= when.floor())));
        }
    }
}

#[test]
fn effects_apply_when_events_fire_and_are_clamped() {
    let mut s = scenario(5);
    let mut v = variable("tension", 0.5, 0.5, 0.0, 0.0);
    v.max = 1.0;
    s.variables = vec![v];
    let mut always = hazard("shock", 1.0);
    always.effects =
        vec![crate::scenario::Effect { variable: "tension".into(), operation: Operation::Add(0.2) }];
    s.events = vec![always];
    s.outcomes = vec![outcome("tension", vec![Factor::Variable("tension".into())], true)];
    let (_, simulation) = run(&s, 1, 1);
    // Probability 1 fires every month it is not active (duration 1): 0.7, 0.9, 1.0 (clamped), …
    let series: Vec<f64> = (0..5).map(|m| simulation.series_values(0, m)[0]).collect();
    for (x, expected) in series.iter().zip([0.7, 0.9, 1.0, 1.0, 1.0]) {
        assert!((x - expected).abs() < 1e-12, "{series:?}");
    }
}

#[test]
fn an_agreement_settles_at_the_forecast_and_stops_bargaining() {
    let mut s = scenario(24);
    s.actors = vec![actor("a", 0.5), actor("b", 0.3), actor("c", 0.2)];
    let mut deal = issue(
        "deal",
        BargainingModel::Compromise { concession: 0.5 },
        1,
        vec![stake("a", 20.0, 0.4), stake("b", 80.0, 0.3), stake("c", 50.0, 0.9)],
    );
    deal.agreement = Some(Agreement {
        parties: vec!["a".into(), "b".into()],
        within: 10.0,
        probability: 1.0,
        links: vec![],
    });
    s.issues = vec![deal];
    s.outcomes = vec![
        outcome("agreed", vec![Factor::Call(Function::Agreed, "deal".into())], false),
        outcome("settlement", vec![Factor::Call(Function::Settlement, "deal".into())], false),
        outcome("forecast", vec![Factor::Call(Function::Forecast, "deal".into())], true),
    ];
    let (model, simulation) = run(&s, 2, 1);
    assert!(model.outcomes[0].kind.is_probability());
    let values = simulation.run_outcomes(0);
    assert_eq!(values[0], 1.0);
    // The settlement is the forecast of the month it was agreed, which never changes after.
    let last = simulation.series_values(0, 23)[0];
    assert_eq!(values[1], last);
    assert_eq!(simulation.series_values(0, 22)[0], last);
}

#[test]
fn bdm_issues_run_inside_the_world_with_variable_bound_inputs() {
    use crate::model::bargaining::tests::EC_CAR_EMISSIONS;
    // The EC case with the Netherlands' capability and salience read from constant variables:
    // month 0 holds the first round, so its forecast is the published 7.461314378277189.
    let mut s = scenario(3);
    s.variables =
        vec![variable("nl_capability", 0.08, 0.08, 0.0, 0.0), variable("nl_salience", 0.8, 0.8, 0.0, 0.0)];
    s.actors = EC_CAR_EMISSIONS.iter().map(|(name, c, _, _)| actor(name, *c)).collect();
    s.actors[0].capability = Quantity::Variable("nl_capability".into());
    let mut stakes: Vec<_> = EC_CAR_EMISSIONS.iter().map(|(name, _, x, sal)| stake(name, *x, *sal)).collect();
    stakes[0].salience = Quantity::Variable("nl_salience".into());
    let mut ec = issue("emissions", BargainingModel::Bdm, 2, stakes);
    ec.scale = (4.0, 10.0);
    s.issues = vec![ec];
    s.outcomes = vec![outcome("forecast", vec![Factor::Call(Function::Forecast, "emissions".into())], true)];
    let (_, simulation) = run(&s, 1, 1);
    let forecast: Vec<f64> = (0..3).map(|m| simulation.series_values(0, m)[0]).collect();
    assert!((forecast[0] - 7.461314378277189).abs() < 1e-9, "{forecast:?}");
    // No round in month 1 (every = 2): the forecast holds; month 2 is round 2.
    assert_eq!(forecast[1], forecast[0]);
    assert_ne!(forecast[2], forecast[1]);
}

#[test]
fn flights_send_agents_away_when_their_event_fires() {
    let mut s = scenario(6);
    let mut clash = hazard("clash", 0.0);
    clash.trigger = crate::scenario::Trigger::AtMonth(3);
    s.events = vec![clash];
    let mut p = population("displaced", 2000, Distribution::Uniform { min: 0.0, max: 1.0 }, 2.0, 0.0, 0.0);
    p.flee = Some(Flee { on: "clash".into(), probability: 1.0 });
    p.links = vec![link(vec![Factor::Active("clash".into())], -5.0)];
    s.populations = vec![p];
    s.outcomes = vec![outcome("home", vec![Factor::Call(Function::Home, "displaced".into())], true)];
    let (_, simulation) = run(&s, 1, 1);
    let home: Vec<f64> = (0..6).map(|m| simulation.series_values(0, m)[0]).collect();
    // Everyone goes home in month 0 (U = 2 > θ), all flee in month 3 and stay away while U < 0,
    // then return in month 4.
    assert_eq!(home, vec![20_000.0, 20_000.0, 20_000.0, 0.0, 20_000.0, 20_000.0]);
}

#[path = "../../benches/common/draws.rs"]
mod draws;

/// The draw-floor bench generates `benches/common/draws.rs`' counts: they must be what a default
/// run draws (means over runs 0–199 of the scenario's seed, rounded), so this fails when the model
/// starts drawing differently and the floor needs measuring again.
#[test]
fn a_default_run_makes_the_draws_the_floor_bench_generates() {
    use crate::engine::stream::tally;
    use crate::model::{Model, RunValues, World};

    let loaded =
        crate::scenario::load_str("default", crate::cli::DEFAULT_SCENARIO, std::path::Path::new("."), &[])
            .unwrap();
    let model = Model::compile(&loaded.scenario).unwrap();
    let series = model.series_outcomes().count() * model.horizon as usize;
    let (mut drivers, mut outcomes, mut values) =
        (vec![0.0; model.drivers.len()], vec![0.0; model.outcomes.len()], vec![0.0; series]);
    let mut world = World::new(&model);
    let runs = 200;
    tally::take();
    for run in 0..runs {
        let out = RunValues {
            drivers: &mut drivers,
            outcomes: &mut outcomes,
            series: &mut values,
            evidence: &mut [],
        };
        world.simulate(loaded.scenario.meta.seed, run, out).unwrap();
    }
    let mean = tally::take().map(|total| (total as f64 / runs as f64).round() as u64);
    let [streams, uniform, normal, exponential, geometric] = mean;
    assert_eq!(draws::Draws { streams, uniform, normal, exponential, geometric }, draws::DEFAULT_RUN);
}
