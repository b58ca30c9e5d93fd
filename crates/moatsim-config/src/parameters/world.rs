//! `[world]`: the physical and economic constants of the whole run, each
//! declared once, with its default, ranges, meaning and source (see
//! [`super::declare`]).

use serde::{Deserialize, Serialize};

use super::declare::{declare_parameters, whole};
use crate::ranges::{self, range};

declare_parameters! {
    section: "world",
    raw: {
        /// `[world]` as written: every field may be left out.
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct RawWorld;
    },
    spec: {
        /// The physical and economic constants of the whole run (`[world]`).
        #[derive(Debug, Clone, Serialize)]
        pub struct WorldParams;
    },
    declared: WORLD,
    parameters: {
        pue: f64 {
            default: PUE = 1.2,
            allowed: range(1.0, 3.0, "a PUE from 1.0 to 3.0"),
            plausible: 1.1..=1.3,
            meaning: "power usage effectiveness of data centers",
            source: "cal: pue_new_hyperscale",
        },

        /// About 190 tokens per second of sustained serving, averaged over model sizes.
        mtok_per_h100e_quarter: f64 {
            default: MTOK_PER_H100E_QUARTER = 1_500.0,
            allowed: ranges::MTOK_PER_H100E,
            plausible: 750.0..=3_000.0,
            meaning: "millions of tokens the starting frontier model serves per H100e-quarter",
            source: "assumption",
        },

        /// Five years. Hyperscalers depreciate servers over 5-6 years; GPUs are worked
        /// harder than servers, so the plausible range runs to four.
        gpu_life_quarters: u32 {
            default: GPU_LIFE_QUARTERS = 20,
            allowed: whole(1, 80),
            plausible: 16.0..=24.0,
            meaning: "depreciation life of an accelerator, and the age at which aggregate buyers retire it, quarters",
            source: "cal server_useful_life_accounting (5-6 years)",
        },

        /// Fifteen years for the shell and the electrical and cooling plant: operators
        /// depreciate buildings over 15–40 years and their plant over 10–20.
        facility_life_quarters: u32 {
            default: FACILITY_LIFE_QUARTERS = 60,
            allowed: whole(1, 400),
            plausible: 40.0..=80.0,
            meaning: "depreciation life of a data-center hall, quarters",
            source: "assumption",
        },

        /// Thirty years (plausibly 20–40).
        generation_life_quarters: u32 {
            default: GENERATION_LIFE_QUARTERS = 120,
            allowed: whole(1, 400),
            plausible: 80.0..=160.0,
            meaning: "depreciation life of a power plant, quarters",
            source: "assumption",
        },

        /// Six years of advanced-packaging (CoWoS) capacity: semiconductor tools are
        /// depreciated over about five (plausibly 4–10 years).
        packaging_life_quarters: u32 {
            default: PACKAGING_LIFE_QUARTERS = 24,
            allowed: whole(1, 400),
            plausible: 16.0..=40.0,
            meaning: "depreciation life of packaging capacity, quarters",
            source: "assumption",
        },

        /// The row's average, $11.7M per MW.
        dc_capex_per_mw_usd: f64 {
            default: DC_CAPEX_PER_MW_USD = 11.7e6,
            allowed: ranges::DC_USD_PER_MW,
            plausible: 9.3e6..=15.0e6,
            meaning: "facility capex per MW of critical load",
            source: "cal: dc_facility_capex_per_mw",
        },

        /// Two years, within the row's 1–3.6 years to a gigawatt.
        dc_build_quarters: u32 {
            default: DC_BUILD_QUARTERS = 8,
            allowed: whole(1, 40),
            meaning: "median construction time of a data center, quarters",
            source: "cal: dc_build_time_to_1gw",
        },

        /// The row's 1–3.6 years read as a 90% range: ln(3.6 / 1) / (2 × 1.645) = 0.39.
        dc_build_sigma: f64 {
            default: DC_BUILD_SIGMA = 0.39,
            allowed: range(0.0, 1.0, "a lognormal sigma from 0 to 1"),
            plausible: 0.2..=0.5,
            meaning: "lognormal spread of a project's construction time around dc_build_quarters",
            source: "cal: dc_build_time_to_1gw",
        },

        land_price_elasticity: f64 {
            default: LAND_PRICE_ELASTICITY = 0.8,
            allowed: range(0.0, 5.0, "a number from 0 to 5"),
            plausible: 0.3..=1.5,
            meaning: "land price response to the share of zoned stock used",
            source: "assumption",
        },

        /// Keeps the leader's capability growth near version 1's, about 0.15 a quarter,
        /// when effective compute grows about 1.5x a quarter.
        capability_rate: f64 {
            default: CAPABILITY_RATE = 0.3,
            allowed: ranges::CAPABILITY_RATE,
            plausible: 0.15..=0.5,
            meaning: "capability per e-fold of a lab's cumulative effective training compute",
            source: "assumption",
        },

        capability_reference_h100e: f64 {
            default: CAPABILITY_REFERENCE_H100E = 250_000.0,
            allowed: ranges::H100E_POSITIVE,
            plausible: 100_000.0..=1_000_000.0,
            meaning: "cumulative effective training compute (H100e-quarters) at the scale of the capability log",
            source: "assumption",
        },

        prior_training_quarters: f64 {
            default: PRIOR_TRAINING_QUARTERS = 2.0,
            allowed: range(0.0, 100.0, "a number from 0 to 100"),
            plausible: 1.0..=8.0,
            meaning: "quarters of its first quarter's effective training compute a lab has accumulated before the run (with effective compute growing about 1.5x a quarter, the past sums to about two)",
            source: "assumption",
        },

        research_luck_sigma: f64 {
            default: RESEARCH_LUCK_SIGMA = 0.2,
            allowed: range(0.0, 2.0, "a number from 0 to 2"),
            plausible: 0.1..=0.4,
            meaning: "log-standard deviation of a lab's research luck on its capability gain in a quarter",
            source: "assumption",
        },

        breakthrough_rate_per_quarter: f64 {
            default: BREAKTHROUGH_RATE_PER_QUARTER = 0.02,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.005..=0.05,
            meaning: "chance a lab makes a capability breakthrough in a quarter",
            source: "assumption",
        },

        breakthrough_size: f64 {
            default: BREAKTHROUGH_SIZE = 0.1,
            allowed: range(0.0, 10.0, "a number from 0 to 10"),
            plausible: 0.05..=0.3,
            meaning: "capability a breakthrough adds (about two-thirds of a quarter of the leader's progress)",
            source: "assumption",
        },

        diffusion_rate: f64 {
            default: DIFFUSION_RATE = 0.06,
            allowed: ranges::FRACTION,
            plausible: 0.02..=0.12,
            meaning: "share of the gap to the leader a follower closes per quarter",
            source: "assumption",
        },

        /// The row's central estimate (95% CI 5–14 months).
        algorithmic_efficiency_halving_months: f64 {
            default: ALGORITHMIC_EFFICIENCY_HALVING_MONTHS = 8.0,
            allowed: ranges::HALVING_MONTHS,
            plausible: 5.0..=14.0,
            meaning: "months for the compute needed at a fixed capability to halve",
            source: "cal: algorithmic_efficiency_halving",
        },

        /// MLPerf Inference on the same 8x H100 and the same Llama 2 70B: 1.43-1.50x a
        /// year from v4.0 (2024-03) to v5.0 (2025-04); GPT-J on one H100 gained 1.19x in
        /// the five months to v4.1. Single releases jump more (vLLM 0.6: 1.8-2.7x;
        /// speculative decoding: up to 3.6x at low batch). Not in Ho et al.'s 8-month
        /// halving, which is training compute. See docs/MODEL.md, "The cost curve".
        serving_software_gain_per_year: f64 {
            default: SERVING_SOFTWARE_GAIN_PER_YEAR = 1.45,
            allowed: range(1.0, 10.0, "a yearly factor from 1 to 10"),
            plausible: 1.2..=2.0,
            meaning: "yearly factor by which serving software raises the tokens the same hardware serves for the same model",
            source: "tiers: mlperf_h100_llama2_70b_sw_v40_v50, mlperf_h100_gptj_sw_v40_v41, vllm_v060_same_h100, trtllm_specdec_throughput",
        },

        /// With the baseline's frontier capability growing about 0.5 a year, 0.35 makes
        /// frontier serving compute per token grow about as fast as algorithms save it, so
        /// frontier token prices stay roughly flat apart from hardware, as list prices did
        /// from GPT-4 (2023) to o1 (2025). See docs/MODEL.md, "The cost curve".
        capability_per_serving_doubling: f64 {
            default: CAPABILITY_PER_SERVING_DOUBLING = 0.35,
            allowed: ranges::CAPABILITY_PER_DOUBLING,
            plausible: 0.2..=1.0,
            meaning: "capability units that double a model's serving compute per token",
            source: "assumption",
        },

        /// Open-weight models, which anyone can serve, trail the closed frontier: about a
        /// year in Epoch AI's 2024 report, 3.5 months (90% CI 1.1-5.3) on its capability
        /// index 2023-25, 8-10 months on private benchmarks. See docs/MODEL.md, "Tiers of
        /// inference".
        commodity_lag_quarters: u32 {
            default: COMMODITY_LAG_QUARTERS = 4,
            allowed: whole(0, 40),
            plausible: 1.0..=4.0,
            meaning: "quarters by which the commodity tier's capability trails the frontier",
            source: "tiers: open_weight_lag_epoch_2024, open_weight_lag_epoch_eci_2025, open_weight_lag_private_benchmarks",
        },

        /// The same lag in capability: about a year of the baseline frontier's
        /// capability growth (0.5 a year).
        commodity_gap_at_start: f64 {
            default: COMMODITY_GAP_AT_START = 0.5,
            allowed: range(0.0, 10.0, "capability units from 0 to 10"),
            plausible: 0.125..=0.5,
            meaning: "capability by which the commodity tier trails the frontier in the first quarter",
            source: "tiers: open_weight_lag_epoch_2024, open_weight_lag_epoch_eci_2025 (the lag in quarters times the frontier's 0.125 a quarter)",
        },

        /// Hosts of open-weight models price near the cost of serving them: Llama 3.3
        /// 70B costs about $0.26 per Mtok to serve on an H100 at $2 an hour, and
        /// DeepInfra and Together charge 1-2x that.
        commodity_markup: f64 {
            default: COMMODITY_MARKUP = 0.5,
            allowed: range(0.0, 10.0, "a markup over cost from 0 to 10"),
            plausible: 0.0..=1.0,
            meaning: "markup over the cost of new capacity at the commodity tier",
            source: "tiers: commodity_cost_llama70b_h100, commodity_markup_over_cost_llama70b, llama33_70b_price_deepinfra, llama33_70b_price_together",
        },

        /// Open-weight models took about a fifth of OpenRouter's tokens at the start of
        /// 2025 (Nagle and Yue), 26.7% on average over the year.
        commodity_share_at_start: f64 {
            default: COMMODITY_SHARE_AT_START = 0.2,
            allowed: range(0.0, 0.99, "a share from 0 to 0.99"),
            plausible: 0.13..=0.3,
            meaning: "share of tokens bought at the commodity tier in the first quarter",
            source: "tiers: open_weight_token_share_openrouter, open_weight_token_share_nagle_yue, open_weight_share_enterprise_menlo",
        },

        /// Above one: a cheaper commodity token raises spending on the tier (Jevons).
        /// NBER's -1.11 is estimated within open-weight models, so an upper bound for the
        /// tier as a whole; no per-tier estimate is published.
        commodity_price_elasticity: f64 {
            default: COMMODITY_PRICE_ELASTICITY = 1.11,
            allowed: ranges::ELASTICITY,
            plausible: 0.3..=1.11,
            meaning: "price elasticity of token demand at the commodity tier",
            source: "tiers: elasticity_commodity_within_model, elasticity_by_tier_gap",
        },

        /// Within the row's 2.07–2.46 years.
        gpu_price_performance_doubling_years: f64 {
            default: GPU_PRICE_PERFORMANCE_DOUBLING_YEARS = 2.3,
            allowed: ranges::DOUBLING_YEARS,
            plausible: 2.07..=2.46,
            meaning: "years for H100e per dollar of new generations to double",
            source: "cal: ml_gpu_flops_per_dollar_doubling",
        },

        /// The middle of the row's 0.30–0.50.
        gpu_energy_efficiency_gain_per_year: f64 {
            default: GPU_ENERGY_EFFICIENCY_GAIN_PER_YEAR = 0.4,
            allowed: ranges::GROWTH_PER_QUARTER,
            plausible: 0.3..=0.5,
            meaning: "yearly gain in H100e per watt of new generations",
            source: "cal: ml_hw_energy_efficiency_gain",
        },

        /// NVIDIA's FY2025 networking revenue over its data-centre revenue
        /// ($12.99B of $115.19B; its quarters ran 10.2–14.0%): the only
        /// published split of accelerator spend between compute and fabric,
        /// so it prices the networking around every accelerator.
        networking_share_of_dc_revenue: f64 {
            default: NETWORKING_SHARE_OF_DC_REVENUE = 0.113,
            allowed: range(0.0, 0.9, "a fraction from 0 to 0.9"),
            plausible: 0.085..=0.14,
            meaning: "share of what a buyer pays for an accelerator system that is networking (switches, NICs, optics)",
            source: "cal: nvidia_networking_share_of_dc_revenue_fy2025",
        },
    },
}
