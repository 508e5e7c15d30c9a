//! The document pairs match hands to align, within a share of
//! `--memory-limit`: sorted on the way in by the document align indexes
//! (the longer of the two: its gram index is built once for all its pairs),
//! as sorted runs on disk past the share, and read back once, in that
//! order, without repeats.

use std::io;
use std::path::Path;

use crate::model::DocId;
use crate::spill::runs::Sorter;
use crate::spill::store::Store;
use crate::spill::{Record, u32_at};

/// One pair to align: the document whose gram index is built and the one
/// scanned against it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Job {
    /// The longer document (the earlier one when both are as long).
    pub indexed: DocId,
    /// The other document.
    pub other: DocId,
}

impl Job {
    /// The job of the pair `(a, b)` over `docs`.
    pub fn of(docs: &Store, (a, b): (DocId, DocId)) -> Job {
        let (a, b) = (a.min(b), a.max(b));
        if docs.items_of(a) >= docs.items_of(b) { Job { indexed: a, other: b } } else { Job { indexed: b, other: a } }
    }

    /// The pair as passages name it: earlier document first.
    pub fn pair(self) -> (DocId, DocId) {
        (self.indexed.min(self.other), self.indexed.max(self.other))
    }
}

impl Record for Job {
    const BYTES: usize = 8;

    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.indexed.0.to_le_bytes());
        out.extend_from_slice(&self.other.0.to_le_bytes());
    }

    fn get(b: &[u8]) -> Job {
        Job { indexed: DocId(u32_at(b, 0)), other: DocId(u32_at(b, 1)) }
    }
}

/// Document pairs to align, repeats allowed on the way in.
#[derive(Debug)]
pub struct Pairs {
    sorter: Sorter<Job>,
}

impl Pairs {
    /// Pairs holding at most `budget` bytes in memory, spilling sorted runs
    /// to `dir` (the system's temporary directory if `None`) past it.
    pub fn new(budget: usize, dir: Option<&Path>) -> Pairs {
        Pairs { sorter: Sorter::new(budget, dir) }
    }

    /// `pairs` of `docs`, in memory.
    pub fn of(docs: &Store, pairs: &[(DocId, DocId)]) -> Pairs {
        let mut p = Pairs::new(usize::MAX, None);
        p.add(docs, pairs).expect("pairs in memory are not written");
        p
    }

    /// Adds `pairs` of `docs` (in any order, either document first).
    ///
    /// # Errors
    /// Writing a sorted run failed.
    pub fn add(&mut self, docs: &Store, pairs: &[(DocId, DocId)]) -> io::Result<()> {
        self.sorter.extend(pairs.iter().map(|&p| Job::of(docs, p)))
    }

    /// Bytes written to runs on disk so far.
    pub fn spilled_bytes(&self) -> u64 {
        self.sorter.spilled_bytes()
    }

    /// Every pair once, grouped by indexed document.
    ///
    /// # Errors
    /// Reading a run back failed (also from the iterator).
    pub fn jobs(self) -> io::Result<impl Iterator<Item = io::Result<Job>>> {
        let mut last = None;
        Ok(self.sorter.sorted()?.filter(move |j| match j {
            Ok(j) if last == Some(*j) => false,
            Ok(j) => {
                last = Some(*j);
                true
            }
            Err(_) => true,
        }))
    }

    /// Every pair once, earlier document first, sorted.
    ///
    /// # Errors
    /// Reading a run back failed.
    pub fn into_sorted(self) -> io::Result<Vec<(DocId, DocId)>> {
        let mut pairs = self.jobs()?.map(|j| j.map(Job::pair)).collect::<io::Result<Vec<_>>>()?;
        pairs.sort_unstable();
        Ok(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_come_back_once_by_indexed_document_spilled_or_not() {
        // Document 2 is the longest, then 0, then 1 and 3.
        let docs = Store::of(&[vec![1; 5], vec![1; 3], vec![1; 9], vec![1; 3]]);
        let d = DocId;
        let input = [(d(0), d(1)), (d(1), d(0)), (d(2), d(0)), (d(1), d(3)), (d(3), d(2)), (d(0), d(1))];
        let dir = tempfile::tempdir().unwrap();
        for budget in [usize::MAX, 0] {
            let mut pairs = Pairs::new(budget, Some(dir.path()));
            // Four times over: past the sorter's least buffer, 16 pairs.
            for p in input.repeat(4).chunks(2) {
                pairs.add(&docs, p).unwrap();
            }
            assert_eq!(pairs.spilled_bytes() > 0, budget == 0);
            let jobs: Vec<(u32, u32)> =
                pairs.jobs().unwrap().map(|j| j.unwrap()).map(|j| (j.indexed.0, j.other.0)).collect();
            // (1, 3): as long as each other, the earlier is indexed.
            assert_eq!(jobs, vec![(0, 1), (1, 3), (2, 0), (2, 3)]);
        }
        let sorted = Pairs::of(&docs, &input).into_sorted().unwrap();
        assert_eq!(sorted, vec![(d(0), d(1)), (d(0), d(2)), (d(1), d(3)), (d(2), d(3))]);
    }
}
