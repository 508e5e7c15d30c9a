//! `sada scan --write DIR`: the corpus back without its duplicates
//! (docs/output-contract.md, "Written corpus").

mod util;

use std::io::{Read, Write};
use std::path::Path;

use serde_json::Value;
use util::{TestDir, edited_variant, orthographic_variant, read_jsonl, seeds};

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

fn json_line(fields: &[(&str, &str)]) -> String {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{}", serde_json::to_string(k).unwrap(), serde_json::to_string(v).unwrap()))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// Lines of a written JSONL file (no empty ones).
fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
}

/// A corpus with known clusters: `a1`–`a3` copies of one article (`a2`
/// an orthographic variant, `a3` the longest, undated), `b1`/`b2` an
/// article and its edited reprint (`b2` the earliest dated), three
/// singletons, a line that is not JSON and one with invalid UTF-8 in `text`.
fn corpus(dir: &TestDir) -> Vec<u8> {
    let s = seeds();
    let extra = " وأضاف المتحدث أن الوفد سيعود إلى العاصمة بعد انتهاء الجولة الحالية من المحادثات التي وصفها بأنها بناءة ومثمرة على كل الأصعدة";
    let mut out = String::from("\u{feff}");
    let rows: Vec<String> = vec![
        json_line(&[("id", "a1"), ("text", &s[0].1), ("date", "2024-03-05")]),
        json_line(&[("text", &orthographic_variant(&s[0].1)), ("id", "a2"), ("date", "2024-03-02")]),
        json_line(&[("id", "a3"), ("text", &format!("{}{extra}", s[0].1))]),
        "not json at all".to_string(),
        json_line(&[("id", "b1"), ("text", &s[1].1), ("date", "2024-01-01")]),
        json_line(&[("id", "b2"), ("text", &edited_variant(&s[1].1)), ("date", "2023-12-31")]),
        json_line(&[("id", "c"), ("text", &s[2].1)]),
        json_line(&[("id", "d"), ("text", &s[3].1)]),
        json_line(&[("id", "e"), ("text", &s[4].1)]),
    ];
    for r in rows {
        out.push_str(&r);
        out.push_str("\r\n");
    }
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(b"{\"id\":\"bad\",\"text\":\"\xff\xfe\"}\r\n");
    dir.create("in/news.jsonl", &bytes);
    bytes
}

#[test]
fn keep_all_passes_jsonl_through_byte_for_byte_in_its_compression() {
    let dir = TestDir::new("write-all");
    // Odd escaping, key order, unicode escapes, a BOM, CRLF, blank lines, a
    // bad line, invalid UTF-8 in a field nobody reads, no final newline.
    let plain: &[u8] = b"\xEF\xBB\xBF{\"z\":1, \"text\" : \"caf\\u00e9 \\/ \\\"q\\\" \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 one two three four five six seven\",\"id\":\"x\"}\r\n\
\r\n   \n{\"junk\":\"\xff\",\"id\":2,\"text\":\"\\ud83d\\ude00 another record with words enough to count\"}\n\
not json\n{\"id\":\"last\",\"text\":\"tail\"}";
    dir.create("in/a.jsonl", plain);
    dir.create("in/b.ndjson.gz", gz(plain));
    dir.create("in/c.jsonl.zst", zstd::encode_all(plain, 3).unwrap());
    let mut lz4 = lz4_flex::frame::FrameEncoder::new(Vec::new());
    lz4.write_all(plain).unwrap();
    dir.create("in/d.jsonl.lz4", lz4.finish().unwrap());
    dir.sada().args(["scan", "-q", "--out", "out", "--write", "clean", "--keep", "all", "in"]).assert().success();
    assert_eq!(std::fs::read(dir.join("clean/a.jsonl")).unwrap(), plain);
    assert_eq!(gunzip(&std::fs::read(dir.join("clean/b.ndjson.gz")).unwrap()), plain);
    assert_eq!(zstd::decode_all(&std::fs::read(dir.join("clean/c.jsonl.zst")).unwrap()[..]).unwrap(), plain);
    let mut unlz4 = Vec::new();
    lz4_flex::frame::FrameDecoder::new(&std::fs::read(dir.join("clean/d.jsonl.lz4")).unwrap()[..])
        .read_to_end(&mut unlz4)
        .unwrap();
    assert_eq!(unlz4, plain);
    let docs = read_jsonl(&dir.join("out/documents.jsonl"));
    assert_eq!(docs.len(), 16);
    assert!(docs.iter().all(|d| d["kept"] == true), "--keep all keeps every record, bad ones too");
}

#[test]
fn every_keep_rule_keeps_its_member_and_accounts_for_every_record() {
    let dir = TestDir::new("write-keep");
    let input = corpus(&dir);
    let input_lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    for rule in ["representative", "first", "longest", "earliest"] {
        let out = format!("out-{rule}");
        let clean = format!("clean-{rule}");
        dir.sada().args(["scan", "-q", "--out", &out, "--write", &clean, "--keep", rule, "in"]).assert().success();
        let docs = read_jsonl(&dir.join(&format!("{out}/documents.jsonl")));
        let clusters = read_jsonl(&dir.join(&format!("{out}/clusters.jsonl")));
        let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
        assert_eq!(clusters.len(), 2, "{rule}: {clusters:?}");
        let a: Vec<&str> =
            clusters[0]["members"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
        let b: Vec<&str> =
            clusters[1]["members"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
        assert_eq!((a.as_slice(), b.as_slice()), (&["a1", "a2", "a3"][..], &["b1", "b2"][..]));
        let expected: (&str, &str) = match rule {
            "representative" => {
                (clusters[0]["representative"].as_str().unwrap(), clusters[1]["representative"].as_str().unwrap())
            }
            "first" => ("a1", "b1"),
            "longest" => (
                "a3",
                if doc(&docs, "b1")["tokens"].as_u64() >= doc(&docs, "b2")["tokens"].as_u64() { "b1" } else { "b2" },
            ),
            _ => ("a2", "b2"),
        };
        let want: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| !id.starts_with("in/") && *id != "bad")
            .filter(|id| !a.contains(id) || *id == expected.0)
            .filter(|id| !b.contains(id) || *id == expected.1)
            .collect();
        let written = std::fs::read(dir.join(&format!("{clean}/news.jsonl"))).unwrap();
        assert!(written.starts_with(b"\xEF\xBB\xBF"), "the byte-order mark stays");
        let written_lines = lines(&written[3..]);
        let got: Vec<String> = written_lines
            .iter()
            .map(|l| serde_json::from_slice::<Value>(l).unwrap()["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, want, "--keep {rule}");
        for l in &written_lines {
            let with_cr: Vec<u8> = l.clone();
            assert!(
                input_lines
                    .iter()
                    .any(|i| *i == with_cr.as_slice() || i.strip_prefix(b"\xEF\xBB\xBF") == Some(&with_cr[..])),
                "a kept record is written as it was"
            );
        }
        // Accounting: `kept` says what was written; the bad lines are
        // dropped but stay in documents.jsonl as errors.
        let kept = docs.iter().filter(|d| d["kept"] == true).count();
        assert_eq!(kept, written_lines.len(), "--keep {rule}");
        let summary: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(&format!("{out}/summary.json"))).unwrap()).unwrap();
        assert_eq!(summary["written"]["records"], kept as u64, "--keep {rule}");
        assert_eq!(summary["written"]["files"], 1, "--keep {rule}");
        let errors: Vec<&Value> = docs.iter().filter(|d| d["status"] == "error").collect();
        assert_eq!(errors.len(), 2, "not JSON, and invalid UTF-8 in text");
        assert!(errors.iter().all(|d| d["kept"] == false));
    }
}

fn doc<'a>(docs: &'a [Value], id: &str) -> &'a Value {
    docs.iter().find(|d| d["id"] == id).unwrap()
}

#[test]
fn annotate_and_strip_boilerplate_point_into_the_written_text() {
    let dir = TestDir::new("write-strip");
    let header = "اشترك في نشرتنا البريدية لتصلك آخر الأخبار والتقارير الحصرية من مراسلينا في كل العواصم العربية والعالمية كل صباح مجانا";
    let mut jsonl = String::new();
    let mut texts = Vec::new();
    for (i, (_, text)) in seeds().iter().enumerate() {
        let t = format!("{header}\n\n{text}");
        jsonl.push_str(&json_line(&[
            ("id", &format!("s{i}")),
            ("text", &t),
            ("source", "site.example"),
            ("sada", "old"),
        ]));
        jsonl.push('\n');
        texts.push(t);
    }
    dir.create("in/site.jsonl", &jsonl);
    dir.create("in/zpage.txt", &texts[0]);
    dir.sada()
        .args([
            "scan",
            "-q",
            "--out",
            "out",
            "--write",
            "clean",
            "--annotate",
            "--strip-boilerplate",
            "--keep",
            "all",
            "in",
        ])
        .assert()
        .success();
    let statements = read_jsonl(&dir.join("out/statements.jsonl"));
    assert!(
        statements.iter().any(|s| s["boilerplate"] == true && s["text"].as_str().unwrap().contains("نشرتنا")),
        "{statements:?}"
    );
    assert!(statements.iter().any(|s| s["boilerplate"] == false), "the Lavrov statements");
    let written = read_jsonl(&dir.join("clean/site.jsonl"));
    let converted = read_jsonl(&dir.join("clean/zpage.txt.jsonl"));
    assert_eq!(converted.len(), 1);
    assert_eq!(converted[0]["status"], "ok");
    let mut carried = 0;
    for (k, rec) in written.iter().chain(&converted).enumerate() {
        let text = rec["text"].as_str().unwrap();
        assert!(!text.contains("نشرتنا"), "the header is cut out of record {k}");
        let sada = &rec["sada"];
        assert!(sada.is_object(), "the old `sada` field is replaced: {sada}");
        assert!(sada["duplicate"].is_boolean());
        for c in sada["statements"].as_array().unwrap() {
            assert_eq!(c["boilerplate"], false, "stripped occurrences are not listed");
            let st = &statements[c["statement"].as_u64().unwrap() as usize];
            let index = if k < written.len() { k } else { written.len() };
            let original = &texts[if k < written.len() { k } else { 0 }];
            let (ws, we) = (c["start"].as_u64().unwrap() as usize, c["end"].as_u64().unwrap() as usize);
            // The occurrence as read, at its offsets in the text as read.
            let occ = st["occurrences"].as_array().unwrap().iter().find(|o| {
                let (s, e) = (o["start"].as_u64().unwrap() as usize, o["end"].as_u64().unwrap() as usize);
                o["index"] == index as u64 && e - s == we - ws && original.as_bytes()[s..e] == text.as_bytes()[ws..we]
            });
            let occ = occ.expect("offsets refer to the written text");
            let s = occ["start"].as_u64().unwrap() as usize;
            assert!(ws < s, "the header before it was cut");
            carried += 1;
        }
    }
    assert!(carried >= 2, "the shared quotes are carried");
    // Only `text` and `sada` change: the other fields stay in their order.
    let first = std::fs::read_to_string(dir.join("clean/site.jsonl")).unwrap();
    assert!(first.starts_with("{\"id\":\"s0\",\"text\":\""), "{}", &first[..40]);
    assert!(first.lines().next().unwrap().contains("\"source\":\"site.example\",\"sada\":{"));
}

#[test]
fn the_written_corpus_depends_on_neither_threads_nor_memory() {
    let dir = TestDir::new("write-determinism");
    corpus(&dir);
    dir.create("in/more.jsonl.gz", gz(std::fs::read(dir.join("in/news.jsonl")).unwrap().as_slice()));
    let run = |name: &str, extra: &[&str]| {
        dir.sada()
            .args(["scan", "-q", "--out", &format!("out-{name}"), "--write", &format!("clean-{name}"), "--annotate"])
            .args(extra)
            .arg("in")
            .assert()
            .success();
        let mut files = Vec::new();
        for f in ["news.jsonl", "more.jsonl.gz"] {
            files.push(std::fs::read(dir.join(&format!("clean-{name}/{f}"))).unwrap());
        }
        files.push(std::fs::read(dir.join(&format!("out-{name}/documents.jsonl"))).unwrap());
        files
    };
    let one = run("one", &["--threads", "1"]);
    assert_eq!(one, run("two", &["--threads", "2"]));
    assert_eq!(one, run("spilled", &["--threads", "2", "--memory-limit", "2K", "--spill-dir", "spill"]));
}

#[test]
fn a_refused_write_leaves_nothing_and_a_previous_one_is_replaced_whole() {
    let dir = TestDir::new("write-refuse");
    corpus(&dir);
    let refused = |args: &[&str], says: &str| {
        let out = dir.sada().args(["scan", "-q"]).args(args).arg("in").assert().code(2).get_output().stderr.clone();
        let err = String::from_utf8(out).unwrap();
        assert!(err.contains("--write") && err.contains(says), "{err}");
    };
    refused(&["--out", "o", "--write", "o"], "apart from it");
    refused(&["--out", "o", "--write", "o/clean"], "apart from it");
    refused(&["--out", "o", "--write", "in/clean"], "inside the input");
    refused(&["--out", "o", "--write", "."], "apart from it");
    dir.create("w/x.jsonl", "{\"text\":\"a b c\"}\n");
    refused(&["--out", "o", "--write", "w", "w/x.jsonl"], "holds the input");
    dir.create("mine/thesis.tex", "x");
    refused(&["--out", "o", "--write", "mine"], "thesis.tex");
    assert!(!dir.join("o").exists() && !dir.join("in/clean").exists(), "nothing written");
    assert!(dir.join("mine/thesis.tex").exists());
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "no staging or lock left: {names:?}");

    // A previous --write output is replaced whole.
    dir.sada().args(["scan", "-q", "--out", "o", "--write", "clean", "--keep", "all", "in"]).assert().success();
    std::fs::remove_file(dir.join("in/news.jsonl")).unwrap();
    dir.create("in/other.jsonl", "{\"id\":\"z\",\"text\":\"a few words of text here\"}\n");
    dir.sada().args(["scan", "-q", "--out", "o", "--write", "clean", "in"]).assert().success();
    let mut files: Vec<String> = std::fs::read_dir(dir.join("clean"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, [".sada-write", "other.jsonl"]);
    assert!(Path::new(&dir.join("clean/other.jsonl")).is_file());
}

#[test]
fn standard_input_is_written_as_stdin_jsonl() {
    let dir = TestDir::new("write-stdin");
    let input = "{\"id\":\"a\",\"text\":\"one two three four five six\"}\n";
    dir.sada()
        .args(["scan", "-q", "--out", "o", "--write", "clean", "-"])
        .write_stdin(gz(input.as_bytes()))
        .assert()
        .success();
    assert_eq!(gunzip(&std::fs::read(dir.join("clean/stdin.jsonl.gz")).unwrap()), input.as_bytes());
}
