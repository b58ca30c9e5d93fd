//! The app-builder population, stored as columns, and the totals its passes
//! hand to the engine.
//!
//! Builders are processed in fixed-size chunks with rayon. Each builder's random
//! draws come from its own stream (seed, purpose, builder id, tick), and the
//! per-lab totals are summed within each chunk and then across chunks in chunk
//! order. Chunk boundaries never depend on the thread count, so the floating-point
//! sums — and therefore the output — are identical for any number of threads.
//!
//! A quarter takes two chunked passes with one serial step between them:
//! [`choose`] picks providers and sums customer bases per segment and lab,
//! [`segments`] clears the end-user markets on those sums, and [`settle`]
//! turns bases into tokens, serves, pays and settles each builder. The
//! system that runs them, with the labs' capacity and failover between the
//! second and third, is `systems::inference::serve_app_builders`.
//!
//! The types the passes share (the population, [`LabOffer`], the totals and
//! the growth tables) live here, not in a pass's file: each pass then depends
//! only on this module, never on another pass.

pub mod choose;
pub mod segments;
pub mod settle;
#[cfg(test)]
mod tests;

pub use choose::{ChoiceContext, TierResponse, choose_providers};
pub use segments::{
    SegmentContext, SegmentOutcome, advance_adoption, clear_segments, demand_paths,
    market_tokens_per_task_log, segment_crowding, tokens_per_task,
};
pub use settle::{SettlementContext, settle_builders};

use bevy_ecs::prelude::*;
use moatsim_config::{AppBuilderSpec, Scenario};
use moatsim_model::rng::Purpose;
use moatsim_model::{AgentId, rng};
use rayon::prelude::*;

impl<'a> ChoiceContext<'a> {
    /// The same quarter's inputs, as the end-user markets between the passes
    /// read them (everything but the ties, which only builders feel). It is
    /// here, not in either pass, so that neither pass depends on the other.
    pub fn segment_context(&self) -> SegmentContext<'a> {
        SegmentContext {
            seed: self.seed,
            tick: self.tick,
            spec: self.spec,
            offers: self.offers,
            crowding: self.crowding,
            adoption: self.adoption,
            value_factors: self.value_factors,
            strengths: self.strengths,
            tiers: self.tiers,
        }
    }
}

/// Builders per chunk. A constant, never derived from the thread count, so
/// that chunk boundaries (and with them every floating-point sum) are the
/// same for any number of threads.
pub const CHUNK: usize = 8_192;

/// The provider of a builder that has none: before its first choice, or
/// when no lab was open to it.
pub const NO_PROVIDER: u32 = u32::MAX;

/// A builder's fixed costs before its first quarter: they are then set to
/// its segment's `fixed_cost_share` of that quarter's revenue, so a builder
/// plans its costs on the market it enters, not on a reference price.
pub const UNSET_FIXED_COST: f64 = -1.0;

/// Every app builder, one column per field and one row per builder (in id
/// order): millions of builders are too many for one entity each.
#[derive(Resource, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct AppBuilderPopulation {
    pub id: Vec<u64>,
    /// Index into the scenario's segments.
    pub segment: Vec<u16>,
    /// How specialised the builder is (0 generic, 1 deep): deeper builders
    /// keep more of the surplus and face higher switching costs.
    pub depth: Vec<f64>,
    /// Token demand (millions per quarter) at the reference price when it entered.
    pub base_demand_mtok: Vec<f64>,
    /// End users' value of a million tokens of its output, at the first
    /// quarter's token prices.
    pub value_per_mtok: Vec<f64>,
    /// Fixed costs per quarter when it entered (`UNSET_FIXED_COST` until
    /// its first quarter).
    pub fixed_cost_usd: Vec<f64>,
    pub entered_tick: Vec<u32>,
    /// Index of its lab, or `NO_PROVIDER`.
    pub provider: Vec<u32>,
    /// Quarters in a row with the same provider.
    pub tenure: Vec<u32>,
    /// Losing quarters in a row; the builder exits at
    /// `exit_after_loss_quarters`.
    pub loss_streak: Vec<u32>,
    /// Whether its lab served less than all its tokens last quarter.
    pub rationed_last: Vec<bool>,
    pub alive: Vec<bool>,
    pub cash: Vec<f64>,
    // The fields below are this quarter's outcomes, set by the passes.
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
    /// Share of the segment's possible users who use its applications
    /// (Bass adoption).
    #[serde(default)]
    pub adopters: f64,
    /// `ln(adopters / adopters at the start)` in each quarter so far: how
    /// much a customer base that entered in one quarter has grown by another.
    #[serde(default)]
    pub log_adoption: Vec<f64>,
    // The fields below are this quarter's outcomes.
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
    // The fields below are this quarter's outcomes.
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
    /// Builders on each lab's API.
    pub customers: Vec<u64>,
    /// Customers who chose the same lab as last quarter.
    pub stayed: Vec<u64>,
    /// Builders who left one lab for another (a first pick is no switch).
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

    /// Adds one builder's customer base (its end-user `weight`) on `lab`'s
    /// API in `segment`, at its end-user `price` and the lab's `capability`
    /// in that segment.
    fn add_customer(
        &mut self,
        segment: usize,
        lab: usize,
        weight: f64,
        price: f64,
        capability: f64,
    ) {
        let labs = self.customers.len();
        self.weight_by_segment_lab[segment * labs + lab] += weight;
        self.weight_by_segment[segment] += weight;
        self.priced_weight_by_segment[segment] += weight * price;
        self.capable_weight_by_segment[segment] += weight * capability;
        self.customers[lab] += 1;
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
    /// What each lab's builders paid it, and the tokens it served them
    /// (before failover moves part of both to the labs that took it).
    pub spend_by_lab: Vec<f64>,
    pub served_by_lab: Vec<f64>,
    /// All builders' end-user revenue, operating costs and profit.
    pub revenue_usd: f64,
    pub fixed_costs_usd: f64,
    pub profit_usd: f64,
    /// Tokens builders asked for and were not served.
    pub lost_demand_mtok: f64,
    /// Token spend, end-user revenue, profit and builders still alive, by segment.
    pub spend_by_segment: Vec<f64>,
    pub revenue_by_segment: Vec<f64>,
    pub profit_by_segment: Vec<f64>,
    pub alive_by_segment: Vec<u64>,
    pub exits_by_segment: Vec<u64>,
}

/// One builder's quarter, as the settlement totals add it up.
#[derive(Debug, Clone, Copy)]
struct BuilderQuarter {
    demand_mtok: f64,
    served_mtok: f64,
    spend_usd: f64,
    revenue_usd: f64,
    fixed_cost_usd: f64,
    profit_usd: f64,
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

    /// Adds one builder's quarter in `segment`; `lab` is its provider, if
    /// it has one.
    fn add_builder(&mut self, segment: usize, lab: Option<usize>, builder: &BuilderQuarter) {
        if let Some(lab) = lab {
            self.spend_by_lab[lab] += builder.spend_usd;
            self.served_by_lab[lab] += builder.served_mtok;
        }
        self.revenue_usd += builder.revenue_usd;
        self.fixed_costs_usd += builder.fixed_cost_usd;
        self.profit_usd += builder.profit_usd;
        self.lost_demand_mtok += builder.demand_mtok - builder.served_mtok;
        self.spend_by_segment[segment] += builder.spend_usd;
        self.revenue_by_segment[segment] += builder.revenue_usd;
        self.profit_by_segment[segment] += builder.profit_usd;
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
