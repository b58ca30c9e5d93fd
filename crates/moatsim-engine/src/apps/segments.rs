//! The serial step between the passes: each segment's end-user market clears
//! on the pass-one sums (prices, crowding, adoption), and labs' own products
//! are priced.

use super::{AppBuilderPopulation, ChoiceTotals, LabOffer, ProductState, SegmentState, strength};

use moatsim_config::AppBuilderSpec;
use moatsim_model::market::apps;
use moatsim_model::market::apps::Crowding;
use moatsim_model::market::demand::{self, Diffusion, TokensPerTask};
use moatsim_model::rng::Purpose;
use moatsim_model::{AgentId, rng};

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
    /// End users' value per token relative to the first quarter, by
    /// segment: `apps::token_value_factor` at the market's mean API price,
    /// over the growth of the segment's tokens per task (end users pay for
    /// tasks).
    pub value_factors: &'a [f64],
    /// Each lab's capability offset in each segment (`lab × segments +
    /// segment`; empty: none).
    pub strengths: &'a [f64],
    /// How the tiers' prices move token demand this quarter.
    pub tiers: super::TierResponse,
}

/// How segment `s`'s tokens per task answer the frontier's capability.
pub fn tokens_per_task(spec: &AppBuilderSpec, s: usize) -> TokensPerTask {
    let segment = &spec.segments[s];
    TokensPerTask {
        per_capability: spec.tokens_per_task_per_capability,
        agent_multiplier: segment.agent_multiplier,
        agent_threshold: segment.agent_threshold,
        agent_width: spec.agent_width,
    }
}

/// `ln` of tokens per task at the frontier's capability `now` over the
/// first quarter's (`start`), weighted by the segments' weights: how much
/// longer the market's tasks have grown.
pub fn market_tokens_per_task_log(spec: &AppBuilderSpec, start: f64, now: f64) -> f64 {
    (0..spec.segments.len())
        .map(|s| spec.segments[s].weight * tokens_per_task(spec, s).growth(start, now).ln())
        .sum()
}

/// Bass adoption, one quarter: each segment's adopters move toward the
/// ceiling that the frontier's `capability` opens
/// (`market::demand::adoption_ceiling`, `adopt_quarter`); the first
/// quarter starts at the configured share. Records `ln(adopters / start)`
/// for quarter `tick`.
pub fn advance_adoption(
    population: &mut AppBuilderPopulation,
    spec: &AppBuilderSpec,
    tick: u32,
    capability: f64,
) {
    let diffusion = Diffusion {
        innovation: spec.adoption_innovation_per_year,
        imitation: spec.adoption_imitation_per_year,
    };
    for (state, segment) in population.segments.iter_mut().zip(&spec.segments) {
        // A resumed quarter is recomputed from the quarters before it.
        state.log_adoption.truncate(tick as usize);
        if state.log_adoption.is_empty() {
            state.adopters = segment.adopters_at_start;
        } else {
            let ceiling = demand::adoption_ceiling(
                segment.adoption_ceiling,
                &segment.unlocks,
                spec.agent_width,
                capability,
            );
            state.adopters = demand::adopt_quarter(state.adopters, ceiling, diffusion);
        }
        let start = segment.adopters_at_start.max(1e-12);
        state
            .log_adoption
            .push((state.adopters.max(1e-12) / start).ln());
    }
}

/// Each segment's log demand at constant prices for every quarter so far:
/// its adoption plus the growth of its tokens per task with the frontier's
/// capability (`frontier[t]` in quarter `t`).
pub fn demand_paths(
    population: &AppBuilderPopulation,
    spec: &AppBuilderSpec,
    frontier: &[f64],
) -> Vec<Vec<f64>> {
    let start = frontier.first().copied().unwrap_or(0.0);
    population
        .segments
        .iter()
        .enumerate()
        .map(|(s, state)| {
            let per_task = tokens_per_task(spec, s);
            state
                .log_adoption
                .iter()
                .enumerate()
                .map(|(t, log)| {
                    let now = frontier
                        .get(t)
                        .or(frontier.last())
                        .copied()
                        .unwrap_or(start);
                    log + spec.task_compute_elasticity * per_task.growth(start, now).ln()
                })
                .collect()
        })
        .collect()
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
    let labs = context.offers.len();
    let AppBuilderPopulation {
        segments, products, ..
    } = population;
    let clearing = Clearing {
        context,
        choice,
        labs,
        segments: segments.len(),
    };
    let mut outcome = SegmentOutcome {
        demand_per_weight: vec![0.0; segments.len()],
        api_demand_by_lab: vec![0.0; labs],
        product_demand_by_lab: vec![0.0; labs],
    };
    // In segment order: the labs' demands are summed over segments.
    for (s, state) in segments.iter_mut().enumerate() {
        clearing.clear(s, state, products, &mut outcome);
    }
    outcome
}

/// What the end-user markets read this quarter.
struct Clearing<'a> {
    context: &'a SegmentContext<'a>,
    choice: &'a ChoiceTotals,
    labs: usize,
    segments: usize,
}

/// The builders' apps, as end users of one segment see them together.
#[derive(Debug, Clone, Copy)]
struct BuildersOffer {
    /// Builders' end-user weight in the segment.
    weight: f64,
    /// Their weighted mean end-user price.
    price: f64,
    /// End users' utility of them (minus infinity when there are none).
    utility: f64,
}

/// The labs' products on sale in one segment this quarter.
#[derive(Debug, Default)]
struct Products {
    /// Indices into the population's products.
    members: Vec<usize>,
    /// End users' utility of each, appeal included.
    utilities: Vec<f64>,
    /// Last quarter's shares, builders first; a product launching now starts
    /// from its logit share (`None` until the shares are known).
    previous: Vec<Option<f64>>,
}

impl Clearing<'_> {
    /// One segment's end-user market: shares between builders and products,
    /// then demand, then each side's part of it.
    fn clear(
        &self,
        s: usize,
        state: &mut SegmentState,
        products: &mut [ProductState],
        outcome: &mut SegmentOutcome,
    ) {
        let builders = self.builders_offer(s);
        let on_sale = self.price_products(s, state, products, builders.utility);
        if builders.weight <= 0.0 && on_sale.members.is_empty() {
            state.demand_mtok = 0.0;
            return;
        }
        let shares = self.end_user_shares(state, builders.utility, &on_sale);
        let builders_share = shares[0];
        let mut mean_price = builders_share * builders.price;
        for (&k, &share) in on_sale.members.iter().zip(&shares[1..]) {
            products[k].share = share;
            mean_price += share * products[k].price_per_mtok;
        }
        if state.reference_price <= 0.0 {
            state.reference_price = mean_price;
        }
        if state.initial_demand_mtok <= 0.0 && builders_share > 0.0 {
            // The configured market is the builders' token demand at the
            // start; products' end users come on top of it.
            state.initial_demand_mtok = self.context.spec.initial_market_mtok_per_quarter
                * self.context.spec.segments[s].weight
                / builders_share;
        }
        let demand = self.segment_demand(s, state, mean_price);
        if builders.weight > 0.0 {
            outcome.demand_per_weight[s] = demand * builders_share / builders.weight;
            for lab in 0..self.labs {
                outcome.api_demand_by_lab[lab] += outcome.demand_per_weight[s]
                    * self.choice.weight_by_segment_lab[s * self.labs + lab];
            }
        }
        for (&k, &share) in on_sale.members.iter().zip(&shares[1..]) {
            let product = &mut products[k];
            product.demand_mtok = demand * share;
            outcome.product_demand_by_lab[product.lab] += product.demand_mtok;
        }
        state.demand_mtok = demand;
        state.end_user_price = mean_price;
        state.product_share = 1.0 - builders_share;
    }

    /// The builders' apps in segment `s`, from the choice pass's sums.
    fn builders_offer(&self, s: usize) -> BuildersOffer {
        let spec = self.context.spec;
        let weight = self.choice.weight_by_segment[s];
        let (price, utility) = if weight > 0.0 {
            let price = self.choice.priced_weight_by_segment[s] / weight;
            let capability = self.choice.capable_weight_by_segment[s] / weight;
            let utility = apps::end_user_utility(
                0.0,
                capability,
                price,
                spec.end_user_capability_weight,
                spec.end_user_price_weight,
            );
            (price, utility)
        } else {
            (0.0, f64::NEG_INFINITY)
        };
        BuildersOffer {
            weight,
            price,
            utility,
        }
    }

    /// Clears last quarter's outcomes of segment `s`'s products and prices
    /// those on sale (launched, from an open lab); a product's appeal is
    /// fixed the first time it is on sale, so that it starts at its
    /// configured share against the builders.
    fn price_products(
        &self,
        s: usize,
        state: &SegmentState,
        products: &mut [ProductState],
        builders_utility: f64,
    ) -> Products {
        let context = self.context;
        let spec = context.spec;
        let mut on_sale = Products {
            previous: vec![Some(1.0 - state.product_share)],
            ..Products::default()
        };
        for (k, product) in products.iter_mut().enumerate() {
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
                spec.segments[s].value_per_mtok_median_usd * context.value_factors[s],
                kept,
            );
            let own = apps::end_user_utility(
                0.0,
                offer.capability + strength(context.strengths, self.segments, product.lab, s),
                product.price_per_mtok,
                spec.end_user_capability_weight,
                spec.end_user_price_weight,
            );
            on_sale
                .previous
                .push(product.appeal.is_some().then_some(last_share));
            let appeal = *product.appeal.get_or_insert_with(|| {
                if builders_utility.is_finite() {
                    apps::launch_appeal(product.share_at_launch, builders_utility, own)
                } else {
                    0.0
                }
            });
            on_sale.members.push(k);
            on_sale.utilities.push(own + appeal);
        }
        on_sale
    }

    /// End users' shares, builders first: only part of them choose again
    /// each quarter; in the segment's first quarter there is nothing to keep.
    fn end_user_shares(
        &self,
        state: &SegmentState,
        builders_utility: f64,
        on_sale: &Products,
    ) -> Vec<f64> {
        let target = apps::segment_shares(builders_utility, &on_sale.utilities);
        if state.reference_price > 0.0 {
            let previous: Vec<f64> = on_sale
                .previous
                .iter()
                .zip(&target)
                .map(|(p, t)| p.unwrap_or(*t))
                .collect();
            apps::adjust_shares(
                &previous,
                &target,
                self.context.spec.end_user_reconsider_share,
            )
        } else {
            target
        }
    }

    /// Segment `s`'s end-user demand this quarter: its initial demand grown
    /// by adoption, moved by its mean end-user price against the first
    /// quarter's, times the segment's shock.
    fn segment_demand(&self, s: usize, state: &SegmentState, mean_price: f64) -> f64 {
        let context = self.context;
        let spec = context.spec;
        let mut stream = rng::stream(
            context.seed,
            Purpose::SegmentDemand,
            AgentId(s as u64),
            context.tick,
        );
        let shock = (spec.segment_shock_sigma * rng::standard_normal(&mut stream)).exp();
        // The tiers answer for the API prices' part of the end-user price's
        // change; what is left (builders' and products' markups over their
        // tokens) moves demand at the frontier's elasticity.
        let markup_ratio = if state.reference_price > 0.0 {
            mean_price / state.reference_price / context.tiers.api_price_ratio.max(1e-9)
        } else {
            1.0
        };
        apps::segment_demand(
            state.initial_demand_mtok,
            context.adoption[s]
                .get(context.tick as usize)
                .copied()
                .unwrap_or(0.0),
            markup_ratio,
            spec.price_elasticity,
            shock,
        ) * context.tiers.tokens
    }
}
