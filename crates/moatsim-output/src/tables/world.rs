//! The `world` table: one row per quarter with the headline indicators.

use arrow_schema::DataType::{Float64, UInt64};

use super::{TableDef, col, f64s, nullable, opt_f64s, stamped, u64s};

pub(crate) fn table() -> TableDef {
    TableDef {
        name: "world",
        description: "One row per quarter with the headline indicators.",
        rows: |_| 1,
        columns: stamped(vec![
            col(
                "online_compute_h100e",
                Float64,
                "Compute online across labs (rented included), H100e",
                |f| f64s(std::iter::once(f.world.online_compute_h100e)),
            ),
            col(
                "market_fleet_h100e",
                Float64,
                "Compute running across the whole market: labs' own online compute plus aggregate buyers' fleets, H100e",
                |f| f64s(std::iter::once(f.world.market_fleet_h100e)),
            ),
            col(
                "dc_load_mw",
                Float64,
                "Data-center power drawn by labs' sites and aggregate buyers' fleets, MW",
                |f| f64s(std::iter::once(f.world.dc_load_mw)),
            ),
            col(
                "dc_energy_twh_annualised",
                Float64,
                "Data-center energy at this quarter's load, TWh per year",
                |f| f64s(std::iter::once(f.world.dc_energy_twh_annualised)),
            ),
            col(
                "stranded_gpus",
                UInt64,
                "Installed GPUs without energized power, units",
                |f| u64s(std::iter::once(f.world.stranded_gpus)),
            ),
            col(
                "mean_queue_wait_quarters",
                Float64,
                "Mean age of waiting interconnection requests, quarters",
                |f| f64s(std::iter::once(f.world.mean_queue_wait_quarters)),
            ),
            col(
                "gpu_price_index",
                Float64,
                "Ask per H100e weighted by sellable units (capacity plus inventory), tick 0 = 100",
                |f| f64s(std::iter::once(f.world.gpu_price_index)),
            ),
            col(
                "power_price_avg",
                Float64,
                "Load-weighted tariff across utilities, USD per MWh",
                |f| f64s(std::iter::once(f.world.power_price_avg)),
            ),
            col(
                "inference_price_avg",
                Float64,
                "Token-weighted price, USD per million tokens",
                |f| f64s(std::iter::once(f.world.inference_price_avg)),
            ),
            col(
                "inference_price_index",
                Float64,
                "inference_price_avg with the first quarter = 100",
                |f| f64s(std::iter::once(f.world.inference_price_index)),
            ),
            nullable(
                "frontier_price_index",
                Float64,
                "Price of the most capable lab, first quarter = 100",
                |f| opt_f64s(std::iter::once(f.world.frontier_price_index)),
            ),
            nullable(
                "fixed_capability_price_index",
                Float64,
                "Cheapest labs.fixed_capability_price (the capability the frontier had in the first quarter), first quarter = 100",
                |f| opt_f64s(std::iter::once(f.world.fixed_capability_price_index)),
            ),
            col(
                "algorithmic_efficiency",
                Float64,
                "Factor by which the compute needed for a fixed capability has fallen since the first quarter",
                |f| f64s(std::iter::once(f.world.algorithmic_efficiency)),
            ),
            col(
                "markup_avg",
                Float64,
                "Revenue-weighted lab markup over marginal cost: price / marginal cost - 1",
                |f| f64s(std::iter::once(f.world.markup_avg)),
            ),
            col(
                "hhi",
                Float64,
                "Herfindahl-Hirschman index of inference revenue, 0-10000",
                |f| f64s(std::iter::once(f.world.hhi)),
            ),
            col(
                "leader_share",
                Float64,
                "Largest lab's share of inference revenue",
                |f| f64s(std::iter::once(f.world.leader_share)),
            ),
            col(
                "leader_capability_lead",
                Float64,
                "Capability of the leader minus the runner-up",
                |f| f64s(std::iter::once(f.world.leader_capability_lead)),
            ),
            col(
                "capital_raised",
                Float64,
                "Equity raised by labs this quarter, USD",
                |f| f64s(std::iter::once(f.world.capital_raised)),
            ),
            col(
                "capex",
                Float64,
                "Capex of labs, aggregate buyers, chipmakers and utilities this quarter, USD",
                |f| f64s(std::iter::once(f.world.capex)),
            ),
            col(
                "infra_revenue",
                Float64,
                "Revenue of the infrastructure layers: chipmakers, utilities, cloud rental, land resale, hall leases and labs, USD",
                |f| f64s(std::iter::once(f.world.infra_revenue)),
            ),
            col(
                "depreciation",
                Float64,
                "Depreciation of labs, aggregate buyers, chipmakers, utilities and infrastructure funds' halls, USD",
                |f| f64s(std::iter::once(f.world.depreciation)),
            ),
            col(
                "chip_profit",
                Float64,
                "Chipmakers' operating profit, USD",
                |f| f64s(std::iter::once(f.world.chip_profit)),
            ),
            col(
                "power_profit",
                Float64,
                "Utilities' profit on data-center energy, USD",
                |f| f64s(std::iter::once(f.world.power_profit)),
            ),
            col(
                "cloud_profit",
                Float64,
                "Cloud owners' rental profit, USD",
                |f| f64s(std::iter::once(f.world.cloud_profit)),
            ),
            col(
                "land_profit",
                Float64,
                "Land banks' gains on land resold, USD",
                |f| f64s(std::iter::once(f.world.land_profit)),
            ),
            col(
                "lease_profit",
                Float64,
                "Infrastructure funds' hall leases less the halls' depreciation, USD",
                |f| f64s(std::iter::once(f.world.lease_profit)),
            ),
            col("model_profit", Float64, "Labs' profit, USD", |f| {
                f64s(std::iter::once(f.world.model_profit))
            }),
            col(
                "infra_profit",
                Float64,
                "chip_profit + power_profit + cloud_profit + land_profit + lease_profit + model_profit, USD",
                |f| f64s(std::iter::once(f.world.infra_profit)),
            ),
            col(
                "app_profit",
                Float64,
                "Profit of app builders this quarter: app_revenue - app_token_spend - their fixed costs, USD",
                |f| f64s(std::iter::once(f.world.app_profit)),
            ),
            col(
                "app_revenue",
                Float64,
                "App builders' revenue from end users this quarter, USD",
                |f| f64s(std::iter::once(f.world.app_revenue)),
            ),
            col(
                "app_token_spend",
                Float64,
                "App builders' spend on tokens (labs' api_revenue) this quarter, USD",
                |f| f64s(std::iter::once(f.world.app_token_spend)),
            ),
            col(
                "product_revenue",
                Float64,
                "Labs' own products' revenue from end users this quarter, USD",
                |f| f64s(std::iter::once(f.world.product_revenue)),
            ),
            col(
                "lost_demand_mtok",
                Float64,
                "Token demand rationed away for lack of capacity, millions",
                |f| f64s(std::iter::once(f.world.lost_demand_mtok)),
            ),
            col(
                "unserved_share",
                Float64,
                "Share of the quarter's token demand the labs could not serve (1 - sum of labs.served_mtok over sum of labs.demand_mtok; 0 with no demand)",
                |f| f64s(std::iter::once(f.world.unserved_share)),
            ),
            col(
                "builders_alive",
                UInt64,
                "App builders alive at the start of the quarter",
                |f| u64s(std::iter::once(f.world.builders_alive)),
            ),
            col(
                "builder_churn_rate",
                Float64,
                "Share of alive builders that switched provider this quarter",
                |f| f64s(std::iter::once(f.world.builder_churn_rate)),
            ),
        ]),
    }
}
