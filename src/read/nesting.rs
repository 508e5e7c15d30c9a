//! How deep a page's elements nest, read from its markup before parsing.
//!
//! The HTML parser, the cleaner and Readability all walk the tree, some of
//! them recursively and some (ancestor walks per node) in time that grows
//! with depth × nodes: 32,000 nested `<div>`s overflowed the stack and
//! killed the whole run, 8,000 took 15 s. A page nested that deep is
//! hostile or broken, never an article, so it is refused before parsing,
//! which needs this estimate and not the parser's tree. No crate gives it:
//! tokenizers (html5ever's included) report tags, not the nesting a tree
//! builder would make of them, so this counts start and end tags itself,
//! leaving out what never nests (void elements, elements whose end tag is
//! implied by their next sibling, raw text).

/// Elements without content: `<br>` never opens anything.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source", "track",
    "wbr",
];

/// Elements closed by their next sibling (`<li>` after `<li>`, `<p>` before a
/// block): a list of 10,000 unclosed items is 10,000 siblings, not a depth
/// of 10,000.
const IMPLIED_END: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb", "rt", "rp", "rtc", "tbody", "thead", "tfoot",
    "colgroup", "caption",
];

/// Elements whose content is text up to their end tag, not markup.
const RAW_TEXT: &[&str] =
    &["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"];

/// The deepest nesting of elements in `html`, estimated from its tags: each
/// start tag of an element that nests opens a level, its end tag closes
/// one (an end tag with nothing open is ignored).
pub fn max_depth(html: &str) -> usize {
    let b = html.as_bytes();
    let (mut depth, mut max, mut i) = (0usize, 0usize, 0usize);
    while let Some(lt) = memchr::memchr(b'<', &b[i..]) {
        i += lt + 1;
        if b[i..].starts_with(b"!--") {
            i = find(b, i + 3, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let closing = b.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let name_len = b[start..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'-').count();
        if name_len == 0 || !b[start].is_ascii_alphabetic() {
            // `<!DOCTYPE`, `<?xml`, a lone `<`: not an element.
            continue;
        }
        let name = html[start..start + name_len].to_ascii_lowercase();
        let end = tag_end(b, start + name_len);
        let self_closing = end > 0 && b.get(end - 1) == Some(&b'/');
        i = (end + 1).min(b.len());
        let name = name.as_str();
        if VOID.contains(&name) || IMPLIED_END.contains(&name) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else if RAW_TEXT.contains(&name) {
            // Its text is not markup; it opens and closes one level.
            max = max.max(depth + 1);
            i = find_end_tag(b, i, name.as_bytes()).unwrap_or(b.len());
        } else if !self_closing {
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

/// The index of the `>` that ends a tag whose name ends at `from` (quoted
/// attribute values may hold `>`), or the end of the input. A quote opens a
/// value only right after `=`, as for the parser: `<div a=x'y>` ends at its
/// `>`, so a stray quote cannot hide the tags after it from the count.
fn tag_end(b: &[u8], from: usize) -> usize {
    let mut quote = None;
    let mut after_equals = false;
    for (k, &c) in b[from..].iter().enumerate() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') if after_equals => quote = Some(c),
            (None, b'>') => return from + k,
            _ => {}
        }
        if quote.is_none() && !c.is_ascii_whitespace() {
            after_equals = c == b'=';
        }
    }
    b.len()
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(&b[from.min(b.len())..], needle).map(|k| from + k)
}

/// Where the end tag `</name` (any case) starts, from `from` on.
fn find_end_tag(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut at = from;
    while let Some(k) = find(b, at, b"</") {
        let n = &b[k + 2..];
        if n.len() >= name.len() && n[..name.len()].eq_ignore_ascii_case(name) {
            return Some(k);
        }
        at = k + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_of_ordinary_markup() {
        let cases: &[(&str, usize)] = &[
            ("", 0),
            ("plain text < 3 and 4 > 2", 0),
            ("<html><body><div><p>a<p>b</div></body></html>", 3),
            ("<div><br><img src=x><hr/></div>", 1),
            ("<ul><li>a<li>b<li>c</ul>", 1),
            ("<div/><div/><div/>", 0),
            ("<!-- <div><div><div> --><span>x</span>", 1),
            ("<!DOCTYPE html><?xml version='1.0'?><b>x</b>", 1),
            ("<script>if (a<b) { x = '<div><div>' }</script><b>y</b>", 1),
            ("<div title=\"a > b\"><span>x</span></div>", 2),
            ("<div title = 'a > b'><span>x</span></div>", 2),
            ("<div a=x'y><div>z</div></div>", 2),
            ("</div></div><b>x</b>", 1),
            ("<STYLE>p{}</style><Div><DIV>x</div></DIV>", 2),
        ];
        for &(html, want) in cases {
            assert_eq!(max_depth(html), want, "{html}");
        }
    }

    #[test]
    fn hostile_nesting_is_counted_whatever_the_tag() {
        for tag in ["div", "fmt", "b", "x-widget"] {
            let html = format!("<{tag}>").repeat(20_000);
            assert_eq!(max_depth(&html), 20_000, "{tag}");
            let closed = format!("{}{}", format!("<{tag}>").repeat(700), format!("</{tag}>").repeat(700));
            assert_eq!(max_depth(&closed), 700, "{tag}");
        }
    }

    #[test]
    fn unterminated_constructs_end_the_scan() {
        assert_eq!(max_depth("<div><!-- never closed <div><div>"), 1);
        assert_eq!(max_depth("<div><script>var x = '<div>'"), 2);
        assert_eq!(max_depth("<div title='unclosed><div>"), 1);
        // A quote that opens no value hides nothing.
        let evasive = format!("<div a=x'>{}", "<div>".repeat(5_000));
        assert_eq!(max_depth(&evasive), 5_001);
    }
}
