//! Shared helpers of the integration tests: a temporary directory per test,
//! running the built `sada`, and reading its JSON outputs.
#![allow(dead_code)]

pub mod parquet;

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

/// A temporary directory that lives as long as the test.
pub struct TestDir {
    dir: tempfile::TempDir,
}

impl TestDir {
    pub fn new(name: &str) -> TestDir {
        TestDir { dir: tempfile::Builder::new().prefix(&format!("sada-{name}-")).tempdir().unwrap() }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes `contents` to `rel`, creating parent directories.
    pub fn create(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// A `sada` command running in this directory.
    pub fn sada(&self) -> assert_cmd::Command {
        let mut cmd = cargo_bin_cmd!("sada");
        cmd.current_dir(self.path());
        cmd
    }

    /// Runs `sada scan --quiet --out out ARGS...` and expects success.
    pub fn scan(&self, args: &[&str]) -> Outputs {
        self.sada().args(["scan", "--quiet", "--out", "out"]).args(args).assert().success();
        Outputs::read(&self.join("out"))
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.join(rel)).unwrap()
    }
}

/// The decoded output files of a run.
pub struct Outputs {
    pub documents: Vec<Value>,
    pub clusters: Vec<Value>,
    pub statements: Vec<Value>,
    pub summary: Value,
}

impl Outputs {
    pub fn read(dir: &Path) -> Outputs {
        Outputs {
            documents: read_jsonl(&dir.join("documents.jsonl")),
            clusters: read_jsonl(&dir.join("clusters.jsonl")),
            statements: read_jsonl(&dir.join("statements.jsonl")),
            summary: serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap(),
        }
    }

    /// The documents.jsonl line of the document `id`.
    pub fn doc(&self, id: &str) -> &Value {
        self.documents.iter().find(|d| d["id"] == id).unwrap_or_else(|| panic!("no document {id}"))
    }

    /// The cluster number of the document `id`, if any.
    pub fn cluster_of(&self, id: &str) -> Option<u64> {
        self.doc(id).get("cluster").and_then(Value::as_u64)
    }
}

pub fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}: {l}", path.display())))
        .collect()
}

/// The seed articles, by file name.
pub fn seeds() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// The same text as another outlet would publish it after Arabic folding:
/// other hamza seats, ta marbuta as ha, harakat, tatweel, other quotes and
/// digits, NBSP. Identical once normalized.
pub fn orthographic_variant(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        match c {
            'أ' | 'إ' | 'آ' => out.push('ا'),
            'ة' if i % 2 == 0 => out.push('ه'),
            '“' | '”' => out.push(if c == '“' { '«' } else { '»' }),
            '0'..='9' => out.push(char::from_u32('٠' as u32 + (c as u32 - '0' as u32)).unwrap()),
            'ل' if i % 7 == 0 => out.push_str("لـ"),
            'م' if i % 5 == 0 => out.push_str("مَ"),
            ' ' if i % 11 == 0 => out.push('\u{00A0}'),
            _ => out.push(c),
        }
    }
    out
}

/// A reprint with about 5% of its words edited: the second paragraph's first
/// sentence dropped, a sentence added before the last paragraph, and a few
/// scattered words replaced.
pub fn edited_variant(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let n = words.len();
    let mut out: Vec<String> = Vec::with_capacity(n);
    let drop_from = n / 3;
    let drop_to = drop_from + n / 50; // ~2% of the words dropped
    for (i, w) in words.iter().enumerate() {
        if (drop_from..drop_to).contains(&i) {
            continue;
        }
        if i == 2 * n / 3 {
            // ~2% added
            out.extend(
                "وأشار مصدر مطلع في حديث خاص إلى أن المباحثات ستتواصل الأسبوع المقبل".split(' ').map(String::from),
            );
        }
        if i % 97 == 50 {
            out.push("تغيير".to_string()); // ~1% substituted
            continue;
        }
        out.push(w.to_string());
    }
    out.join(" ")
}

/// Round `round`'s version of a seed text: the text itself, an orthographic
/// variant, an edited reprint, or (every fourth round) a different article —
/// the seed's paragraphs rotated and cut, so documents overlap partially.
pub fn round_variant(round: usize, text: &str) -> String {
    match round % 4 {
        0 => text.to_string(),
        1 => orthographic_variant(text),
        2 => edited_variant(text),
        _ => {
            let paras: Vec<&str> = text.split("\n\n").collect();
            let r = round % paras.len().max(1);
            paras[r..].iter().chain(&paras[..r]).take(paras.len() / 2 + 1).copied().collect::<Vec<_>>().join("\n\n")
        }
    }
}

/// A corpus with exact and near duplicates spread over several files, so that
/// LSH buckets, exact groups and star clustering all have work to do.
pub fn mixed_corpus(dir: &TestDir) {
    let seeds = seeds();
    let mut lines = Vec::new();
    for round in 0..40 {
        for (k, (name, text)) in seeds.iter().enumerate() {
            let text = round_variant(round, text);
            lines.push(serde_json::json!({"id": format!("{round}-{k}-{name}"), "text": text, "source": format!("s{}", round % 7)}).to_string());
        }
    }
    dir.create("in/a.jsonl", lines[..lines.len() / 2].join("\n"));
    dir.create("in/b.jsonl", lines[lines.len() / 2..].join("\n") + "\nnot json\n");
    for (name, text) in &seeds {
        dir.create(&format!("in/txt/{name}"), text);
    }
}

/// The output files of the run in `dir/out` that must not depend on how
/// the run was made (threads, memory limit, processes): documents, clusters
/// and statements as written, report.html without its `<!--run-->` part,
/// summary.json without `run`.
pub fn comparable_outputs(dir: &TestDir, out: &str) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for f in ["documents.jsonl", "clusters.jsonl", "statements.jsonl"] {
        files.push((f.to_string(), std::fs::read(dir.join(&format!("{out}/{f}"))).unwrap()));
    }
    // The report's run-specific part (timings, threads) sits between
    // `<!--run-->` and `<!--/run-->`; everything else must be identical.
    let html = dir.read(&format!("{out}/report.html"));
    let stripped = match (html.find("<!--run-->"), html.find("<!--/run-->")) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &html[..a], &html[b..]),
        _ => html,
    };
    files.push(("report.html".into(), stripped.into_bytes()));
    let mut summary: Value = serde_json::from_str(&dir.read(&format!("{out}/summary.json"))).unwrap();
    summary.as_object_mut().unwrap().remove("run");
    files.push(("summary.json".into(), summary.to_string().into_bytes()));
    files
}

/// SplitMix64: a small seeded generator, so generated corpora and inputs are
/// reproducible.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (the modulo bias is below 2⁻⁵⁰ for the `n` of the
    /// tests).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

/// One WARC record, with a correct Content-Length.
pub fn record(kind: &str, id: &str, uri: &str, extra: &str, block: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{id}>\r\n\
         WARC-Date: 2021-03-0{}T10:00:00Z\r\nWARC-Target-URI: {uri}\r\n{extra}Content-Length: {}\r\n\r\n",
        id.len() % 9 + 1,
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

/// A `response` record of an HTTP 200 with these header lines and body.
pub fn response(id: &str, uri: &str, http_headers: &str, body: &[u8]) -> Vec<u8> {
    let mut block = format!("HTTP/1.1 200 OK\r\n{http_headers}Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    block.extend_from_slice(body);
    record("response", id, uri, "Content-Type: application/http; msgtype=response\r\n", &block)
}
