//! The same input gives byte-identical outputs whatever the thread count
//! (sada's version of ripgrep's SearcherTester: one expectation, every code
//! path).

mod util;

use util::{TestDir, edited_variant, orthographic_variant, seeds};

/// A corpus with exact and near duplicates spread over several files, so that
/// LSH buckets, exact groups and star clustering all have work to do.
fn corpus(dir: &TestDir) {
    let seeds = seeds();
    let mut lines = Vec::new();
    for round in 0..40 {
        for (k, (name, text)) in seeds.iter().enumerate() {
            let text = match round % 4 {
                0 => text.clone(),
                1 => orthographic_variant(text),
                2 => edited_variant(text),
                // A different article each round: the seed's paragraphs rotated
                // and cut, so documents overlap partially.
                _ => {
                    let paras: Vec<&str> = text.split("\n\n").collect();
                    let r = round % paras.len().max(1);
                    paras[r..]
                        .iter()
                        .chain(&paras[..r])
                        .take(paras.len() / 2 + 1)
                        .copied()
                        .collect::<Vec<_>>()
                        .join("\n\n")
                }
            };
            lines.push(serde_json::json!({"id": format!("{round}-{k}-{name}"), "text": text, "source": format!("s{}", round % 7)}).to_string());
        }
    }
    dir.create("in/a.jsonl", lines[..lines.len() / 2].join("\n"));
    dir.create("in/b.jsonl", lines[lines.len() / 2..].join("\n") + "\nnot json\n");
    for (name, text) in &seeds {
        dir.create(&format!("in/txt/{name}"), text);
    }
}

fn outputs(dir: &TestDir, threads: &str, extra: &[&str]) -> Vec<(String, Vec<u8>)> {
    let out = format!("out-{threads}-{}", extra.join("").replace(['-', '/'], ""));
    dir.sada().args(["scan", "--quiet", "--threads", threads, "--out", &out, "in"]).args(extra).assert().success();
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
    let mut summary: serde_json::Value = serde_json::from_str(&dir.read(&format!("{out}/summary.json"))).unwrap();
    summary.as_object_mut().unwrap().remove("run");
    files.push(("summary.json".into(), summary.to_string().into_bytes()));
    files
}

fn assert_same_for_all_thread_counts(extra: &[&str]) {
    let dir = TestDir::new("determinism");
    corpus(&dir);
    let one = outputs(&dir, "1", extra);
    let clusters = String::from_utf8(one[1].1.clone()).unwrap();
    assert!(clusters.lines().count() >= 5, "the corpus should make clusters: {clusters}");
    for threads in ["2", "4"] {
        for ((name, a), (_, b)) in one.iter().zip(outputs(&dir, threads, extra)) {
            assert!(*a == b, "{name} differs between --threads 1 and --threads {threads}");
        }
    }
}

#[test]
fn outputs_do_not_depend_on_thread_count() {
    assert_same_for_all_thread_counts(&[]);
}

#[test]
fn simhash_outputs_do_not_depend_on_thread_count() {
    assert_same_for_all_thread_counts(&["--method", "simhash"]);
}

/// A memory limit far below the corpus spills word hashes, signatures and
/// sorted LSH runs to disk, and changes nothing in the outputs; the spill
/// files are gone after the run.
#[test]
fn outputs_do_not_depend_on_the_memory_limit() {
    let dir = TestDir::new("spill");
    corpus(&dir);
    let in_memory = outputs(&dir, "2", &[]);
    let spilled_args = ["--memory-limit", "2K", "--spill-dir", "spill"];
    let spilled = outputs(&dir, "2", &spilled_args);
    assert!(!in_memory[2].1.is_empty(), "the corpus should have statements");
    for ((name, a), (_, b)) in in_memory.iter().zip(&spilled) {
        assert!(a == b, "{name} differs with --memory-limit 2K");
    }
    let out = format!("out-2-{}", spilled_args.join("").replace(['-', '/'], ""));
    let summary: serde_json::Value = serde_json::from_str(&dir.read(&format!("{out}/summary.json"))).unwrap();
    let spill = &summary["run"]["spilled"];
    for what in ["words", "signatures", "sorted"] {
        assert!(spill[what].as_u64().unwrap() > 0, "{what} should have spilled: {summary}");
    }
    let base: serde_json::Value = serde_json::from_str(&dir.read("out-2-/summary.json")).unwrap();
    assert_eq!(base["run"]["spilled"]["words"], 0, "the default limit keeps this corpus in memory");
    let left: Vec<_> = std::fs::read_dir(dir.join("spill")).unwrap().collect();
    assert!(left.is_empty(), "spill files are removed: {left:?}");
}
