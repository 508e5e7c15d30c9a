//! Where data goes when it outgrows its share of `--memory-limit`
//! ([`crate::config::Budgets`]): unlinked temporary files in `--spill-dir`.
//!
//! - [`store`]: per-document `u32` sequences (word hashes, signature lanes)
//!   kept between the first pass and the grouping stages, moved to a file
//!   once past their share and read back by `pread`;
//! - [`runs`]: an external sort of [`Entry`]s (one LSH band's keys), sorted
//!   runs on disk merged on the way out;
//! - [`partitioned`]: [`Entry`]s appended to one file per part (the match
//!   stage's anchor postings by part of the hash space), each part read back
//!   whole.
//!
//! What they share lives here: the temporary file, the error of a failed
//! spill and the 12-byte [`Entry`] of run and part files.

pub mod partitioned;
pub mod runs;
pub mod store;

use std::fs::File;
use std::io;
use std::path::Path;

use crate::Error;

/// One `(key, doc)` entry of a sort or a partition: a 64-bit key (a band
/// key, an anchor hash) and a document number.
pub type Entry = (u64, u32);

/// Bytes of an [`Entry`] in a file: the key, then the document, both
/// little-endian.
const ENTRY_BYTES: usize = 12;

/// `entry` as it is written to a file.
#[inline]
fn encode((key, doc): Entry) -> [u8; ENTRY_BYTES] {
    let mut b = [0u8; ENTRY_BYTES];
    b[..8].copy_from_slice(&key.to_le_bytes());
    b[8..].copy_from_slice(&doc.to_le_bytes());
    b
}

/// The entry of the [`ENTRY_BYTES`] bytes `b`, as [`encode`] wrote them.
#[inline]
fn decode(b: &[u8]) -> Entry {
    let key = u64::from_le_bytes(b[..8].try_into().expect("8 bytes"));
    let doc = u32::from_le_bytes(b[8..ENTRY_BYTES].try_into().expect("4 bytes"));
    (key, doc)
}

/// An unlinked temporary file in `dir` (created if missing), or in the
/// system's temporary directory: nothing is left behind, even after a crash.
pub(crate) fn file(dir: Option<&Path>) -> io::Result<File> {
    match dir {
        Some(dir) => std::fs::create_dir_all(dir).and_then(|()| tempfile::tempfile_in(dir)),
        None => tempfile::tempfile(),
    }
}

/// The error of a failed spill (or read back) in `dir`.
pub(crate) fn error(dir: Option<&Path>, source: io::Error) -> Error {
    Error::Io { what: "cannot spill to", path: dir.map_or_else(std::env::temp_dir, Path::to_path_buf), source }
}
