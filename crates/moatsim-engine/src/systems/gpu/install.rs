//! Delivered GPUs are installed in labs' halls, retiring older units where a
//! fleet refresh replaces them.

use crate::components::*;
use crate::resources::*;
use crate::systems::gpu::{GpuDeliveries, GpuDelivery, GpuOrders};
use bevy_ecs::prelude::*;
use moatsim_model::market::vintages;

/// Installs delivered GPUs at the buyer's sites in the region they were bought
/// for: energized sites with power headroom first; then, for a fleet
/// refresh, in place of the least power-efficient units its plan may retire
/// at energized sites (`retire_for_refresh`); then the sites closest to
/// energizing (where they wait, stranded).
pub fn install_delivered_gpus(
    clock: Res<Clock>,
    params: Res<Params>,
    deliveries: Res<GpuDeliveries>,
    orders: Res<GpuOrders>,
    mut projects: Query<&mut Project>,
    mut labs: Query<(&Agent, &mut Lab)>,
) {
    let scenario = &params.0;
    let pue = scenario.world.pue;
    let mut sorted: Vec<Mut<Project>> = projects.iter_mut().collect();
    sorted.sort_by_key(|p| p.project_id);
    // MW each refresh order may still retire.
    let mut refresh_left: Vec<f64> = orders.refresh.iter().map(|r| r.mw).collect();
    for &GpuDelivery {
        lab,
        region,
        chip,
        units,
        cost_usd,
    } in &deliveries.items
    {
        let watts = scenario.chips[chip].watts;
        // Units join a site with their vintage: this quarter, their compute,
        // power and share of what was paid.
        let install = |project: &mut Project, take: u64| {
            if take == 0 {
                return;
            }
            project.installed[chip] += take;
            let region = project.region;
            vintages::add_delivery(
                project.vintages_of(chip),
                vintages::Vintage {
                    installed_tick: i64::from(clock.tick),
                    region,
                    h100e: take as f64 * scenario.chips[chip].h100e_per_unit,
                    mw: moatsim_model::units::mw_drawn_by(take as f64, watts, pue),
                    cost_usd: cost_usd * take as f64 / units.max(1) as f64,
                },
            );
        };
        let mut left = units;
        let mut candidates: Vec<usize> = (0..sorted.len())
            .filter(|&i| sorted[i].lab == lab && sorted[i].region == region)
            .collect();
        if candidates.is_empty() {
            // Bids are only made for regions where the lab has sites, so this is a
            // safety net: units are never lost, they go to another of its sites.
            candidates = (0..sorted.len())
                .filter(|&i| sorted[i].lab == lab)
                .collect();
        }
        candidates.sort_by_key(|&i| {
            (
                sorted[i].stage != Stage::Energized,
                std::cmp::Reverse(sorted[i].stage),
                sorted[i].ready_tick,
                sorted[i].project_id,
            )
        });
        let room = |project: &Project| {
            moatsim_model::units::units_powered_by(
                project.free_mw(&scenario.chips, pue),
                watts,
                pue,
            ) as u64
        };
        let energized = candidates
            .iter()
            .take_while(|&&i| sorted[i].stage == Stage::Energized)
            .count();
        for &i in &candidates[..energized] {
            let take = left.min(room(&sorted[i]));
            install(&mut sorted[i], take);
            left -= take;
        }
        if let Some(order) = orders
            .refresh
            .iter()
            .position(|r| r.lab == lab && r.region == region && r.chip == chip)
        {
            let mut retired = 0;
            let mut retired_cost = 0.0;
            for &i in &candidates[..energized] {
                if left == 0 || refresh_left[order] <= 0.0 {
                    break;
                }
                let wanted_mw = moatsim_model::units::mw_drawn_by(left as f64, watts, pue)
                    .min(refresh_left[order]);
                let out = retire_for_refresh(
                    &mut sorted[i],
                    &scenario.chips,
                    pue,
                    orders.refresh[order].retire_up_to_h100e_per_mw,
                    wanted_mw,
                );
                refresh_left[order] -= out.mw;
                retired += out.units;
                retired_cost += out.cost_usd;
                sorted[i].retired_units += out.units;
                let take = left.min(room(&sorted[i]));
                install(&mut sorted[i], take);
                left -= take;
            }
            if retired > 0
                && let Some((_, mut owner)) = labs.iter_mut().find(|(a, _)| a.id == lab)
            {
                // The retired units, the oldest of their generation at the
                // site, leave the fleet's book at their vintages' cost; they
                // are scrapped, not sold.
                owner.fleet_cost_usd = (owner.fleet_cost_usd - retired_cost).max(0.0);
                owner.flows.gpus_retired += retired;
            }
        }
        for &i in &candidates[energized..] {
            let take = left.min(room(&sorted[i]));
            install(&mut sorted[i], take);
            left -= take;
        }
        // Whatever did not fit goes to the most advanced site; it waits there for power.
        if left > 0
            && let Some(&i) = candidates.first()
        {
            install(&mut sorted[i], left);
        }
    }
}

/// Units retired from one site's fleet for a refresh.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Retired {
    units: u64,
    /// Grid MW the retired units drew.
    mw: f64,
    /// Their book cost: the oldest vintages of their generation at the site.
    cost_usd: f64,
}

/// Retires installed units from a site, least power-efficient generation
/// first and only generations at most `up_to_h100e_per_mw` efficient, until
/// they free `wanted_mw` of power (whole units, so up to one unit more).
fn retire_for_refresh(
    project: &mut Project,
    chips: &[moatsim_config::ChipGeneration],
    pue: f64,
    up_to_h100e_per_mw: f64,
    wanted_mw: f64,
) -> Retired {
    use moatsim_model::units::mw_drawn_by;
    let h100e_per_mw = |c: usize| chips[c].h100e_per_mw(pue);
    let mut order: Vec<usize> = (0..project.installed.len())
        .filter(|&c| project.installed[c] > 0 && h100e_per_mw(c) <= up_to_h100e_per_mw)
        .collect();
    order.sort_by(|&a, &b| h100e_per_mw(a).total_cmp(&h100e_per_mw(b)).then(a.cmp(&b)));
    let mut out = Retired::default();
    for c in order {
        let left_mw = wanted_mw - out.mw;
        if left_mw <= 0.0 {
            break;
        }
        let per_unit = mw_drawn_by(1.0, chips[c].watts, pue);
        let units = ((left_mw / per_unit).ceil() as u64).min(project.installed[c]);
        project.installed[c] -= units;
        let taken = vintages::take_oldest(
            project.vintages_of(c),
            units as f64 * chips[c].h100e_per_unit,
        );
        out.units += units;
        out.mw += units as f64 * per_unit;
        out.cost_usd += vintages::total(&taken, |v| v.cost_usd);
    }
    out
}

/// Aggregate buyers' vintages that have run `world.gpu_life_quarters` leave
/// their fleets at the start of the quarter (`market::vintages`): compute,
/// the load they drew where they ran (their utility's committed load follows
/// in `connect_buyer_fleets`), their book cost, and the rental fleet's share of
/// them. The buyer may replace them in this quarter's order.
pub fn retire_aged_buyer_fleets(
    clock: Res<Clock>,
    params: Res<Params>,
    mut buyers: Query<&mut AcceleratorBuyer>,
) {
    let life = params.0.world.gpu_life_quarters;
    for mut buyer in &mut buyers {
        let retired = vintages::retire_aged(&mut buyer.vintages, i64::from(clock.tick), life);
        if retired.is_empty() {
            continue;
        }
        let h100e = vintages::total(&retired, |v| v.h100e);
        let rental_share = if buyer.fleet_h100e > 0.0 {
            (buyer.rental_fleet_h100e / buyer.fleet_h100e).clamp(0.0, 1.0)
        } else {
            0.0
        };
        for v in &retired {
            buyer.load_mw -= v.mw;
            // The starting fleet's load was in its utility's base load; once
            // it retires the load added since the start falls below zero and
            // frees that much of the base.
            buyer.added_load_by_region[v.region] -= v.mw;
        }
        buyer.load_mw = buyer.load_mw.max(0.0);
        buyer.fleet_h100e = (buyer.fleet_h100e - h100e).max(0.0);
        buyer.rental_fleet_h100e = (buyer.rental_fleet_h100e - h100e * rental_share).max(0.0);
        buyer.fleet_cost_usd =
            (buyer.fleet_cost_usd - vintages::total(&retired, |v| v.cost_usd)).max(0.0);
        buyer.flows.retired_h100e = h100e;
    }
}

/// Labs' units that have run `world.gpu_life_quarters` leave their sites at
/// the start of the quarter, as aggregate buyers' do (`market::vintages`):
/// the site's compute and load fall, the units leave the lab's book at their
/// vintages' cost (fully depreciated by then) and count in
/// `labs.gpus_retired`. The power they free is the lab's to fill again in
/// this quarter's orders.
pub fn retire_aged_lab_fleets(
    clock: Res<Clock>,
    params: Res<Params>,
    mut projects: Query<&mut Project>,
    mut labs: Query<(&Agent, &mut Lab)>,
) {
    let scenario = &params.0;
    let life = scenario.world.gpu_life_quarters;
    let tick = i64::from(clock.tick);
    let mut sorted: Vec<Mut<Project>> = projects.iter_mut().collect();
    sorted.sort_by_key(|p| p.project_id);
    // (units, book cost) retired per lab.
    let mut by_lab: std::collections::BTreeMap<moatsim_model::AgentId, (u64, f64)> =
        std::collections::BTreeMap::new();
    for project in &mut sorted {
        for chip in 0..project.vintages.len() {
            let retired = vintages::retire_aged(&mut project.vintages[chip], tick, life);
            if retired.is_empty() {
                continue;
            }
            let h100e = vintages::total(&retired, |v| v.h100e);
            let units = ((h100e / scenario.chips[chip].h100e_per_unit).round() as u64)
                .min(project.installed[chip]);
            project.installed[chip] -= units;
            project.retired_units += units;
            let entry = by_lab.entry(project.lab).or_default();
            entry.0 += units;
            entry.1 += vintages::total(&retired, |v| v.cost_usd);
        }
    }
    for (agent, mut lab) in &mut labs {
        if let Some(&(units, cost)) = by_lab.get(&agent.id) {
            lab.fleet_cost_usd = (lab.fleet_cost_usd - cost).max(0.0);
            lab.flows.gpus_retired += units;
        }
    }
}
