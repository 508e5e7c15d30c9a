//! Stage 8a, **fingerprint**: a document's word hashes → winnowed anchors.
//!
//! An anchor is the hash of `k` consecutive words. Winnowing (Schleimer,
//! Wilkerson & Aiken 2003) keeps, in every window of `w` consecutive anchors,
//! the smallest one; so any run of at least `w + k − 1` words shared by two
//! documents yields at least one anchor common to both, while only about
//! `2 / (w + 1)` of all positions are stored.

use xxhash_rust::xxh3::xxh3_64;

/// A selected anchor: its hash and the word position where it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Anchor {
    /// Hash of the `k` words.
    pub hash: u64,
    /// Position of the first word.
    pub pos: u32,
}

/// Hash of the `k` words starting at each position: `out[i]` covers
/// `words[i..i + k]`. Empty if there are fewer than `k` words.
pub fn kgram_hashes(words: &[u32], k: usize, out: &mut Vec<u64>) {
    out.clear();
    if words.len() < k {
        return;
    }
    let mut buf = [0u8; 4 * 16];
    for w in words.windows(k) {
        for (j, x) in w.iter().enumerate() {
            buf[4 * j..4 * j + 4].copy_from_slice(&x.to_le_bytes());
        }
        out.push(xxh3_64(&buf[..4 * k]));
    }
}

/// Winnows the `k`-gram hashes of `words` with window `w`, appending the
/// selected anchors (in position order, no repeats) to `out`.
///
/// Ties take the rightmost minimum, as in the paper, so that a window sliding
/// over a run of equal hashes does not select every position. The hashes are
/// made [`CHUNK`] windows at a time in `scratch` (each chunk with the `w − 1`
/// hashes its last windows reach into the next): a 200 MB document does not
/// hold 8 bytes per word of them at once, and the anchors are the same.
pub fn winnow(words: &[u32], k: usize, w: usize, scratch: &mut Vec<u64>, out: &mut Vec<Anchor>) {
    assert!((1..=16).contains(&k) && w >= 1);
    if words.len() < k {
        return;
    }
    let grams = words.len() + 1 - k;
    if grams <= w {
        // Shorter than a window: its minimum is the one anchor.
        kgram_hashes(words, k, scratch);
        let (pos, &hash) = scratch.iter().enumerate().rev().min_by_key(|x| *x.1).expect("non-empty");
        out.push(Anchor { hash, pos: pos as u32 });
        return;
    }
    let windows = grams + 1 - w;
    let mut last: Option<usize> = None;
    let mut first = 0;
    while first < windows {
        let end = (first + CHUNK).min(windows);
        // The hashes of grams `first..end + w − 1`.
        kgram_hashes(&words[first..end + w - 1 + k - 1], k, scratch);
        // Positions within the chunk: `h[s]` is gram `first + s`.
        let h = &scratch[..];
        for start in 0..end - first {
            let mut m = start;
            for i in start + 1..start + w {
                if h[i] <= h[m] {
                    m = i;
                }
            }
            let at = first + m;
            if last != Some(at) {
                out.push(Anchor { hash: h[m], pos: at as u32 });
                last = Some(at);
            }
        }
        first = end;
    }
}

/// Windows whose hashes [`winnow`] makes at once.
pub const CHUNK: usize = 1 << 16;

#[cfg(test)]
mod tests {
    use super::*;

    fn anchors(words: &[u32], k: usize, w: usize) -> Vec<Anchor> {
        let mut out = Vec::new();
        winnow(words, k, w, &mut Vec::new(), &mut out);
        out
    }

    #[test]
    fn shared_runs_of_w_plus_k_minus_1_words_share_an_anchor() {
        let shared: Vec<u32> = (100..106).collect(); // 6 words = w + k - 1 for k=4, w=3
        for prefix in 0..5u32 {
            let a: Vec<u32> = (0..prefix).chain(shared.iter().copied()).chain(500..510).collect();
            let b: Vec<u32> = (900..907).chain(shared.iter().copied()).chain(700..703).collect();
            let ha: Vec<u64> = anchors(&a, 4, 3).iter().map(|x| x.hash).collect();
            assert!(anchors(&b, 4, 3).iter().any(|x| ha.contains(&x.hash)), "prefix {prefix}");
        }
    }

    #[test]
    fn positions_increase_and_density_is_about_two_over_w_plus_one() {
        let words: Vec<u32> = (0..2000).map(|i: u32| i.wrapping_mul(2_654_435_761)).collect();
        let got = anchors(&words, 4, 3);
        assert!(got.windows(2).all(|p| p[0].pos < p[1].pos));
        let density = got.len() as f64 / words.len() as f64;
        assert!((0.4..0.6).contains(&density), "{density}");
    }

    /// The one-piece winnowing the chunks must agree with.
    fn whole(words: &[u32], k: usize, w: usize) -> Vec<Anchor> {
        let mut h = Vec::new();
        kgram_hashes(words, k, &mut h);
        let mut out: Vec<Anchor> = Vec::new();
        if h.is_empty() {
            return out;
        }
        if h.len() <= w {
            let (pos, &hash) = h.iter().enumerate().rev().min_by_key(|x| *x.1).expect("non-empty");
            return vec![Anchor { hash, pos: pos as u32 }];
        }
        for start in 0..=h.len() - w {
            let m = (start..start + w).rev().min_by_key(|&i| h[i]).expect("a window");
            if out.last().is_none_or(|a| a.pos != m as u32) {
                out.push(Anchor { hash: h[m], pos: m as u32 });
            }
        }
        out
    }

    #[test]
    fn chunks_winnow_as_one_piece() {
        // Around the chunk edges, with runs of equal words (ties) too.
        for len in [CHUNK - 3, CHUNK + 6, 2 * CHUNK + 11, 3 * CHUNK] {
            let words: Vec<u32> =
                (0..len as u32).map(|i| if i % 97 < 20 { 5 } else { i.wrapping_mul(2_654_435_761) }).collect();
            for (k, w) in [(1, 1), (4, 3), (5, 8), (3, 30)] {
                assert_eq!(anchors(&words, k, w), whole(&words, k, w), "{len} words, k {k}, w {w}");
            }
        }
    }

    #[test]
    fn short_documents_get_one_anchor() {
        assert_eq!(anchors(&[1, 2, 3, 4], 4, 3).len(), 1);
        assert!(anchors(&[1, 2, 3], 4, 3).is_empty());
    }
}
