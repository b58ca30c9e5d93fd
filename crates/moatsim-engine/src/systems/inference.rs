//! The inference market: app builders choose providers, end-user segments
//! clear, labs serve what their capacity allows (failover and rationing), and
//! everyone is paid.

use crate::apps::{
    AppBuilderPopulation, ChoiceContext, ChoiceTotals, LabOffer, SegmentOutcome, SettlementContext,
    SettlementTotals, TierResponse, advance_adoption, choose_providers, clear_segments,
    demand_paths, segment_crowding, settle_builders, tokens_per_task,
};
use crate::components::*;
use crate::events::{Event, EventKind};
use crate::records::MarketRow;
use crate::resources::*;
use bevy_ecs::prelude::*;
use moatsim_config::Scenario;
use moatsim_model::market::apps;
use moatsim_model::market::inference::{
    book_failover, failover_terms, reroute_overflow, served_fractions,
};
use moatsim_model::{Account, ExternalAccount};

/// The inference market: builders choose providers (logit), each lab serves up to
/// its capacity (excess demand rationed and lost), builders pay, earn, exit after
/// sustained losses, and new builders enter.
#[allow(
    clippy::too_many_arguments,
    reason = "a bevy system takes the resources and queries it touches as parameters"
)]
pub fn serve_app_builders(
    clock: Res<Clock>,
    params: Res<Params>,
    mut population: ResMut<AppBuilderPopulation>,
    ties: Res<JointVentureTies>,
    tiers: Res<TierMarket>,
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
    let offers = lab_offers(&sorted);
    let value_factor = token_value_factor(
        &mut population,
        &offers,
        scenario.behaviour.value_token_price_elasticity,
    );
    let tier_prices = tier_response(scenario, &tiers, &population, &offers);
    let frontier = &tiers.frontier_history;
    let (start, now) = tiers.frontier_span();
    // End users pay for tasks: a task that takes more tokens is worth no
    // more, so each of its tokens is worth less.
    let value_factors: Vec<f64> = (0..spec.segments.len())
        .map(|s| {
            value_factor
                / tokens_per_task(spec, s)
                    .growth(start, now)
                    .powf(spec.task_compute_elasticity)
        })
        .collect();
    advance_adoption(&mut population, spec, clock.tick, now);
    // Each lab's capability offset by segment, in lab-index order.
    let strengths: Vec<f64> = sorted
        .iter()
        .flat_map(|(_, l)| scenario.labs[l.index].segment_strengths.iter().copied())
        .collect();
    let crowding = segment_crowding(&population, spec);
    let adoption = demand_paths(&population, spec, frontier);
    let context = ChoiceContext {
        seed: clock.seed,
        tick: clock.tick,
        spec,
        offers: &offers,
        ties: &ties.ties,
        crowding: &crowding,
        adoption: &adoption,
        value_factors: &value_factors,
        strengths: &strengths,
        tiers: tier_prices,
    };
    let choice = choose_providers(&mut population, &context);
    let segments = clear_segments(&mut population, &context.segment_context(), &choice);
    let capacity: Vec<f64> = sorted.iter().map(|(_, l)| l.capacity_mtok).collect();
    let service = Service::plan(
        &offers,
        &capacity,
        &segments,
        scenario.behaviour.failover_share,
    );
    let mut settlement = settle_builders(
        &mut population,
        &SettlementContext {
            spec,
            tick: clock.tick,
            offers: &service.builder_offers,
            served_fraction: &service.builder_fractions,
            demand_per_weight: &segments.demand_per_weight,
            adoption: &adoption,
        },
    );
    let rerouted_in = service.book_failover(&mut settlement, &segments.api_demand_by_lab);
    let products = serve_products(&mut population, &service.fractions, offers.len());
    let sales = Sales {
        service: &service,
        settlement: &settlement,
        choice: &choice,
        products: &products,
        rerouted_in: &rerouted_in,
        api_revenue: settlement.spend_by_lab.iter().sum(),
        api_served: settlement.served_by_lab.iter().sum(),
    };
    for (lab_index, (agent, lab)) in sorted.iter_mut().enumerate() {
        sales.book_lab(lab_index, agent, lab, &mut ledger, &mut logs);
    }
    book_builders(&settlement, &mut ledger);
    record_stats(&mut stats, &population, &sales);
    log_exits(scenario, &settlement, &mut logs);
    admit_entrants(
        &mut population,
        scenario,
        &settlement,
        clock.tick + 1,
        &mut ids,
        &mut logs,
    );
    logs.markets.extend(sales.market_rows(&capacity));
}

/// What the builders see of each lab this quarter, in lab-index order.
fn lab_offers(sorted: &[(&Agent, Mut<Lab>)]) -> Vec<LabOffer> {
    sorted
        .iter()
        .map(|(_, l)| LabOffer {
            open: l.alive && l.capacity_mtok > 0.0,
            capability: l.capability,
            price_per_mtok: l.price_per_mtok,
            own_cost_per_mtok: l.marginal_cost_per_mtok * l.scarcity_premium.max(1.0),
        })
        .collect()
}

/// End users' value per token relative to the first quarter. Tokens per task
/// follow the market's price, not one lab's: the mean API price of the labs
/// open this quarter, against the first quarter's (kept in the population).
fn token_value_factor(
    population: &mut AppBuilderPopulation,
    offers: &[LabOffer],
    elasticity: f64,
) -> f64 {
    let market_price = mean_open_price(offers);
    if population.reference_token_price <= 0.0 {
        population.reference_token_price = market_price;
    }
    apps::token_value_factor(market_price, population.reference_token_price, elasticity)
}

/// How this quarter's tier prices move token demand, and how far the
/// market's mean API price has moved since the first quarter.
fn tier_response(
    scenario: &Scenario,
    tiers: &TierMarket,
    population: &AppBuilderPopulation,
    offers: &[LabOffer],
) -> TierResponse {
    let (commodity, frontier) = tiers.price_ratios();
    let reference = population.reference_token_price;
    let market_price = mean_open_price(offers);
    TierResponse {
        tokens: crate::systems::labs::tier_demand(scenario).response(commodity, frontier),
        api_price_ratio: if reference > 0.0 && market_price > 0.0 {
            market_price / reference
        } else {
            1.0
        },
    }
}

/// How the labs serve the quarter's demand: each from its own capacity, then
/// failover of what was rationed to labs with capacity left.
#[derive(Debug)]
struct Service {
    /// Each lab's demand: its builders' API tokens and its products' tokens.
    /// A lab serves both from one capacity, rationing both by the same
    /// fraction.
    lab_demand: Vec<f64>,
    /// The share of its demand each lab serves from its own capacity.
    fractions: Vec<f64>,
    /// Tokens each lab's multi-homed builders would take elsewhere.
    reroutable: Vec<f64>,
    /// Each open lab's capacity left idle.
    idle: Vec<f64>,
    /// Tokens rerouted from each lab's builders to each other lab.
    flows: Vec<Vec<f64>>,
    /// Each lab's API price.
    prices: Vec<f64>,
    /// The share of a lab's builders' tokens served anywhere.
    builder_fractions: Vec<f64>,
    /// The offers as a lab's builders pay for them: the mean price of their
    /// tokens, wherever served.
    builder_offers: Vec<LabOffer>,
}

impl Service {
    fn plan(
        offers: &[LabOffer],
        capacity: &[f64],
        segments: &SegmentOutcome,
        failover_share: f64,
    ) -> Self {
        let lab_demand: Vec<f64> = segments
            .api_demand_by_lab
            .iter()
            .zip(&segments.product_demand_by_lab)
            .map(|(api, product)| api + product)
            .collect();
        let fractions = served_fractions(&lab_demand, capacity);
        // Failover: multi-homed builders route part of what their lab rationed to
        // labs with idle capacity, at those labs' prices (`reroute_overflow`).
        let api = &segments.api_demand_by_lab;
        let reroutable: Vec<f64> = (0..offers.len())
            .map(|i| failover_share * api[i] * (1.0 - fractions[i]))
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
        let prices: Vec<f64> = offers.iter().map(|o| o.price_per_mtok).collect();
        let (builder_fractions, builder_prices) = failover_terms(&fractions, api, &prices, &flows);
        let mut builder_offers = offers.to_vec();
        for (offer, price) in builder_offers.iter_mut().zip(builder_prices) {
            offer.price_per_mtok = price;
        }
        Self {
            lab_demand,
            fractions,
            reroutable,
            idle,
            flows,
            prices,
            builder_fractions,
            builder_offers,
        }
    }

    /// The tokens rerouted were served, and are paid for, by the labs that
    /// took them: moves them from the builders' own lab to those labs, and
    /// returns what each lab took in.
    fn book_failover(&self, settlement: &mut SettlementTotals, api: &[f64]) -> Vec<f64> {
        let served_as: Vec<f64> = self
            .builder_fractions
            .iter()
            .zip(api)
            .map(|(fraction, demand)| fraction * demand)
            .collect();
        book_failover(
            &mut settlement.served_by_lab,
            &mut settlement.spend_by_lab,
            &served_as,
            &self.flows,
            &self.prices,
        )
    }
}

/// The labs' own products' sales, by lab index.
#[derive(Debug)]
struct ProductSales {
    revenue_by_lab: Vec<f64>,
    served_by_lab: Vec<f64>,
}

/// Serves each product at its lab's served fraction (products get no
/// failover) and sells it at its end-user price.
fn serve_products(
    population: &mut AppBuilderPopulation,
    fractions: &[f64],
    labs: usize,
) -> ProductSales {
    let mut sales = ProductSales {
        revenue_by_lab: vec![0.0; labs],
        served_by_lab: vec![0.0; labs],
    };
    for product in &mut population.products {
        product.served_mtok = product.demand_mtok * fractions[product.lab];
        product.revenue_usd = product.served_mtok * product.price_per_mtok;
        sales.revenue_by_lab[product.lab] += product.revenue_usd;
        sales.served_by_lab[product.lab] += product.served_mtok;
    }
    sales
}

/// The quarter's sales, as the labs, the ledger, the stats and the
/// `markets` table read them.
struct Sales<'a> {
    service: &'a Service,
    settlement: &'a SettlementTotals,
    choice: &'a ChoiceTotals,
    products: &'a ProductSales,
    /// Tokens each lab served by failover for other labs' builders.
    rerouted_in: &'a [f64],
    /// What builders paid for API tokens, all labs together.
    api_revenue: f64,
    /// API tokens served, all labs together.
    api_served: f64,
}

impl Sales<'_> {
    /// One lab's quarter: its demand, sales and customers, its payments from
    /// builders and end users, and an `inference_sales` event.
    fn book_lab(
        &self,
        lab_index: usize,
        agent: &Agent,
        lab: &mut Lab,
        ledger: &mut Ledger,
        logs: &mut Logs,
    ) {
        lab.previous_demand_mtok = lab.demand_mtok;
        lab.demand_mtok = self.service.lab_demand[lab_index];
        // Failover used capacity the lab had priced as idle; it prices on it.
        lab.failover_in_mtok = self.rerouted_in[lab_index];
        lab.served_mtok =
            self.settlement.served_by_lab[lab_index] + self.products.served_by_lab[lab_index];
        lab.flows.api_revenue_usd = self.settlement.spend_by_lab[lab_index];
        lab.flows.product_revenue_usd = self.products.revenue_by_lab[lab_index];
        lab.flows.product_mtok = self.products.served_by_lab[lab_index];
        lab.flows.revenue_usd = lab.flows.api_revenue_usd + lab.flows.product_revenue_usd;
        lab.customers = self.choice.customers[lab_index];
        if lab.customers > 0 {
            lab.retention = self.choice.stayed[lab_index] as f64 / lab.customers as f64;
        }
        // The inference market's share: tokens sold to builders.
        lab.market_share = if self.api_revenue > 0.0 {
            lab.flows.api_revenue_usd / self.api_revenue
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
            logs.event(
                Event::new(EventKind::InferenceSales)
                    .agent(agent.id)
                    .amount(lab.flows.revenue_usd)
                    .quantity(lab.served_mtok)
                    .detail(format!(
                        "{} customers; {:.1}% of demand served; {:.0} Mtok served by failover for rationed labs' builders",
                        lab.customers,
                        100.0 * self.service.fractions[lab_index],
                        self.rerouted_in[lab_index]
                    )),
            );
        }
    }

    /// The `inference` market (capacity, demand, tokens served and the API
    /// price builders paid per token served) and `inference_failover`
    /// (overflow offered by rationed labs' multi-homed builders, other labs'
    /// idle capacity, and what was served).
    fn market_rows(&self, capacity: &[f64]) -> [MarketRow; 2] {
        let service = self.service;
        let demand: f64 = service.lab_demand.iter().sum();
        let inference = MarketRow {
            market: "inference",
            region: None,
            item: None,
            supply: capacity.iter().sum(),
            demand,
            cleared: self.api_served + self.products.served_by_lab.iter().sum::<f64>(),
            price: (self.api_served > 0.0).then(|| self.api_revenue / self.api_served),
        };
        let rerouted: f64 = self.rerouted_in.iter().sum();
        let failover = MarketRow {
            market: "inference_failover",
            region: None,
            item: None,
            supply: service.idle.iter().sum(),
            demand: service.reroutable.iter().sum(),
            cleared: rerouted,
            price: None,
        };
        [inference, failover]
    }
}

/// The builders' own accounts: end users pay them, and they pay their
/// operating costs (their token spend is booked lab by lab).
fn book_builders(settlement: &SettlementTotals, ledger: &mut Ledger) {
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
}

/// The quarter's app-market figures for the `world` row.
fn record_stats(stats: &mut QuarterStats, population: &AppBuilderPopulation, sales: &Sales<'_>) {
    let settlement = sales.settlement;
    // Builders' rationed tokens and the labs' own products'.
    stats.lost_demand_mtok = settlement.lost_demand_mtok
        + population
            .products
            .iter()
            .map(|p| p.demand_mtok - p.served_mtok)
            .sum::<f64>();
    stats.app_profit_usd = settlement.profit_usd;
    stats.app_revenue_usd = settlement.revenue_usd;
    stats.app_token_spend_usd = sales.api_revenue;
    stats.product_revenue_usd = sales.products.revenue_by_lab.iter().sum();
    stats.builder_switches = sales.choice.switches;
    // Those alive when the quarter began, exits included; entrants come later.
    stats.builders_alive = population.alive_at_start.iter().filter(|&&a| a).count() as u64;
}

/// A `builder_exits` event for each segment that lost builders.
fn log_exits(scenario: &Scenario, settlement: &SettlementTotals, logs: &mut Logs) {
    for (segment, &exits) in settlement.exits_by_segment.iter().enumerate() {
        if exits > 0 {
            logs.event(
                Event::new(EventKind::BuilderExits)
                    .quantity(exits as f64)
                    .detail(scenario.app_builders.segments[segment].name.clone()),
            );
        }
    }
}

/// Free entry: each segment draws entrants by how far its builders' margin
/// is above a normal return; entrants are sized like the initial population,
/// so they start small against grown incumbents. They enter at `tick`.
fn admit_entrants(
    population: &mut AppBuilderPopulation,
    scenario: &Scenario,
    settlement: &SettlementTotals,
    tick: u32,
    ids: &mut IdSource,
    logs: &mut Logs,
) {
    let spec = &scenario.app_builders;
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
            population.enter(scenario, s, entrants, first, tick, mean_demand);
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
