//! Domain types, economic rules and pure market-clearing functions of moatsim.
//!
//! Nothing in this crate knows about the ECS, files or threads: every function
//! takes plain data and returns plain data, so each rule and each market can be
//! tested in isolation (see `ARCHITECTURE.md`).

pub mod accelerator_demand;
pub mod cost_curve;
pub mod ids;
pub mod market;
pub mod money;
pub mod refresh;
pub mod rng;
pub mod rules;
pub mod time;
pub mod units;

pub use ids::AgentId;
pub use money::{Account, ExternalAccount, Transfer};
pub use time::Quarter;
