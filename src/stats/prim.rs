//! Scenario discovery with PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999): a box
//! over the factors inside which the runs of interest are concentrated.
//!
//! Given points (one value per factor) and whether each is a *case* (the user's target: a treaty
//! signed, an outcome above a threshold), PRIM starts from the box that holds every point and peels:
//! of the candidate cuts — for each factor, the lowest or the highest `alpha` share of the points in
//! the box — it takes the one that leaves the highest share of cases in the box, and repeats until
//! the box would hold fewer than `min_mass` of all points. Each box of this *peeling trajectory*
//! has
//! - **coverage**: the share of all cases that are inside it,
//! - **density**: the share of its points that are cases,
//! - **mass**: the share of all points inside it.
//!
//! Coverage falls and density rises along the trajectory; the chosen box is the one of highest
//! coverage whose density reaches the threshold; when none does, the box of the largest
//! coverage × (density − the overall share of cases), which weighs what a box gains against what it
//! leaves out. The chosen box is then simplified: bounds are dropped, the least useful first, while
//! the density stays within one binomial standard error of the chosen box's (counted over its draws
//! of the factors, not its rows) (peeling cuts every factor a little, also the ones
//! that do not matter). Ties between cuts
//! go to the first factor, and a low cut before a high one, so the result is a pure function of the
//! points. A bound is a factor's value from the points: the box keeps `x ≥ lower` and `x ≤ upper`;
//! a factor never cut keeps no bound. Pasting (growing the box back) is not done: peeling alone is
//! what the EMA Workbench shows first, and a pasted box is never less dense than its peeled one.

/// How PRIM peels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrimSettings {
    /// The share of the box's points a cut removes (Friedman & Fisher's α; 0.05 is usual).
    pub alpha: f64,
    /// Peeling stops before the box would hold fewer than this share of all points.
    pub min_mass: f64,
    /// The density the chosen box must reach.
    pub threshold: f64,
    /// Consecutive rows that share one draw of the factors (an experiment's replications of a
    /// point): the standard error of a box's density counts draws, not rows.
    pub rows_per_draw: usize,
}

impl Default for PrimSettings {
    fn default() -> Self {
        PrimSettings { alpha: 0.05, min_mass: 0.05, threshold: 0.8, rows_per_draw: 1 }
    }
}

/// One factor's bounds in a box; `None` where the box does not restrict it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bounds {
    /// The box keeps points with the factor ≥ this.
    pub lower: Option<f64>,
    /// The box keeps points with the factor ≤ this.
    pub upper: Option<f64>,
}

/// One box of the peeling trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimBox {
    /// One entry per factor.
    pub bounds: Vec<Bounds>,
    /// The share of all cases inside the box.
    pub coverage: f64,
    /// The share of the box's points that are cases.
    pub density: f64,
    /// The share of all points inside the box.
    pub mass: f64,
    /// How many points the box holds.
    pub points: usize,
}

/// The peeling trajectory and the chosen box.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    /// Every box from the whole space to the last peel.
    pub trajectory: Vec<PrimBox>,
    /// The index in `trajectory` of the chosen box.
    pub chosen: usize,
    /// Whether the chosen box reaches the density threshold (else it is the box of the largest
    /// coverage × (density − the share of cases overall)).
    pub reaches_threshold: bool,
    /// The chosen box without the bounds that do not matter: bounds are dropped, the one that
    /// matters least first, while the density stays within one binomial standard error
    /// √(d(1 − d)/n) of the chosen box's (n: its draws of the factors).
    pub simplified: PrimBox,
}

/// Why PRIM could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrimError {
    /// Points and cases differ in number, or a point has the wrong number of factors.
    #[error("PRIM needs one case flag per point and the same factors in every point")]
    Shape,
    /// No point is a case: there is nothing to find.
    #[error("no run meets the target, so there is no region to find")]
    NoCases,
    /// A factor's value is NaN or infinite.
    #[error("a factor's value is not a finite number")]
    NotFinite,
}

/// The peeling trajectory of `points` (each with `factors` values) for the cases `case`.
pub fn prim(
    points: &[Vec<f64>],
    case: &[bool],
    factors: usize,
    settings: PrimSettings,
) -> Result<Discovery, PrimError> {
    if points.len() != case.len() || points.iter().any(|p| p.len() != factors) {
        return Err(PrimError::Shape);
    }
    if points.iter().flatten().any(|x| !x.is_finite()) {
        return Err(PrimError::NotFinite);
    }
    let total_cases = case.iter().filter(|&&c| c).count();
    if total_cases == 0 {
        return Err(PrimError::NoCases);
    }
    let value =
        |point: usize, factor: usize| points.get(point).and_then(|p| p.get(factor)).copied().unwrap_or(0.0);
    let is_case = |point: usize| case.get(point).copied().unwrap_or(false);
    let within = |point: usize, bounds: &[Bounds]| {
        bounds.iter().enumerate().all(|(factor, b)| {
            let x = value(point, factor);
            b.lower.is_none_or(|lo| x >= lo) && b.upper.is_none_or(|hi| x <= hi)
        })
    };
    let describe = |inside: &[usize], bounds: &[Bounds]| {
        let cases = inside.iter().filter(|&&p| is_case(p)).count();
        PrimBox {
            bounds: bounds.to_vec(),
            coverage: cases as f64 / total_cases as f64,
            density: if inside.is_empty() { 0.0 } else { cases as f64 / inside.len() as f64 },
            mass: inside.len() as f64 / points.len() as f64,
            points: inside.len(),
        }
    };

    let smallest = (settings.min_mass * points.len() as f64).ceil() as usize;
    let mut inside: Vec<usize> = (0..points.len()).collect();
    let mut bounds = vec![Bounds::default(); factors];
    let mut trajectory = vec![describe(&inside, &bounds)];
    let mut sorted = Vec::with_capacity(points.len());
    loop {
        let cut = ((settings.alpha * inside.len() as f64).floor() as usize).max(1);
        // (cases left, points left, factor, whether the cut is at the top, the new bound)
        let mut best: Option<(usize, usize, usize, bool, f64)> = None;
        for factor in 0..factors {
            sorted.clear();
            sorted.extend(inside.iter().map(|&p| value(p, factor)));
            sorted.sort_by(f64::total_cmp);
            let candidates = [
                (false, sorted.get(cut).copied()),
                (true, sorted.len().checked_sub(cut + 1).and_then(|i| sorted.get(i)).copied()),
            ];
            for (top, bound) in candidates {
                let Some(bound) = bound else { continue };
                let keeps =
                    |p: &usize| if top { value(*p, factor) <= bound } else { value(*p, factor) >= bound };
                let left = inside.iter().filter(|p| keeps(p)).count();
                if left == inside.len() || left < smallest.max(1) {
                    continue;
                }
                let cases = inside.iter().filter(|p| keeps(p) && is_case(**p)).count();
                let better = match best {
                    None => true,
                    // cases/left > best_cases/best_left, compared without division.
                    Some((best_cases, best_left, ..)) => cases * best_left > best_cases * left,
                };
                if better {
                    best = Some((cases, left, factor, top, bound));
                }
            }
        }
        let Some((_, _, factor, top, bound)) = best else { break };
        inside.retain(|&p| if top { value(p, factor) <= bound } else { value(p, factor) >= bound });
        if let Some(b) = bounds.get_mut(factor) {
            if top { b.upper = Some(bound) } else { b.lower = Some(bound) }
        }
        trajectory.push(describe(&inside, &bounds));
    }
    let reaching = trajectory
        .iter()
        .enumerate()
        .filter(|(_, b)| b.density >= settings.threshold)
        .max_by(|(i, x), (j, y)| x.coverage.total_cmp(&y.coverage).then(j.cmp(i)));
    let base = trajectory.first().map_or(0.0, |b| b.density);
    let balance = |b: &PrimBox| b.coverage * (b.density - base);
    let reaches_threshold = reaching.is_some();
    let chosen = reaching
        .or_else(|| {
            trajectory
                .iter()
                .enumerate()
                .max_by(|(i, x), (j, y)| balance(x).total_cmp(&balance(y)).then(j.cmp(i)))
        })
        .map_or(0, |(i, _)| i);
    let chosen_box = trajectory.get(chosen).cloned().unwrap_or_else(|| describe(&[], &[]));
    // Bounds are dropped while the density stays within one standard error of the chosen box's:
    // the losses of several drops add up against that one allowance.
    let draws = (chosen_box.points / settings.rows_per_draw.max(1)).max(1);
    let standard_error = (chosen_box.density * (1.0 - chosen_box.density) / draws as f64).sqrt();
    let floor = chosen_box.density - standard_error;
    let mut simplified = chosen_box;
    loop {
        // (density without the bound, factor, whether the upper bound)
        let mut least: Option<(f64, usize, bool)> = None;
        for (factor, bound) in simplified.bounds.iter().enumerate() {
            for (upper, present) in [(false, bound.lower.is_some()), (true, bound.upper.is_some())] {
                if !present {
                    continue;
                }
                let mut bounds = simplified.bounds.clone();
                if let Some(b) = bounds.get_mut(factor) {
                    if upper { b.upper = None } else { b.lower = None }
                }
                let inside: Vec<usize> = (0..points.len()).filter(|&p| within(p, &bounds)).collect();
                let density = describe(&inside, &bounds).density;
                if least.is_none_or(|(best, ..)| density > best) {
                    least = Some((density, factor, upper));
                }
            }
        }
        let Some((density, factor, upper)) = least else { break };
        if density < floor {
            break;
        }
        let mut bounds = simplified.bounds.clone();
        if let Some(b) = bounds.get_mut(factor) {
            if upper { b.upper = None } else { b.lower = None }
        }
        let inside: Vec<usize> = (0..points.len()).filter(|&p| within(p, &bounds)).collect();
        simplified = describe(&inside, &bounds);
    }
    Ok(Discovery { trajectory, chosen, reaches_threshold, simplified })
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::engine::design::latin_hypercube;

    #[test]
    fn peeling_recovers_a_known_box_within_one_step() {
        // Cases are exactly the points with x₁ ≥ 0.6 and x₂ ≤ 0.3; x₃ is irrelevant.
        let points = latin_hypercube(4_000, 3, 17);
        let case: Vec<bool> = points.iter().map(|p| p[0] >= 0.6 && p[1] <= 0.3).collect();
        let settings = PrimSettings { threshold: 0.95, ..PrimSettings::default() };
        let found = prim(&points, &case, 3, settings).unwrap();
        let chosen = &found.trajectory[found.chosen];
        assert!(chosen.density >= 0.95, "{chosen:?}");
        // One peeling step removes α of the box's points along one factor: at the chosen box, about
        // α times its width on that factor.
        let step = |factor: usize| {
            let b = chosen.bounds[factor];
            settings.alpha * (b.upper.unwrap_or(1.0) - b.lower.unwrap_or(0.0)) / (1.0 - settings.alpha)
        };
        let lower = chosen.bounds[0].lower.unwrap();
        let upper = chosen.bounds[1].upper.unwrap();
        assert!((lower - 0.6).abs() <= step(0), "x₁ ≥ {lower}, step {}", step(0));
        assert!((upper - 0.3).abs() <= step(1), "x₂ ≤ {upper}, step {}", step(1));
        assert!(chosen.coverage > 0.85, "{chosen:?}");
        // Simplified: the irrelevant x₃ and the untouched sides lose their bounds, the two that
        // define the box keep them.
        let simple = &found.simplified;
        assert!(simple.bounds[2].lower.is_none() && simple.bounds[2].upper.is_none(), "{simple:?}");
        assert!(simple.bounds[0].lower.is_some() && simple.bounds[1].upper.is_some(), "{simple:?}");
        assert!(simple.density >= chosen.density - 0.02 && simple.coverage >= chosen.coverage, "{simple:?}");
        // The trajectory starts with everything and never grows.
        assert_eq!(found.trajectory[0].mass, 1.0);
        assert!(found.trajectory.windows(2).all(|w| w[1].points < w[0].points));
    }

    #[test]
    fn no_case_and_bad_shapes_are_errors() {
        let points = vec![vec![0.1], vec![0.2]];
        assert_eq!(prim(&points, &[false, false], 1, PrimSettings::default()), Err(PrimError::NoCases));
        assert_eq!(prim(&points, &[true], 1, PrimSettings::default()), Err(PrimError::Shape));
        assert_eq!(prim(&[vec![f64::NAN]], &[true], 1, PrimSettings::default()), Err(PrimError::NotFinite));
    }

    #[test]
    fn the_same_points_give_the_same_boxes() {
        let points = latin_hypercube(500, 2, 3);
        let case: Vec<bool> = points.iter().map(|p| p[0] + p[1] > 1.2).collect();
        assert_eq!(
            prim(&points, &case, 2, PrimSettings::default()),
            prim(&points, &case, 2, PrimSettings::default())
        );
    }
}
