//! Conditioning on evidence: each run's weight, the evidence's probability under the model, and
//! the posterior of every driver and outcome (approximate Bayesian computation over the runs).
//!
//! A run's weight is the product of its evidence items' likelihoods ([`crate::model::Likelihood`]:
//! 1 or 0 for exact observations, exp(−z²/2) for measured ones), so every weight is in [0, 1].
//!
//! **Streaming.** A [`Weighing`] is fed the engine's chunks in chunk order, like the
//! [`super::Tally`], and keeps
//! - each item's likelihood moments and exact-match count, and the joint weight's moments, over
//!   every run (merged chunk by chunk in chunk order: the same bits for any thread count), and the
//!   exact sums Σw and Σw² ([`ExactSum`]: the same bits in any order);
//! - the *posterior sample*: the weight, drivers and outcomes of the runs whose weight is above 0,
//!   in run order, up to [`POSTERIOR_RUNS`] of them. A run of weight 0 adds to the counts only: it
//!   costs no memory.
//!
//! **Shards.** A shard's weighing ([`Weighing::for_shard`]) also keeps each chunk's moments, and
//! [`Weighing::absorb`]ing the shards in chunk order repeats exactly the merges one process makes
//! (as [`super::Tally::absorb`] does): counts add, exact sums merge exactly, posterior samples are
//! concatenated in run order up to [`POSTERIOR_RUNS`]. Its binary form ([`Weighing::encode`]) is a
//! shard's `evidence.bin`.
//!
//! **Estimates** (in [`Weighing::summarize`]): the evidence probability is the mean weight over all
//! runs (a Wilson interval when every item is exact, else mean ± 1.96 standard errors); the effective
//! sample size is Kish's (Σw)²/Σw²; posterior means and category probabilities are self-normalised
//! importance-sampling estimates Σwx/Σw over the posterior sample with the delta-method standard
//! error √(Σw²(x − x̄)²)/Σw (for exact evidence: the mean over accepted runs and sd/√accepted);
//! quantiles invert the weighted empirical distribution, each with Woodruff's 95% interval: the
//! weighted CDF at the estimate q̂ of quantile p is itself a self-normalised mean, of 1{x ≤ q̂},
//! with standard error s = √(Σw²(1{x ≤ q̂} − p)²)/Σw, and the interval is the quantiles at
//! p ∓ 1.96 s (for weights all 1, the usual order-statistic interval; for weights, s grows as the
//! effective sample size shrinks, about √(p(1 − p)/ESS)); no density estimate, no bootstrap. The
//! prior beside them is the same computation with weight 1 over the tally's exact prefix (every
//! run up to [`super::EXACT_RUNS`]).
//! Evidence that no run matches leaves the posterior empty and says so, with each item's
//! probability: nothing is divided by zero.

use serde::Serialize;

use super::codec::{DecodeError, Reader, Writer};
use super::describe::{Z95, wilson};
use super::exact_sum::ExactSum;
use super::moments::Moments;
use crate::engine::{CHUNK_RUNS, ChunkValues, Simulation};
use crate::model::{Likelihood, Model, OutcomeKind};

/// Weighted runs kept for the posterior: beyond, the posterior rests on the first this-many runs of
/// weight above 0 (the evidence probability and effective sample size still count every run).
pub const POSTERIOR_RUNS: u64 = 100_000;

/// Below this effective sample size the posterior rests on too few runs to trust: a warning.
pub const SMALL_ESS: f64 = 100.0;

/// The method, as summary.json and report.html state it.
pub const METHOD: &str = "Runs weighed by the evidence (rejection for exact observations, a normal likelihood \
relative to a perfect match for measured ones); posterior means and probabilities are self-normalised importance \
sampling estimates Σwx/Σw with delta-method standard errors √(Σw²(x−x̄)²)/Σw and 95% intervals ±1.96 of them; \
quantiles invert the weighted empirical distribution, their 95% intervals (Woodruff's) are the quantiles at \
p ∓ 1.96·√(Σw²(1{x≤q̂}−p)²)/Σw; the prior is the same computation with every weight 1.";

/// The posterior sample: the runs of weight above 0, in run order.
#[derive(Debug, Clone, Default, PartialEq)]
struct Sample {
    weights: Vec<f64>,
    /// Row-major, `drivers` per run.
    drivers: Vec<f64>,
    /// Row-major, `outcomes` per run.
    outcomes: Vec<f64>,
}

/// The evidence statistics of a run, fed chunk by chunk in chunk order.
#[derive(Debug, Clone, PartialEq)]
pub struct Weighing {
    likelihoods: Vec<Likelihood>,
    drivers: usize,
    outcomes: usize,
    runs: u64,
    /// Per item: moments of its likelihood over every run.
    item_moments: Vec<Moments>,
    /// Per item: runs where its likelihood is 1 (exact items: runs that match it).
    item_matches: Vec<u64>,
    /// The joint weight's moments over every run.
    weight: Moments,
    /// Σw and Σw² over every run, exactly (Kish's effective sample size).
    sums: (ExactSum, ExactSum),
    /// Runs whose weight is above 0.
    accepted: u64,
    sample: Sample,
    /// The first run weighed (0 unless a shard).
    first_run: u64,
    /// Each chunk's moments, kept by shards so a merge repeats the same merges.
    chunks: Option<Vec<ChunkMoments>>,
}

/// One chunk's moments: each item's likelihood and the joint weight.
#[derive(Debug, Clone, PartialEq)]
struct ChunkMoments {
    items: Vec<Moments>,
    weight: Moments,
}

impl Weighing {
    /// An empty weighing of `model`'s evidence; `None` when the model has none.
    pub fn new(model: &Model) -> Option<Self> {
        if model.evidence.is_empty() {
            return None;
        }
        let items = model.evidence.len();
        Some(Weighing {
            likelihoods: model.evidence.iter().map(|e| e.likelihood).collect(),
            drivers: model.drivers.len(),
            outcomes: model.outcomes.len(),
            runs: 0,
            item_moments: vec![Moments::default(); items],
            item_matches: vec![0; items],
            weight: Moments::default(),
            sums: (ExactSum::default(), ExactSum::default()),
            accepted: 0,
            sample: Sample::default(),
            first_run: 0,
            chunks: None,
        })
    }

    /// An empty weighing of a shard whose runs start at `first_run`: it keeps each chunk's
    /// moments for [`Weighing::absorb`]. `None` when the model has no evidence.
    pub fn for_shard(model: &Model, first_run: u64) -> Option<Self> {
        Weighing::new(model).map(|w| Weighing { first_run, chunks: Some(Vec::new()), ..w })
    }

    /// Runs weighed so far.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// The first run weighed (0 unless a shard).
    pub fn first_run(&self) -> u64 {
        self.first_run
    }

    /// Runs of weight above 0 so far (for exact evidence: the runs consistent with it).
    pub fn accepted(&self) -> u64 {
        self.accepted
    }

    /// Adds one chunk (call in chunk order).
    pub fn add_chunk(&mut self, chunk: &ChunkValues) {
        let items = self.likelihoods.len();
        let mut item_moments = vec![Moments::default(); items];
        let mut weight = Moments::default();
        for run in 0..chunk.len {
            let values = chunk.evidence.get(run * items..(run + 1) * items).unwrap_or(&[]);
            let mut w = 1.0;
            for (i, l) in self.likelihoods.iter().zip(values).map(|(l, &v)| l.weight(v)).enumerate() {
                if let Some(m) = item_moments.get_mut(i) {
                    m.add(l);
                }
                if l == 1.0
                    && let Some(count) = self.item_matches.get_mut(i)
                {
                    *count += 1;
                }
                w *= l;
            }
            weight.add(w);
            self.sums.0.add(w);
            self.sums.1.add(w * w);
            if w > 0.0 {
                self.accepted += 1;
                if (self.sample.weights.len() as u64) < POSTERIOR_RUNS {
                    self.sample.weights.push(w);
                    let (d, o) = (self.drivers, self.outcomes);
                    self.sample
                        .drivers
                        .extend_from_slice(chunk.drivers.get(run * d..(run + 1) * d).unwrap_or(&[]));
                    self.sample
                        .outcomes
                        .extend_from_slice(chunk.outcomes.get(run * o..(run + 1) * o).unwrap_or(&[]));
                }
            }
        }
        let part = ChunkMoments { items: item_moments, weight };
        self.merge_chunk(&part);
        if let Some(chunks) = &mut self.chunks {
            chunks.push(part);
        }
        self.runs += chunk.len as u64;
    }

    /// Merges one chunk's moments into the totals (in chunk order).
    fn merge_chunk(&mut self, part: &ChunkMoments) {
        for (total, moments) in self.item_moments.iter_mut().zip(&part.items) {
            total.merge(moments);
        }
        self.weight.merge(&part.weight);
    }

    /// Adds a shard's weighing, which must start where this one ends and have kept its chunks'
    /// moments: the result has the bits one process weighing both gives.
    pub fn absorb(&mut self, shard: &Weighing) -> Result<(), String> {
        if shard.likelihoods != self.likelihoods
            || (shard.drivers, shard.outcomes) != (self.drivers, self.outcomes)
        {
            return Err("its evidence differs".into());
        }
        if shard.first_run != self.first_run + self.runs {
            return Err(format!(
                "its weights start at run {}, the runs before it end at {}",
                shard.first_run,
                self.first_run + self.runs
            ));
        }
        let Some(chunks) = &shard.chunks else {
            return Err("its weighing has no per-chunk state".into());
        };
        for part in chunks {
            self.merge_chunk(part);
            if let Some(list) = &mut self.chunks {
                list.push(part.clone());
            }
        }
        for (total, part) in self.item_matches.iter_mut().zip(&shard.item_matches) {
            *total += part;
        }
        self.sums.0.merge(&shard.sums.0);
        self.sums.1.merge(&shard.sums.1);
        self.accepted += shard.accepted;
        let room = (POSTERIOR_RUNS as usize).saturating_sub(self.sample.weights.len());
        let take = room.min(shard.sample.weights.len());
        let (d, o) = (self.drivers, self.outcomes);
        self.sample.weights.extend_from_slice(shard.sample.weights.get(..take).unwrap_or(&[]));
        self.sample.drivers.extend_from_slice(shard.sample.drivers.get(..take * d).unwrap_or(&[]));
        self.sample.outcomes.extend_from_slice(shard.sample.outcomes.get(..take * o).unwrap_or(&[]));
        self.runs += shard.runs;
        Ok(())
    }

    /// The weighing's state as bytes (a shard's `evidence.bin`).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Writer::default();
        for x in [self.likelihoods.len() as u64, self.drivers as u64, self.outcomes as u64] {
            out.u64(x);
        }
        out.u64(self.first_run);
        out.u64(self.runs);
        out.u64(self.accepted);
        for &m in &self.item_matches {
            out.u64(m);
        }
        self.sums.0.encode(&mut out);
        self.sums.1.encode(&mut out);
        let chunks = self.chunks.as_deref().unwrap_or(&[]);
        out.u64(chunks.len() as u64);
        for part in chunks {
            for m in part.items.iter().chain(std::iter::once(&part.weight)) {
                m.encode(&mut out);
            }
        }
        out.floats(&self.sample.weights);
        out.floats(&self.sample.drivers);
        out.floats(&self.sample.outcomes);
        out.finish()
    }

    /// Reads a state written by [`Weighing::encode`] for `model`'s evidence; `None` when the
    /// model has none.
    pub fn decode(bytes: &[u8], model: &Model) -> Result<Option<Weighing>, DecodeError> {
        let mut input = Reader::new(bytes)?;
        let Some(mut weighing) = Weighing::new(model) else {
            return Ok(None);
        };
        let items = weighing.likelihoods.len();
        let shape = (input.u64()?, input.u64()?, input.u64()?);
        if shape != (items as u64, weighing.drivers as u64, weighing.outcomes as u64) {
            return Err(input.invalid("its evidence, drivers or outcomes are not the scenario's"));
        }
        weighing.first_run = input.u64()?;
        weighing.runs = input.u64()?;
        weighing.accepted = input.u64()?;
        for m in &mut weighing.item_matches {
            *m = input.u64()?;
        }
        if weighing.accepted > weighing.runs || weighing.item_matches.iter().any(|&m| m > weighing.runs) {
            return Err(input.invalid("it counts more matching runs than runs"));
        }
        weighing.sums = (ExactSum::decode(&mut input)?, ExactSum::decode(&mut input)?);
        let chunk_count = input.len((items + 1) * 40)?;
        if chunk_count as u64 != weighing.runs.div_ceil(CHUNK_RUNS) {
            return Err(input.invalid("its chunk count does not match its run count"));
        }
        let mut chunks = Vec::with_capacity(chunk_count);
        for _ in 0..chunk_count {
            let mut moments =
                (0..=items).map(|_| Moments::decode(&mut input)).collect::<Result<Vec<_>, _>>()?;
            let weight = moments.pop().unwrap_or_default();
            let part = ChunkMoments { items: moments, weight };
            weighing.merge_chunk(&part);
            chunks.push(part);
        }
        weighing.chunks = Some(chunks);
        weighing.sample =
            Sample { weights: input.floats()?, drivers: input.floats()?, outcomes: input.floats()? };
        let kept = weighing.sample.weights.len();
        if kept as u64 != weighing.accepted.min(POSTERIOR_RUNS)
            || weighing.sample.drivers.len() != kept * weighing.drivers
            || weighing.sample.outcomes.len() != kept * weighing.outcomes
            || weighing.sample.weights.iter().any(|w| !(*w > 0.0 && *w <= 1.0))
        {
            return Err(input.invalid("its weighted runs do not match its counts"));
        }
        input.end()?;
        Ok(Some(weighing))
    }

    /// Adds every run of `simulation` (made from the same model), in chunks of
    /// [`crate::engine::CHUNK_RUNS`] as [`crate::engine::run_chunks`] hands them over, so that the
    /// numbers are the bits a `run` of the same runs and seed gives.
    pub fn add_simulation(&mut self, simulation: &Simulation) {
        let chunk_runs = crate::engine::CHUNK_RUNS as usize;
        let runs = simulation.runs as usize;
        let (d, o, e) = (simulation.driver_count, simulation.outcome_count, simulation.evidence_count);
        for (index, first) in (0..runs).step_by(chunk_runs).enumerate() {
            let len = chunk_runs.min(runs - first);
            let rows = |values: &[f64], width: usize| {
                values.get(first * width..(first + len) * width).unwrap_or(&[]).to_vec()
            };
            self.add_chunk(&ChunkValues {
                index: index as u64,
                first_run: first as u64,
                len,
                drivers: rows(&simulation.drivers, d),
                outcomes: rows(&simulation.outcomes, o),
                series: Vec::new(),
                evidence: rows(&simulation.evidence, e),
            });
        }
    }

    /// The evidence's statistics, the prior (from `prior`, the tally's exact prefix) and the
    /// posterior of every driver and outcome.
    pub fn summarize(&self, model: &Model, prior: &Simulation) -> EvidenceSummary {
        let exact = self.likelihoods.iter().all(|l| l.is_exact());
        let items: Vec<ItemSummary> = model
            .evidence
            .iter()
            .zip(&self.item_moments)
            .zip(&self.item_matches)
            .map(|((spec, moments), &matches)| {
                let estimate = if spec.likelihood.is_exact() {
                    Estimate::of_counts(matches, self.runs)
                } else {
                    Estimate::of_moments(moments)
                };
                let scores = spec.likelihood.is_exact().then(|| Scores::of(estimate.value, spec.base_rate));
                ItemSummary {
                    name: spec.name.clone(),
                    observe: spec.text.clone(),
                    observed: observed_text(spec.likelihood),
                    measured_at: model.start.plus(spec.month).to_string(),
                    exact: spec.likelihood.is_exact(),
                    probability: estimate,
                    base_rate: spec.base_rate,
                    scores,
                }
            })
            .collect();
        let probability = if exact {
            Estimate::of_counts(self.accepted, self.runs)
        } else {
            Estimate::of_moments(&self.weight)
        };
        let (sum, sum_squares) = (self.sums.0.value(), self.sums.1.value());
        let effective_sample_size = if sum_squares > 0.0 { sum * sum / sum_squares } else { 0.0 };
        let warning = if self.accepted == 0 {
            let each: Vec<String> = items
                .iter()
                .map(|i| {
                    format!(
                        "{} {} ({})",
                        i.name,
                        crate::format::percent(i.probability.value),
                        crate::format::percent_interval(i.probability.lower, i.probability.upper)
                    )
                })
                .collect();
            Some(format!(
                "No run of {} matches all the evidence together, so there is no posterior. Under the model, \
                 each item alone: {}. Run more runs, or check the items that are (nearly) never matched.",
                crate::format::count(self.runs),
                each.join("; ")
            ))
        } else if effective_sample_size < SMALL_ESS {
            Some(format!(
                "The posterior rests on an effective sample size of {} runs (below {}): its numbers are \
                 rough. Run more runs (--runs, or --accepted N for exact evidence).",
                crate::format::number(effective_sample_size),
                SMALL_ESS
            ))
        } else {
            None
        };
        let kept = self.sample.weights.len() as u64;
        let prior_weights = vec![1.0; prior.runs as usize];
        let posterior = (kept > 0).then_some(&self.sample);
        let drivers = model
            .drivers
            .iter()
            .enumerate()
            .map(|(d, spec)| {
                let prior_values = column(&prior.drivers, d, self.drivers);
                let post_values = posterior.map(|s| column(&s.drivers, d, self.drivers));
                DriverPosterior {
                    name: spec.name.clone(),
                    categories: spec.outcomes.as_ref().map(|names| {
                        names
                            .iter()
                            .enumerate()
                            .map(|(k, name)| {
                                let is = |values: &[f64]| -> Vec<f64> {
                                    values.iter().map(|&x| if x == k as f64 { 1.0 } else { 0.0 }).collect()
                                };
                                CategoryPosterior {
                                    name: name.clone(),
                                    prior: weighted(&is(&prior_values), &prior_weights).map(|s| s.mean),
                                    posterior: post_values
                                        .as_ref()
                                        .and_then(|v| weighted(&is(v), &self.sample.weights)),
                                }
                            })
                            .collect()
                    }),
                    prior: if spec.outcomes.is_some() {
                        None
                    } else {
                        weighted(&prior_values, &prior_weights)
                    },
                    posterior: match (&spec.outcomes, &post_values) {
                        (None, Some(v)) => weighted(v, &self.sample.weights),
                        _ => None,
                    },
                }
            })
            .collect();
        let outcomes = model
            .outcomes
            .iter()
            .enumerate()
            .map(|(o, spec)| {
                let prior_values = column(&prior.outcomes, o, self.outcomes);
                OutcomePosterior {
                    name: spec.name.clone(),
                    title: spec.title.clone(),
                    probability: spec.kind == OutcomeKind::Indicator,
                    share: spec.share,
                    measured_at: model.start.plus(spec.month).to_string(),
                    prior: weighted(&prior_values, &prior_weights),
                    posterior: posterior
                        .and_then(|s| weighted(&column(&s.outcomes, o, self.outcomes), &self.sample.weights)),
                }
            })
            .collect();
        EvidenceSummary {
            method: METHOD.to_string(),
            runs: self.runs,
            accepted_target: None,
            accepted_runs: self.accepted,
            posterior_runs: kept,
            prior_runs: prior.runs,
            items,
            probability,
            effective_sample_size,
            warning,
            scores: Scores::total(model, &self.item_matches, self.runs),
            drivers,
            outcomes,
        }
    }
}

/// Column `index` of a row-major table of `width` values a row.
fn column(values: &[f64], index: usize, width: usize) -> Vec<f64> {
    values.iter().skip(index).step_by(width.max(1)).copied().collect()
}

/// How an item's observation reads: "= 0", "≈ 3 ± 0.5".
fn observed_text(likelihood: Likelihood) -> String {
    match likelihood {
        Likelihood::Equals(k) => format!("= {}", crate::format::number(k)),
        Likelihood::Normal { value, sd } => {
            format!("≈ {} ± {}", crate::format::number(value), crate::format::number(sd))
        }
    }
}

/// Weighted statistics of `values` (NaN: undefined, left out) under `weights`; `None` when no
/// defined value has weight above 0.
/// A 0/1 quantity's interval is clipped to [0, 1].
fn weighted(values: &[f64], weights: &[f64]) -> Option<WeightedStatistics> {
    let mut pairs: Vec<(f64, f64)> =
        values.iter().zip(weights).filter(|(x, w)| !x.is_nan() && **w > 0.0).map(|(&x, &w)| (x, w)).collect();
    let total: f64 = pairs.iter().map(|(_, w)| w).sum();
    if pairs.is_empty() || total <= 0.0 {
        return None;
    }
    let all: f64 = weights.iter().filter(|w| **w > 0.0).sum();
    let mean = pairs.iter().map(|(x, w)| w * x).sum::<f64>() / total;
    let spread: f64 = pairs.iter().map(|(x, w)| w * w * (x - mean) * (x - mean)).sum();
    let standard_error = spread.sqrt() / total;
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let quantile = |p: f64| -> f64 {
        let target = p * total;
        let mut cumulative = 0.0;
        for &(x, w) in &pairs {
            cumulative += w;
            if cumulative >= target {
                return x;
            }
        }
        pairs.last().map_or(f64::NAN, |&(x, _)| x)
    };
    // Woodruff's interval: the weighted CDF at the estimated quantile q is a self-normalised
    // mean of 1{x ≤ q}, whose delta-method standard error is s = √(Σw²(1{x ≤ q} − p)²)/Σw; the
    // interval is the quantiles at p ∓ 1.96 s (no density estimate, no bootstrap).
    let interval = |p: f64| -> [f64; 2] {
        let q = quantile(p);
        let spread: f64 = pairs
            .iter()
            .map(|&(x, w)| {
                let d = if x <= q { 1.0 - p } else { -p };
                w * w * d * d
            })
            .sum();
        let s = spread.sqrt() / total;
        [quantile((p - Z95 * s).max(0.0)), quantile((p + Z95 * s).min(1.0))]
    };
    let indicator = pairs.iter().all(|(x, _)| *x == 0.0 || *x == 1.0);
    let (mut lower, mut upper) = (mean - Z95 * standard_error, mean + Z95 * standard_error);
    if indicator {
        (lower, upper) = (lower.max(0.0), upper.min(1.0));
    }
    Some(WeightedStatistics {
        mean,
        standard_error,
        lower,
        upper,
        p5: quantile(0.05),
        p50: quantile(0.5),
        p95: quantile(0.95),
        p5_interval: interval(0.05),
        p50_interval: interval(0.5),
        p95_interval: interval(0.95),
        defined_share: if all > 0.0 { total / all } else { 0.0 },
    })
}

/// Everything the evidence says about a run of many replications (summary.json's `evidence`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceSummary {
    /// How the numbers are computed.
    pub method: String,
    /// Runs weighed.
    pub runs: u64,
    /// `--accepted N`: the run went on until N runs were consistent (or `--runs` was reached).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_target: Option<u64>,
    /// Runs of weight above 0 (for exact evidence: the runs consistent with all of it).
    pub accepted_runs: u64,
    /// Runs the posterior rests on (the accepted ones, up to [`POSTERIOR_RUNS`]).
    pub posterior_runs: u64,
    /// Runs the prior beside it rests on (the first ones, up to [`super::EXACT_RUNS`]).
    pub prior_runs: u64,
    /// Each item, in file order.
    pub items: Vec<ItemSummary>,
    /// The joint probability of all the evidence under the model (the marginal likelihood; for
    /// measured items relative to a perfect match).
    pub probability: Estimate,
    /// Kish's effective sample size (Σw)²/Σw².
    pub effective_sample_size: f64,
    /// Why the posterior is missing or rough, if it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    /// The forecast scores of the exact items together (absent when none is exact).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scores: Option<Scores>,
    /// Every driver, prior and posterior.
    pub drivers: Vec<DriverPosterior>,
    /// Every outcome, prior and posterior.
    pub outcomes: Vec<OutcomePosterior>,
}

/// An estimate with its Monte Carlo error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The estimate.
    pub value: f64,
    /// Its Monte Carlo standard error.
    pub standard_error: f64,
    /// 95% interval, lower end (Wilson for counts).
    pub lower: f64,
    /// Upper end.
    pub upper: f64,
}

impl Estimate {
    /// A share of runs, with its Wilson interval.
    fn of_counts(successes: u64, runs: u64) -> Self {
        let p = if runs == 0 { 0.0 } else { successes as f64 / runs as f64 };
        let (lower, upper) = wilson(successes, runs);
        let standard_error = if runs == 0 { 0.0 } else { (p * (1.0 - p) / runs as f64).sqrt() };
        Estimate { value: p, standard_error, lower, upper }
    }

    /// A mean of values in [0, 1] with ±1.96 standard errors, clamped to [0, 1].
    fn of_moments(moments: &Moments) -> Self {
        let (value, standard_error) = (moments.mean, moments.standard_error());
        Estimate {
            value,
            standard_error,
            lower: (value - Z95 * standard_error).max(0.0),
            upper: (value + Z95 * standard_error).min(1.0),
        }
    }
}

/// One evidence item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemSummary {
    /// Its name.
    pub name: String,
    /// The observed term as written.
    pub observe: String,
    /// What was observed: "= 0", "≈ 3 ± 0.5".
    pub observed: String,
    /// `YYYY-MM` it is observed at.
    pub measured_at: String,
    /// An exact observation (accept or reject).
    pub exact: bool,
    /// Its probability under the model alone (for a measured item: its mean likelihood).
    pub probability: Estimate,
    /// The no-skill forecast's probability of the fact (0.5 unless the file says).
    pub base_rate: f64,
    /// The model's forecast scores for it (exact items only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scores: Option<Scores>,
}

/// Forecast scores of the model's prior probabilities for facts that happened, against a no-skill
/// forecast (the items' base rates): Brier (1 − p)², lower is better; log score ln p, higher is
/// better (`None` when the model gave a fact probability 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    /// The model's Brier score (mean over items).
    pub brier: f64,
    /// The no-skill forecast's Brier score.
    pub brier_no_skill: f64,
    /// Brier skill score 1 − brier / brier_no_skill (above 0: better than no skill).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brier_skill: Option<f64>,
    /// The model's log score (sum over items of ln p).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<f64>,
    /// The no-skill forecast's log score.
    pub log_no_skill: f64,
}

impl Scores {
    /// The scores of one fact forecast with probability `p`, no-skill `base`.
    fn of(p: f64, base: f64) -> Self {
        let (brier, brier_no_skill) = ((1.0 - p).powi(2), (1.0 - base).powi(2));
        Scores {
            brier,
            brier_no_skill,
            brier_skill: (brier_no_skill > 0.0).then(|| 1.0 - brier / brier_no_skill),
            log: (p > 0.0).then(|| p.ln()),
            log_no_skill: base.ln(),
        }
    }

    /// The scores of every exact item together: mean Brier, summed log scores.
    fn total(model: &Model, matches: &[u64], runs: u64) -> Option<Self> {
        let items: Vec<Scores> = model
            .evidence
            .iter()
            .zip(matches)
            .filter(|(spec, _)| spec.likelihood.is_exact())
            .map(|(spec, &m)| {
                Scores::of(if runs == 0 { 0.0 } else { m as f64 / runs as f64 }, spec.base_rate)
            })
            .collect();
        if items.is_empty() {
            return None;
        }
        let n = items.len() as f64;
        let brier = items.iter().map(|s| s.brier).sum::<f64>() / n;
        let brier_no_skill = items.iter().map(|s| s.brier_no_skill).sum::<f64>() / n;
        Some(Scores {
            brier,
            brier_no_skill,
            brier_skill: (brier_no_skill > 0.0).then(|| 1.0 - brier / brier_no_skill),
            log: items.iter().map(|s| s.log).sum::<Option<f64>>(),
            log_no_skill: items.iter().map(|s| s.log_no_skill).sum(),
        })
    }
}

/// Weighted statistics of one quantity over runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WeightedStatistics {
    /// Weighted mean (a probability for 0/1 quantities).
    pub mean: f64,
    /// Its Monte Carlo standard error (delta method).
    pub standard_error: f64,
    /// mean − 1.96 standard errors (at least 0 for a 0/1 quantity).
    pub lower: f64,
    /// mean + 1.96 standard errors (at most 1 for a 0/1 quantity).
    pub upper: f64,
    /// Weighted 5th percentile.
    pub p5: f64,
    /// Weighted median.
    pub p50: f64,
    /// Weighted 95th percentile.
    pub p95: f64,
    /// The 95% Monte Carlo interval of the 5th percentile (Woodruff's, from the weighted CDF's
    /// delta-method standard error).
    pub p5_interval: [f64; 2],
    /// The 95% Monte Carlo interval of the median.
    pub p50_interval: [f64; 2],
    /// The 95% Monte Carlo interval of the 95th percentile.
    pub p95_interval: [f64; 2],
    /// The weight share of runs where the quantity is defined (below 1 for `first(...)`).
    pub defined_share: f64,
}

/// A driver's prior and posterior.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriverPosterior {
    /// The driver's name.
    pub name: String,
    /// A categorical driver's categories, each with its prior and posterior probability.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<CategoryPosterior>>,
    /// A numeric driver's prior.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prior: Option<WeightedStatistics>,
    /// A numeric driver's posterior (absent when no run matches the evidence).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posterior: Option<WeightedStatistics>,
}

/// One category of a categorical driver.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryPosterior {
    /// The category's name.
    pub name: String,
    /// Its share of the prior runs.
    pub prior: Option<f64>,
    /// Its posterior probability with its Monte Carlo error.
    pub posterior: Option<WeightedStatistics>,
}

/// An outcome's prior and posterior.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomePosterior {
    /// The outcome's name.
    pub name: String,
    /// Its title.
    pub title: String,
    /// A 0/1 outcome: the means are probabilities.
    pub probability: bool,
    /// A share 0–1 (shown as a percentage).
    #[serde(skip)]
    pub share: bool,
    /// `YYYY-MM` it is measured at.
    pub measured_at: String,
    /// Over the prior runs.
    pub prior: Option<WeightedStatistics>,
    /// Over the weighted runs (absent when no run matches the evidence).
    pub posterior: Option<WeightedStatistics>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{self, Flow, Settings, shard_chunks};

    /// A scenario with an exact and a measured item, so weights take many values.
    fn evidence_model() -> Model {
        let text = r#"
            [scenario]
            name = "w"
            start = "2024-01"
            horizon = 12
            [drivers.d]
            beta = { alpha = 2, beta = 3 }
            [variables.v]
            initial = 0
            speed = 1
            noise = 0.05
            links = { d = 1 }
            [events.e]
            probability = 0.1
            [outcomes.v_end]
            measure = "v"
            [evidence.few]
            observe = "count(e, 0, 5)"
            equals = 0
            [evidence.measured]
            observe = "v"
            at = "2024-06"
            value = 0.5
            sd = 0.1
        "#;
        let loaded = crate::scenario::load_str("w.toml", text, std::path::Path::new("."), &[]).unwrap();
        Model::compile(&loaded.scenario).unwrap()
    }

    /// The weighing of chunks `chunks` of a `runs`-run experiment (a shard's when `shard`).
    fn weigh(
        model: &Model,
        runs: u64,
        chunks: std::ops::Range<u64>,
        shard: bool,
        threads: usize,
    ) -> Weighing {
        let settings = Settings { runs, seed: 9, threads: Some(threads), progress: false };
        let first = (chunks.start * engine::CHUNK_RUNS).min(runs);
        let mut weighing =
            if shard { Weighing::for_shard(model, first) } else { Weighing::new(model) }.unwrap();
        engine::run_chunks(model, &settings, chunks, |batch| {
            batch.iter().for_each(|chunk| weighing.add_chunk(chunk));
            Flow::Continue
        })
        .unwrap();
        weighing
    }

    #[test]
    fn shards_absorbed_in_order_weigh_as_one_pass() {
        let model = evidence_model();
        let runs: u64 = 2_000;
        let all = runs.div_ceil(engine::CHUNK_RUNS);
        let one = weigh(&model, runs, 0..all, false, 2);
        assert!(one.accepted() > 100 && one.accepted() < runs, "{}", one.accepted());
        let prior =
            engine::simulate(&model, &Settings { runs, seed: 9, threads: Some(1), progress: false }).unwrap();
        let expected = one.summarize(&model, &prior);
        for count in [1, 2, 3, 7] {
            let mut merged = Weighing::new(&model).unwrap();
            for index in 0..count {
                let shard = weigh(&model, runs, shard_chunks(runs, index, count), true, 1);
                let decoded = Weighing::decode(&shard.encode(), &model).unwrap().unwrap();
                assert_eq!(decoded.encode(), shard.encode());
                merged.absorb(&decoded).unwrap();
            }
            assert_eq!(merged.runs(), runs);
            // Every bit of every statistic is the one pass's.
            assert_eq!(
                format!("{:?}", merged.summarize(&model, &prior)),
                format!("{expected:?}"),
                "{count} shards"
            );
        }
        // Out of order, or damaged: refused, never a wrong number.
        let mut wrong = Weighing::new(&model).unwrap();
        assert!(wrong.absorb(&weigh(&model, runs, shard_chunks(runs, 1, 3), true, 1)).is_err());
        let bytes = weigh(&model, runs, shard_chunks(runs, 0, 3), true, 1).encode();
        assert!(Weighing::decode(&bytes[..bytes.len() - 16], &model).is_err());
    }

    #[test]
    fn weighted_statistics_of_equal_weights_are_the_sample_mean_and_its_error() {
        let values = [1.0, 2.0, 3.0, 4.0];
        let s = weighted(&values, &[1.0; 4]).unwrap();
        assert_eq!(s.mean, 2.5);
        // √(Σ(x − x̄)²)/n = √5/4: the plug-in standard error.
        assert!((s.standard_error - 5f64.sqrt() / 4.0).abs() < 1e-15);
        assert_eq!((s.p5, s.p50, s.p95), (1.0, 2.0, 4.0));
        // Weight 0 leaves a run out; NaN is undefined.
        let s = weighted(&[1.0, 100.0, f64::NAN], &[1.0, 0.0, 1.0]).unwrap();
        assert_eq!((s.mean, s.defined_share), (1.0, 0.5));
        assert!(weighted(&[1.0], &[0.0]).is_none());
    }

    #[test]
    fn weighted_intervals_cover_the_exact_posterior_at_their_nominal_rate() {
        use crate::engine::stream::{Stream, StreamId};
        use statrs::distribution::{ContinuousCDF, Normal};
        // Prior x ~ N(0, 1); a measurement 1 ± 0.5 weighs exp(−(x − 1)²/(2 · 0.5²)): the posterior
        // is N(0.8, 0.2) exactly. And weights all 1: the prior itself.
        let unit = Normal::new(0.0, 1.0).unwrap();
        let cases = [("posterior", 0.8, 0.2f64.sqrt(), true), ("prior", 0.0, 1.0, false)];
        let (replications, runs) = (1_000u32, 2_000u64);
        for (name, mean, sd, weighed) in cases {
            let exact = [mean, mean + sd * unit.inverse_cdf(0.05), mean, mean + sd * unit.inverse_cdf(0.95)];
            // Covered: the mean, p5, p50, p95.
            let mut covered = [0u32; 4];
            let mut ess = 0.0;
            for r in 0..replications {
                let mut stream = Stream::new(17, u64::from(r), StreamId::new("test", "coverage"));
                let values: Vec<f64> = (0..runs).map(|_| stream.normal()).collect();
                let weights: Vec<f64> = values
                    .iter()
                    .map(|&x| if weighed { (-(x - 1.0) * (x - 1.0) / (2.0 * 0.25)).exp() } else { 1.0 })
                    .collect();
                let (sum, squares) = weights.iter().fold((0.0, 0.0), |(a, b), w| (a + w, b + w * w));
                ess += sum * sum / squares / f64::from(replications);
                let s = weighted(&values, &weights).unwrap();
                let intervals = [[s.lower, s.upper], s.p5_interval, s.p50_interval, s.p95_interval];
                for ((count, [lower, upper]), truth) in covered.iter_mut().zip(intervals).zip(exact) {
                    assert!(lower <= upper);
                    *count += u32::from(lower <= truth && truth <= upper);
                }
            }
            // Each count is Binomial(replications, 0.95) when the intervals are right: within
            // z = 4 of its standard deviation (0.95 ± 0.028 here), too narrow or too wide.
            let tolerance = 4.0 * (0.95 * 0.05 / f64::from(replications)).sqrt();
            for (what, count) in ["mean", "p5", "p50", "p95"].iter().zip(covered) {
                let rate = f64::from(count) / f64::from(replications);
                assert!((rate - 0.95).abs() <= tolerance, "{name} {what}: coverage {rate} (ESS {ess:.0})");
            }
        }
    }

    #[test]
    fn a_bayes_factor_of_identical_weights_is_one_with_no_error() {
        let w = vec![0.0, 1.0, 0.5, 0.25];
        let summary = |p: f64| EvidenceSummary {
            method: String::new(),
            runs: 4,
            accepted_target: None,
            accepted_runs: 3,
            posterior_runs: 3,
            prior_runs: 4,
            items: Vec::new(),
            probability: Estimate { value: p, standard_error: 0.0, lower: p, upper: p },
            effective_sample_size: 0.0,
            warning: None,
            scores: None,
            drivers: Vec::new(),
            outcomes: Vec::new(),
        };
        let doubled: Vec<f64> = w.iter().map(|x| x * 2.0).collect();
        let result = bayes_factors(
            &["a", "b", "c"],
            &[summary(0.4375), summary(0.4375), summary(0.875)],
            &[w.clone(), w.clone(), doubled],
        );
        let b = &result.scenarios[1];
        assert_eq!((b.bayes_factor, b.lower, b.upper), (Some(1.0), Some(1.0), Some(1.0)));
        // Twice every weight: a factor of 2, exactly (perfectly correlated runs).
        let c = &result.scenarios[2];
        assert_eq!(c.bayes_factor, Some(2.0));
        assert!((c.lower.unwrap() - 2.0).abs() < 1e-12 && (c.upper.unwrap() - 2.0).abs() < 1e-12);
        // No run matches the baseline: no factor, no NaN.
        let none = bayes_factors(&["a", "b"], &[summary(0.0), summary(0.4375)], &[vec![0.0; 4], w]);
        assert_eq!(none.scenarios[1].bayes_factor, None);
    }

    #[test]
    fn scores_of_a_certain_and_an_impossible_fact() {
        let sure = Scores::of(1.0, 0.5);
        assert_eq!((sure.brier, sure.brier_no_skill, sure.log), (0.0, 0.25, Some(0.0)));
        assert_eq!(sure.brier_skill, Some(1.0));
        let never = Scores::of(0.0, 0.5);
        assert_eq!(never.log, None);
        assert_eq!(never.brier, 1.0);
    }
}

/// Each run's weight under `model`'s evidence (the product of its items' likelihoods), in run order.
pub fn run_weights(model: &Model, simulation: &Simulation) -> Vec<f64> {
    let likelihoods: Vec<Likelihood> = model.evidence.iter().map(|e| e.likelihood).collect();
    (0..simulation.runs as usize)
        .map(|run| crate::model::evidence::run_weight(&likelihoods, simulation.run_evidence(run)))
        .collect()
}

/// Scenarios weighed by the same evidence (`crossroads compare`): each one's evidence probability
/// and its Bayes factor against the first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceComparison {
    /// How the Bayes factors and their intervals are computed.
    pub method: String,
    /// The evidence items every scenario carries, by name.
    pub items: Vec<String>,
    /// One entry per scenario, baseline first.
    pub scenarios: Vec<ScenarioEvidence>,
}

/// One scenario's evidence probability and Bayes factor against the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioEvidence {
    /// The scenario's label.
    pub scenario: String,
    /// The evidence's probability under it, with its Monte Carlo error.
    pub probability: Estimate,
    /// Runs consistent with the evidence (weight above 0).
    pub accepted_runs: u64,
    /// Kish's effective sample size.
    pub effective_sample_size: f64,
    /// Its evidence probability over the baseline's (absent when either is 0: no run matched).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bayes_factor: Option<f64>,
    /// 95% interval of the Bayes factor, lower end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lower: Option<f64>,
    /// Upper end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper: Option<f64>,
}

/// How Bayes factors are computed, as summary.json and the report state it.
pub const BAYES_FACTOR_METHOD: &str = "Bayes factor = the scenario's evidence probability (mean run weight) over the baseline's, on the same runs (common random numbers); its 95% interval is exp(ln B ± 1.96 s), s² = Var(w_B)/(n·Z_B²) + Var(w_A)/(n·Z_A²) − 2·Cov(w_A, w_B)/(n·Z_A·Z_B) by the delta method over the paired runs.";

/// The Bayes factors of scenarios against the first, from each one's evidence summary and run
/// weights (the same runs in the same order).
pub fn bayes_factors(
    labels: &[&str],
    summaries: &[EvidenceSummary],
    weights: &[Vec<f64>],
) -> EvidenceComparison {
    let baseline = weights.first().map(Vec::as_slice).unwrap_or(&[]);
    let n = baseline.len() as f64;
    let mean = |w: &[f64]| if w.is_empty() { 0.0 } else { w.iter().sum::<f64>() / w.len() as f64 };
    let z_a = mean(baseline);
    let scenarios = labels
        .iter()
        .zip(summaries)
        .zip(weights)
        .map(|((label, summary), w)| {
            let z_b = mean(w);
            let (mut bayes_factor, mut lower, mut upper) = (None, None, None);
            if z_a > 0.0 && z_b > 0.0 && n > 1.0 {
                let factor = z_b / z_a;
                let (mut var_a, mut var_b, mut cov) = (0.0, 0.0, 0.0);
                for (&a, &b) in baseline.iter().zip(w) {
                    var_a += (a - z_a) * (a - z_a);
                    var_b += (b - z_b) * (b - z_b);
                    cov += (a - z_a) * (b - z_b);
                }
                let (var_a, var_b, cov) = (var_a / (n - 1.0), var_b / (n - 1.0), cov / (n - 1.0));
                let s2 = var_b / (n * z_b * z_b) + var_a / (n * z_a * z_a) - 2.0 * cov / (n * z_a * z_b);
                let s = s2.max(0.0).sqrt();
                bayes_factor = Some(factor);
                lower = Some(factor * (-Z95 * s).exp());
                upper = Some(factor * (Z95 * s).exp());
            }
            ScenarioEvidence {
                scenario: (*label).to_string(),
                probability: summary.probability,
                accepted_runs: summary.accepted_runs,
                effective_sample_size: summary.effective_sample_size,
                bayes_factor,
                lower,
                upper,
            }
        })
        .collect();
    EvidenceComparison {
        method: BAYES_FACTOR_METHOD.to_string(),
        items: summaries
            .first()
            .map(|s| s.items.iter().map(|i| i.name.clone()).collect())
            .unwrap_or_default(),
        scenarios,
    }
}
