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
//!
//! Investors' caps come from `max_post_money`: the lab's run-rate grown at its
//! expected growth (`expected_yearly_growth`: a prior updated with the lab's
//! record; the excess over 1 fading each year) and sold at the investor's exit multiple,
//! discounted at the return it requires. A lab without revenue gets no bid.

use crate::AgentId;
use crate::market::allocation::pro_rata_continuous;
use crate::units::QUARTERS_PER_YEAR;

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
    /// The highest pre-money valuation any bid accepts (0 without bids): the
    /// price the market showed, which a lab whose round failed marks itself to.
    pub best_bid_pre_money_usd: f64,
}

/// How an investor values a lab: what its revenue could be worth at exit,
/// discounted at the return the investor requires.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValuationView {
    /// Multiple of revenue the investor expects to sell at.
    pub exit_multiple: f64,
    /// Yearly return it requires.
    pub return_target: f64,
    /// Years to exit.
    pub horizon_years: f64,
    /// Share of a year's excess growth that carries into the next year.
    pub growth_fade: f64,
    /// Most yearly revenue growth (as a factor) it extrapolates.
    pub max_growth: f64,
}

/// The multiple of run-rate revenue at which a round still returns the
/// investor's target: `exit_multiple × Π_y (1 + (G − 1) × fade^y) /
/// (1 + return_target)^horizon`, where `G` is the lab's yearly revenue growth
/// bounded to `[1, max_growth]` and the product runs over the horizon's years
/// `y = 0, 1, …` (the last one pro rata). A lab that shrinks is valued as one
/// that stands still: investors refuse it through its revenue, not its growth.
pub fn run_rate_multiple(yearly_growth: f64, view: &ValuationView) -> f64 {
    let growth = if yearly_growth.is_finite() {
        yearly_growth.clamp(1.0, view.max_growth.max(1.0))
    } else {
        1.0
    };
    let horizon = view.horizon_years.max(0.0);
    let mut factor = 1.0;
    let mut year = 0.0;
    while year < horizon {
        let span = (horizon - year).min(1.0);
        let this_year = 1.0 + (growth - 1.0) * view.growth_fade.clamp(0.0, 1.0).powf(year);
        factor *= this_year.powf(span);
        year += 1.0;
    }
    view.exit_multiple.max(0.0) * factor / (1.0 + view.return_target.max(0.0)).powf(horizon)
}

/// The highest multiple of run-rate any lab can be valued at under `view`: the
/// multiple at the most growth investors extrapolate. Round valuations are
/// bounded by it (the plausibility tests read it).
pub fn max_run_rate_multiple(view: &ValuationView) -> f64 {
    run_rate_multiple(view.max_growth, view)
}

/// The highest post-money valuation at which a round can still return the
/// investor's target: run-rate × [`run_rate_multiple`]. A lab without revenue
/// has no value to an investor: the rule refuses rounds that cannot return
/// the target rather than pricing them at a floor.
pub fn max_post_money(run_rate_usd: f64, yearly_growth: f64, view: &ValuationView) -> f64 {
    if run_rate_usd.is_nan() || run_rate_usd <= 0.0 {
        return 0.0;
    }
    run_rate_usd * run_rate_multiple(yearly_growth, view)
}

/// The yearly growth investors expect of a lab: their prior (the consensus
/// forecast they start from) updated with the growth the lab has shown, in
/// logs, with the evidence weighted `n / (n + n₀)` for `n` quarters of history
/// and `n₀ = prior_weight_quarters`. A lab with no history is priced on the
/// prior; one with a long record on its record.
pub fn expected_yearly_growth(
    trailing_growth: f64,
    history_quarters: usize,
    prior_growth: f64,
    prior_weight_quarters: f64,
) -> f64 {
    let n = history_quarters as f64;
    let weight = if n > 0.0 {
        n / (n + prior_weight_quarters.max(0.0))
    } else {
        0.0
    };
    let log = |g: f64| {
        if g.is_finite() && g > 0.0 {
            g.ln()
        } else {
            0.0
        }
    };
    (weight * log(trailing_growth) + (1.0 - weight) * log(prior_growth)).exp()
}

/// A lab's yearly revenue growth, as a factor, read from its revenue history
/// (oldest first): the last `k` quarters against the `k` before them, with
/// `k = min(4, len / 2)`, annualised. Comparing sums of quarters, not two single
/// quarters, keeps one noisy quarter from repricing a lab. Without two quarters
/// of positive revenue to compare the growth is 1 (no evidence of any).
pub fn trailing_yearly_growth(history: &[f64]) -> f64 {
    let k = (history.len() / 2).min(4);
    if k == 0 {
        return 1.0;
    }
    let recent = &history[history.len() - k..];
    let before = &history[history.len() - 2 * k..history.len() - k];
    let (now, then): (f64, f64) = (recent.iter().sum(), before.iter().sum());
    if now.is_nan() || then.is_nan() || now <= 0.0 || then <= 0.0 {
        return 1.0;
    }
    (now / then).powf(QUARTERS_PER_YEAR / k as f64)
}

/// A lab that may buy a failed lab's fleet and sites.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bidder {
    pub lab: AgentId,
    pub cash_usd: f64,
    /// Barred from buying (another jurisdiction, or a market leader under
    /// antitrust review).
    pub barred: bool,
}

/// Who buys a failed lab's assets at `price_usd`: the richest lab that may
/// buy and can pay in cash (lowest id on a tie), or nobody. The assets of a
/// failed lab go to whoever can put them to use soonest, and in a distressed
/// sale that is whoever has the cash (Microsoft–Inflection, Google–Character,
/// Amazon–Adept were all cash deals by the richest players).
pub fn choose_acquirer(price_usd: f64, bidders: &[Bidder]) -> Option<AgentId> {
    bidders
        .iter()
        .filter(|b| !b.barred && b.cash_usd >= price_usd && b.cash_usd > 0.0)
        .max_by(|a, b| a.cash_usd.total_cmp(&b.cash_usd).then(b.lab.cmp(&a.lab)))
        .map(|b| b.lab)
}

/// Project finance of a hall: the fund that pays for it (the richest
/// infrastructure fund with the cash for the whole hall, as
/// [`choose_acquirer`]), or nobody when the lab's yearly hall leases with this
/// one would exceed `coverage` of its revenue run-rate — funds lend against
/// the tenant's revenue.
pub fn choose_financier(
    hall_cost_usd: f64,
    lease_rate: f64,
    yearly_leases_usd: f64,
    run_rate_usd: f64,
    coverage: f64,
    funds: &[Bidder],
) -> Option<AgentId> {
    let leases = yearly_leases_usd.max(0.0) + hall_cost_usd.max(0.0) * lease_rate.max(0.0);
    if hall_cost_usd <= 0.0 || run_rate_usd.is_nan() || leases > coverage * run_rate_usd {
        return None;
    }
    choose_acquirer(hall_cost_usd, funds)
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
        best_bid_pre_money_usd: bids
            .iter()
            .filter(|b| b.amount_usd > 0.0)
            .map(|b| b.max_pre_money_usd)
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn view() -> ValuationView {
        ValuationView {
            exit_multiple: 15.0,
            return_target: 0.3,
            horizon_years: 4.0,
            growth_fade: 0.5,
            max_growth: 3.0,
        }
    }

    #[test]
    fn a_lab_without_revenue_gets_no_valuation() {
        assert!((max_post_money(0.0, 3.0, &view()) - 0.0).abs() < 1e-12);
        assert!((max_post_money(f64::NAN, 3.0, &view()) - 0.0).abs() < 1e-12);
        // A lab that has stopped growing is worth its exit multiple, discounted.
        let flat = max_post_money(1.0, 1.0, &view());
        assert!((flat - 15.0 / 1.3f64.powi(4)).abs() < 1e-9);
    }

    #[test]
    fn growth_read_from_history_compares_sums_of_quarters() {
        assert!((trailing_yearly_growth(&[]) - 1.0).abs() < 1e-12);
        assert!((trailing_yearly_growth(&[5.0]) - 1.0).abs() < 1e-12);
        // Two quarters: one quarter's growth, annualised.
        assert!((trailing_yearly_growth(&[1.0, 1.1]) - 1.1f64.powi(4)).abs() < 1e-12);
        // Eight quarters: the last year's revenue over the year before.
        let doubled = [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0];
        assert!((trailing_yearly_growth(&doubled) - 2.0).abs() < 1e-12);
        // One zero quarter is no evidence of growth either way.
        assert!((trailing_yearly_growth(&[0.0, 3.0]) - 1.0).abs() < 1e-12);
        // No record: the prior alone.
        assert!((expected_yearly_growth(5.0, 0, 2.5, 8.0) - 2.5).abs() < 1e-12);
        // As many quarters of record as the prior is worth: the geometric mean.
        assert!((expected_yearly_growth(4.0, 8, 1.0, 8.0) - 2.0).abs() < 1e-12);
    }

    proptest! {
        /// Valuations rise with revenue and growth, fall with the required
        /// return, and never exceed the documented multiple of run-rate.
        #[test]
        fn valuations_follow_revenue_growth_and_the_return_target(
            run_rate in 0.0f64..1e11, more in 0.0f64..1e11, growth in 0.0f64..10.0,
            faster in 0.0f64..5.0, harder in 0.0f64..1.0, longer in 0.0f64..4.0,
        ) {
            let v = view();
            let base = max_post_money(run_rate, growth, &v);
            prop_assert!(base >= 0.0 && base.is_finite());
            prop_assert!(max_post_money(run_rate + more, growth, &v) >= base);
            prop_assert!(max_post_money(run_rate, growth + faster, &v) >= base);
            let strict = ValuationView { return_target: v.return_target + harder, ..v };
            prop_assert!(max_post_money(run_rate, growth, &strict) <= base);
            prop_assert!(base <= run_rate * max_run_rate_multiple(&v) * (1.0 + 1e-12));
            // A longer wait for the exit never helps a lab growing slower than
            // the investor's required return.
            if growth <= 1.0 + v.return_target {
                let patient = ValuationView { horizon_years: v.horizon_years + longer, ..v };
                prop_assert!(max_post_money(run_rate, growth, &patient) <= base * (1.0 + 1e-12));
            }
        }

        /// Expected growth lies between the prior and the record, and moves
        /// towards the record as the record lengthens.
        #[test]
        fn expected_growth_learns_from_the_record(
            trailing in 0.2f64..8.0, prior in 0.5f64..4.0, n in 0usize..12, n0 in 0.0f64..16.0,
        ) {
            let g = expected_yearly_growth(trailing, n, prior, n0);
            let (lo, hi) = (trailing.min(prior), trailing.max(prior));
            prop_assert!(g >= lo * (1.0 - 1e-12) && g <= hi * (1.0 + 1e-12));
            let later = expected_yearly_growth(trailing, n + 1, prior, n0);
            prop_assert!((later - trailing).abs() <= (g - trailing).abs() * (1.0 + 1e-12) + 1e-12);
            prop_assert!(expected_yearly_growth(trailing * 1.1, n, prior, n0) >= g * (1.0 - 1e-12));
        }

        /// Growth read from a history scales out: multiplying every quarter by
        /// the same amount leaves it unchanged, and a history that only grows
        /// reads as growth of at least 1.
        #[test]
        fn trailing_growth_is_scale_free(
            history in proptest::collection::vec(0.1f64..100.0, 0..10), scale in 0.01f64..100.0,
        ) {
            let g = trailing_yearly_growth(&history);
            let scaled: Vec<f64> = history.iter().map(|x| x * scale).collect();
            prop_assert!((trailing_yearly_growth(&scaled) - g).abs() <= 1e-9 * g.max(1.0));
            let mut rising = history.clone();
            rising.sort_by(f64::total_cmp);
            prop_assert!(trailing_yearly_growth(&rising) >= 1.0 - 1e-12);
        }
    }

    proptest! {
        /// The acquirer can pay, may buy, and no other such lab is richer.
        #[test]
        fn the_richest_lab_that_can_pay_acquires(
            raw in proptest::collection::vec((0.0f64..1e11, any::<bool>()), 0..8),
            price in 0.0f64..5e10,
        ) {
            let bidders: Vec<Bidder> = raw.iter().enumerate().map(|(i, &(cash, barred))| Bidder {
                lab: AgentId(i as u64 + 1), cash_usd: cash, barred,
            }).collect();
            let able = |b: &&Bidder| !b.barred && b.cash_usd >= price && b.cash_usd > 0.0;
            match choose_acquirer(price, &bidders) {
                Some(id) => {
                    let chosen = bidders.iter().find(|b| b.lab == id).expect("the acquirer is a bidder");
                    prop_assert!(able(&chosen));
                    prop_assert!(bidders.iter().filter(able).all(|b| b.cash_usd <= chosen.cash_usd));
                }
                None => prop_assert!(bidders.iter().filter(able).count() == 0),
            }
        }
    }

    proptest! {
        /// More revenue never loses a hall its financing; a bigger hall or
        /// more leases already never win it; a financed hall is covered.
        #[test]
        fn halls_are_financed_against_the_tenants_revenue(
            cost in 1.0f64..2e10, leases in 0.0f64..1e10, run_rate in 0.0f64..1e11,
            more in 0.0f64..1e10, cash in 0.0f64..5e10,
        ) {
            let funds = [Bidder { lab: AgentId(9), cash_usd: cash, barred: false }];
            let financed = choose_financier(cost, 0.11, leases, run_rate, 0.5, &funds).is_some();
            if financed {
                prop_assert!(leases + cost * 0.11 <= 0.5 * run_rate && cash >= cost);
                prop_assert!(choose_financier(cost, 0.11, leases, run_rate + more, 0.5, &funds).is_some());
            }
            if !financed && cash >= cost + more {
                prop_assert!(choose_financier(cost + more, 0.11, leases, run_rate, 0.5, &funds).is_none());
                prop_assert!(choose_financier(cost, 0.11, leases + more, run_rate, 0.5, &funds).is_none());
            }
        }
    }

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
