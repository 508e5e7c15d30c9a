//! What a scan returns: the documents, clusters and statements, and the
//! run's counters and timings.

use std::time::Instant;

use serde::Serialize;

use super::{DocId, Document};
use crate::cluster::Cluster;
use crate::index::Banding;
use crate::passage::Statement;
use crate::read::Discovery;

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
    /// Writing the corpus back (`--write`): the kept records, in input order.
    Write,
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

/// What a streaming command (`sada sign`, `sada extract`) did: one output
/// record per input record, counted as `summary.json` counts a scan's.
#[derive(Clone, Debug, Default)]
pub struct Streamed {
    /// Records read.
    pub records: u64,
    /// Records with words.
    pub ok: u64,
    /// Records without words.
    pub empty: u64,
    /// Records that could not be read.
    pub error: u64,
    /// Bytes of text read (of the records that have text).
    pub bytes: u64,
    /// What the walk found and skipped, and the archive records that were
    /// not documents ([`Discovery::skipped_records`]).
    pub discovery: Discovery,
    /// Wall time per stage.
    pub timings: Timings,
}

impl Streamed {
    /// Counts one record of status `status` and `bytes` of text.
    pub fn count(&mut self, status: super::StatusKind, bytes: u64) {
        self.records += 1;
        self.bytes += bytes;
        match status {
            super::StatusKind::Ok => self.ok += 1,
            super::StatusKind::Empty => self.empty += 1,
            super::StatusKind::Error => self.error += 1,
        }
    }
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
    /// Texts (cut at [`EXCERPT_BYTES`](crate::report::caps::EXCERPT_BYTES)) of the members of the first
    /// [`EXCERPT_CLUSTERS`](crate::report::caps::EXCERPT_CLUSTERS) clusters, sorted by document, for the report.
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
    /// The first `archived` documents come from an archive (`scan
    /// --against`): they are reported only as members and occurrences.
    pub archived: usize,
    /// The archive's record number of each of the first `archived`
    /// documents when they are not all of its records (a scan from the
    /// stored analyses holds only those its clusters name); empty when they
    /// are all of them, in order.
    pub archived_records: Vec<u32>,
    /// Every pair of documents that shares a passage, sorted, with
    /// `Config::keep_links`: what an archive stores to find later which
    /// records a day's statements reach (`crate::archive::state`); empty
    /// otherwise.
    pub linked: Vec<(DocId, DocId)>,
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
    /// What the statement stages work through: document pairs, passage
    /// sides and candidates.
    pub statements: u64,
}

impl Scan {
    /// Whether `d` comes from the archive of a `scan --against`.
    pub fn is_archived(&self, d: DocId) -> bool {
        d.index() < self.archived
    }

    /// Where `d` is listed: its line in `documents.jsonl`, or for an archived
    /// document its record number in the archive.
    pub fn listed_index(&self, d: DocId) -> u32 {
        if self.is_archived(d) {
            self.archived_records.get(d.index()).copied().unwrap_or(d.0)
        } else {
            d.0 - self.archived as u32
        }
    }

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
