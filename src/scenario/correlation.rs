//! The matrix of `[correlations]`: whether the stated rank correlations can hold together, which
//! smallest set of them conflicts when they cannot, and the nearest matrix that can (issue 13).
//!
//! Contract. Matrices are square, row-major, `size × size`, symmetric with ones on the diagonal.
//! A target Spearman ρ_s becomes the Pearson correlation of the copula's normals,
//! r = 2 sin(π ρ_s / 6) ([`pearson_of_spearman`]); the copula needs that Pearson matrix to be
//! positive definite, so every check here is made on it. [`cholesky`] factors it or names the
//! first row where it fails; [`smallest_conflict`] searches the fewest drivers whose principal
//! submatrix is already not positive definite; [`nearest_correlation`] is Higham's (2002)
//! alternating projections with Dykstra's correction (positive semidefinite cone, then unit
//! diagonal), its eigenvalues floored at [`EIGENVALUE_FLOOR`] so the result factors.
//!
//! [`Construction`] says how the copula makes a valid matrix's correlations: one latent normal per
//! pair when every driver's Σ|r| ≤ 1, else the Cholesky factor.
//!
//! The loader uses these to refuse or repair a matrix; `model::copula` uses [`cholesky`] and
//! [`Construction`]. All depend only on the matrix, never on a run.

use nalgebra::DMatrix;

/// Smallest pivot the Cholesky factorisation accepts: below it the matrix counts as not positive
/// definite (a copula this close to singular would make some driver a function of the others).
pub const PIVOT_FLOOR: f64 = 1e-12;

/// Smallest eigenvalue of a repaired (Pearson) matrix.
pub const EIGENVALUE_FLOOR: f64 = 1e-6;

/// Most subsets [`smallest_conflict`] examines before it settles for the Cholesky prefix.
const MAX_SUBSETS: usize = 200_000;

/// Most iterations of the alternating projections.
const MAX_ITERATIONS: usize = 2_000;

/// The Pearson correlation of the normals that gives Spearman's `spearman` under a Gaussian
/// copula: 2 sin(π ρ_s / 6).
pub fn pearson_of_spearman(spearman: f64) -> f64 {
    2.0 * (std::f64::consts::PI * spearman / 6.0).sin()
}

/// The Spearman correlation a Gaussian copula with Pearson `pearson` gives: (6/π) asin(r / 2).
pub fn spearman_of_pearson(pearson: f64) -> f64 {
    6.0 / std::f64::consts::PI * (pearson / 2.0).clamp(-1.0, 1.0).asin()
}

/// The Pearson matrix of a Spearman matrix (entry by entry, ones kept on the diagonal).
pub fn pearson_matrix(spearman: &[f64], size: usize) -> Vec<f64> {
    map_off_diagonal(spearman, size, pearson_of_spearman)
}

/// The Spearman matrix of a Pearson matrix.
pub fn spearman_matrix(pearson: &[f64], size: usize) -> Vec<f64> {
    map_off_diagonal(pearson, size, spearman_of_pearson)
}

fn map_off_diagonal(matrix: &[f64], size: usize, f: impl Fn(f64) -> f64) -> Vec<f64> {
    matrix.iter().enumerate().map(|(k, &x)| if k / size == k % size { 1.0 } else { f(x) }).collect()
}

/// How the copula makes a (positive definite) matrix's correlations (`model::copula`).
///
/// The *load* of a driver is the sum of the absolute Pearson correlations of its pairs,
/// Σ_{j≠i} |r_ij|. When no driver's load exceeds 1 every pair gets its own latent normal, shared by
/// its two drivers, and a pair touches only its two drivers' values; otherwise the Cholesky factor
/// of the whole matrix mixes the drivers in order, and a pair may move drivers after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Construction {
    /// One latent normal per pair: every driver's load is at most 1.
    PerPair {
        /// The driver (matrix row) with the largest load, the first of equals.
        driver: usize,
        /// Its load.
        load: f64,
    },
    /// The Cholesky factor: some driver's load exceeds 1.
    Cholesky {
        /// The driver (matrix row) with the largest load, the first of equals.
        driver: usize,
        /// Its load, above 1.
        load: f64,
    },
}

impl Construction {
    /// The construction for a Spearman matrix (`size × size`, row-major): per pair when every
    /// driver's load on the Pearson scale is at most 1.
    pub fn of(spearman: &[f64], size: usize) -> Self {
        let pearson = pearson_matrix(spearman, size);
        let load = |i: usize| -> f64 {
            (0..size).filter(|&j| j != i).map(|j| pearson.get(i * size + j).map_or(0.0, |r| r.abs())).sum()
        };
        let (driver, load) = (0..size)
            .map(|i| (i, load(i)))
            .fold((0, 0.0), |best, (i, l)| if l > best.1 { (i, l) } else { best });
        if load <= 1.0 {
            Construction::PerPair { driver, load }
        } else {
            Construction::Cholesky { driver, load }
        }
    }

    /// Its name in summary.json: `per-pair` or `cholesky`.
    pub fn name(&self) -> &'static str {
        match self {
            Construction::PerPair { .. } => "per-pair",
            Construction::Cholesky { .. } => "cholesky",
        }
    }

    /// What the construction is and what it guarantees, in a sentence naming the driver with the
    /// largest load (`drivers` in matrix order).
    pub fn sentence(&self, drivers: &[String]) -> String {
        let name = |i: usize| drivers.get(i).map_or("?", String::as_str);
        match *self {
            Construction::PerPair { driver, load } => format!(
                "one latent normal per pair (every driver's Σ|r| ≤ 1, r = 2 sin(πρ/6); largest: `{}`, \
                 {:.3}): adding, changing or removing a pair changes only its two drivers' values, run by run",
                name(driver),
                load
            ),
            Construction::Cholesky { driver, load } => format!(
                "the Cholesky factor, drivers in order of first appearance (`{}` has Σ|r| = {:.3} > 1, too \
                 much for one latent normal per pair): adding or changing a pair between drivers already \
                 correlated may also change the values of drivers after them in that order; the guarantee \
                 that a pair changes only its two drivers' values holds only for the per-pair construction",
                name(driver),
                load
            ),
        }
    }
}

/// A matrix that is not positive definite: the first row whose pivot falls below
/// [`PIVOT_FLOOR`], so the rows 0..=row already conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotPositiveDefinite {
    /// The row where the factorisation failed.
    pub row: usize,
}

/// The lower Cholesky factor (row-major) of a symmetric `size × size` matrix, or the first row
/// where it is not positive definite.
pub fn cholesky(matrix: &[f64], size: usize) -> Result<Vec<f64>, NotPositiveDefinite> {
    let at = |m: &[f64], i: usize, j: usize| m.get(i * size + j).copied().unwrap_or(0.0);
    let mut lower = vec![0.0; size * size];
    for i in 0..size {
        for j in 0..=i {
            let dot: f64 = (0..j).map(|k| at(&lower, i, k) * at(&lower, j, k)).sum();
            let value = at(matrix, i, j) - dot;
            let entry = if i == j {
                // NaN is refused too.
                if value.is_nan() || value <= PIVOT_FLOOR {
                    return Err(NotPositiveDefinite { row: i });
                }
                value.sqrt()
            } else {
                value / at(&lower, j, j)
            };
            if let Some(cell) = lower.get_mut(i * size + j) {
                *cell = entry;
            }
        }
    }
    Ok(lower)
}

/// The principal submatrix of `matrix` on `rows` (in that order).
pub fn submatrix(matrix: &[f64], size: usize, rows: &[usize]) -> Vec<f64> {
    let mut out = Vec::with_capacity(rows.len() * rows.len());
    for &i in rows {
        for &j in rows {
            out.push(matrix.get(i * size + j).copied().unwrap_or(0.0));
        }
    }
    out
}

/// The fewest rows whose principal submatrix is not positive definite, given that the rows
/// 0..=`failed.row` are not: the search tries every subset of that prefix that contains the failing
/// row (the rows before it are positive definite together, so any conflict among the prefix
/// involves it), smallest first; past [`MAX_SUBSETS`] it settles for the whole prefix. The rows come
/// back in increasing order.
pub fn smallest_conflict(matrix: &[f64], size: usize, failed: NotPositiveDefinite) -> Vec<usize> {
    let last = failed.row;
    let mut examined = 0usize;
    // Every 2×2 principal submatrix with |r| < 1 is positive definite, but a caller may pass any
    // symmetric matrix: start at one other row.
    for others in 1..last {
        let mut chosen: Vec<usize> = (0..others).collect();
        loop {
            examined += 1;
            if examined > MAX_SUBSETS {
                return (0..=last).collect();
            }
            let mut rows = chosen.clone();
            rows.push(last);
            if cholesky(&submatrix(matrix, size, &rows), rows.len()).is_err() {
                return rows;
            }
            if !next_combination(&mut chosen, last) {
                break;
            }
        }
    }
    (0..=last).collect()
}

/// Advances `chosen` (increasing indices below `n`) to the next combination in lexicographic
/// order; false after the last.
fn next_combination(chosen: &mut [usize], n: usize) -> bool {
    let k = chosen.len();
    let mut i = k;
    while i > 0 {
        i -= 1;
        let limit = n - (k - i);
        if chosen.get(i).is_some_and(|&c| c < limit) {
            let start = chosen.get(i).copied().unwrap_or(0) + 1;
            for (offset, slot) in chosen.iter_mut().skip(i).enumerate() {
                *slot = start + offset;
            }
            return true;
        }
    }
    false
}

/// The nearest correlation matrix in the Frobenius norm (Higham 2002, alternating projections
/// with Dykstra's correction), with eigenvalues at least [`EIGENVALUE_FLOOR`] so that it factors.
/// `None` only when the iteration does not settle (not seen for matrices with entries in [−1, 1]).
pub fn nearest_correlation(matrix: &[f64], size: usize) -> Option<Vec<f64>> {
    let target = DMatrix::from_row_slice(size, size, matrix);
    let mut y = target.clone();
    let mut correction = DMatrix::<f64>::zeros(size, size);
    for _ in 0..MAX_ITERATIONS {
        let r = &y - &correction;
        let x = project_positive(&r)?;
        correction = &x - &r;
        let mut next = x.clone();
        next.fill_diagonal(1.0);
        let change = (&next - &y).norm() / next.norm().max(1.0);
        y = next;
        let flat: Vec<f64> = y.transpose().iter().copied().collect();
        if change < 1e-12 && cholesky(&flat, size).is_ok() {
            return Some(flat);
        }
    }
    let flat: Vec<f64> = y.transpose().iter().copied().collect();
    cholesky(&flat, size).ok().map(|_| flat)
}

/// The projection of a symmetric matrix onto the matrices with eigenvalues ≥ [`EIGENVALUE_FLOOR`].
fn project_positive(matrix: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let symmetric = (matrix + matrix.transpose()) * 0.5;
    let eigen = symmetric.try_symmetric_eigen(1e-15, 10_000)?;
    let floored = eigen.eigenvalues.map(|l| l.max(EIGENVALUE_FLOOR));
    let vectors = &eigen.eigenvectors;
    let projected = vectors * DMatrix::from_diagonal(&floored) * vectors.transpose();
    Some((&projected + projected.transpose()) * 0.5)
}

/// The Frobenius distance between two matrices of the same size.
pub fn frobenius_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt()
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    /// a~b = 0.9, a~c = 0.9, b~c = −0.9 cannot hold together.
    const CONFLICT: [f64; 9] = [1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0];

    #[test]
    fn spearman_and_pearson_convert_both_ways() {
        for s in [-0.99, -0.4, 0.0, 0.3, 0.9] {
            assert!((spearman_of_pearson(pearson_of_spearman(s)) - s).abs() < 1e-12);
        }
        assert!((pearson_of_spearman(0.5) - 0.517_638_090_205_041_5).abs() < 1e-12);
    }

    #[test]
    fn a_matrix_that_is_not_positive_definite_names_its_row() {
        assert_eq!(cholesky(&CONFLICT, 3).unwrap_err(), NotPositiveDefinite { row: 2 });
    }

    #[test]
    fn the_smallest_conflict_leaves_out_drivers_that_take_no_part() {
        // Drivers 0 and 2 are independent of everything; 1, 3 and 4 conflict.
        let mut m = vec![0.0; 25];
        for i in 0..5 {
            m[i * 5 + i] = 1.0;
        }
        for (i, j, r) in [(1, 3, 0.9), (1, 4, 0.9), (3, 4, -0.9), (0, 2, 0.3)] {
            m[i * 5 + j] = r;
            m[j * 5 + i] = r;
        }
        let failed = cholesky(&m, 5).unwrap_err();
        assert_eq!(failed.row, 4);
        assert_eq!(smallest_conflict(&m, 5, failed), vec![1, 3, 4]);
    }

    #[test]
    fn combinations_run_in_order() {
        let mut c = vec![0, 1];
        let mut all = vec![c.clone()];
        while next_combination(&mut c, 4) {
            all.push(c.clone());
        }
        assert_eq!(all, vec![vec![0, 1], vec![0, 2], vec![0, 3], vec![1, 2], vec![1, 3], vec![2, 3]]);
    }

    #[test]
    fn the_nearest_correlation_matrix_is_valid_close_and_keeps_a_valid_matrix() {
        let repaired = nearest_correlation(&CONFLICT, 3).unwrap();
        assert!(cholesky(&repaired, 3).is_ok());
        for i in 0..3 {
            assert_eq!(repaired[i * 3 + i], 1.0);
            for j in 0..3 {
                assert_eq!(repaired[i * 3 + j], repaired[j * 3 + i]);
            }
        }
        // By symmetry the nearest matrix shrinks the three correlations alike; its distance is
        // below that of the nearest obvious valid matrix (all three scaled to ±0.5: 0.4·√6 ≈ 0.98).
        let distance = frobenius_distance(&CONFLICT, &repaired);
        assert!(distance > 0.1 && distance < 0.98, "distance {distance}");
        assert!((repaired[1] - repaired[2]).abs() < 1e-6 && (repaired[1] + repaired[5]).abs() < 1e-6);
        let valid = [1.0, 0.3, -0.2, 0.3, 1.0, 0.1, -0.2, 0.1, 1.0];
        let kept = nearest_correlation(&valid, 3).unwrap();
        assert!(frobenius_distance(&valid, &kept) < 1e-9);
    }
}
