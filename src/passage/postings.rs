//! The match stage's anchor postings, written once and read back part by
//! part when they do not fit in memory at once.
//!
//! Matching groups the postings `(anchor hash, document)` of the whole
//! corpus by hash. When they exceed their share of `--memory-limit`, the
//! hash space is matched in parts (see [`super::partitions`]). Winnowing
//! every document again for each part made the match stage grow faster
//! than the corpus (one 200 MB document: 1.5 s at 50 MB, 8.2 s at 200 MB,
//! four parts each winnowing it on one thread; the 1M-document syndicated
//! crawl: 16 passes over 2.4 GB of text). Instead the documents are winnowed
//! once and each posting is appended to its part's temporary file; a part
//! is then read back whole.

use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::PassageConfig;
use super::fingerprint;
use crate::store::{Store, spill_file};

/// Bytes of one posting in a part's file: the hash, then the document.
const POSTING_BYTES: usize = 12;

/// Bytes buffered per part before a write, at most.
const MAX_BUFFER: usize = 1 << 20;

/// Bytes read from a part's file at a time.
const READ_CHUNK: usize = 1 << 20;

/// One temporary file of postings per part of the hash space.
pub struct Parts {
    files: Vec<(File, u64)>,
}

impl Parts {
    /// Winnows every document of `docs` once and writes each anchor's
    /// posting to the file of its part (the top `log2(parts)` bits of its
    /// hash), in `dir` (the system's temporary directory when `None`);
    /// `budget` bounds the bytes buffered.
    ///
    /// # Errors
    /// Creating or writing a file, or reading `docs` back, failed.
    pub fn write(
        docs: &Store,
        cfg: &PassageConfig,
        parts: usize,
        budget: usize,
        dir: Option<&Path>,
    ) -> io::Result<Parts> {
        assert!(parts.is_power_of_two() && parts > 1, "{parts} parts");
        let shift = 64 - parts.trailing_zeros();
        let mut files: Vec<(File, u64)> =
            (0..parts).map(|_| spill_file(dir).map(|f| (f, 0))).collect::<io::Result<_>>()?;
        let limit = (budget / parts / 2).clamp(64 << 10, MAX_BUFFER);
        let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); parts];
        let mut failed: Option<io::Error> = None;
        docs.par_map_blocks(
            |(scratch, anchors): &mut (Vec<u64>, Vec<_>), d, words, out: &mut Vec<(u64, u32)>| {
                anchors.clear();
                fingerprint::winnow(words, cfg.anchor_words, cfg.window, scratch, anchors);
                out.extend(anchors.iter().map(|a| (a.hash, d.0)));
            },
            |block| {
                if failed.is_some() {
                    return;
                }
                for (hash, doc) in block {
                    let part = (hash >> shift) as usize;
                    let buffer = &mut buffers[part];
                    buffer.extend_from_slice(&hash.to_le_bytes());
                    buffer.extend_from_slice(&doc.to_le_bytes());
                    if buffer.len() >= limit
                        && let Err(e) = append(&mut files[part], buffer)
                    {
                        failed = Some(e);
                        return;
                    }
                }
            },
        );
        if let Some(e) = failed {
            return Err(e);
        }
        for (file, buffer) in files.iter_mut().zip(&mut buffers) {
            append(file, buffer)?;
        }
        docs.check()?;
        Ok(Parts { files })
    }

    /// The postings of part `part`, in the order written.
    ///
    /// # Errors
    /// Reading the file failed.
    pub fn read(&self, part: usize) -> io::Result<Vec<(u64, u32)>> {
        let (file, len) = &self.files[part];
        let mut out = Vec::with_capacity(*len as usize / POSTING_BYTES);
        let mut bytes = vec![0u8; READ_CHUNK - READ_CHUNK % POSTING_BYTES];
        let mut at = 0u64;
        while at < *len {
            let n = ((*len - at) as usize).min(bytes.len());
            file.read_exact_at(&mut bytes[..n], at)?;
            out.extend(bytes[..n].chunks_exact(POSTING_BYTES).map(|p| {
                let hash = u64::from_le_bytes(p[..8].try_into().expect("8 bytes"));
                let doc = u32::from_le_bytes(p[8..].try_into().expect("4 bytes"));
                (hash, doc)
            }));
            at += n as u64;
        }
        Ok(out)
    }
}

/// Appends `buffer` to a part's file and empties it.
fn append((file, len): &mut (File, u64), buffer: &mut Vec<u8>) -> io::Result<()> {
    file.write_all(buffer)?;
    *len += buffer.len() as u64;
    buffer.clear();
    Ok(())
}
