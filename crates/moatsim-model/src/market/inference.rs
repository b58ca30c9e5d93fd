//! The inference market: logit provider choice and capacity rationing.
//!
//! Rule: labs post a price per million tokens. Each app builder scores every
//! open lab (quality, log price, switching cost, JV ties) and picks one with
//! logit probabilities, using one uniform draw from its own random stream.
//! Tokens served by a lab are capped by its inference capacity: when demand
//! exceeds capacity every customer of that lab is served the same fraction.

/// Logit (softmax) choice probabilities over `utilities`, computed stably.
pub fn logit_probabilities(utilities: &[f64], out: &mut Vec<f64>) {
    out.clear();
    let max = utilities.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return;
    }
    let mut total = 0.0;
    for &utility in utilities {
        let weight = (utility - max).exp();
        total += weight;
        out.push(weight);
    }
    for weight in out.iter_mut() {
        *weight /= total;
    }
}

/// The option picked by a uniform draw `u ∈ [0, 1)` under the given probabilities.
/// Returns `None` only when there are no options.
pub fn pick(probabilities: &[f64], u: f64) -> Option<usize> {
    let mut cumulative = 0.0;
    for (index, &p) in probabilities.iter().enumerate() {
        cumulative += p;
        if u < cumulative {
            return Some(index);
        }
    }
    // Rounding can leave the cumulative sum a hair under 1.
    probabilities.iter().rposition(|&p| p > 0.0)
}

/// The fraction of each lab's demand it can serve: `min(1, capacity / demand)`.
pub fn served_fractions(demand: &[f64], capacity: &[f64]) -> Vec<f64> {
    demand
        .iter()
        .zip(capacity)
        .map(|(&d, &c)| {
            if d <= c || d <= 0.0 {
                1.0
            } else {
                (c.max(0.0) / d).clamp(0.0, 1.0)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn better_options_are_more_likely() {
        let mut p = Vec::new();
        logit_probabilities(&[1.0, 2.0, 0.0], &mut p);
        assert!(p[1] > p[0] && p[0] > p[2]);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(pick(&p, 0.0), Some(0));
        assert_eq!(pick(&p, 0.999_999_999), Some(2));
    }

    #[test]
    fn rationing_serves_at_most_capacity() {
        let fractions = served_fractions(&[100.0, 50.0, 0.0], &[50.0, 80.0, 0.0]);
        assert_eq!(fractions, vec![0.5, 1.0, 1.0]);
    }

    proptest! {
        #[test]
        fn probabilities_sum_to_one_and_pick_is_in_range(
            utilities in proptest::collection::vec(-50.0f64..50.0, 1..10),
            u in 0.0f64..1.0,
        ) {
            let mut p = Vec::new();
            logit_probabilities(&utilities, &mut p);
            prop_assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            let chosen = pick(&p, u);
            prop_assert!(matches!(chosen, Some(i) if i < utilities.len()));
        }

        #[test]
        fn served_never_exceeds_capacity_or_demand(
            pairs in proptest::collection::vec((0.0f64..1e9, 0.0f64..1e9), 0..10),
        ) {
            let demand: Vec<f64> = pairs.iter().map(|p| p.0).collect();
            let capacity: Vec<f64> = pairs.iter().map(|p| p.1).collect();
            for ((f, d), c) in served_fractions(&demand, &capacity).iter().zip(&demand).zip(&capacity) {
                prop_assert!((0.0..=1.0).contains(f));
                let served = f * d;
                prop_assert!(served <= d + 1e-6);
                prop_assert!(served <= c + 1e-6 || d <= c);
            }
        }
    }
}
