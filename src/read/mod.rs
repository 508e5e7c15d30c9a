//! Stage 1, **read**: input paths → [`Record`]s, one per input record.
//!
//! Streaming: [`RawReader`] is an iterator that holds one open file at a time
//! and at most one record's text, so a crawl is never loaded whole.
//! Every record comes out, also when it cannot be used: its `content` is then
//! the [`RecordError`](crate::error::RecordError) that says what was wrong and where. See the input
//! table of `output-contract.md` for ids and sources per format.
//!
//! Web archives (`.warc`, `.wet`, `.arc`) also hold records that are not documents
//! (requests, crawl metadata, images…): those are skipped and counted
//! ([`RawReader::skipped_records`]), not reported one by one.

pub mod decompress;
mod fields;
mod html;
mod http;
mod jsonl;
mod nesting;
pub(crate) mod parquet;
pub use fields::{FieldNames, Fields};
pub(crate) use jsonl::check_fast_parse;
mod text;
pub mod warc;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::Error;
pub use crate::model::{Meta, Record};
use decompress::Compression;

/// A record as it comes off the input, before the CPU-heavy part of parsing.
///
/// JSONL lines and web-archive bodies are handed out undecoded so that JSON
/// parsing and HTML text extraction run on the worker threads, not on the
/// one thread that reads the input.
#[derive(Clone, Debug)]
pub enum Raw {
    /// Already a record (a whole text file, or an error).
    Record(Record),
    /// An unparsed, non-blank JSONL line.
    Line(RawLine),
    /// A WARC `response` or `conversion` record, its body not yet decoded.
    Warc(warc::RawWarc),
}

/// An unparsed JSONL line and its place.
#[derive(Clone, Debug)]
pub struct RawLine {
    /// The file, as reported (shared by all the file's lines: one allocation
    /// per file, not per line).
    pub input: std::sync::Arc<str>,
    /// 1-based line number.
    pub line: u64,
    /// The line without its end-of-line bytes.
    pub bytes: Vec<u8>,
    /// The keys read (shared by all the file's lines).
    pub fields: std::sync::Arc<Fields>,
}

impl Raw {
    /// The record (parses a JSONL line).
    pub fn parse(self) -> Record {
        match self {
            Raw::Record(r) => r,
            Raw::Line(l) => jsonl::parse_line(&l.input, l.line, &l.bytes, &l.fields),
            Raw::Warc(w) => w.parse(),
        }
    }

    /// Bytes of text it carries (for batching).
    pub fn len(&self) -> usize {
        match self {
            Raw::Record(r) => r.content.as_ref().map_or(0, String::len),
            Raw::Line(l) => l.bytes.len(),
            Raw::Warc(w) => w.payload.len(),
        }
    }

    /// Returns true if and only if it carries no text.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Input formats, chosen by extension after stripping `.gz`/`.zst`/`.lz4`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `.txt`, `.md`: the whole file is one document.
    Text,
    /// `.jsonl`, `.ndjson`: one JSON object per line.
    Jsonl,
    /// `.warc`: a web crawl; one document per HTML or text response.
    Warc,
    /// `.wet`, `.warc.wet`: text extracted from a crawl; one document per
    /// conversion record.
    Wet,
    /// `.arc`: the Internet Archive's format before WARC; one document per
    /// HTML or text response, as `.warc`.
    Arc,
    /// `.parquet`: one document per row (never compressed as a whole: its
    /// pages are).
    Parquet,
}

/// An input file found on the command line or by walking a directory.
#[derive(Clone, Debug)]
pub struct InputFile {
    /// Where it is ([`STDIN`] for standard input).
    pub path: PathBuf,
    /// The path as reported in outputs.
    pub display: String,
    /// How to read it.
    pub format: Format,
    /// How to decompress it.
    pub compression: Compression,
    /// Its size on disk, for progress.
    pub size: u64,
    /// Standard input or another stream saved by [`spool_streams`] to an unlinked temporary file
    /// (a scan reads its inputs twice), read back from there.
    pub spooled: Option<std::sync::Arc<std::fs::File>>,
    /// The fields it is read with whatever the run's `--text-field`… say: an
    /// archive segment is always in sada's own names.
    pub fields: Option<std::sync::Arc<Fields>>,
}

impl InputFile {
    /// Standard input (`-`): JSONL, its compression told by its first bytes
    /// when opened ([`decompress::open`]). Name a file called `-` as `./-`.
    pub fn stdin() -> InputFile {
        InputFile {
            path: PathBuf::from(STDIN),
            display: STDIN.to_string(),
            format: Format::Jsonl,
            compression: Compression::None,
            size: 0,
            spooled: None,
            fields: None,
        }
    }

    /// Whether this is standard input.
    pub fn is_stdin(&self) -> bool {
        self.path.as_os_str() == STDIN
    }
}

/// The files to read, and what the walk skipped.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Discovery {
    /// Files to read, in order.
    #[serde(skip)]
    pub files: Vec<InputFile>,
    /// Hidden files and directories skipped while walking.
    pub skipped_hidden: u64,
    /// Files of unknown type skipped while walking.
    pub skipped_unknown: u64,
    /// Directories skipped while walking because they hold a sada run's
    /// outputs (see [`crate::report::outdir::holds_outputs`]).
    pub skipped_outputs: u64,
    /// Every path skipped while walking, with why, in walk order: what the
    /// command line names on stderr.
    #[serde(skip)]
    pub skipped: Vec<(PathBuf, String)>,
    /// Archive records that are not documents (WARC requests, warcinfo,
    /// metadata, revisits, non-text or non-2xx responses), counted by the
    /// read stage.
    pub skipped_records: u64,
    /// The first `archive_files` of `files` are the segments of a `scan
    /// --against` archive: read, but not inputs of the run (never written
    /// back by `--write`).
    #[serde(skip)]
    pub archive_files: usize,
}

impl Discovery {
    /// Total bytes on disk of all input files.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// The format and compression of a file name, if sada reads it.
pub fn classify(path: &Path) -> Option<(Format, Compression)> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let (rest, compression) = match name.rsplit_once('.') {
        Some((rest, ext)) => match Compression::from_extension(ext) {
            Some(c) => (rest.to_string(), c),
            None => (name.clone(), Compression::None),
        },
        None => return None,
    };
    let format = match rest.rsplit_once('.')?.1 {
        "txt" | "md" => Format::Text,
        "jsonl" | "ndjson" => Format::Jsonl,
        "warc" => Format::Warc,
        "wet" => Format::Wet,
        "arc" => Format::Arc,
        // Read by seeking, so not inside a `.gz`/`.zst`: its pages are compressed.
        "parquet" if compression == Compression::None => Format::Parquet,
        _ => return None,
    };
    Some((format, compression))
}

/// Why a file met while walking is not read: its type is unknown, or it is
/// a file sada would read but compressed in a way it does not read
/// (`.warc.bz2`), which deserves saying.
fn not_read(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match name.rsplit_once('.') {
        Some((rest, ext)) if decompress::UNREAD_COMPRESSIONS.contains(&ext) && classify(Path::new(rest)).is_some() => {
            format!("compressed as .{ext}, which sada does not read (decompress it, or use .gz, .zst or .lz4)")
        }
        _ => "not a type sada reads".into(),
    }
}

/// The file stem after stripping compression and format extensions:
/// `a/b/000_x.txt.gz` → `000_x`.
pub fn stem(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut s = name.as_str();
    if let Some((rest, ext)) = s.rsplit_once('.')
        && Compression::from_extension(&ext.to_ascii_lowercase()).is_some()
    {
        s = rest;
    }
    match s.rsplit_once('.') {
        Some((rest, _)) if !rest.is_empty() => rest.to_string(),
        _ => s.to_string(),
    }
}

/// The input name that stands for standard input: JSONL, plain, gzip or
/// zstd, told by its first bytes.
pub const STDIN: &str = "-";

/// Finds the input files: files as given, directories walked recursively in
/// file-name order, hidden entries and unknown types skipped (and counted);
/// `-` is standard input ([`InputFile::stdin`]).
///
/// # Errors
/// [`Error::MissingInput`] for a path that does not exist,
/// [`Error::UnknownFormat`] for a file given explicitly whose type sada does
/// not read, and [`Error::Stdin`] for `-` given twice.
pub fn discover(inputs: &[PathBuf]) -> Result<Discovery, Error> {
    let mut d = Discovery::default();
    for input in inputs {
        if input.as_os_str() == STDIN {
            if d.files.iter().any(InputFile::is_stdin) {
                return Err(Error::Stdin { reason: "`-` (standard input) can be given once" });
            }
            d.files.push(InputFile::stdin());
            continue;
        }
        let meta = std::fs::metadata(input).map_err(|_| Error::MissingInput { path: input.clone() })?;
        if is_stream(&meta) {
            // A FIFO, `/dev/stdin`, `<(zcat x.jsonl.gz)`: read once as it
            // comes and saved like `-` (see [`spool_streams`]); its format is
            // its name's if it has one, else JSONL like `-`.
            let (format, compression) = classify(input).unwrap_or((Format::Jsonl, Compression::None));
            d.files.push(InputFile {
                path: input.clone(),
                display: input.to_string_lossy().into_owned(),
                format,
                compression,
                size: 0,
                spooled: None,
                fields: None,
            });
            continue;
        }
        if meta.is_file() {
            let (format, compression) = classify(input).ok_or_else(|| Error::UnknownFormat { path: input.clone() })?;
            d.files.push(InputFile {
                path: input.clone(),
                display: input.to_string_lossy().into_owned(),
                format,
                compression,
                size: meta.len(),
                spooled: None,
                fields: None,
            });
            continue;
        }
        let walk = walkdir::WalkDir::new(input).follow_links(true).sort_by_file_name().into_iter();
        let mut skipped: Vec<(PathBuf, String)> = Vec::new();
        let walk = walk.filter_entry(|e| {
            let is_hidden = e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
            let is_output =
                !is_hidden && e.depth() > 0 && e.file_type().is_dir() && crate::report::outdir::holds_outputs(e.path());
            if is_hidden {
                skipped.push((e.path().to_path_buf(), "hidden".into()));
            } else if is_output {
                skipped.push((e.path().to_path_buf(), "a sada output directory, not input".into()));
            }
            !is_hidden && !is_output
        });
        for entry in walk {
            let entry = match entry {
                Ok(e) => e,
                // An unreadable directory entry: skipped like an unknown file,
                // since there is no record to report.
                Err(e) => {
                    d.skipped_unknown += 1;
                    let path = e.path().map_or_else(|| input.clone(), Path::to_path_buf);
                    let why = e.io_error().map_or_else(|| e.to_string(), ToString::to_string);
                    d.skipped.push((path, format!("unreadable: {why}")));
                    continue;
                }
            };
            if entry.file_type().is_dir() {
                continue;
            }
            if !entry.file_type().is_file() {
                // A FIFO, socket or device met while walking: not read (it
                // could block the walk), counted with unknown files.
                d.skipped_unknown += 1;
                d.skipped.push((entry.path().to_path_buf(), "a pipe, socket or device".into()));
                continue;
            }
            match classify(entry.path()) {
                Some((format, compression)) => d.files.push(InputFile {
                    path: entry.path().to_path_buf(),
                    display: entry.path().to_string_lossy().into_owned(),
                    format,
                    compression,
                    size: entry.metadata().map(|m| m.len()).unwrap_or(0),
                    spooled: None,
                    fields: None,
                }),
                None => {
                    d.skipped_unknown += 1;
                    d.skipped.push((entry.path().to_path_buf(), not_read(entry.path())));
                }
            }
        }
        d.skipped_hidden += skipped.iter().filter(|x| x.1 == "hidden").count() as u64;
        d.skipped_outputs += skipped.iter().filter(|x| x.1 != "hidden").count() as u64;
        d.skipped.append(&mut skipped);
    }
    // Sorted by path, they read as the walk went.
    d.skipped.sort();
    Ok(d)
}

/// Saves standard input and the other streams among `discovery`'s files
/// (FIFOs, character devices) to unlinked temporary files in `dir` (the
/// system's temporary directory if `None`), so that they can be read more
/// than once, as a scan does (the statements and excerpts go back to the
/// texts). Their sizes are then known, for progress.
///
/// # Errors
/// Reading a stream or writing the temporary file failed.
pub fn spool_streams(discovery: &mut Discovery, dir: Option<&Path>) -> std::io::Result<()> {
    for file in discovery.files.iter_mut() {
        let is_stream = file.is_stdin() || std::fs::metadata(&file.path).is_ok_and(|m| is_stream(&m));
        if !is_stream || file.spooled.is_some() {
            continue;
        }
        let mut spool = crate::spill::file(dir)?;
        file.size = if file.is_stdin() {
            std::io::copy(&mut std::io::stdin().lock(), &mut spool)?
        } else {
            std::io::copy(&mut std::fs::File::open(&file.path)?, &mut spool)?
        };
        file.spooled = Some(std::sync::Arc::new(spool));
    }
    Ok(())
}

/// Whether an input is read as a stream, not a file or a directory.
fn is_stream(meta: &std::fs::Metadata) -> bool {
    !meta.is_file() && !meta.is_dir()
}

/// Streams the records of a list of files, in order, leaving JSONL lines
/// and web-archive bodies undecoded ([`Raw`]).
pub struct RawReader {
    files: std::vec::IntoIter<InputFile>,
    current: Option<Multi>,
    /// Bytes on disk of the files finished so far.
    done_bytes: u64,
    /// Non-document web-archive records of the files finished so far.
    done_skipped: u64,
    /// JSONL lines are parsed as they are read (see [`RawReader::parsing`]).
    parse_lines: bool,
    /// The fields read (see [`RawReader::fields`]).
    fields: std::sync::Arc<Fields>,
}

/// A file with several records, being read.
enum Multi {
    Jsonl(jsonl::JsonlFile),
    Warc(warc::WarcFile),
    Parquet(parquet::ParquetFile),
}

impl Multi {
    fn consumed(&self) -> u64 {
        match self {
            Multi::Jsonl(f) => f.consumed(),
            Multi::Warc(f) => f.consumed(),
            Multi::Parquet(f) => f.consumed(),
        }
    }

    fn size(&self) -> u64 {
        match self {
            Multi::Jsonl(f) => f.size(),
            Multi::Warc(f) => f.size(),
            Multi::Parquet(f) => f.size(),
        }
    }

    fn skipped(&self) -> u64 {
        match self {
            Multi::Jsonl(_) | Multi::Parquet(_) => 0,
            Multi::Warc(f) => f.skipped(),
        }
    }

    fn next(&mut self) -> Option<Raw> {
        match self {
            Multi::Jsonl(f) => f.next(),
            Multi::Warc(f) => f.next(),
            Multi::Parquet(f) => f.next(),
        }
    }
}

impl RawReader {
    /// A reader over `files`.
    pub fn new(files: Vec<InputFile>) -> RawReader {
        RawReader {
            files: files.into_iter(),
            current: None,
            done_bytes: 0,
            done_skipped: 0,
            parse_lines: false,
            fields: Default::default(),
        }
    }

    /// Reads the fields `fields` names (JSONL keys, Parquet columns) instead
    /// of the default ones.
    pub fn fields(self, fields: &Fields) -> RawReader {
        RawReader { fields: std::sync::Arc::new(fields.clone()), ..self }
    }

    /// A reader over `files` that parses JSONL lines where it reads them,
    /// for a caller that parses on the reading thread anyway: a line is
    /// parsed from the read buffer instead of being copied out first
    /// ([`Raw::Line`] carries a line to another thread).
    pub fn parsing(files: Vec<InputFile>) -> RawReader {
        RawReader { parse_lines: true, ..RawReader::new(files) }
    }

    /// Bytes of the input files consumed so far (compressed bytes for
    /// compressed files), for progress reporting.
    pub fn bytes_consumed(&self) -> u64 {
        self.done_bytes + self.current.as_ref().map_or(0, Multi::consumed)
    }

    /// Web-archive records read so far that are not documents (requests,
    /// warcinfo, metadata, revisits, non-HTTP, non-2xx or non-text
    /// responses): not records of `documents.jsonl`, but worth a count.
    pub fn skipped_records(&self) -> u64 {
        self.done_skipped + self.current.as_ref().map_or(0, Multi::skipped)
    }
}

impl Iterator for RawReader {
    type Item = Raw;

    fn next(&mut self) -> Option<Raw> {
        loop {
            if let Some(cur) = &mut self.current {
                if let Some(rec) = cur.next() {
                    return Some(rec);
                }
                self.done_bytes += cur.size();
                self.done_skipped += cur.skipped();
                self.current = None;
            }
            let file = self.files.next()?;
            match file.format {
                Format::Text => {
                    self.done_bytes += file.size;
                    return Some(Raw::Record(text::read(&file)));
                }
                Format::Jsonl => {
                    let fields = file.fields.clone().unwrap_or_else(|| self.fields.clone());
                    self.current = Some(Multi::Jsonl(jsonl::JsonlFile::open(file, self.parse_lines, fields)));
                }
                Format::Warc | Format::Wet | Format::Arc => {
                    self.current = Some(Multi::Warc(warc::WarcFile::open(file)));
                }
                Format::Parquet => {
                    let fields = file.fields.clone().unwrap_or_else(|| self.fields.clone());
                    self.current = Some(Multi::Parquet(parquet::ParquetFile::open(file, fields)));
                }
            }
        }
    }
}

/// A record's [`Meta`]: its publisher is the `source` the input gives, else
/// its URL's host, else its id (every record has one).
pub(crate) fn meta(
    id: String,
    source: Option<String>,
    input: String,
    url: Option<String>,
    date: Option<String>,
) -> Meta {
    let source = source.or_else(|| url.as_deref().and_then(host_of)).unwrap_or_else(|| id.clone());
    Meta { id, source, input, url, date, title: None, recovered: None }
}

/// The host part of a URL, without a leading `www.`; `None` if that leaves
/// nothing (`https://www./`).
pub fn host_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    Some(host.strip_prefix("www.").unwrap_or(host)).filter(|h| !h.is_empty()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension_after_compression() {
        assert_eq!(classify(Path::new("a.txt")), Some((Format::Text, Compression::None)));
        assert_eq!(classify(Path::new("a.JSONL.gz")), Some((Format::Jsonl, Compression::Gzip)));
        assert_eq!(classify(Path::new("a.ndjson.zst")), Some((Format::Jsonl, Compression::Zstd)));
        assert_eq!(classify(Path::new("a.md")), Some((Format::Text, Compression::None)));
        assert_eq!(classify(Path::new("CC-MAIN-1.warc.gz")), Some((Format::Warc, Compression::Gzip)));
        assert_eq!(classify(Path::new("CC-MAIN-1.warc.wet.gz")), Some((Format::Wet, Compression::Gzip)));
        assert_eq!(classify(Path::new("a.wet")), Some((Format::Wet, Compression::None)));
        assert_eq!(classify(Path::new("a.warc.zst")), Some((Format::Warc, Compression::Zstd)));
        assert_eq!(classify(Path::new("a.warc.lz4")), Some((Format::Warc, Compression::Lz4)));
        assert_eq!(classify(Path::new("IA-001.arc.gz")), Some((Format::Arc, Compression::Gzip)));
        assert_eq!(classify(Path::new("a.arc")), Some((Format::Arc, Compression::None)));
        assert_eq!(classify(Path::new("a.warc.bz2")), None);
        assert!(not_read(Path::new("x/a.warc.bz2")).contains("compressed as .bz2"));
        assert_eq!(not_read(Path::new("x/a.csv.bz2")), "not a type sada reads");
        assert_eq!(not_read(Path::new("x/a.csv")), "not a type sada reads");
        assert_eq!(classify(Path::new("a.csv")), None);
        assert_eq!(classify(Path::new("train-00000-of-00002.parquet")), Some((Format::Parquet, Compression::None)));
        assert_eq!(classify(Path::new("a.parquet.gz")), None);
        assert_eq!(classify(Path::new("gz")), None);
    }

    #[test]
    fn stem_strips_compression_and_format() {
        assert_eq!(stem(Path::new("x/000_ab.txt.gz")), "000_ab");
        assert_eq!(stem(Path::new("000_ab.txt")), "000_ab");
    }

    #[test]
    fn host_drops_www() {
        assert_eq!(host_of("https://www.alsumaria.tv/news/1").as_deref(), Some("alsumaria.tv"));
        assert_eq!(host_of("not a url"), None);
    }
}
