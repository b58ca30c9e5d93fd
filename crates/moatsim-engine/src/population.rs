//! The app-builder population, stored as columns.
//!
//! Builders are processed in fixed-size chunks with rayon. Each builder's random
//! draws come from its own stream (seed, purpose, builder id, tick), and the
//! per-lab totals are summed within each chunk and then across chunks in chunk
//! order. Chunk boundaries never depend on the thread count, so the floating-point
//! sums — and therefore the output — are identical for any number of threads.

use bevy_ecs::prelude::*;
use moatsim_config::{AppBuilderSpec, Scenario};
use moatsim_model::market::apps::{self, Crowding};
use moatsim_model::market::inference::{
    logit_probabilities, pick, pick_weighted, relative_weights,
};
use moatsim_model::rng::{self, Purpose};
use moatsim_model::{AgentId, rules};
use rayon::prelude::*;

/// Builders per chunk. A constant, never derived from the thread count.
pub const CHUNK: usize = 8_192;

/// No provider.
pub const NO_PROVIDER: u32 = u32::MAX;

/// A builder's fixed costs before its first quarter: they are then set to
/// its segment's `fixed_cost_share` of that quarter's revenue, so a builder
/// plans its costs on the market it enters, not on a reference price.
pub const UNSET_FIXED_COST: f64 = -1.0;

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
    /// What end users pay per million tokens of the builder's output this
    /// quarter (`market::apps::end_user_price`).
    #[serde(default)]
    pub end_user_price: Vec<f64>,
    /// The end-user market of each segment.
    #[serde(default)]
    pub segments: Vec<SegmentState>,
    /// Labs' first-party products, in scenario order (lab, then product).
    #[serde(default)]
    pub products: Vec<ProductState>,
    /// The market's mean API price per million tokens in the first quarter:
    /// the price end users' value per token is measured against
    /// (`apps::token_value_factor`). Zero until the first quarter is served.
    #[serde(default)]
    pub reference_token_price: f64,
}

/// One segment's end-user market: what carries over between quarters, and
/// this quarter's outcomes.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SegmentState {
    /// Builders in the segment when the run started.
    pub builders_at_start: f64,
    /// Builders alive in it now.
    pub builders: f64,
    /// End-user demand at the start (millions of tokens a quarter); set in
    /// the first quarter from the builders' demand and the products' shares.
    pub initial_demand_mtok: f64,
    /// Mean end-user price in the first quarter, the reference for demand.
    pub reference_price: f64,
    /// Labs' products' share of its end users last quarter.
    pub product_share: f64,
    /// Builders' profit over revenue last quarter, which entry responds to.
    pub margin: f64,
    // This quarter's outcomes.
    pub demand_mtok: f64,
    pub end_user_price: f64,
    pub entrants: u64,
}

/// A lab's first-party product in one segment.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ProductState {
    pub lab: usize,
    pub segment: usize,
    pub launch_tick: u32,
    pub share_at_launch: f64,
    pub depth: f64,
    /// Fixed at launch so that the product starts at its configured share.
    pub appeal: Option<f64>,
    // This quarter's outcomes.
    pub share: f64,
    pub price_per_mtok: f64,
    pub demand_mtok: f64,
    pub served_mtok: f64,
    pub revenue_usd: f64,
}

/// What one builder is like when it is created.
struct Traits {
    segment: u16,
    depth: f64,
    base_demand_mtok: f64,
    value_per_mtok: f64,
    fixed_cost_usd: f64,
}

/// A builder's traits; its segment is drawn by the segments' weights unless
/// it is given (entrants enter the segment whose profits drew them).
fn draw_traits(
    spec: &AppBuilderSpec,
    mean_demand: f64,
    segment: Option<usize>,
    stream: &mut impl rng::Draws,
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
    if let Some(given) = segment {
        segment_index = given.min(spec.segments.len() - 1);
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
        // Set from its first quarter's revenue (`settle_builders`).
        fixed_cost_usd: UNSET_FIXED_COST,
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
        let traits = rng::KeyedFamily::new(scenario.seed, Purpose::BuilderTraits, 0);
        let traits: Vec<Traits> = (0..count)
            .into_par_iter()
            .with_min_len(CHUNK)
            .map(|offset| {
                let offset = offset as u64;
                let mut stream = traits.stream(AgentId(first_id + offset));
                draw_traits(spec, mean_demand, None, &mut stream)
            })
            .collect();
        let mut population = Self {
            segments: vec![SegmentState::default(); spec.segments.len()],
            ..Self::default()
        };
        for (offset, t) in traits.into_iter().enumerate() {
            population.segments[usize::from(t.segment)].builders_at_start += 1.0;
            population.push(first_id + offset as u64, t, 0);
        }
        for segment in &mut population.segments {
            segment.builders = segment.builders_at_start;
        }
        for (lab, spec) in scenario.labs.iter().enumerate() {
            for product in &spec.products {
                population.products.push(ProductState {
                    lab,
                    segment: product.segment,
                    launch_tick: u32::try_from(product.launch.since(scenario.start).max(0))
                        .unwrap_or(0),
                    share_at_launch: product.share,
                    depth: product.depth,
                    appeal: None,
                    share: 0.0,
                    price_per_mtok: 0.0,
                    demand_mtok: 0.0,
                    served_mtok: 0.0,
                    revenue_usd: 0.0,
                });
            }
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
        self.end_user_price.push(0.0);
    }

    /// Adds `count` entrants at `tick` with ids from `first_id`; their traits come
    /// from their own entry streams, so entry is deterministic too.
    pub fn enter(
        &mut self,
        scenario: &Scenario,
        segment: usize,
        count: u64,
        first_id: u64,
        tick: u32,
        mean_demand: f64,
    ) {
        let spec = &scenario.app_builders;
        let entry = rng::KeyedFamily::new(scenario.seed, Purpose::BuilderEntry, tick);
        for offset in 0..count {
            let id = first_id + offset;
            let mut stream = entry.stream(AgentId(id));
            let traits = draw_traits(spec, mean_demand, Some(segment), &mut stream);
            self.push(id, traits, tick);
        }
        if let Some(state) = self.segments.get_mut(segment) {
            state.builders += count as f64;
        }
    }
}

/// What the builders see of each lab this quarter.
#[derive(Debug, Clone)]
pub struct LabOffer {
    pub open: bool,
    pub capability: f64,
    pub price_per_mtok: f64,
    /// What a token costs the lab's own products: its marginal cost times
    /// its scarcity premium. Not the API price (no markup to itself), but
    /// when capacity is short a product token displaces an API sale, so
    /// products feel scarcity too.
    pub own_cost_per_mtok: f64,
}

/// Per-lab totals of the choice pass.
#[derive(Debug, Clone, Default)]
pub struct ChoiceTotals {
    /// Builders' end-user weight by segment and provider (`segment × labs + lab`).
    pub weight_by_segment_lab: Vec<f64>,
    /// Builders' end-user weight by segment.
    pub weight_by_segment: Vec<f64>,
    /// Weight × end-user price, by segment (for the builders' mean price).
    pub priced_weight_by_segment: Vec<f64>,
    /// Weight × the provider's capability, by segment.
    pub capable_weight_by_segment: Vec<f64>,
    pub customers: Vec<u64>,
    /// Customers who chose the same lab as last quarter.
    pub stayed: Vec<u64>,
    pub switches: u64,
}

impl ChoiceTotals {
    fn zero(labs: usize, segments: usize) -> Self {
        Self {
            weight_by_segment_lab: vec![0.0; labs * segments],
            weight_by_segment: vec![0.0; segments],
            priced_weight_by_segment: vec![0.0; segments],
            capable_weight_by_segment: vec![0.0; segments],
            customers: vec![0; labs],
            stayed: vec![0; labs],
            switches: 0,
        }
    }

    /// Adds a later chunk's totals; chunks are always added in chunk order.
    fn add(mut self, chunk: Self) -> Self {
        for (totals, parts) in [
            (
                &mut self.weight_by_segment_lab,
                &chunk.weight_by_segment_lab,
            ),
            (&mut self.weight_by_segment, &chunk.weight_by_segment),
            (
                &mut self.priced_weight_by_segment,
                &chunk.priced_weight_by_segment,
            ),
            (
                &mut self.capable_weight_by_segment,
                &chunk.capable_weight_by_segment,
            ),
        ] {
            for (total, part) in totals.iter_mut().zip(parts) {
                *total += part;
            }
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
    /// Token spend, end-user revenue, profit and builders still alive, by segment.
    pub spend_by_segment: Vec<f64>,
    pub revenue_by_segment: Vec<f64>,
    pub profit_by_segment: Vec<f64>,
    pub alive_by_segment: Vec<u64>,
    pub exits_by_segment: Vec<u64>,
}

impl SettlementTotals {
    fn zero(labs: usize, segments: usize) -> Self {
        Self {
            spend_by_lab: vec![0.0; labs],
            served_by_lab: vec![0.0; labs],
            spend_by_segment: vec![0.0; segments],
            revenue_by_segment: vec![0.0; segments],
            profit_by_segment: vec![0.0; segments],
            alive_by_segment: vec![0; segments],
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
        for (totals, parts) in [
            (&mut self.spend_by_segment, &chunk.spend_by_segment),
            (&mut self.revenue_by_segment, &chunk.revenue_by_segment),
            (&mut self.profit_by_segment, &chunk.profit_by_segment),
        ] {
            for (total, part) in totals.iter_mut().zip(parts) {
                *total += part;
            }
        }
        for (totals, parts) in [
            (&mut self.exits_by_segment, &chunk.exits_by_segment),
            (&mut self.alive_by_segment, &chunk.alive_by_segment),
        ] {
            for (total, part) in totals.iter_mut().zip(parts) {
                *total += part;
            }
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
    /// Each segment's crowding this quarter.
    pub crowding: &'a [Crowding],
    /// Each segment's log cumulative adoption by quarter (`apps::adoption_log`).
    pub adoption: &'a [Vec<f64>],
    /// End users' value per token relative to the first quarter
    /// (`apps::token_value_factor` at the market's mean API price).
    pub value_factor: f64,
    /// Each lab's capability offset in each segment (`lab × segments +
    /// segment`; empty: none).
    pub strengths: &'a [f64],
}

/// Pass one: every alive builder picks a provider, prices its output to end
/// users, and states its end-user weight (its customer base this quarter),
/// kept in `demand_mtok` until pass two turns it into tokens.
pub fn choose_providers(
    population: &mut AppBuilderPopulation,
    context: &ChoiceContext<'_>,
) -> ChoiceTotals {
    let labs = context.offers.len();
    let segments = context.crowding.len();
    let spec = context.spec;
    let AppBuilderPopulation {
        id,
        segment,
        depth,
        base_demand_mtok,
        value_per_mtok,
        entered_tick,
        rationed_last,
        alive,
        provider,
        tenure,
        demand_mtok,
        switching_cost,
        alive_at_start,
        end_user_price,
        ..
    } = population;
    let (id, segment, depth, base_demand, value, entered, rationed) = (
        &*id,
        &*segment,
        &*depth,
        &*base_demand_mtok,
        &*value_per_mtok,
        &*entered_tick,
        &*rationed_last,
    );
    // What changes only per lab and segment this quarter, computed once: each
    // lab's utility before switching costs, and each entry quarter's growth.
    let base_utility: Vec<f64> = (0..segments)
        .flat_map(|segment_index| {
            context.offers.iter().enumerate().map(move |(lab, offer)| {
                if !offer.open {
                    return f64::NEG_INFINITY;
                }
                let capability =
                    offer.capability + strength(context.strengths, segments, lab, segment_index);
                spec.capability_weight * capability
                    - spec.price_weight * offer.price_per_mtok.max(1e-9).ln()
            })
        })
        .collect();
    // The logit weights before switching costs, relative to each segment's
    // best lab; a reviewer scales its current lab's and its ties' weights.
    let base_weight: Vec<f64> = base_utility
        .chunks(labs.max(1))
        .flat_map(relative_weights)
        .collect();
    let tie_factor: Vec<f64> = context.ties.iter().map(|tie| tie.strength.exp()).collect();
    let segment_capture: Vec<f64> = context.crowding.iter().map(apps::segment_capture).collect();
    let growth: Vec<Vec<f64>> = context
        .adoption
        .iter()
        .map(|a| growth_table(a, context.tick, None))
        .collect();
    let choice = rng::KeyedFamily::new(context.seed, Purpose::ProviderChoice, context.tick);
    let chunk_totals: Vec<ChoiceTotals> = alive
        .par_chunks(CHUNK)
        .zip(provider.par_chunks_mut(CHUNK))
        .zip(tenure.par_chunks_mut(CHUNK))
        .zip(demand_mtok.par_chunks_mut(CHUNK))
        .zip(switching_cost.par_chunks_mut(CHUNK))
        .zip(alive_at_start.par_chunks_mut(CHUNK))
        .zip(end_user_price.par_chunks_mut(CHUNK))
        .enumerate()
        .map(
            |(
                chunk,
                ((((((alive, provider), tenure), demand), switching), alive_at_start), price),
            )| {
                let start = chunk * CHUNK;
                let mut totals = ChoiceTotals::zero(labs, segments);
                let mut weights = Vec::with_capacity(labs);
                let mut utilities = Vec::with_capacity(labs);
                let mut probabilities = Vec::with_capacity(labs);
                for i in 0..alive.len() {
                    let row = start + i;
                    alive_at_start[i] = alive[i];
                    if !alive[i] {
                        demand[i] = 0.0;
                        switching[i] = 0.0;
                        price[i] = 0.0;
                        continue;
                    }
                    let current = provider[i];
                    // Builders review their provider on their integration and
                    // evaluation cycle, not every quarter: between reviews a
                    // builder with an open provider stays.
                    let mut stream = choice.stream(AgentId(id[row]));
                    // Every builder takes the same draws in the same order,
                    // reviewing or not, so one draw never shifts another.
                    let review_draw = rng::uniform(&mut stream);
                    let draw = rng::uniform(&mut stream);
                    let reviews = current == NO_PROVIDER
                        || !context.offers.get(current as usize).is_some_and(|o| o.open)
                        || review_draw < spec.provider_review_share;
                    let cost = rules::switching_cost(
                        spec.switching_cost_base,
                        spec.switching_cost_growth,
                        tenure[i],
                        depth[row],
                        spec.switching_cost_cap_quarters,
                    );
                    let segment_index = usize::from(segment[row]);
                    let picked = if reviews {
                        let stay = if rationed[row] {
                            cost - spec.rationing_penalty
                        } else {
                            cost
                        };
                        if stay <= MAX_STAY_LOG_WEIGHT {
                            weights.clear();
                            weights.extend_from_slice(
                                &base_weight[segment_index * labs..(segment_index + 1) * labs],
                            );
                            if let Some(weight) = weights.get_mut(current as usize) {
                                // Staying avoids the switching cost; a provider that rationed
                                // this builder last quarter lost some goodwill.
                                *weight *= stay.exp();
                            }
                            // Builders inside a joint venture's tied demand lean to its lab.
                            for (tie, factor) in context.ties.iter().zip(&tie_factor) {
                                if tie_member(context.seed, id[row], tie)
                                    && let Some(weight) = weights.get_mut(tie.lab)
                                {
                                    *weight *= factor;
                                }
                            }
                            pick_weighted(&weights, draw)
                        } else {
                            // Switching costs beyond exp's range (possible
                            // only in extreme configurations): the logit over
                            // utilities, computed stably.
                            utilities.clear();
                            for lab in 0..labs {
                                let mut utility = base_utility[segment_index * labs + lab];
                                if current as usize == lab && utility > f64::NEG_INFINITY {
                                    utility += stay;
                                }
                                utilities.push(utility);
                            }
                            for tie in context.ties {
                                if tie_member(context.seed, id[row], tie)
                                    && context.offers.get(tie.lab).is_some_and(|o| o.open)
                                {
                                    utilities[tie.lab] += tie.strength;
                                }
                            }
                            logit_probabilities(&utilities, &mut probabilities);
                            pick(&probabilities, draw)
                        }
                    } else {
                        Some(current as usize)
                    };
                    let Some(chosen) = picked else {
                        provider[i] = NO_PROVIDER;
                        demand[i] = 0.0;
                        price[i] = 0.0;
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
                    // A builder's customer base grows with the segment's
                    // adoption since it entered; its share of the segment is
                    // its base over all builders' bases.
                    let adoption = table_or(&growth[segment_index], entered[row], || {
                        grown(&context.adoption[segment_index], entered[row], context.tick)
                    });
                    let shock =
                        (spec.builder_shock_sigma * rng::standard_normal(&mut stream)).exp();
                    let kept = apps::capture_at_depth(segment_capture[segment_index], depth[row]);
                    price[i] = apps::end_user_price(
                        offer.price_per_mtok,
                        value[row] * context.value_factor,
                        kept,
                    );
                    // End users lean to cheaper apps: a builder's weight falls
                    // with its end-user price, so a lab that raises its API
                    // price loses its builders' end users, not only builders.
                    let price_factor = (price[i] / spec.reference_price_per_mtok)
                        .powf(-spec.end_user_price_weight);
                    demand[i] = base_demand[row] * adoption * shock * price_factor;
                    totals.weight_by_segment_lab[segment_index * labs + chosen_index] += demand[i];
                    totals.weight_by_segment[segment_index] += demand[i];
                    totals.priced_weight_by_segment[segment_index] += demand[i] * price[i];
                    totals.capable_weight_by_segment[segment_index] += demand[i]
                        * (offer.capability
                            + strength(context.strengths, segments, chosen_index, segment_index));
                    totals.customers[chosen_index] += 1;
                }
                totals
            },
        )
        .collect();
    chunk_totals
        .into_iter()
        .fold(ChoiceTotals::zero(labs, segments), ChoiceTotals::add)
}

/// Whether a builder is inside a joint venture's tied demand: a fixed share
/// of builders, by a hash of their id, for as long as the tie lasts.
fn tie_member(seed: u64, builder: u64, tie: &crate::resources::ActiveTie) -> bool {
    rng::unit_hash(
        seed,
        Purpose::JointVentureTie,
        AgentId(builder),
        tie.venture as u64,
    ) < tie.share
}

/// The largest log-weight a reviewer's current lab gets from its switching
/// cost before the choice falls back to the logit over utilities: `exp`
/// overflows just above 709, and the other weights are at most 1.
const MAX_STAY_LOG_WEIGHT: f64 = 600.0;

/// A lab's capability offset in a segment (0 without a table).
fn strength(strengths: &[f64], segments: usize, lab: usize, segment: usize) -> f64 {
    strengths
        .get(lab * segments + segment)
        .copied()
        .unwrap_or(0.0)
}

/// Each segment's crowding this quarter, from last quarter's builders and
/// products' share.
pub fn segment_crowding(population: &AppBuilderPopulation, spec: &AppBuilderSpec) -> Vec<Crowding> {
    population
        .segments
        .iter()
        .map(|state| Crowding {
            generic_capture: spec.generic_capture,
            builders_at_start: state.builders_at_start,
            builders_now: state.builders,
            elasticity: spec.crowding_elasticity,
            product_share: state.product_share,
        })
        .collect()
}

/// What the end-user markets decide this quarter.
#[derive(Debug, Clone, Default)]
pub struct SegmentOutcome {
    /// Builders' tokens per unit of their end-user weight, by segment.
    pub demand_per_weight: Vec<f64>,
    /// Tokens the builders on each lab's API ask for.
    pub api_demand_by_lab: Vec<f64>,
    /// Tokens each lab's own products are asked for.
    pub product_demand_by_lab: Vec<f64>,
}

/// Quarter-invariant inputs of the end-user markets.
#[derive(Debug)]
pub struct SegmentContext<'a> {
    pub seed: u64,
    pub tick: u32,
    pub spec: &'a AppBuilderSpec,
    pub offers: &'a [LabOffer],
    pub crowding: &'a [Crowding],
    pub adoption: &'a [Vec<f64>],
    /// End users' value per token relative to the first quarter
    /// (`apps::token_value_factor` at the market's mean API price).
    pub value_factor: f64,
    /// Each lab's capability offset in each segment (`lab × segments +
    /// segment`; empty: none).
    pub strengths: &'a [f64],
}

/// Each segment's log cumulative adoption for every quarter of the run.
pub fn adoption_tables(spec: &AppBuilderSpec, quarters: u32) -> Vec<Vec<f64>> {
    spec.segments
        .iter()
        .map(|s| {
            apps::adoption_log(
                s.demand_growth_per_quarter,
                s.growth_half_life_quarters,
                quarters,
            )
        })
        .collect()
}

/// How much a customer base that entered in each quarter up to `to` has grown
/// by `to` (`grown` for every `from` in `0..=to`), raised to `power`: the
/// per-builder lookups of one quarter, computed once per segment.
fn growth_table(adoption: &[f64], to: u32, power: Option<f64>) -> Vec<f64> {
    (0..=to)
        .map(|from| {
            let g = grown(adoption, from, to);
            power.map_or(g, |p| g.powf(p))
        })
        .collect()
}

/// A builder's entry in its segment's `growth_table` (computed directly for
/// an entry after `to`, which a builder cannot have).
fn table_or(table: &[f64], from: u32, direct: impl FnOnce() -> f64) -> f64 {
    table.get(from as usize).copied().unwrap_or_else(direct)
}

/// How much a customer base that started at `from` has grown by `to`.
fn grown(adoption: &[f64], from: u32, to: u32) -> f64 {
    let at = |t: u32| {
        adoption
            .get(t as usize)
            .or(adoption.last())
            .copied()
            .unwrap_or(0.0)
    };
    (at(to) - at(from)).exp()
}

/// The end-user market of each segment, between the two passes: end users
/// split between the builders' apps and labs' products (logit over capability
/// and log price; a product's appeal is fixed at launch to give its launch
/// share), the segment's demand follows adoption, its mean end-user price and
/// a segment shock, and the builders' part is spread over them by weight.
pub fn clear_segments(
    population: &mut AppBuilderPopulation,
    context: &SegmentContext<'_>,
    choice: &ChoiceTotals,
) -> SegmentOutcome {
    let spec = context.spec;
    let labs = context.offers.len();
    let mut outcome = SegmentOutcome {
        demand_per_weight: vec![0.0; population.segments.len()],
        api_demand_by_lab: vec![0.0; labs],
        product_demand_by_lab: vec![0.0; labs],
    };
    let (capability_weight, price_weight) =
        (spec.end_user_capability_weight, spec.end_user_price_weight);
    let population_segments = population.segments.len();
    for (s, state) in population.segments.iter_mut().enumerate() {
        let segment = &spec.segments[s];
        let weight = choice.weight_by_segment[s];
        let (builders_price, builders_utility) = if weight > 0.0 {
            let price = choice.priced_weight_by_segment[s] / weight;
            let capability = choice.capable_weight_by_segment[s] / weight;
            let utility =
                apps::end_user_utility(0.0, capability, price, capability_weight, price_weight);
            (price, utility)
        } else {
            (0.0, f64::NEG_INFINITY)
        };
        let mut members = Vec::new();
        let mut utilities = Vec::new();
        // Last quarter's shares, builders first; a product launching now
        // starts from its logit share (`None` until the shares are known).
        let mut previous = vec![Some(1.0 - state.product_share)];
        for (k, product) in population.products.iter_mut().enumerate() {
            if product.segment != s {
                continue;
            }
            let last_share = product.share;
            product.share = 0.0;
            product.price_per_mtok = 0.0;
            product.demand_mtok = 0.0;
            product.served_mtok = 0.0;
            product.revenue_usd = 0.0;
            let offer = &context.offers[product.lab];
            if context.tick < product.launch_tick || !offer.open {
                continue;
            }
            let kept = apps::capture(&context.crowding[s], product.depth);
            product.price_per_mtok = apps::end_user_price(
                offer.own_cost_per_mtok,
                segment.value_per_mtok_median_usd * context.value_factor,
                kept,
            );
            let own = apps::end_user_utility(
                0.0,
                offer.capability + strength(context.strengths, population_segments, product.lab, s),
                product.price_per_mtok,
                capability_weight,
                price_weight,
            );
            previous.push(product.appeal.is_some().then_some(last_share));
            let appeal = *product.appeal.get_or_insert_with(|| {
                if builders_utility.is_finite() {
                    apps::launch_appeal(product.share_at_launch, builders_utility, own)
                } else {
                    0.0
                }
            });
            members.push(k);
            utilities.push(own + appeal);
        }
        if weight <= 0.0 && members.is_empty() {
            state.demand_mtok = 0.0;
            continue;
        }
        let target = apps::segment_shares(builders_utility, &utilities);
        // Only part of the end users choose again each quarter; in the
        // segment's first quarter there is nothing to keep.
        let shares = if state.reference_price > 0.0 {
            let previous: Vec<f64> = previous
                .iter()
                .zip(&target)
                .map(|(p, t)| p.unwrap_or(*t))
                .collect();
            apps::adjust_shares(&previous, &target, spec.end_user_reconsider_share)
        } else {
            target
        };
        let builders_share = shares[0];
        let mut mean_price = builders_share * builders_price;
        for (&k, &share) in members.iter().zip(&shares[1..]) {
            population.products[k].share = share;
            mean_price += share * population.products[k].price_per_mtok;
        }
        if state.reference_price <= 0.0 {
            state.reference_price = mean_price;
        }
        if state.initial_demand_mtok <= 0.0 && builders_share > 0.0 {
            // The configured market is the builders' token demand at the
            // start; products' end users come on top of it.
            state.initial_demand_mtok =
                spec.initial_market_mtok_per_quarter * segment.weight / builders_share;
        }
        let mut stream = rng::stream(
            context.seed,
            Purpose::SegmentDemand,
            AgentId(s as u64),
            context.tick,
        );
        let shock = (spec.segment_shock_sigma * rng::standard_normal(&mut stream)).exp();
        let demand = apps::segment_demand(
            state.initial_demand_mtok,
            context.adoption[s]
                .get(context.tick as usize)
                .copied()
                .unwrap_or(0.0),
            if state.reference_price > 0.0 {
                mean_price / state.reference_price
            } else {
                1.0
            },
            spec.price_elasticity,
            shock,
        );
        if weight > 0.0 {
            outcome.demand_per_weight[s] = demand * builders_share / weight;
            for lab in 0..labs {
                outcome.api_demand_by_lab[lab] +=
                    outcome.demand_per_weight[s] * choice.weight_by_segment_lab[s * labs + lab];
            }
        }
        for (&k, &share) in members.iter().zip(&shares[1..]) {
            let product = &mut population.products[k];
            product.demand_mtok = demand * share;
            outcome.product_demand_by_lab[product.lab] += product.demand_mtok;
        }
        state.demand_mtok = demand;
        state.end_user_price = mean_price;
        state.product_share = 1.0 - builders_share;
    }
    outcome
}

/// Pass two: each builder's weight becomes tokens (its segment's demand per
/// unit of builders' weight), builders are served (rationed where their lab is
/// short), pay their lab, earn from end users at their end-user price, and
/// exit after sustained losses.
pub fn settle_builders(
    population: &mut AppBuilderPopulation,
    spec: &AppBuilderSpec,
    tick: u32,
    offers: &[LabOffer],
    served_fraction: &[f64],
    demand_per_weight: &[f64],
    adoption: &[Vec<f64>],
) -> SettlementTotals {
    let labs = offers.len();
    let segments = spec.segments.len();
    let AppBuilderPopulation {
        segment,
        fixed_cost_usd,
        entered_tick,
        provider,
        demand_mtok,
        end_user_price,
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
    let (segment, entered, provider, end_user_price) =
        (&*segment, &*entered_tick, &*provider, &*end_user_price);
    // Each entry quarter's growth of fixed costs, computed once per segment.
    let cost_growth: Vec<Vec<f64>> = adoption
        .iter()
        .map(|a| growth_table(a, tick, Some(spec.fixed_cost_scale_elasticity)))
        .collect();
    let chunk_totals: Vec<SettlementTotals> = alive
        .par_chunks_mut(CHUNK)
        .zip(demand_mtok.par_chunks_mut(CHUNK))
        .zip(fixed_cost_usd.par_chunks_mut(CHUNK))
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
                (
                    (
                        (((((((alive, demand), fixed), losses), rationed), cash), served), spend),
                        revenue,
                    ),
                    profit,
                ),
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
                    let segment_index = usize::from(segment[row]);
                    demand[i] *= demand_per_weight.get(segment_index).copied().unwrap_or(0.0);
                    let lab = provider[row];
                    let (fraction, price) = if lab == NO_PROVIDER {
                        (0.0, 0.0)
                    } else {
                        (
                            served_fraction[lab as usize],
                            offers[lab as usize].price_per_mtok,
                        )
                    };
                    served[i] = demand[i] * fraction;
                    spend[i] = served[i] * price;
                    revenue[i] = served[i] * end_user_price[row];
                    // Fixed costs grow with the business, at half the rate of adoption.
                    // Operating costs grow with the customer base, less than
                    // in proportion (`fixed_cost_scale_elasticity`).
                    if fixed[i] == UNSET_FIXED_COST {
                        fixed[i] = spec.segments[segment_index].fixed_cost_share * revenue[i];
                    }
                    let fixed_cost = fixed[i]
                        * table_or(&cost_growth[segment_index], entered[row], || {
                            grown(&adoption[segment_index], entered[row], tick)
                                .powf(spec.fixed_cost_scale_elasticity)
                        });
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
                    totals.lost_demand_mtok += demand[i] - served[i];
                    totals.spend_by_segment[segment_index] += spend[i];
                    totals.revenue_by_segment[segment_index] += revenue[i];
                    totals.profit_by_segment[segment_index] += profit[i];
                    if profit[i] < 0.0 {
                        losses[i] += 1;
                    } else {
                        losses[i] = 0;
                    }
                    if losses[i] >= spec.exit_after_loss_quarters {
                        alive[i] = false;
                        totals.exits_by_segment[segment_index] += 1;
                    } else {
                        totals.alive_by_segment[segment_index] += 1;
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
