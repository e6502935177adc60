//! A shard result: what `crossroads run --shard I/N` writes and `crossroads merge` reads.
//!
//! The folder (written atomically, like a run's) holds
//! - `shard.json`: what identifies the experiment — crossroads version, the fingerprint of the
//!   machine's math library, scenario name, SHA-256 of the resolved scenario, seed, total runs — and
//!   the shard: its index and count, its chunk and
//!   run ranges, and the size and SHA-256 of each file below;
//! - `scenario.toml`: the resolved scenario (the merge loads the model from it);
//! - `state.bin`: the shard's [`Tally`] (per-chunk moments, counts, sketches, exact sums, the
//!   exact values of its runs below [`crate::stats::EXACT_RUNS`]);
//! - `evidence.bin`, when the scenario has `[evidence]`: the shard's [`Weighing`] (per-chunk
//!   moments of the likelihoods and weights, counts, exact sums Σw and Σw², its runs of weight
//!   above 0 with their drivers and outcomes);
//! - `runs.csv`: its runs' rows under the usual header (left out with `--no-runs-csv`).
//!
//! A shard of an experiment (`crossroads explore --shard I/N`) splits the experiment's runs —
//! numbered point by point, replication r of point p being run `p · replications + r` — into the
//! same 64-run chunks, and holds instead of state.bin and runs.csv
//! - `values.bin`: every run's outcomes, run-major, as little-endian IEEE 754 doubles (NaN where
//!   undefined), which is all the experiment's analysis reads;
//!
//! and shard.json's `experiment` says which design, size, replications and `--target`.
//!
//! [`check_set`] refuses a set of shards that would not make the one-process result: another
//! version, kind of machine (math fingerprint), scenario, seed or run count, a duplicated, missing or overlapping shard, a file whose
//! size or hash is not what `shard.json` says.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ReportError;
use crate::engine::{CHUNK_RUNS, shard_chunks};
use crate::stats::Tally;
use crate::stats::evidence::Weighing;

/// The layout of a shard folder; bumped whenever it changes.
pub const FORMAT: &str = "crossroads-shard/1";

/// `shard.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardIdentity {
    /// [`FORMAT`].
    pub format: String,
    /// The crossroads version that wrote it: shards of different versions never merge.
    pub crossroads: String,
    /// The fingerprint of the machine's math library ([`crate::engine::arithmetic`]): shards
    /// whose machines compute different bits never merge. Empty in shards written before it.
    #[serde(default)]
    pub math: String,
    /// The scenario's name.
    pub scenario: String,
    /// SHA-256 of the resolved scenario (`scenario.toml`), hex.
    pub scenario_sha256: String,
    /// The seed.
    pub seed: u64,
    /// Runs of the whole experiment.
    pub runs: u64,
    /// This shard's index, 0-based.
    pub index: u64,
    /// Shards in the experiment.
    pub count: u64,
    /// Chunks of [`CHUNK_RUNS`] runs this shard ran: `first_chunk .. end_chunk`.
    pub first_chunk: u64,
    /// One past its last chunk.
    pub end_chunk: u64,
    /// Its first run.
    pub first_run: u64,
    /// One past its last run.
    pub end_run: u64,
    /// Size and SHA-256 of each file, by name.
    pub files: BTreeMap<String, FileCheck>,
    /// For a shard of `crossroads explore`, the experiment; none for `run --shard`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment: Option<ExperimentShard>,
}

/// What identifies an experiment beyond the scenario: its design and size as run (after
/// `--points` and `--replications`), and the `--target` of its scenario discovery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentShard {
    /// The design's name (`sobol`, `morris`, `lhs`, `grid`).
    pub design: String,
    /// The design's size as the experiment's `points` counts it.
    pub size: u64,
    /// The design's points.
    pub points: u64,
    /// Runs at every point.
    pub replications: u64,
    /// Outcomes per run in values.bin.
    pub outcomes: u64,
    /// The `--target`, as written.
    pub target: Option<String>,
}

/// A file's size and hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileCheck {
    /// Bytes.
    pub bytes: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

/// SHA-256 of `bytes`, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Size and SHA-256 of a file, read in pieces.
fn check_file(path: &Path) -> std::io::Result<FileCheck> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(buffer.get(..read).unwrap_or(&[]));
        bytes += read as u64;
    }
    Ok(FileCheck { bytes, sha256: hex(&hasher.finalize()) })
}

/// The identity of shard `index` of `count` of a `runs`-run experiment (files filled in by
/// [`write_shard`]).
pub fn identity(
    scenario: &str,
    resolved: &str,
    seed: u64,
    runs: u64,
    index: u64,
    count: u64,
) -> ShardIdentity {
    let chunks = shard_chunks(runs, index, count);
    ShardIdentity {
        format: FORMAT.to_string(),
        crossroads: crate::VERSION.to_string(),
        math: crate::engine::arithmetic::fingerprint().to_string(),
        scenario: scenario.to_string(),
        scenario_sha256: sha256_hex(resolved.as_bytes()),
        seed,
        runs,
        index,
        count,
        first_chunk: chunks.start,
        end_chunk: chunks.end,
        first_run: (chunks.start * CHUNK_RUNS).min(runs),
        end_run: (chunks.end * CHUNK_RUNS).min(runs),
        files: BTreeMap::new(),
        experiment: None,
    }
}

/// Writes scenario.toml, state.bin, evidence.bin (with `weighing`) and shard.json into `folder`
/// (runs.csv, if any, is already there), with every file's size and hash.
pub fn write_shard(
    folder: &Path,
    identity: ShardIdentity,
    (tally, weighing): (&Tally, Option<&Weighing>),
    resolved: &str,
) -> Result<(), ReportError> {
    let state = folder.join("state.bin");
    fs::write(&state, tally.encode()).map_err(io(state.clone()))?;
    if let Some(weighing) = weighing {
        let path = folder.join("evidence.bin");
        fs::write(&path, weighing.encode()).map_err(io(path.clone()))?;
    }
    seal(folder, identity, resolved)
}

/// Writes values.bin (the runs' outcomes, see the module's documentation), scenario.toml and
/// shard.json of an experiment's shard into `folder`.
pub fn write_experiment_shard(
    folder: &Path,
    identity: ShardIdentity,
    values: &[f64],
    resolved: &str,
) -> Result<(), ReportError> {
    let path = folder.join("values.bin");
    let bytes: Vec<u8> = values.iter().flat_map(|x| x.to_le_bytes()).collect();
    fs::write(&path, bytes).map_err(io(path.clone()))?;
    seal(folder, identity, resolved)
}

fn io(path: PathBuf) -> impl FnOnce(std::io::Error) -> ReportError {
    move |source| ReportError::Io { path, source }
}

/// Writes scenario.toml, then shard.json with the size and hash of every file of the shard.
fn seal(folder: &Path, mut identity: ShardIdentity, resolved: &str) -> Result<(), ReportError> {
    let scenario = folder.join("scenario.toml");
    fs::write(&scenario, resolved).map_err(io(scenario.clone()))?;
    for name in ["scenario.toml", "state.bin", "evidence.bin", "values.bin", "runs.csv"] {
        let path = folder.join(name);
        if path.is_file() {
            identity.files.insert(name.to_string(), check_file(&path).map_err(io(path.clone()))?);
        }
    }
    let path = folder.join("shard.json");
    let mut text = serde_json::to_string_pretty(&identity)?;
    text.push('\n');
    fs::write(&path, text).map_err(io(path.clone()))?;
    Ok(())
}

/// A shard folder whose identity has been read.
#[derive(Debug, Clone)]
pub struct Shard {
    /// The folder as named on the command line.
    pub folder: PathBuf,
    /// Its shard.json.
    pub identity: ShardIdentity,
}

impl Shard {
    /// Reads `folder/shard.json`.
    pub fn open(folder: &Path) -> Result<Shard, String> {
        let path = folder.join("shard.json");
        let text = fs::read_to_string(&path).map_err(|e| {
            if folder.join("summary.json").is_file() {
                format!("{} is a run's result, not a shard (it has no shard.json)", folder.display())
            } else {
                format!("{} is not a shard result: cannot read {}: {e}", folder.display(), path.display())
            }
        })?;
        let identity: ShardIdentity =
            serde_json::from_str(&text).map_err(|e| format!("{} is damaged: {e}", path.display()))?;
        if identity.format != FORMAT {
            return Err(format!(
                "{} is a shard of format `{}`; this crossroads merges `{FORMAT}`",
                folder.display(),
                identity.format
            ));
        }
        Ok(Shard { folder: folder.to_path_buf(), identity })
    }

    /// A file of the shard, checked against the size and hash shard.json gives.
    pub fn checked_file(&self, name: &str) -> Result<PathBuf, String> {
        let path = self.folder.join(name);
        let Some(expected) = self.identity.files.get(name) else {
            return Err(format!("{}: shard.json does not list {name}", self.folder.display()));
        };
        let found =
            check_file(&path).map_err(|e| format!("{}: cannot read {name}: {e}", self.folder.display()))?;
        if found.bytes != expected.bytes {
            let how = if found.bytes < expected.bytes { "truncated" } else { "longer than written" };
            return Err(format!(
                "{}: {name} is {how} ({} bytes, shard.json says {})",
                self.folder.display(),
                found.bytes,
                expected.bytes
            ));
        }
        if found.sha256 != expected.sha256 {
            return Err(format!(
                "{}: {name} has changed since it was written (its SHA-256 differs)",
                self.folder.display()
            ));
        }
        Ok(path)
    }

    /// The shard's tally, from its checked state.bin.
    pub fn tally(&self, layout: crate::stats::Layout) -> Result<Tally, String> {
        let path = self.checked_file("state.bin")?;
        let bytes =
            fs::read(&path).map_err(|e| format!("{}: cannot read state.bin: {e}", self.folder.display()))?;
        let tally = Tally::decode(&bytes, layout, self.identity.seed)
            .map_err(|e| format!("{}: state.bin {e}", self.folder.display()))?;
        if tally.first_run() != self.identity.first_run
            || tally.runs() != self.identity.end_run - self.identity.first_run
        {
            return Err(format!(
                "{}: state.bin does not hold the runs shard.json names",
                self.folder.display()
            ));
        }
        Ok(tally)
    }
}

impl Shard {
    /// The outcomes of an experiment shard's runs, from its checked values.bin.
    pub fn experiment_values(&self) -> Result<Vec<f64>, String> {
        let Some(experiment) = &self.identity.experiment else {
            return Err(format!("{} is a shard of `run`, not of `explore`", self.folder.display()));
        };
        let path = self.checked_file("values.bin")?;
        let bytes =
            fs::read(&path).map_err(|e| format!("{}: cannot read values.bin: {e}", self.folder.display()))?;
        let expected = (self.identity.end_run - self.identity.first_run).saturating_mul(experiment.outcomes);
        if bytes.len() as u64 != expected.saturating_mul(8) {
            return Err(format!(
                "{}: values.bin does not hold the runs shard.json names",
                self.folder.display()
            ));
        }
        Ok(bytes.chunks_exact(8).map(|b| f64::from_le_bytes(b.try_into().unwrap_or([0; 8]))).collect())
    }

    /// The shard's weighing by `model`'s evidence, from its checked evidence.bin; `None` when the
    /// model has no evidence.
    pub fn weighing(&self, model: &crate::model::Model) -> Result<Option<Weighing>, String> {
        if model.evidence.is_empty() {
            return Ok(None);
        }
        if !self.identity.files.contains_key("evidence.bin") {
            return Err(format!(
                "{}: the scenario has [evidence] but the shard has no evidence.bin (written by a crossroads \
                 that did not shard evidence?)",
                self.folder.display()
            ));
        }
        let path = self.checked_file("evidence.bin")?;
        let bytes = fs::read(&path)
            .map_err(|e| format!("{}: cannot read evidence.bin: {e}", self.folder.display()))?;
        let weighing = Weighing::decode(&bytes, model)
            .map_err(|e| format!("{}: evidence.bin {e}", self.folder.display()))?;
        if let Some(w) = &weighing
            && (w.first_run() != self.identity.first_run
                || w.runs() != self.identity.end_run - self.identity.first_run)
        {
            return Err(format!(
                "{}: evidence.bin does not hold the runs shard.json names",
                self.folder.display()
            ));
        }
        Ok(weighing)
    }
}

/// A fingerprint as shown, "none" for a shard written before fingerprints.
fn or_none(fingerprint: &str) -> &str {
    if fingerprint.is_empty() { "none" } else { fingerprint }
}

/// Checks that `shards` are the complete set of one experiment and returns them in chunk order.
/// Every failure names the shard and what is wrong with it.
pub fn check_set(mut shards: Vec<Shard>) -> Result<Vec<Shard>, String> {
    let Some(first) = shards.first().cloned() else {
        return Err("no shard folders given".into());
    };
    let reference = &first.identity;
    for shard in &shards {
        let id = &shard.identity;
        let differs = |what: &str, theirs: String, ours: String| {
            Err(format!(
                "{} is from another experiment: its {what} is {theirs}, but {}'s is {ours}",
                shard.folder.display(),
                first.folder.display()
            ))
        };
        if id.crossroads != reference.crossroads {
            return differs("crossroads version", id.crossroads.clone(), reference.crossroads.clone());
        }
        if id.math != reference.math {
            return Err(format!(
                "{} was computed on another kind of machine than {}: their math libraries give \
                 different results (math fingerprint {} against {}), so merged they would not be what \
                 one machine writes. Run every shard on one kind of machine: the same operating \
                 system, C library and processor family (one container image, a Slurm --constraint)",
                shard.folder.display(),
                first.folder.display(),
                or_none(&id.math),
                or_none(&reference.math),
            ));
        }
        if id.scenario != reference.scenario || id.scenario_sha256 != reference.scenario_sha256 {
            return differs(
                "scenario",
                format!("`{}` ({})", id.scenario, short(&id.scenario_sha256)),
                format!("`{}` ({})", reference.scenario, short(&reference.scenario_sha256)),
            );
        }
        if id.seed != reference.seed {
            return differs("seed", id.seed.to_string(), reference.seed.to_string());
        }
        if id.runs != reference.runs {
            return differs("run count", id.runs.to_string(), reference.runs.to_string());
        }
        if id.count != reference.count {
            return differs("shard count", id.count.to_string(), reference.count.to_string());
        }
        if id.experiment != reference.experiment {
            let describe = |e: &Option<ExperimentShard>| match e {
                None => "none (a shard of `run`)".to_string(),
                Some(e) => format!(
                    "{} of size {} with {} replications{}",
                    e.design,
                    e.size,
                    e.replications,
                    e.target.as_ref().map(|t| format!(", --target {t:?}")).unwrap_or_default()
                ),
            };
            return differs("experiment", describe(&id.experiment), describe(&reference.experiment));
        }
        let expected = shard_chunks(id.runs, id.index, id.count);
        if id.index >= id.count || (id.first_chunk, id.end_chunk) != (expected.start, expected.end) {
            return Err(format!(
                "{} claims to be shard {} of {} with chunks {}..{}, which is not how {} runs split into {} shards",
                shard.folder.display(),
                id.index,
                id.count,
                id.first_chunk,
                id.end_chunk,
                id.runs,
                id.count
            ));
        }
        if id.files.contains_key("runs.csv") != reference.files.contains_key("runs.csv") {
            return Err(format!(
                "{} {} runs.csv but {} {}: run every shard with or every shard without --no-runs-csv",
                shard.folder.display(),
                if id.files.contains_key("runs.csv") { "has" } else { "has no" },
                first.folder.display(),
                if reference.files.contains_key("runs.csv") { "has" } else { "has none" },
            ));
        }
    }
    shards.sort_by_key(|s| s.identity.index);
    for pair in shards.windows(2) {
        if let [a, b] = pair
            && a.identity.index == b.identity.index
        {
            return Err(format!(
                "{} and {} are both shard {} of {}: each shard must be given once",
                a.folder.display(),
                b.folder.display(),
                a.identity.index,
                a.identity.count
            ));
        }
    }
    let count = reference.count;
    if shards.len() as u64 != count {
        let present: Vec<u64> = shards.iter().map(|s| s.identity.index).collect();
        let missing: Vec<String> =
            (0..count).filter(|i| !present.contains(i)).map(|i| format!("{i}/{count}")).collect();
        return Err(format!(
            "shard{} {} of this experiment {} missing ({} of {count} given)",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" },
            shards.len()
        ));
    }
    Ok(shards)
}

/// The first 12 hex digits of a hash.
fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// Writes the runs.csv of the whole experiment: the first shard's header, then every shard's rows
/// in chunk order (each shard's file checked first).
pub fn concatenate_runs(shards: &[Shard], target: &Path) -> Result<(), String> {
    let out = fs::File::create(target).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    let mut out = std::io::BufWriter::new(out);
    let write_error = |e: std::io::Error| format!("cannot write {}: {e}", target.display());
    let mut header: Option<String> = None;
    for shard in shards {
        let path = shard.checked_file("runs.csv")?;
        let file = fs::File::open(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut reader = BufReader::new(file);
        let mut first_line = String::new();
        reader.read_line(&mut first_line).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        match &header {
            None => {
                out.write_all(first_line.as_bytes()).map_err(write_error)?;
                header = Some(first_line);
            }
            Some(h) if *h != first_line => {
                return Err(format!(
                    "{}: runs.csv has another header than the first shard's",
                    shard.folder.display()
                ));
            }
            Some(_) => {}
        }
        std::io::copy(&mut reader, &mut out).map_err(write_error)?;
    }
    out.flush().map_err(write_error)
}
