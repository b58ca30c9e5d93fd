//! Latin hypercube samples on the unit cube (McKay, Beckman and Conover
//! 1979), the design of an uncertainty ensemble (issue 29): `n` points in `d`
//! dimensions such that, in every dimension, each of the `n` equal strata of
//! [0, 1) holds exactly one point. Callers scale each column to a parameter's
//! plausible range.
//!
//! Rule: column `j` is a random permutation of the strata `0..n`, and the
//! point sits uniformly within its stratum, `(stratum + u) / n`. Each
//! column has its own ChaCha stream (`seed`, column), so adding a dimension
//! leaves the columns before it as they were.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` points of a Latin hypercube in `d` dimensions, row by row.
pub fn latin_hypercube(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut points = vec![vec![0.0; d]; n];
    for j in 0..d {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x004c_4853_2d4d_434b); // "LHS-MCK"
        rng.set_stream(j as u64);
        // Fisher-Yates: a random order of the strata.
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            strata.swap(i, rng.random_range(0..=i));
        }
        for (row, stratum) in points.iter_mut().zip(strata) {
            // Kept a hair inside the stratum's edges, so rounding never moves
            // a point into the next stratum (nor `x × n` below its own).
            let u = EDGE + rng.random::<f64>() * (1.0 - 2.0 * EDGE);
            row[j] = (stratum as f64 + u) / n as f64;
        }
    }
    points
}

/// How far inside its stratum's edges a point stays, in strata.
const EDGE: f64 = 1e-9;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every column holds exactly one point per stratum, inside [0, 1).
        #[test]
        fn each_stratum_holds_one_point(n in 1usize..200, d in 1usize..6, seed in 0u64..1_000) {
            let points = latin_hypercube(n, d, seed);
            prop_assert_eq!(points.len(), n);
            for j in 0..d {
                let mut seen = vec![false; n];
                for row in &points {
                    prop_assert_eq!(row.len(), d);
                    prop_assert!((0.0..1.0).contains(&row[j]));
                    let stratum = (row[j] * n as f64).floor() as usize;
                    prop_assert!(!seen[stratum], "stratum {} twice in column {}", stratum, j);
                    seen[stratum] = true;
                }
            }
        }

        /// The same seed gives the same design; a further dimension leaves
        /// the columns before it unchanged.
        #[test]
        fn designs_are_reproducible_and_nested(n in 1usize..100, d in 1usize..5, seed in 0u64..1_000) {
            let a = latin_hypercube(n, d, seed);
            prop_assert_eq!(&a, &latin_hypercube(n, d, seed));
            let wider = latin_hypercube(n, d + 1, seed);
            for (row, wide) in a.iter().zip(&wider) {
                prop_assert_eq!(&row[..], &wide[..d]);
            }
        }
    }
}
