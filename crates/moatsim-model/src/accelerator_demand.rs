//! Demand for accelerators from the rest of the market: hyperscalers' own
//! fleets, neoclouds, enterprise and sovereign buyers, represented as
//! aggregate buyers (model brief, principle 1: the whole market is simulated).
//!
//! An aggregate buyer wants its fleet to grow. The growth it wants decays
//! from its starting rate with a half-life, because no market keeps doubling;
//! it also replaces what retires (`market::vintages`).
//! It turns that compute into an order at the market's price: it orders the
//! compute it wants at a reference price, more when accelerators are cheaper
//! and less when they are dearer (a constant price elasticity), and nothing
//! above the value an H100e has to it. Among generations it spreads the order
//! towards those that give more H100e per dollar and that delivered last
//! quarter.
//!
//! See `docs/MODEL.md`, "The rest of the accelerator market".

/// Exponents of the decay are clamped here so a zero half-life cannot divide by zero.
const MIN_HALF_LIFE_QUARTERS: f64 = 1e-6;

/// The fleet growth a buyer wants in quarter `tick` (0-based): its starting
/// growth per quarter halved every `half_life_quarters`.
pub fn wanted_growth(initial_growth_per_quarter: f64, half_life_quarters: f64, tick: u32) -> f64 {
    let half_life = half_life_quarters.max(MIN_HALF_LIFE_QUARTERS);
    initial_growth_per_quarter.max(0.0) * (-f64::from(tick) / half_life).exp2()
}

/// H100e a buyer wants this quarter for its own use: its own fleet grown by
/// the growth it wants, plus what retired from that fleet this quarter
/// (`market::vintages`), so a fleet that stops growing still replaces what
/// ages out. Never below nothing.
pub fn wanted_for_own_use(
    own_fleet_h100e: f64,
    growth_per_quarter: f64,
    retired_own_h100e: f64,
) -> f64 {
    own_fleet_h100e.max(0.0) * growth_per_quarter.max(0.0) + retired_own_h100e.max(0.0)
}

/// H100e a buyer orders when the cheapest accelerator it may buy costs
/// `price_per_h100e`: `wanted × (reference / price)^elasticity`, and nothing
/// when the price exceeds what an H100e is worth to it.
pub fn h100e_ordered(
    wanted_h100e: f64,
    price_per_h100e: f64,
    reference_price_per_h100e: f64,
    elasticity: f64,
    value_per_h100e: f64,
) -> f64 {
    if wanted_h100e <= 0.0 || price_per_h100e <= 0.0 || price_per_h100e > value_per_h100e {
        return 0.0;
    }
    wanted_h100e * (reference_price_per_h100e / price_per_h100e).powf(elasticity.max(0.0))
}

/// Shares of an order across generations, from each generation's H100e per
/// dollar and the share of orders it filled last quarter:
/// `share_i ∝ (h100e_per_usd_i / best)^sharpness × availability_i`. Buyers
/// lean to the best value but steer away from a generation that could not
/// deliver. Generations with no value or no availability get nothing; the
/// shares of the rest sum to one.
pub fn split_by_value(h100e_per_usd: &[f64], availability: &[f64], sharpness: f64) -> Vec<f64> {
    let best = h100e_per_usd.iter().copied().fold(0.0, f64::max);
    if best <= 0.0 {
        return vec![0.0; h100e_per_usd.len()];
    }
    // Relative to the best, so the powers stay between 0 and 1.
    let weights: Vec<f64> = h100e_per_usd
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let available = availability.get(i).copied().unwrap_or(1.0).clamp(0.0, 1.0);
            if v > 0.0 {
                (v / best).powf(sharpness.max(0.0)) * available
            } else {
                0.0
            }
        })
        .collect();
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return vec![0.0; h100e_per_usd.len()];
    }
    weights.iter().map(|w| w / total).collect()
}

/// MW an aggregate buyer asks its utility's interconnection queue for: what
/// this quarter's order needed beyond the grid room it had, less what it
/// already waits for. A buyer whose grid is full queues like a project, so
/// its demand reaches the utility's build decision instead of vanishing, and
/// it never queues twice for the same shortfall.
pub fn power_to_request(needed_mw: f64, room_mw: f64, queued_mw: f64) -> f64 {
    (needed_mw - room_mw.max(0.0) - queued_mw.max(0.0)).max(0.0)
}

/// The share of its orders a generation is expected to fill: an exponential
/// average of what it filled, keeping `memory` of the previous expectation.
/// Buyers steer by it, so one sold-out quarter does not swing every order to
/// a rival and back (expectations formed from what buyers observe).
pub fn update_expected_fill(previous: f64, observed: f64, memory: f64) -> f64 {
    adaptive_expectation(previous, observed, memory).clamp(0.0, 1.0)
}

/// An adaptive expectation (Nerlove 1958) of a level: keeps `memory` of the
/// previous expectation and takes the rest from what was just observed,
/// `memory × previous + (1 − memory) × observed`. Memory 0 follows the last
/// observation; 1 never learns.
pub fn adaptive_expectation(previous: f64, observed: f64, memory: f64) -> f64 {
    let memory = memory.clamp(0.0, 1.0);
    memory * previous + (1.0 - memory) * observed
}

/// The share of orders a new generation is expected to fill when it goes on
/// sale: what its maker's generations on sale filled last quarter, order-
/// weighted (`sold / ordered` summed over them), or 1 with no orders. Buyers
/// judge a launch by its maker's record, so a maker that could not deliver
/// does not draw every order with a new part it will not deliver either.
pub fn launch_expected_fill(sold_and_ordered: &[(u64, u64)]) -> f64 {
    let sold: u64 = sold_and_ordered.iter().map(|p| p.0).sum();
    let ordered: u64 = sold_and_ordered.iter().map(|p| p.1).sum();
    if ordered == 0 {
        1.0
    } else {
        (sold as f64 / ordered as f64).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A dearer accelerator is never ordered in larger quantity, and
        /// nothing is ordered above its value.
        #[test]
        fn orders_fall_as_prices_rise(
            wanted in 0.0f64..1e8, price in 1.0f64..1e5, dearer in 0.0f64..1e5,
            reference in 1.0f64..1e5, elasticity in 0.0f64..3.0, value in 1.0f64..2e5,
        ) {
            let cheap = h100e_ordered(wanted, price, reference, elasticity, value);
            let dear = h100e_ordered(wanted, price + dearer, reference, elasticity, value);
            prop_assert!(dear <= cheap);
            prop_assert!(cheap >= 0.0 && cheap.is_finite());
            if price + dearer > value {
                prop_assert!(dear.abs() < f64::MIN_POSITIVE);
            }
        }

        /// At an elasticity of at least one, a dearer accelerator never raises
        /// the buyer's spending: scarcity raises prices, not budgets without end.
        #[test]
        fn elastic_spending_falls_with_price(
            price in 1.0f64..1e5, dearer in 0.0f64..1e5, elasticity in 1.0f64..3.0,
        ) {
            let spend = |p: f64| p * h100e_ordered(1e6, p, 20_000.0, elasticity, f64::INFINITY);
            prop_assert!(spend(price + dearer) <= spend(price) * (1.0 + 1e-9));
        }

        /// Shares sum to one and favour better value at equal availability,
        /// and a generation that delivered nothing gets nothing.
        #[test]
        fn shares_sum_to_one_and_favour_value(
            values in proptest::collection::vec((0.0f64..1.0, 0.0f64..1.0), 1..6),
            sharpness in 0.0f64..10.0,
        ) {
            let value: Vec<f64> = values.iter().map(|v| v.0).collect();
            let available: Vec<f64> = values.iter().map(|v| v.1).collect();
            let shares = split_by_value(&value, &available, sharpness);
            let total: f64 = shares.iter().sum();
            prop_assert!(total.abs() < 1e-9 || (total - 1.0).abs() < 1e-9);
            let ones = vec![1.0; value.len()];
            let even = split_by_value(&value, &ones, sharpness);
            for i in 0..value.len() {
                if available[i] == 0.0 {
                    prop_assert!(shares[i].abs() < f64::MIN_POSITIVE);
                }
                for j in 0..value.len() {
                    if value[i] > value[j] {
                        prop_assert!(even[i] >= even[j]);
                    }
                }
            }
        }

        /// More availability never lowers a generation's share.
        #[test]
        fn availability_attracts_orders(
            values in proptest::collection::vec((0.01f64..1.0, 0.0f64..1.0), 2..6),
            more in 0.0f64..1.0, sharpness in 0.0f64..10.0,
        ) {
            let value: Vec<f64> = values.iter().map(|v| v.0).collect();
            let mut available: Vec<f64> = values.iter().map(|v| v.1).collect();
            let before = split_by_value(&value, &available, sharpness)[0];
            available[0] = (available[0] + more).min(1.0);
            let after = split_by_value(&value, &available, sharpness)[0];
            prop_assert!(after >= before - 1e-12);
        }

        /// What a buyer wants grows with its fleet, its growth and what
        /// retired, is never below what retired, and is exactly the
        /// replacement when it wants no growth.
        #[test]
        fn wanted_grows_with_fleet_growth_and_retirement(
            fleet in 0.0f64..1e8, g in -1.0f64..1.0, retired in 0.0f64..1e7, more in 0.0f64..1e6,
        ) {
            let w = wanted_for_own_use(fleet, g, retired);
            prop_assert!(w >= retired);
            prop_assert!(wanted_for_own_use(fleet + more, g, retired) >= w);
            prop_assert!(wanted_for_own_use(fleet, g + more / 1e6, retired) >= w);
            prop_assert!(wanted_for_own_use(fleet, g, retired + more) >= w);
            prop_assert!((wanted_for_own_use(fleet, 0.0, retired) - retired).abs() < 1e-9);
        }

        /// Wanted growth never rises with time and never goes below zero.
        #[test]
        fn wanted_growth_decays(g in 0.0f64..1.0, half_life in 0.1f64..100.0, t in 0u32..400) {
            let now = wanted_growth(g, half_life, t);
            let later = wanted_growth(g, half_life, t + 1);
            prop_assert!(later <= now);
            prop_assert!(later >= 0.0);
        }
    }

    proptest! {
        /// The request covers the shortfall with what is queued, never asks
        /// when the room covers the need, and grows with the need and shrinks
        /// with room and queue.
        #[test]
        fn power_requests_cover_the_shortfall_once(
            needed in 0.0f64..1e4, room in -1e3f64..1e4, queued in 0.0f64..1e4, more in 0.0f64..1e3,
        ) {
            let request = power_to_request(needed, room, queued);
            prop_assert!(request >= 0.0);
            prop_assert!(request + room.max(0.0) + queued >= needed - 1e-9);
            if room >= needed {
                prop_assert!(request.abs() < f64::MIN_POSITIVE);
            }
            prop_assert!(power_to_request(needed + more, room, queued) >= request);
            prop_assert!(power_to_request(needed, room + more, queued) <= request);
            prop_assert!(power_to_request(needed, room, queued + more) <= request);
        }
    }

    proptest! {
        /// An adaptive expectation lies between the previous one and the
        /// observation, rises with the observation, and is the observation
        /// at memory 0 and the previous one at memory 1.
        #[test]
        fn adaptive_expectations_stay_between_and_follow(
            previous in 0.0f64..1e7, observed in 0.0f64..1e7, memory in 0.0f64..1.0, more in 0.0f64..1e6,
        ) {
            let next = adaptive_expectation(previous, observed, memory);
            prop_assert!(next >= previous.min(observed) * (1.0 - 1e-12) - 1e-9);
            prop_assert!(next <= previous.max(observed) * (1.0 + 1e-12) + 1e-9);
            prop_assert!(adaptive_expectation(previous, observed + more, memory) >= next);
            prop_assert!((adaptive_expectation(previous, observed, 0.0) - observed).abs() <= 1e-9);
            prop_assert!((adaptive_expectation(previous, observed, 1.0) - previous).abs() <= 1e-9);
        }

        /// The expectation stays between the previous one and the observation.
        #[test]
        fn expected_fill_moves_towards_what_was_observed(
            previous in 0.0f64..1.0, observed in 0.0f64..1.0, memory in 0.0f64..1.0,
        ) {
            let next = update_expected_fill(previous, observed, memory);
            prop_assert!(next >= previous.min(observed) - 1e-12);
            prop_assert!(next <= previous.max(observed) + 1e-12);
        }
    }

    #[test]
    fn a_buyer_wanting_ten_percent_wants_a_tenth_more_and_its_retirements() {
        assert!((wanted_for_own_use(1000.0, 0.1, 0.0) - 100.0).abs() < 1e-9);
        assert!((wanted_for_own_use(1000.0, 0.1, 50.0) - 150.0).abs() < 1e-9);
        assert!((wanted_for_own_use(1000.0, 0.0, 50.0) - 50.0).abs() < 1e-9);
    }

    #[test]
    fn growth_halves_each_half_life() {
        assert!((wanted_growth(0.2, 8.0, 8) - 0.1).abs() < 1e-12);
        assert!((wanted_growth(0.2, 8.0, 0) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn at_the_reference_price_the_buyer_orders_what_it_wants() {
        assert!((h100e_ordered(1000.0, 20_000.0, 20_000.0, 0.7, 50_000.0) - 1000.0).abs() < 1e-9);
        assert!(h100e_ordered(1000.0, 60_000.0, 20_000.0, 0.7, 50_000.0).abs() < f64::MIN_POSITIVE);
    }

    proptest! {
        #[test]
        fn a_launch_inherits_its_makers_record(
            products in proptest::collection::vec((0u64..1_000_000, 0u64..1_000_000), 0..5),
            more_sold in 0u64..1_000_000,
        ) {
            // Sold never exceeds ordered in a clearing.
            let products: Vec<(u64, u64)> = products.iter().map(|&(a, b)| (a.min(b), b)).collect();
            let fill = launch_expected_fill(&products);
            prop_assert!((0.0..=1.0).contains(&fill));
            if products.iter().all(|p| p.1 == 0) {
                prop_assert!((fill - 1.0).abs() < f64::EPSILON);
            }
            // Delivering more of the same orders never lowers the expectation.
            if let Some(first) = products.first() {
                let mut better = products.clone();
                better[0].0 = (first.0 + more_sold).min(first.1);
                prop_assert!(launch_expected_fill(&better) >= fill);
            }
        }
    }
}
