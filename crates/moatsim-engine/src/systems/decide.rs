//! Decide phase: each agent kind sets its plan for the quarter from what it saw
//! last quarter.

use bevy_ecs::prelude::*;
use std::sync::Arc;

use moatsim_config::{PolicyChange, Scenario};
use moatsim_model::market::cloud;
use moatsim_model::units::HOURS_PER_QUARTER;
use moatsim_model::{Account, AgentId, ExternalAccount, accelerator_demand, cost_curve, rules};

use crate::components::*;
use crate::resources::*;

/// Appends `value` to a history kept oldest first, dropping the oldest so that
/// at most `quarters` remain.
fn keep_last(history: &mut Vec<f64>, value: f64, quarters: usize) {
    history.push(value);
    let excess = history.len().saturating_sub(quarters);
    history.drain(..excess);
}

/// Zeroes the per-quarter flows of every agent and clears the quarter's books.
#[allow(clippy::too_many_arguments)]
pub fn begin_quarter(
    clock: Res<Clock>,
    params: Res<Params>,
    mut labs: Query<&mut Lab>,
    mut buyers: Query<&mut AcceleratorBuyer>,
    mut investors: Query<&mut Investor>,
    mut chipmakers: Query<&mut Chipmaker>,
    mut utilities: Query<&mut Utility>,
    mut regulators: Query<&mut Regulator>,
    mut book: ResMut<OrderBook>,
    mut deliveries: ResMut<Deliveries>,
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
    *book = OrderBook::default();
    *deliveries = Deliveries::default();
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
                    "generation_online",
                    Some(agent.id),
                    None,
                    Some(region_name),
                    0.0,
                    Some(build.mw),
                    scenario.generation_technologies[build.technology]
                        .name
                        .clone(),
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
                "base_load_unserved",
                Some(agent.id),
                None,
                Some(region_name),
                0.0,
                Some(wanted_base - room),
                "MW of other customers' load growth the grid could not carry".into(),
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
                "generation_build",
                Some(agent.id),
                None,
                Some(region_name),
                mw * tech.capex_per_mw_usd,
                Some(mw),
                format!(
                    "{} ready {}",
                    tech.name,
                    clock.quarter.plus(tech.lead_quarters)
                ),
            );
        }
    }
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
            "policy_change",
            agent,
            None,
            region.as_deref(),
            amount,
            quantity,
            format!("{}: {detail}", change.kind()),
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

/// Cloud owners work out what owning an H100e costs them this quarter
/// (depreciation, the return on its capital, its energy at the region's
/// tariff), and each region's rental ask moves with last quarter's excess
/// demand, never below the cheapest owner's cost there and never above the
/// highest value a renter bid there last quarter.
pub fn price_cloud_rental(
    clock: Res<Clock>,
    params: Res<Params>,
    mut cloud: ResMut<CloudMarket>,
    mut buyers: Query<&mut AcceleratorBuyer>,
    utilities: Query<&Utility>,
) {
    let scenario = &params.0;
    let spec = &scenario.cloud;
    let mut tariff = vec![0.0; scenario.regions.len()];
    for utility in &utilities {
        tariff[utility.region] = utility.tariff_per_mwh;
    }
    let mut floor = vec![f64::INFINITY; scenario.regions.len()];
    for mut buyer in &mut buyers {
        let energy = if buyer.fleet_h100e > 0.0 {
            buyer.energy_cost_per_quarter(&tariff) / buyer.fleet_h100e
        } else {
            0.0
        };
        buyer.rental_cost_per_h100e_quarter = cloud::ownership_cost_per_h100e_quarter(
            buyer.fleet_cost_usd,
            buyer.fleet_h100e,
            f64::from(scenario.world.gpu_life_quarters),
            spec.owner_cost_of_capital_per_year,
            energy,
        );
        if buyer.rental_fleet_h100e > 0.0 {
            floor[buyer.region] = floor[buyer.region].min(buyer.rental_cost_per_h100e_quarter);
        }
    }
    if clock.tick == 0 {
        return;
    }
    for (region, market) in cloud.regions.iter_mut().enumerate() {
        let floor = if floor[region].is_finite() {
            floor[region]
        } else {
            0.0
        };
        let ceiling = (market.last_top_value > 0.0).then_some(market.last_top_value);
        market.ask_per_h100e_quarter = cloud::next_rental_ask(
            market.ask_per_h100e_quarter,
            market.last_excess_demand,
            spec.ask_sensitivity,
            scenario.behaviour.ask_max_step_per_quarter,
            floor,
            ceiling,
        );
    }
}

/// Chipmakers bring finished packaging capacity online, split it across the
/// generations on sale, set each generation's ask from last quarter's excess
/// demand, and expand capacity when backlog persists. Production itself is
/// scheduled against the order book (`clear::produce_to_order`).
pub fn plan_chip_supply(
    clock: Res<Clock>,
    params: Res<Params>,
    mut chipmakers: Query<(&Agent, &mut Chipmaker)>,
    mut ledger: ResMut<Ledger>,
    mut logs: ResMut<Logs>,
) {
    let scenario = &params.0;
    let tick = clock.tick;
    // Every maker's asks per H100e as they stood at the start of the quarter,
    // so each maker prices against the same view of its rivals.
    let offers: Vec<(usize, f64)> = chipmakers
        .iter()
        .flat_map(|(_, m)| {
            m.products
                .iter()
                .filter(|p| p.on_sale() && scenario.chips[p.chip].available <= clock.quarter)
                .map(move |p| (m.index, p.ask_usd / scenario.chips[p.chip].h100e_per_unit))
        })
        .collect();
    for (agent, mut maker) in &mut chipmakers {
        let spec = &scenario.chipmakers[maker.index];
        let maker_index = maker.index;
        let rival_ask_per_h100e = offers
            .iter()
            .filter(|o| o.0 != maker_index)
            .map(|o| o.1)
            .min_by(f64::total_cmp);
        let arrived: f64 = maker
            .expansions
            .iter()
            .filter(|e| e.0 <= tick)
            .map(|e| e.1)
            .sum();
        maker.expansions.retain(|e| e.0 > tick);
        maker.wafers_per_quarter += arrived;

        // What the maker's generations on sale filled last quarter: a launch
        // this quarter is expected to fill as much.
        let record: Vec<(u64, u64)> = maker
            .products
            .iter()
            .filter(|p| scenario.chips[p.chip].available < clock.quarter)
            .map(|p| (p.sold_units, p.demand_units))
            .collect();
        let launch_fill = accelerator_demand::launch_expected_fill(&record);

        // Available generations, newest first; capacity is weighted toward them.
        let mut available: Vec<usize> = (0..maker.products.len())
            .filter(|&p| scenario.chips[maker.products[p].chip].available <= clock.quarter)
            .collect();
        available.sort_by(|&a, &b| {
            let ca = &scenario.chips[maker.products[a].chip];
            let cb = &scenario.chips[maker.products[b].chip];
            cb.available.cmp(&ca.available).then(a.cmp(&b))
        });
        let b = &scenario.behaviour;
        let weights = [
            b.capacity_weight_newest,
            b.capacity_weight_second,
            b.capacity_weight_third,
        ];
        let weight_total: f64 = weights.iter().take(available.len()).sum();
        let wafers = maker.wafers_per_quarter;
        for product in maker.products.iter_mut() {
            product.capacity_units = 0;
        }
        for (rank, &p) in available.iter().enumerate() {
            let chip = &scenario.chips[maker.products[p].chip];
            let product = &mut maker.products[p];
            // A generation launches at its launch price; after that the ask follows
            // last quarter's excess demand.
            // Excess demand is measured against what could have been sold, so idle
            // capacity pushes the ask down and a sold-out generation pushes it up.
            if chip.available == clock.quarter || tick == 0 {
                product.ask_usd = chip.launch_price_usd;
                if tick > 0 {
                    product.expected_fill = launch_fill;
                }
            } else if product.sellable_units > 0 {
                let excess = (product.demand_units as f64 - product.sellable_units as f64)
                    / product.sellable_units as f64;
                let floor = chip.unit_cost_usd / (1.0 - spec.min_gross_margin);
                let stepped = rules::adjust_ask(
                    product.ask_usd,
                    excess,
                    spec.ask_sensitivity,
                    scenario.behaviour.ask_max_step_per_quarter,
                    floor,
                );
                product.ask_usd = rules::ask_toward_rivals(
                    stepped,
                    excess,
                    chip.h100e_per_unit,
                    rival_ask_per_h100e,
                    spec.rival_catch_up,
                );
            }
            let share =
                weights.get(rank).copied().unwrap_or(0.0) / weight_total.max(f64::MIN_POSITIVE);
            product.capacity_units = (wafers * share * chip.units_per_wafer).floor() as u64;
        }

        // Last quarter's backlog against last quarter's production plus what the
        // expansions already under way will add, so capacity coming is not
        // ordered twice.
        let backlog: u64 = maker.products.iter().map(|p| p.backlog_units).sum();
        let produced: u64 = maker.products.iter().map(|p| p.produced_units).sum();
        let units_per_wafer = maker
            .products
            .iter()
            .filter(|p| p.capacity_units > 0)
            .map(|p| scenario.chips[p.chip].units_per_wafer)
            .fold(f64::INFINITY, f64::min);
        let coming: f64 = maker.expansions.iter().map(|e| e.1).sum::<f64>()
            * if units_per_wafer.is_finite() {
                units_per_wafer
            } else {
                0.0
            };
        let signal = rules::CapacitySignal {
            backlog_units: backlog as f64,
            produced_units: produced as f64,
            coming_units: coming,
            idle_wafers: maker.idle_wafers,
            wafers_per_quarter: maker.wafers_per_quarter,
            ask_above_launch: maker.products.iter().any(|p| {
                p.capacity_units > 0 && p.ask_usd > scenario.chips[p.chip].launch_price_usd
            }),
        };
        if rules::expansion_warranted(&signal, scenario.behaviour.expansion_backlog_share) {
            maker.quarters_backlogged += 1;
        } else {
            maker.quarters_backlogged = 0;
        }
        // Two quarters of backlog or priced scarcity order an expansion; a
        // backlog that persists orders another two quarters later, even while
        // the first is being built, so capacity can ramp as fast as CoWoS did
        // when demand outran it.
        if maker.quarters_backlogged >= 2 && spec.expansion_wafers > 0.0 {
            maker.quarters_backlogged = 0;
            let cost = spec.expansion_wafers * spec.expansion_cost_per_wafer_usd;
            maker
                .expansions
                .push((tick + spec.expansion_lead_quarters, spec.expansion_wafers));
            maker.flows.expansion_spend_usd += cost;
            maker.packaging_cost_usd += cost;
            ledger.pay(
                Account::Agent(agent.id),
                Account::External(ExternalAccount::ChipSupplyChain),
                cost,
            );
            logs.event(
                "capacity_expansion",
                Some(agent.id),
                None,
                None,
                cost,
                Some(spec.expansion_wafers),
                format!(
                    "wafers per quarter, ready {}",
                    clock.quarter.plus(spec.expansion_lead_quarters)
                ),
            );
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
                if review {
                    "antitrust_review_opened"
                } else {
                    "antitrust_review_closed"
                },
                Some(agent.id),
                None,
                None,
                0.0,
                Some(hhi),
                format!(
                    "inference HHI {hhi:.0} vs threshold {:.0}",
                    spec.antitrust_hhi_threshold
                ),
            );
        }
        regulator.antitrust_review = review;
    }
}

/// A lab that exited sells its fleet and sites, the quarter after, to the
/// richest lab of its jurisdiction that can pay `distressed_sale_fraction` of
/// what they cost (`capital::choose_acquirer`); a market leader under antitrust
/// review may not buy. The buyer takes over the projects (built halls with
/// their GPUs, and sites still in the pipeline) and their book cost. Without a
/// buyer the assets stay idle and are offered again the next quarter. The
/// failed lab's customers have already moved: builders choose among open labs.
pub fn sell_failed_labs(
    params: Res<Params>,
    mut labs: Query<(&Agent, &Cash, &mut Lab)>,
    mut projects: Query<&mut Project>,
    regulators: Query<&Regulator>,
    mut ledger: ResMut<Ledger>,
    mut logs: ResMut<Logs>,
) {
    use moatsim_model::market::capital::{Bidder, choose_acquirer};
    let scenario = &params.0;
    let leader_share = super::leader_share(labs.iter().map(|(_, _, l)| l));
    let mut for_sale: Vec<(AgentId, usize)> = labs
        .iter()
        .filter(|(_, _, l)| !l.alive && l.assets_for_sale)
        .map(|(a, _, l)| (a.id, l.index))
        .collect();
    for_sale.sort();
    for (seller, seller_index) in for_sale {
        let seller_region = scenario.labs[seller_index].home_region;
        let jurisdiction = &scenario.regions[seller_region].jurisdiction;
        let sites: Vec<usize> = projects
            .iter()
            .filter(|p| p.lab == seller)
            .map(|p| p.region)
            .collect();
        let (fleet_cost, facility_cost) = labs
            .iter()
            .find(|(a, _, _)| a.id == seller)
            .map_or((0.0, 0.0), |(_, _, l)| {
                (l.fleet_cost_usd, l.facility_cost_usd)
            });
        let price = scenario.behaviour.distressed_sale_fraction * (fleet_cost + facility_cost);
        let mut bidders: Vec<Bidder> = labs
            .iter()
            .filter(|(_, _, l)| l.alive)
            .map(|(a, cash, l)| {
                let home = &scenario.regions[l.home_region];
                Bidder {
                    lab: a.id,
                    cash_usd: cash.0,
                    barred: &home.jurisdiction != jurisdiction
                        || super::leader_under_review(scenario, &regulators, l, leader_share)
                        || !sites
                            .iter()
                            .all(|&r| super::lab_may_use_region(scenario, l.home_region, r)),
                }
            })
            .collect();
        bidders.sort_by_key(|b| b.lab);
        let Some(buyer) = choose_acquirer(price, &bidders) else {
            continue;
        };
        let Some(buyer_index) = labs
            .iter()
            .find(|(a, _, _)| a.id == buyer)
            .map(|(_, _, l)| l.index)
        else {
            continue;
        };
        for mut project in &mut projects {
            if project.lab == seller {
                project.lab = buyer;
                project.lab_index = buyer_index;
            }
        }
        for (agent, _, mut lab) in &mut labs {
            if agent.id == seller {
                lab.assets_for_sale = false;
                lab.fleet_cost_usd = 0.0;
                lab.facility_cost_usd = 0.0;
            } else if agent.id == buyer {
                lab.fleet_cost_usd += fleet_cost;
                lab.facility_cost_usd += facility_cost;
                lab.flows.capex_usd += price;
            }
        }
        ledger.pay(Account::Agent(buyer), Account::Agent(seller), price);
        logs.event(
            "lab_acquired",
            Some(seller),
            Some(buyer),
            None,
            price,
            Some(sites.len() as f64),
            format!(
                "fleet and {} sites sold for {:.1}B ({:.0}% of cost)",
                sites.len(),
                price / 1e9,
                100.0 * scenario.behaviour.distressed_sale_fraction
            ),
        );
    }
}

/// Labs set their inference split, price, compute target and capex budget, and
/// announce a funding round when their runway is short.
#[allow(clippy::too_many_arguments)]
pub fn plan_labs(
    clock: Res<Clock>,
    params: Res<Params>,
    mut labs: Query<(&Agent, &Cash, &mut Lab)>,
    projects: Query<&Project>,
    utilities: Query<&Utility>,
    chipmakers: Query<&Chipmaker>,
    regulators: Query<&Regulator>,
    mut book: ResMut<OrderBook>,
) {
    let scenario = &params.0;
    let world = &scenario.world;
    // Rivals compete on list prices; a rival's scarcity premium is its own
    // capacity problem, not a price to follow.
    let prices: Vec<(usize, bool, f64)> = labs
        .iter()
        .map(|(_, _, l)| {
            let list = l.price_per_mtok / l.scarcity_premium.max(1.0);
            (l.index, l.alive, list)
        })
        .collect();
    let behaviour = &scenario.behaviour;
    let markup_rule = rules::MarkupRule {
        idle_utilisation: behaviour.markup_idle_utilisation,
        idle_step: behaviour.markup_idle_step,
        raise_retention: behaviour.markup_raise_retention,
        cut_retention: behaviour.markup_cut_retention,
        retention_step: behaviour.markup_retention_step,
        min: behaviour.markup_min,
        max: behaviour.markup_max,
    };
    let leader_share = super::leader_share(labs.iter().map(|(_, _, l)| l));
    // Capacity the open labs left idle last quarter: where customers a
    // rationed lab turns away could have gone.
    let idle = |l: &Lab| {
        if l.alive {
            (l.capacity_mtok - l.served_mtok).max(0.0)
        } else {
            0.0
        }
    };
    let total_idle: f64 = labs.iter().map(|(_, _, l)| idle(l)).sum();
    let mut tariffs = vec![0.0; scenario.regions.len()];
    for utility in &utilities {
        tariffs[utility.region] = utility.tariff_per_mwh;
    }
    // The cheapest H100e on offer right now, for pricing a fleet that does not exist yet.
    let cheapest_h100e = chipmakers
        .iter()
        .flat_map(|m| m.products.iter())
        .filter(|p| p.on_sale())
        .map(|p| p.ask_usd / scenario.chips[p.chip].h100e_per_unit)
        .fold(f64::INFINITY, f64::min);
    // What filling a MW of hall costs at today's prices: the generation with
    // the cheapest H100e on sale, at its power draw.
    let fill_cost_per_mw = chipmakers
        .iter()
        .flat_map(|m| m.products.iter())
        .filter(|p| p.on_sale())
        .map(|p| {
            let chip = &scenario.chips[p.chip];
            let units_per_mw = moatsim_model::units::WATTS_PER_MW / (chip.watts * world.pue);
            (p.ask_usd / chip.h100e_per_unit, p.ask_usd * units_per_mw)
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map_or(0.0, |(_, per_mw)| per_mw);

    let efficiency =
        cost_curve::algorithmic_efficiency(clock.tick, world.algorithmic_efficiency_halving_months);
    let reference = super::reference_capability(scenario);
    let mut rounds = Vec::new();
    for (agent, cash, mut lab) in &mut labs {
        if !lab.alive {
            continue;
        }
        let spec = &scenario.labs[lab.index];
        let utilisation = lab.utilisation();
        let share_before = lab.inference_share;

        // Serve more inference when customers are being turned away, train more when idle.
        if clock.tick > 0 {
            lab.inference_share = rules::adjust_inference_share(
                lab.inference_share,
                utilisation,
                &rules::InferenceShareRule {
                    raise_at_utilisation: scenario.behaviour.inference_raise_utilisation,
                    cut_below_utilisation: scenario.behaviour.inference_cut_utilisation,
                    step: scenario.behaviour.inference_share_step,
                    min: scenario.behaviour.inference_share_min,
                    max: scenario.behaviour.inference_share_max,
                },
            );
        }

        // Marginal cost of a million tokens: fleet amortisation plus energy.
        let (installed_h100e, energy_watts_per_h100e) = projects
            .iter()
            .filter(|p| p.lab == agent.id)
            .fold((0.0, 0.0), |(h, w), p| {
                let h100e = p.installed_h100e(&scenario.chips);
                let watts: f64 = p
                    .installed
                    .iter()
                    .enumerate()
                    .map(|(c, &u)| u as f64 * scenario.chips[c].watts)
                    .sum();
                (h + h100e, w + watts)
            });
        let amortisation = if installed_h100e > 0.0 {
            lab.fleet_cost_usd / installed_h100e / f64::from(world.gpu_life_quarters)
        } else if cheapest_h100e.is_finite() {
            cheapest_h100e / f64::from(world.gpu_life_quarters)
        } else {
            0.0
        };
        let watts_per_h100e = if installed_h100e > 0.0 {
            energy_watts_per_h100e / installed_h100e
        } else {
            700.0
        };
        let energy = watts_per_h100e * world.pue / moatsim_model::units::WATTS_PER_MW
            * HOURS_PER_QUARTER
            * tariffs[lab.home_region];
        lab.mtok_per_h100e = cost_curve::mtok_per_h100e(
            world.mtok_per_h100e_quarter,
            efficiency,
            lab.capability,
            reference,
            world.capability_per_serving_doubling,
        );
        lab.marginal_cost_per_mtok =
            rules::marginal_cost_per_mtok(amortisation, energy, lab.mtok_per_h100e);
        let previous_premium = lab.scarcity_premium.max(1.0);
        if clock.tick > 0 {
            lab.markup = rules::adjust_markup(lab.markup, utilisation, lab.retention, &markup_rule);
            // Scarcity is priced apart from market power: the premium that
            // would have fitted last quarter's demand into its capacity.
            // Its own customers' elasticity reads its demand trend; the
            // premium that clears a shortage counts switching only as far as
            // rivals had room last quarter for the customers it turned away.
            let elasticity = rules::lab_demand_elasticity(
                scenario.app_builders.price_elasticity,
                scenario.app_builders.price_weight,
                lab.retention,
                1.0,
            );
            let rivals_idle = total_idle - idle(&lab);
            let clearing_elasticity = rules::lab_demand_elasticity(
                scenario.app_builders.price_elasticity,
                scenario.app_builders.price_weight,
                lab.retention,
                rules::rival_room(lab.demand_mtok, lab.capacity_mtok, rivals_idle),
            );
            // What the lab expects this quarter: demand on its trend, and the
            // capacity its new inference share gives the compute it has.
            let demand = rules::expected_demand(
                lab.demand_mtok,
                lab.previous_demand_mtok,
                lab.price_per_mtok,
                lab.previous_price_per_mtok,
                elasticity,
                behaviour.demand_trend_max,
            ) + lab.failover_in_mtok;
            // A lab knows when an outage takes its fleet down or brings it back.
            let outage_change =
                (1.0 - lab.outage_at(clock.tick)) / (1.0 - lab.outage_applied).max(1e-9);
            let capacity = if share_before > 0.0 {
                lab.capacity_mtok * lab.inference_share / share_before * outage_change
            } else {
                lab.capacity_mtok * outage_change
            };
            lab.scarcity_premium = rules::scarcity_premium(
                previous_premium,
                demand,
                capacity,
                clearing_elasticity,
                behaviour.scarcity_max_step,
            );
        }
        let rivals: Vec<f64> = prices
            .iter()
            .filter(|p| p.1 && p.0 != lab.index)
            .map(|p| p.2)
            .collect();
        let rival_mean =
            (!rivals.is_empty()).then(|| rivals.iter().sum::<f64>() / rivals.len() as f64);
        let previous = if lab.price_per_mtok > 0.0 {
            lab.price_per_mtok / previous_premium
        } else {
            lab.marginal_cost_per_mtok * (1.0 + lab.markup)
        };
        let list_price = rules::posted_price(
            previous,
            lab.marginal_cost_per_mtok,
            lab.markup,
            rival_mean,
            behaviour.price_rival_weight,
            behaviour.price_stickiness,
        );
        lab.previous_price_per_mtok = lab.price_per_mtok;
        lab.price_per_mtok = list_price * lab.scarcity_premium;
        lab.fixed_capability_price_per_mtok = cost_curve::fixed_capability_quote(
            lab.price_per_mtok,
            lab.capability,
            reference,
            world.capability_per_serving_doubling,
        );

        // Compute ambition: what the lab wants online once a site started now could
        // be powered and built (permits, queue and construction take years). The
        // target follows a growth path, so the pipeline keeps filling while earlier
        // sites are still being built.
        let horizon = i32::try_from(world.dc_build_quarters + 4).unwrap_or(12);
        let growth = 1.0 + lab.ambition_per_quarter;
        // Rented compute is a bridge, not a base to plan sites from.
        let owned_online = (lab.online_h100e - lab.rented_h100e).max(1.0);
        lab.target_h100e = (owned_online * growth.powi(horizon)).max(lab.target_h100e * growth);
        lab.capex_budget_usd =
            spec.capex_fraction_of_cash * cash.0.max(0.0) + spec.parent_funding_per_quarter_usd;

        // Raise when the runway is below half the target, at most once every two
        // quarters, and size the round to the plan (`rules::round_size`). The
        // runway is measured against the plan, not against the capex budget:
        // the budget scales with cash, so measured against it every lab would
        // always look short of money. The plan is the larger of the burn (the
        // mean net outflow of the last `burn_window_quarters`, so a one-off
        // purchase is not read as the burn of every quarter to come) and the
        // committed spending (staff, and the instalments of halls under
        // construction), plus the GPUs to fill the power of the halls built or
        // being built, bought over the runway.
        let (construction_due, free_mw) = projects.iter().filter(|p| p.lab == agent.id).fold(
            (0.0, 0.0),
            |(due, free), p| match p.stage {
                // A fund pays the instalments of a hall it financed; the lab
                // pays its lease once the hall is energized.
                Stage::Construction => (
                    due + if p.financier.is_none() {
                        p.construction_instalment_usd(world.dc_capex_per_mw_usd)
                    } else {
                        0.0
                    },
                    free + p.free_mw(&scenario.chips, world.pue),
                ),
                Stage::Energized => (
                    due + p.lease_due_usd(behaviour.hall_lease_rate),
                    free + p.free_mw(&scenario.chips, world.pue),
                ),
                _ => (due, free),
            },
        );
        let plan = rules::FundingPlan {
            burn_usd: lab.burn_rate_usd(),
            committed_per_quarter_usd: spec.opex_per_quarter_usd + construction_due,
            fill_cost_usd: free_mw * fill_cost_per_mw,
        };
        let outflow = rules::planned_outflow(&plan, spec.target_runway_quarters);
        let runway = rules::runway_quarters(cash.0 + spec.parent_funding_per_quarter_usd, outflow);
        // What investors read of the lab: its run-rate and the growth they expect.
        let run_rate_usd = lab.previous_revenue_usd * 4.0;
        let yearly_growth = lab.expected_yearly_growth(
            behaviour.expected_growth_prior,
            behaviour.growth_prior_weight_quarters,
        );
        // A round the scenario schedules for this quarter replaces the lab's own.
        if let Some(round) = scenario
            .scheduled_rounds
            .iter()
            .find(|r| r.lab == lab.index && r.quarter == clock.quarter)
        {
            rounds.push(AnnouncedRound {
                lab: agent.id,
                lab_index: lab.index,
                amount_usd: round.amount_usd,
                pre_money_usd: round.post_money_usd - round.amount_usd,
                run_rate_usd,
                yearly_growth,
                is_share_leader: false,
                regulator_blocks_strategics: false,
                scheduled: true,
            });
            lab.last_round_tick = Some(clock.tick);
            continue;
        }
        let cooled_down = lab.last_round_tick.is_none_or(|t| clock.tick >= t + 2);
        if runway < spec.target_runway_quarters / 2.0 && cooled_down {
            // A plan that needs more than the lab will sell of itself in one
            // round is funded over several.
            let dilution = behaviour.max_round_dilution;
            let amount = rules::round_size(cash.0, &plan, spec.target_runway_quarters)
                .min(lab.valuation_usd * dilution / (1.0 - dilution));
            if amount > 0.0 {
                rounds.push(AnnouncedRound {
                    lab: agent.id,
                    lab_index: lab.index,
                    amount_usd: amount,
                    pre_money_usd: lab.valuation_usd,
                    run_rate_usd,
                    yearly_growth,
                    is_share_leader: super::leads_market(&lab, leader_share),
                    regulator_blocks_strategics: super::leader_under_review(
                        scenario,
                        &regulators,
                        &lab,
                        leader_share,
                    ),
                    scheduled: false,
                });
                lab.last_round_tick = Some(clock.tick);
            }
        }
    }
    rounds.sort_by_key(|r| r.lab);
    book.rounds = rounds;
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
        let run_rate = lab.previous_revenue_usd * 4.0;
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
            logs.event(
                "hall_financed",
                Some(agent.id),
                Some(fund_id),
                None,
                hall_cost,
                Some(project.mw),
                format!(
                    "project {}: sold and leased back at {:.0}% a year; {:.1}B repaid to the lab",
                    project.project_id,
                    100.0 * behaviour.hall_lease_rate,
                    paid / 1e9
                ),
            );
        }
    }
}

/// Enterprise joint ventures form in their scheduled quarter: the partner invests
/// in the lab (equity at the lab's valuation) and ties part of the app-builder
/// demand to it. A regulator with an open antitrust review blocks a venture with
/// the lab that leads the inference market.
#[allow(clippy::too_many_arguments)]
pub fn form_joint_ventures(
    clock: Res<Clock>,
    params: Res<Params>,
    mut labs: Query<(&Agent, &mut Lab)>,
    mut investors: Query<(&Agent, &Cash, &mut Investor)>,
    regulators: Query<&Regulator>,
    mut ties: ResMut<JointVentureTies>,
    mut ledger: ResMut<Ledger>,
    mut stats: ResMut<QuarterStats>,
    mut logs: ResMut<Logs>,
) {
    let scenario = &params.0;
    let leader_share = super::leader_share(labs.iter().map(|(_, l)| l));
    for (venture, jv) in scenario.joint_ventures.iter().enumerate() {
        if jv.quarter != clock.quarter {
            continue;
        }
        let Some((lab_agent, mut lab)) = labs.iter_mut().find(|(_, l)| l.index == jv.lab) else {
            continue;
        };
        let Some((partner_agent, cash, mut partner)) =
            investors.iter_mut().find(|(_, _, i)| i.index == jv.partner)
        else {
            continue;
        };
        if !lab.alive || super::leader_under_review(scenario, &regulators, &lab, leader_share) {
            logs.event(
                "jv_blocked",
                Some(partner_agent.id),
                Some(lab_agent.id),
                None,
                0.0,
                None,
                if lab.alive {
                    "antitrust review of the market leader".into()
                } else {
                    "the lab has exited".into()
                },
            );
            continue;
        }
        let amount = jv.investment_usd.min(cash.0.max(0.0));
        let post_money = lab.valuation_usd + amount;
        if amount > 0.0 {
            ledger.pay(
                Account::Agent(partner_agent.id),
                Account::Agent(lab_agent.id),
                amount,
            );
            let fraction = amount / post_money;
            match partner
                .holdings
                .binary_search_by_key(&lab_agent.id, |h| h.0)
            {
                Ok(at) => partner.holdings[at].1 += fraction,
                Err(at) => partner.holdings.insert(at, (lab_agent.id, fraction)),
            }
            partner.flows.invested_usd += amount;
            partner.invested_total_usd += amount;
            lab.flows.raised_usd += amount;
            lab.valuation_usd = post_money;
            lab.last_post_money_usd = post_money;
            stats.capital_raised_usd += amount;
        }
        ties.ties.push(ActiveTie {
            venture,
            lab: jv.lab,
            share: jv.builder_share,
            strength: jv.tie_strength,
        });
        logs.event(
            "jv_formed",
            Some(partner_agent.id),
            Some(lab_agent.id),
            None,
            amount,
            Some(jv.builder_share),
            format!(
                "ties {:.0}% of app builders with strength {}",
                100.0 * jv.builder_share,
                jv.tie_strength
            ),
        );
    }
}
