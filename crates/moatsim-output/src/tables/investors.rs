//! The `investors` table: one row per investor per quarter.

use arrow_schema::DataType::{Float64, UInt64, Utf8};

use super::{TableDef, col, f64s, stamped, strings, u64s};

pub(crate) fn table() -> TableDef {
    TableDef {
        name: "investors",
        description: "One row per investor per quarter.",
        rows: |f| f.investors.len(),
        columns: stamped(vec![
            col("investor_id", UInt64, "Agent id", |f| {
                u64s(f.investors.iter().map(|x| x.investor_id))
            }),
            col("name", Utf8, "Investor name", |f| {
                strings(f.investors.iter().map(|x| x.name.as_str()))
            }),
            col(
                "kind",
                Utf8,
                "venture, growth, infrastructure_pe, sovereign, strategic or enterprise_jv",
                |f| strings(f.investors.iter().map(|x| x.kind)),
            ),
            col(
                "dry_powder",
                Float64,
                "Uninvested cash at the end of the quarter, USD",
                |f| f64s(f.investors.iter().map(|x| x.dry_powder)),
            ),
            col(
                "invested",
                Float64,
                "Invested in rounds this quarter, USD",
                |f| f64s(f.investors.iter().map(|x| x.invested)),
            ),
            col(
                "invested_total",
                Float64,
                "Invested since the start of the run, USD",
                |f| f64s(f.investors.iter().map(|x| x.invested_total)),
            ),
            col(
                "portfolio_value",
                Float64,
                "Holdings marked at the labs' valuations, USD",
                |f| f64s(f.investors.iter().map(|x| x.portfolio_value)),
            ),
            col("holdings", UInt64, "Labs held", |f| {
                u64s(f.investors.iter().map(|x| x.holdings))
            }),
            col(
                "powered_land_acres",
                Float64,
                "Powered land (with grid positions) banked, acres",
                |f| f64s(f.investors.iter().map(|x| x.powered_land_acres)),
            ),
            col(
                "land_acres",
                Float64,
                "Land banked to resell to labs (raw and powered), acres",
                |f| f64s(f.investors.iter().map(|x| x.land_acres)),
            ),
            col(
                "land_value",
                Float64,
                "Banked land marked at the landowners' current price, USD",
                |f| f64s(f.investors.iter().map(|x| x.land_value)),
            ),
            col(
                "land_sales",
                Float64,
                "Banked land resold to labs this quarter, USD",
                |f| f64s(f.investors.iter().map(|x| x.land_sales)),
            ),
            col(
                "land_gain",
                Float64,
                "Banked land resold this quarter: price less its cost, USD",
                |f| f64s(f.investors.iter().map(|x| x.land_gain)),
            ),
            col(
                "financed_halls",
                Float64,
                "Halls the fund has paid for and leases to labs (sale-leaseback), at cost, USD",
                |f| f64s(f.investors.iter().map(|x| x.financed_halls)),
            ),
            col(
                "lease_income",
                Float64,
                "Leases labs paid this quarter on halls the fund owns, USD",
                |f| f64s(f.investors.iter().map(|x| x.lease_income)),
            ),
            col(
                "lease_profit",
                Float64,
                "lease_income less the depreciation of the halls the fund owns, USD",
                |f| f64s(f.investors.iter().map(|x| x.lease_profit)),
            ),
        ]),
    }
}
