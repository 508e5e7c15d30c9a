//! Stage 6, **verify**: exact duplicates, then candidate pairs scored.
//!
//! Exact duplicates are found first, by a hash of the normalized token stream:
//! they need no signature comparison, and collapsing them before LSH keeps a
//! thousand copies of one wire story from filling a bucket. Candidate pairs
//! from the index are then kept when their similarity (estimated from
//! signatures, or exact on request) reaches the threshold.

use rayon::prelude::*;

use crate::index::Candidate;
use crate::model::DocId;
use crate::shingle;
use crate::sign::simhash;
use crate::spill::store::Signatures;

/// How the similarity of two documents is measured.
#[derive(Clone, Copy, Debug)]
pub enum Similarity<'a> {
    /// Estimated from signatures (MinHash lane agreement, SimHash distance).
    Estimated(&'a Signatures),
    /// Exact Jaccard of the sorted shingle sets (`--exact-jaccard`).
    Exact(&'a [Option<Vec<u64>>]),
}

impl Similarity<'_> {
    /// Similarity of documents `a` and `b`; 0 when either has no shingles.
    pub fn of(&self, a: DocId, b: DocId) -> f64 {
        match self {
            Similarity::Estimated(sigs) => match (sigs.get(a), sigs.get(b)) {
                (Some(x), Some(y)) => x.jaccard(&y),
                _ => 0.0,
            },
            Similarity::Exact(sets) => match (&sets[a.index()], &sets[b.index()]) {
                (Some(x), Some(y)) => shingle::jaccard(x, y),
                _ => 0.0,
            },
        }
    }
}

impl Similarity<'_> {
    /// [`Similarity::of`] when it is at least `at`, else `None`; for exact
    /// sets sooner than the whole merge (see [`shingle::jaccard_at_least`]).
    pub fn at_least(&self, a: DocId, b: DocId, at: f64) -> Option<f64> {
        match self {
            Similarity::Exact(sets) => match (&sets[a.index()], &sets[b.index()]) {
                (Some(x), Some(y)) => shingle::jaccard_at_least(x, y, at),
                _ => (0.0 >= at).then_some(0.0),
            },
            Similarity::Estimated(_) => Some(self.of(a, b)).filter(|&s| s >= at),
        }
    }

    /// The least similarity two documents can have when their similarities
    /// to a third are `a` and `b`. Every measure here comes from a metric:
    /// Jaccard distance `1 − J` (exact sets), the share of differing lanes
    /// (MinHash), the Hamming distance (SimHash), so the triangle inequality
    /// bounds the pair without comparing it — what lets the drift guard of
    /// [`crate::cluster`] skip most comparisons.
    pub fn through(&self, a: f64, b: f64) -> f64 {
        match self {
            Similarity::Estimated(sigs) if sigs.is_simhash() => {
                match (simhash::hamming_from_jaccard(a), simhash::hamming_from_jaccard(b)) {
                    (Some(x), Some(y)) => simhash::jaccard_from_hamming(x + y),
                    _ => 0.0,
                }
            }
            // Less a rounding margin: a bound must never promise more.
            _ => (a + b - 1.0 - 1e-9).max(0.0),
        }
    }
}

/// A verified pair of documents.
///
/// The serde derives carry it between the processes of a cluster run and into
/// `--resume` checkpoints, in bincode: a format that does not describe
/// itself, so no field may be skipped when serializing.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Edge {
    /// The earlier document.
    pub a: DocId,
    /// The later document.
    pub b: DocId,
    /// Their similarity.
    pub similarity: f64,
}

/// Keeps the candidates whose similarity is at least `threshold`, in the
/// candidates' order.
pub fn edges(candidates: &[Candidate], sim: Similarity<'_>, threshold: f64) -> Vec<Edge> {
    candidates
        .par_iter()
        .filter_map(|c| {
            let similarity = sim.at_least(c.a, c.b, threshold)?;
            Some(Edge { a: c.a, b: c.b, similarity })
        })
        .collect()
}

/// Groups documents with the same content hash. Returns every group,
/// singletons included, each sorted by document and the groups sorted by
/// their first document. Documents without a hash (empty, error) are left
/// out.
pub fn exact_groups(content: &[Option<u64>]) -> Vec<Vec<DocId>> {
    let mut keyed: Vec<(u64, DocId)> =
        content.iter().enumerate().filter_map(|(i, h)| h.map(|h| (h, DocId(i as u32)))).collect();
    keyed.par_sort_unstable();
    let mut groups: Vec<Vec<DocId>> =
        keyed.chunk_by(|x, y| x.0 == y.0).map(|g| g.iter().map(|&(_, d)| d).collect()).collect();
    groups.par_sort_unstable_by_key(|g| g[0]);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::{MinHashSig, Signature};

    #[test]
    fn exact_groups_collect_equal_hashes_in_document_order() {
        let g = exact_groups(&[Some(7), None, Some(3), Some(7)]);
        assert_eq!(g, vec![vec![DocId(0), DocId(3)], vec![DocId(2)]]);
    }

    #[test]
    fn edges_below_threshold_are_dropped() {
        let sigs = [
            Some(Signature::MinHash(MinHashSig([1, 2, 3, 4].into()))),
            Some(Signature::MinHash(MinHashSig([1, 2, 3, 9].into()))),
            Some(Signature::MinHash(MinHashSig([1, 8, 8, 9].into()))),
        ];
        let c = [Candidate { a: DocId(0), b: DocId(1) }, Candidate { a: DocId(0), b: DocId(2) }];
        let sigs = Signatures::of(sigs.iter().map(Option::as_ref));
        let e = edges(&c, Similarity::Estimated(&sigs), 0.7);
        assert_eq!(e, vec![Edge { a: DocId(0), b: DocId(1), similarity: 0.75 }]);
    }
}
