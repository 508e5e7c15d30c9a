//! The index and verify stages against an archive: which pairs a scan of
//! the archive and the new records together would verify, found from the
//! archive's stored analyses and pairs and the new records' own analyses,
//! without the archive's texts.
//!
//! What a whole scan verifies is pairwise, so the archive's stored pairs
//! still hold, with two kinds of change a new record brings:
//!
//! - pairs with a new record: its band keys are looked up among the
//!   archive's (only buckets holding a new record change), and the pairs a
//!   bucket makes with it verified against the stored signatures;
//! - stored pairs lost: a bucket of at most [`FULL_BUCKET`] archived records
//!   pairs all with all; grown past it by new records, it pairs each member
//!   with the next [`WINDOW`] only. A stored pair made only by such buckets
//!   is no longer a candidate of the whole scan.
//!
//! New records come after the archive's (higher document numbers), so a
//! bucket's archived members keep their order and every exact-duplicate
//! group keeps its first document: the archive's units and representatives
//! never change, they only gain members.

use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::Archive;
use super::analysis::Analyses;
use super::frames;
use crate::error::Error;
use crate::index::{Banding, Candidate, FULL_BUCKET, WINDOW, pairs_of_bucket};
use crate::model::DocId;
use crate::sign::Signature;
use crate::spill::store::Signatures;
use crate::verify::Edge;

/// An archive's stored analyses and pairs, opened: document `g` is the
/// archive's record `g` (segments in order).
#[derive(Debug)]
pub struct Stored {
    dir: PathBuf,
    /// Each segment's first record, its analyses, its file and size.
    segments: Vec<(usize, Analyses, PathBuf, u64)>,
    len: usize,
    /// The archive's verified pairs, sorted.
    pub edges: Vec<Edge>,
}

impl Stored {
    /// Reads the analyses of every segment of `archive` and its pairs.
    ///
    /// # Errors
    /// [`Error::ArchiveDamaged`] naming a file that cannot be read or is not
    /// what the manifest says.
    pub fn open(archive: &Archive) -> Result<Stored, Error> {
        let dir = archive.dir();
        let damaged = |path: &Path, e: io::Error| Error::ArchiveDamaged {
            path: path.to_path_buf(),
            reason: format!("cannot be read ({e})"),
        };
        let mut segments = Vec::new();
        let mut len = 0;
        for s in &archive.manifest().segments {
            let path = dir.join(&s.analysis.file);
            let a = Analyses::open(&path).map_err(|e| damaged(&path, e))?;
            if a.len() as u64 != s.documents {
                return Err(Error::ArchiveDamaged {
                    path,
                    reason: format!("analyses {} records where the manifest lists {}", a.len(), s.documents),
                });
            }
            let n = a.len();
            segments.push((len, a, dir.join(&s.file), s.bytes));
            len += n;
        }
        let edges = match &archive.manifest().edges {
            Some(e) => {
                let path = dir.join(&e.file);
                let edges = super::edges::read(&path).map_err(|err| damaged(&path, err))?;
                if edges.iter().any(|e| e.b.index() >= len || e.a >= e.b) {
                    return Err(Error::ArchiveDamaged {
                        path,
                        reason: "holds a pair of records it does not have".into(),
                    });
                }
                edges
            }
            None => Vec::new(),
        };
        Ok(Stored { dir: dir.to_path_buf(), segments, len, edges })
    }

    /// The archive's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Records in the archive.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the archive is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The segment of record `g` and `g`'s place in it.
    fn at(&self, g: usize) -> (&(usize, Analyses, PathBuf, u64), usize) {
        let k = self.segments.partition_point(|s| s.0 <= g) - 1;
        (&self.segments[k], g - self.segments[k].0)
    }

    /// Record `g`'s exact-duplicate key.
    pub fn content(&self, g: usize) -> Option<u64> {
        let (s, i) = self.at(g);
        s.1.content(i)
    }

    /// Record `g`'s band keys.
    pub fn keys(&self, g: usize) -> Option<&[u64]> {
        let (s, i) = self.at(g);
        s.1.keys(i)
    }

    /// Record `g`'s signature lanes.
    ///
    /// # Errors
    /// Reading its analyses failed.
    pub fn lanes(&self, g: usize) -> io::Result<Option<Vec<u32>>> {
        let (s, i) = self.at(g);
        s.1.lanes_of(i)
    }

    /// Record `g`'s line in its segment (as `sada extract` wrote it), and
    /// the segment's path and line number (1-based) for naming it.
    ///
    /// # Errors
    /// [`Error::ArchiveDamaged`] naming the segment when reading or
    /// decompressing its frame failed.
    pub fn record(&self, g: usize) -> Result<(Vec<u8>, &Path, u64), Error> {
        let (s, i) = self.at(g);
        let line = frames::read_record(&s.2, s.1.frames(), s.3, i as u64).map_err(|e| Error::ArchiveDamaged {
            path: s.2.clone(),
            reason: format!("cannot give back its record {} ({e})", i + 1),
        })?;
        Ok((line, &s.2, i as u64 + 1))
    }
}

/// The new records, numbered after the archive's: their exact-duplicate
/// keys and signatures (document `d` of these is the whole scan's
/// `archive + d`).
pub struct New<'a> {
    /// Exact-duplicate keys.
    pub content: &'a [Option<u64>],
    /// Signatures.
    pub sigs: &'a Signatures,
}

/// The exact-duplicate groups (units) of the archive and the new records
/// together, without a list per group: `(content hash, document)` sorted,
/// so a group is a run, its first document the unit's representative.
#[derive(Debug)]
pub struct Units {
    keyed: Vec<(u64, u32)>,
    /// Bit `d`: document `d` represents its unit.
    rep: Vec<u64>,
}

impl Units {
    /// The units of `stored`'s archive followed by the new records of `content`.
    fn of(stored: &Stored, content: &[Option<u64>]) -> Units {
        let archived = stored.len();
        let mut keyed: Vec<(u64, u32)> = (0..archived)
            .into_par_iter()
            .filter_map(|g| stored.content(g).map(|c| (c, g as u32)))
            .chain(content.par_iter().enumerate().filter_map(|(d, c)| c.map(|c| (c, (archived + d) as u32))))
            .collect();
        keyed.par_sort_unstable();
        let mut rep = vec![0u64; (archived + content.len()).div_ceil(64)];
        for run in keyed.chunk_by(|x, y| x.0 == y.0) {
            let d = run[0].1 as usize;
            rep[d / 64] |= 1 << (d % 64);
        }
        Units { keyed, rep }
    }

    /// Whether `d` represents its unit (the first document of its content).
    pub fn is_rep(&self, d: DocId) -> bool {
        self.rep[d.index() / 64] >> (d.index() % 64) & 1 == 1
    }

    /// The documents of the unit of content `c`, in document order.
    pub fn members(&self, c: u64) -> impl Iterator<Item = DocId> + '_ {
        let lo = self.keyed.partition_point(|e| e.0 < c);
        let hi = self.keyed.partition_point(|e| e.0 <= c);
        self.keyed[lo..hi].iter().map(|e| DocId(e.1))
    }

    /// Every unit, as [`crate::verify::exact_groups`] lists them (for tests).
    pub fn all(&self) -> Vec<Vec<DocId>> {
        let mut units: Vec<Vec<DocId>> =
            self.keyed.chunk_by(|x, y| x.0 == y.0).map(|r| r.iter().map(|e| DocId(e.1)).collect()).collect();
        units.sort_unstable_by_key(|u| u[0]);
        units
    }
}

/// What the new records change in the whole scan's graph.
#[derive(Debug)]
pub struct Extended {
    /// The exact-duplicate groups of the archive and the new records together.
    pub units: Units,
    /// Candidate pairs with a new record.
    pub candidates: u64,
    /// Verified pairs with a new record, sorted.
    pub new_edges: Vec<Edge>,
    /// Stored pairs that are no longer candidates, sorted.
    pub lost: Vec<(DocId, DocId)>,
}

impl Extended {
    /// The verified pairs of the whole scan: `stored` without the lost ones,
    /// with the new ones, sorted.
    pub fn edges(&self, stored: &[Edge]) -> Vec<Edge> {
        let mut all: Vec<Edge> = stored
            .iter()
            .filter(|e| self.lost.binary_search(&(e.a, e.b)).is_err())
            .chain(&self.new_edges)
            .copied()
            .collect();
        all.sort_by_key(|e| (e.a, e.b));
        all
    }
}

/// `(key, document)` band entries sorted by key then document: a bucket is
/// a run of one key.
type Entries = Vec<(u64, u32)>;

/// The run of key `k` in sorted `entries`.
fn run(entries: &[(u64, u32)], k: u64) -> &[(u64, u32)] {
    let lo = entries.partition_point(|e| e.0 < k);
    let hi = entries.partition_point(|e| e.0 <= k);
    &entries[lo..hi]
}

/// Whether the whole scan pairs `a` and `b` in the bucket made of the
/// archived members `old` and the new ones `new` (archived first, each run
/// in document order), as [`pairs_of_bucket`] does.
fn pairs_in(old: &[(u64, u32)], new: &[(u64, u32)], a: DocId, b: DocId) -> bool {
    let pos = |d: DocId| -> usize {
        match old.binary_search_by_key(&d.0, |e| e.1) {
            Ok(p) => p,
            Err(_) => old.len() + new.binary_search_by_key(&d.0, |e| e.1).expect("a member"),
        }
    };
    old.len() + new.len() <= FULL_BUCKET || pos(a).abs_diff(pos(b)) <= WINDOW
}

/// The pairs a scan of `stored`'s archive and `new` together would verify
/// at `verify_at` (estimated similarity), as changes to the stored ones.
///
/// # Errors
/// Reading a stored signature failed.
pub fn extend(stored: &Stored, new: New<'_>, banding: &Banding, verify_at: f64) -> io::Result<Extended> {
    let archived = stored.len();
    let units = Units::of(stored, new.content);
    let rep = |d: usize| units.is_rep(DocId(d as u32));
    let simhash = matches!(banding, Banding::Simhash { .. });

    // The new representatives' band entries, and the archived entries of
    // the same keys (one pass over the stored keys).
    let mut fresh: Entries = (0..new.content.len())
        .into_par_iter()
        .filter(|&d| rep(archived + d))
        .flat_map_iter(|d| {
            let lanes = new.sigs.get(DocId(d as u32)).map(|s| s.lanes().into_owned()).unwrap_or_default();
            let bands = if lanes.is_empty() { 0 } else { banding.bands() };
            (0..bands).map(move |band| (banding.key_of_lanes(&lanes, band), (archived + d) as u32))
        })
        .collect();
    fresh.par_sort_unstable();
    let archived_entries = |keys: &ahash::AHashSet<u64>| -> Entries {
        if keys.is_empty() {
            return Vec::new();
        }
        let mut found: Entries = (0..archived)
            .into_par_iter()
            .filter(|&g| rep(g))
            .flat_map_iter(|g| {
                stored.keys(g).unwrap_or(&[]).iter().filter(|k| keys.contains(k)).map(move |&k| (k, g as u32))
            })
            .collect();
        found.par_sort_unstable();
        found
    };
    let touched: ahash::AHashSet<u64> =
        if archived == 0 { Default::default() } else { fresh.iter().map(|e| e.0).collect() };
    let old = archived_entries(&touched);
    drop(touched);

    // Candidates with a new record; stored pairs a grown bucket no longer makes.
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut unpaired: Vec<(DocId, DocId)> = Vec::new();
    let mut bucket: Entries = Vec::new();
    for group in fresh.chunk_by(|x, y| x.0 == y.0) {
        let before = run(&old, group[0].0);
        bucket.clear();
        bucket.extend_from_slice(before);
        bucket.extend_from_slice(group);
        let from = candidates.len();
        pairs_of_bucket(&bucket, &mut candidates);
        let mut kept = from;
        for i in from..candidates.len() {
            if candidates[i].b.index() >= archived {
                candidates[kept] = candidates[i];
                kept += 1;
            }
        }
        candidates.truncate(kept);
        if before.len() <= FULL_BUCKET && bucket.len() > FULL_BUCKET {
            for i in 0..before.len() {
                for j in i + WINDOW + 1..before.len() {
                    unpaired.push((DocId(before[i].1), DocId(before[j].1)));
                }
            }
        }
    }
    candidates.par_sort_unstable();
    candidates.dedup();

    // Verified against the stored signatures.
    let sig_of = |d: DocId| -> io::Result<Option<Signature>> {
        if d.index() >= archived {
            return Ok(new.sigs.get(DocId((d.index() - archived) as u32)));
        }
        Ok(stored.lanes(d.index())?.and_then(|l| Signature::from_lanes(&l, simhash)))
    };
    let verified: Vec<Option<Edge>> = candidates
        .par_iter()
        .map(|c| {
            let (Some(x), Some(y)) = (sig_of(c.a)?, sig_of(c.b)?) else { return Ok(None) };
            let similarity = x.jaccard(&y);
            Ok((similarity >= verify_at).then_some(Edge { a: c.a, b: c.b, similarity }))
        })
        .collect::<io::Result<_>>()?;
    let new_edges: Vec<Edge> = verified.into_iter().flatten().collect();

    // A stored pair left unpaired by one bucket may still be paired by another band.
    unpaired.sort_unstable();
    unpaired.dedup();
    unpaired.retain(|&(a, b)| stored.edges.binary_search_by_key(&(a, b), |e| (e.a, e.b)).is_ok());
    let shared = |a: DocId, b: DocId| -> Vec<u64> {
        let (ka, kb) = (stored.keys(a.index()).unwrap_or(&[]), stored.keys(b.index()).unwrap_or(&[]));
        ka.iter().zip(kb).filter(|(x, y)| x == y).map(|(x, _)| *x).collect()
    };
    // Buckets no new record falls in, as the archive alone makes them.
    let untouched: ahash::AHashSet<u64> =
        unpaired.iter().flat_map(|&(a, b)| shared(a, b)).filter(|&k| run(&fresh, k).is_empty()).collect();
    let others = archived_entries(&untouched);
    let lost: Vec<(DocId, DocId)> = unpaired
        .into_iter()
        .filter(|&(a, b)| {
            !shared(a, b).into_iter().any(|k| {
                let new_run = run(&fresh, k);
                let old_run = if new_run.is_empty() { run(&others, k) } else { run(&old, k) };
                pairs_in(old_run, new_run, a, b)
            })
        })
        .collect();
    Ok(Extended { units, candidates: candidates.len() as u64, new_edges, lost })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::analysis::AnalysisWriter;
    use crate::archive::frames::Frame;
    use crate::verify;

    /// A small deterministic generator (xorshift).
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// Whatever the split between archive and new records, the stored pairs
    /// brought up to date are the pairs a scan of all of them verifies —
    /// with buckets of a few lanes' values holding about FULL_BUCKET records,
    /// so that many cross it when the new records come, and exact
    /// duplicates across the split.
    #[test]
    fn stored_pairs_brought_up_to_date_are_those_of_a_whole_scan() {
        let banding = Banding::Minhash { bands: 4, rows: 2 };
        let at = 0.5;
        for (seed, total, archived) in [(1, 1200, 1000), (2, 1200, 1150), (3, 600, 300), (4, 300, 0)] {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed);
            let lanes: Vec<Vec<u32>> = (0..total).map(|_| (0..8).map(|_| rng.below(3) as u32).collect()).collect();
            // Every 50th record repeats an earlier one's words.
            let content: Vec<Option<u64>> =
                (0..total).map(|i| Some(if i % 50 == 49 { (i / 2) as u64 } else { 1_000_000 + i as u64 })).collect();
            let sig = |i: usize| Signature::from_lanes(&lanes[i], false);
            let whole = |n: usize| -> Vec<Edge> {
                let units = verify::exact_groups(&content[..n]);
                let sigs: Vec<Option<Signature>> = (0..n).map(sig).collect();
                let refs: Vec<(DocId, &Signature)> =
                    units.iter().map(|u| (u[0], sigs[u[0].index()].as_ref().expect("signed"))).collect();
                let candidates = crate::index::candidates(&refs, &banding);
                let store = Signatures::of(sigs.iter().map(Option::as_ref));
                verify::edges(&candidates, verify::Similarity::Estimated(&store), at)
            };
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("a.ana");
            let mut w = AnalysisWriter::new(std::fs::File::create(&path).unwrap(), 8, banding);
            for i in 0..archived {
                w.push(content[i], Some(&lanes[i])).unwrap();
            }
            w.finish(&[Frame { offset: 0, first: 0 }]).unwrap();
            let stored = Stored {
                dir: dir.path().to_path_buf(),
                segments: vec![(0, Analyses::open(&path).unwrap(), path.clone(), 0)],
                len: archived,
                edges: whole(archived),
            };
            let new_sigs: Vec<Option<Signature>> = (archived..total).map(sig).collect();
            let store = Signatures::of(new_sigs.iter().map(Option::as_ref));
            let extended = extend(&stored, New { content: &content[archived..], sigs: &store }, &banding, at).unwrap();
            assert_eq!(extended.units.all(), verify::exact_groups(&content), "seed {seed}");
            let want = whole(total);
            let got = extended.edges(&stored.edges);
            assert_eq!(got.len(), want.len(), "seed {seed}: {} lost", extended.lost.len());
            assert_eq!(got, want, "seed {seed}");
            if seed == 1 {
                assert!(!extended.lost.is_empty(), "the case must lose stored pairs to grown buckets");
            }
        }
    }
}
