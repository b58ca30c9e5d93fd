//! The `app_builders` table: one row per app builder (all, a sample or none),
//! the largest table by far; its columns are moved out of the frame, not copied.

use std::sync::Arc;

use arrow_array::{ArrayRef, UInt64Array};
use arrow_schema::DataType::{Boolean, UInt64, Utf8};
use moatsim_records::TickFrame;

use super::TableDef;
use super::declare::{ColumnarTable, bools, strings};

pub(crate) fn table() -> TableDef {
    let mut t = ColumnarTable::new(
        "app_builders",
        "One row per app builder alive at the start of the quarter (all, a sample, or none: see the scenario's [output] table).",
        |f| f.app_builders.len(),
    );
    // Every row group holds every builder, so the builders' ranges prune
    // nothing; computing them took a tenth of the writer's time at a million
    // builders (`benches/write.rs`).
    t.without_statistics();
    t.moved_u64("builder_id", |f| &mut f.app_builders.builder_id)
        .plain()
        .means("Agent id");
    t.encoded("segment", Utf8, segment_names)
        .means("Market segment from the scenario");
    t.nullable_encoded("provider_lab_id", UInt64, provider_lab_ids)
        .means("Lab chosen this quarter (null if no lab was open)");
    // Money and tokens are nearly all distinct doubles: a dictionary is
    // abandoned and zstd saves about 5% for a seventh of the writer's time.
    t.moved_f64("demand_tokens", |f| &mut f.app_builders.demand_tokens)
        .raw()
        .means("Tokens wanted at the chosen lab's price, millions");
    t.moved_f64("tokens", |f| &mut f.app_builders.tokens)
        .raw()
        .means("Tokens served, millions");
    t.moved_f64("spend", |f| &mut f.app_builders.spend)
        .raw()
        .means("Paid to the lab, USD");
    t.moved_f64("revenue", |f| &mut f.app_builders.revenue)
        .raw()
        .means("Earned from its own customers, USD");
    t.moved_f64("profit", |f| &mut f.app_builders.profit)
        .raw()
        .means("Revenue minus spend minus fixed costs, USD");
    t.moved_f64("switching_cost", |f| &mut f.app_builders.switching_cost)
        .raw()
        .means("Cost of leaving its provider, in choice-utility units");
    t.moved_u32("tenure_quarters", |f| &mut f.app_builders.tenure_quarters)
        .means("Consecutive quarters with its current provider");
    t.encoded("alive", Boolean, alive)
        .means("False in the quarter it exits after sustained losses");
    t.build()
}

/// Each builder's segment by name (the frame holds indices into its list of
/// segment names).
fn segment_names(frame: &mut TickFrame) -> ArrayRef {
    strings(
        frame
            .app_builders
            .segment
            .iter()
            .map(|&s| frame.segment_names[usize::from(s)].as_str()),
    )
}

/// Arrow packs nullable ids with a validity bitmap, so they are copied.
fn provider_lab_ids(frame: &mut TickFrame) -> ArrayRef {
    Arc::new(
        frame
            .app_builders
            .provider_lab_id
            .iter()
            .copied()
            .collect::<UInt64Array>(),
    )
}

/// Arrow packs booleans into bits, so they are copied.
fn alive(frame: &mut TickFrame) -> ArrayRef {
    bools(frame.app_builders.alive.iter().copied())
}
