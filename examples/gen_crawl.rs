//! A large synthetic news crawl for the scale benchmark (`scripts/bench/bench-1m.sh`).
//!
//! ```sh
//! cargo run --release --example gen_crawl -- --docs 1000000 --out target/crawl/crawl.jsonl \
//!     [--seed 1] [--words 80-250] [--seeds seeds/] [--syndicate K]
//! ```
//!
//! Writes one JSON object per line, `{"id", "text", "source", "url", "date"}`:
//! short Arabic news-like documents (a headline of 6–12 words and a body of
//! `--words` words, 80–250 by default, in sentences of 8–25 words; about
//! 1.9 KB of UTF-8 text each, since an Arabic word with its space is about
//! 10.6 bytes: `--words 40-125` gives ~1 KB), deterministic for a given seed (its own xorshift generator, no
//! dependency on a random crate).
//!
//! - **Vocabulary**: the words of the seed articles (`seeds/*.txt`), most
//!   frequent first, followed by synthetic Arabic words; words are drawn with
//!   a Zipf law over that ranking (exponent [`ZIPF_S`]), so documents are
//!   mostly distinct but share function words and common phrases.
//! - **Reprints** (≈ [`REPRINT_RATE`]): a copy of a recent document by another
//!   source, with a few words substituted (about one per 40 words) — near
//!   duplicates the cluster stage should find.
//! - **Quotes** (≈ [`QUOTE_RATE`]): a new document that quotes a passage of
//!   15–40 consecutive words (0–2 of them changed) from a recent document of
//!   another source, between «» — recycled statements.
//! - **Sources and dates**: 50 sources; dates rise with the document number
//!   over one year (2024), so what is copied is always dated no later than
//!   the copy.
//!
//! - **Syndication** (`--syndicate K`, off by default): every original
//!   document also carries [`SYNDICATED`] wire passages of 15–40 words, each
//!   drawn from a pool of [`POOL`] passages in which a passage is used by
//!   exactly `K` documents and then replaced: every passage recurs in `K`
//!   documents, the load of wire copy the statement stages must stay linear
//!   in.
//!
//! Reprints and quotes copy from the last [`RECENT`] documents (a ring
//! buffer), like a news cycle, so the generator's memory is bounded.

use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Share of documents that are near-duplicate reprints.
const REPRINT_RATE: f64 = 0.03;
/// Share of documents that quote an earlier document of another source.
const QUOTE_RATE: f64 = 0.02;
/// Number of sources.
const SOURCES: usize = 50;
/// Synthetic words added after the seed vocabulary.
const SYNTHETIC_WORDS: usize = 200_000;
/// Zipf exponent of word ranks.
const ZIPF_S: f64 = 1.0;
/// Documents that reprints and quotes may copy from (the most recent ones).
const RECENT: usize = 8192;
/// Days the dates are spread over.
const DAYS: u64 = 366;
/// Wire passages in an original document with `--syndicate`.
const SYNDICATED: usize = 2;
/// Wire passages in use at a time with `--syndicate`.
const POOL: usize = 256;

/// xorshift64* — small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 of the seed, never zero.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[0, n)`.
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in `[lo, hi]`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Zipf sampling of ranks by inverse CDF with a guide table: the table maps
/// each of `G` equal slices of `[0, 1)` to the first rank whose CDF reaches
/// it, so a draw scans only a few entries.
struct Zipf {
    cdf: Vec<f64>,
    guide: Vec<u32>,
}

impl Zipf {
    fn new(n: usize, s: f64) -> Zipf {
        let mut cdf = Vec::with_capacity(n);
        let mut total = 0.0;
        for r in 1..=n {
            total += 1.0 / (r as f64).powf(s);
            cdf.push(total);
        }
        for c in &mut cdf {
            *c /= total;
        }
        *cdf.last_mut().expect("non-empty vocabulary") = 1.0;
        let g = 1 << 18;
        let mut guide = Vec::with_capacity(g);
        let mut r = 0;
        for i in 0..g {
            let u = i as f64 / g as f64;
            while cdf[r] < u {
                r += 1;
            }
            guide.push(r as u32);
        }
        Zipf { cdf, guide }
    }

    fn sample(&self, rng: &mut Rng) -> u32 {
        let u = rng.unit();
        let mut r = self.guide[(u * self.guide.len() as f64) as usize] as usize;
        while self.cdf[r] <= u {
            r += 1;
        }
        r as u32
    }
}

/// The words of the seed articles (letters only, most frequent first, ties
/// by first appearance), then synthetic Arabic words.
fn vocabulary(seeds: &Path, rng: &mut Rng) -> Vec<String> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(seeds).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    files.sort();
    let mut counts: Vec<(String, usize, usize)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for w in text.split(|c: char| !c.is_alphabetic()) {
            if w.is_empty() || !w.chars().all(|c| ('\u{0621}'..='\u{064A}').contains(&c)) {
                continue;
            }
            let n = counts.len();
            let i = *at.entry(w.to_string()).or_insert(n);
            if i == n {
                counts.push((w.to_string(), 0, n));
            }
            counts[i].1 += 1;
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    let mut words: Vec<String> = counts.into_iter().map(|c| c.0).collect();
    let mut seen: HashSet<String> = words.iter().cloned().collect();
    // Letters that normalization does not fold into one another, so
    // synthetic words stay distinct after folding.
    let letters: Vec<char> = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي".chars().collect();
    let target = words.len() + SYNTHETIC_WORDS;
    while words.len() < target {
        let mut w = String::new();
        if rng.below(4) == 0 {
            w.push_str("ال");
        }
        for _ in 0..rng.range(3, 6) {
            w.push(letters[rng.below(letters.len())]);
        }
        if seen.insert(w.clone()) {
            words.push(w);
        }
    }
    words
}

/// A document in the ring buffer: word ranks of its headline and body.
#[derive(Clone, Default)]
struct Doc {
    source: usize,
    title: Vec<u32>,
    body: Vec<u32>,
    /// Word positions where a sentence ends (exclusive ends).
    sentences: Vec<usize>,
}

/// Year, month, day of `days` after 2024-01-01 (2024 is a leap year).
fn ymd(days: u64) -> (u64, u64, u64) {
    const LEN: [u64; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut d = days % 366;
    let mut m = 0;
    while d >= LEN[m] {
        d -= LEN[m];
        m += 1;
    }
    (2024, m as u64 + 1, d + 1)
}

fn usage() -> ! {
    eprintln!("usage: gen_crawl --docs N --out FILE [--seed S] [--seeds DIR] [--words LO-HI] [--syndicate K]");
    std::process::exit(2);
}

fn main() -> std::io::Result<()> {
    let mut docs: usize = 1_000_000;
    let mut out: Option<PathBuf> = None;
    let mut seed: u64 = 1;
    let mut body_words = (80, 250);
    let mut seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut syndicate: usize = 0;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--docs" => docs = value().parse().unwrap_or_else(|_| usage()),
            "--out" => out = Some(PathBuf::from(value())),
            "--seed" => seed = value().parse().unwrap_or_else(|_| usage()),
            "--seeds" => seeds = PathBuf::from(value()),
            "--syndicate" => syndicate = value().parse().unwrap_or_else(|_| usage()),
            "--words" => {
                let v = value();
                let (lo, hi) = v.split_once('-').unwrap_or_else(|| usage());
                body_words = (lo.parse().unwrap_or_else(|_| usage()), hi.parse().unwrap_or_else(|_| usage()));
                if body_words.0 == 0 || body_words.0 > body_words.1 {
                    usage();
                }
            }
            _ => usage(),
        }
    }
    let Some(out) = out else { usage() };
    let t = Instant::now();
    let mut rng = Rng::new(seed);
    let vocab = vocabulary(&seeds, &mut rng);
    let zipf = Zipf::new(vocab.len(), ZIPF_S);
    let sources: Vec<String> = (0..SOURCES).map(|s| format!("news{s:02}.example")).collect();

    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = out.with_extension("jsonl.tmp");
    let mut w = BufWriter::with_capacity(1 << 22, std::fs::File::create(&tmp)?);
    let mut ring: Vec<Doc> = Vec::with_capacity(RECENT.min(docs));
    let (mut originals, mut reprints, mut quotes) = (0u64, 0u64, 0u64);
    // (passage, documents it may still go to)
    let mut pool: Vec<(Vec<u32>, usize)> = Vec::new();
    let mut wire = 0u64;
    let (mut bytes, mut words) = (0u64, 0u64);
    let mut text = String::new();
    let mut line = Vec::new();
    for i in 0..docs {
        let source = rng.below(SOURCES);
        let roll = rng.unit();
        // Another source's recent document, if any.
        let pick = |rng: &mut Rng, ring: &[Doc]| -> Option<usize> {
            if ring.is_empty() {
                return None;
            }
            (0..8).map(|_| rng.below(ring.len())).find(|&j| ring[j].source != source)
        };
        let mut doc = Doc { source, ..Doc::default() };
        let mut quote: Option<(usize, usize)> = None; // word range of the quote in `doc.body`
        let copied = if roll < REPRINT_RATE { pick(&mut rng, &ring) } else { None };
        if let Some(j) = copied {
            let orig = &ring[j];
            doc.title = orig.title.clone();
            doc.body = orig.body.clone();
            doc.sentences = orig.sentences.clone();
            let changes = 1 + rng.below((doc.body.len() / 40).max(1));
            for _ in 0..changes {
                let at = rng.below(doc.body.len());
                doc.body[at] = zipf.sample(&mut rng);
            }
            if rng.below(2) == 0 {
                let at = rng.below(doc.title.len());
                doc.title[at] = zipf.sample(&mut rng);
            }
            reprints += 1;
        } else {
            for _ in 0..rng.range(6, 12) {
                doc.title.push(zipf.sample(&mut rng));
            }
            let len = rng.range(body_words.0, body_words.1);
            while doc.body.len() < len {
                let n = rng.range(8, 25).min(len - doc.body.len()).max(1);
                for _ in 0..n {
                    doc.body.push(zipf.sample(&mut rng));
                }
                doc.sentences.push(doc.body.len());
            }
            if syndicate > 0 {
                for _ in 0..SYNDICATED {
                    let slot = rng.below(POOL);
                    if pool.len() < POOL {
                        let n = rng.range(15, 40);
                        pool.push(((0..n).map(|_| zipf.sample(&mut rng)).collect(), syndicate));
                    }
                    let slot = slot.min(pool.len() - 1);
                    let passage = pool[slot].0.clone();
                    pool[slot].1 -= 1;
                    if pool[slot].1 == 0 {
                        let n = rng.range(15, 40);
                        pool[slot] = ((0..n).map(|_| zipf.sample(&mut rng)).collect(), syndicate);
                        wire += 1;
                    }
                    // At a sentence boundary, as a sentence of its own.
                    let k = rng.below(doc.sentences.len() + 1);
                    let at = if k == 0 { 0 } else { doc.sentences[k - 1] };
                    let n = passage.len();
                    doc.body.splice(at..at, passage);
                    for e in &mut doc.sentences[k..] {
                        *e += n;
                    }
                    doc.sentences.insert(k, at + n);
                }
            }
            let quoted = if roll < REPRINT_RATE + QUOTE_RATE { pick(&mut rng, &ring) } else { None };
            if let Some(j) = quoted {
                let from = &ring[j].body;
                let n = rng.range(15, 40).min(from.len());
                let start = rng.below(from.len() - n + 1);
                let mut passage = from[start..start + n].to_vec();
                for _ in 0..rng.below(3) {
                    let at = rng.below(n);
                    passage[at] = zipf.sample(&mut rng);
                }
                // Insert at a sentence boundary; the quote is a sentence.
                let k = rng.below(doc.sentences.len() + 1);
                let at = if k == 0 { 0 } else { doc.sentences[k - 1] };
                doc.body.splice(at..at, passage);
                for e in &mut doc.sentences[k..] {
                    *e += n;
                }
                doc.sentences.insert(k, at + n);
                doc.sentences.sort_unstable();
                quote = Some((at, at + n));
                quotes += 1;
            } else {
                originals += 1;
            }
        }

        // Render: headline, blank line, sentences ending with «.» or «،».
        text.clear();
        for (k, &r) in doc.title.iter().enumerate() {
            if k > 0 {
                text.push(' ');
            }
            text.push_str(&vocab[r as usize]);
        }
        text.push_str("\n\n");
        let mut s = 0;
        for (k, &r) in doc.body.iter().enumerate() {
            if quote.is_some_and(|q| q.0 == k) {
                text.push_str("قال: «");
            } else if k > 0 {
                text.push(' ');
            }
            text.push_str(&vocab[r as usize]);
            if quote.is_some_and(|q| q.1 == k + 1) {
                text.push('»');
            }
            if doc.sentences.get(s) == Some(&(k + 1)) {
                s += 1;
                text.push(if s % 3 == 0 { '،' } else { '.' });
            }
        }
        words += (doc.title.len() + doc.body.len()) as u64;
        bytes += text.len() as u64;

        let day = (i as u64 * DAYS) / docs as u64;
        let (y, m, d) = ymd(day);
        let id = format!("d{i:07}");
        let date = format!("{y:04}-{m:02}-{d:02}");
        let url = format!("https://{}/{y:04}/{m:02}/{d:02}/{id}.html", sources[source]);
        line.clear();
        line.extend_from_slice(b"{\"id\":");
        serde_json::to_writer(&mut line, &id)?;
        line.extend_from_slice(b",\"text\":");
        serde_json::to_writer(&mut line, &text)?;
        line.extend_from_slice(b",\"source\":");
        serde_json::to_writer(&mut line, &sources[source])?;
        line.extend_from_slice(b",\"url\":");
        serde_json::to_writer(&mut line, &url)?;
        line.extend_from_slice(b",\"date\":");
        serde_json::to_writer(&mut line, &date)?;
        line.extend_from_slice(b"}\n");
        w.write_all(&line)?;

        if ring.len() < RECENT {
            ring.push(doc);
        } else {
            ring[i % RECENT] = doc;
        }
    }
    w.flush()?;
    drop(w);
    std::fs::rename(&tmp, &out)?;
    let size = std::fs::metadata(&out)?.len();
    println!(
        "gen_crawl: {docs} documents ({originals} original, {reprints} near-duplicate reprints, {quotes} quoting \
         an earlier document, {wire} wire passages used up by {syndicate} documents each), {SOURCES} sources, \
         {} vocabulary words, {words} words, {:.1} MB of text, {:.1} MB of JSONL -> {} in {:.1} s",
        vocab.len(),
        bytes as f64 / 1e6,
        size as f64 / 1e6,
        out.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
