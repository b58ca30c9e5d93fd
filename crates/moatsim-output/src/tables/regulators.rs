//! The `regulators` table: one row per regulator (jurisdiction) per quarter.

use super::TableDef;
use super::declare::Table;

pub(crate) fn table() -> TableDef {
    let mut t = Table::new(
        "regulators",
        "One row per regulator (jurisdiction) per quarter.",
        |f| &f.regulators,
    )
    .of_named_agents();
    t.u64("regulator_id", |r| r.regulator_id).means("Agent id");
    t.str("name", |r| &r.name).means("Regulator name");
    t.str("jurisdiction", |r| &r.jurisdiction)
        .means("Jurisdiction it governs");
    t.f64("cash", |r| r.cash)
        .means("Licence fees collected since the start, USD");
    t.u32("permit_delay_quarters", |r| r.permit_delay_quarters)
        .means("Delay a new data-center permit application faces, quarters");
    t.u64("permits_pending", |r| r.permits_pending)
        .means("Permit applications waiting");
    t.u64("permits_granted", |r| r.permits_granted)
        .means("Permits granted this quarter");
    t.f64("licence_fees", |r| r.licence_fees)
        .means("Export licence fees collected this quarter, USD");
    t.u64("blocked_gpu_units", |r| r.blocked_gpu_units)
        .means("GPU units demanded from embargoed regions and blocked this quarter");
    t.f64("hhi_observed", |r| r.hhi_observed)
        .means("Inference-revenue HHI it observed at the start of the quarter");
    t.bool("antitrust_review", |r| r.antitrust_review)
        .means("True while concentration exceeds its threshold");
    t.build()
}
