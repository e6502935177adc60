//! The validated scenario: what a scenario file means once it has been parsed, merged with its
//! `extends` parents and `--set` overrides, and checked (DESIGN.md §2).
//!
//! Every name here exists and is of the right kind; every distribution's parameters are valid.
//! The model compiles this into indices (`model::Model`); nothing downstream re-validates it.
//! Tables keep file order, which matters: actors listed first win BDM ties, and outputs follow it.

use super::calendar::YearMonth;
use super::distribution::Distribution;
use super::term::Term;

/// A whole scenario, resolved and valid.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The `[scenario]` table.
    pub meta: Meta,
    /// Exogenous uncertainties, drawn once per run.
    pub drivers: Vec<Driver>,
    /// The region's state, updated monthly.
    pub variables: Vec<Variable>,
    /// Hazard and scheduled events.
    pub events: Vec<Event>,
    /// Bargaining agents.
    pub actors: Vec<Actor>,
    /// Issues the actors bargain over.
    pub issues: Vec<Issue>,
    /// Displaced populations of deciding agents.
    pub populations: Vec<Population>,
    /// What is measured and reported.
    pub outcomes: Vec<Outcome>,
    /// Rank correlations between drivers (empty: every driver drawn independently).
    pub correlations: Correlations,
    /// What is known to have happened: observations each run is weighed by (empty: every run
    /// counts alike).
    pub evidence: Vec<Evidence>,
    /// The `[experiment]` of `crossroads explore`, when the file has one (`run` ignores it).
    pub experiment: Option<Experiment>,
}

/// `[experiment]`: a design over some of the scenario's numbers (issue 10).
#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    /// What the experiment is and who chose its ranges.
    pub about: About,
    /// The design.
    pub design: Design,
    /// The design's size: Sobol's base rows N (N·(k + 2) points), Morris's trajectories (r·(k + 1)
    /// points), the Latin hypercube's points; for a grid, the levels of each factor.
    pub points: u64,
    /// Runs at every point, replication r of every point on the same random streams.
    pub replications: u64,
    /// Morris's grid levels (even).
    pub levels: u32,
    /// The factors, in file order.
    pub factors: Vec<ExperimentFactor>,
}

/// An experimental design (see `engine::design`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// Saltelli's scheme for Sobol indices.
    Sobol,
    /// Morris's one-at-a-time trajectories.
    Morris,
    /// A Latin hypercube.
    Lhs,
    /// Every combination of each factor's levels.
    Grid,
}

impl Design {
    /// The design's name as the file writes it.
    pub fn name(self) -> &'static str {
        match self {
            Design::Sobol => "sobol",
            Design::Morris => "morris",
            Design::Lhs => "lhs",
            Design::Grid => "grid",
        }
    }
}

/// One factor of an experiment: a number of the scenario, by its `--set` path, and the range the
/// design explores.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentFactor {
    /// The path as written, e.g. `events.armed_clash.probability` (the factor's name in outputs).
    pub path: String,
    /// The `--set` key that sets it: the path, or `drivers.NAME.fixed` for a driver drawn from a
    /// distribution (the design then fixes what each run would draw).
    pub setting: String,
    /// The key holds a whole number (a month, a count): design values are rounded to whole numbers.
    pub whole: bool,
    /// The range or distribution the design's unit coordinates are mapped through.
    pub distribution: Distribution,
    /// Where the range comes from.
    pub about: About,
}

/// The `[scenario]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// Output folder name, `[a-z0-9_-]` only.
    pub name: String,
    /// Human title for reports.
    pub title: String,
    /// Optional longer description.
    pub description: Option<String>,
    /// First simulated month.
    pub start: YearMonth,
    /// Number of simulated months, 1–1200.
    pub horizon: u32,
    /// Default number of replications (≥ 1).
    pub runs: u64,
    /// Default seed.
    pub seed: u64,
}

/// `description`, `unit` and `source`: what an assumption is and who says so.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct About {
    /// What the assumption is.
    pub description: Option<String>,
    /// Its unit (months, persons, share, 0–1, …).
    pub unit: Option<String>,
    /// Who says so: a FACTS.md section, a publication, or "analyst judgement: …".
    pub source: Option<String>,
}

/// A value that is a number, a distribution drawn once per run, or a variable read when used
/// (capabilities, positions, saliences).
#[derive(Debug, Clone, PartialEq)]
pub enum Quantity {
    /// Drawn once per run (a bare number is `Distribution::Fixed`).
    Drawn(Distribution),
    /// A variable's current value, read each time it is needed.
    Variable(String),
}

/// `[drivers.NAME]`: an exogenous uncertainty, drawn once per run.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    /// The name in the scenario file (`[section.NAME]`).
    pub name: String,
    /// Description, unit and source.
    pub about: About,
    /// The distribution each run draws its value from.
    pub distribution: Distribution,
}

/// `[correlations]`: target Spearman rank correlations between drivers, and the matrix the runs'
/// Gaussian copula uses (issue 13; `scenario::correlation`, `model::copula`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Correlations {
    /// The pairs as stated, in file order (a pair at 0 included: it states independence).
    pub pairs: Vec<Correlation>,
    /// `repair = true`: a matrix that is not positive definite is replaced by the nearest one.
    pub repair: bool,
    /// The drivers the copula mixes: those of the pairs with ρ ≠ 0, in order of first appearance.
    pub drivers: Vec<String>,
    /// The Spearman matrix the runs use (`drivers` × `drivers`, row-major): the stated one or, when
    /// repaired, the nearest valid one.
    pub matrix: Vec<f64>,
    /// Set when the stated matrix was repaired.
    pub repaired: Option<Repair>,
}

/// One stated pair, `"first ~ second" = ρ`.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    /// The driver written first.
    pub first: String,
    /// The driver written second.
    pub second: String,
    /// The target Spearman rank correlation, in (−1, 1).
    pub spearman: f64,
    /// Description, unit and source.
    pub about: About,
}

/// How a matrix that was not positive definite was repaired (`repair = true`).
#[derive(Debug, Clone, PartialEq)]
pub struct Repair {
    /// The stated Spearman matrix (same order as [`Correlations::drivers`]).
    pub stated: Vec<f64>,
    /// The Frobenius distance between the stated and the used Spearman matrices.
    pub distance: f64,
}

impl Correlations {
    /// The matrix's entry for drivers `a` and `b` (1 on the diagonal, 0 for drivers in no pair).
    pub fn get(&self, a: &str, b: &str) -> f64 {
        let position = |name: &str| self.drivers.iter().position(|d| d == name);
        match (position(a), position(b)) {
            (Some(i), Some(j)) => self.matrix.get(i * self.drivers.len() + j).copied().unwrap_or(0.0),
            _ if a == b => 1.0,
            _ => 0.0,
        }
    }
}

/// A link: `coefficient · term`, added to a baseline (DESIGN.md §2.3).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The term as written in the file, for reports.
    pub text: String,
    /// The parsed term, every name resolved.
    pub term: Term,
    /// Multiplies the term; the product is added to the baseline.
    pub coefficient: f64,
}

/// `[variables.NAME]` (DESIGN.md §2.4):
/// x(t+1) = clamp(x + speed · (target + Σ coef · term − x) + noise · ε, min, max).
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// The name in the scenario file (`[section.NAME]`).
    pub name: String,
    /// Description, unit and source.
    pub about: About,
    /// Value at the start, drawn once per run.
    pub initial: Distribution,
    /// Lower bound (−∞ when absent).
    pub min: f64,
    /// Upper bound (+∞ when absent).
    pub max: f64,
    /// Level the variable drifts to when all links are 0 (defaults to the initial value's mean).
    pub target: f64,
    /// Share of the gap to the target closed each month, 0–1.
    pub speed: f64,
    /// Standard deviation of the normal monthly shock (≥ 0).
    pub noise: f64,
    /// Links added to the baseline, in file order (DESIGN.md §2.3).
    pub links: Vec<Link>,
}

/// `[events.NAME]` (DESIGN.md §2.5).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The name in the scenario file (`[section.NAME]`).
    pub name: String,
    /// Description, unit and source.
    pub about: About,
    /// A monthly hazard or a scheduled month.
    pub trigger: Trigger,
    /// Months it stays active, counting the month it fires (≥ 1).
    pub duration: u32,
    /// Fires at most once.
    pub once: bool,
    /// Applied when it fires, before variables update, in file order.
    pub effects: Vec<Effect>,
}

/// How an event fires.
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    /// Each month with p(t) = σ(logit(probability) + Σ coef · term(t)).
    Hazard {
        /// Monthly probability when all links are 0.
        probability: f64,
        /// Log-odds links on the probability, in file order.
        links: Vec<Link>,
    },
    /// In the month a driver names (months since start; the value is rounded down), no hazard.
    AtDriver(String),
    /// In a fixed month since start.
    AtMonth(u32),
}

/// An event's effect on a variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    /// The variable it changes.
    pub variable: String,
    /// What it does to the variable.
    pub operation: Operation,
}

/// What an effect does to its variable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Operation {
    /// Sets the variable to this value.
    Set(f64),
    /// Adds this value to the variable.
    Add(f64),
    /// Multiplies the variable by this value.
    Mul(f64),
}

/// `[actors.NAME]`: a bargaining agent.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// The name in the scenario file (`[section.NAME]`).
    pub name: String,
    /// Description, unit and source.
    pub about: About,
    /// Capability, ≥ 0: a number, a distribution or a variable's name.
    pub capability: Quantity,
}

/// `[issues.NAME]` (DESIGN.md §2.6).
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// The name in the scenario file (`[section.NAME]`).
    pub name: String,
    /// Description, unit and source.
    pub about: About,
    /// Meaning of the low end of the scale.
    pub low: Option<String>,
    /// Meaning of the high end of the scale.
    pub high: Option<String>,
    /// The position scale, `[0, 100]` unless `scale = [lo, hi]`.
    pub scale: (f64, f64),
    /// How the actors move each round.
    pub model: BargainingModel,
    /// A bargaining round every `every` months (≥ 1).
    pub every: u32,
    /// When and how the parties may agree; `None`: the issue is bargained over but never agreed.
    pub agreement: Option<Agreement>,
    /// The actors with a stake, in file order.
    pub stakes: Vec<Stake>,
}

/// How actors move on an issue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BargainingModel {
    /// Bueno de Mesquita's expected-utility model (Scholz, Calbert & Smith 2011).
    Bdm,
    /// Each actor moves (1 − salience) · concession of the way to the forecast.
    Compromise {
        /// Share of the way to the forecast an actor of salience 0 moves each round, 0–1.
        concession: f64,
    },
}

/// An issue's agreement rule: while the parties are within `within` points, it fires monthly with
/// p = σ(logit(probability) + Σ coef · term).
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    /// Actor names; each has a stake in the issue.
    pub parties: Vec<String>,
    /// Largest distance between the parties' positions (points on the issue's scale) at which
    /// the agreement can fire.
    pub within: f64,
    /// Monthly probability of agreeing while within reach, when all links are 0.
    pub probability: f64,
    /// Log-odds links on the agreement probability, in file order.
    pub links: Vec<Link>,
}

/// One actor's stake in an issue.
#[derive(Debug, Clone, PartialEq)]
pub struct Stake {
    /// The actor holding the stake.
    pub actor: String,
    /// Position on the issue's scale.
    pub position: Quantity,
    /// Salience, 0–1.
    pub salience: Quantity,
}

/// `[populations.NAME]` (DESIGN.md §2.7).
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// The name in the scenario file (`[section.NAME]`).
    pub name: String,
    /// Description, unit and source.
    pub about: About,
    /// Persons the population stands for, drawn once per run; split evenly over the agents.
    pub persons: Distribution,
    /// Number of deciding agents (≥ 1).
    pub agents: u32,
    /// Agents at home at the start (≤ agents).
    pub at_home: u32,
    /// Each agent's reluctance θ_i, drawn per agent per run.
    pub threshold: Distribution,
    /// Baseline pull home.
    pub utility: f64,
    /// Weight on the share already home.
    pub peer: f64,
    /// Standard deviation of each agent's monthly shock (≥ 0).
    pub noise: f64,
    /// Links added to the baseline, in file order (DESIGN.md §2.3).
    pub links: Vec<Link>,
    /// Renewed flight when an event fires, if any.
    pub flee: Option<Flee>,
}

/// Renewed flight: when `on` fires, each agent at home is displaced again with `probability`.
#[derive(Debug, Clone, PartialEq)]
pub struct Flee {
    /// The event whose firing makes agents at home flee again.
    pub on: String,
    /// Probability that each agent at home is displaced again when `on` fires.
    pub probability: f64,
}

/// `[outcomes.NAME]` (DESIGN.md §2.8).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The name in the scenario file (`[section.NAME]`).
    pub name: String,
    /// Title for charts and tables (defaults to the name).
    pub title: String,
    /// Description, unit and source.
    pub about: About,
    /// The measure as written in the file.
    pub text: String,
    /// The parsed measure, every name resolved.
    pub measure: Term,
    /// Month since start at which it is measured (the horizon's last month when absent).
    pub at: Option<u32>,
    /// Also recorded at the end of every month (fan chart).
    pub series: bool,
    /// `given = "agreed(issue)"`: the outcome is measured only over the runs where this 0/1 term is
    /// 1 in its month; in the other runs it is undefined and counted apart, like a `first(...)`
    /// whose event never happened.
    pub given: Option<Given>,
    /// `headline = true`: the outcome is one of the summary's headline outcomes (when no outcome
    /// says so, the summary shows every 0/1 outcome).
    pub headline: bool,
}

/// The condition of an outcome measured only over some runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Given {
    /// The term as written in the file.
    pub text: String,
    /// The parsed term, every name resolved; 0/1 (an indicator).
    pub term: Term,
}

impl Outcome {
    /// True when the outcome is 0/1 in every run: reported as a probability.
    pub fn is_probability(&self) -> bool {
        self.measure.is_indicator()
    }
}

/// `[evidence.NAME]`: an observation about a run's history, measured by a term at a month, that
/// each run is weighed by (approximate Bayesian computation over the runs: rejection for exact
/// observations, likelihood weighting for measured ones).
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// The name in the scenario file (`[section.NAME]`).
    pub name: String,
    /// Description, unit and source.
    pub about: About,
    /// The observed term as written in the file.
    pub text: String,
    /// The parsed term, every name resolved.
    pub observe: Term,
    /// Month since start at whose end it is observed (the horizon's last month when absent).
    pub at: Option<u32>,
    /// What was observed, and how a run's value is weighed against it.
    pub observation: Observation,
    /// The probability a no-skill forecaster gives the observed fact (for forecast scores);
    /// `None`: 50%.
    pub base_rate: Option<f64>,
}

/// What an evidence item observed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Observation {
    /// `equals = k`: the run's value must be exactly k (a 0/1 or whole-number term): weight 1 or 0.
    Equals(f64),
    /// `value = x, sd = s`: a measurement with normal error; a run with value y weighs
    /// exp(−(y − x)² / 2s²), the normal likelihood relative to a perfect match.
    Normal {
        /// The measured value.
        value: f64,
        /// The measurement's standard deviation (> 0).
        sd: f64,
    },
}
