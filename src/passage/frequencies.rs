//! Document frequencies of anchors, looked up by hash.
//!
//! The statement stage asks for the frequency of every 4-gram of every
//! statement (`Matches::is_formula`): on a crawl of a million documents the
//! table holds millions of anchors, and a binary search of it is some twenty
//! cache misses a gram. The hashes are uniform, so their top bits say where
//! in the sorted table a hash is: a bucket table on them leaves a search of
//! a handful of entries.

/// `(anchor hash, groups)` sorted by hash, with where each bucket of hashes
/// (by their top bits) starts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frequencies {
    sorted: Vec<(u64, u32)>,
    /// `starts[b]..starts[b + 1]`: the entries whose hash has top bits `b`.
    starts: Vec<u32>,
    bits: u32,
}

impl Frequencies {
    /// The table of `sorted` (sorted by hash, one entry per hash).
    pub fn new(sorted: Vec<(u64, u32)>) -> Frequencies {
        debug_assert!(sorted.windows(2).all(|w| w[0].0 < w[1].0), "sorted, one entry per hash");
        // About one entry per bucket.
        let bits = sorted.len().next_power_of_two().trailing_zeros().clamp(1, 32);
        let mut starts = vec![0u32; (1usize << bits) + 1];
        for &(h, _) in &sorted {
            starts[(h >> (64 - bits)) as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        Frequencies { sorted, starts, bits }
    }

    /// The groups anchor `hash` was found in, if it was found in two or more.
    pub fn get(&self, hash: u64) -> Option<u32> {
        if self.sorted.is_empty() {
            return None;
        }
        let b = (hash >> (64 - self.bits)) as usize;
        let within = &self.sorted[self.starts[b] as usize..self.starts[b + 1] as usize];
        within.binary_search_by_key(&hash, |x| x.0).ok().map(|i| within[i].1)
    }

    /// The entries, sorted by hash.
    pub fn as_slice(&self) -> &[(u64, u32)] {
        &self.sorted
    }

    /// Returns true if and only if no anchor is in the table.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_a_binary_search_finds() {
        let mut rng = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        for n in [0usize, 1, 2, 3, 100, 1000] {
            let mut sorted: Vec<(u64, u32)> = (0..n).map(|i| (next(), i as u32)).collect();
            // Hashes at the edges of the space and of buckets.
            sorted.extend([(0, 7), (u64::MAX, 8), (1 << 63, 9), ((1 << 63) - 1, 10)]);
            sorted.sort_unstable();
            sorted.dedup_by_key(|x| x.0);
            let table = Frequencies::new(sorted.clone());
            for &(h, g) in &sorted {
                assert_eq!(table.get(h), Some(g));
            }
            for _ in 0..1000 {
                let h = next();
                let want = sorted.binary_search_by_key(&h, |x| x.0).ok().map(|i| sorted[i].1);
                assert_eq!(table.get(h), want);
            }
        }
        assert_eq!(Frequencies::default().get(5), None);
    }
}
