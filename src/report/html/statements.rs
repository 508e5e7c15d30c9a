//! The statements section: each recycled statement with its occurrences in
//! their document context, boilerplate last.

use std::io::{self, Write};

use super::Page;
use super::diff;
use super::escape::{Esc, EscText, Thousands};
use super::page::caps_notice;
use crate::model::{DocId, Document, Token};
use crate::passage::statement::{BoilerplateKind, Context};
use crate::passage::{Occurrence, Statement};
use crate::report::caps::{BOILERPLATE_SHOWN, CLUSTERS_SHOWN, CONTEXT_CHARS, STATEMENTS_SHOWN};

/// Occurrence cards of a statement shown open, side by side.
const CARDS_OPEN: usize = 6;
/// Occurrence cards of a statement in all (the rest behind a `<details>`).
const CARDS_MAX: usize = 12;
/// Further occurrences listed without context.
const LISTED_MAX: usize = 200;

impl<'a, W: Write> Page<'a, W> {
    pub(super) fn statements(&mut self) -> io::Result<()> {
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
        for (n, (&k, (tokens, flags))) in order.iter().zip(flags).enumerate() {
            if n == CARDS_OPEN {
                writeln!(
                    self.w,
                    "</div>\n<details><summary>{} more occurrences with context</summary>\n<div class=\"occs\">",
                    order.len() - CARDS_OPEN
                )?;
            }
            self.card(st, k, &tokens, &flags)?;
        }
        let close = if order.len() > CARDS_OPEN { "</div></details>" } else { "</div>" };
        writeln!(self.w, "{close}")
    }

    fn card(&mut self, st: &Statement, k: usize, tokens: &[Token], flags: &[bool]) -> io::Result<()> {
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
        let Some(Context { before, text, after }) = occ.context.as_deref() else {
            return writeln!(self.w, "</p></div>");
        };
        let cut = |s: &str| if s.chars().count() >= CONTEXT_CHARS { "…" } else { "" };
        write!(self.w, "{}{}<mark>", cut(before), EscText(before))?;
        diff::write_marked(self.w, text, tokens, flags)?;
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
        if self.scan.is_archived(d) {
            write!(self.w, "<span class=\"badge\">archived</span>")?;
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
