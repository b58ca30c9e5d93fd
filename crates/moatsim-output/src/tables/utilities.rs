//! The `utilities` table: one row per utility per quarter.

use super::TableDef;
use super::declare::Table;

pub(crate) fn table() -> TableDef {
    let mut t = Table::new("utilities", "One row per utility per quarter.", |f| {
        &f.utilities
    })
    .of_named_agents();
    t.u64("utility_id", |r| r.utility_id).means("Agent id");
    t.str("name", |r| &r.name).means("Utility name");
    t.str("region", |r| &r.region).means("Region it serves");
    t.f64("cash", |r| r.cash)
        .means("Cash at the end of the quarter, USD");
    t.f64("generation_mw", |r| r.generation_mw)
        .means("Generation capacity online, MW");
    t.f64("committed_mw", |r| r.committed_mw)
        .means("Base load, contracted data-center load, aggregate buyers' added load and powered-land reservations, MW");
    t.f64("powered_reserved_mw", |r| r.powered_reserved_mw)
        .means("Grid positions powered land carries that no project uses yet, MW (committed)");
    t.f64("dc_contracted_mw", |r| r.dc_contracted_mw)
        .means("Data-center load contracted, through the queue or on powered land, MW");
    t.nullable_f64("reserve_margin", |r| r.reserve_margin)
        .means("(generation - committed) / committed; null when nothing is committed");
    t.f64("tariff", |r| r.tariff)
        .means("Price per MWh: base tariff plus scarcity adder, USD");
    t.u64("queue_requests", |r| r.queue_requests)
        .means("Interconnection requests waiting");
    t.f64("queue_mw", |r| r.queue_mw)
        .means("MW waiting in the interconnection queue");
    t.f64("mean_queue_wait_quarters", |r| r.mean_queue_wait_quarters)
        .means("Mean age of waiting requests, quarters");
    t.f64("granted_mw", |r| r.granted_mw)
        .means("MW granted interconnection this quarter");
    t.u64("granted_requests", |r| r.granted_requests)
        .means("Interconnection requests granted this quarter");
    t.f64("mean_wait_of_granted_quarters", |r| {
        r.mean_wait_of_granted_quarters
    })
    .means("Mean time the requests granted this quarter waited, quarters");
    t.f64("under_construction_mw", |r| r.under_construction_mw)
        .means("Generation under construction, MW");
    t.f64("builds_started_mw", |r| r.builds_started_mw)
        .means("Generation started this quarter, MW");
    t.f64("energy_sold_mwh", |r| r.energy_sold_mwh)
        .means("Energy sold to data centers this quarter, MWh");
    t.f64("revenue", |r| r.revenue)
        .means("Data-center energy revenue, USD");
    t.f64("depreciation", |r| r.depreciation)
        .means("Plants built during the run, over world.generation_life_quarters, USD");
    t.f64("profit", |r| r.profit)
        .means("Revenue minus generation cost and depreciation, USD");
    t.build()
}
