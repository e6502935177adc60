//! What each driver does to each outcome, in the outcome's own unit: the outcome's mean (or
//! probability) in each *bin* of the driver's draws, with its 95% interval, and the *swing* — the
//! largest bin's estimate minus the smallest's.
//!
//! A numeric driver is cut at the terciles of its declared distribution (`quantile(1/3)` and
//! `quantile(2/3)`), so its bins are its lowest, middle and highest thirds and no draws need
//! keeping; a discrete distribution whose terciles coincide gets fewer bins, a fixed one a single
//! bin (no swing). A categorical driver has one bin per category. Unlike a rank correlation, the
//! swing sees an effect that is not monotone (an outcome high only in the middle third) and reads in
//! percentage points or the outcome's unit, so swings compare across drivers and outcomes.
//!
//! Every bin accumulates [`Moments`] (count, mean, Σ(x − mean)²): per chunk of
//! [`CHUNK_RUNS`](crate::engine::CHUNK_RUNS) runs, merged in chunk order, as every other statistic,
//! so the same simulation gives the same bits and shards can merge their sums. Runs where the
//! outcome is undefined (a `first(...)` event that never happened) are left out.
//!
//! The swing of two noisy bins is biased upwards (the largest of several means is picked), so each
//! swing carries its Monte Carlo standard error √(se_max² + se_min²) and a swing within 1.96 of
//! them is reported as indistinguishable from none. [`DriverSwing::explained`] is the share of the
//! outcome's variance across runs that the bins account for (η², between-bin over total sum of
//! squares): what "explains much" means here.

use super::Moments;
use super::describe::wilson;
use crate::engine::{CHUNK_RUNS, Simulation};
use crate::model::Model;

/// The standard normal quantile of 0.975: a 95% two-sided interval.
const Z_95: f64 = 1.959_963_984_540_054;

/// How one driver's runs are split into bins.
#[derive(Debug, Clone, PartialEq)]
pub enum Bins {
    /// A numeric driver: bin k holds the runs with `cuts[k-1] < value ≤ cuts[k]` (the first has no
    /// lower cut, the last no upper): the distinct terciles of its declared distribution.
    Thirds {
        /// Ascending, distinct, at most two.
        cuts: Vec<f64>,
    },
    /// A categorical driver: one bin per category, in file order.
    Categories(Vec<String>),
}

impl Bins {
    /// The bins of a driver drawn from `distribution` (`categories` for a categorical one).
    fn of(distribution: &crate::scenario::Distribution, categories: Option<&Vec<String>>) -> Bins {
        if let Some(names) = categories {
            return Bins::Categories(names.clone());
        }
        let mut cuts: Vec<f64> = Vec::with_capacity(2);
        for u in [1.0 / 3.0, 2.0 / 3.0] {
            let cut = distribution.quantile(u);
            if cut.is_finite() && cuts.last().is_none_or(|&last| cut > last) {
                cuts.push(cut);
            }
        }
        // A cut at or above the largest value the driver can take splits nothing off.
        let top = distribution.quantile(1.0);
        if top.is_finite() {
            cuts.retain(|&cut| cut < top);
        }
        Bins::Thirds { cuts }
    }

    /// How many bins.
    pub fn len(&self) -> usize {
        match self {
            Bins::Thirds { cuts } => cuts.len() + 1,
            Bins::Categories(names) => names.len(),
        }
    }

    /// True when there are no bins (a categorical driver without categories cannot be written).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bin of a run whose driver drew `value` (a categorical driver's value is its category's
    /// index).
    fn bin(&self, value: f64) -> usize {
        match self {
            Bins::Thirds { cuts } => cuts.iter().take_while(|&&cut| value > cut).count(),
            Bins::Categories(_) => value as usize,
        }
    }
}

/// Per-bin sums of every outcome over every driver's bins: the mergeable state.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectSums {
    /// Bins of each driver, in driver order.
    bins: Vec<Bins>,
    /// Offset of each driver's first bin in a row of `moments`.
    offsets: Vec<usize>,
    /// Bins over all drivers (one row's length).
    width: usize,
    /// Row-major: outcome × (driver, bin).
    moments: Vec<Moments>,
}

impl EffectSums {
    /// Empty sums for `model`'s drivers and outcomes.
    pub fn new(model: &Model) -> Self {
        let bins: Vec<Bins> =
            model.drivers.iter().map(|d| Bins::of(&d.distribution, d.outcomes.as_ref())).collect();
        let mut offsets = Vec::with_capacity(bins.len());
        let mut width = 0;
        for b in &bins {
            offsets.push(width);
            width += b.len();
        }
        EffectSums { bins, offsets, width, moments: vec![Moments::default(); width * model.outcomes.len()] }
    }

    /// Adds one run: its drivers' drawn values and its outcomes' values (NaN where undefined).
    pub fn add_run(&mut self, drivers: &[f64], outcomes: &[f64]) {
        let slots: Vec<usize> = self
            .bins
            .iter()
            .zip(&self.offsets)
            .zip(drivers)
            .map(|((bins, offset), &value)| offset + bins.bin(value).min(bins.len().saturating_sub(1)))
            .collect();
        for (row, &value) in outcomes.iter().enumerate() {
            if value.is_nan() {
                continue;
            }
            let start = row * self.width;
            for &slot in &slots {
                if let Some(m) = self.moments.get_mut(start + slot) {
                    m.add(value);
                }
            }
        }
    }

    /// Adds everything `other` (sums of later runs of the same model) has seen.
    pub fn merge(&mut self, other: &EffectSums) {
        for (mine, theirs) in self.moments.iter_mut().zip(&other.moments) {
            mine.merge(theirs);
        }
    }

    /// The moments of outcome `outcome` in the bins of driver `driver`.
    fn bins_of(&self, outcome: usize, driver: usize) -> &[Moments] {
        let start = outcome * self.width + self.offsets.get(driver).copied().unwrap_or(0);
        let len = self.bins.get(driver).map_or(0, Bins::len);
        self.moments.get(start..start + len).unwrap_or(&[])
    }
}

/// What a bin holds: a range of a numeric driver's values, or a category.
#[derive(Debug, Clone, PartialEq)]
pub enum BinLabel {
    /// Values `above < value ≤ up_to` (either end open when `None`): bin `index` of `count`
    /// (three for thirds).
    Range {
        /// 0 for the lowest.
        index: usize,
        /// Bins of this driver.
        count: usize,
        /// Lower cut, exclusive.
        above: Option<f64>,
        /// Upper cut, inclusive.
        up_to: Option<f64>,
    },
    /// A category's name.
    Category(String),
}

/// One bin's estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct BinEffect {
    /// What the bin holds.
    pub label: BinLabel,
    /// Runs in the bin where the outcome is defined.
    pub runs: u64,
    /// The outcome's mean (a probability for a 0/1 outcome) over those runs; NaN when there are none.
    pub mean: f64,
    /// 95% interval of the mean, lower end (Wilson for probabilities, mean − 1.96 se otherwise).
    pub lower: f64,
    /// 95% interval, upper end.
    pub upper: f64,
    /// Monte Carlo standard error of the mean.
    pub standard_error: f64,
}

/// One driver's effect on one outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverSwing {
    /// The driver's name.
    pub driver: String,
    /// True for a categorical driver (bins are categories), false for thirds.
    pub categorical: bool,
    /// Its bins, in order (thirds low to high, categories in file order).
    pub bins: Vec<BinEffect>,
    /// Largest bin mean minus smallest over bins with runs; `None` with fewer than two such bins.
    pub swing: Option<f64>,
    /// Monte Carlo standard error of the swing, √(se_max² + se_min²).
    pub swing_error: f64,
    /// Index of the bin with the smallest mean.
    pub lowest: usize,
    /// Index of the bin with the largest mean.
    pub highest: usize,
    /// Share of the outcome's variance across runs between the bins (η², 0–1).
    pub explained: f64,
}

impl DriverSwing {
    /// True when the swing exceeds 1.96 Monte Carlo standard errors: these runs tell it from none.
    pub fn is_distinguishable(&self) -> bool {
        self.swing.is_some_and(|s| s > Z_95 * self.swing_error)
    }
}

/// Every driver's effect on one outcome, largest swing first.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeEffects {
    /// The outcome's name.
    pub outcome: String,
    /// Its title.
    pub title: String,
    /// True for a 0/1 outcome: means are probabilities, swings percentage points.
    pub probability: bool,
    /// Runs where the outcome is defined.
    pub runs: u64,
    /// One entry per driver, by swing descending (ties and drivers without a swing in driver order,
    /// the latter last).
    pub drivers: Vec<DriverSwing>,
}

impl OutcomeEffects {
    /// The drivers whose swing these runs tell from none, largest first.
    pub fn clear(&self) -> impl Iterator<Item = &DriverSwing> {
        self.drivers.iter().filter(|d| d.is_distinguishable())
    }
}

/// Driver effects for every outcome of a run, outcomes in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Effects {
    /// One entry per outcome, in file order.
    pub outcomes: Vec<OutcomeEffects>,
}

/// Driver effects of `simulation` (a run of `model`): sums per chunk of runs, merged in chunk order.
pub fn effects(model: &Model, simulation: &Simulation) -> Effects {
    let mut total = EffectSums::new(model);
    let runs = simulation.runs as usize;
    let mut first = 0;
    while first < runs {
        let last = (first + CHUNK_RUNS as usize).min(runs);
        let mut chunk = EffectSums::new(model);
        for run in first..last {
            chunk.add_run(simulation.run_drivers(run), simulation.run_outcomes(run));
        }
        total.merge(&chunk);
        first = last;
    }
    effects_from(model, &total)
}

/// Driver effects from merged sums.
pub fn effects_from(model: &Model, sums: &EffectSums) -> Effects {
    let mut outcomes = Vec::with_capacity(model.outcomes.len());
    for (index, spec) in model.outcomes.iter().enumerate() {
        let mut drivers: Vec<DriverSwing> = model
            .drivers
            .iter()
            .enumerate()
            .map(|(d, driver)| {
                let bins = sums.bins.get(d).cloned().unwrap_or(Bins::Thirds { cuts: Vec::new() });
                swing(&driver.name, &bins, sums.bins_of(index, d), spec.kind.is_probability())
            })
            .collect();
        let runs = sums.bins_of(index, 0).iter().map(|m| m.count).sum::<u64>();
        // Stable: equal swings keep driver order; no swing sorts last.
        drivers.sort_by(|a, b| b.swing.unwrap_or(-1.0).total_cmp(&a.swing.unwrap_or(-1.0)));
        outcomes.push(OutcomeEffects {
            outcome: spec.name.clone(),
            title: spec.title.clone(),
            probability: spec.kind.is_probability(),
            runs,
            drivers,
        });
    }
    Effects { outcomes }
}

/// One driver's bins and swing from its bins' moments.
fn swing(driver: &str, bins: &Bins, moments: &[Moments], probability: bool) -> DriverSwing {
    let labels = labels(bins);
    let estimates: Vec<BinEffect> = moments
        .iter()
        .zip(labels)
        .map(|(m, label)| {
            if m.count == 0 {
                return BinEffect {
                    label,
                    runs: 0,
                    mean: f64::NAN,
                    lower: f64::NAN,
                    upper: f64::NAN,
                    standard_error: 0.0,
                };
            }
            let n = m.count as f64;
            if probability {
                let successes = (m.mean * n).round() as u64;
                let p = successes as f64 / n;
                let (lower, upper) = wilson(successes, m.count);
                BinEffect {
                    label,
                    runs: m.count,
                    mean: p,
                    lower,
                    upper,
                    standard_error: (p * (1.0 - p) / n).sqrt(),
                }
            } else {
                let se = m.standard_error();
                BinEffect {
                    label,
                    runs: m.count,
                    mean: m.mean,
                    lower: m.mean - Z_95 * se,
                    upper: m.mean + Z_95 * se,
                    standard_error: se,
                }
            }
        })
        .collect();
    let filled: Vec<(usize, &BinEffect)> = estimates.iter().enumerate().filter(|(_, b)| b.runs > 0).collect();
    let lowest = filled.iter().min_by(|a, b| a.1.mean.total_cmp(&b.1.mean)).map_or(0, |(i, _)| *i);
    let highest = filled.iter().max_by(|a, b| a.1.mean.total_cmp(&b.1.mean)).map_or(0, |(i, _)| *i);
    let (swing, swing_error) = match (estimates.get(lowest), estimates.get(highest)) {
        (Some(low), Some(high)) if filled.len() >= 2 => {
            (Some(high.mean - low.mean), (low.standard_error.powi(2) + high.standard_error.powi(2)).sqrt())
        }
        _ => (None, 0.0),
    };
    DriverSwing {
        driver: driver.to_string(),
        categorical: matches!(bins, Bins::Categories(_)),
        explained: explained(moments),
        bins: estimates,
        swing,
        swing_error,
        lowest,
        highest,
    }
}

/// η²: between-bin sum of squares over the total, from the bins' moments (0 when the outcome is
/// constant).
fn explained(moments: &[Moments]) -> f64 {
    let mut all = Moments::default();
    moments.iter().for_each(|m| all.merge(m));
    if all.count < 2 {
        return 0.0;
    }
    let total = all.variance() * (all.count - 1) as f64;
    let between: f64 = moments.iter().map(|m| m.count as f64 * (m.mean - all.mean).powi(2)).sum();
    if total > 0.0 { (between / total).clamp(0.0, 1.0) } else { 0.0 }
}

/// What each bin holds.
fn labels(bins: &Bins) -> Vec<BinLabel> {
    match bins {
        Bins::Categories(names) => names.iter().cloned().map(BinLabel::Category).collect(),
        Bins::Thirds { cuts } => {
            let count = cuts.len() + 1;
            (0..count)
                .map(|index| BinLabel::Range {
                    index,
                    count,
                    above: index.checked_sub(1).and_then(|i| cuts.get(i)).copied(),
                    up_to: cuts.get(index).copied(),
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Distribution;

    #[test]
    fn thirds_cut_at_the_declared_terciles() {
        let bins = Bins::of(&Distribution::Uniform { min: 0.0, max: 3.0 }, None);
        match &bins {
            Bins::Thirds { cuts } => {
                assert_eq!(cuts.len(), 2);
                assert!((cuts[0] - 1.0).abs() < 1e-12 && (cuts[1] - 2.0).abs() < 1e-12, "{cuts:?}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!((bins.bin(0.5), bins.bin(1.5), bins.bin(2.5)), (0, 1, 2));
        // A fixed driver has one bin; a Bernoulli two (its terciles coincide).
        assert_eq!(Bins::of(&Distribution::Fixed(0.4), None).len(), 1);
        assert_eq!(Bins::of(&Distribution::Bernoulli(0.5), None).len(), 2);
    }

    #[test]
    fn merged_chunks_equal_one_pass_and_eta_squared_is_a_share() {
        let moments = |values: &[f64]| {
            let mut m = Moments::default();
            values.iter().for_each(|&x| m.add(x));
            m
        };
        // Two bins with means 0 and 10 and no spread inside: the bins explain everything.
        assert!((explained(&[moments(&[0.0, 0.0]), moments(&[10.0, 10.0])]) - 1.0).abs() < 1e-12);
        // Same means in both bins: nothing.
        assert_eq!(explained(&[moments(&[0.0, 2.0]), moments(&[2.0, 0.0])]), 0.0);
    }
}
