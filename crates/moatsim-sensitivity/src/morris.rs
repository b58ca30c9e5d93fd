//! The Morris method: elementary effects along one-at-a-time trajectories.

use rand::RngExt;

use crate::{Estimate, RESAMPLES, bootstrap_rng, mean, resample, sample_sd};

/// The grid step of a design with `levels` levels: Δ = p / (2(p − 1)), the
/// choice that makes every level equally likely (Morris 1991; SALib's).
pub fn delta(levels: u32) -> f64 {
    let p = f64::from(levels);
    p / (2.0 * (p - 1.0))
}

/// `trajectories` Morris trajectories in `d` dimensions on a grid of
/// `levels` (an even number ≥ 2) levels of [0, 1]: each is `d + 1` rows,
/// and row k + 1 differs from row k in one parameter, by ±Δ. Rows are
/// trajectory after trajectory, as SALib lays them out.
pub fn design(d: usize, trajectories: usize, levels: u32, seed: u64) -> Vec<Vec<f64>> {
    let step = delta(levels);
    let top = f64::from(levels - 1);
    let mut rng = bootstrap_rng(seed ^ 0x4d6f_7272_6973); // "Morris"
    let mut rows = Vec::with_capacity(trajectories * (d + 1));
    for _ in 0..trajectories {
        // A base point on the grid from which +Δ or −Δ stays inside [0, 1].
        let mut point: Vec<f64> = (0..d)
            .map(|_| f64::from(rng.random_range(0..levels)) / top)
            .collect();
        let mut order: Vec<usize> = (0..d).collect();
        for i in (1..d).rev() {
            let j = rng.random_range(0..=i);
            order.swap(i, j);
        }
        rows.push(point.clone());
        for &factor in &order {
            let up = rng.random_range(0..2u8) == 1;
            let moved = if up {
                point[factor] + step
            } else {
                point[factor] - step
            };
            // Keep inside: go the other way when this way leaves the cube.
            point[factor] = if (0.0..=1.0 + 1e-12).contains(&moved) {
                moved
            } else if up {
                point[factor] - step
            } else {
                point[factor] + step
            };
            point[factor] = point[factor].clamp(0.0, 1.0);
            rows.push(point.clone());
        }
    }
    rows
}

/// One parameter's Morris measures.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MorrisIndices {
    /// Mean of the elementary effects.
    pub mu: f64,
    /// Mean of their absolute values, with a bootstrap interval: the
    /// parameter's overall influence.
    pub mu_star: Estimate,
    /// Their standard deviation (n − 1): interactions and non-linearity.
    pub sigma: f64,
}

/// The Morris measures of each of `d` parameters from a design's rows (in
/// [0, 1]) and the outputs at them. The elementary effect of the parameter
/// that changes between rows k and k + 1 of a trajectory is
/// `(y[k+1] − y[k]) / Δ`, signed by the direction of the change.
pub fn analyze(rows: &[Vec<f64>], outputs: &[f64], levels: u32, seed: u64) -> Vec<MorrisIndices> {
    let d = rows.first().map_or(0, Vec::len);
    let step = delta(levels);
    let mut effects: Vec<Vec<f64>> = vec![Vec::new(); d];
    for (trajectory_rows, trajectory_outputs) in rows.chunks(d + 1).zip(outputs.chunks(d + 1)) {
        for k in 0..trajectory_rows.len().saturating_sub(1) {
            let (before, after) = (&trajectory_rows[k], &trajectory_rows[k + 1]);
            let Some(factor) = (0..d).find(|&i| (after[i] - before[i]).abs() > 1e-12) else {
                continue;
            };
            let sign = if after[factor] > before[factor] {
                1.0
            } else {
                -1.0
            };
            effects[factor].push(sign * (trajectory_outputs[k + 1] - trajectory_outputs[k]) / step);
        }
    }
    let mut rng = bootstrap_rng(seed);
    effects
        .iter()
        .map(|ee| {
            let absolute: Vec<f64> = ee.iter().map(|e| e.abs()).collect();
            let resampled: Vec<f64> = (0..RESAMPLES)
                .map(|_| {
                    let picks = resample(&mut rng, absolute.len().max(1));
                    mean(
                        &picks
                            .iter()
                            .filter_map(|&i| absolute.get(i).copied())
                            .collect::<Vec<_>>(),
                    )
                })
                .collect();
            MorrisIndices {
                mu: mean(ee),
                mu_star: Estimate::with_spread(mean(&absolute), &resampled).non_negative(),
                sigma: sample_sd(ee),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every trajectory moves each parameter exactly once, by ±Δ,
        /// and stays on the grid inside the unit cube.
        #[test]
        fn trajectories_move_one_parameter_at_a_time(
            d in 1usize..8, trajectories in 1usize..6, half_levels in 1u32..5, seed in any::<u64>(),
        ) {
            let levels = 2 * half_levels;
            let rows = design(d, trajectories, levels, seed);
            prop_assert_eq!(rows.len(), trajectories * (d + 1));
            let step = delta(levels);
            for trajectory in rows.chunks(d + 1) {
                let mut moved = vec![0; d];
                for pair in trajectory.windows(2) {
                    let changed: Vec<usize> =
                        (0..d).filter(|&i| (pair[1][i] - pair[0][i]).abs() > 1e-12).collect();
                    prop_assert_eq!(changed.len(), 1);
                    prop_assert!(((pair[1][changed[0]] - pair[0][changed[0]]).abs() - step).abs() < 1e-9);
                    moved[changed[0]] += 1;
                }
                prop_assert!(moved.iter().all(|&m| m == 1));
                for row in trajectory {
                    for &x in row {
                        prop_assert!((0.0..=1.0).contains(&x));
                        let level = x * f64::from(levels - 1);
                        prop_assert!((level - level.round()).abs() < 1e-9, "off the grid: {}", x);
                    }
                }
            }
        }
    }

    #[test]
    fn a_linear_model_has_its_slopes_as_effects() {
        // y = 3 x0 − 2 x1 + 0 x2: every elementary effect is the slope.
        let rows = design(3, 20, 4, 7);
        let outputs: Vec<f64> = rows.iter().map(|r| 3.0 * r[0] - 2.0 * r[1]).collect();
        let indices = analyze(&rows, &outputs, 4, 1);
        assert!(
            (indices[0].mu - 3.0).abs() < 1e-9 && (indices[0].mu_star.value - 3.0).abs() < 1e-9
        );
        assert!(
            (indices[1].mu + 2.0).abs() < 1e-9 && (indices[1].mu_star.value - 2.0).abs() < 1e-9
        );
        assert!(indices[2].mu_star.value.abs() < 1e-12);
        assert!(indices.iter().all(|i| i.sigma < 1e-9), "no interactions");
        assert!(indices[0].mu_star.ci_low <= 3.0 && indices[0].mu_star.ci_high >= 3.0);
    }

    #[test]
    fn morris_ranks_ishigami_as_its_known_indices_do() {
        let rows = design(3, 200, 4, 11);
        let pi = std::f64::consts::PI;
        let outputs: Vec<f64> = rows
            .iter()
            .map(|r| {
                crate::ishigami([
                    r[0] * 2.0 * pi - pi,
                    r[1] * 2.0 * pi - pi,
                    r[2] * 2.0 * pi - pi,
                ])
            })
            .collect();
        let indices = analyze(&rows, &outputs, 4, 1);
        // x1 and x2 matter most; x3 acts only with x1 (large sigma for its mu*).
        assert!(indices[0].mu_star.value > indices[2].mu_star.value);
        assert!(indices[1].mu_star.value > indices[2].mu_star.value);
        assert!(indices[2].sigma > 0.5 * indices[2].mu_star.value);
        assert!(
            indices[1].mu.abs() < 0.5 * indices[1].mu_star.value,
            "x2 is symmetric: effects cancel"
        );
    }

    /// μ* is a mean of absolute values: its interval never reaches below
    /// zero, even for a parameter with few, scattered effects.
    #[test]
    fn the_interval_of_mu_star_stays_at_or_above_zero() {
        let rows = design(4, 3, 4, 5);
        // One parameter with a large effect in one trajectory only.
        let outputs: Vec<f64> = rows
            .iter()
            .enumerate()
            .map(|(k, r)| if k < 5 { 100.0 * r[3] } else { 0.01 * r[0] })
            .collect();
        for m in analyze(&rows, &outputs, 4, 3) {
            assert!(m.mu_star.ci_low >= 0.0, "{m:?}");
            assert!(m.mu_star.ci_low <= m.mu_star.value && m.mu_star.value <= m.mu_star.ci_high);
        }
    }
}
