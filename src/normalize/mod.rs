//! Stage 2, **normalize**: original text → [`Token`](crate::model::Token)s with byte spans.
//!
//! Words are found on the *original* text (see the `arabic` module for which
//! characters separate words), then each word is folded: NFKC, lower case, and
//! the Arabic rules. The original text is never changed; every token keeps the
//! byte span of its letters, so passages are reported exactly as published.
//!
//! Most words of Arabic and ASCII text never reach NFKC: a per-character table
//! answers for them, and only a word containing some other character goes
//! through `unicode-normalization`. Both paths give the same result (a
//! property test in `tests/normalize.rs` checks it).
//!
//! One job per file: [`Analyzer`] (`analyzer.rs`) is the entry point; `scan.rs`
//! is the word loop it runs; `table.rs` the per-character tables that loop
//! reads; `sink.rs` where the loop puts a word's folded characters, and
//! `hash.rs` the word hash it computes on the way ([`hash_word`]); `alone.rs`
//! the letters that are words of their own ([`stands_alone`], [`unspaced`]);
//! `fold.rs` the general path over a whole word ([`fold_word`]); `arabic.rs`
//! every character rule, in one table.

mod alone;
mod analyzer;
pub(crate) mod arabic;
mod fold;
mod hash;
mod scan;
mod sink;
mod table;

pub use alone::{stands_alone, unspaced};
pub use analyzer::Analyzer;
pub use fold::{fold_fast, fold_word};
pub use hash::hash_word;

/// The version of what normalization makes of a text (where words split,
/// how they fold, how a word hashes). Raised with any change that gives a
/// text other word hashes: analyses an archive stored (`sada index`) hold
/// only for the version that made them.
pub const VERSION: u32 = 1;
