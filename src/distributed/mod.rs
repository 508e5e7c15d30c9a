//! `sada scan --hosts FILE --process I`: the pipeline on a cluster of
//! processes connected by [timely dataflow](https://docs.rs/timely).
//!
//! Every process is the same binary with the same inputs (a shared or
//! replicated file system), one timely worker per process and `--threads`
//! rayon threads inside it. The run is a sequence of supersteps, each a small
//! timely dataflow that exchanges records by key and runs to completion;
//! between them every process holds the same state, so the stage functions
//! of the single-process pipeline (`crate::grouping::Grouping`) run
//! unchanged on each process's share:
//!
//! 1. **analyze** where the records are read: small files go whole to one
//!    process (file `f` to process `f mod P`), files larger than 1/(4P) of
//!    the input are shared record by record (record `n` to process `n mod
//!    P`: each process splits the file's lines or archive records, only its
//!    own are parsed and analyzed). The analyses are then merged into every
//!    process's stores in input order, a round at a time
//!    (`merge_in_order`), so document numbers are those of a single
//!    process.
//! 2. **index**: each process computes the band keys of its documents;
//!    `(key, document)` entries are exchanged by key; buckets become candidate
//!    pairs where the key lands.
//! 3. **verify**: each process verifies a share of the candidates.
//! 4. **cluster**: connected components of the verified edges by min-label
//!    propagation in a timely loop (labels exchanged by node); each
//!    component is clustered by the process its label hashes to.
//! 5. **match**: anchors exchanged by hash; each process groups its share of
//!    the anchor hash space into seed pairs, template anchors and
//!    frequencies. **align**: each process aligns a share of the pairs.
//! 6. Results of every step are gathered in their single-process order;
//!    every process groups the statements (cheap), process 0 re-reads the
//!    records that hold them and writes `--out`. The files are byte-identical to a single process's
//!    (tested with three processes on loopback).
//!
//! Every process keeps every document's word hashes and signature, which is
//! what lets the grouping stages read any document (the stores spill past
//! `--memory-limit` like a single process's). The work of every stage is
//! divided; the per-document state is not.
//!
//! The files, one job each:
//!
//! - `mod.rs` (here): the driver: joining the cluster, checking that the
//!   processes agree, the run of one process, ending it on failure.
//! - `share.rs`: which process reads and analyzes what, and the merge that
//!   gives every process every analysis in input order.
//! - `grouping.rs`: the grouping stages (index to align), each process doing
//!   its share.
//! - `components.rs`: connected components by min-label propagation.
//! - `superstep.rs`: the timely primitives everything above is made of
//!   (exchange by key, gather to all, the smallest of a value).
//! - `checkpoint.rs`: `--resume`'s stage checkpoints.
//! - `net.rs`: connecting the processes.
//!
//! What crosses the network is the pipeline's own types (analyses,
//! candidates, edges, clusters, passages derive serde), in bincode.

mod checkpoint;
mod components;
mod grouping;
mod net;
mod share;
mod superstep;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use timely::WorkerConfig;
use timely::worker::Worker;

use crate::analyze::{Analysis, Analyzed};
use crate::config::Config;
use crate::error::Error;
use crate::model::{Scan, Stage, Timings};
use crate::pipeline;
use crate::progress::Progress;
use crate::read::{self, Discovery};
use checkpoint::Checkpoints;
use grouping::Distributed;
use share::{MERGE_ROUND, Share, merge_in_order};
use superstep::gather;

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
fn fail_stop_on_panic(process: usize) {
    std::panic::set_hook(Box::new(move |info| {
        eprintln!("sada: process {process}: {info}");
        std::process::exit(1)
    }));
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
    // This process's share, analyzed as the merge consumes it; with
    // --resume it is analyzed whole and checkpointed first, so that a resumed
    // run skips the reading and analysis, not the (cheap) exchange.
    let mut kept = Analyzed::new(config);
    let push = |kept: &mut Analyzed, a: Analysis| kept.push(a);
    let (got, counts) = if cp.enabled() {
        let (mine, counts) = cp.stage(worker, "analyze", &mut resumed, &[], |_| {
            let mut share = Share::new(&discovery, config, me, peers);
            let mine: Vec<(u32, u64, Analysis)> = share.by_ref().collect();
            (mine, share.counts)
        });
        (merge_in_order(worker, mine.into_iter(), MERGE_ROUND, |w| push(&mut kept, w))?, counts)
    } else {
        let mut share = Share::new(&discovery, config, me, peers);
        let got = merge_in_order(worker, share.by_ref(), MERGE_ROUND, |w| push(&mut kept, w))?;
        (got, share.counts)
    };
    let counts = gather(worker, counts);
    discovery.skipped_records = counts.iter().map(|c| c.2).sum();
    // Every record of every file came in once.
    let mut expected: Vec<(u32, u64)> = counts.iter().map(|c| (c.0, c.1)).filter(|c| c.1 > 0).collect();
    expected.sort_unstable();
    if got != expected {
        return Err(Error::Cluster(format!("records came in as {got:?} per file, not {expected:?}")));
    }
    timings.add(Stage::Analyze, t.elapsed().as_secs_f64());

    let mut grouping = Distributed { worker, me, peers, cp, resumed };
    let mut scan = pipeline::finish(kept, discovery, config, &mut grouping, &progress, timings, me == 0)?;
    scan.resumed = grouping.resumed;
    Ok((me == 0).then_some(scan))
}
