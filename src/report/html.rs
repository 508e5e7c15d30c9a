//! `report.html`: a self-contained page for people (inline CSS, no network).
//!
//! Arabic text blocks carry `dir="auto"`, so each renders in its own
//! direction and mixed Latin/Arabic stays readable.

use std::io::{self, Write};

use super::summary::Summary;
use super::wire::round4;
use crate::pipeline::Scan;

const STYLE: &str = r#"
body{font-family:system-ui,"Noto Naskh Arabic","Noto Sans Arabic","Geeza Pro","Segoe UI",Tahoma,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#222;line-height:1.5}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.3rem .5rem;text-align:start;vertical-align:top}
.num{text-align:end;font-variant-numeric:tabular-nums}.muted{color:#777}
"#;

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Writes the page.
pub(crate) fn write(w: &mut impl Write, scan: &Scan, summary: &Summary<'_>) -> io::Result<()> {
    writeln!(w, "<!DOCTYPE html>\n<html lang=\"ar\" dir=\"ltr\"><head><meta charset=\"utf-8\">")?;
    writeln!(w, "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")?;
    writeln!(w, "<title>sada report</title><style>{STYLE}</style></head><body>")?;
    writeln!(w, "<h1>sada — صدى report</h1>")?;
    writeln!(
        w,
        "<p>{} documents ({} ok, {} empty, {} error) · {} clusters ({} documents) · {} statements</p>",
        summary.documents,
        summary.ok,
        summary.empty,
        summary.error,
        summary.clusters,
        summary.clustered_documents,
        summary.statements
    )?;
    writeln!(w, "<h2>Document clusters</h2>")?;
    if scan.clusters.is_empty() {
        writeln!(w, "<p class=\"muted\">No near-duplicate documents.</p>")?;
    }
    for (i, c) in scan.clusters.iter().enumerate() {
        let rep = &scan.docs[c.representative.index()];
        writeln!(
            w,
            "<h3>Cluster {i} <span class=\"muted\">({:?}, {} documents, representative <bdi>{}</bdi>)</span></h3>",
            c.kind,
            c.members.len(),
            escape(&rep.id)
        )?;
        writeln!(w, "<table><tr><th>document</th><th>source</th><th class=\"num\">similarity</th></tr>")?;
        for &(d, s) in &c.members {
            let doc = &scan.docs[d.index()];
            writeln!(
                w,
                "<tr><td dir=\"auto\">{}</td><td dir=\"auto\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&doc.id),
                escape(&doc.source),
                round4(s)
            )?;
        }
        writeln!(w, "</table>")?;
    }
    writeln!(w, "</body></html>")
}
