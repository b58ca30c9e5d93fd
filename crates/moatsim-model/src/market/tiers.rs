//! Two tiers of inference (model brief, principle 7): the frontier, where
//! labs sell their best model at a markup its lead justifies, and the
//! commodity tier, a capability several labs and open-weight models can
//! serve, competed toward the cost of new capacity.
//!
//! Rule (`docs/MODEL.md`, "Tiers of inference"):
//!
//! - The commodity capability is the frontier's of `lag` quarters ago.
//! - Token demand at each tier has its own constant price elasticity:
//!   `D_k ∝ s_k × (p_k / p_k0)^(−ε_k)`, with `s_k` the tier's share of tokens
//!   at the start. The commodity tier is elastic (`ε_c > 1`: cheaper tokens
//!   raise spending), the frontier less so (capability matters more than
//!   price). The market's price response is the sum over tiers, and the
//!   commodity share of tokens is its term over the sum.
//! - A lab serves both tiers from one fleet: its tokens per H100e are the
//!   harmonic mix of the tiers' (`1 / (σ / m_c + (1 − σ) / m_f)`), and its
//!   price and cost per token the arithmetic mix.

use crate::market::demand::price_response;

/// The commodity capability at `tick`: the frontier's capability `lag`
/// quarters earlier, from `history` (the frontier's capability by quarter,
/// `history[t]` for quarter `t`). Before the run started it is the first
/// quarter's frontier less `gap_at_start`, closing linearly to the first
/// recorded quarter as the lag is used up.
pub fn commodity_capability(history: &[f64], tick: u32, lag: u32, gap_at_start: f64) -> f64 {
    let Some(&first) = history.first() else {
        return 0.0;
    };
    if lag == 0 {
        return history
            .get(tick as usize)
            .or(history.last())
            .copied()
            .unwrap_or(first);
    }
    if tick >= lag {
        let at = (tick - lag) as usize;
        return history.get(at).or(history.last()).copied().unwrap_or(first);
    }
    // Quarters before the start: the gap closes as the run reaches them.
    let before = f64::from(lag - tick) / f64::from(lag);
    first - gap_at_start.max(0.0) * before
}

/// How a tier's demand answers its price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TierDemand {
    /// The commodity tier's share of tokens at the start.
    pub commodity_share_at_start: f64,
    /// `ε_c`: the commodity tier's price elasticity.
    pub commodity_elasticity: f64,
    /// `ε_f`: the frontier's price elasticity.
    pub frontier_elasticity: f64,
}

impl TierDemand {
    /// The two tiers' demands relative to the market's at the start:
    /// `(s_c (p_c/p_c0)^(−ε_c), (1 − s_c)(p_f/p_f0)^(−ε_f))`.
    pub fn demands(&self, commodity_ratio: f64, frontier_ratio: f64) -> (f64, f64) {
        let s = self.commodity_share_at_start.clamp(0.0, 1.0);
        (
            s * price_response(commodity_ratio, self.commodity_elasticity),
            (1.0 - s) * price_response(frontier_ratio, self.frontier_elasticity),
        )
    }

    /// The market's tokens relative to the start at these price ratios.
    pub fn response(&self, commodity_ratio: f64, frontier_ratio: f64) -> f64 {
        let (c, f) = self.demands(commodity_ratio, frontier_ratio);
        c + f
    }

    /// The commodity tier's share of tokens at these price ratios.
    pub fn commodity_share(&self, commodity_ratio: f64, frontier_ratio: f64) -> f64 {
        let (c, f) = self.demands(commodity_ratio, frontier_ratio);
        if c + f > 0.0 { c / (c + f) } else { 0.0 }
    }
}

/// Tokens one H100e serves when a share `σ` of them is at the commodity
/// tier (`commodity` per H100e) and the rest at the frontier (`frontier`):
/// the harmonic mix, as one fleet serves both.
pub fn blended_mtok_per_h100e(commodity: f64, frontier: f64, share: f64) -> f64 {
    let share = share.clamp(0.0, 1.0);
    let h100e_per_mtok = share / commodity.max(1e-12) + (1.0 - share) / frontier.max(1e-12);
    1.0 / h100e_per_mtok
}

/// A price or cost per token over a mix with a share `σ` at the commodity
/// tier.
pub fn blended(commodity: f64, frontier: f64, share: f64) -> f64 {
    let share = share.clamp(0.0, 1.0);
    share * commodity + (1.0 - share) * frontier
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn demand(share: f64, eps_c: f64, eps_f: f64) -> TierDemand {
        TierDemand {
            commodity_share_at_start: share,
            commodity_elasticity: eps_c,
            frontier_elasticity: eps_f,
        }
    }

    proptest! {
        /// At the start's prices the response is one and the share is the
        /// start's; a cheaper commodity tier raises its share and the
        /// market's tokens; a cheaper frontier lowers the commodity share.
        #[test]
        fn cheaper_tiers_win_tokens(
            share in 0.01f64..0.99, eps_c in 0.0f64..3.0, eps_f in 0.0f64..3.0,
            pc in 0.01f64..2.0, pf in 0.01f64..2.0, cut in 0.01f64..0.99,
        ) {
            let d = demand(share, eps_c, eps_f);
            prop_assert!((d.response(1.0, 1.0) - 1.0).abs() < 1e-12);
            prop_assert!((d.commodity_share(1.0, 1.0) - share).abs() < 1e-12);
            let base = d.commodity_share(pc, pf);
            prop_assert!((0.0..=1.0).contains(&base));
            prop_assert!(d.commodity_share(pc * cut, pf) >= base - 1e-12);
            prop_assert!(d.commodity_share(pc, pf * cut) <= base + 1e-12);
            prop_assert!(d.response(pc * cut, pf) >= d.response(pc, pf) - 1e-12);
            prop_assert!(d.response(pc, pf * cut) >= d.response(pc, pf) - 1e-12);
        }

        /// Spending at the commodity tier rises as its price falls exactly
        /// when it is elastic (Jevons).
        #[test]
        fn an_elastic_commodity_tier_spends_more_as_it_gets_cheaper(
            share in 0.01f64..0.99, eps_c in 0.0f64..3.0, pc in 0.05f64..1.0,
        ) {
            let d = demand(share, eps_c, 0.5);
            let (c, _) = d.demands(pc, 1.0);
            let spending = pc * c / share;
            if eps_c > 1.0 + 1e-9 {
                prop_assert!(spending >= 1.0 - 1e-9);
            } else if eps_c < 1.0 - 1e-9 {
                prop_assert!(spending <= 1.0 + 1e-9);
            }
        }

        /// One fleet serving both tiers: the mix serves between the two
        /// tiers' tokens per H100e, more as the cheaper tier's share rises,
        /// and the H100e it takes add up tier by tier (conservation).
        #[test]
        fn a_fleet_serves_the_harmonic_mix(
            mc in 1.0f64..1e5, mf in 1.0f64..1e5, share in 0.0f64..1.0, tokens in 1.0f64..1e9,
        ) {
            let m = blended_mtok_per_h100e(mc, mf, share);
            prop_assert!(m >= mc.min(mf) * (1.0 - 1e-9) && m <= mc.max(mf) * (1.0 + 1e-9));
            let h100e = tokens / m;
            let by_tier = tokens * share / mc + tokens * (1.0 - share) / mf;
            prop_assert!((h100e / by_tier - 1.0).abs() < 1e-9);
            let more = (share + 0.1).min(1.0);
            let m_more = blended_mtok_per_h100e(mc, mf, more);
            if mc >= mf {
                prop_assert!(m_more >= m * (1.0 - 1e-12));
            } else {
                prop_assert!(m_more <= m * (1.0 + 1e-12));
            }
        }

        /// The commodity capability never runs ahead of the frontier it
        /// lags, and never falls as the frontier rises.
        #[test]
        fn the_commodity_tier_lags_the_frontier(
            steps in proptest::collection::vec(0.0f64..0.3, 1..24), lag in 0u32..8, gap in 0.0f64..1.0,
        ) {
            let mut history = vec![1.0];
            let mut frontier = 1.0;
            for s in &steps {
                frontier += s;
                history.push(frontier);
            }
            let mut last = f64::NEG_INFINITY;
            for tick in 0..history.len() as u32 {
                let c = commodity_capability(&history, tick, lag, gap);
                prop_assert!(c <= history[tick as usize] + 1e-12);
                prop_assert!(c >= last - 1e-12);
                last = c;
            }
        }
    }

    #[test]
    fn the_commodity_capability_is_the_frontier_a_lag_ago() {
        let history = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5];
        // Exactly the recorded quarter, not a computed value.
        assert_eq!(
            commodity_capability(&history, 5, 4, 0.4).to_bits(),
            1.1_f64.to_bits()
        );
        assert!((commodity_capability(&history, 0, 4, 0.4) - 0.6).abs() < 1e-12);
        assert!((commodity_capability(&history, 2, 4, 0.4) - 0.8).abs() < 1e-12);
        assert_eq!(
            commodity_capability(&history, 4, 4, 0.4).to_bits(),
            1.0_f64.to_bits()
        );
    }
}
