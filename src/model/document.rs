//! One input record and what became of it.
//!
//! What a document *is* (its id, publisher, file, URL, date, title) is one
//! struct, [`Meta`], carried whole from the reader to `documents.jsonl`, the
//! report and the cluster's wire: a new field is added here and filled by
//! the readers that know it, nowhere else.

use serde::{Deserialize, Serialize};

use crate::error::RecordError;

/// What a document is, as its input says: the contract's identifying fields
/// of `documents.jsonl`, serialized in this order (absent options omitted).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// The record's id (contract `id`).
    pub id: String,
    /// The publisher (contract `source`).
    pub source: String,
    /// The file it came from, as given or as found by the walk.
    pub input: String,
    /// The record's URL, when the format carries one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Publication date as given (`date` or `published`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The headline: a JSONL record's `title`, a web page's `og:title`,
    /// else its first `<h1>`, else its `<title>`, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Set when the record was damaged but read all the same (a web-archive
    /// record whose length is wrong, or cut by the end of a truncated file):
    /// where and what was wrong and how it was read, as an error says it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovered: Option<String>,
}

/// One input record, as read.
#[derive(Clone, Debug)]
pub struct Record {
    /// What the record is.
    pub meta: Meta,
    /// The text exactly as read, or why there is none.
    pub content: Result<String, RecordError>,
}

/// What became of an input record, without the error's detail: what a
/// signature file keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusKind {
    /// Usable text.
    Ok,
    /// Read fine, but no words in it.
    Empty,
    /// Could not be read or parsed.
    Error,
}

impl StatusKind {
    /// The contract's name of the status.
    pub fn name(self) -> &'static str {
        match self {
            StatusKind::Ok => "ok",
            StatusKind::Empty => "empty",
            StatusKind::Error => "error",
        }
    }
}

/// What became of an input record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Usable text.
    Ok,
    /// Read fine, but no words in it.
    Empty,
    /// Could not be read or parsed.
    Error(RecordError),
}

impl Status {
    /// The status without the error's detail.
    pub fn kind(&self) -> StatusKind {
        match self {
            Status::Ok => StatusKind::Ok,
            Status::Empty => StatusKind::Empty,
            Status::Error(_) => StatusKind::Error,
        }
    }

    /// The contract's name of the status.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

/// One input record after analysis: what `documents.jsonl` says about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// What the record is.
    pub meta: Meta,
    /// Bytes of text.
    pub bytes: u64,
    /// Number of tokens.
    pub tokens: u32,
    /// Ok, empty or error.
    pub status: Status,
}

/// A [`Document`] through formats that are not self-describing (bincode, on
/// the cluster's wire): as its JSON text. [`Meta`] omits absent fields, as
/// the contract wants, and a reader that cannot see which were omitted
/// would misread the rest. `#[serde(with = "crate::model::document::as_json")]`.
pub mod as_json {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Document;

    /// Writes `doc` as one JSON string.
    pub fn serialize<S: Serializer>(doc: &Document, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&serde_json::to_string(doc).map_err(serde::ser::Error::custom)?)
    }

    /// Reads what [`serialize`] wrote.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Document, D::Error> {
        let text = String::deserialize(d)?;
        serde_json::from_str(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(all(test, feature = "distributed"))]
mod tests {
    use super::*;
    use crate::error::Locator;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Wire(#[serde(with = "as_json")] Document, u32);

    /// Absent options, present options and an error status survive a
    /// format that does not describe itself (the cluster's).
    #[test]
    fn a_document_crosses_bincode_whole() {
        let meta = Meta {
            id: "a".into(),
            source: "s".into(),
            input: "f".into(),
            date: Some("2020".into()),
            ..Meta::default()
        };
        for status in [
            Status::Ok,
            Status::Empty,
            Status::Error(RecordError { locator: Locator::Line("f".into(), 3), message: "bad".into() }),
        ] {
            let doc = Document { meta: meta.clone(), bytes: 5, tokens: 2, status };
            let bytes = bincode::serialize(&Wire(doc.clone(), 7)).unwrap();
            let back: Wire = bincode::deserialize(&bytes).unwrap();
            assert_eq!(back, Wire(doc, 7));
        }
    }
}
