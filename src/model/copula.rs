//! Rank correlations between drivers (issue 13): a Gaussian copula on each run's driver uniforms.
//!
//! Each driver keeps its own uniform u_i from its own stream, so every marginal stays exactly the
//! declared distribution (the quantile function is applied afterwards) and `compare` meets the same
//! uniforms with and without correlations. The uniforms of the correlated drivers become normals
//! z_i = Φ⁻¹(u_i), are mixed into normals x_i with the Pearson matrix R of the targets
//! (r = 2 sin(π ρ_s / 6) for a target Spearman ρ_s), and go back through Φ. Two constructions make R
//! ([`Construction`], chosen from the matrix alone):
//!
//! - **Per pair**, when every driver's load Σ_{p∋i} |r_p| is at most 1. Each pair p = (a, b) draws
//!   its own latent standard normal w_p from the stream ("correlation", "a ~ b"), the two names in
//!   byte order, and
//!   x_i = √(1 − Σ_{p∋i} |r_p|) · z_i + Σ_{p∋i} s_{i,p} · √|r_p| · w_p,
//!   with s = +1 for both drivers when r_p > 0, and +1 for the name that sorts first, −1 for the
//!   other, when r_p < 0. The z_i and w_p are independent standard normals, so x is Gaussian with
//!   Var x_i = (1 − Σ|r_p|) + Σ|r_p| = 1 and Cov(x_a, x_b) = s_a s_b |r_p| = r_p for the one latent
//!   they share (none for drivers in no common pair): exactly R. Driver i's value depends only on
//!   its own uniform and the pairs it is in, so adding, changing or removing a pair changes its two
//!   drivers' values and nothing else, run by run, whatever the order of the file.
//! - **Cholesky**, when some driver's load exceeds 1 (R is then positive definite but not
//!   diagonally dominant, and no shared latent of weight √|r_p| fits): x = L z with L the lower
//!   Cholesky factor of R, drivers in order of first appearance in `[correlations]`. Row k of L
//!   mixes drivers 0..=k, so a pair that brings in a new driver changes only that driver, but
//!   changing or adding a pair between two drivers already in the copula also moves drivers after
//!   the later one. `check` and summary.json say which construction a scenario uses.
//!
//! The per-pair form cannot be stretched to every matrix while keeping that guarantee: a driver's
//! loadings on its pairs' latents may depend only on the pairs it is in, so a pair's two loadings
//! can only be √|r_p|·λ_p and √|r_p|/λ_p with λ_p fixed by the pair alone; λ_p = 1 treats the two
//! drivers alike, and then load ≤ 1 is exactly what fits.
//!
//! Drivers in no pair never go through the copula, nor does a driver whose row mixes in nothing
//! (Cholesky: the first of a group, or one uncorrelated with every driver before it): their
//! uniforms stay bit for bit the stream's.
//!
//! The matrix was checked by the loader (`scenario::correlation`: positive definite, or repaired).

use statrs::distribution::{ContinuousCDF, Normal};

use super::streams::Purpose;
use crate::engine::stream::{Stream, StreamId};
pub use crate::scenario::correlation::{Construction, NotPositiveDefinite, pearson_of_spearman};
use crate::scenario::correlation::{cholesky, pearson_matrix};

/// The most extreme uniforms a copula hands back: the smallest a stream draws (½·2⁻⁵³) and
/// 1 − 2⁻⁵², where `Distribution::quantile` clamps; every distribution is checked at both
/// (`scenario::distribution::CHECKED_PROBABILITIES`).
const LOWEST: f64 = 0.5 / 9_007_199_254_740_992.0;
const HIGHEST: f64 = 1.0 - f64::EPSILON;

/// The copula of a group of correlated drivers.
#[derive(Debug, Clone)]
pub struct Copula {
    size: usize,
    /// Per driver: whether its normal mixes in anything (else its uniform is left alone).
    mixes: Vec<bool>,
    mixing: Mixing,
    construction: Construction,
}

/// How the normals are mixed.
#[derive(Debug, Clone)]
enum Mixing {
    /// Per driver the weight of its own normal, √(1 − load), and the pairs' latents.
    PerPair { own: Vec<f64>, latents: Vec<Latent> },
    /// Lower-triangular Cholesky factor, row-major, `size × size`.
    Cholesky { lower: Vec<f64> },
}

/// One pair's latent normal and its weights in its two drivers' normals.
#[derive(Debug, Clone)]
struct Latent {
    stream: StreamId,
    /// |r_p|: the share of each driver's variance the pair takes.
    share: f64,
    first: usize,
    first_weight: f64,
    second: usize,
    second_weight: f64,
}

impl Copula {
    /// The copula for a symmetric matrix of target Spearman correlations between `drivers`
    /// (row-major, ones on the diagonal, rows in copula order).
    pub fn new(spearman: &[f64], drivers: &[String]) -> Result<Self, NotPositiveDefinite> {
        let size = drivers.len();
        let pearson = pearson_matrix(spearman, size);
        let lower = cholesky(&pearson, size)?;
        let construction = Construction::of(spearman, size);
        let (mixes, mixing) = match construction {
            Construction::PerPair { .. } => {
                let mut latents = Vec::new();
                for i in 0..size {
                    for j in i + 1..size {
                        let r = pearson.get(i * size + j).copied().unwrap_or(0.0);
                        if r == 0.0 {
                            continue;
                        }
                        let (a, b) = (
                            drivers.get(i).map_or("", String::as_str),
                            drivers.get(j).map_or("", String::as_str),
                        );
                        // The names in byte order: the stream and the signs do not depend on the file's order.
                        let ((first, first_name), (second, second_name)) =
                            if a <= b { ((i, a), (j, b)) } else { ((j, b), (i, a)) };
                        let weight = r.abs().sqrt();
                        latents.push(Latent {
                            stream: Purpose::Correlation.stream(&format!("{first_name} ~ {second_name}")),
                            share: r.abs(),
                            first,
                            first_weight: weight,
                            second,
                            second_weight: weight.copysign(r),
                        });
                    }
                }
                // Each driver sums its latents in the order of the pairs' names.
                latents.sort_by(|x, y| {
                    let key = |l: &Latent| (drivers.get(l.first), drivers.get(l.second));
                    key(x).cmp(&key(y))
                });
                // Each driver's load summed in that order too.
                let mut load = vec![0.0; size];
                for latent in &latents {
                    let r = latent.share;
                    for driver in [latent.first, latent.second] {
                        if let Some(l) = load.get_mut(driver) {
                            *l += r;
                        }
                    }
                }
                let mixes: Vec<bool> =
                    (0..size).map(|i| latents.iter().any(|l| l.first == i || l.second == i)).collect();
                let own = load.iter().map(|l| (1.0 - l).max(0.0).sqrt()).collect();
                (mixes, Mixing::PerPair { own, latents })
            }
            Construction::Cholesky { .. } => {
                let mixes = (0..size)
                    .map(|row| {
                        lower.get(row * size..row * size + row).is_some_and(|l| l.iter().any(|&x| x != 0.0))
                    })
                    .collect();
                (mixes, Mixing::Cholesky { lower })
            }
        };
        Ok(Copula { size, mixes, mixing, construction })
    }

    /// The number of drivers in the group.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Which construction makes the correlations.
    pub fn construction(&self) -> Construction {
        self.construction
    }

    /// Replaces the group's uniforms (copula order) of run `run` under `seed` by their correlated
    /// versions; `normals` is scratch of the same length.
    pub fn apply(&self, seed: u64, run: u64, uniforms: &mut [f64], normals: &mut [f64]) {
        let unit = Normal::standard();
        for (z, &u) in normals.iter_mut().zip(uniforms.iter()) {
            *z = unit.inverse_cdf(u);
        }
        match &self.mixing {
            Mixing::PerPair { own, latents } => {
                for (x, &weight) in normals.iter_mut().zip(own) {
                    *x *= weight;
                }
                for latent in latents {
                    let w = unit.inverse_cdf(Stream::new(seed, run, latent.stream).uniform());
                    if let Some(x) = normals.get_mut(latent.first) {
                        *x += latent.first_weight * w;
                    }
                    if let Some(x) = normals.get_mut(latent.second) {
                        *x += latent.second_weight * w;
                    }
                }
                for ((u, &x), &mixes) in uniforms.iter_mut().zip(normals.iter()).zip(&self.mixes) {
                    if mixes {
                        *u = unit.cdf(x).clamp(LOWEST, HIGHEST);
                    }
                }
            }
            Mixing::Cholesky { lower } => {
                for (row, u) in uniforms.iter_mut().enumerate().take(self.size) {
                    if !self.mixes.get(row).copied().unwrap_or(false) {
                        continue;
                    }
                    let coefficients = lower.get(row * self.size..=row * self.size + row).unwrap_or(&[]);
                    let x: f64 = coefficients.iter().zip(normals.iter()).map(|(l, z)| l * z).sum();
                    *u = unit.cdf(x).clamp(LOWEST, HIGHEST);
                }
            }
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

    /// Driver names d0, d1, … for a `size × size` matrix.
    fn names(size: usize) -> Vec<String> {
        (0..size).map(|k| format!("d{k}")).collect()
    }

    /// Draws `runs` rows of uniforms (one stream per driver, named as `drivers`, as the world
    /// does) and applies the copula; returns the columns.
    fn sample_named(copula: &Copula, drivers: &[String], runs: u64) -> Vec<Vec<f64>> {
        let size = drivers.len();
        let ids: Vec<StreamId> = drivers.iter().map(|d| StreamId::new("driver", d)).collect();
        let mut columns = vec![Vec::new(); size];
        let (mut row, mut scratch) = (vec![0.0; size], vec![0.0; size]);
        for run in 0..runs {
            for (u, id) in row.iter_mut().zip(&ids) {
                *u = Stream::new(7, run, *id).uniform();
            }
            copula.apply(7, run, &mut row, &mut scratch);
            for (column, &u) in columns.iter_mut().zip(&row) {
                column.push(u);
            }
        }
        columns
    }

    fn sample(copula: &Copula, size: usize, runs: u64) -> Vec<Vec<f64>> {
        sample_named(copula, &names(size), runs)
    }

    /// Achieved Spearman within z = 4 of the target on the Fisher scale (var ≈ 1.06 / (n − 3)),
    /// and every marginal uniform (KS at 1.95/√n, the 0.1% level as in the distribution tests),
    /// at 20,000 runs, for a 2×2 and two 4×4 matrices: the 2×2 and the first 4×4 per pair, the
    /// second 4×4 (d0's Σ|r| = 1.04) by Cholesky.
    #[test]
    fn achieved_rank_correlations_match_the_targets_and_marginals_stay_uniform() {
        let runs = 20_000;
        let four = |ab: f64| {
            vec![
                1.0, ab, -0.3, 0.2, //
                ab, 1.0, 0.0, 0.4, //
                -0.3, 0.0, 1.0, -0.2, //
                0.2, 0.4, -0.2, 1.0,
            ]
        };
        let cases: [(usize, Vec<f64>, &str); 3] = [
            (2, vec![1.0, -0.4, -0.4, 1.0], "per-pair"),
            (4, four(0.4), "per-pair"),
            (4, four(0.5), "cholesky"),
        ];
        for (size, target, construction) in cases {
            let copula = Copula::new(&target, &names(size)).unwrap();
            assert_eq!(copula.construction().name(), construction);
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
                assert!(ks < 1.95 / n.sqrt(), "{construction}: marginal {i}: KS {ks}");
                for j in 0..i {
                    let achieved = spearman(&columns[i], &columns[j]);
                    let expected = target[i * size + j];
                    let z = (achieved.atanh() - expected.atanh()) / (1.06 / (n - 3.0)).sqrt();
                    assert!(
                        z.abs() < 4.0,
                        "{construction}: {i}~{j}: ρ_s {achieved} for {expected} (z = {z})"
                    );
                }
            }
        }
    }

    #[test]
    fn per_pair_a_pair_between_correlated_drivers_changes_only_those_two() {
        // d0 ~ d1, d1 ~ d2, d2 ~ d3; then d0 ~ d2 too (both already correlated).
        let before = [
            1.0, 0.3, 0.0, 0.0, //
            0.3, 1.0, -0.4, 0.0, //
            0.0, -0.4, 1.0, 0.3, //
            0.0, 0.0, 0.3, 1.0,
        ];
        let mut after = before;
        (after[2], after[8]) = (0.2, 0.2);
        let (a, b) = (Copula::new(&before, &names(4)).unwrap(), Copula::new(&after, &names(4)).unwrap());
        assert_eq!(b.construction().name(), "per-pair");
        let (x, y) = (sample(&a, 4, 500), sample(&b, 4, 500));
        assert_eq!(x[1], y[1]);
        assert_eq!(x[3], y[3]);
        assert!(x[0].iter().zip(&y[0]).all(|(p, q)| p != q));
        assert!(x[2].iter().zip(&y[2]).all(|(p, q)| p != q));
    }

    #[test]
    fn per_pair_values_do_not_depend_on_the_order_of_the_drivers() {
        let forward = Copula::new(&[1.0, -0.5, -0.5, 1.0], &["a".to_string(), "b".to_string()]).unwrap();
        let backward = Copula::new(&[1.0, -0.5, -0.5, 1.0], &["b".to_string(), "a".to_string()]).unwrap();
        let x = sample_named(&forward, &["a".to_string(), "b".to_string()], 300);
        let y = sample_named(&backward, &["b".to_string(), "a".to_string()], 300);
        assert_eq!((&x[0], &x[1]), (&y[1], &y[0]));
    }

    #[test]
    fn cholesky_appending_a_driver_leaves_the_earlier_ones_unchanged() {
        // d0's Σ|r| = 0.618 + 0.518 > 1 in both: Cholesky.
        let three = [1.0, 0.6, 0.5, 0.6, 1.0, 0.0, 0.5, 0.0, 1.0];
        let four = [
            1.0, 0.6, 0.5, 0.0, //
            0.6, 1.0, 0.0, 0.3, //
            0.5, 0.0, 1.0, 0.0, //
            0.0, 0.3, 0.0, 1.0,
        ];
        let (three, four) = (Copula::new(&three, &names(3)).unwrap(), Copula::new(&four, &names(4)).unwrap());
        assert_eq!((three.construction().name(), four.construction().name()), ("cholesky", "cholesky"));
        let (a, b) = (sample(&three, 3, 500), sample(&four, 4, 500));
        assert_eq!(a[..], b[..3]);
    }
}
