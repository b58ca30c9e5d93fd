//! Labs' decisions that span markets: the quarter's plan (inference split,
//! price, compute target, capex budget, rounds), joint ventures, where to open
//! a site and what to bid for it, and how their compute comes online and
//! turns into capability.

use crate::components::*;
use crate::events::{Event, EventKind};
use crate::resources::*;
use crate::systems::capital::{AnnouncedRound, CapitalOrders};
use crate::systems::gpu::GpuOrders;
use crate::systems::gpu::orders::{
    LabGpuTerms, bid_for_fleet_refresh, bid_for_lab_gpus, gpu_value_per_h100e,
};
use crate::systems::land::{LandOrders, LandSite, SiteConditions};
use crate::systems::{licence_fee_rates, products_on_sale};
use bevy_ecs::prelude::*;
use moatsim_config::Scenario;
use moatsim_model::AgentId;
use moatsim_model::market::site;
use moatsim_model::market::site::SiteTerms;
use moatsim_model::rng::Purpose;
use moatsim_model::units::{HOURS_PER_QUARTER, QUARTERS_PER_YEAR, WATTS_PER_MW, mw_drawn_by};
use moatsim_model::{Account, cost_curve, rng, rules};

/// The draw per H100e assumed for a lab with no fleet yet, W: an H100's.
const DEFAULT_WATTS_PER_H100E: f64 = 700.0;

/// Quarters beyond construction that a lab's compute target looks ahead: a
/// site started now must also be permitted and connected before it is built.
const TARGET_LEAD_BEYOND_BUILD_QUARTERS: u32 = 4;

/// Quarters a lab waits after announcing a round before it may announce
/// another.
const ROUND_COOLDOWN_QUARTERS: u32 = 2;

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
    technology: Res<Technology>,
    mut capital: ResMut<CapitalOrders>,
) {
    let scenario = &params.0;
    let market = LabMarket::new(
        scenario,
        labs.iter().map(|(_, _, l)| l),
        &utilities,
        &chipmakers,
        &technology,
    );
    let mut rounds = Vec::new();
    for (agent, cash, mut lab) in &mut labs {
        if !lab.alive {
            continue;
        }
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
        let own: Vec<&Project> = projects.iter().filter(|p| p.lab == agent.id).collect();
        price_inference(
            scenario,
            &market,
            &own,
            &mut lab,
            clock.tick,
            (utilisation, share_before),
        );
        set_compute_target(scenario, &mut lab, cash.0);
        let review = super::leader_under_review(scenario, &regulators, &lab, market.leader_share);
        if let Some(round) = announce_round(
            scenario,
            &market,
            &own,
            (agent.id, &mut *lab, cash.0),
            &clock,
            review,
        ) {
            rounds.push(round);
        }
    }
    rounds.sort_by_key(|r| r.lab);
    capital.rounds = rounds;
}

/// What every lab sees of the market when it plans: rivals' list prices,
/// idle capacity, tariffs, GPU prices and the state of the art.
struct LabMarket {
    /// (lab index, open, list price) of every lab. Rivals compete on list
    /// prices; a rival's scarcity premium is its own capacity problem, not a
    /// price to follow.
    prices: Vec<(usize, bool, f64)>,
    markup_rule: rules::MarkupRule,
    leader_share: f64,
    /// Capacity the open labs left idle last quarter: where customers a
    /// rationed lab turns away could have gone.
    total_idle_mtok: f64,
    tariffs: Vec<f64>,
    /// The cheapest H100e on offer right now, for pricing a fleet that does
    /// not exist yet.
    cheapest_h100e: f64,
    /// What filling a MW of hall costs at today's prices: the generation with
    /// the cheapest H100e on sale, at its power draw.
    fill_cost_per_mw: f64,
    efficiency: f64,
    reference: f64,
}

impl LabMarket {
    fn new<'a>(
        scenario: &Scenario,
        labs: impl Iterator<Item = &'a Lab> + Clone,
        utilities: &Query<&Utility>,
        chipmakers: &Query<&Chipmaker>,
        technology: &Technology,
    ) -> Self {
        let world = &scenario.world;
        let behaviour = &scenario.behaviour;
        let prices = labs
            .clone()
            .map(|l| {
                let list = l.price_per_mtok / l.scarcity_premium.max(1.0);
                (l.index, l.alive, list)
            })
            .collect();
        let markup_rule = rules::MarkupRule {
            idle_utilisation: behaviour.markup_idle_utilisation,
            idle_step: behaviour.markup_idle_step,
            raise_retention: behaviour.markup_raise_retention,
            cut_retention: behaviour.markup_cut_retention,
            retention_step: behaviour.markup_retention_step,
            min: behaviour.markup_min,
            max: behaviour.markup_max,
        };
        let leader_share = super::leader_share(labs.clone());
        let total_idle_mtok = labs.map(idle_mtok).sum();
        let mut tariffs = vec![0.0; scenario.regions.len()];
        for utility in utilities {
            tariffs[utility.region] = utility.tariff_per_mwh;
        }
        let on_sale = || {
            chipmakers
                .iter()
                .flat_map(|m| m.products.iter())
                .filter(|p| p.on_sale())
        };
        let cheapest_h100e = on_sale()
            .map(|p| p.ask_usd / scenario.chips[p.chip].h100e_per_unit)
            .fold(f64::INFINITY, f64::min);
        let fill_cost_per_mw = on_sale()
            .map(|p| {
                let chip = &scenario.chips[p.chip];
                let units_per_mw = WATTS_PER_MW / (chip.watts * world.pue);
                (p.ask_usd / chip.h100e_per_unit, p.ask_usd * units_per_mw)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map_or(0.0, |(_, per_mw)| per_mw);
        Self {
            prices,
            markup_rule,
            leader_share,
            total_idle_mtok,
            tariffs,
            cheapest_h100e,
            fill_cost_per_mw,
            efficiency: technology.algorithmic_efficiency,
            reference: super::reference_capability(scenario),
        }
    }

    /// The mean list price of the open rivals of lab `index`, if any.
    fn rival_mean_price(&self, index: usize) -> Option<f64> {
        let rivals: Vec<f64> = self
            .prices
            .iter()
            .filter(|p| p.1 && p.0 != index)
            .map(|p| p.2)
            .collect();
        (!rivals.is_empty()).then(|| rivals.iter().sum::<f64>() / rivals.len() as f64)
    }
}

/// Capacity a lab left idle last quarter, Mtok (none once it has exited).
fn idle_mtok(lab: &Lab) -> f64 {
    if lab.alive {
        (lab.capacity_mtok - lab.served_mtok).max(0.0)
    } else {
        0.0
    }
}

/// A lab's price for the quarter: its marginal cost (fleet amortisation plus
/// energy) per Mtok, its markup, the scarcity premium that would fit the
/// demand it expects into its capacity, and a list price that moves toward
/// cost-plus-markup and the rivals' mean. `before` is last quarter's
/// (utilisation, inference share).
fn price_inference(
    scenario: &Scenario,
    market: &LabMarket,
    own: &[&Project],
    lab: &mut Lab,
    tick: u32,
    before: (f64, f64),
) {
    let (utilisation, share_before) = before;
    let world = &scenario.world;
    let behaviour = &scenario.behaviour;
    let (installed_h100e, energy_watts_per_h100e) = own.iter().fold((0.0, 0.0), |(h, w), p| {
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
    } else if market.cheapest_h100e.is_finite() {
        market.cheapest_h100e / f64::from(world.gpu_life_quarters)
    } else {
        0.0
    };
    let watts_per_h100e = if installed_h100e > 0.0 {
        energy_watts_per_h100e / installed_h100e
    } else {
        DEFAULT_WATTS_PER_H100E
    };
    let energy = watts_per_h100e * world.pue / WATTS_PER_MW
        * HOURS_PER_QUARTER
        * market.tariffs[lab.home_region];
    lab.mtok_per_h100e = cost_curve::mtok_per_h100e(
        world.mtok_per_h100e_quarter,
        market.efficiency,
        lab.capability,
        market.reference,
        world.capability_per_serving_doubling,
    );
    lab.marginal_cost_per_mtok =
        rules::marginal_cost_per_mtok(amortisation, energy, lab.mtok_per_h100e);
    let previous_premium = lab.scarcity_premium.max(1.0);
    if tick > 0 {
        lab.markup =
            rules::adjust_markup(lab.markup, utilisation, lab.retention, &market.markup_rule);
        lab.scarcity_premium =
            scarcity_premium(scenario, market, lab, tick, share_before, previous_premium);
    }
    let rival_mean = market.rival_mean_price(lab.index);
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
        market.reference,
        world.capability_per_serving_doubling,
    );
}

/// Scarcity is priced apart from market power: the premium that would have
/// fitted last quarter's demand into the lab's capacity. Its own customers'
/// elasticity reads its demand trend; the premium that clears a shortage
/// counts switching only as far as rivals had room last quarter for the
/// customers it turned away.
fn scarcity_premium(
    scenario: &Scenario,
    market: &LabMarket,
    lab: &Lab,
    tick: u32,
    share_before: f64,
    previous_premium: f64,
) -> f64 {
    let behaviour = &scenario.behaviour;
    let elasticity = rules::lab_demand_elasticity(
        scenario.app_builders.price_elasticity,
        scenario.app_builders.price_weight,
        lab.retention,
        1.0,
    );
    let rivals_idle = market.total_idle_mtok - idle_mtok(lab);
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
    let outage_change = (1.0 - lab.outage_at(tick)) / (1.0 - lab.outage_applied).max(1e-9);
    let capacity = if share_before > 0.0 {
        lab.capacity_mtok * lab.inference_share / share_before * outage_change
    } else {
        lab.capacity_mtok * outage_change
    };
    rules::scarcity_premium(
        previous_premium,
        demand,
        capacity,
        clearing_elasticity,
        behaviour.scarcity_max_step,
    )
}

/// Compute ambition: what the lab wants online once a site started now could
/// be powered and built (permits, queue and construction take years). The
/// target follows a growth path, so the pipeline keeps filling while earlier
/// sites are still being built. The capex budget is a share of its cash plus
/// its parent's funding.
fn set_compute_target(scenario: &Scenario, lab: &mut Lab, cash: f64) {
    let world = &scenario.world;
    let spec = &scenario.labs[lab.index];
    // Validation holds `dc_build_quarters` to 1–40, so the horizon fits.
    let horizon = i32::try_from(world.dc_build_quarters + TARGET_LEAD_BEYOND_BUILD_QUARTERS)
        .unwrap_or(i32::MAX);
    let growth = 1.0 + lab.ambition_per_quarter;
    // Rented compute is a bridge, not a base to plan sites from.
    let owned_online = (lab.online_h100e - lab.rented_h100e).max(1.0);
    lab.target_h100e = (owned_online * growth.powi(horizon)).max(lab.target_h100e * growth);
    lab.capex_budget_usd =
        spec.capex_fraction_of_cash * cash.max(0.0) + spec.parent_funding_per_quarter_usd;
}

/// The round a lab announces this quarter, if any: the one the scenario
/// schedules, or its own when its runway is short.
///
/// A lab raises when the runway is below half the target, at most once every
/// `ROUND_COOLDOWN_QUARTERS`, and sizes the round to the plan
/// (`rules::round_size`). The runway is measured against the plan, not
/// against the capex budget: the budget scales with cash, so measured
/// against it every lab would always look short of money. The plan is the
/// larger of the burn (the mean net outflow of the last
/// `burn_window_quarters`, so a one-off purchase is not read as the burn of
/// every quarter to come) and the committed spending (staff, and the
/// instalments of halls under construction), plus the GPUs to fill the power
/// of the halls built or being built, bought over the runway. `review` says
/// whether the lab leads the market under an antitrust review.
fn announce_round(
    scenario: &Scenario,
    market: &LabMarket,
    own: &[&Project],
    (id, lab, cash): (AgentId, &mut Lab, f64),
    clock: &Clock,
    review: bool,
) -> Option<AnnouncedRound> {
    let world = &scenario.world;
    let behaviour = &scenario.behaviour;
    let spec = &scenario.labs[lab.index];
    let (construction_due, free_mw) = own.iter().fold((0.0, 0.0), |(due, free), p| match p.stage {
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
    });
    let plan = rules::FundingPlan {
        burn_usd: lab.burn_rate_usd(),
        committed_per_quarter_usd: spec.opex_per_quarter_usd + construction_due,
        fill_cost_usd: free_mw * market.fill_cost_per_mw,
    };
    let outflow = rules::planned_outflow(&plan, spec.target_runway_quarters);
    let runway = rules::runway_quarters(cash + spec.parent_funding_per_quarter_usd, outflow);
    // What investors read of the lab: its run-rate and the growth they expect.
    let run_rate_usd = lab.previous_revenue_usd * QUARTERS_PER_YEAR;
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
        lab.last_round_tick = Some(clock.tick);
        return Some(AnnouncedRound {
            lab: id,
            lab_index: lab.index,
            amount_usd: round.amount_usd,
            pre_money_usd: round.post_money_usd - round.amount_usd,
            run_rate_usd,
            yearly_growth,
            is_share_leader: false,
            regulator_blocks_strategics: false,
            scheduled: true,
        });
    }
    let cooled_down = lab
        .last_round_tick
        .is_none_or(|t| clock.tick >= t + ROUND_COOLDOWN_QUARTERS);
    if runway >= spec.target_runway_quarters / 2.0 || !cooled_down {
        return None;
    }
    // A plan that needs more than the lab will sell of itself in one round
    // is funded over several.
    let dilution = behaviour.max_round_dilution;
    let amount = rules::round_size(cash, &plan, spec.target_runway_quarters)
        .min(lab.valuation_usd * dilution / (1.0 - dilution));
    if amount <= 0.0 {
        return None;
    }
    lab.last_round_tick = Some(clock.tick);
    Some(AnnouncedRound {
        lab: id,
        lab_index: lab.index,
        amount_usd: amount,
        pre_money_usd: lab.valuation_usd,
        run_rate_usd,
        yearly_growth,
        is_share_leader: super::leads_market(lab, market.leader_share),
        regulator_blocks_strategics: review,
        scheduled: false,
    })
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
                Event::new(EventKind::JvBlocked)
                    .agent(partner_agent.id)
                    .counterparty(lab_agent.id)
                    .detail(if lab.alive {
                        "antitrust review of the market leader".into()
                    } else {
                        "the lab has exited".into()
                    }),
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
            Event::new(EventKind::JvFormed)
                .agent(partner_agent.id)
                .counterparty(lab_agent.id)
                .amount(amount)
                .quantity(jv.builder_share)
                .detail(format!(
                    "ties {:.0}% of app builders with strength {}",
                    100.0 * jv.builder_share,
                    jv.tie_strength
                )),
        );
    }
}

/// Each lab opens at most one new site per quarter where its pipeline falls short
/// of its compute target, bids for land for its sites, and bids for GPUs for the
/// capacity it will have powered soon, within its capex budget.
#[allow(clippy::too_many_arguments)]
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

    let fee_rate_of_maker = licence_fee_rates(scenario);
    // Current asks per chip generation, for generations on sale this quarter.
    let ask: Vec<Option<f64>> =
        products_on_sale(scenario, clock.quarter, chipmakers.iter().map(|(_, m)| m))
            .iter()
            .map(|p| p.map(|p| p.ask_usd))
            .collect();
    let sites = SiteConditions::new(
        scenario,
        &regions,
        tick,
        &utilities.iter().collect::<Vec<_>>(),
        &regulators.iter().collect::<Vec<_>>(),
        &investors.iter().collect::<Vec<_>>(),
        &ask,
        &fee_rate_of_maker,
    );

    let mut sorted_labs: Vec<(&Agent, &Cash, &Lab)> =
        labs.iter().filter(|(_, _, l)| l.alive).collect();
    sorted_labs.sort_by_key(|(a, _, _)| a.id);
    let mut sorted_projects: Vec<&Project> = projects.iter().collect();
    sorted_projects.sort_by_key(|p| p.project_id);

    for (agent, cash, lab) in sorted_labs {
        let spec = &scenario.labs[lab.index];
        let own: Vec<&Project> = sorted_projects
            .iter()
            .copied()
            .filter(|p| p.lab == agent.id)
            .collect();
        // Construction instalments come first: they are committed. The lab then
        // commits its usual share of the cash that is left, so a lab building
        // a large pipeline can still fill the halls that are already energized.
        let construction_due: f64 = own
            .iter()
            .filter(|p| p.stage == Stage::Construction && p.financier.is_none())
            .map(|p| p.construction_instalment_usd(world.dc_capex_per_mw_usd))
            .sum();
        let mut budget = (lab.capex_budget_usd - construction_due).max(
            spec.capex_fraction_of_cash * (cash.0 - construction_due).max(0.0)
                + spec.parent_funding_per_quarter_usd,
        );

        // A new site when the pipeline's free power cannot host the GPUs the
        // target still needs (existing fleets keep drawing their share).
        let free_pipeline_mw: f64 = own
            .iter()
            .map(|p| p.free_mw(&scenario.chips, world.pue))
            .sum();
        let installed_h100e: f64 = own.iter().map(|p| p.installed_h100e(&scenario.chips)).sum();
        let gap_h100e = (lab.target_h100e - installed_h100e).max(0.0);
        let shortfall = gap_h100e / sites.best_h100e_per_mw - free_pipeline_mw;
        let seeking = own.iter().any(|p| p.stage == Stage::SeekingLand);
        let value_per_mw_quarter =
            lab.price_per_mtok * lab.mtok_per_h100e * sites.best_h100e_per_mw;
        if shortfall > scenario.behaviour.min_project_mw * 0.5 && !seeking && budget > 0.0 {
            let mw = shortfall.clamp(
                scenario.behaviour.min_project_mw,
                scenario.behaviour.max_project_mw,
            );
            let offers = sites.offers(lab.index, spec.home_region, mw, value_per_mw_quarter);
            let terms = SiteTerms {
                mw,
                value_per_mw_quarter,
                energy_quarters: scenario.behaviour.site_energy_quarters,
                delay_cost_share: scenario.behaviour.delay_cost_share,
            };
            if let Some(region) = site::cheapest_site(&offers, &terms) {
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
                let site = LandSite {
                    region,
                    project_id,
                    lab: (agent.id, lab.index),
                    acres,
                };
                budget -= sites.bid_for_land(&mut land_orders, &site, value_per_mw_quarter);
            }
        }
        for project in own.iter().filter(|p| p.stage == Stage::SeekingLand) {
            let site = LandSite {
                region: project.region,
                project_id: project.project_id,
                lab: (agent.id, lab.index),
                acres: (project.acres_needed - project.acres_held).max(0.0),
            };
            budget -= sites.bid_for_land(&mut land_orders, &site, value_per_mw_quarter);
        }

        // GPUs for power that is on or coming within the lead time, per region.
        let mut free_mw = vec![0.0; scenario.regions.len()];
        for p in &own {
            let soon = p.stage == Stage::Energized
                || (p.stage == Stage::Construction
                    && p.ready_tick <= tick + scenario.behaviour.gpu_lead_quarters);
            if soon {
                free_mw[p.region] += p.free_mw(&scenario.chips, world.pue);
            }
        }
        let total_free: f64 = free_mw.iter().sum();
        if budget <= 0.0 || gap_h100e <= 0.0 {
            continue;
        }
        let terms = LabGpuTerms {
            buyer: agent.id,
            lab,
            value_per_h100e: gpu_value_per_h100e(scenario, lab),
        };
        let mut spent = 0.0;
        if total_free > 0.0 {
            spent = bid_for_lab_gpus(
                scenario,
                &mut gpu_orders,
                &ask,
                &fee_rate_of_maker,
                &terms,
                &free_mw,
                budget,
                gap_h100e,
            );
        }
        // The compute the target needs beyond the power it will have soon can
        // only come from refreshing the fleet on the power it has.
        let wanted_mw = gap_h100e / sites.best_h100e_per_mw - total_free;
        if wanted_mw > 0.0 && budget > spent {
            bid_for_fleet_refresh(
                scenario,
                &mut gpu_orders,
                &ask,
                &fee_rate_of_maker,
                &terms,
                &own,
                wanted_mw,
                budget - spent,
                clock.quarter,
            );
        }
    }
}

/// Online compute per site is bounded by both installed GPUs and energized MW:
/// the most power-efficient units are powered first; the rest are stranded.
/// Each lab then splits its online compute between training and inference.
pub fn bring_compute_online(
    clock: Res<Clock>,
    params: Res<Params>,
    mut projects: Query<&mut Project>,
    mut labs: Query<&mut Lab>,
) {
    let scenario = &params.0;
    let pue = scenario.world.pue;
    let mut by_efficiency: Vec<usize> = (0..scenario.chips.len()).collect();
    by_efficiency.sort_by(|&a, &b| {
        let ea = scenario.chips[a].h100e_per_unit / scenario.chips[a].watts;
        let eb = scenario.chips[b].h100e_per_unit / scenario.chips[b].watts;
        eb.total_cmp(&ea).then(a.cmp(&b))
    });
    let mut online_by_lab = vec![0.0; scenario.labs.len()];
    for mut project in &mut projects {
        let installed = project.installed_units();
        if project.stage != Stage::Energized {
            project.online_h100e = 0.0;
            project.online_units = 0;
            project.stranded_units = installed;
            project.load_mw = 0.0;
            continue;
        }
        let mut remaining_mw = project.mw;
        let mut online_h100e = 0.0;
        let mut online_units = 0;
        let mut load = 0.0;
        for &chip in &by_efficiency {
            let units = project.installed[chip];
            if units == 0 {
                continue;
            }
            let generation = &scenario.chips[chip];
            let powered =
                (moatsim_model::units::units_powered_by(remaining_mw, generation.watts, pue)
                    as u64)
                    .min(units);
            let draw = mw_drawn_by(powered as f64, generation.watts, pue);
            remaining_mw -= draw;
            load += draw;
            online_units += powered;
            online_h100e += powered as f64 * generation.h100e_per_unit;
        }
        project.online_h100e = online_h100e;
        project.online_units = online_units;
        project.stranded_units = installed - online_units;
        project.load_mw = load;
        online_by_lab[project.lab_index] += online_h100e;
    }
    for mut lab in &mut labs {
        // An outage (policy timeline) takes part of the owned fleet offline.
        let outage = lab.outage_at(clock.tick);
        lab.outage_applied = outage;
        let online = if lab.alive {
            online_by_lab[lab.index] * (1.0 - outage) + lab.rented_h100e
        } else {
            0.0
        };
        lab.online_h100e = online;
        lab.inference_h100e = online * lab.inference_share;
        lab.training_h100e = online - lab.inference_h100e;
        lab.capacity_mtok = lab.inference_h100e * lab.mtok_per_h100e;
    }
}

/// Capability grows with the log of cumulative effective training compute
/// (hardware × algorithmic efficiency), with research luck and the odd
/// breakthrough, and followers close part of their gap to the leader by
/// diffusion.
pub fn advance_capability(
    clock: Res<Clock>,
    params: Res<Params>,
    technology: Res<Technology>,
    mut labs: Query<(&Agent, &mut Lab)>,
    mut logs: ResMut<Logs>,
) {
    let world = &params.0.world;
    let efficiency = technology.algorithmic_efficiency;
    let leader = labs
        .iter()
        .filter(|(_, l)| l.alive)
        .map(|(_, l)| l.capability)
        .fold(0.0, f64::max);
    for (agent, mut lab) in &mut labs {
        if !lab.alive {
            continue;
        }
        let mut stream = rng::stream(clock.seed, Purpose::Research, agent.id, clock.tick);
        let luck = rng::lognormal(&mut stream, 1.0, world.research_luck_sigma);
        let before = lab.effective_training_compute;
        lab.effective_training_compute += lab.training_h100e * efficiency;
        let own = rules::capability_gain(
            before,
            lab.effective_training_compute,
            world.capability_reference_h100e,
            world.capability_rate,
        ) * luck;
        let breakthrough = if rng::uniform(&mut stream) < world.breakthrough_rate_per_quarter {
            world.breakthrough_size
        } else {
            0.0
        };
        if breakthrough > 0.0 {
            logs.event(
                Event::new(EventKind::Breakthrough)
                    .agent(agent.id)
                    .quantity(breakthrough)
                    .detail(format!("capability +{breakthrough}")),
            );
        }
        let spillover = rules::diffusion_gain(lab.capability, leader, world.diffusion_rate);
        lab.capability += own + breakthrough + spillover;
    }
}
