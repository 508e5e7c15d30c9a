//! Web archives as input (issue #5): `.warc` crawls and `.wet` text
//! extracts, read by the built `sada`.
//!
//! The archives are built here, record by record (correct Content-Length
//! unless a test breaks it on purpose, one gzip member per record as
//! crawlers write them), from HTML pages that wrap the seed articles in a
//! news site's template: menus, scripts, styles, a sidebar, a search form
//! and a footer, the same on every page, so that any template text that
//! leaked into a document would surface as a recycled statement.
//!
//! What is checked: the accounting of `documents.jsonl` (one line per
//! response or conversion record, none for requests, warcinfo, metadata,
//! revisits or images; one error line, named `FILE@OFFSET`, per damaged
//! stretch), charsets (declared in HTTP, in the page, or nowhere), and the
//! acceptance case: Lavrov's quote found across two hosts, one serving
//! windows-1256, with no template text in any statement, and the WET copy of
//! a page in the same cluster as the page.

mod util;

use std::collections::BTreeSet;
use std::io::Write;

use serde_json::Value;
use util::{Outputs, TestDir, record, response, seeds};

const SEED_000: usize = 0;
const SEED_002: usize = 2;

/// Lavrov's statement, word for word in seeds 000 and 002.
const QUOTE: &str = "علاقة روسيا مع العراق لا تمنع";

/// Text of the site template; none of it may reach a document.
const TEMPLATE_TEXT: [&str; 7] =
    ["MENU_MARKER", "SCRIPT_MARKER", "STYLE_MARKER", "SIDEBAR_MARKER", "FORM_MARKER", "FOOTER_MARKER", "HEADER_MARKER"];

/// An HTML news page: the site template around `paragraphs`. `head` goes
/// into `<head>` (a charset declaration, say). The menu, sidebar and footer
/// are long enough to make statements if they leaked.
fn page(head: &str, title: &str, paragraphs: &[&str]) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"ar\" dir=\"rtl\">\n<head>{head}<title>{title}</title>\n\
         <style>/* STYLE_MARKER */ body {{ direction: rtl }} .menu li {{ display: inline }}</style>\n\
         <script>var SCRIPT_MARKER = {{ section: \"الرئيسية\", ads: true }}; document.write(\"إعلان\");</script>\n\
         </head>\n<body>\n<header><div class=\"logo\">HEADER_MARKER الموقع الإخباري الأول في العراق والعالم العربي</div></header>\n\
         <nav class=\"menu\"><ul><li><a href=\"/\">الرئيسية</a></li><li><a href=\"/iraq\">أخبار العراق</a></li>\
         <li><a href=\"/arab\">عربي ودولي</a></li><li><a href=\"/econ\">اقتصاد وأعمال</a></li>\
         <li><a href=\"/sport\">رياضة محلية وعالمية</a></li><li><a href=\"/culture\">ثقافة وفنون</a></li>\
         <li>MENU_MARKER</li></ul></nav>\n<div class=\"container\"><article>\n<h1>{title}</h1>\n"
    );
    for p in paragraphs {
        html.push_str(&format!("<p>{p}</p>\n"));
    }
    html.push_str(
        "</article>\n<aside class=\"sidebar\"><h3>الأكثر قراءة SIDEBAR_MARKER</h3><ul>\
         <li><a href=\"/1\">ارتفاع أسعار النفط في الأسواق العالمية خلال تعاملات اليوم</a></li>\
         <li><a href=\"/2\">المنتخب الوطني يستعد لمواجهة حاسمة في التصفيات المؤهلة</a></li></ul></aside></div>\n\
         <form action=\"/search\"><label>FORM_MARKER ابحث في الموقع</label><input name=\"q\"><button>بحث</button></form>\n\
         <footer>FOOTER_MARKER جميع الحقوق محفوظة للموقع الإخباري الأول في العراق والعالم العربي ٢٠٢١ \
         <a href=\"/about\">من نحن</a> <a href=\"/contact\">اتصل بنا</a></footer>\n\
         <script>SCRIPT_MARKER.track(\"pageview\");</script>\n</body>\n</html>\n",
    );
    html
}

/// The non-blank lines of a seed article: its paragraphs.
fn paragraphs(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

/// The seed article `i` as a page of the site.
fn seed_page(i: usize, head: &str) -> String {
    let (_, text) = &seeds()[i];
    let paras = paragraphs(text);
    page(head, paras[0], &paras[1..])
}

/// Encodes `s` as windows-1256, as Arabic sites still serve.
fn cp1256(s: &str) -> Vec<u8> {
    encoding_rs::WINDOWS_1256.encode(s).0.into_owned()
}

/// The `request` record a crawler writes before a response.
fn request(id: &str, uri: &str) -> Vec<u8> {
    let block = format!("GET {uri} HTTP/1.1\r\nUser-Agent: test\r\n\r\n");
    record("request", id, uri, "Content-Type: application/http; msgtype=request\r\n", block.as_bytes())
}

fn warcinfo() -> Vec<u8> {
    record("warcinfo", "info", "", "Content-Type: application/warc-fields\r\n", b"software: sada-tests\r\n")
}

/// A `conversion` record, as in Common Crawl's WET files.
fn conversion(id: &str, uri: &str, text: &str) -> Vec<u8> {
    record("conversion", id, uri, "Content-Type: text/plain\r\n", text.as_bytes())
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A `.warc.gz`: one gzip member per record.
fn gzip_members(records: &[Vec<u8>]) -> Vec<u8> {
    records.iter().flat_map(|r| gzip(r)).collect()
}

fn ids(out: &Outputs, input: &str) -> Vec<String> {
    out.documents.iter().filter(|d| d["input"] == input).map(|d| d["id"].as_str().unwrap().to_string()).collect()
}

fn error_of(d: &Value) -> &str {
    d["error"].as_str().unwrap_or("")
}

const HOST_A: &str = "https://www.alsumaria.tv/news/1";
const HOST_B: &str = "https://rudaw.net/arabic/2";

/// The four ways a page's charset can be known: documents, by id, whose
/// text is the same article, so they form one exact cluster exactly when
/// every charset was read right.
#[test]
fn charsets_from_header_meta_or_detection_give_the_same_text() {
    let dir = TestDir::new("warc-charsets");
    let article = 3; // seed 003: long enough to be recognized as Arabic
    let utf8 = seed_page(article, "<meta charset=\"utf-8\">");
    let header_only = cp1256(&seed_page(article, ""));
    let meta_only =
        cp1256(&seed_page(article, "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1256\">"));
    let undeclared = cp1256(&seed_page(article, ""));
    let f = [
        response("utf8", HOST_A, "Content-Type: text/html; charset=UTF-8\r\n", utf8.as_bytes()),
        response("header", HOST_B, "Content-Type: text/html; charset=windows-1256\r\n", &header_only),
        response("meta", "http://www.example.iq/3", "Content-Type: text/html\r\n", &meta_only),
        response("none", "http://news.example.sa/4", "Content-Type: text/html\r\n", &undeclared),
    ];
    dir.create("in/crawl.warc", f.concat());
    let out = dir.scan(&["in"]);
    assert_eq!(out.documents.len(), 4);
    let docs = ["<urn:uuid:utf8>", "<urn:uuid:header>", "<urn:uuid:meta>", "<urn:uuid:none>"];
    for id in docs {
        assert_eq!(out.doc(id)["status"], "ok", "{id}");
    }
    assert_eq!(out.clusters.len(), 1, "{:#?}", out.clusters);
    assert_eq!(out.clusters[0]["kind"], "exact", "same text once decoded: {:#?}", out.clusters);
    let members: BTreeSet<&str> =
        out.clusters[0]["members"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(members, BTreeSet::from(docs));
    assert_eq!(out.doc("<urn:uuid:header>")["source"], "rudaw.net");
    assert_eq!(out.doc("<urn:uuid:utf8>")["source"], "alsumaria.tv");
}

/// Only responses with HTML or text bodies and conversion records are
/// documents; the rest are skipped without a line. Ids, sources, inputs and
/// dates come from the WARC header.
#[test]
fn only_text_responses_and_conversions_are_documents() {
    let dir = TestDir::new("warc-kinds");
    let html = seed_page(1, "<meta charset=\"utf-8\">");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR binary";
    let f = [
        warcinfo(),
        request("req", HOST_A),
        response("page", HOST_A, "Content-Type: text/html; charset=utf-8\r\n", html.as_bytes()),
        record("metadata", "meta", HOST_A, "Content-Type: application/warc-fields\r\n", b"fetchTimeMs: 120\r\n"),
        request("req2", "https://www.alsumaria.tv/logo.png"),
        response("image", "https://www.alsumaria.tv/logo.png", "Content-Type: image/png\r\n", png),
        response("pdf", "https://www.alsumaria.tv/a.pdf", "Content-Type: application/pdf\r\n", b"%PDF-1.4 ..."),
        record("revisit", "again", HOST_A, "WARC-Profile: identical-payload-digest\r\n", b""),
        response("plain", HOST_B, "Content-Type: text/plain; charset=utf-8\r\n", "نص عادي من الموقع".as_bytes()),
    ];
    dir.create("in/crawl.warc.gz", gzip_members(&f));
    dir.create("in/text.warc.wet", [warcinfo(), conversion("wet", HOST_B, "نص مستخرج من الصفحة")].concat());
    let out = dir.scan(&["in"]);
    assert_eq!(ids(&out, "in/crawl.warc.gz"), ["<urn:uuid:page>", "<urn:uuid:plain>"]);
    assert_eq!(ids(&out, "in/text.warc.wet"), ["<urn:uuid:wet>"]);
    assert_eq!(out.documents.len(), 3);
    assert!(out.documents.iter().all(|d| d["status"] == "ok"), "{:#?}", out.documents);
    let page = out.doc("<urn:uuid:page>");
    assert_eq!(page["source"], "alsumaria.tv");
    assert_eq!(page["date"], "2021-03-05T10:00:00Z");
    assert!(page["tokens"].as_u64().unwrap() > 100, "{page}");
    assert_eq!(out.doc("<urn:uuid:plain>")["bytes"], "نص عادي من الموقع".len());
    assert_eq!(out.doc("<urn:uuid:wet>")["source"], "rudaw.net");
    assert_eq!(out.doc("<urn:uuid:wet>")["bytes"], "نص مستخرج من الصفحة".len());
}

/// Damage costs one error line each, at the record's offset, and reading
/// goes on after it: bytes between records that are not a record, a WET text
/// that is not UTF-8. A wrong Content-Length is mended (issue #19): too short,
/// the record is read up to the next `WARC/1.` line; running past the end of
/// the file, to its end; either says so in `recovered`, at its offset.
#[test]
fn damaged_records_are_one_error_each_at_their_offset() {
    let dir = TestDir::new("warc-damage");
    let good = |id: &str, text: &str| conversion(id, HOST_A, text);
    let mut f = good("a", "السجل الأول سليم");
    let short_at = f.len();
    let short = String::from_utf8(good("short", "سجل طوله المعلن أقصر من الحقيقة")).unwrap();
    let real_len = "سجل طوله المعلن أقصر من الحقيقة".len();
    f.extend(
        short.replace(&format!("Content-Length: {real_len}"), &format!("Content-Length: {}", real_len - 9)).bytes(),
    );
    f.extend(good("b", "السجل الثاني سليم"));
    let garbage_at = f.len();
    f.extend(b"<html>leftover bytes of a broken crawler</html>\r\n\r\n");
    f.extend(good("c", "السجل الثالث سليم"));
    let utf8_at = f.len();
    f.extend(record("conversion", "latin", HOST_B, "", b"caf\xe9 au lait"));
    let long_at = f.len();
    let long = String::from_utf8(good("long", "سجل طوله المعلن أطول")).unwrap();
    let real_len = "سجل طوله المعلن أطول".len();
    f.extend(long.replace(&format!("Content-Length: {real_len}"), "Content-Length: 5000").bytes());
    dir.create("in/damaged.wet", f);

    let out = dir.scan(&["in"]);
    let docs = &out.documents;
    let summary: Vec<(&str, &str)> =
        docs.iter().map(|d| (d["id"].as_str().unwrap(), d["status"].as_str().unwrap())).collect();
    let garbage_id = format!("in/damaged.wet@{garbage_at}");
    assert_eq!(
        summary,
        [
            ("<urn:uuid:a>", "ok"),
            ("<urn:uuid:short>", "ok"),
            ("<urn:uuid:b>", "ok"),
            (garbage_id.as_str(), "error"),
            ("<urn:uuid:c>", "ok"),
            ("<urn:uuid:latin>", "error"),
            ("<urn:uuid:long>", "ok"),
        ]
    );
    let err = |i: usize| error_of(&docs[i]);
    let recovered = |i: usize| docs[i]["recovered"].as_str().unwrap_or("");
    assert_eq!(docs[1]["bytes"], "سجل طوله المعلن أقصر من الحقيقة".len());
    assert!(
        recovered(1).starts_with(&format!("in/damaged.wet@{short_at}: ")) && recovered(1).contains("9 bytes short"),
        "{}",
        recovered(1)
    );
    assert!(err(3).starts_with(&format!("{garbage_id}: ")) && err(3).contains("not a WARC record"), "{}", err(3));
    assert!(err(5).starts_with(&format!("in/damaged.wet@{utf8_at}: ")) && err(5).contains("UTF-8"), "{}", err(5));
    assert_eq!(docs[6]["bytes"], "سجل طوله المعلن أطول".len());
    assert!(
        recovered(6).starts_with(&format!("in/damaged.wet@{long_at}: ")) && recovered(6).contains("past the end"),
        "{}",
        recovered(6)
    );
    assert!(docs.iter().enumerate().all(|(i, d)| d.get("recovered").is_some() == (i == 1 || i == 6)));
    assert_eq!(out.summary["error"], 2);
    assert_eq!(out.summary["ok"], 5);
}

/// A `.warc.gz` cut in the middle keeps the records before the cut and ends
/// with one error naming the gzip problem and its place.
#[test]
fn truncated_warc_gz_keeps_what_was_read() {
    let dir = TestDir::new("warc-truncated");
    let records: Vec<Vec<u8>> = (0..40)
        .map(|i| {
            let body =
                page("<meta charset=\"utf-8\">", &format!("خبر رقم {i}"), &[&format!("نص الخبر رقم {i} من الأرشيف")]);
            response(
                &format!("r{i:02}"),
                &format!("https://example.iq/{i}"),
                "Content-Type: text/html\r\n",
                body.as_bytes(),
            )
        })
        .collect();
    let gz = gzip_members(&records);
    dir.create("in/cut.warc.gz", &gz[..gz.len() / 2]);
    let out = dir.scan(&["in"]);
    let (last, read) = out.documents.split_last().unwrap();
    assert!(read.len() > 5 && read.len() < 40, "{}", read.len());
    for (i, d) in read.iter().enumerate() {
        assert_eq!(d["id"], format!("<urn:uuid:r{i:02}>"));
        assert_eq!(d["status"], "ok");
    }
    assert_eq!(last["status"], "error");
    let e = error_of(last);
    assert!(e.starts_with("in/cut.warc.gz@") && e.contains("gzip") && e.contains("lost"), "{e}");
}

/// A WARC file without a single record is one empty document, like an
/// empty JSONL file; one holding only non-documents has no line at all.
#[test]
fn empty_archives() {
    let dir = TestDir::new("warc-empty");
    dir.create("in/a.warc", "");
    dir.create("in/b.warc", warcinfo());
    let out = dir.scan(&["in"]);
    assert_eq!(out.documents.len(), 1);
    assert_eq!(out.documents[0]["id"], "in/a.warc");
    assert_eq!(out.documents[0]["status"], "empty");
}

/// The acceptance test of issue #5. Seeds 000 and 002 as pages of two
/// sites (002's in windows-1256, declared only in its HTTP header), the
/// other seeds as more pages, in a `.warc.gz`; a `.wet` holds the text of
/// page 000 as a crawler extracted it. Lavrov's recycled quote is found
/// across the two hosts, no template text is in any statement, and the WET
/// copy of page 000 clusters with the page.
#[test]
fn recycled_quote_across_hosts_in_warc_and_wet() {
    let dir = TestDir::new("warc-acceptance");
    let seeds = seeds();
    let mut records = vec![warcinfo()];
    for (i, (name, _)) in seeds.iter().enumerate() {
        let (uri, http, body) = match i {
            SEED_002 => (
                format!("{HOST_B}/{name}"),
                "Content-Type: text/html; charset=windows-1256\r\n",
                cp1256(&seed_page(i, "")),
            ),
            _ => (
                format!("{HOST_A}/{name}"),
                "Content-Type: text/html; charset=utf-8\r\n",
                seed_page(i, "<meta charset=\"utf-8\">").into_bytes(),
            ),
        };
        records.push(request(&format!("req-{i}"), &uri));
        records.push(response(&format!("page-{i}"), &uri, http, &body));
    }
    dir.create("in/crawl.warc.gz", gzip_members(&records));
    let (name_000, text_000) = &seeds[SEED_000];
    let wet_text = paragraphs(text_000).join("\n");
    let wet = [warcinfo(), conversion("wet-0", &format!("{HOST_A}/{name_000}"), &wet_text)].concat();
    dir.create("in/crawl.warc.wet.gz", gzip(&wet));

    let out = dir.scan(&["in"]);
    assert_eq!(out.documents.len(), seeds.len() + 1);
    assert!(out.documents.iter().all(|d| d["status"] == "ok"), "{:#?}", out.documents);

    // The quote, across the two hosts.
    let quoted: Vec<&Value> = out.statements.iter().filter(|s| s["text"].as_str().unwrap().contains(QUOTE)).collect();
    assert!(!quoted.is_empty(), "no statement holds «{QUOTE}»: {:#?}", out.statements);
    let hosts: BTreeSet<&str> = quoted
        .iter()
        .flat_map(|s| s["occurrences"].as_array().unwrap())
        .map(|o| o["source"].as_str().unwrap())
        .collect();
    assert!(hosts.contains("alsumaria.tv") && hosts.contains("rudaw.net"), "{hosts:?}: {quoted:#?}");
    let docs: BTreeSet<&str> =
        quoted.iter().flat_map(|s| s["occurrences"].as_array().unwrap()).map(|o| o["doc"].as_str().unwrap()).collect();
    assert!(docs.contains("<urn:uuid:page-2>"), "{docs:?}");

    // No template text anywhere in a statement.
    for st in &out.statements {
        let text = st["text"].as_str().unwrap();
        for t in TEMPLATE_TEXT.iter().chain(&["الأكثر قراءة", "جميع الحقوق محفوظة", "أخبار العراق", "ابحث في الموقع"])
        {
            assert!(!text.contains(t), "template text «{t}» in statement {st}");
        }
    }

    // The WET copy clusters with its page, and only with it.
    let c = out.cluster_of("<urn:uuid:page-0>").expect("page 000 clusters with its WET copy");
    assert_eq!(out.cluster_of("<urn:uuid:wet-0>"), Some(c));
    assert_eq!(out.clusters[c as usize]["members"].as_array().unwrap().len(), 2, "{:#?}", out.clusters);
    assert_eq!(out.cluster_of("<urn:uuid:page-2>"), None);
}

/// A page's title is its `og:title`, else its first `<h1>`, else its
/// `<title>`; it reaches `documents.jsonl` and the report. Text files and
/// JSONL lines without a `title` have none; a JSONL `title` is kept.
#[test]
fn titles_come_from_og_title_then_h1_then_title_and_from_jsonl() {
    let dir = TestDir::new("warc-titles");
    let (_, text) = &seeds()[2];
    let paras = paragraphs(text);
    let with_og = page("<meta property=\"og:title\" content=\"  عنوان   الناشر \">", "عنوان الصفحة", &paras[1..]);
    let with_h1 = page("", "عنوان\n  المقال", &paras[1..]);
    let bare = format!("<html><head><title> Only the title </title></head><body><p>{}</p></body></html>", paras[1]);
    let f = [
        response("og", HOST_A, "Content-Type: text/html; charset=UTF-8\r\n", with_og.as_bytes()),
        response("h1", HOST_B, "Content-Type: text/html; charset=UTF-8\r\n", with_h1.as_bytes()),
        response("bare", "http://example.org/x", "Content-Type: text/html; charset=UTF-8\r\n", bare.as_bytes()),
    ];
    dir.create("in/crawl.warc", f.concat());
    dir.create(
        "in/lines.jsonl",
        "{\"id\": \"j1\", \"text\": \"نص قصير\", \"title\": \"عنوان السطر\"}\n{\"id\": \"j2\", \"text\": \"نص آخر\"}\n",
    );
    let out = dir.scan(&["in"]);
    assert_eq!(out.doc("<urn:uuid:og>")["title"], "عنوان الناشر");
    assert_eq!(out.doc("<urn:uuid:h1>")["title"], "عنوان المقال");
    assert_eq!(out.doc("<urn:uuid:bare>")["title"], "Only the title");
    assert_eq!(out.doc("j1")["title"], "عنوان السطر");
    assert!(out.doc("j2").get("title").is_none(), "{}", out.doc("j2"));
    // In contract order: after the date, before the counts.
    let line = dir.read("out/documents.jsonl").lines().find(|l| l.contains("urn:uuid:og")).unwrap().to_string();
    assert!(line.find("\"date\"").unwrap() < line.find("\"title\"").unwrap(), "{line}");
    assert!(line.find("\"title\"").unwrap() < line.find("\"bytes\"").unwrap(), "{line}");
}
