//! What a WARC record's block holds: a document (an HTTP response's body,
//! read through [`crate::read::http`], or a conversion record's text) or
//! not.

use std::io;

use super::header::Header;
use super::stream::Stream;
use super::{Body, MAX_PAYLOAD};
use crate::read::http;

/// A document's body as read from its block.
pub(super) struct Doc {
    /// How to read it.
    pub(super) body: Body,
    /// The HTTP payload (after the HTTP header) or the conversion record's
    /// text.
    pub(super) payload: Vec<u8>,
    /// Where the payload starts in the block: the HTTP header's length.
    pub(super) at: u64,
}

/// What a record's block held.
pub(super) enum Block {
    /// A document.
    Doc(Doc),
    /// Not a document.
    Skip,
    /// The block was read but cannot be used.
    Bad(String),
    /// The block runs past the end of the stream: this many bytes were
    /// there, and what they begin (a document with as much of its body as
    /// is there, a record that is not one, or why they cannot be read).
    PastEnd(u64, Box<Block>),
}

/// Passes over the rest of a block (`len` bytes, after `before` bytes
/// already read), then yields `then`.
fn skip_rest(stream: &mut Stream, before: u64, len: u64, then: Block) -> io::Result<Block> {
    let got = stream.take(len, None)?;
    Ok(if got < len { Block::PastEnd(before + got, Box::new(then)) } else { then })
}

/// Passes over a block (`len` bytes), then yields `then`.
pub(super) fn skip(stream: &mut Stream, len: u64, then: Block) -> io::Result<Block> {
    skip_rest(stream, 0, len, then)
}

/// A `conversion` record: its block is the text.
pub(super) fn conversion(stream: &mut Stream, len: u64) -> io::Result<Block> {
    if len > MAX_PAYLOAD {
        return skip(stream, len, Block::Bad(too_large(len)));
    }
    let mut text = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    let got = stream.take(len, Some(&mut text))?;
    let doc = Block::Doc(Doc { body: Body::Converted, payload: text, at: 0 });
    Ok(if got < len { Block::PastEnd(got, Box::new(doc)) } else { doc })
}

/// Whether a URL is one an HTTP response was fetched from.
pub(super) fn is_http(uri: Option<&str>) -> bool {
    uri.is_some_and(|u| {
        let u = u.to_ascii_lowercase();
        u.starts_with("http:") || u.starts_with("https:")
    })
}

/// A `response` record: a document if it is an HTTP 2xx response with
/// an HTML or text body.
pub(super) fn response(stream: &mut Stream, header: &Header, len: u64) -> io::Result<Block> {
    let is_http = is_http(header.target_uri())
        && header.get("Content-Type").is_none_or(|t| t.to_ascii_lowercase().starts_with("application/http"));
    if !is_http {
        return skip(stream, len, Block::Skip);
    }
    let head_len = len.min(http::MAX_HEADER);
    let mut buf = Vec::with_capacity(usize::try_from(head_len).unwrap_or(0));
    let got = stream.take(head_len, Some(&mut buf))?;
    // The stream ends inside the block's first part: what is there is all
    // there is (a truncated file, or a length that is too large).
    let ends = got < head_len;
    let rest = len - head_len;
    let (parsed, html) = match http_document(&buf, rest == 0 || ends, header.get("WARC-Identified-Payload-Type")) {
        Ok(doc) => doc,
        Err(block) if ends => return Ok(Block::PastEnd(got, Box::new(block))),
        Err(block) => return skip_rest(stream, got, rest, block),
    };
    let payload_len = len - parsed.header_len as u64;
    if payload_len > MAX_PAYLOAD {
        return skip_rest(stream, got, rest, Block::Bad(too_large(payload_len)));
    }
    buf.drain(..parsed.header_len);
    let got_rest = if ends { 0 } else { stream.take(rest, Some(&mut buf))? };
    let body = Body::Http {
        html,
        content_type: parsed.content_type,
        content_encoding: parsed.content_encoding,
        chunked: parsed.chunked,
    };
    let doc = Block::Doc(Doc { body, payload: buf, at: parsed.header_len as u64 });
    Ok(if ends || got_rest < rest { Block::PastEnd(got + got_rest, Box::new(doc)) } else { doc })
}

/// An HTTP response held whole in `block` (an ARC record's): a document if
/// it is a 2xx response with an HTML or text body.
pub(super) fn http_block(mut block: Vec<u8>) -> Block {
    match http_document(&block, true, None) {
        Ok((parsed, html)) => {
            block.drain(..parsed.header_len);
            let body = Body::Http {
                html,
                content_type: parsed.content_type,
                content_encoding: parsed.content_encoding,
                chunked: parsed.chunked,
            };
            Block::Doc(Doc { body, payload: block, at: parsed.header_len as u64 })
        }
        Err(block) => block,
    }
}

/// What the HTTP response that starts with `head` is: its header and
/// whether its body is HTML, if it is a document; else the block it makes
/// (not a document, or not HTTP). `whole` says whether `head` is all of the
/// response there is; `identified` is the crawler's idea of the payload's
/// type.
fn http_document(head: &[u8], whole: bool, identified: Option<&str>) -> Result<(http::Head, bool), Block> {
    let parsed = http::parse_head(head, whole).map_err(Block::Bad)?;
    if !(200..300).contains(&parsed.status) {
        return Err(Block::Skip);
    }
    let body_start = &head[parsed.header_len..];
    match http::media_kind(identified, parsed.content_type.as_deref(), body_start) {
        Some(html) => Ok((parsed, html)),
        None => Err(Block::Skip),
    }
}

pub(super) fn too_large(len: u64) -> String {
    format!("body of {len} bytes is larger than the {} MiB limit", MAX_PAYLOAD >> 20)
}
