//! HTTP responses as a crawler archived them: the header (status, content
//! type, encodings) and the body turned back into the bytes the server meant.
//!
//! Nothing here knows the archive the response came from: a web archive
//! ([`super::warc`]) hands over a response's bytes, and a plain `.html` input
//! could too. It takes two steps because the reading thread only needs the
//! header (to decide whether a response is a document) while undoing the
//! encodings, the costly part, runs on the workers: [`parse_head`], then
//! [`decode_body`] of what follows the header.

use std::borrow::Cow;
use std::io::Read;

/// Largest HTTP header accepted.
pub(crate) const MAX_HEADER: u64 = 64 << 10;

/// The parts of an HTTP response header that matter here.
#[derive(Debug)]
pub(crate) struct Head {
    /// The status code (0 if there is none).
    pub(crate) status: u16,
    /// Bytes of the header, blank line included: the body starts there.
    pub(crate) header_len: usize,
    /// `Content-Type`, trimmed.
    pub(crate) content_type: Option<String>,
    /// `Content-Encoding`, unless empty or `identity`.
    pub(crate) content_encoding: Option<String>,
    /// Whether `Transfer-Encoding` names `chunked`.
    pub(crate) chunked: bool,
}

/// Parses the HTTP response header at the start of `block`; `whole` says
/// whether `block` is the whole response (else the header may just be too
/// long).
pub(crate) fn parse_head(block: &[u8], whole: bool) -> Result<Head, String> {
    let mut headers = [httparse::EMPTY_HEADER; 256];
    let mut response = httparse::Response::new(&mut headers);
    let mut config = httparse::ParserConfig::default();
    config
        .allow_spaces_after_header_name_in_responses(true)
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_multiple_spaces_in_response_status_delimiters(true)
        .ignore_invalid_headers_in_responses(true);
    let header_len = match config.parse_response(&mut response, block) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if whole => return Err("the HTTP response header is incomplete".into()),
        Ok(httparse::Status::Partial) => return Err("HTTP response header longer than 64 KiB".into()),
        Err(e) => return Err(format!("malformed HTTP response header: {e}")),
    };
    let field = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
    };
    let content_encoding = field("Content-Encoding").filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("identity"));
    let chunked = field("Transfer-Encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    Ok(Head {
        status: response.code.unwrap_or(0),
        header_len,
        content_type: field("Content-Type"),
        content_encoding,
        chunked,
    })
}

/// The body of a response whose header said `chunked` and
/// `content_encoding`, as the server meant it: its chunks joined, then its
/// `Content-Encoding` undone, decoding no more than `max` bytes.
pub(crate) fn decode_body<'a>(
    body: &'a [u8],
    chunked: bool,
    content_encoding: Option<&str>,
    max: u64,
) -> Result<Cow<'a, [u8]>, String> {
    let mut bytes = Cow::Borrowed(body);
    if chunked && let Some(joined) = dechunk(&bytes) {
        bytes = Cow::Owned(joined);
    }
    if let Some(coding) = content_encoding {
        bytes = decode_content(coding, bytes, max)?;
    }
    Ok(bytes)
}

/// Joins the chunks of a chunked transfer encoding; `None` if `body` is not
/// chunked after all (some tools decode it but keep the header). A body cut
/// short keeps the chunks it has.
fn dechunk(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    loop {
        let (start, size) = match httparse::parse_chunk_size(rest) {
            Ok(httparse::Status::Complete(c)) => c,
            _ if out.is_empty() => return None,
            _ => return Some(out),
        };
        if size == 0 {
            return Some(out);
        }
        let end = usize::try_from(size).ok().and_then(|s| start.checked_add(s)).unwrap_or(usize::MAX);
        if end >= rest.len() {
            out.extend_from_slice(&rest[start.min(rest.len())..]);
            return Some(out);
        }
        out.extend_from_slice(&rest[start..end]);
        rest = &rest[end..];
        rest = rest.strip_prefix(b"\r\n").or_else(|| rest.strip_prefix(b"\n")).unwrap_or(rest);
    }
}

/// Undoes an HTTP `Content-Encoding`. A body that does not look encoded is
/// taken as is (tools that decode bodies often keep the header).
/// Decoding stops past `max` bytes (a compression bomb costs `max`).
fn decode_content<'a>(coding: &str, body: Cow<'a, [u8]>, max: u64) -> Result<Cow<'a, [u8]>, String> {
    let read_all = |r: &mut dyn Read| -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        r.take(max + 1).read_to_end(&mut out).map_err(|e| format!("cannot undo Content-Encoding {coding}: {e}"))?;
        if out.len() as u64 > max {
            return Err(format!("body larger than {} MiB once decoded (Content-Encoding {coding})", max >> 20));
        }
        Ok(out)
    };
    let coding_lc = coding.trim().to_ascii_lowercase();
    let decoded = match coding_lc.as_str() {
        "" | "identity" => return Ok(body),
        "gzip" | "x-gzip" if body.starts_with(&[0x1f, 0x8b]) => {
            read_all(&mut flate2::read::MultiGzDecoder::new(&body[..]))?
        }
        "deflate" if body.first().is_some_and(|b| b & 0x0f == 8) => {
            read_all(&mut flate2::read::ZlibDecoder::new(&body[..]))?
        }
        "deflate" => read_all(&mut flate2::read::DeflateDecoder::new(&body[..]))?,
        "zstd" if body.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) => {
            let mut d = zstd::stream::read::Decoder::new(&body[..]).map_err(|e| e.to_string())?;
            read_all(&mut d)?
        }
        "gzip" | "x-gzip" | "zstd" => return Ok(body),
        other => return Err(format!("unsupported HTTP Content-Encoding `{other}`")),
    };
    Ok(Cow::Owned(decoded))
}

/// Whether a payload is HTML (`Some(true)`), plain text (`Some(false)`), or
/// not a document (`None`). The crawler's identified type (from the bytes)
/// is trusted over the server's header; with neither, the bytes are sniffed
/// for HTML.
pub(crate) fn media_kind(identified: Option<&str>, declared: Option<&str>, body_start: &[u8]) -> Option<bool> {
    let essence = |t: &str| t.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match identified.or(declared).map(essence).as_deref() {
        Some("text/html" | "application/xhtml+xml") => Some(true),
        Some("text/plain") => Some(false),
        Some("" | "application/octet-stream") | None => looks_like_html(body_start).then_some(true),
        Some(_) => None,
    }
}

/// Whether bytes start like an HTML page.
fn looks_like_html(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let head = &b[start..b.len().min(start + 16)];
    ["<!doctype html", "<html", "<head", "<body"]
        .iter()
        .any(|tag| head.len() >= tag.len() && head[..tag.len()].eq_ignore_ascii_case(tag.as_bytes()))
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    /// The limit WARC reading puts on a decoded body that is not HTML.
    const MAX_DECODED: u64 = 256 << 20;

    #[test]
    fn heads_say_status_type_and_encodings() {
        let head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: identity\r\n\
                     Transfer-Encoding: chunked\r\n\r\n";
        let mut response = head.to_vec();
        response.extend_from_slice(b"3\r\nabc\r\n0\r\n\r\n");
        let parsed = parse_head(&response, true).unwrap();
        assert_eq!((parsed.status, parsed.header_len), (200, head.len()));
        assert_eq!(parsed.content_type.as_deref(), Some("text/html; charset=utf-8"));
        assert_eq!((parsed.content_encoding, parsed.chunked), (None, true));
        assert_eq!(parse_head(&head[..20], true).err().as_deref(), Some("the HTTP response header is incomplete"));
        assert_eq!(parse_head(&head[..20], false).err().as_deref(), Some("HTTP response header longer than 64 KiB"));
        assert!(parse_head(b"NOT HTTP AT ALL\r\n\r\n", true).unwrap_err().starts_with("malformed HTTP"));
    }

    #[test]
    fn bodies_are_dechunked_then_decoded() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        io::Write::write_all(&mut gz, "نص".as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let mut chunked = format!("{:x}\r\n", gz.len()).into_bytes();
        chunked.extend_from_slice(&gz);
        chunked.extend_from_slice(b"\r\n0\r\n\r\n");
        let body = decode_body(&chunked, true, Some("gzip"), MAX_DECODED).unwrap();
        assert_eq!(body.as_ref(), "نص".as_bytes());
        // Neither chunked nor encoded: the body itself, not a copy.
        assert!(matches!(decode_body(b"<html>", false, None, MAX_DECODED), Ok(Cow::Borrowed(b"<html>"))));
        assert!(decode_body(&gz, false, Some("gzip"), 1).unwrap_err().contains("once decoded"));
    }

    #[test]
    fn chunked_and_gzip_bodies() {
        assert_eq!(dechunk(b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n").as_deref(), Some(&b"abcde"[..]));
        assert_eq!(dechunk(b"<html>"), None);
        assert_eq!(dechunk(b"5\r\nab").as_deref(), Some(&b"ab"[..]));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        io::Write::write_all(&mut gz, "نص".as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(decode_content("gzip", Cow::Borrowed(&gz), MAX_DECODED).unwrap().as_ref(), "نص".as_bytes());
        assert_eq!(decode_content("gzip", Cow::Borrowed(b"plain"), MAX_DECODED).unwrap().as_ref(), b"plain");
        assert!(decode_content("br", Cow::Borrowed(b"x"), MAX_DECODED).is_err());
    }

    #[test]
    fn media_kinds() {
        assert_eq!(media_kind(None, Some("text/html; charset=x"), b""), Some(true));
        assert_eq!(media_kind(Some("application/pdf"), Some("text/html"), b""), None);
        assert_eq!(media_kind(None, Some("TEXT/PLAIN"), b""), Some(false));
        assert_eq!(media_kind(None, None, b"  <!DOCTYPE HTML><html>"), Some(true));
        assert_eq!(media_kind(None, None, b"%PDF-1.4"), None);
        assert_eq!(media_kind(None, Some("image/jpeg"), b"<html>"), None);
    }
}
