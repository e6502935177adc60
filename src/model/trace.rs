//! `crossroads bargain`: one issue's bargaining round by round, outside any run, at each uncertain
//! input's median (DESIGN.md §2.6, §6).
//!
//! Capabilities, positions and saliences drawn from a distribution take its median
//! (`quantile(0.5)`); one read from a variable takes the median of that variable's initial value,
//! held for every round (variables do not move outside a run). Agreements are not drawn: the trace
//! shows where bargaining alone leads.

use serde::Serialize;

use super::bargaining::{BdmScratch, bdm_round, compromise_round, forecast};
use super::compile::{Amount, Model};
use crate::scenario::BargainingModel;

/// Positions and forecast before the first round (round 0) and after each round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BargainTrace {
    /// The issue's name.
    pub issue: String,
    /// "bdm" or "compromise".
    pub model: String,
    /// The position scale (low, high).
    pub scale: (f64, f64),
    /// The actors with a stake, in file order.
    pub actors: Vec<String>,
    /// Each actor's capability (median).
    pub capabilities: Vec<f64>,
    /// Each actor's salience (median).
    pub saliences: Vec<f64>,
    /// Round 0 (the starting positions), then one entry per round.
    pub rounds: Vec<Round>,
}

/// The state after one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    /// 0 before the first round.
    pub round: u32,
    /// Σ c·s·x / Σ c·s.
    pub forecast: f64,
    /// Each actor's position, in the order of `BargainTrace::actors`.
    pub positions: Vec<f64>,
}

impl Model {
    /// The index of the issue called `name`.
    pub fn issue_index(&self, name: &str) -> Option<usize> {
        self.issues.iter().position(|i| i.name == name)
    }

    /// The names of the issues, in file order.
    pub fn issue_names(&self) -> impl Iterator<Item = &str> {
        self.issues.iter().map(|i| i.name.as_str())
    }

    /// Bargains `rounds` rounds on issue `issue` (an index from [`Model::issue_index`]) at the
    /// inputs' medians. `None` when there is no such issue.
    pub fn bargain(&self, issue: usize, rounds: u32) -> Option<BargainTrace> {
        let spec = self.issues.get(issue)?;
        let median = |amount: &Amount| match amount {
            Amount::Fixed(value) => *value,
            Amount::Drawn(distribution) => distribution.quantile(0.5),
            Amount::Variable(v) => {
                self.variables.get(*v).map_or(f64::NAN, |v| v.initial.quantile(0.5).max(v.min).min(v.max))
            }
        };
        let (low, high) = spec.scale;
        let actors = spec
            .stakes
            .iter()
            .map(|s| self.actors.get(s.actor).map_or(String::new(), |a| a.name.clone()))
            .collect();
        let capabilities: Vec<f64> = spec
            .stakes
            .iter()
            .map(|s| self.actors.get(s.actor).map_or(0.0, |a| median(&a.capability).max(0.0)))
            .collect();
        let saliences: Vec<f64> = spec.stakes.iter().map(|s| median(&s.salience).clamp(0.0, 1.0)).collect();
        let mut positions: Vec<f64> =
            spec.stakes.iter().map(|s| median(&s.position).max(low).min(high)).collect();
        let (lo, hi) =
            positions.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        let range = if hi >= lo { hi - lo } else { 0.0 };
        let mut trace = vec![Round {
            round: 0,
            forecast: forecast(&capabilities, &saliences, &positions),
            positions: positions.clone(),
        }];
        let mut next = vec![0.0; positions.len()];
        let mut scratch = BdmScratch::new(positions.len());
        for round in 1..=rounds {
            match spec.model {
                BargainingModel::Bdm => {
                    bdm_round(&capabilities, &saliences, &positions, range, &mut next, &mut scratch)
                }
                BargainingModel::Compromise { concession } => {
                    compromise_round(&capabilities, &saliences, &positions, concession, &mut next)
                }
            }
            for (position, new) in positions.iter_mut().zip(&next) {
                *position = new.max(low).min(high);
            }
            trace.push(Round {
                round,
                forecast: forecast(&capabilities, &saliences, &positions),
                positions: positions.clone(),
            });
        }
        Some(BargainTrace {
            issue: spec.name.clone(),
            model: match spec.model {
                BargainingModel::Bdm => "bdm".into(),
                BargainingModel::Compromise { .. } => "compromise".into(),
            },
            scale: spec.scale,
            actors,
            capabilities,
            saliences,
            rounds: trace,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Model;
    use crate::model::bargaining::tests::EC_CAR_EMISSIONS;
    use crate::model::testing::*;
    use crate::scenario::{BargainingModel, Distribution, Quantity};

    #[test]
    fn the_ec_trace_matches_the_published_first_round() {
        let mut s = scenario(12);
        s.actors = EC_CAR_EMISSIONS.iter().map(|(name, c, _, _)| actor(name, *c)).collect();
        let mut ec = issue(
            "emissions",
            BargainingModel::Bdm,
            1,
            EC_CAR_EMISSIONS.iter().map(|(n, _, x, sal)| stake(n, *x, *sal)).collect(),
        );
        ec.scale = (4.0, 10.0);
        s.issues = vec![ec];
        let model = Model::compile(&s).unwrap();
        let trace = model.bargain(model.issue_index("emissions").unwrap(), 10).unwrap();
        assert_eq!(trace.rounds.len(), 11);
        assert!((trace.rounds[0].forecast - 7.389955686853767).abs() < 1e-9);
        let first = &trace.rounds[1];
        assert!((first.forecast - 7.461314378277189).abs() < 1e-9);
        assert!((first.positions[1] - 8.415932315426764).abs() < 1e-9);
        assert!((first.positions[2] - 7.0).abs() < 1e-9);
        assert!((first.positions[7] - 4.0).abs() < 1e-9);
        assert!(trace.rounds.iter().all(|r| r.positions.iter().all(|x| (4.0..=10.0).contains(x))));
    }

    #[test]
    fn uncertain_inputs_take_their_medians() {
        let mut s = scenario(12);
        s.variables = vec![{
            let mut v = variable("influence", 0.0, 0.5, 0.1, 0.0);
            v.initial = Distribution::Uniform { min: 0.2, max: 0.6 };
            v
        }];
        s.actors = vec![
            actor("a", 1.0),
            crate::scenario::Actor {
                name: "b".into(),
                about: Default::default(),
                capability: Quantity::Variable("influence".into()),
            },
        ];
        let mut b = stake("b", 80.0, 0.5);
        b.salience = Quantity::Drawn(Distribution::Beta { alpha: 2.0, beta: 2.0 });
        s.issues = vec![issue(
            "i",
            BargainingModel::Compromise { concession: 0.2 },
            1,
            vec![stake("a", 20.0, 0.5), b],
        )];
        let model = Model::compile(&s).unwrap();
        let trace = model.bargain(0, 1).unwrap();
        assert_eq!(trace.capabilities, vec![1.0, 0.4]);
        assert!((trace.saliences[1] - 0.5).abs() < 1e-12);
        assert!(model.bargain(1, 1).is_none());
    }
}
