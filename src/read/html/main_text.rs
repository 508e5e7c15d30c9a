//! The article's text in a flattened page: which part of the page is the
//! article, and which of its lines to keep.
//!
//! 1. **Lines.** The page's text is cut into lines at block elements and
//!    `<br>`; each line knows the element it sits in, its length (a CJK
//!    character counts double: it carries about a word) and how much of it is
//!    link text.
//! 2. **The article's container**, chosen as Readability does: every line of
//!    25+ characters scores its container (1 + commas + a point per 100
//!    characters, at most 3), its parent in full, its grandparent half, and
//!    higher ancestors less; each container starts from its tag's and its
//!    class/id's weight and ends scaled by its share of non-link text. Lines
//!    inside boilerplate (menus, asides, site headers and footers, share and
//!    related boxes…) do not score — unless nothing else on the page does, as
//!    on a page whose article sits inside its site `<header>` or an
//!    `<aside>`. The winner grows to the element the page names as its
//!    article body, if one holds it. Siblings of the winner that score close
//!    to it, or are plain paragraphs, join it.
//! 3. **Lines kept**, paragraph by paragraph rather than the whole block:
//!    lines of the container(s) that are not inside boilerplate nested in
//!    them, and are not mostly link text (a "Read more" line, a list of
//!    related links) unless they are table cells (a product table names its
//!    rows with links; menus are lists). The headline (`<h1>`) comes first
//!    even when it sits outside the container, then the short lines between
//!    it and the body — byline, date, standfirst.
//! 4. **Prose elsewhere**: a line outside the container that is a paragraph
//!    on its own (250+ characters, at most 30% link text, not inside
//!    boilerplate, comments or an author box) is kept too, in page order —
//!    an article's lead or annex in a block of its own, as trafilatura and
//!    jusText decide paragraph by paragraph; inside an element the page
//!    names as its article body, any line of 30+ characters is.
//! 5. **The tail**: short last lines away from the article's last paragraph
//!    ("Read more:", "Was this article useful?", a photo credit) go.
//! 6. **A fragment** — kept text under a fifth of the page's plain text
//!    (outside boilerplate and comments, not mostly links) — gives way to
//!    that plain text: a page built of short modules has no one container.

use super::hints::Hint;
use super::tree::{Tag, Tree};

/// A line of text shorter than this (weighted characters) does not score.
const MIN_SCORING: usize = 25;
/// Lines with more than this share of link text are menus and teasers.
const MAX_LINK_DENSITY: f32 = 0.5;
/// Between headline and body, lines are kept while they total at most this
/// (weighted characters); a longer stretch is something else (a teaser
/// list, a gallery) and only its byline-like lines are kept.
const MAX_BETWEEN: usize = 1_000;
/// A line outside the article's container is kept when it is this long
/// (weighted characters) and this little of it is link text: a paragraph
/// of the article that sits in another block.
const MIN_PROSE: usize = 250;
const MAX_PROSE_LINK_DENSITY: f32 = 0.3;
/// The container grows to its parent while the parent holds this many
/// times its prose.
const CLIMB: f32 = 1.6;
/// Below this much kept text, scoring is retried with the lines inside
/// boilerplate counted too.
const RETRY_BELOW: usize = 250;
/// Kept text under 1/`FRAGMENT` of the page's plain text (outside
/// boilerplate and comments, not mostly links) gives way to that plain text.
const FRAGMENT: usize = 5;
/// Inside an element the page names as its article body
/// (`itemprop=articleBody`, `entry-content`…), a line outside the container
/// is kept from this length (weighted characters): the site says it is the
/// article, so a paragraph need not be long to prove it.
const MIN_BODY_LINE: usize = 30;
/// Last lines shorter than this (weighted characters) that do not sit beside
/// the article's last longer line are calls to action and credits after the
/// article ("Read more:", "Was this article useful?", "Photo: …").
const MIN_TAIL: usize = 30;
/// A heading goes with the list of links under it ("Related", "Read more")
/// only when shorter than this (weighted characters): a longer one is a
/// lead paragraph set in `<h2>`.
const MAX_LIST_HEADING: usize = 60;

/// One line of text.
#[derive(Debug)]
struct Line {
    /// The nearest block element around it.
    owner: u32,
    text: String,
    /// Weighted characters (CJK double, whitespace not counted).
    chars: usize,
    link_chars: usize,
    commas: usize,
}

impl Line {
    fn link_density(&self) -> f32 {
        if self.chars == 0 { 0.0 } else { self.link_chars as f32 / self.chars as f32 }
    }
}

/// Per element, from its tag and hints: is it boilerplate, a comment
/// section, a byline; is it (or an ancestor) the page's named article body.
struct Facts {
    boiler: Vec<bool>,
    comments: Vec<bool>,
    byline: Vec<bool>,
    in_body: Vec<bool>,
}

/// The article's text: its lines joined by `\n`, headline first.
pub(super) fn extract(tree: &Tree) -> String {
    let lines = lines(tree);
    if lines.is_empty() {
        return String::new();
    }
    let facts = facts(tree, &lines);
    let mut kept = choose(tree, &lines, &facts, false);
    if weight(&lines, &kept) < RETRY_BELOW {
        let again = choose(tree, &lines, &facts, true);
        if weight(&lines, &again) > weight(&lines, &kept) {
            kept = again;
        }
    }
    recover(tree, &lines, &facts, &mut kept);
    trim_tail(tree, &lines, &mut kept);
    // A container holding a small part of the page's plain text was a
    // fragment of it — a product page or a landing page built of modules,
    // whose lines are short and score little: the plain text is the better
    // answer, as trafilatura falls back to jusText and Readability when its
    // own result is too short.
    let plain: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            lines[i].link_density() <= MAX_LINK_DENSITY
                && !flagged_below(tree, &facts.boiler, lines[i].owner, None)
                && !flagged_below(tree, &facts.comments, lines[i].owner, None)
        })
        .collect();
    if weight(&lines, &kept) * FRAGMENT < weight(&lines, &plain) {
        kept = plain;
    }
    if kept.is_empty() {
        kept = (0..lines.len()).filter(|&i| lines[i].link_density() <= MAX_LINK_DENSITY).collect();
    }
    if kept.is_empty() {
        kept = (0..lines.len()).collect();
    }
    let mut out = String::new();
    for i in kept {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&lines[i].text);
    }
    out
}

fn weight(lines: &[Line], kept: &[usize]) -> usize {
    kept.iter().map(|&i| lines[i].chars).sum()
}

/// Cuts the page's text into lines.
fn lines(tree: &Tree) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut open: Vec<u32> = Vec::new();
    let mut links = 0usize;
    let mut current = Line { owner: 0, text: String::new(), chars: 0, link_chars: 0, commas: 0 };
    let mut space = false;
    let flush = |current: &mut Line, lines: &mut Vec<Line>, owner: u32| {
        let text = current.text.trim_end();
        if !text.is_empty() {
            let text = text.to_string();
            lines.push(Line { text, ..std::mem::replace(current, Line { owner, ..Line::empty() }) });
        } else {
            *current = Line { owner, ..Line::empty() };
        }
    };
    for (i, node) in tree.nodes.iter().enumerate() {
        let i = i as u32;
        let mut closed_block = false;
        while let Some(&top) = open.last() {
            if tree.nodes[top as usize].end > i {
                break;
            }
            open.pop();
            match tree.nodes[top as usize].tag {
                Tag::A => links -= 1,
                t if t.is_block() => closed_block = true,
                _ => {}
            }
        }
        let owner = || open.iter().rev().copied().find(|&o| tree.nodes[o as usize].tag.is_block()).unwrap_or(0);
        if closed_block {
            flush(&mut current, &mut lines, owner());
            space = false;
        }
        if let Some(text) = &node.text {
            if current.text.is_empty() {
                current.owner = owner();
            }
            for c in text.chars() {
                if c.is_whitespace() {
                    space = !current.text.is_empty();
                    continue;
                }
                if space {
                    current.text.push(' ');
                    space = false;
                }
                current.text.push(c);
                let w = if is_cjk(c) { 2 } else { 1 };
                current.chars += w;
                if links > 0 {
                    current.link_chars += w;
                }
                if matches!(c, ',' | '،' | '，' | '、') {
                    current.commas += 1;
                }
            }
            continue;
        }
        if node.tag.is_block() || node.tag == Tag::Br {
            flush(&mut current, &mut lines, i);
            space = false;
        }
        if node.end > i + 1 {
            open.push(i);
            if node.tag == Tag::A {
                links += 1;
            }
        }
    }
    flush(&mut current, &mut lines, 0);
    lines
}

impl Line {
    fn empty() -> Line {
        Line { owner: 0, text: String::new(), chars: 0, link_chars: 0, commas: 0 }
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF // kana
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF // ideographs
        | 0xAC00..=0xD7AF // hangul
    )
}

/// Tag- and hint-level facts per element.
fn facts(tree: &Tree, lines: &[Line]) -> Facts {
    let n = tree.nodes.len();
    // Text per element, to tell a page wrapper from a box.
    let mut chars = vec![0usize; n];
    for line in lines {
        for a in std::iter::once(line.owner).chain(tree.ancestors(line.owner)) {
            chars[a as usize] += line.chars;
        }
    }
    let wrapper = |i: usize| chars[i] * 2 > chars[0];
    let mut has_p = vec![false; n];
    for i in (0..n).rev() {
        let node = &tree.nodes[i];
        if node.tag == Tag::P {
            has_p[i] = true;
        }
        if has_p[i]
            && let Some(p) = node.parent
        {
            has_p[p as usize] = true;
        }
    }
    let mut in_article = vec![false; n];
    let mut boiler = vec![false; n];
    let mut comments = vec![false; n];
    let mut byline = vec![false; n];
    let mut in_body = vec![false; n];
    for i in 0..n {
        let node = &tree.nodes[i];
        in_body[i] = node.hint.has(Hint::BODY) || node.parent.is_some_and(|p| in_body[p as usize]);
        let parent_in = node.parent.is_some_and(|p| in_article[p as usize]);
        in_article[i] = parent_in || matches!(node.tag, Tag::Article | Tag::Main) || node.hint.has(Hint::BODY);
        // `<noscript>` is not boilerplate: what a page shows without
        // scripts is text (Blogger stores whole posts there), and its usual
        // content, a tracking image or an iframe, holds none.
        boiler[i] = match node.tag {
            Tag::Nav | Tag::Aside | Tag::Footer => true,
            Tag::Header => !parent_in,
            Tag::Form => !has_p[i],
            _ => false,
        } || (node.hint.has(Hint::BOILER) && !node.hint.has(Hint::BODY) && !wrapper(i));
        comments[i] = node.hint.has(Hint::COMMENTS) && !node.hint.has(Hint::BODY) && !wrapper(i);
        byline[i] = node.hint.has(Hint::BYLINE) || node.tag == Tag::Time;
    }
    Facts { boiler, comments, byline, in_body }
}

/// Whether the node or an ancestor up to (not including) `stop` is flagged.
fn flagged_below(tree: &Tree, flags: &[bool], node: u32, stop: Option<u32>) -> bool {
    std::iter::once(node).chain(tree.ancestors(node)).take_while(|&a| Some(a) != stop).any(|a| flags[a as usize])
}

/// The lines to keep, in order.
fn choose(tree: &Tree, lines: &[Line], facts: &Facts, ignore_boiler: bool) -> Vec<usize> {
    let n = tree.nodes.len();
    let excluded = |owner: u32| {
        flagged_below(tree, &facts.boiler, owner, None) || flagged_below(tree, &facts.comments, owner, None)
    };
    // Text and link text per element.
    let mut chars = vec![0usize; n];
    let mut link_chars = vec![0usize; n];
    let mut score = vec![0f32; n];
    let mut scored = vec![false; n];
    for line in lines {
        for a in std::iter::once(line.owner).chain(tree.ancestors(line.owner)) {
            chars[a as usize] += line.chars;
            link_chars[a as usize] += line.link_chars;
        }
    }
    for line in lines {
        if line.chars < MIN_SCORING || (!ignore_boiler && excluded(line.owner)) {
            continue;
        }
        let points = 1.0 + line.commas as f32 + (line.chars / 100).min(3) as f32;
        for (level, a) in tree.ancestors(line.owner).take(5).enumerate() {
            let a = a as usize;
            if !scored[a] {
                scored[a] = true;
                score[a] += initial_score(tree, a);
            }
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f32 * 3.0,
            };
            score[a] += points / divider;
        }
    }
    let final_score = |a: usize| {
        let ld = if chars[a] == 0 { 0.0 } else { link_chars[a] as f32 / chars[a] as f32 };
        score[a] * (1.0 - ld)
    };
    let candidate = |a: usize| scored[a] && (ignore_boiler || !facts.boiler[a]);
    let Some(top) = (0..n).filter(|&a| candidate(a)).max_by(|&a, &b| final_score(a).total_cmp(&final_score(b))) else {
        return Vec::new();
    };
    // Climb while the parent holds much more prose than the winner: a live
    // report or a story cut into many small blocks is the sum of them, not
    // its longest one.
    let mut prose = vec![0usize; n];
    for line in lines {
        if line.chars >= MIN_SCORING
            && line.link_density() <= MAX_LINK_DENSITY
            && (ignore_boiler || !excluded(line.owner))
        {
            for a in std::iter::once(line.owner).chain(tree.ancestors(line.owner)) {
                prose[a as usize] += line.chars;
            }
        }
    }
    let mut top = top;
    while let Some(parent) = tree.nodes[top].parent
        && parent != 0
        && prose[parent as usize] as f32 > CLIMB * prose[top] as f32
    {
        top = parent as usize;
    }
    // A page that names its article body (`itemprop=articleBody`,
    // `entry-content`…) is believed over the scores: the winner grows to
    // it, so its lead, subheads and short paragraphs come along.
    if let Some(body) = std::iter::once(top as u32)
        .chain(tree.ancestors(top as u32))
        .find(|&a| tree.nodes[a as usize].hint.has(Hint::BODY) && (ignore_boiler || !facts.boiler[a as usize]))
    {
        top = body as usize;
    }
    let top_score = final_score(top);
    // Siblings that score close to the winner, or read as paragraphs.
    let mut regions = vec![top as u32];
    if let Some(parent) = tree.nodes[top].parent {
        let threshold = (top_score * 0.2).max(10.0);
        regions.clear();
        let mut c = parent + 1;
        while c < tree.nodes[parent as usize].end {
            let cu = c as usize;
            let ld = if chars[cu] == 0 { 1.0 } else { link_chars[cu] as f32 / chars[cu] as f32 };
            let join = cu == top
                || (scored[cu] && final_score(cu) >= threshold && (ignore_boiler || !facts.boiler[cu]))
                || (tree.nodes[cu].tag == Tag::P && chars[cu] > 80 && ld < 0.25);
            if join {
                regions.push(c);
            }
            c = tree.nodes[cu].end;
        }
    }
    let first = regions[0];
    let mut dropped_after: Option<usize> = None;
    let in_region = |owner: u32| regions.iter().copied().find(|&r| tree.contains(r, owner));
    let mut kept: Vec<usize> = Vec::new();
    let mut headline = None;
    for (i, line) in lines.iter().enumerate() {
        let Some(r) = in_region(line.owner) else { continue };
        // Boilerplate and comments nested in the region go; the region
        // itself may be inside boilerplate (an article in an `<aside>`).
        if flagged_below(tree, &facts.boiler, line.owner, Some(r))
            || flagged_below(tree, &facts.comments, line.owner, Some(r))
        {
            continue;
        }
        if line.link_density() > MAX_LINK_DENSITY && tree.nodes[line.owner as usize].tag != Tag::Td {
            // A heading over a list of links ("Related", "Read more") goes
            // with it.
            if let Some(&last) = kept.last()
                && dropped_after.is_none()
                && is_heading(tree, lines[last].owner)
                && lines[last].chars < MAX_LIST_HEADING
            {
                kept.pop();
            }
            dropped_after = Some(i);
            continue;
        }
        dropped_after = None;
        if headline.is_none() && is_h1(tree, line.owner) {
            headline = Some(i);
            continue;
        }
        kept.push(i);
    }
    // The headline outside the region: the last `<h1>` before it.
    if headline.is_none() {
        headline = lines.iter().enumerate().rev().find_map(|(i, line)| {
            (line.owner < first
                && is_h1(tree, line.owner)
                && line.link_density() <= MAX_LINK_DENSITY
                && !excluded_but(tree, facts, line.owner, first))
            .then_some(i)
        });
        // Lines between the headline and the body: byline, date, standfirst.
        if let Some(h) = headline {
            let between: Vec<usize> = (h + 1..lines.len())
                .take_while(|&i| lines[i].owner < first)
                .filter(|&i| {
                    lines[i].link_density() <= MAX_LINK_DENSITY && !excluded_but(tree, facts, lines[i].owner, first)
                })
                .collect();
            let total: usize = between.iter().map(|&i| lines[i].chars).sum();
            let byline = |i: usize| flagged_below(tree, &facts.byline, lines[i].owner, None);
            let between: Vec<usize> =
                if total <= MAX_BETWEEN { between } else { between.into_iter().filter(|&i| byline(i)).collect() };
            kept.splice(0..0, between);
        }
    }
    if let Some(h) = headline {
        kept.insert(0, h);
    }
    kept
}

/// Adds to `kept` (the lines chosen, in document order but for a headline
/// first) the lines elsewhere that read as prose on their own: paragraphs of
/// an article split over blocks without a close common ancestor (a lead
/// above the body, an annex below it, an interview in modules), as
/// trafilatura keeps every paragraph of its content area rather than one
/// block. Lines in boilerplate or comments never come back.
fn recover(tree: &Tree, lines: &[Line], facts: &Facts, kept: &mut Vec<usize>) {
    if kept.is_empty() {
        return;
    }
    let mut taken = vec![false; lines.len()];
    for &i in kept.iter() {
        taken[i] = true;
    }
    let recovered: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let line = &lines[i];
            !taken[i]
                && (line.chars >= MIN_PROSE || (line.chars >= MIN_BODY_LINE && facts.in_body[line.owner as usize]))
                && line.link_density() <= MAX_PROSE_LINK_DENSITY
                && !flagged_below(tree, &facts.boiler, line.owner, None)
                && !flagged_below(tree, &facts.comments, line.owner, None)
                // An author box's biography is prose, not the article.
                && !flagged_below(tree, &facts.byline, line.owner, None)
        })
        .collect();
    if recovered.is_empty() {
        return;
    }
    // The headline stays first.
    let skip = usize::from(is_h1(tree, lines[kept[0]].owner));
    let mut merged = kept[..skip].to_vec();
    let mut rest = kept[skip..].iter().copied().peekable();
    for r in recovered {
        while let Some(k) = rest.next_if(|&k| k < r) {
            merged.push(k);
        }
        merged.push(r);
    }
    merged.extend(rest);
    *kept = merged;
}

/// Drops the short last lines of `kept` that are not beside its last longer
/// line: what follows an article in its container — "Read more:", "Was this
/// article useful?", a photo credit — is short and sits in a block of its
/// own, while a recipe's last ingredient, a poem's refrain or a signature
/// sits with the lines before it (same element, siblings, or one inside the
/// other). The headline is never dropped, nor a text with no longer line.
fn trim_tail(tree: &Tree, lines: &[Line], kept: &mut Vec<usize>) {
    let beside = |a: u32, b: u32| {
        let (pa, pb) = (tree.nodes[a as usize].parent, tree.nodes[b as usize].parent);
        a == b || pa == pb || pa == Some(b) || pb == Some(a)
    };
    while kept.len() > 1 {
        let line = &lines[kept[kept.len() - 1]];
        if line.chars >= MIN_TAIL || is_h1(tree, line.owner) {
            return;
        }
        // A text of short lines only (a short page, a list) has no article
        // for its tail to follow.
        let Some(&longer) = kept.iter().rev().find(|&&k| lines[k].chars >= MIN_TAIL) else { return };
        if beside(lines[longer].owner, line.owner) {
            return;
        }
        kept.pop();
    }
}

/// Whether a line outside the regions is boilerplate: flagged below the
/// nearest ancestor that also holds the article (whose own flags say
/// nothing about this line).
fn excluded_but(tree: &Tree, facts: &Facts, owner: u32, article: u32) -> bool {
    let common = std::iter::once(owner).chain(tree.ancestors(owner)).find(|&a| tree.contains(a, article));
    flagged_below(tree, &facts.boiler, owner, common) || flagged_below(tree, &facts.comments, owner, common)
}

fn is_heading(tree: &Tree, owner: u32) -> bool {
    matches!(tree.nodes[owner as usize].tag, Tag::Heading)
}

fn is_h1(tree: &Tree, owner: u32) -> bool {
    std::iter::once(owner)
        .chain(tree.ancestors(owner))
        .take_while(|&a| tree.nodes[a as usize].tag != Tag::Root)
        .take(3)
        .any(|a| tree.nodes[a as usize].tag == Tag::H1)
}

/// Readability's starting score of a candidate: by tag, then class and id.
fn initial_score(tree: &Tree, a: usize) -> f32 {
    let node = &tree.nodes[a];
    let by_tag = match node.tag {
        Tag::Div | Tag::Article | Tag::Main => 5,
        Tag::Pre | Tag::Td | Tag::Quote => 3,
        Tag::List | Tag::Li | Tag::Form => -3,
        Tag::H1 | Tag::Heading => -5,
        _ => 0,
    };
    let body = if node.hint.has(Hint::BODY) { 25 } else { 0 };
    (by_tag + node.class_weight + body) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use dom_query::Document;

    fn words(tag: &str, n: usize) -> String {
        (0..n).map(|i| format!("{tag}{i}")).collect::<Vec<_>>().join(" ")
    }

    /// An article whose long lead sits deep in one block and whose annex sits
    /// in another, away from the body the scoring picks.
    fn split_article() -> String {
        let body: String =
            (0..6).map(|i| format!("<p>{}, a clause, another, more, {}.</p>", words("body", 30), i)).collect();
        format!(
            "<html><body><h1>The headline</h1>\
             <div><div><div><div><div><div><p>{lead}</p></div></div></div></div></div></div>\
             <div class=\"x\"><div class=\"y\"><div class=\"z\">{body}</div></div></div>\
             <div><div><div><div><div><div><p>{annex}</p><p>short outside</p></div></div></div></div></div></div>\
             <aside><p>{aside}</p></aside>\
             <div><div><div><div><div><div><p><a href=\"/\">{links}</a></p></div></div></div></div></div></div>\
             </body></html>",
            // Over MAX_BETWEEN: not kept as a standfirst under the headline.
            lead = words("lead", 160),
            annex = words("annex", 40),
            aside = words("aside", 40),
            links = words("link", 40),
        )
    }

    #[test]
    fn prose_outside_the_container_comes_back() {
        let doc = Document::from(split_article().as_str());
        let tree = Tree::build(&doc);
        let lines = lines(&tree);
        let facts = facts(&tree, &lines);
        let chosen: Vec<&str> = choose(&tree, &lines, &facts, false).iter().map(|&i| lines[i].text.as_str()).collect();
        // The scene is the one recovery is for: the container misses both.
        assert!(chosen.iter().all(|l| !l.contains("lead0") && !l.contains("annex0")), "{chosen:?}");
        let text = extract(&tree);
        let order: Vec<usize> = ["The headline", "lead0", "body0", "annex0"]
            .iter()
            .map(|w| text.find(w).unwrap_or_else(|| panic!("{w} missing from {text}")))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "headline first, then document order: {text}");
        for gone in ["short outside", "aside0", "link0"] {
            assert!(!text.contains(gone), "{gone} in {text}");
        }
    }

    #[test]
    fn recovery_keeps_a_headline_first() {
        // The headline comes after a recoverable paragraph in the page.
        let html = format!(
            "<html><body><div><div><div><div><div><div><p>{}</p></div></div></div></div></div></div>\
             <div><h1>Title</h1><div class=\"z\">{}</div></div></body></html>",
            words("early", 40),
            (0..5).map(|_| format!("<p>{}, one, two, three.</p>", words("w", 30))).collect::<String>(),
        );
        let doc = Document::from(html.as_str());
        let text = extract(&Tree::build(&doc));
        assert!(text.starts_with("Title\n"), "{text}");
        assert!(text.contains("early0"), "{text}");
    }

    #[test]
    fn page_builder_widgets_are_the_article() {
        // Every paragraph of the article in its own widget, as page builders
        // write it; the sidebar's widgets sit in an `<aside>`.
        let widget = |text: String| {
            format!(
                "<div class=\"elementor-widget elementor-widget-text-editor\">\
                 <div class=\"elementor-widget-container\"><p>{text}</p></div></div>"
            )
        };
        let body: String =
            (0..4).map(|i| widget(format!("{}, one, two, three.", words(&format!("p{i}w"), 30)))).collect();
        let html = format!(
            "<html><body><h1>Title</h1><div class=\"elementor-section\">{body}</div>\
             <aside><div class=\"widget\"><p>{side}</p></div></aside></body></html>",
            side = words("side", 40),
        );
        let doc = Document::from(html.as_str());
        let text = extract(&Tree::build(&doc));
        for kept in ["Title", "p0w0", "p1w0", "p2w0", "p3w0"] {
            assert!(text.contains(kept), "{kept} missing from {text}");
        }
        assert!(!text.contains("side0"), "{text}");
    }
}
