//! One-permutation MinHash with optimal densification.
//!
//! Classic MinHash hashes every shingle `k` times. One-permutation hashing
//! (Li, Owen & Zhang 2012) hashes it once: the hash picks one of `k` bins and
//! the bin keeps its smallest value. Bins that no shingle reached are then
//! filled by *optimal densification* (Shrivastava 2017): empty bin `i` probes
//! bins in the order of its own seeded hash sequence until it meets one that
//! was filled, and copies that value. Two documents use the same probe
//! sequences, so a lane agrees with probability equal to the Jaccard
//! similarity, as in classic MinHash, at a cost of one hash per shingle plus
//! `O(k)` per document.
//!
//! The lanes have the same type and meaning as [`MinHashSig`]: banding and
//! estimation do not know which hasher made them. The estimator's error is
//! checked against exact Jaccard in `tests/properties.rs`.

use super::MinHashSig;

/// Computes one-permutation MinHash signatures of `k` lanes.
#[derive(Clone, Debug)]
pub struct OnePermHasher {
    k: usize,
    seed: u64,
}

/// splitmix64's finalizer: a fast bijective mixer of 64-bit values.
#[inline]
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Maps a 32-bit value uniformly onto `0..k` without a division (Lemire).
#[inline]
fn reduce(x: u32, k: usize) -> usize {
    ((x as u64 * k as u64) >> 32) as usize
}

const EMPTY: u64 = u64::MAX;

/// The odd multiplier of [`OnePermHasher::insert`] (2⁶⁴ / φ).
const SPREAD: u64 = 0x9E37_79B9_7F4A_7C15;

impl OnePermHasher {
    /// A hasher with `k` lanes whose bins and probe sequences derive from
    /// `seed`.
    pub fn new(k: usize, seed: u64) -> OnePermHasher {
        assert!(k > 0, "num_perm must be positive");
        OnePermHasher { k, seed: mix(seed ^ 0x6A09_E667_F3BC_C909) }
    }

    /// Number of lanes.
    pub fn num_perm(&self) -> usize {
        self.k
    }

    /// Signs a sequence of shingle hashes (duplicates are harmless); `None`
    /// for an empty sequence.
    pub fn sign(&self, shingles: &[u64]) -> Option<MinHashSig> {
        let mut bins = Vec::new();
        self.sign_into(shingles, &mut bins).then(|| self.lanes(&bins))
    }

    /// Signs into `bins` (resized to `k`); returns false for an empty
    /// sequence. The allocation-free core of [`OnePermHasher::sign`].
    pub fn sign_into(&self, shingles: &[u64], bins: &mut Vec<u64>) -> bool {
        self.clear(bins);
        for &h in shingles {
            self.insert(bins, h);
        }
        self.finish(bins)
    }

    /// Makes `bins` the `k` empty bins of a new document, to be filled by
    /// [`OnePermHasher::insert`] and closed by [`OnePermHasher::finish`]:
    /// the streaming form of [`OnePermHasher::sign_into`], for shingles that
    /// are hashed as they are made and never stored.
    pub fn clear(&self, bins: &mut Vec<u64>) {
        bins.clear();
        bins.resize(self.k, EMPTY);
    }

    /// Puts one shingle hash into `bins`.
    ///
    /// One multiply, not a full finalizer such as `mix`: shingle hashes
    /// are already uniform 64-bit values (xxh3, or a polynomial of mixed
    /// word hashes), so all that is needed is a seeded bijection whose high
    /// half (the bin) depends on every bit. The low half (the value) is then
    /// a bijection of the hash's low half, independent of its high half. The
    /// finalizer's serial chain of shifts and multiplies before each bin's
    /// store cost 9% of `sada sign` (`scripts/bench/compare-builds.py --runs 31`);
    /// the estimator's error is unchanged (`tests/properties.rs`).
    #[inline]
    pub fn insert(&self, bins: &mut [u64], h: u64) {
        let x = (h ^ self.seed).wrapping_mul(SPREAD);
        let bin = reduce((x >> 32) as u32, self.k);
        // Always stored, never branched on: with a few shingles per bin,
        // whether a value is a new minimum is a coin flip, and the branch
        // mispredicted on ~40% of shingles (callgrind --branch-sim).
        let slot = &mut bins[bin];
        *slot = (*slot).min(x & 0xFFFF_FFFF);
    }

    /// Densifies `bins`; false if no shingle was inserted (every bin empty:
    /// an inserted value always fits in 32 bits).
    pub fn finish(&self, bins: &mut [u64]) -> bool {
        if bins.iter().all(|&b| b == EMPTY) {
            return false;
        }
        self.densify(bins);
        true
    }

    /// The signature held by finished `bins`.
    pub fn lanes(&self, bins: &[u64]) -> MinHashSig {
        MinHashSig(bins.iter().map(|&v| v as u32).collect())
    }

    /// Fills every empty bin from the first filled bin of its probe sequence.
    /// Copies are marked by bit 32 so a copied value is never probed again:
    /// probes must see the sketch as it was before densification.
    fn densify(&self, bins: &mut [u64]) {
        const COPIED: u64 = 1 << 32;
        for i in 0..bins.len() {
            if bins[i] != EMPTY {
                continue;
            }
            let base = self.seed ^ ((i as u64) << 32);
            let mut attempt = 0u64;
            loop {
                attempt += 1;
                let j = reduce(mix(base ^ attempt) as u32, bins.len());
                let v = bins[j];
                if v != EMPTY && v & COPIED == 0 {
                    bins[i] = v | COPIED;
                    break;
                }
            }
        }
        for v in bins.iter_mut() {
            *v &= 0xFFFF_FFFF;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(range: std::ops::Range<u64>) -> Vec<u64> {
        range.map(|x| mix(x.wrapping_add(12345))).collect()
    }

    #[test]
    fn identical_sets_agree_on_every_lane() {
        let h = OnePermHasher::new(128, 7);
        let a = h.sign(&set(0..300)).unwrap();
        let mut rev = set(0..300);
        rev.reverse();
        assert_eq!(a, h.sign(&rev).unwrap());
    }

    #[test]
    fn a_single_shingle_fills_every_lane() {
        let h = OnePermHasher::new(64, 1);
        let s = h.sign(&[42]).unwrap();
        assert!(s.0.iter().all(|&v| v == s.0[0]));
    }

    #[test]
    fn estimate_tracks_jaccard() {
        let h = OnePermHasher::new(256, 3);
        // |A ∩ B| = 600, |A ∪ B| = 1000: J = 0.6.
        let a = h.sign(&set(0..800)).unwrap();
        let b = h.sign(&set(200..1000)).unwrap();
        let est = a.jaccard(&b);
        assert!((est - 0.6).abs() < 0.12, "{est}");
        let c = h.sign(&set(5000..5800)).unwrap();
        assert!(a.jaccard(&c) < 0.05);
    }

    #[test]
    fn empty_input_has_no_signature() {
        assert!(OnePermHasher::new(8, 0).sign(&[]).is_none());
    }
}
