//! World-level state that every market shares: the clock, the scenario,
//! regions' land, the money ledger, the event and market logs and the
//! quarter's world figures. Each market's own books (this quarter's orders
//! and what its clearing delivers) live in its room under `systems/`.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use moatsim_config::Scenario;
use moatsim_model::{Account, Quarter, Transfer};

use crate::events::Event;
use crate::records::{EventRow, MarketRow, TickFrame};

/// The quarter being simulated.
#[derive(Resource, Debug, Clone, Copy)]
pub struct Clock {
    pub tick: u32,
    pub quarter: Quarter,
    pub seed: u64,
}

/// What the quarter's technology is, the same for every system that reads it:
/// set once in `begin_quarter`, so no system recomputes it.
#[derive(Resource, Debug, Clone, Copy, Default)]
pub struct Technology {
    /// Compute-equivalent gain from algorithms since the start of the run
    /// (`cost_curve::algorithmic_efficiency`).
    pub algorithmic_efficiency: f64,
    /// Tokens the same hardware serves for the same model over the start's,
    /// from serving software (`cost_curve::serving_software_gain`).
    pub serving_software: f64,
}

/// The two tiers of inference (`moatsim_model::market::tiers`): what carries
/// over between quarters, and this quarter's market. Set in `plan_labs`,
/// read by the inference market and the records; kept in checkpoints.
#[derive(Resource, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct TierMarket {
    /// The frontier's capability (the best open lab's) in each quarter so
    /// far, `frontier_history[t]` for quarter `t`.
    pub frontier_history: Vec<f64>,
    /// The commodity tier's capability this quarter.
    pub commodity_capability: f64,
    /// Share of tokens bought at the commodity tier this quarter, from last
    /// quarter's tier prices.
    pub commodity_share: f64,
    /// Open labs' mean commodity and frontier list prices this quarter.
    pub commodity_price: f64,
    pub frontier_price: f64,
    /// The same in the first quarter: the prices demand is measured against.
    pub reference_commodity_price: f64,
    pub reference_frontier_price: f64,
}

impl TierMarket {
    /// The frontier's capability in the first quarter and in this one (0
    /// before any quarter): what tokens per task have grown between.
    pub fn frontier_span(&self) -> (f64, f64) {
        let start = self.frontier_history.first().copied().unwrap_or(0.0);
        (
            start,
            self.frontier_history.last().copied().unwrap_or(start),
        )
    }

    /// This quarter's tier prices over the first quarter's (1 before prices
    /// are known).
    pub fn price_ratios(&self) -> (f64, f64) {
        let ratio = |now: f64, reference: f64| {
            if now > 0.0 && reference > 0.0 {
                now / reference
            } else {
                1.0
            }
        };
        (
            ratio(self.commodity_price, self.reference_commodity_price),
            ratio(self.frontier_price, self.reference_frontier_price),
        )
    }
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
    /// Adds one row to the quarter's `events` table.
    pub fn event(&mut self, event: Event) {
        self.events.push(event.into_row());
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
