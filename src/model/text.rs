//! Positions in a text: documents by number, byte spans, word ranges, words.

use serde::{Deserialize, Serialize};

/// Dense ordinal of a record in input order; indexes every per-document `Vec`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DocId(pub u32);

impl DocId {
    /// The index of this document in per-document vectors.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A half-open byte range `[start, end)` into a document's original text.
///
/// `&text[span]` is the passage as a reader sees it; both ends lie on char
/// boundaries. Offsets are `u32` because one record is never 4 GiB; that
/// halves the memory of token streams on large crawls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// Creates a span from byte offsets.
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end);
        Span { start: start as u32, end: end as u32 }
    }

    /// The range as `usize`s, for slicing.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// Returns true if and only if the span covers no bytes.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// A half-open range `[start, end)` of word positions in one document's token
/// stream: what alignment and grouping work on, before
/// [`crate::passage::locate::locate`] turns it into a [`Span`].
///
/// Two `u32`s like [`Span`], so an alignment stays as compact as the loose
/// pairs it replaces; orders by `start`, then `end`, as those pairs did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WordRange {
    /// First word of the range.
    pub start: u32,
    /// One past the last word of the range.
    pub end: u32,
}

impl WordRange {
    /// Creates a range from word positions.
    pub fn new(start: u32, end: u32) -> WordRange {
        debug_assert!(start <= end);
        WordRange { start, end }
    }

    /// The range as `usize`s, for slicing a document's words.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Length in words; a `u32` like the positions, since the counts it
    /// feeds (matched words, thresholds) are `u32`s too.
    pub fn len(self) -> u32 {
        self.end - self.start
    }

    /// Returns true if and only if the range covers no words.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// Returns true if and only if word `pos` is in the range.
    pub fn contains(self, pos: u32) -> bool {
        self.start <= pos && pos < self.end
    }

    /// Words the two ranges share.
    pub fn overlap(self, other: WordRange) -> u32 {
        self.end.min(other.end).saturating_sub(self.start.max(other.start))
    }

    /// Returns true if and only if the two ranges share a word.
    pub fn overlaps(self, other: WordRange) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// A word of the original text: the hash of its normalized form plus where it
/// stands in the original.
///
/// The normalized text itself is not kept: every later stage works on hashes,
/// and the report re-derives what it shows from the original through `span`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Hash of the normalized (folded) word: [`crate::normalize::hash_word`].
    pub hash: u64,
    /// Byte range of the word in the original text. Normalization never
    /// changes it.
    pub span: Span,
}
