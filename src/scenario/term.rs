//! The term language of DESIGN.md §2.3: how links, effects and outcomes refer to a run's state.
//!
//! A term is a product of one or more factors (`a * b * c`). The loader parses the text, resolves
//! every name against the scenario and checks that each name is of the kind its factor needs; the
//! model then compiles names to indices. No other expression language exists: no code runs from a
//! scenario file.
//!
//! One definition of each term function: [`Function::spec`] is the table of their names, the kind
//! of name each takes and the kind of value each gives. The parser's function names, the decoder's
//! resolution, the compiler's indices, `Display` and the outcome kinds all work from it; the model
//! evaluates each function in `model/term.rs`. Adding a function is its variant and line here and
//! its evaluation there. [`Term`] and [`Factor`] are generic over how a name is held: `String` as
//! written here, an index once the model compiles (`model::term`).

use std::fmt;

/// A product of factors, e.g. `russia_war_exit=collapse * after(russia_war_exit_month)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Term<N = String> {
    /// The factors, multiplied. Never empty.
    pub factors: Vec<Factor<N>>,
}

/// One factor of a term. Every name has been checked to exist and to be of the right kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Factor<N = String> {
    /// A numeric driver's value: `turkey_guarantee_credibility`.
    Driver(N),
    /// 1 if the categorical driver took that outcome, else 0: `russia_war_exit=collapse`.
    DriverIs {
        /// The categorical driver.
        driver: N,
        /// One of its outcomes (its index in the distribution once compiled).
        outcome: N,
    },
    /// A variable's current value: `russian_influence`.
    Variable(N),
    /// 1 while the event is active (the month it fires and `duration − 1` more): `armed_clash`.
    Active(N),
    /// A function of one name: `ever(armed_clash)`, `forecast(issue)`, … (see [`Function`]).
    Call(Function, N),
    /// Months since start: `month`.
    Month,
}

/// A term function (DESIGN.md §2.3). What each means is in its [`Function::spec`] line and its
/// evaluation in `model/term.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    /// 1 once the event has fired at least once: `ever(armed_clash)`.
    Ever,
    /// Times the event has fired: `count(armed_clash)`.
    Count,
    /// Month (since start) of the event's first firing; undefined while it has not fired.
    First,
    /// 1 from the month a driver names on (driver value in months since start): `after(d)`.
    After,
    /// 1 once the issue is agreed: `agreed(issue)`.
    Agreed,
    /// The agreed position of the issue (0 while not agreed): `settlement(issue)`.
    Settlement,
    /// The issue's current forecast Σ c·s·x / Σ c·s: `forecast(issue)`.
    Forecast,
    /// Persons of the population at home: `home(population)`.
    Home,
    /// Share of the population's agents at home, 0–1: `home_share(population)`.
    HomeShare,
}

/// The kind of name a function takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Argument {
    /// An event.
    Event,
    /// A numeric driver.
    NumericDriver,
    /// An issue.
    Issue,
    /// An issue with an `agreement` rule (else the function would always be 0).
    AgreedIssue,
    /// A population.
    Population,
}

/// What kind of value a term gives: how an outcome of it is summarised and shown. Decided when
/// the model compiles and carried to statistics, charts and the report, never re-derived from the
/// measure's text (`first (e)` is `first(e)`).
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

/// One line of the function table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionSpec {
    /// The name a term calls it by.
    pub name: &'static str,
    /// The kind of name it takes.
    pub argument: Argument,
    /// The kind of value it gives.
    pub value: OutcomeKind,
}

impl Function {
    /// Every function, in the order help texts list them.
    pub const ALL: [Function; 9] = [
        Function::Ever,
        Function::Count,
        Function::First,
        Function::After,
        Function::Agreed,
        Function::Settlement,
        Function::Forecast,
        Function::Home,
        Function::HomeShare,
    ];

    /// The function table: name, argument kind and value kind of each function.
    pub fn spec(self) -> FunctionSpec {
        use Argument as A;
        use OutcomeKind as V;
        let (name, argument, value) = match self {
            Function::Ever => ("ever", A::Event, V::Indicator),
            Function::Count => ("count", A::Event, V::Count),
            Function::First => ("first", A::Event, V::FirstTime),
            Function::After => ("after", A::NumericDriver, V::Indicator),
            Function::Agreed => ("agreed", A::AgreedIssue, V::Indicator),
            Function::Settlement => ("settlement", A::AgreedIssue, V::Value),
            Function::Forecast => ("forecast", A::Issue, V::Value),
            Function::Home => ("home", A::Population, V::Value),
            Function::HomeShare => ("home_share", A::Population, V::Value),
        };
        FunctionSpec { name, argument, value }
    }

    /// The name a term calls it by.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The function called `name`, if any.
    pub fn named(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl<N> Factor<N> {
    /// True when the factor only takes the values 0 and 1.
    pub fn is_indicator(&self) -> bool {
        match self {
            Factor::DriverIs { .. } | Factor::Active(_) => true,
            Factor::Call(function, _) => function.spec().value == OutcomeKind::Indicator,
            Factor::Driver(_) | Factor::Variable(_) | Factor::Month => false,
        }
    }

    /// True for `first(...)`, undefined until its event fires.
    pub fn may_be_undefined(&self) -> bool {
        matches!(self, Factor::Call(function, _) if function.spec().value == OutcomeKind::FirstTime)
    }
}

impl<N> Term<N> {
    /// A term of one factor.
    pub fn single(factor: Factor<N>) -> Self {
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
        self.factors.iter().any(Factor::may_be_undefined)
    }
}

impl<N: fmt::Display> fmt::Display for Factor<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Factor::Driver(n) | Factor::Variable(n) | Factor::Active(n) => write!(f, "{n}"),
            Factor::DriverIs { driver, outcome } => write!(f, "{driver}={outcome}"),
            Factor::Call(function, n) => write!(f, "{}({n})", function.name()),
            Factor::Month => write!(f, "month"),
        }
    }
}

impl<N: fmt::Display> fmt::Display for Term<N> {
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
