//! The scenario-wide sections: `[world]`, `[cloud]` and `[output]`.

use super::Checker;
use crate::defaults;
use crate::ranges;
use crate::raw::*;
use crate::scenario::*;

/// `[world]`: physical and economic constants of the whole run.
pub(super) fn check_world(c: &mut Checker<'_>, w: &RawWorld) -> WorldParams {
    WorldParams {
        pue: c.number(
            "world.pue".into(),
            w.pue.unwrap_or(defaults::PUE),
            1.0,
            3.0,
            "a PUE from 1.0 to 3.0",
        ),
        mtok_per_h100e_quarter: c.within(
            "world.mtok_per_h100e_quarter".into(),
            ranges::MTOK_PER_H100E,
            w.mtok_per_h100e_quarter
                .unwrap_or(defaults::MTOK_PER_H100E_QUARTER),
        ),
        gpu_life_quarters: c.whole(
            "world.gpu_life_quarters".into(),
            w.gpu_life_quarters
                .unwrap_or(i64::from(defaults::GPU_LIFE_QUARTERS)),
            1,
            80,
        ),
        facility_life_quarters: c.whole(
            "world.facility_life_quarters".into(),
            w.facility_life_quarters
                .unwrap_or(i64::from(defaults::FACILITY_LIFE_QUARTERS)),
            1,
            400,
        ),
        generation_life_quarters: c.whole(
            "world.generation_life_quarters".into(),
            w.generation_life_quarters
                .unwrap_or(i64::from(defaults::GENERATION_LIFE_QUARTERS)),
            1,
            400,
        ),
        packaging_life_quarters: c.whole(
            "world.packaging_life_quarters".into(),
            w.packaging_life_quarters
                .unwrap_or(i64::from(defaults::PACKAGING_LIFE_QUARTERS)),
            1,
            400,
        ),
        dc_capex_per_mw_usd: c.within(
            "world.dc_capex_per_mw_usd".into(),
            ranges::DC_USD_PER_MW,
            w.dc_capex_per_mw_usd
                .unwrap_or(defaults::DC_CAPEX_PER_MW_USD),
        ),
        dc_build_quarters: c.whole(
            "world.dc_build_quarters".into(),
            w.dc_build_quarters
                .unwrap_or(i64::from(defaults::DC_BUILD_QUARTERS)),
            1,
            40,
        ),
        dc_build_sigma: c.number(
            "world.dc_build_sigma".into(),
            w.dc_build_sigma.unwrap_or(defaults::DC_BUILD_SIGMA),
            0.0,
            1.0,
            "a lognormal sigma from 0 to 1",
        ),
        land_price_elasticity: c.number(
            "world.land_price_elasticity".into(),
            w.land_price_elasticity
                .unwrap_or(defaults::LAND_PRICE_ELASTICITY),
            0.0,
            5.0,
            "a number from 0 to 5",
        ),
        capability_rate: c.within(
            "world.capability_rate".into(),
            ranges::CAPABILITY_RATE,
            w.capability_rate.unwrap_or(defaults::CAPABILITY_RATE),
        ),
        capability_reference_h100e: c.within(
            "world.capability_reference_h100e".into(),
            ranges::H100E_POSITIVE,
            w.capability_reference_h100e
                .unwrap_or(defaults::CAPABILITY_REFERENCE_H100E),
        ),
        prior_training_quarters: c.number(
            "world.prior_training_quarters".into(),
            w.prior_training_quarters
                .unwrap_or(defaults::PRIOR_TRAINING_QUARTERS),
            0.0,
            100.0,
            "a number from 0 to 100",
        ),
        research_luck_sigma: c.number(
            "world.research_luck_sigma".into(),
            w.research_luck_sigma
                .unwrap_or(defaults::RESEARCH_LUCK_SIGMA),
            0.0,
            2.0,
            "a number from 0 to 2",
        ),
        breakthrough_rate_per_quarter: c.number(
            "world.breakthrough_rate_per_quarter".into(),
            w.breakthrough_rate_per_quarter
                .unwrap_or(defaults::BREAKTHROUGH_RATE_PER_QUARTER),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        breakthrough_size: c.number(
            "world.breakthrough_size".into(),
            w.breakthrough_size.unwrap_or(defaults::BREAKTHROUGH_SIZE),
            0.0,
            10.0,
            "a number from 0 to 10",
        ),
        diffusion_rate: c.fraction(
            "world.diffusion_rate".into(),
            w.diffusion_rate.unwrap_or(defaults::DIFFUSION_RATE),
        ),
        algorithmic_efficiency_halving_months: c.within(
            "world.algorithmic_efficiency_halving_months".into(),
            ranges::HALVING_MONTHS,
            w.algorithmic_efficiency_halving_months
                .unwrap_or(defaults::ALGORITHMIC_EFFICIENCY_HALVING_MONTHS),
        ),
        capability_per_serving_doubling: c.within(
            "world.capability_per_serving_doubling".into(),
            ranges::CAPABILITY_PER_DOUBLING,
            w.capability_per_serving_doubling
                .unwrap_or(defaults::CAPABILITY_PER_SERVING_DOUBLING),
        ),
        gpu_price_performance_doubling_years: c.within(
            "world.gpu_price_performance_doubling_years".into(),
            ranges::DOUBLING_YEARS,
            w.gpu_price_performance_doubling_years
                .unwrap_or(defaults::GPU_PRICE_PERFORMANCE_DOUBLING_YEARS),
        ),
        gpu_energy_efficiency_gain_per_year: c.within(
            "world.gpu_energy_efficiency_gain_per_year".into(),
            ranges::GROWTH_PER_QUARTER,
            w.gpu_energy_efficiency_gain_per_year
                .unwrap_or(defaults::GPU_ENERGY_EFFICIENCY_GAIN_PER_YEAR),
        ),
    }
}

/// `[cloud]`: the rental market's starting ask and its rules; the fields
/// schema 6 removed get an error naming their replacement.
pub(super) fn check_cloud(c: &mut Checker<'_>, rc: &RawCloud) -> CloudSpec {
    for (field, value) in [
        ("capacity_h100e", &rc.capacity_h100e),
        (
            "capacity_growth_per_quarter",
            &rc.capacity_growth_per_quarter,
        ),
        ("min_ask_per_h100e_hour_usd", &rc.min_ask_per_h100e_hour_usd),
    ] {
        if value.is_some() {
            c.fail(
                &format!("cloud.{field}"),
                "was removed in schema 6: capacity for rent now comes from [[accelerator_buyers]] rental_share, and its cost from the owners' fleets; allowed: delete this line (see docs/CONFIG.md)".to_string(),
            );
        }
    }
    CloudSpec {
        ask_per_h100e_hour_usd: c.within(
            "cloud.ask_per_h100e_hour_usd".into(),
            ranges::USD_PER_H100E_HOUR,
            rc.ask_per_h100e_hour_usd
                .unwrap_or(defaults::CLOUD_ASK_PER_H100E_HOUR_USD),
        ),
        ask_sensitivity: c.number(
            "cloud.ask_sensitivity".into(),
            rc.ask_sensitivity.unwrap_or(defaults::ASK_SENSITIVITY),
            0.0,
            2.0,
            "a number from 0 to 2",
        ),
        rent_cash_share: c.fraction(
            "cloud.rent_cash_share".into(),
            rc.rent_cash_share
                .unwrap_or(defaults::CLOUD_RENT_CASH_SHARE),
        ),
        owner_cost_of_capital_per_year: c.number(
            "cloud.owner_cost_of_capital_per_year".into(),
            rc.owner_cost_of_capital_per_year
                .unwrap_or(defaults::CLOUD_OWNER_COST_OF_CAPITAL_PER_YEAR),
            0.0,
            0.5,
            "a yearly rate from 0 to 0.5",
        ),
        training_value_per_h100e_hour_usd: c.within(
            "cloud.training_value_per_h100e_hour_usd".into(),
            ranges::USD_PER_H100E_HOUR,
            rc.training_value_per_h100e_hour_usd
                .unwrap_or(defaults::CLOUD_TRAINING_VALUE_PER_H100E_HOUR_USD),
        ),
    }
}

/// `[output]`: how much of the app-builder population is written.
pub(super) fn check_output(c: &mut Checker<'_>, output: &RawOutput) -> OutputSpec {
    let app_builders = match output.app_builders.as_deref().unwrap_or("full") {
        "full" => BuilderOutput::Full,
        "segments" => BuilderOutput::Segments,
        "sampled" => BuilderOutput::Sampled {
            share: c.number(
                "output.app_builders_sample_share".into(),
                output.app_builders_sample_share.unwrap_or(0.01),
                1e-6,
                1.0,
                "a share of builders above 0 and at most 1",
            ),
        },
        other => {
            c.fail(
                "output.app_builders",
                format!("is {other:?}; allowed: \"full\", \"sampled\" or \"segments\""),
            );
            BuilderOutput::Full
        }
    };
    OutputSpec { app_builders }
}
