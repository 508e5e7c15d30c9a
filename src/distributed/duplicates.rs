//! The document stages on the cluster, each process working on the
//! documents it owns and fetching the rest (see the module docs of
//! [`super`]): exact duplicates by key, LSH candidates by band key, each
//! candidate verified where its first document lives, clusters made where
//! their connected component's label hashes to.

use rayon::prelude::*;

use super::components::{components, to_components};
use super::fetch::{Local, fetch};
use super::owned::Layout;
use super::superstep::{IN_FLIGHT, exchange, largest, send, smallest, total};
use super::{Run, read_failed};
use crate::cluster::{Cluster, ClusterSim};
use crate::index::{self, Candidate};
use crate::model::DocId;
use crate::passage;
use crate::spill::store::Signatures;
use crate::verify::{self, Edge, Similarity};

/// Exact-duplicate groups found by this process (those whose key hashes to
/// it), and whether each of this process's documents stands for its group.
pub(super) struct Units {
    /// Groups of two or more documents with one content hash, each sorted.
    pub(super) groups: Vec<Vec<DocId>>,
    /// Per own document: it has a content hash and is the first of its group
    /// (the only one of its group LSH sees).
    pub(super) rep: Vec<bool>,
}

impl Run<'_> {
    /// Exact duplicates: `(content hash, document)` sent by hash, grouped
    /// where they land; the owners of the later members are told.
    pub(super) fn units(&mut self) -> Units {
        let a = &self.owned.analyzed;
        let keyed: Vec<(u64, (u64, u32))> =
            a.content.iter().zip(&self.owned.ids).filter_map(|(h, &d)| h.map(|h| (h, (h, d)))).collect();
        let mut landed = send(self.worker, keyed);
        landed.par_sort_unstable();
        let groups: Vec<Vec<DocId>> = landed
            .chunk_by(|x, y| x.0 == y.0)
            .filter(|g| g.len() > 1)
            .map(|g| g.iter().map(|&(_, d)| DocId(d)).collect())
            .collect();
        let later: Vec<(u64, u32)> =
            groups.iter().flat_map(|g| g[1..].iter().map(|d| (self.layout.owner(d.0), d.0))).collect();
        let mut later = send(self.worker, later);
        later.par_sort_unstable();
        let rep = a
            .content
            .iter()
            .zip(&self.owned.ids)
            .map(|(h, d)| h.is_some() && later.binary_search(d).is_err())
            .collect();
        Units { groups, rep }
    }

    /// LSH candidates of the representatives: band keys sent by key, each
    /// bucket's pairs made where it lands and sent to the owner of the pair's
    /// first document. This process's candidates, sorted, without repeats.
    pub(super) fn candidates(&mut self, units: &Units) -> Vec<Candidate> {
        let (layout, owned, config) = (&self.layout, &self.owned, self.config);
        let banding = config.banding();
        let mine: Vec<usize> = (0..owned.ids.len()).filter(|&i| units.rep[i]).collect();
        let me = self.worker.index();
        let stores = owned.stores();
        self.cp.stage(self.worker, "index", &mut self.resumed, &stores, |worker| {
            // All processes' entries of a round, with their copies in flight,
            // within the sort share: each process holds 1/P of them.
            let budget = smallest(worker, config.budgets().sort);
            let reps = total(worker, mine.len() as u64).max(1) as usize;
            let entry = std::mem::size_of::<(u64, u32)>();
            let bands_per_round = (budget / (reps * entry * IN_FLIGHT)).clamp(1, banding.bands());
            let sigs = &owned.analyzed.sigs;
            let mut pairs: Vec<Candidate> = Vec::new();
            for first in (0..banding.bands()).step_by(bands_per_round) {
                let bands = first..(first + bands_per_round).min(banding.bands());
                let keys: Vec<(u64, u32)> = mine
                    .par_iter()
                    .flat_map_iter(|&i| {
                        let sig = sigs.get(DocId(i as u32));
                        let d = owned.ids[i];
                        bands.clone().filter_map(move |band| sig.as_ref().map(|s| (banding.key(s, band), d)))
                    })
                    .collect();
                if let Err(e) = sigs.store().check() {
                    read_failed(me, e);
                }
                let mut entries = exchange(worker, keys, |e| e.0);
                let found: Vec<(u64, Candidate)> =
                    index::bucket_pairs(&mut entries).into_iter().map(|c| (layout.owner(c.a.0), c)).collect();
                drop(entries);
                pairs.extend(send(worker, found));
                pairs.par_sort_unstable();
                pairs.dedup();
            }
            pairs
        })
    }

    /// The candidates (this process's) whose similarity reaches `at`, each
    /// checked here with the other document's signature (or shingle set)
    /// fetched from its owner, a round of candidates at a time.
    pub(super) fn edges(&mut self, candidates: &[Candidate], at: f64) -> Vec<Edge> {
        let (layout, owned, config) = (&self.layout, &self.owned, self.config);
        let stores = owned.stores();
        self.cp.stage(self.worker, "verify", &mut self.resumed, &stores, |worker| {
            // A candidate brings up to one signature (or set) of 128 lanes;
            // the cluster's round is at most a block of pairs, each process
            // holding 1/P of it.
            let budget = smallest(worker, config.budgets().sort).max(1);
            let per_round = ((budget / 1024).clamp(1024, passage::ALIGN_BLOCK) / worker.peers()).max(1);
            let rounds = largest(worker, candidates.len().div_ceil(per_round));
            let mut edges = Vec::new();
            for r in 0..rounds {
                let round = candidates.get(r * per_round..((r + 1) * per_round).min(candidates.len())).unwrap_or(&[]);
                let ends: Vec<u32> = round.iter().flat_map(|c| [c.a.0, c.b.0]).collect();
                let checked = if config.exact_jaccard {
                    let sets = fetch(worker, layout, &ends, &|d| owned.set(d));
                    let ids: Vec<u32> = sets.iter().map(|x| x.0).collect();
                    let sets: Vec<Option<Vec<u64>>> = sets.into_iter().map(|x| x.1).collect();
                    let local = local_candidates(&ids, round);
                    let found = verify::edges(&local, Similarity::Exact(&sets), at);
                    globals(&ids, found)
                } else {
                    let lanes = fetch(worker, layout, &ends, &|d| owned.lanes(d));
                    let (ids, sigs) = signatures(lanes, &owned.analyzed.sigs);
                    let local = local_candidates(&ids, round);
                    globals(&ids, verify::edges(&local, Similarity::Estimated(&sigs), at))
                };
                edges.extend(checked);
            }
            edges
        })
    }

    /// Clusters: the connected components of the verified edges (labels by
    /// min-label propagation); each component's edges and exact-duplicate
    /// groups go to the process its label hashes to, which fetches the
    /// similarity's data of their documents and clusters them as one
    /// process would. Returns every cluster on process 0 (sorted by
    /// representative, empty elsewhere) and, for this process's documents
    /// in a cluster, `(document, group)` (the group named by its smallest
    /// document), sorted.
    pub(super) fn clusters(&mut self, units: &Units, edges: &[Edge]) -> (Vec<Cluster>, Vec<(u32, u32)>) {
        let (layout, owned, config) = (&self.layout, &self.owned, self.config);
        let stores = owned.stores();
        self.cp.stage(self.worker, "cluster", &mut self.resumed, &stores, |worker| {
            let mine: Vec<(u32, u32)> = edges.iter().map(|e| (e.a.0, e.b.0)).collect();
            let labels = components(worker, mine);
            // Edges and groups to where their component's label hashes.
            let edges: Vec<Edge> =
                to_components(worker, edges.to_vec(), |e| e.a.0, &labels).into_iter().map(|x| x.1).collect();
            let groups: Vec<Vec<DocId>> =
                to_components(worker, units.groups.clone(), |g| g[0].0, &labels).into_iter().map(|x| x.1).collect();
            let made = cluster_here(worker, layout, owned, config, groups, edges);
            let to_owners: Vec<(u64, (u32, u32))> = made
                .iter()
                .flat_map(|c| {
                    let group = c.members[0].0.0;
                    c.members.iter().map(move |m| (layout.owner(m.0.0), (m.0.0, group)))
                })
                .collect();
            let mut groups = send(worker, to_owners);
            groups.par_sort_unstable();
            let mut all = send(worker, made.into_iter().map(|c| (0, c)).collect());
            all.sort_by_key(|c| c.representative);
            (all, groups)
        })
    }
}

/// Clusters the components this process was given: `groups` (exact
/// duplicates) and `edges`, with the similarity's data of their documents
/// fetched, in a numbering of their own.
fn cluster_here(
    worker: &mut timely::worker::Worker,
    layout: &Layout,
    owned: &super::owned::Owned,
    config: &crate::config::Config,
    groups: Vec<Vec<DocId>>,
    edges: Vec<Edge>,
) -> Vec<Cluster> {
    let mut ends: Vec<u32> = edges.iter().flat_map(|e| [e.a.0, e.b.0]).collect();
    ends.par_sort_unstable();
    ends.dedup();
    // Every document named (group members too) gets a local number; only
    // the edges' ends need their data.
    let mut named: Vec<u32> = groups.iter().flatten().map(|d| d.0).chain(ends.iter().copied()).collect();
    named.par_sort_unstable();
    named.dedup();
    let local = |d: DocId| DocId(named.binary_search(&d.0).expect("named") as u32);
    let mut units: Vec<Vec<DocId>> = groups.iter().map(|g| g.iter().map(|&d| local(d)).collect()).collect();
    let mut firsts: Vec<u32> = groups.iter().map(|g| g[0].0).collect();
    firsts.sort_unstable();
    units.extend(ends.iter().filter(|d| firsts.binary_search(d).is_err()).map(|&d| vec![local(DocId(d))]));
    units.sort_unstable_by_key(|u| u[0]);
    let mut edges: Vec<Edge> =
        edges.iter().map(|e| Edge { a: local(e.a), b: local(e.b), similarity: e.similarity }).collect();
    edges.sort_unstable_by_key(|e| (e.a, e.b));
    let limits = config.limits();
    let spread = |d: u32| local(DocId(d)).index();
    let made = if crate::pipeline::exact_clustering(config) {
        let words = fetch(worker, layout, &ends, &|d| owned.words(d));
        let mut all: Vec<(u32, Vec<u32>)> = named.iter().map(|&d| (d, Vec::new())).collect();
        for (d, w) in words {
            all[spread(d)].1 = w;
        }
        let local = Local::new(all);
        ClusterSim::ExactFromWords(&local.store, config.shingle.n, named.len()).cluster(&units, &edges, limits)
    } else if config.exact_jaccard {
        let got = fetch(worker, layout, &ends, &|d| owned.set(d));
        let mut sets: Vec<Option<Vec<u64>>> = vec![None; named.len()];
        for (d, s) in got {
            sets[spread(d)] = s;
        }
        ClusterSim::Given(Similarity::Exact(&sets)).cluster(&units, &edges, limits)
    } else {
        let got = fetch(worker, layout, &ends, &|d| owned.lanes(d));
        let mut lanes: Vec<(u32, Vec<u32>)> = named.iter().map(|&d| (d, Vec::new())).collect();
        for (d, l) in got {
            lanes[spread(d)].1 = l;
        }
        let (_, sigs) = signatures(lanes, &owned.analyzed.sigs);
        ClusterSim::Given(Similarity::Estimated(&sigs)).cluster(&units, &edges, limits)
    };
    let global = |d: DocId| DocId(named[d.index()]);
    made.into_iter()
        .map(|c| Cluster {
            kind: c.kind,
            representative: global(c.representative),
            members: c.members.into_iter().map(|(d, s)| (global(d), s)).collect(),
        })
        .collect()
}

/// Signature lanes by document (sorted) as signatures in a local numbering.
fn signatures(lanes: Vec<(u32, Vec<u32>)>, like: &Signatures) -> (Vec<u32>, Signatures) {
    let mut sigs = Signatures::new(usize::MAX, None);
    let mut ids = Vec::with_capacity(lanes.len());
    for (d, l) in lanes {
        ids.push(d);
        sigs.push(like.decode(&l).as_ref()).expect("signatures in memory are not written");
    }
    sigs.finish().expect("signatures in memory are not written");
    (ids, sigs)
}

/// `candidates` in the local numbering of `ids`.
fn local_candidates(ids: &[u32], candidates: &[Candidate]) -> Vec<Candidate> {
    let local = |d: DocId| DocId(ids.binary_search(&d.0).expect("fetched") as u32);
    candidates.iter().map(|c| Candidate { a: local(c.a), b: local(c.b) }).collect()
}

/// `edges` of the local numbering of `ids` in the global one.
fn globals(ids: &[u32], edges: Vec<Edge>) -> Vec<Edge> {
    edges.into_iter().map(|e| Edge { a: DocId(ids[e.a.index()]), b: DocId(ids[e.b.index()]), ..e }).collect()
}
