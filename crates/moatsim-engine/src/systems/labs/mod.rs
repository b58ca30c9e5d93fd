//! Labs' decisions, the ones that span markets: the quarter's plan
//! (`plan`: inference split, price, compute target, capex budget, rounds),
//! where to open a site and what to bid for land and GPUs (`sites`), joint
//! ventures (`ventures`), and how compute comes online and turns into
//! capability (`compute`). Each market's own clearing lives in its room.

pub mod compute;
pub mod plan;
pub mod sites;
pub mod ventures;

pub use compute::{advance_capability, bring_compute_online};
pub use plan::{plan_labs, tier_demand};
pub use sites::bid_for_sites_and_gpus;
pub use ventures::form_joint_ventures;
