//! Turns a [`RawConfig`] into a typed [`Scenario`], collecting every problem.

use std::collections::BTreeMap;

use moatsim_model::Quarter;

use crate::defaults;
use crate::error::{Origin, Problem};
use crate::ranges::{self, Range};
use crate::raw::*;
use crate::scenario::*;

/// Finds where a field path was written, so problems can point at it.
pub(crate) trait Locate {
    fn origin_of(&self, path: &str) -> Origin;
}

struct Checker<'a> {
    locate: &'a dyn Locate,
    problems: Vec<Problem>,
    /// Every numeric field checked, with its allowed range.
    ranges: Vec<FieldRange>,
}

/// The allowed range of one numeric field of a scenario, as checked.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldRange {
    /// Dotted path, such as `labs[2].cash_usd`.
    pub path: String,
    pub low: f64,
    pub high: f64,
    /// The range in words, as error messages give it.
    pub what: String,
}

impl Checker<'_> {
    fn fail(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_string(),
            origin: self.locate.origin_of(path),
            message: message.into(),
        });
    }

    /// A finite number within `[low, high]`; `what` describes the allowed values.
    fn number(&mut self, path: String, value: f64, low: f64, high: f64, what: &str) -> f64 {
        self.ranges.push(FieldRange {
            path: path.clone(),
            low,
            high,
            what: what.to_string(),
        });
        if !value.is_finite() || value < low || value > high {
            self.fail(&path, format!("is {}; allowed: {what}", show(value)));
        }
        value
    }

    /// A finite number within one of the shared [`ranges`].
    fn within(&mut self, path: String, range: Range, value: f64) -> f64 {
        self.number(path, value, range.low, range.high, range.what)
    }

    fn fraction(&mut self, path: String, value: f64) -> f64 {
        self.number(path, value, 0.0, 1.0, "a fraction from 0 to 1")
    }

    fn whole(&mut self, path: String, value: i64, low: i64, high: i64) -> u32 {
        self.ranges.push(FieldRange {
            path: path.clone(),
            low: low as f64,
            high: high as f64,
            what: format!("a whole number from {low} to {high}"),
        });
        if value < low || value > high {
            self.fail(
                &path,
                format!("is {value}; allowed: a whole number from {low} to {high}"),
            );
            return u32::try_from(low.max(0)).unwrap_or(0);
        }
        u32::try_from(value).unwrap_or(0)
    }

    fn name(&mut self, path: String, value: &str) -> String {
        if !is_plain_name(value) {
            self.fail(
                &path,
                format!("is {value:?}; allowed: 1 to 64 characters from letters, digits, '-', '_' and '.'"),
            );
        }
        value.to_string()
    }

    fn quarter(&mut self, path: String, value: &str) -> Quarter {
        match value.parse::<Quarter>() {
            Ok(quarter) => quarter,
            Err(error) => {
                self.fail(&path, error.to_string());
                Quarter {
                    year: 2025,
                    quarter: 1,
                }
            }
        }
    }

    /// Checks that names within one list are unique and returns name → index.
    fn unique_names<'n>(
        &mut self,
        list: &str,
        names: impl Iterator<Item = &'n str>,
    ) -> BTreeMap<String, usize> {
        let mut index = BTreeMap::new();
        for (i, name) in names.enumerate() {
            if index.insert(name.to_string(), i).is_some() {
                self.fail(
                    &format!("{list}[{i}].name"),
                    format!("{name:?} is used twice in `{list}`; names must be unique"),
                );
            }
        }
        index
    }

    fn resolve(
        &mut self,
        path: String,
        value: &str,
        names: &BTreeMap<String, usize>,
        list: &str,
    ) -> usize {
        match names.get(value) {
            Some(&index) => index,
            None => {
                let known: Vec<&str> = names.keys().map(String::as_str).collect();
                self.fail(
                    &path,
                    format!(
                        "{value:?} is not a name in `{list}`; allowed: {}",
                        known.join(", ")
                    ),
                );
                0
            }
        }
    }

    fn non_empty<T>(&mut self, path: &str, list: &[T]) {
        if list.is_empty() {
            self.fail(path, "is empty; allowed: at least one entry");
        }
    }
}

/// A name that is safe in a folder name and a `--set labs[name]` path: 1 to
/// 64 characters from letters, digits, '-', '_' and '.'.
pub(crate) fn is_plain_name(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A number as a user would write it: `1e300` rather than 301 digits.
fn show(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-4..1e9).contains(&magnitude) {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}

/// A validated scenario and the range every numeric field was checked against.
pub(crate) type Validated = (Scenario, Vec<FieldRange>);

pub(crate) fn validate(raw: &RawConfig, locate: &dyn Locate) -> Result<Validated, Vec<Problem>> {
    let mut c = Checker {
        locate,
        problems: Vec::new(),
        ranges: Vec::new(),
    };

    let header = &raw.scenario;
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

    let world = check_world(&mut c, &raw.world);

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

    let region_names = c.unique_names("regions", raw.regions.iter().map(|r| r.name.as_str()));
    let chip_names = c.unique_names("chips", raw.chips.iter().map(|r| r.name.as_str()));
    c.unique_names("labs", raw.labs.iter().map(|r| r.name.as_str()));
    c.unique_names(
        "accelerator_buyers",
        raw.accelerator_buyers.iter().map(|r| r.name.as_str()),
    );
    c.unique_names("investors", raw.investors.iter().map(|r| r.name.as_str()));
    let chipmaker_names =
        c.unique_names("chipmakers", raw.chipmakers.iter().map(|r| r.name.as_str()));
    let utility_names = c.unique_names("utilities", raw.utilities.iter().map(|r| r.name.as_str()));
    let technology_names = c.unique_names(
        "generation_technologies",
        raw.generation_technologies.iter().map(|r| r.name.as_str()),
    );
    let regulator_names =
        c.unique_names("regulators", raw.regulators.iter().map(|r| r.name.as_str()));
    c.unique_names(
        "app_builders.segments",
        raw.app_builders.segments.iter().map(|g| g.name.as_str()),
    );
    let jurisdictions = c.unique_names(
        "regulators",
        raw.regulators.iter().map(|r| r.jurisdiction.as_str()),
    );

    let regulators = check_regulators(&mut c, raw, &jurisdictions);
    let (utilities, utility_of_region) = check_utilities(&mut c, raw, &region_names);
    let regions = check_regions(&mut c, raw, &jurisdictions, &utility_of_region);
    let chipmakers = check_chipmakers(&mut c, raw, &jurisdictions, start);
    let chips = check_chips(
        &mut c,
        raw,
        &chipmaker_names,
        &chipmakers,
        &jurisdictions,
        &world,
        start.plus(quarters.saturating_sub(1)),
    );

    let labs = check_labs(&mut c, raw, &region_names, &chip_names, &chips, start);
    let accelerator_buyers = check_buyers(&mut c, raw, &region_names, &chip_names, &chips, start);
    let mut investors = check_investors(&mut c, raw);
    let generation_technologies = check_technologies(&mut c, raw);
    let app_builders = check_app_builders(&mut c, &raw.app_builders);

    let lab_names: BTreeMap<String, usize> = labs
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.clone(), i))
        .collect();
    resolve_land_banking(&mut c, raw, &lab_names, &mut investors);
    let investor_names: BTreeMap<String, usize> = investors
        .iter()
        .enumerate()
        .map(|(i, v)| (v.name.clone(), i))
        .collect();
    let names = TimelineNames {
        regions: &region_names,
        regulators: &regulator_names,
        labs: &lab_names,
        utilities: &utility_names,
        technologies: &technology_names,
        chips: &chip_names,
    };
    let end = start.plus(quarters.saturating_sub(1));
    let (scheduled_rounds, joint_ventures, events) =
        check_timeline(&mut c, raw, (start, end), &names, &investor_names);
    let output = check_output(&mut c, &raw.output);

    let behaviour = check_behaviour(&mut c, &raw.behaviour);
    let cloud = check_cloud(&mut c, &raw.cloud);

    // Checked only on an otherwise valid scenario: it indexes chips and regions.
    if c.problems.is_empty() {
        check_initial_sites_fit(&mut c, &world, &regions, &chips, &labs, &utilities);
    }

    if !c.problems.is_empty() {
        return Err(c.problems);
    }
    let scenario = Scenario {
        name,
        description: header.description.clone().unwrap_or_default(),
        start,
        quarters,
        seed,
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
        behaviour,
        output,
    };
    Ok((scenario, c.ranges))
}

/// `investors[].banks_powered_land_for`, once the labs' names are known: a lab,
/// and only on an infrastructure fund.
fn resolve_land_banking(
    c: &mut Checker<'_>,
    raw: &RawConfig,
    lab_names: &BTreeMap<String, usize>,
    investors: &mut [InvestorSpec],
) {
    for (i, v) in raw.investors.iter().enumerate() {
        if let Some(lab) = &v.banks_powered_land_for {
            let index = c.resolve(
                format!("investors[{i}].banks_powered_land_for"),
                lab,
                lab_names,
                "labs",
            );
            investors[i].banks_powered_land_for = Some(index);
            if investors[i].kind != InvestorKind::InfrastructurePe {
                c.fail(
                    &format!("investors[{i}].banks_powered_land_for"),
                    format!(
                        "is set on a {:?} investor; allowed: only on kind \"infrastructure_pe\"",
                        investors[i].kind.name()
                    ),
                );
            }
        }
    }
}

/// The dated entries (`[[scheduled_rounds]]`, `[[joint_ventures]]`,
/// `[[events]]`), each inside the run; a round on the policy timeline becomes
/// a scheduled round like any other.
fn check_timeline(
    c: &mut Checker<'_>,
    raw: &RawConfig,
    (start, end): (Quarter, Quarter),
    names: &TimelineNames<'_>,
    investor_names: &BTreeMap<String, usize>,
) -> (Vec<ScheduledRound>, Vec<JointVenture>, Vec<PolicyEvent>) {
    // Dated entries must fall inside the run: one outside it would never happen,
    // and a user who set it would not be told.
    let horizon = |c: &mut Checker<'_>, path: String, when: Quarter| {
        if when < start || when > end {
            c.fail(
                &path,
                format!("is {when}, outside the run; allowed: a quarter from {start} to {end} (scenario.start and scenario.quarters)"),
            );
        }
    };
    let mut scheduled_rounds: Vec<ScheduledRound> = raw
        .scheduled_rounds
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let p = |f: &str| format!("scheduled_rounds[{i}].{f}");
            let amount_usd = c.within(p("amount_usd"), ranges::USD_VALUATION, r.amount_usd);
            let post_money_usd = c.within(p("post_money_usd"), ranges::USD_VALUATION, r.post_money_usd);
            if post_money_usd <= amount_usd {
                c.fail(&p("post_money_usd"), format!("is {post_money_usd}, not above amount_usd ({amount_usd}); allowed: a post-money valuation above the amount raised"));
            }
            let quarter = c.quarter(p("quarter"), &r.quarter);
            horizon(c, p("quarter"), quarter);
            ScheduledRound {
                lab: c.resolve(p("lab"), &r.lab, names.labs, "labs"),
                quarter,
                amount_usd,
                post_money_usd,
            }
        })
        .collect();
    let joint_ventures: Vec<JointVenture> = raw
        .joint_ventures
        .iter()
        .enumerate()
        .map(|(i, j)| {
            let p = |f: &str| format!("joint_ventures[{i}].{f}");
            let quarter = c.quarter(p("quarter"), &j.quarter);
            horizon(c, p("quarter"), quarter);
            JointVenture {
                partner: c.resolve(p("partner"), &j.partner, investor_names, "investors"),
                lab: c.resolve(p("lab"), &j.lab, names.labs, "labs"),
                quarter,
                investment_usd: c.within(p("investment_usd"), ranges::USD_AMOUNT, j.investment_usd),
                builder_share: c.fraction(p("builder_share"), j.builder_share),
                tie_strength: c.number(
                    p("tie_strength"),
                    j.tie_strength,
                    0.0,
                    20.0,
                    "a utility bonus from 0 to 20",
                ),
            }
        })
        .collect();
    let events: Vec<PolicyEvent> = raw
        .events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let event = policy_event(c, i, e, names)?;
            horizon(c, format!("events[{i}].quarter"), event.quarter);
            Some(event)
        })
        .collect();
    // A round on the timeline is a scheduled round like any other.
    for event in &events {
        if let PolicyChange::ScheduledRound {
            lab,
            amount_usd,
            post_money_usd,
        } = event.change
        {
            scheduled_rounds.push(ScheduledRound {
                lab,
                quarter: event.quarter,
                amount_usd,
                post_money_usd,
            });
        }
    }
    (scheduled_rounds, joint_ventures, events)
}

/// `[output]`: how much of the app-builder population is written.
fn check_output(c: &mut Checker<'_>, output: &RawOutput) -> OutputSpec {
    let app_builders = match output.app_builders.as_deref().unwrap_or("full") {
        "full" => BuilderOutput::Full,
        "segments" => BuilderOutput::Segments,
        "sampled" => BuilderOutput::Sampled {
            share: c.number(
                "output.app_builders_sample_share".into(),
                output.app_builders_sample_share.unwrap_or(0.01),
                1e-6,
                1.0,
                "a share of builders above 0 and at most 1",
            ),
        },
        other => {
            c.fail(
                "output.app_builders",
                format!("is {other:?}; allowed: \"full\", \"sampled\" or \"segments\""),
            );
            BuilderOutput::Full
        }
    };
    OutputSpec { app_builders }
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
        let chip = &chips[lab.initial_chip];
        initial_dc_mw[lab.home_region] += moatsim_model::units::initial_site_mw(
            lab.online_h100e,
            chip.h100e_per_unit,
            chip.watts,
            world.pue,
        ) + lab.pipeline_mw;
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

/// `[[regulators]]`: one per jurisdiction, with its export tiers and permitting rules.
fn check_regulators(
    c: &mut Checker<'_>,
    raw: &RawConfig,
    jurisdictions: &BTreeMap<String, usize>,
) -> Vec<RegulatorSpec> {
    raw.regulators
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let p = |f: &str| format!("regulators[{i}].{f}");
            RegulatorSpec {
                name: c.name(p("name"), &r.name),
                jurisdiction: c.name(p("jurisdiction"), &r.jurisdiction),
                permit_base_quarters: c.whole(
                    p("permit_base_quarters"),
                    r.permit_base_quarters,
                    0,
                    40,
                ),
                permits_per_quarter: c.whole(
                    p("permits_per_quarter"),
                    r.permits_per_quarter,
                    1,
                    10_000,
                ),
                licence_fee_rate: c.number(
                    p("licence_fee_rate"),
                    r.licence_fee_rate,
                    0.0,
                    5.0,
                    "a fraction of the price from 0 to 5",
                ),
                antitrust_hhi_threshold: c.number(
                    p("antitrust_hhi_threshold"),
                    r.antitrust_hhi_threshold,
                    0.0,
                    10_000.0,
                    "an HHI from 0 to 10000",
                ),
                dc_power_share: c.fraction(
                    p("dc_power_share"),
                    r.dc_power_share.unwrap_or(defaults::DC_POWER_SHARE),
                ),
                // Unset: labs may build in every jurisdiction (the export tier
                // of the region still applies to its GPUs).
                labs_may_build_in: match &r.labs_may_build_in {
                    None => jurisdictions.keys().cloned().collect(),
                    Some(list) => list
                        .iter()
                        .enumerate()
                        .map(|(k, j)| {
                            c.resolve(
                                p(&format!("labs_may_build_in[{k}]")),
                                j,
                                jurisdictions,
                                "regulators' jurisdictions",
                            );
                            j.clone()
                        })
                        .collect(),
                },
            }
        })
        .collect()
}

/// `[[utilities]]`, and the one utility that serves each region.
fn check_utilities(
    c: &mut Checker<'_>,
    raw: &RawConfig,
    region_names: &BTreeMap<String, usize>,
) -> (Vec<UtilitySpec>, BTreeMap<usize, usize>) {
    // Each region is served by exactly one utility; find it before building regions.
    let mut utility_of_region: BTreeMap<usize, usize> = BTreeMap::new();
    let utilities: Vec<UtilitySpec> = raw
        .utilities
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let p = |f: &str| format!("utilities[{i}].{f}");
            let region = c.resolve(p("region"), &u.region, region_names, "regions");
            if let Some(other) = utility_of_region.insert(region, i) {
                c.fail(&p("region"), format!("region {:?} is already served by utilities[{other}]; allowed: one utility per region", u.region));
            }
            let generation_mw = c.within(p("generation_mw"), ranges::MW_POSITIVE, u.generation_mw);
            let base_load_mw = c.within(p("base_load_mw"), ranges::MW, u.base_load_mw);
            if base_load_mw > generation_mw {
                c.fail(&p("base_load_mw"), format!("is {base_load_mw} MW, more than generation_mw ({generation_mw} MW); allowed: at most generation_mw"));
            }
            let target = c.number(p("target_reserve_margin"), u.target_reserve_margin, 0.0, 2.0, "a fraction from 0 to 2");
            let min = c.number(p("min_reserve_margin"), u.min_reserve_margin, 0.0, 2.0, "a fraction from 0 to 2");
            if min > target {
                c.fail(&p("min_reserve_margin"), format!("is {min}, above target_reserve_margin ({target}); allowed: at most the target"));
            }
            UtilitySpec {
                name: c.name(p("name"), &u.name),
                region,
                generation_mw,
                base_load_mw,
                base_load_growth_per_quarter: c.number(
                    p("base_load_growth_per_quarter"),
                    u.base_load_growth_per_quarter.unwrap_or(defaults::BASE_LOAD_GROWTH_PER_QUARTER),
                    -0.05,
                    0.1,
                    "a quarterly growth rate from -0.05 to 0.1",
                ),
                base_tariff_per_mwh: c.within(p("base_tariff_per_mwh"), ranges::USD_PER_MWH, u.base_tariff_per_mwh),
                target_reserve_margin: target,
                min_reserve_margin: min,
                scarcity_adder: c.number(p("scarcity_adder"), u.scarcity_adder, 0.0, 20.0, "a multiple of the base tariff from 0 to 20"),
                studies_per_quarter: c.whole(p("studies_per_quarter"), u.studies_per_quarter, 0, 10_000),
                interconnection_study_quarters: c.whole(
                    p("interconnection_study_quarters"),
                    u.interconnection_study_quarters
                        .unwrap_or(i64::from(defaults::INTERCONNECTION_STUDY_QUARTERS)),
                    0,
                    40,
                ),
                build_block_mw: c.within(p("build_block_mw"), ranges::MW_POSITIVE, u.build_block_mw),
                hurdle: c.number(p("hurdle"), u.hurdle, 0.0, 5.0, "a fraction from 0 to 5"),
                cash_usd: c.within(p("cash_usd"), ranges::USD_AMOUNT, u.cash_usd),
            }
        })
        .collect();

    (utilities, utility_of_region)
}

/// `[[regions]]`, each with its jurisdiction's regulator and its one utility.
fn check_regions(
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

/// `[[chipmakers]]`: capacity, expansions under way and the jurisdiction that licenses exports.
fn check_chipmakers(
    c: &mut Checker<'_>,
    raw: &RawConfig,
    jurisdictions: &BTreeMap<String, usize>,
    start: Quarter,
) -> Vec<ChipmakerSpec> {
    raw
        .chipmakers
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let p = |f: &str| format!("chipmakers[{i}].{f}");
            c.resolve(
                p("jurisdiction"),
                &m.jurisdiction,
                jurisdictions,
                "regulators' jurisdictions",
            );
            let expansions_under_way = m
                .expansions_under_way
                .iter()
                .enumerate()
                .map(|(e, x)| {
                    let at = |f: &str| p(&format!("expansions_under_way[{e}].{f}"));
                    // Starting state, not a scheduled event: capacity being
                    // built may finish after a short run ends (it then never
                    // arrives), but it cannot be ready before the run starts.
                    let ready = c.quarter(at("ready"), &x.ready);
                    if ready <= start {
                        c.fail(&at("ready"), format!("is {ready}, not after the start; allowed: a quarter after scenario.start ({start}); capacity already running belongs in packaging_wafers_per_quarter"));
                    }
                    (ready, c.within(at("wafers"), ranges::WAFERS, x.wafers))
                })
                .collect();
            ChipmakerSpec {
                expansions_under_way,
                name: c.name(p("name"), &m.name),
                jurisdiction: m.jurisdiction.clone(),
                packaging_wafers_per_quarter: c.within(
                    p("packaging_wafers_per_quarter"),
                    ranges::WAFERS_POSITIVE,
                    m.packaging_wafers_per_quarter,
                ),
                expansion_wafers: c.within(
                    p("expansion_wafers"),
                    ranges::WAFERS,
                    m.expansion_wafers,
                ),
                expansion_lead_quarters: c.whole(
                    p("expansion_lead_quarters"),
                    m.expansion_lead_quarters,
                    1,
                    40,
                ),
                expansion_cost_per_wafer_usd: c.within(
                    p("expansion_cost_per_wafer_usd"),
                    ranges::USD_PER_WAFER,
                    m.expansion_cost_per_wafer_usd,
                ),
                min_gross_margin: c.number(
                    p("min_gross_margin"),
                    m.min_gross_margin,
                    0.0,
                    0.95,
                    "a fraction from 0 to 0.95",
                ),
                ask_sensitivity: c.number(
                    p("ask_sensitivity"),
                    m.ask_sensitivity.unwrap_or(defaults::ASK_SENSITIVITY),
                    0.0,
                    5.0,
                    "a number from 0 to 5",
                ),
                rival_catch_up: c.fraction(
                    p("rival_catch_up"),
                    m.rival_catch_up.unwrap_or(defaults::RIVAL_CATCH_UP),
                ),
                roadmap_cadence_quarters: c.whole(
                    p("roadmap_cadence_quarters"),
                    m.roadmap_cadence_quarters.unwrap_or(0),
                    0,
                    40,
                ),
                cash_usd: c.within(p("cash_usd"), ranges::USD_AMOUNT, m.cash_usd),
            }
        })
        .collect()
}

/// `[[chips]]`, with each maker's roadmap extended to the end of the run.
fn check_chips(
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

/// `[[labs]]`, whose starting chip must be on sale by the start.
fn check_labs(
    c: &mut Checker<'_>,
    raw: &RawConfig,
    region_names: &BTreeMap<String, usize>,
    chip_names: &BTreeMap<String, usize>,
    chips: &[ChipGeneration],
    start: Quarter,
) -> Vec<LabSpec> {
    // Products and segment strengths name app builders' segments.
    let segment_names: BTreeMap<String, usize> = raw
        .app_builders
        .segments
        .iter()
        .enumerate()
        .map(|(k, s)| (s.name.clone(), k))
        .collect();
    raw
        .labs
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let p = |f: &str| format!("labs[{i}].{f}");
            let initial_chip = c.resolve(p("initial_chip"), &l.initial_chip, chip_names, "chips");
            if let Some(chip) = chips.get(initial_chip)
                && chip.available > start
            {
                    c.fail(&p("initial_chip"), format!("{:?} is first available in {}, after the start ({start}); allowed: a chip available at the start", chip.name, chip.available));
            }
            let kind_text = l.kind.as_deref().unwrap_or(defaults::LAB_KIND);
            let kind = LabKind::parse(kind_text).unwrap_or_else(|| {
                c.fail(&p("kind"), format!("is {kind_text:?}; allowed: {}", LabKind::ALLOWED));
                LabKind::FrontierLab
            });
            LabSpec {
                name: c.name(p("name"), &l.name),
                kind,
                home_region: c.resolve(p("home_region"), &l.home_region, region_names, "regions"),
                cash_usd: c.within(p("cash_usd"), ranges::USD_AMOUNT, l.cash_usd),
                valuation_usd: c.within(p("valuation_usd"), ranges::USD_VALUATION, l.valuation_usd),
                capability: c.within(p("capability"), ranges::CAPABILITY, l.capability),
                online_h100e: c.within(p("online_h100e"), ranges::H100E, l.online_h100e),
                pipeline_mw: c.within(p("pipeline_mw"), ranges::MW, l.pipeline_mw.unwrap_or(0.0)),
                initial_chip,
                ambition_per_quarter: c.number(p("ambition_per_quarter"), l.ambition_per_quarter, 0.0, 2.0, "a quarterly growth rate from 0 to 2"),
                inference_share: c.number(p("inference_share"), l.inference_share.unwrap_or(defaults::INFERENCE_SHARE), 0.05, 0.95, "a fraction from 0.05 to 0.95"),
                markup: c.number(p("markup"), l.markup.unwrap_or(defaults::MARKUP), 0.0, 20.0, "a markup over cost from 0 to 20"),
                opex_per_quarter_usd: c.within(p("opex_per_quarter_usd"), ranges::USD_AMOUNT, l.opex_per_quarter_usd),
                parent_funding_per_quarter_usd: c.within(p("parent_funding_per_quarter_usd"), ranges::USD_AMOUNT, l.parent_funding_per_quarter_usd.unwrap_or(0.0)),
                capex_fraction_of_cash: c.fraction(p("capex_fraction_of_cash"), l.capex_fraction_of_cash.unwrap_or(defaults::CAPEX_FRACTION_OF_CASH)),
                target_runway_quarters: c.number(p("target_runway_quarters"), l.target_runway_quarters.unwrap_or(defaults::TARGET_RUNWAY_QUARTERS), 1.0, 40.0, "quarters from 1 to 40"),
                products: l
                    .products
                    .iter()
                    .enumerate()
                    .map(|(j, product)| {
                        let q = |f: &str| format!("labs[{i}].products[{j}].{f}");
                        ProductSpec {
                            segment: c.resolve(q("segment"), &product.segment, &segment_names, "app_builders.segments"),
                            share: c.number(q("share"), product.share, 0.0, 0.95, "a share of the segment's end-user demand from 0 to 0.95"),
                            launch: product.launch.as_deref().map_or(start, |text| c.quarter(q("launch"), text)),
                            depth: c.fraction(q("depth"), product.depth.unwrap_or(defaults::PRODUCT_DEPTH)),
                        }
                    })
                    .collect(),
                segment_strengths: {
                    let mut strengths = vec![0.0; raw.app_builders.segments.len()];
                    for (name, &offset) in &l.segment_strengths {
                        let field = format!("labs[{i}].segment_strengths.{name}");
                        let k = c.resolve(field.clone(), name, &segment_names, "app_builders.segments");
                        if let Some(slot) = strengths.get_mut(k) {
                            *slot = c.number(field, offset, -1.0, 1.0, "a capability offset from -1 to 1");
                        }
                    }
                    strengths
                },
            }
        })
        .collect()
}

/// `[[accelerator_buyers]]`: the rest of the accelerator market.
fn check_buyers(
    c: &mut Checker<'_>,
    raw: &RawConfig,
    region_names: &BTreeMap<String, usize>,
    chip_names: &BTreeMap<String, usize>,
    chips: &[ChipGeneration],
    start: Quarter,
) -> Vec<AcceleratorBuyerSpec> {
    raw
        .accelerator_buyers
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let p = |f: &str| format!("accelerator_buyers[{i}].{f}");
            let kind = BuyerKind::parse(&b.kind).unwrap_or_else(|| {
                c.fail(&p("kind"), format!("is {:?}; allowed: {}", b.kind, BuyerKind::ALLOWED));
                BuyerKind::Other
            });
            let initial_chip = c.resolve(p("initial_chip"), &b.initial_chip, chip_names, "chips");
            if let Some(chip) = chips.get(initial_chip)
                && chip.available > start
            {
                c.fail(&p("initial_chip"), format!("{:?} is first available in {}, after the start ({start}); allowed: a chip available at the start", chip.name, chip.available));
            }
            AcceleratorBuyerSpec {
                name: c.name(p("name"), &b.name),
                kind,
                region: c.resolve(p("region"), &b.region, region_names, "regions"),
                fleet_h100e: c.within(p("fleet_h100e"), ranges::H100E, b.fleet_h100e),
                initial_chip,
                growth_per_quarter: c.within(p("growth_per_quarter"), ranges::GROWTH_PER_QUARTER, b.growth_per_quarter),
                growth_half_life_quarters: c.within(p("growth_half_life_quarters"), ranges::HALF_LIFE_QUARTERS, b.growth_half_life_quarters),
                reference_price_per_h100e_usd: c.within(p("reference_price_per_h100e_usd"), ranges::USD_PER_H100E, b.reference_price_per_h100e_usd),
                value_per_h100e_usd: c.within(p("value_per_h100e_usd"), ranges::USD_PER_H100E, b.value_per_h100e_usd),
                price_elasticity: c.within(p("price_elasticity"), ranges::ELASTICITY, b.price_elasticity.unwrap_or(defaults::BUYER_PRICE_ELASTICITY)),
                accelerator_share_of_capex: c.within(p("accelerator_share_of_capex"), ranges::SHARE_POSITIVE, b.accelerator_share_of_capex.unwrap_or(defaults::ACCELERATOR_SHARE_OF_CAPEX)),
                choice_sharpness: c.within(p("choice_sharpness"), ranges::SHARPNESS, b.choice_sharpness.unwrap_or(defaults::BUYER_CHOICE_SHARPNESS)),
                rental_share: c.fraction(p("rental_share"), b.rental_share.unwrap_or(defaults::BUYER_RENTAL_SHARE)),
            }
        })
        .collect()
}

/// `[[investors]]`, before the labs they bank land for are resolved.
fn check_investors(c: &mut Checker<'_>, raw: &RawConfig) -> Vec<InvestorSpec> {
    raw.investors
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let p = |f: &str| format!("investors[{i}].{f}");
            let kind = InvestorKind::parse(&v.kind).unwrap_or_else(|| {
                c.fail(
                    &p("kind"),
                    format!("is {:?}; allowed: {}", v.kind, InvestorKind::ALLOWED),
                );
                InvestorKind::Venture
            });
            InvestorSpec {
                name: c.name(p("name"), &v.name),
                kind,
                dry_powder_usd: c.within(p("dry_powder_usd"), ranges::USD_AMOUNT, v.dry_powder_usd),
                inflow_per_quarter_usd: c.within(
                    p("inflow_per_quarter_usd"),
                    ranges::USD_AMOUNT,
                    v.inflow_per_quarter_usd,
                ),
                risk_appetite: c.fraction(p("risk_appetite"), v.risk_appetite),
                revenue_multiple: c.within(
                    p("revenue_multiple"),
                    ranges::REVENUE_MULTIPLE,
                    v.revenue_multiple,
                ),
                max_deal_fraction: c.fraction(
                    p("max_deal_fraction"),
                    v.max_deal_fraction.unwrap_or(defaults::MAX_DEAL_FRACTION),
                ),
                // Resolved below, once the labs' names are known.
                banks_powered_land_for: None,
            }
        })
        .collect()
}

/// `[[generation_technologies]]`: what utilities can build, at what cost and lead time.
fn check_technologies(c: &mut Checker<'_>, raw: &RawConfig) -> Vec<Technology> {
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

/// `[world]`: physical and economic constants of the whole run.
fn check_world(c: &mut Checker<'_>, w: &RawWorld) -> WorldParams {
    WorldParams {
        pue: c.number(
            "world.pue".into(),
            w.pue.unwrap_or(defaults::PUE),
            1.0,
            3.0,
            "a PUE from 1.0 to 3.0",
        ),
        mtok_per_h100e_quarter: c.within(
            "world.mtok_per_h100e_quarter".into(),
            ranges::MTOK_PER_H100E,
            w.mtok_per_h100e_quarter
                .unwrap_or(defaults::MTOK_PER_H100E_QUARTER),
        ),
        gpu_life_quarters: c.whole(
            "world.gpu_life_quarters".into(),
            w.gpu_life_quarters
                .unwrap_or(i64::from(defaults::GPU_LIFE_QUARTERS)),
            1,
            80,
        ),
        facility_life_quarters: c.whole(
            "world.facility_life_quarters".into(),
            w.facility_life_quarters
                .unwrap_or(i64::from(defaults::FACILITY_LIFE_QUARTERS)),
            1,
            400,
        ),
        generation_life_quarters: c.whole(
            "world.generation_life_quarters".into(),
            w.generation_life_quarters
                .unwrap_or(i64::from(defaults::GENERATION_LIFE_QUARTERS)),
            1,
            400,
        ),
        packaging_life_quarters: c.whole(
            "world.packaging_life_quarters".into(),
            w.packaging_life_quarters
                .unwrap_or(i64::from(defaults::PACKAGING_LIFE_QUARTERS)),
            1,
            400,
        ),
        dc_capex_per_mw_usd: c.within(
            "world.dc_capex_per_mw_usd".into(),
            ranges::DC_USD_PER_MW,
            w.dc_capex_per_mw_usd
                .unwrap_or(defaults::DC_CAPEX_PER_MW_USD),
        ),
        dc_build_quarters: c.whole(
            "world.dc_build_quarters".into(),
            w.dc_build_quarters
                .unwrap_or(i64::from(defaults::DC_BUILD_QUARTERS)),
            1,
            40,
        ),
        dc_build_sigma: c.number(
            "world.dc_build_sigma".into(),
            w.dc_build_sigma.unwrap_or(defaults::DC_BUILD_SIGMA),
            0.0,
            1.0,
            "a lognormal sigma from 0 to 1",
        ),
        land_price_elasticity: c.number(
            "world.land_price_elasticity".into(),
            w.land_price_elasticity
                .unwrap_or(defaults::LAND_PRICE_ELASTICITY),
            0.0,
            5.0,
            "a number from 0 to 5",
        ),
        capability_rate: c.within(
            "world.capability_rate".into(),
            ranges::CAPABILITY_RATE,
            w.capability_rate.unwrap_or(defaults::CAPABILITY_RATE),
        ),
        capability_reference_h100e: c.within(
            "world.capability_reference_h100e".into(),
            ranges::H100E_POSITIVE,
            w.capability_reference_h100e
                .unwrap_or(defaults::CAPABILITY_REFERENCE_H100E),
        ),
        prior_training_quarters: c.number(
            "world.prior_training_quarters".into(),
            w.prior_training_quarters
                .unwrap_or(defaults::PRIOR_TRAINING_QUARTERS),
            0.0,
            100.0,
            "a number from 0 to 100",
        ),
        research_luck_sigma: c.number(
            "world.research_luck_sigma".into(),
            w.research_luck_sigma
                .unwrap_or(defaults::RESEARCH_LUCK_SIGMA),
            0.0,
            2.0,
            "a number from 0 to 2",
        ),
        breakthrough_rate_per_quarter: c.number(
            "world.breakthrough_rate_per_quarter".into(),
            w.breakthrough_rate_per_quarter
                .unwrap_or(defaults::BREAKTHROUGH_RATE_PER_QUARTER),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        breakthrough_size: c.number(
            "world.breakthrough_size".into(),
            w.breakthrough_size.unwrap_or(defaults::BREAKTHROUGH_SIZE),
            0.0,
            10.0,
            "a number from 0 to 10",
        ),
        diffusion_rate: c.fraction(
            "world.diffusion_rate".into(),
            w.diffusion_rate.unwrap_or(defaults::DIFFUSION_RATE),
        ),
        algorithmic_efficiency_halving_months: c.within(
            "world.algorithmic_efficiency_halving_months".into(),
            ranges::HALVING_MONTHS,
            w.algorithmic_efficiency_halving_months
                .unwrap_or(defaults::ALGORITHMIC_EFFICIENCY_HALVING_MONTHS),
        ),
        capability_per_serving_doubling: c.within(
            "world.capability_per_serving_doubling".into(),
            ranges::CAPABILITY_PER_DOUBLING,
            w.capability_per_serving_doubling
                .unwrap_or(defaults::CAPABILITY_PER_SERVING_DOUBLING),
        ),
        gpu_price_performance_doubling_years: c.within(
            "world.gpu_price_performance_doubling_years".into(),
            ranges::DOUBLING_YEARS,
            w.gpu_price_performance_doubling_years
                .unwrap_or(defaults::GPU_PRICE_PERFORMANCE_DOUBLING_YEARS),
        ),
        gpu_energy_efficiency_gain_per_year: c.within(
            "world.gpu_energy_efficiency_gain_per_year".into(),
            ranges::GROWTH_PER_QUARTER,
            w.gpu_energy_efficiency_gain_per_year
                .unwrap_or(defaults::GPU_ENERGY_EFFICIENCY_GAIN_PER_YEAR),
        ),
    }
}

/// `[app_builders]` and its segments, whose weights must add up to one.
fn check_app_builders(c: &mut Checker<'_>, a: &RawAppBuilders) -> AppBuilderSpec {
    let total_weight: f64 = a.segments.iter().map(|s| s.weight.max(0.0)).sum();
    let segments: Vec<Segment> = a
        .segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let p = |f: &str| format!("app_builders.segments[{i}].{f}");
            let depth_min = c.fraction(p("depth_min"), s.depth_min);
            let depth_max = c.fraction(p("depth_max"), s.depth_max);
            if depth_min > depth_max {
                c.fail(
                    &p("depth_min"),
                    format!(
                        "is {depth_min}, above depth_max ({depth_max}); allowed: at most depth_max"
                    ),
                );
            }
            Segment {
                name: c.name(p("name"), &s.name),
                weight: c.within(p("weight"), ranges::WEIGHT, s.weight)
                    / total_weight.max(f64::MIN_POSITIVE),
                value_per_mtok_median_usd: c.within(
                    p("value_per_mtok_median_usd"),
                    ranges::USD_PER_MTOK,
                    s.value_per_mtok_median_usd,
                ),
                value_sigma: c.number(
                    p("value_sigma"),
                    s.value_sigma,
                    0.0,
                    3.0,
                    "a log-standard deviation from 0 to 3",
                ),
                size_sigma: c.number(
                    p("size_sigma"),
                    s.size_sigma,
                    0.0,
                    4.0,
                    "a log-standard deviation from 0 to 4",
                ),
                demand_growth_per_quarter: c.number(
                    p("demand_growth_per_quarter"),
                    s.demand_growth_per_quarter,
                    -0.5,
                    2.0,
                    "a quarterly growth rate from -0.5 to 2",
                ),
                growth_half_life_quarters: c.number(
                    p("growth_half_life_quarters"),
                    s.growth_half_life_quarters.unwrap_or(f64::INFINITY),
                    1.0,
                    f64::INFINITY,
                    "quarters from 1 up (leave it out for constant growth)",
                ),
                depth_min,
                depth_max,
                fixed_cost_share: c.number(
                    p("fixed_cost_share"),
                    s.fixed_cost_share,
                    0.0,
                    5.0,
                    "a share of initial revenue from 0 to 5",
                ),
            }
        })
        .collect();
    AppBuilderSpec {
        count: u64::from(c.whole("app_builders.count".into(), a.count, 1, 50_000_000)),
        initial_market_mtok_per_quarter: c.within(
            "app_builders.initial_market_mtok_per_quarter".into(),
            ranges::MTOK_MARKET,
            a.initial_market_mtok_per_quarter,
        ),
        reference_price_per_mtok: c.within(
            "app_builders.reference_price_per_mtok".into(),
            ranges::USD_PER_MTOK,
            a.reference_price_per_mtok,
        ),
        price_elasticity: c.number(
            "app_builders.price_elasticity".into(),
            a.price_elasticity,
            0.0,
            5.0,
            "an elasticity from 0 to 5",
        ),
        entry_rate_per_quarter: c.number(
            "app_builders.entry_rate_per_quarter".into(),
            a.entry_rate_per_quarter,
            0.0,
            1.0,
            "a quarterly rate from 0 to 1",
        ),
        exit_after_loss_quarters: c.whole(
            "app_builders.exit_after_loss_quarters".into(),
            a.exit_after_loss_quarters,
            1,
            40,
        ),
        capability_weight: c.within(
            "app_builders.capability_weight".into(),
            ranges::UTILITY_WEIGHT,
            a.capability_weight,
        ),
        price_weight: c.within(
            "app_builders.price_weight".into(),
            ranges::UTILITY_WEIGHT,
            a.price_weight,
        ),
        switching_cost_base: c.within(
            "app_builders.switching_cost_base".into(),
            ranges::UTILITY_WEIGHT,
            a.switching_cost_base,
        ),
        switching_cost_growth: c.within(
            "app_builders.switching_cost_growth".into(),
            ranges::UTILITY_WEIGHT,
            a.switching_cost_growth,
        ),
        switching_cost_cap_quarters: c.whole(
            "app_builders.switching_cost_cap_quarters".into(),
            a.switching_cost_cap_quarters,
            0,
            400,
        ),
        rationing_penalty: c.within(
            "app_builders.rationing_penalty".into(),
            ranges::UTILITY_WEIGHT,
            a.rationing_penalty,
        ),
        generic_capture: c.fraction(
            "app_builders.generic_capture".into(),
            a.generic_capture.unwrap_or(defaults::GENERIC_CAPTURE),
        ),
        crowding_elasticity: c.number(
            "app_builders.crowding_elasticity".into(),
            a.crowding_elasticity
                .unwrap_or(defaults::CROWDING_ELASTICITY),
            0.0,
            3.0,
            "an elasticity from 0 to 3",
        ),
        normal_margin: c.number(
            "app_builders.normal_margin".into(),
            a.normal_margin.unwrap_or(defaults::NORMAL_MARGIN),
            0.01,
            0.9,
            "a profit margin from 0.01 to 0.9",
        ),
        end_user_capability_weight: c.within(
            "app_builders.end_user_capability_weight".into(),
            ranges::UTILITY_WEIGHT,
            a.end_user_capability_weight
                .unwrap_or(defaults::END_USER_CAPABILITY_WEIGHT),
        ),
        end_user_price_weight: c.within(
            "app_builders.end_user_price_weight".into(),
            ranges::UTILITY_WEIGHT,
            a.end_user_price_weight
                .unwrap_or(defaults::END_USER_PRICE_WEIGHT),
        ),
        end_user_reconsider_share: c.number(
            "app_builders.end_user_reconsider_share".into(),
            a.end_user_reconsider_share
                .unwrap_or(defaults::END_USER_RECONSIDER_SHARE),
            0.0,
            1.0,
            "a share from 0 to 1",
        ),
        provider_review_share: c.number(
            "app_builders.provider_review_share".into(),
            a.provider_review_share
                .unwrap_or(defaults::PROVIDER_REVIEW_SHARE),
            0.01,
            1.0,
            "a share from 0.01 to 1",
        ),
        builder_shock_sigma: c.number(
            "app_builders.builder_shock_sigma".into(),
            a.builder_shock_sigma
                .unwrap_or(defaults::BUILDER_SHOCK_SIGMA),
            0.0,
            2.0,
            "a log-standard deviation from 0 to 2",
        ),
        segment_shock_sigma: c.number(
            "app_builders.segment_shock_sigma".into(),
            a.segment_shock_sigma
                .unwrap_or(defaults::SEGMENT_SHOCK_SIGMA),
            0.0,
            2.0,
            "a log-standard deviation from 0 to 2",
        ),
        fixed_cost_scale_elasticity: c.number(
            "app_builders.fixed_cost_scale_elasticity".into(),
            a.fixed_cost_scale_elasticity
                .unwrap_or(defaults::FIXED_COST_SCALE_ELASTICITY),
            0.0,
            1.5,
            "an elasticity from 0 to 1.5",
        ),
        segments,
    }
}

/// `[behaviour]`: the rules' numbers, each against its plausible range, and
/// the one pair that must be ordered.
fn check_behaviour(c: &mut Checker<'_>, rb: &RawBehaviour) -> BehaviourParams {
    let behaviour = BehaviourParams {
        generation_cost_share: c.number(
            "behaviour.generation_cost_share".into(),
            rb.generation_cost_share
                .unwrap_or(defaults::GENERATION_COST_SHARE),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        gpu_lead_quarters: c.whole(
            "behaviour.gpu_lead_quarters".into(),
            rb.gpu_lead_quarters
                .unwrap_or(i64::from(defaults::GPU_LEAD_QUARTERS)),
            0,
            20,
        ),
        refresh_min_age_quarters: c.whole(
            "behaviour.refresh_min_age_quarters".into(),
            rb.refresh_min_age_quarters
                .unwrap_or(i64::from(defaults::REFRESH_MIN_AGE_QUARTERS)),
            0,
            200,
        ),
        refresh_share_per_quarter: c.number(
            "behaviour.refresh_share_per_quarter".into(),
            rb.refresh_share_per_quarter
                .unwrap_or(defaults::REFRESH_SHARE_PER_QUARTER),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        backlog_fill_ratio: c.number(
            "behaviour.backlog_fill_ratio".into(),
            rb.backlog_fill_ratio
                .unwrap_or(defaults::BACKLOG_FILL_RATIO),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        backlog_premium: c.number(
            "behaviour.backlog_premium".into(),
            rb.backlog_premium.unwrap_or(defaults::BACKLOG_PREMIUM),
            0.0,
            5.0,
            "a number from 0 to 5",
        ),
        delay_cost_share: c.number(
            "behaviour.delay_cost_share".into(),
            rb.delay_cost_share.unwrap_or(defaults::DELAY_COST_SHARE),
            0.0,
            2.0,
            "a number from 0 to 2",
        ),
        site_energy_quarters: c.number(
            "behaviour.site_energy_quarters".into(),
            rb.site_energy_quarters
                .unwrap_or(defaults::SITE_ENERGY_QUARTERS),
            0.0,
            100.0,
            "a number from 0 to 100",
        ),
        queue_mw_cleared_per_quarter: c.number(
            "behaviour.queue_mw_cleared_per_quarter".into(),
            rb.queue_mw_cleared_per_quarter
                .unwrap_or(defaults::QUEUE_MW_CLEARED_PER_QUARTER),
            1.0,
            1000000.0,
            "a number from 1 to 1e+06",
        ),
        min_project_mw: c.number(
            "behaviour.min_project_mw".into(),
            rb.min_project_mw.unwrap_or(defaults::MIN_PROJECT_MW),
            1.0,
            100000.0,
            "a number from 1 to 100000",
        ),
        max_project_mw: c.number(
            "behaviour.max_project_mw".into(),
            rb.max_project_mw.unwrap_or(defaults::MAX_PROJECT_MW),
            1.0,
            100000.0,
            "a number from 1 to 100000",
        ),
        raw_land_limit_multiple: c.number(
            "behaviour.raw_land_limit_multiple".into(),
            rb.raw_land_limit_multiple
                .unwrap_or(defaults::RAW_LAND_LIMIT_MULTIPLE),
            1.0,
            10.0,
            "a number from 1 to 10",
        ),
        land_banking_budget_share: c.number(
            "behaviour.land_banking_budget_share".into(),
            rb.land_banking_budget_share
                .unwrap_or(defaults::LAND_BANKING_BUDGET_SHARE),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        land_scarcity_signal: c.number(
            "behaviour.land_scarcity_signal".into(),
            rb.land_scarcity_signal
                .unwrap_or(defaults::LAND_SCARCITY_SIGNAL),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        land_banking_stock_share: c.number(
            "behaviour.land_banking_stock_share".into(),
            rb.land_banking_stock_share
                .unwrap_or(defaults::LAND_BANKING_STOCK_SHARE),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        land_resale_premium: c.number(
            "behaviour.land_resale_premium".into(),
            rb.land_resale_premium
                .unwrap_or(defaults::LAND_RESALE_PREMIUM),
            0.0,
            10.0,
            "a number from 0 to 10",
        ),
        min_close_fraction: c.number(
            "behaviour.min_close_fraction".into(),
            rb.min_close_fraction
                .unwrap_or(defaults::MIN_CLOSE_FRACTION),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        down_round_floor: c.number(
            "behaviour.down_round_floor".into(),
            rb.down_round_floor.unwrap_or(defaults::DOWN_ROUND_FLOOR),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        fill_memory: c.number(
            "behaviour.fill_memory".into(),
            rb.fill_memory.unwrap_or(defaults::FILL_MEMORY),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        production_buffer: c.number(
            "behaviour.production_buffer".into(),
            rb.production_buffer.unwrap_or(defaults::PRODUCTION_BUFFER),
            1.0,
            3.0,
            "a number from 1 to 3",
        ),
        ask_max_step_per_quarter: c.number(
            "behaviour.ask_max_step_per_quarter".into(),
            rb.ask_max_step_per_quarter
                .unwrap_or(defaults::ASK_MAX_STEP_PER_QUARTER),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        expansion_backlog_share: c.number(
            "behaviour.expansion_backlog_share".into(),
            rb.expansion_backlog_share
                .unwrap_or(defaults::EXPANSION_BACKLOG_SHARE),
            0.0,
            10.0,
            "a number from 0 to 10",
        ),
        initial_fleet_book_value: c.number(
            "behaviour.initial_fleet_book_value".into(),
            rb.initial_fleet_book_value
                .unwrap_or(defaults::INITIAL_FLEET_BOOK_VALUE),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        initial_facility_book_value: c.number(
            "behaviour.initial_facility_book_value".into(),
            rb.initial_facility_book_value
                .unwrap_or(defaults::INITIAL_FACILITY_BOOK_VALUE),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        max_tariff_multiple: c.number(
            "behaviour.max_tariff_multiple".into(),
            rb.max_tariff_multiple
                .unwrap_or(defaults::MAX_TARIFF_MULTIPLE),
            1.0,
            100.0,
            "a number from 1 to 100",
        ),
        gpu_value_quarters: c.number(
            "behaviour.gpu_value_quarters".into(),
            rb.gpu_value_quarters
                .unwrap_or(defaults::GPU_VALUE_QUARTERS),
            0.0,
            100.0,
            "a number from 0 to 100",
        ),
        gpu_value_floor_per_h100e_usd: c.within(
            "behaviour.gpu_value_floor_per_h100e_usd".into(),
            ranges::USD_PER_H100E,
            rb.gpu_value_floor_per_h100e_usd
                .unwrap_or(defaults::GPU_VALUE_FLOOR_PER_H100E_USD),
        ),
        gpu_weight_best: c.number(
            "behaviour.gpu_weight_best".into(),
            rb.gpu_weight_best.unwrap_or(defaults::GPU_WEIGHT_BEST),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        gpu_weight_second: c.number(
            "behaviour.gpu_weight_second".into(),
            rb.gpu_weight_second.unwrap_or(defaults::GPU_WEIGHT_SECOND),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        backlog_gpu_weight_best: c.number(
            "behaviour.backlog_gpu_weight_best".into(),
            rb.backlog_gpu_weight_best
                .unwrap_or(defaults::BACKLOG_GPU_WEIGHT_BEST),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        backlog_gpu_weight_second: c.number(
            "behaviour.backlog_gpu_weight_second".into(),
            rb.backlog_gpu_weight_second
                .unwrap_or(defaults::BACKLOG_GPU_WEIGHT_SECOND),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        backlog_gpu_weight_third: c.number(
            "behaviour.backlog_gpu_weight_third".into(),
            rb.backlog_gpu_weight_third
                .unwrap_or(defaults::BACKLOG_GPU_WEIGHT_THIRD),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        capacity_weight_newest: c.number(
            "behaviour.capacity_weight_newest".into(),
            rb.capacity_weight_newest
                .unwrap_or(defaults::CAPACITY_WEIGHT_NEWEST),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        capacity_weight_second: c.number(
            "behaviour.capacity_weight_second".into(),
            rb.capacity_weight_second
                .unwrap_or(defaults::CAPACITY_WEIGHT_SECOND),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        capacity_weight_third: c.number(
            "behaviour.capacity_weight_third".into(),
            rb.capacity_weight_third
                .unwrap_or(defaults::CAPACITY_WEIGHT_THIRD),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        inference_share_step: c.number(
            "behaviour.inference_share_step".into(),
            rb.inference_share_step
                .unwrap_or(defaults::INFERENCE_SHARE_STEP),
            0.0,
            0.5,
            "a number from 0 to 0.5",
        ),
        inference_share_min: c.number(
            "behaviour.inference_share_min".into(),
            rb.inference_share_min
                .unwrap_or(defaults::INFERENCE_SHARE_MIN),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        inference_share_max: c.number(
            "behaviour.inference_share_max".into(),
            rb.inference_share_max
                .unwrap_or(defaults::INFERENCE_SHARE_MAX),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        inference_raise_utilisation: c.number(
            "behaviour.inference_raise_utilisation".into(),
            rb.inference_raise_utilisation
                .unwrap_or(defaults::INFERENCE_RAISE_UTILISATION),
            0.0,
            2.0,
            "a number from 0 to 2",
        ),
        inference_cut_utilisation: c.number(
            "behaviour.inference_cut_utilisation".into(),
            rb.inference_cut_utilisation
                .unwrap_or(defaults::INFERENCE_CUT_UTILISATION),
            0.0,
            2.0,
            "a number from 0 to 2",
        ),
        markup_idle_utilisation: c.number(
            "behaviour.markup_idle_utilisation".into(),
            rb.markup_idle_utilisation
                .unwrap_or(defaults::MARKUP_IDLE_UTILISATION),
            0.0,
            2.0,
            "a number from 0 to 2",
        ),
        markup_idle_step: c.number(
            "behaviour.markup_idle_step".into(),
            rb.markup_idle_step.unwrap_or(defaults::MARKUP_IDLE_STEP),
            0.0,
            0.5,
            "a number from 0 to 0.5",
        ),
        markup_raise_retention: c.number(
            "behaviour.markup_raise_retention".into(),
            rb.markup_raise_retention
                .unwrap_or(defaults::MARKUP_RAISE_RETENTION),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        markup_cut_retention: c.number(
            "behaviour.markup_cut_retention".into(),
            rb.markup_cut_retention
                .unwrap_or(defaults::MARKUP_CUT_RETENTION),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        markup_retention_step: c.number(
            "behaviour.markup_retention_step".into(),
            rb.markup_retention_step
                .unwrap_or(defaults::MARKUP_RETENTION_STEP),
            0.0,
            0.5,
            "a number from 0 to 0.5",
        ),
        markup_min: c.number(
            "behaviour.markup_min".into(),
            rb.markup_min.unwrap_or(defaults::MARKUP_MIN),
            0.0,
            20.0,
            "a number from 0 to 20",
        ),
        markup_max: c.number(
            "behaviour.markup_max".into(),
            rb.markup_max.unwrap_or(defaults::MARKUP_MAX),
            0.0,
            100.0,
            "a number from 0 to 100",
        ),
        price_stickiness: c.number(
            "behaviour.price_stickiness".into(),
            rb.price_stickiness.unwrap_or(defaults::PRICE_STICKINESS),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        price_rival_weight: c.number(
            "behaviour.price_rival_weight".into(),
            rb.price_rival_weight
                .unwrap_or(defaults::PRICE_RIVAL_WEIGHT),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        scarcity_max_step: c.number(
            "behaviour.scarcity_max_step".into(),
            rb.scarcity_max_step.unwrap_or(defaults::SCARCITY_MAX_STEP),
            0.0,
            5.0,
            "a number from 0 to 5",
        ),
        demand_trend_max: c.number(
            "behaviour.demand_trend_max".into(),
            rb.demand_trend_max.unwrap_or(defaults::DEMAND_TREND_MAX),
            0.0,
            5.0,
            "a number from 0 to 5",
        ),
        burn_window_quarters: c.number(
            "behaviour.burn_window_quarters".into(),
            rb.burn_window_quarters
                .unwrap_or(defaults::BURN_WINDOW_QUARTERS),
            1.0,
            12.0,
            "a number from 1 to 12",
        ),
        investor_return_target: c.number(
            "behaviour.investor_return_target".into(),
            rb.investor_return_target
                .unwrap_or(defaults::INVESTOR_RETURN_TARGET),
            0.0,
            2.0,
            "a number from 0 to 2",
        ),
        investment_horizon_years: c.number(
            "behaviour.investment_horizon_years".into(),
            rb.investment_horizon_years
                .unwrap_or(defaults::INVESTMENT_HORIZON_YEARS),
            0.25,
            20.0,
            "a number from 0.25 to 20",
        ),
        growth_fade_per_year: c.number(
            "behaviour.growth_fade_per_year".into(),
            rb.growth_fade_per_year
                .unwrap_or(defaults::GROWTH_FADE_PER_YEAR),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        max_expected_growth: c.number(
            "behaviour.max_expected_growth".into(),
            rb.max_expected_growth
                .unwrap_or(defaults::MAX_EXPECTED_GROWTH),
            1.0,
            20.0,
            "a number from 1 to 20",
        ),
        expected_growth_prior: c.number(
            "behaviour.expected_growth_prior".into(),
            rb.expected_growth_prior
                .unwrap_or(defaults::EXPECTED_GROWTH_PRIOR),
            1.0,
            10.0,
            "a number from 1 to 10",
        ),
        growth_prior_weight_quarters: c.number(
            "behaviour.growth_prior_weight_quarters".into(),
            rb.growth_prior_weight_quarters
                .unwrap_or(defaults::GROWTH_PRIOR_WEIGHT_QUARTERS),
            0.0,
            40.0,
            "a number from 0 to 40",
        ),
        distressed_sale_fraction: c.number(
            "behaviour.distressed_sale_fraction".into(),
            rb.distressed_sale_fraction
                .unwrap_or(defaults::DISTRESSED_SALE_FRACTION),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        max_round_dilution: c.number(
            "behaviour.max_round_dilution".into(),
            rb.max_round_dilution
                .unwrap_or(defaults::MAX_ROUND_DILUTION),
            0.01,
            0.9,
            "a number from 0.01 to 0.9",
        ),
        permit_challenge_probability: c.number(
            "behaviour.permit_challenge_probability".into(),
            rb.permit_challenge_probability
                .unwrap_or(defaults::PERMIT_CHALLENGE_PROBABILITY),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        permit_challenge_max_quarters: c.number(
            "behaviour.permit_challenge_max_quarters".into(),
            rb.permit_challenge_max_quarters
                .unwrap_or(defaults::PERMIT_CHALLENGE_MAX_QUARTERS),
            1.0,
            20.0,
            "a number from 1 to 20",
        ),
        failover_share: c.number(
            "behaviour.failover_share".into(),
            rb.failover_share.unwrap_or(defaults::FAILOVER_SHARE),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        value_token_price_elasticity: c.number(
            "behaviour.value_token_price_elasticity".into(),
            rb.value_token_price_elasticity
                .unwrap_or(defaults::VALUE_TOKEN_PRICE_ELASTICITY),
            0.0,
            2.0,
            "a number from 0 to 2",
        ),
        hall_lease_rate: c.number(
            "behaviour.hall_lease_rate".into(),
            rb.hall_lease_rate.unwrap_or(defaults::HALL_LEASE_RATE),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        lease_coverage: c.number(
            "behaviour.lease_coverage".into(),
            rb.lease_coverage.unwrap_or(defaults::LEASE_COVERAGE),
            0.0,
            10.0,
            "a number from 0 to 10",
        ),
        initial_pipeline_span_quarters: c.whole(
            "behaviour.initial_pipeline_span_quarters".into(),
            rb.initial_pipeline_span_quarters
                .unwrap_or(i64::from(defaults::INITIAL_PIPELINE_SPAN_QUARTERS)),
            1,
            80,
        ),
        max_round_share: c.number(
            "behaviour.max_round_share".into(),
            rb.max_round_share.unwrap_or(defaults::MAX_ROUND_SHARE),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
    };
    // The first weight of each split carries the order when only one
    // generation is on sale, so it must be positive.
    for (field, weight) in [
        ("gpu_weight_best", behaviour.gpu_weight_best),
        ("backlog_gpu_weight_best", behaviour.backlog_gpu_weight_best),
        ("capacity_weight_newest", behaviour.capacity_weight_newest),
    ] {
        if weight <= 0.0 {
            c.fail(
                &format!("behaviour.{field}"),
                format!("is {weight}; allowed: a weight above 0 and at most 1"),
            );
        }
    }
    if behaviour.inference_share_min > behaviour.inference_share_max {
        c.fail(
            "behaviour.inference_share_min",
            format!(
                "is {}; allowed: at most behaviour.inference_share_max ({})",
                behaviour.inference_share_min, behaviour.inference_share_max
            ),
        );
    }
    if behaviour.inference_cut_utilisation > behaviour.inference_raise_utilisation {
        c.fail(
            "behaviour.inference_cut_utilisation",
            format!(
                "is {}; allowed: at most behaviour.inference_raise_utilisation ({})",
                behaviour.inference_cut_utilisation, behaviour.inference_raise_utilisation
            ),
        );
    }
    if behaviour.min_project_mw > behaviour.max_project_mw {
        c.fail(
            "behaviour.min_project_mw",
            format!(
                "is {}; allowed: at most behaviour.max_project_mw ({})",
                behaviour.min_project_mw, behaviour.max_project_mw
            ),
        );
    }

    behaviour
}

/// `[cloud]`: the rental market's starting ask and its rules; the fields
/// schema 6 removed get an error naming their replacement.
fn check_cloud(c: &mut Checker<'_>, rc: &RawCloud) -> CloudSpec {
    for (field, value) in [
        ("capacity_h100e", &rc.capacity_h100e),
        (
            "capacity_growth_per_quarter",
            &rc.capacity_growth_per_quarter,
        ),
        ("min_ask_per_h100e_hour_usd", &rc.min_ask_per_h100e_hour_usd),
    ] {
        if value.is_some() {
            c.fail(
                &format!("cloud.{field}"),
                "was removed in schema 6: capacity for rent now comes from [[accelerator_buyers]] rental_share, and its cost from the owners' fleets; allowed: delete this line (see docs/CONFIG.md)".to_string(),
            );
        }
    }
    CloudSpec {
        ask_per_h100e_hour_usd: c.within(
            "cloud.ask_per_h100e_hour_usd".into(),
            ranges::USD_PER_H100E_HOUR,
            rc.ask_per_h100e_hour_usd
                .unwrap_or(defaults::CLOUD_ASK_PER_H100E_HOUR_USD),
        ),
        ask_sensitivity: c.number(
            "cloud.ask_sensitivity".into(),
            rc.ask_sensitivity.unwrap_or(defaults::ASK_SENSITIVITY),
            0.0,
            2.0,
            "a number from 0 to 2",
        ),
        rent_cash_share: c.fraction(
            "cloud.rent_cash_share".into(),
            rc.rent_cash_share
                .unwrap_or(defaults::CLOUD_RENT_CASH_SHARE),
        ),
        owner_cost_of_capital_per_year: c.number(
            "cloud.owner_cost_of_capital_per_year".into(),
            rc.owner_cost_of_capital_per_year
                .unwrap_or(defaults::CLOUD_OWNER_COST_OF_CAPITAL_PER_YEAR),
            0.0,
            0.5,
            "a yearly rate from 0 to 0.5",
        ),
        training_value_per_h100e_hour_usd: c.within(
            "cloud.training_value_per_h100e_hour_usd".into(),
            ranges::USD_PER_H100E_HOUR,
            rc.training_value_per_h100e_hour_usd
                .unwrap_or(defaults::CLOUD_TRAINING_VALUE_PER_H100E_HOUR_USD),
        ),
    }
}

/// Name → index maps the policy timeline refers to.
struct TimelineNames<'a> {
    regions: &'a BTreeMap<String, usize>,
    regulators: &'a BTreeMap<String, usize>,
    labs: &'a BTreeMap<String, usize>,
    utilities: &'a BTreeMap<String, usize>,
    technologies: &'a BTreeMap<String, usize>,
    chips: &'a BTreeMap<String, usize>,
}

/// Validates one `[[events]]` entry: a known kind, exactly the fields that kind
/// takes, names that resolve and values in range.
fn policy_event(
    c: &mut Checker<'_>,
    i: usize,
    e: &RawPolicyEvent,
    names: &TimelineNames<'_>,
) -> Option<PolicyEvent> {
    let p = |f: &str| format!("events[{i}].{f}");
    let quarter = c.quarter(p("quarter"), &e.quarter);
    let fields: &[&str] = match e.kind.as_str() {
        "export_tier" => &["region", "tier"],
        "licence_fee" => &["regulator", "rate"],
        "permit_delay" => &["regulator", "quarters"],
        "antitrust_threshold" => &["regulator", "hhi"],
        "power_priority" => &["regulator", "dc_power_share"],
        "scheduled_round" => &["lab", "amount_usd", "post_money_usd"],
        "utility_build" => &["utility", "technology", "mw"],
        "chip_roadmap" => &["chip", "available"],
        "compute_outage" => &["lab", "share", "quarters"],
        other => {
            c.fail(
                &p("kind"),
                format!("is {other:?}; allowed: {}", PolicyChange::KINDS),
            );
            return None;
        }
    };
    let given = e.given_fields();
    let mut complete = true;
    for field in fields {
        if !given.contains(field) {
            c.fail(
                &p("kind"),
                format!(
                    "kind {:?} needs `{field}`; it takes: {}",
                    e.kind,
                    fields.join(", ")
                ),
            );
            complete = false;
        }
    }
    for field in &given {
        if !fields.contains(field) {
            c.fail(
                &p(field),
                format!(
                    "does not apply to kind {:?}; it takes: {}",
                    e.kind,
                    fields.join(", ")
                ),
            );
        }
    }
    if !complete {
        return None;
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let number = |v: Option<f64>| v.unwrap_or(f64::NAN);
    let change = match e.kind.as_str() {
        "export_tier" => {
            let tier_text = text(&e.tier);
            let tier = ExportTier::parse(&tier_text).unwrap_or_else(|| {
                c.fail(
                    &p("tier"),
                    format!("is {tier_text:?}; allowed: {}", ExportTier::ALLOWED),
                );
                ExportTier::Unrestricted
            });
            PolicyChange::ExportTier {
                region: c.resolve(p("region"), &text(&e.region), names.regions, "regions"),
                tier,
            }
        }
        "licence_fee" => PolicyChange::LicenceFee {
            regulator: c.resolve(
                p("regulator"),
                &text(&e.regulator),
                names.regulators,
                "regulators",
            ),
            rate: c.number(
                p("rate"),
                number(e.rate),
                0.0,
                5.0,
                "a fraction of the price from 0 to 5",
            ),
        },
        "permit_delay" => PolicyChange::PermitDelay {
            regulator: c.resolve(
                p("regulator"),
                &text(&e.regulator),
                names.regulators,
                "regulators",
            ),
            quarters: c.whole(p("quarters"), e.quarters.unwrap_or(-1), 0, 40),
        },
        "antitrust_threshold" => PolicyChange::AntitrustThreshold {
            regulator: c.resolve(
                p("regulator"),
                &text(&e.regulator),
                names.regulators,
                "regulators",
            ),
            hhi: c.number(
                p("hhi"),
                number(e.hhi),
                0.0,
                10_000.0,
                "an HHI from 0 to 10000",
            ),
        },
        "power_priority" => PolicyChange::PowerPriority {
            regulator: c.resolve(
                p("regulator"),
                &text(&e.regulator),
                names.regulators,
                "regulators",
            ),
            dc_power_share: c.fraction(p("dc_power_share"), number(e.dc_power_share)),
        },
        "scheduled_round" => {
            let amount_usd = c.within(p("amount_usd"), ranges::USD_VALUATION, number(e.amount_usd));
            let post_money_usd = c.within(
                p("post_money_usd"),
                ranges::USD_VALUATION,
                number(e.post_money_usd),
            );
            if post_money_usd <= amount_usd {
                c.fail(
                    &p("post_money_usd"),
                    format!("is {post_money_usd}, not above amount_usd ({amount_usd}); allowed: a post-money valuation above the amount raised"),
                );
            }
            PolicyChange::ScheduledRound {
                lab: c.resolve(p("lab"), &text(&e.lab), names.labs, "labs"),
                amount_usd,
                post_money_usd,
            }
        }
        "compute_outage" => PolicyChange::ComputeOutage {
            lab: c.resolve(p("lab"), &text(&e.lab), names.labs, "labs"),
            share: c.fraction(p("share"), number(e.share)),
            quarters: c.whole(p("quarters"), e.quarters.unwrap_or(0), 1, 400),
        },
        "utility_build" => PolicyChange::UtilityBuild {
            utility: c.resolve(
                p("utility"),
                &text(&e.utility),
                names.utilities,
                "utilities",
            ),
            technology: c.resolve(
                p("technology"),
                &text(&e.technology),
                names.technologies,
                "generation_technologies",
            ),
            mw: c.within(p("mw"), ranges::MW_POSITIVE, number(e.mw)),
        },
        _ => {
            let available = c.quarter(p("available"), &text(&e.available));
            if available < quarter {
                c.fail(
                    &p("available"),
                    format!("is {available}, before the event's quarter {quarter}; allowed: the event's quarter or later"),
                );
            }
            PolicyChange::ChipRoadmap {
                chip: c.resolve(p("chip"), &text(&e.chip), names.chips, "chips"),
                available,
            }
        }
    };
    Some(PolicyEvent { quarter, change })
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
