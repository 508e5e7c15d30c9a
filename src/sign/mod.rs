//! Stage 4, **sign**: shingle hashes → a compact document signature.
//!
//! Two signatures are offered (`--method`): [`MinHash`](minhash) with `k`
//! lanes, whose lanes agree with probability equal to the Jaccard similarity
//! of the shingle sets, and 64-bit [`SimHash`](simhash), whose bits agree with
//! probability `1 − θ/π` for the angle θ between the sets.

pub mod minhash;
pub mod oph;
pub mod simhash;

use serde::Serialize;

pub use minhash::{MinHashSig, MinHasher};
pub use oph::OnePermHasher;
pub use simhash::SimHash;

/// Which document signature to compute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Classic k-permutation MinHash with `--num-perm` lanes, banded LSH.
    Minhash,
    /// One-permutation MinHash with optimal densification: the same lanes
    /// and LSH, one hash per shingle instead of `--num-perm` (the default).
    #[default]
    Oph,
    /// 64-bit SimHash, bit-band LSH.
    Simhash,
}

/// A document's signature under the chosen method. The serde derives carry
/// it between the processes of a cluster run and into `--resume` checkpoints.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

    /// The signature as 32-bit lanes, the form every file and store keeps:
    /// MinHash lanes as they are, a SimHash as two lanes, low half first.
    pub fn lanes(&self) -> std::borrow::Cow<'_, [u32]> {
        match self {
            Signature::MinHash(m) => std::borrow::Cow::Borrowed(&m.0),
            Signature::SimHash(s) => std::borrow::Cow::Owned(vec![s.0 as u32, (s.0 >> 32) as u32]),
        }
    }

    /// [`Signature::lanes`] by value: MinHash lanes move out without a copy.
    pub fn into_lanes(self) -> Vec<u32> {
        match self {
            Signature::MinHash(m) => m.0.into_vec(),
            simhash => simhash.lanes().into_owned(),
        }
    }

    /// The signature stored as `lanes` ([`Signature::lanes`]), made by a
    /// SimHash if `simhash`; `None` for no lanes (a document without one).
    pub fn from_lanes(lanes: &[u32], simhash: bool) -> Option<Signature> {
        match lanes {
            [] => None,
            [lo, hi] if simhash => Some(Signature::SimHash(SimHash(*lo as u64 | (*hi as u64) << 32))),
            _ => Some(Signature::MinHash(MinHashSig(lanes.into()))),
        }
    }
}

/// Signs shingle sequences by a [`Method`]: the one place that maps a
/// method to its hasher.
#[derive(Clone, Debug)]
pub enum Signer {
    /// Classic MinHash.
    MinHash(MinHasher),
    /// One-permutation MinHash.
    Oph(OnePermHasher),
    /// SimHash.
    SimHash,
}

impl Signer {
    /// A signer for `method` with `num_perm` lanes (ignored by SimHash).
    pub fn new(method: Method, num_perm: usize, seed: u64) -> Signer {
        match method {
            Method::Minhash => Signer::MinHash(MinHasher::new(num_perm, seed)),
            Method::Oph => Signer::Oph(OnePermHasher::new(num_perm, seed)),
            Method::Simhash => Signer::SimHash,
        }
    }

    /// The signature of `shingles`, `None` when there are none.
    pub fn sign(&self, shingles: &[u64]) -> Option<Signature> {
        match self {
            Signer::MinHash(h) => h.sign(shingles).map(Signature::MinHash),
            Signer::Oph(h) => h.sign(shingles).map(Signature::MinHash),
            Signer::SimHash => SimHash::of(shingles).map(Signature::SimHash),
        }
    }
}
