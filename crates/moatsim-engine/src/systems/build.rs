//! Build phase: data-center projects move through their pipeline and delivered
//! GPUs are installed.

use bevy_ecs::prelude::*;
use moatsim_config::WorldParams;
use moatsim_model::rng::{self, Purpose};
use moatsim_model::{Account, AgentId, ExternalAccount, rules};

use crate::components::*;
use crate::resources::*;

/// Share of a site's MW its powered land must bring for the project to skip
/// the queue altogether (the rest of the acres may be a rounding remainder).
const POWERED_ENOUGH: f64 = 0.999;

/// A project starts using the grid positions its powered land carries: the
/// utility's reservation for them becomes contracted data-center load.
fn use_grid_positions(utility: &mut Utility, mw: f64) {
    let used = mw.min(utility.powered_reserved_mw).max(0.0);
    utility.powered_reserved_mw -= used;
    utility.dc_contracted_mw += mw.max(0.0);
}

/// A project enters construction: how long it takes is drawn from a stream
/// keyed by its lab and the quarter the lab chose the site (a lab opens at
/// most one site a quarter), so the draw depends neither on the order
/// projects are processed in nor on other labs' projects: two runs that
/// differ elsewhere give the same site the same draw.
fn start_construction(project: &mut Project, tick: u32, seed: u64, world: &WorldParams) {
    let mut stream = rng::stream(
        seed,
        Purpose::Construction,
        project.lab,
        project.started_tick,
    );
    project.construction_quarters = rules::construction_quarters(
        world.dc_build_quarters,
        world.dc_build_sigma,
        rng::standard_normal(&mut stream),
    );
    project.stage = Stage::Construction;
    project.ready_tick = tick + project.construction_quarters;
}

/// Moves every project one step along land → permit → power → construction →
/// energized. Regulators grant permits first-come first-served within their
/// throughput; permitted projects join their region's interconnection queue.
/// Construction takes a drawn number of quarters and is paid in equal
/// instalments over them; a lab without cash pauses it.
#[allow(clippy::too_many_arguments)]
pub fn advance_projects(
    clock: Res<Clock>,
    params: Res<Params>,
    deliveries: Res<Deliveries>,
    mut projects: Query<&mut Project>,
    mut labs: Query<(&Agent, &Cash, &mut Lab)>,
    mut regulators: Query<(&Agent, &mut Regulator)>,
    mut utilities: Query<(&Agent, &mut Utility)>,
    mut funds: Query<(&Agent, &Cash, &mut Investor)>,
    mut ledger: ResMut<Ledger>,
    mut logs: ResMut<Logs>,
) {
    let scenario = &params.0;
    let world = &scenario.world;
    let tick = clock.tick;
    // Cash moves at settlement: what each fund still has to pay with this quarter.
    let mut fund_cash: std::collections::BTreeMap<AgentId, f64> =
        funds.iter().map(|(a, c, _)| (a.id, c.0)).collect();
    let mut sorted: Vec<Mut<Project>> = projects.iter_mut().collect();
    sorted.sort_by_key(|p| p.project_id);

    // Permits granted this quarter, per regulator, in application order.
    let mut permitted: Vec<u64> = Vec::new();
    let mut regs: Vec<(&Agent, Mut<Regulator>)> = regulators.iter_mut().collect();
    regs.sort_by_key(|(a, _)| a.id);
    for (_, regulator) in regs.iter_mut() {
        let throughput = scenario.regulators[regulator.index].permits_per_quarter as usize;
        let mut granted = 0;
        let mut waiting = Vec::new();
        for application in std::mem::take(&mut regulator.applications) {
            if granted < throughput && application.earliest_tick <= tick {
                permitted.push(application.project_id);
                granted += 1;
            } else {
                waiting.push(application);
            }
        }
        regulator.applications = waiting;
        regulator.flows.permits_granted = u32::try_from(granted).unwrap_or(u32::MAX);
    }

    for project in sorted.iter_mut() {
        let region = &scenario.regions[project.region];
        match project.stage {
            Stage::SeekingLand => {
                let id = project.project_id;
                for &(_, acres, powered) in deliveries.land.iter().filter(|l| l.0 == id) {
                    project.acres_held += acres;
                    if powered {
                        project.powered_acres += acres;
                    }
                }
                if project.acres_held >= project.acres_needed * 0.999 {
                    project.stage = Stage::Permitting;
                    if let Some((regulator_agent, regulator)) =
                        regs.iter_mut().find(|(_, r)| r.index == region.regulator)
                    {
                        // The regulator's queue delay, plus a challenge some
                        // sites meet, drawn from a stream keyed like the
                        // construction draw (lab, quarter the site was chosen).
                        let mut stream = rng::stream(
                            clock.seed,
                            Purpose::PermitChallenge,
                            project.lab,
                            project.started_tick,
                        );
                        let u_hit = rng::uniform(&mut stream);
                        let u_length = rng::uniform(&mut stream);
                        // Powered land from a land bank comes entitled: only
                        // the share of the site bought raw can be challenged.
                        let raw_share = 1.0
                            - (project.powered_acres / project.acres_needed.max(f64::MIN_POSITIVE))
                                .clamp(0.0, 1.0);
                        let challenge = rules::permit_challenge_quarters(
                            scenario.behaviour.permit_challenge_probability * raw_share,
                            scenario
                                .behaviour
                                .permit_challenge_max_quarters
                                .round()
                                .max(1.0) as u32,
                            u_hit,
                            u_length,
                        );
                        let delay = regulator.permit_delay_quarters + challenge;
                        regulator.applications.push(PermitApplication {
                            project_id: project.project_id,
                            earliest_tick: tick + delay,
                        });
                        project.ready_tick = tick + delay;
                        logs.event(
                            "permit_applied",
                            Some(project.lab),
                            Some(regulator_agent.id),
                            Some(&region.name),
                            0.0,
                            Some(project.mw),
                            if challenge > 0 {
                                format!(
                                    "project {}; expected delay {delay} quarters (challenged: +{challenge})",
                                    project.project_id
                                )
                            } else {
                                format!(
                                    "project {}; expected delay {delay} quarters",
                                    project.project_id
                                )
                            },
                        );
                    }
                }
            }
            Stage::Permitting => {
                if permitted.contains(&project.project_id) {
                    let powered_mw = project.powered_mw(region.mw_per_acre);
                    let Some((utility_agent, mut utility)) = utilities
                        .iter_mut()
                        .find(|(_, u)| u.region == project.region)
                    else {
                        project.stage = Stage::AwaitingPower;
                        continue;
                    };
                    // Powered land brings all the MW the site needs: no queue.
                    if powered_mw >= project.mw * POWERED_ENOUGH {
                        use_grid_positions(&mut utility, powered_mw);
                        start_construction(project, tick, clock.seed, world);
                        logs.event(
                            "queue_skipped",
                            Some(project.lab),
                            Some(utility_agent.id),
                            Some(&region.name),
                            0.0,
                            Some(project.mw),
                            format!("project {}: on powered land", project.project_id),
                        );
                        continue;
                    }
                    project.stage = Stage::AwaitingPower;
                    {
                        let tariff = utility.tariff_per_mwh;
                        // Only the MW powered land does not bring join the queue.
                        utility.queue.push(QueuedRequest {
                            project_id: Some(project.project_id),
                            requester: project.lab,
                            mw: project.mw - powered_mw,
                            // Labs walk away above a multiple of today's tariff.
                            max_price_per_mwh: tariff * scenario.behaviour.max_tariff_multiple,
                            arrival_tick: tick,
                        });
                        logs.event(
                            "interconnection_requested",
                            Some(project.lab),
                            Some(utility_agent.id),
                            Some(&region.name),
                            0.0,
                            Some(project.mw - powered_mw),
                            format!("project {}", project.project_id),
                        );
                    }
                }
            }
            Stage::AwaitingPower => {
                if deliveries.power_granted.contains(&project.project_id) {
                    start_construction(project, tick, clock.seed, world);
                    // The queue granted the rest; the powered part was already reserved.
                    let powered_mw = project.powered_mw(region.mw_per_acre);
                    if powered_mw > 0.0
                        && let Some((_, mut utility)) = utilities
                            .iter_mut()
                            .find(|(_, u)| u.region == project.region)
                    {
                        use_grid_positions(&mut utility, powered_mw);
                    }
                }
            }
            Stage::Construction => {
                let total = project.hall_cost_usd(world.dc_capex_per_mw_usd);
                let instalment = project
                    .construction_instalment_usd(world.dc_capex_per_mw_usd)
                    .min(total - project.construction_paid_usd);
                let Some((_, cash, mut lab)) =
                    labs.iter_mut().find(|(a, _, _)| a.id == project.lab)
                else {
                    continue;
                };
                // A hall a fund financed is paid by the fund, while it has
                // the cash; otherwise by the lab.
                let fund = project
                    .financier
                    .filter(|id| fund_cash.get(id).is_some_and(|&c| c >= instalment))
                    .and_then(|id| {
                        funds
                            .iter_mut()
                            .find(|(a, _, _)| a.id == id)
                            .map(|(a, _, i)| (a.id, i))
                    });
                if instalment > 0.0
                    && lab.alive
                    && let Some((fund_id, mut fund)) = fund
                {
                    if let Some(left) = fund_cash.get_mut(&fund_id) {
                        *left -= instalment;
                    }
                    ledger.pay(
                        Account::Agent(fund_id),
                        Account::External(ExternalAccount::Contractors),
                        instalment,
                    );
                    fund.pay_for_hall(project, instalment);
                    project.construction_paid_usd += instalment;
                } else if instalment > 0.0 {
                    if cash.0 > 0.0 && lab.alive {
                        ledger.pay(
                            Account::Agent(project.lab),
                            Account::External(ExternalAccount::Contractors),
                            instalment,
                        );
                        lab.flows.capex_usd += instalment;
                        lab.facility_cost_usd += instalment;
                        project.construction_paid_usd += instalment;
                    } else {
                        project.ready_tick += 1;
                        logs.event(
                            "construction_paused",
                            Some(project.lab),
                            None,
                            Some(&region.name),
                            0.0,
                            Some(project.mw),
                            format!("project {}: no cash", project.project_id),
                        );
                    }
                }
                if tick + 1 >= project.ready_tick && project.construction_paid_usd >= total * 0.999
                {
                    project.stage = Stage::Energized;
                    logs.event(
                        "project_energized",
                        Some(project.lab),
                        None,
                        Some(&region.name),
                        project.construction_paid_usd,
                        Some(project.mw),
                        format!(
                            "project {} after {} quarters",
                            project.project_id,
                            tick - project.started_tick
                        ),
                    );
                }
            }
            Stage::Energized => {}
        }
    }
}

/// Installs delivered GPUs at the buyer's sites in the region they were bought
/// for: energized sites with power headroom first; then, for a fleet
/// refresh, in place of the least power-efficient units its plan may retire
/// at energized sites (`retire_for_refresh`); then the sites closest to
/// energizing (where they wait, stranded).
pub fn install_delivered_gpus(
    params: Res<Params>,
    deliveries: Res<Deliveries>,
    book: Res<OrderBook>,
    mut projects: Query<&mut Project>,
    mut labs: Query<(&Agent, &mut Lab)>,
) {
    let scenario = &params.0;
    let pue = scenario.world.pue;
    let mut sorted: Vec<Mut<Project>> = projects.iter_mut().collect();
    sorted.sort_by_key(|p| p.project_id);
    // MW each refresh order may still retire.
    let mut refresh_left: Vec<f64> = book.refresh.iter().map(|r| r.mw).collect();
    for &(lab, region, chip, units) in &deliveries.items {
        let watts = scenario.chips[chip].watts;
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
            sorted[i].installed[chip] += take;
            left -= take;
        }
        if let Some(order) = book
            .refresh
            .iter()
            .position(|r| r.lab == lab && r.region == region && r.chip == chip)
        {
            let mut retired = 0;
            let mut retired_h100e = 0.0;
            for &i in &candidates[..energized] {
                if left == 0 || refresh_left[order] <= 0.0 {
                    break;
                }
                let wanted_mw = moatsim_model::units::mw_drawn_by(left as f64, watts, pue)
                    .min(refresh_left[order]);
                let out = retire_for_refresh(
                    &mut sorted[i].installed,
                    &scenario.chips,
                    pue,
                    book.refresh[order].retire_up_to_h100e_per_mw,
                    wanted_mw,
                );
                refresh_left[order] -= out.mw;
                retired += out.units;
                retired_h100e += out.h100e;
                sorted[i].retired_units += out.units;
                let take = left.min(room(&sorted[i]));
                sorted[i].installed[chip] += take;
                left -= take;
            }
            if retired > 0
                && let Some((_, mut owner)) = labs.iter_mut().find(|(a, _)| a.id == lab)
            {
                // The retired units leave the fleet's book cost at its
                // average cost per H100e; they are scrapped, not sold.
                let fleet_h100e: f64 = sorted
                    .iter()
                    .filter(|p| p.lab == lab)
                    .map(|p| p.installed_h100e(&scenario.chips))
                    .sum::<f64>()
                    + retired_h100e;
                if fleet_h100e > 0.0 {
                    owner.fleet_cost_usd *= 1.0 - retired_h100e / fleet_h100e;
                }
                owner.flows.gpus_retired += retired;
            }
        }
        for &i in &candidates[energized..] {
            let take = left.min(room(&sorted[i]));
            sorted[i].installed[chip] += take;
            left -= take;
        }
        // Whatever did not fit goes to the most advanced site; it waits there for power.
        if left > 0
            && let Some(&i) = candidates.first()
        {
            sorted[i].installed[chip] += left;
        }
    }
}

/// Units retired from one site's fleet for a refresh.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Retired {
    units: u64,
    h100e: f64,
    /// Grid MW the retired units drew.
    mw: f64,
}

/// Retires installed units from a site, least power-efficient generation
/// first and only generations at most `up_to_h100e_per_mw` efficient, until
/// they free `wanted_mw` of power (whole units, so up to one unit more).
fn retire_for_refresh(
    installed: &mut [u64],
    chips: &[moatsim_config::ChipGeneration],
    pue: f64,
    up_to_h100e_per_mw: f64,
    wanted_mw: f64,
) -> Retired {
    use moatsim_model::units::mw_drawn_by;
    let h100e_per_mw = |c: usize| chips[c].h100e_per_mw(pue);
    let mut order: Vec<usize> = (0..installed.len())
        .filter(|&c| installed[c] > 0 && h100e_per_mw(c) <= up_to_h100e_per_mw)
        .collect();
    order.sort_by(|&a, &b| h100e_per_mw(a).total_cmp(&h100e_per_mw(b)).then(a.cmp(&b)));
    let mut out = Retired::default();
    for c in order {
        let left_mw = wanted_mw - out.mw;
        if left_mw <= 0.0 {
            break;
        }
        let per_unit = mw_drawn_by(1.0, chips[c].watts, pue);
        let units = ((left_mw / per_unit).ceil() as u64).min(installed[c]);
        installed[c] -= units;
        out.units += units;
        out.h100e += units as f64 * chips[c].h100e_per_unit;
        out.mw += units as f64 * per_unit;
    }
    out
}

/// Aggregate buyers' fleets draw on their region's grid: the load they have
/// added since the start becomes part of the region's utility's committed
/// load (the starting fleets are already in its base load), and so do the MW
/// the queue granted them that they do not draw yet. A buyer whose order the
/// grid cut joins the queue for what it lacked, as a project would. A region
/// has exactly one utility (the validator checks it).
pub fn connect_buyer_fleets(
    clock: Res<Clock>,
    params: Res<Params>,
    mut buyers: Query<(&Agent, &mut AcceleratorBuyer)>,
    mut utilities: Query<(&Agent, &mut Utility)>,
    mut logs: ResMut<Logs>,
) {
    let scenario = &params.0;
    let mut sorted: Vec<(&Agent, Mut<AcceleratorBuyer>)> = buyers.iter_mut().collect();
    sorted.sort_by_key(|(a, _)| a.id);
    for (agent, mut buyer) in sorted {
        let mw = buyer.flows.power_to_request_mw;
        let Some((utility_agent, mut utility)) =
            utilities.iter_mut().find(|(_, u)| u.region == buyer.region)
        else {
            continue;
        };
        if mw <= 0.0 {
            continue;
        }
        // Buyers walk away at the same multiple of today's tariff as labs.
        let max_price_per_mwh = utility.tariff_per_mwh * scenario.behaviour.max_tariff_multiple;
        utility.queue.push(QueuedRequest {
            project_id: None,
            requester: agent.id,
            mw,
            max_price_per_mwh,
            arrival_tick: clock.tick,
        });
        buyer.power_queued_mw += mw;
        logs.event(
            "interconnection_requested",
            Some(agent.id),
            Some(utility_agent.id),
            Some(&scenario.regions[buyer.region].name),
            0.0,
            Some(mw),
            "fleet growth of an aggregate buyer".to_string(),
        );
    }
    for (_, mut utility) in &mut utilities {
        // Buyers' growth may run outside their home region; their queue
        // grants are at home.
        utility.buyer_added_mw = buyers
            .iter()
            .map(|(_, b)| b.added_load_in(utility.region))
            .sum();
        utility.buyer_reserved_mw = buyers
            .iter()
            .filter(|(_, b)| b.region == utility.region)
            .map(|(_, b)| b.power_reserved_mw)
            .sum();
    }
}
