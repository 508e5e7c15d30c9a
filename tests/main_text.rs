//! Main text of web pages (issue #19): the failures seen on real pages,
//! each rebuilt as a small page here (no third-party page is committed).

use sada::read::warc::extract_text;

const P1: &str = "The council voted on Tuesday to close the old bridge, citing years of neglect, rising repair \
    costs and a report that found cracks in two of its supports.";
const P2: &str = "Residents, who had campaigned for a repair, said the closure would add twenty minutes to their \
    daily commute, and the mayor promised a temporary ferry service by spring.";
const P3: &str = "Engineers will survey the river bed next month, and a decision on a replacement is expected \
    before the end of the year, according to the council's transport committee.";

fn text(html: &str) -> String {
    extract_text(html.as_bytes(), Some("text/html; charset=utf-8"))
}

fn menu() -> &'static str {
    "<nav><ul><li><a href=\"/\">Home MENU_TEXT</a></li><li><a href=\"/news\">News</a></li>\
     <li><a href=\"/sport\">Sport</a></li></ul></nav>"
}

fn article_body() -> String {
    format!("<p>{P1}</p><p>{P2}</p><p>{P3}</p>")
}

#[test]
fn a_page_entirely_inside_noscript_keeps_its_text() {
    let html =
        format!("<html><body><noscript><div class=\"content\">{}</div></noscript></body></html>", article_body());
    let t = text(&html);
    assert!(t.contains("closure would add twenty minutes"), "{t}");
}

#[test]
fn an_article_inside_the_site_header_or_banner_is_found() {
    for open in ["<header>", "<div role=\"banner\">"] {
        let close = if open == "<header>" { "</header>" } else { "</div>" };
        let html = format!(
            "<html><body><a href=\"#main\">Skip to main content</a>{open}{}<h1>Bridge to close</h1>{}{close}\
             <footer>FOOTER_TEXT Copyright</footer></body></html>",
            menu(),
            article_body()
        );
        let t = text(&html);
        assert!(t.contains(P2), "{open}: {t}");
        assert!(!t.contains("MENU_TEXT") && !t.contains("FOOTER_TEXT"), "{open}: {t}");
    }
}

#[test]
fn an_article_inside_an_aside_is_found() {
    let html = format!(
        "<html><body>{}<aside><h1>Bridge to close</h1>{}</aside><footer>FOOTER_TEXT</footer></body></html>",
        menu(),
        article_body()
    );
    let t = text(&html);
    assert!(t.contains(P1) && t.contains(P3), "{t}");
    assert!(!t.contains("MENU_TEXT"), "{t}");
}

#[test]
fn furigana_is_dropped() {
    let html = format!(
        "<html><body><article><p><ruby>子<rp>(</rp><rt>こ</rt><rp>)</rp></ruby><ruby>供<rt>ども</rt></ruby>たちが\
         川の近くで遊んでいました。橋は来年の春まで閉鎖されると市が発表しました。</p><p>{P1}</p></article></body></html>"
    );
    let t = text(&html);
    assert!(t.contains("子供たちが"), "{t}");
    assert!(!t.contains("こ") || !t.contains("ども"), "{t}");
}

#[test]
fn comment_form_and_share_buttons_are_dropped() {
    let html = format!(
        "<html><body><article class=\"post\"><h1>Bridge to close</h1><div class=\"entry-content\">{}\
         <div class=\"sharedaddy sd-sharing-enabled\"><h3 class=\"sd-title\">Share this:</h3><ul>\
         <li><a href=\"/s?tw\">Twitter</a></li><li><a href=\"/s?fb\">Facebook</a></li></ul></div></div>\
         <div id=\"respond\" class=\"comment-respond\"><h3 id=\"reply-title\">Leave a comment</h3>\
         <form id=\"commentform\"><label>Comment</label><textarea></textarea></form></div></article></body></html>",
        article_body()
    );
    let t = text(&html);
    assert!(t.contains(P2), "{t}");
    for unwanted in ["Share this:", "Leave a comment", "Twitter"] {
        assert!(!t.contains(unwanted), "{unwanted} in {t}");
    }
}

#[test]
fn the_headline_is_the_first_line_and_the_byline_its_own_line() {
    // The headline in the site's header block, the body in another: the
    // headline still comes first, then the byline, then the paragraphs.
    let html = format!(
        "<html><body>{}<div class=\"title-block\"><h1>Council votes to close the old bridge</h1>\
         <div class=\"byline\">By Jane Doe, <time>12 March 2024</time></div></div>\
         <div class=\"story\">{}</div><footer>FOOTER_TEXT</footer></body></html>",
        menu(),
        article_body()
    );
    let t = text(&html);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines.first(), Some(&"Council votes to close the old bridge"), "{t}");
    assert!(lines.contains(&"By Jane Doe, 12 March 2024"), "{t}");
    assert!(lines.contains(&P1) && lines.contains(&P2), "paragraphs stay separate lines: {t}");
}

#[test]
fn link_lists_and_their_heading_are_dropped() {
    let html = format!(
        "<html><body><article><h1>Bridge</h1>{}<h2>Related stories</h2><ul>\
         <li><a href=\"/1\">A long headline of another story about roads and bridges</a></li>\
         <li><a href=\"/2\">Yet another headline of a story about the river and ferries</a></li></ul></article>\
         </body></html>",
        article_body()
    );
    let t = text(&html);
    assert!(t.contains(P3), "{t}");
    assert!(!t.contains("Related stories") && !t.contains("another story"), "{t}");
}
