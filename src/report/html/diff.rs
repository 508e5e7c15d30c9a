//! Word-level diffs on folded words, so that spelling variants sada treats
//! as equal (hamza seats, harakat, ta marbuta, case) are not differences.
//!
//! Texts are compared as the pipeline sees them: the [`Token`]s of
//! [`Analyzer::tokens`], the same word boundaries and hashes as every other
//! stage, with each token's span pointing back into the original text for
//! what is shown.

use std::io::{self, Write};
use std::ops::Range;

use super::escape::EscText as Esc;
use crate::model::Token;
use crate::normalize::Analyzer;

/// Identical words kept on each side of a change in a cluster diff; longer
/// identical runs collapse to a count.
const DIFF_CONTEXT_WORDS: usize = 12;

/// Beyond this many inserted or deleted words two texts are not diffed:
/// Myers' algorithm costs O((N+M)·D) time and O(D²) memory.
const MAX_EDITS: usize = 1000;

/// For each text, its tokens and which of them differ: each text from the
/// first, and the first's words that differ from any other text.
pub(super) fn against_first(analyzer: &mut Analyzer, texts: &[&str]) -> Vec<(Vec<Token>, Vec<bool>)> {
    let mut out: Vec<(Vec<Token>, Vec<bool>)> = texts
        .iter()
        .map(|t| {
            let tokens = analyzer.tokens(t);
            let n = tokens.len();
            (tokens, vec![false; n])
        })
        .collect();
    let Some(((first, first_flags), rest)) = out.split_first_mut() else { return out };
    for (tokens, flags) in rest {
        if let Some((a, b)) = differing(first, tokens) {
            first_flags.iter_mut().zip(a).for_each(|(f, d)| *f |= d);
            *flags = b;
        }
    }
    out
}

/// Which words of `a` and of `b` are not in their longest common
/// subsequence. Unmatched words at an edge count only if the other text
/// also has unmatched words there: one occurrence extending further than
/// another is a longer quote, not an edit. `None` when the texts are too
/// different to diff.
pub(super) fn differing(a: &[Token], b: &[Token]) -> Option<(Vec<bool>, Vec<bool>)> {
    let pairs = lcs(a, b)?;
    let (mut da, mut db) = (vec![true; a.len()], vec![true; b.len()]);
    for &(i, j) in &pairs {
        da[i] = false;
        db[j] = false;
    }
    if let (Some(&(i0, j0)), Some(&(i1, j1))) = (pairs.first(), pairs.last()) {
        if i0 == 0 || j0 == 0 {
            da[..i0].fill(false);
            db[..j0].fill(false);
        }
        if i1 + 1 == a.len() || j1 + 1 == b.len() {
            da[i1 + 1..].fill(false);
            db[j1 + 1..].fill(false);
        }
    }
    Some((da, db))
}

/// Writes `text` escaped, with each run of flagged words (and what lies
/// between them) in one `<span class="diff">`. `tokens` are `text`'s.
pub(super) fn write_marked(w: &mut impl Write, text: &str, tokens: &[Token], flags: &[bool]) -> io::Result<()> {
    let mut pos = 0;
    let mut i = 0;
    while i < flags.len() {
        if !flags[i] {
            i += 1;
            continue;
        }
        let first = i;
        while i < flags.len() && flags[i] {
            i += 1;
        }
        let (s, e) = (tokens[first].span.start as usize, tokens[i - 1].span.end as usize);
        write!(w, "{}<span class=\"diff\">{}</span>", Esc(&text[pos..s]), Esc(&text[s..e]))?;
        pos = e;
    }
    write!(w, "{}", Esc(&text[pos..]))
}

/// A step of an edit script over word indexes.
#[derive(Debug, PartialEq)]
pub(super) enum Op {
    /// Equal words: `b`'s range (`a`'s is as long).
    Same(Range<usize>),
    /// Words of `a` replaced by words of `b` (either may be empty).
    Change(Range<usize>, Range<usize>),
}

/// The edit script from matched pairs.
pub(super) fn ops(pairs: &[(usize, usize)], na: usize, nb: usize) -> Vec<Op> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    let mut k = 0;
    while k < pairs.len() {
        let (pi, pj) = pairs[k];
        if (i, j) != (pi, pj) {
            out.push(Op::Change(i..pi, j..pj));
        }
        let mut len = 1;
        while k + len < pairs.len() && pairs[k + len] == (pi + len, pj + len) {
            len += 1;
        }
        out.push(Op::Same(pj..pj + len));
        (i, j, k) = (pi + len, pj + len, k + len);
    }
    if i < na || j < nb {
        out.push(Op::Change(i..na, j..nb));
    }
    out
}

/// Writes `b` as an inline diff against `a`: `a`'s words it lacks in
/// `<del>`, its own extra words in `<ins>`, long identical runs collapsed
/// to a count.
pub(super) fn write_inline(w: &mut impl Write, analyzer: &mut Analyzer, a: &str, b: &str) -> io::Result<()> {
    let (ta, tb) = (analyzer.tokens(a), analyzer.tokens(b));
    let Some(pairs) = lcs(&ta, &tb) else {
        return write!(w, "<span class=\"gap\">The texts differ in more than {MAX_EDITS} words; no diff shown.</span>");
    };
    let ops = ops(&pairs, ta.len(), tb.len());
    if ops.iter().all(|op| matches!(op, Op::Same(_))) {
        return write!(
            w,
            "<span class=\"gap\">Same words as the representative; they differ at most in spelling variants, \
             punctuation or spacing.</span>"
        );
    }
    let word = |ts: &[Token], r: &Range<usize>| ts[r.start].span.start as usize..ts[r.end - 1].span.end as usize;
    let mut pos = 0;
    for (k, op) in ops.iter().enumerate() {
        match op {
            Op::Same(r) => {
                let first = k == 0;
                let last = k + 1 == ops.len();
                pos = write_same(w, b, &tb, r.clone(), pos, first, last)?;
            }
            Op::Change(ra, rb) => {
                // The separator before the change stays `b`'s.
                let next = match ops.get(k + 1) {
                    _ if !rb.is_empty() => tb[rb.start].span.start as usize,
                    Some(Op::Same(r)) => tb[r.start].span.start as usize,
                    _ => b.len(),
                };
                write!(w, "{}", Esc(&b[pos..next]))?;
                pos = next;
                if !ra.is_empty() {
                    write!(w, "<del>{}</del> ", Esc(&a[word(&ta, ra)]))?;
                }
                if !rb.is_empty() {
                    let r = word(&tb, rb);
                    write!(w, "<ins>{}</ins>", Esc(&b[r.clone()]))?;
                    pos = r.end;
                }
            }
        }
    }
    write!(w, "{}", Esc(&b[pos..]))
}

/// Writes a run of identical words of `b` from byte `pos`, keeping
/// [`DIFF_CONTEXT_WORDS`] next to each change and collapsing the middle;
/// returns the new position.
fn write_same(
    w: &mut impl Write,
    b: &str,
    tb: &[Token],
    r: Range<usize>,
    pos: usize,
    first: bool,
    last: bool,
) -> io::Result<usize> {
    let keep_head = if first { 0 } else { DIFF_CONTEXT_WORDS };
    let keep_tail = if last { 0 } else { DIFF_CONTEXT_WORDS };
    if r.len() <= keep_head + keep_tail + DIFF_CONTEXT_WORDS {
        let end = tb[r.end - 1].span.end as usize;
        write!(w, "{}", Esc(&b[pos..end]))?;
        return Ok(end);
    }
    let (head_end, tail_start) = (r.start + keep_head, r.end - keep_tail);
    if keep_head > 0 {
        write!(w, "{}", Esc(&b[pos..tb[head_end - 1].span.end as usize]))?;
    }
    let sep = if keep_head > 0 { " " } else { "" };
    // `dir` isolates the note, so it reads the same inside Arabic text.
    write!(w, "{sep}<span class=\"gap\" dir=\"ltr\">[… {} identical words …]</span> ", tail_start - head_end)?;
    if keep_tail == 0 {
        return Ok(b.len());
    }
    let (s, e) = (tb[tail_start].span.start as usize, tb[r.end - 1].span.end as usize);
    write!(w, "{}", Esc(&b[s..e]))?;
    Ok(e)
}

/// Index pairs `(i, j)`, `a[i]` and `b[j]` the same word, of a longest
/// common subsequence, in order; `None` beyond [`MAX_EDITS`]. The common
/// prefix and suffix are matched first: near-duplicates share most of their
/// text, and Myers then only works on the middle.
pub(super) fn lcs(a: &[Token], b: &[Token]) -> Option<Vec<(usize, usize)>> {
    let pre = a.iter().zip(b).take_while(|(x, y)| x.hash == y.hash).count();
    let suf = a[pre..].iter().rev().zip(b[pre..].iter().rev()).take_while(|(x, y)| x.hash == y.hash).count();
    let mid = myers(&a[pre..a.len() - suf], &b[pre..b.len() - suf])?;
    let mut out: Vec<(usize, usize)> = (0..pre).map(|i| (i, i)).collect();
    out.extend(mid.into_iter().map(|(i, j)| (i + pre, j + pre)));
    out.extend((0..suf).map(|k| (a.len() - suf + k, b.len() - suf + k)));
    Some(out)
}

/// Myers' O((N+M)·D) shortest edit script, as matched pairs. Keeps the
/// furthest-reaching x of each diagonal after every step `d` (2d+1
/// values) to walk back.
fn myers(a: &[Token], b: &[Token]) -> Option<Vec<(usize, usize)>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m).min(MAX_EDITS as isize);
    let off = max + 1;
    let mut v = vec![0isize; 2 * max as usize + 3];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    for d in 0..=max {
        for k in (-d..=d).step_by(2) {
            let at = |k: isize| v[(off + k) as usize];
            let down = k == -d || (k != d && at(k - 1) < at(k + 1));
            let mut x = if down { at(k + 1) } else { at(k - 1) + 1 };
            let mut y = x - k;
            while x < n && y < m && a[x as usize].hash == b[y as usize].hash {
                x += 1;
                y += 1;
            }
            v[(off + k) as usize] = x;
            if x >= n && y >= m {
                trace.push(v[(off - d) as usize..=(off + d) as usize].to_vec());
                return Some(backtrack(&trace, n, m));
            }
        }
        trace.push(v[(off - d) as usize..=(off + d) as usize].to_vec());
    }
    None
}

fn backtrack(trace: &[Vec<isize>], n: isize, m: isize) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (1..trace.len() as isize).rev() {
        let k = x - y;
        let prev = &trace[(d - 1) as usize];
        let at = |k: isize| prev[(k + d - 1) as usize];
        let down = k == -d || (k != d && at(k - 1) < at(k + 1));
        let pk = if down { k + 1 } else { k - 1 };
        let (px, py) = (at(pk), at(pk) - pk);
        let (sx, sy) = if down { (px, py + 1) } else { (px + 1, py) };
        while x > sx && y > sy {
            x -= 1;
            y -= 1;
            pairs.push((x as usize, y as usize));
        }
        (x, y) = (px, py);
    }
    while x > 0 && y > 0 {
        x -= 1;
        y -= 1;
        pairs.push((x as usize, y as usize));
    }
    pairs.reverse();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Span;
    use crate::normalize::hash_word;

    /// Whitespace-separated words as tokens, hashed unfolded: for tests of
    /// the algorithm alone.
    fn toks(s: &str) -> Vec<Token> {
        s.split_whitespace()
            .map(|w| {
                let start = w.as_ptr() as usize - s.as_ptr() as usize;
                Token { hash: hash_word(w), span: Span::new(start, start + w.len()) }
            })
            .collect()
    }

    /// Brute-force LCS length, to check Myers against.
    fn lcs_len(a: &[Token], b: &[Token]) -> usize {
        let mut t = vec![vec![0; b.len() + 1]; a.len() + 1];
        for i in 0..a.len() {
            for j in 0..b.len() {
                t[i + 1][j + 1] = if a[i].hash == b[j].hash { t[i][j] + 1 } else { t[i][j + 1].max(t[i + 1][j]) };
            }
        }
        t[a.len()][b.len()]
    }

    fn inline(a: &str, b: &str) -> String {
        let mut out = Vec::new();
        write_inline(&mut out, &mut Analyzer::new(), a, b).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn marked(text: &str, flags: &[bool]) -> String {
        let tokens = Analyzer::new().tokens(text);
        let mut out = Vec::new();
        write_marked(&mut out, text, &tokens, flags).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The words of `text` flagged in `flags`, joined by spaces.
    fn flagged(text: &str, tokens: &[Token], flags: &[bool]) -> String {
        tokens.iter().zip(flags).filter(|x| *x.1).map(|x| &text[x.0.span.range()]).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn lcs_is_longest_and_valid() {
        let cases = [
            ("a b c d", "a x c d"),
            ("", "a b"),
            ("a b", ""),
            ("", ""),
            ("a b c a b b a", "c b a b a c"),
            ("x y z", "p q r"),
            ("a a a b", "b a a a"),
        ];
        for (a, b) in cases {
            let (a, b) = (toks(a), toks(b));
            let pairs = lcs(&a, &b).unwrap();
            assert_eq!(pairs.len(), lcs_len(&a, &b), "{a:?} {b:?}");
            assert!(pairs.windows(2).all(|p| p[0].0 < p[1].0 && p[0].1 < p[1].1));
            assert!(pairs.iter().all(|&(i, j)| a[i].hash == b[j].hash));
        }
    }

    #[test]
    fn texts_too_different_are_not_diffed() {
        let words = |p: &str, n: usize| (0..n).map(|i| format!("{p}{i}")).collect::<Vec<_>>().join(" ");
        let (a, b) = (words("a", MAX_EDITS / 2 + 1), words("b", MAX_EDITS / 2));
        assert!(lcs(&toks(&a), &toks(&b)).is_none());
        assert!(differing(&toks(&a), &toks(&b)).is_none());
        assert_eq!(
            inline(&a, &b),
            format!("<span class=\"gap\">The texts differ in more than {MAX_EDITS} words; no diff shown.</span>")
        );
        // Exactly MAX_EDITS edits are still diffed.
        let a = words("a", MAX_EDITS / 2);
        assert_eq!(lcs(&toks(&a), &toks(&b)), Some(vec![]));
    }

    #[test]
    fn a_substituted_word_differs_and_a_shorter_quote_does_not() {
        let (rep, other) = ("an russia ready to meet requests baghdad about arms", "to meet requests iraq about arms");
        let (ta, tb) = (toks(rep), toks(other));
        let (a, b) = differing(&ta, &tb).unwrap();
        assert_eq!(flagged(rep, &ta, &a), "baghdad");
        assert_eq!(flagged(other, &tb, &b), "iraq");
    }

    #[test]
    fn inserted_and_deleted_words_differ_on_their_side_only() {
        let (a, b) = ("the minister said on monday", "the minister said late on monday");
        let (ta, tb) = (toks(a), toks(b));
        let (da, db) = differing(&ta, &tb).unwrap();
        assert_eq!(flagged(a, &ta, &da), "");
        assert_eq!(flagged(b, &tb, &db), "late");
        let (db, da) = differing(&tb, &ta).unwrap();
        assert_eq!(flagged(b, &tb, &db), "late");
        assert_eq!(flagged(a, &ta, &da), "");
    }

    #[test]
    fn an_empty_side_leaves_every_word_of_the_other_differing() {
        let t = toks("a b");
        assert_eq!(differing(&t, &[]).unwrap(), (vec![true, true], vec![]));
        assert_eq!(differing(&[], &t).unwrap(), (vec![], vec![true, true]));
        assert_eq!(differing(&[], &[]).unwrap(), (vec![], vec![]));
    }

    #[test]
    fn folded_spellings_are_not_differences() {
        let mut an = Analyzer::new();
        let out = against_first(&mut an, &["قال أحمد إن المدرسة", "قال احمد ان المدرسه"]);
        assert!(out.iter().all(|(_, f)| f.iter().all(|d| !d)));
    }

    #[test]
    fn the_first_text_collects_the_differences_of_all_others() {
        let texts = ["a b c d e", "a x c d e", "a b c y e", "a b c d e"];
        let out = against_first(&mut Analyzer::new(), &texts);
        let shown: Vec<String> = texts.iter().zip(&out).map(|(t, (tokens, f))| flagged(t, tokens, f)).collect();
        assert_eq!(shown, ["b d", "x", "y", ""]);
        assert!(against_first(&mut Analyzer::new(), &[]).is_empty());
    }

    #[test]
    fn against_first_uses_the_pipeline_tokens() {
        let text = "Le «Président» a dit: l'accord — signé.";
        let mut an = Analyzer::new();
        let out = against_first(&mut an, &[text, text]);
        assert_eq!(out[0].0, an.tokens(text));
        let mut spans = Vec::new();
        an.for_each_word(text, |s, folded| spans.push((s, hash_word(folded))));
        assert_eq!(out[1].0.iter().map(|t| (t.span, t.hash)).collect::<Vec<_>>(), spans);
    }

    #[test]
    fn marked_text_is_escaped_and_wraps_runs() {
        assert_eq!(marked("a <b> c d", &[false, true, true, false]), "a &lt;<span class=\"diff\">b&gt; c</span> d");
        assert_eq!(marked("a b", &[true, false]), "<span class=\"diff\">a</span> b");
        assert_eq!(marked("a b", &[false, true]), "a <span class=\"diff\">b</span>");
        assert_eq!(marked("a b", &[false, false]), "a b");
        assert_eq!(marked("", &[]), "");
    }

    #[test]
    fn marked_arabic_keeps_its_marks_and_line_breaks() {
        let text = "قالَ الوزيرُ\n\nإنّ الاتفاقَ سيُوقَّع";
        let out = against_first(&mut Analyzer::new(), &[text, "قال الوزير ان الاتفاق سيوقع غدا"]);
        let (tokens, flags) = &out[0];
        assert!(flags.iter().all(|f| !f), "a longer quote is not an edit");
        let mut all = vec![false; tokens.len()];
        all[1] = true;
        all[2] = true;
        let mut w = Vec::new();
        write_marked(&mut w, text, tokens, &all).unwrap();
        assert_eq!(String::from_utf8(w).unwrap(), "قالَ <span class=\"diff\">الوزيرُ\nإنّ</span> الاتفاقَ سيُوقَّع");
    }

    #[test]
    fn marked_spans_lie_on_char_boundaries() {
        let texts = [
            "قالَ الوزيرُ إنّ الاتفاقَ سيُوقَّعُ غداً",
            "قال الوزير ـــ إن الاتفاق لن يوقع اليوم",
            "الـمـدرسة\u{200c}الجديدة «افتتحت» أمس",
            "café naïve e\u{200c}\u{301}tude 北京市 😀 emoji",
            "\u{feff}\u{200f}عنوان\u{200f} title",
            "",
        ];
        let mut an = Analyzer::new();
        for first in texts {
            let all: Vec<&str> = std::iter::once(first).chain(texts).collect();
            for (text, (tokens, flags)) in all.iter().zip(against_first(&mut an, &all)) {
                assert_eq!(tokens.len(), flags.len());
                for t in &tokens {
                    let r = t.span.range();
                    assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end), "{text:?} {r:?}");
                    assert!(!r.is_empty());
                }
                let mut out = Vec::new();
                write_marked(&mut out, text, &tokens, &flags).unwrap();
                let out = String::from_utf8(out).unwrap();
                // Nothing but the marks was added: the text reads as it was.
                let plain = out.replace("<span class=\"diff\">", "").replace("</span>", "");
                assert_eq!(plain, Esc(text).to_string());
            }
        }
    }

    #[test]
    fn ops_cover_both_texts() {
        let ops = ops(&[(1, 0), (2, 1), (4, 3)], 5, 5);
        assert_eq!(
            ops,
            [Op::Change(0..1, 0..0), Op::Same(0..2), Op::Change(3..4, 2..3), Op::Same(3..4), Op::Change(5..5, 4..5)]
        );
        assert_eq!(super::ops(&[], 0, 0), []);
        assert_eq!(super::ops(&[], 2, 0), [Op::Change(0..2, 0..0)]);
        assert_eq!(super::ops(&[(0, 0), (1, 1)], 2, 2), [Op::Same(0..2)]);
    }

    #[test]
    fn inline_diff_shows_deletions_and_insertions() {
        assert_eq!(
            inline("one two three four", "one 2 three four five"),
            "one <del>two</del> <ins>2</ins> three four <ins>five</ins>"
        );
        assert_eq!(inline("a b c", "a x b c"), "a <ins>x</ins> b c");
        assert_eq!(inline("a x b c", "a b c"), "a <del>x</del> b c");
        assert_eq!(inline("x a b", "a b"), "<del>x</del> a b");
        assert_eq!(inline("a b", "x a b"), "<ins>x</ins> a b");
    }

    #[test]
    fn inline_diff_of_empty_sides() {
        assert_eq!(inline("", "x y"), "<ins>x y</ins>");
        assert_eq!(inline("x y", ""), "<del>x y</del> ");
        assert!(inline("", "").starts_with("<span class=\"gap\">Same words"));
    }

    #[test]
    fn inline_diff_of_folded_spellings_is_no_diff() {
        let out = inline("قال أحمد إن المدرسة", "قال احمد ان المدرسه");
        assert!(out.starts_with("<span class=\"gap\">Same words as the representative"), "{out}");
    }

    #[test]
    fn inline_diff_of_arabic_keeps_the_member_spelling() {
        assert_eq!(
            inline("قال الوزير إن الاتفاق سيوقع غدا", "قال الوزيرُ ان الاتفاق سيوقّع اليوم"),
            "قال الوزيرُ ان الاتفاق سيوقّع <del>غدا</del> <ins>اليوم</ins>"
        );
    }

    #[test]
    fn inline_diff_escapes_both_sides() {
        assert_eq!(inline("a <b> c", "a <d> c"), "a &lt;<del>b</del> <ins>d</ins>&gt; c");
    }

    #[test]
    fn long_identical_runs_collapse_to_a_count() {
        let words: Vec<String> = (0..60).map(|i| format!("w{i}")).collect();
        let a = words.join(" ");
        let mut b_words = words.clone();
        b_words[30] = "changed".to_string();
        let out = inline(&a, &b_words.join(" "));
        let gap = |n: usize| format!("<span class=\"gap\" dir=\"ltr\">[… {n} identical words …]</span>");
        // 30 words before the change: the first run keeps none at its head
        // and DIFF_CONTEXT_WORDS at its tail.
        assert!(out.starts_with(&format!("{} w18", gap(30 - DIFF_CONTEXT_WORDS))), "{out}");
        assert!(out.contains("w29 <del>w30</del> <ins>changed</ins> w31"), "{out}");
        assert!(out.ends_with(&format!("w42 {} ", gap(29 - DIFF_CONTEXT_WORDS))), "{out}");
        // A short run between two changes stays whole.
        assert_eq!(inline("a b c d e", "a x c y e"), "a <del>b</del> <ins>x</ins> c <del>d</del> <ins>y</ins> e");
    }
}
