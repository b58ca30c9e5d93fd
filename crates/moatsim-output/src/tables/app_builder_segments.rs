//! The `app_builder_segments` table: one row per app-builder segment per
//! quarter, summed over every builder whatever the output mode.

use arrow_schema::DataType::{Float64, UInt64, Utf8};

use super::{TableDef, col, f64s, stamped, strings, u64s};

pub(crate) fn table() -> TableDef {
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
    }
}
