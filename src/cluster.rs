//! Stage 7, **cluster**: verified pairs → near-duplicate clusters.
//!
//! # Algorithm
//!
//! 1. Exact duplicates form *units* (see [`crate::verify::exact_groups`]);
//!    a unit is represented by its first document.
//! 2. Verified edges between units are joined with union-find into connected
//!    components.
//! 3. A component is **not** taken as a cluster as it is: a chain of pairs,
//!    each above the threshold, can drift far (A≈B≈C with A and C unrelated).
//!    Inside each component we run *star clustering*: the unit with the most
//!    edges (ties: more documents, then input order) becomes a center and takes
//!    every unassigned unit of the component whose similarity **to the center
//!    itself** is at least the threshold, closest first; the rest start new
//!    centers.
//! 4. The *drift guard*: a unit joins a star only if its similarity to every
//!    unit already in it is at least the pair floor (`--min-pair-similarity`).
//!
//! So every member of a cluster is within the threshold of its
//! representative, and every two members are above the floor: a chain can
//! never put two unrelated articles in one cluster. (Without the guard,
//! Jaccard distance being a metric would only promise `2t − 1` between
//! members: 0.2 at t = 0.6.)
//!
//! A center is compared with every unit of its component that no star holds
//! yet, not only with its verified neighbours: a big bucket of near-identical
//! documents is verified as a chain of windows (see [`crate::index`]), and a
//! star over neighbours alone would cut it into pieces. The guard compares a
//! candidate only with the members the triangle inequality does not already
//! clear (see [`Similarity::through`]). So 200,000 near-identical documents
//! cost about 200,000 comparisons; a per-component `Budget` (below) bounds the
//! rare worst cases. A comparison stops as soon as it cannot reach what is
//! asked of it ([`Similarity::at_least`]): most units a center meets are far
//! below its threshold.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::DocId;
use crate::shingle;
use crate::spill::store::Store;
use crate::verify::{Edge, Similarity};

/// The similarity bounds a cluster must respect.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Every member's similarity to the representative is at least this.
    pub threshold: f64,
    /// Every pair of members is at least this similar (the drift guard).
    pub pair_floor: f64,
}

/// How a cluster was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClusterKind {
    /// All members have the same normalized token stream.
    Exact,
    /// Some members differ from the representative.
    Near,
}

/// A near-duplicate cluster of two or more documents.
///
/// The serde derives carry it between the processes of a cluster run and into
/// `--resume` checkpoints, in bincode: a format that does not describe
/// itself, so no field may be skipped when serializing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// Exact or near.
    pub kind: ClusterKind,
    /// The document the others are compared with.
    pub representative: DocId,
    /// Every member, the representative included, sorted by document, with
    /// its similarity to the representative.
    pub members: Vec<(DocId, f64)>,
}

impl Cluster {
    /// The lowest similarity of a member to the representative.
    pub fn min_similarity(&self) -> f64 {
        self.members.iter().map(|m| m.1).fold(1.0, f64::min)
    }
}

/// Builds the clusters from exact-duplicate `units` and the verified `edges`
/// between unit representatives. Clusters come sorted by representative.
pub fn clusters(units: &[Vec<DocId>], edges: &[Edge], sim: Similarity<'_>, limits: Limits) -> Vec<Cluster> {
    // Unit index of each representative document.
    let mut unit_of_rep: Vec<(DocId, u32)> = units.iter().enumerate().map(|(i, u)| (u[0], i as u32)).collect();
    unit_of_rep.sort_unstable();
    let unit = |d: DocId| -> u32 {
        let i = unit_of_rep.binary_search_by_key(&d, |x| x.0).expect("edge between unit representatives");
        unit_of_rep[i].1
    };
    let local: Vec<(u32, u32)> = edges.iter().map(|e| (unit(e.a), unit(e.b))).collect();

    let mut uf = UnionFind::new(units.len());
    for &(a, b) in &local {
        uf.union(a, b);
    }
    // Components as sorted lists of units, in order of their first unit.
    let mut by_root: Vec<(u32, u32)> = (0..units.len() as u32).map(|u| (uf.find(u), u)).collect();
    by_root.sort_unstable();
    let mut components: Vec<Vec<u32>> =
        by_root.chunk_by(|x, y| x.0 == y.0).map(|g| g.iter().map(|&(_, u)| u).collect()).collect();
    components.sort_unstable_by_key(|c| c[0]);

    // Adjacency lists (sorted) for degrees and for large components.
    let mut adj: Vec<(u32, u32)> = local.iter().flat_map(|&(a, b)| [(a, b), (b, a)]).collect();
    adj.sort_unstable();
    adj.dedup();
    let neighbours = |u: u32| -> &[(u32, u32)] {
        let lo = adj.partition_point(|x| x.0 < u);
        let hi = adj.partition_point(|x| x.0 <= u);
        &adj[lo..hi]
    };

    let mut out: Vec<Cluster> = components
        .par_iter()
        .flat_map_iter(|comp| {
            if comp.len() == 1 {
                let u = &units[comp[0] as usize];
                return (u.len() > 1)
                    .then(|| Cluster {
                        kind: ClusterKind::Exact,
                        representative: u[0],
                        members: u.iter().map(|&d| (d, 1.0)).collect(),
                    })
                    .into_iter()
                    .collect::<Vec<_>>();
            }
            stars(comp, units, &neighbours, sim, limits, Budget::new(comp.len()))
        })
        .collect();
    out.sort_by_key(|c| c.representative);
    out
}

/// Star clustering inside one connected component (see the module docs).
fn stars<'a>(
    comp: &[u32],
    units: &[Vec<DocId>],
    neighbours: &impl Fn(u32) -> &'a [(u32, u32)],
    sim: Similarity<'_>,
    limits: Limits,
    mut budget: Budget,
) -> Vec<Cluster> {
    let mut order: Vec<u32> = comp.to_vec();
    order.sort_by_key(|&u| (std::cmp::Reverse(neighbours(u).len()), std::cmp::Reverse(units[u as usize].len()), u));
    // `assigned` is indexed by position in `comp` (sorted), found by binary search.
    let mut assigned = vec![false; comp.len()];
    let pos = |u: u32| comp.binary_search(&u).expect("unit of this component");
    // The units no star holds yet, in component order: what a center scans.
    let mut free: Vec<u32> = comp.to_vec();
    let mut out = Vec::new();
    for &center in &order {
        if assigned[pos(center)] {
            continue;
        }
        assigned[pos(center)] = true;
        let rep = units[center as usize][0];
        // Units close enough to the center, closest first (ties: input order).
        let pool: Vec<u32> = if budget.spend(free.len()) {
            free.iter().copied().filter(|&u| !assigned[pos(u)]).collect()
        } else {
            neighbours(center).iter().map(|&(_, u)| u).filter(|&u| !assigned[pos(u)]).collect()
        };
        let of_center = |u: u32| sim.at_least(units[u as usize][0], rep, limits.threshold).map(|s| (s, u));
        let mut close: Vec<(f64, u32)> = if pool.len() >= PARALLEL_POOL {
            pool.par_iter().filter_map(|&u| of_center(u)).collect()
        } else {
            pool.iter().filter_map(|&u| of_center(u)).collect()
        };
        close.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        // Members besides the center with their similarity to it: closest
        // first, as they are taken.
        let mut taken: Vec<(DocId, f64)> = Vec::new();
        let mut members: Vec<(DocId, f64)> = units[center as usize].iter().map(|&d| (d, 1.0)).collect();
        for (s, u) in close {
            let first = units[u as usize][0];
            // The drift guard: every pair of the cluster, not only each
            // member and the center, must stay above the floor. Members
            // close enough to the center are above it by the triangle
            // inequality; only the farther ones (a suffix of `taken`) are
            // compared, farthest first.
            let sure = taken.partition_point(|&(_, t)| sim.through(s, t) >= limits.pair_floor);
            let unsure = &taken[sure..];
            let fits = budget.spend(unsure.len())
                && unsure.iter().rev().all(|&(m, _)| sim.at_least(first, m, limits.pair_floor).is_some());
            if fits {
                assigned[pos(u)] = true;
                taken.push((first, s));
                members.extend(units[u as usize].iter().map(|&d| (d, s)));
            }
        }
        free.retain(|&u| !assigned[pos(u)]);
        if members.len() > 1 {
            members.sort_by_key(|m| m.0);
            let kind = if taken.is_empty() { ClusterKind::Exact } else { ClusterKind::Near };
            out.push(Cluster { kind, representative: rep, members });
        }
    }
    out
}

/// How many similarities one component may compute. Scanning every free
/// unit for each center and guarding every pair of a star costs
/// `O(centers × units)` and `O(members²)` in the worst case (a component
/// of a thousand small stars, a star of members all far from its center);
/// near-duplicates, however many, cost `O(units)`: one center takes them
/// and the triangle inequality clears the guard. The budget keeps the
/// worst case near-linear: past it a center scans only its verified
/// neighbours, and a candidate whose guard would need comparisons is left
/// for a later star — a cluster may then split, never break its bounds.
struct Budget {
    left: usize,
}

impl Budget {
    /// The allowance of a component of `units` units: [`BUDGET_BASE`] plus
    /// [`BUDGET_PER_UNIT`] per unit.
    fn new(units: usize) -> Budget {
        Budget { left: BUDGET_BASE.saturating_add(units.saturating_mul(BUDGET_PER_UNIT)) }
    }

    /// Takes `n` comparisons if the budget still has them.
    fn spend(&mut self, n: usize) -> bool {
        let ok = n <= self.left;
        if ok {
            self.left -= n;
        }
        ok
    }
}

/// Comparisons every component may make whatever its size (a component
/// of 2,000 units may compare all of its pairs).
pub const BUDGET_BASE: usize = 4_000_000;

/// Comparisons a component may make per unit, on top of [`BUDGET_BASE`].
pub const BUDGET_PER_UNIT: usize = 256;

/// A center compares itself with a pool this large on all threads.
const PARALLEL_POOL: usize = 4096;

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
    pub(crate) fn cluster(self, units: &[Vec<DocId>], edges: &[Edge], limits: Limits) -> Vec<Cluster> {
        match self {
            ClusterSim::Given(sim) => clusters(units, edges, sim, limits),
            ClusterSim::ExactFromWords(words, n, docs) => {
                let mut ends: Vec<DocId> = edges.iter().flat_map(|e| [e.a, e.b]).collect();
                ends.sort_unstable();
                ends.dedup();
                let built: Vec<Vec<u64>> = ends.par_iter().map(|&d| shingle::word_id_set(&words.get(d), n)).collect();
                let mut exact: Vec<Option<Vec<u64>>> = vec![None; docs];
                for (d, set) in ends.into_iter().zip(built) {
                    exact[d.index()] = Some(set);
                }
                clusters(units, edges, Similarity::Exact(&exact), limits)
            }
        }
    }
}

/// Union-find with path halving and union by size.
pub(crate) struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    pub(crate) fn new(n: usize) -> UnionFind {
        UnionFind { parent: (0..n as u32).collect(), size: vec![1; n] }
    }

    pub(crate) fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = self.parent[x as usize];
        }
        x
    }

    pub(crate) fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact_sets(sets: &[&[u64]]) -> Vec<Option<Vec<u64>>> {
        sets.iter().map(|s| Some(s.to_vec())).collect()
    }

    const L: Limits = Limits { threshold: 0.8, pair_floor: 0.5 };

    fn edge(a: u32, b: u32, s: f64) -> Edge {
        Edge { a: DocId(a), b: DocId(b), similarity: s }
    }

    #[test]
    fn a_drifting_chain_is_split_at_the_representative() {
        // 0 ≈ 1 ≈ 2 but 0 and 2 share little: Jaccard(0,1) = Jaccard(1,2) = 0.8,
        // Jaccard(0,2) = 0.6.
        let a: Vec<u64> = (0..10).collect();
        let b: Vec<u64> = (1..11).collect();
        let c: Vec<u64> = (2..12).collect();
        let sets = exact_sets(&[&a, &b, &c]);
        let units = vec![vec![DocId(0)], vec![DocId(1)], vec![DocId(2)]];
        let j01 = crate::shingle::jaccard(&a, &b);
        let got = clusters(&units, &[edge(0, 1, j01), edge(1, 2, j01)], Similarity::Exact(&sets), L);
        // Unit 1 has the most edges and becomes the center of all three.
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].representative, DocId(1));

        let d: Vec<u64> = (3..13).collect();
        let sets = exact_sets(&[&a, &b, &c, &d]);
        let units: Vec<_> = (0..4).map(|i| vec![DocId(i)]).collect();
        let got = clusters(&units, &[edge(0, 1, j01), edge(1, 2, j01), edge(2, 3, j01)], Similarity::Exact(&sets), L);
        // No cluster holds both ends of the chain.
        for cl in &got {
            let ids: Vec<_> = cl.members.iter().map(|m| m.0.0).collect();
            assert!(!(ids.contains(&0) && ids.contains(&3)), "{ids:?}");
            assert!(cl.min_similarity() >= 0.8 - 1e-9);
        }
    }

    #[test]
    fn the_drift_guard_keeps_far_members_apart() {
        // 1 and 2 are each 0.6 to the center 0, but only 0.2 to each other.
        let c: Vec<u64> = (0..8).collect();
        let a: Vec<u64> = (0..6).chain(100..102).collect();
        let b: Vec<u64> = (2..8).chain(200..202).collect();
        let sets = exact_sets(&[&c, &a, &b]);
        let units: Vec<_> = (0..3).map(|i| vec![DocId(i)]).collect();
        let sim = Similarity::Exact(&sets);
        let pair = |x: u32, y: u32| sim.of(DocId(x), DocId(y));
        assert!(pair(0, 1) >= 0.6 && pair(0, 2) >= 0.6 && pair(1, 2) < 0.5);
        let edges = [edge(0, 1, pair(0, 1)), edge(0, 2, pair(0, 2))];
        let loose = clusters(&units, &edges, sim, Limits { threshold: 0.6, pair_floor: 0.0 });
        assert_eq!(loose.len(), 1);
        assert_eq!(loose[0].members.len(), 3);
        let guarded = clusters(&units, &edges, sim, Limits { threshold: 0.6, pair_floor: 0.5 });
        assert!(guarded.iter().all(|c| c.members.len() == 2), "{guarded:?}");
    }

    /// `n` sets that each differ from a common base by one element, joined
    /// only as a chain `0 – 1 – … – n−1` (as big LSH buckets are verified).
    type Sets = Vec<Option<Vec<u64>>>;

    fn chained_near_duplicates(n: u32) -> (Sets, Vec<Vec<DocId>>, Vec<Edge>) {
        let sets: Vec<Option<Vec<u64>>> = (0..n as u64)
            .map(|i| {
                let mut s: Vec<u64> = (0..40).filter(|&x| x != i % 40).collect();
                s.push(1000 + i);
                s.sort_unstable();
                Some(s)
            })
            .collect();
        let units = (0..n).map(|i| vec![DocId(i)]).collect();
        let sim = Similarity::Exact(&sets);
        let edges = (1..n).map(|i| edge(i - 1, i, sim.of(DocId(i - 1), DocId(i)))).collect();
        (sets, units, edges)
    }

    #[test]
    fn thousands_of_chained_near_duplicates_are_one_cluster() {
        // Every pair is within 0.9 of the others; the chain of edges is all
        // LSH verified. Beyond any size, one star takes the whole component.
        for n in [2000, 2001, 5000] {
            let (sets, units, edges) = chained_near_duplicates(n);
            let got = clusters(&units, &edges, Similarity::Exact(&sets), L);
            assert_eq!(got.len(), 1, "{n} units");
            assert_eq!(got[0].members.len(), n as usize);
        }
    }

    #[test]
    fn a_spent_budget_splits_clusters_but_keeps_their_bounds() {
        let (sets, units, edges) = chained_near_duplicates(300);
        let sim = Similarity::Exact(&sets);
        let limits = Limits { threshold: 0.9, pair_floor: 0.9 };
        let comp: Vec<u32> = (0..300).collect();
        let mut adj: Vec<(u32, u32)> = edges.iter().flat_map(|e| [(e.a.0, e.b.0), (e.b.0, e.a.0)]).collect();
        adj.sort_unstable();
        let neighbours = |u: u32| -> &[(u32, u32)] {
            let lo = adj.partition_point(|x| x.0 < u);
            let hi = adj.partition_point(|x| x.0 <= u);
            &adj[lo..hi]
        };
        let full = stars(&comp, &units, &neighbours, sim, limits, Budget::new(comp.len()));
        let spent = stars(&comp, &units, &neighbours, sim, limits, Budget { left: 0 });
        assert!(spent.len() > full.len(), "{} ≤ {}", spent.len(), full.len());
        for c in &spent {
            for (i, &(x, _)) in c.members.iter().enumerate() {
                assert!(sim.of(x, c.representative) >= limits.threshold);
                for &(y, _) in &c.members[i + 1..] {
                    assert!(sim.of(x, y) >= limits.pair_floor, "{x:?} {y:?}");
                }
            }
        }
    }

    #[test]
    fn exact_duplicates_without_edges_form_an_exact_cluster() {
        let sets = exact_sets(&[&[1], &[1], &[2]]);
        let units = vec![vec![DocId(0), DocId(1)], vec![DocId(2)]];
        let got = clusters(&units, &[], Similarity::Exact(&sets), L);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].kind, ClusterKind::Exact);
        assert_eq!(got[0].members, vec![(DocId(0), 1.0), (DocId(1), 1.0)]);
    }

    #[test]
    fn union_find_joins_transitively() {
        let mut uf = UnionFind::new(5);
        uf.union(0, 1);
        uf.union(3, 4);
        uf.union(1, 4);
        assert_eq!(uf.find(0), uf.find(3));
        assert_ne!(uf.find(0), uf.find(2));
    }
}
