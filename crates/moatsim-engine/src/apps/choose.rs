//! Pass one over the builders: each alive builder picks a provider (a lab's
//! API, or its own product's end users) and the pass sums customer bases per
//! segment and lab, chunk by chunk.

use super::{
    AppBuilderPopulation, CHUNK, ChoiceTotals, LabOffer, MAX_STAY_LOG_WEIGHT, NO_PROVIDER, grown,
    growth_table, strength, table_or,
};

use moatsim_config::AppBuilderSpec;
use moatsim_model::market::apps;
use moatsim_model::market::apps::Crowding;
use moatsim_model::market::inference::{
    logit_probabilities, pick, pick_weighted, relative_weights,
};
use moatsim_model::rng::Purpose;
use moatsim_model::{AgentId, rng, rules};
use rayon::prelude::*;

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
    /// Each segment's log demand growth at constant prices by quarter:
    /// adoption and tokens per task (`apps::demand_paths`).
    pub adoption: &'a [Vec<f64>],
    /// End users' value per token relative to the first quarter, by
    /// segment: `apps::token_value_factor` at the market's mean API price,
    /// over the growth of the segment's tokens per task (end users pay for
    /// tasks).
    pub value_factors: &'a [f64],
    /// Each lab's capability offset in each segment (`lab × segments +
    /// segment`; empty: none).
    pub strengths: &'a [f64],
    /// How the tiers' prices move token demand this quarter.
    pub tiers: TierResponse,
}

/// How the tiers' prices move the end-user markets' token demand this
/// quarter (`market::tiers::TierDemand::response`).
#[derive(Debug, Clone, Copy)]
pub struct TierResponse {
    /// Tokens relative to the first quarter's at this quarter's tier prices.
    pub tokens: f64,
    /// The market's mean API price over the first quarter's: the part of an
    /// end-user price's change the tiers already answer for.
    pub api_price_ratio: f64,
}

impl Default for TierResponse {
    fn default() -> Self {
        Self {
            tokens: 1.0,
            api_price_ratio: 1.0,
        }
    }
}

/// Pass one: every alive builder picks a provider, prices its output to end
/// users, and states its end-user weight (its customer base this quarter),
/// kept in `demand_mtok` until pass two turns it into tokens.
pub fn choose_providers(
    population: &mut AppBuilderPopulation,
    context: &ChoiceContext<'_>,
) -> ChoiceTotals {
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
    let chooser = Chooser {
        context,
        labs: context.offers.len(),
        segments: context.crowding.len(),
        tables: QuarterTables::new(context),
        traits: BuilderTraits {
            id,
            segment,
            depth,
            base_demand_mtok,
            value_per_mtok,
            entered_tick,
            rationed_last,
        },
        draws: rng::KeyedFamily::new(context.seed, Purpose::ProviderChoice, context.tick),
    };
    let chunk_totals: Vec<ChoiceTotals> = (
        alive.par_chunks(CHUNK),
        provider.par_chunks_mut(CHUNK),
        tenure.par_chunks_mut(CHUNK),
        demand_mtok.par_chunks_mut(CHUNK),
        switching_cost.par_chunks_mut(CHUNK),
        alive_at_start.par_chunks_mut(CHUNK),
        end_user_price.par_chunks_mut(CHUNK),
    )
        .into_par_iter()
        .enumerate()
        .map(
            |(
                chunk,
                (
                    alive,
                    provider,
                    tenure,
                    demand_mtok,
                    switching_cost,
                    alive_at_start,
                    end_user_price,
                ),
            )| {
                chooser.choose_chunk(
                    chunk * CHUNK,
                    ChoiceChunk {
                        alive,
                        provider,
                        tenure,
                        demand_mtok,
                        switching_cost,
                        alive_at_start,
                        end_user_price,
                    },
                )
            },
        )
        .collect();
    // Chunk totals are added in chunk order, whatever thread computed them,
    // so the sums are the same for any number of threads.
    chunk_totals.into_iter().fold(
        ChoiceTotals::zero(chooser.labs, chooser.segments),
        ChoiceTotals::add,
    )
}

/// What changes only per lab and segment this quarter, computed once before
/// the pass instead of once per builder.
struct QuarterTables {
    /// Each lab's utility before switching costs (`segment × labs + lab`;
    /// minus infinity for a closed lab).
    base_utility: Vec<f64>,
    /// The logit weights of `base_utility`, relative to each segment's best
    /// lab; a reviewer scales its current lab's and its ties' weights.
    base_weight: Vec<f64>,
    /// `exp` of each joint-venture tie's strength: the factor on its lab's weight.
    tie_factor: Vec<f64>,
    /// Each segment's share of the surplus a generic builder keeps.
    segment_capture: Vec<f64>,
    /// Each segment's growth of a customer base by the quarter it entered.
    growth: Vec<Vec<f64>>,
}

impl QuarterTables {
    fn new(context: &ChoiceContext<'_>) -> Self {
        let labs = context.offers.len();
        let segments = context.crowding.len();
        let spec = context.spec;
        let base_utility: Vec<f64> = (0..segments)
            .flat_map(|segment_index| {
                context.offers.iter().enumerate().map(move |(lab, offer)| {
                    if !offer.open {
                        return f64::NEG_INFINITY;
                    }
                    let capability = offer.capability
                        + strength(context.strengths, segments, lab, segment_index);
                    spec.capability_weight * capability
                        - spec.price_weight * offer.price_per_mtok.max(1e-9).ln()
                })
            })
            .collect();
        let base_weight: Vec<f64> = base_utility
            .chunks(labs.max(1))
            .flat_map(relative_weights)
            .collect();
        Self {
            base_utility,
            base_weight,
            tie_factor: context.ties.iter().map(|tie| tie.strength.exp()).collect(),
            segment_capture: context.crowding.iter().map(apps::segment_capture).collect(),
            growth: context
                .adoption
                .iter()
                .map(|a| growth_table(a, context.tick, None))
                .collect(),
        }
    }
}

/// The builder columns pass one only reads, whole: a chunk's builder `i` is
/// row `start + i` of these.
struct BuilderTraits<'a> {
    id: &'a [u64],
    segment: &'a [u16],
    depth: &'a [f64],
    base_demand_mtok: &'a [f64],
    value_per_mtok: &'a [f64],
    entered_tick: &'a [u32],
    rationed_last: &'a [bool],
}

/// One chunk of the builder columns pass one writes.
struct ChoiceChunk<'a> {
    alive: &'a [bool],
    provider: &'a mut [u32],
    tenure: &'a mut [u32],
    demand_mtok: &'a mut [f64],
    switching_cost: &'a mut [f64],
    alive_at_start: &'a mut [bool],
    end_user_price: &'a mut [f64],
}

/// Buffers a chunk reuses for every builder it reviews, so the hot loop does
/// not allocate.
struct Scratch {
    weights: Vec<f64>,
    utilities: Vec<f64>,
    probabilities: Vec<f64>,
}

/// Everything every builder's choice reads this quarter.
struct Chooser<'a> {
    context: &'a ChoiceContext<'a>,
    labs: usize,
    segments: usize,
    tables: QuarterTables,
    traits: BuilderTraits<'a>,
    draws: rng::KeyedFamily,
}

impl Chooser<'_> {
    /// One chunk of builders, starting at row `start`, and its totals.
    fn choose_chunk(&self, start: usize, mut chunk: ChoiceChunk<'_>) -> ChoiceTotals {
        let mut totals = ChoiceTotals::zero(self.labs, self.segments);
        let mut scratch = Scratch {
            weights: Vec::with_capacity(self.labs),
            utilities: Vec::with_capacity(self.labs),
            probabilities: Vec::with_capacity(self.labs),
        };
        for i in 0..chunk.alive.len() {
            chunk.alive_at_start[i] = chunk.alive[i];
            if chunk.alive[i] {
                self.choose_for(start + i, i, &mut chunk, &mut scratch, &mut totals);
            } else {
                chunk.demand_mtok[i] = 0.0;
                chunk.switching_cost[i] = 0.0;
                chunk.end_user_price[i] = 0.0;
            }
        }
        totals
    }

    /// One alive builder (row `row`, chunk offset `i`): it keeps or reviews
    /// its provider, then prices its output and states its customer base.
    fn choose_for(
        &self,
        row: usize,
        i: usize,
        chunk: &mut ChoiceChunk<'_>,
        scratch: &mut Scratch,
        totals: &mut ChoiceTotals,
    ) {
        let spec = self.context.spec;
        let current = chunk.provider[i];
        let mut stream = self.draws.stream(AgentId(self.traits.id[row]));
        // Every builder takes the same draws in the same order, reviewing or
        // not, so one draw never shifts another.
        let review_draw = rng::uniform(&mut stream);
        let draw = rng::uniform(&mut stream);
        let cost = rules::switching_cost(
            spec.switching_cost_base,
            spec.switching_cost_growth,
            chunk.tenure[i],
            self.traits.depth[row],
            spec.switching_cost_cap_quarters,
        );
        let segment = usize::from(self.traits.segment[row]);
        let picked = if self.reviews(current, review_draw) {
            // A provider that rationed this builder last quarter lost some
            // goodwill: staying is worth less than the switching cost alone.
            let stay = if self.traits.rationed_last[row] {
                cost - spec.rationing_penalty
            } else {
                cost
            };
            self.pick_on_review(row, segment, current, stay, draw, scratch)
        } else {
            Some(current as usize)
        };
        let Some(chosen) = picked else {
            // No lab is open to it: the builder has no provider and no
            // customers this quarter (its switching cost is left as it was).
            chunk.provider[i] = NO_PROVIDER;
            chunk.demand_mtok[i] = 0.0;
            chunk.end_user_price[i] = 0.0;
            return;
        };
        record_tenure(chunk, i, current, chosen, totals);
        chunk.switching_cost[i] = cost;
        let offer = &self.context.offers[chosen];
        let (price, demand) = self.customer_base(row, segment, offer, &mut stream);
        chunk.end_user_price[i] = price;
        chunk.demand_mtok[i] = demand;
        let capability =
            offer.capability + strength(self.context.strengths, self.segments, chosen, segment);
        totals.add_customer(segment, chosen, demand, price, capability);
    }

    /// Whether a builder chooses its provider again this quarter. Builders
    /// review their provider on their integration and evaluation cycle, not
    /// every quarter: between reviews a builder with an open provider stays.
    fn reviews(&self, current: u32, review_draw: f64) -> bool {
        current == NO_PROVIDER
            || !self
                .context
                .offers
                .get(current as usize)
                .is_some_and(|o| o.open)
            || review_draw < self.context.spec.provider_review_share
    }

    /// A reviewing builder's pick; `stay` is the log-weight staying with its
    /// current lab is worth.
    fn pick_on_review(
        &self,
        row: usize,
        segment: usize,
        current: u32,
        stay: f64,
        draw: f64,
        scratch: &mut Scratch,
    ) -> Option<usize> {
        let builder = self.traits.id[row];
        if stay <= MAX_STAY_LOG_WEIGHT {
            self.pick_by_weight(builder, segment, current, stay, draw, &mut scratch.weights)
        } else {
            self.pick_by_utility(builder, segment, current, stay, draw, scratch)
        }
    }

    /// The usual choice: the segment's precomputed logit weights, the current
    /// lab's scaled by `exp(stay)` and each tie's lab by its factor.
    fn pick_by_weight(
        &self,
        builder: u64,
        segment: usize,
        current: u32,
        stay: f64,
        draw: f64,
        weights: &mut Vec<f64>,
    ) -> Option<usize> {
        let labs = self.labs;
        weights.clear();
        weights.extend_from_slice(&self.tables.base_weight[segment * labs..(segment + 1) * labs]);
        if let Some(weight) = weights.get_mut(current as usize) {
            // Staying avoids the switching cost.
            *weight *= stay.exp();
        }
        // Builders inside a joint venture's tied demand lean to its lab.
        for (tie, factor) in self.context.ties.iter().zip(&self.tables.tie_factor) {
            if tie_member(self.context.seed, builder, tie)
                && let Some(weight) = weights.get_mut(tie.lab)
            {
                *weight *= factor;
            }
        }
        pick_weighted(weights, draw)
    }

    /// The fallback when the switching cost is beyond `exp`'s range (possible
    /// only in extreme configurations): the logit over utilities, computed
    /// stably.
    fn pick_by_utility(
        &self,
        builder: u64,
        segment: usize,
        current: u32,
        stay: f64,
        draw: f64,
        scratch: &mut Scratch,
    ) -> Option<usize> {
        let labs = self.labs;
        let utilities = &mut scratch.utilities;
        utilities.clear();
        for lab in 0..labs {
            let mut utility = self.tables.base_utility[segment * labs + lab];
            if current as usize == lab && utility > f64::NEG_INFINITY {
                utility += stay;
            }
            utilities.push(utility);
        }
        for tie in self.context.ties {
            if tie_member(self.context.seed, builder, tie)
                && self.context.offers.get(tie.lab).is_some_and(|o| o.open)
            {
                utilities[tie.lab] += tie.strength;
            }
        }
        logit_probabilities(utilities, &mut scratch.probabilities);
        pick(&scratch.probabilities, draw)
    }

    /// A builder's end-user price and its customer base (its end-user
    /// weight) on `offer`. The base grows with the segment's adoption since
    /// the builder entered; its share of the segment is its base over all
    /// builders' bases.
    fn customer_base(
        &self,
        row: usize,
        segment: usize,
        offer: &LabOffer,
        stream: &mut rng::Keyed,
    ) -> (f64, f64) {
        let spec = self.context.spec;
        let context = self.context;
        let entered = self.traits.entered_tick[row];
        let adoption = table_or(&self.tables.growth[segment], entered, || {
            grown(&context.adoption[segment], entered, context.tick)
        });
        let shock = (spec.builder_shock_sigma * rng::standard_normal(stream)).exp();
        let kept =
            apps::capture_at_depth(self.tables.segment_capture[segment], self.traits.depth[row]);
        let price = apps::end_user_price(
            offer.price_per_mtok,
            self.traits.value_per_mtok[row] * context.value_factors[segment],
            kept,
        );
        // End users lean to cheaper apps: a builder's weight falls with its
        // end-user price, so a lab that raises its API price loses its
        // builders' end users, not only builders.
        let price_factor =
            (price / spec.reference_price_per_mtok).powf(-spec.end_user_price_weight);
        let demand = self.traits.base_demand_mtok[row] * adoption * shock * price_factor;
        (price, demand)
    }
}

/// A builder's tenure with `chosen`: one more quarter if it stayed, a fresh
/// start if it moved (a move away from a provider counts as a switch; a first
/// pick does not).
fn record_tenure(
    chunk: &mut ChoiceChunk<'_>,
    i: usize,
    current: u32,
    chosen: usize,
    totals: &mut ChoiceTotals,
) {
    let chosen_id = u32::try_from(chosen).unwrap_or(NO_PROVIDER);
    if chosen_id == current {
        chunk.tenure[i] += 1;
        totals.stayed[chosen] += 1;
    } else {
        if current != NO_PROVIDER {
            totals.switches += 1;
        }
        chunk.tenure[i] = 0;
    }
    chunk.provider[i] = chosen_id;
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
