//! The inference market: app builders choose providers, end-user segments
//! clear, labs serve what their capacity allows (failover and rationing), and
//! everyone is paid.

use crate::apps::{
    AppBuilderPopulation, ChoiceContext, LabOffer, SegmentContext, SettlementContext,
    adoption_tables, choose_providers, clear_segments, segment_crowding, settle_builders,
};
use crate::components::*;
use crate::events::{Event, EventKind};
use crate::records::MarketRow;
use crate::resources::*;
use bevy_ecs::prelude::*;
use moatsim_model::market::apps;
use moatsim_model::market::inference::{
    book_failover, failover_terms, reroute_overflow, served_fractions,
};
use moatsim_model::{Account, ExternalAccount};

/// The inference market: builders choose providers (logit), each lab serves up to
/// its capacity (excess demand rationed and lost), builders pay, earn, exit after
/// sustained losses, and new builders enter.
#[allow(clippy::too_many_arguments)]
pub fn serve_app_builders(
    clock: Res<Clock>,
    params: Res<Params>,
    mut population: ResMut<AppBuilderPopulation>,
    ties: Res<JointVentureTies>,
    mut labs: Query<(&Agent, &mut Lab)>,
    mut ids: ResMut<IdSource>,
    mut ledger: ResMut<Ledger>,
    mut stats: ResMut<QuarterStats>,
    mut logs: ResMut<Logs>,
) {
    let scenario = &params.0;
    let spec = &scenario.app_builders;
    let mut sorted: Vec<(&Agent, Mut<Lab>)> = labs.iter_mut().collect();
    sorted.sort_by_key(|(_, l)| l.index);
    let offers: Vec<LabOffer> = sorted
        .iter()
        .map(|(_, l)| LabOffer {
            open: l.alive && l.capacity_mtok > 0.0,
            capability: l.capability,
            price_per_mtok: l.price_per_mtok,
            own_cost_per_mtok: l.marginal_cost_per_mtok * l.scarcity_premium.max(1.0),
        })
        .collect();
    // Tokens per task follow the market's price, not one lab's: the mean API
    // price of the labs open this quarter, against the first quarter's.
    let market_price = mean_open_price(&offers);
    if population.reference_token_price <= 0.0 {
        population.reference_token_price = market_price;
    }
    let value_factor = apps::token_value_factor(
        market_price,
        population.reference_token_price,
        scenario.behaviour.value_token_price_elasticity,
    );
    // Each lab's capability offset by segment, in lab-index order.
    let strengths: Vec<f64> = sorted
        .iter()
        .flat_map(|(_, l)| scenario.labs[l.index].segment_strengths.iter().copied())
        .collect();
    let crowding = segment_crowding(&population, spec);
    let adoption = adoption_tables(spec, clock.tick + 1);
    let context = ChoiceContext {
        seed: clock.seed,
        tick: clock.tick,
        spec,
        offers: &offers,
        ties: &ties.ties,
        crowding: &crowding,
        adoption: &adoption,
        value_factor,
        strengths: &strengths,
    };
    let choice = choose_providers(&mut population, &context);
    let segments = clear_segments(
        &mut population,
        &SegmentContext {
            seed: clock.seed,
            tick: clock.tick,
            spec,
            offers: &offers,
            crowding: &crowding,
            adoption: &adoption,
            value_factor,
            strengths: &strengths,
        },
        &choice,
    );
    // A lab serves its API customers and its own products from one capacity,
    // rationing both by the same fraction.
    let lab_demand: Vec<f64> = segments
        .api_demand_by_lab
        .iter()
        .zip(&segments.product_demand_by_lab)
        .map(|(api, product)| api + product)
        .collect();
    let capacity: Vec<f64> = sorted.iter().map(|(_, l)| l.capacity_mtok).collect();
    let fractions = served_fractions(&lab_demand, &capacity);
    // Failover: multi-homed builders route part of what their lab rationed to
    // labs with idle capacity, at those labs' prices (`reroute_overflow`).
    let api = &segments.api_demand_by_lab;
    let failover = scenario.behaviour.failover_share;
    let reroutable: Vec<f64> = (0..offers.len())
        .map(|i| failover * api[i] * (1.0 - fractions[i]))
        .collect();
    let idle: Vec<f64> = (0..offers.len())
        .map(|j| {
            if offers[j].open {
                (capacity[j] - lab_demand[j] * fractions[j]).max(0.0)
            } else {
                0.0
            }
        })
        .collect();
    let flows = reroute_overflow(&reroutable, &idle);
    // What a lab's builders see: the share of their tokens served anywhere,
    // and the mean price paid for them.
    let prices: Vec<f64> = offers.iter().map(|o| o.price_per_mtok).collect();
    let (builder_fractions, builder_prices) = failover_terms(&fractions, api, &prices, &flows);
    let mut builder_offers = offers.clone();
    for (offer, price) in builder_offers.iter_mut().zip(builder_prices) {
        offer.price_per_mtok = price;
    }
    let mut settlement = settle_builders(
        &mut population,
        &SettlementContext {
            spec,
            tick: clock.tick,
            offers: &builder_offers,
            served_fraction: &builder_fractions,
            demand_per_weight: &segments.demand_per_weight,
            adoption: &adoption,
        },
    );
    // The tokens rerouted were served, and are paid for, by the labs that
    // took them: move them from the builders' own lab to those labs.
    let served_as: Vec<f64> = builder_fractions
        .iter()
        .zip(api)
        .map(|(fraction, demand)| fraction * demand)
        .collect();
    let rerouted_in = book_failover(
        &mut settlement.served_by_lab,
        &mut settlement.spend_by_lab,
        &served_as,
        &flows,
        &prices,
    );
    let mut product_revenue = vec![0.0; offers.len()];
    let mut product_served = vec![0.0; offers.len()];
    for product in &mut population.products {
        product.served_mtok = product.demand_mtok * fractions[product.lab];
        product.revenue_usd = product.served_mtok * product.price_per_mtok;
        product_revenue[product.lab] += product.revenue_usd;
        product_served[product.lab] += product.served_mtok;
    }

    let total_revenue: f64 = settlement.spend_by_lab.iter().sum();
    let total_served: f64 = settlement.served_by_lab.iter().sum();
    for (lab_index, (agent, lab)) in sorted.iter_mut().enumerate() {
        lab.previous_demand_mtok = lab.demand_mtok;
        lab.demand_mtok = lab_demand[lab_index];
        // Failover used capacity the lab had priced as idle; it prices on it.
        lab.failover_in_mtok = rerouted_in[lab_index];
        lab.served_mtok = settlement.served_by_lab[lab_index] + product_served[lab_index];
        lab.flows.api_revenue_usd = settlement.spend_by_lab[lab_index];
        lab.flows.product_revenue_usd = product_revenue[lab_index];
        lab.flows.product_mtok = product_served[lab_index];
        lab.flows.revenue_usd = lab.flows.api_revenue_usd + lab.flows.product_revenue_usd;
        lab.customers = choice.customers[lab_index];
        if lab.customers > 0 {
            lab.retention = choice.stayed[lab_index] as f64 / lab.customers as f64;
        }
        // The inference market's share: tokens sold to builders.
        lab.market_share = if total_revenue > 0.0 {
            lab.flows.api_revenue_usd / total_revenue
        } else {
            0.0
        };
        ledger.pay(
            Account::AppBuilders,
            Account::Agent(agent.id),
            lab.flows.api_revenue_usd,
        );
        ledger.pay(
            Account::External(ExternalAccount::EndCustomers),
            Account::Agent(agent.id),
            lab.flows.product_revenue_usd,
        );
        if lab.flows.revenue_usd > 0.0 {
            logs.event(Event::new(EventKind::InferenceSales).agent(agent.id).amount(lab.flows.revenue_usd).quantity(lab.served_mtok).detail(format!(
                    "{} customers; {:.1}% of demand served; {:.0} Mtok served by failover for rationed labs' builders",
                    lab.customers,
                    100.0 * fractions[lab_index],
                    rerouted_in[lab_index]
                )));
        }
    }
    ledger.pay(
        Account::External(ExternalAccount::EndCustomers),
        Account::AppBuilders,
        settlement.revenue_usd,
    );
    ledger.pay(
        Account::AppBuilders,
        Account::External(ExternalAccount::BuilderOperatingCosts),
        settlement.fixed_costs_usd,
    );

    let alive_before = population.alive_at_start.iter().filter(|&&a| a).count() as u64;
    // Builders' rationed tokens and the labs' own products'.
    stats.lost_demand_mtok = settlement.lost_demand_mtok
        + population
            .products
            .iter()
            .map(|p| p.demand_mtok - p.served_mtok)
            .sum::<f64>();
    stats.app_profit_usd = settlement.profit_usd;
    stats.app_revenue_usd = settlement.revenue_usd;
    stats.app_token_spend_usd = total_revenue;
    stats.product_revenue_usd = product_revenue.iter().sum();
    stats.builder_switches = choice.switches;
    for (segment, &exits) in settlement.exits_by_segment.iter().enumerate() {
        if exits > 0 {
            logs.event(
                Event::new(EventKind::BuilderExits)
                    .quantity(exits as f64)
                    .detail(spec.segments[segment].name.clone()),
            );
        }
    }
    // Free entry: each segment draws entrants by how far its builders'
    // margin is above a normal return; entrants are sized like the initial
    // population, so they start small against grown incumbents.
    let mean_demand = spec.initial_market_mtok_per_quarter / spec.count as f64;
    for s in 0..population.segments.len() {
        let revenue = settlement.revenue_by_segment[s];
        let state = &mut population.segments[s];
        state.builders = settlement.alive_by_segment[s] as f64;
        state.margin = if revenue > 0.0 {
            settlement.profit_by_segment[s] / revenue
        } else {
            0.0
        };
        let rate = apps::entry_rate(
            state.margin,
            spec.normal_margin,
            spec.entry_rate_per_quarter,
        );
        let entrants = (rate * state.builders).round() as u64;
        state.entrants = entrants;
        if entrants > 0 {
            let first = ids.next_agent;
            population.enter(scenario, s, entrants, first, clock.tick + 1, mean_demand);
            ids.next_agent += entrants;
            logs.event(
                Event::new(EventKind::BuilderEntries)
                    .quantity(entrants as f64)
                    .detail(format!(
                        "{}: ids {first} to {}",
                        spec.segments[s].name,
                        first + entrants - 1
                    )),
            );
        }
    }
    stats.builders_alive = alive_before;

    let demand: f64 = lab_demand.iter().sum();
    logs.markets.push(MarketRow {
        market: "inference",
        region: None,
        item: None,
        supply: capacity.iter().sum(),
        demand,
        cleared: total_served + product_served.iter().sum::<f64>(),
        // The API price: what builders paid per token they were served.
        price: (total_served > 0.0).then(|| total_revenue / total_served),
    });
    // Failover: overflow offered by rationed labs' multi-homed builders,
    // other labs' idle capacity, and what was served.
    let rerouted: f64 = rerouted_in.iter().sum();
    logs.markets.push(MarketRow {
        market: "inference_failover",
        region: None,
        item: None,
        supply: idle.iter().sum(),
        demand: reroutable.iter().sum(),
        cleared: rerouted,
        price: None,
    });
}

/// Mean API price per million tokens of the labs open to builders (0 when
/// none is).
fn mean_open_price(offers: &[LabOffer]) -> f64 {
    let (sum, n) = offers
        .iter()
        .filter(|o| o.open && o.price_per_mtok.is_finite())
        .fold((0.0, 0u32), |(s, n), o| (s + o.price_per_mtok, n + 1));
    if n == 0 { 0.0 } else { sum / f64::from(n) }
}
