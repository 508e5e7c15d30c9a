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

#[test]
fn a_long_heading_over_links_is_a_lead_and_stays() {
    // A lead paragraph set in <h2>, then a line of links: the heading rule
    // above is for short section titles.
    let lead = "Police arrested three suspects on Tuesday after a week-long search across the county, officials said";
    let html = format!(
        "<html><body><article><h1>Arrests</h1><h2>{lead}</h2><p><a href=\"/a\">Photo gallery of the search</a></p>\
         {}</article></body></html>",
        article_body()
    );
    let t = text(&html);
    assert!(t.contains(lead), "{t}");
    assert!(!t.contains("Photo gallery"), "{t}");
}

#[test]
fn text_inside_noscript_next_to_the_article_is_kept() {
    // Blogger writes a post's body twice: for scripts, and in <noscript>.
    let html = format!(
        "<html><body>{}<div class=\"post\"><h1>Bridge to close</h1><noscript>{}</noscript></div>\
         <footer>FOOTER_TEXT</footer></body></html>",
        menu(),
        article_body()
    );
    let t = text(&html);
    assert!(t.contains(P1) && t.contains(P3), "{t}");
    assert!(!t.contains("MENU_TEXT") && !t.contains("FOOTER_TEXT"), "{t}");
}

#[test]
fn a_named_article_body_is_kept_whole() {
    // The paragraphs sit too deep for the body to score, and its own short
    // lines are too short to score it: the scores pick the inner block. The
    // page names the whole body, so its opening line and subhead come along.
    let html = format!(
        "<html><body>{}<div itemprop=\"articleBody\"><div class=\"intro\"><p>BODY_LEAD At noon.</p></div>\
         <div class=\"d\"><h3>BODY_SUBHEAD Votes</h3></div>\
         <div><div><div><div><div><div class=\"c\">{}</div></div></div></div></div></div></div>\
         <footer>FOOTER_TEXT</footer></body></html>",
        menu(),
        article_body()
    );
    let t = text(&html);
    for kept in ["BODY_LEAD", "BODY_SUBHEAD", P2] {
        assert!(t.contains(kept), "{kept} missing from {t}");
    }
    assert!(!t.contains("MENU_TEXT") && !t.contains("FOOTER_TEXT"), "{t}");
}

#[test]
fn short_body_lines_outside_the_container_come_back_only_inside_a_named_body() {
    // Two blocks far apart in the tree: one inside the named body, one not.
    let deep = |inner: &str| format!("<div><div><div><div><div><div>{inner}</div></div></div></div></div></div>");
    let html = format!(
        "<html><body><div class=\"entry-content\">{}{}</div>{}<h1>Bridge</h1>{}</body></html>",
        deep("<p>IN_BODY a short line in the body.</p>"),
        deep(&format!("<div class=\"x\">{}</div>", article_body())),
        deep("<p>OUT_OF_BODY a short line elsewhere.</p>"),
        deep(&format!("<p>{}</p>", "filler ".repeat(3))),
    );
    let t = text(&html);
    assert!(t.contains("IN_BODY") && t.contains(P1), "{t}");
    assert!(!t.contains("OUT_OF_BODY"), "{t}");
}

#[test]
fn an_author_box_biography_is_not_article_prose() {
    let bio = "Jane Doe has covered transport and local government for the paper since 2011, and before that \
        reported on courts and crime for two regional dailies; she studied history and lives by the river, \
        which she crosses every morning on the bridge this article is about, usually by bicycle and \
        usually late, with a notebook in her coat pocket.";
    let html = format!(
        "<html><body><article><h1>Bridge</h1>{}</article>\
         <div><div><div><div class=\"author-box\"><p>{bio}</p></div></div></div></div></body></html>",
        article_body()
    );
    let t = text(&html);
    assert!(t.contains(P2), "{t}");
    assert!(!t.contains("Jane Doe has covered"), "{t}");
}

#[test]
fn link_cells_of_a_table_in_the_article_are_kept() {
    // A comparison table names its rows with links; a list of links is a menu.
    let html = format!(
        "<html><body><article><h1>Car seats tested</h1>{}<table><tr><td><a href=\"/1\">Brand One Seat</a></td>\
         <td>good</td></tr><tr><td><a href=\"/2\">Brand Two Seat</a></td><td>poor</td></tr></table>\
         <p>{P1}</p><ul><li><a href=\"/x\">LIST_LINK one</a></li><li><a href=\"/y\">LIST_LINK two</a></li></ul>\
         <p>{P3}</p></article></body></html>",
        article_body()
    );
    let t = text(&html);
    assert!(t.contains("Brand One Seat") && t.contains("Brand Two Seat"), "{t}");
    assert!(!t.contains("LIST_LINK"), "{t}");
}

#[test]
fn short_lines_after_the_article_go_but_a_list_keeps_its_last_item() {
    let html = format!(
        "<html><body><article><h1>Bridge</h1>{}<div class=\"after\"><p>Was this useful?</p></div></article>\
         </body></html>",
        article_body()
    );
    let t = text(&html);
    assert!(t.contains(P3), "{t}");
    assert!(!t.contains("Was this useful?"), "{t}");
    // A recipe ends on its short last ingredient, beside the longer ones.
    let html = format!(
        "<html><body><article><h1>Cake</h1>{}<ul><li>250 g of flour, sifted twice, and a pinch of salt</li>\
         <li>2 eggs</li></ul></article></body></html>",
        article_body()
    );
    let t = text(&html);
    assert!(t.ends_with("2 eggs"), "{t}");
}

#[test]
fn a_page_of_short_modules_keeps_them_all() {
    // A product page: one scoring paragraph, and a specification of short
    // lines that score nothing, five times its length.
    let spec: String = (0..40).map(|i| format!("<div class=\"row\"><span>SPEC_{i} weight</span> 2 kg</div>")).collect();
    let html = format!(
        "<html><body>{}<div class=\"description\"><p>{P1}</p></div>\
         <div><div><div><div><div><div>{spec}</div></div></div></div></div></div>\
         <footer>FOOTER_TEXT</footer></body></html>",
        menu()
    );
    let t = text(&html);
    assert!(t.contains(P1) && t.contains("SPEC_0 weight") && t.contains("SPEC_39 weight"), "{t}");
    assert!(!t.contains("MENU_TEXT") && !t.contains("FOOTER_TEXT"), "{t}");
}

#[test]
fn image_captions_and_credits_outside_figure_are_dropped() {
    let html = format!(
        "<html><body><article><h1>Bridge</h1><p>{P1}</p><div class=\"wp-caption\"><img src=\"b.jpg\">\
         <p class=\"wp-caption-text\">CAPTION_TEXT The bridge at dawn, seen from the east bank</p></div>\
         <p>{P2}</p><img src=\"c.jpg\"><div class=\"image-credit\">CREDIT_TEXT Photo: Jane Doe / Agency</div>\
         <p>{P3}</p></article></body></html>"
    );
    let t = text(&html);
    assert!(t.contains(P1) && t.contains(P2) && t.contains(P3), "{t}");
    assert!(!t.contains("CAPTION_TEXT") && !t.contains("CREDIT_TEXT"), "{t}");
}
