//! The `labs` table: one row per lab per quarter.

use arrow_schema::DataType::{Boolean, Float64, UInt64, Utf8};

use super::{TableDef, bools, col, f64s, nullable, opt_f64s, stamped, strings, u64s};

pub(crate) fn table() -> TableDef {
    TableDef {
        name: "labs",
        description: "One row per lab per quarter.",
        rows: |f| f.labs.len(),
        columns: stamped(vec![
            col(
                "lab_id",
                UInt64,
                "Agent id, unique across all agent kinds in the run",
                |f| u64s(f.labs.iter().map(|x| x.lab_id)),
            ),
            col("name", Utf8, "Lab name from the scenario", |f| {
                strings(f.labs.iter().map(|x| x.name.as_str()))
            }),
            col(
                "kind",
                Utf8,
                "frontier_lab, hyperscaler, neocloud, open_weight_lab or cn_lab",
                |f| strings(f.labs.iter().map(|x| x.kind)),
            ),
            col(
                "jurisdiction",
                Utf8,
                "Home jurisdiction (its home region's), whose regulator governs it",
                |f| strings(f.labs.iter().map(|x| x.jurisdiction.as_str())),
            ),
            col("alive", Boolean, "False once the lab has exited", |f| {
                bools(f.labs.iter().map(|x| x.alive))
            }),
            col(
                "cash",
                Float64,
                "Cash at the end of the quarter, USD",
                |f| f64s(f.labs.iter().map(|x| x.cash)),
            ),
            col(
                "valuation",
                Float64,
                "Valuation: last post-money marked by revenue growth since, USD",
                |f| f64s(f.labs.iter().map(|x| x.valuation)),
            ),
            col(
                "capability",
                Float64,
                "Capability index (grows with the log of cumulative effective training compute, breakthroughs and diffusion)",
                |f| f64s(f.labs.iter().map(|x| x.capability)),
            ),
            col(
                "effective_training_compute",
                Float64,
                "Cumulative effective training compute: H100e-quarters of training, each weighted by its quarter's algorithmic efficiency (capability grows with its log)",
                |f| f64s(f.labs.iter().map(|x| x.effective_training_compute)),
            ),
            col(
                "online_compute_h100e",
                Float64,
                "Compute online: installed GPUs that have energized power, plus rented compute, H100e",
                |f| f64s(f.labs.iter().map(|x| x.online_compute_h100e)),
            ),
            col(
                "rented_compute_h100e",
                Float64,
                "Compute rented from clouds outside the simulation for the quarter (part of online), H100e",
                |f| f64s(f.labs.iter().map(|x| x.rented_compute_h100e)),
            ),
            col(
                "training_compute_h100e",
                Float64,
                "Online compute used for training, H100e",
                |f| f64s(f.labs.iter().map(|x| x.training_compute_h100e)),
            ),
            col(
                "inference_compute_h100e",
                Float64,
                "Online compute used for inference, H100e",
                |f| f64s(f.labs.iter().map(|x| x.inference_compute_h100e)),
            ),
            col(
                "installed_gpus",
                UInt64,
                "Accelerators installed at the lab's sites (online or stranded), units",
                |f| u64s(f.labs.iter().map(|x| x.installed_gpus)),
            ),
            col(
                "gpus_bought",
                UInt64,
                "Accelerators bought this quarter, units",
                |f| u64s(f.labs.iter().map(|x| x.gpus_bought)),
            ),
            col(
                "gpus_retired",
                UInt64,
                "Accelerators retired this quarter to make room for newer ones on the same power (fleet refresh; scrapped), units",
                |f| u64s(f.labs.iter().map(|x| x.gpus_retired)),
            ),
            col(
                "gpu_fill_ratio",
                Float64,
                "Share of its GPU order filled in its last quarter with an order (below 0.8: backlogged)",
                |f| f64s(f.labs.iter().map(|x| x.gpu_fill_ratio)),
            ),
            col(
                "stranded_gpus",
                UInt64,
                "Installed accelerators without energized power, units",
                |f| u64s(f.labs.iter().map(|x| x.stranded_gpus)),
            ),
            col(
                "inference_price",
                Float64,
                "Posted price per million tokens, USD",
                |f| f64s(f.labs.iter().map(|x| x.inference_price)),
            ),
            col(
                "marginal_cost",
                Float64,
                "Marginal cost of serving a million tokens, USD",
                |f| f64s(f.labs.iter().map(|x| x.marginal_cost)),
            ),
            col(
                "mtok_per_h100e",
                Float64,
                "Millions of tokens one H100e serves in a quarter for the lab's current model (algorithmic efficiency over the serving compute its capability costs)",
                |f| f64s(f.labs.iter().map(|x| x.mtok_per_h100e)),
            ),
            nullable(
                "fixed_capability_price",
                Float64,
                "What the lab would charge per million tokens for a model of the first quarter's frontier capability, USD (null below it)",
                |f| opt_f64s(f.labs.iter().map(|x| x.fixed_capability_price)),
            ),
            col(
                "markup",
                Float64,
                "Markup over marginal cost the lab targets: its market power (cut when capacity sits idle, raised when customers stay)",
                |f| f64s(f.labs.iter().map(|x| x.markup)),
            ),
            col(
                "scarcity_premium",
                Float64,
                "Factor (at least 1) on the list price while demand exceeds capacity; 1 once the lab's inference market clears",
                |f| f64s(f.labs.iter().map(|x| x.scarcity_premium)),
            ),
            col(
                "demand_mtok",
                Float64,
                "Tokens its customers asked for, millions",
                |f| f64s(f.labs.iter().map(|x| x.demand_mtok)),
            ),
            col(
                "served_mtok",
                Float64,
                "Tokens served (demand capped by inference capacity), millions",
                |f| f64s(f.labs.iter().map(|x| x.served_mtok)),
            ),
            col(
                "revenue",
                Float64,
                "All revenue in the quarter: api_revenue + product_revenue, USD",
                |f| f64s(f.labs.iter().map(|x| x.revenue)),
            ),
            col(
                "api_revenue",
                Float64,
                "Tokens sold to app builders (the inference market), USD",
                |f| f64s(f.labs.iter().map(|x| x.api_revenue)),
            ),
            col(
                "product_revenue",
                Float64,
                "Its own products (subscriptions, enterprise seats) sold to end users in builders' segments, USD",
                |f| f64s(f.labs.iter().map(|x| x.product_revenue)),
            ),
            col(
                "product_mtok",
                Float64,
                "Tokens its own products served, millions (included in served_mtok)",
                |f| f64s(f.labs.iter().map(|x| x.product_mtok)),
            ),
            col(
                "capex",
                Float64,
                "Spending on GPUs, licence fees, land and construction in the quarter, USD",
                |f| f64s(f.labs.iter().map(|x| x.capex)),
            ),
            col(
                "opex",
                Float64,
                "Operating costs (staff, research) in the quarter, USD",
                |f| f64s(f.labs.iter().map(|x| x.opex)),
            ),
            col(
                "rent",
                Float64,
                "Rent paid to cloud owners in the simulation in the quarter, USD",
                |f| f64s(f.labs.iter().map(|x| x.rent)),
            ),
            col(
                "power_cost",
                Float64,
                "Electricity bills in the quarter, USD",
                |f| f64s(f.labs.iter().map(|x| x.power_cost)),
            ),
            col(
                "depreciation",
                Float64,
                "Accelerators over world.gpu_life_quarters plus halls over world.facility_life_quarters, USD",
                |f| f64s(f.labs.iter().map(|x| x.depreciation)),
            ),
            col(
                "profit",
                Float64,
                "Revenue minus opex, rent, power and depreciation, USD",
                |f| f64s(f.labs.iter().map(|x| x.profit)),
            ),
            col(
                "raised",
                Float64,
                "Equity raised in the quarter, USD",
                |f| f64s(f.labs.iter().map(|x| x.raised)),
            ),
            col(
                "market_share",
                Float64,
                "Share of all labs' inference revenue in the quarter",
                |f| f64s(f.labs.iter().map(|x| x.market_share)),
            ),
            col(
                "customers",
                UInt64,
                "App builders that chose the lab this quarter",
                |f| u64s(f.labs.iter().map(|x| x.customers)),
            ),
            col(
                "retention",
                Float64,
                "Share of this quarter's customers who also chose the lab last quarter",
                |f| f64s(f.labs.iter().map(|x| x.retention)),
            ),
            col(
                "projects_in_pipeline",
                UInt64,
                "Data-center projects not yet energized",
                |f| u64s(f.labs.iter().map(|x| x.projects_in_pipeline)),
            ),
            col(
                "pipeline_mw",
                Float64,
                "MW of projects not yet energized",
                |f| f64s(f.labs.iter().map(|x| x.pipeline_mw)),
            ),
            col("energized_mw", Float64, "MW of energized sites", |f| {
                f64s(f.labs.iter().map(|x| x.energized_mw))
            }),
        ]),
    }
}
