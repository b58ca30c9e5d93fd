//! The `labs` table: one row per lab per quarter.

use super::TableDef;
use super::declare::Table;

pub(crate) fn table() -> TableDef {
    let mut t = Table::new("labs", "One row per lab per quarter.", |f| &f.labs).of_named_agents();
    t.u64("lab_id", |r| r.lab_id)
        .means("Agent id, unique across all agent kinds in the run");
    t.str("name", |r| &r.name)
        .means("Lab name from the scenario");
    t.str("kind", |r| r.kind)
        .means("frontier_lab, hyperscaler, neocloud, open_weight_lab or cn_lab");
    t.str("jurisdiction", |r| &r.jurisdiction)
        .means("Home jurisdiction (its home region's), whose regulator governs it");
    t.bool("alive", |r| r.alive)
        .means("False once the lab has exited");
    t.f64("cash", |r| r.cash)
        .means("Cash at the end of the quarter, USD");
    t.f64("valuation", |r| r.valuation)
        .means("Valuation: last post-money marked by revenue growth since, USD");
    t.f64("capability", |r| r.capability)
        .means("Capability index (grows with the log of cumulative effective training compute, breakthroughs and diffusion)");
    t.f64("effective_training_compute", |r| r.effective_training_compute)
        .means("Cumulative effective training compute: H100e-quarters of training, each weighted by its quarter's algorithmic efficiency (capability grows with its log)");
    t.f64("online_compute_h100e", |r| r.online_compute_h100e)
        .means(
            "Compute online: installed GPUs that have energized power, plus rented compute, H100e",
        );
    t.f64("rented_compute_h100e", |r| r.rented_compute_h100e)
        .means("Compute rented from clouds outside the simulation for the quarter (part of online), H100e");
    t.f64("contracted_compute_h100e", |r| r.contracted_compute_h100e)
        .means("The part of rented_compute_h100e delivered under compute contracts this quarter (0 without a [contracts] section), H100e");
    t.f64("training_compute_h100e", |r| r.training_compute_h100e)
        .means("Online compute used for training, H100e");
    t.f64("inference_compute_h100e", |r| r.inference_compute_h100e)
        .means("Online compute used for inference, H100e");
    t.u64("installed_gpus", |r| r.installed_gpus)
        .means("Accelerators installed at the lab's sites (online or stranded), units");
    t.u64("gpus_bought", |r| r.gpus_bought)
        .means("Accelerators bought this quarter, units");
    t.u64("gpus_retired", |r| r.gpus_retired)
        .means("Accelerators retired this quarter: the oldest of their generation, to make room for newer ones on the same power (fleet refresh), or at the end of their life (world.gpu_life_quarters); scrapped, units");
    t.f64("gpu_fill_ratio", |r| r.gpu_fill_ratio).means(
        "Share of its GPU order filled in its last quarter with an order (below 0.8: backlogged)",
    );
    t.u64("stranded_gpus", |r| r.stranded_gpus)
        .means("Installed accelerators without energized power, units");
    t.f64("inference_price", |r| r.inference_price)
        .means("Posted price per million tokens over the quarter's mix of tiers, USD");
    t.f64("marginal_cost", |r| r.marginal_cost)
        .means("Marginal cost of serving a million tokens, USD");
    t.f64("mtok_per_h100e", |r| r.mtok_per_h100e)
        .means("Millions of tokens one H100e serves in a quarter over the quarter's mix of tiers (algorithmic efficiency over the serving compute each tier's model costs)");
    t.f64("counted_mtok", |r| r.counted_mtok)
        .means("Tokens served as counted, context included, millions: served_mtok (compute-equivalent tokens) times the context the market's tasks carry (app_builders.task_compute_elasticity)");
    t.f64("frontier_price", |r| r.frontier_price)
        .means("Price per million tokens of its frontier model (list price times the scarcity premium), USD");
    t.f64("commodity_price", |r| r.commodity_price)
        .means("Price per million tokens at the commodity tier (cost on new capacity plus the competitive markup, times the scarcity premium), USD");
    t.nullable_f64("fixed_capability_price", |r| r.fixed_capability_price)
        .means("What the lab would charge per million tokens for a model of the first quarter's frontier capability, USD (null below it)");
    t.f64("markup", |r| r.markup)
        .means("Markup over marginal cost the lab targets: its market power (cut when capacity sits idle, raised when customers stay)");
    t.f64("scarcity_premium", |r| r.scarcity_premium)
        .means("Factor (at least 1) on the list price while demand exceeds capacity; 1 once the lab's inference market clears");
    t.f64("demand_mtok", |r| r.demand_mtok)
        .means("Tokens its customers asked for, millions");
    t.f64("served_mtok", |r| r.served_mtok)
        .means("Tokens served (demand capped by inference capacity), millions");
    t.f64("revenue", |r| r.revenue)
        .means("All revenue in the quarter: api_revenue + product_revenue, USD");
    t.f64("api_revenue", |r| r.api_revenue)
        .means("Tokens sold to app builders (the inference market), USD");
    t.f64("product_revenue", |r| r.product_revenue)
        .means("Its own products (subscriptions, enterprise seats) sold to end users in builders' segments, USD");
    t.f64("product_mtok", |r| r.product_mtok)
        .means("Tokens its own products served, millions (included in served_mtok)");
    t.f64("capex", |r| r.capex)
        .means("Spending on GPUs, licence fees, land and construction in the quarter, USD");
    t.f64("opex", |r| r.opex)
        .means("Operating costs (staff, research) in the quarter, USD");
    t.f64("rent", |r| r.rent)
        .means("Rent paid to cloud owners in the simulation in the quarter, USD");
    t.f64("power_cost", |r| r.power_cost)
        .means("Electricity bills in the quarter, USD");
    t.f64("depreciation", |r| r.depreciation)
        .means("Accelerators still running (their vintages' book cost) over world.gpu_life_quarters plus halls over world.facility_life_quarters, USD");
    t.f64("profit", |r| r.profit)
        .means("Revenue minus opex, rent, power and depreciation, USD");
    t.f64("raised", |r| r.raised)
        .means("Equity raised in the quarter, USD");
    t.f64("market_share", |r| r.market_share)
        .means("Share of all labs' inference revenue in the quarter");
    t.u64("customers", |r| r.customers)
        .means("App builders that chose the lab this quarter");
    t.f64("retention", |r| r.retention)
        .means("Share of this quarter's customers who also chose the lab last quarter");
    t.u64("projects_in_pipeline", |r| r.projects_in_pipeline)
        .means("Data-center projects not yet energized");
    t.f64("pipeline_mw", |r| r.pipeline_mw)
        .means("MW of projects not yet energized");
    t.f64("energized_mw", |r| r.energized_mw)
        .means("MW of energized sites");
    t.build()
}
