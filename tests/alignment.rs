//! Word-level alignment: the table of cases in `tests/data/align.toml`, each
//! checked in both directions, and alignment invariants over random texts.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed};
use sada::model::WordRange;
use sada::passage::PassageConfig;
use sada::passage::align::{AlignConfig, Alignment, align};
use serde::Deserialize;

const TABLE: &str = include_str!("data/align.toml");

#[derive(Deserialize)]
struct Table {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    a: String,
    b: String,
    passages: Vec<[u32; 5]>,
}

/// Words as numbers, one per distinct token; `REPEAT n: …` repeats the
/// words after it `n` times.
fn words(text: &str, vocab: &mut BTreeMap<String, u32>) -> Vec<u32> {
    let (times, text) = match text.strip_prefix("REPEAT ") {
        Some(rest) => {
            let (n, words) = rest.split_once(':').expect("REPEAT n: words");
            (n.trim().parse().expect("a count"), words)
        }
        None => (1, text),
    };
    let once: Vec<u32> = text
        .split_whitespace()
        .map(|w| {
            let next = vocab.len() as u32;
            *vocab.entry(w.to_string()).or_insert(next)
        })
        .collect();
    once.repeat(times)
}

fn cfg() -> AlignConfig {
    PassageConfig::default().align
}

#[test]
fn table_of_alignment_cases() {
    let table: Table = toml::from_str(TABLE).expect("tests/data/align.toml parses");
    assert!(table.case.len() >= 10);
    for case in &table.case {
        let mut vocab = BTreeMap::new();
        let (a, b) = (words(&case.a, &mut vocab), words(&case.b, &mut vocab));
        let want: Vec<Alignment> = case
            .passages
            .iter()
            .map(|&[a_start, a_end, b_start, b_end, matched]| Alignment {
                a: WordRange::new(a_start, a_end),
                b: WordRange::new(b_start, b_end),
                matched,
            })
            .collect();
        assert_eq!(align(&a, &b, &cfg()), want, "{}", case.name);
        let mut swapped: Vec<Alignment> = want.iter().map(|x| x.swapped()).collect();
        swapped.sort_by_key(|x| (x.a.start, x.b.start));
        assert_eq!(align(&b, &a, &cfg()), swapped, "{} (b against a)", case.name);
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        rng_seed: RngSeed::Fixed(0x5ADA_A11C),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Two texts over a small vocabulary (so words repeat, as in real text),
/// with shared stretches copied from one to the other, some repeated.
fn texts() -> impl Strategy<Value = (Vec<u32>, Vec<u32>)> {
    (
        prop::collection::vec(0u32..40, 20..300),
        prop::collection::vec(0u32..40, 20..300),
        prop::collection::vec((0usize..300, 8usize..40, 0usize..300, 1usize..4), 0..4),
    )
        .prop_map(|(mut a, mut b, copies)| {
            for (from, len, to, times) in copies {
                let from = from % a.len();
                let part: Vec<u32> = a[from..(from + len).min(a.len())].to_vec();
                for t in 0..times {
                    let at = (to + t * 7) % b.len();
                    b.splice(at..at, part.iter().copied());
                }
            }
            a.truncate(400);
            (a, b)
        })
}

proptest! {
    #![proptest_config(config())]

    /// One shared passage, one detection: no word of either text is in two
    /// passages; every passage meets the parameters and its matched count
    /// is possible — whichever text is indexed.
    #[test]
    fn passages_are_one_to_one_and_meet_the_parameters((a, b) in texts()) {
        let c = cfg();
        for (x_text, y_text) in [(&a, &b), (&b, &a)] {
            let got = align(x_text, y_text, &c);
            for (i, x) in got.iter().enumerate() {
                let (la, lb) = (x.a.len(), x.b.len());
                prop_assert!(la.min(lb) as usize >= c.min_words, "{x:?}");
                prop_assert!(x.matched <= la.min(lb), "{x:?}");
                prop_assert!(f64::from(x.matched) >= c.min_identity * f64::from(la.max(lb)), "{x:?}");
                prop_assert!(x.a.end as usize <= x_text.len() && x.b.end as usize <= y_text.len());
                for y in &got[i + 1..] {
                    prop_assert!(!x.a.overlaps(y.a), "{x:?} {y:?} overlap in a");
                    prop_assert!(!x.b.overlaps(y.b), "{x:?} {y:?} overlap in b");
                }
            }
        }
    }

    /// A stretch of at least 12 words copied verbatim is found: some
    /// passage covers most of it.
    #[test]
    fn a_verbatim_copy_is_found(a in prop::collection::vec(1000u32..100_000, 30..200), from in 0usize..200, len in 12usize..60) {
        let from = from % (a.len() - 12);
        let part = &a[from..(from + len).min(a.len())];
        let b: Vec<u32> = (0..20).chain(part.iter().copied()).chain(50..70).collect();
        let got = align(&a, &b, &cfg());
        let copy = WordRange::new(20, 20 + part.len() as u32);
        let covered: u32 = got.iter().map(|x| x.b.overlap(copy)).sum();
        prop_assert!(covered as usize >= part.len() - 1, "{got:?} covers {covered} of {}", part.len());
    }
}
