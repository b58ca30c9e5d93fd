//! A lab's plan for the quarter: its inference split, its price (cost,
//! markup, scarcity, rivals), its compute target and capex budget, and the
//! funding round it announces when its runway is short.

use crate::components::*;
use crate::resources::*;
use crate::systems::capital::{AnnouncedRound, CapitalOrders};
use crate::systems::system_price;
use bevy_ecs::prelude::*;
use moatsim_config::Scenario;
use moatsim_model::AgentId;
use moatsim_model::market::tiers;
use moatsim_model::units::{HOURS_PER_QUARTER, QUARTERS_PER_YEAR, WATTS_PER_MW};
use moatsim_model::{cost_curve, rules};

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
#[allow(
    clippy::too_many_arguments,
    reason = "a bevy system takes the resources and queries it touches as parameters"
)]
pub fn plan_labs(
    clock: Res<Clock>,
    params: Res<Params>,
    mut labs: Query<(&Agent, &Cash, &mut Lab)>,
    projects: Query<&Project>,
    utilities: Query<&Utility>,
    chipmakers: Query<&Chipmaker>,
    regulators: Query<&Regulator>,
    technology: Res<Technology>,
    mut tiers: ResMut<TierMarket>,
    mut capital: ResMut<CapitalOrders>,
) {
    let scenario = &params.0;
    open_tiers(
        scenario,
        clock.tick,
        labs.iter().map(|(_, _, l)| l),
        &mut tiers,
    );
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

        // Serve more inference when customers are being turned away or priced
        // away (a scarcity premium), train more when idle.
        if clock.tick > 0 {
            lab.inference_share = rules::adjust_inference_share(
                lab.inference_share,
                rules::utilisation_at_list_price(
                    utilisation,
                    lab.scarcity_premium,
                    scenario.app_builders.price_elasticity,
                ),
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
            (&market, &tiers),
            &own,
            &mut lab,
            clock.tick,
            (utilisation, share_before),
        );
        set_compute_target(scenario, &mut lab, cash.0);
        let review =
            crate::systems::leader_under_review(scenario, &regulators, &lab, market.leader_share);
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
    close_tiers(labs.iter().map(|(_, _, l)| l), &mut tiers);
}

/// The quarter's tiers before labs price: the frontier joins the history,
/// the commodity capability is the frontier's of `commodity_lag_quarters`
/// ago, and the commodity share of tokens answers last quarter's tier
/// prices (`market::tiers::TierDemand`).
fn open_tiers<'a>(
    scenario: &Scenario,
    tick: u32,
    labs: impl Iterator<Item = &'a Lab>,
    tiers: &mut TierMarket,
) {
    let world = &scenario.world;
    let frontier = labs
        .filter(|l| l.alive)
        .map(|l| l.capability)
        .fold(f64::NEG_INFINITY, f64::max);
    let frontier = if frontier.is_finite() {
        frontier
    } else {
        tiers.frontier_history.last().copied().unwrap_or(0.0)
    };
    // A resumed run recomputes this quarter: keep only the quarters before it.
    tiers.frontier_history.truncate(tick as usize);
    tiers.frontier_history.push(frontier);
    tiers.commodity_capability = tiers::commodity_capability(
        &tiers.frontier_history,
        tick,
        world.commodity_lag_quarters,
        world.commodity_gap_at_start,
    );
    let (commodity_ratio, frontier_ratio) = tiers.price_ratios();
    tiers.commodity_share = tier_demand(scenario).commodity_share(commodity_ratio, frontier_ratio);
}

/// How tokens at each tier answer their price.
pub fn tier_demand(scenario: &Scenario) -> tiers::TierDemand {
    tiers::TierDemand {
        commodity_share_at_start: scenario.world.commodity_share_at_start,
        commodity_elasticity: scenario.world.commodity_price_elasticity,
        frontier_elasticity: scenario.app_builders.price_elasticity,
    }
}

/// The open labs' mean tier prices once they have priced; the first
/// quarter's become the references demand is measured against.
fn close_tiers<'a>(labs: impl Iterator<Item = &'a Lab>, tiers: &mut TierMarket) {
    let (mut commodity, mut frontier, mut open) = (0.0, 0.0, 0.0);
    // What buyers pay: list prices times the scarcity premium.
    for lab in labs.filter(|l| l.alive && l.frontier_price_per_mtok > 0.0) {
        let premium = lab.scarcity_premium.max(1.0);
        commodity += lab.commodity_price_per_mtok * premium;
        frontier += lab.frontier_price_per_mtok * premium;
        open += 1.0;
    }
    if open > 0.0 {
        tiers.commodity_price = commodity / open;
        tiers.frontier_price = frontier / open;
        if tiers.reference_frontier_price <= 0.0 {
            tiers.reference_commodity_price = tiers.commodity_price;
            tiers.reference_frontier_price = tiers.frontier_price;
        }
    }
}

/// What every lab sees of the market when it plans: rivals' list prices,
/// idle capacity, tariffs, GPU prices and the state of the art.
struct LabMarket {
    /// (lab index, open, frontier list price) of every lab. Rivals compete on
    /// frontier list prices; a rival's scarcity premium is its own capacity
    /// problem, not a price to follow, and the commodity tier is priced at
    /// cost.
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
    /// Tokens an H100e serves for the reference model over the start's:
    /// algorithmic efficiency times serving software.
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
            .map(|l| (l.index, l.alive, l.frontier_price_per_mtok))
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
        let leader_share = crate::systems::leader_share(labs.clone());
        let total_idle_mtok = labs.map(idle_mtok).sum();
        let mut tariffs = vec![0.0; scenario.regions.len()];
        for utility in utilities {
            tariffs[utility.region] = utility.tariff_per_mwh;
        }
        // The market's price of new compute is the merchant chips': a custom
        // accelerator is its owner's alone.
        let on_sale = || {
            chipmakers
                .iter()
                .flat_map(|m| m.products.iter())
                .filter(|p| p.on_sale() && scenario.chips[p.chip].is_merchant())
        };
        let cheapest_h100e = on_sale()
            .map(|p| system_price(scenario, p) / scenario.chips[p.chip].h100e_per_unit)
            .fold(f64::INFINITY, f64::min);
        let fill_cost_per_mw = on_sale()
            .map(|p| {
                let chip = &scenario.chips[p.chip];
                let units_per_mw = WATTS_PER_MW / (chip.watts * world.pue);
                let price = system_price(scenario, p);
                (price / chip.h100e_per_unit, price * units_per_mw)
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
            // Serving tokens gains from both: algorithms (a capability needs
            // a smaller model) and software (the same model runs faster).
            efficiency: technology.algorithmic_efficiency * technology.serving_software,
            reference: crate::systems::reference_capability(scenario),
        }
    }

    /// The mean list price of the open rivals of lab `index`, if any.
    fn rival_mean_price(&self, index: usize) -> Option<f64> {
        let rivals: Vec<f64> = self
            .prices
            .iter()
            .filter(|p| p.1 && p.0 != index && p.2 > 0.0)
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

/// A lab's prices for the quarter. Its frontier model: marginal cost (fleet
/// amortisation plus energy) per Mtok, its markup, and a list price that
/// moves toward cost-plus-markup and the rivals' mean. Its commodity model
/// (the commodity capability, or its own if lower): the cost of serving it
/// on new capacity plus the competitive markup, so cheaper chips, power and
/// algorithms pass through. Its offer blends the two by the quarter's
/// commodity share, times the scarcity premium that would fit the demand it
/// expects into its capacity. `before` is last quarter's (utilisation,
/// inference share).
fn price_inference(
    scenario: &Scenario,
    (market, tiers): (&LabMarket, &TierMarket),
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
    let new_amortisation = if market.cheapest_h100e.is_finite() {
        market.cheapest_h100e / f64::from(world.gpu_life_quarters)
    } else {
        0.0
    };
    let amortisation = if installed_h100e > 0.0 {
        lab.fleet_cost_usd / installed_h100e / f64::from(world.gpu_life_quarters)
    } else {
        new_amortisation
    };
    let watts_per_h100e = if installed_h100e > 0.0 {
        energy_watts_per_h100e / installed_h100e
    } else {
        DEFAULT_WATTS_PER_H100E
    };
    let energy = watts_per_h100e * world.pue / WATTS_PER_MW
        * HOURS_PER_QUARTER
        * market.tariffs[lab.home_region];
    // Capacity and cost are in compute-equivalent tokens: a longer task
    // costs compute only as its tokens per task to the power κ, which the
    // demand side carries (`apps::demand_paths`); the rest is counted
    // context (`labs.counted_mtok`), not served at extra cost.
    let tokens_at = |capability: f64| {
        cost_curve::mtok_per_h100e(
            world.mtok_per_h100e_quarter,
            market.efficiency,
            capability,
            market.reference,
            world.capability_per_serving_doubling,
        )
    };
    let share = tiers.commodity_share;
    let commodity_capability = tiers.commodity_capability.min(lab.capability);
    let (frontier_mtok, commodity_mtok) =
        (tokens_at(lab.capability), tokens_at(commodity_capability));
    let frontier_cost = rules::marginal_cost_per_mtok(amortisation, energy, frontier_mtok);
    lab.mtok_per_h100e = tiers::blended_mtok_per_h100e(commodity_mtok, frontier_mtok, share);
    lab.marginal_cost_per_mtok = tiers::blended(
        rules::marginal_cost_per_mtok(amortisation, energy, commodity_mtok),
        frontier_cost,
        share,
    );
    lab.commodity_price_per_mtok =
        rules::marginal_cost_per_mtok(new_amortisation, energy, commodity_mtok)
            * (1.0 + world.commodity_markup);
    let previous_premium = lab.scarcity_premium.max(1.0);
    if tick > 0 {
        lab.markup =
            rules::adjust_markup(lab.markup, utilisation, lab.retention, &market.markup_rule);
        lab.scarcity_premium =
            scarcity_premium(scenario, market, lab, tick, share_before, previous_premium);
    }
    let rival_mean = market.rival_mean_price(lab.index);
    let previous = if lab.frontier_price_per_mtok > 0.0 {
        lab.frontier_price_per_mtok
    } else {
        frontier_cost * (1.0 + lab.markup)
    };
    lab.frontier_price_per_mtok = rules::posted_price(
        previous,
        frontier_cost,
        lab.markup,
        rival_mean,
        behaviour.price_rival_weight,
        behaviour.price_stickiness,
    );
    let list_price = tiers::blended(
        lab.commodity_price_per_mtok,
        lab.frontier_price_per_mtok,
        share,
    );
    lab.previous_price_per_mtok = lab.price_per_mtok;
    lab.price_per_mtok = list_price * lab.scarcity_premium;
    let quote = |price: f64, capability: f64| {
        cost_curve::fixed_capability_quote(
            price * lab.scarcity_premium,
            capability,
            market.reference,
            world.capability_per_serving_doubling,
        )
    };
    lab.fixed_capability_price_per_mtok = [
        quote(lab.frontier_price_per_mtok, lab.capability),
        quote(lab.commodity_price_per_mtok, commodity_capability),
    ]
    .into_iter()
    .flatten()
    .reduce(f64::min);
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
        is_share_leader: crate::systems::leads_market(lab, market.leader_share),
        regulator_blocks_strategics: review,
        scheduled: false,
    })
}
