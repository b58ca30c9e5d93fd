//! The `events` table: discrete events (orders, deals, contracts, rounds,
//! exits, builds and policy actions), one row each.

use arrow_schema::DataType::{Float64, UInt64, Utf8};

use super::{TableDef, col, f64s, nullable, opt_f64s, opt_strings, opt_u64s, stamped, strings};

pub(crate) fn table() -> TableDef {
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
    }
}
