//! Pass two over the builders: bases become tokens, tokens are served at
//! each lab's served fraction, builders pay and are paid, and those that lose
//! money too long exit.

use super::{
    AppBuilderPopulation, CHUNK, LabOffer, NO_PROVIDER, SettlementTotals, UNSET_FIXED_COST, grown,
    growth_table, table_or,
};

use moatsim_config::AppBuilderSpec;
use rayon::prelude::*;

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
