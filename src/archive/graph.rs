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

use std::collections::HashMap;
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
use crate::verify::{self, Edge};

/// An archive's stored analyses and pairs, opened: document `g` is the
/// archive's record `g` (segments in order).
#[derive(Debug)]
pub struct Stored {
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
        Ok(Stored { segments, len, edges })
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
    /// Reading or decompressing its frame failed.
    pub fn record(&self, g: usize) -> io::Result<(Vec<u8>, &Path, u64)> {
        let (s, i) = self.at(g);
        let line = frames::read_record(&s.2, s.1.frames(), s.3, i as u64)?;
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

/// What the new records change in the whole scan's graph.
#[derive(Debug)]
pub struct Extended {
    /// The exact-duplicate groups of the archive and the new records
    /// together, as [`verify::exact_groups`] makes them.
    pub units: Vec<Vec<DocId>>,
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

/// A bucket holding a new record: its archived members, then its new ones,
/// each in document order.
#[derive(Default)]
struct Bucket {
    members: Vec<u32>,
    archived: usize,
}

impl Bucket {
    /// Whether the whole scan pairs `a` and `b` (both members) in this bucket.
    fn pairs(&self, a: u32, b: u32) -> bool {
        let pos = |d: u32| self.members.binary_search(&d).expect("a member");
        self.members.len() <= FULL_BUCKET || pos(a).abs_diff(pos(b)) <= WINDOW
    }
}

/// The pairs a scan of `stored`'s archive and `new` together would verify
/// at `verify_at` (estimated similarity), as changes to the stored ones.
///
/// # Errors
/// Reading a stored signature failed.
pub fn extend(stored: &Stored, new: New<'_>, banding: &Banding, verify_at: f64) -> io::Result<Extended> {
    let archived = stored.len();
    let mut content: Vec<Option<u64>> = (0..archived).map(|g| stored.content(g)).collect();
    content.extend_from_slice(new.content);
    let units = verify::exact_groups(&content);
    drop(content);
    let mut rep = vec![false; archived + new.content.len()];
    for u in &units {
        rep[u[0].index()] = true;
    }
    let simhash = matches!(banding, Banding::Simhash { .. });

    // The new representatives' band keys, and the buckets they fall in.
    let mut buckets: HashMap<u64, Bucket> = HashMap::new();
    let mut new_sigs: Vec<Option<Signature>> = Vec::with_capacity(new.content.len());
    for d in 0..new.content.len() {
        let sig = new.sigs.get(DocId(d as u32));
        if let Some(s) = sig.as_ref().filter(|_| rep[archived + d]) {
            let lanes = s.lanes();
            for band in 0..banding.bands() {
                buckets.entry(banding.key_of_lanes(&lanes, band)).or_default().members.push((archived + d) as u32);
            }
        }
        new_sigs.push(sig);
    }
    // Their archived members: one pass over the stored keys.
    let archived_members = |keys: &HashMap<u64, Bucket>| -> Vec<(u64, u32)> {
        let mut found: Vec<(u64, u32)> = (0..archived)
            .into_par_iter()
            .filter(|&g| rep[g])
            .flat_map_iter(|g| {
                stored.keys(g).unwrap_or(&[]).iter().filter(|k| keys.contains_key(k)).map(move |&k| (k, g as u32))
            })
            .collect();
        found.par_sort_unstable();
        found
    };
    let place = |buckets: &mut HashMap<u64, Bucket>, found: Vec<(u64, u32)>| {
        for (k, g) in found {
            let b = buckets.get_mut(&k).expect("looked up");
            b.members.insert(b.archived, g);
            b.archived += 1;
        }
    };
    let found = archived_members(&buckets);
    place(&mut buckets, found);

    // Candidates with a new record; stored pairs a grown bucket no longer makes.
    let mut keys: Vec<u64> = buckets.keys().copied().collect();
    keys.sort_unstable();
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut unpaired: Vec<(DocId, DocId)> = Vec::new();
    let mut entries: Vec<(u64, u32)> = Vec::new();
    for k in &keys {
        let b = &buckets[k];
        entries.clear();
        entries.extend(b.members.iter().map(|&d| (*k, d)));
        let from = candidates.len();
        pairs_of_bucket(&entries, &mut candidates);
        let mut kept = from;
        for i in from..candidates.len() {
            if candidates[i].b.index() >= archived {
                candidates[kept] = candidates[i];
                kept += 1;
            }
        }
        candidates.truncate(kept);
        if b.archived <= FULL_BUCKET && b.members.len() > FULL_BUCKET {
            for i in 0..b.archived {
                for j in i + WINDOW + 1..b.archived {
                    unpaired.push((DocId(b.members[i]), DocId(b.members[j])));
                }
            }
        }
    }
    candidates.par_sort_unstable();
    candidates.dedup();

    // Verified against the stored signatures.
    let sig_of = |d: DocId| -> io::Result<Option<Signature>> {
        if d.index() >= archived {
            return Ok(new_sigs[d.index() - archived].clone());
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
    let mut others: HashMap<u64, Bucket> = HashMap::new();
    for &(a, b) in &unpaired {
        for k in shared(a, b) {
            if !buckets.contains_key(&k) {
                others.entry(k).or_default();
            }
        }
    }
    if !others.is_empty() {
        let found = archived_members(&others);
        place(&mut others, found);
    }
    let lost: Vec<(DocId, DocId)> = unpaired
        .into_iter()
        .filter(|&(a, b)| {
            !shared(a, b).iter().any(|k| buckets.get(k).or_else(|| others.get(k)).expect("found").pairs(a.0, b.0))
        })
        .collect();
    Ok(Extended { units, candidates: candidates.len() as u64, new_edges, lost })
}
