//! The character rules of normalization, in one place.
//!
//! Every rule that changes a character lives in [`fold_char`]; the table below
//! is what it does, and `tests/data/normalize.toml` checks each row.
//!
//! | input | output | why |
//! |---|---|---|
//! | harakat U+064B–U+065F, superscript alef U+0670, Quranic marks U+06D6–U+06ED | removed | vocalization is optional and inconsistently typed |
//! | tatweel ـ U+0640 | removed | typographic stretching, not a letter |
//! | zero-width and bidi controls U+200B–U+200F, U+061C, U+202A–U+202E, U+2066–U+2069, U+FEFF, soft hyphen U+00AD | removed, the word is not split | invisible; editors and CMSs insert them at random |
//! | أ إ آ ٱ | ا | hamza/madda seats are spelled inconsistently |
//! | ى | ي | alef maqsura and ya are interchanged, notably in Egyptian spelling |
//! | ة | ه | ta marbuta is often typed as ha |
//! | ؤ | و | hamza seat |
//! | ئ | ي | hamza seat |
//! | Persian ی ک | ي ك | same letters typed on a Persian keyboard |
//! | Arabic-Indic ٠–٩ and extended ۰–۹ digits | 0–9 | outlets pick either digit set |
//! | presentation forms, ligatures, full-width forms | their NFKC letters | compatibility forms of the same text |
//! | Latin, Greek, Cyrillic, … | lower case (full Unicode lowercase; ß → ss, ς → σ) | case carries no identity |
//! | whitespace incl. NBSP, all punctuation (، ؛ ؟ « » “ ” included), symbols | word separator | |

/// What one character of the original text becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fold {
    /// A word character; append this (already folded) char.
    Char(char),
    /// A mark that belongs to the preceding letter (harakat, tatweel,
    /// Quranic marks): dropped, but the word's span covers it.
    Mark,
    /// An invisible control (zero-width, bidi, BOM): dropped, does not split
    /// the word and does not extend its span.
    Control,
    /// Ends the current word.
    Separator,
    /// Needs the general path (NFKC, full lowercase) — see `mod.rs`.
    Complex,
}

/// Folds one character by the rules of the table above, without NFKC.
///
/// The common characters of Arabic and ASCII text get an answer here; all
/// others are [`Fold::Complex`], and the caller sends the whole word through
/// NFKC. The two paths agree (a property test checks it), so this is purely a
/// speed path: NFKC leaves these characters unchanged except for composing
/// alef/waw/ya with hamza or madda marks, and those compositions fold back to
/// the same bare letter.
#[inline]
pub(crate) fn fold_char(c: char) -> Fold {
    let u = c as u32;
    if u < 0x80 {
        let b = u as u8;
        return if b.is_ascii_alphanumeric() { Fold::Char(b.to_ascii_lowercase() as char) } else { Fold::Separator };
    }
    match u {
        0x0621 | 0x0627..=0x0628 | 0x062A..=0x063A | 0x0641..=0x0648 | 0x064A => Fold::Char(c),
        0x0622 | 0x0623 | 0x0625 | 0x0671 => Fold::Char('\u{0627}'),
        0x0624 => Fold::Char('\u{0648}'),
        0x0626 | 0x0649 | 0x06CC => Fold::Char('\u{064A}'),
        0x0629 => Fold::Char('\u{0647}'),
        0x06A9 => Fold::Char('\u{0643}'),
        0x0660..=0x0669 => Fold::Char(char::from(b'0' + (u - 0x0660) as u8)),
        0x06F0..=0x06F9 => Fold::Char(char::from(b'0' + (u - 0x06F0) as u8)),
        0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED | 0x0640 => Fold::Mark,
        0x200B..=0x200F | 0x061C | 0x202A..=0x202E | 0x2066..=0x2069 | 0xFEFF | 0x00AD => Fold::Control,
        // Arabic punctuation: comma, semicolon, question mark, full stop,
        // percent and thousands/decimal separators, ornate parentheses.
        0x060C | 0x061B | 0x061F | 0x06D4 | 0x066A..=0x066D | 0xFD3E | 0xFD3F => Fold::Separator,
        0x00A0 => Fold::Separator,
        _ => Fold::Complex,
    }
}

/// Folds one character on the general path, after NFKC has been applied to
/// the whole word. Pushes the folded form (possibly several chars) to `out`.
pub(crate) fn fold_char_general(c: char, out: &mut String) {
    match fold_char(c) {
        Fold::Char(f) => out.push(f),
        Fold::Mark | Fold::Control => {}
        // NFKC can turn one character into several words (the ligature ﷺ
        // expands to four): the original had one word here, so keep it one
        // word by dropping the separators NFKC introduced.
        Fold::Separator => {}
        Fold::Complex => match c {
            'ß' => out.push_str("ss"),
            'ς' => out.push('σ'),
            // `ẞ` lowercases to `ß`, which folds on to `ss` like the small one.
            _ if c.is_alphanumeric() || is_combining_mark(c) => {
                for l in c.to_lowercase() {
                    if l == 'ß' { out.push_str("ss") } else { out.push(l) }
                }
            }
            _ => {}
        },
    }
}

/// How a character of the *original* text takes part in word segmentation.
#[inline]
pub(crate) fn classify(c: char) -> Fold {
    match fold_char(c) {
        Fold::Complex if is_word_char(c) => Fold::Complex,
        Fold::Complex => Fold::Separator,
        other => other,
    }
}

/// Letters, digits and combining marks make words; everything else
/// (whitespace, punctuation, symbols) separates them.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

fn is_combining_mark(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alef_with_hamza_folds_to_bare_alef() {
        for c in ['أ', 'إ', 'آ', 'ٱ'] {
            assert_eq!(fold_char(c), Fold::Char('ا'), "{c}");
        }
    }

    #[test]
    fn arabic_punctuation_separates() {
        for c in ['،', '؛', '؟', '«', '»', '“', '”', '\u{00A0}', '.', '-'] {
            assert_eq!(classify(c), Fold::Separator, "{c:?}");
        }
    }

    #[test]
    fn harakat_are_marks_and_bidi_controls_are_controls() {
        assert_eq!(classify('\u{064E}'), Fold::Mark);
        assert_eq!(classify('\u{0640}'), Fold::Mark);
        assert_eq!(classify('\u{200F}'), Fold::Control);
        assert_eq!(classify('\u{FEFF}'), Fold::Control);
    }

    #[test]
    fn persian_letters_and_digits_fold() {
        assert_eq!(fold_char('ی'), Fold::Char('ي'));
        assert_eq!(fold_char('ک'), Fold::Char('ك'));
        assert_eq!(fold_char('٣'), Fold::Char('3'));
        assert_eq!(fold_char('۷'), Fold::Char('7'));
    }

    #[test]
    fn latin_letters_beyond_ascii_take_the_general_path() {
        assert_eq!(classify('É'), Fold::Complex);
        let mut s = String::new();
        fold_char_general('É', &mut s);
        fold_char_general('ß', &mut s);
        assert_eq!(s, "éss");
    }
}
