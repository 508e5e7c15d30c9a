//! `report.html`: the page people open first — editors checking who copied
//! whom, researchers following a statement from outlet to outlet.
//!
//! One self-contained file: inline CSS and JS, no network (a
//! Content-Security-Policy forbids any fetch), works from `file://`.
//!
//! # Layout
//!
//! 1. **Overview**: corpus counts, findings, the sources that recycle most
//!    (CSS bars), parameters, and the run's threads and timings.
//! 2. **Statements**, most widely recycled first: the representative text,
//!    then each occurrence side by side in its document context with the
//!    shared passage in `<mark>` and the words that differ from the
//!    representative in `<span class="diff">`. Boilerplate comes last, in a
//!    collapsed `<details>`.
//! 3. **Clusters**: members, their similarity to the representative, and a
//!    word diff of some members against it.
//!
//! # Large runs
//!
//! What is embedded is capped ([`STATEMENTS_SHOWN`], [`CLUSTERS_SHOWN`], and
//! per item), and the page says so and points to the JSONL files. The page's
//! script shows one page of items at a time and filters them by the search
//! box; without script every item is simply visible.
//!
//! # Determinism
//!
//! Everything comes from sorted vectors, never from a hash map, so the same
//! input gives the same bytes. The only run-specific data (threads, timings)
//! sits in one region between the literal markers `<!--run-->` and
//! `<!--/run-->`, which the determinism test strips.
//!
//! Every text from the input (ids, sources, dates, texts) goes through
//! [`Esc`]; text blocks carry `dir="auto"` so Arabic renders right-to-left,
//! and ids and names are isolated in `<bdi>` so mixed scripts stay readable.

use std::fmt;
use std::io::{self, Write};

use super::caps::{BOILERPLATE_SHOWN, CLUSTERS_SHOWN, CONTEXT_CHARS, EXCERPT_BYTES, STATEMENTS_SHOWN};
use super::summary::Summary;
use super::wire::round4;
use crate::cluster::{Cluster, ClusterKind};
use crate::model::DocId;
use crate::model::{Document, Scan};
use crate::normalize::Analyzer;
use crate::passage::statement::{BoilerplateKind, Context};
use crate::passage::{Occurrence, Statement};

/// Occurrence cards of a statement shown open, side by side.
const CARDS_OPEN: usize = 6;
/// Occurrence cards of a statement in all (the rest behind a `<details>`).
const CARDS_MAX: usize = 12;
/// Further occurrences listed without context.
const LISTED_MAX: usize = 200;
/// Members listed per cluster.
const MEMBERS_SHOWN: usize = 50;
/// Members per cluster diffed against the representative, least similar
/// first: those are where the edits are.
const DIFFS_PER_CLUSTER: usize = 3;
/// Sources in the overview chart.
const TOP_SOURCES: usize = 15;
/// Items per page of the page's script.
const PAGE_SIZE: usize = 20;
/// Identical words kept on each side of a change in a cluster diff; longer
/// identical runs collapse to a count.
const DIFF_CONTEXT_WORDS: usize = 12;
/// Characters of a representative's text shown as a cluster's lead.
const LEAD_CHARS: usize = 280;

/// Writes the page.
pub(crate) fn write(w: &mut impl Write, scan: &Scan, summary: &Summary<'_>) -> io::Result<()> {
    let mut page = Page { w, scan, analyzer: Analyzer::new(), cluster_of: scan.cluster_of() };
    page.head(summary)?;
    page.overview(summary)?;
    page.statements()?;
    page.clusters()?;
    page.foot()
}

/// The page being written, with what every section needs.
struct Page<'a, W: Write> {
    w: &'a mut W,
    scan: &'a Scan,
    analyzer: Analyzer,
    /// Cluster number of each document, to link statements to clusters.
    cluster_of: Vec<Option<u32>>,
}

const STYLE: &str = r#"
:root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--soft:#f5f6f8;--accent:#0f766e;--accent2:#5eead4;--mark:#fde68a;--diff:#fca5a5}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;color:var(--fg);background:#fff;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic","DejaVu Sans",sans-serif}
main{max-width:80rem;margin:0 auto;padding:0 1.25rem 4rem}
h1{font-size:1.5rem;margin:1.4rem 0 .2rem}
h2{font-size:1.25rem;margin:2.4rem 0 .8rem;padding-bottom:.3rem;border-bottom:2px solid var(--line)}
h3{font-size:1rem;margin:1.4rem 0 .5rem}
a{color:var(--accent)}
.muted{color:var(--muted)}
.note{color:var(--muted);max-width:52rem}
.caps{background:#fff7ed;border:1px solid #fed7aa;border-radius:.4rem;padding:.4rem .7rem}
.js-errors{background:#fee2e2;color:#991b1b;padding:.5rem 1rem;margin:0;white-space:pre-wrap}
.bar{position:sticky;top:0;z-index:2;display:none;gap:1rem;align-items:center;padding:.5rem 1.25rem;background:rgba(255,255,255,.96);border-bottom:1px solid var(--line)}
.js .bar{display:flex}
.bar input{flex:0 1 30rem;font:inherit;padding:.35rem .6rem;border:1px solid #cbd5e1;border-radius:.4rem}
.bar nav a{margin-inline-end:.8rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));gap:.7rem;margin:1rem 0}
.card{background:var(--soft);border-radius:.5rem;padding:.55rem .8rem}
.card b{display:block;font-size:1.35rem;font-variant-numeric:tabular-nums}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(22rem,1fr));gap:0 2rem}
table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid var(--line);padding:.25rem .5rem;text-align:start;vertical-align:top}
th{font-weight:600;color:var(--muted)}
.num{text-align:end;font-variant-numeric:tabular-nums;white-space:nowrap}
.chart{display:grid;grid-template-columns:minmax(8rem,18rem) minmax(8rem,1fr) auto;gap:.3rem .8rem;align-items:center;max-width:60rem}
.chart>*{min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.hbar{display:flex;height:.95rem;background:var(--soft);border-radius:.2rem;overflow:hidden}
.hbar span{display:block;height:100%;background:var(--accent2)}
.hbar span.first{background:var(--accent)}
.key{display:inline-block;width:.8rem;height:.8rem;border-radius:.15rem;vertical-align:-.1rem;background:var(--accent2)}
.key.first{background:var(--accent)}
.sim{display:inline-block;width:4rem;height:.6rem;background:var(--soft);border-radius:.2rem;overflow:hidden;margin-inline-end:.4rem;vertical-align:.05rem}
.sim span{display:block;height:100%;background:var(--accent)}
.item{border:1px solid var(--line);border-radius:.6rem;padding:.8rem 1rem;margin:0 0 1rem}
.js .list>.item{display:none}
.js .list>.item.on{display:block}
.head{display:flex;flex-wrap:wrap;gap:.2rem 1rem;align-items:baseline}
.head .id{font-weight:700;text-decoration:none}
.t{font-family:"Noto Naskh Arabic","Noto Sans Arabic","Amiri","Scheherazade New","Geeza Pro","Segoe UI",Tahoma,"DejaVu Sans",system-ui,sans-serif;font-size:1.07rem;line-height:1.9}
blockquote.t{margin:.6rem 0;padding:.4rem .9rem;background:var(--soft);border-inline-start:4px solid var(--accent);border-radius:.3rem}
.srcs{margin:.3rem 0;color:var(--muted);font-size:.9rem}
.occs{display:grid;grid-template-columns:repeat(auto-fill,minmax(22rem,1fr));gap:.7rem;margin-top:.6rem}
.occ{border:1px solid var(--line);border-radius:.5rem;padding:.45rem .7rem;background:#fff}
.occ.rep{border-color:var(--accent);box-shadow:0 0 0 1px var(--accent) inset}
.meta{display:flex;flex-wrap:wrap;gap:.15rem .6rem;align-items:baseline;font-size:.85rem;color:var(--muted)}
.doc{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--fg);font-size:.82rem}
.title{font-weight:600;color:var(--fg)}
.badge{font-size:.7rem;text-transform:uppercase;letter-spacing:.04em;border-radius:.25rem;padding:0 .35rem;background:#e2e8f0;color:#334155}
.badge.origin{background:#ccfbf1;color:#115e59}
.ctx{margin:.3rem 0 0;white-space:pre-line;color:#4b5563}
mark{background:var(--mark);color:var(--fg);border-radius:.15em}
.diff{background:var(--diff);box-shadow:inset 0 -2px #dc2626;border-radius:.1em}
.dv{white-space:pre-line;margin:.4rem 0}
ins{background:#bbf7d0;text-decoration:none;box-shadow:inset 0 -2px #16a34a}
del{background:#fecaca;text-decoration:line-through;color:#7f1d1d}
.gap{color:var(--muted);font-style:italic;font-family:system-ui,sans-serif;font-size:.85rem}
details>summary{cursor:pointer;color:var(--accent);margin:.4rem 0}
.pager{display:none;gap:.6rem;align-items:center;margin:.5rem 0 1.5rem}
.js .pager{display:flex}
.pager button{font:inherit;padding:.2rem .7rem;border:1px solid #cbd5e1;background:#fff;border-radius:.35rem;cursor:pointer}
.pager button:disabled{opacity:.4;cursor:default}
.legend{font-size:.9rem}
"#;

/// Runs first: marks the page as scripted (so lists render one page at a
/// time from the start) and writes any script error into `#js-errors`, where
/// the browser test looks.
const HEAD_SCRIPT: &str = r#"
document.documentElement.classList.add('js');
(function(){
  var queue=[];
  function report(m){var e=document.getElementById('js-errors');if(!e){queue.push(m);return;}e.hidden=false;e.textContent+=m+'\n';}
  window.sadaFlushErrors=function(){var q=queue;queue=[];q.forEach(report);};
  window.addEventListener('error',function(e){report('error: '+e.message+' ('+(e.lineno||0)+':'+(e.colno||0)+')');});
  window.addEventListener('unhandledrejection',function(e){report('unhandled rejection: '+e.reason);});
})();
"#;

/// Paging, search and anchors. The search folds Arabic like sada does
/// (harakat, tatweel, hamza seats, alef maqsura, ta marbuta), so «أحمد»
/// finds «احمد».
const MAIN_SCRIPT: &str = r#"
(function(){
  'use strict';
  var FOLD=[[/[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200B-\u200F\u061C\u202A-\u202E\u2066-\u2069\uFEFF\u00AD]/g,''],
    [/[\u0622\u0623\u0625\u0671]/g,'\u0627'],[/[\u0649\u0626\u06CC]/g,'\u064A'],[/\u0629/g,'\u0647'],[/\u0624/g,'\u0648'],[/\u06A9/g,'\u0643']];
  function fold(s){s=s.toLowerCase();FOLD.forEach(function(r){s=s.replace(r[0],r[1]);});return s;}
  var lists=[].map.call(document.querySelectorAll('[data-list]'),function(el){
    var items=[].filter.call(el.children,function(c){return c.classList.contains('item');});
    return {el:el,items:items,shown:items,page:0,size:+el.getAttribute('data-page')||20,
      pager:document.querySelector('.pager[data-for="'+el.getAttribute('data-list')+'"]')};
  });
  var q=document.getElementById('q'),count=document.getElementById('qcount'),terms=[];
  function text(it){if(it.sadaText===undefined)it.sadaText=fold(it.textContent);return it.sadaText;}
  function matches(it){return terms.every(function(t){return text(it).indexOf(t)>=0;});}
  function render(l){
    var from=l.page*l.size,to=Math.min(from+l.size,l.shown.length);
    l.items.forEach(function(it){it.classList.remove('on');});
    for(var i=from;i<to;i++)l.shown[i].classList.add('on');
    if(!l.pager)return;
    l.pager.hidden=l.shown.length<=l.size;
    l.pager.querySelector('.pos').textContent=l.shown.length?(from+1)+'\u2013'+to+' of '+l.shown.length:'none';
    l.pager.querySelector('[data-act=prev]').disabled=l.page===0;
    l.pager.querySelector('[data-act=next]').disabled=to>=l.shown.length;
  }
  function filter(){
    terms=fold(q.value).split(/\s+/).filter(Boolean);
    var n=0;
    lists.forEach(function(l){l.shown=terms.length?l.items.filter(matches):l.items;l.page=0;n+=l.shown.length;render(l);});
    count.textContent=terms.length?n+' matching':'';
  }
  function reveal(){
    var id=decodeURIComponent(location.hash.slice(1)),t=id&&document.getElementById(id);
    if(!t)return;
    lists.forEach(function(l){
      if(l.items.indexOf(t)<0)return;
      if(l.shown.indexOf(t)<0){q.value='';filter();}
      l.page=Math.floor(l.shown.indexOf(t)/l.size);render(l);
      for(var p=t.parentNode;p;p=p.parentNode)if(p.tagName==='DETAILS')p.open=true;
      t.scrollIntoView();
    });
  }
  var timer;
  q.addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(filter,150);});
  lists.forEach(function(l){
    if(!l.pager)return;
    l.pager.addEventListener('click',function(e){
      var a=e.target.getAttribute('data-act');if(!a)return;
      l.page+=a==='next'?1:-1;render(l);l.el.scrollIntoView();
    });
  });
  document.addEventListener('click',function(e){
    var a=e.target.closest('[data-q]');if(!a)return;
    e.preventDefault();q.value=a.getAttribute('data-q');filter();
    document.getElementById('statements').scrollIntoView();
  });
  window.addEventListener('hashchange',reveal);
  filter();reveal();
  window.sadaFlushErrors();
})();
"#;

impl<'a, W: Write> Page<'a, W> {
    fn head(&mut self, summary: &Summary<'_>) -> io::Result<()> {
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
            "<title>sada report</title>\n<style>{STYLE}</style>\n<script>{HEAD_SCRIPT}</script>\n</head>\n<body>"
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

    fn overview(&mut self, s: &Summary<'_>) -> io::Result<()> {
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

    fn statements(&mut self) -> io::Result<()> {
        let all = &self.scan.statements[..];
        let split = all.iter().position(|s| s.boilerplate).unwrap_or(all.len());
        let (news, boilerplate) = all.split_at(split);
        writeln!(
            self.w,
            "<section id=\"statements\">\n<h2>Recycled statements <span class=\"muted\">({})</span></h2>",
            Thousands(news.len() as u64)
        )?;
        writeln!(
            self.w,
            "<p class=\"note\">Passages found in two or more documents, most widely recycled first. Each occurrence \
             is shown in its document with the shared passage <mark>highlighted</mark> and the words that differ \
             from the representative occurrence <span class=\"diff\">marked</span>. The representative is the \
             earliest dated occurrence when dates are known.</p>"
        )?;
        if news.is_empty() {
            writeln!(self.w, "<p class=\"muted\">No recycled statements.</p>")?;
        }
        caps_notice(self.w, news.len(), STATEMENTS_SHOWN, "statements", "statements.jsonl")?;
        self.list("statements", news.iter().enumerate().take(STATEMENTS_SHOWN), Self::statement)?;
        if !boilerplate.is_empty() {
            writeln!(
                self.w,
                "<details id=\"boilerplate\"><summary>Boilerplate: {} passages that are not news — site templates \
                 repeated within a source, or stock formulas repeated everywhere (hidden by default)</summary>",
                Thousands(boilerplate.len() as u64)
            )?;
            caps_notice(self.w, boilerplate.len(), BOILERPLATE_SHOWN, "boilerplate passages", "statements.jsonl")?;
            self.list(
                "boilerplate",
                boilerplate.iter().enumerate().map(|(i, s)| (split + i, s)).take(BOILERPLATE_SHOWN),
                Self::statement,
            )?;
            writeln!(self.w, "</details>")?;
        }
        writeln!(self.w, "</section>")
    }

    /// A paged list of items, each written by `item`.
    fn list<T>(
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

    fn statement(&mut self, i: usize, st: &Statement) -> io::Result<()> {
        let docs = &self.scan.docs[..];
        writeln!(self.w, "<article class=\"item st\" id=\"s{i}\">")?;
        write!(
            self.w,
            "<div class=\"head\"><a class=\"id\" href=\"#s{i}\">#{i}</a><span>{} documents · {} sources</span>",
            Thousands(st.docs as u64),
            Thousands(st.sources as u64)
        )?;
        if let Some(o) = st.origin {
            let d = &docs[o.index()];
            write!(
                self.w,
                "<span>first published by <bdi>{}</bdi> on {}</span>",
                Esc(&d.meta.source),
                Esc(d.meta.date.as_deref().unwrap_or_default())
            )?;
        }
        if st.boilerplate {
            let kind = match st.boilerplate_kind {
                Some(BoilerplateKind::Template) => "boilerplate: site template",
                Some(BoilerplateKind::Formula) => "boilerplate: stock formula",
                None => "boilerplate",
            };
            write!(self.w, "<span class=\"badge\">{kind}</span>")?;
        }
        writeln!(self.w, "</div>\n<blockquote class=\"t\" dir=\"auto\">{}</blockquote>", Esc(&st.text))?;
        self.sources_line(st)?;
        let order = card_order(st, docs);
        let with_context = st.occurrences[st.representative].context.is_some();
        let cards = if with_context { order.len().min(CARDS_MAX) } else { 0 };
        if cards > 0 {
            self.cards(st, &order[..cards])?;
        }
        self.occurrence_list(st, &order[cards..])?;
        writeln!(self.w, "</article>")
    }

    /// The distinct sources of a statement, sorted by name.
    fn sources_line(&mut self, st: &Statement) -> io::Result<()> {
        let mut sources: Vec<&str> =
            st.occurrences.iter().map(|o| self.scan.docs[o.doc.index()].meta.source.as_str()).collect();
        sources.sort_unstable();
        sources.dedup();
        write!(self.w, "<p class=\"srcs\">Sources: ")?;
        for (k, s) in sources.iter().take(LISTED_MAX).enumerate() {
            let sep = if k == 0 { "" } else { ", " };
            write!(self.w, "{sep}<bdi>{}</bdi>", Esc(s))?;
        }
        if sources.len() > LISTED_MAX {
            write!(self.w, " and {} more", sources.len() - LISTED_MAX)?;
        }
        writeln!(self.w, "</p>")
    }

    /// Occurrence cards side by side, the first [`CARDS_OPEN`] open and the
    /// rest behind a `<details>`; differing words are found against the
    /// representative, which marks every word some shown occurrence changed.
    fn cards(&mut self, st: &Statement, order: &[usize]) -> io::Result<()> {
        let texts: Vec<&str> =
            order.iter().map(|&k| st.occurrences[k].context.as_ref().map_or("", |c| c.text.as_str())).collect();
        let flags = diff::against_first(&mut self.analyzer, &texts);
        writeln!(self.w, "<div class=\"occs\">")?;
        for (n, (&k, (words, flags))) in order.iter().zip(flags).enumerate() {
            if n == CARDS_OPEN {
                writeln!(
                    self.w,
                    "</div>\n<details><summary>{} more occurrences with context</summary>\n<div class=\"occs\">",
                    order.len() - CARDS_OPEN
                )?;
            }
            self.card(st, k, &words, &flags)?;
        }
        let close = if order.len() > CARDS_OPEN { "</div></details>" } else { "</div>" };
        writeln!(self.w, "{close}")
    }

    fn card(&mut self, st: &Statement, k: usize, words: &diff::Words, flags: &[bool]) -> io::Result<()> {
        let occ = &st.occurrences[k];
        let rep = k == st.representative;
        let origin = st.origin == Some(occ.doc);
        let class = if rep { "occ rep" } else { "occ" };
        write!(self.w, "<div class=\"{class}\"><div class=\"meta\">")?;
        if rep {
            write!(self.w, "<span class=\"badge\">representative</span>")?;
        }
        if origin {
            write!(self.w, "<span class=\"badge origin\">origin</span>")?;
        }
        self.doc_meta(occ.doc)?;
        write!(self.w, "</div><p class=\"ctx t\" dir=\"auto\">")?;
        let Some(Context { before, text, after }) = &occ.context else {
            return writeln!(self.w, "</p></div>");
        };
        let cut = |s: &str| if s.chars().count() >= CONTEXT_CHARS { "…" } else { "" };
        write!(self.w, "{}{}<mark>", cut(before), EscText(before))?;
        diff::write_marked(self.w, text, words, flags)?;
        writeln!(self.w, "</mark>{}{}</p></div>", EscText(after), cut(after))
    }

    /// A document's id, title, source, date and cluster, for a card or a
    /// list row.
    fn doc_meta(&mut self, d: DocId) -> io::Result<()> {
        let doc = &self.scan.docs[d.index()];
        write!(self.w, "<bdi class=\"doc\">{}</bdi>", Esc(&doc.meta.id))?;
        if let Some(title) = &doc.meta.title {
            write!(self.w, "<bdi class=\"title\" dir=\"auto\">{}</bdi>", Esc(title))?;
        }
        // A text file's source is its id: say it once.
        if doc.meta.source != doc.meta.id {
            write!(self.w, "<bdi>{}</bdi>", Esc(&doc.meta.source))?;
        }
        if let Some(date) = &doc.meta.date {
            write!(self.w, "<time>{}</time>", Esc(date))?;
        }
        if let Some(c) = self.cluster_of[d.index()] {
            if (c as usize) < CLUSTERS_SHOWN {
                write!(self.w, "<a href=\"#c{c}\">cluster {c}</a>")?;
            } else {
                write!(self.w, "<span>cluster {c}</span>")?;
            }
        }
        Ok(())
    }

    /// Occurrences without a card: a compact table, capped.
    fn occurrence_list(&mut self, st: &Statement, rest: &[usize]) -> io::Result<()> {
        if rest.is_empty() {
            return Ok(());
        }
        writeln!(
            self.w,
            "<details><summary>{} occurrences without context</summary><table><tr><th>document</th><th>source</th>\
             <th>date</th><th class=\"num\">bytes</th></tr>",
            rest.len()
        )?;
        for &k in rest.iter().take(LISTED_MAX) {
            let o: &Occurrence = &st.occurrences[k];
            let doc = &self.scan.docs[o.doc.index()];
            writeln!(
                self.w,
                "<tr><td><bdi class=\"doc\">{}</bdi></td><td><bdi>{}</bdi></td><td>{}</td><td class=\"num\">{}–{}</td></tr>",
                Esc(&doc.meta.id),
                Esc(&doc.meta.source),
                Esc(doc.meta.date.as_deref().unwrap_or_default()),
                o.span.start,
                o.span.end
            )?;
        }
        writeln!(self.w, "</table>")?;
        if rest.len() > LISTED_MAX {
            writeln!(self.w, "<p class=\"muted\">and {} more in statements.jsonl</p>", rest.len() - LISTED_MAX)?;
        }
        writeln!(self.w, "</details>")
    }

    fn clusters(&mut self) -> io::Result<()> {
        let clusters = &self.scan.clusters[..];
        writeln!(
            self.w,
            "<section id=\"clusters\">\n<h2>Near-duplicate clusters <span class=\"muted\">({})</span></h2>",
            Thousands(clusters.len() as u64)
        )?;
        writeln!(
            self.w,
            "<p class=\"note\">Articles published more than once, whole or lightly edited. Similarity is the \
             estimated Jaccard similarity of a member's word n-grams (shingles) to the representative's. A diff \
             shows <del>words only the representative has</del> and <ins>words only the member has</ins>.</p>"
        )?;
        if clusters.is_empty() {
            writeln!(self.w, "<p class=\"muted\">No near-duplicate documents.</p>")?;
        }
        caps_notice(self.w, clusters.len(), CLUSTERS_SHOWN, "clusters", "clusters.jsonl")?;
        self.list("clusters", clusters.iter().enumerate().take(CLUSTERS_SHOWN), Self::cluster)?;
        writeln!(self.w, "</section>")
    }

    fn cluster(&mut self, i: usize, c: &Cluster) -> io::Result<()> {
        let docs = &self.scan.docs[..];
        let rep = &docs[c.representative.index()];
        let mut sources: Vec<&str> = c.members.iter().map(|m| docs[m.0.index()].meta.source.as_str()).collect();
        sources.sort_unstable();
        sources.dedup();
        writeln!(self.w, "<article class=\"item cl\" id=\"c{i}\">")?;
        writeln!(
            self.w,
            "<div class=\"head\"><a class=\"id\" href=\"#c{i}\">Cluster {i}</a><span>{} · {} documents · {} sources · \
             min similarity {}</span></div>",
            kind_name(c),
            c.members.len(),
            sources.len(),
            round4(c.min_similarity())
        )?;
        if let Some(text) = self.excerpt(c.representative) {
            writeln!(self.w, "<blockquote class=\"t\" dir=\"auto\">{}</blockquote>", Esc(&lead(text)))?;
        }
        self.members(c)?;
        if c.kind == ClusterKind::Exact {
            writeln!(
                self.w,
                "<p class=\"muted\">All members have the same words; they differ at most in spelling variants, \
                 punctuation or spacing.</p>"
            )?;
            return writeln!(self.w, "</article>");
        }
        let mut others: Vec<(DocId, f64)> = c.members.iter().copied().filter(|m| m.0 != c.representative).collect();
        others.sort_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
        for &(d, sim) in others.iter().take(DIFFS_PER_CLUSTER) {
            self.member_diff(rep, c.representative, d, sim)?;
        }
        writeln!(self.w, "</article>")
    }

    fn members(&mut self, c: &Cluster) -> io::Result<()> {
        writeln!(
            self.w,
            "<table><tr><th>document</th><th>source</th><th>date</th><th class=\"num\">similarity</th></tr>"
        )?;
        for &(d, sim) in c.members.iter().take(MEMBERS_SHOWN) {
            let doc = &self.scan.docs[d.index()];
            let badge = if d == c.representative { " <span class=\"badge\">representative</span>" } else { "" };
            writeln!(
                self.w,
                "<tr><td><bdi class=\"doc\">{}</bdi>{badge}</td><td><bdi>{}</bdi></td><td>{}</td>\
                 <td class=\"num\"><span class=\"sim\"><span style=\"width:{}%\"></span></span>{}</td></tr>",
                Esc(&doc.meta.id),
                Esc(&doc.meta.source),
                Esc(doc.meta.date.as_deref().unwrap_or_default()),
                pct((sim * 1000.0).round() as u64, 1000),
                round4(sim)
            )?;
        }
        writeln!(self.w, "</table>")?;
        if c.members.len() > MEMBERS_SHOWN {
            writeln!(
                self.w,
                "<p class=\"muted\">and {} more members in clusters.jsonl</p>",
                c.members.len() - MEMBERS_SHOWN
            )?;
        }
        Ok(())
    }

    /// A word diff of member `d` against the representative, collapsed.
    fn member_diff(&mut self, rep: &Document, r: DocId, d: DocId, sim: f64) -> io::Result<()> {
        let doc = &self.scan.docs[d.index()];
        let (Some(a), Some(b)) = (self.excerpt(r), self.excerpt(d)) else { return Ok(()) };
        writeln!(
            self.w,
            "<details><summary>Diff of <bdi class=\"doc\">{}</bdi> (<bdi>{}</bdi>, {}) against the representative</summary>",
            Esc(&doc.meta.id),
            Esc(&doc.meta.source),
            round4(sim)
        )?;
        let cut = [rep, doc].iter().any(|x| x.bytes > EXCERPT_BYTES as u64);
        if cut {
            writeln!(self.w, "<p class=\"muted\">Compared on the first {} KB of each text.</p>", EXCERPT_BYTES / 1000)?;
        }
        write!(self.w, "<p class=\"dv t\" dir=\"auto\">")?;
        diff::write_inline(self.w, &mut self.analyzer, a, b)?;
        writeln!(self.w, "</p></details>")
    }

    /// The kept text of a clustered document, if any.
    fn excerpt(&self, d: DocId) -> Option<&'a str> {
        let ex = &self.scan.excerpts;
        ex.binary_search_by_key(&d, |e| e.0).ok().map(|i| ex[i].1.as_str())
    }

    fn foot(&mut self) -> io::Result<()> {
        writeln!(self.w, "</main>\n<script>{MAIN_SCRIPT}</script>\n</body>\n</html>")
    }
}

fn kind_name(c: &Cluster) -> &'static str {
    match c.kind {
        ClusterKind::Exact => "exact duplicates",
        ClusterKind::Near => "near duplicates",
    }
}

/// The start of a text, cut on a word boundary, for a cluster's lead.
fn lead(text: &str) -> String {
    let Some((end, _)) = text.char_indices().nth(LEAD_CHARS) else { return text.to_string() };
    let end = text[..end].rfind(char::is_whitespace).unwrap_or(end);
    format!("{}…", &text[..end])
}

/// The order of a statement's occurrence cards: the representative first,
/// then by date (undated last), then as found — so the eye reads who
/// published first.
fn card_order(st: &Statement, docs: &[Document]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..st.occurrences.len()).collect();
    order.sort_by_key(|&k| {
        let date = docs[st.occurrences[k].doc.index()].meta.date.as_deref();
        (k != st.representative, date.is_none(), date, k)
    });
    order
}

/// "Showing the first N of M" when a list is capped, with where the rest is.
fn caps_notice(w: &mut impl Write, total: usize, cap: usize, what: &str, file: &str) -> io::Result<()> {
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
fn parameters(w: &mut impl Write, s: &Summary<'_>) -> io::Result<()> {
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
fn run(w: &mut impl Write, s: &Summary<'_>) -> io::Result<()> {
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

/// `part` of `whole` as a percentage with one decimal, for bar widths.
fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0".to_string();
    }
    let tenths = (part * 1000 + whole / 2) / whole;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// HTML-escapes text for element content and attribute values.
struct Esc<'a>(&'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let mut last = 0;
        for (i, b) in s.bytes().enumerate() {
            let entity = match b {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => continue,
            };
            f.write_str(&s[last..i])?;
            f.write_str(entity)?;
            last = i + 1;
        }
        f.write_str(&s[last..])
    }
}

/// Like [`Esc`], for text shown with `white-space: pre-line`: a run of
/// whitespace holding line breaks becomes one line break, so the blank lines
/// between paragraphs do not stretch the cards.
struct EscText<'a>(&'a str);

impl fmt::Display for EscText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(i) = rest.find('\n') {
            let start = rest[..i].trim_end().len();
            let end = rest.len() - rest[i..].trim_start().len();
            writeln!(f, "{}", Esc(&rest[..start]))?;
            rest = &rest[end..];
        }
        Esc(rest).fmt(f)
    }
}

/// A count with thousands separators: 1,234,567.
struct Thousands(u64);

impl fmt::Display for Thousands {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                f.write_str(",")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// Word-level diffs on folded words, so that spelling variants sada treats
/// as equal (hamza seats, harakat, ta marbuta, case) are not differences.
mod diff {
    use std::io::{self, Write};
    use std::ops::Range;

    use super::{DIFF_CONTEXT_WORDS, EscText as Esc};
    use crate::model::Span;
    use crate::normalize::{Analyzer, hash_word};

    /// Beyond this many inserted or deleted words two texts are not diffed:
    /// Myers' algorithm costs O((N+M)·D) time and O(D²) memory.
    const MAX_EDITS: usize = 1000;

    /// The words of a text: byte spans into it and hashes of their folded
    /// forms.
    #[derive(Debug, Default)]
    pub(super) struct Words {
        pub spans: Vec<Span>,
        pub hashes: Vec<u64>,
    }

    impl Words {
        pub fn of(analyzer: &mut Analyzer, text: &str) -> Words {
            let mut w = Words::default();
            analyzer.for_each_word(text, |span, folded| {
                w.spans.push(span);
                w.hashes.push(hash_word(folded));
            });
            w
        }
    }

    /// For each text, its words and which of them differ: each text from the
    /// first, and the first's words that differ from any other text.
    pub(super) fn against_first(analyzer: &mut Analyzer, texts: &[&str]) -> Vec<(Words, Vec<bool>)> {
        let mut out: Vec<(Words, Vec<bool>)> = texts
            .iter()
            .map(|t| {
                let w = Words::of(analyzer, t);
                let n = w.hashes.len();
                (w, vec![false; n])
            })
            .collect();
        let Some(((first, first_flags), rest)) = out.split_first_mut() else { return out };
        for (words, flags) in rest {
            if let Some((a, b)) = differing(&first.hashes, &words.hashes) {
                first_flags.iter_mut().zip(a).for_each(|(f, d)| *f |= d);
                *flags = b;
            }
        }
        out
    }

    /// Which words of `a` and of `b` are not in their longest common
    /// subsequence. Unmatched words at an edge count only if the other text
    /// also has unmatched words there: one occurrence extending further than
    /// another is a longer quote, not an edit. `None` when the texts are too
    /// different to diff.
    pub(super) fn differing(a: &[u64], b: &[u64]) -> Option<(Vec<bool>, Vec<bool>)> {
        let pairs = lcs(a, b)?;
        let (mut da, mut db) = (vec![true; a.len()], vec![true; b.len()]);
        for &(i, j) in &pairs {
            da[i] = false;
            db[j] = false;
        }
        if let (Some(&(i0, j0)), Some(&(i1, j1))) = (pairs.first(), pairs.last()) {
            if i0 == 0 || j0 == 0 {
                da[..i0].fill(false);
                db[..j0].fill(false);
            }
            if i1 + 1 == a.len() || j1 + 1 == b.len() {
                da[i1 + 1..].fill(false);
                db[j1 + 1..].fill(false);
            }
        }
        Some((da, db))
    }

    /// Writes `text` escaped, with each run of flagged words (and what lies
    /// between them) in one `<span class="diff">`.
    pub(super) fn write_marked(w: &mut impl Write, text: &str, words: &Words, flags: &[bool]) -> io::Result<()> {
        let mut pos = 0;
        let mut i = 0;
        while i < flags.len() {
            if !flags[i] {
                i += 1;
                continue;
            }
            let first = i;
            while i < flags.len() && flags[i] {
                i += 1;
            }
            let (s, e) = (words.spans[first].start as usize, words.spans[i - 1].end as usize);
            write!(w, "{}<span class=\"diff\">{}</span>", Esc(&text[pos..s]), Esc(&text[s..e]))?;
            pos = e;
        }
        write!(w, "{}", Esc(&text[pos..]))
    }

    /// A step of an edit script over word indexes.
    #[derive(Debug, PartialEq)]
    pub(super) enum Op {
        /// Equal words: `b`'s range (`a`'s is as long).
        Same(Range<usize>),
        /// Words of `a` replaced by words of `b` (either may be empty).
        Change(Range<usize>, Range<usize>),
    }

    /// The edit script from matched pairs.
    pub(super) fn ops(pairs: &[(usize, usize)], na: usize, nb: usize) -> Vec<Op> {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        let mut k = 0;
        while k < pairs.len() {
            let (pi, pj) = pairs[k];
            if (i, j) != (pi, pj) {
                out.push(Op::Change(i..pi, j..pj));
            }
            let mut len = 1;
            while k + len < pairs.len() && pairs[k + len] == (pi + len, pj + len) {
                len += 1;
            }
            out.push(Op::Same(pj..pj + len));
            (i, j, k) = (pi + len, pj + len, k + len);
        }
        if i < na || j < nb {
            out.push(Op::Change(i..na, j..nb));
        }
        out
    }

    /// Writes `b` as an inline diff against `a`: `a`'s words it lacks in
    /// `<del>`, its own extra words in `<ins>`, long identical runs collapsed
    /// to a count.
    pub(super) fn write_inline(w: &mut impl Write, analyzer: &mut Analyzer, a: &str, b: &str) -> io::Result<()> {
        let (wa, wb) = (Words::of(analyzer, a), Words::of(analyzer, b));
        let Some(pairs) = lcs(&wa.hashes, &wb.hashes) else {
            return write!(
                w,
                "<span class=\"gap\">The texts differ in more than {MAX_EDITS} words; no diff shown.</span>"
            );
        };
        let ops = ops(&pairs, wa.hashes.len(), wb.hashes.len());
        if ops.iter().all(|op| matches!(op, Op::Same(_))) {
            return write!(
                w,
                "<span class=\"gap\">Same words as the representative; they differ at most in spelling variants, \
                 punctuation or spacing.</span>"
            );
        }
        let word = |ws: &Words, r: &Range<usize>| ws.spans[r.start].start as usize..ws.spans[r.end - 1].end as usize;
        let mut pos = 0;
        for (k, op) in ops.iter().enumerate() {
            match op {
                Op::Same(r) => {
                    let first = k == 0;
                    let last = k + 1 == ops.len();
                    pos = write_same(w, b, &wb, r.clone(), pos, first, last)?;
                }
                Op::Change(ra, rb) => {
                    // The separator before the change stays `b`'s.
                    let next = match ops.get(k + 1) {
                        _ if !rb.is_empty() => wb.spans[rb.start].start as usize,
                        Some(Op::Same(r)) => wb.spans[r.start].start as usize,
                        _ => b.len(),
                    };
                    write!(w, "{}", Esc(&b[pos..next]))?;
                    pos = next;
                    if !ra.is_empty() {
                        write!(w, "<del>{}</del> ", Esc(&a[word(&wa, ra)]))?;
                    }
                    if !rb.is_empty() {
                        let r = word(&wb, rb);
                        write!(w, "<ins>{}</ins>", Esc(&b[r.clone()]))?;
                        pos = r.end;
                    }
                }
            }
        }
        write!(w, "{}", Esc(&b[pos..]))
    }

    /// Writes a run of identical words of `b` from byte `pos`, keeping
    /// [`DIFF_CONTEXT_WORDS`] next to each change and collapsing the middle;
    /// returns the new position.
    fn write_same(
        w: &mut impl Write,
        b: &str,
        wb: &Words,
        r: Range<usize>,
        pos: usize,
        first: bool,
        last: bool,
    ) -> io::Result<usize> {
        let keep_head = if first { 0 } else { DIFF_CONTEXT_WORDS };
        let keep_tail = if last { 0 } else { DIFF_CONTEXT_WORDS };
        if r.len() <= keep_head + keep_tail + DIFF_CONTEXT_WORDS {
            let end = wb.spans[r.end - 1].end as usize;
            write!(w, "{}", Esc(&b[pos..end]))?;
            return Ok(end);
        }
        let (head_end, tail_start) = (r.start + keep_head, r.end - keep_tail);
        if keep_head > 0 {
            write!(w, "{}", Esc(&b[pos..wb.spans[head_end - 1].end as usize]))?;
        }
        let sep = if keep_head > 0 { " " } else { "" };
        // `dir` isolates the note, so it reads the same inside Arabic text.
        write!(w, "{sep}<span class=\"gap\" dir=\"ltr\">[… {} identical words …]</span> ", tail_start - head_end)?;
        if keep_tail == 0 {
            return Ok(b.len());
        }
        let (s, e) = (wb.spans[tail_start].start as usize, wb.spans[r.end - 1].end as usize);
        write!(w, "{}", Esc(&b[s..e]))?;
        Ok(e)
    }

    /// Index pairs `(i, j)`, `a[i] == b[j]`, of a longest common
    /// subsequence, in order; `None` beyond [`MAX_EDITS`]. The common prefix
    /// and suffix are matched first: near-duplicates share most of their
    /// text, and Myers then only works on the middle.
    pub(super) fn lcs(a: &[u64], b: &[u64]) -> Option<Vec<(usize, usize)>> {
        let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
        let suf = a[pre..].iter().rev().zip(b[pre..].iter().rev()).take_while(|(x, y)| x == y).count();
        let mid = myers(&a[pre..a.len() - suf], &b[pre..b.len() - suf])?;
        let mut out: Vec<(usize, usize)> = (0..pre).map(|i| (i, i)).collect();
        out.extend(mid.into_iter().map(|(i, j)| (i + pre, j + pre)));
        out.extend((0..suf).map(|k| (a.len() - suf + k, b.len() - suf + k)));
        Some(out)
    }

    /// Myers' O((N+M)·D) shortest edit script, as matched pairs. Keeps the
    /// furthest-reaching x of each diagonal after every step `d` (2d+1
    /// values) to walk back.
    fn myers(a: &[u64], b: &[u64]) -> Option<Vec<(usize, usize)>> {
        let (n, m) = (a.len() as isize, b.len() as isize);
        let max = (n + m).min(MAX_EDITS as isize);
        let off = max + 1;
        let mut v = vec![0isize; 2 * max as usize + 3];
        let mut trace: Vec<Vec<isize>> = Vec::new();
        for d in 0..=max {
            for k in (-d..=d).step_by(2) {
                let at = |k: isize| v[(off + k) as usize];
                let down = k == -d || (k != d && at(k - 1) < at(k + 1));
                let mut x = if down { at(k + 1) } else { at(k - 1) + 1 };
                let mut y = x - k;
                while x < n && y < m && a[x as usize] == b[y as usize] {
                    x += 1;
                    y += 1;
                }
                v[(off + k) as usize] = x;
                if x >= n && y >= m {
                    trace.push(v[(off - d) as usize..=(off + d) as usize].to_vec());
                    return Some(backtrack(&trace, n, m));
                }
            }
            trace.push(v[(off - d) as usize..=(off + d) as usize].to_vec());
        }
        None
    }

    fn backtrack(trace: &[Vec<isize>], n: isize, m: isize) -> Vec<(usize, usize)> {
        let mut pairs = Vec::new();
        let (mut x, mut y) = (n, m);
        for d in (1..trace.len() as isize).rev() {
            let k = x - y;
            let prev = &trace[(d - 1) as usize];
            let at = |k: isize| prev[(k + d - 1) as usize];
            let down = k == -d || (k != d && at(k - 1) < at(k + 1));
            let pk = if down { k + 1 } else { k - 1 };
            let (px, py) = (at(pk), at(pk) - pk);
            let (sx, sy) = if down { (px, py + 1) } else { (px + 1, py) };
            while x > sx && y > sy {
                x -= 1;
                y -= 1;
                pairs.push((x as usize, y as usize));
            }
            (x, y) = (px, py);
        }
        while x > 0 && y > 0 {
            x -= 1;
            y -= 1;
            pairs.push((x as usize, y as usize));
        }
        pairs.reverse();
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::diff::{self, Op};
    use super::*;

    fn h(s: &str) -> Vec<u64> {
        s.split_whitespace().map(|w| w.bytes().map(u64::from).sum()).collect()
    }

    /// Brute-force LCS length, to check Myers against.
    fn lcs_len(a: &[u64], b: &[u64]) -> usize {
        let mut t = vec![vec![0; b.len() + 1]; a.len() + 1];
        for i in 0..a.len() {
            for j in 0..b.len() {
                t[i + 1][j + 1] = if a[i] == b[j] { t[i][j] + 1 } else { t[i][j + 1].max(t[i + 1][j]) };
            }
        }
        t[a.len()][b.len()]
    }

    #[test]
    fn lcs_is_longest_and_valid() {
        let cases = [
            ("a b c d", "a x c d"),
            ("", "a b"),
            ("a b", ""),
            ("a b c a b b a", "c b a b a c"),
            ("x y z", "p q r"),
            ("a a a b", "b a a a"),
        ];
        for (a, b) in cases {
            let (a, b) = (h(a), h(b));
            let pairs = diff::lcs(&a, &b).unwrap();
            assert_eq!(pairs.len(), lcs_len(&a, &b), "{a:?} {b:?}");
            assert!(pairs.windows(2).all(|p| p[0].0 < p[1].0 && p[0].1 < p[1].1));
            assert!(pairs.iter().all(|&(i, j)| a[i] == b[j]));
        }
    }

    #[test]
    fn a_substituted_word_differs_and_a_shorter_quote_does_not() {
        let rep = h("an russia ready to meet requests baghdad about arms");
        let other = h("to meet requests iraq about arms");
        let (a, b) = diff::differing(&rep, &other).unwrap();
        let marked = |ws: &str, f: &[bool]| {
            ws.split_whitespace().zip(f).filter(|x| *x.1).map(|x| x.0).collect::<Vec<_>>().join(" ")
        };
        assert_eq!(marked("an russia ready to meet requests baghdad about arms", &a), "baghdad");
        assert_eq!(marked("to meet requests iraq about arms", &b), "iraq");
    }

    #[test]
    fn folded_spellings_are_not_differences() {
        let mut an = Analyzer::new();
        let out = diff::against_first(&mut an, &["قال أحمد إن المدرسة", "قال احمد ان المدرسه"]);
        assert!(out.iter().all(|(_, f)| f.iter().all(|d| !d)));
    }

    #[test]
    fn marked_text_is_escaped_and_wraps_runs() {
        let mut an = Analyzer::new();
        let text = "a <b> c d";
        let words = diff::Words::of(&mut an, text);
        let mut out = Vec::new();
        diff::write_marked(&mut out, text, &words, &[false, true, true, false]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a &lt;<span class=\"diff\">b&gt; c</span> d");
    }

    #[test]
    fn ops_cover_both_texts() {
        let ops = diff::ops(&[(1, 0), (2, 1), (4, 3)], 5, 5);
        assert_eq!(
            ops,
            [Op::Change(0..1, 0..0), Op::Same(0..2), Op::Change(3..4, 2..3), Op::Same(3..4), Op::Change(5..5, 4..5)]
        );
    }

    #[test]
    fn inline_diff_shows_deletions_and_insertions() {
        let mut an = Analyzer::new();
        let mut out = Vec::new();
        diff::write_inline(&mut out, &mut an, "one two three four", "one 2 three four five").unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "one <del>two</del> <ins>2</ins> three four <ins>five</ins>");
    }

    #[test]
    fn escaping_and_numbers() {
        assert_eq!(Esc("<a href='x'>&\"</a>").to_string(), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
        assert_eq!(Thousands(1234567).to_string(), "1,234,567");
        assert_eq!(Thousands(999).to_string(), "999");
        assert_eq!(pct(1, 3), "33.3");
        assert_eq!(pct(5, 0), "0");
    }
}
