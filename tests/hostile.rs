//! Hostile inputs (issue "No input takes a crawl down"): one bad page, file
//! or record costs itself, never the run, and is accounted for.
//!
//! Each case is generated here, small, and run through the built `sada`:
//! the exit code, and every record's line in `documents.jsonl` with its
//! status.

mod util;

use std::time::{Duration, Instant};

use util::{TestDir, record, response, seeds};

/// A page nested `depth` elements deep (`tag` opened `depth` times, closed
/// or not), with some text inside.
fn nested_page(tag: &str, depth: usize, closed: bool) -> String {
    let close = if closed { format!("</{tag}>").repeat(depth) } else { String::new() };
    format!("<html><body>{}deep text here{close}</body></html>", format!("<{tag}>").repeat(depth))
}

/// An ordinary page: a seed article in paragraphs.
fn article_page(i: usize) -> String {
    let (_, text) = &seeds()[i];
    let paras: String = text.lines().filter(|l| !l.trim().is_empty()).map(|l| format!("<p>{l}</p>\n")).collect();
    format!("<html><head><meta charset=\"utf-8\"></head><body><article>{paras}</article></body></html>")
}

/// The names in `dir`, sorted.
fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// The hidden names in `dir` (where staging directories and locks go).
fn hidden_entries(dir: &std::path::Path) -> Vec<String> {
    entries(dir).into_iter().filter(|n| n.starts_with('.')).collect()
}

#[test]
fn deeply_nested_pages_are_error_records_and_the_crawl_goes_on() {
    let dir = TestDir::new("hostile-nesting");
    let headers = "Content-Type: text/html; charset=utf-8\r\n";
    let mut warc = Vec::new();
    warc.extend(response("a", "https://a.example/1", headers, article_page(0).as_bytes()));
    // Each of these overflowed the stack (abort, no outputs) or took
    // seconds before the depth guard.
    let hostile = [("div", 32_000, false), ("fmt", 15_000, true), ("div", 20_000, false), ("b", 5_000, true)];
    for (k, &(tag, depth, closed)) in hostile.iter().enumerate() {
        let mut page = nested_page(tag, depth, closed);
        if k == 0 {
            // A stray quote in an unquoted value must not hide what follows.
            page = page.replacen("<body>", "<body><div a=x'>", 1);
        }
        warc.extend(response(&format!("h{k}"), &format!("https://h.example/{k}"), headers, page.as_bytes()));
    }
    // Nested within the limit: extracted as usual.
    let fine = nested_page("div", 200, true);
    warc.extend(response("fine", "https://f.example/1", headers, fine.as_bytes()));
    warc.extend(response("b", "https://b.example/2", headers, article_page(2).as_bytes()));
    warc.extend(record("warcinfo", "info", "", "Content-Type: application/warc-fields\r\n", b"software: t\r\n"));
    dir.create("crawl.warc", &warc);

    let started = Instant::now();
    let out = dir.scan(&["crawl.warc"]);
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());

    assert_eq!(out.documents.len(), 2 + hostile.len() + 1, "one line per response record");
    for k in 0..hostile.len() {
        let d = out.doc(&format!("<urn:uuid:h{k}>"));
        assert_eq!(d["status"], "error", "{d}");
        let error = d["error"].as_str().unwrap();
        assert!(error.contains("nested") && error.contains("crawl.warc@"), "{error}");
    }
    for id in ["<urn:uuid:a>", "<urn:uuid:b>", "<urn:uuid:fine>"] {
        assert_eq!(out.doc(id)["status"], "ok", "{}", out.doc(id));
    }
    assert!(out.summary["error"] == hostile.len() as u64, "{}", out.summary);
    // The two articles still share Lavrov's statement.
    assert!(!out.statements.is_empty());
}

#[test]
fn scanning_a_folder_twice_does_not_read_its_own_outputs() {
    let dir = TestDir::new("hostile-rescan");
    for (name, text) in seeds().iter().take(3) {
        dir.create(&format!("{name}.txt"), text);
    }
    let run = || {
        let got =
            dir.sada().current_dir(dir.path()).args(["scan", "--quiet", "."]).assert().success().get_output().clone();
        (String::from_utf8_lossy(&got.stderr).into_owned(), util::Outputs::read(&dir.join("sada-out")))
    };
    let (_, first) = run();
    let (stderr, second) = run();
    assert_eq!(first.documents, second.documents, "the second run read the same three files");
    assert_eq!(second.documents.len(), 3);
    assert!(stderr.contains("skipped './sada-out'"), "{stderr}");
    assert_eq!(second.summary["skipped_outputs"], 1);
    // Replaced whole: nothing of a staging directory or lock left beside it.
    let left = hidden_entries(dir.path());
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn an_out_that_is_not_sadas_is_refused_before_reading_and_left_alone() {
    let dir = TestDir::new("hostile-foreign-out");
    dir.create("a.txt", &seeds()[0].1);
    dir.create("mine/thesis.tex", "do not delete");
    let got = dir
        .sada()
        .args(["scan", "--quiet", "--out"])
        .arg(dir.join("mine"))
        .arg(dir.join("a.txt"))
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&got.stderr);
    assert!(stderr.contains("thesis.tex") && stderr.contains("new or empty directory"), "{stderr}");
    assert_eq!(dir.read("mine/thesis.tex"), "do not delete");
}

#[test]
fn a_failed_run_leaves_the_previous_outputs_whole() {
    let dir = TestDir::new("hostile-failed-run");
    dir.create("a.txt", &seeds()[0].1);
    dir.create("b.txt", &seeds()[2].1);
    let out = dir.join("out");
    dir.sada()
        .args(["scan", "--quiet", "--out"])
        .arg(&out)
        .arg(dir.join("a.txt"))
        .arg(dir.join("b.txt"))
        .assert()
        .success();
    let before = std::fs::read(out.join("statements.jsonl")).unwrap();
    // A run that fails after the output directory was taken (an input that
    // is missing is found when reading starts).
    dir.sada().args(["scan", "--quiet", "--out"]).arg(&out).arg(dir.join("missing.txt")).assert().code(2);
    assert_eq!(std::fs::read(out.join("statements.jsonl")).unwrap(), before);
    assert_eq!(entries(&out), ["clusters.jsonl", "documents.jsonl", "report.html", "statements.jsonl", "summary.json"]);
    let hidden = hidden_entries(dir.path());
    assert!(hidden.is_empty(), "no staging directory or lock left: {hidden:?}");
}

#[test]
fn empty_files_are_empty_records_whatever_their_compression() {
    let dir = TestDir::new("hostile-empty");
    for name in ["a.jsonl", "b.jsonl.gz", "c.jsonl.zst", "d.txt.gz", "e.warc.gz", "f.txt"] {
        dir.create(&format!("in/{name}"), b"");
    }
    let out = dir.scan(&["in"]);
    assert_eq!(out.documents.len(), 6, "{:?}", out.documents);
    for d in &out.documents {
        assert_eq!(d["status"], "empty", "{d}");
    }
}

#[test]
fn a_lone_surrogate_escape_is_a_replacement_character_not_a_lost_record() {
    let dir = TestDir::new("hostile-surrogate");
    // What Python's json.dumps writes for a string holding a lone surrogate.
    dir.create(
        "a.jsonl",
        "{\"id\": \"hi\", \"text\": \"before \\ud800 after\"}\n{\"id\": \"lo\", \"text\": \"x \\udc00\\ud83d\\ude00 y\"}\n",
    );
    let out = dir.scan(&["a.jsonl"]);
    for id in ["hi", "lo"] {
        assert_eq!(out.doc(id)["status"], "ok", "{}", out.doc(id));
    }
    assert_eq!(out.doc("hi")["tokens"], 2);
}

#[test]
fn out_of_range_parameters_and_empty_hostfiles_are_usage_errors() {
    let dir = TestDir::new("hostile-params");
    dir.create("a.txt", "نص قصير");
    dir.create("hosts", "# no host here\n\n");
    let cases: &[(&[&str], &str)] = &[
        (&["--max-gap", "4294967296"], "max-gap"),
        (&["--max-gap", "10001"], "max-gap"),
        (&["--min-words", "99999999999"], "min-words"),
        (&["--hosts", "hosts", "--process", "0"], "host:port"),
        (&["--hosts", "no-such-hostfile", "--process", "0"], "host:port"),
    ];
    for (args, says) in cases {
        let got = dir.sada().arg("scan").args(*args).arg("a.txt").assert().code(2).get_output().clone();
        let stderr = String::from_utf8_lossy(&got.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

#[test]
fn a_fifo_or_dev_stdin_given_explicitly_is_read_as_a_stream() {
    let dir = TestDir::new("hostile-fifo");
    let lines: String = seeds()
        .iter()
        .take(3)
        .map(|(name, text)| serde_json::json!({"id": name, "text": text}).to_string() + "\n")
        .collect();
    // /dev/stdin, as `sada scan /dev/stdin < x.jsonl` gives it.
    dir.sada().args(["scan", "--quiet", "--out", "o1", "/dev/stdin"]).write_stdin(lines.clone()).assert().success();
    let out = util::Outputs::read(&dir.join("o1"));
    assert_eq!(out.documents.len(), 3);
    assert!(out.documents.iter().all(|d| d["status"] == "ok" && d["input"] == "/dev/stdin"));

    // A named pipe whose name says JSONL, written while sada reads it.
    let fifo = dir.join("feed.jsonl");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let writer = {
        let (fifo, lines) = (fifo.clone(), lines.clone());
        std::thread::spawn(move || std::fs::write(fifo, lines).unwrap())
    };
    dir.sada().args(["scan", "--quiet", "--out"]).arg(dir.join("o2")).arg(&fifo).assert().success();
    writer.join().unwrap();
    let out = util::Outputs::read(&dir.join("o2"));
    assert_eq!(out.documents.len(), 3);
    assert!(out.documents.iter().all(|d| d["status"] == "ok"));

    // Met while walking a directory, a pipe is not opened (it could block)
    // but counted.
    let walked = dir.scan(&["."]);
    assert_eq!(walked.summary["skipped_unknown"], 1, "{}", walked.summary);
}

/// `sada scan` on `input` into `out`, killed with `signal` after `after`.
fn killed_scan(dir: &TestDir, input: &std::path::Path, out: &std::path::Path, signal: &str, after: Duration) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("sada"))
        .args(["scan", "--quiet", "--threads", "2", "--out"])
        .arg(out)
        .arg(input)
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let _ = std::process::Command::new("kill").args([signal, &child.id().to_string()]).status();
    child.wait().unwrap();
}

#[test]
fn a_scan_killed_at_any_moment_leaves_the_previous_outputs_whole() {
    let dir = TestDir::new("hostile-kill");
    // Enough text that a scan takes a while: the seeds, each reworded many
    // times.
    let mut rng = util::Rng(7);
    let mut lines = String::new();
    for k in 0..2_000 {
        let (_, text) = &seeds()[k % 5];
        let mut words: Vec<&str> = text.split_whitespace().collect();
        for _ in 0..10 {
            let (i, j) = (rng.below(words.len()), rng.below(words.len()));
            words.swap(i, j);
        }
        lines.push_str(&(serde_json::json!({"id": format!("d{k}"), "text": words.join(" ")}).to_string() + "\n"));
    }
    let input = dir.create("crawl.jsonl", lines);
    let out = dir.join("out");
    let started = Instant::now();
    dir.sada().args(["scan", "--quiet", "--out"]).arg(&out).arg(&input).assert().success();
    let full = started.elapsed();
    let names = entries(&out);
    let before: Vec<Vec<u8>> = names.iter().map(|n| std::fs::read(out.join(n)).unwrap()).collect();
    for (k, signal) in ["-KILL", "-INT", "-KILL", "-INT", "-KILL", "-INT", "-KILL", "-INT"].iter().enumerate() {
        // From right after the start to past the end of a full run.
        let after = full.mul_f64(rng.below(1_200) as f64 / 1_000.0);
        killed_scan(&dir, &input, &out, signal, after);
        assert_eq!(entries(&out), names, "kill {k} ({signal} after {after:?})");
        for (n, b) in names.iter().zip(&before) {
            let now = std::fs::read(out.join(n)).unwrap();
            // A run that finished before the signal wrote the same outputs
            // but for the timings in summary.json and report.html.
            if n == "report.html" {
                assert!(String::from_utf8(now.clone()).unwrap().trim_end().ends_with("</html>"), "whole page");
            } else if n != "summary.json" {
                assert!(now == *b, "kill {k} ({signal} after {after:?}): {n} changed");
            }
            if n.ends_with(".jsonl") {
                for line in String::from_utf8(now).unwrap().lines() {
                    serde_json::from_str::<serde_json::Value>(line).expect("whole lines");
                }
            }
        }
        serde_json::from_slice::<serde_json::Value>(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    }
    // What the killed runs left beside `out` (staging directories) goes
    // with the next run that completes.
    dir.sada().args(["scan", "--quiet", "--out"]).arg(&out).arg(&input).assert().success();
    let beside: Vec<String> = entries(dir.path()).into_iter().filter(|n| n.contains("sada-")).collect();
    assert!(beside.is_empty(), "left beside the outputs: {beside:?}");
}

#[test]
fn thousands_of_near_identical_pages_are_one_cluster() {
    // A soft-404 page or a cookie wall, 2,500 times with a few words
    // changed: past 2,000 documents the component used to break into
    // pieces (and, before that, cost gigabytes).
    let dir = TestDir::new("hostile-near-identical");
    let mut rng = util::Rng(17);
    let base: Vec<String> = (0..300).map(|_| format!("w{}", rng.below(3000))).collect();
    let mut lines = String::new();
    for i in 0..2500 {
        let mut words = base.clone();
        for _ in 0..3 {
            words[rng.below(300)] = format!("x{}", rng.below(3000));
        }
        lines.push_str(&format!("{{\"id\": \"p{i}\", \"text\": \"{}\"}}\n", words.join(" ")));
    }
    dir.create("pages.jsonl", lines);
    let out = dir.scan(&["pages.jsonl"]);
    assert_eq!(out.documents.len(), 2500);
    assert_eq!(out.clusters.len(), 1, "{:?}", out.summary);
    assert_eq!(out.summary["clustered_documents"], 2500);
}

#[test]
fn compression_bombs_and_huge_pages_are_error_records() {
    // A gzip body that decodes to 100 MB of markup used to be parsed whole
    // (3.4 GB for 200 MB); a page is now capped at 8 MiB of markup.
    let dir = TestDir::new("hostile-bombs");
    let piece = format!("<p>{}</p>\n", "bomb ".repeat(200));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..100_000_000 / piece.len() {
        std::io::Write::write_all(&mut gz, piece.as_bytes()).unwrap();
    }
    let bomb = gz.finish().unwrap();
    let html = "Content-Type: text/html; charset=utf-8\r\n";
    let gzipped = "Content-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n";
    let mut warc = Vec::new();
    warc.extend(response("a", "https://a.example/1", html, article_page(0).as_bytes()));
    warc.extend(response("bomb", "https://b.example/1", gzipped, &bomb));
    let huge =
        format!("<html><body>{}</body></html>", piece.repeat(9 << 20 >> 10).chars().take(9 << 20).collect::<String>());
    warc.extend(response("huge", "https://h.example/1", html, huge.as_bytes()));
    warc.extend(response("b", "https://a.example/2", html, article_page(1).as_bytes()));
    dir.create("crawl.warc", &warc);
    let started = Instant::now();
    let out = dir.scan(&["crawl.warc"]);
    assert!(started.elapsed() < Duration::from_secs(60));
    let statuses: Vec<(String, String)> = out
        .documents
        .iter()
        .map(|d| (d["id"].as_str().unwrap().to_string(), d["status"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(statuses.len(), 4, "{statuses:?}");
    for (id, status) in &statuses {
        let expected = if id.contains("bomb") || id.contains("huge") { "error" } else { "ok" };
        assert_eq!(status, expected, "{id}");
    }
    let errors: Vec<&str> = out.documents.iter().filter_map(|d| d["error"].as_str()).collect();
    assert!(errors.iter().any(|m| m.contains("once decoded")), "{errors:?}");
    assert!(errors.iter().any(|m| m.contains("MiB a page may have")), "{errors:?}");
}

/// `rec` with its WARC `Content-Length` made `by` bytes larger.
fn lengthened(rec: Vec<u8>, by: usize) -> Vec<u8> {
    let text = String::from_utf8(rec).unwrap();
    let at = text.find("\r\nContent-Length: ").unwrap() + "\r\nContent-Length: ".len();
    let end = at + text[at..].find("\r\n").unwrap();
    let len: usize = text[at..end].parse().unwrap();
    format!("{}{}{}", &text[..at], len + by, &text[end..]).into_bytes()
}

#[test]
fn a_content_length_too_large_loses_nothing() {
    // The first long record's length covers the next three records and half
    // of a fourth; the last one's runs past the next record and the end of
    // the file. Every record it swallowed used to vanish without a record of
    // its own; since issue #19 the long records themselves are read up to
    // the next record too, and say so.
    let dir = TestDir::new("hostile-length");
    let html = "Content-Type: text/html; charset=utf-8\r\n";
    let page =
        |i: usize| response(&format!("p{i}"), &format!("https://s{i}.example/a"), html, article_page(i % 5).as_bytes());
    let request = record("request", "q", "https://q.example/", "", b"GET / HTTP/1.1\r\n\r\n");
    let (p2, p3, p4) = (page(2), page(3), page(4));
    let swallowed = p2.len() + request.len() + p3.len() + p4.len() / 2;
    let mut warc = page(0);
    warc.extend(lengthened(page(5), swallowed));
    warc.extend(p2);
    warc.extend(&request);
    warc.extend(p3);
    warc.extend(p4);
    warc.extend(lengthened(page(6), 100_000));
    warc.extend(page(7));
    dir.create("crawl.warc", &warc);
    let out = dir.scan(&["crawl.warc"]);
    let status = |id: &str| {
        let d = out
            .documents
            .iter()
            .find(|d| d["id"].as_str().unwrap().contains(id))
            .unwrap_or_else(|| panic!("{id} lost"));
        (d["status"].as_str().unwrap().to_string(), d["error"].as_str().unwrap_or("").to_string())
    };
    for id in ["p0", "p2", "p3", "p4", "p7"] {
        assert_eq!(status(id).0, "ok", "{id}: {:?}", status(id));
    }
    let doc = |id: &str| out.documents.iter().find(|d| d["id"].as_str().unwrap().contains(id)).unwrap();
    for id in ["p5", "p6"] {
        let d = doc(id);
        assert_eq!(d["status"], "ok", "{id}: {d}");
        let note = d["recovered"].as_str().unwrap_or("");
        assert!(note.contains("runs past the next record, at offset") && note.ends_with("read up to it"), "{note}");
    }
    // p5 is p0's page: read up to the next record, it is all of it.
    assert_eq!(doc("p5")["bytes"], doc("p0")["bytes"]);
    assert_eq!(out.documents.len(), 7, "{:?}", out.documents);
    assert_eq!(out.summary["skipped_records"], 1);
}

#[test]
fn number_ids_are_kept_as_written() {
    // Read through f64, the first three were all `1e+23`.
    let dir = TestDir::new("hostile-ids");
    let ids = ["1e+23", "100000000000000000000000", "99999999999999999999999.9", "18446744073709551616", "-5", "7"];
    let lines: String =
        ids.iter().enumerate().map(|(i, id)| format!("{{\"id\": {id}, \"text\": \"words {i}\"}}\n")).collect();
    dir.create("ids.jsonl", lines);
    let out = dir.scan(&["ids.jsonl"]);
    let got: Vec<&str> = out.documents.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(got, ids);
}

#[test]
fn garbage_after_the_last_gzip_member_loses_nothing() {
    let dir = TestDir::new("hostile-gzip-trailer");
    let gz = |data: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut e, data).unwrap();
        e.finish().unwrap()
    };
    let mut jsonl = gz(b"{\"id\": \"a\", \"text\": \"one two three\"}\n");
    jsonl.extend(gz(b"{\"id\": \"b\", \"text\": \"four five six\"}\n"));
    jsonl.extend(b"\0\0\0\0 trailing log line\n");
    dir.create("in/a.jsonl.gz", &jsonl);
    let mut warc = gz(&response("w", "https://w.example/1", "Content-Type: text/html\r\n", article_page(2).as_bytes()));
    warc.extend(b"\0\0\0\0\0\0\0\0");
    dir.create("in/w.warc.gz", &warc);
    let mut text = gz("نص عربي قصير".as_bytes());
    text.extend(b"\0\0");
    dir.create("in/t.txt.gz", &text);
    let out = dir.scan(&["in"]);
    for id in ["a", "b", "t"] {
        assert_eq!(out.doc(id)["status"], "ok", "{}", out.doc(id));
    }
    assert!(out.documents.iter().any(|d| d["id"].as_str().unwrap().contains("urn:uuid:w") && d["status"] == "ok"));
    let notes: Vec<&str> = out.documents.iter().filter_map(|d| d["error"].as_str()).collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    for n in notes {
        assert!(n.contains("after the last gzip member are not gzip: ignored") && !n.contains("lost"), "{n}");
    }
}

#[test]
fn a_stray_gzip_magic_byte_at_a_buffer_edge_is_garbage_too() {
    // Whether a lone 0x1F after the last member began another one was told
    // from the bytes buffered: a member ending one byte before the reader's
    // 8 KiB buffer did made it "corrupt gzip data … is lost".
    let dir = TestDir::new("hostile-gzip-edge");
    let stored = |n: usize| {
        let line = format!("{{\"id\": \"x{n}\", \"text\": \"{}\"}}\n", "word ".repeat(n / 5));
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
        std::io::Write::write_all(&mut e, line.as_bytes()).unwrap();
        e.finish().unwrap()
    };
    let mut made = Vec::new();
    for n in 8_000..8_400 {
        let member = stored(n);
        if (8_185..=8_195).contains(&member.len()) && !made.iter().any(|m: &Vec<u8>| m.len() == member.len()) {
            made.push(member);
        }
    }
    assert!(made.iter().any(|m| m.len() == 8_191), "{:?}", made.iter().map(Vec::len).collect::<Vec<_>>());
    for (i, member) in made.iter().enumerate() {
        let mut file = member.clone();
        file.extend(b"\x1fjunk\n");
        dir.create(&format!("in/{i}.jsonl.gz"), &file);
    }
    let out = dir.scan(&["in"]);
    let ok = out.documents.iter().filter(|d| d["status"] == "ok").count();
    assert_eq!(ok, made.len(), "{:?}", out.documents);
    for d in out.documents.iter().filter(|d| d["status"] == "error") {
        let e = d["error"].as_str().unwrap();
        assert!(e.contains("6 bytes after the last gzip member are not gzip: ignored") && !e.contains("lost"), "{e}");
    }
}

#[test]
fn a_record_found_again_inside_a_wrong_length_keeps_its_line_ends() {
    // The first record's length ends inside the second's text, just before
    // a line end: the bytes read after the block while looking for its
    // blank line were not replayed, and the record came back as
    // "alphabeta gamma delta".
    let dir = TestDir::new("hostile-resync-eol");
    let a = record("conversion", "a", "https://a.example/1", "", b"one two three four");
    let b = record("conversion", "b", "https://b.example/1", "", b"alpha\r\nbeta gamma delta");
    let c = record("conversion", "c", "https://c.example/1", "", b"epsilon zeta eta theta");
    let cut = b.windows(5).position(|w| w == b"alpha").unwrap() + 5;
    // The block, its four-byte end, then B up to the end of "alpha".
    let mut warc = lengthened(a, 4 + cut);
    warc.extend(&b);
    warc.extend(&c);
    dir.create("crawl.warc", &warc);
    let out = dir.scan(&["crawl.warc"]);
    let doc = |id: &str| out.documents.iter().find(|d| d["id"].as_str().unwrap().contains(id)).unwrap().clone();
    // A itself is read up to B's header (issue #19), and says so.
    assert_eq!(doc("urn:uuid:a")["status"], "ok");
    assert!(doc("urn:uuid:a")["recovered"].as_str().unwrap().contains("runs past the next record"));
    for (id, tokens) in [("urn:uuid:a", 4), ("urn:uuid:b", 4), ("urn:uuid:c", 4)] {
        assert_eq!(doc(id)["status"], "ok", "{}", doc(id));
        assert_eq!(doc(id)["tokens"], tokens, "{}", doc(id));
    }
    // As read from an undamaged file.
    let clean = TestDir::new("hostile-resync-eol-clean");
    clean.create("b.warc", &b);
    assert_eq!(doc("urn:uuid:b")["bytes"], clean.scan(&["b.warc"]).documents[0]["bytes"]);
}

/// `n` characters drawn from `pool` (Han, kana or Thai letters).
fn letters(rng: &mut util::Rng, pool: std::ops::Range<u32>, n: usize) -> String {
    (0..n).map(|_| char::from_u32(pool.start + rng.below((pool.end - pool.start) as usize) as u32).unwrap()).collect()
}

#[test]
fn chinese_japanese_and_thai_near_duplicates_and_statements_are_found() {
    // Text without spaces used to be one token per clause: five changed
    // characters made two articles strangers, and a shared sentence was no
    // statement.
    let dir = TestDir::new("hostile-unspaced");
    let mut rng = util::Rng(5);
    let mut lines = String::new();
    for (script, pool) in [("han", 0x4E00..0x9FA0), ("kana", 0x3041..0x3097), ("thai", 0x0E01..0x0E2F)] {
        let shared = letters(&mut rng, pool.clone(), 40);
        let article: Vec<String> = (0..6).map(|_| letters(&mut rng, pool.clone(), 50)).collect();
        let text = article.join("。");
        let mut edited: Vec<char> = text.chars().collect();
        for k in 0..5 {
            edited[20 + 55 * k] = char::from_u32(pool.start).unwrap();
        }
        let edited: String = edited.into_iter().collect();
        let other =
            format!("{}。{shared}。{}", letters(&mut rng, pool.clone(), 80), letters(&mut rng, pool.clone(), 80));
        let quoting =
            format!("{}。{shared}。{}", letters(&mut rng, pool.clone(), 70), letters(&mut rng, pool.clone(), 90));
        for (id, source, t) in [
            ("a", "x.example", text),
            ("a2", "y.example", edited),
            ("o", "z.example", other),
            ("q", "w.example", quoting),
        ] {
            lines.push_str(&format!("{{\"id\": \"{script}-{id}\", \"source\": \"{source}\", \"text\": \"{t}\"}}\n"));
        }
    }
    dir.create("unspaced.jsonl", lines);
    let out = dir.scan(&["unspaced.jsonl"]);
    for script in ["han", "kana", "thai"] {
        let a = out.cluster_of(&format!("{script}-a"));
        assert!(a.is_some() && a == out.cluster_of(&format!("{script}-a2")), "{script}: {:?}", out.documents);
        let found = out.statements.iter().any(|s| {
            let docs: Vec<&str> =
                s["occurrences"].as_array().unwrap().iter().map(|o| o["doc"].as_str().unwrap()).collect();
            docs.contains(&format!("{script}-o").as_str()) && docs.contains(&format!("{script}-q").as_str())
        });
        assert!(found, "{script}: no statement for the shared sentence: {:?}", out.statements);
    }
}
