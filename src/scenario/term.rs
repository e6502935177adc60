//! The term language of DESIGN.md §2.3: how links, effects and outcomes refer to a run's state.
//!
//! A term is a product of one or more factors (`a * b * c`). The loader parses the text, resolves
//! every name against the scenario and checks that each name is of the kind its factor needs; the
//! model then compiles names to indices. No other expression language exists: no code runs from a
//! scenario file.
//!
//! One definition of each term function: `function_table!` below is the table of their names,
//! the kind of arguments each takes (a name, perhaps followed by a window of months) and the kind
//! of value each gives ([`Function::spec`]). The parser's function names, the decoder's resolution
//! and checks, the compiler's indices, `Display` and the outcome kinds all work from it; the model
//! evaluates each function in `model/term.rs`. Adding a function is one entry of the table here
//! and one line of evaluation there. [`Term`] and [`Factor`] are generic over how a name is held: `String` as
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
    /// A function of one name over a window of months, for the functions whose argument kind
    /// takes one ([`Argument::months`]): `count(armed_clash, 0, 11)`.
    Within(Function, N, Window),
    /// Months since start: `month`.
    Month,
}

/// The months `from` to `to` (since start, both included) of a windowed function call: checked
/// when the file is loaded to lie within the horizon, `from` ≤ `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First month of the window (months since start).
    pub from: u32,
    /// Last month of the window (months since start), included.
    pub to: u32,
}

impl Window {
    /// Every month: what a function without a window sees.
    pub const WHOLE: Window = Window { from: 0, to: u32::MAX };
}

/// The kind of name a function takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Argument {
    /// An event.
    Event,
    /// An event, then the first and last month of a window (months since start): `e, from, to`.
    EventWindow,
    /// A numeric driver.
    NumericDriver,
    /// An issue.
    Issue,
    /// An issue with an `agreement` rule (else the function would always be 0).
    AgreedIssue,
    /// A population.
    Population,
}

impl Argument {
    /// How many month numbers follow the name: 2 for a window (`from, to`), else 0.
    pub fn months(self) -> usize {
        match self {
            Argument::EventWindow => 2,
            _ => 0,
        }
    }

    /// The arguments as a help text writes them: `event`, `event, from, to`.
    pub fn usage(self) -> &'static str {
        match self {
            Argument::Event => "event",
            Argument::EventWindow => "event, from, to",
            Argument::NumericDriver => "driver",
            Argument::Issue | Argument::AgreedIssue => "issue",
            Argument::Population => "population",
        }
    }
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

/// Declares [`Function`], [`Function::ALL`] and [`Function::spec`] from one table, so that a
/// function is one entry: its doc, variant, name, argument kind and value kind.
macro_rules! function_table {
    ($($(#[doc = $doc:literal])+ $variant:ident => ($name:literal, $argument:ident, $value:ident),)+) => {
        /// A term function (DESIGN.md §2.3). What each means is in its line of the table below
        /// and its evaluation in `model/term.rs`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Function {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl Function {
            /// Every function, in the order help texts list them.
            pub const ALL: [Function; [$($name),+].len()] = [$(Function::$variant),+];

            /// The function table: name, argument kind and value kind of each function.
            pub fn spec(self) -> FunctionSpec {
                match self {
                    $(Function::$variant => FunctionSpec {
                        name: $name,
                        argument: Argument::$argument,
                        value: OutcomeKind::$value,
                    },)+
                }
            }
        }
    };
}

function_table! {
    /// 1 once the event has fired at least once: `ever(armed_clash)`.
    Ever => ("ever", Event, Indicator),
    /// Times the event has fired: `count(armed_clash)`.
    Count => ("count", Event, Count),
    /// Months of a window in which the event fired: `count(armed_clash, 0, 11)` (so far, while
    /// the window is still running).
    CountWithin => ("count", EventWindow, Count),
    /// Month (since start) of the event's first firing; undefined while it has not fired.
    First => ("first", Event, FirstTime),
    /// 1 from the month a driver names on (driver value in months since start): `after(d)`.
    After => ("after", NumericDriver, Indicator),
    /// 1 once the issue is agreed: `agreed(issue)`.
    Agreed => ("agreed", AgreedIssue, Indicator),
    /// The agreed position of the issue (0 while not agreed): `settlement(issue)`.
    Settlement => ("settlement", AgreedIssue, Value),
    /// The issue's current forecast Σ c·s·x / Σ c·s: `forecast(issue)`.
    Forecast => ("forecast", Issue, Value),
    /// Persons of the population at home: `home(population)`.
    Home => ("home", Population, Value),
    /// Share of the population's agents at home, 0–1: `home_share(population)`.
    HomeShare => ("home_share", Population, Value),
}

impl Function {
    /// The name a term calls it by.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// A function called `name`, if any (the first of its forms).
    pub fn named(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The form of the function called `name` that takes `months` month numbers after its name
    /// (`count(e)` and `count(e, from, to)` are two functions of one name).
    pub fn named_with(name: &str, months: usize) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name && f.spec().argument.months() == months)
    }

    /// How the function is called: `count(event, from, to)`.
    pub fn usage(self) -> String {
        format!("{}({})", self.name(), self.spec().argument.usage())
    }
}

impl<N> Factor<N> {
    /// The function the factor calls, if it is a call.
    pub fn function(&self) -> Option<Function> {
        match self {
            Factor::Call(function, _) | Factor::Within(function, _, _) => Some(*function),
            _ => None,
        }
    }

    /// True when the factor only takes the values 0 and 1.
    pub fn is_indicator(&self) -> bool {
        match self {
            Factor::DriverIs { .. } | Factor::Active(_) => true,
            Factor::Call(function, _) | Factor::Within(function, _, _) => {
                function.spec().value == OutcomeKind::Indicator
            }
            Factor::Driver(_) | Factor::Variable(_) | Factor::Month => false,
        }
    }

    /// True for `first(...)`, undefined until its event fires.
    pub fn may_be_undefined(&self) -> bool {
        self.function().is_some_and(|function| function.spec().value == OutcomeKind::FirstTime)
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
            Factor::Within(function, n, Window { from, to }) => {
                write!(f, "{}({n}, {from}, {to})", function.name())
            }
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
