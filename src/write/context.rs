//! What every written record is made from: its cluster, whether it is kept,
//! the statements it carries, and its text without boilerplate.

use super::{Options, chosen, wanted};
use crate::model::{Scan, Span};
use crate::report::wire::{Annotation, CarriedLine, round4};

/// What every record's line is made from.
pub(super) struct Context<'a> {
    pub(super) scan: &'a Scan,
    pub(super) opts: &'a Options,
    pub(super) wanted: Vec<bool>,
    /// The kept member of each cluster.
    chosen: Vec<usize>,
    /// Each document's cluster and similarity to its representative.
    member: Vec<Option<(u32, f64)>>,
    /// Every occurrence: document, span, statement, boilerplate; sorted.
    occurrences: Vec<(usize, Span, u32, bool)>,
}

impl<'a> Context<'a> {
    pub(super) fn new(scan: &'a Scan, opts: &'a Options) -> Context<'a> {
        let mut member = vec![None; scan.docs.len()];
        for (i, c) in scan.clusters.iter().enumerate() {
            for &(d, sim) in &c.members {
                member[d.index()] = Some((i as u32, sim));
            }
        }
        let mut occurrences: Vec<(usize, Span, u32, bool)> = scan
            .statements
            .iter()
            .enumerate()
            .flat_map(|(s, st)| st.occurrences.iter().map(move |o| (o.doc.index(), o.span, s as u32, st.boilerplate)))
            .collect();
        occurrences.sort_unstable_by_key(|&(d, span, s, _)| (d, span.start, span.end, s));
        Context { scan, opts, wanted: wanted(scan, opts.keep), chosen: chosen(scan, opts.keep), member, occurrences }
    }

    fn occurrences_of(&self, doc: usize) -> &[(usize, Span, u32, bool)] {
        let from = self.occurrences.partition_point(|o| o.0 < doc);
        let to = self.occurrences.partition_point(|o| o.0 <= doc);
        &self.occurrences[from..to]
    }

    /// Whether the written text of `doc` differs from the text as read.
    pub(super) fn strips(&self, doc: usize) -> bool {
        self.opts.strip_boilerplate && self.occurrences_of(doc).iter().any(|o| o.3)
    }

    /// The text to write for `doc` (`None`: unchanged) and its annotation.
    pub(super) fn make(&self, doc: usize, text: Option<&str>) -> (Option<String>, Option<Annotation<'a>>) {
        let occ = self.occurrences_of(doc);
        let mut cut: Vec<(usize, usize)> = Vec::new();
        if self.opts.strip_boilerplate {
            for o in occ.iter().filter(|o| o.3) {
                let (s, e) = (o.1.start as usize, o.1.end as usize);
                match cut.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => cut.push((s, e)),
                }
            }
        }
        let new_text = match text {
            Some(t) if !cut.is_empty() => {
                let mut out = String::with_capacity(t.len());
                let mut at = 0;
                for &(s, e) in &cut {
                    out.push_str(&t[at..s]);
                    at = e;
                }
                out.push_str(&t[at..]);
                Some(out)
            }
            _ => None,
        };
        if !self.opts.annotate {
            return (new_text, None);
        }
        // A position of the text as read, in the written text.
        let shift = |p: usize| {
            let removed: usize = cut.iter().map(|&(s, e)| p.min(e).saturating_sub(s)).sum();
            (p - removed) as u32
        };
        let statements = occ
            .iter()
            .filter(|o| !(self.opts.strip_boilerplate && o.3))
            .map(|o| CarriedLine {
                statement: o.2,
                start: shift(o.1.start as usize),
                end: shift(o.1.end as usize),
                boilerplate: o.3,
            })
            .filter(|c| c.start < c.end)
            .collect();
        let annotation = match self.member[doc] {
            Some((c, sim)) => {
                let cluster = &self.scan.clusters[c as usize];
                Annotation {
                    cluster: Some(c),
                    cluster_size: Some(cluster.members.len()),
                    representative: Some(&self.scan.docs[cluster.representative.index()].meta.id),
                    duplicate: self.chosen[c as usize] != doc,
                    similarity: Some(round4(sim)),
                    statements,
                }
            }
            None => Annotation {
                cluster: None,
                cluster_size: None,
                representative: None,
                duplicate: false,
                similarity: None,
                statements,
            },
        };
        (new_text, Some(annotation))
    }
}
