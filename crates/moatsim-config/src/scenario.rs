//! Stage two of loading: the validated, typed scenario the engine runs.
//!
//! Every value here has been checked: ranges hold, names resolve, and
//! cross-references are indices. The struct serialises to the resolved
//! configuration that is stored in each output file's metadata.

use moatsim_model::Quarter;
use serde::Serialize;

// The sections of scenario-wide parameters are generated from their tables.
pub use crate::parameters::app_builders::AppBuilderSpec;
pub use crate::parameters::behaviour::BehaviourParams;
pub use crate::parameters::cloud::CloudSpec;
pub use crate::parameters::world::WorldParams;

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
    /// Compute contracts (`None`: every lab rents by the quarter only). Left
    /// out of the resolved config when `None`, so scenarios without them keep
    /// their config hash.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contracts: Option<ContractsSpec>,
    pub behaviour: BehaviourParams,
    pub output: OutputSpec,
}

/// Compute contracts (issue 28, step 2; `docs/MODEL.md`, "Compute
/// contracts"): labs sign multi-year take-or-pay contracts with cloud owners
/// for capacity that starts after the hosts' lead time.
#[derive(Debug, Clone, Serialize)]
pub struct ContractsSpec {
    /// Quarters a contract runs (cal `coreweave_avg_contract_term`: 4 years).
    pub term_quarters: u32,
    /// Quarters from signing to the start of delivery: the host's time to
    /// buy and install the servers (cal `gpu_server_order_lead_time`, 2–12 months).
    pub lead_quarters: u32,
    /// Share of its forecast shortfall at the start a lab contracts ahead.
    pub cover_share: f64,
    /// Host's share of the surplus between its floor and the lab's value.
    pub host_surplus_share: f64,
    /// Most capacity a host signs for in a quarter, as a share of its fleet.
    pub host_offer_share: f64,
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
    /// A custom accelerator's owner (`None`: a merchant chip, sold to all).
    /// Left out of the resolved config when `None`, so scenarios without
    /// custom accelerators keep their config hash.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<ChipOwner>,
}

/// Who owns a custom accelerator: the lab or aggregate buyer its design
/// partner builds it for (TPU for Google, Trainium for Amazon).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ChipOwner {
    /// Index into `Scenario::labs`.
    Lab(usize),
    /// Index into `Scenario::accelerator_buyers`.
    Buyer(usize),
}

impl ChipGeneration {
    /// Whether anyone may buy it: the market's price of new compute (the GPU
    /// price index, site values, the commodity tier's cost, hosts' floors,
    /// rivals' asks) is read from merchant chips only, as a custom
    /// accelerator is its owner's alone.
    pub fn is_merchant(&self) -> bool {
        self.owner.is_none()
    }

    /// Whether `buyer` may buy this generation: anyone for a merchant chip,
    /// only its owner for a custom one.
    pub fn sold_to(&self, buyer: ChipOwner) -> bool {
        self.owner.is_none_or(|owner| owner == buyer)
    }

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
    /// Further generations in the starting fleet: (index into
    /// `Scenario::chips`, H100e), besides `online_h100e` of `initial_chip`.
    /// Left out of the resolved config when empty (the config hash stays).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub initial_fleet: Vec<(usize, f64)>,
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

impl LabSpec {
    /// Its starting fleet by generation: `online_h100e` of `initial_chip`,
    /// then `initial_fleet`, as (index into `Scenario::chips`, H100e).
    pub fn starting_fleet(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        std::iter::once((self.initial_chip, self.online_h100e))
            .chain(self.initial_fleet.iter().copied())
    }

    /// Its whole starting compute, H100e.
    pub fn starting_h100e(&self) -> f64 {
        self.starting_fleet().map(|(_, h100e)| h100e).sum()
    }
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
    /// Whether it sells the networking its accelerators' buyers need (NVIDIA's
    /// InfiniBand, Spectrum-X and NVLink switches); otherwise buyers get their
    /// fabric from switch makers outside the model.
    pub sells_networking: bool,
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
pub struct Segment {
    pub name: String,
    /// Normalised so that the segments' weights sum to one.
    pub weight: f64,
    pub value_per_mtok_median_usd: f64,
    pub value_sigma: f64,
    pub size_sigma: f64,
    /// Share of the segment's possible users who use its applications at the
    /// start (Bass adoption, `market::demand::adopt_quarter`).
    pub adopters_at_start: f64,
    /// Share who could adopt at the start's capability.
    pub adoption_ceiling: f64,
    /// Tokens of a task an agent does over the same task done in chat.
    pub agent_multiplier: f64,
    /// Frontier capability at which agents do half of the segment's tasks.
    pub agent_threshold: f64,
    /// Capability thresholds that raise the ceiling.
    pub unlocks: Vec<moatsim_model::market::demand::Unlock>,
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
