//! Builds the initial world from a validated scenario.
//!
//! Agent ids are assigned in a fixed order — labs, investors, chipmakers,
//! utilities, regulators, accelerator buyers, then app builders — starting at 1, so an id names one
//! agent of one kind in a run and lab index `i` always has id `i + 1`.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use moatsim_config::Scenario;
use moatsim_model::market::vintages;
use moatsim_model::units::{HOURS_PER_QUARTER, initial_site_mw, mw_drawn_by};
use moatsim_model::{AgentId, Quarter};

use crate::apps::AppBuilderPopulation;
use crate::components::*;
use crate::resources::*;
use crate::systems::cloud::{CloudMarket, RegionRental};
use crate::systems::quarter::MarketBooks;

/// Sites a lab's starting pipeline is split into; they energize two quarters apart.
const INITIAL_PIPELINE_SITES: u32 = 4;

pub fn populate(world: &mut World, scenario: &Arc<Scenario>) {
    let s = scenario.as_ref();
    let mut next_id = 1u64;
    let mut take_id = || {
        let id = AgentId(next_id);
        next_id += 1;
        id
    };
    let lab_ids: Vec<AgentId> = s.labs.iter().map(|_| take_id()).collect();
    let investor_ids: Vec<AgentId> = s.investors.iter().map(|_| take_id()).collect();
    let chipmaker_ids: Vec<AgentId> = s.chipmakers.iter().map(|_| take_id()).collect();
    let utility_ids: Vec<AgentId> = s.utilities.iter().map(|_| take_id()).collect();
    let regulator_ids: Vec<AgentId> = s.regulators.iter().map(|_| take_id()).collect();
    let buyer_ids: Vec<AgentId> = s.accelerator_buyers.iter().map(|_| take_id()).collect();
    let first_builder = take_id().get();

    // Initial data-center load per region, from the labs' existing sites.
    let (initial_dc_mw, next_project) = spawn_labs(world, s, &lab_ids);

    spawn_buyers(world, s, &buyer_ids);

    spawn_investors(world, s, &investor_ids);

    spawn_chipmakers(world, s, &chipmaker_ids);

    spawn_utilities(world, s, &utility_ids, &initial_dc_mw);

    spawn_regulators(world, s, &regulator_ids);

    let regions = s
        .regions
        .iter()
        .map(|r| RegionState {
            land_available_acres: r.land_stock_acres,
            land_price_per_acre: r.land_price_per_acre_usd,
            lab_land_demand_acres: 0.0,
            powered_available_acres: r.powered_land_acres,
        })
        .collect();
    world.insert_resource(RegionBook { regions });
    world.insert_resource(AppBuilderPopulation::generate(s, first_builder));
    world.insert_resource(IdSource {
        next_agent: first_builder + s.app_builders.count,
        next_project,
    });
    world.insert_resource(Clock {
        tick: 0,
        quarter: s.start,
        seed: s.seed,
    });
    world.insert_resource(Params(Arc::clone(scenario)));
    let mut rental = vec![
        RegionRental {
            ask_per_h100e_quarter: s.cloud.ask_per_h100e_hour_usd * HOURS_PER_QUARTER,
            ..RegionRental::default()
        };
        s.regions.len()
    ];
    for spec in &s.accelerator_buyers {
        rental[spec.region].last_fleet_h100e += spec.fleet_h100e * spec.rental_share;
    }
    world.insert_resource(CloudMarket { regions: rental });
    world.insert_resource(crate::systems::contracts::ContractBook::default());
    MarketBooks::insert(world, s);
    world.insert_resource(Technology::default());
    world.insert_resource(Ledger::default());
    world.insert_resource(Logs::default());
    world.insert_resource(QuarterStats::default());
    world.insert_resource(TierMarket::default());
    world.insert_resource(FrameSlot::default());
    world.insert_resource(JointVentureTies::default());
}

/// The calendar quarter of `tick`.
pub fn quarter_of(scenario: &Scenario, tick: u32) -> Quarter {
    scenario.start.plus(tick)
}

/// A lab's energized site at the start, holding every generation of its
/// starting fleet, each bought evenly from its launch to the start
/// (`market::vintages`) so that it retires over as many quarters; and the
/// fleet's book cost.
fn starting_site(
    s: &Scenario,
    spec: &moatsim_config::LabSpec,
    (id, index): (AgentId, usize),
    project_id: u64,
) -> (Project, f64) {
    let pue = s.world.pue;
    let (mut mw, mut fleet_cost) = (0.0, 0.0);
    let mut installed = vec![0; s.chips.len()];
    let mut starting_vintages = vec![Vec::new(); s.chips.len()];
    for (c, h100e) in spec.starting_fleet() {
        let chip = &s.chips[c];
        let units = (h100e / chip.h100e_per_unit).ceil() as u64;
        let part_mw = initial_site_mw(h100e, chip.h100e_per_unit, chip.watts, pue);
        let cost = units as f64 * chip.launch_price_usd * s.behaviour.initial_fleet_book_value;
        mw += part_mw;
        installed[c] += units;
        fleet_cost += cost;
        starting_vintages[c].extend(vintages::spread_before_start(
            spec.home_region,
            units as f64 * chip.h100e_per_unit,
            part_mw,
            cost,
            u32::try_from(s.start.since(chip.available)).unwrap_or(0),
        ));
    }
    let acres = mw / s.regions[spec.home_region].mw_per_acre;
    let site = Project {
        project_id,
        lab: id,
        lab_index: index,
        region: spec.home_region,
        stage: Stage::Energized,
        mw,
        acres_needed: acres,
        acres_held: acres,
        powered_acres: 0.0,
        started_tick: 0,
        ready_tick: 0,
        construction_quarters: s.world.dc_build_quarters,
        construction_paid_usd: mw * s.world.dc_capex_per_mw_usd,
        financier: None,
        financed_usd: 0.0,
        installed,
        online_h100e: 0.0,
        online_units: 0,
        stranded_units: 0,
        load_mw: 0.0,
        retired_units: 0,
        vintages: starting_vintages,
    };
    (site, fleet_cost)
}

/// Spawns the labs, each with its energized site and its sites under construction; returns the starting data-center MW per region and the next project id.
fn spawn_labs(world: &mut World, s: &Scenario, ids: &[AgentId]) -> (Vec<f64>, u64) {
    let mut initial_dc_mw = vec![0.0; s.regions.len()];
    let mut next_project = 1u64;
    for (index, (spec, &id)) in s.labs.iter().zip(ids).enumerate() {
        let (site, fleet_cost) = starting_site(s, spec, (id, index), next_project);
        let mw = site.mw;
        initial_dc_mw[spec.home_region] += mw;
        let online_h100e = spec.starting_h100e();
        world.spawn(site);
        next_project += 1;
        // Sites already under construction at the start, with power contracted,
        // energizing in turn over `behaviour.initial_pipeline_span_quarters`
        // (campuses complete in phases); what remains of their construction
        // is paid as it completes.
        if spec.pipeline_mw > 0.0 {
            initial_dc_mw[spec.home_region] += spec.pipeline_mw;
            let build = s.world.dc_build_quarters;
            for step in 0..INITIAL_PIPELINE_SITES {
                let mw = spec.pipeline_mw / f64::from(INITIAL_PIPELINE_SITES);
                let span = s.behaviour.initial_pipeline_span_quarters.max(1);
                let ready_tick = 1 + step * (span - 1) / (INITIAL_PIPELINE_SITES - 1).max(1);
                let total = mw * s.world.dc_capex_per_mw_usd;
                let acres = mw / s.regions[spec.home_region].mw_per_acre;
                world.spawn(Project {
                    project_id: next_project,
                    lab: id,
                    lab_index: index,
                    region: spec.home_region,
                    stage: Stage::Construction,
                    mw,
                    acres_needed: acres,
                    acres_held: acres,
                    powered_acres: 0.0,
                    started_tick: 0,
                    ready_tick,
                    // Phased by `initial_pipeline_span_quarters`, not drawn.
                    construction_quarters: build,
                    construction_paid_usd: total
                        * (1.0 - f64::from(ready_tick) / f64::from(build)).max(0.0),
                    financier: None,
                    financed_usd: 0.0,
                    installed: vec![0; s.chips.len()],
                    online_h100e: 0.0,
                    online_units: 0,
                    stranded_units: 0,
                    load_mw: 0.0,
                    retired_units: 0,
                    vintages: Vec::new(),
                });
                next_project += 1;
            }
        }
        world.spawn((
            Agent {
                id,
                name: spec.name.clone(),
            },
            Cash(spec.cash_usd),
            Lab {
                index,
                home_region: spec.home_region,
                alive: true,
                capability: spec.capability,
                // What the lab trained before the run, in quarters of its
                // first quarter's training compute.
                effective_training_compute: online_h100e
                    * (1.0 - spec.inference_share)
                    * s.world.prior_training_quarters,
                valuation_usd: spec.valuation_usd,
                last_post_money_usd: spec.valuation_usd,
                run_rate_at_last_round_usd: 0.0,
                ambition_per_quarter: spec.ambition_per_quarter,
                inference_share: spec.inference_share,
                markup: spec.markup,
                scarcity_premium: 1.0,
                previous_price_per_mtok: 0.0,
                frontier_price_per_mtok: 0.0,
                commodity_price_per_mtok: 0.0,
                price_per_mtok: 0.0,
                marginal_cost_per_mtok: 0.0,
                mtok_per_h100e: s.world.mtok_per_h100e_quarter,
                fixed_capability_price_per_mtok: None,
                fleet_cost_usd: fleet_cost,
                facility_cost_usd: mw
                    * s.world.dc_capex_per_mw_usd
                    * s.behaviour.initial_facility_book_value,
                quarters_in_distress: 0,
                outage_share: 0.0,
                outage_until_tick: 0,
                outage_applied: 0.0,
                previous_revenue_usd: 0.0,
                last_round_tick: None,
                target_h100e: online_h100e,
                capex_budget_usd: 0.0,
                online_h100e,
                rented_h100e: 0.0,
                contracted_h100e: 0.0,
                recent_net_outflows_usd: Vec::new(),
                recent_revenue_usd: Vec::new(),
                assets_for_sale: false,
                training_h100e: 0.0,
                inference_h100e: 0.0,
                capacity_mtok: 0.0,
                demand_mtok: 0.0,
                previous_demand_mtok: 0.0,
                served_mtok: 0.0,
                failover_in_mtok: 0.0,
                flows: Default::default(),
                gpu_fill_ratio: 1.0,
                market_share: 0.0,
                customers: 0,
                retention: 0.8,
            },
        ));
    }
    (initial_dc_mw, next_project)
}

/// Spawns the aggregate buyers with their starting fleets, book costs and rental fleets.
fn spawn_buyers(world: &mut World, s: &Scenario, ids: &[AgentId]) {
    let pue = s.world.pue;
    for (index, (spec, &id)) in s.accelerator_buyers.iter().zip(ids).enumerate() {
        let chip = &s.chips[spec.initial_chip];
        let units = (spec.fleet_h100e / chip.h100e_per_unit).ceil();
        let load = mw_drawn_by(units, chip.watts, pue);
        let book_cost = spec.fleet_h100e
            * spec.reference_price_per_h100e_usd
            * s.behaviour.initial_fleet_book_value;
        // The starting fleet was bought from its generation's launch to the
        // start, evenly: it retires over as many quarters.
        let bought_over = u32::try_from(s.start.since(chip.available)).unwrap_or(0);
        world.spawn((
            Agent {
                id,
                name: spec.name.clone(),
            },
            Cash(0.0),
            AcceleratorBuyer {
                index,
                region: spec.region,
                fleet_h100e: spec.fleet_h100e,
                load_mw: load,
                initial_load_mw: load,
                added_load_by_region: vec![0.0; s.regions.len()],
                units_delivered: 0,
                rental_fleet_h100e: spec.fleet_h100e * spec.rental_share,
                contract_fleet_h100e: 0.0,
                fleet_cost_usd: book_cost,
                rental_cost_per_h100e_quarter: 0.0,
                power_reserved_mw: 0.0,
                power_queued_mw: 0.0,
                vintages: vintages::spread_before_start(
                    spec.region,
                    spec.fleet_h100e,
                    load,
                    book_cost,
                    bought_over,
                ),
                flows: Default::default(),
            },
        ));
    }
}

/// Spawns the investors with their dry powder.
fn spawn_investors(world: &mut World, s: &Scenario, ids: &[AgentId]) {
    for (index, (spec, &id)) in s.investors.iter().zip(ids).enumerate() {
        world.spawn((
            Agent {
                id,
                name: spec.name.clone(),
            },
            Cash(spec.dry_powder_usd),
            Investor {
                index,
                kind: spec.kind,
                banks_powered_land_for: spec.banks_powered_land_for,
                inflow_per_quarter_usd: spec.inflow_per_quarter_usd,
                risk_appetite: spec.risk_appetite,
                revenue_multiple: spec.revenue_multiple,
                max_deal_fraction: spec.max_deal_fraction,
                holdings: Vec::new(),
                invested_total_usd: 0.0,
                portfolio_value_usd: 0.0,
                financed_halls_usd: 0.0,
                flows: Default::default(),
                land: Vec::new(),
            },
        ));
    }
}

/// Spawns the chipmakers with their packaging capacity, expansions under way and products.
fn spawn_chipmakers(world: &mut World, s: &Scenario, ids: &[AgentId]) {
    for (index, (spec, &id)) in s.chipmakers.iter().zip(ids).enumerate() {
        let products = s
            .chips
            .iter()
            .enumerate()
            .filter(|(_, chip)| chip.maker == index)
            .map(|(chip, generation)| Product {
                chip,
                ask_usd: generation.launch_price_usd,
                inventory_units: 0,
                backlog_units: 0,
                capacity_units: 0,
                sellable_units: 0,
                produced_units: 0,
                offered_units: 0,
                demand_units: 0,
                expected_fill: 1.0,
                sold_units: 0,
            })
            .collect();
        world.spawn((
            Agent {
                id,
                name: spec.name.clone(),
            },
            Cash(spec.cash_usd),
            Chipmaker {
                index,
                jurisdiction_regulator: s
                    .regulators
                    .iter()
                    .position(|r| r.jurisdiction == spec.jurisdiction)
                    .unwrap_or(0),
                wafers_per_quarter: spec.packaging_wafers_per_quarter,
                expansions: spec
                    .expansions_under_way
                    .iter()
                    .map(|&(ready, wafers)| {
                        (u32::try_from(ready.since(s.start)).unwrap_or(0), wafers)
                    })
                    .collect(),
                quarters_backlogged: 0,
                products,
                flows: Default::default(),
                idle_wafers: 0.0,
                packaging_cost_usd: spec.packaging_wafers_per_quarter
                    * spec.expansion_cost_per_wafer_usd
                    * s.behaviour.initial_facility_book_value,
            },
        ));
    }
}

/// Spawns the utilities; their contracted data-center load starts at the labs' sites in their region.
fn spawn_utilities(world: &mut World, s: &Scenario, ids: &[AgentId], initial_dc_mw: &[f64]) {
    for (index, (spec, &id)) in s.utilities.iter().zip(ids).enumerate() {
        world.spawn((
            Agent {
                id,
                name: spec.name.clone(),
            },
            Cash(spec.cash_usd),
            Utility {
                index,
                region: spec.region,
                generation_mw: spec.generation_mw,
                base_load_mw: spec.base_load_mw,
                dc_contracted_mw: initial_dc_mw[spec.region],
                buyer_added_mw: 0.0,
                buyer_reserved_mw: 0.0,
                powered_reserved_mw: s
                    .regions
                    .iter()
                    .filter(|r| r.utility == index)
                    .map(|r| r.powered_land_acres * r.mw_per_acre)
                    .sum(),
                tariff_per_mwh: spec.base_tariff_per_mwh,
                builds: Vec::new(),
                queue: Vec::new(),
                flows: Default::default(),
                plant_cost_usd: 0.0,
            },
        ));
    }
}

/// Spawns the regulators.
fn spawn_regulators(world: &mut World, s: &Scenario, ids: &[AgentId]) {
    for (index, (spec, &id)) in s.regulators.iter().zip(ids).enumerate() {
        world.spawn((
            Agent {
                id,
                name: spec.name.clone(),
            },
            Cash(0.0),
            Regulator {
                index,
                applications: Vec::new(),
                permit_delay_quarters: spec.permit_base_quarters,
                antitrust_review: false,
                flows: Default::default(),
                hhi_observed: 0.0,
            },
        ));
    }
}
