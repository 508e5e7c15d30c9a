//! `summary.json`: counts, parameters and timings of a run.

use serde::Serialize;

use super::wire::ParametersLine;
use crate::cluster::ClusterKind;
use crate::config::Config;
use crate::model::{PairCounts, Scan, Spilled, Status, Timings};

/// The contents of `summary.json`.
#[derive(Serialize)]
pub struct Summary {
    /// sada's version.
    pub version: &'static str,
    /// Input records read (one `documents.jsonl` line each).
    pub documents: u64,
    /// Records with usable text.
    pub ok: u64,
    /// Records without words.
    pub empty: u64,
    /// Records that could not be read.
    pub error: u64,
    /// Total tokens of the `ok` records.
    pub tokens: u64,
    /// Bytes of text of the `ok` and `empty` records.
    pub text_bytes: u64,
    /// Files skipped while walking directories.
    pub skipped_hidden: u64,
    /// See `skipped_hidden`.
    pub skipped_unknown: u64,
    /// Directories holding a sada run's outputs, skipped while walking.
    pub skipped_outputs: u64,
    /// Archive records that are not documents (WARC requests, metadata, …).
    pub skipped_records: u64,
    /// Near-duplicate clusters.
    pub clusters: u64,
    /// Clusters whose members are all exact duplicates.
    pub exact_clusters: u64,
    /// Clusters with some non-identical member.
    pub near_clusters: u64,
    /// Documents in some cluster.
    pub clustered_documents: u64,
    /// Recycled statements.
    pub statements: u64,
    /// Statements found in two or more sources.
    pub cross_source_statements: u64,
    /// Passages repeated within sources like templates (not counted in
    /// `statements`).
    pub boilerplate_statements: u64,
    /// What `--write` wrote (absent without it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written: Option<WrittenCounts>,
    /// The archive a `scan --against` compared with (absent without it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive: Option<ArchiveCounts>,
    /// LSH and verification counters.
    pub pairs: PairCounts,
    /// The parameters used.
    pub parameters: ParametersLine,
    /// What varies from run to run: threads and timings.
    pub run: Run,
}

/// The corpus `--write` wrote.
#[derive(Serialize)]
pub struct WrittenCounts {
    /// Files written (one per input file sada could write back).
    pub files: u64,
    /// Records written: the `kept` records of `documents.jsonl`.
    pub records: u64,
}

/// The archive of a `scan --against`.
#[derive(Serialize)]
pub struct ArchiveCounts {
    /// Its directory, as given.
    pub dir: String,
    /// Its records, scanned with the inputs (not counted in `documents`).
    pub documents: u64,
    /// Whether `--add` was given: the inputs are appended to the archive
    /// once the outputs are written (a failure then exits 1, saying so).
    pub added: bool,
    /// How the archive was read: `stored` (its stored analyses: the cost of
    /// the inputs) or `texts` (its texts scanned with the inputs).
    pub analyses: &'static str,
}

/// The part of the summary that may differ between identical runs.
#[derive(Serialize)]
pub struct Run {
    /// Worker threads.
    pub threads: usize,
    /// `--memory-limit` in bytes.
    pub memory_limit: u64,
    /// Bytes spilled to disk to stay within it.
    pub spilled: Spilled,
    /// Stages a cluster run took from its checkpoints (`--resume`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resumed: Vec<&'static str>,
    /// Wall time per stage, seconds.
    pub timings: Timings,
    /// Sum of the stage times.
    pub total_seconds: f64,
}

impl Summary {
    /// Summarizes `scan`.
    pub fn new(scan: &Scan, config: &Config) -> Summary {
        // `scan --against`: the archive's records are counted apart.
        let docs = &scan.docs[scan.archived..];
        let count = |f: fn(&Status) -> bool| docs.iter().filter(|d| f(&d.status)).count() as u64;
        Summary {
            version: env!("CARGO_PKG_VERSION"),
            documents: docs.len() as u64,
            ok: count(|s| *s == Status::Ok),
            empty: count(|s| *s == Status::Empty),
            error: count(|s| matches!(s, Status::Error(_))),
            tokens: docs.iter().map(|d| d.tokens as u64).sum(),
            text_bytes: docs.iter().map(|d| d.bytes).sum(),
            skipped_hidden: scan.discovery.skipped_hidden,
            skipped_outputs: scan.discovery.skipped_outputs,
            skipped_unknown: scan.discovery.skipped_unknown,
            skipped_records: scan.discovery.skipped_records,
            clusters: scan.clusters.len() as u64,
            exact_clusters: scan.clusters.iter().filter(|c| c.kind == ClusterKind::Exact).count() as u64,
            near_clusters: scan.clusters.iter().filter(|c| c.kind == ClusterKind::Near).count() as u64,
            clustered_documents: scan.clusters.iter().map(|c| c.members.len() as u64).sum(),
            statements: scan.statements.iter().filter(|s| !s.boilerplate).count() as u64,
            cross_source_statements: scan.statements.iter().filter(|s| !s.boilerplate && s.sources > 1).count() as u64,
            boilerplate_statements: scan.statements.iter().filter(|s| s.boilerplate).count() as u64,
            written: None,
            archive: None,
            pairs: scan.pairs,
            parameters: ParametersLine::new(config, scan.banding),
            run: Run {
                threads: config.threads,
                memory_limit: config.memory_limit,
                spilled: scan.spilled,
                resumed: scan.resumed.clone(),
                timings: scan.timings.clone(),
                total_seconds: scan.timings.total(),
            },
        }
    }
}
