//! `sada scan --hosts FILE --process I`: the pipeline on a cluster of
//! processes connected by [timely dataflow](https://docs.rs/timely).
//!
//! Every process is the same binary with the same inputs (a shared or
//! replicated file system), one timely worker per process and `--threads`
//! rayon threads inside it. The run is a sequence of supersteps, each a small
//! timely dataflow that exchanges records by key and runs to completion.
//!
//! **Each process keeps its own documents only**: the ones it read (small
//! files whole, file `f` by process `f mod P`; files larger than 1/(4P) of
//! the input record by record, record `n` by process `n mod P`). Once every
//! file's record count is gathered, every process knows every document's
//! number (its place in input order) and owner (`owned::Layout`) without
//! exchanging the documents. Every stage works on owned data and sends only
//! what it needs:
//!
//! 1. **analyze** where the records are read (their metadata goes to process
//!    0 at the end, which writes `--out`).
//! 2. **exact duplicates**: `(content hash, document)` by hash.
//! 3. **index**: band keys by key; a bucket's pairs go to the owner of the
//!    pair's first document.
//! 4. **verify** there, the other document's signature fetched from its
//!    owner, a round of candidates at a time.
//! 5. **cluster**: connected components of the edges by min-label
//!    propagation in a timely loop; each component's edges and exact groups
//!    go to the process its label hashes to, which fetches what the
//!    similarity needs of their documents (words, or signatures or shingle
//!    sets) and clusters them with the single-process code.
//! 6. **match**: anchors by hash, and what matching needs of a document
//!    (group, source, leader rank from a sample sort) once to each process
//!    its anchors go to; frequencies and template anchors stay where they
//!    landed; leaders of frequent anchors go to everyone, their holders'
//!    pairs are made by the holders' owners. **align**: each pair where its
//!    first document lives, the other's words fetched once per round of
//!    pairs.
//! 7. **group**: the parts of the graph of passages and clusters (label
//!    propagation again), each grouped where its label hashes to, with its
//!    documents' words and its grams' frequencies brought there; the
//!    statements go to process 0 in single-process order, which re-reads
//!    the records that hold them and writes `--out`, byte-identical to a
//!    single process's (tested on 1 to 4 processes).
//!
//! The files, one job each:
//!
//! - `mod.rs` (here): the driver: joining the cluster, checking that the
//!   processes agree, the run of one process, ending it on failure.
//! - `share.rs`: which process reads and analyzes what.
//! - `owned.rs`: a process's documents, and where every document lives.
//! - `fetch.rs`: bringing other processes' documents (or keyed values) to
//!   where a stage needs them.
//! - `duplicates.rs`: exact duplicates, index, verify, cluster.
//! - `statements.rs`: match, align, group.
//! - `components.rs`: connected components by min-label propagation.
//! - `superstep.rs`: the timely primitives everything above is made of
//!   (exchange by key or destination, gather to all, sums and extremes).
//! - `checkpoint.rs`: `--resume`'s stage checkpoints.
//! - `net.rs`: connecting the processes.
//!
//! What crosses the network is the pipeline's own types (keys, candidates,
//! edges, clusters, passages, words and metadata derive serde), in bincode.

mod checkpoint;
mod components;
mod duplicates;
mod fetch;
mod net;
mod owned;
mod packed;
mod share;
mod statements;
mod superstep;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use timely::WorkerConfig;
use timely::worker::Worker;

use crate::analyze::{Analysis, Analyzed};
use crate::config::Config;
use crate::error::Error;
use crate::model::{Document, PairCounts, Scan, Spilled, Stage, Timings};
use crate::pipeline;
use crate::progress::Progress;
use crate::read::{self, Discovery};
use checkpoint::Checkpoints;
use owned::{Layout, Owned};
use share::{Share, shared_files};
use superstep::{gather, send, total};

/// Where this process stands in the cluster.
#[derive(Clone, Debug)]
pub struct Peers {
    /// `host:port` of every process, from the hostfile.
    pub hosts: Vec<String>,
    /// This process's line in the hostfile (0-based).
    pub process: usize,
    /// How long to wait for the other processes to connect.
    pub connect_timeout: Duration,
    /// Where this process keeps stage checkpoints, when `--resume` is given
    /// (the `--resume` checkpoints).
    pub checkpoints: Option<PathBuf>,
}

impl Peers {
    /// Reads `hostfile`.
    ///
    /// # Errors
    /// The hostfile cannot be read or has no host; `process` is not one of
    /// its lines.
    pub fn new(hostfile: &Path, process: usize, connect_timeout: Duration) -> Result<Peers, Error> {
        let hosts = net::read_hostfile(hostfile).map_err(|source| match source.kind() {
            std::io::ErrorKind::InvalidData | std::io::ErrorKind::NotFound => Error::Param {
                name: "hosts",
                reason: format!("'{}': {source}; give a file with one host:port line per process", hostfile.display()),
            },
            _ => Error::Io { what: "cannot read the hostfile", path: hostfile.to_path_buf(), source },
        })?;
        if process >= hosts.len() {
            return Err(Error::Param {
                name: "process",
                reason: format!(
                    "{process} is not a line of the hostfile ({} hosts: 0 to {})",
                    hosts.len(),
                    hosts.len() - 1
                ),
            });
        }
        Ok(Peers { hosts, process, connect_timeout, checkpoints: None })
    }
}

/// What a cluster run did besides the scan: bytes this process exchanged.
#[derive(Clone, Copy, Debug, Default)]
pub struct Exchanged {
    /// Payload bytes sent to other processes.
    pub sent: u64,
    /// Payload bytes received from other processes.
    pub received: u64,
}

/// Runs the scan on the cluster. Process 0 gets the [`Scan`] to write;
/// the others get `None`.
///
/// # Errors
/// As [`crate::scan`], plus: the cluster could not be formed (a peer did
/// not connect in time), the processes do not see the same input files, or a
/// peer failed during the run.
pub fn scan(inputs: &[PathBuf], config: &Config, peers: &Peers) -> Result<(Option<Scan>, Exchanged), Error> {
    config.validate()?;
    let discovery = read::discover(inputs)?;
    if discovery.files.iter().any(read::InputFile::is_stdin) {
        return Err(Error::Stdin {
            reason: "a cluster run cannot read `-` (standard input): every process must read the same inputs; \
                     save the stream to a file every process can read",
        });
    }
    let traffic = Arc::new(net::Traffic::default());
    let (builders, guard) = net::connect(&peers.hosts, peers.process, peers.connect_timeout, Arc::clone(&traffic))
        .map_err(|e| Error::Cluster(format!("process {}: {e}", peers.process)))?;
    // The stage functions use rayon's global pool; the timely worker thread
    // drives them. (A process runs one scan, so the global pool is free to
    // size; if something else sized it first, that size stays.)
    let _ = rayon::ThreadPoolBuilder::new().num_threads(config.threads).build_global();
    let config = config.clone();
    let checkpoints = Checkpoints::new(peers, &config, &discovery);
    fail_stop_on_panic(peers.process);
    let guards = timely::execute::execute_from(builders, guard, WorkerConfig::default(), move |worker| {
        // A mismatch is found by every process alike, so they all return
        // and timely shuts down cleanly; any later error is this process's
        // alone, and ends it (see `fail`).
        agree(worker, &discovery, &checkpoints)?;
        match run(worker, discovery.clone(), &config, &checkpoints) {
            Ok(scan) => Ok(scan),
            Err(e) => fail(worker.index(), &e),
        }
    })
    .map_err(Error::Cluster)?;
    let mut scan = None;
    for result in guards.join() {
        match result {
            Ok(Ok(s)) => scan = scan.or(s),
            Ok(Err(e)) => return Err(e),
            Err(panic) => return Err(Error::Cluster(format!("a worker failed: {panic}"))),
        }
    }
    let exchanged =
        Exchanged { sent: traffic.sent.load(Ordering::Relaxed), received: traffic.received.load(Ordering::Relaxed) };
    Ok((scan, exchanged))
}

/// Ends this process on an error during the run. A process that merely
/// returned would close its connections cleanly and leave its peers waiting
/// for the next exchange forever; exiting makes their connections fail, so
/// they stop too (timely is fail-stop), each naming the failure.
fn fail(process: usize, e: &Error) -> ! {
    eprintln!("sada: process {process}: {e}");
    std::process::exit(1)
}

/// [`fail`] on a failed read of spilled data (`Store::check`'s error, which
/// already says so).
fn read_failed(process: usize, e: std::io::Error) -> ! {
    fail(process, &Error::Cluster(e.to_string()))
}

/// Turns a panic anywhere in this process (a worker, or timely's network
/// threads when a peer went away) into [`fail`]'s exit, instead of threads
/// waiting on poisoned queues or an abort during unwinding.
///
/// A process that loses a peer names it, and waits [`NAMING_GRACE`] before
/// exiting: its own exit would otherwise reach the other survivors as
/// another lost peer, and some would name it rather than the process that
/// failed first. Only the first panic of a process speaks; later ones (the
/// other connections, the worker) wait for its exit.
fn fail_stop_on_panic(process: usize) {
    static FAILING: AtomicBool = AtomicBool::new(false);
    std::panic::set_hook(Box::new(move |info| {
        if FAILING.swap(true, Ordering::SeqCst) {
            loop {
                std::thread::sleep(Duration::from_secs(3600));
            }
        }
        match lost_peer(std::thread::current().name()) {
            Some(peer) => {
                eprintln!(
                    "sada: process {process}: lost the connection to process {peer}, which stopped or failed \
                     ({}); rerun every process (with --resume to keep the stages completed)",
                    panic_message(info)
                );
                std::thread::sleep(NAMING_GRACE);
            }
            None => eprintln!("sada: process {process}: {info}"),
        }
        std::process::exit(1)
    }));
}

/// How long a process that lost a peer waits before exiting (see
/// [`fail_stop_on_panic`]): every survivor sees the failed process's
/// connection close within this.
const NAMING_GRACE: Duration = Duration::from_secs(1);

/// A panic's message, when it is text (timely's network errors are).
fn panic_message<'a>(info: &'a std::panic::PanicHookInfo<'_>) -> &'a str {
    let payload = info.payload();
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("no message")
}

/// The peer a thread of timely's network layer talks to, from its name
/// (`timely:recv-I`, `timely:send-I`): a panic there is that connection
/// failing.
fn lost_peer(thread: Option<&str>) -> Option<usize> {
    let name = thread?;
    name.strip_prefix("timely:recv-").or_else(|| name.strip_prefix("timely:send-"))?.parse().ok()
}

/// Checks that every process reads the same files with the same options
/// (and agrees on --resume, which adds supersteps); otherwise they would part
/// ways. Every process sees every listing, so all find a mismatch together.
fn agree(worker: &mut Worker, discovery: &Discovery, cp: &Checkpoints) -> Result<(), Error> {
    let me = worker.index();
    let listing = xxhash_rust::xxh3::xxh3_64(
        format!("{:?}", discovery.files.iter().map(|f| (&f.display, f.size)).collect::<Vec<_>>()).as_bytes(),
    );
    let listings = gather(worker, vec![(me as u32, listing, cp.run)]);
    if let Some((other, _, _)) = listings.iter().find(|x| x.1 != listing) {
        return Err(Error::Cluster(format!(
            "process {me} and process {other} do not see the same input files (same paths, same sizes)"
        )));
    }
    if let Some((other, _, _)) = listings.iter().find(|x| x.2 != cp.run) {
        return Err(Error::Cluster(format!(
            "process {me} and process {other} were not started with the same sada, options and inputs \
             (--resume included)"
        )));
    }
    Ok(())
}

/// Where a document's label (a component of the cluster's graphs) or the
/// document itself is handled: the process it hashes to, as the label
/// propagation of [`components`] places nodes.
fn mix(d: u32) -> u64 {
    crate::sign::oph::mix(u64::from(d))
}

/// One process of a run: its worker, its documents and where every
/// document lives; the stages are its methods (`duplicates.rs`,
/// `statements.rs`).
struct Run<'w> {
    worker: &'w mut Worker,
    layout: Layout,
    owned: Owned,
    config: &'w Config,
    cp: &'w Checkpoints,
    /// Stages taken from checkpoints.
    resumed: Vec<&'static str>,
}

/// Every document's metadata, in input order, on process 0 (empty
/// elsewhere), which writes the outputs: sent last, when the stages' data
/// is gone, [`METADATA_ROUND`] documents at a time from all processes, each
/// put in its place as it comes.
fn gather_metadata(worker: &mut Worker, ids: Vec<u32>, mut analyzed: Analyzed, docs: usize) -> Vec<Document> {
    let mine = std::mem::take(&mut analyzed.docs);
    drop(analyzed);
    let per_round = (METADATA_ROUND / worker.peers()).max(1);
    let rounds = superstep::largest(worker, mine.len().div_ceil(per_round));
    let mut slots: Vec<Option<Document>> = Vec::new();
    if worker.index() == 0 {
        slots.resize_with(docs, || None);
    }
    let mut mine = ids.into_iter().zip(mine);
    for _ in 0..rounds {
        let round: Vec<(u64, Meta)> = mine.by_ref().take(per_round).map(|(d, doc)| (0, Meta(d, doc))).collect();
        for Meta(d, doc) in send(worker, round) {
            slots[d as usize] = Some(doc);
        }
    }
    slots.into_iter().map(|d| d.expect("every document's metadata came in")).collect()
}

/// Documents all processes send per round of [`gather_metadata`].
const METADATA_ROUND: usize = 1 << 16;

/// A document's metadata on its way to process 0.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct Meta(u32, #[serde(with = "crate::model::document::as_json")] Document);

/// One process's run (see the module docs).
fn run(
    worker: &mut Worker,
    mut discovery: Discovery,
    config: &Config,
    cp: &Checkpoints,
) -> Result<Option<Scan>, Error> {
    let (me, peers) = (worker.index(), worker.peers());
    let progress = Progress::new(config.progress && me == 0, config.observer.clone().filter(|_| me == 0));
    let mut timings = Timings::default();

    let t = Instant::now();
    let mut resumed = Vec::new();
    // This process's share, analyzed as it is read into its stores; with
    // --resume it is analyzed whole and checkpointed first, so that a
    // resumed run skips the reading and analysis.
    let mut analyzed = Analyzed::new(config);
    let mut places: Vec<(u32, u64)> = Vec::new();
    let mut keep = |(f, n, a): (u32, u64, Analysis)| {
        places.push((f, n));
        analyzed.push(a)
    };
    let counts = if cp.enabled() {
        let (mine, counts) = cp.stage(worker, "analyze", &mut resumed, &[], |_| {
            let mut share = Share::new(&discovery, config, me, peers);
            let mine: Vec<(u32, u64, Analysis)> = share.by_ref().collect();
            (mine, share.counts)
        });
        mine.into_iter().try_for_each(&mut keep)?;
        counts
    } else {
        let mut share = Share::new(&discovery, config, me, peers);
        share.by_ref().try_for_each(&mut keep)?;
        share.counts
    };
    let spill_error = |e| crate::spill::error(config.spill_dir.as_deref(), e);
    analyzed.sigs.finish().and_then(|()| analyzed.words.finish()).map_err(spill_error)?;
    let counts = gather(worker, counts);
    discovery.skipped_records = counts.iter().map(|c| c.2).sum();
    let records: Vec<(u32, u64)> = counts.iter().map(|c| (c.0, c.1)).collect();
    let layout = Layout::new(&records, shared_files(&discovery, peers), peers);
    // Every record of every file came in once, here or elsewhere.
    let ids: Vec<u32> = places.iter().map(|&(f, n)| layout.id(f, n)).collect();
    let came = total(worker, ids.len() as u64);
    if came != layout.docs() as u64 {
        return Err(Error::Cluster(format!("{came} records came in, where the files hold {}", layout.docs())));
    }
    if !ids.is_sorted() || ids.iter().any(|&d| layout.owner(d) != me as u64) {
        return Err(Error::Cluster(format!("process {me} read records that are not its share")));
    }
    timings.add(Stage::Analyze, t.elapsed().as_secs_f64());

    let mut run = Run { worker, layout, owned: Owned { ids, analyzed }, config, cp, resumed };
    let spin = progress.spinner("index");
    let units = timings.run(Stage::Verify, || run.units());
    let candidates = timings.run(Stage::Index, || run.candidates(&units));
    spin.finish_and_clear();
    let spin = progress.spinner("verify");
    let edges = timings.run(Stage::Verify, || run.edges(&candidates, pipeline::verify_at(config)));
    spin.finish_and_clear();
    let spin = progress.spinner("cluster");
    let (clusters, groups) = timings.run(Stage::Cluster, || run.clusters(&units, &edges));
    spin.finish_and_clear();
    let mut pairs = PairCounts {
        candidates: total(run.worker, candidates.len() as u64),
        verified: total(run.worker, edges.len() as u64),
        ..PairCounts::default()
    };
    drop((units, candidates, edges));
    // What every process spilled, in all (`run.spilled` of summary.json).
    let a = &run.owned.analyzed;
    let (signatures, words) = (a.sigs.store().spilled_bytes(), a.words.spilled_bytes());
    let spilled =
        Spilled { signatures: total(run.worker, signatures), words: total(run.worker, words), ..Spilled::default() };
    let a = &mut run.owned.analyzed;
    // The statement stages read words only; the signatures' share is free.
    a.sigs = crate::spill::store::Signatures::new(0, None);
    let budgets = config.budgets();
    a.words.load_back(budgets.words + budgets.signatures).map_err(spill_error)?;

    let statements = if config.passage.enabled {
        let ids = run.doc_ids(&groups);
        let spin = progress.spinner("match");
        let mut matched = timings.run(Stage::Match, || run.matches(&ids));
        spin.finish_and_clear();
        pairs.aligned = total(run.worker, matched.pairs.len() as u64);
        let spin = progress.spinner("align");
        let passages = timings.run(Stage::Align, || run.passages(&matched.pairs));
        pairs.passages = total(run.worker, passages.iter().filter(|p| !p.extra).count() as u64);
        // Grouping needs the frequencies and template anchors, not the pairs.
        matched.pairs = Vec::new();
        spin.finish_and_clear();
        let spin = progress.spinner("group");
        let statements = timings.run(Stage::Group, || run.statements(passages, &ids, &matched));
        spin.finish_and_clear();
        statements
    } else {
        Vec::new()
    };
    run.owned.analyzed.words.check().map_err(spill_error)?;
    let Run { worker, owned, resumed, layout, .. } = run;
    let Owned { ids, analyzed } = owned;
    let docs = gather_metadata(worker, ids, analyzed, layout.docs());
    if me != 0 {
        return Ok(None);
    }
    let found = pipeline::Found { docs, clusters, statements, pairs, spilled, linked: Vec::new() };
    let mut scan = pipeline::report(found, discovery, config, &progress, timings, true)?;
    scan.resumed = resumed;
    Ok(Some(scan))
}

#[cfg(test)]
mod tests {
    use super::lost_peer;

    /// timely names its network threads after the peer they serve.
    #[test]
    fn the_lost_peer_is_read_from_the_thread_name() {
        assert_eq!(lost_peer(Some("timely:recv-2")), Some(2));
        assert_eq!(lost_peer(Some("timely:send-11")), Some(11));
        assert_eq!(lost_peer(Some("main")), None);
        assert_eq!(lost_peer(None), None);
    }
}
