//! `sada extract`: one line per input record with the text sada compares,
//! accounted as `sada scan` accounts it, streamed, and independent of the
//! thread count.

mod util;

use std::io::Read;

use serde_json::Value;
use util::{TestDir, mixed_corpus, read_jsonl, record, response};

/// Inputs of every kind sada reads, good and bad: JSONL with broken lines,
/// text files valid, invalid and empty, a WARC with an article, a page
/// without text, a request record (not a document) and a damaged record.
fn varied_inputs(dir: &TestDir) {
    mixed_corpus(dir);
    dir.create(
        "in/bad.jsonl",
        b"{\"id\":1,\"text\":\"\xd8\xa3 \xd8\xa8\"}\nnot json\n{\"id\":3}\n{\"id\":4,\"text\":\"  \"}\n",
    );
    dir.create("in/bad.txt", b"valid start \xff\xfe then junk");
    dir.create("in/empty.txt", "");
    let page = "<html><head><title>العنوان</title></head><body><article><h1>روسيا مستعدة</h1>\
                <p>قال وزير الخارجية الروسي إن موسكو مستعدة لتلبية طلبات العراق في مجال التسليح \
                والتعاون العسكري، وذلك في مؤتمر صحفي مشترك مع نظيره العراقي في موسكو.</p></article></body></html>";
    let mut warc =
        response("1", "http://news.example/a", "Content-Type: text/html; charset=utf-8\r\n", page.as_bytes());
    warc.extend(response("2", "http://news.example/b", "Content-Type: text/html\r\n", b"<html><body></body></html>"));
    warc.extend(record("request", "3", "http://news.example/a", "", b"GET /a HTTP/1.1\r\n\r\n"));
    warc.extend(b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: banana\r\n\r\nxx\r\n\r\n");
    dir.create("in/crawl.warc", warc);
}

fn extract_lines(dir: &TestDir, args: &[&str]) -> (Vec<u8>, String) {
    let out = dir.sada().arg("extract").args(args).assert().success().get_output().clone();
    (out.stdout, String::from_utf8(out.stderr).unwrap())
}

fn parse(bytes: &[u8]) -> Vec<Value> {
    std::str::from_utf8(bytes).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Every record of a scan is a line of `extract`, in the same order, with the
/// same identity, status, counts and error; the summary counts agree.
#[test]
fn extract_accounts_for_every_record_as_scan_does() {
    let dir = TestDir::new("extract-accounting");
    varied_inputs(&dir);
    let scan = dir.scan(&["in"]);
    let (stdout, stderr) = extract_lines(&dir, &["in"]);
    let lines = parse(&stdout);
    assert_eq!(lines.len(), scan.documents.len(), "{stderr}");
    for (x, d) in lines.iter().zip(&scan.documents) {
        for key in ["id", "source", "input", "url", "date", "title", "bytes", "tokens", "status", "error"] {
            assert_eq!(x[key], d[key], "{key} of {x} against {d}");
        }
        assert_eq!(x["text"].is_string(), d["status"] != "error", "{x}");
        if let Some(text) = x["text"].as_str() {
            assert_eq!(text.len() as u64, x["bytes"].as_u64().unwrap(), "{x}");
        }
    }
    let s = &scan.summary;
    let count = |status: &str| lines.iter().filter(|l| l["status"] == status).count() as u64;
    assert_eq!(
        (count("ok"), count("empty"), count("error")),
        (s["ok"].as_u64().unwrap(), s["empty"].as_u64().unwrap(), s["error"].as_u64().unwrap())
    );
    assert!(count("error") >= 4 && count("empty") >= 3, "the corpus has bad records: {stderr}");
    let summary =
        format!("{} records ({} ok, {} empty, {} error)", lines.len(), count("ok"), count("empty"), count("error"));
    assert!(stderr.contains(&summary), "{stderr}");
    assert!(stderr.contains("1 archive record skipped (not documents)"), "{stderr}");
    // The page's text is its article, headline included; its title is in `title`.
    let page = lines.iter().find(|l| l["url"] == "http://news.example/a").unwrap();
    assert!(page["text"].as_str().unwrap().contains("مستعدة لتلبية طلبات العراق"), "{page}");
    assert_eq!(page["source"], "news.example");
}

/// The output is byte-identical whatever the thread count, to standard
/// output or to a file.
#[test]
fn extract_does_not_depend_on_threads_or_destination() {
    let dir = TestDir::new("extract-threads");
    varied_inputs(&dir);
    let (one, _) = extract_lines(&dir, &["--threads", "1", "in"]);
    let (two, _) = extract_lines(&dir, &["--threads", "2", "--quiet", "in"]);
    assert_eq!(one, two);
    extract_lines(&dir, &["--threads", "2", "--quiet", "--out", "x.jsonl", "in"]);
    assert_eq!(std::fs::read(dir.join("x.jsonl")).unwrap(), one);
    assert_eq!(read_jsonl(&dir.join("x.jsonl")).len(), parse(&one).len());
}

/// Lines reach the reader while the input is still being read, and a reader
/// that stops early (`sada extract … | head`) ends the run quietly with
/// status 0.
#[test]
fn extract_streams_and_a_closed_pipe_exits_0() {
    let dir = TestDir::new("extract-pipe");
    let line = serde_json::json!({"text": "نص قصير عن الاجتماع في موسكو ".repeat(20)}).to_string();
    dir.create("in.jsonl", format!("{line}\n").repeat(20_000));
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("sada"))
        .current_dir(dir.path())
        .args(["extract", "--quiet", "--threads", "1", "in.jsonl"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = vec![0u8; 4096];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    // 20,000 lines of ~1 KB are far more than a pipe holds: lines come out
    // before the input is read to its end.
    assert!(child.try_wait().unwrap().is_none(), "the run ended before its output was read");
    let end = first.iter().position(|&b| b == b'\n').expect("a whole line in the first 4 KiB");
    let first: Value = serde_json::from_slice(&first[..end]).unwrap();
    assert_eq!(first["id"], "in.jsonl:1");
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?} {}", out.status, String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Wrong usage exits 2 and says what to do; a missing input leaves a
/// previous `--out` file untouched and no temporary file behind.
#[test]
fn extract_usage_errors_exit_2_and_keep_the_previous_output() {
    let dir = TestDir::new("extract-usage");
    dir.sada().args(["extract"]).assert().code(2);
    dir.create("x.jsonl", "previous\n");
    let out =
        dir.sada().args(["extract", "--out", "x.jsonl", "no/such/file.jsonl"]).assert().code(2).get_output().clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/file.jsonl"));
    assert_eq!(dir.read("x.jsonl"), "previous\n");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "{names:?}");
    dir.create("a.txt", "نص");
    std::fs::create_dir(dir.join("d")).unwrap();
    let out = dir.sada().args(["extract", "--out", "d", "a.txt"]).assert().code(2).get_output().clone();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is a directory"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `--out` naming a pipe (as `/dev/null` or `/dev/stdout` would: anything
/// that is not a regular file) writes into it and leaves it a pipe; staging
/// a temporary file and renaming it over the target would replace the
/// device with a plain file.
#[test]
fn extract_out_to_a_pipe_writes_through_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = TestDir::new("extract-fifo");
    dir.create("a.txt", "نص عربي قصير");
    let fifo = dir.join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut got = String::new();
            std::fs::File::open(&fifo).unwrap().read_to_string(&mut got).unwrap();
            got
        })
    };
    dir.sada().args(["extract", "--out", "fifo", "a.txt"]).assert().success();
    let lines = parse(reader.join().unwrap().as_bytes());
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["text"], "نص عربي قصير");
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
}

/// Paths skipped while walking are named on stderr and counted, as `scan`
/// names them.
#[test]
fn extract_names_what_it_skips() {
    let dir = TestDir::new("extract-skips");
    dir.create("in/a.txt", "نص عربي قصير");
    dir.create("in/notes.csv", "a,b");
    dir.create("in/.hidden.txt", "x");
    let (stdout, stderr) = extract_lines(&dir, &["in"]);
    assert_eq!(parse(&stdout).len(), 1);
    assert!(stderr.contains("skipped") && stderr.contains("notes.csv"), "{stderr}");
    assert!(stderr.contains("2 files skipped"), "{stderr}");
}
