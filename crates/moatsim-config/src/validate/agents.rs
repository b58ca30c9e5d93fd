//! The agents' own entries: `[[regulators]]`, `[[utilities]]`,
//! `[[chipmakers]]`, `[[labs]]`, `[[accelerator_buyers]]` and `[[investors]]`.

use std::collections::BTreeMap;

use moatsim_model::Quarter;

use crate::check::Checker;
use crate::defaults;
use crate::ranges;
use crate::raw::*;
use crate::scenario::*;

/// `investors[].banks_powered_land_for`, once the labs' names are known: a lab,
/// and only on an infrastructure fund.
pub(super) fn resolve_land_banking(
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

/// `[[regulators]]`: one per jurisdiction, with its export tiers and permitting rules.
pub(super) fn check_regulators(
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
pub(super) fn check_utilities(
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

/// `[[chipmakers]]`: capacity, expansions under way and the jurisdiction that licenses exports.
pub(super) fn check_chipmakers(
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
                sells_networking: m.sells_networking.unwrap_or(false),
            }
        })
        .collect()
}

/// A generation in a starting fleet must be on sale by the start and, if it
/// is a custom accelerator, belong to the fleet's owner.
fn check_starting_chip(
    c: &mut Checker<'_>,
    path: &str,
    chip: Option<&ChipGeneration>,
    start: Quarter,
    owner: ChipOwner,
) {
    let Some(chip) = chip else { return };
    if chip.available > start {
        c.fail(
            path,
            format!(
                "{:?} is first available in {}, after the start ({start}); allowed: a chip available at the start",
                chip.name, chip.available
            ),
        );
    }
    if !chip.sold_to(owner) {
        c.fail(
            path,
            format!(
                "{:?} is another owner's custom accelerator; allowed: a merchant chip or one this fleet's owner owns",
                chip.name
            ),
        );
    }
}

/// `[[labs]]`, whose starting chip must be on sale by the start.
pub(super) fn check_labs(
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
    raw.labs
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let p = |f: &str| format!("labs[{i}].{f}");
            let initial_chip = c.resolve(p("initial_chip"), &l.initial_chip, chip_names, "chips");
            check_starting_chip(
                c,
                &p("initial_chip"),
                chips.get(initial_chip),
                start,
                ChipOwner::Lab(i),
            );
            let kind_text = l.kind.as_deref().unwrap_or(defaults::LAB_KIND);
            let kind = LabKind::parse(kind_text).unwrap_or_else(|| {
                c.fail(
                    &p("kind"),
                    format!("is {kind_text:?}; allowed: {}", LabKind::ALLOWED),
                );
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
                initial_fleet: check_initial_fleet(c, l, i, chip_names, chips, start),
                ambition_per_quarter: c.number(
                    p("ambition_per_quarter"),
                    l.ambition_per_quarter,
                    0.0,
                    2.0,
                    "a quarterly growth rate from 0 to 2",
                ),
                inference_share: c.number(
                    p("inference_share"),
                    l.inference_share.unwrap_or(defaults::INFERENCE_SHARE),
                    0.05,
                    0.95,
                    "a fraction from 0.05 to 0.95",
                ),
                markup: c.number(
                    p("markup"),
                    l.markup.unwrap_or(defaults::MARKUP),
                    0.0,
                    20.0,
                    "a markup over cost from 0 to 20",
                ),
                opex_per_quarter_usd: c.within(
                    p("opex_per_quarter_usd"),
                    ranges::USD_AMOUNT,
                    l.opex_per_quarter_usd,
                ),
                parent_funding_per_quarter_usd: c.within(
                    p("parent_funding_per_quarter_usd"),
                    ranges::USD_AMOUNT,
                    l.parent_funding_per_quarter_usd.unwrap_or(0.0),
                ),
                capex_fraction_of_cash: c.fraction(
                    p("capex_fraction_of_cash"),
                    l.capex_fraction_of_cash
                        .unwrap_or(defaults::CAPEX_FRACTION_OF_CASH),
                ),
                target_runway_quarters: c.number(
                    p("target_runway_quarters"),
                    l.target_runway_quarters
                        .unwrap_or(defaults::TARGET_RUNWAY_QUARTERS),
                    1.0,
                    40.0,
                    "quarters from 1 to 40",
                ),
                products: check_products(c, l, i, &segment_names, start),
                segment_strengths: check_segment_strengths(c, raw, l, i, &segment_names),
            }
        })
        .collect()
}

/// A lab's `initial_fleet`: generations on sale by the start, merchant or its own.
fn check_initial_fleet(
    c: &mut Checker<'_>,
    l: &RawLab,
    i: usize,
    chip_names: &BTreeMap<String, usize>,
    chips: &[ChipGeneration],
    start: Quarter,
) -> Vec<(usize, f64)> {
    l.initial_fleet
        .iter()
        .enumerate()
        .map(|(j, part)| {
            let q = |f: &str| format!("labs[{i}].initial_fleet[{j}].{f}");
            let chip = c.resolve(q("chip"), &part.chip, chip_names, "chips");
            check_starting_chip(c, &q("chip"), chips.get(chip), start, ChipOwner::Lab(i));
            (chip, c.within(q("h100e"), ranges::H100E, part.h100e))
        })
        .collect()
}

/// A lab's first-party products, in app builders' segments.
fn check_products(
    c: &mut Checker<'_>,
    l: &RawLab,
    i: usize,
    segment_names: &BTreeMap<String, usize>,
    start: Quarter,
) -> Vec<ProductSpec> {
    l.products
        .iter()
        .enumerate()
        .map(|(j, product)| {
            let q = |f: &str| format!("labs[{i}].products[{j}].{f}");
            ProductSpec {
                segment: c.resolve(
                    q("segment"),
                    &product.segment,
                    segment_names,
                    "app_builders.segments",
                ),
                share: c.number(
                    q("share"),
                    product.share,
                    0.0,
                    0.95,
                    "a share of the segment's end-user demand from 0 to 0.95",
                ),
                launch: product
                    .launch
                    .as_deref()
                    .map_or(start, |text| c.quarter(q("launch"), text)),
                depth: c.fraction(q("depth"), product.depth.unwrap_or(defaults::PRODUCT_DEPTH)),
            }
        })
        .collect()
}

/// A lab's capability offsets by app builders' segment, in segment order.
fn check_segment_strengths(
    c: &mut Checker<'_>,
    raw: &RawConfig,
    l: &RawLab,
    i: usize,
    segment_names: &BTreeMap<String, usize>,
) -> Vec<f64> {
    let mut strengths = vec![0.0; raw.app_builders.segments.len()];
    for (name, &offset) in &l.segment_strengths {
        let field = format!("labs[{i}].segment_strengths.{name}");
        let k = c.resolve(field.clone(), name, segment_names, "app_builders.segments");
        if let Some(slot) = strengths.get_mut(k) {
            *slot = c.number(field, offset, -1.0, 1.0, "a capability offset from -1 to 1");
        }
    }
    strengths
}

/// `[[accelerator_buyers]]`: the rest of the accelerator market.
pub(super) fn check_buyers(
    c: &mut Checker<'_>,
    raw: &RawConfig,
    region_names: &BTreeMap<String, usize>,
    chip_names: &BTreeMap<String, usize>,
    chips: &[ChipGeneration],
    start: Quarter,
) -> Vec<AcceleratorBuyerSpec> {
    raw.accelerator_buyers
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let p = |f: &str| format!("accelerator_buyers[{i}].{f}");
            let kind = BuyerKind::parse(&b.kind).unwrap_or_else(|| {
                c.fail(
                    &p("kind"),
                    format!("is {:?}; allowed: {}", b.kind, BuyerKind::ALLOWED),
                );
                BuyerKind::Other
            });
            let initial_chip = c.resolve(p("initial_chip"), &b.initial_chip, chip_names, "chips");
            check_starting_chip(
                c,
                &p("initial_chip"),
                chips.get(initial_chip),
                start,
                ChipOwner::Buyer(i),
            );
            AcceleratorBuyerSpec {
                name: c.name(p("name"), &b.name),
                kind,
                region: c.resolve(p("region"), &b.region, region_names, "regions"),
                fleet_h100e: c.within(p("fleet_h100e"), ranges::H100E, b.fleet_h100e),
                initial_chip,
                growth_per_quarter: c.within(
                    p("growth_per_quarter"),
                    ranges::GROWTH_PER_QUARTER,
                    b.growth_per_quarter,
                ),
                growth_half_life_quarters: c.within(
                    p("growth_half_life_quarters"),
                    ranges::HALF_LIFE_QUARTERS,
                    b.growth_half_life_quarters,
                ),
                reference_price_per_h100e_usd: c.within(
                    p("reference_price_per_h100e_usd"),
                    ranges::USD_PER_H100E,
                    b.reference_price_per_h100e_usd,
                ),
                value_per_h100e_usd: c.within(
                    p("value_per_h100e_usd"),
                    ranges::USD_PER_H100E,
                    b.value_per_h100e_usd,
                ),
                price_elasticity: c.within(
                    p("price_elasticity"),
                    ranges::ELASTICITY,
                    b.price_elasticity
                        .unwrap_or(defaults::BUYER_PRICE_ELASTICITY),
                ),
                accelerator_share_of_capex: c.within(
                    p("accelerator_share_of_capex"),
                    ranges::SHARE_POSITIVE,
                    b.accelerator_share_of_capex
                        .unwrap_or(defaults::ACCELERATOR_SHARE_OF_CAPEX),
                ),
                choice_sharpness: c.within(
                    p("choice_sharpness"),
                    ranges::SHARPNESS,
                    b.choice_sharpness
                        .unwrap_or(defaults::BUYER_CHOICE_SHARPNESS),
                ),
                rental_share: c.fraction(
                    p("rental_share"),
                    b.rental_share.unwrap_or(defaults::BUYER_RENTAL_SHARE),
                ),
            }
        })
        .collect()
}

/// `[[investors]]`, before the labs they bank land for are resolved.
pub(super) fn check_investors(c: &mut Checker<'_>, raw: &RawConfig) -> Vec<InvestorSpec> {
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
