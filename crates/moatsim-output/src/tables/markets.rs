//! The `markets` table: one row per market clearing per quarter.

use arrow_schema::DataType::{Float64, Utf8};

use super::{TableDef, col, f64s, nullable, opt_f64s, opt_strings, stamped, strings};

pub(crate) fn table() -> TableDef {
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
    }
}
