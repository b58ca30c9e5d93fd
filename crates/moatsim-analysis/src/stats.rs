//! Small, pure statistics over seeds.

pub use moatsim_sensitivity::stats::{mean, sample_sd};

/// The `q` quantile (0 ≤ q ≤ 1) by linear interpolation between order
/// statistics (Hyndman and Fan's type 7, the default of R, NumPy and
/// DuckDB's `quantile_cont`); `None` for no values.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let weight = position - below as f64;
    Some(sorted[below] + (sorted[above] - sorted[below]) * weight)
}

/// Student's t quantile at 0.95 (a two-sided 90% interval) for `df`
/// degrees of freedom. Exact to three decimals for 1–30 (standard tables);
/// above 30 the Cornish–Fisher expansion from the normal quantile, within
/// 0.001 of the exact value.
pub fn t_95(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833, 1.812, 1.796, 1.782, 1.771,
        1.761, 1.753, 1.746, 1.740, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706,
        1.703, 1.701, 1.699, 1.697,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df - 1],
        _ => {
            let z = 1.644_853_626_951_472_2_f64;
            let n = df as f64;
            z + (z.powi(3) + z) / (4.0 * n)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * n * n)
        }
    }
}

/// A difference measured at several seeds.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PairedSummary {
    /// Seeds with a value in both runs.
    pub seeds: usize,
    pub mean: f64,
    /// 90% interval of the mean difference (paired Student t); equal to the
    /// mean with one seed.
    pub low: f64,
    pub high: f64,
    /// Smallest and largest difference at one seed.
    pub min: f64,
    pub max: f64,
    /// Seeds whose difference has the mean's sign (zero counts for neither).
    pub sign_holds: usize,
}

/// Mean, 90% interval and sign consistency of per-seed differences; `None`
/// without any difference.
pub fn paired_summary(differences: &[f64]) -> Option<PairedSummary> {
    let mean = mean(differences)?;
    let half_width = sample_sd(differences)
        .map(|sd| t_95(differences.len() - 1) * sd / (differences.len() as f64).sqrt())
        .unwrap_or(0.0);
    let sign_holds = differences
        .iter()
        .filter(|d| (**d > 0.0 && mean > 0.0) || (**d < 0.0 && mean < 0.0))
        .count();
    Some(PairedSummary {
        seeds: differences.len(),
        mean,
        low: mean - half_width,
        high: mean + half_width,
        min: quantile(differences, 0.0)?,
        max: quantile(differences, 1.0)?,
        sign_holds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quantiles_match_numpy_linear() {
        // numpy.quantile([1, 2, 4, 8], [0.1, 0.5, 0.9]) = [1.3, 3.0, 6.8]
        let v = [8.0, 1.0, 4.0, 2.0];
        for (q, want) in [(0.1, 1.3), (0.5, 3.0), (0.9, 6.8), (0.0, 1.0), (1.0, 8.0)] {
            let got = quantile(&v, q).expect("values");
            assert!((got - want).abs() < 1e-12, "q {q}: {got} vs {want}");
        }
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn a_paired_interval_matches_the_textbook_one() {
        // Differences 1, 2, 3, 4, 5: mean 3, sd 1.5811, t(4) 2.132,
        // half-width 2.132 × 1.5811 / √5 = 1.5075.
        let s = paired_summary(&[1.0, 2.0, 3.0, 4.0, 5.0]).expect("values");
        assert!((s.mean - 3.0).abs() < 1e-12);
        assert!((s.low - 1.4925).abs() < 1e-3, "{}", s.low);
        assert!((s.high - 4.5075).abs() < 1e-3, "{}", s.high);
        assert_eq!((s.min, s.max, s.sign_holds, s.seeds), (1.0, 5.0, 5, 5));
        let mixed = paired_summary(&[-1.0, 2.0, 3.0]).expect("values");
        assert_eq!(mixed.sign_holds, 2);
        let one = paired_summary(&[0.5]).expect("a value");
        assert_eq!((one.low, one.high), (0.5, 0.5));
    }

    #[test]
    fn the_t_quantile_falls_towards_the_normal_one() {
        assert!((t_95(4) - 2.132).abs() < 1e-9);
        // Exact t(0.95; 40) = 1.684, t(0.95; 120) = 1.658.
        assert!((t_95(40) - 1.684).abs() < 1e-3, "{}", t_95(40));
        assert!((t_95(120) - 1.658).abs() < 1e-3, "{}", t_95(120));
        for df in 1..200 {
            assert!(t_95(df + 1) <= t_95(df), "df {df}");
        }
    }

    proptest! {
        /// The interval holds the mean, the mean lies between the extremes,
        /// and shifting every difference shifts the summary by as much.
        #[test]
        fn summaries_are_ordered_and_shift_with_the_data(
            differences in proptest::collection::vec(-1e6f64..1e6, 1..20),
            shift in -1e3f64..1e3,
        ) {
            let s = paired_summary(&differences).expect("values");
            prop_assert!(s.low <= s.mean + 1e-9 && s.mean <= s.high + 1e-9);
            prop_assert!(s.min <= s.mean + 1e-6 && s.mean <= s.max + 1e-6);
            prop_assert!(s.sign_holds <= s.seeds);
            let shifted: Vec<f64> = differences.iter().map(|d| d + shift).collect();
            let t = paired_summary(&shifted).expect("values");
            prop_assert!((t.mean - s.mean - shift).abs() < 1e-6);
            prop_assert!(((t.high - t.low) - (s.high - s.low)).abs() < 1e-6);
        }
    }
}
