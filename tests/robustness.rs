//! Broken and unusual inputs (issue #5), beyond those `tests/cli.rs` and
//! `tests/warc.rs` already cover (invalid UTF-8 in a text file and in a
//! JSONL line, empty and whitespace-only files, JSONL lines that are not
//! JSON, not objects or lack `text`, a gzip cut at an arbitrary point, a
//! `.zst` that is not zstd, WARC records with a wrong Content-Length).
//!
//! Each test asserts the exact accounting: the lines of `documents.jsonl`
//! (ids, statuses, the `FILE:LINE` / `FILE@OFFSET` an error names) and the
//! counts of `summary.json`; and that the run exits 0, as the contract says
//! for runs whose outputs were written.

mod util;

use std::io::Write;
use std::time::Instant;

use serde_json::Value;
use util::{Outputs, TestDir, seeds};

/// `(id, status)` of every line of documents.jsonl.
fn lines(out: &Outputs) -> Vec<(String, String)> {
    out.documents
        .iter()
        .map(|d| (d["id"].as_str().unwrap().to_string(), d["status"].as_str().unwrap().to_string()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn error_of(d: &Value) -> &str {
    d["error"].as_str().unwrap_or("")
}

/// `(documents, ok, empty, error)` of summary.json.
fn counts(out: &Outputs) -> (u64, u64, u64, u64) {
    let n = |k: &str| out.summary[k].as_u64().unwrap_or_else(|| panic!("summary.{k}"));
    (n("documents"), n("ok"), n("empty"), n("error"))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Binary files named `.txt` (PNG, GIF, UTF-16): one error naming the first
/// byte that is not UTF-8. A binary file that happens to be UTF-8 (NULs and
/// ASCII) is text: NUL and the other ASCII controls separate words like
/// punctuation.
#[test]
fn binary_files_named_txt() {
    let dir = TestDir::new("rb-binary");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0\x1f\xf3\xffa\0\0\0\0IEND\xaeB`\x82";
    dir.create("in/a_image.txt", png);
    // GIF89a, width 1, height 1, then the first byte above 0x7f at 10.
    dir.create("in/b_anim.txt", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04");
    dir.create("in/c_nuls.txt", b"\0\0\0\0abc\0\0def\0\x01\x02");
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("نص".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    dir.create("in/d_utf16.txt", utf16);
    let out = dir.scan(&["in"]);
    assert_eq!(
        lines(&out),
        pairs(&[("a_image", "error"), ("b_anim", "error"), ("c_nuls", "ok"), ("d_utf16", "error")])
    );
    let d = &out.documents;
    assert_eq!(error_of(&d[0]), "in/a_image.txt@0: invalid UTF-8");
    assert_eq!(error_of(&d[1]), "in/b_anim.txt@10: invalid UTF-8");
    assert_eq!(error_of(&d[3]), "in/d_utf16.txt@0: invalid UTF-8");
    assert_eq!((d[2]["bytes"].as_u64(), d[2]["tokens"].as_u64()), (Some(15), Some(2)));
    assert!(out.documents.iter().all(|d| d["input"].as_str().unwrap().starts_with("in/")));
    assert_eq!(counts(&out), (4, 1, 0, 3));
}

/// A `.jsonl.gz` cut in the middle of a line, after a point where all the
/// lines before it were flushed: every complete line is a record, the
/// partial line is not, and one error names the offset and the last good
/// line.
#[test]
fn gzip_cut_in_the_middle_of_a_line() {
    let dir = TestDir::new("rb-gzip-cut");
    let line = |i: usize| format!("{{\"id\":\"r{i}\",\"text\":\"سطر رقم {i} من ملف مضغوط قطع في منتصف سطر\"}}\n");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..30 {
        e.write_all(line(i).as_bytes()).unwrap();
    }
    e.flush().unwrap(); // a sync flush: the 30 lines can be decompressed from here on
    let half = line(30);
    e.write_all(&half.as_bytes()[..half.len() / 2]).unwrap();
    e.flush().unwrap();
    let cut = e.get_ref().len();
    for i in 31..60 {
        e.write_all(line(i).as_bytes()).unwrap();
    }
    let whole = e.finish().unwrap();
    assert!(whole.len() > cut);
    dir.create("in/cut.jsonl.gz", &whole[..cut]);
    let out = dir.scan(&["in"]);
    let mut expected: Vec<(String, String)> = (0..30).map(|i| (format!("r{i}"), "ok".to_string())).collect();
    // The whole (small) file was consumed when the decompressor hit its end.
    let at = format!("in/cut.jsonl.gz@{cut}");
    expected.push((at.clone(), "error".into()));
    assert_eq!(lines(&out), expected);
    let last = out.documents.last().unwrap();
    assert_eq!(
        error_of(last),
        format!(
            "{at}: corrupt or truncated gzip data: unexpected end of file; records after line 30 of this file are lost"
        )
    );
    assert_eq!(out.doc("r29")["bytes"], "سطر رقم 29 من ملف مضغوط قطع في منتصف سطر".len());
    assert_eq!(counts(&out), (31, 30, 0, 1));
}

/// A `.jsonl.zst` of three frames whose second frame is corrupt: the first
/// frame's records are kept, then one error for the rest of the file (the
/// third frame's records are lost with it: a zstd stream cannot be resumed).
#[test]
fn corrupt_zstd_frame_in_a_multi_frame_file() {
    let dir = TestDir::new("rb-zstd");
    let frame = |from: usize| {
        let text: String =
            (from..from + 3).map(|i| format!("{{\"id\":\"z{i}\",\"text\":\"نص الإطار رقم {i}\"}}\n")).collect();
        zstd::encode_all(text.as_bytes(), 3).unwrap()
    };
    let (f1, mut f2, f3) = (frame(0), frame(3), frame(6));
    // Valid file first: three frames read as one stream.
    dir.create("ok/all.jsonl.zst", [f1.clone(), f2.clone(), f3.clone()].concat());
    let out = dir.scan(&["ok"]);
    assert_eq!(lines(&out).len(), 9);
    assert!(out.documents.iter().all(|d| d["status"] == "ok"));

    f2[0] ^= 0xFF; // the frame's magic number
    let file = [f1.clone(), f2, f3].concat();
    dir.create("in/frames.jsonl.zst", &file);
    let out = dir.scan(&["in"]);
    let docs = &out.documents;
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids[..3], ["z0", "z1", "z2"], "{docs:#?}");
    assert_eq!(docs.len(), 4, "{docs:#?}");
    assert!(docs[..3].iter().all(|d| d["status"] == "ok"));
    let err = error_of(&docs[3]);
    let (place, message) = err.split_once(": ").unwrap();
    assert_eq!(docs[3]["id"], place);
    // The offset is how far the decompressor had read the file: past the
    // corrupt frame's start, not past the end.
    let at: usize = place.strip_prefix("in/frames.jsonl.zst@").unwrap().parse().unwrap();
    assert!(at > f1.len() && at <= file.len(), "{err}");
    assert!(
        message.starts_with("corrupt or truncated zstd data: ")
            && message.ends_with("; records after line 3 of this file are lost"),
        "{err}"
    );
    assert_eq!(counts(&out), (4, 3, 0, 1));
}

/// Duplicate ids, within a file and across files and formats, are all kept,
/// each its own line in input order; `input` tells them apart there.
///
/// Known problem, asserted as it is: `clusters.jsonl` and
/// `statements.jsonl` name documents by id only, so when ids repeat they do
/// not say which document they mean.
#[test]
fn duplicate_ids_are_all_kept() {
    let dir = TestDir::new("rb-dup");
    let seeds = seeds();
    let (t0, t2) = (&seeds[0].1, &seeds[2].1); // share Lavrov's statement
    let jl = |id: &str, text: &str| serde_json::json!({"id": id, "text": text}).to_string() + "\n";
    dir.create("in/a.jsonl", jl("dup", t0) + &jl("dup", t0));
    dir.create("in/b.jsonl", jl("dup", t2) + &jl("7", "نص قصير"));
    dir.create("in/c.jsonl", "{\"id\":7,\"text\":\"نص آخر قصير\"}\n");
    dir.create("in/x/same.txt", "نص الملف الأول");
    dir.create("in/y/same.txt", "نص الملف الثاني");
    let out = dir.scan(&["in"]);
    assert_eq!(
        lines(&out),
        pairs(&[("dup", "ok"), ("dup", "ok"), ("dup", "ok"), ("7", "ok"), ("7", "ok"), ("same", "ok"), ("same", "ok")])
    );
    let inputs: Vec<&str> = out.documents.iter().map(|d| d["input"].as_str().unwrap()).collect();
    assert_eq!(
        inputs,
        ["in/a.jsonl", "in/a.jsonl", "in/b.jsonl", "in/b.jsonl", "in/c.jsonl", "in/x/same.txt", "in/y/same.txt"]
    );
    assert_eq!(counts(&out), (7, 7, 0, 0));

    // The two copies in a.jsonl are one exact cluster, whose members are
    // both just "dup"; the third "dup" (b.jsonl) is not in it.
    assert_eq!(out.clusters.len(), 1, "{:#?}", out.clusters);
    let members: Vec<&str> =
        out.clusters[0]["members"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!((out.clusters[0]["kind"].as_str(), members), (Some("exact"), vec!["dup", "dup"]));
    assert_eq!(out.documents[0]["cluster"], 0);
    assert_eq!(out.documents[1]["cluster"], 0);
    assert!(out.documents[2].get("cluster").is_none());
    // The statement shared by a.jsonl and b.jsonl names "dup" on both sides.
    let quote = out
        .statements
        .iter()
        .find(|s| s["text"].as_str().unwrap().contains("علاقة روسيا مع العراق لا تمنع"))
        .expect("the shared statement is found");
    let docs: Vec<&str> = quote["occurrences"].as_array().unwrap().iter().map(|o| o["doc"].as_str().unwrap()).collect();
    assert!(docs.len() >= 2 && docs.iter().all(|d| *d == "dup"), "{quote}");
}

/// Fields present but empty count as absent (both found by fuzzing): an
/// empty `WARC-Record-ID` gives the id `FILE@OFFSET`, not `""`; a URL whose
/// host is only `www.` gives no source, so the source is the id, not `""`.
#[test]
fn empty_record_ids_and_hosts_fall_back() {
    let dir = TestDir::new("rb-empty-fields");
    let record = |fields: &str, text: &str| {
        format!("WARC/1.1\r\nWARC-Type: conversion\r\n{fields}Content-Length: {}\r\n\r\n{text}\r\n\r\n", text.len())
    };
    let first = record("WARC-Record-ID:\r\nWARC-Target-URI: https://www.example.iq/a\r\n", "نص أول");
    let second = record("WARC-Record-ID: <urn:b>\r\nWARC-Target-URI: https://www./b\r\n", "نص ثان");
    dir.create("in/a.wet", format!("{first}{second}"));
    dir.create("in/b.jsonl", "{\"id\":\"j\",\"text\":\"نص\",\"url\":\"https://www./\"}\n");
    let out = dir.scan(&["in"]);
    let got: Vec<(&str, &str, &str)> = out
        .documents
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d["source"].as_str().unwrap(), d["status"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [("in/a.wet@0", "example.iq", "ok"), ("<urn:b>", "<urn:b>", "ok"), ("j", "j", "ok")]);
    assert_eq!(counts(&out), (3, 3, 0, 0));
}

/// Deterministic filler: `words` pseudo-random Arabic words from a
/// vocabulary of 256, in lines of 20 words. Two seeds give texts with
/// (almost) no 5-gram in common.
fn big_text(words: usize, seed: u64) -> String {
    const STEMS: [&str; 16] = [
        "الحكومة",
        "العراقية",
        "وزير",
        "الخارجية",
        "بغداد",
        "موسكو",
        "مؤتمر",
        "صحفي",
        "الأوضاع",
        "استقرار",
        "علاقات",
        "الجوار",
        "النفط",
        "الأسواق",
        "المنتخب",
        "الوطني",
    ];
    const ENDINGS: [char; 16] = ['ب', 'ت', 'ث', 'ج', 'ح', 'خ', 'د', 'ذ', 'ر', 'ز', 'س', 'ش', 'ص', 'ض', 'ط', 'ظ'];
    let mut x = seed;
    let mut s = String::with_capacity(words * 16);
    for i in 0..words {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        if i > 0 {
            s.push(if i % 20 == 0 { '\n' } else { ' ' });
        }
        s.push_str(STEMS[(x >> 60) as usize]);
        s.push(ENDINGS[(x >> 56) as usize & 15]);
    }
    s
}

/// A 25 MB record, as a `.txt` and as one JSONL line: status ok, every byte
/// and word counted, no cluster between the two. The whole scan (statements
/// included) takes about 2 s with a release build and about 21 s with the
/// debug build `cargo test` uses (2 cores); set `SADA_SKIP_BIG=1` to skip it.
#[test]
fn a_25_mb_record_as_text_and_as_one_jsonl_line() {
    if std::env::var_os("SADA_SKIP_BIG").is_some() {
        eprintln!("SADA_SKIP_BIG set: skipped");
        return;
    }
    let dir = TestDir::new("rb-big");
    let words = 1_660_000; // ~15.1 bytes a word: 25 MB
    let (a, b) = (big_text(words, 1), big_text(words, 2));
    assert!(a.len() > 25_000_000 && b.len() > 25_000_000, "{} {}", a.len(), b.len());
    dir.create("in/big.txt", &a);
    dir.create("in/big.jsonl", format!("{{\"id\":\"big-line\",\"text\":{}}}\n", serde_json::to_string(&b).unwrap()));
    let t = Instant::now();
    let out = dir.scan(&["in"]);
    eprintln!("two 25 MB records scanned in {:.1} s", t.elapsed().as_secs_f64());
    assert_eq!(lines(&out), pairs(&[("big-line", "ok"), ("big", "ok")]));
    assert_eq!(out.doc("big")["bytes"], a.len());
    assert_eq!(out.doc("big")["tokens"], words);
    assert_eq!(out.doc("big-line")["bytes"], b.len());
    assert_eq!(out.doc("big-line")["tokens"], words);
    assert_eq!(counts(&out), (2, 2, 0, 0));
    assert_eq!(out.summary["tokens"], 2 * words);
    assert!(out.clusters.is_empty());
}

/// walkdir follows links: a directory link to its own ancestor, a link to
/// itself and a dangling link are each one skipped entry, not a hang or a
/// record; a link to a file is read like the file. Given on the command
/// line, a broken link is a missing input (exit 2).
#[cfg(unix)]
#[test]
fn symlink_loops_and_dangling_links() {
    use std::os::unix::fs::symlink;
    let dir = TestDir::new("rb-symlink");
    dir.create("in/a.txt", "نص أول");
    dir.create("in/sub/b.txt", "نص ثان");
    dir.create("elsewhere/c.txt", "نص ثالث");
    symlink("..", dir.join("in/sub/loop")).unwrap();
    symlink("self.txt", dir.join("in/self.txt")).unwrap();
    symlink("nowhere.txt", dir.join("in/gone.txt")).unwrap();
    symlink("../elsewhere/c.txt", dir.join("in/link.txt")).unwrap();
    let out = dir.scan(&["in"]);
    assert_eq!(lines(&out), pairs(&[("a", "ok"), ("link", "ok"), ("b", "ok")]));
    assert_eq!(out.doc("link")["input"], "in/link.txt");
    assert_eq!(out.summary["skipped_unknown"], 3, "the loop, the self-link and the dangling link");
    assert_eq!(counts(&out), (3, 3, 0, 0));
    let err =
        dir.sada().args(["scan", "--quiet", "--out", "o2", "in/gone.txt"]).assert().code(2).get_output().stderr.clone();
    assert!(String::from_utf8_lossy(&err).contains("in/gone.txt"));
    dir.sada().args(["scan", "--quiet", "--out", "o3", "in/self.txt"]).assert().code(2);
}

/// Files without read permission are one error record each, naming the
/// file; a directory without permission is a skipped entry. Root (or
/// CAP_DAC_OVERRIDE) reads them anyway, so the test detects that by trying
/// and skips itself.
#[cfg(unix)]
#[test]
fn unreadable_files_and_directories() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TestDir::new("rb-perm");
    dir.create("in/a.txt", "نص مقروء");
    let locked = [
        dir.create("in/b_secret.txt", "نص"),
        dir.create("in/c_secret.jsonl", "{\"id\":1,\"text\":\"نص\"}\n"),
        dir.create("in/d_secret.warc", "WARC/1.1\r\n"),
        dir.create("in/e_secret.jsonl.gz", gzip(b"{\"id\":1,\"text\":\"x\"}\n")),
    ];
    dir.create("in/f_locked/g.txt", "نص");
    let chmod = |p: &std::path::Path, mode| std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    for p in &locked {
        chmod(p, 0o000);
    }
    chmod(&dir.join("in/f_locked"), 0o000);
    if std::fs::File::open(&locked[0]).is_ok() {
        chmod(&dir.join("in/f_locked"), 0o755);
        eprintln!("running with permission to read anything (root?): skipped");
        return;
    }
    let out = dir.scan(&["in"]);
    chmod(&dir.join("in/f_locked"), 0o755); // so that the directory can be removed
    assert_eq!(
        lines(&out),
        pairs(&[
            ("a", "ok"),
            ("b_secret", "error"),
            ("in/c_secret.jsonl", "error"),
            ("in/d_secret.warc", "error"),
            ("in/e_secret.jsonl.gz", "error"),
        ])
    );
    for (d, name) in
        out.documents[1..].iter().zip(["b_secret.txt", "c_secret.jsonl", "d_secret.warc", "e_secret.jsonl.gz"])
    {
        assert_eq!(error_of(d), format!("in/{name}: cannot open: Permission denied (os error 13)"));
    }
    assert_eq!(out.summary["skipped_unknown"], 1, "the locked directory");
    assert_eq!(counts(&out), (5, 1, 0, 4));
}

/// JSONL with `\r\n`, `\n`, `\r\r\n` and no line end at the end of the file,
/// blank lines of `\r\n` and whitespace: line numbers count every line, and
/// no `\r` reaches a text. A lone `\r` does not end a line.
#[test]
fn jsonl_with_mixed_line_ends() {
    let dir = TestDir::new("rb-crlf");
    dir.create(
        "in/f.jsonl",
        concat!(
            "{\"id\":\"a\",\"text\":\"one\"}\r\n",
            "{\"id\":\"b\",\"text\":\"two\"}\n",
            "\r\n",
            "{bad\r\n",
            "{\"id\":\"c\",\"text\":\"three\\r\\nlines\"}\r\r\n",
            "  \t\r\n",
            "{\"id\":\"e\",\"text\":\"x\"}\r{\"id\":\"f\",\"text\":\"y\"}\n",
            "{\"id\":\"d\",\"text\":\"four\"}",
        ),
    );
    let out = dir.scan(&["in"]);
    assert_eq!(
        lines(&out),
        pairs(&[
            ("a", "ok"),
            ("b", "ok"),
            ("in/f.jsonl:4", "error"),
            ("c", "ok"),
            ("in/f.jsonl:7", "error"),
            ("d", "ok")
        ])
    );
    let bytes: Vec<u64> = out.documents.iter().map(|d| d["bytes"].as_u64().unwrap()).collect();
    assert_eq!(bytes, [3, 3, 0, "three\r\nlines".len() as u64, 0, 4]);
    assert!(error_of(&out.documents[2]).starts_with("in/f.jsonl:4: invalid JSON"));
    assert!(
        error_of(&out.documents[4]).starts_with("in/f.jsonl:7: invalid JSON: trailing characters"),
        "{}",
        error_of(&out.documents[4])
    );
    assert_eq!(counts(&out), (6, 4, 0, 2));
}

/// A UTF-8 byte-order mark: in a `.txt` it stays in the text as read (so
/// offsets remain offsets into the file) but is no word, so the file is the
/// same document as without it. At the start of a `.jsonl` it is not part of
/// line 1 (also compressed); anywhere else it is, and that line is not JSON.
#[test]
fn utf8_byte_order_marks() {
    let dir = TestDir::new("rb-bom");
    const BOM: &str = "\u{FEFF}";
    let (_, seed) = &seeds()[1];
    dir.create("in/a_bom.txt", format!("{BOM}{seed}"));
    dir.create("in/b_plain.txt", seed);
    let first = "{\"id\":\"j1\",\"text\":\"نص أول\"}\n";
    let second = "{\"id\":\"j2\",\"text\":\"نص ثان\"}\n";
    dir.create("in/c.jsonl", format!("{BOM}{first}{second}"));
    dir.create("in/d.jsonl.gz", gzip(format!("{BOM}{{\"id\":\"j3\",\"text\":\"نص\"}}\n").as_bytes()));
    dir.create("in/e_only_bom.jsonl", format!("{BOM}\r\n"));
    dir.create("in/f.jsonl", format!("{first}{BOM}{second}").replace("j1", "j4").replace("أول", "رابع"));
    let out = dir.scan(&["in"]);
    assert_eq!(
        lines(&out),
        pairs(&[
            ("a_bom", "ok"),
            ("b_plain", "ok"),
            ("j1", "ok"),
            ("j2", "ok"),
            ("j3", "ok"),
            ("in/e_only_bom.jsonl", "empty"),
            ("j4", "ok"),
            ("in/f.jsonl:2", "error"),
        ])
    );
    let (a, b) = (out.doc("a_bom"), out.doc("b_plain"));
    assert_eq!(a["bytes"].as_u64().unwrap(), seed.len() as u64 + 3);
    assert_eq!(a["tokens"], b["tokens"]);
    assert_eq!(out.clusters.len(), 1);
    assert_eq!(out.clusters[0]["kind"], "exact");
    assert_eq!((a["cluster"].as_u64(), b["cluster"].as_u64()), (Some(0), Some(0)));
    assert_eq!(out.doc("j1")["bytes"], "نص أول".len());
    assert!(error_of(&out.documents[7]).starts_with("in/f.jsonl:2: invalid JSON"));
    assert_eq!(counts(&out), (8, 6, 1, 1));
}

/// NUL in JSONL: raw inside a string is invalid JSON (a control character),
/// escaped as `\u0000` it is text and separates words, raw after the object
/// is trailing garbage.
#[test]
fn nul_bytes_in_jsonl() {
    let dir = TestDir::new("rb-nul");
    dir.create(
        "in/n.jsonl",
        b"{\"id\":\"raw\",\"text\":\"a\0b\"}\n{\"id\":\"esc\",\"text\":\"\xd9\x86\xd8\xb5\\u0000\xd9\x86\xd8\xb5\"}\n{\"id\":\"after\",\"text\":\"c\"}\0\n",
    );
    let out = dir.scan(&["in"]);
    assert_eq!(lines(&out), pairs(&[("in/n.jsonl:1", "error"), ("esc", "ok"), ("in/n.jsonl:3", "error")]));
    let d = &out.documents;
    assert!(
        error_of(&d[0]).starts_with(
            "in/n.jsonl:1: invalid JSON: control character (\\u0000-\\u001F) found while parsing a string"
        ),
        "{}",
        error_of(&d[0])
    );
    assert_eq!((d[1]["bytes"].as_u64(), d[1]["tokens"].as_u64()), (Some(9), Some(2)));
    assert!(error_of(&d[2]).starts_with("in/n.jsonl:3: invalid JSON: trailing characters"), "{}", error_of(&d[2]));
    assert_eq!(counts(&out), (3, 1, 0, 2));
}

/// Invalid UTF-8 in JSONL: in a field sada reads (`text`, `id`) the record is
/// an error naming the byte; in a field it ignores it costs nothing. CRLF
/// line ends and escapes read as in any other line.
#[test]
fn invalid_utf8_in_jsonl_fields() {
    let dir = TestDir::new("rb-utf8-fields");
    dir.create(
        "in/u.jsonl",
        b"{\"id\":\"text\",\"text\":\"\xd9\x86\xff\"}\n{\"id\":\"i\xc3\",\"text\":\"x\"}\n{\"id\":\"html\",\"html\":\"\xfe\",\"text\":\"\xd9\x86\xd8\xb5\\n\\u0646\"}\r\n",
    );
    let out = dir.scan(&["in"]);
    assert_eq!(lines(&out), pairs(&[("in/u.jsonl:1", "error"), ("in/u.jsonl:2", "error"), ("html", "ok")]));
    let d = &out.documents;
    assert_eq!(error_of(&d[0]), "in/u.jsonl:1: invalid UTF-8 at byte 23 of the line");
    assert_eq!(error_of(&d[1]), "in/u.jsonl:2: invalid UTF-8 at byte 8 of the line");
    assert_eq!((d[2]["bytes"].as_u64(), d[2]["tokens"].as_u64()), (Some(7), Some(2)));
}

/// A zero-byte `.gz` or `.zst` is an empty file, as a zero-byte `.jsonl`
/// is (one `empty` record each; issue "No input takes a crawl down"); a
/// `.warc.gz` that is not gzip at all is read as plain (issue #19): here a
/// WARC header the file ends inside, one error at its offset.
#[test]
fn zero_byte_and_not_compressed_files() {
    let dir = TestDir::new("rb-zero");
    dir.create("in/a.jsonl.gz", b"");
    dir.create("in/b.txt.zst", b"");
    dir.create("in/c.warc.gz", b"");
    dir.create("in/d.warc.gz", b"WARC/1.1\r\nnot gzip at all\r\n");
    let out = dir.scan(&["in"]);
    assert_eq!(
        lines(&out),
        pairs(&[("in/a.jsonl.gz", "empty"), ("b", "empty"), ("in/c.warc.gz", "empty"), ("in/d.warc.gz@0", "error")])
    );
    let errors: Vec<&str> = out.documents.iter().map(error_of).collect();
    assert!(errors[3].starts_with("in/d.warc.gz@0: the file ends inside a WARC header"), "{}", errors[3]);
    assert_eq!(counts(&out), (4, 0, 3, 1));
}

/// `sada sign` gives every broken input one record too, and exits 0.
#[test]
fn sign_accounts_for_broken_inputs_like_scan() {
    let dir = TestDir::new("rb-sign");
    dir.create("in/a.txt", b"\x89PNG\r\n\x1a\n\0\0");
    dir.create("in/b.jsonl", "\u{FEFF}{\"id\":\"x\",\"text\":\"نص\"}\r\nnot json\r\n{\"id\":\"x\",\"text\":\"نص\"}\n");
    dir.create("in/c.jsonl.gz", &gzip(b"{\"id\":\"y\",\"text\":\"z\"}\n")[..15]);
    dir.create("in/d.txt", "");
    let scan = dir.scan(&["in"]);
    dir.sada().args(["sign", "--quiet", "--format", "jsonl", "--out", "sig.jsonl", "in"]).assert().success();
    let sig = util::read_jsonl(&dir.join("sig.jsonl"));
    let ids = |v: &[Value]| v.iter().map(|d| (d["id"].clone(), d["status"].clone())).collect::<Vec<_>>();
    assert_eq!(ids(&sig), ids(&scan.documents));
    assert_eq!(lines(&scan).len(), 6, "{:?}", lines(&scan));
}
