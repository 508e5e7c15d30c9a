//! The archive's leader order (`order-N.bin`): every archived record's
//! [`Key`], sorted as a scan orders documents to choose the leader of each
//! anchor (dated first, by date, then by id, then by number). A scan of the
//! archive with today's records needs the rank of every document in that
//! order; with this file it gets them by one streaming merge of the
//! archive's keys with today's ([`merge`]), never holding the archive's keys
//! (ids are URLs, long) in memory, and `sada index add` writes the merged
//! order, in the same pass, as the next archive's file.
//!
//! Layout, little-endian: the magic `SADAORD1`, the count (`u64`), then per
//! key, in order: flags (`u8`, bit 0: has a date), when dated the date's
//! length (`u16`) and its UTF-8 bytes, the id's length (`u32`) and its UTF-8
//! bytes, the document number (`u32`). Records are of varying length, so the
//! file is read front to back only; its keys are strictly increasing (no two
//! documents share a number) and their numbers are exactly `0..count`.

use std::cmp::Ordering;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;

use crate::model::Document;

const MAGIC: &[u8; 8] = b"SADAORD1";
/// Magic and count.
const HEADER: u64 = 16;
/// The fewest bytes a key takes (flags, id length, number): bounds the count
/// a header may claim, so a damaged header cannot make [`merge`] allocate
/// ranks for billions of documents.
const MIN_RECORD: u64 = 1 + 4 + 4;
/// Flag bit: the key has a date.
const DATED: u8 = 1;

/// A document's place in the leader order: dated first, by date (ISO text),
/// then by id, then by number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    /// The document's date (ISO text, compared as a plain string).
    pub date: Option<String>,
    /// The document's id.
    pub id: String,
    /// The document's number: across the archive's segments, then today's.
    pub doc: u32,
}

impl Ord for Key {
    /// `(date.is_none(), date, id, doc)`, exactly the pipeline's tuple for
    /// leaders of anchors: the ranks a merge gives must be the ranks a scan
    /// of all the documents together would.
    fn cmp(&self, other: &Self) -> Ordering {
        fn tuple(k: &Key) -> (bool, Option<&str>, &str, u32) {
            (k.date.is_none(), k.date.as_deref(), k.id.as_str(), k.doc)
        }
        tuple(self).cmp(&tuple(other))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The keys of `docs` numbered from `first`, sorted.
pub fn keys(docs: &[Document], first: u32) -> Vec<Key> {
    let mut keys: Vec<Key> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| Key { date: d.meta.date.clone(), id: d.meta.id.clone(), doc: first + i as u32 })
        .collect();
    keys.sort();
    keys
}

/// Writes `keys` (sorted) to `file`; returns it flushed (the caller fsyncs).
///
/// # Errors
/// Writing failed; [`io::ErrorKind::InvalidInput`] when `keys` are not
/// strictly increasing, do not number exactly `0..keys.len()` each once, or
/// a date is longer than 65535 bytes (a file [`merge`] would refuse is never
/// written).
pub fn write(file: File, keys: &[Key]) -> io::Result<File> {
    let mut seen = vec![false; keys.len()];
    for (i, key) in keys.iter().enumerate() {
        if i > 0 && keys[i - 1] >= *key {
            return Err(invalid_input("the keys are not sorted"));
        }
        match seen.get_mut(key.doc as usize) {
            Some(s) if !*s => *s = true,
            _ => return Err(invalid_input("the keys do not number their documents 0..n each once")),
        }
    }
    let mut out = BufWriter::with_capacity(1 << 20, file);
    out.write_all(MAGIC)?;
    out.write_all(&(keys.len() as u64).to_le_bytes())?;
    for key in keys {
        put(&mut out, key)?;
    }
    out.into_inner().map_err(io::IntoInnerError::into_error)
}

/// Merges the sorted keys of the order file at `path` (the archive's, docs
/// `0..archived`) with `new` (today's keys, sorted, docs `>= archived`) in
/// one streaming pass: returns the rank (0-based position in the merged
/// order) of every document, indexed by doc number (archived docs first,
/// then the new ones, so the Vec has `archived + new.len()` entries); when
/// `out` is given, the merged order is written there as well (the next
/// archive's order file) and returned flushed (the caller fsyncs).
///
/// Only the ranks and one key of the file at a time are in memory.
///
/// # Errors
/// Reading or writing failed; [`io::ErrorKind::InvalidData`] if the file is
/// damaged, cut, not sorted, or does not hold exactly docs `0..n` each once
/// (`n` read from its header); [`io::ErrorKind::InvalidInput`] if `new` is
/// not strictly increasing, does not number exactly `n..n + new.len()` each
/// once, or the documents together are more than `u32` numbers.
pub fn merge(path: &Path, new: &[Key], out: Option<File>) -> io::Result<(Vec<u32>, Option<File>)> {
    let mut reader = Reader::open(path)?;
    let archived = reader.left;
    let total = archived
        .checked_add(new.len() as u64)
        .filter(|&t| t <= u64::from(u32::MAX))
        .ok_or_else(|| invalid_input("the archive's and today's documents together are too many to number"))?;
    for (i, key) in new.iter().enumerate() {
        if i > 0 && new[i - 1] >= *key {
            return Err(invalid_input("today's keys are not sorted"));
        }
        if u64::from(key.doc) < archived || u64::from(key.doc) >= total {
            return Err(invalid_input("today's keys do not number their documents after the archive's"));
        }
    }
    // `UNSET` is never a rank (there are at most u32::MAX documents), so
    // it marks a number not met yet: a number met twice is refused, and
    // `archived + new.len()` numbers within range met once each are all.
    const UNSET: u32 = u32::MAX;
    let mut ranks = vec![UNSET; total as usize];
    let mut out = match out {
        Some(file) => {
            let mut w = BufWriter::with_capacity(1 << 20, file);
            w.write_all(MAGIC)?;
            w.write_all(&total.to_le_bytes())?;
            Some(w)
        }
        None => None,
    };
    let mut stored = Key { date: None, id: String::new(), doc: 0 };
    let mut previous = Key { date: None, id: String::new(), doc: 0 };
    let mut have = reader.next_into(&mut stored)?;
    let mut new = new.iter().peekable();
    let mut rank = 0u32;
    loop {
        let from_file = match (have, new.peek()) {
            (false, None) => break,
            (true, None) => true,
            (false, Some(_)) => false,
            (true, Some(&n)) => stored < *n,
        };
        let key = if from_file {
            if reader.read > 1 && previous >= stored {
                return Err(invalid_data("its keys are not sorted: the file is damaged"));
            }
            match ranks.get_mut(stored.doc as usize) {
                Some(r) if u64::from(stored.doc) < archived && *r == UNSET => *r = rank,
                _ => {
                    return Err(invalid_data("it does not number its documents 0..n each once: the file is damaged"));
                }
            }
            &stored
        } else {
            let n = new.next().expect("peeked");
            let r = &mut ranks[n.doc as usize];
            if *r != UNSET {
                return Err(invalid_input("today's keys number a document twice"));
            }
            *r = rank;
            n
        };
        if let Some(w) = out.as_mut() {
            put(w, key)?;
        }
        rank += 1;
        if from_file {
            std::mem::swap(&mut previous, &mut stored);
            have = reader.next_into(&mut stored)?;
        }
    }
    reader.finish()?;
    debug_assert!(ranks.iter().all(|&r| r != UNSET), "every number met once");
    let out = out.map(|w| w.into_inner().map_err(io::IntoInnerError::into_error)).transpose()?;
    Ok((ranks, out))
}

/// The number of documents the order file at `path` holds (from its
/// header): what the tests check a merge by.
///
/// # Errors
/// Reading failed; [`io::ErrorKind::InvalidData`] if the file is not an
/// order file or its header claims more keys than its size can hold.
#[cfg(test)]
fn documents(path: &Path) -> io::Result<u32> {
    let left = Reader::open(path)?.left;
    u32::try_from(left).map_err(|_| invalid_data("its count is more than documents are numbered: the file is damaged"))
}

/// Appends one key's record.
fn put(out: &mut impl Write, key: &Key) -> io::Result<()> {
    match &key.date {
        Some(date) => {
            let len = u16::try_from(date.len()).map_err(|_| invalid_input("a date is longer than 65535 bytes"))?;
            out.write_all(&[DATED])?;
            out.write_all(&len.to_le_bytes())?;
            out.write_all(date.as_bytes())?;
        }
        None => out.write_all(&[0])?,
    }
    let len = u32::try_from(key.id.len()).map_err(|_| invalid_input("an id is longer than 4 GiB"))?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(key.id.as_bytes())?;
    out.write_all(&key.doc.to_le_bytes())
}

/// An order file read front to back, one key at a time.
struct Reader {
    inner: BufReader<File>,
    /// Keys not read yet.
    left: u64,
    /// Keys read so far.
    read: u64,
    /// Bytes of the file not read yet: lengths past them are a cut file,
    /// refused before anything is allocated for them.
    bytes: u64,
}

impl Reader {
    /// Opens the file and checks its header.
    fn open(path: &Path) -> io::Result<Reader> {
        let file = File::open(path)?;
        let size = file.metadata()?.len();
        let mut inner = BufReader::with_capacity(1 << 20, file);
        let mut header = [0u8; HEADER as usize];
        if size < HEADER {
            return Err(invalid_data("not a sada order file (too short for its header)"));
        }
        inner.read_exact(&mut header)?;
        if &header[..8] != MAGIC {
            return Err(invalid_data("not a sada order file"));
        }
        let left = u64::from_le_bytes(header[8..].try_into().expect("8 bytes"));
        let bytes = size - HEADER;
        if left.checked_mul(MIN_RECORD).is_none_or(|b| b > bytes) {
            return Err(invalid_data("its count does not fit its size: the file is damaged or cut"));
        }
        Ok(Reader { inner, left, read: 0, bytes })
    }

    /// Reads the next key into `key` (reusing its strings' buffers);
    /// `false` when all the header's keys were read.
    fn next_into(&mut self, key: &mut Key) -> io::Result<bool> {
        if self.left == 0 {
            return Ok(false);
        }
        let mut flags = [0u8];
        self.exact(&mut flags)?;
        key.date = match flags[0] {
            0 => None,
            DATED => {
                let mut len = [0u8; 2];
                self.exact(&mut len)?;
                let date = key.date.take().unwrap_or_default();
                Some(self.string(date, u64::from(u16::from_le_bytes(len)), "a date")?)
            }
            _ => return Err(invalid_data("a key has unknown flags: the file is damaged")),
        };
        let mut len = [0u8; 4];
        self.exact(&mut len)?;
        key.id = self.string(std::mem::take(&mut key.id), u64::from(u32::from_le_bytes(len)), "an id")?;
        let mut doc = [0u8; 4];
        self.exact(&mut doc)?;
        key.doc = u32::from_le_bytes(doc);
        self.left -= 1;
        self.read += 1;
        Ok(true)
    }

    /// Checks that the file ends where its last key does.
    fn finish(self) -> io::Result<()> {
        if self.bytes != 0 {
            return Err(invalid_data("it has bytes after its last key: the file is damaged"));
        }
        Ok(())
    }

    /// Reads `buf.len()` bytes, refusing a file cut short.
    fn exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.consume(buf.len() as u64)?;
        self.inner.read_exact(buf).map_err(cut_if_eof)
    }

    /// Reads `len` bytes of UTF-8 into `s`'s buffer.
    fn string(&mut self, s: String, len: u64, what: &str) -> io::Result<String> {
        self.consume(len)?;
        let mut buf = s.into_bytes();
        buf.clear();
        buf.resize(len as usize, 0);
        self.inner.read_exact(&mut buf).map_err(cut_if_eof)?;
        String::from_utf8(buf).map_err(|_| invalid_data(&format!("{what} is not UTF-8: the file is damaged")))
    }

    /// Counts `len` bytes as read, refusing more than the file has left.
    fn consume(&mut self, len: u64) -> io::Result<()> {
        self.bytes = self.bytes.checked_sub(len).ok_or_else(cut)?;
        Ok(())
    }
}

fn cut() -> io::Error {
    invalid_data("it ends inside a key: the file is damaged or cut")
}

/// A file that ends early (shrunk while read) is cut, like one whose size
/// says so.
fn cut_if_eof(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::UnexpectedEof { cut() } else { e }
}

fn invalid_data(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("order file: {what}"))
}

fn invalid_input(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(date: Option<&str>, id: &str, doc: u32) -> Key {
        Key { date: date.map(str::to_string), id: id.to_string(), doc }
    }

    /// The ranks a scan of all the keys together gives: the pipeline's sort.
    fn ranks_by_sorting(keys: &[Key]) -> Vec<u32> {
        let mut by_rank: Vec<&Key> = keys.iter().collect();
        by_rank.sort_by(|x, y| {
            let tuple = |k: &Key| (k.date.is_none(), k.date.clone(), k.id.clone(), k.doc);
            tuple(x).cmp(&tuple(y))
        });
        let mut rank = vec![0u32; keys.len()];
        for (r, k) in by_rank.iter().enumerate() {
            rank[k.doc as usize] = r as u32;
        }
        rank
    }

    /// A small deterministic generator (xorshift).
    struct Rng(u64);

    impl Rng {
        fn next_u64(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next_u64() % n as u64) as usize
        }

        fn shuffle<T>(&mut self, v: &mut [T]) {
            for i in (1..v.len()).rev() {
                v.swap(i, self.below(i + 1));
            }
        }
    }

    /// Keys numbered `from..from + n` in random order, with dates and ids
    /// drawn from small sets (so that many are equal) and long or non-ASCII
    /// ids among them.
    fn random_keys(rng: &mut Rng, from: u32, n: u32) -> Vec<Key> {
        const DATES: [Option<&str>; 6] =
            [None, Some("2024-01-02"), Some("2024-01"), Some("2023-12-31"), Some(""), None];
        let long = format!("https://example.org/{}", "a".repeat(300));
        let ids = ["a", "b", "ab", "", "é", "日本", "https://example.org/x?y=1", long.as_str()];
        let mut docs: Vec<u32> = (from..from + n).collect();
        rng.shuffle(&mut docs);
        let mut keys: Vec<Key> =
            docs.into_iter().map(|doc| key(DATES[rng.below(DATES.len())], ids[rng.below(ids.len())], doc)).collect();
        keys.sort();
        keys
    }

    fn write_to(path: &Path, keys: &[Key]) {
        write(File::create(path).unwrap(), keys).unwrap();
    }

    fn kind<T: std::fmt::Debug>(r: io::Result<T>) -> io::ErrorKind {
        r.unwrap_err().kind()
    }

    #[test]
    fn key_order_is_the_pipelines_tuple_order() {
        let cases = [
            // Undated after dated, whatever the ids and numbers.
            (key(Some("2030-01-01"), "z", 9), key(None, "a", 0)),
            // Equal dates: by id.
            (key(Some("2024-01-01"), "a", 5), key(Some("2024-01-01"), "b", 1)),
            // Equal date and id: by number.
            (key(Some("2024-01-01"), "a", 1), key(Some("2024-01-01"), "a", 2)),
            (key(None, "a", 1), key(None, "a", 2)),
            // Undated: by id, then number.
            (key(None, "a", 7), key(None, "b", 3)),
            // A date that is a prefix of another comes first.
            (key(Some("2024-01"), "z", 9), key(Some("2024-01-02"), "a", 0)),
            (key(Some(""), "z", 9), key(Some("2024"), "a", 0)),
            // Plain strings: bytes, not lengths or numbers.
            (key(Some("2024-10-01"), "a", 0), key(Some("2024-9-01"), "a", 0)),
            (key(Some("2024-01-01"), "Z", 0), key(Some("2024-01-01"), "a", 0)),
            (key(None, "z", 0), key(None, "é", 0)),
        ];
        for (lo, hi) in &cases {
            assert_eq!(lo.cmp(hi), Ordering::Less, "{lo:?} < {hi:?}");
            assert_eq!(hi.cmp(lo), Ordering::Greater, "{hi:?} > {lo:?}");
            assert_eq!(lo.partial_cmp(hi), Some(Ordering::Less));
            assert_eq!(lo.cmp(lo), Ordering::Equal);
        }
        // Against the pipeline's sort of the same keys.
        let mut keys: Vec<Key> = cases.iter().flat_map(|(a, b)| [a.clone(), b.clone()]).collect();
        for (doc, k) in keys.iter_mut().enumerate() {
            k.doc = doc as u32;
        }
        let want = ranks_by_sorting(&keys);
        let mut sorted = keys.clone();
        sorted.sort();
        for (r, k) in sorted.iter().enumerate() {
            assert_eq!(want[k.doc as usize], r as u32);
        }
    }

    #[test]
    fn merging_nothing_gives_the_files_positions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("order");
        let keys = random_keys(&mut Rng(7), 0, 200);
        write_to(&path, &keys);
        assert_eq!(documents(&path).unwrap(), 200);
        let (ranks, out) = merge(&path, &[], None).unwrap();
        assert!(out.is_none());
        assert_eq!(ranks.len(), 200);
        for (position, k) in keys.iter().enumerate() {
            assert_eq!(ranks[k.doc as usize], position as u32);
        }
    }

    #[test]
    fn merging_new_keys_gives_the_ranks_of_sorting_all_and_writes_the_merged_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for (archived, today) in [(0, 0), (1, 0), (0, 1), (1, 1), (50, 3), (3, 50), (300, 200)] {
            let old = random_keys(&mut rng, 0, archived);
            let new = random_keys(&mut rng, archived, today);
            let path = dir.path().join("order");
            write_to(&path, &old);
            let all: Vec<Key> = old.iter().chain(&new).cloned().collect();
            let want = ranks_by_sorting(&all);

            let merged_path = dir.path().join("merged");
            let (ranks, out) = merge(&path, &new, Some(File::create(&merged_path).unwrap())).unwrap();
            assert_eq!(ranks, want, "{archived} archived, {today} new");
            drop(out.expect("written"));

            // The merged file is the next archive's: merged with nothing, the
            // same ranks; it is also what writing all the keys sorted gives.
            assert_eq!(documents(&merged_path).unwrap(), archived + today);
            assert_eq!(merge(&merged_path, &[], None).unwrap().0, want);
            let mut sorted = all.clone();
            sorted.sort();
            let direct = dir.path().join("direct");
            write_to(&direct, &sorted);
            assert_eq!(std::fs::read(&direct).unwrap(), std::fs::read(&merged_path).unwrap());
        }
    }

    #[test]
    fn an_empty_archive_ranks_todays_keys_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("order");
        write_to(&path, &[]);
        assert_eq!(documents(&path).unwrap(), 0);
        assert_eq!(merge(&path, &[], None).unwrap().0, Vec::<u32>::new());
        let new = random_keys(&mut Rng(3), 0, 40);
        let merged = dir.path().join("merged");
        let (ranks, _) = merge(&path, &new, Some(File::create(&merged).unwrap())).unwrap();
        assert_eq!(ranks, ranks_by_sorting(&new));
        assert_eq!(merge(&merged, &[], None).unwrap().0, ranks);
    }

    #[test]
    fn a_cut_or_foreign_file_is_invalid_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("order");
        let keys = random_keys(&mut Rng(11), 0, 5);
        write_to(&path, &keys);
        let bytes = std::fs::read(&path).unwrap();
        let new = random_keys(&mut Rng(12), 5, 3);
        for len in 0..bytes.len() {
            std::fs::write(&path, &bytes[..len]).unwrap();
            assert_eq!(kind(merge(&path, &[], None)), io::ErrorKind::InvalidData, "cut at {len}");
            assert_eq!(kind(merge(&path, &new, None)), io::ErrorKind::InvalidData, "cut at {len}");
        }
        // A byte more than the keys.
        let mut longer = bytes.clone();
        longer.push(0);
        std::fs::write(&path, &longer).unwrap();
        assert_eq!(kind(merge(&path, &[], None)), io::ErrorKind::InvalidData);
        // Another file, and another sada file of the same size.
        std::fs::write(&path, b"{\"id\": \"a\", \"text\": \"not an order file\"}\n").unwrap();
        assert_eq!(kind(merge(&path, &[], None)), io::ErrorKind::InvalidData);
        assert_eq!(kind(documents(&path)), io::ErrorKind::InvalidData);
        let mut foreign = bytes.clone();
        foreign[..8].copy_from_slice(b"SADAEDG1");
        std::fs::write(&path, &foreign).unwrap();
        assert_eq!(kind(merge(&path, &[], None)), io::ErrorKind::InvalidData);
        assert_eq!(kind(documents(&path)), io::ErrorKind::InvalidData);
        // A header claiming more keys than the file can hold.
        let mut claims = bytes.clone();
        claims[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
        std::fs::write(&path, &claims).unwrap();
        assert_eq!(kind(merge(&path, &[], None)), io::ErrorKind::InvalidData);
        assert_eq!(kind(documents(&path)), io::ErrorKind::InvalidData);
    }

    /// A file of `keys` as given, unchecked.
    fn write_raw(path: &Path, count: u64, keys: &[Key]) {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&count.to_le_bytes());
        for k in keys {
            put(&mut bytes, k).unwrap();
        }
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn a_file_unsorted_or_misnumbered_is_invalid_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("order");
        let (a, b, c) = (key(Some("2024"), "a", 0), key(Some("2024"), "b", 1), key(None, "a", 2));
        let cases = [
            // Unsorted.
            vec![b.clone(), a.clone(), c.clone()],
            vec![c.clone(), a.clone(), b.clone()],
            // A key twice.
            vec![a.clone(), a.clone(), b.clone()],
            // A number twice, or past the count.
            vec![a.clone(), key(Some("2024"), "b", 0), c.clone()],
            vec![a.clone(), b.clone(), key(None, "a", 3)],
        ];
        for keys in &cases {
            write_raw(&path, 3, keys);
            assert_eq!(kind(merge(&path, &[], None)), io::ErrorKind::InvalidData, "{keys:?}");
            assert_eq!(kind(merge(&path, &[key(Some("2025"), "x", 3)], None)), io::ErrorKind::InvalidData);
        }
        // Unknown flags; an id that is not UTF-8.
        write_raw(&path, 1, std::slice::from_ref(&a));
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[16] = 2;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(kind(merge(&path, &[], None)), io::ErrorKind::InvalidData);
        write_raw(&path, 1, &[key(None, "é", 0)]);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[21] = 0xff;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(kind(merge(&path, &[], None)), io::ErrorKind::InvalidData);
        // The good file is read.
        write_raw(&path, 3, &[a, b, c]);
        assert_eq!(merge(&path, &[], None).unwrap().0, vec![0, 1, 2]);
    }

    #[test]
    fn keys_that_break_the_contract_are_invalid_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("order");
        let (a, b) = (key(None, "a", 0), key(None, "b", 1));
        assert_eq!(kind(write(File::create(&path).unwrap(), &[b.clone(), a.clone()])), io::ErrorKind::InvalidInput);
        assert_eq!(
            kind(write(File::create(&path).unwrap(), &[a.clone(), key(None, "b", 2)])),
            io::ErrorKind::InvalidInput
        );
        let long = key(Some(&"9".repeat(70_000)), "a", 0);
        assert_eq!(kind(write(File::create(&path).unwrap(), &[long])), io::ErrorKind::InvalidInput);
        write_to(&path, &[a, b]);
        // Unsorted, numbered among the archive's, past the end, twice.
        for new in [
            vec![key(None, "d", 3), key(None, "c", 2)],
            vec![key(None, "c", 1)],
            vec![key(None, "c", 3)],
            vec![key(None, "c", 2), key(None, "d", 2)],
        ] {
            assert_eq!(kind(merge(&path, &new, None)), io::ErrorKind::InvalidInput, "{new:?}");
        }
    }
}
