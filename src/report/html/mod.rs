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
//! What is embedded is capped
//! ([`STATEMENTS_SHOWN`](crate::report::caps::STATEMENTS_SHOWN),
//! [`CLUSTERS_SHOWN`](crate::report::caps::CLUSTERS_SHOWN), and per item),
//! and the page says so and points to the JSONL files. The page's script
//! shows one page of items at a time and filters them by the search box;
//! without script every item is simply visible.
//!
//! # Determinism
//!
//! Everything comes from sorted vectors, never from a hash map, so the same
//! input gives the same bytes. The only run-specific data (threads, timings)
//! sits in one region between the literal markers `<!--run-->` and
//! `<!--/run-->`, which the determinism test strips.
//!
//! Every text from the input (ids, sources, dates, texts) goes through
//! [`Esc`](escape::Esc); text blocks carry `dir="auto"` so Arabic renders
//! right-to-left, and ids and names are isolated in `<bdi>` so mixed scripts
//! stay readable.
//!
//! # Files
//!
//! - `mod.rs`: [`write()`] and the [`Page`] every section writes to.
//! - `page.rs`: the page's frame (head, overview, run region, foot) and the
//!   paged lists every section uses.
//! - `statements.rs`: the recycled statements and their occurrence cards.
//! - `clusters.rs`: the near-duplicate clusters and their member diffs.
//! - `diff.rs`: the word diff on [`Token`](crate::model::Token)s behind both.
//! - `escape.rs`: HTML escaping and number formatting.
//! - `style.css`, `head.js`, `script.js`: the inline style and scripts,
//!   embedded as they are.

mod clusters;
mod diff;
mod escape;
mod page;
mod statements;

use std::io::{self, Write};

use super::summary::Summary;
use crate::model::Scan;
use crate::normalize::Analyzer;

/// Writes the page.
pub(crate) fn write(w: &mut impl Write, scan: &Scan, summary: &Summary) -> io::Result<()> {
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
