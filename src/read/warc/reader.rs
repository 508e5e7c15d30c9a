//! The records of one WARC, WET or ARC file, one at a time, with one error
//! record for each stretch of damage and the records whose length is wrong
//! read to the end of their data (see the module docs of [`super`]).

use std::io;

use super::block::{self, Block, Doc};
use super::header::{self, Header, Next};
use super::stream::{Stream, Watch};
use super::{MAX_PAYLOAD, RawWarc, record_note};
use crate::error::{Locator, RecordError};
use crate::read::decompress::{self, Compression, describe};
use crate::read::{Format, InputFile, Raw, Record, meta};

/// What one step of reading found.
pub(super) enum Outcome {
    Doc(Box<RawWarc>),
    Skipped,
    Error(Box<Record>),
    End,
}

/// The records of one WARC, WET or ARC file.
pub(crate) struct WarcFile {
    pub(super) file: InputFile,
    pub(super) stream: Option<Stream>,
    /// Records handed out, errors included.
    records: u64,
    /// Records that are not documents.
    skipped: u64,
    /// Offset of the record being read, for "the rest is lost" messages.
    pub(super) record_start: u64,
    /// Set when a resync consumed the next header's `WARC/1.`, which
    /// started at this offset.
    carried: Option<u64>,
    /// The last record was cut by a decompression or read error and read
    /// as far as it goes.
    pub(super) cut: bool,
    /// An ARC file: fields of its record header lines (`Some(5)` for
    /// version 1, as its version block says); `None` for WARC.
    pub(super) arc_fields: Option<usize>,
    finished: bool,
}

impl WarcFile {
    pub(crate) fn open(file: InputFile) -> WarcFile {
        let arc_fields = (file.format == Format::Arc).then_some(super::arc::V1_FIELDS);
        WarcFile {
            file,
            stream: None,
            records: 0,
            skipped: 0,
            record_start: 0,
            carried: None,
            cut: false,
            arc_fields,
            finished: false,
        }
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

    pub(super) fn record(
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
        let field = |name| header.and_then(|h| h.get(name)).map(str::to_string);
        let url = header.and_then(Header::target_uri).map(str::to_string);
        self.error_record(at, field("WARC-Record-ID"), url, field("WARC-Date"), message)
    }

    /// An error record for the record at `at`, named `id` (else by its
    /// place).
    pub(super) fn error_record(
        &self,
        at: u64,
        id: Option<String>,
        url: Option<String>,
        date: Option<String>,
        message: String,
    ) -> Record {
        let locator = Locator::Offset(self.file.display.clone(), at);
        let id = id.unwrap_or_else(|| locator.to_string());
        let message = format!("{message}{}", record_note(self.compressed()));
        self.record(id, url, date, Err(RecordError { locator, message }))
    }

    /// A recovered record's note: its place, what was wrong, and how it was
    /// read.
    pub(super) fn note(&self, at: u64, what: String) -> String {
        format!("{}: {what}", Locator::Offset(self.file.display.clone(), at))
    }

    /// The error record that ends a file whose bytes could not be read.
    fn lost(&self, e: &io::Error) -> Record {
        let (at, which) = match self.compressed() {
            true => (self.consumed(), "offset in the compressed file"),
            false => (self.stream.as_ref().map_or(0, |s| s.pos), "offset in the file"),
        };
        let locator = Locator::Offset(self.file.display.clone(), at);
        let mut message = format!("{} ({which})", describe(e, self.file.compression));
        if self.stream.is_some() && self.cut {
            message += &format!(
                "; the record at decompressed offset {} is cut there and was read as far as it goes; \
                 anything after it is lost",
                self.record_start
            );
        } else if self.stream.is_some() {
            message += &format!(
                "; the rest of the file, from the record at decompressed offset {}, is lost",
                self.record_start
            );
        }
        self.record(locator.to_string(), None, None, Err(RecordError { locator, message }))
    }

    pub(super) fn stream(&mut self) -> &mut Stream {
        self.stream.as_mut().expect("opened before reading")
    }

    /// Whether a decompression or read error ended the stream (the end it
    /// reads is not the file's).
    pub(super) fn failed(&self) -> bool {
        self.stream.as_ref().is_some_and(|s| s.source.failed.is_some())
    }

    /// Reads up to and including the next record.
    fn step(&mut self) -> io::Result<Outcome> {
        if self.arc_fields.is_some() {
            return self.step_arc();
        }
        let carried = self.carried.take();
        let header = match header::read(self.stream(), carried)? {
            Next::End => return Ok(Outcome::End),
            Next::Header(h) => h,
            Next::Garbage(at) => {
                self.record_start = at;
                let (skipped, found) = self.resync(at)?;
                let rest = if found { "before the next record" } else { "up to the end of the file" };
                let message = format!("{skipped} bytes that are not a WARC record {rest}, skipped");
                return Ok(Outcome::Error(Box::new(self.error_at(at, None, message))));
            }
            Next::BadHeader(at, what) => {
                self.record_start = at;
                let (skipped, _) = self.resync(at)?;
                let message = format!("{what}; {skipped} bytes skipped to the next record");
                return Ok(Outcome::Error(Box::new(self.error_at(at, None, message))));
            }
        };
        let at = header.start;
        self.record_start = at;
        let Some(len) = header.get("Content-Length").and_then(|v| v.parse::<u64>().ok()) else {
            let (skipped, _) = self.resync(at)?;
            let message = format!("missing or invalid Content-Length; {skipped} bytes skipped to the next record");
            return Ok(Outcome::Error(Box::new(self.error_at(at, Some(&header), message))));
        };
        let kind = header.get("WARC-Type").unwrap_or("").to_ascii_lowercase();
        let block_start = self.stream().pos;
        self.stream().watch = Some(Watch::new());
        let block = match kind.as_str() {
            "response" => block::response(self.stream(), &header, len)?,
            "conversion" => block::conversion(self.stream(), len)?,
            _ => block::skip(self.stream(), len, Block::Skip)?,
        };
        let block = match block {
            Block::PastEnd(present, part) => return self.past_end(&header, len, block_start, present, *part),
            block => block,
        };
        let mut passed = Vec::new();
        if self.stream().end_of_block(&mut passed)? {
            self.stream().watch = None;
            // Whatever fails from here on fails at the next record.
            self.record_start = self.stream().pos;
            return Ok(match block {
                Block::Doc(doc) => Outcome::Doc(self.raw(&header, doc, None)),
                Block::Skip => Outcome::Skipped,
                Block::Bad(message) => Outcome::Error(Box::new(self.error_at(at, Some(&header), message))),
                Block::PastEnd(..) => unreachable!("handled above"),
            });
        }
        // The length is wrong: the block ends at the next record header,
        // inside it (too large) or after it (too small).
        let inside = self.stream().rewind();
        let outcome = match (block, inside) {
            (Block::Doc(doc), Some(next)) => self.cut_at(&header, len, block_start, doc, next),
            (Block::Doc(mut doc), None) => {
                let declared = doc.payload.len();
                doc.payload.extend_from_slice(&passed);
                let cap = usize::try_from(MAX_PAYLOAD).unwrap_or(usize::MAX);
                let found = self.stream().seek_record(Some(&mut doc.payload), cap)?;
                self.carried = found;
                if doc.payload.len() > cap {
                    let message = format!(
                        "no blank line after the record's Content-Length {len} bytes: the length is wrong, and \
                         the block up to the next record is larger than the {} MiB limit; record dropped",
                        MAX_PAYLOAD >> 20
                    );
                    return Ok(Outcome::Error(Box::new(self.error_at(at, Some(&header), message))));
                }
                trim_separator(&mut doc.payload, 2);
                let short = doc.payload.len().saturating_sub(declared);
                let upto = match found {
                    Some(next) => format!("read up to the next record, at offset {next}"),
                    None if self.failed() => {
                        // The file is cut after it: the error that ends
                        // the file says so, from this record on.
                        self.cut = true;
                        let note = self.note(at, format!("Content-Length {len} is too short, and the file is cut inside this record: read as far as it goes"));
                        return Ok(Outcome::Doc(self.raw(&header, doc, Some(note))));
                    }
                    None => "read to the end of the file".into(),
                };
                let note = self.note(at, format!("Content-Length {len} is {short} bytes short: {upto}"));
                Outcome::Doc(self.raw(&header, doc, Some(note)))
            }
            (Block::Skip, inside) => {
                if inside.is_none() {
                    self.resync(at)?;
                }
                Outcome::Skipped
            }
            (Block::Bad(_) | Block::PastEnd(..), Some(next)) => {
                let message = format!(
                    "no blank line after the record's Content-Length {len} bytes: the length is wrong; \
                     record dropped, reading resumes at the record at offset {next} inside it"
                );
                Outcome::Error(Box::new(self.error_at(at, Some(&header), message)))
            }
            (Block::Bad(_) | Block::PastEnd(..), None) => {
                let (skipped, _) = self.resync(at)?;
                let message = format!(
                    "no blank line after the record's Content-Length {len} bytes: the length is wrong; \
                     record dropped, {skipped} bytes skipped to the next record"
                );
                Outcome::Error(Box::new(self.error_at(at, Some(&header), message)))
            }
        };
        if matches!(outcome, Outcome::Doc(_) | Outcome::Skipped) {
            self.record_start = self.carried.unwrap_or(self.stream().pos);
        }
        Ok(outcome)
    }

    /// The record whose block (`len` bytes from `block_start` on) runs past
    /// the end of the stream, `present` bytes of it there, what they begin
    /// being `part`: if a record header was seen inside the block, its
    /// length is too large and reading goes back there; else the file ends
    /// inside the record (its length too large, or the file cut short).
    /// A document is read as far as it goes in either case.
    fn past_end(
        &mut self,
        header: &Header,
        len: u64,
        block_start: u64,
        present: u64,
        part: Block,
    ) -> io::Result<Outcome> {
        let at = header.start;
        if let Some(next) = self.stream().rewind() {
            return Ok(match part {
                Block::Doc(doc) => self.cut_at(header, len, block_start, doc, next),
                Block::Skip => {
                    self.record_start = next;
                    Outcome::Skipped
                }
                _ => {
                    let message = format!(
                        "Content-Length {len} runs past the end of the file ({present} bytes follow the header): \
                         the length is wrong; record dropped, reading resumes at the record at offset {next} inside it"
                    );
                    Outcome::Error(Box::new(self.error_at(at, Some(header), message)))
                }
            });
        }
        let cut = self.failed();
        Ok(match part {
            // Only a document that holds some of its body, when the file is
            // cut: the error that ends the file stands for the rest.
            Block::Doc(mut doc) if !(cut && doc.payload.is_empty()) => {
                trim_separator(&mut doc.payload, 2);
                let what = match cut {
                    true => format!(
                        "the file is cut inside this record ({present} of its {len} bytes are there): \
                         read as far as it goes"
                    ),
                    false => format!(
                        "Content-Length {len} runs past the end of the file ({present} bytes follow the header): \
                         read to the end of the file"
                    ),
                };
                self.cut = cut;
                let note = self.note(at, what);
                Outcome::Doc(self.raw(header, doc, Some(note)))
            }
            _ if cut => Outcome::End,
            Block::Skip => Outcome::Skipped,
            _ => {
                let message = format!(
                    "Content-Length {len} runs past the end of the file ({present} bytes follow the header); \
                     the file ends inside this record"
                );
                Outcome::Error(Box::new(self.error_at(at, Some(header), message)))
            }
        })
    }

    /// A document whose block (from `block_start` on) holds the next record
    /// header, at `next`, where reading goes on: its length is too large,
    /// and its body ends there. An error if the header is inside the HTTP
    /// header (nothing of it can be trusted).
    fn cut_at(&mut self, header: &Header, len: u64, block_start: u64, mut doc: Doc, next: u64) -> Outcome {
        let at = header.start;
        self.record_start = next;
        let Some(keep) = next.checked_sub(block_start + doc.at).filter(|_| next > block_start + doc.at) else {
            let message = format!(
                "Content-Length {len} runs past the next record, at offset {next}, which starts inside the \
                 HTTP header: the length is wrong; record dropped, reading resumes there"
            );
            return Outcome::Error(Box::new(self.error_at(at, Some(header), message)));
        };
        doc.payload.truncate(usize::try_from(keep).unwrap_or(usize::MAX));
        trim_separator(&mut doc.payload, 2);
        let note =
            self.note(at, format!("Content-Length {len} runs past the next record, at offset {next}: read up to it"));
        Outcome::Doc(self.raw(header, doc, Some(note)))
    }

    /// Scans to the next record after damage found in the record or
    /// stretch starting at `from`; returns how many bytes from `from` on are
    /// lost, and whether a record follows.
    fn resync(&mut self, from: u64) -> io::Result<(u64, bool)> {
        let stream = self.stream();
        let found = stream.seek_record(None, 0)?;
        let end = found.unwrap_or(stream.pos);
        self.carried = found;
        Ok((end.saturating_sub(from), found.is_some()))
    }

    /// A document record: its header's id (else where it is), URL and date,
    /// and its body; `recovered` if its length was wrong.
    fn raw(&self, header: &Header, doc: Doc, recovered: Option<String>) -> Box<RawWarc> {
        let field = |name| header.get(name).map(str::to_string);
        let url = header.target_uri().map(str::to_string);
        self.raw_doc(header.start, field("WARC-Record-ID"), url, field("WARC-Date"), doc, recovered)
    }

    /// A document record at `at`, named `id` (else by its place).
    pub(super) fn raw_doc(
        &self,
        at: u64,
        id: Option<String>,
        url: Option<String>,
        date: Option<String>,
        doc: Doc,
        recovered: Option<String>,
    ) -> Box<RawWarc> {
        let id = id.unwrap_or_else(|| Locator::Offset(self.file.display.clone(), at).to_string());
        let mut meta = meta(id, None, self.file.display.clone(), url, date);
        meta.recovered = recovered;
        Box::new(RawWarc { meta, offset: at, compressed: self.compressed(), body: doc.body, payload: doc.payload })
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

impl Iterator for WarcFile {
    type Item = Raw;

    fn next(&mut self) -> Option<Raw> {
        if self.finished {
            return None;
        }
        if self.stream.is_none() {
            match decompress::open(&self.file) {
                Ok(opened) => {
                    // Told by its first bytes, whatever its name said.
                    self.file.compression = opened.compression;
                    self.stream = Some(Stream::new(opened));
                }
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
                    if let Some(e) = self.stream().source.failed.take() {
                        self.finished = true;
                        self.records += 1;
                        return Some(Raw::Record(self.lost(&e)));
                    }
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
                // Damage found where a decompression or read error ended
                // the stream: the error that ends the file stands for it.
                Ok(Outcome::Error(_)) if self.failed() => {}
                Ok(Outcome::Error(rec)) => {
                    self.records += 1;
                    return Some(Raw::Record(*rec));
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

/// Takes off the line ends that separate a record from the next (`ends` of
/// them at most: two after a WARC record, one after an ARC record) from the
/// end of a block read past its length.
pub(super) fn trim_separator(block: &mut Vec<u8>, ends: usize) {
    for _ in 0..ends {
        match block.as_slice() {
            [.., b'\r', b'\n'] => block.truncate(block.len() - 2),
            [.., b'\n'] => block.truncate(block.len() - 1),
            _ => break,
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
    use crate::read::decompress::Opened;

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
            fields: None,
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
    fn short_content_length_is_read_up_to_the_next_record() {
        let mut f = response("0", "text/html", "<html><body><p>نص</p></body></html>");
        let bad_at = f.len();
        f.extend(misdeclared(&response("1", "text/html", "<html><body><p>نص طويل بعض الشيء</p></body></html>"), -10));
        let next_at = f.len();
        f.extend(response("3", "text/plain", "نص عادي"));
        let (records, _) = read(f);
        assert_eq!(records.len(), 3, "{records:#?}");
        assert!(records[0].content.is_ok() && records[0].meta.recovered.is_none());
        assert_eq!(records[1].meta.id, "<urn:uuid:1>");
        assert_eq!(records[1].content.as_deref(), Ok("نص طويل بعض الشيء"));
        let note = records[1].meta.recovered.as_deref().unwrap();
        assert!(note.starts_with(&format!("mem.warc@{bad_at}: Content-Length ")), "{note}");
        assert!(
            note.ends_with(&format!("is 10 bytes short: read up to the next record, at offset {next_at}")),
            "{note}"
        );
        assert_eq!(records[2].content.as_deref(), Ok("نص عادي"));
    }

    #[test]
    fn short_content_length_of_the_last_record_is_read_to_the_end() {
        let mut f = response("0", "text/plain", "أول");
        f.extend(misdeclared(&record("conversion", "1", "https://a.example/", "", "نص محول".as_bytes()), -2));
        let (records, _) = read(f);
        assert_eq!(records.len(), 2, "{records:#?}");
        assert_eq!(records[1].content.as_deref(), Ok("نص محول"));
        let note = records[1].meta.recovered.as_deref().unwrap();
        assert!(note.ends_with("is 2 bytes short: read to the end of the file"), "{note}");
    }

    #[test]
    fn long_content_length_runs_past_the_end() {
        let mut f = response("1", "text/plain", "أول");
        let at = f.len();
        f.extend(misdeclared(&response("2", "text/plain", "ثان"), 900));
        let (records, _) = read(f);
        assert_eq!(records.len(), 2, "{records:#?}");
        assert_eq!(records[1].content.as_deref(), Ok("ثان"));
        let note = records[1].meta.recovered.as_deref().unwrap();
        assert!(note.starts_with(&format!("mem.warc@{at}: ")) && note.contains("past the end"), "{note}");
    }

    #[test]
    fn long_content_length_ends_at_the_next_record_inside_it() {
        let mut f = misdeclared(&response("1", "text/plain", "أول"), 150);
        let next_at = f.len();
        f.extend(response("2", "text/plain", "ثان"));
        f.extend(record("request", "3", "https://a.example/", "", b"GET / HTTP/1.1\r\n\r\n"));
        f.extend(response("4", "text/plain", "ثالث"));
        let (records, skipped) = read(f);
        assert_eq!((records.len(), skipped), (3, 1), "{records:#?}");
        assert_eq!(records[0].content.as_deref(), Ok("أول"));
        let note = records[0].meta.recovered.as_deref().unwrap();
        assert!(note.ends_with(&format!("runs past the next record, at offset {next_at}: read up to it")), "{note}");
        assert_eq!(records[1].content.as_deref(), Ok("ثان"));
        assert_eq!(records[2].content.as_deref(), Ok("ثالث"));
        assert!(records[1].meta.recovered.is_none() && records[2].meta.recovered.is_none());
    }

    #[test]
    fn a_record_cut_by_a_read_error_is_read_as_far_as_it_goes() {
        /// The bytes, then an error, as a truncated gzip member reads.
        struct Cut(Cursor<Vec<u8>>);
        impl io::Read for Cut {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                match self.0.read(buf)? {
                    0 => Err(io::Error::new(io::ErrorKind::UnexpectedEof, "cut")),
                    n => Ok(n),
                }
            }
        }
        let whole = [response("1", "text/plain", "أول"), response("2", "text/plain", "ثان ثان ثان")].concat();
        for (cut, docs) in [(whole.len() - 8, 2), (whole.len() - 60, 1)] {
            let file = InputFile {
                path: "mem.warc.gz".into(),
                display: "mem.warc.gz".into(),
                format: Format::Warc,
                compression: Compression::Gzip,
                size: 0,
                spooled: None,
                fields: None,
            };
            let mut w = WarcFile::open(file);
            let reader = io::BufReader::new(Cut(Cursor::new(whole[..cut].to_vec())));
            let opened = Opened {
                reader: Box::new(reader),
                consumed: Arc::new(AtomicU64::new(0)),
                compression: Compression::Gzip,
            };
            w.stream = Some(Stream::new(opened));
            let records: Vec<Record> = w.by_ref().map(Raw::parse).collect();
            assert_eq!(records.len(), docs + 1, "{records:#?}");
            assert_eq!(records[0].content.as_deref(), Ok("أول"));
            let e = error(&records[docs]);
            assert!(e.contains("corrupt or truncated gzip data"), "{e}");
            if docs == 2 {
                // The second record's body is there but for its last bytes.
                assert_eq!(records[1].content.as_deref(), Ok("ثان ثان ث"));
                assert!(records[1].meta.recovered.as_deref().unwrap().contains("the file is cut inside this record"));
                assert!(e.contains("is cut there and was read as far as it goes"), "{e}");
            } else {
                // Cut inside the second record's HTTP header: nothing to read.
                assert!(e.contains("the rest of the file, from the record at decompressed offset"), "{e}");
            }
        }
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
