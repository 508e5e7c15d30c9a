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
use xxhash_rust::xxh3::xxh3_64;

use crate::types::{Span, Token};
use arabic::{Fold, classify, fold_char, fold_char_general};

/// What a table entry says a character does; see [`Fold`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Char,
    Mark,
    Control,
    Separator,
    Complex,
}

/// [`classify`] precomputed for one character, with the folded character's
/// UTF-8 bytes ready to append (every fold of ASCII and of the Arabic block is
/// one or two bytes).
#[derive(Clone, Copy, Debug)]
struct Entry {
    kind: Kind,
    len: u8,
    bytes: [u8; 2],
}

impl Entry {
    fn of(c: char) -> Entry {
        let (kind, folded) = match classify(c) {
            Fold::Char(f) => (Kind::Char, f),
            Fold::Mark => (Kind::Mark, c),
            Fold::Control => (Kind::Control, c),
            Fold::Separator => (Kind::Separator, c),
            Fold::Complex => (Kind::Complex, c),
        };
        let mut buf = [0u8; 4];
        let enc = folded.encode_utf8(&mut buf).len();
        assert!(kind != Kind::Char || enc <= 2, "fast-path folds are one or two bytes");
        Entry { kind, len: enc.min(2) as u8, bytes: [buf[0], buf[1]] }
    }
}

/// Entries for ASCII and for the Arabic block U+0600–U+06FF.
struct Tables {
    ascii: [Entry; 128],
    arabic: [Entry; 256],
}

static TABLES: std::sync::LazyLock<Tables> = std::sync::LazyLock::new(|| Tables {
    ascii: std::array::from_fn(|b| Entry::of(b as u8 as char)),
    arabic: std::array::from_fn(|i| Entry::of(char::from_u32(0x600 + i as u32).expect("Arabic block is all scalars"))),
});

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
        self.scan(text, |span, folded| f(span, std::str::from_utf8(folded).expect("folds are UTF-8")));
    }

    /// Appends the tokens of `text` to `out`.
    pub fn tokens_into(&mut self, text: &str, out: &mut Vec<Token>) {
        self.scan(text, |span, folded| out.push(Token { hash: xxh3_64(folded), span }));
    }

    /// The word loop behind [`Analyzer::for_each_word`] and
    /// [`Analyzer::tokens_into`]: calls `f(span, folded UTF-8 bytes)`.
    ///
    /// ASCII and the Arabic block (two-byte sequences with lead bytes
    /// 0xD8–0xDB) are decoded by hand and folded by table lookup, appending
    /// ready-made UTF-8 bytes; other characters are decoded as `char`s and
    /// classified. Profiling `sada sign` showed `char` decoding and
    /// `String::push` at a third of the run before this.
    fn scan(&mut self, text: &str, mut f: impl FnMut(Span, &[u8])) {
        let tables = &*TABLES;
        let bytes = text.as_bytes();
        let word = &mut self.word;
        word.clear();
        // Byte offsets of the current word in `text`: first letter and one
        // past its last letter or mark.
        let mut start: Option<usize> = None;
        let mut end = 0usize;
        let mut complex = false;
        let mut i = 0;
        while i < bytes.len() {
            let b0 = bytes[i];
            let (e, len) = if b0 < 0x80 {
                (tables.ascii[b0 as usize], 1)
            } else if b0 & 0xFC == 0xD8 {
                let cp = ((b0 as usize & 0x1F) << 6) | (bytes[i + 1] as usize & 0x3F);
                (tables.arabic[cp - 0x600], 2)
            } else {
                let c = text[i..].chars().next().expect("at a char boundary");
                (Entry::of(c), c.len_utf8())
            };
            match e.kind {
                Kind::Char => {
                    if start.is_none() {
                        start = Some(i);
                    }
                    // Byte pushes, not `extend_from_slice`: a variable-length
                    // copy became a `memcpy` call per character.
                    word.push(e.bytes[0]);
                    if e.len == 2 {
                        word.push(e.bytes[1]);
                    }
                    i += len;
                    // The common case, a run of Arabic letters, in a tight
                    // loop of its own.
                    while i + 1 < bytes.len() && bytes[i] & 0xFC == 0xD8 {
                        let cp = ((bytes[i] as usize & 0x1F) << 6) | (bytes[i + 1] as usize & 0x3F);
                        let e = tables.arabic[cp - 0x600];
                        if e.kind != Kind::Char {
                            break;
                        }
                        word.push(e.bytes[0]);
                        if e.len == 2 {
                            word.push(e.bytes[1]);
                        }
                        i += 2;
                    }
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
                        emit(text, s, end, complex, word, &mut f);
                        complex = false;
                    }
                }
            }
            i += len;
        }
        if let Some(s) = start {
            emit(text, s, end, complex, word, &mut f);
        }
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

/// Hash of a folded word: the identity of a token in every later stage.
#[inline]
pub fn hash_word(folded: &str) -> u64 {
    xxh3_64(folded.as_bytes())
}

/// Finishes a word: on the fast path `word` already holds its folded form;
/// otherwise the whole original word goes through NFKC and the general fold.
#[inline]
fn emit(text: &str, start: usize, end: usize, complex: bool, word: &mut Vec<u8>, f: &mut impl FnMut(Span, &[u8])) {
    if complex {
        let mut folded = String::new();
        fold_general(&text[start..end], &mut folded);
        word.clear();
        word.extend_from_slice(folded.as_bytes());
    }
    if !word.is_empty() {
        f(Span::new(start, end), word);
    }
    word.clear();
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
