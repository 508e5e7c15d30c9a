//! sada (صدى, "echo") finds where news text echoes: articles that are
//! near-duplicates of each other, and statements that one source recycled
//! from another. Arabic first; every script handled.
//!
//! # Pipeline
//!
//! ```text
//! inputs ─► read ─► normalize ─► shingle ─► sign ─► index (LSH) ─► verify ─► cluster ─► report (─► write)
//! ```
//!
//! Each stage is a module with plain functions over owned data:
//! [`read`] yields [`read::Record`]s, [`normalize`] turns text into
//! [`model::Token`]s (hash of the folded word plus its byte span in the
//! original), [`shingle`] into `u64` shingle hashes, [`sign`] into a
//! [`sign::Signature`], [`index`] into candidate pairs, [`verify`] into scored
//! edges and [`cluster`] into [`cluster::Cluster`]s. [`pipeline::scan`] runs
//! them all; [`report::write`] writes the output files of the contract, and
//! [`write::write`] the corpus back without its duplicates (`--write`).
//!
//! # Example
//!
//! ```
//! let mut analyzer = sada::normalize::Analyzer::new();
//! // Hamza seats, ta marbuta and harakat fold; spans still point into the original.
//! assert_eq!(analyzer.words("أَحمد ومدرسة"), ["احمد", "ومدرسه"]);
//! ```
#![warn(missing_docs)]

mod analyze;
pub mod archive;
pub mod cli;
pub mod cluster;
pub mod config;
#[cfg(feature = "distributed")]
pub mod distributed;
pub mod error;
pub mod fuzzing;
pub mod index;
pub mod model;
pub mod normalize;
pub mod passage;
pub mod pipeline;
pub mod progress;
pub mod read;
pub mod report;
pub mod shingle;
pub mod sigfile;
pub mod sign;
pub mod spill;
pub mod verify;
pub mod write;

pub use config::Config;
pub use error::Error;
pub use model::Scan;
pub use pipeline::scan;
