//! The systems of one quarter, grouped by phase. Each is a free function named
//! for what it does; `crate::schedule` chains them in quarter order.

pub mod account;
pub mod bid;
pub mod build;
pub mod clear;
pub mod decide;
pub mod record;
pub mod serve;

use moatsim_config::{ExportTier, Scenario};
use moatsim_model::market::gpu::ExportTreatment;

/// How a region's export tier treats a chip generation, given the licence fee
/// charged by the regulator of the chip's maker.
pub fn export_treatment(
    scenario: &Scenario,
    region: usize,
    chip: usize,
    fee_rate: f64,
) -> ExportTreatment {
    let generation = &scenario.chips[chip];
    if !generation.controlled {
        return ExportTreatment::Unrestricted;
    }
    match scenario.regions[region].export_tier {
        ExportTier::Unrestricted => ExportTreatment::Unrestricted,
        ExportTier::Capped => ExportTreatment::Licensed { fee_rate },
        ExportTier::Embargoed => ExportTreatment::Embargoed,
    }
}
