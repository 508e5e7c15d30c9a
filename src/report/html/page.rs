//! The page's frame: head, overview, the run region and foot, and the paged
//! lists the sections put their items in.

use std::io::{self, Write};

use super::Page;
use super::escape::{Esc, Thousands, pct};
use crate::model::{DocId, Scan};
use crate::report::summary::Summary;

/// Sources in the overview chart.
const TOP_SOURCES: usize = 15;
/// Items per page of the page's script.
const PAGE_SIZE: usize = 20;

/// The page's style. The line break after `<style>` is written with the tag,
/// so the file starts with its first rule.
const STYLE: &str = include_str!("style.css");

/// Runs first: marks the page as scripted (so lists render one page at a
/// time from the start) and writes any script error into `#js-errors`, where
/// the browser test looks. The line break after `<script>` is written with
/// the tag.
const HEAD_SCRIPT: &str = include_str!("head.js");

/// Paging, search and anchors. The search folds Arabic like sada does
/// (harakat, tatweel, hamza seats, alef maqsura, ta marbuta), so «أحمد»
/// finds «احمد». The line break after `<script>` is written with the tag.
const MAIN_SCRIPT: &str = include_str!("script.js");

impl<'a, W: Write> Page<'a, W> {
    pub(super) fn head(&mut self, summary: &Summary) -> io::Result<()> {
        let w = &mut *self.w;
        writeln!(w, "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">")?;
        writeln!(w, "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")?;
        // No network at all: the page must work offline and leak nothing.
        writeln!(
            w,
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
        )?;
        writeln!(w, "<meta name=\"generator\" content=\"sada {}\">", Esc(summary.version))?;
        writeln!(
            w,
            "<title>sada report</title>\n<style>\n{STYLE}</style>\n<script>\n{HEAD_SCRIPT}</script>\n</head>\n<body>"
        )?;
        writeln!(w, "<pre id=\"js-errors\" class=\"js-errors\" hidden></pre>")?;
        writeln!(
            w,
            "<div class=\"bar\" role=\"search\"><input id=\"q\" type=\"search\" autocomplete=\"off\" \
             placeholder=\"Filter by source, document or word\" aria-label=\"Filter\">\
             <span id=\"qcount\" class=\"muted\"></span><nav><a href=\"#overview\">Overview</a>\
             <a href=\"#statements\">Statements</a><a href=\"#clusters\">Clusters</a></nav></div>"
        )?;
        writeln!(w, "<main>\n<h1>sada <span lang=\"ar\">صدى</span> report</h1>")?;
        writeln!(
            w,
            "<p class=\"muted\">Near-duplicate articles and recycled statements. Machine-readable: \
             <a href=\"summary.json\">summary.json</a> · <a href=\"documents.jsonl\">documents.jsonl</a> · \
             <a href=\"clusters.jsonl\">clusters.jsonl</a> · <a href=\"statements.jsonl\">statements.jsonl</a></p>"
        )
    }

    pub(super) fn overview(&mut self, s: &Summary) -> io::Result<()> {
        let w = &mut *self.w;
        writeln!(w, "<section id=\"overview\">\n<h2>Overview</h2>\n<div class=\"cards\">")?;
        for (n, what) in [
            (s.documents, "documents"),
            (s.statements, "recycled statements"),
            (s.cross_source_statements, "across sources"),
            (s.clusters, "near-duplicate clusters"),
            (s.clustered_documents, "documents in clusters"),
            (s.tokens, "words"),
        ] {
            writeln!(w, "<div class=\"card\"><b>{}</b>{what}</div>", Thousands(n))?;
        }
        writeln!(w, "</div>\n<div class=\"cols\">\n<div>\n<h3>Corpus</h3>")?;
        counts_table(
            w,
            &[
                ("records read", s.documents),
                ("with text (ok)", s.ok),
                ("without words (empty)", s.empty),
                ("unreadable (error)", s.error),
                ("words", s.tokens),
                ("bytes of text", s.text_bytes),
                ("hidden files skipped", s.skipped_hidden),
                ("files of unknown type skipped", s.skipped_unknown),
                ("sada output directories skipped", s.skipped_outputs),
                ("archive records that are not documents", s.skipped_records),
            ],
        )?;
        writeln!(w, "</div>\n<div>\n<h3>Findings</h3>")?;
        counts_table(
            w,
            &[
                ("clusters", s.clusters),
                ("… of exact duplicates", s.exact_clusters),
                ("… with near duplicates", s.near_clusters),
                ("documents in clusters", s.clustered_documents),
                ("recycled statements", s.statements),
                ("… found in 2+ sources", s.cross_source_statements),
                ("boilerplate passages", s.boilerplate_statements),
                ("candidate pairs (LSH)", s.pairs.candidates),
                ("verified pairs", s.pairs.verified),
                ("aligned document pairs", s.pairs.aligned),
                ("passages found by alignment", s.pairs.passages),
            ],
        )?;
        writeln!(w, "</div>\n</div>\n<div class=\"cols\">\n<div>")?;
        self.top_sources()?;
        writeln!(self.w, "</div>\n<div>")?;
        run(self.w, s)?;
        parameters(self.w, s)?;
        writeln!(self.w, "</div>\n</div>\n</section>")
    }

    /// The chart of the sources found in most recycled statements, split into
    /// statements they published first (by date) and the rest.
    fn top_sources(&mut self) -> io::Result<()> {
        let (top, total) = top_sources(self.scan);
        let w = &mut *self.w;
        writeln!(w, "<h3>Top sources by recycled statements</h3>")?;
        let Some(max) = top.first().map(|t| t.statements) else {
            return writeln!(w, "<p class=\"muted\">No recycled statements.</p>");
        };
        writeln!(
            w,
            "<p class=\"note legend\"><span class=\"key first\"></span> published first (earliest date) \
             <span class=\"key\"></span> also published · {} of {} sources shown; click one to filter.</p>",
            top.len(),
            Thousands(total as u64)
        )?;
        writeln!(w, "<div class=\"chart\">")?;
        for t in &top {
            let first = pct(t.first as u64, max as u64);
            let rest = pct((t.statements - t.first) as u64, max as u64);
            writeln!(
                w,
                "<a href=\"#statements\" data-q=\"{src}\" title=\"{src}\"><bdi>{src}</bdi></a>\
                 <span class=\"hbar\"><span class=\"first\" style=\"width:{first}%\"></span><span style=\"width:{rest}%\"></span></span>\
                 <span class=\"num\">{} <span class=\"muted\">({} first)</span></span>",
                Thousands(t.statements as u64),
                Thousands(t.first as u64),
                src = Esc(t.source),
            )?;
        }
        writeln!(w, "</div>")
    }

    /// A paged list of items, each written by `item`.
    pub(super) fn list<T>(
        &mut self,
        name: &str,
        items: impl Iterator<Item = (usize, T)>,
        mut item: impl FnMut(&mut Self, usize, T) -> io::Result<()>,
    ) -> io::Result<()> {
        writeln!(self.w, "<div class=\"list\" data-list=\"{name}\" data-page=\"{PAGE_SIZE}\">")?;
        for (i, x) in items {
            item(self, i, x)?;
        }
        writeln!(
            self.w,
            "</div>\n<nav class=\"pager\" data-for=\"{name}\"><button type=\"button\" data-act=\"prev\">‹ previous</button>\
             <span class=\"pos\"></span><button type=\"button\" data-act=\"next\">next ›</button></nav>"
        )
    }

    pub(super) fn foot(&mut self) -> io::Result<()> {
        writeln!(self.w, "</main>\n<script>\n{MAIN_SCRIPT}</script>\n</body>\n</html>")
    }
}

/// "Showing the first N of M" when a list is capped, with where the rest is.
pub(super) fn caps_notice(w: &mut impl Write, total: usize, cap: usize, what: &str, file: &str) -> io::Result<()> {
    if total <= cap {
        return Ok(());
    }
    writeln!(
        w,
        "<p class=\"caps\">Showing the first {} of {} {what}, to keep this page fast. \
         <a href=\"{file}\">{file}</a> has all of them.</p>",
        Thousands(cap as u64),
        Thousands(total as u64)
    )
}

fn counts_table(w: &mut impl Write, rows: &[(&str, u64)]) -> io::Result<()> {
    writeln!(w, "<table>")?;
    for (what, n) in rows {
        writeln!(w, "<tr><td>{what}</td><td class=\"num\">{}</td></tr>", Thousands(*n))?;
    }
    writeln!(w, "</table>")
}

/// The parameters as `dotted.name = value` rows, in the summary's order.
fn parameters(w: &mut impl Write, s: &Summary) -> io::Result<()> {
    let value = serde_json::to_value(&s.parameters).map_err(io::Error::other)?;
    let mut rows = Vec::new();
    flatten("", &value, &mut rows);
    writeln!(w, "<details><summary>Parameters</summary><table>")?;
    for (k, v) in rows {
        writeln!(w, "<tr><td>{}</td><td>{}</td></tr>", Esc(&k), Esc(&v))?;
    }
    writeln!(w, "</table></details>")
}

fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        serde_json::Value::Null => out.push((prefix.to_string(), "auto".to_string())),
        serde_json::Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// The run-specific region: threads and timings. The only part of the page
/// that may differ between runs on the same input.
fn run(w: &mut impl Write, s: &Summary) -> io::Result<()> {
    let timings = &s.run.timings.0;
    let max = timings.iter().map(|t| t.1).fold(0.0, f64::max);
    writeln!(w, "<!--run-->")?;
    writeln!(
        w,
        "<div id=\"run\"><h3>Run</h3><p>threads: {} · {:.3} s in all stages</p><div class=\"chart\">",
        s.run.threads, s.run.total_seconds
    )?;
    for (stage, secs) in timings {
        let name = serde_json::to_value(stage).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let width = if max > 0.0 { (secs / max * 100.0).round() } else { 0.0 };
        writeln!(
            w,
            "<span>{name}</span><span class=\"hbar\"><span style=\"width:{width}%\"></span></span><span class=\"num\">{secs:.3} s</span>"
        )?;
    }
    writeln!(w, "</div></div>\n<!--/run-->")
}

/// A source's place in the overview chart.
#[derive(Debug, PartialEq)]
struct SourceCount<'a> {
    source: &'a str,
    /// Non-boilerplate statements the source has an occurrence of.
    statements: u32,
    /// Of those, statements it published first.
    first: u32,
}

/// The [`TOP_SOURCES`] sources with the most recycled statements (ties by
/// name), and how many sources have any.
fn top_sources(scan: &Scan) -> (Vec<SourceCount<'_>>, usize) {
    let source = |d: DocId| scan.docs[d.index()].meta.source.as_str();
    let news = scan.statements.iter().enumerate().filter(|(_, s)| !s.boilerplate);
    let mut pairs: Vec<(&str, usize)> =
        news.clone().flat_map(|(i, s)| s.occurrences.iter().map(move |o| (source(o.doc), i))).collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut firsts: Vec<&str> = news.filter_map(|(_, s)| s.origin.map(source)).collect();
    firsts.sort_unstable();
    let mut counts: Vec<SourceCount<'_>> = pairs
        .chunk_by(|x, y| x.0 == y.0)
        .map(|g| {
            let first = firsts.partition_point(|s| *s <= g[0].0) - firsts.partition_point(|s| *s < g[0].0);
            SourceCount { source: g[0].0, statements: g.len() as u32, first: first as u32 }
        })
        .collect();
    let total = counts.len();
    counts.sort_by(|x, y| y.statements.cmp(&x.statements).then(x.source.cmp(y.source)));
    counts.truncate(TOP_SOURCES);
    (counts, total)
}
