//! [`Record`]s appended in order and read back by position: in memory up to
//! a budget, then moved to an unlinked temporary file and appended there.
//! Group writes the sides of every passage here in candidate order and reads
//! back, for each candidate it takes, the sides of it and its neighbours.
//!
//! Reading back is `pread` ([`FileExt::read_exact_at`]): the records asked
//! for, nothing else, in any order.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Write};
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::Record;

/// Bytes written to the file per `write` call.
const WRITE_BUFFER: usize = 1 << 20;

/// Records by position, in memory or spilled.
#[derive(Debug)]
pub struct Table<R> {
    /// Every record while in memory; once spilled, none.
    mem: Vec<R>,
    spill: Option<Spill>,
    /// Records appended so far.
    len: u64,
    /// Bytes `mem` may hold before the table spills.
    budget: usize,
    dir: Option<PathBuf>,
}

#[derive(Debug)]
struct Spill {
    file: File,
    /// Encoded records not yet written.
    pending: Vec<u8>,
}

impl Spill {
    /// Encodes `rows` after what is pending, writing once a buffer's worth
    /// is pending.
    fn append<R: Record>(&mut self, rows: &[R]) -> io::Result<()> {
        for r in rows {
            r.put(&mut self.pending);
        }
        if self.pending.len() >= WRITE_BUFFER {
            self.file.write_all(&self.pending)?;
            self.pending.clear();
        }
        Ok(())
    }
}

impl<R: Record> Table<R> {
    /// An empty table that spills past `budget` bytes into a temporary file
    /// in `dir` (the system's temporary directory if `None`).
    pub fn new(budget: usize, dir: Option<&Path>) -> Table<R> {
        Table { mem: Vec::new(), spill: None, len: 0, budget, dir: dir.map(Path::to_path_buf) }
    }

    /// A table of `rows`, in memory: rows already held, whatever the budget.
    pub fn of(rows: Vec<R>) -> Table<R> {
        Table { len: rows.len() as u64, mem: rows, spill: None, budget: usize::MAX, dir: None }
    }

    /// Records appended so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Returns true if and only if nothing was appended.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes moved to disk (0 if the table never spilled).
    pub fn spilled_bytes(&self) -> u64 {
        if self.spill.is_some() { self.len * R::BYTES as u64 } else { 0 }
    }

    /// Appends `rows`.
    ///
    /// # Errors
    /// Creating or writing the file failed.
    pub fn extend(&mut self, rows: &[R]) -> io::Result<()> {
        self.len += rows.len() as u64;
        match &mut self.spill {
            Some(spill) => spill.append(rows),
            None => {
                self.mem.extend_from_slice(rows);
                if self.mem.len() * std::mem::size_of::<R>() > self.budget {
                    let mut spill = Spill { file: super::file(self.dir.as_deref())?, pending: Vec::new() };
                    for rows in std::mem::take(&mut self.mem).chunks(WRITE_BUFFER / R::BYTES) {
                        spill.append(rows)?;
                    }
                    self.spill = Some(spill);
                }
                Ok(())
            }
        }
    }

    /// Ends writing: flushes what is buffered. Call once after the last
    /// [`Table::extend`] and before reading.
    ///
    /// # Errors
    /// Writing the file failed.
    pub fn finish(&mut self) -> io::Result<()> {
        match &mut self.spill {
            Some(spill) => {
                spill.file.write_all(&spill.pending)?;
                spill.pending = Vec::new();
                Ok(())
            }
            None => {
                self.mem.shrink_to_fit();
                Ok(())
            }
        }
    }

    /// The records at positions `range`, borrowed while in memory.
    ///
    /// # Errors
    /// Reading the file failed.
    ///
    /// # Panics
    /// If `range` is past the end.
    pub fn read(&self, range: Range<u64>) -> io::Result<Cow<'_, [R]>> {
        assert!(range.start <= range.end && range.end <= self.len, "{range:?} of {}", self.len);
        let Some(spill) = &self.spill else {
            return Ok(Cow::Borrowed(&self.mem[range.start as usize..range.end as usize]));
        };
        let mut bytes = vec![0u8; (range.end - range.start) as usize * R::BYTES];
        spill.file.read_exact_at(&mut bytes, range.start * R::BYTES as u64)?;
        Ok(Cow::Owned(bytes.chunks_exact(R::BYTES).map(R::get).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spill::Entry;

    fn rows(n: u32) -> Vec<Entry> {
        (0..n).map(|i| (u64::from(i) * 0x9E37_79B9, i)).collect()
    }

    #[test]
    fn a_spilled_table_reads_back_what_memory_holds() {
        let all = rows(50_000);
        let mut mem = Table::new(usize::MAX, None);
        let dir = tempfile::tempdir().unwrap();
        let mut disk = Table::new(4096, Some(dir.path()));
        for chunk in all.chunks(777) {
            mem.extend(chunk).unwrap();
            disk.extend(chunk).unwrap();
        }
        mem.finish().unwrap();
        disk.finish().unwrap();
        assert_eq!(mem.spilled_bytes(), 0);
        assert_eq!(disk.spilled_bytes(), 50_000 * 12);
        assert_eq!(disk.len(), 50_000);
        for r in [0..0, 0..1, 5..777, 776..778, 49_000..50_000, 0..50_000] {
            let want = &all[r.start as usize..r.end as usize];
            assert_eq!(&*mem.read(r.clone()).unwrap(), want);
            assert_eq!(&*disk.read(r).unwrap(), want);
        }
    }
}
