//! Fast inverse CDFs for per-agent draws: thousands of thresholds per run.
//!
//! statrs' beta inverse CDF costs about 0.7 µs a call (measured on this machine), far too slow for
//! 2,000 agents × 10,000 runs. A [`Sampler`] keeps the exact [`Distribution::quantile`] for the
//! distributions whose inverse CDF is cheap (closed forms, the normal's rational approximation)
//! and replaces the beta and PERT inverse CDFs by a [`QuantileTable`]: cubic Hermite interpolation
//! of exact quantiles and exact slopes (1/density) on a grid uniform in u over the interior and
//! uniform in ln u (ln(1 − u)) in the tails, exact beyond 10⁻¹². A table checks itself against the
//! exact quantile at every cell's midpoint when it is built and is only used when the worst error is
//! below [`TABLE_TOLERANCE`] of the distribution's width; otherwise the sampler stays exact (slow
//! but right). The interpolant is monotone in u up to 10⁻¹⁴ (callers that need sorted values from
//! sorted uniforms take a running maximum).

use statrs::distribution::{Beta, Continuous};

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::scenario::Distribution;
use crate::scenario::distribution::inverse_beta;

/// Worst error allowed at a cell's midpoint, relative to the distribution's width.
pub const TABLE_TOLERANCE: f64 = 1e-10;

/// Largest decrease between neighbouring nodes, or excess of a slope, tolerated by the monotonicity
/// check (absolute, on the unit scale of the beta).
const MONOTONE_SLACK: f64 = 1e-14;

/// Interior cells, on [`INTERIOR_LOW`, 1 − `INTERIOR_LOW`].
const INTERIOR_CELLS: usize = 4096;
const INTERIOR_LOW: f64 = 1.0 / 64.0;
/// Tail cells on ln u ∈ [ln `TAIL_LOW`, ln `INTERIOR_LOW`] (and the mirror for 1 − u).
const TAIL_CELLS: usize = 1024;
const TAIL_LOW: f64 = 1e-12;

/// Draws values of one distribution from uniforms, exactly or through a checked table.
#[derive(Debug, Clone)]
pub enum Sampler {
    /// The distribution's own inverse CDF (cheap for this distribution).
    Exact(Distribution),
    /// `offset + width · table(u)`: a beta (`offset` 0, `width` 1) or a PERT rescaled to [min, max].
    Table {
        /// The beta(α, β) table.
        table: Arc<QuantileTable>,
        /// Added to the table's value: the PERT's min (0 for a beta).
        offset: f64,
        /// Multiplies the table's value: the PERT's max − min (1 for a beta).
        width: f64,
        /// The distribution itself, for u beyond the table's tails.
        exact: Distribution,
    },
}

impl Sampler {
    /// The sampler for `distribution`.
    pub fn new(distribution: &Distribution) -> Self {
        let exact = distribution.clone();
        let (alpha, beta, offset, width) = match *distribution {
            Distribution::Beta { alpha, beta } => (alpha, beta, 0.0, 1.0),
            Distribution::Pert { min, mode, max } if max > min => {
                let width = max - min;
                (1.0 + 4.0 * (mode - min) / width, 1.0 + 4.0 * (max - mode) / width, min, width)
            }
            _ => return Sampler::Exact(exact),
        };
        match shared_beta_table(alpha, beta) {
            Some(table) => Sampler::Table { table, offset, width, exact },
            None => Sampler::Exact(exact),
        }
    }

    /// The value at cumulative probability `u` ∈ (0, 1).
    #[inline(always)]
    pub fn quantile(&self, u: f64) -> f64 {
        match self {
            Sampler::Exact(distribution) => distribution.quantile(u),
            Sampler::Table { table, offset, width, exact } => match table.quantile(u) {
                Some(unit) => offset + width * unit,
                None => exact.quantile(u),
            },
        }
    }

    /// Replaces ascending `sums` (partial sums of exponentials) by the quantiles at
    /// u = sum / `total`, kept ascending by a running maximum: the table's interpolant is monotone
    /// only up to 1e-14. One run's thresholds of a population (`model::population`); the loop is
    /// here so that the table's lookup is inlined into it whatever the caller's crate layout.
    pub fn sorted_quantiles(&self, sums: &mut [f64], total: f64) {
        let mut previous = f64::NEG_INFINITY;
        for slot in sums {
            previous = previous.max(self.quantile(*slot / total));
            *slot = previous;
        }
    }
}

/// The shape parameters a table is built for; others sample by the exact inverse.
const TABLE_SHAPES: std::ops::RangeInclusive<f64> = 1e-20..=1e20;

/// Tables kept for reuse: compiling a model builds its beta tables (about 2 ms each), and
/// `crossroads explore` compiles one model per design point with mostly the same distributions.
const SHARED_TABLES: usize = 64;

/// The beta(α, β) table, built once per process for the most recent [`SHARED_TABLES`] parameter
/// pairs. A table is a pure function of (α, β), so sharing it changes no number.
fn shared_beta_table(alpha: f64, beta: f64) -> Option<Arc<QuantileTable>> {
    type Shared = Mutex<Vec<((u64, u64), Option<Arc<QuantileTable>>)>>;
    static TABLES: OnceLock<Shared> = OnceLock::new();
    let key = (alpha.to_bits(), beta.to_bits());
    let tables = TABLES.get_or_init(|| Mutex::new(Vec::new()));
    if let Some((_, table)) =
        tables.lock().unwrap_or_else(PoisonError::into_inner).iter().find(|(k, _)| *k == key)
    {
        return table.clone();
    }
    let table = QuantileTable::beta(alpha, beta).map(Arc::new);
    let mut tables = tables.lock().unwrap_or_else(PoisonError::into_inner);
    if tables.len() >= SHARED_TABLES {
        tables.remove(0);
    }
    tables.push((key, table.clone()));
    table
}

/// A beta(α, β) inverse CDF as piecewise cubic Hermite interpolation.
#[derive(Debug, Clone)]
pub struct QuantileTable {
    /// Interior nodes u_i = INTERIOR_LOW + i·h: (Q(u_i), h·Q'(u_i)).
    interior: Vec<(f64, f64)>,
    /// Lower tail nodes t_i = ln TAIL_LOW + i·k: (Q(e^t), k·dQ/dt).
    lower: Vec<(f64, f64)>,
    /// Upper tail nodes t_i = ln TAIL_LOW + i·k with u = 1 − e^t: (Q(u), k·dQ/dt).
    upper: Vec<(f64, f64)>,
}

impl QuantileTable {
    /// The table of beta(α, β), or `None` when it cannot meet [`TABLE_TOLERANCE`].
    pub fn beta(alpha: f64, beta: f64) -> Option<Self> {
        // Shapes far outside any real use (a point mass in all but name) make each node's inverse
        // run to its step limit: building the table took 12 s at α = 2.4·10⁻²⁵⁰ (found by the
        // pipeline fuzzer). Those use the exact inverse for each draw instead.
        if !(TABLE_SHAPES.contains(&alpha) && TABLE_SHAPES.contains(&beta)) {
            return None;
        }
        let dist = Beta::new(alpha, beta).ok()?;
        // 1 − X ~ beta(β, α): the upper tail is computed from v = 1 − u directly, so that the
        // rounding of 1 − v never shifts a node (it would, by far more than the tolerance, where
        // the density is tiny).
        let mirror = Beta::new(beta, alpha).ok()?;
        // The guarded inverse: statrs' own can loop for ever on some shapes.
        let quantile = |u: f64| inverse_beta(alpha, beta, u);
        let density = |x: f64| dist.pdf(x);
        let h = (1.0 - 2.0 * INTERIOR_LOW) / INTERIOR_CELLS as f64;
        let (t_low, t_high) = (TAIL_LOW.ln(), INTERIOR_LOW.ln());
        let k = (t_high - t_low) / TAIL_CELLS as f64;

        let interior = (0..=INTERIOR_CELLS)
            .map(|i| {
                let q = quantile(INTERIOR_LOW + i as f64 * h);
                (q, h / density(q))
            })
            .collect();
        let lower = (0..=TAIL_CELLS)
            .map(|i| {
                let u = (t_low + i as f64 * k).exp();
                let q = quantile(u);
                (q, k * u / density(q))
            })
            .collect();
        let upper = (0..=TAIL_CELLS)
            .map(|i| {
                let v = (t_low + i as f64 * k).exp();
                let mirrored = inverse_beta(beta, alpha, v);
                (1.0 - mirrored, -k * v / mirror.pdf(mirrored))
            })
            .collect();
        let table = QuantileTable { interior, lower, upper };
        let all = table.interior.iter().chain(&table.lower).chain(&table.upper);
        if !all.clone().all(|(q, slope)| q.is_finite() && slope.is_finite()) {
            return None;
        }
        // Self-check at every cell's midpoint, in each segment; the width of beta is 1.
        let mut worst: f64 = 0.0;
        for i in 0..INTERIOR_CELLS {
            let u = INTERIOR_LOW + (i as f64 + 0.5) * h;
            worst = worst.max((table.quantile(u)? - quantile(u)).abs());
        }
        for i in 0..TAIL_CELLS {
            let v = (t_low + (i as f64 + 0.5) * k).exp();
            worst = worst.max((table.quantile(v)? - quantile(v)).abs());
            worst = worst.max((table.quantile(1.0 - v)? - quantile(1.0 - v)).abs());
        }
        (worst <= TABLE_TOLERANCE && table.is_monotone()).then_some(table)
    }

    /// Q(u), or `None` beyond the tails (u < 10⁻¹² or 1 − u < 10⁻¹²) where the caller uses the
    /// exact quantile.
    #[inline(always)]
    pub fn quantile(&self, u: f64) -> Option<f64> {
        let h = (1.0 - 2.0 * INTERIOR_LOW) / INTERIOR_CELLS as f64;
        if (INTERIOR_LOW..=1.0 - INTERIOR_LOW).contains(&u) {
            return Some(hermite(&self.interior, (u - INTERIOR_LOW) / h));
        }
        let t_low = TAIL_LOW.ln();
        let k = (INTERIOR_LOW.ln() - t_low) / TAIL_CELLS as f64;
        if u < INTERIOR_LOW {
            let position = (u.ln() - t_low) / k;
            (position >= 0.0).then(|| hermite(&self.lower, position))
        } else {
            let position = ((1.0 - u).ln() - t_low) / k;
            (position >= 0.0).then(|| hermite(&self.upper, position))
        }
    }

    /// True when every segment's nodes and Hermite slopes are monotone (Fritsch–Carlson: slopes
    /// of the same sign as the secant and at most 3 times it).
    fn is_monotone(&self) -> bool {
        let segment_ok = |nodes: &[(f64, f64)], increasing: bool| {
            nodes.windows(2).all(|pair| {
                let ((q0, m0), (q1, m1)) = (pair[0], pair[1]);
                let secant = if increasing { q1 - q0 } else { q0 - q1 };
                let (m0, m1) = if increasing { (m0, m1) } else { (-m0, -m1) };
                // Allow MONOTONE_SLACK: statrs' beta quantile has an absolute error floor of about
                // 1e-16 deep in the tails (u < 1e-7 for α < 1), so nodes there may wiggle by that.
                let slack = 3.0 * secant.max(0.0) + MONOTONE_SLACK;
                secant >= -MONOTONE_SLACK && m0 >= 0.0 && m1 >= 0.0 && m0 <= slack && m1 <= slack
            })
        };
        segment_ok(&self.interior, true) && segment_ok(&self.lower, true) && segment_ok(&self.upper, false)
    }
}

/// Cubic Hermite interpolation at fractional node `position` of nodes (value, scaled slope).
#[inline]
fn hermite(nodes: &[(f64, f64)], position: f64) -> f64 {
    let last = nodes.len().saturating_sub(2);
    // The cast truncates and saturates: ⌊position⌋ for position ≥ 0, and 0 for a negative or NaN
    // position, exactly `position.floor().max(0.0) as usize` without a call to libm's floor.
    let cell = (position as usize).min(last);
    let (Some(&(q0, m0)), Some(&(q1, m1))) = (nodes.get(cell), nodes.get(cell + 1)) else {
        return f64::NAN;
    };
    let t = (position - cell as f64).clamp(0.0, 1.0);
    let (t2, t3) = (t * t, t * t * t);
    (2.0 * t3 - 3.0 * t2 + 1.0) * q0 + (t3 - 2.0 * t2 + t) * m0 + (-2.0 * t3 + 3.0 * t2) * q1 + (t3 - t2) * m1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worst_error(distribution: &Distribution, width: f64) -> f64 {
        let sampler = Sampler::new(distribution);
        assert!(matches!(sampler, Sampler::Table { .. }), "{distribution:?} should use a table");
        let mut worst: f64 = 0.0;
        // Uniform grid, plus a log grid into both tails.
        let uniform = (1..10_000).map(|i| i as f64 / 10_000.0);
        let tails = (1..400).flat_map(|i| {
            let v = 10f64.powf(-(i as f64) * 0.035);
            [v, 1.0 - v]
        });
        for u in uniform.chain(tails) {
            worst = worst.max((sampler.quantile(u) - distribution.quantile(u)).abs() / width);
        }
        worst
    }

    #[test]
    fn tables_match_the_exact_quantile() {
        let cases = [
            (Distribution::Beta { alpha: 5.0, beta: 2.0 }, 1.0),
            (Distribution::Beta { alpha: 0.5, beta: 0.5 }, 1.0),
            (Distribution::Beta { alpha: 2.0, beta: 30.0 }, 1.0),
            (Distribution::Beta { alpha: 1.0, beta: 1.0 }, 1.0),
            (Distribution::beta_from_moments(0.3, 0.1), 1.0),
            (Distribution::Pert { min: 0.1, mode: 0.5, max: 0.9 }, 0.8),
            (Distribution::Pert { min: 0.0, mode: 0.0, max: 1.0 }, 1.0),
        ];
        for (distribution, width) in &cases {
            let error = worst_error(distribution, *width);
            assert!(error < 1e-9, "{distribution:?}: worst error {error}");
        }
    }

    #[test]
    fn table_is_monotone_on_a_fine_grid() {
        let sampler = Sampler::new(&Distribution::Beta { alpha: 5.0, beta: 2.0 });
        let mut previous = f64::NEG_INFINITY;
        for i in 1..200_000 {
            let q = sampler.quantile(i as f64 / 200_000.0);
            assert!(q >= previous, "not monotone at {i}");
            previous = q;
        }
    }

    #[test]
    fn cheap_distributions_stay_exact() {
        for d in [
            Distribution::Uniform { min: 0.0, max: 1.0 },
            Distribution::Normal { mean: 0.5, sd: 0.1, min: f64::NEG_INFINITY, max: f64::INFINITY },
            Distribution::Triangular { min: 0.0, mode: 0.3, max: 1.0 },
            Distribution::Fixed(0.4),
        ] {
            assert!(matches!(Sampler::new(&d), Sampler::Exact(_)));
        }
    }
}
