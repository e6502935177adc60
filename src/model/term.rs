//! Compiled terms (DESIGN.md §2.3): the scenario's named factors turned into indices, evaluated on
//! a run's [`State`] without looking up a name or allocating.

use super::world::State;

/// A compiled term: the product of its factors.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// Never empty.
    pub factors: Vec<Factor>,
}

/// One compiled factor; each index points into the model's list of that kind (file order).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Factor {
    /// A numeric driver's value.
    Driver(usize),
    /// 1 if the categorical driver took outcome `outcome` (its index), else 0.
    DriverIs {
        /// The categorical driver.
        driver: usize,
        /// The outcome's index in its distribution.
        outcome: usize,
    },
    /// A variable's current value.
    Variable(usize),
    /// 1 while the event is active.
    Active(usize),
    /// 1 once the event has fired.
    Ever(usize),
    /// Times the event has fired.
    Count(usize),
    /// Month of the event's first firing; undefined until it fires.
    First(usize),
    /// 1 from the month ⌊driver value⌋ on.
    After(usize),
    /// 1 once the issue is agreed.
    Agreed(usize),
    /// The issue's agreed position, 0 while not agreed.
    Settlement(usize),
    /// The issue's current forecast.
    Forecast(usize),
    /// Persons of the population at home.
    Home(usize),
    /// Share of the population's agents at home.
    HomeShare(usize),
    /// Months since start.
    Month,
}

impl Factor {
    /// The factor's value in `state`, or `None` when it is undefined (`first` of an event that has
    /// not fired).
    #[inline]
    pub fn value(self, state: &State) -> Option<f64> {
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        Some(match self {
            Factor::Driver(d) => state.drivers[d],
            Factor::DriverIs { driver, outcome } => flag(state.drivers[driver] == outcome as f64),
            Factor::Variable(v) => state.variables[v],
            Factor::Active(e) => flag(state.events[e].is_active(state.month)),
            Factor::Ever(e) => flag(state.events[e].count > 0),
            Factor::Count(e) => f64::from(state.events[e].count),
            Factor::First(e) => f64::from(state.events[e].first?),
            Factor::After(d) => flag(f64::from(state.month) >= state.drivers[d].floor()),
            Factor::Agreed(i) => flag(state.issues[i].agreed),
            Factor::Settlement(i) => state.issues[i].settlement,
            Factor::Forecast(i) => state.issues[i].forecast,
            Factor::Home(p) => state.populations[p].persons_at_home(),
            Factor::HomeShare(p) => state.populations[p].home_share(),
            Factor::Month => f64::from(state.month),
        })
    }
}

impl Term {
    /// The product of the factors in `state`; `None` when a factor is undefined.
    #[inline]
    pub fn value(&self, state: &State) -> Option<f64> {
        let mut product = 1.0;
        for factor in &self.factors {
            product *= factor.value(state)?;
        }
        Some(product)
    }
}

/// What kind of value an outcome's term gives, decided when the model compiles. Statistics, charts
/// and the report take it from here, never from the measure's text (`first (e)` is `first(e)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutcomeKind {
    /// 0 or 1 in every run: reported as a probability.
    Indicator,
    /// A whole number in every run (counts, months, discrete drivers): integer histogram bins.
    Count,
    /// Any number.
    #[default]
    Value,
    /// The month an event first fired (a whole-number term with `first(...)`): undefined in runs
    /// where it never fired, which the report counts apart.
    FirstTime,
}

impl OutcomeKind {
    /// True for 0/1 outcomes, reported as probabilities.
    pub fn is_probability(self) -> bool {
        self == OutcomeKind::Indicator
    }

    /// True when every value is a whole number: integer histogram bins.
    pub fn is_integer(self) -> bool {
        matches!(self, OutcomeKind::Count | OutcomeKind::FirstTime)
    }

    /// True for the month of a first firing.
    pub fn is_first_time(self) -> bool {
        self == OutcomeKind::FirstTime
    }
}

/// A link table: Σ coefficient · term, added to a baseline. An undefined term (a `first(...)` of
/// an event that has not fired) contributes 0.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Links {
    /// (term, coefficient) in file order.
    pub links: Vec<(Term, f64)>,
}

impl Links {
    /// Σ coefficient · term in `state`.
    #[inline]
    pub fn sum(&self, state: &State) -> f64 {
        self.links.iter().map(|(term, coefficient)| coefficient * term.value(state).unwrap_or(0.0)).sum()
    }

    /// True when there are no links.
    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }
}

/// A base probability on the log-odds scale, shifted by links: p = σ(logit(probability) + shift).
/// Probability 0 never fires and 1 always fires, whatever the links (logit(0) = −∞, logit(1) = +∞).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Hazard {
    /// Probability 0.
    Never,
    /// Probability 1.
    Always,
    /// logit(probability) for 0 < probability < 1.
    LogOdds(f64),
}

impl Hazard {
    /// The hazard of a base `probability` (clamped to [0, 1]; NaN is treated as 0).
    pub fn new(probability: f64) -> Self {
        if probability.is_nan() || probability <= 0.0 {
            Hazard::Never
        } else if probability >= 1.0 {
            Hazard::Always
        } else {
            Hazard::LogOdds((probability / (1.0 - probability)).ln())
        }
    }

    /// p = σ(logit(probability) + shift).
    #[inline]
    pub fn probability(self, shift: f64) -> f64 {
        match self {
            Hazard::Never => 0.0,
            Hazard::Always => 1.0,
            Hazard::LogOdds(base) => {
                let z = base + shift;
                if z.is_nan() { 0.0 } else { 1.0 / (1.0 + (-z).exp()) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazard_handles_certainties_and_round_trips() {
        assert_eq!(Hazard::new(0.0).probability(50.0), 0.0);
        assert_eq!(Hazard::new(1.0).probability(-50.0), 1.0);
        assert!((Hazard::new(0.03).probability(0.0) - 0.03).abs() < 1e-15);
        let p = Hazard::new(0.1).probability(1.0);
        let expected = 1.0 / (1.0 + (-(0.1f64 / 0.9).ln() - 1.0).exp());
        assert!((p - expected).abs() < 1e-15);
    }
}
