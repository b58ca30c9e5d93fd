//! `[app_builders]`: the population of app builders and its segments.

use crate::check::Checker;
use crate::parameters::app_builders::AppBuilderFixed;
use crate::ranges;
use crate::raw::*;
use crate::scenario::*;

/// `[app_builders]`: its segments, then its required fields, then its
/// behavioural parameters as `parameters/app_builders.rs` declares them.
pub(super) fn check_app_builders(c: &mut Checker<'_>, a: &RawAppBuilders) -> AppBuilderSpec {
    let segments = check_segments(c, &a.segments);
    let fixed = AppBuilderFixed {
        count: u64::from(c.whole("app_builders.count".into(), a.count, 1, 50_000_000)),
        initial_market_mtok_per_quarter: c.within(
            "app_builders.initial_market_mtok_per_quarter".into(),
            ranges::MTOK_MARKET,
            a.initial_market_mtok_per_quarter,
        ),
        reference_price_per_mtok: c.within(
            "app_builders.reference_price_per_mtok".into(),
            ranges::USD_PER_MTOK,
            a.reference_price_per_mtok,
        ),
        price_elasticity: c.number(
            "app_builders.price_elasticity".into(),
            a.price_elasticity,
            0.0,
            5.0,
            "an elasticity from 0 to 5",
        ),
        entry_rate_per_quarter: c.number(
            "app_builders.entry_rate_per_quarter".into(),
            a.entry_rate_per_quarter,
            0.0,
            1.0,
            "a quarterly rate from 0 to 1",
        ),
        exit_after_loss_quarters: c.whole(
            "app_builders.exit_after_loss_quarters".into(),
            a.exit_after_loss_quarters,
            1,
            40,
        ),
        capability_weight: c.within(
            "app_builders.capability_weight".into(),
            ranges::UTILITY_WEIGHT,
            a.capability_weight,
        ),
        price_weight: c.within(
            "app_builders.price_weight".into(),
            ranges::UTILITY_WEIGHT,
            a.price_weight,
        ),
        switching_cost_base: c.within(
            "app_builders.switching_cost_base".into(),
            ranges::UTILITY_WEIGHT,
            a.switching_cost_base,
        ),
        switching_cost_growth: c.within(
            "app_builders.switching_cost_growth".into(),
            ranges::UTILITY_WEIGHT,
            a.switching_cost_growth,
        ),
        switching_cost_cap_quarters: c.whole(
            "app_builders.switching_cost_cap_quarters".into(),
            a.switching_cost_cap_quarters,
            0,
            400,
        ),
        rationing_penalty: c.within(
            "app_builders.rationing_penalty".into(),
            ranges::UTILITY_WEIGHT,
            a.rationing_penalty,
        ),
        segments,
    };
    AppBuilderSpec::checked(c, a, fixed)
}

/// `[[app_builders.segments]]`, whose weights are normalised to add up to one.
fn check_segments(c: &mut Checker<'_>, raw: &[RawSegment]) -> Vec<Segment> {
    let total_weight: f64 = raw.iter().map(|s| s.weight.max(0.0)).sum();
    raw.iter()
        .enumerate()
        .map(|(i, s)| {
            let p = |f: &str| format!("app_builders.segments[{i}].{f}");
            let depth_min = c.fraction(p("depth_min"), s.depth_min);
            let depth_max = c.fraction(p("depth_max"), s.depth_max);
            if depth_min > depth_max {
                c.fail(
                    &p("depth_min"),
                    format!(
                        "is {depth_min}, above depth_max ({depth_max}); allowed: at most depth_max"
                    ),
                );
            }
            Segment {
                name: c.name(p("name"), &s.name),
                weight: c.within(p("weight"), ranges::WEIGHT, s.weight)
                    / total_weight.max(f64::MIN_POSITIVE),
                value_per_mtok_median_usd: c.within(
                    p("value_per_mtok_median_usd"),
                    ranges::USD_PER_MTOK,
                    s.value_per_mtok_median_usd,
                ),
                value_sigma: c.number(
                    p("value_sigma"),
                    s.value_sigma,
                    0.0,
                    3.0,
                    "a log-standard deviation from 0 to 3",
                ),
                size_sigma: c.number(
                    p("size_sigma"),
                    s.size_sigma,
                    0.0,
                    4.0,
                    "a log-standard deviation from 0 to 4",
                ),
                adopters_at_start: c.number(
                    p("adopters_at_start"),
                    s.adopters_at_start,
                    1e-4,
                    1.0,
                    "a share of the segment's possible users from 0.0001 to 1",
                ),
                adoption_ceiling: c.number(
                    p("adoption_ceiling"),
                    s.adoption_ceiling,
                    1e-4,
                    1.0,
                    "a share of the segment's possible users from 0.0001 to 1",
                ),
                agent_multiplier: c.number(
                    p("agent_multiplier"),
                    s.agent_multiplier.unwrap_or(1.0),
                    1.0,
                    1e4,
                    "a multiple of a chat task's tokens from 1 to 10000 (leave it out for no agents)",
                ),
                agent_threshold: c.within(
                    p("agent_threshold"),
                    ranges::CAPABILITY,
                    s.agent_threshold.unwrap_or(1.0),
                ),
                unlocks: s
                    .unlocks
                    .iter()
                    .enumerate()
                    .map(|(k, u)| moatsim_model::market::demand::Unlock {
                        capability: c.within(
                            p(&format!("unlocks[{k}].capability")),
                            ranges::CAPABILITY,
                            u.capability,
                        ),
                        ceiling_gain: c.fraction(
                            p(&format!("unlocks[{k}].ceiling_gain")),
                            u.ceiling_gain,
                        ),
                    })
                    .collect(),
                depth_min,
                depth_max,
                fixed_cost_share: c.number(
                    p("fixed_cost_share"),
                    s.fixed_cost_share,
                    0.0,
                    5.0,
                    "a share of initial revenue from 0 to 5",
                ),
            }
        })
        .collect()
}
