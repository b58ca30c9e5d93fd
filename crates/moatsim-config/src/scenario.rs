//! Stage two of loading: the validated, typed scenario the engine runs.
//!
//! Every value here has been checked: ranges hold, names resolve, and
//! cross-references are indices. The struct serialises to the resolved
//! configuration that is stored in each output file's metadata.

use moatsim_model::Quarter;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub start: Quarter,
    pub quarters: u32,
    pub seed: u64,
    pub world: WorldParams,
    pub regions: Vec<Region>,
    pub chips: Vec<ChipGeneration>,
    pub labs: Vec<LabSpec>,
    /// The rest of the accelerator market, as aggregate buyers.
    pub accelerator_buyers: Vec<AcceleratorBuyerSpec>,
    pub investors: Vec<InvestorSpec>,
    pub chipmakers: Vec<ChipmakerSpec>,
    pub utilities: Vec<UtilitySpec>,
    pub generation_technologies: Vec<Technology>,
    pub regulators: Vec<RegulatorSpec>,
    pub app_builders: AppBuilderSpec,
    pub scheduled_rounds: Vec<ScheduledRound>,
    pub joint_ventures: Vec<JointVenture>,
    /// The policy timeline, in the order written.
    pub events: Vec<PolicyEvent>,
    pub cloud: CloudSpec,
    pub behaviour: BehaviourParams,
    pub output: OutputSpec,
}

/// Behavioural numbers of the agents' decision rules that are not tied to
/// one agent (`[behaviour]`): each has a default with its source and a
/// plausible range in `parameters::PARAMETERS`.
#[derive(Debug, Clone, Serialize)]
pub struct BehaviourParams {
    /// Share of the base tariff that is a utility's cost of producing a MWh.
    pub generation_cost_share: f64,
    /// Quarters ahead of power that labs buy GPUs for sites being built.
    pub gpu_lead_quarters: u32,
    /// Quarters a generation has been on sale before a power-limited lab may
    /// retire its units for a newer one (fleet refresh).
    pub refresh_min_age_quarters: u32,
    /// Most of a generation's installed power at a lab's energized sites in a
    /// region it refreshes in one quarter.
    pub refresh_share_per_quarter: f64,
    /// Below this share of its GPU order filled, a lab counts itself backlogged.
    pub backlog_fill_ratio: f64,
    /// Extra willingness to pay of a backlogged lab, as a share of value.
    pub backlog_premium: f64,
    /// Share of a site's quarterly value lost per quarter of expected wait.
    pub delay_cost_share: f64,
    /// Quarters of energy cost labs count when comparing regions for a site.
    pub site_energy_quarters: f64,
    /// MW an interconnection queue is expected to clear a quarter (turns MW ahead into quarters of waiting).
    pub queue_mw_cleared_per_quarter: f64,
    /// Smallest new data-center project a lab starts, MW.
    pub min_project_mw: f64,
    /// Largest new data-center project a lab starts, MW.
    pub max_project_mw: f64,
    /// Most a lab pays for raw land, as a multiple of the landowners' price.
    pub raw_land_limit_multiple: f64,
    /// Share of its dry powder a land bank puts into land a quarter (scaled by risk appetite).
    pub land_banking_budget_share: f64,
    /// Labs' land demand, as a share of the unsold stock, that makes a region look scarce to land banks.
    pub land_scarcity_signal: f64,
    /// Most of a region's unsold stock one land bank buys a quarter.
    pub land_banking_stock_share: f64,
    /// Premium over the landowners' price at which land banks resell.
    pub land_resale_premium: f64,
    /// Share of its target a round must raise to close.
    pub min_close_fraction: f64,
    /// Lowest pre-money a lab accepts, as a share of its current valuation.
    pub down_round_floor: f64,
    /// Share of the previous expectation buyers keep when they update a generation's expected fill.
    pub fill_memory: f64,
    /// Production scheduled per unit of backlog (a small buffer against cancelled orders).
    pub production_buffer: f64,
    /// Largest move of a posted ask (chips, rental) in one quarter, either way.
    pub ask_max_step_per_quarter: f64,
    /// Backlog, as a share of production, above which a chipmaker counts a quarter as backlogged.
    pub expansion_backlog_share: f64,
    /// Share of list price a starting fleet is carried at.
    pub initial_fleet_book_value: f64,
    /// Share of replacement cost a starting hall or packaging line is carried at.
    pub initial_facility_book_value: f64,
    /// Tariff, as a multiple of today's, above which a lab walks away from its queue place.
    pub max_tariff_multiple: f64,
    /// Largest share of one round a single investor takes.
    pub max_round_share: f64,
    /// Quarters over which the sites labs have under construction at the
    /// start energize, in equal steps from the second quarter.
    pub initial_pipeline_span_quarters: u32,
    /// Quarters of serving revenue at which a lab values an H100e it buys.
    pub gpu_value_quarters: f64,
    /// The least a lab values an H100e it buys, USD.
    pub gpu_value_floor_per_h100e_usd: f64,
    /// Weight of a lab's GPU order on the generation with the most H100e per dollar (normalised with gpu_weight_second).
    pub gpu_weight_best: f64,
    /// Weight of a lab's GPU order on the second-best generation.
    pub gpu_weight_second: f64,
    /// Weight of a backlogged lab's GPU order on the best generation (normalised over the three weights).
    pub backlog_gpu_weight_best: f64,
    /// Weight of a backlogged lab's GPU order on the second-best generation.
    pub backlog_gpu_weight_second: f64,
    /// Weight of a backlogged lab's GPU order on the third-best generation.
    pub backlog_gpu_weight_third: f64,
    /// Weight of a chipmaker's packaging capacity on its newest generation on sale (normalised over the generations on sale).
    pub capacity_weight_newest: f64,
    /// Weight of its capacity on the second-newest generation.
    pub capacity_weight_second: f64,
    /// Weight of its capacity on the third-newest generation (older ones get none).
    pub capacity_weight_third: f64,
    /// Points of compute a lab moves between training and inference in a quarter.
    pub inference_share_step: f64,
    /// Least share of its compute a lab serves inference with.
    pub inference_share_min: f64,
    /// Most share of its compute a lab serves inference with.
    pub inference_share_max: f64,
    /// Utilisation at or above which a lab moves compute to inference.
    pub inference_raise_utilisation: f64,
    /// Utilisation below which a lab moves compute to training.
    pub inference_cut_utilisation: f64,
    /// Utilisation below which a lab cuts its markup to win volume.
    pub markup_idle_utilisation: f64,
    /// Fraction a lab cuts its markup by in a quarter its capacity sat idle.
    pub markup_idle_step: f64,
    /// Share of last quarter's customers staying above which a lab raises its markup (lock-in).
    pub markup_raise_retention: f64,
    /// Share of last quarter's customers staying below which a lab cuts its markup.
    pub markup_cut_retention: f64,
    /// Fraction a lab moves its markup by on retention in a quarter.
    pub markup_retention_step: f64,
    /// Least markup over marginal cost a lab posts.
    pub markup_min: f64,
    /// Most markup over marginal cost a lab posts.
    pub markup_max: f64,
    /// Share of last quarter's list price a lab keeps when it moves toward its target.
    pub price_stickiness: f64,
    /// Weight of rivals' mean list price in a lab's target price.
    pub price_rival_weight: f64,
    /// Largest rise of a lab's scarcity premium in a quarter, as a fraction.
    pub scarcity_max_step: f64,
    /// Largest quarter-on-quarter growth (or fall, as 1/(1 + x)) a lab extrapolates from its last two quarters' token demand when it prices.
    pub demand_trend_max: f64,
    /// Quarters of net outflow a lab averages into the burn rate its runway and round size are measured against (rounded to a whole number).
    pub burn_window_quarters: f64,
    /// Yearly return investors require of a lab round; they refuse valuations that cannot return it.
    pub investor_return_target: f64,
    /// Years from a round to the exit investors value it at.
    pub investment_horizon_years: f64,
    /// Share of a lab's excess yearly revenue growth investors expect to carry into each following year.
    pub growth_fade_per_year: f64,
    /// Most yearly revenue growth (as a factor) investors extrapolate.
    pub max_expected_growth: f64,
    /// Yearly revenue growth (as a factor) investors expect of a lab before it has a record: the consensus forecast they start from.
    pub expected_growth_prior: f64,
    /// Quarters of a lab's revenue record worth as much as investors' prior in the growth they expect.
    pub growth_prior_weight_quarters: f64,
    /// Share of what a failed lab paid for its fleet and halls that the lab buying them pays.
    pub distressed_sale_fraction: f64,
    /// Largest share of itself a lab sells in one round (at its asking valuation); a plan that needs more is funded over several rounds.
    pub max_round_dilution: f64,
    /// Chance that a site's permit is challenged (local opposition, litigation, a longer environmental review) and delayed.
    pub permit_challenge_probability: f64,
    /// Most quarters a challenge adds to a permit (the delay is uniform from 1 to this, rounded down to whole quarters).
    pub permit_challenge_max_quarters: f64,
    /// Share of a rationed builder's unserved tokens its router sends, the same quarter, to labs with idle capacity (multi-homing).
    pub failover_share: f64,
    /// Elasticity of end users' value per token to the token price: as tokens get cheaper apps spend more of them per task, so each is worth less.
    pub value_token_price_elasticity: f64,
    /// Yearly lease a lab pays an infrastructure fund per dollar of a hall the fund financed (its yield plus the hall's cost recovered over its life).
    pub hall_lease_rate: f64,
    /// Most a lab's yearly hall leases may be, as a share of its revenue run-rate, for a fund to finance another hall.
    pub lease_coverage: f64,
}

/// The cloud-rental market: compute rented by the quarter from owners inside
/// the simulation (aggregate buyers with a `rental_share`), one market per region.
#[derive(Debug, Clone, Serialize)]
pub struct CloudSpec {
    /// Every region's ask in the first quarter, USD per H100e-hour.
    pub ask_per_h100e_hour_usd: f64,
    pub ask_sensitivity: f64,
    /// Largest share of its cash a lab spends on rent in a quarter.
    pub rent_cash_share: f64,
    /// The yearly return owners require on the capital in their fleets.
    pub owner_cost_of_capital_per_year: f64,
    /// What labs state an H100e-hour of training compute is worth to them, USD.
    pub training_value_per_h100e_hour_usd: f64,
}

/// A change the scenario schedules, applied at the start of its quarter.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyEvent {
    pub quarter: Quarter,
    pub change: PolicyChange,
}

/// What a policy event changes. Indices point into the scenario's lists.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PolicyChange {
    /// A region moves to another export tier.
    ExportTier { region: usize, tier: ExportTier },
    /// A regulator's licence fee on exports to capped regions.
    LicenceFee { regulator: usize, rate: f64 },
    /// A regulator's base permitting delay for data centers.
    PermitDelay { regulator: usize, quarters: u32 },
    /// The inference HHI above which a regulator opens an antitrust review.
    AntitrustThreshold { regulator: usize, hhi: f64 },
    /// The share of spare grid capacity data centers may take in the
    /// regulator's regions each quarter.
    PowerPriority {
        regulator: usize,
        dc_power_share: f64,
    },
    /// A funding round on set terms (also listed in `scheduled_rounds`).
    ScheduledRound {
        lab: usize,
        amount_usd: f64,
        post_money_usd: f64,
    },
    /// A utility starts building generation of a technology now.
    UtilityBuild {
        utility: usize,
        technology: usize,
        mw: f64,
    },
    /// A chip generation's first quarter on sale moves.
    ChipRoadmap { chip: usize, available: Quarter },
    /// A lab loses `share` of its online compute for `quarters` quarters (an
    /// outage, a fire, a seizure): a capacity shock.
    ComputeOutage {
        lab: usize,
        share: f64,
        quarters: u32,
    },
}

impl PolicyChange {
    pub const KINDS: &'static str = "export_tier, licence_fee, permit_delay, antitrust_threshold, power_priority, scheduled_round, utility_build, chip_roadmap, compute_outage";

    /// How a `compute_outage` reads, in the run's events and `moatsim
    /// validate`'s timeline alike.
    pub fn outage_text(lab: &str, share: f64, quarters: u32) -> String {
        format!(
            "{lab} loses {:.0}% of its online compute for {quarters} quarters",
            share * 100.0
        )
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::ExportTier { .. } => "export_tier",
            Self::LicenceFee { .. } => "licence_fee",
            Self::PermitDelay { .. } => "permit_delay",
            Self::AntitrustThreshold { .. } => "antitrust_threshold",
            Self::PowerPriority { .. } => "power_priority",
            Self::ScheduledRound { .. } => "scheduled_round",
            Self::UtilityBuild { .. } => "utility_build",
            Self::ChipRoadmap { .. } => "chip_roadmap",
            Self::ComputeOutage { .. } => "compute_outage",
        }
    }
}

/// A funding round that happens whatever the market says (a scenario's shock).
#[derive(Debug, Clone, Serialize)]
pub struct ScheduledRound {
    /// Index into `Scenario::labs`.
    pub lab: usize,
    pub quarter: Quarter,
    pub amount_usd: f64,
    pub post_money_usd: f64,
}

/// An enterprise joint venture: the partner invests in the lab and ties part of
/// the app-builder population's demand to it.
#[derive(Debug, Clone, Serialize)]
pub struct JointVenture {
    /// Index into `Scenario::investors`.
    pub partner: usize,
    /// Index into `Scenario::labs`.
    pub lab: usize,
    pub quarter: Quarter,
    pub investment_usd: f64,
    /// Share of builders tied to the lab (chosen by a hash of their id).
    pub builder_share: f64,
    /// Choice-utility bonus the tie gives the lab.
    pub tie_strength: f64,
}

/// How the `app_builders` table is written.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BuilderOutput {
    /// One row per builder per quarter.
    Full,
    /// One row per builder per quarter for a fixed, id-hashed share of builders.
    Sampled { share: f64 },
    /// No per-builder rows; the `app_builder_segments` table has one row per segment.
    Segments,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutputSpec {
    pub app_builders: BuilderOutput,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorldParams {
    pub pue: f64,
    pub mtok_per_h100e_quarter: f64,
    pub gpu_life_quarters: u32,
    /// Accounting life of a data-center hall (shell, power and cooling), quarters.
    pub facility_life_quarters: u32,
    /// Accounting life of a power plant, quarters.
    pub generation_life_quarters: u32,
    /// Accounting life of advanced-packaging capacity, quarters.
    pub packaging_life_quarters: u32,
    pub dc_capex_per_mw_usd: f64,
    pub dc_build_quarters: u32,
    /// Spread of a project's construction time around `dc_build_quarters`
    /// (lognormal sigma).
    pub dc_build_sigma: f64,
    pub land_price_elasticity: f64,
    pub capability_rate: f64,
    pub capability_reference_h100e: f64,
    /// Quarters of its first quarter's effective training compute a lab has accumulated before the run (with effective compute growing about 1.5x a quarter, the past sums to about two).
    pub prior_training_quarters: f64,
    /// Log-standard deviation of a lab's research luck on its capability gain in a quarter.
    pub research_luck_sigma: f64,
    /// Chance a lab makes a capability breakthrough in a quarter.
    pub breakthrough_rate_per_quarter: f64,
    /// Capability a breakthrough adds (about two-thirds of a quarter of the leader's progress).
    pub breakthrough_size: f64,
    pub diffusion_rate: f64,
    /// Months for the compute needed at a fixed capability to halve.
    pub algorithmic_efficiency_halving_months: f64,
    /// Capability units that double a model's serving compute per token.
    pub capability_per_serving_doubling: f64,
    /// Years for accelerators' H100e per dollar to double (extends roadmaps).
    pub gpu_price_performance_doubling_years: f64,
    /// Yearly gain in H100e per watt of new generations (extends roadmaps).
    pub gpu_energy_efficiency_gain_per_year: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportTier {
    Unrestricted,
    Capped,
    Embargoed,
}

impl ExportTier {
    pub const ALLOWED: &'static str = "\"unrestricted\", \"capped\" or \"embargoed\"";

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "unrestricted" => Some(Self::Unrestricted),
            "capped" => Some(Self::Capped),
            "embargoed" => Some(Self::Embargoed),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Unrestricted => "unrestricted",
            Self::Capped => "capped",
            Self::Embargoed => "embargoed",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Region {
    pub name: String,
    pub jurisdiction: String,
    pub export_tier: ExportTier,
    pub land_stock_acres: f64,
    pub new_zoning_acres_per_quarter: f64,
    pub land_price_per_acre_usd: f64,
    pub mw_per_acre: f64,
    /// Zoned acres that carry a grid position already: a project on them
    /// needs no place in the interconnection queue for their MW.
    pub powered_land_acres: f64,
    /// Landowners' premium for powered acres over raw ones, as a fraction.
    pub powered_land_premium: f64,
    /// Index into `Scenario::utilities` of the utility serving this region.
    pub utility: usize,
    /// Index into `Scenario::regulators` of the regulator with this region's jurisdiction.
    pub regulator: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChipGeneration {
    /// False for the configured generations; true for those that extend a
    /// maker's roadmap to the horizon.
    pub extrapolated: bool,
    pub name: String,
    /// Index into `Scenario::chipmakers`.
    pub maker: usize,
    pub available: Quarter,
    pub h100e_per_unit: f64,
    pub watts: f64,
    pub unit_cost_usd: f64,
    pub launch_price_usd: f64,
    pub units_per_wafer: f64,
    pub controlled: bool,
    /// Jurisdictions where this generation is sold (`None`: everywhere). A
    /// domestic chip for restricted jurisdictions is sold only at home.
    pub sold_in: Option<Vec<String>>,
}

impl ChipGeneration {
    /// Compute one grid MW powers with this generation in a facility with
    /// `pue` (whole units), H100e: what a site's power is worth in compute.
    pub fn h100e_per_mw(&self, pue: f64) -> f64 {
        moatsim_model::units::h100e_per_mw(self.h100e_per_unit, self.watts, pue)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LabSpec {
    pub name: String,
    pub kind: LabKind,
    pub home_region: usize,
    pub cash_usd: f64,
    pub valuation_usd: f64,
    pub capability: f64,
    pub online_h100e: f64,
    /// Data-center MW under construction at the start (power already contracted).
    pub pipeline_mw: f64,
    pub initial_chip: usize,
    pub ambition_per_quarter: f64,
    pub inference_share: f64,
    pub markup: f64,
    pub opex_per_quarter_usd: f64,
    pub parent_funding_per_quarter_usd: f64,
    pub capex_fraction_of_cash: f64,
    pub target_runway_quarters: f64,
    pub products: Vec<ProductSpec>,
    /// Capability offset in each app builders' segment, in segment order
    /// (0 where the config names none).
    pub segment_strengths: Vec<f64>,
}

/// A lab's first-party product in an app builders' segment.
#[derive(Debug, Clone, Serialize)]
pub struct ProductSpec {
    /// Index into `app_builders.segments`.
    pub segment: usize,
    /// Its share of the segment's end-user demand in its launch quarter.
    pub share: f64,
    pub launch: Quarter,
    /// Its differentiation, as a builder's specialisation depth: how much of
    /// the surplus per token it keeps.
    pub depth: f64,
}

/// What kind of business a lab is (initial-state-2025.csv's lab and cloud kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabKind {
    FrontierLab,
    Hyperscaler,
    Neocloud,
    OpenWeightLab,
    CnLab,
}

impl LabKind {
    pub const ALLOWED: &'static str =
        "\"frontier_lab\", \"hyperscaler\", \"neocloud\", \"open_weight_lab\" or \"cn_lab\"";

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "frontier_lab" => Some(Self::FrontierLab),
            "hyperscaler" => Some(Self::Hyperscaler),
            "neocloud" => Some(Self::Neocloud),
            "open_weight_lab" => Some(Self::OpenWeightLab),
            "cn_lab" => Some(Self::CnLab),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::FrontierLab => "frontier_lab",
            Self::Hyperscaler => "hyperscaler",
            Self::Neocloud => "neocloud",
            Self::OpenWeightLab => "open_weight_lab",
            Self::CnLab => "cn_lab",
        }
    }
}

/// What kind of aggregate buyer of accelerators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuyerKind {
    Hyperscaler,
    Neocloud,
    Enterprise,
    Sovereign,
    Other,
}

impl BuyerKind {
    pub const ALLOWED: &'static str =
        "\"hyperscaler\", \"neocloud\", \"enterprise\", \"sovereign\" or \"other\"";

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "hyperscaler" => Some(Self::Hyperscaler),
            "neocloud" => Some(Self::Neocloud),
            "enterprise" => Some(Self::Enterprise),
            "sovereign" => Some(Self::Sovereign),
            "other" => Some(Self::Other),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Hyperscaler => "hyperscaler",
            Self::Neocloud => "neocloud",
            Self::Enterprise => "enterprise",
            Self::Sovereign => "sovereign",
            Self::Other => "other",
        }
    }
}

/// An aggregate buyer of accelerators: the part of the market that is not a
/// simulated lab (`moatsim_model::accelerator_demand`).
#[derive(Debug, Clone, Serialize)]
pub struct AcceleratorBuyerSpec {
    pub name: String,
    pub kind: BuyerKind,
    pub region: usize,
    /// H100e installed and running at the start.
    pub fleet_h100e: f64,
    /// The generation the starting fleet is made of (sets its watts).
    pub initial_chip: usize,
    /// Fleet growth wanted per quarter at the start.
    pub growth_per_quarter: f64,
    /// Quarters for the wanted growth to halve.
    pub growth_half_life_quarters: f64,
    /// Price per H100e at which the buyer orders exactly the growth it wants.
    pub reference_price_per_h100e_usd: f64,
    /// The most an H100e is worth to the buyer.
    pub value_per_h100e_usd: f64,
    pub price_elasticity: f64,
    /// Accelerators' share of the buyer's capex (the rest is buildings, power, networks).
    pub accelerator_share_of_capex: f64,
    /// How strongly the order leans towards the generation with the most H100e per dollar.
    pub choice_sharpness: f64,
    /// Share of the starting fleet offered for rent to the simulated labs.
    pub rental_share: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvestorKind {
    Venture,
    Growth,
    InfrastructurePe,
    Sovereign,
    Strategic,
    EnterpriseJv,
}

impl InvestorKind {
    pub const ALLOWED: &'static str = "\"venture\", \"growth\", \"infrastructure_pe\", \"sovereign\", \"strategic\" or \"enterprise_jv\"";

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "venture" => Some(Self::Venture),
            "growth" => Some(Self::Growth),
            "infrastructure_pe" => Some(Self::InfrastructurePe),
            "sovereign" => Some(Self::Sovereign),
            "strategic" => Some(Self::Strategic),
            "enterprise_jv" => Some(Self::EnterpriseJv),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Venture => "venture",
            Self::Growth => "growth",
            Self::InfrastructurePe => "infrastructure_pe",
            Self::Sovereign => "sovereign",
            Self::Strategic => "strategic",
            Self::EnterpriseJv => "enterprise_jv",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct InvestorSpec {
    pub name: String,
    pub kind: InvestorKind,
    pub dry_powder_usd: f64,
    pub inflow_per_quarter_usd: f64,
    pub risk_appetite: f64,
    /// EV/revenue multiple the investor expects to exit at (`capital::max_post_money`).
    pub revenue_multiple: f64,
    pub max_deal_fraction: f64,
    /// The lab (index into `Scenario::labs`) this investor banks powered land
    /// for, ahead of demand; only that lab may buy what it banks.
    pub banks_powered_land_for: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChipmakerSpec {
    pub name: String,
    pub jurisdiction: String,
    pub packaging_wafers_per_quarter: f64,
    pub expansion_wafers: f64,
    pub expansion_lead_quarters: u32,
    pub expansion_cost_per_wafer_usd: f64,
    pub min_gross_margin: f64,
    pub ask_sensitivity: f64,
    /// Share of the gap to rivals' price per H100e a sold-out maker closes per quarter.
    pub rival_catch_up: f64,
    /// Quarters between the generations that extend the maker's roadmap past
    /// its last configured one (0: no extension).
    pub roadmap_cadence_quarters: u32,
    pub cash_usd: f64,
    /// Packaging capacity being built at the start: (quarter it is ready, wafers per quarter).
    pub expansions_under_way: Vec<(Quarter, f64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UtilitySpec {
    pub name: String,
    /// Index into `Scenario::regions`.
    pub region: usize,
    pub generation_mw: f64,
    pub base_load_mw: f64,
    pub base_load_growth_per_quarter: f64,
    pub base_tariff_per_mwh: f64,
    pub target_reserve_margin: f64,
    pub min_reserve_margin: f64,
    pub scarcity_adder: f64,
    pub studies_per_quarter: u32,
    pub interconnection_study_quarters: u32,
    pub build_block_mw: f64,
    pub hurdle: f64,
    pub cash_usd: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Technology {
    pub name: String,
    pub lead_quarters: u32,
    pub cost_per_mwh: f64,
    pub capex_per_mw_usd: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegulatorSpec {
    pub name: String,
    pub jurisdiction: String,
    pub permit_base_quarters: u32,
    pub permits_per_quarter: u32,
    pub licence_fee_rate: f64,
    pub antitrust_hhi_threshold: f64,
    /// Share of a utility's spare capacity that may go to data centers in a
    /// quarter; the rest is kept for other customers (a power-priority rule).
    pub dc_power_share: f64,
    /// Jurisdictions where labs at home here may build data centers (their
    /// own is always allowed): outbound-investment and security rules.
    pub labs_may_build_in: Vec<String>,
}

impl RegulatorSpec {
    /// Whether labs at home under this regulator may build in `jurisdiction`.
    pub fn allows_building_in(&self, jurisdiction: &str) -> bool {
        jurisdiction == self.jurisdiction
            || self.labs_may_build_in.iter().any(|j| j == jurisdiction)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AppBuilderSpec {
    pub count: u64,
    pub initial_market_mtok_per_quarter: f64,
    pub reference_price_per_mtok: f64,
    pub price_elasticity: f64,
    pub entry_rate_per_quarter: f64,
    pub exit_after_loss_quarters: u32,
    pub capability_weight: f64,
    pub price_weight: f64,
    pub switching_cost_base: f64,
    pub switching_cost_growth: f64,
    pub switching_cost_cap_quarters: u32,
    pub rationing_penalty: f64,
    /// Share of the surplus per token (end users' value less the token price)
    /// a generic builder keeps at the segment's starting crowding; a
    /// builder of depth d keeps `(1 + d)` times it (`rules::builder_capture`).
    pub generic_capture: f64,
    /// How fast that share falls as the segment crowds:
    /// `× (builders at the start / builders now)^crowding_elasticity`.
    pub crowding_elasticity: f64,
    /// The profit margin at which entry into a segment stops; entry runs at
    /// `entry_rate_per_quarter` when the margin is twice this.
    pub normal_margin: f64,
    /// End users' weight on capability when they choose between builders'
    /// apps and labs' own products.
    pub end_user_capability_weight: f64,
    /// End users' weight on log price in the same choice.
    pub end_user_price_weight: f64,
    /// Share of a segment's end users who choose between builders' apps and
    /// labs' products again each quarter; the rest stay where they were.
    pub end_user_reconsider_share: f64,
    /// Share of builders who review their provider in a quarter (their
    /// integration and evaluation cycle); the others stay.
    pub provider_review_share: f64,
    /// Log-standard deviation of a builder's quarterly demand shock.
    pub builder_shock_sigma: f64,
    /// Log-standard deviation of a segment's quarterly demand shock.
    pub segment_shock_sigma: f64,
    /// Elasticity of a builder's operating costs to its customer base.
    pub fixed_cost_scale_elasticity: f64,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    pub name: String,
    /// Normalised so that the segments' weights sum to one.
    pub weight: f64,
    pub value_per_mtok_median_usd: f64,
    pub value_sigma: f64,
    pub size_sigma: f64,
    /// End-user demand growth per quarter at the start (adoption).
    pub demand_growth_per_quarter: f64,
    /// Quarters in which that growth rate halves (an adoption S-curve);
    /// infinite keeps it constant.
    pub growth_half_life_quarters: f64,
    pub depth_min: f64,
    pub depth_max: f64,
    pub fixed_cost_share: f64,
}

impl Scenario {
    /// The last quarter simulated.
    pub fn end(&self) -> Quarter {
        self.start.plus(self.quarters.saturating_sub(1))
    }

    /// Named agents of every kind plus the initial app-builder population.
    pub fn initial_agent_count(&self) -> u64 {
        (self.labs.len()
            + self.accelerator_buyers.len()
            + self.investors.len()
            + self.chipmakers.len()
            + self.utilities.len()
            + self.regulators.len()) as u64
            + self.app_builders.count
    }
}
