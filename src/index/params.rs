//! Choosing the LSH banding (`bands × rows`) for a similarity threshold.
//!
//! Two documents of Jaccard similarity `s` share at least one of `b` bands of
//! `r` MinHash lanes with probability `P(s) = 1 − (1 − sʳ)ᵇ` — the S-curve.
//! For a threshold `t` we pick the `(b, r)` with `b · r ≤ k` that minimizes
//!
//! ```text
//! w_fp · ∫₀ᵗ P(s) ds  +  w_fn · ∫ₜ¹ (1 − P(s)) ds
//! ```
//!
//! the probability mass of false positives below the threshold and false
//! negatives above it (datasketch's rule). With datasketch's equal weights
//! (sada weighs false negatives 0.95, see `config::DEFAULT_FN_WEIGHT`:
//! 24 × 4 at 0.6, 16 × 8 at 0.8) they give, for `k = 128`:
//!
//! | threshold | bands × rows | P(0.5) | P(0.7) | P(0.8) | P(0.9) |
//! |---|---|---|---|---|---|
//! | 0.7 | 14 × 9 | 0.027 | 0.438 | 0.867 | 0.999 |
//! | 0.8 | 9 × 13 | 0.001 | 0.084 | 0.399 | 0.929 |
//!
//! (the rows of this table are checked by a unit test below.)

/// Probability that two documents of similarity `s` become candidates.
pub fn candidate_probability(s: f64, bands: usize, rows: usize) -> f64 {
    1.0 - (1.0 - s.powi(rows as i32)).powi(bands as i32)
}

/// Integrates `f` over `[lo, hi]` with Simpson's rule on 128 intervals; the
/// S-curve is smooth, so this is accurate to far below what changes a choice.
fn integrate(lo: f64, hi: f64, f: impl Fn(f64) -> f64) -> f64 {
    const N: usize = 128;
    let h = (hi - lo) / N as f64;
    let mut sum = f(lo) + f(hi);
    for i in 1..N {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += w * f(lo + i as f64 * h);
    }
    sum * h / 3.0
}

/// The `(bands, rows)` with `bands · rows ≤ num_perm` minimizing the weighted
/// false-positive and false-negative probability mass around `threshold`.
pub fn optimal_bands(threshold: f64, num_perm: usize, fp_weight: f64, fn_weight: f64) -> (usize, usize) {
    let mut best = (1, num_perm);
    let mut best_err = f64::INFINITY;
    for b in 1..=num_perm {
        for r in 1..=num_perm / b {
            let fp = integrate(0.0, threshold, |s| candidate_probability(s, b, r));
            let fneg = integrate(threshold, 1.0, |s| 1.0 - candidate_probability(s, b, r));
            let err = fp_weight * fp + fn_weight * fneg;
            if err < best_err {
                best_err = err;
                best = (b, r);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_table_holds() {
        assert_eq!(optimal_bands(0.8, 128, 0.5, 0.5), (9, 13));
        assert_eq!(optimal_bands(0.7, 128, 0.5, 0.5), (14, 9));
    }

    #[test]
    fn s_curve_is_monotone_and_bounded() {
        let mut prev = 0.0;
        for i in 0..=100 {
            let p = candidate_probability(i as f64 / 100.0, 9, 13);
            assert!((0.0..=1.0).contains(&p) && p >= prev);
            prev = p;
        }
    }

    #[test]
    fn more_weight_on_false_negatives_widens_the_net() {
        let (b1, r1) = optimal_bands(0.8, 128, 0.5, 0.5);
        let (b2, r2) = optimal_bands(0.8, 128, 0.1, 0.9);
        assert!(candidate_probability(0.75, b2, r2) > candidate_probability(0.75, b1, r1));
    }
}
