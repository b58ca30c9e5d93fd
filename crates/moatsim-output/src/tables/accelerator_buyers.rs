//! The `accelerator_buyers` table: the rest of the accelerator market
//! (hyperscalers' own fleets, neoclouds, enterprise and sovereign buyers),
//! one row per aggregate buyer per quarter.

use super::TableDef;
use super::declare::Table;

pub(crate) fn table() -> TableDef {
    let mut t = Table::new(
        "accelerator_buyers",
        "One row per aggregate buyer of accelerators (the rest of the market: hyperscalers' own fleets, neoclouds, enterprise and sovereign buyers) per quarter.",
        |f| &f.accelerator_buyers,
    )
    .of_named_agents();
    t.u64("buyer_id", |r| r.buyer_id)
        .means("Agent id, unique across all agent kinds in the run");
    t.str("name", |r| &r.name)
        .means("Buyer name from the scenario");
    t.str("kind", |r| r.kind)
        .means("hyperscaler, neocloud, enterprise, sovereign or other");
    t.str("region", |r| &r.region)
        .means("Region its fleet runs in");
    t.f64("fleet_h100e", |r| r.fleet_h100e)
        .means("Compute running at the end of the quarter, H100e");
    t.f64("load_mw", |r| r.load_mw)
        .means("Power its fleet draws, PUE included, MW");
    t.f64("retired_h100e", |r| r.retired_h100e)
        .means("Compute that reached world.gpu_life_quarters of age and left the fleet at the start of the quarter, H100e");
    t.f64("wanted_h100e", |r| r.wanted_h100e)
        .means("Fleet growth it wanted this quarter, with the replacement of its own share of what retired, H100e");
    t.f64("ordered_h100e", |r| r.ordered_h100e).means(
        "What it ordered at this quarter's asks (price elasticity, value, grid room), H100e",
    );
    t.f64("bought_h100e", |r| r.bought_h100e)
        .means("What it received, H100e");
    t.u64("units_bought", |r| r.units_bought)
        .means("Accelerators received, units");
    t.f64("spend", |r| r.spend)
        .means("Paid for accelerators, licence fees included, USD");
    t.f64("capex", |r| r.capex)
        .means("Capital spending: spend / accelerator_share_of_capex, USD");
    t.f64("power_cost", |r| r.power_cost)
        .means("Energy bill, USD");
    t.f64("depreciation", |r| r.depreciation)
        .means("What the fleet still running cost (starting fleet at book value, plus purchases, less what retired) / world.gpu_life_quarters, USD");
    t.f64("rental_fleet_h100e", |r| r.rental_fleet_h100e)
        .means("The part of its fleet offered for rent to labs, H100e");
    t.f64("rental_cost_per_h100e_hour", |r| r.rental_cost_per_h100e_hour)
        .means("What owning an H100e costs it (depreciation, cost of capital, energy), USD per H100e-hour: the least it rents out at");
    t.f64("rented_out_h100e", |r| r.rented_out_h100e)
        .means("H100e rented to labs this quarter");
    t.f64("rental_revenue", |r| r.rental_revenue)
        .means("Rent received from labs, USD");
    t.f64("contracted_out_h100e", |r| r.contracted_out_h100e)
        .means(
            "The part of rented_out_h100e delivered under compute contracts this quarter, H100e",
        );
    t.f64("backlog_usd", |r| r.backlog_usd)
        .means("Remaining payments of its compute contracts after this quarter (revenue backlog; 0 without a [contracts] section), USD");
    t.f64("rental_profit", |r| r.rental_profit)
        .means("Rent received less the rental fleet's share of energy and depreciation, USD");
    t.bool("power_limited", |r| r.power_limited)
        .means("True when its grid's spare capacity cut the order");
    t.f64("power_queued_mw", |r| r.power_queued_mw)
        .means("MW it waits for in its utility's interconnection queue (what cut orders lacked)");
    t.f64("power_reserved_mw", |r| r.power_reserved_mw)
        .means("MW the queue granted it that its fleet does not draw yet");
    t.f64("load_elsewhere_mw", |r| r.load_elsewhere_mw)
        .means("Part of load_mw that runs outside its home region (growth placed where its home grid had no room)");
    t.build()
}
