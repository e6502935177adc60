//! Which shard this process is, read from the environment of whatever started it (`--shard auto`).
//!
//! A job array or an MPI launcher starts the same command many times and tells each copy its index
//! (and mostly the count) through environment variables. [`detect`] reads them for the engines
//! below and returns a [`Placement`]: the 0-based shard index, the shard count and which launcher
//! said so. It is a pure function of the variables it is given through a lookup, so it is tested
//! without touching the process environment; it never prints (the command line says which
//! launcher it used).
//!
//! | launcher | index | count |
//! |---|---|---|
//! | Slurm job array | `SLURM_ARRAY_TASK_ID` − `_MIN`, ÷ `_STEP` | `SLURM_ARRAY_TASK_COUNT` |
//! | Kubernetes Indexed Job | `JOB_COMPLETION_INDEX` | `--shard auto/N` (a pod is not told it) |
//! | AWS Batch array job | `AWS_BATCH_JOB_ARRAY_INDEX` | `AWS_BATCH_JOB_ARRAY_SIZE` or `auto/N` |
//! | Google Cloud Batch | `BATCH_TASK_INDEX` | `BATCH_TASK_COUNT` |
//! | Open MPI (`mpirun`) | `OMPI_COMM_WORLD_RANK` | `OMPI_COMM_WORLD_SIZE` |
//!
//! Inconsistent environments are errors, never guesses: a value that is not a whole number, an
//! index at or past the count, a count that differs from `auto/N`, a Slurm array that is not one
//! evenly spaced range (`--array=1,3,7`: its tasks cannot be numbered 0..N), or two launchers that
//! disagree (an `mpirun` inside an array task). Two launchers that agree are fine. An empty
//! variable counts as unset. Depends on nothing else in the crate.

use std::fmt;

use thiserror::Error;

/// What started this process and told it its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Launcher {
    /// A Slurm job array (`sbatch --array=0-3`).
    Slurm,
    /// A Kubernetes Job with `completionMode: Indexed`.
    Kubernetes,
    /// An AWS Batch array job.
    AwsBatch,
    /// A Google Cloud Batch job's task group.
    GoogleBatch,
    /// Open MPI's `mpirun -n N`.
    OpenMpi,
}

impl Launcher {
    /// Every launcher, in the order they are looked for.
    pub const ALL: [Launcher; 5] =
        [Launcher::Slurm, Launcher::Kubernetes, Launcher::AwsBatch, Launcher::GoogleBatch, Launcher::OpenMpi];

    /// The variable whose presence says this launcher started the process.
    pub fn index_variable(self) -> &'static str {
        match self {
            Launcher::Slurm => "SLURM_ARRAY_TASK_ID",
            Launcher::Kubernetes => "JOB_COMPLETION_INDEX",
            Launcher::AwsBatch => "AWS_BATCH_JOB_ARRAY_INDEX",
            Launcher::GoogleBatch => "BATCH_TASK_INDEX",
            Launcher::OpenMpi => "OMPI_COMM_WORLD_RANK",
        }
    }

    /// The variable that holds the count, where the launcher sets one.
    pub fn count_variable(self) -> Option<&'static str> {
        match self {
            Launcher::Slurm => Some("SLURM_ARRAY_TASK_COUNT"),
            Launcher::Kubernetes => None,
            Launcher::AwsBatch => Some("AWS_BATCH_JOB_ARRAY_SIZE"),
            Launcher::GoogleBatch => Some("BATCH_TASK_COUNT"),
            Launcher::OpenMpi => Some("OMPI_COMM_WORLD_SIZE"),
        }
    }
}

impl fmt::Display for Launcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Launcher::Slurm => "Slurm job array",
            Launcher::Kubernetes => "Kubernetes Indexed Job",
            Launcher::AwsBatch => "AWS Batch array job",
            Launcher::GoogleBatch => "Google Cloud Batch",
            Launcher::OpenMpi => "Open MPI",
        })
    }
}

/// This process's shard, as its launcher numbers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// 0-based shard index, below `count`.
    pub index: u64,
    /// Number of shards (≥ 1).
    pub count: u64,
    /// Who said so.
    pub launcher: Launcher,
    /// The variables read, as `NAME=value`, and `--shard auto/N` when the count came from it.
    pub evidence: Vec<String>,
}

impl fmt::Display for Placement {
    /// `shard 1/4 from the Slurm job array (SLURM_ARRAY_TASK_ID=1, SLURM_ARRAY_TASK_MIN=0, …)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "shard {}/{} from the {} ({})",
            self.index,
            self.count,
            self.launcher,
            self.evidence.join(", ")
        )
    }
}

/// Why `--shard auto` could not tell which shard this is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShardEnvError {
    /// No launcher's index variable is set.
    #[error(
        "--shard auto found no job array or MPI launcher: none of SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, \
         AWS_BATCH_JOB_ARRAY_INDEX, BATCH_TASK_INDEX, OMPI_COMM_WORLD_RANK is set{}",
        if *.in_slurm_job { " (this is a Slurm job, but not an array task)" } else { "" }
    )]
    NoLauncher {
        /// `SLURM_JOB_ID` is set: a plain `sbatch` job, the usual slip.
        in_slurm_job: bool,
    },
    /// A variable that should hold a whole number does not.
    #[error("{variable}={value:?} is not a whole number ≥ 0")]
    NotANumber {
        /// The variable.
        variable: &'static str,
        /// What it holds.
        value: String,
    },
    /// The launcher does not say how many shards there are, and `--shard auto/N` does not either.
    #[error("the {launcher} does not say how many shards there are{}", match .launcher.count_variable() {
        Some(variable) => format!(" ({variable} is not set)"),
        None => String::new(),
    })]
    NoCount {
        /// The launcher found.
        launcher: Launcher,
    },
    /// A variable the launcher always sets is missing.
    #[error("{variable} is not set, though {} is", .launcher.index_variable())]
    Missing {
        /// The launcher found.
        launcher: Launcher,
        /// The missing variable.
        variable: &'static str,
    },
    /// The count is 0.
    #[error("the {launcher} says there are 0 shards ({source_of_count})")]
    NoShards {
        /// The launcher found.
        launcher: Launcher,
        /// Where the 0 came from.
        source_of_count: String,
    },
    /// The index is at or past the count.
    #[error(
        "the {launcher} gives shard index {index}, but there are only {count} shards (0..{count}): {evidence}"
    )]
    IndexOutOfRange {
        /// The launcher found.
        launcher: Launcher,
        /// The index it gives.
        index: u64,
        /// The count.
        count: u64,
        /// The variables read.
        evidence: String,
    },
    /// The launcher's count and `--shard auto/N` differ.
    #[error("--shard auto/{given} says {given} shards, but {variable}={from_env}")]
    CountMismatch {
        /// The launcher found.
        launcher: Launcher,
        /// The variable holding its count.
        variable: &'static str,
        /// Its count.
        from_env: u64,
        /// The count of `auto/N`.
        given: u64,
    },
    /// A Slurm array whose tasks cannot be numbered 0..N.
    #[error("the Slurm job array is not one evenly spaced range of task IDs: {detail}")]
    SlurmArrayNotARange {
        /// What does not fit, with the values.
        detail: String,
    },
    /// Two launchers are set and say different things.
    #[error("two launchers disagree: {first}, but {second}")]
    Disagree {
        /// The first found.
        first: Box<Placement>,
        /// The one that disagrees with it.
        second: Box<Placement>,
    },
}

impl ShardEnvError {
    /// How to fix it, for the `help:` line.
    pub fn help(&self) -> &'static str {
        match self {
            ShardEnvError::NoLauncher { in_slurm_job: true } => {
                "submit an array, e.g. `sbatch --array=0-3 job.sh` (see examples/slurm/), \
                 or give the shard: --shard I/N"
            }
            ShardEnvError::NoLauncher { in_slurm_job: false } => {
                "run it as an array task (examples/slurm/, examples/kubernetes/), \
                 or give the shard: --shard I/N"
            }
            ShardEnvError::NotANumber { .. }
            | ShardEnvError::Missing { .. }
            | ShardEnvError::NoShards { .. } => {
                "this environment was not set by a launcher crossroads knows; \
                 give the shard: --shard I/N"
            }
            ShardEnvError::NoCount { launcher: Launcher::Kubernetes } => {
                "write the Job's completions into the flag: --shard auto/N (see examples/kubernetes/)"
            }
            ShardEnvError::NoCount { .. } => "give the count: --shard auto/N",
            ShardEnvError::IndexOutOfRange { .. } => {
                "number the tasks 0..N-1 (Slurm: --array=0-N-1 or 1-N), or give the shard: --shard I/N"
            }
            ShardEnvError::CountMismatch { .. } => {
                "make N the array's size, or leave /N out; \
                 to rerun one shard alone, give it: --shard I/N"
            }
            ShardEnvError::SlurmArrayNotARange { .. } => {
                "submit one range, e.g. --array=0-15 (a throttle like %4 is fine); to rerun some shards, \
                 give each its own --shard I/N"
            }
            ShardEnvError::Disagree { .. } => {
                "run crossroads directly under one launcher, or give the shard: --shard I/N"
            }
        }
    }
}

/// Reads which shard this process is from the launcher's variables.
///
/// `lookup` returns a variable's value (`|name| std::env::var(name).ok()` for the real environment);
/// `count` is the `N` of `--shard auto/N`, which must agree with the launcher's own count where it
/// has one and is required where it has none (Kubernetes).
///
/// ```
/// use crossroads::engine::shard_env::{detect, Launcher};
/// let env = |name: &str| match name {
///     "SLURM_ARRAY_TASK_ID" => Some("5".to_string()),
///     "SLURM_ARRAY_TASK_MIN" => Some("4".to_string()),
///     "SLURM_ARRAY_TASK_COUNT" => Some("4".to_string()),
///     _ => None,
/// };
/// let placement = detect(env, None).unwrap();
/// assert_eq!((placement.index, placement.count, placement.launcher), (1, 4, Launcher::Slurm));
/// ```
pub fn detect(
    lookup: impl Fn(&str) -> Option<String>,
    count: Option<u64>,
) -> Result<Placement, ShardEnvError> {
    let env = Env { lookup: &lookup };
    let mut found: Option<Placement> = None;
    for launcher in Launcher::ALL {
        if env.get(launcher.index_variable()).is_none() {
            continue;
        }
        let placement = place(&env, launcher, count)?;
        match &found {
            None => found = Some(placement),
            Some(first) if (first.index, first.count) != (placement.index, placement.count) => {
                return Err(ShardEnvError::Disagree {
                    first: Box::new(first.clone()),
                    second: Box::new(placement),
                });
            }
            Some(_) => {}
        }
    }
    found.ok_or_else(|| ShardEnvError::NoLauncher { in_slurm_job: env.get("SLURM_JOB_ID").is_some() })
}

/// The variables, read through the lookup; empty values count as unset.
struct Env<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl Env<'_> {
    fn get(&self, variable: &str) -> Option<String> {
        (self.lookup)(variable).map(|value| value.trim().to_string()).filter(|value| !value.is_empty())
    }

    /// A whole-number variable, `None` when unset; the evidence records it.
    fn number(
        &self,
        variable: &'static str,
        evidence: &mut Vec<String>,
    ) -> Result<Option<u64>, ShardEnvError> {
        let Some(value) = self.get(variable) else { return Ok(None) };
        let number =
            value.parse().map_err(|_| ShardEnvError::NotANumber { variable, value: value.clone() })?;
        evidence.push(format!("{variable}={number}"));
        Ok(Some(number))
    }

    /// A whole-number variable the launcher always sets alongside its index.
    fn required(
        &self,
        launcher: Launcher,
        variable: &'static str,
        evidence: &mut Vec<String>,
    ) -> Result<u64, ShardEnvError> {
        self.number(variable, evidence)?.ok_or(ShardEnvError::Missing { launcher, variable })
    }
}

/// The placement `launcher`'s variables give; its index variable is set.
fn place(env: &Env<'_>, launcher: Launcher, given: Option<u64>) -> Result<Placement, ShardEnvError> {
    let mut evidence = Vec::new();
    let raw_index = env.required(launcher, launcher.index_variable(), &mut evidence)?;
    let index = match launcher {
        Launcher::Slurm => slurm_index(env, raw_index, &mut evidence)?,
        _ => raw_index,
    };
    let from_env = match launcher.count_variable() {
        Some(variable) => env.number(variable, &mut evidence)?,
        None => None,
    };
    let count = match (from_env, given) {
        (Some(from_env), Some(given)) if from_env != given => {
            let variable = launcher.count_variable().unwrap_or_default();
            return Err(ShardEnvError::CountMismatch { launcher, variable, from_env, given });
        }
        (Some(count), _) => count,
        (None, Some(given)) => {
            evidence.push(format!("--shard auto/{given}"));
            given
        }
        (None, None) => return Err(ShardEnvError::NoCount { launcher }),
    };
    if count == 0 {
        return Err(ShardEnvError::NoShards { launcher, source_of_count: evidence.join(", ") });
    }
    if launcher == Launcher::Slurm {
        slurm_check_range(env, count, &mut evidence)?;
    }
    if index >= count {
        return Err(ShardEnvError::IndexOutOfRange { launcher, index, count, evidence: evidence.join(", ") });
    }
    Ok(Placement { index, count, launcher, evidence })
}

/// A Slurm task's place in its array: (ID − MIN) / STEP. `--array=1-4` numbers its tasks 0..3 and
/// `--array=0-6:2` (IDs 0, 2, 4, 6) too.
fn slurm_index(env: &Env<'_>, id: u64, evidence: &mut Vec<String>) -> Result<u64, ShardEnvError> {
    let min = env.required(Launcher::Slurm, "SLURM_ARRAY_TASK_MIN", evidence)?;
    let step = env.number("SLURM_ARRAY_TASK_STEP", evidence)?.unwrap_or(1);
    if step == 0 {
        return Err(ShardEnvError::SlurmArrayNotARange { detail: "SLURM_ARRAY_TASK_STEP=0".into() });
    }
    if id < min || !(id - min).is_multiple_of(step) {
        return Err(ShardEnvError::SlurmArrayNotARange {
            detail: format!(
                "SLURM_ARRAY_TASK_ID={id} is not SLURM_ARRAY_TASK_MIN={min} \
                 plus a multiple of SLURM_ARRAY_TASK_STEP={step}"
            ),
        });
    }
    Ok((id - min) / step)
}

/// Slurm sets MAX and STEP of a list such as `--array=1,3,7` as if it were a range (MIN=1, MAX=7,
/// STEP=1) with COUNT=3: a range of `count` tasks must end at MIN + (count − 1)·STEP.
fn slurm_check_range(env: &Env<'_>, count: u64, evidence: &mut Vec<String>) -> Result<(), ShardEnvError> {
    let Some(max) = env.number("SLURM_ARRAY_TASK_MAX", evidence)? else { return Ok(()) };
    let mut scratch = Vec::new();
    let min = env.required(Launcher::Slurm, "SLURM_ARRAY_TASK_MIN", &mut scratch)?;
    let step = env.number("SLURM_ARRAY_TASK_STEP", &mut scratch)?.unwrap_or(1).max(1);
    let expected_max = (count - 1).checked_mul(step).and_then(|span| span.checked_add(min));
    if expected_max != Some(max) {
        return Err(ShardEnvError::SlurmArrayNotARange {
            detail: format!(
                "{count} tasks from SLURM_ARRAY_TASK_MIN={min} in steps of {step} would end at {}, \
                 but SLURM_ARRAY_TASK_MAX={max}",
                expected_max.map_or_else(|| "beyond 2⁶⁴".to_string(), |end| end.to_string())
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lookup over fixed `(name, value)` pairs.
    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| value.to_string())
    }

    fn placed(pairs: &[(&str, &str)], count: Option<u64>) -> (u64, u64, Launcher) {
        let placement = detect(env(pairs), count).unwrap();
        (placement.index, placement.count, placement.launcher)
    }

    fn error(pairs: &[(&str, &str)], count: Option<u64>) -> ShardEnvError {
        detect(env(pairs), count).unwrap_err()
    }

    /// The variables Slurm 22.05 sets for task `id` of `--array=MIN-MAX:STEP` (read from real jobs).
    fn slurm(id: &str, min: &str, max: &str, step: &str, count: &str) -> Vec<(&'static str, String)> {
        vec![
            ("SLURM_JOB_ID", "17".into()),
            ("SLURM_ARRAY_JOB_ID", "17".into()),
            ("SLURM_ARRAY_TASK_ID", id.into()),
            ("SLURM_ARRAY_TASK_MIN", min.into()),
            ("SLURM_ARRAY_TASK_MAX", max.into()),
            ("SLURM_ARRAY_TASK_STEP", step.into()),
            ("SLURM_ARRAY_TASK_COUNT", count.into()),
        ]
    }

    fn slurm_placed(vars: &[(&'static str, String)], count: Option<u64>) -> Result<Placement, ShardEnvError> {
        detect(|name| vars.iter().find(|(key, _)| *key == name).map(|(_, value)| value.clone()), count)
    }

    #[test]
    fn slurm_arrays_number_their_tasks_from_zero() {
        for (id, index) in [("0", 0), ("3", 3)] {
            let p = slurm_placed(&slurm(id, "0", "3", "1", "4"), None).unwrap();
            assert_eq!((p.index, p.count, p.launcher), (index, 4, Launcher::Slurm));
        }
        // --array=1-4: IDs 1..4 are shards 0..3.
        let p = slurm_placed(&slurm("4", "1", "4", "1", "4"), None).unwrap();
        assert_eq!((p.index, p.count), (3, 4));
        // --array=0-6:2: IDs 0, 2, 4, 6.
        let p = slurm_placed(&slurm("4", "0", "6", "2", "4"), None).unwrap();
        assert_eq!((p.index, p.count), (2, 4));
        // auto/N that agrees is fine.
        assert_eq!(slurm_placed(&slurm("2", "0", "3", "1", "4"), Some(4)).unwrap().index, 2);
        // Older Slurm without MAX/STEP: ID − MIN.
        assert_eq!(
            placed(
                &[
                    ("SLURM_ARRAY_TASK_ID", "11"),
                    ("SLURM_ARRAY_TASK_MIN", "10"),
                    ("SLURM_ARRAY_TASK_COUNT", "2")
                ],
                None
            ),
            (1, 2, Launcher::Slurm)
        );
        let p = slurm_placed(&slurm("1", "0", "3", "1", "4"), None).unwrap();
        assert_eq!(
            p.to_string(),
            "shard 1/4 from the Slurm job array (SLURM_ARRAY_TASK_ID=1, SLURM_ARRAY_TASK_MIN=0, \
             SLURM_ARRAY_TASK_STEP=1, SLURM_ARRAY_TASK_COUNT=4, SLURM_ARRAY_TASK_MAX=3)"
        );
    }

    #[test]
    fn slurm_arrays_that_are_not_one_range_are_refused() {
        // --array=1,3,7 as Slurm 22.05 reports it: MIN=1, MAX=7, STEP=1, COUNT=3.
        let e = slurm_placed(&slurm("3", "1", "7", "1", "3"), None).unwrap_err();
        assert!(matches!(e, ShardEnvError::SlurmArrayNotARange { .. }), "{e}");
        assert!(e.to_string().contains("SLURM_ARRAY_TASK_MAX=7"), "{e}");
        // An ID off the step.
        let e = slurm_placed(&slurm("3", "0", "6", "2", "4"), None).unwrap_err();
        assert!(matches!(e, ShardEnvError::SlurmArrayNotARange { .. }), "{e}");
        // An ID below MIN.
        let e = slurm_placed(&slurm("0", "1", "4", "1", "4"), None).unwrap_err();
        assert!(matches!(e, ShardEnvError::SlurmArrayNotARange { .. }), "{e}");
        // A zero step.
        let e = slurm_placed(&slurm("0", "0", "3", "0", "4"), None).unwrap_err();
        assert!(matches!(e, ShardEnvError::SlurmArrayNotARange { .. }), "{e}");
        // A MAX so large the range check would overflow.
        let e = slurm_placed(&slurm("0", "0", "5", &u64::MAX.to_string(), "4"), None).unwrap_err();
        assert!(e.to_string().contains("beyond"), "{e}");
    }

    #[test]
    fn slurm_inconsistencies_are_errors() {
        // auto/N that differs from the array's size.
        assert_eq!(
            slurm_placed(&slurm("0", "0", "3", "1", "4"), Some(8)).unwrap_err(),
            ShardEnvError::CountMismatch {
                launcher: Launcher::Slurm,
                variable: "SLURM_ARRAY_TASK_COUNT",
                from_env: 4,
                given: 8
            }
        );
        // A rerun of one task (--array=2) is a one-task array: auto/4 catches the slip.
        assert!(matches!(
            slurm_placed(&slurm("2", "2", "2", "1", "1"), Some(4)),
            Err(ShardEnvError::CountMismatch { from_env: 1, given: 4, .. })
        ));
        assert!(matches!(
            error(&[("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "4")], None),
            ShardEnvError::Missing { launcher: Launcher::Slurm, variable: "SLURM_ARRAY_TASK_MIN" }
        ));
        assert!(matches!(
            error(&[("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_MIN", "0")], None),
            ShardEnvError::NoCount { launcher: Launcher::Slurm }
        ));
        // Without a COUNT, auto/N supplies it.
        assert_eq!(
            placed(&[("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_MIN", "0")], Some(3)),
            (1, 3, Launcher::Slurm)
        );
        assert_eq!(
            slurm_placed(&slurm("x1", "0", "3", "1", "4"), None).unwrap_err(),
            ShardEnvError::NotANumber { variable: "SLURM_ARRAY_TASK_ID", value: "x1".into() }
        );
        assert!(matches!(
            slurm_placed(&slurm("1", "0", "3", "1", "-4"), None),
            Err(ShardEnvError::NotANumber { variable: "SLURM_ARRAY_TASK_COUNT", .. })
        ));
        // COUNT smaller than the index (MAX absent, so only the range check can catch it).
        assert!(matches!(
            error(
                &[
                    ("SLURM_ARRAY_TASK_ID", "5"),
                    ("SLURM_ARRAY_TASK_MIN", "0"),
                    ("SLURM_ARRAY_TASK_COUNT", "4")
                ],
                None
            ),
            ShardEnvError::IndexOutOfRange { index: 5, count: 4, .. }
        ));
    }

    #[test]
    fn kubernetes_indexed_jobs_need_the_count_from_the_flag() {
        assert_eq!(placed(&[("JOB_COMPLETION_INDEX", "2")], Some(4)), (2, 4, Launcher::Kubernetes));
        let e = error(&[("JOB_COMPLETION_INDEX", "2")], None);
        assert_eq!(e, ShardEnvError::NoCount { launcher: Launcher::Kubernetes });
        assert!(e.help().contains("auto/N"), "{}", e.help());
        assert!(matches!(
            error(&[("JOB_COMPLETION_INDEX", "4")], Some(4)),
            ShardEnvError::IndexOutOfRange { index: 4, count: 4, .. }
        ));
        assert!(matches!(error(&[("JOB_COMPLETION_INDEX", "2")], Some(0)), ShardEnvError::NoShards { .. }));
        let p = detect(env(&[("JOB_COMPLETION_INDEX", "0")]), Some(3)).unwrap();
        assert_eq!(
            p.to_string(),
            "shard 0/3 from the Kubernetes Indexed Job (JOB_COMPLETION_INDEX=0, --shard auto/3)"
        );
    }

    #[test]
    fn aws_batch_arrays_take_the_size_from_the_environment_or_the_flag() {
        let both = [("AWS_BATCH_JOB_ARRAY_INDEX", "7"), ("AWS_BATCH_JOB_ARRAY_SIZE", "10")];
        assert_eq!(placed(&both, None), (7, 10, Launcher::AwsBatch));
        assert_eq!(placed(&both, Some(10)), (7, 10, Launcher::AwsBatch));
        assert!(matches!(error(&both, Some(9)), ShardEnvError::CountMismatch { from_env: 10, given: 9, .. }));
        assert_eq!(placed(&[("AWS_BATCH_JOB_ARRAY_INDEX", "7")], Some(8)), (7, 8, Launcher::AwsBatch));
        assert_eq!(
            error(&[("AWS_BATCH_JOB_ARRAY_INDEX", "7")], None),
            ShardEnvError::NoCount { launcher: Launcher::AwsBatch }
        );
    }

    #[test]
    fn google_cloud_batch_tasks() {
        let vars = [("BATCH_TASK_INDEX", "3"), ("BATCH_TASK_COUNT", "5")];
        assert_eq!(placed(&vars, None), (3, 5, Launcher::GoogleBatch));
        assert!(matches!(
            error(&[("BATCH_TASK_INDEX", "5"), ("BATCH_TASK_COUNT", "5")], None),
            ShardEnvError::IndexOutOfRange { index: 5, count: 5, .. }
        ));
        assert!(matches!(
            error(&[("BATCH_TASK_INDEX", "0"), ("BATCH_TASK_COUNT", "0")], None),
            ShardEnvError::NoShards { .. }
        ));
    }

    #[test]
    fn open_mpi_ranks() {
        let vars = [("OMPI_COMM_WORLD_RANK", "1"), ("OMPI_COMM_WORLD_SIZE", "2")];
        assert_eq!(placed(&vars, None), (1, 2, Launcher::OpenMpi));
        assert_eq!(
            error(&[("OMPI_COMM_WORLD_RANK", "1.0"), ("OMPI_COMM_WORLD_SIZE", "2")], None),
            ShardEnvError::NotANumber { variable: "OMPI_COMM_WORLD_RANK", value: "1.0".into() }
        );
    }

    #[test]
    fn none_set_is_a_clear_error() {
        let e = error(&[("HOME", "/root"), ("PATH", "/usr/bin")], None);
        assert_eq!(e, ShardEnvError::NoLauncher { in_slurm_job: false });
        for variable in
            ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "BATCH_TASK_INDEX", "OMPI_COMM_WORLD_RANK"]
        {
            assert!(e.to_string().contains(variable), "{e}");
        }
        assert!(e.help().contains("--shard I/N"));
        assert_eq!(error(&[], Some(4)), ShardEnvError::NoLauncher { in_slurm_job: false });
        // Empty values are unset.
        assert_eq!(
            error(&[("JOB_COMPLETION_INDEX", " ")], Some(4)),
            ShardEnvError::NoLauncher { in_slurm_job: false }
        );
        // A plain sbatch job (no --array) is named as the likely slip.
        let e = error(&[("SLURM_JOB_ID", "12")], None);
        assert_eq!(e, ShardEnvError::NoLauncher { in_slurm_job: true });
        assert!(e.to_string().contains("not an array task") && e.help().contains("--array"), "{e}");
    }

    #[test]
    fn two_launchers_must_agree() {
        let mut vars = slurm("1", "0", "3", "1", "4");
        vars.push(("OMPI_COMM_WORLD_RANK", "1".into()));
        vars.push(("OMPI_COMM_WORLD_SIZE", "4".into()));
        assert_eq!(slurm_placed(&vars, None).unwrap().launcher, Launcher::Slurm);
        vars.pop();
        vars.push(("OMPI_COMM_WORLD_SIZE", "2".into()));
        let e = slurm_placed(&vars, None).unwrap_err();
        assert!(matches!(e, ShardEnvError::Disagree { .. }), "{e}");
        assert!(e.to_string().contains("Slurm job array") && e.to_string().contains("Open MPI"), "{e}");
        // A broken second launcher is reported, not skipped.
        let vars = [("BATCH_TASK_INDEX", "0"), ("BATCH_TASK_COUNT", "2"), ("OMPI_COMM_WORLD_RANK", "one")];
        assert!(matches!(
            error(&vars, None),
            ShardEnvError::NotANumber { variable: "OMPI_COMM_WORLD_RANK", .. }
        ));
    }

    #[test]
    fn every_error_has_help() {
        let errors = [
            error(&[], None),
            error(&[("SLURM_JOB_ID", "1")], None),
            error(&[("JOB_COMPLETION_INDEX", "x")], None),
            error(&[("JOB_COMPLETION_INDEX", "0")], None),
            error(&[("BATCH_TASK_INDEX", "0")], None),
            error(&[("JOB_COMPLETION_INDEX", "9")], Some(2)),
            error(&[("BATCH_TASK_INDEX", "0"), ("BATCH_TASK_COUNT", "2")], Some(3)),
            slurm_placed(&slurm("3", "1", "7", "1", "3"), None).unwrap_err(),
        ];
        for e in errors {
            assert!(!e.to_string().is_empty() && e.help().len() > 10, "{e}: {}", e.help());
        }
    }
}
