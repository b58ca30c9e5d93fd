//! The `app_builders` and `app_builder_segments` tables: the builders'
//! columns as the output mode asks, and each segment summed over the whole
//! population in chunk order.

use moatsim_config::BuilderOutput;
use moatsim_model::AgentId;
use moatsim_model::rng::{self, Purpose};
use rayon::prelude::*;

use crate::apps::{AppBuilderPopulation, CHUNK, NO_PROVIDER};
use crate::records::{AppBuilderColumns, SegmentRow};

/// Rows for the builders alive at the start of the quarter (those that exited
/// this quarter appear once more, with `alive = false`), as the scenario's
/// output mode asks: all of them, a fixed id-hashed sample, or none.
pub(super) fn builder_columns(
    population: &AppBuilderPopulation,
    mode: BuilderOutput,
    seed: u64,
) -> AppBuilderColumns {
    let keep = |i: usize| match mode {
        BuilderOutput::Full => true,
        BuilderOutput::Sampled { share } => {
            rng::unit_hash(seed, Purpose::OutputSample, AgentId(population.id[i]), 0) < share
        }
        BuilderOutput::Segments => false,
    };
    let rows: Vec<usize> = (0..population.len())
        .filter(|&i| population.alive_at_start[i] && keep(i))
        .collect();
    // Column by column, each gathered at its final size, and the columns
    // in parallel: the frame holds a copy of every written builder while the
    // writer encodes the previous quarter.
    let gather = |column: &[f64]| -> Vec<f64> { rows.iter().map(|&i| column[i]).collect() };
    let mut columns = AppBuilderColumns::default();
    rayon::scope(|scope| {
        let AppBuilderColumns {
            builder_id,
            segment,
            provider_lab_id,
            demand_tokens,
            tokens,
            spend,
            revenue,
            profit,
            switching_cost,
            tenure_quarters,
            alive,
        } = &mut columns;
        let rows = &rows;
        scope.spawn(move |_| {
            *builder_id = rows.iter().map(|&i| population.id[i]).collect();
            *segment = rows.iter().map(|&i| population.segment[i]).collect();
            // Lab ids are 1-based in scenario order, so lab index i has id i + 1.
            *provider_lab_id = rows
                .iter()
                .map(|&i| {
                    let provider = population.provider[i];
                    (provider != NO_PROVIDER).then(|| u64::from(provider) + 1)
                })
                .collect();
            *tenure_quarters = rows.iter().map(|&i| population.tenure[i]).collect();
            *alive = rows.iter().map(|&i| population.alive[i]).collect();
        });
        scope.spawn(move |_| *demand_tokens = gather(&population.demand_mtok));
        scope.spawn(move |_| *tokens = gather(&population.served_mtok));
        scope.spawn(move |_| *spend = gather(&population.spend_usd));
        scope.spawn(move |_| *revenue = gather(&population.revenue_usd));
        scope.spawn(move |_| *profit = gather(&population.profit_usd));
        scope.spawn(move |_| *switching_cost = gather(&population.switching_cost));
    });
    columns
}

/// One chunk's sums for one segment.
#[derive(Debug, Clone, Copy, Default)]
struct SegmentSums {
    builders: u64,
    exits: u64,
    demand_tokens: f64,
    tokens: f64,
    spend: f64,
    revenue: f64,
    profit: f64,
    switching_cost: f64,
}

/// One row per segment: the whole population summed, whatever the output mode.
pub(super) fn segment_rows(population: &AppBuilderPopulation, names: &[String]) -> Vec<SegmentRow> {
    let mut rows: Vec<SegmentRow> = names
        .iter()
        .map(|name| SegmentRow {
            segment: name.clone(),
            ..SegmentRow::default()
        })
        .collect();
    // Summed over the population's fixed chunks, then chunk by chunk in
    // order, so the sums do not depend on the thread count.
    let partials: Vec<Vec<SegmentSums>> = population
        .alive_at_start
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(chunk, started)| {
            let mut sums = vec![SegmentSums::default(); names.len()];
            for (offset, _) in started.iter().enumerate().filter(|(_, started)| **started) {
                let i = chunk * CHUNK + offset;
                let Some(sum) = sums.get_mut(usize::from(population.segment[i])) else {
                    continue;
                };
                sum.builders += 1;
                sum.exits += u64::from(!population.alive[i]);
                sum.demand_tokens += population.demand_mtok[i];
                sum.tokens += population.served_mtok[i];
                sum.spend += population.spend_usd[i];
                sum.revenue += population.revenue_usd[i];
                sum.profit += population.profit_usd[i];
                sum.switching_cost += population.switching_cost[i];
            }
            sums
        })
        .collect();
    for sums in &partials {
        for (row, sum) in rows.iter_mut().zip(sums) {
            row.builders += sum.builders;
            row.exits += sum.exits;
            row.demand_tokens += sum.demand_tokens;
            row.tokens += sum.tokens;
            row.spend += sum.spend;
            row.revenue += sum.revenue;
            row.profit += sum.profit;
            row.switching_cost_sum += sum.switching_cost;
        }
    }
    for (row, state) in rows.iter_mut().zip(&population.segments) {
        row.end_user_price = state.end_user_price;
        row.end_user_demand = state.demand_mtok;
        row.product_share = state.product_share;
        row.adopters = state.adopters;
        row.entrants = state.entrants;
        row.fixed_costs = row.revenue - row.spend - row.profit;
    }
    for product in &population.products {
        if let Some(row) = rows.get_mut(product.segment) {
            row.product_revenue += product.revenue_usd;
        }
    }
    rows
}
