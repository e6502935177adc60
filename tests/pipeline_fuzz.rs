//! Fuzzing through every layer a scenario file reaches: load (and `--set`), the assumptions
//! register, compile, simulate a few runs and summarize. The generator writes structurally valid
//! scenarios (every section, every distribution form, every kind of term) filled with random and
//! extreme numbers (0, ±1e19, 1e-160, 800, ±1e300, 5e-324, …). Each case must end within
//! [`CASE_LIMIT`] in `Ok` or a diagnostic, without a panic, and a successful run must hold no
//! arithmetic NaN or ∞: only `first(...)` outcomes may be undefined (NaN is their marker).
//!
//! The generator draws from a stream of choices (a `Vec<u16>` proptest shrinks towards zeros,
//! and choice 0 is always the plainest option), so a failure shrinks to a small scenario.
//! Regressions it found are kept as fixed cases at the end of this file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use crossroads::engine::{self, Settings};
use crossroads::model::Model;
use crossroads::scenario;
use crossroads::stats;
use proptest::prelude::*;

/// Generated cases per `cargo test` (fixed, so CI time is predictable).
const CASES: u32 = 2000;

/// The longest one case may take, load to summary (debug build, loaded machine).
const CASE_LIMIT: Duration = Duration::from_secs(10);

/// Numbers that have broken numeric code before, or sit on a boundary.
const NUMBERS: &[&str] = &[
    "0.5",
    "0",
    "1",
    "-1",
    "3",
    "0.25",
    "1e-160",
    "1e19",
    "-1e19",
    "800",
    "-800",
    "1e300",
    "-1e300",
    "5e-324",
    "1e308",
    "-1e308",
    "0.999999999999",
    "1e-12",
    "2",
    "100",
    "1e6",
    "-0.5",
    "inf",
    "-inf",
];

/// Reads choices in order; past the end every choice is 0 (the plainest option).
struct Choices<'a> {
    stream: &'a [u16],
    at: usize,
    /// One number in `wildness` is extreme or arbitrary (0: none), drawn once per scenario so
    /// that some scenarios are tame enough to reach the simulation and others are not.
    wildness: usize,
}

impl<'a> Choices<'a> {
    fn new(stream: &'a [u16]) -> Self {
        let mut c = Choices { stream, at: 0, wildness: 0 };
        c.wildness = [0, 64, 16, 4][c.pick(4)];
        c
    }
}

impl Choices<'_> {
    fn pick(&mut self, n: usize) -> usize {
        let choice = self.stream.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        usize::from(choice) % n.max(1)
    }

    fn flag(&mut self) -> bool {
        self.pick(2) == 1
    }

    /// A number: mostly plain ones, often an extreme one, sometimes an arbitrary finite double.
    fn number(&mut self) -> String {
        let wild = self.wildness > 0 && self.pick(self.wildness) == 0;
        match if wild { 1 + self.pick(3) } else { 0 } {
            0 => ["0.5", "0.1", "1", "0.3"][self.pick(4)].to_string(),
            1 | 2 => NUMBERS[self.pick(NUMBERS.len())].to_string(),
            _ => {
                let bits = (self.pick(1 << 16) as u64) << 48
                    | (self.pick(1 << 16) as u64) << 32
                    | (self.pick(1 << 16) as u64) << 16
                    | self.pick(1 << 16) as u64;
                let x = f64::from_bits(bits);
                if x.is_finite() { format!("{x:e}") } else { "7".to_string() }
            }
        }
    }

    /// A probability-like number (mostly in [0, 1], sometimes not).
    fn probability(&mut self) -> String {
        let wild = self.wildness > 0 && self.pick(self.wildness) == 0;
        match if wild { 1 + self.pick(2) } else { 0 } {
            0 => ["0.1", "0.5", "0.03", "0.9"][self.pick(4)].to_string(),
            1 => ["0", "1", "1e-300", "0.999999999999", "5e-324"][self.pick(5)].to_string(),
            _ => self.number(),
        }
    }

    /// A whole number: small, on a boundary, or huge.
    fn whole(&mut self, small: u64) -> String {
        let wild = self.wildness > 0 && self.pick(self.wildness) == 0;
        match if wild { 2 + self.pick(2) } else { self.pick(2) } {
            0 | 1 => (1 + self.pick(small as usize)).to_string(),
            2 => ["0", "1", "-1", "1200", "1201"][self.pick(5)].to_string(),
            _ => ["10000000", "9223372036854775807", "4294967296", "100000"][self.pick(4)].to_string(),
        }
    }

    /// True for one choice in `wildness` (never in a tame scenario): break a rule of the format.
    fn wild(&mut self) -> bool {
        self.wildness > 0 && self.pick(self.wildness) == 0
    }

    fn one<'s>(&mut self, names: &[&'s str]) -> Option<&'s str> {
        if names.is_empty() { None } else { Some(names[self.pick(names.len())]) }
    }
}

/// The names a generated scenario declares, for its terms.
#[derive(Default)]
struct Names {
    numeric_drivers: Vec<&'static str>,
    categorical: Option<&'static str>,
    variables: Vec<&'static str>,
    events: Vec<&'static str>,
    issues: Vec<(&'static str, bool)>,
    populations: Vec<&'static str>,
}

const DRIVERS: &[&str] = &["d0", "d1", "d2", "d3"];
const VARIABLES: &[&str] = &["v0", "v1", "v2"];
const EVENTS: &[&str] = &["e0", "e1", "e2"];
const POPULATIONS: &[&str] = &["p0", "p1"];

impl Names {
    /// One factor of a term over the declared names (`month` when there is nothing else);
    /// `first(...)` only in outcomes (links refuse it) unless the choices break the rule.
    fn factor(&self, c: &mut Choices, in_link: bool) -> String {
        let first_allowed = !in_link || c.wild();
        let d = c.one(&self.numeric_drivers);
        let v = c.one(&self.variables);
        let e = c.one(&self.events);
        let p = c.one(&self.populations);
        let issue = if self.issues.is_empty() { None } else { Some(self.issues[c.pick(self.issues.len())]) };
        let options: Vec<Option<String>> = vec![
            Some("month".into()),
            d.map(str::to_string),
            v.map(str::to_string),
            e.map(str::to_string),
            e.map(|e| format!("ever({e})")),
            e.map(|e| format!("count({e})")),
            e.filter(|_| first_allowed).map(|e| format!("first({e})")),
            d.map(|d| format!("after({d})")),
            self.categorical.map(|k| format!("{k}=b")),
            issue.map(|(i, _)| format!("forecast({i})")),
            issue.filter(|(_, agreement)| *agreement).map(|(i, _)| format!("agreed({i})")),
            issue.filter(|(_, agreement)| *agreement).map(|(i, _)| format!("settlement({i})")),
            p.map(|p| format!("home({p})")),
            p.map(|p| format!("home_share({p})")),
        ];
        let present: Vec<String> = options.into_iter().flatten().collect();
        present[c.pick(present.len())].clone()
    }

    fn term(&self, c: &mut Choices, in_link: bool) -> String {
        let factors = 1 + c.pick(3);
        (0..factors).map(|_| self.factor(c, in_link)).collect::<Vec<_>>().join(" * ")
    }

    /// `links = { … }` with up to three terms (distinct keys), or nothing.
    fn links(&self, c: &mut Choices) -> String {
        let mut terms: Vec<String> = (0..c.pick(4)).map(|_| self.term(c, true)).collect();
        terms.sort();
        terms.dedup();
        if terms.is_empty() {
            return String::new();
        }
        let entries: Vec<String> = terms.iter().map(|t| format!("\"{t}\" = {}", c.number())).collect();
        format!("links = {{ {} }}\n", entries.join(", "))
    }
}

/// Numbers in ascending order, unless the choices say to keep them as drawn (1 in 4): bounds are
/// mostly ordered, so that the layers past the loader are reached.
fn ordered(c: &mut Choices, count: usize) -> Vec<String> {
    let mut numbers: Vec<String> = (0..count).map(|_| c.number()).collect();
    if !c.wild() {
        numbers.sort_by(|a, b| {
            let value = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
            value(a).total_cmp(&value(b))
        });
    }
    numbers
}

/// A distribution table body, e.g. `beta = { alpha = 1e19, beta = 3 }`.
fn distribution(c: &mut Choices) -> String {
    match c.pick(12) {
        0 => {
            let v = ordered(c, 2);
            format!("uniform = {{ min = {}, max = {} }}", v[0], v[1])
        }
        1 => format!("normal = {{ mean = {}, sd = {} }}", c.number(), c.number()),
        2 => {
            let v = ordered(c, 3);
            format!("normal = {{ mean = {}, sd = {}, min = {}, max = {} }}", v[1], c.number(), v[0], v[2])
        }
        3 => format!("lognormal = {{ mu = {}, sigma = {} }}", c.number(), c.number()),
        4 => {
            let v = ordered(c, 2);
            format!("lognormal = {{ p5 = {}, p95 = {} }}", v[0], v[1])
        }
        5 => format!("beta = {{ alpha = {}, beta = {} }}", c.number(), c.number()),
        6 => {
            let sd = if c.wild() { c.number() } else { ["0.1", "0.05", "0.01"][c.pick(3)].to_string() };
            format!("beta = {{ mean = {}, sd = {sd} }}", c.probability())
        }
        7 | 8 => {
            let form = if c.flag() { "triangular" } else { "pert" };
            let v = ordered(c, 3);
            format!("{form} = {{ min = {}, mode = {}, max = {} }}", v[0], v[1], v[2])
        }
        9 => format!("poisson = {{ mean = {} }}", c.number()),
        10 => format!("bernoulli = {}", c.probability()),
        _ => format!("fixed = {}", c.number()),
    }
}

/// A value that is a number or a distribution: `0.5` or `{ beta = { … } }`.
fn amount(c: &mut Choices) -> String {
    if c.flag() { c.number() } else { format!("{{ {} }}", distribution(c)) }
}

/// A structurally valid scenario built from the choices.
fn scenario_text(c: &mut Choices) -> String {
    let mut names = Names::default();
    let horizon = 1 + c.pick(24);
    let mut text = format!(
        "[scenario]\nname = \"fuzz\"\nstart = \"2024-01\"\nhorizon = {}\nruns = {}\nseed = {}\n\n",
        if c.pick(8) == 0 { c.whole(24) } else { horizon.to_string() },
        if c.pick(8) == 0 { c.whole(5) } else { "3".to_string() },
        c.pick(1000),
    );

    // Drivers: numeric ones, and maybe one categorical.
    for name in &DRIVERS[..1 + c.pick(DRIVERS.len())] {
        text.push_str(&format!("[drivers.{name}]\n{}\n\n", distribution(c)));
        names.numeric_drivers.push(name);
    }
    if c.flag() {
        let (a, b) = if c.wild() {
            (c.probability(), c.probability())
        } else {
            let (a, b) = [("0.5", "0.5"), ("0.3", "0.7"), ("1", "0"), ("0", "1")][c.pick(4)];
            (a.to_string(), b.to_string())
        };
        text.push_str(&format!("[drivers.k]\ncategorical = {{ a = {a}, b = {b} }}\n\n"));
        names.categorical = Some("k");
    }
    let variable_count = c.pick(VARIABLES.len() + 1);
    names.variables = VARIABLES[..variable_count].to_vec();
    let event_count = c.pick(EVENTS.len() + 1);
    names.events = EVENTS[..event_count].to_vec();
    let population_count = c.pick(3).min(POPULATIONS.len());
    names.populations = POPULATIONS[..population_count].to_vec();
    let issue = c.pick(3);
    if issue > 0 {
        names.issues.push(("i0", issue == 2));
    }

    for name in &names.variables {
        text.push_str(&format!("[variables.{name}]\ninitial = {}\n", amount(c)));
        if c.flag() {
            let bounds = ordered(c, 2);
            text.push_str(&format!("min = {}\nmax = {}\n", bounds[0], bounds[1]));
        }
        if c.flag() {
            text.push_str(&format!("target = {}\n", c.number()));
        }
        text.push_str(&format!("speed = {}\nnoise = {}\n", c.probability(), c.number()));
        text.push_str(&names.links(c));
        text.push('\n');
    }

    for name in &names.events {
        text.push_str(&format!("[events.{name}]\n"));
        match c.pick(3) {
            0 | 1 => {
                text.push_str(&format!("probability = {}\n", c.probability()));
                text.push_str(&names.links(c));
            }
            _ => match c.one(&names.numeric_drivers) {
                Some(d) if c.flag() => text.push_str(&format!("at = \"{d}\"\n")),
                _ => text.push_str(&format!("at = {}\n", c.pick(horizon))),
            },
        }
        if c.flag() {
            text.push_str(&format!("duration = {}\n", c.whole(6)));
        }
        if c.flag() {
            text.push_str("once = true\n");
        }
        if let Some(v) = c.one(&names.variables) {
            let op = ["add", "mul", "set"][c.pick(3)];
            text.push_str(&format!("effects = {{ {v} = {{ {op} = {} }} }}\n", c.number()));
        }
        text.push('\n');
    }

    if let Some(&(issue, agreement)) = names.issues.first() {
        let actors = ["a0", "a1", "a2"];
        for actor in &actors {
            let capability = match c.pick(3) {
                0 => c.number(),
                1 => format!("{{ {} }}", distribution(c)),
                _ => match c.one(&names.variables) {
                    Some(v) => format!("\"{v}\""),
                    None => c.number(),
                },
            };
            text.push_str(&format!("[actors.{actor}]\ncapability = {capability}\n\n"));
        }
        let model = if c.flag() { "bdm" } else { "compromise" };
        text.push_str(&format!("[issues.{issue}]\nmodel = \"{model}\"\n"));
        if c.wild() {
            let scale = ordered(c, 2);
            text.push_str(&format!("scale = [{}, {}]\n", scale[0], scale[1]));
        }
        if c.flag() {
            text.push_str(&format!("every = {}\n", c.whole(4)));
        }
        if model == "compromise" && c.flag() {
            text.push_str(&format!("concession = {}\n", c.probability()));
        }
        if agreement {
            text.push_str(&format!(
                "agreement = {{ parties = [\"a0\", \"a1\"], within = {}, probability = {} }}\n",
                c.number(),
                c.probability()
            ));
        }
        text.push_str(&format!("\n[issues.{issue}.stakes]\n"));
        for actor in &actors[..2 + c.pick(2)] {
            let salience = match c.pick(3) {
                0 => c.probability(),
                1 if c.wild() => format!("{{ {} }}", distribution(c)),
                1 => format!("{{ beta = {{ alpha = {}, beta = {} }} }}", c.number(), c.number()),
                _ => match c.one(&names.variables) {
                    Some(v) => format!("\"{v}\""),
                    None => c.probability(),
                },
            };
            let position = if c.wild() {
                amount(c)
            } else if c.flag() {
                c.number()
            } else {
                let v = ordered(c, 2);
                format!("{{ uniform = {{ min = {}, max = {} }} }}", v[0], v[1])
            };
            text.push_str(&format!("{actor} = {{ position = {position}, salience = {salience} }}\n"));
        }
        text.push('\n');
    }

    for name in &names.populations {
        let agents = if c.pick(4) == 0 { c.whole(50) } else { (1 + c.pick(60)).to_string() };
        text.push_str(&format!(
            "[populations.{name}]\npersons = {}\nagents = {agents}\nat_home = {}\nthreshold = {}\n",
            amount(c),
            c.pick(3),
            amount(c)
        ));
        text.push_str(&format!("utility = {}\npeer = {}\nnoise = {}\n", c.number(), c.number(), c.number()));
        text.push_str(&names.links(c));
        if let Some(e) = c.one(&names.events) {
            text.push_str(&format!("flee = {{ on = \"{e}\", probability = {} }}\n", c.probability()));
        }
        text.push('\n');
    }

    for index in 0..1 + c.pick(4) {
        text.push_str(&format!("[outcomes.o{index}]\nmeasure = \"{}\"\n", names.term(c, false)));
        if c.flag() {
            text.push_str("series = true\n");
        }
        text.push('\n');
    }
    text
}

/// An optional `--set` of a generated scenario.
fn override_of(c: &mut Choices) -> Vec<String> {
    match c.pick(6) {
        0 => vec![format!("drivers.d0={{ {} }}", distribution(c))],
        1 => vec![format!("scenario.runs={}", c.whole(5))],
        _ => Vec::new(),
    }
}

/// What a case ended in.
#[derive(Debug)]
enum Ending {
    /// Simulated and summarized.
    Simulated,
    /// Stopped with a diagnostic (load, compile or engine).
    Diagnostic,
}

/// Loads, registers, compiles, simulates (at most 5 runs) and summarizes `text`; panics on a lie.
fn pipeline(text: &str, overrides: &[String]) -> Ending {
    let base = Path::new("/nonexistent/crossroads-fuzz");
    let loaded = match scenario::load_str("fuzz.toml", text, base, overrides) {
        Ok(loaded) => loaded,
        Err(error) => {
            let rendered = error.render();
            assert!(rendered.contains("could not load scenario"), "{rendered}");
            assert!(rendered.contains("fuzz.toml:") || rendered.contains("--set #"), "{rendered}");
            return Ending::Diagnostic;
        }
    };
    // `crossroads check` prints the register: it evaluates every distribution's mean and quantiles.
    let register = scenario::register(&loaded.scenario);
    let _ = scenario::render_register(&register);
    let model = match Model::compile(&loaded.scenario) {
        Ok(model) => model,
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return Ending::Diagnostic;
        }
    };
    let runs = loaded.scenario.meta.runs.min(5);
    let settings = Settings { runs, seed: loaded.scenario.meta.seed, threads: Some(1), progress: false };
    let simulation = match engine::simulate(&model, &settings) {
        Ok(simulation) => simulation,
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return Ending::Diagnostic;
        }
    };
    for (index, value) in simulation.drivers.iter().enumerate() {
        assert!(value.is_finite(), "driver value {value} (run-major index {index})");
    }
    for (k, outcome) in model.outcomes.iter().enumerate() {
        let undefined_allowed = outcome.text.contains("first(");
        for value in simulation.outcome_values(k) {
            assert!(
                value.is_finite() || (value.is_nan() && undefined_allowed),
                "outcome `{}` = {value}",
                outcome.name
            );
        }
    }
    let summary = stats::summarize(&model, &simulation);
    let json = serde_json::to_string(&summary).expect("the summary serializes");
    assert!(!json.contains("NaN") && !json.contains("inf"), "{json}");
    Ending::Simulated
}

/// Runs the pipeline on another thread and fails the case if it takes longer than [`CASE_LIMIT`].
fn within_limit(text: String, overrides: Vec<String>) -> Ending {
    let (sender, receiver) = mpsc::channel();
    let (t, o) = (text.clone(), overrides.clone());
    let worker = std::thread::spawn(move || {
        let _ = sender.send(pipeline(&t, &o));
    });
    match receiver.recv_timeout(CASE_LIMIT) {
        Ok(ending) => ending,
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let panic = worker.join().err().and_then(|p| {
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            });
            panic!("the pipeline panicked: {}\n--set {overrides:?}\n{text}", panic.unwrap_or_default())
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("the pipeline took more than {CASE_LIMIT:?}\n--set {overrides:?}\n{text}")
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_layer_ends_in_ok_or_a_diagnostic(choices in prop::collection::vec(any::<u16>(), 0..400)) {
        let mut c = Choices::new(&choices);
        let text = scenario_text(&mut c);
        let overrides = override_of(&mut c);
        within_limit(text, overrides);
    }
}

/// The generator reaches the simulation often enough to be worth its time: of 300 random
/// choice streams (as proptest draws them), at least a fifth simulate.
#[test]
fn the_generator_reaches_the_simulation() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        // xorshift64*: any fixed stream will do.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 48) as u16
    };
    let mut simulated = 0;
    for _ in 0..300 {
        let choices: Vec<u16> = (0..400).map(|_| next()).collect();
        let mut c = Choices::new(&choices);
        let text = scenario_text(&mut c);
        if matches!(within_limit(text.clone(), Vec::new()), Ending::Simulated) {
            simulated += 1;
        } else if c.wildness == 0 && std::env::var("FUZZ_DEBUG").is_ok() {
            let error = scenario::load_str("plain.toml", &text, Path::new("."), &[]).err();
            eprintln!("DEBUG {text}\n{}", error.map(|e| e.render()).unwrap_or_default());
        }
    }
    eprintln!("{simulated} of 300 random cases simulated");
    assert!(simulated >= 60, "only {simulated} of 300 random cases simulated");
}

/// Cases the generator found (shrunk), kept as fixed cases: each once panicked, hung or lied.
#[test]
fn regressions_found_by_the_fuzzer_stay_fixed() {
    let head = "[scenario]\nname = \"fuzz\"\nstart = \"2024-01\"\nhorizon = 6\nruns = 3\n\n";
    let cases = [
        // lognormal values of e^(1e19): ∞ drivers.
        "[drivers.d0]\nlognormal = { mu = 1e19, sigma = 0.5 }\n",
        // The Poisson inverse CDF's search overflowed (a hang in release builds).
        "[drivers.d0]\npoisson = { mean = 1e19 }\n",
        // NaN draws, reported as undefined.
        "[drivers.d0]\nbeta = { mean = 0.5, sd = 1e-160 }\n",
        // statrs' beta inverse CDF loops for ever on these shapes (as a threshold: the table).
        "[drivers.d0]\nfixed = 1\n\n[populations.p0]\npersons = 10\nagents = 5\n\
         threshold = { beta = { alpha = 1000, beta = 1.000000001 } }\nutility = 0\npeer = 0\nnoise = 0.1\n",
        // A NaN initial guess reached statrs' incomplete beta function, which panics on it.
        "[drivers.d0]\nbeta = { alpha = 5e-324, beta = 1e300 }\n",
        // ∞ − ∞ in links: used to turn into probability 0 silently.
        "[drivers.d0]\nfixed = 1e300\n\n[events.e0]\nprobability = 0.5\n\
         links = { d0 = 1e300, \"d0 * month\" = -1e300 }\n",
        // A threshold's beta table at α = 2.4e-250: every node's inverse ran to its step limit (12 s).
        "[drivers.d0]\nfixed = 1\n\n[populations.p0]\npersons = 0.1\nagents = 7\nat_home = 2\n\
         threshold = { beta = { alpha = 2.4181349606071036e-250, beta = 1 } }\nutility = 0.1\npeer = 1\nnoise = 1\n",
    ];
    for body in cases {
        let text = format!("{head}{body}\n[outcomes.o0]\nmeasure = \"month\"\n");
        within_limit(text, Vec::new());
    }
}
