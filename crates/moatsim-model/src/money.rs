//! Money flows between agents and named external sources and sinks.
//!
//! Every dollar that leaves an agent arrives at another agent or at one of the
//! [`ExternalAccount`]s below; nothing is created or destroyed silently. The
//! engine records each quarter's [`Transfer`]s and the conservation tests check
//! that agents' cash changes add up to the net external flow.

use serde::{Deserialize, Serialize};

use crate::AgentId;

/// The world outside the simulated agents, where money comes from or goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ExternalAccount {
    /// Limited partners and sovereign budgets that fund investors' dry powder.
    LimitedPartners,
    /// Owners of land not held by any simulated agent.
    Landowners,
    /// Foundries, memory makers and packaging houses that chipmakers pay to produce units.
    ChipSupplyChain,
    /// Construction contractors and equipment vendors for data centers and power plants.
    Contractors,
    /// Fuel, grid operations and maintenance paid by utilities.
    GridOperations,
    /// Staff, research and other operating costs of labs.
    LabOperatingCosts,
    /// Parent companies whose other businesses fund hyperscaler-like labs.
    CorporateParents,
    /// End customers who pay app builders for their products.
    EndCustomers,
    /// Staff and other operating costs of app builders.
    BuilderOperatingCosts,
    /// Switch and interconnect makers outside the model (Broadcom, Arista,
    /// Marvell) that sell the networking around accelerators whose maker
    /// does not.
    NetworkVendors,
}

impl ExternalAccount {
    pub fn name(self) -> &'static str {
        match self {
            Self::LimitedPartners => "limited_partners",
            Self::Landowners => "landowners",
            Self::ChipSupplyChain => "chip_supply_chain",
            Self::Contractors => "contractors",
            Self::GridOperations => "grid_operations",
            Self::LabOperatingCosts => "lab_operating_costs",
            Self::CorporateParents => "corporate_parents",
            Self::EndCustomers => "end_customers",
            Self::BuilderOperatingCosts => "builder_operating_costs",
            Self::NetworkVendors => "network_vendors",
        }
    }
}

/// One side of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Account {
    Agent(AgentId),
    /// The app-builder population as a whole. Builders' own cash columns are
    /// updated builder by builder where they are served; the ledger carries the
    /// population's aggregate flows so that conservation can be checked.
    AppBuilders,
    External(ExternalAccount),
}

/// A payment of `amount_usd` (never negative) from one account to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transfer {
    pub from: Account,
    pub to: Account,
    pub amount_usd: f64,
}
