//! The `events` table: discrete events (orders, deals, contracts, rounds,
//! exits, builds and policy actions), one row each.

use super::TableDef;
use super::declare::Table;

pub(crate) fn table() -> TableDef {
    let mut t = Table::new(
        "events",
        "Discrete events: orders, deals, contracts, rounds, exits, builds and policy actions.",
        |f| &f.events,
    );
    t.str("kind", |r| r.kind)
        .means("Event kind, for example gpu_order, land_deal, power_contract, round_closed");
    t.nullable_u64("agent_id", |r| r.agent_id)
        .means("The acting agent");
    t.nullable_u64("counterparty_id", |r| r.counterparty_id)
        .means("The other agent, if any");
    t.nullable_str("region", |r| r.region.as_deref())
        .means("Region, if the event has one");
    t.f64("amount_usd", |r| r.amount_usd)
        .means("Money involved, USD (0 when none)");
    t.nullable_f64("quantity", |r| r.quantity)
        .means("Units, acres, MW, tokens or counts, per kind");
    t.str("detail", |r| &r.detail)
        .means("Human-readable detail");
    t.build()
}
