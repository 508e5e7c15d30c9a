//! The output directory, all or nothing.
//!
//! A scan's files are written into a hidden staging directory beside
//! `--out` and renamed into place at the end, so a run killed, interrupted
//! or out of disk leaves the previous outputs whole (or none), never a set
//! that mixes two runs or holds a truncated file. A lock beside `--out`
//! keeps a second `sada` from writing there at the same time, and all of
//! this is checked before any input is read: a long crawl is not lost to an
//! `--out` that cannot be written.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// The names a sada output directory holds; a directory with anything else
/// in it is not replaced.
pub const OUTPUT_NAMES: &[&str] =
    &["documents.jsonl", "clusters.jsonl", "statements.jsonl", "summary.json", "report.html", ".sada-stages"];

/// Where the cluster mode keeps its `--resume` checkpoints, inside `--out`:
/// carried over from the previous outputs when they are replaced.
const CHECKPOINTS: &str = ".sada-stages";

/// An output directory being written: files go to [`OutDir::path`], and
/// [`OutDir::commit`] puts them in place.
#[derive(Debug)]
pub struct OutDir {
    out: PathBuf,
    /// `None` once committed.
    staging: Option<tempfile::TempDir>,
    lock_path: PathBuf,
    /// Held (locked) until the outputs are in place.
    _lock: File,
}

impl OutDir {
    /// Checks that `out` can be written and takes it: creates its parent,
    /// locks it against another `sada`, and makes the staging directory.
    ///
    /// # Errors
    /// [`Error::Output`] when `out` is a file, a directory holding other
    /// files than sada's, being written by another `sada`, or in a place
    /// that cannot be written.
    pub fn prepare(out: &Path) -> Result<OutDir, Error> {
        Self::take(out, foreign_entry, |path, reason| Error::Output { path, reason })
    }

    /// As [`OutDir::prepare`], for the written corpus of `--write`: `out`
    /// must be new, empty or a previous `--write` output (it holds
    /// [`DATASET_MARKER`]); errors are [`Error::Write`].
    ///
    /// # Errors
    /// [`Error::Write`] as [`OutDir::prepare`]'s [`Error::Output`].
    pub fn prepare_dataset(out: &Path) -> Result<OutDir, Error> {
        Self::take(out, foreign_dataset, |path, reason| Error::Write { path, reason })
    }

    fn take(
        out: &Path,
        foreign: fn(&Path) -> Option<String>,
        error: fn(PathBuf, String) -> Error,
    ) -> Result<OutDir, Error> {
        let refuse = |reason: String| error(out.to_path_buf(), reason);
        let name = out
            .file_name()
            .ok_or_else(|| refuse("does not name a directory; give a path such as sada-out".into()))?
            .to_string_lossy()
            .into_owned();
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| refuse(format!("cannot create '{}': {e}", parent.display())))?;
        if let Ok(meta) = std::fs::symlink_metadata(out) {
            if !meta.is_dir() {
                return Err(refuse("exists and is not a directory; give a new or empty directory".into()));
            }
            if let Some(other) = foreign(out) {
                return Err(refuse(format!(
                    "holds '{other}', which sada did not write; give a new or empty directory (sada replaces \
                     its outputs whole)"
                )));
            }
        }
        let lock_path = parent.join(format!(".{name}.sada-lock"));
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| refuse(format!("cannot write in '{}': {e}", parent.display())))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(refuse(format!(
                    "another sada is writing it now (it holds '{}'); wait for it or give another --out",
                    lock_path.display()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(refuse(format!("cannot lock '{}': {e}", lock_path.display())));
            }
        }
        remove_leftovers(&parent, &name, out);
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{name}.sada-"))
            .tempdir_in(&parent)
            .map_err(|e| refuse(format!("cannot write in '{}': {e}", parent.display())))?;
        Ok(OutDir { out: out.to_path_buf(), staging: Some(staging), lock_path, _lock: lock })
    }

    /// Where the files are written until [`OutDir::commit`].
    pub fn path(&self) -> &Path {
        self.staging.as_ref().expect("not committed").path()
    }

    /// Puts the written files in place of `out`'s previous contents (the
    /// cluster mode's checkpoints are kept). Without it, nothing of this run
    /// appears and the previous outputs stay.
    ///
    /// # Errors
    /// [`Error::Io`] if a rename fails; the previous outputs are then left
    /// as they were, or under their hidden name beside `out` if only the
    /// second rename failed (said in the error).
    pub fn commit(mut self) -> Result<(), Error> {
        let staging = self.staging.take().expect("committed once").keep();
        if self.out.is_dir() {
            let checkpoints = self.out.join(CHECKPOINTS);
            if checkpoints.is_dir() {
                std::fs::rename(&checkpoints, staging.join(CHECKPOINTS))
                    .map_err(io("cannot keep the checkpoints of", &checkpoints))?;
            }
            // One atomic step where the file system allows it: two renames
            // leave a moment without `out`, and a kill there left it
            // missing (its outputs under the hidden name) until the next run.
            use rustix::fs::{CWD, RenameFlags, renameat_with};
            if renameat_with(CWD, &staging, CWD, &self.out, RenameFlags::EXCHANGE).is_ok() {
                // `staging` now holds the previous outputs; a kill before
                // they are removed leaves a staging directory, which the next
                // run removes.
                let _ = std::fs::remove_dir_all(&staging);
                return Ok(());
            }
            let mut old = staging.clone().into_os_string();
            old.push(".old");
            let old = PathBuf::from(old);
            std::fs::rename(&self.out, &old).map_err(io("cannot replace", &self.out))?;
            std::fs::rename(&staging, &self.out)
                .map_err(io("cannot move the outputs into place, the previous ones are in", &old))?;
            // The previous outputs; a failure leaves a hidden directory.
            let _ = std::fs::remove_dir_all(&old);
        } else {
            std::fs::rename(&staging, &self.out).map_err(io("cannot move the outputs into place", &self.out))?;
        }
        Ok(())
    }
}

impl Drop for OutDir {
    /// The staging directory of a run that did not commit goes (its
    /// `TempDir`), and so does the lock file, committed or not.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.lock_path);
    }
}

/// An [`Error::Io`] maker for `map_err`.
fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io { what, path, source }
}

/// Removes what a run killed before its commit left beside `out` (we hold
/// the lock, so no running `sada` owns them): its staging directory, and
/// the previous outputs it was replacing once `out` is back in place (if
/// `out` is missing, the kill fell between the two renames of
/// [`OutDir::commit`] and `….old` is the only copy of them: it stays).
fn remove_leftovers(parent: &Path, name: &str, out: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    let prefix = format!(".{name}.sada-");
    for entry in entries.filter_map(Result::ok) {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else { continue };
        let (random, old) = match rest.strip_suffix(".old") {
            Some(random) => (random, true),
            None => (rest, false),
        };
        // `tempfile`'s six alphanumerics: not the lock, nor another output's
        // staging whose name merely starts like ours.
        let staging = random.len() == 6 && random.bytes().all(|b| b.is_ascii_alphanumeric());
        if staging && entry.file_type().is_ok_and(|t| t.is_dir()) && (!old || out.is_dir()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The first entry of `dir` that is not one of [`OUTPUT_NAMES`], if any.
fn foreign_entry(dir: &Path) -> Option<String> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut names: Vec<String> =
        entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names.into_iter().find(|n| !OUTPUT_NAMES.contains(&n.as_str()))
}

/// The file that marks a directory as a corpus written by `sada scan
/// --write`: such a directory is replaced whole by the next `--write` into it.
pub const DATASET_MARKER: &str = ".sada-write";

/// For a `--write` directory: its first entry when it holds something but
/// not [`DATASET_MARKER`] (a directory sada did not write).
fn foreign_dataset(dir: &Path) -> Option<String> {
    if dir.join(DATASET_MARKER).is_file() {
        return None;
    }
    let entries = std::fs::read_dir(dir).ok()?;
    let mut names: Vec<String> =
        entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names.into_iter().next()
}

/// Whether `dir` is a sada output directory (it holds a `summary.json` and
/// a `documents.jsonl`): what a walk of the inputs skips, so that `sada scan
/// .` run twice does not read its own outputs.
pub fn holds_outputs(dir: &Path) -> bool {
    dir.join("summary.json").is_file() && dir.join("documents.jsonl").is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn outputs_appear_only_at_commit_and_replace_the_previous_ones() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("nested/out");
        let first = OutDir::prepare(&out).unwrap();
        std::fs::write(first.path().join("summary.json"), "1").unwrap();
        assert!(!out.exists(), "nothing before commit");
        first.commit().unwrap();
        assert_eq!(std::fs::read_to_string(out.join("summary.json")).unwrap(), "1");

        let second = OutDir::prepare(&out).unwrap();
        std::fs::write(second.path().join("documents.jsonl"), "2").unwrap();
        drop(second); // a failed run: the previous outputs stay
        assert_eq!(files(&out), vec!["summary.json"]);

        std::fs::create_dir_all(out.join(CHECKPOINTS)).unwrap();
        let third = OutDir::prepare(&out).unwrap();
        std::fs::write(third.path().join("documents.jsonl"), "3").unwrap();
        third.commit().unwrap();
        assert_eq!(files(&out), vec![".sada-stages", "documents.jsonl"]);
        assert_eq!(files(out.parent().unwrap()), vec!["out"], "no staging, old or lock left");
    }

    #[test]
    fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let first = OutDir::prepare(&out).unwrap();
        let err = OutDir::prepare(&out).unwrap_err().to_string();
        assert!(err.contains("another sada"), "{err}");
        first.commit().unwrap();
        OutDir::prepare(&out).unwrap();
    }

    #[test]
    fn a_killed_run_leaves_nothing_behind_for_the_next() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        OutDir::prepare(&out).unwrap().commit().unwrap();
        // What SIGKILL leaves: a staging directory, a replaced output
        // directory, and beside them things that are not ours.
        for name in [".out.sada-AbC123", ".out.sada-xyz789.old", ".out.sada-other", ".out2.sada-AbC123"] {
            std::fs::create_dir(root.path().join(name)).unwrap();
        }
        std::fs::write(root.path().join(".out.sada-fil123"), "x").unwrap();
        let next = OutDir::prepare(&out).unwrap();
        next.commit().unwrap();
        assert_eq!(files(root.path()), vec![".out.sada-fil123", ".out.sada-other", ".out2.sada-AbC123", "out"]);
    }

    #[test]
    fn previous_outputs_killed_between_the_renames_are_kept() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let old = root.path().join(".out.sada-AbC123.old");
        std::fs::create_dir(&old).unwrap();
        std::fs::write(old.join("summary.json"), "1").unwrap();
        drop(OutDir::prepare(&out).unwrap());
        assert!(old.join("summary.json").is_file(), "the only copy of the previous outputs");
    }

    #[test]
    fn a_file_or_a_foreign_directory_is_not_replaced() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("file");
        std::fs::write(&file, "x").unwrap();
        assert!(OutDir::prepare(&file).unwrap_err().to_string().contains("not a directory"));
        let home = root.path().join("home");
        std::fs::create_dir(&home).unwrap();
        std::fs::write(home.join("thesis.tex"), "x").unwrap();
        std::fs::write(home.join("summary.json"), "x").unwrap();
        let err = OutDir::prepare(&home).unwrap_err().to_string();
        assert!(err.contains("thesis.tex"), "{err}");
        assert!(home.join("thesis.tex").exists());
    }
}
