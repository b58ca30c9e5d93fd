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

/// Logit weights relative to the best option, `exp(u − max u)`: zero for an
/// option at −∞, and all zero when no option is finite. A chooser whose
/// utilities differ from these by a few terms multiplies those options'
/// weights by `exp(term)` and picks with [`pick_weighted`]: the same logit
/// choice, with one exponential per changed option instead of one per option.
pub fn relative_weights(utilities: &[f64]) -> Vec<f64> {
    let max = utilities.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    utilities
        .iter()
        .map(|&utility| {
            if max.is_finite() {
                (utility - max).exp()
            } else {
                0.0
            }
        })
        .collect()
}

/// The option picked by a uniform draw `u ∈ [0, 1)` with probabilities in
/// proportion to non-negative `weights`. `None` when every weight is zero.
pub fn pick_weighted(weights: &[f64], u: f64) -> Option<usize> {
    let total: f64 = weights.iter().sum();
    // Also catches a NaN total.
    if total.is_nan() || total <= 0.0 {
        return None;
    }
    let target = u * total;
    let mut cumulative = 0.0;
    for (index, &weight) in weights.iter().enumerate() {
        cumulative += weight;
        if target < cumulative {
            return Some(index);
        }
    }
    // Rounding can leave the cumulative sum a hair under the target.
    weights.iter().rposition(|&w| w > 0.0)
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

/// What lab `i`'s API customers see once failover has served part of what
/// `i` rationed: the share of their tokens served anywhere,
/// `(own + moved) / api`, and the mean price they paid for them (own tokens
/// at `i`'s price, rerouted ones at the serving lab's). Labs whose customers
/// moved nothing keep their served fraction and price.
pub fn failover_terms(
    fractions: &[f64],
    api: &[f64],
    prices: &[f64],
    flows: &[Vec<f64>],
) -> (Vec<f64>, Vec<f64>) {
    let mut served = fractions.to_vec();
    let mut paid_per_mtok = prices.to_vec();
    for i in 0..fractions.len().min(api.len()).min(flows.len()) {
        let moved: f64 = flows[i].iter().sum();
        if moved <= 0.0 || api[i] <= 0.0 {
            continue;
        }
        let own = fractions[i] * api[i];
        let paid: f64 = own * prices[i]
            + flows[i]
                .iter()
                .zip(prices)
                .map(|(flow, price)| flow * price)
                .sum::<f64>();
        served[i] = ((own + moved) / api[i]).min(1.0);
        paid_per_mtok[i] = paid / (own + moved);
    }
    (served, paid_per_mtok)
}

/// Books failover to the labs that served it. Builders settled with their
/// own lab `i` as if it had served `served_as[i]` (its own tokens and the
/// rerouted ones); the rerouted part `flows[i][j] / served_as[i]` of what
/// they settled moves, with its payment at `j`'s price, from `i` to `j`.
/// Returns the tokens each lab served by failover. Totals of tokens served
/// and of spend are unchanged.
pub fn book_failover(
    served_by_lab: &mut [f64],
    spend_by_lab: &mut [f64],
    served_as: &[f64],
    flows: &[Vec<f64>],
    prices: &[f64],
) -> Vec<f64> {
    let n = served_by_lab.len();
    // What each lab's builders settled before any failover is booked: a lab
    // that both took and sent overflow moves only its own builders' part.
    let settled_as: Vec<f64> = served_by_lab.to_vec();
    let mut rerouted_in = vec![0.0; n];
    for i in 0..n.min(served_as.len()).min(flows.len()) {
        if served_as[i] <= 0.0 {
            continue;
        }
        let settled = settled_as[i];
        for (j, flow) in flows[i].iter().enumerate().take(n) {
            if *flow <= 0.0 {
                continue;
            }
            let part = settled * flow / served_as[i];
            served_by_lab[i] -= part;
            served_by_lab[j] += part;
            spend_by_lab[i] -= part * prices[j];
            spend_by_lab[j] += part * prices[j];
            rerouted_in[j] += part;
        }
    }
    rerouted_in
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Picking from relative weights scaled by `exp(adjustment)` is the
        /// logit choice over the adjusted utilities: the same probabilities
        /// (to rounding), and the same option for draws not on a boundary.
        #[test]
        fn adjusted_relative_weights_are_the_logit_choice(
            base in proptest::collection::vec(-20.0f64..20.0, 1..8),
            closed in proptest::collection::vec(any::<bool>(), 8),
            adjustments in proptest::collection::vec(-5.0f64..20.0, 8),
            adjusted in proptest::collection::vec(any::<bool>(), 8),
            u in 0.0f64..1.0,
        ) {
            let base: Vec<f64> = base
                .iter()
                .zip(&closed)
                .map(|(&b, &c)| if c { f64::NEG_INFINITY } else { b })
                .collect();
            let mut weights = relative_weights(&base);
            let mut utilities = base.clone();
            for i in 0..base.len() {
                if adjusted[i] {
                    weights[i] *= adjustments[i].exp();
                    utilities[i] += adjustments[i];
                }
            }
            let mut expected = Vec::new();
            logit_probabilities(&utilities, &mut expected);
            let total: f64 = weights.iter().sum();
            if expected.is_empty() {
                prop_assert!(total == 0.0);
                prop_assert_eq!(pick_weighted(&weights, u), None);
            } else {
                for (w, p) in weights.iter().zip(&expected) {
                    prop_assert!((w / total - p).abs() < 1e-12, "{} vs {}", w / total, p);
                }
                let picked = pick_weighted(&weights, u).expect("a positive weight");
                prop_assert!(weights[picked] > 0.0, "never an option at zero weight");
                let below: f64 = expected[..picked].iter().sum();
                let through = below + expected[picked];
                prop_assert!(u >= below - 1e-9 && u < through + 1e-9,
                    "u {} outside option {}'s interval [{}, {})", u, picked, below, through);
            }
        }

        /// Failover raises the served share of a rationed lab's customers to
        /// at most all of it, prices their tokens between the cheapest and
        /// dearest lab involved, and booking it to the serving labs keeps
        /// the totals of tokens and spend.
        #[test]
        fn failover_accounting_conserves_tokens_and_spend(
            api in proptest::collection::vec(0.0f64..1e6, 3),
            fractions in proptest::collection::vec(0.0f64..1.0, 3),
            prices in proptest::collection::vec(0.1f64..10.0, 3),
            idle in proptest::collection::vec(0.0f64..1e6, 3),
            share in 0.0f64..1.0,
        ) {
            let reroutable: Vec<f64> =
                (0..3).map(|i| share * api[i] * (1.0 - fractions[i])).collect();
            let flows = reroute_overflow(&reroutable, &idle);
            let (served, paid) = failover_terms(&fractions, &api, &prices, &flows);
            let (low, high) = prices
                .iter()
                .fold((f64::INFINITY, 0.0f64), |(l, h), p| (l.min(*p), h.max(*p)));
            for i in 0..3 {
                prop_assert!(served[i] >= fractions[i] - 1e-12 && served[i] <= 1.0);
                prop_assert!(paid[i] >= low - 1e-9 && paid[i] <= high + 1e-9);
            }
            let served_as: Vec<f64> = (0..3).map(|i| served[i] * api[i]).collect();
            let mut by_lab = served_as.clone();
            let mut spend: Vec<f64> = (0..3).map(|i| by_lab[i] * paid[i]).collect();
            let (tokens, money) = (by_lab.iter().sum::<f64>(), spend.iter().sum::<f64>());
            let rerouted = book_failover(&mut by_lab, &mut spend, &served_as, &flows, &prices);
            let moved: f64 = flows.iter().flatten().sum();
            prop_assert!((rerouted.iter().sum::<f64>() - moved).abs() <= 1e-6 * moved.max(1.0));
            prop_assert!((by_lab.iter().sum::<f64>() - tokens).abs() <= 1e-6 * tokens.max(1.0));
            prop_assert!((spend.iter().sum::<f64>() - money).abs() <= 1e-6 * money.max(1.0));
        }
    }

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
