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
//! A component of more than [`DIRECT_LIMIT`] units compares a center only with
//! its verified neighbours rather than with every unit of the component, to
//! bound the work at `O(edges)`.

use rayon::prelude::*;
use serde::Serialize;

use crate::types::DocId;
use crate::verify::{Edge, Similarity};

/// Components up to this many units compare each center with every unit.
pub const DIRECT_LIMIT: usize = 2000;

/// The similarity bounds a cluster must respect.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Every member's similarity to the representative is at least this.
    pub threshold: f64,
    /// Every pair of members is at least this similar (the drift guard).
    pub pair_floor: f64,
}

/// How a cluster was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClusterKind {
    /// All members have the same normalized token stream.
    Exact,
    /// Some members differ from the representative.
    Near,
}

/// A near-duplicate cluster of two or more documents.
#[derive(Clone, Debug, PartialEq)]
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
            stars(comp, units, &neighbours, sim, limits)
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
) -> Vec<Cluster> {
    let mut order: Vec<u32> = comp.to_vec();
    order.sort_by_key(|&u| (std::cmp::Reverse(neighbours(u).len()), std::cmp::Reverse(units[u as usize].len()), u));
    // `assigned` is indexed by position in `comp` (sorted), found by binary search.
    let mut assigned = vec![false; comp.len()];
    let pos = |u: u32| comp.binary_search(&u).expect("unit of this component");
    let mut out = Vec::new();
    for &center in &order {
        if assigned[pos(center)] {
            continue;
        }
        assigned[pos(center)] = true;
        let rep = units[center as usize][0];
        // Units close enough to the center, closest first (ties: input order).
        let pool: Vec<u32> = if comp.len() <= DIRECT_LIMIT {
            comp.to_vec()
        } else {
            neighbours(center).iter().map(|&(_, u)| u).collect()
        };
        let mut close: Vec<(f64, u32)> = pool
            .into_iter()
            .filter(|&u| !assigned[pos(u)])
            .map(|u| (sim.of(units[u as usize][0], rep), u))
            .filter(|&(s, _)| s >= limits.threshold)
            .collect();
        close.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut taken: Vec<u32> = vec![center];
        let mut members: Vec<(DocId, f64)> = units[center as usize].iter().map(|&d| (d, 1.0)).collect();
        for (s, u) in close {
            let first = units[u as usize][0];
            // The drift guard: every pair of the cluster, not only each
            // member and the center, must stay above the floor.
            if taken.iter().all(|&m| m == center || sim.of(first, units[m as usize][0]) >= limits.pair_floor) {
                assigned[pos(u)] = true;
                taken.push(u);
                members.extend(units[u as usize].iter().map(|&d| (d, s)));
            }
        }
        if members.len() > 1 {
            members.sort_by_key(|m| m.0);
            let kind = if taken.len() > 1 { ClusterKind::Near } else { ClusterKind::Exact };
            out.push(Cluster { kind, representative: rep, members });
        }
    }
    out
}

/// Union-find with path halving and union by size.
struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind { parent: (0..n as u32).collect(), size: vec![1; n] }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = self.parent[x as usize];
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
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
