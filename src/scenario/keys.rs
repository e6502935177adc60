//! The scenario format's keys, declared once: which keys each table takes, what each holds, its
//! default and a one-line description, and the distribution forms with their parameters.
//!
//! Two readers, one source of truth: the decoder takes its unknown-key checks (the allowed keys of
//! every table, and of every form's parameters) from these tables, and `crossroads schema`
//! ([`super::json_schema`]) turns the same tables into a JSON Schema for editors. A key added here
//! is accepted by the loader and offered by editors at once; a key the decoder reads but that is
//! not declared here is refused as unknown, so the two cannot drift apart.

/// What a key holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Shape {
    /// Free text.
    Text,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// A string matching a regular expression.
    Pattern(&'static str),
    /// A month, "YYYY-MM".
    Month,
    /// A whole number in [min, max].
    Whole { min: i64, max: i64 },
    /// A number, bounded where `Some` (exclusive lower bound when `above` is set).
    Number { min: Option<f64>, max: Option<f64>, above: bool },
    /// A probability in [0, 1].
    Probability,
    /// true or false.
    Boolean,
    /// A number (fixed) or a table holding one distribution form.
    Distribution,
    /// A number, a distribution, or a variable's name.
    Quantity,
    /// A table of term → coefficient.
    Links,
    /// A table of variable → { set | add | mul = number }.
    Effects,
    /// `[lo, hi]`.
    Scale,
    /// A list of actor names.
    Names,
    /// A numeric driver's name or a month number since the start.
    DriverOrMonth,
    /// A fixed table with these keys.
    Table(&'static [Key]),
    /// A table of actor name → stake (the keys of [`STAKE`]).
    Stakes,
    /// A table of `--set` path → distribution with the register keys (an experiment's factors).
    Factors,
}

/// One key of a table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Key {
    /// The key as written.
    pub name: &'static str,
    /// What it holds.
    pub shape: Shape,
    /// Whether a complete scenario must have it (a variant that `extends` may leave it out).
    pub required: bool,
    /// The default when left out, as a TOML/JSON literal.
    pub default: Option<&'static str>,
    /// One line for editors' hover text.
    pub doc: &'static str,
}

const fn key(name: &'static str, shape: Shape, doc: &'static str) -> Key {
    Key { name, shape, required: false, default: None, doc }
}

const fn required(name: &'static str, shape: Shape, doc: &'static str) -> Key {
    Key { name, shape, required: true, default: None, doc }
}

const fn defaults(name: &'static str, shape: Shape, default: &'static str, doc: &'static str) -> Key {
    Key { name, shape, required: false, default: Some(default), doc }
}

const fn number(min: Option<f64>, max: Option<f64>) -> Shape {
    Shape::Number { min, max, above: false }
}

/// Names of drivers, variables, events, actors, issues, populations and outcomes.
pub(crate) const NAME_PATTERN: &str = "^[A-Za-z_][A-Za-z0-9_-]*$";

/// The keys every assumption table may carry (the assumptions register).
pub(crate) const ABOUT: &[Key] = &[
    key("description", Shape::Text, "What this assumption is, in words (the assumptions register)."),
    key("unit", Shape::Text, "Unit of the value, e.g. \"months from start\" or \"persons\"."),
    key("source", Shape::Text, "Where the value comes from: a citation or \"analyst judgement\"."),
];

/// `[scenario]`.
pub(crate) const SCENARIO: &[Key] = &[
    required("name", Shape::Pattern("^[a-z0-9_-]+$"), "Short name: the output folder (a-z, 0-9, _ and -)."),
    key("title", Shape::Text, "Title shown in reports (default: the name)."),
    key("description", Shape::Text, "What the scenario is about."),
    required("start", Shape::Month, "First simulated month, \"YYYY-MM\"."),
    required("horizon", Shape::Whole { min: 1, max: 1200 }, "Months simulated (1–1200)."),
    defaults("runs", Shape::Whole { min: 1, max: i64::MAX }, "1000", "Default number of replications."),
    defaults("seed", Shape::Whole { min: 0, max: i64::MAX }, "1", "Default seed of the random streams."),
    key(
        "extends",
        Shape::Text,
        "A parent scenario file (relative to this one): its tables merge, values here replace.",
    ),
];

/// `[variables.NAME]` (besides [`ABOUT`]).
pub(crate) const VARIABLE: &[Key] = &[
    required("initial", Shape::Distribution, "Value at the start: a number or a distribution."),
    defaults("min", number(None, None), "-inf", "Lower bound the value is clamped to."),
    defaults("max", number(None, None), "inf", "Upper bound the value is clamped to."),
    key(
        "target",
        number(None, None),
        "Level the value drifts to before links (default: the mean of `initial`).",
    ),
    defaults("speed", number(Some(0.0), Some(1.0)), "0", "Share of the gap to the target closed each month."),
    defaults("noise", number(Some(0.0), None), "0", "Standard deviation of the monthly shock."),
    key("links", Shape::Links, "Terms that push the target: { \"term\" = coefficient }."),
];

/// `[events.NAME]` (besides [`ABOUT`]); exactly one of `probability` and `at`.
pub(crate) const EVENT: &[Key] = &[
    key("probability", Shape::Probability, "Monthly probability when every link is 0 (a hazard)."),
    key("links", Shape::Links, "Terms on the log-odds scale of the hazard: { \"term\" = coefficient }."),
    key(
        "at",
        Shape::DriverOrMonth,
        "Scheduled instead: a driver's name (the month it draws) or a month number.",
    ),
    defaults("duration", Shape::Whole { min: 1, max: 1200 }, "1", "Months the event stays active."),
    defaults("once", Shape::Boolean, "false", "Fires at most once per run."),
    key("effects", Shape::Effects, "What it does to variables: { variable = { add | mul | set = number } }."),
];

/// The operations of one effect: exactly one.
pub(crate) const EFFECT: &[Key] = &[
    key("set", number(None, None), "Set the variable to this value."),
    key("add", number(None, None), "Add this to the variable."),
    key("mul", number(None, None), "Multiply the variable by this."),
];

/// `[actors.NAME]` (besides [`ABOUT`]).
pub(crate) const ACTOR: &[Key] = &[required(
    "capability",
    Shape::Quantity,
    "Power in bargaining: a number ≥ 0, a distribution, or a variable's name.",
)];

/// `[issues.NAME]` (besides [`ABOUT`]).
pub(crate) const ISSUE: &[Key] = &[
    key("low", Shape::Text, "What the low end of the scale means."),
    key("high", Shape::Text, "What the high end of the scale means."),
    defaults("scale", Shape::Scale, "[0, 100]", "The positions' scale, [lo, hi]."),
    required(
        "model",
        Shape::OneOf(&["bdm", "compromise"]),
        "Bargaining model: \"bdm\" (expected utility) or \"compromise\".",
    ),
    defaults(
        "concession",
        number(Some(0.0), Some(1.0)),
        "0.2",
        "compromise only: share of the way to the forecast moved per round, before salience.",
    ),
    defaults("every", Shape::Whole { min: 1, max: 1200 }, "1", "Months between bargaining rounds."),
    key("agreement", Shape::Table(AGREEMENT), "When the parties' positions are close, the chance they sign."),
    required("stakes", Shape::Stakes, "Each actor's { position, salience } on the issue (at least two)."),
];

/// A stake in an issue (besides [`ABOUT`]).
pub(crate) const STAKE: &[Key] = &[
    required(
        "position",
        Shape::Quantity,
        "Position on the issue's scale: a number, a distribution or a variable's name.",
    ),
    required(
        "salience",
        Shape::Quantity,
        "How much the issue matters, 0–1: a number, a distribution or a variable's name.",
    ),
];

/// An issue's `agreement`.
pub(crate) const AGREEMENT: &[Key] = &[
    required("parties", Shape::Names, "The actors who must agree (each with a stake)."),
    required(
        "within",
        number(Some(0.0), None),
        "Largest gap between their positions, in points of the scale.",
    ),
    required("probability", Shape::Probability, "Monthly probability of signing while within reach."),
    key("links", Shape::Links, "Terms on the log-odds scale of signing: { \"term\" = coefficient }."),
];

/// `[populations.NAME]` (besides [`ABOUT`]).
pub(crate) const POPULATION: &[Key] = &[
    required("persons", Shape::Distribution, "How many people the population stands for."),
    required(
        "agents",
        Shape::Whole { min: 1, max: 10_000_000 },
        "Agents simulated (each stands for persons / agents).",
    ),
    defaults("at_home", Shape::Whole { min: 0, max: 10_000_000 }, "0", "Agents at home at the start."),
    required("threshold", Shape::Distribution, "Each agent's reluctance, drawn from this distribution."),
    defaults("utility", number(None, None), "0", "Base pull of going home."),
    defaults("peer", number(None, None), "0", "Pull of the share already home."),
    defaults("noise", number(Some(0.0), None), "0", "Standard deviation of each agent's monthly shock."),
    key("links", Shape::Links, "Terms that add to the pull: { \"term\" = coefficient }."),
    key("flee", Shape::Table(FLEE), "When an event makes agents at home leave again."),
];

/// A population's `flee`.
pub(crate) const FLEE: &[Key] = &[
    required("on", Shape::Text, "The event that makes agents flee."),
    required("probability", Shape::Probability, "Probability that an agent at home flees when it fires."),
];

/// `[outcomes.NAME]` (besides [`ABOUT`]).
pub(crate) const OUTCOME: &[Key] = &[
    key("title", Shape::Text, "Title in reports (default: the name)."),
    required(
        "measure",
        Shape::Text,
        "What is measured: a term, e.g. \"agreed(issue)\" or \"home(population)\".",
    ),
    key("at", Shape::Month, "Measure at this month, \"YYYY-MM\" (default: the end)."),
    defaults(
        "series",
        Shape::Boolean,
        "false",
        "Also record it monthly (series.csv): a fan chart of a numeric outcome, a time-to-event curve \
         (probability by the end of each month) of an ever(...) or agreed(...) outcome.",
    ),
    key(
        "given",
        Shape::Text,
        "Measure it only over the runs where this 0/1 condition holds, e.g. \"agreed(issue)\".",
    ),
    defaults("headline", Shape::Boolean, "false", "Lead the summary with this outcome."),
];

/// `[correlations]`: its own keys (the other keys are pairs, [`PAIR_PATTERN`]).
pub(crate) const CORRELATIONS: &[Key] = &[defaults(
    "repair",
    Shape::Boolean,
    "false",
    "Use the nearest valid matrix (Higham 2002) when the stated correlations cannot hold together.",
)];

/// A pair of `[correlations]`, `"driver_a ~ driver_b"`: a number (ρ) or a table with `rho` (besides
/// [`ABOUT`]).
pub(crate) const CORRELATION: &[Key] = &[required(
    "rho",
    Shape::Number { min: Some(-1.0), max: Some(1.0), above: true },
    "Target Spearman rank correlation of the two drivers, strictly between −1 and 1 (0 removes the pair). \
     While every driver's Σ|2 sin(πρ/6)| ≤ 1 a pair changes only its two drivers' values (one latent \
     normal per pair); beyond, a Cholesky factor (`check` says which).",
)];

/// A pair's key: two driver names around `~`.
pub(crate) const PAIR_PATTERN: &str = "^ *[A-Za-z_][A-Za-z0-9_-]* *~ *[A-Za-z_][A-Za-z0-9_-]* *$";
/// `[evidence.NAME]` (besides [`ABOUT`]); exactly one of `equals` and `value` (with `sd`).
pub(crate) const EVIDENCE: &[Key] = &[
    required(
        "observe",
        Shape::Text,
        "What was observed, as a term: e.g. \"count(armed_clash, 2, 28)\" or \"agreed(peace_treaty)\".",
    ),
    key("at", Shape::Month, "The month at whose end it was observed, \"YYYY-MM\" (default: the end)."),
    key(
        "equals",
        number(None, None),
        "An exact observation of a 0/1 or whole-number term: runs with another value are rejected.",
    ),
    key(
        "value",
        number(None, None),
        "A measured value: runs are weighed by a normal likelihood around it (needs `sd`).",
    ),
    key(
        "sd",
        Shape::Number { min: Some(0.0), max: None, above: true },
        "The measurement's standard deviation, > 0 (with `value`).",
    ),
    key(
        "base_rate",
        Shape::Probability,
        "A no-skill forecast's probability of the observed fact, for forecast scores (default 0.5).",
    ),
];

/// `[experiment]` (besides [`ABOUT`]): the design of `crossroads explore`.
pub(crate) const EXPERIMENT: &[Key] = &[
    required(
        "design",
        Shape::OneOf(&["sobol", "morris", "lhs", "grid"]),
        "The design: \"sobol\" (Saltelli), \"morris\" (elementary effects), \"lhs\" or \"grid\".",
    ),
    defaults(
        "points",
        Shape::Whole { min: 1, max: 1_000_000 },
        "64",
        "Design size: Sobol's base rows N (N·(k+2) points), Morris's trajectories, LHS points, grid levels.",
    ),
    defaults(
        "replications",
        Shape::Whole { min: 1, max: 1_000_000 },
        "20",
        "Runs at every point, on the same random streams at every point.",
    ),
    defaults("levels", Shape::Whole { min: 2, max: 100 }, "4", "Morris only: levels of the grid (even)."),
    required(
        "factors",
        Shape::Factors,
        "The numbers explored: { \"--set path\" = { uniform = { min, max }, source = \"…\" } }.",
    ),
];

/// A distribution form's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Parameters {
    /// A number in [min, max] (`fixed`, `bernoulli`).
    Number { min: Option<f64>, max: Option<f64> },
    /// A table with these keys; `required` lists the sets of which one must be complete.
    Table { keys: &'static [&'static str], required: &'static [&'static [&'static str]] },
    /// A table of outcome → probability (`categorical`).
    Weights,
}

/// A distribution form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Form {
    /// The key that names it.
    pub name: &'static str,
    /// What it takes.
    pub parameters: Parameters,
    /// One line for editors.
    pub doc: &'static str,
}

/// The distribution forms (DESIGN.md §2.1), in the order of [`super::load::DISTRIBUTION_FORMS`].
pub(crate) const FORMS: &[Form] = &[
    Form { name: "fixed", parameters: Parameters::Number { min: None, max: None }, doc: "A constant." },
    Form {
        name: "uniform",
        parameters: Parameters::Table { keys: &["min", "max"], required: &[&["min", "max"]] },
        doc: "Uniform between min and max.",
    },
    Form {
        name: "normal",
        parameters: Parameters::Table { keys: &["mean", "sd", "min", "max"], required: &[&["mean", "sd"]] },
        doc: "Normal with mean and sd, optionally truncated to [min, max].",
    },
    Form {
        name: "lognormal",
        parameters: Parameters::Table {
            keys: &["p5", "p95", "mu", "sigma"],
            required: &[&["p5", "p95"], &["mu", "sigma"]],
        },
        doc: "Lognormal from its 5th and 95th percentiles (p5, p95) or from mu and sigma of ln X.",
    },
    Form {
        name: "beta",
        parameters: Parameters::Table {
            keys: &["alpha", "beta", "mean", "sd"],
            required: &[&["alpha", "beta"], &["mean", "sd"]],
        },
        doc: "Beta on [0, 1] from alpha and beta, or from its mean and sd.",
    },
    Form {
        name: "triangular",
        parameters: Parameters::Table { keys: &["min", "mode", "max"], required: &[&["min", "mode", "max"]] },
        doc: "Triangular with min, mode and max.",
    },
    Form {
        name: "pert",
        parameters: Parameters::Table { keys: &["min", "mode", "max"], required: &[&["min", "mode", "max"]] },
        doc: "PERT (a smooth beta) with min, mode and max.",
    },
    Form {
        name: "bernoulli",
        parameters: Parameters::Number { min: Some(0.0), max: Some(1.0) },
        doc: "1 with this probability, else 0.",
    },
    Form {
        name: "categorical",
        parameters: Parameters::Weights,
        doc: "Named outcomes with probabilities summing to 1.",
    },
    Form {
        name: "poisson",
        parameters: Parameters::Table { keys: &["mean"], required: &[&["mean"]] },
        doc: "Poisson count with this mean.",
    },
];

/// The names of `keys`, for the decoder's unknown-key checks.
pub(crate) fn names(keys: &[Key]) -> Vec<&'static str> {
    keys.iter().map(|k| k.name).collect()
}

/// The names of `keys` and then of [`ABOUT`] (a stake's, an outcome's).
pub(crate) fn assumption_names(keys: &[Key]) -> Vec<&'static str> {
    keys.iter().chain(ABOUT).map(|k| k.name).collect()
}

/// Every table of keys, for look-ups by key name.
const ALL_TABLES: [&[Key]; 16] = [
    ABOUT,
    SCENARIO,
    VARIABLE,
    EVENT,
    EFFECT,
    ACTOR,
    ISSUE,
    STAKE,
    AGREEMENT,
    POPULATION,
    FLEE,
    OUTCOME,
    CORRELATIONS,
    CORRELATION,
    EVIDENCE,
    EXPERIMENT,
];

/// Whether a key of this name holds a whole number (a month, a count of agents or runs): an
/// experiment's factor there takes whole values.
pub(crate) fn holds_whole_number(name: &str) -> bool {
    ALL_TABLES
        .iter()
        .flat_map(|table| table.iter())
        .any(|key| key.name == name && matches!(key.shape, Shape::Whole { .. } | Shape::DriverOrMonth))
}

/// The parameter keys of form `form` (empty for a form without a parameter table).
pub(crate) fn parameters(form: &str) -> &'static [&'static str] {
    match FORMS.iter().find(|f| f.name == form).map(|f| f.parameters) {
        Some(Parameters::Table { keys, .. }) => keys,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load::DISTRIBUTION_FORMS;

    #[test]
    fn the_forms_are_the_loaders_forms() {
        let names: Vec<&str> = FORMS.iter().map(|f| f.name).collect();
        assert_eq!(names, DISTRIBUTION_FORMS);
    }

    #[test]
    fn whole_number_keys_are_known_by_name() {
        assert!(holds_whole_number("duration") && holds_whole_number("agents") && holds_whole_number("at"));
        assert!(!holds_whole_number("speed") && !holds_whole_number("probability"));
    }

    #[test]
    fn required_keys_have_no_default() {
        for table in ALL_TABLES {
            for key in table {
                assert!(!(key.required && key.default.is_some()), "{}", key.name);
                assert!(!key.doc.is_empty(), "{}", key.name);
            }
        }
    }
}
