//! A realistic run summary built by hand, for chart and report tests, the charts bench and the
//! sample in docs/: 10,000 runs of a South Caucasus scenario, twelve outcomes — probabilities near 0,
//! in the middle and near 1, a `first(...)` outcome with runs where the event never happened, and
//! series of 120 months from 2024-01.
//!
//! Numeric outcomes are made from stratified quantiles of a distribution (u = (i + ½)/n), so their
//! statistics and histograms agree with each other as the engine's would.

#![allow(dead_code)]

use crossroads::model::OutcomeKind;
use crossroads::scenario::{Distribution, RegisterEntry, YearMonth};
use crossroads::stats::{
    Histogram, NumericStatistics, OutcomeStatistics, OutcomeSummary, ProbabilityStatistics, SeriesPoint,
    Summary,
};

/// Runs in the sample.
pub const RUNS: u64 = 10_000;

/// Wilson 95% interval of successes out of runs.
pub fn probability(successes: u64, runs: u64) -> ProbabilityStatistics {
    let n = runs as f64;
    let p = successes as f64 / n;
    let z = 1.959_963_984_540_054;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    ProbabilityStatistics {
        successes,
        runs,
        probability: p,
        standard_error: (p * (1.0 - p) / n).sqrt(),
        lower: (centre - half).max(0.0),
        upper: (centre + half).min(1.0),
    }
}

/// Statistics of `runs` values at stratified quantiles of `distribution`, `undefined` runs apart,
/// with a histogram of `bins` equal bins from min to max (integers get one bin per value when few).
pub fn numeric(distribution: &Distribution, runs: u64, undefined: u64, bins: usize) -> NumericStatistics {
    let mut values: Vec<f64> =
        (0..runs).map(|i| distribution.quantile((i as f64 + 0.5) / runs as f64)).collect();
    values.sort_by(f64::total_cmp);
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let at = |q: f64| values[((q * n).ceil() as usize).clamp(1, values.len()) - 1];
    let (min, max) = (values[0], values[values.len() - 1]);
    let integers = values.iter().all(|v| v.fract() == 0.0) && max - min < bins as f64;
    let (low, width, count) = if integers {
        (min - 0.5, 1.0, (max - min) as usize + 1)
    } else if max > min {
        (min, (max - min) / bins as f64, bins)
    } else {
        (min - 0.5, 1.0, 1)
    };
    let edges: Vec<f64> = (0..=count).map(|i| low + width * i as f64).collect();
    let mut counts = vec![0u64; count];
    for v in &values {
        let bin = (((v - low) / width) as usize).min(count - 1);
        counts[bin] += 1;
    }
    NumericStatistics {
        runs,
        undefined,
        mean,
        sd,
        standard_error: sd / n.sqrt(),
        min,
        p5: at(0.05),
        p25: at(0.25),
        p50: at(0.5),
        p75: at(0.75),
        p95: at(0.95),
        max,
        histogram: Histogram { edges, counts },
    }
}

/// 120 monthly points from 2024-01, month m's distribution given by `at(m)`.
pub fn series(at: impl Fn(f64) -> Distribution) -> Vec<SeriesPoint> {
    let start = YearMonth::parse("2024-01").unwrap();
    (0..120u32)
        .map(|month| {
            let d = at(month as f64);
            SeriesPoint {
                month,
                date: start.plus(month).to_string(),
                mean: d.mean().unwrap(),
                p5: d.quantile(0.05),
                p25: d.quantile(0.25),
                p50: d.quantile(0.5),
                p75: d.quantile(0.75),
                p95: d.quantile(0.95),
            }
        })
        .collect()
}

fn outcome(
    name: &str,
    title: &str,
    measure: &str,
    unit: Option<&str>,
    statistics: OutcomeStatistics,
) -> OutcomeSummary {
    // The kind the compiler would give these measures.
    let kind = match &statistics {
        OutcomeStatistics::Probability(_) => OutcomeKind::Indicator,
        _ if measure.starts_with("first(") => OutcomeKind::FirstTime,
        _ => OutcomeKind::Value,
    };
    OutcomeSummary {
        kind,
        name: name.to_string(),
        title: title.to_string(),
        unit: unit.map(str::to_string),
        description: None,
        measure: measure.to_string(),
        measured_at: "2033-12".to_string(),
        given: None,
        scale: None,
        statistics,
        series: None,
        headline: false,
        share: measure.starts_with("home_share("),
        by_month: None,
    }
}

fn logistic(month: f64, midpoint: f64, rate: f64) -> f64 {
    1.0 / (1.0 + (-(month - midpoint) * rate).exp())
}

/// The sample summary: twelve outcomes, three of them series.
pub fn summary() -> Summary {
    use OutcomeStatistics::{Numeric, Probability};
    let home_share = |m: f64| 0.02 + 0.25 * logistic(m, 60.0, 0.08);
    let armenians_home = series(|m| {
        let level = 100_000.0 * home_share(m);
        Distribution::Pert { min: 0.0, mode: level * 0.6, max: (level * 3.2).min(100_000.0) }
    });
    let influence = series(|m| {
        let mean = 0.65 - 0.2 * logistic(m, 40.0, 0.1);
        let sd = 0.03 + 0.0012 * m;
        Distribution::beta_from_moments(mean, sd)
    });
    let tension = series(|m| {
        let mean = 0.55 - 0.15 * logistic(m, 50.0, 0.06);
        Distribution::Normal { mean, sd: 0.05 + 0.001 * m, min: 0.0, max: 1.0 }
    });
    let mut outcomes = vec![
        outcome(
            "peace_treaty",
            "Peace treaty signed",
            "agreed(peace_treaty)",
            None,
            Probability(probability(3_721, RUNS)),
        ),
        outcome(
            "any_clash",
            "At least one deadly armed clash",
            "ever(armed_clash)",
            None,
            Probability(probability(9_987, RUNS)),
        ),
        outcome(
            "russian_base_closed",
            "Russian base at Gyumri closed",
            "ever(base_closure)",
            None,
            Probability(probability(4, RUNS)),
        ),
        outcome(
            "turkey_intervenes",
            "Turkey intervenes militarily under the Shusha Declaration",
            "ever(turkish_intervention)",
            None,
            Probability(probability(213, RUNS)),
        ),
        outcome(
            "border_open",
            "Armenia–Turkey border open to trade",
            "ever(border_opening)",
            None,
            Probability(probability(5_480, RUNS)),
        ),
        outcome(
            "armenians_home",
            "Karabakh Armenians back home",
            "home(karabakh_armenians)",
            Some("persons"),
            Numeric(numeric(&Distribution::Pert { min: 0.0, mode: 9_000.0, max: 88_000.0 }, RUNS, 0, 40)),
        ),
        outcome(
            "first_clash",
            "Month of the first deadly clash",
            "first(armed_clash)",
            None,
            Numeric(numeric(
                &Distribution::Triangular { min: 0.0, mode: 2.0, max: 119.0 },
                RUNS - 1_234,
                1_234,
                40,
            )),
        ),
        outcome(
            "influence_2030",
            "Russian influence in January 2030",
            "russian_influence",
            Some("index 0–1"),
            Numeric(numeric(&Distribution::beta_from_moments(0.48, 0.11), RUNS, 0, 40)),
        ),
        outcome(
            "tension",
            "Armenia–Azerbaijan tension",
            "tension",
            Some("index 0–1"),
            Numeric(numeric(&Distribution::Normal { mean: 0.41, sd: 0.12, min: 0.0, max: 1.0 }, RUNS, 0, 40)),
        ),
        outcome(
            "clashes",
            "Deadly clashes over ten years",
            "count(armed_clash)",
            Some("clashes"),
            Numeric(numeric(&Distribution::Poisson { mean: 4.2 }, RUNS, 0, 40)),
        ),
        outcome(
            "return_terms",
            "Agreed terms of return",
            "settlement(karabakh_return)",
            Some("position 0–100"),
            Numeric(numeric(&Distribution::Pert { min: 5.0, mode: 28.0, max: 80.0 }, RUNS, 0, 40)),
        ),
        outcome(
            "home_share",
            "Share of displaced households back home",
            "home_share(karabakh_armenians)",
            Some("share of households"),
            Numeric(numeric(&Distribution::beta_from_moments(0.16, 0.09), RUNS, 0, 40)),
        ),
    ];
    // Agreed terms: measured over the runs with an agreement, on a scale whose ends mean something.
    if let Some(terms) = outcomes.iter_mut().find(|o| o.name == "return_terms") {
        terms.given = Some("agreed(karabakh_return)".to_string());
        terms.scale = Some(crossroads::stats::Scale {
            low: 0.0,
            high: 100.0,
            low_means: "Return only as Azerbaijani citizens".to_string(),
            high_means: "Return under international control".to_string(),
        });
        terms.statistics =
            Numeric(numeric(&Distribution::Pert { min: 5.0, mode: 28.0, max: 80.0 }, 6_000, 4_000, 40));
    }
    outcomes[5].series = Some(armenians_home);
    outcomes[7].series = Some(influence);
    outcomes[7].measured_at = "2030-01".to_string();
    outcomes[8].series = Some(tension);
    Summary {
        scenario: "south_caucasus_2024".to_string(),
        title: "South Caucasus security after the 2023 Karabakh offensive".to_string(),
        seed: 20_240_101,
        runs: RUNS,
        version: "0.1.0".to_string(),
        start: "2024-01".to_string(),
        horizon: 120,
        outcomes,
        approximation: None,
        stopping: None,
        evidence: None,
        correlations: None,
    }
}

/// A few rows of an assumptions register, sources with links and characters to escape.
pub fn register() -> Vec<RegisterEntry> {
    vec![
        RegisterEntry {
            kind: "driver",
            name: "russia_war_exit".to_string(),
            distribution: "categorical(frozen 0.45, settlement 0.35, gains 0.12, collapse 0.08)".to_string(),
            mean: None,
            p5: None,
            p95: None,
            unit: None,
            source: Some("Analyst judgement; RAND/Metaculus/Glimt ceasefire forecasts, May 2025".to_string()),
            description: Some("How Russia exits its war with Ukraine".to_string()),
        },
        RegisterEntry {
            kind: "driver",
            name: "turkey_guarantee_credibility".to_string(),
            distribution: "beta(α=8, β=3)".to_string(),
            mean: Some(8.0 / 11.0),
            p5: Some(0.4822),
            p95: Some(0.9152),
            unit: Some("probability".to_string()),
            source: Some("Shusha Declaration, 15 June 2021 <https://example.org/shusha?a=1&b=2>".to_string()),
            description: Some(
                "Probability Turkey acts on the Shusha Declaration if Azerbaijan is attacked".to_string(),
            ),
        },
        RegisterEntry {
            kind: "population",
            name: "karabakh_armenians".to_string(),
            distribution: "100,000 persons in 2,000 agents; threshold beta(α=5, β=2)".to_string(),
            mean: Some(100_000.0),
            p5: None,
            p95: None,
            unit: Some("persons".to_string()),
            source: Some("UNHCR, Armenia refugee response, October 2023".to_string()),
            description: Some("Armenians displaced from Karabakh in September 2023".to_string()),
        },
    ]
}

/// The scenario text shown at the end of the report: markup-like characters must come out escaped.
pub const SCENARIO_TOML: &str = r#"[scenario]
name = "south_caucasus_2024"
title = "South Caucasus security after the 2023 Karabakh offensive"
start = "2024-01"
horizon = 120
runs = 10000
seed = 20240101

[drivers.turkey_guarantee_credibility]
description = "Probability Turkey acts on the Shusha Declaration if Azerbaijan is attacked"
beta = { alpha = 8, beta = 3 }
source = "<script>alert('not code')</script> & friends"
"#;

/// Driver effects for the sample's outcomes, by hand: per outcome a categorical driver (four
/// categories, one with a long name) and four numeric drivers cut in thirds, swings from large to
/// within Monte Carlo error; the middle third of `turkey_guarantee_credibility` is the high one (an
/// effect no rank correlation sees). The last outcome is constant: no driver has a swing.
pub fn effects() -> crossroads::stats::Effects {
    use crossroads::stats::{BinEffect, BinLabel, DriverSwing, Effects, OutcomeEffects};
    let summary = summary();
    let last = summary.outcomes.len() - 1;
    let thirds = |cuts: (f64, f64)| {
        vec![
            BinLabel::Range { index: 0, count: 3, above: None, up_to: Some(cuts.0) },
            BinLabel::Range { index: 1, count: 3, above: Some(cuts.0), up_to: Some(cuts.1) },
            BinLabel::Range { index: 2, count: 3, above: Some(cuts.1), up_to: None },
        ]
    };
    let categories = ["frozen", "settlement", "gains", "collapse_with_a_rather_long_category_name"]
        .map(|c| BinLabel::Category(c.to_string()))
        .to_vec();
    let drivers: Vec<(&str, Vec<BinLabel>, Vec<f64>)> = vec![
        ("russia_war_exit", categories, vec![0.0, 0.1, -0.3, 0.5]),
        ("turkey_guarantee_credibility", thirds((0.681, 0.796)), vec![-0.1, 0.2, 0.05]),
        ("iran_posture", thirds((0.368, 0.514)), vec![-0.05, 0.0, 0.05]),
        ("western_engagement", thirds((0.43, 0.57)), vec![0.0, 0.01, 0.02]),
        ("russia_war_exit_month", thirds((27.5, 48.1)), vec![0.002, 0.0, -0.002]),
    ];
    let outcomes = summary
        .outcomes
        .iter()
        .enumerate()
        .map(|(index, outcome)| {
            let (probability, runs, centre, spread) = match &outcome.statistics {
                OutcomeStatistics::Probability(p) => (true, p.runs, p.probability, 1.0),
                OutcomeStatistics::Numeric(n) => (false, n.runs, n.mean, (n.p95 - n.p5).max(1e-9)),
            };
            let mut swings: Vec<DriverSwing> = drivers
                .iter()
                .map(|(name, labels, shifts)| {
                    let per_bin = runs / labels.len() as u64;
                    let bins: Vec<BinEffect> = labels
                        .iter()
                        .zip(shifts)
                        .map(|(label, shift)| {
                            let mut mean = centre + shift * spread * if index == last { 0.0 } else { 1.0 };
                            if probability {
                                mean = mean.clamp(0.0, 1.0);
                            }
                            let se = if probability {
                                (mean * (1.0 - mean) / per_bin.max(1) as f64).sqrt()
                            } else {
                                spread / 4.0 / (per_bin.max(1) as f64).sqrt()
                            };
                            BinEffect {
                                label: label.clone(),
                                runs: per_bin,
                                mean,
                                lower: (mean - 1.96 * se).max(if probability { 0.0 } else { f64::MIN }),
                                upper: (mean + 1.96 * se).min(if probability { 1.0 } else { f64::MAX }),
                                standard_error: se,
                            }
                        })
                        .collect();
                    let lowest =
                        (0..bins.len()).min_by(|&a, &b| bins[a].mean.total_cmp(&bins[b].mean)).unwrap();
                    let highest =
                        (0..bins.len()).max_by(|&a, &b| bins[a].mean.total_cmp(&bins[b].mean)).unwrap();
                    let swing = bins[highest].mean - bins[lowest].mean;
                    let swing_error =
                        (bins[highest].standard_error.powi(2) + bins[lowest].standard_error.powi(2)).sqrt();
                    DriverSwing {
                        driver: name.to_string(),
                        categorical: matches!(labels[0], BinLabel::Category(_)),
                        bins,
                        swing: (index != last).then_some(swing),
                        swing_error,
                        lowest,
                        highest,
                        explained: (swing / spread).powi(2).min(1.0) / 4.0,
                    }
                })
                .collect();
            swings.sort_by(|a, b| b.swing.unwrap_or(-1.0).total_cmp(&a.swing.unwrap_or(-1.0)));
            OutcomeEffects {
                outcome: outcome.name.clone(),
                title: outcome.title.clone(),
                probability,
                runs,
                drivers: swings,
            }
        })
        .collect();
    Effects { outcomes }
}
