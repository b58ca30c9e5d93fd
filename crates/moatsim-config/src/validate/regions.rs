//! The physical world's catalogues: `[[regions]]`, `[[chips]]` (with each
//! maker's roadmap extended to the horizon) and `[[generation_technologies]]`.

use std::collections::BTreeMap;

use moatsim_model::Quarter;

use crate::check::Checker;
use crate::defaults;
use crate::ranges;
use crate::raw::*;
use crate::scenario::*;

/// `[[regions]]`, each with its jurisdiction's regulator and its one utility.
pub(super) fn check_regions(
    c: &mut Checker<'_>,
    raw: &RawConfig,
    jurisdictions: &BTreeMap<String, usize>,
    utility_of_region: &BTreeMap<usize, usize>,
) -> Vec<Region> {
    raw.regions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let p = |f: &str| format!("regions[{i}].{f}");
            let export_tier = ExportTier::parse(&r.export_tier).unwrap_or_else(|| {
                c.fail(
                    &p("export_tier"),
                    format!("is {:?}; allowed: {}", r.export_tier, ExportTier::ALLOWED),
                );
                ExportTier::Unrestricted
            });
            let utility = utility_of_region.get(&i).copied().unwrap_or_else(|| {
                c.fail(
                    &p("name"),
                    format!(
                        "region {:?} has no utility; add a [[utilities]] entry with region = {:?}",
                        r.name, r.name
                    ),
                );
                0
            });
            Region {
                name: c.name(p("name"), &r.name),
                regulator: c.resolve(
                    p("jurisdiction"),
                    &r.jurisdiction,
                    jurisdictions,
                    "regulators' jurisdictions",
                ),
                jurisdiction: r.jurisdiction.clone(),
                export_tier,
                land_stock_acres: c.within(
                    p("land_stock_acres"),
                    ranges::ACRES,
                    r.land_stock_acres,
                ),
                new_zoning_acres_per_quarter: c.within(
                    p("new_zoning_acres_per_quarter"),
                    ranges::ACRES,
                    r.new_zoning_acres_per_quarter,
                ),
                land_price_per_acre_usd: c.within(
                    p("land_price_per_acre_usd"),
                    ranges::USD_PER_ACRE,
                    r.land_price_per_acre_usd,
                ),
                mw_per_acre: c.within(p("mw_per_acre"), ranges::MW_PER_ACRE, r.mw_per_acre),
                powered_land_acres: c.within(
                    p("powered_land_acres"),
                    ranges::ACRES,
                    r.powered_land_acres.unwrap_or(0.0),
                ),
                powered_land_premium: c.number(
                    p("powered_land_premium"),
                    r.powered_land_premium
                        .unwrap_or(defaults::POWERED_LAND_PREMIUM),
                    0.0,
                    20.0,
                    "a premium from 0 to 20 (a fraction over raw land)",
                ),
                utility,
            }
        })
        .collect()
}

/// `[[chips]]`, with each maker's roadmap extended to the end of the run.
pub(super) fn check_chips(
    c: &mut Checker<'_>,
    raw: &RawConfig,
    chipmaker_names: &BTreeMap<String, usize>,
    chipmakers: &[ChipmakerSpec],
    jurisdictions: &BTreeMap<String, usize>,
    world: &WorldParams,
    end: Quarter,
) -> Vec<ChipGeneration> {
    let mut chips: Vec<ChipGeneration> = raw
        .chips
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let p = |f: &str| format!("chips[{i}].{f}");
            let unit_cost = c.within(p("unit_cost_usd"), ranges::USD_PER_UNIT, g.unit_cost_usd);
            let launch = c.within(p("launch_price_usd"), ranges::USD_PER_UNIT, g.launch_price_usd);
            if launch <= unit_cost {
                c.fail(&p("launch_price_usd"), format!("is {launch}, not above unit_cost_usd ({unit_cost}); allowed: a price above cost"));
            }
            ChipGeneration {
                extrapolated: false,
                name: c.name(p("name"), &g.name),
                maker: c.resolve(p("maker"), &g.maker, chipmaker_names, "chipmakers"),
                available: c.quarter(p("available"), &g.available),
                h100e_per_unit: c.within(p("h100e_per_unit"), ranges::H100E_PER_UNIT, g.h100e_per_unit),
                watts: c.within(p("watts"), ranges::WATTS, g.watts),
                unit_cost_usd: unit_cost,
                launch_price_usd: launch,
                units_per_wafer: c.within(p("units_per_wafer"), ranges::UNITS_PER_WAFER, g.units_per_wafer),
                controlled: g.controlled,
                owner: g.owner.as_ref().map(|name| chip_owner(c, &p("owner"), name, raw)),
                sold_in: g.sold_in.as_ref().map(|list| {
                    list.iter()
                        .enumerate()
                        .map(|(k, j)| {
                            c.resolve(
                                p(&format!("sold_in[{k}]")),
                                j,
                                jurisdictions,
                                "regulators' jurisdictions",
                            );
                            j.clone()
                        })
                        .collect()
                }),
            }
        })
        .collect();

    extend_roadmaps(&mut chips, chipmakers, world, end);
    chips
}

/// Extends each chipmaker's roadmap from its newest configured generation to
/// the end of the run, one generation every `roadmap_cadence_quarters`, with
/// the published trends: H100e per dollar doubles every
/// `gpu_price_performance_doubling_years` at the same launch price and unit
/// cost, and H100e per watt grows `gpu_energy_efficiency_gain_per_year`.
/// Each new generation is named after its base and year (`Rubin-2027`).
fn extend_roadmaps(
    chips: &mut Vec<ChipGeneration>,
    chipmakers: &[ChipmakerSpec],
    world: &WorldParams,
    end: Quarter,
) {
    for (maker, spec) in chipmakers.iter().enumerate() {
        let cadence = spec.roadmap_cadence_quarters;
        if cadence == 0 {
            continue;
        }
        let Some(base) = chips
            .iter()
            .filter(|g| g.maker == maker)
            .max_by(|a, b| a.available.cmp(&b.available))
            .cloned()
        else {
            continue;
        };
        let mut step = 1u32;
        loop {
            let available = base.available.plus(step * cadence);
            if available > end {
                break;
            }
            let years = f64::from(step * cadence) / 4.0;
            let gain = (years / world.gpu_price_performance_doubling_years).exp2();
            let per_watt = (1.0 + world.gpu_energy_efficiency_gain_per_year).powf(years);
            let mut name = format!("{}-{}", base.name, available.year);
            if chips.iter().any(|g| g.name == name) {
                name = format!("{}-{}q{}", base.name, available.year, available.quarter);
            }
            chips.push(ChipGeneration {
                extrapolated: true,
                name,
                available,
                h100e_per_unit: base.h100e_per_unit * gain,
                watts: base.watts * gain / per_watt,
                ..base.clone()
            });
            step += 1;
        }
    }
}

/// The lab or aggregate buyer a custom accelerator is built for, by name.
fn chip_owner(c: &mut Checker<'_>, path: &str, name: &str, raw: &RawConfig) -> ChipOwner {
    if let Some(lab) = raw.labs.iter().position(|l| l.name == name) {
        return ChipOwner::Lab(lab);
    }
    if let Some(buyer) = raw.accelerator_buyers.iter().position(|b| b.name == name) {
        return ChipOwner::Buyer(buyer);
    }
    let names: Vec<&str> = raw
        .labs
        .iter()
        .map(|l| l.name.as_str())
        .chain(raw.accelerator_buyers.iter().map(|b| b.name.as_str()))
        .collect();
    c.fail(
        path,
        format!(
            "is {name:?}, not a lab or an aggregate buyer; allowed: one of {}",
            names.join(", ")
        ),
    );
    ChipOwner::Lab(0)
}

/// `[[generation_technologies]]`: what utilities can build, at what cost and lead time.
pub(super) fn check_technologies(c: &mut Checker<'_>, raw: &RawConfig) -> Vec<Technology> {
    raw.generation_technologies
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let p = |f: &str| format!("generation_technologies[{i}].{f}");
            Technology {
                name: c.name(p("name"), &t.name),
                lead_quarters: c.whole(p("lead_quarters"), t.lead_quarters, 1, 80),
                cost_per_mwh: c.within(p("cost_per_mwh"), ranges::USD_PER_MWH, t.cost_per_mwh),
                capex_per_mw_usd: c.within(
                    p("capex_per_mw_usd"),
                    ranges::USD_PER_MW,
                    t.capex_per_mw_usd,
                ),
            }
        })
        .collect()
}
