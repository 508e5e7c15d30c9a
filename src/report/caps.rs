//! How much of a scan the report carries: the page embeds the first items
//! only (the JSONL files have everything), so the pipeline keeps texts for
//! those items only. One place for both sides of that agreement.

/// Clusters whose members' texts are kept for the report's diff view.
pub const EXCERPT_CLUSTERS: usize = 200;
/// Bytes of a member's text kept for the report (cut on a char boundary).
pub const EXCERPT_BYTES: usize = 20_000;
/// Statements whose occurrences get a context (the text around them): what
/// `report.html` embeds. The JSONL files have every statement; the page
/// points to them for the rest.
pub const CONTEXT_STATEMENTS: usize = 1000;
/// Characters of context kept on each side of an occurrence.
pub const CONTEXT_CHARS: usize = 240;
/// Non-boilerplate statements embedded in the page (all with context: the
/// pipeline keeps contexts for more than this).
pub const STATEMENTS_SHOWN: usize = 500;
/// Boilerplate statements embedded, after the others.
pub const BOILERPLATE_SHOWN: usize = 100;
/// Clusters embedded; the pipeline keeps excerpts for as many.
pub const CLUSTERS_SHOWN: usize = EXCERPT_CLUSTERS;
