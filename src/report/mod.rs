//! Stage 9, **report**: the output directory of the contract.
//!
//! | file | one line / object per |
//! |---|---|
//! | `documents.jsonl` | input record, in input order |
//! | `clusters.jsonl` | near-duplicate cluster, sorted by representative |
//! | `statements.jsonl` | recycled statement |
//! | `summary.json` | run: counts, parameters, timings |
//! | `report.html` | the page for people |
//!
//! Everything written is sorted by document, cluster or statement number, so
//! the files are byte-identical whatever the thread count. Only
//! `summary.json`'s `run` object (threads, timings) varies between runs.

pub mod caps;
mod html;
pub mod outdir;
pub mod outfile;
pub mod summary;
pub(crate) mod wire;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::Serialize;

use crate::config::Config;
use crate::error::Error;
use crate::model::{Scan, Status};
use wire::{ClusterLine, DocumentLine, MemberLine, OccurrenceLine, OriginLine, StatementLine, round4};

/// Writes every output file of `scan` into `dir`, creating it if needed.
///
/// # Errors
/// [`Error::Io`] naming the file that could not be written.
pub fn write(scan: &Scan, config: &Config, dir: &Path) -> Result<(), Error> {
    write_with(scan, config, dir, Extras::default())
}

/// What a run did besides the scan, for the outputs to say.
#[derive(Default)]
pub struct Extras<'a> {
    /// A run with `--write`: every line of `documents.jsonl` says whether its
    /// record was written to the corpus, and `summary.json` how many were.
    pub written: Option<&'a crate::write::Written>,
    /// A run with `--against`: the archive, in `summary.json`.
    pub archive: Option<summary::ArchiveCounts>,
}

/// As [`write()`], with what the run did besides the scan.
///
/// # Errors
/// As [`write()`].
pub fn write_with(scan: &Scan, config: &Config, dir: &Path, extras: Extras) -> Result<(), Error> {
    let Extras { written, archive } = extras;
    let kept = written.map(|w| w.kept.as_slice());
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        what: "cannot create output directory",
        path: dir.to_path_buf(),
        source,
    })?;
    let cluster_of = scan.cluster_of();
    write_lines(
        &dir.join("documents.jsonl"),
        // `scan --against`: the archive's records are not this run's inputs.
        scan.docs.iter().zip(&cluster_of).enumerate().skip(scan.archived).map(|(i, (d, c))| DocumentLine {
            meta: &d.meta,
            bytes: d.bytes,
            tokens: d.tokens,
            status: d.status.name(),
            error: match &d.status {
                Status::Error(e) => Some(e.to_string()),
                _ => None,
            },
            rest: wire::InCluster { cluster: *c, kept: kept.map(|k| k[i]) },
        }),
    )?;
    write_lines(
        &dir.join("clusters.jsonl"),
        scan.clusters.iter().enumerate().map(|(i, c)| {
            let mut sources: Vec<&str> =
                c.members.iter().map(|m| scan.docs[m.0.index()].meta.source.as_str()).collect();
            sources.sort_unstable();
            sources.dedup();
            ClusterLine {
                cluster: i as u32,
                kind: c.kind,
                representative: &scan.docs[c.representative.index()].meta.id,
                size: c.members.len(),
                sources: sources.len(),
                members: c
                    .members
                    .iter()
                    .map(|&(d, s)| MemberLine {
                        id: &scan.docs[d.index()].meta.id,
                        index: scan.listed_index(d),
                        source: &scan.docs[d.index()].meta.source,
                        similarity: round4(s),
                        archived: scan.is_archived(d),
                    })
                    .collect(),
                min_similarity: round4(c.min_similarity()),
            }
        }),
    )?;
    write_lines(
        &dir.join("statements.jsonl"),
        scan.statements.iter().enumerate().map(|(i, st)| {
            let doc = |d: crate::model::DocId| &scan.docs[d.index()];
            StatementLine {
                statement: i as u32,
                text: &st.text,
                docs: st.docs,
                sources: st.sources,
                boilerplate: st.boilerplate,
                boilerplate_kind: st.boilerplate_kind,
                origin: st.origin.map(|d| OriginLine {
                    doc: &doc(d).meta.id,
                    source: &doc(d).meta.source,
                    date: doc(d).meta.date.as_deref().unwrap_or_default(),
                    archived: scan.is_archived(d),
                }),
                occurrences: st
                    .occurrences
                    .iter()
                    .map(|o| OccurrenceLine {
                        doc: &doc(o.doc).meta.id,
                        index: scan.listed_index(o.doc),
                        source: &doc(o.doc).meta.source,
                        start: o.span.start,
                        end: o.span.end,
                        words: o.words.len(),
                        identity: round4(o.identity),
                        date: doc(o.doc).meta.date.as_deref(),
                        archived: scan.is_archived(o.doc),
                    })
                    .collect(),
            }
        }),
    )?;
    let mut summary = summary::Summary::new(scan, config);
    summary.written = written.map(|w| summary::WrittenCounts { files: w.files, records: w.records });
    summary.archive = archive;
    write_file(&dir.join("summary.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, &summary).map_err(std::io::Error::from)?;
        w.write_all(b"\n")
    })?;
    write_file(&dir.join("report.html"), |w| html::write(w, scan, &summary))?;
    Ok(())
}

fn write_lines<T: Serialize>(path: &Path, lines: impl Iterator<Item = T>) -> Result<(), Error> {
    write_file(path, |w| {
        for line in lines {
            serde_json::to_writer(&mut *w, &line).map_err(std::io::Error::from)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })
}

fn write_file(path: &Path, f: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>) -> Result<(), Error> {
    let io = |source| Error::Io { what: "cannot write", path: path.to_path_buf(), source };
    let mut w = BufWriter::new(File::create(path).map_err(io)?);
    f(&mut w).map_err(io)?;
    w.flush().map_err(io)
}
