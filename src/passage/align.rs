//! Stage 8c, **align**: two documents' words → the passages they share.
//!
//! # Algorithm
//!
//! 1. **Runs.** Every `k0`-word sequence the two documents share (hash join
//!    of their `k0`-grams) is a seed; seeds on the same diagonal that follow
//!    each other merge into maximal runs of identical words.
//! 2. **Chains.** Runs are chained colinearly by dynamic programming: a run
//!    may follow another when it starts after it in both documents with at
//!    most `max_gap` words between them on each side (substitutions, inserted
//!    or deleted words — «طلبات بغداد» against «طلبات العراق»). Overlapping
//!    runs (a repeated word across an insertion) are trimmed, not rejected.
//! 3. **Passages.** The best chains, taken greedily, become passages from the
//!    first run's start to the last run's end on each side, kept if both sides
//!    have at least `min_words` words and at least `min_identity` of the longer
//!    side is matched word for word.
//!
//! A 300-word passage with one word in ten changed is one chain, hence one
//! passage: gaps are bounded, not the passage length.

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

/// A passage shared by two documents: word ranges in each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alignment {
    /// Words `[a_start, a_end)` of the first document.
    pub a_start: u32,
    /// See `a_start`.
    pub a_end: u32,
    /// Words `[b_start, b_end)` of the second document.
    pub b_start: u32,
    /// See `b_start`.
    pub b_end: u32,
    /// Words matched exactly.
    pub matched: u32,
}

#[derive(Clone, Copy, Debug)]
struct Run {
    a: u32,
    b: u32,
    len: u32,
}

/// Seeds of one hash that repeat more often than this in a document are
/// capped: a phrase said 50 times in one article adds nothing but quadratic
/// work.
const MAX_SEED_REPEATS: usize = 16;
/// Runs kept per document pair, longest first; beyond this the pair is a
/// near-duplicate whose shared text is reported by the cluster stage.
const MAX_RUNS: usize = 4096;

/// Reusable buffers of [`align_with`]; keep one per thread.
#[derive(Debug, Default)]
pub struct Scratch {
    grams_a: Vec<(u64, u32)>,
    seeds: Vec<(i64, u32)>,
    runs: Vec<Run>,
    /// A 4096-bit filter of `a`'s gram hashes: most grams of `b` are not in
    /// `a`, and one bit test spares them the binary search.
    filter: Vec<u64>,
}

/// Hash of `k` consecutive word hashes: multiply-add by position and a
/// finalizer (the words are already hashed; see `shingle::combine`).
#[inline]
fn gram_hash(w: &[u32]) -> u64 {
    let mut acc = 0u64;
    for (i, &x) in w.iter().enumerate() {
        acc = acc.wrapping_add((x as u64 | ((i as u64) << 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        acc = acc.rotate_left(23);
    }
    crate::sign::oph::mix(acc)
}

/// Maximal runs of identical words shared by `a` and `b`, into `s.runs`.
fn runs(a: &[u32], b: &[u32], k: usize, s: &mut Scratch) {
    s.runs.clear();
    if a.len() < k || b.len() < k {
        return;
    }
    s.grams_a.clear();
    s.grams_a.extend(a.windows(k).enumerate().map(|(i, w)| (gram_hash(w), i as u32)));
    s.grams_a.sort_unstable();
    s.filter.clear();
    s.filter.resize(64, 0);
    for &(h, _) in &s.grams_a {
        s.filter[(h >> 58) as usize] |= 1 << ((h >> 52) & 63);
    }
    // (diagonal, position in a) of every seed.
    s.seeds.clear();
    for (j, w) in b.windows(k).enumerate() {
        let h = gram_hash(w);
        if s.filter[(h >> 58) as usize] & (1 << ((h >> 52) & 63)) == 0 {
            continue;
        }
        let lo = s.grams_a.partition_point(|x| x.0 < h);
        for &(_, i) in s.grams_a[lo..].iter().take_while(|x| x.0 == h).take(MAX_SEED_REPEATS) {
            s.seeds.push((i as i64 - j as i64, i));
        }
    }
    s.seeds.sort_unstable();
    for diag in s.seeds.chunk_by(|x, y| x.0 == y.0) {
        for run in diag.chunk_by(|x, y| y.1 == x.1 + 1) {
            let i = run[0].1;
            let j = (i as i64 - run[0].0) as u32;
            s.runs.push(Run { a: i, b: j, len: (run.len() + k - 1) as u32 });
        }
    }
    if s.runs.len() > MAX_RUNS {
        s.runs.sort_by_key(|r| (std::cmp::Reverse(r.len), r.a, r.b));
        s.runs.truncate(MAX_RUNS);
    }
    s.runs.sort_unstable_by_key(|r| (r.a, r.b));
}

/// The passages shared by documents with words `a` and `b`, sorted by their
/// position in `a`.
pub fn align(a: &[u32], b: &[u32], cfg: &AlignConfig) -> Vec<Alignment> {
    align_with(a, b, cfg, &mut Scratch::default())
}

/// [`align`] with reusable buffers.
pub fn align_with(a: &[u32], b: &[u32], cfg: &AlignConfig, scratch: &mut Scratch) -> Vec<Alignment> {
    runs(a, b, cfg.seed_words, scratch);
    let runs = &scratch.runs;
    let n = runs.len();
    let gap = cfg.max_gap as u32;
    // best[r]: words matched by the best chain ending with run r; trim[r]:
    // words cut from r's start to follow prev[r].
    let mut best: Vec<u32> = runs.iter().map(|r| r.len).collect();
    let mut prev: Vec<Option<usize>> = vec![None; n];
    let mut trim = vec![0u32; n];
    for r in 0..n {
        let cur = runs[r];
        for p in 0..r {
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
            let score = best[p] + cur.len - overlap;
            if score > best[r] {
                best[r] = score;
                prev[r] = Some(p);
                trim[r] = overlap;
            }
        }
    }
    // Chains, best first; each run belongs to at most one.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&r| (std::cmp::Reverse(best[r]), r));
    let mut used = vec![false; n];
    let mut out = Vec::new();
    for end in order {
        if used[end] {
            continue;
        }
        let mut chain = vec![end];
        let mut r = end;
        while let Some(p) = prev[r] {
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
        let al = trimmed(runs, &chain, &trim);
        let (la, lb) = (al.a_end - al.a_start, al.b_end - al.b_start);
        if la.min(lb) as usize >= cfg.min_words && al.matched as f64 >= cfg.min_identity * la.max(lb) as f64 {
            out.push(al);
        }
    }
    out.sort_unstable_by_key(|x| (x.a_start, x.b_start));
    out
}

/// Each word skipped inside a passage costs this many matched words when
/// deciding where the passage ends. See [`trimmed`]. Measured with
/// `scripts/quality.sh`: 2.0 lost 3 points of recall on quotes with 10% of
/// their words changed for no gain in precision; 1.0 is the best plagdet.
const GAP_COST: f64 = 1.0;

/// The passage of a chain (runs in order), trimmed at both ends: the
/// contiguous part of the chain maximizing matched words minus
/// [`GAP_COST`] × skipped words (the larger side of each gap). A stock
/// phrase a few words before or after a quote («وزير الخارجية الروسي سيرغي
/// لافروف» … the quote) chains within `max_gap` but does not pay for the gap,
/// so it is left out; gaps inside a long passage are paid by the runs around
/// them.
fn trimmed(runs: &[Run], chain: &[usize], trim: &[u32]) -> Alignment {
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
    let matched = first.len + part[1..].iter().map(|&r| runs[r].len - trim[r]).sum::<u32>();
    Alignment { a_start: first.a, a_end: last.a + last.len, b_start: first.b, b_end: last.b + last.len, matched }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFG: AlignConfig = AlignConfig { seed_words: 3, max_gap: 8, min_words: 8, min_identity: 0.6 };

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
        assert_eq!(got, vec![Alignment { a_start: 20, a_end: 31, b_start: 7, b_end: 18, matched: 10 }]);
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
        assert_eq!((got[0].a_start, got[0].a_end, got[0].b_start, got[0].b_end), (0, 30, 0, 30));
        assert_eq!(got[0].matched, 29);
    }

    #[test]
    fn long_passages_with_scattered_changes_are_one_passage() {
        let a: Vec<u32> = (0..300).collect();
        let b: Vec<u32> = (0..300).map(|i| if i % 10 == 5 { 10_000 + i } else { i }).collect();
        let got = align(&a, &b, &CFG);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].a_end - got[0].a_start, 300);
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
        assert_eq!((got[0].a_start, got[0].a_end), (19, 31));
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
}
