//! Populations of displaced agents (DESIGN.md §2.7), simulated exactly but not agent by agent.
//!
//! The reference rule: each month every displaced agent i goes home if U + noise·ε_i > θ_i,
//! ε_i ~ N(0, 1); when the flight event fires each agent at home is displaced again with
//! probability f. Agents are exchangeable, so this module keeps them sorted by θ and draws the same
//! distribution of outcomes with cost proportional to the agents who move, not to all agents:
//!
//! * Thresholds: n sorted uniforms from exponential spacings (U₍ᵢ₎ = Sᵢ / Sₙ₊₁, Sᵢ the partial sums
//!   of n + 1 standard exponentials), mapped through the threshold's inverse CDF (monotone), give
//!   the order statistics of n i.i.d. draws in O(n) without sorting.
//! * Returns: displaced agent i goes home with q_i = P(U + noise·ε > θ_i) = Φ((U − θ_i)/noise),
//!   which decreases along the sorted agents. Walking the displaced agents in θ order, the next
//!   candidate is found by geometric skipping with the current bound q̄ (each agent a candidate
//!   with probability q̄, independently), accepted with probability q_i/q̄, after which q̄ = q_i (a
//!   valid bound for every later agent). Each agent thus goes home with probability exactly q_i,
//!   independently. With noise = 0 the returners are the displaced agents with θ_i < U, found by
//!   binary search.
//!   Agents whose q_i rounds to 1 (U − θ_i ≥ 8.5·noise) go home in bulk after a binary search;
//!   agents with q_i ≥ 0.1 follow the reference rule itself (one normal each), which is cheaper
//!   when most of them move; thinning covers the rest.
//! * Flight: one uniform per agent at home when f ≥ 0.2, else geometric skipping with
//!   probability f over the agents at home.
//!
//! Who is at home is a bitset over the sorted agents; skipping counts bits a word at a time.
//! A per-agent reference implementation lives in the tests and the two are compared there.

use super::quantile::Sampler;
use crate::engine::stream::Stream;

/// z beyond which Φ(z) rounds to 1 in double precision (1 − Φ(8.5) ≈ 1e-17 < ε/2): displaced
/// agents with (U − θ)/noise ≥ 8.5 return with probability 1 and are set home in bulk.
pub const CERTAIN: f64 = 8.5;

/// Displaced agents with q_i ≥ Φ(−1.2816) = 0.1, i.e. θ_i ≤ U + 1.2816·noise, decide by the
/// reference rule itself (one normal draw each): cheaper than thinning when most of them move.
pub const DIRECT_Z: f64 = 1.281_551_565_544_600_4;

/// Flights with a probability at least this draw one uniform per agent at home; rarer flights
/// skip geometrically.
pub const DIRECT_FLIGHT: f64 = 0.2;

/// One run's agents of one population, sorted by threshold.
#[derive(Debug, Clone, Default)]
pub struct Agents {
    /// θ_i, ascending.
    thresholds: Vec<f64>,
    /// Bit i set: agent i is at home.
    home: Vec<u64>,
    /// Agents at home.
    at_home: usize,
    /// Where the last month's searches ended (agents certain to return, end of the direct band):
    /// the utility moves little from month to month, so the next search starts there.
    hints: (usize, usize),
}

impl Agents {
    /// Agents for `count` agents (none at home, thresholds 0 until [`Agents::reset`]).
    pub fn new(count: usize) -> Self {
        Agents { thresholds: vec![0.0; count], home: vec![0; count.div_ceil(64)], at_home: 0, hints: (0, 0) }
    }

    /// Number of agents.
    pub fn len(&self) -> usize {
        self.thresholds.len()
    }

    /// True when there are no agents.
    pub fn is_empty(&self) -> bool {
        self.thresholds.is_empty()
    }

    /// Agents at home.
    pub fn at_home(&self) -> usize {
        self.at_home
    }

    /// The thresholds, ascending.
    pub fn thresholds(&self) -> &[f64] {
        &self.thresholds
    }

    /// True when agent `i` (in threshold order) is at home.
    pub fn is_home(&self, i: usize) -> bool {
        self.home.get(i / 64).is_some_and(|word| word >> (i % 64) & 1 == 1)
    }

    /// Draws a new run's thresholds from `threshold` and puts `initially_home` agents, chosen
    /// uniformly at random, at home.
    pub fn reset(&mut self, threshold: &Sampler, initially_home: usize, stream: &mut Stream) {
        let n = self.thresholds.len();
        // Exponential spacings: partial sums S_1..S_n into `thresholds`, then S_{n+1}. The draws
        // first, then the sums (the same additions in the same order): the running sum of a loop
        // that also draws lived in memory, around the exponential's rare call to libm.
        for slot in &mut self.thresholds {
            *slot = stream.exponential();
        }
        let mut sum = 0.0;
        for slot in &mut self.thresholds {
            sum += *slot;
            *slot = sum;
        }
        let total = sum + stream.exponential();
        threshold.sorted_quantiles(&mut self.thresholds, total);
        self.home.fill(0);
        self.at_home = 0;
        // Floyd's algorithm: a uniform random subset of size m in m draws.
        let m = initially_home.min(n);
        for j in n - m..n {
            let pick = ((stream.uniform() * (j + 1) as f64) as usize).min(j);
            let chosen = if self.is_home(pick) { j } else { pick };
            self.set_home(chosen);
        }
    }

    /// Renewed flight: each agent at home is displaced with `probability`.
    pub fn flee(&mut self, probability: f64, stream: &mut Stream) {
        if probability >= 1.0 {
            self.home.fill(0);
            self.at_home = 0;
            return;
        }
        if probability.is_nan() || probability <= 0.0 || self.at_home == 0 {
            return;
        }
        if probability >= DIRECT_FLIGHT {
            for w in 0..self.home.len() {
                let mut word = self.home[w];
                while word != 0 {
                    let bit = word & word.wrapping_neg();
                    word ^= bit;
                    if stream.uniform() < probability {
                        self.home[w] &= !bit;
                        self.at_home -= 1;
                    }
                }
            }
            return;
        }
        let log_stay = (-probability).ln_1p();
        let mut from = 0;
        loop {
            let skip = stream.failures_given_log_failure(log_stay);
            let Some(i) = self.select(from, skip, true) else { break };
            self.clear_home(i);
            from = i + 1;
        }
    }

    /// One month's decisions: each displaced agent goes home if `utility` + `noise`·ε > θ_i.
    pub fn decide(&mut self, utility: f64, noise: f64, stream: &mut Stream) {
        if utility.is_nan() || self.at_home == self.thresholds.len() {
            return;
        }
        if noise <= 0.0 {
            let below = self.thresholds.partition_point(|&theta| theta < utility);
            self.set_home_below(below);
            return;
        }
        let scale = 1.0 / (noise * std::f64::consts::SQRT_2);
        // q_i = Φ((U − θ_i)/noise) = erfc((θ_i − U)/(noise·√2)) / 2.
        let probability = |theta: f64| 0.5 * statrs::function::erf::erfc((theta - utility) * scale);
        // Agents with (U − θ_i)/noise ≥ CERTAIN have q_i = 1 in floating point: all go home.
        let certain =
            partition_near(&self.thresholds, self.hints.0, |theta| theta < utility - CERTAIN * noise);
        if certain > 0 && self.select(0, 0, false).is_some_and(|first| first < certain) {
            self.set_home_below(certain);
        }
        // The band of likely returners: the reference rule, agent by agent.
        let direct =
            partition_near(&self.thresholds, self.hints.1, |theta| theta <= utility + DIRECT_Z * noise);
        self.hints = (certain, direct);
        let direct = direct.max(certain);
        for w in certain / 64..direct.div_ceil(64) {
            let (lo, hi) = ((w * 64).max(certain), ((w + 1) * 64).min(direct));
            let mask = range_mask(lo - w * 64, hi - w * 64);
            let mut displaced = !self.home[w] & mask;
            while displaced != 0 {
                let bit = displaced & displaced.wrapping_neg();
                displaced ^= bit;
                let i = w * 64 + bit.trailing_zeros() as usize;
                if utility + noise * stream.normal() > self.thresholds[i] {
                    self.home[w] |= bit;
                    self.at_home += 1;
                }
            }
        }
        // Beyond it, q_i < 0.1: thinning.
        let Some(first) = self.select(direct, 0, false) else { return };
        let mut bound = probability(self.thresholds[first]);
        let mut from = first;
        while bound > 0.0 {
            let skip = stream.failures_before_success(bound);
            let Some(i) = self.select(from, skip, false) else { break };
            let q = probability(self.thresholds[i]);
            if stream.uniform() * bound < q {
                self.set_home(i);
            }
            bound = q.min(bound);
            from = i + 1;
        }
    }

    /// The index of the `skip`-th (0-based) agent at or after `from` whose home bit equals
    /// `home`, or `None` if there is none.
    fn select(&self, from: usize, mut skip: u64, home: bool) -> Option<usize> {
        let n = self.thresholds.len();
        // Fewer agents than `skip` are left: none (thinning's last skip is usually long).
        if from >= n || skip >= (n - from) as u64 {
            return None;
        }
        let mut w = from / 64;
        let load = |w: usize| -> u64 {
            let raw = self.home.get(w).copied().unwrap_or(0);
            let word = if home { raw } else { !raw };
            let valid_bits = n - w * 64;
            if valid_bits >= 64 { word } else { word & ((1u64 << valid_bits) - 1) }
        };
        let mut word = load(w) & (u64::MAX << (from % 64));
        loop {
            let count = u64::from(word.count_ones());
            if skip < count {
                for _ in 0..skip {
                    word &= word - 1;
                }
                return Some(w * 64 + word.trailing_zeros() as usize);
            }
            skip -= count;
            w += 1;
            if w * 64 >= n {
                return None;
            }
            word = load(w);
        }
    }

    fn set_home(&mut self, i: usize) {
        if let Some(word) = self.home.get_mut(i / 64) {
            let bit = 1u64 << (i % 64);
            if *word & bit == 0 {
                *word |= bit;
                self.at_home += 1;
            }
        }
    }

    fn clear_home(&mut self, i: usize) {
        if let Some(word) = self.home.get_mut(i / 64) {
            let bit = 1u64 << (i % 64);
            if *word & bit != 0 {
                *word &= !bit;
                self.at_home -= 1;
            }
        }
    }

    /// Puts agents 0..end at home.
    fn set_home_below(&mut self, end: usize) {
        let end = end.min(self.thresholds.len());
        let full = end / 64;
        for word in self.home.iter_mut().take(full) {
            *word = u64::MAX;
        }
        if !end.is_multiple_of(64)
            && let Some(word) = self.home.get_mut(full)
        {
            *word |= (1u64 << (end % 64)) - 1;
        }
        self.at_home = self.home.iter().map(|w| w.count_ones() as usize).sum();
    }
}

/// The first index of ascending `values` where `below` stops holding (`below` true on a prefix,
/// as [`slice::partition_point`] requires), found by galloping out from `hint` and then bisecting:
/// a few comparisons when the answer is near `hint`. The answer is unique, so it is exactly what a
/// search from scratch returns.
fn partition_near(values: &[f64], hint: usize, below: impl Fn(f64) -> bool) -> usize {
    let n = values.len();
    let hint = hint.min(n);
    // Invariant: `below` holds for every index < lo and fails for every index ≥ hi.
    let (mut lo, mut hi) = (0, n);
    let mut step = 1;
    if values.get(hint).is_some_and(|&v| below(v)) {
        lo = hint + 1;
        while let Some(&v) = values.get(lo + step - 1) {
            if below(v) {
                lo += step;
                step *= 2;
            } else {
                hi = lo + step - 1;
                break;
            }
        }
    } else {
        hi = hint;
        while hi >= step {
            if below(values[hi - step]) {
                lo = hi - step + 1;
                break;
            }
            hi -= step;
            step *= 2;
        }
    }
    lo + values[lo..hi].partition_point(|&v| below(v))
}

/// Bits lo..hi of a word set (0 ≤ lo ≤ hi ≤ 64).
fn range_mask(lo: usize, hi: usize) -> u64 {
    let upto = |n: usize| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
    upto(hi) & !upto(lo)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::streams::Purpose;
    use crate::scenario::Distribution;

    /// The per-agent rule of DESIGN.md §2.7, literally: i.i.d. thresholds by the exact inverse
    /// CDF, one normal shock per displaced agent per month, one Bernoulli per agent at home on
    /// flight.
    pub(crate) struct ReferenceAgents {
        pub thresholds: Vec<f64>,
        pub home: Vec<bool>,
    }

    impl ReferenceAgents {
        pub fn new(n: usize, threshold: &Distribution, initially_home: usize, stream: &mut Stream) -> Self {
            let thresholds = (0..n).map(|_| threshold.quantile(stream.uniform())).collect();
            let home = (0..n).map(|i| i < initially_home).collect();
            ReferenceAgents { thresholds, home }
        }
        pub fn at_home(&self) -> usize {
            self.home.iter().filter(|h| **h).count()
        }
        pub fn flee(&mut self, probability: f64, stream: &mut Stream) {
            for home in &mut self.home {
                if *home && stream.uniform() < probability {
                    *home = false;
                }
            }
        }
        pub fn decide(&mut self, utility: f64, noise: f64, stream: &mut Stream) {
            for (home, theta) in self.home.iter_mut().zip(&self.thresholds) {
                if !*home && utility + noise * stream.normal() > *theta {
                    *home = true;
                }
            }
        }
    }

    fn stream(run: u64, name: &str) -> Stream {
        Stream::new(11, run, Purpose::Population.stream(name))
    }

    #[test]
    fn thresholds_are_sorted_draws_of_the_distribution() {
        let d = Distribution::Beta { alpha: 5.0, beta: 2.0 };
        let sampler = Sampler::new(&d);
        let mut agents = Agents::new(50_000);
        agents.reset(&sampler, 0, &mut stream(0, "t"));
        let theta = agents.thresholds();
        assert!(theta.windows(2).all(|w| w[0] <= w[1]));
        // Kolmogorov–Smirnov distance against the exact CDF: the 0.1% critical value is
        // 1.95/√n; the sample is i.i.d. by construction, only sorted.
        let n = theta.len() as f64;
        let ks = theta
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let f = d.cdf(x);
                (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
            })
            .fold(0.0, f64::max);
        assert!(ks < 1.95 / n.sqrt(), "KS {ks}");
    }

    #[test]
    fn initially_home_agents_are_a_random_subset() {
        let sampler = Sampler::new(&Distribution::Uniform { min: 0.0, max: 1.0 });
        let mut agents = Agents::new(100);
        let mut counts = [0u32; 100];
        for run in 0..2000 {
            agents.reset(&sampler, 30, &mut stream(run, "home"));
            assert_eq!(agents.at_home(), 30);
            for (i, c) in counts.iter_mut().enumerate() {
                *c += u32::from(agents.is_home(i));
            }
        }
        // Each agent is home with probability 0.3: 600 ± 20.5 per agent; z = 5.
        assert!(counts.iter().all(|&c| (c as f64 - 600.0).abs() < 5.0 * 20.5), "{counts:?}");
    }

    #[test]
    fn noise_free_decisions_take_everyone_below_the_utility() {
        let sampler = Sampler::new(&Distribution::Uniform { min: 0.0, max: 1.0 });
        let mut agents = Agents::new(1000);
        let mut s = stream(1, "nf");
        agents.reset(&sampler, 0, &mut s);
        agents.decide(0.4, 0.0, &mut s);
        let below = agents.thresholds().iter().filter(|&&t| t < 0.4).count();
        assert_eq!(agents.at_home(), below);
        assert!((0..1000).all(|i| agents.is_home(i) == (agents.thresholds()[i] < 0.4)));
        agents.flee(1.0, &mut s);
        assert_eq!(agents.at_home(), 0);
    }

    /// Mean and distribution of the final number at home over runs, fast versus reference, with
    /// noise, a utility that changes with the month and the share at home, and flights. The two
    /// cases cover every path: bulk certain returns, the direct band, thinning, and both kinds of
    /// flight (one uniform per agent at f ≥ 0.2, geometric skipping below).
    #[test]
    fn fast_agents_match_the_reference_rule() {
        for (noise, flight) in [(0.05, 0.5), (0.2, 0.1)] {
            compare_with_reference(noise, flight);
        }
    }

    fn compare_with_reference(noise: f64, flight: f64) {
        let d = Distribution::Beta { alpha: 5.0, beta: 2.0 };
        let sampler = Sampler::new(&d);
        let (n, runs, months) = (300, 3000u64, 24);
        let utility = |month: usize, share: f64| 0.35 + 0.005 * month as f64 + 0.2 * share;
        let mut fast_final = Vec::new();
        let mut reference_final = Vec::new();
        for run in 0..runs {
            let mut s = stream(run, "fast");
            let mut agents = Agents::new(n);
            agents.reset(&sampler, 20, &mut s);
            let mut r = stream(run, "reference");
            let mut reference = ReferenceAgents::new(n, &d, 20, &mut r);
            for month in 0..months {
                if month % 7 == 6 {
                    agents.flee(flight, &mut s);
                    reference.flee(flight, &mut r);
                }
                let u = utility(month, agents.at_home() as f64 / n as f64);
                agents.decide(u, noise, &mut s);
                let u = utility(month, reference.at_home() as f64 / n as f64);
                reference.decide(u, noise, &mut r);
            }
            fast_final.push(agents.at_home() as f64);
            reference_final.push(reference.at_home() as f64);
        }
        let moments = |xs: &[f64]| {
            let m = xs.iter().sum::<f64>() / xs.len() as f64;
            let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
            (m, v)
        };
        let (fm, fv) = moments(&fast_final);
        let (rm, rv) = moments(&reference_final);
        // Difference of two independent means: z = 4 on its standard error.
        let se = ((fv + rv) / runs as f64).sqrt();
        assert!((fm - rm).abs() < 4.0 * se, "noise {noise}: fast {fm} vs reference {rm} (se {se})");
        // Two-sample Kolmogorov–Smirnov at the 0.1% level: D < 1.95·√(2/n).
        let ks = two_sample_ks(&mut fast_final, &mut reference_final);
        assert!(ks < 1.95 * (2.0 / runs as f64).sqrt(), "noise {noise}: KS {ks}");
        assert!(rm > 30.0 && rm < 270.0, "the test should exercise partial returns: {rm}");
    }

    #[test]
    fn searches_from_a_hint_find_the_partition_point() {
        let values: Vec<f64> = (0..200).map(|i| f64::from(i / 3)).collect();
        for hint in [0, 1, 2, 3, 50, 99, 100, 101, 150, 198, 199, 200, 500] {
            for cut in [-1.0, 0.0, 0.5, 1.0, 7.0, 33.0, 65.0, 66.0, 67.0, 1e9] {
                let expected = values.partition_point(|&v| v < cut);
                assert_eq!(partition_near(&values, hint, |v| v < cut), expected, "hint {hint}, cut {cut}");
                let expected = values.partition_point(|&v| v <= cut);
                assert_eq!(partition_near(&values, hint, |v| v <= cut), expected, "hint {hint}, ≤ {cut}");
            }
        }
        assert_eq!(partition_near(&[], 3, |v| v < 1.0), 0);
    }

    pub(crate) fn two_sample_ks(a: &mut [f64], b: &mut [f64]) -> f64 {
        a.sort_by(f64::total_cmp);
        b.sort_by(f64::total_cmp);
        let (mut i, mut j, mut worst) = (0, 0, 0.0f64);
        while i < a.len() && j < b.len() {
            let x = a[i].min(b[j]);
            while i < a.len() && a[i] <= x {
                i += 1;
            }
            while j < b.len() && b[j] <= x {
                j += 1;
            }
            worst = worst.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
        }
        worst
    }
}
