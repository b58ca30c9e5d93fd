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

/// Failover: the overflow a rationed lab's multi-homed customers route to
/// labs with idle capacity in the same quarter. `reroutable[i]` is what lab
/// `i`'s customers could send elsewhere (its rationed API demand times the
/// multi-homed share), `idle[j]` what lab `j` has left after its own
/// customers. Each lab's overflow is offered to the others in proportion to
/// their idle capacity; a lab offered more than it has idle serves the same
/// fraction of every offer. Returns `flows[i][j]`, tokens lab `j` serves for
/// lab `i`'s customers: no lab serves more than it has idle, no overflow is
/// served twice, and a lab never receives its own.
pub fn reroute_overflow(reroutable: &[f64], idle: &[f64]) -> Vec<Vec<f64>> {
    let n = reroutable.len().min(idle.len());
    let idle: Vec<f64> = idle.iter().take(n).map(|x| x.max(0.0)).collect();
    let total_idle: f64 = idle.iter().sum();
    // Offers each lab receives, then the fraction of them it can serve.
    let mut offers = vec![vec![0.0; n]; n];
    let mut offered_to = vec![0.0; n];
    for i in 0..n {
        let amount = reroutable[i].max(0.0);
        let others = total_idle - idle[i];
        if amount <= 0.0 || others <= 0.0 {
            continue;
        }
        for j in (0..n).filter(|&j| j != i) {
            offers[i][j] = amount * idle[j] / others;
            offered_to[j] += offers[i][j];
        }
    }
    let accepted: Vec<f64> = (0..n)
        .map(|j| {
            if offered_to[j] > idle[j] {
                idle[j] / offered_to[j]
            } else {
                1.0
            }
        })
        .collect();
    for row in &mut offers {
        for (flow, fraction) in row.iter_mut().zip(&accepted) {
            *flow *= fraction;
        }
    }
    offers
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Failover conserves tokens: a lab serves at most its idle capacity,
        /// a lab's overflow is served at most once, nothing flows to itself,
        /// and the overflow served is all of it or all the idle capacity there
        /// is elsewhere, whichever is less, when one lab is rationed.
        #[test]
        fn failover_serves_overflow_within_idle_capacity(
            raw in proptest::collection::vec((0.0f64..1e9, 0.0f64..1e9), 1..7),
        ) {
            let reroutable: Vec<f64> = raw.iter().map(|r| r.0).collect();
            let idle: Vec<f64> = raw.iter().map(|r| r.1).collect();
            let flows = reroute_overflow(&reroutable, &idle);
            for (i, row) in flows.iter().enumerate() {
                prop_assert!(row[i].abs() < f64::EPSILON);
                let sent: f64 = row.iter().sum();
                prop_assert!(sent <= reroutable[i] * (1.0 + 1e-9) + 1e-9);
                prop_assert!(row.iter().all(|f| *f >= 0.0));
            }
            for j in 0..idle.len() {
                let received: f64 = flows.iter().map(|row| row[j]).sum();
                prop_assert!(received <= idle[j] * (1.0 + 1e-9) + 1e-9);
            }
        }
    }

    #[test]
    fn one_rationed_lab_sends_what_the_others_can_take() {
        let flows = reroute_overflow(&[100.0, 0.0, 0.0], &[0.0, 30.0, 10.0]);
        assert!((flows[0][1] - 30.0).abs() < 1e-9 && (flows[0][2] - 10.0).abs() < 1e-9);
        let sent: f64 = flows[0].iter().sum();
        assert!(
            (sent - 40.0).abs() < 1e-9,
            "all idle capacity is used: {sent}"
        );
        let flows = reroute_overflow(&[10.0, 0.0, 0.0], &[0.0, 30.0, 10.0]);
        assert!((flows[0][1] - 7.5).abs() < 1e-9 && (flows[0][2] - 2.5).abs() < 1e-9);
    }

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
