//! Stage 9, **locate** (the statements' part): word ranges → byte spans,
//! contexts and statement texts, as the second pass re-reads each document
//! that holds an occurrence. The pass itself (which documents, in input
//! order) is the orchestrator's; this is what it does with one text.

use super::statement::{Context, Statement};
use crate::model::{DocId, Span};
use crate::report::caps::{CONTEXT_CHARS, CONTEXT_STATEMENTS};

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
        let (first, last) = (occ.words.start as usize, occ.words.end as usize - 1);
        if last < spans.len() {
            occ.span = Span { start: spans[first].start, end: spans[last].end };
        }
        if (s as usize) < CONTEXT_STATEMENTS {
            let r = occ.span.range();
            let before_start = text[..r.start].char_indices().rev().nth(CONTEXT_CHARS - 1).map_or(0, |(i, _)| i);
            let after_end = text[r.end..].char_indices().nth(CONTEXT_CHARS).map_or(text.len(), |(i, _)| r.end + i);
            occ.context = Some(Box::new(Context {
                before: text[before_start..r.start].to_string(),
                text: text[r.clone()].to_string(),
                after: text[r.end..after_end].to_string(),
            }));
        }
        if o as usize == st.representative {
            st.text = text[occ.span.range()].to_string();
        }
    }
}
