//! Sobol sensitivity indices from a Saltelli design, with bootstrap intervals.
//!
//! A Saltelli design evaluates the outcome at the N rows of two independent samples of the factors,
//! `A` and `B`, and at the N rows of each `ABᵢ`: `A` with its column `i` taken from `B`. From these
//! N·(k + 2) evaluations, for each factor `i`:
//! - the **first-order index** Sᵢ = Var(E[Y | Xᵢ]) / Var(Y), the share of the outcome's variance that
//!   factor `i` explains on its own, by Saltelli et al. (2010), table 2 (b):
//!   Sᵢ ≈ (1/N) Σⱼ (f(B)ⱼ − f̄) · (f(ABᵢ)ⱼ − f(A)ⱼ) / V, centred on the mean f̄ of A and B (the same
//!   expectation; without centring, an outcome whose mean is large next to its spread makes the
//!   estimate needlessly noisy);
//! - the **total index** S_Tᵢ = E[Var(Y | X₋ᵢ)] / Var(Y), its share with all its interactions, by
//!   Jansen (1999): S_Tᵢ ≈ (1/2N) Σⱼ (f(A)ⱼ − f(ABᵢ)ⱼ)² / V;
//!
//! where V is the variance of the 2N evaluations of `A` and `B` together.
//!
//! **Intervals.** Each index gets a 95% percentile interval and a standard error from a bootstrap
//! over the N rows (Efron & Tibshirani 1993): a resample draws N row numbers with replacement and
//! recomputes every index, V included, on the same rows, so the intervals carry the estimators' own
//! correlation. The design's rows must be independent draws (pseudo-random, as `engine::design`
//! makes them): on a quasi-random design the bootstrap would misstate the error. The resamples come
//! from a generator seeded by the caller, so the same evaluations give the same bits.
//!
//! An outcome that does not vary over the design has no indices: [`SobolError::NoVariance`], never
//! NaN. Nothing here knows the model: it sees numbers.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// The percentile interval's tails: 2.5% on each side, a 95% interval.
const TAIL: f64 = 0.025;

/// The evaluations of one outcome over a Saltelli design.
#[derive(Debug, Clone, Copy)]
pub struct SaltelliEvaluations<'a> {
    /// f at the N rows of `A`.
    pub a: &'a [f64],
    /// f at the N rows of `B`.
    pub b: &'a [f64],
    /// For each factor `i`, f at the N rows of `ABᵢ`.
    pub ab: &'a [Vec<f64>],
}

/// An index with its Monte Carlo error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The estimate from all N rows.
    pub value: f64,
    /// The bootstrap standard error.
    pub standard_error: f64,
    /// Lower end of the 95% bootstrap percentile interval.
    pub lower: f64,
    /// Upper end of the 95% bootstrap percentile interval.
    pub upper: f64,
}

/// One factor's indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolIndex {
    /// First-order index Sᵢ (Saltelli 2010).
    pub first: Estimate,
    /// Total index S_Tᵢ (Jansen 1999).
    pub total: Estimate,
}

/// Why indices could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SobolError {
    /// `A`, `B` and every `ABᵢ` must have the same number of rows, at least two.
    #[error(
        "a Saltelli design needs A, B and every AB_i with the same number of rows (at least 2); got A {a}, B {b}, AB {ab:?}"
    )]
    Shape {
        /// Rows of `A`.
        a: usize,
        /// Rows of `B`.
        b: usize,
        /// Rows of each `ABᵢ`.
        ab: Vec<usize>,
    },
    /// The outcome is the same in every evaluation: there is no variance to apportion.
    #[error(
        "the outcome does not vary over the design, so no share of its variance can be given to a factor"
    )]
    NoVariance,
    /// An evaluation is NaN or infinite.
    #[error("an evaluation of the outcome is not a finite number")]
    NotFinite,
}

/// The Sobol indices of every factor, each with a bootstrap interval from `resamples` resamples
/// drawn from a generator seeded with `seed`.
pub fn sobol_indices(
    evaluations: SaltelliEvaluations<'_>,
    resamples: usize,
    seed: u64,
) -> Result<Vec<SobolIndex>, SobolError> {
    let SaltelliEvaluations { a, b, ab } = evaluations;
    let n = a.len();
    if n < 2 || b.len() != n || ab.iter().any(|column| column.len() != n) {
        return Err(SobolError::Shape { a: n, b: b.len(), ab: ab.iter().map(Vec::len).collect() });
    }
    let all = a.iter().chain(b).chain(ab.iter().flatten());
    if all.clone().any(|value| !value.is_finite()) {
        return Err(SobolError::NotFinite);
    }
    let rows: Vec<usize> = (0..n).collect();
    let point = indices_on(&rows, a, b, ab).ok_or(SobolError::NoVariance)?;

    let mut generator = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut draws: Vec<Vec<(f64, f64)>> = vec![Vec::with_capacity(resamples); ab.len()];
    let mut resample = vec![0usize; n];
    for _ in 0..resamples {
        for row in resample.iter_mut() {
            *row = generator.random_range(0..n);
        }
        // A resample whose outcome happens to be constant has no indices: it is left out, which
        // only matters for outcomes that almost never vary (and then the interval is wide anyway).
        if let Some(indices) = indices_on(&resample, a, b, ab) {
            for (factor, index) in draws.iter_mut().zip(indices) {
                factor.push(index);
            }
        }
    }
    Ok(point
        .into_iter()
        .zip(draws)
        .map(|((first, total), draws)| {
            let (firsts, totals): (Vec<f64>, Vec<f64>) = draws.into_iter().unzip();
            SobolIndex { first: bootstrap_estimate(first, firsts), total: bootstrap_estimate(total, totals) }
        })
        .collect())
}

/// (Sᵢ, S_Tᵢ) for every factor over the given rows (repeats allowed); `None` when the outcome
/// does not vary over them.
fn indices_on(rows: &[usize], a: &[f64], b: &[f64], ab: &[Vec<f64>]) -> Option<Vec<(f64, f64)>> {
    let at = |values: &[f64], row: usize| values.get(row).copied().unwrap_or(0.0);
    let count = rows.len() as f64;
    let mean = rows.iter().map(|&row| at(a, row) + at(b, row)).sum::<f64>() / (2.0 * count);
    let variance =
        rows.iter().map(|&row| (at(a, row) - mean).powi(2) + (at(b, row) - mean).powi(2)).sum::<f64>()
            / (2.0 * count - 1.0);
    if variance <= 0.0 {
        return None;
    }
    Some(
        ab.iter()
            .map(|column| {
                let (mut first, mut total) = (0.0, 0.0);
                for &row in rows {
                    let (fa, fb, fab) = (at(a, row), at(b, row), at(column, row));
                    // Centred: the same expectation as Saltelli's f(B)·(f(ABᵢ) − f(A)), without the
                    // variance a large mean adds (an outcome on a 0–100 scale near 50).
                    first += (fb - mean) * (fab - fa);
                    total += (fa - fab).powi(2);
                }
                (first / count / variance, total / (2.0 * count) / variance)
            })
            .collect(),
    )
}

/// The estimate `value` with the standard error and 95% percentile interval of its bootstrap
/// `draws` (an infinite error and interval with fewer than two draws).
pub fn bootstrap_estimate(value: f64, mut draws: Vec<f64>) -> Estimate {
    if draws.len() < 2 {
        return Estimate {
            value,
            standard_error: f64::INFINITY,
            lower: f64::NEG_INFINITY,
            upper: f64::INFINITY,
        };
    }
    let count = draws.len() as f64;
    let mean = draws.iter().sum::<f64>() / count;
    let standard_error = (draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (count - 1.0)).sqrt();
    draws.sort_by(f64::total_cmp);
    let percentile = |p: f64| {
        let position = (p * (count - 1.0)).round() as usize;
        draws.get(position).copied().unwrap_or(value)
    };
    Estimate { value, standard_error, lower: percentile(TAIL), upper: percentile(1.0 - TAIL) }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// A Saltelli design of `k` factors over `n` rows, each factor from `sample(u)` of a uniform u.
    fn design(n: usize, k: usize, seed: u64, sample: impl Fn(f64) -> f64) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let mut generator = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut matrix = || -> Vec<Vec<f64>> {
            (0..n).map(|_| (0..k).map(|_| sample(generator.random::<f64>())).collect()).collect()
        };
        (matrix(), matrix())
    }

    /// Sobol indices of `f` on a fresh design.
    fn indices(
        n: usize,
        k: usize,
        sample: impl Fn(f64) -> f64,
        f: impl Fn(&[f64]) -> f64,
    ) -> Vec<SobolIndex> {
        let (a, b) = design(n, k, 2024, sample);
        let fa: Vec<f64> = a.iter().map(|row| f(row)).collect();
        let fb: Vec<f64> = b.iter().map(|row| f(row)).collect();
        let ab: Vec<Vec<f64>> = (0..k)
            .map(|i| {
                a.iter()
                    .zip(&b)
                    .map(|(ra, rb)| {
                        let mut row = ra.clone();
                        row[i] = rb[i];
                        f(&row)
                    })
                    .collect()
            })
            .collect();
        sobol_indices(SaltelliEvaluations { a: &fa, b: &fb, ab: &ab }, 400, 7).unwrap()
    }

    /// The analytic value lies within z = 4 bootstrap standard errors of the estimate, and the 95%
    /// interval is ordered around the estimate.
    fn assert_near(estimate: Estimate, analytic: f64, what: &str) {
        assert!(estimate.lower <= estimate.value && estimate.value <= estimate.upper, "{what}: {estimate:?}");
        assert!(
            (estimate.value - analytic).abs() <= 4.0 * estimate.standard_error,
            "{what}: estimate {estimate:?}, analytic {analytic}"
        );
        assert!(estimate.standard_error < 0.05, "{what}: too imprecise to test: {estimate:?}");
    }

    #[test]
    fn ishigami_indices_match_their_analytic_values() {
        // Ishigami & Homma (1990), a = 7, b = 0.1, Xᵢ ~ U(−π, π); analytic indices from
        // Sobol' & Levitan (1999): S = (0.3139, 0.4424, 0), S_T = (0.5576, 0.4424, 0.2437).
        let ishigami = |x: &[f64]| x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin();
        let found = indices(20_000, 3, |u| -PI + 2.0 * PI * u, ishigami);
        let first = [0.3139, 0.4424, 0.0];
        let total = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            assert_near(found[i].first, first[i], &format!("S{}", i + 1));
            assert_near(found[i].total, total[i], &format!("S_T{}", i + 1));
        }
    }

    #[test]
    fn g_function_indices_match_their_analytic_values() {
        // Sobol's G function, Xᵢ ~ U(0, 1): Vᵢ = 1/(3(1 + aᵢ)²), V = Π(1 + Vᵢ) − 1,
        // Sᵢ = Vᵢ/V, S_Tᵢ = Vᵢ Π_{j≠i}(1 + Vⱼ)/V.
        let a = [0.0, 1.0, 4.5, 9.0, 99.0];
        let g = |x: &[f64]| {
            x.iter().zip(a).map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a)).product::<f64>()
        };
        let partial: Vec<f64> = a.iter().map(|a| 1.0 / (3.0 * (1.0 + a) * (1.0 + a))).collect();
        let variance = partial.iter().map(|v| 1.0 + v).product::<f64>() - 1.0;
        let found = indices(20_000, a.len(), |u| u, g);
        for (i, vi) in partial.iter().enumerate() {
            let others: f64 =
                partial.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, v)| 1.0 + v).product();
            assert_near(found[i].first, vi / variance, &format!("S{}", i + 1));
            assert_near(found[i].total, vi * others / variance, &format!("S_T{}", i + 1));
        }
    }

    #[test]
    fn the_same_evaluations_give_the_same_bits() {
        let f = |x: &[f64]| x[0] + 2.0 * x[1] * x[1];
        let first = indices(500, 2, |u| u, f);
        let second = indices(500, 2, |u| u, f);
        assert_eq!(first, second);
    }

    #[test]
    fn a_constant_outcome_has_no_indices() {
        let constant = vec![1.5; 10];
        let ab = vec![constant.clone()];
        let result = sobol_indices(SaltelliEvaluations { a: &constant, b: &constant, ab: &ab }, 10, 1);
        assert_eq!(result, Err(SobolError::NoVariance));
    }

    #[test]
    fn mismatched_shapes_and_non_finite_values_are_errors() {
        let a = vec![1.0, 2.0, 3.0];
        let short = vec![1.0, 2.0];
        let ab = vec![a.clone()];
        assert!(matches!(
            sobol_indices(SaltelliEvaluations { a: &a, b: &short, ab: &ab }, 10, 1),
            Err(SobolError::Shape { .. })
        ));
        let nan = vec![1.0, f64::NAN, 3.0];
        assert_eq!(
            sobol_indices(SaltelliEvaluations { a: &a, b: &nan, ab: &ab }, 10, 1),
            Err(SobolError::NotFinite)
        );
    }
}
