//! Which process reads (and then keeps) what: step 1 of the module docs of
//! [`super`].

use rayon::prelude::*;

use crate::analyze::Analysis;
use crate::analyze::{self, next_batch, with_scratch};
use crate::config::Config;
use crate::read::{self, Discovery, RawReader};
use crate::sign::Signer;

/// This process's share of the input, analyzed as it is consumed: whole
/// small files and every `peers`-th record of large ones, in input order, as
/// `(file, record number, analysis)`. Analysis runs a batch of records at a
/// time (a single process's batch, [`next_batch`]) on the rayon pool, so a
/// share is never held whole (unless checkpointed, see `run`). Once
/// consumed, [`Share::counts`] holds, for the files this process owns,
/// `(file, records, skipped archive records)`.
pub(super) struct Share<'a> {
    config: &'a Config,
    signer: Signer,
    /// The files this process reads (all of a shared one), with whether
    /// they are shared and whether this process owns them, still to start.
    files: std::vec::IntoIter<(u32, read::InputFile, bool, bool)>,
    /// The file being read.
    current: Option<Reading>,
    ready: std::collections::VecDeque<(u32, u64, Analysis)>,
    me: u64,
    peers: u64,
    pub(super) counts: Vec<(u32, u64, u64)>,
}

/// The file a [`Share`] is reading: an iterator over this process's records
/// of it, as `(record number, record)`.
struct Reading {
    /// Its number in the input.
    file: u32,
    reader: RawReader,
    /// The next record's number (every process's records count).
    next: u64,
    /// Shared record by record (else read whole by this process).
    shared: bool,
    /// This process counts its records.
    owned: bool,
    me: u64,
    peers: u64,
}

impl Iterator for Reading {
    type Item = (u64, read::Raw);

    fn next(&mut self) -> Option<(u64, read::Raw)> {
        loop {
            let raw = self.reader.next()?;
            let n = self.next;
            self.next += 1;
            if !self.shared || n % self.peers == self.me {
                return Some((n, raw));
            }
        }
    }
}

/// Whether each file is shared record by record (larger than 1/(4P) of the
/// input) rather than read whole by process `file mod P`.
pub(super) fn shared_files(discovery: &Discovery, peers: usize) -> Vec<bool> {
    let large = discovery.total_bytes() / (4 * peers as u64).max(1);
    discovery.files.iter().map(|file| peers > 1 && file.size > large).collect()
}

impl<'a> Share<'a> {
    pub(super) fn new(discovery: &Discovery, config: &'a Config, me: usize, peers: usize) -> Share<'a> {
        let files: Vec<(u32, read::InputFile, bool, bool)> = discovery
            .files
            .iter()
            .zip(shared_files(discovery, peers))
            .enumerate()
            .map(|(f, (file, shared))| (f as u32, file.clone(), shared, f % peers == me))
            .filter(|(_, _, shared, owned)| *shared || *owned)
            .collect();
        Share {
            config,
            signer: Signer::new(config.method, config.num_perm, config.seed),
            files: files.into_iter(),
            current: None,
            ready: std::collections::VecDeque::new(),
            me: me as u64,
            peers: peers as u64,
            counts: Vec::new(),
        }
    }

    /// Reads and analyzes the next batch of this process's records, by the
    /// single-process rule ([`next_batch`]: as many records, as much text),
    /// within one file; false when the share is exhausted.
    fn refill(&mut self) -> bool {
        loop {
            let Some(reading) = &mut self.current else {
                match self.files.next() {
                    Some((file, input, shared, owned)) => {
                        // Not `RawReader::parsing`: most lines of a shared
                        // file are other processes' and are never parsed;
                        // this process's are parsed on the rayon pool.
                        let reader = RawReader::new(vec![input]).fields(&self.config.fields);
                        let (me, peers) = (self.me, self.peers);
                        self.current = Some(Reading { file, reader, next: 0, shared, owned, me, peers });
                        continue;
                    }
                    None => return false,
                }
            };
            let batch = next_batch(reading, |(_, raw)| raw.len());
            if batch.is_empty() {
                // The end of the file.
                if reading.owned {
                    self.counts.push((reading.file, reading.next, reading.reader.skipped_records()));
                }
                self.current = None;
                continue;
            }
            let file = reading.file;
            self.analyze(file, batch);
            return true;
        }
    }

    fn analyze(&mut self, f: u32, batch: Vec<(u64, read::Raw)>) {
        let (config, signer) = (self.config, &self.signer);
        let done: Vec<(u32, u64, Analysis)> = batch
            .into_par_iter()
            .map(|(n, raw)| (f, n, with_scratch(|s| analyze::analyze(raw.parse(), config, signer, s))))
            .collect();
        self.ready.extend(done);
    }
}

impl Iterator for Share<'_> {
    type Item = (u32, u64, Analysis);

    fn next(&mut self) -> Option<(u32, u64, Analysis)> {
        while self.ready.is_empty() {
            if !self.refill() && self.ready.is_empty() {
                return None;
            }
        }
        self.ready.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three processes' shares of a large file (shared record by record,
    /// each share more records than a batch holds) and two small ones: every
    /// record is read by exactly one process, numbered in its file, and the
    /// owner of each file counts all of its records.
    #[test]
    fn shares_cover_every_record_once() {
        let dir = tempfile::tempdir().unwrap();
        let line = |f: usize, n: usize| format!("{{\"id\": \"{f}:{n}\", \"text\": \"words of record {n}\"}}\n");
        let sizes = [2000, 5, 2];
        for (f, &records) in sizes.iter().enumerate() {
            let text: String = (0..records).map(|n| line(f, n)).collect();
            std::fs::write(dir.path().join(format!("{f}.jsonl")), text).unwrap();
        }
        let discovery = read::discover(&[dir.path().to_path_buf()]).unwrap();
        let config = Config::default();
        let peers = 3;
        let (mut seen, mut counts) = (Vec::new(), Vec::new());
        for me in 0..peers {
            let mut share = Share::new(&discovery, &config, me, peers);
            let mine: Vec<(u32, u64)> = share
                .by_ref()
                .map(|(f, n, w)| {
                    assert_eq!(w.doc.meta.id, format!("{f}:{n}"));
                    (f, n)
                })
                .collect();
            assert!(mine.is_sorted(), "process {me} reads in input order");
            seen.extend(mine);
            counts.extend(share.counts);
        }
        seen.sort_unstable();
        let want: Vec<(u32, u64)> =
            sizes.iter().enumerate().flat_map(|(f, &r)| (0..r as u64).map(move |n| (f as u32, n))).collect();
        assert_eq!(seen, want);
        counts.sort_unstable();
        assert_eq!(counts, vec![(0, 2000, 0), (1, 5, 0), (2, 2, 0)]);
    }
}
