//! Experimental designs over factors (issue 10): which points of the factors' unit cube to run.
//!
//! A point gives each factor a *unit coordinate* in (0, 1) or [0, 1]: its quantile level. The caller
//! turns it into the factor's value through the factor's distribution (a uniform range is
//! `low + (high − low)·u`), so a design never knows what a factor is. Every design is a pure
//! function of its sizes and seed (a `Xoshiro256PlusPlus` seeded with it): the same experiment gives
//! the same points on any machine and thread count.
//!
//! - [`saltelli`]: the two independent samples `A` and `B` of Saltelli's scheme (the `ABᵢ` rows are
//!   derived from them, see `stats::sobol`). Pseudo-random rows, not a quasi-random sequence: the
//!   bootstrap intervals of the indices assume independent rows.
//! - [`morris_trajectories`]: r one-at-a-time trajectories on a p-level grid with Δ = p/(2(p − 1))
//!   (Morris 1991): a start drawn uniformly from the grid's levels, then each factor moved once, in a
//!   random order, up by Δ from the lower half of the levels and down by Δ from the upper half, so
//!   every elementary effect is taken at a level drawn uniformly from the grid.
//! - [`latin_hypercube`]: n points, each factor's n strata (i/n, (i + 1)/n) used once, the strata
//!   matched at random and each point uniform within its stratum (McKay, Beckman & Conover 1979).
//! - [`grid`]: every combination of each factor's levels at the midpoints of equal strata, the last
//!   factor changing fastest.

use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

/// A point: one unit coordinate per factor.
pub type Point = Vec<f64>;

/// The `A` and `B` samples of a Saltelli design: `rows` points each, in (0, 1).
pub fn saltelli(rows: usize, factors: usize, seed: u64) -> (Vec<Point>, Vec<Point>) {
    let mut generator = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut sample = || -> Vec<Point> { (0..rows).map(|_| open_uniforms(&mut generator, factors)).collect() };
    let a = sample();
    let b = sample();
    (a, b)
}

/// Row `i` of `ABᵢ`: `a` with factor `factor`'s coordinate taken from `b`.
pub fn mixed(a: &[f64], b: &[f64], factor: usize) -> Point {
    a.iter().zip(b).enumerate().map(|(i, (x, y))| if i == factor { *y } else { *x }).collect()
}

/// `trajectories` Morris trajectories over `factors` factors on a grid of `levels` levels (even, at
/// least 2), each `factors + 1` points with coordinates in [0, 1].
pub fn morris_trajectories(factors: usize, trajectories: usize, levels: usize, seed: u64) -> Vec<Vec<Point>> {
    let levels = levels.max(2);
    let top = (levels - 1) as f64;
    let delta = levels as f64 / (2.0 * top);
    let mut generator = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..trajectories)
        .map(|_| {
            let mut point: Point =
                (0..factors).map(|_| generator.random_range(0..levels) as f64 / top).collect();
            let mut order: Vec<usize> = (0..factors).collect();
            order.shuffle(&mut generator);
            let mut path = Vec::with_capacity(factors + 1);
            path.push(point.clone());
            for factor in order {
                if let Some(x) = point.get_mut(factor) {
                    // Levels below the middle move up, the others down: both stay on the grid.
                    *x =
                        if *x + delta <= 1.0 + 1e-12 { (*x + delta).min(1.0) } else { (*x - delta).max(0.0) };
                }
                path.push(point.clone());
            }
            path
        })
        .collect()
}

/// A Latin hypercube of `points` points over `factors` factors, coordinates in (0, 1).
pub fn latin_hypercube(points: usize, factors: usize, seed: u64) -> Vec<Point> {
    let mut generator = Xoshiro256PlusPlus::seed_from_u64(seed);
    let columns: Vec<Vec<f64>> = (0..factors)
        .map(|_| {
            let mut strata: Vec<usize> = (0..points).collect();
            strata.shuffle(&mut generator);
            strata.into_iter().map(|s| (s as f64 + open_uniform(&mut generator)) / points as f64).collect()
        })
        .collect();
    (0..points)
        .map(|i| columns.iter().map(|column| column.get(i).copied().unwrap_or(0.5)).collect())
        .collect()
}

/// Every combination of `levels` levels per factor (the midpoints (j + ½)/levels), the last factor
/// changing fastest: levelsᶠᵃᶜᵗᵒʳˢ points.
pub fn grid(factors: usize, levels: usize) -> Vec<Point> {
    let levels = levels.max(1);
    let count = (0..factors).fold(1usize, |count, _| count.saturating_mul(levels));
    (0..count)
        .map(|mut index| {
            let mut point = vec![0.0; factors];
            for x in point.iter_mut().rev() {
                *x = ((index % levels) as f64 + 0.5) / levels as f64;
                index /= levels;
            }
            point
        })
        .collect()
}

/// `count` uniforms in the open interval (0, 1).
fn open_uniforms(generator: &mut Xoshiro256PlusPlus, count: usize) -> Point {
    (0..count).map(|_| open_uniform(generator)).collect()
}

/// A uniform in the open interval (0, 1), with 53 random bits (as `engine::stream` draws them).
fn open_uniform(generator: &mut Xoshiro256PlusPlus) -> f64 {
    ((generator.random::<u64>() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_latin_hypercube_uses_each_stratum_once() {
        let points = latin_hypercube(50, 3, 5);
        for factor in 0..3 {
            let mut strata: Vec<usize> = points.iter().map(|p| (p[factor] * 50.0) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..50).collect::<Vec<_>>());
        }
    }

    #[test]
    fn morris_trajectories_move_one_factor_by_delta_within_the_cube() {
        let delta = 4.0 / 6.0;
        for path in morris_trajectories(5, 30, 4, 9) {
            assert_eq!(path.len(), 6);
            let mut moved = Vec::new();
            for step in path.windows(2) {
                let changed: Vec<usize> = (0..5).filter(|&i| step[0][i] != step[1][i]).collect();
                assert_eq!(changed.len(), 1);
                let i = changed[0];
                assert!(((step[1][i] - step[0][i]).abs() - delta).abs() < 1e-12);
                assert!((0.0..=1.0).contains(&step[1][i]));
                moved.push(i);
            }
            moved.sort_unstable();
            assert_eq!(moved, vec![0, 1, 2, 3, 4]);
        }
    }

    #[test]
    fn a_grid_has_every_combination_last_factor_fastest() {
        let points = grid(2, 3);
        assert_eq!(points.len(), 9);
        assert_eq!(points[0], vec![1.0 / 6.0, 1.0 / 6.0]);
        assert_eq!(points[1], vec![1.0 / 6.0, 0.5]);
        assert_eq!(points[8], vec![5.0 / 6.0, 5.0 / 6.0]);
    }

    #[test]
    fn designs_are_pure_functions_of_their_seed() {
        assert_eq!(saltelli(10, 3, 1), saltelli(10, 3, 1));
        assert_ne!(saltelli(10, 3, 1), saltelli(10, 3, 2));
        assert_eq!(morris_trajectories(3, 4, 4, 1), morris_trajectories(3, 4, 4, 1));
        assert_eq!(latin_hypercube(7, 2, 3), latin_hypercube(7, 2, 3));
    }

    #[test]
    fn a_mixed_row_takes_one_coordinate_from_b() {
        assert_eq!(mixed(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0], 1), vec![1.0, 5.0, 3.0]);
    }
}
