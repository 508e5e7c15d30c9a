//! Where per-document data waits between the analyze pass and the grouping
//! stages: word hashes (passages, exact Jaccard) and signature lanes (LSH,
//! verification), each a sequence of `u32`s per document.
//!
//! A [`Store`] keeps its sequences in chunks of [`CHUNK_ITEMS`] (no
//! allocation per document: per-document `Vec`s stranded ~550 MiB of
//! allocator slack on the 1M-document crawl; and no growing by doubling,
//! whose reallocation held the old and the new buffer at once, taking a
//! small `--memory-limit` past itself while the store filled) and, once they
//! outgrow their share of `--memory-limit`, moves them to an unlinked
//! temporary file and appends there from then on. Reading back is `pread` ([`FileExt::read_exact_at`]), safe
//! from many threads; the page cache makes repeated reads cheap when the
//! machine has memory to spare, and the limit holds when it does not.
//!
//! What stays in memory per document is one `u64` offset.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::model::DocId;
use crate::sign::Signature;

/// Bytes written to a spill file per `write` call.
const WRITE_BUFFER: usize = 4 << 20;
/// Bytes read per `pread` when streaming over many documents.
const READ_BLOCK: usize = 8 << 20;
/// Items per chunk of a store in memory (16 MiB). A document never spans
/// two chunks, so it is read back as one slice; one longer than a chunk has
/// a chunk of its own.
pub const CHUNK_ITEMS: usize = 4 << 20;

/// Per-document `u32` sequences, in memory or spilled to a file.
#[derive(Debug)]
pub struct Store {
    /// `offsets[d]..offsets[d + 1]` are document `d`'s items (in `u32`s).
    offsets: Vec<u64>,
    /// The items while in memory, in chunks (see [`CHUNK_ITEMS`]).
    chunks: Vec<Vec<u32>>,
    /// The first document of each chunk.
    chunk_docs: Vec<usize>,
    /// Once spilled: the items not yet written.
    pending: Vec<u32>,
    spill: Option<Spill>,
    /// Bytes the in-memory buffer may hold before the store spills.
    budget: usize,
    dir: Option<PathBuf>,
    /// The first read error, reported by [`Store::check`]: readers run in
    /// parallel iterators that cannot return one.
    error: Mutex<Option<io::Error>>,
}

#[derive(Debug)]
struct Spill {
    file: File,
    /// Items written to `file`.
    written: u64,
}

impl Store {
    /// An empty store that spills past `budget` bytes into a temporary file
    /// in `dir` (the system's temporary directory if `None`).
    pub fn new(budget: usize, dir: Option<&Path>) -> Store {
        Store {
            offsets: vec![0],
            chunks: Vec::new(),
            chunk_docs: Vec::new(),
            pending: Vec::new(),
            spill: None,
            budget,
            dir: dir.map(Path::to_path_buf),
            error: Mutex::new(None),
        }
    }

    /// An in-memory store of `docs`, for tests and benches.
    pub fn of(docs: &[Vec<u32>]) -> Store {
        let mut s = Store::new(usize::MAX, None);
        for d in docs {
            s.push(d).expect("an in-memory store does not write");
        }
        s.finish().expect("an in-memory store does not write");
        s
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Returns true if and only if the store holds no document.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of items of document `d`, without reading them.
    pub fn items_of(&self, d: DocId) -> usize {
        (self.offsets[d.index() + 1] - self.offsets[d.index()]) as usize
    }

    /// Total items over all documents.
    pub fn items(&self) -> u64 {
        *self.offsets.last().expect("offsets start with 0")
    }

    /// Bytes moved to disk (0 if the store never spilled).
    pub fn spilled_bytes(&self) -> u64 {
        self.spill.as_ref().map_or(0, |s| 4 * s.written)
    }

    /// Appends the next document's items.
    ///
    /// # Errors
    /// Creating or writing the spill file failed.
    pub fn push(&mut self, items: &[u32]) -> io::Result<()> {
        let doc = self.len();
        self.offsets.push(self.items() + items.len() as u64);
        match &mut self.spill {
            Some(spill) => {
                self.pending.extend_from_slice(items);
                if 4 * self.pending.len() >= WRITE_BUFFER {
                    spill.write(&mut self.pending)?;
                }
                Ok(())
            }
            None => {
                if self.chunks.last().is_none_or(|c| c.capacity() - c.len() < items.len()) {
                    self.chunks.push(Vec::with_capacity(CHUNK_ITEMS.max(items.len())));
                    self.chunk_docs.push(doc);
                }
                self.chunks.last_mut().expect("a chunk").extend_from_slice(items);
                if 4 * self.items() > self.budget as u64 {
                    let file = super::file(self.dir.as_deref())?;
                    let mut spill = Spill { file, written: 0 };
                    for mut chunk in std::mem::take(&mut self.chunks) {
                        spill.write(&mut chunk)?;
                    }
                    self.chunk_docs = Vec::new();
                    self.pending = Vec::with_capacity(WRITE_BUFFER / 4);
                    self.spill = Some(spill);
                }
                Ok(())
            }
        }
    }

    /// Ends writing: flushes what is buffered. Call once after the last
    /// [`Store::push`] and before reading.
    ///
    /// # Errors
    /// Writing the spill file failed.
    pub fn finish(&mut self) -> io::Result<()> {
        match &mut self.spill {
            Some(spill) => {
                spill.write(&mut self.pending)?;
                self.pending = Vec::new();
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Brings spilled items back into memory when all of them fit in
    /// `budget` bytes, one sequential read; the spill file is closed (it is
    /// unlinked). The stages after clustering have the signatures' share
    /// free, and they read documents in pair order: a `pread` per document
    /// there cost more system time than the whole analyze pass.
    ///
    /// # Errors
    /// Reading the spill file failed; the store is left spilled.
    pub fn load_back(&mut self, budget: usize) -> io::Result<()> {
        let Some(spill) = &self.spill else { return Ok(()) };
        if 4 * spill.written > budget as u64 {
            return Ok(());
        }
        debug_assert!(self.pending.is_empty(), "Store::finish before loading back");
        match self.read(spill, 0, spill.written) {
            Some(items) => {
                // One chunk of exactly the items: read into place, never grown.
                self.chunks = vec![items];
                self.chunk_docs = vec![0];
                self.spill = None;
                Ok(())
            }
            None => self.check(),
        }
    }

    /// Document `d`'s items. After a read error, empty (see [`Store::check`]).
    pub fn get(&self, d: DocId) -> Cow<'_, [u32]> {
        self.block(d.index(), d.index() + 1)
    }

    /// Folds over every document in parallel, like
    /// [`rayon::iter::ParallelIterator::fold`] then `reduce`: `fold` sees
    /// documents in order within one block.
    pub fn par_fold<A: Send>(
        &self,
        init: impl Fn() -> A + Sync + Send,
        fold: impl Fn(A, DocId, &[u32]) -> A + Sync + Send,
        reduce: impl Fn(A, A) -> A + Sync + Send,
    ) -> A {
        self.blocks()
            .into_par_iter()
            .map(|(first, last)| {
                let lo = self.offsets[first];
                let block = self.block(first, last);
                let mut acc = init();
                for d in first..last {
                    let (a, b) = ((self.offsets[d] - lo) as usize, (self.offsets[d + 1] - lo) as usize);
                    let items = block.get(a..b).unwrap_or(&[]);
                    acc = fold(acc, DocId(d as u32), items);
                }
                acc
            })
            .reduce(&init, &reduce)
    }

    /// Streams over every document in bounded memory: `map` runs in
    /// parallel over blocks of documents (a wave of a few blocks per thread
    /// at a time), with one scratch `S` per block, and `consume` receives
    /// each block's output in document order. At most one wave of output is
    /// held at once.
    pub fn par_map_blocks<S: Default, T: Send>(
        &self,
        map: impl Fn(&mut S, DocId, &[u32], &mut Vec<T>) + Sync + Send,
        mut consume: impl FnMut(Vec<T>),
    ) {
        let blocks = self.blocks();
        let wave = 2 * rayon::current_num_threads();
        for chunk in blocks.chunks(wave) {
            let outs: Vec<Vec<T>> = chunk
                .par_iter()
                .map(|&(first, last)| {
                    let block = self.block(first, last);
                    let lo = self.offsets[first];
                    let mut out = Vec::new();
                    let mut scratch = S::default();
                    for d in first..last {
                        let (a, b) = ((self.offsets[d] - lo) as usize, (self.offsets[d + 1] - lo) as usize);
                        map(&mut scratch, DocId(d as u32), block.get(a..b).unwrap_or(&[]), &mut out);
                    }
                    out
                })
                .collect();
            for out in outs {
                consume(out);
            }
        }
    }

    /// The items of documents `first..last`, read in one piece.
    /// (`first..last` within one chunk when in memory: see [`Store::blocks`].)
    fn block(&self, first: usize, last: usize) -> Cow<'_, [u32]> {
        debug_assert!(self.spill.is_none() || self.pending.is_empty(), "Store::finish before reading");
        let (lo, hi) = (self.offsets[first], self.offsets[last]);
        match &self.spill {
            None if lo == hi => Cow::Borrowed(&[]),
            None => {
                let c = self.chunk_of(first);
                let base = self.offsets[self.chunk_docs[c]];
                Cow::Borrowed(&self.chunks[c][(lo - base) as usize..(hi - base) as usize])
            }
            Some(spill) => Cow::Owned(self.read(spill, lo, hi).unwrap_or_default()),
        }
    }

    /// The chunk holding document `d` (in memory).
    fn chunk_of(&self, d: usize) -> usize {
        self.chunk_docs.partition_point(|&first| first <= d) - 1
    }

    /// Fails with the first read error met since the store was written.
    ///
    /// # Errors
    /// A read of the spill file failed.
    pub fn check(&self) -> io::Result<()> {
        match self.error.lock().expect("not poisoned").take() {
            Some(e) => Err(io::Error::new(e.kind(), format!("reading back spilled data: {e}"))),
            None => Ok(()),
        }
    }

    /// Document ranges `[first, last)` of at most [`READ_BLOCK`] bytes each
    /// (one document may exceed it alone), in memory each within one chunk.
    fn blocks(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut first = 0;
        while first < self.len() {
            let limit = self.offsets[first] + (READ_BLOCK / 4) as u64;
            let end = match self.spill {
                None if !self.chunk_docs.is_empty() => {
                    self.chunk_docs.get(self.chunk_of(first) + 1).copied().unwrap_or(self.len())
                }
                _ => self.len(),
            };
            let mut last = first + 1;
            // At most 4096 documents per block in memory too, so that small
            // corpora still spread over threads.
            while last < end && self.offsets[last + 1] <= limit && last - first < 4096 {
                last += 1;
            }
            out.push((first, last));
            first = last;
        }
        out
    }

    fn read(&self, spill: &Spill, lo: u64, hi: u64) -> Option<Vec<u32>> {
        // Read straight into the items (one allocation, no byte buffer to
        // convert): the file is little-endian, as are the machines we build for.
        let mut items = vec![0u32; (hi - lo) as usize];
        match spill.file.read_exact_at(bytemuck::cast_slice_mut(&mut items), 4 * lo) {
            Ok(()) => {
                items.iter_mut().for_each(|x| *x = u32::from_le(*x));
                Some(items)
            }
            Err(e) => {
                self.error.lock().expect("not poisoned").get_or_insert(e);
                None
            }
        }
    }
}

/// Every document's signature (or none), as lanes in a [`Store`]: a MinHash
/// signature's lanes, or a SimHash as two lanes (low half first).
#[derive(Debug)]
pub struct Signatures {
    store: Store,
    /// Whether the signatures are SimHashes; set by the first one pushed.
    simhash: bool,
}

impl Signatures {
    /// An empty set spilling past `budget` bytes into `dir` (see [`Store::new`]).
    pub fn new(budget: usize, dir: Option<&Path>) -> Signatures {
        Signatures { store: Store::new(budget, dir), simhash: false }
    }

    /// In-memory signatures of `sigs`, for tests.
    pub fn of<'a>(sigs: impl IntoIterator<Item = Option<&'a Signature>>) -> Signatures {
        let mut s = Signatures::new(usize::MAX, None);
        for sig in sigs {
            s.push(sig).expect("an in-memory store does not write");
        }
        s.finish().expect("an in-memory store does not write");
        s
    }

    /// Appends the next document's signature.
    ///
    /// # Errors
    /// See [`Store::push`].
    pub fn push(&mut self, sig: Option<&Signature>) -> io::Result<()> {
        match sig {
            None => self.store.push(&[]),
            Some(sig) => {
                self.simhash |= matches!(sig, Signature::SimHash(_));
                self.store.push(&sig.lanes())
            }
        }
    }

    /// See [`Store::finish`].
    ///
    /// # Errors
    /// See [`Store::finish`].
    pub fn finish(&mut self) -> io::Result<()> {
        self.store.finish()
    }

    /// Document `d`'s signature.
    pub fn get(&self, d: DocId) -> Option<Signature> {
        self.decode(&self.store.get(d))
    }

    /// The signature stored as `lanes`.
    pub fn decode(&self, lanes: &[u32]) -> Option<Signature> {
        Signature::from_lanes(lanes, self.simhash)
    }

    /// Whether the signatures are SimHashes.
    pub fn is_simhash(&self) -> bool {
        self.simhash
    }

    /// The underlying store (for streaming over every document).
    pub fn store(&self) -> &Store {
        &self.store
    }
}

impl Spill {
    /// Appends `items` (as little-endian bytes, in place) to the file and
    /// empties it, a [`WRITE_BUFFER`] per `write` call.
    fn write(&mut self, items: &mut Vec<u32>) -> io::Result<()> {
        if cfg!(target_endian = "big") {
            items.iter_mut().for_each(|x| *x = x.to_le());
        }
        for chunk in items.chunks(WRITE_BUFFER / 4) {
            (&self.file).write_all(bytemuck::cast_slice(chunk))?;
        }
        self.written += items.len() as u64;
        items.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Vec<Vec<u32>> {
        (0..500u32).map(|d| (0..(d * 7 % 300)).map(|i| d.wrapping_mul(31).wrapping_add(i)).collect()).collect()
    }

    fn filled(budget: usize) -> Store {
        let mut s = Store::new(budget, None);
        for d in docs() {
            s.push(&d).unwrap();
        }
        s.finish().unwrap();
        s
    }

    #[test]
    fn a_spilled_store_reads_back_what_was_pushed() {
        let (mem, disk) = (filled(usize::MAX), filled(1000));
        assert_eq!(mem.spilled_bytes(), 0);
        assert_eq!(disk.spilled_bytes(), 4 * disk.items());
        for (i, d) in docs().iter().enumerate() {
            assert_eq!(&*mem.get(DocId(i as u32)), d.as_slice());
            assert_eq!(&*disk.get(DocId(i as u32)), d.as_slice());
        }
        disk.check().unwrap();
    }

    /// Documents that fill chunks unevenly (one longer than a chunk, empty
    /// ones at chunk starts) read back whole, one by one and block by block.
    #[test]
    fn documents_never_straddle_chunks() {
        let sizes = [CHUNK_ITEMS / 3, CHUNK_ITEMS / 2, 0, CHUNK_ITEMS / 2, CHUNK_ITEMS + 5, 0, 7, CHUNK_ITEMS - 7, 3];
        let docs: Vec<Vec<u32>> =
            sizes.iter().enumerate().map(|(d, &n)| (0..n as u32).map(|i| i ^ (d as u32 * 0x9E37)).collect()).collect();
        let s = Store::of(&docs);
        assert!(s.chunks.len() >= 4, "{} chunks", s.chunks.len());
        assert!(s.chunks.iter().all(|c| c.capacity() == CHUNK_ITEMS || c.len() == c.capacity()));
        for (d, want) in docs.iter().enumerate() {
            assert_eq!(&*s.get(DocId(d as u32)), want.as_slice(), "document {d}");
        }
        let sums = s.par_fold(
            Vec::new,
            |mut acc, d, items| {
                acc.push((d, items.len(), items.iter().map(|&x| u64::from(x)).sum::<u64>()));
                acc
            },
            |mut a, mut b| {
                a.append(&mut b);
                a
            },
        );
        let mut sums = sums;
        sums.sort_unstable();
        let want: Vec<(DocId, usize, u64)> = docs
            .iter()
            .enumerate()
            .map(|(d, w)| (DocId(d as u32), w.len(), w.iter().map(|&x| u64::from(x)).sum()))
            .collect();
        assert_eq!(sums, want);
    }

    #[test]
    fn loading_back_keeps_every_document_and_respects_the_budget() {
        let mut small = filled(1000);
        let bytes = small.spilled_bytes() as usize;
        small.load_back(bytes - 1).unwrap();
        assert_eq!(small.spilled_bytes() as usize, bytes, "over the budget: stays on disk");
        small.load_back(bytes).unwrap();
        assert_eq!(small.spilled_bytes(), 0);
        for (i, d) in docs().iter().enumerate() {
            assert_eq!(&*small.get(DocId(i as u32)), d.as_slice());
        }
    }

    #[test]
    fn par_fold_visits_every_document_once_in_either_mode() {
        for s in [filled(usize::MAX), filled(1000)] {
            let seen = s.par_fold(
                Vec::new,
                |mut acc, d, items| {
                    acc.push((d, items.iter().map(|&x| x as u64).sum::<u64>()));
                    acc
                },
                |mut a, mut b| {
                    a.append(&mut b);
                    a
                },
            );
            let mut seen = seen;
            seen.sort_unstable();
            let want: Vec<(DocId, u64)> =
                docs().iter().enumerate().map(|(i, d)| (DocId(i as u32), d.iter().map(|&x| x as u64).sum())).collect();
            assert_eq!(seen, want);
        }
    }
}
