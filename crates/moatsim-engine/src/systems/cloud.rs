//! The cloud-rental market: owners' rental asks, labs' bids for rented
//! compute, and each region's clearing.

use crate::components::*;
use crate::events::{Event, EventKind};
use crate::records::MarketRow;
use crate::resources::*;
use crate::systems::contracts::ContractBook;
use crate::systems::lab_may_use_region;
use bevy_ecs::prelude::*;
use moatsim_model::Account;
use moatsim_model::accelerator_demand::adaptive_expectation;
use moatsim_model::market::cloud;
use moatsim_model::market::cloud::{RentalBid, RentalOffer, clear_rental_market};
use moatsim_model::units::HOURS_PER_QUARTER;

/// The cloud-rental market of each region: its posted ask and what last
/// quarter's clearing showed (`moatsim_model::market::cloud`).
#[derive(Resource, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct CloudMarket {
    pub regions: Vec<RegionRental>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct RegionRental {
    pub ask_per_h100e_quarter: f64,
    /// Last quarter's demand above the capacity offered, as a share of it.
    pub last_excess_demand: f64,
    /// The owners' rental fleets in the region last quarter, H100e; renters
    /// spread their bids across regions in proportion to it.
    pub last_fleet_h100e: f64,
    /// What owners expect of the demand that goes unrented at the ask,
    /// H100e: an adaptive average of each quarter's unrented demand
    /// (`behaviour.rental_demand_memory`). Owners build rental capacity
    /// towards it.
    pub expected_unmet_h100e: f64,
    /// The highest value per H100e-quarter among last quarter's bids (0 with
    /// none): the ask does not rise above what any renter would pay.
    pub last_top_value: f64,
}

/// This quarter's bids for rented compute per region, in lab-id order. Sized
/// per region at the start of the quarter.
#[derive(Resource, Debug, Clone, Default)]
pub struct RentalOrders {
    pub bids: Vec<Vec<RentalBid>>,
}

impl RentalOrders {
    /// Empty books for a world of `regions` regions.
    pub fn new(regions: usize) -> Self {
        Self {
            bids: vec![Vec::new(); regions],
        }
    }
}

/// Cloud owners work out what owning an H100e costs them this quarter
/// (depreciation, the return on its capital, its energy at the region's
/// tariff), and each region's rental ask moves with last quarter's excess
/// demand, never below the cheapest owner's cost there and never above the
/// highest value a renter bid there last quarter.
pub fn price_cloud_rental(
    clock: Res<Clock>,
    params: Res<Params>,
    mut cloud: ResMut<CloudMarket>,
    mut buyers: Query<&mut AcceleratorBuyer>,
    utilities: Query<&Utility>,
) {
    let scenario = &params.0;
    let spec = &scenario.cloud;
    let mut tariff = vec![0.0; scenario.regions.len()];
    for utility in &utilities {
        tariff[utility.region] = utility.tariff_per_mwh;
    }
    let mut floor = vec![f64::INFINITY; scenario.regions.len()];
    for mut buyer in &mut buyers {
        let energy = if buyer.fleet_h100e > 0.0 {
            buyer.energy_cost_per_quarter(&tariff) / buyer.fleet_h100e
        } else {
            0.0
        };
        buyer.rental_cost_per_h100e_quarter = cloud::ownership_cost_per_h100e_quarter(
            buyer.fleet_cost_usd,
            buyer.fleet_h100e,
            f64::from(scenario.world.gpu_life_quarters),
            spec.owner_cost_of_capital_per_year,
            energy,
        );
        if buyer.rental_fleet_h100e > 0.0 {
            floor[buyer.region] = floor[buyer.region].min(buyer.rental_cost_per_h100e_quarter);
        }
    }
    if clock.tick == 0 {
        return;
    }
    for (region, market) in cloud.regions.iter_mut().enumerate() {
        let floor = if floor[region].is_finite() {
            floor[region]
        } else {
            0.0
        };
        let ceiling = (market.last_top_value > 0.0).then_some(market.last_top_value);
        market.ask_per_h100e_quarter = cloud::next_rental_ask(
            market.ask_per_h100e_quarter,
            market.last_excess_demand,
            spec.ask_sensitivity,
            scenario.behaviour.ask_max_step_per_quarter,
            floor,
            ceiling,
        );
    }
}

/// A lab whose owned compute falls short of its target rents compute for the
/// quarter from the simulation's cloud owners. It bids in every region where
/// it may put compute (`lab_may_use_region`) and the ask is at most what an
/// H100e is worth to it (`cloud::renter_value_per_h100e_quarter`), spreading
/// the shortfall in proportion to the owners' rental fleets there, as far as
/// its rent budget (a share of its cash) allows. This is where cash turns into
/// compute without waiting years for a site: a lab with more money bids for more.
pub fn bid_for_rented_compute(
    clock: Res<Clock>,
    params: Res<Params>,
    cloud: Res<CloudMarket>,
    book: Res<ContractBook>,
    labs: Query<(&Agent, &Cash, &Lab)>,
    mut orders: ResMut<RentalOrders>,
) {
    let scenario = &params.0;
    let spec = &scenario.cloud;
    let mut sorted: Vec<(&Agent, &Cash, &Lab)> = labs.iter().filter(|(_, _, l)| l.alive).collect();
    sorted.sort_by_key(|(a, _, _)| a.id);
    for (agent, cash, lab) in sorted {
        // Last quarter's own compute: what was online less what was rented.
        let owned = (lab.online_h100e - lab.rented_h100e).max(0.0);
        // Contracts deliver first; the spot market serves the rest.
        let wanted = (lab.target_h100e - owned - book.committed(agent.id, clock.tick)).max(0.0);
        if wanted <= 0.0 {
            continue;
        }
        let value = cloud::renter_value_per_h100e_quarter(
            lab.price_per_mtok * lab.mtok_per_h100e,
            lab.utilisation(),
            spec.training_value_per_h100e_hour_usd * HOURS_PER_QUARTER,
        );
        let home = scenario.labs[lab.index].home_region;
        let regions: Vec<usize> = (0..scenario.regions.len())
            .filter(|&r| {
                let market = &cloud.regions[r];
                market.last_fleet_h100e > 0.0
                    && market.ask_per_h100e_quarter <= value
                    && lab_may_use_region(scenario, home, r)
            })
            .collect();
        let fleet: f64 = regions
            .iter()
            .map(|&r| cloud.regions[r].last_fleet_h100e)
            .sum();
        if fleet <= 0.0 {
            continue;
        }
        let budget = spec.rent_cash_share * cash.0.max(0.0);
        for r in regions {
            let share = cloud.regions[r].last_fleet_h100e / fleet;
            let ask = cloud.regions[r].ask_per_h100e_quarter;
            let affordable = if ask > 0.0 {
                budget * share / ask
            } else {
                f64::INFINITY
            };
            let h100e = (wanted * share).min(affordable);
            if h100e > 0.0 {
                orders.bids[r].push(RentalBid {
                    renter: agent.id,
                    h100e,
                    value_per_h100e_quarter: value,
                });
            }
        }
    }
}

/// Rents compute for the quarter, region by region, at the posted ask
/// (`cloud::clear_rental_market`): owners whose cost the ask covers offer their
/// rental fleets, labs whose value covers it rent, the short side is filled and
/// the long side rationed pro rata. Rent goes from the lab to the owners now,
/// and the compute serves this quarter (`bring_compute_online`).
pub fn clear_rented_compute(
    params: Res<Params>,
    orders: Res<RentalOrders>,
    mut cloud: ResMut<CloudMarket>,
    mut labs: Query<(&Agent, &mut Lab)>,
    mut buyers: Query<(&Agent, &mut AcceleratorBuyer)>,
    mut ledger: ResMut<Ledger>,
    mut logs: ResMut<Logs>,
) {
    // Rented compute started the quarter from zero and took the contracts'
    // deliveries first (`contracts::deliver_contracted_compute`).
    let mut owners: Vec<(&Agent, Mut<AcceleratorBuyer>)> = buyers
        .iter_mut()
        .filter(|(_, b)| b.rental_fleet_h100e > 0.0)
        .collect();
    owners.sort_by_key(|(a, _)| a.id);
    for (region, market) in cloud.regions.iter_mut().enumerate() {
        let region_name = params.0.regions[region].name.as_str();
        let here: Vec<usize> = (0..owners.len())
            .filter(|&o| owners[o].1.region == region)
            .collect();
        let offers: Vec<RentalOffer> = here
            .iter()
            .map(|&o| RentalOffer {
                owner: owners[o].0.id,
                // What the contracts took this quarter is not for rent.
                h100e: (owners[o].1.rental_fleet_h100e - owners[o].1.flows.contracted_out_h100e)
                    .max(0.0),
                cost_per_h100e_quarter: owners[o].1.rental_cost_per_h100e_quarter,
            })
            .collect();
        let bids = orders.bids.get(region).map_or(&[][..], Vec::as_slice);
        let clearing = clear_rental_market(market.ask_per_h100e_quarter, &offers, bids);
        let price_per_hour = clearing.price_per_h100e_quarter / HOURS_PER_QUARTER;
        for (i, bid) in bids.iter().enumerate() {
            let rented = clearing.rented_by_bid[i];
            if rented <= 0.0 {
                continue;
            }
            if let Some((_, mut lab)) = labs.iter_mut().find(|(a, _)| a.id == bid.renter) {
                lab.rented_h100e += rented;
                lab.flows.rent_usd += clearing.paid_usd(i);
            }
            // The renter pays each owner for the share of the region's rented
            // compute that owner supplied.
            for (j, &o) in here.iter().enumerate() {
                let supplied = clearing.rented_by_offer[j] * rented / clearing.rented_h100e;
                if supplied <= 0.0 {
                    continue;
                }
                let paid = supplied * clearing.price_per_h100e_quarter;
                let (owner_agent, owner) = &mut owners[o];
                ledger.pay(
                    Account::Agent(bid.renter),
                    Account::Agent(owner_agent.id),
                    paid,
                );
                owner.flows.rented_out_h100e += supplied;
                owner.flows.rental_revenue_usd += paid;
                logs.event(
                    Event::new(EventKind::CloudRental)
                        .agent(bid.renter)
                        .counterparty(owner_agent.id)
                        .region(region_name)
                        .amount(paid)
                        .quantity(supplied)
                        .detail(format!(
                            "H100e for the quarter at {price_per_hour:.2} USD per H100e-hour"
                        )),
                );
            }
        }
        let fleet: f64 = offers.iter().map(|o| o.h100e).sum();
        market.last_excess_demand = clearing.excess_demand();
        market.last_fleet_h100e = fleet;
        // One quarter's unrented demand swings with the asks: owners who
        // built to it alternated between a glut and a shortage, and their
        // chip orders with them (issue 28's sawtooth).
        market.expected_unmet_h100e = adaptive_expectation(
            market.expected_unmet_h100e,
            clearing.unmet_h100e(),
            params.0.behaviour.rental_demand_memory,
        );
        market.last_top_value = bids
            .iter()
            .map(|b| b.value_per_h100e_quarter)
            .fold(0.0, f64::max);
        if fleet > 0.0 || !bids.is_empty() {
            logs.markets.push(MarketRow {
                market: "cloud",
                region: Some(region_name.to_string()),
                item: None,
                supply: clearing.offered_h100e,
                demand: clearing.demand_h100e,
                cleared: clearing.rented_h100e,
                price: Some(clearing.price_per_h100e_quarter),
            });
        }
    }
}
