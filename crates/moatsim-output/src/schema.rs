//! The output tables: names, columns, types and meanings.
//!
//! This list is the single source of truth: Arrow schemas are built from it,
//! `moatsim schema` prints it, and every record batch is checked against it.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema};

/// Bumped whenever a table or column changes meaning, is added or is removed.
pub const SCHEMA_VERSION: u32 = 13;

#[derive(Debug, Clone)]
pub struct ColumnDef {
    pub name: &'static str,
    pub data_type: DataType,
    pub nullable: bool,
    pub description: &'static str,
}

#[derive(Debug, Clone)]
pub struct TableDef {
    pub name: &'static str,
    pub description: &'static str,
    pub columns: Vec<ColumnDef>,
}

impl TableDef {
    pub fn schema(&self) -> Arc<Schema> {
        Arc::new(Schema::new(
            self.columns
                .iter()
                .map(|c| Field::new(c.name, c.data_type.clone(), c.nullable))
                .collect::<Vec<_>>(),
        ))
    }
}

fn col(name: &'static str, data_type: DataType, description: &'static str) -> ColumnDef {
    ColumnDef {
        name,
        data_type,
        nullable: false,
        description,
    }
}

fn nullable(name: &'static str, data_type: DataType, description: &'static str) -> ColumnDef {
    ColumnDef {
        name,
        data_type,
        nullable: true,
        description,
    }
}

use DataType::{Boolean, Float64, Int32, UInt8, UInt32, UInt64, Utf8};

fn stamped(mut columns: Vec<ColumnDef>) -> Vec<ColumnDef> {
    let mut all = vec![
        col(
            "tick",
            UInt32,
            "Quarter index from 0 at the scenario's start",
        ),
        col("year", Int32, "Calendar year of the quarter"),
        col("quarter", UInt8, "Calendar quarter, 1 to 4"),
    ];
    all.append(&mut columns);
    all
}

/// Every table moatsim writes, in the order they are listed by `moatsim schema`.
pub fn tables() -> Vec<TableDef> {
    vec![
        TableDef {
            name: "labs",
            description: "One row per lab per quarter.",
            columns: stamped(vec![
                col(
                    "lab_id",
                    UInt64,
                    "Agent id, unique across all agent kinds in the run",
                ),
                col("name", Utf8, "Lab name from the scenario"),
                col(
                    "kind",
                    Utf8,
                    "frontier_lab, hyperscaler, neocloud, open_weight_lab or cn_lab",
                ),
                col(
                    "jurisdiction",
                    Utf8,
                    "Home jurisdiction (its home region's), whose regulator governs it",
                ),
                col("alive", Boolean, "False once the lab has exited"),
                col("cash", Float64, "Cash at the end of the quarter, USD"),
                col(
                    "valuation",
                    Float64,
                    "Valuation: last post-money marked by revenue growth since, USD",
                ),
                col(
                    "capability",
                    Float64,
                    "Capability index (grows with the log of cumulative effective training compute, breakthroughs and diffusion)",
                ),
                col(
                    "effective_training_compute",
                    Float64,
                    "Cumulative effective training compute: H100e-quarters of training, each weighted by its quarter's algorithmic efficiency (capability grows with its log)",
                ),
                col(
                    "online_compute_h100e",
                    Float64,
                    "Compute online: installed GPUs that have energized power, plus rented compute, H100e",
                ),
                col(
                    "rented_compute_h100e",
                    Float64,
                    "Compute rented from clouds outside the simulation for the quarter (part of online), H100e",
                ),
                col(
                    "training_compute_h100e",
                    Float64,
                    "Online compute used for training, H100e",
                ),
                col(
                    "inference_compute_h100e",
                    Float64,
                    "Online compute used for inference, H100e",
                ),
                col(
                    "installed_gpus",
                    UInt64,
                    "Accelerators installed at the lab's sites (online or stranded), units",
                ),
                col(
                    "gpus_bought",
                    UInt64,
                    "Accelerators bought this quarter, units",
                ),
                col(
                    "gpus_retired",
                    UInt64,
                    "Accelerators retired this quarter to make room for newer ones on the same power (fleet refresh; scrapped), units",
                ),
                col(
                    "gpu_fill_ratio",
                    Float64,
                    "Share of its GPU order filled in its last quarter with an order (below 0.8: backlogged)",
                ),
                col(
                    "stranded_gpus",
                    UInt64,
                    "Installed accelerators without energized power, units",
                ),
                col(
                    "inference_price",
                    Float64,
                    "Posted price per million tokens, USD",
                ),
                col(
                    "marginal_cost",
                    Float64,
                    "Marginal cost of serving a million tokens, USD",
                ),
                col(
                    "mtok_per_h100e",
                    Float64,
                    "Millions of tokens one H100e serves in a quarter for the lab's current model (algorithmic efficiency over the serving compute its capability costs)",
                ),
                nullable(
                    "fixed_capability_price",
                    Float64,
                    "What the lab would charge per million tokens for a model of the first quarter's frontier capability, USD (null below it)",
                ),
                col(
                    "markup",
                    Float64,
                    "Markup over marginal cost the lab targets: its market power (cut when capacity sits idle, raised when customers stay)",
                ),
                col(
                    "scarcity_premium",
                    Float64,
                    "Factor (at least 1) on the list price while demand exceeds capacity; 1 once the lab's inference market clears",
                ),
                col(
                    "demand_mtok",
                    Float64,
                    "Tokens its customers asked for, millions",
                ),
                col(
                    "served_mtok",
                    Float64,
                    "Tokens served (demand capped by inference capacity), millions",
                ),
                col(
                    "revenue",
                    Float64,
                    "All revenue in the quarter: api_revenue + product_revenue, USD",
                ),
                col(
                    "api_revenue",
                    Float64,
                    "Tokens sold to app builders (the inference market), USD",
                ),
                col(
                    "product_revenue",
                    Float64,
                    "Its own products (subscriptions, enterprise seats) sold to end users in builders' segments, USD",
                ),
                col(
                    "product_mtok",
                    Float64,
                    "Tokens its own products served, millions (included in served_mtok)",
                ),
                col(
                    "capex",
                    Float64,
                    "Spending on GPUs, licence fees, land and construction in the quarter, USD",
                ),
                col(
                    "opex",
                    Float64,
                    "Operating costs (staff, research) in the quarter, USD",
                ),
                col(
                    "rent",
                    Float64,
                    "Rent paid to cloud owners in the simulation in the quarter, USD",
                ),
                col(
                    "power_cost",
                    Float64,
                    "Electricity bills in the quarter, USD",
                ),
                col(
                    "depreciation",
                    Float64,
                    "Accelerators over world.gpu_life_quarters plus halls over world.facility_life_quarters, USD",
                ),
                col(
                    "profit",
                    Float64,
                    "Revenue minus opex, rent, power and depreciation, USD",
                ),
                col("raised", Float64, "Equity raised in the quarter, USD"),
                col(
                    "market_share",
                    Float64,
                    "Share of all labs' inference revenue in the quarter",
                ),
                col(
                    "customers",
                    UInt64,
                    "App builders that chose the lab this quarter",
                ),
                col(
                    "retention",
                    Float64,
                    "Share of this quarter's customers who also chose the lab last quarter",
                ),
                col(
                    "projects_in_pipeline",
                    UInt64,
                    "Data-center projects not yet energized",
                ),
                col("pipeline_mw", Float64, "MW of projects not yet energized"),
                col("energized_mw", Float64, "MW of energized sites"),
            ]),
        },
        TableDef {
            name: "accelerator_buyers",
            description: "One row per aggregate buyer of accelerators (the rest of the market: hyperscalers' own fleets, neoclouds, enterprise and sovereign buyers) per quarter.",
            columns: stamped(vec![
                col(
                    "buyer_id",
                    UInt64,
                    "Agent id, unique across all agent kinds in the run",
                ),
                col("name", Utf8, "Buyer name from the scenario"),
                col(
                    "kind",
                    Utf8,
                    "hyperscaler, neocloud, enterprise, sovereign or other",
                ),
                col("region", Utf8, "Region its fleet runs in"),
                col(
                    "fleet_h100e",
                    Float64,
                    "Compute running at the end of the quarter, H100e",
                ),
                col(
                    "load_mw",
                    Float64,
                    "Power its fleet draws, PUE included, MW",
                ),
                col(
                    "wanted_h100e",
                    Float64,
                    "Fleet growth it wanted this quarter, H100e",
                ),
                col(
                    "ordered_h100e",
                    Float64,
                    "What it ordered at this quarter's asks (price elasticity, value, grid room), H100e",
                ),
                col("bought_h100e", Float64, "What it received, H100e"),
                col("units_bought", UInt64, "Accelerators received, units"),
                col(
                    "spend",
                    Float64,
                    "Paid for accelerators, licence fees included, USD",
                ),
                col(
                    "capex",
                    Float64,
                    "Capital spending: spend / accelerator_share_of_capex, USD",
                ),
                col("power_cost", Float64, "Energy bill, USD"),
                col(
                    "depreciation",
                    Float64,
                    "What its fleet cost (starting fleet at book value, plus purchases) / world.gpu_life_quarters, USD",
                ),
                col(
                    "rental_fleet_h100e",
                    Float64,
                    "The part of its fleet offered for rent to labs, H100e",
                ),
                col(
                    "rental_cost_per_h100e_hour",
                    Float64,
                    "What owning an H100e costs it (depreciation, cost of capital, energy), USD per H100e-hour: the least it rents out at",
                ),
                col(
                    "rented_out_h100e",
                    Float64,
                    "H100e rented to labs this quarter",
                ),
                col("rental_revenue", Float64, "Rent received from labs, USD"),
                col(
                    "rental_profit",
                    Float64,
                    "Rent received less the rental fleet's share of energy and depreciation, USD",
                ),
                col(
                    "power_limited",
                    Boolean,
                    "True when its grid's spare capacity cut the order",
                ),
                col(
                    "power_queued_mw",
                    Float64,
                    "MW it waits for in its utility's interconnection queue (what cut orders lacked)",
                ),
                col(
                    "power_reserved_mw",
                    Float64,
                    "MW the queue granted it that its fleet does not draw yet",
                ),
                col(
                    "load_elsewhere_mw",
                    Float64,
                    "Part of load_mw that runs outside its home region (growth placed where its home grid had no room)",
                ),
            ]),
        },
        TableDef {
            name: "investors",
            description: "One row per investor per quarter.",
            columns: stamped(vec![
                col("investor_id", UInt64, "Agent id"),
                col("name", Utf8, "Investor name"),
                col(
                    "kind",
                    Utf8,
                    "venture, growth, infrastructure_pe, sovereign, strategic or enterprise_jv",
                ),
                col(
                    "dry_powder",
                    Float64,
                    "Uninvested cash at the end of the quarter, USD",
                ),
                col("invested", Float64, "Invested in rounds this quarter, USD"),
                col(
                    "invested_total",
                    Float64,
                    "Invested since the start of the run, USD",
                ),
                col(
                    "portfolio_value",
                    Float64,
                    "Holdings marked at the labs' valuations, USD",
                ),
                col("holdings", UInt64, "Labs held"),
                col(
                    "powered_land_acres",
                    Float64,
                    "Powered land (with grid positions) banked, acres",
                ),
                col(
                    "land_acres",
                    Float64,
                    "Land banked to resell to labs (raw and powered), acres",
                ),
                col(
                    "land_value",
                    Float64,
                    "Banked land marked at the landowners' current price, USD",
                ),
                col(
                    "land_sales",
                    Float64,
                    "Banked land resold to labs this quarter, USD",
                ),
                col(
                    "land_gain",
                    Float64,
                    "Banked land resold this quarter: price less its cost, USD",
                ),
                col(
                    "financed_halls",
                    Float64,
                    "Halls the fund has paid for and leases to labs (sale-leaseback), at cost, USD",
                ),
                col(
                    "lease_income",
                    Float64,
                    "Leases labs paid this quarter on halls the fund owns, USD",
                ),
                col(
                    "lease_profit",
                    Float64,
                    "lease_income less the depreciation of the halls the fund owns, USD",
                ),
            ]),
        },
        TableDef {
            name: "chipmakers",
            description: "One row per chipmaker per quarter.",
            columns: stamped(vec![
                col("chipmaker_id", UInt64, "Agent id"),
                col("name", Utf8, "Chipmaker name"),
                col("cash", Float64, "Cash at the end of the quarter, USD"),
                col(
                    "packaging_wafers",
                    Float64,
                    "Advanced-packaging wafers per quarter it can use",
                ),
                col(
                    "capacity_units",
                    UInt64,
                    "Units per quarter its packaging could produce of its densest-packed generation",
                ),
                col("produced_units", UInt64, "Units produced this quarter"),
                col("units_sold", UInt64, "Units sold this quarter"),
                col(
                    "inventory_units",
                    UInt64,
                    "Unsold units carried to next quarter",
                ),
                col(
                    "backlog_units",
                    UInt64,
                    "Eligible demand it could not serve this quarter",
                ),
                nullable(
                    "asp",
                    Float64,
                    "Average selling price per unit, USD (null when nothing sold)",
                ),
                col("revenue", Float64, "Revenue, USD"),
                nullable(
                    "gross_margin",
                    Float64,
                    "(revenue - cost of units sold) / revenue (null when nothing sold)",
                ),
                col(
                    "production_cost",
                    Float64,
                    "Paid to produce this quarter's units (sold or not), USD",
                ),
                col(
                    "expansion_spend",
                    Float64,
                    "Spent on packaging capacity expansion this quarter, USD",
                ),
                col(
                    "depreciation",
                    Float64,
                    "Packaging capacity's book cost over world.packaging_life_quarters, USD",
                ),
                col(
                    "operating_profit",
                    Float64,
                    "Revenue less cost of sales less depreciation, USD",
                ),
            ]),
        },
        TableDef {
            name: "utilities",
            description: "One row per utility per quarter.",
            columns: stamped(vec![
                col("utility_id", UInt64, "Agent id"),
                col("name", Utf8, "Utility name"),
                col("region", Utf8, "Region it serves"),
                col("cash", Float64, "Cash at the end of the quarter, USD"),
                col("generation_mw", Float64, "Generation capacity online, MW"),
                col(
                    "committed_mw",
                    Float64,
                    "Base load, contracted data-center load, aggregate buyers' added load and powered-land reservations, MW",
                ),
                col(
                    "powered_reserved_mw",
                    Float64,
                    "Grid positions powered land carries that no project uses yet, MW (committed)",
                ),
                col(
                    "dc_contracted_mw",
                    Float64,
                    "Data-center load contracted, through the queue or on powered land, MW",
                ),
                nullable(
                    "reserve_margin",
                    Float64,
                    "(generation - committed) / committed; null when nothing is committed",
                ),
                col(
                    "tariff",
                    Float64,
                    "Price per MWh: base tariff plus scarcity adder, USD",
                ),
                col("queue_requests", UInt64, "Interconnection requests waiting"),
                col(
                    "queue_mw",
                    Float64,
                    "MW waiting in the interconnection queue",
                ),
                col(
                    "mean_queue_wait_quarters",
                    Float64,
                    "Mean age of waiting requests, quarters",
                ),
                col(
                    "granted_mw",
                    Float64,
                    "MW granted interconnection this quarter",
                ),
                col(
                    "granted_requests",
                    UInt64,
                    "Interconnection requests granted this quarter",
                ),
                col(
                    "mean_wait_of_granted_quarters",
                    Float64,
                    "Mean time the requests granted this quarter waited, quarters",
                ),
                col(
                    "under_construction_mw",
                    Float64,
                    "Generation under construction, MW",
                ),
                col(
                    "builds_started_mw",
                    Float64,
                    "Generation started this quarter, MW",
                ),
                col(
                    "energy_sold_mwh",
                    Float64,
                    "Energy sold to data centers this quarter, MWh",
                ),
                col("revenue", Float64, "Data-center energy revenue, USD"),
                col(
                    "depreciation",
                    Float64,
                    "Plants built during the run, over world.generation_life_quarters, USD",
                ),
                col(
                    "profit",
                    Float64,
                    "Revenue minus generation cost and depreciation, USD",
                ),
            ]),
        },
        TableDef {
            name: "regulators",
            description: "One row per regulator (jurisdiction) per quarter.",
            columns: stamped(vec![
                col("regulator_id", UInt64, "Agent id"),
                col("name", Utf8, "Regulator name"),
                col("jurisdiction", Utf8, "Jurisdiction it governs"),
                col(
                    "cash",
                    Float64,
                    "Licence fees collected since the start, USD",
                ),
                col(
                    "permit_delay_quarters",
                    UInt32,
                    "Delay a new data-center permit application faces, quarters",
                ),
                col("permits_pending", UInt64, "Permit applications waiting"),
                col("permits_granted", UInt64, "Permits granted this quarter"),
                col(
                    "licence_fees",
                    Float64,
                    "Export licence fees collected this quarter, USD",
                ),
                col(
                    "blocked_gpu_units",
                    UInt64,
                    "GPU units demanded from embargoed regions and blocked this quarter",
                ),
                col(
                    "hhi_observed",
                    Float64,
                    "Inference-revenue HHI it observed at the start of the quarter",
                ),
                col(
                    "antitrust_review",
                    Boolean,
                    "True while concentration exceeds its threshold",
                ),
            ]),
        },
        TableDef {
            name: "projects",
            description: "One row per data-center project per quarter, from the quarter it is started.",
            columns: stamped(vec![
                col(
                    "project_id",
                    UInt64,
                    "Project id (its own numbering, not an agent id)",
                ),
                col("lab_id", UInt64, "The lab building it"),
                col("region", Utf8, "Region of the site"),
                col(
                    "stage",
                    Utf8,
                    "seeking_land, permitting, awaiting_power, construction or energized",
                ),
                col("mw", Float64, "Critical power the site is built for, MW"),
                col("acres_held", Float64, "Land acquired so far, acres"),
                col(
                    "powered_acres",
                    Float64,
                    "The part of acres_held that is powered land: its MW need no queue place, acres",
                ),
                col("started_tick", UInt32, "Tick the project was started"),
                nullable(
                    "stage_ready_tick",
                    UInt32,
                    "Earliest tick the permit or construction ends (null while waiting on land or power)",
                ),
                nullable(
                    "construction_quarters",
                    UInt32,
                    "Quarters its construction takes, drawn when it starts around world.dc_build_quarters (null before construction; the starting sites take the median)",
                ),
                col(
                    "construction_paid",
                    Float64,
                    "Construction capex paid so far, USD",
                ),
                col(
                    "gpus_installed",
                    UInt64,
                    "Accelerators delivered to the site, units",
                ),
                col(
                    "gpus_online",
                    UInt64,
                    "Installed accelerators with energized power, units",
                ),
                col(
                    "gpus_stranded",
                    UInt64,
                    "Installed accelerators without energized power, units",
                ),
                col(
                    "online_compute_h100e",
                    Float64,
                    "Compute online at the site, H100e",
                ),
                col(
                    "load_mw",
                    Float64,
                    "Power drawn by the site's online accelerators, MW",
                ),
            ]),
        },
        TableDef {
            name: "app_builders",
            description: "One row per app builder alive at the start of the quarter (all, a sample, or none: see the scenario's [output] table).",
            columns: stamped(vec![
                col("builder_id", UInt64, "Agent id"),
                col("segment", Utf8, "Market segment from the scenario"),
                nullable(
                    "provider_lab_id",
                    UInt64,
                    "Lab chosen this quarter (null if no lab was open)",
                ),
                col(
                    "demand_tokens",
                    Float64,
                    "Tokens wanted at the chosen lab's price, millions",
                ),
                col("tokens", Float64, "Tokens served, millions"),
                col("spend", Float64, "Paid to the lab, USD"),
                col("revenue", Float64, "Earned from its own customers, USD"),
                col(
                    "profit",
                    Float64,
                    "Revenue minus spend minus fixed costs, USD",
                ),
                col(
                    "switching_cost",
                    Float64,
                    "Cost of leaving its provider, in choice-utility units",
                ),
                col(
                    "tenure_quarters",
                    UInt32,
                    "Consecutive quarters with its current provider",
                ),
                col(
                    "alive",
                    Boolean,
                    "False in the quarter it exits after sustained losses",
                ),
            ]),
        },
        TableDef {
            name: "app_builder_segments",
            description: "One row per app-builder segment per quarter, summed over every builder whatever the output mode.",
            columns: stamped(vec![
                col("segment", Utf8, "Market segment from the scenario"),
                col(
                    "builders",
                    UInt64,
                    "Builders alive at the start of the quarter",
                ),
                col("exits", UInt64, "Builders that exited this quarter"),
                col("demand_tokens", Float64, "Tokens wanted, millions"),
                col("tokens", Float64, "Tokens served, millions"),
                col("spend", Float64, "Paid to labs, USD"),
                col("revenue", Float64, "Earned from their customers, USD"),
                col(
                    "profit",
                    Float64,
                    "Revenue minus spend minus fixed costs, USD",
                ),
                col(
                    "mean_switching_cost",
                    Float64,
                    "Mean cost of leaving their provider, in choice-utility units",
                ),
                col("fixed_costs", Float64, "Builders' fixed costs, USD"),
                col(
                    "end_user_price",
                    Float64,
                    "Mean price end users pay per million tokens of output, over builders' apps and labs' products, USD",
                ),
                col(
                    "end_user_demand",
                    Float64,
                    "End-user demand for the segment, builders' and labs' products', millions of tokens",
                ),
                col(
                    "product_share",
                    Float64,
                    "Labs' own products' share of the segment's end users",
                ),
                col(
                    "product_revenue",
                    Float64,
                    "Labs' own products' revenue in the segment, USD",
                ),
                col(
                    "entrants",
                    UInt64,
                    "Builders entering next quarter, drawn by the segment's margin above a normal return",
                ),
            ]),
        },
        TableDef {
            name: "markets",
            description: "One row per market clearing per quarter: gpu per generation, land and power per region, inference and capital globally.",
            columns: stamped(vec![
                col(
                    "market",
                    Utf8,
                    "gpu, land, power, inference, capital or cloud",
                ),
                nullable(
                    "region",
                    Utf8,
                    "Region for land and power; null for global markets",
                ),
                nullable("item", Utf8, "Chip generation for gpu; null otherwise"),
                col(
                    "supply",
                    Float64,
                    "Offered: units (gpu), acres (land), spare MW (power), capacity Mtok (inference), USD bid (capital)",
                ),
                col(
                    "demand",
                    Float64,
                    "Asked for, in the same unit (gpu includes export-blocked demand)",
                ),
                col("cleared", Float64, "Traded, in the same unit"),
                nullable(
                    "price",
                    Float64,
                    "USD per unit, per acre, per MWh, per Mtok, or mean post-money of closed rounds",
                ),
            ]),
        },
        TableDef {
            name: "world",
            description: "One row per quarter with the headline indicators.",
            columns: stamped(vec![
                col(
                    "online_compute_h100e",
                    Float64,
                    "Compute online across labs (rented included), H100e",
                ),
                col(
                    "market_fleet_h100e",
                    Float64,
                    "Compute running across the whole market: labs' own online compute plus aggregate buyers' fleets, H100e",
                ),
                col(
                    "dc_load_mw",
                    Float64,
                    "Data-center power drawn by labs' sites and aggregate buyers' fleets, MW",
                ),
                col(
                    "dc_energy_twh_annualised",
                    Float64,
                    "Data-center energy at this quarter's load, TWh per year",
                ),
                col(
                    "stranded_gpus",
                    UInt64,
                    "Installed GPUs without energized power, units",
                ),
                col(
                    "mean_queue_wait_quarters",
                    Float64,
                    "Mean age of waiting interconnection requests, quarters",
                ),
                col(
                    "gpu_price_index",
                    Float64,
                    "Ask per H100e weighted by sellable units (capacity plus inventory), tick 0 = 100",
                ),
                col(
                    "power_price_avg",
                    Float64,
                    "Load-weighted tariff across utilities, USD per MWh",
                ),
                col(
                    "inference_price_avg",
                    Float64,
                    "Token-weighted price, USD per million tokens",
                ),
                col(
                    "inference_price_index",
                    Float64,
                    "inference_price_avg with the first quarter = 100",
                ),
                nullable(
                    "frontier_price_index",
                    Float64,
                    "Price of the most capable lab, first quarter = 100",
                ),
                nullable(
                    "fixed_capability_price_index",
                    Float64,
                    "Cheapest labs.fixed_capability_price (the capability the frontier had in the first quarter), first quarter = 100",
                ),
                col(
                    "algorithmic_efficiency",
                    Float64,
                    "Factor by which the compute needed for a fixed capability has fallen since the first quarter",
                ),
                col(
                    "markup_avg",
                    Float64,
                    "Revenue-weighted lab markup over marginal cost: price / marginal cost - 1",
                ),
                col(
                    "hhi",
                    Float64,
                    "Herfindahl-Hirschman index of inference revenue, 0-10000",
                ),
                col(
                    "leader_share",
                    Float64,
                    "Largest lab's share of inference revenue",
                ),
                col(
                    "leader_capability_lead",
                    Float64,
                    "Capability of the leader minus the runner-up",
                ),
                col(
                    "capital_raised",
                    Float64,
                    "Equity raised by labs this quarter, USD",
                ),
                col(
                    "capex",
                    Float64,
                    "Capex of labs, aggregate buyers, chipmakers and utilities this quarter, USD",
                ),
                col(
                    "infra_revenue",
                    Float64,
                    "Revenue of the infrastructure layers: chipmakers, utilities, cloud rental, land resale, hall leases and labs, USD",
                ),
                col(
                    "depreciation",
                    Float64,
                    "Depreciation of labs, aggregate buyers, chipmakers, utilities and infrastructure funds' halls, USD",
                ),
                col("chip_profit", Float64, "Chipmakers' operating profit, USD"),
                col(
                    "power_profit",
                    Float64,
                    "Utilities' profit on data-center energy, USD",
                ),
                col("cloud_profit", Float64, "Cloud owners' rental profit, USD"),
                col(
                    "land_profit",
                    Float64,
                    "Land banks' gains on land resold, USD",
                ),
                col(
                    "lease_profit",
                    Float64,
                    "Infrastructure funds' hall leases less the halls' depreciation, USD",
                ),
                col("model_profit", Float64, "Labs' profit, USD"),
                col(
                    "infra_profit",
                    Float64,
                    "chip_profit + power_profit + cloud_profit + land_profit + lease_profit + model_profit, USD",
                ),
                col(
                    "app_profit",
                    Float64,
                    "Profit of app builders this quarter: app_revenue - app_token_spend - their fixed costs, USD",
                ),
                col(
                    "app_revenue",
                    Float64,
                    "App builders' revenue from end users this quarter, USD",
                ),
                col(
                    "app_token_spend",
                    Float64,
                    "App builders' spend on tokens (labs' api_revenue) this quarter, USD",
                ),
                col(
                    "product_revenue",
                    Float64,
                    "Labs' own products' revenue from end users this quarter, USD",
                ),
                col(
                    "lost_demand_mtok",
                    Float64,
                    "Token demand rationed away for lack of capacity, millions",
                ),
                col(
                    "unserved_share",
                    Float64,
                    "Share of the quarter's token demand the labs could not serve (1 - sum of labs.served_mtok over sum of labs.demand_mtok; 0 with no demand)",
                ),
                col(
                    "builders_alive",
                    UInt64,
                    "App builders alive at the start of the quarter",
                ),
                col(
                    "builder_churn_rate",
                    Float64,
                    "Share of alive builders that switched provider this quarter",
                ),
            ]),
        },
        TableDef {
            name: "events",
            description: "Discrete events: orders, deals, contracts, rounds, exits, builds and policy actions.",
            columns: stamped(vec![
                col(
                    "kind",
                    Utf8,
                    "Event kind, for example gpu_order, land_deal, power_contract, round_closed",
                ),
                nullable("agent_id", UInt64, "The acting agent"),
                nullable("counterparty_id", UInt64, "The other agent, if any"),
                nullable("region", Utf8, "Region, if the event has one"),
                col("amount_usd", Float64, "Money involved, USD (0 when none)"),
                nullable(
                    "quantity",
                    Float64,
                    "Units, acres, MW, tokens or counts, per kind",
                ),
                col("detail", Utf8, "Human-readable detail"),
            ]),
        },
    ]
}

/// Names of all tables, in order.
pub fn table_names() -> Vec<&'static str> {
    tables().iter().map(|t| t.name).collect()
}
