//! One run's world: the state of every driver, variable, event, issue and population, advanced
//! month by month in the order of DESIGN.md §3.
//!
//! A `World` is allocated once per chunk of runs and reset by [`World::begin`]; the step loop only
//! reads indices and writes into preallocated buffers.

use super::bargaining::{BdmScratch, bdm_round, compromise_round, forecast};
use super::compile::{Amount, Model, TriggerSpec};
use super::population::Agents;
use super::term::{FactorValues, Links, Source};
use crate::engine::stream::Stream;
use crate::scenario::{self, BargainingModel, Operation, Scenario};

/// Everything terms can read: the state of one run at one moment.
#[derive(Debug, Clone)]
pub struct State {
    /// Months since start of the month being simulated (or last simulated).
    pub month: u32,
    /// Each driver's value this run (a categorical driver's outcome index).
    pub drivers: Vec<f64>,
    /// Each variable's current value.
    pub variables: Vec<f64>,
    /// Each event's history.
    pub events: Vec<EventState>,
    /// Each actor's drawn or fixed capability (NaN when read from a variable).
    pub capabilities: Vec<f64>,
    /// Each issue's bargaining.
    pub issues: Vec<IssueState>,
    /// Each population's agents.
    pub populations: Vec<PopulationState>,
}

/// One event's history in a run.
#[derive(Debug, Clone, Default)]
pub struct EventState {
    /// The month a scheduled event fires (none: never in this run, or a hazard event).
    pub scheduled: Option<u32>,
    /// Active while month < `active_until` (after it has fired).
    pub active_until: u32,
    /// Times fired.
    pub count: u32,
    /// Month of the first firing.
    pub first: Option<u32>,
    /// Fired in the current month.
    pub fired: bool,
    /// The months it fired in (for windowed terms, `count(e, from, to)`).
    pub months: FiringMonths,
}

/// The months in which an event fired this run: one bit a month since start, so a window's count
/// is a few popcounts. Allocated with the world (`horizon` bits) and cleared for each run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FiringMonths {
    words: Vec<u64>,
}

impl FiringMonths {
    /// No firing yet, room for months 0 to `horizon − 1`.
    pub fn new(horizon: u32) -> Self {
        FiringMonths { words: vec![0; horizon.div_ceil(64) as usize] }
    }

    /// Forgets every firing.
    fn clear(&mut self) {
        self.words.fill(0);
    }

    /// Notes a firing in `month` (a month beyond the horizon is not kept).
    #[inline]
    fn insert(&mut self, month: u32) {
        if let Some(word) = self.words.get_mut((month / 64) as usize) {
            *word |= 1 << (month % 64);
        }
    }

    /// How many of the months `from` to `to` (both included) saw a firing; 0 when `from > to`.
    #[inline]
    pub fn count(&self, from: u32, to: u32) -> u32 {
        if from > to {
            return 0;
        }
        let (first, last) = (from / 64, to / 64);
        let mut total = 0;
        for (k, word) in (first..=last).zip(self.words.iter().skip(first as usize)) {
            let mut bits = *word;
            if k == first {
                bits &= u64::MAX << (from % 64);
            }
            if k == last {
                bits &= u64::MAX >> (63 - to % 64);
            }
            total += bits.count_ones();
        }
        total
    }
}

impl EventState {
    /// True in the month the event fires and the `duration − 1` months after.
    #[inline]
    pub fn is_active(&self, month: u32) -> bool {
        self.count > 0 && month < self.active_until
    }
}

/// One issue's bargaining in a run.
#[derive(Debug, Clone, Default)]
pub struct IssueState {
    /// Each stake's current position, on the issue's scale.
    pub positions: Vec<f64>,
    /// Each stake's drawn or fixed salience (a variable-bound salience is read each round).
    pub saliences: Vec<f64>,
    /// R = max − min position at the first round.
    pub range: Option<f64>,
    /// Σ c·s·x / Σ c·s after the last round (before the first: at the initial positions).
    pub forecast: f64,
    /// True once agreed: bargaining has stopped.
    pub agreed: bool,
    /// The agreed position; 0 while not agreed.
    pub settlement: f64,
}

/// One population in a run.
#[derive(Debug, Clone, Default)]
pub struct PopulationState {
    /// The agents, sorted by threshold.
    pub agents: Agents,
    /// Persons the population stands for this run.
    pub persons: f64,
}

impl PopulationState {
    /// Persons at home: agents at home × persons per agent.
    #[inline]
    pub fn persons_at_home(&self) -> f64 {
        if self.agents.is_empty() {
            0.0
        } else {
            self.agents.at_home() as f64 * self.persons / self.agents.len() as f64
        }
    }

    /// Share of agents at home, 0–1.
    #[inline]
    pub fn home_share(&self) -> f64 {
        if self.agents.is_empty() { 0.0 } else { self.agents.at_home() as f64 / self.agents.len() as f64 }
    }
}

/// Where one run's recorded values go: slices of the engine's chunk buffers.
#[derive(Debug)]
pub struct RunValues<'a> {
    /// One per driver (categorical: the outcome index).
    pub drivers: &'a mut [f64],
    /// One per outcome; NaN where undefined (`first` of an event that never fired).
    pub outcomes: &'a mut [f64],
    /// Series outcomes in file order, each `horizon` months long; NaN where undefined.
    pub series: &'a mut [f64],
    /// One per evidence item: its term's value at its month; NaN where undefined.
    pub evidence: &'a mut [f64],
}

/// Where a run's arithmetic left the finite numbers (a NaN or ∞ from finite inputs: products of
/// large terms, ∞ − ∞ in a sum). Indices are file order, as in the [`Model`] and the scenario;
/// `link` is the position in the owner's `links` where the running sum stopped being finite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// A hazard event's links.
    EventLink {
        /// The event.
        event: usize,
        /// The link.
        link: usize,
    },
    /// An event's effect on a variable.
    Effect {
        /// The event.
        event: usize,
        /// The variable changed.
        variable: usize,
    },
    /// A variable's links.
    VariableLink {
        /// The variable.
        variable: usize,
        /// The link.
        link: usize,
    },
    /// A variable's monthly update x + speed·(target + Σ links − x) + noise·ε.
    Variable(usize),
    /// An issue's bargaining round (positions or forecast).
    Bargaining(usize),
    /// An issue's agreement links.
    AgreementLink {
        /// The issue.
        issue: usize,
        /// The link.
        link: usize,
    },
    /// A population's links.
    PopulationLink {
        /// The population.
        population: usize,
        /// The link.
        link: usize,
    },
    /// A population's utility of returning (utility + Σ links + peer · home share).
    Utility(usize),
    /// An outcome's measure.
    Outcome(usize),
    /// An evidence item's observed term.
    Evidence(usize),
}

/// A run stopped because a value stopped being finite: where and in which month (since start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// What was being computed.
    pub site: Site,
    /// The month being simulated.
    pub month: u32,
}

impl Site {
    /// The site in the scenario's words, e.g. "link `a * b` of variable `tension`".
    pub fn describe(self, scenario: &Scenario) -> String {
        let link = |links: &[scenario::Link], k: usize, owner: String| match links.get(k) {
            Some(link) => format!("the link `{}` = {} of {owner}", link.text, link.coefficient),
            None => format!("the links of {owner}"),
        };
        let name = |names: &[&str], i: usize| names.get(i).copied().unwrap_or("?").to_string();
        let variables: Vec<&str> = scenario.variables.iter().map(|v| v.name.as_str()).collect();
        let events: Vec<&str> = scenario.events.iter().map(|e| e.name.as_str()).collect();
        match self {
            Site::EventLink { event, link: k } => {
                let links = match scenario.events.get(event).map(|e| &e.trigger) {
                    Some(scenario::Trigger::Hazard { links, .. }) => links.as_slice(),
                    _ => &[],
                };
                link(links, k, format!("event `{}`", name(&events, event)))
            }
            Site::Effect { event, variable } => format!(
                "the effect of event `{}` on variable `{}`",
                name(&events, event),
                name(&variables, variable)
            ),
            Site::VariableLink { variable, link: k } => {
                let links = scenario.variables.get(variable).map_or(&[][..], |v| &v.links);
                link(links, k, format!("variable `{}`", name(&variables, variable)))
            }
            Site::Variable(v) => format!(
                "the update of variable `{}` (x + speed·(target + links − x) + noise·ε)",
                name(&variables, v)
            ),
            Site::Bargaining(i) => match scenario.issues.get(i) {
                Some(issue) => format!("the bargaining over issue `{}` (positions or forecast)", issue.name),
                None => "an issue's bargaining".into(),
            },
            Site::AgreementLink { issue, link: k } => match scenario.issues.get(issue) {
                Some(i) => {
                    let links = i.agreement.as_ref().map_or(&[][..], |a| &a.links);
                    link(links, k, format!("the agreement of issue `{}`", i.name))
                }
                None => "an agreement's links".into(),
            },
            Site::PopulationLink { population, link: k } => match scenario.populations.get(population) {
                Some(p) => link(&p.links, k, format!("population `{}`", p.name)),
                None => "a population's links".into(),
            },
            Site::Utility(p) => match scenario.populations.get(p) {
                Some(p) => format!(
                    "the utility of returning of population `{}` (utility + links + peer · share)",
                    p.name
                ),
                None => "a population's utility".into(),
            },
            Site::Outcome(o) => match scenario.outcomes.get(o) {
                Some(o) => format!("the measure `{}` of outcome `{}`", o.text, o.name),
                None => "an outcome's measure".into(),
            },
            Site::Evidence(e) => match scenario.evidence.get(e) {
                Some(e) => format!("the observed term `{}` of evidence `{}`", e.text, e.name),
                None => "an evidence item's term".into(),
            },
        }
    }
}

/// The position of the link where the running sum of `links` stops being finite (the last link
/// when only the total does).
fn non_finite_link(links: &Links, state: &State) -> usize {
    let mut sum = 0.0;
    for (k, (term, coefficient)) in links.links.iter().enumerate() {
        sum += coefficient * term.value(state).unwrap_or(0.0);
        if !sum.is_finite() {
            return k;
        }
    }
    links.links.len().saturating_sub(1)
}

/// One run of the model.
#[derive(Debug, Clone)]
pub struct World<'m> {
    model: &'m Model,
    state: State,
    /// The values of the links' factors in `state` (`Model::factors`), refreshed after every
    /// change of what they read.
    factors: FactorValues,
    /// The first non-finite value of the run, if any: the run stops at the end of that month.
    fault: Option<Fault>,
    variable_streams: Vec<Stream>,
    event_streams: Vec<Stream>,
    /// One per issue; `None` for an issue without an agreement rule.
    agreement_streams: Vec<Option<Stream>>,
    decision_streams: Vec<Stream>,
    scratch: Scratch,
}

/// Buffers reused every month.
#[derive(Debug, Clone, Default)]
struct Scratch {
    fire: Vec<bool>,
    next_variables: Vec<f64>,
    capabilities: Vec<f64>,
    saliences: Vec<f64>,
    next_positions: Vec<f64>,
    bdm: BdmScratch,
    agree: Vec<bool>,
    utilities: Vec<f64>,
    /// The correlated drivers' uniforms and normals (copula order), when `[correlations]` has any.
    copula_uniforms: Vec<f64>,
    copula_normals: Vec<f64>,
}

/// `x` limited to [min, max] without panicking on odd bounds (NaN bounds are ignored).
#[inline]
fn bound(x: f64, min: f64, max: f64) -> f64 {
    x.max(min).min(max)
}

impl<'m> World<'m> {
    /// A world for `model`, with every buffer allocated. Call [`World::begin`] before stepping.
    pub fn new(model: &'m Model) -> Self {
        let placeholder = |id| Stream::new(0, 0, id);
        let stakes = model.max_stakes();
        World {
            model,
            fault: None,
            factors: model.factors.values(),
            state: State {
                month: 0,
                drivers: vec![0.0; model.drivers.len()],
                variables: vec![0.0; model.variables.len()],
                events: vec![
                    EventState { months: FiringMonths::new(model.horizon), ..EventState::default() };
                    model.events.len()
                ],
                capabilities: vec![0.0; model.actors.len()],
                issues: model
                    .issues
                    .iter()
                    .map(|i| IssueState {
                        positions: vec![0.0; i.stakes.len()],
                        saliences: vec![0.0; i.stakes.len()],
                        ..IssueState::default()
                    })
                    .collect(),
                populations: model
                    .populations
                    .iter()
                    .map(|p| PopulationState { agents: Agents::new(p.agents), persons: 0.0 })
                    .collect(),
            },
            variable_streams: model.variables.iter().map(|v| placeholder(v.stream)).collect(),
            event_streams: model.events.iter().map(|e| placeholder(e.stream)).collect(),
            agreement_streams: model
                .issues
                .iter()
                .map(|i| i.agreement.as_ref().map(|a| placeholder(a.stream)))
                .collect(),
            decision_streams: model.populations.iter().map(|p| placeholder(p.monthly_stream)).collect(),
            scratch: Scratch {
                fire: vec![false; model.events.len()],
                next_variables: vec![0.0; model.variables.len()],
                capabilities: vec![0.0; stakes],
                saliences: vec![0.0; stakes],
                next_positions: vec![0.0; stakes],
                bdm: BdmScratch::new(stakes),
                agree: vec![false; model.issues.len()],
                utilities: vec![0.0; model.populations.len()],
                copula_uniforms: vec![0.0; model.correlated.as_ref().map_or(0, |c| c.drivers.len())],
                copula_normals: vec![0.0; model.correlated.as_ref().map_or(0, |c| c.drivers.len())],
            },
        }
    }

    /// The current state.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Starts run `run` under `seed`: draws the drivers, initial values, drawn capabilities,
    /// positions and saliences, persons and thresholds; month 0 is next.
    pub fn begin(&mut self, seed: u64, run: u64) {
        let model = self.model;
        let state = &mut self.state;
        state.month = 0;
        self.fault = None;
        match &model.correlated {
            None => {
                for (value, driver) in state.drivers.iter_mut().zip(&model.drivers) {
                    *value = driver.distribution.quantile(Stream::new(seed, run, driver.stream).uniform());
                }
            }
            Some(correlated) => {
                // Every driver's uniform from its own stream, the correlated ones through the
                // copula, then each through its quantile function (`model::copula`).
                for (value, driver) in state.drivers.iter_mut().zip(&model.drivers) {
                    *value = Stream::new(seed, run, driver.stream).uniform();
                }
                let uniforms = &mut self.scratch.copula_uniforms;
                for (u, &d) in uniforms.iter_mut().zip(&correlated.drivers) {
                    *u = state.drivers[d];
                }
                correlated.copula.apply(seed, run, uniforms, &mut self.scratch.copula_normals);
                for (&u, &d) in uniforms.iter().zip(&correlated.drivers) {
                    state.drivers[d] = u;
                }
                for (value, driver) in state.drivers.iter_mut().zip(&model.drivers) {
                    *value = driver.distribution.quantile(*value);
                }
            }
        }
        for ((value, stream), variable) in
            state.variables.iter_mut().zip(&mut self.variable_streams).zip(&model.variables)
        {
            *stream = Stream::new(seed, run, variable.stream);
            *value = bound(variable.initial.quantile(stream.uniform()), variable.min, variable.max);
        }
        for ((event, stream), spec) in state.events.iter_mut().zip(&mut self.event_streams).zip(&model.events)
        {
            *stream = Stream::new(seed, run, spec.stream);
            let scheduled = match spec.trigger {
                TriggerSpec::Hazard { .. } => None,
                TriggerSpec::AtMonth(month) => Some(month),
                TriggerSpec::AtDriver(driver) => {
                    let month = state.drivers.get(driver).copied().unwrap_or(f64::NAN).floor();
                    // A month before the start is overdue: it fires in month 0.
                    (month < f64::from(model.horizon)).then(|| month.max(0.0) as u32)
                }
            };
            let mut months = std::mem::take(&mut event.months);
            months.clear();
            *event = EventState { scheduled, months, ..EventState::default() };
        }
        for (capability, actor) in state.capabilities.iter_mut().zip(&model.actors) {
            *capability = match &actor.capability {
                Amount::Fixed(value) => *value,
                Amount::Drawn(distribution) => {
                    distribution.quantile(Stream::new(seed, run, actor.stream).uniform())
                }
                Amount::Variable(_) => f64::NAN,
            };
        }
        for (issue, spec) in state.issues.iter_mut().zip(&model.issues) {
            let (low, high) = spec.scale;
            for ((position, salience), stake) in
                issue.positions.iter_mut().zip(&mut issue.saliences).zip(&spec.stakes)
            {
                let mut stream = Stream::new(seed, run, stake.stream);
                let (u_position, u_salience) = (stream.uniform(), stream.uniform());
                *position = bound(
                    match &stake.position {
                        Amount::Fixed(value) => *value,
                        Amount::Drawn(distribution) => distribution.quantile(u_position),
                        Amount::Variable(v) => state.variables.get(*v).copied().unwrap_or(low),
                    },
                    low,
                    high,
                );
                *salience = bound(
                    match &stake.salience {
                        Amount::Fixed(value) => *value,
                        Amount::Drawn(distribution) => distribution.quantile(u_salience),
                        Amount::Variable(_) => f64::NAN,
                    },
                    0.0,
                    1.0,
                );
            }
            issue.range = None;
            issue.agreed = false;
            issue.settlement = 0.0;
        }
        for (stream, spec) in self.agreement_streams.iter_mut().zip(&model.issues) {
            if let (Some(stream), Some(agreement)) = (stream, &spec.agreement) {
                *stream = Stream::new(seed, run, agreement.stream);
            }
        }
        for i in 0..model.issues.len() {
            let n = self.gather_stakes(i);
            let scratch = &self.scratch;
            if let Some(issue) = self.state.issues.get_mut(i) {
                issue.forecast =
                    forecast(&scratch.capabilities[..n], &scratch.saliences[..n], &issue.positions);
            }
        }
        for ((population, stream), spec) in
            self.state.populations.iter_mut().zip(&mut self.decision_streams).zip(&model.populations)
        {
            let mut setup = Stream::new(seed, run, spec.setup_stream);
            population.persons = spec.persons.quantile(setup.uniform()).max(0.0);
            population.agents.reset(&spec.threshold, spec.at_home, &mut setup);
            *stream = Stream::new(seed, run, spec.monthly_stream);
        }
        model.factors.refresh_all(&mut self.factors, &self.state);
    }

    /// Simulates month `self.state.month` (DESIGN.md §3): events, variables, bargaining and
    /// agreements, populations. Terms read the state left by the previous steps of the month;
    /// within a step every item is updated simultaneously from the same state.
    pub fn step(&mut self) {
        self.step_events();
        self.step_variables();
        self.step_issues();
        self.step_populations();
    }

    /// The first value of this run that stopped being finite, if any.
    pub fn fault(&self) -> Option<Fault> {
        self.fault
    }

    /// Notes the first non-finite value of the run.
    #[cold]
    fn fail(&mut self, site: Site) {
        if self.fault.is_none() {
            self.fault = Some(Fault { site, month: self.state.month });
        }
    }

    /// Runs `begin`, then every month, recording drivers, outcomes and series into `out`. Stops
    /// at the end of the first month where a value stops being finite and returns where: such a
    /// run has no honest values (`first(...)` of an event that never fired is not a fault; it is
    /// recorded as NaN, the undefined marker).
    pub fn simulate(&mut self, seed: u64, run: u64, out: RunValues) -> Result<(), Fault> {
        let model = self.model;
        self.begin(seed, run);
        for (slot, value) in out.drivers.iter_mut().zip(&self.state.drivers) {
            *slot = *value;
        }
        let horizon = model.horizon as usize;
        for month in 0..model.horizon {
            self.state.month = month;
            self.step();
            if let Some(fault) = self.fault {
                return Err(fault);
            }
            let mut series = out.series.chunks_exact_mut(horizon);
            for (index, (outcome, slot)) in model.outcomes.iter().zip(out.outcomes.iter_mut()).enumerate() {
                let value = if outcome.series || outcome.month == month {
                    // Outside its `given` condition an outcome is undefined, like a `first(...)`
                    // whose event has not happened.
                    let holds =
                        outcome.given.as_ref().is_none_or(|g| g.value(&self.state).is_some_and(|v| v > 0.5));
                    match outcome.measure.value(&self.state) {
                        _ if !holds => f64::NAN,
                        Some(value) if !value.is_finite() => {
                            return Err(Fault { site: Site::Outcome(index), month });
                        }
                        Some(value) => value,
                        None => f64::NAN,
                    }
                } else {
                    continue;
                };
                if outcome.month == month {
                    *slot = value;
                }
                if outcome.series
                    && let Some(row) = series.next()
                    && let Some(cell) = row.get_mut(month as usize)
                {
                    *cell = value;
                }
            }
            for (index, (item, slot)) in model.evidence.iter().zip(out.evidence.iter_mut()).enumerate() {
                if item.month != month {
                    continue;
                }
                *slot = match item.measure.value(&self.state) {
                    Some(value) if !value.is_finite() => {
                        return Err(Fault { site: Site::Evidence(index), month });
                    }
                    Some(value) => value,
                    None => f64::NAN,
                };
            }
        }
        Ok(())
    }

    /// Step 1: scheduled events fire, then hazard events draw (seeing the scheduled ones), then the
    /// effects of everything that fired apply in file order.
    fn step_events(&mut self) {
        let model = self.model;
        let month = self.state.month;
        for event in &mut self.state.events {
            event.fired = false;
        }
        for (event, spec) in self.state.events.iter_mut().zip(&model.events) {
            if event.scheduled == Some(month) && !(spec.once && event.count > 0) {
                fire(event, month, spec.duration);
            }
        }
        // A new month: the month, `after(d)` and which events are active, besides those fired.
        model.factors.refresh(Source::Events, &mut self.factors, &self.state);
        // Hazards: one uniform per event per month whatever happens, so that a changed
        // probability elsewhere never shifts this stream.
        for (i, spec) in model.events.iter().enumerate() {
            let TriggerSpec::Hazard { hazard, links } = &spec.trigger else { continue };
            let u = self.event_streams[i].uniform();
            let event = &self.state.events[i];
            let spent = spec.once && event.count > 0;
            let eligible = !spent && !event.is_active(month);
            let shift = links.sum(&self.state, &self.factors);
            if !shift.is_finite() {
                let link = non_finite_link(links, &self.state);
                self.fail(Site::EventLink { event: i, link });
            }
            self.scratch.fire[i] = eligible && u < hazard.probability(shift);
        }
        let mut fired = false;
        for (i, spec) in model.events.iter().enumerate() {
            if matches!(spec.trigger, TriggerSpec::Hazard { .. }) && self.scratch.fire[i] {
                fire(&mut self.state.events[i], month, spec.duration);
                fired = true;
            }
        }
        if fired {
            model.factors.refresh(Source::Events, &mut self.factors, &self.state);
        }
        let mut overflow = None;
        let mut changed_variables = false;
        for (e, (event, spec)) in self.state.events.iter().zip(&model.events).enumerate() {
            if !event.fired {
                continue;
            }
            changed_variables |= !spec.effects.is_empty();
            for &(v, operation) in &spec.effects {
                let (Some(value), Some(variable)) = (self.state.variables.get_mut(v), model.variables.get(v))
                else {
                    continue;
                };
                let changed = match operation {
                    Operation::Set(x) => x,
                    Operation::Add(x) => *value + x,
                    Operation::Mul(x) => *value * x,
                };
                if !changed.is_finite() {
                    overflow = overflow.or(Some(Site::Effect { event: e, variable: v }));
                }
                *value = bound(changed, variable.min, variable.max);
            }
        }
        if changed_variables {
            model.factors.refresh(Source::Variables, &mut self.factors, &self.state);
        }
        if let Some(site) = overflow {
            self.fail(site);
        }
    }

    /// Step 2: x ← clamp(x + speed·(target + Σ links − x) + noise·ε), all from the same state.
    fn step_variables(&mut self) {
        let model = self.model;
        for (i, spec) in model.variables.iter().enumerate() {
            let x = self.state.variables[i];
            let sum = spec.links.sum(&self.state, &self.factors);
            let drift = spec.target + sum;
            let shock = if spec.noise > 0.0 { spec.noise * self.variable_streams[i].normal() } else { 0.0 };
            let next = x + spec.speed * (drift - x) + shock;
            if !next.is_finite() {
                if sum.is_finite() {
                    self.fail(Site::Variable(i));
                } else {
                    let link = non_finite_link(&spec.links, &self.state);
                    self.fail(Site::VariableLink { variable: i, link });
                }
            }
            self.scratch.next_variables[i] = bound(next, spec.min, spec.max);
        }
        std::mem::swap(&mut self.state.variables, &mut self.scratch.next_variables);
        model.factors.refresh(Source::Variables, &mut self.factors, &self.state);
    }

    /// Step 3: rounds on issues that bargain this month, then agreements.
    fn step_issues(&mut self) {
        let model = self.model;
        let month = self.state.month;
        let mut bargained = false;
        for (i, spec) in model.issues.iter().enumerate() {
            if self.state.issues[i].agreed || !month.is_multiple_of(spec.every) {
                continue;
            }
            bargained = true;
            let n = self.gather_stakes(i);
            let Scratch { capabilities, saliences, next_positions, bdm, .. } = &mut self.scratch;
            let (c, s, next) = (&capabilities[..n], &saliences[..n], &mut next_positions[..n]);
            let issue = &mut self.state.issues[i];
            let range = *issue.range.get_or_insert_with(|| {
                let (lo, hi) = issue
                    .positions
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
                if hi >= lo { hi - lo } else { 0.0 }
            });
            match spec.model {
                BargainingModel::Bdm => bdm_round(c, s, &issue.positions, range, next, bdm),
                BargainingModel::Compromise { concession } => {
                    compromise_round(c, s, &issue.positions, concession, next)
                }
            }
            let (low, high) = spec.scale;
            for (position, new) in issue.positions.iter_mut().zip(next.iter()) {
                *position = bound(*new, low, high);
            }
            issue.forecast = forecast(c, s, &issue.positions);
            let overflow = !issue.forecast.is_finite() || next.iter().any(|x| !x.is_finite());
            if overflow {
                self.fail(Site::Bargaining(i));
            }
        }
        if bargained {
            model.factors.refresh(Source::Issues, &mut self.factors, &self.state);
        }
        // Agreements: one uniform per issue per month, all drawn from the state after the rounds.
        for (i, spec) in model.issues.iter().enumerate() {
            self.scratch.agree[i] = false;
            let (Some(agreement), Some(stream)) = (&spec.agreement, &mut self.agreement_streams[i]) else {
                continue;
            };
            let u = stream.uniform();
            let issue = &self.state.issues[i];
            if issue.agreed {
                continue;
            }
            let (lo, hi) = agreement
                .parties
                .iter()
                .filter_map(|&k| issue.positions.get(k))
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
            if hi - lo <= agreement.within {
                let shift = agreement.links.sum(&self.state, &self.factors);
                if !shift.is_finite() {
                    let link = non_finite_link(&agreement.links, &self.state);
                    self.fail(Site::AgreementLink { issue: i, link });
                }
                self.scratch.agree[i] = u < agreement.hazard.probability(shift);
            }
        }
        let mut agreed = false;
        for (issue, agree) in self.state.issues.iter_mut().zip(&self.scratch.agree) {
            if *agree {
                issue.agreed = true;
                issue.settlement = issue.forecast;
                agreed = true;
            }
        }
        if agreed {
            model.factors.refresh(Source::Issues, &mut self.factors, &self.state);
        }
    }

    /// Step 4: flights, then every population decides from the state after all flights.
    fn step_populations(&mut self) {
        let model = self.model;
        let mut fled = false;
        for (i, spec) in model.populations.iter().enumerate() {
            if let Some((event, probability)) = spec.flee
                && self.state.events.get(event).is_some_and(|e| e.fired)
            {
                self.state.populations[i].agents.flee(probability, &mut self.decision_streams[i]);
                fled = true;
            }
        }
        if fled {
            model.factors.refresh(Source::Populations, &mut self.factors, &self.state);
        }
        for (i, spec) in model.populations.iter().enumerate() {
            let share = self.state.populations[i].home_share();
            let sum = spec.links.sum(&self.state, &self.factors);
            let utility = spec.utility + sum + spec.peer * share;
            if !utility.is_finite() {
                if sum.is_finite() {
                    self.fail(Site::Utility(i));
                } else {
                    let link = non_finite_link(&spec.links, &self.state);
                    self.fail(Site::PopulationLink { population: i, link });
                }
            }
            self.scratch.utilities[i] = utility;
        }
        for (i, spec) in model.populations.iter().enumerate() {
            let utility = self.scratch.utilities[i];
            self.state.populations[i].agents.decide(utility, spec.noise, &mut self.decision_streams[i]);
        }
        model.factors.refresh(Source::Populations, &mut self.factors, &self.state);
    }

    /// Fills the scratch capabilities and saliences of issue `i`'s stakes (reading variables where
    /// bound to one) and re-reads variable-bound positions. Returns the number of stakes.
    fn gather_stakes(&mut self, i: usize) -> usize {
        let model = self.model;
        let Some(spec) = model.issues.get(i) else { return 0 };
        let state = &mut self.state;
        let Some(issue) = state.issues.get_mut(i) else { return 0 };
        let (low, high) = spec.scale;
        let read = |v: usize| state.variables.get(v).copied().unwrap_or(0.0);
        for (k, stake) in spec.stakes.iter().enumerate() {
            let capability = match model.actors.get(stake.actor).map(|a| &a.capability) {
                Some(Amount::Variable(v)) => read(*v),
                _ => state.capabilities.get(stake.actor).copied().unwrap_or(0.0),
            };
            self.scratch.capabilities[k] = capability.max(0.0);
            self.scratch.saliences[k] = match stake.salience {
                Amount::Variable(v) => bound(read(v), 0.0, 1.0),
                _ => issue.saliences[k],
            };
            if let Amount::Variable(v) = stake.position {
                issue.positions[k] = bound(read(v), low, high);
            }
        }
        spec.stakes.len()
    }
}

fn fire(event: &mut EventState, month: u32, duration: u32) {
    event.fired = true;
    event.count += 1;
    event.first.get_or_insert(month);
    event.months.insert(month);
    event.active_until = month.saturating_add(duration);
}
