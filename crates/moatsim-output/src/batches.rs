//! Turns one quarter's [`TickFrame`] into one record batch per table.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int32Array, RecordBatch, StringArray, UInt8Array,
    UInt32Array, UInt64Array,
};
use moatsim_engine::{Stamp, TickFrame};

use crate::schema::TableDef;

fn f64s(values: impl Iterator<Item = f64>) -> ArrayRef {
    Arc::new(Float64Array::from_iter_values(values))
}

fn opt_f64s(values: impl Iterator<Item = Option<f64>>) -> ArrayRef {
    Arc::new(values.collect::<Float64Array>())
}

fn u64s(values: impl Iterator<Item = u64>) -> ArrayRef {
    Arc::new(UInt64Array::from_iter_values(values))
}

fn opt_u64s(values: impl Iterator<Item = Option<u64>>) -> ArrayRef {
    Arc::new(values.collect::<UInt64Array>())
}

fn u32s(values: impl Iterator<Item = u32>) -> ArrayRef {
    Arc::new(UInt32Array::from_iter_values(values))
}

fn strings<'a>(values: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(values.map(Some).collect::<StringArray>())
}

fn opt_strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.collect::<StringArray>())
}

fn bools(values: impl Iterator<Item = bool>) -> ArrayRef {
    Arc::new(values.map(Some).collect::<BooleanArray>())
}

/// The `tick`, `year` and `quarter` columns for `rows` rows.
fn stamp_columns(stamp: Stamp, rows: usize) -> Vec<ArrayRef> {
    vec![
        Arc::new(UInt32Array::from(vec![stamp.tick; rows])),
        Arc::new(Int32Array::from(vec![stamp.year; rows])),
        Arc::new(UInt8Array::from(vec![stamp.quarter; rows])),
    ]
}

/// The batch of `table` for this frame.
pub fn batch_for(
    table: &TableDef,
    frame: &TickFrame,
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let stamp = frame.stamp;
    let (rows, mut columns): (usize, Vec<ArrayRef>) = match table.name {
        "labs" => {
            let r = &frame.labs;
            (
                r.len(),
                vec![
                    u64s(r.iter().map(|x| x.lab_id)),
                    strings(r.iter().map(|x| x.name.as_str())),
                    strings(r.iter().map(|x| x.kind)),
                    strings(r.iter().map(|x| x.jurisdiction.as_str())),
                    bools(r.iter().map(|x| x.alive)),
                    f64s(r.iter().map(|x| x.cash)),
                    f64s(r.iter().map(|x| x.valuation)),
                    f64s(r.iter().map(|x| x.capability)),
                    f64s(r.iter().map(|x| x.effective_training_compute)),
                    f64s(r.iter().map(|x| x.online_compute_h100e)),
                    f64s(r.iter().map(|x| x.rented_compute_h100e)),
                    f64s(r.iter().map(|x| x.training_compute_h100e)),
                    f64s(r.iter().map(|x| x.inference_compute_h100e)),
                    u64s(r.iter().map(|x| x.installed_gpus)),
                    u64s(r.iter().map(|x| x.gpus_bought)),
                    u64s(r.iter().map(|x| x.gpus_retired)),
                    f64s(r.iter().map(|x| x.gpu_fill_ratio)),
                    u64s(r.iter().map(|x| x.stranded_gpus)),
                    f64s(r.iter().map(|x| x.inference_price)),
                    f64s(r.iter().map(|x| x.marginal_cost)),
                    f64s(r.iter().map(|x| x.mtok_per_h100e)),
                    opt_f64s(r.iter().map(|x| x.fixed_capability_price)),
                    f64s(r.iter().map(|x| x.markup)),
                    f64s(r.iter().map(|x| x.scarcity_premium)),
                    f64s(r.iter().map(|x| x.demand_mtok)),
                    f64s(r.iter().map(|x| x.served_mtok)),
                    f64s(r.iter().map(|x| x.revenue)),
                    f64s(r.iter().map(|x| x.api_revenue)),
                    f64s(r.iter().map(|x| x.product_revenue)),
                    f64s(r.iter().map(|x| x.product_mtok)),
                    f64s(r.iter().map(|x| x.capex)),
                    f64s(r.iter().map(|x| x.opex)),
                    f64s(r.iter().map(|x| x.rent)),
                    f64s(r.iter().map(|x| x.power_cost)),
                    f64s(r.iter().map(|x| x.depreciation)),
                    f64s(r.iter().map(|x| x.profit)),
                    f64s(r.iter().map(|x| x.raised)),
                    f64s(r.iter().map(|x| x.market_share)),
                    u64s(r.iter().map(|x| x.customers)),
                    f64s(r.iter().map(|x| x.retention)),
                    u64s(r.iter().map(|x| x.projects_in_pipeline)),
                    f64s(r.iter().map(|x| x.pipeline_mw)),
                    f64s(r.iter().map(|x| x.energized_mw)),
                ],
            )
        }
        "accelerator_buyers" => {
            let r = &frame.accelerator_buyers;
            (
                r.len(),
                vec![
                    u64s(r.iter().map(|x| x.buyer_id)),
                    strings(r.iter().map(|x| x.name.as_str())),
                    strings(r.iter().map(|x| x.kind)),
                    strings(r.iter().map(|x| x.region.as_str())),
                    f64s(r.iter().map(|x| x.fleet_h100e)),
                    f64s(r.iter().map(|x| x.load_mw)),
                    f64s(r.iter().map(|x| x.wanted_h100e)),
                    f64s(r.iter().map(|x| x.ordered_h100e)),
                    f64s(r.iter().map(|x| x.bought_h100e)),
                    u64s(r.iter().map(|x| x.units_bought)),
                    f64s(r.iter().map(|x| x.spend)),
                    f64s(r.iter().map(|x| x.capex)),
                    f64s(r.iter().map(|x| x.power_cost)),
                    f64s(r.iter().map(|x| x.depreciation)),
                    f64s(r.iter().map(|x| x.rental_fleet_h100e)),
                    f64s(r.iter().map(|x| x.rental_cost_per_h100e_hour)),
                    f64s(r.iter().map(|x| x.rented_out_h100e)),
                    f64s(r.iter().map(|x| x.rental_revenue)),
                    f64s(r.iter().map(|x| x.rental_profit)),
                    bools(r.iter().map(|x| x.power_limited)),
                    f64s(r.iter().map(|x| x.power_queued_mw)),
                    f64s(r.iter().map(|x| x.power_reserved_mw)),
                    f64s(r.iter().map(|x| x.load_elsewhere_mw)),
                ],
            )
        }
        "investors" => {
            let r = &frame.investors;
            (
                r.len(),
                vec![
                    u64s(r.iter().map(|x| x.investor_id)),
                    strings(r.iter().map(|x| x.name.as_str())),
                    strings(r.iter().map(|x| x.kind)),
                    f64s(r.iter().map(|x| x.dry_powder)),
                    f64s(r.iter().map(|x| x.invested)),
                    f64s(r.iter().map(|x| x.invested_total)),
                    f64s(r.iter().map(|x| x.portfolio_value)),
                    u64s(r.iter().map(|x| x.holdings)),
                    f64s(r.iter().map(|x| x.powered_land_acres)),
                    f64s(r.iter().map(|x| x.land_acres)),
                    f64s(r.iter().map(|x| x.land_value)),
                    f64s(r.iter().map(|x| x.land_sales)),
                    f64s(r.iter().map(|x| x.land_gain)),
                    f64s(r.iter().map(|x| x.financed_halls)),
                    f64s(r.iter().map(|x| x.lease_income)),
                    f64s(r.iter().map(|x| x.lease_profit)),
                ],
            )
        }
        "chipmakers" => {
            let r = &frame.chipmakers;
            (
                r.len(),
                vec![
                    u64s(r.iter().map(|x| x.chipmaker_id)),
                    strings(r.iter().map(|x| x.name.as_str())),
                    f64s(r.iter().map(|x| x.cash)),
                    f64s(r.iter().map(|x| x.packaging_wafers)),
                    u64s(r.iter().map(|x| x.capacity_units)),
                    u64s(r.iter().map(|x| x.produced_units)),
                    u64s(r.iter().map(|x| x.units_sold)),
                    u64s(r.iter().map(|x| x.inventory_units)),
                    u64s(r.iter().map(|x| x.backlog_units)),
                    opt_f64s(r.iter().map(|x| x.asp)),
                    f64s(r.iter().map(|x| x.revenue)),
                    opt_f64s(r.iter().map(|x| x.gross_margin)),
                    f64s(r.iter().map(|x| x.production_cost)),
                    f64s(r.iter().map(|x| x.expansion_spend)),
                    f64s(r.iter().map(|x| x.depreciation)),
                    f64s(r.iter().map(|x| x.operating_profit)),
                ],
            )
        }
        "utilities" => {
            let r = &frame.utilities;
            (
                r.len(),
                vec![
                    u64s(r.iter().map(|x| x.utility_id)),
                    strings(r.iter().map(|x| x.name.as_str())),
                    strings(r.iter().map(|x| x.region.as_str())),
                    f64s(r.iter().map(|x| x.cash)),
                    f64s(r.iter().map(|x| x.generation_mw)),
                    f64s(r.iter().map(|x| x.committed_mw)),
                    f64s(r.iter().map(|x| x.powered_reserved_mw)),
                    f64s(r.iter().map(|x| x.dc_contracted_mw)),
                    opt_f64s(r.iter().map(|x| x.reserve_margin)),
                    f64s(r.iter().map(|x| x.tariff)),
                    u64s(r.iter().map(|x| x.queue_requests)),
                    f64s(r.iter().map(|x| x.queue_mw)),
                    f64s(r.iter().map(|x| x.mean_queue_wait_quarters)),
                    f64s(r.iter().map(|x| x.granted_mw)),
                    u64s(r.iter().map(|x| x.granted_requests)),
                    f64s(r.iter().map(|x| x.mean_wait_of_granted_quarters)),
                    f64s(r.iter().map(|x| x.under_construction_mw)),
                    f64s(r.iter().map(|x| x.builds_started_mw)),
                    f64s(r.iter().map(|x| x.energy_sold_mwh)),
                    f64s(r.iter().map(|x| x.revenue)),
                    f64s(r.iter().map(|x| x.depreciation)),
                    f64s(r.iter().map(|x| x.profit)),
                ],
            )
        }
        "regulators" => {
            let r = &frame.regulators;
            (
                r.len(),
                vec![
                    u64s(r.iter().map(|x| x.regulator_id)),
                    strings(r.iter().map(|x| x.name.as_str())),
                    strings(r.iter().map(|x| x.jurisdiction.as_str())),
                    f64s(r.iter().map(|x| x.cash)),
                    u32s(r.iter().map(|x| x.permit_delay_quarters)),
                    u64s(r.iter().map(|x| x.permits_pending)),
                    u64s(r.iter().map(|x| x.permits_granted)),
                    f64s(r.iter().map(|x| x.licence_fees)),
                    u64s(r.iter().map(|x| x.blocked_gpu_units)),
                    f64s(r.iter().map(|x| x.hhi_observed)),
                    bools(r.iter().map(|x| x.antitrust_review)),
                ],
            )
        }
        "projects" => {
            let r = &frame.projects;
            (
                r.len(),
                vec![
                    u64s(r.iter().map(|x| x.project_id)),
                    u64s(r.iter().map(|x| x.lab_id)),
                    strings(r.iter().map(|x| x.region.as_str())),
                    strings(r.iter().map(|x| x.stage)),
                    f64s(r.iter().map(|x| x.mw)),
                    f64s(r.iter().map(|x| x.acres_held)),
                    f64s(r.iter().map(|x| x.powered_acres)),
                    u32s(r.iter().map(|x| x.started_tick)),
                    Arc::new(
                        r.iter()
                            .map(|x| x.stage_ready_tick)
                            .collect::<UInt32Array>(),
                    ),
                    Arc::new(
                        r.iter()
                            .map(|x| x.construction_quarters)
                            .collect::<UInt32Array>(),
                    ),
                    f64s(r.iter().map(|x| x.construction_paid)),
                    u64s(r.iter().map(|x| x.gpus_installed)),
                    u64s(r.iter().map(|x| x.gpus_online)),
                    u64s(r.iter().map(|x| x.gpus_stranded)),
                    f64s(r.iter().map(|x| x.online_compute_h100e)),
                    f64s(r.iter().map(|x| x.load_mw)),
                ],
            )
        }
        "app_builders" => {
            let b = &frame.app_builders;
            let names = &frame.segment_names;
            (
                b.len(),
                vec![
                    Arc::new(UInt64Array::from(b.builder_id.clone())) as ArrayRef,
                    strings(b.segment.iter().map(|&s| names[usize::from(s)].as_str())),
                    opt_u64s(b.provider_lab_id.iter().copied()),
                    Arc::new(Float64Array::from(b.demand_tokens.clone())),
                    Arc::new(Float64Array::from(b.tokens.clone())),
                    Arc::new(Float64Array::from(b.spend.clone())),
                    Arc::new(Float64Array::from(b.revenue.clone())),
                    Arc::new(Float64Array::from(b.profit.clone())),
                    Arc::new(Float64Array::from(b.switching_cost.clone())),
                    Arc::new(UInt32Array::from(b.tenure_quarters.clone())),
                    bools(b.alive.iter().copied()),
                ],
            )
        }
        "app_builder_segments" => {
            let r = &frame.app_builder_segments;
            (
                r.len(),
                vec![
                    strings(r.iter().map(|x| x.segment.as_str())),
                    u64s(r.iter().map(|x| x.builders)),
                    u64s(r.iter().map(|x| x.exits)),
                    f64s(r.iter().map(|x| x.demand_tokens)),
                    f64s(r.iter().map(|x| x.tokens)),
                    f64s(r.iter().map(|x| x.spend)),
                    f64s(r.iter().map(|x| x.revenue)),
                    f64s(r.iter().map(|x| x.profit)),
                    f64s(r.iter().map(|x| {
                        if x.builders > 0 {
                            x.switching_cost_sum / x.builders as f64
                        } else {
                            0.0
                        }
                    })),
                    f64s(r.iter().map(|x| x.fixed_costs)),
                    f64s(r.iter().map(|x| x.end_user_price)),
                    f64s(r.iter().map(|x| x.end_user_demand)),
                    f64s(r.iter().map(|x| x.product_share)),
                    f64s(r.iter().map(|x| x.product_revenue)),
                    u64s(r.iter().map(|x| x.entrants)),
                ],
            )
        }
        "markets" => {
            let r = &frame.markets;
            (
                r.len(),
                vec![
                    strings(r.iter().map(|x| x.market)),
                    opt_strings(r.iter().map(|x| x.region.as_deref())),
                    opt_strings(r.iter().map(|x| x.item.as_deref())),
                    f64s(r.iter().map(|x| x.supply)),
                    f64s(r.iter().map(|x| x.demand)),
                    f64s(r.iter().map(|x| x.cleared)),
                    opt_f64s(r.iter().map(|x| x.price)),
                ],
            )
        }
        "world" => {
            let w = &frame.world;
            (
                1,
                vec![
                    f64s(std::iter::once(w.online_compute_h100e)),
                    f64s(std::iter::once(w.market_fleet_h100e)),
                    f64s(std::iter::once(w.dc_load_mw)),
                    f64s(std::iter::once(w.dc_energy_twh_annualised)),
                    u64s(std::iter::once(w.stranded_gpus)),
                    f64s(std::iter::once(w.mean_queue_wait_quarters)),
                    f64s(std::iter::once(w.gpu_price_index)),
                    f64s(std::iter::once(w.power_price_avg)),
                    f64s(std::iter::once(w.inference_price_avg)),
                    f64s(std::iter::once(w.inference_price_index)),
                    opt_f64s(std::iter::once(w.frontier_price_index)),
                    opt_f64s(std::iter::once(w.fixed_capability_price_index)),
                    f64s(std::iter::once(w.algorithmic_efficiency)),
                    f64s(std::iter::once(w.markup_avg)),
                    f64s(std::iter::once(w.hhi)),
                    f64s(std::iter::once(w.leader_share)),
                    f64s(std::iter::once(w.leader_capability_lead)),
                    f64s(std::iter::once(w.capital_raised)),
                    f64s(std::iter::once(w.capex)),
                    f64s(std::iter::once(w.infra_revenue)),
                    f64s(std::iter::once(w.depreciation)),
                    f64s(std::iter::once(w.chip_profit)),
                    f64s(std::iter::once(w.power_profit)),
                    f64s(std::iter::once(w.cloud_profit)),
                    f64s(std::iter::once(w.land_profit)),
                    f64s(std::iter::once(w.lease_profit)),
                    f64s(std::iter::once(w.model_profit)),
                    f64s(std::iter::once(w.infra_profit)),
                    f64s(std::iter::once(w.app_profit)),
                    f64s(std::iter::once(w.app_revenue)),
                    f64s(std::iter::once(w.app_token_spend)),
                    f64s(std::iter::once(w.product_revenue)),
                    f64s(std::iter::once(w.lost_demand_mtok)),
                    f64s(std::iter::once(w.unserved_share)),
                    u64s(std::iter::once(w.builders_alive)),
                    f64s(std::iter::once(w.builder_churn_rate)),
                ],
            )
        }
        "events" => {
            let r = &frame.events;
            (
                r.len(),
                vec![
                    strings(r.iter().map(|x| x.kind)),
                    opt_u64s(r.iter().map(|x| x.agent_id)),
                    opt_u64s(r.iter().map(|x| x.counterparty_id)),
                    opt_strings(r.iter().map(|x| x.region.as_deref())),
                    f64s(r.iter().map(|x| x.amount_usd)),
                    opt_f64s(r.iter().map(|x| x.quantity)),
                    strings(r.iter().map(|x| x.detail.as_str())),
                ],
            )
        }
        other => {
            return Err(arrow_schema::ArrowError::InvalidArgumentError(format!(
                "unknown table {other}"
            )));
        }
    };
    let mut all = stamp_columns(stamp, rows);
    all.append(&mut columns);
    RecordBatch::try_new(table.schema(), all)
}
