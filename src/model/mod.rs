//! The nouns: the data that moves between stages and out of a scan, in one
//! home, so that the reader, the stages, the report and the cluster's wire
//! share one definition of each (serde derives included) and none of them
//! imports the orchestrator for a type.
//!
//! - [`text`]: positions — [`DocId`], [`Span`], [`WordRange`], [`Token`].
//! - [`document`]: a record and what became of it — [`Meta`], [`Record`],
//!   [`Document`], [`Status`].
//! - [`scan`]: what a scan returns — [`Scan`], [`Timings`], [`PairCounts`],
//!   [`Spilled`].

pub mod document;
pub mod scan;
pub mod text;

pub use document::{Document, Meta, Record, Status, StatusKind};
pub use scan::{PairCounts, Scan, Spilled, Stage, Streamed, Timings};
pub use text::{DocId, Span, Token, WordRange};
