//! What group works through, within a share of `--memory-limit`: the sides
//! of the pairwise passages and the candidate representatives they make.
//!
//! 1. [`Sides`] takes passages as align finds them and sorts their sides by
//!    document and words ([`Sorter`]: sorted runs on disk past its share).
//! 2. [`candidates`] walks the sorted sides one document at a time: the
//!    sides with the same words are one candidate; its support counts them
//!    and those of its same-text neighbours. The sides go to a [`Table`] in
//!    that order, and each candidate — its taking key, and where the sides
//!    of it and its neighbours lie in the table — to a second [`Sorter`].
//! 3. Group takes the candidates in key order and reads back each one's
//!    [`Neighbourhood`] by position.
//!
//! Memory is then the three shares, whatever the number of passages: a
//! syndicated crawl's millions of passages held as `Vec`s took `--memory-limit
//! 2G` past its limit. Within the shares nothing touches the disk.

use std::borrow::Cow;
use std::io;
use std::ops::Range;
use std::path::Path;

use super::Passage;
use crate::model::{DocId, WordRange};
use crate::spill::runs::Sorter;
use crate::spill::table::Table;
use crate::spill::{Record, u32_at};

/// Same-document candidates a candidate is compared with, on each side,
/// when counting its support: a document with thousands of passages does
/// not compare each with all the others.
pub const MAX_NEIGHBOURS: usize = 256;

/// One side of a pairwise passage: where it is, and where its partner is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Side {
    /// The document.
    pub doc: DocId,
    /// Its words.
    pub words: WordRange,
    /// The other document.
    pub partner: DocId,
    /// The other document's words.
    pub partner_words: WordRange,
}

impl Record for Side {
    const BYTES: usize = 24;

    fn put(&self, out: &mut Vec<u8>) {
        for x in [
            self.doc.0,
            self.words.start,
            self.words.end,
            self.partner.0,
            self.partner_words.start,
            self.partner_words.end,
        ] {
            out.extend_from_slice(&x.to_le_bytes());
        }
    }

    fn get(b: &[u8]) -> Side {
        let w = |i| u32_at(b, i);
        Side {
            doc: DocId(w(0)),
            words: WordRange { start: w(1), end: w(2) },
            partner: DocId(w(3)),
            partner_words: WordRange { start: w(4), end: w(5) },
        }
    }
}

/// The passages group reads, as align finds them: their sides sorted on
/// the way in, and the documents where alignment saw a text again.
pub struct Sides {
    sorter: Sorter<Side>,
    /// Per document: [`AGAIN`] and [`PRESENT`] bits.
    flags: Vec<u8>,
    passages: u64,
    /// Share of each of the three structures (sides sorted, sides by
    /// position, candidates sorted).
    budget: usize,
    dir: Option<std::path::PathBuf>,
}

/// A document of a passage that is a further copy ([`Passage::extra`]).
const AGAIN: u8 = 1;
/// A document with a side: a candidate's.
const PRESENT: u8 = 2;

impl Sides {
    /// Sides of passages over `docs` documents, whose sorting and reading
    /// back take at most `budget` bytes in memory, spilling to `dir` (the
    /// system's temporary directory if `None`) past it.
    pub fn new(docs: usize, budget: usize, dir: Option<&Path>) -> Sides {
        let budget = budget / 3;
        Sides {
            sorter: Sorter::new(budget, dir),
            flags: vec![0; docs],
            passages: 0,
            budget,
            dir: dir.map(Path::to_path_buf),
        }
    }

    /// Adds passages.
    ///
    /// # Errors
    /// Writing a sorted run failed.
    pub fn add(&mut self, passages: &[Passage]) -> io::Result<()> {
        for p in passages {
            let bit = if p.extra { AGAIN } else { PRESENT };
            self.flags[p.a.index()] |= bit;
            self.flags[p.b.index()] |= bit;
        }
        self.passages += passages.iter().filter(|p| !p.extra).count() as u64;
        self.sorter.extend(passages.iter().filter(|p| !p.extra).flat_map(|p| {
            let al = p.alignment;
            [
                Side { doc: p.a, words: al.a, partner: p.b, partner_words: al.b },
                Side { doc: p.b, words: al.b, partner: p.a, partner_words: al.a },
            ]
        }))
    }

    /// Passages added, further copies ([`Passage::extra`]) not counted.
    pub fn passages(&self) -> u64 {
        self.passages
    }

    /// The documents where alignment saw a text again, in order.
    pub fn again(&self) -> Vec<DocId> {
        self.docs_with(AGAIN)
    }

    /// The documents with a side, in order.
    pub fn present(&self) -> Vec<DocId> {
        self.docs_with(PRESENT)
    }

    fn docs_with(&self, bit: u8) -> Vec<DocId> {
        (0..self.flags.len()).filter(|&d| self.flags[d] & bit != 0).map(|d| DocId(d as u32)).collect()
    }
}

/// A candidate representative as group takes them: its taking key, then
/// where the sides of it and its neighbours are in the [`Table`].
///
/// Ordered by the key (`number` is unique): most supported first, then
/// earliest dated, longest, by id, by position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// `u32::MAX − support`.
    unsupport: u32,
    date_rank: u32,
    /// `u32::MAX − words`.
    shortness: u32,
    id_rank: u32,
    start: u32,
    /// Place in (document, words) order.
    number: u32,
    /// The document.
    pub doc: DocId,
    end: u32,
    /// The sides of the candidates from its first neighbour to its last,
    /// itself included, in the table.
    window: (u64, u64),
}

impl Candidate {
    /// Its words.
    pub fn words(&self) -> WordRange {
        WordRange { start: self.start, end: self.end }
    }
}

impl Record for Candidate {
    const BYTES: usize = 48;

    fn put(&self, out: &mut Vec<u8>) {
        let c = self;
        for x in [c.unsupport, c.date_rank, c.shortness, c.id_rank, c.start, c.number, c.doc.0, c.end] {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out.extend_from_slice(&c.window.0.to_le_bytes());
        out.extend_from_slice(&c.window.1.to_le_bytes());
    }

    fn get(b: &[u8]) -> Candidate {
        let w = |i| u32_at(b, i);
        let u64_at = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
        Candidate {
            unsupport: w(0),
            date_rank: w(1),
            shortness: w(2),
            id_rank: w(3),
            start: w(4),
            number: w(5),
            doc: DocId(w(6)),
            end: w(7),
            window: (u64_at(32), u64_at(40)),
        }
    }
}

/// Every candidate, to be taken in order, and the sides they read back.
pub struct Candidates {
    /// Candidates in taking order.
    pub order: Sorter<Candidate>,
    /// Sides in (document, words) order.
    pub sides: Table<Side>,
    /// Bytes the sides' sort spilled.
    pub sorted_spill: u64,
}

impl Candidates {
    /// Bytes moved to disk by the three structures.
    pub fn spilled_bytes(&self) -> u64 {
        self.sorted_spill + self.order.spilled_bytes() + self.sides.spilled_bytes()
    }
}

/// The candidates of `sides`, with the dense ranks by date and by id of
/// their documents (`date_rank`, `id_rank`, indexed by document).
///
/// # Errors
/// Spilling or reading back failed.
pub fn candidates(sides: Sides, date_rank: &[u32], id_rank: &[u32]) -> io::Result<Candidates> {
    let Sides { sorter, budget, dir, .. } = sides;
    let sorted_spill = sorter.spilled_bytes();
    let mut order = Sorter::new(budget, dir.as_deref());
    let mut number = 0u32;
    let mut block_candidates = |block: &[Side], base: u64, order: &mut Sorter<Candidate>| {
        let cands = chunk(block);
        // Support: the candidate's sides and its neighbours'; the window:
        // from its first neighbour to its last.
        let mut support: Vec<u32> = cands.iter().map(|c| c.1.len() as u32).collect();
        let mut window: Vec<(usize, usize)> = (0..cands.len()).map(|i| (i, i)).collect();
        for i in 0..cands.len() {
            for j in i + 1..cands.len().min(i + 1 + MAX_NEIGHBOURS) {
                if cands[j].0.start >= cands[i].0.end {
                    break;
                }
                if same_text(cands[i].0, cands[j].0) {
                    support[i] += cands[j].1.len() as u32;
                    support[j] += cands[i].1.len() as u32;
                    window[i].1 = j;
                    window[j].0 = window[j].0.min(i);
                }
            }
        }
        let doc = block[0].doc;
        let d = doc.index();
        order.extend(cands.iter().enumerate().map(|(i, &(words, _))| {
            let (lo, hi) = (cands[window[i].0].1.start, cands[window[i].1].1.end);
            number += 1;
            Candidate {
                unsupport: u32::MAX - support[i],
                date_rank: date_rank[d],
                shortness: u32::MAX - words.len(),
                id_rank: id_rank[d],
                start: words.start,
                number: number - 1,
                doc,
                end: words.end,
                window: (base + lo as u64, base + hi as u64),
            }
        }))
    };
    let sides = match sorter.into_memory() {
        // Never spilled: the sorted sides are the table, not copied into it
        // (a second copy of every side was the peak of a syndicated crawl).
        Ok(mut all) => {
            all.dedup();
            let mut base = 0;
            for block in all.chunk_by(|x, y| x.doc == y.doc) {
                block_candidates(block, base, &mut order)?;
                base += block.len() as u64;
            }
            Table::of(all)
        }
        Err(sorter) => {
            let mut table = Table::new(budget, dir.as_deref());
            let mut block: Vec<Side> = Vec::new();
            let mut flush = |block: &mut Vec<Side>, table: &mut Table<Side>| -> io::Result<()> {
                if !block.is_empty() {
                    block_candidates(block, table.len(), &mut order)?;
                    table.extend(block)?;
                    block.clear();
                }
                Ok(())
            };
            for side in sorter.sorted()? {
                let side = side?;
                if block.last().is_some_and(|s| s.doc != side.doc) {
                    flush(&mut block, &mut table)?;
                }
                if block.last() != Some(&side) {
                    block.push(side);
                }
            }
            flush(&mut block, &mut table)?;
            table.finish()?;
            table
        }
    };
    Ok(Candidates { order, sides, sorted_spill })
}

/// One document's sorted sides as candidates: the words of each and its
/// sides' range in `block`.
fn chunk(block: &[Side]) -> Vec<(WordRange, Range<usize>)> {
    let mut out = Vec::new();
    let mut at = 0;
    for c in block.chunk_by(|x, y| x.words == y.words) {
        out.push((c[0].words, at..at + c.len()));
        at += c.len();
    }
    out
}

/// A candidate's sides and its same-text neighbours', read back.
pub struct Neighbourhood<'a> {
    /// Borrowed from the table while it is in memory: no copy per candidate.
    sides: Cow<'a, [Side]>,
    /// The candidate's and its neighbours': words and sides in `sides`.
    members: Vec<(WordRange, Range<usize>)>,
}

impl<'a> Neighbourhood<'a> {
    /// The sides of `c` and of its neighbours, from `table`.
    ///
    /// # Errors
    /// Reading the table failed.
    pub fn of(c: &Candidate, table: &'a Table<Side>) -> io::Result<Neighbourhood<'a>> {
        let sides = table.read(c.window.0..c.window.1)?;
        // The window spans its neighbours only, all within MAX_NEIGHBOURS
        // of it: a same text there (the candidate itself included) is a
        // neighbour.
        let members: Vec<(WordRange, Range<usize>)> =
            chunk(&sides).into_iter().filter(|x| same_text(x.0, c.words())).collect();
        debug_assert!(members.iter().any(|x| x.0 == c.words()), "a candidate's window holds it");
        Ok(Neighbourhood { sides, members })
    }

    /// Every side of the candidate and its neighbours, each with the words
    /// of the candidate it belongs to.
    pub fn sides(&self) -> impl Iterator<Item = (&Side, WordRange)> {
        self.members.iter().flat_map(|(w, r)| self.sides[r.clone()].iter().map(move |s| (s, *w)))
    }
}

/// Two word ranges of one document are the same text when they overlap by
/// at least half of the *longer* one. Half of the shorter would let a passage
/// covering a whole reprinted article swallow every quote inside it.
pub fn same_text(x: WordRange, y: WordRange) -> bool {
    let overlap = x.overlap(y);
    let longer = x.len().max(y.len());
    overlap > 0 && 2 * overlap >= longer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(doc: u32, s: u32, e: u32, partner: u32) -> Side {
        Side {
            doc: DocId(doc),
            words: WordRange::new(s, e),
            partner: DocId(partner),
            partner_words: WordRange::new(s + 1, e + 1),
        }
    }

    #[test]
    fn records_read_back_as_written() {
        let s = side(7, 10, 40, 9);
        let mut b = Vec::new();
        s.put(&mut b);
        assert_eq!(b.len(), Side::BYTES);
        assert_eq!(Side::get(&b), s);
        let c = Candidate {
            unsupport: 1,
            date_rank: 2,
            shortness: 3,
            id_rank: 4,
            start: 5,
            number: 6,
            doc: DocId(7),
            end: 8,
            window: (9, u64::MAX - 1),
        };
        let mut b = Vec::new();
        c.put(&mut b);
        assert_eq!(b.len(), Candidate::BYTES);
        assert_eq!(Candidate::get(&b), c);
    }

    /// The same candidates, supports and neighbourhoods whether the three
    /// structures stay in memory or spill at every record.
    #[test]
    fn spilled_candidates_are_the_candidates_in_memory() {
        let run = |budget: usize| {
            let dir = tempfile::tempdir().unwrap();
            let mut sides = Sides::new(4, budget, Some(dir.path()));
            let mut passages = Vec::new();
            // Document 0 holds a text at 10..40 found by three partners at
            // slightly different bounds, and a different text at 100..130.
            for (p, (s, e)) in [(1, (10, 40)), (2, (12, 40)), (3, (10, 38)), (1, (100, 130))] {
                passages.push(Passage {
                    a: DocId(0),
                    b: DocId(p),
                    alignment: super::super::Alignment {
                        a: WordRange::new(s, e),
                        b: WordRange::new(s, e),
                        matched: e - s,
                    },
                    extra: p == 3 && s == 100,
                });
            }
            sides.add(&passages).unwrap();
            assert_eq!(sides.passages(), 4);
            let c = candidates(sides, &[0; 4], &[0, 1, 2, 3]).unwrap();
            let table = c.sides;
            let mut out = Vec::new();
            for cand in c.order.sorted().unwrap() {
                let cand = cand.unwrap();
                let n = Neighbourhood::of(&cand, &table).unwrap();
                let mut got: Vec<(u32, WordRange, WordRange)> =
                    n.sides().map(|(s, w)| (s.partner.0, s.partner_words, w)).collect();
                got.sort_unstable();
                out.push((cand.doc, cand.words(), u32::MAX - cand.unsupport, got));
            }
            out
        };
        let mem = run(usize::MAX);
        assert_eq!(run(0), mem);
        // The most supported: document 0's text at 10..40 (its own side and
        // two neighbours'), read back with all three partners.
        let (doc, words, support, got) = &mem[0];
        assert_eq!((*doc, *words, *support), (DocId(0), WordRange::new(10, 40), 3));
        assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), vec![1, 2, 3]);
        // Every side is a candidate of its own: 4 passages, 8 sides.
        assert_eq!(mem.len(), 8);
    }
}
