//! What a WARC record's block holds: a document (an HTTP response's body,
//! read through [`crate::read::http`], or a conversion record's text) or
//! not.

use std::io;

use super::header::Header;
use super::stream::Stream;
use super::{Body, MAX_PAYLOAD};
use crate::read::http;

/// What a record's block held.
pub(super) enum Block {
    /// A document: how to read its body, and the body.
    Doc(Body, Vec<u8>),
    Skip,
    /// The block was read but cannot be used.
    Bad(String),
    /// The block runs past the end of the file; this many bytes were there.
    PastEnd(u64),
}

/// Passes over the rest of a block (`len` bytes), then yields `then`.
pub(super) fn skip(stream: &mut Stream, len: u64, then: Block) -> io::Result<Block> {
    let got = stream.take(len, None)?;
    Ok(if got < len { Block::PastEnd(got) } else { then })
}

/// Reads `len` bytes of block into a vector.
fn read(stream: &mut Stream, len: u64) -> io::Result<Result<Vec<u8>, Block>> {
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    let got = stream.take(len, Some(&mut buf))?;
    Ok(if got < len { Err(Block::PastEnd(got)) } else { Ok(buf) })
}

/// A `conversion` record: its block is the text.
pub(super) fn conversion(stream: &mut Stream, len: u64) -> io::Result<Block> {
    if len > MAX_PAYLOAD {
        return skip(stream, len, Block::Bad(too_large(len)));
    }
    Ok(match read(stream, len)? {
        Ok(text) => Block::Doc(Body::Converted, text),
        Err(b) => b,
    })
}

/// A `response` record: a document if it is an HTTP 2xx response with
/// an HTML or text body.
pub(super) fn response(stream: &mut Stream, header: &Header, len: u64) -> io::Result<Block> {
    let is_http =
        header.get("WARC-Target-URI").is_some_and(|u| {
            let u = u.trim_start_matches('<').to_ascii_lowercase();
            u.starts_with("http:") || u.starts_with("https:")
        }) && header.get("Content-Type").is_none_or(|t| t.to_ascii_lowercase().starts_with("application/http"));
    if !is_http {
        return skip(stream, len, Block::Skip);
    }
    let head_len = len.min(http::MAX_HEADER);
    let mut buf = match read(stream, head_len)? {
        Ok(b) => b,
        Err(past) => return Ok(past),
    };
    let rest = len - head_len;
    let parsed = match http::parse_head(&buf, rest == 0) {
        Ok(h) => h,
        Err(message) => return skip(stream, rest, Block::Bad(message)),
    };
    if !(200..300).contains(&parsed.status) {
        return skip(stream, rest, Block::Skip);
    }
    let body_start = &buf[parsed.header_len..];
    let Some(html) =
        http::media_kind(header.get("WARC-Identified-Payload-Type"), parsed.content_type.as_deref(), body_start)
    else {
        return skip(stream, rest, Block::Skip);
    };
    let payload_len = len - parsed.header_len as u64;
    if payload_len > MAX_PAYLOAD {
        return skip(stream, rest, Block::Bad(too_large(payload_len)));
    }
    buf.drain(..parsed.header_len);
    let got = stream.take(rest, Some(&mut buf))?;
    if got < rest {
        return Ok(Block::PastEnd(head_len + got));
    }
    let body = Body::Http {
        html,
        content_type: parsed.content_type,
        content_encoding: parsed.content_encoding,
        chunked: parsed.chunked,
    };
    Ok(Block::Doc(body, buf))
}

fn too_large(len: u64) -> String {
    format!("body of {len} bytes is larger than the {} MiB limit", MAX_PAYLOAD >> 20)
}
