//! The command line: clap derive types, validated into a [`Config`]. In the
//! library so that the Python package parses its options as the `sada`
//! binary does, with the same names, checks and messages.
#![allow(
    missing_docs,
    reason = "the doc comments of clap's types are the --help text; the fields that only group or nest others have none"
)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{self, Config};
use crate::passage::PassageConfig;
use crate::pipeline::SigFormat;
use crate::shingle::{ShingleConfig, ShingleKind};
use crate::sign::Method;

/// sada (صدى, "echo"): finds near-duplicate news articles and the statements
/// outlets recycle from each other. Arabic first; every script handled.
#[derive(Parser, Debug)]
#[command(name = "sada", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What to run.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Find near-duplicate clusters (and recycled statements) in a crawl.
    ///
    /// Writes documents.jsonl, clusters.jsonl, statements.jsonl, summary.json
    /// and report.html into --out. Example: sada scan seeds/
    Scan(Box<ScanArgs>),
    /// Signatures only (read, normalize, shingle, sign): the map step of a
    /// crawl signed in pieces. Writes one record per input record to --out.
    ///
    /// Example: sada sign --out crawl.sig crawl/
    Sign(SignArgs),
    /// The text sada reads from each record, one JSON line per record:
    /// id, source, url, date, title, status, and the text or the error.
    ///
    /// The main text of web pages, as compared by `scan`; the same inputs,
    /// order and accounting as `scan`. Example: sada extract crawl.warc.gz | jq .text
    Extract(ExtractArgs),
    /// A persistent archive of texts, kept apart from the crawls they came
    /// from: create it, add a day's crawl to it, compact it, describe it.
    ///
    /// Example: sada index create archive/ crawl-2024-06-01/
    Index(IndexArgs),
}

/// `sada index`.
#[derive(Args, Debug)]
pub struct IndexArgs {
    #[command(subcommand)]
    pub command: IndexCommand,
}

/// What `sada index` does.
#[derive(Subcommand, Debug)]
pub enum IndexCommand {
    /// Makes DIR (new or empty) an archive holding the records of INPUT…
    /// that have a text, their analyses made with the options given (those
    /// of `sada scan`).
    Create(IndexCreateArgs),
    /// Appends the records of INPUT… that have a text to the archive DIR,
    /// as one new segment (all of it, or nothing if the run fails or is
    /// killed).
    Add(IndexAddArgs),
    /// Merges the archive's segments into one: the same records, in order.
    Compact {
        /// The archive.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Nothing on stderr.
        #[arg(long, short)]
        quiet: bool,
    },
    /// What the archive holds: records, segments, sizes, layout version.
    Info {
        /// The archive.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Also read every segment and check it against its hash.
        #[arg(long)]
        verify: bool,
        /// Print the manifest as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Options of `sada index create`: those of `sada index add`, and the scan
/// parameters the archive's analyses are made with. A scan against the
/// archive with the same ones uses them; with others it reads the texts.
#[derive(Args, Debug)]
pub struct IndexCreateArgs {
    #[command(flatten)]
    pub add: IndexAddArgs,

    /// The --threshold of the scans the archive serves (chooses the LSH
    /// banding and the similarity its pairs are verified at).
    #[arg(long, value_name = "T", default_value_t = config::DEFAULT_THRESHOLD)]
    pub threshold: f64,

    #[command(flatten)]
    pub signature: SignatureArgs,

    /// LSH bands, overriding the choice from --threshold (needs --rows).
    #[arg(long, value_name = "B", requires = "rows")]
    pub bands: Option<usize>,

    /// MinHash lanes per LSH band (needs --bands).
    #[arg(long, value_name = "R", requires = "bands")]
    pub rows: Option<usize>,

    #[command(flatten)]
    pub statements: StatementArgs,
}

impl IndexCreateArgs {
    /// The configuration: reading as `add` reads, the analysis parameters
    /// and statement options given.
    pub fn config(&self) -> Config {
        let mut c =
            Config { threshold: self.threshold, bands: self.bands, rows: self.rows, ..self.add.reading.config() };
        self.signature.apply(&mut c);
        self.statements.apply(&mut c);
        c
    }
}

/// The statement options: of `sada scan`, and of `sada index create` (the
/// archive's statement state is made with them).
#[derive(Args, Debug)]
pub struct StatementArgs {
    /// Statements: fewest words a recycled passage has in each document.
    #[arg(long, value_name = "N", default_value_t = PassageConfig::default().align.min_words)]
    pub min_words: usize,

    /// Statements: least fraction of a passage's words that must match word
    /// for word (the rest may be substituted, inserted or deleted).
    #[arg(long, value_name = "F", default_value_t = PassageConfig::default().align.min_identity)]
    pub min_identity: f64,

    /// Statements: most words skipped on either side between two matching
    /// stretches of one passage (substituted, inserted or deleted words).
    #[arg(long, value_name = "N", default_value_t = PassageConfig::default().align.max_gap)]
    pub max_gap: usize,

    /// Statements: an anchor (word 4-gram) found in more document clusters
    /// than this pairs a document with its leader only where a second such
    /// anchor with the same leader follows closely: a common phrase seeds
    /// no comparison, a widely recycled passage still does.
    #[arg(long, value_name = "N", default_value_t = PassageConfig::default().max_df)]
    pub max_df: usize,

    /// Statements: a passage is boilerplate when one source has at least
    /// this many of its documents (and at least half of them).
    #[arg(long, value_name = "N", default_value_t = PassageConfig::default().boilerplate_docs)]
    pub boilerplate_docs: usize,
}

impl StatementArgs {
    /// Sets these options in `c`.
    pub fn apply(&self, c: &mut Config) {
        c.passage.align.min_words = self.min_words;
        c.passage.align.min_identity = self.min_identity;
        c.passage.align.max_gap = self.max_gap;
        c.passage.max_df = self.max_df;
        c.passage.boilerplate_docs = self.boilerplate_docs;
    }
}

/// Options of `sada index create` and `sada index add`.
#[derive(Args, Debug)]
pub struct IndexAddArgs {
    /// The archive directory.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Files or directories to read, or `-` for JSON lines on standard input
    /// (as for `sada scan`).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    #[command(flatten)]
    pub reading: ReadingArgs,
}

/// Options of the commands that read and write what they read
/// (`sada extract`, `sada index create|add`).
#[derive(Args, Debug)]
pub struct ReadingArgs {
    /// Worker threads [default: all cores]. What is written never depends on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// No progress bar and no summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,

    #[command(flatten)]
    pub fields: FieldArgs,
}

impl ReadingArgs {
    /// The configuration of reading.
    pub fn config(&self) -> Config {
        let mut c = Config { progress: !self.quiet, ..Config::default() };
        c.fields = self.fields.fields();
        if let Some(t) = self.threads {
            c.threads = t;
        }
        c
    }
}

/// Options of `sada extract`.
#[derive(Args, Debug)]
pub struct ExtractArgs {
    /// Files or directories to read, or `-` for JSON lines on standard input
    /// (as for `sada scan`).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// File to write (complete or not at all: written under a temporary
    /// name, then renamed), or `-` for standard output.
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub out: PathBuf,

    #[command(flatten)]
    pub reading: ReadingArgs,
}

/// Options of `sada sign`.
#[derive(Args, Debug)]
pub struct SignArgs {
    /// Files or directories to read (as for `sada scan`).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Signature file to write, or `-` for standard output (the binary
    /// format is documented in docs/output-contract.md and `crate::sigfile`).
    #[arg(long, value_name = "FILE", default_value = "signatures.sig")]
    pub out: PathBuf,

    /// File format: compact binary, JSON Lines, or none (read and tokenize
    /// only, write nothing: the practical limit of signing, for benchmarks).
    #[arg(long, value_enum, default_value_t = SigFormat::Bin)]
    pub format: SigFormat,

    /// Worker threads [default: all cores]. The file never depends on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// No progress bars and no summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,

    #[command(flatten)]
    pub signature: SignatureArgs,

    #[command(flatten)]
    pub fields: FieldArgs,
}

/// How documents are shingled and signed: shared by `scan` and `sign`.
#[derive(Args, Debug)]
pub struct SignatureArgs {
    /// MinHash permutations (signature lanes). More lanes, finer estimates.
    #[arg(long, value_name = "K", default_value_t = config::DEFAULT_NUM_PERM)]
    pub num_perm: usize,

    /// Shingle size: words per shingle (or characters with --shingle char).
    #[arg(long, value_name = "N", default_value_t = config::DEFAULT_NGRAM)]
    pub ngram: usize,

    /// Shingles made of words or of characters of the normalized text.
    #[arg(long, value_enum, default_value_t = ShingleKind::Word)]
    pub shingle: ShingleKind,

    /// Document signature: one-permutation MinHash (one hash per shingle),
    /// classic k-permutation MinHash (same lanes and LSH), or 64-bit SimHash.
    #[arg(long, value_enum, default_value_t = config::DEFAULT_METHOD)]
    pub method: Method,

    /// Seed of the hash permutations.
    #[arg(long, value_name = "S", default_value_t = config::DEFAULT_SEED)]
    pub seed: u64,
}

/// The names of the fields read from JSONL records and Parquet columns:
/// shared by `scan`, `sign` and `extract`.
#[derive(Args, Debug)]
pub struct FieldArgs {
    /// JSONL key / Parquet column of the text [default: text].
    #[arg(long, value_name = "NAME")]
    pub text_field: Option<String>,

    /// Key / column of the id [default: id].
    #[arg(long, value_name = "NAME")]
    pub id_field: Option<String>,

    /// Key / column of the URL [default: url].
    #[arg(long, value_name = "NAME")]
    pub url_field: Option<String>,

    /// Key / column of the publisher [default: source].
    #[arg(long, value_name = "NAME")]
    pub source_field: Option<String>,

    /// Key / column of the date [default: date, else published].
    #[arg(long, value_name = "NAME")]
    pub date_field: Option<String>,

    /// Key / column of the headline [default: title].
    #[arg(long, value_name = "NAME")]
    pub title_field: Option<String>,
}

impl FieldArgs {
    /// The field names; exits with a usage error (2) for a name that is
    /// empty or names two parts.
    fn fields(&self) -> crate::read::Fields {
        let names = crate::read::FieldNames {
            text: self.text_field.clone(),
            id: self.id_field.clone(),
            url: self.url_field.clone(),
            source: self.source_field.clone(),
            date: self.date_field.clone(),
            title: self.title_field.clone(),
        };
        crate::read::Fields::new(&names)
            .unwrap_or_else(|e| clap::Error::raw(clap::error::ErrorKind::ArgumentConflict, format!("{e}\n")).exit())
    }
}

impl SignatureArgs {
    /// Sets the signature fields of `c`.
    fn apply(&self, c: &mut Config) {
        c.method = self.method;
        c.num_perm = self.num_perm;
        c.shingle = ShingleConfig { kind: self.shingle, n: self.ngram };
        c.seed = self.seed;
    }
}

impl SignArgs {
    /// The configuration of the signing stages.
    pub fn config(&self) -> Config {
        let mut c = Config { progress: !self.quiet, ..Config::default() };
        self.signature.apply(&mut c);
        c.fields = self.fields.fields();
        if let Some(t) = self.threads {
            c.threads = t;
        }
        c
    }
}

/// Options of `sada scan`.
#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files or directories to read, or `-` for JSON lines on standard
    /// input. Directories are walked recursively, hidden files skipped.
    /// Formats by extension: .txt .md (one document per file), .jsonl
    /// .ndjson (one per line), .warc (one per HTML or text response, reduced
    /// to its main text), .wet (one per conversion record), .arc (as .warc),
    /// each optionally .gz, .zst or .lz4; .parquet (one per row). See
    /// docs/output-contract.md.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR", default_value = "sada-out")]
    pub out: PathBuf,

    /// Worker threads [default: all cores]. Outputs never depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// No progress bars on stderr and no summary on stdout.
    #[arg(long, short)]
    pub quiet: bool,

    /// Document-level Jaccard threshold: documents at least this similar
    /// (word n-gram sets) to a cluster's representative join its cluster.
    #[arg(long, value_name = "T", default_value_t = config::DEFAULT_THRESHOLD)]
    pub threshold: f64,

    /// Drift guard: every two members of a cluster must be at least this
    /// similar, so chains of near-duplicates cannot join unrelated articles.
    #[arg(long, value_name = "F", default_value_t = config::DEFAULT_PAIR_FLOOR)]
    pub min_pair_similarity: f64,

    #[command(flatten)]
    pub signature: SignatureArgs,

    #[command(flatten)]
    pub fields: FieldArgs,

    /// LSH bands, overriding the choice from --threshold (needs --rows;
    /// bands × rows ≤ --num-perm) [default: chosen from --threshold].
    #[arg(long, value_name = "B", requires = "rows")]
    pub bands: Option<usize>,

    /// MinHash lanes per LSH band (needs --bands).
    #[arg(long, value_name = "R", requires = "bands")]
    pub rows: Option<usize>,

    /// Verify candidate pairs with exact Jaccard of the shingle sets instead
    /// of the signature estimate (keeps every shingle set in memory).
    #[arg(long)]
    pub exact_jaccard: bool,

    #[command(flatten)]
    pub statements: StatementArgs,

    /// Skip statement detection (document clusters only).
    #[arg(long)]
    pub no_statements: bool,

    /// Memory for the data kept between stages (word hashes, signatures,
    /// sort buffers); past it, that data spills to disk. Sizes like 2G, 512M,
    /// 1.5G or bytes [default: half of physical memory].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub memory_limit: Option<u64>,

    /// Directory for spill files (deleted when the run ends)
    /// [default: the --out directory].
    #[arg(long, value_name = "DIR")]
    pub spill_dir: Option<PathBuf>,

    /// Run as one process of a cluster: FILE lists one host:port per line,
    /// one line per process; every process gets the same inputs and options
    /// and its own --process. Process 0 writes --out.
    #[arg(long, value_name = "FILE", requires = "process")]
    pub hosts: Option<PathBuf>,

    /// This process's line in the --hosts file, from 0.
    #[arg(long, value_name = "I", requires = "hosts")]
    pub process: Option<usize>,

    /// Write the corpus back into DIR, without its duplicates: one file per
    /// input file at the same relative path, records in input order;
    /// Parquet as Parquet (schema, row groups, codecs kept), JSONL byte for
    /// byte in its compression, other formats as `sada extract` lines
    /// (`.jsonl` appended). DIR must be new, empty or a previous
    /// --write output, apart from --out and the inputs.
    #[arg(long, value_name = "DIR")]
    pub write: Option<PathBuf>,

    /// With --write: which member of each document cluster stays (records
    /// in no cluster always stay; `all` removes nothing).
    #[arg(long, value_enum, value_name = "RULE", default_value_t = crate::write::Keep::Representative, requires = "write")]
    pub keep: crate::write::Keep,

    /// With --write: add a `sada` object (Parquet: `sada_*` columns) with
    /// the cluster, duplicate, statements with offsets, to every written
    /// record.
    #[arg(long, requires = "write")]
    pub annotate: bool,

    /// With --write: cut the occurrences of boilerplate statements (site
    /// templates, stock formulas) out of the written texts.
    #[arg(long, requires = "write")]
    pub strip_boilerplate: bool,

    /// Seconds to wait for the other processes of the cluster to connect.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub connect_timeout: u64,

    /// Cluster runs: save each stage's result under --out and, when the
    /// saved results of an earlier run with the same inputs and options are
    /// there, start after the last stage every process completed.
    #[arg(long, requires = "hosts")]
    pub resume: bool,

    /// Scan the inputs against the archive DIR (`sada index`): report the
    /// document clusters and statements that involve at least one input
    /// record, with the archive's records as members and occurrences
    /// (marked `archived`). documents.jsonl lists the inputs only; --write
    /// writes the inputs only, without the records whose cluster holds an
    /// archived record (the archive has that article already).
    #[arg(long, value_name = "DIR", conflicts_with = "hosts")]
    pub against: Option<PathBuf>,

    /// With --against: append the inputs' records to the archive once the
    /// outputs are written (as `sada index add` does).
    #[arg(long, requires = "against")]
    pub add: bool,
}

/// Parses a size: a number with an optional K, M, G or T suffix (powers of
/// 1024; `B`, `iB` and lower case accepted).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t.strip_suffix(['B', 'b']).unwrap_or(t);
    let t = t.strip_suffix(['i', 'I']).unwrap_or(t);
    let (num, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c.to_ascii_uppercase()),
        _ => (t, ' '),
    };
    let scale: u64 = match unit {
        ' ' => 1,
        'K' => 1 << 10,
        'M' => 1 << 20,
        'G' => 1 << 30,
        'T' => 1 << 40,
        _ => return Err(format!("'{s}' is not a size: use a number with K, M, G or T, e.g. 2G")),
    };
    let value: f64 =
        num.trim().parse().map_err(|_| format!("'{s}' is not a size: use a number with K, M, G or T, e.g. 2G"))?;
    let bytes = value * scale as f64;
    if !(bytes.is_finite() && bytes >= 1.0) {
        return Err(format!("'{s}' is not a positive size"));
    }
    Ok(bytes as u64)
}

impl ScanArgs {
    /// The run configuration these options describe (validated by the scan).
    pub fn config(&self) -> Config {
        let mut c = Config {
            progress: !self.quiet,
            threshold: self.threshold,
            min_pair_similarity: self.min_pair_similarity,
            bands: self.bands,
            rows: self.rows,
            exact_jaccard: self.exact_jaccard,
            ..Config::default()
        };
        self.signature.apply(&mut c);
        c.fields = self.fields.fields();
        c.passage.enabled = !self.no_statements;
        self.statements.apply(&mut c);
        if let Some(m) = self.memory_limit {
            c.memory_limit = m;
        }
        c.spill_dir = Some(self.spill_dir.clone().unwrap_or_else(|| self.out.clone()));
        if let Some(t) = self.threads {
            c.threads = t;
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults_come_from_the_library() {
        let cli = Cli::try_parse_from(["sada", "scan", "seeds"]).unwrap();
        let Command::Scan(args) = cli.command else { panic!("scan") };
        let c = args.config();
        assert_eq!(c.threshold, config::DEFAULT_THRESHOLD);
        assert_eq!(c.num_perm, 128);
        assert!(c.progress);
    }

    #[test]
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("0.1").is_err(), "less than a byte");
        assert!(parse_size("3X").is_err());
    }
}
