//! `.arc` (optionally `.gz`/`.zst`/`.lz4`): the Internet Archive's web
//! archives from before WARC, read with the WARC machinery (the stream, the
//! HTTP responses, the error records).
//!
//! A file is a sequence of records, each a header line, a block of exactly
//! `Archive-length` bytes, and a line end. The header line is
//! `URL IP-address Archive-date Content-type Archive-length` in version 1;
//! version 2 has ten fields (result code, checksum, location, offset and
//! file name before the length), as the field names in the version block
//! say. The first record is that version block (URL `filedesc://NAME`); the
//! block of an `http` record is the HTTP response as fetched, header and
//! body.
//!
//! Documents are what they would be in a WARC `response` record: an HTTP
//! 2xx response with an HTML or text body. An ARC record has no id: it is
//! named `FILE@OFFSET`, the offset of its header line in the decompressed
//! stream (as a WARC record without `WARC-Record-ID` is). `url` is the URL
//! and `date` the Archive-date (`YYYYMMDDhhmmss`) written as WARC writes
//! dates (`YYYY-MM-DDThh:mm:ssZ`). The version block, `dns:` and other
//! records that are not documents are skipped and counted.
//!
//! Damage as in WARC: a length that proves wrong (no line end and next
//! record after the block) is mended by the next line that reads as a
//! record header, inside the block (too large: reading goes back there) or
//! after it (too small); the document is read up to there and says it was
//! recovered. Lines between records that are not a record header are one
//! error record.

use std::io;

use super::MAX_PAYLOAD;
use super::block::{self, Block};
use super::header::trim_eol;
use super::reader::{Outcome, WarcFile, trim_separator};
use crate::read::http;

/// Fields of a version 1 record header line.
pub(super) const V1_FIELDS: usize = 5;

/// Longest header line read (a URL may be long, but not this long).
const MAX_LINE: usize = 64 << 10;

/// A record's header line, as far as it matters here.
#[derive(Debug, PartialEq, Eq)]
struct Head {
    url: String,
    /// The Archive-date, as WARC writes dates.
    date: Option<String>,
    /// Archive-length: bytes of the block.
    len: u64,
}

/// Fields of a version 2 record header line.
const V2_FIELDS: usize = 10;

/// Parses a record header line of `fields` fields (the URL may hold spaces:
/// the fields past those are its), else of the other version's. `None` if
/// it is not one: fewer than five fields, a URL without a scheme, an
/// Archive-date that is not digits or an Archive-length that is not a
/// number.
fn parse_head(line: &[u8], fields: usize) -> Option<Head> {
    let line = String::from_utf8_lossy(trim_eol(line));
    let parts: Vec<&str> = line.split(' ').filter(|p| !p.is_empty()).collect();
    let other = if fields == V1_FIELDS { V2_FIELDS } else { V1_FIELDS };
    parse_fields(&parts, fields).or_else(|| parse_fields(&parts, other))
}

/// [`parse_head`] with `k` fields.
fn parse_fields(parts: &[&str], k: usize) -> Option<Head> {
    if parts.len() < k || k < V1_FIELDS {
        return None;
    }
    let url_parts = parts.len() - k + 1;
    let url = parts[..url_parts].join(" ");
    let (date, len) = (parts[url_parts + 1], parts[parts.len() - 1]);
    let scheme = url.split_once(':').map_or("", |(s, _)| s);
    let is_scheme = !scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    if !is_scheme || date.len() < 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Head { url, date: iso_date(date), len: len.parse().ok()? })
}

/// An Archive-date (`YYYYMMDDhhmmss`, or fewer digits) as WARC writes
/// dates: `YYYY-MM-DDThh:mm:ssZ`, as far as the digits go.
fn iso_date(digits: &str) -> Option<String> {
    let d = &digits[..digits.len().min(14)];
    let part = |i: usize| &d[i..i + 2];
    Some(match d.len() {
        14 => format!("{}-{}-{}T{}:{}:{}Z", &d[..4], part(4), part(6), part(8), part(10), part(12)),
        12 => format!("{}-{}-{}T{}:{}Z", &d[..4], part(4), part(6), part(8), part(10)),
        10 => format!("{}-{}-{}T{}Z", &d[..4], part(4), part(6), part(8)),
        8 => format!("{}-{}-{}", &d[..4], part(4), part(6)),
        _ => return None,
    })
}

/// Fields of the record header lines, as the version block says: the field
/// names on its second line, else ten for version 2 and five otherwise.
fn version_fields(block: &[u8]) -> usize {
    let text = String::from_utf8_lossy(block);
    let mut lines = text.lines();
    let version = lines.next().unwrap_or("").split_whitespace().next().unwrap_or("");
    match lines.next().map(|names| names.split_whitespace().count()) {
        Some(n) if n >= V1_FIELDS => n,
        _ if version == "2" => V2_FIELDS,
        _ => V1_FIELDS,
    }
}

/// Where a line that reads as a record header starts inside `block`
/// (after its first line).
fn head_inside(block: &[u8], fields: usize) -> Option<usize> {
    let mut from = 0;
    while let Some(nl) = memchr::memchr(b'\n', &block[from..]) {
        let start = from + nl + 1;
        let end = start + memchr::memchr(b'\n', &block[start..])? + 1;
        if parse_head(&block[start..end], fields).is_some() {
            return Some(start);
        }
        from = start;
    }
    None
}

impl WarcFile {
    fn fields(&self) -> usize {
        self.arc_fields.unwrap_or(V1_FIELDS)
    }

    /// Reads up to and including the next ARC record.
    pub(super) fn step_arc(&mut self) -> io::Result<Outcome> {
        let fields = self.fields();
        let mut line = Vec::new();
        let at = loop {
            line.clear();
            let at = self.stream().pos;
            if self.stream().read_line(&mut line, MAX_LINE)? == 0 {
                return Ok(Outcome::End);
            }
            if !trim_eol(&line).is_empty() {
                break at;
            }
        };
        self.record_start = at;
        let Some(head) = parse_head(&line, fields) else {
            let line_ended = line.ends_with(b"\n");
            let found = self.seek_head(None, 0, line_ended)?;
            let skipped = found.unwrap_or(self.stream().pos) - at;
            let rest = if found.is_some() { "before the next record" } else { "up to the end of the file" };
            let message = format!("{skipped} bytes that are not an ARC record {rest}, skipped");
            return Ok(Outcome::Error(Box::new(self.error_record(at, None, None, None, message))));
        };
        let len = head.len;
        let block_start = self.stream().pos;
        if len > MAX_PAYLOAD {
            return self.too_large(at, &head);
        }
        let mut block = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        let present = self.stream().take(len, Some(&mut block))?;
        let is_version_block = head.url.to_ascii_lowercase().starts_with("filedesc:");
        if is_version_block {
            self.arc_fields = Some(version_fields(&block));
        }
        let mut cut = false;
        let mut note = None;
        let mut passed = Vec::new();
        let line_start = block.last() == Some(&b'\n');
        if present < len || !self.end_of_record(&mut passed, line_start)? {
            // The length is wrong, or the file ends inside the record.
            let inside = head_inside(&block, fields);
            let head_found = inside.is_some();
            if let Some(i) = inside {
                let next = block_start + i as u64;
                let mut back = block.split_off(i);
                back.extend_from_slice(&passed);
                self.stream().unread(back, next);
                note = Some(format!("Archive-length {len} runs past the next record, at offset {next}: read up to it"));
            } else if present < len {
                cut = self.failed();
                note = Some(match cut {
                    true => format!(
                        "the file is cut inside this record ({present} of its {len} bytes are there): \
                         read as far as it goes"
                    ),
                    false => format!(
                        "Archive-length {len} runs past the end of the file ({present} bytes follow the \
                         header line): read to the end of the file"
                    ),
                });
            } else {
                let declared = block.len();
                block.extend_from_slice(&passed);
                let cap = usize::try_from(MAX_PAYLOAD).unwrap_or(usize::MAX);
                let line_start = block.last() == Some(&b'\n');
                let found = self.seek_head(Some(&mut block), cap, line_start)?;
                if block.len() > cap {
                    let message = format!(
                        "no line end and next record after the record's Archive-length {len} bytes: the length \
                         is wrong, and the block up to the next record is larger than the {} MiB limit; \
                         record dropped",
                        MAX_PAYLOAD >> 20
                    );
                    return Ok(Outcome::Error(Box::new(self.error_record(
                        at,
                        None,
                        Some(head.url),
                        head.date,
                        message,
                    ))));
                }
                trim_separator(&mut block, 1);
                let short = block.len().saturating_sub(declared);
                let upto = match found {
                    Some(next) => format!("read up to the next record, at offset {next}"),
                    None => "read to the end of the file".into(),
                };
                note = Some(format!("Archive-length {len} is {short} bytes short: {upto}"));
            }
            if present < len || head_found {
                trim_separator(&mut block, 1);
            }
        }
        let part = if block::is_http(Some(&head.url)) { block::http_block(block) } else { Block::Skip };
        Ok(match part {
            Block::Doc(doc) if !(cut && doc.payload.is_empty()) => {
                self.cut = cut;
                let recovered = note.map(|n| self.note(at, n));
                if !cut {
                    self.record_start = self.stream().pos;
                }
                Outcome::Doc(self.raw_doc(at, None, Some(head.url), head.date, doc, recovered))
            }
            _ if cut => Outcome::End,
            Block::Skip => {
                self.record_start = self.stream().pos;
                Outcome::Skipped
            }
            Block::Doc(_) | Block::PastEnd(..) => unreachable!("a whole block is a document or not"),
            Block::Bad(message) => {
                let message = match note {
                    Some(n) => format!("{message} (and {n})"),
                    None => message,
                };
                Outcome::Error(Box::new(self.error_record(at, None, Some(head.url), head.date, message)))
            }
        })
    }

    /// A record whose Archive-length is larger than a body may be: skipped
    /// if it is not a document (a video), else an error.
    fn too_large(&mut self, at: u64, head: &Head) -> io::Result<Outcome> {
        let len = head.len;
        let mut first = Vec::new();
        let got = self.stream().take(http::MAX_HEADER, Some(&mut first))?;
        let rest = self.stream().take(len - got, None)?;
        let is_doc = block::is_http(Some(&head.url)) && {
            let head = http::parse_head(&first, false);
            head.is_ok_and(|h| {
                (200..300).contains(&h.status)
                    && http::media_kind(None, h.content_type.as_deref(), &first[h.header_len..]).is_some()
            })
        };
        let mut passed = Vec::new();
        if got + rest == len && self.end_of_record(&mut passed, false)? {
            self.record_start = self.stream().pos;
            if !is_doc {
                return Ok(Outcome::Skipped);
            }
            let message = block::too_large(len);
            return Ok(Outcome::Error(Box::new(self.error_record(
                at,
                None,
                Some(head.url.clone()),
                head.date.clone(),
                message,
            ))));
        }
        if self.failed() {
            return Ok(Outcome::End);
        }
        let found = self.seek_head(None, 0, !passed.is_empty())?;
        let skipped = found.unwrap_or(self.stream().pos) - at;
        let message = format!(
            "Archive-length {len} is larger than the {} MiB a body may have and wrong; {skipped} bytes skipped to \
             the next record",
            MAX_PAYLOAD >> 20
        );
        Ok(Outcome::Error(Box::new(self.error_record(at, None, Some(head.url.clone()), head.date.clone(), message))))
    }

    /// Passes over the line end (and any blank lines) after a record's
    /// block and checks that the next record's header line, at a line start,
    /// or the end of the stream follows; the line ends passed over are
    /// appended to `passed` (they belong to the block if the length is
    /// wrong). `line_start` says whether the block ended a line. The header
    /// line is left to be read.
    fn end_of_record(&mut self, passed: &mut Vec<u8>, line_start: bool) -> io::Result<bool> {
        let fields = self.fields();
        let mut line = Vec::new();
        loop {
            line.clear();
            let at = self.stream().pos;
            if self.stream().read_line(&mut line, MAX_LINE)? == 0 {
                return Ok(true);
            }
            if trim_eol(&line).is_empty() && line.ends_with(b"\n") {
                if passed.len() < MAX_LINE {
                    passed.extend_from_slice(&line);
                }
                continue;
            }
            let fine = (line_start || !passed.is_empty()) && parse_head(&line, fields).is_some();
            self.stream().unread(line, at);
            return Ok(fine);
        }
    }

    /// Passes over lines up to the next that reads as a record header,
    /// which is left to be read; returns its offset, or `None` at the end of
    /// the stream. The bytes passed over are appended to `keep`, if given,
    /// as long as it holds no more than `cap` bytes. `line_start` says
    /// whether the stream is at the start of a line.
    fn seek_head(
        &mut self,
        mut keep: Option<&mut Vec<u8>>,
        cap: usize,
        mut line_start: bool,
    ) -> io::Result<Option<u64>> {
        let fields = self.fields();
        let mut line = Vec::new();
        loop {
            line.clear();
            let at = self.stream().pos;
            if self.stream().read_line(&mut line, MAX_LINE)? == 0 {
                return Ok(None);
            }
            if line_start && parse_head(&line, fields).is_some() {
                self.stream().unread(line, at);
                return Ok(Some(at));
            }
            line_start = line.ends_with(b"\n");
            if let Some(k) = keep.as_deref_mut()
                && k.len() <= cap
            {
                k.extend_from_slice(&line[..line.len().min(cap + 1 - k.len())]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines_of_both_versions() {
        let v1 = parse_head(b"http://www.example.com:80/a.html 10.0.0.1 19961104142103 text/html 202\n", 5);
        assert_eq!(
            v1,
            Some(Head {
                url: "http://www.example.com:80/a.html".into(),
                date: Some("1996-11-04T14:21:03Z".into()),
                len: 202
            })
        );
        let v2 = b"http://a.example/ 10.0.0.1 20050614070159 text/html 200 ABCDEF - 0 IA-1.arc 1234\n";
        assert_eq!(parse_head(v2, 10).map(|h| (h.url, h.len)), Some(("http://a.example/".into(), 1234)));
        let spaced = parse_head(b"http://a.example/a b.html 10.0.0.1 19961104142103 text/html 9\n", 5).unwrap();
        assert_eq!(spaced.url, "http://a.example/a b.html");
        assert_eq!(parse_head(b"<html><body> 1 2 3 4\n", 5), None);
        assert_eq!(parse_head(b"HTTP/1.0 200 OK\r\n", 5), None);
        assert_eq!(parse_head(b"http://a.example/ 1.2.3.4 1996 text/html 9\n", 5), None);
        assert_eq!(iso_date("199611041421"), Some("1996-11-04T14:21Z".into()));
        assert_eq!(iso_date("19961104"), Some("1996-11-04".into()));
        assert_eq!(iso_date("1996110414210399"), Some("1996-11-04T14:21:03Z".into()));
    }

    /// Reads `bytes` as an ARC file: the records, parsed, and the skip count.
    fn read(bytes: Vec<u8>) -> (Vec<crate::read::Record>, u64) {
        use std::sync::Arc;
        use std::sync::atomic::AtomicU64;

        use crate::read::decompress::{Compression, Opened};
        use crate::read::{Format, InputFile, Raw};
        let file = InputFile {
            path: "mem.arc".into(),
            display: "mem.arc".into(),
            format: Format::Arc,
            compression: Compression::None,
            size: bytes.len() as u64,
            spooled: None,
            fields: None,
        };
        let mut w = WarcFile::open(file);
        let reader = Box::new(io::Cursor::new(bytes));
        let opened = Opened { reader, consumed: Arc::new(AtomicU64::new(0)), compression: Compression::None };
        w.stream = Some(super::super::stream::Stream::new(opened));
        let records = w.by_ref().map(Raw::parse).collect();
        (records, w.skipped())
    }

    fn arc_record(url: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!("{url} 10.0.0.1 19961104142103 text/html {}\n", block.len()).into_bytes();
        r.extend_from_slice(block);
        r.push(b'\n');
        r
    }

    fn sample() -> Vec<u8> {
        let names = b"1 0 test\nURL IP-address Archive-date Content-type Archive-length\n";
        let mut f = format!("filedesc://t.arc 0.0.0.0 19961104142103 text/plain {}\n", names.len()).into_bytes();
        f.extend_from_slice(names);
        f.push(b'\n');
        f.extend(arc_record("http://a.example/", b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\none two"));
        f.extend(arc_record("dns:a.example", b"1.2.3.4"));
        f.extend(arc_record("http://b.example/x", b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<p>three</p>"));
        f
    }

    #[test]
    fn records_and_garbage() {
        let (records, skipped) = read(sample());
        assert_eq!(skipped, 2);
        assert_eq!(records.len(), 2, "{records:#?}");
        assert_eq!(records[0].content.as_deref(), Ok("one two"));
        assert_eq!(records[0].meta.date.as_deref(), Some("1996-11-04T14:21:03Z"));
        assert_eq!(records[1].meta.source, "b.example");
        // Lines that are not a record before the first one: an error.
        let mut f = b"junk line\nmore junk\n".to_vec();
        f.extend(sample());
        let (records, _) = read(f);
        assert_eq!(records.len(), 3, "{records:#?}");
        assert_eq!(records[0].meta.id, "mem.arc@0");
        let e = records[0].content.as_ref().unwrap_err().to_string();
        assert!(e.starts_with("mem.arc@0: 20 bytes that are not an ARC record before the next record"), "{e}");
        assert_eq!(records[1].content.as_deref(), Ok("one two"));
        // After a record, they are taken for the rest of its block (a
        // length too short looks the same): read up to the next record.
        let mut f = sample();
        let b = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<p>three</p>";
        let b_at = f.len() - arc_record("http://b.example/x", b).len();
        f.pop();
        f.extend(b" four\n\n");
        f.extend(arc_record("http://c.example/", b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nfive"));
        let (records, _) = read(f);
        assert_eq!(records.len(), 3, "{records:#?}");
        let text = records[1].content.as_deref().unwrap();
        assert!(text.contains("three") && text.contains("four"), "{text}");
        let note = records[1].meta.recovered.as_deref().unwrap();
        let expected =
            format!("mem.arc@{b_at}: Archive-length {} is 6 bytes short: read up to the next record", b.len());
        assert!(note.starts_with(&expected), "{note}");
        assert_eq!(records[2].content.as_deref(), Ok("five"));
    }

    proptest::proptest! {
        /// Any damage to a valid file gives records, never a panic or an
        /// endless loop.
        #[test]
        fn damaged_files_are_read_without_panic(
            cut in 0usize..1000, flip in 0usize..1000, byte in proptest::prelude::any::<u8>(),
            insert in 0usize..1000, junk in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..50),
        ) {
            let mut f = sample();
            let at = flip % f.len();
            f[at] = byte;
            let at = insert % f.len();
            f.splice(at..at, junk);
            f.truncate(f.len() - cut % f.len());
            let (records, skipped) = read(f);
            proptest::prop_assert!(!records.is_empty() || skipped > 0);
        }
    }

    #[test]
    fn version_blocks_say_the_fields() {
        assert_eq!(version_fields(b"1 0 Alexa Internet\nURL IP-address Archive-date Content-type Archive-length\n"), 5);
        let v2 = b"2 0 Alexa\nURL IP-address Archive-date Content-type Result-code Checksum Location Offset Filename \
                   Archive-length\n";
        assert_eq!(version_fields(v2), 10);
        assert_eq!(version_fields(b"2 0 Alexa\n"), 10);
        assert_eq!(version_fields(b""), 5);
    }
}
