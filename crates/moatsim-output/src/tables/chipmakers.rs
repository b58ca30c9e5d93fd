//! The `chipmakers` table: one row per chipmaker per quarter.

use super::TableDef;
use super::declare::Table;

pub(crate) fn table() -> TableDef {
    let mut t = Table::new("chipmakers", "One row per chipmaker per quarter.", |f| {
        &f.chipmakers
    })
    .of_named_agents();
    t.u64("chipmaker_id", |r| r.chipmaker_id).means("Agent id");
    t.str("name", |r| &r.name).means("Chipmaker name");
    t.f64("cash", |r| r.cash)
        .means("Cash at the end of the quarter, USD");
    t.f64("packaging_wafers", |r| r.packaging_wafers)
        .means("Advanced-packaging wafers per quarter it can use");
    t.u64("capacity_units", |r| r.capacity_units)
        .means("Units per quarter its packaging could produce of its densest-packed generation");
    t.u64("produced_units", |r| r.produced_units)
        .means("Units produced this quarter");
    t.u64("units_sold", |r| r.units_sold)
        .means("Units sold this quarter");
    t.u64("inventory_units", |r| r.inventory_units)
        .means("Unsold units carried to next quarter");
    t.u64("backlog_units", |r| r.backlog_units)
        .means("Eligible demand it could not serve this quarter");
    t.nullable_f64("asp", |r| r.asp)
        .means("Average selling price per unit, accelerator only (without networking), USD (null when nothing sold)");
    t.f64("revenue", |r| r.revenue)
        .means("Revenue: accelerators and the networking it sold with them, USD");
    t.f64("networking_revenue", |r| r.networking_revenue)
        .means("The part of revenue from networking sold with its accelerators (world.networking_share_of_dc_revenue of what buyers pay; 0 for a maker whose buyers get their fabric elsewhere), USD");
    t.nullable_f64("gross_margin", |r| r.gross_margin)
        .means("(revenue - cost of units sold) / revenue (null when nothing sold)");
    t.f64("production_cost", |r| r.production_cost)
        .means("Paid to produce this quarter's units (sold or not), USD");
    t.f64("expansion_spend", |r| r.expansion_spend)
        .means("Spent on packaging capacity expansion this quarter, USD");
    t.f64("depreciation", |r| r.depreciation)
        .means("Packaging capacity's book cost over world.packaging_life_quarters, USD");
    t.f64("operating_profit", |r| r.operating_profit)
        .means("Revenue less cost of sales less depreciation, USD");
    t.build()
}
