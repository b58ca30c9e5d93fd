//! The `world` table's row: headline indicators summed from the quarter's
//! agent rows, with the first quarter's prices kept as the indices' bases.

use bevy_ecs::prelude::*;
use moatsim_config::Scenario;
use moatsim_model::rules;
use moatsim_model::units::{HOURS_PER_QUARTER, MWH_PER_TWH, QUARTERS_PER_YEAR};

use crate::components::*;
use crate::records::*;
use crate::resources::*;

/// The quarter's agent rows, which the `world` row sums.
#[derive(Debug, Clone, Copy)]
pub(super) struct QuarterRows<'a> {
    pub(super) labs: &'a [LabRow],
    pub(super) buyers: &'a [BuyerRow],
    pub(super) investors: &'a [InvestorRow],
    pub(super) chipmakers: &'a [ChipmakerRow],
    pub(super) utilities: &'a [UtilityRow],
}

/// What the `world` row reads from the agents themselves rather than from
/// their rows.
#[derive(Debug, Clone, Copy)]
pub(super) struct FleetReadings {
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
    pub(super) fn read(
        clock: &Clock,
        scenario: &Scenario,
        projects: &Query<&Project>,
        chipmakers: &Query<(&Agent, &Cash, &Chipmaker)>,
        utilities: &Query<(&Agent, &Cash, &Utility)>,
    ) -> Self {
        let (mut offered_h100e, mut offered_value) = (0.0, 0.0);
        for (_, _, maker) in chipmakers {
            // The market's GPU price: merchant chips only, as a custom
            // accelerator is priced for its owner alone.
            for product in maker
                .products
                .iter()
                .filter(|p| p.sellable_units > 0 && scenario.chips[p.chip].is_merchant())
            {
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
        stats.frontier_price_base = labs.frontier.map(|l| l.frontier_price);
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
pub(super) fn world_row(
    (technology, tiers): (&Technology, &TierMarket),
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
            labs.frontier.map(|l| l.frontier_price),
            stats.frontier_price_base,
        ),
        fixed_capability_price_index: price_index(
            labs.fixed_capability_price,
            stats.fixed_capability_price_base,
        ),
        commodity_share: tiers.commodity_share,
        commodity_capability: tiers.commodity_capability,
        algorithmic_efficiency: technology.algorithmic_efficiency,
        serving_software_gain: technology.serving_software,
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
