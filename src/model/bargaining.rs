//! Bargaining rounds on one issue (DESIGN.md §2.6): Bueno de Mesquita's expected-utility model
//! (`bdm`, as reimplemented by Scholz, Calbert & Smith 2011) and the `compromise` model.
//!
//! Both work on plain slices indexed by stake (actor order = the issue's `stakes` order, which is
//! file order: the actor listed first wins ties). Positions are on the scale. Nothing here
//! allocates once a [`BdmScratch`] has been sized.

/// The forecast Σ c·s·x / Σ c·s: the capability- and salience-weighted mean position.
/// When every c·s is 0 (nobody cares or nobody can act) it is the plain mean of the positions.
pub fn forecast(capabilities: &[f64], saliences: &[f64], positions: &[f64]) -> f64 {
    let mut weighted = 0.0;
    let mut weight = 0.0;
    for ((c, s), x) in capabilities.iter().zip(saliences).zip(positions) {
        weighted += c * s * x;
        weight += c * s;
    }
    if weight > 0.0 {
        weighted / weight
    } else if positions.is_empty() {
        0.0
    } else {
        positions.iter().sum::<f64>() / positions.len() as f64
    }
}

/// One round of the `compromise` model: each actor moves (1 − salience) · `concession` of the way
/// from its position to the forecast at the start of the round.
pub fn compromise_round(
    capabilities: &[f64],
    saliences: &[f64],
    positions: &[f64],
    concession: f64,
    next: &mut [f64],
) {
    let target = forecast(capabilities, saliences, positions);
    for ((next, x), s) in next.iter_mut().zip(positions).zip(saliences) {
        *next = x + (1.0 - s) * concession * (target - x);
    }
}

/// Working memory for [`bdm_round`], sized for a number of actors.
#[derive(Debug, Clone, Default)]
pub struct BdmScratch {
    /// c_k · s_k per actor.
    weight: Vec<f64>,
    /// Which actors stand at the same position.
    classes: Classes,
    /// Utilities, P(a beats b) and sorting space.
    votes: Votes,
    /// Risk exponents r_i.
    risk: Vec<f64>,
    /// danger_i.
    danger: Vec<f64>,
    /// This round's distances and logs between distinct positions.
    logs: Logs,
    /// The previous round's (of any issue): positions that did not move keep their logs.
    previous_logs: Logs,
    /// Step 1: the lottery P U_s + (1 − P) U_f of a challenge with r = 1 between distinct
    /// positions (row: the challenger's position, column: the challenged's).
    lottery: Vec<f64>,
    /// One actor's view of each distinct position (step 1: the threat from there; step 5: U_s, U_f,
    /// the lottery of challenging an actor there, and what it expects from that actor's challenge).
    threat: Vec<f64>,
    success: Vec<f64>,
    failure: Vec<f64>,
    gamble: Vec<f64>,
    challenge: Vec<f64>,
}

/// d = |v_a − v_b|/R and ln d, ln(0.5 − 0.5·d), ln(0.5 + 0.5·d) between distinct positions a and b
/// (symmetric, row-major over the distinct positions), with the positions and R they were taken
/// for. Bargaining moves a few actors a round; the entries between positions that stayed are the
/// same numbers, so a round copies them from the previous round's table instead of taking them
/// again.
#[derive(Debug, Clone, Default)]
struct Logs {
    /// The distinct positions, as in [`Classes::values`].
    values: Vec<f64>,
    /// R.
    range: f64,
    /// d itself (what every utility is with r = 1, as in step 1).
    scaled: Vec<f64>,
    distance: Vec<f64>,
    success: Vec<f64>,
    failure: Vec<f64>,
}

impl Logs {
    /// Fills the tables for `values` and `range`, copying the entries between positions that
    /// `previous` has for the same R (compared bit for bit: the same inputs give the same logs).
    fn fill(&mut self, values: &[f64], range: f64, previous: &Logs, was: &mut Vec<Option<usize>>) {
        let m = values.len();
        let pm = previous.values.len();
        let same_range = previous.range.to_bits() == range.to_bits();
        self.values.clear();
        self.values.extend_from_slice(values);
        self.range = range;
        was.clear();
        was.extend(values.iter().map(|v| {
            if same_range { previous.values.iter().position(|p| p.to_bits() == v.to_bits()) } else { None }
        }));
        for a in 0..m {
            for b in a..m {
                let entries = match (was[a], was[b]) {
                    (Some(pa), Some(pb)) => {
                        let k = pa * pm + pb;
                        [previous.scaled[k], previous.distance[k], previous.success[k], previous.failure[k]]
                    }
                    _ => {
                        let d = scaled_distance(values[a], values[b], range);
                        [d, d.ln(), (0.5 - 0.5 * d).ln(), (0.5 + 0.5 * d).ln()]
                    }
                };
                for (table, value) in
                    [&mut self.scaled, &mut self.distance, &mut self.success, &mut self.failure]
                        .into_iter()
                        .zip(entries)
                {
                    table[a * m + b] = value;
                    table[b * m + a] = value;
                }
            }
        }
    }

    /// Room for `n` positions. Never shrinks: a smaller issue's round must not cut the tables the
    /// next round may copy from.
    fn resize(&mut self, n: usize) {
        for table in [&mut self.scaled, &mut self.distance, &mut self.success, &mut self.failure] {
            if table.len() < n * n {
                table.resize(n * n, 0.0);
            }
        }
    }
}

/// The distinct positions of a round. Every quantity of a round except the actors' own weights,
/// saliences and risk exponents depends on positions only through differences of them, so actors
/// at the same position (bargaining often brings several to the same point) share their logs,
/// powers and win probabilities: computed once per distinct position, they are bit for bit the
/// values a computation per actor would give.
#[derive(Debug, Clone, Default)]
struct Classes {
    /// The distinct positions, in order of first appearance.
    values: Vec<f64>,
    /// Each actor's index into `values`.
    of: Vec<usize>,
    /// Actors at each distinct position.
    size: Vec<usize>,
    /// For each distinct position c, row c: every distinct position by distance from c, nearest
    /// first (the order of a voter's utilities there, up to the rounding of the powers).
    nearest: Vec<usize>,
    /// The distinct positions in ascending order, and each one's rank in it (for `nearest`).
    ascending: Vec<usize>,
    rank: Vec<usize>,
    /// Which of this round's positions the previous round's logs had (see [`Logs::fill`]).
    was: Vec<Option<usize>>,
}

impl Classes {
    /// Groups `x` by position (==, so a NaN is a class of its own); returns the number of classes.
    fn assign(&mut self, x: &[f64]) -> usize {
        self.values.clear();
        self.of.clear();
        for &position in x {
            let class = match self.values.iter().position(|&v| v == position) {
                Some(class) => class,
                None => {
                    self.values.push(position);
                    self.values.len() - 1
                }
            };
            self.of.push(class);
        }
        let m = self.values.len();
        self.size.clear();
        self.size.resize(m, 0);
        for &class in &self.of {
            self.size[class] += 1;
        }
        self.order_by_distance();
        m
    }

    /// Fills `nearest`: from each position, walking out to both sides of it in ascending order and
    /// taking the nearer neighbour first.
    fn order_by_distance(&mut self) {
        let m = self.values.len();
        let values = &self.values;
        self.ascending.clear();
        self.ascending.extend(0..m);
        insertion_sort_by(&mut self.ascending, |&a, &b| values[a].total_cmp(&values[b]).is_gt());
        self.rank.resize(m, 0);
        for (rank, &class) in self.ascending.iter().enumerate() {
            self.rank[class] = rank;
        }
        self.nearest.resize(m * m, 0);
        for c in 0..m {
            let here = values[c];
            let row = &mut self.nearest[c * m..(c + 1) * m];
            row[0] = c;
            // The next candidates: ascending[left − 1] below, ascending[right] above.
            let (mut left, mut right) = (self.rank[c], self.rank[c] + 1);
            for slot in &mut row[1..] {
                let go_left = match (left.checked_sub(1), self.ascending.get(right)) {
                    (Some(l), Some(&r)) => here - values[self.ascending[l]] <= values[r] - here,
                    (Some(_), None) => true,
                    (None, _) => false,
                };
                if go_left {
                    left -= 1;
                    *slot = self.ascending[left];
                } else {
                    *slot = self.ascending[right];
                    right += 1;
                }
            }
        }
    }
}

/// Sorts a short, nearly sorted slice in place (`greater(a, b)`: a belongs after b): insertion sort,
/// n − 1 comparisons when it is already sorted.
#[inline]
fn insertion_sort_by<T: Copy>(v: &mut [T], greater: impl Fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && greater(&v[j - 1], &x) {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
}

/// What [`win_probabilities`] fills.
#[derive(Debug, Clone, Default)]
struct Votes {
    /// u_k(a) = (|x_k − v_a| / R)^{r_k} for distinct position a, stored position-major: row a,
    /// column k (so that the votes on a pair of positions read two contiguous rows).
    distance_utility: Vec<f64>,
    /// P(a beats b) between distinct positions, row a, column b; 0 on the diagonal.
    win: Vec<f64>,
    /// One voter's utility at each distinct position with the number of actors there, sorted
    /// (for D).
    sorted: Vec<(f64, usize)>,
    /// Each voter's Σ_a Σ_b |u_b − u_a| (shared by voters with the same position and exponent).
    spread: Vec<f64>,
}

impl BdmScratch {
    /// Scratch space for issues of up to `actors` actors.
    pub fn new(actors: usize) -> Self {
        let mut scratch = BdmScratch::default();
        scratch.resize(actors);
        scratch
    }

    fn resize(&mut self, n: usize) {
        self.weight.resize(n, 0.0);
        self.votes.distance_utility.resize(n * n, 0.0);
        self.votes.win.resize(n * n, 0.0);
        self.votes.sorted.resize(n, (0.0, 0));
        self.votes.spread.resize(n, 0.0);
        self.risk.resize(n, 1.0);
        self.danger.resize(n, 0.0);
        self.logs.resize(n);
        self.previous_logs.resize(n);
        self.lottery.resize(n * n, 0.0);
        for per_position in
            [&mut self.threat, &mut self.success, &mut self.failure, &mut self.gamble, &mut self.challenge]
        {
            per_position.resize(n, 0.0);
        }
    }

    /// The risk exponents r_i computed by the last [`bdm_round`].
    pub fn risk_exponents(&self) -> &[f64] {
        &self.risk
    }
}

/// One round of `bdm` exactly as DESIGN.md §2.6: all moves are simultaneous, from `positions` at
/// the start of the round, into `next`. `range` is R = max x − min x at the first round.
///
/// Decisions this function makes where the text is silent (documented in the model docs too):
/// d = |x_i − x_j| / R is clamped to [0, 1] (positions read from variables may leave the first
/// round's range); when R = 0 or every c·s is 0 nobody moves.
pub fn bdm_round(
    capabilities: &[f64],
    saliences: &[f64],
    positions: &[f64],
    range: f64,
    next: &mut [f64],
    scratch: &mut BdmScratch,
) {
    let n = positions.len().min(capabilities.len()).min(saliences.len()).min(next.len());
    next[..n].copy_from_slice(&positions[..n]);
    if n < 2 || range.is_nan() || range <= 0.0 {
        return;
    }
    scratch.resize(n);
    let BdmScratch {
        weight,
        classes,
        votes,
        risk,
        danger,
        logs,
        previous_logs,
        threat,
        lottery,
        success,
        failure,
        gamble,
        challenge,
    } = scratch;
    for k in 0..n {
        weight[k] = capabilities[k] * saliences[k];
    }
    if weight.iter().take(n).all(|w| *w <= 0.0) {
        return;
    }
    let (x, s) = (&positions[..n], &saliences[..n]);
    let m = classes.assign(x);
    // Powers are exp(r · ln base): the logs depend only on the pair of positions, so they are taken
    // once per unordered pair of distinct positions (or copied from the previous round's) and each
    // power costs one exp (powf would redo the log every time).
    std::mem::swap(logs, previous_logs);
    logs.fill(&classes.values, range, previous_logs, &mut classes.was);
    let of = &classes.of[..n];

    // Step 1: risk exponents from the dangers computed with every r = 1.
    risk[..n].fill(1.0);
    win_probabilities(classes, &weight[..n], &risk[..n], logs, votes);
    // The lottery of j's challenge to i depends only on their positions.
    for ((lottery, &p), &d) in lottery[..m * m].iter_mut().zip(&votes.win[..m * m]).zip(&logs.scaled[..m * m])
    {
        *lottery = challenge_lottery(p, 2.0 * d, -2.0 * d);
    }
    for i in 0..n {
        // With r = 1: U_s = 2d, U_f = −2d, U_sq = 0; the threat from j depends on j only through
        // its position (at i's own, d = 0 and P = 0).
        let own = of[i];
        for (c, threat) in threat[..m].iter_mut().enumerate() {
            let d = logs.scaled[c * m + own];
            *threat = expected_utility(lottery[c * m + own], s[i], 2.0 * d, 0.0);
        }
        danger[i] = (0..n).filter(|&j| j != i).map(|j| threat[of[j]]).sum();
    }
    let (low, high) =
        danger[..n].iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &d| (lo.min(d), hi.max(d)));
    for i in 0..n {
        let relative = if high > low { (2.0 * danger[i] - high - low) / (high - low) } else { 0.0 };
        risk[i] = (1.0 - relative / 3.0) / (1.0 + relative / 3.0);
    }

    // Steps 2–4 with the actors' own exponents.
    win_probabilities(classes, &weight[..n], &risk[..n], logs, votes);

    // Step 5: each actor's best offer, from the positions at the start of the round.
    for i in 0..n {
        let r = risk[i];
        let status_quo = 2.0 - 4.0 * (-r * std::f64::consts::LN_2).exp();
        // U_s = 2 − 4(0.5 − 0.5d)^r, U_f = 2 − 4(0.5 + 0.5d)^r against each other position, as i
        // evaluates them; what i expects from the challenge of an actor at b (EU with P(b, i) and
        // i's salience) is the same for every actor there.
        let own = of[i];
        for b in (0..m).filter(|&b| b != own) {
            success[b] = 2.0 - 4.0 * (r * logs.success[own * m + b]).exp();
            failure[b] = 2.0 - 4.0 * (r * logs.failure[own * m + b]).exp();
            let p = votes.win[own * m + b];
            gamble[b] = challenge_lottery(p, success[b], failure[b]);
            let p = votes.win[b * m + own];
            challenge[b] =
                expected_utility(challenge_lottery(p, success[b], failure[b]), s[i], success[b], status_quo);
        }
        let mut confrontation: Option<(f64, f64)> = None; // (distance, target)
        let mut compromise: Option<(f64, f64)> = None; // (criterion, target)
        for j in 0..n {
            let c = of[j];
            if c == own {
                continue;
            }
            let a = expected_utility(gamble[c], s[j], success[c], status_quo);
            let b = challenge[c];
            if b > a && a > 0.0 {
                let distance = (x[i] - x[j]).abs();
                if confrontation.is_none_or(|(best, _)| distance < best) {
                    confrontation = Some((distance, x[j]));
                }
            } else if b > 0.0 && a < 0.0 && b > a.abs() {
                let criterion = (a.abs() * x[i] + b.abs() * x[j]) / (a.abs() + b.abs());
                if compromise.is_none_or(|(best, _)| criterion < best) {
                    compromise = Some((criterion, x[i] + (x[j] - x[i]) * (a / b).abs()));
                }
            }
        }
        if let Some((_, target)) = confrontation.or(compromise) {
            next[i] = target;
        }
    }
}

/// d = |a − b| / R, clamped to [0, 1].
#[inline]
fn scaled_distance(a: f64, b: f64, range: f64) -> f64 {
    ((a - b).abs() / range).clamp(0.0, 1.0)
}

/// Pairs of positions whose votes are summed side by side: each pair's sums keep their order over
/// the voters, and the independent sums of several pairs overlap in the processor's pipeline.
const PAIRS_AT_ONCE: usize = 4;

/// Fills `votes.win` = P(a beats b) between distinct positions (steps 2–3) for exponents `risk`.
fn win_probabilities(classes: &Classes, weight: &[f64], risk: &[f64], logs: &Logs, votes: &mut Votes) {
    let (n, m) = (weight.len(), classes.values.len());
    let Votes { distance_utility, win, sorted, spread } = votes;
    let distance_utility = &mut distance_utility[..m * n];
    // u_k(a) = (|x_k − v_a|/R)^{r_k}: n·m powers, once per round; votes are differences of these.
    // u_k is d itself where r_k = 1, and 0 at k's own position (exp(r · ln 0) = 0 for r > 0).
    for (k, &r) in risk.iter().enumerate() {
        let own = classes.of[k];
        let (scaled, log_distance) =
            (&logs.scaled[own * m..(own + 1) * m], &logs.distance[own * m..(own + 1) * m]);
        for (a, (&d, &log)) in scaled.iter().zip(log_distance).enumerate() {
            distance_utility[a * n + k] = if r == 1.0 {
                d
            } else if log == f64::NEG_INFINITY && r > 0.0 {
                0.0
            } else {
                (r * log).exp()
            };
        }
    }
    // D = Σ_k Σ_a Σ_b |v_k(x_a, x_b)| = Σ_k c_k s_k Σ_a Σ_b |u_k(b) − u_k(a)| over the actors a, b;
    // with voter k's utilities sorted, Σ_a Σ_b |u_b − u_a| = 2 Σ_i u_(i)·(2i − n + 1): O(n log n)
    // per voter, and a voter at the same position with the same exponent as an earlier one has its
    // utilities, so its sum.
    let mut total = 0.0;
    for k in 0..n {
        let own = classes.of[k];
        let twin = if classes.size[own] > 1 {
            (0..k).find(|&t| classes.of[t] == own && risk[t].to_bits() == risk[k].to_bits())
        } else {
            None
        };
        spread[k] = match twin {
            Some(t) => spread[t],
            None => {
                // The utilities at the distinct positions, nearest position first: ascending but
                // for the rare rounding of a power against its neighbour's, which the insertion
                // sort puts right. The sorted values are the same whatever the sort; each stands
                // for as many actors as are there.
                let column = &mut sorted[..m];
                for (slot, &a) in column.iter_mut().zip(&classes.nearest[own * m..(own + 1) * m]) {
                    *slot = (distance_utility[a * n + k], classes.size[a]);
                }
                if column.windows(2).any(|pair| pair[0].0.total_cmp(&pair[1].0).is_gt()) {
                    insertion_sort_by(column, |a, b| a.0.total_cmp(&b.0).is_gt());
                }
                let mut sum = -0.0; // as `Iterator::sum` starts
                let mut i = 0;
                for &(u, size) in column.iter() {
                    for _ in 0..size {
                        sum += u * (2.0 * i as f64 - (n - 1) as f64);
                        i += 1;
                    }
                }
                sum
            }
        };
        total += weight[k] * 2.0 * spread[k];
    }
    // P(a, b) = Σ_k max(0, v_k(v_a, v_b)) / D with v_k(v_a, v_b) = c_k s_k [u_k(b) − u_k(a)]; the
    // negative parts of the same votes make P(b, a), so each unordered pair is one pass over voters.
    // (Negating a vote is exact, so P(b, a) is bit for bit what a pass in the other order gives.)
    for a in 0..m {
        win[a * m + a] = 0.0;
        let row_a = &distance_utility[a * n..(a + 1) * n];
        for first in (a + 1..m).step_by(PAIRS_AT_ONCE) {
            // Lanes past the last position vote on (a, a) and are dropped.
            let rows: [&[f64]; PAIRS_AT_ONCE] = std::array::from_fn(|l| {
                let b = if first + l < m { first + l } else { a };
                &distance_utility[b * n..(b + 1) * n]
            });
            let (mut for_a, mut for_b) = ([0.0; PAIRS_AT_ONCE], [0.0; PAIRS_AT_ONCE]);
            if total > 0.0 {
                for (k, (&w, &ua)) in weight.iter().zip(row_a).enumerate() {
                    for l in 0..PAIRS_AT_ONCE {
                        let vote = w * (rows[l][k] - ua);
                        for_a[l] += vote.max(0.0);
                        for_b[l] += (-vote).max(0.0);
                    }
                }
                for l in 0..PAIRS_AT_ONCE {
                    for_a[l] /= total;
                    for_b[l] /= total;
                }
            }
            for (l, b) in (first..m.min(first + PAIRS_AT_ONCE)).enumerate() {
                win[a * m + b] = for_a[l];
                win[b * m + a] = for_b[l];
            }
        }
    }
}

/// P U_s + (1 − P) U_f: what a challenge is worth to the evaluator if the challenged resists, given
/// P = P(challenger beats challenged) and the evaluator's U_s and U_f.
#[inline]
fn challenge_lottery(p: f64, success: f64, failure: f64) -> f64 {
    p * success + (1.0 - p) * failure
}

/// EU(i→j) = s_j [P U_s + (1 − P) U_f] + (1 − s_j) U_s − U_sq (step 4), given the lottery
/// P U_s + (1 − P) U_f with P = P(i, j), s_j and the evaluator's U_s and U_sq. (The lottery depends
/// on the pair of positions only, so callers take it once per pair.)
#[inline]
fn expected_utility(lottery: f64, salience: f64, success: f64, status_quo: f64) -> f64 {
    salience * lottery + (1.0 - salience) * success - status_quo
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The EC car-emission standards case (Bueno de Mesquita 1994, as tabled by Scholz et al.
    /// 2011): (name, capability, position, salience) on the 4–10 scale.
    pub(crate) const EC_CAR_EMISSIONS: [(&str, f64, f64, f64); 10] = [
        ("Netherlands", 0.08, 4.0, 0.8),
        ("Belgium", 0.08, 7.0, 0.4),
        ("Luxembourg", 0.03, 4.0, 0.2),
        ("Germany", 0.16, 4.0, 0.8),
        ("France", 0.16, 10.0, 0.6),
        ("Italy", 0.16, 10.0, 0.6),
        ("UK", 0.16, 10.0, 0.9),
        ("Ireland", 0.05, 7.0, 0.1),
        ("Denmark", 0.05, 4.0, 1.0),
        ("Greece", 0.08, 7.0, 0.7),
    ];

    fn ec_columns() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        (
            EC_CAR_EMISSIONS.iter().map(|a| a.1).collect(),
            EC_CAR_EMISSIONS.iter().map(|a| a.2).collect(),
            EC_CAR_EMISSIONS.iter().map(|a| a.3).collect(),
        )
    }

    #[test]
    fn ec_car_emissions_first_round_matches_the_published_numbers() {
        let (c, x, s) = ec_columns();
        assert!((forecast(&c, &s, &x) - 7.389955686853767).abs() < 1e-9, "{}", forecast(&c, &s, &x));
        let mut next = vec![0.0; x.len()];
        let mut scratch = BdmScratch::new(x.len());
        bdm_round(&c, &s, &x, 6.0, &mut next, &mut scratch);
        let after = forecast(&c, &s, &next);
        assert!((after - 7.461314378277189).abs() < 1e-9, "forecast {after}, positions {next:?}");
        assert!((next[1] - 8.415932315426764).abs() < 1e-9, "Belgium {}", next[1]);
        assert!((next[2] - 7.0).abs() < 1e-9, "Luxembourg {}", next[2]);
        assert!((next[7] - 4.0).abs() < 1e-9, "Ireland {}", next[7]);
    }

    #[test]
    fn later_rounds_stay_on_the_scale_and_converge() {
        let (c, mut x, s) = ec_columns();
        let mut next = vec![0.0; x.len()];
        let mut scratch = BdmScratch::new(x.len());
        for _ in 0..10 {
            bdm_round(&c, &s, &x, 6.0, &mut next, &mut scratch);
            assert!(next.iter().all(|p| (4.0..=10.0).contains(p)), "{next:?}");
            std::mem::swap(&mut x, &mut next);
        }
        assert!(scratch.risk_exponents().iter().all(|r| (0.5..=2.0).contains(r)));
    }

    #[test]
    fn nobody_moves_when_all_agree_or_nobody_cares() {
        let mut next = [0.0; 3];
        let mut scratch = BdmScratch::new(3);
        bdm_round(&[1.0, 1.0, 1.0], &[0.5, 0.5, 0.5], &[3.0, 3.0, 3.0], 0.0, &mut next, &mut scratch);
        assert_eq!(next, [3.0, 3.0, 3.0]);
        bdm_round(&[0.0, 0.0, 0.0], &[0.5, 0.5, 0.5], &[1.0, 5.0, 9.0], 8.0, &mut next, &mut scratch);
        assert_eq!(next, [1.0, 5.0, 9.0]);
    }

    /// EU(i→j) as DESIGN.md writes it, in one expression.
    fn literal_expected_utility(p: f64, salience: f64, success: f64, failure: f64, status_quo: f64) -> f64 {
        salience * (p * success + (1.0 - p) * failure) + (1.0 - salience) * success - status_quo
    }

    /// The round computed actor by actor, as before actors at one position shared their work:
    /// the reference [`bdm_round`] must match bit for bit. Returns (next positions, risk exponents).
    fn reference_round(c: &[f64], s: &[f64], x: &[f64], range: f64) -> (Vec<f64>, Vec<f64>) {
        let n = x.len();
        let weight: Vec<f64> = (0..n).map(|k| c[k] * s[k]).collect();
        let logs = |i: usize, j: usize| {
            let d = scaled_distance(x[i.min(j)], x[i.max(j)], range);
            [d.ln(), (0.5 - 0.5 * d).ln(), (0.5 + 0.5 * d).ln()]
        };
        let win = |risk: &[f64]| {
            let u = |a: usize, k: usize| {
                if risk[k] == 1.0 {
                    scaled_distance(x[k], x[a], range)
                } else {
                    (risk[k] * logs(k, a)[0]).exp()
                }
            };
            let mut total = 0.0;
            for (k, w) in weight.iter().enumerate() {
                let mut column: Vec<f64> = (0..n).map(|a| u(a, k)).collect();
                column.sort_unstable_by(f64::total_cmp);
                let spread: f64 =
                    column.iter().enumerate().map(|(i, u)| u * (2.0 * i as f64 - (n - 1) as f64)).sum();
                total += w * 2.0 * spread;
            }
            let mut win = vec![0.0; n * n];
            for i in 0..n {
                for j in i + 1..n {
                    let (mut for_i, mut for_j) = (0.0, 0.0);
                    if x[i] != x[j] && total > 0.0 {
                        for (k, w) in weight.iter().enumerate() {
                            let vote = w * (u(j, k) - u(i, k));
                            for_i += vote.max(0.0);
                            for_j += (-vote).max(0.0);
                        }
                        for_i /= total;
                        for_j /= total;
                    }
                    win[i * n + j] = for_i;
                    win[j * n + i] = for_j;
                }
            }
            win
        };
        let mut risk = vec![1.0; n];
        let p = win(&risk);
        let danger: Vec<f64> = (0..n)
            .map(|i| {
                (0..n)
                    .filter(|&j| j != i)
                    .map(|j| {
                        let d = scaled_distance(x[j], x[i], range);
                        literal_expected_utility(p[j * n + i], s[i], 2.0 * d, -2.0 * d, 0.0)
                    })
                    .sum()
            })
            .collect();
        let (low, high) =
            danger.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &d| (lo.min(d), hi.max(d)));
        for i in 0..n {
            let relative = if high > low { (2.0 * danger[i] - high - low) / (high - low) } else { 0.0 };
            risk[i] = (1.0 - relative / 3.0) / (1.0 + relative / 3.0);
        }
        let p = win(&risk);
        let mut next = x.to_vec();
        for i in 0..n {
            let r = risk[i];
            let status_quo = 2.0 - 4.0 * (-r * std::f64::consts::LN_2).exp();
            let mut confrontation: Option<(f64, f64)> = None;
            let mut compromise: Option<(f64, f64)> = None;
            for j in (0..n).filter(|&j| x[j] != x[i]) {
                let success = 2.0 - 4.0 * (r * logs(i, j)[1]).exp();
                let failure = 2.0 - 4.0 * (r * logs(i, j)[2]).exp();
                let a = literal_expected_utility(p[i * n + j], s[j], success, failure, status_quo);
                let b = literal_expected_utility(p[j * n + i], s[i], success, failure, status_quo);
                if b > a && a > 0.0 {
                    let distance = (x[i] - x[j]).abs();
                    if confrontation.is_none_or(|(best, _)| distance < best) {
                        confrontation = Some((distance, x[j]));
                    }
                } else if b > 0.0 && a < 0.0 && b > a.abs() {
                    let criterion = (a.abs() * x[i] + b.abs() * x[j]) / (a.abs() + b.abs());
                    if compromise.is_none_or(|(best, _)| criterion < best) {
                        compromise = Some((criterion, x[i] + (x[j] - x[i]) * (a / b).abs()));
                    }
                }
            }
            if let Some((_, target)) = confrontation.or(compromise) {
                next[i] = target;
            }
        }
        (next, risk)
    }

    fn bits(values: &[f64]) -> Vec<u64> {
        values.iter().map(|v| v.to_bits()).collect()
    }

    #[test]
    fn shared_positions_give_the_reference_round_bit_for_bit() {
        use crate::engine::stream::Stream;
        use crate::model::streams::Purpose;
        let mut stream = Stream::new(5, 0, Purpose::Stake.stream("bdm"));
        let mut scratch = BdmScratch::new(2);
        let mut shared = 0;
        for case in 0..3000 {
            let n = 2 + (stream.uniform() * 11.0) as usize;
            // Half the cases draw positions from four points, so that many actors share one.
            let points = [0.0, 25.5, 50.0, 100.0];
            let x: Vec<f64> = (0..n)
                .map(|_| {
                    if case % 2 == 0 {
                        points[(stream.uniform() * 4.0) as usize]
                    } else {
                        stream.uniform() * 100.0
                    }
                })
                .collect();
            let c: Vec<f64> =
                (0..n).map(|_| if stream.uniform() < 0.1 { 0.0 } else { stream.uniform() }).collect();
            let s: Vec<f64> = (0..n).map(|_| stream.uniform()).collect();
            let (lo, hi) =
                x.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            // Sometimes a range narrower than the positions' spread (distances clamp at 1).
            let range = if case % 7 == 0 { 0.5 * (hi - lo) } else { hi - lo };
            let mut next = vec![0.0; n];
            bdm_round(&c, &s, &x, range, &mut next, &mut scratch);
            if range > 0.0 && c.iter().zip(&s).any(|(c, s)| c * s > 0.0) {
                let (expected, risk) = reference_round(&c, &s, &x, range);
                assert_eq!(bits(&next), bits(&expected), "case {case}: {x:?}");
                assert_eq!(bits(&scratch.risk_exponents()[..n]), bits(&risk), "case {case}");
                shared += usize::from(x.iter().enumerate().any(|(i, v)| x[..i].contains(v)));
            } else {
                assert_eq!(bits(&next), bits(&x));
            }
        }
        assert!(shared > 1000, "the cases should exercise shared positions: {shared}");
        // Rounds of the EC case, which bring several actors to the same positions.
        let (c, mut x, s) = ec_columns();
        let mut next = vec![0.0; x.len()];
        for _ in 0..20 {
            bdm_round(&c, &s, &x, 6.0, &mut next, &mut scratch);
            assert_eq!(bits(&next), bits(&reference_round(&c, &s, &x, 6.0).0));
            std::mem::swap(&mut x, &mut next);
        }
    }

    #[test]
    fn compromise_moves_each_actor_toward_the_forecast() {
        let c = [1.0, 1.0];
        let s = [0.5, 1.0];
        let x = [0.0, 100.0];
        let mut next = [0.0; 2];
        compromise_round(&c, &s, &x, 0.2, &mut next);
        // forecast = (0.5·0 + 1·100)/1.5 = 66.67; actor 0 moves 0.5·0.2 of the way, actor 1 stays.
        assert!((next[0] - 0.1 * 200.0 / 3.0).abs() < 1e-12);
        assert_eq!(next[1], 100.0);
    }
}
