//! `sada extract`: every record as sada reads it, one JSON line each, in
//! input order, streaming — the text sada compares, for checking it and for
//! using sada as a main-text extractor (what trafilatura and resiliparse
//! users reach for first).

use std::io::Write;
use std::path::PathBuf;

use crate::analyze::Scratch;
use crate::config::Config;
use crate::error::Error;
use crate::model::{Record, StatusKind, Streamed};
use crate::report::wire::{ExtractLine, WithText};

/// `sada extract`: reads `inputs` as `sada scan` does and writes one JSON
/// line per record to `out` (`documents.jsonl`'s fields plus `text`), in
/// input order.
///
/// A record's status is decided as the scan decides it: `error` when it
/// cannot be read, `empty` when its text has no word, else `ok`; so the
/// counts equal those of `summary.json` for the same inputs.
///
/// # Errors
/// As [`super::scan`], plus failures to write `out` (a closed pipe among
/// them: the caller decides whether that is a failure).
pub fn extract(inputs: &[PathBuf], config: &Config, out: &mut (impl Write + Send)) -> Result<Streamed, Error> {
    // Records are serialized on the workers: the writing thread only copies
    // finished lines, so one thread does not bound a crawl's extraction.
    super::stream::stream(
        inputs,
        config,
        "cannot write extracted text to",
        out,
        |_| Ok(()),
        extract_record,
        |out, line| {
            out.write_all(line)?;
            out.write_all(b"\n")
        },
    )
}

/// As [`extract`], but only the records that have a text (`ok` and `empty`)
/// are written; each `error` record's message is handed to `skipped`, in
/// input order. The lines are what `sada index` archives: read back as
/// JSONL they give the same records (id, source, url, date, title, text).
///
/// # Errors
/// As [`extract`].
pub fn extract_texts(
    inputs: &[PathBuf],
    config: &Config,
    out: &mut (impl Write + Send),
    mut skipped: impl FnMut(&str) + Send,
) -> Result<Streamed, Error> {
    super::stream::stream(
        inputs,
        config,
        "cannot write the archived texts to",
        out,
        |_| Ok(()),
        |rec, s| {
            let error = rec.content.as_ref().err().map(ToString::to_string);
            let (line, status, bytes) = extract_record(rec, s);
            (error.map_or(Texted::Line(line), Texted::Skipped), status, bytes)
        },
        |out, made| match made {
            Texted::Line(line) => {
                out.write_all(line)?;
                out.write_all(b"\n")
            }
            Texted::Skipped(error) => {
                skipped(error);
                Ok(())
            }
        },
    )
}

/// A record of [`extract_texts`]: its line, or why it has no text.
enum Texted {
    Line(Vec<u8>),
    Skipped(String),
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
    let line = ExtractLine {
        meta: &rec.meta,
        bytes,
        tokens: s.tokens.len() as u32,
        status: status.name(),
        error,
        rest: WithText { text },
    };
    let json = serde_json::to_vec(&line).expect("a line of strings and numbers serializes");
    (json, status, bytes)
}
