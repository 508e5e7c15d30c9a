//! The parsed page reduced to what extraction looks at: elements by kind,
//! their class/id hints, and text.
//!
//! dom_query's tree is walked once into this flat arena (nodes in document
//! order, so a subtree is a contiguous range); every later step — scoring,
//! choosing, writing lines — runs on it without touching the DOM again.
//! What never holds article text (scripts, styles, form controls, media,
//! `<rt>`/`<rp>` furigana, hidden elements) is left out here.

use dom_query::{Document, NodeRef};

use super::hints::{self, Hint};

/// What an element is, as far as extraction cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tag {
    /// Phrasing content: `span`, `b`, `em`… (text flows through it).
    Inline,
    /// A link.
    A,
    /// A line break.
    Br,
    /// A paragraph.
    P,
    /// A generic block: `div`, `section`, `center`…
    Div,
    /// A table cell.
    Td,
    /// A list item or definition.
    Li,
    /// A list or a table: link-dense ones are menus.
    List,
    Pre,
    Quote,
    H1,
    /// `h2`–`h6`.
    Heading,
    /// `header`: a site's banner, or an article's headline and byline.
    Header,
    Footer,
    Nav,
    Aside,
    Form,
    Article,
    Main,
    Noscript,
    Time,
    /// Other block elements: `figure`, `address`, `details`, `hr`…
    Block,
    /// The root and `html`/`body`.
    Root,
}

impl Tag {
    fn of(name: &str) -> Option<Tag> {
        use Tag::*;
        Some(match name {
            // Never text.
            "script" | "style" | "template" | "svg" | "canvas" | "iframe" | "object" | "embed" | "select"
            | "button" | "input" | "textarea" | "dialog" | "head" | "title" | "meta" | "link" | "rt" | "rp"
            | "math" | "audio" | "video" | "picture" | "source" | "img" | "datalist" | "option" | "map" | "noembed"
            | "noframes" | "frameset" | "label" => return None,
            "a" => A,
            "br" => Br,
            "p" => P,
            "div" | "section" | "center" | "hgroup" | "fieldset" | "legend" | "caption" | "summary" => Div,
            "td" | "th" => Td,
            "li" | "dt" | "dd" => Li,
            "ul" | "ol" | "dl" | "table" | "menu" | "tbody" | "thead" | "tfoot" | "tr" => List,
            "pre" => Pre,
            "blockquote" => Quote,
            "h1" => H1,
            "h2" | "h3" | "h4" | "h5" | "h6" => Heading,
            "header" => Header,
            "footer" => Footer,
            "nav" => Nav,
            "aside" => Aside,
            "form" => Form,
            "article" => Article,
            "main" => Main,
            "noscript" => Noscript,
            "time" => Time,
            // Image captions and credits: not the article's prose.
            "figure" | "figcaption" => Aside,
            "address" | "details" | "hr" | "output" => Block,
            "html" | "body" => Root,
            _ => Inline,
        })
    }

    /// Whether the element starts and ends a line of text.
    pub(super) fn is_block(self) -> bool {
        !matches!(self, Tag::Inline | Tag::A | Tag::Time)
    }
}

/// One element or text node.
#[derive(Debug)]
pub(super) struct Node {
    pub tag: Tag,
    /// `None` for the root.
    pub parent: Option<u32>,
    /// One past the last node of this subtree (nodes are in document order).
    pub end: u32,
    /// Text nodes only.
    pub text: Option<Box<str>>,
    /// What the class, id, role and itemprop say.
    pub hint: Hint,
    /// Readability's class weight: +25 per positive, −25 per negative word
    /// in the class and the id.
    pub class_weight: i32,
}

/// The page, flattened.
pub(super) struct Tree {
    pub nodes: Vec<Node>,
}

impl Tree {
    /// The tree of `doc`'s `<body>` (of the whole document if it has none).
    pub(super) fn build(doc: &Document) -> Tree {
        let mut tree = Tree { nodes: Vec::new() };
        let root = doc.body().unwrap_or_else(|| doc.root());
        tree.nodes.push(Node {
            tag: Tag::Root,
            parent: None,
            end: 1,
            text: None,
            hint: Hint::default(),
            class_weight: 0,
        });
        // An explicit stack: no recursion on the page's depth. Each entry is a
        // DOM node and its parent's index here; `None` closes a subtree.
        let mut stack: Vec<Option<(NodeRef, u32)>> = root.children_it(true).map(|c| Some((c, 0))).collect();
        let mut open: Vec<u32> = vec![0];
        while let Some(entry) = stack.pop() {
            let Some((node, parent)) = entry else {
                let done = open.pop().expect("balanced");
                tree.nodes[done as usize].end = tree.nodes.len() as u32;
                continue;
            };
            let index = tree.nodes.len() as u32;
            if node.is_text() {
                let text = node.text();
                tree.nodes.push(Node {
                    tag: Tag::Inline,
                    parent: Some(parent),
                    end: index + 1,
                    text: Some(text.as_ref().into()),
                    hint: Hint::default(),
                    class_weight: 0,
                });
                continue;
            }
            if !node.is_element() {
                continue;
            }
            let Some(name) = node.node_name() else { continue };
            let Some(tag) = Tag::of(&name.to_ascii_lowercase()) else { continue };
            if node.has_attr("hidden") || node.attr("style").is_some_and(|s| hints::hides(&s)) {
                continue;
            }
            let (hint, class_weight) = hints::of(&node);
            tree.nodes.push(Node { tag, parent: Some(parent), end: index + 1, text: None, hint, class_weight });
            open.push(index);
            stack.push(None);
            stack.extend(node.children_it(true).map(|c| Some((c, index))));
        }
        tree.nodes[0].end = tree.nodes.len() as u32;
        tree
    }

    /// The ancestors of `i`, nearest first.
    pub(super) fn ancestors(&self, i: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(self.nodes[i as usize].parent, |&p| self.nodes[p as usize].parent)
    }

    /// Whether `a` is `b` or holds it.
    pub(super) fn contains(&self, a: u32, b: u32) -> bool {
        a <= b && b < self.nodes[a as usize].end
    }
}
