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
