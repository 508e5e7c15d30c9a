//! The same input gives byte-identical outputs whatever the thread count
//! (sada's version of ripgrep's SearcherTester: one expectation, every code
//! path).

mod util;

use util::{TestDir, comparable_outputs, mixed_corpus as corpus};

fn outputs(dir: &TestDir, threads: &str, extra: &[&str]) -> Vec<(String, Vec<u8>)> {
    let out = format!("out-{threads}-{}", extra.join("").replace(['-', '/'], ""));
    dir.sada().args(["scan", "--quiet", "--threads", threads, "--out", &out, "in"]).args(extra).assert().success();
    comparable_outputs(dir, &out)
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

/// A memory limit far below the corpus spills word hashes, signatures,
/// sorted LSH runs and what group works through (passage sides, candidates)
/// to disk, and changes nothing in the outputs; the spill files are gone
/// after the run.
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
    for what in ["words", "signatures", "sorted", "statements"] {
        assert!(spill[what].as_u64().unwrap() > 0, "{what} should have spilled: {summary}");
    }
    let base: serde_json::Value = serde_json::from_str(&dir.read("out-2-/summary.json")).unwrap();
    for what in ["words", "statements"] {
        assert_eq!(base["run"]["spilled"][what], 0, "the default limit keeps this corpus's {what} in memory");
    }
    let left: Vec<_> = std::fs::read_dir(dir.join("spill")).unwrap().collect();
    assert!(left.is_empty(), "spill files are removed: {left:?}");
}

/// Word hashes over their 40% share spill during analyze and come back into
/// memory for the statement stages when they fit in 60% (the signatures'
/// share is free by then): the outputs are those of a run that never spilled.
#[test]
fn words_that_spill_and_come_back_change_nothing() {
    let dir = TestDir::new("load-back");
    corpus(&dir);
    let in_memory = outputs(&dir, "2", &[]);
    let base: serde_json::Value = serde_json::from_str(&dir.read("out-2-/summary.json")).unwrap();
    let words = 4 * base["tokens"].as_u64().unwrap();
    // Words at half the limit: over the 40% share, within 60%.
    let limit = (2 * words).to_string();
    let args = ["--memory-limit", &limit, "--spill-dir", "spill"];
    let back = outputs(&dir, "2", &args);
    for ((name, a), (_, b)) in in_memory.iter().zip(&back) {
        assert!(a == b, "{name} differs when the words spill and come back");
    }
    let out = format!("out-2-{}", args.join("").replace(['-', '/'], ""));
    let summary: serde_json::Value = serde_json::from_str(&dir.read(&format!("{out}/summary.json"))).unwrap();
    assert!(summary["run"]["spilled"]["words"].as_u64().unwrap() > 0, "the words should have spilled: {summary}");
}
