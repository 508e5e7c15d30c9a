//! Stage 2, **normalize**: original text → [`Token`]s with byte spans.
//!
//! Words are found on the *original* text (see the `arabic` module for which
//! characters separate words), then each word is folded: NFKC, lower case, and
//! the Arabic rules. The original text is never changed; every token keeps the
//! byte span of its letters, so passages are reported exactly as published.
//!
//! Most words of Arabic and ASCII text never reach NFKC: a per-character table
//! answers for them, and only a word containing some other character goes
//! through `unicode-normalization`. Both paths give the same result (a
//! property test in `tests/normalize.rs` checks it).

pub(crate) mod arabic;

use unicode_normalization::UnicodeNormalization;

use crate::model::{Span, Token};
use arabic::{Fold, classify, fold_char, fold_char_general};

/// What a table entry says a character does; see [`Fold`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
enum Kind {
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
struct Entry(u32);

const KIND_SHIFT: u32 = 24;

impl Entry {
    fn of(c: char) -> Entry {
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
    fn kind(self) -> Kind {
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
    fn code(self) -> u32 {
        self.0 & ((1 << KIND_SHIFT) - 1)
    }
}

/// Entries for ASCII and for the Arabic block U+0600–U+06FF.
struct Tables {
    ascii: [Entry; 128],
    arabic: [Entry; 256],
    /// The folded code of the Arabic letter whose two UTF-8 bytes, read as
    /// a little-endian `u16`, index it; zero for every other pair of bytes
    /// (not a lead byte 0xD8–0xDB and a continuation byte, or not a letter).
    /// One lookup both tells a letter and folds it, with no test of the lead
    /// byte first: 128 KiB, of which the letters use 2.
    letter_pairs: Box<[u16; 1 << 16]>,
    /// The folded code of every ASCII letter or digit, zero for any other
    /// byte: what [`Ascii`] reads.
    ascii_letters: [u16; 256],
    /// The ASCII bytes that separate words (the rest are false).
    separator_byte: [bool; 256],
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
    fn other(&self, c: char) -> Entry {
        match c as u32 {
            u @ 0x80..=0xFF => self.latin1[u as usize - 0x80],
            u @ 0x2000..=0x206F => self.punctuation[u as usize - 0x2000],
            _ => Entry::of(c),
        }
    }
}

/// The folded code of the Arabic-block character `b0 b1` (a lead byte
/// 0xD8–0xDB and any byte) if it is a letter, else zero. Every fold of an
/// Arabic letter is below U+8000 (what [`nonzero_lanes`] needs) and not NUL.
fn letter_code(b0: u8, b1: u8) -> u16 {
    let e = Entry::of(char::from_u32(0x600 + arabic_index(b0, b1) as u32).expect("Arabic block is all scalars"));
    match e.is_char() {
        true => {
            u16::try_from(e.code()).ok().filter(|&c| c != 0 && c < 0x8000).expect("Arabic letters fold below U+8000")
        }
        false => 0,
    }
}

static TABLES: std::sync::LazyLock<Tables> = std::sync::LazyLock::new(|| Tables {
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

/// The word hash, fed one folded character at a time.
///
/// Hand-written rather than xxh3 over the folded bytes: the tokenizer then
/// never materializes a word, which cut the instructions of `sada sign` by a
/// third (callgrind, Arabic corpus). It is FxHash's step (rotate, xor,
/// multiply) over the folded word's UTF-16 code units taken **four at a
/// time** (a `u64`, the first unit highest; the last step takes the zero to
/// three left over), finished by a full 64-bit avalanche of the state and the
/// unit count. Four units a step let [`whole_words`] hash a whole word of up
/// to seven letters in two steps, with no branch on its length: a
/// step per letter made the word's end a branch, mispredicted about twice
/// per word. The rotation carries high bits back down so every unit reaches
/// every bit.
#[derive(Clone, Copy, Debug)]
struct WordHash {
    state: u64,
    /// The units of the step being filled, `units % 4` of them.
    pending: u64,
    /// UTF-16 units pushed so far.
    units: u32,
}

impl WordHash {
    const SEED: u64 = 0x243F_6A88_85A3_08D3;
    const K: u64 = 0x9E37_79B9_7F4A_7C15;

    #[inline]
    fn new() -> WordHash {
        WordHash { state: WordHash::SEED, pending: 0, units: 0 }
    }

    #[inline]
    fn step(state: u64, four: u64) -> u64 {
        (state.rotate_left(23) ^ four).wrapping_mul(WordHash::K)
    }

    #[inline]
    fn push_unit(&mut self, unit: u16) {
        self.pending |= (unit as u64) << (48 - 16 * (self.units % 4));
        self.units += 1;
        if self.units.is_multiple_of(4) {
            self.state = WordHash::step(self.state, self.pending);
            self.pending = 0;
        }
    }

    #[inline]
    fn finish(&self) -> u64 {
        crate::sign::oph::mix(WordHash::step(self.state, self.pending) ^ self.units as u64)
    }
}

/// Where the scanner puts a word's folded characters: the hash alone
/// ([`WordHash`], for tokens) or the folded text (for showing words). One
/// scanner serves both, so both always agree on word boundaries.
trait Sink {
    /// Appends one folded character.
    fn push(&mut self, code: u32);
    /// Appends `count` (at most four) folded characters of the Basic
    /// Multilingual Plane, packed as in [`WordHash`]: the first in the top 16
    /// bits, lanes past `count` zero. Only when [`Sink::aligned`].
    fn push_lanes(&mut self, lanes: u64, count: u32);
    /// Makes the sink hold a word of `count` (below eight) characters of the
    /// Basic Multilingual Plane: the first four as `first` packs them for
    /// [`Sink::push_lanes`], the rest in `second`, lanes past `count` zero.
    fn set_lanes(&mut self, first: u64, second: u64, count: u32);
    /// Whether the next character starts a [`WordHash`] step, so that
    /// [`Sink::push_lanes`] may be used.
    fn aligned(&self) -> bool;
    /// Replaces the word with `folded`, the general path's result.
    fn set(&mut self, folded: &str);
    fn is_empty(&self) -> bool;
    fn clear(&mut self);
}

impl Sink for WordHash {
    #[inline]
    fn push(&mut self, code: u32) {
        let c = char::from_u32(code).expect("table entries hold scalar values");
        for unit in c.encode_utf16(&mut [0; 2]) {
            self.push_unit(*unit);
        }
    }

    #[inline]
    fn push_lanes(&mut self, lanes: u64, count: u32) {
        debug_assert!(self.aligned() && count <= 4);
        self.units += count;
        if count == 4 {
            self.state = WordHash::step(self.state, lanes);
        } else {
            self.pending = lanes;
        }
    }

    #[inline]
    fn set_lanes(&mut self, first: u64, second: u64, count: u32) {
        debug_assert!(count < 8);
        // Conditional moves, not a branch: a word's length is a coin flip.
        let full = count >= 4;
        self.state = std::hint::select_unpredictable(full, WordHash::step(WordHash::SEED, first), WordHash::SEED);
        self.pending = std::hint::select_unpredictable(full, second, first);
        self.units = count;
    }

    #[inline]
    fn aligned(&self) -> bool {
        self.units.is_multiple_of(4)
    }

    fn set(&mut self, folded: &str) {
        *self = WordHash::new();
        for unit in folded.encode_utf16() {
            self.push_unit(unit);
        }
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.units == 0
    }

    #[inline]
    fn clear(&mut self) {
        *self = WordHash::new();
    }
}

impl Sink for Vec<u8> {
    #[inline]
    fn push(&mut self, code: u32) {
        let c = char::from_u32(code).expect("table entries hold scalar values");
        self.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    }

    fn push_lanes(&mut self, lanes: u64, count: u32) {
        for lane in 0..count {
            Sink::push(self, (lanes >> (48 - 16 * lane)) as u32 & 0xFFFF);
        }
    }

    fn set_lanes(&mut self, first: u64, second: u64, count: u32) {
        Vec::clear(self);
        self.push_lanes(first, count.min(4));
        self.push_lanes(second, count.saturating_sub(4));
    }

    #[inline]
    fn aligned(&self) -> bool {
        true
    }

    fn set(&mut self, folded: &str) {
        Vec::clear(self);
        self.extend_from_slice(folded.as_bytes());
    }

    #[inline]
    fn is_empty(&self) -> bool {
        Vec::is_empty(self)
    }

    #[inline]
    fn clear(&mut self) {
        Vec::clear(self);
    }
}

/// Splits text into words and folds them. Holds reusable buffers, so keep one
/// per thread and feed it many documents.
#[derive(Debug, Default)]
pub struct Analyzer {
    /// The folded bytes of the current word.
    word: Vec<u8>,
}

impl Analyzer {
    /// Creates an analyzer.
    pub fn new() -> Analyzer {
        Analyzer::default()
    }

    /// Calls `f(span, folded)` for every word of `text`, in order.
    ///
    /// `span` covers the word's letters and the marks attached to them, but
    /// not invisible controls at its edges. `folded` is never empty.
    pub fn for_each_word(&mut self, text: &str, mut f: impl FnMut(Span, &str)) {
        let mut word = std::mem::take(&mut self.word);
        scan(text, &mut word, |span, folded| f(span, std::str::from_utf8(folded).expect("folds are UTF-8")));
        self.word = word;
    }

    /// Appends the tokens of `text` to `out`; `hash` is [`hash_word`] of the
    /// folded word.
    pub fn tokens_into(&mut self, text: &str, out: &mut Vec<Token>) {
        // About one word per six bytes of Arabic text: one allocation, not a
        // series of doublings.
        out.reserve(text.len() / 6);
        scan(text, &mut WordHash::new(), |span, h| out.push(Token { hash: h.finish(), span }));
    }

    /// Calls `f` with the hash of each word of `text` ([`hash_word`] of the
    /// folded word), in order: the tokens without their spans, for a caller
    /// that keeps nothing per word but the hash (a 200 MB document's tokens
    /// would take 500 MB).
    pub fn for_each_hash(&mut self, text: &str, mut f: impl FnMut(u64)) {
        scan(text, &mut WordHash::new(), |_, h| f(h.finish()));
    }

    /// The tokens of `text`.
    pub fn tokens(&mut self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        self.tokens_into(text, &mut out);
        out
    }

    /// The folded words of `text`, for tests and for showing what sada
    /// compares.
    pub fn words(&mut self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_word(text, |_, w| out.push(w.to_string()));
        out
    }
}

/// The word loop behind [`Analyzer::for_each_word`] and
/// [`Analyzer::tokens_into`]: calls `f(span, sink)` at the end of every word
/// whose sink is not empty.
///
/// ASCII and the Arabic block (two-byte sequences with lead bytes 0xD8–0xDB)
/// are decoded by hand and folded by table lookup; other characters are
/// decoded as `char`s and classified. Profiling `sada sign` showed `char`
/// decoding and `String::push` at a third of the run before this. Where a
/// word starts with an ASCII or Arabic letter, [`whole_words`] takes over until a
/// word or what follows it needs this character-by-character loop.
#[inline]
fn scan<S: Sink>(text: &str, sink: &mut S, mut f: impl FnMut(Span, &S)) {
    let tables = &*TABLES;
    let bytes = text.as_bytes();
    sink.clear();
    // Byte offsets of the current word in `text`: first letter and one past
    // its last letter or mark.
    let mut start: Option<usize> = None;
    let mut end = 0usize;
    let mut complex = false;
    let mut i = 0;
    while i < bytes.len() {
        let b0 = bytes[i];
        if start.is_none() && (b0 & 0xFC == 0xD8 || tables.ascii_letters[usize::from(b0)] != 0) {
            let (next, open) = match b0 < 0x80 {
                true => whole_words::<Ascii, S>(bytes, i, tables, sink, &mut f),
                false => whole_words::<ArabicBlock, S>(bytes, i, tables, sink, &mut f),
            };
            if let Some(word) = open {
                start = Some(word);
                end = next;
            }
            if next != i {
                i = next;
                continue;
            }
        }
        let (e, len) = if b0 < 0x80 {
            (tables.ascii[b0 as usize], 1)
        } else if b0 & 0xFC == 0xD8 && i + 1 < bytes.len() {
            (tables.arabic[arabic_index(b0, bytes[i + 1])], 2)
        } else {
            let c = text[i..].chars().next().expect("at a char boundary");
            let e = tables.other(c);
            if alone(c, e) {
                // A letter of a script written without spaces is a word of
                // its own: it ends the word before it.
                if let Some(s) = start.take() {
                    emit(text, s, end, complex, sink, &mut f);
                    complex = false;
                }
                let complex = e.kind() == Kind::Complex;
                if !complex {
                    sink.push(e.code());
                }
                emit(text, i, i + c.len_utf8(), complex, sink, &mut f);
                i += c.len_utf8();
                continue;
            }
            (e, c.len_utf8())
        };
        match e.kind() {
            Kind::Char => {
                start.get_or_insert(i);
                // An ASCII or Arabic letter is read again by its letter
                // loop, four at a time; another letter is pushed here.
                i = match len {
                    1 => letters_of::<Ascii, S>(bytes, i, tables, sink),
                    2 => letters_of::<ArabicBlock, S>(bytes, i, tables, sink),
                    _ => {
                        sink.push(e.code());
                        i + len
                    }
                };
                end = i;
                continue;
            }
            Kind::Complex => {
                if start.is_none() {
                    start = Some(i);
                }
                complex = true;
                end = i + len;
            }
            Kind::Mark => {
                if start.is_some() {
                    end = i + len;
                }
            }
            Kind::Control => {}
            Kind::Separator => {
                if let Some(s) = start.take() {
                    emit(text, s, end, complex, sink, &mut f);
                    complex = false;
                }
            }
        }
        i += len;
    }
    if let Some(s) = start {
        emit(text, s, end, complex, sink, &mut f);
    }
}

/// Whether the letter `c` is a token of its own: it, or what it folds to,
/// belongs to a script written without spaces ([`unspaced`]) — so `㆒`
/// (which folds to `一`) stands alone as `一` does, and analysing the folded
/// words again gives them back.
pub fn stands_alone(c: char) -> bool {
    alone(c, Entry::of(c))
}

/// [`stands_alone`] for `c` and its entry `e`: for a plain letter the
/// entry holds the fold; only a letter NFKC changes is folded here.
#[inline]
fn alone(c: char, e: Entry) -> bool {
    match e.kind() {
        Kind::Char => unspaced(c) || char::from_u32(e.code()).is_some_and(unspaced),
        Kind::Complex => unspaced(c) || folds_to_unspaced(c),
        _ => false,
    }
}

/// The general path of [`stands_alone`], out of line: rare.
#[cold]
#[inline(never)]
fn folds_to_unspaced(c: char) -> bool {
    let mut folded = String::new();
    fold_general(c.encode_utf8(&mut [0; 4]), &mut folded);
    folded.chars().any(unspaced)
}

/// Whether `c` belongs to a script written without spaces between words:
/// Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar. Each of its letters is
/// a token, so that word n-grams become character n-grams there — what
/// near-duplicate detection on Chinese and Japanese usually shingles (a
/// segmenter would need a dictionary per language, and a near-duplicate
/// edited by a few characters changes a few character n-grams either way).
/// Hangul is written with spaces and stays in words.
pub fn unspaced(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF // Thai, Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1780..=0x17FF // Khmer
        | 0x19E0..=0x19FF // Khmer symbols
        | 0x2E80..=0x2FDF // CJK radicals, Kangxi radicals
        | 0x3005..=0x3007 // 々 〆 〇
        | 0x3021..=0x3029 // Hangzhou numerals
        | 0x3031..=0x3035 // vertical kana repeat marks
        | 0x3040..=0x30FF // Hiragana, Katakana
        | 0x31F0..=0x31FF // Katakana phonetic extensions
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xA9E0..=0xA9FF // Myanmar extended-B
        | 0xAA60..=0xAA7F // Myanmar extended-A
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0xFF66..=0xFF9F // half-width Katakana
        | 0x1B000..=0x1B16F // Kana supplement and extended
        | 0x20000..=0x3134F // CJK extensions B–G
    )
}

/// The letters the word loops below read by table, several at a time: the
/// Arabic block (two bytes each) and ASCII (one byte each).
trait Script {
    /// Bytes per letter.
    const WIDTH: usize;
    /// The folded code of the letter at the start of `bytes`, if there is
    /// one.
    fn letter(bytes: &[u8], tables: &Tables) -> Option<u32>;
    /// The folded codes of the four characters at the start of `bytes`,
    /// packed for [`Sink::push_lanes`], zero where a character is not a
    /// letter of this script; `None` if `bytes` is shorter than four
    /// characters of `WIDTH` bytes.
    fn four(bytes: &[u8], tables: &Tables) -> Option<u64>;
}

/// Lead bytes 0xD8–0xDB: U+0600–U+06FF.
struct ArabicBlock;

impl Script for ArabicBlock {
    const WIDTH: usize = 2;

    #[inline(always)]
    fn letter(bytes: &[u8], tables: &Tables) -> Option<u32> {
        let [b0, b1, ..] = *bytes else { return None };
        Some(u32::from(tables.letter_pairs[usize::from(u16::from_le_bytes([b0, b1]))])).filter(|&code| code != 0)
    }

    #[inline(always)]
    fn four(bytes: &[u8], tables: &Tables) -> Option<u64> {
        let quad = u64::from_le_bytes(*bytes.first_chunk::<8>()?);
        let code = |j: u32| u64::from(tables.letter_pairs[usize::from((quad >> (16 * j)) as u16)]);
        Some(code(0) << 48 | code(1) << 32 | code(2) << 16 | code(3))
    }
}

/// ASCII letters and digits, one byte each.
struct Ascii;

impl Script for Ascii {
    const WIDTH: usize = 1;

    #[inline(always)]
    fn letter(bytes: &[u8], tables: &Tables) -> Option<u32> {
        let &b = bytes.first()?;
        Some(u32::from(tables.ascii_letters[usize::from(b)])).filter(|&code| code != 0)
    }

    #[inline(always)]
    fn four(bytes: &[u8], tables: &Tables) -> Option<u64> {
        let quad = u32::from_le_bytes(*bytes.first_chunk::<4>()?);
        let code = |j: u32| u64::from(tables.ascii_letters[usize::from((quad >> (8 * j)) as u8)]);
        Some(code(0) << 48 | code(1) << 32 | code(2) << 16 | code(3))
    }
}

/// Words of letters of script `L` each read whole from one window of eight
/// characters, from `bytes[i]` (the first letter of a word) on; no word may
/// be open in `sink`.
///
/// Every word of up to seven letters followed by an ASCII separator costs
/// the same straight-line code whatever its length: the loads, eight table
/// lookups, a mask of the lanes that are letters, and the hash of the
/// letters before the first lane that is not (the others masked to zero).
/// The letter-at-a-time loop this replaces for such words paid a
/// mispredicted branch at every word's end (two per word of Arabic,
/// callgrind).
///
/// Returns where the scanner goes on and, when a word is still open there
/// (eight letters or more, a mark, another script after its letters), where
/// that word began; `sink` then holds its letters so far.
#[inline(always)]
fn whole_words<L: Script, S: Sink>(
    bytes: &[u8],
    mut i: usize,
    tables: &Tables,
    sink: &mut S,
    f: &mut impl FnMut(Span, &S),
) -> (usize, Option<usize>) {
    /// The top `16 * n` bits of 128, for the first `n` letters of a window
    /// (the mask is taken before the test for no letter at all: that order
    /// compiled to 0.7% fewer instructions).
    const KEEP: [u128; 16] = {
        let mut keep = [0u128; 16];
        let mut n = 1;
        while n < 8 {
            keep[n] = !(u128::MAX >> (16 * n));
            n += 1;
        }
        keep[8] = u128::MAX;
        keep
    };
    const TOPS: u64 = 0x8000_8000_8000_8000;
    loop {
        let window = bytes.get(i..).unwrap_or_default();
        let (Some(first), Some(second)) =
            (L::four(window, tables), L::four(window.get(4 * L::WIDTH..).unwrap_or_default(), tables))
        else {
            sink.clear();
            return (i, None);
        };
        let not_letters = u128::from(!nonzero_lanes(first) & TOPS) << 64 | u128::from(!nonzero_lanes(second) & TOPS);
        let letters = not_letters.leading_zeros() / 16;
        let keep = KEEP[letters as usize & 15];
        let (first, second) = (first & (keep >> 64) as u64, second & keep as u64);
        if letters == 0 {
            sink.clear();
            return (i, None);
        }
        let end = if letters < 8 {
            sink.set_lanes(first, second, letters);
            i + L::WIDTH * letters as usize
        } else {
            // A long word: the rest four letters at a time.
            sink.set_lanes(first, 0, 4);
            sink.push_lanes(second, 4);
            letters_of::<L, S>(bytes, i + 8 * L::WIDTH, tables, sink)
        };
        match bytes.get(end) {
            Some(&b) if tables.separator_byte[b as usize] => {}
            _ => return (end, Some(i)),
        }
        f(Span::new(i, end), sink);
        // Whether a word starts after the separator is left to the next
        // window (no letter: back to the scanner), not tested here first.
        i = end + 1;
    }
}

/// Folds the run of letters of script `L` at `bytes[i..]` into `sink` and
/// returns where it ends (at `i` if there is none).
///
/// Four letters a step ([`Script::four`]): the letters before the first lane
/// that is not one go to the sink at once ([`Sink::push_lanes`]), so the only
/// branch is whether all four were letters. Serves the words
/// [`whole_words`] leaves open: eight letters or more, or letters after a
/// mark.
#[inline(always)]
fn letters_of<L: Script, S: Sink>(bytes: &[u8], i: usize, tables: &Tables, sink: &mut S) -> usize {
    /// The top `16 * n` bits, for `n` letters of a step.
    const TOP_LANES: [u64; 8] = [0, 0xFFFF << 48, 0xFFFF_FFFF << 32, 0xFFFF_FFFF_FFFF << 16, u64::MAX, 0, 0, 0];
    let mut rest = &bytes[i..];
    // A word that went on after a mark or another script may have left its
    // hash mid-step: letters one at a time until a step begins.
    while !sink.aligned() {
        let Some(code) = L::letter(rest, tables) else { return bytes.len() - rest.len() };
        sink.push(code);
        rest = &rest[L::WIDTH..];
    }
    while let Some(lanes) = L::four(rest, tables) {
        let letters = (!nonzero_lanes(lanes) & 0x8000_8000_8000_8000).leading_zeros() / 16;
        sink.push_lanes(lanes & TOP_LANES[letters as usize & 7], letters);
        rest = &rest[L::WIDTH * letters as usize..];
        if letters < 4 {
            return bytes.len() - rest.len();
        }
    }
    // The last few bytes of the text.
    while let Some(code) = L::letter(rest, tables) {
        sink.push(code);
        rest = &rest[L::WIDTH..];
    }
    bytes.len() - rest.len()
}

/// The top bit of every 16-bit lane of `x` that is not zero, for lanes
/// below 0x8000 (the codes of [`Script::four`]): adding 0x7FFF carries into
/// a lane's top bit exactly when the lane is not zero, and never out of the
/// lane.
#[inline(always)]
fn nonzero_lanes(x: u64) -> u64 {
    const LOW: u64 = 0x7FFF_7FFF_7FFF_7FFF;
    (x + LOW) & !LOW
}

/// Index into [`Tables::arabic`] of the two-byte sequence `b0 b1` when `b0`
/// is a lead byte 0xD8–0xDB: the code point minus U+0600. Always in bounds,
/// so the table can be read before the lead byte is checked.
#[inline]
fn arabic_index(b0: u8, b1: u8) -> usize {
    ((b0 as usize & 0x03) << 6) | (b1 as usize & 0x3F)
}

/// Hash of a folded word: the identity of a token in every later stage.
#[inline]
pub fn hash_word(folded: &str) -> u64 {
    let mut h = WordHash::new();
    Sink::set(&mut h, folded);
    h.finish()
}

/// Finishes a word: on the fast path `sink` already holds its folded form;
/// otherwise the whole original word goes through NFKC and the general fold.
#[inline(always)]
fn emit<S: Sink>(text: &str, start: usize, end: usize, complex: bool, sink: &mut S, f: &mut impl FnMut(Span, &S)) {
    if complex {
        refold(&text[start..end], sink);
    }
    if !sink.is_empty() {
        f(Span::new(start, end), sink);
    }
    sink.clear();
}

/// The general path of [`emit`], out of line: rare, and large once NFKC is
/// inlined.
#[cold]
#[inline(never)]
fn refold<S: Sink>(original: &str, sink: &mut S) {
    let mut folded = String::new();
    fold_general(original, &mut folded);
    sink.set(&folded);
}

/// The general path: NFKC over the word, then the per-character fold, then
/// NFC again when the fold left combining marks.
///
/// Invisible controls and Arabic marks are dropped *before* NFKC: a control
/// between a letter and a combining accent would otherwise block their
/// composition (`e` ZWNJ U+0301 must fold like `é`). The final NFC is needed
/// because lowercasing can create a composable pair NFKC left alone (`Ｙ` +
/// ring above → `y` + ring above → `ẙ`); without it folding would not be
/// idempotent.
pub(crate) fn fold_general(original: &str, out: &mut String) {
    let start = out.len();
    let visible = original.chars().filter(|&c| !matches!(fold_char(c), Fold::Mark | Fold::Control));
    for c in visible.nfkc() {
        fold_char_general(c, out);
    }
    if out[start..].chars().any(unicode_normalization::char::is_combining_mark) {
        let composed: String = out[start..].nfc().collect();
        out.truncate(start);
        out.push_str(&composed);
    }
}

/// Folds a single word by the per-character fast path, for tests comparing the
/// two paths. Returns `None` when the word needs the general path.
pub fn fold_fast(original: &str) -> Option<String> {
    let mut out = String::new();
    for c in original.chars() {
        match fold_char(c) {
            Fold::Char(f) => out.push(f),
            Fold::Mark | Fold::Control => {}
            Fold::Separator | Fold::Complex => return None,
        }
    }
    Some(out)
}

/// Folds `original` as one word by the general path (NFKC and full lower
/// case), whatever its characters. Exposed so tests can check that the fast
/// path agrees with it.
pub fn fold_word(original: &str) -> String {
    let mut out = String::new();
    fold_general(original, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<(String, &str)> {
        let mut a = Analyzer::new();
        let mut out = Vec::new();
        a.for_each_word(text, |s, w| out.push((w.to_string(), &text[s.range()])));
        out
    }

    #[test]
    fn harakat_are_dropped_and_kept_in_the_span() {
        assert_eq!(spans("كَتَبَ"), vec![("كتب".to_string(), "كَتَبَ")]);
    }

    #[test]
    fn quotes_separate_and_are_not_in_spans() {
        let got = spans("«طلبات بغداد»، قال");
        let words: Vec<_> = got.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(words, ["طلبات", "بغداد", "قال"]);
        assert_eq!(got[1].1, "بغداد");
    }

    #[test]
    fn zero_width_non_joiner_does_not_split_a_word() {
        assert_eq!(spans("می\u{200C}خواهم")[0].0, "ميخواهم");
    }

    #[test]
    fn controls_at_word_edges_stay_outside_the_span() {
        let got = spans("\u{200F}لافروف\u{200F} x");
        assert_eq!(got[0].1, "لافروف");
    }

    #[test]
    fn presentation_forms_fold_through_nfkc() {
        // U+FEFB is the lam-alef ligature.
        assert_eq!(spans("\u{FEFB}")[0].0, "لا");
    }

    #[test]
    fn fast_and_general_paths_agree_on_hamza_compositions() {
        for w in ["ا\u{0654}", "و\u{0654}", "ي\u{0654}", "ا\u{0653}", "ا\u{064E}\u{0654}", "ا\u{0655}"] {
            assert_eq!(fold_fast(w).unwrap(), fold_word(w), "{w:?}");
        }
    }

    #[test]
    fn only_marks_make_no_token() {
        assert!(spans("\u{064E}\u{0640} \u{200F}").is_empty());
    }
}
