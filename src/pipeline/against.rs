//! `scan --against` from the archive's stored analyses: the document
//! clusters (and, with [`super::against_statements`], the statements) a
//! scan of the archive and the inputs together would report about the
//! inputs, at the cost of the inputs, not of the archive.
//!
//! The inputs are analyzed as by any scan; the archive is not read: its
//! stored band keys find the buckets the new records fall in, its stored
//! signatures verify the pairs they make, its stored pairs give the rest of
//! the graph ([`crate::archive::graph`]). Clustering then runs on the
//! connected components that hold a new record, and on nothing else: star
//! clustering decides inside a component from that component alone, so
//! those components give the clusters the whole scan gives them. Only their
//! archived records are read back (one frame each) to compare exactly and to
//! describe them. Statements: [`super::against_statements`]; `index add`
//! brings the statement state up to date the same way ([`day_state`]).

use std::sync::Arc;

use rayon::prelude::*;

use super::against_statements::{self, Day, Outcome};
use super::{Analyzed, exact_clustering, excerpt_of, locate, verify_at};
use crate::analyze::{Analysis, analyze, with_scratch};
use crate::archive::graph::{New, Stored, Units};
use crate::archive::state::State;
use crate::archive::{Archive, graph};
use crate::cluster::ClusterSim;
use crate::cluster::{Cluster, UnionFind};
use crate::config::Config;
use crate::error::Error;
use crate::model::{DocId, Document, PairCounts, Scan, Spilled, Stage, Timings};
use crate::normalize::Analyzer;
use crate::passage;
use crate::progress::Progress;
use crate::read::{Discovery, Fields, Raw, RawLine};
use crate::report::caps::EXCERPT_CLUSTERS;
use crate::sign::Signer;
use crate::spill::store::{Signatures, Store};
use crate::verify::{Edge, Similarity};

/// How a scan against an archive reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// From the stored analyses: the cost of the inputs.
    Stored,
    /// Its texts scanned with the inputs, for the reason given.
    Texts(String),
}

impl Mode {
    /// How a scan of `config` against `archive` is meant to read it: from
    /// the stored analyses when they were made with this run's parameters
    /// (and, for statements, its statement options). The scan may still
    /// fall back to the texts when the new records change what is stored
    /// (see docs/archive.md); `scan_against` says which it
    /// did.
    pub fn of(archive: &Archive, config: &Config) -> Mode {
        let params = &archive.manifest().parameters;
        let differs = params
            .differs(config)
            .or_else(|| config.passage.enabled.then(|| params.differs_statements(config)).flatten());
        match differs {
            Some(p) => Mode::Texts(format!("the stored analyses were made with other parameters: {p}")),
            None => Mode::Stored,
        }
    }

    /// As `summary.json`'s `archive.analyses` says it: `stored` or `texts`.
    pub fn name(&self) -> &'static str {
        match self {
            Mode::Stored => "stored",
            Mode::Texts(_) => "texts",
        }
    }
}

/// What a scan from the stored analyses comes to.
pub(super) enum Finished {
    /// The scan.
    Scan(Box<Scan>),
    /// The stored statement state does not give a whole scan's statements,
    /// for the reason said: scan the archive's texts.
    Rescan(String),
}

/// Every stage after the inputs' first pass, against `stored` (and, for
/// statements, `state`).
pub(super) fn finish(
    kept: Analyzed,
    discovery: Discovery,
    stored: &Stored,
    state: Option<&State>,
    config: &Config,
    progress: &Progress,
    mut timings: Timings,
) -> Result<Finished, Error> {
    let Analyzed { docs: new_docs, content, mut sigs, mut words, .. } = kept;
    let spill_error = |source| crate::spill::error(config.spill_dir.as_deref(), source);
    sigs.finish().and_then(|()| words.finish()).map_err(spill_error)?;
    let archived = stored.len();
    let banding = config.banding();
    let Touched { extended, clusters, archived: touched_archived, reread } =
        touched(stored, &content, &sigs, &words, config, progress, &mut timings)?;
    let mut clusters = clusters;
    let fields = Arc::new(Fields::default());

    // Statements, from the stored statement state.
    let mut archived_docs: Vec<(u32, Document)> =
        touched_archived.iter().zip(reread).map(|(d, a)| (d.0, a.doc)).collect();
    let mut statements = Vec::new();
    let mut aligned = 0;
    if let Some(state) = state {
        // Every cluster of the touched components: the new records may have
        // regrouped archived ones among themselves.
        let day = Day { new_docs: &new_docs, words: &words, clusters: &clusters, touched: &touched_archived };
        let spin = progress.spinner("statements");
        let outcome = timings.run(Stage::Align, || against_statements::statements(stored, state, &day, config))?;
        spin.finish_and_clear();
        match outcome {
            Outcome::Rescan(why) => return Ok(Finished::Rescan(why)),
            Outcome::Statements { statements: s, read, aligned: a } => {
                statements = s;
                aligned = a;
                archived_docs.extend(read.into_iter().map(|(g, a)| (g, a.doc)));
            }
        }
        config.go_on()?;
    }
    // What the archive alone would have reported is not the inputs' answer.
    clusters.retain(|c| c.members.iter().any(|m| m.0.index() >= archived));
    let words_spilled = words.spilled_bytes();
    drop(words);

    // Documents: the archived ones read back (not the whole archive: a
    // million `Document`s are a quarter of a gigabyte), then the inputs'.
    archived_docs.sort_by_key(|x| x.0);
    archived_docs.dedup_by_key(|x| x.0);
    let archived_records: Vec<u32> = archived_docs.iter().map(|x| x.0).collect();
    let archived_local = archived_records.len();
    let numbered = |d: DocId| {
        if d.index() < archived {
            DocId(archived_records.binary_search(&d.0).expect("read back") as u32)
        } else {
            DocId((archived_local + d.index() - archived) as u32)
        }
    };
    for c in &mut clusters {
        c.representative = numbered(c.representative);
        c.members.iter_mut().for_each(|m| m.0 = numbered(m.0));
    }
    for s in &mut statements {
        s.occurrences.iter_mut().for_each(|o| o.doc = numbered(o.doc));
        s.origin = s.origin.map(numbered);
    }
    let docs: Vec<Document> = archived_docs.into_iter().map(|x| x.1).chain(new_docs).collect();

    let spin = progress.spinner("locate");
    let stop = || config.cancelled();
    let excerpts = timings.run(Stage::Locate, || -> Result<_, Error> {
        let mut excerpts = locate(&discovery, &config.fields, &mut statements, &clusters, &stop, archived_local);
        let mut from_archive: Vec<DocId> = clusters
            .iter()
            .take(EXCERPT_CLUSTERS)
            .flat_map(|c| c.members.iter().map(|m| m.0))
            .filter(|d| d.index() < archived_local)
            .collect();
        from_archive.sort_unstable();
        from_archive.dedup();
        let mut index = passage::locate::occurrence_index(&statements);
        index.retain(|r| r.0.index() < archived_local);
        let mut wanted: Vec<DocId> = index.iter().map(|r| r.0).chain(from_archive.iter().copied()).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut analyzer = Analyzer::new();
        let (mut tokens, mut spans) = (Vec::new(), Vec::new());
        for d in wanted {
            let rec = archived_record(stored, archived_records[d.index()] as usize, &fields)?;
            let Ok(text) = rec.content else { continue };
            let lo = index.partition_point(|r| r.0 < d);
            let entries: Vec<_> = index[lo..].iter().take_while(|r| r.0 == d).copied().collect();
            if !entries.is_empty() {
                tokens.clear();
                analyzer.tokens_into(&text, &mut tokens);
                spans.clear();
                spans.extend(tokens.iter().map(|t| t.span));
                passage::locate::locate(&mut statements, &entries, &text, &spans);
            }
            if from_archive.binary_search(&d).is_ok() {
                excerpts.push((d, excerpt_of(&text)));
            }
        }
        excerpts.sort_by_key(|e| e.0);
        Ok(excerpts)
    })?;
    spin.finish_and_clear();
    config.go_on()?;

    let pairs = PairCounts {
        candidates: extended.candidates,
        verified: extended.new_edges.len() as u64,
        aligned,
        ..Default::default()
    };
    let spilled = Spilled { signatures: sigs.store().spilled_bytes(), words: words_spilled, sorted: 0, statements: 0 };
    Ok(Finished::Scan(Box::new(Scan {
        docs,
        clusters,
        statements,
        excerpts,
        discovery,
        banding,
        pairs,
        timings,
        spilled,
        resumed: Vec::new(),
        archived: archived_local,
        archived_records,
        linked: Vec::new(),
    })))
}

/// What the new records of a day change in an archive's statement state
/// (what `index add` writes besides their segment).
pub struct DayState {
    /// The group of every new record.
    pub new_group: Vec<u32>,
    /// The archived records whose group changes, with the new group, sorted.
    pub regrouped: Vec<(u32, u32)>,
    /// Pairs sharing a passage that the archive's links lack, sorted.
    pub new_links: Vec<(u32, u32)>,
    /// The new records' leader keys, numbered after the archive's, sorted.
    pub keys: Vec<crate::archive::order::Key>,
    /// The new records' source hashes.
    pub sources: Vec<u64>,
}

/// The [`DayState`] of the new records `kept` against `stored` and `state`;
/// `None` when rebuilding the state costs about as much.
pub(super) fn day_state(
    kept: Analyzed,
    stored: &Stored,
    state: &State,
    config: &Config,
    progress: &Progress,
) -> Result<Option<DayState>, Error> {
    let Analyzed { docs: new_docs, content, mut sigs, mut words, .. } = kept;
    let spill_error = |source| crate::spill::error(config.spill_dir.as_deref(), source);
    sigs.finish().and_then(|()| words.finish()).map_err(spill_error)?;
    let mut timings = Timings::default();
    let t = touched(stored, &content, &sigs, &words, config, progress, &mut timings)?;
    let day = Day { new_docs: &new_docs, words: &words, clusters: &t.clusters, touched: &t.archived };
    let Ok(l) = against_statements::linked(stored, state, &day, config, true)? else { return Ok(None) };
    Ok(Some(DayState {
        new_group: l.new_group,
        regrouped: l.regrouped,
        new_links: l.new_links,
        keys: l.keys,
        sources: l.new_source,
    }))
}

/// The clusters of the connected components that hold a new record (every
/// one of them, also those of archived records only), numbered as in a scan
/// of both, and the archived records of those components read back.
struct Touched {
    extended: graph::Extended,
    clusters: Vec<Cluster>,
    /// The archived records of the components, sorted.
    archived: Vec<DocId>,
    /// Their analyses, in that order.
    reread: Vec<Analysis>,
}

/// Index, verify and cluster the new records (`content`, `sigs`, `words`)
/// against `stored`: see [`Touched`].
fn touched(
    stored: &Stored,
    content: &[Option<u64>],
    sigs: &Signatures,
    words: &Store,
    config: &Config,
    progress: &Progress,
    timings: &mut Timings,
) -> Result<Touched, Error> {
    let archived = stored.len();
    let banding = config.banding();
    let spin = progress.spinner("index");
    let extended = timings
        .run(Stage::Index, || graph::extend(stored, New { content, sigs }, &banding, verify_at(config)))
        .map_err(|e| archive_error(stored, e))?;
    spin.finish_and_clear();
    config.go_on()?;
    let edges = extended.edges(&stored.edges);
    let units = &extended.units;

    // The units of the components that hold a new record, in unit order.
    let spin = progress.spinner("cluster");
    let content_of =
        |d: DocId| if d.index() < archived { stored.content(d.index()) } else { content[d.index() - archived] };
    let (local_reps, local_edges) = touched_units(units, &edges, content, &extended.lost);
    let local_units: Vec<Vec<DocId>> = local_reps
        .iter()
        .map(|&r| units.members(content_of(r).expect("a representative has words")).collect())
        .collect();
    let mut local_docs: Vec<DocId> = local_units.iter().flatten().copied().collect();
    local_docs.sort_unstable();
    let local = |d: DocId| DocId(local_docs.binary_search(&d).expect("a document of a touched unit") as u32);

    // Their archived records read back and analyzed as the scan would.
    let archived_local = local_docs.partition_point(|d| d.index() < archived);
    let reread = timings.run(Stage::Analyze, || read_back(stored, &local_docs[..archived_local], config))?;
    config.go_on()?;

    let clusters = timings.run(Stage::Cluster, || {
        let new_words: Vec<Vec<u32>> = local_docs[archived_local..]
            .iter()
            .map(|d| words.get(DocId((d.index() - archived) as u32)).to_vec())
            .collect();
        let all_words: Vec<Vec<u32>> = reread.iter().map(|a| a.words.clone()).chain(new_words).collect();
        let local_words = Store::of(&all_words);
        let new_sigs: Vec<_> =
            local_docs[archived_local..].iter().map(|d| sigs.get(DocId((d.index() - archived) as u32))).collect();
        let local_sigs =
            Signatures::of(reread.iter().map(|a| a.sig.as_ref()).chain(new_sigs.iter().map(Option::as_ref)));
        let lunits: Vec<Vec<DocId>> = local_units.iter().map(|u| u.iter().map(|&d| local(d)).collect()).collect();
        let ledges: Vec<Edge> =
            local_edges.iter().map(|e| Edge { a: local(e.a), b: local(e.b), similarity: e.similarity }).collect();
        let how = if exact_clustering(config) {
            ClusterSim::ExactFromWords(&local_words, config.shingle.n, local_docs.len())
        } else {
            ClusterSim::Given(Similarity::Estimated(&local_sigs))
        };
        // Numbered as in a scan of both: the archive's records, then the inputs'.
        let global = |d: DocId| local_docs[d.index()];
        let clusters: Vec<Cluster> = how
            .cluster(&lunits, &ledges, config.limits())
            .into_iter()
            .map(|c| Cluster {
                kind: c.kind,
                representative: global(c.representative),
                members: c.members.into_iter().map(|(d, s)| (global(d), s)).collect(),
            })
            .collect();
        clusters
    });
    spin.finish_and_clear();
    config.go_on()?;

    let archived_docs = local_docs[..archived_local].to_vec();
    Ok(Touched { extended, clusters, archived: archived_docs, reread })
}

/// The representatives of the units in the connected components (units
/// joined by `edges`) that hold a new record (of exact-duplicate keys
/// `content`) or an end of a `lost` stored pair, in document order, and
/// the edges among them. Only the documents with an edge and the new
/// records' units are looked at, not every unit of the archive.
fn touched_units(
    units: &Units,
    edges: &[Edge],
    content: &[Option<u64>],
    lost: &[(DocId, DocId)],
) -> (Vec<DocId>, Vec<Edge>) {
    let mut nodes: Vec<DocId> = edges.iter().flat_map(|e| [e.a, e.b]).collect();
    nodes.sort_unstable();
    nodes.dedup();
    let node = |d: DocId| nodes.binary_search(&d).ok().map(|i| i as u32);
    let mut uf = UnionFind::new(nodes.len());
    for e in edges {
        uf.union(node(e.a).expect("an end"), node(e.b).expect("an end"));
    }
    // The unit of every new record, by its representative; and the ends of
    // stored pairs the new records take away, whose components (of
    // archived records only, maybe) may cluster otherwise: their groups
    // count in statements.
    let mut seeds: Vec<DocId> =
        content.iter().flatten().map(|&c| units.members(c).next().expect("a unit holds its documents")).collect();
    seeds.extend(lost.iter().flat_map(|&(a, b)| [a, b]));
    seeds.sort_unstable();
    seeds.dedup();
    let mut roots: Vec<u32> = seeds.iter().filter_map(|&d| node(d)).map(|n| uf.find(n)).collect();
    roots.sort_unstable();
    roots.dedup();
    let inside = |uf: &mut UnionFind, d: DocId| roots.binary_search(&uf.find(node(d).expect("an end"))).is_ok();
    let mut reps = seeds;
    reps.extend(nodes.iter().copied().filter(|&d| inside(&mut uf, d)));
    reps.sort_unstable();
    reps.dedup();
    let local_edges = edges.iter().copied().filter(|e| inside(&mut uf, e.a)).collect();
    debug_assert!(reps.iter().all(|&d| units.is_rep(d)), "edges join representatives");
    (reps, local_edges)
}

/// Archived records `docs`, read back from their segments and analyzed as a
/// scan analyzes them, in that order.
///
/// # Errors
/// Reading failed, or a record reads back other words than its stored
/// analyses say (a damaged archive).
pub(super) fn read_back(stored: &Stored, docs: &[DocId], config: &Config) -> Result<Vec<Analysis>, Error> {
    let signer = Signer::new(config.method, config.num_perm, config.seed);
    let fields = Arc::new(Fields::default());
    docs.par_iter()
        .map(|&d| {
            let rec = archived_record(stored, d.index(), &fields)?;
            let a = with_scratch(|s| analyze(rec, config, &signer, s));
            if a.content != stored.content(d.index()) {
                return Err(damaged(stored, d, "reads back other words than its stored analyses"));
            }
            Ok(a)
        })
        .collect()
}

/// Archived record `g`, read back from its segment as a scan reads it.
pub(super) fn archived_record(stored: &Stored, g: usize, fields: &Arc<Fields>) -> Result<crate::read::Record, Error> {
    let (bytes, path, line) = stored.record(g)?;
    let input: Arc<str> = path.to_string_lossy().into();
    Ok(Raw::Line(RawLine { input, line, bytes, fields: Arc::clone(fields) }).parse())
}

pub(super) fn archive_error(stored: &Stored, e: std::io::Error) -> Error {
    Error::ArchiveDamaged { path: stored.dir().to_path_buf(), reason: format!("cannot be read ({e})") }
}

pub(super) fn damaged(stored: &Stored, d: DocId, what: &str) -> Error {
    Error::ArchiveDamaged {
        path: stored.dir().to_path_buf(),
        reason: format!("record {} {what}: check it with `sada index info --verify`", d.index()),
    }
}
