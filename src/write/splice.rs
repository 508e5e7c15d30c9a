//! Editing one JSON object line in place: the top-level members are found
//! by a byte scanner (no re-serialization, no UTF-8 check of fields sada does
//! not read), so that every byte sada is not asked to change stays as it
//! was — key order, spacing, escapes, even a stray byte in a field nobody
//! reads.

/// One top-level member of an object line: the byte ranges of its value,
/// and whether its key is the text's (`text` unless `--text-field` names
/// another) or `sada`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Member {
    pub key: Key,
    pub value: std::ops::Range<usize>,
}

/// The keys the writer cares about.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub(crate) enum Key {
    Text,
    Sada,
    Other,
}

/// The top-level members of the JSON object `line` (leading and trailing
/// whitespace allowed), in order; `None` when it is not one.
pub(crate) fn members(line: &[u8], text_key: &[u8]) -> Option<Vec<Member>> {
    let mut i = skip_ws(line, 0);
    if line.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(line, i + 1);
    let mut out = Vec::new();
    if line.get(i) == Some(&b'}') {
        return (skip_ws(line, i + 1) == line.len()).then_some(out);
    }
    loop {
        if line.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = string_end(line, i)?;
        let raw = &line[i..key_end];
        let key = key_of(raw, text_key);
        i = skip_ws(line, key_end);
        if line.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(line, i + 1);
        let end = value_end(line, i)?;
        out.push(Member { key, value: i..end });
        i = skip_ws(line, end);
        match line.get(i) {
            Some(b',') => i = skip_ws(line, i + 1),
            Some(b'}') => return (skip_ws(line, i + 1) == line.len()).then_some(out),
            _ => return None,
        }
    }
}

/// The key a quoted JSON string (quotes included) spells.
fn key_of(raw: &[u8], text_key: &[u8]) -> Key {
    let decoded: std::borrow::Cow<'_, [u8]> = if raw.contains(&b'\\') {
        match serde_json::from_slice::<String>(raw) {
            Ok(s) => s.into_bytes().into(),
            Err(_) => return Key::Other,
        }
    } else {
        raw[1..raw.len() - 1].into()
    };
    match &*decoded {
        k if k == text_key => Key::Text,
        b"sada" => Key::Sada,
        _ => Key::Other,
    }
}

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// One past the closing quote of the string opening at `i`.
fn string_end(s: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    while i < s.len() {
        match s[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// One past the end of the value starting at `i`.
fn value_end(s: &[u8], i: usize) -> Option<usize> {
    match *s.get(i)? {
        b'"' => string_end(s, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < s.len() {
                match s[j] {
                    b'"' => {
                        j = string_end(s, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < s.len() && !matches!(s[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// `line` with its `text_key` values replaced by `text` (serialized by
/// serde_json) when given, and with `sada` set to `annotation` when given:
/// every existing `sada` member's value is replaced in place, else the
/// member is added after the last one. `None` when `line` is not an object.
pub(crate) fn edit(line: &[u8], text_key: &[u8], text: Option<&str>, annotation: Option<&[u8]>) -> Option<Vec<u8>> {
    let members = members(line, text_key)?;
    let mut edits: Vec<(std::ops::Range<usize>, Vec<u8>)> = Vec::new();
    if let Some(text) = text {
        let json = serde_json::to_vec(text).expect("a string serializes");
        for m in members.iter().filter(|m| m.key == Key::Text) {
            edits.push((m.value.clone(), json.clone()));
        }
    }
    if let Some(a) = annotation {
        let mut replaced = false;
        for m in members.iter().filter(|m| m.key == Key::Sada) {
            edits.push((m.value.clone(), a.to_vec()));
            replaced = true;
        }
        if !replaced {
            let mut added = Vec::with_capacity(a.len() + 8);
            let at = match members.last() {
                Some(m) => {
                    added.extend_from_slice(b",");
                    m.value.end
                }
                // `{}`: right after the brace.
                None => line.iter().position(|&b| b == b'{')? + 1,
            };
            added.extend_from_slice(b"\"sada\":");
            added.extend_from_slice(a);
            edits.push((at..at, added));
        }
    }
    edits.sort_by_key(|e| e.0.start);
    let mut out = Vec::with_capacity(line.len() + edits.iter().map(|e| e.1.len()).sum::<usize>());
    let mut at = 0;
    for (range, bytes) in edits {
        out.extend_from_slice(&line[at..range.start]);
        out.extend_from_slice(&bytes);
        at = range.end;
    }
    out.extend_from_slice(&line[at..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_found_without_touching_other_bytes() {
        let line = br#" {"id" : 7, "t\u0065xt":"a\"}b", "x":[1,{"y":"]"}], "sada":null , "z": true} "#;
        let m = members(line, b"text").unwrap();
        assert_eq!(
            m.iter().map(|m| m.key).collect::<Vec<_>>(),
            [Key::Other, Key::Text, Key::Other, Key::Sada, Key::Other]
        );
        assert_eq!(&line[m[1].value.clone()], br#""a\"}b""#);
        assert_eq!(&line[m[2].value.clone()], br#"[1,{"y":"]"}]"#);
        assert!(members(b"[1]", b"text").is_none());
        assert!(members(b"{\"a\":1", b"text").is_none());
        assert!(members(b"{\"a\":1} x", b"text").is_none());
    }

    #[test]
    fn edits_change_only_what_is_asked() {
        let line = "{\"id\":\"\\u0061\", \"text\":\"caf\\u00e9 x\",\"k\":\"\u{e9}\"}".as_bytes();
        let out = edit(line, b"text", None, Some(b"{\"duplicate\":false}")).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"id\":\"\\u0061\", \"text\":\"caf\\u00e9 x\",\"k\":\"\u{e9}\",\"sada\":{\"duplicate\":false}}"
        );
        let out = edit(line, b"text", Some("café"), None).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "{\"id\":\"\\u0061\", \"text\":\"café\",\"k\":\"\u{e9}\"}");
        // An existing `sada` is replaced where it stands.
        let out = edit(b"{\"sada\": [1], \"text\":\"a\"}", b"text", None, Some(b"{}")).unwrap();
        assert_eq!(out, b"{\"sada\": {}, \"text\":\"a\"}");
        // Bytes that are not UTF-8 in a field nobody reads stay.
        let out = edit(b"{\"x\":\"\xff\",\"text\":\"a\"}", b"text", None, Some(b"1")).unwrap();
        assert_eq!(out, b"{\"x\":\"\xff\",\"text\":\"a\",\"sada\":1}");
    }
}
