//! What a process keeps of the documents: its own only. A document is owned
//! by the process that read it (whole small files go to process `file mod
//! P`, large files record by record to `record mod P`, see `share.rs`), so
//! ownership needs no exchange: once the record counts of every file are
//! known, every process can say where any document lives ([`Layout`]).

use crate::analyze::Analyzed;
use crate::model::DocId;
use crate::spill::store::Store;

/// Where every document of the run lives, and its number.
#[derive(Clone, Debug)]
pub(super) struct Layout {
    /// The number of the first record of each file; one more entry, the
    /// number of documents.
    starts: Vec<u32>,
    /// Whether each file is shared record by record.
    shared: Vec<bool>,
    peers: u64,
}

impl Layout {
    /// From every file's record count (`(file, records)`, files without
    /// records absent) and which files are shared.
    pub(super) fn new(records: &[(u32, u64)], shared: Vec<bool>, peers: usize) -> Layout {
        let mut counts = vec![0u64; shared.len()];
        for &(f, n) in records {
            counts[f as usize] += n;
        }
        let mut starts = Vec::with_capacity(shared.len() + 1);
        let mut next = 0u64;
        for count in counts {
            starts.push(u32::try_from(next).expect("documents are numbered in u32"));
            next += count;
        }
        starts.push(u32::try_from(next).expect("documents are numbered in u32"));
        Layout { starts, shared, peers: peers as u64 }
    }

    /// The number of record `n` of file `file`: its place in input order.
    pub(super) fn id(&self, file: u32, n: u64) -> u32 {
        self.starts[file as usize] + n as u32
    }

    /// The process that read (and keeps) document `d`.
    pub(super) fn owner(&self, d: u32) -> u64 {
        let file = self.starts.partition_point(|&s| s <= d) - 1;
        if self.shared[file] { u64::from(d - self.starts[file]) % self.peers } else { file as u64 % self.peers }
    }

    /// Documents in the run.
    pub(super) fn docs(&self) -> usize {
        *self.starts.last().expect("one entry past the files") as usize
    }
}

/// This process's documents: their analyses in input order (metadata,
/// exact-duplicate key, signature, words), with their numbers.
pub(super) struct Owned {
    /// The number of each document kept, ascending: `analyzed`'s `i`-th
    /// document is document `ids[i]`.
    pub(super) ids: Vec<u32>,
    pub(super) analyzed: Analyzed,
}

impl Owned {
    /// Where document `d` is among this process's, if it is one of them.
    pub(super) fn local(&self, d: u32) -> Option<usize> {
        self.ids.binary_search(&d).ok()
    }

    /// The words of document `d` (one of this process's).
    pub(super) fn words(&self, d: u32) -> Vec<u32> {
        let i = self.local(d).expect("asked of its owner");
        self.analyzed.words.get(DocId(i as u32)).into_owned()
    }

    /// The signature lanes of document `d` (one of this process's).
    pub(super) fn lanes(&self, d: u32) -> Vec<u32> {
        let i = self.local(d).expect("asked of its owner");
        self.analyzed.sigs.store().get(DocId(i as u32)).into_owned()
    }

    /// The shingle set of document `d` (one of this process's), with
    /// `--exact-jaccard`.
    pub(super) fn set(&self, d: u32) -> Option<Vec<u64>> {
        self.analyzed.sets[self.local(d).expect("asked of its owner")].clone()
    }

    /// The stores a failed read of spilled data shows up in.
    pub(super) fn stores(&self) -> [&Store; 2] {
        [self.analyzed.sigs.store(), &self.analyzed.words]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files 0 (shared, 5 records), 1 (3 records), 2 (empty), 3 (2
    /// records) on 2 processes: numbers follow input order and every
    /// document's owner is the process that reads it.
    #[test]
    fn layout_numbers_in_input_order_and_names_the_reader() {
        let layout = Layout::new(&[(0, 5), (1, 3), (3, 2)], vec![true, false, false, false], 2);
        assert_eq!(layout.docs(), 10);
        assert_eq!((layout.id(0, 4), layout.id(1, 0), layout.id(3, 1)), (4, 5, 9));
        let owners: Vec<u64> = (0..10).map(|d| layout.owner(d)).collect();
        // Records 0..5 of the shared file alternate; file 1 is process 1's,
        // file 3 process 1's (3 mod 2).
        assert_eq!(owners, vec![0, 1, 0, 1, 0, 1, 1, 1, 1, 1]);
    }
}
