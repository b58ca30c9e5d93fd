//! The power market: utilities' generation and tariffs, the interconnection
//! queues, and the aggregate buyers' fleets connected to the grid.

use crate::components::*;
use crate::events::{Event, EventKind};
use crate::records::MarketRow;
use crate::resources::*;
use bevy_ecs::prelude::*;
use moatsim_model::market::power::{
    InterconnectionRequest, PowerOffer, process_interconnection_queue,
};
use moatsim_model::units::{HOURS_PER_QUARTER, QUARTERS_PER_YEAR};
use moatsim_model::{Account, ExternalAccount, rules};

/// Projects whose interconnection the queues granted this quarter; they
/// start construction in the build phase.
#[derive(Resource, Debug, Clone, Default)]
pub struct PowerGrants {
    pub projects: Vec<u64>,
}

/// Utilities bring finished plants online, pay for plants under construction,
/// set the tariff from the reserve margin, and start new generation when the
/// expected price beats a technology's cost plus the hurdle.
pub fn plan_generation(
    clock: Res<Clock>,
    params: Res<Params>,
    mut utilities: Query<(&Agent, &mut Utility)>,
    mut ledger: ResMut<Ledger>,
    mut logs: ResMut<Logs>,
) {
    let scenario = &params.0;
    let tick = clock.tick;
    for (agent, mut utility) in &mut utilities {
        let spec = &scenario.utilities[utility.index];
        let region_name = scenario.regions[utility.region].name.as_str();
        let mut online_now = 0.0;
        let mut spend = 0.0;
        let mut still_building = Vec::new();
        for build in std::mem::take(&mut utility.builds) {
            if build.ready_tick <= tick {
                online_now += build.mw;
                logs.event(
                    Event::new(EventKind::GenerationOnline)
                        .agent(agent.id)
                        .region(region_name)
                        .quantity(build.mw)
                        .detail(
                            scenario.generation_technologies[build.technology]
                                .name
                                .clone(),
                        ),
                );
            } else {
                spend += build.capex_per_quarter_usd;
                still_building.push(build);
            }
        }
        utility.builds = still_building;
        utility.generation_mw += online_now;
        // Other customers' load grows (electrification). Generation that cannot
        // carry it is a shortfall the utility must build for; the load served
        // never exceeds generation.
        let wanted_base = utility.base_load_mw * (1.0 + spec.base_load_growth_per_quarter);
        // Other customers' load may grow into what generation has left after
        // every data-center commitment: labs' contracts, the aggregate
        // buyers' added fleets and powered land's reserved grid positions.
        let data_centers = utility.committed_mw() - utility.base_load_mw;
        let room = (utility.generation_mw - data_centers).max(0.0);
        if wanted_base > room {
            logs.event(
                Event::new(EventKind::BaseLoadUnserved)
                    .agent(agent.id)
                    .region(region_name)
                    .quantity(wanted_base - room)
                    .detail("MW of other customers' load growth the grid could not carry".into()),
            );
        }
        utility.base_load_mw = wanted_base.min(room).max(utility.base_load_mw.min(room));
        ledger.pay(
            Account::Agent(agent.id),
            Account::External(ExternalAccount::Contractors),
            spend,
        );
        utility.flows.build_spend_usd += spend;
        utility.plant_cost_usd += spend;

        let margin = rules::reserve_margin(utility.generation_mw, utility.committed_mw());
        utility.tariff_per_mwh = rules::tariff_per_mwh(
            spec.base_tariff_per_mwh,
            margin,
            spec.target_reserve_margin,
            spec.scarcity_adder,
        );

        // Build when the margin expected once the queue connects is thin and the
        // tariff pays for new generation.
        let queued: f64 = utility.queue.iter().map(|r| r.mw).sum();
        let under_construction: f64 = utility.builds.iter().map(|b| b.mw).sum();
        let expected_margin = rules::reserve_margin(
            utility.generation_mw + under_construction,
            utility.committed_mw() + queued,
        );
        if expected_margin >= spec.target_reserve_margin || utility.builds.len() >= 4 {
            continue;
        }
        let urgent = expected_margin < spec.min_reserve_margin;
        let choice = scenario
            .generation_technologies
            .iter()
            .enumerate()
            .filter(|(_, t)| t.cost_per_mwh * (1.0 + spec.hurdle) <= utility.tariff_per_mwh)
            .min_by(|(ia, a), (ib, b)| {
                // When the grid is short, speed matters more than cost.
                let key_a = if urgent {
                    f64::from(a.lead_quarters)
                } else {
                    a.cost_per_mwh
                };
                let key_b = if urgent {
                    f64::from(b.lead_quarters)
                } else {
                    b.cost_per_mwh
                };
                key_a.total_cmp(&key_b).then(ia.cmp(ib))
            });
        if let Some((technology, tech)) = choice {
            let mw = spec.build_block_mw;
            utility.builds.push(Build {
                technology,
                mw,
                ready_tick: tick + tech.lead_quarters,
                capex_per_quarter_usd: mw * tech.capex_per_mw_usd / f64::from(tech.lead_quarters),
            });
            utility.flows.builds_started_mw += mw;
            logs.event(
                Event::new(EventKind::GenerationBuild)
                    .agent(agent.id)
                    .region(region_name)
                    .amount(mw * tech.capex_per_mw_usd)
                    .quantity(mw)
                    .detail(format!(
                        "{} ready {}",
                        tech.name,
                        clock.quarter.plus(tech.lead_quarters)
                    )),
            );
        }
    }
}

/// Each utility studies the head of its interconnection queue and grants the
/// requests that fit within the capacity it can commit above its minimum reserve.
pub fn clear_power_queues(
    clock: Res<Clock>,
    params: Res<Params>,
    mut utilities: Query<(&Agent, &mut Utility)>,
    mut buyers: Query<(&Agent, &mut AcceleratorBuyer)>,
    mut grants: ResMut<PowerGrants>,
    mut logs: ResMut<Logs>,
) {
    let scenario = &params.0;
    let mut sorted: Vec<(&Agent, Mut<Utility>)> = utilities.iter_mut().collect();
    sorted.sort_by_key(|(a, _)| a.id);
    for (agent, mut utility) in sorted {
        let spec = &scenario.utilities[utility.index];
        let region_name = scenario.regions[utility.region].name.clone();
        let spare = utility.spare_mw(spec.min_reserve_margin);
        let requests: Vec<InterconnectionRequest> = utility
            .queue
            .iter()
            .map(|q| InterconnectionRequest {
                request_id: q.project_id.unwrap_or(q.requester.0),
                mw: q.mw,
                max_price_per_mwh: q.max_price_per_mwh,
                arrival_tick: q.arrival_tick,
            })
            .collect();
        // A power-priority rule keeps part of the spare capacity for other load.
        let priority =
            scenario.regulators[scenario.regions[utility.region].regulator].dc_power_share;
        let offer = PowerOffer {
            spare_mw: spare.max(0.0) * priority,
            tariff_per_mwh: utility.tariff_per_mwh,
            max_studies: spec.studies_per_quarter as usize,
            tick: clock.tick,
            min_study_quarters: spec.interconnection_study_quarters,
        };
        let clearing = process_interconnection_queue(&requests, &offer);
        let mut waits = 0.0;
        for &index in &clearing.granted {
            let request = utility.queue[index].clone();
            let waited = clock.tick - request.arrival_tick;
            waits += f64::from(waited);
            let what = match request.project_id {
                // A project's MW are contracted now; it builds on them.
                Some(project_id) => {
                    grants.projects.push(project_id);
                    utility.dc_contracted_mw += request.mw;
                    format!("project {project_id} after {waited} quarters in queue")
                }
                // A buyer's MW are reserved for it until its fleet draws them.
                None => {
                    if let Some((_, mut buyer)) =
                        buyers.iter_mut().find(|(a, _)| a.id == request.requester)
                    {
                        buyer.power_queued_mw = (buyer.power_queued_mw - request.mw).max(0.0);
                        buyer.power_reserved_mw += request.mw;
                    }
                    utility.buyer_reserved_mw += request.mw;
                    format!("fleet growth after {waited} quarters in queue")
                }
            };
            logs.event(
                Event::new(EventKind::PowerContract)
                    .agent(request.requester)
                    .counterparty(agent.id)
                    .region(region_name.as_str())
                    .amount(
                        request.mw * HOURS_PER_QUARTER * QUARTERS_PER_YEAR * utility.tariff_per_mwh,
                    )
                    .quantity(request.mw)
                    .detail(what),
            );
        }
        let granted: Vec<usize> = clearing.granted.clone();
        let mut index = 0;
        utility.queue.retain(|_| {
            let keep = !granted.contains(&index);
            index += 1;
            keep
        });
        utility.flows.granted_mw = clearing.granted_mw;
        utility.flows.granted_requests = u32::try_from(clearing.granted.len()).unwrap_or(u32::MAX);
        utility.flows.mean_wait_of_granted = if clearing.granted.is_empty() {
            0.0
        } else {
            waits / clearing.granted.len() as f64
        };
        logs.markets.push(MarketRow {
            market: "power",
            region: Some(region_name),
            item: None,
            supply: offer.spare_mw,
            demand: clearing.requested_mw,
            cleared: clearing.granted_mw,
            price: Some(utility.tariff_per_mwh),
        });
    }
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
            Event::new(EventKind::InterconnectionRequested)
                .agent(agent.id)
                .counterparty(utility_agent.id)
                .region(scenario.regions[buyer.region].name.as_str())
                .quantity(mw)
                .detail("fleet growth of an aggregate buyer".to_string()),
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
