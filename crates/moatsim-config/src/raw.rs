//! Stage one of loading: the TOML file as written, with serde.
//!
//! Every struct denies unknown fields so that a typo is an error, not a silently
//! ignored setting. Optional fields fall back to the named defaults in
//! [`crate::defaults`]. Nothing here is checked beyond its type; `validate.rs`
//! turns these into the typed [`crate::Scenario`].

use serde::Deserialize;
use std::collections::BTreeMap;

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
    #[serde(default)]
    pub behaviour: RawBehaviour,
    #[serde(default)]
    pub output: RawOutput,
}

/// One entry of the policy timeline. Which fields apply depends on `kind`;
/// `validate.rs` checks that exactly those are given.
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

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBehaviour {
    pub generation_cost_share: Option<f64>,
    pub gpu_lead_quarters: Option<i64>,
    pub refresh_min_age_quarters: Option<i64>,
    pub refresh_share_per_quarter: Option<f64>,
    pub backlog_fill_ratio: Option<f64>,
    pub backlog_premium: Option<f64>,
    pub delay_cost_share: Option<f64>,
    pub site_energy_quarters: Option<f64>,
    pub queue_mw_cleared_per_quarter: Option<f64>,
    pub min_project_mw: Option<f64>,
    pub max_project_mw: Option<f64>,
    pub raw_land_limit_multiple: Option<f64>,
    pub land_banking_budget_share: Option<f64>,
    pub land_scarcity_signal: Option<f64>,
    pub land_banking_stock_share: Option<f64>,
    pub land_resale_premium: Option<f64>,
    pub min_close_fraction: Option<f64>,
    pub down_round_floor: Option<f64>,
    pub fill_memory: Option<f64>,
    pub production_buffer: Option<f64>,
    pub ask_max_step_per_quarter: Option<f64>,
    pub expansion_backlog_share: Option<f64>,
    pub initial_fleet_book_value: Option<f64>,
    pub initial_facility_book_value: Option<f64>,
    pub max_tariff_multiple: Option<f64>,
    pub max_round_share: Option<f64>,
    pub initial_pipeline_span_quarters: Option<i64>,
    pub gpu_value_quarters: Option<f64>,
    pub gpu_value_floor_per_h100e_usd: Option<f64>,
    pub gpu_weight_best: Option<f64>,
    pub gpu_weight_second: Option<f64>,
    pub backlog_gpu_weight_best: Option<f64>,
    pub backlog_gpu_weight_second: Option<f64>,
    pub backlog_gpu_weight_third: Option<f64>,
    pub capacity_weight_newest: Option<f64>,
    pub capacity_weight_second: Option<f64>,
    pub capacity_weight_third: Option<f64>,
    pub inference_share_step: Option<f64>,
    pub inference_share_min: Option<f64>,
    pub inference_share_max: Option<f64>,
    pub inference_raise_utilisation: Option<f64>,
    pub inference_cut_utilisation: Option<f64>,
    pub markup_idle_utilisation: Option<f64>,
    pub markup_idle_step: Option<f64>,
    pub markup_raise_retention: Option<f64>,
    pub markup_cut_retention: Option<f64>,
    pub markup_retention_step: Option<f64>,
    pub markup_min: Option<f64>,
    pub markup_max: Option<f64>,
    pub price_stickiness: Option<f64>,
    pub price_rival_weight: Option<f64>,
    pub scarcity_max_step: Option<f64>,
    pub demand_trend_max: Option<f64>,
    pub burn_window_quarters: Option<f64>,
    pub investor_return_target: Option<f64>,
    pub investment_horizon_years: Option<f64>,
    pub growth_fade_per_year: Option<f64>,
    pub max_expected_growth: Option<f64>,
    pub expected_growth_prior: Option<f64>,
    pub growth_prior_weight_quarters: Option<f64>,
    pub distressed_sale_fraction: Option<f64>,
    pub max_round_dilution: Option<f64>,
    pub permit_challenge_probability: Option<f64>,
    pub permit_challenge_max_quarters: Option<f64>,
    pub failover_share: Option<f64>,
    pub value_token_price_elasticity: Option<f64>,
    pub hall_lease_rate: Option<f64>,
    pub lease_coverage: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCloud {
    pub ask_per_h100e_hour_usd: Option<f64>,
    pub ask_sensitivity: Option<f64>,
    pub rent_cash_share: Option<f64>,
    pub owner_cost_of_capital_per_year: Option<f64>,
    pub training_value_per_h100e_hour_usd: Option<f64>,
    // Removed in schema 6 (rental capacity and its cost now come from the
    // owners' fleets); read only to say so instead of "unknown field".
    pub capacity_h100e: Option<toml::Value>,
    pub capacity_growth_per_quarter: Option<toml::Value>,
    pub min_ask_per_h100e_hour_usd: Option<toml::Value>,
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

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorld {
    pub pue: Option<f64>,
    pub mtok_per_h100e_quarter: Option<f64>,
    pub gpu_life_quarters: Option<i64>,
    pub facility_life_quarters: Option<i64>,
    pub generation_life_quarters: Option<i64>,
    pub packaging_life_quarters: Option<i64>,
    pub dc_capex_per_mw_usd: Option<f64>,
    pub dc_build_quarters: Option<i64>,
    pub dc_build_sigma: Option<f64>,
    pub land_price_elasticity: Option<f64>,
    pub capability_rate: Option<f64>,
    pub capability_reference_h100e: Option<f64>,
    pub prior_training_quarters: Option<f64>,
    pub research_luck_sigma: Option<f64>,
    pub breakthrough_rate_per_quarter: Option<f64>,
    pub breakthrough_size: Option<f64>,
    pub diffusion_rate: Option<f64>,
    pub algorithmic_efficiency_halving_months: Option<f64>,
    pub capability_per_serving_doubling: Option<f64>,
    pub gpu_price_performance_doubling_years: Option<f64>,
    pub gpu_energy_efficiency_gain_per_year: Option<f64>,
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAppBuilders {
    pub count: i64,
    pub initial_market_mtok_per_quarter: f64,
    pub reference_price_per_mtok: f64,
    pub price_elasticity: f64,
    pub entry_rate_per_quarter: f64,
    pub exit_after_loss_quarters: i64,
    pub capability_weight: f64,
    pub price_weight: f64,
    pub switching_cost_base: f64,
    pub switching_cost_growth: f64,
    pub switching_cost_cap_quarters: i64,
    pub rationing_penalty: f64,
    pub generic_capture: Option<f64>,
    pub crowding_elasticity: Option<f64>,
    pub normal_margin: Option<f64>,
    pub end_user_capability_weight: Option<f64>,
    pub end_user_price_weight: Option<f64>,
    pub end_user_reconsider_share: Option<f64>,
    pub provider_review_share: Option<f64>,
    pub builder_shock_sigma: Option<f64>,
    pub segment_shock_sigma: Option<f64>,
    pub fixed_cost_scale_elasticity: Option<f64>,
    pub segments: Vec<RawSegment>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSegment {
    pub name: String,
    pub weight: f64,
    pub value_per_mtok_median_usd: f64,
    pub value_sigma: f64,
    pub size_sigma: f64,
    pub demand_growth_per_quarter: f64,
    pub growth_half_life_quarters: Option<f64>,
    pub depth_min: f64,
    pub depth_max: f64,
    pub fixed_cost_share: f64,
}
