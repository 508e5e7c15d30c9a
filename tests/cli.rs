//! The `sada` command line: options, exit codes, bad input and the
//! behaviour users rely on (reprints cluster, different articles do not).

mod util;

use std::io::Write;

use util::{TestDir, edited_variant, orthographic_variant, seeds};

#[test]
fn help_explains_every_option_with_its_default() {
    let dir = TestDir::new("help");
    let out = dir.sada().args(["scan", "--help"]).assert().success().get_output().stdout.clone();
    let help = String::from_utf8(out).unwrap();
    for opt in
        ["--out", "--threads", "--quiet", "--threshold", "--num-perm", "--ngram", "--method", "--bands", "--rows"]
    {
        assert!(help.contains(opt), "--help lacks {opt}:\n{help}");
    }
    assert!(help.contains("[default: sada-out]"), "{help}");
    assert!(help.contains("[default: 128]"), "{help}");
    for format in [".txt", ".jsonl", ".warc", ".wet", ".gz", ".zst"] {
        assert!(help.contains(format), "--help does not name the {format} input format:\n{help}");
    }
}

#[test]
fn missing_input_exits_2_and_names_it() {
    let dir = TestDir::new("missing");
    let out = dir.sada().args(["scan", "no/such/dir"]).assert().code(2).get_output().stderr.clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains("no/such/dir"), "{err}");
    assert!(!dir.join("sada-out").exists());
}

#[test]
fn usage_errors_exit_2() {
    let dir = TestDir::new("usage");
    dir.create("a.txt", "نص");
    dir.sada().args(["scan"]).assert().code(2);
    dir.sada().args(["scan", "--threshold", "1.5", "a.txt"]).assert().code(2);
    dir.sada().args(["scan", "--ngram", "0", "a.txt"]).assert().code(2);
    dir.sada().args(["scan", "--bands", "20", "--rows", "20", "a.txt"]).assert().code(2);
    dir.sada().args(["scan", "--bands", "4", "a.txt"]).assert().code(2);
    dir.sada().args(["scan", "--method", "bogus", "a.txt"]).assert().code(2);
    dir.sada().args(["frobnicate"]).assert().code(2);
    dir.create("a.csv", "x");
    let out = dir.sada().args(["scan", "a.csv"]).assert().code(2).get_output().stderr.clone();
    assert!(String::from_utf8_lossy(&out).contains("a.csv"));
}

#[test]
fn unwritable_output_exits_2_before_reading() {
    let dir = TestDir::new("unwritable");
    dir.create("a.txt", "نص");
    dir.create("out", "a file where the output directory should go");
    let got = dir.sada().args(["scan", "--quiet", "--out", "out/sub", "a.txt"]).assert().code(2).get_output().clone();
    let stderr = String::from_utf8_lossy(&got.stderr);
    assert!(stderr.contains("--out 'out/sub'") && stderr.contains("cannot create"), "{stderr}");
}

#[test]
fn seeds_are_five_documents_and_no_cluster() {
    let dir = TestDir::new("seeds");
    let out = dir.scan(&[concat!(env!("CARGO_MANIFEST_DIR"), "/seeds")]);
    assert_eq!(out.documents.len(), 5);
    assert!(out.documents.iter().all(|d| d["status"] == "ok" && d["tokens"].as_u64().unwrap() > 300));
    assert!(out.clusters.is_empty());
    assert_eq!(out.summary["documents"], 5);
    assert_eq!(out.summary["clusters"], 0);
}

#[test]
fn summary_goes_to_stdout_unless_quiet() {
    let dir = TestDir::new("stdout");
    dir.create("in/a.txt", "نص قصير");
    let out = dir.sada().args(["scan", "--out", "o", "in"]).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8(out).unwrap().contains("1 documents"));
    let out = dir.sada().args(["scan", "--quiet", "--out", "o", "in"]).assert().success().get_output().clone();
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

/// `sada sign --out -` writes to standard output exactly what it writes to a
/// file, in either format, and its summary (without `--quiet`) still goes
/// to stderr.
#[test]
fn sign_writes_to_stdout_with_out_dash() {
    let dir = TestDir::new("sign-stdout");
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
    for format in ["bin", "jsonl"] {
        dir.sada().args(["sign", "--quiet", "--format", format, "--out", "sig", seeds]).assert().success();
        let out =
            dir.sada().args(["sign", "--format", format, "--out", "-", seeds]).assert().success().get_output().clone();
        assert_eq!(out.stdout, std::fs::read(dir.join("sig")).unwrap(), "{format}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("5 records"), "{format}");
    }
    assert!(!dir.join("-").exists());
    let jsonl = dir.sada().args(["sign", "--quiet", "--format", "jsonl", "--out", "-", seeds]).assert().success();
    let lines = String::from_utf8(jsonl.get_output().stdout.clone()).unwrap();
    assert_eq!(lines.lines().count(), 5);
    for line in lines.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["signature"].as_array().map(Vec::len), Some(128), "{line}");
    }
}

/// A reader that stops early (`sada sign --out - … | head`) ends the run
/// quietly and successfully, in either format.
#[test]
fn sign_to_a_closed_pipe_exits_0() {
    use std::io::Read;
    let dir = TestDir::new("sign-pipe");
    let line = serde_json::json!({"text": "نص قصير عن الاجتماع في موسكو"}).to_string();
    dir.create("in.jsonl", format!("{line}\n").repeat(2000));
    for format in ["jsonl", "bin"] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("sada"))
            .current_dir(dir.path())
            .args(["sign", "--quiet", "--threads", "1", "--format", format, "--out", "-", "in.jsonl"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 16];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{format}: {:?} {}", out.status, String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{format}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// `-` reads JSONL from standard input, plain, gzip or zstd (told by its
/// first bytes): `sign` streams it, and signs it as it signs the same lines
/// from a file; an empty stream is one `empty` record and a truncated one an
/// error record, as files are. A second `-` is a usage error.
#[test]
fn sign_reads_standard_input() {
    let dir = TestDir::new("sign-stdin");
    let lines = stdin_corpus();
    dir.create("in.jsonl", &lines);
    let from_file =
        dir.sada().args(["sign", "--quiet", "--format", "jsonl", "--out", "-", "in.jsonl"]).assert().success();
    let expected = from_file.get_output().stdout.clone();
    assert_eq!(String::from_utf8_lossy(&expected).lines().count(), 7);
    let zstd = zstd::encode_all(lines.as_bytes(), 3).unwrap();
    for (what, stdin) in [("plain", lines.as_bytes().to_vec()), ("gzip", gzip(lines.as_bytes())), ("zstd", zstd)] {
        let run =
            dir.sada().args(["sign", "--quiet", "--format", "jsonl", "--out", "-", "-"]).write_stdin(stdin).assert();
        assert_eq!(run.success().get_output().stdout, expected, "{what}");
    }
    let sign_stdin = |stdin: Vec<u8>| {
        let run =
            dir.sada().args(["sign", "--quiet", "--format", "jsonl", "--out", "-", "-"]).write_stdin(stdin).assert();
        let out = run.success().get_output().stdout.clone();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect::<Vec<serde_json::Value>>()
    };
    let empty = sign_stdin(Vec::new());
    assert_eq!((empty.len(), &empty[0]["id"], &empty[0]["status"]), (1, &"-".into(), &"empty".into()));
    let cut = gzip(lines.as_bytes());
    let truncated = sign_stdin(cut[..cut.len() / 2].to_vec());
    let last = truncated.last().unwrap();
    assert_eq!(last["status"], "error");
    assert!(last["error"].as_str().unwrap().contains("corrupt or truncated gzip data"), "{last}");
    dir.sada().args(["sign", "-", "-"]).assert().code(2);
    dir.sada().args(["scan", "-", "-"]).assert().code(2);
}

/// `scan -` saves standard input and reads it twice (statements and excerpts
/// go back to the texts): the same documents, clusters and statements as a
/// scan of the same lines from a file, but for the input's name.
#[test]
fn scan_reads_standard_input() {
    let dir = TestDir::new("scan-stdin");
    let lines = stdin_corpus();
    dir.create("in.jsonl", &lines);
    let from_file = dir.scan(&["in.jsonl"]);
    dir.sada().args(["scan", "--quiet", "--out", "piped", "-"]).write_stdin(gzip(lines.as_bytes())).assert().success();
    let piped = util::Outputs::read(&dir.join("piped"));
    assert!(!from_file.clusters.is_empty(), "the corpus has a reprint");
    assert_eq!(piped.clusters, from_file.clusters);
    assert_eq!(piped.statements, from_file.statements);
    let renamed: Vec<serde_json::Value> = from_file
        .documents
        .iter()
        .map(|d| {
            let mut d = d.clone();
            d["input"] = "-".into();
            d
        })
        .collect();
    assert_eq!(piped.documents, renamed);
    assert!(
        std::fs::read_dir(dir.join("piped")).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".tmp"))
    );
    // Every process of a cluster must read the same inputs: no pipe.
    dir.create("hosts.txt", "127.0.0.1:1\n127.0.0.1:2\n");
    let cluster = dir.sada().args(["scan", "--hosts", "hosts.txt", "--process", "0", "-"]).write_stdin(lines).assert();
    let err = cluster.code(2).get_output().stderr.clone();
    assert!(String::from_utf8_lossy(&err).contains("cluster run cannot read `-`"), "{}", String::from_utf8_lossy(&err));
}

/// The seeds and an edited reprint of the first, as JSONL.
fn stdin_corpus() -> String {
    let seeds = seeds();
    let mut docs: Vec<(String, String)> = seeds.clone();
    docs.push(("reprint".into(), edited_variant(&seeds[0].1)));
    docs.push(("spelling".into(), orthographic_variant(&seeds[1].1)));
    docs.iter().map(|(name, text)| format!("{}\n", serde_json::json!({"id": name, "text": text}))).collect()
}

/// Builds a corpus of the seeds plus reprints of seed 000 and seed 001.
fn reprint_corpus(dir: &TestDir) {
    for (name, text) in seeds() {
        dir.create(&format!("in/{name}"), &text);
        if name.starts_with("000") {
            dir.create("in/100_exact_reprint.txt", orthographic_variant(&text));
            dir.create("in/101_edited_reprint.txt", orthographic_variant(&edited_variant(&text)));
        }
        if name.starts_with("001") {
            dir.create("in/102_edited_reprint.txt", edited_variant(&text));
        }
    }
}

#[test]
fn reprints_cluster_with_their_originals_and_different_articles_do_not() {
    let dir = TestDir::new("reprints");
    reprint_corpus(&dir);
    let out = dir.scan(&["in"]);
    let c0 = out.cluster_of("000_93dd4bcf26f3ba91").expect("seed 000 clusters with its reprints");
    assert_eq!(out.cluster_of("100_exact_reprint"), Some(c0));
    assert_eq!(out.cluster_of("101_edited_reprint"), Some(c0));
    let c1 = out.cluster_of("001_717256e72bc829cd").expect("seed 001 clusters with its reprint");
    assert_eq!(out.cluster_of("102_edited_reprint"), Some(c1));
    assert_ne!(c0, c1);
    // Two articles about the same event are not duplicates.
    assert_eq!(out.cluster_of("003_35b4a7aaf251b579"), None);
    assert_eq!(out.cluster_of("004_66da53df7ae971d4"), None);
    assert_eq!(out.cluster_of("002_75f94ab31a74d308"), None);
    assert_eq!(out.clusters.len(), 2);
    let cl = &out.clusters[c0 as usize];
    assert_eq!(cl["kind"], "near");
    assert_eq!(cl["representative"], "000_93dd4bcf26f3ba91");
    let members = cl["members"].as_array().unwrap();
    assert_eq!(members.len(), 3);
    let sim = |id: &str| members.iter().find(|m| m["id"] == id).unwrap()["similarity"].as_f64().unwrap();
    assert_eq!(sim("100_exact_reprint"), 1.0, "the orthographic variant is the same text after folding");
    assert!(sim("101_edited_reprint") < 1.0);
    assert!(cl["min_similarity"].as_f64().unwrap() <= sim("101_edited_reprint"));
}

#[test]
fn exact_duplicates_form_an_exact_cluster() {
    let dir = TestDir::new("exact");
    let (_, text) = &seeds()[3];
    dir.create("in/a.txt", text);
    dir.create("in/b.txt", orthographic_variant(text));
    let out = dir.scan(&["in"]);
    assert_eq!(out.clusters.len(), 1);
    assert_eq!(out.clusters[0]["kind"], "exact");
    assert_eq!(out.clusters[0]["representative"], "a");
}

#[test]
fn every_method_and_shingle_kind_clusters_reprints() {
    let dir = TestDir::new("methods");
    reprint_corpus(&dir);
    for args in [
        &["--method", "simhash"][..],
        &["--shingle", "char", "--ngram", "7"],
        &["--exact-jaccard"],
        &["--ngram", "3", "--num-perm", "256"],
        &["--bands", "20", "--rows", "5"],
    ] {
        let mut all = vec!["in"];
        all.extend_from_slice(args);
        let out = dir.scan(&all);
        let c0 = out.cluster_of("000_93dd4bcf26f3ba91");
        assert!(c0.is_some(), "{args:?}");
        assert_eq!(out.cluster_of("100_exact_reprint"), c0, "{args:?}");
        assert_eq!(out.cluster_of("003_35b4a7aaf251b579"), None, "{args:?}");
    }
}

#[test]
fn jsonl_fields_ids_and_sources() {
    let dir = TestDir::new("jsonl");
    dir.create(
        "in.jsonl",
        concat!(
            "{\"id\": 7, \"text\": \"نص أول\", \"url\": \"https://www.alsumaria.tv/a/1\", \"date\": \"2021-03-01\"}\n",
            "\n",
            "{\"id\": \"b\", \"text\": \"نص ثان\", \"source\": \"rudaw\", \"url\": \"https://x.example/\"}\n",
            "{\"text\": \"بلا معرف\"}\n",
        ),
    );
    let out = dir.scan(&["in.jsonl"]);
    assert_eq!(out.documents.len(), 3, "the blank line is not a record");
    assert_eq!(out.documents[0]["id"], "7");
    assert_eq!(out.documents[0]["source"], "alsumaria.tv");
    assert_eq!(out.documents[0]["date"], "2021-03-01");
    assert_eq!(out.documents[1]["source"], "rudaw");
    assert_eq!(out.documents[2]["id"], "in.jsonl:4");
    assert_eq!(out.documents[2]["status"], "ok");
    assert!(out.documents.iter().all(|d| d["input"] == "in.jsonl"));
}

#[test]
fn bad_records_are_reported_with_their_place_and_the_run_goes_on() {
    let dir = TestDir::new("bad");
    dir.create(
        "in/a.jsonl",
        b"{\"id\":1,\"text\":\"\xd8\xa3 \xd8\xa8\"}\nnot json\n{\"id\":3}\n[1,2]\n{\"id\":5,\"text\":42}\n{\"id\":6,\"text\":\"\xff\xfe\"}\n{\"id\":7,\"text\":\"  \"}\n",
    );
    dir.create("in/b.txt", b"valid start \xff\xfe then junk");
    dir.create("in/c.txt", "");
    dir.create("in/d.txt", "  \n\t \u{00A0}\n");
    dir.create("in/e.jsonl", "\n\n");
    dir.create("in/f.md", "؟،«»");
    let out = dir.scan(&["in"]);
    let docs = &out.documents;
    let line = |i: usize| (&docs[i]["id"], &docs[i]["status"], docs[i]["error"].as_str().unwrap_or(""));
    assert_eq!(docs.len(), 12, "{docs:#?}");
    assert_eq!(line(0).1, "ok");
    let (id, st, err) = line(1);
    assert!(id == "in/a.jsonl:2" && st == "error" && err.contains("in/a.jsonl:2") && err.contains("invalid JSON"));
    let (id, st, err) = line(2);
    assert!(id == "3" && st == "error" && err.contains("in/a.jsonl:3") && err.contains("missing `text`"), "{err}");
    let (_, st, err) = line(3);
    assert!(st == "error" && err.contains("in/a.jsonl:4") && err.contains("JSON object"), "{err}");
    let (_, st, err) = line(4);
    assert!(st == "error" && err.contains("in/a.jsonl:5") && err.contains("must be a string"), "{err}");
    let (_, st, err) = line(5);
    assert!(st == "error" && err.contains("in/a.jsonl:6") && err.contains("UTF-8"), "{err}");
    assert_eq!(line(6).1, "empty");
    let (id, st, err) = line(7);
    assert!(id == "b" && st == "error" && err.contains("in/b.txt@12") && err.contains("UTF-8"), "{err}");
    assert_eq!((line(8).0, line(8).1), (&"c".into(), &"empty".into()));
    assert_eq!(line(9).1, "empty");
    assert_eq!((line(10).0, line(10).1), (&"in/e.jsonl".into(), &"empty".into()));
    assert_eq!(line(11).1, "empty");
    assert_eq!(out.summary["error"], 6);
    assert_eq!(out.summary["empty"], 5);
    assert_eq!(out.summary["ok"], 1);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn compressed_inputs_multi_member_gzip_and_zstd() {
    let dir = TestDir::new("compressed");
    let mut two_members = gzip(b"{\"id\":\"a\",\"text\":\"first member\"}\n");
    two_members.extend(gzip(b"{\"id\":\"b\",\"text\":\"second member\"}\n"));
    dir.create("in/x.jsonl.gz", two_members);
    dir.create("in/y.txt.zst", zstd::encode_all(&b"zstd text body"[..], 3).unwrap());
    dir.create("in/z.txt.gz", gzip("نص مضغوط".as_bytes()));
    let out = dir.scan(&["in"]);
    let ids: Vec<_> = out.documents.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a", "b", "y", "z"]);
    assert!(out.documents.iter().all(|d| d["status"] == "ok"));
    assert_eq!(out.documents[3]["bytes"], "نص مضغوط".len());
}

#[test]
fn truncated_gzip_keeps_what_was_read_and_reports_the_rest() {
    let dir = TestDir::new("truncated");
    let mut lines = String::new();
    for i in 0..2000 {
        lines.push_str(&format!("{{\"id\":{i},\"text\":\"سطر رقم {i} من الملف المضغوط\"}}\n"));
    }
    let gz = gzip(lines.as_bytes());
    dir.create("in/t.jsonl.gz", &gz[..gz.len() / 2]);
    dir.create("in/u.txt.gz", &gzip("نص كامل".as_bytes())[..10]);
    dir.create("in/v.txt.zst", b"not zstd at all");
    let out = dir.scan(&["in"]);
    let t: Vec<_> = out.documents.iter().filter(|d| d["input"] == "in/t.jsonl.gz").collect();
    let (last, read) = t.split_last().unwrap();
    assert!(read.len() > 100 && read.len() < 2000, "{}", read.len());
    assert!(read.iter().all(|d| d["status"] == "ok"));
    assert_eq!(last["status"], "error");
    let err = last["error"].as_str().unwrap();
    assert!(err.starts_with("in/t.jsonl.gz@") && err.contains("gzip"), "{err}");
    let u = out.doc("u");
    assert_eq!(u["status"], "error");
    assert!(u["error"].as_str().unwrap().starts_with("in/u.txt.gz@"));
    // Not zstd whatever its name says: read as the plain text it is (issue #19).
    let v = out.doc("v");
    assert_eq!((v["status"].as_str(), v["bytes"].as_u64()), (Some("ok"), Some(15)), "{v}");
}

#[test]
fn hidden_and_unknown_files_are_skipped_and_counted() {
    let dir = TestDir::new("hidden");
    dir.create("in/a.txt", "نص");
    dir.create("in/.hidden.txt", "نص");
    dir.create("in/.git/x.txt", "نص");
    dir.create("in/notes.csv", "x");
    let got = dir.sada().args(["scan", "--quiet", "--out", "out", "in"]).assert().success().get_output().clone();
    let out = util::Outputs::read(&dir.join("out"));
    assert_eq!(out.documents.len(), 1);
    assert_eq!(out.summary["skipped_hidden"], 2);
    assert_eq!(out.summary["skipped_unknown"], 1);
    // Each named on stderr, with why, in path order.
    let stderr = String::from_utf8_lossy(&got.stderr);
    let named: Vec<&str> = stderr.lines().filter(|l| l.starts_with("sada: skipped")).collect();
    assert_eq!(
        named,
        [
            "sada: skipped 'in/.git': hidden",
            "sada: skipped 'in/.hidden.txt': hidden",
            "sada: skipped 'in/notes.csv': not a type sada reads"
        ],
        "{stderr}"
    );
}
