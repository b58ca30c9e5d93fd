//! Stage one of loading: the TOML file as written, with serde.
//!
//! Every struct denies unknown fields so that a typo is an error, not a silently
//! ignored setting. Optional fields fall back to the named defaults in
//! [`crate::defaults`]. Nothing here is checked beyond its type; `validate/`
//! turns these into the typed [`crate::Scenario`].

use serde::Deserialize;
use std::collections::BTreeMap;

// The sections of scenario-wide parameters are generated from their tables.
pub use crate::parameters::app_builders::RawAppBuilders;
pub use crate::parameters::behaviour::RawBehaviour;
pub use crate::parameters::cloud::RawCloud;
pub use crate::parameters::world::RawWorld;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub scenario: RawScenarioHeader,
    #[serde(default)]
    pub world: RawWorld,
    pub regions: Vec<RawRegion>,
    pub chips: Vec<RawChip>,
    pub labs: Vec<RawLab>,
    #[serde(default)]
    pub accelerator_buyers: Vec<RawAcceleratorBuyer>,
    pub investors: Vec<RawInvestor>,
    pub chipmakers: Vec<RawChipmaker>,
    pub utilities: Vec<RawUtility>,
    pub generation_technologies: Vec<RawTechnology>,
    pub regulators: Vec<RawRegulator>,
    pub app_builders: RawAppBuilders,
    #[serde(default)]
    pub scheduled_rounds: Vec<RawScheduledRound>,
    #[serde(default)]
    pub joint_ventures: Vec<RawJointVenture>,
    #[serde(default)]
    pub events: Vec<RawPolicyEvent>,
    #[serde(default)]
    pub cloud: RawCloud,
    /// Compute contracts between labs and cloud owners (issue 28, step 2);
    /// none when the section is left out.
    pub contracts: Option<RawContracts>,
    #[serde(default)]
    pub behaviour: RawBehaviour,
    #[serde(default)]
    pub output: RawOutput,
}

/// `[contracts]` as written: every field is required when the section is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContracts {
    pub term_quarters: i64,
    pub lead_quarters: i64,
    pub cover_share: f64,
    pub host_surplus_share: f64,
    pub host_offer_share: f64,
}

/// One entry of the policy timeline. Which fields apply depends on `kind`;
/// `validate/policy.rs` checks that exactly those are given.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicyEvent {
    pub quarter: String,
    pub kind: String,
    pub region: Option<String>,
    pub tier: Option<String>,
    pub regulator: Option<String>,
    pub rate: Option<f64>,
    pub quarters: Option<i64>,
    pub hhi: Option<f64>,
    pub dc_power_share: Option<f64>,
    pub lab: Option<String>,
    pub amount_usd: Option<f64>,
    pub post_money_usd: Option<f64>,
    pub utility: Option<String>,
    pub technology: Option<String>,
    pub mw: Option<f64>,
    pub chip: Option<String>,
    pub available: Option<String>,
    pub share: Option<f64>,
}

impl RawPolicyEvent {
    /// The kind-specific fields that are set, by name.
    pub fn given_fields(&self) -> Vec<&'static str> {
        let mut given = Vec::new();
        let mut note = |set: bool, name: &'static str| {
            if set {
                given.push(name);
            }
        };
        note(self.region.is_some(), "region");
        note(self.tier.is_some(), "tier");
        note(self.regulator.is_some(), "regulator");
        note(self.rate.is_some(), "rate");
        note(self.quarters.is_some(), "quarters");
        note(self.hhi.is_some(), "hhi");
        note(self.dc_power_share.is_some(), "dc_power_share");
        note(self.lab.is_some(), "lab");
        note(self.amount_usd.is_some(), "amount_usd");
        note(self.post_money_usd.is_some(), "post_money_usd");
        note(self.utility.is_some(), "utility");
        note(self.technology.is_some(), "technology");
        note(self.mw.is_some(), "mw");
        note(self.chip.is_some(), "chip");
        note(self.available.is_some(), "available");
        note(self.share.is_some(), "share");
        given
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScheduledRound {
    pub lab: String,
    pub quarter: String,
    pub amount_usd: f64,
    pub post_money_usd: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJointVenture {
    pub partner: String,
    pub lab: String,
    pub quarter: String,
    pub investment_usd: f64,
    pub builder_share: f64,
    pub tie_strength: f64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutput {
    pub app_builders: Option<String>,
    pub app_builders_sample_share: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenarioHeader {
    pub name: String,
    pub start: Option<String>,
    pub quarters: Option<i64>,
    pub seed: Option<i64>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    pub name: String,
    pub jurisdiction: String,
    pub export_tier: String,
    pub land_stock_acres: f64,
    pub new_zoning_acres_per_quarter: f64,
    pub land_price_per_acre_usd: f64,
    pub mw_per_acre: f64,
    pub powered_land_acres: Option<f64>,
    pub powered_land_premium: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChip {
    pub name: String,
    pub maker: String,
    pub available: String,
    pub h100e_per_unit: f64,
    pub watts: f64,
    pub unit_cost_usd: f64,
    pub launch_price_usd: f64,
    pub units_per_wafer: f64,
    #[serde(default = "default_true")]
    pub controlled: bool,
    pub sold_in: Option<Vec<String>>,
    /// A custom accelerator's owner (a lab or an aggregate buyer): the only
    /// buyer its design partner sells it to.
    pub owner: Option<String>,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLab {
    pub name: String,
    pub kind: Option<String>,
    pub home_region: String,
    pub cash_usd: f64,
    pub valuation_usd: f64,
    pub capability: f64,
    pub online_h100e: f64,
    pub pipeline_mw: Option<f64>,
    pub initial_chip: String,
    /// Further generations in the starting fleet, besides `online_h100e` of
    /// `initial_chip`.
    #[serde(default)]
    pub initial_fleet: Vec<RawFleetPart>,
    pub ambition_per_quarter: f64,
    pub inference_share: Option<f64>,
    pub markup: Option<f64>,
    pub opex_per_quarter_usd: f64,
    pub parent_funding_per_quarter_usd: Option<f64>,
    pub capex_fraction_of_cash: Option<f64>,
    pub target_runway_quarters: Option<f64>,
    /// First-party products (subscriptions, enterprise seats) the lab sells
    /// in app builders' segments.
    #[serde(default)]
    pub products: Vec<RawProduct>,
    /// Capability offsets by app builders' segment (a lab's models are
    /// stronger in some domains than its overall capability says).
    #[serde(default)]
    pub segment_strengths: BTreeMap<String, f64>,
}

/// Compute of one generation in a lab's starting fleet.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFleetPart {
    pub chip: String,
    pub h100e: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProduct {
    pub segment: String,
    pub share: f64,
    pub launch: Option<String>,
    pub depth: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAcceleratorBuyer {
    pub name: String,
    pub kind: String,
    pub region: String,
    pub fleet_h100e: f64,
    pub initial_chip: String,
    pub growth_per_quarter: f64,
    pub growth_half_life_quarters: f64,
    pub reference_price_per_h100e_usd: f64,
    pub value_per_h100e_usd: f64,
    pub price_elasticity: Option<f64>,
    pub accelerator_share_of_capex: Option<f64>,
    pub choice_sharpness: Option<f64>,
    pub rental_share: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInvestor {
    pub name: String,
    pub kind: String,
    pub dry_powder_usd: f64,
    pub inflow_per_quarter_usd: f64,
    pub risk_appetite: f64,
    pub revenue_multiple: f64,
    pub max_deal_fraction: Option<f64>,
    pub banks_powered_land_for: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChipmaker {
    pub name: String,
    pub jurisdiction: String,
    pub packaging_wafers_per_quarter: f64,
    pub expansion_wafers: f64,
    pub expansion_lead_quarters: i64,
    pub expansion_cost_per_wafer_usd: f64,
    pub min_gross_margin: f64,
    pub ask_sensitivity: Option<f64>,
    pub rival_catch_up: Option<f64>,
    pub roadmap_cadence_quarters: Option<i64>,
    pub cash_usd: f64,
    #[serde(default)]
    pub expansions_under_way: Vec<RawExpansion>,
    /// Whether it sells the networking around its accelerators itself.
    pub sells_networking: Option<bool>,
}

/// Packaging capacity already being built at the start of the run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpansion {
    pub ready: String,
    pub wafers: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUtility {
    pub name: String,
    pub region: String,
    pub generation_mw: f64,
    pub base_load_mw: f64,
    pub base_load_growth_per_quarter: Option<f64>,
    pub base_tariff_per_mwh: f64,
    pub target_reserve_margin: f64,
    pub min_reserve_margin: f64,
    pub scarcity_adder: f64,
    pub studies_per_quarter: i64,
    pub interconnection_study_quarters: Option<i64>,
    pub build_block_mw: f64,
    pub hurdle: f64,
    pub cash_usd: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTechnology {
    pub name: String,
    pub lead_quarters: i64,
    pub cost_per_mwh: f64,
    pub capex_per_mw_usd: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegulator {
    pub name: String,
    pub jurisdiction: String,
    pub permit_base_quarters: i64,
    pub permits_per_quarter: i64,
    pub licence_fee_rate: f64,
    pub antitrust_hhi_threshold: f64,
    pub dc_power_share: Option<f64>,
    pub labs_may_build_in: Option<Vec<String>>,
}

/// A capability threshold that opens new uses in a segment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUnlock {
    pub capability: f64,
    pub ceiling_gain: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSegment {
    pub name: String,
    pub weight: f64,
    pub value_per_mtok_median_usd: f64,
    pub value_sigma: f64,
    pub size_sigma: f64,
    pub adopters_at_start: f64,
    pub adoption_ceiling: f64,
    pub agent_multiplier: Option<f64>,
    pub agent_threshold: Option<f64>,
    #[serde(default)]
    pub unlocks: Vec<RawUnlock>,
    pub depth_min: f64,
    pub depth_max: f64,
    pub fixed_cost_share: f64,
}
