//! `.jsonl` / `.ndjson`: one JSON object per line,
//! `{"id": str|int, "text": str, "url"?: str, "source"?: str, "date"?|"published"?: str}`.
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
        self.opened.as_ref().map_or(0, |o| o.consumed_bytes())
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
    let line = match parse_fast(line) {
        Some(line) => line,
        None => match parse_strict(line) {
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

/// The common case, fast: a line without raw control characters whose `text`
/// is a string. `None` for anything else, which [`parse_strict`] then parses
/// to say exactly what is wrong; where both succeed they agree (tested).
///
/// Why not [`parse_strict`] alone: serde_json scans a string it parses as
/// text eight bytes at a time for quotes, backslashes and control characters
/// (6.5% of `sada sign`), but one it parses as bytes with the `memchr` crate's
/// vectorized search for the first two only. Here `text` is parsed as bytes
/// and then checked as UTF-8 (simdutf8), and control characters are ruled out
/// beforehand for the whole line: outside strings JSON allows only tab, CR
/// and LF among them, and a CR ending the line (CRLF files) is set aside.
fn parse_fast(line: &[u8]) -> Option<Line<TextField>> {
    let body = line.strip_suffix(b"\r").unwrap_or(line);
    if has_control(body) {
        return None;
    }
    let fast: Line<FastText> = serde_json::from_slice(body).ok()?;
    let text = match fast.text {
        FastText::Missing => TextField::Missing,
        FastText::String(s) => TextField::String(s),
    };
    Some(Line { id: fast.id, text, url: fast.url, source: fast.source, date: fast.date, published: fast.published })
}

/// Whether `line` holds a byte below 0x20. Written as the least byte of
/// each block so that it compiles to vector minimums, with no branch per
/// byte.
fn has_control(line: &[u8]) -> bool {
    line.chunks(128).any(|block| block.iter().fold(u8::MAX, |least, &b| least.min(b)) < 0x20)
}

/// Parses a line the strict way, `text` as a JSON string, with an error
/// message for whatever is wrong.
///
/// The strings sada reads (`text`, `id`, `url`, `source`, `date`) must be
/// UTF-8; the values of keys it ignores are skipped unchecked, here as in
/// [`parse_fast`], so a stray byte in a field nobody reads loses no record.
fn parse_strict(line: &[u8]) -> Result<Line<TextField>, String> {
    let invalid = |e: serde_json::Error| match simdutf8::basic::from_utf8(line) {
        Ok(_) => format!("invalid JSON: {e}"),
        Err(_) => {
            let at = std::str::from_utf8(line).err().map_or(0, |e| e.valid_up_to());
            format!("invalid UTF-8 at byte {at} of the line")
        }
    };
    // Anything but an object goes the slow way, only to say what it is.
    if line.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n')) != Some(&b'{') {
        return Err(match serde_json::from_slice::<Value>(line) {
            Ok(other) => format!("expected a JSON object, found {}", kind(&other)),
            Err(e) => invalid(e),
        });
    }
    serde_json::from_slice(line).map_err(invalid)
}

/// The fields of a JSONL record sada reads; other keys are skipped without
/// being built. Parsing into this instead of a `serde_json::Value` map saved
/// a fifth of the JSON cost of `sada sign` (callgrind).
#[derive(serde::Deserialize, Debug, PartialEq)]
struct Line<T> {
    id: Option<Value>,
    #[serde(default)]
    text: T,
    url: Option<Value>,
    source: Option<Value>,
    date: Option<Value>,
    published: Option<Value>,
}

/// `text` as [`parse_fast`] reads it: as bytes, then checked as UTF-8. Any
/// other value, or invalid UTF-8, is an error that sends the line to
/// [`parse_strict`].
#[derive(Default)]
enum FastText {
    #[default]
    Missing,
    String(String),
}

impl<'de> serde::Deserialize<'de> for FastText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<FastText, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = FastText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<FastText, E> {
                match simdutf8::basic::from_utf8(v) {
                    Ok(s) => Ok(FastText::String(s.to_owned())),
                    Err(_) => Err(E::custom("invalid UTF-8")),
                }
            }
        }
        d.deserialize_bytes(Visitor)
    }
}

fn string(v: Option<Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// The `text` field: a string, or what else it was, for the error message.
#[derive(Default, Debug, PartialEq)]
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

    /// Lines of every kind the reader meets: escapes of each sort, surrogate
    /// pairs and a lone one, raw controls inside and outside strings, CRLF,
    /// `text` of every type or missing, nested values in ignored keys, and
    /// invalid UTF-8 in a read field, in `text` and in an ignored one.
    fn awkward_lines() -> Vec<Vec<u8>> {
        let mut lines: Vec<Vec<u8>> = [
            r#"{"id": "a", "text": "سطر أول"}"#,
            r#"{"id": 7, "text": "فقرة\n\nثانية \"مقتبسة\" \\ \/ \t\b\f\r", "url": "https://a.iq/x"}"#,
            r#"{"text": "\u0627\u0644\u0639\u0631\u0627\u0642 \ud83d\ude00 \u0000", "source": "", "date": "2024"}"#,
            r#"{"id": "lone", "text": "\ud800 x"}"#,
            r#"{"id": "num", "text": 5}"#,
            r#"{"id": "nul", "text": null}"#,
            r#"{"id": "arr", "text": ["a", "b"]}"#,
            r#"{"id": "obj", "text": {"a": 1}}"#,
            r#"{"id": "none"}"#,
            r#"{"id": "twice", "text": "a", "text": "b"}"#,
            r#"{"meta": {"tags": ["x", {"y": null}], "n": -1.5e3}, "text": "نص", "published": "2023"}"#,
            r#"  {"id": "spaced" ,  "text" : "نص"  }  "#,
            r#"["not", "an", "object"]"#,
            r#""a string""#,
            r#"{"id": "cut", "text": "نص"#,
            r#"{"id": "trailing", "text": "نص"} x"#,
            "{\"id\": \"crlf\", \"text\": \"نص\"}\r",
            "{\"id\": \"tab\",\t\"text\": \"نص\"}",
            "{\"id\": \"raw-tab\", \"text\": \"a\tb\"}",
            "{\"id\": \"raw-nul\", \"text\": \"a\0b\"}",
            "",
            "   ",
        ]
        .iter()
        .map(|l| l.as_bytes().to_vec())
        .collect();
        lines.push(b"{\"id\": \"bad-text\", \"text\": \"a\xffb\"}".to_vec());
        lines.push(b"{\"id\": \"bad-\xc3\", \"text\": \"ab\"}".to_vec());
        lines.push(b"{\"id\": \"bad-ignored\", \"text\": \"ab\", \"html\": \"\xfe\"}".to_vec());
        lines
    }

    #[test]
    fn fast_and_strict_parses_agree_where_both_succeed() {
        for line in awkward_lines() {
            let shown = String::from_utf8_lossy(&line);
            let strict = parse_strict(&line);
            if let Some(fast) = parse_fast(&line) {
                assert_eq!(Ok(&fast), strict.as_ref(), "{shown}");
            }
        }
    }

    #[test]
    fn the_fast_parse_takes_the_common_lines() {
        let lines = awkward_lines();
        let fast = |id: &str| {
            let line = lines.iter().find(|l| String::from_utf8_lossy(l).contains(&format!("\"{id}\""))).unwrap();
            parse_fast(line).is_some()
        };
        for id in ["a", "spaced", "crlf", "bad-ignored", "none"] {
            assert!(fast(id), "{id}");
        }
        let strict =
            ["lone", "num", "nul", "arr", "obj", "twice", "cut", "trailing", "tab", "raw-tab", "raw-nul", "bad-text"];
        for id in strict {
            assert!(!fast(id), "{id}");
        }
    }

    #[test]
    fn strict_parse_says_what_is_wrong() {
        let parsed = |l: &[u8]| parse_strict(l).map(|line| line.text);
        assert_eq!(parsed(br#"{"text": 5}"#), Ok(TextField::Other("a number")));
        assert_eq!(parsed(br#"[1]"#), Err("expected a JSON object, found an array".to_string()));
        assert_eq!(parsed(b"{\"text\": \"a\xffb\"}"), Err("invalid UTF-8 at byte 11 of the line".to_string()));
        assert_eq!(parsed(b"{\"text\": \"ab\", \"html\": \"\xfe\"}"), Ok(TextField::String("ab".to_string())));
        let raw_tab = parsed(b"{\"text\": \"a\tb\"}").unwrap_err();
        assert!(raw_tab.starts_with("invalid JSON: control character"), "{raw_tab}");
        let lone = parsed(br#"{"text": "\ud800 x"}"#).unwrap_err();
        assert!(lone.starts_with("invalid JSON: ") && lone.contains("escape"), "{lone}");
    }

    #[test]
    fn controls_are_found_in_every_block() {
        assert!(!has_control("نص عربي طويل ".repeat(40).as_bytes()));
        for at in [0, 63, 64, 127, 128, 500] {
            let mut line = vec![b'a'; 501];
            line[at] = b'\n';
            assert!(has_control(&line), "at {at}");
        }
    }

    proptest::proptest! {
        /// Any record serde_json writes (it escapes controls) takes the fast
        /// parse and reads as the strict one does.
        #[test]
        fn written_records_parse_fast_and_alike(
            id in "\\PC{0,12}",
            text in "(\\PC|[\u{0}-\u{1f}\"\\\\\u{600}-\u{6ff}]){0,200}",
            extra in proptest::option::of("\\PC{0,20}"),
        ) {
            let mut record = serde_json::json!({"id": id, "text": text});
            if let Some(extra) = extra {
                record["meta"] = serde_json::json!({"note": extra, "list": [1, 2.5, null]});
            }
            let line = serde_json::to_vec(&record).unwrap();
            let fast = parse_fast(&line);
            proptest::prop_assert!(fast.is_some());
            let strict = parse_strict(&line);
            proptest::prop_assert_eq!(fast.as_ref(), strict.as_ref().ok());
            proptest::prop_assert_eq!(fast.unwrap().text, TextField::String(text));
        }
    }
}
