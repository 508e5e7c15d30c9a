//! The strict parse of a JSONL line, by serde_json: the fallback for
//! whatever the fast parse ([`super::fast`]) does not take, and the one that
//! says what is wrong with a line.

use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use crate::read::fields::{Fields, Slot};

/// Parses a line the strict way, `text` as a JSON string, with an error
/// message for whatever is wrong.
///
/// The strings sada reads (`text`, `id`, `url`, `source`, `date`) must be
/// UTF-8; the values of keys it ignores are skipped unchecked, here as in
/// [`parse_fast`], so a stray byte in a field nobody reads loses no record.
///
/// [`parse_fast`]: super::fast::parse_fast
pub(super) fn parse_strict(line: &[u8], fields: &Fields) -> Result<Line<TextField>, String> {
    let invalid = |e: serde_json::Error| match simdutf8::basic::from_utf8(line) {
        Ok(_) => format!("invalid JSON: {e}"),
        Err(_) => {
            let at = std::str::from_utf8(line).err().map_or(0, |e| e.valid_up_to());
            format!("invalid UTF-8 at byte {at} of the line")
        }
    };
    // Anything but an object goes the slow way, only to say what it is.
    if line.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n')) != Some(&b'{') {
        return Err(match serde_json::from_slice::<Value>(line) {
            Ok(other) => format!("expected a JSON object, found {}", kind(&other)),
            Err(e) => invalid(e),
        });
    }
    let mut de = serde_json::Deserializer::from_slice(line);
    let parsed = LineSeed(fields).deserialize(&mut de).and_then(|l| de.end().map(|()| l));
    parsed.map_err(invalid)
}

/// The fields of a JSONL record sada reads; other keys are skipped without
/// being built. Parsing into this instead of a `serde_json::Value` map saved
/// a fifth of the JSON cost of `sada sign` (callgrind). Named by part, not by
/// key: the keys are [`Fields`]'s.
#[derive(Debug, PartialEq)]
pub(super) struct Line<T> {
    pub(super) id: Option<Value>,
    pub(super) text: T,
    pub(super) url: Option<Value>,
    pub(super) source: Option<Value>,
    pub(super) date: Option<Value>,
    pub(super) published: Option<Value>,
    pub(super) title: Option<Value>,
}

/// Reads a [`Line`] with keys named by [`Fields`], as `#[derive(Deserialize)]`
/// reads a struct: a key sada reads may appear once (else `duplicate field`),
/// other keys are skipped unchecked, missing ones are absent.
struct LineSeed<'a>(&'a Fields);

impl<'de> DeserializeSeed<'de> for LineSeed<'_> {
    type Value = Line<TextField>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Line<TextField>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LineSeed<'_> {
    type Value = Line<TextField>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Line<TextField>, A::Error> {
        let mut out = Line {
            id: None,
            text: TextField::Missing,
            url: None,
            source: None,
            date: None,
            published: None,
            title: None,
        };
        let mut seen = 0u8;
        while let Some(slot) = map.next_key_seed(KeySeed(self.0))? {
            let Some(slot) = slot else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let bit = 1u8 << slot as u8;
            if seen & bit != 0 {
                return Err(A::Error::custom(format_args!("duplicate field `{}`", self.0.name(slot))));
            }
            seen |= bit;
            match slot {
                Slot::Text => out.text = map.next_value()?,
                Slot::Id => out.id = map.next_value::<IdAsWritten>()?.0,
                Slot::Url => out.url = map.next_value()?,
                Slot::Source => out.source = map.next_value()?,
                Slot::Date => out.date = map.next_value()?,
                Slot::Published => out.published = map.next_value()?,
                Slot::Title => out.title = map.next_value()?,
            }
        }
        Ok(out)
    }
}

/// A key, as the part it names (`None`: a key sada does not read).
struct KeySeed<'a>(&'a Fields);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<Slot>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<Slot>, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<Slot>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E>(self, key: &str) -> Result<Option<Slot>, E> {
        Ok(self.0.slot(key.as_bytes()))
    }

    fn visit_bytes<E>(self, key: &[u8]) -> Result<Option<Slot>, E> {
        Ok(self.0.slot(key))
    }
}

/// An `id` read by [`id_as_written`].
struct IdAsWritten(Option<Value>);

impl<'de> serde::Deserialize<'de> for IdAsWritten {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<IdAsWritten, D::Error> {
        id_as_written(d).map(IdAsWritten)
    }
}

/// An `id` as [`Value`], except that a number no `u64` holds is kept as
/// written (a string): through `f64`, `1e+23` and `100000000000000000000000`
/// would be one id. Small integers stay numbers, as the fast parse reads them.
fn id_as_written<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    use serde::Deserialize;
    let Some(raw) = Option::<Box<serde_json::value::RawValue>>::deserialize(d)? else {
        return Ok(None);
    };
    let text = raw.get();
    if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return Ok(Some(match text.parse::<u64>() {
            Ok(n) if !text.starts_with('0') || text == "0" => Value::from(n),
            _ => Value::String(text.to_string()),
        }));
    }
    serde_json::from_str(text).map(Some).map_err(serde::de::Error::custom)
}

/// The `text` field: a string, or what else it was, for the error message.
#[derive(Default, Debug, PartialEq)]
pub(super) enum TextField {
    #[default]
    Missing,
    String(String),
    Other(&'static str),
}

impl<'de> serde::Deserialize<'de> for TextField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TextField, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = TextField;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, v: &str) -> Result<TextField, E> {
                Ok(TextField::String(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<TextField, E> {
                Ok(TextField::String(v))
            }
            fn visit_unit<E>(self) -> Result<TextField, E> {
                Ok(TextField::Other("null"))
            }
            fn visit_bool<E>(self, _: bool) -> Result<TextField, E> {
                Ok(TextField::Other("a boolean"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<TextField, E> {
                Ok(TextField::Other("a number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<TextField, E> {
                Ok(TextField::Other("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<TextField, E> {
                Ok(TextField::Other("a number"))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<TextField, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(TextField::Other("an array"))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<TextField, A::Error> {
                while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
                Ok(TextField::Other("an object"))
            }
        }
        d.deserialize_any(Visitor)
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_parse_says_what_is_wrong() {
        let parsed = |l: &[u8]| parse_strict(l, &Fields::default()).map(|line| line.text);
        assert_eq!(parsed(br#"{"text": 5}"#), Ok(TextField::Other("a number")));
        assert_eq!(parsed(br#"[1]"#), Err("expected a JSON object, found an array".to_string()));
        assert_eq!(parsed(b"{\"text\": \"a\xffb\"}"), Err("invalid UTF-8 at byte 11 of the line".to_string()));
        assert_eq!(parsed(b"{\"text\": \"ab\", \"html\": \"\xfe\"}"), Ok(TextField::String("ab".to_string())));
        let raw_tab = parsed(b"{\"text\": \"a\tb\"}").unwrap_err();
        assert!(raw_tab.starts_with("invalid JSON: control character"), "{raw_tab}");
        let lone = parsed(br#"{"text": "\ud800 x"}"#).unwrap_err();
        assert!(lone.starts_with("invalid JSON: ") && lone.contains("escape"), "{lone}");
    }
}
