//! The output contract as serialize-only types: with [`Meta`] (a document's
//! identifying fields, flattened into `documents.jsonl`), the one place where
//! output field names are spelled. Tests decode the outputs with their own
//! types, so renaming something here cannot silently change a file.

use serde::Serialize;

use crate::model::Meta;

/// A record's line: in `documents.jsonl` with [`InCluster`], in `sada
/// extract`'s output with [`WithText`] — one spelling of the fields the two
/// share, in the same order.
#[derive(Serialize)]
pub(crate) struct RecordLine<'a, X: Serialize> {
    /// `id`, `source`, `input`, `url`, `date`, `title`: spelled by
    /// [`Meta`]'s fields, so that a field added there reaches both files.
    #[serde(flatten)]
    pub meta: &'a Meta,
    pub bytes: u64,
    pub tokens: u32,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What the file adds, last.
    #[serde(flatten)]
    pub rest: X,
}

/// A line of `documents.jsonl`.
pub(crate) type DocumentLine<'a> = RecordLine<'a, InCluster>;

/// What `documents.jsonl` adds to a record's line: its cluster.
#[derive(Serialize)]
pub(crate) struct InCluster {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<u32>,
    /// Only with `--write`: whether the record was written to the corpus.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept: Option<bool>,
}

/// A line of `sada extract`'s output.
pub(crate) type ExtractLine<'a> = RecordLine<'a, WithText<'a>>;

/// What `sada extract` adds to a record's line: the text itself, last (it
/// is the long part).
#[derive(Serialize)]
pub(crate) struct WithText<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
}

/// A record of a converted input (text file, web archive) in the corpus
/// `--write` writes: `sada extract`'s line, and the annotation last.
pub(crate) type WrittenLine<'a> = RecordLine<'a, WithTextAnnotated<'a>>;

/// What a written converted record adds: its text (as written) and, with
/// `--annotate`, the `sada` object.
#[derive(Serialize)]
pub(crate) struct WithTextAnnotated<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sada: Option<Annotation<'a>>,
}

/// The `sada` object `--annotate` adds to every written record.
#[derive(Serialize)]
pub(crate) struct Annotation<'a> {
    /// The record's cluster number, when it is in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_size: Option<usize>,
    /// The id of the cluster's representative.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub representative: Option<&'a str>,
    /// Not the member of its cluster that `--keep` keeps.
    pub duplicate: bool,
    /// Similarity to the representative, as in clusters.jsonl.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f64>,
    /// The statements the record carries, by position in the written text.
    pub statements: Vec<CarriedLine>,
}

/// One statement occurrence a written record carries.
#[derive(Serialize)]
pub(crate) struct CarriedLine {
    pub statement: u32,
    pub start: u32,
    pub end: u32,
    pub boilerplate: bool,
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
    /// `scan --against`: the member comes from the archive, and `index` is
    /// its record number there.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
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
    /// `scan --against`: the origin is in the archive.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
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
    /// `scan --against`: the occurrence is in an archived document, and
    /// `index` is its record number in the archive.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
}

/// `summary.json`'s `parameters`: what a run was asked for and the banding
/// it chose. Spelled here, not by the configuration structs, so that
/// renaming a field of `Config` cannot change the file.
#[derive(Serialize)]
pub struct ParametersLine {
    pub method: crate::sign::Method,
    pub num_perm: usize,
    pub shingle: ShingleLine,
    pub threshold: f64,
    pub min_pair_similarity: f64,
    pub bands: Option<usize>,
    pub rows: Option<usize>,
    pub exact_jaccard: bool,
    pub seed: u64,
    pub passage: PassageLine,
    pub banding: BandingLine,
    /// The JSONL keys and Parquet columns read, when not the defaults.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<crate::read::Fields>,
}

/// `parameters.shingle`.
#[derive(Serialize)]
pub struct ShingleLine {
    pub kind: crate::shingle::ShingleKind,
    pub n: usize,
}

/// `parameters.passage`: statement detection.
#[derive(Serialize)]
pub struct PassageLine {
    pub enabled: bool,
    pub anchor_words: usize,
    pub window: usize,
    pub max_df: usize,
    pub align: AlignLine,
    pub boilerplate_docs: usize,
}

/// `parameters.passage.align`.
#[derive(Serialize)]
pub struct AlignLine {
    pub seed_words: usize,
    pub max_gap: usize,
    pub min_words: usize,
    pub min_identity: f64,
}

/// `parameters.banding`: `rows` for MinHash only.
#[derive(Serialize)]
pub struct BandingLine {
    pub scheme: &'static str,
    pub bands: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
}

impl ParametersLine {
    /// The parameters of a run of `config` that chose `banding`.
    pub fn new(config: &crate::config::Config, banding: crate::index::Banding) -> ParametersLine {
        use crate::index::Banding;
        let (p, a) = (&config.passage, &config.passage.align);
        ParametersLine {
            method: config.method,
            num_perm: config.num_perm,
            shingle: ShingleLine { kind: config.shingle.kind, n: config.shingle.n },
            threshold: config.threshold,
            min_pair_similarity: config.min_pair_similarity,
            bands: config.bands,
            rows: config.rows,
            exact_jaccard: config.exact_jaccard,
            seed: config.seed,
            fields: (!config.fields.is_default()).then(|| config.fields.clone()),
            passage: PassageLine {
                enabled: p.enabled,
                anchor_words: p.anchor_words,
                window: p.window,
                max_df: p.max_df,
                align: AlignLine {
                    seed_words: a.seed_words,
                    max_gap: a.max_gap,
                    min_words: a.min_words,
                    min_identity: a.min_identity,
                },
                boilerplate_docs: p.boilerplate_docs,
            },
            banding: match banding {
                Banding::Minhash { bands, rows } => BandingLine { scheme: "minhash", bands, rows: Some(rows) },
                Banding::Simhash { bands } => BandingLine { scheme: "simhash", bands, rows: None },
            },
        }
    }
}
