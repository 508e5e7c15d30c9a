//! Corpora shared by the benchmarks: the seeds, and articles generated from
//! their sentences.

/// The five seed articles, in file-name order.
pub fn seeds() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
    let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
}

/// `articles` articles of `min..min + span` sentences drawn by a fixed
/// xorshift (started at `seed`) from all the seeds' sentences: articles differ
/// but share vocabulary and, often, whole sentences, as news does.
pub fn generated(articles: usize, min: usize, span: u64, seed: u64) -> Vec<String> {
    let sentences: Vec<String> = seeds()
        .iter()
        .flat_map(|t| {
            t.split(['.', '\n'])
                .map(str::trim)
                .filter(|s| s.split(' ').count() > 4)
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect();
    let mut state = seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..articles)
        .map(|_| {
            let n = min + (next() % span) as usize;
            (0..n)
                .map(|_| sentences[(next() % sentences.len() as u64) as usize].as_str())
                .collect::<Vec<_>>()
                .join(". ")
        })
        .collect()
}

/// The `text` fields of the first `limit` lines of the JSONL file at `path`.
#[allow(dead_code)] // Not every bench that includes this module uses it.
pub fn jsonl_texts(path: &str, limit: usize) -> Vec<String> {
    let data = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("SADA_BENCH_JSONL={path}: {e}"));
    data.lines()
        .take(limit)
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            v["text"].as_str().expect("a `text` string").to_string()
        })
        .collect()
}
