//! What an element's class, id, role and itemprop say about it.
//!
//! The word lists are Readability's (`unlikelyCandidates`, `positive`,
//! `negative`) and trafilatura's discard rules (share, social, related,
//! newsletter, cookie…), generic words any site may use, never one site's
//! class names. Long words match anywhere in the attribute (`share` in
//! `sharedaddy`, `related` in `td-related-posts`); short ones (`ad`, `nav`)
//! only as a whole word, or they would match `header` and `canvas`.
//! A BEM modifier (`TestReport__Section--Ads`: a section that carries ads)
//! describes a variant of its element, not what it is, so its words are not
//! matched as whole words.
//! `widget` is not a boilerplate word, only a negative one: page builders
//! (Elementor's `elementor-widget-text-editor`, Blogger's `widget Blog`)
//! wrap the article itself in widgets; a sidebar's widgets sit in an
//! element that says `sidebar`, `<aside>` or `role=complementary`.

use dom_query::NodeRef;

/// Flags read from one element's attributes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Hint(u8);

impl Hint {
    /// Boilerplate wherever it is: share buttons, related links, menus,
    /// cookie notices, newsletter boxes, sidebars, comment forms.
    pub const BOILER: Hint = Hint(1);
    /// A comment section (the comments themselves, which an article page's
    /// text may keep, not the form to write one).
    pub const COMMENTS: Hint = Hint(2);
    /// An author, byline or date line.
    pub const BYLINE: Hint = Hint(4);
    /// The article body by microdata or by name (`itemprop=articleBody`,
    /// `entry-content`, `article-body`…).
    pub const BODY: Hint = Hint(8);

    pub(crate) fn has(self, h: Hint) -> bool {
        self.0 & h.0 != 0
    }

    fn add(&mut self, h: Hint) {
        self.0 |= h.0;
    }
}

/// Substrings that make an element boilerplate.
const BOILER_PARTS: &[&str] = &[
    "share",
    "sharing",
    "social",
    "related",
    "newsletter",
    "subscri",
    "cookie",
    "consent",
    "gdpr",
    "breadcrumb",
    "sidebar",
    "menu",
    "navbar",
    "navigation",
    "pagination",
    "pager",
    "promo",
    "advert",
    "sponsor",
    "popup",
    "modal",
    "footer",
    "masthead",
    "toolbar",
    "recommend",
    "trending",
    "popular",
    "mostread",
    "most-read",
    "outbrain",
    "taboola",
    "tagcloud",
    "comment-form",
    "commentform",
    "comment-respond",
    "reply-title",
    "skip-link",
    "skiplink",
    "screen-reader",
    "sr-only",
    "visually-hidden",
    "login",
    "signup",
    "copyright",
    "disclaimer",
    "byline-share",
    "author-share",
    // Image captions and credits outside `<figure>`/`<figcaption>` (which
    // are boilerplate by tag): `wp-caption-text`, `image-credit`.
    "caption",
    "credit",
];

/// Whole words that make an element boilerplate.
const BOILER_WORDS: &[&str] = &["ad", "ads", "nav", "tags", "tag", "print", "rss", "banner", "respond"];

/// Readability's `okMaybeItsACandidate`: words that keep an element with a
/// boilerplate word in its class from being taken for boilerplate.
const MAYBE_CONTENT_PARTS: &[&str] = &["and", "article", "body", "column", "content", "main", "shadow"];

/// Readability's `negative` (lowers a candidate's score by 25).
const NEGATIVE_PARTS: &[&str] = &[
    "hidden",
    "banner",
    "combx",
    "comment",
    "com-",
    "contact",
    "footer",
    "gdpr",
    "masthead",
    "media",
    "meta",
    "outbrain",
    "promo",
    "related",
    "scroll",
    "share",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "shopping",
    "tags",
    "widget",
    "menu",
    "nav",
];

/// Readability's `positive` (raises it by 25).
const POSITIVE_PARTS: &[&str] =
    &["article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text", "blog", "story"];

const COMMENT_PARTS: &[&str] = &["comment", "disqus", "replies"];

const BYLINE_PARTS: &[&str] = &["author", "byline", "dateline", "date", "posted", "published", "time", "meta"];

const BODY_PARTS: &[&str] = &[
    "articlebody",
    "article-body",
    "article_body",
    "articletext",
    "article-text",
    "article-content",
    "article_content",
    "entry-content",
    "post-content",
    "post-body",
    "postbody",
    "story-body",
    "storybody",
    "story-content",
    "news-text",
    "newstext",
    "main-text",
    "maintext",
];

/// Roles that are never the article.
const BOILER_ROLES: &[&str] = &["navigation", "menu", "menubar", "search", "complementary", "contentinfo", "dialog"];

/// The hints of `node` and its class weight.
pub(super) fn of(node: &NodeRef) -> (Hint, i32) {
    let mut hint = Hint::default();
    let class = node.attr("class").map(|c| c.to_ascii_lowercase()).unwrap_or_default();
    let id = node.attr("id").map(|c| c.to_ascii_lowercase()).unwrap_or_default();
    let mut weight = 0;
    for value in [&class, &id] {
        if value.is_empty() {
            continue;
        }
        if any_part(value, NEGATIVE_PARTS) {
            weight -= 25;
        }
        if any_part(value, POSITIVE_PARTS) {
            weight += 25;
        }
        if any_part(value, COMMENT_PARTS) {
            hint.add(Hint::COMMENTS);
        }
        // Readability's `okMaybeItsACandidate`: a wrapper named
        // `main-content has-sidebar` is not the sidebar.
        let maybe_content = any_part(value, MAYBE_CONTENT_PARTS);
        if !maybe_content
            && (any_part(value, BOILER_PARTS) || unmodified_words(value).any(|w| BOILER_WORDS.contains(&w)))
        {
            hint.add(Hint::BOILER);
        }
        if any_part(value, BYLINE_PARTS) {
            hint.add(Hint::BYLINE);
        }
        if any_part(value, BODY_PARTS) {
            hint.add(Hint::BODY);
        }
    }
    if let Some(role) = node.attr("role") {
        let role = role.to_ascii_lowercase();
        if BOILER_ROLES.contains(&role.trim()) {
            hint.add(Hint::BOILER);
        }
    }
    if let Some(prop) = node.attr("itemprop") {
        let prop = prop.to_ascii_lowercase();
        if prop.contains("articlebody") || prop == "text" {
            hint.add(Hint::BODY);
        } else if prop.contains("author") || prop.contains("date") {
            hint.add(Hint::BYLINE);
        }
    }
    if node.attr("rel").is_some_and(|r| r.eq_ignore_ascii_case("author")) {
        hint.add(Hint::BYLINE);
    }
    if node.attr("aria-hidden").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
        hint.add(Hint::BOILER);
    }
    (hint, weight)
}

/// Whether an inline style hides the element.
pub(super) fn hides(style: &str) -> bool {
    let s: String = style.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
    s.contains("display:none") || s.contains("visibility:hidden")
}

fn any_part(value: &str, parts: &[&str]) -> bool {
    parts.iter().any(|p| value.contains(p))
}

/// The words of a class list without its BEM modifiers (what follows `--`
/// in each class).
fn unmodified_words(value: &str) -> impl Iterator<Item = &str> {
    value.split_ascii_whitespace().flat_map(|class| words(class.split("--").next().unwrap_or(class)))
}

fn words(value: &str) -> impl Iterator<Item = &str> {
    value.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dom_query::Document;

    fn hint(html: &str) -> Hint {
        let doc = Document::from(html);
        let node = doc.select("#x").nodes()[0];
        of(&node).0
    }

    #[test]
    fn long_words_anywhere_short_words_whole() {
        assert!(hint(r#"<div id="x" class="sharedaddy sd-block">"#).has(Hint::BOILER));
        assert!(hint(r#"<div id="x" class="td-related-posts">"#).has(Hint::BOILER));
        assert!(hint(r#"<div id="x" class="top ad">"#).has(Hint::BOILER));
        assert!(hint(r#"<div id="x" class="ad--top">"#).has(Hint::BOILER));
        assert!(hint(r#"<p id="x" class="wp-caption-text">"#).has(Hint::BOILER));
        assert!(hint(r#"<span id="x" class="photo-credit">"#).has(Hint::BOILER));
        // A BEM modifier says what the element carries, not what it is.
        assert!(!hint(r#"<section id="x" class="TestReport__Section TestReport__Section--Ads">"#).has(Hint::BOILER));
        assert!(!hint(r#"<div id="x" class="header-shadow readable">"#).has(Hint::BOILER));
        assert!(hint(r#"<div id="x" role="navigation">"#).has(Hint::BOILER));
        assert!(!hint(r#"<div id="x" class="elementor-widget-container">"#).has(Hint::BOILER));
        assert!(hint(r#"<div id="x" class="sidebar-widgets">"#).has(Hint::BOILER));
        assert!(hint(r#"<div id="x" itemprop="articleBody">"#).has(Hint::BODY));
        assert!(hint(r#"<span id="x" class="byline">"#).has(Hint::BYLINE));
        assert!(hint(r#"<ol id="x" class="commentlist">"#).has(Hint::COMMENTS));
    }

    #[test]
    fn hidden_styles() {
        assert!(hides("color: red; display : none"));
        assert!(!hides("display:block"));
    }
}
