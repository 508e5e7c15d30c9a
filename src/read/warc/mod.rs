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
//! read as usual (`Watch` in `stream`). A decompression or read error ends
//! the file with one error record for the rest. Record-level errors name
//! `FILE@OFFSET` with the offset of the record's start in the decompressed
//! stream; decompression errors name the offset in the compressed file, as
//! for the other formats.

use super::{Meta, Record, host_of, html, http};
use crate::error::{Locator, RecordError};

// The format, apart from the protocol (`super::http`, which knows nothing
// of WARC): `stream` reads the decompressed bytes and goes back over them
// after a wrong length, `header` reads a record's header, `block` what its
// block holds, and `reader` the records of a file, one error record per
// damage. A document's body becomes text here (`RawWarc::parse`), on a
// worker. `arc` reads the older ARC files with the same parts.
mod arc;
mod block;
mod header;
mod reader;
mod stream;

pub(crate) use reader::WarcFile;

#[doc(hidden)]
pub use super::html::extract_text;

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
        let max = if *html { MAX_PAGE as u64 } else { MAX_DECODED };
        let bytes = http::decode_body(&self.payload, *chunked, content_encoding.as_deref(), max)?;
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

fn too_much_markup(len: usize) -> String {
    format!(
        "HTML page of {len} bytes is larger than the {} MiB a page may have: its text not extracted",
        MAX_PAGE >> 20
    )
}
