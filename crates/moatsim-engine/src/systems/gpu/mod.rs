//! The accelerator market, from chipmakers' supply to installed units:
//! `supply` (capacity, asks, production), `orders` (labs' and aggregate
//! buyers' bids), `clear` (fills, payments, spill-over) and `install` (units
//! into halls, refresh). Its books for the quarter are below.

pub mod clear;
pub mod install;
pub mod orders;
pub mod supply;

use bevy_ecs::prelude::*;
use moatsim_model::AgentId;
use moatsim_model::market::gpu::GpuBid;

/// This quarter's accelerator orders: placed in the bid phase, read by
/// production, clearing and installation. Sized per chip generation at the
/// start of the quarter.
#[derive(Resource, Debug, Clone, Default)]
pub struct GpuOrders {
    /// Per chip generation: labs' bids in (lab id, region) order, then the
    /// aggregate buyers'; sorted by buyer before clearing.
    pub bids: Vec<Vec<RegionalGpuBid>>,
    /// Labs' fleet refreshes, in (lab id, region) order.
    pub refresh: Vec<RefreshOrder>,
}

impl GpuOrders {
    /// Empty books for a quarter with `chips` generations.
    pub fn new(chips: usize) -> Self {
        Self {
            bids: vec![Vec::new(); chips],
            refresh: Vec::new(),
        }
    }
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

/// Units a lab bought this quarter, delivered to its sites in `region`.
#[derive(Debug, Clone, Copy)]
pub struct GpuDelivery {
    pub lab: AgentId,
    pub region: usize,
    pub chip: usize,
    pub units: u64,
    /// What the lab paid for them (networking and licence fees included):
    /// their book cost.
    pub cost_usd: f64,
}

/// GPUs delivered to labs this quarter, installed in the build phase (an
/// aggregate buyer's units run at once and are never delivered here).
#[derive(Resource, Debug, Clone, Default)]
pub struct GpuDeliveries {
    pub items: Vec<GpuDelivery>,
}
