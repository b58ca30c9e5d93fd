//! Record phase: the quarter's state becomes one row per agent per table, plus
//! `markets`, `world` and `events`, handed out through [`FrameSlot`].

use bevy_ecs::prelude::*;
use moatsim_config::{BuilderOutput, Scenario};
use moatsim_model::rng::{self, Purpose};
use moatsim_model::units::{HOURS_PER_QUARTER, MWH_PER_TWH, QUARTERS_PER_YEAR};
use moatsim_model::{AgentId, rules};

use crate::apps::{AppBuilderPopulation, CHUNK, NO_PROVIDER};
use crate::components::*;
use crate::records::*;
use crate::resources::*;
use rayon::prelude::*;

/// Builds the quarter's [`TickFrame`].
#[allow(
    clippy::too_many_arguments,
    reason = "a bevy system takes each resource and query it touches as a parameter of its own"
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

    let lab_rows = lab_rows(&labs, scenario, &projects);

    let buyer_rows = buyer_rows(&buyers, scenario);

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
    let app_builder_segments = segment_rows(&population, &segment_names);

    let world = world_row(
        &technology,
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

/// Rows for the builders alive at the start of the quarter (those that exited
/// this quarter appear once more, with `alive = false`), as the scenario's
/// output mode asks: all of them, a fixed id-hashed sample, or none.
fn builder_columns(
    population: &AppBuilderPopulation,
    mode: BuilderOutput,
    seed: u64,
) -> AppBuilderColumns {
    let keep = |i: usize| match mode {
        BuilderOutput::Full => true,
        BuilderOutput::Sampled { share } => {
            rng::unit_hash(seed, Purpose::OutputSample, AgentId(population.id[i]), 0) < share
        }
        BuilderOutput::Segments => false,
    };
    let rows: Vec<usize> = (0..population.len())
        .filter(|&i| population.alive_at_start[i] && keep(i))
        .collect();
    // Column by column, each gathered at its final size, and the columns
    // in parallel: the frame holds a copy of every written builder while the
    // writer encodes the previous quarter.
    let gather = |column: &[f64]| -> Vec<f64> { rows.iter().map(|&i| column[i]).collect() };
    let mut columns = AppBuilderColumns::default();
    rayon::scope(|scope| {
        let AppBuilderColumns {
            builder_id,
            segment,
            provider_lab_id,
            demand_tokens,
            tokens,
            spend,
            revenue,
            profit,
            switching_cost,
            tenure_quarters,
            alive,
        } = &mut columns;
        let rows = &rows;
        scope.spawn(move |_| {
            *builder_id = rows.iter().map(|&i| population.id[i]).collect();
            *segment = rows.iter().map(|&i| population.segment[i]).collect();
            // Lab ids are 1-based in scenario order, so lab index i has id i + 1.
            *provider_lab_id = rows
                .iter()
                .map(|&i| {
                    let provider = population.provider[i];
                    (provider != NO_PROVIDER).then(|| u64::from(provider) + 1)
                })
                .collect();
            *tenure_quarters = rows.iter().map(|&i| population.tenure[i]).collect();
            *alive = rows.iter().map(|&i| population.alive[i]).collect();
        });
        scope.spawn(move |_| *demand_tokens = gather(&population.demand_mtok));
        scope.spawn(move |_| *tokens = gather(&population.served_mtok));
        scope.spawn(move |_| *spend = gather(&population.spend_usd));
        scope.spawn(move |_| *revenue = gather(&population.revenue_usd));
        scope.spawn(move |_| *profit = gather(&population.profit_usd));
        scope.spawn(move |_| *switching_cost = gather(&population.switching_cost));
    });
    columns
}

/// One chunk's sums for one segment.
#[derive(Debug, Clone, Copy, Default)]
struct SegmentSums {
    builders: u64,
    exits: u64,
    demand_tokens: f64,
    tokens: f64,
    spend: f64,
    revenue: f64,
    profit: f64,
    switching_cost: f64,
}

/// One row per segment: the whole population summed, whatever the output mode.
fn segment_rows(population: &AppBuilderPopulation, names: &[String]) -> Vec<SegmentRow> {
    let mut rows: Vec<SegmentRow> = names
        .iter()
        .map(|name| SegmentRow {
            segment: name.clone(),
            ..SegmentRow::default()
        })
        .collect();
    // Summed over the population's fixed chunks, then chunk by chunk in
    // order, so the sums do not depend on the thread count.
    let partials: Vec<Vec<SegmentSums>> = population
        .alive_at_start
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(chunk, started)| {
            let mut sums = vec![SegmentSums::default(); names.len()];
            for (offset, _) in started.iter().enumerate().filter(|(_, started)| **started) {
                let i = chunk * CHUNK + offset;
                let Some(sum) = sums.get_mut(usize::from(population.segment[i])) else {
                    continue;
                };
                sum.builders += 1;
                sum.exits += u64::from(!population.alive[i]);
                sum.demand_tokens += population.demand_mtok[i];
                sum.tokens += population.served_mtok[i];
                sum.spend += population.spend_usd[i];
                sum.revenue += population.revenue_usd[i];
                sum.profit += population.profit_usd[i];
                sum.switching_cost += population.switching_cost[i];
            }
            sums
        })
        .collect();
    for sums in &partials {
        for (row, sum) in rows.iter_mut().zip(sums) {
            row.builders += sum.builders;
            row.exits += sum.exits;
            row.demand_tokens += sum.demand_tokens;
            row.tokens += sum.tokens;
            row.spend += sum.spend;
            row.revenue += sum.revenue;
            row.profit += sum.profit;
            row.switching_cost_sum += sum.switching_cost;
        }
    }
    for (row, state) in rows.iter_mut().zip(&population.segments) {
        row.end_user_price = state.end_user_price;
        row.end_user_demand = state.demand_mtok;
        row.product_share = state.product_share;
        row.entrants = state.entrants;
        row.fixed_costs = row.revenue - row.spend - row.profit;
    }
    for product in &population.products {
        if let Some(row) = rows.get_mut(product.segment) {
            row.product_revenue += product.revenue_usd;
        }
    }
    rows
}

/// One `labs` row per lab, in id order.
fn lab_rows(
    labs: &Query<(&Agent, &Cash, &Lab)>,
    scenario: &Scenario,
    projects: &Query<&Project>,
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
                fixed_capability_price: lab.fixed_capability_price_per_mtok.filter(|_| lab.alive),
                markup: lab.markup,
                scarcity_premium: lab.scarcity_premium,
                demand_mtok: lab.demand_mtok,
                served_mtok: lab.served_mtok,
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
fn buyer_rows(buyers: &Query<(&Agent, &AcceleratorBuyer)>, scenario: &Scenario) -> Vec<BuyerRow> {
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
                asp: (sold > 0).then(|| maker.flows.revenue_usd / sold as f64),
                revenue: maker.flows.revenue_usd,
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

/// The quarter's agent rows, which the `world` row sums.
#[derive(Debug, Clone, Copy)]
struct QuarterRows<'a> {
    labs: &'a [LabRow],
    buyers: &'a [BuyerRow],
    investors: &'a [InvestorRow],
    chipmakers: &'a [ChipmakerRow],
    utilities: &'a [UtilityRow],
}

/// What the `world` row reads from the agents themselves rather than from
/// their rows.
#[derive(Debug, Clone, Copy)]
struct FleetReadings {
    /// The labs' sites' data-center load.
    project_load_mw: f64,
    /// The mean ask per H100e of the chips on sale (none when none is).
    gpu_price_per_h100e: Option<f64>,
    /// The mean age of the requests in the utilities' power queues.
    mean_queue_wait_quarters: f64,
    /// The utilities' spend on new generation.
    utility_build_spend_usd: f64,
}

impl FleetReadings {
    fn read(
        clock: &Clock,
        scenario: &Scenario,
        projects: &Query<&Project>,
        chipmakers: &Query<(&Agent, &Cash, &Chipmaker)>,
        utilities: &Query<(&Agent, &Cash, &Utility)>,
    ) -> Self {
        let (mut offered_h100e, mut offered_value) = (0.0, 0.0);
        for (_, _, maker) in chipmakers {
            for product in maker.products.iter().filter(|p| p.sellable_units > 0) {
                let generation = &scenario.chips[product.chip];
                offered_h100e += product.sellable_units as f64 * generation.h100e_per_unit;
                offered_value += product.sellable_units as f64 * product.ask_usd;
            }
        }
        let queued: Vec<f64> = utilities
            .iter()
            .flat_map(|(_, _, u)| {
                u.queue
                    .iter()
                    .map(|r| f64::from(clock.tick - r.arrival_tick))
            })
            .collect();
        Self {
            project_load_mw: projects.iter().map(|p| p.load_mw).sum::<f64>(),
            gpu_price_per_h100e: (offered_h100e > 0.0).then(|| offered_value / offered_h100e),
            mean_queue_wait_quarters: if queued.is_empty() {
                0.0
            } else {
                queued.iter().sum::<f64>() / queued.len() as f64
            },
            utility_build_spend_usd: utilities
                .iter()
                .map(|(_, _, u)| u.flows.build_spend_usd)
                .sum::<f64>(),
        }
    }
}

/// The labs still alive, as the market's concentration and prices read them.
#[derive(Debug)]
struct LabIndicators<'a> {
    /// Alive labs' inference market shares.
    shares: Vec<f64>,
    /// Alive labs' capabilities, best first.
    capabilities: Vec<f64>,
    /// The most capable alive lab (the lowest id among equals).
    frontier: Option<&'a LabRow>,
    /// The cheapest quote for a model of the starting frontier's capability
    /// (`cost_curve::fixed_capability_quote`).
    fixed_capability_price: Option<f64>,
    /// Alive labs' markup over marginal cost, weighted by revenue.
    markup_avg: f64,
    /// Tokens served by all labs, and the mean price they were sold at.
    served_mtok: f64,
    inference_price_avg: f64,
}

impl<'a> LabIndicators<'a> {
    fn new(lab_rows: &'a [LabRow]) -> Self {
        let alive_labs: Vec<&LabRow> = lab_rows.iter().filter(|l| l.alive).collect();
        let mut capabilities: Vec<f64> = alive_labs.iter().map(|l| l.capability).collect();
        capabilities.sort_by(|a, b| b.total_cmp(a));
        let served: f64 = lab_rows.iter().map(|l| l.served_mtok).sum();
        let revenue: f64 = lab_rows.iter().map(|l| l.revenue).sum();
        let markup_weight: f64 = alive_labs.iter().map(|l| l.revenue).sum();
        let markup_avg = if markup_weight > 0.0 {
            alive_labs
                .iter()
                .filter(|l| l.marginal_cost > 0.0)
                .map(|l| l.revenue * (l.inference_price / l.marginal_cost - 1.0))
                .sum::<f64>()
                / markup_weight
        } else {
            0.0
        };
        Self {
            shares: alive_labs.iter().map(|l| l.market_share).collect(),
            capabilities,
            frontier: alive_labs.iter().copied().max_by(|a, b| {
                a.capability
                    .total_cmp(&b.capability)
                    .then(b.lab_id.cmp(&a.lab_id))
            }),
            fixed_capability_price: alive_labs
                .iter()
                .filter_map(|l| l.fixed_capability_price)
                .min_by(f64::total_cmp),
            markup_avg,
            served_mtok: served,
            inference_price_avg: if served > 0.0 { revenue / served } else { 0.0 },
        }
    }
}

/// Keeps the first quarter's prices in `stats`: the bases of the price
/// indices (the frontier lab's price, and the cheapest price of the
/// capability the frontier had at tick 0, measure how prices fall).
fn keep_index_bases(
    stats: &mut QuarterStats,
    labs: &LabIndicators<'_>,
    gpu_price_per_h100e: Option<f64>,
) {
    if stats.gpu_price_base.is_none() {
        stats.gpu_price_base = gpu_price_per_h100e;
    }
    if stats.inference_price_base.is_none() && labs.served_mtok > 0.0 {
        stats.inference_price_base = Some(labs.inference_price_avg);
    }
    if stats.frontier_price_base.is_none() {
        stats.frontier_price_base = labs.frontier.map(|l| l.inference_price);
    }
    if stats.fixed_capability_price_base.is_none() {
        stats.fixed_capability_price_base = labs.fixed_capability_price;
    }
}

/// `100 × price / base`, when both are known and the base is positive.
fn price_index(price: Option<f64>, base: Option<f64>) -> Option<f64> {
    match (price, base) {
        (Some(price), Some(base)) if base > 0.0 => Some(100.0 * price / base),
        _ => None,
    }
}

/// Profit, revenue and depreciation by infrastructure layer, each profit
/// after depreciation.
#[derive(Debug, Clone, Copy)]
struct LayerAccounts {
    chip_profit: f64,
    power_profit: f64,
    cloud_profit: f64,
    land_profit: f64,
    lease_profit: f64,
    model_profit: f64,
    infra_profit: f64,
    infra_revenue: f64,
    depreciation: f64,
}

impl LayerAccounts {
    fn sum(rows: &QuarterRows<'_>) -> Self {
        let chip_profit: f64 = rows.chipmakers.iter().map(|m| m.operating_profit).sum();
        let power_profit: f64 = rows.utilities.iter().map(|u| u.profit).sum();
        let cloud_profit: f64 = rows.buyers.iter().map(|b| b.rental_profit).sum();
        let land_profit: f64 = rows.investors.iter().map(|i| i.land_gain).sum();
        let land_resale_revenue: f64 = rows.investors.iter().map(|i| i.land_sales).sum();
        let lease_profit: f64 = rows.investors.iter().map(|i| i.lease_profit).sum();
        let model_profit: f64 = rows.labs.iter().map(|l| l.profit).sum();
        let infra_profit =
            chip_profit + power_profit + cloud_profit + land_profit + lease_profit + model_profit;
        let infra_revenue = rows.chipmakers.iter().map(|m| m.revenue).sum::<f64>()
            + rows.utilities.iter().map(|u| u.revenue).sum::<f64>()
            + rows.buyers.iter().map(|b| b.rental_revenue).sum::<f64>()
            + land_resale_revenue
            + rows.investors.iter().map(|i| i.lease_income).sum::<f64>()
            + rows.labs.iter().map(|l| l.revenue).sum::<f64>();
        // The funds' hall depreciation is their lease income less lease profit.
        let depreciation = rows
            .investors
            .iter()
            .map(|i| i.lease_income - i.lease_profit)
            .sum::<f64>()
            + rows.labs.iter().map(|l| l.depreciation).sum::<f64>()
            + rows.buyers.iter().map(|b| b.depreciation).sum::<f64>()
            + rows.chipmakers.iter().map(|m| m.depreciation).sum::<f64>()
            + rows.utilities.iter().map(|u| u.depreciation).sum::<f64>();
        Self {
            chip_profit,
            power_profit,
            cloud_profit,
            land_profit,
            lease_profit,
            model_profit,
            infra_profit,
            infra_revenue,
            depreciation,
        }
    }
}

/// The utilities' mean tariff, weighted by committed capacity.
fn power_price_avg(utility_rows: &[UtilityRow]) -> f64 {
    let committed: f64 = utility_rows.iter().map(|u| u.committed_mw).sum();
    if committed > 0.0 {
        utility_rows
            .iter()
            .map(|u| u.tariff * u.committed_mw)
            .sum::<f64>()
            / committed
    } else {
        0.0
    }
}

/// The share of the quarter's token demand the labs could not serve.
fn unserved_share(lab_rows: &[LabRow]) -> f64 {
    let demand: f64 = lab_rows.iter().map(|l| l.demand_mtok).sum();
    let served: f64 = lab_rows.iter().map(|l| l.served_mtok).sum();
    if demand > 0.0 {
        (1.0 - served / demand).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The quarter's `world` row: headline indicators computed from the rows,
/// with the first quarter's prices kept in `stats` as the indices' bases.
fn world_row(
    technology: &Technology,
    stats: &mut QuarterStats,
    rows: &QuarterRows<'_>,
    fleet: &FleetReadings,
) -> WorldRow {
    let labs = LabIndicators::new(rows.labs);
    keep_index_bases(stats, &labs, fleet.gpu_price_per_h100e);
    let layers = LayerAccounts::sum(rows);
    // The whole market's data-center load: labs' sites and aggregate buyers' fleets.
    let dc_load_mw = fleet.project_load_mw + rows.buyers.iter().map(|b| b.load_mw).sum::<f64>();
    WorldRow {
        online_compute_h100e: rows.labs.iter().map(|l| l.online_compute_h100e).sum(),
        market_fleet_h100e: rows
            .labs
            .iter()
            .map(|l| l.online_compute_h100e - l.rented_compute_h100e)
            .sum::<f64>()
            + rows.buyers.iter().map(|b| b.fleet_h100e).sum::<f64>(),
        dc_load_mw,
        dc_energy_twh_annualised: dc_load_mw * HOURS_PER_QUARTER * QUARTERS_PER_YEAR / MWH_PER_TWH,
        stranded_gpus: rows.labs.iter().map(|l| l.stranded_gpus).sum(),
        mean_queue_wait_quarters: fleet.mean_queue_wait_quarters,
        gpu_price_index: price_index(fleet.gpu_price_per_h100e, stats.gpu_price_base)
            .unwrap_or(100.0),
        power_price_avg: power_price_avg(rows.utilities),
        inference_price_avg: labs.inference_price_avg,
        inference_price_index: match stats.inference_price_base {
            Some(base) if base > 0.0 && labs.served_mtok > 0.0 => {
                100.0 * labs.inference_price_avg / base
            }
            _ => 100.0,
        },
        frontier_price_index: price_index(
            labs.frontier.map(|l| l.inference_price),
            stats.frontier_price_base,
        ),
        fixed_capability_price_index: price_index(
            labs.fixed_capability_price,
            stats.fixed_capability_price_base,
        ),
        algorithmic_efficiency: technology.algorithmic_efficiency,
        markup_avg: labs.markup_avg,
        hhi: rules::hhi(&labs.shares),
        leader_share: labs.shares.iter().copied().fold(0.0, f64::max),
        leader_capability_lead: match labs.capabilities.as_slice() {
            [first, second, ..] => first - second,
            _ => 0.0,
        },
        capital_raised: stats.capital_raised_usd,
        capex: rows.labs.iter().map(|l| l.capex).sum::<f64>()
            + rows
                .chipmakers
                .iter()
                .map(|m| m.expansion_spend)
                .sum::<f64>()
            + fleet.utility_build_spend_usd
            + rows.buyers.iter().map(|b| b.capex).sum::<f64>(),
        infra_revenue: layers.infra_revenue,
        depreciation: layers.depreciation,
        chip_profit: layers.chip_profit,
        power_profit: layers.power_profit,
        cloud_profit: layers.cloud_profit,
        land_profit: layers.land_profit,
        lease_profit: layers.lease_profit,
        model_profit: layers.model_profit,
        infra_profit: layers.infra_profit,
        app_profit: stats.app_profit_usd,
        app_revenue: stats.app_revenue_usd,
        app_token_spend: stats.app_token_spend_usd,
        product_revenue: stats.product_revenue_usd,
        lost_demand_mtok: stats.lost_demand_mtok,
        unserved_share: unserved_share(rows.labs),
        builders_alive: stats.builders_alive,
        builder_churn_rate: if stats.builders_alive > 0 {
            stats.builder_switches as f64 / stats.builders_alive as f64
        } else {
            0.0
        },
    }
}
