//! The names of the fields a record's parts are read from: JSONL keys and
//! Parquet columns (`--text-field`, `--id-field`, …).

use serde::Serialize;

/// Which part of a record a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    Text,
    Id,
    Url,
    Source,
    Date,
    /// The date's fallback (`published` by default; none when a date field is named).
    Published,
    Title,
}

/// The field names sada reads: by default `text`, `id`, `url`, `source`,
/// `date` (else `published`) and `title`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fields {
    text: String,
    id: String,
    url: String,
    source: String,
    date: String,
    /// Read when there is no date; `published` unless a date field is named.
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<String>,
    title: String,
    /// All of them the defaults: keys are then matched as literals.
    #[serde(skip)]
    default: bool,
}

impl Default for Fields {
    fn default() -> Fields {
        Fields {
            text: "text".into(),
            id: "id".into(),
            url: "url".into(),
            source: "source".into(),
            date: "date".into(),
            published: Some("published".into()),
            title: "title".into(),
            default: true,
        }
    }
}

/// The names given on the command line; `None` keeps the default.
#[derive(Clone, Debug, Default)]
pub struct FieldNames {
    /// The text (`--text-field`).
    pub text: Option<String>,
    /// The id (`--id-field`).
    pub id: Option<String>,
    /// The URL (`--url-field`).
    pub url: Option<String>,
    /// The publisher (`--source-field`).
    pub source: Option<String>,
    /// The date (`--date-field`; then there is no fallback to `published`).
    pub date: Option<String>,
    /// The headline (`--title-field`).
    pub title: Option<String>,
}

impl Fields {
    /// The fields named in `names`, the others as by default.
    ///
    /// # Errors
    /// A name that is empty or names two parts (`--id-field text`).
    pub fn new(names: &FieldNames) -> Result<Fields, String> {
        let d = Fields::default();
        let pick = |given: &Option<String>, default: String| given.clone().unwrap_or(default);
        let fields = Fields {
            text: pick(&names.text, d.text),
            id: pick(&names.id, d.id),
            url: pick(&names.url, d.url),
            source: pick(&names.source, d.source),
            published: if names.date.is_some() { None } else { d.published },
            date: pick(&names.date, d.date),
            title: pick(&names.title, d.title),
            default: false,
        };
        let all = fields.names();
        for (i, (slot, name)) in all.iter().enumerate() {
            if name.is_empty() {
                return Err(format!("the {} field's name is empty", slot.option()));
            }
            if let Some((other, _)) = all[..i].iter().find(|(_, n)| n == name) {
                return Err(format!("{} and {} both name the field '{name}'", other.option(), slot.option()));
            }
        }
        Ok(Fields { default: fields == Fields { default: false, ..Fields::default() }, ..fields })
    }

    /// Every name, with the part it holds, in the order a key is matched.
    fn names(&self) -> Vec<(Slot, &str)> {
        let mut names = vec![
            (Slot::Text, self.text.as_str()),
            (Slot::Id, self.id.as_str()),
            (Slot::Url, self.url.as_str()),
            (Slot::Source, self.source.as_str()),
            (Slot::Date, self.date.as_str()),
        ];
        if let Some(p) = &self.published {
            names.push((Slot::Published, p.as_str()));
        }
        names.push((Slot::Title, self.title.as_str()));
        names
    }

    /// What a key holds, if sada reads it.
    #[inline]
    pub(crate) fn slot(&self, key: &[u8]) -> Option<Slot> {
        if self.default {
            // Literals compile to a length switch and one comparison.
            return match key {
                b"text" => Some(Slot::Text),
                b"id" => Some(Slot::Id),
                b"url" => Some(Slot::Url),
                b"source" => Some(Slot::Source),
                b"date" => Some(Slot::Date),
                b"published" => Some(Slot::Published),
                b"title" => Some(Slot::Title),
                _ => None,
            };
        }
        self.names().into_iter().find(|(_, name)| name.as_bytes() == key).map(|(slot, _)| slot)
    }

    /// The name of the text's field (`text` unless `--text-field` names another).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The name of a part's field (the date's fallback: `published`, or the date field's).
    pub(crate) fn name(&self, slot: Slot) -> &str {
        match slot {
            Slot::Text => &self.text,
            Slot::Id => &self.id,
            Slot::Url => &self.url,
            Slot::Source => &self.source,
            Slot::Date => &self.date,
            Slot::Published => self.published.as_deref().unwrap_or(&self.date),
            Slot::Title => &self.title,
        }
    }

    /// Whether these are the default names.
    pub fn is_default(&self) -> bool {
        self.default
    }
}

impl Slot {
    /// The command-line option that names its field.
    fn option(self) -> &'static str {
        match self {
            Slot::Text => "--text-field",
            Slot::Id => "--id-field",
            Slot::Url => "--url-field",
            Slot::Source => "--source-field",
            Slot::Date => "--date-field",
            Slot::Published => "the date's fallback",
            Slot::Title => "--title-field",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_custom_names_find_the_same_slots() {
        let d = Fields::default();
        let named = Fields::new(&FieldNames::default()).unwrap();
        assert!(named.is_default() && d.is_default());
        let custom = Fields::new(&FieldNames { text: Some("content".into()), ..FieldNames::default() }).unwrap();
        assert!(!custom.is_default());
        for key in ["text", "id", "url", "source", "date", "published", "title", "content", "x"] {
            let want = d.slot(key.as_bytes());
            let got = custom.slot(key.as_bytes());
            match key {
                "text" => assert_eq!(got, None),
                "content" => assert_eq!(got, Some(Slot::Text)),
                _ => assert_eq!(got, want, "{key}"),
            }
        }
        let dated = Fields::new(&FieldNames { date: Some("crawl_date".into()), ..FieldNames::default() }).unwrap();
        assert_eq!(dated.slot(b"published"), None);
        assert_eq!(dated.slot(b"crawl_date"), Some(Slot::Date));
    }

    #[test]
    fn a_name_for_two_parts_is_refused() {
        let e = Fields::new(&FieldNames { id: Some("text".into()), ..FieldNames::default() }).unwrap_err();
        assert!(e.contains("--text-field") && e.contains("--id-field"), "{e}");
        assert!(Fields::new(&FieldNames { url: Some(String::new()), ..FieldNames::default() }).is_err());
    }
}
