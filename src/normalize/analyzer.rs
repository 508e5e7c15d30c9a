//! The [`Analyzer`]: the normalize stage's entry points (tokens, word
//! hashes, folded words) over the one word loop of `scan`.

use super::hash::WordHash;
use super::scan::scan;
use crate::model::{Span, Token};

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
    ///
    /// [`hash_word`]: super::hash_word
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
    ///
    /// [`hash_word`]: super::hash_word
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
    fn only_marks_make_no_token() {
        assert!(spans("\u{064E}\u{0640} \u{200F}").is_empty());
    }
}
