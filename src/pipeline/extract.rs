//! `sada extract`: every record as sada reads it, one JSON line each, in
//! input order, streaming — the text sada compares, for checking it and for
//! using sada as a main-text extractor (what trafilatura and resiliparse
//! users reach for first).

use std::io::Write;
use std::path::PathBuf;

use crate::analyze::Scratch;
use crate::config::Config;
use crate::error::Error;
use crate::model::{Meta, Record, StatusKind, Streamed};
use crate::report::wire::{ExtractLine, WithText};
use crate::sign::{Signature, Signer};

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
/// Each written record's exact-duplicate key, signature, anchors (sorted,
/// without repeats) and word hashes, as a scan with `config` makes them of
/// the text read back, go to `analysed`, in order:
/// the archive's analyses, made on the way rather than by reading the
/// segment again.
///
/// # Errors
/// As [`extract`]; `analysed` failing is a failure to write.
pub fn extract_texts(
    inputs: &[PathBuf],
    config: &Config,
    out: &mut (impl Write + Send),
    mut skipped: impl FnMut(&str) + Send,
    mut analysed: impl FnMut(Option<u64>, Option<&Signature>, &[u64], &[u32]) -> std::io::Result<()> + Send,
) -> Result<Streamed, Error> {
    let signer = Signer::new(config.method, config.num_perm, config.seed);
    super::stream::stream(
        inputs,
        config,
        "cannot write the archived texts to",
        out,
        |_| Ok(()),
        |rec, s| match &rec.content {
            Err(e) => (Texted::Skipped(e.to_string()), StatusKind::Error, 0),
            Ok(text) => {
                let mut words = Vec::new();
                let (content, sig, tokens) = crate::analyze::analyze_text(text, config, &signer, s, |w| words.push(w));
                let pc = &config.passage;
                let mut anchors: Vec<u64> =
                    crate::passage::anchors(&words, pc.anchor_words, pc.window).iter().map(|a| a.hash).collect();
                anchors.sort_unstable();
                anchors.dedup();
                let status = if tokens == 0 { StatusKind::Empty } else { StatusKind::Ok };
                let line = line_of(&rec.meta, Some(text), tokens, status, None);
                (Texted::Line(line, content, sig, anchors, words), status, text.len() as u64)
            }
        },
        |out, made| match made {
            Texted::Line(line, content, sig, anchors, words) => {
                out.write_all(line)?;
                out.write_all(b"\n")?;
                analysed(*content, sig.as_ref(), anchors, words)
            }
            Texted::Skipped(error) => {
                skipped(error);
                Ok(())
            }
        },
    )
}

/// A record of [`extract_texts`]: its line and analysis, or why it has no text.
enum Texted {
    Line(Vec<u8>, Option<u64>, Option<Signature>, Vec<u64>, Vec<u32>),
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
    (line_of(&rec.meta, text, s.tokens.len() as u32, status, error), status, bytes)
}

/// A record's `sada extract` line, without its newline.
fn line_of(meta: &Meta, text: Option<&str>, tokens: u32, status: StatusKind, error: Option<String>) -> Vec<u8> {
    let line = ExtractLine {
        meta,
        bytes: text.map_or(0, |t| t.len() as u64),
        tokens,
        status: status.name(),
        error,
        rest: WithText { text },
    };
    serde_json::to_vec(&line).expect("a line of strings and numbers serializes")
}
