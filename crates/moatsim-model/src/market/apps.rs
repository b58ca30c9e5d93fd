//! The application layer: how app builders and labs' own products compete for
//! end users in a segment.
//!
//! Rule (`docs/MODEL.md`, "App builders and the inference market"):
//!
//! - **Price to end users.** A seller's price per million tokens of output is
//!   its token cost plus the share of the surplus per token it keeps,
//!   `r = c + max(0, v − c) × capture`, where `v` is what end users value a
//!   token at. The share kept falls as the segment crowds (a circular-city
//!   reduced form: margin ∝ 1/N at elasticity 1) and as labs' products take
//!   the segment, and rises with specialisation depth:
//!   `capture = generic × (N₀ / N)^κ × (1 − product share) × (1 + depth)`.
//!   Cheaper tokens pass through to end users at the rate `1 − capture`.
//! - **End users' choice between builders' apps and labs' products** is a
//!   logit over capability and log price, with each product's appeal fixed at
//!   launch so that it starts at its configured share.
//! - **Segment demand** grows with adoption and responds to the segment's
//!   mean end-user price.
//! - **Entry** responds to the segment's profit margin: none at or below the
//!   normal margin, more the further above it (free entry), so margins are
//!   competed toward normal returns except where depth protects them.

use crate::market::inference::logit_probabilities;

/// Exponent bound for growth over a run (about 1e13 either way): beyond it the
/// numbers have no economic meaning, and finite output matters more.
const MAX_LOG_FACTOR: f64 = 30.0;

/// Crowding and competition a seller in a segment faces this quarter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crowding {
    /// Share of the surplus a generic builder keeps at the starting crowding.
    pub generic_capture: f64,
    /// Builders in the segment when the run started.
    pub builders_at_start: f64,
    /// Builders in the segment now.
    pub builders_now: f64,
    /// Elasticity of the kept share to the number of builders.
    pub elasticity: f64,
    /// Share of the segment's end users that labs' own products hold.
    pub product_share: f64,
}

/// Share of the surplus per token a seller of specialisation `depth` keeps:
/// `generic × (N₀ / N)^κ × (1 − product share) × (1 + depth)`, within [0, 1].
pub fn capture(crowding: &Crowding, depth: f64) -> f64 {
    capture_at_depth(segment_capture(crowding), depth)
}

/// The part of [`capture`] shared by a segment's builders, computed once per
/// segment and quarter: `generic × (N₀/N)^ε × (1 − product share)`.
pub fn segment_capture(crowding: &Crowding) -> f64 {
    let relative = if crowding.builders_now > 0.0 && crowding.builders_at_start > 0.0 {
        ((crowding.builders_at_start / crowding.builders_now).ln() * crowding.elasticity.max(0.0))
            .clamp(-MAX_LOG_FACTOR, MAX_LOG_FACTOR)
            .exp()
    } else {
        1.0
    };
    crowding.generic_capture.max(0.0) * relative * (1.0 - crowding.product_share.clamp(0.0, 1.0))
}

/// A builder's capture from its segment's [`segment_capture`] and its depth.
pub fn capture_at_depth(segment_capture: f64, depth: f64) -> f64 {
    (segment_capture * (1.0 + depth.clamp(0.0, 1.0))).clamp(0.0, 1.0)
}

/// The price end users pay per million tokens of a seller's output: its token
/// cost plus the part of the surplus it keeps, `c + max(0, v − c) × capture`.
/// A seller whose tokens cost more than end users value them sells at cost.
pub fn end_user_price(token_cost: f64, value: f64, capture: f64) -> f64 {
    let cost = token_cost.max(0.0);
    cost + (value - cost).max(0.0) * capture.clamp(0.0, 1.0)
}

/// End users' value per token relative to when the market's tokens cost
/// `reference`: cheaper tokens are spent more freely per task (longer
/// contexts, more reasoning, agents that retry), so a task's value is spread
/// over more tokens, `(price / reference)^θ`. θ = 0 keeps the value per
/// token fixed; θ = 1 keeps the value per task's spend fixed. Without a
/// positive price or reference the factor is 1.
pub fn token_value_factor(price: f64, reference: f64, elasticity: f64) -> f64 {
    if price > 0.0 && reference > 0.0 && price.is_finite() && reference.is_finite() {
        ((price / reference).ln() * elasticity.max(0.0))
            .clamp(-MAX_LOG_FACTOR, MAX_LOG_FACTOR)
            .exp()
    } else {
        1.0
    }
}

/// End users' utility of a seller: `capability_weight × capability −
/// price_weight × ln(price)` plus its appeal.
pub fn end_user_utility(
    appeal: f64,
    capability: f64,
    price: f64,
    capability_weight: f64,
    price_weight: f64,
) -> f64 {
    appeal + capability_weight * capability - price_weight * price.max(1e-9).ln()
}

/// The appeal that gives a product `share` of a segment against the
/// builders' apps alone, at their utilities this quarter:
/// `ln(share / (1 − share)) + builders − product`.
pub fn launch_appeal(share: f64, builders_utility: f64, product_utility: f64) -> f64 {
    let share = share.clamp(1e-6, 1.0 - 1e-6);
    (share / (1.0 - share)).ln() + builders_utility - product_utility
}

/// End users' shares: the builders' apps first, then each product, by logit.
pub fn segment_shares(builders_utility: f64, product_utilities: &[f64]) -> Vec<f64> {
    let mut utilities = Vec::with_capacity(product_utilities.len() + 1);
    utilities.push(builders_utility);
    utilities.extend_from_slice(product_utilities);
    let mut shares = Vec::with_capacity(utilities.len());
    logit_probabilities(&utilities, &mut shares);
    shares
}

/// End users' shares after a quarter in which only `reconsider` of them
/// choose again (habit, memory, subscriptions): each seller keeps
/// `(1 − reconsider)` of its last share and wins `reconsider` of its logit
/// share, `s = (1 − λ) × previous + λ × target`, normalised so the shares sum
/// to one (a seller that left the segment leaves its end users to the rest).
/// Without a previous share (the first quarter) the target stands.
pub fn adjust_shares(previous: &[f64], target: &[f64], reconsider: f64) -> Vec<f64> {
    let lambda = reconsider.clamp(0.0, 1.0);
    let previous_total: f64 = previous.iter().map(|s| s.max(0.0)).sum();
    if lambda >= 1.0 || previous.len() != target.len() || previous_total <= 0.0 {
        return target.to_vec();
    }
    let mixed: Vec<f64> = previous
        .iter()
        .zip(target)
        .map(|(p, t)| (1.0 - lambda) * p.max(0.0) + lambda * t.max(0.0))
        .collect();
    let total: f64 = mixed.iter().sum();
    if total > 0.0 {
        mixed.iter().map(|m| m / total).collect()
    } else {
        target.to_vec()
    }
}

/// A segment's end-user demand this quarter, millions of tokens:
/// `initial × adoption × (price / reference)^(−elasticity) × shock`, with
/// `adoption_log` the log of demand's growth at constant prices since the
/// start (adoption and tokens per task: `market::demand`).
pub fn segment_demand(
    initial: f64,
    adoption_log: f64,
    price_ratio: f64,
    elasticity: f64,
    shock: f64,
) -> f64 {
    let log = adoption_log - elasticity.max(0.0) * price_ratio.max(1e-9).ln();
    initial.max(0.0) * log.clamp(-MAX_LOG_FACTOR, MAX_LOG_FACTOR).exp() * shock.max(0.0)
}

/// The share of a segment's builders that enter next quarter:
/// `base_rate × (margin − normal) / normal`, from 0 up to three times the
/// base rate. Entry stops when the segment earns no more than a normal margin.
pub fn entry_rate(margin: f64, normal_margin: f64, base_rate: f64) -> f64 {
    if normal_margin <= 0.0 || !margin.is_finite() {
        return 0.0;
    }
    base_rate.max(0.0) * ((margin - normal_margin) / normal_margin).clamp(0.0, 3.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn crowding(builders_now: f64, product_share: f64) -> Crowding {
        Crowding {
            generic_capture: 0.15,
            builders_at_start: 1000.0,
            builders_now,
            elasticity: 1.0,
            product_share,
        }
    }

    proptest! {
        /// More builders or a bigger product share never raise what a builder
        /// keeps; more depth never lowers it; it stays a share.
        #[test]
        fn crowding_and_products_compete_margins_away(
            n in 1.0f64..1e5, more in 0.0f64..1e5, share in 0.0f64..0.9, extra in 0.0f64..0.1,
            depth in 0.0f64..1.0, deeper in 0.0f64..1.0,
        ) {
            let base = capture(&crowding(n, share), depth);
            prop_assert!((0.0..=1.0).contains(&base));
            prop_assert!(capture(&crowding(n + more, share), depth) <= base + 1e-12);
            prop_assert!(capture(&crowding(n, share + extra), depth) <= base + 1e-12);
            prop_assert!(capture(&crowding(n, share), (depth + deeper).min(1.0)) >= base - 1e-12);
        }

        /// Shares that reconsider partly stay shares, lie between last
        /// quarter's and the logit's for every seller (when both sum to one),
        /// and move all the way at λ = 1 and not at all at λ = 0.
        #[test]
        fn end_users_move_part_of_the_way_to_the_logit_shares(
            raw_previous in proptest::collection::vec(0.01f64..1.0, 2..6),
            raw_target in proptest::collection::vec(0.01f64..1.0, 6),
            lambda in 0.0f64..1.0,
        ) {
            let n = raw_previous.len();
            let norm = |v: &[f64]| {
                let t: f64 = v.iter().sum();
                v.iter().map(|x| x / t).collect::<Vec<f64>>()
            };
            let previous = norm(&raw_previous);
            let target = norm(&raw_target[..n]);
            let shares = adjust_shares(&previous, &target, lambda);
            prop_assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            for ((s, p), t) in shares.iter().zip(&previous).zip(&target) {
                prop_assert!(*s >= p.min(*t) - 1e-9 && *s <= p.max(*t) + 1e-9);
            }
            let all = adjust_shares(&previous, &target, 1.0);
            let none = adjust_shares(&previous, &target, 0.0);
            for i in 0..n {
                prop_assert!((all[i] - target[i]).abs() < 1e-9);
                prop_assert!((none[i] - previous[i]).abs() < 1e-9);
            }
            // No history: the logit's shares.
            prop_assert_eq!(adjust_shares(&vec![0.0; n], &target, lambda), target);
        }

        /// The value factor is 1 at the reference and with θ = 0, never
        /// negative, rises with the price, and with θ ≤ 1 a cheaper token
        /// never lowers a task's value per dollar of tokens (factor / price).
        #[test]
        fn value_per_token_falls_with_the_token_price(
            reference in 0.01f64..100.0, price in 0.01f64..100.0, cheaper in 0.0f64..0.99,
            theta in 0.0f64..1.0,
        ) {
            prop_assert!((token_value_factor(reference, reference, theta) - 1.0).abs() < 1e-12);
            prop_assert!((token_value_factor(price, reference, 0.0) - 1.0).abs() < 1e-12);
            let at = token_value_factor(price, reference, theta);
            let low = price * (1.0 - cheaper);
            let below = token_value_factor(low, reference, theta);
            prop_assert!(at > 0.0 && below > 0.0);
            prop_assert!(below <= at + 1e-12);
            prop_assert!(below / low >= at / price - 1e-9 * (at / price));
        }

        /// The end-user price lies between the token cost and the value (when
        /// the value is above cost), and passes a cheaper token on at the rate
        /// `1 − capture`: it falls, but by no more than the token did.
        #[test]
        fn end_user_prices_clear_between_cost_and_value(
            cost in 0.01f64..50.0, cut in 0.0f64..1.0, value in 0.01f64..100.0, kept in 0.0f64..1.0,
        ) {
            let price = end_user_price(cost, value, kept);
            prop_assert!(price >= cost - 1e-12);
            prop_assert!(price <= cost.max(value) + 1e-12);
            let cheaper = end_user_price(cost * (1.0 - cut), value, kept);
            prop_assert!(cheaper <= price + 1e-12);
            prop_assert!(price - cheaper <= cost * cut + 1e-9);
        }

        /// A launch appeal gives the product exactly its share against the builders.
        #[test]
        fn a_product_launches_at_its_share(
            share in 0.01f64..0.95, builders in -10.0f64..10.0, product in -10.0f64..10.0,
        ) {
            let appeal = launch_appeal(share, builders, product);
            let shares = segment_shares(builders, &[product + appeal]);
            prop_assert!((shares[1] - share).abs() < 1e-9);
            prop_assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }

        /// Demand falls with price and rises with adoption.
        #[test]
        fn segment_demand_falls_with_price_and_grows_with_adoption(
            ratio in 0.1f64..10.0, up in 0.0f64..5.0, log in -5.0f64..5.0, more in 0.0f64..5.0,
        ) {
            let base = segment_demand(1e6, log, ratio, 0.6, 1.0);
            prop_assert!(segment_demand(1e6, log, ratio + up, 0.6, 1.0) <= base + 1e-6);
            prop_assert!(segment_demand(1e6, log + more, ratio, 0.6, 1.0) >= base);
            prop_assert!(base.is_finite());
        }

        /// Entry is zero at or below a normal margin and rises with the margin.
        #[test]
        fn entry_follows_profit(margin in -1.0f64..1.0, more in 0.0f64..1.0) {
            let rate = entry_rate(margin, 0.1, 0.04);
            prop_assert!((0.0..=0.12 + 1e-12).contains(&rate));
            prop_assert!(entry_rate(margin + more, 0.1, 0.04) >= rate);
            if margin <= 0.1 {
                prop_assert!(rate == 0.0);
            }
        }
    }
}
