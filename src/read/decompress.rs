//! Opening input files, decompressing `.gz` (all members) and `.zst` (all
//! frames) on the fly, while counting how many bytes of the file itself have
//! been consumed — the offset an error message names.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
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

/// Opens `path` and decompresses it as `compression` says; [`super::STDIN`]
/// is standard input, decompressed as its first bytes say (gzip's and
/// zstd's magic numbers), whatever `compression` says.
pub fn open(path: &Path, compression: Compression) -> io::Result<Opened> {
    let consumed = Arc::new(AtomicU64::new(0));
    let (inner, compression): (Box<dyn Read + Send>, Compression) = if path.as_os_str() == super::STDIN {
        let mut stdin = io::stdin();
        // The magic numbers, read whole even from a pipe that delivers
        // them a byte at a time, then put back in front of the rest.
        let mut head = Vec::with_capacity(4);
        (&mut stdin).take(4).read_to_end(&mut head)?;
        let compression = match head.as_slice() {
            [0x1F, 0x8B, ..] => Compression::Gzip,
            [0x28, 0xB5, 0x2F, 0xFD] => Compression::Zstd,
            _ => Compression::None,
        };
        (Box::new(io::Cursor::new(head).chain(stdin)), compression)
    } else {
        (Box::new(File::open(path)?), compression)
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
