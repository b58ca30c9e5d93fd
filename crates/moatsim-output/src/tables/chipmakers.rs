//! The `chipmakers` table: one row per chipmaker per quarter.

use arrow_schema::DataType::{Float64, UInt64, Utf8};

use super::{TableDef, col, f64s, nullable, opt_f64s, stamped, strings, u64s};

pub(crate) fn table() -> TableDef {
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
    }
}
