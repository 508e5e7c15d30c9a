//! The decompressed bytes of an archive, read with their offsets, and
//! gone back over when a record's length proves wrong.

use std::io::{self, BufRead};

use super::{MAX_PAYLOAD, RESYNC};
use crate::read::decompress::{self, Opened};

/// The decompressed stream of an archive and the offset read up to.
pub(super) struct Stream {
    pub(super) source: Source,
    /// Bytes of the decompressed stream consumed so far.
    pub(super) pos: u64,
    /// Whether the last byte consumed ended a line (or nothing was).
    at_line_start: bool,
    /// While a block is read: where a record header starts inside it, and
    /// the bytes from there on (see [`Watch`]).
    pub(super) watch: Option<Watch>,
}

/// The decompressed bytes, after any given back to be read again.
pub(super) struct Source {
    pub(super) opened: Opened,
    /// Bytes to read again before the reader's (see [`Stream::rewind`]).
    replay: Vec<u8>,
    /// How many of `replay` are consumed.
    replayed: usize,
    /// Bytes after the end of the compressed data that are not compressed
    /// data ([`decompress::TrailingGarbage`]): read as the end of the stream,
    /// reported after the last record.
    pub(super) garbage: Option<String>,
    /// A decompression or read error (a truncated `.gz`): read as the end of
    /// the stream, so that the record it cuts is read as far as it goes,
    /// and reported after it.
    pub(super) failed: Option<io::Error>,
    /// The stream ended (or failed): nothing more is asked of the reader.
    ended: bool,
}

impl Source {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.replayed < self.replay.len() {
            return Ok(&self.replay[self.replayed..]);
        }
        if self.ended {
            return Ok(&[]);
        }
        match self.opened.reader.fill_buf() {
            Err(e) => {
                self.ended = true;
                match decompress::ended_whole(&e) {
                    true => self.garbage = Some(e.to_string()),
                    false => self.failed = Some(e),
                }
                Ok(&[])
            }
            Ok([]) => {
                self.ended = true;
                Ok(&[])
            }
            read => read,
        }
    }

    fn consume(&mut self, n: usize) {
        if self.replayed < self.replay.len() {
            self.replayed += n;
            if self.replayed == self.replay.len() {
                self.replay = Vec::new();
                self.replayed = 0;
            }
        } else {
            self.opened.reader.consume(n);
        }
    }
}

/// Watches a block as it is read for a line that starts a WARC record.
/// A `Content-Length` that is too large swallows the records after its
/// own; when the length turns out wrong (no blank line after the block, or
/// the file ends inside it), reading goes back to the first header seen
/// inside the block instead of losing what followed it. The bytes from that
/// header on are kept for this, up to [`MAX_PAYLOAD`].
#[derive(Default)]
pub(super) struct Watch {
    /// How much of [`RESYNC`] the current line has matched; `None` once the
    /// line cannot match.
    matched: Option<usize>,
    /// Offset of the first header found inside the block.
    found: Option<u64>,
    /// The bytes from `found` on (emptied if they grow past the limit).
    kept: Vec<u8>,
    /// The kept bytes outgrew [`MAX_PAYLOAD`]: no going back.
    overflowed: bool,
}

impl Watch {
    /// A watch over a block that starts at a line start.
    pub(super) fn new() -> Watch {
        Watch { matched: Some(0), ..Watch::default() }
    }

    /// Sees `bytes`, the first of which is at offset `at`.
    fn see(&mut self, bytes: &[u8], at: u64) {
        let rest = if self.found.is_some() {
            bytes
        } else {
            let Some(end) = self.scan(bytes) else { return };
            self.found = Some(at + end as u64 - RESYNC.len() as u64);
            self.kept.extend_from_slice(RESYNC);
            &bytes[end..]
        };
        if self.overflowed || self.kept.len() + rest.len() > MAX_PAYLOAD as usize {
            self.overflowed = true;
            self.kept = Vec::new();
        } else {
            self.kept.extend_from_slice(rest);
        }
    }

    /// Where in `bytes` a line that starts with [`RESYNC`] has matched it
    /// (the index past it), if one does; lines that cannot match are passed
    /// over with `memchr`.
    fn scan(&mut self, bytes: &[u8]) -> Option<usize> {
        let mut i = 0;
        while i < bytes.len() {
            match self.matched {
                None => {
                    i += memchr::memchr(b'\n', &bytes[i..])? + 1;
                    self.matched = Some(0);
                }
                Some(m) => {
                    let b = bytes[i];
                    i += 1;
                    self.matched = if b == RESYNC[m] { Some(m + 1) } else { (b == b'\n').then_some(0) };
                    if self.matched == Some(RESYNC.len()) {
                        return Some(i);
                    }
                }
            }
        }
        None
    }
}

impl Stream {
    pub(super) fn new(opened: Opened) -> Stream {
        Stream {
            source: Source { opened, replay: Vec::new(), replayed: 0, garbage: None, failed: None, ended: false },
            pos: 0,
            at_line_start: true,
            watch: None,
        }
    }

    /// Marks `n` buffered bytes, the last of which is `last`, as consumed.
    fn consume(&mut self, n: usize, last: u8) {
        self.source.consume(n);
        self.pos += n as u64;
        self.at_line_start = last == b'\n';
    }

    /// Stops watching the block just read; if a record header was seen
    /// inside it, goes back there and returns its offset.
    pub(super) fn rewind(&mut self) -> Option<u64> {
        let watch = self.watch.take()?;
        let at = watch.found.filter(|_| !watch.overflowed)?;
        self.unread(watch.kept, at);
        Some(at)
    }

    /// Puts `bytes`, which started at offset `at` (a line start), back in
    /// front of the rest, to be read again.
    pub(super) fn unread(&mut self, mut bytes: Vec<u8>, at: u64) {
        bytes.extend_from_slice(&self.source.replay[self.source.replayed..]);
        self.source.replay = bytes;
        self.source.replayed = 0;
        self.pos = at;
        self.at_line_start = true;
    }

    /// Appends bytes through the next `\n` to `buf`, at most `cap` of them;
    /// returns how many (0 at the end of the stream).
    pub(super) fn read_line(&mut self, buf: &mut Vec<u8>, cap: usize) -> io::Result<usize> {
        let mut total = 0;
        while total < cap {
            let avail = self.source.fill_buf()?;
            if avail.is_empty() {
                break;
            }
            let window = &avail[..avail.len().min(cap - total)];
            let (n, done) = match window.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (window.len(), false),
            };
            buf.extend_from_slice(&window[..n]);
            let last = window[n - 1];
            self.consume(n, last);
            total += n;
            if done {
                break;
            }
        }
        Ok(total)
    }

    /// Passes over up to `n` bytes, appending them to `buf` if given;
    /// returns how many there were (fewer than `n` only at the end).
    pub(super) fn take(&mut self, n: u64, mut buf: Option<&mut Vec<u8>>) -> io::Result<u64> {
        let mut left = n;
        while left > 0 {
            let avail = self.source.fill_buf()?;
            if avail.is_empty() {
                break;
            }
            let k = avail.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            if let Some(b) = buf.as_deref_mut() {
                b.extend_from_slice(&avail[..k]);
            }
            if let Some(w) = self.watch.as_mut() {
                w.see(&avail[..k], self.pos);
            }
            let last = avail[k - 1];
            self.consume(k, last);
            left -= k as u64;
        }
        Ok(n - left)
    }

    /// Passes over the blank line that ends a record's block; returns false
    /// if something else follows the block (its `Content-Length` is wrong),
    /// the line ends it passed over then in `passed` (they belong to the
    /// block). The end of the stream is a fine end.
    pub(super) fn end_of_block(&mut self, passed: &mut Vec<u8>) -> io::Result<bool> {
        let mut newlines = 0;
        for _ in 0..4 {
            match self.source.fill_buf()?.first() {
                None => return Ok(true),
                Some(&b) if b == b'\n' || b == b'\r' => {
                    newlines += usize::from(b == b'\n');
                    passed.push(b);
                    // Still the watched block's bytes if the length proves
                    // wrong: a rewind must replay them.
                    if let Some(w) = self.watch.as_mut() {
                        w.see(&[b], self.pos);
                    }
                    self.consume(1, b);
                }
                // One line end then the next header: a sloppy writer.
                Some(&b'W') if newlines == 1 => return Ok(true),
                Some(_) => break,
            }
        }
        Ok(newlines >= 2)
    }

    /// Passes over bytes up to and including the next `WARC/1.` at the
    /// start of a line; returns the offset where it starts, or `None` at the
    /// end of the stream. The bytes passed over before it are appended to
    /// `keep`, if given, as long as it holds no more than `cap` (past that
    /// it holds more than `cap` bytes, and not all of them).
    pub(super) fn seek_record(&mut self, mut keep: Option<&mut Vec<u8>>, cap: usize) -> io::Result<Option<u64>> {
        let append = |keep: &mut Option<&mut Vec<u8>>, bytes: &[u8]| {
            if let Some(k) = keep.as_deref_mut()
                && k.len() <= cap
            {
                k.extend_from_slice(&bytes[..bytes.len().min(cap + 1 - k.len())]);
            }
        };
        // How much of RESYNC the current line has matched; None once the
        // line cannot match.
        let mut matched = self.at_line_start.then_some(0);
        loop {
            let avail = self.source.fill_buf()?;
            if avail.is_empty() {
                return Ok(None);
            }
            for (i, &b) in avail.iter().enumerate() {
                matched = match matched {
                    Some(m) if b == RESYNC[m] => Some(m + 1),
                    _ if b == b'\n' => Some(0),
                    _ => None,
                };
                if matched == Some(RESYNC.len()) {
                    append(&mut keep, &avail[..=i]);
                    self.consume(i + 1, b);
                    if let Some(k) = keep
                        && k.len() <= cap
                    {
                        k.truncate(k.len() - RESYNC.len());
                    }
                    return Ok(Some(self.pos - RESYNC.len() as u64));
                }
            }
            append(&mut keep, avail);
            let (n, last) = (avail.len(), avail[avail.len() - 1]);
            self.consume(n, last);
        }
    }
}
