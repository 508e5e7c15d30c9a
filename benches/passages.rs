//! Criterion benchmarks of the statement stages — fingerprint, match, align,
//! group — on a generated corpus whose articles share sentences (so there are
//! passages to find). Throughput is in bytes of text per second; each
//! benchmark checks its result against a first, unbenchmarked run.
//!
//! Run: `cargo bench --bench passages`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use sada::normalize::Analyzer;
use sada::passage::statement::{DocInfo, group};

mod common;
use sada::passage::{PassageConfig, align_pairs, anchors, matching_pairs};
use sada::spill::store::Store;

/// 400 articles of 10–30 sentences drawn from the seeds' sentences: every
/// article shares some sentences with many others.
fn corpus() -> Vec<String> {
    common::generated(400, 10, 21, 0x2545_F491_4F6C_DD1D)
}

fn words_of(docs: &[String]) -> Vec<Vec<u32>> {
    let mut analyzer = Analyzer::new();
    docs.iter().map(|d| analyzer.tokens(d).iter().map(|t| t.hash as u32).collect()).collect()
}

fn passages(c: &mut Criterion) {
    let docs = corpus();
    let bytes: usize = docs.iter().map(String::len).sum();
    let cfg = PassageConfig { max_df: 1000, ..PassageConfig::default() };
    let n = docs.len();
    let groups: Vec<u32> = (0..n as u32).collect();
    let sources: Vec<u32> = (0..n as u32).map(|d| d % 20).collect();
    let ids: Vec<String> = (0..n).map(|d| format!("doc{d}")).collect();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let dates = vec![None; n];
    let no_formula = |_, _, _| false;
    let no_template = |_, _| false;
    let ranks: Vec<u32> = (0..n as u32).collect();

    let words = Store::of(&words_of(&docs));
    let words_of_doc = |d| words.get(d);
    let info = DocInfo {
        source: &sources,
        date: &dates,
        id: &id_refs,
        group: &groups,
        words: &words_of_doc,
        is_formula: &no_formula,
        is_templated: &no_template,
        stop: &|| false,
    };
    let matches = matching_pairs(&words, &groups, &sources, &ranks, &cfg, usize::MAX, None).expect("in memory");
    let found = align_pairs(&words, &matches.pairs, &cfg.align);
    let statements = group(found.clone(), &info, &cfg.align, cfg.boilerplate_docs);
    assert!(!matches.pairs.is_empty() && !found.is_empty() && !statements.is_empty());

    let mut g = c.benchmark_group("passages");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("tokenize+fingerprint", |b| {
        b.iter(|| {
            let w = words_of(black_box(&docs));
            let anchors: usize = w.iter().map(|d| anchors(d, cfg.anchor_words, cfg.window).len()).sum();
            assert!(anchors > 0 && w.len() == n);
        })
    });
    g.bench_function("match", |b| {
        b.iter(|| {
            let m = matching_pairs(black_box(&words), &groups, &sources, &ranks, &cfg, usize::MAX, None)
                .expect("in memory");
            assert_eq!(m.pairs.len(), matches.pairs.len());
        })
    });
    g.bench_function("align", |b| {
        b.iter(|| assert_eq!(align_pairs(black_box(&words), &matches.pairs, &cfg.align).len(), found.len()))
    });
    g.bench_function("group", |b| {
        b.iter_batched(
            || found.clone(),
            |found| {
                assert_eq!(group(black_box(found), &info, &cfg.align, cfg.boilerplate_docs).len(), statements.len())
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, passages);
criterion_main!(benches);
