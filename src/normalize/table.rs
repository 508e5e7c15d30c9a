//! The per-character tables of the fast path: [`classify`] precomputed for
//! ASCII, the Arabic block and the two blocks of punctuation news text draws
//! on, packed small enough to stay in L1, plus the byte-pair and byte tables
//! the word loops of `scan` read several letters at a time with.

use super::arabic::{Fold, classify};

/// What a table entry says a character does; see [`Fold`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub(super) enum Kind {
    Char = 0,
    Mark = 1,
    Control = 2,
    Separator = 3,
    Complex = 4,
}

/// [`classify`] precomputed for one character, packed in a `u32` so the
/// tables of entries stay small (2.4 KiB, in L1): the folded character's code point in
/// the low 24 bits and the [`Kind`] above them. [`Kind::Char`] is 0, so "is a
/// letter" is `entry >> KIND_SHIFT == 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Entry(u32);

const KIND_SHIFT: u32 = 24;

impl Entry {
    pub(super) fn of(c: char) -> Entry {
        let (kind, folded) = match classify(c) {
            Fold::Char(f) => (Kind::Char, f),
            Fold::Mark => (Kind::Mark, c),
            Fold::Control => (Kind::Control, c),
            Fold::Separator => (Kind::Separator, c),
            Fold::Complex => (Kind::Complex, c),
        };
        Entry(folded as u32 | (kind as u32) << KIND_SHIFT)
    }

    #[inline]
    fn is_char(self) -> bool {
        self.0 >> KIND_SHIFT == Kind::Char as u32
    }

    #[inline]
    pub(super) fn kind(self) -> Kind {
        match self.0 >> KIND_SHIFT {
            0 => Kind::Char,
            1 => Kind::Mark,
            2 => Kind::Control,
            3 => Kind::Separator,
            _ => Kind::Complex,
        }
    }

    /// The folded character of a [`Kind::Char`] entry.
    #[inline]
    pub(super) fn code(self) -> u32 {
        self.0 & ((1 << KIND_SHIFT) - 1)
    }
}

/// Entries for ASCII and for the Arabic block U+0600–U+06FF.
pub(super) struct Tables {
    pub(super) ascii: [Entry; 128],
    pub(super) arabic: [Entry; 256],
    /// The folded code of the Arabic letter whose two UTF-8 bytes, read as
    /// a little-endian `u16`, index it; zero for every other pair of bytes
    /// (not a lead byte 0xD8–0xDB and a continuation byte, or not a letter).
    /// One lookup both tells a letter and folds it, with no test of the lead
    /// byte first: 128 KiB, of which the letters use 2.
    pub(super) letter_pairs: Box<[u16; 1 << 16]>,
    /// The folded code of every ASCII letter or digit, zero for any other
    /// byte: what `scan::Ascii` reads.
    pub(super) ascii_letters: [u16; 256],
    /// The ASCII bytes that separate words (the rest are false).
    pub(super) separator_byte: [bool; 256],
    /// U+0080–U+00FF: the no-break space and the guillemets of Arabic news.
    latin1: [Entry; 128],
    /// U+2000–U+206F: spaces, quotation marks, joiners and direction marks.
    punctuation: [Entry; 112],
}

impl Tables {
    /// The entry of a character outside ASCII and the Arabic block: from a
    /// table for the two blocks news text draws on (the no-break space, “ ”,
    /// « », the zero-width non-joiner made 1.5% of the instructions of
    /// `sada sign` when classified one by one), else computed.
    #[inline]
    pub(super) fn other(&self, c: char) -> Entry {
        match c as u32 {
            u @ 0x80..=0xFF => self.latin1[u as usize - 0x80],
            u @ 0x2000..=0x206F => self.punctuation[u as usize - 0x2000],
            _ => Entry::of(c),
        }
    }
}

/// The folded code of the Arabic-block character `b0 b1` (a lead byte
/// 0xD8–0xDB and any byte) if it is a letter, else zero. Every fold of an
/// Arabic letter is below U+8000 (what `scan::nonzero_lanes` needs) and not NUL.
fn letter_code(b0: u8, b1: u8) -> u16 {
    let e = Entry::of(char::from_u32(0x600 + arabic_index(b0, b1) as u32).expect("Arabic block is all scalars"));
    match e.is_char() {
        true => {
            u16::try_from(e.code()).ok().filter(|&c| c != 0 && c < 0x8000).expect("Arabic letters fold below U+8000")
        }
        false => 0,
    }
}

pub(super) static TABLES: std::sync::LazyLock<Tables> = std::sync::LazyLock::new(|| Tables {
    ascii: std::array::from_fn(|b| Entry::of(b as u8 as char)),
    arabic: std::array::from_fn(|i| Entry::of(char::from_u32(0x600 + i as u32).expect("Arabic block is all scalars"))),
    letter_pairs: (0..=u16::MAX)
        .map(|pair| {
            let [b0, b1] = pair.to_le_bytes();
            match b0 & 0xFC == 0xD8 && b1 & 0xC0 == 0x80 {
                true => letter_code(b0, b1),
                false => 0,
            }
        })
        .collect::<Box<[u16]>>()
        .try_into()
        .expect("one entry per pair"),
    ascii_letters: std::array::from_fn(|b| {
        let e = Entry::of(b as u8 as char);
        match b < 0x80 && e.is_char() {
            true => u16::try_from(e.code()).ok().filter(|&c| c != 0 && c < 0x8000).expect("ASCII folds to ASCII"),
            false => 0,
        }
    }),
    separator_byte: std::array::from_fn(|b| b < 0x80 && Entry::of(b as u8 as char).kind() == Kind::Separator),
    latin1: std::array::from_fn(|i| Entry::of(char::from_u32(0x80 + i as u32).expect("Latin-1 is all scalars"))),
    punctuation: std::array::from_fn(|i| {
        Entry::of(char::from_u32(0x2000 + i as u32).expect("General Punctuation is all scalars"))
    }),
});

/// Index into [`Tables::arabic`] of the two-byte sequence `b0 b1` when `b0`
/// is a lead byte 0xD8–0xDB: the code point minus U+0600. Always in bounds,
/// so the table can be read before the lead byte is checked.
#[inline]
pub(super) fn arabic_index(b0: u8, b1: u8) -> usize {
    ((b0 as usize & 0x03) << 6) | (b1 as usize & 0x3F)
}
