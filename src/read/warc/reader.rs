//! The records of one WARC or WET file, one at a time, with one error
//! record for each stretch of damage (see the module docs of [`super`]).

use std::io;

use super::block::{self, Block};
use super::header::{self, Header, Next};
use super::stream::{Stream, Watch};
use super::{Body, RawWarc, record_note};
use crate::error::{Locator, RecordError};
use crate::read::decompress::{self, Compression, describe};
use crate::read::{InputFile, Raw, Record, meta};

/// What one step of reading found.
enum Outcome {
    Doc(Box<RawWarc>),
    Skipped,
    Error(Record),
    End,
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
        let carried = self.carried.take();
        let header = match header::read(self.stream(), carried)? {
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
            "response" => block::response(self.stream(), &header, len)?,
            "conversion" => block::conversion(self.stream(), len)?,
            _ => block::skip(self.stream(), len, Block::Skip)?,
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
            Block::Doc(body, payload) => Outcome::Doc(self.raw(&header, body, payload)),
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

    /// A document record: its header's id (else where it is), URL and date,
    /// and its body.
    fn raw(&self, header: &Header, body: Body, payload: Vec<u8>) -> Box<RawWarc> {
        let field = |name| header.get(name).map(str::to_string);
        Box::new(RawWarc {
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
        })
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
