//! Data-center projects through their pipeline (land, permit, queue,
//! construction, energized) and the sale-leaseback of halls to
//! infrastructure funds.

use crate::components::*;
use crate::events::{Event, EventKind};
use crate::resources::*;
use crate::systems::land::{AcquiredLand, LandDeliveries};
use crate::systems::power::PowerGrants;
use bevy_ecs::prelude::*;
use moatsim_config::WorldParams;
use moatsim_model::rng::Purpose;
use moatsim_model::units::QUARTERS_PER_YEAR;
use moatsim_model::{Account, AgentId, ExternalAccount, rng, rules};

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
    land: Res<LandDeliveries>,
    grants: Res<PowerGrants>,
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
                for &AcquiredLand { acres, powered, .. } in
                    land.items.iter().filter(|l| l.project_id == id)
                {
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
                        logs.event(Event::new(EventKind::PermitApplied).agent(project.lab).counterparty(regulator_agent.id).region(region.name.as_str()).quantity(project.mw).detail(if challenge > 0 {
                                format!(
                                    "project {}; expected delay {delay} quarters (challenged: +{challenge})",
                                    project.project_id
                                )
                            } else {
                                format!(
                                    "project {}; expected delay {delay} quarters",
                                    project.project_id
                                )
                            }));
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
                            Event::new(EventKind::QueueSkipped)
                                .agent(project.lab)
                                .counterparty(utility_agent.id)
                                .region(region.name.as_str())
                                .quantity(project.mw)
                                .detail(format!("project {}: on powered land", project.project_id)),
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
                            Event::new(EventKind::InterconnectionRequested)
                                .agent(project.lab)
                                .counterparty(utility_agent.id)
                                .region(region.name.as_str())
                                .quantity(project.mw - powered_mw)
                                .detail(format!("project {}", project.project_id)),
                        );
                    }
                }
            }
            Stage::AwaitingPower => {
                if grants.projects.contains(&project.project_id) {
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
                            Event::new(EventKind::ConstructionPaused)
                                .agent(project.lab)
                                .region(region.name.as_str())
                                .quantity(project.mw)
                                .detail(format!("project {}: no cash", project.project_id)),
                        );
                    }
                }
                if tick + 1 >= project.ready_tick && project.construction_paid_usd >= total * 0.999
                {
                    project.stage = Stage::Energized;
                    logs.event(
                        Event::new(EventKind::ProjectEnergized)
                            .agent(project.lab)
                            .region(region.name.as_str())
                            .amount(project.construction_paid_usd)
                            .quantity(project.mw)
                            .detail(format!(
                                "project {} after {} quarters",
                                project.project_id,
                                tick - project.started_tick
                            )),
                    );
                }
            }
            Stage::Energized => {}
        }
    }
}

/// Infrastructure funds finance halls (a sale-leaseback): a lab whose capital
/// is equity — no parent funding — sells each hall it starts building to the
/// richest infrastructure fund with the cash for the whole hall, which repays
/// what the lab has paid so far, pays the remaining instalments, owns the hall
/// and leases it to the lab from energization at `hall_lease_rate` a year of
/// its cost (`capital::choose_financier`). Equity costs such a lab the return
/// its investors require (`investor_return_target`, 30%), well above the
/// lease rate; a hyperscaler funds halls from its parent's cash flow. A fund
/// finances only while the lab's yearly leases stay within `lease_coverage`
/// of its revenue run-rate: it lends against the tenant's revenue.
#[allow(clippy::too_many_arguments)]
pub fn finance_halls(
    params: Res<Params>,
    mut labs: Query<(&Agent, &mut Lab)>,
    mut projects: Query<&mut Project>,
    mut funds: Query<(&Agent, &Cash, &mut Investor)>,
    mut ledger: ResMut<Ledger>,
    mut logs: ResMut<Logs>,
) {
    use moatsim_model::market::capital::{Bidder, choose_financier};
    let scenario = &params.0;
    let behaviour = &scenario.behaviour;
    // Cash moves at settlement: what each fund can still commit this quarter.
    let mut committed: std::collections::BTreeMap<AgentId, f64> = std::collections::BTreeMap::new();
    let mut sorted_projects: Vec<Mut<Project>> = projects.iter_mut().collect();
    sorted_projects.sort_by_key(|p| p.project_id);
    let mut sorted_labs: Vec<(&Agent, Mut<Lab>)> = labs.iter_mut().collect();
    sorted_labs.sort_by_key(|(a, _)| a.id);
    for (agent, lab) in sorted_labs.iter_mut() {
        let spec = &scenario.labs[lab.index];
        if !lab.alive || spec.parent_funding_per_quarter_usd > 0.0 {
            continue;
        }
        let run_rate = lab.previous_revenue_usd * QUARTERS_PER_YEAR;
        let mut yearly_leases: f64 = sorted_projects
            .iter()
            .filter(|p| p.lab == agent.id && p.financier.is_some())
            .map(|p| {
                p.hall_cost_usd(scenario.world.dc_capex_per_mw_usd) * behaviour.hall_lease_rate
            })
            .sum();
        for project in sorted_projects.iter_mut().filter(|p| {
            p.lab == agent.id && p.stage == Stage::Construction && p.financier.is_none()
        }) {
            let hall_cost = project.hall_cost_usd(scenario.world.dc_capex_per_mw_usd);
            let mut bidders: Vec<Bidder> = funds
                .iter()
                .filter(|(_, _, i)| i.kind == moatsim_config::InvestorKind::InfrastructurePe)
                .map(|(a, cash, _)| Bidder {
                    lab: a.id,
                    cash_usd: cash.0 - committed.get(&a.id).copied().unwrap_or(0.0),
                    barred: false,
                })
                .collect();
            bidders.sort_by_key(|b| b.lab);
            let Some(fund_id) = choose_financier(
                hall_cost,
                behaviour.hall_lease_rate,
                yearly_leases,
                run_rate,
                behaviour.lease_coverage,
                &bidders,
            ) else {
                continue;
            };
            let Some((_, _, mut fund)) = funds.iter_mut().find(|(a, _, _)| a.id == fund_id) else {
                continue;
            };
            // The fund buys the hall so far and commits to the rest.
            let paid = project.construction_paid_usd;
            ledger.pay(Account::Agent(fund_id), Account::Agent(agent.id), paid);
            *committed.entry(fund_id).or_default() += hall_cost;
            fund.pay_for_hall(project, paid);
            lab.facility_cost_usd = (lab.facility_cost_usd - paid).max(0.0);
            project.financier = Some(fund_id);
            yearly_leases += hall_cost * behaviour.hall_lease_rate;
            logs.event(Event::new(EventKind::HallFinanced).agent(agent.id).counterparty(fund_id).amount(hall_cost).quantity(project.mw).detail(format!(
                    "project {}: sold and leased back at {:.0}% a year; {:.1}B repaid to the lab",
                    project.project_id,
                    100.0 * behaviour.hall_lease_rate,
                    paid / 1e9
                )));
        }
    }
}
