//! The behavioural parameters with a scenario-wide default: where each lives
//! in a scenario, what it means, its default and the source of that default,
//! and the plausible range a sensitivity analysis should vary it over
//! (model brief, principle 6). `moatsim params` prints this list.
//!
//! Defaults come from [`crate::defaults`], so the list cannot drift from what
//! the validator fills in; a test checks that every plausible range passes
//! validation on the baseline.

use crate::defaults;

/// One parameter a sensitivity analysis may vary.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Parameter {
    /// The `--set` path.
    pub path: &'static str,
    pub meaning: &'static str,
    /// The value used when a scenario does not set it.
    pub default: f64,
    /// A calibration row (`cal: name`) or `assumption`.
    pub source: &'static str,
    /// The plausible range: published bands where there are some, otherwise
    /// the range the model's documentation defends.
    pub low: f64,
    pub high: f64,
}

const fn p(
    path: &'static str,
    meaning: &'static str,
    default: f64,
    source: &'static str,
    low: f64,
    high: f64,
) -> Parameter {
    Parameter {
        path,
        meaning,
        default,
        source,
        low,
        high,
    }
}

/// Every scenario-wide behavioural parameter, in config order.
pub const PARAMETERS: &[Parameter] = &[
    p(
        "world.pue",
        "power usage effectiveness of data centers",
        defaults::PUE,
        "cal: pue_new_hyperscale",
        1.1,
        1.3,
    ),
    p(
        "world.mtok_per_h100e_quarter",
        "millions of tokens the starting frontier model serves per H100e-quarter",
        defaults::MTOK_PER_H100E_QUARTER,
        "assumption",
        750.0,
        3_000.0,
    ),
    p(
        "world.gpu_life_quarters",
        "depreciation life of an accelerator, quarters",
        defaults::GPU_LIFE_QUARTERS as f64,
        "assumption",
        16.0,
        24.0,
    ),
    p(
        "world.facility_life_quarters",
        "depreciation life of a data-center hall, quarters",
        defaults::FACILITY_LIFE_QUARTERS as f64,
        "assumption",
        40.0,
        80.0,
    ),
    p(
        "world.generation_life_quarters",
        "depreciation life of a power plant, quarters",
        defaults::GENERATION_LIFE_QUARTERS as f64,
        "assumption",
        80.0,
        160.0,
    ),
    p(
        "world.packaging_life_quarters",
        "depreciation life of packaging capacity, quarters",
        defaults::PACKAGING_LIFE_QUARTERS as f64,
        "assumption",
        16.0,
        40.0,
    ),
    p(
        "world.dc_capex_per_mw_usd",
        "facility capex per MW of critical load",
        defaults::DC_CAPEX_PER_MW_USD,
        "cal: dc_facility_capex_per_mw",
        9.3e6,
        15.0e6,
    ),
    p(
        "world.land_price_elasticity",
        "land price response to the share of zoned stock used",
        defaults::LAND_PRICE_ELASTICITY,
        "assumption",
        0.3,
        1.5,
    ),
    p(
        "world.capability_rate",
        "capability per log-unit of training compute per quarter",
        defaults::CAPABILITY_RATE,
        "assumption",
        0.03,
        0.09,
    ),
    p(
        "world.capability_reference_h100e",
        "training compute scale of the capability log",
        defaults::CAPABILITY_REFERENCE_H100E,
        "assumption",
        100_000.0,
        1_000_000.0,
    ),
    p(
        "world.diffusion_rate",
        "share of the gap to the leader a follower closes per quarter",
        defaults::DIFFUSION_RATE,
        "assumption",
        0.02,
        0.12,
    ),
    p(
        "world.algorithmic_efficiency_halving_months",
        "months for the compute needed at a fixed capability to halve",
        defaults::ALGORITHMIC_EFFICIENCY_HALVING_MONTHS,
        "cal: algorithmic_efficiency_halving",
        5.0,
        14.0,
    ),
    p(
        "world.capability_per_serving_doubling",
        "capability units that double a model's serving compute per token",
        defaults::CAPABILITY_PER_SERVING_DOUBLING,
        "assumption",
        0.2,
        1.0,
    ),
    p(
        "world.gpu_price_performance_doubling_years",
        "years for H100e per dollar of new generations to double",
        defaults::GPU_PRICE_PERFORMANCE_DOUBLING_YEARS,
        "cal: ml_gpu_flops_per_dollar_doubling",
        2.07,
        2.46,
    ),
    p(
        "world.gpu_energy_efficiency_gain_per_year",
        "yearly gain in H100e per watt of new generations",
        defaults::GPU_ENERGY_EFFICIENCY_GAIN_PER_YEAR,
        "cal: ml_hw_energy_efficiency_gain",
        0.3,
        0.5,
    ),
    p(
        "cloud.ask_per_h100e_hour_usd",
        "every region's first rental ask per H100e-hour",
        defaults::CLOUD_ASK_PER_H100E_HOUR_USD,
        "assumption (initial-state h100_on_demand_sxm 2.99, h100e_effective_contract_price_lab 1.95)",
        1.5,
        3.0,
    ),
    p(
        "cloud.rent_cash_share",
        "most of its cash a lab spends on rent per quarter",
        defaults::CLOUD_RENT_CASH_SHARE,
        "assumption",
        0.02,
        0.1,
    ),
    p(
        "cloud.owner_cost_of_capital_per_year",
        "yearly return cloud owners require on their fleets",
        defaults::CLOUD_OWNER_COST_OF_CAPITAL_PER_YEAR,
        "assumption",
        0.06,
        0.15,
    ),
    p(
        "cloud.training_value_per_h100e_hour_usd",
        "what labs state an H100e-hour of training is worth to them",
        defaults::CLOUD_TRAINING_VALUE_PER_H100E_HOUR_USD,
        "assumption (initial-state h100e_effective_contract_price_lab 1.95, p95 2.52, as a floor)",
        2.0,
        5.0,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_lies_in_its_plausible_range() {
        for parameter in PARAMETERS {
            assert!(
                parameter.low <= parameter.default && parameter.default <= parameter.high,
                "{}: default {} outside {}..{}",
                parameter.path,
                parameter.default,
                parameter.low,
                parameter.high
            );
            assert!(!parameter.source.is_empty() && !parameter.meaning.is_empty());
        }
    }

    /// Sweeps can use every plausible range as it stands: both ends pass
    /// validation on the baseline, and each path names a real field.
    #[test]
    fn both_ends_of_every_range_validate_on_the_baseline() {
        let baseline =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/baseline.toml");
        for parameter in PARAMETERS {
            for value in [parameter.low, parameter.high] {
                let set = format!("{}={value}", parameter.path);
                let loaded = crate::load(&baseline, std::slice::from_ref(&set));
                assert!(loaded.is_ok(), "{set}: {:?}", loaded.err());
            }
        }
    }

    #[test]
    fn every_path_is_listed_once() {
        let mut paths: Vec<&str> = PARAMETERS.iter().map(|p| p.path).collect();
        paths.sort_unstable();
        let count = paths.len();
        paths.dedup();
        assert_eq!(paths.len(), count);
    }
}
