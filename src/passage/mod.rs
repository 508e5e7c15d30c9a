//! Stage 8, **passages**: the statements sources recycle from each other.
//!
//! ```text
//! words ─► fingerprint (winnowed anchors) ─► match (postings → document pairs)
//!       ─► align (word-level, per pair) ─► group (statements) ─► locate (byte spans)
//! ```
//!
//! Whole-document similarity cannot see a quote of twenty words inside an
//! article of five hundred; this stage can. Its cost grows with the anchors,
//! not with pairs of documents: an anchor pairs each document holding it
//! with one *leader* (`n − 1` comparisons, not `n(n − 1)/2`), and an anchor
//! found in more than `max_df` clusters — a common phrase, or a passage
//! recycled everywhere — pairs a document with its leader only where a
//! second one with the same leader follows closely, which a shared passage
//! does and two unrelated common phrases do not.

pub mod align;
pub mod candidates;
pub mod fingerprint;
pub mod frequencies;
pub mod locate;
pub mod pairs;
pub mod postings;
pub mod probe;
pub mod statement;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::{DocId, WordRange};
use crate::spill::store::Store;
pub use align::{AlignConfig, Alignment};
pub use fingerprint::Anchor;
pub use frequencies::Frequencies;
pub use pairs::Pairs;
pub use statement::{Occurrence, Statement};

/// Parameters of the passage stages.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PassageConfig {
    /// Find statements at all.
    pub enabled: bool,
    /// Words per anchor.
    pub anchor_words: usize,
    /// Winnowing window, in anchors.
    pub window: usize,
    /// Anchors in more clusters than this seed no document pair.
    pub max_df: usize,
    /// Word-level alignment.
    pub align: AlignConfig,
    /// A statement is boilerplate when one source has at least this many of
    /// its documents and at least half of all of them.
    pub boilerplate_docs: usize,
}

impl Default for PassageConfig {
    fn default() -> PassageConfig {
        PassageConfig {
            enabled: true,
            anchor_words: 4,
            window: 3,
            max_df: 64,
            align: AlignConfig { seed_words: 3, max_gap: 8, min_words: 8, min_identity: 0.6 },
            boilerplate_docs: 4,
        }
    }
}

/// The winnowed anchors of a document given by its word hashes (see
/// [`fingerprint::winnow`]).
///
/// A document's share of the passage stages is only its word hashes,
/// truncated to 32 bits (a rare collision only adds a false one-word match),
/// kept in a [`Store`]: anchors are recomputed from them when needed, which
/// costs less than keeping them (they took twice the memory of the words on a
/// 1M-document crawl).
pub fn anchors(words: &[u32], anchor_words: usize, window: usize) -> Vec<Anchor> {
    let mut out = Vec::new();
    fingerprint::winnow(words, anchor_words, window, &mut Vec::new(), &mut out);
    out
}

/// At most this many partitions, however small the memory budget: each one
/// re-reads every document's words.
pub const MAX_PARTITIONS: usize = 256;

/// A passage found between two documents.
///
/// The serde derives carry it between the processes of a cluster run and into
/// `--resume` checkpoints, in bincode: a format that does not describe
/// itself, so no field may be skipped when serializing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    /// The earlier document.
    pub a: DocId,
    /// The later document.
    pub b: DocId,
    /// Word ranges and matched count.
    pub alignment: Alignment,
    /// A further copy, in one document, of text another passage of the pair
    /// covers (see [`align::Kept::extra`]): it shows where to look for
    /// copies, and is no candidate of its own.
    pub extra: bool,
}

/// What the match stage found.
#[derive(Clone, Debug, Default)]
pub struct Matches {
    /// Document pairs sharing a seed anchor, sorted, without repeats.
    pub pairs: Vec<(DocId, DocId)>,
    /// Anchors found in at least `boilerplate_docs` documents of a single
    /// source — site headers, footers, bylines — sorted. A passage made
    /// mostly of them is boilerplate even when only two documents of that
    /// source happen to be compared.
    pub template: Vec<u64>,
    /// Document frequency (in groups) of every anchor found in two or more
    /// groups.
    pub df: Frequencies,
    /// Words per anchor and winnowing window, to recompute anchors.
    pub anchor_words: usize,
    /// See `anchor_words`.
    pub window: usize,
}

impl Matches {
    /// Returns true if and only if at least half of `doc`'s anchors in the
    /// word range `range` are template anchors.
    pub fn is_templated(&self, words: &[u32], range: WordRange) -> bool {
        if self.template.is_empty() {
            return false;
        }
        // Winnowing is local: the anchors inside the range depend on the
        // grams of at most a window on either side, so only those are
        // winnowed (a statement costs its length, not its document's).
        let margin = (self.anchor_words + self.window) as u32;
        let from = range.start.saturating_sub(margin);
        let to = (range.end + margin).min(words.len() as u32);
        let anchors = anchors(&words[from as usize..to as usize], self.anchor_words, self.window);
        let inside: Vec<&Anchor> = anchors.iter().filter(|a| range.contains(a.pos + from)).collect();
        let templated = inside.iter().filter(|a| self.template.binary_search(&a.hash).is_ok()).count();
        !inside.is_empty() && 2 * templated >= inside.len()
    }

    /// Returns true if and only if at least half of the words in `doc`'s
    /// word range `range` lie under anchors found in more than twice
    /// as many groups as the `groups` the statement was found in: the words
    /// are common in other contexts, so the statement is a string of stock
    /// phrases. A quote, even one recycled by a hundred outlets, has anchors
    /// about as frequent as itself.
    ///
    /// Words covered, not anchors counted, and every `k`-gram of the range
    /// looked up, not only those winnowing kept in this document: which of a
    /// phrase's `k`-grams winnowing keeps depends on their hashes and on the
    /// words around them, and a test of the kept ones alone swung with the
    /// word hash (on the Latin quality corpus, 12 or 52 false detections).
    pub fn is_formula(&self, words: &[u32], range: WordRange, groups: usize) -> bool {
        let WordRange { start, end } = range;
        if end <= start {
            return false;
        }
        let k = self.anchor_words;
        // Only the grams that touch the range: a statement costs its length,
        // not its document's.
        let first = (start as usize).saturating_sub(k - 1);
        let last = (end as usize + k - 1).min(words.len());
        let mut hashes = Vec::new();
        fingerprint::kgram_hashes(&words[first..last], k, &mut hashes);
        let mut covered = vec![false; (end - start) as usize];
        for (pos, hash) in hashes.iter().enumerate().map(|(i, h)| (i + first, h)).take_while(|x| x.0 < end as usize) {
            let frequent = self.df.get(*hash).is_some_and(|g| g as usize > 2 * groups);
            if frequent {
                let from = (pos as u32).max(start);
                let to = (pos as u32 + k as u32).min(end);
                covered[(from - start) as usize..(to - start) as usize].fill(true);
            }
        }
        2 * covered.iter().filter(|&&c| c).count() >= covered.len()
    }
}

/// Groups the anchors of all documents by hash, one hash partition at a
/// time: as many (up to [`MAX_PARTITIONS`]) as it takes for one
/// partition's postings to fit in `budget` bytes. The
/// result does not depend on the number of partitions.
///
/// Pairs: every document is paired with the *leader* of each anchor it
/// holds, the document of lowest `rank` holding it ([`match_postings`]), so
/// an anchor in `n` documents seeds `n − 1` comparisons, not `n(n − 1)/2`;
/// `group[d]` is the document's near-duplicate cluster (or the document
/// itself), and pairs inside one group are skipped: their shared text is the
/// cluster stage's business. Template anchors: see [`Matches::template`];
/// `source[d]` is the document's source number.
///
/// # Errors
/// Writing or reading back the postings of the parts (in `dir`, the
/// system's temporary directory when `None`) failed.
pub fn matching_pairs(
    docs: &Store,
    group: &[u32],
    source: &[u32],
    rank: &[u32],
    cfg: &PassageConfig,
    budget: usize,
    dir: Option<&std::path::Path>,
) -> std::io::Result<Matches> {
    let mut pairs = Pairs::new(usize::MAX, None);
    let mut m = matching(docs, group, source, rank, cfg, budget, dir, &mut pairs)?;
    m.pairs = pairs.into_sorted()?;
    Ok(m)
}

/// What [`matching_pairs`] finds, the document pairs added to `pairs` (as
/// they are found, repeats and all) rather than to [`Matches::pairs`],
/// which stays empty.
///
/// # Errors
/// Writing or reading back the postings of the parts, or spilling pairs,
/// failed.
#[allow(clippy::too_many_arguments)]
pub fn matching(
    docs: &Store,
    group: &[u32],
    source: &[u32],
    rank: &[u32],
    cfg: &PassageConfig,
    budget: usize,
    dir: Option<&std::path::Path>,
    pairs: &mut Pairs,
) -> std::io::Result<Matches> {
    let mut found = Found::default();
    let partitions = partitions(docs, cfg, budget, 1);
    let ids = Ids { group: &|d| group[d as usize], source: &|d| source[d as usize], rank: &|d| rank[d as usize] };
    let mut take = |mut part: Found| {
        pairs.add(docs, &std::mem::take(&mut part.pairs))?;
        found.add(part);
        std::io::Result::Ok(())
    };
    if partitions == 1 {
        take(match_postings(partition_postings(docs, cfg, 0, 1, &|_| true), &ids, cfg))?;
    } else {
        // Documents winnowed once, the postings spilled by part.
        let parts = postings::Parts::write(docs, cfg, partitions, budget, dir)?;
        for part in 0..partitions {
            take(match_postings(parts.read(part)?, &ids, cfg))?;
        }
    }
    let holders = &found.holders;
    let frequent = &|d: DocId| holders.binary_search(&d.0).is_ok();
    pairs.add(docs, &frequent_pairs(docs, &found.leaders, &|d| group[d as usize], cfg, frequent))?;
    Ok(Matches {
        pairs: Vec::new(),
        template: found.template,
        df: Frequencies::new(found.df),
        anchor_words: cfg.anchor_words,
        window: cfg.window,
    })
}

/// Pairs seeded by frequent anchors (see [`Found::leaders`]): a document
/// holding two anchors with the same leader, at most a winnowing window
/// apart, is paired with that leader — it shares a passage of frequent
/// words with it (a licence paragraph in 6,500 documents), not two common
/// phrases somewhere («in the end of», which alone would pair every
/// document with the first that says it). Only the documents `keep`
/// accepts; sorted, without repeats.
pub fn frequent_pairs(
    docs: &Store,
    leaders: &[(u64, u32)],
    group: &(dyn Fn(u32) -> u32 + Sync),
    cfg: &PassageConfig,
    keep: &(dyn Fn(DocId) -> bool + Sync),
) -> Vec<(DocId, DocId)> {
    if leaders.is_empty() {
        return Vec::new();
    }
    let mut pairs = collect_over_anchors(docs, cfg, keep, |d, anchors, acc| {
        frequent_pairs_of(d, anchors, leaders, group, cfg, acc)
    });
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// The pairs [`frequent_pairs`] makes of document `d` given its winnowed
/// `anchors`, appended to `acc` (repeats and all).
pub fn frequent_pairs_of(
    d: DocId,
    anchors: &[Anchor],
    leaders: &[(u64, u32)],
    group: &(dyn Fn(u32) -> u32 + Sync),
    cfg: &PassageConfig,
    acc: &mut Vec<(DocId, DocId)>,
) {
    let mut last: Option<(u32, u32)> = None; // (position, leader)
    for a in anchors {
        let Ok(i) = leaders.binary_search_by_key(&a.hash, |x| x.0) else { continue };
        let leader = leaders[i].1;
        if last.is_some_and(|(pos, l)| l == leader && a.pos - pos <= cfg.window as u32)
            && leader != d.0
            && group(leader) != group(d.0)
        {
            acc.push((DocId(leader.min(d.0)), DocId(leader.max(d.0))));
        }
        last = Some((a.pos, leader));
    }
}

/// What [`match_postings`] needs to know of a document, by number.
pub struct Ids<'a> {
    /// Near-duplicate group (cluster, or the document itself).
    pub group: &'a (dyn Fn(u32) -> u32 + Sync),
    /// Source number.
    pub source: &'a (dyn Fn(u32) -> u32 + Sync),
    /// Place in the order that chooses leaders: dated documents first, by
    /// date, then by id (never input order, so that the pairs compared do
    /// not depend on it); distinct for distinct documents.
    pub rank: &'a (dyn Fn(u32) -> u32 + Sync),
}

/// What one share of the anchor postings yields (see [`match_postings`]).
#[derive(Clone, Debug, Default)]
pub struct Found {
    /// Template anchors, sorted.
    pub template: Vec<u64>,
    /// Document frequency (in groups) of the anchors found in 2+ documents,
    /// sorted by hash.
    pub df: Vec<(u64, u32)>,
    /// Document pairs `(a, b)`, `a < b`, sharing an anchor found in at most
    /// `max_df` groups, sorted, without repeats.
    pub pairs: Vec<(DocId, DocId)>,
    /// The leader of every anchor found in more than `max_df` groups,
    /// sorted by hash: such an anchor pairs documents only through
    /// [`frequent_pairs`].
    pub leaders: Vec<(u64, u32)>,
    /// The documents holding such an anchor, sorted, without repeats: the
    /// only ones [`frequent_pairs`] needs to winnow again.
    pub holders: Vec<u32>,
}

impl Found {
    /// Takes in what the next part of the anchor hash space yields
    /// (parts are not hash ranges, see [`part_of`]): template anchors,
    /// frequencies and leaders stay sorted by hash (each hash is in one part
    /// only), pairs are sorted without repeats, so one part's pairs do not
    /// pile up.
    pub fn add(&mut self, part: Found) {
        self.template = merged(std::mem::take(&mut self.template), part.template);
        self.df = merged(std::mem::take(&mut self.df), part.df);
        self.leaders = merged(std::mem::take(&mut self.leaders), part.leaders);
        self.pairs = merged(std::mem::take(&mut self.pairs), part.pairs);
        self.holders = merged(std::mem::take(&mut self.holders), part.holders);
    }
}

/// The union of two sorted lists without repeats, sorted, without repeats:
/// one linear merge where sorting the concatenation again for each of 16
/// parts cost a tenth of the match stage on a syndicated crawl.
fn merged<T: Ord + Copy>(a: Vec<T>, b: Vec<T>) -> Vec<T> {
    if a.is_empty() {
        return b;
    }
    if b.is_empty() {
        return a;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Template anchors, document frequencies, seed pairs and frequent anchors' leaders of
/// `postings` (in any order, repeats allowed): the work of
/// [`matching_pairs`] on one share of the anchor hash space, whichever
/// process holds it.
pub fn match_postings(mut postings: Vec<(u64, u32)>, ids: &Ids<'_>, cfg: &PassageConfig) -> Found {
    postings.par_sort_unstable();
    postings.dedup();
    let lists: Vec<&[(u64, u32)]> = postings.chunk_by(|x, y| x.0 == y.0).filter(|g| g.len() > 1).collect();
    let template: Vec<u64> = lists
        .par_iter()
        .filter(|list| list.len() >= cfg.boilerplate_docs)
        .filter_map(|list| {
            let mut sources: Vec<u32> = list.iter().map(|&(_, d)| (ids.source)(d)).collect();
            sources.sort_unstable();
            let top = sources.chunk_by(|a, b| a == b).map(<[u32]>::len).max().unwrap_or(0);
            (top >= cfg.boilerplate_docs).then_some(list[0].0)
        })
        .collect();
    let df: Vec<(u64, u32)> = lists
        .par_iter()
        .map(|list| {
            let mut groups: Vec<u32> = list.iter().map(|&(_, d)| (ids.group)(d)).collect();
            groups.sort_unstable();
            groups.dedup();
            (list[0].0, groups.len() as u32)
        })
        .collect();
    // Each anchor pairs its holders with its leader, the holder of lowest
    // rank: n − 1 comparisons, not n(n − 1)/2.
    let leader = |list: &[(u64, u32)]| list.iter().map(|&(_, d)| d).min_by_key(|&d| (ids.rank)(d)).expect("2+");
    let mut pairs: Vec<(DocId, DocId)> = lists
        .par_iter()
        .zip(df.par_iter())
        .filter(|(_, (_, groups))| *groups >= 2 && *groups as usize <= cfg.max_df)
        .flat_map_iter(|(list, _)| {
            let leader = leader(list);
            let lg = (ids.group)(leader);
            list.iter()
                .filter(move |&&(_, d)| (ids.group)(d) != lg)
                .map(move |&(_, d)| (DocId(d.min(leader)), DocId(d.max(leader))))
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    let frequent: Vec<&[(u64, u32)]> = lists
        .par_iter()
        .zip(df.par_iter())
        .filter(|(_, (_, groups))| *groups as usize > cfg.max_df)
        .map(|(list, _)| *list)
        .collect();
    let leaders: Vec<(u64, u32)> = frequent.par_iter().map(|list| (list[0].0, leader(list))).collect();
    let mut holders: Vec<u32> = frequent.par_iter().flat_map_iter(|list| list.iter().map(|&(_, d)| d)).collect();
    holders.par_sort_unstable();
    holders.dedup();
    Found { template, df, pairs, leaders, holders }
}

/// How many parts the anchor hash space is matched in so that one part's
/// postings fit in `budget` bytes: a power of two from `min` to
/// [`MAX_PARTITIONS`]. The result does not depend on it.
pub fn partitions(docs: &Store, cfg: &PassageConfig, budget: usize, min: usize) -> usize {
    partitions_of(docs.items(), cfg, budget, min)
}

/// [`partitions`] for documents of `items` words in all (a cluster's, whose
/// processes each hold some).
pub fn partitions_of(items: u64, cfg: &PassageConfig, budget: usize, min: usize) -> usize {
    // About one anchor per (window + 1) / 2 words, 16 bytes per posting.
    let postings = items as usize * 2 / (cfg.window + 1) * std::mem::size_of::<(u64, u32)>();
    postings.div_ceil(budget.max(1)).next_power_of_two().clamp(min, MAX_PARTITIONS)
}

/// The anchor postings `(hash, document)` of part `part` of `partitions`
/// (by the hash's top bits), from the documents `keep` accepts; in no order.
pub fn partition_postings(
    docs: &Store,
    cfg: &PassageConfig,
    part: u64,
    partitions: usize,
    keep: &(dyn Fn(DocId) -> bool + Sync),
) -> Vec<(u64, u32)> {
    collect_over_anchors(docs, cfg, keep, |d, anchors, acc| {
        acc.extend(anchors.iter().filter(|a| part_of(a.hash, partitions) == part as usize).map(|a| (a.hash, d.0)));
    })
}

/// The part of `partitions` (a power of two) anchor `hash` is matched in:
/// the top bits of the hash mixed. Not its own top bits: winnowing keeps the
/// smallest hash of each window, so those lean low, and parts by them held
/// up to twice their share (1.9× the mean of 8 parts on a generated crawl).
pub fn part_of(hash: u64, partitions: usize) -> usize {
    // `checked_shr`: with one part the shift is 64, and every hash is in it.
    crate::sign::oph::mix(hash).checked_shr(64 - partitions.trailing_zeros()).unwrap_or(0) as usize
}

/// What `collect` appends for each document `keep` accepts, given its
/// winnowed anchors, over every document in parallel (one winnowing
/// scratch per task), in no order.
fn collect_over_anchors<T: Send>(
    docs: &Store,
    cfg: &PassageConfig,
    keep: &(dyn Fn(DocId) -> bool + Sync),
    collect: impl Fn(DocId, &[Anchor], &mut Vec<T>) + Sync + Send,
) -> Vec<T> {
    docs.par_fold(
        || (Vec::new(), Vec::new(), Vec::new()),
        |(mut scratch, mut anchors, mut acc): (Vec<u64>, Vec<Anchor>, Vec<T>), d, words| {
            if keep(d) {
                anchors.clear();
                fingerprint::winnow(words, cfg.anchor_words, cfg.window, &mut scratch, &mut anchors);
                collect(d, &anchors, &mut acc);
            }
            (scratch, anchors, acc)
        },
        |mut a, mut b| {
            a.2.append(&mut b.2);
            a
        },
    )
    .2
}

/// Aligns every pair of `pairs` (all or a share of `matches.pairs`) word by
/// word, in parallel; the result is in pair order.
pub fn align_pairs(docs: &Store, pairs: &[(DocId, DocId)], cfg: &AlignConfig) -> Vec<Passage> {
    let mut found: Vec<Passage> = Vec::new();
    align_pairs_into(docs, Pairs::of(docs, pairs), cfg, |block| {
        found.extend_from_slice(block);
        Ok(())
    })
    .expect("pairs in memory are not read back");
    // Stable: a pair's passages keep the order alignment gave them.
    found.sort_by_key(|p| (p.a, p.b));
    found
}

/// Aligns every pair of `pairs` word by word, handing the passages to
/// `sink` a block of pairs at a time (in no set order), so that no more
/// than a block's are in memory at once; returns the number of pairs.
///
/// The pairs come grouped by their longer document, whose gram index is
/// built once for all of them: a long document compared with a thousand
/// short ones is indexed once and each short one is scanned once. A block
/// holds whole groups.
///
/// # Errors
/// Reading the pairs back failed, or what `sink` returns.
pub fn align_pairs_into(
    docs: &Store,
    pairs: Pairs,
    cfg: &AlignConfig,
    mut sink: impl FnMut(&[Passage]) -> std::io::Result<()>,
) -> std::io::Result<u64> {
    let mut jobs = pairs.jobs()?.peekable();
    let mut block: Vec<pairs::Job> = Vec::with_capacity(ALIGN_BLOCK);
    let mut aligned = 0u64;
    loop {
        block.clear();
        while let Some(job) = jobs.next_if(|j| {
            block.len() < ALIGN_BLOCK || j.as_ref().is_ok_and(|j| j.indexed == block[block.len() - 1].indexed)
        }) {
            block.push(job?);
        }
        if block.is_empty() {
            return Ok(aligned);
        }
        aligned += block.len() as u64;
        sink(&align_block(docs, &block, cfg))?;
    }
}

/// Pairs aligned per block: enough to keep both threads busy, few enough
/// that a block's passages are a small part of memory.
pub const ALIGN_BLOCK: usize = 1 << 16;

/// The passages of `block`'s pairs, in block order.
fn align_block(docs: &Store, block: &[pairs::Job], cfg: &AlignConfig) -> Vec<Passage> {
    block
        .par_chunk_by(|x, y| x.indexed == y.indexed)
        .flat_map_iter(|group| {
            let indexed = docs.get(group[0].indexed);
            let index = align::GramIndex::new(&indexed, cfg.seed_words);
            group
                .par_iter()
                .map_init(align::Scratch::default, |scratch, &job| {
                    let other = docs.get(job.other);
                    let got = align::align_matched(&index, &other, 0..other.len(), cfg, align::Mode::OneToOne, scratch);
                    // The pair is (earlier, later): swap back when the
                    // indexed document is the later one.
                    let (a, b) = job.pair();
                    let mut passages: Vec<Passage> = got
                        .into_iter()
                        .map(|k| {
                            let alignment = if job.indexed == a { k.alignment } else { k.alignment.swapped() };
                            Passage { a, b, alignment, extra: k.extra }
                        })
                        .collect();
                    passages.sort_unstable_by_key(|p| (p.extra, p.alignment.a.start, p.alignment.b.start));
                    passages
                })
                .collect::<Vec<_>>()
        })
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(max_df: usize) -> PassageConfig {
        PassageConfig { max_df, ..PassageConfig::default() }
    }

    /// Winnowed anchors lean to small hashes; their parts do not: each of
    /// 8 parts holds its share of 20,000 documents' anchors within 5%.
    #[test]
    fn winnowed_anchors_spread_evenly_over_the_parts() {
        let c = PassageConfig::default();
        let mut counts = [0usize; 8];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let words: Vec<u32> = (0..60)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % 5000) as u32
                })
                .collect();
            for a in anchors(&words, c.anchor_words, c.window) {
                counts[part_of(a.hash, 8)] += 1;
            }
        }
        let mean = counts.iter().sum::<usize>() as f64 / 8.0;
        for n in counts {
            assert!((n as f64 - mean).abs() < 0.05 * mean, "{counts:?}");
        }
        // The anchors' own top bits would not do.
        let top = anchors(&(0..5000).collect::<Vec<u32>>(), c.anchor_words, c.window);
        let low = top.iter().filter(|a| a.hash >> 61 == 0).count();
        assert!(low as f64 > 0.2 * top.len() as f64, "{low} of {}", top.len());
    }

    #[test]
    fn merged_is_the_sorted_union_without_repeats() {
        let cases: [(Vec<u32>, Vec<u32>); 4] =
            [(vec![], vec![1, 2]), (vec![3], vec![]), (vec![1, 3, 5, 9], vec![2, 3, 9, 10]), (vec![4, 5], vec![1, 2])];
        for (a, b) in cases {
            let mut want: Vec<u32> = a.iter().chain(&b).copied().collect();
            want.sort_unstable();
            want.dedup();
            assert_eq!(merged(a, b), want);
        }
    }

    /// A statement's words count as stock when their 4-grams are frequent in
    /// the corpus, also where winnowing did not keep those 4-grams in the
    /// statement's own document.
    #[test]
    fn formulas_count_every_frequent_kgram_not_only_the_kept_ones() {
        let words: Vec<u32> = (100..116).collect();
        let (k, w) = (PassageConfig::default().anchor_words, PassageConfig::default().window);
        let mut all = Vec::new();
        fingerprint::kgram_hashes(&words, k, &mut all);
        let kept: Vec<u64> = anchors(&words, k, w).iter().map(|a| a.hash).collect();
        let matches = |df: Vec<(u64, u32)>| {
            let mut df = df;
            df.sort_unstable();
            Matches { df: Frequencies::new(df), anchor_words: k, window: w, ..Matches::default() }
        };
        let n = words.len() as u32;
        // Every 4-gram frequent, but none of those this document kept.
        let unkept = matches(all.iter().filter(|h| !kept.contains(h)).map(|&h| (h, 10)).collect());
        assert!(!kept.is_empty() && kept.len() < all.len());
        assert!(unkept.is_formula(&words, WordRange::new(0, n), 2));
        // The same 4-grams in as many groups as the statement: news.
        let rare = matches(all.iter().map(|&h| (h, 4)).collect());
        assert!(!rare.is_formula(&words, WordRange::new(0, n), 2));
        assert!(!matches(Vec::new()).is_formula(&words, WordRange::new(0, n), 2));
    }

    /// Ten documents: 0 and 1 share a quote; all ten share a four-word
    /// phrase (one anchor) and, with `long`, a twelve-word formula.
    fn formula_corpus(long: bool) -> Vec<Vec<u32>> {
        let shared: Vec<u32> = (1..=12).collect();
        let formula: Vec<u32> = if long { (500..512).collect() } else { (500..504).collect() };
        (0..10u32)
            .map(|d| {
                let mut w: Vec<u32> = (d * 1000 + 100..d * 1000 + 140).collect();
                w.extend(&formula);
                w.extend((d * 1000 + 600..d * 1000 + 610).collect::<Vec<_>>());
                if d < 2 {
                    w.extend(&shared);
                }
                w
            })
            .collect()
    }

    #[test]
    fn a_rare_anchor_pairs_documents_and_one_frequent_anchor_does_not() {
        let words = formula_corpus(false);
        let docs = Store::of(&words);
        let group: Vec<u32> = (0..10).collect();
        let source: Vec<u32> = (0..10).collect();
        let rank: Vec<u32> = (0..10).collect();
        let m = matching_pairs(&docs, &group, &source, &rank, &cfg(5), usize::MAX, None).unwrap();
        assert_eq!(m.pairs, vec![(DocId(0), DocId(1))]);
        assert!(m.template.is_empty(), "ten sources, one document each");
        // Documents of one cluster are never paired.
        // (Winnowing keeps the phrase's anchor in six of the ten documents,
        // five groups here: a frequency limit of 3 makes it frequent.)
        let group = vec![0, 0, 2, 3, 4, 5, 6, 7, 8, 9];
        let m = matching_pairs(&docs, &group, &source, &rank, &cfg(3), usize::MAX, None).unwrap();
        assert!(m.pairs.is_empty(), "{:?}", m.pairs);
    }

    /// A passage of frequent anchors is compared once per document, with
    /// the leader (the document of lowest rank), not for every pair.
    #[test]
    fn frequent_passages_pair_every_holder_with_the_leader_only() {
        let words = formula_corpus(true);
        let docs = Store::of(&words);
        let group: Vec<u32> = (0..10).collect();
        let source: Vec<u32> = (0..10).collect();
        let rank: Vec<u32> = (0..10).rev().collect();
        let m = matching_pairs(&docs, &group, &source, &rank, &cfg(5), usize::MAX, None).unwrap();
        let mut want: Vec<(DocId, DocId)> = (0..9).map(|d| (DocId(d), DocId(9))).collect();
        want.push((DocId(0), DocId(1)));
        want.sort_unstable();
        assert_eq!(m.pairs, want, "document 9 leads (lowest rank); 0 and 1 share a rare quote");
        // The formula repeated by one source is a template.
        let docs = Store::of(&words);
        let m =
            matching_pairs(&docs, &(0..10).collect::<Vec<_>>(), &[1; 10], &rank, &cfg(5), usize::MAX, None).unwrap();
        assert!(m.is_templated(&words[3], WordRange::new(40, 52)));
        assert!(!m.is_templated(&words[0], WordRange::new(62, 74)), "the quote is not");
    }

    /// Postings spilled by part (a budget of one byte: 256 parts) match as
    /// the postings in memory do.
    #[test]
    fn parts_on_disk_match_as_one_part_in_memory() {
        let mut words = formula_corpus(true);
        words.extend(formula_corpus(false));
        let docs = Store::of(&words);
        let n = words.len() as u32;
        let group: Vec<u32> = (0..n).map(|d| d / 3).collect();
        let source: Vec<u32> = (0..n).map(|d| d % 4).collect();
        let rank: Vec<u32> = (0..n).rev().collect();
        let cfg = PassageConfig { boilerplate_docs: 3, ..cfg(5) };
        let whole = matching_pairs(&docs, &group, &source, &rank, &cfg, usize::MAX, None).unwrap();
        assert_eq!(partitions(&docs, &cfg, 1, 1), MAX_PARTITIONS);
        let dir = tempfile::tempdir().unwrap();
        let parts = matching_pairs(&docs, &group, &source, &rank, &cfg, 1, Some(dir.path())).unwrap();
        assert!(!whole.pairs.is_empty() && !whole.template.is_empty() && !whole.df.is_empty());
        assert_eq!(parts.pairs, whole.pairs);
        assert_eq!(parts.template, whole.template);
        assert_eq!(parts.df, whole.df);
    }
}
