//! The `regulators` table: one row per regulator (jurisdiction) per quarter.

use arrow_schema::DataType::{Boolean, Float64, UInt32, UInt64, Utf8};

use super::{TableDef, bools, col, f64s, stamped, strings, u32s, u64s};

pub(crate) fn table() -> TableDef {
    TableDef {
        name: "regulators",
        description: "One row per regulator (jurisdiction) per quarter.",
        rows: |f| f.regulators.len(),
        columns: stamped(vec![
            col("regulator_id", UInt64, "Agent id", |f| {
                u64s(f.regulators.iter().map(|x| x.regulator_id))
            }),
            col("name", Utf8, "Regulator name", |f| {
                strings(f.regulators.iter().map(|x| x.name.as_str()))
            }),
            col("jurisdiction", Utf8, "Jurisdiction it governs", |f| {
                strings(f.regulators.iter().map(|x| x.jurisdiction.as_str()))
            }),
            col(
                "cash",
                Float64,
                "Licence fees collected since the start, USD",
                |f| f64s(f.regulators.iter().map(|x| x.cash)),
            ),
            col(
                "permit_delay_quarters",
                UInt32,
                "Delay a new data-center permit application faces, quarters",
                |f| u32s(f.regulators.iter().map(|x| x.permit_delay_quarters)),
            ),
            col(
                "permits_pending",
                UInt64,
                "Permit applications waiting",
                |f| u64s(f.regulators.iter().map(|x| x.permits_pending)),
            ),
            col(
                "permits_granted",
                UInt64,
                "Permits granted this quarter",
                |f| u64s(f.regulators.iter().map(|x| x.permits_granted)),
            ),
            col(
                "licence_fees",
                Float64,
                "Export licence fees collected this quarter, USD",
                |f| f64s(f.regulators.iter().map(|x| x.licence_fees)),
            ),
            col(
                "blocked_gpu_units",
                UInt64,
                "GPU units demanded from embargoed regions and blocked this quarter",
                |f| u64s(f.regulators.iter().map(|x| x.blocked_gpu_units)),
            ),
            col(
                "hhi_observed",
                Float64,
                "Inference-revenue HHI it observed at the start of the quarter",
                |f| f64s(f.regulators.iter().map(|x| x.hhi_observed)),
            ),
            col(
                "antitrust_review",
                Boolean,
                "True while concentration exceeds its threshold",
                |f| bools(f.regulators.iter().map(|x| x.antitrust_review)),
            ),
        ]),
    }
}
