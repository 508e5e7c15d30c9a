//! The archive's verified pairs (`edges-N.bin`): every pair of archived
//! records a scan of the whole archive would verify, with its similarity,
//! sorted. Rewritten whole by each `sada index add` (a new file, listed by the
//! new manifest): a day's records add pairs, and can take some away (a
//! bucket grown past [`crate::index::FULL_BUCKET`] pairs its members by
//! window, not all with all).
//!
//! Layout: the magic, the count (`u64`), then `(a: u32, b: u32, similarity:
//! f64)` per pair, little-endian.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use crate::model::DocId;
use crate::verify::Edge;

const MAGIC: &[u8; 8] = b"SADAEDG1";
const RECORD: usize = 16;

/// Writes `edges` (sorted by `(a, b)`) to `file`, flushed.
///
/// # Errors
/// Writing failed.
pub fn write(file: File, edges: &[Edge]) -> io::Result<File> {
    let mut out = BufWriter::with_capacity(1 << 20, file);
    out.write_all(MAGIC)?;
    out.write_all(&(edges.len() as u64).to_le_bytes())?;
    for e in edges {
        out.write_all(&e.a.0.to_le_bytes())?;
        out.write_all(&e.b.0.to_le_bytes())?;
        out.write_all(&e.similarity.to_le_bytes())?;
    }
    out.into_inner().map_err(io::IntoInnerError::into_error)
}

/// The pairs of the file at `path`.
///
/// # Errors
/// Reading failed, or the file is not a whole pairs file.
pub fn read(path: &Path) -> io::Result<Vec<Edge>> {
    let mut bytes = Vec::new();
    File::open(path)?.read_to_end(&mut bytes)?;
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
    if bytes.len() < 16 || &bytes[..8] != MAGIC {
        return Err(bad("not a sada pairs file"));
    }
    let count = u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes"));
    if count.checked_mul(RECORD as u64).and_then(|n| n.checked_add(16)) != Some(bytes.len() as u64) {
        return Err(bad("its count does not fit its size: the file is damaged or cut"));
    }
    let u32_at = |c: &[u8], i: usize| u32::from_le_bytes(c[i..i + 4].try_into().expect("4 bytes"));
    Ok(bytes[16..]
        .chunks_exact(RECORD)
        .map(|c| Edge {
            a: DocId(u32_at(c, 0)),
            b: DocId(u32_at(c, 4)),
            similarity: f64::from_le_bytes(c[8..16].try_into().expect("8 bytes")),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_read_back_as_written_and_a_cut_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("edges");
        let edges =
            [Edge { a: DocId(0), b: DocId(3), similarity: 0.75 }, Edge { a: DocId(2), b: DocId(9), similarity: 1.0 }];
        write(File::create(&path).unwrap(), &edges).unwrap();
        assert_eq!(read(&path).unwrap(), edges);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert!(read(&path).is_err());
        write(File::create(&path).unwrap(), &[]).unwrap();
        assert!(read(&path).unwrap().is_empty());
    }
}
