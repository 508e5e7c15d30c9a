//! Stage 10, **write**: the corpus back (`sada scan --write DIR`).
//!
//! After the scan, every input file is written again under `DIR`, at the
//! same relative path, its records in input order, without the duplicates
//! the `--keep` rule drops. JSON lines pass through byte for byte (only the
//! `sada` annotation and, with `--strip-boilerplate`, the `text` value
//! change; see [`splice`]) in the input's compression; text files and web
//! archives become JSON lines shaped as `sada extract` writes them. The
//! files are read a third time, streaming, one record at a time; nothing of
//! them is kept from the first pass but each document's fate.
//!
//! What is written never depends on `--threads` or `--memory-limit`: the
//! stage is sequential and works from the scan's sorted results.

mod splice;

use std::fs::File;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::Error;
use crate::model::{Scan, Span, Status};
use crate::read::decompress::{self, Compression};
use crate::read::{self, Format, InputFile, Raw, RawLine, RawReader};
use crate::report::outdir::DATASET_MARKER;
use crate::report::wire::{Annotation, CarriedLine, WithTextAnnotated, WrittenLine, round4};

/// Which member of each document cluster `--write` keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Keep {
    /// Every record (nothing is removed; malformed lines stay as they were).
    All,
    /// The member earliest in input order.
    First,
    /// The cluster's representative, as in clusters.jsonl.
    #[default]
    Representative,
    /// The member with the most tokens (ties: earliest in input order).
    Longest,
    /// The member with the earliest `date` (compared as text; undated
    /// members last; ties: earliest in input order).
    Earliest,
}

/// What `--write` is asked for.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Which member of each cluster stays.
    pub keep: Keep,
    /// Add the `sada` object to every written record.
    pub annotate: bool,
    /// Cut the occurrences of boilerplate statements out of the written texts.
    pub strip_boilerplate: bool,
}

/// What [`write`] wrote.
#[derive(Clone, Debug, Default)]
pub struct Written {
    /// Files written (one per input file).
    pub files: u64,
    /// Records written.
    pub records: u64,
    /// For every document, whether it was written: `kept` in documents.jsonl.
    pub kept: Vec<bool>,
}

/// The member of each cluster that `keep` keeps (for [`Keep::All`], the
/// representative: the others are then marked `duplicate` but kept).
pub fn chosen(scan: &Scan, keep: Keep) -> Vec<usize> {
    scan.clusters
        .iter()
        .map(|c| {
            let members = c.members.iter().map(|m| m.0.index());
            let doc = |i: usize| &scan.docs[i];
            match keep {
                Keep::All | Keep::Representative => c.representative.index(),
                Keep::First => members.min().expect("a cluster has members"),
                Keep::Longest => {
                    members.min_by_key(|&i| (std::cmp::Reverse(doc(i).tokens), i)).expect("a cluster has members")
                }
                Keep::Earliest => members
                    .min_by_key(|&i| (doc(i).meta.date.is_none(), doc(i).meta.date.clone(), i))
                    .expect("a cluster has members"),
            }
        })
        .collect()
}

/// The records `keep` keeps: those in no cluster and the chosen member of
/// each cluster, never an `error` record (it is not a record of the
/// dataset) — except with [`Keep::All`], which keeps everything.
pub fn wanted(scan: &Scan, keep: Keep) -> Vec<bool> {
    let mut wanted: Vec<bool> =
        scan.docs.iter().map(|d| keep == Keep::All || !matches!(d.status, Status::Error(_))).collect();
    if keep != Keep::All {
        for (c, &keeper) in scan.clusters.iter().zip(&chosen(scan, keep)) {
            for m in &c.members {
                wanted[m.0.index()] = m.0.index() == keeper;
            }
        }
    }
    wanted
}

/// Checks, before anything is read, that `write` can receive the corpus:
/// it is apart from `out` and from every input (neither inside the other),
/// and no two input files would be written to one path.
///
/// # Errors
/// [`Error::Write`] saying what to do; the errors of [`read::discover`].
pub fn check(write: &Path, out: &Path, inputs: &[PathBuf]) -> Result<(), Error> {
    let refuse = |reason: String| Error::Write { path: write.to_path_buf(), reason };
    let w = absolute(write);
    let o = absolute(out);
    if w == o || w.starts_with(&o) || o.starts_with(&w) {
        return Err(refuse(format!(
            "overlaps --out '{}': give a --write directory apart from it (e.g. clean/ beside sada-out/)",
            out.display()
        )));
    }
    for input in inputs.iter().filter(|i| i.as_os_str() != read::STDIN) {
        let i = absolute(input);
        if w == i || w.starts_with(&i) {
            return Err(refuse(format!(
                "is inside the input '{}': the next scan of it would read the written corpus; give a directory \
                 outside the inputs",
                input.display()
            )));
        }
        if i.starts_with(&w) {
            return Err(refuse(format!(
                "holds the input '{}', which writing would replace; give a directory outside the inputs",
                input.display()
            )));
        }
    }
    let discovery = read::discover(inputs)?;
    names(&discovery.files, inputs).map(drop).map_err(refuse)
}

/// `p` made absolute, symbolic links resolved as far as it exists.
fn absolute(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => absolute(parent).join(name),
        (_, Some(name)) => std::env::current_dir().unwrap_or_default().join(name),
        _ => std::env::current_dir().unwrap_or_default().join(p),
    }
}

/// The path each file is written to under the `--write` directory, without
/// its compression extension (added as the file is compressed): the path
/// relative to the directory input it was found in, or the file name of a
/// file or stream given directly; `stdin.jsonl` for standard input; and
/// `.jsonl` appended for every format but JSONL (`a.txt` → `a.txt.jsonl`).
///
/// # Errors
/// Two files that would be written to one path (named in the message).
fn names(files: &[InputFile], inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let rel = if f.is_stdin() {
            PathBuf::from("stdin.jsonl")
        } else {
            let rel = inputs
                .iter()
                .filter(|i| i.as_os_str() != read::STDIN)
                .find_map(|i| match f.path.strip_prefix(i) {
                    Ok(r) if !r.as_os_str().is_empty() => Some(r.to_path_buf()),
                    Ok(_) => f.path.file_name().map(PathBuf::from),
                    Err(_) => None,
                })
                .or_else(|| f.path.file_name().map(PathBuf::from))
                .unwrap_or_else(|| PathBuf::from("input"));
            let mut name = rel.into_os_string();
            let lower = name.to_string_lossy().to_ascii_lowercase();
            if let Some((_, ext)) = lower.rsplit_once('.')
                && Compression::from_extension(ext).is_some()
            {
                let keep = name.len() - ext.len() - 1;
                name = std::ffi::OsString::from(name.to_string_lossy()[..keep].to_string());
            }
            let named_jsonl = read::classify(&f.path).is_some_and(|(fmt, _)| fmt == Format::Jsonl);
            if !(f.format == Format::Jsonl && named_jsonl) {
                name.push(".jsonl");
            }
            PathBuf::from(name)
        };
        out.push(rel);
    }
    let mut sorted: Vec<(&PathBuf, &InputFile)> = out.iter().zip(files).collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    for pair in sorted.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(format!(
                "would receive '{}' and '{}' under one name, '{}'; give them as separate directories or rename one",
                pair[0].1.display,
                pair[1].1.display,
                pair[0].0.display()
            ));
        }
    }
    Ok(out)
}

/// Writes the corpus of `scan` into `dir` (the staging directory of the
/// `--write` directory), one file per input file, and the marker that says
/// sada wrote it.
///
/// # Errors
/// [`Error::Io`] naming the file that could not be written; [`Error::Write`]
/// if two input files would be written to one path.
pub fn write(scan: &Scan, opts: &Options, inputs: &[PathBuf], dir: &Path) -> Result<Written, Error> {
    let files = &scan.discovery.files;
    let names = names(files, inputs).map_err(|reason| Error::Write { path: dir.to_path_buf(), reason })?;
    std::fs::write(dir.join(DATASET_MARKER), "written by sada scan --write; replaced whole by the next one\n")
        .map_err(io("cannot write", &dir.join(DATASET_MARKER)))?;
    let ctx = Context::new(scan, opts);
    let mut written = Written { kept: vec![false; scan.docs.len()], ..Written::default() };
    let mut next = 0usize;
    for (file, name) in files.iter().zip(&names) {
        match file.format {
            Format::Jsonl => jsonl(&ctx, file, name, dir, &mut next, &mut written)?,
            Format::Text | Format::Warc | Format::Wet | Format::Arc => {
                converted(&ctx, file, name, dir, &mut next, &mut written)?
            }
        }
        written.files += 1;
    }
    debug_assert_eq!(next, scan.docs.len(), "the third pass met every record");
    Ok(written)
}

/// What every record's line is made from.
struct Context<'a> {
    scan: &'a Scan,
    opts: &'a Options,
    wanted: Vec<bool>,
    /// The kept member of each cluster.
    chosen: Vec<usize>,
    /// Each document's cluster and similarity to its representative.
    member: Vec<Option<(u32, f64)>>,
    /// Every occurrence: document, span, statement, boilerplate; sorted.
    occurrences: Vec<(usize, Span, u32, bool)>,
}

impl<'a> Context<'a> {
    fn new(scan: &'a Scan, opts: &'a Options) -> Context<'a> {
        let mut member = vec![None; scan.docs.len()];
        for (i, c) in scan.clusters.iter().enumerate() {
            for &(d, sim) in &c.members {
                member[d.index()] = Some((i as u32, sim));
            }
        }
        let mut occurrences: Vec<(usize, Span, u32, bool)> = scan
            .statements
            .iter()
            .enumerate()
            .flat_map(|(s, st)| st.occurrences.iter().map(move |o| (o.doc.index(), o.span, s as u32, st.boilerplate)))
            .collect();
        occurrences.sort_unstable_by_key(|&(d, span, s, _)| (d, span.start, span.end, s));
        Context { scan, opts, wanted: wanted(scan, opts.keep), chosen: chosen(scan, opts.keep), member, occurrences }
    }

    fn occurrences_of(&self, doc: usize) -> &[(usize, Span, u32, bool)] {
        let from = self.occurrences.partition_point(|o| o.0 < doc);
        let to = self.occurrences.partition_point(|o| o.0 <= doc);
        &self.occurrences[from..to]
    }

    /// Whether the written text of `doc` differs from the text as read.
    fn strips(&self, doc: usize) -> bool {
        self.opts.strip_boilerplate && self.occurrences_of(doc).iter().any(|o| o.3)
    }

    /// The text to write for `doc` (`None`: unchanged) and its annotation.
    fn make(&self, doc: usize, text: Option<&str>) -> (Option<String>, Option<Annotation<'a>>) {
        let occ = self.occurrences_of(doc);
        let mut cut: Vec<(usize, usize)> = Vec::new();
        if self.opts.strip_boilerplate {
            for o in occ.iter().filter(|o| o.3) {
                let (s, e) = (o.1.start as usize, o.1.end as usize);
                match cut.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => cut.push((s, e)),
                }
            }
        }
        let new_text = match text {
            Some(t) if !cut.is_empty() => {
                let mut out = String::with_capacity(t.len());
                let mut at = 0;
                for &(s, e) in &cut {
                    out.push_str(&t[at..s]);
                    at = e;
                }
                out.push_str(&t[at..]);
                Some(out)
            }
            _ => None,
        };
        if !self.opts.annotate {
            return (new_text, None);
        }
        // A position of the text as read, in the written text.
        let shift = |p: usize| {
            let removed: usize = cut.iter().map(|&(s, e)| p.min(e).saturating_sub(s)).sum();
            (p - removed) as u32
        };
        let statements = occ
            .iter()
            .filter(|o| !(self.opts.strip_boilerplate && o.3))
            .map(|o| CarriedLine {
                statement: o.2,
                start: shift(o.1.start as usize),
                end: shift(o.1.end as usize),
                boilerplate: o.3,
            })
            .filter(|c| c.start < c.end)
            .collect();
        let annotation = match self.member[doc] {
            Some((c, sim)) => {
                let cluster = &self.scan.clusters[c as usize];
                Annotation {
                    cluster: Some(c),
                    cluster_size: Some(cluster.members.len()),
                    representative: Some(&self.scan.docs[cluster.representative.index()].meta.id),
                    duplicate: self.chosen[c as usize] != doc,
                    similarity: Some(round4(sim)),
                    statements,
                }
            }
            None => Annotation {
                cluster: None,
                cluster_size: None,
                representative: None,
                duplicate: false,
                similarity: None,
                statements,
            },
        };
        (new_text, Some(annotation))
    }
}

/// The compression a file is written in: its name's, or for standard input
/// and streams, what their first bytes said.
fn compression_of(file: &InputFile, sniffed: Option<Compression>) -> Compression {
    match sniffed {
        Some(c) if file.spooled.is_some() || file.is_stdin() => c,
        _ => file.compression,
    }
}

/// A JSONL file: its lines as they are, but for what is asked.
fn jsonl(
    ctx: &Context<'_>,
    file: &InputFile,
    name: &Path,
    dir: &Path,
    next: &mut usize,
    written: &mut Written,
) -> Result<(), Error> {
    let opened = decompress::open(file);
    let compression = compression_of(file, opened.as_ref().ok().map(|o| o.compression));
    let mut sink = Sink::create(dir, name, compression)?;
    let keep_all = ctx.opts.keep == Keep::All;
    let input: Arc<str> = file.display.as_str().into();
    let mut records = 0u64;
    if let Ok(mut opened) = opened {
        let mut buf = Vec::new();
        let mut line_no = 0u64;
        loop {
            buf.clear();
            match opened.reader.read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(_) => {
                    // The rest of the file is one error record, as in the scan.
                    records += 1;
                    *next += 1;
                    break;
                }
            }
            line_no += 1;
            // The line as the reader sees it (without end of line, `\r`s
            // and a leading byte-order mark), and what stands around it.
            let mut end = buf.len();
            if buf[..end].ends_with(b"\n") {
                end -= 1;
            }
            while end > 0 && buf[end - 1] == b'\r' {
                end -= 1;
            }
            let start = if line_no == 1 && buf[..end].starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
            if start == 3 {
                // The mark belongs to the file: it stays at its head.
                sink.write(&buf[..3], &file.display)?;
            }
            let line = &buf[start..end];
            if line.iter().all(u8::is_ascii_whitespace) {
                if keep_all {
                    sink.write(&buf[start..], &file.display)?;
                }
                continue;
            }
            let doc = *next;
            *next += 1;
            records += 1;
            if !ctx.wanted[doc] {
                continue;
            }
            let edited = if matches!(ctx.scan.docs[doc].status, Status::Error(_)) {
                None
            } else if ctx.opts.annotate || ctx.strips(doc) {
                let text = if ctx.strips(doc) {
                    let raw = RawLine { input: input.clone(), line: line_no, bytes: line.to_vec() };
                    Raw::Line(raw).parse().content.ok()
                } else {
                    None
                };
                let (new_text, annotation) = ctx.make(doc, text.as_deref());
                let annotation = annotation.map(|a| serde_json::to_vec(&a).expect("numbers and strings serialize"));
                splice::edit(line, new_text.as_deref(), annotation.as_deref())
            } else {
                None
            };
            sink.write(edited.as_deref().unwrap_or(line), &file.display)?;
            sink.write(&buf[end..], &file.display)?;
            written.kept[doc] = true;
            written.records += 1;
        }
    } else {
        records += 1;
        *next += 1;
    }
    if records == 0 {
        // A file without records is one `empty` record, which has no line.
        *next += 1;
    }
    sink.finish(&file.display)
}

/// A text file or web archive: one `sada extract` line per kept record.
fn converted(
    ctx: &Context<'_>,
    file: &InputFile,
    name: &Path,
    dir: &Path,
    next: &mut usize,
    written: &mut Written,
) -> Result<(), Error> {
    let sniffed = decompress::open(file).ok().map(|o| o.compression);
    let mut sink = Sink::create(dir, name, compression_of(file, sniffed))?;
    for raw in RawReader::new(vec![file.clone()]) {
        let doc = *next;
        *next += 1;
        if !ctx.wanted[doc] {
            continue;
        }
        let rec = raw.parse();
        let d = &ctx.scan.docs[doc];
        let text = rec.content.as_ref().ok().map(String::as_str);
        let (new_text, annotation) = if text.is_some() { ctx.make(doc, text) } else { (None, None::<Annotation<'_>>) };
        let line = WrittenLine {
            meta: &d.meta,
            bytes: d.bytes,
            tokens: d.tokens,
            status: d.status.name(),
            error: match &d.status {
                Status::Error(e) => Some(e.to_string()),
                _ => None,
            },
            rest: WithTextAnnotated { text: new_text.as_deref().or(text), sada: annotation },
        };
        let mut json = serde_json::to_vec(&line).expect("a line of strings and numbers serializes");
        json.push(b'\n');
        sink.write(&json, &file.display)?;
        written.kept[doc] = true;
        written.records += 1;
    }
    sink.finish(&file.display)
}

/// An output file, compressed as its input was.
enum Sink {
    Plain(BufWriter<File>, PathBuf),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>, PathBuf),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<File>>, PathBuf),
    Lz4(lz4_flex::frame::FrameEncoder<BufWriter<File>>, PathBuf),
}

impl Sink {
    fn create(dir: &Path, name: &Path, compression: Compression) -> Result<Sink, Error> {
        let mut path = dir.join(name).into_os_string();
        match compression {
            Compression::None => {}
            Compression::Gzip => path.push(".gz"),
            Compression::Zstd => path.push(".zst"),
            Compression::Lz4 => path.push(".lz4"),
        }
        let path = PathBuf::from(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io("cannot create", parent))?;
        }
        let file = BufWriter::with_capacity(1 << 20, File::create(&path).map_err(io("cannot write", &path))?);
        Ok(match compression {
            Compression::None => Sink::Plain(file, path),
            Compression::Gzip => Sink::Gzip(flate2::write::GzEncoder::new(file, flate2::Compression::default()), path),
            Compression::Zstd => {
                let enc = zstd::stream::write::Encoder::new(file, 3).map_err(io("cannot write", &path))?;
                Sink::Zstd(enc, path)
            }
            Compression::Lz4 => Sink::Lz4(lz4_flex::frame::FrameEncoder::new(file), path),
        })
    }

    fn path(&self) -> &Path {
        match self {
            Sink::Plain(_, p) | Sink::Gzip(_, p) | Sink::Zstd(_, p) | Sink::Lz4(_, p) => p,
        }
    }

    fn write(&mut self, bytes: &[u8], _input: &str) -> Result<(), Error> {
        let r = match self {
            Sink::Plain(w, _) => w.write_all(bytes),
            Sink::Gzip(w, _) => w.write_all(bytes),
            Sink::Zstd(w, _) => w.write_all(bytes),
            Sink::Lz4(w, _) => w.write_all(bytes),
        };
        r.map_err(io("cannot write", self.path()))
    }

    fn finish(self, _input: &str) -> Result<(), Error> {
        let path = self.path().to_path_buf();
        let r = match self {
            Sink::Plain(mut w, _) => w.flush(),
            Sink::Gzip(w, _) => w.finish().and_then(|mut w| w.flush()),
            Sink::Zstd(w, _) => w.finish().and_then(|mut w| w.flush()),
            Sink::Lz4(w, _) => w.finish().map_err(std::io::Error::other).and_then(|mut w| w.flush()),
        };
        r.map_err(io("cannot write", &path))
    }
}

/// An [`Error::Io`] maker for `map_err`.
fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io { what, path, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, format: Format) -> InputFile {
        InputFile {
            path: PathBuf::from(path),
            display: path.into(),
            format,
            compression: Compression::None,
            size: 0,
            spooled: None,
        }
    }

    #[test]
    fn names_keep_relative_paths_and_add_jsonl_to_converted_formats() {
        let inputs = [PathBuf::from("crawl"), PathBuf::from("x/one.txt"), PathBuf::from("-")];
        let files = [
            file("crawl/a/b.jsonl.gz", Format::Jsonl),
            file("crawl/c.warc.gz", Format::Warc),
            file("x/one.txt", Format::Text),
            InputFile::stdin(),
        ];
        let names = names(&files, &inputs).unwrap();
        let names: Vec<&str> = names.iter().map(|p| p.to_str().unwrap()).collect();
        assert_eq!(names, ["a/b.jsonl", "c.warc.jsonl", "one.txt.jsonl", "stdin.jsonl"]);
    }

    #[test]
    fn two_files_written_to_one_name_are_refused() {
        let inputs = [PathBuf::from("a/x.jsonl"), PathBuf::from("b/x.jsonl.gz")];
        let files = [file("a/x.jsonl", Format::Jsonl), file("b/x.jsonl.gz", Format::Jsonl)];
        let err = names(&files, &inputs).unwrap_err();
        assert!(err.contains("a/x.jsonl") && err.contains("b/x.jsonl.gz"), "{err}");
    }
}
