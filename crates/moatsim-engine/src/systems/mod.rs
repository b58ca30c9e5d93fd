//! The systems of one quarter, one room per market: each market's bids,
//! clearing and consequences live together, decisions that span markets live
//! in `labs`, and `crate::schedule` is the one place that orders them by
//! phase. The helpers below are the rules several markets share (export
//! treatment, where a lab may put compute, who leads the market).

pub mod account;
pub mod capital;
pub mod cloud;
pub mod contracts;
pub mod gpu;
pub mod inference;
pub mod labs;
pub mod land;
pub mod power;
pub mod projects;
pub mod quarter;
pub mod record;

use bevy_ecs::prelude::Query;
use moatsim_config::{ExportTier, Scenario};
use moatsim_model::Quarter;

use crate::components::{Chipmaker, Lab, Product, Regulator};
use moatsim_model::market::gpu::ExportTreatment;

/// The capability of the reference model of the cost curve: the frontier at
/// the start of the run, which serves `world.mtok_per_h100e_quarter`.
pub fn reference_capability(scenario: &Scenario) -> f64 {
    scenario
        .labs
        .iter()
        .map(|l| l.capability)
        .fold(f64::NEG_INFINITY, f64::max)
}

/// The product of each chip generation that buyers can order this quarter
/// (released and with capacity or stock), indexed like `scenario.chips`.
pub fn products_on_sale<'a>(
    scenario: &Scenario,
    quarter: Quarter,
    makers: impl Iterator<Item = &'a Chipmaker>,
) -> Vec<Option<&'a Product>> {
    let mut on_sale = vec![None; scenario.chips.len()];
    for maker in makers {
        for product in &maker.products {
            if scenario.chips[product.chip].available <= quarter && product.on_sale() {
                on_sale[product.chip] = Some(product);
            }
        }
    }
    on_sale
}

/// What a buyer pays for one unit of `product` with the networking that
/// connects it (`market::networking`): the price every buyer weighs against
/// what the unit is worth to it, and the price the market clears at.
pub fn system_price(scenario: &Scenario, product: &Product) -> f64 {
    moatsim_model::market::networking::SystemPrice::of(
        product.ask_usd,
        scenario.world.networking_share_of_dc_revenue,
    )
    .total_usd()
}

/// The licence-fee rate each chipmaker's home regulator charges on exports
/// to capped regions, indexed like `scenario.chipmakers`.
pub fn licence_fee_rates(scenario: &Scenario) -> Vec<f64> {
    scenario
        .chipmakers
        .iter()
        .map(|m| {
            scenario
                .regulators
                .iter()
                .find(|r| r.jurisdiction == m.jurisdiction)
                .map_or(0.0, |r| r.licence_fee_rate)
        })
        .collect()
}

/// The largest share of the inference market among open labs.
pub fn leader_share<'a>(labs: impl IntoIterator<Item = &'a Lab>) -> f64 {
    labs.into_iter()
        .filter(|l| l.alive)
        .map(|l| l.market_share)
        .fold(0.0, f64::max)
}

/// Whether `lab` leads the inference market (a positive share, at least the
/// leader's) while its home regulator has an antitrust review open. Such a
/// lab may not take money from strategic investors, form a joint venture or
/// buy a failed lab.
pub fn leader_under_review(
    scenario: &Scenario,
    regulators: &Query<&Regulator>,
    lab: &Lab,
    leader_share: f64,
) -> bool {
    let regulator = scenario.regions[lab.home_region].regulator;
    leads_market(lab, leader_share)
        && regulators
            .iter()
            .any(|r| r.index == regulator && r.antitrust_review)
}

/// Whether `lab` has the largest (positive) share of the inference market.
pub fn leads_market(lab: &Lab, leader_share: f64) -> bool {
    lab.market_share > 0.0 && lab.market_share >= leader_share
}

/// Whether a lab at home in `home_region` may put compute in `region`, by
/// building or by renting: its own regulator must let it build there, and
/// export rules must let accelerators reach it there. Controlled accelerators
/// reach no embargoed region, and no lab at home in an embargoed region may
/// use them abroad (rental is treated as a sale); at home a lab uses what is
/// already there or domestic chips.
pub fn lab_may_use_region(scenario: &Scenario, home_region: usize, region: usize) -> bool {
    let home = &scenario.regions[home_region];
    let there = &scenario.regions[region];
    if !scenario.regulators[home.regulator].allows_building_in(&there.jurisdiction) {
        return false;
    }
    there.jurisdiction == home.jurisdiction
        || (there.export_tier != ExportTier::Embargoed && home.export_tier != ExportTier::Embargoed)
}

/// How a region's export tier treats a chip generation, given the licence fee
/// charged by the regulator of the chip's maker. A generation with `sold_in`
/// is embargoed outside those jurisdictions.
pub fn export_treatment(
    scenario: &Scenario,
    region: usize,
    chip: usize,
    fee_rate: f64,
) -> ExportTreatment {
    let generation = &scenario.chips[chip];
    // A generation sold only in some jurisdictions (a domestic chip) is not
    // for sale anywhere else.
    if let Some(sold_in) = &generation.sold_in
        && !sold_in.contains(&scenario.regions[region].jurisdiction)
    {
        return ExportTreatment::Embargoed;
    }
    if !generation.controlled {
        return ExportTreatment::Unrestricted;
    }
    match scenario.regions[region].export_tier {
        ExportTier::Unrestricted => ExportTreatment::Unrestricted,
        ExportTier::Capped => ExportTreatment::Licensed { fee_rate },
        ExportTier::Embargoed => ExportTreatment::Embargoed,
    }
}
