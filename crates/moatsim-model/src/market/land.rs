//! The land market: one clearing per region per quarter.
//!
//! Rule: every seller posts acres at an ask per acre. The region's landowners
//! offer the unsold zoned stock at the scarcity price
//! (see [`crate::rules::land_price_per_acre`]); land-banking investors offer the
//! acres they hold at a premium over it. Offers fill in merit order, cheapest
//! first (ties by the order given). At each offer, every bid whose limit covers
//! the ask and that still wants land is eligible, and the offer's acres are
//! rationed pro rata among them. Land is divisible. An offer reserved for one
//! buyer (a land bank that banks for one lab) is open to that buyer's bids only.

use crate::AgentId;
use crate::market::allocation::pro_rata_continuous;

#[derive(Debug, Clone, PartialEq)]
pub struct LandOffer {
    /// `None` for the region's landowners (outside the simulation).
    pub seller: Option<AgentId>,
    pub acres: f64,
    pub price_per_acre_usd: f64,
    /// `Some(buyer)` when only that buyer may buy from this offer.
    pub reserved_for: Option<AgentId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LandBid {
    pub buyer: AgentId,
    pub acres: f64,
    pub limit_per_acre_usd: f64,
}

/// Acres one bid bought from one offer.
#[derive(Debug, Clone, PartialEq)]
pub struct LandFill {
    /// Index into the bids passed in.
    pub bid: usize,
    /// Index into the offers passed in.
    pub offer: usize,
    pub acres: f64,
    pub paid_usd: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LandClearing {
    pub fills: Vec<LandFill>,
    pub offered_acres: f64,
    /// Acres wanted by bids whose limit covers the cheapest ask.
    pub eligible_demand_acres: f64,
    pub sold_acres: f64,
    /// Acres sold per offer, in the order of the offers passed in.
    pub sold_by_offer: Vec<f64>,
    /// Average price paid per acre (the cheapest ask when nothing sold).
    pub price_per_acre_usd: Option<f64>,
}

pub fn clear_land_market(offers: &[LandOffer], bids: &[LandBid]) -> LandClearing {
    let mut order: Vec<usize> = (0..offers.len()).collect();
    order.sort_by(|&a, &b| {
        offers[a]
            .price_per_acre_usd
            .total_cmp(&offers[b].price_per_acre_usd)
            .then(a.cmp(&b))
    });
    let mut wanted: Vec<f64> = bids.iter().map(|b| b.acres.max(0.0)).collect();
    let mut fills = Vec::new();
    let mut sold_by_offer = vec![0.0; offers.len()];
    for &o in &order {
        let offer = &offers[o];
        let requests: Vec<f64> = bids
            .iter()
            .zip(&wanted)
            .map(|(bid, &left)| {
                let open = offer.reserved_for.is_none_or(|only| only == bid.buyer);
                if open && bid.limit_per_acre_usd >= offer.price_per_acre_usd {
                    left
                } else {
                    0.0
                }
            })
            .collect();
        let granted = pro_rata_continuous(&requests, offer.acres.max(0.0));
        for (b, &acres) in granted.iter().enumerate() {
            if acres > 0.0 {
                wanted[b] = (wanted[b] - acres).max(0.0);
                sold_by_offer[o] += acres;
                fills.push(LandFill {
                    bid: b,
                    offer: o,
                    acres,
                    paid_usd: acres * offer.price_per_acre_usd,
                });
            }
        }
    }
    let cheapest = order.first().map(|&o| offers[o].price_per_acre_usd);
    let eligible_demand_acres = match cheapest {
        Some(price) => bids
            .iter()
            .filter(|b| b.limit_per_acre_usd >= price)
            .map(|b| b.acres.max(0.0))
            .sum(),
        None => 0.0,
    };
    let sold_acres: f64 = sold_by_offer.iter().sum();
    let paid: f64 = fills.iter().map(|f| f.paid_usd).sum();
    LandClearing {
        fills,
        offered_acres: offers.iter().map(|o| o.acres.max(0.0)).sum(),
        eligible_demand_acres,
        sold_acres,
        sold_by_offer,
        price_per_acre_usd: if sold_acres > 0.0 {
            Some(paid / sold_acres)
        } else {
            cheapest
        },
    }
}

/// How many of `acres` a buyer takes as powered land (parcels with a grid
/// position), and what they cost: from the cheapest powered offers open to it
/// (`(acres, ask per acre)`), as long as an offer's ask is at most the raw
/// price plus what skipping the interconnection queue is worth per acre. The
/// rest is raw land. Returns `(powered acres, their cost)`.
pub fn powered_acres_worth_buying(
    acres: f64,
    raw_price_per_acre: f64,
    skip_value_per_acre: f64,
    powered_offers: &[(f64, f64)],
) -> (f64, f64) {
    let mut offers: Vec<(f64, f64)> = powered_offers
        .iter()
        .copied()
        .filter(|&(a, ask)| a > 0.0 && ask <= raw_price_per_acre + skip_value_per_acre.max(0.0))
        .collect();
    offers.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (mut taken, mut cost) = (0.0, 0.0);
    for (available, ask) in offers {
        let take = available.min(acres.max(0.0) - taken);
        if take <= 0.0 {
            break;
        }
        taken += take;
        cost += take * ask;
    }
    (taken, cost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Bids from (acres, limit as a multiple of $1M per acre), one buyer each.
    fn bids_from(raw: &[(f64, f64)]) -> Vec<LandBid> {
        raw.iter()
            .enumerate()
            .map(|(i, &(acres, f))| LandBid {
                buyer: AgentId(i as u64),
                acres,
                limit_per_acre_usd: 1e6 * f,
            })
            .collect()
    }

    fn owners(acres: f64, price: f64) -> LandOffer {
        LandOffer {
            seller: None,
            acres,
            price_per_acre_usd: price,
            reserved_for: None,
        }
    }

    #[test]
    fn cheaper_land_sells_first_and_banked_land_fills_the_rest() {
        let offers = [
            LandOffer {
                seller: Some(AgentId(9)),
                acres: 100.0,
                price_per_acre_usd: 1.25e6,
                reserved_for: None,
            },
            owners(100.0, 1e6),
        ];
        let bids = [LandBid {
            buyer: AgentId(1),
            acres: 150.0,
            limit_per_acre_usd: 1.5e6,
        }];
        let clearing = clear_land_market(&offers, &bids);
        assert!(
            (clearing.sold_by_offer[1] - 100.0).abs() < 1e-9,
            "the landowners' cheaper acres go first"
        );
        assert!((clearing.sold_by_offer[0] - 50.0).abs() < 1e-9);
        assert!(
            (clearing.fills.iter().map(|f| f.paid_usd).sum::<f64>()
                - (100.0 * 1e6 + 50.0 * 1.25e6))
                .abs()
                < 1e-3
        );
    }

    #[test]
    fn a_bid_below_an_ask_does_not_buy_from_it() {
        let offers = [
            owners(100.0, 1e6),
            LandOffer {
                seller: Some(AgentId(9)),
                acres: 100.0,
                price_per_acre_usd: 2e6,
                reserved_for: None,
            },
        ];
        let bids = [LandBid {
            buyer: AgentId(1),
            acres: 300.0,
            limit_per_acre_usd: 1.5e6,
        }];
        let clearing = clear_land_market(&offers, &bids);
        assert!((clearing.sold_acres - 100.0).abs() < 1e-9);
    }

    proptest! {
        #[test]
        fn land_clearing_conserves_acres_and_money(
            raw_bids in proptest::collection::vec((0.0f64..5_000.0, 0.5f64..2.0), 0..10),
            raw_offers in proptest::collection::vec((0.0f64..5_000.0, 0.5f64..2.0), 1..4),
        ) {
            let offers: Vec<LandOffer> = raw_offers.iter().map(|&(acres, f)| owners(acres, 1e6 * f)).collect();
            let bids = bids_from(&raw_bids);
            let clearing = clear_land_market(&offers, &bids);
            for (o, offer) in offers.iter().enumerate() {
                prop_assert!(clearing.sold_by_offer[o] <= offer.acres + 1e-6);
            }
            for (b, bid) in bids.iter().enumerate() {
                let bought: f64 = clearing.fills.iter().filter(|f| f.bid == b).map(|f| f.acres).sum();
                prop_assert!(bought <= bid.acres + 1e-6);
                for fill in clearing.fills.iter().filter(|f| f.bid == b) {
                    prop_assert!(offers[fill.offer].price_per_acre_usd <= bid.limit_per_acre_usd);
                    prop_assert!(fill.acres >= 0.0);
                }
            }
            let paid: f64 = clearing.fills.iter().map(|f| f.paid_usd).sum();
            let received: f64 = offers.iter().enumerate().map(|(o, offer)| clearing.sold_by_offer[o] * offer.price_per_acre_usd).sum();
            prop_assert!((paid - received).abs() <= 1e-6 * (1.0 + paid));
            prop_assert!(clearing.sold_acres <= clearing.offered_acres + 1e-6);
            prop_assert_eq!(&clearing, &clear_land_market(&offers, &bids));
        }

        #[test]
        fn more_demand_never_sells_less_land(
            raw_bids in proptest::collection::vec((0.0f64..5_000.0, 0.5f64..2.0), 0..10),
            extra in 1.0f64..5_000.0,
        ) {
            let offers = [owners(3_000.0, 1e6)];
            let bids = bids_from(&raw_bids);
            let base = clear_land_market(&offers, &bids);
            let mut more = bids.clone();
            more.push(LandBid { buyer: AgentId(99), acres: extra, limit_per_acre_usd: 2e6 });
            let after = clear_land_market(&offers, &more);
            prop_assert!(after.sold_acres >= base.sold_acres - 1e-9);
        }

        /// With landowners and a dearer banked offer, extra demand can only reach
        /// dearer land: the average price paid never falls.
        #[test]
        fn more_demand_never_lowers_the_price_paid(
            raw_bids in proptest::collection::vec((1.0f64..5_000.0, 1.3f64..2.0), 1..10),
            extra in 1.0f64..5_000.0,
            stock in 1.0f64..5_000.0,
        ) {
            let offers = [
                owners(stock, 1e6),
                LandOffer { seller: Some(AgentId(50)), acres: 3_000.0, price_per_acre_usd: 1.25e6 , reserved_for: None},
            ];
            let bids = bids_from(&raw_bids);
            let base = clear_land_market(&offers, &bids);
            let mut more = bids.clone();
            more.push(LandBid { buyer: AgentId(99), acres: extra, limit_per_acre_usd: 2e6 });
            let after = clear_land_market(&offers, &more);
            let (Some(before), Some(now)) = (base.price_per_acre_usd, after.price_per_acre_usd) else {
                return Err(TestCaseError::fail("a price is always reported"));
            };
            prop_assert!(now >= before - 1e-6);
        }

        #[test]
        fn an_offer_reserved_for_one_buyer_fills_no_other(
            raw_bids in proptest::collection::vec((0.0f64..5_000.0, 0.5f64..2.0), 1..8),
            reserved in 0.0f64..5_000.0,
            open in 0.0f64..5_000.0,
        ) {
            let bids = bids_from(&raw_bids);
            let partner = bids[0].buyer;
            let offers = [
                LandOffer {
                    seller: Some(AgentId(99)),
                    acres: reserved,
                    price_per_acre_usd: 0.5e6,
                    reserved_for: Some(partner),
                },
                owners(open, 0.6e6),
            ];
            let clearing = clear_land_market(&offers, &bids);
            for fill in clearing.fills.iter().filter(|f| f.offer == 0) {
                prop_assert_eq!(bids[fill.bid].buyer, partner);
            }
            // The partner is never worse off for having the reserved offer.
            let without = clear_land_market(&offers[1..], &bids);
            let got = |c: &LandClearing| -> f64 {
                c.fills.iter().filter(|f| f.bid == 0).map(|f| f.acres).sum()
            };
            prop_assert!(got(&clearing) >= got(&without) - 1e-9);
        }

        #[test]
        fn powered_land_is_bought_only_where_skipping_the_queue_pays(
            acres in 0.0f64..1_000.0,
            raw in 1e4f64..1e6,
            skip in 0.0f64..1e6,
            more in 0.0f64..1e6,
            offers in proptest::collection::vec((0.0f64..500.0, 1e4f64..2e6), 0..5),
        ) {
            let (taken, cost) = powered_acres_worth_buying(acres, raw, skip, &offers);
            prop_assert!(taken >= 0.0 && taken <= acres + 1e-9);
            // Never more per acre than raw land plus the queue it skips.
            prop_assert!(cost <= taken * (raw + skip) * (1.0 + 1e-12) + 1e-6);
            // A longer queue never means less powered land.
            let (more_taken, _) = powered_acres_worth_buying(acres, raw, skip + more, &offers);
            prop_assert!(more_taken >= taken - 1e-9);
            // Nothing is worth a premium when the queue is empty.
            let (none, _) = powered_acres_worth_buying(
                acres,
                raw,
                0.0,
                &offers.iter().map(|&(a, ask)| (a, raw + ask)).collect::<Vec<_>>(),
            );
            prop_assert!(none <= 1e-9 || offers.iter().any(|&(a, ask)| a > 0.0 && ask <= 0.0));
        }
    }
}
