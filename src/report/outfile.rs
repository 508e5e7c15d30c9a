//! One output file (`sada sign --out FILE`, `sada extract --out FILE`), all
//! or nothing: written under a hidden temporary name in the same directory
//! and renamed over `FILE` once complete, so a run that is killed, fails or
//! runs out of disk leaves the previous file whole (or none), never a
//! truncated one that looks finished.
//!
//! Only regular files are staged. A device, a pipe or a socket (`--out
//! /dev/null`, `--out /dev/stdout`, a FIFO another program reads) is written
//! in place: renaming over it would replace the device with a plain file,
//! which is what `mv` would do but never what the user meant. A symbolic link
//! is followed, so the file it names is replaced and the link stays.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// A file being written; [`OutFile::commit`] puts it in place, dropping it
/// uncommitted removes it (a staged file) or leaves what was written (a
/// device or pipe, where nothing can be taken back).
#[derive(Debug)]
pub struct OutFile {
    path: PathBuf,
    target: Target,
}

#[derive(Debug)]
enum Target {
    /// A regular file, written under a temporary name beside `path`.
    Staged(tempfile::NamedTempFile),
    /// Something that is not a regular file, opened and written directly.
    InPlace(File),
}

impl OutFile {
    /// Creates the temporary file beside `path` (beside the file a link
    /// names), or opens `path` itself when it is a device or a pipe. Called
    /// before any input is read, so that a long run is not lost to a place
    /// that cannot be written.
    ///
    /// # Errors
    /// [`Error::Output`] when `path` is a directory or its directory cannot
    /// be written.
    pub fn create(path: &Path) -> Result<OutFile, Error> {
        let refuse = |reason: String| Error::Output { path: path.to_path_buf(), reason };
        // `metadata` follows links: what matters is what the link names.
        let (staged_path, special) = match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                return Err(refuse("is a directory: give a file name, or `-` for standard output".into()));
            }
            Ok(meta) if !meta.is_file() => (path.to_path_buf(), true),
            Ok(_) => (std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()), false),
            Err(_) => (path.to_path_buf(), false),
        };
        if special {
            let file = File::options()
                .write(true)
                .open(path)
                .map_err(|e| refuse(format!("cannot be opened for writing ({e})")))?;
            return Ok(OutFile { path: path.to_path_buf(), target: Target::InPlace(file) });
        }
        let dir = match staged_path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tmp =
            tempfile::Builder::new().prefix(".sada-").suffix(".partial").tempfile_in(&dir).map_err(|e| {
                refuse(format!("cannot be written ({e}): check that its directory exists and is writable"))
            })?;
        Ok(OutFile { path: staged_path, target: Target::Staged(tmp) })
    }

    /// Where to write.
    pub fn file(&mut self) -> &mut File {
        match &mut self.target {
            Target::Staged(tmp) => tmp.as_file_mut(),
            Target::InPlace(file) => file,
        }
    }

    /// Flushes the file to disk and renames it to its path (a device or pipe
    /// was written in place and is only flushed).
    ///
    /// # Errors
    /// The sync or the rename failed; the temporary file is removed.
    pub fn commit(self) -> Result<(), Error> {
        let io = |source| Error::Io { what: "cannot put in place", path: self.path.clone(), source };
        match self.target {
            Target::Staged(tmp) => {
                tmp.as_file().sync_all().map_err(io)?;
                tmp.persist(&self.path).map(drop).map_err(|e| io(e.error))
            }
            // Devices and pipes need no sync (it fails on some, e.g. a
            // pipe), and everything written was handed over by `write`.
            Target::InPlace(_) => Ok(()),
        }
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

    #[test]
    fn a_link_is_followed_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.jsonl");
        let link = dir.path().join("link.jsonl");
        std::fs::write(&real, "previous\n").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let mut f = OutFile::create(&link).unwrap();
        f.file().write_all(b"new\n").unwrap();
        f.commit().unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new\n");
    }

    /// A pipe stands for every non-regular target (`/dev/null` included,
    /// which a test must not risk replacing): it is written in place and is
    /// still a pipe afterwards.
    #[test]
    fn a_pipe_is_written_in_place_not_replaced() {
        use std::io::Read;
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut got = String::new();
                File::open(&fifo).unwrap().read_to_string(&mut got).unwrap();
                got
            })
        };
        let mut f = OutFile::create(&fifo).unwrap();
        f.file().write_all(b"through the pipe\n").unwrap();
        f.commit().unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe\n");
        assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }
}
