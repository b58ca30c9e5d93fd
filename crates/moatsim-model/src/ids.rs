//! Stable agent identities, unique across every agent kind within a run.

use serde::{Deserialize, Serialize};

/// The numeric id of an agent. Ids are assigned in a fixed order when the
/// world is built (labs, investors, chipmakers, utilities, regulators,
/// accelerator buyers, then app builders; see the engine's `setup.rs`), so an
/// id names exactly one agent of one kind in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AgentId(pub u64);

impl AgentId {
    pub fn get(self) -> u64 {
        self.0
    }
}

impl std::fmt::Display for AgentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}
