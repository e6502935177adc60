//! `Model::compile`: a validated [`Scenario`] turned into indices, ready for the step loop.

use std::collections::HashMap;

use thiserror::Error;

use super::copula::Copula;
use super::quantile::Sampler;
use super::streams::Purpose;
use super::term::{Factor, FactorTable, Hazard, Links, OutcomeKind, Term};
use crate::engine::stream::StreamId;
use crate::scenario::term::Argument;
use crate::scenario::{self, BargainingModel, Distribution, Operation, Quantity, Scenario, YearMonth};

/// A scenario the model cannot compile. The loader's validation rules these out; seeing one means a
/// `Scenario` was built by hand (or the loader missed a case) and names what is wrong.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CompileError {
    /// A name that is not declared as the kind it is used as.
    #[error("{what} `{name}` is not defined in the scenario")]
    Unknown {
        /// The kind of thing looked for ("driver", "variable", …).
        what: &'static str,
        /// The name that was not found.
        name: String,
    },
    /// `driver=outcome` on a driver that is not categorical, or with an outcome it does not have.
    #[error("`{driver}={outcome}`: `{driver}` is not a categorical driver with an outcome `{outcome}`")]
    NotAnOutcome {
        /// The driver named in the term.
        driver: String,
        /// The outcome named in the term.
        outcome: String,
    },
    /// An agreement party without a stake in the issue.
    #[error("issue `{issue}`: agreement party `{actor}` has no stake in the issue")]
    PartyWithoutStake {
        /// The issue.
        issue: String,
        /// The party without a stake.
        actor: String,
    },
    /// A number the model cannot run with.
    #[error("{what}: {problem}")]
    Invalid {
        /// What is invalid, e.g. "issue `peace_treaty`".
        what: String,
        /// What is wrong with it.
        problem: String,
    },
}

/// The compiled, immutable model of one scenario. Shared by every run (and thread).
#[derive(Debug, Clone)]
pub struct Model {
    /// The scenario's name (output folder name).
    pub name: String,
    /// The scenario's title.
    pub title: String,
    /// First simulated month.
    pub start: YearMonth,
    /// Months simulated.
    pub horizon: u32,
    /// Drivers in file order.
    pub drivers: Vec<DriverSpec>,
    /// Variables in file order.
    pub variables: Vec<VariableSpec>,
    /// Events in file order.
    pub events: Vec<EventSpec>,
    /// Actors in file order.
    pub actors: Vec<ActorSpec>,
    /// Issues in file order.
    pub issues: Vec<IssueSpec>,
    /// Populations in file order.
    pub populations: Vec<PopulationSpec>,
    /// Outcomes in file order.
    pub outcomes: Vec<OutcomeSpec>,
    /// The drivers `[correlations]` mixes, when any.
    pub correlated: Option<CorrelatedDrivers>,
    /// Evidence items in file order (empty: every run weighs 1).
    pub evidence: Vec<super::evidence::EvidenceSpec>,
    /// The distinct factors of every link, by slot of a run's table of their values.
    pub factors: FactorTable,
}

/// The drivers of `[correlations]` and the Gaussian copula their uniforms go through.
#[derive(Debug, Clone)]
pub struct CorrelatedDrivers {
    /// Indices into [`Model::drivers`], in copula order (first appearance in a pair).
    pub drivers: Vec<usize>,
    /// The copula of the matrix the scenario resolved (stated or repaired).
    pub copula: Copula,
    /// The stated pairs with ρ ≠ 0, in file order: (first, second) indices into [`Model::drivers`]
    /// and the target Spearman the copula gives them (the repaired one when repaired).
    pub pairs: Vec<(usize, usize, f64)>,
}

/// A driver: drawn once per run from its own stream.
#[derive(Debug, Clone)]
pub struct DriverSpec {
    /// The driver's name.
    pub name: String,
    /// Its distribution, sampled by inverse CDF from one uniform per run.
    pub distribution: Distribution,
    /// The outcomes' names when categorical (the drawn value is the index).
    pub outcomes: Option<Vec<String>>,
    /// Its stream: ("driver", name).
    pub stream: StreamId,
}

/// A variable (DESIGN.md §2.4).
#[derive(Debug, Clone)]
pub struct VariableSpec {
    /// The variable's name.
    pub name: String,
    /// Its value at the start, drawn once per run.
    pub initial: Distribution,
    /// Lower bound (−∞ when absent).
    pub min: f64,
    /// Upper bound (+∞ when absent).
    pub max: f64,
    /// The level it drifts to when all links are 0.
    pub target: f64,
    /// Share of the gap to the target closed each month.
    pub speed: f64,
    /// Standard deviation of the monthly normal shock.
    pub noise: f64,
    /// Links added to the target.
    pub links: Links,
    /// Its stream: ("variable", name): the initial value, then one normal a month when noise > 0.
    pub stream: StreamId,
}

/// How an event fires.
#[derive(Debug, Clone)]
pub enum TriggerSpec {
    /// Monthly hazard σ(logit(p) + Σ links).
    Hazard {
        /// The base probability on the log-odds scale.
        hazard: Hazard,
        /// Links added on the log-odds scale.
        links: Links,
    },
    /// In month ⌊driver value⌋ (a month before the start fires in month 0).
    AtDriver(usize),
    /// In a fixed month since start.
    AtMonth(u32),
}

/// An event (DESIGN.md §2.5).
#[derive(Debug, Clone)]
pub struct EventSpec {
    /// The event's name.
    pub name: String,
    /// How it fires.
    pub trigger: TriggerSpec,
    /// Months active, counting the month it fires (≥ 1).
    pub duration: u32,
    /// Fires at most once.
    pub once: bool,
    /// (variable index, operation) in file order.
    pub effects: Vec<(usize, Operation)>,
    /// Its stream: ("event", name), one uniform a month for a hazard event.
    pub stream: StreamId,
}

/// A capability, position or salience.
#[derive(Debug, Clone)]
pub enum Amount {
    /// The same in every run.
    Fixed(f64),
    /// Drawn once per run.
    Drawn(Distribution),
    /// A variable's value, read when used.
    Variable(usize),
}

/// An actor.
#[derive(Debug, Clone)]
pub struct ActorSpec {
    /// The actor's name.
    pub name: String,
    /// Its capability (≥ 0).
    pub capability: Amount,
    /// Its stream: ("actor", name), for a drawn capability.
    pub stream: StreamId,
}

/// An actor's stake in an issue.
#[derive(Debug, Clone)]
pub struct StakeSpec {
    /// Index into `Model::actors`.
    pub actor: usize,
    /// Position on the issue's scale.
    pub position: Amount,
    /// Salience, 0–1.
    pub salience: Amount,
    /// The stake's stream (its drawn position, then its drawn salience).
    pub stream: StreamId,
}

/// An issue's agreement rule.
#[derive(Debug, Clone)]
pub struct AgreementSpec {
    /// Indices into the issue's stakes.
    pub parties: Vec<usize>,
    /// Largest spread of the parties' positions (scale points) at which it can fire.
    pub within: f64,
    /// The monthly base probability on the log-odds scale.
    pub hazard: Hazard,
    /// Links added on the log-odds scale.
    pub links: Links,
    /// Its stream: ("agreement", issue), one uniform a month.
    pub stream: StreamId,
}

/// An issue (DESIGN.md §2.6).
#[derive(Debug, Clone)]
pub struct IssueSpec {
    /// The issue's name.
    pub name: String,
    /// (low, high) ends of the position scale.
    pub scale: (f64, f64),
    /// How actors move each round.
    pub model: BargainingModel,
    /// Rounds in months 0, every, 2·every, …
    pub every: u32,
    /// The agreement rule, if any.
    pub agreement: Option<AgreementSpec>,
    /// The actors' stakes, in file order (the first listed wins BDM ties).
    pub stakes: Vec<StakeSpec>,
}

/// A population (DESIGN.md §2.7).
#[derive(Debug, Clone)]
pub struct PopulationSpec {
    /// The population's name.
    pub name: String,
    /// Persons it stands for, drawn once per run.
    pub persons: Distribution,
    /// Deciding agents (≥ 1).
    pub agents: usize,
    /// Agents at home at the start.
    pub at_home: usize,
    /// The threshold distribution's fast inverse CDF.
    pub threshold: Sampler,
    /// The threshold distribution itself.
    pub threshold_distribution: Distribution,
    /// Baseline pull home.
    pub utility: f64,
    /// Weight on the share at home.
    pub peer: f64,
    /// Standard deviation of each agent's monthly shock.
    pub noise: f64,
    /// Links added to the utility.
    pub links: Links,
    /// (event index, probability).
    pub flee: Option<(usize, f64)>,
    /// Persons, thresholds and who starts at home.
    pub setup_stream: StreamId,
    /// Monthly decisions and flights.
    pub monthly_stream: StreamId,
}

/// An outcome (DESIGN.md §2.8).
#[derive(Debug, Clone)]
pub struct OutcomeSpec {
    /// The outcome's name.
    pub name: String,
    /// Its title for tables and charts.
    pub title: String,
    /// Its description, if the file gives one.
    pub description: Option<String>,
    /// Its unit, if the file gives one.
    pub unit: Option<String>,
    /// The measure as written.
    pub text: String,
    /// The compiled measure.
    pub measure: Term,
    /// The month (since start) at whose end it is measured.
    pub month: u32,
    /// Also recorded at the end of every month.
    pub series: bool,
    /// 0/1, count, value or first time: how it is summarised and shown.
    pub kind: OutcomeKind,
    /// The compiled `given` condition: the outcome is undefined (NaN) where it is 0.
    pub given: Option<Term>,
    /// The `given` condition as written.
    pub given_text: Option<String>,
    /// What its values mean when it measures an issue's position (`settlement(i)`, `forecast(i)`)
    /// and the issue says what its ends mean.
    pub scale: Option<PositionScale>,
    /// `headline = true` in the file: shown in the summary.
    pub headline: bool,
    /// The measure is a share 0–1 (`home_share(p)`): tables show it as a percentage.
    pub share: bool,
}

/// An issue's position scale with the meanings of its ends (`low`, `high` in the file).
#[derive(Debug, Clone, PartialEq)]
pub struct PositionScale {
    /// The low end's position (0 unless `scale` says otherwise).
    pub low: f64,
    /// The high end's position (100 unless `scale` says otherwise).
    pub high: f64,
    /// What the low end means.
    pub low_means: String,
    /// What the high end means.
    pub high_means: String,
}

/// The position scale an outcome of `measure` is read on: the issue of a lone `settlement(i)` or
/// `forecast(i)` whose ends have meanings.
fn position_scale(measure: &scenario::Term, scenario: &Scenario) -> Option<PositionScale> {
    let [factor] = measure.factors.as_slice() else { return None };
    let issue = match factor {
        scenario::Factor::Call(
            scenario::term::Function::Settlement | scenario::term::Function::Forecast,
            name,
        ) => name,
        _ => return None,
    };
    let issue = scenario.issues.iter().find(|i| &i.name == issue)?;
    Some(PositionScale {
        low: issue.scale.0,
        high: issue.scale.1,
        low_means: issue.low.clone()?,
        high_means: issue.high.clone()?,
    })
}

/// Name → index tables of one scenario.
struct Names<'s> {
    drivers: HashMap<&'s str, usize>,
    variables: HashMap<&'s str, usize>,
    events: HashMap<&'s str, usize>,
    actors: HashMap<&'s str, usize>,
    issues: HashMap<&'s str, usize>,
    populations: HashMap<&'s str, usize>,
}

fn index<'s>(items: impl Iterator<Item = &'s str>) -> HashMap<&'s str, usize> {
    items.enumerate().map(|(i, name)| (name, i)).collect()
}

impl<'s> Names<'s> {
    fn new(scenario: &'s Scenario) -> Self {
        Names {
            drivers: index(scenario.drivers.iter().map(|d| d.name.as_str())),
            variables: index(scenario.variables.iter().map(|v| v.name.as_str())),
            events: index(scenario.events.iter().map(|e| e.name.as_str())),
            actors: index(scenario.actors.iter().map(|a| a.name.as_str())),
            issues: index(scenario.issues.iter().map(|i| i.name.as_str())),
            populations: index(scenario.populations.iter().map(|p| p.name.as_str())),
        }
    }

    fn find(table: &HashMap<&str, usize>, what: &'static str, name: &str) -> Result<usize, CompileError> {
        table.get(name).copied().ok_or_else(|| CompileError::Unknown { what, name: name.to_string() })
    }

    fn driver(&self, name: &str) -> Result<usize, CompileError> {
        Self::find(&self.drivers, "driver", name)
    }
    fn variable(&self, name: &str) -> Result<usize, CompileError> {
        Self::find(&self.variables, "variable", name)
    }
    fn event(&self, name: &str) -> Result<usize, CompileError> {
        Self::find(&self.events, "event", name)
    }
    fn actor(&self, name: &str) -> Result<usize, CompileError> {
        Self::find(&self.actors, "actor", name)
    }
    fn issue(&self, name: &str) -> Result<usize, CompileError> {
        Self::find(&self.issues, "issue", name)
    }
    fn population(&self, name: &str) -> Result<usize, CompileError> {
        Self::find(&self.populations, "population", name)
    }
    /// The index of a term function's argument, by the kind the function takes.
    fn argument(&self, argument: Argument, name: &str) -> Result<usize, CompileError> {
        match argument {
            Argument::Event | Argument::EventWindow => self.event(name),
            Argument::NumericDriver => self.driver(name),
            Argument::Issue | Argument::AgreedIssue => self.issue(name),
            Argument::Population => self.population(name),
        }
    }
}

impl Model {
    /// Compiles a validated scenario: names become indices, terms become factor lists, stream
    /// identities are hashed, threshold tables are built.
    pub fn compile(scenario: &Scenario) -> Result<Model, CompileError> {
        let names = Names::new(scenario);
        let horizon = scenario.meta.horizon.max(1);
        let compile_term = |term: &scenario::Term| compile_term(term, scenario, &names);
        let compile_links = |links: &[scenario::Link]| -> Result<Links, CompileError> {
            let links = links
                .iter()
                .map(|link| Ok((compile_term(&link.term)?, link.coefficient)))
                .collect::<Result<_, CompileError>>()?;
            Ok(Links::new(links))
        };
        let amount = |quantity: &Quantity| -> Result<Amount, CompileError> {
            Ok(match quantity {
                Quantity::Drawn(Distribution::Fixed(value)) => Amount::Fixed(*value),
                Quantity::Drawn(distribution) => Amount::Drawn(distribution.clone()),
                Quantity::Variable(name) => Amount::Variable(names.variable(name)?),
            })
        };

        let drivers = scenario
            .drivers
            .iter()
            .map(|d| DriverSpec {
                name: d.name.clone(),
                distribution: d.distribution.clone(),
                outcomes: match &d.distribution {
                    Distribution::Categorical(outcomes) => {
                        Some(outcomes.iter().map(|(n, _)| n.clone()).collect())
                    }
                    _ => None,
                },
                stream: Purpose::Driver.stream(&d.name),
            })
            .collect();

        let mut variables: Vec<VariableSpec> = scenario
            .variables
            .iter()
            .map(|v| {
                Ok(VariableSpec {
                    name: v.name.clone(),
                    initial: v.initial.clone(),
                    min: v.min,
                    max: v.max,
                    target: v.target,
                    speed: v.speed,
                    noise: v.noise,
                    links: compile_links(&v.links)?,
                    stream: Purpose::Variable.stream(&v.name),
                })
            })
            .collect::<Result<_, CompileError>>()?;

        let mut events: Vec<EventSpec> = scenario
            .events
            .iter()
            .map(|e| {
                let trigger = match &e.trigger {
                    scenario::Trigger::Hazard { probability, links } => TriggerSpec::Hazard {
                        hazard: Hazard::new(*probability),
                        links: compile_links(links)?,
                    },
                    scenario::Trigger::AtDriver(driver) => TriggerSpec::AtDriver(names.driver(driver)?),
                    scenario::Trigger::AtMonth(month) => TriggerSpec::AtMonth(*month),
                };
                let effects = e
                    .effects
                    .iter()
                    .map(|effect| Ok((names.variable(&effect.variable)?, effect.operation)))
                    .collect::<Result<_, CompileError>>()?;
                Ok(EventSpec {
                    name: e.name.clone(),
                    trigger,
                    duration: e.duration.max(1),
                    once: e.once,
                    effects,
                    stream: Purpose::Event.stream(&e.name),
                })
            })
            .collect::<Result<_, CompileError>>()?;

        let actors = scenario
            .actors
            .iter()
            .map(|a| {
                Ok(ActorSpec {
                    name: a.name.clone(),
                    capability: amount(&a.capability)?,
                    stream: Purpose::Actor.stream(&a.name),
                })
            })
            .collect::<Result<_, CompileError>>()?;

        let mut issues: Vec<IssueSpec> = scenario
            .issues
            .iter()
            .map(|issue| {
                let stakes: Vec<StakeSpec> = issue
                    .stakes
                    .iter()
                    .map(|stake| {
                        Ok(StakeSpec {
                            actor: names.actor(&stake.actor)?,
                            position: amount(&stake.position)?,
                            salience: amount(&stake.salience)?,
                            stream: Purpose::Stake.stream(&format!("{}.{}", issue.name, stake.actor)),
                        })
                    })
                    .collect::<Result<_, CompileError>>()?;
                let agreement = match &issue.agreement {
                    None => None,
                    Some(agreement) => {
                        let parties = agreement
                            .parties
                            .iter()
                            .map(|party| {
                                issue.stakes.iter().position(|s| &s.actor == party).ok_or_else(|| {
                                    CompileError::PartyWithoutStake {
                                        issue: issue.name.clone(),
                                        actor: party.clone(),
                                    }
                                })
                            })
                            .collect::<Result<_, CompileError>>()?;
                        Some(AgreementSpec {
                            parties,
                            within: agreement.within,
                            hazard: Hazard::new(agreement.probability),
                            links: compile_links(&agreement.links)?,
                            stream: Purpose::Agreement.stream(&issue.name),
                        })
                    }
                };
                let (low, high) = issue.scale;
                if !(low.is_finite() && high.is_finite() && low < high) {
                    return Err(CompileError::Invalid {
                        what: format!("issue `{}`", issue.name),
                        problem: format!("scale [{low}, {high}] must have low < high"),
                    });
                }
                Ok(IssueSpec {
                    name: issue.name.clone(),
                    scale: issue.scale,
                    model: issue.model,
                    every: issue.every.max(1),
                    agreement,
                    stakes,
                })
            })
            .collect::<Result<_, CompileError>>()?;

        let mut populations: Vec<PopulationSpec> = scenario
            .populations
            .iter()
            .map(|p| {
                let flee = match &p.flee {
                    None => None,
                    Some(flee) => Some((names.event(&flee.on)?, flee.probability)),
                };
                Ok(PopulationSpec {
                    name: p.name.clone(),
                    persons: p.persons.clone(),
                    agents: p.agents.max(1) as usize,
                    at_home: p.at_home.min(p.agents) as usize,
                    threshold: Sampler::new(&p.threshold),
                    threshold_distribution: p.threshold.clone(),
                    utility: p.utility,
                    peer: p.peer,
                    noise: p.noise,
                    links: compile_links(&p.links)?,
                    flee,
                    setup_stream: Purpose::Population.stream(&p.name),
                    monthly_stream: Purpose::Decision.stream(&p.name),
                })
            })
            .collect::<Result<_, CompileError>>()?;

        let outcomes = scenario
            .outcomes
            .iter()
            .map(|o| {
                Ok(OutcomeSpec {
                    name: o.name.clone(),
                    title: o.title.clone(),
                    description: o.about.description.clone(),
                    unit: o.about.unit.clone(),
                    text: o.text.clone(),
                    measure: compile_term(&o.measure)?,
                    month: o.at.unwrap_or(horizon - 1).min(horizon - 1),
                    series: o.series,
                    kind: outcome_kind(&o.measure, scenario),
                    given: o.given.as_ref().map(|g| compile_term(&g.term)).transpose()?,
                    given_text: o.given.as_ref().map(|g| g.text.clone()),
                    scale: position_scale(&o.measure, scenario),
                    headline: o.headline,
                    share: matches!(
                        o.measure.factors.as_slice(),
                        [scenario::Factor::Call(scenario::term::Function::HomeShare, _)]
                    ),
                })
            })
            .collect::<Result<_, CompileError>>()?;

        let correlations = &scenario.correlations;
        let correlated = if correlations.drivers.is_empty() {
            None
        } else {
            let drivers = correlations
                .drivers
                .iter()
                .map(|name| names.driver(name))
                .collect::<Result<Vec<_>, CompileError>>()?;
            let copula = Copula::new(&correlations.matrix, &correlations.drivers).map_err(|failed| {
                CompileError::Invalid {
                    what: "[correlations]".into(),
                    problem: format!("the matrix is not positive definite (row {})", failed.row),
                }
            })?;
            let pairs = correlations
                .pairs
                .iter()
                .filter(|p| p.spearman != 0.0)
                .map(|p| {
                    let target = correlations.get(&p.first, &p.second);
                    Ok((names.driver(&p.first)?, names.driver(&p.second)?, target))
                })
                .collect::<Result<Vec<_>, CompileError>>()?;
            Some(CorrelatedDrivers { drivers, copula, pairs })
        };
        let evidence = scenario
            .evidence
            .iter()
            .map(|e| {
                Ok(super::evidence::EvidenceSpec {
                    name: e.name.clone(),
                    text: e.text.clone(),
                    measure: compile_term(&e.observe)?,
                    month: e.at.or_else(|| window_end(&e.observe)).unwrap_or(horizon - 1).min(horizon - 1),
                    likelihood: match e.observation {
                        scenario::Observation::Equals(k) => super::evidence::Likelihood::Equals(k),
                        scenario::Observation::Normal { value, sd } => {
                            super::evidence::Likelihood::Normal { value, sd }
                        }
                    },
                    base_rate: e.base_rate.unwrap_or(0.5),
                })
            })
            .collect::<Result<_, CompileError>>()?;

        // Every link's factors get a slot in the table a run keeps current (`model::term`).
        let mut factors = FactorTable::default();
        let hazards = events.iter_mut().filter_map(|e| match &mut e.trigger {
            TriggerSpec::Hazard { links, .. } => Some(links),
            _ => None,
        });
        let agreements = issues.iter_mut().filter_map(|i| i.agreement.as_mut().map(|a| &mut a.links));
        for links in hazards
            .chain(variables.iter_mut().map(|v| &mut v.links))
            .chain(agreements)
            .chain(populations.iter_mut().map(|p| &mut p.links))
        {
            links.tabulate(&mut factors);
        }

        Ok(Model {
            name: scenario.meta.name.clone(),
            title: scenario.meta.title.clone(),
            start: scenario.meta.start,
            horizon,
            drivers,
            variables,
            events,
            actors,
            issues,
            populations,
            outcomes,
            correlated,
            evidence,
            factors,
        })
    }

    /// The largest number of stakes in one issue (scratch sizes).
    pub fn max_stakes(&self) -> usize {
        self.issues.iter().map(|i| i.stakes.len()).max().unwrap_or(0)
    }

    /// Outcomes recorded monthly, in file order.
    pub fn series_outcomes(&self) -> impl Iterator<Item = (usize, &OutcomeSpec)> {
        self.outcomes.iter().enumerate().filter(|(_, o)| o.series)
    }
}

/// The last month an evidence term can change in when every factor is a count over a window
/// (`count(e, 2, 28)`): it is observed then, not at the horizon (the value is the same; the date
/// said is the window's).
fn window_end(term: &scenario::Term) -> Option<u32> {
    term.factors
        .iter()
        .map(|factor| match factor {
            scenario::Factor::Within(_, _, window) => Some(window.to),
            _ => None,
        })
        .collect::<Option<Vec<u32>>>()
        .and_then(|ends| ends.into_iter().max())
}

/// The kind of an outcome measured by `term`.
fn outcome_kind(term: &scenario::Term, scenario: &Scenario) -> OutcomeKind {
    if term.is_indicator() {
        OutcomeKind::Indicator
    } else if !is_integer_valued(term, scenario) {
        OutcomeKind::Value
    } else if term.may_be_undefined() {
        OutcomeKind::FirstTime
    } else {
        OutcomeKind::Count
    }
}

/// True when every factor is a whole number in every run (indicators, counts, months, discrete
/// drivers).
fn is_integer_valued(term: &scenario::Term, scenario: &Scenario) -> bool {
    use scenario::Factor as F;
    term.factors.iter().all(|factor| match factor {
        F::Month => true,
        F::Call(function, _) | F::Within(function, _, _) => function.spec().value != OutcomeKind::Value,
        F::Driver(name) => scenario.drivers.iter().any(|d| &d.name == name && d.distribution.is_discrete()),
        other => other.is_indicator(),
    })
}

fn compile_term(term: &scenario::Term, scenario: &Scenario, names: &Names) -> Result<Term, CompileError> {
    use scenario::Factor as F;
    let factors = term
        .factors
        .iter()
        .map(|factor| {
            Ok(match factor {
                F::Driver(name) => Factor::Driver(names.driver(name)?),
                F::DriverIs { driver, outcome } => {
                    let index = names.driver(driver)?;
                    let outcome_index = scenario.drivers.get(index).and_then(|d| match &d.distribution {
                        Distribution::Categorical(outcomes) => {
                            outcomes.iter().position(|(n, _)| n == outcome)
                        }
                        _ => None,
                    });
                    let Some(outcome_index) = outcome_index else {
                        return Err(CompileError::NotAnOutcome {
                            driver: driver.clone(),
                            outcome: outcome.clone(),
                        });
                    };
                    Factor::DriverIs { driver: index, outcome: outcome_index }
                }
                F::Variable(name) => Factor::Variable(names.variable(name)?),
                F::Active(name) => Factor::Active(names.event(name)?),
                F::Call(function, name) => {
                    Factor::Call(*function, names.argument(function.spec().argument, name)?)
                }
                F::Within(function, name, window) => {
                    if window.from > window.to || window.to >= scenario.meta.horizon {
                        return Err(CompileError::Invalid {
                            what: format!("the term `{term}`"),
                            problem: format!(
                                "its window of months {} to {} is not within the horizon (months 0 to {})",
                                window.from,
                                window.to,
                                scenario.meta.horizon.saturating_sub(1)
                            ),
                        });
                    }
                    Factor::Within(*function, names.argument(function.spec().argument, name)?, *window)
                }
                F::Month => Factor::Month,
            })
        })
        .collect::<Result<Vec<_>, CompileError>>()?;
    if factors.is_empty() {
        return Err(CompileError::Invalid { what: "a term".into(), problem: "has no factors".into() });
    }
    Ok(Term { factors })
}
