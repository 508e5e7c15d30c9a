//! The grouping stages' parallel parts behind one interface ([`Grouping`]),
//! so that a cluster (`crate::distributed`) runs the same stage functions on
//! its share of the keys as [`Local`] runs on everything.

use rayon::prelude::*;

use crate::cluster::{self, Cluster};
use crate::config::Config;
use crate::index::{self, Banding, Candidate};
use crate::model::DocId;
use crate::passage;
use crate::shingle;
use crate::spill::store::{Signatures, Store};
use crate::verify::{self, Edge, Similarity};

/// The parallel parts of the grouping stages, behind one interface so that a
/// cluster of processes (the `distributed` module) runs the very same stage
/// functions on its share of the keys: [`Local`] calls them on everything.
pub(crate) trait Grouping {
    /// LSH candidate pairs among the documents `d` with `rep[d]`, and the
    /// bytes spilled doing it.
    fn candidates(
        &mut self,
        sigs: &Signatures,
        rep: &[bool],
        banding: &Banding,
        config: &Config,
    ) -> std::io::Result<(Vec<Candidate>, u64)>;
    /// The candidates whose similarity reaches `at`, sorted.
    fn edges(&mut self, candidates: &[Candidate], sim: Similarity<'_>, at: f64) -> Vec<Edge>;
    /// Clusters of `units` joined by `edges`, sorted by representative.
    fn clusters(
        &mut self,
        units: &[Vec<DocId>],
        edges: &[Edge],
        sim: ClusterSim<'_>,
        limits: cluster::Limits,
    ) -> Vec<Cluster>;
    /// Anchor matching (see [`passage::matching_pairs`]).
    fn matches(
        &mut self,
        words: &Store,
        group: &[u32],
        source: &[u32],
        rank: &[u32],
        config: &Config,
    ) -> std::io::Result<(passage::Matches, passage::Pairs)>;
    /// Alignment of every matched pair (`pairs`, or in a cluster
    /// `matches.pairs`), handed to `sink` in blocks (in no set order: group
    /// sorts what it reads); returns the number of pairs aligned.
    ///
    /// # Errors
    /// Reading the pairs back failed, or what `sink` returns.
    fn passages(
        &mut self,
        words: &Store,
        matches: &passage::Matches,
        pairs: passage::Pairs,
        config: &Config,
        sink: &mut dyn FnMut(&[passage::Passage]) -> std::io::Result<()>,
    ) -> std::io::Result<u64>;
}

/// How the cluster stage measures similarity.
#[derive(Clone, Copy)]
pub(crate) enum ClusterSim<'a> {
    /// As given.
    Given(Similarity<'a>),
    /// Exact Jaccard of word `n`-gram sets rebuilt from the word hashes of
    /// the documents with an edge.
    ExactFromWords(&'a Store, usize, usize),
}

impl ClusterSim<'_> {
    /// Clusters `units` and `edges` with this similarity.
    pub(crate) fn cluster(self, units: &[Vec<DocId>], edges: &[Edge], limits: cluster::Limits) -> Vec<Cluster> {
        match self {
            ClusterSim::Given(sim) => cluster::clusters(units, edges, sim, limits),
            ClusterSim::ExactFromWords(words, n, docs) => {
                let mut ends: Vec<DocId> = edges.iter().flat_map(|e| [e.a, e.b]).collect();
                ends.sort_unstable();
                ends.dedup();
                let built: Vec<Vec<u64>> = ends.par_iter().map(|&d| shingle::word_id_set(&words.get(d), n)).collect();
                let mut exact: Vec<Option<Vec<u64>>> = vec![None; docs];
                for (d, set) in ends.into_iter().zip(built) {
                    exact[d.index()] = Some(set);
                }
                cluster::clusters(units, edges, Similarity::Exact(&exact), limits)
            }
        }
    }
}

/// The grouping stages in this process.
pub(crate) struct Local;

impl Grouping for Local {
    fn candidates(
        &mut self,
        sigs: &Signatures,
        rep: &[bool],
        banding: &Banding,
        config: &Config,
    ) -> std::io::Result<(Vec<Candidate>, u64)> {
        index::candidates_in(sigs, rep, banding, config.budgets().sort, config.spill_dir.as_deref())
    }

    fn edges(&mut self, candidates: &[Candidate], sim: Similarity<'_>, at: f64) -> Vec<Edge> {
        verify::edges(candidates, sim, at)
    }

    fn clusters(
        &mut self,
        units: &[Vec<DocId>],
        edges: &[Edge],
        sim: ClusterSim<'_>,
        limits: cluster::Limits,
    ) -> Vec<Cluster> {
        sim.cluster(units, edges, limits)
    }

    fn matches(
        &mut self,
        words: &Store,
        group: &[u32],
        source: &[u32],
        rank: &[u32],
        config: &Config,
    ) -> std::io::Result<(passage::Matches, passage::Pairs)> {
        // The pairs take the LSH sort's share, free by now.
        let budgets = config.budgets();
        let dir = config.spill_dir.as_deref();
        let mut pairs = passage::Pairs::new(budgets.sort, dir);
        let matches =
            passage::matching(words, group, source, rank, &config.passage, budgets.postings, dir, &mut pairs)?;
        Ok((matches, pairs))
    }

    fn passages(
        &mut self,
        words: &Store,
        _matches: &passage::Matches,
        pairs: passage::Pairs,
        config: &Config,
        sink: &mut dyn FnMut(&[passage::Passage]) -> std::io::Result<()>,
    ) -> std::io::Result<u64> {
        passage::align_pairs_into(words, pairs, &config.passage.align, sink)
    }
}
