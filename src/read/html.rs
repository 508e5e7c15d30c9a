//! Web payloads → text: the charset of an HTML or plain-text body, and the
//! main text of an HTML page.
//!
//! The charset is chosen as a browser would: a byte-order mark, else the
//! HTTP `Content-Type` charset, else (HTML only) the page's own
//! `<meta charset>` or `<meta http-equiv="Content-Type">`, else a guess by
//! [`chardetng`] (the detector Firefox uses), hinted by the site's top-level
//! domain — Arabic sites still serve undeclared windows-1256.
//!
//! The main text is found in two steps. The page is parsed by `dom_query`
//! (html5ever: the WHATWG parsing algorithm, so any byte soup yields a
//! tree) and flattened (`tree`: scripts, styles, form controls, media and
//! furigana left out), with navigation, asides, site headers and footers,
//! forms, comments and "related" boxes marked as boilerplate (`hints`). Then `main_text` picks
//! the article's container as Readability does and keeps its lines
//! paragraph by paragraph — the headline first, and prose paragraphs that
//! stand outside the container — dropping link lists by link density.

use std::panic::{AssertUnwindSafe, catch_unwind};

use dom_query::{Document, Matcher};
use encoding_rs::Encoding;

use super::nesting;

mod hints;
mod main_text;
mod tree;

/// Bytes of the page searched for a `<meta>` charset declaration. The
/// HTML standard's prescan stops at 1024; real Arabic news pages often put
/// scripts and styles first, so look further.
const META_PRESCAN: usize = 8 << 10;

/// Bytes fed to the charset detector: enough to decide, bounded in time.
const DETECT_BYTES: usize = 256 << 10;

/// Pages whose elements nest deeper than this (estimated from the markup by
/// [`nesting::max_depth`]) are refused: the tree walks after parsing grow
/// with depth × nodes and recurse (32,000 levels overflowed the stack, 8,000
/// took 15 s; 512 takes 60 ms), and no article nests more than a few dozen
/// levels.
pub const MAX_DEPTH: usize = 512;

/// The main text of an HTML page, decoded per `content_type` (the HTTP
/// header, if any) or the page itself.
///
/// Never panics; a page without text gives an empty string.
#[doc(hidden)]
pub fn extract_text(html: &[u8], content_type: Option<&str>) -> String {
    extract(html, content_type, None).map(|p| p.text).unwrap_or_default()
}

/// What a page gives a record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// The main text.
    pub text: String,
    /// The headline (see [`title`]).
    pub title: Option<String>,
}

/// Characters of a title kept: a headline, not a paragraph a broken page
/// put in its `<h1>`.
pub const MAX_TITLE_CHARS: usize = 500;

/// [`extract_text`] with the site's top-level domain as a hint to the
/// charset detector, and the page's title. `Err` only if the HTML
/// machinery failed outright.
pub(crate) fn extract(html: &[u8], content_type: Option<&str>, tld: Option<&str>) -> Result<Page, String> {
    let page = decode(html, content_type, tld, true);
    let depth = nesting::max_depth(&page);
    if depth > MAX_DEPTH {
        return Err(format!(
            "HTML elements nested {depth} deep, more than {MAX_DEPTH}: a broken or hostile page, its text not extracted"
        ));
    }
    // The parser and the extractor are heuristics run on arbitrary web
    // bytes: a bug in them must cost one record, not the run.
    catch_unwind(AssertUnwindSafe(|| main_text(&page))).map_err(|_| "HTML text extraction failed".to_string())
}

/// The text of a payload: HTML if `html`, else plain text, decoded to UTF-8
/// (malformed bytes become U+FFFD).
pub(crate) fn decode(bytes: &[u8], content_type: Option<&str>, tld: Option<&str>, html: bool) -> String {
    let (encoding, bom) = match Encoding::for_bom(bytes) {
        Some((e, len)) => (e, len),
        None => {
            let declared = content_type.and_then(charset_param).and_then(|l| Encoding::for_label(l.as_bytes()));
            let meta = || if html { meta_charset(bytes) } else { None };
            (declared.or_else(meta).unwrap_or_else(|| detect(bytes, tld)), 0)
        }
    };
    encoding.decode_without_bom_handling(&bytes[bom..]).0.into_owned()
}

/// The `charset` parameter of a `Content-Type` value, unquoted.
pub(crate) fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim().eq_ignore_ascii_case("charset").then(|| value.trim().trim_matches(['"', '\'']))
    })
}

/// The encoding a page declares in a `<meta>` element near its start.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(META_PRESCAN)];
    // Any ASCII-compatible decoding will do to read ASCII markup.
    let head = encoding_rs::WINDOWS_1252.decode_without_bom_handling(head).0;
    let doc = Document::from(head.as_ref());
    let metas = doc.select_matcher(&Matcher::new("meta").ok()?);
    metas.nodes().iter().find_map(|meta| {
        let label = match meta.attr("charset") {
            Some(c) => c.to_string(),
            None if meta.attr("http-equiv").is_some_and(|h| h.trim().eq_ignore_ascii_case("content-type")) => {
                charset_param(&meta.attr("content")?)?.to_string()
            }
            None => return None,
        };
        Encoding::for_label(label.trim().as_bytes()).map(meta_override)
    })
}

/// The HTML standard's correction of a charset found in `<meta>`: a page
/// that can be read as ASCII is not UTF-16, and `x-user-defined` means
/// windows-1252.
fn meta_override(e: &'static Encoding) -> &'static Encoding {
    if e == encoding_rs::UTF_16BE || e == encoding_rs::UTF_16LE {
        encoding_rs::UTF_8
    } else if e == encoding_rs::X_USER_DEFINED {
        encoding_rs::WINDOWS_1252
    } else {
        e
    }
}

/// The most likely encoding of undeclared bytes.
fn detect(bytes: &[u8], tld: Option<&str>) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let sample = &bytes[..bytes.len().min(DETECT_BYTES)];
    detector.feed(sample, true);
    detector.guess(tld.map(str::as_bytes), chardetng::Utf8Detection::Allow)
}

/// The main text and title of a decoded page.
fn main_text(page: &str) -> Page {
    let doc = Document::from(page);
    let title = title(&doc);
    let tree = tree::Tree::build(&doc);
    Page { text: canonical(main_text::extract(&tree)), title: title.map(canonical) }
}

/// The text in Unicode canonical composition (NFC). Pages spell one letter
/// either way — Bengali য় as one code point or as য and a nukta — and a
/// reader, a search box and a JSONL dataset mean the same letter: an
/// extractor's output should compare equal whatever spelling the page's
/// author typed.
fn canonical(text: String) -> String {
    use unicode_normalization::UnicodeNormalization;
    if unicode_normalization::is_nfc(&text) { text } else { text.nfc().collect() }
}

/// A page's headline: its `og:title` (what the publisher says the article
/// is called, without the site name most `<title>`s append), else its first
/// `<h1>`, else its `<title>`; whitespace collapsed, cut at
/// [`MAX_TITLE_CHARS`], `None` if empty.
fn title(doc: &Document) -> Option<String> {
    let og = doc.select("meta[property=\"og:title\"]").attr("content").map(|c| c.to_string());
    let text_of = |css: &str| doc.select(css).first().text().to_string();
    [og.unwrap_or_default(), text_of("h1"), text_of("title")].into_iter().find_map(|t| {
        let t: String = t.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(MAX_TITLE_CHARS).collect();
        (!t.is_empty()).then_some(t)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "قال وزير الخارجية الروسي، سيرغي لافروف، إن موسكو تدعم جهود الحكومة العراقية لاستقرار الأوضاع. \
        وأضاف لافروف، خلال مؤتمر صحفي مع وزير الخارجية العراقي، أن علاقة روسيا مع العراق لا تمنع أن تكون لديه علاقات مع الآخرين.";

    /// A news page with every kind of boilerplate around `paragraphs`.
    fn page(head: &str, paragraphs: &[&str]) -> String {
        let mut s = format!(
            "<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head>{head}<title>موقع</title>\
             <style>.menu {{ color: red }} /* STYLE_TEXT */</style>\
             <script>var SCRIPT_TEXT = 1;</script></head><body>\
             <header><div class=\"logo\">HEADER_TEXT شعار</div></header>\
             <nav><ul><li><a href=\"/\">الرئيسية MENU_TEXT</a></li><li><a href=\"/s\">رياضة</a></li></ul></nav>\
             <div class=\"content\"><article><h1>عنوان</h1>"
        );
        for p in paragraphs {
            s.push_str(&format!("<p>{p}</p>"));
        }
        s.push_str(
            "</article><aside><h3>الأكثر قراءة ASIDE_TEXT</h3></aside></div>\
             <form action=\"/search\"><input name=\"q\"><label>FORM_TEXT ابحث</label></form>\
             <footer>FOOTER_TEXT جميع الحقوق محفوظة</footer><script>SCRIPT_TAIL()</script></body></html>",
        );
        s
    }

    /// `og:title`, else the first `<h1>` (even in a site header, which is
    /// stripped from the text), else `<title>`; whitespace collapsed; a long
    /// one cut.
    #[test]
    fn the_title_is_og_title_then_h1_then_title() {
        let title_of = |html: &str| extract(html.as_bytes(), Some("text/html; charset=utf-8"), None).unwrap().title;
        let og = page("<meta property=\"og:title\" content=\"الناشر\">", &[ARTICLE]);
        assert_eq!(title_of(&og).as_deref(), Some("الناشر"));
        assert_eq!(title_of(&page("", &[ARTICLE])).as_deref(), Some("عنوان"));
        let in_header =
            "<html><head><title>t</title></head><body><header><h1> a\n b </h1></header><p>x</p></body></html>";
        assert_eq!(title_of(in_header).as_deref(), Some("a b"));
        assert_eq!(title_of("<title>\n only </title><p>x</p>").as_deref(), Some("only"));
        assert_eq!(title_of("<p>no title</p>"), None);
        let long = format!("<h1>{}</h1>", "ن".repeat(2 * MAX_TITLE_CHARS));
        assert_eq!(title_of(&long).unwrap().chars().count(), MAX_TITLE_CHARS);
    }

    const BOILERPLATE: [&str; 8] = [
        "STYLE_TEXT",
        "SCRIPT_TEXT",
        "HEADER_TEXT",
        "MENU_TEXT",
        "ASIDE_TEXT",
        "FORM_TEXT",
        "FOOTER_TEXT",
        "SCRIPT_TAIL",
    ];

    fn assert_clean(text: &str) {
        for b in BOILERPLATE {
            assert!(!text.contains(b), "{b} in {text}");
        }
    }

    #[test]
    fn keeps_the_article_and_drops_boilerplate() {
        let html = page("<meta charset=\"utf-8\">", &[ARTICLE, ARTICLE, ARTICLE, ARTICLE]);
        let text = extract_text(html.as_bytes(), Some("text/html; charset=UTF-8"));
        assert!(text.contains("علاقة روسيا مع العراق لا تمنع"), "{text}");
        assert_clean(&text);
        assert!(text.contains("\n"), "paragraphs stay apart: {text}");
    }

    #[test]
    fn short_pages_keep_their_text_without_boilerplate() {
        let html = page("", &["خبر قصير جدا."]);
        let text = extract_text(html.as_bytes(), Some("text/html"));
        assert!(text.contains("خبر قصير جدا."), "{text}");
        assert_clean(&text);
    }

    #[test]
    fn text_and_title_are_in_canonical_composition() {
        // Bengali য় as one code point (U+09DF, which NFC decomposes) and é
        // as e and a combining accent (which NFC composes).
        let html = "<html><head><title>cafe\u{301}</title></head><body><article><h1>cafe\u{301}</h1>\
                    <p>\u{995}\u{9bf}\u{9df}\u{9be} caf\u{e9} and cafe\u{301}.</p></article></body></html>";
        let page = extract(html.as_bytes(), Some("text/html; charset=utf-8"), None).expect("a page");
        assert!(page.text.contains("\u{995}\u{9bf}\u{9af}\u{9bc}\u{9be}"), "{:?}", page.text);
        assert!(page.text.contains("caf\u{e9} and caf\u{e9}."), "{:?}", page.text);
        assert_eq!(page.title.as_deref(), Some("caf\u{e9}"));
    }

    #[test]
    fn page_wrapped_in_a_form_keeps_its_text() {
        let html = format!("<html><body><form id=\"form1\"><div><p>{ARTICLE}</p></div></form></body></html>");
        assert!(extract_text(html.as_bytes(), None).contains("لا تمنع"));
    }

    fn cp1256(s: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1256.encode(s);
        assert!(!unmappable);
        bytes.into_owned()
    }

    #[test]
    fn charset_from_the_http_header() {
        let html = cp1256(&page("", &[ARTICLE, ARTICLE, ARTICLE]));
        let text = extract_text(&html, Some("text/html; charset=\"windows-1256\""));
        assert!(text.contains("علاقة روسيا مع العراق لا تمنع"), "{text}");
    }

    #[test]
    fn charset_from_meta_tags() {
        for meta in [
            "<meta charset=\"windows-1256\">",
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1256\">",
        ] {
            let html = cp1256(&page(meta, &[ARTICLE, ARTICLE, ARTICLE]));
            let text = extract_text(&html, Some("text/html"));
            assert!(text.contains("علاقة روسيا مع العراق لا تمنع"), "{meta}: {text}");
        }
    }

    #[test]
    fn undeclared_charset_is_detected() {
        let html = cp1256(&page("", &[ARTICLE, ARTICLE, ARTICLE]));
        let text = extract_text(&html, None);
        assert!(text.contains("علاقة روسيا مع العراق لا تمنع"), "{text}");
        let html = page("", &[ARTICLE, ARTICLE, ARTICLE]);
        assert!(extract_text(html.as_bytes(), None).contains("لا تمنع"), "undeclared UTF-8");
    }

    #[test]
    fn bom_wins_over_declarations() {
        let mut html = b"\xEF\xBB\xBF".to_vec();
        html.extend(page("<meta charset=\"windows-1256\">", &[ARTICLE]).as_bytes());
        assert!(extract_text(&html, Some("text/html; charset=iso-8859-1")).contains("لا تمنع"));
    }

    #[test]
    fn charset_parameter() {
        assert_eq!(charset_param("text/html; charset=windows-1256"), Some("windows-1256"));
        assert_eq!(charset_param("text/html;CHARSET='utf-8' ; x=y"), Some("utf-8"));
        assert_eq!(charset_param("text/html"), None);
        assert_eq!(charset_param("charset=utf-8"), None);
    }

    #[test]
    fn any_bytes_give_text_not_a_panic() {
        for junk in [
            &b""[..],
            b"\0\x01\xff\xfe<<<>>></p></div><p>broken <b>html<i> here",
            b"<html><body><script>unclosed",
            b"<!DOCTYPE html><table><tr><td><table><tr><td>\xd9\x86\xd8\xb5",
        ] {
            let _ = extract_text(junk, Some("text/html; charset=bogus"));
            let _ = decode(junk, None, Some("iq"), false);
        }
        assert_eq!(extract_text(b"", None), "");
    }
}
