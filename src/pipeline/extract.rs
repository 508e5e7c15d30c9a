//! `sada extract`: every record as sada reads it, one JSON line each, in
//! input order, streaming — the text sada compares, for checking it and for
//! using sada as a main-text extractor (what trafilatura and resiliparse
//! users reach for first).

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;

use crate::analyze::{Scratch, for_each_batch, with_scratch};
use crate::config::Config;
use crate::error::Error;
use crate::model::{Record, Stage, StatusKind, Streamed, Timings};
use crate::progress::Progress;
use crate::read;
use crate::report::wire::ExtractLine;

/// `sada extract`: reads `inputs` as `sada scan` does and writes one line of
/// [`ExtractLine`] per record to `out`, in input order.
///
/// A record's status is decided as the scan decides it: `error` when it
/// cannot be read, `empty` when its text has no word, else `ok`; so the
/// counts equal those of `summary.json` for the same inputs.
///
/// # Errors
/// As [`super::scan`], plus failures to write `out` (a closed pipe among
/// them: the caller decides whether that is a failure).
pub fn extract(inputs: &[PathBuf], config: &Config, out: &mut (impl Write + Send)) -> Result<Streamed, Error> {
    config.validate()?;
    let mut discovery = read::discover(inputs)?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(config.threads).build()?;
    pool.install(|| {
        let progress = Progress::new(config.progress);
        let bar = progress.bytes(discovery.total_bytes());
        let mut stats = Streamed::default();
        let mut timings = Timings::default();
        let mut result = Ok(());
        let mut line = Vec::new();
        discovery.skipped_records = for_each_batch(&discovery.files, &mut timings, |batch, timings, consumed| {
            // Records are serialized on the workers too: the writing thread
            // only copies finished lines, so one thread does not bound a
            // crawl's extraction.
            let done: Vec<(Vec<u8>, StatusKind, u64)> = timings.run(Stage::Analyze, || {
                batch.into_par_iter().map(|raw| with_scratch(|s| extract_record(raw.parse(), s))).collect()
            });
            let t = Instant::now();
            for (json, status, bytes) in &done {
                stats.count(*status, *bytes);
                if result.is_ok() {
                    line.clear();
                    line.extend_from_slice(json);
                    line.push(b'\n');
                    result = out.write_all(&line);
                }
            }
            timings.add(Stage::Report, t.elapsed().as_secs_f64());
            bar.set_position(consumed);
            bar.set_message(format!("{} records", stats.records));
        });
        bar.finish_and_clear();
        result.and_then(|()| out.flush()).map_err(|source| Error::Io {
            what: "cannot write extracted text to",
            path: PathBuf::from("--out"),
            source,
        })?;
        stats.timings = timings;
        stats.discovery = discovery;
        Ok(stats)
    })
}

/// One record's line (without its newline), status and bytes of text.
fn extract_record(rec: Record, s: &mut Scratch) -> (Vec<u8>, StatusKind, u64) {
    s.tokens.clear();
    let (status, text, error) = match &rec.content {
        Ok(text) => {
            s.analyzer.tokens_into(text, &mut s.tokens);
            let status = if s.tokens.is_empty() { StatusKind::Empty } else { StatusKind::Ok };
            (status, Some(text.as_str()), None)
        }
        Err(e) => (StatusKind::Error, None, Some(e.to_string())),
    };
    let bytes = text.map_or(0, |t| t.len() as u64);
    let line =
        ExtractLine { meta: &rec.meta, bytes, tokens: s.tokens.len() as u32, status: status.name(), error, text };
    let json = serde_json::to_vec(&line).expect("a line of strings and numbers serializes");
    (json, status, bytes)
}
