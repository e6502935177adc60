//! Small builders of `Scenario` values for tests (the loader builds them from files).

use crate::engine::{self, Settings, Simulation};
use crate::model::Model;
use crate::scenario::*;

pub fn scenario(horizon: u32) -> Scenario {
    Scenario {
        meta: Meta {
            name: "test".into(),
            title: "Test".into(),
            description: None,
            start: YearMonth { year: 2024, month: 1 },
            horizon,
            runs: 100,
            seed: 1,
        },
        drivers: vec![],
        variables: vec![],
        events: vec![],
        actors: vec![],
        issues: vec![],
        populations: vec![],
        outcomes: vec![],
        correlations: Correlations::default(),
        evidence: vec![],
        experiment: None,
    }
}

pub fn driver(name: &str, distribution: Distribution) -> Driver {
    Driver { name: name.into(), about: About::default(), distribution }
}

pub fn term(factors: Vec<Factor>) -> Term {
    Term { factors }
}

pub fn link(factors: Vec<Factor>, coefficient: f64) -> Link {
    let term = term(factors);
    Link { text: term.to_string(), term, coefficient }
}

pub fn variable(name: &str, initial: f64, target: f64, speed: f64, noise: f64) -> Variable {
    Variable {
        name: name.into(),
        about: About::default(),
        initial: Distribution::Fixed(initial),
        min: f64::NEG_INFINITY,
        max: f64::INFINITY,
        target,
        speed,
        noise,
        links: vec![],
    }
}

pub fn hazard(name: &str, probability: f64) -> Event {
    Event {
        name: name.into(),
        about: About::default(),
        trigger: Trigger::Hazard { probability, links: vec![] },
        duration: 1,
        once: false,
        effects: vec![],
    }
}

pub fn scheduled(name: &str, driver: &str) -> Event {
    Event { trigger: Trigger::AtDriver(driver.into()), ..hazard(name, 0.0) }
}

pub fn actor(name: &str, capability: f64) -> Actor {
    Actor {
        name: name.into(),
        about: About::default(),
        capability: Quantity::Drawn(Distribution::Fixed(capability)),
    }
}

pub fn stake(actor: &str, position: f64, salience: f64) -> Stake {
    Stake {
        actor: actor.into(),
        position: Quantity::Drawn(Distribution::Fixed(position)),
        salience: Quantity::Drawn(Distribution::Fixed(salience)),
    }
}

pub fn issue(name: &str, model: BargainingModel, every: u32, stakes: Vec<Stake>) -> Issue {
    Issue {
        name: name.into(),
        about: About::default(),
        low: None,
        high: None,
        scale: (0.0, 100.0),
        model,
        every,
        agreement: None,
        stakes,
    }
}

pub fn population(
    name: &str,
    agents: u32,
    threshold: Distribution,
    utility: f64,
    peer: f64,
    noise: f64,
) -> Population {
    Population {
        name: name.into(),
        about: About::default(),
        persons: Distribution::Fixed(f64::from(agents) * 10.0),
        agents,
        at_home: 0,
        threshold,
        utility,
        peer,
        noise,
        links: vec![],
        flee: None,
    }
}

pub fn outcome(name: &str, factors: Vec<Factor>, series: bool) -> Outcome {
    let measure = term(factors);
    Outcome {
        name: name.into(),
        title: name.into(),
        about: About::default(),
        text: measure.to_string(),
        measure,
        at: None,
        series,
        given: None,
        headline: false,
    }
}

/// Compiles and runs `scenario` single-threaded.
pub fn run(scenario: &Scenario, runs: u64, seed: u64) -> (Model, Simulation) {
    let model = Model::compile(scenario).expect("test scenario compiles");
    let settings = Settings { runs, seed, threads: Some(1), progress: false };
    let simulation = engine::simulate(&model, &settings).expect("test scenario runs");
    (model, simulation)
}
