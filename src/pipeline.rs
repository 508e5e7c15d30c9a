//! The scan: every stage, in order, over a list of inputs.

use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

use crate::cluster::{self, Cluster};
use crate::config::Config;
use crate::error::{Error, RecordError};
use crate::index::{self, Banding};
use crate::normalize::Analyzer;
use crate::progress::Progress;
use crate::read::{self, Discovery, Reader, Record};
use crate::shingle::{self, ShingleKind};
use crate::sign::{Method, MinHasher, Signature, SimHash};
use crate::types::{DocId, Token};
use crate::verify::{self, Similarity};

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

/// Counters of the index and verify stages.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct PairCounts {
    /// Candidate pairs from LSH.
    pub candidates: u64,
    /// Candidates that met the threshold.
    pub verified: u64,
}

/// Everything a scan found.
#[derive(Debug)]
pub struct Scan {
    /// One per input record, in input order; `DocId(i)` is `docs[i]`.
    pub docs: Vec<Document>,
    /// Near-duplicate clusters, sorted by representative.
    pub clusters: Vec<Cluster>,
    /// What the walk found and skipped.
    pub discovery: Discovery,
    /// The banding used.
    pub banding: Banding,
    /// Pair counters.
    pub pairs: PairCounts,
    /// Wall time per stage.
    pub timings: Timings,
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
struct Analysis {
    doc: Document,
    /// Hash of the normalized token stream (exact-duplicate key).
    content: Option<u64>,
    sig: Option<Signature>,
    /// Sorted shingle set, only with `--exact-jaccard`.
    set: Option<Vec<u64>>,
}

/// Per-thread reusable buffers of the analyze stage.
#[derive(Default)]
struct Scratch {
    analyzer: Analyzer,
    tokens: Vec<Token>,
    shingles: Vec<u64>,
    normalized: String,
}

/// Signs documents under a [`Config`].
enum Signer {
    MinHash(MinHasher),
    SimHash,
}

impl Signer {
    fn new(config: &Config) -> Signer {
        match config.method {
            Method::Minhash => Signer::MinHash(MinHasher::new(config.num_perm, config.seed)),
            Method::Simhash => Signer::SimHash,
        }
    }

    fn sign(&self, shingles: &[u64]) -> Option<Signature> {
        match self {
            Signer::MinHash(h) => h.sign(shingles).map(Signature::MinHash),
            Signer::SimHash => SimHash::of(shingles).map(Signature::SimHash),
        }
    }
}

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
    let signer = Signer::new(config);

    // read → normalize → shingle → sign, streaming in batches: only one batch
    // of text is ever in memory.
    let bar = progress.bytes(discovery.total_bytes());
    let mut reader = Reader::new(std::mem::take(&mut discovery.files));
    let mut docs = Vec::new();
    let mut content = Vec::new();
    let mut sigs = Vec::new();
    let mut sets = Vec::new();
    loop {
        let t = Instant::now();
        let mut batch: Vec<Record> = Vec::with_capacity(BATCH_RECORDS);
        let mut bytes = 0;
        while batch.len() < BATCH_RECORDS && bytes < BATCH_BYTES {
            let Some(rec) = reader.next() else { break };
            bytes += rec.content.as_ref().map_or(0, |s| s.len());
            batch.push(rec);
        }
        timings.add(Stage::Read, t.elapsed().as_secs_f64());
        if batch.is_empty() {
            break;
        }
        let analyzed: Vec<Analysis> = timings.run(Stage::Analyze, || {
            batch.into_par_iter().map_init(Scratch::default, |s, rec| analyze(rec, config, &signer, s)).collect()
        });
        for a in analyzed {
            docs.push(a.doc);
            content.push(a.content);
            sigs.push(a.sig);
            sets.push(a.set);
        }
        bar.set_position(reader.bytes_consumed());
        bar.set_message(format!("{} records", docs.len()));
    }
    bar.finish_and_clear();

    let sim = if config.exact_jaccard { Similarity::Exact(&sets) } else { Similarity::Estimated(&sigs) };
    let banding = config.banding();

    // Exact duplicates collapse into units; LSH runs over one document per unit.
    let spin = progress.spinner("index");
    let units = timings.run(Stage::Verify, || verify::exact_groups(&content));
    let candidates = timings.run(Stage::Index, || {
        let reps: Vec<(DocId, &Signature)> =
            units.iter().filter_map(|u| sigs[u[0].index()].as_ref().map(|s| (u[0], s))).collect();
        index::candidates(&reps, &banding)
    });
    spin.finish_and_clear();
    let bar = progress.items("verify", candidates.len() as u64);
    let edges = timings.run(Stage::Verify, || verify::edges(&candidates, sim, config.threshold));
    bar.finish_and_clear();
    let spin = progress.spinner("cluster");
    let clusters = timings.run(Stage::Cluster, || cluster::clusters(&units, &edges, sim, config.limits()));
    spin.finish_and_clear();

    Ok(Scan {
        docs,
        clusters,
        discovery,
        banding,
        pairs: PairCounts { candidates: candidates.len() as u64, verified: edges.len() as u64 },
        timings,
    })
}

/// Normalize, shingle and sign one record; its text is dropped here.
fn analyze(rec: Record, config: &Config, signer: &Signer, s: &mut Scratch) -> Analysis {
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
            return Analysis { doc, content: None, sig: None, set: None };
        }
    };
    doc.bytes = text.len() as u64;
    s.tokens.clear();
    s.shingles.clear();
    match config.shingle.kind {
        ShingleKind::Word => {
            s.analyzer.tokens_into(&text, &mut s.tokens);
            shingle::word_shingles(&s.tokens, config.shingle.n, &mut s.shingles);
        }
        ShingleKind::Char => {
            s.normalized.clear();
            let (tokens, normalized) = (&mut s.tokens, &mut s.normalized);
            s.analyzer.for_each_word(&text, |span, w| {
                if !normalized.is_empty() {
                    normalized.push(' ');
                }
                normalized.push_str(w);
                tokens.push(Token { hash: crate::normalize::hash_word(w), span });
            });
            shingle::char_shingles(&s.normalized, config.shingle.n, &mut s.shingles);
        }
    }
    doc.tokens = s.tokens.len() as u32;
    if s.tokens.is_empty() {
        doc.status = Status::Empty;
        return Analysis { doc, content: None, sig: None, set: None };
    }
    let mut h = Xxh3::new();
    for t in &s.tokens {
        h.update(&t.hash.to_le_bytes());
    }
    let sig = signer.sign(&s.shingles);
    let set = config.exact_jaccard.then(|| shingle::into_set(s.shingles.clone()));
    Analysis { doc, content: Some(h.digest()), sig, set }
}
