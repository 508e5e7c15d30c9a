//! Stage 4, **sign**: shingle hashes → a compact document signature.
//!
//! Two signatures are offered (`--method`): [`MinHash`](minhash) with `k`
//! lanes, whose lanes agree with probability equal to the Jaccard similarity
//! of the shingle sets, and 64-bit [`SimHash`](simhash), whose bits agree with
//! probability `1 − θ/π` for the angle θ between the sets.

pub mod minhash;
pub mod simhash;

use serde::Serialize;

pub use minhash::{MinHashSig, MinHasher};
pub use simhash::SimHash;

/// Which document signature to compute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// MinHash with `--num-perm` lanes, banded LSH (the default).
    #[default]
    Minhash,
    /// 64-bit SimHash, bit-band LSH.
    Simhash,
}

/// A document's signature under the chosen method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signature {
    /// MinHash lanes.
    MinHash(MinHashSig),
    /// SimHash bits.
    SimHash(SimHash),
}

impl Signature {
    /// Estimated Jaccard similarity of the two documents' shingle sets.
    ///
    /// # Panics
    /// If the two signatures were made by different methods.
    pub fn jaccard(&self, other: &Signature) -> f64 {
        match (self, other) {
            (Signature::MinHash(a), Signature::MinHash(b)) => a.jaccard(b),
            (Signature::SimHash(a), Signature::SimHash(b)) => a.jaccard(*b),
            _ => panic!("signatures of different methods cannot be compared"),
        }
    }
}
