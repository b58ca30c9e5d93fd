//! The output tables: names, columns, types and meanings.
//!
//! This list is the single source of truth: Arrow schemas are built from it,
//! `moatsim schema` prints it, and every record batch is checked against it.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int32Array, StringArray, UInt8Array, UInt32Array,
    UInt64Array,
};
use arrow_schema::{DataType, Field, Schema};
use moatsim_records::{Stamp, TickFrame};

/// Bumped whenever a table or column changes meaning, is added or is removed.
pub const SCHEMA_VERSION: u32 = 13;

/// Where a column's values come from: the quarter's stamp, or the frame.
#[derive(Clone, Copy)]
pub enum Source {
    /// `tick`, `year` or `quarter`, repeated on every row.
    Stamp(fn(Stamp, usize) -> ArrayRef),
    /// The column built from the frame. It may take the frame's vectors
    /// (the builder columns are moved, not copied), so a frame is encoded
    /// once.
    Frame(fn(&mut TickFrame) -> ArrayRef),
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::Stamp(_) => "Stamp",
            Source::Frame(_) => "Frame",
        })
    }
}

/// One output column: its name, type, meaning, where its values come from
/// and how it is encoded. The Arrow schema, `moatsim schema` and the encoder
/// all read this one definition, so a column cannot be written under another
/// column's name.
#[derive(Debug, Clone)]
pub struct ColumnDef {
    pub name: &'static str,
    pub data_type: DataType,
    pub nullable: bool,
    pub description: &'static str,
    pub source: Source,
    /// Dictionary-encode the column in Parquet. Off for columns whose values
    /// are nearly all distinct (ids, builders' money and tokens), where a
    /// dictionary only costs hashing and is then abandoned.
    pub dictionary: bool,
    /// zstd-compress the column. Off for builders' money and token columns:
    /// their doubles shrink by about 5% for a seventh of the writer's time
    /// at a million builders (measured with `benches/write.rs`).
    pub compressed: bool,
    /// Write min/max statistics. Off for the builders' columns other than
    /// the quarter's stamp: every row group holds every builder, so their
    /// ranges prune nothing, and computing them took a tenth of the writer's
    /// time at a million builders (`benches/write.rs`).
    pub statistics: bool,
}

impl ColumnDef {
    /// The same column, written without a dictionary.
    fn plain(mut self) -> Self {
        self.dictionary = false;
        self
    }

    /// The same column, written without min/max statistics.
    fn unranged(mut self) -> Self {
        self.statistics = false;
        self
    }

    /// The same column, written without a dictionary or compression.
    fn raw(mut self) -> Self {
        self.dictionary = false;
        self.compressed = false;
        self
    }
}

#[derive(Debug, Clone)]
pub struct TableDef {
    pub name: &'static str,
    pub description: &'static str,
    /// Rows of this table in a frame.
    pub rows: fn(&TickFrame) -> usize,
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

fn col(
    name: &'static str,
    data_type: DataType,
    description: &'static str,
    values: fn(&mut TickFrame) -> ArrayRef,
) -> ColumnDef {
    ColumnDef {
        name,
        data_type,
        nullable: false,
        description,
        source: Source::Frame(values),
        dictionary: true,
        compressed: true,
        statistics: true,
    }
}

fn nullable(
    name: &'static str,
    data_type: DataType,
    description: &'static str,
    values: fn(&mut TickFrame) -> ArrayRef,
) -> ColumnDef {
    ColumnDef {
        nullable: true,
        ..col(name, data_type, description, values)
    }
}

fn stamp(
    name: &'static str,
    data_type: DataType,
    description: &'static str,
    values: fn(Stamp, usize) -> ArrayRef,
) -> ColumnDef {
    ColumnDef {
        name,
        data_type,
        nullable: false,
        description,
        source: Source::Stamp(values),
        // One value per row group: zstd shrinks the plain column to a few
        // bytes, and a dictionary would hash every row (a tenth of the
        // writer's time at a million builders, `benches/write.rs`).
        dictionary: false,
        compressed: true,
        statistics: true,
    }
}

use DataType::{Boolean, Float64, Int32, UInt8, UInt32, UInt64, Utf8};

fn stamped(mut columns: Vec<ColumnDef>) -> Vec<ColumnDef> {
    let mut all = vec![
        stamp(
            "tick",
            UInt32,
            "Quarter index from 0 at the scenario's start",
            |s, rows| Arc::new(UInt32Array::from(vec![s.tick; rows])),
        ),
        stamp("year", Int32, "Calendar year of the quarter", |s, rows| {
            Arc::new(Int32Array::from(vec![s.year; rows]))
        }),
        stamp("quarter", UInt8, "Calendar quarter, 1 to 4", |s, rows| {
            Arc::new(UInt8Array::from(vec![s.quarter; rows]))
        }),
    ];
    all.append(&mut columns);
    all
}

/// Columns written without min/max statistics (`ColumnDef::unranged`).
fn unranged(columns: Vec<ColumnDef>) -> Vec<ColumnDef> {
    columns.into_iter().map(ColumnDef::unranged).collect()
}

/// A builder column moved out of the frame into an Arrow array, not copied.
fn moved_f64s(values: &mut Vec<f64>) -> ArrayRef {
    Arc::new(Float64Array::from(std::mem::take(values)))
}

fn moved_u64s(values: &mut Vec<u64>) -> ArrayRef {
    Arc::new(UInt64Array::from(std::mem::take(values)))
}

fn moved_u32s(values: &mut Vec<u32>) -> ArrayRef {
    Arc::new(UInt32Array::from(std::mem::take(values)))
}

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

/// Every table moatsim writes, in the order they are listed by `moatsim schema`.
pub fn tables() -> Vec<TableDef> {
    vec![
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
        },
        TableDef {
            name: "accelerator_buyers",
            description: "One row per aggregate buyer of accelerators (the rest of the market: hyperscalers' own fleets, neoclouds, enterprise and sovereign buyers) per quarter.",
            rows: |f| f.accelerator_buyers.len(),
            columns: stamped(vec![
                col(
                    "buyer_id",
                    UInt64,
                    "Agent id, unique across all agent kinds in the run",
                    |f| u64s(f.accelerator_buyers.iter().map(|x| x.buyer_id)),
                ),
                col("name", Utf8, "Buyer name from the scenario", |f| {
                    strings(f.accelerator_buyers.iter().map(|x| x.name.as_str()))
                }),
                col(
                    "kind",
                    Utf8,
                    "hyperscaler, neocloud, enterprise, sovereign or other",
                    |f| strings(f.accelerator_buyers.iter().map(|x| x.kind)),
                ),
                col("region", Utf8, "Region its fleet runs in", |f| {
                    strings(f.accelerator_buyers.iter().map(|x| x.region.as_str()))
                }),
                col(
                    "fleet_h100e",
                    Float64,
                    "Compute running at the end of the quarter, H100e",
                    |f| f64s(f.accelerator_buyers.iter().map(|x| x.fleet_h100e)),
                ),
                col(
                    "load_mw",
                    Float64,
                    "Power its fleet draws, PUE included, MW",
                    |f| f64s(f.accelerator_buyers.iter().map(|x| x.load_mw)),
                ),
                col(
                    "wanted_h100e",
                    Float64,
                    "Fleet growth it wanted this quarter, H100e",
                    |f| f64s(f.accelerator_buyers.iter().map(|x| x.wanted_h100e)),
                ),
                col(
                    "ordered_h100e",
                    Float64,
                    "What it ordered at this quarter's asks (price elasticity, value, grid room), H100e",
                    |f| f64s(f.accelerator_buyers.iter().map(|x| x.ordered_h100e)),
                ),
                col("bought_h100e", Float64, "What it received, H100e", |f| {
                    f64s(f.accelerator_buyers.iter().map(|x| x.bought_h100e))
                }),
                col(
                    "units_bought",
                    UInt64,
                    "Accelerators received, units",
                    |f| u64s(f.accelerator_buyers.iter().map(|x| x.units_bought)),
                ),
                col(
                    "spend",
                    Float64,
                    "Paid for accelerators, licence fees included, USD",
                    |f| f64s(f.accelerator_buyers.iter().map(|x| x.spend)),
                ),
                col(
                    "capex",
                    Float64,
                    "Capital spending: spend / accelerator_share_of_capex, USD",
                    |f| f64s(f.accelerator_buyers.iter().map(|x| x.capex)),
                ),
                col("power_cost", Float64, "Energy bill, USD", |f| {
                    f64s(f.accelerator_buyers.iter().map(|x| x.power_cost))
                }),
                col(
                    "depreciation",
                    Float64,
                    "What its fleet cost (starting fleet at book value, plus purchases) / world.gpu_life_quarters, USD",
                    |f| f64s(f.accelerator_buyers.iter().map(|x| x.depreciation)),
                ),
                col(
                    "rental_fleet_h100e",
                    Float64,
                    "The part of its fleet offered for rent to labs, H100e",
                    |f| f64s(f.accelerator_buyers.iter().map(|x| x.rental_fleet_h100e)),
                ),
                col(
                    "rental_cost_per_h100e_hour",
                    Float64,
                    "What owning an H100e costs it (depreciation, cost of capital, energy), USD per H100e-hour: the least it rents out at",
                    |f| {
                        f64s(
                            f.accelerator_buyers
                                .iter()
                                .map(|x| x.rental_cost_per_h100e_hour),
                        )
                    },
                ),
                col(
                    "rented_out_h100e",
                    Float64,
                    "H100e rented to labs this quarter",
                    |f| f64s(f.accelerator_buyers.iter().map(|x| x.rented_out_h100e)),
                ),
                col(
                    "rental_revenue",
                    Float64,
                    "Rent received from labs, USD",
                    |f| f64s(f.accelerator_buyers.iter().map(|x| x.rental_revenue)),
                ),
                col(
                    "rental_profit",
                    Float64,
                    "Rent received less the rental fleet's share of energy and depreciation, USD",
                    |f| f64s(f.accelerator_buyers.iter().map(|x| x.rental_profit)),
                ),
                col(
                    "power_limited",
                    Boolean,
                    "True when its grid's spare capacity cut the order",
                    |f| bools(f.accelerator_buyers.iter().map(|x| x.power_limited)),
                ),
                col(
                    "power_queued_mw",
                    Float64,
                    "MW it waits for in its utility's interconnection queue (what cut orders lacked)",
                    |f| f64s(f.accelerator_buyers.iter().map(|x| x.power_queued_mw)),
                ),
                col(
                    "power_reserved_mw",
                    Float64,
                    "MW the queue granted it that its fleet does not draw yet",
                    |f| f64s(f.accelerator_buyers.iter().map(|x| x.power_reserved_mw)),
                ),
                col(
                    "load_elsewhere_mw",
                    Float64,
                    "Part of load_mw that runs outside its home region (growth placed where its home grid had no room)",
                    |f| f64s(f.accelerator_buyers.iter().map(|x| x.load_elsewhere_mw)),
                ),
            ]),
        },
        TableDef {
            name: "investors",
            description: "One row per investor per quarter.",
            rows: |f| f.investors.len(),
            columns: stamped(vec![
                col("investor_id", UInt64, "Agent id", |f| {
                    u64s(f.investors.iter().map(|x| x.investor_id))
                }),
                col("name", Utf8, "Investor name", |f| {
                    strings(f.investors.iter().map(|x| x.name.as_str()))
                }),
                col(
                    "kind",
                    Utf8,
                    "venture, growth, infrastructure_pe, sovereign, strategic or enterprise_jv",
                    |f| strings(f.investors.iter().map(|x| x.kind)),
                ),
                col(
                    "dry_powder",
                    Float64,
                    "Uninvested cash at the end of the quarter, USD",
                    |f| f64s(f.investors.iter().map(|x| x.dry_powder)),
                ),
                col(
                    "invested",
                    Float64,
                    "Invested in rounds this quarter, USD",
                    |f| f64s(f.investors.iter().map(|x| x.invested)),
                ),
                col(
                    "invested_total",
                    Float64,
                    "Invested since the start of the run, USD",
                    |f| f64s(f.investors.iter().map(|x| x.invested_total)),
                ),
                col(
                    "portfolio_value",
                    Float64,
                    "Holdings marked at the labs' valuations, USD",
                    |f| f64s(f.investors.iter().map(|x| x.portfolio_value)),
                ),
                col("holdings", UInt64, "Labs held", |f| {
                    u64s(f.investors.iter().map(|x| x.holdings))
                }),
                col(
                    "powered_land_acres",
                    Float64,
                    "Powered land (with grid positions) banked, acres",
                    |f| f64s(f.investors.iter().map(|x| x.powered_land_acres)),
                ),
                col(
                    "land_acres",
                    Float64,
                    "Land banked to resell to labs (raw and powered), acres",
                    |f| f64s(f.investors.iter().map(|x| x.land_acres)),
                ),
                col(
                    "land_value",
                    Float64,
                    "Banked land marked at the landowners' current price, USD",
                    |f| f64s(f.investors.iter().map(|x| x.land_value)),
                ),
                col(
                    "land_sales",
                    Float64,
                    "Banked land resold to labs this quarter, USD",
                    |f| f64s(f.investors.iter().map(|x| x.land_sales)),
                ),
                col(
                    "land_gain",
                    Float64,
                    "Banked land resold this quarter: price less its cost, USD",
                    |f| f64s(f.investors.iter().map(|x| x.land_gain)),
                ),
                col(
                    "financed_halls",
                    Float64,
                    "Halls the fund has paid for and leases to labs (sale-leaseback), at cost, USD",
                    |f| f64s(f.investors.iter().map(|x| x.financed_halls)),
                ),
                col(
                    "lease_income",
                    Float64,
                    "Leases labs paid this quarter on halls the fund owns, USD",
                    |f| f64s(f.investors.iter().map(|x| x.lease_income)),
                ),
                col(
                    "lease_profit",
                    Float64,
                    "lease_income less the depreciation of the halls the fund owns, USD",
                    |f| f64s(f.investors.iter().map(|x| x.lease_profit)),
                ),
            ]),
        },
        TableDef {
            name: "chipmakers",
            description: "One row per chipmaker per quarter.",
            rows: |f| f.chipmakers.len(),
            columns: stamped(vec![
                col("chipmaker_id", UInt64, "Agent id", |f| {
                    u64s(f.chipmakers.iter().map(|x| x.chipmaker_id))
                }),
                col("name", Utf8, "Chipmaker name", |f| {
                    strings(f.chipmakers.iter().map(|x| x.name.as_str()))
                }),
                col(
                    "cash",
                    Float64,
                    "Cash at the end of the quarter, USD",
                    |f| f64s(f.chipmakers.iter().map(|x| x.cash)),
                ),
                col(
                    "packaging_wafers",
                    Float64,
                    "Advanced-packaging wafers per quarter it can use",
                    |f| f64s(f.chipmakers.iter().map(|x| x.packaging_wafers)),
                ),
                col(
                    "capacity_units",
                    UInt64,
                    "Units per quarter its packaging could produce of its densest-packed generation",
                    |f| u64s(f.chipmakers.iter().map(|x| x.capacity_units)),
                ),
                col(
                    "produced_units",
                    UInt64,
                    "Units produced this quarter",
                    |f| u64s(f.chipmakers.iter().map(|x| x.produced_units)),
                ),
                col("units_sold", UInt64, "Units sold this quarter", |f| {
                    u64s(f.chipmakers.iter().map(|x| x.units_sold))
                }),
                col(
                    "inventory_units",
                    UInt64,
                    "Unsold units carried to next quarter",
                    |f| u64s(f.chipmakers.iter().map(|x| x.inventory_units)),
                ),
                col(
                    "backlog_units",
                    UInt64,
                    "Eligible demand it could not serve this quarter",
                    |f| u64s(f.chipmakers.iter().map(|x| x.backlog_units)),
                ),
                nullable(
                    "asp",
                    Float64,
                    "Average selling price per unit, USD (null when nothing sold)",
                    |f| opt_f64s(f.chipmakers.iter().map(|x| x.asp)),
                ),
                col("revenue", Float64, "Revenue, USD", |f| {
                    f64s(f.chipmakers.iter().map(|x| x.revenue))
                }),
                nullable(
                    "gross_margin",
                    Float64,
                    "(revenue - cost of units sold) / revenue (null when nothing sold)",
                    |f| opt_f64s(f.chipmakers.iter().map(|x| x.gross_margin)),
                ),
                col(
                    "production_cost",
                    Float64,
                    "Paid to produce this quarter's units (sold or not), USD",
                    |f| f64s(f.chipmakers.iter().map(|x| x.production_cost)),
                ),
                col(
                    "expansion_spend",
                    Float64,
                    "Spent on packaging capacity expansion this quarter, USD",
                    |f| f64s(f.chipmakers.iter().map(|x| x.expansion_spend)),
                ),
                col(
                    "depreciation",
                    Float64,
                    "Packaging capacity's book cost over world.packaging_life_quarters, USD",
                    |f| f64s(f.chipmakers.iter().map(|x| x.depreciation)),
                ),
                col(
                    "operating_profit",
                    Float64,
                    "Revenue less cost of sales less depreciation, USD",
                    |f| f64s(f.chipmakers.iter().map(|x| x.operating_profit)),
                ),
            ]),
        },
        TableDef {
            name: "utilities",
            description: "One row per utility per quarter.",
            rows: |f| f.utilities.len(),
            columns: stamped(vec![
                col("utility_id", UInt64, "Agent id", |f| {
                    u64s(f.utilities.iter().map(|x| x.utility_id))
                }),
                col("name", Utf8, "Utility name", |f| {
                    strings(f.utilities.iter().map(|x| x.name.as_str()))
                }),
                col("region", Utf8, "Region it serves", |f| {
                    strings(f.utilities.iter().map(|x| x.region.as_str()))
                }),
                col(
                    "cash",
                    Float64,
                    "Cash at the end of the quarter, USD",
                    |f| f64s(f.utilities.iter().map(|x| x.cash)),
                ),
                col(
                    "generation_mw",
                    Float64,
                    "Generation capacity online, MW",
                    |f| f64s(f.utilities.iter().map(|x| x.generation_mw)),
                ),
                col(
                    "committed_mw",
                    Float64,
                    "Base load, contracted data-center load, aggregate buyers' added load and powered-land reservations, MW",
                    |f| f64s(f.utilities.iter().map(|x| x.committed_mw)),
                ),
                col(
                    "powered_reserved_mw",
                    Float64,
                    "Grid positions powered land carries that no project uses yet, MW (committed)",
                    |f| f64s(f.utilities.iter().map(|x| x.powered_reserved_mw)),
                ),
                col(
                    "dc_contracted_mw",
                    Float64,
                    "Data-center load contracted, through the queue or on powered land, MW",
                    |f| f64s(f.utilities.iter().map(|x| x.dc_contracted_mw)),
                ),
                nullable(
                    "reserve_margin",
                    Float64,
                    "(generation - committed) / committed; null when nothing is committed",
                    |f| opt_f64s(f.utilities.iter().map(|x| x.reserve_margin)),
                ),
                col(
                    "tariff",
                    Float64,
                    "Price per MWh: base tariff plus scarcity adder, USD",
                    |f| f64s(f.utilities.iter().map(|x| x.tariff)),
                ),
                col(
                    "queue_requests",
                    UInt64,
                    "Interconnection requests waiting",
                    |f| u64s(f.utilities.iter().map(|x| x.queue_requests)),
                ),
                col(
                    "queue_mw",
                    Float64,
                    "MW waiting in the interconnection queue",
                    |f| f64s(f.utilities.iter().map(|x| x.queue_mw)),
                ),
                col(
                    "mean_queue_wait_quarters",
                    Float64,
                    "Mean age of waiting requests, quarters",
                    |f| f64s(f.utilities.iter().map(|x| x.mean_queue_wait_quarters)),
                ),
                col(
                    "granted_mw",
                    Float64,
                    "MW granted interconnection this quarter",
                    |f| f64s(f.utilities.iter().map(|x| x.granted_mw)),
                ),
                col(
                    "granted_requests",
                    UInt64,
                    "Interconnection requests granted this quarter",
                    |f| u64s(f.utilities.iter().map(|x| x.granted_requests)),
                ),
                col(
                    "mean_wait_of_granted_quarters",
                    Float64,
                    "Mean time the requests granted this quarter waited, quarters",
                    |f| f64s(f.utilities.iter().map(|x| x.mean_wait_of_granted_quarters)),
                ),
                col(
                    "under_construction_mw",
                    Float64,
                    "Generation under construction, MW",
                    |f| f64s(f.utilities.iter().map(|x| x.under_construction_mw)),
                ),
                col(
                    "builds_started_mw",
                    Float64,
                    "Generation started this quarter, MW",
                    |f| f64s(f.utilities.iter().map(|x| x.builds_started_mw)),
                ),
                col(
                    "energy_sold_mwh",
                    Float64,
                    "Energy sold to data centers this quarter, MWh",
                    |f| f64s(f.utilities.iter().map(|x| x.energy_sold_mwh)),
                ),
                col("revenue", Float64, "Data-center energy revenue, USD", |f| {
                    f64s(f.utilities.iter().map(|x| x.revenue))
                }),
                col(
                    "depreciation",
                    Float64,
                    "Plants built during the run, over world.generation_life_quarters, USD",
                    |f| f64s(f.utilities.iter().map(|x| x.depreciation)),
                ),
                col(
                    "profit",
                    Float64,
                    "Revenue minus generation cost and depreciation, USD",
                    |f| f64s(f.utilities.iter().map(|x| x.profit)),
                ),
            ]),
        },
        TableDef {
            name: "regulators",
            description: "One row per regulator (jurisdiction) per quarter.",
            rows: |f| f.regulators.len(),
            columns: stamped(vec![
                col("regulator_id", UInt64, "Agent id", |f| {
                    u64s(f.regulators.iter().map(|x| x.regulator_id))
                }),
                col("name", Utf8, "Regulator name", |f| {
                    strings(f.regulators.iter().map(|x| x.name.as_str()))
                }),
                col("jurisdiction", Utf8, "Jurisdiction it governs", |f| {
                    strings(f.regulators.iter().map(|x| x.jurisdiction.as_str()))
                }),
                col(
                    "cash",
                    Float64,
                    "Licence fees collected since the start, USD",
                    |f| f64s(f.regulators.iter().map(|x| x.cash)),
                ),
                col(
                    "permit_delay_quarters",
                    UInt32,
                    "Delay a new data-center permit application faces, quarters",
                    |f| u32s(f.regulators.iter().map(|x| x.permit_delay_quarters)),
                ),
                col(
                    "permits_pending",
                    UInt64,
                    "Permit applications waiting",
                    |f| u64s(f.regulators.iter().map(|x| x.permits_pending)),
                ),
                col(
                    "permits_granted",
                    UInt64,
                    "Permits granted this quarter",
                    |f| u64s(f.regulators.iter().map(|x| x.permits_granted)),
                ),
                col(
                    "licence_fees",
                    Float64,
                    "Export licence fees collected this quarter, USD",
                    |f| f64s(f.regulators.iter().map(|x| x.licence_fees)),
                ),
                col(
                    "blocked_gpu_units",
                    UInt64,
                    "GPU units demanded from embargoed regions and blocked this quarter",
                    |f| u64s(f.regulators.iter().map(|x| x.blocked_gpu_units)),
                ),
                col(
                    "hhi_observed",
                    Float64,
                    "Inference-revenue HHI it observed at the start of the quarter",
                    |f| f64s(f.regulators.iter().map(|x| x.hhi_observed)),
                ),
                col(
                    "antitrust_review",
                    Boolean,
                    "True while concentration exceeds its threshold",
                    |f| bools(f.regulators.iter().map(|x| x.antitrust_review)),
                ),
            ]),
        },
        TableDef {
            name: "projects",
            description: "One row per data-center project per quarter, from the quarter it is started.",
            rows: |f| f.projects.len(),
            columns: stamped(vec![
                col(
                    "project_id",
                    UInt64,
                    "Project id (its own numbering, not an agent id)",
                    |f| u64s(f.projects.iter().map(|x| x.project_id)),
                ),
                col("lab_id", UInt64, "The lab building it", |f| {
                    u64s(f.projects.iter().map(|x| x.lab_id))
                }),
                col("region", Utf8, "Region of the site", |f| {
                    strings(f.projects.iter().map(|x| x.region.as_str()))
                }),
                col(
                    "stage",
                    Utf8,
                    "seeking_land, permitting, awaiting_power, construction or energized",
                    |f| strings(f.projects.iter().map(|x| x.stage)),
                ),
                col(
                    "mw",
                    Float64,
                    "Critical power the site is built for, MW",
                    |f| f64s(f.projects.iter().map(|x| x.mw)),
                ),
                col("acres_held", Float64, "Land acquired so far, acres", |f| {
                    f64s(f.projects.iter().map(|x| x.acres_held))
                }),
                col(
                    "powered_acres",
                    Float64,
                    "The part of acres_held that is powered land: its MW need no queue place, acres",
                    |f| f64s(f.projects.iter().map(|x| x.powered_acres)),
                ),
                col(
                    "started_tick",
                    UInt32,
                    "Tick the project was started",
                    |f| u32s(f.projects.iter().map(|x| x.started_tick)),
                ),
                nullable(
                    "stage_ready_tick",
                    UInt32,
                    "Earliest tick the permit or construction ends (null while waiting on land or power)",
                    |f| {
                        Arc::new(
                            f.projects
                                .iter()
                                .map(|x| x.stage_ready_tick)
                                .collect::<UInt32Array>(),
                        )
                    },
                ),
                nullable(
                    "construction_quarters",
                    UInt32,
                    "Quarters its construction takes, drawn when it starts around world.dc_build_quarters (null before construction; the starting sites take the median)",
                    |f| {
                        Arc::new(
                            f.projects
                                .iter()
                                .map(|x| x.construction_quarters)
                                .collect::<UInt32Array>(),
                        )
                    },
                ),
                col(
                    "construction_paid",
                    Float64,
                    "Construction capex paid so far, USD",
                    |f| f64s(f.projects.iter().map(|x| x.construction_paid)),
                ),
                col(
                    "gpus_installed",
                    UInt64,
                    "Accelerators delivered to the site, units",
                    |f| u64s(f.projects.iter().map(|x| x.gpus_installed)),
                ),
                col(
                    "gpus_online",
                    UInt64,
                    "Installed accelerators with energized power, units",
                    |f| u64s(f.projects.iter().map(|x| x.gpus_online)),
                ),
                col(
                    "gpus_stranded",
                    UInt64,
                    "Installed accelerators without energized power, units",
                    |f| u64s(f.projects.iter().map(|x| x.gpus_stranded)),
                ),
                col(
                    "online_compute_h100e",
                    Float64,
                    "Compute online at the site, H100e",
                    |f| f64s(f.projects.iter().map(|x| x.online_compute_h100e)),
                ),
                col(
                    "load_mw",
                    Float64,
                    "Power drawn by the site's online accelerators, MW",
                    |f| f64s(f.projects.iter().map(|x| x.load_mw)),
                ),
            ]),
        },
        TableDef {
            name: "app_builders",
            description: "One row per app builder alive at the start of the quarter (all, a sample, or none: see the scenario's [output] table).",
            rows: |f| f.app_builders.len(),
            columns: stamped(unranged(vec![
                col("builder_id", UInt64, "Agent id", |f| {
                    moved_u64s(&mut f.app_builders.builder_id)
                })
                .plain(),
                col("segment", Utf8, "Market segment from the scenario", |f| {
                    strings(
                        f.app_builders
                            .segment
                            .iter()
                            .map(|&s| f.segment_names[usize::from(s)].as_str()),
                    )
                }),
                nullable(
                    "provider_lab_id",
                    UInt64,
                    "Lab chosen this quarter (null if no lab was open)",
                    |f| opt_u64s(f.app_builders.provider_lab_id.iter().copied()),
                ),
                col(
                    "demand_tokens",
                    Float64,
                    "Tokens wanted at the chosen lab's price, millions",
                    |f| moved_f64s(&mut f.app_builders.demand_tokens),
                )
                .raw(),
                col("tokens", Float64, "Tokens served, millions", |f| {
                    moved_f64s(&mut f.app_builders.tokens)
                })
                .raw(),
                col("spend", Float64, "Paid to the lab, USD", |f| {
                    moved_f64s(&mut f.app_builders.spend)
                })
                .raw(),
                col(
                    "revenue",
                    Float64,
                    "Earned from its own customers, USD",
                    |f| moved_f64s(&mut f.app_builders.revenue),
                )
                .raw(),
                col(
                    "profit",
                    Float64,
                    "Revenue minus spend minus fixed costs, USD",
                    |f| moved_f64s(&mut f.app_builders.profit),
                )
                .raw(),
                col(
                    "switching_cost",
                    Float64,
                    "Cost of leaving its provider, in choice-utility units",
                    |f| moved_f64s(&mut f.app_builders.switching_cost),
                )
                .raw(),
                col(
                    "tenure_quarters",
                    UInt32,
                    "Consecutive quarters with its current provider",
                    |f| moved_u32s(&mut f.app_builders.tenure_quarters),
                ),
                col(
                    "alive",
                    Boolean,
                    "False in the quarter it exits after sustained losses",
                    |f| bools(f.app_builders.alive.iter().copied()),
                ),
            ])),
        },
        TableDef {
            name: "app_builder_segments",
            description: "One row per app-builder segment per quarter, summed over every builder whatever the output mode.",
            rows: |f| f.app_builder_segments.len(),
            columns: stamped(vec![
                col("segment", Utf8, "Market segment from the scenario", |f| {
                    strings(f.app_builder_segments.iter().map(|x| x.segment.as_str()))
                }),
                col(
                    "builders",
                    UInt64,
                    "Builders alive at the start of the quarter",
                    |f| u64s(f.app_builder_segments.iter().map(|x| x.builders)),
                ),
                col("exits", UInt64, "Builders that exited this quarter", |f| {
                    u64s(f.app_builder_segments.iter().map(|x| x.exits))
                }),
                col("demand_tokens", Float64, "Tokens wanted, millions", |f| {
                    f64s(f.app_builder_segments.iter().map(|x| x.demand_tokens))
                }),
                col("tokens", Float64, "Tokens served, millions", |f| {
                    f64s(f.app_builder_segments.iter().map(|x| x.tokens))
                }),
                col("spend", Float64, "Paid to labs, USD", |f| {
                    f64s(f.app_builder_segments.iter().map(|x| x.spend))
                }),
                col(
                    "revenue",
                    Float64,
                    "Earned from their customers, USD",
                    |f| f64s(f.app_builder_segments.iter().map(|x| x.revenue)),
                ),
                col(
                    "profit",
                    Float64,
                    "Revenue minus spend minus fixed costs, USD",
                    |f| f64s(f.app_builder_segments.iter().map(|x| x.profit)),
                ),
                col(
                    "mean_switching_cost",
                    Float64,
                    "Mean cost of leaving their provider, in choice-utility units",
                    |f| {
                        f64s(f.app_builder_segments.iter().map(|x| {
                            if x.builders > 0 {
                                x.switching_cost_sum / x.builders as f64
                            } else {
                                0.0
                            }
                        }))
                    },
                ),
                col("fixed_costs", Float64, "Builders' fixed costs, USD", |f| {
                    f64s(f.app_builder_segments.iter().map(|x| x.fixed_costs))
                }),
                col(
                    "end_user_price",
                    Float64,
                    "Mean price end users pay per million tokens of output, over builders' apps and labs' products, USD",
                    |f| f64s(f.app_builder_segments.iter().map(|x| x.end_user_price)),
                ),
                col(
                    "end_user_demand",
                    Float64,
                    "End-user demand for the segment, builders' and labs' products', millions of tokens",
                    |f| f64s(f.app_builder_segments.iter().map(|x| x.end_user_demand)),
                ),
                col(
                    "product_share",
                    Float64,
                    "Labs' own products' share of the segment's end users",
                    |f| f64s(f.app_builder_segments.iter().map(|x| x.product_share)),
                ),
                col(
                    "product_revenue",
                    Float64,
                    "Labs' own products' revenue in the segment, USD",
                    |f| f64s(f.app_builder_segments.iter().map(|x| x.product_revenue)),
                ),
                col(
                    "entrants",
                    UInt64,
                    "Builders entering next quarter, drawn by the segment's margin above a normal return",
                    |f| u64s(f.app_builder_segments.iter().map(|x| x.entrants)),
                ),
            ]),
        },
        TableDef {
            name: "markets",
            description: "One row per market clearing per quarter: gpu per generation, land and power per region, inference and capital globally.",
            rows: |f| f.markets.len(),
            columns: stamped(vec![
                col(
                    "market",
                    Utf8,
                    "gpu, land, power, inference, capital or cloud",
                    |f| strings(f.markets.iter().map(|x| x.market)),
                ),
                nullable(
                    "region",
                    Utf8,
                    "Region for land and power; null for global markets",
                    |f| opt_strings(f.markets.iter().map(|x| x.region.as_deref())),
                ),
                nullable(
                    "item",
                    Utf8,
                    "Chip generation for gpu; null otherwise",
                    |f| opt_strings(f.markets.iter().map(|x| x.item.as_deref())),
                ),
                col(
                    "supply",
                    Float64,
                    "Offered: units (gpu), acres (land), spare MW (power), capacity Mtok (inference), USD bid (capital)",
                    |f| f64s(f.markets.iter().map(|x| x.supply)),
                ),
                col(
                    "demand",
                    Float64,
                    "Asked for, in the same unit (gpu includes export-blocked demand)",
                    |f| f64s(f.markets.iter().map(|x| x.demand)),
                ),
                col("cleared", Float64, "Traded, in the same unit", |f| {
                    f64s(f.markets.iter().map(|x| x.cleared))
                }),
                nullable(
                    "price",
                    Float64,
                    "USD per unit, per acre, per MWh, per Mtok, or mean post-money of closed rounds",
                    |f| opt_f64s(f.markets.iter().map(|x| x.price)),
                ),
            ]),
        },
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
        },
        TableDef {
            name: "events",
            description: "Discrete events: orders, deals, contracts, rounds, exits, builds and policy actions.",
            rows: |f| f.events.len(),
            columns: stamped(vec![
                col(
                    "kind",
                    Utf8,
                    "Event kind, for example gpu_order, land_deal, power_contract, round_closed",
                    |f| strings(f.events.iter().map(|x| x.kind)),
                ),
                nullable("agent_id", UInt64, "The acting agent", |f| {
                    opt_u64s(f.events.iter().map(|x| x.agent_id))
                }),
                nullable("counterparty_id", UInt64, "The other agent, if any", |f| {
                    opt_u64s(f.events.iter().map(|x| x.counterparty_id))
                }),
                nullable("region", Utf8, "Region, if the event has one", |f| {
                    opt_strings(f.events.iter().map(|x| x.region.as_deref()))
                }),
                col(
                    "amount_usd",
                    Float64,
                    "Money involved, USD (0 when none)",
                    |f| f64s(f.events.iter().map(|x| x.amount_usd)),
                ),
                nullable(
                    "quantity",
                    Float64,
                    "Units, acres, MW, tokens or counts, per kind",
                    |f| opt_f64s(f.events.iter().map(|x| x.quantity)),
                ),
                col("detail", Utf8, "Human-readable detail", |f| {
                    strings(f.events.iter().map(|x| x.detail.as_str()))
                }),
            ]),
        },
    ]
}

/// Names of all tables, in order.
pub fn table_names() -> Vec<&'static str> {
    tables().iter().map(|t| t.name).collect()
}
