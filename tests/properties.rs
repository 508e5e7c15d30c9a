//! Statistical and structural properties of the similarity stages: MinHash
//! estimates, the LSH S-curve, banding soundness, clustering invariants and
//! exact Jaccard.
//!
//! # Statistical bounds
//!
//! Every statistical check allows **5 σ** (a two-sided normal tail of about
//! 6·10⁻⁷) plus a small lattice slack of one or two counts, which covers the
//! skewed binomial tails near 0 and 1 where the normal approximation is poor.
//! On top of that every random choice comes from a fixed seed (proptest's
//! `RngSeed::Fixed`, a fixed splitmix64 seed in the plain tests), so a run is
//! reproducible and CI cannot flake: a failure means the code changed, not the
//! dice. Changing a seed should still pass; that is what the margins are for.

mod util;

use std::collections::{BTreeSet, HashMap, HashSet};

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed};
use sada::cluster::{Cluster, ClusterKind, Limits, clusters};
use sada::index::params::candidate_probability;
use sada::index::{Banding, Candidate, FULL_BUCKET, candidates};
use sada::model::DocId;
use sada::shingle::{into_set, jaccard, jaccard_at_least};
use sada::sign::{MinHashSig, MinHasher, OnePermHasher, Signature};
use sada::verify::{Similarity, edges, exact_groups};
use util::Rng;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// A fixed seed (`PROPTEST_RNG_SEED` picks another) and no regression files;
/// `cases` unless `PROPTEST_CASES` says otherwise.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(cases),
        rng_seed: std::env::var("PROPTEST_RNG_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .map_or(RngSeed::Fixed(0x5ADA_2024), RngSeed::Fixed),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A shingle hash for integer `x`: real shingles are xxh3 outputs, so the
/// sets are built from integers hashed the same way (`salt` keeps the sets of
/// different pairs apart).
fn shingle(x: u64, salt: u64) -> u64 {
    xxh3_64_with_seed(&x.to_le_bytes(), salt)
}

/// Two shingle sets with exactly `shared` common elements and `only_a`,
/// `only_b` private ones: Jaccard `shared / (shared + only_a + only_b)`.
fn overlapping_sets(shared: usize, only_a: usize, only_b: usize, salt: u64) -> (Vec<u64>, Vec<u64>) {
    let (s, a, b) = (shared as u64, only_a as u64, only_b as u64);
    let a_set = (0..s).chain(s..s + a).map(|x| shingle(x, salt)).collect();
    let b_set = (0..s).chain(s + a..s + a + b).map(|x| shingle(x, salt)).collect();
    (a_set, b_set)
}

/// σ of the MinHash estimate at true similarity `j` with `k` lanes.
fn minhash_sigma(j: f64, k: usize) -> f64 {
    (j * (1.0 - j) / k as f64).sqrt()
}

// ---------------------------------------------------------------- MinHash

/// The checks shared by both hashers: `k` lanes, a symmetric estimate within
/// 5σ of the binomial (+ 1.5 lanes of slack) of the exact Jaccard, identical
/// signatures for identical sets.
fn check_estimate(sa: MinHashSig, sb: MinHashSig, exact: f64, k: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(sa.0.len(), k);
    let est = sa.jaccard(&sb);
    prop_assert_eq!(est, sb.jaccard(&sa));
    let tol = 5.0 * minhash_sigma(exact, k) + 1.5 / k as f64;
    prop_assert!((est - exact).abs() <= tol, "estimate {est} vs exact {exact} (k = {k}, tolerance {tol})");
    if exact == 1.0 {
        prop_assert_eq!(sa, sb);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(128))]

    /// The estimate is within 5σ (+ 1.5 lanes of slack) of the exact Jaccard,
    /// for J anywhere in [0, 1].
    #[test]
    fn minhash_estimate_is_within_5_sigma(
        shared in 0usize..200,
        only_a in 0usize..200,
        only_b in 0usize..200,
        k in prop::sample::select(vec![32usize, 64, 128, 256]),
        seed in any::<u64>(),
        salt in any::<u64>(),
    ) {
        prop_assume!(shared + only_a > 0 && shared + only_b > 0);
        let (a, b) = overlapping_sets(shared, only_a, only_b, salt);
        let exact = jaccard(&into_set(a.clone()), &into_set(b.clone()));
        prop_assert!((exact - shared as f64 / (shared + only_a + only_b) as f64).abs() < 1e-12);

        let h = MinHasher::new(k, seed);
        check_estimate(h.sign(&a).unwrap(), h.sign(&b).unwrap(), exact, k)?;
    }

    /// A signature depends on the set only: order and repeats do not matter.
    #[test]
    fn minhash_ignores_order_and_repeats(xs in prop::collection::vec(any::<u64>(), 1..100), seed in any::<u64>()) {
        let h = MinHasher::new(16, seed);
        let mut shuffled: Vec<u64> = xs.iter().rev().copied().chain(xs.iter().copied()).collect();
        shuffled.sort_unstable();
        prop_assert_eq!(h.sign(&xs), h.sign(&shuffled));
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// One-permutation MinHash with optimal densification: the same bound as
    /// classic MinHash (5σ of the binomial + 1.5 lanes), for J anywhere in
    /// [0, 1] and sets from one element to several times `k`.
    #[test]
    fn oph_estimate_is_within_5_sigma(
        shared in 0usize..300,
        only_a in 0usize..300,
        only_b in 0usize..300,
        k in prop::sample::select(vec![32usize, 64, 128, 256]),
        seed in any::<u64>(),
        salt in any::<u64>(),
    ) {
        prop_assume!(shared + only_a > 0 && shared + only_b > 0);
        let (a, b) = overlapping_sets(shared, only_a, only_b, salt);
        let exact = jaccard(&into_set(a.clone()), &into_set(b.clone()));
        let h = OnePermHasher::new(k, seed);
        check_estimate(h.sign(&a).unwrap(), h.sign(&b).unwrap(), exact, k)?;
    }

    /// An OPH signature depends on the set only.
    #[test]
    fn oph_ignores_order_and_repeats(xs in prop::collection::vec(any::<u64>(), 1..100), seed in any::<u64>()) {
        let h = OnePermHasher::new(16, seed);
        let mut shuffled: Vec<u64> = xs.iter().rev().copied().chain(xs.iter().copied()).collect();
        shuffled.sort_unstable();
        prop_assert_eq!(h.sign(&xs), h.sign(&shuffled));
    }
}

/// Mean error and mean squared error of an estimator over many pairs with J
/// spread over [0, 1], checked against an unbiased binomial estimator of `K`
/// lanes (see [`minhash_is_unbiased_with_binomial_variance`]).
fn check_unbiased(sign: impl Fn(&[u64]) -> MinHashSig, ratio_band: std::ops::RangeInclusive<f64>) {
    const PAIRS: usize = 1500;
    const K: usize = 128;
    let mut rng = Rng(0xB1A5);
    let (mut sum_err, mut sum_sq, mut sum_var) = (0.0, 0.0, 0.0);
    for pair in 0..PAIRS {
        let shared = rng.below(60);
        let only_a = rng.below(60) + usize::from(shared == 0);
        let only_b = rng.below(60) + usize::from(shared == 0);
        let (a, b) = overlapping_sets(shared, only_a, only_b, pair as u64);
        let exact = shared as f64 / (shared + only_a + only_b) as f64;
        let err = sign(&a).jaccard(&sign(&b)) - exact;
        sum_err += err;
        sum_sq += err * err;
        sum_var += exact * (1.0 - exact) / K as f64;
    }
    let mean = sum_err / PAIRS as f64;
    let sigma_mean = sum_var.sqrt() / PAIRS as f64;
    assert!(mean.abs() <= 5.0 * sigma_mean, "mean error {mean:.5} exceeds 5σ = {:.5}", 5.0 * sigma_mean);
    let ratio = sum_sq / sum_var;
    assert!(ratio_band.contains(&ratio), "squared error is {ratio:.3}× the binomial variance");
}

/// One-permutation hashing is unbiased too; on these small sets (≤ 120
/// elements for 128 bins, so many bins are filled by densification) its
/// variance may exceed the classic binomial one, but by less than half.
#[test]
fn oph_is_unbiased_with_near_binomial_variance() {
    let h = OnePermHasher::new(128, 7);
    check_unbiased(|s| h.sign(s).unwrap(), 0.5..=1.5);
}

/// Over many pairs with J spread over [0, 1], the mean error is near 0 (the
/// estimator is unbiased) and the mean squared error matches the binomial
/// variance J(1 − J)/k (the lanes behave as independent).
#[test]
fn minhash_is_unbiased_with_binomial_variance() {
    // Mean squared error over expected variance: about 1, with a relative σ
    // near sqrt(2/N) (≈ 0.04 at N = 1500) under a normal approximation; the
    // ±0.25 band is more than 5σ of that.
    let h = MinHasher::new(128, 7);
    check_unbiased(|s| h.sign(s).unwrap(), 0.75..=1.25);
}

// ---------------------------------------------------------------- LSH S-curve

/// The observed candidate rate at similarity J follows
/// `P(J) = 1 − (1 − J^r)^b`: for each banding and each target J, 1000 pairs
/// of exact Jaccard J, compared with P within a binomial 5σ (+ 1 count).
#[test]
fn lsh_candidate_rate_follows_the_s_curve() {
    const PAIRS: usize = 1000;
    const K: usize = 128;
    // (shared, private per side) over a union of 40 elements: J exactly
    // 0.3, 0.5, 0.7, 0.8, 0.9.
    let targets = [(12, 14), (20, 10), (28, 6), (32, 4), (36, 2)];
    let bandings = [(16, 8), (9, 13), (14, 9)];
    let h = MinHasher::new(K, 0x1234);
    let mut failures = Vec::new();
    let mut report = Vec::new();
    for (t, &(shared, private)) in targets.iter().enumerate() {
        let j = shared as f64 / (shared + 2 * private) as f64;
        // Docs 2i and 2i + 1 are pair i; every pair has its own elements.
        let sigs: Vec<Signature> = (0..PAIRS)
            .flat_map(|i| {
                let (a, b) = overlapping_sets(shared, private, private, (t * PAIRS + i) as u64);
                [Signature::MinHash(h.sign(&a).unwrap()), Signature::MinHash(h.sign(&b).unwrap())]
            })
            .collect();
        let refs: Vec<(DocId, &Signature)> = sigs.iter().enumerate().map(|(i, s)| (DocId(i as u32), s)).collect();
        for &(bands, rows) in &bandings {
            let found: HashSet<Candidate> = candidates(&refs, &Banding::Minhash { bands, rows }).into_iter().collect();
            let hits = (0..PAIRS)
                .filter(|&i| found.contains(&Candidate { a: DocId(2 * i as u32), b: DocId(2 * i as u32 + 1) }))
                .count();
            let observed = hits as f64 / PAIRS as f64;
            let p = candidate_probability(j, bands, rows);
            let tol = 5.0 * (p * (1.0 - p) / PAIRS as f64).sqrt() + 1.0 / PAIRS as f64;
            let line = format!("J = {j:.1}, {bands}×{rows}: observed {observed:.3}, P(J) = {p:.3}, tolerance {tol:.3}");
            if (observed - p).abs() > tol {
                failures.push(line.clone());
            }
            report.push(line);
        }
    }
    assert!(failures.is_empty(), "off the S-curve:\n{}\n\nall:\n{}", failures.join("\n"), report.join("\n"));
}

// ---------------------------------------------------------------- LSH soundness

/// Signatures over a tiny lane alphabet, so that bands often coincide, and
/// sometimes more than `FULL_BUCKET` documents share one band.
fn small_signatures() -> impl Strategy<Value = (usize, usize, Vec<Vec<u32>>)> {
    (1usize..=5, 1usize..=3, prop_oneof![3 => 2usize..40, 1 => 120usize..300], 2u32..=4).prop_flat_map(
        |(bands, rows, docs, alphabet)| {
            let lanes = prop::collection::vec(0..alphabet, bands * rows);
            (Just(bands), Just(rows), prop::collection::vec(lanes, docs))
        },
    )
}

proptest! {
    #![proptest_config(config(96))]

    /// LSH never reports a pair whose signatures share no band; it reports
    /// every pair sharing a band when no bucket exceeds `FULL_BUCKET`, and
    /// always keeps each bucket connected (consecutive members paired).
    #[test]
    fn lsh_reports_only_pairs_sharing_a_band((bands, rows, lanes) in small_signatures(), stride in 1u32..4) {
        let sigs: Vec<Signature> = lanes.iter().map(|l| Signature::MinHash(MinHashSig(l.clone().into()))).collect();
        // Sparse, non-zero-based document ids.
        let id = |i: usize| DocId(5 + stride * i as u32);
        let refs: Vec<(DocId, &Signature)> = sigs.iter().enumerate().map(|(i, s)| (id(i), s)).collect();
        let got = candidates(&refs, &Banding::Minhash { bands, rows });

        let mut sorted = got.clone();
        sorted.sort();
        sorted.dedup();
        prop_assert_eq!(&sorted, &got, "candidates are sorted and without repeats");

        let index_of: HashMap<DocId, usize> = (0..lanes.len()).map(|i| (id(i), i)).collect();
        let share = |x: usize, y: usize| {
            (0..bands).any(|band| lanes[x][band * rows..(band + 1) * rows] == lanes[y][band * rows..(band + 1) * rows])
        };
        for c in &got {
            prop_assert!(c.a < c.b);
            let (x, y) = (index_of[&c.a], index_of[&c.b]);
            prop_assert!(share(x, y), "{:?} and {:?} share no band: {:?} / {:?}", c.a, c.b, lanes[x], lanes[y]);
        }

        // Buckets: (band, lanes) → members in document order.
        let mut buckets: HashMap<(usize, &[u32]), Vec<usize>> = HashMap::new();
        for (i, l) in lanes.iter().enumerate() {
            for band in 0..bands {
                buckets.entry((band, &l[band * rows..(band + 1) * rows])).or_default().push(i);
            }
        }
        let found: HashSet<Candidate> = got.iter().copied().collect();
        let pair = |x: usize, y: usize| Candidate { a: id(x.min(y)), b: id(x.max(y)) };
        let largest = buckets.values().map(Vec::len).max().unwrap_or(0);
        for members in buckets.values() {
            for w in members.windows(2) {
                prop_assert!(found.contains(&pair(w[0], w[1])), "bucket {:?} is not connected", members);
            }
        }
        if largest <= FULL_BUCKET {
            for x in 0..lanes.len() {
                for y in x + 1..lanes.len() {
                    prop_assert_eq!(found.contains(&pair(x, y)), share(x, y), "pair {} {}", x, y);
                }
            }
        }
    }
}

// ---------------------------------------------------------------- clustering

/// A random instance: document sets over a small universe (some documents
/// copies of earlier ones, so exact-duplicate units form), which candidate
/// pairs LSH "found" (a random subset of all pairs), the threshold and the
/// pair floor (in `[0, threshold]`, as `Config::validate` requires).
#[derive(Debug, Clone)]
struct Instance {
    sets: Vec<Vec<u64>>,
    keep_pair: Vec<bool>,
    limits: Limits,
}

fn instances() -> impl Strategy<Value = Instance> {
    (2usize..16, 4u64..14).prop_flat_map(|(docs, universe)| {
        let set = prop::collection::btree_set(0..universe, 1..=universe as usize);
        // A document is a fresh set, a copy of an earlier one (so units
        // form), or an earlier one with one element toggled (so chains of
        // near-duplicates form and the drift guard has work).
        let doc = (set, 0u8..4, any::<prop::sample::Index>(), 0..universe);
        (
            prop::collection::vec(doc, docs),
            prop::collection::vec(prop::bool::weighted(0.7), docs * docs),
            prop::sample::select(vec![0.2, 0.34, 0.5, 0.6, 0.75, 0.8, 0.9]),
            prop::sample::select(vec![0.0, 0.5, 0.75, 1.0]),
        )
            .prop_map(|(docs, keep_pair, threshold, floor_share)| {
                let mut sets: Vec<Vec<u64>> = Vec::new();
                for (i, (fresh, kind, earlier, toggle)) in docs.into_iter().enumerate() {
                    let fresh: Vec<u64> = fresh.into_iter().collect();
                    let set = match kind {
                        0 if i > 0 => sets[earlier.index(i)].clone(),
                        1 if i > 0 => {
                            let mut s: BTreeSet<u64> = sets[earlier.index(i)].iter().copied().collect();
                            if !s.remove(&toggle) {
                                s.insert(toggle);
                            }
                            if s.is_empty() { fresh } else { s.into_iter().collect() }
                        }
                        _ => fresh,
                    };
                    sets.push(set);
                }
                Instance { sets, keep_pair, limits: Limits { threshold, pair_floor: threshold * floor_share } }
            })
    })
}

/// Plain union-find for the brute-force model.
fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        x = parent[x];
    }
    x
}

fn check_clusters(inst: &Instance) -> Result<(), TestCaseError> {
    let n = inst.sets.len();
    let t = inst.limits.threshold;
    let floor = inst.limits.pair_floor;
    let sets: Vec<Option<Vec<u64>>> = inst.sets.iter().map(|s| Some(s.clone())).collect();
    // Content "hash": the first document with the same set (collision-free).
    let content: Vec<Option<u64>> =
        inst.sets.iter().map(|s| Some(inst.sets.iter().position(|x| x == s).unwrap() as u64)).collect();
    let units = exact_groups(&content);
    let reps: Vec<DocId> = units.iter().map(|u| u[0]).collect();
    let cands: Vec<Candidate> = reps
        .iter()
        .enumerate()
        .flat_map(|(i, &a)| reps[i + 1..].iter().map(move |&b| Candidate { a, b }))
        .filter(|c| inst.keep_pair[c.a.index() * n + c.b.index()])
        .collect();
    let sim = Similarity::Exact(&sets);
    let verified = edges(&cands, sim, t);
    let got: Vec<Cluster> = clusters(&units, &verified, sim, inst.limits);

    let exact = |a: DocId, b: DocId| jaccard(&inst.sets[a.index()], &inst.sets[b.index()]);

    // Brute-force model: union-find over the verified edges and the units.
    let mut parent: Vec<usize> = (0..n).collect();
    let join = |parent: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (find(parent, a), find(parent, b));
        parent[ra] = rb;
    };
    for e in &verified {
        prop_assert!(e.similarity >= t && (e.similarity - exact(e.a, e.b)).abs() < 1e-12);
        join(&mut parent, e.a.index(), e.b.index());
    }
    for u in &units {
        for d in &u[1..] {
            join(&mut parent, u[0].index(), d.index());
        }
    }

    let mut cluster_of: HashMap<DocId, usize> = HashMap::new();
    for (ci, c) in got.iter().enumerate() {
        prop_assert!(c.members.len() >= 2, "cluster {:?} has fewer than 2 members", c);
        prop_assert!(c.members.windows(2).all(|w| w[0].0 < w[1].0), "members not sorted: {:?}", c);
        prop_assert!(c.members.iter().any(|m| m.0 == c.representative), "representative not a member: {:?}", c);
        let component = find(&mut parent, c.representative.index());
        for &(d, s) in &c.members {
            prop_assert!(cluster_of.insert(d, ci).is_none(), "{:?} is in two clusters", d);
            let j = exact(d, c.representative);
            prop_assert!(j >= t - 1e-9, "{:?} has Jaccard {} < {} to representative {:?}", d, j, t, c.representative);
            prop_assert!((s - j).abs() < 1e-12, "{:?}: reported similarity {} but exact Jaccard {}", d, s, j);
            prop_assert_eq!(
                find(&mut parent, d.index()),
                component,
                "{:?} and {:?} are in different components",
                d,
                c.representative
            );
        }
        // The drift guard: every two members are at least the pair floor apart.
        for (i, &(x, _)) in c.members.iter().enumerate() {
            for &(y, _) in &c.members[i + 1..] {
                prop_assert!(
                    exact(x, y) >= floor - 1e-9,
                    "{:?} and {:?}: Jaccard {} < floor {}",
                    x,
                    y,
                    exact(x, y),
                    floor
                );
            }
        }
        // Exact means every member is in the representative's unit.
        let rep_unit = units.iter().find(|u| u[0] == c.representative);
        prop_assert!(rep_unit.is_some(), "representative {:?} does not represent a unit", c.representative);
        let all_in_unit = c.members.iter().all(|m| rep_unit.unwrap().contains(&m.0));
        prop_assert_eq!(c.kind == ClusterKind::Exact, all_in_unit, "kind of {:?}", c);
    }
    prop_assert!(got.windows(2).all(|w| w[0].representative < w[1].representative), "clusters not sorted");
    // A unit is never split, and a unit of copies is always in a cluster.
    for u in &units {
        let homes: BTreeSet<Option<usize>> = u.iter().map(|d| cluster_of.get(d).copied()).collect();
        prop_assert_eq!(homes.len(), 1, "unit {:?} split across clusters", u);
        if u.len() > 1 {
            prop_assert!(cluster_of.contains_key(&u[0]), "exact duplicates {:?} not clustered", u);
        }
    }
    // Nothing is left out that a star would take: a unit in no cluster is
    // below the threshold to the representative of every cluster of its
    // component, or below the floor to one of its members.
    for u in units.iter().filter(|u| !cluster_of.contains_key(&u[0])) {
        for c in &got {
            if find(&mut parent, c.representative.index()) != find(&mut parent, u[0].index()) {
                continue;
            }
            prop_assert!(
                exact(u[0], c.representative) < t || c.members.iter().any(|m| exact(u[0], m.0) < floor),
                "{:?} was left out of {:?}",
                u,
                c
            );
        }
    }
    // Star clustering compares with the center directly, so a verified edge
    // never leaves both of its ends unclustered (if the guard turns one end
    // away from the other's star, that star already holds a third unit).
    for e in &verified {
        prop_assert!(
            cluster_of.contains_key(&e.a) || cluster_of.contains_key(&e.b),
            "verified edge {:?} has neither end clustered",
            e
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn clusters_are_sound(inst in instances()) {
        check_clusters(&inst)?;
    }
}

// ---------------------------------------------------------------- exact Jaccard

proptest! {
    #![proptest_config(config(256))]

    /// `shingle::jaccard` and `into_set` against a `HashSet` reference.
    #[test]
    fn jaccard_matches_hash_set_reference(
        a in prop::collection::vec(0u64..60, 0..50),
        b in prop::collection::vec(0u64..60, 0..50),
    ) {
        let (sa, sb) = (into_set(a.clone()), into_set(b.clone()));
        prop_assert_eq!(&sa, &a.iter().copied().collect::<BTreeSet<_>>().into_iter().collect::<Vec<_>>());
        prop_assert_eq!(&sb, &b.iter().copied().collect::<BTreeSet<_>>().into_iter().collect::<Vec<_>>());

        let (ha, hb): (HashSet<u64>, HashSet<u64>) = (a.iter().copied().collect(), b.iter().copied().collect());
        let inter = ha.intersection(&hb).count();
        let union = ha.union(&hb).count();
        // Two empty sets are identical: 1, as `jaccard` documents it.
        let reference = if union == 0 { 1.0 } else { inter as f64 / union as f64 };
        let got = jaccard(&sa, &sb);
        prop_assert_eq!(got, reference);
        prop_assert_eq!(got, jaccard(&sb, &sa));
        prop_assert!((0.0..=1.0).contains(&got));
        if !sa.is_empty() {
            prop_assert_eq!(jaccard(&sa, &sa), 1.0);
        }
    }

    /// `jaccard_at_least` stops early but never decides otherwise than the
    /// whole merge: the similarity when it reaches `at`, else nothing. Sets
    /// of hundreds, past the merge's check interval, overlapping a lot or
    /// little, and thresholds on the similarity itself.
    #[test]
    fn jaccard_at_least_agrees_with_jaccard(
        a in prop::collection::vec(0u64..400, 0..300),
        b in prop::collection::vec(0u64..400, 0..300),
        shift in 0u64..400,
        at in prop::sample::select(vec![0.0, 0.1, 0.25, 0.5, 0.6, 0.8, 0.9, 1.0]),
    ) {
        let sa = into_set(a);
        let sb = into_set(b.into_iter().map(|x| x + shift).collect());
        let j = jaccard(&sa, &sb);
        for at in [at, j, j - 1e-12, j + 1e-12] {
            let want = (j >= at).then_some(j);
            prop_assert_eq!(jaccard_at_least(&sa, &sb, at), want, "at {}", at);
            prop_assert_eq!(jaccard_at_least(&sb, &sa, at), want, "at {} swapped", at);
        }
    }
}
