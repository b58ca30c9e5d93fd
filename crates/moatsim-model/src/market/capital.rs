//! The capital market: one clearing per announced funding round.
//!
//! Rule: a lab announces an amount and the pre-money valuation it asks. Each
//! investor bids an amount and the highest pre-money valuation it accepts.
//! Bids that accept the asked valuation are eligible. The round closes if the
//! eligible amount reaches `min_close_fraction` of the target, in which case
//! it raises `min(target, eligible)` allocated pro rata across eligible bids;
//! otherwise it fails and no money moves.

use crate::AgentId;
use crate::market::allocation::pro_rata_continuous;

#[derive(Debug, Clone, PartialEq)]
pub struct RoundAsk {
    pub lab: AgentId,
    pub amount_usd: f64,
    pub pre_money_usd: f64,
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
    pub eligible_usd: f64,
    pub post_money_usd: f64,
}

pub fn clear_round(ask: &RoundAsk, bids: &[RoundBid]) -> RoundOutcome {
    let eligible: Vec<f64> = bids
        .iter()
        .map(|bid| {
            if bid.max_pre_money_usd >= ask.pre_money_usd {
                bid.amount_usd.max(0.0)
            } else {
                0.0
            }
        })
        .collect();
    let eligible_total: f64 = eligible.iter().sum();
    let closes = ask.amount_usd > 0.0 && eligible_total >= ask.min_close_fraction * ask.amount_usd;
    let allocations = if closes {
        pro_rata_continuous(&eligible, ask.amount_usd)
    } else {
        vec![0.0; bids.len()]
    };
    let raised: f64 = allocations.iter().sum();
    RoundOutcome {
        closed: closes,
        investments: bids
            .iter()
            .zip(allocations)
            .map(|(b, a)| (b.investor, a))
            .collect(),
        raised_usd: raised,
        eligible_usd: eligible_total,
        post_money_usd: ask.pre_money_usd + raised,
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

    proptest! {
        #[test]
        fn money_invested_equals_money_raised_and_never_exceeds_target(
            raw in proptest::collection::vec((0.0f64..20e9, 50e9f64..300e9), 0..8),
            target in 1e9f64..40e9,
        ) {
            let ask = RoundAsk { lab: AgentId(1), amount_usd: target, pre_money_usd: 100e9, min_close_fraction: 0.5 };
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
