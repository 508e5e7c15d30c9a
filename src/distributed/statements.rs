//! The statement stages on the cluster (see the module docs of [`super`]):
//! anchors sent by hash with what matching needs of their documents, the
//! pairs aligned where their first document lives, and the statements
//! grouped part by part of the graph of passages and clusters, each part
//! where its label hashes to, with its documents' words and the frequencies
//! of their word grams brought there.
//!
//! Grouping is greedy over the whole crawl but only ever looks at a
//! candidate's document, the partners its passages reach and their cluster
//! mates: the statements of one part never see another's (the argument of
//! `pipeline/against_statements.rs`). So each part grouped alone, in a
//! numbering that keeps the global order, gives the statements one process
//! gives, and process 0 puts them in its order.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::components::{components, to_components};
use super::fetch::{Local, fetch, lookup};
use super::packed::{MatchIds, PackedIds};
use super::superstep::{IN_FLIGHT, exchange, gather, largest, send, smallest, total};
use super::{Run, mix};
use crate::model::{DocId, Span, WordRange};
use crate::passage::statement::{BoilerplateKind, Occurrence, PartDocs, Statement};
use crate::passage::{self, Found, Frequencies, Matches, Passage, fingerprint};

/// What matching and grouping need of this process's documents, by local
/// index.
pub(super) struct DocIds {
    /// Near-duplicate group: the smallest document of its cluster, or the
    /// document itself.
    pub(super) group: Vec<u32>,
    /// Source number (sources sorted by name, over the whole run).
    pub(super) source: Vec<u32>,
    /// Place in the order that chooses anchor leaders (see
    /// [`passage::Ids::rank`]).
    pub(super) rank: Vec<u32>,
}

/// What the match stage leaves on each process: the pairs it aligns, and
/// its share (by hash) of the anchor frequencies and template anchors.
#[derive(Serialize, Deserialize)]
pub(super) struct Matched {
    pub(super) pairs: Vec<(DocId, DocId)>,
    pub(super) df: Vec<(u64, u32)>,
    pub(super) template: Vec<u64>,
}

/// This process's documents' ids for matching, packed for each process
/// `postings` (anchor hash, local document) go to (`hash mod peers`, as an
/// exchange by hash routes them): every document with an anchor going
/// there, once, in chunks of at most `chunk` documents ([`IDS_CHUNK`]).
fn ids_by_destination(
    postings: &[(u64, u32)],
    peers: usize,
    chunk: usize,
    ids: impl Fn(u32) -> MatchIds + Sync,
) -> Vec<(u64, PackedIds)> {
    let mut to: Vec<(u64, u32)> = postings.par_iter().map(|&(h, i)| (h % peers as u64, i)).collect();
    to.par_sort_unstable();
    to.dedup();
    // Local numbers in order are global numbers in order (a process's
    // documents are numbered in the order it read them).
    let chunks: Vec<&[(u64, u32)]> = to.chunk_by(|a, b| a.0 == b.0).flat_map(|run| run.chunks(chunk)).collect();
    chunks.into_par_iter().map(|c| (c[0].0, PackedIds::pack(c.iter().map(|&(_, i)| ids(i))))).collect()
}

/// Documents a message of [`ids_by_destination`] packs (a few hundred KB).
const IDS_CHUNK: usize = 1 << 16;

/// A document's key in the order of anchor leaders: undated after dated,
/// date, id, number.
type RankKey = (bool, Option<String>, String, u32);

/// Keys each process samples for the ranges of [`Run::ranks`].
const RANK_SAMPLES: usize = 1024;

/// A document of a part, as its owner sends it to the part's process.
#[derive(Clone, Serialize, Deserialize)]
struct PartDoc {
    words: Vec<u32>,
    date: Option<String>,
    id: String,
    source: u32,
    group: u32,
}

/// A statement on its way to process 0: occurrences as `(document, word
/// start, word end, identity)`, and where it was made (process, place in
/// its list) to keep ties in the order they were made.
#[derive(Clone, Serialize, Deserialize)]
struct Wire {
    occurrences: Vec<(u32, u32, u32, f64)>,
    docs: u64,
    sources: u64,
    boilerplate: bool,
    kind: Option<u8>,
    origin: Option<u32>,
    representative: u64,
    made: (u64, u64),
}

impl Run<'_> {
    /// Sources, leader ranks and groups of this process's documents (the
    /// groups as the cluster stage sent them, `groups`).
    pub(super) fn doc_ids(&mut self, groups: &[(u32, u32)]) -> DocIds {
        let docs = &self.owned.analyzed.docs;
        let mut names: Vec<String> = docs.iter().map(|d| d.meta.source.clone()).collect();
        names.sort_unstable();
        names.dedup();
        let mut names = gather(self.worker, names);
        names.sort_unstable();
        names.dedup();
        let source = docs.iter().map(|d| names.binary_search(&d.meta.source).expect("gathered") as u32).collect();
        let rank = self.ranks();
        let group = self
            .owned
            .ids
            .iter()
            .map(|&d| groups.binary_search_by_key(&d, |x| x.0).map_or(d, |i| groups[i].1))
            .collect();
        DocIds { group, source, rank }
    }

    /// Each own document's place in the order that chooses anchor leaders —
    /// dated documents first, by date, then by id, then by number — over the
    /// whole run: a sample sort. Every process sends a sample of its sorted
    /// keys to all; the samples' quantiles split the keys into ranges, one
    /// per process; each sorts its range, and a range's place follows from
    /// the sizes of the ranges before it.
    fn ranks(&mut self) -> Vec<u32> {
        let (worker, owned) = (&mut *self.worker, &self.owned);
        let (me, peers) = (worker.index() as u64, worker.peers());
        let mut keys: Vec<RankKey> = owned
            .ids
            .iter()
            .zip(&owned.analyzed.docs)
            .map(|(&d, doc)| (doc.meta.date.is_none(), doc.meta.date.clone(), doc.meta.id.clone(), d))
            .collect();
        keys.par_sort_unstable();
        let step = keys.len().div_ceil(RANK_SAMPLES).max(1);
        let mut samples = gather(worker, keys.iter().step_by(step).cloned().collect());
        samples.sort_unstable();
        let splitters: Vec<RankKey> =
            (1..peers).filter_map(|k| samples.get(k * samples.len() / peers).cloned()).collect();
        let ranged: Vec<(u64, RankKey)> =
            keys.into_iter().map(|k| (splitters.partition_point(|s| *s <= k) as u64, k)).collect();
        let mut range = send(worker, ranged);
        range.par_sort_unstable();
        let sizes = gather(worker, vec![(me, range.len() as u64)]);
        let before: u64 = sizes.iter().filter(|x| x.0 < me).map(|x| x.1).sum();
        let ranks: Vec<(u64, (u32, u32))> = range
            .iter()
            .enumerate()
            .map(|(i, k)| (self.layout.owner(k.3), (k.3, (before + i as u64) as u32)))
            .collect();
        drop(range);
        let mut ranks = send(worker, ranks);
        ranks.par_sort_unstable();
        ranks.into_iter().map(|x| x.1).collect()
    }

    /// Anchor matching: each process winnows its documents, sends every
    /// anchor by hash, and what matching needs of a document (group, source,
    /// rank) once to each process its anchors of the part go to; each
    /// matches what lands (frequencies, template anchors, seed pairs,
    /// leaders of frequent anchors); the leaders go to everyone, the holders
    /// of frequent anchors to their owners for their pairs; every pair to
    /// the owner of its first document.
    pub(super) fn matches(&mut self, ids: &DocIds) -> Matched {
        let (layout, owned, config) = (&self.layout, &self.owned, self.config);
        let cfg = &config.passage;
        let stores = owned.stores();
        let words = &owned.analyzed.words;
        self.cp.stage(self.worker, "match", &mut self.resumed, &stores, |worker| {
            // A part of the anchor hash space as large as one process's part
            // (all the cluster's postings of a part, with their copies in
            // flight, within the postings share of --memory-limit): each
            // process holds 1/P of it. Parts are winnowed once, spilled.
            let items = total(worker, words.items());
            let budget = smallest(worker, config.budgets().postings);
            let peers = worker.peers();
            let partitions = passage::partitions_of(items, cfg, budget / IN_FLIGHT, 1);
            let parts = if partitions > 1 {
                let dir = config.spill_dir.as_deref();
                match passage::postings::Parts::write(words, cfg, partitions, budget / peers, dir) {
                    Ok(parts) => Some(parts),
                    Err(e) => super::fail(worker.index(), &crate::spill::error(dir, e)),
                }
            } else {
                None
            };
            let mut found = Found::default();
            let mut leaders: Vec<(u64, u32, u32)> = Vec::new();
            for part in 0..partitions as u64 {
                let mine = match &parts {
                    Some(parts) => parts.read(part as usize).unwrap_or_else(|e| super::read_failed(worker.index(), e)),
                    None => passage::partition_postings(words, cfg, part, partitions, &|_| true),
                };
                // What matching needs of a document goes once to each process
                // its anchors go to, not with every anchor.
                let ids_to = ids_by_destination(&mine, peers, IDS_CHUNK, |i| {
                    let i = i as usize;
                    (owned.ids[i], ids.group[i], ids.source[i], ids.rank[i])
                });
                let mine: Vec<(u64, u32)> = mine.into_iter().map(|(h, i)| (h, owned.ids[i as usize])).collect();
                let postings = exchange(worker, mine, |p| p.0);
                let packed = send(worker, ids_to);
                // At most one document per four bytes (untouched capacity
                // costs no memory): no vector grown by doubling.
                let mut table: Vec<MatchIds> = Vec::with_capacity(packed.iter().map(|p| p.len() / 4).sum());
                table.extend(packed.iter().flat_map(PackedIds::unpack));
                drop(packed);
                table.par_sort_unstable();
                let of = |d: u32| table[table.binary_search_by_key(&d, |x| x.0).expect("sent with its anchors")];
                let ids = passage::Ids { group: &|d| of(d).1, source: &|d| of(d).2, rank: &|d| of(d).3 };
                let part = passage::match_postings(postings, &ids, cfg);
                leaders.extend(part.leaders.iter().map(|&(h, l)| (h, l, of(l).1)));
                found.add(part);
            }
            if let Err(e) = words.check() {
                super::read_failed(worker.index(), e);
            }
            // Frequent anchors pair through their leaders.
            let mut leaders = gather(worker, leaders);
            leaders.par_sort_unstable();
            let by_hash: Vec<(u64, u32)> = leaders.iter().map(|x| (x.0, x.1)).collect();
            let mut leader_group: Vec<(u32, u32)> = leaders.iter().map(|x| (x.1, x.2)).collect();
            leader_group.par_sort_unstable();
            leader_group.dedup();
            let group = |d: u32| match owned.local(d) {
                Some(i) => ids.group[i],
                None => leader_group[leader_group.binary_search_by_key(&d, |x| x.0).expect("a leader")].1,
            };
            let holders: Vec<(u64, u32)> = found.holders.iter().map(|&d| (layout.owner(d), d)).collect();
            let mut holders = send(worker, holders);
            holders.par_sort_unstable();
            holders.dedup();
            let frequent: Vec<(DocId, DocId)> = holders
                .par_iter()
                .flat_map_iter(|&d| {
                    let i = owned.local(d).expect("a holder's owner");
                    let anchors = passage::anchors(&words.get(DocId(i as u32)), cfg.anchor_words, cfg.window);
                    let mut acc = Vec::new();
                    passage::frequent_pairs_of(DocId(d), &anchors, &by_hash, &group, cfg, &mut acc);
                    acc
                })
                .collect();
            let pairs: Vec<(u64, (DocId, DocId))> =
                found.pairs.iter().chain(&frequent).map(|&p| (layout.owner(p.0.0), p)).collect();
            let mut pairs = send(worker, pairs);
            pairs.par_sort_unstable();
            pairs.dedup();
            Matched { pairs, df: found.df, template: found.template }
        })
    }

    /// Aligns this process's pairs word by word, a round at a time, the
    /// other documents' words fetched for the round.
    pub(super) fn passages(&mut self, pairs: &[(DocId, DocId)]) -> Vec<Passage> {
        let (layout, owned, config) = (&self.layout, &self.owned, self.config);
        let stores = owned.stores();
        self.cp.stage(self.worker, "align", &mut self.resumed, &stores, |worker| {
            // A round's words within the sort and postings shares of
            // --memory-limit (free by now), two documents a pair at most.
            let items = total(worker, owned.analyzed.words.items());
            let docs = total(worker, owned.ids.len() as u64).max(1);
            let per_doc = (4 * items / docs).max(64) as usize;
            // The cluster's round as large as one process's block of pairs
            // (and its words within the sort and postings shares), each
            // process holding 1/P of it.
            let budgets = config.budgets();
            let budget = smallest(worker, budgets.sort.saturating_add(budgets.postings));
            let per_round = (budget / (2 * per_doc)).clamp(256, passage::ALIGN_BLOCK) / worker.peers();
            let per_round = per_round.max(1);
            let rounds = largest(worker, pairs.len().div_ceil(per_round));
            let mut found = Vec::new();
            for r in 0..rounds {
                let round = pairs.get(r * per_round..((r + 1) * per_round).min(pairs.len())).unwrap_or(&[]);
                let ends: Vec<u32> = round.iter().flat_map(|p| [p.0.0, p.1.0]).collect();
                let local = super::fetch::words(worker, layout, owned, &ends);
                let at = |d: DocId| local.local(d.0);
                let local_pairs: Vec<(DocId, DocId)> = round.iter().map(|&(a, b)| (at(a), at(b))).collect();
                let aligned = passage::align_pairs(&local.store, &local_pairs, &config.passage.align);
                found.extend(aligned.into_iter().map(|p| Passage { a: local.global(p.a), b: local.global(p.b), ..p }));
            }
            found
        })
    }

    /// The statements, on process 0 in one process's order (empty
    /// elsewhere): the parts of the graph of passages and clusters found
    /// by label propagation, each grouped where its label hashes to.
    pub(super) fn statements(&mut self, passages: Vec<Passage>, ids: &DocIds, matched: &Matched) -> Vec<Statement> {
        let (layout, owned, config) = (&self.layout, &self.owned, self.config);
        let worker = &mut *self.worker;
        let pc = &config.passage;
        // The graph: passages, and each clustered document to its group.
        let mut links: Vec<(u32, u32)> = passages.iter().map(|p| (p.a.0, p.b.0)).collect();
        links.extend(owned.ids.iter().zip(&ids.group).filter(|(d, g)| d != g).map(|(&d, &g)| (g, d)));
        links.par_sort_unstable();
        links.dedup();
        let labels = components(worker, links);
        // Passages to their part's process; the parts with passages are the
        // ones grouped.
        let passages = to_components(worker, passages, |p| p.a.0, &labels);
        let mut active: Vec<u32> = passages.iter().map(|x| x.0).collect();
        active.par_sort_unstable();
        active.dedup();
        let members: Vec<(u64, (u32, u32))> = labels.iter().map(|&(d, l)| (mix(l), (l, d))).collect();
        let members = send(worker, members);
        let part: Vec<u32> = members.into_iter().filter(|x| active.binary_search(&x.0).is_ok()).map(|x| x.1).collect();
        let docs = fetch(worker, layout, &part, &|d| {
            let i = owned.local(d).expect("the owner");
            let doc = &owned.analyzed.docs[i];
            PartDoc {
                words: owned.analyzed.words.get(DocId(i as u32)).into_owned(),
                date: doc.meta.date.clone(),
                id: doc.meta.id.clone(),
                source: ids.source[i],
                group: ids.group[i],
            }
        });
        let made = group_here(worker, docs, passages.into_iter().map(|x| x.1).collect(), matched, pc);
        let me = worker.index() as u64;
        let wires: Vec<(u64, Wire)> =
            made.into_iter().enumerate().map(|(i, s)| (0, to_wire(s, (me, i as u64)))).collect();
        let mut all = send(worker, wires);
        all.sort_by_key(order);
        all.into_iter().map(from_wire).collect()
    }
}

/// Groups the parts this process was given (their documents fetched,
/// `docs`; their passages), the frequencies and template anchors of their
/// word grams looked up where those live.
fn group_here(
    worker: &mut timely::worker::Worker,
    docs: Vec<(u32, PartDoc)>,
    passages: Vec<Passage>,
    matched: &Matched,
    pc: &passage::PassageConfig,
) -> Vec<Statement> {
    let mut grams: Vec<u64> = docs
        .par_iter()
        .flat_map_iter(|(_, d)| {
            let mut out = Vec::new();
            fingerprint::kgram_hashes(&d.words, pc.anchor_words, &mut out);
            out
        })
        .collect();
    grams.par_sort_unstable();
    grams.dedup();
    let df = |h: u64| matched.df.binary_search_by_key(&h, |x| x.0).ok().map(|i| matched.df[i].1);
    let found = lookup(worker, grams, &|h| (df(h), matched.template.binary_search(&h).is_ok()));
    let matches = Matches {
        pairs: Vec::new(),
        template: found.iter().filter(|x| x.1.1).map(|x| x.0).collect(),
        df: Frequencies::new(found.iter().filter_map(|x| x.1.0.map(|f| (x.0, f))).collect()),
        anchor_words: pc.anchor_words,
        window: pc.window,
    };
    drop(found);
    if docs.is_empty() {
        return Vec::new();
    }
    let mut docs = docs;
    let ids: Vec<u32> = docs.iter().map(|x| x.0).collect();
    let local = Local::new(docs.iter_mut().map(|x| (x.0, std::mem::take(&mut x.1.words))).collect());
    let source: Vec<u32> = docs.iter().map(|x| x.1.source).collect();
    let date: Vec<Option<&str>> = docs.iter().map(|x| x.1.date.as_deref()).collect();
    let id: Vec<&str> = docs.iter().map(|x| x.1.id.as_str()).collect();
    let group: Vec<u32> = docs.iter().map(|x| x.1.group).collect();
    let at = |d: DocId| local.local(d.0);
    let passages: Vec<Passage> = passages.into_iter().map(|p| Passage { a: at(p.a), b: at(p.b), ..p }).collect();
    let part = PartDocs { source: &source, date: &date, id: &id, group: &group, global: &ids };
    // A cluster run is not cancelled (it fails stop instead).
    passage::statement::group_part(passages, &local.store, &matches, &part, &|| false, pc)
}

/// The key of [`order`]: boilerplate last, most sources, most documents,
/// first occurrence, then where it was made.
type Order = (bool, std::cmp::Reverse<u64>, std::cmp::Reverse<u64>, (u32, u32), (u64, u64));

/// One process's order of statements (see `passage::statement::group_sides`),
/// ties in the order they were made.
fn order(w: &Wire) -> Order {
    let first = (w.occurrences[0].0, w.occurrences[0].1);
    (w.boilerplate, std::cmp::Reverse(w.sources), std::cmp::Reverse(w.docs), first, w.made)
}

fn to_wire(s: Statement, made: (u64, u64)) -> Wire {
    Wire {
        occurrences: s.occurrences.iter().map(|o| (o.doc.0, o.words.start, o.words.end, o.identity)).collect(),
        docs: s.docs as u64,
        sources: s.sources as u64,
        boilerplate: s.boilerplate,
        kind: s.boilerplate_kind.map(|k| match k {
            BoilerplateKind::Template => 0,
            BoilerplateKind::Formula => 1,
        }),
        origin: s.origin.map(|d| d.0),
        representative: s.representative as u64,
        made,
    }
}

fn from_wire(w: Wire) -> Statement {
    Statement {
        occurrences: w
            .occurrences
            .into_iter()
            .map(|(doc, start, end, identity)| Occurrence {
                doc: DocId(doc),
                words: WordRange::new(start, end),
                identity,
                span: Span::default(),
                context: None,
            })
            .collect(),
        docs: w.docs as usize,
        sources: w.sources as usize,
        boilerplate: w.boilerplate,
        boilerplate_kind: w.kind.map(|k| if k == 0 { BoilerplateKind::Template } else { BoilerplateKind::Formula }),
        origin: w.origin.map(DocId),
        representative: w.representative as usize,
        text: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every document goes once to every process one of its anchors goes
    /// to, and to no other, whatever the chunks.
    #[test]
    fn ids_go_once_where_their_anchors_go() {
        let postings: Vec<(u64, u32)> =
            (0..40u32).flat_map(|i| [(u64::from(i) * 7, i), (u64::from(i) * 7 + 1, i), (5, i)]).collect();
        let ids = |i: u32| (1000 + i, 1000 + i - i % 3, i % 5, 40 - i);
        for chunk in [1, 2, 7, IDS_CHUNK] {
            let sent = ids_by_destination(&postings, 3, chunk, ids);
            assert!(sent.iter().all(|(_, p)| p.unpack().count() <= chunk));
            for dest in 0..3u64 {
                let mut got: Vec<MatchIds> =
                    sent.iter().filter(|x| x.0 == dest).flat_map(|x| x.1.unpack().collect::<Vec<_>>()).collect();
                got.sort_unstable();
                let mut want: Vec<MatchIds> = postings.iter().filter(|p| p.0 % 3 == dest).map(|p| ids(p.1)).collect();
                want.sort_unstable();
                want.dedup();
                assert_eq!(got, want, "process {dest}, chunks of {chunk}");
            }
        }
    }
}
