//! `sada index` and `sada scan --against` (docs/output-contract.md,
//! "Archive"): an archive answers as a full scan of the archived records and
//! today's together would, restricted to what involves today; it survives
//! being killed while written; damaged and foreign files are named.

mod util;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use util::{Rng, TestDir, read_jsonl, round_variant, seeds};

/// 180 JSONL records with exact and near duplicates, partial overlaps
/// (statements) and dates, in three "days" of 60: every day has copies and
/// quotes of the others' articles.
fn days() -> [Vec<String>; 3] {
    let seeds = seeds();
    let mut lines = Vec::new();
    for round in 0..36 {
        for (k, (name, text)) in seeds.iter().enumerate() {
            let text = round_variant(round, text);
            let mut rec =
                json!({"id": format!("{round}-{k}-{name}"), "text": text, "source": format!("s{}", round % 7)});
            if round % 3 != 1 {
                rec["date"] = json!(format!("2024-{:02}-{:02}", 1 + round % 12, 1 + (round * 7 + k) % 28));
            }
            lines.push(rec.to_string());
        }
    }
    // Each day gets every third round, so that all three days share articles.
    let mut days: [Vec<String>; 3] = Default::default();
    for (i, l) in lines.into_iter().enumerate() {
        days[(i / 5) % 3].push(l);
    }
    days
}

fn write_days(dir: &TestDir) -> [Vec<String>; 3] {
    let days = days();
    for (i, d) in days.iter().enumerate() {
        dir.create(&format!("day{i}.jsonl"), d.join("\n") + "\n");
    }
    days
}

/// The outputs of a full scan in `dir/out`, cut as `scan --against` of an
/// archive holding its first `archived` documents would write them: only
/// the clusters and statements that involve a later document, renumbered;
/// archived members and occurrences flagged, with their record number in
/// the archive; later documents' numbers counted from the first of them.
fn restricted(dir: &TestDir, out: &str, archived: u64) -> [Vec<Value>; 3] {
    let documents = read_jsonl(&dir.join(&format!("{out}/documents.jsonl")));
    let archived_ids: BTreeSet<String> =
        documents[..archived as usize].iter().map(|d| d["id"].as_str().unwrap().to_string()).collect();
    let involves_new = |list: &Value| list.as_array().unwrap().iter().any(|m| m["index"].as_u64().unwrap() >= archived);
    let relist = |list: &mut Value| {
        for m in list.as_array_mut().unwrap() {
            let i = m["index"].as_u64().unwrap();
            if i < archived {
                m["archived"] = json!(true);
            } else {
                m["index"] = json!(i - archived);
            }
        }
    };
    let mut renumber = BTreeMap::new();
    let mut clusters = Vec::new();
    for mut c in read_jsonl(&dir.join(&format!("{out}/clusters.jsonl"))) {
        if involves_new(&c["members"]) {
            renumber.insert(c["cluster"].as_u64().unwrap(), clusters.len() as u64);
            c["cluster"] = json!(clusters.len());
            relist(&mut c["members"]);
            clusters.push(c);
        }
    }
    let mut statements = Vec::new();
    for mut s in read_jsonl(&dir.join(&format!("{out}/statements.jsonl"))) {
        if involves_new(&s["occurrences"]) {
            s["statement"] = json!(statements.len());
            relist(&mut s["occurrences"]);
            if let Some(origin) = s.get_mut("origin")
                && archived_ids.contains(origin["doc"].as_str().unwrap())
            {
                origin["archived"] = json!(true);
            }
            statements.push(s);
        }
    }
    let documents = documents[archived as usize..]
        .iter()
        .cloned()
        .map(|mut d| {
            if let Some(c) = d.get("cluster").and_then(Value::as_u64) {
                d["cluster"] = json!(renumber[&c]);
            }
            d
        })
        .collect();
    [documents, clusters, statements]
}

/// Runs `cmd`, expecting exit `code` and every one of `needles` on stderr.
fn refused(cmd: &mut assert_cmd::Command, code: i32, needles: &[&str]) {
    let out = cmd.assert().code(code).get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    for n in needles {
        assert!(stderr.contains(n), "stderr {stderr:?} lacks {n:?}");
    }
}

fn outputs(dir: &TestDir, out: &str) -> [Vec<Value>; 3] {
    ["documents", "clusters", "statements"].map(|f| read_jsonl(&dir.join(&format!("{out}/{f}.jsonl"))))
}

fn info(dir: &TestDir, archive: &str) -> Value {
    let out = dir.sada().args(["index", "info", "--json", archive]).assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

fn documents_in(manifest: &Value) -> u64 {
    manifest["segments"].as_array().unwrap().iter().map(|s| s["documents"].as_u64().unwrap()).sum()
}

fn assert_same(got: &[Vec<Value>; 3], want: &[Vec<Value>; 3], what: &str) {
    for (k, name) in ["documents", "clusters", "statements"].iter().enumerate() {
        assert_eq!(got[k].len(), want[k].len(), "{what}: {name}: line count");
        for (g, w) in got[k].iter().zip(&want[k]) {
            assert_eq!(g, w, "{what}: {name}");
        }
    }
}

#[test]
fn against_an_archive_reports_what_a_full_scan_reports_about_today() {
    let dir = TestDir::new("against");
    let days = write_days(&dir);
    dir.sada().args(["scan", "-q", "--out", "full", "day0.jsonl", "day1.jsonl", "day2.jsonl"]).assert().success();
    let archived = (days[0].len() + days[1].len()) as u64;
    let want = restricted(&dir, "full", archived);
    assert!(!want[1].is_empty() && !want[2].is_empty(), "the corpus must give clusters and statements to compare");
    assert!(
        want[1].iter().any(|c| c["members"].as_array().unwrap().iter().any(|m| m.get("archived").is_some())),
        "some cluster must join today with the archive"
    );

    // One segment holding both earlier days.
    dir.sada().args(["index", "create", "-q", "one", "day0.jsonl", "day1.jsonl"]).assert().success();
    assert_eq!(documents_in(&info(&dir, "one")), archived);
    dir.sada().args(["scan", "-q", "--out", "o1", "--against", "one", "day2.jsonl"]).assert().success();
    assert_same(&outputs(&dir, "o1"), &want, "one segment");

    // Two segments, then compacted into one.
    dir.sada().args(["index", "create", "-q", "two", "day0.jsonl"]).assert().success();
    dir.sada().args(["index", "add", "-q", "two", "day1.jsonl"]).assert().success();
    assert_eq!(info(&dir, "two")["segments"].as_array().unwrap().len(), 2);
    dir.sada().args(["scan", "-q", "--out", "o2", "--against", "two", "day2.jsonl"]).assert().success();
    assert_same(&outputs(&dir, "o2"), &want, "two segments");
    dir.sada().args(["index", "compact", "-q", "two"]).assert().success();
    let compacted = info(&dir, "two");
    assert_eq!(compacted["segments"].as_array().unwrap().len(), 1);
    assert_eq!(documents_in(&compacted), archived);
    dir.sada().args(["scan", "-q", "--out", "o3", "--against", "two", "day2.jsonl"]).assert().success();
    assert_same(&outputs(&dir, "o3"), &want, "compacted");
    let names: BTreeSet<String> =
        std::fs::read_dir(dir.join("two")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    assert_eq!(
        names.len(),
        10,
        "manifest, lock, one segment, its analyses, postings and words, the pairs and the statement state (docs, \
         links, order) after compaction: {names:?}"
    );

    assert!(
        dir.read("o3/report.html").contains("<span class=\"badge\">archived</span>"),
        "the page marks archived documents"
    );
    let summary: Value = serde_json::from_str(&dir.read("o3/summary.json")).unwrap();
    for out in ["o1", "o2", "o3"] {
        let summary: Value = serde_json::from_str(&dir.read(&format!("{out}/summary.json"))).unwrap();
        assert_eq!(summary["archive"]["analyses"], json!("stored"), "{out}: statements from the stored state");
    }
    assert_eq!(summary["documents"], json!(days[2].len()));
    assert_eq!(summary["archive"]["documents"], json!(archived));
    assert_eq!(summary["archive"]["added"], json!(false));

    // Another split: one day archived, two days (two files) new.
    dir.sada().args(["index", "create", "-q", "first", "day0.jsonl"]).assert().success();
    dir.sada().args(["scan", "-q", "--out", "o4", "--against", "first", "day1.jsonl", "day2.jsonl"]).assert().success();
    assert_same(&outputs(&dir, "o4"), &restricted(&dir, "full", days[0].len() as u64), "one day against two");
}

/// The statement state `index add` brings up to date from a day is the one
/// a rebuild from every segment makes: the same groups and sources, the same
/// leader order, and links that hold at least the rebuild's (more only
/// widens what a later day reads).
#[test]
fn the_state_an_add_brings_up_to_date_is_a_rebuilds() {
    let dir = TestDir::new("state");
    write_days(&dir);
    dir.sada().args(["index", "create", "-q", "whole", "day0.jsonl", "day1.jsonl", "day2.jsonl"]).assert().success();
    dir.sada().args(["index", "create", "-q", "daily", "day0.jsonl"]).assert().success();
    dir.sada().args(["index", "add", "-q", "daily", "day1.jsonl"]).assert().success();
    dir.sada().args(["index", "add", "-q", "daily", "day2.jsonl"]).assert().success();
    let file = |archive: &str, kind: &str| {
        let name = info(&dir, archive)["state"][kind]["file"].as_str().unwrap().to_string();
        std::fs::read(dir.join(&format!("{archive}/{name}"))).unwrap()
    };
    assert_eq!(file("daily", "docs"), file("whole", "docs"), "groups and sources");
    assert_eq!(file("daily", "order"), file("whole", "order"), "leader order");
    let pairs = |bytes: Vec<u8>| -> BTreeSet<Vec<u8>> { bytes[16..].chunks(8).map(<[u8]>::to_vec).collect() };
    let (daily, whole) = (pairs(file("daily", "links")), pairs(file("whole", "links")));
    assert!(!whole.is_empty() && whole.is_subset(&daily), "every linked pair of the rebuild");
}

/// An archive most of whose records have nothing to do with the day: the
/// day reads back only the records its statements can reach, numbered
/// apart from the archive's, and reports what a full scan reports.
#[test]
fn a_day_against_a_larger_archive_reports_what_a_full_scan_reports() {
    let dir = TestDir::new("against-larger");
    let days = days();
    let mut rng = Rng(21);
    let vocabulary: Vec<String> = (0..3000).map(|i| format!("w{i}x{}", rng.below(1000))).collect();
    let filler: Vec<String> = (0..400)
        .map(|i| {
            let text: Vec<&str> = (0..120).map(|_| vocabulary[rng.below(vocabulary.len())].as_str()).collect();
            json!({"id": format!("filler-{i}"), "text": text.join(" "), "source": format!("f{}", i % 11)}).to_string()
        })
        .collect();
    // Filler before and between the days' records.
    let archive: Vec<String> =
        filler[..200].iter().chain(&days[0]).chain(&filler[200..]).chain(&days[1]).cloned().collect();
    dir.create("archive.jsonl", archive.join("\n") + "\n");
    dir.create("today.jsonl", days[2].join("\n") + "\n");
    dir.sada().args(["scan", "-q", "--out", "full", "archive.jsonl", "today.jsonl"]).assert().success();
    let want = restricted(&dir, "full", archive.len() as u64);
    assert!(!want[2].is_empty(), "statements to compare");
    dir.sada().args(["index", "create", "-q", "arc", "archive.jsonl"]).assert().success();
    dir.sada().args(["scan", "-q", "--out", "day", "--against", "arc", "today.jsonl"]).assert().success();
    assert_same(&outputs(&dir, "day"), &want, "a larger archive");
    let summary: Value = serde_json::from_str(&dir.read("day/summary.json")).unwrap();
    assert_eq!(summary["archive"]["analyses"], json!("stored"));
}

/// A day whose statements reach far into the archive (here a paragraph every
/// record shares) reads the texts instead and says why; a day read from
/// standard input is still whole then (the stored path read it first); and
/// both answer as a full scan does.
#[test]
fn a_day_that_reaches_far_reads_the_texts_even_from_standard_input() {
    let dir = TestDir::new("against-far");
    let mut rng = Rng(5);
    let shared = seeds()[1].1.split_whitespace().take(40).collect::<Vec<_>>().join(" ");
    let record = |id: String, rng: &mut Rng| {
        let own: Vec<String> = (0..60).map(|_| format!("w{}", rng.below(100_000))).collect();
        json!({"id": id, "text": format!("{} {shared} {}", own[..30].join(" "), own[30..].join(" ")),
               "source": format!("s{}", rng.below(50))})
        .to_string()
    };
    let archive: Vec<String> = (0..400).map(|i| record(format!("a{i:03}"), &mut rng)).collect();
    let today: Vec<String> = (0..10).map(|i| record(format!("t{i:03}"), &mut rng)).collect();
    dir.create("archive.jsonl", archive.join("\n") + "\n");
    dir.create("today.jsonl", today.join("\n") + "\n");
    dir.sada().args(["scan", "-q", "--out", "full", "archive.jsonl", "today.jsonl"]).assert().success();
    let want = restricted(&dir, "full", archive.len() as u64);
    assert!(!want[2].is_empty(), "the shared paragraph is a statement with today");
    dir.sada().args(["index", "create", "-q", "arc", "archive.jsonl"]).assert().success();
    let run = dir.sada().args(["scan", "--out", "day", "--against", "arc", "today.jsonl"]).assert().success();
    let said = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(said.contains("read the archive's texts") && said.contains("statements reach"), "{said}");
    assert_same(&outputs(&dir, "day"), &want, "reaching far");
    let summary: Value = serde_json::from_str(&dir.read("day/summary.json")).unwrap();
    assert_eq!(summary["archive"]["analyses"], json!("texts"));
    dir.sada()
        .args(["scan", "-q", "--out", "piped", "--against", "arc", "-"])
        .write_stdin(today.join("\n") + "\n")
        .assert()
        .success();
    let (piped, day) = (outputs(&dir, "piped"), outputs(&dir, "day"));
    for k in 1..3 {
        assert_eq!(piped[k], day[k], "standard input gives the file's clusters and statements");
    }
    assert_eq!(piped[0].len(), today.len(), "every record of standard input");
}

/// An archive without records (its inputs had no text) has no statement
/// state: a day against it is a scan of the day, statements and all.
#[test]
fn a_day_against_an_archive_without_records_is_a_scan_of_the_day() {
    let dir = TestDir::new("against-empty");
    let days = write_days(&dir);
    dir.create("none.jsonl", "not json\n");
    dir.sada().args(["index", "create", "-q", "arc", "none.jsonl"]).assert().success();
    assert_eq!(documents_in(&info(&dir, "arc")), 0);
    dir.sada().args(["scan", "-q", "--out", "full", "day2.jsonl"]).assert().success();
    dir.sada().args(["scan", "-q", "--out", "day", "--against", "arc", "day2.jsonl"]).assert().success();
    let want = restricted(&dir, "full", 0);
    assert!(!want[2].is_empty(), "the day's statements among themselves");
    assert_same(&outputs(&dir, "day"), &want, "an empty archive");
    assert_eq!(days[2].len(), outputs(&dir, "day")[0].len());
}

/// Document clusters alone (`--no-statements`) come from the stored
/// analyses, not the archive's texts, and are a full scan's: with one
/// segment, two, after compaction and after `--add`; with other parameters
/// the texts are read and the answer is still a full scan's.
#[test]
fn clusters_from_the_stored_analyses_are_those_of_a_full_scan() {
    let dir = TestDir::new("against-stored");
    let days = write_days(&dir);
    let stored = |out: &str| -> Value {
        let summary: Value = serde_json::from_str(&dir.read(&format!("{out}/summary.json"))).unwrap();
        summary["archive"]["analyses"].clone()
    };
    let ns = "--no-statements";
    dir.sada().args(["scan", "-q", ns, "--out", "full", "day0.jsonl", "day1.jsonl", "day2.jsonl"]).assert().success();
    let archived = (days[0].len() + days[1].len()) as u64;
    let want = restricted(&dir, "full", archived);
    assert!(
        want[1].iter().any(|c| c["members"].as_array().unwrap().iter().any(|m| m.get("archived").is_some())),
        "some cluster must join today with the archive"
    );

    dir.sada().args(["index", "create", "-q", "one", "day0.jsonl", "day1.jsonl"]).assert().success();
    dir.sada().args(["scan", "-q", ns, "--out", "o1", "--against", "one", "day2.jsonl"]).assert().success();
    assert_eq!(stored("o1"), json!("stored"));
    assert_same(&outputs(&dir, "o1"), &want, "one segment");
    assert!(dir.read("o1/report.html").contains("<span class=\"badge\">archived</span>"));

    dir.sada().args(["index", "create", "-q", "two", "day0.jsonl"]).assert().success();
    dir.sada().args(["scan", "-q", ns, "--out", "o2", "--against", "two", "--add", "day1.jsonl"]).assert().success();
    dir.sada().args(["scan", "-q", ns, "--out", "full01", "day0.jsonl", "day1.jsonl"]).assert().success();
    assert_same(&outputs(&dir, "o2"), &restricted(&dir, "full01", days[0].len() as u64), "a day against one");
    dir.sada().args(["scan", "-q", ns, "--out", "o3", "--against", "two", "day2.jsonl"]).assert().success();
    assert_same(&outputs(&dir, "o3"), &want, "two segments, the second by --add");
    dir.sada().args(["index", "compact", "-q", "two"]).assert().success();
    dir.sada().args(["scan", "-q", ns, "--out", "o4", "--against", "two", "day2.jsonl"]).assert().success();
    assert_same(&outputs(&dir, "o4"), &want, "compacted");
    assert_eq!(stored("o4"), json!("stored"));
    // Whatever the threads and the memory limit, the same bytes.
    dir.sada()
        .args(["scan", "-q", ns, "--threads", "1", "--memory-limit", "64K", "--out", "o6", "--against", "two"])
        .arg("day2.jsonl")
        .assert()
        .success();
    for f in ["documents.jsonl", "clusters.jsonl"] {
        assert_eq!(dir.read(&format!("o6/{f}")), dir.read(&format!("o4/{f}")), "{f}");
    }

    // Other parameters: the texts, said on stderr, and still a full scan's answer.
    dir.sada()
        .args(["scan", "-q", ns, "--threshold", "0.8", "--out", "full8", "day0.jsonl", "day1.jsonl", "day2.jsonl"])
        .assert()
        .success();
    let out = dir
        .sada()
        .args(["scan", ns, "--threshold", "0.8", "--out", "o5", "--against", "two", "day2.jsonl"])
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("--threshold (the archive's 0.6, this run's 0.8)"));
    assert_eq!(stored("o5"), json!("texts"));
    assert_same(&outputs(&dir, "o5"), &restricted(&dir, "full8", archived), "other parameters");
}

/// Stored analyses made with other signatures — SimHash, character
/// shingles (clustered on the estimate, not exact word Jaccard), classic
/// MinHash with explicit banding — answer as a full scan with the same
/// options does.
#[test]
fn stored_analyses_hold_for_the_parameters_they_were_made_with() {
    let dir = TestDir::new("against-params");
    let days = write_days(&dir);
    let archived = (days[0].len() + days[1].len()) as u64;
    // With statements, the statement options too.
    for (k, (params, statements)) in [
        (&["--method", "simhash", "--threshold", "0.7"][..], false),
        (&["--shingle", "char", "--ngram", "7"][..], false),
        (&["--method", "minhash", "--num-perm", "64", "--bands", "16", "--rows", "4"][..], false),
        (&["--max-df", "6", "--min-words", "10", "--boilerplate-docs", "3"][..], true),
    ]
    .into_iter()
    .enumerate()
    {
        let (arc, full, out) = (format!("arc{k}"), format!("full{k}"), format!("o{k}"));
        let ns: &[&str] = if statements { &[] } else { &["--no-statements"] };
        dir.sada()
            .args(["index", "create", "-q", &arc])
            .args(params)
            .args(["day0.jsonl", "day1.jsonl"])
            .assert()
            .success();
        dir.sada()
            .args(["scan", "-q", "--out", &full])
            .args(ns)
            .args(params)
            .args(["day0.jsonl", "day1.jsonl", "day2.jsonl"])
            .assert()
            .success();
        dir.sada()
            .args(["scan", "-q", "--out", &out, "--against", &arc])
            .args(ns)
            .args(params)
            .arg("day2.jsonl")
            .assert()
            .success();
        let summary: Value = serde_json::from_str(&dir.read(&format!("{out}/summary.json"))).unwrap();
        assert_eq!(summary["archive"]["analyses"], json!("stored"), "{params:?}");
        let want = restricted(&dir, &full, archived);
        assert!(!want[1].is_empty(), "{params:?}: the corpus must give clusters");
        assert!(!statements || !want[2].is_empty(), "{params:?}: the corpus must give statements");
        assert_same(&outputs(&dir, &out), &want, &format!("{params:?}"));
    }
    // Statement options other than the archive's: the texts, said why.
    let run = dir.sada().args(["scan", "--out", "other", "--against", "arc3", "day2.jsonl"]).assert().success();
    let said = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(said.contains("--min-words (the archive's 10, this run's 8)"), "{said}");
    let summary: Value = serde_json::from_str(&dir.read("other/summary.json")).unwrap();
    assert_eq!(summary["archive"]["analyses"], json!("texts"));
}

/// A segment is `sada extract`'s lines of the records that have a text, byte
/// for byte, in frames that read back as one stream.
#[test]
fn a_segment_holds_the_lines_sada_extract_writes() {
    let dir = TestDir::new("segment-lines");
    write_days(&dir);
    dir.create("bad.jsonl", "{\"id\": \"x\"}\nnot json\n{\"id\": \"e\", \"text\": \"!!!\"}\n");
    dir.sada().args(["index", "create", "-q", "arc", "day0.jsonl", "bad.jsonl", "day1.jsonl"]).assert().success();
    let manifest = info(&dir, "arc");
    let file = manifest["segments"][0]["file"].as_str().unwrap().to_string();
    let bytes = std::fs::read(dir.join(&format!("arc/{file}"))).unwrap();
    let stored = zstd::stream::decode_all(&bytes[..]).unwrap();
    let out = dir.sada().args(["extract", "day0.jsonl", "bad.jsonl", "day1.jsonl"]).assert().success();
    let want: String = String::from_utf8_lossy(&out.get_output().stdout)
        .lines()
        .filter(|l| !l.contains("\"status\":\"error\""))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(want.contains("\"status\":\"empty\""), "the empty record is archived");
    assert_eq!(String::from_utf8(stored).unwrap(), want);
}

#[test]
fn add_appends_today_after_the_outputs_and_the_next_day_sees_it() {
    let dir = TestDir::new("against-add");
    let days = write_days(&dir);
    dir.sada().args(["index", "create", "-q", "arc", "day0.jsonl"]).assert().success();
    dir.sada().args(["scan", "-q", "--out", "o1", "--against", "arc", "--add", "day1.jsonl"]).assert().success();
    let summary: Value = serde_json::from_str(&dir.read("o1/summary.json")).unwrap();
    assert_eq!(summary["archive"]["added"], json!(true));
    assert_eq!(summary["archive"]["documents"], json!(days[0].len()), "the archive as scanned, before the add");
    assert_eq!(documents_in(&info(&dir, "arc")), (days[0].len() + days[1].len()) as u64);
    // The next day against the grown archive = a full scan of all three.
    dir.sada().args(["scan", "-q", "--out", "o2", "--against", "arc", "day2.jsonl"]).assert().success();
    dir.sada().args(["scan", "-q", "--out", "full", "day0.jsonl", "day1.jsonl", "day2.jsonl"]).assert().success();
    let want = restricted(&dir, "full", (days[0].len() + days[1].len()) as u64);
    assert_same(&outputs(&dir, "o2"), &want, "after --add");
    // Standard input cannot be read twice.
    refused(
        dir.sada()
            .args(["scan", "-q", "--out", "o3", "--against", "arc", "--add", "-"])
            .write_stdin(days[2].join("\n")),
        2,
        &["standard input"],
    );
}

#[test]
fn archived_records_are_read_with_sada_names_whatever_the_fields_of_today() {
    let dir = TestDir::new("against-fields");
    let days = write_days(&dir);
    dir.sada().args(["index", "create", "-q", "arc", "day0.jsonl", "day1.jsonl"]).assert().success();
    // Today's crawl names its text `body`.
    let renamed: Vec<String> = days[2]
        .iter()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            let text = v.as_object_mut().unwrap().remove("text").unwrap();
            v["body"] = text;
            v.to_string()
        })
        .collect();
    dir.create("today.jsonl", renamed.join("\n") + "\n");
    dir.sada()
        .args(["scan", "-q", "--out", "o", "--against", "arc", "--text-field", "body", "today.jsonl"])
        .assert()
        .success();
    dir.sada().args(["scan", "-q", "--out", "full", "day0.jsonl", "day1.jsonl", "day2.jsonl"]).assert().success();
    let want = restricted(&dir, "full", (days[0].len() + days[1].len()) as u64);
    let got = outputs(&dir, "o");
    // documents.jsonl names today's file; the rest must be equal.
    assert_same(
        &[Vec::new(), got[1].clone(), got[2].clone()],
        &[Vec::new(), want[1].clone(), want[2].clone()],
        "fields",
    );
    assert_eq!(got[0].len(), days[2].len());
}

#[test]
fn write_against_an_archive_leaves_out_what_the_archive_has() {
    let dir = TestDir::new("against-write");
    let days = write_days(&dir);
    dir.sada().args(["index", "create", "-q", "arc", "day0.jsonl", "day1.jsonl"]).assert().success();
    dir.sada()
        .args(["scan", "-q", "--out", "o", "--against", "arc", "--write", "clean", "day2.jsonl"])
        .assert()
        .success();
    let docs = read_jsonl(&dir.join("o/documents.jsonl"));
    let clusters = read_jsonl(&dir.join("o/clusters.jsonl"));
    assert_eq!(docs.len(), days[2].len());
    // What each of today's records should be: dropped when its cluster holds
    // an archived record, else the cluster's representative or a record in
    // no cluster.
    let mut want = vec![true; docs.len()];
    let mut dropped_for_archive = 0;
    for c in &clusters {
        let members = c["members"].as_array().unwrap();
        let has_archived = members.iter().any(|m| m.get("archived").is_some());
        for m in members.iter().filter(|m| m.get("archived").is_none()) {
            let i = m["index"].as_u64().unwrap() as usize;
            want[i] = !has_archived && m["id"] == c["representative"];
            dropped_for_archive += usize::from(has_archived);
        }
    }
    assert!(dropped_for_archive > 0, "today must repeat some archived articles");
    let kept: Vec<bool> = docs.iter().map(|d| d["kept"].as_bool().unwrap()).collect();
    assert_eq!(kept, want);
    // Only today's file is written, its kept lines byte for byte.
    let names: BTreeSet<String> = std::fs::read_dir(dir.join("clean"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    assert!(names.contains("day2.jsonl") && !names.iter().any(|n| n.starts_with("seg-")), "{names:?}");
    let text = dir.read("clean/day2.jsonl");
    let written: Vec<&str> = text.lines().collect();
    let expected: Vec<&str> = days[2].iter().zip(&want).filter(|(_, k)| **k).map(|(l, _)| l.as_str()).collect();
    assert_eq!(written, expected);
    let summary: Value = serde_json::from_str(&dir.read("o/summary.json")).unwrap();
    assert_eq!(summary["written"]["records"], json!(expected.len()));
    // --keep all writes every record of today, and nothing of the archive.
    dir.sada()
        .args(["scan", "-q", "--out", "o2", "--against", "arc", "--write", "all", "--keep", "all", "day2.jsonl"])
        .assert()
        .success();
    assert_eq!(dir.read("all/day2.jsonl").lines().count(), days[2].len());
    // --write inside the archive is refused before anything is read.
    refused(
        dir.sada().args(["scan", "-q", "--out", "o3", "--against", "arc", "--write", "arc/clean", "day2.jsonl"]),
        2,
        &["overlaps the archive"],
    );
}

#[test]
fn unreadable_records_are_named_and_not_archived() {
    let dir = TestDir::new("index-errors");
    let s = seeds();
    dir.create(
        "in.jsonl",
        format!("{}\nnot json\n{}\n", json!({"id": "a", "text": s[0].1}), json!({"id": "b", "text": ""})),
    );
    let out = dir.sada().args(["index", "create", "arc", "in.jsonl"]).assert().success().get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not archived") && stderr.contains("in.jsonl:2"), "{stderr}");
    assert!(stderr.contains("3 records read (1 ok, 1 empty, 1 errors not archived)"), "{stderr}");
    assert_eq!(documents_in(&info(&dir, "arc")), 2);
    // A run whose inputs give no text adds no segment.
    dir.create("none.jsonl", "not json\n");
    dir.sada().args(["index", "add", "-q", "arc", "none.jsonl"]).assert().success();
    assert_eq!(info(&dir, "arc")["segments"].as_array().unwrap().len(), 1);
}

#[test]
fn wrong_directories_damaged_and_foreign_files_are_named() {
    let dir = TestDir::new("index-refusals");
    write_days(&dir);
    // Not an archive: usage, exit 2; no lock file left behind.
    std::fs::create_dir(dir.join("plain")).unwrap();
    for args in [
        vec!["index", "add", "plain", "day0.jsonl"],
        vec!["index", "info", "plain"],
        vec!["index", "compact", "plain"],
        vec!["scan", "--out", "o", "--against", "plain", "day0.jsonl"],
    ] {
        refused(dir.sada().args(&args), 2, &["not a sada archive"]);
    }
    assert_eq!(std::fs::read_dir(dir.join("plain")).unwrap().count(), 0);
    // create: refuses an archive and a directory holding files.
    dir.create("full/x.txt", "x");
    refused(dir.sada().args(["index", "create", "full", "day0.jsonl"]), 2, &["holds files"]);
    assert!(!dir.join("full/.lock").exists());
    dir.sada().args(["index", "create", "-q", "arc", "day0.jsonl"]).assert().success();
    refused(dir.sada().args(["index", "create", "arc", "day1.jsonl"]), 2, &["already"]);
    // --against with a cluster run: exit 2 from the parser.
    dir.sada()
        .args(["scan", "--out", "o", "--against", "arc", "--hosts", "h.txt", "--process", "0", "day1.jsonl"])
        .assert()
        .code(2);

    let manifest = info(&dir, "arc");
    let segment = dir.join("arc").join(manifest["segments"][0]["file"].as_str().unwrap());
    // A foreign file: named, whatever the command.
    dir.create("arc/notes.txt", "mine");
    for args in [vec!["index", "info", "arc"], vec!["scan", "--out", "o", "--against", "arc", "day1.jsonl"]] {
        refused(dir.sada().args(&args), 1, &["notes.txt"]);
    }
    std::fs::remove_file(dir.join("arc/notes.txt")).unwrap();
    // A segment with one byte changed: same size, so only --verify sees it.
    let good = std::fs::read(&segment).unwrap();
    let mut bad = good.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x55;
    std::fs::write(&segment, &bad).unwrap();
    dir.sada().args(["index", "info", "arc"]).assert().success();
    refused(
        dir.sada().args(["index", "info", "--verify", "arc"]),
        1,
        &[segment.file_name().unwrap().to_str().unwrap(), "damaged"],
    );
    // A cut segment: named by every command.
    std::fs::write(&segment, &good[..good.len() - 10]).unwrap();
    for args in [
        vec!["index", "info", "arc"],
        vec!["scan", "--out", "o", "--against", "arc", "day1.jsonl"],
        vec!["index", "add", "arc", "day1.jsonl"],
    ] {
        refused(dir.sada().args(&args), 1, &["seg-", "bytes"]);
    }
    // A manifest that is not sada's.
    std::fs::write(&segment, &good).unwrap();
    std::fs::write(dir.join("arc/manifest.json"), "{}").unwrap();
    refused(dir.sada().args(["index", "info", "arc"]), 1, &["manifest.json"]);
}

#[test]
fn a_held_lock_stops_writers_and_a_reader_lock_is_shared() {
    let dir = TestDir::new("index-lock");
    write_days(&dir);
    dir.sada().args(["index", "create", "-q", "arc", "day0.jsonl"]).assert().success();
    let lock = std::fs::File::open(dir.join("arc/.lock")).unwrap();
    // Another reader (a scan --against in progress): scans share it, writers wait.
    lock.lock_shared().unwrap();
    dir.sada().args(["scan", "-q", "--out", "o", "--against", "arc", "day1.jsonl"]).assert().success();
    for args in [vec!["index", "add", "arc", "day1.jsonl"], vec!["index", "compact", "arc"]] {
        refused(dir.sada().args(&args), 2, &["in use by another sada"]);
    }
    lock.unlock().unwrap();
    // A writer: scans wait too.
    let lock = std::fs::File::options().write(true).open(dir.join("arc/.lock")).unwrap();
    lock.lock().unwrap();
    refused(dir.sada().args(["scan", "-q", "--out", "o", "--against", "arc", "day1.jsonl"]), 2, &["being written"]);
    drop(lock);
    dir.sada().args(["index", "add", "-q", "arc", "day1.jsonl"]).assert().success();
    // An archive copied without its empty lock file is read, and the lock made again.
    std::fs::remove_file(dir.join("arc/.lock")).unwrap();
    dir.sada().args(["scan", "-q", "--out", "o", "--against", "arc", "day2.jsonl"]).assert().success();
    assert!(dir.join("arc/.lock").exists());
}

/// `index add` killed at spread-out moments: the archive always opens, passes
/// `--verify`, and holds the records before the add or after it, never in
/// between; the next add tidies what the killed one left.
#[test]
fn an_add_killed_at_any_point_leaves_the_archive_before_or_after() {
    let dir = TestDir::new("index-kill");
    let s = seeds();
    let mut big = String::new();
    for i in 0..3000 {
        big.push_str(&json!({"id": format!("k{i}"), "text": format!("{} {i}", s[i % s.len()].1)}).to_string());
        big.push('\n');
    }
    dir.create("big.jsonl", &big);
    write_days(&dir);
    dir.sada().args(["index", "create", "-q", "arc", "day0.jsonl"]).assert().success();
    let before = documents_in(&info(&dir, "arc"));
    let bin = assert_cmd::cargo::cargo_bin!("sada");
    let run = |kill_after: Option<Duration>| -> Duration {
        let start = Instant::now();
        let mut child = std::process::Command::new(bin)
            .args(["index", "add", "-q", "arc", "big.jsonl"])
            .current_dir(dir.path())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        if let Some(after) = kill_after {
            std::thread::sleep(after);
            let _ = child.kill(); // SIGKILL; it may have finished already
        }
        child.wait().unwrap();
        start.elapsed()
    };
    // How long a whole add takes here, then kills spread over that time.
    let whole = run(None);
    let after = before + 3000;
    assert_eq!(documents_in(&info(&dir, "arc")), after);
    let mut expected = after;
    let mut rng = Rng(7);
    let mut outcomes = BTreeSet::new();
    for i in 0..16u32 {
        let at = whole.mul_f64((i as f64 + rng.below(100) as f64 / 100.0) / 14.0);
        run(Some(at));
        let now = documents_in(&info(&dir, "arc"));
        assert!(
            now == expected || now == expected + 3000,
            "kill {i} at {at:?}: {now} records, expected {expected} or +3000"
        );
        outcomes.insert(now == expected);
        expected = now;
        dir.sada().args(["index", "info", "--verify", "arc"]).assert().success();
    }
    assert!(outcomes.contains(&true), "no kill landed before the add completed (whole add: {whole:?})");
    // The next add removes leftovers and leaves only listed files.
    dir.sada().args(["index", "add", "-q", "arc", "day1.jsonl"]).assert().success();
    let manifest = info(&dir, "arc");
    let listed: BTreeSet<String> = manifest["segments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            ["file", "analysis", "postings", "words"]
                .map(|k| s[k].as_str().or(s[k]["file"].as_str()).unwrap().to_string())
        })
        .chain([manifest["edges"]["file"].as_str().unwrap().to_string()])
        .chain(["docs", "links", "order"].map(|k| manifest["state"][k]["file"].as_str().unwrap().to_string()))
        .collect();
    for e in std::fs::read_dir(dir.join("arc")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(listed.contains(&name) || name == "manifest.json" || name == ".lock", "left over: {name}");
    }
}
