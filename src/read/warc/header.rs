//! A WARC record's header: `WARC/1.x`, then `Name: value` lines, then a
//! blank line.

use std::io;

use super::RESYNC;
use super::stream::Stream;

/// Largest WARC header accepted (a header is a few hundred bytes).
const MAX_HEADER: usize = 64 << 10;

/// A WARC header: its offset and its fields in order.
pub(super) struct Header {
    pub(super) start: u64,
    fields: Vec<(String, String)>,
}

impl Header {
    /// The value of field `name` (case-insensitive), trimmed; an empty
    /// value counts as absent (an empty `WARC-Record-ID` made an empty id).
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, v)| n.eq_ignore_ascii_case(name) && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    /// `WARC-Target-URI`, without the angle brackets that wget and WARC/1.0's
    /// grammar put around it (`<http://example.com/>`): a URL either way.
    pub(super) fn target_uri(&self) -> Option<&str> {
        let uri = self.get("WARC-Target-URI")?;
        let bare = uri.strip_prefix('<').and_then(|u| u.strip_suffix('>')).map_or(uri, str::trim);
        Some(bare).filter(|u| !u.is_empty())
    }
}

/// What is at the current position of the stream.
pub(super) enum Next {
    Header(Header),
    /// A line that is not a record header, at this offset.
    Garbage(u64),
    /// A header that does not end (at the end of the file, or too long).
    BadHeader(u64, &'static str),
    End,
}

/// Reads the next header, passing over blank lines before it; `carried` is
/// where the header starts when a resync already consumed its `WARC/1.`.
pub(super) fn read(stream: &mut Stream, carried: Option<u64>) -> io::Result<Next> {
    let mut line = Vec::new();
    let start = match carried {
        Some(at) => {
            line.extend_from_slice(RESYNC);
            stream.read_line(&mut line, MAX_HEADER)?;
            at
        }
        None => loop {
            line.clear();
            let at = stream.pos;
            if stream.read_line(&mut line, MAX_HEADER)? == 0 {
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
        let n = stream.read_line(&mut line, MAX_HEADER)?;
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

pub(super) fn trim_eol(line: &[u8]) -> &[u8] {
    let mut l = line;
    while let [rest @ .., b'\r' | b'\n'] = l {
        l = rest;
    }
    l
}
