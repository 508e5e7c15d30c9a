//! Criterion benchmarks, one group per stage, on the seed corpus replicated.
//! Each benchmark checks its own result so a faster-but-wrong change fails
//! instead of looking faster. Run: `cargo bench --bench stages`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sada::normalize::Analyzer;
use sada::shingle::word_shingles;
use sada::sign::MinHasher;

/// The five seeds, repeated to about 1 MB.
fn corpus() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
    let mut seeds: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    seeds.sort();
    let texts: Vec<String> = seeds.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    texts.iter().cycle().take(5 * 45).cloned().collect()
}

fn stages(c: &mut Criterion) {
    let docs = corpus();
    let bytes: usize = docs.iter().map(String::len).sum();
    let mut analyzer = Analyzer::new();
    let expected_tokens: usize = docs.iter().map(|d| analyzer.tokens(d).len()).sum();
    let hasher = MinHasher::new(128, 1);

    let mut g = c.benchmark_group("stages");
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
    g.bench_function("normalize+shingle+minhash128", |b| {
        let mut tokens = Vec::new();
        let mut shingles = Vec::new();
        b.iter(|| {
            let mut signed = 0;
            for d in &docs {
                tokens.clear();
                shingles.clear();
                analyzer.tokens_into(black_box(d), &mut tokens);
                word_shingles(&tokens, 5, &mut shingles);
                signed += hasher.sign(&shingles).is_some() as usize;
            }
            assert_eq!(signed, docs.len());
        })
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
