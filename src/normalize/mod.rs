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

use crate::types::{Span, Token};
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
/// tables stay small (1.5 KiB, in L1): the folded character's code point in
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
    /// The same entries indexed by both bytes of the character, big-endian,
    /// minus 0xD800: one bounds check tells a lead byte D8–DB and indexes
    /// the table, instead of a test of the lead byte and a computed index
    /// (the letter loop runs once per Arabic letter of the crawl).
    pairs: [Entry; 1024],
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

static TABLES: std::sync::LazyLock<Tables> = std::sync::LazyLock::new(|| Tables {
    ascii: std::array::from_fn(|b| Entry::of(b as u8 as char)),
    arabic: std::array::from_fn(|i| Entry::of(char::from_u32(0x600 + i as u32).expect("Arabic block is all scalars"))),
    pairs: std::array::from_fn(|i| {
        let [b0, b1] = (0xD800 + i as u16).to_be_bytes();
        Entry::of(char::from_u32(0x600 + arabic_index(b0, b1) as u32).expect("Arabic block is all scalars"))
    }),
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
/// multiply) over code points, finished by a full 64-bit avalanche; the
/// rotation carries high bits back down so every character reaches every bit.
#[derive(Clone, Copy, Debug)]
struct WordHash {
    state: u64,
    chars: u32,
}

impl WordHash {
    const SEED: u64 = 0x243F_6A88_85A3_08D3;
    const K: u64 = 0x9E37_79B9_7F4A_7C15;

    #[inline]
    fn new() -> WordHash {
        WordHash { state: WordHash::SEED, chars: 0 }
    }

    #[inline]
    fn push(&mut self, code: u32) {
        self.state = (self.state.rotate_left(23) ^ code as u64).wrapping_mul(WordHash::K);
        self.chars += 1;
    }

    #[inline]
    fn finish(&self) -> u64 {
        crate::sign::oph::mix(self.state ^ self.chars as u64)
    }
}

/// Where the scanner puts a word's folded characters: the hash alone
/// ([`WordHash`], for tokens) or the folded text (for showing words). One
/// scanner serves both, so both always agree on word boundaries.
trait Sink {
    /// Appends one folded character.
    fn push(&mut self, code: u32);
    /// Replaces the word with `folded`, the general path's result.
    fn set(&mut self, folded: &str);
    fn is_empty(&self) -> bool;
    fn clear(&mut self);
}

impl Sink for WordHash {
    #[inline]
    fn push(&mut self, code: u32) {
        WordHash::push(self, code);
    }

    fn set(&mut self, folded: &str) {
        *self = WordHash::new();
        for c in folded.chars() {
            WordHash::push(self, c as u32);
        }
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.chars == 0
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
/// decoding and `String::push` at a third of the run before this.
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
        let (e, len) = if b0 < 0x80 {
            (tables.ascii[b0 as usize], 1)
        } else if b0 & 0xFC == 0xD8 && i + 1 < bytes.len() {
            (tables.arabic[arabic_index(b0, bytes[i + 1])], 2)
        } else {
            let c = text[i..].chars().next().expect("at a char boundary");
            (tables.other(c), c.len_utf8())
        };
        match e.kind() {
            Kind::Char => {
                let mut word = *start.get_or_insert(i);
                sink.push(e.code());
                i += len;
                loop {
                    i = arabic_letters(bytes, i, tables, sink);
                    end = i;
                    // The common end of a word, an ASCII separator (a space)
                    // and then the first letter of the next word, without a
                    // trip through the dispatch above: a third of the
                    // tokenizer's instructions went to those two characters.
                    let Some(&[sep, b0, b1]) = bytes.get(i..i + 3) else { break };
                    if sep >= 0x80 || tables.ascii[sep as usize].kind() != Kind::Separator {
                        break;
                    }
                    let Some(&next) = tables.pairs.get(pair_index(b0, b1)) else { break };
                    if !next.is_char() {
                        break;
                    }
                    emit(text, word, end, complex, sink, &mut f);
                    complex = false;
                    word = i + 1;
                    start = Some(word);
                    sink.push(next.code());
                    i += 3;
                }
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

/// Folds the run of Arabic-block letters at `bytes[i..]` into `sink` and
/// returns where it ends (at `i` if there is none).
///
/// Two letters a step: one mask test of four bytes tells that both are
/// two-byte sequences with lead bytes 0xD8–0xDB, and one test of the two
/// table entries that both are letters, against a test and a branch each per
/// letter; a word's last odd letter takes the one-letter step.
#[inline(always)]
fn arabic_letters<S: Sink>(bytes: &[u8], i: usize, tables: &Tables, sink: &mut S) -> usize {
    let mut rest = &bytes[i..];
    while let [b0, b1, b2, b3, tail @ ..] = rest {
        // Big-endian, each half is a character's two bytes; a lead byte
        // 0xD8–0xDB is always followed by a continuation byte in UTF-8, so
        // the low ten bits of a half are its index in `pairs`.
        let quad = u32::from_be_bytes([*b0, *b1, *b2, *b3]);
        if quad & 0xFC00_FC00 != 0xD800_D800 {
            break;
        }
        let first = tables.pairs[(quad >> 16) as usize & 0x3FF];
        let second = tables.pairs[quad as usize & 0x3FF];
        if !Entry(first.0 | second.0).is_char() {
            break;
        }
        sink.push(first.code());
        sink.push(second.code());
        rest = tail;
    }
    if let [b0, b1, tail @ ..] = rest
        && let Some(&e) = tables.pairs.get(pair_index(*b0, *b1))
        && e.is_char()
    {
        sink.push(e.code());
        rest = tail;
    }
    bytes.len() - rest.len()
}

/// Index into [`Tables::pairs`] of the two bytes `b0 b1`: in bounds exactly
/// when `b0` is a lead byte 0xD8–0xDB.
#[inline]
fn pair_index(b0: u8, b1: u8) -> usize {
    u16::from_be_bytes([b0, b1]).wrapping_sub(0xD800) as usize
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
