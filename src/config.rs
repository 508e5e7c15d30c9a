//! Run parameters, with the defaults users get and the checks that keep them
//! consistent. Serialized into `summary.json` as `parameters`, so every run
//! records the settings it used.

use serde::Serialize;

use crate::error::Error;
use crate::index::{Banding, params};
use crate::passage::PassageConfig;
use crate::shingle::{ShingleConfig, ShingleKind};
use crate::sign::Method;

/// Default document-level Jaccard threshold. See docs/quality.md, "How the
/// defaults were chosen", and `scripts/eval/quality.sh`.
pub const DEFAULT_THRESHOLD: f64 = 0.6;
/// Default floor of the similarity between any two members of a cluster
/// (the drift guard, see `cluster`).
pub const DEFAULT_PAIR_FLOOR: f64 = 0.5;
/// Default signature method: one-permutation MinHash. Same lanes, banding
/// and estimator as classic MinHash (cluster F1 0.9860 against 0.9865 on the
/// Arabic quality corpus; exact Jaccard decides membership either way) at one
/// hash per shingle instead of 128: `cargo bench --bench shingle`.
pub const DEFAULT_METHOD: Method = Method::Oph;
/// Default number of MinHash lanes.
pub const DEFAULT_NUM_PERM: usize = 128;
/// Default word n-gram size.
pub const DEFAULT_NGRAM: usize = 5;
/// Default seed of the hash permutations.
pub const DEFAULT_SEED: u64 = 1;
/// Weights of false positives and false negatives when choosing the banding.
/// A false positive costs one signature comparison in the verify stage, a
/// false negative a missed duplicate, so recall is weighted higher than
/// datasketch's 0.5/0.5.
pub const DEFAULT_FP_WEIGHT: f64 = 0.05;
/// See [`DEFAULT_FP_WEIGHT`].
pub const DEFAULT_FN_WEIGHT: f64 = 0.95;

/// Everything a scan needs to know.
#[derive(Clone, Debug, Serialize)]
pub struct Config {
    /// Worker threads. Outputs never depend on it.
    #[serde(skip)]
    pub threads: usize,
    /// Show progress bars on stderr.
    #[serde(skip)]
    pub progress: bool,
    /// Document signature.
    pub method: Method,
    /// MinHash lanes.
    pub num_perm: usize,
    /// Shingle kind and length.
    pub shingle: ShingleConfig,
    /// Document-level Jaccard threshold.
    pub threshold: f64,
    /// Every two members of a cluster are at least this similar.
    pub min_pair_similarity: f64,
    /// LSH bands, overriding the choice from the threshold (MinHash only).
    pub bands: Option<usize>,
    /// Lanes per band, overriding the choice from the threshold.
    pub rows: Option<usize>,
    /// Verify candidates with exact Jaccard of the shingle sets instead of
    /// the signature estimate. Keeps every document's shingle set in memory.
    pub exact_jaccard: bool,
    /// Seed of the hash permutations.
    pub seed: u64,
    /// Statement (passage) detection.
    pub passage: PassageConfig,
    /// Bytes the data kept across stages may take in memory before it spills
    /// to disk (see [`Config::budgets`]). Outputs never depend on it.
    #[serde(skip)]
    pub memory_limit: u64,
    /// Directory for spill files (unlinked temporary files); the system's
    /// temporary directory if `None`.
    #[serde(skip)]
    pub spill_dir: Option<std::path::PathBuf>,
    /// The names of the fields read from JSONL and Parquet (recorded only when
    /// not the defaults).
    #[serde(skip_serializing_if = "crate::read::Fields::is_default")]
    pub fields: crate::read::Fields,
    /// Records at the head of the inputs that come from an archive (`scan
    /// --against`): only the clusters and statements that involve a later
    /// record are reported, and the archive's records are not listed.
    #[serde(skip)]
    pub archived: usize,
    /// Keep every pair of documents that shares a passage
    /// ([`crate::model::Scan::linked`]): what an archive's statement state
    /// is made of, and nothing a report needs (it is not bounded by
    /// `memory_limit`).
    #[serde(skip)]
    pub keep_links: bool,
    /// Set to `true` (from another thread) to stop a running scan at its
    /// next batch of records or its next stage; it then fails with
    /// [`Error::Cancelled`] and writes nothing. The Python package sets it on
    /// Ctrl-C.
    #[serde(skip)]
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Hears every progress step of the scan, whatever stderr is (the
    /// Python package draws notebook bars from them).
    #[serde(skip)]
    pub observer: Option<crate::progress::Observer>,
}

/// Shares of [`Config::memory_limit`], in bytes, for the structures that grow
/// with the crawl. The rest is headroom for what does not spill: batches of
/// text being analyzed (bounded by the batch size), per-document metadata
/// (ids, sources: ~100–200 bytes per document), pairs and results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budgets {
    /// Word hashes of every document (4 bytes per token).
    pub words: usize,
    /// Signature lanes of every document (4 bytes per lane).
    pub signatures: usize,
    /// One LSH band's `(key, doc)` entries being sorted.
    pub sort: usize,
    /// One partition of anchor postings being grouped.
    pub postings: usize,
}

/// The default `--memory-limit`: half of the machine's physical memory (from
/// `/proc/meminfo`), or 4 GiB where that cannot be read.
pub fn default_memory_limit() -> u64 {
    let total_kib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    });
    total_kib.map_or(4 << 30, |k| k * 1024 / 2)
}

impl Default for Config {
    fn default() -> Config {
        Config {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            progress: false,
            method: DEFAULT_METHOD,
            num_perm: DEFAULT_NUM_PERM,
            shingle: ShingleConfig { kind: ShingleKind::Word, n: DEFAULT_NGRAM },
            threshold: DEFAULT_THRESHOLD,
            min_pair_similarity: DEFAULT_PAIR_FLOOR,
            bands: None,
            rows: None,
            exact_jaccard: false,
            seed: DEFAULT_SEED,
            passage: PassageConfig::default(),
            memory_limit: default_memory_limit(),
            spill_dir: None,
            fields: crate::read::Fields::default(),
            archived: 0,
            keep_links: false,
            cancel: None,
            observer: None,
        }
    }
}

/// Largest `--max-gap`: a gap longer than a page does not join one passage.
pub const MAX_GAP_WORDS: usize = 10_000;
/// Largest `--min-words`.
pub const MAX_MIN_WORDS: usize = 1_000_000;

impl Config {
    /// How [`Config::memory_limit`] is shared: word hashes 40%, signatures
    /// 20%, sorting one LSH band 10%, one partition of anchor postings 10%.
    /// After clustering the signatures are gone and the word hashes may use
    /// both their shares (see [`crate::spill::store::Store::load_back`]).
    pub fn budgets(&self) -> Budgets {
        let share = |percent: u64| usize::try_from(self.memory_limit / 100 * percent).unwrap_or(usize::MAX);
        Budgets { words: share(40), signatures: share(20), sort: share(10), postings: share(10) }
    }

    /// Whether [`Config::cancel`] asks the scan to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// `Err(Error::Cancelled)` once [`Config::cancel`] is set: checked
    /// between stages.
    ///
    /// # Errors
    /// [`Error::Cancelled`].
    pub fn go_on(&self) -> Result<(), Error> {
        if self.cancelled() { Err(Error::Cancelled) } else { Ok(()) }
    }

    /// Checks ranges and consistency.
    ///
    /// # Errors
    /// [`Error::Param`] naming the option and what would be valid.
    ///
    /// ```
    /// let mut c = sada::Config::default();
    /// c.bands = Some(16);
    /// c.rows = Some(16);
    /// assert!(c.validate().is_err()); // 16 × 16 > 128 lanes
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        let param = |name, reason: String| Err(Error::Param { name, reason });
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return param("threshold", format!("{} is not in (0, 1]", self.threshold));
        }
        if !(0.0..=self.threshold).contains(&self.min_pair_similarity) {
            return param(
                "min-pair-similarity",
                format!("{} is not in [0, --threshold {}]", self.min_pair_similarity, self.threshold),
            );
        }
        if self.num_perm == 0 || self.num_perm > 4096 {
            return param("num-perm", format!("{} is not in 1..=4096", self.num_perm));
        }
        if self.shingle.n == 0 || self.shingle.n > 64 {
            return param("ngram", format!("{} is not in 1..=64", self.shingle.n));
        }
        if self.threads == 0 {
            return param("threads", "must be at least 1".into());
        }
        let a = &self.passage.align;
        if a.min_words < a.seed_words {
            return param(
                "min-words",
                format!("{} is below the {} words of an alignment seed", a.min_words, a.seed_words),
            );
        }
        // Word counts are u32 inside alignment; beyond these no passage is
        // one passage anyway (a value that wrapped acted as 0, silently).
        if a.max_gap > MAX_GAP_WORDS {
            return param("max-gap", format!("{} is above {MAX_GAP_WORDS} words", a.max_gap));
        }
        if a.min_words > MAX_MIN_WORDS {
            return param("min-words", format!("{} is above {MAX_MIN_WORDS} words", a.min_words));
        }
        if !(a.min_identity > 0.0 && a.min_identity <= 1.0) {
            return param("min-identity", format!("{} is not in (0, 1]", a.min_identity));
        }
        if self.passage.max_df < 2 {
            return param("max-df", "must be at least 2: an anchor seeds pairs of documents".into());
        }
        if self.passage.boilerplate_docs < 2 {
            return param("boilerplate-docs", "must be at least 2".into());
        }
        match (self.bands, self.rows) {
            (Some(b), Some(r)) if b == 0 || r == 0 || b * r > self.num_perm => {
                return param(
                    "bands",
                    format!(
                        "{b} bands × {r} rows must be at least 1 × 1 and use at most --num-perm {} lanes",
                        self.num_perm
                    ),
                );
            }
            (Some(_), None) | (None, Some(_)) => {
                return param("bands", "give both --bands and --rows, or neither".into());
            }
            _ => {}
        }
        Ok(())
    }

    /// The bounds clusters must respect.
    pub fn limits(&self) -> crate::cluster::Limits {
        crate::cluster::Limits { threshold: self.threshold, pair_floor: self.min_pair_similarity }
    }

    /// The LSH banding: as overridden, else chosen from the threshold.
    pub fn banding(&self) -> Banding {
        match self.method {
            Method::Simhash => Banding::for_simhash(self.threshold),
            Method::Minhash | Method::Oph => {
                let (bands, rows) = match (self.bands, self.rows) {
                    (Some(b), Some(r)) => (b, r),
                    _ => params::optimal_bands(self.threshold, self.num_perm, DEFAULT_FP_WEIGHT, DEFAULT_FN_WEIGHT),
                };
                Banding::Minhash { bands, rows }
            }
        }
    }
}
