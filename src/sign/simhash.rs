//! 64-bit SimHash (Charikar) over shingle hashes.
//!
//! Each bit is the majority vote of that bit over the document's shingles.
//! Two documents' bits differ with probability θ/π, θ the angle between their
//! shingle-count vectors. [`SimHash::jaccard`] turns the Hamming distance into
//! a Jaccard estimate assuming sets of similar size, for which
//! cos θ = 2J / (1 + J); this keeps `--threshold` meaning the same under both
//! methods.

/// A 64-bit SimHash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct SimHash(pub u64);

impl SimHash {
    /// SimHash of a sequence of shingle hashes; `None` when empty.
    pub fn of(shingles: &[u64]) -> Option<SimHash> {
        if shingles.is_empty() {
            return None;
        }
        let mut votes = [0i32; 64];
        for &h in shingles {
            for (bit, v) in votes.iter_mut().enumerate() {
                *v += (((h >> bit) & 1) as i32) * 2 - 1;
            }
        }
        let mut out = 0u64;
        for (bit, &v) in votes.iter().enumerate() {
            if v > 0 {
                out |= 1 << bit;
            }
        }
        Some(SimHash(out))
    }

    /// Number of differing bits.
    pub fn hamming(self, other: SimHash) -> u32 {
        (self.0 ^ other.0).count_ones()
    }

    /// Estimated Jaccard similarity from the Hamming distance.
    pub fn jaccard(self, other: SimHash) -> f64 {
        jaccard_from_hamming(self.hamming(other))
    }
}

/// Jaccard estimate for a Hamming distance `h` between 64-bit SimHashes.
pub fn jaccard_from_hamming(h: u32) -> f64 {
    let cos = (std::f64::consts::PI * h as f64 / 64.0).cos();
    if cos <= 0.0 { 0.0 } else { cos / (2.0 - cos) }
}

/// The Hamming distance whose estimate [`jaccard_from_hamming`] gave `j`
/// (`None` for 0, which every distance from 32 on gives).
pub fn hamming_from_jaccard(j: f64) -> Option<u32> {
    (j > 0.0).then(|| (0..=64).find(|&h| jaccard_from_hamming(h) <= j).unwrap_or(64))
}

/// The largest Hamming distance whose Jaccard estimate is still ≥ `threshold`.
pub fn max_hamming(threshold: f64) -> u32 {
    (0..=64).take_while(|&h| jaccard_from_hamming(h) >= threshold).last().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hamming_is_recovered_from_its_estimate() {
        for h in 0..32 {
            assert_eq!(hamming_from_jaccard(jaccard_from_hamming(h)), Some(h));
        }
        assert_eq!(hamming_from_jaccard(0.0), None);
    }

    #[test]
    fn identical_inputs_have_distance_zero() {
        let a = SimHash::of(&[5, 6, 7]).unwrap();
        assert_eq!(a.hamming(SimHash::of(&[7, 6, 5]).unwrap()), 0);
        assert_eq!(a.jaccard(a), 1.0);
    }

    #[test]
    fn estimate_decreases_with_distance() {
        assert!(jaccard_from_hamming(5) > jaccard_from_hamming(10));
        assert_eq!(jaccard_from_hamming(40), 0.0);
    }

    #[test]
    fn max_hamming_is_consistent_with_the_estimate() {
        let h = max_hamming(0.8);
        assert!(jaccard_from_hamming(h) >= 0.8);
        assert!(jaccard_from_hamming(h + 1) < 0.8);
    }
}
