//! The land market: one clearing per region per quarter.
//!
//! Rule: a region's unsold, zoned acres are offered at a posted price per acre
//! that rises with scarcity (see [`crate::rules::land_price_per_acre`]). Bids
//! whose limit covers the price are eligible; if they ask for more acres than
//! are available, acres are rationed pro rata. Land is divisible.

use crate::AgentId;
use crate::market::allocation::pro_rata_continuous;

#[derive(Debug, Clone, PartialEq)]
pub struct LandOffer {
    pub available_acres: f64,
    pub price_per_acre_usd: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LandBid {
    pub buyer: AgentId,
    pub acres: f64,
    pub limit_per_acre_usd: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LandFill {
    pub buyer: AgentId,
    pub acres: f64,
    pub paid_usd: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LandClearing {
    pub fills: Vec<LandFill>,
    pub eligible_demand_acres: f64,
    pub sold_acres: f64,
    pub price_per_acre_usd: f64,
}

pub fn clear_land_market(offer: &LandOffer, bids: &[LandBid]) -> LandClearing {
    let requests: Vec<f64> = bids
        .iter()
        .map(|bid| {
            if bid.limit_per_acre_usd >= offer.price_per_acre_usd {
                bid.acres.max(0.0)
            } else {
                0.0
            }
        })
        .collect();
    let granted = pro_rata_continuous(&requests, offer.available_acres);
    let fills: Vec<LandFill> = bids
        .iter()
        .zip(&granted)
        .map(|(bid, &acres)| LandFill {
            buyer: bid.buyer,
            acres,
            paid_usd: acres * offer.price_per_acre_usd,
        })
        .collect();
    LandClearing {
        eligible_demand_acres: requests.iter().sum(),
        sold_acres: granted.iter().sum(),
        fills,
        price_per_acre_usd: offer.price_per_acre_usd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn land_clearing_never_sells_more_than_offered_or_asked(
            raw in proptest::collection::vec((0.0f64..5_000.0, 0.5f64..2.0), 0..10),
            available in 0.0f64..10_000.0,
        ) {
            let offer = LandOffer { available_acres: available, price_per_acre_usd: 1e6 };
            let bids: Vec<LandBid> = raw.iter().enumerate().map(|(i, &(acres, f))| LandBid {
                buyer: AgentId(i as u64), acres, limit_per_acre_usd: 1e6 * f,
            }).collect();
            let clearing = clear_land_market(&offer, &bids);
            prop_assert!(clearing.sold_acres <= available + 1e-6);
            prop_assert!(clearing.sold_acres <= clearing.eligible_demand_acres + 1e-6);
            let paid: f64 = clearing.fills.iter().map(|f| f.paid_usd).sum();
            prop_assert!((paid - clearing.sold_acres * 1e6).abs() <= 1e-3 * (1.0 + paid));
            for fill in &clearing.fills {
                prop_assert!(fill.acres >= 0.0);
            }
        }
    }
}
