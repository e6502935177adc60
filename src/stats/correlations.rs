//! The rank correlations the runs achieved between correlated drivers (`[correlations]`, issue 13),
//! next to what the copula should give.
//!
//! For each stated pair with ρ ≠ 0: Spearman's ρ of the two drivers' drawn values over the runs (a
//! categorical driver's outcome index, ties at their mean rank) with its 95% interval on Fisher's z
//! scale, se = 1.06/√(n − 3) ([`super::sensitivity::spearman`]), over the exact prefix (the first
//! [`super::EXACT_RUNS`] runs). The *expected* value is the target for two continuous drivers. A
//! driver with few values ties, which lowers the attainable ρ of its values below the target of
//! its uniforms: for a categorical or 0/1 driver with a continuous one it is computed exactly
//! ([`tied_spearman`]); for two discrete drivers, or a Poisson one, it is not (`None`).

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use super::sensitivity::spearman;
use crate::engine::Simulation;
use crate::model::Model;
use crate::scenario::Distribution;
use crate::scenario::correlation::pearson_of_spearman;

/// Steps of the midpoint rule per category in [`tied_spearman`].
const STEPS: usize = 4096;

/// The achieved rank correlations of a run's correlated drivers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrelationsSummary {
    /// How the intervals are made.
    pub interval: String,
    /// Runs the coefficients are computed over.
    pub runs: u64,
    /// How the copula makes the correlations: `per-pair` (one latent normal per pair) or
    /// `cholesky` (`scenario::correlation::Construction`).
    pub construction: String,
    /// What that construction is and guarantees, in words.
    pub construction_note: String,
    /// One entry per stated pair with ρ ≠ 0, in file order.
    pub pairs: Vec<AchievedCorrelation>,
}

/// One pair's target and achieved rank correlation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AchievedCorrelation {
    /// `"a ~ b"` as the register names it.
    pub pair: String,
    /// The driver written first.
    pub first: String,
    /// The driver written second.
    pub second: String,
    /// The Spearman ρ the copula targets (the repaired value when `repair = true` changed it).
    pub target: f64,
    /// What the drawn values' ρ should be: the target, or lower where a discrete driver ties;
    /// absent when not computed (two discrete drivers, or a Poisson one).
    pub expected: Option<f64>,
    /// Spearman's ρ of the drawn values (absent when a driver was constant over the runs).
    pub spearman: Option<f64>,
    /// Lower end of its 95% interval.
    pub lower: Option<f64>,
    /// Upper end of its 95% interval.
    pub upper: Option<f64>,
    /// The first [`SCATTER_RUNS`] runs' (first, second) values, for the pair's scatter chart (a
    /// categorical driver's value is its outcome's index).
    #[serde(skip)]
    pub sample: Vec<(f64, f64)>,
    /// The first driver's outcomes in file order, when categorical.
    #[serde(skip)]
    pub first_outcomes: Option<Vec<String>>,
    /// The second driver's outcomes in file order, when categorical.
    #[serde(skip)]
    pub second_outcomes: Option<Vec<String>>,
}

/// Runs drawn in a pair's scatter chart: enough to see the dependence, few enough for an SVG.
pub const SCATTER_RUNS: usize = 2_000;

/// The summary of `simulation`'s correlated drivers, or `None` when the model has none.
pub fn achieved(model: &Model, simulation: &Simulation) -> Option<CorrelationsSummary> {
    let correlated = model.correlated.as_ref()?;
    let runs = simulation.runs as usize;
    let column = |driver: usize| -> Vec<f64> {
        (0..runs).map(|run| simulation.run_drivers(run).get(driver).copied().unwrap_or(f64::NAN)).collect()
    };
    let construction = correlated.copula.construction();
    let names: Vec<String> = correlated
        .drivers
        .iter()
        .map(|&d| model.drivers.get(d).map_or(String::new(), |d| d.name.clone()))
        .collect();
    let pairs = correlated
        .pairs
        .iter()
        .map(|&(a, b, target)| {
            let (first, second) = (model.drivers.get(a), model.drivers.get(b));
            let name =
                |d: Option<&crate::model::compile::DriverSpec>| d.map_or(String::new(), |d| d.name.clone());
            let (xs, ys) = (column(a), column(b));
            let achieved = spearman(&xs, &ys);
            let sample = xs.iter().zip(&ys).take(SCATTER_RUNS).map(|(&x, &y)| (x, y)).collect();
            let expected = match (first.map(|d| &d.distribution), second.map(|d| &d.distribution)) {
                (Some(x), Some(y)) => expected_spearman(x, y, target),
                _ => None,
            };
            AchievedCorrelation {
                pair: format!("{} ~ {}", name(first), name(second)),
                first: name(first),
                second: name(second),
                target,
                expected,
                spearman: achieved.map(|c| c.spearman),
                lower: achieved.map(|c| c.lower),
                upper: achieved.map(|c| c.upper),
                sample,
                first_outcomes: first.and_then(|d| d.outcomes.clone()),
                second_outcomes: second.and_then(|d| d.outcomes.clone()),
            }
        })
        .collect();
    Some(CorrelationsSummary {
        interval:
            "95%, Fisher's z = atanh ρ with standard error 1.06/√(n − 3) (Fieller, Hartley and Pearson \
                   1957)"
                .to_string(),
        runs: simulation.runs,
        construction: construction.name().to_string(),
        construction_note: construction.sentence(&names),
        pairs,
    })
}

/// What Spearman's ρ of two drivers' values should be under a copula targeting `target`.
fn expected_spearman(x: &Distribution, y: &Distribution, target: f64) -> Option<f64> {
    match (steps(x), steps(y)) {
        (None, None) if !x.is_discrete() && !y.is_discrete() => Some(target),
        (Some(weights), None) if !y.is_discrete() => Some(tied_spearman(&weights, target)),
        (None, Some(weights)) if !x.is_discrete() => Some(tied_spearman(&weights, target)),
        _ => None,
    }
}

/// The probabilities of a driver's values in order, for a categorical or 0/1 driver.
fn steps(d: &Distribution) -> Option<Vec<f64>> {
    match d {
        Distribution::Categorical(outcomes) => Some(outcomes.iter().map(|(_, w)| *w).collect()),
        Distribution::Bernoulli(p) => Some(vec![1.0 - p, *p]),
        _ => None,
    }
}

/// Spearman's ρ (mid-ranks) of a driver with values of probabilities `weights` (in order) and a
/// continuous driver, under a Gaussian copula that targets `target` on their uniforms: with V the
/// continuous one's uniform, E[V | U = u] = Φ(r Φ⁻¹(u) / √(2 − r²)), r = 2 sin(π ρ_s / 6); the
/// discrete one's mid-rank value on its k-th interval is m_k = (C_{k−1} + C_k)/2, so
/// ρ = (Σ m_k ∫ E[V | u] du − ¼) / √((Σ w_k m_k² − ¼)/12), the integrals by a midpoint rule.
pub fn tied_spearman(weights: &[f64], target: f64) -> f64 {
    let unit = Normal::standard();
    let r = pearson_of_spearman(target);
    let scale = (2.0 - r * r).sqrt();
    let (mut below, mut cross, mut square) = (0.0, 0.0, 0.0);
    for &w in weights {
        let mid = below + w / 2.0;
        let sum: f64 = (0..STEPS)
            .map(|i| unit.cdf(r * unit.inverse_cdf(below + w * (i as f64 + 0.5) / STEPS as f64) / scale))
            .sum();
        cross += mid * sum * w / STEPS as f64;
        square += w * mid * mid;
        below += w;
    }
    (cross - 0.25) / ((square - 0.25) / 12.0).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_lower_the_attainable_rank_correlation() {
        let war = [0.45, 0.35, 0.12, 0.08];
        let tied = tied_spearman(&war, 0.6);
        assert!((tied - 0.5502).abs() < 5e-4, "{tied}");
        assert!(tied_spearman(&war, 0.0).abs() < 1e-12);
        assert!((tied_spearman(&war, -0.6) + tied).abs() < 1e-9);
        // Many equal categories approach the continuous case.
        let fine = vec![0.01; 100];
        assert!((tied_spearman(&fine, 0.5) - 0.5).abs() < 2e-3);
    }
}
