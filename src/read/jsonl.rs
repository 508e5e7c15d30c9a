//! `.jsonl` / `.ndjson`: one JSON object per line,
//! `{"id": str|int, "text": str, "url"?: str, "source"?: str, "date"?|"published"?: str}`.
//!
//! Blank lines are not records. Every other line is one record, also when it
//! is not JSON, not an object, or has no string `text`: those become error
//! records named `FILE:LINE`. A record without an id takes `FILE:LINE` as its
//! id and is otherwise used normally. A file with no record at all becomes one
//! `empty` record, so that it does not vanish from the accounting. A UTF-8
//! byte-order mark at the start of the file is not part of the first line.

use std::io::{self, BufRead};

use serde_json::Value;

use super::decompress::{self, Opened, describe};
use super::{InputFile, Raw, RawLine, Record, host_of};
use crate::error::{Locator, RecordError};

pub(crate) struct JsonlFile {
    file: InputFile,
    /// `file.display`, shared by the file's raw lines.
    display: std::sync::Arc<str>,
    opened: Option<Opened>,
    /// 1-based number of the last line read.
    line: u64,
    records: u64,
    buf: Vec<u8>,
    finished: bool,
    /// Lines leave parsed ([`Raw::Record`]) rather than as [`Raw::Line`].
    parse: bool,
}

/// What [`JsonlFile`] makes of a line it reads.
enum Read {
    Blank,
    Line(Vec<u8>),
    Parsed(Record),
}

impl JsonlFile {
    /// Opens `file`; with `parse`, lines are parsed where they are read.
    pub(crate) fn open(file: InputFile, parse: bool) -> JsonlFile {
        let display = file.display.as_str().into();
        JsonlFile { file, display, opened: None, line: 0, records: 0, buf: Vec::new(), finished: false, parse }
    }

    pub(crate) fn consumed(&self) -> u64 {
        self.opened.as_ref().map_or(0, |o| o.consumed.get())
    }

    pub(crate) fn size(&self) -> u64 {
        self.file.size
    }

    fn record(&self, id: String, content: Result<String, RecordError>) -> Record {
        Record { source: id.clone(), id, input: self.file.display.clone(), url: None, date: None, content }
    }

    fn finish(&mut self) -> Option<Record> {
        self.finished = true;
        if self.records > 0 {
            return None;
        }
        // No record in the whole file: report it once, as empty.
        self.records += 1;
        Some(self.record(self.file.display.clone(), Ok(String::new())))
    }
}

/// Parses one non-blank line (line `line_no` of `input`) into a record.
pub(crate) fn parse_line(input: &str, line_no: u64, line: &[u8]) -> Record {
    // Where the line is, as a locator and as a fallback id: built only when
    // needed (an error, a line without an id), not for every line.
    let place = || Locator::Line(input.to_string(), line_no);
    let place_id = || place().to_string();
    let record = |id: String, content| Record {
        source: id.clone(),
        id,
        input: input.to_string(),
        url: None,
        date: None,
        content,
    };
    let error = |id: String, message: String| record(id, Err(RecordError { locator: place(), message }));
    // One SIMD validation of the line (simdutf8: the standard library's
    // validator ran at ~10 instructions per byte of Arabic text, 17% of
    // `sada sign`); serde_json then parses a `&str` without validating
    // its strings again.
    let text = match simdutf8::basic::from_utf8(line) {
        Ok(t) => t,
        Err(_) => {
            let at = std::str::from_utf8(line).err().map_or(0, |e| e.valid_up_to());
            return error(place_id(), format!("invalid UTF-8 at byte {at} of the line"));
        }
    };
    // Anything but an object goes the slow way, only to say what it is.
    if text.trim_start_matches([' ', '\t', '\r', '\n']).as_bytes().first() != Some(&b'{') {
        return match serde_json::from_str::<Value>(text) {
            Ok(other) => error(place_id(), format!("expected a JSON object, found {}", kind(&other))),
            Err(e) => error(place_id(), format!("invalid JSON: {e}")),
        };
    }
    let line: Line = match serde_json::from_str(text) {
        Ok(line) => line,
        Err(e) => return error(place_id(), format!("invalid JSON: {e}")),
    };
    let id = match line.id {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(Value::Number(n)) => n.to_string(),
        _ => place_id(),
    };
    let url = string(line.url);
    let date = string(line.date).or_else(|| string(line.published));
    let source = string(line.source)
        .filter(|s| !s.is_empty())
        .or_else(|| url.as_deref().and_then(host_of))
        .unwrap_or_else(|| id.clone());
    let content = match line.text {
        TextField::String(s) if s.len() as u64 <= super::text::MAX_RECORD => Ok(s),
        TextField::String(_) => Err("`text` larger than 4 GiB".to_string()),
        TextField::Other(kind) => Err(format!("`text` must be a string, found {kind}")),
        TextField::Missing => Err("missing `text` field".to_string()),
    }
    .map_err(|message| RecordError { locator: place(), message });
    Record { id, source, input: input.to_string(), url, date, content }
}

/// The fields of a JSONL record sada reads; other keys are skipped without
/// being built. Parsing into this instead of a `serde_json::Value` map saved
/// a fifth of the JSON cost of `sada sign` (callgrind).
#[derive(serde::Deserialize)]
struct Line {
    id: Option<Value>,
    #[serde(default)]
    text: TextField,
    url: Option<Value>,
    source: Option<Value>,
    date: Option<Value>,
    published: Option<Value>,
}

fn string(v: Option<Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// The `text` field: a string, or what else it was, for the error message.
#[derive(Default)]
enum TextField {
    #[default]
    Missing,
    String(String),
    Other(&'static str),
}

impl<'de> serde::Deserialize<'de> for TextField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TextField, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = TextField;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, v: &str) -> Result<TextField, E> {
                Ok(TextField::String(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<TextField, E> {
                Ok(TextField::String(v))
            }
            fn visit_unit<E>(self) -> Result<TextField, E> {
                Ok(TextField::Other("null"))
            }
            fn visit_bool<E>(self, _: bool) -> Result<TextField, E> {
                Ok(TextField::Other("a boolean"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<TextField, E> {
                Ok(TextField::Other("a number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<TextField, E> {
                Ok(TextField::Other("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<TextField, E> {
                Ok(TextField::Other("a number"))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<TextField, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(TextField::Other("an array"))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<TextField, A::Error> {
                while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
                Ok(TextField::Other("an object"))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// Calls `f` with the next line of `reader`, without its `\n`, and returns
/// what `f` returns; `None` at the end of the input.
///
/// `read_until` would do, but it copies every line into `spill` and finds the
/// newline with the standard library's portable `memchr`, which was 3% of
/// `sada sign` (callgrind) against a fraction of that for the `memchr` crate's
/// vectorized search. Here a line that lies whole in the reader's buffer (all
/// but the few that straddle a refill of its 256 KiB) is handed to `f` in place.
fn next_line<R>(reader: &mut dyn BufRead, spill: &mut Vec<u8>, f: impl FnOnce(&[u8]) -> R) -> io::Result<Option<R>> {
    spill.clear();
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            // The end of the input; a last line without a newline is a line.
            return Ok((!spill.is_empty()).then(|| f(spill)));
        }
        match memchr::memchr(b'\n', available) {
            Some(at) => {
                let out = if spill.is_empty() {
                    f(&available[..at])
                } else {
                    spill.extend_from_slice(&available[..at]);
                    f(spill)
                };
                reader.consume(at + 1);
                return Ok(Some(out));
            }
            None => {
                let n = available.len();
                spill.extend_from_slice(available);
                reader.consume(n);
            }
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Iterator for JsonlFile {
    type Item = Raw;

    fn next(&mut self) -> Option<Raw> {
        if self.finished {
            return None;
        }
        if self.opened.is_none() {
            match decompress::open(&self.file.path, self.file.compression) {
                Ok(o) => self.opened = Some(o),
                Err(e) => {
                    self.finished = true;
                    self.records += 1;
                    let locator = Locator::File(self.file.display.clone());
                    let id = locator.to_string();
                    let rec = self.record(id, Err(RecordError { locator, message: format!("cannot open: {e}") }));
                    return Some(Raw::Record(rec));
                }
            }
        }
        loop {
            let opened = self.opened.as_mut().expect("opened above");
            let line_no = self.line + 1;
            let (parse, display) = (self.parse, &self.display);
            // Unless parsed here, the line leaves as an exact-size copy of its
            // trimmed bytes, for a worker thread to parse: handing a growing
            // buffer over made every 5 KB line regrow one from nothing.
            // Blank lines are not records and are not copied.
            let next = next_line(opened.reader.as_mut(), &mut self.buf, |mut line| {
                while let [rest @ .., b'\r'] = line {
                    line = rest;
                }
                // A UTF-8 byte-order mark opens the file, not the JSON.
                if line_no == 1 {
                    line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
                }
                if line.iter().all(u8::is_ascii_whitespace) {
                    Read::Blank
                } else if parse {
                    Read::Parsed(parse_line(display, line_no, line))
                } else {
                    Read::Line(line.to_vec())
                }
            });
            // One huge line must not pin its buffer for the rest of the file.
            if self.buf.capacity() > 16 << 20 {
                self.buf = Vec::new();
            }
            let read = match next {
                Ok(None) => return self.finish().map(Raw::Record),
                Ok(Some(read)) => read,
                Err(e) => {
                    // The rest of the file is unreadable: one error record
                    // stands for it, after the records read so far.
                    self.finished = true;
                    self.records += 1;
                    let at = self.consumed();
                    let locator = Locator::Offset(self.file.display.clone(), at);
                    let message = format!(
                        "{}; records after line {} of this file are lost",
                        describe(&e, self.file.compression),
                        self.line
                    );
                    let id = locator.to_string();
                    return Some(Raw::Record(self.record(id, Err(RecordError { locator, message }))));
                }
            };
            self.line = line_no;
            let raw = match read {
                Read::Blank => continue,
                Read::Parsed(record) => Raw::Record(record),
                Read::Line(bytes) => Raw::Line(RawLine { input: self.display.clone(), line: line_no, bytes }),
            };
            self.records += 1;
            return Some(raw);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of `input` through `next_line`, read with a buffer of `cap` bytes.
    fn lines(input: &[u8], cap: usize) -> Vec<Vec<u8>> {
        let mut reader = io::BufReader::with_capacity(cap, input);
        let mut spill = Vec::new();
        let mut out = Vec::new();
        while let Some(line) = next_line(&mut reader, &mut spill, <[u8]>::to_vec).expect("reading a slice") {
            out.push(line);
        }
        out
    }

    #[test]
    fn lines_are_the_same_whatever_the_buffer() {
        let input = "{\"text\": \"سطر أول\"}\r\n\n  \nلا سطر جديد في آخره".as_bytes();
        let expected: Vec<Vec<u8>> = input.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        // 1 and 3 bytes straddle every line and split characters; 256 holds the whole input.
        for cap in [1, 3, 7, 256] {
            assert_eq!(lines(input, cap), expected, "buffer of {cap} bytes");
        }
    }

    #[test]
    fn a_final_newline_ends_the_last_line_and_adds_none() {
        assert_eq!(lines(b"a\nb\n", 2), [b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(lines(b"\n", 2), [Vec::<u8>::new()]);
        assert!(lines(b"", 2).is_empty());
    }
}
