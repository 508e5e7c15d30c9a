//! `sada scan --hosts FILE --process I`: the pipeline on a cluster of
//! processes connected by [timely dataflow](https://docs.rs/timely).
//!
//! Every process is the same binary with the same inputs (a shared or
//! replicated file system), one timely worker per process and `--threads`
//! rayon threads inside it. The run is a sequence of supersteps, each a small
//! timely dataflow that exchanges records by key and runs to completion;
//! between them every process holds the same state, so the stage functions
//! of the single-process pipeline (`pipeline::Grouping`) run
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

mod net;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use timely::dataflow::channels::pact::{Exchange as ExchangePact, Pipeline};
use timely::dataflow::operators::generic::operator::Operator;
use timely::dataflow::operators::vec::{Broadcast, Map, Partition};
use timely::dataflow::operators::{
    CapabilitySet, Concat, ConnectLoop, Enter, Exchange, Input, Inspect, Leave, LoopVariable, Probe,
};
use timely::dataflow::{InputHandleVec, ProbeHandle, Scope, StreamVec};
use timely::order::Product;
use timely::progress::Stamp;
use timely::worker::Worker;
use timely::{ExchangeData, WorkerConfig};

use crate::cluster::{Cluster, ClusterKind, Limits};
use crate::config::Config;
use crate::error::Error;
use crate::index::{self, Banding, Candidate};
use crate::model::DocId;
use crate::model::{Document, Scan, Stage, Timings};
use crate::passage::{self, Matches, Passage, align::Alignment};
use crate::pipeline::{self, Analysis, ClusterSim, Grouping, Kept, with_scratch};
use crate::progress::Progress;
use crate::read::{self, Discovery, RawReader};
use crate::sign::{Method, Signature, Signer};
use crate::store::{Signatures, Store};
use crate::verify::{Edge, Similarity};

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

/// [`fail`] on a failed read of spilled data.
fn read_failed(process: usize, e: std::io::Error) -> ! {
    fail(process, &Error::Cluster(format!("reading back spilled data: {e}")))
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
    let progress = Progress::new(config.progress && me == 0);
    let mut timings = Timings::default();

    let t = Instant::now();
    let mut resumed = Vec::new();
    // This process's share, analyzed as the merge consumes it; with
    // --resume it is analyzed whole and checkpointed first, so that a resumed
    // run skips the reading and analysis, not the (cheap) exchange.
    let mut kept = Kept::new(config);
    let push = |kept: &mut Kept, wire: WireAnalysis| kept.push(wire.into_analysis(config.method));
    let (got, counts) = if cp.enabled() {
        let (mine, counts) = cp.stage(worker, "analyze", &mut resumed, &[], |_| {
            let mut share = Share::new(&discovery, config, me, peers);
            let mine: Vec<(u32, u64, WireAnalysis)> = share.by_ref().collect();
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

/// Records sent per process and round by [`merge_in_order`].
const MERGE_ROUND: usize = 4096;

/// Hands every process's analyses to `push` in input order, on every
/// process, holding only a few rounds of them at a time: in each round every
/// process sends its next `per_round` analyses (its share is sorted) and
/// the key of the last one (or "done"); everything up to the smallest of
/// those keys is complete and goes to `push`. Returns the records per file.
fn merge_in_order(
    worker: &mut Worker,
    mine: impl Iterator<Item = (u32, u64, WireAnalysis)>,
    per_round: usize,
    mut push: impl FnMut(WireAnalysis) -> Result<(), Error>,
) -> Result<Vec<(u32, u64)>, Error> {
    const DONE: (u32, u64) = (u32::MAX, u64::MAX);
    let mut mine = mine.peekable();
    let mut pending: Vec<(u32, u64, WireAnalysis)> = Vec::new();
    let mut per_file: Vec<(u32, u64)> = Vec::new();
    loop {
        // A round: records, then a marker (no analysis) holding how far
        // this process has sent.
        let mut round: Vec<(u32, u64, Option<WireAnalysis>)> =
            mine.by_ref().take(per_round).map(|(f, n, w)| (f, n, Some(w))).collect();
        let mark = match (round.last(), mine.peek()) {
            (Some(&(f, n, _)), Some(_)) => (f, n),
            _ => DONE,
        };
        round.push((mark.0, mark.1, None));
        let mut watermark = DONE;
        for (f, n, w) in gather(worker, round) {
            match w {
                Some(w) => pending.push((f, n, w)),
                None => watermark = watermark.min((f, n)),
            }
        }
        pending.sort_unstable_by_key(|(f, n, _)| (*f, *n));
        let ready = pending.partition_point(|(f, n, _)| (*f, *n) <= watermark);
        for (f, _, w) in pending.drain(..ready) {
            match per_file.last_mut() {
                Some((g, count)) if *g == f => *count += 1,
                _ => per_file.push((f, 1)),
            }
            push(w)?;
        }
        if watermark == DONE {
            return Ok(per_file);
        }
    }
}

/// This process's share of the input, analyzed as it is consumed: whole
/// small files and every `peers`-th record of large ones, in input order, as
/// `(file, record number, analysis)`. Analysis runs a batch of records at a
/// time on the rayon pool, so a share is never held whole (unless
/// checkpointed, see `run`). Once consumed, [`Share::counts`] holds, for the
/// files this process owns, `(file, records, skipped archive records)`.
struct Share<'a> {
    config: &'a Config,
    signer: Signer,
    /// The files this process reads (all of a shared one), with whether
    /// they are shared and whether this process owns them, still to start.
    files: std::vec::IntoIter<(u32, read::InputFile, bool, bool)>,
    /// The file being read: its number, reader, next record number, and
    /// whether it is shared / owned.
    current: Option<(u32, RawReader, u64, bool, bool)>,
    ready: std::collections::VecDeque<(u32, u64, WireAnalysis)>,
    me: u64,
    peers: u64,
    counts: Vec<(u32, u64, u64)>,
}

impl<'a> Share<'a> {
    fn new(discovery: &Discovery, config: &'a Config, me: usize, peers: usize) -> Share<'a> {
        let large = discovery.total_bytes() / (4 * peers as u64).max(1);
        let files: Vec<(u32, read::InputFile, bool, bool)> = discovery
            .files
            .iter()
            .enumerate()
            .map(|(f, file)| (f as u32, file.clone(), peers > 1 && file.size > large, f % peers == me))
            .filter(|(_, _, shared, owned)| *shared || *owned)
            .collect();
        Share {
            config,
            signer: Signer::new(config.method, config.num_perm, config.seed),
            files: files.into_iter(),
            current: None,
            ready: std::collections::VecDeque::new(),
            me: me as u64,
            peers: peers as u64,
            counts: Vec::new(),
        }
    }

    /// Reads and analyzes the next batch of this process's records; false
    /// when the share is exhausted.
    fn refill(&mut self) -> bool {
        let mut batch: Vec<(u64, read::Raw)> = Vec::new();
        while batch.len() < 1024 {
            let Some((f, reader, n, shared, owned)) = &mut self.current else {
                match self.files.next() {
                    Some((f, file, shared, owned)) => {
                        self.current = Some((f, RawReader::new(vec![file]), 0, shared, owned));
                        continue;
                    }
                    None => break,
                }
            };
            match reader.next() {
                Some(raw) => {
                    if !*shared || *n % self.peers == self.me {
                        batch.push((*n, raw));
                    }
                    *n += 1;
                }
                None => {
                    if *owned {
                        self.counts.push((*f, *n, reader.skipped_records()));
                    }
                    let file = *f;
                    self.current = None;
                    if !batch.is_empty() {
                        self.analyze(file, batch);
                        return true;
                    }
                }
            }
        }
        match &self.current {
            Some((f, ..)) if !batch.is_empty() => {
                let f = *f;
                self.analyze(f, batch);
                true
            }
            _ => !self.ready.is_empty(),
        }
    }

    fn analyze(&mut self, f: u32, batch: Vec<(u64, read::Raw)>) {
        let (config, signer) = (self.config, &self.signer);
        let done: Vec<(u32, u64, WireAnalysis)> = batch
            .into_par_iter()
            .map(|(n, raw)| {
                (f, n, WireAnalysis::from(with_scratch(|s| pipeline::analyze(raw.parse(), config, signer, s))))
            })
            .collect();
        self.ready.extend(done);
    }
}

impl Iterator for Share<'_> {
    type Item = (u32, u64, WireAnalysis);

    fn next(&mut self) -> Option<(u32, u64, WireAnalysis)> {
        while self.ready.is_empty() {
            if !self.refill() && self.ready.is_empty() {
                return None;
            }
        }
        self.ready.pop_front()
    }
}

/// The grouping stages, each process doing its share (see the module docs).
struct Distributed<'w> {
    worker: &'w mut Worker,
    me: usize,
    peers: usize,
    cp: &'w Checkpoints,
    /// Stages taken from checkpoints.
    resumed: Vec<&'static str>,
}

impl Distributed<'_> {
    /// The items `i` of `0..n` that are this process's share.
    fn share(&self, n: usize) -> impl Iterator<Item = usize> + use<> {
        (self.me..n).step_by(self.peers)
    }
}

impl Grouping for Distributed<'_> {
    fn candidates(
        &mut self,
        sigs: &Signatures,
        rep: &[bool],
        banding: &Banding,
        config: &Config,
    ) -> std::io::Result<(Vec<Candidate>, u64)> {
        let mine: Vec<usize> = self.share(rep.len()).filter(|&d| rep[d]).collect();
        let me = self.me;
        let per_process = rep.iter().filter(|&&r| r).count().div_ceil(self.peers).max(1);
        let entry = std::mem::size_of::<(u64, u32)>();
        let all = self.cp.stage(self.worker, "index", &mut self.resumed, &[sigs.store()], |worker| {
            // As many bands per exchange as fit the sort share of
            // --memory-limit (all of them, unless memory is short). From the
            // count of representatives and the smallest limit of all
            // processes, so that all make the same number of exchanges.
            let budget = smallest(worker, config.budgets().sort);
            let bands_per_round = (budget / (per_process * entry)).clamp(1, banding.bands());
            let mut pairs: Vec<(u32, u32)> = Vec::new();
            for first in (0..banding.bands()).step_by(bands_per_round) {
                let bands = first..(first + bands_per_round).min(banding.bands());
                let keys: Vec<(u64, u32)> = mine
                    .par_iter()
                    .flat_map_iter(|&d| {
                        let sig = sigs.get(DocId(d as u32));
                        bands.clone().filter_map(move |band| sig.as_ref().map(|s| (banding.key(s, band), d as u32)))
                    })
                    .collect();
                if let Err(e) = sigs.store().check() {
                    read_failed(me, e);
                }
                let mut entries = exchange(worker, keys, |e| e.0);
                pairs.extend(index::bucket_pairs(&mut entries).into_iter().map(|c| (c.a.0, c.b.0)));
                pairs.par_sort_unstable();
                pairs.dedup();
            }
            let mut all = gather(worker, pairs);
            all.par_sort_unstable();
            all.dedup();
            all
        });
        Ok((all.into_iter().map(|(a, b)| Candidate { a: DocId(a), b: DocId(b) }).collect(), 0))
    }

    fn edges(&mut self, candidates: &[Candidate], sim: Similarity<'_>, at: f64) -> Vec<Edge> {
        let share: Vec<Candidate> = self.share(candidates.len()).map(|i| candidates[i]).collect();
        let reads: Vec<&Store> = match sim {
            Similarity::Estimated(sigs) => vec![sigs.store()],
            Similarity::Exact(_) => Vec::new(),
        };
        let all = self.cp.stage(self.worker, "verify", &mut self.resumed, &reads, |worker| {
            let mine: Vec<(u32, u32, f64)> =
                crate::verify::edges(&share, sim, at).into_iter().map(|e| (e.a.0, e.b.0, e.similarity)).collect();
            let mut all = gather(worker, mine);
            all.sort_unstable_by_key(|e| (e.0, e.1));
            all
        });
        all.into_iter().map(|(a, b, similarity)| Edge { a: DocId(a), b: DocId(b), similarity }).collect()
    }

    fn clusters(&mut self, units: &[Vec<DocId>], edges: &[Edge], how: ClusterSim<'_>, limits: Limits) -> Vec<Cluster> {
        let (me, peers) = (self.me as u64, self.peers as u64);
        let reads: Vec<&Store> = match how {
            ClusterSim::ExactFromWords(words, ..) => vec![words],
            ClusterSim::Given(Similarity::Estimated(sigs)) => vec![sigs.store()],
            ClusterSim::Given(Similarity::Exact(_)) => Vec::new(),
        };
        let all = self.cp.stage(self.worker, "cluster", &mut self.resumed, &reads, |worker| {
            let mine = components(worker, edges);
            let mut labels = gather(worker, mine);
            labels.sort_unstable();
            let label = |d: DocId| -> u32 { labels.binary_search_by_key(&d.0, |x| x.0).map_or(d.0, |i| labels[i].1) };
            let owner = |l: u32| crate::sign::oph::mix(l as u64) % peers;
            let my_units: Vec<Vec<DocId>> = units.iter().filter(|u| owner(label(u[0])) == me).cloned().collect();
            let my_edges: Vec<Edge> = edges.iter().filter(|e| owner(label(e.a)) == me).copied().collect();
            let mine: Vec<WireCluster> =
                how.cluster(&my_units, &my_edges, limits).into_iter().map(WireCluster::from).collect();
            let mut all = gather(worker, mine);
            all.sort_by_key(|c| c.0);
            all
        });
        all.into_iter().map(Cluster::from).collect()
    }

    fn matches(
        &mut self,
        words: &Store,
        group: &[u32],
        source: &[u32],
        rank: &[u32],
        config: &Config,
    ) -> std::io::Result<Matches> {
        let cfg = &config.passage;
        let (me, peers) = (self.me, self.peers);
        let (pairs, template, df) = self.cp.stage(self.worker, "match", &mut self.resumed, &[words], |worker| {
            // Part by part of the anchor hash space when the postings would
            // not fit at once, so that what a process sorts at a time (about
            // 1/peers of a part) stays within the postings share of
            // --memory-limit; one part when they fit (each part winnows the
            // documents again). Every process has every document's words and
            // takes the smallest limit of all, so all count the same parts.
            let budget = smallest(worker, config.budgets().postings);
            let partitions = passage::partitions(words, cfg, budget.saturating_mul(peers), 1);
            let mut found = passage::Found::default();
            for part in 0..partitions as u64 {
                let mine = passage::partition_postings(words, cfg, part, partitions, &|d| d.0 as usize % peers == me);
                if let Err(e) = words.check() {
                    read_failed(me, e);
                }
                let postings = exchange(worker, mine, |p| p.0);
                let ids = passage::Ids {
                    group: &|d| group[d as usize],
                    source: &|d| source[d as usize],
                    rank: &|d| rank[d as usize],
                };
                found.add(passage::match_postings(postings, &ids, cfg));
            }
            let mut template = gather(worker, found.template);
            template.sort_unstable();
            let mut df = gather(worker, found.df);
            df.sort_unstable();
            // Frequent anchors pair through their leaders, which every
            // process needs; each walks its share of the documents.
            let mut leaders = gather(worker, found.leaders);
            leaders.sort_unstable();
            let frequent =
                passage::frequent_pairs(words, &leaders, &|d| group[d as usize], cfg, &|d| d.0 as usize % peers == me);
            let mine: Vec<(u32, u32)> = found.pairs.into_iter().chain(frequent).map(|(a, b)| (a.0, b.0)).collect();
            let mut pairs = gather(worker, mine);
            pairs.par_sort_unstable();
            pairs.dedup();
            (pairs, template, df)
        });
        Ok(Matches {
            pairs: pairs.into_iter().map(|(a, b)| (DocId(a), DocId(b))).collect(),
            template,
            df: passage::Frequencies::new(df),
            anchor_words: cfg.anchor_words,
            window: cfg.window,
        })
    }

    fn passages(&mut self, words: &Store, matches: &Matches, config: &Config) -> Vec<Passage> {
        let share: Vec<(DocId, DocId)> = self.share(matches.pairs.len()).map(|i| matches.pairs[i]).collect();
        let all = self.cp.stage(self.worker, "align", &mut self.resumed, &[words], |worker| {
            let found = passage::align_pairs(words, &share, &config.passage.align);
            // Tag each passage with its pair's place, so that the gathered
            // passages come back in single-process order.
            let mut mine: Vec<WirePassage> = Vec::with_capacity(found.len());
            for (k, p) in found.into_iter().enumerate() {
                let pair = matches.pairs.binary_search(&(p.a, p.b)).expect("a matched pair") as u64;
                mine.push(WirePassage::new(pair, k as u32, &p));
            }
            let mut all = gather(worker, mine);
            all.sort_unstable_by_key(|p| (p.pair, p.order));
            all
        });
        all.into_iter().map(WirePassage::into_passage).collect()
    }
}

// ---------------------------------------------------------------------------
// Checkpoints.

/// Stage outputs saved under `--out` so that a rerun with `--resume` skips
/// the stages that completed: timely is fail-stop, and a run that lost a
/// process is started again as a whole.
///
/// Each process writes its own files (`.sada-stages/process-I-of-P/STAGE.bin`
/// under its `--out`): an 8-byte key, then the stage's gathered result in
/// bincode. The key hashes the sada version, the parameters, the input
/// listing (paths and sizes) and the cluster shape, so a checkpoint of another
/// run is never used. A stage is skipped only when *every* process loaded its
/// checkpoint (they agree first, in a superstep), so the processes never
/// disagree about which exchanges happen.
struct Checkpoints {
    dir: Option<PathBuf>,
    /// What every process of the run must agree on: the binary, the
    /// options, the inputs, the cluster size and whether checkpoints are on.
    run: u64,
    /// `run` and this process's number: the key of its checkpoint files.
    key: u64,
}

impl Checkpoints {
    fn new(peers: &Peers, config: &Config, discovery: &Discovery) -> Checkpoints {
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
    fn enabled(&self) -> bool {
        self.dir.is_some()
    }

    /// The result of stage `name`: from its checkpoint if every process has
    /// one, else computed by `compute` (and saved, with `--resume`).
    ///
    /// `reads` are the stores `compute` reads: a failed read there (which
    /// gives empty data) ends the process before a wrong result can be saved.
    fn stage<T: Serialize + serde::de::DeserializeOwned>(
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

// ---------------------------------------------------------------------------
// Supersteps.

/// Sends each item to the process `route(item) mod P` and returns what this
/// process received (in no particular order).
fn exchange<T: ExchangeData + Clone>(worker: &mut Worker, items: Vec<T>, route: fn(&T) -> u64) -> Vec<T> {
    superstep(worker, items, Some(route))
}

/// The smallest of every process's `value` (a superstep): for sizes that
/// decide how many exchanges follow, when `--memory-limit` defaults to each
/// machine's own memory.
fn smallest(worker: &mut Worker, value: usize) -> usize {
    gather(worker, vec![value as u64]).into_iter().min().map_or(value, |v| v as usize)
}

/// Sends every item to every process: all processes return the same items
/// (in no particular order; callers sort).
fn gather<T: ExchangeData + Clone>(worker: &mut Worker, items: Vec<T>) -> Vec<T> {
    superstep(worker, items, None)
}

fn superstep<T: ExchangeData + Clone>(worker: &mut Worker, items: Vec<T>, route: Option<fn(&T) -> u64>) -> Vec<T> {
    let received: Rc<RefCell<Vec<T>>> = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&received);
    let mut input: InputHandleVec<u64, T> = InputHandleVec::new();
    let id = worker.next_dataflow_index();
    worker.dataflow::<u64, _, _>(|scope| {
        let stream = scope.input_from(&mut input);
        let moved = match route {
            Some(route) => stream.exchange(route),
            None => stream.broadcast(),
        };
        // Moved out of timely's buffers, not cloned: the gathered analyses
        // are the whole corpus's word hashes.
        moved.sink(Pipeline, "Collect", move |(input, _frontier)| {
            input.for_each(|_, data| sink.borrow_mut().append(data));
        });
    });
    for x in items {
        input.send(x);
    }
    input.advance_to(1);
    drop(input);
    // The dataflow is retired once every operator is done, the collecting
    // sink included: then everything sent to this process is in `received`.
    while worker.installed_dataflows().contains(&id) {
        worker.step_or_park(Some(Duration::from_millis(20)));
    }
    std::mem::take(&mut *received.borrow_mut())
}

type Inner = Product<u64, u32>;

/// One loop round's label proposals, with the capability to answer them.
type Round = (CapabilitySet<Inner>, Vec<(u32, u32)>);

/// Connected components of `edges` by min-label propagation in a timely
/// loop: every node starts with the smallest of itself and its neighbours
/// and passes any smaller label it learns on to its neighbours; the loop
/// ends by itself when no label changes (nothing goes around, the frontier
/// empties). Returns `(node, component)` for the nodes this process owns
/// (nodes are exchanged by hash), the component being its smallest node.
fn components(worker: &mut Worker, edges: &[Edge]) -> Vec<(u32, u32)> {
    let me = worker.index();
    let peers = worker.peers();
    let mine: Vec<(u32, u32)> = (me..edges.len()).step_by(peers).map(|i| (edges[i].a.0, edges[i].b.0)).collect();
    let changes: Rc<RefCell<Vec<(u32, u32)>>> = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&changes);
    let mut input: InputHandleVec<u64, (u32, u32)> = InputHandleVec::new();
    let probe = ProbeHandle::new();
    worker.dataflow::<u64, _, _>(|scope| {
        let edges = scope.input_from(&mut input).flat_map(|(a, b)| [(a, b), (b, a)]);
        let seeds = edges.clone().map(|(a, b)| (a, a.min(b)));
        let found = min_labels(scope, edges, seeds);
        found.inspect(move |x| sink.borrow_mut().push(*x)).probe_with(&probe);
    });
    for e in mine {
        input.send(e);
    }
    input.advance_to(1);
    drop(input);
    worker.step_or_park_while(Some(Duration::from_millis(20)), || !probe.done());
    // Several changes per node may leave the loop; the smallest is final.
    let mut found = std::mem::take(&mut *changes.borrow_mut());
    found.sort_unstable();
    found.dedup_by_key(|x| x.0);
    found
}

fn by_node(x: &(u32, u32)) -> u64 {
    crate::sign::oph::mix(x.0 as u64)
}

fn min_labels<'s>(
    scope: Scope<'s, u64>,
    edges: StreamVec<'s, u64, (u32, u32)>,
    seeds: StreamVec<'s, u64, (u32, u32)>,
) -> StreamVec<'s, u64, (u32, u32)> {
    scope.iterative::<u32, _, _>(|inner| {
        let edges = edges.enter(inner);
        let (handle, proposals) = inner.loop_variable::<Vec<(u32, u32)>>(1);
        let proposals = seeds.enter(inner).concat(proposals);
        let tagged = edges.binary_frontier(
            proposals,
            ExchangePact::new(by_node),
            ExchangePact::new(by_node),
            "MinLabel",
            move |_cap, _info| {
                // Node → neighbours and node → best label so far, of the
                // nodes this process owns. Never iterated into output.
                let mut adjacent: std::collections::HashMap<u32, Vec<u32>> = std::collections::HashMap::new();
                let mut label: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
                let mut pending: std::collections::BTreeMap<Stamp<Inner>, Round> = std::collections::BTreeMap::new();
                move |(edges_in, edges_frontier), (props_in, props_frontier), output| {
                    edges_in.for_each(|_cap, data| {
                        for (a, b) in data.drain(..) {
                            adjacent.entry(a).or_default().push(b);
                        }
                    });
                    props_in.for_each(|cap, data| {
                        let slot =
                            pending.entry(cap.stamp().clone()).or_insert_with(|| (cap.retain_stamp(0), Vec::new()));
                        slot.1.append(data);
                    });
                    // A round is complete when both inputs have passed it:
                    // all edges are in and all proposals of the round too.
                    let ready: Vec<Stamp<Inner>> = pending
                        .keys()
                        .filter(|s| s.iter().all(|t| !edges_frontier.less_equal(t) && !props_frontier.less_equal(t)))
                        .cloned()
                        .collect();
                    for stamp in ready {
                        let (caps, mut props) = pending.remove(&stamp).expect("listed");
                        props.sort_unstable();
                        let mut session = output.session(&caps);
                        for group in props.chunk_by(|x, y| x.0 == y.0) {
                            let (node, best) = group[0];
                            let current = label.entry(node).or_insert(u32::MAX);
                            if best < *current {
                                *current = best;
                                session.give((node, best, true));
                                for &n in adjacent.get(&node).into_iter().flatten() {
                                    session.give((n, best, false));
                                }
                            }
                        }
                    }
                }
            },
        );
        let mut parts = tagged.partition(2, |(n, l, change)| (change as u64, (n, l)));
        let changes = parts.pop().expect("two parts");
        let around = parts.pop().expect("two parts");
        around.connect_loop(handle);
        changes.leave(scope)
    })
}

// ---------------------------------------------------------------------------
// What crosses the network: plain serde types mirroring the pipeline's.

/// An [`Analysis`] on the wire: the document as it is, its signature as
/// lanes.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct WireAnalysis {
    #[serde(with = "crate::model::document::as_json")]
    doc: Document,
    content: Option<u64>,
    lanes: Vec<u32>,
    set: Option<Vec<u64>>,
    words: Vec<u32>,
}

impl From<Analysis> for WireAnalysis {
    fn from(a: Analysis) -> WireAnalysis {
        let lanes = a.sig.as_ref().map_or_else(Vec::new, |s| s.lanes().into_owned());
        WireAnalysis { doc: a.doc, content: a.content, lanes, set: a.set, words: a.words }
    }
}

impl WireAnalysis {
    fn into_analysis(self, method: Method) -> Analysis {
        let sig = Signature::from_lanes(&self.lanes, method == Method::Simhash);
        Analysis { doc: self.doc, content: self.content, sig, set: self.set, words: self.words }
    }
}

/// A [`Cluster`] on the wire: representative, exact?, members.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct WireCluster(u32, bool, Vec<(u32, f64)>);

impl From<Cluster> for WireCluster {
    fn from(c: Cluster) -> WireCluster {
        WireCluster(
            c.representative.0,
            c.kind == ClusterKind::Exact,
            c.members.into_iter().map(|(d, s)| (d.0, s)).collect(),
        )
    }
}

impl From<WireCluster> for Cluster {
    fn from(w: WireCluster) -> Cluster {
        Cluster {
            kind: if w.1 { ClusterKind::Exact } else { ClusterKind::Near },
            representative: DocId(w.0),
            members: w.2.into_iter().map(|(d, s)| (DocId(d), s)).collect(),
        }
    }
}

/// A [`Passage`] on the wire, with its pair's number and its place among
/// that pair's passages.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct WirePassage {
    pair: u64,
    order: u32,
    a: u32,
    b: u32,
    /// a_start, a_end, b_start, b_end, matched.
    alignment: [u32; 5],
    extra: bool,
}

impl WirePassage {
    fn new(pair: u64, order: u32, p: &Passage) -> WirePassage {
        let al = &p.alignment;
        WirePassage {
            pair,
            order,
            a: p.a.0,
            b: p.b.0,
            alignment: [al.a_start, al.a_end, al.b_start, al.b_end, al.matched],
            extra: p.extra,
        }
    }

    fn into_passage(self) -> Passage {
        let [a_start, a_end, b_start, b_end, matched] = self.alignment;
        Passage {
            a: DocId(self.a),
            b: DocId(self.b),
            alignment: Alignment { a_start, a_end, b_start, b_end, matched },
            extra: self.extra,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(id: String) -> WireAnalysis {
        WireAnalysis {
            doc: Document {
                meta: crate::model::Meta { id, ..Default::default() },
                bytes: 0,
                tokens: 0,
                status: crate::model::Status::Ok,
            },
            content: None,
            lanes: Vec::new(),
            set: None,
            words: Vec::new(),
        }
    }

    /// Three workers in one process, shares of uneven sizes (file 0 shared
    /// record by record, file 1 read by worker 1 alone, worker 2 holding
    /// little), rounds of 3: every worker gets every record, in input order.
    #[test]
    fn merge_in_order_gives_every_worker_every_record_in_input_order() {
        let guards = timely::execute(timely::Config::process(3), |worker| {
            let me = worker.index() as u64;
            let mut mine: Vec<(u32, u64, WireAnalysis)> =
                (0..40u64).filter(|n| n % 3 == me).map(|n| (0, n, wire(format!("0:{n}")))).collect();
            if me == 1 {
                mine.extend((0..25u64).map(|n| (1, n, wire(format!("1:{n}")))));
            }
            let mut seen = Vec::new();
            let per_file = merge_in_order(worker, mine.into_iter(), 3, |w| {
                seen.push(w.doc.meta.id);
                Ok(())
            })
            .expect("no push fails");
            (seen, per_file)
        })
        .expect("timely starts");
        let want: Vec<String> = (0..40).map(|n| format!("0:{n}")).chain((0..25).map(|n| format!("1:{n}"))).collect();
        for result in guards.join() {
            let (seen, per_file) = result.expect("worker ran");
            assert_eq!(seen, want);
            assert_eq!(per_file, vec![(0, 40), (1, 25)]);
        }
    }
}
