//! `sada index`: a persistent archive of scanned texts and of what a scan
//! computes of them that stays true, so that today's crawl can be compared
//! with everything already seen without the original input files, and
//! without reading the archive's texts again.
//!
//! An archive is a directory: `manifest.json` ([`manifest`]) lists the
//! segments, oldest first; each segment is a zstd-compressed JSON-lines file
//! of the records one `sada index create`/`add` read — exactly the lines
//! `sada extract` writes for the records that have a text, in frames of a
//! few records ([`frames`]) — so sada's own JSONL reader reads them back as
//! the same records (id, source, url, date, title, text). Beside each
//! segment, its records' analyses ([`analysis`]), anchor postings
//! ([`postings`]) and word hashes ([`words`]); for the whole archive, its
//! verified pairs ([`edges`]), kept up to date by [`graph::extend`], and its
//! statement state ([`state`], [`order`]), kept up to date by
//! `pipeline::day_state`; in the manifest, the parameters all were made
//! with ([`params`]).
//!
//! Crash safety: every file is written under a temporary name, flushed and
//! renamed to a name the manifest does not list yet; then the manifest is
//! replaced (temporary name, flush, rename, directory flush). Until that last
//! rename, readers see the archive as it was; after it, with the whole new
//! segment. A writer holds `.lock` (an OS file lock, released even when the
//! process is killed), and removes what a killed writer left (temporary
//! files, unlisted segments, analyses and pairs) before it writes.

pub mod analysis;
pub mod edges;
pub mod frames;
pub mod graph;
pub mod manifest;
pub mod order;
pub mod params;
pub mod postings;
pub mod state;
pub mod words;

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use analysis::{Analyses, AnalysisWriter};
use frames::FrameWriter;
use manifest::{MANIFEST, Manifest, Part, Segment, StateParts, is_part_name, is_segment_name, sync_dir, temp_file};
use params::Params;
use postings::{Postings, PostingsWriter};
use words::{Words, WordsWriter};

use crate::spill::store::Signatures;

use crate::config::Config;
use crate::error::Error;
use crate::model::Streamed;
use crate::read::decompress::Compression;
use crate::read::{Fields, Format, InputFile};

/// The lock file a writer holds.
pub const LOCK: &str = ".lock";

/// zstd level of segments: fast to write, and texts compress ~4× at it.
const ZSTD_LEVEL: i32 = 3;

/// An archive opened for reading: its manifest, checked against its files.
#[derive(Debug)]
pub struct Archive {
    dir: PathBuf,
    manifest: Manifest,
}

/// What [`add`] archived.
#[derive(Debug)]
pub struct Added {
    /// The records read, as `sada extract` counts them; `ok + empty` were
    /// archived, the `error` ones not.
    pub read: Streamed,
    /// The new segment (`None` when no record had a text).
    pub segment: Option<Segment>,
}

impl Archive {
    /// Opens the archive `dir`: its manifest, and every listed segment
    /// present with the size the manifest says.
    ///
    /// # Errors
    /// [`Error::Archive`] when `dir` is not an archive; [`Error::ArchiveDamaged`]
    /// naming the file when the manifest is not sada's, a listed segment is
    /// missing or of another size, or the directory holds a file sada did
    /// not write.
    pub fn open(dir: &Path) -> Result<Archive, Error> {
        let manifest = Manifest::load(dir)?;
        for (file, bytes) in manifest.files() {
            let path = dir.join(file);
            let len = std::fs::metadata(&path)
                .map_err(|e| Error::ArchiveDamaged { path: path.clone(), reason: format!("is missing ({e})") })?
                .len();
            if len != bytes {
                return Err(Error::ArchiveDamaged {
                    path,
                    reason: format!("has {len} bytes where the manifest says {bytes}: the file was changed or cut"),
                });
            }
        }
        for entry in
            std::fs::read_dir(dir).map_err(|source| Error::Io { what: "cannot read", path: dir.into(), source })?
        {
            let entry = entry.map_err(|source| Error::Io { what: "cannot read", path: dir.into(), source })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !(name == MANIFEST
                || name == LOCK
                || is_segment_name(&name)
                || is_part_name(&name)
                || is_leftover(&name))
            {
                return Err(Error::ArchiveDamaged {
                    path: entry.path(),
                    reason: "was not written by sada index: move it out of the archive".into(),
                });
            }
        }
        Ok(Archive { dir: dir.to_path_buf(), manifest })
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The archive's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The segment files, oldest first: the archive's records in order.
    pub fn segment_paths(&self) -> Vec<PathBuf> {
        self.manifest.segments.iter().map(|s| self.dir.join(&s.file)).collect()
    }

    /// The segments as inputs of a scan: zstd-compressed JSON lines, read
    /// with sada's own field names whatever the run's.
    pub fn input_files(&self) -> Vec<InputFile> {
        self.manifest.segments.iter().map(|s| segment_input(self.dir.join(&s.file), s.bytes)).collect()
    }

    /// Reads every segment whole and checks it against the manifest's hash.
    ///
    /// # Errors
    /// [`Error::ArchiveDamaged`] naming the first segment whose bytes differ.
    pub fn verify(&self) -> Result<(), Error> {
        for (file, want_bytes, want_hash) in self.manifest.parts() {
            let path = self.dir.join(file);
            let (bytes, hash) = hash_file(&path)?;
            if bytes != want_bytes || hash != want_hash {
                return Err(Error::ArchiveDamaged {
                    path,
                    reason: format!("has hash {hash} where the manifest says {want_hash}: the file is damaged"),
                });
            }
        }
        Ok(())
    }
}

/// Makes `dir` a new, empty archive, and returns its writer lock (so that
/// the first segment is added before any other writer comes).
///
/// # Errors
/// [`Error::Archive`] when `dir` is already an archive or holds other files.
pub fn create(dir: &Path, parameters: Params) -> Result<WriteLock, Error> {
    let refuse = |reason: &str| Error::Archive { path: dir.to_path_buf(), reason: reason.into() };
    if dir.join(MANIFEST).exists() {
        return Err(refuse("is already a sada archive: add to it with `sada index add`"));
    }
    if dir.is_file() {
        return Err(refuse("is a file: give a directory for the archive"));
    }
    std::fs::create_dir_all(dir).map_err(|source| Error::Io { what: "cannot create", path: dir.into(), source })?;
    // Checked before the lock file is made, so that a refused directory is
    // left as it was.
    let holds_other = std::fs::read_dir(dir)
        .map_err(|source| Error::Io { what: "cannot read", path: dir.into(), source })?
        .filter_map(Result::ok)
        .any(|e| e.file_name() != LOCK);
    if holds_other {
        return Err(refuse("holds files already: give a new or empty directory"));
    }
    let lock = WriteLock::take(dir)?;
    if dir.join(MANIFEST).exists() {
        return Err(refuse("was made an archive by another sada meanwhile"));
    }
    Manifest::empty(parameters).store(dir)?;
    Ok(lock)
}

/// Reads `inputs` as `sada extract` does and appends their records that
/// have a text to the archive `dir` as one new segment, with their analyses
/// and the archive's pairs brought up to date; each record that cannot be
/// read is handed to `skipped` and not archived. The analyses are made with
/// the archive's parameters, whatever `config` says of them.
///
/// # Errors
/// As [`Archive::open`]; [`Error::Archive`] when another sada writes the
/// archive; the errors of reading the inputs (nothing is added then).
pub fn add(
    lock: &WriteLock,
    inputs: &[PathBuf],
    config: &Config,
    skipped: impl FnMut(&str) + Send,
) -> Result<Added, Error> {
    let dir = lock.dir();
    let archive = Archive::open(dir)?;
    remove_leftovers(dir, &archive.manifest)?;
    let config = archive.manifest.parameters.apply(config);
    let io = |what, source| Error::Io { what, path: dir.to_path_buf(), source };
    let tmp = temp_file(dir, ".seg-").map_err(|e| io("cannot write a segment in", e))?;
    let file = tmp.as_file().try_clone().map_err(|e| io("cannot write a segment in", e))?;
    let mut writer = FrameWriter::new(BufWriter::with_capacity(1 << 20, file), ZSTD_LEVEL);
    // The records' analyses, made as their lines are: signatures streamed
    // to a file, keys kept for the pairs below.
    let ana = temp_file(dir, ".ana-").map_err(|e| io("cannot write a segment's analyses in", e))?;
    let ana_file = ana.as_file().try_clone().map_err(|e| io("cannot write a segment's analyses in", e))?;
    let mut analysis = AnalysisWriter::new(ana_file, lanes(&config), config.banding());
    let pst = temp_file(dir, ".pst-").map_err(|e| io("cannot write a segment's postings in", e))?;
    let pst_file = pst.as_file().try_clone().map_err(|e| io("cannot write a segment's postings in", e))?;
    let mut postings = PostingsWriter::new(pst_file, config.budgets().postings);
    let wds = temp_file(dir, ".wds-").map_err(|e| io("cannot write a segment's words in", e))?;
    let wds_file = wds.as_file().try_clone().map_err(|e| io("cannot write a segment's words in", e))?;
    let mut words = WordsWriter::new(wds_file);
    let mut content = Vec::new();
    let mut sigs = Signatures::new(config.budgets().signatures, config.spill_dir.as_deref());
    let read = crate::pipeline::extract_texts(inputs, &config, &mut writer, skipped, |c, sig, anchors, w| {
        analysis.push(c, sig.map(|s| s.lanes()).as_deref())?;
        postings.push(anchors)?;
        words.push(w)?;
        content.push(c);
        sigs.push(sig)
    })?;
    let (_, frames, records) = writer
        .finish()
        .and_then(|(w, f, n)| tmp.as_file().sync_all().map(|()| (w, f, n)))
        .map_err(|e| io("cannot write a segment in", e))?;
    let documents = read.ok + read.empty;
    if documents == 0 {
        return Ok(Added { read, segment: None });
    }
    debug_assert_eq!(records, documents, "a line per archived record");
    sigs.finish()
        .and_then(|()| analysis.finish(&frames))
        .and_then(|f| f.sync_all())
        .map_err(|e| io("cannot write a segment's analyses in", e))?;
    postings.finish().and_then(|f| f.sync_all()).map_err(|e| io("cannot write a segment's postings in", e))?;
    words.finish().and_then(|f| f.sync_all()).map_err(|e| io("cannot write a segment's words in", e))?;
    let n = archive.manifest.next_segment;
    let segment_path = dir.join(Manifest::segment_name(n));
    tmp.persist(&segment_path).map_err(|e| io("cannot put a segment in place in", e.error))?;
    let analysis_path = dir.join(Manifest::analysis_name(n));
    ana.persist(&analysis_path).map_err(|e| io("cannot put a segment's analyses in place in", e.error))?;
    let postings_path = dir.join(Manifest::postings_name(n));
    pst.persist(&postings_path).map_err(|e| io("cannot put a segment's postings in place in", e.error))?;
    let words_path = dir.join(Manifest::words_name(n));
    wds.persist(&words_path).map_err(|e| io("cannot put a segment's words in place in", e.error))?;

    // The archive's pairs with the new records'.
    let stored = graph::Stored::open(&archive)?;
    let at = crate::pipeline::verify_at(&config);
    let extended = graph::extend(&stored, graph::New { content: &content, sigs: &sigs }, &config.banding(), at)
        .map_err(|e| Error::ArchiveDamaged { path: dir.to_path_buf(), reason: format!("cannot be read ({e})") })?;
    let edges = extended.edges(&stored.edges);
    let tmp = temp_file(dir, ".edges-").map_err(|e| io("cannot write the pairs in", e))?;
    let file = tmp.as_file().try_clone().map_err(|e| io("cannot write the pairs in", e))?;
    edges::write(file, &edges).and_then(|f| f.sync_all()).map_err(|e| io("cannot write the pairs in", e))?;
    let edges_path = dir.join(Manifest::edges_name(n));
    tmp.persist(&edges_path).map_err(|e| io("cannot put the pairs in place in", e.error))?;
    sync_dir(dir)?;

    let (bytes, xxh3) = hash_file(&segment_path)?;
    let segment = Segment {
        file: Manifest::segment_name(n),
        documents,
        text_bytes: read.bytes,
        bytes,
        xxh3,
        analysis: part(&analysis_path)?,
        postings: part(&postings_path)?,
        words: part(&words_path)?,
    };
    let mut segments = archive.manifest.segments.clone();
    segments.push(segment.clone());
    // The statement state: brought up to date with the day's records, or
    // made again from every segment (the first one, or a day that changes
    // too much of it).
    let day = crate::pipeline::day_state(&archive, vec![segment_input(segment_path.clone(), bytes)], &config)?;
    let state = match (day, &archive.manifest.state) {
        (Some(day), Some(old)) => update_state(dir, old, day, n)?,
        _ => write_state(dir, &segments, &config, n)?,
    };
    // The state files' renames on disk before the manifest names them.
    sync_dir(dir)?;
    let mut manifest = archive.manifest;
    manifest.edges = Some(part(&edges_path)?);
    manifest.state = Some(state);
    manifest.next_segment += 1;
    manifest.written_by = env!("CARGO_PKG_VERSION").into();
    manifest.segments.push(segment.clone());
    manifest.store(dir)?;
    // The previous pairs file is no longer listed.
    remove_leftovers(dir, &manifest)?;
    Ok(Added { read, segment: Some(segment) })
}

/// The statement state of the archive of `segments` ([`state`], [`order`]),
/// written beside them under the number `n`: made by scanning every
/// segment with statements, so that it is what a scan of the whole archive
/// knows.
fn write_state(dir: &Path, segments: &[Segment], config: &Config, n: u64) -> Result<StateParts, Error> {
    let files = segments.iter().map(|s| segment_input(dir.join(&s.file), s.bytes)).collect();
    let mut config = config.clone();
    config.passage.enabled = true;
    config.progress = false;
    config.archived = 0;
    config.keep_links = true;
    let scan = crate::pipeline::scan_files(files, &config)?;
    let documents: u64 = segments.iter().map(|s| s.documents).sum();
    if scan.docs.len() as u64 != documents {
        return Err(Error::ArchiveDamaged {
            path: dir.to_path_buf(),
            reason: format!(
                "gave back {} records where its manifest lists {documents}: check it with `sada index info --verify`",
                scan.docs.len()
            ),
        });
    }
    let mut docs = state::Docs {
        group: (0..scan.docs.len() as u32).collect(),
        source: scan.docs.iter().map(|d| state::source_hash(&d.meta.source)).collect(),
    };
    for c in &scan.clusters {
        let group = state::cluster_group(c);
        c.members.iter().for_each(|m| docs.group[m.0.index()] = group);
    }
    let keys = order::keys(&scan.docs, 0);
    let links: Vec<(u32, u32)> = scan.linked.iter().map(|&(a, b)| (a.0, b.0)).collect();
    let put = |kind: &str, write: &dyn Fn(File) -> std::io::Result<File>| put_state(dir, kind, n, write);
    Ok(StateParts {
        docs: put("docs", &|f| state::write_docs(f, &docs))?,
        links: put("links", &|f| state::write_links(f, &links))?,
        order: put("order", &|f| order::write(f, &keys))?,
    })
}

/// The statement state `old` brought up to date with a day's records
/// (`day`), written under the number `n`: the day's groups and source
/// hashes appended and the regrouped records' groups changed, its links
/// added, its records merged into the leader order.
fn update_state(dir: &Path, old: &StateParts, day: crate::pipeline::DayState, n: u64) -> Result<StateParts, Error> {
    let damaged = state::unreadable;
    let docs_path = dir.join(&old.docs.file);
    let mut docs = state::read_docs(&docs_path).map_err(damaged(docs_path.clone()))?;
    for &(g, group) in &day.regrouped {
        docs.group[g as usize] = group;
    }
    docs.group.extend(&day.new_group);
    docs.source.extend(&day.sources);
    let links_path = dir.join(&old.links.file);
    let mut links = state::read_links(&links_path).map_err(damaged(links_path.clone()))?;
    links.extend(&day.new_links);
    links.sort_unstable();
    links.dedup();
    let put = |kind: &str, write: &dyn Fn(File) -> std::io::Result<File>| put_state(dir, kind, n, write);
    let order_path = dir.join(&old.order.file);
    Ok(StateParts {
        docs: put("docs", &|f| state::write_docs(f, &docs))?,
        links: put("links", &|f| state::write_links(f, &links))?,
        order: put("order", &|f| {
            let (_, written) = order::merge(&order_path, &day.keys, Some(f))?;
            Ok(written.expect("asked for"))
        })?,
    })
}

/// Writes the state file `kind` numbered `n` into `dir` with `write`
/// (temporary name, fsync, rename), as the manifest will list it.
fn put_state(dir: &Path, kind: &str, n: u64, write: &dyn Fn(File) -> std::io::Result<File>) -> Result<Part, Error> {
    let io = |what, source| Error::Io { what, path: dir.to_path_buf(), source };
    let tmp = temp_file(dir, ".state-").map_err(|e| io("cannot write the statement state in", e))?;
    let file = tmp.as_file().try_clone().map_err(|e| io("cannot write the statement state in", e))?;
    write(file).and_then(|f| f.sync_all()).map_err(|e| io("cannot write the statement state in", e))?;
    let path = dir.join(Manifest::state_name(kind, n));
    tmp.persist(&path).map_err(|e| io("cannot put the statement state in place in", e.error))?;
    part(&path)
}

/// A file written into the archive, as the manifest lists it.
fn part(path: &Path) -> Result<Part, Error> {
    let (bytes, xxh3) = hash_file(path)?;
    let file = path.file_name().expect("a file in the archive").to_string_lossy().into_owned();
    Ok(Part { file, bytes, xxh3 })
}

/// Lanes of a signature made with `config`: `--num-perm`, or SimHash's 64
/// bits as two.
fn lanes(config: &Config) -> usize {
    if config.method == crate::sign::Method::Simhash { 2 } else { config.num_perm }
}

/// A segment as an input of a scan: zstd-compressed JSON lines, read with
/// sada's own field names whatever the run's.
fn segment_input(path: PathBuf, size: u64) -> InputFile {
    InputFile {
        display: path.to_string_lossy().into_owned(),
        path,
        format: Format::Jsonl,
        compression: Compression::Zstd,
        size,
        spooled: None,
        fields: Some(std::sync::Arc::new(Fields::default())),
    }
}

/// Merges the archive's segments into one (the same records in the same
/// order); `None` when there was nothing to merge (fewer than two segments).
/// Segments are series of zstd frames, so the merged one is their bytes end
/// to end; their analyses are merged as well, and the pairs (numbered by
/// record across the archive) stay as they are.
///
/// # Errors
/// As [`add`]; [`Error::ArchiveDamaged`] naming a file that cannot be read.
pub fn compact(lock: &WriteLock) -> Result<Option<Segment>, Error> {
    let dir = lock.dir();
    let archive = Archive::open(dir)?;
    remove_leftovers(dir, &archive.manifest)?;
    if archive.manifest.segments.len() < 2 {
        return Ok(None);
    }
    let io = |what, source| Error::Io { what, path: dir.to_path_buf(), source };
    let config = archive.manifest.parameters.apply(&Config::default());
    let mut tmp = temp_file(dir, ".seg-").map_err(|e| io("cannot write a segment in", e))?;
    let ana_tmp = temp_file(dir, ".ana-").map_err(|e| io("cannot write a segment's analyses in", e))?;
    let ana_file = ana_tmp.as_file().try_clone().map_err(|e| io("cannot write a segment's analyses in", e))?;
    let mut analysis = AnalysisWriter::new(ana_file, lanes(&config), config.banding());
    let mut frames = Vec::new();
    let mut postings = Vec::new();
    let mut word_files = Vec::new();
    let (mut offset, mut first) = (0u64, 0u64);
    {
        let mut out = BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        for s in &archive.manifest.segments {
            let path = dir.join(&s.file);
            let damaged = |e: std::io::Error| Error::ArchiveDamaged {
                path: path.clone(),
                reason: format!("cannot be read ({e}): the archive is damaged"),
            };
            let mut file = File::open(&path).map_err(damaged)?;
            std::io::copy(&mut file, &mut out).map_err(damaged)?;
            let ana_path = dir.join(&s.analysis.file);
            let a = Analyses::open(&ana_path).map_err(|e| Error::ArchiveDamaged {
                path: ana_path.clone(),
                reason: format!("cannot be read ({e}): the archive is damaged"),
            })?;
            a.for_each_lanes(|i, lanes| analysis.push(a.content(i), lanes))
                .map_err(|e| io("cannot merge the segments' analyses in", e))?;
            frames
                .extend(a.frames().iter().map(|f| frames::Frame { offset: offset + f.offset, first: first + f.first }));
            let pst_path = dir.join(&s.postings.file);
            let p = Postings::open(&pst_path).map_err(|e| Error::ArchiveDamaged {
                path: pst_path.clone(),
                reason: format!("cannot be read ({e}): the archive is damaged"),
            })?;
            postings.push((p, u32::try_from(first).expect("an archive's records fit in memory")));
            let wds_path = dir.join(&s.words.file);
            let w = Words::open(&wds_path).map_err(|e| Error::ArchiveDamaged {
                path: wds_path.clone(),
                reason: format!("cannot be read ({e}): the archive is damaged"),
            })?;
            word_files.push(w);
            offset += s.bytes;
            first += s.documents;
        }
        out.flush().map_err(|e| io("cannot write a segment in", e))?;
    }
    tmp.as_file().sync_all().map_err(|e| io("cannot write a segment in", e))?;
    analysis.finish(&frames).and_then(|f| f.sync_all()).map_err(|e| io("cannot write a segment's analyses in", e))?;
    let pst_tmp = temp_file(dir, ".pst-").map_err(|e| io("cannot write a segment's postings in", e))?;
    let pst_file = pst_tmp.as_file().try_clone().map_err(|e| io("cannot write a segment's postings in", e))?;
    let parts: Vec<(&Postings, u32)> = postings.iter().map(|(p, b)| (p, *b)).collect();
    postings::concat(&parts, pst_file)
        .and_then(|f| f.sync_all())
        .map_err(|e| io("cannot merge the segments' postings in", e))?;
    let wds_tmp = temp_file(dir, ".wds-").map_err(|e| io("cannot write a segment's words in", e))?;
    let wds_file = wds_tmp.as_file().try_clone().map_err(|e| io("cannot write a segment's words in", e))?;
    words::concat(&word_files.iter().collect::<Vec<_>>(), wds_file)
        .and_then(|f| f.sync_all())
        .map_err(|e| io("cannot merge the segments' words in", e))?;
    let mut manifest = archive.manifest.clone();
    let n = manifest.next_segment;
    let path = dir.join(Manifest::segment_name(n));
    let ana_path = dir.join(Manifest::analysis_name(n));
    tmp.persist(&path).map_err(|e| io("cannot put a segment in place in", e.error))?;
    ana_tmp.persist(&ana_path).map_err(|e| io("cannot put a segment's analyses in place in", e.error))?;
    let pst_path = dir.join(Manifest::postings_name(n));
    pst_tmp.persist(&pst_path).map_err(|e| io("cannot put a segment's postings in place in", e.error))?;
    let wds_path = dir.join(Manifest::words_name(n));
    wds_tmp.persist(&wds_path).map_err(|e| io("cannot put a segment's words in place in", e.error))?;
    sync_dir(dir)?;
    let (bytes, xxh3) = hash_file(&path)?;
    let segment = Segment {
        file: Manifest::segment_name(n),
        documents: manifest.documents(),
        text_bytes: manifest.segments.iter().map(|s| s.text_bytes).sum(),
        bytes,
        xxh3,
        analysis: part(&ana_path)?,
        postings: part(&pst_path)?,
        words: part(&wds_path)?,
    };
    manifest.next_segment += 1;
    manifest.written_by = env!("CARGO_PKG_VERSION").into();
    manifest.segments = vec![segment.clone()];
    manifest.store(dir)?;
    // The old segments are no longer listed: removing them is tidying, and a
    // crash before it leaves files the next writer removes.
    remove_leftovers(dir, &manifest)?;
    Ok(Some(segment))
}

/// The archive's writer lock, held until dropped: one writer at a time, and
/// no writer while a [`ReadLock`] is held. An OS file lock on `.lock`, so a
/// killed process never leaves it taken.
#[derive(Debug)]
pub struct WriteLock {
    dir: PathBuf,
    _file: File,
}

impl WriteLock {
    /// Takes the writer lock of `dir` (an archive, or a directory becoming one).
    ///
    /// # Errors
    /// [`Error::Archive`] when another process writes or reads the archive.
    pub fn take(dir: &Path) -> Result<WriteLock, Error> {
        let path = dir.join(LOCK);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| Error::Io { what: "cannot open the lock", path: path.clone(), source })?;
        match file.try_lock() {
            Ok(()) => Ok(WriteLock { dir: dir.to_path_buf(), _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Archive {
                path: dir.to_path_buf(),
                reason: "is in use by another sada (its .lock is held): wait for it to finish".into(),
            }),
            Err(std::fs::TryLockError::Error(source)) => Err(Error::Io { what: "cannot lock", path, source }),
        }
    }

    /// The archive's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// A reader's lock on an archive, held until dropped: readers share it, and
/// no writer can compact away the segments a scan is reading.
#[derive(Debug)]
pub struct ReadLock {
    /// `None` for an archive without `.lock` that this user cannot write
    /// (a read-only copy): no writer can work there either.
    _file: Option<File>,
}

impl ReadLock {
    /// Takes a reader's lock on the archive `dir`.
    ///
    /// # Errors
    /// [`Error::Archive`] when `dir` is not an archive or a writer holds it.
    pub fn take(dir: &Path) -> Result<ReadLock, Error> {
        Manifest::load(dir)?;
        let path = dir.join(LOCK);
        let file = match File::open(&path) {
            Ok(f) => f,
            // An archive copied without its (empty) lock file: made again
            // where it can be, read unlocked where nobody can write.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                match File::options().create(true).truncate(false).write(true).open(&path) {
                    Ok(f) => f,
                    Err(_) => return Ok(ReadLock { _file: None }),
                }
            }
            Err(source) => return Err(Error::Io { what: "cannot open the lock", path, source }),
        };
        match file.try_lock_shared() {
            Ok(()) => Ok(ReadLock { _file: Some(file) }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Archive {
                path: dir.to_path_buf(),
                reason: "is being written by another sada (its .lock is held): wait for it to finish".into(),
            }),
            Err(std::fs::TryLockError::Error(source)) => Err(Error::Io { what: "cannot lock", path, source }),
        }
    }
}

/// A file a killed writer may leave: a temporary segment or manifest.
fn is_leftover(name: &str) -> bool {
    name.ends_with(".partial")
        && [".seg-", ".ana-", ".pst-", ".wds-", ".edges-", ".state-", ".manifest-"].iter().any(|p| name.starts_with(p))
}

/// Removes what killed writers left: temporary files and segments the
/// manifest does not list. Called with the lock held.
fn remove_leftovers(dir: &Path, manifest: &Manifest) -> Result<(), Error> {
    let io = |source| Error::Io { what: "cannot tidy", path: dir.to_path_buf(), source };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let unlisted = (is_segment_name(&name) || is_part_name(&name)) && !manifest.files().any(|(f, _)| f == name);
        if unlisted || is_leftover(&name) {
            std::fs::remove_file(entry.path()).map_err(io)?;
        }
    }
    Ok(())
}

/// Size and xxh3-64 (hex) of a file.
fn hash_file(path: &Path) -> Result<(u64, String), Error> {
    let io = |source| Error::Io { what: "cannot read", path: path.to_path_buf(), source };
    let mut file = File::open(path).map_err(io)?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((bytes, format!("{:016x}", hasher.digest())))
}
