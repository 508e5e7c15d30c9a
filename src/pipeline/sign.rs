//! `sada sign`: read → normalize → shingle → sign only, one record per input
//! record, to a signature file.

use std::path::PathBuf;

use serde::Serialize;

use crate::analyze::{Scratch, sign_text};
use crate::config::Config;
use crate::error::Error;
use crate::model::{StatusKind, Streamed};
use crate::read::Record;
use crate::sigfile;
use crate::sign::Signer;

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
/// As [`super::scan`], plus failures to write `out`.
pub fn sign(
    inputs: &[PathBuf],
    config: &Config,
    out: &mut (impl std::io::Write + Send),
    format: SigFormat,
) -> Result<Streamed, Error> {
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
    super::stream::stream(
        inputs,
        config,
        "cannot write signatures to",
        out,
        |out| if format == SigFormat::Bin { sigfile::write_header(out, &header) } else { Ok(()) },
        |rec, s| {
            let (r, error, bytes) = sign_record(rec, config, &signer, s, format);
            let status = r.status;
            ((r, error), status, bytes)
        },
        |out, (r, error)| match format {
            SigFormat::Bin => sigfile::write_record(out, r),
            SigFormat::Jsonl => write_sig_json(out, r, error.as_deref()),
            SigFormat::None => Ok(()),
        },
    )
}

fn write_sig_json(out: &mut impl std::io::Write, r: &sigfile::SigRecord, error: Option<&str>) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Line<'a> {
        id: &'a str,
        status: StatusKind,
        tokens: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<&'a str>,
        signature: &'a [u32],
    }
    let line = Line { id: &r.id, status: r.status, tokens: r.tokens, error, signature: &r.lanes };
    serde_json::to_writer(&mut *out, &line).map_err(std::io::Error::from)?;
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
            let r = sigfile::SigRecord { id: rec.meta.id, status: StatusKind::Error, tokens: 0, lanes: Vec::new() };
            return (r, Some(e.to_string()), 0);
        }
    };
    if format == SigFormat::None {
        s.tokens.clear();
        s.analyzer.tokens_into(&text, &mut s.tokens);
        let status = if s.tokens.is_empty() { StatusKind::Empty } else { StatusKind::Ok };
        let r = sigfile::SigRecord { id: rec.meta.id, status, tokens: s.tokens.len() as u32, lanes: Vec::new() };
        return (r, None, text.len() as u64);
    }
    let (sig, tokens) = sign_text(&text, config, signer, s, false, |_| {});
    let (status, lanes) = match sig {
        Some(sig) if tokens > 0 => (StatusKind::Ok, sig.into_lanes()),
        _ => (StatusKind::Empty, Vec::new()),
    };
    (sigfile::SigRecord { id: rec.meta.id, status, tokens, lanes }, None, text.len() as u64)
}

/// Signs texts held in memory, in parallel, in their order: for each, its
/// token count and its signature lanes (`None` for a text without words) —
/// the values `sada sign` writes for the same texts under the same `config`.
/// What the Python package's `signatures` calls.
pub fn sign_texts(texts: &[&str], config: &Config) -> Vec<(u32, Option<Vec<u32>>)> {
    use rayon::prelude::*;
    let signer = Signer::new(config.method, config.num_perm, config.seed);
    texts
        .par_iter()
        .map(|text| {
            crate::analyze::with_scratch(|s| {
                let (sig, tokens) = sign_text(text, config, &signer, s, false, |_| {});
                (tokens, sig.filter(|_| tokens > 0).map(crate::sign::Signature::into_lanes))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// In memory as from a file: the lanes `sada sign --format jsonl` writes.
    #[test]
    fn texts_in_memory_sign_as_records_do() {
        let texts = ["قال وزير الخارجية إن بلاده سترسل الأسلحة", "", "one two three four five six seven"];
        let config = Config::default();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.jsonl");
        let lines: Vec<String> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| serde_json::json!({"id": i.to_string(), "text": t}).to_string())
            .collect();
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        let mut out = Vec::new();
        sign(&[path], &config, &mut out, SigFormat::Jsonl).unwrap();
        let from_file: Vec<Vec<u32>> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["signature"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_u64().unwrap() as u32)
                    .collect()
            })
            .collect();
        let in_memory = sign_texts(&texts, &config);
        assert_eq!(in_memory.len(), 3);
        for ((tokens, lanes), want) in in_memory.iter().zip(&from_file) {
            assert_eq!(lanes.clone().unwrap_or_default(), *want);
            assert_eq!(*tokens == 0, want.is_empty());
        }
        assert_eq!(from_file[0].len(), config.num_perm);
    }
}
