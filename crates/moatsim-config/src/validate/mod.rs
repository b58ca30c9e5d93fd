//! Turns a [`RawConfig`] into a typed [`Scenario`], collecting every problem.
//!
//! One file per part of the scenario, in the order [`validate`] checks them:
//! the order is part of the output, since `moatsim validate --ranges` lists
//! every numeric field in it and problems are reported in it.

mod agents;
mod apps;
mod behaviour;
mod policy;
mod regions;
mod world;

use agents::{
    check_buyers, check_chipmakers, check_investors, check_labs, check_regulators, check_utilities,
    resolve_land_banking,
};
use apps::check_app_builders;
use behaviour::check_behaviour;
use policy::{TimelineNames, check_timeline};
use regions::{check_chips, check_regions, check_technologies};
use world::{check_cloud, check_output, check_world};

use std::collections::BTreeMap;

use moatsim_model::Quarter;

use crate::check::{Checker, FieldRange, Locate};
use crate::defaults;
use crate::error::Problem;
use crate::raw::*;
use crate::scenario::*;

/// A validated scenario and the range every numeric field was checked against.
pub(crate) type Validated = (Scenario, Vec<FieldRange>);

pub(crate) fn validate(raw: &RawConfig, locate: &dyn Locate) -> Result<Validated, Vec<Problem>> {
    let mut c = Checker {
        locate,
        problems: Vec::new(),
        ranges: Vec::new(),
    };
    // The order of the checks is the order of `validate --ranges` and of the
    // problems a user sees.
    let header = check_header(&mut c, &raw.scenario);
    let (start, end) = (header.start, header.end());
    let world = check_world(&mut c, &raw.world);
    let names = check_lists(&mut c, raw);

    let regulators = check_regulators(&mut c, raw, &names.jurisdictions);
    let (utilities, utility_of_region) = check_utilities(&mut c, raw, &names.regions);
    let regions = check_regions(&mut c, raw, &names.jurisdictions, &utility_of_region);
    let chipmakers = check_chipmakers(&mut c, raw, &names.jurisdictions, start);
    let chips = check_chips(
        &mut c,
        raw,
        &names.chipmakers,
        &chipmakers,
        &names.jurisdictions,
        &world,
        end,
    );
    let labs = check_labs(&mut c, raw, &names.regions, &names.chips, &chips, start);
    let accelerator_buyers = check_buyers(&mut c, raw, &names.regions, &names.chips, &chips, start);
    let mut investors = check_investors(&mut c, raw);
    let generation_technologies = check_technologies(&mut c, raw);
    let app_builders = check_app_builders(&mut c, &raw.app_builders);

    // Entries that name labs and investors, once those are checked.
    let lab_names = index_by_name(labs.iter().map(|l| l.name.as_str()));
    resolve_land_banking(&mut c, raw, &lab_names, &mut investors);
    let investor_names = index_by_name(investors.iter().map(|v| v.name.as_str()));
    let timeline_names = TimelineNames {
        regions: &names.regions,
        regulators: &names.regulators,
        labs: &lab_names,
        utilities: &names.utilities,
        technologies: &names.technologies,
        chips: &names.chips,
    };
    let (scheduled_rounds, joint_ventures, events) =
        check_timeline(&mut c, raw, (start, end), &timeline_names, &investor_names);
    let output = check_output(&mut c, &raw.output);
    let behaviour = check_behaviour(&mut c, &raw.behaviour);
    let cloud = check_cloud(&mut c, &raw.cloud);
    let contracts = raw.contracts.as_ref().map(|k| check_contracts(&mut c, k));

    // Checked only on an otherwise valid scenario: it indexes chips and regions.
    if c.problems.is_empty() {
        check_initial_sites_fit(&mut c, &world, &regions, &chips, &labs, &utilities);
    }
    if !c.problems.is_empty() {
        return Err(c.problems);
    }
    let scenario = Scenario {
        name: header.name,
        description: raw.scenario.description.clone().unwrap_or_default(),
        start,
        quarters: header.quarters,
        seed: header.seed,
        world,
        regions,
        chips,
        labs,
        accelerator_buyers,
        investors,
        chipmakers,
        utilities,
        generation_technologies,
        regulators,
        app_builders,
        scheduled_rounds,
        joint_ventures,
        events,
        cloud,
        contracts,
        behaviour,
        output,
    };
    Ok((scenario, c.ranges))
}

/// `[scenario]`, checked: the run's name, first quarter, horizon and seed.
struct Header {
    name: String,
    start: Quarter,
    quarters: u32,
    seed: u64,
}

impl Header {
    /// The last quarter of the run.
    fn end(&self) -> Quarter {
        self.start.plus(self.quarters.saturating_sub(1))
    }
}

fn check_header(c: &mut Checker<'_>, header: &RawScenarioHeader) -> Header {
    let name = c.name("scenario.name".into(), &header.name);
    let start = c.quarter(
        "scenario.start".into(),
        header.start.as_deref().unwrap_or(defaults::START),
    );
    let quarters = header.quarters.map_or(defaults::QUARTERS, |q| {
        c.whole("scenario.quarters".into(), q, 1, 400)
    });
    let seed = match header.seed {
        None => defaults::SEED,
        Some(seed) if seed >= 0 => seed as u64,
        Some(seed) => {
            c.fail(
                "scenario.seed",
                format!("is {seed}; allowed: a whole number of 0 or more"),
            );
            0
        }
    };
    Header {
        name,
        start,
        quarters,
        seed,
    }
}

/// Name → index of the lists that other entries refer to by name.
struct Names {
    regions: BTreeMap<String, usize>,
    chips: BTreeMap<String, usize>,
    chipmakers: BTreeMap<String, usize>,
    utilities: BTreeMap<String, usize>,
    technologies: BTreeMap<String, usize>,
    regulators: BTreeMap<String, usize>,
    /// Each regulator's jurisdiction, which regions, chipmakers and chips name.
    jurisdictions: BTreeMap<String, usize>,
}

/// Every list a scenario needs has an entry, and names are unique within
/// each list.
fn check_lists(c: &mut Checker<'_>, raw: &RawConfig) -> Names {
    for (list, empty) in [
        ("regions", raw.regions.is_empty()),
        ("chips", raw.chips.is_empty()),
        ("labs", raw.labs.is_empty()),
        ("investors", raw.investors.is_empty()),
        ("chipmakers", raw.chipmakers.is_empty()),
        ("utilities", raw.utilities.is_empty()),
        (
            "generation_technologies",
            raw.generation_technologies.is_empty(),
        ),
        ("regulators", raw.regulators.is_empty()),
        (
            "app_builders.segments",
            raw.app_builders.segments.is_empty(),
        ),
    ] {
        if empty {
            c.non_empty::<()>(list, &[]);
        }
    }
    let regions = c.unique_names("regions", raw.regions.iter().map(|r| r.name.as_str()));
    let chips = c.unique_names("chips", raw.chips.iter().map(|r| r.name.as_str()));
    c.unique_names("labs", raw.labs.iter().map(|r| r.name.as_str()));
    c.unique_names(
        "accelerator_buyers",
        raw.accelerator_buyers.iter().map(|r| r.name.as_str()),
    );
    c.unique_names("investors", raw.investors.iter().map(|r| r.name.as_str()));
    let chipmakers = c.unique_names("chipmakers", raw.chipmakers.iter().map(|r| r.name.as_str()));
    let utilities = c.unique_names("utilities", raw.utilities.iter().map(|r| r.name.as_str()));
    let technologies = c.unique_names(
        "generation_technologies",
        raw.generation_technologies.iter().map(|r| r.name.as_str()),
    );
    let regulators = c.unique_names("regulators", raw.regulators.iter().map(|r| r.name.as_str()));
    c.unique_names(
        "app_builders.segments",
        raw.app_builders.segments.iter().map(|g| g.name.as_str()),
    );
    let jurisdictions = c.unique_names(
        "regulators",
        raw.regulators.iter().map(|r| r.jurisdiction.as_str()),
    );
    Names {
        regions,
        chips,
        chipmakers,
        utilities,
        technologies,
        regulators,
        jurisdictions,
    }
}

/// Name → index of entries already checked (names unique), for the entries
/// that refer to them.
fn index_by_name<'n>(names: impl Iterator<Item = &'n str>) -> BTreeMap<String, usize> {
    names
        .enumerate()
        .map(|(i, name)| (name.to_string(), i))
        .collect()
}

/// `[contracts]`: terms of the compute contracts labs sign with cloud owners.
fn check_contracts(c: &mut Checker<'_>, raw: &RawContracts) -> ContractsSpec {
    ContractsSpec {
        term_quarters: c.whole("contracts.term_quarters".into(), raw.term_quarters, 1, 80),
        lead_quarters: c.whole("contracts.lead_quarters".into(), raw.lead_quarters, 0, 20),
        cover_share: c.fraction("contracts.cover_share".into(), raw.cover_share),
        host_surplus_share: c.fraction(
            "contracts.host_surplus_share".into(),
            raw.host_surplus_share,
        ),
        host_offer_share: c.fraction("contracts.host_offer_share".into(), raw.host_offer_share),
    }
}

/// Labs' existing sites must fit on their home grid above its base load.
fn check_initial_sites_fit(
    c: &mut Checker<'_>,
    world: &WorldParams,
    regions: &[Region],
    chips: &[ChipGeneration],
    labs: &[LabSpec],
    utilities: &[UtilitySpec],
) {
    let mut initial_dc_mw = vec![0.0; regions.len()];
    for lab in labs {
        for (chip, h100e) in lab.starting_fleet() {
            let chip = &chips[chip];
            initial_dc_mw[lab.home_region] += moatsim_model::units::initial_site_mw(
                h100e,
                chip.h100e_per_unit,
                chip.watts,
                world.pue,
            );
        }
        initial_dc_mw[lab.home_region] += lab.pipeline_mw;
    }
    for (i, utility) in utilities.iter().enumerate() {
        let load = utility.base_load_mw + initial_dc_mw[utility.region];
        if load > utility.generation_mw {
            c.fail(
                &format!("utilities[{i}].generation_mw"),
                format!(
                    "is {} MW, less than base load plus the labs' existing sites in {} ({load:.0} MW); allowed: at least {load:.0}",
                    utility.generation_mw, regions[utility.region].name
                ),
            );
        }
    }
}
