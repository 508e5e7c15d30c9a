//! The output contract as serialize-only types: with [`Meta`] (a document's
//! identifying fields, flattened into `documents.jsonl`), the one place where
//! output field names are spelled. Tests decode the outputs with their own
//! types, so renaming something here cannot silently change a file.

use serde::Serialize;

use crate::model::Meta;

/// A line of `documents.jsonl`.
#[derive(Serialize)]
pub(crate) struct DocumentLine<'a> {
    /// `id`, `source`, `input`, `url`, `date`: spelled by [`Meta`]'s
    /// fields, so that a field added there reaches this file.
    #[serde(flatten)]
    pub meta: &'a Meta,
    pub bytes: u64,
    pub tokens: u32,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<u32>,
}

/// A line of `clusters.jsonl`.
#[derive(Serialize)]
pub(crate) struct ClusterLine<'a> {
    pub cluster: u32,
    pub kind: crate::cluster::ClusterKind,
    pub representative: &'a str,
    pub size: usize,
    pub sources: usize,
    pub members: Vec<MemberLine<'a>>,
    pub min_similarity: f64,
}

/// A member of a cluster.
#[derive(Serialize)]
pub(crate) struct MemberLine<'a> {
    pub id: &'a str,
    /// 0-based line of the document in documents.jsonl: ids may repeat.
    pub index: u32,
    pub source: &'a str,
    pub similarity: f64,
}

/// Rounds a similarity for output: four decimals are more than the
/// estimator's precision and keep the files readable.
pub(crate) fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// A line of `statements.jsonl`.
#[derive(Serialize)]
pub(crate) struct StatementLine<'a> {
    pub statement: u32,
    pub text: &'a str,
    pub docs: usize,
    pub sources: usize,
    pub boilerplate: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boilerplate_kind: Option<crate::passage::statement::BoilerplateKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<OriginLine<'a>>,
    pub occurrences: Vec<OccurrenceLine<'a>>,
}

/// The earliest dated occurrence of a statement.
#[derive(Serialize)]
pub(crate) struct OriginLine<'a> {
    pub doc: &'a str,
    pub source: &'a str,
    pub date: &'a str,
}

/// One occurrence of a statement.
#[derive(Serialize)]
pub(crate) struct OccurrenceLine<'a> {
    pub doc: &'a str,
    /// 0-based line of the document in documents.jsonl: ids may repeat.
    pub index: u32,
    pub source: &'a str,
    pub start: u32,
    pub end: u32,
    pub words: u32,
    /// Words matched with the representative over the longer side's words.
    pub identity: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<&'a str>,
}
