//! `--resume`: stage results saved by every process, used again only when
//! every process has its own.

use std::path::{Path, PathBuf};

use serde::Serialize;
use timely::worker::Worker;

use super::superstep::gather;
use super::{Peers, read_failed};
use crate::config::Config;
use crate::read::Discovery;
use crate::spill::store::Store;

/// Stage outputs saved under `--out` so that a rerun with `--resume` skips
/// the stages that completed: timely is fail-stop, and a run that lost a
/// process is started again as a whole.
///
/// Each process writes its own files (`.sada-stages/process-I-of-P/STAGE.bin`
/// under its `--out`): an 8-byte key, then its part of the stage's result
/// (what it goes on with) in bincode. The key hashes the sada version, the
/// parameters, the input listing (paths and sizes) and the cluster shape, so
/// a checkpoint of another run is never used. A stage is skipped only when
/// *every* process loaded its checkpoint (they agree first, in a superstep),
/// so the processes never disagree about which exchanges happen.
pub(super) struct Checkpoints {
    dir: Option<PathBuf>,
    /// What every process of the run must agree on: the binary, the
    /// options, the inputs, the cluster size and whether checkpoints are on.
    pub(super) run: u64,
    /// `run` and this process's number: the key of its checkpoint files.
    key: u64,
}

impl Checkpoints {
    pub(super) fn new(peers: &Peers, config: &Config, discovery: &Discovery) -> Checkpoints {
        // Seconds and nanoseconds since the epoch.
        type Mtime = Option<(u64, u32)>;
        let modified = |p: &Path| -> Mtime {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| (d.as_secs(), d.subsec_nanos()))
        };
        // The binary by size and modification time (a rebuilt sada may hash
        // words differently); the inputs by path, size and modification time.
        let exe = std::env::current_exe().ok();
        let binary = exe.as_deref().map(|e| (std::fs::metadata(e).map(|m| m.len()).ok(), modified(e)));
        let listing: Vec<(&str, u64, Mtime)> =
            discovery.files.iter().map(|f| (f.display.as_str(), f.size, modified(&f.path))).collect();
        let described = format!(
            "{} {binary:?} {} {listing:?} {} {}",
            env!("CARGO_PKG_VERSION"),
            serde_json::to_string(config).unwrap_or_default(),
            peers.hosts.len(),
            peers.checkpoints.is_some(),
        );
        let run = xxhash_rust::xxh3::xxh3_64(described.as_bytes());
        let dir = peers
            .checkpoints
            .as_ref()
            .map(|d| d.join(".sada-stages").join(format!("process-{}-of-{}", peers.process, peers.hosts.len())));
        let key = xxhash_rust::xxh3::xxh3_64_with_seed(&run.to_le_bytes(), peers.process as u64);
        Checkpoints { dir, run, key }
    }

    /// Whether checkpoints are saved and used (`--resume`).
    pub(super) fn enabled(&self) -> bool {
        self.dir.is_some()
    }

    /// The result of stage `name`: from its checkpoint if every process has
    /// one, else computed by `compute` (and saved, with `--resume`).
    ///
    /// `reads` are the stores `compute` reads: a failed read there (which
    /// gives empty data) ends the process before a wrong result can be saved.
    pub(super) fn stage<T: Serialize + serde::de::DeserializeOwned>(
        &self,
        worker: &mut Worker,
        name: &'static str,
        resumed: &mut Vec<&'static str>,
        reads: &[&Store],
        compute: impl FnOnce(&mut Worker) -> T,
    ) -> T {
        let checked = |worker: &mut Worker| {
            let value = compute(worker);
            for store in reads {
                if let Err(e) = store.check() {
                    read_failed(worker.index(), e);
                }
            }
            value
        };
        let Some(dir) = &self.dir else { return checked(worker) };
        let path = dir.join(format!("{name}.bin"));
        let loaded: Option<T> = std::fs::read(&path).ok().and_then(|bytes| {
            let (key, body) = bytes.split_at_checked(8)?;
            (u64::from_le_bytes(key.try_into().ok()?) == self.key).then(|| bincode::deserialize(body).ok())?
        });
        let votes = gather(worker, vec![(worker.index() as u32, loaded.is_some())]);
        if let Some(value) = loaded.filter(|_| votes.iter().all(|v| v.1)) {
            resumed.push(name);
            return value;
        }
        let value = checked(worker);
        if let Err(e) = self.save(&path, &value) {
            eprintln!("sada: cannot save the {name} checkpoint to {}: {e}", path.display());
        }
        value
    }

    fn save<T: Serialize>(&self, path: &Path, value: &T) -> std::io::Result<()> {
        let dir = path.parent().expect("a file in the checkpoint directory");
        std::fs::create_dir_all(dir)?;
        let mut bytes = self.key.to_le_bytes().to_vec();
        bincode::serialize_into(&mut bytes, value).map_err(std::io::Error::other)?;
        // Written aside and renamed: a crash never leaves half a checkpoint.
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(tmp, path)
    }
}
