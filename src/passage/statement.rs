//! Stage 8d, **group**: pairwise passages → statements.
//!
//! Each passage links an occurrence in one document with one in another.
//! Occurrences in the same document that overlap by at least half of the
//! longer one are the same text, so they are joined too; the connected
//! occurrences form one statement. Within a statement, overlapping
//! occurrences of one document are merged into their union.

use serde::Serialize;

use super::Passage;
use crate::types::{DocId, Span};

/// Where a statement occurs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Occurrence {
    /// The document.
    pub doc: DocId,
    /// First word.
    pub word_start: u32,
    /// One past the last word.
    pub word_end: u32,
    /// Byte span in the original text, filled by [`locate`].
    pub span: Span,
    /// The passage with some text around it, for the report; filled by
    /// [`locate`] for the first [`CONTEXT_STATEMENTS`] statements only.
    #[serde(skip)]
    pub context: Option<Context>,
}

/// Statements whose occurrences get a [`Context`]: what `report.html` embeds.
/// The JSONL files have every statement; the page points to them for the rest.
pub const CONTEXT_STATEMENTS: usize = 1000;
/// Characters of context kept on each side of an occurrence.
pub const CONTEXT_CHARS: usize = 240;

/// An occurrence's text and its surroundings, as published.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Context {
    /// Up to [`CONTEXT_CHARS`] characters before the passage.
    pub before: String,
    /// The passage.
    pub text: String,
    /// Up to [`CONTEXT_CHARS`] characters after it.
    pub after: String,
}

/// A passage shared by two or more documents.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// Occurrences sorted by document and position.
    pub occurrences: Vec<Occurrence>,
    /// Distinct documents.
    pub docs: usize,
    /// Distinct sources.
    pub sources: usize,
    /// Not news: a site template repeated within one source, or a formula
    /// repeated everywhere. Kept out of the headline counts.
    pub boilerplate: bool,
    /// Why `boilerplate` is set.
    pub boilerplate_kind: Option<BoilerplateKind>,
    /// The earliest dated document, if any occurrence has a date.
    pub origin: Option<DocId>,
    /// Index in `occurrences` of the one whose text represents the statement:
    /// the origin's (longest) occurrence when dated, else the longest.
    pub representative: usize,
    /// The representative occurrence's text as published, filled by [`locate`].
    pub text: String,
}

/// Why a statement is boilerplate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BoilerplateKind {
    /// One source repeats it across many of its documents (headers, footers,
    /// bylines, comment forms).
    Template,
    /// Its word sequences are far more common in the corpus than the
    /// statement itself: stock phrases strung together («according to
    /// officials, a spokesman for the ministry said»), not a recycled quote.
    Formula,
}

/// What grouping needs to know of every document.
pub struct DocInfo<'a> {
    /// Source number of each document.
    pub source: &'a [u32],
    /// Date of each document, ISO 8601 when present (compared as text).
    pub date: &'a [Option<String>],
    /// Id of each document (ties between occurrences are broken by id, not by
    /// input position).
    pub id: &'a [&'a str],
    /// Near-duplicate group (cluster, or the document itself) of each
    /// document.
    pub group: &'a [u32],
    /// Whether the words `[start, end)` of a document, found in `groups`
    /// groups, are a formula (see [`BoilerplateKind::Formula`]).
    pub is_formula: &'a (dyn Fn(DocId, u32, u32, usize) -> bool + Sync),
}

/// Groups `passages` into statements, most widely recycled first
/// (non-boilerplate before boilerplate, then by sources, documents, first
/// occurrence).
pub fn group(passages: &[Passage], info: &DocInfo<'_>, boilerplate_docs: usize) -> Vec<Statement> {
    // Occurrence 2i is passage i's side in `a`, 2i + 1 its side in `b`.
    let occ: Vec<(DocId, u32, u32)> = passages
        .iter()
        .flat_map(|p| {
            let al = p.alignment;
            [(p.a, al.a_start, al.a_end), (p.b, al.b_start, al.b_end)]
        })
        .collect();
    let mut uf = UnionFind::new(occ.len());
    for i in 0..passages.len() {
        uf.union(2 * i, 2 * i + 1);
    }
    let mut order: Vec<usize> = (0..occ.len()).collect();
    order.sort_unstable_by_key(|&i| (occ[i].0, occ[i].1, occ[i].2, i));
    for same_doc in order.chunk_by(|&x, &y| occ[x].0 == occ[y].0) {
        // Sweep in start order; each occurrence is compared with the first
        // occurrence of the current run of mutually overlapping ones.
        let mut anchor = same_doc[0];
        for &i in &same_doc[1..] {
            if same_text(occ[anchor], occ[i]) {
                uf.union(anchor, i);
            } else {
                anchor = i;
            }
        }
    }
    let mut by_root: Vec<(usize, usize)> = order.iter().map(|&i| (uf.find(i), i)).collect();
    by_root.sort_unstable_by_key(|&(r, i)| (r, occ[i].0, occ[i].1, occ[i].2));
    let mut out: Vec<Statement> = by_root
        .chunk_by(|x, y| x.0 == y.0)
        .map(|g| {
            // Each passage has two occurrences here: count it at its `a` side.
            let (mut templated, mut total) = (0, 0);
            for &(_, i) in g.iter().filter(|&&(_, i)| i % 2 == 0) {
                total += 1;
                templated += passages[i / 2].templated as usize;
            }
            let mut st = statement(g.iter().map(|&(_, i)| occ[i]), info, boilerplate_docs);
            if st.boilerplate_kind.is_none() && templated > 0 && 2 * templated >= total {
                st.boilerplate_kind = Some(BoilerplateKind::Template);
            }
            if st.boilerplate_kind.is_none() {
                let rep = &st.occurrences[st.representative];
                let mut groups: Vec<u32> = st.occurrences.iter().map(|o| info.group[o.doc.index()]).collect();
                groups.sort_unstable();
                groups.dedup();
                if (info.is_formula)(rep.doc, rep.word_start, rep.word_end, groups.len()) {
                    st.boilerplate_kind = Some(BoilerplateKind::Formula);
                }
            }
            st.boilerplate = st.boilerplate_kind.is_some();
            st
        })
        .collect();
    out.sort_by(|x, y| {
        (x.boilerplate, std::cmp::Reverse(x.sources), std::cmp::Reverse(x.docs), first(x)).cmp(&(
            y.boilerplate,
            std::cmp::Reverse(y.sources),
            std::cmp::Reverse(y.docs),
            first(y),
        ))
    });
    out
}

/// Two occurrences in one document are the same text when they overlap by at
/// least half of the *longer* one. Half of the shorter would let a passage
/// covering a whole reprinted article swallow every quote inside it, and
/// chain unrelated statements together through it.
fn same_text(x: (DocId, u32, u32), y: (DocId, u32, u32)) -> bool {
    let overlap = x.2.min(y.2).saturating_sub(x.1.max(y.1));
    let longer = (x.2 - x.1).max(y.2 - y.1);
    overlap > 0 && 2 * overlap >= longer
}

fn first(s: &Statement) -> (DocId, u32) {
    (s.occurrences[0].doc, s.occurrences[0].word_start)
}

/// Builds one statement from its occurrences, sorted by document and start.
fn statement(occ: impl Iterator<Item = (DocId, u32, u32)>, info: &DocInfo<'_>, boilerplate_docs: usize) -> Statement {
    let mut merged: Vec<Occurrence> = Vec::new();
    for (doc, s, e) in occ {
        match merged.last_mut() {
            Some(last) if last.doc == doc && s < last.word_end => last.word_end = last.word_end.max(e),
            _ => merged.push(Occurrence { doc, word_start: s, word_end: e, span: Span::default(), context: None }),
        }
    }
    let mut docs: Vec<DocId> = merged.iter().map(|o| o.doc).collect();
    docs.dedup();
    let mut per_source: Vec<u32> = docs.iter().map(|d| info.source[d.index()]).collect();
    per_source.sort_unstable();
    let counts: Vec<usize> = per_source.chunk_by(|a, b| a == b).map(<[u32]>::len).collect();
    let top = counts.iter().copied().max().unwrap_or(0);
    // Ties are broken by document id, never by input position, so that the
    // choice does not depend on the order documents were read in.
    let origin = docs
        .iter()
        .filter_map(|&d| info.date[d.index()].as_deref().map(|date| (date, info.id[d.index()], d)))
        .min()
        .map(|(_, _, d)| d);
    // The origin's text if known, else the longest occurrence: a headline
    // fragment is a poorer representative than the full quote.
    let longest = |pick: &dyn Fn(&Occurrence) -> bool| {
        (0..merged.len()).filter(|&i| pick(&merged[i])).max_by_key(|&i| {
            let o = &merged[i];
            (o.word_end - o.word_start, std::cmp::Reverse((info.id[o.doc.index()], o.word_start)))
        })
    };
    let representative = origin.and_then(|o| longest(&|x| x.doc == o)).or_else(|| longest(&|_| true)).unwrap_or(0);
    Statement {
        docs: docs.len(),
        sources: counts.len(),
        boilerplate: false,
        boilerplate_kind: (top >= boilerplate_docs && 2 * top >= docs.len()).then_some(BoilerplateKind::Template),
        origin,
        representative,
        occurrences: merged,
        text: String::new(),
    }
}

/// Where each document's occurrences are: `(doc, statement, occurrence)`,
/// sorted, for the pass that re-reads documents to locate them.
pub fn occurrence_index(statements: &[Statement]) -> Vec<(DocId, u32, u32)> {
    let mut idx: Vec<(DocId, u32, u32)> = statements
        .iter()
        .enumerate()
        .flat_map(|(s, st)| st.occurrences.iter().enumerate().map(move |(o, occ)| (occ.doc, s as u32, o as u32)))
        .collect();
    idx.sort_unstable();
    idx
}

/// Fills the byte spans of `doc`'s occurrences from its token spans, and the
/// statement text where `doc` holds the representative occurrence.
/// `entries` are this document's rows of [`occurrence_index`].
pub fn locate(statements: &mut [Statement], entries: &[(DocId, u32, u32)], text: &str, spans: &[Span]) {
    for &(_, s, o) in entries {
        let st = &mut statements[s as usize];
        let occ = &mut st.occurrences[o as usize];
        let (first, last) = (occ.word_start as usize, occ.word_end as usize - 1);
        if last < spans.len() {
            occ.span = Span { start: spans[first].start, end: spans[last].end };
        }
        if (s as usize) < CONTEXT_STATEMENTS {
            let r = occ.span.range();
            let before_start = text[..r.start].char_indices().rev().nth(CONTEXT_CHARS - 1).map_or(0, |(i, _)| i);
            let after_end = text[r.end..].char_indices().nth(CONTEXT_CHARS).map_or(text.len(), |(i, _)| r.end + i);
            occ.context = Some(Context {
                before: text[before_start..r.start].to_string(),
                text: text[r.clone()].to_string(),
                after: text[r.end..after_end].to_string(),
            });
        }
        if o as usize == st.representative {
            st.text = text[occ.span.range()].to_string();
        }
    }
}

/// Union-find over occurrence numbers.
struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind((0..n).collect())
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        // The smaller root wins, so roots do not depend on union order.
        if a < b {
            self.0[b] = a;
        } else {
            self.0[a] = b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passage::Alignment;

    fn p(a: u32, ar: (u32, u32), b: u32, br: (u32, u32)) -> Passage {
        Passage {
            a: DocId(a),
            b: DocId(b),
            alignment: Alignment { a_start: ar.0, a_end: ar.1, b_start: br.0, b_end: br.1, matched: ar.1 - ar.0 },
            templated: false,
        }
    }

    #[test]
    fn the_same_quote_in_three_documents_is_one_statement() {
        let passages = [p(0, (10, 30), 1, (5, 25)), p(0, (12, 30), 2, (0, 18)), p(1, (5, 25), 2, (0, 18))];
        let source = [0, 1, 2];
        let date = [Some("2021-03-02".to_string()), Some("2021-03-01".to_string()), None];
        let st = group(
            &passages,
            &DocInfo {
                source: &source,
                date: &date,
                id: &["a", "b", "c"],
                group: &[0, 1, 2, 3, 4, 5],
                is_formula: &|_, _, _, _| false,
            },
            4,
        );
        assert_eq!(st.len(), 1);
        assert_eq!(st[0].docs, 3);
        assert_eq!(st[0].sources, 3);
        assert_eq!(st[0].origin, Some(DocId(1)));
        assert_eq!(st[0].occurrences[st[0].representative].doc, DocId(1));
        assert_eq!((st[0].occurrences[0].word_start, st[0].occurrences[0].word_end), (10, 30));
    }

    #[test]
    fn different_passages_are_different_statements() {
        let passages = [p(0, (10, 30), 1, (5, 25)), p(0, (100, 130), 2, (0, 30))];
        let st = group(
            &passages,
            &DocInfo {
                source: &[0, 1, 2],
                date: &[None, None, None],
                id: &["a", "b", "c"],
                group: &[0, 1, 2, 3, 4, 5],
                is_formula: &|_, _, _, _| false,
            },
            4,
        );
        assert_eq!(st.len(), 2);
        assert_eq!(st[0].occurrences[0].word_start, 10);
    }

    #[test]
    fn a_template_repeated_across_one_source_is_boilerplate() {
        let passages: Vec<_> = (1..6).map(|d| p(0, (0, 20), d, (0, 20))).collect();
        let st = group(
            &passages,
            &DocInfo {
                source: &[7; 6],
                date: &[None, None, None, None, None, None],
                id: &["a", "b", "c", "d", "e", "f"],
                group: &[0, 1, 2, 3, 4, 5],
                is_formula: &|_, _, _, _| false,
            },
            4,
        );
        assert_eq!(st.len(), 1);
        assert!(st[0].boilerplate);
    }
}
