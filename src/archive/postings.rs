//! A segment's anchor postings (beside its analyses): for each record, the
//! anchors it holds (64-bit hashes of winnowed word 4-grams), as postings
//! `(hash, doc)` with `doc` the record's number in the segment, so that a
//! scan can find every archived record that shares an anchor with today's
//! without reading the archive's texts.
//!
//! A record holds ~100 anchors and a segment up to millions of records, so a
//! file can hold hundreds of millions of postings: more than the writer may
//! sort in memory. It writes them instead as *runs*, each the postings of a
//! memory budget's worth of consecutive records sorted by `(hash, doc)`, one
//! after another; a lookup streams each run once, merging it with the sorted
//! queries, so it reads the whole file but holds only a block of it. The
//! runs are never merged into one: merging would cost a second pass over the
//! file at writing time for nothing a lookup needs (it reads every run in
//! either case), and compaction ([`concat()`]) only copies them.
//!
//! Layout, little-endian:
//! - the postings, 12 bytes each (`hash: u64`, `doc: u32`), run after run,
//!   each run sorted by `(hash, doc)` without repeats;
//! - the run table, per run its offset in the file and its count of postings
//!   (two `u64`): runs are end to end from offset 0, so the offsets are
//!   redundant, and `open` checks them against the counts;
//! - a fixed-size trailer: records (`u32`, those without anchors included),
//!   4 zero bytes, runs (`u64`), postings (`u64`), and the magic last, so
//!   that `open` finds the footer from the file's end, and a cut file has no
//!   magic there.
//!
//! A file of no records is the trailer alone.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

use rayon::prelude::*;

/// The file's last bytes.
const MAGIC: &[u8; 8] = b"SADAPST1";
/// Bytes of a posting on disk: `hash: u64`, `doc: u32`.
const POSTING: usize = 12;
/// Bytes of a run's entry in the run table: offset and count, two `u64`.
const RUN: usize = 16;
/// The trailer: records, zero pad, runs, postings, magic.
const TRAILER: usize = 4 + 4 + 8 + 8 + 8;
/// Slices of a run looked up in parallel.
const LOOKUP_SLICES: u64 = 16;
/// Postings read at a time when streaming a run: a MiB.
const BLOCK: usize = (1 << 20) / POSTING;

/// Where a run is: its first posting's offset in the file, and its postings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    offset: u64,
    count: u64,
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// Writes the run table and trailer after `postings` postings in `runs`.
fn write_footer(out: &mut impl Write, runs: &[Run], records: u32, postings: u64) -> io::Result<()> {
    for r in runs {
        out.write_all(&r.offset.to_le_bytes())?;
        out.write_all(&r.count.to_le_bytes())?;
    }
    let mut trailer = Vec::with_capacity(TRAILER);
    trailer.extend_from_slice(&records.to_le_bytes());
    trailer.extend_from_slice(&[0; 4]);
    trailer.extend_from_slice(&(runs.len() as u64).to_le_bytes());
    trailer.extend_from_slice(&postings.to_le_bytes());
    trailer.extend_from_slice(MAGIC);
    out.write_all(&trailer)
}

/// Writes one posting.
fn write_posting(out: &mut impl Write, hash: u64, doc: u32) -> io::Result<()> {
    let mut b = [0u8; POSTING];
    b[..8].copy_from_slice(&hash.to_le_bytes());
    b[8..].copy_from_slice(&doc.to_le_bytes());
    out.write_all(&b)
}

/// Writes a segment's postings, records in order, as sorted runs of at most
/// `budget` bytes of postings each.
///
/// The budget is of memory: a posting takes 16 bytes while it waits to be
/// sorted (a `(u64, u32)`, padded), 12 on disk; a run holds at least one.
pub struct PostingsWriter {
    out: BufWriter<File>,
    /// Postings a run holds at most.
    limit: usize,
    /// The current run's postings, unsorted.
    run: Vec<(u64, u32)>,
    /// The runs written.
    runs: Vec<Run>,
    /// Postings written (in the runs written).
    written: u64,
    records: u32,
    /// A record's anchors, sorted to drop repeats.
    scratch: Vec<u64>,
}

impl PostingsWriter {
    /// Postings written to `file` (empty), in runs of at most `budget` bytes
    /// of memory.
    pub fn new(file: File, budget: usize) -> PostingsWriter {
        PostingsWriter {
            out: BufWriter::with_capacity(1 << 20, file),
            limit: (budget / size_of::<(u64, u32)>()).max(1),
            run: Vec::new(),
            runs: Vec::new(),
            written: 0,
            records: 0,
            scratch: Vec::new(),
        }
    }

    /// The anchors of the next record (record numbers count from 0 in push
    /// order; a record may have no anchors; repeats within a record are kept
    /// once).
    ///
    /// # Errors
    /// Writing a full run failed, or this is record number `u32::MAX` (a
    /// record count must fit a `u32`).
    pub fn push(&mut self, anchors: &[u64]) -> io::Result<()> {
        let doc = self.records;
        self.records = doc
            .checked_add(1)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "more records than a u32 counts"))?;
        self.scratch.clear();
        self.scratch.extend_from_slice(anchors);
        self.scratch.sort_unstable();
        self.scratch.dedup();
        let mut at = 0;
        while at < self.scratch.len() {
            if self.run.len() == self.limit {
                self.flush_run()?;
            }
            let take = (self.scratch.len() - at).min(self.limit - self.run.len());
            // Grown by hand so that the run's vector never holds more than
            // the budget (doubling could overshoot it by up to 2×).
            if self.run.capacity() - self.run.len() < take {
                let want = (self.run.len() + take).max(2 * self.run.capacity()).max(4096).min(self.limit);
                self.run.reserve_exact(want - self.run.len());
            }
            self.run.extend(self.scratch[at..at + take].iter().map(|&h| (h, doc)));
            at += take;
        }
        Ok(())
    }

    /// Sorts the current run and writes it.
    fn flush_run(&mut self) -> io::Result<()> {
        if self.run.is_empty() {
            return Ok(());
        }
        // No repeats to drop: a record's anchors are unique, and its doc
        // differs from every other record's.
        self.run.par_sort_unstable();
        debug_assert!(self.run.windows(2).all(|w| w[0] < w[1]));
        for &(hash, doc) in &self.run {
            write_posting(&mut self.out, hash, doc)?;
        }
        let count = self.run.len() as u64;
        self.runs.push(Run { offset: POSTING as u64 * self.written, count });
        self.written += count;
        self.run.clear();
        Ok(())
    }

    /// Writes the last run and the footer; returns the file flushed (not
    /// fsynced: the caller syncs).
    ///
    /// # Errors
    /// Writing failed.
    pub fn finish(mut self) -> io::Result<File> {
        self.flush_run()?;
        write_footer(&mut self.out, &self.runs, self.records, self.written)?;
        self.out.into_inner().map_err(io::IntoInnerError::into_error)
    }
}

/// A segment's postings file, opened: its runs' places (the footer) in
/// memory, the postings read on demand.
#[derive(Debug)]
pub struct Postings {
    file: File,
    runs: Vec<Run>,
    records: u32,
    postings: u64,
}

impl Postings {
    /// Opens the postings at `path`, checking the magic, and that the footer
    /// and the file's size agree.
    ///
    /// The postings themselves are checked as they are read (each run in
    /// order, each doc one of the records): reading them all here would
    /// cost a pass over a file a scan reads anyway.
    ///
    /// # Errors
    /// Reading failed, or the file is not a whole postings file
    /// (`InvalidData`; the error says what is wrong, the caller names the
    /// file).
    pub fn open(path: &Path) -> io::Result<Postings> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        if len < TRAILER as u64 {
            return Err(bad("shorter than a postings footer: not a sada postings file, or cut"));
        }
        let mut trailer = [0u8; TRAILER];
        file.read_exact_at(&mut trailer, len - TRAILER as u64)?;
        if &trailer[TRAILER - 8..] != MAGIC {
            return Err(bad("no postings footer at its end: not a sada postings file, or cut"));
        }
        let u64_at = |b: &[u8], i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        let records = u32::from_le_bytes(trailer[0..4].try_into().expect("4 bytes"));
        let (pad, runs, postings) = (&trailer[4..8], u64_at(&trailer, 8), u64_at(&trailer, 16));
        let expected = postings
            .checked_mul(POSTING as u64)
            .and_then(|p| runs.checked_mul(RUN as u64).and_then(|r| p.checked_add(r)))
            .and_then(|n| n.checked_add(TRAILER as u64));
        if pad != [0; 4] || expected != Some(len) {
            return Err(bad("its footer does not fit its size: the file is damaged or cut"));
        }
        let table_at = POSTING as u64 * postings;
        let mut table = vec![0u8; RUN * runs as usize];
        file.read_exact_at(&mut table, table_at)?;
        let mut next = 0u64;
        let mut list = Vec::with_capacity(runs as usize);
        for entry in table.chunks_exact(RUN) {
            let run = Run { offset: u64_at(entry, 0), count: u64_at(entry, 8) };
            if run.offset != next {
                return Err(bad("its runs are not end to end: the file is damaged"));
            }
            next = run.count.checked_mul(POSTING as u64).and_then(|c| next.checked_add(c)).unwrap_or(u64::MAX);
            list.push(run);
        }
        if next != table_at {
            return Err(bad("its runs do not add up to its postings: the file is damaged"));
        }
        Ok(Postings { file, runs: list, records, postings })
    }

    /// Records pushed (including those without anchors).
    pub fn records(&self) -> u32 {
        self.records
    }

    /// Postings stored.
    pub fn postings(&self) -> u64 {
        self.postings
    }

    /// Every posting whose hash is in `queries` (sorted ascending, no
    /// repeats), appended to `out` as `(hash, doc)`, in no set order.
    /// Streams each run once in blocks of a MiB, merging with `queries`
    /// (and stops reading a run past the last query): memory is the block
    /// plus `out`, not the file.
    ///
    /// # Errors
    /// Reading failed, or the postings are damaged (`InvalidData`: a run out
    /// of order, or a doc past the records).
    pub fn lookup(&self, queries: &[u64], out: &mut Vec<(u64, u32)>) -> io::Result<()> {
        debug_assert!(queries.windows(2).all(|w| w[0] < w[1]), "queries sorted, without repeats");
        let Some(&last) = queries.last() else { return Ok(()) };
        // Each run in slices read in parallel: a day's lookup streams a
        // gigabyte of postings at a million archived records, and one
        // thread's merge is the bound.
        let slices: Vec<(Run, u64, u64)> = self
            .runs
            .iter()
            .flat_map(|&run| {
                let k = LOOKUP_SLICES.min(run.count.max(1));
                (0..k).map(move |i| (run, run.count * i / k, run.count * (i + 1) / k))
            })
            .filter(|s| s.1 < s.2)
            .collect();
        let found: Vec<Vec<(u64, u32)>> = slices
            .par_iter()
            .map(|&(run, from, to)| {
                let mut got = Vec::new();
                let mut buf = vec![0u8; BLOCK * POSTING];
                let mut q: Option<usize> = None;
                self.scan_run(&run, from, to, &mut buf, |hash, doc| {
                    if hash > last {
                        return Ok(false);
                    }
                    // The first query not below the slice's first hash.
                    let q = q.get_or_insert_with(|| queries.partition_point(|&x| x < hash));
                    // Ends: `last >= hash`, so some query is.
                    while queries[*q] < hash {
                        *q += 1;
                    }
                    if queries[*q] == hash {
                        got.push((hash, doc));
                    }
                    Ok(true)
                })?;
                Ok(got)
            })
            .collect::<io::Result<_>>()?;
        out.extend(found.into_iter().flatten());
        Ok(())
    }

    /// Calls `f(hash, doc)` for every posting, run by run (each run in
    /// `(hash, doc)` order): what the tests read a whole index by.
    ///
    /// # Errors
    /// Reading failed, or the postings are damaged (`InvalidData`).
    #[cfg(test)]
    fn for_each(&self, mut f: impl FnMut(u64, u32)) -> io::Result<()> {
        let mut buf = vec![0u8; BLOCK * POSTING];
        for run in &self.runs {
            self.scan_run(run, 0, run.count, &mut buf, |hash, doc| {
                f(hash, doc);
                Ok(true)
            })?;
        }
        Ok(())
    }

    /// Streams postings `from..to` of `run` through `buf` (a whole number of
    /// postings), calling `f(hash, doc)` on each in order until it returns
    /// `false`; checks on the way that the run is in order (from the posting
    /// before `from`) and its docs are records.
    fn scan_run(
        &self,
        run: &Run,
        from: u64,
        to: u64,
        buf: &mut [u8],
        mut f: impl FnMut(u64, u32) -> io::Result<bool>,
    ) -> io::Result<()> {
        let per = (buf.len() / POSTING) as u64;
        // The posting before the slice, to check the order across slices.
        let mut prev: Option<(u64, u32)> = None;
        if from > 0 {
            let mut c = [0u8; POSTING];
            self.file.read_exact_at(&mut c, run.offset + POSTING as u64 * (from - 1))?;
            prev = Some((
                u64::from_le_bytes(c[..8].try_into().expect("8 bytes")),
                u32::from_le_bytes(c[8..].try_into().expect("4 bytes")),
            ));
        }
        let mut done = from;
        while done < to {
            let n = (to - done).min(per) as usize;
            let block = &mut buf[..n * POSTING];
            self.file.read_exact_at(block, run.offset + POSTING as u64 * done)?;
            for c in block.chunks_exact(POSTING) {
                let hash = u64::from_le_bytes(c[..8].try_into().expect("8 bytes"));
                let doc = u32::from_le_bytes(c[8..].try_into().expect("4 bytes"));
                if doc >= self.records {
                    return Err(bad("a posting of a record the file does not have: the file is damaged"));
                }
                if prev.is_some_and(|p| p >= (hash, doc)) {
                    return Err(bad("a run of postings out of order: the file is damaged"));
                }
                prev = Some((hash, doc));
                if !f(hash, doc)? {
                    return Ok(());
                }
            }
            done += n as u64;
        }
        Ok(())
    }
}

/// The postings of several segments' files merged into one file for a
/// segment that holds their records end to end (compaction): the records of
/// `parts[i]` are numbered from `parts[i].1`. Runs are copied (docs
/// shifted), not re-sorted: shifting every doc of a run by the same amount
/// keeps it in order. Returns the file flushed (not fsynced).
///
/// The parts' records must come in order without overlapping (`parts[i].1`
/// at least the previous part's first record plus its records; a gap is
/// records without anchors); the file's records end with the last part's.
///
/// # Errors
/// Reading or writing failed, a part's postings are damaged
/// (`InvalidData`), or the parts overlap or number records past a `u32`
/// (`InvalidInput`).
pub fn concat(parts: &[(&Postings, u32)], file: File) -> io::Result<File> {
    let mut records = 0u32;
    for &(p, first) in parts {
        if first < records {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "parts of postings overlap"));
        }
        records = first
            .checked_add(p.records)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "more records than a u32 counts"))?;
    }
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut buf = vec![0u8; BLOCK * POSTING];
    let mut runs = Vec::with_capacity(parts.iter().map(|(p, _)| p.runs.len()).sum());
    let mut postings = 0u64;
    for &(p, first) in parts {
        for run in &p.runs {
            // No overflow: `doc < p.records` and `first + p.records` fits.
            p.scan_run(run, 0, run.count, &mut buf, |hash, doc| {
                write_posting(&mut out, hash, doc + first).map(|()| true)
            })?;
            runs.push(Run { offset: POSTING as u64 * postings, count: run.count });
            postings += run.count;
        }
    }
    write_footer(&mut out, &runs, records, postings)?;
    out.into_inner().map_err(io::IntoInnerError::into_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    /// xorshift64: deterministic anchors without a crate.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// The hash of anchor number `k` of a small universe (so records share
    /// anchors and repeat them), spread over the `u64`s, its ends included.
    fn anchor(k: u64) -> u64 {
        match k {
            0 => 0,
            1 => u64::MAX,
            _ => k.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        }
    }

    /// Random records of anchors of a universe of `universe`: some without
    /// any, some with repeats.
    fn records(rng: &mut Rng, count: usize, universe: u64) -> Vec<Vec<u64>> {
        (0..count)
            .map(|_| {
                let n = if rng.below(5) == 0 { 0 } else { rng.below(40) };
                (0..n).map(|_| anchor(rng.below(universe))).collect()
            })
            .collect()
    }

    fn write(path: &Path, records: &[Vec<u64>], budget: usize) -> Postings {
        let mut w = PostingsWriter::new(File::create(path).unwrap(), budget);
        for r in records {
            w.push(r).unwrap();
        }
        w.finish().unwrap();
        Postings::open(path).unwrap()
    }

    fn brute(records: &[Vec<u64>]) -> BTreeSet<(u64, u32)> {
        records.iter().enumerate().flat_map(|(d, r)| r.iter().map(move |&h| (h, d as u32))).collect()
    }

    fn all(p: &Postings) -> Vec<(u64, u32)> {
        let mut seen = Vec::new();
        p.for_each(|h, d| seen.push((h, d))).unwrap();
        seen
    }

    fn lookup(p: &Postings, queries: &[u64]) -> Vec<(u64, u32)> {
        let mut out = vec![(7, 7)];
        p.lookup(queries, &mut out).unwrap();
        assert_eq!(out.remove(0), (7, 7), "appended to, not replaced");
        out.sort_unstable();
        out
    }

    /// Checks `p` against the postings `want` of `records` records, with
    /// query sets of every kind.
    fn check(p: &Postings, want: &BTreeSet<(u64, u32)>, records: usize, rng: &mut Rng) {
        assert_eq!(p.records() as usize, records);
        assert_eq!(p.postings(), want.len() as u64);
        let seen = all(p);
        assert_eq!(seen.len(), want.len(), "no posting twice");
        assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), *want);
        let hashes: BTreeSet<u64> = want.iter().map(|&(h, _)| h).collect();
        let absent: Vec<u64> = (0..50).map(|k| anchor(1_000_000 + k)).collect();
        let some: BTreeSet<u64> =
            hashes.iter().copied().filter(|_| rng.below(3) == 0).chain(absent.iter().copied()).collect();
        let queries: [Vec<u64>; 7] = [
            Vec::new(),
            absent.iter().copied().collect::<BTreeSet<_>>().into_iter().collect(),
            hashes.iter().copied().collect(),
            some.into_iter().collect(),
            hashes.iter().copied().take(1).collect(),
            hashes.iter().copied().next_back().into_iter().collect(),
            vec![0, u64::MAX],
        ];
        for q in &queries {
            let expected: Vec<(u64, u32)> = want.iter().copied().filter(|(h, _)| q.binary_search(h).is_ok()).collect();
            assert_eq!(lookup(p, q), expected, "queries {q:?}");
        }
    }

    #[test]
    fn postings_round_trip_against_brute_force_in_many_runs_or_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let recs = records(&mut rng, 400, 300);
        let want = brute(&recs);
        assert!(recs.iter().any(Vec::is_empty) && want.len() > 1000);
        for budget in [0, 16 * 37, 16 * 1000, 1 << 30] {
            let path = dir.path().join(format!("p{budget}"));
            let p = write(&path, &recs, budget);
            let runs = want.len().div_ceil((budget / 16).max(1));
            assert_eq!(p.runs.len(), runs, "budget {budget}");
            check(&p, &want, recs.len(), &mut rng);
            // Each run is in (hash, doc) order.
            let seen = all(&p);
            let mut at = 0;
            for r in &p.runs {
                let run = &seen[at..at + r.count as usize];
                assert!(run.windows(2).all(|w| w[0] < w[1]));
                at += r.count as usize;
            }
        }
    }

    #[test]
    fn records_without_anchors_count_and_repeats_are_kept_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p");
        let p = write(&path, &[], 1 << 20);
        assert_eq!((p.records(), p.postings(), p.runs.len()), (0, 0, 0));
        assert_eq!(std::fs::metadata(&path).unwrap().len(), TRAILER as u64);
        assert!(all(&p).is_empty() && lookup(&p, &[0, 5, u64::MAX]).is_empty());
        let p = write(&path, &[vec![], vec![], vec![]], 1 << 20);
        assert_eq!((p.records(), p.postings()), (3, 0));
        assert!(lookup(&p, &[0, 5]).is_empty());
        let recs = [vec![], vec![5, 5, 3, 5, 3], vec![], vec![5], vec![]];
        for budget in [0, 1 << 20] {
            let p = write(&path, &recs, budget);
            assert_eq!((p.records(), p.postings()), (5, 3));
            assert_eq!(lookup(&p, &[3, 5]), [(3, 1), (5, 1), (5, 3)]);
            assert_eq!(lookup(&p, &[4]), []);
        }
    }

    #[test]
    fn concat_equals_one_writer_over_the_records_end_to_end() {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = Rng(0x1234_5678_9ABC_DEF1);
        let (a, b) = (records(&mut rng, 150, 200), records(&mut rng, 170, 200));
        let pa = write(&dir.path().join("a"), &a, 16 * 50);
        let pb = write(&dir.path().join("b"), &b, 16 * 300);
        let pe = write(&dir.path().join("e"), &[vec![], vec![]], 1 << 20);
        let both: Vec<Vec<u64>> = a.iter().chain(b.iter()).cloned().collect();
        let one = write(&dir.path().join("one"), &both, 16 * 64);
        let want = brute(&both);
        let path = dir.path().join("cat");
        concat(&[(&pa, 0), (&pb, 150)], File::create(&path).unwrap()).unwrap();
        let cat = Postings::open(&path).unwrap();
        assert_eq!(cat.runs.len(), pa.runs.len() + pb.runs.len(), "runs copied, not merged");
        assert_eq!(all(&cat).into_iter().collect::<BTreeSet<_>>(), all(&one).into_iter().collect());
        check(&cat, &want, 320, &mut rng);
        check(&one, &want, 320, &mut rng);
        // An empty part, and a gap: records without anchors.
        concat(&[(&pe, 0), (&pa, 2), (&pb, 160)], File::create(&path).unwrap()).unwrap();
        let cat = Postings::open(&path).unwrap();
        let shifted: BTreeSet<(u64, u32)> =
            brute(&a).iter().map(|&(h, d)| (h, d + 2)).chain(brute(&b).iter().map(|&(h, d)| (h, d + 160))).collect();
        check(&cat, &shifted, 330, &mut rng);
        // Nothing: an empty file.
        concat(&[], File::create(&path).unwrap()).unwrap();
        let cat = Postings::open(&path).unwrap();
        assert_eq!((cat.records(), cat.postings()), (0, 0));
        // Overlapping parts and too many records are refused.
        let err = concat(&[(&pa, 0), (&pb, 149)], File::create(&path).unwrap()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        let err = concat(&[(&pa, u32::MAX - 100)], File::create(&path).unwrap()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    fn refused(path: &PathBuf, bytes: &[u8], what: &str) {
        std::fs::write(path, bytes).unwrap();
        let err = Postings::open(path).expect_err(what);
        assert_eq!(err.kind(), io::ErrorKind::InvalidData, "{what}: {err}");
    }

    #[test]
    fn cut_foreign_and_damaged_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p");
        let mut rng = Rng(99);
        let recs = records(&mut rng, 60, 100);
        write(&path, &recs, 16 * 40);
        let bytes = std::fs::read(&path).unwrap();
        for cut in [0, 1, 12, bytes.len() / 2, bytes.len() - TRAILER, bytes.len() - 8, bytes.len() - 1] {
            refused(&path, &bytes[..cut], &format!("cut at {cut}"));
        }
        let mut shifted = bytes.clone();
        shifted.insert(0, 0);
        refused(&path, &shifted, "a byte too many");
        refused(&path, b"{\"id\": 1, \"text\": \"not postings at all, just some JSON\"}\n", "foreign");
        let mut edges = b"SADAEDG1".to_vec();
        edges.extend_from_slice(&[0; 40]);
        refused(&path, &edges, "a pairs file");
        // The footer's counts changed together with the size (a run's
        // postings dropped, its count not).
        let mut short = bytes[POSTING..bytes.len() - TRAILER].to_vec();
        let mut trailer = bytes[bytes.len() - TRAILER..].to_vec();
        let postings = u64::from_le_bytes(trailer[16..24].try_into().unwrap()) - 1;
        trailer[16..24].copy_from_slice(&postings.to_le_bytes());
        short.extend_from_slice(&trailer);
        refused(&path, &short, "runs that do not add up");

        // Damage inside the postings shows when they are read.
        let mut swapped = bytes.clone();
        let (x, y) = (swapped[..POSTING].to_vec(), swapped[POSTING..2 * POSTING].to_vec());
        swapped[..POSTING].copy_from_slice(&y);
        swapped[POSTING..2 * POSTING].copy_from_slice(&x);
        std::fs::write(&path, &swapped).unwrap();
        let p = Postings::open(&path).unwrap();
        assert_eq!(p.for_each(|_, _| {}).unwrap_err().kind(), io::ErrorKind::InvalidData);
        let mut out = Vec::new();
        assert_eq!(p.lookup(&[u64::MAX], &mut out).unwrap_err().kind(), io::ErrorKind::InvalidData);
        let mut past = bytes.clone();
        past[8..12].copy_from_slice(&1000u32.to_le_bytes());
        std::fs::write(&path, &past).unwrap();
        let p = Postings::open(&path).unwrap();
        assert_eq!(p.for_each(|_, _| {}).unwrap_err().kind(), io::ErrorKind::InvalidData);
    }
}
