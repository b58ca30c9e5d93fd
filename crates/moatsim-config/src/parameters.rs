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
        "world.dc_build_sigma",
        "lognormal spread of a project's construction time around dc_build_quarters",
        defaults::DC_BUILD_SIGMA,
        "cal: dc_build_time_to_1gw",
        0.2,
        0.5,
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
        "capability per e-fold of a lab's cumulative effective training compute",
        defaults::CAPABILITY_RATE,
        "assumption",
        0.15,
        0.5,
    ),
    p(
        "world.capability_reference_h100e",
        "cumulative effective training compute (H100e-quarters) at the scale of the capability log",
        defaults::CAPABILITY_REFERENCE_H100E,
        "assumption",
        100_000.0,
        1_000_000.0,
    ),
    p(
        "world.prior_training_quarters",
        "quarters of its first quarter's effective training compute a lab has accumulated before the run (with effective compute growing about 1.5x a quarter, the past sums to about two)",
        defaults::PRIOR_TRAINING_QUARTERS,
        "assumption",
        1.0,
        8.0,
    ),
    p(
        "world.research_luck_sigma",
        "log-standard deviation of a lab's research luck on its capability gain in a quarter",
        defaults::RESEARCH_LUCK_SIGMA,
        "assumption",
        0.1,
        0.4,
    ),
    p(
        "world.breakthrough_rate_per_quarter",
        "chance a lab makes a capability breakthrough in a quarter",
        defaults::BREAKTHROUGH_RATE_PER_QUARTER,
        "assumption",
        0.005,
        0.05,
    ),
    p(
        "world.breakthrough_size",
        "capability a breakthrough adds (about two-thirds of a quarter of the leader's progress)",
        defaults::BREAKTHROUGH_SIZE,
        "assumption",
        0.05,
        0.3,
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
    p(
        "behaviour.generation_cost_share",
        "share of the base tariff that is a utility's cost of producing a MWh",
        defaults::GENERATION_COST_SHARE,
        "assumption",
        0.5,
        0.85,
    ),
    p(
        "behaviour.gpu_lead_quarters",
        "quarters ahead of power that labs buy GPUs for sites being built",
        defaults::GPU_LEAD_QUARTERS as f64,
        "assumption",
        1.0,
        4.0,
    ),
    p(
        "behaviour.backlog_fill_ratio",
        "below this share of its GPU order filled, a lab counts itself backlogged",
        defaults::BACKLOG_FILL_RATIO,
        "assumption",
        0.6,
        0.95,
    ),
    p(
        "behaviour.backlog_premium",
        "extra willingness to pay of a backlogged lab, as a share of value",
        defaults::BACKLOG_PREMIUM,
        "assumption",
        0.2,
        1.0,
    ),
    p(
        "behaviour.delay_cost_share",
        "share of a site's quarterly value lost per quarter of expected wait",
        defaults::DELAY_COST_SHARE,
        "assumption",
        0.1,
        0.5,
    ),
    p(
        "behaviour.site_energy_quarters",
        "quarters of energy cost labs count when comparing regions for a site",
        defaults::SITE_ENERGY_QUARTERS,
        "assumption",
        4.0,
        16.0,
    ),
    p(
        "behaviour.queue_mw_cleared_per_quarter",
        "MW an interconnection queue is expected to clear a quarter (turns MW ahead into quarters of waiting)",
        defaults::QUEUE_MW_CLEARED_PER_QUARTER,
        "assumption",
        1000.0,
        4000.0,
    ),
    p(
        "behaviour.min_project_mw",
        "smallest new data-center project a lab starts, MW",
        defaults::MIN_PROJECT_MW,
        "assumption",
        50.0,
        200.0,
    ),
    p(
        "behaviour.max_project_mw",
        "largest new data-center project a lab starts, MW",
        defaults::MAX_PROJECT_MW,
        "assumption (cal dc_build_time_to_1gw: gigawatt sites)",
        1000.0,
        5000.0,
    ),
    p(
        "behaviour.raw_land_limit_multiple",
        "most a lab pays for raw land, as a multiple of the landowners' price",
        defaults::RAW_LAND_LIMIT_MULTIPLE,
        "assumption",
        1.2,
        2.0,
    ),
    p(
        "behaviour.land_banking_budget_share",
        "share of its dry powder a land bank puts into land a quarter (scaled by risk appetite)",
        defaults::LAND_BANKING_BUDGET_SHARE,
        "assumption",
        0.01,
        0.05,
    ),
    p(
        "behaviour.land_scarcity_signal",
        "labs' land demand, as a share of the unsold stock, that makes a region look scarce to land banks",
        defaults::LAND_SCARCITY_SIGNAL,
        "assumption",
        0.02,
        0.1,
    ),
    p(
        "behaviour.land_banking_stock_share",
        "most of a region's unsold stock one land bank buys a quarter",
        defaults::LAND_BANKING_STOCK_SHARE,
        "assumption",
        0.05,
        0.2,
    ),
    p(
        "behaviour.land_resale_premium",
        "premium over the landowners' price at which land banks resell",
        defaults::LAND_RESALE_PREMIUM,
        "assumption",
        0.1,
        0.5,
    ),
    p(
        "behaviour.min_close_fraction",
        "share of its target a round must raise to close",
        defaults::MIN_CLOSE_FRACTION,
        "assumption",
        0.3,
        0.8,
    ),
    p(
        "behaviour.down_round_floor",
        "lowest pre-money a lab accepts, as a share of its current valuation",
        defaults::DOWN_ROUND_FLOOR,
        "assumption",
        0.3,
        0.8,
    ),
    p(
        "behaviour.fill_memory",
        "share of the previous expectation buyers keep when they update a generation's expected fill",
        defaults::FILL_MEMORY,
        "assumption",
        0.3,
        0.8,
    ),
    p(
        "behaviour.production_buffer",
        "production scheduled per unit of backlog (a small buffer against cancelled orders)",
        defaults::PRODUCTION_BUFFER,
        "assumption",
        1.0,
        1.2,
    ),
    p(
        "behaviour.ask_max_step_per_quarter",
        "largest move of a posted ask (chips, rental) in one quarter, either way",
        defaults::ASK_MAX_STEP_PER_QUARTER,
        "assumption",
        0.05,
        0.3,
    ),
    p(
        "behaviour.expansion_backlog_share",
        "backlog, as a share of production, above which a chipmaker counts a quarter as backlogged",
        defaults::EXPANSION_BACKLOG_SHARE,
        "assumption",
        0.1,
        0.5,
    ),
    p(
        "behaviour.initial_fleet_book_value",
        "share of list price a starting fleet is carried at",
        defaults::INITIAL_FLEET_BOOK_VALUE,
        "assumption",
        0.5,
        0.9,
    ),
    p(
        "behaviour.initial_facility_book_value",
        "share of replacement cost a starting hall or packaging line is carried at",
        defaults::INITIAL_FACILITY_BOOK_VALUE,
        "assumption",
        0.6,
        0.95,
    ),
    p(
        "behaviour.max_tariff_multiple",
        "tariff, as a multiple of today's, above which a lab walks away from its queue place",
        defaults::MAX_TARIFF_MULTIPLE,
        "assumption",
        2.0,
        5.0,
    ),
    p(
        "behaviour.gpu_value_quarters",
        "quarters of serving revenue at which a lab values an H100e it buys",
        defaults::GPU_VALUE_QUARTERS,
        "assumption",
        6.0,
        16.0,
    ),
    p(
        "behaviour.gpu_value_floor_per_h100e_usd",
        "the least a lab values an H100e it buys",
        defaults::GPU_VALUE_FLOOR_PER_H100E_USD,
        "assumption",
        10_000.0,
        30_000.0,
    ),
    p(
        "behaviour.gpu_weight_best",
        "weight of a lab's GPU order on the generation with the most H100e per dollar (normalised with gpu_weight_second)",
        defaults::GPU_WEIGHT_BEST,
        "assumption",
        0.5,
        0.9,
    ),
    p(
        "behaviour.gpu_weight_second",
        "weight of a lab's GPU order on the second-best generation",
        defaults::GPU_WEIGHT_SECOND,
        "assumption",
        0.1,
        0.5,
    ),
    p(
        "behaviour.backlog_gpu_weight_best",
        "weight of a backlogged lab's GPU order on the best generation (normalised over the three weights)",
        defaults::BACKLOG_GPU_WEIGHT_BEST,
        "assumption",
        0.3,
        0.7,
    ),
    p(
        "behaviour.backlog_gpu_weight_second",
        "weight of a backlogged lab's GPU order on the second-best generation",
        defaults::BACKLOG_GPU_WEIGHT_SECOND,
        "assumption",
        0.2,
        0.4,
    ),
    p(
        "behaviour.backlog_gpu_weight_third",
        "weight of a backlogged lab's GPU order on the third-best generation",
        defaults::BACKLOG_GPU_WEIGHT_THIRD,
        "assumption",
        0.1,
        0.3,
    ),
    p(
        "behaviour.capacity_weight_newest",
        "weight of a chipmaker's packaging capacity on its newest generation on sale (normalised over the generations on sale)",
        defaults::CAPACITY_WEIGHT_NEWEST,
        "assumption",
        0.5,
        0.8,
    ),
    p(
        "behaviour.capacity_weight_second",
        "weight of its capacity on the second-newest generation",
        defaults::CAPACITY_WEIGHT_SECOND,
        "assumption",
        0.15,
        0.4,
    ),
    p(
        "behaviour.capacity_weight_third",
        "weight of its capacity on the third-newest generation (older ones get none)",
        defaults::CAPACITY_WEIGHT_THIRD,
        "assumption",
        0.0,
        0.2,
    ),
    p(
        "behaviour.inference_share_step",
        "points of compute a lab moves between training and inference in a quarter",
        defaults::INFERENCE_SHARE_STEP,
        "assumption",
        0.02,
        0.1,
    ),
    p(
        "behaviour.inference_share_min",
        "least share of its compute a lab serves inference with",
        defaults::INFERENCE_SHARE_MIN,
        "assumption",
        0.1,
        0.3,
    ),
    p(
        "behaviour.inference_share_max",
        "most share of its compute a lab serves inference with",
        defaults::INFERENCE_SHARE_MAX,
        "assumption",
        0.7,
        0.9,
    ),
    p(
        "behaviour.inference_raise_utilisation",
        "utilisation at or above which a lab moves compute to inference",
        defaults::INFERENCE_RAISE_UTILISATION,
        "assumption",
        0.9,
        1.0,
    ),
    p(
        "behaviour.inference_cut_utilisation",
        "utilisation below which a lab moves compute to training",
        defaults::INFERENCE_CUT_UTILISATION,
        "assumption",
        0.5,
        0.85,
    ),
    p(
        "behaviour.markup_idle_utilisation",
        "utilisation below which a lab cuts its markup to win volume",
        defaults::MARKUP_IDLE_UTILISATION,
        "assumption",
        0.5,
        0.9,
    ),
    p(
        "behaviour.markup_idle_step",
        "fraction a lab cuts its markup by in a quarter its capacity sat idle",
        defaults::MARKUP_IDLE_STEP,
        "assumption",
        0.03,
        0.15,
    ),
    p(
        "behaviour.markup_raise_retention",
        "share of last quarter's customers staying above which a lab raises its markup (lock-in)",
        defaults::MARKUP_RAISE_RETENTION,
        "assumption",
        0.85,
        0.95,
    ),
    p(
        "behaviour.markup_cut_retention",
        "share of last quarter's customers staying below which a lab cuts its markup",
        defaults::MARKUP_CUT_RETENTION,
        "assumption",
        0.5,
        0.8,
    ),
    p(
        "behaviour.markup_retention_step",
        "fraction a lab moves its markup by on retention in a quarter",
        defaults::MARKUP_RETENTION_STEP,
        "assumption",
        0.02,
        0.08,
    ),
    p(
        "behaviour.markup_min",
        "least markup over marginal cost a lab posts",
        defaults::MARKUP_MIN,
        "assumption",
        0.0,
        0.3,
    ),
    p(
        "behaviour.markup_max",
        "most markup over marginal cost a lab posts",
        defaults::MARKUP_MAX,
        "assumption",
        5.0,
        20.0,
    ),
    p(
        "behaviour.price_stickiness",
        "share of last quarter's list price a lab keeps when it moves toward its target",
        defaults::PRICE_STICKINESS,
        "assumption",
        0.3,
        0.8,
    ),
    p(
        "behaviour.price_rival_weight",
        "weight of rivals' mean list price in a lab's target price",
        defaults::PRICE_RIVAL_WEIGHT,
        "assumption",
        0.1,
        0.5,
    ),
    p(
        "behaviour.scarcity_max_step",
        "largest rise of a lab's scarcity premium in a quarter, as a fraction",
        defaults::SCARCITY_MAX_STEP,
        "assumption",
        0.5,
        2.0,
    ),
    p(
        "behaviour.demand_trend_max",
        "largest quarter-on-quarter growth (or fall, as 1/(1 + x)) a lab extrapolates from its last two quarters' token demand when it prices",
        defaults::DEMAND_TREND_MAX,
        "assumption",
        0.25,
        1.0,
    ),
    p(
        "behaviour.burn_window_quarters",
        "quarters of net outflow a lab averages into the burn rate its runway and round size are measured against (rounded to a whole number)",
        defaults::BURN_WINDOW_QUARTERS,
        "assumption",
        2.0,
        8.0,
    ),
    p(
        "behaviour.initial_pipeline_span_quarters",
        "quarters over which the sites under construction at the start energize",
        defaults::INITIAL_PIPELINE_SPAN_QUARTERS as f64,
        "assumption",
        7.0,
        15.0,
    ),
    p(
        "behaviour.max_round_share",
        "largest share of one round a single investor takes",
        defaults::MAX_ROUND_SHARE,
        "assumption",
        0.25,
        1.0,
    ),
    p(
        "app_builders.generic_capture",
        "share of the surplus per token (end users' value less the token price) a generic builder keeps at the starting crowding; depth d keeps (1 + d) times it",
        defaults::GENERIC_CAPTURE,
        "assumption",
        0.05,
        0.3,
    ),
    p(
        "app_builders.crowding_elasticity",
        "elasticity of builders' kept surplus to the number of builders in their segment (1: margin ∝ 1/N, the circular-city model)",
        defaults::CROWDING_ELASTICITY,
        "assumption",
        0.5,
        1.5,
    ),
    p(
        "app_builders.normal_margin",
        "profit margin at which entry into a segment stops (entry runs at entry_rate_per_quarter at twice it)",
        defaults::NORMAL_MARGIN,
        "assumption",
        0.05,
        0.2,
    ),
    p(
        "app_builders.end_user_capability_weight",
        "end users' weight on capability when choosing between builders' apps and labs' own products",
        defaults::END_USER_CAPABILITY_WEIGHT,
        "assumption",
        2.0,
        12.0,
    ),
    p(
        "app_builders.end_user_price_weight",
        "end users' weight on log price in that choice",
        defaults::END_USER_PRICE_WEIGHT,
        "assumption",
        0.5,
        3.0,
    ),
    p(
        "app_builders.builder_shock_sigma",
        "log-standard deviation of a builder's quarterly demand shock",
        defaults::BUILDER_SHOCK_SIGMA,
        "assumption",
        0.05,
        0.3,
    ),
    p(
        "app_builders.segment_shock_sigma",
        "log-standard deviation of a segment's quarterly demand shock (common to its builders and the labs' products in it)",
        defaults::SEGMENT_SHOCK_SIGMA,
        "assumption",
        0.05,
        0.3,
    ),
    p(
        "app_builders.fixed_cost_scale_elasticity",
        "elasticity of a builder's operating costs to its customer base (1: in proportion; below 1: economies of scale)",
        defaults::FIXED_COST_SCALE_ELASTICITY,
        "assumption",
        0.5,
        1.0,
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
