//! The output folder, written atomically (DESIGN.md §7): everything goes into a temporary sibling
//! folder, which replaces the target only once complete. A failed or interrupted run leaves the
//! previous result untouched (at worst a hidden `.NAME.partial-PID` folder remains after a kill).

use std::fs;
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
    committed: bool,
}

impl PendingOutput {
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
        let temporary = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if temporary.exists() {
            fs::remove_dir_all(&temporary)
                .map_err(|source| ReportError::Io { path: temporary.clone(), source })?;
        }
        fs::create_dir(&temporary).map_err(|source| ReportError::Io { path: temporary.clone(), source })?;
        Ok(PendingOutput { target: target.to_path_buf(), temporary, committed: false })
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
    fn folders_that_are_not_results_are_never_replaced() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("notes.txt"), "mine").unwrap();
        assert!(matches!(PendingOutput::prepare(root.path()), Err(ReportError::BadTarget { .. })));
        let file = root.path().join("notes.txt");
        assert!(matches!(PendingOutput::prepare(&file), Err(ReportError::BadTarget { .. })));
        assert_eq!(fs::read_to_string(file).unwrap(), "mine");
    }
}
