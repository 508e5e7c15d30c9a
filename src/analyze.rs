//! The analyze pass: records → what every later stage needs of them
//! (metadata, exact-duplicate key, signature, word hashes), read and analyzed
//! in batches so that only one batch of text is ever in memory.

use std::path::PathBuf;
use std::time::Instant;

use xxhash_rust::xxh3::Xxh3;

use crate::config::Config;
use crate::error::Error;
use crate::model::Token;
use crate::model::{Document, Stage, Status, Timings};
use crate::normalize::Analyzer;
use crate::read::{self, Raw, RawReader, Record};
use crate::shingle::{self, ShingleKind};
use crate::sign::{Signature, Signer};
use crate::spill;
use crate::spill::store::{Signatures, Store};

/// Records per parallel batch, and the text size that also closes a batch.
/// Batches bound memory to a few batches of text (one being read, two queued,
/// one being analyzed); their size only needs to be large enough to keep
/// every thread busy. Smaller than the 64 MB they were: memory freed between
/// batches is reused instead of faulted in fresh, and reading overlaps
/// analysis on small inputs too (the 34 MB Arabic bench corpus was two
/// batches). On that corpus `sada sign`'s peak RSS went from 65 to 40 MiB
/// and its system time about halved (`scripts/bench/compare-builds.py`; docs/performance.md).
const BATCH_RECORDS: usize = 512;
const BATCH_BYTES: usize = 4 << 20;

/// Per-document results of the analyze stage. The serde derives carry it
/// between the processes of a cluster run (`crate::distributed`) and into
/// its `--resume` checkpoints.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Analysis {
    /// As JSON: [`Document`]'s `Meta` omits absent fields, which bincode
    /// cannot read back.
    #[serde(with = "crate::model::document::as_json")]
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

/// Per-thread reusable buffers of the analyze stage; see [`with_scratch`].
#[derive(Default)]
pub(crate) struct Scratch {
    pub(crate) analyzer: Analyzer,
    pub(crate) tokens: Vec<Token>,
    pub(crate) shingles: Vec<u64>,
    normalized: String,
    /// One-permutation bins of the document being signed.
    bins: Vec<u64>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's [`Scratch`], kept from one batch to the next.
///
/// Why not rayon's `map_init(Scratch::default, ..)`: it makes a fresh scratch
/// for every piece rayon splits a batch into, and each regrows its buffers
/// (tokens, bins) from nothing. `f` must not re-enter (nothing in the
/// analyze stage runs rayon inside a document).
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with_borrow_mut(f)
}

/// What the analyze stage keeps of every document, in input order, for the
/// grouping stages.
pub(crate) struct Analyzed {
    pub(crate) docs: Vec<Document>,
    /// Hash of the normalized token stream (exact-duplicate key).
    pub(crate) content: Vec<Option<u64>>,
    pub(crate) sigs: Signatures,
    /// Shingle sets, only with `--exact-jaccard`.
    pub(crate) sets: Vec<Option<Vec<u64>>>,
    pub(crate) words: Store,
    spill_dir: Option<PathBuf>,
}

impl Analyzed {
    pub(crate) fn new(config: &Config) -> Analyzed {
        let budgets = config.budgets();
        let dir = config.spill_dir.as_deref();
        Analyzed {
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
        self.sigs
            .push(a.sig.as_ref())
            .and_then(|()| self.words.push(&a.words))
            .map_err(|e| spill::error(self.spill_dir.as_deref(), e))
    }
}

/// Reads `files` in batches (at most [`BATCH_RECORDS`] records or
/// [`BATCH_BYTES`] of text), and hands each batch to `f` with the input bytes
/// consumed so far (for progress).
///
/// Batches are read on a thread of the current rayon pool, JSONL lines
/// parsed straight from the read buffer ([`RawReader::parsing`]). With one
/// thread (`--threads 1`) reading and analysis take turns. With more, the
/// next batch is read while `f` analyses the current one (`rayon::join`: the
/// reading thread joins the analysis when its batch is ready). This replaced
/// a reading thread of its own that copied each line out for the workers to
/// parse (three threads on two cores, every line written on one core and
/// parsed and freed on another): `sada sign --threads 2` on the bench corpus
/// ×5, wall 0.388 → 0.376 s, peak RSS 54 → 30 MiB (`compare-builds.py`
/// medians); one thread was already 8% cheaper without it. The time `f`'s
/// caller waits for a batch after finishing the previous one is added to
/// [`Stage::Read`] (all of the reading, JSONL parsing included, with one
/// thread).
///
/// Returns the number of archive records that were not documents.
pub(crate) fn for_each_batch(
    files: &[read::InputFile],
    fields: &read::Fields,
    timings: &mut Timings,
    stop: &(dyn Fn() -> bool + Sync),
    mut f: impl FnMut(Vec<Raw>, &mut Timings, u64) + Send,
) -> u64 {
    let mut reader = RawReader::parsing(files.to_vec()).fields(fields);
    let t = Instant::now();
    let mut batch = next_batch(&mut reader, Raw::len);
    timings.add(Stage::Read, t.elapsed().as_secs_f64());
    let overlap = rayon::current_num_threads() > 1;
    while !batch.is_empty() && !stop() {
        let consumed = reader.bytes_consumed();
        if !overlap {
            f(batch, timings, consumed);
            let t = Instant::now();
            batch = next_batch(&mut reader, Raw::len);
            timings.add(Stage::Read, t.elapsed().as_secs_f64());
            continue;
        }
        let (f, reader, analysis_timings) = (&mut f, &mut reader, &mut *timings);
        let ((next, read), analysed) = rayon::join(
            || (next_batch(reader, Raw::len), Instant::now()),
            || {
                f(batch, analysis_timings, consumed);
                Instant::now()
            },
        );
        timings.add(Stage::Read, read.saturating_duration_since(analysed).as_secs_f64());
        batch = next;
    }
    reader.skipped_records()
}

/// The next batch of `records`: at most [`BATCH_RECORDS`] records, closed
/// early once they hold [`BATCH_BYTES`] of text (`text` of a record); empty
/// at the end of `records`. The one batching rule of the analyze pass, for
/// [`for_each_batch`] and for a cluster process's share of the input
/// (`distributed/share.rs`).
pub(crate) fn next_batch<T>(records: &mut impl Iterator<Item = T>, text: impl Fn(&T) -> usize) -> Vec<T> {
    let mut batch = Vec::with_capacity(BATCH_RECORDS);
    let mut bytes = 0;
    while batch.len() < BATCH_RECORDS && bytes < BATCH_BYTES {
        let Some(rec) = records.next() else { break };
        bytes += text(&rec);
        batch.push(rec);
    }
    batch
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

/// Signs the shingles of `text`, calls `on_word` with each word's hash in
/// order, and returns the signature and the number of words. The shingles
/// are left in `s.shingles` when `keep_shingles` asks for them; otherwise
/// one-permutation hashing of word shingles takes each shingle as each word
/// is read, and neither tokens nor shingles are stored: a document costs
/// what its caller keeps per word (the analyze stage: 4 bytes), not the 16
/// of a token (no vector written and read back per document, no second
/// loop: 3% fewer instructions for `sada sign`).
pub(crate) fn sign_text(
    text: &str,
    config: &Config,
    signer: &Signer,
    s: &mut Scratch,
    keep_shingles: bool,
    mut on_word: impl FnMut(u64),
) -> (Option<Signature>, u32) {
    match signer {
        Signer::Oph(h) if config.shingle.kind == ShingleKind::Word && !keep_shingles => {
            h.clear(&mut s.bins);
            let bins = &mut s.bins;
            let mut shingles = shingle::ShingleStream::new(config.shingle.n);
            let mut words = 0u32;
            s.analyzer.for_each_hash(text, |x| {
                words += 1;
                on_word(x);
                shingles.push(x, |sh| h.insert(bins, sh));
            });
            shingles.finish(|sh| h.insert(bins, sh));
            (h.finish(bins).then(|| Signature::MinHash(h.lanes(bins))), words)
        }
        _ => {
            shingle_text(text, config, s);
            s.tokens.iter().for_each(|t| on_word(t.hash));
            (signer.sign(&s.shingles), s.tokens.len() as u32)
        }
    }
}

/// Normalize, shingle and sign one record; its text is dropped here.
pub(crate) fn analyze(rec: Record, config: &Config, signer: &Signer, s: &mut Scratch) -> Analysis {
    let mut doc = Document { meta: rec.meta, bytes: 0, tokens: 0, status: Status::Ok };
    let text = match rec.content {
        Ok(text) => text,
        Err(e) => {
            doc.status = Status::Error(e);
            return Analysis { doc, content: None, sig: None, set: None, words: Vec::new() };
        }
    };
    doc.bytes = text.len() as u64;
    // About one word per six bytes of Arabic text: one allocation, not a
    // series of doublings.
    let mut words: Vec<u32> = Vec::with_capacity(text.len() / 6);
    let (content, sig, tokens) = analyze_text(&text, config, signer, s, |x| words.push(x));
    drop(text);
    doc.tokens = tokens;
    if tokens == 0 {
        doc.status = Status::Empty;
        return Analysis { doc, content: None, sig: None, set: None, words: Vec::new() };
    }
    words.shrink_to_fit();
    let set = config.exact_jaccard.then(|| shingle::into_set(s.shingles.clone()));
    Analysis { doc, content, sig, set, words }
}

/// What [`analyze`] computes of a text: its exact-duplicate key (a hash of
/// its word hashes; `None` without words), its signature and its number of
/// words; each word's hash (truncated to 32 bits) goes to `on_word`. With
/// `--exact-jaccard` the shingles are left in `s.shingles`.
pub(crate) fn analyze_text(
    text: &str,
    config: &Config,
    signer: &Signer,
    s: &mut Scratch,
    mut on_word: impl FnMut(u32),
) -> (Option<u64>, Option<Signature>, u32) {
    let mut h = Xxh3::new();
    let (sig, tokens) = sign_text(text, config, signer, s, config.exact_jaccard, |x| {
        h.update(&x.to_le_bytes());
        on_word(x as u32);
    });
    if tokens == 0 { (None, None, 0) } else { (Some(h.digest()), sig, tokens) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::Method;

    /// The streaming one-permutation path (no shingles stored) and the path
    /// that keeps the shingles (`--exact-jaccard`, other callers) must sign
    /// alike, or documents of one run would not compare.
    #[test]
    fn streamed_and_stored_shingles_sign_alike() {
        let config = Config { method: Method::Oph, ..Config::default() };
        let signer = Signer::new(config.method, config.num_perm, config.seed);
        let seeds = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds")).expect("the seeds");
        let mut s = Scratch::default();
        let mut texts: Vec<String> =
            seeds.map(|e| std::fs::read_to_string(e.expect("a seed").path()).unwrap()).collect();
        texts.extend(["كلمة".to_string(), "one two three".to_string(), String::new()]);
        for text in &texts {
            let (mut streamed_words, mut stored_words) = (Vec::new(), Vec::new());
            let streamed = sign_text(text, &config, &signer, &mut s, false, |x| streamed_words.push(x));
            let stored = sign_text(text, &config, &signer, &mut s, true, |x| stored_words.push(x));
            assert!(!s.shingles.is_empty() || text.is_empty(), "shingles kept for {text:?}");
            assert_eq!(streamed.1, stored.1, "{text:?}");
            assert_eq!(streamed_words, stored_words, "{text:?}");
            assert_eq!(streamed.0.map(|sig| sig.into_lanes()), stored.0.map(|sig| sig.into_lanes()), "{text:?}");
        }
    }
}
