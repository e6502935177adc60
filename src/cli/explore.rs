//! `crossroads explore`: run a scenario's `[experiment]` — a design over some of its numbers, each
//! point run `replications` times on common random numbers — and report which factors matter
//! (Sobol indices or Morris measures, each with its interval, and the share that is chance) and,
//! with `--target`, the region of the factors where the target outcome concentrates (PRIM).
//!
//! The flow: load → design (unit coordinates, `engine::design`) → each point's factor values
//! (through each factor's distribution) → each point's model (the resolved scenario with one
//! `--set` per factor) → runs (`engine::experiment`) → analysis (`stats::experiment`,
//! `stats::prim`) → files (`report::explore`, written atomically like `run`'s).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;

use super::{
    Failure, ShardSpec, SharedOptions, bad_input, internal, load_scenario, prepare_output, resolve_shard,
    write_failure,
};
use crate::engine::design;
use crate::engine::experiment::{ExperimentError, PointRuns, run_range};
use crate::model::Model;
use crate::report::explore::{ExploreOutput, describe_box, morris_of, sobol_of, write_explore};
use crate::report::{self, PendingOutput};
use crate::scenario::{self, Design, Experiment};
use crate::stats::experiment::{Layout, analyse};
use crate::stats::prim::{PrimSettings, prim};
use crate::{format, stats};

/// `crossroads explore`.
#[derive(Debug, Args)]
pub struct ExploreArgs {
    /// Scenario file with an [experiment] table (e.g. scenarios/explore/south_caucasus_2024.toml).
    pub scenario: PathBuf,
    /// Design size (default: the experiment's `points`): Sobol's base rows, Morris's trajectories,
    /// LHS points, or a grid's levels per factor.
    #[arg(long, value_name = "N")]
    pub points: Option<u64>,
    /// Runs at every design point (default: the experiment's `replications`).
    #[arg(long, value_name = "R")]
    pub replications: Option<u64>,
    #[command(flatten)]
    pub shared: SharedOptions,
    /// Run only shard I of N of the experiment's runs (its 64-run chunks, counted point by point)
    /// and write a shard result (default folder output/<name>-explore-shard-<I>-of-<N>/) for
    /// `crossroads merge`. `auto` or `auto/N` reads the index (and count) from a Slurm array,
    /// Kubernetes Indexed Job or `CROSSROADS_SHARD`, as for `run --shard`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<ShardSpec>,
    /// Scenario discovery: the runs of interest, e.g. 'treaty_signed_2028 = 1' or 'returned_2030 > 5000'.
    #[arg(long, value_name = "CONDITION")]
    pub target: Option<String>,
}

/// explore's own help for the flags it shares with run.
pub fn help(command: clap::Command) -> clap::Command {
    command
        .mut_arg("seed", |a| a.help("Seed of the design and the runs (default: the scenario's `seed`)"))
        .mut_arg("out", |a| a.help("Output folder (default: output/<scenario name>-explore/)"))
        .mut_arg("quiet", |a| a.help("No progress bar and no tables"))
        .mut_arg("set", |a| a.help("Override one value, e.g. --set experiment.replications=50 (repeatable)"))
}

/// A `--target`: an outcome, a comparison and a number.
#[derive(Debug, Clone, Copy)]
struct Target {
    outcome: usize,
    comparison: Comparison,
    threshold: f64,
}

#[derive(Debug, Clone, Copy)]
enum Comparison {
    Above,
    AtLeast,
    Below,
    AtMost,
    Equal,
    NotEqual,
}

impl Target {
    /// Whether a run's value meets the target (an undefined value never does).
    fn holds(self, value: f64) -> bool {
        if !value.is_finite() {
            return false;
        }
        match self.comparison {
            Comparison::Above => value > self.threshold,
            Comparison::AtLeast => value >= self.threshold,
            Comparison::Below => value < self.threshold,
            Comparison::AtMost => value <= self.threshold,
            Comparison::Equal => value == self.threshold,
            Comparison::NotEqual => value != self.threshold,
        }
    }
}

/// Parses `OUTCOME OP NUMBER` against the model's outcomes.
fn parse_target(text: &str, model: &Model) -> Result<Target, Failure> {
    let help =
        "write OUTCOME OP NUMBER with OP one of > >= < <= = !=, e.g. --target 'treaty_signed_2028 = 1'";
    let operators = [
        (">=", Comparison::AtLeast),
        ("<=", Comparison::AtMost),
        ("!=", Comparison::NotEqual),
        ("==", Comparison::Equal),
        (">", Comparison::Above),
        ("<", Comparison::Below),
        ("=", Comparison::Equal),
    ];
    let Some((at, op, comparison)) =
        operators.iter().find_map(|(op, c)| text.find(op).map(|at| (at, *op, *c)))
    else {
        return Err(bad_input(format!("--target {text:?} has no comparison"), help));
    };
    let name = text.get(..at).unwrap_or("").trim();
    let number = text.get(at + op.len()..).unwrap_or("").trim();
    let threshold: f64 = match number.parse::<f64>() {
        Ok(x) if x.is_finite() => x,
        _ => return Err(bad_input(format!("--target: {number:?} is not a finite number"), help)),
    };
    let names: Vec<&str> = model.outcomes.iter().map(|o| o.name.as_str()).collect();
    let Some(outcome) = names.iter().position(|n| *n == name) else {
        let hint = match scenario::diagnostic::closest(name, names.iter().copied()) {
            Some(best) => format!("did you mean `{best}`? The outcomes are: {}", names.join(", ")),
            None => format!("the outcomes are: {}", names.join(", ")),
        };
        return Err(bad_input(format!("--target: there is no outcome `{name}`"), &hint));
    };
    Ok(Target { outcome, comparison, threshold })
}

/// A TOML number for a factor's value (whole numbers rounded).
fn toml_number(value: f64, whole: bool) -> String {
    if whole { format!("{}", value.round() as i64) } else { format!("{value:?}") }
}

/// The design's points in unit coordinates, each point's role, and the analysis layout.
fn design_points(experiment: &Experiment, seed: u64) -> (Vec<design::Point>, Vec<String>, Layout) {
    let k = experiment.factors.len();
    let n = usize::try_from(experiment.points).unwrap_or(usize::MAX);
    let design_seed = seed ^ 0x6465_7369_676e; // "design": the runs' streams use `seed` itself
    match experiment.design {
        Design::Sobol => {
            let (a, b) = design::saltelli(n, k, design_seed);
            let mut points = Vec::with_capacity(n * (k + 2));
            let mut roles = Vec::with_capacity(n * (k + 2));
            points.extend(a.iter().cloned());
            roles.extend((0..n).map(|_| "A".to_string()));
            points.extend(b.iter().cloned());
            roles.extend((0..n).map(|_| "B".to_string()));
            for (i, factor) in experiment.factors.iter().enumerate() {
                points.extend(a.iter().zip(&b).map(|(ra, rb)| design::mixed(ra, rb, i)));
                roles.extend((0..n).map(|_| format!("AB:{}", factor.path)));
            }
            (points, roles, Layout::Saltelli { rows: n, factors: k })
        }
        Design::Morris => {
            let trajectories = design::morris_trajectories(k, n, experiment.levels as usize, design_seed);
            let roles = trajectories
                .iter()
                .enumerate()
                .flat_map(|(t, path)| (0..path.len()).map(move |_| format!("trajectory {t}")))
                .collect();
            let units: Vec<design::Point> = trajectories.into_iter().flatten().collect();
            (units.clone(), roles, Layout::Morris { units, factors: k })
        }
        Design::Lhs => {
            let points = design::latin_hypercube(n, k, design_seed);
            let roles = vec!["lhs".to_string(); points.len()];
            (points, roles, Layout::Plain)
        }
        Design::Grid => {
            let points = design::grid(k, n);
            let roles = vec!["grid".to_string(); points.len()];
            (points, roles, Layout::Plain)
        }
    }
}

/// An experiment ready to run: the scenario, its experiment as run (after `--points` and
/// `--replications`), its model, the design's points and each point's factor values. Public for
/// the benches (`benches/explore.rs`), which time its runs against `run`'s.
pub struct Plan {
    loaded: scenario::Loaded,
    /// The resolved scenario, read once: each point's is made from it.
    prepared: scenario::Prepared,
    experiment: Experiment,
    model: Model,
    /// The `--target` as written, and parsed.
    target: Option<(String, Target)>,
    seed: u64,
    roles: Vec<String>,
    layout: Layout,
    /// Each point's factor values, in factor order.
    values: Vec<Vec<f64>>,
    /// Runs of the whole experiment: points × replications.
    runs: u64,
}

impl Plan {
    /// Decodes the experiment of `loaded`, applies the overrides and lays out the design.
    pub fn new(
        loaded: scenario::Loaded,
        points: Option<u64>,
        replications: Option<u64>,
        seed: Option<u64>,
        target: Option<String>,
    ) -> Result<Plan, Failure> {
        let Some(mut experiment) = loaded.scenario.experiment.clone() else {
            return Err(bad_input(
                format!("{} has no [experiment] table", loaded.origin),
                "add one (or a file that `extends` this one with it): [experiment] with design = \"sobol\", points, \
                 replications and [experiment.factors]; see scenarios/explore/south_caucasus_2024.toml",
            ));
        };
        for (flag, value) in [("--points", points), ("--replications", replications)] {
            if value == Some(0) {
                return Err(bad_input(
                    format!("{flag} must be at least 1"),
                    "leave it out to use the experiment's",
                ));
            }
        }
        experiment.points = points.unwrap_or(experiment.points);
        experiment.replications = replications.unwrap_or(experiment.replications);
        let model = Model::compile(&loaded.scenario)
            .map_err(|e| bad_input(format!("{}: {e}", loaded.origin), "fix the scenario file"))?;
        let target = match target {
            Some(text) => Some((text.clone(), parse_target(&text, &model)?)),
            None => None,
        };
        let seed = seed.unwrap_or(loaded.scenario.meta.seed);
        let (units, roles, layout) = design_points(&experiment, seed);
        let runs = (units.len() as u64).checked_mul(experiment.replications);
        let Some(runs) = runs.filter(|&runs| runs <= scenario::MAX_RUNS) else {
            return Err(bad_input(
                format!("the experiment would make more than {} runs", scenario::MAX_RUNS),
                "use fewer --points or --replications",
            ));
        };
        let values = units
            .iter()
            .map(|unit| {
                experiment
                    .factors
                    .iter()
                    .zip(unit)
                    .map(|(factor, &u)| {
                        let value = factor.distribution.quantile(u);
                        if factor.whole { value.round() } else { value }
                    })
                    .collect()
            })
            .collect();
        let prepared = scenario::Prepared::new(&loaded.origin, &loaded.resolved, Path::new("."))
            .map_err(|e| internal(e.render()))?;
        Ok(Plan { loaded, prepared, experiment, model, target, seed, roles, layout, values, runs })
    }

    /// The resolved scenario every point's is made from.
    pub fn resolved(&self) -> &str {
        &self.loaded.resolved
    }

    /// The `--set`s that make point `point`'s scenario.
    pub fn settings_of(&self, point: usize) -> Vec<String> {
        let values = self.values.get(point).map(Vec::as_slice).unwrap_or(&[]);
        self.experiment
            .factors
            .iter()
            .zip(values)
            .map(|(factor, &value)| format!("{}={}", factor.setting, toml_number(value, factor.whole)))
            .collect()
    }

    /// The model of point `point`.
    fn model_at(&self, point: usize) -> Result<Model, String> {
        let scenario = self.prepared.scenario(&self.settings_of(point)).map_err(|e| e.render())?;
        Model::compile(&scenario).map_err(|e| e.to_string())
    }

    /// Runs of the whole experiment: points × replications.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// Runs `runs` of the experiment (all of them, or a shard's): every run's outcomes, run-major.
    pub fn run(&self, runs: Range<u64>, threads: Option<usize>, progress: bool) -> Result<Vec<f64>, Failure> {
        run_range(
            runs,
            self.values.len(),
            self.experiment.replications,
            self.seed,
            threads,
            progress,
            |point| self.model_at(point),
        )
        .map_err(|e| match e {
            ExperimentError::Point { point, error } => bad_input(
                format!(
                    "design point {point} ({}) makes the scenario invalid:\n{error}",
                    self.settings_of(point).join(", ")
                ),
                "narrow that factor's range to values the scenario accepts",
            ),
            ExperimentError::NotFinite { point, run, fault } => bad_input(
                format!(
                    "design point {point} ({}), replication {run}: in month {}, {} became NaN or infinite",
                    self.settings_of(point).join(", "),
                    fault.month,
                    fault.site.describe(&self.loaded.scenario)
                ),
                "narrow the factors' ranges, or bound the variables involved (`min`/`max`)",
            ),
            ExperimentError::Engine(e) => internal(e),
        })
    }

    /// What identifies this experiment in a shard's shard.json.
    fn shard_identity(&self, index: u64, count: u64) -> report::shard::ShardIdentity {
        let mut identity = report::shard::identity(
            &self.model.name,
            &self.loaded.resolved,
            self.seed,
            self.runs,
            index,
            count,
        );
        identity.experiment = Some(report::shard::ExperimentShard {
            design: self.experiment.design.name().to_string(),
            size: self.experiment.points,
            points: self.values.len() as u64,
            replications: self.experiment.replications,
            outcomes: self.model.outcomes.len() as u64,
            target: self.target.as_ref().map(|(text, _)| text.clone()),
        });
        identity
    }
}

/// `crossroads explore`.
pub fn explore(args: ExploreArgs) -> Result<(), Failure> {
    let started = Instant::now();
    if args.shared.threads == Some(0) {
        return Err(bad_input("--threads must be at least 1".into(), "leave it out to use every core"));
    }
    let loaded = load_scenario(Some(&args.scenario), &args.shared.set)?;
    let plan = Plan::new(loaded, args.points, args.replications, args.shared.seed, args.target)?;
    let shard = args.shard.map(|spec| resolve_shard(spec, plan.runs)).transpose()?;
    let target_folder = args.shared.out.clone().unwrap_or_else(|| {
        let name = &plan.model.name;
        Path::new("output").join(match shard {
            Some((index, count)) => format!("{name}-explore-shard-{index}-of-{count}"),
            None => format!("{name}-explore"),
        })
    });
    let made_from = [("scenario.toml".to_string(), plan.loaded.resolved.as_str())];
    let pending = prepare_output(&target_folder, &made_from, args.shared.force)?;
    let Some((index, count)) = shard else {
        let values = plan.run(0..plan.runs, args.shared.threads, !args.shared.quiet)?;
        return finish(&plan, values, pending, (args.shared.quiet, args.shared.no_charts), started);
    };
    let identity = plan.shard_identity(index, count);
    let (first, end) = (identity.first_run, identity.end_run);
    let values = plan.run(first..end, args.shared.threads, !args.shared.quiet)?;
    report::shard::write_experiment_shard(pending.path(), identity, &values, &plan.loaded.resolved)
        .map_err(write_failure)?;
    let folder = pending.commit().map_err(write_failure)?;
    if !args.shared.quiet {
        println!(
            "Shard {index} of {count}: runs {first}..{end} of the experiment's {}, seed {}, in {:.1} s. Shard result in {}/\n\
             Merge all {count} with: crossroads merge SHARD_DIR... (e.g. output/{}-explore-shard-*-of-{count})",
            plan.runs,
            plan.seed,
            started.elapsed().as_secs_f64(),
            folder.display(),
            plan.model.name
        );
    }
    Ok(())
}

/// `crossroads merge` of the shards of an experiment (checked by `report::shard::check_set`):
/// the folder `explore` would have written in one process, byte for byte.
pub fn merge(
    shards: &[report::shard::Shard],
    out: Option<PathBuf>,
    (quiet, no_charts): (bool, bool),
    started: Instant,
) -> Result<(), Failure> {
    let refuse = |message: String| {
        bad_input(message, "merge the complete set of shards of one `explore --shard I/N` experiment")
    };
    let (Some(first), Some(experiment)) =
        (shards.first(), shards.first().and_then(|s| s.identity.experiment.as_ref()))
    else {
        return Err(internal("no experiment shards"));
    };
    let scenario_path = first.checked_file("scenario.toml").map_err(refuse)?;
    let text = std::fs::read_to_string(&scenario_path)
        .map_err(|e| refuse(format!("cannot read {}: {e}", scenario_path.display())))?;
    let mut loaded = scenario::load_str(&scenario_path.display().to_string(), &text, &first.folder, &[])
        .map_err(|e| Failure::BadInput(e.into()))?;
    loaded.resolved = text;
    let plan = Plan::new(
        loaded,
        Some(experiment.size),
        Some(experiment.replications),
        Some(first.identity.seed),
        experiment.target.clone(),
    )?;
    if plan.values.len() as u64 != experiment.points
        || plan.model.outcomes.len() as u64 != experiment.outcomes
    {
        return Err(refuse(format!(
            "{}: its design has {} points and {} outcomes, but this crossroads makes {} and {} of its scenario",
            first.folder.display(),
            experiment.points,
            experiment.outcomes,
            plan.values.len(),
            plan.model.outcomes.len()
        )));
    }
    let mut values = Vec::new();
    for shard in shards {
        values.extend(shard.experiment_values().map_err(refuse)?);
    }
    if values.len() as u64 != plan.runs.saturating_mul(experiment.outcomes) {
        return Err(refuse(format!("the shards do not hold the {} runs of the experiment", plan.runs)));
    }
    let target = out.unwrap_or_else(|| Path::new("output").join(format!("{}-explore", plan.model.name)));
    let pending = PendingOutput::prepare(&target).map_err(|e| {
        bad_input(e.to_string(), "choose another folder with --out, or remove what is in the way")
    })?;
    if !quiet {
        println!("{} shards of the experiment merged.", shards.len());
    }
    finish(&plan, values, pending, (quiet, no_charts), started)
}

/// The analysis of the experiment's runs (`values`, every run's outcomes, run-major), its files
/// written into `pending` (without charts/ and report.html with `no_charts`) and committed, and
/// the summary printed unless `quiet`: the same for one process and a merge.
fn finish(
    plan: &Plan,
    values: Vec<f64>,
    pending: PendingOutput,
    (quiet, no_charts): (bool, bool),
    started: Instant,
) -> Result<(), Failure> {
    let point_runs = PointRuns {
        points: plan.values.len(),
        replications: usize::try_from(plan.experiment.replications).map_err(internal)?,
        outcomes: plan.model.outcomes.len(),
        values,
    };
    let analyses = analyse(&point_runs, &plan.layout, plan.seed);
    let discovery = match &plan.target {
        Some((text, target)) => {
            let mut rows = Vec::with_capacity(point_runs.points * point_runs.replications);
            let mut cases = Vec::with_capacity(rows.capacity());
            for (point, point_values) in plan.values.iter().enumerate() {
                for value in point_runs.values_at(point, target.outcome) {
                    rows.push(point_values.clone());
                    cases.push(target.holds(value));
                }
            }
            match prim(
                &rows,
                &cases,
                plan.experiment.factors.len(),
                PrimSettings { rows_per_draw: point_runs.replications, ..PrimSettings::default() },
            ) {
                Ok(discovery) => Some((text.as_str(), discovery)),
                Err(stats::prim::PrimError::NoCases) => {
                    return Err(bad_input(
                        format!("--target {text:?}: no run of the experiment meets it"),
                        "loosen the condition (check the outcome's range in design.csv), or widen the factors' ranges",
                    ));
                }
                Err(e) => return Err(internal(e)),
            }
        }
        None => None,
    };
    let outcomes: Vec<(String, String)> =
        plan.model.outcomes.iter().map(|o| (o.name.clone(), o.title.clone())).collect();
    let output = ExploreOutput {
        name: &plan.model.name,
        title: &plan.loaded.scenario.meta.title,
        experiment: &plan.experiment,
        seed: plan.seed,
        roles: &plan.roles,
        values: &plan.values,
        outcomes: &outcomes,
        analyses: &analyses,
        discovery: discovery.as_ref().map(|(text, d)| (*text, d)),
        resolved: &plan.loaded.resolved,
    };
    write_explore(pending.path(), &output, !no_charts).map_err(write_failure)?;
    let folder = pending.commit().map_err(write_failure)?;
    if !quiet {
        print!("{}", explore_table(&output));
        println!(
            "\n{} design ({} points × {} replications = {} runs), seed {}, in {:.1} s. Results in {}/",
            plan.experiment.design.name(),
            format::count(plan.values.len() as u64),
            format::count(plan.experiment.replications),
            format::count(plan.runs),
            plan.seed,
            started.elapsed().as_secs_f64(),
            folder.display()
        );
    }
    Ok(())
}

/// The terminal summary: per outcome, the chance share and each factor's indices, most
/// important first; then the PRIM box.
fn explore_table(output: &ExploreOutput) -> String {
    let mut text = String::new();
    let factors = &output.experiment.factors;
    let width = factors.iter().map(|f| f.path.chars().count()).max().unwrap_or(6).max(6);
    let share = |x: f64| format!("{:.2}", x);
    for ((name, title), analysis) in output.outcomes.iter().zip(output.analyses) {
        text.push_str(&format!("\n{title} ({name})\n"));
        match analysis.chance {
            Some(c) => text.push_str(&format!(
                "  chance within a point: {} of the run-to-run variance (95%: {}–{})\n",
                format::percent(c.value),
                format::percent(c.lower),
                format::percent(c.upper)
            )),
            None => text.push_str(
                "  chance within a point: not measurable (no variation, or undefined at some point)\n",
            ),
        }
        let sobol = sobol_of(analysis);
        if !sobol.is_empty() {
            text.push_str(&format!(
                "  {:width$}  {:>22}  {:>22}\n",
                "factor", "first-order [95%]", "total [95%]"
            ));
            let mut order: Vec<usize> = (0..sobol.len()).collect();
            order.sort_by(|&a, &b| {
                let total = |i: usize| sobol.get(i).map_or(0.0, |s| s.total.value);
                total(b).total_cmp(&total(a)).then(a.cmp(&b))
            });
            for i in order {
                let (Some(factor), Some(index)) = (factors.get(i), sobol.get(i)) else { continue };
                let cell = |e: stats::sobol::Estimate| {
                    format!("{} [{}, {}]", share(e.value), share(e.lower), share(e.upper))
                };
                text.push_str(&format!(
                    "  {:width$}  {:>22}  {:>22}\n",
                    factor.path,
                    cell(index.first),
                    cell(index.total)
                ));
            }
        }
        if let Some(Err(why)) = &analysis.sobol {
            text.push_str(&format!("  no Sobol indices: {why}\n"));
        }
        let morris = morris_of(analysis);
        if !morris.is_empty() {
            text.push_str(&format!("  {:width$}  {:>18}  {:>10}  {:>10}\n", "factor", "μ* (± se)", "μ", "σ"));
            let mut order: Vec<usize> = (0..morris.len()).collect();
            order.sort_by(|&a, &b| {
                let mu_star = |i: usize| morris.get(i).map_or(0.0, |m| m.mu_star);
                mu_star(b).total_cmp(&mu_star(a)).then(a.cmp(&b))
            });
            for i in order {
                let (Some(factor), Some(m)) = (factors.get(i), morris.get(i)) else { continue };
                let show = |x: f64| format::significant(x, 3);
                text.push_str(&format!(
                    "  {:width$}  {:>18}  {:>10}  {:>10}\n",
                    factor.path,
                    format!("{} ± {}", show(m.mu_star), show(m.mu_star_standard_error)),
                    show(m.mu),
                    show(m.sigma)
                ));
            }
        }
        if let Some(Err(why)) = &analysis.morris {
            text.push_str(&format!("  no Morris measures: {why}\n"));
        }
    }
    if let Some((target, discovery)) = output.discovery {
        let note = if discovery.reaches_threshold {
            "the largest box with density ≥ 80%"
        } else {
            "no box reaches density 80%: the one that best weighs coverage against density"
        };
        text.push_str(&format!(
            "\nWhere {target} happens (PRIM: {note}, peeling step {} of {}, bounds that do not matter \
             dropped; trajectory in prim.csv):\n  {}\n",
            discovery.chosen,
            discovery.trajectory.len().saturating_sub(1),
            describe_box(output, &discovery.simplified)
        ));
    }
    text
}
