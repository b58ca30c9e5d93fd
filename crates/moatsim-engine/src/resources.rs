//! World-level state: the clock, the scenario, regions, this quarter's order
//! book and clearings, the money ledger and the event and market logs.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use moatsim_config::Scenario;
use moatsim_model::market::cloud::RentalBid;
use moatsim_model::market::gpu::GpuBid;
use moatsim_model::{Account, AgentId, Quarter, Transfer};

use crate::records::{EventRow, MarketRow, TickFrame};

/// The quarter being simulated.
#[derive(Resource, Debug, Clone, Copy)]
pub struct Clock {
    pub tick: u32,
    pub quarter: Quarter,
    pub seed: u64,
}

/// The validated scenario, shared read-only by every system.
#[derive(Resource, Debug, Clone)]
pub struct Params(pub Arc<Scenario>);

/// Land and identity of each region (regions are world data, not agents).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RegionState {
    pub land_available_acres: f64,
    pub land_price_per_acre: f64,
    /// Acres labs asked for last quarter at the landowners' price: the scarcity
    /// signal land-banking investors act on.
    pub lab_land_demand_acres: f64,
    /// Landowners' unsold powered acres.
    pub powered_available_acres: f64,
}

impl RegionState {
    /// Landowners' ask for powered acres: the raw scarcity price plus the
    /// region's `powered_land_premium`.
    pub fn powered_price_per_acre(&self, region: &moatsim_config::Region) -> f64 {
        self.land_price_per_acre * (1.0 + region.powered_land_premium)
    }
}

#[derive(Resource, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct RegionBook {
    pub regions: Vec<RegionState>,
}

/// A GPU bid with the region the units are for (export rules depend on it).
#[derive(Debug, Clone)]
pub struct RegionalGpuBid {
    pub region: usize,
    pub bid: GpuBid,
    /// A bid for units that replace older ones on the same power (fleet
    /// refresh): it does not spill over to other makers, and it does not
    /// count towards the lab's fill ratio.
    pub refresh: bool,
}

/// A lab's fleet refresh in one region this quarter: the new generation it
/// bid for and the installed generations its units may retire.
#[derive(Debug, Clone)]
pub struct RefreshOrder {
    pub lab: AgentId,
    pub region: usize,
    pub chip: usize,
    /// Generations at most this efficient (H100e per MW) may be retired.
    pub retire_up_to_h100e_per_mw: f64,
    /// MW of installed units the lab plans to retire.
    pub mw: f64,
}

/// A land bid: a lab's for one of its projects, or a land-banking investor's.
#[derive(Debug, Clone)]
pub struct LandOrder {
    /// The project the land is for; `None` for an investor banking land.
    pub project_id: Option<u64>,
    pub buyer: AgentId,
    pub acres: f64,
    pub limit_per_acre: f64,
    /// Powered acres (with a grid position) or raw ones: two markets.
    pub powered: bool,
}

/// A funding round a lab announced this quarter.
#[derive(Debug, Clone)]
pub struct AnnouncedRound {
    pub lab: AgentId,
    pub lab_index: usize,
    pub amount_usd: f64,
    pub pre_money_usd: f64,
    pub run_rate_usd: f64,
    /// The yearly revenue growth investors expect of the lab, as a factor.
    pub yearly_growth: f64,
    pub is_share_leader: bool,
    pub regulator_blocks_strategics: bool,
    /// A round the scenario schedules: it closes at its set valuation whatever
    /// investors bid (see `clear_capital_market`).
    pub scheduled: bool,
}

/// One investor's bid into one round.
#[derive(Debug, Clone)]
pub struct InvestorBid {
    pub lab: AgentId,
    pub investor: AgentId,
    pub amount_usd: f64,
    pub max_pre_money_usd: f64,
}

/// This quarter's bids and offers, filled in the bid phase and consumed by clearing.
#[derive(Resource, Debug, Clone, Default)]
pub struct OrderBook {
    /// Per chip generation, in (lab id, region) order.
    pub gpu_bids: Vec<Vec<RegionalGpuBid>>,
    /// Labs' fleet refreshes, in (lab id, region) order.
    pub refresh: Vec<RefreshOrder>,
    /// Per region: labs' orders in project-id order, then investors' in id order.
    pub land_bids: Vec<Vec<LandOrder>>,
    pub rounds: Vec<AnnouncedRound>,
    pub investor_bids: Vec<InvestorBid>,
    /// Labs' bids for rented compute per region, in lab-id order.
    pub rental_bids: Vec<Vec<RentalBid>>,
}

/// The cloud-rental market of each region: its posted ask and what last
/// quarter's clearing showed (`moatsim_model::market::cloud`).
#[derive(Resource, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct CloudMarket {
    pub regions: Vec<RegionRental>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct RegionRental {
    pub ask_per_h100e_quarter: f64,
    /// Last quarter's demand above the capacity offered, as a share of it.
    pub last_excess_demand: f64,
    /// The owners' rental fleets in the region last quarter, H100e; renters
    /// spread their bids across regions in proportion to it.
    pub last_fleet_h100e: f64,
    /// Demand at last quarter's ask that went unrented, H100e: owners build
    /// rental capacity towards it.
    pub last_unmet_h100e: f64,
    /// The highest value per H100e-quarter among last quarter's bids (0 with
    /// none): the ask does not rise above what any renter would pay.
    pub last_top_value: f64,
}

/// GPUs delivered this quarter: (lab id, region, chip, units), installed in the build phase.
#[derive(Resource, Debug, Clone, Default)]
pub struct Deliveries {
    pub items: Vec<(AgentId, usize, usize, u64)>,
    /// Land acquired this quarter: (project id, acres, powered).
    pub land: Vec<(u64, f64, bool)>,
    /// Interconnections granted this quarter: project ids.
    pub power_granted: Vec<u64>,
    /// Closed rounds: (lab, raised, post-money).
    pub rounds_closed: Vec<(AgentId, f64, f64)>,
    /// Investments made: (investor, lab, amount, fraction acquired).
    pub investments: Vec<(AgentId, AgentId, f64, f64)>,
}

/// Every payment of the quarter, applied to cash in `settle_payments`.
#[derive(Resource, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Ledger {
    pub transfers: Vec<Transfer>,
    /// Net flow from external accounts into agents since the start of the run.
    pub external_in_usd: f64,
    pub external_out_usd: f64,
}

impl Ledger {
    pub fn pay(&mut self, from: Account, to: Account, amount_usd: f64) {
        if amount_usd > 0.0 && amount_usd.is_finite() {
            self.transfers.push(Transfer {
                from,
                to,
                amount_usd,
            });
        }
    }
}

/// Rows of the `events` and `markets` tables gathered during the quarter.
#[derive(Resource, Debug, Clone, Default)]
pub struct Logs {
    pub events: Vec<EventRow>,
    pub markets: Vec<MarketRow>,
}

impl Logs {
    #[allow(clippy::too_many_arguments)]
    pub fn event(
        &mut self,
        kind: &'static str,
        agent: Option<AgentId>,
        counterparty: Option<AgentId>,
        region: Option<&str>,
        amount_usd: f64,
        quantity: Option<f64>,
        detail: String,
    ) {
        self.events.push(EventRow {
            kind,
            agent_id: agent.map(AgentId::get),
            counterparty_id: counterparty.map(AgentId::get),
            region: region.map(str::to_string),
            amount_usd,
            quantity,
            detail,
        });
    }
}

/// World-level figures computed during the quarter, for the `world` table.
#[derive(Resource, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct QuarterStats {
    pub capital_raised_usd: f64,
    pub lost_demand_mtok: f64,
    pub app_profit_usd: f64,
    pub app_revenue_usd: f64,
    pub app_token_spend_usd: f64,
    pub product_revenue_usd: f64,
    pub builders_alive: u64,
    pub builder_switches: u64,
    /// GPU price per H100e at tick 0 and inference price at tick 0, the index bases.
    pub gpu_price_base: Option<f64>,
    pub inference_price_base: Option<f64>,
    /// The frontier lab's price at tick 0.
    pub frontier_price_base: Option<f64>,
    /// The first fixed-capability price (the cheapest quote for the starting
    /// frontier's capability), the base of its index.
    pub fixed_capability_price_base: Option<f64>,
}

/// A joint venture in force: a share of builders, picked by a hash of their id,
/// gets a choice-utility bonus for the venture's lab.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ActiveTie {
    /// Index into the scenario's joint ventures (the hash's salt).
    pub venture: usize,
    pub lab: usize,
    pub share: f64,
    pub strength: f64,
}

#[derive(Resource, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct JointVentureTies {
    pub ties: Vec<ActiveTie>,
}

/// Next ids to hand out for agents created during the run and for projects.
#[derive(Resource, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct IdSource {
    pub next_agent: u64,
    pub next_project: u64,
}

/// The finished frame of the quarter, taken by `Simulation::step`.
#[derive(Resource, Debug, Default)]
pub struct FrameSlot(pub Option<TickFrame>);
