//! The app-builder population, stored as columns.
//!
//! Builders are processed in fixed-size chunks with rayon. Each builder's random
//! draws come from its own stream (seed, purpose, builder id, tick), and the
//! per-lab totals are summed within each chunk and then across chunks in chunk
//! order. Chunk boundaries never depend on the thread count, so the floating-point
//! sums — and therefore the output — are identical for any number of threads.

use bevy_ecs::prelude::*;
use moatsim_config::{AppBuilderSpec, Scenario};
use moatsim_model::market::inference::{logit_probabilities, pick};
use moatsim_model::rng::{self, Purpose};
use moatsim_model::{AgentId, rules};
use rayon::prelude::*;

/// Builders per chunk. A constant, never derived from the thread count.
pub const CHUNK: usize = 8_192;

/// No provider.
pub const NO_PROVIDER: u32 = u32::MAX;

#[derive(Resource, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct AppBuilderPopulation {
    pub id: Vec<u64>,
    pub segment: Vec<u16>,
    pub depth: Vec<f64>,
    /// Token demand (millions per quarter) at the reference price when it entered.
    pub base_demand_mtok: Vec<f64>,
    pub value_per_mtok: Vec<f64>,
    pub fixed_cost_usd: Vec<f64>,
    pub entered_tick: Vec<u32>,
    pub provider: Vec<u32>,
    pub tenure: Vec<u32>,
    pub loss_streak: Vec<u32>,
    pub rationed_last: Vec<bool>,
    pub alive: Vec<bool>,
    pub cash: Vec<f64>,
    // This quarter's outcomes.
    pub alive_at_start: Vec<bool>,
    pub demand_mtok: Vec<f64>,
    pub served_mtok: Vec<f64>,
    pub spend_usd: Vec<f64>,
    pub revenue_usd: Vec<f64>,
    pub profit_usd: Vec<f64>,
    pub switching_cost: Vec<f64>,
}

/// What one builder is like when it is created.
struct Traits {
    segment: u16,
    depth: f64,
    base_demand_mtok: f64,
    value_per_mtok: f64,
    fixed_cost_usd: f64,
}

fn draw_traits(
    spec: &AppBuilderSpec,
    mean_demand: f64,
    stream: &mut rand_chacha::ChaCha8Rng,
) -> Traits {
    let u = rng::uniform(stream);
    let mut cumulative = 0.0;
    let mut segment_index = spec.segments.len() - 1;
    for (index, segment) in spec.segments.iter().enumerate() {
        cumulative += segment.weight;
        if u < cumulative {
            segment_index = index;
            break;
        }
    }
    let segment = &spec.segments[segment_index];
    // Lognormal sizes with mean `mean_demand`: median = mean / exp(σ²/2).
    let median = mean_demand / (segment.size_sigma.powi(2) / 2.0).exp();
    let base_demand_mtok = rng::lognormal(stream, median, segment.size_sigma);
    let value_per_mtok = rng::lognormal(
        stream,
        segment.value_per_mtok_median_usd,
        segment.value_sigma,
    );
    let depth = segment.depth_min + (segment.depth_max - segment.depth_min) * rng::uniform(stream);
    Traits {
        segment: u16::try_from(segment_index).unwrap_or(u16::MAX),
        depth,
        base_demand_mtok,
        value_per_mtok,
        fixed_cost_usd: segment.fixed_cost_share * base_demand_mtok * value_per_mtok,
    }
}

impl AppBuilderPopulation {
    pub fn len(&self) -> usize {
        self.id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    /// Creates `count` builders with ids starting at `first_id`.
    pub fn generate(scenario: &Scenario, first_id: u64) -> Self {
        let spec = &scenario.app_builders;
        let mean_demand = spec.initial_market_mtok_per_quarter / spec.count as f64;
        let count = usize::try_from(spec.count).unwrap_or(usize::MAX);
        let traits: Vec<Traits> = (0..count)
            .into_par_iter()
            .with_min_len(CHUNK)
            .map(|offset| {
                let offset = offset as u64;
                let mut stream = rng::stream(
                    scenario.seed,
                    Purpose::BuilderTraits,
                    AgentId(first_id + offset),
                    0,
                );
                draw_traits(spec, mean_demand, &mut stream)
            })
            .collect();
        let mut population = Self::default();
        for (offset, t) in traits.into_iter().enumerate() {
            population.push(first_id + offset as u64, t, 0);
        }
        population
    }

    fn push(&mut self, id: u64, t: Traits, tick: u32) {
        self.id.push(id);
        self.segment.push(t.segment);
        self.depth.push(t.depth);
        self.base_demand_mtok.push(t.base_demand_mtok);
        self.value_per_mtok.push(t.value_per_mtok);
        self.fixed_cost_usd.push(t.fixed_cost_usd);
        self.entered_tick.push(tick);
        self.provider.push(NO_PROVIDER);
        self.tenure.push(0);
        self.loss_streak.push(0);
        self.rationed_last.push(false);
        self.alive.push(true);
        self.cash.push(0.0);
        // A new builder was not alive at the start of the quarter it is created in.
        self.alive_at_start.push(false);
        self.demand_mtok.push(0.0);
        self.served_mtok.push(0.0);
        self.spend_usd.push(0.0);
        self.revenue_usd.push(0.0);
        self.profit_usd.push(0.0);
        self.switching_cost.push(0.0);
    }

    /// Adds `count` entrants at `tick` with ids from `first_id`; their traits come
    /// from their own entry streams, so entry is deterministic too.
    pub fn enter(
        &mut self,
        scenario: &Scenario,
        count: u64,
        first_id: u64,
        tick: u32,
        mean_demand: f64,
    ) {
        let spec = &scenario.app_builders;
        for offset in 0..count {
            let id = first_id + offset;
            let mut stream = rng::stream(scenario.seed, Purpose::BuilderEntry, AgentId(id), tick);
            let traits = draw_traits(spec, mean_demand, &mut stream);
            self.push(id, traits, tick);
        }
    }

    pub fn alive_count(&self) -> u64 {
        self.alive.iter().filter(|&&a| a).count() as u64
    }
}

/// What the builders see of each lab this quarter.
#[derive(Debug, Clone)]
pub struct LabOffer {
    pub open: bool,
    pub capability: f64,
    pub price_per_mtok: f64,
}

/// Per-lab totals of the choice pass.
#[derive(Debug, Clone, Default)]
pub struct ChoiceTotals {
    pub demand_mtok: Vec<f64>,
    pub customers: Vec<u64>,
    /// Customers who chose the same lab as last quarter.
    pub stayed: Vec<u64>,
    pub switches: u64,
}

impl ChoiceTotals {
    fn zero(labs: usize) -> Self {
        Self {
            demand_mtok: vec![0.0; labs],
            customers: vec![0; labs],
            stayed: vec![0; labs],
            switches: 0,
        }
    }

    /// Adds a later chunk's totals; chunks are always added in chunk order.
    fn add(mut self, chunk: Self) -> Self {
        for (total, part) in self.demand_mtok.iter_mut().zip(&chunk.demand_mtok) {
            *total += part;
        }
        for (total, part) in self.customers.iter_mut().zip(&chunk.customers) {
            *total += part;
        }
        for (total, part) in self.stayed.iter_mut().zip(&chunk.stayed) {
            *total += part;
        }
        self.switches += chunk.switches;
        self
    }
}

/// Totals of the settlement pass.
#[derive(Debug, Clone, Default)]
pub struct SettlementTotals {
    pub spend_by_lab: Vec<f64>,
    pub served_by_lab: Vec<f64>,
    pub revenue_usd: f64,
    pub fixed_costs_usd: f64,
    pub profit_usd: f64,
    pub lost_demand_mtok: f64,
    pub exits_by_segment: Vec<u64>,
}

impl SettlementTotals {
    fn zero(labs: usize, segments: usize) -> Self {
        Self {
            spend_by_lab: vec![0.0; labs],
            served_by_lab: vec![0.0; labs],
            exits_by_segment: vec![0; segments],
            ..Self::default()
        }
    }

    /// Adds a later chunk's totals; chunks are always added in chunk order.
    fn add(mut self, chunk: Self) -> Self {
        for (total, part) in self.spend_by_lab.iter_mut().zip(&chunk.spend_by_lab) {
            *total += part;
        }
        for (total, part) in self.served_by_lab.iter_mut().zip(&chunk.served_by_lab) {
            *total += part;
        }
        for (total, part) in self
            .exits_by_segment
            .iter_mut()
            .zip(&chunk.exits_by_segment)
        {
            *total += part;
        }
        self.revenue_usd += chunk.revenue_usd;
        self.fixed_costs_usd += chunk.fixed_costs_usd;
        self.profit_usd += chunk.profit_usd;
        self.lost_demand_mtok += chunk.lost_demand_mtok;
        self
    }
}

/// Quarter-invariant inputs of the choice rule.
#[derive(Debug)]
pub struct ChoiceContext<'a> {
    pub seed: u64,
    pub tick: u32,
    pub spec: &'a AppBuilderSpec,
    pub offers: &'a [LabOffer],
    pub ties: &'a [crate::resources::ActiveTie],
}

/// Pass one: every alive builder picks a provider and states its demand.
pub fn choose_providers(
    population: &mut AppBuilderPopulation,
    context: &ChoiceContext<'_>,
) -> ChoiceTotals {
    let labs = context.offers.len();
    let spec = context.spec;
    let AppBuilderPopulation {
        id,
        segment,
        depth,
        base_demand_mtok,
        entered_tick,
        rationed_last,
        alive,
        provider,
        tenure,
        demand_mtok,
        switching_cost,
        alive_at_start,
        ..
    } = population;
    let (id, segment, depth, base_demand, entered, rationed) = (
        &*id,
        &*segment,
        &*depth,
        &*base_demand_mtok,
        &*entered_tick,
        &*rationed_last,
    );
    let chunk_totals: Vec<ChoiceTotals> = alive
        .par_chunks(CHUNK)
        .zip(provider.par_chunks_mut(CHUNK))
        .zip(tenure.par_chunks_mut(CHUNK))
        .zip(demand_mtok.par_chunks_mut(CHUNK))
        .zip(switching_cost.par_chunks_mut(CHUNK))
        .zip(alive_at_start.par_chunks_mut(CHUNK))
        .enumerate()
        .map(
            |(chunk, (((((alive, provider), tenure), demand), switching), alive_at_start))| {
                let start = chunk * CHUNK;
                let mut totals = ChoiceTotals::zero(labs);
                let mut utilities = Vec::with_capacity(labs);
                let mut probabilities = Vec::with_capacity(labs);
                for i in 0..alive.len() {
                    let row = start + i;
                    alive_at_start[i] = alive[i];
                    if !alive[i] {
                        demand[i] = 0.0;
                        switching[i] = 0.0;
                        continue;
                    }
                    let current = provider[i];
                    let cost = rules::switching_cost(
                        spec.switching_cost_base,
                        spec.switching_cost_growth,
                        tenure[i],
                        depth[row],
                        spec.switching_cost_cap_quarters,
                    );
                    utilities.clear();
                    for (lab, offer) in context.offers.iter().enumerate() {
                        if !offer.open {
                            utilities.push(f64::NEG_INFINITY);
                            continue;
                        }
                        let mut utility = spec.capability_weight * offer.capability
                            - spec.price_weight * offer.price_per_mtok.max(1e-9).ln();
                        if current as usize == lab {
                            // Staying avoids the switching cost; a provider that rationed
                            // this builder last quarter lost some goodwill.
                            utility += cost;
                            if rationed[row] {
                                utility -= spec.rationing_penalty;
                            }
                        }
                        utilities.push(utility);
                    }
                    // Builders inside a joint venture's tied demand lean to its lab.
                    for tie in context.ties {
                        let member = rng::unit_hash(
                            context.seed,
                            Purpose::JointVentureTie,
                            AgentId(id[row]),
                            tie.venture as u64,
                        ) < tie.share;
                        if member && context.offers.get(tie.lab).is_some_and(|o| o.open) {
                            utilities[tie.lab] += tie.strength;
                        }
                    }
                    logit_probabilities(&utilities, &mut probabilities);
                    let mut stream = rng::stream(
                        context.seed,
                        Purpose::ProviderChoice,
                        AgentId(id[row]),
                        context.tick,
                    );
                    let Some(chosen) = pick(&probabilities, rng::uniform(&mut stream)) else {
                        provider[i] = NO_PROVIDER;
                        demand[i] = 0.0;
                        continue;
                    };
                    let chosen_index = chosen;
                    let chosen = u32::try_from(chosen).unwrap_or(NO_PROVIDER);
                    if chosen == current {
                        tenure[i] += 1;
                        totals.stayed[chosen_index] += 1;
                    } else {
                        if current != NO_PROVIDER {
                            totals.switches += 1;
                        }
                        tenure[i] = 0;
                    }
                    provider[i] = chosen;
                    switching[i] = cost;
                    let offer = &context.offers[chosen_index];
                    let age = context.tick.saturating_sub(entered[row]);
                    let growth_rate =
                        spec.segments[usize::from(segment[row])].demand_growth_per_quarter;
                    let adoption = (1.0 + growth_rate).powi(i32::try_from(age).unwrap_or(i32::MAX));
                    let price_factor = (offer.price_per_mtok / spec.reference_price_per_mtok)
                        .powf(-spec.price_elasticity);
                    let shock = (0.1 * rng::standard_normal(&mut stream)).exp();
                    demand[i] = base_demand[row] * adoption * price_factor * shock;
                    totals.demand_mtok[chosen_index] += demand[i];
                    totals.customers[chosen_index] += 1;
                }
                totals
            },
        )
        .collect();
    chunk_totals
        .into_iter()
        .fold(ChoiceTotals::zero(labs), ChoiceTotals::add)
}

/// Pass two: builders are served (rationed where their lab is short), pay their
/// lab, earn from their customers, and exit after sustained losses.
pub fn settle_builders(
    population: &mut AppBuilderPopulation,
    spec: &AppBuilderSpec,
    tick: u32,
    offers: &[LabOffer],
    served_fraction: &[f64],
) -> SettlementTotals {
    let labs = offers.len();
    let segments = spec.segments.len();
    let AppBuilderPopulation {
        segment,
        value_per_mtok,
        fixed_cost_usd,
        entered_tick,
        provider,
        demand_mtok,
        alive,
        loss_streak,
        rationed_last,
        cash,
        served_mtok,
        spend_usd,
        revenue_usd,
        profit_usd,
        ..
    } = population;
    let (segment, value, fixed, entered, provider, demand) = (
        &*segment,
        &*value_per_mtok,
        &*fixed_cost_usd,
        &*entered_tick,
        &*provider,
        &*demand_mtok,
    );
    let chunk_totals: Vec<SettlementTotals> = alive
        .par_chunks_mut(CHUNK)
        .zip(loss_streak.par_chunks_mut(CHUNK))
        .zip(rationed_last.par_chunks_mut(CHUNK))
        .zip(cash.par_chunks_mut(CHUNK))
        .zip(served_mtok.par_chunks_mut(CHUNK))
        .zip(spend_usd.par_chunks_mut(CHUNK))
        .zip(revenue_usd.par_chunks_mut(CHUNK))
        .zip(profit_usd.par_chunks_mut(CHUNK))
        .enumerate()
        .map(
            |(
                chunk,
                (((((((alive, losses), rationed), cash), served), spend), revenue), profit),
            )| {
                let start = chunk * CHUNK;
                let mut totals = SettlementTotals::zero(labs, segments);
                for i in 0..alive.len() {
                    let row = start + i;
                    served[i] = 0.0;
                    spend[i] = 0.0;
                    revenue[i] = 0.0;
                    profit[i] = 0.0;
                    if !alive[i] {
                        continue;
                    }
                    let lab = provider[row];
                    let (fraction, price) = if lab == NO_PROVIDER {
                        (0.0, 0.0)
                    } else {
                        (
                            served_fraction[lab as usize],
                            offers[lab as usize].price_per_mtok,
                        )
                    };
                    served[i] = demand[row] * fraction;
                    spend[i] = served[i] * price;
                    revenue[i] = served[i] * value[row];
                    // Fixed costs grow with the business, at half the rate of adoption.
                    let growth_rate =
                        spec.segments[usize::from(segment[row])].demand_growth_per_quarter;
                    let age = tick.saturating_sub(entered[row]);
                    let fixed_cost = fixed[row]
                        * (1.0 + growth_rate)
                            .powi(i32::try_from(age).unwrap_or(i32::MAX))
                            .sqrt();
                    profit[i] = revenue[i] - spend[i] - fixed_cost;
                    cash[i] += profit[i];
                    rationed[i] = fraction < 1.0;
                    if lab != NO_PROVIDER {
                        totals.spend_by_lab[lab as usize] += spend[i];
                        totals.served_by_lab[lab as usize] += served[i];
                    }
                    totals.revenue_usd += revenue[i];
                    totals.fixed_costs_usd += fixed_cost;
                    totals.profit_usd += profit[i];
                    totals.lost_demand_mtok += demand[row] - served[i];
                    if profit[i] < 0.0 {
                        losses[i] += 1;
                    } else {
                        losses[i] = 0;
                    }
                    if losses[i] >= spec.exit_after_loss_quarters {
                        alive[i] = false;
                        totals.exits_by_segment[usize::from(segment[row])] += 1;
                    }
                }
                totals
            },
        )
        .collect();
    chunk_totals.into_iter().fold(
        SettlementTotals::zero(labs, segments),
        SettlementTotals::add,
    )
}
