//! `[behaviour]`: the numbers of the agents' decision rules that belong to
//! no single agent.

use super::Checker;
use crate::defaults;
use crate::ranges;
use crate::raw::*;
use crate::scenario::*;

/// `[behaviour]`: the rules' numbers, each against its plausible range, and
/// the one pair that must be ordered.
pub(super) fn check_behaviour(c: &mut Checker<'_>, rb: &RawBehaviour) -> BehaviourParams {
    let behaviour = BehaviourParams {
        generation_cost_share: c.number(
            "behaviour.generation_cost_share".into(),
            rb.generation_cost_share
                .unwrap_or(defaults::GENERATION_COST_SHARE),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        gpu_lead_quarters: c.whole(
            "behaviour.gpu_lead_quarters".into(),
            rb.gpu_lead_quarters
                .unwrap_or(i64::from(defaults::GPU_LEAD_QUARTERS)),
            0,
            20,
        ),
        refresh_min_age_quarters: c.whole(
            "behaviour.refresh_min_age_quarters".into(),
            rb.refresh_min_age_quarters
                .unwrap_or(i64::from(defaults::REFRESH_MIN_AGE_QUARTERS)),
            0,
            200,
        ),
        refresh_share_per_quarter: c.number(
            "behaviour.refresh_share_per_quarter".into(),
            rb.refresh_share_per_quarter
                .unwrap_or(defaults::REFRESH_SHARE_PER_QUARTER),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        backlog_fill_ratio: c.number(
            "behaviour.backlog_fill_ratio".into(),
            rb.backlog_fill_ratio
                .unwrap_or(defaults::BACKLOG_FILL_RATIO),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        backlog_premium: c.number(
            "behaviour.backlog_premium".into(),
            rb.backlog_premium.unwrap_or(defaults::BACKLOG_PREMIUM),
            0.0,
            5.0,
            "a number from 0 to 5",
        ),
        delay_cost_share: c.number(
            "behaviour.delay_cost_share".into(),
            rb.delay_cost_share.unwrap_or(defaults::DELAY_COST_SHARE),
            0.0,
            2.0,
            "a number from 0 to 2",
        ),
        site_energy_quarters: c.number(
            "behaviour.site_energy_quarters".into(),
            rb.site_energy_quarters
                .unwrap_or(defaults::SITE_ENERGY_QUARTERS),
            0.0,
            100.0,
            "a number from 0 to 100",
        ),
        queue_mw_cleared_per_quarter: c.number(
            "behaviour.queue_mw_cleared_per_quarter".into(),
            rb.queue_mw_cleared_per_quarter
                .unwrap_or(defaults::QUEUE_MW_CLEARED_PER_QUARTER),
            1.0,
            1000000.0,
            "a number from 1 to 1e+06",
        ),
        min_project_mw: c.number(
            "behaviour.min_project_mw".into(),
            rb.min_project_mw.unwrap_or(defaults::MIN_PROJECT_MW),
            1.0,
            100000.0,
            "a number from 1 to 100000",
        ),
        max_project_mw: c.number(
            "behaviour.max_project_mw".into(),
            rb.max_project_mw.unwrap_or(defaults::MAX_PROJECT_MW),
            1.0,
            100000.0,
            "a number from 1 to 100000",
        ),
        raw_land_limit_multiple: c.number(
            "behaviour.raw_land_limit_multiple".into(),
            rb.raw_land_limit_multiple
                .unwrap_or(defaults::RAW_LAND_LIMIT_MULTIPLE),
            1.0,
            10.0,
            "a number from 1 to 10",
        ),
        land_banking_budget_share: c.number(
            "behaviour.land_banking_budget_share".into(),
            rb.land_banking_budget_share
                .unwrap_or(defaults::LAND_BANKING_BUDGET_SHARE),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        land_scarcity_signal: c.number(
            "behaviour.land_scarcity_signal".into(),
            rb.land_scarcity_signal
                .unwrap_or(defaults::LAND_SCARCITY_SIGNAL),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        land_banking_stock_share: c.number(
            "behaviour.land_banking_stock_share".into(),
            rb.land_banking_stock_share
                .unwrap_or(defaults::LAND_BANKING_STOCK_SHARE),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        land_resale_premium: c.number(
            "behaviour.land_resale_premium".into(),
            rb.land_resale_premium
                .unwrap_or(defaults::LAND_RESALE_PREMIUM),
            0.0,
            10.0,
            "a number from 0 to 10",
        ),
        min_close_fraction: c.number(
            "behaviour.min_close_fraction".into(),
            rb.min_close_fraction
                .unwrap_or(defaults::MIN_CLOSE_FRACTION),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        down_round_floor: c.number(
            "behaviour.down_round_floor".into(),
            rb.down_round_floor.unwrap_or(defaults::DOWN_ROUND_FLOOR),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        fill_memory: c.number(
            "behaviour.fill_memory".into(),
            rb.fill_memory.unwrap_or(defaults::FILL_MEMORY),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        production_buffer: c.number(
            "behaviour.production_buffer".into(),
            rb.production_buffer.unwrap_or(defaults::PRODUCTION_BUFFER),
            1.0,
            3.0,
            "a number from 1 to 3",
        ),
        ask_max_step_per_quarter: c.number(
            "behaviour.ask_max_step_per_quarter".into(),
            rb.ask_max_step_per_quarter
                .unwrap_or(defaults::ASK_MAX_STEP_PER_QUARTER),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        expansion_backlog_share: c.number(
            "behaviour.expansion_backlog_share".into(),
            rb.expansion_backlog_share
                .unwrap_or(defaults::EXPANSION_BACKLOG_SHARE),
            0.0,
            10.0,
            "a number from 0 to 10",
        ),
        initial_fleet_book_value: c.number(
            "behaviour.initial_fleet_book_value".into(),
            rb.initial_fleet_book_value
                .unwrap_or(defaults::INITIAL_FLEET_BOOK_VALUE),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        initial_facility_book_value: c.number(
            "behaviour.initial_facility_book_value".into(),
            rb.initial_facility_book_value
                .unwrap_or(defaults::INITIAL_FACILITY_BOOK_VALUE),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        max_tariff_multiple: c.number(
            "behaviour.max_tariff_multiple".into(),
            rb.max_tariff_multiple
                .unwrap_or(defaults::MAX_TARIFF_MULTIPLE),
            1.0,
            100.0,
            "a number from 1 to 100",
        ),
        gpu_value_quarters: c.number(
            "behaviour.gpu_value_quarters".into(),
            rb.gpu_value_quarters
                .unwrap_or(defaults::GPU_VALUE_QUARTERS),
            0.0,
            100.0,
            "a number from 0 to 100",
        ),
        gpu_value_floor_per_h100e_usd: c.within(
            "behaviour.gpu_value_floor_per_h100e_usd".into(),
            ranges::USD_PER_H100E,
            rb.gpu_value_floor_per_h100e_usd
                .unwrap_or(defaults::GPU_VALUE_FLOOR_PER_H100E_USD),
        ),
        gpu_weight_best: c.number(
            "behaviour.gpu_weight_best".into(),
            rb.gpu_weight_best.unwrap_or(defaults::GPU_WEIGHT_BEST),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        gpu_weight_second: c.number(
            "behaviour.gpu_weight_second".into(),
            rb.gpu_weight_second.unwrap_or(defaults::GPU_WEIGHT_SECOND),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        backlog_gpu_weight_best: c.number(
            "behaviour.backlog_gpu_weight_best".into(),
            rb.backlog_gpu_weight_best
                .unwrap_or(defaults::BACKLOG_GPU_WEIGHT_BEST),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        backlog_gpu_weight_second: c.number(
            "behaviour.backlog_gpu_weight_second".into(),
            rb.backlog_gpu_weight_second
                .unwrap_or(defaults::BACKLOG_GPU_WEIGHT_SECOND),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        backlog_gpu_weight_third: c.number(
            "behaviour.backlog_gpu_weight_third".into(),
            rb.backlog_gpu_weight_third
                .unwrap_or(defaults::BACKLOG_GPU_WEIGHT_THIRD),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        capacity_weight_newest: c.number(
            "behaviour.capacity_weight_newest".into(),
            rb.capacity_weight_newest
                .unwrap_or(defaults::CAPACITY_WEIGHT_NEWEST),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        capacity_weight_second: c.number(
            "behaviour.capacity_weight_second".into(),
            rb.capacity_weight_second
                .unwrap_or(defaults::CAPACITY_WEIGHT_SECOND),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        capacity_weight_third: c.number(
            "behaviour.capacity_weight_third".into(),
            rb.capacity_weight_third
                .unwrap_or(defaults::CAPACITY_WEIGHT_THIRD),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        inference_share_step: c.number(
            "behaviour.inference_share_step".into(),
            rb.inference_share_step
                .unwrap_or(defaults::INFERENCE_SHARE_STEP),
            0.0,
            0.5,
            "a number from 0 to 0.5",
        ),
        inference_share_min: c.number(
            "behaviour.inference_share_min".into(),
            rb.inference_share_min
                .unwrap_or(defaults::INFERENCE_SHARE_MIN),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        inference_share_max: c.number(
            "behaviour.inference_share_max".into(),
            rb.inference_share_max
                .unwrap_or(defaults::INFERENCE_SHARE_MAX),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        inference_raise_utilisation: c.number(
            "behaviour.inference_raise_utilisation".into(),
            rb.inference_raise_utilisation
                .unwrap_or(defaults::INFERENCE_RAISE_UTILISATION),
            0.0,
            2.0,
            "a number from 0 to 2",
        ),
        inference_cut_utilisation: c.number(
            "behaviour.inference_cut_utilisation".into(),
            rb.inference_cut_utilisation
                .unwrap_or(defaults::INFERENCE_CUT_UTILISATION),
            0.0,
            2.0,
            "a number from 0 to 2",
        ),
        markup_idle_utilisation: c.number(
            "behaviour.markup_idle_utilisation".into(),
            rb.markup_idle_utilisation
                .unwrap_or(defaults::MARKUP_IDLE_UTILISATION),
            0.0,
            2.0,
            "a number from 0 to 2",
        ),
        markup_idle_step: c.number(
            "behaviour.markup_idle_step".into(),
            rb.markup_idle_step.unwrap_or(defaults::MARKUP_IDLE_STEP),
            0.0,
            0.5,
            "a number from 0 to 0.5",
        ),
        markup_raise_retention: c.number(
            "behaviour.markup_raise_retention".into(),
            rb.markup_raise_retention
                .unwrap_or(defaults::MARKUP_RAISE_RETENTION),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        markup_cut_retention: c.number(
            "behaviour.markup_cut_retention".into(),
            rb.markup_cut_retention
                .unwrap_or(defaults::MARKUP_CUT_RETENTION),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        markup_retention_step: c.number(
            "behaviour.markup_retention_step".into(),
            rb.markup_retention_step
                .unwrap_or(defaults::MARKUP_RETENTION_STEP),
            0.0,
            0.5,
            "a number from 0 to 0.5",
        ),
        markup_min: c.number(
            "behaviour.markup_min".into(),
            rb.markup_min.unwrap_or(defaults::MARKUP_MIN),
            0.0,
            20.0,
            "a number from 0 to 20",
        ),
        markup_max: c.number(
            "behaviour.markup_max".into(),
            rb.markup_max.unwrap_or(defaults::MARKUP_MAX),
            0.0,
            100.0,
            "a number from 0 to 100",
        ),
        price_stickiness: c.number(
            "behaviour.price_stickiness".into(),
            rb.price_stickiness.unwrap_or(defaults::PRICE_STICKINESS),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        price_rival_weight: c.number(
            "behaviour.price_rival_weight".into(),
            rb.price_rival_weight
                .unwrap_or(defaults::PRICE_RIVAL_WEIGHT),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        scarcity_max_step: c.number(
            "behaviour.scarcity_max_step".into(),
            rb.scarcity_max_step.unwrap_or(defaults::SCARCITY_MAX_STEP),
            0.0,
            5.0,
            "a number from 0 to 5",
        ),
        demand_trend_max: c.number(
            "behaviour.demand_trend_max".into(),
            rb.demand_trend_max.unwrap_or(defaults::DEMAND_TREND_MAX),
            0.0,
            5.0,
            "a number from 0 to 5",
        ),
        burn_window_quarters: c.number(
            "behaviour.burn_window_quarters".into(),
            rb.burn_window_quarters
                .unwrap_or(defaults::BURN_WINDOW_QUARTERS),
            1.0,
            12.0,
            "a number from 1 to 12",
        ),
        investor_return_target: c.number(
            "behaviour.investor_return_target".into(),
            rb.investor_return_target
                .unwrap_or(defaults::INVESTOR_RETURN_TARGET),
            0.0,
            2.0,
            "a number from 0 to 2",
        ),
        investment_horizon_years: c.number(
            "behaviour.investment_horizon_years".into(),
            rb.investment_horizon_years
                .unwrap_or(defaults::INVESTMENT_HORIZON_YEARS),
            0.25,
            20.0,
            "a number from 0.25 to 20",
        ),
        growth_fade_per_year: c.number(
            "behaviour.growth_fade_per_year".into(),
            rb.growth_fade_per_year
                .unwrap_or(defaults::GROWTH_FADE_PER_YEAR),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        max_expected_growth: c.number(
            "behaviour.max_expected_growth".into(),
            rb.max_expected_growth
                .unwrap_or(defaults::MAX_EXPECTED_GROWTH),
            1.0,
            20.0,
            "a number from 1 to 20",
        ),
        expected_growth_prior: c.number(
            "behaviour.expected_growth_prior".into(),
            rb.expected_growth_prior
                .unwrap_or(defaults::EXPECTED_GROWTH_PRIOR),
            1.0,
            10.0,
            "a number from 1 to 10",
        ),
        growth_prior_weight_quarters: c.number(
            "behaviour.growth_prior_weight_quarters".into(),
            rb.growth_prior_weight_quarters
                .unwrap_or(defaults::GROWTH_PRIOR_WEIGHT_QUARTERS),
            0.0,
            40.0,
            "a number from 0 to 40",
        ),
        distressed_sale_fraction: c.number(
            "behaviour.distressed_sale_fraction".into(),
            rb.distressed_sale_fraction
                .unwrap_or(defaults::DISTRESSED_SALE_FRACTION),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        max_round_dilution: c.number(
            "behaviour.max_round_dilution".into(),
            rb.max_round_dilution
                .unwrap_or(defaults::MAX_ROUND_DILUTION),
            0.01,
            0.9,
            "a number from 0.01 to 0.9",
        ),
        permit_challenge_probability: c.number(
            "behaviour.permit_challenge_probability".into(),
            rb.permit_challenge_probability
                .unwrap_or(defaults::PERMIT_CHALLENGE_PROBABILITY),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        permit_challenge_max_quarters: c.number(
            "behaviour.permit_challenge_max_quarters".into(),
            rb.permit_challenge_max_quarters
                .unwrap_or(defaults::PERMIT_CHALLENGE_MAX_QUARTERS),
            1.0,
            20.0,
            "a number from 1 to 20",
        ),
        failover_share: c.number(
            "behaviour.failover_share".into(),
            rb.failover_share.unwrap_or(defaults::FAILOVER_SHARE),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        value_token_price_elasticity: c.number(
            "behaviour.value_token_price_elasticity".into(),
            rb.value_token_price_elasticity
                .unwrap_or(defaults::VALUE_TOKEN_PRICE_ELASTICITY),
            0.0,
            2.0,
            "a number from 0 to 2",
        ),
        hall_lease_rate: c.number(
            "behaviour.hall_lease_rate".into(),
            rb.hall_lease_rate.unwrap_or(defaults::HALL_LEASE_RATE),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
        lease_coverage: c.number(
            "behaviour.lease_coverage".into(),
            rb.lease_coverage.unwrap_or(defaults::LEASE_COVERAGE),
            0.0,
            10.0,
            "a number from 0 to 10",
        ),
        initial_pipeline_span_quarters: c.whole(
            "behaviour.initial_pipeline_span_quarters".into(),
            rb.initial_pipeline_span_quarters
                .unwrap_or(i64::from(defaults::INITIAL_PIPELINE_SPAN_QUARTERS)),
            1,
            80,
        ),
        max_round_share: c.number(
            "behaviour.max_round_share".into(),
            rb.max_round_share.unwrap_or(defaults::MAX_ROUND_SHARE),
            0.0,
            1.0,
            "a number from 0 to 1",
        ),
    };
    // The first weight of each split carries the order when only one
    // generation is on sale, so it must be positive.
    for (field, weight) in [
        ("gpu_weight_best", behaviour.gpu_weight_best),
        ("backlog_gpu_weight_best", behaviour.backlog_gpu_weight_best),
        ("capacity_weight_newest", behaviour.capacity_weight_newest),
    ] {
        if weight <= 0.0 {
            c.fail(
                &format!("behaviour.{field}"),
                format!("is {weight}; allowed: a weight above 0 and at most 1"),
            );
        }
    }
    if behaviour.inference_share_min > behaviour.inference_share_max {
        c.fail(
            "behaviour.inference_share_min",
            format!(
                "is {}; allowed: at most behaviour.inference_share_max ({})",
                behaviour.inference_share_min, behaviour.inference_share_max
            ),
        );
    }
    if behaviour.inference_cut_utilisation > behaviour.inference_raise_utilisation {
        c.fail(
            "behaviour.inference_cut_utilisation",
            format!(
                "is {}; allowed: at most behaviour.inference_raise_utilisation ({})",
                behaviour.inference_cut_utilisation, behaviour.inference_raise_utilisation
            ),
        );
    }
    if behaviour.min_project_mw > behaviour.max_project_mw {
        c.fail(
            "behaviour.min_project_mw",
            format!(
                "is {}; allowed: at most behaviour.max_project_mw ({})",
                behaviour.min_project_mw, behaviour.max_project_mw
            ),
        );
    }

    behaviour
}
