//! Errors that stop a run, and the place of a per-record problem.
//!
//! A problem with one record never stops a run: it becomes a
//! [`RecordError`], stored in that record's `documents.jsonl` line. Only
//! problems with the run itself (an input path that does not exist, an
//! invalid parameter, an output directory that cannot be written) are
//! [`Error`]s.

use std::fmt;
use std::path::PathBuf;

/// A failure that stops the run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input path given on the command line does not exist.
    #[error("input path '{}' does not exist", path.display())]
    MissingInput {
        /// The path as given.
        path: PathBuf,
    },
    /// An input file given explicitly has an extension sada cannot read.
    #[error(
        "cannot tell the format of '{}': expected .txt, .md, .jsonl, .ndjson, .warc, .wet, .warc.wet or .arc, optionally with .gz, .zst or .lz4, or .parquet",
        path.display()
    )]
    UnknownFormat {
        /// The path as given.
        path: PathBuf,
    },
    /// Standard input (`-`) given where it cannot be read.
    #[error("{reason}")]
    Stdin {
        /// Why, and what to do instead.
        reason: &'static str,
    },
    /// A parameter is out of range or inconsistent with another.
    #[error("invalid --{name}: {reason}")]
    Param {
        /// The option's name, without dashes.
        name: &'static str,
        /// What is wrong and what would be right.
        reason: String,
    },
    /// `--out` cannot be taken: a file, a directory of other files, another
    /// sada writing it, or a place that cannot be written.
    #[error("--out '{}' {reason}", path.display())]
    Output {
        /// The `--out` path.
        path: PathBuf,
        /// What is wrong and what to do.
        reason: String,
    },
    /// `--write` cannot be taken: a file, a directory of other files, a
    /// place overlapping `--out` or an input, or two inputs that would be
    /// written to one path.
    #[error("--write '{}' {reason}", path.display())]
    Write {
        /// The `--write` path.
        path: PathBuf,
        /// What is wrong and what to do.
        reason: String,
    },
    /// Reading an input or writing an output failed as a whole.
    #[error("{what} '{}'", path.display())]
    Io {
        /// What was being done, e.g. "cannot write".
        what: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The thread pool could not be built.
    #[error("cannot start worker threads")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    /// A cluster run (`--hosts`) could not form or lost a process.
    #[error("cluster: {0}")]
    Cluster(String),
    /// `sada index` on a directory that is not what the command needs (not
    /// an archive, already one, a file, written by another sada).
    #[error("archive '{}' {reason}", path.display())]
    Archive {
        /// The archive directory.
        path: PathBuf,
        /// What is wrong and what to do.
        reason: String,
    },
    /// The caller stopped the scan ([`crate::Config::cancel`]).
    #[error("the scan was cancelled")]
    Cancelled,
    /// A file of an archive that is damaged or was not written by sada.
    #[error("archive file '{}' {reason}", path.display())]
    ArchiveDamaged {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// Where in the input a record or a problem is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Locator {
    /// A whole file.
    File(String),
    /// A line of a line-oriented file (1-based): `FILE:LINE`.
    Line(String, u64),
    /// A byte offset: `FILE@OFFSET`. For a compressed file the offset is in
    /// the compressed bytes when the decompressor failed, and in the
    /// decompressed text when the text itself was bad.
    Offset(String, u64),
}

impl fmt::Display for Locator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Locator::File(p) => write!(f, "{p}"),
            Locator::Line(p, n) => write!(f, "{p}:{n}"),
            Locator::Offset(p, o) => write!(f, "{p}@{o}"),
        }
    }
}

/// What was wrong with one record, and where.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordError {
    /// Where the problem is.
    pub locator: Locator,
    /// What is wrong, lower case, no final period.
    pub message: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.locator, self.message)
    }
}
