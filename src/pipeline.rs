//! The scan: every stage, in order, over a list of inputs.

use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

use crate::cluster::{self, Cluster};
use crate::config::Config;
use crate::error::{Error, RecordError};
use crate::index::{self, Banding, Candidate};
use crate::normalize::Analyzer;
use crate::passage::{self, Statement};
use crate::progress::Progress;
use crate::read::{self, Discovery, Raw, RawReader, Record};
use crate::shingle::{self, ShingleKind};
use crate::sigfile;
use crate::sign::{Signature, Signer};
use crate::store::{Signatures, Store};
use crate::types::{DocId, Token};
use crate::verify::{self, Edge, Similarity};

/// What became of an input record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Usable text.
    Ok,
    /// Read fine, but no words in it.
    Empty,
    /// Could not be read or parsed.
    Error(RecordError),
}

impl Status {
    /// The contract's name of the status.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Empty => "empty",
            Status::Error(_) => "error",
        }
    }
}

/// One input record after analysis: what `documents.jsonl` says about it.
#[derive(Clone, Debug)]
pub struct Document {
    /// Contract `id`.
    pub id: String,
    /// Publisher.
    pub source: String,
    /// File it came from.
    pub input: String,
    /// URL, when known.
    pub url: Option<String>,
    /// Publication date, when known.
    pub date: Option<String>,
    /// Bytes of text.
    pub bytes: u64,
    /// Number of tokens.
    pub tokens: u32,
    /// Ok, empty or error.
    pub status: Status,
}

/// Named stages, for timings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Reading and decompressing inputs (the sequential part).
    Read,
    /// Normalize, shingle and sign (parallel, per document).
    Analyze,
    /// LSH banding into candidate pairs.
    Index,
    /// Exact duplicates and candidate verification.
    Verify,
    /// Union-find and star clustering.
    Cluster,
    /// Fingerprint postings into document pairs sharing a rare anchor.
    Match,
    /// Word-level alignment of those pairs.
    Align,
    /// Grouping passages into statements.
    Group,
    /// Re-reading the documents that hold statements (byte spans, contexts)
    /// or belong to clusters (excerpts for the report).
    Locate,
    /// Writing the outputs.
    Report,
}

/// Wall time per stage, in seconds, in the order stages ran. Serialized as
/// an object `{"read": 0.12, ...}` in that order.
#[derive(Clone, Debug, Default)]
pub struct Timings(pub Vec<(Stage, f64)>);

impl Serialize for Timings {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (stage, secs) in &self.0 {
            m.serialize_entry(stage, secs)?;
        }
        m.end()
    }
}

impl Timings {
    /// Adds `seconds` to `stage`.
    pub fn add(&mut self, stage: Stage, seconds: f64) {
        match self.0.iter_mut().find(|(s, _)| *s == stage) {
            Some((_, t)) => *t += seconds,
            None => self.0.push((stage, seconds)),
        }
    }

    /// Runs `f`, adding its wall time to `stage`.
    pub fn run<T>(&mut self, stage: Stage, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let out = f();
        self.add(stage, t.elapsed().as_secs_f64());
        out
    }

    /// Total of all stages.
    pub fn total(&self) -> f64 {
        self.0.iter().map(|(_, t)| t).sum()
    }
}

/// Counters of the pair-producing stages.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct PairCounts {
    /// Candidate pairs from LSH.
    pub candidates: u64,
    /// Candidates that met the threshold.
    pub verified: u64,
    /// Document pairs sharing a rare anchor, aligned word by word.
    pub aligned: u64,
    /// Passages found by alignment, before grouping.
    pub passages: u64,
}

/// Everything a scan found.
#[derive(Debug)]
pub struct Scan {
    /// One per input record, in input order; `DocId(i)` is `docs[i]`.
    pub docs: Vec<Document>,
    /// Near-duplicate clusters, sorted by representative.
    pub clusters: Vec<Cluster>,
    /// Recycled statements, most widely recycled first.
    pub statements: Vec<Statement>,
    /// Texts (cut at [`EXCERPT_BYTES`]) of the members of the first
    /// [`EXCERPT_CLUSTERS`] clusters, sorted by document, for the report.
    pub excerpts: Vec<(DocId, String)>,
    /// What the walk found and skipped.
    pub discovery: Discovery,
    /// The banding used.
    pub banding: Banding,
    /// Pair counters.
    pub pairs: PairCounts,
    /// Wall time per stage.
    pub timings: Timings,
    /// Bytes moved to disk to stay within `--memory-limit`.
    pub spilled: Spilled,
    /// Stages a cluster run took from its checkpoints (`--resume`).
    pub resumed: Vec<&'static str>,
}

/// Bytes spilled to disk, per structure (all 0 when everything fit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Spilled {
    /// Signature lanes.
    pub signatures: u64,
    /// Word hashes.
    pub words: u64,
    /// Sorted runs of LSH bucket keys.
    pub sorted: u64,
}

impl Scan {
    /// The cluster number of each document, if it is in one.
    pub fn cluster_of(&self) -> Vec<Option<u32>> {
        let mut out = vec![None; self.docs.len()];
        for (i, c) in self.clusters.iter().enumerate() {
            for (d, _) in &c.members {
                out[d.index()] = Some(i as u32);
            }
        }
        out
    }
}

/// Per-document results of the analyze stage.
pub(crate) struct Analysis {
    pub(crate) doc: Document,
    /// Hash of the normalized token stream (exact-duplicate key).
    pub(crate) content: Option<u64>,
    pub(crate) sig: Option<Signature>,
    /// Sorted shingle set, only with `--exact-jaccard`.
    pub(crate) set: Option<Vec<u64>>,
    /// Word hashes, truncated to 32 bits (statements, and exact Jaccard for
    /// clustering).
    pub(crate) words: Vec<u32>,
}

/// Per-thread reusable buffers of the analyze stage.
#[derive(Default)]
pub(crate) struct Scratch {
    analyzer: Analyzer,
    tokens: Vec<Token>,
    shingles: Vec<u64>,
    normalized: String,
}

/// How far below the threshold a candidate's estimated similarity may be and
/// still be checked exactly by the cluster stage.
const VERIFY_SLACK: f64 = 0.1;

/// Records per parallel batch, and the text size that also closes a batch.
/// Batches bound memory to one batch of text; their size only needs to be
/// large enough to keep every thread busy.
const BATCH_RECORDS: usize = 4096;
const BATCH_BYTES: usize = 64 << 20;

/// Runs every stage over `inputs`. Per-record failures end up in
/// [`Scan::docs`], not in `Err`.
///
/// # Errors
/// A missing input path, an explicitly given file of unknown type, invalid
/// parameters, or a thread pool that cannot start.
///
/// # Threading
/// Runs on its own rayon pool of `config.threads` threads; the result does
/// not depend on their number.
pub fn scan(inputs: &[PathBuf], config: &Config) -> Result<Scan, Error> {
    config.validate()?;
    let discovery = read::discover(inputs)?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(config.threads).build()?;
    pool.install(|| run(discovery, config))
}

fn run(mut discovery: Discovery, config: &Config) -> Result<Scan, Error> {
    let progress = Progress::new(config.progress);
    let mut timings = Timings::default();
    let signer = Signer::new(config.method, config.num_perm, config.seed);

    // read → normalize → shingle → sign, streaming in batches: only one batch
    // of text is ever in memory.
    let bar = progress.bytes(discovery.total_bytes());
    let mut kept = Kept::new(config);
    let mut failed: Result<(), Error> = Ok(());
    discovery.skipped_records = for_each_batch(&discovery.files, &mut timings, |batch, timings, consumed| {
        let analyzed: Vec<Analysis> = timings.run(Stage::Analyze, || {
            batch
                .into_par_iter()
                .map_init(Scratch::default, |s, raw| analyze(raw.parse(), config, &signer, s))
                .collect()
        });
        for a in analyzed {
            if failed.is_ok() {
                failed = kept.push(a);
            }
        }
        bar.set_position(consumed);
        bar.set_message(format!("{} records", kept.docs.len()));
    });
    bar.finish_and_clear();
    failed?;
    finish(kept, discovery, config, &mut Local, &progress, timings, true)
}

/// What the analyze stage keeps of every document, in input order, for the
/// grouping stages.
pub(crate) struct Kept {
    pub(crate) docs: Vec<Document>,
    /// Hash of the normalized token stream (exact-duplicate key).
    pub(crate) content: Vec<Option<u64>>,
    pub(crate) sigs: Signatures,
    /// Shingle sets, only with `--exact-jaccard`.
    pub(crate) sets: Vec<Option<Vec<u64>>>,
    pub(crate) words: Store,
    spill_dir: Option<PathBuf>,
}

impl Kept {
    pub(crate) fn new(config: &Config) -> Kept {
        let budgets = config.budgets();
        let dir = config.spill_dir.as_deref();
        Kept {
            docs: Vec::new(),
            content: Vec::new(),
            sigs: Signatures::new(budgets.signatures, dir),
            sets: Vec::new(),
            words: Store::new(budgets.words, dir),
            spill_dir: config.spill_dir.clone(),
        }
    }

    /// Appends the next document.
    pub(crate) fn push(&mut self, a: Analysis) -> Result<(), Error> {
        self.docs.push(a.doc);
        self.content.push(a.content);
        self.sets.push(a.set);
        self.sigs.push(a.sig.as_ref()).and_then(|()| self.words.push(&a.words)).map_err(|e| self.spill_error(e))
    }

    fn spill_error(&self, source: std::io::Error) -> Error {
        Error::Io { what: "cannot spill to", path: self.spill_dir.clone().unwrap_or_else(std::env::temp_dir), source }
    }
}

/// The parallel parts of the grouping stages, behind one interface so that a
/// cluster of processes (the `distributed` module) runs the very same stage
/// functions on its share of the keys: [`Local`] calls them on everything.
pub(crate) trait Grouping {
    /// LSH candidate pairs among the documents `d` with `rep[d]`, and the
    /// bytes spilled doing it.
    fn candidates(
        &mut self,
        sigs: &Signatures,
        rep: &[bool],
        banding: &Banding,
        config: &Config,
    ) -> std::io::Result<(Vec<Candidate>, u64)>;
    /// The candidates whose similarity reaches `at`, sorted.
    fn edges(&mut self, candidates: &[Candidate], sim: Similarity<'_>, at: f64) -> Vec<Edge>;
    /// Clusters of `units` joined by `edges`, sorted by representative.
    fn clusters(
        &mut self,
        units: &[Vec<DocId>],
        edges: &[Edge],
        sim: ClusterSim<'_>,
        limits: cluster::Limits,
    ) -> Vec<Cluster>;
    /// Anchor matching (see [`passage::matching_pairs`]).
    fn matches(&mut self, words: &Store, group: &[u32], source: &[u32], config: &Config) -> passage::Matches;
    /// Alignment of every matched pair, in pair order.
    fn passages(&mut self, words: &Store, matches: &passage::Matches, config: &Config) -> Vec<passage::Passage>;
}

/// How the cluster stage measures similarity.
#[derive(Clone, Copy)]
pub(crate) enum ClusterSim<'a> {
    /// As given.
    Given(Similarity<'a>),
    /// Exact Jaccard of word `n`-gram sets rebuilt from the word hashes of
    /// the documents with an edge.
    ExactFromWords(&'a Store, usize, usize),
}

impl ClusterSim<'_> {
    /// Clusters `units` and `edges` with this similarity.
    pub(crate) fn cluster(self, units: &[Vec<DocId>], edges: &[Edge], limits: cluster::Limits) -> Vec<Cluster> {
        match self {
            ClusterSim::Given(sim) => cluster::clusters(units, edges, sim, limits),
            ClusterSim::ExactFromWords(words, n, docs) => {
                let mut ends: Vec<DocId> = edges.iter().flat_map(|e| [e.a, e.b]).collect();
                ends.sort_unstable();
                ends.dedup();
                let built: Vec<Vec<u64>> = ends.par_iter().map(|&d| shingle::word_id_set(&words.get(d), n)).collect();
                let mut exact: Vec<Option<Vec<u64>>> = vec![None; docs];
                for (d, set) in ends.into_iter().zip(built) {
                    exact[d.index()] = Some(set);
                }
                cluster::clusters(units, edges, Similarity::Exact(&exact), limits)
            }
        }
    }
}

/// The grouping stages in this process.
pub(crate) struct Local;

impl Grouping for Local {
    fn candidates(
        &mut self,
        sigs: &Signatures,
        rep: &[bool],
        banding: &Banding,
        config: &Config,
    ) -> std::io::Result<(Vec<Candidate>, u64)> {
        index::candidates_in(sigs, rep, banding, config.budgets().sort, config.spill_dir.as_deref())
    }

    fn edges(&mut self, candidates: &[Candidate], sim: Similarity<'_>, at: f64) -> Vec<Edge> {
        verify::edges(candidates, sim, at)
    }

    fn clusters(
        &mut self,
        units: &[Vec<DocId>],
        edges: &[Edge],
        sim: ClusterSim<'_>,
        limits: cluster::Limits,
    ) -> Vec<Cluster> {
        sim.cluster(units, edges, limits)
    }

    fn matches(&mut self, words: &Store, group: &[u32], source: &[u32], config: &Config) -> passage::Matches {
        passage::matching_pairs(words, group, source, &config.passage, config.budgets().postings)
    }

    fn passages(&mut self, words: &Store, matches: &passage::Matches, config: &Config) -> Vec<passage::Passage> {
        passage::align_pairs(words, matches, &matches.pairs, &config.passage.align)
    }
}

/// Every stage after analyze: index, verify, cluster, the passage stages
/// and (with `locate`) turning word ranges back into text.
pub(crate) fn finish(
    kept: Kept,
    discovery: Discovery,
    config: &Config,
    grouping: &mut impl Grouping,
    progress: &Progress,
    mut timings: Timings,
    locate_text: bool,
) -> Result<Scan, Error> {
    let Kept { docs, content, mut sigs, sets, mut words, .. } = kept;
    let spill_error = |source: std::io::Error| Error::Io {
        what: "cannot spill to",
        path: config.spill_dir.clone().unwrap_or_else(std::env::temp_dir),
        source,
    };
    sigs.finish().and_then(|()| words.finish()).map_err(spill_error)?;
    let sim = if config.exact_jaccard { Similarity::Exact(&sets) } else { Similarity::Estimated(&sigs) };
    let banding = config.banding();

    // Exact duplicates collapse into units; LSH runs over one document per unit.
    let spin = progress.spinner("index");
    let units = timings.run(Stage::Verify, || verify::exact_groups(&content));
    let (candidates, sorted_spill) = timings
        .run(Stage::Index, || {
            let mut rep = vec![false; docs.len()];
            for u in &units {
                rep[u[0].index()] = true;
            }
            grouping.candidates(&sigs, &rep, &banding, config)
        })
        .map_err(spill_error)?;
    spin.finish_and_clear();
    let bar = progress.items("verify", candidates.len() as u64);
    // When clustering will decide on exact Jaccard (word shingles), the
    // estimate only needs to keep the candidates that might pass: a margin of
    // VERIFY_SLACK (about 2σ of a 128-lane estimate near 0.6) keeps pairs the
    // estimate puts just below the threshold.
    let exact_clustering = config.shingle.kind == ShingleKind::Word && !config.exact_jaccard;
    let verify_at = if exact_clustering { config.threshold - VERIFY_SLACK } else { config.threshold };
    let edges = timings.run(Stage::Verify, || grouping.edges(&candidates, sim, verify_at));
    bar.finish_and_clear();
    let spin = progress.spinner("cluster");
    // Clustering decides with exact Jaccard where it can: only documents with
    // a verified edge are compared, and their word n-gram sets are cheap to
    // rebuild from the word hashes kept for the passage stages. The drift
    // guard then holds for the true similarity, not only for an estimate
    // within ±0.05 of it.
    let how = if exact_clustering {
        ClusterSim::ExactFromWords(&words, config.shingle.n, docs.len())
    } else {
        ClusterSim::Given(sim)
    };
    let clusters = timings.run(Stage::Cluster, || grouping.clusters(&units, &edges, how, config.limits()));
    spin.finish_and_clear();
    let spilled =
        Spilled { signatures: sigs.store().spilled_bytes(), words: words.spilled_bytes(), sorted: sorted_spill };
    sigs.store().check().and_then(|()| words.check()).map_err(spill_error)?;
    drop((sigs, sets, content));

    let mut pairs =
        PairCounts { candidates: candidates.len() as u64, verified: edges.len() as u64, ..Default::default() };
    let mut statements = if config.passage.enabled {
        statements(&docs, &clusters, &words, config, grouping, progress, &mut timings, &mut pairs)
    } else {
        Vec::new()
    };
    words.check().map_err(spill_error)?;
    drop(words);
    let excerpts = if locate_text {
        let spin = progress.spinner("locate");
        let excerpts = timings.run(Stage::Locate, || locate(&discovery, &mut statements, &clusters));
        spin.finish_and_clear();
        excerpts
    } else {
        Vec::new()
    };
    Ok(Scan { docs, clusters, statements, excerpts, discovery, banding, pairs, timings, spilled, resumed: Vec::new() })
}

/// The passage stages: match, align, group, locate.
#[allow(clippy::too_many_arguments)]
fn statements(
    docs: &[Document],
    clusters: &[Cluster],
    words: &Store,
    config: &Config,
    grouping: &mut impl Grouping,
    progress: &Progress,
    timings: &mut Timings,
    counts: &mut PairCounts,
) -> Vec<Statement> {
    let pc = &config.passage;
    // A document's group is its cluster, so that copies of one article count
    // once towards an anchor's document frequency and are not aligned with
    // each other.
    let mut group: Vec<u32> = (0..docs.len() as u32).map(|d| clusters.len() as u32 + d).collect();
    for (i, c) in clusters.iter().enumerate() {
        for (d, _) in &c.members {
            group[d.index()] = i as u32;
        }
    }
    let mut names: Vec<&str> = docs.iter().map(|d| d.source.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let source: Vec<u32> =
        docs.iter().map(|d| names.binary_search(&d.source.as_str()).expect("listed") as u32).collect();
    let spin = progress.spinner("match");
    let matches = timings.run(Stage::Match, || grouping.matches(words, &group, &source, config));
    spin.finish_and_clear();
    let bar = progress.items("align", matches.pairs.len() as u64);
    let passages = timings.run(Stage::Align, || grouping.passages(words, &matches, config));
    bar.finish_and_clear();
    counts.aligned = matches.pairs.len() as u64;
    counts.passages = passages.len() as u64;

    timings.run(Stage::Group, || {
        let date: Vec<Option<String>> = docs.iter().map(|d| d.date.clone()).collect();
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        let is_formula = |d: DocId, start: u32, end: u32, n: usize| matches.is_formula(&words.get(d), start, end, n);
        passage::statement::group(
            &passages,
            &passage::statement::DocInfo {
                source: &source,
                date: &date,
                id: &ids,
                group: &group,
                is_formula: &is_formula,
            },
            pc.boilerplate_docs,
        )
    })
}

/// Clusters whose members' texts are kept for the report's diff view.
pub const EXCERPT_CLUSTERS: usize = 200;
/// Bytes of a member's text kept for the report (cut on a char boundary).
pub const EXCERPT_BYTES: usize = 20_000;

/// Re-reads the documents that hold statements or belong to the first
/// clusters (streaming, in input order) to turn word ranges into byte spans,
/// copy out statement texts and contexts, and keep excerpts of clustered
/// documents for the report. Text is not kept in memory between the first
/// pass and this one.
fn locate(discovery: &Discovery, statements: &mut [Statement], clusters: &[Cluster]) -> Vec<(DocId, String)> {
    let index = passage::statement::occurrence_index(statements);
    let mut excerpt_docs: Vec<DocId> =
        clusters.iter().take(EXCERPT_CLUSTERS).flat_map(|c| c.members.iter().map(|m| m.0)).collect();
    excerpt_docs.sort_unstable();
    let mut excerpts = Vec::new();
    if index.is_empty() && excerpt_docs.is_empty() {
        return excerpts;
    }
    let last = index.last().map_or(0, |r| r.0.index()).max(excerpt_docs.last().map_or(0, |d| d.index()));
    let mut analyzer = Analyzer::new();
    let mut tokens = Vec::new();
    let mut spans = Vec::new();
    let mut rows = index.chunk_by(|x, y| x.0 == y.0).peekable();
    let mut wanted = excerpt_docs.iter().peekable();
    // Only the records needed are parsed (JSON, HTML extraction); the others
    // are skipped as raw lines or archive records.
    for (i, raw) in RawReader::new(discovery.files.clone()).enumerate().take(last + 1) {
        let entries = rows.next_if(|e| e[0].0.index() == i);
        let excerpt = wanted.next_if(|d| d.index() == i).is_some();
        if entries.is_none() && !excerpt {
            continue;
        }
        let rec = raw.parse();
        let Ok(text) = &rec.content else { continue };
        if let Some(entries) = entries {
            tokens.clear();
            analyzer.tokens_into(text, &mut tokens);
            spans.clear();
            spans.extend(tokens.iter().map(|t| t.span));
            passage::statement::locate(statements, entries, text, &spans);
        }
        if excerpt {
            let mut end = text.len().min(EXCERPT_BYTES);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            excerpts.push((DocId(i as u32), text[..end].to_string()));
        }
    }
    excerpts
}

/// Reads `files` on a thread of its own, in batches (at most
/// [`BATCH_RECORDS`] records or [`BATCH_BYTES`] of text), and hands each
/// batch to `f` with the input bytes consumed so far (for progress).
///
/// Reading overlaps the processing of the previous batch (a channel holds
/// up to two batches), and JSONL lines arrive unparsed ([`Raw`]) so that
/// JSON parsing runs on the worker threads: the reading thread only
/// decompresses and splits lines. The time `f`'s caller waits for a batch is
/// added to [`Stage::Read`].
///
/// Returns the number of archive records that were not documents.
fn for_each_batch(
    files: &[read::InputFile],
    timings: &mut Timings,
    mut f: impl FnMut(Vec<Raw>, &mut Timings, u64),
) -> u64 {
    let (tx, rx) = std::sync::mpsc::sync_channel::<(Vec<Raw>, u64)>(2);
    let files = files.to_vec();
    std::thread::scope(|scope| {
        let reading = scope.spawn(move || {
            let mut reader = RawReader::new(files);
            loop {
                let mut batch: Vec<Raw> = Vec::with_capacity(BATCH_RECORDS);
                let mut bytes = 0;
                while batch.len() < BATCH_RECORDS && bytes < BATCH_BYTES {
                    let Some(rec) = reader.next() else { break };
                    bytes += rec.len();
                    batch.push(rec);
                }
                if batch.is_empty() || tx.send((batch, reader.bytes_consumed())).is_err() {
                    return reader.skipped_records();
                }
            }
        });
        loop {
            let t = Instant::now();
            let Ok((batch, consumed)) = rx.recv() else { break };
            timings.add(Stage::Read, t.elapsed().as_secs_f64());
            f(batch, timings, consumed);
        }
        reading.join().expect("the reading thread does not panic")
    })
}

/// Tokenizes and shingles `text` into `s.tokens` and `s.shingles`.
fn shingle_text(text: &str, config: &Config, s: &mut Scratch) {
    s.tokens.clear();
    s.shingles.clear();
    match config.shingle.kind {
        ShingleKind::Word => {
            s.analyzer.tokens_into(text, &mut s.tokens);
            shingle::word_shingles(&s.tokens, config.shingle.n, &mut s.shingles);
        }
        ShingleKind::Char => {
            s.normalized.clear();
            let (tokens, normalized) = (&mut s.tokens, &mut s.normalized);
            s.analyzer.for_each_word(text, |span, w| {
                if !normalized.is_empty() {
                    normalized.push(' ');
                }
                normalized.push_str(w);
                tokens.push(Token { hash: crate::normalize::hash_word(w), span });
            });
            shingle::char_shingles(&s.normalized, config.shingle.n, &mut s.shingles);
        }
    }
}

/// What `sada sign` did.
#[derive(Clone, Debug, Default)]
pub struct SignStats {
    /// Records read.
    pub records: u64,
    /// Records signed.
    pub ok: u64,
    /// Records without words.
    pub empty: u64,
    /// Records that could not be read.
    pub error: u64,
    /// Bytes of text signed.
    pub bytes: u64,
    /// Wall time per stage.
    pub timings: Timings,
}

/// Output format of `sada sign`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SigFormat {
    /// The compact binary format of [`crate::sigfile`].
    Bin,
    /// One JSON object per record.
    Jsonl,
    /// Nothing: read and tokenize only, no shingles and no signatures. The
    /// speed of this mode is the practical limit of signing, for benchmarks.
    None,
}

/// `sada sign`: read → normalize → shingle → sign, streaming, writing one
/// signature record per input record to `out` in input order.
///
/// # Errors
/// As [`scan`], plus failures to write `out`.
pub fn sign(
    inputs: &[PathBuf],
    config: &Config,
    out: &mut (impl std::io::Write + Send),
    format: SigFormat,
) -> Result<SignStats, Error> {
    config.validate()?;
    let discovery = read::discover(inputs)?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(config.threads).build()?;
    pool.install(|| {
        let progress = Progress::new(config.progress);
        let bar = progress.bytes(discovery.total_bytes());
        let signer = Signer::new(config.method, config.num_perm, config.seed);
        let lanes = match config.method {
            crate::sign::Method::Simhash => 2,
            _ => config.num_perm as u32,
        };
        let header = sigfile::Header {
            method: config.method,
            shingle: config.shingle.kind,
            ngram: config.shingle.n as u16,
            lanes,
            seed: config.seed,
        };
        let io = |source| Error::Io { what: "cannot write signatures to", path: PathBuf::from("--out"), source };
        if format == SigFormat::Bin {
            sigfile::write_header(out, &header).map_err(io)?;
        }
        let mut stats = SignStats::default();
        let mut result = Ok(());
        let mut timings = Timings::default();
        for_each_batch(&discovery.files, &mut timings, |batch, timings, consumed| {
            let signed: Vec<(sigfile::SigRecord, Option<String>, u64)> = timings.run(Stage::Analyze, || {
                batch
                    .into_par_iter()
                    .map_init(Scratch::default, |s, raw| sign_record(raw.parse(), config, &signer, s, format))
                    .collect()
            });
            let t = Instant::now();
            for (r, error, bytes) in &signed {
                stats.records += 1;
                stats.bytes += bytes;
                match r.status {
                    sigfile::SigStatus::Ok => stats.ok += 1,
                    sigfile::SigStatus::Empty => stats.empty += 1,
                    sigfile::SigStatus::Error => stats.error += 1,
                }
                if result.is_ok() {
                    result = match format {
                        SigFormat::Bin => sigfile::write_record(out, r),
                        SigFormat::Jsonl => write_sig_json(out, r, error.as_deref()),
                        SigFormat::None => Ok(()),
                    };
                }
            }
            timings.add(Stage::Report, t.elapsed().as_secs_f64());
            bar.set_position(consumed);
        });
        bar.finish_and_clear();
        result.and_then(|()| out.flush()).map_err(io)?;
        stats.timings = timings;
        Ok(stats)
    })
}

fn write_sig_json(out: &mut impl std::io::Write, r: &sigfile::SigRecord, error: Option<&str>) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Line<'a> {
        id: &'a str,
        status: sigfile::SigStatus,
        tokens: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<&'a str>,
        signature: &'a [u32],
    }
    let line = Line { id: &r.id, status: r.status, tokens: r.tokens, error, signature: &r.lanes };
    serde_json::to_writer(&mut *out, &line).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

/// Signs one record for `sada sign`: its signature record, its error
/// message if any, and its bytes of text.
fn sign_record(
    rec: Record,
    config: &Config,
    signer: &Signer,
    s: &mut Scratch,
    format: SigFormat,
) -> (sigfile::SigRecord, Option<String>, u64) {
    let text = match rec.content {
        Ok(t) => t,
        Err(e) => {
            let r = sigfile::SigRecord { id: rec.id, status: sigfile::SigStatus::Error, tokens: 0, lanes: Vec::new() };
            return (r, Some(e.to_string()), 0);
        }
    };
    if format == SigFormat::None {
        s.tokens.clear();
        s.analyzer.tokens_into(&text, &mut s.tokens);
        let status = if s.tokens.is_empty() { sigfile::SigStatus::Empty } else { sigfile::SigStatus::Ok };
        let r = sigfile::SigRecord { id: rec.id, status, tokens: s.tokens.len() as u32, lanes: Vec::new() };
        return (r, None, text.len() as u64);
    }
    shingle_text(&text, config, s);
    let tokens = s.tokens.len() as u32;
    let (status, lanes) = match signer.sign(&s.shingles) {
        Some(sig) if tokens > 0 => (sigfile::SigStatus::Ok, sigfile::lanes_of(&sig)),
        _ => (sigfile::SigStatus::Empty, Vec::new()),
    };
    (sigfile::SigRecord { id: rec.id, status, tokens, lanes }, None, text.len() as u64)
}

/// Normalize, shingle and sign one record; its text is dropped here.
pub(crate) fn analyze(rec: Record, config: &Config, signer: &Signer, s: &mut Scratch) -> Analysis {
    let mut doc = Document {
        id: rec.id,
        source: rec.source,
        input: rec.input,
        url: rec.url,
        date: rec.date,
        bytes: 0,
        tokens: 0,
        status: Status::Ok,
    };
    let text = match rec.content {
        Ok(text) => text,
        Err(e) => {
            doc.status = Status::Error(e);
            return Analysis { doc, content: None, sig: None, set: None, words: Vec::new() };
        }
    };
    doc.bytes = text.len() as u64;
    shingle_text(&text, config, s);
    doc.tokens = s.tokens.len() as u32;
    if s.tokens.is_empty() {
        doc.status = Status::Empty;
        return Analysis { doc, content: None, sig: None, set: None, words: Vec::new() };
    }
    let mut h = Xxh3::new();
    for t in &s.tokens {
        h.update(&t.hash.to_le_bytes());
    }
    let sig = signer.sign(&s.shingles);
    let set = config.exact_jaccard.then(|| shingle::into_set(s.shingles.clone()));
    let words = s.tokens.iter().map(|t| t.hash as u32).collect();
    Analysis { doc, content: Some(h.digest()), sig, set, words }
}
