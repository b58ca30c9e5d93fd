//! Variance-based (Sobol) indices from a Saltelli design.

use crate::{Estimate, RESAMPLES, bootstrap_rng, mean, population_variance, resample};

/// Most base samples: the Owen-scrambled Sobol sequence used here has 2¹⁶
/// points.
pub const MAX_BASE_SAMPLES: usize = 1 << 16;
/// Most parameters: the sequence has 256 dimensions, and the design uses two
/// per parameter.
pub const MAX_PARAMETERS: usize = 128;

/// The Saltelli design for `d` parameters and `n` base samples: `n` points
/// of an Owen-scrambled Sobol sequence in `2d` dimensions (Burley 2020,
/// `sobol_burley`), the first `d` coordinates forming matrix A and the last
/// `d` matrix B. For each base sample the rows are A, then A with column j
/// from B for every j, then B: `n (d + 2)` rows, SALib's layout with
/// `calc_second_order=False`. `seed` picks the scramble.
pub fn design(d: usize, n: usize, seed: u32) -> Vec<Vec<f64>> {
    let mut rows = Vec::with_capacity(n * (d + 2));
    for i in 0..n {
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        let coordinate = |k: usize| {
            f64::from(sobol_burley::sample(
                index,
                u32::try_from(k).unwrap_or(u32::MAX),
                seed,
            ))
        };
        let a: Vec<f64> = (0..d).map(coordinate).collect();
        let b: Vec<f64> = (d..2 * d).map(coordinate).collect();
        rows.push(a.clone());
        for j in 0..d {
            let mut ab = a.clone();
            ab[j] = b[j];
            rows.push(ab);
        }
        rows.push(b);
    }
    rows
}

/// One parameter's Sobol indices.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SobolIndices {
    /// First order: the share of the output's variance this parameter
    /// explains alone.
    pub s1: Estimate,
    /// Total: its share including every interaction.
    pub st: Estimate,
}

/// The first-order and total indices of each of `d` parameters from the
/// outputs at a [`design`]'s rows, in its layout. As SALib, outputs are
/// first standardised (mean 0, population standard deviation 1), then with
/// `V = Var([A; B])`:
///
/// - `S1_j = mean(f(B) (f(AB_j) − f(A))) / V` (Saltelli et al. 2010);
/// - `ST_j = mean((f(A) − f(AB_j))²) / (2V)` (Jansen 1999).
pub fn analyze(d: usize, outputs: &[f64], seed: u64) -> Vec<SobolIndices> {
    let step = d + 2;
    let n = outputs.len() / step;
    let all = &outputs[..n * step];
    let centre = mean(all);
    let spread = population_variance(all).sqrt();
    let standard = |y: f64| {
        if spread > 0.0 {
            (y - centre) / spread
        } else {
            0.0
        }
    };
    let a: Vec<f64> = (0..n).map(|i| standard(all[i * step])).collect();
    let b: Vec<f64> = (0..n).map(|i| standard(all[i * step + d + 1])).collect();
    let ab: Vec<Vec<f64>> = (0..d)
        .map(|j| (0..n).map(|i| standard(all[i * step + 1 + j])).collect())
        .collect();

    let indices = |rows: &[usize], j: usize| -> (f64, f64) {
        let pick = |m: &[f64]| rows.iter().map(|&i| m[i]).collect::<Vec<_>>();
        let (a, b, abj) = (pick(&a), pick(&b), pick(&ab[j]));
        let variance = population_variance(&[a.as_slice(), b.as_slice()].concat());
        if variance <= 0.0 {
            return (0.0, 0.0);
        }
        let first = mean(
            &b.iter()
                .zip(&abj)
                .zip(&a)
                .map(|((b, ab), a)| b * (ab - a))
                .collect::<Vec<_>>(),
        ) / variance;
        let total =
            0.5 * mean(
                &a.iter()
                    .zip(&abj)
                    .map(|(a, ab)| (a - ab).powi(2))
                    .collect::<Vec<_>>(),
            ) / variance;
        (first, total)
    };

    let everyone: Vec<usize> = (0..n).collect();
    let mut rng = bootstrap_rng(seed);
    let resamples: Vec<Vec<usize>> = (0..RESAMPLES)
        .map(|_| resample(&mut rng, n.max(1)))
        .collect();
    (0..d)
        .map(|j| {
            let (first, total) = indices(&everyone, j);
            let (firsts, totals): (Vec<f64>, Vec<f64>) =
                resamples.iter().map(|rows| indices(rows, j)).unzip();
            SobolIndices {
                s1: Estimate::with_spread(first, &firsts),
                st: Estimate::with_spread(total, &totals),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ishigami_outputs(rows: &[Vec<f64>]) -> Vec<f64> {
        let pi = std::f64::consts::PI;
        rows.iter()
            .map(|r| {
                crate::ishigami([
                    r[0] * 2.0 * pi - pi,
                    r[1] * 2.0 * pi - pi,
                    r[2] * 2.0 * pi - pi,
                ])
            })
            .collect()
    }

    #[test]
    fn the_design_has_salib_layout() {
        let rows = design(3, 8, 0);
        assert_eq!(rows.len(), 8 * 5);
        for block in rows.chunks(5) {
            let (a, b) = (&block[0], &block[4]);
            for j in 0..3 {
                for k in 0..3 {
                    let expected = if k == j { b[k] } else { a[k] };
                    assert_eq!(block[1 + j][k].to_bits(), expected.to_bits());
                }
            }
            assert!(a.iter().chain(b).all(|x| (0.0..1.0).contains(x)));
        }
        assert_eq!(rows, design(3, 8, 0), "deterministic");
        assert_ne!(rows, design(3, 8, 1), "the seed picks the scramble");
    }

    #[test]
    fn ishigami_indices_come_out_as_known() {
        let rows = design(3, 4096, 3);
        let indices = analyze(3, &ishigami_outputs(&rows), 1);
        for (j, index) in indices.iter().enumerate() {
            let (s1, st) = (&index.s1, &index.st);
            assert!(
                (s1.value - crate::ISHIGAMI_S1[j]).abs() < 0.03,
                "S1[{j}] {}",
                s1.value
            );
            assert!(
                (st.value - crate::ISHIGAMI_ST[j]).abs() < 0.03,
                "ST[{j}] {}",
                st.value
            );
            assert!(s1.ci_low < s1.value && s1.value < s1.ci_high);
            assert!(st.ci_high - st.ci_low < 0.2, "ST[{j}] interval {:?}", st);
        }
    }

    #[test]
    fn an_additive_model_has_equal_first_and_total_indices() {
        // y = x0 + 2 x1: S1 = ST, in proportion 1 : 4, and x2 has none.
        let rows = design(3, 2048, 5);
        let outputs: Vec<f64> = rows.iter().map(|r| r[0] + 2.0 * r[1]).collect();
        let indices = analyze(3, &outputs, 1);
        assert!(
            (indices[0].s1.value - 0.2).abs() < 0.02 && (indices[1].s1.value - 0.8).abs() < 0.02
        );
        for (j, index) in indices.iter().enumerate() {
            assert!((index.s1.value - index.st.value).abs() < 0.02, "{j}");
        }
        assert!(indices[2].st.value.abs() < 1e-12);
        // A constant output explains nothing and divides by nothing.
        let flat = analyze(3, &vec![1.0; rows.len()], 1);
        assert!(flat.iter().all(|i| i.s1.value == 0.0 && i.st.value == 0.0));
    }
}
