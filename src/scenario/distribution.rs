//! The distribution catalogue of DESIGN.md §2.1.
//!
//! Every distribution is sampled by its inverse CDF ([`Distribution::quantile`]) from one uniform
//! number, so a changed parameter moves each run's value monotonically: the best coupling for
//! comparisons on common random numbers. Parameters are validated by the loader before a
//! `Distribution` is built; the functions here assume valid parameters and never panic on them.

use statrs::distribution::{Beta, ContinuousCDF, DiscreteCDF, Normal, Poisson};

/// z such that Φ(z) = 0.95: turns a 90% interval (p5, p95) into a lognormal's σ.
pub const Z95: f64 = 1.644_853_626_951_472_2;

/// One uncertain quantity: the value is drawn by [`Distribution::quantile`] from a uniform in (0, 1).
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// A constant (`fixed = 0.4` or a bare number).
    Fixed(f64),
    /// Uniform on [min, max].
    Uniform {
        /// Lowest value.
        min: f64,
        /// Highest value.
        max: f64,
    },
    /// Normal, optionally truncated to [min, max] (either bound may be infinite).
    Normal {
        /// Mean before truncation.
        mean: f64,
        /// Standard deviation before truncation (> 0).
        sd: f64,
        /// Lower truncation bound (−∞ when none).
        min: f64,
        /// Upper truncation bound (+∞ when none).
        max: f64,
    },
    /// Lognormal: ln X ~ N(mu, sigma²). The `{ p5, p95 }` form is converted on load.
    LogNormal {
        /// Mean of ln X.
        mu: f64,
        /// Standard deviation of ln X (> 0).
        sigma: f64,
    },
    /// Beta on [0, 1]. The `{ mean, sd }` form is converted on load.
    Beta {
        /// Shape α (> 0).
        alpha: f64,
        /// Shape β (> 0).
        beta: f64,
    },
    /// Triangular on [min, max] with its peak at mode.
    Triangular {
        /// Lowest value.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Highest value.
        max: f64,
    },
    /// PERT: a beta rescaled to [min, max] with shape 1 + 4·(mode − min)/(max − min).
    Pert {
        /// Lowest value.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Highest value.
        max: f64,
    },
    /// 1 with probability p, else 0.
    Bernoulli(f64),
    /// Named outcomes in file order with their probabilities (summing to 1). A draw is the index.
    Categorical(Vec<(String, f64)>),
    /// Poisson counts with the given mean.
    Poisson {
        /// Mean count (> 0).
        mean: f64,
    },
}

impl Distribution {
    /// Lognormal from its 90% interval: P(X < p5) = 0.05, P(X < p95) = 0.95. Needs 0 < p5 < p95.
    pub fn lognormal_from_interval(p5: f64, p95: f64) -> Self {
        let (a, b) = (p5.ln(), p95.ln());
        Distribution::LogNormal { mu: (a + b) / 2.0, sigma: (b - a) / (2.0 * Z95) }
    }

    /// Beta from its mean and standard deviation. Needs 0 < mean < 1 and sd² < mean·(1 − mean).
    pub fn beta_from_moments(mean: f64, sd: f64) -> Self {
        let k = mean * (1.0 - mean) / (sd * sd) - 1.0;
        Distribution::Beta { alpha: mean * k, beta: (1.0 - mean) * k }
    }

    /// The value at cumulative probability `u` (the inverse CDF). `u` is clamped into (0, 1).
    /// For a categorical distribution the value is the outcome's index (0, 1, …).
    pub fn quantile(&self, u: f64) -> f64 {
        let u = if u.is_nan() { 0.5 } else { u.clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON) };
        match self {
            Distribution::Fixed(v) => *v,
            Distribution::Uniform { min, max } => min + u * (max - min),
            Distribution::Normal { mean, sd, min, max } => {
                let unit = standard_normal();
                let (lo, hi) = ((min - mean) / sd, (max - mean) / sd);
                let (flo, fhi) = (unit.cdf(lo), unit.cdf(hi));
                let z = unit.inverse_cdf(flo + u * (fhi - flo));
                (mean + sd * z).clamp(*min, *max)
            }
            Distribution::LogNormal { mu, sigma } => (mu + sigma * standard_normal().inverse_cdf(u)).exp(),
            Distribution::Beta { alpha, beta } => beta_quantile(*alpha, *beta, u),
            Distribution::Triangular { min, mode, max } => {
                let width = max - min;
                if width <= 0.0 {
                    return *min;
                }
                let split = (mode - min) / width;
                if u < split {
                    min + (u * width * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - u) * width * (max - mode)).sqrt()
                }
            }
            Distribution::Pert { min, mode, max } => {
                let width = max - min;
                if width <= 0.0 {
                    return *min;
                }
                let (a, b) = pert_shape(*min, *mode, *max);
                min + width * beta_quantile(a, b, u)
            }
            Distribution::Bernoulli(p) => {
                if u > 1.0 - p {
                    1.0
                } else {
                    0.0
                }
            }
            Distribution::Categorical(outcomes) => {
                let mut cumulative = 0.0;
                for (index, (_, p)) in outcomes.iter().enumerate() {
                    cumulative += p;
                    if u <= cumulative {
                        return index as f64;
                    }
                }
                outcomes.len().saturating_sub(1) as f64
            }
            Distribution::Poisson { mean } => match Poisson::new(*mean) {
                Ok(poisson) => poisson.inverse_cdf(u) as f64,
                Err(_) => 0.0,
            },
        }
    }

    /// The cumulative distribution function P(X ≤ x). For a categorical distribution x is an index.
    pub fn cdf(&self, x: f64) -> f64 {
        match self {
            Distribution::Fixed(v) => f64::from(u8::from(x >= *v)),
            Distribution::Uniform { min, max } => {
                if max <= min {
                    f64::from(u8::from(x >= *min))
                } else {
                    ((x - min) / (max - min)).clamp(0.0, 1.0)
                }
            }
            Distribution::Normal { mean, sd, min, max } => {
                if x < *min {
                    return 0.0;
                }
                if x >= *max {
                    return 1.0;
                }
                let unit = standard_normal();
                let (flo, fhi) = (unit.cdf((min - mean) / sd), unit.cdf((max - mean) / sd));
                (unit.cdf((x - mean) / sd) - flo) / (fhi - flo)
            }
            Distribution::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    standard_normal().cdf((x.ln() - mu) / sigma)
                }
            }
            Distribution::Beta { alpha, beta } => match Beta::new(*alpha, *beta) {
                Ok(b) => b.cdf(x.clamp(0.0, 1.0)),
                Err(_) => f64::NAN,
            },
            Distribution::Triangular { min, mode, max } => {
                if x <= *min {
                    0.0
                } else if x >= *max {
                    1.0
                } else if x <= *mode {
                    (x - min).powi(2) / ((max - min) * (mode - min))
                } else {
                    1.0 - (max - x).powi(2) / ((max - min) * (max - mode))
                }
            }
            Distribution::Pert { min, mode, max } => {
                if x <= *min {
                    return 0.0;
                }
                if x >= *max {
                    return 1.0;
                }
                let (a, b) = pert_shape(*min, *mode, *max);
                match Beta::new(a, b) {
                    Ok(beta) => beta.cdf((x - min) / (max - min)),
                    Err(_) => f64::NAN,
                }
            }
            Distribution::Bernoulli(p) => {
                if x < 0.0 {
                    0.0
                } else if x < 1.0 {
                    1.0 - p
                } else {
                    1.0
                }
            }
            Distribution::Categorical(outcomes) => {
                if x < 0.0 {
                    return 0.0;
                }
                let last = x.floor() as usize;
                outcomes.iter().take(last + 1).map(|(_, p)| p).sum::<f64>().min(1.0)
            }
            Distribution::Poisson { mean } => match Poisson::new(*mean) {
                Ok(poisson) if x >= 0.0 => poisson.cdf(x.floor() as u64),
                _ => 0.0,
            },
        }
    }

    /// The mean, or `None` for a categorical distribution (its outcomes are names, not numbers).
    pub fn mean(&self) -> Option<f64> {
        Some(match self {
            Distribution::Fixed(v) => *v,
            Distribution::Uniform { min, max } => (min + max) / 2.0,
            Distribution::Normal { mean, sd, min, max } => {
                let (alpha, beta) = ((min - mean) / sd, (max - mean) / sd);
                let (phi, z) = truncation(alpha, beta);
                mean + sd * (phi.0 - phi.1) / z
            }
            Distribution::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Distribution::Beta { alpha, beta } => alpha / (alpha + beta),
            Distribution::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Distribution::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
            Distribution::Bernoulli(p) => *p,
            Distribution::Categorical(_) => return None,
            Distribution::Poisson { mean } => *mean,
        })
    }

    /// The variance, or `None` for a categorical distribution.
    pub fn variance(&self) -> Option<f64> {
        Some(match self {
            Distribution::Fixed(_) => 0.0,
            Distribution::Uniform { min, max } => (max - min).powi(2) / 12.0,
            Distribution::Normal { mean, sd, min, max } => {
                let (alpha, beta) = ((min - mean) / sd, (max - mean) / sd);
                let (phi, z) = truncation(alpha, beta);
                let a_term = if alpha.is_finite() { alpha * phi.0 } else { 0.0 };
                let b_term = if beta.is_finite() { beta * phi.1 } else { 0.0 };
                let shift = (phi.0 - phi.1) / z;
                sd * sd * (1.0 + (a_term - b_term) / z - shift * shift)
            }
            Distribution::LogNormal { mu, sigma } => {
                let s2 = sigma * sigma;
                (s2.exp() - 1.0) * (2.0 * mu + s2).exp()
            }
            Distribution::Beta { alpha, beta } => {
                let n = alpha + beta;
                alpha * beta / (n * n * (n + 1.0))
            }
            Distribution::Triangular { min: a, mode: c, max: b } => {
                (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0
            }
            Distribution::Pert { min, mode, max } => {
                let (a, b) = pert_shape(*min, *mode, *max);
                let n = a + b;
                (max - min).powi(2) * a * b / (n * n * (n + 1.0))
            }
            Distribution::Bernoulli(p) => p * (1.0 - p),
            Distribution::Categorical(_) => return None,
            Distribution::Poisson { mean } => *mean,
        })
    }

    /// True when the value is a whole number of a discrete distribution (bernoulli, poisson,
    /// categorical index) rather than a continuous quantity.
    pub fn is_discrete(&self) -> bool {
        matches!(
            self,
            Distribution::Bernoulli(_) | Distribution::Categorical(_) | Distribution::Poisson { .. }
        )
    }
}

/// The PERT distribution's beta shape parameters.
fn pert_shape(min: f64, mode: f64, max: f64) -> (f64, f64) {
    let width = max - min;
    (1.0 + 4.0 * (mode - min) / width, 1.0 + 4.0 * (max - mode) / width)
}

fn standard_normal() -> Normal {
    Normal::standard()
}

/// (φ(α), φ(β)) and Z = Φ(β) − Φ(α) for a normal truncated to standardized bounds [α, β].
fn truncation(alpha: f64, beta: f64) -> ((f64, f64), f64) {
    let unit = standard_normal();
    let density =
        |z: f64| if z.is_finite() { (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt() } else { 0.0 };
    ((density(alpha), density(beta)), unit.cdf(beta) - unit.cdf(alpha))
}

fn beta_quantile(alpha: f64, beta: f64, u: f64) -> f64 {
    match Beta::new(alpha, beta) {
        Ok(b) => b.inverse_cdf(u.clamp(0.0, 1.0)),
        Err(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_inverts_cdf() {
        let cases = [
            Distribution::Uniform { min: 0.2, max: 0.6 },
            Distribution::Normal { mean: 1.0, sd: 2.0, min: f64::NEG_INFINITY, max: f64::INFINITY },
            Distribution::Normal { mean: 0.0, sd: 1.0, min: -0.5, max: 2.0 },
            Distribution::lognormal_from_interval(10.0, 40.0),
            Distribution::Beta { alpha: 8.0, beta: 3.0 },
            Distribution::Triangular { min: 6.0, mode: 30.0, max: 96.0 },
            Distribution::Pert { min: 1.0, mode: 2.0, max: 7.0 },
        ];
        for d in &cases {
            for u in [0.01, 0.05, 0.3, 0.5, 0.77, 0.95, 0.99] {
                let x = d.quantile(u);
                assert!((d.cdf(x) - u).abs() < 1e-7, "{d:?} at {u}: cdf(q) = {}", d.cdf(x));
            }
        }
    }

    #[test]
    fn lognormal_interval_form_hits_its_percentiles() {
        let d = Distribution::lognormal_from_interval(10.0, 40.0);
        assert!((d.quantile(0.05) - 10.0).abs() < 1e-9);
        assert!((d.quantile(0.95) - 40.0).abs() < 1e-9);
    }

    #[test]
    fn beta_moment_form_round_trips() {
        let d = Distribution::beta_from_moments(0.7, 0.1);
        assert!((d.mean().unwrap() - 0.7).abs() < 1e-12);
        assert!((d.variance().unwrap().sqrt() - 0.1).abs() < 1e-12);
    }

    #[test]
    fn categorical_and_bernoulli_are_monotone_in_u() {
        let d = Distribution::Categorical(vec![("a".into(), 0.5), ("b".into(), 0.3), ("c".into(), 0.2)]);
        assert_eq!(d.quantile(0.1), 0.0);
        assert_eq!(d.quantile(0.6), 1.0);
        assert_eq!(d.quantile(0.99), 2.0);
        let b = Distribution::Bernoulli(0.3);
        assert_eq!(b.quantile(0.5), 0.0);
        assert_eq!(b.quantile(0.8), 1.0);
    }
}
