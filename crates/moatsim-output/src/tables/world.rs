//! The `world` table: one row per quarter with the headline indicators.

use super::TableDef;
use super::declare::Table;

pub(crate) fn table() -> TableDef {
    let mut t = Table::new(
        "world",
        "One row per quarter with the headline indicators.",
        |f| std::slice::from_ref(&f.world),
    );
    t.f64("online_compute_h100e", |r| r.online_compute_h100e)
        .means("Compute online across labs (rented included), H100e");
    t.f64("market_fleet_h100e", |r| r.market_fleet_h100e)
        .means("Compute running across the whole market: labs' own online compute plus aggregate buyers' fleets, H100e");
    t.f64("dc_load_mw", |r| r.dc_load_mw)
        .means("Data-center power drawn by labs' sites and aggregate buyers' fleets, MW");
    t.f64("dc_energy_twh_annualised", |r| r.dc_energy_twh_annualised)
        .means("Data-center energy at this quarter's load, TWh per year");
    t.u64("stranded_gpus", |r| r.stranded_gpus)
        .means("Installed GPUs without energized power, units");
    t.f64("mean_queue_wait_quarters", |r| r.mean_queue_wait_quarters)
        .means("Mean age of waiting interconnection requests, quarters");
    t.f64("gpu_price_index", |r| r.gpu_price_index)
        .means("Ask per H100e weighted by sellable units (capacity plus inventory), tick 0 = 100");
    t.f64("power_price_avg", |r| r.power_price_avg)
        .means("Load-weighted tariff across utilities, USD per MWh");
    t.f64("inference_price_avg", |r| r.inference_price_avg)
        .means("Token-weighted price, USD per million tokens");
    t.f64("inference_price_index", |r| r.inference_price_index)
        .means("inference_price_avg with the first quarter = 100");
    t.nullable_f64("frontier_price_index", |r| r.frontier_price_index)
        .means("Price of the most capable lab, first quarter = 100");
    t.nullable_f64("fixed_capability_price_index", |r| r.fixed_capability_price_index)
        .means("Cheapest labs.fixed_capability_price (the capability the frontier had in the first quarter), first quarter = 100");
    t.f64("commodity_share", |r| r.commodity_share)
        .means("Share of tokens bought at the commodity tier this quarter");
    t.f64("commodity_capability", |r| r.commodity_capability)
        .means("Capability of the commodity tier's model: the frontier's of world.commodity_lag_quarters ago");
    t.f64("algorithmic_efficiency", |r| r.algorithmic_efficiency)
        .means("Factor by which the compute needed for a fixed capability has fallen since the first quarter");
    t.f64("serving_software_gain", |r| r.serving_software_gain)
        .means("Factor by which serving software has raised the tokens the same hardware serves for the same model since the first quarter");
    t.f64("markup_avg", |r| r.markup_avg)
        .means("Revenue-weighted lab markup over marginal cost: price / marginal cost - 1");
    t.f64("hhi", |r| r.hhi)
        .means("Herfindahl-Hirschman index of inference revenue, 0-10000");
    t.f64("leader_share", |r| r.leader_share)
        .means("Largest lab's share of inference revenue");
    t.f64("leader_capability_lead", |r| r.leader_capability_lead)
        .means("Capability of the leader minus the runner-up");
    t.f64("capital_raised", |r| r.capital_raised)
        .means("Equity raised by labs this quarter, USD");
    t.f64("capex", |r| r.capex)
        .means("Capex of labs, aggregate buyers, chipmakers and utilities this quarter, USD");
    t.f64("infra_revenue", |r| r.infra_revenue)
        .means("Revenue of the infrastructure layers: chipmakers, utilities, cloud rental, land resale, hall leases and labs, USD");
    t.f64("depreciation", |r| r.depreciation)
        .means("Depreciation of labs, aggregate buyers, chipmakers, utilities and infrastructure funds' halls, USD");
    t.f64("chip_profit", |r| r.chip_profit)
        .means("Chipmakers' operating profit, USD");
    t.f64("power_profit", |r| r.power_profit)
        .means("Utilities' profit on data-center energy, USD");
    t.f64("cloud_profit", |r| r.cloud_profit)
        .means("Cloud owners' rental profit, USD");
    t.f64("land_profit", |r| r.land_profit)
        .means("Land banks' gains on land resold, USD");
    t.f64("lease_profit", |r| r.lease_profit)
        .means("Infrastructure funds' hall leases less the halls' depreciation, USD");
    t.f64("model_profit", |r| r.model_profit)
        .means("Labs' profit, USD");
    t.f64("infra_profit", |r| r.infra_profit)
        .means("chip_profit + power_profit + cloud_profit + land_profit + lease_profit + model_profit, USD");
    t.f64("app_profit", |r| r.app_profit)
        .means("Profit of app builders this quarter: app_revenue - app_token_spend - their fixed costs, USD");
    t.f64("app_revenue", |r| r.app_revenue)
        .means("App builders' revenue from end users this quarter, USD");
    t.f64("app_token_spend", |r| r.app_token_spend)
        .means("App builders' spend on tokens (labs' api_revenue) this quarter, USD");
    t.f64("product_revenue", |r| r.product_revenue)
        .means("Labs' own products' revenue from end users this quarter, USD");
    t.f64("lost_demand_mtok", |r| r.lost_demand_mtok)
        .means("Token demand rationed away for lack of capacity, millions");
    t.f64("unserved_share", |r| r.unserved_share)
        .means("Share of the quarter's token demand the labs could not serve (1 - sum of labs.served_mtok over sum of labs.demand_mtok; 0 with no demand)");
    t.u64("builders_alive", |r| r.builders_alive)
        .means("App builders alive at the start of the quarter");
    t.f64("builder_churn_rate", |r| r.builder_churn_rate)
        .means("Share of alive builders that switched provider this quarter");
    t.build()
}
