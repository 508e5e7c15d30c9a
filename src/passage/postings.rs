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
//! once and each posting is appended to its part's temporary file
//! ([`Partitioned`]); a part is then read back whole.

use std::io;
use std::path::Path;

use super::PassageConfig;
use super::fingerprint;
use crate::spill::partitioned::Partitioned;
use crate::spill::store::Store;

/// The anchor postings by part of the hash space, one temporary file each.
pub struct Parts {
    files: Partitioned,
}

impl Parts {
    /// Winnows every document of `docs` once and writes each anchor's
    /// posting to the file of its part ([`super::part_of`]), in `dir` (the
    /// system's temporary directory when `None`); `budget` bounds the bytes
    /// buffered.
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
        let mut files = Partitioned::new(parts, budget, dir)?;
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
                    if let Err(e) = files.push(super::part_of(hash, parts), (hash, doc)) {
                        failed = Some(e);
                        return;
                    }
                }
            },
        );
        if let Some(e) = failed {
            return Err(e);
        }
        files.finish()?;
        docs.check()?;
        Ok(Parts { files })
    }

    /// The postings of part `part`, in the order written.
    ///
    /// # Errors
    /// Reading the file failed.
    pub fn read(&self, part: usize) -> io::Result<Vec<(u64, u32)>> {
        self.files.read(part)
    }
}
