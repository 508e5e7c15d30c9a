//! Stage 8c, **align**: two word sequences → the passages they share.
//!
//! # Algorithm
//!
//! 1. **Index.** One side (`a`: the longer document of a pair, or a
//!    statement's representative) is indexed once by its `k`-gram hashes
//!    ([`GramIndex`]) and reused against every sequence it meets.
//! 2. **Runs.** The other side (`b`) is scanned once, left to right. Each
//!    run of identical words is extended while the next `k`-gram continues
//!    its diagonal; new runs start only while fewer than [`MAX_ACTIVE`] runs
//!    are open, at the occurrences of the `k`-gram nearest the diagonal of the
//!    last seed. So a paragraph repeated fifty times in both documents opens a
//!    few runs per copy, not fifty: work and runs stay linear in `|b|`
//!    whatever the repetition inside either side.
//! 3. **Chains.** Runs are chained colinearly by dynamic programming: a run
//!    may follow another when it starts after it in both sequences with at
//!    most `max_gap` words between them on each side (substitutions, inserted
//!    or deleted words — «طلبات بغداد» against «طلبات العراق»). Overlapping
//!    runs (a repeated word across an insertion) are trimmed, not rejected.
//!    Runs are in `b` order and every predecessor lies within `max_gap` plus
//!    the longest run before it, so each run looks back a bounded distance.
//! 4. **Passages.** The best chains, taken greedily, are trimmed at both ends
//!    (matched words against skipped ones) and kept if both sides have at
//!    least `min_words` words and at least `min_identity` of the longer side
//!    is matched word for word. A pair of documents keeps only chains that
//!    share no word with a chain already kept, on either side
//!    ([`Mode::OneToOne`]): one shared passage is one detection. The copies
//!    of a statement in a document keep chains disjoint in the document only
//!    ([`Mode::Copies`]): a text quoted three times is three occurrences.
//!
//! A 300-word passage with one word in ten changed is one chain, hence one
//! passage: gaps are bounded, not the passage length.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::model::WordRange;

/// Alignment parameters.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct AlignConfig {
    /// Words of an exact seed between the two documents.
    pub seed_words: usize,
    /// Most words skipped on either side between two chained runs.
    pub max_gap: usize,
    /// Fewest words of a passage on each side.
    pub min_words: usize,
    /// Least fraction of the longer side's words matched exactly.
    pub min_identity: f64,
}

/// A passage shared by two word sequences: word ranges in each.
///
/// Serialized flat, as `a_start, a_end, b_start, b_end, matched` (`Flat`):
/// the shape it had before the ranges were [`WordRange`]s, so that nothing
/// that reads it (checkpoints, the cluster's wire, any JSON) sees a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(from = "Flat", into = "Flat")]
pub struct Alignment {
    /// Words of the first sequence.
    pub a: WordRange,
    /// Words of the second sequence.
    pub b: WordRange,
    /// Words matched exactly.
    pub matched: u32,
}

/// [`Alignment`] as serialized.
#[derive(Clone, Copy, serde::Serialize, serde::Deserialize)]
#[serde(rename = "Alignment")]
struct Flat {
    a_start: u32,
    a_end: u32,
    b_start: u32,
    b_end: u32,
    matched: u32,
}

impl From<Flat> for Alignment {
    fn from(f: Flat) -> Alignment {
        Alignment {
            a: WordRange { start: f.a_start, end: f.a_end },
            b: WordRange { start: f.b_start, end: f.b_end },
            matched: f.matched,
        }
    }
}

impl From<Alignment> for Flat {
    fn from(al: Alignment) -> Flat {
        Flat { a_start: al.a.start, a_end: al.a.end, b_start: al.b.start, b_end: al.b.end, matched: al.matched }
    }
}

impl Alignment {
    /// Matched words over the longer side's words: how close the two sides
    /// are (1.0 for identical text).
    pub fn identity(&self) -> f64 {
        let longer = self.a.len().max(self.b.len());
        if longer == 0 { 0.0 } else { f64::from(self.matched) / f64::from(longer) }
    }

    /// The same passage seen from the other sequence.
    pub fn swapped(self) -> Alignment {
        Alignment { a: self.b, b: self.a, matched: self.matched }
    }
}

/// Which chains an alignment keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Two documents: no word of either side in two passages.
    OneToOne,
    /// A statement's text against a document: every copy of it in the
    /// document, disjoint in the document; the text's words may match
    /// several copies.
    Copies {
        /// Each kept chain holds a run of at least this many words (the
        /// seeds are shorter: two-word runs bridge «طلبات بغداد» /
        /// «طلبات العراق» but never make a copy on their own).
        min_run: u32,
    },
}

/// `len` identical words at `a` in the indexed side and `b` in the other:
/// a diagonal, not a pair of ranges.
#[derive(Clone, Copy, Debug)]
struct Run {
    a: u32,
    b: u32,
    len: u32,
}

impl Run {
    /// The run's words of the indexed side, but for the first `trim` (the
    /// words it shares with the run before it in a chain).
    fn words_a(self, trim: u32) -> WordRange {
        WordRange::new(self.a + trim, self.a + self.len)
    }
}

/// Most runs open at once while scanning `b`; a new run starts only while
/// fewer are open. Four is enough for a quote that changes a word (the run
/// before and after it) next to a repeated phrase.
pub const MAX_ACTIVE: usize = 4;
/// Predecessors a run looks back at while chaining, at most.
const MAX_LOOKBACK: usize = 256;

/// The `k`-gram hashes of one word sequence, sorted for lookup, built once
/// and used against every sequence it is aligned with.
#[derive(Clone, Debug, Default)]
pub struct GramIndex {
    k: usize,
    /// `(hash, position)`, grouped by hash, each hash's positions in order.
    sorted: Vec<(u64, u32)>,
    /// The hash of the gram at each position.
    at: Vec<u64>,
    /// Open addressing by the hash's top bits: the index in `sorted` of the
    /// first entry of each distinct hash and their number (`start`
    /// [`EMPTY`] for none). A lookup is one or two probes where a binary
    /// search of a long document took a dozen mispredicted steps (three
    /// quarters of the align stage on man pages).
    table: Vec<(u32, u32)>,
    /// `64 − log2(table.len())`.
    shift: u32,
    /// One bit per hash of the grams present, by the hash's low bits, eight
    /// bits per gram: most grams of the scanned side are absent from the
    /// indexed one, and this small bitset (a tenth of the table, in L1 for
    /// a page of text) turns seven in eight of those lookups away without
    /// the cache miss into the table (a third of the align stage on man
    /// pages).
    filter: Vec<u64>,
    /// While building: the table slot of each position's hash.
    slot_of: Vec<u32>,
    /// While building: the next free entry of each slot's group.
    fill: Vec<u32>,
}

/// An empty slot of [`GramIndex::table`].
const EMPTY: u32 = u32::MAX;

impl GramIndex {
    /// Indexes the `k`-grams of `words`.
    pub fn new(words: &[u32], k: usize) -> GramIndex {
        let mut index = GramIndex::default();
        index.rebuild(words, k);
        index
    }

    /// Indexes `words` again, reusing the buffers.
    pub fn rebuild(&mut self, words: &[u32], k: usize) {
        assert!(k >= 1);
        self.k = k;
        self.at.clear();
        self.sorted.clear();
        self.table.clear();
        let n = words.len().saturating_sub(k - 1);
        // At most half full.
        let size = (2 * n).next_power_of_two().max(16);
        self.shift = 64 - size.trailing_zeros();
        self.table.resize(size, (EMPTY, 0));
        self.filter.clear();
        self.filter.resize((4 * size / 64).max(1), 0);
        if words.len() < k {
            return;
        }
        self.at.extend(words.windows(k).map(gram_hash));
        let bits = self.filter.len() * 64 - 1;
        for &h in &self.at {
            let bit = h as usize & bits;
            self.filter[bit / 64] |= 1 << (bit % 64);
        }
        // Grouped by hash in three linear passes (a counting sort through
        // the table), not sorted: a third of the index's cost was the sort,
        // and lookups only need each hash's positions together, in order.
        // 1. Each distinct hash gets a slot holding (first position, count).
        let mask = size - 1;
        self.slot_of.clear();
        for (j, &h) in self.at.iter().enumerate() {
            let mut slot = (h >> self.shift) as usize;
            loop {
                let (first, count) = self.table[slot];
                if first == EMPTY {
                    self.table[slot] = (j as u32, 1);
                    break;
                }
                if self.at[first as usize] == h {
                    self.table[slot].1 = count + 1;
                    break;
                }
                slot = (slot + 1) & mask;
            }
            self.slot_of.push(slot as u32);
        }
        // 2. The slots become (start in `sorted`, count).
        self.fill.clear();
        self.fill.resize(size, 0);
        let mut start = 0;
        for (slot, entry) in self.table.iter_mut().enumerate() {
            if entry.0 != EMPTY {
                *entry = (start, entry.1);
                self.fill[slot] = start;
                start += entry.1;
            }
        }
        // 3. Positions in order, each after those of its hash before it.
        self.sorted.resize(self.at.len(), (0, 0));
        for (j, (&h, &slot)) in self.at.iter().zip(&self.slot_of).enumerate() {
            let at = &mut self.fill[slot as usize];
            self.sorted[*at as usize] = (h, j as u32);
            *at += 1;
        }
    }

    /// For each gram that occurs again further on, the shift to its next
    /// occurrence: what [`crate::passage::statement`] reads a text's period
    /// from.
    pub fn repeat_shifts(&self) -> Vec<u32> {
        self.sorted.windows(2).filter(|w| w[0].0 == w[1].0).map(|w| w[1].1 - w[0].1).collect()
    }

    /// Positions of the gram `h`, sorted.
    fn positions(&self, h: u64) -> &[(u64, u32)] {
        let bit = h as usize & (self.filter.len() * 64 - 1);
        if self.filter[bit / 64] & (1 << (bit % 64)) == 0 {
            return &[];
        }
        let mask = self.table.len() - 1;
        let mut slot = (h >> self.shift) as usize;
        loop {
            let (i, n) = self.table[slot];
            if i == EMPTY {
                return &[];
            }
            let (i, n) = (i as usize, n as usize);
            if self.sorted[i].0 == h {
                return &self.sorted[i..i + n];
            }
            slot = (slot + 1) & mask;
        }
    }
}

/// Hash of `k` consecutive word hashes: multiply-add by position and a
/// finalizer (the words are already hashed; see `shingle::combine`).
#[inline]
pub(crate) fn gram_hash(w: &[u32]) -> u64 {
    let mut acc = 0u64;
    for (i, &x) in w.iter().enumerate() {
        acc = acc.wrapping_add((x as u64 | ((i as u64) << 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        acc = acc.rotate_left(23);
    }
    crate::sign::oph::mix(acc)
}

/// Reusable buffers of the alignment functions; keep one per thread.
#[derive(Debug, Default)]
pub struct Scratch {
    runs: Vec<Run>,
    active: Vec<(u32, usize)>,
    best: Vec<u32>,
    prev: Vec<u32>,
    trim: Vec<u32>,
    reach: Vec<u32>,
}

/// Runs of identical words between the indexed side and `b[window]`, in `b`
/// order, into `s.runs` (see the module doc, step 2).
fn runs(index: &GramIndex, b: &[u32], window: Range<usize>, s: &mut Scratch) {
    s.runs.clear();
    s.active.clear();
    let k = index.k;
    let end = window.end.min(b.len());
    if index.at.is_empty() || end < window.start + k {
        return;
    }
    // The diagonal (a − b) of the last seed: new runs start near it.
    let mut diagonal: i64 = 0;
    let mut next: Vec<(u32, usize)> = Vec::with_capacity(MAX_ACTIVE);
    for j in window.start..=end - k {
        let h = gram_hash(&b[j..j + k]);
        next.clear();
        for &(i, r) in &s.active {
            let i = i as usize + 1;
            if i < index.at.len() && index.at[i] == h {
                s.runs[r].len += 1;
                next.push((i as u32, r));
            }
        }
        if next.len() < MAX_ACTIVE {
            let found = index.positions(h);
            if !found.is_empty() {
                let target = (j as i64 + diagonal).max(0) as u32;
                let mid = found.partition_point(|x| x.1 < target);
                // Nearest first, alternating sides.
                let (mut lo, mut hi) = (mid, mid);
                while next.len() < MAX_ACTIVE && (lo > 0 || hi < found.len()) {
                    let take_hi = hi < found.len() && (lo == 0 || found[hi].1 - target <= target - found[lo - 1].1);
                    let i = if take_hi {
                        hi += 1;
                        found[hi - 1].1
                    } else {
                        lo -= 1;
                        found[lo].1
                    };
                    if next.iter().any(|&(x, _)| x == i) {
                        continue;
                    }
                    s.runs.push(Run { a: i, b: j as u32, len: k as u32 });
                    next.push((i, s.runs.len() - 1));
                }
            }
        }
        if let Some(&(i, _)) = next.first() {
            diagonal = i as i64 - j as i64;
        }
        std::mem::swap(&mut s.active, &mut next);
    }
}

/// The passages shared by `a` and `b` (one-to-one), sorted by their
/// position in `a`.
pub fn align(a: &[u32], b: &[u32], cfg: &AlignConfig) -> Vec<Alignment> {
    let index = GramIndex::new(a, cfg.seed_words);
    align_indexed(&index, b, 0..b.len(), cfg, Mode::OneToOne, &mut Scratch::default())
}

/// The passages of the indexed sequence (`a`) found in `b[window]`, kept by
/// `mode`, sorted by the starts of `(a, b)`. Ranges in `b` are in `b`'s
/// coordinates.
pub fn align_indexed(
    index: &GramIndex,
    b: &[u32],
    window: Range<usize>,
    cfg: &AlignConfig,
    mode: Mode,
    s: &mut Scratch,
) -> Vec<Alignment> {
    align_matched(index, b, window, cfg, mode, s).into_iter().filter(|k| !k.extra).map(|k| k.alignment).collect()
}

/// A passage kept by [`align_matched`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    /// Where it is in both sequences.
    pub alignment: Alignment,
    /// The words of the indexed side it matched exactly.
    pub matched: Matched,
    /// [`Mode::OneToOne`] only: a further copy, in one sequence, of text
    /// that a passage already kept covers in the other (a paragraph said
    /// twice in one document and once in the other). Not a detection of its
    /// own; it tells the statement stage where to look for copies.
    pub extra: bool,
}

/// Words of the indexed side matched word for word in a passage: its runs,
/// in order.
pub type Matched = Vec<WordRange>;

/// [`align_indexed`] with the words of the indexed side each passage
/// matched exactly.
pub fn align_matched(
    index: &GramIndex,
    b: &[u32],
    window: Range<usize>,
    cfg: &AlignConfig,
    mode: Mode,
    s: &mut Scratch,
) -> Vec<Kept> {
    runs(index, b, window, s);
    let runs = &s.runs;
    let n = runs.len();
    let gap = cfg.max_gap as u32;
    // best[r]: words matched by the best chain ending with run r; trim[r]:
    // words cut from r's start to follow prev[r] (NONE: no predecessor).
    const NONE: u32 = u32::MAX;
    s.best.clear();
    s.best.extend(runs.iter().map(|r| r.len));
    s.prev.clear();
    s.prev.resize(n, NONE);
    s.trim.clear();
    s.trim.resize(n, 0);
    // reach[p]: the furthest end in `b` of runs 0..=p. A run ending more
    // than `gap` words before `cur` starts cannot precede it, and once no
    // earlier run reaches that far the look back stops (runs are in `b`
    // order of their starts, not of their ends).
    s.reach.clear();
    s.reach.extend(runs.iter().scan(0u32, |far, q| {
        *far = (*far).max(q.b + q.len);
        Some(*far)
    }));
    for r in 0..n {
        let cur = runs[r];
        for p in (r.saturating_sub(MAX_LOOKBACK)..r).rev() {
            if s.reach[p] + gap < cur.b {
                break;
            }
            let q = runs[p];
            if q.a >= cur.a || q.b >= cur.b {
                continue;
            }
            let overlap = (q.a + q.len).saturating_sub(cur.a).max((q.b + q.len).saturating_sub(cur.b));
            if overlap >= cur.len {
                continue;
            }
            let ga = (cur.a + overlap).saturating_sub(q.a + q.len);
            let gb = (cur.b + overlap).saturating_sub(q.b + q.len);
            if ga > gap || gb > gap {
                continue;
            }
            let score = s.best[p] + cur.len - overlap;
            if score > s.best[r] {
                s.best[r] = score;
                s.prev[r] = p as u32;
                s.trim[r] = overlap;
            }
        }
    }
    // Chains, best first; each run belongs to at most one.
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_unstable_by_key(|&r| (std::cmp::Reverse(s.best[r as usize]), r));
    let mut used = vec![false; n];
    // Valid chains, best first: (alignment, longest run, matched runs).
    let mut valid: Vec<(Alignment, u32, Matched)> = Vec::new();
    let mut chain = Vec::new();
    for end in order {
        let end = end as usize;
        if used[end] {
            continue;
        }
        chain.clear();
        chain.push(end);
        let mut r = end;
        while s.prev[r] != NONE {
            let p = s.prev[r] as usize;
            if used[p] {
                break;
            }
            chain.push(p);
            r = p;
        }
        for &c in &chain {
            used[c] = true;
        }
        chain.reverse();
        let (al, longest_run, part) = trimmed(runs, &chain, &s.trim);
        let (la, lb) = (al.a.len(), al.b.len());
        if (la.min(lb) as usize) < cfg.min_words || (al.matched as f64) < cfg.min_identity * la.max(lb) as f64 {
            continue;
        }
        let part = &chain[part];
        let matched: Matched = std::iter::once(runs[part[0]].words_a(0))
            .chain(part[1..].iter().map(|&r| runs[r].words_a(s.trim[r])))
            .collect();
        valid.push((al, longest_run, matched));
    }
    let mut taken_a = Taken::default();
    let mut taken_b = Taken::default();
    let mut out = Vec::new();
    let mut rest = Vec::new();
    // Passages first (both sides free), then, in one-to-one mode, the further
    // copies among the chains left (one side free), so that a copy never
    // takes the place of a passage.
    for (al, longest_run, matched) in valid {
        let (free_a, free_b) = (!taken_a.overlaps(al.a), !taken_b.overlaps(al.b));
        let keep = match mode {
            Mode::OneToOne => free_a && free_b,
            Mode::Copies { min_run } => longest_run >= min_run && free_b,
        };
        if keep {
            taken_a.insert(al.a);
            taken_b.insert(al.b);
            out.push(Kept { alignment: al, matched, extra: false });
        } else if mode == Mode::OneToOne {
            rest.push((al, matched));
        }
    }
    for (al, matched) in rest {
        // Only a free side is taken: the kept ranges of a side stay disjoint.
        let (free_a, free_b) = (!taken_a.overlaps(al.a), !taken_b.overlaps(al.b));
        if free_a {
            taken_a.insert(al.a);
        }
        if free_b {
            taken_b.insert(al.b);
        }
        if free_a || free_b {
            out.push(Kept { alignment: al, matched, extra: true });
        }
    }
    out.sort_unstable_by_key(|x| (x.alignment.a.start, x.alignment.b.start));
    out
}

/// Disjoint word ranges already kept on one side: start → end.
#[derive(Default)]
struct Taken(BTreeMap<u32, u32>);

impl Taken {
    fn overlaps(&self, r: WordRange) -> bool {
        // The last range starting before `r.end` is the only one that can
        // reach into `r`: the kept ranges are disjoint.
        self.0.range(..r.end).next_back().is_some_and(|(_, &e)| e > r.start)
    }

    fn insert(&mut self, r: WordRange) {
        self.0.insert(r.start, r.end);
    }
}

/// The copies of `text` (a statement's representative words) in `doc`'s
/// words within `windows` (sorted, disjoint word ranges of `doc`), as
/// alignments with `a` in `text`'s coordinates and `b` in `doc`'s. Two-word
/// seeds, but every copy holds a run of `cfg.seed_words` words. Each copy
/// comes with the words of `text` it matched exactly.
pub fn copies(
    text: &GramIndex,
    doc: &[u32],
    windows: &[WordRange],
    cfg: &AlignConfig,
    s: &mut Scratch,
) -> Vec<(Alignment, Matched)> {
    let mode = Mode::Copies { min_run: cfg.seed_words as u32 };
    let mut out = Vec::new();
    for w in windows {
        out.extend(align_matched(text, doc, w.range(), cfg, mode, s).into_iter().map(|k| (k.alignment, k.matched)));
    }
    out.sort_unstable_by_key(|x| (x.0.b.start, x.0.a.start));
    out
}

/// Words of the seeds [`copies`] uses: two, so that a changed word every
/// third word still leaves runs to chain.
pub const COPY_SEED_WORDS: usize = 2;

/// Each word skipped inside a passage costs this many matched words when
/// deciding where the passage ends. See [`trimmed`]. Measured with
/// `scripts/eval/quality.sh`: 2.0 lost 3 points of recall on quotes with 10% of
/// their words changed for no gain in precision; 1.0 is the best plagdet.
const GAP_COST: f64 = 1.0;

/// The passage of a chain (runs in order), trimmed at both ends: the
/// contiguous part of the chain maximizing matched words minus
/// [`GAP_COST`] × skipped words (the larger side of each gap). A stock
/// phrase a few words before or after a quote («وزير الخارجية الروسي سيرغي
/// لافروف» … the quote) chains within `max_gap` but does not pay for the gap,
/// so it is left out; gaps inside a long passage are paid by the runs around
/// them. Also returns the longest run (trimmed) of the part kept, and the
/// part (indices into `chain`).
fn trimmed(runs: &[Run], chain: &[usize], trim: &[u32]) -> (Alignment, u32, std::ops::RangeInclusive<usize>) {
    // Kadane over the chain: element i gains its run's (trimmed) length and
    // pays the gap that precedes it.
    let (mut best, mut best_range) = (f64::MIN, (0, 0));
    let (mut cur, mut cur_start) = (0f64, 0usize);
    for (i, &r) in chain.iter().enumerate() {
        let (gain, gap) = if i == 0 {
            (runs[r].len, 0)
        } else {
            let (p, q) = (runs[chain[i - 1]], runs[r]);
            let t = trim[r];
            let gap = (q.a + t - (p.a + p.len)).max(q.b + t - (p.b + p.len));
            (q.len - t, gap)
        };
        let with_prev = cur + gain as f64 - GAP_COST * gap as f64;
        if i == 0 || gain as f64 > with_prev {
            cur = gain as f64;
            cur_start = i;
        } else {
            cur = with_prev;
        }
        if cur > best {
            best = cur;
            best_range = (cur_start, i);
        }
    }
    let (s, e) = best_range;
    let part = &chain[s..=e];
    let (first, last) = (runs[part[0]], runs[part[part.len() - 1]]);
    // The first run of the part loses nothing: its trim was against a run
    // now outside the passage.
    let lens = std::iter::once(first.len).chain(part[1..].iter().map(|&r| runs[r].len - trim[r]));
    let (matched, longest) = lens.fold((0, 0), |(m, l), x| (m + x, l.max(x)));
    let al = Alignment {
        a: WordRange::new(first.a, last.a + last.len),
        b: WordRange::new(first.b, last.b + last.len),
        matched,
    };
    (al, longest, s..=e)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFG: AlignConfig = AlignConfig { seed_words: 3, max_gap: 8, min_words: 8, min_identity: 0.6 };

    #[test]
    fn an_index_gives_every_position_of_a_gram_in_order() {
        // Few distinct words: grams repeat many times, and rebuilding
        // smaller and larger sequences reuses the buffers.
        let mut index = GramIndex::default();
        let mut x = 7u32;
        for len in [0usize, 2, 3, 40, 1000, 5] {
            let words: Vec<u32> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    (x >> 16) % 4
                })
                .collect();
            index.rebuild(&words, 3);
            for j in 0..len.saturating_sub(2) {
                let h = gram_hash(&words[j..j + 3]);
                let want: Vec<u32> =
                    (0..len - 2).filter(|&i| words[i..i + 3] == words[j..j + 3]).map(|i| i as u32).collect();
                let got: Vec<u32> = index.positions(h).iter().map(|x| x.1).collect();
                assert_eq!(got, want, "len {len}, gram at {j}");
            }
            assert!(index.positions(gram_hash(&[9, 9, 9])).is_empty());
        }
    }

    /// An alignment serializes as the five numbers it was before its ranges
    /// were [`WordRange`]s, under the same names.
    #[test]
    fn an_alignment_serializes_flat() {
        let al = Alignment { a: WordRange::new(1, 12), b: WordRange::new(2, 13), matched: 10 };
        let json = serde_json::to_string(&al).unwrap();
        assert_eq!(json, r#"{"a_start":1,"a_end":12,"b_start":2,"b_end":13,"matched":10}"#);
        assert_eq!(serde_json::from_str::<Alignment>(&json).unwrap(), al);
        // Checkpoints and the cluster's wire: the same bytes as the five
        // numbers.
        #[cfg(feature = "distributed")]
        assert_eq!(bincode::serialize(&al).unwrap(), bincode::serialize(&(1u32, 12u32, 2u32, 13u32, 10u32)).unwrap());
    }

    #[test]
    fn a_substituted_word_does_not_split_the_passage() {
        // 11 shared words with word 5 replaced, inside unrelated text.
        let mut a: Vec<u32> = (1000..1020).collect();
        let mut b: Vec<u32> = (2000..2007).collect();
        let passage: Vec<u32> = (1..=11).collect();
        a.extend(&passage);
        let mut p2 = passage.clone();
        p2[5] = 99;
        b.extend(&p2);
        a.extend(3000..3010);
        b.extend(4000..4003);
        let got = align(&a, &b, &CFG);
        assert_eq!(got, vec![Alignment { a: WordRange::new(20, 31), b: WordRange::new(7, 18), matched: 10 }]);
        // Indexing the other side finds the same passage.
        assert_eq!(align(&b, &a, &CFG), vec![got[0].swapped()]);
    }

    #[test]
    fn insertions_and_deletions_are_tolerated() {
        let a: Vec<u32> = (1..=30).collect();
        let mut b: Vec<u32> = (1..=10).collect();
        b.push(500); // inserted
        b.extend(11..=20);
        b.extend(22..=30); // 21 deleted
        let got = align(&a, &b, &CFG);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].a, got[0].b), (WordRange::new(0, 30), WordRange::new(0, 30)));
        assert_eq!(got[0].matched, 29);
    }

    #[test]
    fn long_passages_with_scattered_changes_are_one_passage() {
        let a: Vec<u32> = (0..300).collect();
        let b: Vec<u32> = (0..300).map(|i| if i % 10 == 5 { 10_000 + i } else { i }).collect();
        let got = align(&a, &b, &CFG);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].a.len(), 300);
    }

    #[test]
    fn a_stock_phrase_just_before_a_quote_is_trimmed_off() {
        // A 4-word formula, 5 different words, then a 12-word quote: the
        // formula chains (gap ≤ 8) but does not pay for its gap.
        let mut a: Vec<u32> = (1000..1010).collect();
        let mut b: Vec<u32> = (2000..2010).collect();
        a.extend([1, 2, 3, 4, 900, 901, 902, 903, 904]);
        b.extend([1, 2, 3, 4, 800, 801, 802, 803, 804]);
        a.extend(20..32);
        b.extend(20..32);
        let got = align(&a, &b, &CFG);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].a, WordRange::new(19, 31));
    }

    #[test]
    fn short_shared_phrases_are_not_passages() {
        let mut a: Vec<u32> = (1000..1020).collect();
        let mut b: Vec<u32> = (2000..2020).collect();
        a.splice(5..5, [1, 2, 3, 4, 5]);
        b.splice(9..9, [1, 2, 3, 4, 5]);
        assert!(align(&a, &b, &CFG).is_empty());
    }

    #[test]
    fn two_separate_passages_stay_separate() {
        let mut a: Vec<u32> = (1..=12).collect();
        a.extend(100..140);
        a.extend(50..62);
        let mut b: Vec<u32> = (50..62).collect();
        b.extend(200..230);
        b.extend(1..=12);
        let got = align(&a, &b, &CFG);
        assert_eq!(got.len(), 2, "{got:?}");
    }

    /// A paragraph repeated in both documents, with unique text between the
    /// copies: each copy of the smaller count is matched once, and no word is
    /// in two passages.
    #[test]
    fn repeated_paragraphs_are_matched_one_to_one() {
        let para: Vec<u32> = (1..=20).collect();
        let mut a = Vec::new();
        let mut b = Vec::new();
        for c in 0..30u32 {
            a.extend(&para);
            a.extend(1000 + 10 * c..1000 + 10 * c + 10);
        }
        for c in 0..5u32 {
            b.extend(&para);
            b.extend(5000 + 10 * c..5000 + 10 * c + 10);
        }
        let got = align(&a, &b, &CFG);
        assert!(!got.is_empty() && got.len() <= 5, "{got:?}");
        for (i, x) in got.iter().enumerate() {
            for y in &got[i + 1..] {
                assert!(!x.a.overlaps(y.a) && !x.b.overlaps(y.b), "{x:?} {y:?}");
            }
        }
    }

    /// Copies: a text found three times in a document is three copies, and a
    /// variant with a word changed every third word still chains.
    #[test]
    fn copies_finds_every_copy_of_a_text() {
        let text: Vec<u32> = (1..=12).collect();
        let mut doc: Vec<u32> = (100..110).collect();
        doc.extend(&text);
        doc.extend(200..215);
        doc.extend(&text);
        doc.extend(300..305);
        let variant: Vec<u32> = text.iter().map(|&w| if w % 4 == 0 { 900 + w } else { w }).collect();
        doc.extend(&variant);
        let cfg = AlignConfig { seed_words: 3, ..CFG };
        let index = GramIndex::new(&text, COPY_SEED_WORDS);
        let got = copies(&index, &doc, &[WordRange::new(0, doc.len() as u32)], &cfg, &mut Scratch::default());
        let starts: Vec<u32> = got.iter().map(|c| c.0.b.start).collect();
        assert_eq!(starts, vec![10, 37, 54], "{got:?}");
        assert_eq!(got[2].0.matched, 9);
        // The variant matched the text but for every fourth word.
        assert_eq!(got[2].1, vec![WordRange::new(0, 3), WordRange::new(4, 7), WordRange::new(8, 11)]);
        // Within a window, only the copies inside it.
        let got = copies(&index, &doc, &[WordRange::new(30, 60)], &cfg, &mut Scratch::default());
        assert_eq!(got.iter().map(|c| c.0.b.start).collect::<Vec<_>>(), vec![37]);
    }
}
