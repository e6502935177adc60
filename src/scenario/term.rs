//! The term language of DESIGN.md §2.3: how links, effects and outcomes refer to a run's state.
//!
//! A term is a product of one or more factors (`a * b * c`). The loader parses the text, resolves
//! every name against the scenario and checks that each name is of the kind its factor needs; the
//! model then compiles names to indices. No other expression language exists: no code runs from a
//! scenario file.

use std::fmt;

/// A product of factors, e.g. `russia_war_exit=collapse * after(russia_war_exit_month)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The factors, multiplied. Never empty.
    pub factors: Vec<Factor>,
}

/// One factor of a term. Every name has been checked to exist and to be of the right kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Factor {
    /// A numeric driver's value: `turkey_guarantee_credibility`.
    Driver(String),
    /// 1 if the categorical driver took that outcome, else 0: `russia_war_exit=collapse`.
    DriverIs {
        /// The categorical driver.
        driver: String,
        /// One of its outcomes.
        outcome: String,
    },
    /// A variable's current value: `russian_influence`.
    Variable(String),
    /// 1 while the event is active (the month it fires and `duration − 1` more): `armed_clash`.
    Active(String),
    /// 1 once the event has fired at least once: `ever(armed_clash)`.
    Ever(String),
    /// Times the event has fired: `count(armed_clash)`.
    Count(String),
    /// Month (since start) of the event's first firing; undefined while it has not fired.
    First(String),
    /// 1 from the month a driver names on (driver value in months since start): `after(d)`.
    After(String),
    /// 1 once the issue is agreed: `agreed(issue)`.
    Agreed(String),
    /// The agreed position of the issue (0 while not agreed): `settlement(issue)`.
    Settlement(String),
    /// The current forecast Σ c·s·x / Σ c·s: `forecast(issue)`.
    Forecast(String),
    /// Persons of the population at home: `home(population)`.
    Home(String),
    /// Share of the population's agents at home, 0–1: `home_share(population)`.
    HomeShare(String),
    /// Months since start: `month`.
    Month,
}

impl Factor {
    /// True when the factor only takes the values 0 and 1.
    pub fn is_indicator(&self) -> bool {
        matches!(
            self,
            Factor::DriverIs { .. }
                | Factor::Active(_)
                | Factor::Ever(_)
                | Factor::After(_)
                | Factor::Agreed(_)
        )
    }
}

impl Term {
    /// A term of one factor.
    pub fn single(factor: Factor) -> Self {
        Term { factors: vec![factor] }
    }

    /// True when every factor is 0/1, so the term's value is an indicator (an outcome of it is a
    /// probability).
    pub fn is_indicator(&self) -> bool {
        self.factors.iter().all(Factor::is_indicator)
    }

    /// True when the term contains `first(...)`, whose value is undefined in runs where the event
    /// never fired.
    pub fn may_be_undefined(&self) -> bool {
        self.factors.iter().any(|f| matches!(f, Factor::First(_)))
    }
}

impl fmt::Display for Factor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Factor::Driver(n) | Factor::Variable(n) | Factor::Active(n) => write!(f, "{n}"),
            Factor::DriverIs { driver, outcome } => write!(f, "{driver}={outcome}"),
            Factor::Ever(n) => write!(f, "ever({n})"),
            Factor::Count(n) => write!(f, "count({n})"),
            Factor::First(n) => write!(f, "first({n})"),
            Factor::After(n) => write!(f, "after({n})"),
            Factor::Agreed(n) => write!(f, "agreed({n})"),
            Factor::Settlement(n) => write!(f, "settlement({n})"),
            Factor::Forecast(n) => write!(f, "forecast({n})"),
            Factor::Home(n) => write!(f, "home({n})"),
            Factor::HomeShare(n) => write!(f, "home_share({n})"),
            Factor::Month => write!(f, "month"),
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, factor) in self.factors.iter().enumerate() {
            if i > 0 {
                write!(f, " * ")?;
            }
            write!(f, "{factor}")?;
        }
        Ok(())
    }
}
