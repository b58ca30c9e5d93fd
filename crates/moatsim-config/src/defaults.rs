//! Named defaults for optional settings, each with its source.
//!
//! Calibration rows refer to `../shared/calibration/published-figures.csv`.

/// Start quarter of a run when the scenario does not say (model brief).
pub const START: &str = "2025Q1";
/// Horizon in quarters (model brief).
pub const QUARTERS: u32 = 24;
/// Seed when the scenario does not give one.
pub const SEED: u64 = 42;
/// PUE of a new hyperscale facility; row `pue_new_hyperscale` (1.1–1.3).
pub const PUE: f64 = 1.2;
/// Millions of tokens one H100e serves in a quarter at sustained utilisation
/// (about 190 tokens per second averaged over model sizes). Model assumption.
pub const MTOK_PER_H100E_QUARTER: f64 = 1_500.0;
/// Accounting life of an accelerator, quarters (five years). Model assumption.
pub const GPU_LIFE_QUARTERS: u32 = 20;
/// Accounting life of a data-center hall (shell, electrical and cooling
/// plant), quarters: 15 years. Model assumption (range 10–20 years; operators
/// depreciate buildings over 15–40 years and their plant over 10–20).
pub const FACILITY_LIFE_QUARTERS: u32 = 60;
/// Accounting life of a power plant, quarters: 30 years. Model assumption
/// (range 20–40 years).
pub const GENERATION_LIFE_QUARTERS: u32 = 120;
/// Accounting life of advanced-packaging (CoWoS) capacity, quarters: 6 years.
/// Model assumption (range 4–10 years; semiconductor tools are depreciated
/// over about five).
pub const PACKAGING_LIFE_QUARTERS: u32 = 24;
/// Facility capex per MW of critical load; row `dc_facility_capex_per_mw` (avg 11.7M).
pub const DC_CAPEX_PER_MW_USD: f64 = 11.7e6;
/// Construction time of a data center, quarters; row `dc_build_time_to_1gw` (1–3.6 years).
pub const DC_BUILD_QUARTERS: u32 = 8;
/// Elasticity of land price to the share of a region's zoned stock used. Model assumption.
pub const LAND_PRICE_ELASTICITY: f64 = 0.8;
/// Capability gained per log-unit of training compute per quarter. Model assumption.
pub const CAPABILITY_RATE: f64 = 0.06;
/// Training compute (H100e for a quarter) that gives `ln 2` times the rate. Model assumption.
pub const CAPABILITY_REFERENCE_H100E: f64 = 250_000.0;
/// Share of the gap to the leader a follower closes per quarter by diffusion. Model assumption.
pub const DIFFUSION_RATE: f64 = 0.06;
/// Months for the compute needed at a fixed capability to halve; row
/// `algorithmic_efficiency_halving` (8 months, 95% CI 5–14).
pub const ALGORITHMIC_EFFICIENCY_HALVING_MONTHS: f64 = 8.0;
/// Capability units above the starting frontier that double a model's serving
/// compute per token. Model assumption (plausible 0.2–1.0): with the baseline's
/// frontier capability growing about 0.5 a year, 0.35 makes frontier serving
/// compute per token grow about as fast as algorithms save it, so frontier
/// token prices stay roughly flat apart from hardware, as list prices did from
/// GPT-4 (2023) to o1 (2025). See docs/MODEL.md, "The cost curve".
pub const CAPABILITY_PER_SERVING_DOUBLING: f64 = 0.35;
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

/// Every region's rental ask at the start, USD per H100e-hour. Model assumption:
/// on-demand H100 rates of about $2–3 an hour in early 2025, committed
/// contracts lower (initial-state `h100_on_demand_sxm`, `h100e_effective_contract_price_lab`).
pub const CLOUD_ASK_PER_H100E_HOUR_USD: f64 = 2.2;
/// The yearly return cloud owners require on their fleets' capital. Model
/// assumption (range 0.06–0.15): between investment-grade hyperscaler debt and
/// neocloud borrowing costs.
pub const CLOUD_OWNER_COST_OF_CAPITAL_PER_YEAR: f64 = 0.10;
/// What labs state an H100e-hour of training compute is worth to them, USD.
/// Model assumption (range 2–5), bounded below by what labs paid under
/// contract in 2024 (initial-state `h100e_effective_contract_price_lab`:
/// 1.95, p95 2.52): a lab that signs at that price values the compute above it.
pub const CLOUD_TRAINING_VALUE_PER_H100E_HOUR_USD: f64 = 3.0;
/// Landowners' premium for powered land (a parcel with a grid position) over
/// comparable raw land; initial-state `powered_land_premium_low` and
/// `_high` (0.35–0.5, weak secondary sources).
pub const POWERED_LAND_PREMIUM: f64 = 0.4;
/// Share of an aggregate buyer's fleet offered for rent when the scenario does
/// not say: none (enterprise fleets serve their owners).
pub const BUYER_RENTAL_SHARE: f64 = 0.0;
/// Largest share of its cash a lab spends on rented compute in a quarter. Model assumption.
pub const CLOUD_RENT_CASH_SHARE: f64 = 0.05;

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
/// Years for accelerators' H100e per dollar to double; row
/// `ml_gpu_flops_per_dollar_doubling` (2.07–2.46 years).
pub const GPU_PRICE_PERFORMANCE_DOUBLING_YEARS: f64 = 2.3;
/// Yearly gain in H100e per watt of new accelerator generations; row
/// `ml_hw_energy_efficiency_gain` (0.30–0.50).
pub const GPU_ENERGY_EFFICIENCY_GAIN_PER_YEAR: f64 = 0.4;
