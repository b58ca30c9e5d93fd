//! The `accelerator_buyers` table: the rest of the accelerator market
//! (hyperscalers' own fleets, neoclouds, enterprise and sovereign buyers),
//! one row per aggregate buyer per quarter.

use arrow_schema::DataType::{Boolean, Float64, UInt64, Utf8};

use super::{TableDef, bools, col, f64s, stamped, strings, u64s};

pub(crate) fn table() -> TableDef {
    TableDef {
        name: "accelerator_buyers",
        description: "One row per aggregate buyer of accelerators (the rest of the market: hyperscalers' own fleets, neoclouds, enterprise and sovereign buyers) per quarter.",
        rows: |f| f.accelerator_buyers.len(),
        columns: stamped(vec![
            col(
                "buyer_id",
                UInt64,
                "Agent id, unique across all agent kinds in the run",
                |f| u64s(f.accelerator_buyers.iter().map(|x| x.buyer_id)),
            ),
            col("name", Utf8, "Buyer name from the scenario", |f| {
                strings(f.accelerator_buyers.iter().map(|x| x.name.as_str()))
            }),
            col(
                "kind",
                Utf8,
                "hyperscaler, neocloud, enterprise, sovereign or other",
                |f| strings(f.accelerator_buyers.iter().map(|x| x.kind)),
            ),
            col("region", Utf8, "Region its fleet runs in", |f| {
                strings(f.accelerator_buyers.iter().map(|x| x.region.as_str()))
            }),
            col(
                "fleet_h100e",
                Float64,
                "Compute running at the end of the quarter, H100e",
                |f| f64s(f.accelerator_buyers.iter().map(|x| x.fleet_h100e)),
            ),
            col(
                "load_mw",
                Float64,
                "Power its fleet draws, PUE included, MW",
                |f| f64s(f.accelerator_buyers.iter().map(|x| x.load_mw)),
            ),
            col(
                "wanted_h100e",
                Float64,
                "Fleet growth it wanted this quarter, H100e",
                |f| f64s(f.accelerator_buyers.iter().map(|x| x.wanted_h100e)),
            ),
            col(
                "ordered_h100e",
                Float64,
                "What it ordered at this quarter's asks (price elasticity, value, grid room), H100e",
                |f| f64s(f.accelerator_buyers.iter().map(|x| x.ordered_h100e)),
            ),
            col("bought_h100e", Float64, "What it received, H100e", |f| {
                f64s(f.accelerator_buyers.iter().map(|x| x.bought_h100e))
            }),
            col(
                "units_bought",
                UInt64,
                "Accelerators received, units",
                |f| u64s(f.accelerator_buyers.iter().map(|x| x.units_bought)),
            ),
            col(
                "spend",
                Float64,
                "Paid for accelerators, licence fees included, USD",
                |f| f64s(f.accelerator_buyers.iter().map(|x| x.spend)),
            ),
            col(
                "capex",
                Float64,
                "Capital spending: spend / accelerator_share_of_capex, USD",
                |f| f64s(f.accelerator_buyers.iter().map(|x| x.capex)),
            ),
            col("power_cost", Float64, "Energy bill, USD", |f| {
                f64s(f.accelerator_buyers.iter().map(|x| x.power_cost))
            }),
            col(
                "depreciation",
                Float64,
                "What its fleet cost (starting fleet at book value, plus purchases) / world.gpu_life_quarters, USD",
                |f| f64s(f.accelerator_buyers.iter().map(|x| x.depreciation)),
            ),
            col(
                "rental_fleet_h100e",
                Float64,
                "The part of its fleet offered for rent to labs, H100e",
                |f| f64s(f.accelerator_buyers.iter().map(|x| x.rental_fleet_h100e)),
            ),
            col(
                "rental_cost_per_h100e_hour",
                Float64,
                "What owning an H100e costs it (depreciation, cost of capital, energy), USD per H100e-hour: the least it rents out at",
                |f| {
                    f64s(
                        f.accelerator_buyers
                            .iter()
                            .map(|x| x.rental_cost_per_h100e_hour),
                    )
                },
            ),
            col(
                "rented_out_h100e",
                Float64,
                "H100e rented to labs this quarter",
                |f| f64s(f.accelerator_buyers.iter().map(|x| x.rented_out_h100e)),
            ),
            col(
                "rental_revenue",
                Float64,
                "Rent received from labs, USD",
                |f| f64s(f.accelerator_buyers.iter().map(|x| x.rental_revenue)),
            ),
            col(
                "rental_profit",
                Float64,
                "Rent received less the rental fleet's share of energy and depreciation, USD",
                |f| f64s(f.accelerator_buyers.iter().map(|x| x.rental_profit)),
            ),
            col(
                "power_limited",
                Boolean,
                "True when its grid's spare capacity cut the order",
                |f| bools(f.accelerator_buyers.iter().map(|x| x.power_limited)),
            ),
            col(
                "power_queued_mw",
                Float64,
                "MW it waits for in its utility's interconnection queue (what cut orders lacked)",
                |f| f64s(f.accelerator_buyers.iter().map(|x| x.power_queued_mw)),
            ),
            col(
                "power_reserved_mw",
                Float64,
                "MW the queue granted it that its fleet does not draw yet",
                |f| f64s(f.accelerator_buyers.iter().map(|x| x.power_reserved_mw)),
            ),
            col(
                "load_elsewhere_mw",
                Float64,
                "Part of load_mw that runs outside its home region (growth placed where its home grid had no room)",
                |f| f64s(f.accelerator_buyers.iter().map(|x| x.load_elsewhere_mw)),
            ),
        ]),
    }
}
