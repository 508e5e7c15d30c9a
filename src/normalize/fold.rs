//! Folding a whole word: the general path (NFKC, full lower case, the
//! Arabic rules) the scanner falls back on, and both paths exposed for the
//! tests that keep them equal.

use unicode_normalization::UnicodeNormalization;

use super::arabic::{Fold, fold_char, fold_char_general};

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

    #[test]
    fn fast_and_general_paths_agree_on_hamza_compositions() {
        for w in ["ا\u{0654}", "و\u{0654}", "ي\u{0654}", "ا\u{0653}", "ا\u{064E}\u{0654}", "ا\u{0655}"] {
            assert_eq!(fold_fast(w).unwrap(), fold_word(w), "{w:?}");
        }
    }
}
