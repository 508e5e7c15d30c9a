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
#[derive(Clone, Debug, Serialize, Deserialize)]
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
