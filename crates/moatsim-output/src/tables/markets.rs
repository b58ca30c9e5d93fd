//! The `markets` table: one row per market clearing per quarter.

use super::TableDef;
use super::declare::Table;

pub(crate) fn table() -> TableDef {
    let mut t = Table::new(
        "markets",
        "One row per market clearing per quarter: gpu per generation, land and power per region, inference and capital globally.",
        |f| &f.markets,
    );
    t.str("market", |r| r.market)
        .means("gpu, land, power, inference, capital or cloud");
    t.nullable_str("region", |r| r.region.as_deref())
        .means("Region for land and power; null for global markets");
    t.nullable_str("item", |r| r.item.as_deref())
        .means("Chip generation for gpu; null otherwise");
    t.f64("supply", |r| r.supply)
        .means("Offered: units (gpu), acres (land), spare MW (power), capacity Mtok (inference), USD bid (capital)");
    t.f64("demand", |r| r.demand)
        .means("Asked for, in the same unit (gpu includes export-blocked demand)");
    t.f64("cleared", |r| r.cleared)
        .means("Traded, in the same unit");
    t.nullable_f64("price", |r| r.price)
        .means("USD per unit, per acre, per MWh, per Mtok, or mean post-money of closed rounds");
    t.build()
}
