//! Morris screening: elementary effects over one-at-a-time trajectories (Morris 1991), summarised
//! as μ, μ* (Campolongo, Cariboni & Saltelli 2007) and σ.
//!
//! A trajectory starts at a point of the factors' unit grid and moves one factor at a time by ±Δ, in
//! a random order, so k factors make k + 1 points (see `engine::design`). The elementary effect of
//! the factor moved between two consecutive points is the change of the outcome divided by the
//! step in unit coordinates (the factor's quantile level, 0 to 1): an effect of 2 means "the outcome
//! moves by about 2 across the factor's whole range", in the outcome's own units. Over r
//! trajectories each factor has r effects:
//! - μ* = mean |EE|, how much the factor matters (the screening measure; with its standard error
//!   sd(|EE|)/√r),
//! - μ = mean EE, its direction when it has one,
//! - σ = sd(EE), how much its effect depends on where the others are: interactions or curvature.
//!
//! A trajectory whose consecutive points differ in no factor, or in more than one, is malformed:
//! [`MorrisError::NotOneAtATime`]. Nothing here knows the model.

/// One trajectory: k + 1 points in unit coordinates and the outcome at each.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// The points, each with one unit coordinate per factor.
    pub points: Vec<Vec<f64>>,
    /// The outcome at each point.
    pub outcomes: Vec<f64>,
}

/// One factor's screening measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisIndex {
    /// Mean elementary effect.
    pub mu: f64,
    /// Mean absolute elementary effect.
    pub mu_star: f64,
    /// Standard error of μ*: sd(|EE|)/√r.
    pub mu_star_standard_error: f64,
    /// Standard deviation of the elementary effects (0 with one trajectory).
    pub sigma: f64,
    /// How many elementary effects the factor has.
    pub effects: usize,
}

/// Why the measures could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MorrisError {
    /// Two consecutive points of a trajectory must differ in exactly one factor.
    #[error("trajectory {trajectory}, step {step}: consecutive points must differ in exactly one factor")]
    NotOneAtATime {
        /// The trajectory's index.
        trajectory: usize,
        /// The step's index (between points `step` and `step + 1`).
        step: usize,
    },
    /// A point's outcome is NaN or infinite, or the trajectory's lengths disagree.
    #[error("trajectory {trajectory}: its outcomes are not one finite number per point")]
    Outcomes {
        /// The trajectory's index.
        trajectory: usize,
    },
}

/// μ, μ*, σ of each of `factors` factors over the trajectories.
pub fn morris_indices(trajectories: &[Trajectory], factors: usize) -> Result<Vec<MorrisIndex>, MorrisError> {
    let mut effects: Vec<Vec<f64>> = vec![Vec::with_capacity(trajectories.len()); factors];
    for (t, trajectory) in trajectories.iter().enumerate() {
        if trajectory.outcomes.len() != trajectory.points.len()
            || trajectory.outcomes.iter().any(|y| !y.is_finite())
        {
            return Err(MorrisError::Outcomes { trajectory: t });
        }
        let steps = trajectory.points.windows(2).zip(trajectory.outcomes.windows(2));
        for (step, (points, outcomes)) in steps.enumerate() {
            let not_one = MorrisError::NotOneAtATime { trajectory: t, step };
            let (Some(before), Some(after)) = (points.first(), points.get(1)) else { continue };
            let mut moved = before.iter().zip(after).enumerate().filter(|(_, (x, y))| x != y);
            let (Some((factor, (x, y))), None) = (moved.next(), moved.next()) else { return Err(not_one) };
            let (Some(y0), Some(y1)) = (outcomes.first(), outcomes.get(1)) else { continue };
            let Some(list) = effects.get_mut(factor) else { return Err(not_one) };
            list.push((y1 - y0) / (y - x));
        }
    }
    Ok(effects.iter().map(|list| summarise(list)).collect())
}

/// The measures of one factor's effects.
fn summarise(effects: &[f64]) -> MorrisIndex {
    let r = effects.len() as f64;
    let mean = |values: &mut dyn Iterator<Item = f64>| values.sum::<f64>() / r;
    let sd = |values: &mut dyn Iterator<Item = f64>, mean: f64| {
        if effects.len() < 2 {
            0.0
        } else {
            (values.map(|v| (v - mean).powi(2)).sum::<f64>() / (r - 1.0)).sqrt()
        }
    };
    if effects.is_empty() {
        return MorrisIndex {
            mu: 0.0,
            mu_star: 0.0,
            mu_star_standard_error: f64::INFINITY,
            sigma: 0.0,
            effects: 0,
        };
    }
    let mu = mean(&mut effects.iter().copied());
    let mu_star = mean(&mut effects.iter().map(|e| e.abs()));
    let sigma = sd(&mut effects.iter().copied(), mu);
    let mu_star_standard_error = sd(&mut effects.iter().map(|e| e.abs()), mu_star) / r.sqrt();
    MorrisIndex { mu, mu_star, mu_star_standard_error, sigma, effects: effects.len() }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::engine::design::morris_trajectories;

    fn evaluate(f: impl Fn(&[f64]) -> f64, factors: usize, r: usize) -> Vec<MorrisIndex> {
        let trajectories: Vec<Trajectory> = morris_trajectories(factors, r, 4, 11)
            .into_iter()
            .map(|points| Trajectory { outcomes: points.iter().map(|p| f(p)).collect(), points })
            .collect();
        morris_indices(&trajectories, factors).unwrap()
    }

    #[test]
    fn a_linear_function_has_its_coefficients_as_effects() {
        // y = 3·x₁ − 2·x₂ + 0·x₃ on unit coordinates: every elementary effect is the coefficient.
        let found = evaluate(|x| 3.0 * x[0] - 2.0 * x[1], 3, 20);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(
            close(found[0].mu, 3.0) && close(found[0].mu_star, 3.0) && close(found[0].sigma, 0.0),
            "{:?}",
            found[0]
        );
        assert!(
            close(found[1].mu, -2.0) && close(found[1].mu_star, 2.0) && close(found[1].sigma, 0.0),
            "{:?}",
            found[1]
        );
        assert!(close(found[2].mu_star, 0.0), "{:?}", found[2]);
        assert!(found.iter().all(|index| index.effects == 20));
    }

    #[test]
    fn an_interaction_shows_as_spread_and_known_effects() {
        // y = x₁·x₂ with 4 levels (Δ = 2/3): EE₁ = x₂ at the step, x₂ ∈ {0, 1/3, 2/3, 1}, so σ > 0 and
        // μ* = mean x₂ over the steps taken; y = x₃² has EE = (x+Δ)² − x²)/Δ = 2x + Δ ∈ {2/3, 4/3}.
        let found = evaluate(|x| x[0] * x[1] + x[2] * x[2], 3, 200);
        assert!(found[0].sigma > 0.1 && found[1].sigma > 0.1);
        for index in &found[..2] {
            assert!((index.mu_star - 0.5).abs() < 4.0 * index.mu_star_standard_error, "{index:?}");
        }
        assert!((found[2].mu_star - 1.0).abs() < 4.0 * found[2].mu_star_standard_error, "{:?}", found[2]);
    }

    #[test]
    fn a_step_that_moves_two_factors_is_an_error() {
        let bad = Trajectory { points: vec![vec![0.0, 0.0], vec![1.0, 1.0]], outcomes: vec![0.0, 1.0] };
        assert_eq!(morris_indices(&[bad], 2), Err(MorrisError::NotOneAtATime { trajectory: 0, step: 0 }));
    }
}
