//! One output file (`sada sign --out FILE`, `sada extract --out FILE`), all
//! or nothing: written under a hidden temporary name in the same directory
//! and renamed over `FILE` once complete, so a run that is killed, fails or
//! runs out of disk leaves the previous file whole (or none), never a
//! truncated one that looks finished.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// A file being written; [`OutFile::commit`] puts it in place, dropping it
/// uncommitted removes it.
#[derive(Debug)]
pub struct OutFile {
    path: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl OutFile {
    /// Creates the temporary file beside `path`. Called before any input is
    /// read, so that a long run is not lost to a place that cannot be
    /// written.
    ///
    /// # Errors
    /// [`Error::Output`] when `path` is a directory or its directory cannot
    /// be written.
    pub fn create(path: &Path) -> Result<OutFile, Error> {
        let refuse = |reason: String| Error::Output { path: path.to_path_buf(), reason };
        if path.is_dir() {
            return Err(refuse("is a directory: give a file name, or `-` for standard output".into()));
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp =
            tempfile::Builder::new().prefix(".sada-").suffix(".partial").tempfile_in(dir).map_err(|e| {
                refuse(format!("cannot be written ({e}): check that its directory exists and is writable"))
            })?;
        Ok(OutFile { path: path.to_path_buf(), tmp })
    }

    /// Where to write.
    pub fn file(&mut self) -> &mut File {
        self.tmp.as_file_mut()
    }

    /// Flushes the file to disk and renames it to its path.
    ///
    /// # Errors
    /// The sync or the rename failed; the temporary file is removed.
    pub fn commit(self) -> Result<(), Error> {
        let io = |source| Error::Io { what: "cannot put in place", path: self.path.clone(), source };
        self.tmp.as_file().sync_all().map_err(io)?;
        self.tmp.persist(&self.path).map(drop).map_err(|e| io(e.error))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn the_file_appears_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        std::fs::write(&path, "previous\n").unwrap();
        let mut f = OutFile::create(&path).unwrap();
        f.file().write_all(b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous\n");
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    #[test]
    fn an_uncommitted_file_leaves_the_previous_one_and_no_trace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.sig");
        std::fs::write(&path, "previous").unwrap();
        let mut f = OutFile::create(&path).unwrap();
        f.file().write_all(b"half").unwrap();
        drop(f);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_directory_or_a_missing_parent_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(OutFile::create(dir.path()), Err(Error::Output { .. })));
        assert!(matches!(OutFile::create(&dir.path().join("no/such/dir/x")), Err(Error::Output { .. })));
    }
}
