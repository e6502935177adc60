//! The output folder, written atomically (DESIGN.md §7): everything goes into a temporary sibling
//! folder, which replaces the target only once complete. A failed or interrupted run leaves the
//! previous result untouched.
//!
//! Faults and concurrency (tested at process level in tests/faults.rs):
//! * A run holds an advisory lock (`flock`) on its temporary `.NAME.partial-PID` folder while it
//!   writes. A killed run (`kill -9`) leaves that folder unlocked; the next run into the same target
//!   finds it unlocked and deletes it. A `.NAME.previous-PID` folder left by a run killed in the
//!   middle of replacing the target is put back when the target is missing (it is the previous
//!   result), else deleted.
//! * Preparing (cleaning, creating and locking the temporary folder) and committing (the renames)
//!   happen under a lock on the parent folder, so two runs into the same target never interleave
//!   their renames: the target always holds one complete result, the last committed.
//! * Where the platform has no `flock` on folders, the locks are skipped (a lock that cannot be
//!   taken for another reason than contention is not an error): the renames stay atomic, but stale
//!   temporary folders are then not cleaned.
//!
//! A previous result is replaced silently only by a result of the same resolved scenario(s):
//! [`PendingOutput::prepare_for`] compares a fingerprint of the resolved scenario files the folder
//! holds (`scenario.toml`, `scenarios/*/scenario.toml`) with the ones about to be written, and
//! refuses a different one unless forced.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

use super::ReportError;

/// The file that marks a folder as a crossroads result: an existing folder is only replaced when
/// it is empty or holds one (or a shard result's [`SHARD_MARKER`]).
pub const MARKER: &str = "summary.json";

/// The file that marks a folder as a shard result.
pub const SHARD_MARKER: &str = "shard.json";

/// A result being written: a temporary folder next to the target. Dropped without
/// [`PendingOutput::commit`], it deletes the temporary folder and leaves the target as it was.
#[derive(Debug)]
pub struct PendingOutput {
    target: PathBuf,
    temporary: PathBuf,
    /// The open temporary folder, locked while this run writes into it (`None` when the platform
    /// cannot lock folders).
    _held: Option<File>,
    committed: bool,
}

/// What [`PendingOutput::prepare_for`] found at the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replacing {
    /// No previous result (no folder, or an empty one).
    Nothing,
    /// A previous result of the same resolved scenario(s).
    SameScenario,
    /// A previous result of different scenario(s), replaced because it was forced.
    OtherScenario,
}

impl PendingOutput {
    /// As [`PendingOutput::prepare`], and also compares the previous result's resolved scenarios
    /// with `made_from` — each resolved scenario TOML about to be written, by its path in the result
    /// folder (`scenario.toml` for a run, `scenarios/<label>/scenario.toml` for a comparison). A
    /// result of other scenarios is refused ([`ReportError::OtherScenario`]) unless `force`.
    pub fn prepare_for(
        target: &Path,
        made_from: &[(String, &str)],
        force: bool,
    ) -> Result<(Self, Replacing), ReportError> {
        let replacing = if target.join(MARKER).is_file() {
            let before = fingerprint(&scenario_files(target));
            let now = fingerprint(made_from);
            if before == now {
                Replacing::SameScenario
            } else if force {
                Replacing::OtherScenario
            } else {
                return Err(ReportError::OtherScenario {
                    path: target.to_path_buf(),
                    before: format!("{before:016x}"),
                    now: format!("{now:016x}"),
                });
            }
        } else {
            Replacing::Nothing
        };
        Ok((Self::prepare(target)?, replacing))
    }

    /// Checks that `target` can be written (creating its parent folders) and creates the
    /// temporary folder. Fails when `target` is a file, or a folder that is neither empty nor a
    /// previous result (so `--out ~` never replaces a home folder).
    pub fn prepare(target: &Path) -> Result<Self, ReportError> {
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| ReportError::BadTarget {
                path: target.to_path_buf(),
                reason: "it has no folder name".into(),
            })?
            .to_string();
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if target.is_file() {
            return Err(ReportError::BadTarget { path: target.to_path_buf(), reason: "it is a file".into() });
        }
        if target.is_dir() && !is_replaceable(target) {
            return Err(ReportError::BadTarget {
                path: target.to_path_buf(),
                reason: format!(
                    "it is a folder that is not empty and has no {MARKER}, so it is not a crossroads result"
                ),
            });
        }
        fs::create_dir_all(&parent).map_err(|source| ReportError::Io { path: parent.clone(), source })?;
        let _parent_lock = lock_folder(&parent, true);
        clean_stale(&parent, &name, target);
        let temporary = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if temporary.exists() {
            fs::remove_dir_all(&temporary)
                .map_err(|source| ReportError::Io { path: temporary.clone(), source })?;
        }
        fs::create_dir(&temporary).map_err(|source| ReportError::Io { path: temporary.clone(), source })?;
        let held = lock_folder(&temporary, true);
        Ok(PendingOutput { target: target.to_path_buf(), temporary, _held: held, committed: false })
    }

    /// The temporary folder to write into.
    pub fn path(&self) -> &Path {
        &self.temporary
    }

    /// The folder the result will have once committed.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the complete result into place, replacing a previous result.
    pub fn commit(mut self) -> Result<PathBuf, ReportError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ReportError::Io { path, source }
        };
        // One commit at a time into this parent folder: concurrent runs replace each other whole.
        let parent = self.temporary.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let _parent_lock = lock_folder(&parent, true);
        if self.target.is_dir() {
            if !is_replaceable(&self.target) {
                return Err(ReportError::BadTarget {
                    path: self.target.clone(),
                    reason: "it changed while the run was going and is no longer a crossroads result".into(),
                });
            }
            let previous = self.temporary.with_file_name(format!(
                ".{}.previous-{}",
                self.target.file_name().and_then(|n| n.to_str()).unwrap_or("output"),
                std::process::id()
            ));
            if previous.exists() {
                fs::remove_dir_all(&previous).map_err(io(&previous))?;
            }
            fs::rename(&self.target, &previous).map_err(io(&self.target))?;
            if let Err(source) = fs::rename(&self.temporary, &self.target) {
                // Put the previous result back: never leave the target missing.
                let _ = fs::rename(&previous, &self.target);
                return Err(ReportError::Io { path: self.target.clone(), source });
            }
            fs::remove_dir_all(&previous).map_err(io(&previous))?;
        } else {
            fs::rename(&self.temporary, &self.target).map_err(io(&self.target))?;
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for PendingOutput {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.temporary);
        }
    }
}

/// The resolved scenario files of a result folder, by path in it: `scenario.toml` and
/// `scenarios/*/scenario.toml` (unreadable files count as empty).
fn scenario_files(folder: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    if let Ok(text) = fs::read_to_string(folder.join("scenario.toml")) {
        files.push(("scenario.toml".to_string(), text));
    }
    if let Ok(entries) = fs::read_dir(folder.join("scenarios")) {
        for entry in entries.flatten() {
            let path = entry.path().join("scenario.toml");
            if path.is_file() {
                let label = entry.file_name().to_string_lossy().into_owned();
                files.push((
                    format!("scenarios/{label}/scenario.toml"),
                    fs::read_to_string(&path).unwrap_or_default(),
                ));
            }
        }
    }
    files
}

/// A 64-bit FNV-1a hash of (path, text) pairs, in path order: equal exactly when the same files
/// hold the same text (up to hash collisions).
fn fingerprint<T: AsRef<str>>(files: &[(String, T)]) -> u64 {
    let mut sorted: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_ref())).collect();
    sorted.sort_unstable();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (path, text) in sorted {
        for byte in path.bytes().chain([0]).chain(text.bytes()).chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// `folder` opened and locked exclusively: waiting for the lock when `wait`, else `None` when
/// another process holds it. Also `None` when the folder cannot be opened or locked at all (a
/// platform without `flock` on folders): locking is then skipped.
fn lock_folder(folder: &Path, wait: bool) -> Option<File> {
    let file = File::open(folder).ok()?;
    let locked = if wait {
        file.lock().is_ok()
    } else {
        match file.try_lock() {
            Ok(()) => true,
            Err(TryLockError::WouldBlock | TryLockError::Error(_)) => false,
        }
    };
    locked.then_some(file)
}

/// Deletes the temporary folders of `name` in `parent` that no live run holds (left by a killed
/// run), and puts back a previous result a killed run had moved aside before replacing `target`.
/// Best effort: a folder that cannot be inspected or removed is left alone.
fn clean_stale(parent: &Path, name: &str, target: &Path) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    let (partial, previous) = (format!(".{name}.partial-"), format!(".{name}.previous-"));
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else { continue };
        let is_partial = file_name.starts_with(&partial);
        let is_previous = file_name.starts_with(&previous);
        if !(is_partial || is_previous) || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let path = entry.path();
        // Held by a live run (or not lockable here): not ours to touch.
        let Some(lock) = lock_folder(&path, false) else { continue };
        if is_previous && !target.exists() && fs::rename(&path, target).is_ok() {
            continue;
        }
        drop(lock);
        let _ = fs::remove_dir_all(&path);
    }
}

/// An empty folder, or one holding a previous result.
fn is_replaceable(folder: &Path) -> bool {
    folder.join(MARKER).is_file()
        || folder.join(SHARD_MARKER).is_file()
        || fs::read_dir(folder).is_ok_and(|mut entries| entries.next().is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_result_leaves_the_previous_one() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("nested").join("result");
        let first = PendingOutput::prepare(&target).unwrap();
        fs::write(first.path().join(MARKER), "{\"first\":1}").unwrap();
        first.commit().unwrap();
        let second = PendingOutput::prepare(&target).unwrap();
        fs::write(second.path().join(MARKER), "{\"second\":2}").unwrap();
        drop(second);
        assert_eq!(fs::read_to_string(target.join(MARKER)).unwrap(), "{\"first\":1}");
        let third = PendingOutput::prepare(&target).unwrap();
        fs::write(third.path().join(MARKER), "{\"third\":3}").unwrap();
        third.commit().unwrap();
        assert_eq!(fs::read_to_string(target.join(MARKER)).unwrap(), "{\"third\":3}");
        // Nothing but the result is left in the parent.
        let left: Vec<_> =
            fs::read_dir(target.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("result")]);
    }

    #[test]
    fn a_result_of_another_scenario_is_replaced_only_when_forced() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("result");
        let made_from = |text: &'static str| vec![("scenario.toml".to_string(), text)];
        let (first, replacing) = PendingOutput::prepare_for(&target, &made_from("a = 1\n"), false).unwrap();
        assert_eq!(replacing, Replacing::Nothing);
        fs::write(first.path().join(MARKER), "{}").unwrap();
        fs::write(first.path().join("scenario.toml"), "a = 1\n").unwrap();
        first.commit().unwrap();
        let (same, replacing) = PendingOutput::prepare_for(&target, &made_from("a = 1\n"), false).unwrap();
        assert_eq!(replacing, Replacing::SameScenario);
        drop(same);
        let refused = PendingOutput::prepare_for(&target, &made_from("a = 2\n"), false).unwrap_err();
        assert!(matches!(refused, ReportError::OtherScenario { .. }), "{refused}");
        let (_, replacing) = PendingOutput::prepare_for(&target, &made_from("a = 2\n"), true).unwrap();
        assert_eq!(replacing, Replacing::OtherScenario);
        // A comparison's folder: its scenarios' files, whatever the order they are listed in.
        let files =
            [("scenarios/b/scenario.toml".to_string(), "b"), ("scenarios/a/scenario.toml".to_string(), "a")];
        let mut reversed = files.clone();
        reversed.reverse();
        assert_eq!(fingerprint(&files), fingerprint(&reversed));
        assert_ne!(fingerprint(&files), fingerprint(&files[..1]));
    }

    #[test]
    fn stale_temporary_folders_are_cleaned_and_a_moved_aside_result_is_put_back() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("result");
        // A run killed while writing, and one killed between moving the previous result aside and
        // moving its own into place (the target is missing).
        let partial = root.path().join(".result.partial-4000000");
        let previous = root.path().join(".result.previous-4000001");
        fs::create_dir(&partial).unwrap();
        fs::write(partial.join("runs.csv"), "half").unwrap();
        fs::create_dir(&previous).unwrap();
        fs::write(previous.join(MARKER), "{\"old\":1}").unwrap();
        // A live run's temporary folder (locked) and another result's are left alone.
        let live = root.path().join(".result.partial-4000002");
        fs::create_dir(&live).unwrap();
        let held = lock_folder(&live, true).expect("folders can be locked here");
        let other = root.path().join(".other.partial-4000003");
        fs::create_dir(&other).unwrap();

        let pending = PendingOutput::prepare(&target).unwrap();
        assert_eq!(fs::read_to_string(target.join(MARKER)).unwrap(), "{\"old\":1}");
        assert!(!partial.exists() && !previous.exists());
        assert!(live.exists() && other.exists());
        drop((pending, held));
    }

    #[test]
    fn folders_that_are_not_results_are_never_replaced() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("notes.txt"), "mine").unwrap();
        assert!(matches!(PendingOutput::prepare(root.path()), Err(ReportError::BadTarget { .. })));
        let file = root.path().join("notes.txt");
        assert!(matches!(PendingOutput::prepare(&file), Err(ReportError::BadTarget { .. })));
        assert_eq!(fs::read_to_string(file).unwrap(), "mine");
    }
}
