//! External sort of fixed-size [`Record`]s, for the grouping stages (one
//! LSH band's `(key, doc)` [`Entry`]s) and the statement stages (passage
//! sides, candidates): records are collected in memory up to a budget; past
//! it, each full buffer is sorted and written to a temporary file as a
//! *run*, and the runs are merged on the way out. Memory stays at the budget
//! whatever the number of records.
//!
//! Hand-written: the crates that do external sorting (extsort, ...) sort
//! through `serde`/`bincode` per item and a thread per run; a fixed-size
//! record and a heap merge are all these stages need.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Entry, Record};

/// Runs kept open at most: past this many, they are merged into one (a
/// multi-pass merge), so that a tiny budget over many entries never runs out
/// of file descriptors.
const MAX_RUNS: usize = 64;

/// Collects records, spilling sorted runs past the budget.
#[derive(Debug)]
pub struct Sorter<R = Entry> {
    buf: Vec<R>,
    /// Entries the buffer may hold before it becomes a run.
    cap: usize,
    runs: Vec<File>,
    dir: Option<PathBuf>,
    spilled: u64,
}

impl<R: Record> Sorter<R> {
    /// A sorter holding at most `budget` bytes of records in memory; runs go
    /// to temporary files in `dir` (the system's temporary directory if
    /// `None`).
    pub fn new(budget: usize, dir: Option<&Path>) -> Sorter<R> {
        let cap = (budget / std::mem::size_of::<R>()).max(16);
        Sorter { buf: Vec::new(), cap, runs: Vec::new(), dir: dir.map(Path::to_path_buf), spilled: 0 }
    }

    /// Bytes written to runs on disk so far.
    pub fn spilled_bytes(&self) -> u64 {
        self.spilled
    }

    /// Adds records.
    ///
    /// # Errors
    /// Writing a run failed.
    pub fn extend(&mut self, entries: impl IntoIterator<Item = R>) -> io::Result<()> {
        for e in entries {
            if self.buf.len() == self.buf.capacity() {
                // Doubling, but never past the budget: a buffer grown from
                // 4M records to 8M to hold 5M would take 60% more than it.
                let grow = self.buf.capacity().max(1024).min(self.cap - self.buf.len());
                self.buf.reserve_exact(grow);
            }
            self.buf.push(e);
            if self.buf.len() >= self.cap {
                self.write_run()?;
            }
        }
        Ok(())
    }

    fn write_run(&mut self) -> io::Result<()> {
        self.buf.par_sort_unstable();
        let entries = std::mem::take(&mut self.buf);
        let run = self.run_of(entries.iter().copied().map(Ok))?;
        self.buf = entries;
        self.buf.clear();
        self.runs.push(run);
        if self.runs.len() >= MAX_RUNS {
            let sources = std::mem::take(&mut self.runs).into_iter().map(Source::run).collect();
            let merged = self.run_of(Merge::new(sources)?)?;
            self.runs.push(merged);
        }
        Ok(())
    }

    /// Writes sorted `entries` to a new run file, rewound for reading.
    fn run_of(&mut self, entries: impl Iterator<Item = io::Result<R>>) -> io::Result<File> {
        let file = super::file(self.dir.as_deref())?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        let mut bytes = Vec::with_capacity(R::BYTES);
        for e in entries {
            bytes.clear();
            e?.put(&mut bytes);
            w.write_all(&bytes)?;
            self.spilled += R::BYTES as u64;
        }
        let mut file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.seek(SeekFrom::Start(0))?;
        Ok(file)
    }

    /// Every record, sorted, as one `Vec` when none was written to a run;
    /// else the sorter back, to read with [`Sorter::sorted`].
    ///
    /// # Errors
    /// The sorter, when it spilled.
    pub fn into_memory(mut self) -> Result<Vec<R>, Sorter<R>> {
        if !self.runs.is_empty() {
            return Err(self);
        }
        self.buf.par_sort_unstable();
        self.buf.shrink_to_fit();
        Ok(self.buf)
    }

    /// Every record, sorted: the runs and what is still in memory, merged.
    ///
    /// # Errors
    /// Reading a run back failed (also from the iterator).
    pub fn sorted(mut self) -> io::Result<impl Iterator<Item = io::Result<R>>> {
        self.buf.par_sort_unstable();
        self.buf.shrink_to_fit();
        let mut sources: Vec<Source<R>> = self.runs.into_iter().map(Source::run).collect();
        sources.push(Source::Memory(self.buf.into_iter()));
        Merge::new(sources)
    }
}

impl Sorter<Entry> {
    /// Every entry, sorted, in groups of equal keys: calls `f` once per key
    /// with its entries (sorted by document).
    ///
    /// # Errors
    /// Reading a run back failed.
    pub fn for_each_group(mut self, mut f: impl FnMut(&[Entry])) -> io::Result<()> {
        if self.runs.is_empty() {
            self.buf.par_sort_unstable();
            for g in self.buf.chunk_by(|x, y| x.0 == y.0) {
                f(g);
            }
            return Ok(());
        }
        let mut group: Vec<Entry> = Vec::new();
        for e in self.sorted()? {
            let e = e?;
            if group.last().is_some_and(|g| g.0 != e.0) {
                f(&group);
                group.clear();
            }
            group.push(e);
        }
        if !group.is_empty() {
            f(&group);
        }
        Ok(())
    }
}

/// A k-way merge of sorted sources, smallest record first.
struct Merge<R> {
    sources: Vec<Source<R>>,
    heap: BinaryHeap<Reverse<(R, usize)>>,
}

impl<R: Record> Merge<R> {
    fn new(mut sources: Vec<Source<R>>) -> io::Result<Merge<R>> {
        let mut heap = BinaryHeap::new();
        for (i, s) in sources.iter_mut().enumerate() {
            if let Some(e) = s.next()? {
                heap.push(Reverse((e, i)));
            }
        }
        Ok(Merge { sources, heap })
    }
}

impl<R: Record> Iterator for Merge<R> {
    type Item = io::Result<R>;

    fn next(&mut self) -> Option<io::Result<R>> {
        let Reverse((e, i)) = self.heap.pop()?;
        match self.sources[i].next() {
            Ok(Some(next)) => self.heap.push(Reverse((next, i))),
            Ok(None) => {}
            Err(err) => return Some(Err(err)),
        }
        Some(Ok(e))
    }
}

/// One sorted input of the merge.
enum Source<R> {
    Run(BufReader<File>, Vec<u8>),
    Memory(std::vec::IntoIter<R>),
}

impl<R: Record> Source<R> {
    fn run(file: File) -> Source<R> {
        Source::Run(BufReader::with_capacity(1 << 16, file), vec![0; R::BYTES])
    }

    fn next(&mut self) -> io::Result<Option<R>> {
        match self {
            Source::Memory(it) => Ok(it.next()),
            Source::Run(r, b) => match r.read_exact(b) {
                Ok(()) => Ok(Some(R::get(b))),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
                Err(e) => Err(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<Entry> {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        (0..20_000u32)
            .map(|d| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 3000, d)
            })
            .collect()
    }

    fn groups(budget: usize) -> (Vec<Vec<Entry>>, u64) {
        let mut s = Sorter::new(budget, None);
        s.extend(entries()).unwrap();
        let spilled_before = s.spilled_bytes();
        let mut out = Vec::new();
        s.for_each_group(|g| out.push(g.to_vec())).unwrap();
        (out, spilled_before)
    }

    #[test]
    fn runs_on_disk_merge_to_the_in_memory_result() {
        let (mem, none) = groups(usize::MAX);
        let (disk, spilled) = groups(16 * 1024);
        assert_eq!(none, 0);
        assert!(spilled > 0, "a small budget spills");
        assert_eq!(mem, disk);
        // 1,250 runs of 16 entries: merged into one every MAX_RUNS runs.
        let (many, _) = groups(0);
        assert_eq!(mem, many);
        let flat: Vec<Entry> = mem.concat();
        let mut want = entries();
        want.sort_unstable();
        assert_eq!(flat, want);
        assert!(mem.iter().all(|g| g.iter().all(|e| e.0 == g[0].0)));
    }
}
