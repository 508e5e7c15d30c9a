//! The clusters section: each near-duplicate cluster's members and word
//! diffs of some of them against the representative.

use std::io::{self, Write};

use super::Page;
use super::diff;
use super::escape::{Esc, Thousands, pct};
use super::page::caps_notice;
use crate::cluster::{Cluster, ClusterKind};
use crate::model::{DocId, Document};
use crate::report::caps::{CLUSTERS_SHOWN, EXCERPT_BYTES};
use crate::report::wire::round4;

/// Members listed per cluster.
const MEMBERS_SHOWN: usize = 50;
/// Members per cluster diffed against the representative, least similar
/// first: those are where the edits are.
const DIFFS_PER_CLUSTER: usize = 3;
/// Characters of a representative's text shown as a cluster's lead.
const LEAD_CHARS: usize = 280;

impl<'a, W: Write> Page<'a, W> {
    pub(super) fn clusters(&mut self) -> io::Result<()> {
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
            let badge = match (d == c.representative, self.scan.is_archived(d)) {
                (true, true) => " <span class=\"badge\">representative</span> <span class=\"badge\">archived</span>",
                (true, false) => " <span class=\"badge\">representative</span>",
                (false, true) => " <span class=\"badge\">archived</span>",
                (false, false) => "",
            };
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
