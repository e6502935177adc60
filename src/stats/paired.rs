//! Paired differences between scenarios run on common random numbers (DESIGN.md §5).
//!
//! Run k of every compared scenario draws from the same streams wherever the scenarios share a name,
//! so the per-run difference d_k = b_k − a_k measures the changed assumptions, not the noise. The
//! estimate is the mean of d_k with its standard error sd(d)/√n and the 95% interval ±1.96·s.e.; the
//! pairing's gain is the variance reduction (var(a) + var(b)) / var(b − a): the variance an
//! independent comparison of the same runs would have over that of the paired one.
//!
//! Outcomes are matched by name. A `first(...)` outcome is undefined in runs where its event never
//! happened: its difference pairs only the runs where both scenarios define it, and says how many.

use serde::{Serialize, Serializer};

use super::describe::Z95;
use super::moments::Moments;
use super::summary::{OutcomeStatistics, OutcomeSummary, Summary};
use crate::engine::Simulation;

/// One scenario's finished runs, as the comparison needs them.
#[derive(Debug, Clone, Copy)]
pub struct ScenarioRuns<'a> {
    /// How the comparison names the scenario: its `name`, made unique (`name-2`) when two compared
    /// scenarios share one.
    pub label: &'a str,
    /// Its statistics (outcome i of the summary is outcome i of the simulation).
    pub summary: &'a Summary,
    /// Every run's values.
    pub simulation: &'a Simulation,
}

/// How much pairing shrank the variance of a difference: (var(a) + var(b)) / var(b − a) over the
/// paired runs. Above 1, common random numbers made the interval narrower than independent runs
/// would have: its width shrinks by the square root of this factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VarianceReduction {
    /// The factor, finite and positive.
    Ratio(f64),
    /// var(b − a) = 0 while the scenarios' values vary: every run moved by the same amount, so the
    /// pairing removed all Monte Carlo noise from the difference (e.g. a scenario against itself).
    Infinite,
    /// No factor: neither scenario's values vary, or fewer than two runs pair.
    NotApplicable,
}

/// JSON: the factor as a number, `"infinite"`, or `null` when not applicable.
impl Serialize for VarianceReduction {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            VarianceReduction::Ratio(x) => serializer.serialize_f64(*x),
            VarianceReduction::Infinite => serializer.serialize_str("infinite"),
            VarianceReduction::NotApplicable => serializer.serialize_none(),
        }
    }
}

/// The paired difference of one outcome between a scenario (b) and the baseline (a), over runs.
/// Values are in the outcome's unit; for 0/1 outcomes the means are probabilities and the
/// difference is a difference in probability. Undefined numbers are NaN (`null` in JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairedDifference {
    /// Runs compared.
    pub runs: u64,
    /// Runs where both values are defined: the pairs the statistics are over.
    pub pairs: u64,
    /// The baseline's mean over the pairs.
    pub baseline_mean: f64,
    /// The scenario's mean over the pairs.
    pub scenario_mean: f64,
    /// Mean of d_k = b_k − a_k over the pairs.
    pub difference: f64,
    /// Standard deviation of d_k (n − 1 denominator).
    pub sd: f64,
    /// Monte Carlo standard error of the difference, sd/√pairs (NaN with fewer than two pairs).
    pub standard_error: f64,
    /// Lower end of the 95% interval, difference − 1.96·s.e.
    pub lower: f64,
    /// Upper end of the 95% interval, difference + 1.96·s.e.
    pub upper: f64,
    /// The standard error the difference would have from independent runs:
    /// √((var(a) + var(b)) / pairs).
    pub independent_standard_error: f64,
    /// (var(a) + var(b)) / var(b − a).
    pub variance_reduction: VarianceReduction,
}

/// The paired difference `scenario − baseline` of two outcomes' per-run values, in run order (NaN
/// where undefined). Runs beyond the shorter sequence are not compared.
pub fn paired_difference(
    baseline: impl IntoIterator<Item = f64>,
    scenario: impl IntoIterator<Item = f64>,
) -> PairedDifference {
    let (mut a, mut b, mut d) = (Moments::default(), Moments::default(), Moments::default());
    // Means are plain sums over n, in run order: exact for whole-number outcomes (0/1, counts,
    // months), where a running mean would leave rounding noise. Variances come from the moments.
    let (mut sum_a, mut sum_b, mut sum_d) = (0.0, 0.0, 0.0);
    let mut runs = 0u64;
    for (x, y) in baseline.into_iter().zip(scenario) {
        runs += 1;
        if x.is_nan() || y.is_nan() {
            continue;
        }
        a.add(x);
        b.add(y);
        d.add(y - x);
        sum_a += x;
        sum_b += y;
        sum_d += y - x;
    }
    let pairs = d.count;
    let measured = pairs >= 2;
    let or_nan = |x: f64, defined: bool| if defined { x } else { f64::NAN };
    let mean = |sum: f64| or_nan(sum / pairs as f64, pairs > 0);
    let difference = mean(sum_d);
    let standard_error = or_nan(d.standard_error(), measured);
    let independent = a.variance() + b.variance();
    let variance_reduction = if !measured || independent <= 0.0 {
        VarianceReduction::NotApplicable
    } else if d.variance() > 0.0 {
        VarianceReduction::Ratio(independent / d.variance())
    } else {
        VarianceReduction::Infinite
    };
    PairedDifference {
        runs,
        pairs,
        baseline_mean: mean(sum_a),
        scenario_mean: mean(sum_b),
        difference,
        sd: or_nan(d.sd(), measured),
        standard_error,
        lower: difference - Z95 * standard_error,
        upper: difference + Z95 * standard_error,
        independent_standard_error: or_nan((independent / pairs as f64).sqrt(), measured),
        variance_reduction,
    }
}

/// Scenarios side by side, outcome by outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The seed every scenario ran on.
    pub seed: u64,
    /// Runs per scenario.
    pub runs: u64,
    /// The baseline's label: differences are against it.
    pub baseline: String,
    /// The scenarios, baseline first.
    pub scenarios: Vec<ComparedScenario>,
    /// Every outcome of any scenario, matched by name: the baseline's in file order, then those
    /// only other scenarios have, in the order they first appear.
    pub outcomes: Vec<OutcomeComparison>,
    /// The scenarios weighed by the evidence they all carry: each one's evidence probability and
    /// Bayes factor against the baseline (absent when they carry no evidence).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<super::evidence::EvidenceComparison>,
}

/// A compared scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparedScenario {
    /// Its label in the comparison (unique).
    pub label: String,
    /// The scenario's `name`.
    pub name: String,
    /// The scenario's `title`.
    pub title: String,
    /// First simulated month, `YYYY-MM`.
    pub start: String,
    /// Months simulated.
    pub horizon: u32,
}

/// One outcome across the compared scenarios.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeComparison {
    /// The outcome's name (the key it is matched by).
    pub name: String,
    /// Its title, from the first scenario that has it.
    pub title: String,
    /// Its unit, from the first scenario that has it.
    pub unit: Option<String>,
    /// True when it is a 0/1 outcome (a probability) in the first scenario that has it.
    pub probability: bool,
    /// Labels of the scenarios that have it, in scenario order.
    pub present_in: Vec<String>,
    /// One entry per scenario, in scenario order.
    pub scenarios: Vec<ScenarioOutcome>,
    /// One entry per scenario other than the baseline, in scenario order.
    pub differences: Vec<ScenarioDifference>,
}

/// One scenario's statistics of an outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioOutcome {
    /// The scenario's label.
    pub scenario: String,
    /// Its statistics, `None` when the scenario has no outcome of that name.
    #[serde(flatten)]
    pub summary: Option<OutcomeSummary>,
}

/// One scenario's paired difference against the baseline for an outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioDifference {
    /// The scenario's label.
    pub scenario: String,
    /// The difference scenario − baseline; `None` when either lacks the outcome.
    #[serde(flatten)]
    pub difference: Option<PairedDifference>,
}

impl OutcomeComparison {
    /// The outcome's statistics in scenario `index`, if that scenario has it.
    pub fn summary(&self, index: usize) -> Option<&OutcomeSummary> {
        self.scenarios.get(index).and_then(|s| s.summary.as_ref())
    }

    /// True when the outcome measures the month of a first event (`first(...)`) in any scenario.
    pub fn is_first(&self) -> bool {
        self.scenarios.iter().filter_map(|s| s.summary.as_ref()).any(|s| s.kind.is_first_time())
    }
}

/// Compares `scenarios` (the first is the baseline) outcome by outcome: each scenario's statistics
/// and each other scenario's paired difference against the baseline. The runs must share their
/// seed and run indices for the pairing to mean anything; the caller runs them so.
pub fn compare(scenarios: &[ScenarioRuns<'_>]) -> Comparison {
    let mut names: Vec<&str> = Vec::new();
    for scenario in scenarios {
        for outcome in &scenario.summary.outcomes {
            if !names.contains(&outcome.name.as_str()) {
                names.push(&outcome.name);
            }
        }
    }
    let index_of = |scenario: &ScenarioRuns<'_>, name: &str| {
        scenario.summary.outcomes.iter().position(|outcome| outcome.name == name)
    };
    let outcomes = names
        .into_iter()
        .map(|name| {
            let indices: Vec<Option<usize>> = scenarios.iter().map(|s| index_of(s, name)).collect();
            let summaries: Vec<Option<&OutcomeSummary>> = scenarios
                .iter()
                .zip(&indices)
                .map(|(s, index)| index.and_then(|i| s.summary.outcomes.get(i)))
                .collect();
            let first = summaries.iter().flatten().next();
            let differences = match (scenarios.first(), indices.first()) {
                (Some(baseline), Some(baseline_index)) => scenarios
                    .iter()
                    .zip(&indices)
                    .skip(1)
                    .map(|(scenario, index)| ScenarioDifference {
                        scenario: scenario.label.to_string(),
                        difference: baseline_index.zip(*index).map(|(a, b)| {
                            paired_difference(
                                baseline.simulation.outcome_values(a),
                                scenario.simulation.outcome_values(b),
                            )
                        }),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            OutcomeComparison {
                name: name.to_string(),
                title: first.map_or_else(|| name.to_string(), |o| o.title.clone()),
                unit: first.and_then(|o| o.unit.clone()),
                probability: first.is_some_and(|o| matches!(o.statistics, OutcomeStatistics::Probability(_))),
                present_in: scenarios
                    .iter()
                    .zip(&summaries)
                    .filter(|(_, summary)| summary.is_some())
                    .map(|(s, _)| s.label.to_string())
                    .collect(),
                scenarios: scenarios
                    .iter()
                    .zip(summaries)
                    .map(|(s, summary)| ScenarioOutcome {
                        scenario: s.label.to_string(),
                        summary: summary.cloned(),
                    })
                    .collect(),
                differences,
            }
        })
        .collect();
    let baseline = scenarios.first();
    Comparison {
        seed: baseline.map_or(0, |s| s.simulation.seed),
        runs: baseline.map_or(0, |s| s.simulation.runs),
        baseline: baseline.map_or_else(String::new, |s| s.label.to_string()),
        scenarios: scenarios
            .iter()
            .map(|s| ComparedScenario {
                label: s.label.to_string(),
                name: s.summary.scenario.clone(),
                title: s.summary.title.clone(),
                start: s.summary.start.clone(),
                horizon: s.summary.horizon,
            })
            .collect(),
        outcomes,
        evidence: None,
    }
}

/// Labels for scenarios named `names`, in order: each name, with `-2`, `-3`… added to a name
/// already taken (a scenario compared with itself).
pub fn unique_labels<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for name in names {
        let mut label = name.to_string();
        let mut n = 2;
        while labels.contains(&label) {
            label = format!("{name}-{n}");
            n += 1;
        }
        labels.push(label);
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_runs_differ_by_exactly_zero() {
        let values: Vec<f64> = (0..500).map(|k| ((k * 37) % 101) as f64 / 7.0).collect();
        let d = paired_difference(values.clone(), values.clone());
        assert_eq!((d.runs, d.pairs), (500, 500));
        assert_eq!((d.difference, d.standard_error, d.lower, d.upper), (0.0, 0.0, 0.0, 0.0));
        assert_eq!(d.variance_reduction, VarianceReduction::Infinite);
        assert_eq!(d.baseline_mean, d.scenario_mean);
    }

    #[test]
    fn a_constant_shift_is_measured_without_noise() {
        let a: Vec<f64> = (0..200).map(|k| (k as f64).sqrt()).collect();
        let b: Vec<f64> = a.iter().map(|x| x + 0.5).collect();
        let d = paired_difference(a, b);
        assert!((d.difference - 0.5).abs() < 1e-12);
        // Rounding of x + 0.5 − x leaves var(d) at most a few ulps: the factor is huge or infinite.
        match d.variance_reduction {
            VarianceReduction::Infinite => {}
            VarianceReduction::Ratio(x) => assert!(x > 1e12, "{x}"),
            VarianceReduction::NotApplicable => panic!("the values vary"),
        }
    }

    #[test]
    fn matches_hand_computed_statistics() {
        // a = 1, 2, 3, 4; b = 2, 2, 5, 7; d = 1, 0, 2, 3.
        let d = paired_difference([1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 5.0, 7.0]);
        let sd_d = (5.0f64 / 3.0).sqrt(); // Σ(d − 1.5)² = 5, n − 1 = 3.
        assert_eq!(d.pairs, 4);
        assert!((d.difference - 1.5).abs() < 1e-15);
        assert!((d.sd - sd_d).abs() < 1e-12);
        assert!((d.standard_error - sd_d / 2.0).abs() < 1e-12);
        assert!((d.upper - (1.5 + Z95 * sd_d / 2.0)).abs() < 1e-12);
        // var(a) = 5/3, var(b) = 18/3 = 6; factor (5/3 + 6) / (5/3) = 4.6.
        let VarianceReduction::Ratio(factor) = d.variance_reduction else { panic!("a ratio") };
        assert!((factor - 4.6).abs() < 1e-12, "{factor}");
        assert!((d.independent_standard_error - ((5.0 / 3.0 + 6.0) / 4.0f64).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn means_of_whole_numbers_are_exact() {
        let a: Vec<f64> = (0..2000).map(|k| f64::from(k % 50 < 36)).collect();
        let b: Vec<f64> = (0..2000).map(|k| f64::from(k % 50 < 34)).collect();
        let d = paired_difference(a, b);
        assert_eq!((d.baseline_mean, d.scenario_mean, d.difference), (0.72, 0.68, -0.04));
    }

    #[test]
    fn undefined_runs_are_left_out_of_the_pairs() {
        let nan = f64::NAN;
        let d = paired_difference([1.0, nan, 3.0, 5.0, nan], [2.0, 4.0, nan, 7.0, nan]);
        assert_eq!((d.runs, d.pairs), (5, 2));
        assert_eq!((d.baseline_mean, d.scenario_mean, d.difference), (3.0, 4.5, 1.5));
        let none = paired_difference([nan, 1.0], [2.0, nan]);
        assert_eq!(none.pairs, 0);
        assert!(none.difference.is_nan() && none.lower.is_nan() && none.upper.is_nan());
        assert_eq!(none.variance_reduction, VarianceReduction::NotApplicable);
        // One pair has a difference but no standard error.
        let one = paired_difference([1.0], [3.0]);
        assert_eq!(one.difference, 2.0);
        assert!(one.standard_error.is_nan());
        assert_eq!(one.variance_reduction, VarianceReduction::NotApplicable);
    }

    #[test]
    fn constant_outcomes_have_no_variance_reduction() {
        let d = paired_difference([1.0; 10], [1.0; 10]);
        assert_eq!(d.variance_reduction, VarianceReduction::NotApplicable);
        assert_eq!((d.difference, d.lower, d.upper), (0.0, 0.0, 0.0));
        // A constant baseline against a varying scenario: var(d) = var(b), the factor is 1.
        let d = paired_difference([0.0; 4], [0.0, 1.0, 0.0, 1.0]);
        assert_eq!(d.variance_reduction, VarianceReduction::Ratio(1.0));
    }

    #[test]
    fn variance_reduction_serializes_as_number_string_or_null() {
        let json = |v: VarianceReduction| serde_json::to_string(&v).unwrap();
        assert_eq!(json(VarianceReduction::Ratio(2.5)), "2.5");
        assert_eq!(json(VarianceReduction::Infinite), "\"infinite\"");
        assert_eq!(json(VarianceReduction::NotApplicable), "null");
    }

    #[test]
    fn outcomes_are_matched_by_name_and_paired_on_common_random_numbers() {
        use crate::model::testing::*;
        use crate::scenario::{Factor, Function};
        use crate::stats::summarize;

        let mut baseline = scenario(24);
        baseline.events = vec![hazard("clash", 0.03)];
        baseline.outcomes = vec![
            outcome("clashes", vec![Factor::Call(Function::Count, "clash".into())], false),
            outcome("first", vec![Factor::Call(Function::First, "clash".into())], false),
            outcome("ever", vec![Factor::Call(Function::Ever, "clash".into())], false),
        ];
        let mut variant = baseline.clone();
        variant.events = vec![hazard("clash", 0.05)];
        variant.outcomes.remove(2);
        variant.outcomes.push(outcome("month", vec![Factor::Month], false));
        let (model_a, a) = run(&baseline, 400, 11);
        let (model_b, b) = run(&variant, 400, 11);
        let (summary_a, summary_b) = (summarize(&model_a, &a), summarize(&model_b, &b));
        let comparison = compare(&[
            ScenarioRuns { label: "base", summary: &summary_a, simulation: &a },
            ScenarioRuns { label: "hot", summary: &summary_b, simulation: &b },
        ]);
        assert_eq!((comparison.seed, comparison.runs, comparison.baseline.as_str()), (11, 400, "base"));
        let names: Vec<&str> = comparison.outcomes.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["clashes", "first", "ever", "month"]);
        let [clashes, first, ever, month] = &comparison.outcomes[..] else { panic!("four outcomes") };
        assert_eq!(ever.present_in, ["base"]);
        assert!(ever.probability && ever.summary(0).is_some() && ever.summary(1).is_none());
        assert_eq!(ever.differences[0].difference, None);
        assert_eq!(month.present_in, ["hot"]);
        assert_eq!(month.differences[0].difference, None);

        // The same uniforms against a higher hazard: every run has at least as many clashes.
        let d = clashes.differences[0].difference.as_ref().unwrap();
        assert_eq!((d.runs, d.pairs), (400, 400));
        let runs_a: Vec<f64> = a.outcome_values(0).collect();
        let runs_b: Vec<f64> = b.outcome_values(0).collect();
        assert!(runs_a.iter().zip(&runs_b).all(|(x, y)| y >= x));
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        assert!((d.difference - (mean(&runs_b) - mean(&runs_a))).abs() < 1e-12);
        assert!(d.lower > 0.0, "a higher hazard gives more clashes: {d:?}");
        let VarianceReduction::Ratio(factor) = d.variance_reduction else { panic!("{d:?}") };
        assert!(factor > 1.0, "pairing helps: {factor}");

        // first(...) pairs only the runs where both scenarios had a clash.
        let f = first.differences[0].difference.as_ref().unwrap();
        let both = runs_a.iter().zip(&runs_b).filter(|(x, y)| **x > 0.0 && **y > 0.0).count() as u64;
        assert_eq!((f.runs, f.pairs), (400, both));
        assert!(f.pairs < 400);
    }

    #[test]
    fn labels_are_unique() {
        assert_eq!(unique_labels(["a", "b", "a", "a"]), ["a", "b", "a-2", "a-3"]);
        assert_eq!(unique_labels(["a-2", "a", "a"]), ["a-2", "a", "a-3"]);
    }
}
