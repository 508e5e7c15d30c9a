//! Where a statement's text may be in a document that repeats itself.
//!
//! Grouping searches a document for copies of a statement's text around the
//! passages that brought the document in. A document in which pairwise
//! alignment saw a text again (a licence paragraph said forty times, a
//! footer on every page of a long file) may hold further copies anywhere,
//! aligned with other documents only. Scanning all of its passages for
//! every statement cost statements × document (man pages: 574M words
//! scanned for 11M words of text); instead its grams are sorted once
//! ([`DocGrams`]) and each statement looks its own grams up: the windows to
//! scan are around the places they are, and a text the document does not
//! hold costs a few lookups.

use super::align::gram_hash;
use crate::model::WordRange;

/// Words per probe gram: long enough that a gram common in a long document
/// is rarely a word sequence licence text repeats everywhere («of the»),
/// short enough that a copy with a word changed every few words still has
/// one. Measured on the seeds: the headline paraphrase of the Lavrov quote
/// (one word of eight changed) is found again by every gram, not by the
/// rarest of each three.
pub const PROBE_WORDS: usize = 4;

/// The [`PROBE_WORDS`]-gram hashes of a text, one per position.
pub fn grams(words: &[u32]) -> Vec<u64> {
    words.windows(PROBE_WORDS).map(gram_hash).collect()
}

/// The `k`-gram hashes of one document, sorted, with their positions.
#[derive(Clone, Debug, Default)]
pub struct DocGrams {
    /// `(top 32 bits of the gram hash, position)`, sorted. A truncated hash
    /// that collides only adds a window to scan; the scan itself compares
    /// words.
    grams: Vec<(u32, u32)>,
    /// Where each bucket of keys (their top `bucket_bits` bits) starts in
    /// `grams`, plus the end: a lookup is two loads and a short scan where
    /// a binary search of a long document took a dozen cache misses.
    buckets: Vec<u32>,
    bucket_bits: u32,
    /// One bit per gram present, by the hash's low bits, about eight bits
    /// per gram: most of a text's grams are absent from most documents,
    /// and this turns them away without a binary search.
    filter: Vec<u64>,
    /// Words in the document.
    len: u32,
}

impl DocGrams {
    /// Sorts the [`PROBE_WORDS`]-grams of `words`.
    pub fn new(words: &[u32]) -> DocGrams {
        let hashes = grams(words);
        let mut filter = vec![0u64; (8 * hashes.len()).next_power_of_two().div_ceil(64)];
        let bits = filter.len() * 64 - 1;
        for &h in &hashes {
            let bit = h as usize & bits;
            filter[bit / 64] |= 1 << (bit % 64);
        }
        let mut grams: Vec<(u32, u32)> = hashes.iter().enumerate().map(|(i, &h)| (key(h), i as u32)).collect();
        grams.sort_unstable();
        let bucket_bits = grams.len().next_power_of_two().trailing_zeros().clamp(1, 32);
        let mut buckets = vec![0u32; (1usize << bucket_bits) + 1];
        for &(k, _) in &grams {
            buckets[bucket(k, bucket_bits) + 1] += 1;
        }
        for i in 1..buckets.len() {
            buckets[i] += buckets[i - 1];
        }
        DocGrams { grams, buckets, bucket_bits, filter, len: words.len() as u32 }
    }

    fn positions(&self, h: u64) -> &[(u32, u32)] {
        let bit = h as usize & (self.filter.len() * 64 - 1);
        if self.filter[bit / 64] & (1 << (bit % 64)) == 0 {
            return &[];
        }
        let h = key(h);
        let b = bucket(h, self.bucket_bits);
        let within = &self.grams[self.buckets[b] as usize..self.buckets[b + 1] as usize];
        let lo = within.partition_point(|x| x.0 < h);
        let n = within[lo..].partition_point(|x| x.0 == h);
        &within[lo..lo + n]
    }

    /// The windows of the document, sorted and disjoint, that may hold a
    /// copy of a text whose grams are `text` ([`grams`]) and whose length
    /// is `text_len` words: `margin` words on each side of where a copy
    /// through each gram the document holds would lie. Where those places
    /// are dense (a quarter of the document's words or more), the whole
    /// document: scanning it costs at most four times the windows, and the
    /// windows of a text repeated all over a document stay bounded.
    pub fn windows(&self, text: &[u64], text_len: usize, margin: usize) -> Vec<WordRange> {
        let found: Vec<(usize, &[(u32, u32)])> =
            text.iter().enumerate().map(|(i, &h)| (i, self.positions(h))).filter(|x| !x.1.is_empty()).collect();
        let hits: usize = found.iter().map(|x| x.1.len()).sum();
        if hits == 0 {
            return Vec::new();
        }
        if 4 * hits >= self.len as usize {
            return vec![WordRange::new(0, self.len)];
        }
        let mut around: Vec<WordRange> = found
            .iter()
            .flat_map(|&(i, at)| {
                at.iter().map(move |&(_, p)| {
                    let start = p as i64 - i as i64 - margin as i64;
                    let end = p as i64 - i as i64 + (text_len + margin) as i64;
                    WordRange::new(start.max(0) as u32, end.min(self.len as i64) as u32)
                })
            })
            .collect();
        around.sort_unstable();
        merge(around)
    }
}

/// Sorted windows merged where they touch or overlap.
pub fn merge(sorted: Vec<WordRange>) -> Vec<WordRange> {
    let mut out: Vec<WordRange> = Vec::with_capacity(sorted.len());
    for w in sorted {
        match out.last_mut() {
            Some(last) if w.start <= last.end => last.end = last.end.max(w.end),
            _ => out.push(w),
        }
    }
    out
}

fn key(h: u64) -> u32 {
    (h >> 32) as u32
}

/// The bucket of a key: its top `bits` bits.
fn bucket(key: u32, bits: u32) -> usize {
    (key as u64 >> (32 - bits)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(range: std::ops::Range<u32>) -> Vec<u32> {
        range.collect()
    }

    #[test]
    fn every_copy_of_the_text_is_inside_a_window() {
        // A 20-word text at 100, 500 (one word changed) and 2,000 of a
        // 10,000-word document, with unrelated words elsewhere.
        let text = words(1_000_000..1_000_020);
        let mut doc = words(0..10_000);
        doc[100..120].copy_from_slice(&text);
        doc[500..520].copy_from_slice(&text);
        doc[510] = 7;
        doc[2000..2020].copy_from_slice(&text);
        let doc_grams = DocGrams::new(&doc);
        let text_grams = grams(&text);
        let windows = doc_grams.windows(&text_grams, text.len(), 8);
        for at in [100u32, 500, 2000] {
            assert!(windows.iter().any(|w| w.start <= at && at + 20 <= w.end), "{at} not in {windows:?}");
        }
        let scanned: u32 = windows.iter().map(|w| w.len()).sum();
        assert!(scanned <= 3 * (20 + 2 * 8), "scanned {scanned} words: {windows:?}");
    }

    #[test]
    fn a_text_the_document_lacks_gives_no_window() {
        let doc = words(0..5_000);
        let doc_grams = DocGrams::new(&doc);
        let text_grams = grams(&words(9_000..9_030));
        assert_eq!(doc_grams.windows(&text_grams, 30, 8), Vec::new());
    }

    #[test]
    fn a_text_everywhere_gives_the_whole_document() {
        let text = words(50..60);
        let doc: Vec<u32> = text.iter().copied().cycle().take(4_000).collect();
        let doc_grams = DocGrams::new(&doc);
        let text_grams = grams(&text);
        assert_eq!(doc_grams.windows(&text_grams, 10, 8), vec![WordRange::new(0, 4_000)]);
    }

    #[test]
    fn merge_joins_overlapping_and_touching_windows() {
        let w = |(s, e)| WordRange::new(s, e);
        let got = merge([(0, 5), (5, 9), (8, 12), (20, 30), (21, 22)].map(w).to_vec());
        assert_eq!(got, [(0, 12), (20, 30)].map(w));
    }
}
