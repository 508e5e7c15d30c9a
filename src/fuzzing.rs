//! Fuzzing entry points: one function per fuzz target of `fuzz/`, each
//! feeding arbitrary bytes to a reader or to normalization and checking the
//! invariants that must hold for any input, by panicking when one does not.
//!
//! The fuzz crate calls only these functions, and `tests/fuzz_regressions.rs`
//! replays every input the fuzzers ever crashed on through them, so CI checks
//! the fixes without cargo-fuzz. Not part of the API (hidden from the docs
//! here rather than in `lib.rs`, where rustfmt would split the attribute
//! onto a line of its own).
#![doc(hidden)]

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::Locator;
use crate::normalize::{Analyzer, fold_word, hash_word};
use crate::read::decompress::Compression;
use crate::read::{Format, InputFile, Raw, RawReader, Record};

/// `bytes` as a JSONL file: read as `.jsonl`, and also compressed, as a
/// `.jsonl.gz` (inputs of even length) or a `.jsonl.zst` (odd).
///
/// Checks the exact accounting: one record per non-blank line (line ends
/// `\n`, `\r\n`; a UTF-8 BOM opening the file is not part of line 1), with
/// its 1-based line number, or one `empty` record for a file without any;
/// every error names `FILE:LINE` of its own line; the compressed copy gives
/// the same records; where the hand-written parse of a line succeeds, it
/// reads the line as serde_json does. Also parses all of `bytes` as one line.
pub fn jsonl(bytes: &[u8]) {
    // Also with other names, some of them the default names of other parts.
    let names = crate::read::FieldNames {
        text: Some("body".into()),
        id: Some("url".into()),
        url: Some("link".into()),
        date: Some("published".into()),
        ..Default::default()
    };
    let fields = crate::read::Fields::new(&names).expect("distinct names");
    for line in bytes.split(|&b| b == b'\n') {
        crate::read::check_fast_parse(line, &fields);
    }
    let expected = non_blank_lines(bytes);
    let display = "fuzz.jsonl";
    let mut raws = Vec::new();
    let (records, skipped) = with_temp_file(bytes, ".jsonl", |path| {
        let mut reader = RawReader::new(vec![input(path, display, Format::Jsonl, Compression::None, bytes.len())]);
        let records: Vec<Record> = reader
            .by_ref()
            .map(|raw| {
                let line = match &raw {
                    Raw::Line(l) => Some(l.line),
                    _ => None,
                };
                raws.extend(line);
                let rec = raw.parse();
                if let (Some(n), Err(e)) = (line, &rec.content) {
                    assert_eq!(e.locator, Locator::Line(display.into(), n), "error of line {n} names another place");
                }
                rec
            })
            .collect();
        (records, reader.skipped_records())
    });
    assert_eq!(skipped, 0);
    assert_eq!(raws, expected, "records are exactly the non-blank lines");
    if expected.is_empty() {
        assert_eq!(records.len(), 1, "a file without records is one record");
        assert_eq!(records[0].content.as_deref(), Ok(""), "…and it is empty");
    } else {
        assert_eq!(records.len(), expected.len());
    }
    check_records(&records, display);

    // One compressed copy per input (each costs a compressor's setup): gzip
    // for inputs of even length, zstd for odd.
    let (ext, compression, packed) = match bytes.len() % 2 {
        0 => (".jsonl.gz", Compression::Gzip, gzip(bytes)),
        _ => (".jsonl.zst", Compression::Zstd, zstd::encode_all(bytes, 1).expect("zstd compresses")),
    };
    let (packed_records, _) = read_file(&packed, ext, display, Format::Jsonl, compression);
    assert_eq!(summarize(&packed_records), summarize(&records), "{ext} reads like the plain file");

    // All of `bytes` as one line (line ends and all).
    let raw = Raw::Line(crate::read::RawLine {
        input: display.into(),
        line: 7,
        bytes: bytes.to_vec(),
        fields: Default::default(),
    });
    let rec = raw.parse();
    assert!(!rec.meta.id.is_empty());
    if let Err(e) = &rec.content {
        assert_eq!(e.locator, Locator::Line(display.into(), 7));
    }
}

/// 1-based numbers of the lines of a JSONL file that are records.
fn non_blank_lines(bytes: &[u8]) -> Vec<u64> {
    let mut out = Vec::new();
    for (i, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        let mut l = line;
        while let [rest @ .., b'\r' | b'\n'] = l {
            l = rest;
        }
        if i == 0 {
            l = l.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(l);
        }
        if !l.iter().all(u8::is_ascii_whitespace) {
            out.push(i as u64 + 1);
        }
    }
    out
}

/// `bytes` as a web archive. The first byte picks how: 0 as a `.warc` and as
/// an `.arc`, 1 as a `.warc.gz` as is (mostly not gzip at all, so read as
/// plain: the compression is told by the bytes), else as a `.warc` and, for
/// comparison, gzip-compressed as a `.warc.gz` (2), as a `.wet` and
/// zstd-compressed as a `.warc.zst` (3 and up). The
/// plain and compressed copies are read under one name, `fuzz.warc`.
///
/// Checks: reading ends; a file yields at least one record unless it held
/// only skipped non-documents; every record is of this file and every error
/// names `FILE@OFFSET` (or the file) with an offset inside the data; a
/// compressed copy gives the same records as the plain file.
pub fn warc(bytes: &[u8]) {
    let Some((&mode, data)) = bytes.split_first() else { return };
    match mode {
        0 => {
            read_warc(data, Format::Warc, Compression::None);
            read_warc(data, Format::Arc, Compression::None);
        }
        1 => {
            read_warc(data, Format::Warc, Compression::Gzip);
        }
        _ => {
            let (format, compression, packed) = match mode {
                2 => (Format::Warc, Compression::Gzip, gzip(data)),
                _ => (Format::Wet, Compression::Zstd, zstd::encode_all(data, 1).expect("zstd compresses")),
            };
            let plain = read_warc(data, format, Compression::None);
            let packed = read_warc(&packed, format, compression);
            assert_eq!(summarize(&packed.0), summarize(&plain.0), "{compression:?} reads like the plain file");
            assert_eq!(packed.1, plain.1, "{compression:?} skips what the plain file skips");
        }
    }
}

/// Reads one web archive and checks what holds for any.
/// Both the plain file and its compressed copy are shown as `fuzz.warc`, so
/// that their records can be compared as they are.
fn read_warc(data: &[u8], format: Format, compression: Compression) -> (Vec<Record>, u64) {
    let display = "fuzz.warc";
    let ext = match compression {
        Compression::None => ".warc",
        Compression::Gzip => ".warc.gz",
        Compression::Zstd => ".warc.zst",
        Compression::Lz4 => ".warc.lz4",
    };
    let (records, skipped) = read_file(data, ext, display, format, compression);
    assert!(!records.is_empty() || skipped > 0, "a file vanished from the accounting");
    check_records(&records, display);
    for r in &records {
        if let Err(e) = &r.content {
            match &e.locator {
                Locator::Offset(_, at) if compression == Compression::None => {
                    assert!(*at <= data.len() as u64, "offset {at} beyond the {} bytes of the file", data.len());
                }
                Locator::Offset(..) | Locator::File(_) => {}
                Locator::Line(..) => panic!("a web archive error names a line: {e}"),
            }
        }
    }
    (records, skipped)
}

/// The main text of `bytes` as an HTML page. The first byte picks the HTTP
/// `Content-Type` it comes with (none, no charset, a charset, a bogus one,
/// UTF-16). Checks that extraction returns (a panic inside the HTML
/// machinery is caught by sada, but the fuzzer's panic hook still reports it).
pub fn html(bytes: &[u8]) {
    let Some((&mode, page)) = bytes.split_first() else { return };
    let content_type = match mode % 6 {
        0 => None,
        1 => Some("text/html"),
        2 => Some("text/html; charset=windows-1256"),
        3 => Some("text/html; charset=utf-8"),
        4 => Some("text/html; charset=\"no-such-charset\""),
        _ => Some("text/html; charset=utf-16le"),
    };
    let _text: String = crate::read::warc::extract_text(page, content_type);
}

/// `bytes` as text (lossily decoded if not UTF-8), through normalization.
///
/// Checks: every word's span is non-empty, on char boundaries, inside the
/// text, after the previous one with something between them; the folded word
/// is non-empty, is what [`fold_word`] makes of the span, and folding it again
/// changes nothing; the span analysed alone is that one word; the text between
/// spans holds no word; [`Analyzer::tokens`] agrees with
/// [`Analyzer::for_each_word`]; and the folded words, joined by spaces, are
/// analysed into themselves.
pub fn normalize(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let text = text.as_ref();
    let mut a = Analyzer::new();
    let mut words: Vec<(String, usize, usize)> = Vec::new();
    a.for_each_word(text, |span, folded| words.push((folded.to_string(), span.range().start, span.range().end)));
    let mut prev_end: Option<usize> = None;
    for (folded, start, end) in &words {
        let (start, end) = (*start, *end);
        assert!(start < end && end <= text.len(), "span {start}..{end} in {} bytes", text.len());
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "span {start}..{end} cuts a char");
        if let Some(p) = prev_end {
            assert!(p < start, "span {start}..{end} overlaps or touches the previous one, ending at {p}");
        }
        prev_end = Some(end);
        assert!(!folded.is_empty());
        let original = &text[start..end];
        assert_eq!(&fold_word(original), folded, "fold_word of the span {original:?}");
        assert_eq!(&fold_word(folded), folded, "fold_word is idempotent on {original:?}");
        let alone = a.words(original);
        assert_eq!(alone, std::slice::from_ref(folded), "span {original:?} analysed alone");
    }
    let mut gap_start = 0;
    let bounds = words.iter().map(|(_, s, e)| (*s, *e)).chain(std::iter::once((text.len(), text.len())));
    for (start, end) in bounds {
        let gap = &text[gap_start..start];
        assert!(a.words(gap).is_empty(), "the gap {gap:?} between words holds a word");
        gap_start = end;
    }
    let tokens = a.tokens(text);
    assert_eq!(tokens.len(), words.len());
    for (t, (folded, start, end)) in tokens.iter().zip(&words) {
        assert_eq!(t.hash, hash_word(folded));
        assert_eq!(t.span.range(), *start..*end);
    }
    let folded: Vec<String> = words.into_iter().map(|(w, _, _)| w).collect();
    assert_eq!(a.words(&folded.join(" ")), folded, "folded words analyse into themselves");
}

/// What must hold for every record of the file shown as `display`.
fn check_records(records: &[Record], display: &str) {
    for r in records {
        assert_eq!(r.meta.input, display);
        assert!(!r.meta.id.is_empty(), "a record without an id");
        assert!(!r.meta.source.is_empty(), "a record without a source");
        if let Err(e) = &r.content {
            let file = match &e.locator {
                Locator::File(f) | Locator::Line(f, _) | Locator::Offset(f, _) => f,
            };
            assert_eq!(file, display, "an error names another file: {e}");
            assert!(e.to_string().starts_with(display));
        }
    }
}

/// What of a record must not depend on how its file was stored: id, URL,
/// date, and the text or the error's place.
type Summary = (String, Option<String>, Option<String>, Result<String, String>);

/// Records reduced to a [`Summary`] each (for files read under the same
/// name; error messages say which offset they mean, so they differ).
fn summarize(records: &[Record]) -> Vec<Summary> {
    records
        .iter()
        .map(|r| {
            let content = match &r.content {
                Ok(t) => Ok(t.clone()),
                Err(e) => Err(match &e.locator {
                    Locator::File(_) => "file".to_string(),
                    Locator::Line(_, n) => format!(":{n}"),
                    Locator::Offset(_, at) => format!("@{at}"),
                }),
            };
            (r.meta.id.clone(), r.meta.url.clone(), r.meta.date.clone(), content)
        })
        .collect()
}

/// Reads `bytes` stored as a file with extension `ext`: the parsed records
/// and the count of skipped archive records.
fn read_file(bytes: &[u8], ext: &str, display: &str, format: Format, compression: Compression) -> (Vec<Record>, u64) {
    with_temp_file(bytes, ext, |path| {
        let mut reader = RawReader::new(vec![input(path, display, format, compression, bytes.len())]);
        let records: Vec<Record> = reader.by_ref().map(Raw::parse).collect();
        (records, reader.skipped_records())
    })
}

fn input(path: PathBuf, display: &str, format: Format, compression: Compression, size: usize) -> InputFile {
    InputFile {
        path,
        display: display.to_string(),
        format,
        compression,
        size: size as u64,
        spooled: None,
        fields: None,
    }
}

/// Runs `f` on a temporary file holding `bytes`, then removes the file.
/// The readers open files by path; a file per call keeps them unchanged.
fn with_temp_file<T>(bytes: &[u8], ext: &str, f: impl FnOnce(PathBuf) -> T) -> T {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("sada-fuzz-{}-{n}{ext}", std::process::id()));
    std::fs::File::create(&path).and_then(|mut file| file.write_all(bytes)).expect("temporary file is writable");
    struct Remove(PathBuf);
    impl Drop for Remove {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
    let guard = Remove(path.clone());
    let out = f(path);
    drop(guard);
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("gzip into memory");
    e.finish().expect("gzip into memory")
}
