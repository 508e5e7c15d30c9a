//! Stage 8d, **group**: pairwise passages → statements.
//!
//! A statement is one passage: a representative occurrence and the
//! occurrences that align *with it* — not a connected component of
//! passages, which chains (A shares one text with B, B another with C, and
//! A and C share nothing). Statements are made greedily, one
//! representative at a time:
//!
//! 1. Every side of a pairwise passage is a candidate representative. Its
//!    *support* is the number of passage sides on the same document that are
//!    the same text (overlap by half of the longer): how many comparisons
//!    found it.
//! 2. Candidates are taken most supported first (then earliest dated,
//!    longest, by id). A candidate already an occurrence of an earlier
//!    statement is skipped.
//! 3. The candidate's words are indexed once and searched in the documents
//!    of its supporting passages and in its own document
//!    ([`align::copies`]): every copy there, each aligned with the
//!    representative itself, with its identity. Work is one scan per
//!    document that holds the text, not one per pair of copies.
//! 4. Copies are admitted longest first while the representative's words
//!    that every member matched exactly (the core) span at least `min_words`
//!    and half its length, `min_identity` of them matched: so any two
//!    occurrences of a statement share that core word for word. The rest
//!    stay candidates of later statements.
//!
//! A document that carries two different passages is in two statements; a
//! copy that is the same text as an occurrence of an earlier statement is
//! left to it.

use std::borrow::Cow;
use std::io;

use rayon::prelude::*;
use serde::{Serialize, Serializer};

use super::align::{self, AlignConfig, Alignment, GramIndex};
use super::candidates::{Candidates, Neighbourhood, Sides, candidates, same_text};
use super::probe::{self, DocGrams};
use super::{Matches, Passage, PassageConfig};
use crate::model::{DocId, Span, WordRange};
use crate::spill::store::Store;

/// Where a statement occurs.
///
/// Serializes with `word_start` and `word_end` for `words`, as before the
/// range was a [`WordRange`].
#[derive(Clone, Debug, PartialEq)]
pub struct Occurrence {
    /// The document.
    pub doc: DocId,
    /// Its words.
    pub words: WordRange,
    /// Words matched with the representative over the longer side's words
    /// (1 for the representative itself).
    pub identity: f64,
    /// Byte span in the original text, filled by [`locate`](super::locate::locate).
    pub span: Span,
    /// The passage with some text around it, for the report; filled by
    /// [`locate`](super::locate::locate) for the first [`CONTEXT_STATEMENTS`](crate::report::caps::CONTEXT_STATEMENTS) statements only.
    /// Boxed: most occurrences have none, and a crawl can have millions.
    pub context: Option<Box<Context>>,
}

impl Serialize for Occurrence {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        /// The fields serialized: all but the context.
        #[derive(Serialize)]
        #[serde(rename = "Occurrence")]
        struct Flat {
            doc: DocId,
            word_start: u32,
            word_end: u32,
            identity: f64,
            span: Span,
        }
        let (doc, identity, span) = (self.doc, self.identity, self.span);
        Flat { doc, word_start: self.words.start, word_end: self.words.end, identity, span }.serialize(s)
    }
}

/// An occurrence's text and its surroundings, as published.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Context {
    /// Up to [`CONTEXT_CHARS`](crate::report::caps::CONTEXT_CHARS) characters before the passage.
    pub before: String,
    /// The passage.
    pub text: String,
    /// Up to [`CONTEXT_CHARS`](crate::report::caps::CONTEXT_CHARS) characters after it.
    pub after: String,
}

/// A passage shared by two or more documents.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// Occurrences sorted by document and position.
    pub occurrences: Vec<Occurrence>,
    /// Distinct documents.
    pub docs: usize,
    /// Distinct sources.
    pub sources: usize,
    /// Not news: a site template repeated within one source, or a formula
    /// repeated everywhere. Kept out of the headline counts.
    pub boilerplate: bool,
    /// Why `boilerplate` is set.
    pub boilerplate_kind: Option<BoilerplateKind>,
    /// The earliest dated document, if any occurrence has a date.
    pub origin: Option<DocId>,
    /// Index in `occurrences` of the one whose text represents the statement:
    /// every other occurrence was aligned with it.
    pub representative: usize,
    /// The representative occurrence's text as published, filled by [`locate`](super::locate::locate).
    pub text: String,
}

/// Why a statement is boilerplate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BoilerplateKind {
    /// One source repeats it across many of its documents (headers, footers,
    /// bylines, comment forms).
    Template,
    /// Its word sequences are far more common in the corpus than the
    /// statement itself: stock phrases strung together («according to
    /// officials, a spokesman for the ministry said»), not a recycled quote.
    Formula,
}

/// What grouping needs to know of every document.
pub struct DocInfo<'a> {
    /// Source number of each document.
    pub source: &'a [u32],
    /// Date of each document, ISO 8601 when present (compared as text).
    pub date: &'a [Option<&'a str>],
    /// Id of each document (ties between occurrences are broken by id, not by
    /// input position).
    pub id: &'a [&'a str],
    /// Near-duplicate group (cluster, or the document itself) of each
    /// document.
    pub group: &'a [u32],
    /// The word hashes of a document.
    pub words: &'a (dyn Fn(DocId) -> Cow<'a, [u32]> + Sync),
    /// Whether some words of a document, found in `groups` groups, are a
    /// formula (see [`BoilerplateKind::Formula`]).
    pub is_formula: &'a (dyn Fn(DocId, WordRange, usize) -> bool + Sync),
    /// Whether most anchors of some words of a document are site-template
    /// anchors (see [`super::Matches::template`]).
    pub is_templated: &'a (dyn Fn(DocId, WordRange) -> bool + Sync),
    /// Whether to stop: checked before each candidate, so that a scan
    /// cancelled in a long group stage stops there
    /// ([`crate::Config::cancel`]); grouping then fails with
    /// [`io::ErrorKind::Interrupted`].
    pub stop: &'a (dyn Fn() -> bool + Sync),
}

/// A document is searched for copies of a statement's text where its
/// partners have it and, in a document that repeats itself, where the
/// text's grams are ([`probe`]), so that a ten-megabyte document quoted by a
/// thousand short ones is not scanned a thousand times, nor a licence in 400
/// files 400 times per paragraph; only for a periodic text (repeated back to
/// back), documents at most this many times longer than it (plus
/// [`WHOLE_DOC_WORDS`]) are searched whole.
pub const WHOLE_DOC_FACTOR: usize = 64;
/// See [`WHOLE_DOC_FACTOR`].
pub const WHOLE_DOC_WORDS: usize = 4096;
/// Documents a text is searched in below which one thread searches them all.
const PARALLEL_DOCS: usize = 16;

/// Groups `passages` into statements, all in memory: [`group_sides`] for
/// passages of a whole crawl.
pub fn group(passages: Vec<Passage>, info: &DocInfo<'_>, cfg: &AlignConfig, boilerplate_docs: usize) -> Vec<Statement> {
    let mut sides = Sides::new(info.group.len(), usize::MAX, None);
    sides.add(&passages).expect("sides in memory are not written");
    drop(passages);
    group_sides(sides, info, cfg, boilerplate_docs).expect("sides in memory are not read back").0
}

/// What grouping needs of the documents of one part of the passage graph
/// besides their words (see [`group_part`]), indexed by the part's own
/// numbering (the values are the run's: groups and sources are only
/// compared with each other).
pub struct PartDocs<'a> {
    /// Source number of each document.
    pub source: &'a [u32],
    /// Date of each document.
    pub date: &'a [Option<&'a str>],
    /// Id of each document.
    pub id: &'a [&'a str],
    /// Near-duplicate group of each document.
    pub group: &'a [u32],
    /// Number of each document in the whole run, rising with the part's own
    /// (so every tie breaks as in the whole run).
    pub global: &'a [u32],
}

/// The statements of one part of the passage graph, grouped alone: its
/// documents numbered from 0 in `store` (their words), `passages` between
/// them, the frequencies and template anchors of their grams in `matches`;
/// the statements come back with the run's document numbers. A part's
/// statements never look at another part's documents, so the statements of
/// every part grouped alone are the run's (the argument of
/// `pipeline/against_statements.rs`; the cluster groups its parts so too).
pub fn group_part(
    passages: Vec<Passage>,
    store: &Store,
    matches: &Matches,
    docs: &PartDocs<'_>,
    stop: &(dyn Fn() -> bool + Sync),
    cfg: &PassageConfig,
) -> Vec<Statement> {
    let is_formula = |d: DocId, r: WordRange, k: usize| matches.is_formula(&store.get(d), r, k);
    let is_templated = |d: DocId, r: WordRange| matches.is_templated(&store.get(d), r);
    let words = |d: DocId| store.get(d);
    let info = DocInfo {
        source: docs.source,
        date: docs.date,
        id: docs.id,
        group: docs.group,
        words: &words,
        is_formula: &is_formula,
        is_templated: &is_templated,
        stop,
    };
    let mut statements = group(passages, &info, &cfg.align, cfg.boilerplate_docs);
    let global = |d: DocId| DocId(docs.global[d.index()]);
    for s in &mut statements {
        for o in &mut s.occurrences {
            o.doc = global(o.doc);
        }
        s.origin = s.origin.map(global);
    }
    statements
}

/// Groups the passages of `sides` into statements, most widely recycled
/// first (non-boilerplate before boilerplate, then by sources, documents,
/// first occurrence); with the bytes spilled on the way.
///
/// # Errors
/// Spilling or reading back the sides or candidates failed, or
/// [`DocInfo::stop`] said to stop.
pub fn group_sides(
    sides: Sides,
    info: &DocInfo<'_>,
    cfg: &AlignConfig,
    boilerplate_docs: usize,
) -> io::Result<(Vec<Statement>, u64)> {
    // The documents where pairwise alignment saw a text again: they may
    // hold further copies of a text anywhere, aligned with other documents
    // only, so their grams are sorted once to find where (see `probe`).
    let again_docs = sides.again();
    let again: Vec<DocGrams> = again_docs.par_iter().map(|&d| DocGrams::new(&(info.words)(d))).collect();
    // (group, document) of the documents in near-duplicate clusters.
    let mut clusters: Vec<(u32, DocId)> = (0..info.group.len()).map(|d| (info.group[d], DocId(d as u32))).collect();
    clusters.sort_unstable();
    let clusters: Vec<(u32, DocId)> =
        clusters.chunk_by(|x, y| x.0 == y.0).filter(|g| g.len() > 1).flatten().copied().collect();

    // Most supported first, then earliest dated, longest, by id: compared
    // as ranks, not as strings (a string key per comparison was a third of
    // the stage on a syndicated crawl). The ranks cover every document a
    // copy can be found in, for ordering copies by id below: the
    // candidates' documents and their cluster mates.
    let (date_rank, id_rank) = ranks(sides.present().into_iter().chain(clusters.iter().map(|x| x.1)), info);
    let found = candidates(sides, &date_rank, &id_rank)?;
    let spilled = found.spilled_bytes();
    let Candidates { order, sides: table, .. } = found;

    let mut taken = Taken::new(info.group.len());
    let mut out: Vec<Statement> = Vec::new();
    for c in order.sorted()? {
        if (info.stop)() {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "grouping was stopped"));
        }
        let c = c?;
        let words = c.words();
        if taken.same_text(c.doc, words) {
            continue;
        }
        // The partners of the passages that found this text, with the
        // words of the candidate (this one or a same-text neighbour) each
        // was found by.
        let mut partners: Vec<(DocId, WordRange, WordRange)> = Neighbourhood::of(&c, &table)?
            .sides()
            .map(|(s, found_by)| (s.partner, s.partner_words, found_by))
            .collect();
        partners.push((c.doc, words, words));
        // Inside what earlier statements hold on every side: a fragment of
        // a text already reported, whose copies would all go there.
        if partners.iter().all(|&(d, w, _)| taken.covers(d, w)) {
            continue;
        }
        // A partner whose side is the same text as an earlier statement's
        // occurrence would give a copy that stays there: not searched.
        partners.retain(|&(d, w, _)| d == c.doc || !taken.same_text(d, w));
        if partners.iter().all(|&(d, ..)| d == c.doc) {
            continue;
        }
        // The representative is this side as its comparisons aligned it,
        // not the union of its same-text neighbours: where copies vary (a
        // templated page) the union is a text none holds whole, few copies
        // are admitted and the rest search it again for each variant.
        let mut rep = words;
        let len = rep.len();
        // Where a partner holds the whole text: its side stretched by what
        // the representative has beyond the side it was aligned with, and
        // some slack for words inserted or deleted there. Not checked to be
        // in order (`WordRange::new`): [`windows`] clips what is past the
        // document's end and drops what is left empty.
        let slack = cfg.max_gap as u32 + len / 8;
        let mut search: Vec<(DocId, WordRange)> = partners
            .iter()
            .map(|&(d, w, found_by)| {
                let before = found_by.start as i64 - rep.start as i64 + slack as i64;
                let after = rep.end as i64 - found_by.end as i64 + slack as i64;
                let (s, e) = ((w.start as i64 - before).max(0), (w.end as i64 + after).max(0));
                (d, WordRange { start: s.min(u32::MAX as i64) as u32, end: e.min(u32::MAX as i64) as u32 })
            })
            .collect();
        // Copies of one article (a near-duplicate cluster) hold its text
        // too, but were never compared with each other's partners: search
        // them around where the member that brought them in has it, as
        // far again as the text is long (the copies differ elsewhere).
        let mut mates = Vec::new();
        for &(d, w) in &search {
            let g = info.group[d.index()];
            let lo = clusters.partition_point(|x| x.0 < g);
            let w = WordRange { start: w.start.saturating_sub(len), end: w.end.saturating_add(len) };
            mates.extend(clusters[lo..].iter().take_while(|x| x.0 == g).filter(|x| x.1 != d).map(|x| (x.1, w)));
        }
        search.extend(mates);
        search.sort_unstable();
        let centre_words = (info.words)(c.doc);
        let mut centre = &centre_words[rep.range()];
        let mut index = GramIndex::new(centre, align::COPY_SEED_WORDS);
        // A text repeated back to back is one text: its copies are counted
        // one by one, not in blocks of whatever length alignment chained.
        let periodic = period(centre, &index, cfg.min_words);
        if let Some(d) = periodic {
            centre = &centre[..d];
            rep.end = rep.start + d as u32;
            index = GramIndex::new(centre, align::COPY_SEED_WORDS);
        }
        let text_grams = probe::grams(centre);
        let per_doc: Vec<&[(DocId, WordRange)]> = search.chunk_by(|x, y| x.0 == y.0).collect();
        let search_doc = |scratch: &mut align::Scratch, list: &[(DocId, WordRange)]| {
            let doc = list[0].0;
            let words = (info.words)(doc);
            let grams = again_docs.binary_search(&doc).ok().map(|i| (&again[i], &text_grams[..]));
            let windows = windows(words.len(), centre.len(), list, grams, cfg.max_gap, periodic.is_some());

            align::copies(&index, &words, &windows, cfg, scratch)
                .into_iter()
                .map(|(al, matched)| (doc, al, matched))
                .collect::<Vec<_>>()
        };
        // Threads only pay where there is work to share.
        let found: Vec<(DocId, Alignment, align::Matched)> = if per_doc.len() < PARALLEL_DOCS {
            let mut scratch = align::Scratch::default();
            per_doc.into_iter().flat_map(|list| search_doc(&mut scratch, list)).collect()
        } else {
            per_doc.into_par_iter().map_init(align::Scratch::default, search_doc).flatten_iter().collect()
        };
        let mut copies: Vec<(DocId, Alignment, align::Matched)> = found
            .into_iter()
            .filter(|(d, al, _)| {
                // The representative is added as itself; other copies the
                // same text as an earlier statement's occurrence stay there.
                let representative = *d == c.doc && al.b.overlaps(rep);
                !representative && !taken.same_text(*d, al.b)
            })
            .collect();
        copies.sort_by(|x, y| {
            let key = |(d, al, _): &(DocId, Alignment, align::Matched)| {
                (std::cmp::Reverse(al.a.len()), std::cmp::Reverse(al.matched), id_rank[d.index()], *d, al.b.start)
            };
            key(x).cmp(&key(y))
        });
        // The core: the representative's words every member so far matched
        // exactly. Two members share at least the core, word for word.
        let len = rep.len();
        let need = (cfg.min_words as u32).max(len.div_ceil(2)) as usize;
        let mut core = vec![true; len as usize];
        let mut next = Vec::new();
        let mut members: Vec<Occurrence> = vec![occurrence(c.doc, rep, 1.0)];
        for (d, al, matched) in copies {
            next.clear();
            next.resize(core.len(), false);
            for r in &matched {
                next[r.range()].copy_from_slice(&core[r.range()]);
            }
            if holds(&next, need, cfg.min_identity) {
                std::mem::swap(&mut core, &mut next);
                members.push(occurrence(d, al.b, al.identity()));
            }
        }
        if members.iter().all(|o| o.doc == c.doc) {
            continue;
        }
        for o in &members {
            taken.insert(o.doc, o.words);
        }
        members.sort_by_key(|o| (o.doc, o.words.start));
        let representative = members.iter().position(|o| o.doc == c.doc && o.words.start == rep.start).expect("kept");
        out.push(statement(members, representative, info, boilerplate_docs));
    }
    out.sort_by(|x, y| {
        (x.boilerplate, std::cmp::Reverse(x.sources), std::cmp::Reverse(x.docs), first(x)).cmp(&(
            y.boilerplate,
            std::cmp::Reverse(y.sources),
            std::cmp::Reverse(y.docs),
            first(y),
        ))
    });
    Ok((out, spilled))
}

/// For the documents `docs` (any order, repeats allowed), their dense ranks
/// by date (dated first, ISO dates compared as text) and by id, indexed by
/// document; equal dates or ids get equal ranks, other documents 0.
fn ranks(docs: impl Iterator<Item = DocId>, info: &DocInfo<'_>) -> (Vec<u32>, Vec<u32>) {
    let mut seen: Vec<DocId> = docs.collect();
    seen.par_sort_unstable();
    seen.dedup();
    let dense = |sorted: &[DocId], same: &dyn Fn(DocId, DocId) -> bool| {
        let mut rank = vec![0u32; info.id.len()];
        let mut r = 0;
        for (i, &d) in sorted.iter().enumerate() {
            if i > 0 && !same(sorted[i - 1], d) {
                r += 1;
            }
            rank[d.index()] = r;
        }
        rank
    };
    let date = |d: DocId| {
        let date = info.date[d.index()];
        (date.is_none(), date)
    };
    let mut by_date = seen.clone();
    by_date.par_sort_by(|&x, &y| date(x).cmp(&date(y)));
    let mut by_id = seen;
    by_id.par_sort_by(|&x, &y| info.id[x.index()].cmp(info.id[y.index()]));
    (dense(&by_date, &|x, y| date(x) == date(y)), dense(&by_id, &|x, y| info.id[x.index()] == info.id[y.index()]))
}

/// Whether a core (the representative's words every member matched) still
/// makes a passage: its matched words span at least `need` words, at least
/// `min_identity` of them matched — as any two members must share.
fn holds(core: &[bool], need: usize, min_identity: f64) -> bool {
    let (Some(first), Some(last)) = (core.iter().position(|&x| x), core.iter().rposition(|&x| x)) else {
        return false;
    };
    let span = last + 1 - first;
    let count = core[first..=last].iter().filter(|&&x| x).count();
    span >= need && count as f64 >= min_identity * span as f64
}

fn occurrence(doc: DocId, words: WordRange, identity: f64) -> Occurrence {
    Occurrence { doc, words, identity, span: Span::default(), context: None }
}

/// Where to look for copies of a text of `text_len` words in a document of
/// `doc_len` words: the windows of `list` (where its partners have the
/// text) and, in a document that repeats itself, wherever the text's grams
/// are (`again`: the document's grams and the text's); the whole document
/// for a periodic text (`whole`: a text repeated back to back is likely
/// repeated further on too) if it is not much longer than the text.
fn windows(
    doc_len: usize,
    text_len: usize,
    list: &[(DocId, WordRange)],
    again: Option<(&DocGrams, &[u64])>,
    max_gap: usize,
    whole: bool,
) -> Vec<WordRange> {
    if whole && doc_len <= WHOLE_DOC_FACTOR * text_len + WHOLE_DOC_WORDS {
        return vec![WordRange::new(0, doc_len as u32)];
    }
    let n = doc_len as u32;
    let mut around: Vec<WordRange> = list
        .iter()
        .map(|&(_, w)| (w.start.min(n), w.end.min(n)))
        .filter(|w| w.0 < w.1)
        .map(|(s, e)| WordRange::new(s, e))
        .collect();
    around.sort_unstable();
    let around = probe::merge(around);
    match again {
        // Windows around the partners' sides that already cover the whole
        // document (a short page) leave the probe nothing to add.
        Some(_) if around == [WordRange::new(0, n)] => around,
        Some((doc, text)) => {
            let mut all = around;
            all.extend(doc.windows(text, text_len, max_gap + text_len / 4));
            all.sort_unstable();
            probe::merge(all)
        }
        None => around,
    }
}

/// Occurrences of the statements made so far: per document, their word
/// ranges sorted. Queried for every candidate and every copy found, so a
/// direct index by document and a short sorted list, where a set ordered by
/// `(doc, start, end)` spent a tenth of the stage walking its tree.
struct Taken(Vec<Vec<WordRange>>);

impl Taken {
    fn new(docs: usize) -> Taken {
        Taken(vec![Vec::new(); docs])
    }

    /// Whether words `w` of `doc` are the same text as an occurrence
    /// already taken. Such an occurrence overlaps by half of the longer, so
    /// it is at most twice as long and starts after `w.start − 2 × len`.
    fn same_text(&self, doc: DocId, w: WordRange) -> bool {
        let from = w.start.saturating_sub(2 * w.len());
        let list = &self.0[doc.index()];
        let lo = list.partition_point(|x| x.start < from);
        list[lo..].iter().take_while(|x| x.start < w.end).any(|&x| same_text(x, w))
    }

    fn insert(&mut self, doc: DocId, w: WordRange) {
        let list = &mut self.0[doc.index()];
        if let Err(at) = list.binary_search(&w) {
            list.insert(at, w);
        }
    }

    /// Whether an occurrence already taken covers words `w` of `doc` but
    /// for a tenth of them. Looks at the [`COVER_LOOKS`] taken occurrences
    /// starting nearest before it: bounded work, and a miss only costs a
    /// search.
    fn covers(&self, doc: DocId, w: WordRange) -> bool {
        let slack = w.len() / 10;
        let list = &self.0[doc.index()];
        let hi = list.partition_point(|x| x.start <= w.start + slack);
        list[..hi].iter().rev().take(COVER_LOOKS).any(|x| x.start <= w.start + slack && x.end + slack >= w.end)
    }
}

/// See [`Taken::covers`].
const COVER_LOOKS: usize = 64;

/// The period of `words` when they are one text repeated back to back
/// (a paragraph said three times in a row and aligned as one passage):
/// the shift `d ≥ min_words` at which at least 80% of the words equal the
/// word `d` further on, with at least two periods. Found from the repeats of
/// each word's position in `index` (the words' grams): linear.
fn period(words: &[u32], index: &GramIndex, min_words: usize) -> Option<usize> {
    let n = words.len();
    let mut shifts = index.repeat_shifts();
    if shifts.is_empty() {
        return None;
    }
    shifts.sort_unstable();
    let (d, _) = shifts
        .chunk_by(|x, y| x == y)
        .map(|g| (g[0] as usize, g.len()))
        .filter(|&(d, _)| d >= min_words && 2 * d <= n)
        .max_by_key(|&(d, count)| (count, std::cmp::Reverse(d)))?;
    let equal = (0..n - d).filter(|&i| words[i] == words[i + d]).count();
    (5 * equal >= 4 * (n - d)).then_some(d)
}

fn first(s: &Statement) -> (DocId, u32) {
    (s.occurrences[0].doc, s.occurrences[0].words.start)
}

/// Builds one statement from its occurrences, sorted by document and start,
/// and the index of the representative among them.
fn statement(
    occurrences: Vec<Occurrence>,
    representative: usize,
    info: &DocInfo<'_>,
    boilerplate_docs: usize,
) -> Statement {
    let mut docs: Vec<DocId> = occurrences.iter().map(|o| o.doc).collect();
    docs.dedup();
    let mut per_source: Vec<u32> = docs.iter().map(|d| info.source[d.index()]).collect();
    per_source.sort_unstable();
    let counts: Vec<usize> = per_source.chunk_by(|a, b| a == b).map(<[u32]>::len).collect();
    // Documents of sources that each repeat the text across many of their
    // documents: one site's footer, or one platform's comment form on many
    // blogs.
    let repeated: usize = counts.iter().filter(|&&n| n >= boilerplate_docs).sum();
    // Ties are broken by document id, never by input position, so that the
    // choice does not depend on the order documents were read in.
    let origin = docs
        .iter()
        .filter_map(|&d| info.date[d.index()].map(|date| (date, info.id[d.index()], d)))
        .min()
        .map(|(_, _, d)| d);
    let rep = &occurrences[representative];
    let mut kind = (repeated > 0 && 2 * repeated >= docs.len()).then_some(BoilerplateKind::Template);
    if kind.is_none() && (info.is_templated)(rep.doc, rep.words) {
        kind = Some(BoilerplateKind::Template);
    }
    if kind.is_none() {
        let mut groups: Vec<u32> = docs.iter().map(|d| info.group[d.index()]).collect();
        groups.sort_unstable();
        groups.dedup();
        if (info.is_formula)(rep.doc, rep.words, groups.len()) {
            kind = Some(BoilerplateKind::Formula);
        }
    }
    Statement {
        docs: docs.len(),
        sources: counts.len(),
        boilerplate: kind.is_some(),
        boilerplate_kind: kind,
        origin,
        representative,
        occurrences,
        text: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFG: AlignConfig = AlignConfig { seed_words: 3, max_gap: 8, min_words: 8, min_identity: 0.6 };

    /// Statements of documents given by their words, every pair aligned.
    fn statements(docs: &[Vec<u32>], source: &[u32], date: &[Option<String>]) -> Vec<Statement> {
        let passages = passages_of(docs);
        let ids: Vec<String> = (0..docs.len()).map(|d| format!("d{d:03}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let group: Vec<u32> = (0..docs.len() as u32).collect();
        let words = |d: DocId| Cow::Borrowed(&docs[d.index()][..]);
        let date: Vec<Option<&str>> = date.iter().map(Option::as_deref).collect();
        let info = DocInfo {
            source,
            date: &date,
            id: &ids,
            group: &group,
            words: &words,
            is_formula: &|_, _, _| false,
            is_templated: &|_, _| false,
            stop: &|| false,
        };
        group_statements(&passages, &info)
    }

    /// The passages of every pair of `docs`.
    fn passages_of(docs: &[Vec<u32>]) -> Vec<Passage> {
        let mut passages = Vec::new();
        for a in 0..docs.len() {
            for b in a + 1..docs.len() {
                let index = GramIndex::new(&docs[a], CFG.seed_words);
                let mut s = align::Scratch::default();
                for k in align::align_matched(&index, &docs[b], 0..docs[b].len(), &CFG, align::Mode::OneToOne, &mut s) {
                    passages.push(Passage {
                        a: DocId(a as u32),
                        b: DocId(b as u32),
                        alignment: k.alignment,
                        extra: k.extra,
                    });
                }
            }
        }
        passages
    }

    fn group_statements(passages: &[Passage], info: &DocInfo<'_>) -> Vec<Statement> {
        group(passages.to_vec(), info, &CFG, 4)
    }

    /// Unique filler words for document `d`.
    fn filler(d: u32, n: u32) -> Vec<u32> {
        (0..n).map(|i| 1_000_000 + d * 10_000 + i).collect()
    }

    /// An occurrence serializes its words as `word_start` and `word_end`,
    /// as before they were a [`WordRange`], and without its context.
    #[test]
    fn an_occurrence_serializes_flat() {
        let mut o = occurrence(DocId(3), WordRange::new(10, 30), 1.0);
        o.span = Span::new(50, 170);
        o.context = Some(Box::default());
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            r#"{"doc":3,"word_start":10,"word_end":30,"identity":1.0,"span":{"start":50,"end":170}}"#
        );
    }

    #[test]
    fn the_same_quote_in_three_documents_is_one_statement() {
        let quote: Vec<u32> = (1..=20).collect();
        let docs: Vec<Vec<u32>> =
            (0..3).map(|d| [filler(d, 10 + 5 * d), quote.clone(), filler(d + 10, 7)].concat()).collect();
        let date = [Some("2021-03-02".to_string()), Some("2021-03-01".to_string()), None];
        let st = statements(&docs, &[0, 1, 2], &date);
        assert_eq!(st.len(), 1, "{st:#?}");
        assert_eq!((st[0].docs, st[0].sources), (3, 3));
        assert_eq!(st[0].origin, Some(DocId(1)));
        assert_eq!(st[0].occurrences[st[0].representative].doc, DocId(1), "the earliest dated, all else equal");
        let ranges: Vec<WordRange> = st[0].occurrences.iter().map(|o| o.words).collect();
        assert_eq!(ranges, vec![WordRange::new(10, 30), WordRange::new(15, 35), WordRange::new(20, 40)]);
        assert!(st[0].occurrences.iter().all(|o| o.identity == 1.0));
    }

    /// A stop asked for during grouping ends it at the next candidate, with
    /// `Interrupted`, whatever is left to take.
    #[test]
    fn grouping_stops_when_asked() {
        let quote: Vec<u32> = (1..=20).collect();
        let docs: Vec<Vec<u32>> = (0..3).map(|d| [filler(d, 10), quote.clone(), filler(d + 10, 7)].concat()).collect();
        let passages = passages_of(&docs);
        assert!(!passages.is_empty());
        let ids = ["a", "b", "c"];
        let words = |d: DocId| Cow::Borrowed(&docs[d.index()][..]);
        let asked = std::sync::atomic::AtomicUsize::new(0);
        // Stops at the second question: one candidate is taken first.
        let stop = || asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= 1;
        let info = DocInfo {
            source: &[0, 1, 2],
            date: &[None, None, None],
            id: &ids,
            group: &[0, 1, 2],
            words: &words,
            is_formula: &|_, _, _| false,
            is_templated: &|_, _| false,
            stop: &stop,
        };
        let mut sides = Sides::new(3, usize::MAX, None);
        sides.add(&passages).unwrap();
        let err = group_sides(sides, &info, &CFG, 4).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Interrupted);
        assert_eq!(asked.load(std::sync::atomic::Ordering::Relaxed), 2);
    }

    /// A shares one text with B, B another with C: two statements, not one
    /// chain.
    #[test]
    fn chained_passages_are_separate_statements() {
        let (p1, p2): (Vec<u32>, Vec<u32>) = ((1..=15).collect(), (101..=115).collect());
        let docs = vec![
            [filler(0, 12), p1.clone(), filler(1, 12)].concat(),
            [filler(2, 12), p1.clone(), p2.clone(), filler(3, 12)].concat(),
            [filler(4, 12), p2.clone(), filler(5, 12)].concat(),
        ];
        let st = statements(&docs, &[0, 1, 2], &[None, None, None]);
        assert_eq!(st.len(), 2, "{st:#?}");
        for s in &st {
            assert_eq!(s.docs, 2, "{s:#?}");
        }
    }

    /// Document i holds words [10i, 10i + 30) of one long text: any two
    /// occurrences of a statement share at least `min_words` words of it.
    #[test]
    fn a_sliding_chain_gives_coherent_statements() {
        let docs: Vec<Vec<u32>> =
            (0..12u32).map(|i| [filler(i, 9), (10 * i..10 * i + 30).collect(), filler(i + 100, 9)].concat()).collect();
        let st = statements(&docs, &(0..12).collect::<Vec<_>>(), &[const { None }; 12]);
        assert!(!st.is_empty());
        for s in &st {
            // Words of the long text each occurrence covers.
            let text: Vec<(u32, u32)> = s
                .occurrences
                .iter()
                .map(|o| {
                    let d = &docs[o.doc.index()];
                    (d[o.words.start as usize], d[o.words.end as usize - 1] + 1)
                })
                .collect();
            for (i, x) in text.iter().enumerate() {
                for y in &text[i + 1..] {
                    let shared = x.1.min(y.1).saturating_sub(x.0.max(y.0));
                    assert!(shared >= 8, "{x:?} and {y:?} share {shared} words in {s:#?}");
                }
            }
        }
    }

    /// A paragraph three times in one document and twice in another: one
    /// statement with one occurrence per copy.
    #[test]
    fn every_copy_is_one_occurrence() {
        let para: Vec<u32> = (1..=12).collect();
        let docs = vec![
            [filler(0, 5), para.clone(), filler(1, 20), para.clone(), filler(2, 20), para.clone()].concat(),
            [filler(3, 9), para.clone(), filler(4, 20), para.clone(), filler(5, 3)].concat(),
        ];
        let st = statements(&docs, &[0, 1], &[None, None]);
        assert_eq!(st.len(), 1, "{st:#?}");
        let per_doc: Vec<usize> =
            (0..2).map(|d| st[0].occurrences.iter().filter(|o| o.doc == DocId(d)).count()).collect();
        assert_eq!(per_doc, vec![3, 2], "{st:#?}");
    }

    /// Copies back to back align as one long passage, but are counted one
    /// by one: the representative is one period of the repetition.
    #[test]
    fn copies_back_to_back_are_counted_one_by_one() {
        let para: Vec<u32> = (1..=12).collect();
        let docs = vec![
            [filler(0, 5), para.clone(), para.clone(), para.clone(), filler(1, 5)].concat(),
            [filler(3, 9), para.clone(), para.clone(), filler(4, 20), para.clone(), filler(5, 3)].concat(),
        ];
        let st = statements(&docs, &[0, 1], &[None, None]);
        assert_eq!(st.len(), 1, "{st:#?}");
        let per_doc: Vec<usize> =
            (0..2).map(|d| st[0].occurrences.iter().filter(|o| o.doc == DocId(d)).count()).collect();
        assert_eq!(per_doc, vec![3, 3], "{st:#?}");
        assert!(st[0].occurrences.iter().all(|o| o.words.len() == 12), "{st:#?}");
    }

    #[test]
    fn a_template_repeated_across_one_source_is_boilerplate() {
        let footer: Vec<u32> = (1..=20).collect();
        let docs: Vec<Vec<u32>> = (0..6).map(|d| [filler(d, 30), footer.clone()].concat()).collect();
        let st = statements(&docs, &[7; 6], &[const { None }; 6]);
        assert_eq!(st.len(), 1);
        assert!(st[0].boilerplate);
        assert_eq!(st[0].boilerplate_kind, Some(BoilerplateKind::Template));
        // The same text on six different sites is news.
        let st = statements(&docs, &[0, 1, 2, 3, 4, 5], &[const { None }; 6]);
        assert!(!st[0].boilerplate);
    }
}
