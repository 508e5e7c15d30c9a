//! Where data goes when it outgrows its share of `--memory-limit`
//! ([`crate::config::Budgets`]): unlinked temporary files in `--spill-dir`.
//!
//! - [`store`]: per-document `u32` sequences (word hashes, signature lanes)
//!   kept between the first pass and the grouping stages, moved to a file
//!   once past their share and read back by `pread`;
//! - [`runs`]: an external sort of fixed-size [`Record`]s (one LSH band's
//!   keys; the document pairs align reads; the passage sides and candidates
//!   group reads), sorted runs on disk merged on the way out;
//! - [`partitioned`]: [`Entry`]s appended to one file per part (the match
//!   stage's anchor postings by part of the hash space), each part read back
//!   whole;
//! - [`table`]: [`Record`]s appended in order and read back by position
//!   (group's sides, in the order of its candidates).
//!
//! What they share lives here: the temporary file, the error of a failed
//! spill, the [`Record`] trait and the 12-byte [`Entry`].

pub mod partitioned;
pub mod runs;
pub mod store;
pub mod table;

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

/// A fixed-size value that sorts and spills: what [`runs::Sorter`] and
/// [`table::Table`] hold, written as [`Record::BYTES`] little-endian bytes.
pub trait Record: Copy + Ord + Send + Sync {
    /// Bytes of one record in a file.
    const BYTES: usize;
    /// Appends the record's [`Record::BYTES`] bytes to `out`.
    fn put(&self, out: &mut Vec<u8>);
    /// The record of the [`Record::BYTES`] bytes `b`, as [`Record::put`]
    /// wrote them.
    fn get(b: &[u8]) -> Self;
}

impl Record for Entry {
    const BYTES: usize = ENTRY_BYTES;

    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&encode(*self));
    }

    fn get(b: &[u8]) -> Entry {
        decode(b)
    }
}

/// Reads the `u32` at word `i` of a record's bytes, little-endian: for
/// [`Record::get`] of records made of `u32`s.
#[inline]
pub(crate) fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().expect("4 bytes"))
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
