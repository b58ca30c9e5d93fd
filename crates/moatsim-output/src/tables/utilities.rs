//! The `utilities` table: one row per utility per quarter.

use arrow_schema::DataType::{Float64, UInt64, Utf8};

use super::{TableDef, col, f64s, nullable, opt_f64s, stamped, strings, u64s};

pub(crate) fn table() -> TableDef {
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
    }
}
