//! `scan --against` statements from the archive's stored statement state
//! ([`crate::archive::state`]): the statements a scan of the archive and
//! the inputs together would report about the inputs, reading only the
//! archived records those statements can depend on.
//!
//! Grouping is greedy over the whole crawl, but it only ever looks at a
//! candidate's document, the partners its passages reach and their
//! near-duplicate cluster mates: statements of one part of the graph of
//! passages and clusters never see another part. So the statements that
//! hold a new record are those of the parts holding new records, grouped
//! alone — when the passages inside those parts are the whole scan's:
//!
//! 1. Groups: a new record takes its cluster's; archived records whose
//!    cluster the new ones change are *regrouped*.
//! 2. The anchors of the new and regrouped records are looked up in the
//!    archive's postings; with every holder's group, source and leader rank
//!    (stored), the matching stage runs on them as a whole scan would, and
//!    once more as the archive alone did. The pairs only the first makes are
//!    aligned (archived words from the word files): the new links. Records
//!    holding a frequent anchor whose leader the day changes are
//!    *unsettled*: their other anchors, not looked up, decide their pairs.
//! 3. The parts: from the new and unsettled records over the stored links,
//!    the new links and cluster co-membership; past [`MAX_SHARE`] of the
//!    archive, the caller scans the texts instead ([`Outcome::Rescan`]).
//! 4. Every word gram of the parts' records is looked up, so that their
//!    pairs, frequencies and template anchors are the whole scan's; their
//!    pairs are aligned and grouped, and the statements holding a new record
//!    kept.
//!
//! Why this is the whole scan's answer: docs/archive.md ("Statements from
//! the stored state").

use std::borrow::Cow;

use rayon::prelude::*;

use super::against::{archive_error, read_back};
use crate::analyze::Analysis;
use crate::archive::graph::Stored;
use crate::archive::order;
use crate::archive::state::{State, cluster_group, source_hash};
use crate::cluster::Cluster;
use crate::config::Config;
use crate::error::Error;
use crate::model::{DocId, Document};
use crate::passage::{self, Frequencies, Ids, Matches, PassageConfig, Statement, fingerprint};
use crate::spill::store::Store;

/// The parts holding new records may not reach more than this share of the
/// archive: past it, reading their records back costs about what a rescan
/// does, and a rescan holds them all in memory no worse.
const MAX_SHARE: usize = 8;
/// ... but up to this many archived records are always read back: on a small
/// archive a rescan costs little more, but the stored state is still exact.
const MIN_REACH: usize = 256;

/// What the stored state gives.
pub(super) enum Outcome {
    /// The statements holding a new record, numbered as in a scan of the
    /// archive and the inputs together (archived records first); the
    /// archived records their occurrences are in, read back, by number; and
    /// the pairs aligned to group them.
    Statements { statements: Vec<Statement>, read: Vec<(u32, Analysis)>, aligned: u64 },
    /// The stored state does not give the whole scan's answer, for the
    /// reason said: scan the archive's texts.
    Rescan(String),
}

/// The inputs' side of a day.
pub(super) struct Day<'a> {
    /// The inputs' records.
    pub new_docs: &'a [Document],
    /// Their words.
    pub words: &'a Store,
    /// Every cluster of the components holding new records (also those of
    /// archived records only), numbered as in a scan of both (archived
    /// records first).
    pub clusters: &'a [Cluster],
    /// The archived records of those components, sorted.
    pub touched: &'a [DocId],
}

/// Records read back from the archive, by number, sorted.
struct ReadBack(Vec<(u32, Analysis)>);

impl ReadBack {
    fn get(&self, g: u32) -> Option<&Analysis> {
        self.0.binary_search_by_key(&g, |x| x.0).ok().map(|i| &self.0[i].1)
    }

    /// Reads back (and checks against their stored analyses) the records of
    /// `wanted` not read yet.
    fn read(&mut self, wanted: &[u32], stored: &Stored, config: &Config) -> Result<(), Error> {
        let mut missing: Vec<DocId> = wanted.iter().copied().filter(|&g| self.get(g).is_none()).map(DocId).collect();
        missing.sort_unstable();
        missing.dedup();
        let got = read_back(stored, &missing, config)?;
        self.0.extend(missing.iter().map(|d| d.0).zip(got));
        self.0.sort_unstable_by_key(|x| x.0);
        Ok(())
    }
}

/// Word hashes of archived records, read from the archive's word files, by
/// number, sorted.
struct StoredWords(Vec<(u32, Vec<u32>)>);

impl StoredWords {
    fn get(&self, g: u32) -> &[u32] {
        &self.0[self.0.binary_search_by_key(&g, |x| x.0).expect("read")].1
    }

    /// Reads those of `wanted` not read yet.
    fn read(&mut self, wanted: &[u32], state: &State) -> std::io::Result<()> {
        let mut missing: Vec<u32> =
            wanted.iter().copied().filter(|&g| self.0.binary_search_by_key(&g, |x| x.0).is_err()).collect();
        missing.sort_unstable();
        missing.dedup();
        let got: Vec<(u32, Vec<u32>)> =
            missing.par_iter().map(|&g| Ok((g, state.words_of(g)?))).collect::<std::io::Result<_>>()?;
        self.0.extend(got);
        self.0.sort_unstable_by_key(|x| x.0);
        Ok(())
    }
}

/// What the new records change in the archive's statement state, and what
/// grouping their statements needs of it.
pub(super) struct Linked {
    /// The group of every new record.
    pub new_group: Vec<u32>,
    /// The archived records whose group the new records change, with their
    /// new group, sorted.
    pub regrouped: Vec<(u32, u32)>,
    /// Pairs that share a passage that the new records make (with a new
    /// record, or between archived ones they regroup or unsettle), sorted:
    /// what the archive's links gain.
    pub new_links: Vec<(u32, u32)>,
    /// The new records' leader keys, sorted.
    pub keys: Vec<order::Key>,
    /// The leader rank of every record, archived then new.
    rank: Vec<u32>,
    /// Every source hash, sorted: a record's source number is its place.
    sources: Vec<u64>,
    /// The new records' source hashes.
    pub new_source: Vec<u64>,
    /// The new records' anchor postings.
    new_postings: Vec<(u64, u32)>,
    /// Archived records whose pairs by frequent anchors may change.
    unsettled: Vec<u32>,
}

impl Linked {
    /// The group of record `g` (of `n` archived) in a scan of both.
    fn group_of(&self, state: &State, n: u32, g: u32) -> u32 {
        if g >= n {
            self.new_group[(g - n) as usize]
        } else {
            let r = &self.regrouped;
            r.binary_search_by_key(&g, |x| x.0).map_or(state.docs.group[g as usize], |i| r[i].1)
        }
    }

    /// The source number of record `g`.
    fn source_of(&self, state: &State, n: u32, g: u32) -> u32 {
        let hash = if g < n { state.docs.source[g as usize] } else { self.new_source[(g - n) as usize] };
        self.sources.binary_search(&hash).expect("listed") as u32
    }
}

/// Steps 1 and 2 of the module doc: the groups, pairs and passages the new
/// records of `day` add to the archive of `stored` and `state`. With
/// `settle`, also the passages of archived records whose pairs by frequent
/// anchors the new records change (what `index add` must store; a scan
/// groups those records again instead). `Err` with the reason when the
/// stored state cannot give them (an anchor stops being frequent: see
/// [`unsettled`]) or, settling, they reach more than a rebuild would read.
///
/// # Errors
/// Reading the archive failed.
pub(super) fn linked(
    stored: &Stored,
    state: &State,
    day: &Day<'_>,
    config: &Config,
    settle: bool,
) -> Result<Result<Linked, String>, Error> {
    let pc = &config.passage;
    let n = stored.len() as u32;
    let t_count = day.new_docs.len() as u32;
    let io_error = |e: std::io::Error| archive_error(stored, e);

    // Groups: the stored ones, but where the new records change clusters.
    let (new_group, regrouped) = groups(state, day, n);
    // Leader ranks: the archive's order merged with the inputs'.
    let keys = order::keys(day.new_docs, n);
    let (rank, _) = order::merge(&state.order, &keys, None).map_err(io_error)?;
    // Sources, numbered densely by hash.
    let new_source: Vec<u64> = day.new_docs.iter().map(|d| source_hash(&d.meta.source)).collect();
    let mut sources: Vec<u64> = state.docs.source.iter().chain(&new_source).copied().collect();
    sources.par_sort_unstable();
    sources.dedup();
    let mut linked = Linked {
        new_group,
        regrouped,
        new_links: Vec::new(),
        keys,
        rank,
        sources,
        new_source,
        new_postings: Vec::new(),
        unsettled: Vec::new(),
    };
    let l = &linked;
    let group_of = |g: u32| l.group_of(state, n, g);
    let stored_group = |g: u32| if g < n { state.docs.group[g as usize] } else { g };
    let source_of = |g: u32| l.source_of(state, n, g);
    let rank = |g: u32| l.rank[g as usize];
    let ids = Ids { group: &group_of, source: &source_of, rank: &rank };
    let alone_ids = Ids { group: &stored_group, source: &source_of, rank: &rank };

    // 1. The anchors of the new records and of the regrouped archived ones,
    // matched with and without the new records.
    let moved: Vec<u32> = l.regrouped.iter().map(|x| x.0).collect();
    let mut stored_words = StoredWords(Vec::new());
    stored_words.read(&moved, state).map_err(io_error)?;
    let new_anchors: Vec<Vec<passage::Anchor>> = (0..t_count)
        .into_par_iter()
        .map(|t| passage::anchors(&day.words.get(DocId(t)), pc.anchor_words, pc.window))
        .collect();
    let moved_anchors: Vec<Vec<passage::Anchor>> =
        moved.par_iter().map(|&g| passage::anchors(stored_words.get(g), pc.anchor_words, pc.window)).collect();
    let new_postings: Vec<(u64, u32)> =
        new_anchors.iter().enumerate().flat_map(|(t, a)| a.iter().map(move |a| (a.hash, n + t as u32))).collect();
    let mut queries: Vec<u64> =
        new_postings.iter().map(|p| p.0).chain(moved_anchors.iter().flatten().map(|a| a.hash)).collect();
    queries.par_sort_unstable();
    queries.dedup();
    let archived = state.holders(&queries).map_err(io_error)?;
    drop(queries);
    let alone = passage::match_postings(archived.clone(), &alone_ids, pc);
    let full = passage::match_postings(archived.iter().chain(&new_postings).copied().collect(), &ids, pc);
    let Some((unsettled, settling)) = unsettled(&alone, &full, &archived, &moved, n) else {
        return Ok(Err(
            "the new records merge clusters so that an anchor of archived records is no longer frequent".into()
        ));
    };
    // Pairs a whole scan makes that the archive's did not: of new records,
    // and of archived records the new ones regroup.
    let mut new_pairs: Vec<(DocId, DocId)> = full.pairs.clone();
    let mut before: Vec<(DocId, DocId)> = alone.pairs.clone();
    for (t, anchors) in new_anchors.iter().enumerate() {
        passage::frequent_pairs_of(DocId(n + t as u32), anchors, &full.leaders, &group_of, pc, &mut new_pairs);
    }
    for (&g, anchors) in moved.iter().zip(&moved_anchors) {
        passage::frequent_pairs_of(DocId(g), anchors, &full.leaders, &group_of, pc, &mut new_pairs);
        passage::frequent_pairs_of(DocId(g), anchors, &alone.leaders, &stored_group, pc, &mut before);
    }
    if settle {
        if unsettled.len() > (n as usize / MAX_SHARE).max(MIN_REACH) {
            return Ok(Err(format!("the new records unsettle {} archived records' frequent pairs", unsettled.len())));
        }
        // Every pair a changed frequent anchor can make: more than the
        // scan makes, which only widens what later days read.
        new_pairs.extend(settling.into_iter().filter(|&(a, b)| a != b && group_of(a.0) != group_of(b.0)));
    }
    new_pairs.par_sort_unstable();
    new_pairs.dedup();
    before.par_sort_unstable();
    before.dedup();
    new_pairs.retain(|p| before.binary_search(p).is_err());
    drop((alone, full, archived, new_anchors, moved_anchors, before));

    // 2. The new pairs aligned, the archived records' words read from the
    // archive's word files.
    let partners: Vec<u32> = new_pairs.iter().flat_map(|p| [p.0.0, p.1.0]).filter(|&g| g < n).collect();
    stored_words.read(&partners, state).map_err(io_error)?;
    config.go_on()?;
    let new_links = with_passages(&new_pairs, n, day.words, &|g| stored_words.get(g), pc);
    linked.new_links = new_links;
    linked.new_postings = new_postings;
    linked.unsettled = unsettled;
    Ok(Ok(linked))
}

/// The statements of `day` against the archive of `stored` and `state`.
///
/// # Errors
/// Reading the archive failed, or a record reads back other than stored.
pub(super) fn statements(stored: &Stored, state: &State, day: &Day<'_>, config: &Config) -> Result<Outcome, Error> {
    let pc = &config.passage;
    let n = stored.len() as u32;
    let t_count = day.new_docs.len() as u32;
    let io_error = |e: std::io::Error| archive_error(stored, e);
    let l = match linked(stored, state, day, config, false)? {
        Ok(l) => l,
        Err(why) => return Ok(Outcome::Rescan(why)),
    };
    let group_of = |g: u32| l.group_of(state, n, g);
    let source_of = |g: u32| l.source_of(state, n, g);
    let rank = |g: u32| l.rank[g as usize];
    let ids = Ids { group: &group_of, source: &source_of, rank: &rank };

    // 3. The parts holding new records, or archived ones whose frequent
    // pairs the new records change.
    let seeds: Vec<u32> = (n..n + t_count).chain(l.unsettled.iter().copied()).collect();
    let part = match reach(&state.links, &l.new_links, &group_of, seeds, n, n + t_count) {
        Ok(part) => part,
        Err(reached) => {
            return Ok(Outcome::Rescan(format!(
                "the new records' statements reach {reached}+ of the archive's {n} records, past 1/{MAX_SHARE} \
                 (and {MIN_REACH}), where reading them back costs about a rescan"
            )));
        }
    };
    let archived_part: Vec<u32> = part.iter().copied().filter(|&g| g < n).collect();
    let mut read = ReadBack(Vec::new());
    read.read(&archived_part, stored, config)?;
    config.go_on()?;

    // 4. Their grams looked up; pairs, frequencies and templates as a whole
    // scan has them.
    let words_of = |g: u32| -> Cow<'_, [u32]> {
        if g < n { Cow::Borrowed(&read.get(g).expect("read back").words) } else { day.words.get(DocId(g - n)) }
    };
    let mut grams: Vec<u64> = part
        .par_iter()
        .flat_map_iter(|&g| {
            let mut out = Vec::new();
            fingerprint::kgram_hashes(&words_of(g), pc.anchor_words, &mut out);
            out
        })
        .collect();
    grams.par_sort_unstable();
    grams.dedup();
    let mut holders = state.holders(&grams).map_err(io_error)?;
    holders.extend(l.new_postings.iter().copied().filter(|p| grams.binary_search(&p.0).is_ok()));
    drop(grams);
    let found = passage::match_postings(holders, &ids, pc);
    let inside = |g: u32| part.binary_search(&g).is_ok();
    let mut pairs: Vec<(DocId, DocId)> =
        found.pairs.iter().copied().filter(|p| inside(p.0.0) && inside(p.1.0)).collect();
    for &g in &part {
        let anchors = passage::anchors(&words_of(g), pc.anchor_words, pc.window);
        passage::frequent_pairs_of(DocId(g), &anchors, &found.leaders, &group_of, pc, &mut pairs);
    }
    pairs.retain(|p| inside(p.0.0) && inside(p.1.0));
    pairs.par_sort_unstable();
    pairs.dedup();
    let matches = Matches {
        pairs: Vec::new(),
        template: found.template,
        df: Frequencies::new(found.df),
        anchor_words: pc.anchor_words,
        window: pc.window,
    };

    // Aligned and grouped in a numbering of their own, in the scan's order.
    let local = |g: u32| DocId(part.binary_search(&g).expect("inside") as u32);
    let local_words: Vec<Vec<u32>> = part.iter().map(|&g| words_of(g).into_owned()).collect();
    let store = Store::of(&local_words);
    drop(local_words);
    let local_pairs: Vec<(DocId, DocId)> = pairs.iter().map(|&(a, b)| (local(a.0), local(b.0))).collect();
    let aligned = local_pairs.len() as u64;
    let passages = passage::align_pairs(&store, &local_pairs, &pc.align);
    config.go_on()?;
    let doc_of = |g: u32| if g < n { &read.get(g).expect("read back").doc } else { &day.new_docs[(g - n) as usize] };
    let source: Vec<u32> = part.iter().map(|&g| source_of(g)).collect();
    let date: Vec<Option<&str>> = part.iter().map(|&g| doc_of(g).meta.date.as_deref()).collect();
    let id: Vec<&str> = part.iter().map(|&g| doc_of(g).meta.id.as_str()).collect();
    let group: Vec<u32> = part.iter().map(|&g| group_of(g)).collect();
    let docs = passage::statement::PartDocs { source: &source, date: &date, id: &id, group: &group, global: &part };
    let mut statements = passage::statement::group_part(passages, &store, &matches, &docs, &|| config.cancelled(), pc);
    config.go_on()?;
    statements.retain(|s| s.occurrences.iter().any(|o| o.doc.0 >= n));
    let mut kept: Vec<u32> =
        statements.iter().flat_map(|s| s.occurrences.iter().map(|o| o.doc.0)).filter(|&g| g < n).collect();
    kept.sort_unstable();
    kept.dedup();
    let read = read.0.into_iter().filter(|(g, _)| kept.binary_search(g).is_ok()).collect();
    Ok(Outcome::Statements { statements, read, aligned })
}

/// The groups a scan of both gives the records of the components holding
/// new records: of every new record, and of the archived records whose
/// group is not the stored one (sorted by record).
///
/// A group is named by its smallest record number, as the stored groups
/// are: a cluster the new records leave as it was keeps its name.
fn groups(state: &State, day: &Day<'_>, n: u32) -> (Vec<u32>, Vec<(u32, u32)>) {
    let mut new_group: Vec<u32> = (n..n + day.new_docs.len() as u32).collect();
    let mut label: Vec<(u32, u32)> = day.touched.iter().map(|d| (d.0, d.0)).collect();
    for c in day.clusters {
        let first = cluster_group(c);
        for m in &c.members {
            if m.0.0 >= n {
                new_group[(m.0.0 - n) as usize] = first;
            } else if let Ok(i) = label.binary_search_by_key(&m.0.0, |x| x.0) {
                label[i].1 = first;
            }
        }
    }
    label.retain(|&(g, l)| state.docs.group[g as usize] != l);
    (new_group, label)
}

/// Unsettled records, sorted, and the pairs their changed anchors can make.
type Unsettled = (Vec<u32>, Vec<(DocId, DocId)>);

/// The archived records whose pairs by frequent anchors the new records
/// may change: the holders and leaders of every anchor whose leader for
/// [`passage::frequent_pairs`] the new records change (they make it
/// frequent, lead it, or regroup its leader). Which of their pairs change
/// depends on all their anchors, so rather than matched here they join the
/// parts that are grouped again, where all their anchors are. Also every
/// pair of such an anchor's holder with its new leader: a superset of the
/// pairs it makes (a frequent anchor breaks runs of others with another
/// leader, and pairs with its own).
///
/// `None` when an anchor stops being frequent (the new records merge
/// clusters holding it): it no longer breaks its holders' runs of anchors
/// led by a record that may be anywhere in the archive, which only looking
/// up all their anchors would find.
fn unsettled(
    alone: &passage::Found,
    full: &passage::Found,
    archived: &[(u64, u32)],
    moved: &[u32],
    n: u32,
) -> Option<Unsettled> {
    let leader = |list: &[(u64, u32)], h: u64| list.binary_search_by_key(&h, |x| x.0).ok().map(|i| list[i].1);
    let mut hashes: Vec<u64> = alone.leaders.iter().chain(&full.leaders).map(|l| l.0).collect();
    hashes.sort_unstable();
    hashes.dedup();
    let (mut docs, mut pairs) = (Vec::new(), Vec::new());
    for h in hashes {
        let (a, f) = (leader(&alone.leaders, h), leader(&full.leaders, h));
        let regrouped = [a, f].iter().flatten().any(|l| moved.binary_search(l).is_ok());
        if a == f && !regrouped {
            continue;
        }
        let f = f?;
        let lo = archived.partition_point(|x| x.0 < h);
        for &(_, d) in archived[lo..].iter().take_while(|x| x.0 == h) {
            docs.push(d);
            pairs.push((DocId(d.min(f)), DocId(d.max(f))));
        }
        docs.extend([a, Some(f)].into_iter().flatten().filter(|&l| l < n));
    }
    docs.sort_unstable();
    docs.dedup();
    Some((docs, pairs))
}

/// The pairs of `pairs` that share a passage (their new records' words from
/// `new_words`, their archived records' from `archived_words`).
fn with_passages<'a>(
    pairs: &[(DocId, DocId)],
    n: u32,
    new_words: &Store,
    archived_words: &(dyn Fn(u32) -> &'a [u32] + Sync),
    pc: &PassageConfig,
) -> Vec<(u32, u32)> {
    let mut docs: Vec<u32> = pairs.iter().flat_map(|p| [p.0.0, p.1.0]).collect();
    docs.sort_unstable();
    docs.dedup();
    let local = |g: u32| DocId(docs.binary_search(&g).expect("an end") as u32);
    let words: Vec<Vec<u32>> = docs
        .iter()
        .map(|&g| if g < n { archived_words(g).to_vec() } else { new_words.get(DocId(g - n)).into_owned() })
        .collect();
    let store = Store::of(&words);
    drop(words);
    let local_pairs: Vec<(DocId, DocId)> = pairs.iter().map(|&(a, b)| (local(a.0), local(b.0))).collect();
    let mut links: Vec<(u32, u32)> = passage::align_pairs(&store, &local_pairs, &pc.align)
        .iter()
        .map(|p| (docs[p.a.index()], docs[p.b.index()]))
        .collect();
    links.sort_unstable();
    links.dedup();
    links
}

/// The records of the parts of the passage and cluster graph holding
/// `seeds` (the new records, and archived records whose pairs may change),
/// sorted: over the stored `links`, `new_links` and cluster co-membership.
/// When they hold more than [`MAX_SHARE`] of the archive's `n` records (and
/// [`MIN_REACH`]), the archived records reached when that was found.
fn reach(
    links: &[(u32, u32)],
    new_links: &[(u32, u32)],
    group_of: &(dyn Fn(u32) -> u32 + Sync),
    seeds: Vec<u32>,
    n: u32,
    total: u32,
) -> Result<Vec<u32>, usize> {
    // Neighbours by passage, both ways.
    let mut adj: Vec<(u32, u32)> = links.iter().chain(new_links).flat_map(|&(a, b)| [(a, b), (b, a)]).collect();
    adj.par_sort_unstable();
    adj.dedup();
    // Cluster mates: (group, record) of every record in a group of two or more.
    let mut mates: Vec<(u32, u32)> = (0..total).into_par_iter().map(|g| (group_of(g), g)).collect();
    mates.par_sort_unstable();
    let mates: Vec<(u32, u32)> = mates.chunk_by(|x, y| x.0 == y.0).filter(|g| g.len() > 1).flatten().copied().collect();
    let limit = (n as usize / MAX_SHARE).max(MIN_REACH);
    let mut reached = vec![false; total as usize];
    let mut frontier: Vec<u32> =
        seeds.into_iter().filter(|&g| !std::mem::replace(&mut reached[g as usize], true)).collect();
    let mut seen = frontier.clone();
    let mut archived = seen.iter().filter(|&&g| g < n).count();
    while !frontier.is_empty() {
        if archived > limit {
            return Err(archived);
        }
        let mut next = Vec::new();
        for &g in &frontier {
            let lo = adj.partition_point(|x| x.0 < g);
            next.extend(adj[lo..].iter().take_while(|x| x.0 == g).map(|x| x.1));
            let l = group_of(g);
            let lo = mates.partition_point(|x| x.0 < l);
            next.extend(mates[lo..].iter().take_while(|x| x.0 == l).map(|x| x.1));
        }
        next.retain(|&g| !std::mem::replace(&mut reached[g as usize], true));
        archived += next.iter().filter(|&&g| g < n).count();
        seen.extend(&next);
        frontier = next;
    }
    if archived > limit {
        return Err(archived);
    }
    seen.sort_unstable();
    Ok(seen)
}
