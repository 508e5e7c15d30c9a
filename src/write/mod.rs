//! Stage 10, **write**: the corpus back (`sada scan --write DIR`).
//!
//! After the scan, every input file is written again under `DIR`, at the
//! same relative path, its records in input order, without the duplicates
//! the `--keep` rule drops. JSON lines pass through byte for byte (only the
//! `sada` annotation and, with `--strip-boilerplate`, the `text` value
//! change; see `splice.rs`) in the input's compression; Parquet files stay
//! Parquet, schema and row groups as they were (`parquet.rs`); text files and
//! web archives become JSON lines shaped as `sada extract` writes them. The
//! files are read a third time, streaming; nothing of them is kept from the
//! first pass but each document's fate.
//!
//! What is written never depends on `--threads` or `--memory-limit`: the
//! stage is sequential and works from the scan's sorted results.

mod context;
mod converted;
mod jsonl;
mod keep;
mod parquet;
mod sink;
mod splice;

pub use keep::{Keep, chosen, wanted};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::Error;
use crate::model::Scan;
use crate::read::decompress::Compression;
use crate::read::{self, Fields, Format, InputFile};
use crate::report::outdir::DATASET_MARKER;

/// What `--write` is asked for.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Which member of each cluster stays.
    pub keep: Keep,
    /// Add the `sada` object to every written record.
    pub annotate: bool,
    /// Cut the occurrences of boilerplate statements out of the written texts.
    pub strip_boilerplate: bool,
    /// The names of the JSONL keys and Parquet columns read (the text's is
    /// the one rewritten).
    pub fields: Arc<Fields>,
}

/// What [`write()`] wrote.
#[derive(Clone, Debug, Default)]
pub struct Written {
    /// Files written: one per input file, but for a Parquet file sada could
    /// not read, which only `--keep all` copies.
    pub files: u64,
    /// Records written.
    pub records: u64,
    /// For every document, whether it was written: `kept` in documents.jsonl.
    pub kept: Vec<bool>,
}

/// Checks, before anything is read, that `write` can receive the corpus:
/// it is apart from `out`, from the archive of `--against` and from every
/// input (neither inside the other), and no two input files would be
/// written to one path.
///
/// # Errors
/// [`Error::Write`] saying what to do; the errors of [`read::discover`].
pub fn check(write: &Path, out: &Path, archive: Option<&Path>, inputs: &[PathBuf]) -> Result<(), Error> {
    let refuse = |reason: String| Error::Write { path: write.to_path_buf(), reason };
    let w = absolute(write);
    let apart =
        [(out, "--out", " (e.g. clean/ beside sada-out/)")].into_iter().chain(archive.map(|a| (a, "the archive", "")));
    for (other, what, example) in apart {
        let o = absolute(other);
        if w == o || w.starts_with(&o) || o.starts_with(&w) {
            return Err(refuse(format!(
                "overlaps {what} '{}': give a --write directory apart from it{example}",
                other.display()
            )));
        }
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
            let named_as_read = read::classify(&f.path).is_some_and(|(fmt, _)| fmt == f.format);
            if !(matches!(f.format, Format::Jsonl | Format::Parquet) && named_as_read) {
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
    // `scan --against`: the archive's segments come first and are not written.
    let files = &scan.discovery.files[scan.discovery.archive_files..];
    let names = names(files, inputs).map_err(|reason| Error::Write { path: dir.to_path_buf(), reason })?;
    std::fs::write(dir.join(DATASET_MARKER), "written by sada scan --write; replaced whole by the next one\n")
        .map_err(io("cannot write", &dir.join(DATASET_MARKER)))?;
    let ctx = context::Context::new(scan, opts);
    let mut written = Written { kept: vec![false; scan.docs.len()], ..Written::default() };
    let mut next = scan.archived;
    for (file, name) in files.iter().zip(&names) {
        let wrote = match file.format {
            Format::Jsonl => jsonl::jsonl(&ctx, file, name, dir, &mut next, &mut written).map(|()| true)?,
            Format::Parquet => parquet::parquet(&ctx, file, name, dir, &mut next, &mut written)?,
            Format::Text | Format::Warc | Format::Wet | Format::Arc => {
                converted::converted(&ctx, file, name, dir, &mut next, &mut written).map(|()| true)?
            }
        };
        written.files += u64::from(wrote);
    }
    if next != scan.docs.len() {
        // Records are matched to the scan's by position: a different count
        // means the written corpus would pair texts with other records' fates.
        return Err(Error::Write {
            path: dir.to_path_buf(),
            reason: format!(
                "met {next} records in the inputs where the scan read {}: an input changed during the run; \
                 run the scan again on inputs that stay as they are",
                scan.docs.len()
            ),
        });
    }
    Ok(written)
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
            fields: None,
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
