//! Opening input files, decompressing gzip (all members), zstd (all frames)
//! and LZ4 (all frames) on the fly, while counting how many bytes of the file
//! itself have been consumed — the offset an error message names.
//!
//! The compression is told by a file's first bytes, not its name: a gzip file
//! named `.warc` is read decompressed and a plain file named `.warc.gz` as
//! plain (issue #19). The name decides only which files a directory walk
//! takes and which format the bytes are read in.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use super::InputFile;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How a file is compressed: named by its last extension, and told by its
/// first bytes when it is opened ([`open`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// gzip, possibly several concatenated members.
    Gzip,
    /// Zstandard, possibly several frames.
    Zstd,
    /// LZ4 frames (`lz4` and `lz4 -m` write them), possibly several.
    Lz4,
}

impl Compression {
    /// The compression named by `ext` (lower case, without the dot).
    pub fn from_extension(ext: &str) -> Option<Compression> {
        match ext {
            "gz" => Some(Compression::Gzip),
            "zst" => Some(Compression::Zstd),
            "lz4" => Some(Compression::Lz4),
            _ => None,
        }
    }

    /// The compression whose magic number `head` (a file's first bytes)
    /// starts with; plain bytes otherwise.
    pub fn sniff(head: &[u8]) -> Compression {
        match head {
            [0x1F, 0x8B, ..] => Compression::Gzip,
            [0x28, 0xB5, 0x2F, 0xFD, ..] => Compression::Zstd,
            [0x04, 0x22, 0x4D, 0x18, ..] => Compression::Lz4,
            _ => Compression::None,
        }
    }
}

/// Compressions that sada knows by name but does not read (their files are
/// skipped and named as such, not as files of an unknown type).
pub const UNREAD_COMPRESSIONS: [&str; 8] = ["bz2", "xz", "lzma", "br", "lz", "sz", "z", "zip"];

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

/// Opens `file` and decompresses it as its first bytes say: gzip's, zstd's
/// and LZ4's magic numbers, else plain, whatever its name says (the name
/// chose the file and its format; crawlers and people misname compressed
/// files both ways). Standard input and other streams (read directly, or
/// from where [`super::spool_streams`] saved them) are told the same way.
/// Zero bytes are an empty input (gzip of nothing is still 20 bytes): read
/// as plain, it is `empty`, as a 0-byte `.jsonl` is, not a corrupt archive.
pub fn open(file: &InputFile) -> io::Result<Opened> {
    let consumed = Arc::new(AtomicU64::new(0));
    let (inner, compression) = match &file.spooled {
        Some(spool) => sniffed(At { file: Arc::clone(spool), at: 0 })?,
        None if file.is_stdin() => sniffed(io::stdin())?,
        None => sniffed(File::open(&file.path)?)?,
    };
    let file = Counting { inner, count: consumed.clone() };
    const BUF: usize = 256 * 1024;
    let reader: Box<dyn BufRead + Send> = match compression {
        Compression::None => Box::new(BufReader::with_capacity(BUF, file)),
        Compression::Gzip => Box::new(BufReader::with_capacity(BUF, Members::new(BufReader::new(file)))),
        Compression::Zstd => Box::new(BufReader::with_capacity(BUF, zstd::stream::read::Decoder::new(file)?)),
        Compression::Lz4 => Box::new(BufReader::with_capacity(BUF, Lz4Frames::new(file))),
    };
    Ok(Opened { reader, consumed, compression })
}

/// `reader` and its compression, told by its first bytes; those are read
/// whole (even from a pipe that delivers them a byte at a time) and put back
/// in front of the rest.
fn sniffed(mut reader: impl Read + Send + 'static) -> io::Result<(Box<dyn Read + Send>, Compression)> {
    let mut head = Vec::with_capacity(4);
    (&mut reader).take(4).read_to_end(&mut head)?;
    let compression = Compression::sniff(&head);
    Ok((Box::new(io::Cursor::new(head).chain(reader)), compression))
}

/// LZ4 frames one after another (`cat a.lz4 b.lz4`, or `lz4` run on a
/// stream): lz4_flex's decoder ends its reads at the end of each frame.
struct Lz4Frames<R: Read> {
    frames: lz4_flex::frame::FrameDecoder<SeesEnd<R>>,
}

impl<R: Read> Lz4Frames<R> {
    fn new(inner: R) -> Lz4Frames<R> {
        Lz4Frames { frames: lz4_flex::frame::FrameDecoder::new(SeesEnd { inner, ended: false }) }
    }
}

impl<R: Read> Read for Lz4Frames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.frames.read(buf)?;
            // A frame ended; another follows unless the input did too.
            if n > 0 || buf.is_empty() || self.frames.get_ref().ended {
                return Ok(n);
            }
        }
    }
}

/// A reader that remembers reaching its end.
struct SeesEnd<R> {
    inner: R,
    ended: bool,
}

impl<R: Read> Read for SeesEnd<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.ended |= n == 0 && !buf.is_empty();
        Ok(n)
    }
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

/// gzip members one after another, as `MultiGzDecoder` reads them, except
/// at the end: bytes after the last member that do not start another (zero
/// padding, a stray log line) end the stream with a [`TrailingGarbage`]
/// error once all of the data has been read, instead of an "invalid gzip
/// header" that reads like data lost. `gzip -d` too decompresses such a
/// file and warns about the trailing garbage.
struct Members<R: BufRead> {
    /// The member being read; `None` only while the next one is set up.
    member: Option<flate2::bufread::GzDecoder<Prefixed<R>>>,
}

impl<R: BufRead> Members<R> {
    fn new(inner: R) -> Members<R> {
        Members { member: Some(flate2::bufread::GzDecoder::new(Prefixed { first: None, inner })) }
    }
}

/// A buffered reader with one byte put back in front: what tells the next
/// member from garbage is its first two bytes, and the buffer may end
/// between them.
struct Prefixed<R> {
    first: Option<[u8; 1]>,
    inner: R,
}

impl<R: BufRead> Read for Prefixed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Prefixed<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match &self.first {
            Some(b) => Ok(b),
            None => self.inner.fill_buf(),
        }
    }

    fn consume(&mut self, n: usize) {
        match self.first {
            Some(_) if n > 0 => {
                self.first = None;
                self.inner.consume(n - 1);
            }
            Some(_) => {}
            None => self.inner.consume(n),
        }
    }
}

impl<R: BufRead> Prefixed<R> {
    /// Whether the next two bytes are the gzip magic, read across a buffer
    /// boundary if need be (the first byte is then put back).
    fn starts_member(&mut self) -> io::Result<bool> {
        let put_back = self.first.is_some();
        match self.fill_buf()? {
            [0x1F, 0x8B, ..] => Ok(true),
            [0x1F] if !put_back => {
                self.inner.consume(1);
                let second = self.inner.fill_buf()?.first().copied();
                self.first = Some([0x1F]);
                Ok(second == Some(0x8B))
            }
            _ => Ok(false),
        }
    }
}

impl<R: BufRead> Read for Members<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let member = self.member.as_mut().expect("a member is set up");
            let n = member.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // The member ended: another one, the end, or garbage.
            if member.get_mut().fill_buf()?.is_empty() {
                return Ok(0);
            }
            match member.get_mut().starts_member()? {
                true => {
                    let inner = self.member.take().expect("a member is set up").into_inner();
                    self.member = Some(flate2::bufread::GzDecoder::new(inner));
                }
                false => {
                    let inner = member.get_mut();
                    let mut bytes = 0u64;
                    loop {
                        let k = inner.fill_buf()?.len();
                        if k == 0 {
                            break;
                        }
                        inner.consume(k);
                        bytes += k as u64;
                    }
                    return Err(io::Error::new(io::ErrorKind::InvalidData, TrailingGarbage { bytes }));
                }
            }
        }
    }
}

/// Bytes after the last gzip member that do not start another: every
/// member before them was read whole.
#[derive(Debug)]
pub struct TrailingGarbage {
    /// How many.
    pub bytes: u64,
}

impl std::fmt::Display for TrailingGarbage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bytes after the last gzip member are not gzip: ignored, as `gzip -d` does", self.bytes)
    }
}

impl std::error::Error for TrailingGarbage {}

/// Whether `err` is [`TrailingGarbage`]: the stream ended whole.
pub fn ended_whole(err: &io::Error) -> bool {
    err.get_ref().is_some_and(|e| e.is::<TrailingGarbage>())
}

/// A short description of a decompression or read failure.
pub fn describe(err: &io::Error, compression: Compression) -> String {
    if ended_whole(err) {
        return err.to_string();
    }
    let what = match compression {
        Compression::None => "read error",
        Compression::Gzip => "corrupt or truncated gzip data",
        Compression::Zstd => "corrupt or truncated zstd data",
        Compression::Lz4 => "corrupt or truncated lz4 data",
    };
    if err.kind() == io::ErrorKind::UnexpectedEof {
        format!("{what}: unexpected end of file")
    } else {
        format!("{what}: {err}")
    }
}
