//! The archive quirks of issue #19, read by the built `sada`: what real
//! crawls hold that the WARC standard does not promise. Every archive is
//! built here, record by record, around the seed articles; no page of a
//! third party is committed.
//!
//! - `WARC-Target-URI: <http://…>` (wget): a URL all the same, its host the
//!   source;
//! - a wrong `Content-Length`, too short or too long: the record is read to
//!   the end of its data (the next record header, or the end of the file)
//!   and says so in `recovered`;
//! - a clipped gzip member: the records before the cut, and the one it cuts
//!   as far as it goes, then one error for the rest;
//! - compression told by the bytes, not the name; `.lz4` read;
//! - ARC files, read like the equivalent WARC;
//! - files and records skipped are named and counted on stderr.

mod util;

use std::io::Write;

use serde_json::Value;
use util::{Outputs, TestDir, record, response, seeds};

const HTML: &str = "Content-Type: text/html; charset=utf-8\r\n";

/// Seed article `i` as a small HTML page.
fn page(i: usize) -> String {
    let (_, text) = &seeds()[i];
    let body: String = text.lines().map(str::trim).filter(|l| !l.is_empty()).map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        "<!DOCTYPE html>\n<html><head><title>خبر {i}</title></head><body><article>\n{body}</article></body></html>\n"
    )
}

/// An HTTP 200 response of page `i` as a crawler stores it.
fn http_page(i: usize) -> Vec<u8> {
    let body = page(i);
    format!("HTTP/1.1 200 OK\r\n{HTML}Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn lz4(data: &[u8]) -> Vec<u8> {
    let mut e = lz4_flex::frame::FrameEncoder::new(Vec::new());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// `record` with its WARC Content-Length (the first one) changed by `delta`.
fn misdeclared(record: &[u8], delta: i64) -> Vec<u8> {
    let text = String::from_utf8(record.to_vec()).unwrap();
    let (head, rest) = text.split_once("Content-Length: ").unwrap();
    let (len, tail) = rest.split_once("\r\n").unwrap();
    let len = len.parse::<i64>().unwrap() + delta;
    format!("{head}Content-Length: {len}\r\n{tail}").into_bytes()
}

/// `id`, `status`, `bytes`, `tokens` and `title` of every document of `input`.
fn docs_of(out: &Outputs, input: &str) -> Vec<(String, String, u64, u64, String)> {
    out.documents
        .iter()
        .filter(|d| d["input"] == input)
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_string(),
                d["status"].as_str().unwrap().to_string(),
                d["bytes"].as_u64().unwrap(),
                d["tokens"].as_u64().unwrap(),
                d["title"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn text_of<'a>(d: &'a Value, key: &str) -> &'a str {
    d[key].as_str().unwrap_or("")
}

/// wget writes `WARC-Target-URI: <http://…>`: the URL is read without the
/// brackets, and its host is the source (it fell back to the record id).
#[test]
fn angle_bracketed_target_uri_is_a_url() {
    let dir = TestDir::new("arc-brackets");
    let uri = "http://www.example.com/news/1";
    let r = String::from_utf8(response("wget", uri, HTML, page(0).as_bytes())).unwrap();
    let r = r.replace(&format!("WARC-Target-URI: {uri}"), &format!("WARC-Target-URI: <{uri}>"));
    dir.create("in/wget.warc", r);
    let out = dir.scan(&["in"]);
    let d = out.doc("<urn:uuid:wget>");
    assert_eq!(
        (d["url"].as_str(), d["source"].as_str(), d["status"].as_str()),
        (Some(uri), Some("example.com"), Some("ok"))
    );
}

/// A Content-Length 2 bytes short, one that runs past the next record
/// header, one that runs past the end of the file: each record is read to
/// the end of its data, gives the text the correct record gives, and says
/// how it was recovered; the records after them are read as usual.
#[test]
fn wrong_content_lengths_are_read_to_the_end_of_the_data() {
    let dir = TestDir::new("arc-lengths");
    let uri = |i: usize| format!("https://www.alsumaria.tv/news/{i}");
    let good: Vec<Vec<u8>> = (0..5).map(|i| response(&format!("p{i}"), &uri(i), HTML, page(i).as_bytes())).collect();
    let bad = [
        good[0].clone(),
        misdeclared(&good[1], -2),
        misdeclared(&good[2], 700),
        good[3].clone(),
        misdeclared(&good[4], 5000),
    ];
    let starts: Vec<usize> = bad.iter().scan(0, |at, r| Some(std::mem::replace(at, *at + r.len()))).collect();
    dir.create("good/crawl.warc.gz", good.iter().flat_map(|r| gzip(r)).collect::<Vec<u8>>());
    dir.create("in/crawl.warc.gz", bad.iter().flat_map(|r| gzip(r)).collect::<Vec<u8>>());
    let expected = dir.scan(&["good"]);
    let out = dir.scan(&["in"]);
    assert_eq!(docs_of(&out, "in/crawl.warc.gz"), docs_of(&expected, "good/crawl.warc.gz"));
    assert!(out.documents.iter().all(|d| d["status"] == "ok"), "{:#?}", out.documents);
    let note = |i: usize| text_of(out.doc(&format!("<urn:uuid:p{i}>")), "recovered").to_string();
    for i in [0, 3] {
        assert_eq!(note(i), "", "a correct record is not recovered");
    }
    let at = |i: usize| format!("in/crawl.warc.gz@{}: Content-Length ", starts[i]);
    assert!(note(1).starts_with(&at(1)), "{}", note(1));
    assert!(note(1).ends_with(&format!("is 2 bytes short: read up to the next record, at offset {}", starts[2])));
    assert!(note(2).starts_with(&at(2)), "{}", note(2));
    assert!(note(2).ends_with(&format!("runs past the next record, at offset {}: read up to it", starts[3])));
    assert!(note(4).starts_with(&at(4)) && note(4).ends_with("read to the end of the file"), "{}", note(4));
    assert_eq!(out.summary["ok"], 5);
}

/// A `.warc.gz` of one gzip member clipped in the middle of a record's
/// body (the member has no end): the records before the cut are read, the
/// one it cuts as far as it goes (marked recovered), then one error names
/// the truncation and says what was lost.
#[test]
fn clipped_gzip_member_keeps_the_records_before_the_cut_and_the_cut_one() {
    let dir = TestDir::new("arc-clipped");
    let n = seeds().len();
    let records: Vec<Vec<u8>> = (0..8)
        .map(|i| response(&format!("r{i}"), &format!("https://example.iq/{i}"), HTML, page(i % n).as_bytes()))
        .collect();
    // Records 0-5 whole, then the WARC and HTTP headers and half the body
    // of record 6, flushed so that every byte written decodes: what a
    // download cut off in the middle of a single-member file leaves.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for r in &records[..6] {
        e.write_all(r).unwrap();
    }
    let cut_record = &records[6];
    let body_at = cut_record.windows(4).rposition(|w| w == b"\r\n\r\n").unwrap();
    let body_at = cut_record[..body_at].windows(4).rposition(|w| w == b"\r\n\r\n").unwrap();
    let cut = body_at + (cut_record.len() - body_at) / 2;
    e.write_all(&cut_record[..cut]).unwrap();
    e.flush().unwrap();
    let clipped = e.get_ref().clone();
    dir.create("in/one.warc.gz", &clipped);
    let out = dir.scan(&["in"]);
    let docs = &out.documents;
    assert_eq!(docs.len(), 8, "{docs:#?}");
    for (i, d) in docs[..7].iter().enumerate() {
        assert_eq!((d["id"].as_str(), d["status"].as_str()), (Some(format!("<urn:uuid:r{i}>").as_str()), Some("ok")));
        assert_eq!(d.get("recovered").is_some(), i == 6, "{d}");
    }
    let whole: usize = records[..6].iter().map(Vec::len).sum();
    let note = text_of(&docs[6], "recovered");
    assert!(note.starts_with(&format!("in/one.warc.gz@{whole}: the file is cut inside this record")), "{note}");
    assert!(docs[6]["tokens"].as_u64().unwrap() > 20, "{}", docs[6]);
    let e = text_of(&docs[7], "error");
    assert_eq!(docs[7]["id"], format!("in/one.warc.gz@{}", clipped.len()));
    assert!(
        e.contains("corrupt or truncated gzip data: unexpected end of file (offset in the compressed file)"),
        "{e}"
    );
    assert!(e.contains(&format!("the record at decompressed offset {whole} is cut there")), "{e}");
}

/// The compression is told by the bytes: gzip, zstd or LZ4 named `.warc`
/// is read decompressed, a plain file named `.warc.gz` as plain (a bad one
/// names its place in the file, not in a buffer); JSON lines and text alike.
#[test]
fn compression_is_told_by_the_bytes_not_the_name() {
    let dir = TestDir::new("arc-sniff");
    let warc = |id: &str| response(id, "https://rudaw.net/arabic/1", HTML, page(1).as_bytes());
    dir.create("in/gz.warc", gzip(&warc("gz")));
    dir.create("in/zst.warc", zstd::encode_all(&warc("zst")[..], 3).unwrap());
    dir.create("in/lz.warc", lz4(&warc("lz")));
    dir.create("in/plain.warc.gz", warc("plain-gz"));
    dir.create("in/plain.warc.zst", warc("plain-zst"));
    dir.create("in/crawl.warc.lz4", [lz4(&warc("lz4-a")), lz4(&warc("lz4-b"))].concat());
    dir.create("in/junk.warc.gz", b"this is neither gzip nor WARC\n");
    let line = serde_json::json!({"id": "j", "text": seeds()[2].1}).to_string();
    dir.create("in/lines.jsonl", gzip(line.as_bytes()));
    dir.create("in/plain.jsonl.gz", line.replace("\"j\"", "\"j2\""));
    dir.create("in/lines.jsonl.lz4", lz4(line.replace("\"j\"", "\"j3\"").as_bytes()));
    dir.create("in/t.txt", zstd::encode_all(seeds()[3].1.as_bytes(), 3).unwrap());
    let out = dir.scan(&["in"]);
    let ids = ["gz", "zst", "lz", "plain-gz", "plain-zst", "lz4-a", "lz4-b"];
    let reference = out.doc("<urn:uuid:gz>")["tokens"].clone();
    for id in ids {
        let d = out.doc(&format!("<urn:uuid:{id}>"));
        assert_eq!((d["status"].as_str(), &d["tokens"]), (Some("ok"), &reference), "{d}");
    }
    for id in ["j", "j2", "j3", "t"] {
        assert_eq!(out.doc(id)["status"], "ok", "{}", out.doc(id));
    }
    let junk = out.doc("in/junk.warc.gz@0");
    assert!(text_of(junk, "error").starts_with("in/junk.warc.gz@0: 30 bytes that are not a WARC record"), "{junk}");
    assert_eq!(out.documents.len(), ids.len() + 5);
}

/// An ARC file (version block, then `URL IP date type length` lines before
/// each HTTP response) gives the documents its WARC twin gives: the same
/// texts and titles, `url`, the Archive-date as WARC writes dates, the host
/// as source, `FILE@OFFSET` as id; the version block, `dns:` records, images
/// and errors skipped and counted. Version 2 header lines and `.arc.gz` read
/// the same; a wrong Archive-length is mended like a wrong Content-Length.
#[test]
fn arc_files_read_like_their_warc_twin() {
    let dir = TestDir::new("arc-arc");
    let pages: Vec<(String, Vec<u8>)> =
        (0..3).map(|i| (format!("http://www.alsumaria.tv/news/{i}"), http_page(i))).collect();
    let image = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n".to_vec();
    let missing = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<html>not here</html>".to_vec();
    let date = "20210305100000";

    // Records as (URL, content type, block); one ARC record a line + block + "\n".
    let mut records: Vec<(String, &str, Vec<u8>)> = vec![(
        "dns:www.alsumaria.tv".into(),
        "text/dns",
        b"20210305100000\nwww.alsumaria.tv. 300 IN A 10.0.0.1\n".to_vec(),
    )];
    records.extend(pages.iter().map(|(u, b)| (u.clone(), "text/html", b.clone())));
    records.insert(2, ("http://www.alsumaria.tv/logo.png".into(), "image/png", image));
    records.push(("http://www.alsumaria.tv/gone".into(), "text/html", missing));
    let arc_record = |v2: bool, (url, kind, block): &(String, &str, Vec<u8>), delta: i64| {
        let len = block.len() as i64 + delta;
        let line = match v2 {
            false => format!("{url} 10.0.0.1 {date} {kind} {len}\n"),
            true => format!("{url} 10.0.0.1 {date} {kind} 200 CHECKSUM - 0 test.arc {len}\n"),
        };
        [line.into_bytes(), block.clone(), b"\n".to_vec()].concat()
    };
    let version = |v2: bool| {
        let names = match v2 {
            false => "URL IP-address Archive-date Content-type Archive-length",
            true => {
                "URL IP-address Archive-date Content-type Result-code Checksum Location Offset Filename Archive-length"
            }
        };
        let block = format!("{} 0 sada-tests\n{names}\n", if v2 { 2 } else { 1 });
        format!("filedesc://test.arc 0.0.0.0 {date} text/plain {}\n{block}\n", block.len()).into_bytes()
    };
    let arc = |v2: bool, deltas: &[i64]| -> (Vec<Vec<u8>>, Vec<usize>) {
        let mut parts = vec![version(v2)];
        parts.extend(records.iter().zip(deltas).map(|(r, d)| arc_record(v2, r, *d)));
        let starts = parts.iter().scan(0, |at, p| Some(std::mem::replace(at, *at + p.len()))).collect();
        (parts, starts)
    };
    let none = [0; 6];
    let (v1, starts) = arc(false, &none);
    dir.create("in/a/test.arc", v1.concat());
    dir.create("in/b/test.arc.gz", v1.iter().flat_map(|p| gzip(p)).collect::<Vec<u8>>());
    let (v2, v2_starts) = arc(true, &none);
    dir.create("in/c/test.arc", v2.concat());
    let (bad, bad_starts) = arc(false, &[0, -2, 0, 300, 0, 0]);
    dir.create("in/d/test.arc", bad.concat());
    let warc: Vec<u8> =
        pages.iter().enumerate().flat_map(|(i, (u, b))| record("response", &format!("w{i}"), u, "", b)).collect();
    dir.create("in/twin.warc", warc);
    let out = dir.scan(&["in"]);

    let twin: Vec<_> = docs_of(&out, "in/twin.warc").into_iter().map(|(_, s, b, t, title)| (s, b, t, title)).collect();
    assert_eq!(twin.len(), 3);
    assert!(twin.iter().all(|d| d.0 == "ok" && d.2 > 50), "{twin:?}");
    let page_parts = [2, 4, 5]; // the pages among the parts (the version block is part 0)
    for (input, starts) in [("in/a/test.arc", &starts), ("in/b/test.arc.gz", &starts), ("in/c/test.arc", &v2_starts)] {
        let docs = docs_of(&out, input);
        let expected_ids: Vec<String> = page_parts.iter().map(|&p| format!("{input}@{}", starts[p])).collect();
        assert_eq!(docs.iter().map(|d| d.0.clone()).collect::<Vec<_>>(), expected_ids, "{input}");
        let texts: Vec<_> = docs.into_iter().map(|(_, s, b, t, title)| (s, b, t, title)).collect();
        assert_eq!(texts, twin, "{input}");
        for (i, id) in expected_ids.iter().enumerate() {
            let d = out.doc(id);
            assert_eq!(d["url"], pages[i].0);
            assert_eq!(d["date"], "2021-03-05T10:00:00Z");
            assert_eq!(d["source"], "alsumaria.tv");
            assert!(d.get("recovered").is_none());
        }
    }
    // Damaged lengths: 2 bytes short, and 300 too many (past the next record).
    let docs = docs_of(&out, "in/d/test.arc");
    let texts: Vec<_> = docs.iter().map(|(_, s, b, t, title)| (s.clone(), *b, *t, title.clone())).collect();
    assert_eq!(texts, twin);
    let note = |p: usize| text_of(out.doc(&format!("in/d/test.arc@{}", bad_starts[p])), "recovered").to_string();
    assert!(note(2).ends_with(&format!("is 2 bytes short: read up to the next record, at offset {}", bad_starts[3])));
    assert!(note(4).ends_with(&format!("runs past the next record, at offset {}: read up to it", bad_starts[5])));
    assert_eq!(note(5), "");
    // Per ARC file: the version block, dns, image and 404 skipped.
    assert_eq!(out.summary["skipped_records"], 4 * 4);
    assert_eq!(out.summary["ok"], 15);
    assert_eq!(out.summary["error"], 0);
}

/// Files skipped while walking are named on stderr with why (a `.bz2` as
/// a compression sada does not read), and a line counts them with the
/// archive records that are not documents: a directory whose only archive
/// holds none is no longer a bare "0 documents".
#[test]
fn skipped_files_and_records_are_named_and_counted() {
    let dir = TestDir::new("arc-skipped");
    dir.create("in/crawl.warc.bz2", b"BZh91AY&SY");
    dir.create("in/notes.csv", "a,b\n");
    let request = record("request", "q", "https://a.example/", "", b"GET / HTTP/1.1\r\n\r\n");
    let info = record("warcinfo", "i", "", "", b"software: test\r\n");
    dir.create("in/only.warc", [info, request].concat());
    let run = dir.sada().args(["scan", "--out", "out", "in"]).assert().success();
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(stderr.contains("skipped 'in/crawl.warc.bz2': compressed as .bz2, which sada does not read"), "{stderr}");
    assert!(stderr.contains("skipped 'in/notes.csv': not a type sada reads"), "{stderr}");
    assert!(stderr.contains("sada: 2 paths skipped, and 2 web-archive records that are not documents"), "{stderr}");
    let out = Outputs::read(&dir.join("out"));
    assert_eq!(
        (out.documents.len(), &out.summary["skipped_records"], &out.summary["skipped_unknown"]),
        (0, &2.into(), &2.into())
    );
    // Given by name, a type sada does not read is a usage error.
    dir.sada().args(["scan", "--out", "out2", "in/crawl.warc.bz2"]).assert().code(2);
    // An `.lz4` given by name is read.
    dir.create("lz/one.warc.lz4", lz4(&response("z", "https://a.example/", HTML, page(0).as_bytes())));
    let out = dir.scan(&["lz/one.warc.lz4"]);
    assert_eq!(out.doc("<urn:uuid:z>")["status"], "ok");
}
