//! A segment's records' word hashes (`seg-N.wds`), each record's readable
//! with one positioned read. A day's statements align the new records with
//! thousands of archived ones, most of which share nothing but a common
//! phrase with them: read from the segment, each costs a zstd frame
//! decompressed and a text analyzed again (a second for ten thousand of them
//! with frames of 64 records); from here, a read of its own words.
//!
//! Layout, little-endian: the words (`u32` each) of every record end to
//! end; then the offset (in words, `u64`) where each record's begin, and
//! the total; then a trailer: the records (`u64`) and the magic. A record
//! without words has an empty range.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

const MAGIC: &[u8; 8] = b"SADAWDS1";
const TRAILER: u64 = 16;

/// Writes a segment's word hashes, one record at a time, in record order.
pub struct WordsWriter {
    out: BufWriter<File>,
    starts: Vec<u64>,
    total: u64,
}

impl WordsWriter {
    /// A writer to `file` (empty).
    pub fn new(file: File) -> WordsWriter {
        WordsWriter { out: BufWriter::with_capacity(1 << 20, file), starts: Vec::new(), total: 0 }
    }

    /// The next record's words.
    ///
    /// # Errors
    /// Writing failed.
    pub fn push(&mut self, words: &[u32]) -> io::Result<()> {
        self.starts.push(self.total);
        for w in words {
            self.out.write_all(&w.to_le_bytes())?;
        }
        self.total += words.len() as u64;
        Ok(())
    }

    /// Writes the offsets and trailer; returns the file flushed (the caller
    /// syncs).
    ///
    /// # Errors
    /// Writing failed.
    pub fn finish(mut self) -> io::Result<File> {
        for s in self.starts.iter().chain([&self.total]) {
            self.out.write_all(&s.to_le_bytes())?;
        }
        self.out.write_all(&(self.starts.len() as u64).to_le_bytes())?;
        self.out.write_all(MAGIC)?;
        self.out.into_inner().map_err(io::IntoInnerError::into_error)
    }
}

/// A segment's word hashes, opened: the offsets in memory (8 bytes a
/// record), the words read on demand.
pub struct Words {
    file: File,
    starts: Vec<u64>,
}

impl Words {
    /// Opens the file at `path`, checking that its parts fit its size.
    ///
    /// # Errors
    /// Reading failed, or the file is not a whole words file.
    pub fn open(path: &Path) -> io::Result<Words> {
        let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidData, format!("words file: {m}"));
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        if len < TRAILER {
            return Err(bad("not a sada words file, or cut"));
        }
        let mut trailer = [0u8; TRAILER as usize];
        file.read_exact_at(&mut trailer, len - TRAILER)?;
        if &trailer[8..] != MAGIC {
            return Err(bad("not a sada words file, or cut"));
        }
        let records = u64::from_le_bytes(trailer[..8].try_into().expect("8 bytes"));
        let table = records.checked_add(1).and_then(|r| r.checked_mul(8)).filter(|&t| t <= len - TRAILER);
        let Some(table) = table else { return Err(bad("its record count does not fit its size")) };
        let mut bytes = vec![0u8; table as usize];
        file.read_exact_at(&mut bytes, len - TRAILER - table)?;
        let starts: Vec<u64> =
            bytes.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))).collect();
        let total = *starts.last().expect("the total");
        let sorted = starts.windows(2).all(|w| w[0] <= w[1]) && starts[0] == 0;
        if !sorted || total.checked_mul(4) != Some(len - TRAILER - table) {
            return Err(bad("its offsets do not fit its size: the file is damaged"));
        }
        Ok(Words { file, starts })
    }

    /// Records in the file.
    pub fn records(&self) -> usize {
        self.starts.len() - 1
    }

    /// The words of record `i`.
    ///
    /// # Errors
    /// Reading failed.
    ///
    /// # Panics
    /// If `i` is not a record of the file.
    pub fn get(&self, i: usize) -> io::Result<Vec<u32>> {
        let (from, to) = (self.starts[i], self.starts[i + 1]);
        let mut bytes = vec![0u8; ((to - from) * 4) as usize];
        self.file.read_exact_at(&mut bytes, from * 4)?;
        Ok(bytes.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))).collect())
    }
}

/// The word files of several segments merged into one for a segment that
/// holds their records end to end (compaction), written to `file`.
///
/// # Errors
/// Reading or writing failed.
pub fn concat(parts: &[&Words], file: File) -> io::Result<File> {
    let mut out = WordsWriter::new(file);
    for p in parts {
        for i in 0..p.records() {
            out.push(&p.get(i)?)?;
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_read_back_per_record_and_merge_end_to_end() {
        let dir = tempfile::tempdir().unwrap();
        let records: Vec<Vec<u32>> = vec![vec![1, 2, 3], vec![], vec![u32::MAX, 0], vec![7; 1000]];
        let write = |name: &str, recs: &[Vec<u32>]| {
            let path = dir.path().join(name);
            let mut w = WordsWriter::new(File::create(&path).unwrap());
            recs.iter().for_each(|r| w.push(r).unwrap());
            w.finish().unwrap();
            Words::open(&path).unwrap()
        };
        let all = write("all", &records);
        assert_eq!(all.records(), 4);
        for (i, r) in records.iter().enumerate() {
            assert_eq!(&all.get(i).unwrap(), r);
        }
        let (a, b) = (write("a", &records[..1]), write("b", &records[1..]));
        let empty = write("empty", &[]);
        let merged = dir.path().join("merged");
        concat(&[&a, &empty, &b], File::create(&merged).unwrap()).unwrap();
        assert_eq!(std::fs::read(&merged).unwrap(), std::fs::read(dir.path().join("all")).unwrap());
    }

    #[test]
    fn cut_and_foreign_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w");
        let mut w = WordsWriter::new(File::create(&path).unwrap());
        w.push(&[1, 2, 3]).unwrap();
        w.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        for cut in [0, 5, bytes.len() - 1] {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            assert_eq!(Words::open(&path).err().unwrap().kind(), io::ErrorKind::InvalidData, "cut at {cut}");
        }
        let mut longer = vec![0u8; 4];
        longer.extend(&bytes);
        std::fs::write(&path, &longer).unwrap();
        assert_eq!(Words::open(&path).err().unwrap().kind(), io::ErrorKind::InvalidData);
    }
}
