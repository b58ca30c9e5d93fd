//! The `app_builders` table: one row per app builder (all, a sample or none),
//! the largest table by far; its columns are moved out of the frame, not copied.

use arrow_schema::DataType::{Boolean, Float64, UInt32, UInt64, Utf8};

use super::{
    TableDef, bools, col, moved_f64s, moved_u32s, moved_u64s, nullable, opt_u64s, stamped, strings,
    unranged,
};

pub(crate) fn table() -> TableDef {
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
    }
}
