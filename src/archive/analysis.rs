//! A segment's stored analyses (`seg-N.ana`, beside `seg-N.jsonl.zst`): for
//! each record its exact-duplicate key, signature and LSH band keys, and the
//! segment's frames (where each run of records starts, see
//! [`super::frames`]). What a scan against the archive needs of the records
//! it does not report, without reading their texts.
//!
//! Layout, little-endian: the signatures (`records × lanes` `u32`, zeros for
//! a record without one) first, so that they stream to disk as the records
//! are analyzed; then what a scan loads whole — one flag byte per record,
//! padding to 8, the content hashes (`records × u64`), the band keys
//! (`records × bands × u64`), the frames (`(offset, first record)` as two
//! `u64`) — and a fixed-size footer saying where each part starts.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::frames::Frame;
use crate::index::Banding;

/// The footer's first bytes.
const MAGIC: &[u8; 8] = b"SADAANA1";
/// The footer: magic, records, lanes, bands, frames, and the offsets of the
/// flags, content hashes, band keys and frames.
const FOOTER: usize = 8 + 8 + 4 + 4 + 8 + 4 * 8;

/// Flag: the record has a content hash (it has words).
const HAS_CONTENT: u8 = 1;
/// Flag: the record has a signature.
const HAS_SIGNATURE: u8 = 2;

/// Writes a segment's analyses, one record at a time, in record order.
pub struct AnalysisWriter {
    out: BufWriter<File>,
    lanes: usize,
    banding: Banding,
    flags: Vec<u8>,
    content: Vec<u64>,
    keys: Vec<u64>,
}

impl AnalysisWriter {
    /// Analyses of signatures of `lanes` lanes cut by `banding`, written to
    /// `file` (empty).
    pub fn new(file: File, lanes: usize, banding: Banding) -> AnalysisWriter {
        AnalysisWriter {
            out: BufWriter::with_capacity(1 << 20, file),
            lanes,
            banding,
            flags: Vec::new(),
            content: Vec::new(),
            keys: Vec::new(),
        }
    }

    /// The next record's exact-duplicate key and signature lanes.
    ///
    /// # Errors
    /// Writing failed.
    pub fn push(&mut self, content: Option<u64>, lanes: Option<&[u32]>) -> io::Result<()> {
        let mut flags = 0;
        if content.is_some() {
            flags |= HAS_CONTENT;
        }
        match lanes.filter(|l| !l.is_empty()) {
            Some(l) => {
                if l.len() != self.lanes {
                    return Err(io::Error::other(format!("a signature of {} lanes, not {}", l.len(), self.lanes)));
                }
                flags |= HAS_SIGNATURE;
                for b in 0..self.banding.bands() {
                    self.keys.push(self.banding.key_of_lanes(l, b));
                }
                l.iter().try_for_each(|x| self.out.write_all(&x.to_le_bytes()))?;
            }
            None => {
                self.keys.extend(std::iter::repeat_n(0, self.banding.bands()));
                (0..self.lanes).try_for_each(|_| self.out.write_all(&[0; 4]))?;
            }
        }
        self.content.push(content.unwrap_or(0));
        self.flags.push(flags);
        Ok(())
    }

    /// Writes what follows the signatures, flushes, and returns the file.
    ///
    /// # Errors
    /// Writing failed.
    pub fn finish(mut self, frames: &[Frame]) -> io::Result<File> {
        let records = self.flags.len() as u64;
        let flags_at = records * 4 * self.lanes as u64;
        self.out.write_all(&self.flags)?;
        let pad = (8 - self.flags.len() % 8) % 8;
        self.out.write_all(&[0; 8][..pad])?;
        let content_at = flags_at + (self.flags.len() + pad) as u64;
        self.content.iter().try_for_each(|x| self.out.write_all(&x.to_le_bytes()))?;
        let keys_at = content_at + 8 * records;
        self.keys.iter().try_for_each(|x| self.out.write_all(&x.to_le_bytes()))?;
        let frames_at = keys_at + 8 * self.keys.len() as u64;
        for f in frames {
            self.out.write_all(&f.offset.to_le_bytes())?;
            self.out.write_all(&f.first.to_le_bytes())?;
        }
        let mut footer = Vec::with_capacity(FOOTER);
        footer.extend_from_slice(MAGIC);
        footer.extend_from_slice(&records.to_le_bytes());
        footer.extend_from_slice(&(self.lanes as u32).to_le_bytes());
        footer.extend_from_slice(&(self.banding.bands() as u32).to_le_bytes());
        footer.extend_from_slice(&(frames.len() as u64).to_le_bytes());
        for at in [flags_at, content_at, keys_at, frames_at] {
            footer.extend_from_slice(&at.to_le_bytes());
        }
        self.out.write_all(&footer)?;
        self.out.into_inner().map_err(io::IntoInnerError::into_error)
    }
}

/// `count` little-endian `u64`s at `at` in `file`, read a MiB at a time
/// into their vector (no second copy of a part that is 72 bytes a record).
fn read_u64s(file: &File, at: u64, count: u64) -> io::Result<Vec<u64>> {
    let mut out = Vec::with_capacity(count as usize);
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    while done < count {
        let n = (count - done).min(buf.len() as u64 / 8) as usize;
        file.read_exact_at(&mut buf[..8 * n], at + 8 * done)?;
        out.extend(buf[..8 * n].chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))));
        done += n as u64;
    }
    Ok(out)
}

/// A segment's analyses, opened: everything but the signatures in memory,
/// a signature read from the file when asked for.
#[derive(Debug)]
pub struct Analyses {
    file: File,
    lanes: usize,
    bands: usize,
    flags: Vec<u8>,
    content: Vec<u64>,
    keys: Vec<u64>,
    frames: Vec<Frame>,
}

impl Analyses {
    /// Reads the analyses at `path`, checking that its parts fit the file.
    ///
    /// # Errors
    /// Reading failed, or the file is not a whole analyses file (the error
    /// says what is wrong; the caller names the file).
    pub fn open(path: &Path) -> io::Result<Analyses> {
        let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        if len < FOOTER as u64 {
            return Err(bad("shorter than its footer"));
        }
        let mut footer = [0u8; FOOTER];
        file.read_exact_at(&mut footer, len - FOOTER as u64)?;
        if &footer[..8] != MAGIC {
            return Err(bad("not a sada analyses file (no footer)"));
        }
        let u64_at = |i: usize| u64::from_le_bytes(footer[i..i + 8].try_into().expect("8 bytes"));
        let u32_at = |i: usize| u32::from_le_bytes(footer[i..i + 4].try_into().expect("4 bytes"));
        let (records, lanes, bands, frames) = (u64_at(8), u32_at(16) as u64, u32_at(20) as u64, u64_at(24));
        let (flags_at, content_at, keys_at, frames_at) = (u64_at(32), u64_at(40), u64_at(48), u64_at(56));
        let pad = (8 - records % 8) % 8;
        let expected = [
            (flags_at, records.checked_mul(4 * lanes)),
            (content_at, flags_at.checked_add(records + pad)),
            (keys_at, content_at.checked_add(8 * records)),
            (frames_at, records.checked_mul(8 * bands).and_then(|k| keys_at.checked_add(k))),
            (len - FOOTER as u64, frames.checked_mul(16).and_then(|f| frames_at.checked_add(f))),
        ];
        if expected.iter().any(|&(at, want)| Some(at) != want) {
            return Err(bad("its parts do not fit its size: the file is damaged or cut"));
        }
        let mut flags = vec![0u8; records as usize];
        file.read_exact_at(&mut flags, flags_at)?;
        let content = read_u64s(&file, content_at, records)?;
        let keys = read_u64s(&file, keys_at, records * bands)?;
        let frames: Vec<Frame> = read_u64s(&file, frames_at, 2 * frames)?
            .chunks_exact(2)
            .map(|p| Frame { offset: p[0], first: p[1] })
            .collect();
        if frames.windows(2).any(|w| w[0].first >= w[1].first || w[0].offset >= w[1].offset)
            || frames.first().is_some_and(|f| f.first != 0 || f.offset != 0)
            || (records > 0 && frames.is_empty())
        {
            return Err(bad("its frames are out of order"));
        }
        Ok(Analyses { file, lanes: lanes as usize, bands: bands as usize, flags, content, keys, frames })
    }

    /// Records analysed.
    pub fn len(&self) -> usize {
        self.flags.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.flags.is_empty()
    }

    /// Lanes per signature.
    pub fn lanes(&self) -> usize {
        self.lanes
    }

    /// Band keys per record.
    pub fn bands(&self) -> usize {
        self.bands
    }

    /// Record `i`'s exact-duplicate key (`None` for a record without words).
    pub fn content(&self, i: usize) -> Option<u64> {
        (self.flags[i] & HAS_CONTENT != 0).then_some(self.content[i])
    }

    /// Record `i`'s band keys (`None` without a signature).
    pub fn keys(&self, i: usize) -> Option<&[u64]> {
        (self.flags[i] & HAS_SIGNATURE != 0).then(|| &self.keys[i * self.bands..(i + 1) * self.bands])
    }

    /// Record `i`'s signature lanes, read from the file (`None` without one).
    ///
    /// # Errors
    /// Reading failed.
    pub fn lanes_of(&self, i: usize) -> io::Result<Option<Vec<u32>>> {
        if self.flags[i] & HAS_SIGNATURE == 0 {
            return Ok(None);
        }
        let mut bytes = vec![0u8; 4 * self.lanes];
        self.file.read_exact_at(&mut bytes, (i * 4 * self.lanes) as u64)?;
        Ok(Some(bytes.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))).collect()))
    }

    /// Every record's signature lanes in order (`None` without one), read a
    /// MiB of records at a time: for going through them all, as compaction
    /// does, without a read per record.
    ///
    /// # Errors
    /// Reading failed, or `f` did.
    pub fn for_each_lanes(&self, mut f: impl FnMut(usize, Option<&[u32]>) -> io::Result<()>) -> io::Result<()> {
        let per = (1 << 20) / (4 * self.lanes.max(1));
        let mut bytes = Vec::new();
        let mut lanes: Vec<u32> = Vec::new();
        for first in (0..self.len()).step_by(per.max(1)) {
            let n = per.max(1).min(self.len() - first);
            bytes.resize(4 * self.lanes * n, 0);
            self.file.read_exact_at(&mut bytes, (first * 4 * self.lanes) as u64)?;
            lanes.clear();
            lanes.extend(bytes.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))));
            for k in 0..n {
                let i = first + k;
                let sig = (self.flags[i] & HAS_SIGNATURE != 0).then(|| &lanes[k * self.lanes..(k + 1) * self.lanes]);
                f(i, sig)?;
            }
        }
        Ok(())
    }

    /// The segment's frames.
    pub fn frames(&self) -> &[Frame] {
        &self.frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyses_read_back_as_written_and_damage_is_refused() {
        let banding = Banding::Minhash { bands: 2, rows: 2 };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.ana");
        let mut w = AnalysisWriter::new(File::create(&path).unwrap(), 4, banding);
        w.push(Some(7), Some(&[1, 2, 3, 4])).unwrap();
        w.push(None, None).unwrap();
        w.push(Some(9), Some(&[5, 6, 7, 8])).unwrap();
        assert!(w.push(Some(1), Some(&[1])).is_err(), "a signature of the wrong width");
        let frames = [Frame { offset: 0, first: 0 }, Frame { offset: 100, first: 2 }];
        w.finish(&frames).unwrap();
        let a = Analyses::open(&path).unwrap();
        assert_eq!((a.len(), a.lanes(), a.bands()), (3, 4, 2));
        assert_eq!([a.content(0), a.content(1), a.content(2)], [Some(7), None, Some(9)]);
        assert_eq!(
            a.keys(0).unwrap(),
            &[banding.key_of_lanes(&[1, 2, 3, 4], 0), banding.key_of_lanes(&[1, 2, 3, 4], 1)]
        );
        assert_eq!(a.keys(1), None);
        assert_eq!(a.lanes_of(2).unwrap().unwrap(), vec![5, 6, 7, 8]);
        assert_eq!(a.lanes_of(1).unwrap(), None);
        let mut seen = Vec::new();
        a.for_each_lanes(|i, l| {
            seen.push((i, l.map(<[u32]>::to_vec)));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, [(0, Some(vec![1, 2, 3, 4])), (1, None), (2, Some(vec![5, 6, 7, 8]))]);
        assert_eq!(a.frames(), &frames);
        let bytes = std::fs::read(&path).unwrap();
        for cut in [0, 10, bytes.len() - 1] {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            assert!(Analyses::open(&path).is_err(), "cut at {cut}");
        }
        let mut shifted = bytes.clone();
        shifted.insert(0, 0);
        std::fs::write(&path, &shifted).unwrap();
        assert!(Analyses::open(&path).is_err(), "a byte too many");
    }
}
