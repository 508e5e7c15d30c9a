//! `manifest.json`: what an archive holds. It is the archive's single
//! source of truth: a segment file exists for readers only once the manifest
//! lists it, and the manifest is replaced whole (temporary name, fsync,
//! rename), so a reader sees the archive before or after a change, never
//! between.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::params::Params;
use crate::error::Error;

/// The manifest's file name inside the archive directory.
pub const MANIFEST: &str = "manifest.json";

/// What the `format` field must say.
pub const FORMAT: &str = "sada-archive";

/// The layout version this sada writes and reads. Raised when a segment's
/// or the manifest's layout changes; an archive of another version is
/// refused with a message, never misread. Version 2: segments in frames,
/// with their analyses, the archive's verified pairs and the parameters
/// they were made with. Version 3: each segment's anchor postings and the
/// archive's statement state ([`super::state`]).
pub const VERSION: u32 = 3;

/// The contents of `manifest.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Always [`FORMAT`]: tells an archive from any other JSON file.
    pub format: String,
    /// Layout version ([`VERSION`]).
    pub version: u32,
    /// The sada version that last wrote the archive.
    pub written_by: String,
    /// The number the next segment takes (segment names never repeat, so a
    /// leftover of a killed run is never mistaken for a listed segment).
    pub next_segment: u64,
    /// What the stored analyses were made with (`sada index create`'s
    /// options).
    pub parameters: Params,
    /// The archive's verified pairs ([`super::edges`]); `None` until the
    /// first segment.
    pub edges: Option<Part>,
    /// The archive's statement state; `None` until the first segment.
    pub state: Option<StateParts>,
    /// The segments, oldest first: together, the archived records in the
    /// order they were added.
    pub segments: Vec<Segment>,
}

/// What every layout's manifest begins with.
#[derive(Deserialize)]
struct Header {
    format: String,
    version: u32,
    written_by: String,
}

/// A file of the archive besides the segments, as the manifest lists it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Part {
    /// File name inside the archive directory.
    pub file: String,
    /// Its size: a file of another size is damaged.
    pub bytes: u64,
    /// xxh3-64 of its bytes, hex (checked by `sada index info --verify`).
    pub xxh3: String,
}

/// The files of the statement state ([`super::state`], [`super::order`]).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct StateParts {
    /// Groups and sources of the records.
    pub docs: Part,
    /// Pairs of records that share a passage.
    pub links: Part,
    /// The records in leader order.
    pub order: Part,
}

/// One segment file: a zstd-compressed JSON-lines file of archived records.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Segment {
    /// File name inside the archive directory.
    pub file: String,
    /// Records in it.
    pub documents: u64,
    /// Bytes of text of those records (uncompressed).
    pub text_bytes: u64,
    /// Size of the file: a segment of another size is damaged.
    pub bytes: u64,
    /// xxh3-64 of the file's bytes, hex (checked by `sada index info --verify`).
    pub xxh3: String,
    /// Its records' analyses ([`super::analysis`]).
    pub analysis: Part,
    /// Its records' anchor postings ([`super::postings`]).
    pub postings: Part,
    /// Its records' word hashes ([`super::words`]).
    pub words: Part,
}

impl Manifest {
    /// The manifest of an archive without segments, whose analyses will be
    /// made with `parameters`.
    pub fn empty(parameters: Params) -> Manifest {
        Manifest {
            format: FORMAT.into(),
            version: VERSION,
            written_by: env!("CARGO_PKG_VERSION").into(),
            next_segment: 1,
            parameters,
            edges: None,
            state: None,
            segments: Vec::new(),
        }
    }

    /// Every file the manifest lists: name, size and xxh3.
    pub fn parts(&self) -> Vec<(&str, u64, &str)> {
        fn part(p: &Part) -> (&str, u64, &str) {
            (p.file.as_str(), p.bytes, p.xxh3.as_str())
        }
        let mut out = Vec::new();
        for s in &self.segments {
            out.push((s.file.as_str(), s.bytes, s.xxh3.as_str()));
            out.extend([&s.analysis, &s.postings, &s.words].map(part));
        }
        out.extend(self.edges.iter().map(part));
        out.extend(self.state.iter().flat_map(|st| [&st.docs, &st.links, &st.order]).map(part));
        out
    }

    /// Every file the manifest lists, with its size.
    pub fn files(&self) -> impl Iterator<Item = (&str, u64)> {
        self.parts().into_iter().map(|(f, b, _)| (f, b))
    }

    /// Records in the archive.
    pub fn documents(&self) -> u64 {
        self.segments.iter().map(|s| s.documents).sum()
    }

    /// Reads and checks the manifest of the archive `dir`.
    ///
    /// # Errors
    /// [`Error::Archive`] when `dir` holds no manifest (not an archive);
    /// [`Error::ArchiveDamaged`] naming the manifest when it is not one
    /// sada wrote, is of another version, or names an unsafe file.
    pub fn load(dir: &Path) -> Result<Manifest, Error> {
        let path = dir.join(MANIFEST);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::Archive {
                    path: dir.to_path_buf(),
                    reason: "is not a sada archive (it has no manifest.json): make one with `sada index create`".into(),
                });
            }
            Err(source) => return Err(Error::Io { what: "cannot read", path, source }),
        };
        let damaged = |reason: String| Error::ArchiveDamaged { path: path.clone(), reason };
        let not_ours = |e: serde_json::Error| {
            damaged(format!("is not a sada archive manifest ({e}); was it written by another program?"))
        };
        // Format and version first, so that another layout is named as such
        // rather than as fields missing.
        let m: Header = serde_json::from_slice(&bytes).map_err(not_ours)?;
        if m.format != FORMAT {
            return Err(damaged(format!("says format '{}', not '{FORMAT}'", m.format)));
        }
        if m.version != VERSION {
            return Err(damaged(format!(
                "is an archive of layout version {} (written by sada {}); this sada reads version {VERSION}: \
                 make a new archive of its texts with `sada index create NEW {}/seg-*.jsonl.zst`",
                m.version,
                m.written_by,
                dir.display()
            )));
        }
        let m: Manifest = serde_json::from_slice(&bytes).map_err(not_ours)?;
        for s in &m.segments {
            if !is_segment_name(&s.file) {
                return Err(damaged(format!("lists '{}', which is not a segment file name", s.file)));
            }
        }
        let segments: Vec<&str> = m.segments.iter().map(|s| s.file.as_str()).collect();
        if let Some((f, ..)) = m.parts().into_iter().find(|(f, ..)| !segments.contains(f) && !is_part_name(f)) {
            return Err(damaged(format!("lists '{f}', which is not the name of an archive file")));
        }
        Ok(m)
    }

    /// Replaces the manifest of `dir` with `self`, atomically: written under
    /// a temporary name, flushed to disk, renamed over the old one, and the
    /// directory flushed so that the rename itself survives a crash.
    ///
    /// # Errors
    /// [`Error::Io`] naming the manifest.
    pub fn store(&self, dir: &Path) -> Result<(), Error> {
        let path = dir.join(MANIFEST);
        let io = |source| Error::Io { what: "cannot write", path: path.clone(), source };
        let mut tmp = temp_file(dir, ".manifest-").map_err(io)?;
        let mut json = serde_json::to_vec_pretty(self).expect("a manifest serializes");
        json.push(b'\n');
        tmp.write_all(&json).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(&path).map_err(|e| io(e.error))?;
        sync_dir(dir)
    }

    /// The name of the segment numbered `n`.
    pub fn segment_name(n: u64) -> String {
        format!("seg-{n:08}.jsonl.zst")
    }

    /// The name of the analyses of the segment numbered `n`.
    pub fn analysis_name(n: u64) -> String {
        format!("seg-{n:08}.ana")
    }

    /// The name of the pairs file written with the segment numbered `n`.
    pub fn edges_name(n: u64) -> String {
        format!("edges-{n:08}.bin")
    }

    /// The name of the anchor postings of the segment numbered `n`.
    pub fn postings_name(n: u64) -> String {
        format!("seg-{n:08}.pst")
    }

    /// The name of the word hashes of the segment numbered `n`.
    pub fn words_name(n: u64) -> String {
        format!("seg-{n:08}.wds")
    }

    /// The name of the state file `kind` (`docs`, `links`, `order`) written
    /// with the segment numbered `n`.
    pub fn state_name(kind: &str, n: u64) -> String {
        format!("{kind}-{n:08}.bin")
    }
}

/// Whether `name` is the name of a file the archive keeps beside its
/// segments: a segment's analyses, postings or words, the pairs, or a state
/// file.
pub fn is_part_name(name: &str) -> bool {
    let numbered = |n: &str| n.len() == 8 && n.bytes().all(|b| b.is_ascii_digit());
    let seg = |ext: &str| name.strip_prefix("seg-").and_then(|r| r.strip_suffix(ext)).is_some_and(numbered);
    let bin = |kind: &str| name.strip_prefix(kind).and_then(|r| r.strip_suffix(".bin")).is_some_and(numbered);
    seg(".ana") || seg(".pst") || seg(".wds") || ["edges-", "docs-", "links-", "order-"].into_iter().any(bin)
}

/// Whether `name` is a segment file name (and only a name: no path).
pub fn is_segment_name(name: &str) -> bool {
    name.strip_prefix("seg-")
        .and_then(|r| r.strip_suffix(".jsonl.zst"))
        .is_some_and(|n| n.len() == 8 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A temporary file in `dir` named `{prefix}….partial`, readable by all as
/// the files it becomes are meant to be (tempfile's default is owner-only).
///
/// # Errors
/// When it cannot be created.
pub fn temp_file(dir: &Path, prefix: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let mut b = tempfile::Builder::new();
    b.prefix(prefix).suffix(".partial");
    #[cfg(unix)]
    b.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    b.tempfile_in(dir)
}

/// Flushes a directory's entries (a rename in it) to disk.
///
/// # Errors
/// [`Error::Io`] naming the directory.
pub fn sync_dir(dir: &Path) -> Result<(), Error> {
    let io = |source| Error::Io { what: "cannot flush", path: PathBuf::from(dir), source };
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_manifest_loads_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Manifest::empty(Params::of(&crate::config::Config::default()));
        m.segments.push(Segment {
            file: Manifest::segment_name(1),
            documents: 3,
            text_bytes: 10,
            bytes: 20,
            xxh3: "00".into(),
            analysis: Part { file: Manifest::analysis_name(1), bytes: 30, xxh3: "01".into() },
            postings: Part { file: Manifest::postings_name(1), bytes: 40, xxh3: "03".into() },
            words: Part { file: Manifest::words_name(1), bytes: 50, xxh3: "05".into() },
        });
        m.edges = Some(Part { file: Manifest::edges_name(1), bytes: 16, xxh3: "02".into() });
        let state = |kind| Part { file: Manifest::state_name(kind, 1), bytes: 16, xxh3: "04".into() };
        m.state = Some(StateParts { docs: state("docs"), links: state("links"), order: state("order") });
        m.store(dir.path()).unwrap();
        assert_eq!(Manifest::load(dir.path()).unwrap(), m);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, [MANIFEST], "no temporary file left");
    }

    #[test]
    fn foreign_damaged_and_other_versions_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(Manifest::load(dir.path()), Err(Error::Archive { .. })));
        for (bytes, says) in [
            (&b"not json"[..], "not a sada archive manifest"),
            (br#"{"format":"x","version":1,"written_by":"0","next_segment":1,"segments":[]}"#, "format 'x'"),
            (br#"{"format":"sada-archive","version":9,"written_by":"9","next_segment":1,"segments":[]}"#, "version 9"),
            (
                br#"{"format":"sada-archive","version":1,"written_by":"0","next_segment":1,"segments":[]}"#,
                "layout version 1",
            ),
        ] {
            std::fs::write(dir.path().join(MANIFEST), bytes).unwrap();
            let err = Manifest::load(dir.path()).unwrap_err().to_string();
            assert!(err.contains("manifest.json") && err.contains(says), "{err}");
        }
        let mut m = Manifest::empty(Params::of(&crate::config::Config::default()));
        m.edges = Some(Part { file: "../x".into(), bytes: 1, xxh3: "0".into() });
        std::fs::write(dir.path().join(MANIFEST), serde_json::to_vec(&m).unwrap()).unwrap();
        let err = Manifest::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("'../x', which is not the name of an archive file"), "{err}");
    }

    #[test]
    fn segment_names() {
        assert!(is_segment_name(&Manifest::segment_name(42)));
        assert!(is_part_name(&Manifest::analysis_name(42)) && is_part_name(&Manifest::edges_name(42)));
        for kind in ["docs", "links", "order"] {
            assert!(is_part_name(&Manifest::state_name(kind, 42)));
        }
        assert!(is_part_name(&Manifest::postings_name(42)) && is_part_name(&Manifest::words_name(42)));
        assert!(!is_part_name(&Manifest::state_name("other", 42)));
        for bad in ["seg-1.jsonl.zst", "../seg-00000001.jsonl.zst", "seg-0000000a.jsonl.zst", "x"] {
            assert!(!is_segment_name(bad), "{bad}");
        }
        for bad in ["seg-1.ana", "../seg-00000001.ana", "edges-0000000x.bin", "seg-00000001.jsonl.zst"] {
            assert!(!is_part_name(bad), "{bad}");
        }
    }
}
