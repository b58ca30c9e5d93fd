//! The cloud-capacity market: compute rented by the quarter from clouds outside
//! the simulation (neoclouds and hyperscalers' spare capacity).
//!
//! Rule: the providers post one ask per H100e-quarter; each lab bids the H100e it
//! wants at that ask, which its rent budget limits. When demand exceeds the
//! capacity on offer it is rationed pro rata, so a lab with a larger budget gets a
//! larger share: this is the market through which cash buys compute this quarter
//! instead of after a site is energized. Capacity not rented stays idle.

use crate::AgentId;
use crate::market::allocation::pro_rata_continuous;

/// One lab's bid: the H100e it wants for this quarter at the posted ask.
#[derive(Debug, Clone, PartialEq)]
pub struct CloudBid {
    pub buyer: AgentId,
    pub h100e: f64,
}

/// The outcome of one quarter's clearing.
#[derive(Debug, Clone, PartialEq)]
pub struct CloudClearing {
    /// H100e rented by each bidder, in the order of the bids passed in.
    pub fills: Vec<f64>,
    pub demand_h100e: f64,
    pub rented_h100e: f64,
    /// The ask every renter paid, USD per H100e-quarter.
    pub price_per_h100e_quarter: f64,
}

impl CloudClearing {
    /// What bidder `i` pays for its fill.
    pub fn paid_usd(&self, i: usize) -> f64 {
        self.fills[i] * self.price_per_h100e_quarter
    }

    /// Demand above capacity as a share of capacity (negative when capacity sat
    /// idle): the signal the ask follows next quarter.
    pub fn excess_demand(&self, capacity_h100e: f64) -> f64 {
        if capacity_h100e <= 0.0 {
            return 0.0;
        }
        (self.demand_h100e - capacity_h100e) / capacity_h100e
    }
}

pub fn clear_cloud_market(
    capacity_h100e: f64,
    ask_per_h100e_quarter: f64,
    bids: &[CloudBid],
) -> CloudClearing {
    let requests: Vec<f64> = bids.iter().map(|b| b.h100e.max(0.0)).collect();
    let fills = pro_rata_continuous(&requests, capacity_h100e.max(0.0));
    CloudClearing {
        demand_h100e: requests.iter().sum(),
        rented_h100e: fills.iter().sum(),
        fills,
        price_per_h100e_quarter: ask_per_h100e_quarter,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bid(buyer: u64, h100e: f64) -> CloudBid {
        CloudBid {
            buyer: AgentId(buyer),
            h100e,
        }
    }

    #[test]
    fn enough_capacity_fills_every_bid() {
        let c = clear_cloud_market(1_000.0, 4_000.0, &[bid(1, 300.0), bid(2, 500.0)]);
        assert_eq!(c.fills, vec![300.0, 500.0]);
        assert!((c.paid_usd(1) - 2_000_000.0).abs() < 1e-6);
        assert!(c.excess_demand(1_000.0) < 0.0);
    }

    #[test]
    fn scarce_capacity_goes_pro_rata_to_budget() {
        // The lab that can afford three times as much rents three times as much.
        let c = clear_cloud_market(400.0, 4_000.0, &[bid(1, 900.0), bid(2, 300.0)]);
        assert!((c.fills[0] - 300.0).abs() < 1e-9);
        assert!((c.fills[1] - 100.0).abs() < 1e-9);
        assert!((c.excess_demand(400.0) - 2.0).abs() < 1e-12);
    }

    proptest! {
        #[test]
        fn fills_are_bounded_and_money_balances(
            capacity in 0.0f64..1e7,
            ask in 1.0f64..1e5,
            wants in proptest::collection::vec(0.0f64..1e7, 0..8),
        ) {
            let bids: Vec<CloudBid> =
                wants.iter().enumerate().map(|(i, &w)| bid(i as u64, w)).collect();
            let c = clear_cloud_market(capacity, ask, &bids);
            prop_assert!(c.rented_h100e <= capacity * (1.0 + 1e-12) + 1e-9);
            prop_assert!(c.rented_h100e <= c.demand_h100e * (1.0 + 1e-12) + 1e-9);
            let paid: f64 = (0..bids.len()).map(|i| c.paid_usd(i)).sum();
            prop_assert!((paid - c.rented_h100e * ask).abs() <= 1e-6 * paid.max(1.0));
            for (fill, b) in c.fills.iter().zip(&bids) {
                prop_assert!(*fill >= 0.0);
                prop_assert!(*fill <= b.h100e * (1.0 + 1e-12) + 1e-9);
            }
        }

        #[test]
        fn bidding_more_never_rents_less(
            capacity in 1.0f64..1e7,
            mine in 0.0f64..1e7,
            extra in 0.0f64..1e7,
            others in proptest::collection::vec(0.0f64..1e7, 0..6),
        ) {
            let mut bids = vec![bid(0, mine)];
            bids.extend(others.iter().enumerate().map(|(i, &w)| bid(i as u64 + 1, w)));
            let before = clear_cloud_market(capacity, 1.0, &bids).fills[0];
            bids[0].h100e = mine + extra;
            let after = clear_cloud_market(capacity, 1.0, &bids).fills[0];
            prop_assert!(after >= before * (1.0 - 1e-12));
        }
    }
}
