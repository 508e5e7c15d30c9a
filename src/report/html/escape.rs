//! What the page says in text: input escaped for HTML, counts and
//! percentages formatted.

use std::fmt;

/// HTML-escapes text for element content and attribute values.
pub(super) struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let mut last = 0;
        for (i, b) in s.bytes().enumerate() {
            let entity = match b {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => continue,
            };
            f.write_str(&s[last..i])?;
            f.write_str(entity)?;
            last = i + 1;
        }
        f.write_str(&s[last..])
    }
}

/// Like [`Esc`], for text shown with `white-space: pre-line`: a run of
/// whitespace holding line breaks becomes one line break, so the blank lines
/// between paragraphs do not stretch the cards.
pub(super) struct EscText<'a>(pub &'a str);

impl fmt::Display for EscText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(i) = rest.find('\n') {
            let start = rest[..i].trim_end().len();
            let end = rest.len() - rest[i..].trim_start().len();
            writeln!(f, "{}", Esc(&rest[..start]))?;
            rest = &rest[end..];
        }
        Esc(rest).fmt(f)
    }
}

/// A count with thousands separators: 1,234,567.
pub(super) struct Thousands(pub u64);

impl fmt::Display for Thousands {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                f.write_str(",")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// `part` of `whole` as a percentage with one decimal, for bar widths.
pub(super) fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0".to_string();
    }
    let tenths = (part * 1000 + whole / 2) / whole;
    format!("{}.{}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_numbers() {
        assert_eq!(Esc("<a href='x'>&\"</a>").to_string(), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
        assert_eq!(Thousands(1234567).to_string(), "1,234,567");
        assert_eq!(Thousands(999).to_string(), "999");
        assert_eq!(pct(1, 3), "33.3");
        assert_eq!(pct(5, 0), "0");
    }

    #[test]
    fn escaping_keeps_other_text_as_it_is() {
        assert_eq!(Esc("").to_string(), "");
        assert_eq!(Esc("قال «أحمد» — 5").to_string(), "قال «أحمد» — 5");
        assert_eq!(Esc("&&").to_string(), "&amp;&amp;");
    }

    #[test]
    fn text_escaping_folds_line_breaks_and_their_whitespace() {
        assert_eq!(EscText("a <b>\n\n  c \r\n d").to_string(), "a &lt;b&gt;\nc\nd");
        assert_eq!(EscText("no break  here ").to_string(), "no break  here ");
        assert_eq!(EscText("\nlead").to_string(), "\nlead");
        assert_eq!(EscText("trail \n").to_string(), "trail\n");
    }

    #[test]
    fn numbers_at_the_edges() {
        assert_eq!(Thousands(0).to_string(), "0");
        assert_eq!(Thousands(1000).to_string(), "1,000");
        assert_eq!(Thousands(u64::MAX).to_string(), "18,446,744,073,709,551,615");
        assert_eq!(pct(0, 7), "0.0");
        assert_eq!(pct(7, 7), "100.0");
        assert_eq!(pct(1, 2000), "0.1");
    }
}
