//! The distribution catalogue of DESIGN.md §2.1.
//!
//! Every distribution is sampled by its inverse CDF ([`Distribution::quantile`]) from one uniform
//! number, so a changed parameter moves each run's value monotonically: the best coupling for
//! comparisons on common random numbers. Parameters are validated by the loader before a
//! `Distribution` is built; the functions here assume valid parameters and never panic on them.
//!
//! Valid parameters are also computable ones: [`Distribution::check_computable`] (called by the
//! loader on every distribution, from the file or `--set`) refuses parameters that are each finite
//! but whose quantiles are not (a lognormal with `mu = 800`, a beta with `sd = 1e-160`), and caps
//! the parameters whose inverse CDF would search too long ([`MAX_POISSON_MEAN`],
//! [`MAX_BETA_SHAPE`]).

use statrs::distribution::{Beta, ContinuousCDF, DiscreteCDF, Normal, Poisson};

/// z such that Φ(z) = 0.95: turns a 90% interval (p5, p95) into a lognormal's σ.
pub const Z95: f64 = 1.644_853_626_951_472_2;

/// The largest Poisson mean accepted. The inverse CDF searches over counts (doubling, then
/// bisection, each step an incomplete gamma function): its cost grows with the mean (measured,
/// test profile: 5 µs a draw at mean 3, 1.4 ms at 1e5, 4 ms at 1e6, 0.1 s at 1e9), and at 1e19 its
/// upper bound overflows and it never ends. A Poisson this large is a normal with sd √mean.
pub const MAX_POISSON_MEAN: f64 = 1e5;

/// The largest beta shape (α or β) accepted: the beta inverse CDF loses its accuracy beyond it. A
/// beta this narrow (sd below about 1.6e-5) is a constant for any purpose.
pub const MAX_BETA_SHAPE: f64 = 1e9;

/// Cumulative probabilities at which every distribution must have a finite value: the 1e-12
/// tails of the register and the quantile tables, and the most extreme uniforms a random stream
/// can produce (½·2⁻⁵³, and 1 − 2⁻⁵² where [`Distribution::quantile`] clamps).
pub const CHECKED_PROBABILITIES: [f64; 5] =
    [1e-12, 1.0 - 1e-12, 0.5 / 9_007_199_254_740_992.0, 1.0 - f64::EPSILON, 0.5];

/// Why parameters that are each a finite number still cannot be drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncomputable {
    /// What is wrong, naming the limit.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

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

    /// Checks that the distribution can be drawn from and described: its parameters within the
    /// caps, and finite values at every one of [`CHECKED_PROBABILITIES`] and a finite mean.
    pub fn check_computable(&self) -> Result<(), Uncomputable> {
        match *self {
            Distribution::Poisson { mean } if mean > MAX_POISSON_MEAN => {
                return Err(Uncomputable {
                    message: format!(
                        "`poisson` mean must be at most {} (each draw searches over counts, which takes \
                         about a millisecond at 1e5 and grows with the mean), found {}",
                        short(MAX_POISSON_MEAN),
                        short(mean)
                    ),
                    help: format!(
                        "a Poisson count this large is a normal to within 1/√mean: write normal = {{ mean = {}, \
                         sd = {} }}",
                        short(mean),
                        short(mean.sqrt())
                    ),
                });
            }
            Distribution::Beta { alpha, beta } if !(alpha <= MAX_BETA_SHAPE && beta <= MAX_BETA_SHAPE) => {
                let mean = alpha / (alpha + beta);
                let fixed = if mean.is_finite() {
                    format!("`fixed = {}`", short(mean))
                } else {
                    "`fixed = ` and its mean".to_string()
                };
                return Err(Uncomputable {
                    message: format!(
                        "this `beta` is too narrow to compute: its shapes are α = {}, β = {} and crossroads \
                         computes betas with shapes up to {}",
                        short(alpha),
                        short(beta),
                        short(MAX_BETA_SHAPE)
                    ),
                    help: format!(
                        "a beta this narrow (sd below about 1.6e-5) is a constant: write {fixed}, or give a \
                         larger sd"
                    ),
                });
            }
            _ => {}
        }
        for u in CHECKED_PROBABILITIES {
            let value = self.quantile(u);
            if !value.is_finite() {
                let at = if u < 1e-12 {
                    "at the lowest cumulative probability a draw can have (5.6e-17)".to_string()
                } else if u > 1.0 - 1e-12 {
                    "at the highest cumulative probability a draw can have (1 − 2.2e-16)".to_string()
                } else {
                    format!("at cumulative probability {}", short(u))
                };
                return Err(Uncomputable {
                    message: format!("this distribution's value {at} is {value}, not a finite number"),
                    help: self.overflow_help(),
                });
            }
        }
        if let Some(mean) = self.mean()
            && !mean.is_finite()
        {
            return Err(Uncomputable {
                message: format!("this distribution's mean is {mean}, not a finite number"),
                help: self.overflow_help(),
            });
        }
        Ok(())
    }

    /// How to bring an overflowing distribution back into the finite numbers.
    fn overflow_help(&self) -> String {
        match self {
            Distribution::LogNormal { .. } => "ln X must stay below 709 (e^709 ≈ 8e307) even 8 sd above mu: \
                                               use a smaller mu or sigma (a lognormal in millions is mu ≈ 14)"
                .to_string(),
            _ => "use parameters whose values stay within ±1e307 (a different unit, e.g. millions, helps)"
                .to_string(),
        }
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

/// A number in few characters: 1e19 rather than 10000000000000000000.
fn short(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-4..1e6).contains(&x.abs()) {
        // Six significant digits, trailing zeros dropped: 3.16228e9, 1e19.
        let text = format!("{x:.5e}");
        match text.split_once('e') {
            Some((mantissa, exponent)) => {
                format!("{}e{exponent}", mantissa.trim_end_matches('0').trim_end_matches('.'))
            }
            None => text,
        }
    } else {
        format!("{x}")
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
    if alpha > 0.0 && beta > 0.0 && alpha.is_finite() && beta.is_finite() {
        inverse_beta(alpha, beta, u.clamp(0.0, 1.0))
    } else {
        f64::NAN
    }
}

/// The beta(a, b) inverse CDF at x ∈ [0, 1], for finite a, b > 0: statrs' `inv_beta_reg`
/// (Algorithm AS 64 with the Newton–Raphson refinement of AS 109 and Remark AS R83), copied step
/// for step so that its results are bit-identical where it converges, with two guards it lacks:
/// its step-halving loop never ends once the Newton step is NaN or infinite (it hangs for beta(1e3,
/// 1.000000001), beta(1e9, 2) and others, measured), and its Newton iteration has no bound. When a
/// guard trips, the quantile is found by bisection on the regularized incomplete beta function
/// instead (bounded, exact to the last representable bit). statrs is MIT licensed.
pub fn inverse_beta(a: f64, b: f64, x: f64) -> f64 {
    newton_inverse_beta(a, b, x).unwrap_or_else(|| bisect_inverse_beta(a, b, x))
}

/// statrs' `inv_beta_reg` (0.19.1), returning `None` where it would loop for ever.
fn newton_inverse_beta(mut a: f64, mut b: f64, mut x: f64) -> Option<f64> {
    use statrs::function::beta::{checked_beta_reg, ln_beta};
    const SAE: i32 = -30;
    const FPU: f64 = 1e-30;
    /// Newton steps before giving up (AS 109 converges in a handful).
    const MAX_STEPS: usize = 1000;
    /// Step halvings (by 3) before giving up: g = 3⁻⁷⁰⁰ is below the smallest double.
    const MAX_HALVINGS: usize = 700;
    let ln_beta = ln_beta(a, b);
    if x == 0.0 {
        return Some(0.0);
    }
    if x == 1.0 {
        return Some(1.0);
    }
    let mut p;
    let mut q;
    let flip = 0.5 < x;
    if flip {
        p = a;
        a = b;
        b = p;
        x = 1.0 - x;
    }
    p = (-(x * x).ln()).sqrt();
    q = p - (2.30753 + 0.27061 * p) / (1.0 + (0.99229 + 0.04481 * p) * p);
    if 1.0 < a && 1.0 < b {
        let r = (q * q - 3.0) / 6.0;
        let s = 1.0 / (2.0 * a - 1.0);
        let t = 1.0 / (2.0 * b - 1.0);
        let h = 2.0 / (s + t);
        let w = q * (h + r).sqrt() / h - (t - s) * (r + 5.0 / 6.0 - 2.0 / (3.0 * h));
        p = a / (a + b * (2.0 * w).exp());
    } else {
        let mut t = 1.0 / (9.0 * b);
        t = 2.0 * b * (1.0 - t + q * t.sqrt()).powf(3.0);
        if t <= 0.0 {
            p = 1.0 - ((((1.0 - x) * b).ln() + ln_beta) / b).exp();
        } else {
            t = 2.0 * (2.0 * a + b - 1.0) / t;
            if t <= 1.0 {
                p = (((x * a).ln() + ln_beta) / a).exp();
            } else {
                p = 1.0 - 2.0 / (t + 1.0);
            }
        }
    }
    if p.is_nan() {
        return None;
    }
    p = p.clamp(0.0001, 0.9999);
    let e = (-5.0 / a / a - 1.0 / x.powf(0.2) - 13.0) as i32;
    let acu = if e > SAE { f64::powi(10.0, e) } else { FPU };
    let mut pnext;
    let mut qprev = 0.0;
    let mut sq = 1.0;
    let mut prev = 1.0;
    let mut steps = 0;
    'outer: loop {
        steps += 1;
        if steps > MAX_STEPS {
            return None;
        }
        q = checked_beta_reg(a, b, p).ok()?;
        q = (q - x) * (ln_beta + (1.0 - a) * p.ln() + (1.0 - b) * (1.0 - p).ln()).exp();
        if !q.is_finite() {
            return None;
        }
        if q * qprev <= 0.0 {
            prev = if sq > FPU { sq } else { FPU };
        }
        let mut g = 1.0;
        let mut halvings = 0;
        loop {
            loop {
                let adj = g * q;
                sq = adj * adj;
                if sq < prev {
                    pnext = p - adj;
                    if (0.0..=1.0).contains(&pnext) {
                        break;
                    }
                }
                g /= 3.0;
                halvings += 1;
                if halvings > MAX_HALVINGS {
                    return None;
                }
            }
            if prev <= acu || q * q <= acu {
                p = pnext;
                break 'outer;
            }
            if pnext != 0.0 && pnext != 1.0 {
                break;
            }
            g /= 3.0;
            halvings += 1;
            if halvings > MAX_HALVINGS {
                return None;
            }
        }
        if pnext == p {
            break;
        }
        p = pnext;
        qprev = q;
    }
    Some(if flip { 1.0 - p } else { p })
}

/// The beta(a, b) inverse CDF by bisection on the bits of x ∈ [0, 1] (non-negative doubles order
/// like their bit patterns): at most 64 evaluations of the regularized incomplete beta function.
fn bisect_inverse_beta(a: f64, b: f64, x: f64) -> f64 {
    use statrs::function::beta::checked_beta_reg;
    let (mut low, mut high) = (0u64, 1f64.to_bits());
    // Invariant: cdf(low) < x ≤ cdf(high), as far as it can be told.
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        // NaN (or an error, impossible for x in [0, 1] and a, b > 0) moves the search up.
        let value = checked_beta_reg(a, b, f64::from_bits(middle)).unwrap_or(f64::NAN);
        if value < x {
            low = middle;
        } else {
            high = middle;
        }
    }
    f64::from_bits(high)
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
    fn uncomputable_parameters_are_refused_with_their_limit() {
        let poisson = Distribution::Poisson { mean: 1e19 }.check_computable().unwrap_err();
        assert!(
            poisson.message.contains("at most 100000") && poisson.message.contains("1e19"),
            "{poisson:?}"
        );
        let narrow = Distribution::beta_from_moments(0.5, 1e-160).check_computable().unwrap_err();
        assert!(narrow.message.contains("up to 1e9") && narrow.help.contains("fixed"), "{narrow:?}");
        assert!(poisson.help.contains("sd = 3.16228e9"), "{poisson:?}");
        let huge = Distribution::LogNormal { mu: 800.0, sigma: 1.0 }.check_computable().unwrap_err();
        assert!(huge.message.contains("inf"), "{huge:?}");
        let wide = Distribution::Uniform { min: -1e308, max: 1e308 }.check_computable().unwrap_err();
        assert!(wide.message.contains("not a finite number"), "{wide:?}");
        // Near the limits, still computable.
        for d in [
            Distribution::LogNormal { mu: 700.0, sigma: 1.0 },
            Distribution::Beta { alpha: 1e9, beta: 1e9 },
            Distribution::beta_from_moments(0.5, 2e-5),
            Distribution::Uniform { min: -1e307, max: 1e307 },
        ] {
            assert_eq!(d.check_computable(), Ok(()), "{d:?}");
        }
    }

    #[test]
    fn quantiles_at_the_caps_are_finite_and_quick() {
        for d in [
            Distribution::Poisson { mean: MAX_POISSON_MEAN },
            Distribution::Poisson { mean: 1e-300 },
            Distribution::Beta { alpha: MAX_BETA_SHAPE, beta: MAX_BETA_SHAPE },
            Distribution::Beta { alpha: MAX_BETA_SHAPE, beta: 1e-9 },
            Distribution::Beta { alpha: 1e-300, beta: 1e-300 },
        ] {
            let started = std::time::Instant::now();
            assert_eq!(d.check_computable(), Ok(()), "{d:?}");
            for u in [1e-12, 0.3, 0.5, 0.99, 1.0 - 1e-12] {
                assert!(d.quantile(u).is_finite(), "{d:?} at {u}");
            }
            let elapsed = started.elapsed();
            assert!(elapsed.as_millis() < 200, "{d:?}: {elapsed:?}");
        }
    }

    #[test]
    fn the_beta_inverse_never_hangs_and_matches_statrs_where_statrs_converges() {
        // Shapes where statrs' inv_beta_reg loops for ever (each was a measured hang).
        for (a, b) in [(1e6, 1e-300), (1e-300, 1e-2)] {
            for u in CHECKED_PROBABILITIES {
                assert!((0.0..=1.0).contains(&inverse_beta(a, b, u)), "beta({a}, {b}) at {u}");
            }
        }
        for (a, b) in [(1e3, 1.000000001), (1.000000001, 1e4), (1e9, 2.0), (1e-3, 1e9)] {
            for u in CHECKED_PROBABILITIES.into_iter().chain([0.01, 0.3, 0.7, 0.99]) {
                let q = inverse_beta(a, b, u);
                assert!((0.0..=1.0).contains(&q), "beta({a}, {b}) at {u}: {q}");
                let back = statrs::function::beta::beta_reg(a, b, q);
                // Where the mass below the smallest double exceeds u, the quantile is that double.
                assert!(
                    (back - u).abs() < 1e-7 || (back > u && q < 1e-300) || q == 1.0,
                    "beta({a}, {b}) at {u}: cdf(q) = {back}"
                );
            }
        }
        for (a, b) in [(8.0, 3.0), (0.5, 0.5), (2.0, 5.0), (0.01, 3.0), (300.0, 40.0)] {
            let beta = Beta::new(a, b).unwrap();
            for u in [1e-12, 0.01, 0.3, 0.5, 0.77, 0.99, 1.0 - 1e-12] {
                assert_eq!(
                    inverse_beta(a, b, u).to_bits(),
                    beta.inverse_cdf(u).to_bits(),
                    "({a}, {b}) at {u}"
                );
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
