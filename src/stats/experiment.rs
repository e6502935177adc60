//! The analysis of an experiment (issue 10): for every outcome, each point's mean over its
//! replications, how much of the run-to-run spread is chance within a point, and the design's own
//! measures — Sobol indices ([`super::sobol`]) for a Saltelli design, Morris's μ*, μ, σ
//! ([`super::morris`]) for trajectories.
//!
//! **Chance.** The runs at one point differ only by chance (the model's own randomness); the points
//! differ by the factors too. The chance share is within / (within + between): `within` the mean
//! over points of the replications' sample variance, `between` the variance of the point means. With
//! common random numbers the noise of a point's mean is largely the same at every point and drops
//! out of `between`; where it does not, `between` also holds within/R and the chance share is
//! understated by at most a factor 1 − 1/R. Its 95% interval comes from a bootstrap that resamples
//! the points and, jointly, the replications (the same replications at every point, as they were
//! run), so it carries the error of both.
//!
//! The Sobol indices and Morris measures are computed on the point means: they split the part of
//! the spread that the factors explain. An outcome undefined in every run of some point (a
//! `first(...)` that never happened there) has no indices, said as such, never NaN.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

use super::morris::{MorrisError, MorrisIndex, Trajectory, morris_indices};
use super::sobol::{Estimate, SaltelliEvaluations, SobolError, SobolIndex, sobol_indices};
use crate::engine::experiment::PointRuns;

/// Bootstrap resamples for every interval of an experiment.
pub const RESAMPLES: usize = 500;

/// How the design's points are laid out, for the analysis.
#[derive(Debug, Clone, PartialEq)]
pub enum Layout {
    /// Saltelli: points `0..n` are `A`, `n..2n` are `B`, then `ABᵢ` for each factor, n each.
    Saltelli {
        /// Base rows N.
        rows: usize,
        /// Factors k.
        factors: usize,
    },
    /// Morris: `trajectories` trajectories of `factors + 1` consecutive points, with the unit
    /// coordinates of every point.
    Morris {
        /// The points' unit coordinates, in point order.
        units: Vec<Vec<f64>>,
        /// Factors k.
        factors: usize,
    },
    /// Points without a structure the analysis uses (Latin hypercube, grid).
    Plain,
}

/// The analysis of one outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeAnalysis {
    /// Each point's mean over its defined replications (NaN where none is defined).
    pub means: Vec<f64>,
    /// The share of the run-to-run variance that is chance within a point; `None` when the outcome
    /// does not vary at all or is undefined at some point.
    pub chance: Option<Estimate>,
    /// Sobol indices per factor (Saltelli layout), or why there are none.
    pub sobol: Option<Result<Vec<SobolIndex>, String>>,
    /// Morris measures per factor (Morris layout), or why there are none.
    pub morris: Option<Result<Vec<MorrisIndex>, String>>,
}

/// Analyses every outcome of the runs; the bootstraps are seeded with `seed`.
pub fn analyse(runs: &PointRuns, layout: &Layout, seed: u64) -> Vec<OutcomeAnalysis> {
    (0..runs.outcomes).map(|outcome| analyse_outcome(runs, layout, outcome, seed)).collect()
}

fn analyse_outcome(runs: &PointRuns, layout: &Layout, outcome: usize, seed: u64) -> OutcomeAnalysis {
    let means: Vec<f64> = (0..runs.points).map(|p| mean(runs.values_at(p, outcome))).collect();
    let undefined = means.iter().any(|m| !m.is_finite());
    // The points that are independent draws from the factors' distributions: A and B of a Saltelli
    // design (its ABᵢ rows repeat them), every point otherwise.
    let independent = match layout {
        Layout::Saltelli { rows, .. } => 2 * rows,
        _ => runs.points,
    };
    let chance = if undefined { None } else { chance_share(runs, outcome, independent, seed) };
    let undefined_reason = || "the outcome is undefined in every run of some design point".to_string();
    let sobol = match layout {
        Layout::Saltelli { .. } if undefined => Some(Err(undefined_reason())),
        Layout::Saltelli { rows, factors } => {
            let column = |i: usize| means.get(i * rows..(i + 1) * rows).unwrap_or(&[]).to_vec();
            let ab: Vec<Vec<f64>> = (0..*factors).map(|i| column(i + 2)).collect();
            let (a, b) = (column(0), column(1));
            Some(
                sobol_indices(SaltelliEvaluations { a: &a, b: &b, ab: &ab }, RESAMPLES, seed)
                    .map_err(|e: SobolError| e.to_string()),
            )
        }
        _ => None,
    };
    let morris = match layout {
        Layout::Morris { .. } if undefined => Some(Err(undefined_reason())),
        Layout::Morris { units, factors } => {
            let step = factors + 1;
            let trajectories: Vec<Trajectory> = units
                .chunks(step)
                .zip(means.chunks(step))
                .map(|(points, outcomes)| Trajectory { points: points.to_vec(), outcomes: outcomes.to_vec() })
                .collect();
            Some(morris_indices(&trajectories, *factors).map_err(|e: MorrisError| e.to_string()))
        }
        _ => None,
    };
    OutcomeAnalysis { means, chance, sobol, morris }
}

/// The mean of the finite values (NaN when there is none).
fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.filter(|v| v.is_finite()).fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    if count == 0 { f64::NAN } else { sum / count as f64 }
}

/// within / (within + between) over the first `points` points, with a bootstrap over points and
/// replications; `None` with fewer than two replications or points, or when nothing varies.
fn chance_share(runs: &PointRuns, outcome: usize, points: usize, seed: u64) -> Option<Estimate> {
    let r = runs.replications;
    if r < 2 || points < 2 {
        return None;
    }
    let value = |point: usize, replication: usize| {
        runs.values.get((point * r + replication) * runs.outcomes + outcome).copied().unwrap_or(f64::NAN)
    };
    let share = |point_rows: &mut dyn Iterator<Item = usize>, replications: &[usize]| -> Option<f64> {
        let (mut within, mut means, mut counted) = (0.0, Vec::with_capacity(points), 0usize);
        for point in point_rows {
            let values: Vec<f64> =
                replications.iter().map(|&rep| value(point, rep)).filter(|v| v.is_finite()).collect();
            if values.len() < 2 {
                return None;
            }
            let n = values.len() as f64;
            let m = values.iter().sum::<f64>() / n;
            within += values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
            means.push(m);
            counted += 1;
        }
        let within = within / counted as f64;
        let grand = means.iter().sum::<f64>() / counted as f64;
        let between = means.iter().map(|m| (m - grand).powi(2)).sum::<f64>() / (counted as f64 - 1.0);
        let total = within + between;
        (total > 0.0).then(|| within / total)
    };
    let all_replications: Vec<usize> = (0..r).collect();
    let point_estimate = share(&mut (0..points), &all_replications)?;
    let mut generator = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x6368_616e_6365); // "chance"
    let mut draws = Vec::with_capacity(RESAMPLES);
    let mut picked_points = vec![0usize; points];
    let mut picked_replications = vec![0usize; r];
    for _ in 0..RESAMPLES {
        for p in picked_points.iter_mut() {
            *p = generator.random_range(0..points);
        }
        for rep in picked_replications.iter_mut() {
            *rep = generator.random_range(0..r);
        }
        if let Some(draw) = share(&mut picked_points.iter().copied(), &picked_replications) {
            draws.push(draw);
        }
    }
    Some(super::sobol::bootstrap_estimate(point_estimate, draws))
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn chance_is_the_noise_share_when_points_differ_by_a_known_amount() {
        // Point means spread with variance 1 (values ±1), noise with variance 1 common to every
        // point (common random numbers): chance = 1 / (1 + 1).
        let (points, replications) = (400, 400);
        let mut generator = Xoshiro256PlusPlus::seed_from_u64(3);
        let noise: Vec<f64> =
            (0..replications).map(|_| if generator.random::<bool>() { 1.0 } else { -1.0 }).collect();
        let mut values = Vec::new();
        for p in 0..points {
            let level = if p % 2 == 0 { 1.0 } else { -1.0 };
            values.extend(noise.iter().map(|e| level + e));
        }
        let runs = PointRuns { points, replications, outcomes: 1, values };
        let analysis = analyse(&runs, &Layout::Plain, 1);
        let chance = analysis[0].chance.unwrap();
        assert!((chance.value - 0.5).abs() < 4.0 * chance.standard_error, "{chance:?}");
        assert!(chance.standard_error < 0.05, "{chance:?}");
    }

    #[test]
    fn an_outcome_undefined_at_a_point_has_no_indices() {
        let mut values = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        values[2] = f64::NAN;
        values[3] = f64::NAN;
        let runs = PointRuns { points: 4, replications: 2, outcomes: 1, values };
        let analysis = analyse(&runs, &Layout::Saltelli { rows: 1, factors: 2 }, 1);
        assert!(analysis[0].chance.is_none());
        assert!(matches!(analysis[0].sobol, Some(Err(_))));
    }
}
