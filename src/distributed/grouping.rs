//! The grouping stages of the pipeline ([`Grouping`]) on the cluster: each
//! process computes its share, and the results are gathered in
//! single-process order so that every process goes on with the same.

use rayon::prelude::*;
use timely::worker::Worker;

use super::checkpoint::Checkpoints;
use super::components::components;
use super::read_failed;
use super::superstep::{exchange, gather, smallest};
use crate::cluster::{Cluster, Limits};
use crate::config::Config;
use crate::grouping::{ClusterSim, Grouping};
use crate::index::{self, Banding, Candidate};
use crate::model::DocId;
use crate::passage::{self, Matches, Passage};
use crate::spill::store::{Signatures, Store};
use crate::verify::{Edge, Similarity};

/// The grouping stages, each process doing its share (see the module docs).
pub(super) struct Distributed<'w> {
    pub(super) worker: &'w mut Worker,
    pub(super) me: usize,
    pub(super) peers: usize,
    pub(super) cp: &'w Checkpoints,
    /// Stages taken from checkpoints.
    pub(super) resumed: Vec<&'static str>,
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
            let mut pairs: Vec<Candidate> = Vec::new();
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
                pairs.extend(index::bucket_pairs(&mut entries));
                pairs.par_sort_unstable();
                pairs.dedup();
            }
            let mut all = gather(worker, pairs);
            all.par_sort_unstable();
            all.dedup();
            all
        });
        Ok((all, 0))
    }

    fn edges(&mut self, candidates: &[Candidate], sim: Similarity<'_>, at: f64) -> Vec<Edge> {
        let share: Vec<Candidate> = self.share(candidates.len()).map(|i| candidates[i]).collect();
        let reads: Vec<&Store> = match sim {
            Similarity::Estimated(sigs) => vec![sigs.store()],
            Similarity::Exact(_) => Vec::new(),
        };
        self.cp.stage(self.worker, "verify", &mut self.resumed, &reads, |worker| {
            let mut all = gather(worker, crate::verify::edges(&share, sim, at));
            all.sort_unstable_by_key(|e| (e.a, e.b));
            all
        })
    }

    fn clusters(&mut self, units: &[Vec<DocId>], edges: &[Edge], how: ClusterSim<'_>, limits: Limits) -> Vec<Cluster> {
        let (me, peers) = (self.me as u64, self.peers as u64);
        let reads: Vec<&Store> = match how {
            ClusterSim::ExactFromWords(words, ..) => vec![words],
            ClusterSim::Given(Similarity::Estimated(sigs)) => vec![sigs.store()],
            ClusterSim::Given(Similarity::Exact(_)) => Vec::new(),
        };
        self.cp.stage(self.worker, "cluster", &mut self.resumed, &reads, |worker| {
            let mine = components(worker, edges);
            let mut labels = gather(worker, mine);
            labels.sort_unstable();
            let label = |d: DocId| -> u32 { labels.binary_search_by_key(&d.0, |x| x.0).map_or(d.0, |i| labels[i].1) };
            let owner = |l: u32| crate::sign::oph::mix(l as u64) % peers;
            let my_units: Vec<Vec<DocId>> = units.iter().filter(|u| owner(label(u[0])) == me).cloned().collect();
            let my_edges: Vec<Edge> = edges.iter().filter(|e| owner(label(e.a)) == me).copied().collect();
            let mut all = gather(worker, how.cluster(&my_units, &my_edges, limits));
            all.sort_by_key(|c| c.representative);
            all
        })
    }

    fn matches(
        &mut self,
        words: &Store,
        group: &[u32],
        source: &[u32],
        rank: &[u32],
        config: &Config,
    ) -> std::io::Result<(Matches, passage::Pairs)> {
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
            let mut holders = gather(worker, found.holders);
            holders.sort_unstable();
            holders.dedup();
            let keep = |d: DocId| d.0 as usize % peers == me && holders.binary_search(&d.0).is_ok();
            let frequent = passage::frequent_pairs(words, &leaders, &|d| group[d as usize], cfg, &keep);
            let mine: Vec<(DocId, DocId)> = found.pairs.into_iter().chain(frequent).collect();
            let mut pairs = gather(worker, mine);
            pairs.par_sort_unstable();
            pairs.dedup();
            (pairs, template, df)
        });
        // Every process aligns a share of the gathered pairs by their place
        // in `Matches::pairs`: the pairs stay there, none in `Pairs`.
        let matches = Matches {
            pairs,
            template,
            df: passage::Frequencies::new(df),
            anchor_words: cfg.anchor_words,
            window: cfg.window,
        };
        Ok((matches, passage::Pairs::new(0, None)))
    }

    fn passages(
        &mut self,
        words: &Store,
        matches: &Matches,
        _pairs: passage::Pairs,
        config: &Config,
        sink: &mut dyn FnMut(&[Passage]) -> std::io::Result<()>,
    ) -> std::io::Result<u64> {
        let share: Vec<(DocId, DocId)> = self.share(matches.pairs.len()).map(|i| matches.pairs[i]).collect();
        let all = self.cp.stage(self.worker, "align", &mut self.resumed, &[words], |worker| {
            let found = passage::align_pairs(words, &share, &config.passage.align);
            // Tag each passage with its pair's place, so that the gathered
            // passages come back in single-process order.
            let mut mine: Vec<(u64, u32, Passage)> = Vec::with_capacity(found.len());
            for (k, p) in found.into_iter().enumerate() {
                let pair = matches.pairs.binary_search(&(p.a, p.b)).expect("a matched pair") as u64;
                mine.push((pair, k as u32, p));
            }
            let mut all = gather(worker, mine);
            all.sort_unstable_by_key(|p| (p.0, p.1));
            all
        });
        sink(&all.into_iter().map(|(_, _, p)| p).collect::<Vec<_>>())?;
        Ok(matches.pairs.len() as u64)
    }
}
