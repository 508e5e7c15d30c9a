//! The fast parse of a JSONL line, by hand: the common case (see
//! [`parse_fast`] for why not serde_json).

use super::cursor::Cursor;
use super::strict::{Line, TextField, parse_strict};
use crate::read::fields::{Fields, Slot};

/// The common case, fast: a line without raw control characters whose `text`
/// is a string. `None` for anything else, which [`parse_strict`] then parses
/// to say exactly what is wrong; where both succeed they agree (tested, also
/// on generated JSON).
///
/// Read by hand ([`Cursor`]) rather than by serde_json: serde_json unescapes
/// a string through a scratch buffer that every line grows anew from nothing
/// and then hands it to be copied, and it can only skip a string it does not
/// build by checking it eight bytes at a time; `text` cost 12% of `sada
/// sign`'s instructions on the Arabic bench corpus that way, whose texts hold
/// `\n` escapes (callgrind). Here the whole line is checked as UTF-8 by
/// simdutf8 first, and `text` is unescaped into its `String` in the same pass
/// of the `memchr` crate's vectorized search that finds its end. Control
/// characters are ruled out beforehand for the whole line too: outside
/// strings JSON allows only tab, CR and LF among them, and a CR ending the
/// line (CRLF files) is set aside. A line with invalid UTF-8 anywhere (also
/// in a key sada ignores, which serde_json accepts) goes the strict way.
///
/// Keys are matched as [`Fields`] says: the default names as literals, so
/// that naming fields costs nothing when none is named.
pub(super) fn parse_fast(line: &[u8], fields: &Fields) -> Option<Line<TextField>> {
    let body = line.strip_suffix(b"\r").unwrap_or(line);
    if has_control(body) {
        return None;
    }
    let body = simdutf8::basic::from_utf8(body).ok()?;
    let mut out =
        Line { id: None, text: TextField::Missing, url: None, source: None, date: None, published: None, title: None };
    let mut cursor = Cursor { line: body, at: 0 };
    cursor.ws();
    cursor.eat(b'{').then_some(())?;
    cursor.ws();
    if !cursor.eat(b'}') {
        // The keys sada reads, seen so far: each may appear once (serde's rule).
        let mut seen = 0u8;
        loop {
            let key = cursor.key()?.as_bytes();
            cursor.ws();
            cursor.eat(b':').then_some(())?;
            cursor.ws();
            let (bit, field) = match fields.slot(key) {
                Some(Slot::Text) => {
                    out.text = TextField::String(cursor.string()?);
                    (1, None)
                }
                Some(Slot::Id) => (2, Some(&mut out.id)),
                Some(Slot::Url) => (4, Some(&mut out.url)),
                Some(Slot::Source) => (8, Some(&mut out.source)),
                Some(Slot::Date) => (16, Some(&mut out.date)),
                Some(Slot::Published) => (32, Some(&mut out.published)),
                Some(Slot::Title) => (64, Some(&mut out.title)),
                None => {
                    cursor.skip_value(0)?;
                    (0, None)
                }
            };
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            if let Some(field) = field {
                *field = cursor.small_value()?;
            }
            cursor.ws();
            if cursor.eat(b',') {
                cursor.ws();
                continue;
            }
            cursor.eat(b'}').then_some(())?;
            break;
        }
    }
    cursor.ws();
    (cursor.at == body.len()).then_some(out)
}

/// Panics if [`parse_fast`] takes `line` and reads it otherwise than
/// [`parse_strict`], with the default field names and with `fields`: the
/// invariant the `jsonl` fuzz target checks.
pub(crate) fn check_fast_parse(line: &[u8], fields: &Fields) {
    for fields in [&Fields::default(), fields] {
        if let Some(fast) = parse_fast(line, fields) {
            assert_eq!(Ok(&fast), parse_strict(line, fields).as_ref(), "fast and strict parses differ");
        }
    }
}

/// Whether `line` holds a byte below 0x20. Written as the least byte of
/// each block so that it compiles to vector minimums, with no branch per
/// byte.
fn has_control(line: &[u8]) -> bool {
    line.chunks(128).any(|block| block.iter().fold(u8::MAX, |least, &b| least.min(b)) < 0x20)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    /// Lines of every kind the reader meets: escapes of each sort, surrogate
    /// pairs and a lone one, raw controls inside and outside strings, CRLF,
    /// `text` of every type or missing, nested values in ignored keys, and
    /// invalid UTF-8 in a read field, in `text` and in an ignored one.
    fn awkward_lines() -> Vec<Vec<u8>> {
        let mut lines: Vec<Vec<u8>> = [
            r#"{"id": "a", "text": "سطر أول"}"#,
            r#"{"id": 7, "text": "فقرة\n\nثانية \"مقتبسة\" \\ \/ \t\b\f\r", "url": "https://a.iq/x"}"#,
            r#"{"text": "\u0627\u0644\u0639\u0631\u0627\u0642 \ud83d\ude00 \u0000", "source": "", "date": "2024"}"#,
            r#"{"id": "lone", "text": "\ud800 x"}"#,
            r#"{"id": "num", "text": 5}"#,
            r#"{"id": "nul", "text": null}"#,
            r#"{"id": "arr", "text": ["a", "b"]}"#,
            r#"{"id": "obj", "text": {"a": 1}}"#,
            r#"{"id": "none"}"#,
            r#"{"id": "twice", "text": "a", "text": "b"}"#,
            r#"{"meta": {"tags": ["x", {"y": null}], "n": -1.5e3}, "text": "نص", "published": "2023"}"#,
            r#"  {"id": "spaced" ,  "text" : "نص"  }  "#,
            r#"{"id": "nested-text", "meta": {"text": "لا", "list": [{"text": 1}, "]"]}, "n": -12, "ok": true, "text": "نعم"}"#,
            r#"{"id": "escaped-key", "te\u0078t": "نص"}"#,
            r#"["array-form", "نص"]"#,
            r#"{"id": "bad-escape", "text": "a\qb"}"#,
            r#"{"id": 007, "text": "lead-zero"}"#,
            r#"{"id": 123456789012345678901234567890, "text": "big-id"}"#,
            r#"{"id": 12, "text": "int-id", "url": null, "date": true}"#,
            r#"{"id": "short-u", "text": "a\u06"}"#,
            r#"{"id": "low-first", "text": "\udc00\ud800"}"#,
            r#"["not", "an", "object"]"#,
            r#""a string""#,
            r#"{"id": "cut", "text": "نص"#,
            r#"{"id": "trailing", "text": "نص"} x"#,
            "{\"id\": \"crlf\", \"text\": \"نص\"}\r",
            "{\"id\": \"tab\",\t\"text\": \"نص\"}",
            "{\"id\": \"raw-tab\", \"text\": \"a\tb\"}",
            "{\"id\": \"raw-nul\", \"text\": \"a\0b\"}",
            "",
            "   ",
        ]
        .iter()
        .map(|l| l.as_bytes().to_vec())
        .collect();
        lines.push(b"{\"id\": \"bad-text\", \"text\": \"a\xffb\"}".to_vec());
        lines.push(b"{\"id\": \"bad-\xc3\", \"text\": \"ab\"}".to_vec());
        lines.push(b"{\"id\": \"bad-ignored\", \"text\": \"ab\", \"html\": \"\xfe\"}".to_vec());
        lines
    }

    #[test]
    fn fast_and_strict_parses_agree_where_both_succeed() {
        for line in awkward_lines() {
            let shown = String::from_utf8_lossy(&line);
            let strict = parse_strict(&line, &Fields::default());
            match (parse_fast(&line, &Fields::default()), &strict) {
                (Some(fast), Ok(strict)) => assert_eq!(&fast, strict, "{shown}"),
                // Only a lone surrogate, which serde_json refuses, is read
                // by the fast parse alone (as U+FFFD).
                (Some(_), Err(e)) => assert!(e.contains("escape") || e.contains("surrogate"), "{shown}: {e}"),
                (None, _) => {}
            }
        }
    }

    #[test]
    fn the_fast_parse_takes_the_common_lines() {
        let lines = awkward_lines();
        let fast = |id: &str| {
            let line = lines.iter().find(|l| String::from_utf8_lossy(l).contains(&format!("\"{id}\""))).unwrap();
            parse_fast(line, &Fields::default()).is_some()
        };
        for id in ["a", "spaced", "crlf", "none", "nested-text", "int-id", "lone", "low-first"] {
            assert!(fast(id), "{id}");
        }
        let strict = [
            "num",
            "nul",
            "arr",
            "obj",
            "twice",
            "cut",
            "trailing",
            "tab",
            "raw-tab",
            "raw-nul",
            "bad-text",
            "escaped-key",
            "array-form",
            "bad-escape",
            "short-u",
            "lead-zero",
            "big-id",
            // Invalid UTF-8 in a key sada ignores: accepted, by the strict parse.
            "bad-ignored",
        ];
        for id in strict {
            assert!(!fast(id), "{id}");
        }
    }

    #[test]
    fn deep_nesting_is_left_to_serde_past_the_limit() {
        for depth in [1, 2, 126, 127, 128, 500] {
            let line = format!(r#"{{"meta": {}{}, "text": "نص"}}"#, "[".repeat(depth), "]".repeat(depth));
            let strict = parse_strict(line.as_bytes(), &Fields::default()).expect("serde_json skips any nesting");
            match parse_fast(line.as_bytes(), &Fields::default()) {
                Some(fast) => assert_eq!(fast, strict, "{depth}"),
                None => assert!(depth > Cursor::MAX_DEPTH as usize, "{depth}"),
            }
        }
    }

    #[test]
    fn controls_are_found_in_every_block() {
        assert!(!has_control("نص عربي طويل ".repeat(40).as_bytes()));
        for at in [0, 63, 64, 127, 128, 500] {
            let mut line = vec![b'a'; 501];
            line[at] = b'\n';
            assert!(has_control(&line), "at {at}");
        }
    }

    use proptest::prelude::*;

    /// Field names other than the defaults.
    fn custom_fields() -> Fields {
        let names = crate::read::FieldNames {
            text: Some("body".into()),
            id: Some("url".into()),
            url: Some("link".into()),
            date: Some("published".into()),
            title: Some("doc".into()),
            ..Default::default()
        };
        Fields::new(&names).unwrap()
    }

    #[test]
    fn custom_names_read_their_keys_by_both_parses() {
        let fields = custom_fields();
        let line = br#"{"body": "\u0646\u0635", "url": 7, "link": "https://a.iq/x", "published": "2024", "text": "no", "id": "no"}"#;
        let fast = parse_fast(line, &fields).expect("plain line");
        assert_eq!(Ok(&fast), parse_strict(line, &fields).as_ref());
        assert_eq!(fast.text, TextField::String("نص".into()));
        assert_eq!(fast.id, Some(Value::from(7)));
        assert_eq!(fast.url, Some(Value::from("https://a.iq/x")));
        assert_eq!(fast.date, Some(Value::from("2024")));
        assert_eq!(fast.published, None);
        let twice = br#"{"body": "a", "body": "b"}"#;
        assert_eq!(parse_fast(twice, &fields), None);
        let e = parse_strict(twice, &fields).unwrap_err();
        assert!(e.contains("duplicate field `body`"), "{e}");
        // Every awkward line reads alike by both parses with these names too.
        for line in awkward_lines() {
            if let (Some(fast), Ok(strict)) = (parse_fast(&line, &fields), parse_strict(&line, &fields)) {
                assert_eq!(fast, strict, "{}", String::from_utf8_lossy(&line));
            }
        }
    }

    /// JSON values of every kind, nested a few levels.
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            "(\\PC|[\"\\\\\u{0}-\u{1f}\u{600}-\u{6ff}]){0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::vec(("(id|text|url|source|date|published|title|[a-z]{1,3})", inner), 0..4)
                    .prop_map(|fields| Value::Object(fields.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Any record serde_json writes (it escapes controls) takes the fast
        /// parse and reads as the strict one does.
        #[test]
        fn written_records_parse_fast_and_alike(
            id in "\\PC{0,12}",
            text in "(\\PC|[\u{0}-\u{1f}\"\\\\\u{600}-\u{6ff}]){0,200}",
            extra in proptest::option::of("\\PC{0,20}"),
        ) {
            let mut record = serde_json::json!({"id": id, "text": text});
            if let Some(extra) = extra {
                record["meta"] = serde_json::json!({"note": extra, "list": [1, 2.5, null]});
            }
            let line = serde_json::to_vec(&record).unwrap();
            let fast = parse_fast(&line, &Fields::default());
            proptest::prop_assert!(fast.is_some());
            let strict = parse_strict(&line, &Fields::default());
            proptest::prop_assert_eq!(fast.as_ref(), strict.as_ref().ok());
            proptest::prop_assert_eq!(fast.unwrap().text, TextField::String(text));
        }

        /// Wherever the hand-written parse takes a line, even a damaged one,
        /// it reads what serde_json reads: objects of the keys sada reads
        /// (some twice) with values mostly strings, and other keys with values
        /// of every kind, in any order, then maybe a byte replaced, removed or
        /// inserted.
        #[test]
        fn the_fast_parse_never_disagrees_with_serde(
            fields in (
                proptest::collection::vec(("(id|text|url|source|date|published|title|body|doc|link)", prop_oneof![
                    6 => "(\\PC|[\"\\\\\u{0}-\u{1f}\u{600}-\u{6ff}]){0,12}".prop_map(Value::from),
                    1 => any::<u64>().prop_map(Value::from),
                    1 => json_value(),
                ]), 0..5),
                proptest::collection::vec(("[a-z]{1,3}", json_value()), 0..3),
            ).prop_flat_map(|(known, other)| Just([known, other].concat()).prop_shuffle()),
            edits in proptest::collection::vec((any::<proptest::sample::Index>(), 0..3u8, proptest::sample::select(
                b" \t{}[],:\"\\/0159-+.eEunlrtfabu".to_vec())), 0..2),
        ) {
            let mut line = Vec::from(&b"{"[..]);
            for (i, (key, value)) in fields.iter().enumerate() {
                if i > 0 {
                    line.push(b',');
                }
                line.extend(serde_json::to_vec(key).unwrap());
                line.push(b':');
                line.extend(serde_json::to_vec(value).unwrap());
            }
            line.push(b'}');
            for (at, kind, byte) in edits {
                let at = at.index(line.len() + 1);
                match kind {
                    0 if at < line.len() => line[at] = byte,
                    1 if at < line.len() => drop(line.remove(at)),
                    _ => line.insert(at, byte),
                }
            }
            // The default names, and others, some of them default names of
            // other parts (`--id-field url`, `--date-field published`).
            for fields in [Fields::default(), custom_fields()] {
                if let Some(fast) = parse_fast(&line, &fields) {
                    let strict = parse_strict(&line, &fields);
                    proptest::prop_assert_eq!(Ok(&fast), strict.as_ref(), "{}", String::from_utf8_lossy(&line));
                }
            }
        }
    }
}
