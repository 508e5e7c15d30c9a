//! [`Cursor`]: the hand-written JSON scanner of the fast parse
//! ([`super::fast::parse_fast`]).

use serde_json::Value;

/// A place in a JSONL line for [`parse_fast`]. Every method returns `None`
/// where the line is not what it reads (or is JSON it leaves to serde_json),
/// so `?` hands the line to [`parse_strict`].
///
/// [`parse_fast`]: super::fast::parse_fast
/// [`parse_strict`]: super::strict::parse_strict
pub(super) struct Cursor<'a> {
    pub(super) line: &'a str,
    pub(super) at: usize,
}

impl<'a> Cursor<'a> {
    /// Nesting of an ignored value read here (it recurses); deeper values,
    /// which serde_json skips without a limit, go to the strict parse.
    pub(super) const MAX_DEPTH: u32 = 127;

    fn peek(&self) -> Option<u8> {
        self.line.as_bytes().get(self.at).copied()
    }

    /// Steps over `byte` if it comes next.
    pub(super) fn eat(&mut self, byte: u8) -> bool {
        let next = self.peek() == Some(byte);
        self.at += usize::from(next);
        next
    }

    /// Steps over `word` (a literal) if it comes next.
    fn eat_word(&mut self, word: &str) -> bool {
        let next = self.line.as_bytes()[self.at..].starts_with(word.as_bytes());
        self.at += if next { word.len() } else { 0 };
        next
    }

    /// JSON whitespace.
    pub(super) fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Where the next quote or backslash is, from `self.at` on.
    fn next_special(&self) -> Option<usize> {
        memchr::memchr2(b'"', b'\\', &self.line.as_bytes()[self.at..]).map(|i| self.at + i)
    }

    /// Steps over the escape after a backslash at `self.at - 1`, and returns
    /// the character it stands for (`None` if it is not one JSON allows).
    /// A `\uXXXX` that is half of a surrogate pair without its other half
    /// stands for U+FFFD, as a decoder replaces what it cannot decode:
    /// Python's `json.dumps` writes such escapes for text that held a lone
    /// surrogate, and one of them must not cost the whole record (serde_json
    /// refuses them).
    fn escape(&mut self) -> Option<char> {
        let escaped = self.peek()?;
        self.at += 1;
        Some(match escaped {
            b'u' => {
                let unit = self.hex4()?;
                match unit {
                    0xD800..=0xDBFF => {
                        let before = self.at;
                        let low = self.eat_word("\\u").then(|| self.hex4()).flatten();
                        match low.filter(|low| (0xDC00..=0xDFFF).contains(low)) {
                            Some(low) => char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))?,
                            None => {
                                self.at = before;
                                char::REPLACEMENT_CHARACTER
                            }
                        }
                    }
                    0xDC00..=0xDFFF => char::REPLACEMENT_CHARACTER,
                    _ => char::from_u32(unit)?,
                }
            }
            other => simple_escape(other)?,
        })
    }

    /// Steps over four hex digits and returns their value.
    fn hex4(&mut self) -> Option<u32> {
        let digits = self.line.get(self.at..self.at + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    /// Steps over the string that comes next (escapes checked as serde_json
    /// checks a string it skips: `\uXXXX` only for its four hex digits) and
    /// returns its contents as written.
    fn raw_string(&mut self) -> Option<&'a str> {
        if !self.eat(b'"') {
            return None;
        }
        let start = self.at;
        loop {
            self.at = self.next_special()?;
            if self.eat(b'"') {
                return Some(&self.line[start..self.at - 1]);
            }
            self.at += 1;
            match self.peek()? {
                b'u' => {
                    self.at += 1;
                    self.hex4()?;
                }
                other => {
                    simple_escape(other)?;
                    self.at += 1;
                }
            }
        }
    }

    /// A key without escapes (one with them might spell a key sada reads).
    pub(super) fn key(&mut self) -> Option<&'a str> {
        self.raw_string().filter(|key| !key.contains('\\'))
    }

    /// The string that comes next, unescaped as it is scanned: one pass, and
    /// one allocation (exact without escapes; with them, the rest of the
    /// line, which bounds it: `text` is most of a line).
    pub(super) fn string(&mut self) -> Option<String> {
        if !self.eat(b'"') {
            return None;
        }
        let mut piece = self.at;
        self.at = self.next_special()?;
        if self.eat(b'"') {
            return Some(self.line[piece..self.at - 1].to_owned());
        }
        let mut out = String::with_capacity(self.line.len() - piece);
        loop {
            out.push_str(&self.line[piece..self.at]);
            if self.eat(b'"') {
                return Some(out);
            }
            self.at += 1;
            out.push(self.escape()?);
            piece = self.at;
            self.at = self.next_special()?;
        }
    }

    /// The value of a key sada reads but `text`, as serde_json reads it
    /// into an `Option<Value>`: a string, `true`/`false`, `null` (`None`),
    /// or a plain integer of up to 18 digits; anything else goes to serde.
    pub(super) fn small_value(&mut self) -> Option<Option<Value>> {
        match self.peek()? {
            b'"' => {
                // An escape (PHP writes `\/` in every URL) sized it for the
                // rest of the line; it is kept with the record.
                let mut s = self.string()?;
                s.shrink_to_fit();
                Some(Some(Value::String(s)))
            }
            b'n' => self.eat_word("null").then_some(None),
            b't' => self.eat_word("true").then_some(Some(Value::Bool(true))),
            b'f' => self.eat_word("false").then_some(Some(Value::Bool(false))),
            b'0'..=b'9' => {
                let start = self.at;
                self.digits();
                let digits = &self.line[start..self.at];
                let plain = digits.len() <= 18 && (!digits.starts_with('0') || digits.len() == 1);
                let ends = !matches!(self.peek(), Some(b'.' | b'e' | b'E'));
                let n: u64 = digits.parse().ok()?;
                (plain && ends).then_some(Some(Value::from(n)))
            }
            _ => None,
        }
    }

    /// Steps over ASCII digits; how many.
    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }

    /// Steps over the value that comes next, checking it as serde_json checks
    /// a value it skips (strings not as UTF-8), at nesting `depth`.
    pub(super) fn skip_value(&mut self, depth: u32) -> Option<()> {
        match self.peek()? {
            b'"' => self.raw_string().map(drop),
            b'n' => self.eat_word("null").then_some(()),
            b't' => self.eat_word("true").then_some(()),
            b'f' => self.eat_word("false").then_some(()),
            b'-' | b'0'..=b'9' => self.skip_number(),
            open @ (b'{' | b'[') => {
                if depth >= Self::MAX_DEPTH {
                    return None;
                }
                let close = if open == b'{' { b'}' } else { b']' };
                self.at += 1;
                self.ws();
                if self.eat(close) {
                    return Some(());
                }
                loop {
                    if open == b'{' {
                        self.raw_string()?;
                        self.ws();
                        if !self.eat(b':') {
                            return None;
                        }
                        self.ws();
                    }
                    self.skip_value(depth + 1)?;
                    self.ws();
                    if self.eat(close) {
                        return Some(());
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                    self.ws();
                }
            }
            _ => None,
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn skip_number(&mut self) -> Option<()> {
        self.eat(b'-');
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.eat(b'.') && self.digits() == 0 {
            return None;
        }
        if self.eat(b'e') || self.eat(b'E') {
            let _sign = self.eat(b'+') || self.eat(b'-');
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }
}

/// The character a one-letter JSON escape (`\n`, `\"`, …) stands for.
fn simple_escape(letter: u8) -> Option<char> {
    Some(match letter {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_read_every_escape_and_refuse_what_json_does_but_lone_surrogates() {
        let read = |s: &str| Cursor { line: s, at: 0 }.string();
        assert_eq!(
            read(r#""سطر\n\"اقتباس\" \\ \/ \t\b\f\r" tail"#).as_deref(),
            Some("سطر\n\"اقتباس\" \\ / \t\u{8}\u{c}\r")
        );
        assert_eq!(read(r#""\u0627\u06FF \ud83d\ude00 \u0000""#).as_deref(), Some("\u{627}\u{6ff} 😀 \0"));
        assert_eq!(read(r#""بلا هروب""#).as_deref(), Some("بلا هروب"));
        for bad in [r#""\q""#, r#""\""#, r#""\u06""#, r#""\u06G0""#, r#""open"#] {
            assert_eq!(read(bad), None, "{bad}");
        }
        // Half a surrogate pair is U+FFFD; what follows it is read as usual.
        assert_eq!(read(r#""\ud800""#).as_deref(), Some("\u{FFFD}"));
        assert_eq!(read(r#""\ud800\u0041""#).as_deref(), Some("\u{FFFD}A"));
        assert_eq!(read(r#""\udc00\ud83d\ude00""#).as_deref(), Some("\u{FFFD}😀"));
    }
}
