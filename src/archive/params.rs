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
    /// What the statement state ([`super::state`]) was made with.
    pub statements: StatementParams,
}

/// The statement options the stored statement state depends on: alignment
/// (which pairs share a passage), `--max-df` (which pairs are made) and
/// `--boilerplate-docs` (template anchors).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub struct StatementParams {
    /// `--min-words`.
    pub min_words: usize,
    /// `--min-identity`.
    pub min_identity: f64,
    /// `--max-gap`.
    pub max_gap: usize,
    /// `--max-df`.
    pub max_df: usize,
    /// `--boilerplate-docs`.
    pub boilerplate_docs: usize,
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
            statements: StatementParams {
                min_words: config.passage.align.min_words,
                min_identity: config.passage.align.min_identity,
                max_gap: config.passage.align.max_gap,
                max_df: config.passage.max_df,
                boilerplate_docs: config.passage.boilerplate_docs,
            },
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
        let st = &self.statements;
        c.passage.align.min_words = st.min_words;
        c.passage.align.min_identity = st.min_identity;
        c.passage.align.max_gap = st.max_gap;
        c.passage.max_df = st.max_df;
        c.passage.boilerplate_docs = st.boilerplate_docs;
        c
    }

    /// The first statement option of `config` that differs from these, as
    /// [`Params::differs`] names it; `None` when the stored statement state
    /// holds for `config`.
    pub fn differs_statements(&self, config: &Config) -> Option<String> {
        let (a, b) = (self.statements, Params::of(config).statements);
        let sides = [
            ("--min-words", a.min_words.to_string(), b.min_words.to_string()),
            ("--min-identity", a.min_identity.to_string(), b.min_identity.to_string()),
            ("--max-gap", a.max_gap.to_string(), b.max_gap.to_string()),
            ("--max-df", a.max_df.to_string(), b.max_df.to_string()),
            ("--boilerplate-docs", a.boilerplate_docs.to_string(), b.boilerplate_docs.to_string()),
        ];
        first_difference(sides)
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
        first_difference(sides)
    }
}

/// The first of `sides` (name, the archive's value, this run's) whose values
/// differ, said for a reader.
fn first_difference<const N: usize>(sides: [(&str, String, String); N]) -> Option<String> {
    sides.into_iter().find(|(_, a, b)| a != b).map(|(name, a, b)| format!("{name} (the archive's {a}, this run's {b})"))
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
        assert_eq!(p.differs_statements(&config), None);
        let mut other = Config::default();
        other.passage.max_df = 9;
        assert_eq!(p.differs(&other), None, "clusters do not depend on it");
        assert_eq!(p.differs_statements(&other).unwrap(), "--max-df (the archive's 64, this run's 9)");
        assert_eq!(p.differs_statements(&p.apply(&other)), None);
    }
}
