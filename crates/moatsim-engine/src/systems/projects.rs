//! Data-center projects through their pipeline (land, permit, queue,
//! construction, energized) and the sale-leaseback of halls to
//! infrastructure funds.

use crate::components::*;
use crate::events::{Event, EventKind};
use crate::resources::*;
use crate::systems::land::{AcquiredLand, LandDeliveries};
use crate::systems::power::PowerGrants;
use bevy_ecs::prelude::*;
use moatsim_config::{Scenario, WorldParams};
use moatsim_model::rng::Purpose;
use moatsim_model::units::QUARTERS_PER_YEAR;
use moatsim_model::{Account, AgentId, ExternalAccount, rng, rules};
use std::collections::BTreeMap;

/// A share this close to one counts as whole: acres and instalments are
/// floating-point sums over quarters, and a rounding remainder must not hold a
/// project back.
const WHOLE: f64 = 0.999;

/// Share of a site's MW its powered land must bring for the project to skip
/// the queue altogether (the rest of the acres may be a rounding remainder).
const POWERED_ENOUGH: f64 = WHOLE;

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

type RegulatorsById<'a> = Vec<(&'a Agent, Mut<'a, Regulator>)>;
type UtilityQuery<'w, 's> = Query<'w, 's, (&'static Agent, &'static mut Utility)>;
type LabCashQuery<'w, 's> = Query<'w, 's, (&'static Agent, &'static Cash, &'static mut Lab)>;
type FundQuery<'w, 's> = Query<'w, 's, (&'static Agent, &'static Cash, &'static mut Investor)>;

/// Moves every project one step along land → permit → power → construction →
/// energized. Regulators grant permits first-come first-served within their
/// throughput; permitted projects join their region's interconnection queue.
/// Construction takes a drawn number of quarters and is paid in equal
/// instalments over them; a lab without cash pauses it.
#[allow(
    clippy::too_many_arguments,
    reason = "a bevy system takes the resources and queries it touches as parameters"
)]
pub fn advance_projects(
    clock: Res<Clock>,
    params: Res<Params>,
    land: Res<LandDeliveries>,
    grants: Res<PowerGrants>,
    mut projects: Query<&mut Project>,
    mut labs: LabCashQuery,
    mut regulators: Query<(&Agent, &mut Regulator)>,
    mut utilities: UtilityQuery,
    mut funds: FundQuery,
    mut ledger: ResMut<Ledger>,
    mut logs: ResMut<Logs>,
) {
    let scenario = &params.0;
    // Cash moves at settlement: what each fund still has to pay with this quarter.
    let mut fund_cash: BTreeMap<AgentId, f64> = funds.iter().map(|(a, c, _)| (a.id, c.0)).collect();
    let mut sorted: Vec<Mut<Project>> = projects.iter_mut().collect();
    sorted.sort_by_key(|p| p.project_id);
    let mut regs: RegulatorsById = regulators.iter_mut().collect();
    regs.sort_by_key(|(a, _)| a.id);
    let permitted = grant_permits(scenario, &mut regs, clock.tick);

    for project in sorted.iter_mut() {
        match project.stage {
            Stage::SeekingLand => {
                take_up_land(project, &land);
                if project.acres_held >= project.acres_needed * WHOLE {
                    apply_for_permit(scenario, &clock, project, &mut regs, &mut logs);
                }
            }
            Stage::Permitting => {
                if permitted.contains(&project.project_id) {
                    request_power(scenario, &clock, project, &mut utilities, &mut logs);
                }
            }
            Stage::AwaitingPower => {
                if grants.projects.contains(&project.project_id) {
                    start_construction(project, clock.tick, clock.seed, &scenario.world);
                    // The queue granted the rest; the powered part was already reserved.
                    let powered_mw =
                        project.powered_mw(scenario.regions[project.region].mw_per_acre);
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
                let payers = (&mut labs, &mut funds, &mut fund_cash, &mut *ledger);
                build(scenario, clock.tick, project, payers, &mut logs);
            }
            Stage::Energized => {}
        }
    }
}

/// Each regulator grants the permits its throughput allows this quarter,
/// first come first served among applications whose delay has passed.
/// Returns the permitted projects, regulator by regulator in id order.
fn grant_permits(scenario: &Scenario, regs: &mut RegulatorsById, tick: u32) -> Vec<u64> {
    let mut permitted: Vec<u64> = Vec::new();
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
    permitted
}

/// A site takes up the acres its land bids won this quarter.
fn take_up_land(project: &mut Project, land: &LandDeliveries) {
    let id = project.project_id;
    for &AcquiredLand { acres, powered, .. } in land.items.iter().filter(|l| l.project_id == id) {
        project.acres_held += acres;
        if powered {
            project.powered_acres += acres;
        }
    }
}

/// A site with all its land applies for a permit: the regulator's queue
/// delay, plus a challenge some sites meet, drawn from a stream keyed like
/// the construction draw (lab, quarter the site was chosen).
fn apply_for_permit(
    scenario: &Scenario,
    clock: &Clock,
    project: &mut Project,
    regs: &mut RegulatorsById,
    logs: &mut Logs,
) {
    let tick = clock.tick;
    let region = &scenario.regions[project.region];
    project.stage = Stage::Permitting;
    let Some((regulator_agent, regulator)) =
        regs.iter_mut().find(|(_, r)| r.index == region.regulator)
    else {
        return;
    };
    let mut stream = rng::stream(
        clock.seed,
        Purpose::PermitChallenge,
        project.lab,
        project.started_tick,
    );
    let u_hit = rng::uniform(&mut stream);
    let u_length = rng::uniform(&mut stream);
    // Powered land from a land bank comes entitled: only the share of the
    // site bought raw can be challenged.
    let raw_share =
        1.0 - (project.powered_acres / project.acres_needed.max(f64::MIN_POSITIVE)).clamp(0.0, 1.0);
    let behaviour = &scenario.behaviour;
    let challenge = rules::permit_challenge_quarters(
        behaviour.permit_challenge_probability * raw_share,
        behaviour.permit_challenge_max_quarters.round().max(1.0) as u32,
        u_hit,
        u_length,
    );
    let delay = regulator.permit_delay_quarters + challenge;
    regulator.applications.push(PermitApplication {
        project_id: project.project_id,
        earliest_tick: tick + delay,
    });
    project.ready_tick = tick + delay;
    let challenged = if challenge > 0 {
        format!(" (challenged: +{challenge})")
    } else {
        String::new()
    };
    logs.event(
        Event::new(EventKind::PermitApplied)
            .agent(project.lab)
            .counterparty(regulator_agent.id)
            .region(region.name.as_str())
            .quantity(project.mw)
            .detail(format!(
                "project {}; expected delay {delay} quarters{challenged}",
                project.project_id
            )),
    );
}

/// A permitted site asks its region's utility for power: powered land that
/// brings all its MW skips the queue and starts construction; otherwise the
/// MW powered land does not bring join the interconnection queue.
fn request_power(
    scenario: &Scenario,
    clock: &Clock,
    project: &mut Project,
    utilities: &mut UtilityQuery,
    logs: &mut Logs,
) {
    let region = &scenario.regions[project.region];
    let powered_mw = project.powered_mw(region.mw_per_acre);
    let Some((utility_agent, mut utility)) = utilities
        .iter_mut()
        .find(|(_, u)| u.region == project.region)
    else {
        project.stage = Stage::AwaitingPower;
        return;
    };
    if powered_mw >= project.mw * POWERED_ENOUGH {
        use_grid_positions(&mut utility, powered_mw);
        start_construction(project, clock.tick, clock.seed, &scenario.world);
        logs.event(
            Event::new(EventKind::QueueSkipped)
                .agent(project.lab)
                .counterparty(utility_agent.id)
                .region(region.name.as_str())
                .quantity(project.mw)
                .detail(format!("project {}: on powered land", project.project_id)),
        );
        return;
    }
    project.stage = Stage::AwaitingPower;
    let tariff = utility.tariff_per_mwh;
    utility.queue.push(QueuedRequest {
        project_id: Some(project.project_id),
        requester: project.lab,
        mw: project.mw - powered_mw,
        // Labs walk away above a multiple of today's tariff.
        max_price_per_mwh: tariff * scenario.behaviour.max_tariff_multiple,
        arrival_tick: clock.tick,
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

/// A quarter of construction: this quarter's instalment is paid (by the
/// fund that financed the hall, or by the lab; a lab without cash pauses
/// construction a quarter), and a hall built and paid for is energized.
/// `payers` are who may pay: the labs, the funds, what each fund still has
/// this quarter (cash moves at settlement) and the ledger.
fn build(
    scenario: &Scenario,
    tick: u32,
    project: &mut Project,
    payers: (
        &mut LabCashQuery,
        &mut FundQuery,
        &mut BTreeMap<AgentId, f64>,
        &mut Ledger,
    ),
    logs: &mut Logs,
) {
    let world = &scenario.world;
    let region = &scenario.regions[project.region];
    let (labs, funds, fund_cash, ledger) = payers;
    let total = project.hall_cost_usd(world.dc_capex_per_mw_usd);
    let instalment = project
        .construction_instalment_usd(world.dc_capex_per_mw_usd)
        .min(total - project.construction_paid_usd);
    let Some((_, cash, mut lab)) = labs.iter_mut().find(|(a, _, _)| a.id == project.lab) else {
        return;
    };
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
    if tick + 1 >= project.ready_tick && project.construction_paid_usd >= total * WHOLE {
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
#[allow(
    clippy::too_many_arguments,
    reason = "a bevy system takes the resources and queries it touches as parameters"
)]
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
    let mut committed: BTreeMap<AgentId, f64> = BTreeMap::new();
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
