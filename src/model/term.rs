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

/// What changes a factor's value during a run, and so when a run's [`FactorValues`] refresh it
/// (the month order of `model/mod.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Drawn at the start of a run: drivers and `driver=outcome`.
    Run,
    /// The month and the events: `month`, `after(d)`, an event's activity, `ever`, `count`.
    Events,
    /// The variables.
    Variables,
    /// Bargaining and agreements: `agreed`, `settlement`, `forecast`.
    Issues,
    /// Who is at home: `home`, `home_share`.
    Populations,
}

impl Source {
    const ALL: [Source; 5] =
        [Source::Run, Source::Events, Source::Variables, Source::Issues, Source::Populations];
}

impl Factor {
    /// What changes the factor's value; `None` for `first(...)`, which may be undefined and so
    /// has no number to keep in a table.
    fn source(self) -> Option<Source> {
        Some(match self {
            Factor::Driver(_) | Factor::DriverIs { .. } => Source::Run,
            Factor::Variable(_) => Source::Variables,
            Factor::Active(_) | Factor::Month => Source::Events,
            Factor::Call(function, _) | Factor::Within(function, _, _) => match function {
                Function::First => return None,
                Function::Ever | Function::Count | Function::CountWithin | Function::After => Source::Events,
                Function::Agreed | Function::Settlement | Function::Forecast => Source::Issues,
                Function::Home | Function::HomeShare => Source::Populations,
            },
        })
    }

    /// An order of the kinds of factor (and of the functions called), so that a group of the
    /// table refreshes the factors of one kind one after the other: the same branch of the
    /// `match` in [`Factor::value`] again and again.
    fn kind(self) -> (u8, u8) {
        match self {
            Factor::Driver(_) => (0, 0),
            Factor::DriverIs { .. } => (1, 0),
            Factor::Variable(_) => (2, 0),
            Factor::Active(_) => (3, 0),
            Factor::Month => (4, 0),
            Factor::Call(function, _) => (5, function as u8),
            Factor::Within(function, _, _) => (6, function as u8),
        }
    }
}

/// The distinct factors of a model's links, each given a slot in a run's [`FactorValues`]: a link
/// then reads its factors by slot instead of matching on each factor's kind every month (the
/// `match` per factor was most of the run's mispredicted branches). Slot 0 holds 1, which pads a
/// term shorter than the longest of its table (x · 1 = x exactly, so the product is unchanged).
#[derive(Debug, Clone, PartialEq)]
pub struct FactorTable {
    /// The factor of each slot (none for slot 0, the constant 1).
    slots: Vec<Option<Factor>>,
    /// (slot, factor) grouped by [`Source`] (in `Source::ALL` order), refreshed together; within
    /// a group by kind of factor.
    groups: [Vec<(usize, Factor)>; 5],
}

impl Default for FactorTable {
    fn default() -> Self {
        FactorTable { slots: vec![None], groups: Default::default() }
    }
}

impl FactorTable {
    /// The slot of `factor`, added if new; `None` for a factor without a table value (`first`).
    fn slot(&mut self, factor: Factor) -> Option<usize> {
        let source = factor.source()?;
        if let Some(slot) = self.slots.iter().position(|f| *f == Some(factor)) {
            return Some(slot);
        }
        let slot = self.slots.len();
        self.slots.push(Some(factor));
        let group = &mut self.groups[source as usize];
        let at = group.partition_point(|(_, f)| f.kind() <= factor.kind());
        group.insert(at, (slot, factor));
        Some(slot)
    }

    /// A run's table of values, every slot but the constant 1 still to be filled by
    /// [`FactorTable::refresh_all`].
    pub fn values(&self) -> FactorValues {
        let mut values = vec![0.0; self.slots.len()];
        if let Some(one) = values.first_mut() {
            *one = 1.0;
        }
        FactorValues(values)
    }

    /// Recomputes the factors whose values `source` changes, from `state`. The world calls it
    /// after every change of the state that terms can see, so that a link reads the same numbers
    /// as [`Factor::value`] would.
    #[inline]
    pub fn refresh(&self, source: Source, values: &mut FactorValues, state: &State) {
        for &(slot, factor) in &self.groups[source as usize] {
            // Every factor with a source is defined (only `first` is not, and has no slot).
            values.0[slot] = factor.value(state).unwrap_or(f64::NAN);
        }
    }

    /// Recomputes every factor from `state` (at the start of a run).
    pub fn refresh_all(&self, values: &mut FactorValues, state: &State) {
        for source in Source::ALL {
            self.refresh(source, values, state);
        }
    }
}

/// One run's values of the factors of a [`FactorTable`], by slot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FactorValues(Vec<f64>);

/// A link table: Σ coefficient · term, added to a baseline. An undefined term (a `first(...)` of
/// an event that has not fired) contributes 0.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Links {
    /// (term, coefficient) in file order.
    pub links: Vec<(Term, f64)>,
    /// Slots a link once tabulated: the most factors of any of its terms, at least
    /// [`Links::PAIR`]; 0 when some factor has no table value (`first`) and the terms are
    /// evaluated factor by factor.
    width: usize,
    /// Each link's factors as slots of the model's [`FactorTable`], `width` a link, padded with
    /// slot 0 (the constant 1).
    slots: Vec<usize>,
    /// Each link's coefficient, beside `slots`.
    coefficients: Vec<f64>,
}

impl Links {
    /// The fewest slots a tabulated link takes: most terms have one or two factors, and one width
    /// for both keeps the sum's branches the same from one table to the next.
    const PAIR: usize = 2;

    /// The links, evaluated factor by factor until [`Links::tabulate`].
    pub fn new(links: Vec<(Term, f64)>) -> Self {
        Links { links, ..Links::default() }
    }

    /// Gives every factor a slot in `table` so that [`Links::sum`] reads values by slot; the
    /// links stay evaluated factor by factor when one of them has a `first(...)`.
    pub fn tabulate(&mut self, table: &mut FactorTable) {
        let tabulated = self.links.iter().all(|(term, _)| term.factors.iter().all(|f| f.source().is_some()));
        if self.links.is_empty() || !tabulated {
            return;
        }
        let longest = self.links.iter().map(|(term, _)| term.factors.len()).max().unwrap_or(0);
        let width = longest.max(Self::PAIR);
        let mut slots = Vec::with_capacity(width * self.links.len());
        for (term, _) in &self.links {
            let start = slots.len();
            slots.extend(term.factors.iter().filter_map(|&f| table.slot(f)));
            slots.resize(start + width, 0);
        }
        self.width = width;
        self.slots = slots;
        self.coefficients = self.links.iter().map(|(_, c)| *c).collect();
    }

    /// Σ coefficient · term in `state`, whose factors `values` holds when tabulated (kept
    /// current by [`FactorTable::refresh`]). The same products and sum in the same order either way.
    #[inline]
    pub fn sum(&self, state: &State, values: &FactorValues) -> f64 {
        let sum = if self.width == Self::PAIR {
            self.sum_of_pairs(values)
        } else if self.width == 0 {
            self.sum_by_factor(state)
        } else {
            self.sum_tabulated(values)
        };
        #[cfg(test)]
        assert_eq!(
            sum.to_bits(),
            self.sum_by_factor(state).to_bits(),
            "a tabulated factor is stale: {:?}",
            self.links
        );
        sum
    }

    /// Σ coefficient · term, each factor evaluated by its kind.
    fn sum_by_factor(&self, state: &State) -> f64 {
        self.links.iter().map(|(term, coefficient)| coefficient * term.value(state).unwrap_or(0.0)).sum()
    }

    /// Σ coefficient · term over two slots a link (1 · a · b, as [`Term::value`] multiplies).
    #[inline]
    fn sum_of_pairs(&self, values: &FactorValues) -> f64 {
        let values = values.0.as_slice();
        let (pairs, _) = self.slots.as_chunks::<2>();
        pairs
            .iter()
            .zip(&self.coefficients)
            .map(|(&[a, b], coefficient)| {
                let mut product = 1.0;
                product *= values[a];
                product *= values[b];
                coefficient * product
            })
            .sum()
    }

    /// Σ coefficient · term over `width` slots a link.
    fn sum_tabulated(&self, values: &FactorValues) -> f64 {
        let values = values.0.as_slice();
        self.slots
            .chunks_exact(self.width)
            .zip(&self.coefficients)
            .map(|(slots, coefficient)| {
                coefficient * slots.iter().fold(1.0, |product, &slot| product * values[slot])
            })
            .sum()
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

    /// Every shipped scenario, some runs each: at every sum of links, `Links::sum` checks (in test
    /// builds) that the tabulated values give the same bits as evaluating each factor, so a factor
    /// left stale by a missing refresh fails here. Every kind of factor the files use is covered,
    /// and `first(...)` in a link keeps its table evaluated factor by factor.
    #[test]
    fn tabulated_links_sum_to_the_same_bits_in_every_shipped_scenario() {
        use crate::model::{Model, RunValues, World};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut files: Vec<_> = ["", "variants", "examples"]
            .iter()
            .flat_map(|dir| std::fs::read_dir(root.join(dir)).unwrap())
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        assert!(files.len() >= 15, "{files:?}");
        for path in files {
            let loaded = crate::scenario::load_file(&path, &[]).unwrap_or_else(|e| panic!("{}", e.render()));
            let model = Model::compile(&loaded.scenario).unwrap();
            let series = model.series_outcomes().count() * model.horizon as usize;
            let mut drivers = vec![0.0; model.drivers.len()];
            let mut outcomes = vec![0.0; model.outcomes.len()];
            let mut values = vec![0.0; series];
            let mut evidence = vec![0.0; model.evidence.len()];
            let mut world = World::new(&model);
            for run in 0..20 {
                let out = RunValues {
                    drivers: &mut drivers,
                    outcomes: &mut outcomes,
                    series: &mut values,
                    evidence: &mut evidence,
                };
                let _ = world.simulate(loaded.scenario.meta.seed, run, out);
            }
        }
    }

    /// Every kind of factor in links of every owner, with terms of one to four factors and a
    /// `first(...)`: the check in `Links::sum` (test builds) compares each sum with evaluating
    /// factor by factor, so a kind the world forgets to refresh after changing it fails here.
    #[test]
    fn every_kind_of_factor_is_current_when_links_read_it() {
        use crate::model::testing::*;
        use crate::scenario::{Agreement, BargainingModel, Distribution, Factor as F, Flee, Function as Fn};
        let name = |n: &str| n.to_string();
        let mut s = scenario(60);
        s.drivers = vec![
            driver("d", Distribution::Uniform { min: 5.0, max: 40.0 }),
            driver("war", Distribution::Categorical(vec![(name("on"), 0.5), (name("off"), 0.5)])),
        ];
        let mut clash = hazard("clash", 0.15);
        clash.duration = 3;
        clash.effects = vec![crate::scenario::Effect {
            variable: name("x"),
            operation: crate::scenario::Operation::Add(0.1),
        }];
        clash.trigger = crate::scenario::Trigger::Hazard {
            probability: 0.15,
            links: vec![
                link(vec![F::Variable(name("x"))], 0.5),
                link(vec![F::Call(Fn::HomeShare, name("p")), F::Month], 0.01),
                link(vec![F::Call(Fn::Agreed, name("deal")), F::Call(Fn::After, name("d"))], -0.3),
            ],
        };
        s.events = vec![clash, scheduled("start", "d")];
        let mut x = variable("x", 0.2, 0.3, 0.1, 0.05);
        x.links = vec![
            link(vec![F::Call(Fn::Forecast, name("deal"))], 0.001),
            link(vec![F::Within(Fn::CountWithin, name("clash"), Window { from: 2, to: 30 })], 0.01),
            link(vec![F::Active(name("clash")), F::Driver(name("d")), F::Variable(name("x"))], 0.002),
            link(
                vec![
                    F::DriverIs { driver: name("war"), outcome: name("on") },
                    F::Call(Fn::Ever, name("start")),
                    F::Call(Fn::Count, name("clash")),
                    F::Call(Fn::Home, name("p")),
                ],
                1e-5,
            ),
        ];
        s.variables = vec![x];
        s.actors = vec![actor("a", 0.5), actor("b", 0.5)];
        let mut deal = issue(
            "deal",
            BargainingModel::Compromise { concession: 0.2 },
            2,
            vec![stake("a", 20.0, 0.5), stake("b", 80.0, 0.5)],
        );
        deal.agreement = Some(Agreement {
            parties: vec![name("a"), name("b")],
            within: 30.0,
            probability: 0.05,
            links: vec![
                link(vec![F::Variable(name("x"))], -1.0),
                link(vec![F::Call(Fn::Settlement, name("deal"))], 0.01),
            ],
        });
        s.issues = vec![deal];
        let mut p = population("p", 300, Distribution::Uniform { min: 0.0, max: 1.0 }, 0.3, 0.2, 0.1);
        p.flee = Some(Flee { on: name("clash"), probability: 0.3 });
        p.links = vec![
            link(vec![F::Call(Fn::HomeShare, name("p"))], 0.1),
            link(vec![F::Call(Fn::First, name("clash"))], -0.001),
        ];
        s.populations = vec![p];
        s.outcomes = vec![outcome("x", vec![F::Variable(name("x"))], true)];
        let (model, _) = run(&s, 50, 3);
        let widths: Vec<usize> = model.variables.iter().map(|v| v.links.width).collect();
        assert_eq!(widths, [4]);
        assert_eq!(model.populations.first().map(|p| p.links.width), Some(0));
    }

    /// The table of a link with `first(...)` stays unevaluated (the term may be undefined), and
    /// terms of one to four factors are padded to their table's longest.
    #[test]
    fn links_are_tabulated_unless_a_factor_may_be_undefined() {
        let mut table = FactorTable::default();
        let term = |factors: Vec<Factor>| Term { factors };
        let mut with_first = Links::new(vec![
            (term(vec![Factor::Variable(0)]), 1.0),
            (term(vec![Factor::Call(Function::First, 0)]), 2.0),
        ]);
        with_first.tabulate(&mut table);
        assert_eq!((with_first.width, with_first.slots.len()), (0, 0));
        let mut single = Links::new(vec![(term(vec![Factor::Variable(0)]), 1.0)]);
        single.tabulate(&mut table);
        assert_eq!((single.width, single.slots.as_slice()), (2, [1, 0].as_slice()));
        let mut wide = Links::new(vec![
            (term(vec![Factor::Variable(0)]), 1.0),
            (term(vec![Factor::Month, Factor::Driver(1), Factor::Variable(0), Factor::Active(2)]), 2.0),
        ]);
        wide.tabulate(&mut table);
        assert_eq!(wide.width, 4);
        assert_eq!(wide.slots, [1, 0, 0, 0, 2, 3, 1, 4]);
        assert_eq!(table.slots.len(), 5);
    }
}
