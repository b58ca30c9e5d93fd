//! Pass two over the builders: bases become tokens, tokens are served at
//! each lab's served fraction, builders pay and are paid, and those that lose
//! money too long exit.

use super::{
    AppBuilderPopulation, BuilderQuarter, CHUNK, LabOffer, NO_PROVIDER, SettlementTotals,
    UNSET_FIXED_COST, grown, growth_table, table_or,
};

use moatsim_config::AppBuilderSpec;
use rayon::prelude::*;

/// Quarter-invariant inputs of the settlement pass.
#[derive(Debug)]
pub struct SettlementContext<'a> {
    pub spec: &'a AppBuilderSpec,
    pub tick: u32,
    /// What each lab's builders pay per million tokens (after failover, the
    /// mean of their own lab's price and the prices of the labs that took
    /// their overflow).
    pub offers: &'a [LabOffer],
    /// The share of each lab's builders' tokens served, anywhere.
    pub served_fraction: &'a [f64],
    /// Builders' tokens per unit of their end-user weight, by segment
    /// (`SegmentOutcome::demand_per_weight`).
    pub demand_per_weight: &'a [f64],
    /// Each segment's log demand growth at constant prices by quarter:
    /// adoption and tokens per task (`apps::demand_paths`).
    pub adoption: &'a [Vec<f64>],
}

/// Pass two: each builder's weight becomes tokens (its segment's demand per
/// unit of builders' weight), builders are served (rationed where their lab is
/// short), pay their lab, earn from end users at their end-user price, and
/// exit after sustained losses.
pub fn settle_builders(
    population: &mut AppBuilderPopulation,
    context: &SettlementContext<'_>,
) -> SettlementTotals {
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
    let settler = Settler {
        context,
        labs: context.offers.len(),
        segments: context.spec.segments.len(),
        cost_growth: cost_growth_tables(context),
        terms: BuilderTerms {
            segment,
            entered_tick,
            provider,
            end_user_price,
        },
    };
    let chunk_totals: Vec<SettlementTotals> = (
        alive.par_chunks_mut(CHUNK),
        demand_mtok.par_chunks_mut(CHUNK),
        fixed_cost_usd.par_chunks_mut(CHUNK),
        loss_streak.par_chunks_mut(CHUNK),
        rationed_last.par_chunks_mut(CHUNK),
        cash.par_chunks_mut(CHUNK),
        served_mtok.par_chunks_mut(CHUNK),
        spend_usd.par_chunks_mut(CHUNK),
        revenue_usd.par_chunks_mut(CHUNK),
        profit_usd.par_chunks_mut(CHUNK),
    )
        .into_par_iter()
        .enumerate()
        .map(
            |(
                chunk,
                (
                    alive,
                    demand_mtok,
                    fixed_cost_usd,
                    loss_streak,
                    rationed_last,
                    cash,
                    served_mtok,
                    spend_usd,
                    revenue_usd,
                    profit_usd,
                ),
            )| {
                settler.settle_chunk(
                    chunk * CHUNK,
                    SettlementChunk {
                        alive,
                        demand_mtok,
                        fixed_cost_usd,
                        loss_streak,
                        rationed_last,
                        cash,
                        served_mtok,
                        spend_usd,
                        revenue_usd,
                        profit_usd,
                    },
                )
            },
        )
        .collect();
    // Chunk totals are added in chunk order, whatever thread computed them,
    // so the sums are the same for any number of threads.
    chunk_totals.into_iter().fold(
        SettlementTotals::zero(settler.labs, settler.segments),
        SettlementTotals::add,
    )
}

/// Each segment's growth of a builder's operating costs by the quarter it
/// entered, computed once per segment instead of once per builder.
fn cost_growth_tables(context: &SettlementContext<'_>) -> Vec<Vec<f64>> {
    context
        .adoption
        .iter()
        .map(|a| {
            growth_table(
                a,
                context.tick,
                Some(context.spec.fixed_cost_scale_elasticity),
            )
        })
        .collect()
}

/// The builder columns pass two only reads, whole: a chunk's builder `i` is
/// row `start + i` of these.
struct BuilderTerms<'a> {
    segment: &'a [u16],
    entered_tick: &'a [u32],
    provider: &'a [u32],
    end_user_price: &'a [f64],
}

/// One chunk of the builder columns pass two writes.
struct SettlementChunk<'a> {
    alive: &'a mut [bool],
    demand_mtok: &'a mut [f64],
    fixed_cost_usd: &'a mut [f64],
    loss_streak: &'a mut [u32],
    rationed_last: &'a mut [bool],
    cash: &'a mut [f64],
    served_mtok: &'a mut [f64],
    spend_usd: &'a mut [f64],
    revenue_usd: &'a mut [f64],
    profit_usd: &'a mut [f64],
}

/// Everything every builder's settlement reads this quarter.
struct Settler<'a> {
    context: &'a SettlementContext<'a>,
    labs: usize,
    segments: usize,
    /// Each segment's growth of fixed costs by the quarter a builder entered.
    cost_growth: Vec<Vec<f64>>,
    terms: BuilderTerms<'a>,
}

impl Settler<'_> {
    /// One chunk of builders, starting at row `start`, and its totals.
    fn settle_chunk(&self, start: usize, mut chunk: SettlementChunk<'_>) -> SettlementTotals {
        let mut totals = SettlementTotals::zero(self.labs, self.segments);
        for i in 0..chunk.alive.len() {
            chunk.served_mtok[i] = 0.0;
            chunk.spend_usd[i] = 0.0;
            chunk.revenue_usd[i] = 0.0;
            chunk.profit_usd[i] = 0.0;
            if chunk.alive[i] {
                self.settle_for(start + i, i, &mut chunk, &mut totals);
            }
        }
        totals
    }

    /// One alive builder (row `row`, chunk offset `i`): served, paid, and
    /// out of business after enough losing quarters in a row.
    fn settle_for(
        &self,
        row: usize,
        i: usize,
        chunk: &mut SettlementChunk<'_>,
        totals: &mut SettlementTotals,
    ) {
        let spec = self.context.spec;
        let segment = usize::from(self.terms.segment[row]);
        chunk.demand_mtok[i] *= self
            .context
            .demand_per_weight
            .get(segment)
            .copied()
            .unwrap_or(0.0);
        let lab = self.terms.provider[row];
        let (fraction, price) = if lab == NO_PROVIDER {
            (0.0, 0.0)
        } else {
            (
                self.context.served_fraction[lab as usize],
                self.context.offers[lab as usize].price_per_mtok,
            )
        };
        let served = chunk.demand_mtok[i] * fraction;
        let spend = served * price;
        let revenue = served * self.terms.end_user_price[row];
        chunk.served_mtok[i] = served;
        chunk.spend_usd[i] = spend;
        chunk.revenue_usd[i] = revenue;
        // A builder plans its costs on the market it enters: its first
        // quarter's revenue sets them.
        if chunk.fixed_cost_usd[i] == UNSET_FIXED_COST {
            chunk.fixed_cost_usd[i] = spec.segments[segment].fixed_cost_share * revenue;
        }
        let fixed_cost = chunk.fixed_cost_usd[i] * self.cost_growth(row, segment);
        let profit = revenue - spend - fixed_cost;
        chunk.profit_usd[i] = profit;
        chunk.cash[i] += profit;
        chunk.rationed_last[i] = fraction < 1.0;
        totals.add_builder(
            segment,
            (lab != NO_PROVIDER).then_some(lab as usize),
            &BuilderQuarter {
                demand_mtok: chunk.demand_mtok[i],
                served_mtok: served,
                spend_usd: spend,
                revenue_usd: revenue,
                fixed_cost_usd: fixed_cost,
                profit_usd: profit,
            },
        );
        if profit < 0.0 {
            chunk.loss_streak[i] += 1;
        } else {
            chunk.loss_streak[i] = 0;
        }
        if chunk.loss_streak[i] >= spec.exit_after_loss_quarters {
            chunk.alive[i] = false;
            totals.exits_by_segment[segment] += 1;
        } else {
            totals.alive_by_segment[segment] += 1;
        }
    }

    /// How much a builder's operating costs have grown since it entered:
    /// with its customer base (the segment's adoption since then), less than
    /// in proportion (`fixed_cost_scale_elasticity`).
    fn cost_growth(&self, row: usize, segment: usize) -> f64 {
        let context = self.context;
        let entered = self.terms.entered_tick[row];
        table_or(&self.cost_growth[segment], entered, || {
            grown(&context.adoption[segment], entered, context.tick)
                .powf(context.spec.fixed_cost_scale_elasticity)
        })
    }
}
