//! Which assumptions matter: for every outcome, Spearman's rank correlation with every driver over
//! the runs, with a 95% interval.
//!
//! Each driver is one *indicator*: a numeric driver is its drawn value; a categorical driver counts
//! as one 0/1 indicator per category, labelled `driver=category` (`russia_war_exit=collapse`).
//! Spearman's ρ is Pearson's correlation of the two variables' ranks, ties taking their average
//! rank, so it measures any monotone relation and is unaffected by units and skew. Runs where the
//! outcome is undefined (a `first(...)` event that never happened) are left out of that outcome's
//! coefficients; [`OutcomeDrivers::runs`] says how many runs were used.
//!
//! The 95% interval comes from Fisher's z = atanh ρ with standard error 1.06/√(n − 3), the variance
//! Fieller, Hartley & Pearson (1957) give for Spearman's coefficient; it is mapped back with tanh.
//! It is a statement about sampling error over these runs: an interval that contains 0 means this
//! many runs cannot tell the driver's effect from none. A constant driver or outcome (or fewer than
//! four runs) has no coefficient — `None`, never NaN.
//!
//! Everything is computed in a fixed order from the runs in run order: the same simulation gives the
//! same bits.

use crate::engine::Simulation;
use crate::model::Model;

/// The standard normal quantile of 0.975: a 95% two-sided interval.
const Z_95: f64 = 1.959_963_984_540_054;

/// Fieller, Hartley & Pearson's (1957) factor on the standard error of Fisher's z for Spearman's ρ.
const SPEARMAN_SE_FACTOR: f64 = 1.06;

/// Fewest runs for which a coefficient and its interval are computed (the standard error needs n > 3).
pub const MIN_RUNS: usize = 4;

/// A rank correlation with its 95% interval. All three lie in [−1, 1], `lower ≤ spearman ≤ upper`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correlation {
    /// Spearman's ρ.
    pub spearman: f64,
    /// Lower end of the 95% interval (Fisher z, se = 1.06/√(n − 3)).
    pub lower: f64,
    /// Upper end of the 95% interval.
    pub upper: f64,
}

impl Correlation {
    /// True when the 95% interval excludes 0: the sign of the relation is settled by these runs.
    pub fn is_distinguishable_from_zero(&self) -> bool {
        self.lower > 0.0 || self.upper < 0.0
    }
}

/// One driver indicator's correlation with one outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverEffect {
    /// The indicator: the driver's name, or `driver=category` for a category of a categorical driver.
    pub driver: String,
    /// The correlation; `None` when the indicator or the outcome is constant over the runs used.
    pub correlation: Option<Correlation>,
}

/// Every driver indicator's correlation with one outcome, strongest first.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeDrivers {
    /// The outcome's name.
    pub outcome: String,
    /// Its title.
    pub title: String,
    /// Runs used: those where the outcome is defined.
    pub runs: u64,
    /// One entry per indicator, sorted by |ρ| descending; ties keep driver file order, and
    /// indicators without a coefficient come last in driver file order.
    pub drivers: Vec<DriverEffect>,
}

impl OutcomeDrivers {
    /// The indicators that have a coefficient, strongest first.
    pub fn ranked(&self) -> impl Iterator<Item = (&str, &Correlation)> {
        self.drivers.iter().filter_map(|d| d.correlation.as_ref().map(|c| (d.driver.as_str(), c)))
    }
}

/// Driver importance for every outcome of a run, outcomes in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// One entry per outcome, in file order.
    pub outcomes: Vec<OutcomeDrivers>,
}

/// A driver indicator: which driver, and for a categorical driver which category is 1.
#[derive(Debug, Clone, PartialEq)]
struct Indicator {
    label: String,
    driver: usize,
    category: Option<usize>,
}

impl Indicator {
    /// The indicator's value given the driver's per-run value.
    fn value(&self, driver_value: f64) -> f64 {
        match self.category {
            // Categorical drivers hold the category's index.
            Some(category) => f64::from(u8::from(driver_value == category as f64)),
            None => driver_value,
        }
    }
}

/// The indicators of a model's drivers, in file order (categories in their file order).
fn indicators(model: &Model) -> Vec<Indicator> {
    let mut indicators = Vec::new();
    for (driver, spec) in model.drivers.iter().enumerate() {
        match &spec.outcomes {
            Some(categories) => {
                for (category, name) in categories.iter().enumerate() {
                    indicators.push(Indicator {
                        label: format!("{}={name}", spec.name),
                        driver,
                        category: Some(category),
                    });
                }
            }
            None => indicators.push(Indicator { label: spec.name.clone(), driver, category: None }),
        }
    }
    indicators
}

/// Driver importance for every outcome of `simulation` (a run of `model`).
pub fn sensitivity(model: &Model, simulation: &Simulation) -> Sensitivity {
    let indicators = indicators(model);
    let runs = simulation.runs as usize;
    // Each indicator's values over all runs, in run order.
    let columns: Vec<Vec<f64>> = indicators
        .iter()
        .map(|indicator| {
            (0..runs)
                .map(|run| {
                    indicator.value(simulation.run_drivers(run).get(indicator.driver).copied().unwrap_or(0.0))
                })
                .collect()
        })
        .collect();
    // Ranks over all runs, shared by every outcome defined in every run; computed when first needed.
    let mut full_ranks: Option<Vec<Option<Vec<f64>>>> = None;

    let mut outcomes = Vec::with_capacity(model.outcomes.len());
    for (index, spec) in model.outcomes.iter().enumerate() {
        let values: Vec<f64> = simulation.outcome_values(index).collect();
        let defined: Vec<usize> =
            (0..values.len()).filter(|&k| values.get(k).is_some_and(|v| !v.is_nan())).collect();
        let outcome: Vec<f64> = defined.iter().filter_map(|&k| values.get(k).copied()).collect();
        let outcome_ranks = centred_ranks(&outcome);
        let effects: Vec<Option<Correlation>> = if defined.len() == values.len() {
            let ranks = full_ranks
                .get_or_insert_with(|| columns.iter().map(|column| centred_ranks(column)).collect());
            ranks.iter().map(|driver| correlate(driver.as_deref(), outcome_ranks.as_deref())).collect()
        } else {
            columns
                .iter()
                .map(|column| {
                    let subset: Vec<f64> = defined.iter().filter_map(|&k| column.get(k).copied()).collect();
                    correlate(centred_ranks(&subset).as_deref(), outcome_ranks.as_deref())
                })
                .collect()
        };
        let mut drivers: Vec<DriverEffect> = indicators
            .iter()
            .zip(effects)
            .map(|(indicator, correlation)| DriverEffect { driver: indicator.label.clone(), correlation })
            .collect();
        // Stable: equal |ρ| keep driver order; no coefficient sorts last.
        drivers.sort_by(|a, b| strength(b).total_cmp(&strength(a)));
        outcomes.push(OutcomeDrivers {
            outcome: spec.name.clone(),
            title: spec.title.clone(),
            runs: defined.len() as u64,
            drivers,
        });
    }
    Sensitivity { outcomes }
}

/// |ρ|, or −1 when there is none (so it sorts after every coefficient).
fn strength(effect: &DriverEffect) -> f64 {
    effect.correlation.map_or(-1.0, |c| c.spearman.abs())
}

/// Spearman's ρ of `x` and `y` (paired, same length, no NaN) with its 95% interval; `None` when
/// either is constant, the lengths differ, a value is NaN, or there are fewer than [`MIN_RUNS`] pairs.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<Correlation> {
    if x.len() != y.len() || x.iter().chain(y).any(|v| v.is_nan()) {
        return None;
    }
    correlate(centred_ranks(x).as_deref(), centred_ranks(y).as_deref())
}

/// Pearson's correlation of two centred rank vectors, with the Fisher-z interval.
fn correlate(x: Option<&[f64]>, y: Option<&[f64]>) -> Option<Correlation> {
    let (x, y) = (x?, y?);
    let n = x.len();
    if n != y.len() || n < MIN_RUNS {
        return None;
    }
    let (mut xx, mut yy, mut xy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        xx += a * a;
        yy += b * b;
        xy += a * b;
    }
    if xx <= 0.0 || yy <= 0.0 {
        return None;
    }
    let rho = (xy / (xx.sqrt() * yy.sqrt())).clamp(-1.0, 1.0);
    let half = Z_95 * SPEARMAN_SE_FACTOR / ((n - 3) as f64).sqrt();
    let z = rho.atanh();
    // atanh(±1) = ±∞ and tanh(±∞) = ±1: a perfect relation has the degenerate interval [ρ, ρ].
    let (lower, upper) = if z.is_finite() { ((z - half).tanh(), (z + half).tanh()) } else { (rho, rho) };
    Some(Correlation { spearman: rho, lower: lower.min(rho), upper: upper.max(rho) })
}

/// The ranks of `values` (1 = smallest, ties the average of their ranks) minus their mean (n + 1)/2;
/// `None` when the values are all equal (or there are none), so no correlation can be formed.
fn centred_ranks(values: &[f64]) -> Option<Vec<f64>> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| {
        let (x, y) = (values.get(a).copied().unwrap_or(0.0), values.get(b).copied().unwrap_or(0.0));
        x.total_cmp(&y)
    });
    let mean = (n as f64 + 1.0) / 2.0;
    let mut ranks = vec![0.0; n];
    let mut start = 0;
    while start < n {
        let value = order.get(start).and_then(|&i| values.get(i)).copied().unwrap_or(0.0);
        let mut end = start + 1;
        // −0 and +0 sort next to each other and compare equal: one tie.
        while end < n && order.get(end).and_then(|&i| values.get(i)).is_some_and(|&v| v == value) {
            end += 1;
        }
        if start == 0 && end == n {
            return None;
        }
        // Positions start..end hold ranks start+1 ..= end; their average is (start + 1 + end)/2.
        let rank = (start + 1 + end) as f64 / 2.0 - mean;
        for &i in order.get(start..end).unwrap_or(&[]) {
            if let Some(slot) = ranks.get_mut(i) {
                *slot = rank;
            }
        }
        start = end;
    }
    Some(ranks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::{Rng, SeedableRng};

    /// `n` uniforms in (0, 1) from a fixed seed.
    fn uniforms(seed: u64, n: usize) -> Vec<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        (0..n).map(|_| ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64).collect()
    }

    #[test]
    fn ties_take_the_average_rank() {
        // Sorted: 1 (rank 1), 2 2 (ranks 2, 3 → 2.5), 5 (rank 4); mean rank 2.5.
        let ranks = centred_ranks(&[2.0, 5.0, 1.0, 2.0]).unwrap();
        assert_eq!(ranks, vec![0.0, 1.5, -1.5, 0.0]);
        // −0 and +0 are one value.
        assert_eq!(centred_ranks(&[-0.0, 0.0, 1.0]).unwrap(), vec![-0.5, -0.5, 1.0]);
    }

    #[test]
    fn a_monotone_relation_has_rho_one() {
        let x = uniforms(1, 500);
        let up: Vec<f64> = x.iter().map(|v| (10.0 * v).exp()).collect();
        let down: Vec<f64> = x.iter().map(|v| -v.powi(3)).collect();
        // Identical ranks: exactly 1 up to rounding, and an interval that collapses onto it.
        for (y, sign) in [(&up, 1.0), (&down, -1.0)] {
            let c = spearman(&x, y).unwrap();
            for end in [c.spearman, c.lower, c.upper] {
                assert!((end - sign).abs() < 1e-12, "{c:?}");
            }
        }
    }

    #[test]
    fn ties_give_the_textbook_value() {
        // x has a tie; y is strictly increasing. Ranks x: 1, 2.5, 2.5, 4, 5; y: 1..5.
        // Pearson of those ranks: Σ(dx·dy) = 9.5, Σdx² = 9.5, Σdy² = 10 → ρ = 9.5/√95.
        let c = spearman(&[1.0, 3.0, 3.0, 4.0, 7.0], &[10.0, 11.0, 12.0, 13.0, 14.0]).unwrap();
        assert!((c.spearman - 9.5 / 95f64.sqrt()).abs() < 1e-15, "{}", c.spearman);
        // Binary against binary (both 0/1 indicators): the phi coefficient.
        let a = [0.0, 0.0, 1.0, 1.0, 1.0, 0.0];
        let b = [0.0, 1.0, 1.0, 1.0, 0.0, 0.0];
        // 2×2 table: (0,0)=2, (0,1)=1, (1,0)=1, (1,1)=2 → phi = (2·2 − 1·1)/√(3·3·3·3) = 1/3.
        assert!((spearman(&a, &b).unwrap().spearman - 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn constant_or_too_short_inputs_have_no_coefficient() {
        let x = uniforms(2, 50);
        assert_eq!(spearman(&x, &[3.0; 50]), None);
        assert_eq!(spearman(&[3.0; 50], &x), None);
        assert_eq!(spearman(&[], &[]), None);
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]), None, "n = 3 has no interval");
        assert_eq!(spearman(&x[..10], &x[..9]), None);
        let mut with_nan = x.clone();
        with_nan[3] = f64::NAN;
        assert_eq!(spearman(&with_nan, &x), None);
        assert!(spearman(&x[..4], &x[..4]).is_some());
    }

    #[test]
    fn independent_variables_are_within_the_interval_of_zero() {
        // A fixed seed: 2,000 independent pairs. Under independence ρ ≈ N(0, 1.06²/(n − 3)); the
        // interval must contain 0, i.e. |ρ| ≤ z·se with z = 1.96.
        let (x, y) = (uniforms(3, 2000), uniforms(4, 2000));
        let c = spearman(&x, &y).unwrap();
        assert!(c.lower < 0.0 && 0.0 < c.upper, "{c:?}");
        assert!(c.spearman.abs() <= Z_95 * 1.06 / 1997f64.sqrt());
        assert!(!c.is_distinguishable_from_zero());
    }

    #[test]
    fn intervals_cover_zero_at_their_nominal_rate() {
        // 1,000 independent replicates of 100 pairs: the 95% intervals should contain 0 in about
        // 950 of them (binomial sd √(1000·0.95·0.05) ≈ 6.9). The 1.06 factor is slightly
        // conservative, so allow 950 − 4 sd up to 950 + 4 sd + the factor's excess (≈ 1%).
        let mut covered = 0;
        for replicate in 0..1000 {
            let (x, y) = (uniforms(10 + 2 * replicate, 100), uniforms(11 + 2 * replicate, 100));
            let c = spearman(&x, &y).unwrap();
            covered += u32::from(c.lower <= 0.0 && 0.0 <= c.upper);
        }
        assert!((922..=988).contains(&covered), "{covered} of 1000 intervals contain 0");
    }

    #[test]
    fn every_outcome_gets_every_indicator_from_a_simulation() {
        use crate::model::testing::*;
        use crate::scenario::{Distribution, Factor, Function};
        let mut s = scenario(12);
        s.drivers = vec![
            driver(
                "exit",
                Distribution::Categorical(vec![("a".into(), 0.5), ("b".into(), 0.3), ("c".into(), 0.2)]),
            ),
            driver("level", Distribution::Uniform { min: 0.0, max: 1.0 }),
            driver("when", Distribution::Uniform { min: 0.0, max: 24.0 }),
            driver("flat", Distribution::Fixed(2.0)),
        ];
        s.events = vec![scheduled("e", "when")];
        s.outcomes = vec![
            outcome("level_out", vec![Factor::Driver("level".into())], false),
            outcome("is_b", vec![Factor::DriverIs { driver: "exit".into(), outcome: "b".into() }], false),
            outcome("first_e", vec![Factor::Call(Function::First, "e".into())], false),
            outcome("month", vec![Factor::Month], false),
        ];
        let (model, simulation) = run(&s, 400, 7);
        let result = sensitivity(&model, &simulation);
        let names: Vec<&str> = result.outcomes.iter().map(|o| o.outcome.as_str()).collect();
        assert_eq!(names, ["level_out", "is_b", "first_e", "month"]);
        for outcome in &result.outcomes {
            let mut labels: Vec<&str> = outcome.drivers.iter().map(|d| d.driver.as_str()).collect();
            labels.sort_unstable();
            assert_eq!(
                labels,
                ["exit=a", "exit=b", "exit=c", "flat", "level", "when"],
                "{}",
                outcome.outcome
            );
            // The constant driver never has a coefficient and so comes last.
            assert_eq!(
                outcome.drivers.last().map(|d| (d.driver.as_str(), d.correlation)),
                Some(("flat", None))
            );
        }
        // ρ = 1 up to rounding (|1 − ρ| within a few ulps).
        let top = |i: usize| {
            let first = &result.outcomes[i].drivers[0];
            let rho = first.correlation.map_or(0.0, |c| c.spearman);
            (first.driver.as_str(), (rho - 1.0).abs() < 1e-12)
        };
        assert_eq!(top(0), ("level", true));
        assert_eq!(top(1), ("exit=b", true));
        // first(e) is ⌊when⌋ where when < 12: monotone in `when` over the runs where e fired, but
        // with ties (12 months for ~200 runs), so ρ is just under 1 (≈ √(1 − 1/12²) for 12 equal
        // groups of a continuous variable).
        let first = &result.outcomes[2].drivers[0];
        assert_eq!(first.driver, "when");
        assert!(first.correlation.is_some_and(|c| c.spearman > 0.98 && c.spearman < 1.0), "{first:?}");
        let fired = simulation.outcome_values(2).filter(|v| !v.is_nan()).count() as u64;
        assert_eq!(result.outcomes[2].runs, fired);
        assert!(fired > 120 && fired < 280, "about half of 400 runs: {fired}");
        assert_eq!(result.outcomes[0].runs, 400);
        // A constant outcome: no coefficient for anyone.
        assert!(result.outcomes[3].drivers.iter().all(|d| d.correlation.is_none()));
        // Sorted by |ρ| descending.
        for outcome in &result.outcomes {
            let strengths: Vec<f64> = outcome.drivers.iter().map(strength).collect();
            assert!(strengths.windows(2).all(|w| w[0] >= w[1]), "{strengths:?}");
        }
        assert_eq!(sensitivity(&model, &simulation), result, "deterministic");
    }

    #[test]
    fn a_real_relation_is_found_with_the_right_sign() {
        // y = x + noise: ρ clearly positive, its interval well away from 0 and containing the
        // population value (for uniform x and noise of the same spread, ρ_s ≈ 0.7).
        let (x, noise) = (uniforms(5, 3000), uniforms(6, 3000));
        let y: Vec<f64> = x.iter().zip(&noise).map(|(a, b)| a + b).collect();
        let c = spearman(&x, &y).unwrap();
        assert!(c.lower > 0.6 && c.upper < 0.8 && c.lower < c.spearman && c.spearman < c.upper, "{c:?}");
        assert!(c.is_distinguishable_from_zero());
        let negative: Vec<f64> = y.iter().map(|v| -v).collect();
        let d = spearman(&x, &negative).unwrap();
        assert_eq!(d.spearman, -c.spearman);
    }
}
