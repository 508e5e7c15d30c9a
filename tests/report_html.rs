//! `report.html` without a browser: what the page holds, that every input
//! string is escaped, that the markup is well nested, that lists are capped
//! with a notice, and that only the marked run region varies between runs.

mod util;

use util::{TestDir, edited_variant, seeds};

/// The seed text of `name` (a file stem).
fn seed(name: &str) -> String {
    seeds().into_iter().find(|(n, _)| n.starts_with(name)).map(|(_, t)| t).unwrap()
}

const EVIL_ID: &str = "<script>alert(\"id\")</script>";
const EVIL_SOURCE: &str = "\"><img src=x onerror=alert(1)>";
const LAVROV_IRAQ: &str = "أن روسيا مستعدة لتلبية طلبات العراق فيما يتعلق بالتسليح والتعاون العسكري";

/// Seeds 000 and 002 share the Lavrov statement («طلبات بغداد» / «طلبات
/// العراق»), seed 001 is reprinted with edits, and a document with a hostile
/// id, source and text recycles the statement too.
fn corpus(dir: &TestDir) {
    let line = |id: &str, source: &str, date: Option<&str>, text: &str| {
        let mut v = serde_json::json!({"id": id, "source": source, "text": text});
        if let Some(d) = date {
            v["date"] = d.into();
        }
        if id == "002_75f94ab31a74d308" {
            v["title"] = "لافروف: <العراق> يقرر".into();
        }
        v.to_string()
    };
    let evil_text = format!(
        "افتتاحية العدد <script>alert('text')</script> &amp; تعليق قصير.\n\nوفي سياق آخر قال الوزير {LAVROV_IRAQ} مضيفاً \
         أن المحادثات كانت مثمرة </script><!-- وأن الجانبين اتفقا على مواصلة التنسيق."
    );
    let lines = [
        line("000_93dd4bcf26f3ba91", "alsumaria.example", Some("2021-03-01"), &seed("000")),
        line("002_75f94ab31a74d308", "ina.example", Some("2021-03-02"), &seed("002")),
        line("001_717256e72bc829cd", "alaraby.example", Some("2021-02-20"), &seed("001")),
        line("001-reprint", "rudaw.example", Some("2021-02-21"), &edited_variant(&seed("001"))),
        line(EVIL_ID, EVIL_SOURCE, None, &evil_text),
    ];
    dir.create("in/news.jsonl", lines.join("\n") + "\n");
}

fn report(dir: &TestDir, out: &str, threads: &str) -> String {
    dir.sada().args(["scan", "--quiet", "--threads", threads, "--out", out, "in"]).assert().success();
    dir.read(&format!("{out}/report.html"))
}

#[test]
fn the_page_shows_the_statement_in_both_documents_with_highlights_and_diffs() {
    let dir = TestDir::new("report-html");
    corpus(&dir);
    let html = report(&dir, "out", "2");
    for id in ["000_93dd4bcf26f3ba91", "002_75f94ab31a74d308"] {
        assert!(html.contains(&format!("<bdi class=\"doc\">{id}</bdi>")), "no card for {id}");
    }
    assert!(html.contains("<mark>"), "no highlighted passage");
    assert!(html.contains("<p class=\"ctx t\" dir=\"auto\">"), "contexts must carry dir=auto");
    assert!(html.contains("<blockquote class=\"t\" dir=\"auto\">"), "statement texts must carry dir=auto");
    assert!(html.contains("<span class=\"diff\">بغداد</span>"), "the representative's differing word is not marked");
    assert!(html.contains("<span class=\"diff\">العراق</span>"), "the copy's differing word is not marked");
    // Dated: the earliest document is the origin and its occurrence leads.
    assert!(html.contains("first published by <bdi>alsumaria.example</bdi> on 2021-03-01"));
    assert!(html.contains("<span class=\"badge origin\">origin</span>"));
    // The overview chart lists the sources.
    assert!(html.contains("data-q=\"ina.example\""));
    // A document's title (escaped) beside its id; none where it has none.
    assert!(html.contains("<bdi class=\"title\" dir=\"auto\">لافروف: &lt;العراق&gt; يقرر</bdi>"));
    assert_eq!(html.matches("<bdi class=\"title\"").count(), html.matches("لافروف: &lt;العراق&gt; يقرر").count());
}

#[test]
fn the_reprint_cluster_lists_members_and_a_diff() {
    let dir = TestDir::new("report-html-cluster");
    corpus(&dir);
    let html = report(&dir, "out", "2");
    let start = html.find("<article class=\"item cl\" id=\"c0\">").expect("a cluster article");
    let cluster = &html[start..start + html[start..].find("</article>").unwrap()];
    assert!(cluster.contains("001_717256e72bc829cd") && cluster.contains("001-reprint"), "{cluster}");
    assert!(cluster.contains("<span class=\"badge\">representative</span>"));
    assert!(cluster.contains("<p class=\"dv t\" dir=\"auto\">"), "no diff view: {cluster}");
    // The reprint drops words and adds a sentence.
    assert!(cluster.contains("<del>") && cluster.contains("<ins>"), "{cluster}");
    assert!(cluster.contains("<ins>وأشار مصدر مطلع في حديث خاص إلى أن المباحثات ستتواصل الأسبوع المقبل</ins>"));
}

#[test]
fn ids_sources_and_texts_are_escaped() {
    let dir = TestDir::new("report-html-escape");
    corpus(&dir);
    let html = report(&dir, "out", "2");
    // The hostile document made it into a statement, so its strings are on
    // the page — escaped.
    assert!(html.contains("&lt;script&gt;alert(&quot;id&quot;)&lt;/script&gt;"), "the id is missing or unescaped");
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"), "the source is missing or unescaped");
    assert!(!html.contains("<img"), "an element came from the input");
    assert!(!html.contains("alert(\"id\")</script>") && !html.contains("<script>alert"));
    // Only the page's own two scripts.
    assert_eq!(html.matches("<script").count(), 2);
    assert_eq!(html.matches("</script>").count(), 2);
    assert_eq!(html.matches("<!--").count(), 2, "only the run markers are comments");
    assert_well_nested(&html);
}

#[test]
fn only_the_run_region_differs_between_thread_counts() {
    let dir = TestDir::new("report-html-determinism");
    corpus(&dir);
    let one = report(&dir, "out1", "1");
    let four = report(&dir, "out4", "4");
    assert_eq!(one.matches("<!--run-->").count(), 1);
    assert_eq!(one.matches("<!--/run-->").count(), 1);
    assert!(one.contains("threads: 1 ") && four.contains("threads: 4 "));
    assert!(strip_run(&one) == strip_run(&four), "report.html differs outside <!--run-->");
}

#[test]
fn statements_beyond_the_cap_are_left_to_the_jsonl_with_a_notice() {
    let dir = TestDir::new("report-html-caps");
    // 520 pairs of documents, each pair sharing one sentence of rare words
    // and otherwise unrelated: 520 statements, no clusters.
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let mut word = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (0..6).map(|k| (b'a' + ((rng >> (5 * k)) % 26) as u8) as char).collect::<String>()
    };
    let mut lines = Vec::new();
    for pair in 0..520 {
        let shared: Vec<String> = (0..14).map(|_| word()).collect();
        for side in 0..2 {
            let mut own = |n| (0..n).map(|_| word()).collect::<Vec<_>>().join(" ");
            let (before, after) = (own(40), own(40));
            let text = format!("{before}. {}. {after}.", shared.join(" "));
            let id = format!("p{pair}-{side}");
            lines.push(serde_json::json!({"id": id, "source": format!("s{side}.example"), "text": text}).to_string());
        }
    }
    dir.create("in/many.jsonl", lines.join("\n"));
    let html = report(&dir, "out", "2");
    let statements = util::read_jsonl(&dir.join("out/statements.jsonl"));
    assert!(statements.len() > 500, "the corpus should make more than 500 statements: {}", statements.len());
    assert!(html.contains(&format!("Showing the first 500 of {} statements", statements.len())), "no caps notice");
    assert!(html.contains("<a href=\"statements.jsonl\">statements.jsonl</a> has all of them"));
    assert_eq!(html.matches("<article class=\"item st\"").count(), 500);
    assert!(html.contains("data-list=\"statements\" data-page=\"20\""), "the list is paged by the script");
    assert_well_nested(&html);
}

/// The page without its run region.
fn strip_run(html: &str) -> String {
    let (a, rest) = html.split_once("<!--run-->").unwrap();
    let (_, b) = rest.split_once("<!--/run-->").unwrap();
    format!("{a}{b}")
}

/// Every element opened is closed, in order (void elements aside); script
/// and style contents are skipped. Input text is escaped, so a `<` in the
/// page is always ours.
fn assert_well_nested(html: &str) {
    const VOID: [&str; 6] = ["meta", "input", "br", "img", "hr", "link"];
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = &comment[comment.find("-->").expect("unclosed comment") + 3..];
            continue;
        }
        let end = rest.find('>').expect("unclosed tag");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let name = tag.trim_start_matches('/').split(|c: char| c.is_whitespace()).next().unwrap();
        if let Some(closing) = tag.strip_prefix('/') {
            let open = stack.pop().unwrap_or_else(|| panic!("</{closing}> closes nothing"));
            assert_eq!(open, name, "<{open}> closed by </{name}>");
        } else if name == "script" || name == "style" {
            let close = format!("</{name}>");
            rest = &rest[rest.find(&close).expect("unclosed script or style") + close.len()..];
        } else if !VOID.contains(&name) {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
}
