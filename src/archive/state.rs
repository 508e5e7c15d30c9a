//! What a scan of the whole archive knows of its records that statements
//! need, stored so that a day's statements need not rescan it:
//!
//! - `docs-N.bin`: per archived record, its near-duplicate group (the
//!   smallest record number of its cluster, itself when alone) and a hash of
//!   its source name: an anchor's document frequency counts groups, and
//!   site templates count documents per source, over every holder of the
//!   anchor, not only over the records a day reads;
//! - `links-N.bin`: every pair of archived records that shares a passage,
//!   sorted: which statements a day's records join depends on every record
//!   their passages reach, and these pairs say which ones without aligning
//!   anything.
//!
//! With the per-segment anchor postings ([`super::postings`]) and the
//! leader order ([`super::order`]), they are the statement state of
//! docs/archive.md. Each is rewritten whole when records are added (new
//! files, listed by the new manifest).
//!
//! Layouts, little-endian: the magic, the count (`u64`), then `(group: u32,
//! source: u64)` per record, or `(a: u32, b: u32)` per pair.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use super::Archive;
use super::postings::Postings;
use super::words::Words;
use crate::cluster::Cluster;
use crate::error::Error;

const DOCS_MAGIC: &[u8; 8] = b"SADADOC1";
const LINKS_MAGIC: &[u8; 8] = b"SADALNK1";

/// The identity of a source name in the stored state: equal names, equal
/// hashes (64 bits: a collision between two of a crawl's sources is not a
/// practical concern).
pub fn source_hash(name: &str) -> u64 {
    xxh3_64(name.as_bytes())
}

/// The group the records of cluster `c` take: its smallest record number.
pub fn cluster_group(c: &Cluster) -> u32 {
    c.members.iter().map(|m| m.0.0).min().expect("a cluster has members")
}

/// The error of a state file at `path` that cannot be read.
pub(super) fn unreadable(path: PathBuf) -> impl FnOnce(io::Error) -> Error {
    move |e| Error::ArchiveDamaged {
        reason: format!("cannot be read ({e}): check the archive with `sada index info --verify`"),
        path,
    }
}

/// Per archived record: its group and its source's hash.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Docs {
    /// The smallest record number of the record's near-duplicate cluster
    /// (its own number when it is in none).
    pub group: Vec<u32>,
    /// [`source_hash`] of its source.
    pub source: Vec<u64>,
}

/// The statement state of an archive, opened.
pub struct State {
    /// Groups and sources.
    pub docs: Docs,
    /// Pairs of archived records that share a passage, sorted.
    pub links: Vec<(u32, u32)>,
    /// The leader order file ([`super::order`]).
    pub order: PathBuf,
    /// Each segment's anchor postings, with the number of its first record.
    pub postings: Vec<(Postings, u32)>,
    /// Each segment's word hashes, with the number of its first record.
    pub words: Vec<(Words, u32)>,
}

impl State {
    /// The statement state of `archive`; `None` when it has no records.
    ///
    /// # Errors
    /// [`Error::ArchiveDamaged`] naming a file that cannot be read.
    pub fn open(archive: &Archive) -> Result<Option<State>, Error> {
        let m = archive.manifest();
        let Some(parts) = &m.state else { return Ok(None) };
        let dir = archive.dir();
        let damaged = unreadable;
        let docs_path = dir.join(&parts.docs.file);
        let docs = read_docs(&docs_path).map_err(damaged(docs_path.clone()))?;
        let links_path = dir.join(&parts.links.file);
        let links = read_links(&links_path).map_err(damaged(links_path.clone()))?;
        let mut postings = Vec::new();
        let mut words = Vec::new();
        let mut base = 0u32;
        for s in &m.segments {
            let path = dir.join(&s.postings.file);
            let p = Postings::open(&path).map_err(damaged(path.clone()))?;
            let records = p.records();
            let wpath = dir.join(&s.words.file);
            let w = Words::open(&wpath).map_err(damaged(wpath.clone()))?;
            for (got, path) in [(u64::from(records), &path), (w.records() as u64, &wpath)] {
                if got != s.documents {
                    return Err(Error::ArchiveDamaged {
                        path: path.clone(),
                        reason: format!("holds {got} records where its segment holds {}", s.documents),
                    });
                }
            }
            postings.push((p, base));
            words.push((w, base));
            base += records;
        }
        if docs.group.len() != base as usize {
            return Err(Error::ArchiveDamaged {
                path: docs_path,
                reason: format!("describes {} records where the segments hold {base}", docs.group.len()),
            });
        }
        if let Some(&(a, b)) = links.iter().find(|&&(a, b)| a >= b || b >= base) {
            return Err(Error::ArchiveDamaged {
                path: links_path,
                reason: format!("links records {a} and {b} of {base}: the file is damaged"),
            });
        }
        Ok(Some(State { docs, links, order: dir.join(&parts.order.file), postings, words }))
    }

    /// The word hashes of archived record `g`.
    ///
    /// # Errors
    /// Reading failed.
    pub fn words_of(&self, g: u32) -> io::Result<Vec<u32>> {
        let i = self.words.partition_point(|w| w.1 <= g) - 1;
        let (w, base) = &self.words[i];
        w.get((g - base) as usize)
    }

    /// Every archived holder of the anchors `queries` (sorted, without
    /// repeats), as `(hash, record)`, sorted.
    ///
    /// # Errors
    /// Reading a postings file failed.
    pub fn holders(&self, queries: &[u64]) -> io::Result<Vec<(u64, u32)>> {
        let parts: Vec<Vec<(u64, u32)>> = self
            .postings
            .par_iter()
            .map(|(p, base)| {
                let mut out = Vec::new();
                p.lookup(queries, &mut out)?;
                out.iter_mut().for_each(|x| x.1 += base);
                Ok(out)
            })
            .collect::<io::Result<_>>()?;
        let mut all: Vec<(u64, u32)> = parts.into_iter().flatten().collect();
        all.par_sort_unstable();
        Ok(all)
    }
}

/// Writes `docs` to `file`, flushed.
///
/// # Errors
/// Writing failed.
pub fn write_docs(file: File, docs: &Docs) -> io::Result<File> {
    let mut out = BufWriter::with_capacity(1 << 20, file);
    out.write_all(DOCS_MAGIC)?;
    out.write_all(&(docs.group.len() as u64).to_le_bytes())?;
    for (g, s) in docs.group.iter().zip(&docs.source) {
        out.write_all(&g.to_le_bytes())?;
        out.write_all(&s.to_le_bytes())?;
    }
    out.into_inner().map_err(io::IntoInnerError::into_error)
}

/// The records of the file at `path`.
///
/// # Errors
/// Reading failed, or the file is not a whole records file.
pub fn read_docs(path: &Path) -> io::Result<Docs> {
    let bytes = body(path, DOCS_MAGIC, 12, "records")?;
    let mut docs = Docs { group: Vec::with_capacity(bytes.len() / 12), source: Vec::with_capacity(bytes.len() / 12) };
    for c in bytes.chunks_exact(12) {
        docs.group.push(u32::from_le_bytes(c[..4].try_into().expect("4 bytes")));
        docs.source.push(u64::from_le_bytes(c[4..].try_into().expect("8 bytes")));
    }
    Ok(docs)
}

/// Writes `links` (sorted) to `file`, flushed.
///
/// # Errors
/// Writing failed.
pub fn write_links(file: File, links: &[(u32, u32)]) -> io::Result<File> {
    let mut out = BufWriter::with_capacity(1 << 20, file);
    out.write_all(LINKS_MAGIC)?;
    out.write_all(&(links.len() as u64).to_le_bytes())?;
    for (a, b) in links {
        out.write_all(&a.to_le_bytes())?;
        out.write_all(&b.to_le_bytes())?;
    }
    out.into_inner().map_err(io::IntoInnerError::into_error)
}

/// The pairs of the file at `path`.
///
/// # Errors
/// Reading failed, or the file is not a whole pairs file.
pub fn read_links(path: &Path) -> io::Result<Vec<(u32, u32)>> {
    let bytes = body(path, LINKS_MAGIC, 8, "linked pairs")?;
    let u32_at = |c: &[u8], i: usize| u32::from_le_bytes(c[i..i + 4].try_into().expect("4 bytes"));
    Ok(bytes.chunks_exact(8).map(|c| (u32_at(c, 0), u32_at(c, 4))).collect())
}

/// The records of a file of `magic` with records of `size` bytes, checked
/// against its count.
fn body(path: &Path, magic: &[u8; 8], size: u64, what: &str) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    File::open(path)?.read_to_end(&mut bytes)?;
    let bad = |m: String| io::Error::new(io::ErrorKind::InvalidData, m);
    if bytes.len() < 16 || &bytes[..8] != magic {
        return Err(bad(format!("not a sada {what} file")));
    }
    let count = u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes"));
    if count.checked_mul(size).and_then(|n| n.checked_add(16)) != Some(bytes.len() as u64) {
        return Err(bad("its count does not fit its size: the file is damaged or cut".into()));
    }
    bytes.drain(..16);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_links_read_back_as_written_and_a_cut_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let docs = Docs { group: vec![0, 0, 2, 1], source: vec![source_hash("a"), 7, u64::MAX, 0] };
        let path = dir.path().join("docs");
        write_docs(File::create(&path).unwrap(), &docs).unwrap();
        assert_eq!(read_docs(&path).unwrap(), docs);
        let links = vec![(0, 3), (1, 2), (1, 9)];
        let lpath = dir.path().join("links");
        write_links(File::create(&lpath).unwrap(), &links).unwrap();
        assert_eq!(read_links(&lpath).unwrap(), links);
        assert!(read_docs(&lpath).is_err(), "another kind of file");
        let len = std::fs::metadata(&path).unwrap().len();
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(len - 3).unwrap();
        assert_eq!(read_docs(&path).unwrap_err().kind(), io::ErrorKind::InvalidData);
        write_docs(File::create(&path).unwrap(), &Docs::default()).unwrap();
        assert_eq!(read_docs(&path).unwrap(), Docs::default());
    }
}
