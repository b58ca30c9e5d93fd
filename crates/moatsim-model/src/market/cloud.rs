//! The cloud-rental market: compute rented by the quarter from owners inside
//! the simulation (hyperscalers, neoclouds, sovereign clouds), one market per
//! region.
//!
//! Rule: each region has one posted ask per H100e-quarter. An owner offers its
//! rental fleet only when the ask covers its cost of owning an H100e for the
//! quarter ([`ownership_cost_per_h100e_quarter`]), so no owner rents at a loss;
//! a renter bids only when the ask is at most its value of the compute
//! ([`renter_value_per_h100e_quarter`]), so no lab rents compute worth less to
//! it than its price. The short side is filled; the long side is rationed pro
//! rata (renters by what they asked for, owners by what they offered). The
//! ask then moves with the excess demand ([`next_rental_ask`]), never below the
//! cheapest owner's cost, so over quarters the price settles between owners'
//! cost and renters' value.

use crate::AgentId;
use crate::market::allocation::pro_rata_continuous;
use crate::units::QUARTERS_PER_YEAR;

/// An owner's rental fleet on offer in its region this quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct RentalOffer {
    pub owner: AgentId,
    pub h100e: f64,
    /// What owning one H100e costs the owner this quarter, USD.
    pub cost_per_h100e_quarter: f64,
}

/// A renter's bid: the H100e it wants this quarter and what one is worth to it.
#[derive(Debug, Clone, PartialEq)]
pub struct RentalBid {
    pub renter: AgentId,
    pub h100e: f64,
    pub value_per_h100e_quarter: f64,
}

/// The outcome of one region's clearing.
#[derive(Debug, Clone, PartialEq)]
pub struct RentalClearing {
    /// H100e each bid rented, in the order of the bids passed in.
    pub rented_by_bid: Vec<f64>,
    /// H100e each offer rented out, in the order of the offers passed in.
    pub rented_by_offer: Vec<f64>,
    /// H100e offered at the ask (owners whose cost it covers).
    pub offered_h100e: f64,
    /// H100e wanted at the ask (renters whose value covers it).
    pub demand_h100e: f64,
    pub rented_h100e: f64,
    /// The ask every renter paid, USD per H100e-quarter.
    pub price_per_h100e_quarter: f64,
}

impl RentalClearing {
    /// What bid `i` pays.
    pub fn paid_usd(&self, i: usize) -> f64 {
        self.rented_by_bid[i] * self.price_per_h100e_quarter
    }

    /// What offer `j` receives.
    pub fn received_usd(&self, j: usize) -> f64 {
        self.rented_by_offer[j] * self.price_per_h100e_quarter
    }

    /// Demand wanted at the ask but not rented.
    pub fn unmet_h100e(&self) -> f64 {
        (self.demand_h100e - self.rented_h100e).max(0.0)
    }

    /// Demand above the capacity offered, as a share of it: the signal the ask
    /// follows. With demand and nothing offered at the ask the signal is 1 (the
    /// ask must rise to meet an owner's cost); with neither it is 0.
    pub fn excess_demand(&self) -> f64 {
        if self.offered_h100e > 0.0 {
            (self.demand_h100e - self.offered_h100e) / self.offered_h100e
        } else if self.demand_h100e > 0.0 {
            1.0
        } else {
            0.0
        }
    }
}

/// Clears one region at the posted `ask_per_h100e_quarter`.
pub fn clear_rental_market(
    ask_per_h100e_quarter: f64,
    offers: &[RentalOffer],
    bids: &[RentalBid],
) -> RentalClearing {
    let ask = ask_per_h100e_quarter.max(0.0);
    let offered: Vec<f64> = offers
        .iter()
        .map(|o| {
            if o.cost_per_h100e_quarter <= ask {
                o.h100e.max(0.0)
            } else {
                0.0
            }
        })
        .collect();
    let wanted: Vec<f64> = bids
        .iter()
        .map(|b| {
            if b.value_per_h100e_quarter >= ask {
                b.h100e.max(0.0)
            } else {
                0.0
            }
        })
        .collect();
    let offered_h100e: f64 = offered.iter().sum();
    let demand_h100e: f64 = wanted.iter().sum();
    let rented_by_bid = pro_rata_continuous(&wanted, offered_h100e);
    let rented_h100e: f64 = rented_by_bid.iter().sum();
    let rented_by_offer = pro_rata_continuous(&offered, rented_h100e);
    RentalClearing {
        rented_by_bid,
        rented_by_offer,
        offered_h100e,
        demand_h100e,
        rented_h100e,
        price_per_h100e_quarter: ask,
    }
}

/// What owning one H100e costs its owner for a quarter: straight-line
/// depreciation of what the fleet cost over its life, the return its capital
/// must earn, and the energy it draws.
///
/// `(fleet_cost / life + fleet_cost × r / 4) / fleet + energy`, with `r` the
/// yearly cost of capital. Zero fleet costs only its energy.
pub fn ownership_cost_per_h100e_quarter(
    fleet_cost_usd: f64,
    fleet_h100e: f64,
    life_quarters: f64,
    cost_of_capital_per_year: f64,
    energy_usd_per_h100e_quarter: f64,
) -> f64 {
    let energy = energy_usd_per_h100e_quarter.max(0.0);
    if fleet_h100e <= 0.0 {
        return energy;
    }
    let cost = fleet_cost_usd.max(0.0);
    let depreciation = cost / life_quarters.max(1.0);
    let capital = cost * cost_of_capital_per_year.max(0.0) / QUARTERS_PER_YEAR;
    (depreciation + capital) / fleet_h100e + energy
}

/// What one more H100e for the quarter is worth to a lab, USD: the better of
/// its two uses, since a lab puts a marginal H100e where it earns most.
///
/// `max(gross × clamp(utilisation, 0, 1), training_value)`, where `gross` is
/// the revenue an H100e earns when all it serves sells (the lab's price × the
/// tokens it serves in a quarter), worth only as much of it as demand would
/// take (last quarter's utilisation), and `training_value` is what the lab
/// states an H100e-quarter of training is worth to it.
pub fn renter_value_per_h100e_quarter(
    gross_revenue_per_h100e_quarter: f64,
    utilisation: f64,
    training_value_per_h100e_quarter: f64,
) -> f64 {
    let serving = gross_revenue_per_h100e_quarter.max(0.0) * utilisation.clamp(0.0, 1.0);
    serving.max(training_value_per_h100e_quarter.max(0.0))
}

/// Next quarter's ask: the ask moved by `sensitivity` × the excess demand,
/// at most `max_step` either way, no higher than `ceiling` (the highest value
/// a renter bid last quarter, when there were bids: owners do not ask more
/// than any renter would pay) and never below `floor` (the cheapest owner's
/// cost; the floor wins if the two cross, since no owner rents at a loss).
pub fn next_rental_ask(
    ask: f64,
    excess_demand: f64,
    sensitivity: f64,
    max_step: f64,
    floor: f64,
    ceiling: Option<f64>,
) -> f64 {
    let stepped = crate::rules::adjust_ask(ask, excess_demand, sensitivity, max_step, floor);
    match ceiling {
        Some(top) => stepped.min(top).max(floor),
        None => stepped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn offer(owner: u64, h100e: f64, cost: f64) -> RentalOffer {
        RentalOffer {
            owner: AgentId(owner),
            h100e,
            cost_per_h100e_quarter: cost,
        }
    }

    fn bid(renter: u64, h100e: f64, value: f64) -> RentalBid {
        RentalBid {
            renter: AgentId(renter),
            h100e,
            value_per_h100e_quarter: value,
        }
    }

    #[test]
    fn ample_capacity_fills_every_bid_and_owners_share_it() {
        let c = clear_rental_market(
            4_000.0,
            &[offer(1, 600.0, 2_000.0), offer(2, 400.0, 3_000.0)],
            &[bid(10, 300.0, 9_000.0), bid(11, 200.0, 5_000.0)],
        );
        assert_eq!(c.rented_by_bid, vec![300.0, 200.0]);
        assert!((c.rented_by_offer[0] - 300.0).abs() < 1e-9);
        assert!((c.rented_by_offer[1] - 200.0).abs() < 1e-9);
        assert!((c.paid_usd(0) - 1_200_000.0).abs() < 1e-6);
        assert!(c.excess_demand() < 0.0);
    }

    #[test]
    fn an_owner_whose_cost_the_ask_misses_offers_nothing() {
        let c = clear_rental_market(
            2_500.0,
            &[offer(1, 600.0, 2_000.0), offer(2, 400.0, 3_000.0)],
            &[bid(10, 900.0, 9_000.0)],
        );
        assert!((c.offered_h100e - 600.0).abs() < 1e-9);
        assert!(c.rented_by_offer[1].abs() < f64::MIN_POSITIVE);
        assert!((c.rented_h100e - 600.0).abs() < 1e-9);
        assert!((c.unmet_h100e() - 300.0).abs() < 1e-9);
        assert!((c.excess_demand() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn a_renter_whose_value_is_below_the_ask_rents_nothing() {
        let c = clear_rental_market(
            4_000.0,
            &[offer(1, 1_000.0, 1_000.0)],
            &[bid(10, 500.0, 3_999.0), bid(11, 100.0, 4_000.0)],
        );
        assert!(c.rented_by_bid[0].abs() < f64::MIN_POSITIVE);
        assert!((c.rented_by_bid[1] - 100.0).abs() < 1e-9);
    }

    #[test]
    fn demand_with_nothing_offered_pushes_the_ask_up() {
        let c = clear_rental_market(1_000.0, &[offer(1, 500.0, 2_000.0)], &[bid(10, 100.0, 9e3)]);
        assert!(c.rented_h100e.abs() < f64::MIN_POSITIVE);
        assert!((c.excess_demand() - 1.0).abs() < 1e-12);
        let next = next_rental_ask(1_000.0, c.excess_demand(), 0.3, 0.15, 2_000.0, None);
        assert!(next >= 2_000.0);
    }

    #[test]
    fn the_ask_stops_at_the_top_value_and_never_falls_below_cost() {
        // Scarce capacity pushes the ask up, but not past what renters pay.
        assert!(
            (next_rental_ask(5_000.0, 2.0, 0.3, 0.15, 1_000.0, Some(5_500.0)) - 5_500.0).abs()
                < 1e-9
        );
        // Owners' cost above every renter's value: the cost wins.
        assert!(
            (next_rental_ask(5_000.0, -1.0, 0.3, 0.15, 6_000.0, Some(5_500.0)) - 6_000.0).abs()
                < 1e-9
        );
    }

    #[test]
    fn ownership_cost_adds_depreciation_capital_and_energy() {
        // 1,000 H100e that cost $30M over 20 quarters at 10% a year, $120 of energy each.
        let cost = ownership_cost_per_h100e_quarter(30e6, 1_000.0, 20.0, 0.10, 120.0);
        assert!((cost - (1_500.0 + 750.0 + 120.0)).abs() < 1e-9);
        assert!(
            (ownership_cost_per_h100e_quarter(30e6, 0.0, 20.0, 0.1, 120.0) - 120.0).abs() < 1e-12
        );
    }

    #[test]
    fn renter_value_counts_only_the_demand_it_would_serve() {
        // Idle serving capacity: only training is worth anything.
        assert!((renter_value_per_h100e_quarter(10_000.0, 0.0, 2_000.0) - 2_000.0).abs() < 1e-9);
        // Demand above capacity: all of its serving revenue.
        assert!((renter_value_per_h100e_quarter(10_000.0, 1.4, 2_000.0) - 10_000.0).abs() < 1e-9);
        // Half the capacity sold: half of it, still above training.
        assert!((renter_value_per_h100e_quarter(10_000.0, 0.5, 2_000.0) - 5_000.0).abs() < 1e-9);
    }

    /// Offers from (H100e, cost) with owners 0, 1, …, and bids from
    /// (H100e, value) with renters 100, 101, ….
    fn market(offers: &[(f64, f64)], bids: &[(f64, f64)]) -> (Vec<RentalOffer>, Vec<RentalBid>) {
        (
            offers
                .iter()
                .enumerate()
                .map(|(i, &(h, c))| offer(i as u64, h, c))
                .collect(),
            bids.iter()
                .enumerate()
                .map(|(i, &(h, v))| bid(100 + i as u64, h, v))
                .collect(),
        )
    }

    proptest! {
        #[test]
        fn clearing_never_rents_at_a_loss_or_above_value_and_money_balances(
            ask in 1.0f64..1e5,
            offers in proptest::collection::vec((0.0f64..1e6, 1.0f64..1e5), 0..6),
            bids in proptest::collection::vec((0.0f64..1e6, 1.0f64..1e5), 0..6),
        ) {
            let (offers, bids) = market(&offers, &bids);
            let c = clear_rental_market(ask, &offers, &bids);
            let tol = |x: f64| 1e-9 * x.abs().max(1.0);
            // Between cost and value: every owner renting out covers its cost,
            // every renter renting values the compute at least at the price.
            for (o, &r) in offers.iter().zip(&c.rented_by_offer) {
                prop_assert!(r >= 0.0);
                prop_assert!(r <= o.h100e + tol(o.h100e));
                if r > 0.0 { prop_assert!(o.cost_per_h100e_quarter <= c.price_per_h100e_quarter); }
            }
            for (b, &r) in bids.iter().zip(&c.rented_by_bid) {
                prop_assert!(r >= 0.0);
                prop_assert!(r <= b.h100e + tol(b.h100e));
                if r > 0.0 { prop_assert!(b.value_per_h100e_quarter >= c.price_per_h100e_quarter); }
            }
            // Conservation: what renters rent, owners rent out; what renters pay, owners receive.
            let out: f64 = c.rented_by_offer.iter().sum();
            prop_assert!((out - c.rented_h100e).abs() <= tol(c.rented_h100e));
            let paid: f64 = (0..bids.len()).map(|i| c.paid_usd(i)).sum();
            let received: f64 = (0..offers.len()).map(|j| c.received_usd(j)).sum();
            prop_assert!((paid - received).abs() <= 1e-9 * paid.max(1.0));
            // The short side is filled.
            prop_assert!((c.rented_h100e - c.offered_h100e.min(c.demand_h100e)).abs() <= tol(c.rented_h100e));
        }

        #[test]
        fn a_higher_ask_never_raises_demand_or_lowers_supply(
            ask in 1.0f64..1e5,
            more in 0.0f64..1e5,
            offers in proptest::collection::vec((0.0f64..1e6, 1.0f64..1e5), 0..6),
            bids in proptest::collection::vec((0.0f64..1e6, 1.0f64..1e5), 0..6),
        ) {
            let (offers, bids) = market(&offers, &bids);
            let low = clear_rental_market(ask, &offers, &bids);
            let high = clear_rental_market(ask + more, &offers, &bids);
            prop_assert!(high.demand_h100e <= low.demand_h100e);
            prop_assert!(high.offered_h100e >= low.offered_h100e);
        }

        #[test]
        fn the_next_ask_stays_between_floor_and_ceiling(
            ask in 1.0f64..1e5,
            excess in -1.0f64..5.0,
            floor in 0.0f64..1e5,
            ceiling in 0.0f64..1e5,
        ) {
            let next = next_rental_ask(ask, excess, 0.3, 0.15, floor, Some(ceiling));
            prop_assert!(next >= floor);
            if ceiling >= floor { prop_assert!(next <= ceiling); }
            // More excess demand never lowers the next ask.
            prop_assert!(next_rental_ask(ask, excess + 0.5, 0.3, 0.15, floor, Some(ceiling)) >= next);
        }

        #[test]
        fn bidding_more_never_rents_less(
            mine in 0.0f64..1e6,
            extra in 0.0f64..1e6,
            capacity in 1.0f64..1e6,
            others in proptest::collection::vec(0.0f64..1e6, 0..5),
        ) {
            let offers = [offer(1, capacity, 10.0)];
            let mut bids = vec![bid(100, mine, 1e3)];
            bids.extend(others.iter().enumerate().map(|(i, &w)| bid(101 + i as u64, w, 1e3)));
            let before = clear_rental_market(100.0, &offers, &bids).rented_by_bid[0];
            bids[0].h100e = mine + extra;
            let after = clear_rental_market(100.0, &offers, &bids).rented_by_bid[0];
            prop_assert!(after >= before * (1.0 - 1e-12));
        }

        #[test]
        fn ownership_cost_rises_with_every_input(
            cost in 0.0f64..1e9,
            fleet in 1.0f64..1e6,
            life in 1.0f64..40.0,
            rate in 0.0f64..0.3,
            energy in 0.0f64..1e4,
            bump in 0.0f64..1e3,
        ) {
            let base = ownership_cost_per_h100e_quarter(cost, fleet, life, rate, energy);
            prop_assert!(base >= energy);
            prop_assert!(ownership_cost_per_h100e_quarter(cost + bump * 1e3, fleet, life, rate, energy) >= base);
            prop_assert!(ownership_cost_per_h100e_quarter(cost, fleet, life, rate + bump / 1e4, energy) >= base);
            prop_assert!(ownership_cost_per_h100e_quarter(cost, fleet, life, rate, energy + bump) >= base);
            prop_assert!(ownership_cost_per_h100e_quarter(cost, fleet, life + bump, rate, energy) <= base * (1.0 + 1e-12));
        }

        #[test]
        fn renter_value_rises_with_utilisation_and_training_value(
            gross in 0.0f64..1e5,
            util in 0.0f64..2.0,
            more in 0.0f64..1.0,
            training in 0.0f64..1e5,
            bump in 0.0f64..1e4,
        ) {
            let v = renter_value_per_h100e_quarter(gross, util, training);
            prop_assert!(v <= gross.max(training) * (1.0 + 1e-12));
            prop_assert!(v >= training);
            prop_assert!(renter_value_per_h100e_quarter(gross, util + more, training) >= v);
            prop_assert!(renter_value_per_h100e_quarter(gross, util, training + bump) >= v);
        }
    }
}
