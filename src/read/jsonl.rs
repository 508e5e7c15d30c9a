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

use std::io::{self, BufRead};

use serde_json::Value;

use super::decompress::{self, Opened, describe};
use super::{InputFile, Meta, Raw, RawLine, Record, meta};
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
pub(crate) fn parse_line(input: &str, line_no: u64, line: &[u8]) -> Record {
    // Where the line is, as a locator and as a fallback id: built only when
    // needed (an error, a line without an id), not for every line.
    let place = || Locator::Line(input.to_string(), line_no);
    let place_id = || place().to_string();
    let record = |id: String, content| Record { meta: meta(id, None, input.to_string(), None, None), content };
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
    let source = string(line.source).filter(|s| !s.is_empty());
    let content = match line.text {
        TextField::String(s) if s.len() as u64 <= super::text::MAX_RECORD => Ok(s),
        TextField::String(_) => Err("`text` larger than 4 GiB".to_string()),
        TextField::Other(kind) => Err(format!("`text` must be a string, found {kind}")),
        TextField::Missing => Err("missing `text` field".to_string()),
    }
    .map_err(|message| RecordError { locator: place(), message });
    let title = string(line.title).filter(|t| !t.trim().is_empty());
    Record { meta: Meta { title, ..meta(id, source, input.to_string(), url, date) }, content }
}

/// The common case, fast: a line without raw control characters whose `text`
/// is a string. `None` for anything else, which [`parse_strict`] then parses
/// to say exactly what is wrong; where both succeed they agree (tested, also
/// on generated JSON).
///
/// Read by hand ([`Cursor`]) rather than by serde_json: serde_json unescapes
/// a string through a scratch buffer that every line grows anew from nothing
/// and then hands it to be copied, and it can only skip a string it does not
/// build by checking it eight bytes at a time; `text` cost 12% of `sada
/// sign`'s instructions on the Arabic bench corpus that way, whose texts hold
/// `\n` escapes (callgrind). Here the whole line is checked as UTF-8 by
/// simdutf8 first, and `text` is unescaped into its `String` in the same pass
/// of the `memchr` crate's vectorized search that finds its end. Control
/// characters are ruled out beforehand for the whole line too: outside
/// strings JSON allows only tab, CR and LF among them, and a CR ending the
/// line (CRLF files) is set aside. A line with invalid UTF-8 anywhere (also
/// in a key sada ignores, which serde_json accepts) goes the strict way.
fn parse_fast(line: &[u8]) -> Option<Line<TextField>> {
    let body = line.strip_suffix(b"\r").unwrap_or(line);
    if has_control(body) {
        return None;
    }
    let body = simdutf8::basic::from_utf8(body).ok()?;
    let mut out =
        Line { id: None, text: TextField::Missing, url: None, source: None, date: None, published: None, title: None };
    let mut cursor = Cursor { line: body, at: 0 };
    cursor.ws();
    cursor.eat(b'{').then_some(())?;
    cursor.ws();
    if !cursor.eat(b'}') {
        // The keys sada reads, seen so far: each may appear once (serde's rule).
        let mut seen = 0u8;
        loop {
            let key = cursor.key()?.as_bytes();
            cursor.ws();
            cursor.eat(b':').then_some(())?;
            cursor.ws();
            let (bit, field) = match key {
                b"text" => {
                    out.text = TextField::String(cursor.string()?);
                    (1, None)
                }
                b"id" => (2, Some(&mut out.id)),
                b"url" => (4, Some(&mut out.url)),
                b"source" => (8, Some(&mut out.source)),
                b"date" => (16, Some(&mut out.date)),
                b"published" => (32, Some(&mut out.published)),
                b"title" => (64, Some(&mut out.title)),
                _ => {
                    cursor.skip_value(0)?;
                    (0, None)
                }
            };
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            if let Some(field) = field {
                *field = cursor.small_value()?;
            }
            cursor.ws();
            if cursor.eat(b',') {
                cursor.ws();
                continue;
            }
            cursor.eat(b'}').then_some(())?;
            break;
        }
    }
    cursor.ws();
    (cursor.at == body.len()).then_some(out)
}

/// Panics if [`parse_fast`] takes `line` and reads it otherwise than
/// [`parse_strict`]: the invariant the `jsonl` fuzz target checks.
pub(crate) fn check_fast_parse(line: &[u8]) {
    if let Some(fast) = parse_fast(line) {
        assert_eq!(Ok(&fast), parse_strict(line).as_ref(), "fast and strict parses differ");
    }
}

/// A place in a JSONL line for [`parse_fast`]. Every method returns `None`
/// where the line is not what it reads (or is JSON it leaves to serde_json),
/// so `?` hands the line to [`parse_strict`].
struct Cursor<'a> {
    line: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    /// Nesting of an ignored value read here (it recurses); deeper values,
    /// which serde_json skips without a limit, go to the strict parse.
    const MAX_DEPTH: u32 = 127;

    fn peek(&self) -> Option<u8> {
        self.line.as_bytes().get(self.at).copied()
    }

    /// Steps over `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        let next = self.peek() == Some(byte);
        self.at += usize::from(next);
        next
    }

    /// Steps over `word` (a literal) if it comes next.
    fn eat_word(&mut self, word: &str) -> bool {
        let next = self.line.as_bytes()[self.at..].starts_with(word.as_bytes());
        self.at += if next { word.len() } else { 0 };
        next
    }

    /// JSON whitespace.
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Where the next quote or backslash is, from `self.at` on.
    fn next_special(&self) -> Option<usize> {
        memchr::memchr2(b'"', b'\\', &self.line.as_bytes()[self.at..]).map(|i| self.at + i)
    }

    /// Steps over the escape after a backslash at `self.at - 1`, and returns
    /// the character it stands for (`None` if it is not one JSON allows).
    /// A `\uXXXX` that is half of a surrogate pair without its other half
    /// stands for U+FFFD, as a decoder replaces what it cannot decode:
    /// Python's `json.dumps` writes such escapes for text that held a lone
    /// surrogate, and one of them must not cost the whole record (serde_json
    /// refuses them).
    fn escape(&mut self) -> Option<char> {
        let escaped = self.peek()?;
        self.at += 1;
        Some(match escaped {
            b'u' => {
                let unit = self.hex4()?;
                match unit {
                    0xD800..=0xDBFF => {
                        let before = self.at;
                        let low = self.eat_word("\\u").then(|| self.hex4()).flatten();
                        match low.filter(|low| (0xDC00..=0xDFFF).contains(low)) {
                            Some(low) => char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))?,
                            None => {
                                self.at = before;
                                char::REPLACEMENT_CHARACTER
                            }
                        }
                    }
                    0xDC00..=0xDFFF => char::REPLACEMENT_CHARACTER,
                    _ => char::from_u32(unit)?,
                }
            }
            other => simple_escape(other)?,
        })
    }

    /// Steps over four hex digits and returns their value.
    fn hex4(&mut self) -> Option<u32> {
        let digits = self.line.get(self.at..self.at + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    /// Steps over the string that comes next (escapes checked as serde_json
    /// checks a string it skips: `\uXXXX` only for its four hex digits) and
    /// returns its contents as written.
    fn raw_string(&mut self) -> Option<&'a str> {
        if !self.eat(b'"') {
            return None;
        }
        let start = self.at;
        loop {
            self.at = self.next_special()?;
            if self.eat(b'"') {
                return Some(&self.line[start..self.at - 1]);
            }
            self.at += 1;
            match self.peek()? {
                b'u' => {
                    self.at += 1;
                    self.hex4()?;
                }
                other => {
                    simple_escape(other)?;
                    self.at += 1;
                }
            }
        }
    }

    /// A key without escapes (one with them might spell a key sada reads).
    fn key(&mut self) -> Option<&'a str> {
        self.raw_string().filter(|key| !key.contains('\\'))
    }

    /// The string that comes next, unescaped as it is scanned: one pass, and
    /// one allocation (exact without escapes; with them, the rest of the
    /// line, which bounds it: `text` is most of a line).
    fn string(&mut self) -> Option<String> {
        if !self.eat(b'"') {
            return None;
        }
        let mut piece = self.at;
        self.at = self.next_special()?;
        if self.eat(b'"') {
            return Some(self.line[piece..self.at - 1].to_owned());
        }
        let mut out = String::with_capacity(self.line.len() - piece);
        loop {
            out.push_str(&self.line[piece..self.at]);
            if self.eat(b'"') {
                return Some(out);
            }
            self.at += 1;
            out.push(self.escape()?);
            piece = self.at;
            self.at = self.next_special()?;
        }
    }

    /// The value of a key sada reads but `text`, as serde_json reads it
    /// into an `Option<Value>`: a string, `true`/`false`, `null` (`None`),
    /// or a plain integer of up to 18 digits; anything else goes to serde.
    fn small_value(&mut self) -> Option<Option<Value>> {
        match self.peek()? {
            b'"' => {
                // An escape (PHP writes `\/` in every URL) sized it for the
                // rest of the line; it is kept with the record.
                let mut s = self.string()?;
                s.shrink_to_fit();
                Some(Some(Value::String(s)))
            }
            b'n' => self.eat_word("null").then_some(None),
            b't' => self.eat_word("true").then_some(Some(Value::Bool(true))),
            b'f' => self.eat_word("false").then_some(Some(Value::Bool(false))),
            b'0'..=b'9' => {
                let start = self.at;
                self.digits();
                let digits = &self.line[start..self.at];
                let plain = digits.len() <= 18 && (!digits.starts_with('0') || digits.len() == 1);
                let ends = !matches!(self.peek(), Some(b'.' | b'e' | b'E'));
                let n: u64 = digits.parse().ok()?;
                (plain && ends).then_some(Some(Value::from(n)))
            }
            _ => None,
        }
    }

    /// Steps over ASCII digits; how many.
    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }

    /// Steps over the value that comes next, checking it as serde_json checks
    /// a value it skips (strings not as UTF-8), at nesting `depth`.
    fn skip_value(&mut self, depth: u32) -> Option<()> {
        match self.peek()? {
            b'"' => self.raw_string().map(drop),
            b'n' => self.eat_word("null").then_some(()),
            b't' => self.eat_word("true").then_some(()),
            b'f' => self.eat_word("false").then_some(()),
            b'-' | b'0'..=b'9' => self.skip_number(),
            open @ (b'{' | b'[') => {
                if depth >= Self::MAX_DEPTH {
                    return None;
                }
                let close = if open == b'{' { b'}' } else { b']' };
                self.at += 1;
                self.ws();
                if self.eat(close) {
                    return Some(());
                }
                loop {
                    if open == b'{' {
                        self.raw_string()?;
                        self.ws();
                        if !self.eat(b':') {
                            return None;
                        }
                        self.ws();
                    }
                    self.skip_value(depth + 1)?;
                    self.ws();
                    if self.eat(close) {
                        return Some(());
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                    self.ws();
                }
            }
            _ => None,
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn skip_number(&mut self) -> Option<()> {
        self.eat(b'-');
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.eat(b'.') && self.digits() == 0 {
            return None;
        }
        if self.eat(b'e') || self.eat(b'E') {
            let _sign = self.eat(b'+') || self.eat(b'-');
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }
}

/// The character a one-letter JSON escape (`\n`, `\"`, …) stands for.
fn simple_escape(letter: u8) -> Option<char> {
    Some(match letter {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        _ => return None,
    })
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
    #[serde(default, deserialize_with = "id_as_written")]
    id: Option<Value>,
    #[serde(default)]
    text: T,
    url: Option<Value>,
    source: Option<Value>,
    date: Option<Value>,
    published: Option<Value>,
    title: Option<Value>,
}

/// An `id` as [`Value`], except that a number no `u64` holds is kept as
/// written (a string): through `f64`, `1e+23` and `100000000000000000000000`
/// would be one id. Small integers stay numbers, as the fast parse reads them.
fn id_as_written<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    use serde::Deserialize;
    let Some(raw) = Option::<Box<serde_json::value::RawValue>>::deserialize(d)? else {
        return Ok(None);
    };
    let text = raw.get();
    if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return Ok(Some(match text.parse::<u64>() {
            Ok(n) if !text.starts_with('0') || text == "0" => Value::from(n),
            _ => Value::String(text.to_string()),
        }));
    }
    serde_json::from_str(text).map(Some).map_err(serde::de::Error::custom)
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
            r#"{"id": "nested-text", "meta": {"text": "لا", "list": [{"text": 1}, "]"]}, "n": -12, "ok": true, "text": "نعم"}"#,
            r#"{"id": "escaped-key", "te\u0078t": "نص"}"#,
            r#"["array-form", "نص"]"#,
            r#"{"id": "bad-escape", "text": "a\qb"}"#,
            r#"{"id": 007, "text": "lead-zero"}"#,
            r#"{"id": 123456789012345678901234567890, "text": "big-id"}"#,
            r#"{"id": 12, "text": "int-id", "url": null, "date": true}"#,
            r#"{"id": "short-u", "text": "a\u06"}"#,
            r#"{"id": "low-first", "text": "\udc00\ud800"}"#,
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
            match (parse_fast(&line), &strict) {
                (Some(fast), Ok(strict)) => assert_eq!(&fast, strict, "{shown}"),
                // Only a lone surrogate, which serde_json refuses, is read
                // by the fast parse alone (as U+FFFD).
                (Some(_), Err(e)) => assert!(e.contains("escape") || e.contains("surrogate"), "{shown}: {e}"),
                (None, _) => {}
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
        for id in ["a", "spaced", "crlf", "none", "nested-text", "int-id", "lone", "low-first"] {
            assert!(fast(id), "{id}");
        }
        let strict = [
            "num",
            "nul",
            "arr",
            "obj",
            "twice",
            "cut",
            "trailing",
            "tab",
            "raw-tab",
            "raw-nul",
            "bad-text",
            "escaped-key",
            "array-form",
            "bad-escape",
            "short-u",
            "lead-zero",
            "big-id",
            // Invalid UTF-8 in a key sada ignores: accepted, by the strict parse.
            "bad-ignored",
        ];
        for id in strict {
            assert!(!fast(id), "{id}");
        }
    }

    #[test]
    fn strings_read_every_escape_and_refuse_what_json_does_but_lone_surrogates() {
        let read = |s: &str| Cursor { line: s, at: 0 }.string();
        assert_eq!(
            read(r#""سطر\n\"اقتباس\" \\ \/ \t\b\f\r" tail"#).as_deref(),
            Some("سطر\n\"اقتباس\" \\ / \t\u{8}\u{c}\r")
        );
        assert_eq!(read(r#""\u0627\u06FF \ud83d\ude00 \u0000""#).as_deref(), Some("\u{627}\u{6ff} 😀 \0"));
        assert_eq!(read(r#""بلا هروب""#).as_deref(), Some("بلا هروب"));
        for bad in [r#""\q""#, r#""\""#, r#""\u06""#, r#""\u06G0""#, r#""open"#] {
            assert_eq!(read(bad), None, "{bad}");
        }
        // Half a surrogate pair is U+FFFD; what follows it is read as usual.
        assert_eq!(read(r#""\ud800""#).as_deref(), Some("\u{FFFD}"));
        assert_eq!(read(r#""\ud800\u0041""#).as_deref(), Some("\u{FFFD}A"));
        assert_eq!(read(r#""\udc00\ud83d\ude00""#).as_deref(), Some("\u{FFFD}😀"));
    }

    #[test]
    fn deep_nesting_is_left_to_serde_past_the_limit() {
        for depth in [1, 2, 126, 127, 128, 500] {
            let line = format!(r#"{{"meta": {}{}, "text": "نص"}}"#, "[".repeat(depth), "]".repeat(depth));
            let strict = parse_strict(line.as_bytes()).expect("serde_json skips any nesting");
            match parse_fast(line.as_bytes()) {
                Some(fast) => assert_eq!(fast, strict, "{depth}"),
                None => assert!(depth > Cursor::MAX_DEPTH as usize, "{depth}"),
            }
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

    use proptest::prelude::*;

    /// JSON values of every kind, nested a few levels.
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            "(\\PC|[\"\\\\\u{0}-\u{1f}\u{600}-\u{6ff}]){0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::vec(("(id|text|url|source|date|published|title|[a-z]{1,3})", inner), 0..4)
                    .prop_map(|fields| Value::Object(fields.into_iter().collect())),
            ]
        })
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

        /// Wherever the hand-written parse takes a line, even a damaged one,
        /// it reads what serde_json reads: objects of the keys sada reads
        /// (some twice) with values mostly strings, and other keys with values
        /// of every kind, in any order, then maybe a byte replaced, removed or
        /// inserted.
        #[test]
        fn the_fast_parse_never_disagrees_with_serde(
            fields in (
                proptest::collection::vec(("(id|text|url|source|date|published|title)", prop_oneof![
                    6 => "(\\PC|[\"\\\\\u{0}-\u{1f}\u{600}-\u{6ff}]){0,12}".prop_map(Value::from),
                    1 => any::<u64>().prop_map(Value::from),
                    1 => json_value(),
                ]), 0..5),
                proptest::collection::vec(("[a-z]{1,3}", json_value()), 0..3),
            ).prop_flat_map(|(known, other)| Just([known, other].concat()).prop_shuffle()),
            edits in proptest::collection::vec((any::<proptest::sample::Index>(), 0..3u8, proptest::sample::select(
                b" \t{}[],:\"\\/0159-+.eEunlrtfabu".to_vec())), 0..2),
        ) {
            let mut line = Vec::from(&b"{"[..]);
            for (i, (key, value)) in fields.iter().enumerate() {
                if i > 0 {
                    line.push(b',');
                }
                line.extend(serde_json::to_vec(key).unwrap());
                line.push(b':');
                line.extend(serde_json::to_vec(value).unwrap());
            }
            line.push(b'}');
            for (at, kind, byte) in edits {
                let at = at.index(line.len() + 1);
                match kind {
                    0 if at < line.len() => line[at] = byte,
                    1 if at < line.len() => drop(line.remove(at)),
                    _ => line.insert(at, byte),
                }
            }
            if let Some(fast) = parse_fast(&line) {
                let strict = parse_strict(&line);
                proptest::prop_assert_eq!(Ok(&fast), strict.as_ref(), "{}", String::from_utf8_lossy(&line));
            }
        }
    }
}
