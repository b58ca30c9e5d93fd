//! The capital market: one clearing per announced funding round.
//!
//! Rule: a lab announces an amount, the pre-money valuation it asks and the
//! lowest pre-money it will accept (a down round). Each investor bids an amount
//! and the highest pre-money valuation it accepts. The round prices at the
//! highest valuation between the floor and the ask at which the bids that accept
//! it reach `min_close_fraction` of the target (a descending auction on
//! valuation); it then raises `min(target, eligible)` allocated pro rata across
//! those bids. If no valuation down to the floor gathers enough, it fails and no
//! money moves.

use crate::AgentId;
use crate::market::allocation::pro_rata_continuous;

#[derive(Debug, Clone, PartialEq)]
pub struct RoundAsk {
    pub lab: AgentId,
    pub amount_usd: f64,
    pub pre_money_usd: f64,
    /// The lowest pre-money the lab accepts; equal to `pre_money_usd` for a
    /// round on fixed terms.
    pub min_pre_money_usd: f64,
    /// Share of the target that must be committed for the round to close.
    pub min_close_fraction: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoundBid {
    pub investor: AgentId,
    pub amount_usd: f64,
    pub max_pre_money_usd: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoundOutcome {
    pub closed: bool,
    /// Amount invested per bid, in the order of the bids passed in.
    pub investments: Vec<(AgentId, f64)>,
    pub raised_usd: f64,
    /// Bids accepting the valuation the round priced at (or the ask, if it failed).
    pub eligible_usd: f64,
    /// The valuation the round priced at: the ask, or lower in a down round.
    pub pre_money_usd: f64,
    pub post_money_usd: f64,
}

pub fn clear_round(ask: &RoundAsk, bids: &[RoundBid]) -> RoundOutcome {
    let eligible_at = |pre_money: f64| -> Vec<f64> {
        bids.iter()
            .map(|bid| {
                if bid.max_pre_money_usd >= pre_money {
                    bid.amount_usd.max(0.0)
                } else {
                    0.0
                }
            })
            .collect()
    };
    let needed = ask.min_close_fraction * ask.amount_usd;
    // Candidate valuations: the ask, then every bid's cap inside [floor, ask],
    // highest first. Eligible money only grows as the valuation falls, so the
    // first candidate that gathers enough is the highest valuation that closes.
    let floor = ask.min_pre_money_usd.min(ask.pre_money_usd);
    let mut candidates: Vec<f64> = bids
        .iter()
        .map(|b| b.max_pre_money_usd)
        .filter(|&v| v.is_finite() && v < ask.pre_money_usd && v >= floor)
        .collect();
    candidates.sort_by(|a, b| b.total_cmp(a));
    candidates.insert(0, ask.pre_money_usd);
    let priced = candidates.into_iter().find(|&v| {
        let total: f64 = eligible_at(v).iter().sum();
        ask.amount_usd > 0.0 && total >= needed
    });
    let pre_money = priced.unwrap_or(ask.pre_money_usd);
    let eligible = eligible_at(pre_money);
    let eligible_total: f64 = eligible.iter().sum();
    let allocations = if priced.is_some() {
        pro_rata_continuous(&eligible, ask.amount_usd)
    } else {
        vec![0.0; bids.len()]
    };
    let raised: f64 = allocations.iter().sum();
    RoundOutcome {
        closed: priced.is_some(),
        investments: bids
            .iter()
            .zip(allocations)
            .map(|(b, a)| (b.investor, a))
            .collect(),
        raised_usd: raised,
        eligible_usd: eligible_total,
        pre_money_usd: pre_money,
        post_money_usd: pre_money + raised,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_round_below_the_close_threshold_fails_and_moves_nothing() {
        let ask = RoundAsk {
            lab: AgentId(1),
            amount_usd: 10e9,
            pre_money_usd: 100e9,
            min_pre_money_usd: 100e9,
            min_close_fraction: 0.6,
        };
        let bids = [RoundBid {
            investor: AgentId(2),
            amount_usd: 5e9,
            max_pre_money_usd: 200e9,
        }];
        let outcome = clear_round(&ask, &bids);
        assert!(!outcome.closed);
        assert!(outcome.raised_usd.abs() < f64::EPSILON);
    }

    #[test]
    fn an_oversubscribed_round_raises_exactly_its_target() {
        let ask = RoundAsk {
            lab: AgentId(1),
            amount_usd: 10e9,
            pre_money_usd: 100e9,
            min_pre_money_usd: 100e9,
            min_close_fraction: 0.6,
        };
        let bids = [
            RoundBid {
                investor: AgentId(2),
                amount_usd: 8e9,
                max_pre_money_usd: 120e9,
            },
            RoundBid {
                investor: AgentId(3),
                amount_usd: 8e9,
                max_pre_money_usd: 150e9,
            },
            RoundBid {
                investor: AgentId(4),
                amount_usd: 8e9,
                max_pre_money_usd: 90e9,
            },
        ];
        let outcome = clear_round(&ask, &bids);
        assert!(outcome.closed);
        assert!((outcome.raised_usd - 10e9).abs() < 1.0);
        assert!(
            outcome.investments[2].1.abs() < f64::EPSILON,
            "valuation cap below the ask"
        );
    }

    #[test]
    fn a_round_short_at_its_ask_closes_as_a_down_round() {
        let ask = RoundAsk {
            lab: AgentId(1),
            amount_usd: 10e9,
            pre_money_usd: 100e9,
            min_pre_money_usd: 50e9,
            min_close_fraction: 0.5,
        };
        let bids = [
            RoundBid {
                investor: AgentId(2),
                amount_usd: 3e9,
                max_pre_money_usd: 120e9,
            },
            RoundBid {
                investor: AgentId(3),
                amount_usd: 3e9,
                max_pre_money_usd: 80e9,
            },
            RoundBid {
                investor: AgentId(4),
                amount_usd: 9e9,
                max_pre_money_usd: 40e9,
            },
        ];
        let outcome = clear_round(&ask, &bids);
        assert!(outcome.closed);
        // 3B accept 100B (short of 5B); 6B accept 80B; the 40B cap is below the floor.
        assert!((outcome.pre_money_usd - 80e9).abs() < 1.0);
        assert!((outcome.raised_usd - 6e9).abs() < 1.0);
        assert!(outcome.investments[2].1.abs() < f64::EPSILON);
    }

    proptest! {
        #[test]
        fn a_round_prices_at_the_highest_valuation_that_closes(
            raw in proptest::collection::vec((0.0f64..20e9, 20e9f64..300e9), 0..8),
            target in 1e9f64..40e9,
            floor in 20e9f64..100e9,
        ) {
            let ask = RoundAsk { lab: AgentId(1), amount_usd: target, pre_money_usd: 100e9, min_pre_money_usd: floor, min_close_fraction: 0.5 };
            let bids: Vec<RoundBid> = raw.iter().enumerate().map(|(i, &(a, v))| RoundBid {
                investor: AgentId(10 + i as u64), amount_usd: a, max_pre_money_usd: v,
            }).collect();
            let outcome = clear_round(&ask, &bids);
            let accepting = |v: f64| -> f64 {
                bids.iter().filter(|b| b.max_pre_money_usd >= v).map(|b| b.amount_usd).sum()
            };
            if outcome.closed {
                prop_assert!(outcome.pre_money_usd <= 100e9 && outcome.pre_money_usd >= floor);
                prop_assert!(accepting(outcome.pre_money_usd) >= 0.5 * target);
                // No higher valuation a bidder named would also have closed.
                for b in &bids {
                    let v = b.max_pre_money_usd;
                    if v > outcome.pre_money_usd && v <= 100e9 {
                        prop_assert!(accepting(v) < 0.5 * target);
                    }
                }
            } else {
                prop_assert!(accepting(floor) < 0.5 * target);
                prop_assert!(outcome.raised_usd.abs() < f64::EPSILON);
            }
        }

        #[test]
        fn money_invested_equals_money_raised_and_never_exceeds_target(
            raw in proptest::collection::vec((0.0f64..20e9, 50e9f64..300e9), 0..8),
            target in 1e9f64..40e9,
            floor in 40e9f64..100e9,
        ) {
            let ask = RoundAsk { lab: AgentId(1), amount_usd: target, pre_money_usd: 100e9, min_pre_money_usd: floor, min_close_fraction: 0.5 };
            let bids: Vec<RoundBid> = raw.iter().enumerate().map(|(i, &(a, v))| RoundBid {
                investor: AgentId(10 + i as u64), amount_usd: a, max_pre_money_usd: v,
            }).collect();
            let outcome = clear_round(&ask, &bids);
            let invested: f64 = outcome.investments.iter().map(|i| i.1).sum();
            prop_assert!((invested - outcome.raised_usd).abs() <= 1e-6 * (1.0 + invested));
            prop_assert!(outcome.raised_usd <= target * (1.0 + 1e-12));
            for ((_, amount), bid) in outcome.investments.iter().zip(&bids) {
                prop_assert!(*amount <= bid.amount_usd * (1.0 + 1e-12));
            }
        }
    }
}
