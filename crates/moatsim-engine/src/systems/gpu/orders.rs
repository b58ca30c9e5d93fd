//! The buyers' side of the accelerator market: labs' GPU bids for the power
//! they will have and for refreshing their fleets, and the aggregate buyers'
//! orders (the rest of the market).

use crate::components::*;
use crate::resources::*;
use crate::systems::cloud::CloudMarket;
use crate::systems::contracts::ContractBook;
use crate::systems::gpu::{GpuOrders, RefreshOrder, RegionalGpuBid};
use crate::systems::{export_treatment, licence_fee_rates, products_on_sale, system_price};
use bevy_ecs::prelude::*;
use moatsim_config::{ChipOwner, Scenario};
use moatsim_model::accelerator_demand;
use moatsim_model::market::gpu::{ExportTreatment, GpuBid};
use moatsim_model::refresh::{InstalledGeneration, plan_refresh};
use moatsim_model::units::{mw_drawn_by, units_powered_by};

/// This quarter's asks per chip generation (`None` for one not on sale), the
/// licence-fee rate each maker's regulator charges on exports to capped
/// regions, and the quarter they are asked in: what a lab's GPU bids are
/// priced against.
#[derive(Debug, Clone)]
pub(crate) struct ChipPrices {
    pub(crate) ask: Vec<Option<f64>>,
    pub(crate) fee_rate_of_maker: Vec<f64>,
    pub(crate) quarter: moatsim_model::Quarter,
}

/// What an H100e a lab buys is worth to it: what it earns serving for
/// `behaviour.gpu_value_quarters`, at least `gpu_value_floor_per_h100e_usd`.
pub(crate) fn gpu_value_per_h100e(scenario: &Scenario, lab: &Lab) -> f64 {
    let behaviour = &scenario.behaviour;
    (lab.price_per_mtok * lab.mtok_per_h100e * behaviour.gpu_value_quarters)
        .max(behaviour.gpu_value_floor_per_h100e_usd)
}

/// The lab a GPU bid is for: its id, its state and what an H100e is worth to it.
pub(crate) struct LabGpuTerms<'a> {
    pub(crate) buyer: moatsim_model::AgentId,
    pub(crate) lab: &'a Lab,
    pub(crate) value_per_h100e: f64,
}

/// Generations on sale that may go to `region`, with their price per unit
/// as the lab faces it (licence fee included) and their export treatment.
fn chips_for_region(
    scenario: &Scenario,
    ask: &[Option<f64>],
    fee_rate_of_maker: &[f64],
    (region, buyer): (usize, ChipOwner),
) -> Vec<(usize, f64, ExportTreatment)> {
    let mut out = Vec::new();
    for (chip, price) in ask.iter().enumerate() {
        let Some(price) = *price else { continue };
        // Another owner's custom accelerator is not for sale to this lab.
        if !scenario.chips[chip].sold_to(buyer) {
            continue;
        }
        let treatment = export_treatment(
            scenario,
            region,
            chip,
            fee_rate_of_maker[scenario.chips[chip].maker],
        );
        let effective = match treatment {
            ExportTreatment::Licensed { fee_rate } => price * (1.0 + fee_rate),
            _ => price,
        };
        out.push((chip, effective, treatment));
    }
    out
}

/// A power-limited lab's bids to refresh its fleet, per region where it has
/// energized sites (`moatsim_model::refresh::plan_refresh`): the most
/// power-efficient generation allowed there replaces the least efficient
/// installed units wherever the compute it adds is worth its price, up to
/// `wanted_mw` and `budget`. The bid's limit is the refresh value of the
/// last generation it replaces, so every MW it replaces pays.
pub(crate) fn bid_for_fleet_refresh(
    scenario: &Scenario,
    orders: &mut GpuOrders,
    chips: &ChipPrices,
    terms: &LabGpuTerms,
    own: &[&Project],
    wanted_mw: f64,
    budget: f64,
) {
    let (ask, fee_rate_of_maker, quarter) = (&chips.ask, &chips.fee_rate_of_maker, chips.quarter);
    let world = &scenario.world;
    let h100e_per_mw = |chip: usize| scenario.chips[chip].h100e_per_mw(world.pue);
    let mut wanted_mw = wanted_mw;
    let mut budget = budget;
    for region in 0..scenario.regions.len() {
        if wanted_mw <= 0.0 || budget <= 0.0 {
            break;
        }
        let mut installed_mw = vec![0.0; scenario.chips.len()];
        for p in own
            .iter()
            .filter(|p| p.region == region && p.stage == Stage::Energized)
        {
            for (chip, &units) in p.installed.iter().enumerate() {
                installed_mw[chip] +=
                    mw_drawn_by(units as f64, scenario.chips[chip].watts, world.pue);
            }
        }
        if installed_mw.iter().all(|&mw| mw <= 0.0) {
            continue;
        }
        let Some((chip, price, treatment)) = chips_for_region(
            scenario,
            ask,
            fee_rate_of_maker,
            (region, ChipOwner::Lab(terms.lab.index)),
        )
        .into_iter()
        .filter(|c| c.2 != ExportTreatment::Embargoed)
        .max_by(|a, b| {
            h100e_per_mw(a.0)
                .total_cmp(&h100e_per_mw(b.0))
                .then(b.0.cmp(&a.0))
        }) else {
            continue;
        };
        let generation = &scenario.chips[chip];
        let installed: Vec<InstalledGeneration> = installed_mw
            .iter()
            .enumerate()
            .filter(|(c, _)| {
                // Only generations old enough to be due for refresh.
                scenario.chips[*c]
                    .available
                    .plus(scenario.behaviour.refresh_min_age_quarters)
                    <= quarter
            })
            .map(|(c, &mw)| InstalledGeneration {
                chip: c,
                h100e_per_mw: h100e_per_mw(c),
                // Crews and downtime pace a refresh: a share of each
                // generation's power a quarter.
                mw: mw * scenario.behaviour.refresh_share_per_quarter,
            })
            .collect();
        let plan = plan_refresh(
            &installed,
            h100e_per_mw(chip),
            terms.value_per_h100e,
            price / generation.h100e_per_unit,
            wanted_mw,
        );
        let by_power = units_powered_by(plan.mw(), generation.watts, world.pue);
        let by_budget = (budget / price).floor();
        let units = by_power.min(by_budget).max(0.0) as u64;
        if units == 0 {
            continue;
        }
        orders.bids[chip].push(RegionalGpuBid {
            region,
            bid: GpuBid {
                buyer: terms.buyer,
                units,
                limit_usd: plan.marginal_value_per_h100e * generation.h100e_per_unit,
                export: treatment,
            },
            refresh: true,
        });
        orders.refresh.push(RefreshOrder {
            lab: terms.buyer,
            region,
            chip,
            retire_up_to_h100e_per_mw: plan.retire_up_to_h100e_per_mw,
            mw: mw_drawn_by(units as f64, generation.watts, world.pue),
        });
        wanted_mw -= plan.mw();
        budget -= units as f64 * price;
    }
}

/// A lab's GPU bids for the power it will have soon, per region: its budget
/// and compute gap split in proportion to the free MW there, over the
/// generations on sale ranked by H100e per dollar (licence fee included),
/// each capped by power, gap and budget. Its limit is what an H100e earns it
/// serving for `behaviour.gpu_value_quarters` (at least
/// `gpu_value_floor_per_h100e_usd`), raised by urgency and, when it is
/// backlogged, by `behaviour.backlog_premium`. Returns what the bids would
/// cost at the asks.
pub(crate) fn bid_for_lab_gpus(
    scenario: &Scenario,
    orders: &mut GpuOrders,
    chips: &ChipPrices,
    terms: &LabGpuTerms,
    free_mw: &[f64],
    budget: f64,
    gap_h100e: f64,
) -> f64 {
    let (ask, fee_rate_of_maker) = (&chips.ask, &chips.fee_rate_of_maker);
    let world = &scenario.world;
    let total_free: f64 = free_mw.iter().sum();
    let lab = terms.lab;
    let value_per_h100e = terms.value_per_h100e;
    let mut spend = 0.0;
    for (region, &mw) in free_mw.iter().enumerate() {
        if mw <= 0.0 {
            continue;
        }
        let region_budget = budget * mw / total_free;
        let region_gap = gap_h100e * mw / total_free;
        // Rank generations on sale by H100e per dollar, licence fee included.
        let candidates: Vec<(usize, f64, ExportTreatment)> = chips_for_region(
            scenario,
            ask,
            fee_rate_of_maker,
            (region, ChipOwner::Lab(terms.lab.index)),
        )
        .into_iter()
        .map(|(chip, effective, treatment)| {
            (
                chip,
                scenario.chips[chip].h100e_per_unit / effective,
                treatment,
            )
        })
        .collect();
        let allowed: Vec<_> = candidates
            .iter()
            .filter(|c| c.2 != ExportTreatment::Embargoed)
            .cloned()
            .collect();
        // With nothing allowed, labs still bid for the best chip: the market
        // blocks it, and the blocked demand is recorded.
        let mut ranked = if allowed.is_empty() {
            candidates
        } else {
            allowed
        };
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        // A backlogged lab spreads its order over more generations and pays up.
        let backlogged = lab.gpu_fill_ratio < scenario.behaviour.backlog_fill_ratio;
        let b = &scenario.behaviour;
        let split: &[f64] = if backlogged {
            &[
                b.backlog_gpu_weight_best,
                b.backlog_gpu_weight_second,
                b.backlog_gpu_weight_third,
            ]
        } else {
            &[b.gpu_weight_best, b.gpu_weight_second]
        };
        let used = split.len().min(ranked.len());
        let split_total: f64 = split[..used].iter().sum();
        for (rank, &(chip, per_dollar, treatment)) in ranked.iter().take(used).enumerate() {
            let weight = split[rank] / split_total;
            let generation = &scenario.chips[chip];
            let by_power = units_powered_by(mw * weight, generation.watts, world.pue);
            let by_gap = (region_gap * weight / generation.h100e_per_unit).ceil();
            let by_budget =
                (region_budget * weight * per_dollar / generation.h100e_per_unit).floor();
            let units = by_power.min(by_gap).min(by_budget).max(0.0) as u64;
            if units == 0 {
                continue;
            }
            let urgency = (gap_h100e / lab.target_h100e.max(1.0)).min(1.0)
                + if backlogged {
                    scenario.behaviour.backlog_premium
                } else {
                    0.0
                };
            orders.bids[chip].push(RegionalGpuBid {
                region,
                bid: GpuBid {
                    buyer: terms.buyer,
                    units,
                    limit_usd: value_per_h100e * generation.h100e_per_unit * (1.0 + urgency),
                    export: treatment,
                },
                refresh: false,
            });
            spend += units as f64 * generation.h100e_per_unit / per_dollar;
        }
    }
    spend
}

/// One aggregate buyer's order this quarter: the generations it buys and in
/// what shares, the MW an H100e of that mix draws, the H100e it wants, and
/// where they are placed (region, H100e).
struct BuyerPlan {
    buyer: moatsim_model::AgentId,
    home: usize,
    offers: Vec<(usize, f64, ExportTreatment)>,
    shares: Vec<f64>,
    mw_per_h100e: f64,
    ordered: f64,
    placed: Vec<(usize, f64)>,
    /// Grid room found for it, MW: at home (spare share plus queue grants)
    /// and elsewhere.
    room_mw: f64,
}

/// What the aggregate buyers see of the market this quarter: asks, the
/// share of its orders each generation is expected to fill, licence fees,
/// and each region's spare grid capacity, buyers and rental fleets.
struct BuyerMarket {
    ask: Vec<Option<f64>>,
    availability: Vec<f64>,
    fee_rate_of_maker: Vec<f64>,
    /// Spare grid capacity per region, shared by the region's buyers, MW.
    room_mw: Vec<f64>,
    buyers_in_region: Vec<usize>,
    rental_fleet: Vec<f64>,
}

/// Aggregate buyers (the rest of the accelerator market) order the fleet
/// growth they want at this quarter's asks (`accelerator_demand`): the compute
/// they want at the reference price, scaled by the price elasticity, nothing
/// above their value, spread over the generations their region may buy
/// towards the most H100e per dollar, and no more than their grid can power.
/// Cloud owners also build rental capacity towards unmet rental demand while
/// renting pays.
#[allow(
    clippy::too_many_arguments,
    reason = "a bevy system takes the resources and queries it touches as parameters"
)]
pub fn bid_for_accelerators(
    clock: Res<Clock>,
    params: Res<Params>,
    mut buyers: Query<(&Agent, &mut AcceleratorBuyer)>,
    chipmakers: Query<&Chipmaker>,
    utilities: Query<&Utility>,
    cloud: Res<CloudMarket>,
    book: Res<ContractBook>,
    mut orders: ResMut<GpuOrders>,
) {
    let scenario = &params.0;
    let on_sale = products_on_sale(scenario, clock.quarter, chipmakers.iter());
    let mut market = BuyerMarket {
        ask: on_sale
            .iter()
            .map(|p| p.map(|p| system_price(scenario, p)))
            .collect(),
        availability: on_sale
            .iter()
            .map(|p| p.map_or(1.0, |p| p.expected_fill))
            .collect(),
        fee_rate_of_maker: licence_fee_rates(scenario),
        room_mw: vec![0.0; scenario.regions.len()],
        buyers_in_region: vec![0usize; scenario.regions.len()],
        rental_fleet: vec![0.0; scenario.regions.len()],
    };
    for utility in &utilities {
        let spec = &scenario.utilities[utility.index];
        market.room_mw[utility.region] += utility.spare_mw(spec.min_reserve_margin).max(0.0);
    }
    for (_, buyer) in &buyers {
        market.buyers_in_region[buyer.region] += 1;
        market.rental_fleet[buyer.region] += buyer.rental_fleet_h100e;
    }

    let mut sorted: Vec<(&Agent, Mut<AcceleratorBuyer>)> = buyers.iter_mut().collect();
    sorted.sort_by_key(|(a, _)| a.id);
    // Spare capacity each region's buyers have used this quarter, MW.
    let mut spare_used = vec![0.0; scenario.regions.len()];
    let mut plans: Vec<BuyerPlan> = Vec::new();
    for (agent, buyer) in sorted.iter_mut() {
        let (wanted, for_rent) = wanted_h100e(scenario, &cloud, &market, buyer, clock.tick);
        // A host builds what its contracts will need by the end of the lead
        // time and its contract fleet does not yet hold.
        let lead = scenario.contracts.as_ref().map_or(0, |c| c.lead_quarters);
        let committed = book
            .committed(agent.id, clock.tick + lead)
            .max(book.committed(agent.id, clock.tick));
        let for_contracts = (committed - buyer.contract_fleet_h100e).max(0.0);
        buyer.flows.wanted_h100e = wanted + for_contracts;
        buyer.flows.wanted_for_rent_h100e = for_rent;
        buyer.flows.wanted_for_contracts_h100e = for_contracts;
        if let Some(plan) = plan_buyer_order(scenario, &market, agent.id, buyer) {
            spare_used[buyer.region] +=
                (plan.placed[0].1 * plan.mw_per_h100e - buyer.power_reserved_mw).max(0.0);
            plans.push(plan);
        }
    }
    place_beyond_home(scenario, &market, &mut plans, &mut spare_used);
    for plan in plans {
        let Some((_, buyer)) = sorted.iter_mut().find(|(a, _)| a.id == plan.buyer) else {
            continue;
        };
        bid_for_plan(scenario, &plan, buyer, &mut orders);
    }
    // Clearing breaks ties by input order: bids in agent-id order.
    for bids in &mut orders.bids {
        bids.sort_by_key(|b| b.bid.buyer);
    }
}

/// The fleet growth a buyer wants this quarter, H100e, and the part of it
/// meant for rent. Its own fleet grows at its wanted growth and replaces its
/// share of what retired this quarter. The rental fleet grows to orders: towards last quarter's
/// unmet rental demand in its region, in proportion to its share of the
/// region's rental fleets, and only while renting covers what owning costs.
fn wanted_h100e(
    scenario: &Scenario,
    cloud: &CloudMarket,
    market: &BuyerMarket,
    buyer: &AcceleratorBuyer,
    tick: u32,
) -> (f64, f64) {
    let spec = &scenario.accelerator_buyers[buyer.index];
    let growth = accelerator_demand::wanted_growth(
        spec.growth_per_quarter,
        spec.growth_half_life_quarters,
        tick,
    );
    let rental = &cloud.regions[buyer.region];
    let renting_pays = rental.ask_per_h100e_quarter >= buyer.rental_cost_per_h100e_quarter;
    let for_rent = if buyer.rental_fleet_h100e > 0.0 && renting_pays {
        let share =
            buyer.rental_fleet_h100e / market.rental_fleet[buyer.region].max(f64::MIN_POSITIVE);
        rental.expected_unmet_h100e * share
    } else {
        0.0
    };
    let own = (buyer.fleet_h100e - buyer.rental_fleet_h100e).max(0.0);
    // Retirement took the rental fleet's share of what retired with it; the
    // rental fleet grows back to orders above.
    let own_share = if buyer.fleet_h100e > 0.0 {
        own / buyer.fleet_h100e
    } else {
        1.0
    };
    let wanted =
        accelerator_demand::wanted_for_own_use(own, growth, buyer.flows.retired_h100e * own_share)
            + for_rent;
    (wanted, for_rent)
}

/// A buyer's order at this quarter's asks: the generations worth ordering
/// (those its region may buy, at most its value per H100e) and its shares of
/// each, the H100e it orders, and what of it fits on its home grid (its
/// share of the region's spare capacity plus what the queue granted it).
/// `None` when no generation is worth ordering.
fn plan_buyer_order(
    scenario: &Scenario,
    market: &BuyerMarket,
    id: moatsim_model::AgentId,
    buyer: &AcceleratorBuyer,
) -> Option<BuyerPlan> {
    let spec = &scenario.accelerator_buyers[buyer.index];
    let pue = scenario.world.pue;
    // What each generation costs this buyer per H100e, licence fee included.
    let mut offers: Vec<(usize, f64, ExportTreatment)> = Vec::new();
    for (chip, price) in market.ask.iter().enumerate() {
        let Some(price) = *price else { continue };
        let generation = &scenario.chips[chip];
        // Another owner's custom accelerator is not for sale to this buyer.
        if !generation.sold_to(ChipOwner::Buyer(buyer.index)) {
            continue;
        }
        let treatment = export_treatment(
            scenario,
            buyer.region,
            chip,
            market.fee_rate_of_maker[generation.maker],
        );
        let faced = match treatment {
            ExportTreatment::Embargoed => continue,
            ExportTreatment::Licensed { fee_rate } => price * (1.0 + fee_rate),
            ExportTreatment::Unrestricted => price,
        };
        let per_h100e = faced / generation.h100e_per_unit;
        // A generation dearer than the compute is worth is not worth ordering.
        if per_h100e <= spec.value_per_h100e_usd {
            offers.push((chip, per_h100e, treatment));
        }
    }
    let cheapest = offers.iter().map(|o| o.1).min_by(f64::total_cmp)?;
    // What its compute contracts need is ordered whatever the price: it is
    // sold already. The rest follows the price.
    let for_contracts = buyer.flows.wanted_for_contracts_h100e;
    let ordered = accelerator_demand::h100e_ordered(
        buyer.flows.wanted_h100e - for_contracts,
        cheapest,
        spec.reference_price_per_h100e_usd,
        spec.price_elasticity,
        spec.value_per_h100e_usd,
    ) + for_contracts;
    let value: Vec<f64> = offers.iter().map(|o| 1.0 / o.1).collect();
    let available: Vec<f64> = offers.iter().map(|o| market.availability[o.0]).collect();
    let shares = accelerator_demand::split_by_value(&value, &available, spec.choice_sharpness);
    // The grid's spare capacity caps what the order may add to the load.
    let mw_per_h100e: f64 = offers
        .iter()
        .zip(&shares)
        .map(|(o, share)| {
            let generation = &scenario.chips[o.0];
            share * mw_drawn_by(1.0, generation.watts, pue) / generation.h100e_per_unit
        })
        .sum();
    // At home: its share of the region's spare capacity plus what the
    // queue granted it. What does not fit waits for the second pass.
    let home_room = market.room_mw[buyer.region]
        / market.buyers_in_region[buyer.region].max(1) as f64
        + buyer.power_reserved_mw;
    let at_home = if mw_per_h100e > 0.0 && ordered * mw_per_h100e > home_room {
        home_room / mw_per_h100e
    } else {
        ordered
    };
    Some(BuyerPlan {
        buyer: id,
        home: buyer.region,
        offers,
        shares,
        mw_per_h100e,
        ordered,
        placed: vec![(buyer.region, at_home)],
        room_mw: home_room,
    })
}

/// Second pass, in agent-id order: a buyer whose home grid could not host
/// its order places the rest where the region's own buyers left spare
/// capacity, in the other regions of its jurisdiction and export tier.
fn place_beyond_home(
    scenario: &Scenario,
    market: &BuyerMarket,
    plans: &mut [BuyerPlan],
    spare_used: &mut [f64],
) {
    for plan in plans {
        let mut short = plan.ordered - plan.placed[0].1;
        if plan.mw_per_h100e <= 0.0 || short <= 0.0 {
            continue;
        }
        let home = &scenario.regions[plan.home];
        for (r, region) in scenario.regions.iter().enumerate() {
            let same_rules =
                region.jurisdiction == home.jurisdiction && region.export_tier == home.export_tier;
            if r == plan.home || !same_rules || short <= 0.0 {
                continue;
            }
            let left_mw = (market.room_mw[r] - spare_used[r]).max(0.0);
            let take = short.min(left_mw / plan.mw_per_h100e);
            if take > 0.0 {
                spare_used[r] += take * plan.mw_per_h100e;
                plan.room_mw += take * plan.mw_per_h100e;
                plan.placed.push((r, take));
                short -= take;
            }
        }
    }
}

/// A buyer's bids for its placed order, per region and generation, at its
/// value of the unit; what no region could host joins its home queue.
fn bid_for_plan(
    scenario: &Scenario,
    plan: &BuyerPlan,
    buyer: &mut AcceleratorBuyer,
    orders: &mut GpuOrders,
) {
    let spec = &scenario.accelerator_buyers[buyer.index];
    let ordered: f64 = plan.placed.iter().map(|p| p.1).sum();
    if plan.mw_per_h100e > 0.0 && plan.ordered * plan.mw_per_h100e > plan.room_mw {
        buyer.flows.power_to_request_mw = accelerator_demand::power_to_request(
            plan.ordered * plan.mw_per_h100e,
            plan.room_mw,
            buyer.power_queued_mw,
        );
        buyer.flows.power_limited = true;
    }
    buyer.flows.ordered_h100e = ordered;
    for &(region, h100e) in &plan.placed {
        for ((chip, _, treatment), share) in plan.offers.iter().zip(&plan.shares) {
            let generation = &scenario.chips[*chip];
            let units = (h100e * share / generation.h100e_per_unit).floor() as u64;
            if units == 0 {
                continue;
            }
            // The limit is the buyer's value of the unit, licence fee included.
            let limit = spec.value_per_h100e_usd * generation.h100e_per_unit;
            orders.bids[*chip].push(RegionalGpuBid {
                region,
                bid: GpuBid {
                    buyer: plan.buyer,
                    units,
                    limit_usd: limit,
                    export: *treatment,
                },
                refresh: false,
            });
        }
    }
}
