//! [`Entry`]s appended to one temporary file per part, each part read back
//! whole: for data written in one pass and then processed a part at a time,
//! when the parts do not fit in memory at once (the match stage's anchor
//! postings, by part of the hash space: `crate::passage::postings`).

use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::{ENTRY_BYTES, Entry};

/// Bytes buffered per part before a write, at most.
const MAX_BUFFER: usize = 1 << 20;

/// Bytes read from a part's file at a time.
const READ_CHUNK: usize = 1 << 20;

/// One temporary file of entries per part.
pub struct Partitioned {
    /// Each part's file and the bytes written to it.
    files: Vec<(File, u64)>,
    /// Each part's entries not yet written.
    buffers: Vec<Vec<u8>>,
    /// Bytes a part's buffer holds before it is written.
    limit: usize,
}

impl Partitioned {
    /// `parts` empty parts, their files in `dir` (the system's temporary
    /// directory when `None`); `budget` bounds the bytes buffered.
    ///
    /// # Errors
    /// Creating a file failed.
    pub fn new(parts: usize, budget: usize, dir: Option<&Path>) -> io::Result<Partitioned> {
        let files = (0..parts).map(|_| super::file(dir).map(|f| (f, 0))).collect::<io::Result<_>>()?;
        let limit = (budget / parts / 2).clamp(64 << 10, MAX_BUFFER);
        Ok(Partitioned { files, buffers: vec![Vec::new(); parts], limit })
    }

    /// Appends `entry` to part `part`.
    ///
    /// # Errors
    /// Writing the part's file failed.
    #[inline]
    pub fn push(&mut self, part: usize, entry: Entry) -> io::Result<()> {
        let buffer = &mut self.buffers[part];
        buffer.extend_from_slice(&super::encode(entry));
        if buffer.len() >= self.limit {
            append(&mut self.files[part], buffer)?;
        }
        Ok(())
    }

    /// Ends writing: writes what is buffered. Call once after the last
    /// [`Partitioned::push`] and before reading.
    ///
    /// # Errors
    /// Writing a file failed.
    pub fn finish(&mut self) -> io::Result<()> {
        for (file, buffer) in self.files.iter_mut().zip(&mut self.buffers) {
            append(file, buffer)?;
        }
        Ok(())
    }

    /// The entries of part `part`, in the order pushed.
    ///
    /// # Errors
    /// Reading the file failed.
    pub fn read(&self, part: usize) -> io::Result<Vec<Entry>> {
        debug_assert!(self.buffers[part].is_empty(), "Partitioned::finish before reading");
        let (file, len) = &self.files[part];
        let mut out = Vec::with_capacity(*len as usize / ENTRY_BYTES);
        let mut bytes = vec![0u8; READ_CHUNK - READ_CHUNK % ENTRY_BYTES];
        let mut at = 0u64;
        while at < *len {
            let n = ((*len - at) as usize).min(bytes.len());
            file.read_exact_at(&mut bytes[..n], at)?;
            out.extend(bytes[..n].chunks_exact(ENTRY_BYTES).map(super::decode));
            at += n as u64;
        }
        Ok(out)
    }
}

/// Appends `buffer` to a part's file and empties it.
fn append((file, len): &mut (File, u64), buffer: &mut Vec<u8>) -> io::Result<()> {
    file.write_all(buffer)?;
    *len += buffer.len() as u64;
    buffer.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_part_reads_back_its_entries_in_the_order_pushed() {
        // A budget of one byte: every part's buffer is written at 64 KiB.
        let mut p = Partitioned::new(4, 1, None).unwrap();
        let entries: Vec<Entry> =
            (0..50_000u32).map(|d| (u64::from(d).wrapping_mul(0x9E37_79B9_7F4A_7C15), d)).collect();
        for &e in &entries {
            p.push((e.0 >> 62) as usize, e).unwrap();
        }
        p.finish().unwrap();
        for part in 0..4 {
            let want: Vec<Entry> = entries.iter().copied().filter(|e| (e.0 >> 62) as usize == part).collect();
            assert_eq!(p.read(part).unwrap(), want);
        }
    }
}
