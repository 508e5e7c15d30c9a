//! `.jsonl` / `.ndjson`: one JSON object per line,
//! `{"id": str|int, "text": str, "url"?: str, "source"?: str, "date"?|"published"?: str, "title"?: str}`.
//!
//! Blank lines are not records. Every other line is one record, also when it
//! is not JSON, not an object, or has no string `text`: those become error
//! records named `FILE:LINE`. A record without an id takes `FILE:LINE` as its
//! id and is otherwise used normally. A file with no record at all becomes one
//! `empty` record, so that it does not vanish from the accounting. A UTF-8
//! byte-order mark at the start of the file is not part of the first line.
//! The strings sada reads must be UTF-8; the values of other keys are
//! skipped without being checked, so a stray byte in a field nobody reads
//! costs no record.

use serde_json::Value;

use super::decompress::{self, Opened, describe};
use super::fields::{Fields, Slot};
use super::{InputFile, Meta, Raw, RawLine, Record, meta};
use crate::error::{Locator, RecordError};
use fast::parse_fast;
use lines::next_line;
use strict::{TextField, parse_strict};

// A line is parsed by hand where it can be (`fast`, with its scanner in
// `cursor`), else by serde_json (`strict`), which also says what is wrong.
mod cursor;
mod fast;
mod lines;
mod strict;

pub(crate) use fast::check_fast_parse;

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
    /// The keys read.
    fields: std::sync::Arc<Fields>,
}

/// What [`JsonlFile`] makes of a line it reads.
// Moved out at once: boxing the record would cost an allocation per line on
// the reading thread's hot path.
#[allow(clippy::large_enum_variant)]
enum Read {
    Blank,
    Line(Vec<u8>),
    Parsed(Record),
}

impl JsonlFile {
    /// Opens `file`; with `parse`, lines are parsed where they are read.
    pub(crate) fn open(file: InputFile, parse: bool, fields: std::sync::Arc<Fields>) -> JsonlFile {
        let display = file.display.as_str().into();
        JsonlFile { file, display, opened: None, line: 0, records: 0, buf: Vec::new(), finished: false, parse, fields }
    }

    pub(crate) fn consumed(&self) -> u64 {
        self.opened.as_ref().map_or(0, |o| o.consumed_bytes())
    }

    pub(crate) fn size(&self) -> u64 {
        self.file.size
    }

    fn record(&self, id: String, content: Result<String, RecordError>) -> Record {
        Record { meta: meta(id, None, self.file.display.clone(), None, None), content }
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
/// `fields` names the keys read.
pub(crate) fn parse_line(input: &str, line_no: u64, line: &[u8], fields: &Fields) -> Record {
    // Where the line is, as a locator and as a fallback id: built only when
    // needed (an error, a line without an id), not for every line.
    let place = || Locator::Line(input.to_string(), line_no);
    let place_id = || place().to_string();
    let record = |id: String, content| Record { meta: meta(id, None, input.to_string(), None, None), content };
    let error = |id: String, message: String| record(id, Err(RecordError { locator: place(), message }));
    let line = match parse_fast(line, fields) {
        Some(line) => line,
        None => match parse_strict(line, fields) {
            Ok(line) => line,
            Err(message) => return error(place_id(), message),
        },
    };
    let id = match line.id {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(Value::Number(n)) => n.to_string(),
        _ => place_id(),
    };
    let url = string(line.url);
    let date = string(line.date).or_else(|| string(line.published));
    let source = string(line.source).filter(|s| !s.is_empty());
    let text = fields.name(Slot::Text);
    let content = match line.text {
        TextField::String(s) if s.len() as u64 <= super::text::MAX_RECORD => Ok(s),
        TextField::String(_) => Err(format!("`{text}` larger than 4 GiB")),
        TextField::Other(kind) => Err(format!("`{text}` must be a string, found {kind}")),
        TextField::Missing => Err(format!("missing `{text}` field")),
    }
    .map_err(|message| RecordError { locator: place(), message });
    let title = string(line.title).filter(|t| !t.trim().is_empty());
    Record { meta: Meta { title, ..meta(id, source, input.to_string(), url, date) }, content }
}

fn string(v: Option<Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

impl Iterator for JsonlFile {
    type Item = Raw;

    fn next(&mut self) -> Option<Raw> {
        if self.finished {
            return None;
        }
        if self.opened.is_none() {
            match decompress::open(&self.file) {
                Ok(o) => {
                    // Standard input's compression is known once opened.
                    self.file.compression = o.compression;
                    self.opened = Some(o);
                }
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
            let (parse, display, fields) = (self.parse, &self.display, &self.fields);
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
                    Read::Parsed(parse_line(display, line_no, line, fields))
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
                    let mut message = describe(&e, self.file.compression);
                    if !decompress::ended_whole(&e) {
                        message += &format!("; records after line {} of this file are lost", self.line);
                    }
                    let id = locator.to_string();
                    return Some(Raw::Record(self.record(id, Err(RecordError { locator, message }))));
                }
            };
            self.line = line_no;
            let raw = match read {
                Read::Blank => continue,
                Read::Parsed(record) => Raw::Record(record),
                Read::Line(bytes) => Raw::Line(RawLine {
                    input: self.display.clone(),
                    line: line_no,
                    bytes,
                    fields: self.fields.clone(),
                }),
            };
            self.records += 1;
            return Some(raw);
        }
    }
}
