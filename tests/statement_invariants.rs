//! Invariants of statements over random corpora, at the library level
//! (match → align → group): every occurrence aligns with its statement's
//! representative, any two occurrences of a statement share the words of a
//! passage (`min_identity` × `min_words` in order, at least), occurrences of one statement never overlap in
//! a document, and the statements depend neither on the order of the
//! documents, nor on the number of threads, nor on whether group's sides
//! and candidates spilled to disk.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed};
use sada::model::{DocId, WordRange};
use sada::passage::candidates::Sides;
use sada::passage::statement::{DocInfo, Statement, group, group_sides};
use sada::passage::{Pairs, PassageConfig, align_pairs, align_pairs_into, matching, matching_pairs};
use sada::spill::store::Store;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        rng_seed: RngSeed::Fixed(0x5ADA_5717),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Documents of unique words with parts of passages of a small pool
/// planted in them: some in many documents, some twice in one, some
/// overlapping each other (a chain), some with a word changed.
fn corpus() -> impl Strategy<Value = Vec<Vec<u32>>> {
    let passages = prop::collection::vec(prop::collection::vec(0u32..5000, 10..30), 2..6);
    let plants =
        prop::collection::vec((0usize..6, 0usize..12, any::<bool>(), 0usize..3, 0usize..30, 8usize..30), 4..30);
    (3usize..12, passages, plants).prop_map(|(ndocs, passages, plants)| {
        let mut docs: Vec<Vec<u32>> =
            (0..ndocs as u32).map(|d| (0..20).map(|i| 100_000 + d * 1000 + i).collect()).collect();
        for (k, (p, d, change, times, from, len)) in plants.into_iter().enumerate() {
            // A part of the passage: documents holding overlapping parts
            // chain (A shares one part with B, B another with C).
            let whole = &passages[p % passages.len()];
            let from = from % (whole.len() - 8);
            let mut text = whole[from..(from + len).min(whole.len())].to_vec();
            if change {
                let at = k % text.len();
                text[at] = 900_000 + k as u32;
            }
            let doc = &mut docs[d % ndocs];
            for t in 0..times.max(1) {
                doc.extend(&text);
                doc.extend((0..5).map(|i| 200_000 + (k * 10 + t) as u32 * 10 + i));
            }
        }
        docs
    })
}

/// `(id, words)` of every occurrence, per statement, as sets.
type Found = BTreeSet<BTreeSet<(String, WordRange)>>;

/// Statements of `docs` listed in `order` (document `order[i]` is read
/// `i`th), on a pool of `threads` threads; with `spill`, the anchor
/// postings, the pairs and group's sides and candidates spill at every
/// record (passages streamed from align into group as the pipeline does).
fn statements(
    docs: &[Vec<u32>],
    order: &[usize],
    threads: usize,
    spill: bool,
) -> (Vec<Statement>, Found, Vec<Vec<u32>>) {
    let cfg = PassageConfig { max_df: 4, ..PassageConfig::default() };
    let words: Vec<Vec<u32>> = order.iter().map(|&d| docs[d].clone()).collect();
    let ids: Vec<String> = order.iter().map(|d| format!("doc{d:02}")).collect();
    let n = words.len();
    // Leaders by id, as the pipeline ranks undated documents.
    let rank: Vec<u32> = order.iter().map(|&d| d as u32).collect();
    let store = Store::of(&words);
    let group_of: Vec<u32> = (0..n as u32).collect();
    let source: Vec<u32> = (0..n as u32).collect();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let st = pool.install(|| {
        let dir = tempfile::tempdir().unwrap();
        let (matches, pairs) = if spill {
            let mut pairs = Pairs::new(0, Some(dir.path()));
            let m = matching(&store, &group_of, &source, &rank, &cfg, 1, Some(dir.path()), &mut pairs).unwrap();
            (m, pairs)
        } else {
            let m = matching_pairs(&store, &group_of, &source, &rank, &cfg, usize::MAX, None).expect("in memory");
            let pairs = Pairs::of(&store, &m.pairs);
            (m, pairs)
        };
        let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let words_of = |d: DocId| store.get(d);
        let info = DocInfo {
            source: &source,
            date: &vec![None; n],
            id: &id_refs,
            group: &group_of,
            words: &words_of,
            is_formula: &|_, _, _| false,
            is_templated: &|_, _| false,
            stop: &|| false,
        };
        if spill {
            let mut sides = Sides::new(n, 0, Some(dir.path()));
            align_pairs_into(&store, pairs, &cfg.align, |block| sides.add(block)).unwrap();
            let sides_in = 2 * sides.passages();
            let (st, spilled) = group_sides(sides, &info, &cfg.align, cfg.boilerplate_docs).unwrap();
            // A sorter holds 16 records at the least.
            assert!(sides_in < 16 || spilled > 0, "a budget of 0 spills {sides_in} sides");
            st
        } else {
            drop(pairs);
            group(align_pairs(&store, &matches.pairs, &cfg.align), &info, &cfg.align, cfg.boilerplate_docs)
        }
    });
    let found =
        st.iter().map(|s| s.occurrences.iter().map(|o| (ids[o.doc.index()].clone(), o.words)).collect()).collect();
    (st, found, words)
}

/// Length of the longest common subsequence.
fn lcs(a: &[u32], b: &[u32]) -> usize {
    let mut row = vec![0usize; b.len() + 1];
    for &x in a {
        let mut prev = 0;
        for (j, &y) in b.iter().enumerate() {
            let keep = row[j + 1];
            row[j + 1] = if x == y { prev + 1 } else { row[j + 1].max(row[j]) };
            prev = keep;
        }
    }
    row[b.len()]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn statements_are_coherent_and_do_not_overlap(docs in corpus()) {
        let order: Vec<usize> = (0..docs.len()).collect();
        let (st, _, words) = statements(&docs, &order, 1, false);
        let min = PassageConfig::default().align;
        for s in &st {
            prop_assert!(s.docs >= 2, "{s:?}");
            let text = |o: &sada::passage::Occurrence| &words[o.doc.index()][o.words.range()];
            for (i, x) in s.occurrences.iter().enumerate() {
                prop_assert!(x.identity >= min.min_identity && x.identity <= 1.0, "{x:?}");
                prop_assert!(x.words.len() as usize >= min.min_words, "{x:?}");
                for y in &s.occurrences[i + 1..] {
                    prop_assert!(
                        x.doc != y.doc || !x.words.overlaps(y.words),
                        "overlapping occurrences of one statement: {x:?} {y:?}"
                    );
                    // As scripts/eval/check_statements.py counts a coherent pair:
                    // a region of min_words words, min_identity of them
                    // matched, needs at least that many words in order.
                    let shared = lcs(text(x), text(y));
                    let need = (min.min_identity * min.min_words as f64).ceil() as usize;
                    prop_assert!(shared >= need, "{x:?} and {y:?} share {shared} words in order");
                }
            }
        }
    }

    #[test]
    fn statements_do_not_depend_on_order_or_threads(docs in corpus(), seed in any::<u64>()) {
        let order: Vec<usize> = (0..docs.len()).collect();
        let (reference_statements, reference, _) = statements(&docs, &order, 1, false);
        let (_, threads, _) = statements(&docs, &order, 3, false);
        prop_assert_eq!(&reference, &threads);
        // Whole statements (representatives, identities, flags), not only
        // their occurrences, whatever spilled.
        let (spilled, _, _) = statements(&docs, &order, 2, true);
        prop_assert_eq!(&reference_statements, &spilled);
        let mut shuffled = order.clone();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let (_, permuted, _) = statements(&docs, &shuffled, 2, false);
        prop_assert_eq!(&reference, &permuted);
    }
}
