//! Criterion benchmarks of the per-document stages: normalize, shingle and
//! sign separately and together, in bytes of text per second, on the seeds
//! replicated and on a generated corpus. Each benchmark checks its own result,
//! so a faster-but-wrong change fails instead of looking faster.
//!
//! Run: `cargo bench --bench shingle`; `SADA_BENCH_JSONL=FILE` adds the texts of
//! a JSONL file as a third corpus, `file`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sada::model::Token;
use sada::normalize::Analyzer;
use sada::shingle::word_shingles;
use sada::sign::{MinHasher, OnePermHasher};

mod common;
use common::seeds;

fn corpora() -> Vec<(&'static str, Vec<String>)> {
    let seeds = seeds();
    let replicated: Vec<String> = seeds.iter().cycle().take(5 * 45).cloned().collect();
    let mut corpora =
        vec![("seeds×45", replicated), ("generated", common::generated(300, 12, 29, 0x9E37_79B9_7F4A_7C15))];
    // A corpus of one's own, e.g. scripts/bench/bench-peers.sh's
    // target/bench/arabic-n4000-s7/corpus.jsonl: the `text` of its first 1,000 lines.
    if let Ok(path) = std::env::var("SADA_BENCH_JSONL") {
        corpora.push(("file", common::jsonl_texts(&path, 1000)));
    }
    corpora
}

fn tokenize_all(analyzer: &mut Analyzer, docs: &[String], tokens: &mut Vec<Vec<Token>>) {
    tokens.clear();
    for d in docs {
        tokens.push(analyzer.tokens(d));
    }
}

fn stages(c: &mut Criterion) {
    for (name, docs) in corpora() {
        let bytes: usize = docs.iter().map(String::len).sum();
        let mut analyzer = Analyzer::new();
        let mut all_tokens = Vec::new();
        tokenize_all(&mut analyzer, &docs, &mut all_tokens);
        let expected_tokens: usize = all_tokens.iter().map(Vec::len).sum();
        let expected_shingles: usize = all_tokens.iter().map(|t| t.len().saturating_sub(4).max(1)).sum();
        let mut all_shingles: Vec<Vec<u64>> = Vec::new();
        for t in &all_tokens {
            let mut s = Vec::new();
            word_shingles(t, 5, &mut s);
            all_shingles.push(s);
        }
        let classic = MinHasher::new(128, 1);
        let oph = OnePermHasher::new(128, 1);

        let mut g = c.benchmark_group(format!("stages/{name}"));
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function("normalize", |b| {
            let mut tokens = Vec::new();
            b.iter(|| {
                let mut n = 0;
                for d in &docs {
                    tokens.clear();
                    analyzer.tokens_into(black_box(d), &mut tokens);
                    n += tokens.len();
                }
                assert_eq!(n, expected_tokens);
            })
        });
        g.bench_function("shingle", |b| {
            let mut out = Vec::new();
            b.iter(|| {
                let mut n = 0;
                for t in &all_tokens {
                    out.clear();
                    word_shingles(black_box(t), 5, &mut out);
                    n += out.len();
                }
                assert_eq!(n, expected_shingles);
            })
        });
        for (label, sign) in [
            ("sign/classic128", &(|s: &[u64]| classic.sign(s).is_some()) as &dyn Fn(&[u64]) -> bool),
            ("sign/oph128", &|s: &[u64]| oph.sign(s).is_some()),
        ] {
            g.bench_function(label, |b| {
                b.iter(|| {
                    let signed = all_shingles.iter().filter(|s| sign(black_box(s))).count();
                    assert_eq!(signed, docs.len());
                })
            });
        }
        for (label, method) in [("classic128", 0), ("oph128", 1)] {
            g.bench_with_input(BenchmarkId::new("all", label), &method, |b, &method| {
                let mut tokens = Vec::new();
                let mut shingles = Vec::new();
                b.iter(|| {
                    let mut signed = 0;
                    for d in &docs {
                        tokens.clear();
                        shingles.clear();
                        analyzer.tokens_into(black_box(d), &mut tokens);
                        word_shingles(&tokens, 5, &mut shingles);
                        signed +=
                            if method == 0 { classic.sign(&shingles).is_some() } else { oph.sign(&shingles).is_some() }
                                as usize;
                    }
                    assert_eq!(signed, docs.len());
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
