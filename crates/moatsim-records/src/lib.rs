//! What the engine hands out at the end of each quarter: one row per agent per
//! table, plus `markets`, `world` and `events`. Plain data, no Arrow; the output
//! crate turns these into record batches.

/// Calendar stamp carried by every row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub tick: u32,
    pub year: i32,
    pub quarter: u8,
}

#[derive(Debug, Clone)]
pub struct LabRow {
    pub lab_id: u64,
    pub name: String,
    pub kind: &'static str,
    pub jurisdiction: String,
    pub alive: bool,
    pub cash: f64,
    pub valuation: f64,
    pub capability: f64,
    pub effective_training_compute: f64,
    pub online_compute_h100e: f64,
    pub rented_compute_h100e: f64,
    pub contracted_compute_h100e: f64,
    pub training_compute_h100e: f64,
    pub inference_compute_h100e: f64,
    pub installed_gpus: u64,
    pub gpus_bought: u64,
    pub gpus_retired: u64,
    pub gpu_fill_ratio: f64,
    pub stranded_gpus: u64,
    pub inference_price: f64,
    pub marginal_cost: f64,
    pub mtok_per_h100e: f64,
    pub frontier_price: f64,
    pub commodity_price: f64,
    pub counted_mtok: f64,
    pub fixed_capability_price: Option<f64>,
    pub markup: f64,
    pub scarcity_premium: f64,
    pub demand_mtok: f64,
    pub served_mtok: f64,
    pub revenue: f64,
    pub api_revenue: f64,
    pub product_revenue: f64,
    pub product_mtok: f64,
    pub capex: f64,
    pub opex: f64,
    pub rent: f64,
    pub power_cost: f64,
    pub depreciation: f64,
    pub profit: f64,
    pub raised: f64,
    pub market_share: f64,
    pub customers: u64,
    pub retention: f64,
    pub projects_in_pipeline: u64,
    pub pipeline_mw: f64,
    pub energized_mw: f64,
}

#[derive(Debug, Clone)]
pub struct BuyerRow {
    pub buyer_id: u64,
    pub name: String,
    pub kind: &'static str,
    pub region: String,
    pub fleet_h100e: f64,
    pub load_mw: f64,
    pub retired_h100e: f64,
    pub wanted_h100e: f64,
    pub ordered_h100e: f64,
    pub bought_h100e: f64,
    pub units_bought: u64,
    pub spend: f64,
    pub capex: f64,
    pub power_cost: f64,
    pub depreciation: f64,
    pub rental_fleet_h100e: f64,
    pub rental_cost_per_h100e_hour: f64,
    pub rented_out_h100e: f64,
    pub rental_revenue: f64,
    pub contracted_out_h100e: f64,
    pub backlog_usd: f64,
    pub rental_profit: f64,
    pub power_limited: bool,
    pub power_queued_mw: f64,
    pub power_reserved_mw: f64,
    pub load_elsewhere_mw: f64,
}

#[derive(Debug, Clone)]
pub struct InvestorRow {
    pub investor_id: u64,
    pub name: String,
    pub kind: &'static str,
    pub dry_powder: f64,
    pub invested: f64,
    pub invested_total: f64,
    pub portfolio_value: f64,
    pub holdings: u64,
    pub powered_land_acres: f64,
    pub land_acres: f64,
    pub land_value: f64,
    pub land_sales: f64,
    pub land_gain: f64,
    pub financed_halls: f64,
    pub lease_income: f64,
    pub lease_profit: f64,
}

#[derive(Debug, Clone)]
pub struct ChipmakerRow {
    pub chipmaker_id: u64,
    pub name: String,
    pub cash: f64,
    pub packaging_wafers: f64,
    pub capacity_units: u64,
    pub produced_units: u64,
    pub units_sold: u64,
    pub inventory_units: u64,
    pub backlog_units: u64,
    pub asp: Option<f64>,
    pub revenue: f64,
    pub networking_revenue: f64,
    pub gross_margin: Option<f64>,
    pub production_cost: f64,
    pub expansion_spend: f64,
    pub depreciation: f64,
    pub operating_profit: f64,
}

#[derive(Debug, Clone)]
pub struct UtilityRow {
    pub utility_id: u64,
    pub name: String,
    pub region: String,
    pub cash: f64,
    pub generation_mw: f64,
    pub committed_mw: f64,
    pub powered_reserved_mw: f64,
    pub dc_contracted_mw: f64,
    /// `None` when the utility serves no load (the margin is unbounded).
    pub reserve_margin: Option<f64>,
    pub tariff: f64,
    pub queue_requests: u64,
    pub queue_mw: f64,
    pub mean_queue_wait_quarters: f64,
    pub granted_mw: f64,
    pub granted_requests: u64,
    pub mean_wait_of_granted_quarters: f64,
    pub under_construction_mw: f64,
    pub builds_started_mw: f64,
    pub energy_sold_mwh: f64,
    pub revenue: f64,
    pub depreciation: f64,
    pub profit: f64,
}

#[derive(Debug, Clone)]
pub struct RegulatorRow {
    pub regulator_id: u64,
    pub name: String,
    pub jurisdiction: String,
    pub cash: f64,
    pub permit_delay_quarters: u32,
    pub permits_pending: u64,
    pub permits_granted: u64,
    pub licence_fees: f64,
    pub blocked_gpu_units: u64,
    pub hhi_observed: f64,
    pub antitrust_review: bool,
}

/// App-builder rows as columns: at a million builders per quarter a row struct
/// per builder would double the memory the output step needs.
#[derive(Debug, Clone, Default)]
pub struct AppBuilderColumns {
    pub builder_id: Vec<u64>,
    pub segment: Vec<u16>,
    pub provider_lab_id: Vec<Option<u64>>,
    pub demand_tokens: Vec<f64>,
    pub tokens: Vec<f64>,
    pub spend: Vec<f64>,
    pub revenue: Vec<f64>,
    pub profit: Vec<f64>,
    pub switching_cost: Vec<f64>,
    pub tenure_quarters: Vec<u32>,
    pub alive: Vec<bool>,
}

impl AppBuilderColumns {
    pub fn len(&self) -> usize {
        self.builder_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.builder_id.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct ProjectRow {
    pub project_id: u64,
    pub lab_id: u64,
    pub region: String,
    pub stage: &'static str,
    pub mw: f64,
    pub acres_held: f64,
    pub powered_acres: f64,
    pub started_tick: u32,
    pub stage_ready_tick: Option<u32>,
    pub construction_quarters: Option<u32>,
    pub construction_paid: f64,
    pub gpus_installed: u64,
    pub gpus_online: u64,
    pub gpus_stranded: u64,
    pub online_compute_h100e: f64,
    pub load_mw: f64,
}

/// One segment of the app-builder population in one quarter.
#[derive(Debug, Clone, Default)]
pub struct SegmentRow {
    pub segment: String,
    /// Builders alive at the start of the quarter.
    pub builders: u64,
    pub exits: u64,
    pub demand_tokens: f64,
    pub tokens: f64,
    pub spend: f64,
    pub revenue: f64,
    pub profit: f64,
    pub switching_cost_sum: f64,
    /// Builders' fixed costs, USD.
    pub fixed_costs: f64,
    /// Mean end-user price per million tokens over builders and products.
    pub end_user_price: f64,
    /// End-user demand for the segment (builders' and products'), millions of tokens.
    pub end_user_demand: f64,
    /// Labs' products' share of the segment's end users.
    pub product_share: f64,
    /// Labs' products' revenue in the segment, USD.
    pub product_revenue: f64,
    /// Builders entering next quarter.
    pub entrants: u64,
    /// Share of the segment's possible users who use its applications.
    pub adopters: f64,
    /// Tokens per task over the first quarter's, at the frontier's capability.
    pub tokens_per_task: f64,
}

#[derive(Debug, Clone)]
pub struct MarketRow {
    pub market: &'static str,
    pub region: Option<String>,
    pub item: Option<String>,
    pub supply: f64,
    pub demand: f64,
    pub cleared: f64,
    pub price: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct WorldRow {
    pub online_compute_h100e: f64,
    pub market_fleet_h100e: f64,
    pub dc_load_mw: f64,
    pub dc_energy_twh_annualised: f64,
    pub stranded_gpus: u64,
    pub mean_queue_wait_quarters: f64,
    pub gpu_price_index: f64,
    pub power_price_avg: f64,
    pub inference_price_avg: f64,
    pub inference_price_index: f64,
    pub frontier_price_index: Option<f64>,
    pub fixed_capability_price_index: Option<f64>,
    pub commodity_share: f64,
    pub commodity_capability: f64,
    pub algorithmic_efficiency: f64,
    pub serving_software_gain: f64,
    pub markup_avg: f64,
    pub hhi: f64,
    pub leader_share: f64,
    pub leader_capability_lead: f64,
    pub capital_raised: f64,
    pub capex: f64,
    pub infra_revenue: f64,
    pub depreciation: f64,
    pub chip_profit: f64,
    pub power_profit: f64,
    pub cloud_profit: f64,
    pub land_profit: f64,
    pub lease_profit: f64,
    pub model_profit: f64,
    pub infra_profit: f64,
    pub app_profit: f64,
    pub app_revenue: f64,
    pub app_token_spend: f64,
    pub product_revenue: f64,
    pub lost_demand_mtok: f64,
    pub unserved_share: f64,
    pub builders_alive: u64,
    pub builder_churn_rate: f64,
}

#[derive(Debug, Clone)]
pub struct EventRow {
    pub kind: &'static str,
    pub agent_id: Option<u64>,
    pub counterparty_id: Option<u64>,
    pub region: Option<String>,
    pub amount_usd: f64,
    pub quantity: Option<f64>,
    pub detail: String,
}

/// Everything recorded for one quarter.
#[derive(Debug, Clone)]
pub struct TickFrame {
    pub stamp: Stamp,
    pub labs: Vec<LabRow>,
    pub accelerator_buyers: Vec<BuyerRow>,
    pub investors: Vec<InvestorRow>,
    pub chipmakers: Vec<ChipmakerRow>,
    pub utilities: Vec<UtilityRow>,
    pub regulators: Vec<RegulatorRow>,
    pub projects: Vec<ProjectRow>,
    pub app_builders: AppBuilderColumns,
    /// Segment names, indexed by `AppBuilderColumns::segment`.
    pub segment_names: Vec<String>,
    pub app_builder_segments: Vec<SegmentRow>,
    pub markets: Vec<MarketRow>,
    pub world: WorldRow,
    pub events: Vec<EventRow>,
}
