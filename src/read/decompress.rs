//! Opening input files, decompressing `.gz` (all members) and `.zst` (all
//! frames) on the fly, while counting how many bytes of the file itself have
//! been consumed — the offset an error message names.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use super::InputFile;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How a file is compressed, from its last extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// gzip, possibly several concatenated members.
    Gzip,
    /// Zstandard, possibly several frames.
    Zstd,
}

impl Compression {
    /// The compression named by `ext` (lower case, without the dot).
    pub fn from_extension(ext: &str) -> Option<Compression> {
        match ext {
            "gz" => Some(Compression::Gzip),
            "zst" => Some(Compression::Zstd),
            _ => None,
        }
    }
}

/// Counts the bytes read from the underlying file. An atomic, not a `Cell`,
/// so that an open input can move to whichever pool thread reads the next
/// batch; it is only ever updated by one thread at a time.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// An open input: a buffered reader of the decompressed bytes and a counter
/// of the raw file bytes consumed so far.
pub struct Opened {
    /// The decompressed contents.
    pub reader: Box<dyn BufRead + Send>,
    /// Raw bytes of the file consumed so far.
    pub consumed: Arc<AtomicU64>,
    /// How it is being decompressed (for standard input, as its first bytes
    /// said).
    pub compression: Compression,
}

impl Opened {
    /// Raw bytes of the file consumed so far.
    pub fn consumed_bytes(&self) -> u64 {
        self.consumed.load(Ordering::Relaxed)
    }
}

/// Opens `file` and decompresses it as its `compression` says. Standard
/// input and other streams (read directly, or from where
/// [`super::spool_streams`] saved them) are decompressed as their first
/// bytes say instead: gzip's and zstd's magic
/// numbers.
pub fn open(file: &InputFile) -> io::Result<Opened> {
    let consumed = Arc::new(AtomicU64::new(0));
    let (inner, compression) = match &file.spooled {
        Some(spool) => sniffed(At { file: Arc::clone(spool), at: 0 })?,
        None if file.is_stdin() => sniffed(io::stdin())?,
        None => {
            let f = File::open(&file.path)?;
            // Zero bytes are an empty input whatever the name says (gzip of
            // nothing is still 20 bytes): read as plain, it is `empty`, as a
            // 0-byte `.jsonl` is, not a corrupt archive.
            let compression = if f.metadata()?.len() == 0 { Compression::None } else { file.compression };
            (Box::new(f) as Box<dyn Read + Send>, compression)
        }
    };
    let file = Counting { inner, count: consumed.clone() };
    const BUF: usize = 256 * 1024;
    let reader: Box<dyn BufRead + Send> = match compression {
        Compression::None => Box::new(BufReader::with_capacity(BUF, file)),
        Compression::Gzip => {
            Box::new(BufReader::with_capacity(BUF, flate2::read::MultiGzDecoder::new(BufReader::new(file))))
        }
        Compression::Zstd => Box::new(BufReader::with_capacity(BUF, zstd::stream::read::Decoder::new(file)?)),
    };
    Ok(Opened { reader, consumed, compression })
}

/// `reader` and its compression, told by its first bytes; those are read
/// whole (even from a pipe that delivers them a byte at a time) and put back
/// in front of the rest.
fn sniffed(mut reader: impl Read + Send + 'static) -> io::Result<(Box<dyn Read + Send>, Compression)> {
    let mut head = Vec::with_capacity(4);
    (&mut reader).take(4).read_to_end(&mut head)?;
    let compression = match head.as_slice() {
        [0x1F, 0x8B, ..] => Compression::Gzip,
        [0x28, 0xB5, 0x2F, 0xFD] => Compression::Zstd,
        _ => Compression::None,
    };
    Ok((Box::new(io::Cursor::new(head).chain(reader)), compression))
}

/// A shared file read from an offset of its own (positional reads), so that
/// every pass over a spooled standard input starts at its beginning.
struct At {
    file: Arc<File>,
    at: u64,
}

impl Read for At {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = std::os::unix::fs::FileExt::read_at(&*self.file, buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

/// A short description of a decompression or read failure.
pub fn describe(err: &io::Error, compression: Compression) -> String {
    let what = match compression {
        Compression::None => "read error",
        Compression::Gzip => "corrupt or truncated gzip data",
        Compression::Zstd => "corrupt or truncated zstd data",
    };
    if err.kind() == io::ErrorKind::UnexpectedEof {
        format!("{what}: unexpected end of file")
    } else {
        format!("{what}: {err}")
    }
}
