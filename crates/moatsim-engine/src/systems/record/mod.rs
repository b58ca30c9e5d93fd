//! Record phase: the quarter's state becomes one row per agent per table, plus
//! `markets`, `world` and `events`, handed out through [`FrameSlot`].
//!
//! The agents' rows are built here; the app builders' tables (columns, not
//! rows, as there are millions of builders) in `app_builders.rs`, and the
//! `world` row, which sums the others, in `world.rs`.

mod app_builders;
mod world;

use crate::systems::contracts::ContractBook;
use bevy_ecs::prelude::*;
use moatsim_config::Scenario;
use moatsim_model::rules;
use moatsim_model::units::HOURS_PER_QUARTER;

use crate::apps::AppBuilderPopulation;
use crate::components::*;
use crate::records::*;
use crate::resources::*;
use app_builders::{builder_columns, segment_rows};
use world::{FleetReadings, QuarterRows, world_row};

/// Builds the quarter's [`TickFrame`].
#[allow(
    clippy::too_many_arguments,
    reason = "a bevy system takes the resources and queries it touches as parameters"
)]
pub fn record_quarter(
    clock: Res<Clock>,
    params: Res<Params>,
    labs: Query<(&Agent, &Cash, &Lab)>,
    buyers: Query<(&Agent, &AcceleratorBuyer)>,
    projects: Query<&Project>,
    investors: Query<(&Agent, &Cash, &Investor)>,
    chipmakers: Query<(&Agent, &Cash, &Chipmaker)>,
    utilities: Query<(&Agent, &Cash, &Utility)>,
    regulators: Query<(&Agent, &Cash, &Regulator)>,
    population: Res<AppBuilderPopulation>,
    regions: Res<RegionBook>,
    technology: Res<Technology>,
    // Bevy takes at most sixteen parameters: the tiers and the contracts
    // come as one.
    (tiers, contracts): (Res<TierMarket>, Res<ContractBook>),
    mut stats: ResMut<QuarterStats>,
    mut logs: ResMut<Logs>,
    mut slot: ResMut<FrameSlot>,
) {
    let scenario = &params.0;
    let stamp = Stamp {
        tick: clock.tick,
        year: clock.quarter.year,
        quarter: clock.quarter.quarter,
    };

    // Tokens as counted (context included) over compute-equivalent tokens.
    let (start, now) = tiers.frontier_span();
    let counted = {
        let log = crate::apps::market_tokens_per_task_log(&scenario.app_builders, start, now);
        ((1.0 - scenario.app_builders.task_compute_elasticity) * log)
            .clamp(-30.0, 30.0)
            .exp()
    };
    let lab_rows = lab_rows(&labs, scenario, &projects, counted);

    let buyer_rows = buyer_rows(&buyers, scenario, (&contracts, clock.tick));

    let investor_rows = investor_rows(&investors, &regions);

    let chipmaker_rows = chipmaker_rows(&chipmakers, scenario, &clock);

    let utility_rows = utility_rows(&utilities, scenario, &clock);

    let regulator_rows = regulator_rows(&regulators, scenario);

    let project_rows = project_rows(&projects, scenario);

    let app_builders = builder_columns(&population, scenario.output.app_builders, clock.seed);
    let segment_names: Vec<String> = scenario
        .app_builders
        .segments
        .iter()
        .map(|s| s.name.clone())
        .collect();
    let mut app_builder_segments = segment_rows(&population, &segment_names);
    for (s, row) in app_builder_segments.iter_mut().enumerate() {
        row.tokens_per_task =
            crate::apps::tokens_per_task(&scenario.app_builders, s).growth(start, now);
    }

    let world = world_row(
        (&technology, &tiers),
        &mut stats,
        &QuarterRows {
            labs: &lab_rows,
            buyers: &buyer_rows,
            investors: &investor_rows,
            chipmakers: &chipmaker_rows,
            utilities: &utility_rows,
        },
        &FleetReadings::read(&clock, scenario, &projects, &chipmakers, &utilities),
    );

    slot.0 = Some(TickFrame {
        stamp,
        labs: lab_rows,
        accelerator_buyers: buyer_rows,
        investors: investor_rows,
        chipmakers: chipmaker_rows,
        utilities: utility_rows,
        regulators: regulator_rows,
        projects: project_rows,
        app_builders,
        segment_names,
        app_builder_segments,
        markets: std::mem::take(&mut logs.markets),
        world,
        events: std::mem::take(&mut logs.events),
    });
}

/// One `labs` row per lab, in id order.
fn lab_rows(
    labs: &Query<(&Agent, &Cash, &Lab)>,
    scenario: &Scenario,
    projects: &Query<&Project>,
    counted: f64,
) -> Vec<LabRow> {
    let mut lab_rows: Vec<LabRow> = labs
        .iter()
        .map(|(agent, cash, lab)| {
            let own = projects.iter().filter(|p| p.lab == agent.id);
            let (mut installed, mut stranded, mut in_pipeline, mut pipeline_mw, mut energized_mw) =
                (0, 0, 0, 0.0, 0.0);
            for p in own {
                installed += p.installed_units();
                stranded += p.stranded_units;
                if p.stage == Stage::Energized {
                    energized_mw += p.mw;
                } else {
                    in_pipeline += 1;
                    pipeline_mw += p.mw;
                }
            }
            let spec = &scenario.labs[lab.index];
            LabRow {
                lab_id: agent.id.get(),
                name: agent.name.clone(),
                kind: spec.kind.name(),
                jurisdiction: scenario.regions[spec.home_region].jurisdiction.clone(),
                alive: lab.alive,
                cash: cash.0,
                valuation: lab.valuation_usd,
                capability: lab.capability,
                effective_training_compute: lab.effective_training_compute,
                online_compute_h100e: lab.online_h100e,
                rented_compute_h100e: lab.rented_h100e,
                contracted_compute_h100e: lab.contracted_h100e,
                training_compute_h100e: lab.training_h100e,
                inference_compute_h100e: lab.inference_h100e,
                installed_gpus: installed,
                gpus_bought: lab.flows.gpus_bought,
                gpus_retired: lab.flows.gpus_retired,
                gpu_fill_ratio: lab.gpu_fill_ratio,
                stranded_gpus: stranded,
                inference_price: lab.price_per_mtok,
                marginal_cost: lab.marginal_cost_per_mtok,
                mtok_per_h100e: lab.mtok_per_h100e,
                frontier_price: lab.frontier_price_per_mtok * lab.scarcity_premium.max(1.0),
                commodity_price: lab.commodity_price_per_mtok * lab.scarcity_premium.max(1.0),
                fixed_capability_price: lab.fixed_capability_price_per_mtok.filter(|_| lab.alive),
                markup: lab.markup,
                scarcity_premium: lab.scarcity_premium,
                demand_mtok: lab.demand_mtok,
                served_mtok: lab.served_mtok,
                counted_mtok: lab.served_mtok * counted,
                revenue: lab.flows.revenue_usd,
                api_revenue: lab.flows.api_revenue_usd,
                product_revenue: lab.flows.product_revenue_usd,
                product_mtok: lab.flows.product_mtok,
                capex: lab.flows.capex_usd,
                opex: lab.flows.opex_usd,
                rent: lab.flows.rent_usd,
                power_cost: lab.flows.power_cost_usd,
                depreciation: lab.flows.depreciation_usd,
                profit: lab.profit_usd(),
                raised: lab.flows.raised_usd,
                market_share: lab.market_share,
                customers: lab.customers,
                retention: lab.retention,
                projects_in_pipeline: in_pipeline,
                pipeline_mw,
                energized_mw,
            }
        })
        .collect();
    lab_rows.sort_by_key(|r| r.lab_id);
    lab_rows
}

/// One `buyers` row per buyer, in id order.
fn buyer_rows(
    buyers: &Query<(&Agent, &AcceleratorBuyer)>,
    scenario: &Scenario,
    (book, tick): (&ContractBook, u32),
) -> Vec<BuyerRow> {
    let mut buyer_rows: Vec<BuyerRow> = buyers
        .iter()
        .map(|(agent, buyer)| {
            let spec = &scenario.accelerator_buyers[buyer.index];
            BuyerRow {
                buyer_id: agent.id.get(),
                name: agent.name.clone(),
                kind: spec.kind.name(),
                region: scenario.regions[buyer.region].name.clone(),
                fleet_h100e: buyer.fleet_h100e,
                load_mw: buyer.load_mw,
                retired_h100e: buyer.flows.retired_h100e,
                wanted_h100e: buyer.flows.wanted_h100e,
                ordered_h100e: buyer.flows.ordered_h100e,
                bought_h100e: buyer.flows.bought_h100e,
                units_bought: buyer.flows.units_bought,
                spend: buyer.flows.spend_usd,
                capex: buyer.flows.spend_usd / spec.accelerator_share_of_capex,
                power_cost: buyer.flows.power_cost_usd,
                depreciation: buyer.flows.depreciation_usd,
                rental_fleet_h100e: buyer.rental_fleet_h100e,
                rental_cost_per_h100e_hour: buyer.rental_cost_per_h100e_quarter / HOURS_PER_QUARTER,
                rented_out_h100e: buyer.flows.rented_out_h100e,
                rental_revenue: buyer.flows.rental_revenue_usd,
                contracted_out_h100e: buyer.flows.contracted_out_h100e,
                backlog_usd: book.backlog_after(agent.id, tick),
                rental_profit: buyer.rental_profit_usd(),
                power_limited: buyer.flows.power_limited,
                power_queued_mw: buyer.power_queued_mw,
                power_reserved_mw: buyer.power_reserved_mw,
                load_elsewhere_mw: buyer.load_elsewhere_mw(),
            }
        })
        .collect();
    buyer_rows.sort_by_key(|r| r.buyer_id);
    buyer_rows
}

/// One `investors` row per investor, in id order.
fn investor_rows(
    investors: &Query<(&Agent, &Cash, &Investor)>,
    regions: &RegionBook,
) -> Vec<InvestorRow> {
    let mut investor_rows: Vec<InvestorRow> = investors
        .iter()
        .map(|(agent, cash, investor)| InvestorRow {
            investor_id: agent.id.get(),
            name: agent.name.clone(),
            kind: investor.kind.name(),
            dry_powder: cash.0,
            invested: investor.flows.invested_usd,
            invested_total: investor.invested_total_usd,
            portfolio_value: investor.portfolio_value_usd,
            holdings: investor.holdings.len() as u64,
            powered_land_acres: investor
                .land
                .iter()
                .filter(|h| h.powered)
                .map(|h| h.acres)
                .sum(),
            land_acres: investor.land.iter().map(|h| h.acres).sum(),
            // Marked at the landowners' current price in each region.
            land_value: investor
                .land
                .iter()
                .map(|h| h.acres * regions.regions[h.region].land_price_per_acre)
                .sum(),
            land_sales: investor.flows.land_sales_usd,
            land_gain: investor.flows.land_gain_usd,
            financed_halls: investor.financed_halls_usd,
            lease_income: investor.flows.lease_income_usd,
            lease_profit: investor.flows.lease_income_usd - investor.flows.hall_depreciation_usd,
        })
        .collect();
    investor_rows.sort_by_key(|r| r.investor_id);
    investor_rows
}

/// One `chipmakers` row per chipmaker, in id order.
fn chipmaker_rows(
    chipmakers: &Query<(&Agent, &Cash, &Chipmaker)>,
    scenario: &Scenario,
    clock: &Clock,
) -> Vec<ChipmakerRow> {
    let mut chipmaker_rows: Vec<ChipmakerRow> = chipmakers
        .iter()
        .map(|(agent, cash, maker)| {
            let sold = maker.units_sold();
            let capacity_units: f64 = maker
                .products
                .iter()
                .filter(|p| scenario.chips[p.chip].available <= clock.quarter)
                .map(|p| scenario.chips[p.chip].units_per_wafer)
                .fold(0.0, f64::max)
                * maker.wafers_per_quarter;
            ChipmakerRow {
                chipmaker_id: agent.id.get(),
                name: agent.name.clone(),
                cash: cash.0,
                packaging_wafers: maker.wafers_per_quarter,
                capacity_units: capacity_units as u64,
                produced_units: maker.products.iter().map(|p| p.produced_units).sum(),
                units_sold: sold,
                inventory_units: maker.products.iter().map(|p| p.inventory_units).sum(),
                backlog_units: maker.products.iter().map(|p| p.backlog_units).sum(),
                asp: (sold > 0).then(|| {
                    (maker.flows.revenue_usd - maker.flows.networking_revenue_usd) / sold as f64
                }),
                revenue: maker.flows.revenue_usd,
                networking_revenue: maker.flows.networking_revenue_usd,
                gross_margin: maker.gross_margin(),
                production_cost: maker.flows.production_cost_usd,
                expansion_spend: maker.flows.expansion_spend_usd,
                depreciation: maker.flows.depreciation_usd,
                operating_profit: maker.operating_profit_usd(),
            }
        })
        .collect();
    chipmaker_rows.sort_by_key(|r| r.chipmaker_id);
    chipmaker_rows
}

/// One `utilities` row per utility, in id order.
fn utility_rows(
    utilities: &Query<(&Agent, &Cash, &Utility)>,
    scenario: &Scenario,
    clock: &Clock,
) -> Vec<UtilityRow> {
    let mut utility_rows: Vec<UtilityRow> = utilities
        .iter()
        .map(|(agent, cash, utility)| UtilityRow {
            utility_id: agent.id.get(),
            name: agent.name.clone(),
            region: scenario.regions[utility.region].name.clone(),
            cash: cash.0,
            generation_mw: utility.generation_mw,
            committed_mw: utility.committed_mw(),
            powered_reserved_mw: utility.powered_reserved_mw,
            dc_contracted_mw: utility.dc_contracted_mw,
            reserve_margin: Some(rules::reserve_margin(
                utility.generation_mw,
                utility.committed_mw(),
            ))
            .filter(|margin| margin.is_finite()),
            tariff: utility.tariff_per_mwh,
            queue_requests: utility.queue.len() as u64,
            queue_mw: utility.queue.iter().map(|r| r.mw).sum(),
            mean_queue_wait_quarters: utility.mean_queue_age(clock.tick),
            granted_mw: utility.flows.granted_mw,
            granted_requests: u64::from(utility.flows.granted_requests),
            mean_wait_of_granted_quarters: utility.flows.mean_wait_of_granted,
            under_construction_mw: utility.builds.iter().map(|b| b.mw).sum(),
            builds_started_mw: utility.flows.builds_started_mw,
            energy_sold_mwh: utility.flows.energy_sold_mwh,
            revenue: utility.flows.revenue_usd,
            depreciation: utility.flows.depreciation_usd,
            profit: utility.profit_usd(),
        })
        .collect();
    utility_rows.sort_by_key(|r| r.utility_id);
    utility_rows
}

/// One `regulators` row per regulator, in id order.
fn regulator_rows(
    regulators: &Query<(&Agent, &Cash, &Regulator)>,
    scenario: &Scenario,
) -> Vec<RegulatorRow> {
    let mut regulator_rows: Vec<RegulatorRow> = regulators
        .iter()
        .map(|(agent, cash, regulator)| RegulatorRow {
            regulator_id: agent.id.get(),
            name: agent.name.clone(),
            jurisdiction: scenario.regulators[regulator.index].jurisdiction.clone(),
            cash: cash.0,
            permit_delay_quarters: regulator.permit_delay_quarters,
            permits_pending: regulator.applications.len() as u64,
            permits_granted: u64::from(regulator.flows.permits_granted),
            licence_fees: regulator.flows.licence_fees_usd,
            blocked_gpu_units: regulator.flows.blocked_units,
            hhi_observed: regulator.hhi_observed,
            antitrust_review: regulator.antitrust_review,
        })
        .collect();
    regulator_rows.sort_by_key(|r| r.regulator_id);
    regulator_rows
}

/// One `projects` row per project, in id order.
fn project_rows(projects: &Query<&Project>, scenario: &Scenario) -> Vec<ProjectRow> {
    let mut project_rows: Vec<ProjectRow> = projects
        .iter()
        .map(|p| ProjectRow {
            project_id: p.project_id,
            lab_id: p.lab.get(),
            region: scenario.regions[p.region].name.clone(),
            stage: p.stage.name(),
            mw: p.mw,
            acres_held: p.acres_held,
            powered_acres: p.powered_acres,
            started_tick: p.started_tick,
            // Permits and construction have a known end; the other stages wait on markets.
            stage_ready_tick: matches!(p.stage, Stage::Permitting | Stage::Construction)
                .then_some(p.ready_tick),
            // Drawn when construction starts (`rules::construction_quarters`).
            construction_quarters: matches!(p.stage, Stage::Construction | Stage::Energized)
                .then_some(p.construction_quarters),
            construction_paid: p.construction_paid_usd,
            gpus_installed: p.installed_units(),
            gpus_online: p.online_units,
            gpus_stranded: p.stranded_units,
            online_compute_h100e: p.online_h100e,
            load_mw: p.load_mw,
        })
        .collect();
    project_rows.sort_by_key(|r| r.project_id);
    project_rows
}
