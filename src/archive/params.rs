//! The scan parameters an archive's stored analyses were made with, kept in
//! its manifest. Signatures, band keys and verified pairs hold only for
//! these; a scan against the archive with other ones reads its texts again.

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::shingle::ShingleKind;
use crate::sign::Method;

/// What the stored analyses depend on: the signature (method, lanes, seed,
/// shingles), the banding (threshold or explicit bands and rows) and the
/// normalization version.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Params {
    /// `--method`.
    pub method: Method,
    /// `--num-perm`.
    pub num_perm: usize,
    /// `--ngram`.
    pub ngram: usize,
    /// `--shingle`.
    pub shingle: ShingleKind,
    /// `--seed`.
    pub seed: u64,
    /// `--threshold`: chooses the banding and the similarity a stored pair
    /// was verified at.
    pub threshold: f64,
    /// `--bands`, when given.
    pub bands: Option<usize>,
    /// `--rows`, when given.
    pub rows: Option<usize>,
    /// [`crate::normalize::VERSION`].
    pub normalization: u32,
}

impl Params {
    /// The parameters of `config`.
    pub fn of(config: &Config) -> Params {
        Params {
            method: config.method,
            num_perm: config.num_perm,
            ngram: config.shingle.n,
            shingle: config.shingle.kind,
            seed: config.seed,
            threshold: config.threshold,
            bands: config.bands,
            rows: config.rows,
            normalization: crate::normalize::VERSION,
        }
    }

    /// `config` with these parameters.
    pub fn apply(&self, config: &Config) -> Config {
        let mut c = Config {
            method: self.method,
            num_perm: self.num_perm,
            seed: self.seed,
            threshold: self.threshold,
            bands: self.bands,
            rows: self.rows,
            exact_jaccard: false,
            ..config.clone()
        };
        c.shingle.n = self.ngram;
        c.shingle.kind = self.shingle;
        c
    }

    /// The first parameter of `config` that differs from these, as
    /// `--name (the archive's value, this run's value)`; `None` when the
    /// stored analyses hold for `config`.
    pub fn differs(&self, config: &Config) -> Option<String> {
        if config.exact_jaccard {
            return Some("--exact-jaccard (the archive stores estimates)".into());
        }
        let theirs = Params::of(config);
        let show = |o: Option<usize>| o.map_or_else(|| "chosen by --threshold".to_string(), |v| v.to_string());
        // In the order a reader would check them; each as both sides show it.
        let sides = [
            ("normalization", self.normalization.to_string(), theirs.normalization.to_string()),
            ("--method", format!("{:?}", self.method), format!("{:?}", theirs.method)),
            ("--num-perm", self.num_perm.to_string(), theirs.num_perm.to_string()),
            ("--ngram", self.ngram.to_string(), theirs.ngram.to_string()),
            ("--shingle", format!("{:?}", self.shingle), format!("{:?}", theirs.shingle)),
            ("--seed", self.seed.to_string(), theirs.seed.to_string()),
            ("--threshold", self.threshold.to_string(), theirs.threshold.to_string()),
            ("--bands", show(self.bands), show(theirs.bands)),
            ("--rows", show(self.rows), show(theirs.rows)),
        ];
        sides
            .into_iter()
            .find(|(_, a, b)| a != b)
            .map(|(name, a, b)| format!("{name} (the archive's {a}, this run's {b})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_matches_its_own_parameters_and_the_first_difference_is_named() {
        let config = Config::default();
        let p = Params::of(&config);
        assert_eq!(p.differs(&config), None);
        assert_eq!(p.differs(&p.apply(&Config { threshold: 0.9, ..Config::default() })), None);
        let other = Config { threshold: 0.8, ..Config::default() };
        assert_eq!(p.differs(&other).unwrap(), "--threshold (the archive's 0.6, this run's 0.8)");
        let mut other = Config { num_perm: 64, ..Config::default() };
        other.shingle.n = 3;
        assert!(p.differs(&other).unwrap().starts_with("--num-perm"));
        assert!(p.differs(&Config { exact_jaccard: true, ..Config::default() }).unwrap().contains("exact"));
    }
}
