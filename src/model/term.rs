//! Compiled terms (DESIGN.md §2.3): the scenario's named factors turned into indices, evaluated on
//! a run's [`State`] without looking up a name or allocating.

use super::world::State;
pub use crate::scenario::term::{Function, OutcomeKind, Window};

/// A compiled term: the product of its factors, each name an index into the model's list of that
/// kind (file order).
pub type Term = crate::scenario::term::Term<usize>;

/// One compiled factor (see [`crate::scenario::term::Factor`]); a categorical driver's outcome is
/// its index in the distribution.
pub type Factor = crate::scenario::term::Factor<usize>;

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
            Factor::Call(function, i) => function.value(i, Window::WHOLE, state)?,
            Factor::Within(function, i, window) => function.value(i, window, state)?,
            Factor::Month => f64::from(state.month),
        })
    }
}

impl Function {
    /// The function's value in `state` for the argument of index `i` (the model's list of the
    /// kind [`Function::spec`] names) over `window` (whole for functions that take none); `None`
    /// when undefined. The evaluation of each term function is here, its definition in
    /// `scenario/term.rs`.
    #[inline]
    fn value(self, i: usize, window: Window, state: &State) -> Option<f64> {
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        Some(match self {
            Function::Ever => flag(state.events[i].count > 0),
            Function::Count => f64::from(state.events[i].count),
            Function::CountWithin => f64::from(state.events[i].months.count(window.from, window.to)),
            Function::First => f64::from(state.events[i].first?),
            Function::After => flag(f64::from(state.month) >= state.drivers[i].floor()),
            Function::Agreed => flag(state.issues[i].agreed),
            Function::Settlement => state.issues[i].settlement,
            Function::Forecast => state.issues[i].forecast,
            Function::Home => state.populations[i].persons_at_home(),
            Function::HomeShare => state.populations[i].home_share(),
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
