//! The start of a quarter: flows reset and books cleared, the policy timeline
//! applied to the rules in force, and regulators' permitting delay and
//! antitrust review set, before any agent decides.

use crate::components::*;
use crate::events::{Event, EventKind};
use crate::resources::*;
use crate::systems::capital::CapitalOrders;
use crate::systems::cloud::RentalOrders;
use crate::systems::gpu::{GpuDeliveries, GpuOrders};
use crate::systems::land::{LandDeliveries, LandOrders};
use crate::systems::power::PowerGrants;
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use moatsim_config::{PolicyChange, Scenario};
use moatsim_model::cost_curve;
use moatsim_model::rules;
use std::sync::Arc;

/// Appends `value` to a history kept oldest first, dropping the oldest so that
/// at most `quarters` remain.
fn keep_last(history: &mut Vec<f64>, value: f64, quarters: usize) {
    history.push(value);
    let excess = history.len().saturating_sub(quarters);
    history.drain(..excess);
}

/// Every market's books for the quarter: its orders and what its clearing
/// delivers. Each is filled during the quarter and emptied, sized for the
/// scenario, at the start of the next, so no market reads last quarter's.
/// A market with books of its own adds them here, once.
#[derive(SystemParam, Debug)]
pub struct MarketBooks<'w> {
    gpu_orders: ResMut<'w, GpuOrders>,
    gpu_deliveries: ResMut<'w, GpuDeliveries>,
    land_orders: ResMut<'w, LandOrders>,
    land_deliveries: ResMut<'w, LandDeliveries>,
    power_grants: ResMut<'w, PowerGrants>,
    capital_orders: ResMut<'w, CapitalOrders>,
    rental_orders: ResMut<'w, RentalOrders>,
}

impl MarketBooks<'_> {
    /// Puts every market's books in the world, empty, when it is built.
    pub fn insert(world: &mut World, scenario: &Scenario) {
        world.insert_resource(GpuOrders::new(scenario.chips.len()));
        world.insert_resource(GpuDeliveries::default());
        world.insert_resource(LandOrders::new(scenario.regions.len()));
        world.insert_resource(LandDeliveries::default());
        world.insert_resource(PowerGrants::default());
        world.insert_resource(CapitalOrders::default());
        world.insert_resource(RentalOrders::new(scenario.regions.len()));
    }

    fn reset(&mut self, scenario: &Scenario) {
        *self.gpu_orders = GpuOrders::new(scenario.chips.len());
        *self.gpu_deliveries = GpuDeliveries::default();
        *self.land_orders = LandOrders::new(scenario.regions.len());
        *self.land_deliveries = LandDeliveries::default();
        *self.power_grants = PowerGrants::default();
        *self.capital_orders = CapitalOrders::default();
        *self.rental_orders = RentalOrders::new(scenario.regions.len());
    }
}

/// Zeroes the per-quarter flows of every agent and clears the quarter's books.
#[allow(
    clippy::too_many_arguments,
    reason = "a bevy system takes the resources and queries it touches as parameters"
)]
pub fn begin_quarter(
    clock: Res<Clock>,
    params: Res<Params>,
    mut labs: Query<&mut Lab>,
    mut buyers: Query<&mut AcceleratorBuyer>,
    mut investors: Query<&mut Investor>,
    mut chipmakers: Query<&mut Chipmaker>,
    mut utilities: Query<&mut Utility>,
    mut regulators: Query<&mut Regulator>,
    mut books: MarketBooks,
    mut technology: ResMut<Technology>,
    mut logs: ResMut<Logs>,
    mut stats: ResMut<QuarterStats>,
) {
    for mut lab in &mut labs {
        // What last quarter's decisions leave for this quarter's to see.
        let outflow = lab.flows.opex_usd
            + lab.flows.capex_usd
            + lab.flows.power_cost_usd
            + lab.flows.rent_usd
            - lab.flows.revenue_usd;
        let window = params.0.behaviour.burn_window_quarters.round().max(1.0) as usize;
        keep_last(&mut lab.recent_net_outflows_usd, outflow, window);
        // The first quarter has no history yet: nothing was earned before it.
        if clock.tick > 0 {
            let revenue = lab.flows.revenue_usd;
            keep_last(
                &mut lab.recent_revenue_usd,
                revenue,
                REVENUE_HISTORY_QUARTERS,
            );
        }
        lab.previous_revenue_usd = lab.flows.revenue_usd;
        lab.flows = LabFlows::default();
    }
    for mut buyer in &mut buyers {
        buyer.flows = BuyerFlows::default();
    }
    for mut investor in &mut investors {
        investor.flows = InvestorFlows::default();
    }
    for mut maker in &mut chipmakers {
        maker.flows = ChipmakerFlows::default();
    }
    for mut utility in &mut utilities {
        utility.flows = UtilityFlows::default();
    }
    for mut regulator in &mut regulators {
        regulator.flows = RegulatorFlows::default();
    }
    books.reset(&params.0);
    // No policy change touches the world's technology, so the value set
    // before the policy timeline holds all quarter.
    technology.algorithmic_efficiency = cost_curve::algorithmic_efficiency(
        clock.tick,
        params.0.world.algorithmic_efficiency_halving_months,
    );
    technology.serving_software = cost_curve::serving_software_gain(
        clock.tick,
        params.0.world.serving_software_gain_per_year,
    );
    logs.events.clear();
    logs.markets.clear();
    stats.capital_raised_usd = 0.0;
    stats.lost_demand_mtok = 0.0;
    stats.app_profit_usd = 0.0;
    stats.app_revenue_usd = 0.0;
    stats.app_token_spend_usd = 0.0;
    stats.product_revenue_usd = 0.0;
    stats.builder_switches = 0;
}

/// Applies the scenario's policy timeline: every `[[events]]` entry of this
/// quarter changes the rules in force (held in `Params`) before any agent
/// decides, and is recorded as a `policy_change` event. This is the only system
/// that changes `Params` after setup.
pub fn apply_policy_timeline(
    clock: Res<Clock>,
    mut params: ResMut<Params>,
    regulators: Query<(&Agent, &Regulator)>,
    mut utilities: Query<(&Agent, &mut Utility)>,
    mut labs: Query<(&Agent, &mut Lab)>,
    mut logs: ResMut<Logs>,
) {
    let due: Vec<PolicyChange> = params
        .0
        .events
        .iter()
        .filter(|e| e.quarter == clock.quarter)
        .map(|e| e.change.clone())
        .collect();
    if due.is_empty() {
        return;
    }
    let scenario = Arc::make_mut(&mut params.0);
    let regulator_id = |index: usize| {
        regulators
            .iter()
            .find(|(_, r)| r.index == index)
            .map(|(a, _)| a.id)
    };
    for change in due {
        let detail = apply_rule_change(scenario, &change);
        let (agent, region, amount, quantity) = match change {
            PolicyChange::ExportTier { region, .. } => (
                regulator_id(scenario.regions[region].regulator),
                Some(scenario.regions[region].name.clone()),
                0.0,
                None,
            ),
            PolicyChange::LicenceFee { regulator, rate } => {
                (regulator_id(regulator), None, 0.0, Some(rate))
            }
            PolicyChange::PermitDelay {
                regulator,
                quarters,
            } => (
                regulator_id(regulator),
                None,
                0.0,
                Some(f64::from(quarters)),
            ),
            PolicyChange::AntitrustThreshold { regulator, hhi } => {
                (regulator_id(regulator), None, 0.0, Some(hhi))
            }
            PolicyChange::PowerPriority {
                regulator,
                dc_power_share,
            } => (regulator_id(regulator), None, 0.0, Some(dc_power_share)),
            PolicyChange::ScheduledRound {
                lab,
                amount_usd,
                post_money_usd,
            } => (
                labs.iter().find(|(_, l)| l.index == lab).map(|(a, _)| a.id),
                None,
                amount_usd,
                Some(post_money_usd),
            ),
            PolicyChange::UtilityBuild {
                utility,
                technology,
                mw,
            } => {
                // The one change that acts on an agent rather than on the rules.
                let tech = &scenario.generation_technologies[technology];
                let mut agent = None;
                if let Some((a, mut u)) = utilities.iter_mut().find(|(_, u)| u.index == utility) {
                    u.builds.push(Build {
                        technology,
                        mw,
                        ready_tick: clock.tick + tech.lead_quarters,
                        capex_per_quarter_usd: mw * tech.capex_per_mw_usd
                            / f64::from(tech.lead_quarters),
                    });
                    u.flows.builds_started_mw += mw;
                    agent = Some(a.id);
                }
                let region = scenario.utilities[utility].region;
                (
                    agent,
                    Some(scenario.regions[region].name.clone()),
                    mw * tech.capex_per_mw_usd,
                    Some(mw),
                )
            }
            PolicyChange::ChipRoadmap { .. } => (None, None, 0.0, None),
            PolicyChange::ComputeOutage {
                lab,
                share,
                quarters,
            } => {
                // Like a utility build, it acts on an agent, not on the rules.
                let mut agent = None;
                if let Some((a, mut l)) = labs.iter_mut().find(|(_, l)| l.index == lab) {
                    l.outage_share = share;
                    l.outage_until_tick = clock.tick + quarters;
                    agent = Some(a.id);
                }
                (agent, None, 0.0, Some(share))
            }
        };
        logs.event(
            Event::new(EventKind::PolicyChange)
                .agent(agent)
                .region(region.as_deref())
                .amount(amount)
                .quantity(quantity)
                .detail(format!("{}: {detail}", change.kind())),
        );
    }
}

/// Changes the rules in force for one policy change and describes it (value
/// before and after). Pure: the policy system and checkpoint restore both use
/// it, so a resumed run sees exactly the rules the original run did.
pub fn apply_rule_change(scenario: &mut Scenario, change: &PolicyChange) -> String {
    match *change {
        PolicyChange::ExportTier { region, tier } => {
            let entry = &mut scenario.regions[region];
            let before = entry.export_tier;
            entry.export_tier = tier;
            format!("export tier {} -> {}", before.name(), tier.name())
        }
        PolicyChange::LicenceFee { regulator, rate } => {
            let entry = &mut scenario.regulators[regulator];
            let before = entry.licence_fee_rate;
            entry.licence_fee_rate = rate;
            format!("licence fee {before} -> {rate}")
        }
        PolicyChange::PermitDelay {
            regulator,
            quarters,
        } => {
            let entry = &mut scenario.regulators[regulator];
            let before = entry.permit_base_quarters;
            entry.permit_base_quarters = quarters;
            format!("base permitting delay {before} -> {quarters} quarters")
        }
        PolicyChange::AntitrustThreshold { regulator, hhi } => {
            let entry = &mut scenario.regulators[regulator];
            let before = entry.antitrust_hhi_threshold;
            entry.antitrust_hhi_threshold = hhi;
            format!("antitrust HHI threshold {before} -> {hhi}")
        }
        PolicyChange::PowerPriority {
            regulator,
            dc_power_share,
        } => {
            let entry = &mut scenario.regulators[regulator];
            let before = entry.dc_power_share;
            entry.dc_power_share = dc_power_share;
            format!("data centers' share of spare grid capacity {before} -> {dc_power_share}")
        }
        PolicyChange::ScheduledRound {
            amount_usd,
            post_money_usd,
            ..
        } => format!(
            "round of {:.1}B at {:.0}B post-money scheduled",
            amount_usd / 1e9,
            post_money_usd / 1e9
        ),
        PolicyChange::UtilityBuild { technology, mw, .. } => {
            let tech = &scenario.generation_technologies[technology];
            format!(
                "{} build-out of {mw} MW, {} quarters to build",
                tech.name, tech.lead_quarters
            )
        }
        PolicyChange::ComputeOutage {
            lab,
            share,
            quarters,
        } => PolicyChange::outage_text(&scenario.labs[lab].name, share, quarters),
        PolicyChange::ChipRoadmap { chip, available } => {
            let entry = &mut scenario.chips[chip];
            let before = entry.available;
            entry.available = available;
            format!("{} first on sale {before} -> {available}", entry.name)
        }
    }
}

/// Regulators set the permitting delay from their backlog and open an antitrust
/// review when inference revenue is too concentrated.
pub fn review_permits_and_concentration(
    params: Res<Params>,
    labs: Query<&Lab>,
    mut regulators: Query<(&Agent, &mut Regulator)>,
    mut logs: ResMut<Logs>,
) {
    let scenario = &params.0;
    let shares: Vec<f64> = labs
        .iter()
        .filter(|l| l.alive)
        .map(|l| l.market_share)
        .collect();
    let hhi = rules::hhi(&shares);
    for (agent, mut regulator) in &mut regulators {
        let spec = &scenario.regulators[regulator.index];
        regulator.permit_delay_quarters = rules::permit_delay_quarters(
            spec.permit_base_quarters,
            regulator.applications.len(),
            spec.permits_per_quarter,
        );
        regulator.hhi_observed = hhi;
        let review = hhi > spec.antitrust_hhi_threshold;
        if review != regulator.antitrust_review {
            logs.event(
                Event::new(if review {
                    EventKind::AntitrustReviewOpened
                } else {
                    EventKind::AntitrustReviewClosed
                })
                .agent(agent.id)
                .quantity(hhi)
                .detail(format!(
                    "inference HHI {hhi:.0} vs threshold {:.0}",
                    spec.antitrust_hhi_threshold
                )),
            );
        }
        regulator.antitrust_review = review;
    }
}
