//! Named defaults for optional settings, each with its source.
//!
//! The scenario-wide parameters (`[world]`, `[cloud]`, `[behaviour]` and those
//! of `[app_builders]`) declare their defaults in their tables under
//! `parameters/`, with their ranges, meaning and source; they are re-exported
//! here, so every default has one name in one place. This file keeps the
//! defaults of the header and of the per-entry settings (a lab's, a buyer's,
//! a chipmaker's), which are not in those tables.
//!
//! Calibration rows (`row x`, `cal x`) refer to
//! `docs/calibration/published-figures.csv`; initial-state rows to
//! `initial-state-2025.csv`, which is not in the repository: it sits beside
//! the project, in `../shared/calibration/`.

pub use crate::parameters::app_builders::defaults::*;
pub use crate::parameters::behaviour::defaults::*;
pub use crate::parameters::cloud::defaults::*;
pub use crate::parameters::world::defaults::*;

/// Start quarter of a run when the scenario does not say (model brief).
pub const START: &str = "2025Q1";
/// Horizon in quarters (model brief).
pub const QUARTERS: u32 = 24;
/// Seed when the scenario does not give one.
pub const SEED: u64 = 42;
/// Share of online compute a lab serves inference with at the start. Model assumption.
pub const INFERENCE_SHARE: f64 = 0.5;
/// A lab's starting markup over marginal cost of serving. Model assumption.
pub const MARKUP: f64 = 1.5;
/// Share of cash a lab is willing to commit to capex per quarter. Model assumption.
pub const CAPEX_FRACTION_OF_CASH: f64 = 0.3;
/// Quarters of spending a lab wants in the bank before it raises. Model assumption.
pub const TARGET_RUNWAY_QUARTERS: f64 = 6.0;
/// Largest share of its dry powder an investor puts into one round. Model assumption.
pub const MAX_DEAL_FRACTION: f64 = 0.25;
/// Growth of utilities' non-data-center load per quarter (electrification; about
/// 1.6% a year). Model assumption, of the order of recent US load-growth forecasts.
pub const BASE_LOAD_GROWTH_PER_QUARTER: f64 = 0.004;
/// Quarters an interconnection request spends in study before a decision. With
/// permitting and construction this puts request-to-power at 3 years or more;
/// row `utility_large_load_connection` (3–7 years).
pub const INTERCONNECTION_STUDY_QUARTERS: u32 = 4;
/// How strongly a chipmaker's ask follows last quarter's excess demand. Model assumption.
pub const ASK_SENSITIVITY: f64 = 0.3;

/// Landowners' premium for powered land (a parcel with a grid position) over
/// comparable raw land; initial-state `powered_land_premium_low` and
/// `_high` (0.35–0.5, weak secondary sources).
pub const POWERED_LAND_PREMIUM: f64 = 0.4;
/// Share of an aggregate buyer's fleet offered for rent when the scenario does
/// not say: none (enterprise fleets serve their owners).
pub const BUYER_RENTAL_SHARE: f64 = 0.0;

/// Share of a utility's spare capacity data centers may take each quarter: 1
/// means no power-priority rule (data centers queue like any other load).
pub const DC_POWER_SHARE: f64 = 1.0;
/// Kind of a lab when the scenario does not say.
pub const LAB_KIND: &str = "frontier_lab";
/// Price elasticity of an aggregate buyer's accelerator orders. Model
/// assumption (plausible 0.3–1.5): below one, scarcity raises what buyers
/// spend, as in 2023–2025 when prices and spending rose together.
pub const BUYER_PRICE_ELASTICITY: f64 = 0.7;
/// Accelerators' share of an aggregate buyer's capex; row
/// `hyperscaler_capex_servers_share` (0.60, Alphabet 2025).
pub const ACCELERATOR_SHARE_OF_CAPEX: f64 = 0.6;
/// How strongly an aggregate buyer's order leans to the generation with the
/// most H100e per dollar (the exponent of the value ratio). Model assumption
/// (plausible 2–10): at 4, a generation with 20% less value per dollar gets
/// about 40% of the best one's share.
pub const BUYER_CHOICE_SHARPNESS: f64 = 4.0;
/// Share of the gap to the cheapest rival price per H100e a sold-out
/// chipmaker closes in a quarter. Model assumption (plausible 0.2–1.0).
pub const RIVAL_CATCH_UP: f64 = 0.5;

/// Differentiation of a lab's first-party product, as a builder's depth. Model assumption (plausible 0.2–0.8).
pub const PRODUCT_DEPTH: f64 = 0.5;
