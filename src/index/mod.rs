//! Stage 5, **index**: signatures → band keys → candidate pairs.
//!
//! Every signature is cut into bands; each band becomes one `u64` key (the
//! band number is mixed in, so keys of different bands never meet). All
//! `(key, doc)` entries are sorted together and equal keys grouped: documents
//! sharing a key are candidates. Sorting instead of a hash map keeps the
//! result deterministic and is what a distributed run does too (exchange by
//! key, then group).

pub mod params;

use std::io;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::model::DocId;
use crate::sign::{Signature, simhash};
use crate::spill::runs::Sorter;
use crate::spill::store::Signatures;

/// How signatures are cut into bands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "scheme", rename_all = "lowercase")]
pub enum Banding {
    /// MinHash: `bands` bands of `rows` lanes each.
    Minhash {
        /// Number of bands.
        bands: usize,
        /// Lanes per band.
        rows: usize,
    },
    /// SimHash: the 64 bits cut into `bands` contiguous chunks. With
    /// `bands = d + 1`, two hashes at Hamming distance ≤ d agree on at least
    /// one chunk (pigeonhole), so no pair within the threshold is missed.
    Simhash {
        /// Number of bit chunks.
        bands: usize,
    },
}

impl Banding {
    /// The banding for a SimHash threshold: one chunk more than the largest
    /// Hamming distance that still meets `threshold`.
    pub fn for_simhash(threshold: f64) -> Banding {
        Banding::Simhash { bands: (simhash::max_hamming(threshold) as usize + 1).min(64) }
    }

    /// Number of bands.
    pub fn bands(&self) -> usize {
        match self {
            Banding::Minhash { bands, .. } | Banding::Simhash { bands } => *bands,
        }
    }

    /// The bucket key of `sig` in `band`: a hash of the band's lanes (MinHash)
    /// or bits (SimHash), seeded by the band number so that equal lanes in
    /// different bands never share a bucket.
    ///
    /// # Panics
    /// If the scheme does not match the signature's method.
    pub fn key(&self, sig: &Signature, band: usize) -> u64 {
        self.key_of_lanes(&sig.lanes(), band)
    }

    /// [`Banding::key`] of a signature stored as lanes (see
    /// [`crate::spill::store::Signatures`]), without building it.
    pub fn key_of_lanes(&self, lanes: &[u32], band: usize) -> u64 {
        match self {
            Banding::Minhash { rows, .. } => {
                let lanes = &lanes[band * rows..(band + 1) * rows];
                let mut bytes = [0u8; 4 * 64];
                if lanes.len() <= 64 {
                    for (i, l) in lanes.iter().enumerate() {
                        bytes[4 * i..4 * i + 4].copy_from_slice(&l.to_le_bytes());
                    }
                    xxh3_64_with_seed(&bytes[..4 * lanes.len()], band as u64)
                } else {
                    let v: Vec<u8> = lanes.iter().flat_map(|l| l.to_le_bytes()).collect();
                    xxh3_64_with_seed(&v, band as u64)
                }
            }
            Banding::Simhash { bands } => {
                let [lo_half, hi_half] = lanes else { panic!("banding scheme does not match the signature method") };
                let bits = *lo_half as u64 | (*hi_half as u64) << 32;
                let lo = band * 64 / bands;
                let hi = (band + 1) * 64 / bands;
                let width = hi - lo;
                let mask = if width == 64 { u64::MAX } else { (1u64 << width) - 1 };
                xxh3_64_with_seed(&((bits >> lo) & mask).to_le_bytes(), band as u64)
            }
        }
    }
}

/// A pair of documents that share a band key, `a < b`.
///
/// The serde derives carry it between the processes of a cluster run and into
/// `--resume` checkpoints, in bincode: a format that does not describe
/// itself, so no field may be skipped when serializing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Candidate {
    /// The earlier document.
    pub a: DocId,
    /// The later document.
    pub b: DocId,
}

/// Buckets up to this size pair every member with every other. Larger buckets
/// (thousands of near-identical pages) would make `m²/2` pairs; there each
/// member is paired with the next [`WINDOW`] members in document order
/// instead, which keeps the bucket connected for clustering (the cluster stage
/// compares members with their representative directly) at `m · WINDOW` cost.
pub const FULL_BUCKET: usize = 128;
/// See [`FULL_BUCKET`].
pub const WINDOW: usize = 8;

/// Candidate pairs among `sigs` (documents without a signature take no part),
/// sorted and without repeats. In memory; see [`candidates_in`] for the
/// pipeline's bounded-memory form.
pub fn candidates(sigs: &[(DocId, &Signature)], banding: &Banding) -> Vec<Candidate> {
    candidates_by(
        banding.bands(),
        |band, sorter| sorter.extend(sigs.iter().map(|&(id, sig)| (banding.key(sig, band), id.0))),
        usize::MAX,
        None,
    )
    .expect("an in-memory sort does not write")
}

/// Candidate pairs among the documents `d` of `sigs` with `rep[d]` (sorted,
/// without repeats), in bounded memory: one band at a time, its bucket keys
/// sorted by a [`Sorter`] of `budget` bytes that spills sorted runs to `dir`
/// past it. Returns the pairs and the bytes spilled.
///
/// # Errors
/// Writing or reading a run (or the spilled signatures) failed.
pub fn candidates_in(
    sigs: &Signatures,
    rep: &[bool],
    banding: &Banding,
    budget: usize,
    dir: Option<&Path>,
) -> io::Result<(Vec<Candidate>, u64)> {
    let mut spilled = 0;
    let pairs = candidates_by(
        banding.bands(),
        |band, sorter| {
            let mut result = Ok(());
            sigs.store().par_map_blocks(
                |_: &mut (), d, lanes, out| {
                    if rep[d.index()] && !lanes.is_empty() {
                        out.push((banding.key_of_lanes(lanes, band), d.0));
                    }
                },
                |keys| {
                    if result.is_ok() {
                        result = sorter.extend(keys);
                    }
                },
            );
            spilled += sorter.spilled_bytes();
            result
        },
        budget,
        dir,
    )?;
    sigs.store().check()?;
    Ok((pairs, spilled))
}

/// The band loop behind [`candidates`] and [`candidates_in`]: `fill(band,
/// sorter)` adds every document's `(key, doc)` for the band.
fn candidates_by(
    bands: usize,
    mut fill: impl FnMut(usize, &mut Sorter) -> io::Result<()>,
    budget: usize,
    dir: Option<&Path>,
) -> io::Result<Vec<Candidate>> {
    let mut pairs: Vec<Candidate> = Vec::new();
    for band in 0..bands {
        let mut sorter = Sorter::new(budget, dir);
        fill(band, &mut sorter)?;
        sorter.for_each_group(|g| {
            if g.len() > 1 {
                pairs_of_bucket(g, &mut pairs);
            }
        })?;
        pairs.par_sort_unstable();
        pairs.dedup();
    }
    Ok(pairs)
}

/// Candidate pairs of `(key, doc)` entries from any number of bands (band
/// keys never collide across bands): sorts them and pairs the documents of
/// every bucket as [`candidates`] does. Sorted, without repeats.
pub fn bucket_pairs(entries: &mut [(u64, u32)]) -> Vec<Candidate> {
    entries.par_sort_unstable();
    let mut pairs = Vec::new();
    for g in entries.chunk_by(|x, y| x.0 == y.0).filter(|g| g.len() > 1) {
        pairs_of_bucket(g, &mut pairs);
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// The candidate pairs of one bucket (`(key, doc)` entries of one key,
/// sorted by document): all with all up to [`FULL_BUCKET`], else each with
/// the next [`WINDOW`].
pub(crate) fn pairs_of_bucket(g: &[(u64, u32)], out: &mut Vec<Candidate>) {
    let reach = if g.len() <= FULL_BUCKET { g.len() } else { WINDOW + 1 };
    for (i, &(_, a)) in g.iter().enumerate() {
        for &(_, b) in &g[i + 1..(i + reach).min(g.len())] {
            if a != b {
                out.push(Candidate { a: DocId(a), b: DocId(b) });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::{MinHashSig, SimHash};

    fn mh(lanes: &[u32]) -> Signature {
        Signature::MinHash(MinHashSig(lanes.into()))
    }

    #[test]
    fn documents_sharing_a_band_are_candidates() {
        let sigs = [mh(&[1, 2, 3, 4]), mh(&[1, 2, 9, 9]), mh(&[7, 7, 7, 7])];
        let refs: Vec<_> = sigs.iter().enumerate().map(|(i, s)| (DocId(i as u32), s)).collect();
        let c = candidates(&refs, &Banding::Minhash { bands: 2, rows: 2 });
        assert_eq!(c, vec![Candidate { a: DocId(0), b: DocId(1) }]);
    }

    #[test]
    fn same_lanes_in_different_bands_do_not_collide() {
        let sigs = [mh(&[1, 2, 3, 4]), mh(&[3, 4, 1, 2])];
        let refs: Vec<_> = sigs.iter().enumerate().map(|(i, s)| (DocId(i as u32), s)).collect();
        assert!(candidates(&refs, &Banding::Minhash { bands: 2, rows: 2 }).is_empty());
    }

    #[test]
    fn simhash_pigeonhole_finds_close_hashes() {
        let a = Signature::SimHash(SimHash(0));
        let b = Signature::SimHash(SimHash(0b1011)); // distance 3
        let refs = [(DocId(0), &a), (DocId(1), &b)];
        assert_eq!(candidates(&refs, &Banding::Simhash { bands: 4 }).len(), 1);
    }

    #[test]
    fn big_buckets_stay_connected_with_bounded_pairs() {
        let sigs: Vec<_> = (0..1000).map(|_| mh(&[5, 5])).collect();
        let refs: Vec<_> = sigs.iter().enumerate().map(|(i, s)| (DocId(i as u32), s)).collect();
        let c = candidates(&refs, &Banding::Minhash { bands: 1, rows: 2 });
        assert!(c.len() <= 1000 * WINDOW);
        assert!(c.iter().all(|p| p.b.0 - p.a.0 <= WINDOW as u32));
        assert!((0..999).all(|i| c.contains(&Candidate { a: DocId(i), b: DocId(i + 1) })));
    }
}
