//! Compiled evidence (`[evidence.NAME]`): an observed term, the month it is measured at, and the
//! likelihood a run's value is weighed by.
//!
//! A run's weight is the product of its items' likelihoods (`stats::evidence` multiplies them).
//! Exact observations weigh 1 or 0 (rejection); measured ones weigh the normal likelihood relative
//! to a perfect match, exp(−z²/2), so every weight is in [0, 1] and the mean weight over runs is
//! the evidence's probability (for measured items, its likelihood relative to a perfect match;
//! the constant 1/(sd·√2π) left out cancels in posteriors and Bayes factors).

use super::term::Term;

/// One compiled evidence item.
#[derive(Debug, Clone)]
pub struct EvidenceSpec {
    /// The item's name.
    pub name: String,
    /// The observed term as written.
    pub text: String,
    /// The compiled term.
    pub measure: Term,
    /// The month (since start) at whose end it is measured.
    pub month: u32,
    /// How a run's value is weighed.
    pub likelihood: Likelihood,
    /// A no-skill forecast's probability of the observed fact (0.5 unless the file says).
    pub base_rate: f64,
}

/// How a run's value of an evidence term is weighed against the observation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Likelihood {
    /// The value must equal this (0/1 or a whole number): weight 1, else 0.
    Equals(f64),
    /// A measurement with normal error: weight exp(−(y − value)² / 2sd²).
    Normal {
        /// The measured value.
        value: f64,
        /// Its standard deviation (> 0).
        sd: f64,
    },
}

impl Likelihood {
    /// The weight of a run whose term took `value` (NaN: undefined, e.g. `first(...)` of an event
    /// that never fired, which matches nothing): in [0, 1].
    pub fn weight(self, value: f64) -> f64 {
        if value.is_nan() {
            return 0.0;
        }
        match self {
            Likelihood::Equals(k) => {
                if value == k {
                    1.0
                } else {
                    0.0
                }
            }
            Likelihood::Normal { value: observed, sd } => {
                let z = (value - observed) / sd;
                (-0.5 * z * z).exp()
            }
        }
    }

    /// True for an exact observation (weights 0 or 1).
    pub fn is_exact(self) -> bool {
        matches!(self, Likelihood::Equals(_))
    }
}

/// A run's weight: the product of the items' likelihoods of the run's values (in item order).
pub fn run_weight(likelihoods: &[Likelihood], values: &[f64]) -> f64 {
    likelihoods.iter().zip(values).map(|(l, &v)| l.weight(v)).product()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_zero_one_or_the_normal_kernel() {
        assert_eq!(Likelihood::Equals(2.0).weight(2.0), 1.0);
        assert_eq!(Likelihood::Equals(2.0).weight(3.0), 0.0);
        assert_eq!(Likelihood::Equals(2.0).weight(f64::NAN), 0.0);
        let normal = Likelihood::Normal { value: 10.0, sd: 2.0 };
        assert_eq!(normal.weight(10.0), 1.0);
        assert!((normal.weight(12.0) - (-0.5f64).exp()).abs() < 1e-15);
        assert_eq!(normal.weight(f64::NAN), 0.0);
        assert_eq!(normal.weight(1e300), 0.0);
    }
}
