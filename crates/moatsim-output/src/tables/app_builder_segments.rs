//! The `app_builder_segments` table: one row per app-builder segment per
//! quarter, summed over every builder whatever the output mode.

use moatsim_records::SegmentRow;

use super::TableDef;
use super::declare::Table;

pub(crate) fn table() -> TableDef {
    let mut t = Table::new(
        "app_builder_segments",
        "One row per app-builder segment per quarter, summed over every builder whatever the output mode.",
        |f| &f.app_builder_segments,
    );
    t.str("segment", |r| &r.segment)
        .means("Market segment from the scenario");
    t.u64("builders", |r| r.builders)
        .means("Builders alive at the start of the quarter");
    t.u64("exits", |r| r.exits)
        .means("Builders that exited this quarter");
    t.f64("demand_tokens", |r| r.demand_tokens)
        .means("Tokens wanted, millions");
    t.f64("tokens", |r| r.tokens)
        .means("Tokens served, millions");
    t.f64("spend", |r| r.spend).means("Paid to labs, USD");
    t.f64("revenue", |r| r.revenue)
        .means("Earned from their customers, USD");
    t.f64("profit", |r| r.profit)
        .means("Revenue minus spend minus fixed costs, USD");
    t.f64("mean_switching_cost", mean_switching_cost)
        .means("Mean cost of leaving their provider, in choice-utility units");
    t.f64("fixed_costs", |r| r.fixed_costs)
        .means("Builders' fixed costs, USD");
    t.f64("end_user_price", |r| r.end_user_price)
        .means("Mean price end users pay per million tokens of output, over builders' apps and labs' products, USD");
    t.f64("end_user_demand", |r| r.end_user_demand).means(
        "End-user demand for the segment, builders' and labs' products', millions of tokens",
    );
    t.f64("product_share", |r| r.product_share)
        .means("Labs' own products' share of the segment's end users");
    t.f64("product_revenue", |r| r.product_revenue)
        .means("Labs' own products' revenue in the segment, USD");
    t.u64("entrants", |r| r.entrants).means(
        "Builders entering next quarter, drawn by the segment's margin above a normal return",
    );
    t.f64("adopters", |r| r.adopters).means(
        "Share of the segment's possible users who use its applications (Bass adoption under a ceiling that capability raises)",
    );
    t.f64("tokens_per_task", |r| r.tokens_per_task).means(
        "Tokens per task as counted, over the first quarter's: longer reasoning and agents as the frontier's capability grows",
    );
    t.build()
}

/// The segment's mean switching cost; 0 for a segment without builders, where
/// the mean is undefined (a NaN the writer would refuse).
fn mean_switching_cost(segment: &SegmentRow) -> f64 {
    if segment.builders > 0 {
        segment.switching_cost_sum / segment.builders as f64
    } else {
        0.0
    }
}
