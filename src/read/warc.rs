//! `.warc` and `.wet` (optionally `.gz`/`.zst`): web archives, read one
//! record at a time.
//!
//! A WARC file is a sequence of records: a header (`WARC/1.x`, then
//! `Name: value` lines, then a blank line), a block of exactly
//! `Content-Length` bytes, and a blank line. The documents are
//! - `response` records holding an HTTP 2xx response whose body is HTML or
//!   plain text (crawls, `.warc`): HTML is reduced to its main text, and
//! - `conversion` records (`.wet`): text the crawler already extracted,
//!   UTF-8.
//!
//! The record type decides, not the extension, so a `.warc` that holds
//! conversion records is read too. Every other record — `warcinfo`,
//! `request`, `metadata`, `revisit`, `resource`, responses that are not
//! HTTP, not 2xx, or not text (images, PDFs, scripts…) — is not a record of
//! the contract: it is skipped and counted (`WarcFile::skipped`).
//!
//! Reading stays streaming and cheap: the reading thread only splits records
//! by `Content-Length` and reads HTTP headers (to decide whether a record is
//! a document); the body travels as bytes in a [`RawWarc`], and charset
//! decoding and main-text extraction, the costly part, run on the workers in
//! [`RawWarc::parse`].
//!
//! Damage costs one error record, never the run. A block that runs past the
//! end of the file, or that is not followed by the blank line its
//! `Content-Length` promises (the length is wrong), or bytes between records
//! that are not a record: one error record each, then reading resumes at the
//! next line that starts with `WARC/1.` — for a length that is too large, the
//! first such line *inside* the block, so that the records it swallowed are
//! read as usual (`Watch` below). A decompression or read error ends
//! the file with one error record for the rest. Record-level errors name
//! `FILE@OFFSET` with the offset of the record's start in the decompressed
//! stream; decompression errors name the offset in the compressed file, as
//! for the other formats.

use std::borrow::Cow;
use std::io::{self, BufRead, Read};

use super::decompress::{self, Compression, Opened, describe};
use super::{InputFile, Meta, Raw, Record, host_of, html, meta};
use crate::error::{Locator, RecordError};

#[doc(hidden)]
pub use super::html::extract_text;

/// Largest WARC header accepted (a header is a few hundred bytes).
const MAX_HEADER: usize = 64 << 10;

/// Largest HTTP header accepted.
const MAX_HTTP_HEADER: u64 = 64 << 10;

/// Largest body held in memory. News pages are well below; crawlers
/// usually truncate at 1 MiB anyway.
const MAX_PAYLOAD: u64 = 64 << 20;

/// Largest body after undoing its `Content-Encoding` (a guard against
/// compression bombs).
const MAX_DECODED: u64 = 4 * MAX_PAYLOAD;

/// Largest HTML page handed to the parser, after decoding: parsing costs
/// about [`PAGE_COST`] bytes of memory per byte of markup, so this bounds
/// what one thread can take on (136 MiB) whatever the page. News pages are
/// a few hundred KiB; trafilatura stops at 20 MB. A fixed size, not a share
/// of `--memory-limit`: outputs must not depend on the limit.
pub const MAX_PAGE: usize = 8 << 20;

/// Bytes of parser state per byte of HTML markup (measured: a 200 MB page
/// peaked at 3.4 GB).
pub const PAGE_COST: usize = 17;

/// What a line must start with for reading to resume there after damage.
const RESYNC: &[u8] = b"WARC/1.";

/// A document record as split off the archive, before its body is decoded.
#[derive(Clone, Debug)]
pub struct RawWarc {
    /// What the record is: its id (`WARC-Record-ID`, else where it is),
    /// URL (`WARC-Target-URI`) and date (`WARC-Date`).
    pub meta: Meta,
    /// Offset of the record's start in the decompressed stream.
    pub offset: u64,
    /// Whether the file is compressed (for the wording of errors).
    pub compressed: bool,
    /// How to turn `payload` into text.
    pub body: Body,
    /// The body: the HTTP payload (after the HTTP header) or the
    /// conversion record's block.
    pub payload: Vec<u8>,
}

/// The kind of body a [`RawWarc`] carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// A `conversion` record's text, UTF-8.
    Converted,
    /// An HTTP response's payload.
    Http {
        /// HTML (main text extracted) or plain text.
        html: bool,
        /// The HTTP `Content-Type` (for its charset).
        content_type: Option<String>,
        /// The HTTP `Content-Encoding`, if not identity.
        content_encoding: Option<String>,
        /// Whether the payload is still in chunked transfer encoding.
        chunked: bool,
    },
}

impl RawWarc {
    /// The record: its body decoded, HTML reduced to its main text.
    pub fn parse(self) -> Record {
        let page = self.page().map_err(|message| RecordError {
            message: format!("{message}{}", record_note(self.compressed)),
            locator: Locator::Offset(self.meta.input.clone(), self.offset),
        });
        let (content, title) = match page {
            Ok(html::Page { text, title }) => (Ok(text), title),
            Err(e) => (Err(e), None),
        };
        Record { meta: Meta { title, ..self.meta }, content }
    }

    /// The body's text (and an HTML page's title).
    fn page(&self) -> Result<html::Page, String> {
        let Body::Http { html, content_type, content_encoding, chunked } = &self.body else {
            return match simdutf8::basic::from_utf8(&self.payload) {
                Ok(text) => Ok(html::Page { text: text.to_string(), title: None }),
                Err(_) => {
                    let at = std::str::from_utf8(&self.payload).err().map_or(0, |e| e.valid_up_to());
                    Err(format!("invalid UTF-8 at byte {at} of the conversion record's text"))
                }
            };
        };
        let mut bytes = Cow::Borrowed(self.payload.as_slice());
        if *chunked && let Some(joined) = dechunk(&bytes) {
            bytes = Cow::Owned(joined);
        }
        if let Some(coding) = content_encoding {
            bytes = decode_content(coding, bytes, if *html { MAX_PAGE as u64 } else { MAX_DECODED })?;
        }
        if *html && bytes.len() > MAX_PAGE {
            return Err(too_much_markup(bytes.len()));
        }
        let tld = self.meta.url.as_deref().and_then(host_of);
        let tld = tld.as_deref().and_then(|h| h.rsplit('.').next());
        if *html {
            html::extract(&bytes, content_type.as_deref(), tld)
        } else {
            Ok(html::Page { text: html::decode(&bytes, content_type.as_deref(), tld, false), title: None })
        }
    }
}

/// Says which offset an error's `FILE@OFFSET` names.
fn record_note(compressed: bool) -> &'static str {
    if compressed { " (offset of the record in the decompressed stream)" } else { " (offset of the record)" }
}

/// Joins the chunks of a chunked transfer encoding; `None` if `body` is not
/// chunked after all (some tools decode it but keep the header). A body cut
/// short keeps the chunks it has.
fn dechunk(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    loop {
        let (start, size) = match httparse::parse_chunk_size(rest) {
            Ok(httparse::Status::Complete(c)) => c,
            _ if out.is_empty() => return None,
            _ => return Some(out),
        };
        if size == 0 {
            return Some(out);
        }
        let end = usize::try_from(size).ok().and_then(|s| start.checked_add(s)).unwrap_or(usize::MAX);
        if end >= rest.len() {
            out.extend_from_slice(&rest[start.min(rest.len())..]);
            return Some(out);
        }
        out.extend_from_slice(&rest[start..end]);
        rest = &rest[end..];
        rest = rest.strip_prefix(b"\r\n").or_else(|| rest.strip_prefix(b"\n")).unwrap_or(rest);
    }
}

/// Undoes an HTTP `Content-Encoding`. A body that does not look encoded is
/// taken as is (tools that decode bodies often keep the header).
/// Decoding stops past `max` bytes (a compression bomb costs `max`).
fn decode_content<'a>(coding: &str, body: Cow<'a, [u8]>, max: u64) -> Result<Cow<'a, [u8]>, String> {
    let read_all = |r: &mut dyn Read| -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        r.take(max + 1).read_to_end(&mut out).map_err(|e| format!("cannot undo Content-Encoding {coding}: {e}"))?;
        if out.len() as u64 > max {
            return Err(format!("body larger than {} MiB once decoded (Content-Encoding {coding})", max >> 20));
        }
        Ok(out)
    };
    let coding_lc = coding.trim().to_ascii_lowercase();
    let decoded = match coding_lc.as_str() {
        "" | "identity" => return Ok(body),
        "gzip" | "x-gzip" if body.starts_with(&[0x1f, 0x8b]) => {
            read_all(&mut flate2::read::MultiGzDecoder::new(&body[..]))?
        }
        "deflate" if body.first().is_some_and(|b| b & 0x0f == 8) => {
            read_all(&mut flate2::read::ZlibDecoder::new(&body[..]))?
        }
        "deflate" => read_all(&mut flate2::read::DeflateDecoder::new(&body[..]))?,
        "zstd" if body.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) => {
            let mut d = zstd::stream::read::Decoder::new(&body[..]).map_err(|e| e.to_string())?;
            read_all(&mut d)?
        }
        "gzip" | "x-gzip" | "zstd" => return Ok(body),
        other => return Err(format!("unsupported HTTP Content-Encoding `{other}`")),
    };
    Ok(Cow::Owned(decoded))
}

/// The decompressed stream of an archive and the offset read up to.
struct Stream {
    source: Source,
    /// Bytes of the decompressed stream consumed so far.
    pos: u64,
    /// Whether the last byte consumed ended a line (or nothing was).
    at_line_start: bool,
    /// While a block is read: where a record header starts inside it, and
    /// the bytes from there on (see [`Watch`]).
    watch: Option<Watch>,
}

/// The decompressed bytes, after any given back to be read again.
struct Source {
    opened: Opened,
    /// Bytes to read again before the reader's (see [`Stream::rewind`]).
    replay: Vec<u8>,
    /// How many of `replay` are consumed.
    replayed: usize,
    /// Bytes after the end of the compressed data that are not compressed
    /// data ([`decompress::TrailingGarbage`]): read as the end of the stream,
    /// reported after the last record.
    garbage: Option<String>,
}

impl Source {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.replayed < self.replay.len() {
            return Ok(&self.replay[self.replayed..]);
        }
        match self.opened.reader.fill_buf() {
            Err(e) if decompress::ended_whole(&e) => {
                self.garbage = Some(e.to_string());
                Ok(&[])
            }
            read => read,
        }
    }

    fn consume(&mut self, n: usize) {
        if self.replayed < self.replay.len() {
            self.replayed += n;
            if self.replayed == self.replay.len() {
                self.replay = Vec::new();
                self.replayed = 0;
            }
        } else {
            self.opened.reader.consume(n);
        }
    }
}

/// Watches a block as it is read for a line that starts a WARC record.
/// A `Content-Length` that is too large swallows the records after its
/// own; when the length turns out wrong (no blank line after the block, or
/// the file ends inside it), reading goes back to the first header seen
/// inside the block instead of losing what followed it. The bytes from that
/// header on are kept for this, up to [`MAX_PAYLOAD`].
#[derive(Default)]
struct Watch {
    /// How much of [`RESYNC`] the current line has matched; `None` once the
    /// line cannot match.
    matched: Option<usize>,
    /// Offset of the first header found inside the block.
    found: Option<u64>,
    /// The bytes from `found` on (emptied if they grow past the limit).
    kept: Vec<u8>,
    /// The kept bytes outgrew [`MAX_PAYLOAD`]: no going back.
    overflowed: bool,
}

impl Watch {
    /// A watch over a block that starts at a line start.
    fn new() -> Watch {
        Watch { matched: Some(0), ..Watch::default() }
    }

    /// Sees `bytes`, the first of which is at offset `at`.
    fn see(&mut self, bytes: &[u8], at: u64) {
        let rest = if self.found.is_some() {
            bytes
        } else {
            let Some(end) = self.scan(bytes) else { return };
            self.found = Some(at + end as u64 - RESYNC.len() as u64);
            self.kept.extend_from_slice(RESYNC);
            &bytes[end..]
        };
        if self.overflowed || self.kept.len() + rest.len() > MAX_PAYLOAD as usize {
            self.overflowed = true;
            self.kept = Vec::new();
        } else {
            self.kept.extend_from_slice(rest);
        }
    }

    /// Where in `bytes` a line that starts with [`RESYNC`] has matched it
    /// (the index past it), if one does; lines that cannot match are passed
    /// over with `memchr`.
    fn scan(&mut self, bytes: &[u8]) -> Option<usize> {
        let mut i = 0;
        while i < bytes.len() {
            match self.matched {
                None => {
                    i += memchr::memchr(b'\n', &bytes[i..])? + 1;
                    self.matched = Some(0);
                }
                Some(m) => {
                    let b = bytes[i];
                    i += 1;
                    self.matched = if b == RESYNC[m] { Some(m + 1) } else { (b == b'\n').then_some(0) };
                    if self.matched == Some(RESYNC.len()) {
                        return Some(i);
                    }
                }
            }
        }
        None
    }
}

impl Stream {
    fn new(opened: Opened) -> Stream {
        Stream {
            source: Source { opened, replay: Vec::new(), replayed: 0, garbage: None },
            pos: 0,
            at_line_start: true,
            watch: None,
        }
    }

    /// Marks `n` buffered bytes, the last of which is `last`, as consumed.
    fn consume(&mut self, n: usize, last: u8) {
        self.source.consume(n);
        self.pos += n as u64;
        self.at_line_start = last == b'\n';
    }

    /// Stops watching the block just read; if a record header was seen
    /// inside it, goes back there and returns its offset.
    fn rewind(&mut self) -> Option<u64> {
        let watch = self.watch.take()?;
        let at = watch.found.filter(|_| !watch.overflowed)?;
        let mut replay = watch.kept;
        replay.extend_from_slice(&self.source.replay[self.source.replayed..]);
        self.source.replay = replay;
        self.source.replayed = 0;
        self.pos = at;
        self.at_line_start = true;
        Some(at)
    }

    /// Appends bytes through the next `\n` to `buf`, at most `cap` of them;
    /// returns how many (0 at the end of the stream).
    fn read_line(&mut self, buf: &mut Vec<u8>, cap: usize) -> io::Result<usize> {
        let mut total = 0;
        while total < cap {
            let avail = self.source.fill_buf()?;
            if avail.is_empty() {
                break;
            }
            let window = &avail[..avail.len().min(cap - total)];
            let (n, done) = match window.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (window.len(), false),
            };
            buf.extend_from_slice(&window[..n]);
            let last = window[n - 1];
            self.consume(n, last);
            total += n;
            if done {
                break;
            }
        }
        Ok(total)
    }

    /// Passes over up to `n` bytes, appending them to `buf` if given;
    /// returns how many there were (fewer than `n` only at the end).
    fn take(&mut self, n: u64, mut buf: Option<&mut Vec<u8>>) -> io::Result<u64> {
        let mut left = n;
        while left > 0 {
            let avail = self.source.fill_buf()?;
            if avail.is_empty() {
                break;
            }
            let k = avail.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            if let Some(b) = buf.as_deref_mut() {
                b.extend_from_slice(&avail[..k]);
            }
            if let Some(w) = self.watch.as_mut() {
                w.see(&avail[..k], self.pos);
            }
            let last = avail[k - 1];
            self.consume(k, last);
            left -= k as u64;
        }
        Ok(n - left)
    }

    /// Passes over the blank line that ends a record's block; returns false
    /// if something else follows the block (its `Content-Length` is wrong).
    /// The end of the stream is a fine end.
    fn end_of_block(&mut self) -> io::Result<bool> {
        let mut newlines = 0;
        for _ in 0..4 {
            match self.source.fill_buf()?.first() {
                None => return Ok(true),
                Some(&b) if b == b'\n' || b == b'\r' => {
                    newlines += usize::from(b == b'\n');
                    // Still the watched block's bytes if the length proves
                    // wrong: a rewind must replay them.
                    if let Some(w) = self.watch.as_mut() {
                        w.see(&[b], self.pos);
                    }
                    self.consume(1, b);
                }
                // One line end then the next header: a sloppy writer.
                Some(&b'W') if newlines == 1 => return Ok(true),
                Some(_) => break,
            }
        }
        Ok(newlines >= 2)
    }

    /// Passes over bytes up to and including the next `WARC/1.` at the
    /// start of a line; returns the offset where it starts, or `None` at the
    /// end of the stream.
    fn seek_record(&mut self) -> io::Result<Option<u64>> {
        // How much of RESYNC the current line has matched; None once the
        // line cannot match.
        let mut matched = self.at_line_start.then_some(0);
        loop {
            let avail = self.source.fill_buf()?;
            if avail.is_empty() {
                return Ok(None);
            }
            for (i, &b) in avail.iter().enumerate() {
                matched = match matched {
                    Some(m) if b == RESYNC[m] => Some(m + 1),
                    _ if b == b'\n' => Some(0),
                    _ => None,
                };
                if matched == Some(RESYNC.len()) {
                    self.consume(i + 1, b);
                    return Ok(Some(self.pos - RESYNC.len() as u64));
                }
            }
            let (n, last) = (avail.len(), avail[avail.len() - 1]);
            self.consume(n, last);
        }
    }
}

/// A WARC header: its offset and its fields in order.
struct Header {
    start: u64,
    fields: Vec<(String, String)>,
}

impl Header {
    /// The value of field `name` (case-insensitive), trimmed; an empty
    /// value counts as absent (an empty `WARC-Record-ID` made an empty id).
    fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, v)| n.eq_ignore_ascii_case(name) && !v.is_empty()).map(|(_, v)| v.as_str())
    }
}

/// What is at the current position of the stream.
enum Next {
    Header(Header),
    /// A line that is not a record header, at this offset.
    Garbage(u64),
    /// A header that does not end (at the end of the file, or too long).
    BadHeader(u64, &'static str),
    End,
}

/// What one step of reading found.
enum Outcome {
    Doc(Box<RawWarc>),
    Skipped,
    Error(Record),
    End,
}

/// What a record's block held.
enum Block {
    Doc(Box<RawWarc>),
    Skip,
    /// The block was read but cannot be used.
    Bad(String),
    /// The block runs past the end of the file; this many bytes were there.
    PastEnd(u64),
}

/// The records of one WARC or WET file.
pub(crate) struct WarcFile {
    file: InputFile,
    stream: Option<Stream>,
    /// Records handed out, errors included.
    records: u64,
    /// Records that are not documents.
    skipped: u64,
    /// Offset of the record being read, for "the rest is lost" messages.
    record_start: u64,
    /// Set when a resync consumed the next header's `WARC/1.`, which
    /// started at this offset.
    carried: Option<u64>,
    finished: bool,
}

impl WarcFile {
    pub(crate) fn open(file: InputFile) -> WarcFile {
        WarcFile { file, stream: None, records: 0, skipped: 0, record_start: 0, carried: None, finished: false }
    }

    /// Raw bytes of the file consumed so far.
    pub(crate) fn consumed(&self) -> u64 {
        self.stream.as_ref().map_or(0, |s| s.source.opened.consumed_bytes())
    }

    pub(crate) fn size(&self) -> u64 {
        self.file.size
    }

    /// Records read so far that are not documents (see the module docs).
    pub(crate) fn skipped(&self) -> u64 {
        self.skipped
    }

    fn compressed(&self) -> bool {
        self.file.compression != Compression::None
    }

    fn record(
        &self,
        id: String,
        url: Option<String>,
        date: Option<String>,
        content: Result<String, RecordError>,
    ) -> Record {
        Record { meta: meta(id, None, self.file.display.clone(), url, date), content }
    }

    /// An error record for the record (or stretch of bytes) at `at`.
    fn error_at(&self, at: u64, header: Option<&Header>, message: String) -> Record {
        let locator = Locator::Offset(self.file.display.clone(), at);
        let field = |name| header.and_then(|h| h.get(name)).map(str::to_string);
        let id = field("WARC-Record-ID").unwrap_or_else(|| locator.to_string());
        let message = format!("{message}{}", record_note(self.compressed()));
        self.record(id, field("WARC-Target-URI"), field("WARC-Date"), Err(RecordError { locator, message }))
    }

    /// The error record that ends a file whose bytes could not be read.
    fn lost(&self, e: &io::Error) -> Record {
        let (at, which) = match self.compressed() {
            true => (self.consumed(), "offset in the compressed file"),
            false => (self.stream.as_ref().map_or(0, |s| s.pos), "offset in the file"),
        };
        let locator = Locator::Offset(self.file.display.clone(), at);
        let mut message = format!("{} ({which})", describe(e, self.file.compression));
        if self.stream.is_some() {
            message += &format!(
                "; the rest of the file, from the record at decompressed offset {}, is lost",
                self.record_start
            );
        }
        self.record(locator.to_string(), None, None, Err(RecordError { locator, message }))
    }

    fn stream(&mut self) -> &mut Stream {
        self.stream.as_mut().expect("opened before reading")
    }

    /// Reads up to and including the next record.
    fn step(&mut self) -> io::Result<Outcome> {
        let header = match self.read_header()? {
            Next::End => return Ok(Outcome::End),
            Next::Header(h) => h,
            Next::Garbage(at) => {
                self.record_start = at;
                let (skipped, found) = self.resync(at)?;
                let rest = if found { "before the next record" } else { "up to the end of the file" };
                let message = format!("{skipped} bytes that are not a WARC record {rest}, skipped");
                return Ok(Outcome::Error(self.error_at(at, None, message)));
            }
            Next::BadHeader(at, what) => {
                self.record_start = at;
                let (skipped, _) = self.resync(at)?;
                let message = format!("{what}; {skipped} bytes skipped to the next record");
                return Ok(Outcome::Error(self.error_at(at, None, message)));
            }
        };
        let at = header.start;
        self.record_start = at;
        let Some(len) = header.get("Content-Length").and_then(|v| v.parse::<u64>().ok()) else {
            let (skipped, _) = self.resync(at)?;
            let message = format!("missing or invalid Content-Length; {skipped} bytes skipped to the next record");
            return Ok(Outcome::Error(self.error_at(at, Some(&header), message)));
        };
        let kind = header.get("WARC-Type").unwrap_or("").to_ascii_lowercase();
        self.stream().watch = Some(Watch::new());
        let block = match kind.as_str() {
            "response" => self.response(&header, len)?,
            "conversion" => self.conversion(&header, len)?,
            _ => self.skip_block(len, Block::Skip)?,
        };
        let outcome = match block {
            Block::PastEnd(present) => {
                if let Some(next) = self.stream().rewind() {
                    let message = format!(
                        "Content-Length {len} runs past the end of the file ({present} bytes follow the header): \
                         the length is wrong; record dropped, reading resumes at the record at offset {next} inside it"
                    );
                    return Ok(Outcome::Error(self.error_at(at, Some(&header), message)));
                }
                self.finished = true;
                let message = format!(
                    "Content-Length {len} runs past the end of the file ({present} bytes follow the header); \
                     the file ends inside this record"
                );
                return Ok(Outcome::Error(self.error_at(at, Some(&header), message)));
            }
            Block::Doc(doc) => Outcome::Doc(doc),
            Block::Skip => Outcome::Skipped,
            Block::Bad(message) => Outcome::Error(self.error_at(at, Some(&header), message)),
        };
        if !self.stream().end_of_block()? {
            if let Some(next) = self.stream().rewind() {
                let message = format!(
                    "no blank line after the record's Content-Length {len} bytes: the length is wrong; \
                     record dropped, reading resumes at the record at offset {next} inside it"
                );
                return Ok(Outcome::Error(self.error_at(at, Some(&header), message)));
            }
            let (skipped, _) = self.resync(at)?;
            let message = format!(
                "no blank line after the record's Content-Length {len} bytes: the length is wrong; \
                 record dropped, {skipped} bytes skipped to the next record"
            );
            return Ok(Outcome::Error(self.error_at(at, Some(&header), message)));
        }
        self.stream().watch = None;
        // Whatever fails from here on fails at the next record.
        self.record_start = self.stream().pos;
        Ok(outcome)
    }

    /// Scans to the next record after damage found in the record or
    /// stretch starting at `from`; returns how many bytes from `from` on are
    /// lost, and whether a record follows.
    fn resync(&mut self, from: u64) -> io::Result<(u64, bool)> {
        let stream = self.stream();
        let found = stream.seek_record()?;
        let end = found.unwrap_or(stream.pos);
        self.carried = found;
        Ok((end.saturating_sub(from), found.is_some()))
    }

    /// Reads the next header, passing over blank lines before it.
    fn read_header(&mut self) -> io::Result<Next> {
        let mut line = Vec::new();
        let start = match self.carried.take() {
            Some(at) => {
                line.extend_from_slice(RESYNC);
                self.stream().read_line(&mut line, MAX_HEADER)?;
                at
            }
            None => loop {
                line.clear();
                let at = self.stream().pos;
                if self.stream().read_line(&mut line, MAX_HEADER)? == 0 {
                    return Ok(Next::End);
                }
                if trim_eol(&line).is_empty() {
                    continue;
                }
                if !line.starts_with(b"WARC/") {
                    return Ok(Next::Garbage(at));
                }
                break at;
            },
        };
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut total = line.len();
        loop {
            line.clear();
            let n = self.stream().read_line(&mut line, MAX_HEADER)?;
            total += n;
            if n == 0 {
                return Ok(Next::BadHeader(start, "the file ends inside a WARC header"));
            }
            if total > MAX_HEADER {
                return Ok(Next::BadHeader(start, "WARC header longer than 64 KiB"));
            }
            let l = trim_eol(&line);
            if l.is_empty() {
                return Ok(Next::Header(Header { start, fields }));
            }
            let value = |v: &[u8]| String::from_utf8_lossy(v).trim().to_string();
            match (l[0], fields.last_mut()) {
                // A continuation line (folded header value).
                (b' ' | b'\t', Some((_, v))) => {
                    v.push(' ');
                    v.push_str(&value(l));
                }
                _ => {
                    if let Some(colon) = l.iter().position(|&b| b == b':') {
                        fields.push((value(&l[..colon]), value(&l[colon + 1..])));
                    }
                }
            }
        }
    }

    /// Passes over the rest of a block (`len` bytes), then yields `then`.
    fn skip_block(&mut self, len: u64, then: Block) -> io::Result<Block> {
        let got = self.stream().take(len, None)?;
        Ok(if got < len { Block::PastEnd(got) } else { then })
    }

    /// Reads `len` bytes of block into a vector.
    fn read_block(&mut self, len: u64) -> io::Result<Result<Vec<u8>, Block>> {
        let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        let got = self.stream().take(len, Some(&mut buf))?;
        Ok(if got < len { Err(Block::PastEnd(got)) } else { Ok(buf) })
    }

    fn raw(&self, header: &Header, body: Body, payload: Vec<u8>) -> Block {
        let field = |name| header.get(name).map(str::to_string);
        Block::Doc(Box::new(RawWarc {
            meta: meta(
                field("WARC-Record-ID")
                    .unwrap_or_else(|| Locator::Offset(self.file.display.clone(), header.start).to_string()),
                None,
                self.file.display.clone(),
                field("WARC-Target-URI"),
                field("WARC-Date"),
            ),
            offset: header.start,
            compressed: self.compressed(),
            body,
            payload,
        }))
    }

    /// A `conversion` record: its block is the text.
    fn conversion(&mut self, header: &Header, len: u64) -> io::Result<Block> {
        if len > MAX_PAYLOAD {
            return self.skip_block(len, Block::Bad(too_large(len)));
        }
        Ok(match self.read_block(len)? {
            Ok(text) => self.raw(header, Body::Converted, text),
            Err(b) => b,
        })
    }

    /// A `response` record: a document if it is an HTTP 2xx response with
    /// an HTML or text body.
    fn response(&mut self, header: &Header, len: u64) -> io::Result<Block> {
        let is_http =
            header.get("WARC-Target-URI").is_some_and(|u| {
                let u = u.trim_start_matches('<').to_ascii_lowercase();
                u.starts_with("http:") || u.starts_with("https:")
            }) && header.get("Content-Type").is_none_or(|t| t.to_ascii_lowercase().starts_with("application/http"));
        if !is_http {
            return self.skip_block(len, Block::Skip);
        }
        let head_len = len.min(MAX_HTTP_HEADER);
        let mut buf = match self.read_block(head_len)? {
            Ok(b) => b,
            Err(past) => return Ok(past),
        };
        let rest = len - head_len;
        let http = match parse_http(&buf, rest == 0) {
            Ok(h) => h,
            Err(message) => return self.skip_block(rest, Block::Bad(message)),
        };
        if !(200..300).contains(&http.status) {
            return self.skip_block(rest, Block::Skip);
        }
        let body_start = &buf[http.header_len..];
        let Some(html) =
            media_kind(header.get("WARC-Identified-Payload-Type"), http.content_type.as_deref(), body_start)
        else {
            return self.skip_block(rest, Block::Skip);
        };
        let payload_len = len - http.header_len as u64;
        if payload_len > MAX_PAYLOAD {
            return self.skip_block(rest, Block::Bad(too_large(payload_len)));
        }
        buf.drain(..http.header_len);
        let got = self.stream().take(rest, Some(&mut buf))?;
        if got < rest {
            return Ok(Block::PastEnd(head_len + got));
        }
        let body = Body::Http {
            html,
            content_type: http.content_type,
            content_encoding: http.content_encoding,
            chunked: http.chunked,
        };
        Ok(self.raw(header, body, buf))
    }

    /// One record for a file that holds no record at all, so that it does
    /// not vanish from the accounting.
    fn finish(&mut self) -> Option<Raw> {
        self.finished = true;
        if self.records > 0 || self.skipped > 0 {
            return None;
        }
        self.records += 1;
        let id = self.file.display.clone();
        Some(Raw::Record(self.record(id, None, None, Ok(String::new()))))
    }
}

fn too_much_markup(len: usize) -> String {
    format!(
        "HTML page of {len} bytes is larger than the {} MiB a page may have: its text not extracted",
        MAX_PAGE >> 20
    )
}

fn too_large(len: u64) -> String {
    format!("body of {len} bytes is larger than the {} MiB limit", MAX_PAYLOAD >> 20)
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let mut l = line;
    while let [rest @ .., b'\r' | b'\n'] = l {
        l = rest;
    }
    l
}

/// The parts of an HTTP response header that matter here.
struct Http {
    status: u16,
    header_len: usize,
    content_type: Option<String>,
    content_encoding: Option<String>,
    chunked: bool,
}

/// Parses the HTTP response header at the start of `block`; `whole` says
/// whether `block` is the whole record block (else the header may just be
/// too long).
fn parse_http(block: &[u8], whole: bool) -> Result<Http, String> {
    let mut headers = [httparse::EMPTY_HEADER; 256];
    let mut response = httparse::Response::new(&mut headers);
    let mut config = httparse::ParserConfig::default();
    config
        .allow_spaces_after_header_name_in_responses(true)
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_multiple_spaces_in_response_status_delimiters(true)
        .ignore_invalid_headers_in_responses(true);
    let header_len = match config.parse_response(&mut response, block) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if whole => return Err("the HTTP response header is incomplete".into()),
        Ok(httparse::Status::Partial) => return Err("HTTP response header longer than 64 KiB".into()),
        Err(e) => return Err(format!("malformed HTTP response header: {e}")),
    };
    let field = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
    };
    let content_encoding = field("Content-Encoding").filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("identity"));
    let chunked = field("Transfer-Encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    Ok(Http {
        status: response.code.unwrap_or(0),
        header_len,
        content_type: field("Content-Type"),
        content_encoding,
        chunked,
    })
}

/// Whether a payload is HTML (`Some(true)`), plain text (`Some(false)`), or
/// not a document (`None`). The crawler's identified type (from the bytes)
/// is trusted over the server's header; with neither, the bytes are sniffed
/// for HTML.
fn media_kind(identified: Option<&str>, declared: Option<&str>, body_start: &[u8]) -> Option<bool> {
    let essence = |t: &str| t.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match identified.or(declared).map(essence).as_deref() {
        Some("text/html" | "application/xhtml+xml") => Some(true),
        Some("text/plain") => Some(false),
        Some("" | "application/octet-stream") | None => looks_like_html(body_start).then_some(true),
        Some(_) => None,
    }
}

/// Whether bytes start like an HTML page.
fn looks_like_html(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let head = &b[start..b.len().min(start + 16)];
    ["<!doctype html", "<html", "<head", "<body"]
        .iter()
        .any(|tag| head.len() >= tag.len() && head[..tag.len()].eq_ignore_ascii_case(tag.as_bytes()))
}

impl Iterator for WarcFile {
    type Item = Raw;

    fn next(&mut self) -> Option<Raw> {
        if self.finished {
            return None;
        }
        if self.stream.is_none() {
            match decompress::open(&self.file) {
                Ok(opened) => self.stream = Some(Stream::new(opened)),
                Err(e) => {
                    self.finished = true;
                    self.records += 1;
                    let locator = Locator::File(self.file.display.clone());
                    let message = format!("cannot open: {e}");
                    return Some(Raw::Record(self.record(
                        locator.to_string(),
                        None,
                        None,
                        Err(RecordError { locator, message }),
                    )));
                }
            }
        }
        loop {
            match self.step() {
                Ok(Outcome::Skipped) => self.skipped += 1,
                Ok(Outcome::End) => {
                    if let Some(message) = self.stream().source.garbage.take() {
                        self.records += 1;
                        let locator = Locator::Offset(self.file.display.clone(), self.consumed());
                        let message = format!("{message} (offset in the compressed file)");
                        let id = locator.to_string();
                        return Some(Raw::Record(self.record(id, None, None, Err(RecordError { locator, message }))));
                    }
                    return self.finish();
                }
                Ok(Outcome::Doc(doc)) => {
                    self.records += 1;
                    return Some(Raw::Warc(*doc));
                }
                Ok(Outcome::Error(rec)) => {
                    self.records += 1;
                    return Some(Raw::Record(rec));
                }
                Err(e) => {
                    self.finished = true;
                    self.records += 1;
                    return Some(Raw::Record(self.lost(&e)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;
    use std::sync::Arc;
    use std::sync::atomic::AtomicU64;

    use super::*;
    use crate::read::Format;

    /// A WARC record with a correct Content-Length.
    fn record(kind: &str, id: &str, uri: &str, extra: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{id}>\r\nWARC-Date: 2021-03-01T10:00:00Z\r\n\
             WARC-Target-URI: {uri}\r\n{extra}Content-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn http(content_type: &str, body: &str) -> Vec<u8> {
        format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}", body.len())
            .into_bytes()
    }

    fn response(id: &str, content_type: &str, body: &str) -> Vec<u8> {
        let extra = "Content-Type: application/http; msgtype=response\r\n";
        record("response", id, "https://www.example.iq/a", extra, &http(content_type, body))
    }

    /// Reads `bytes` as a WARC file: the records, parsed, and the skip count.
    fn read(bytes: Vec<u8>) -> (Vec<Record>, u64) {
        let file = InputFile {
            path: "mem.warc".into(),
            display: "mem.warc".into(),
            format: Format::Warc,
            compression: Compression::None,
            size: bytes.len() as u64,
            spooled: None,
        };
        let mut w = WarcFile::open(file);
        let opened = Opened {
            reader: Box::new(Cursor::new(bytes)),
            consumed: Arc::new(AtomicU64::new(0)),
            compression: Compression::None,
        };
        w.stream = Some(Stream::new(opened));
        let records: Vec<Record> = w.by_ref().map(Raw::parse).collect();
        (records, w.skipped())
    }

    fn error(r: &Record) -> String {
        r.content.as_ref().err().map(ToString::to_string).unwrap_or_default()
    }

    #[test]
    fn documents_and_skipped_records() {
        let mut f = record("warcinfo", "0", "", "", b"software: test\r\n");
        f.extend(record("request", "1", "https://www.example.iq/a", "", b"GET /a HTTP/1.1\r\n\r\n"));
        f.extend(response("2", "text/html; charset=utf-8", "<html><body><p>نص الخبر</p></body></html>"));
        f.extend(response("3", "image/png", "\u{89}PNG"));
        f.extend(record("metadata", "4", "https://www.example.iq/a", "", b"fetchTimeMs: 5\r\n"));
        f.extend(record("conversion", "5", "https://b.example.com/x", "", "نص محول".as_bytes()));
        let (records, skipped) = read(f);
        assert_eq!(skipped, 4);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].meta.id, "<urn:uuid:2>");
        assert_eq!(records[0].meta.source, "example.iq");
        assert_eq!(records[0].meta.date.as_deref(), Some("2021-03-01T10:00:00Z"));
        assert_eq!(records[0].content.as_deref(), Ok("نص الخبر"));
        assert_eq!(records[1].meta.source, "b.example.com");
        assert_eq!(records[1].content.as_deref(), Ok("نص محول"));
    }

    /// `record` with its WARC Content-Length (the first one) changed by `delta`.
    fn misdeclared(record: &[u8], delta: i64) -> Vec<u8> {
        let text = String::from_utf8(record.to_vec()).unwrap();
        let (head, rest) = text.split_once("Content-Length: ").unwrap();
        let (len, tail) = rest.split_once("\r\n").unwrap();
        let len = len.parse::<i64>().unwrap() + delta;
        format!("{head}Content-Length: {len}\r\n{tail}").into_bytes()
    }

    #[test]
    fn short_content_length_is_one_error_then_reading_resumes() {
        let mut f = response("0", "text/html", "<html><body><p>نص</p></body></html>");
        let bad_at = f.len();
        f.extend(misdeclared(&response("1", "text/html", "<html><body><p>نص طويل بعض الشيء</p></body></html>"), -10));
        f.extend(response("3", "text/plain", "نص عادي"));
        let (records, _) = read(f);
        assert_eq!(records.len(), 3, "{records:#?}");
        assert!(records[0].content.is_ok());
        let e = error(&records[1]);
        assert_eq!(records[1].meta.id, "<urn:uuid:1>");
        assert!(e.starts_with(&format!("mem.warc@{bad_at}: ")) && e.contains("length is wrong"), "{e}");
        assert_eq!(records[2].content.as_deref(), Ok("نص عادي"));
    }

    #[test]
    fn long_content_length_runs_past_the_end() {
        let mut f = response("1", "text/plain", "أول");
        let at = f.len();
        f.extend(misdeclared(&response("2", "text/plain", "ثان"), 900));
        let (records, _) = read(f);
        assert_eq!(records.len(), 2, "{records:#?}");
        let e = error(&records[1]);
        assert!(e.starts_with(&format!("mem.warc@{at}: ")) && e.contains("past the end"), "{e}");
    }

    #[test]
    fn garbage_between_records_is_one_error() {
        let mut f = response("1", "text/plain", "أول");
        let at = f.len();
        f.extend(b"junk junk\r\nmore WARC/1.0 junk\r\n");
        f.extend(response("2", "text/plain", "ثان"));
        let (records, _) = read(f);
        assert_eq!(records.len(), 3, "{records:#?}");
        assert_eq!(records[1].meta.id, format!("mem.warc@{at}"));
        assert!(error(&records[1]).contains("not a WARC record"));
        assert_eq!(records[2].content.as_deref(), Ok("ثان"));
    }

    #[test]
    fn bad_wet_text_and_bad_http_are_errors() {
        let mut f = record("conversion", "1", "https://a.example/", "", b"ok \xff\xfe bad");
        f.extend(response("2", "text/html", ""));
        f.extend(record("response", "3", "https://a.example/", "", b"NOT HTTP AT ALL\r\n\r\nbody"));
        let (records, _) = read(f);
        assert_eq!(records.len(), 3, "{records:#?}");
        assert!(error(&records[0]).contains("invalid UTF-8 at byte 3"), "{}", error(&records[0]));
        assert_eq!(records[1].content.as_deref(), Ok(""));
        assert!(error(&records[2]).contains("malformed HTTP"), "{}", error(&records[2]));
    }

    #[test]
    fn empty_file_is_one_empty_record() {
        let (records, skipped) = read(Vec::new());
        assert_eq!((records.len(), skipped), (1, 0));
        assert_eq!(records[0].content.as_deref(), Ok(""));
        let (records, skipped) = read(record("warcinfo", "0", "", "", b"x"));
        assert_eq!((records.len(), skipped), (0, 1));
    }

    #[test]
    fn chunked_and_gzip_bodies() {
        assert_eq!(dechunk(b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n").as_deref(), Some(&b"abcde"[..]));
        assert_eq!(dechunk(b"<html>"), None);
        assert_eq!(dechunk(b"5\r\nab").as_deref(), Some(&b"ab"[..]));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        io::Write::write_all(&mut gz, "نص".as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(decode_content("gzip", Cow::Borrowed(&gz), MAX_DECODED).unwrap().as_ref(), "نص".as_bytes());
        assert_eq!(decode_content("gzip", Cow::Borrowed(b"plain"), MAX_DECODED).unwrap().as_ref(), b"plain");
        assert!(decode_content("br", Cow::Borrowed(b"x"), MAX_DECODED).is_err());
    }

    #[test]
    fn media_kinds() {
        assert_eq!(media_kind(None, Some("text/html; charset=x"), b""), Some(true));
        assert_eq!(media_kind(Some("application/pdf"), Some("text/html"), b""), None);
        assert_eq!(media_kind(None, Some("TEXT/PLAIN"), b""), Some(false));
        assert_eq!(media_kind(None, None, b"  <!DOCTYPE HTML><html>"), Some(true));
        assert_eq!(media_kind(None, None, b"%PDF-1.4"), None);
        assert_eq!(media_kind(None, Some("image/jpeg"), b"<html>"), None);
    }

    proptest::proptest! {
        /// Any damage to a valid file — a cut, a changed byte, inserted
        /// bytes — gives records, never a panic or an endless loop.
        #[test]
        fn damaged_files_are_read_without_panic(
            cut in 0usize..1000, flip in 0usize..1000, byte in proptest::prelude::any::<u8>(),
            insert in 0usize..1000, junk in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..50),
        ) {
            let mut f = response("1", "text/html; charset=windows-1256", "<p>\u{e1}\u{e3}</p>");
            f.extend(record("request", "2", "https://a.example/", "", b"GET / HTTP/1.1\r\n\r\n"));
            f.extend(record("conversion", "3", "https://a.example/", "", "نص".as_bytes()));
            f.extend(response("4", "text/plain", "نص"));
            let at = flip % f.len();
            f[at] = byte;
            let at = insert % f.len();
            f.splice(at..at, junk);
            f.truncate(f.len() - cut % f.len());
            let (records, skipped) = read(f);
            proptest::prop_assert!(!records.is_empty() || skipped > 0);
        }

        #[test]
        fn any_bytes_are_read_without_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2000)) {
            let mut f = response("1", "text/html", "<p>نص</p>");
            f.extend(bytes);
            f.extend(response("2", "text/plain", "نص"));
            let _ = read(f);
        }
    }
}
