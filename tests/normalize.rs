//! Normalization: the table of cases in `tests/data/normalize.toml`, and
//! property tests over random text.
//!
//! The table is in the style of rust-lang/regex's testdata: one `[[case]]` per
//! behaviour, each with the exact folded words and byte spans it must give.
//! The properties check what must hold for *any* text: spans are sound, the
//! fast per-character path agrees with the general NFKC path, and folding is
//! idempotent.

use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use sada::normalize::{Analyzer, fold_fast, fold_word, hash_word, stands_alone};
use serde::Deserialize;

// ---------------------------------------------------------------- the table

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    input: String,
    /// `(folded, start, end)`: byte offsets into `input`, half-open.
    tokens: Vec<(String, usize, usize)>,
}

const TABLE: &str = include_str!("data/normalize.toml");

fn load() -> Vec<Case> {
    let table: Table = toml::from_str(TABLE).expect("tests/data/normalize.toml parses");
    table.case
}

/// `(folded, start, end)` of every word of `text`.
fn analyze(a: &mut Analyzer, text: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    a.for_each_word(text, |span, folded| out.push((folded.to_string(), span.start as usize, span.end as usize)));
    out
}

/// Shows tokens with the original text of each span, for failure messages.
fn show(input: &str, tokens: &[(String, usize, usize)]) -> String {
    let mut s = String::new();
    for (folded, start, end) in tokens {
        let original = input.get(*start..*end).unwrap_or("<not a char-boundary range>");
        let _ = write!(s, "\n      [{folded:?}, {start}, {end}]  original {original:?}");
    }
    if tokens.is_empty() {
        s.push_str(" (none)");
    }
    s
}

#[test]
fn table_cases() {
    let cases = load();
    // A slip in the TOML (a misspelt table name, say) must not silently skip
    // the cases.
    assert!(cases.len() > 40, "only {} cases parsed from tests/data/normalize.toml", cases.len());

    let mut names = std::collections::HashSet::new();
    let mut failures = Vec::new();
    let mut a = Analyzer::new();
    for case in &cases {
        assert!(names.insert(case.name.as_str()), "duplicate case name {:?}", case.name);
        let got = analyze(&mut a, &case.input);
        if got != case.tokens {
            failures.push(format!(
                "case {:?}\n  input    {:?}\n  expected{}\n  actual  {}",
                case.name,
                case.input,
                show(&case.input, &case.tokens),
                show(&case.input, &got)
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

/// The expected data itself is consistent: every expected span is a
/// char-boundary range of the input whose general-path fold is the expected
/// word. This catches a hand-counted offset slip separately from a behaviour
/// change.
#[test]
fn table_spans_are_consistent() {
    let mut bad = Vec::new();
    for case in load() {
        let mut prev_end = 0;
        for (folded, start, end) in &case.tokens {
            match case.input.get(*start..*end) {
                None => bad.push(format!("{}: {start}..{end} is not a char-boundary range", case.name)),
                Some(original) => {
                    if fold_word(original) != *folded {
                        bad.push(format!(
                            "{}: {start}..{end} is {original:?}, which folds to {:?}, not {folded:?}",
                            case.name,
                            fold_word(original)
                        ));
                    }
                }
            }
            if start < &prev_end || start >= end {
                bad.push(format!("{}: span {start}..{end} is empty or overlaps the previous one", case.name));
            }
            prev_end = *end;
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Every case has a comment saying what it checks, right above its `[[case]]`.
#[test]
fn table_cases_are_commented() {
    let lines: Vec<&str> = TABLE.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() == "[[case]]" {
            let above = if i > 0 { lines[i - 1].trim_start() } else { "" };
            assert!(above.starts_with('#'), "the [[case]] at line {} has no comment above it", i + 1);
        }
    }
}

/// Capital sharp s U+1E9E lowercases to ß, which folds on to "ss": «STRAẞE»
/// and «STRASSE» are the same word, and folding is idempotent on «ẞ».
#[test]
fn capital_sharp_s_folds_like_small_sharp_s() {
    let mut a = Analyzer::new();
    assert_eq!(a.words("STRAẞE STRASSE straße"), ["strasse", "strasse", "strasse"]);
}

/// An invisible control (or tatweel) between a letter and a combining mark
/// must not block NFKC composition: «e<ZWNJ>\u{301}cole» folds to «école»
/// like «école» and «e\u{301}cole» do.
#[test]
fn controls_inside_a_word_do_not_block_composition() {
    let mut a = Analyzer::new();
    for text in ["e\u{200C}\u{301}cole", "e\u{AD}\u{301}cole", "a\u{202A}\u{300}", "e\u{640}\u{301}cole"] {
        let words = a.words(text);
        assert_eq!(a.words(&words.join(" ")), words, "{text:?} is not idempotent");
        assert_eq!(words, a.words(&text.replace(['\u{200C}', '\u{AD}', '\u{202A}', '\u{640}'], "")), "{text:?}");
    }
}

// ---------------------------------------------------------------- properties

/// `cases` unless `PROPTEST_CASES` asks for more (or fewer), e.g. for a long
/// local run.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(cases),
        // No `proptest-regressions/` files: a failure prints its minimal input.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Arabic-heavy text: Arabic block letters, marks, digits and punctuation,
/// tatweel, harakat, ZWNJ, RLM, NBSP, guillemets, Latin.
const ARABIC_TEXT: &str =
    "[\\u{0600}-\\u{06FF} a-zA-Z0-9،.؟\\u{0640}\\u{064B}-\\u{0652}\\u{200C}\\u{200F}\\u{00A0}«»]{0,200}";

/// Text that mixes the characters that normalization treats specially with
/// presentation forms, other scripts and combining marks.
const MIXED_TEXT: &str = "[\\u{0600}-\\u{06FF}\\u{FB50}-\\u{FDFF}\\u{FE70}-\\u{FEFF}\\u{0300}-\\u{036F}\\u{200B}-\\u{200F}\\u{202A}-\\u{202E}\\u{2066}-\\u{2069}\\u{00A0}-\\u{00FF}\\u{0370}-\\u{03FF}\\u{0400}-\\u{04FF}\\u{FF01}-\\u{FF5E}\\u{2000}-\\u{206F} a-zA-Z0-9.,]{0,120}";

/// The alphabet of the fast path: Arabic letters U+0621–U+064A, harakat
/// U+064B–U+065F (U+0653–U+0655 included), superscript alef, tatweel, Persian
/// letters, the three digit sets, ZWNJ, RLM and ASCII letters.
const FAST_ALPHABET: &str = "[\\u{0621}-\\u{064A}\\u{064B}-\\u{065F}\\u{0653}-\\u{0655}\\u{0670}\\u{0640}\\u{06CC}\\u{06A9}\\u{067E}\\u{0686}\\u{0698}\\u{06AF}\\u{0671}0-9\\u{0660}-\\u{0669}\\u{06F0}-\\u{06F9}\\u{200C}\\u{200F}a-zA-Z]{0,40}";

/// The same without the letters that need the general path (U+063B–U+063F,
/// پ چ ژ گ), so that `fold_fast` always answers.
const FAST_ONLY_ALPHABET: &str = "[\\u{0621}-\\u{063A}\\u{0641}-\\u{064A}\\u{064B}-\\u{065F}\\u{0670}\\u{0640}\\u{06CC}\\u{06A9}\\u{0671}\\u{06D6}-\\u{06ED}0-9\\u{0660}-\\u{0669}\\u{06F0}-\\u{06F9}\\u{200C}\\u{200F}\\u{FEFF}\\u{AD}a-zA-Z]{0,40}";

/// Runs of Arabic words as news prints them, for the whole-word path of the
/// tokenizer (words of up to seven letters read from one 16-byte window):
/// words of 1–12 letters, sometimes with a mark, tatweel or Persian letter
/// inside or after, separated by spaces, newlines, punctuation (ASCII and
/// Arabic), NBSP or a Latin word.
const ARABIC_WORDS: &str = "(([\\u{0621}-\\u{063A}\\u{0641}-\\u{064A}]{1,12}[\\u{064B}-\\u{0652}\\u{0640}\\u{06CC}\\u{067E}]?[\\u{0621}-\\u{064A}]{0,3})([ \\n.:،؟\\u{00A0}]{1,2}|[ ][a-z0-9]{1,4}[ ])){0,40}";

/// Checks everything that must hold for the tokens of any `text`.
fn check_spans(text: &str) -> Result<(), TestCaseError> {
    let mut a = Analyzer::new();
    let got = analyze(&mut a, text);
    let mut prev_end: Option<usize> = None;
    for (folded, start, end) in &got {
        let (start, end) = (*start, *end);
        prop_assert!(start < end && end <= text.len(), "span {start}..{end} in a text of {} bytes", text.len());
        prop_assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "span {start}..{end} cuts a char");
        if let Some(p) = prev_end {
            // Two words have a separator between them, unless one of them is
            // a letter of a script written without spaces.
            let touching_allowed = text[start..].chars().next().is_some_and(stands_alone)
                || text[..p].chars().next_back().is_some_and(stands_alone);
            prop_assert!(
                p < start || (p == start && touching_allowed),
                "span {start}..{end} overlaps or touches the previous one ending at {p}"
            );
        }
        prev_end = Some(end);
        prop_assert!(!folded.is_empty());
        let original = &text[start..end];
        prop_assert_eq!(&fold_word(original), folded, "fold_word of the span {:?}", original);
        // The span is tight: analysing it alone gives the same single word
        // over all of it (no control or stray mark at its edges).
        let alone = analyze(&mut a, original);
        prop_assert_eq!(alone, vec![(folded.clone(), 0, original.len())], "span {:?} analysed alone", original);
    }
    // Nothing is missed: the text between spans holds no word.
    let mut gap_start = 0;
    let bounds = got.iter().map(|(_, s, e)| (*s, *e)).chain(std::iter::once((text.len(), text.len())));
    for (start, end) in bounds {
        let gap = &text[gap_start..start];
        let words = a.words(gap);
        prop_assert!(words.is_empty(), "the gap {:?} between words holds {:?}", gap, words);
        gap_start = end;
    }
    // tokens() agrees with for_each_word.
    let tokens = a.tokens(text);
    prop_assert_eq!(tokens.len(), got.len());
    for (t, (folded, start, end)) in tokens.iter().zip(&got) {
        prop_assert_eq!(t.hash, hash_word(folded));
        prop_assert_eq!(t.span.range(), *start..*end);
    }
    Ok(())
}

/// The folded words of `text`, joined by spaces and analysed again, give the
/// same words.
fn check_idempotent(text: &str) -> Result<(), TestCaseError> {
    let mut a = Analyzer::new();
    let words = a.words(text);
    let again = a.words(&words.join(" "));
    // A letter that stands alone may fold to several (`ゟ` to `より`), each
    // of which stands alone when analysed again; every other word comes back.
    let expected: Vec<String> =
        words.iter().flat_map(|w| if w.chars().any(stands_alone) { a.words(w) } else { vec![w.clone()] }).collect();
    prop_assert_eq!(again, expected);
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn spans_are_sound_on_arabic_text(text in ARABIC_TEXT) {
        check_spans(&text)?;
    }

    #[test]
    fn spans_are_sound_on_arabic_words(text in ARABIC_WORDS) {
        check_spans(&text)?;
    }

    #[test]
    fn spans_are_sound_on_mixed_text(text in MIXED_TEXT) {
        check_spans(&text)?;
    }

    #[test]
    fn spans_are_sound_on_any_text(text in any::<String>()) {
        check_spans(&text)?;
    }

    #[test]
    fn fast_path_agrees_with_general_path(word in FAST_ALPHABET) {
        if let Some(fast) = fold_fast(&word) {
            prop_assert_eq!(fast, fold_word(&word), "word {:?}", word);
        }
    }

    #[test]
    fn fast_path_answers_and_agrees_on_fast_alphabet(word in FAST_ONLY_ALPHABET) {
        let fast = fold_fast(&word);
        prop_assert!(fast.is_some(), "fold_fast gave up on {:?}", word);
        prop_assert_eq!(fast.unwrap(), fold_word(&word), "word {:?}", word);
    }

    #[test]
    fn folding_is_idempotent_on_arabic_text(text in ARABIC_TEXT) {
        check_idempotent(&text)?;
    }

    #[test]
    fn folding_is_idempotent_on_mixed_text(text in MIXED_TEXT) {
        check_idempotent(&text)?;
    }

    /// Any text.
    #[test]
    fn folding_is_idempotent_on_any_text(text in any::<String>()) {
        check_idempotent(&text)?;
    }
}

/// Every character on its own: the fast path agrees with the general path,
/// and the fold of every character is a fixed point. Exhaustive, so it does not depend on what the strategies generate.
#[test]
fn every_char_folds_consistently() {
    let mut a = Analyzer::new();
    let mut bad = Vec::new();
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        let s = c.to_string();
        if let Some(fast) = fold_fast(&s)
            && fast != fold_word(&s)
        {
            bad.push(format!("U+{:04X}: fast {fast:?} general {:?}", c as u32, fold_word(&s)));
        }
        let words = a.words(&s);
        // (A letter that stands alone and folds to several letters is
        // several words once folded: see `check_idempotent`.)
        if let [w] = words.as_slice()
            && a.words(w) != words
            && !(stands_alone(c) && w.chars().count() > 1)
        {
            bad.push(format!("U+{:04X}: {w:?} folds again to {:?}", c as u32, a.words(w)));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Each base letter of the fast path with each fast-path mark or control
/// after it, and a second mark after that: NFKC composes some of these
/// (alef/waw/ya with hamza or madda), and the fast path must agree.
#[test]
fn fast_path_agrees_on_letter_mark_pairs() {
    let letters = (0x0621..=0x064Au32).chain([0x0671, 0x06CC, 0x06A9]).chain(0x0660..=0x0669).chain([0x61, 0x41]);
    let marks: Vec<u32> = (0x064B..=0x065F).chain([0x0670, 0x0640, 0x200C, 0x200F]).chain(0x06D6..=0x06ED).collect();
    let mut bad = Vec::new();
    for l in letters.filter_map(char::from_u32) {
        for &m1 in &marks {
            for &m2 in &marks {
                let w: String = [l, char::from_u32(m1).unwrap(), char::from_u32(m2).unwrap()].into_iter().collect();
                if let Some(fast) = fold_fast(&w)
                    && fast != fold_word(&w)
                {
                    bad.push(format!("{w:?}: fast {fast:?} general {:?}", fold_word(&w)));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
