//! A written JSONL file, compressed as its input was.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::io;
use crate::error::Error;
use crate::read::InputFile;
use crate::read::decompress::Compression;

/// The compression a file is written in: its name's, or for standard input
/// and streams, what their first bytes said.
pub(super) fn compression_of(file: &InputFile, sniffed: Option<Compression>) -> Compression {
    match sniffed {
        Some(c) if file.spooled.is_some() || file.is_stdin() => c,
        _ => file.compression,
    }
}

/// An output file, compressed as its input was.
pub(super) enum Sink {
    Plain(BufWriter<File>, PathBuf),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>, PathBuf),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<File>>, PathBuf),
    Lz4(lz4_flex::frame::FrameEncoder<BufWriter<File>>, PathBuf),
}

impl Sink {
    pub(super) fn create(dir: &Path, name: &Path, compression: Compression) -> Result<Sink, Error> {
        let mut path = dir.join(name).into_os_string();
        match compression {
            Compression::None => {}
            Compression::Gzip => path.push(".gz"),
            Compression::Zstd => path.push(".zst"),
            Compression::Lz4 => path.push(".lz4"),
        }
        let path = PathBuf::from(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io("cannot create", parent))?;
        }
        let file = BufWriter::with_capacity(1 << 20, File::create(&path).map_err(io("cannot write", &path))?);
        Ok(match compression {
            Compression::None => Sink::Plain(file, path),
            Compression::Gzip => Sink::Gzip(flate2::write::GzEncoder::new(file, flate2::Compression::default()), path),
            Compression::Zstd => {
                let enc = zstd::stream::write::Encoder::new(file, 3).map_err(io("cannot write", &path))?;
                Sink::Zstd(enc, path)
            }
            Compression::Lz4 => Sink::Lz4(lz4_flex::frame::FrameEncoder::new(file), path),
        })
    }

    fn path(&self) -> &Path {
        match self {
            Sink::Plain(_, p) | Sink::Gzip(_, p) | Sink::Zstd(_, p) | Sink::Lz4(_, p) => p,
        }
    }

    pub(super) fn write(&mut self, bytes: &[u8], _input: &str) -> Result<(), Error> {
        let r = match self {
            Sink::Plain(w, _) => w.write_all(bytes),
            Sink::Gzip(w, _) => w.write_all(bytes),
            Sink::Zstd(w, _) => w.write_all(bytes),
            Sink::Lz4(w, _) => w.write_all(bytes),
        };
        r.map_err(io("cannot write", self.path()))
    }

    pub(super) fn finish(self, _input: &str) -> Result<(), Error> {
        let path = self.path().to_path_buf();
        let r = match self {
            Sink::Plain(mut w, _) => w.flush(),
            Sink::Gzip(w, _) => w.finish().and_then(|mut w| w.flush()),
            Sink::Zstd(w, _) => w.finish().and_then(|mut w| w.flush()),
            Sink::Lz4(w, _) => w.finish().map_err(std::io::Error::other).and_then(|mut w| w.flush()),
        };
        r.map_err(io("cannot write", &path))
    }
}
