//! Segments written as a series of small zstd frames, so that one record can
//! be read back without decompressing its segment from the start: what a
//! scan against the archive does for the few archived records it reports.
//! Concatenated frames are one valid zstd stream, so `zstdcat` and sada's
//! ordinary reader still read a segment whole.
//!
//! Hand-written rather than zstd's seekable format: that format puts a seek
//! table in a skippable frame and the `zstd` crate does not write it; a
//! frame per few records and the offsets kept beside the segment are all a
//! record lookup needs.

use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

/// A frame closes after this many records…
pub const FRAME_RECORDS: u64 = 16;
/// …or once it holds this many bytes of lines, whichever comes first.
const FRAME_BYTES: usize = 32 << 10;

/// Where a frame starts: its byte offset in the segment and the number of
/// its first record (counted from the segment's first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Byte offset of the frame in the segment file.
    pub offset: u64,
    /// The segment's record number of the frame's first line.
    pub first: u64,
}

/// A `Write` of JSON lines that compresses them into frames of whole lines
/// ([`FRAME_RECORDS`] or 32 KiB of lines) and notes where each starts.
pub struct FrameWriter<W: Write> {
    out: W,
    level: i32,
    /// Lines of the frame being filled (the last one maybe not yet ended).
    pending: Vec<u8>,
    /// Whole lines in `pending`.
    lines: u64,
    /// Lines written in earlier frames.
    records: u64,
    /// Compressed bytes written so far.
    written: u64,
    frames: Vec<Frame>,
}

impl<W: Write> FrameWriter<W> {
    /// Frames written to `out` at zstd `level`.
    pub fn new(out: W, level: i32) -> FrameWriter<W> {
        FrameWriter { out, level, pending: Vec::new(), lines: 0, records: 0, written: 0, frames: Vec::new() }
    }

    /// Compresses the whole lines of `pending[..end]` as one frame.
    fn emit(&mut self, end: usize) -> io::Result<()> {
        let frame = zstd::bulk::compress(&self.pending[..end], self.level)?;
        self.out.write_all(&frame)?;
        self.frames.push(Frame { offset: self.written, first: self.records });
        self.written += frame.len() as u64;
        self.records += self.lines;
        self.lines = 0;
        self.pending.drain(..end);
        Ok(())
    }

    /// Writes the last frame and returns the output, the frames and the
    /// number of lines. A last line without its newline is an error: every
    /// record is a whole line.
    ///
    /// # Errors
    /// Writing failed, or the input did not end with a newline.
    pub fn finish(mut self) -> io::Result<(W, Vec<Frame>, u64)> {
        if !self.pending.is_empty() {
            if self.pending.last() != Some(&b'\n') {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "a segment's last line has no newline"));
            }
            let end = self.pending.len();
            self.emit(end)?;
        }
        self.out.flush()?;
        Ok((self.out, self.frames, self.records))
    }
}

impl<W: Write> Write for FrameWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(nl) = memchr_newline(rest) {
            self.pending.extend_from_slice(&rest[..=nl]);
            self.lines += 1;
            rest = &rest[nl + 1..];
            if self.lines >= FRAME_RECORDS || self.pending.len() >= FRAME_BYTES {
                let end = self.pending.len();
                self.emit(end)?;
            }
        }
        self.pending.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

fn memchr_newline(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// The line of record `record` (counted from the segment's first) of the
/// segment `path`, without its newline: the one frame that holds it read and
/// decompressed.
///
/// # Errors
/// Reading or decompressing failed, or the frames do not hold the record
/// (a damaged segment or frame list).
pub fn read_record(path: &Path, frames: &[Frame], len: u64, record: u64) -> io::Result<Vec<u8>> {
    let damaged = |what: &str| io::Error::new(io::ErrorKind::InvalidData, format!("record {record}: {what}"));
    let k =
        frames.partition_point(|f| f.first <= record).checked_sub(1).ok_or_else(|| damaged("before every frame"))?;
    let start = frames[k].offset;
    let end = frames.get(k + 1).map_or(len, |f| f.offset);
    if end < start || end > len {
        return Err(damaged("frame offsets out of order"));
    }
    let mut compressed = vec![0u8; (end - start) as usize];
    std::fs::File::open(path)?.read_exact_at(&mut compressed, start)?;
    let lines = zstd::stream::decode_all(&compressed[..])?;
    // Whole lines only: the piece after the last newline is not a record.
    let skip = (record - frames[k].first) as usize;
    let whole = lines.iter().filter(|&&b| b == b'\n').count();
    if skip >= whole {
        return Err(damaged("not in its frame"));
    }
    Ok(lines.split(|&b| b == b'\n').nth(skip).expect("counted").to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Lines written in pieces that cut lines anywhere come back whole, one
    /// by one through the frames and all together as one zstd stream.
    #[test]
    fn records_come_back_one_by_one_and_as_one_stream() {
        let lines: Vec<String> =
            (0..300).map(|i| format!("{{\"id\":\"{i}\",\"text\":\"{}\"}}", "x".repeat(i * 37 % 5000))).collect();
        let all: Vec<u8> = lines.iter().flat_map(|l| format!("{l}\n").into_bytes()).collect();
        let mut w = FrameWriter::new(Vec::new(), 3);
        for piece in all.chunks(777) {
            w.write_all(piece).unwrap();
        }
        let (bytes, frames, records) = w.finish().unwrap();
        assert_eq!(records, 300);
        assert!(frames.len() >= 300 / FRAME_RECORDS as usize, "{} frames", frames.len());
        assert_eq!(frames[0], Frame { offset: 0, first: 0 });
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seg");
        std::fs::write(&path, &bytes).unwrap();
        for (i, line) in lines.iter().enumerate() {
            assert_eq!(read_record(&path, &frames, bytes.len() as u64, i as u64).unwrap(), line.as_bytes());
        }
        assert!(read_record(&path, &frames, bytes.len() as u64, 300).is_err());
        let mut whole = Vec::new();
        zstd::stream::read::Decoder::new(&bytes[..]).unwrap().read_to_end(&mut whole).unwrap();
        assert_eq!(whole, all);
    }

    #[test]
    fn a_last_line_without_newline_is_refused() {
        let mut w = FrameWriter::new(Vec::new(), 3);
        w.write_all(b"{}\n{}").unwrap();
        assert!(w.finish().is_err());
        let (bytes, frames, records) = FrameWriter::new(Vec::new(), 3).finish().unwrap();
        assert!(bytes.is_empty() && frames.is_empty() && records == 0);
    }
}
