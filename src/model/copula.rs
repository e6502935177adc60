//! Rank correlations between drivers (issue 13): a Gaussian copula on each run's driver uniforms.
//!
//! Each driver keeps its own uniform from its own stream, so every marginal stays exactly the
//! declared distribution (the quantile function is applied afterwards) and `compare` meets the same
//! uniforms with and without correlations. The uniforms of the correlated drivers become normals
//! z = Φ⁻¹(u), are mixed by the Cholesky factor L of the Pearson matrix of the normals
//! (ρ = 2 sin(π ρ_s / 6) for a target Spearman ρ_s), and go back through Φ.
//!
//! Order: drivers enter in the order they first appear in `[correlations]`, and row k of L only
//! mixes the normals of drivers 0..=k. So appending a pair that brings in a new driver changes only
//! that driver's values, run by run; drivers in no pair are never touched.
//!
//! Drivers in no pair never go through the copula; neither does the first driver of the group, nor
//! any driver whose row of L is the identity's (uncorrelated with every driver before it): their
//! uniforms stay bit for bit the stream's.
//!
//! The matrix was checked by the loader (`scenario::correlation`: positive definite, or repaired);
//! the Cholesky factor is that module's, computed once per model.

use statrs::distribution::{ContinuousCDF, Normal};

pub use crate::scenario::correlation::{NotPositiveDefinite, pearson_of_spearman};
use crate::scenario::correlation::{cholesky, pearson_matrix};

/// The most extreme uniforms a copula hands back: the smallest a stream draws (½·2⁻⁵³) and
/// 1 − 2⁻⁵², where `Distribution::quantile` clamps; every distribution is checked at both
/// (`scenario::distribution::CHECKED_PROBABILITIES`).
const LOWEST: f64 = 0.5 / 9_007_199_254_740_992.0;
const HIGHEST: f64 = 1.0 - f64::EPSILON;

/// The copula of a group of correlated drivers.
#[derive(Debug, Clone)]
pub struct Copula {
    /// Lower-triangular Cholesky factor, row-major, `size × size`.
    lower: Vec<f64>,
    size: usize,
    /// Per row: whether it mixes in any earlier driver (else its uniform is left alone).
    mixes: Vec<bool>,
}

impl Copula {
    /// The copula for a symmetric matrix of target Spearman correlations (`size × size`,
    /// row-major, ones on the diagonal), in copula order.
    pub fn new(spearman: &[f64], size: usize) -> Result<Self, NotPositiveDefinite> {
        let lower = cholesky(&pearson_matrix(spearman, size), size)?;
        let mixes = (0..size)
            .map(|row| lower.get(row * size..row * size + row).is_some_and(|l| l.iter().any(|&x| x != 0.0)))
            .collect();
        Ok(Copula { lower, size, mixes })
    }

    /// The number of drivers in the group.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Replaces the group's uniforms (copula order) by their correlated versions; `normals` is
    /// scratch of the same length.
    pub fn apply(&self, uniforms: &mut [f64], normals: &mut [f64]) {
        let unit = Normal::standard();
        for (z, &u) in normals.iter_mut().zip(uniforms.iter()) {
            *z = unit.inverse_cdf(u);
        }
        for (row, u) in uniforms.iter_mut().enumerate().take(self.size) {
            if !self.mixes.get(row).copied().unwrap_or(false) {
                continue;
            }
            let coefficients = self.lower.get(row * self.size..=row * self.size + row).unwrap_or(&[]);
            let x: f64 = coefficients.iter().zip(normals.iter()).map(|(l, z)| l * z).sum();
            *u = unit.cdf(x).clamp(LOWEST, HIGHEST);
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::engine::stream::{Stream, StreamId};

    /// Spearman's ρ of two samples (no ties: continuous uniforms).
    fn spearman(a: &[f64], b: &[f64]) -> f64 {
        let ranks = |x: &[f64]| {
            let mut order: Vec<usize> = (0..x.len()).collect();
            order.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
            let mut rank = vec![0.0; x.len()];
            for (r, &i) in order.iter().enumerate() {
                rank[i] = r as f64;
            }
            rank
        };
        let (ra, rb) = (ranks(a), ranks(b));
        let n = a.len() as f64;
        let mean = (n - 1.0) / 2.0;
        let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - mean) * (y - mean)).sum();
        let var: f64 = ra.iter().map(|x| (x - mean) * (x - mean)).sum();
        cov / var
    }

    /// Draws `runs` rows of `size` uniforms (one stream per driver, as the world does) and
    /// applies the copula; returns the columns.
    fn sample(copula: &Copula, size: usize, runs: u64) -> Vec<Vec<f64>> {
        let ids: Vec<StreamId> = (0..size).map(|k| StreamId::new("driver", &format!("d{k}"))).collect();
        let mut columns = vec![Vec::new(); size];
        let (mut row, mut scratch) = (vec![0.0; size], vec![0.0; size]);
        for run in 0..runs {
            for (u, id) in row.iter_mut().zip(&ids) {
                *u = Stream::new(7, run, *id).uniform();
            }
            copula.apply(&mut row, &mut scratch);
            for (column, &u) in columns.iter_mut().zip(&row) {
                column.push(u);
            }
        }
        columns
    }

    /// Achieved Spearman within z = 4 of the target on the Fisher scale (var ≈ 1.06 / (n − 3)),
    /// and every marginal uniform (KS at 1.95/√n, the 0.1% level as in the distribution tests),
    /// at 20,000 runs, for a 2×2 and a 4×4 matrix.
    #[test]
    fn achieved_rank_correlations_match_the_targets_and_marginals_stay_uniform() {
        let runs = 20_000;
        let cases: [(usize, Vec<f64>); 2] = [
            (2, vec![1.0, -0.4, -0.4, 1.0]),
            (
                4,
                vec![
                    1.0, 0.5, -0.3, 0.2, //
                    0.5, 1.0, 0.0, 0.4, //
                    -0.3, 0.0, 1.0, -0.2, //
                    0.2, 0.4, -0.2, 1.0,
                ],
            ),
        ];
        for (size, target) in cases {
            let copula = Copula::new(&target, size).unwrap();
            let columns = sample(&copula, size, runs);
            let n = runs as f64;
            for i in 0..size {
                let mut sorted = columns[i].clone();
                sorted.sort_by(f64::total_cmp);
                let ks = sorted
                    .iter()
                    .enumerate()
                    .map(|(k, &u)| (u - k as f64 / n).abs().max((u - (k + 1) as f64 / n).abs()))
                    .fold(0.0, f64::max);
                assert!(ks < 1.95 / n.sqrt(), "marginal {i}: KS {ks}");
                for j in 0..i {
                    let achieved = spearman(&columns[i], &columns[j]);
                    let expected = target[i * size + j];
                    let z = (achieved.atanh() - expected.atanh()) / (1.06 / (n - 3.0)).sqrt();
                    assert!(z.abs() < 4.0, "{i}~{j}: ρ_s {achieved} for {expected} (z = {z})");
                }
            }
        }
    }

    #[test]
    fn appending_a_driver_leaves_the_earlier_ones_unchanged() {
        let two = Copula::new(&[1.0, 0.6, 0.6, 1.0], 2).unwrap();
        let three = Copula::new(&[1.0, 0.6, 0.0, 0.6, 1.0, -0.5, 0.0, -0.5, 1.0], 3).unwrap();
        let (a, b) = (sample(&two, 2, 500), sample(&three, 3, 500));
        assert_eq!(a[0], b[0]);
        assert_eq!(a[1], b[1]);
    }
}
