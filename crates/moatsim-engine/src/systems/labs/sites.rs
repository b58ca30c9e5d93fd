//! Where a lab builds and what it bids for: its capex budget, whether and
//! where it opens a new site, its land bids for sites still looking for
//! land, and its GPU bids for the power it will have (and for refreshing the
//! fleet on the power it has).

use crate::components::*;
use crate::resources::*;
use crate::systems::gpu::GpuOrders;
use crate::systems::gpu::orders::{
    ChipPrices, LabGpuTerms, bid_for_fleet_refresh, bid_for_lab_gpus, gpu_value_per_h100e,
};
use crate::systems::land::{LandOrders, LandSite, SiteConditions};
use crate::systems::{licence_fee_rates, products_on_sale, system_price};
use bevy_ecs::prelude::*;
use moatsim_config::Scenario;
use moatsim_model::market::site;
use moatsim_model::market::site::SiteTerms;

/// Each lab opens at most one new site per quarter where its pipeline falls short
/// of its compute target, bids for land for its sites, and bids for GPUs for the
/// capacity it will have powered soon, within its capex budget.
#[allow(
    clippy::too_many_arguments,
    reason = "a bevy system takes the resources and queries it touches as parameters"
)]
pub fn bid_for_sites_and_gpus(
    clock: Res<Clock>,
    params: Res<Params>,
    labs: Query<(&Agent, &Cash, &Lab)>,
    projects: Query<&Project>,
    chipmakers: Query<(&Agent, &Chipmaker)>,
    utilities: Query<&Utility>,
    regulators: Query<&Regulator>,
    investors: Query<&Investor>,
    regions: Res<RegionBook>,
    mut ids: ResMut<IdSource>,
    mut gpu_orders: ResMut<GpuOrders>,
    mut land_orders: ResMut<LandOrders>,
    mut commands: Commands,
) {
    let scenario = &params.0;
    let world = &scenario.world;
    let tick = clock.tick;
    let chips = ChipPrices {
        quarter: clock.quarter,
        fee_rate_of_maker: licence_fee_rates(scenario),
        // Current asks per chip generation, for generations on sale this quarter.
        ask: products_on_sale(scenario, clock.quarter, chipmakers.iter().map(|(_, m)| m))
            .iter()
            .map(|p| p.map(|p| system_price(scenario, p)))
            .collect(),
    };
    let sites = SiteConditions::new(
        scenario,
        &regions,
        tick,
        &utilities.iter().collect::<Vec<_>>(),
        &regulators.iter().collect::<Vec<_>>(),
        &investors.iter().collect::<Vec<_>>(),
        &chips,
    );

    let mut sorted_labs: Vec<(&Agent, &Cash, &Lab)> =
        labs.iter().filter(|(_, _, l)| l.alive).collect();
    sorted_labs.sort_by_key(|(a, _, _)| a.id);
    let mut sorted_projects: Vec<&Project> = projects.iter().collect();
    sorted_projects.sort_by_key(|p| p.project_id);

    for (agent, cash, lab) in sorted_labs {
        let own: Vec<&Project> = sorted_projects
            .iter()
            .copied()
            .filter(|p| p.lab == agent.id)
            .collect();
        let mut budget = capex_budget(scenario, lab, cash.0, &own);
        let installed_h100e: f64 = own.iter().map(|p| p.installed_h100e(&scenario.chips)).sum();
        let gap_h100e = (lab.target_h100e - installed_h100e).max(0.0);
        let value_per_mw_quarter =
            lab.price_per_mtok * lab.mtok_per_h100e * sites.best_h100e_per_mw;
        let site_for = |region: usize, project_id: u64, acres: f64| LandSite {
            region,
            project_id,
            lab: (agent.id, lab.index),
            acres,
        };
        if budget > 0.0
            && let Some((region, mw)) =
                new_site(scenario, &sites, lab, &own, gap_h100e, value_per_mw_quarter)
        {
            let acres = mw / scenario.regions[region].mw_per_acre;
            let project_id = ids.next_project;
            ids.next_project += 1;
            commands.spawn(Project::new_site(
                project_id,
                (agent.id, lab.index),
                region,
                (mw, acres),
                tick,
                scenario.chips.len(),
                world.dc_build_quarters,
            ));
            let site = site_for(region, project_id, acres);
            budget -= sites.bid_for_land(&mut land_orders, &site, value_per_mw_quarter);
        }
        for project in own.iter().filter(|p| p.stage == Stage::SeekingLand) {
            let acres = (project.acres_needed - project.acres_held).max(0.0);
            let site = site_for(project.region, project.project_id, acres);
            budget -= sites.bid_for_land(&mut land_orders, &site, value_per_mw_quarter);
        }
        if budget <= 0.0 || gap_h100e <= 0.0 {
            continue;
        }
        let terms = LabGpuTerms {
            buyer: agent.id,
            lab,
            value_per_h100e: gpu_value_per_h100e(scenario, lab),
        };
        let need = GpuNeed {
            budget,
            gap_h100e,
            best_h100e_per_mw: sites.best_h100e_per_mw,
        };
        bid_for_gpus(
            scenario,
            &chips,
            &terms,
            &own,
            need,
            clock.tick,
            &mut gpu_orders,
        );
    }
}

/// What a lab may spend on land and GPUs this quarter. Construction
/// instalments come first: they are committed. The lab then commits its
/// usual share of the cash that is left, so a lab building a large pipeline
/// can still fill the halls that are already energized.
fn capex_budget(scenario: &Scenario, lab: &Lab, cash: f64, own: &[&Project]) -> f64 {
    let spec = &scenario.labs[lab.index];
    let construction_due: f64 = own
        .iter()
        .filter(|p| p.stage == Stage::Construction && p.financier.is_none())
        .map(|p| p.construction_instalment_usd(scenario.world.dc_capex_per_mw_usd))
        .sum();
    (lab.capex_budget_usd - construction_due).max(
        spec.capex_fraction_of_cash * (cash - construction_due).max(0.0)
            + spec.parent_funding_per_quarter_usd,
    )
}

/// The new site a lab opens this quarter, if any: (region, MW). It opens one
/// when the pipeline's free power cannot host the GPUs the target still
/// needs (existing fleets keep drawing their share) and no site is still
/// looking for land, sized to the shortfall within the project bounds, in
/// the region with the lowest expected cost (`site::cheapest_site`).
fn new_site(
    scenario: &Scenario,
    sites: &SiteConditions,
    lab: &Lab,
    own: &[&Project],
    gap_h100e: f64,
    value_per_mw_quarter: f64,
) -> Option<(usize, f64)> {
    let behaviour = &scenario.behaviour;
    let free_pipeline_mw: f64 = own
        .iter()
        .map(|p| p.free_mw(&scenario.chips, scenario.world.pue))
        .sum();
    let shortfall = gap_h100e / sites.best_h100e_per_mw - free_pipeline_mw;
    let seeking = own.iter().any(|p| p.stage == Stage::SeekingLand);
    if shortfall <= behaviour.min_project_mw * MIN_SHORTFALL_SHARE_OF_PROJECT || seeking {
        return None;
    }
    let mw = shortfall.clamp(behaviour.min_project_mw, behaviour.max_project_mw);
    let home_region = scenario.labs[lab.index].home_region;
    let offers = sites.offers(lab.index, home_region, mw, value_per_mw_quarter);
    let terms = SiteTerms {
        mw,
        value_per_mw_quarter,
        energy_quarters: behaviour.site_energy_quarters,
        delay_cost_share: behaviour.delay_cost_share,
    };
    site::cheapest_site(&offers, &terms).map(|region| (region, mw))
}

/// A shortfall below this share of the smallest project opens no site: the
/// pipeline's rounding is not a reason to build.
const MIN_SHORTFALL_SHARE_OF_PROJECT: f64 = 0.5;

/// What a lab's GPU bids must cover: its budget left after land, its
/// compute gap, and the H100e a MW of the best generation on sale powers.
#[derive(Debug, Clone, Copy)]
struct GpuNeed {
    budget: f64,
    gap_h100e: f64,
    best_h100e_per_mw: f64,
}

/// A lab's GPU bids: for power that is on or coming within the lead time,
/// per region (`bid_for_lab_gpus`); and, for the compute the target needs
/// beyond the power it will have soon, a refresh of the fleet on the power
/// it has (`bid_for_fleet_refresh`).
fn bid_for_gpus(
    scenario: &Scenario,
    chips: &ChipPrices,
    terms: &LabGpuTerms,
    own: &[&Project],
    need: GpuNeed,
    tick: u32,
    orders: &mut GpuOrders,
) {
    let world = &scenario.world;
    let mut free_mw = vec![0.0; scenario.regions.len()];
    for p in own {
        let soon = p.stage == Stage::Energized
            || (p.stage == Stage::Construction
                && p.ready_tick <= tick + scenario.behaviour.gpu_lead_quarters);
        if soon {
            free_mw[p.region] += p.free_mw(&scenario.chips, world.pue);
        }
    }
    let total_free: f64 = free_mw.iter().sum();
    let mut spent = 0.0;
    if total_free > 0.0 {
        spent = bid_for_lab_gpus(
            scenario,
            orders,
            chips,
            terms,
            &free_mw,
            need.budget,
            need.gap_h100e,
        );
    }
    let wanted_mw = need.gap_h100e / need.best_h100e_per_mw - total_free;
    if wanted_mw > 0.0 && need.budget > spent {
        bid_for_fleet_refresh(
            scenario,
            orders,
            chips,
            terms,
            own,
            wanted_mw,
            need.budget - spent,
        );
    }
}
