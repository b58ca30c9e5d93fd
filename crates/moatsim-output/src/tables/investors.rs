//! The `investors` table: one row per investor per quarter.

use super::TableDef;
use super::declare::Table;

pub(crate) fn table() -> TableDef {
    let mut t = Table::new("investors", "One row per investor per quarter.", |f| {
        &f.investors
    })
    .of_named_agents();
    t.u64("investor_id", |r| r.investor_id).means("Agent id");
    t.str("name", |r| &r.name).means("Investor name");
    t.str("kind", |r| r.kind)
        .means("venture, growth, infrastructure_pe, sovereign, strategic or enterprise_jv");
    t.f64("dry_powder", |r| r.dry_powder)
        .means("Uninvested cash at the end of the quarter, USD");
    t.f64("invested", |r| r.invested)
        .means("Invested in rounds this quarter, USD");
    t.f64("invested_total", |r| r.invested_total)
        .means("Invested since the start of the run, USD");
    t.f64("portfolio_value", |r| r.portfolio_value)
        .means("Holdings marked at the labs' valuations, USD");
    t.u64("holdings", |r| r.holdings).means("Labs held");
    t.f64("powered_land_acres", |r| r.powered_land_acres)
        .means("Powered land (with grid positions) banked, acres");
    t.f64("land_acres", |r| r.land_acres)
        .means("Land banked to resell to labs (raw and powered), acres");
    t.f64("land_value", |r| r.land_value)
        .means("Banked land marked at the landowners' current price, USD");
    t.f64("land_sales", |r| r.land_sales)
        .means("Banked land resold to labs this quarter, USD");
    t.f64("land_gain", |r| r.land_gain)
        .means("Banked land resold this quarter: price less its cost, USD");
    t.f64("financed_halls", |r| r.financed_halls)
        .means("Halls the fund has paid for and leases to labs (sale-leaseback), at cost, USD");
    t.f64("lease_income", |r| r.lease_income)
        .means("Leases labs paid this quarter on halls the fund owns, USD");
    t.f64("lease_profit", |r| r.lease_profit)
        .means("lease_income less the depreciation of the halls the fund owns, USD");
    t.build()
}
