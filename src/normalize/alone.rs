//! Which letters are tokens of their own: those of scripts written without
//! spaces between words ([`unspaced`]).

use super::fold::fold_general;
use super::table::{Entry, Kind};

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
pub(super) fn alone(c: char, e: Entry) -> bool {
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
