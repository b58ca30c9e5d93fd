//! Economic decision rules as pure functions.
//!
//! Each rule is small, documented with its equation, and tested here without
//! the ECS; the engine's systems call them. `docs/MODEL.md` lists the
//! parameters and their sources.

/// Land price per acre in a region: the base price scaled up as the zoned stock
/// is used. `price = base × (initial_stock / available)^elasticity`, so a region
/// with half its land left costs `2^elasticity` times the base.
pub fn land_price_per_acre(base: f64, initial_stock: f64, available: f64, elasticity: f64) -> f64 {
    let available = available.max(initial_stock * 0.01).max(1e-9);
    base * (initial_stock.max(1e-9) / available)
        .max(1.0)
        .powf(elasticity)
}

/// A chipmaker's next ask: the previous ask moved by a fraction of last quarter's
/// excess-demand ratio `(demand − supply) / supply`, clamped to ±`max_step`
/// per quarter, and never below the floor (unit cost plus a minimum margin).
pub fn adjust_ask(
    previous: f64,
    excess_demand_ratio: f64,
    sensitivity: f64,
    max_step: f64,
    floor: f64,
) -> f64 {
    let step = (sensitivity * excess_demand_ratio).clamp(-max_step, max_step);
    (previous * (1.0 + step)).max(floor)
}

/// A sold-out chipmaker's ask moved towards its rivals': when last quarter's
/// demand exceeded what it could sell and its price per H100e is below the
/// cheapest rival offer per H100e, the ask closes `catch_up` of the gap to
/// parity. Scarcity is priced against the alternative buyers have, not only
/// by a fixed step. Without excess demand, or already at parity, the ask is
/// unchanged.
pub fn ask_toward_rivals(
    ask: f64,
    excess_demand_ratio: f64,
    h100e_per_unit: f64,
    rival_ask_per_h100e: Option<f64>,
    catch_up: f64,
) -> f64 {
    match rival_ask_per_h100e {
        Some(rival) if excess_demand_ratio > 0.0 => {
            let parity = rival * h100e_per_unit;
            if parity > ask {
                ask + catch_up.clamp(0.0, 1.0) * (parity - ask)
            } else {
                ask
            }
        }
        _ => ask,
    }
}

/// Idle packaging wafers, as a share of capacity, below which a chipmaker
/// counts itself sold out: production is planned in whole units, so a sold-out
/// maker is left with a fraction of a wafer, not exactly none.
pub const SOLD_OUT_IDLE_SHARE: f64 = 0.01;

/// What a chipmaker saw of its market last quarter, for its capacity decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CapacitySignal {
    /// Unmet eligible orders, units.
    pub backlog_units: f64,
    pub produced_units: f64,
    /// Units the expansions under way will add per quarter.
    pub coming_units: f64,
    pub idle_wafers: f64,
    pub wafers_per_quarter: f64,
    /// Whether any generation in production is priced above its launch price.
    pub ask_above_launch: bool,
}

/// Whether a quarter counts towards a capacity expansion: its backlog
/// exceeded `backlog_share` of production plus the capacity already coming,
/// or, with nothing coming, it sold out while scarcity held an ask above its
/// launch price. A market that clears by price shows scarcity in the price,
/// not in a backlog, so a rule that waited for a backlog would never build
/// when demand keeps raising the ask.
pub fn expansion_warranted(signal: &CapacitySignal, backlog_share: f64) -> bool {
    let backlogged =
        signal.backlog_units > backlog_share * signal.produced_units.max(1.0) + signal.coming_units;
    let sold_out = signal.idle_wafers <= SOLD_OUT_IDLE_SHARE * signal.wafers_per_quarter;
    backlogged || (sold_out && signal.ask_above_launch && signal.coming_units <= 0.0)
}

/// A utility's tariff: the base tariff plus a scarcity adder that grows linearly
/// as the reserve margin falls below its target, reaching `max_adder` (a fraction
/// of base) at zero margin.
pub fn tariff_per_mwh(base: f64, reserve_margin: f64, target_margin: f64, max_adder: f64) -> f64 {
    if target_margin <= 0.0 || reserve_margin >= target_margin {
        return base;
    }
    let shortfall = ((target_margin - reserve_margin) / target_margin).clamp(0.0, 1.0);
    base * (1.0 + max_adder * shortfall)
}

/// Reserve margin: spare generation as a fraction of committed load.
pub fn reserve_margin(generation_mw: f64, committed_mw: f64) -> f64 {
    if committed_mw <= 0.0 {
        return f64::INFINITY;
    }
    (generation_mw - committed_mw) / committed_mw
}

/// Capability gained when a lab's cumulative effective training compute
/// (H100e-quarters × algorithmic efficiency) grows from `before` to `after`:
/// capability is logarithmic in the cumulative stock, so every e-fold of it
/// adds `rate`, `gain = rate × (ln(1 + after / reference) − ln(1 + before / reference))`.
/// A lab whose compute stops growing gains less each quarter (diminishing
/// returns), and one that trains nothing gains nothing.
pub fn capability_gain(before: f64, after: f64, reference: f64, rate: f64) -> f64 {
    if after <= before || reference <= 0.0 {
        return 0.0;
    }
    rate * ((1.0 + after / reference).ln() - (1.0 + before.max(0.0) / reference).ln())
}

/// Capability a follower gains from diffusion (papers, distillation, staff moves):
/// a fixed fraction of its gap to the leader per quarter.
pub fn diffusion_gain(own: f64, leader: f64, rate: f64) -> f64 {
    (leader - own).max(0.0) * rate
}

/// A builder's cost of leaving its provider, in utility units: a base cost plus a
/// growth per quarter integrated (up to a cap), scaled up by how deeply
/// specialised the builder is: `(base + growth × min(tenure, cap)) × (1 + depth)`,
/// so a fully specialised builder (depth 1) faces twice the cost of a generic one.
pub fn switching_cost(
    base: f64,
    growth_per_quarter: f64,
    tenure_quarters: u32,
    depth: f64,
    cap_quarters: u32,
) -> f64 {
    let tenure = f64::from(tenure_quarters.min(cap_quarters));
    (base + growth_per_quarter * tenure) * (1.0 + depth)
}

/// When a lab moves compute between training and inference, and by how much.
#[derive(Debug, Clone, PartialEq)]
pub struct InferenceShareRule {
    /// At or above this utilisation, customers are being turned away.
    pub raise_at_utilisation: f64,
    /// Below this utilisation, serving capacity sits idle.
    pub cut_below_utilisation: f64,
    /// Points of the share moved in a quarter.
    pub step: f64,
    pub min: f64,
    pub max: f64,
}

/// The utilisation a lab would have seen at its list price: demand at the
/// posted price over capacity, times `premium^elasticity`, the demand its
/// scarcity premium priced away. A premium clears demand into capacity, so
/// measured utilisation alone cannot show a shortage the lab is pricing.
/// A premium at or below 1, or a negative elasticity, changes nothing.
pub fn utilisation_at_list_price(utilisation: f64, premium: f64, elasticity: f64) -> f64 {
    if premium > 1.0 && elasticity > 0.0 && premium.is_finite() {
        utilisation * (elasticity * premium.ln()).min(MAX_LOG_PRICED_AWAY).exp()
    } else {
        utilisation
    }
}

/// The most demand a premium is taken to have priced away, in logs: e^10.
const MAX_LOG_PRICED_AWAY: f64 = 10.0;

/// A lab's inference share of its compute: `step` points more when last
/// quarter's demand reached its serving capacity, `step` points less when
/// capacity sat idle, within `[min, max]` (only the bound in the direction of
/// the move applies, so a share set outside the band by config drifts in).
pub fn adjust_inference_share(share: f64, utilisation: f64, rule: &InferenceShareRule) -> f64 {
    if utilisation >= rule.raise_at_utilisation {
        (share + rule.step).min(rule.max)
    } else if utilisation < rule.cut_below_utilisation {
        (share - rule.step).max(rule.min)
    } else {
        share
    }
}

/// Raises `value` by `step` (a fraction) or cuts it by `step`, then clamps.
fn nudge(value: f64, raise: bool, cut: bool, step: f64, min: f64, max: f64) -> f64 {
    let next = if raise {
        value * (1.0 + step)
    } else if cut {
        value * (1.0 - step)
    } else {
        value
    };
    // Not `clamp`: bounds from a config may cross, and a crossed pair must
    // not panic (the upper bound wins).
    next.max(min).min(max)
}

/// How a lab's markup over marginal cost (its market power) moves.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkupRule {
    /// Below this utilisation the lab cuts its markup to win volume.
    pub idle_utilisation: f64,
    /// Fraction the markup is cut by in an idle quarter.
    pub idle_step: f64,
    /// Retention above which customers are locked in: the markup rises.
    pub raise_retention: f64,
    /// Retention below which customers are leaving: the markup falls.
    pub cut_retention: f64,
    /// Fraction the markup moves by on retention.
    pub retention_step: f64,
    pub min: f64,
    pub max: f64,
}

/// A lab's markup over marginal cost, the market-power part of its price: cut
/// by `idle_step` when capacity sat idle, then nudged by retention — customers
/// who stay whatever the price (switching costs) are a licence to charge
/// more, customers who leave are a reason to charge less. Full capacity is
/// not a reason to raise the markup: that is scarcity, priced separately by
/// [`scarcity_premium`] and gone once capacity catches up.
pub fn adjust_markup(markup: f64, utilisation: f64, retention: f64, rule: &MarkupRule) -> f64 {
    let idle = nudge(
        markup,
        false,
        utilisation < rule.idle_utilisation,
        rule.idle_step,
        rule.min,
        rule.max,
    );
    nudge(
        idle,
        retention > rule.raise_retention,
        retention < rule.cut_retention,
        rule.retention_step,
        rule.min,
        rule.max,
    )
}

/// The elasticity of the demand one lab faces in the short run, as the lab
/// can read it from its own customers: builders' own price elasticity plus
/// the customers who leave per unit of log price. In a logit choice a
/// customer who stays with probability `retention` leaves at the rate
/// `price_weight × (1 − retention)`, so customers held by switching costs
/// make demand less elastic and a rationed lab must raise its price further.
///
/// Leaving only relieves a shortage if rivals can serve the customers who
/// leave: `rival_room` in [0, 1] is the share of the lab's excess demand
/// that rivals' idle capacity could absorb (`rival_room`). When the whole
/// market is short (room 0) customers who switch are rationed elsewhere, so
/// the price has to clear the market's demand, whose elasticity is builders'
/// own alone.
pub fn lab_demand_elasticity(
    builder_elasticity: f64,
    price_weight: f64,
    retention: f64,
    rival_room: f64,
) -> f64 {
    builder_elasticity.max(0.0)
        + price_weight.max(0.0) * (1.0 - retention.clamp(0.0, 1.0)) * rival_room.clamp(0.0, 1.0)
}

/// The share of a lab's excess demand (`demand − capacity`) that rivals'
/// idle capacity could serve, in [0, 1]; 1 when the lab has no excess.
pub fn rival_room(demand: f64, capacity: f64, rivals_idle: f64) -> f64 {
    let excess = demand - capacity;
    if excess <= 0.0 {
        return 1.0;
    }
    (rivals_idle.max(0.0) / excess).min(1.0)
}

/// The demand a lab expects this quarter at last quarter's price, from its
/// last two quarters: last quarter's demand times the growth it shows once
/// the lab's own price change is taken out,
/// `growth = (last / before) × (price_last / price_before)^elasticity`,
/// bounded to `[1 / (1 + max_trend), 1 + max_trend]`. Taking out its own
/// price change matters: a lab that raised its price saw demand fall because
/// of it, and reading that as a falling market would make it cut again.
/// Without an earlier quarter the expectation is last quarter's demand.
pub fn expected_demand(
    last: f64,
    before: f64,
    price_last: f64,
    price_before: f64,
    elasticity: f64,
    max_trend: f64,
) -> f64 {
    if last <= 0.0 || before <= 0.0 || price_last <= 0.0 || price_before <= 0.0 {
        return last.max(0.0);
    }
    let bound = 1.0 + max_trend.max(0.0);
    let growth = last / before * (price_last / price_before).powf(elasticity.max(0.0));
    last * growth.clamp(1.0 / bound, bound)
}

/// A lab's scarcity premium, the factor on its list price that clears its
/// inference market: last quarter's premium times the price ratio at which
/// last quarter's demand would have fitted its capacity,
/// `s' = s × (demand / capacity)^(1 / elasticity)`, never below 1 and rising
/// at most `max_step` (a fraction) in a quarter. A lab turning customers away
/// raises it until demand fits; once capacity catches up (or demand falls)
/// the same ratio is below one and the premium decays back to 1, so rationing
/// is transient and the premium shows how long it lasted.
pub fn scarcity_premium(
    previous: f64,
    demand: f64,
    capacity: f64,
    elasticity: f64,
    max_step: f64,
) -> f64 {
    let previous = previous.max(1.0);
    let ceiling = previous * (1.0 + max_step.max(0.0));
    if demand <= 0.0 {
        return 1.0;
    }
    if capacity <= 0.0 || elasticity <= 0.0 {
        return ceiling;
    }
    let ratio = (demand / capacity).powf(1.0 / elasticity);
    let floor = previous / (1.0 + max_step.max(0.0));
    (previous * ratio).clamp(floor.max(1.0), ceiling)
}

/// A lab's posted price: its target price (marginal cost × (1 + markup)) pulled
/// part of the way toward the mean of rivals' prices, with `stickiness` of last
/// quarter's price kept.
pub fn posted_price(
    previous: f64,
    marginal_cost: f64,
    markup: f64,
    rival_mean: Option<f64>,
    rival_weight: f64,
    stickiness: f64,
) -> f64 {
    let own_target = marginal_cost * (1.0 + markup);
    let target = match rival_mean {
        Some(rivals) if rivals > 0.0 => (1.0 - rival_weight) * own_target + rival_weight * rivals,
        _ => own_target,
    };
    let price = stickiness * previous + (1.0 - stickiness) * target;
    price.max(marginal_cost * 1.01)
}

/// Quarters a data-center project takes to build: the median time scaled by
/// a lognormal draw, `median × exp(sigma × z)` for a standard normal `z`,
/// rounded, and never under one quarter. Build times of comparable projects
/// spread widely (cal `dc_build_time_to_1gw`: 1–3.6 years), so a site's
/// energization date is uncertain when it starts.
pub fn construction_quarters(median_quarters: u32, sigma: f64, z: f64) -> u32 {
    let drawn = f64::from(median_quarters) * (sigma.max(0.0) * z).exp();
    // Bounded well inside u32 before the cast.
    drawn.round().clamp(1.0, 400.0) as u32
}

/// Quarters a challenge adds to a site's permit: with probability
/// `probability` (the first uniform draw `u_hit` below it) the permit is
/// challenged — local opposition, litigation, a longer environmental review —
/// and delayed by a whole number of quarters uniform in `1..=max_quarters`
/// (from the second draw `u_length`); otherwise 0.
pub fn permit_challenge_quarters(
    probability: f64,
    max_quarters: u32,
    u_hit: f64,
    u_length: f64,
) -> u32 {
    if u_hit >= probability || max_quarters == 0 {
        return 0;
    }
    let length = (u_length.clamp(0.0, 1.0) * f64::from(max_quarters)).floor() as u32;
    1 + length.min(max_quarters - 1)
}

/// Marginal cost of serving one million tokens: the quarter's cost of one H100e of
/// inference capacity (hardware amortisation plus energy) divided by the tokens it
/// serves in a quarter.
pub fn marginal_cost_per_mtok(
    amortisation_per_h100e_quarter: f64,
    energy_per_h100e_quarter: f64,
    mtok_per_h100e_quarter: f64,
) -> f64 {
    if mtok_per_h100e_quarter <= 0.0 {
        return f64::INFINITY;
    }
    (amortisation_per_h100e_quarter + energy_per_h100e_quarter) / mtok_per_h100e_quarter
}

/// Herfindahl–Hirschman index on the 0–10,000 scale from shares that sum to one.
pub fn hhi(shares: &[f64]) -> f64 {
    shares.iter().map(|s| (s * 100.0).powi(2)).sum()
}

/// Permitting delay in quarters: the regulator's base delay plus the backlog it
/// has ahead of a new application at its processing throughput.
pub fn permit_delay_quarters(base: u32, pending: usize, throughput_per_quarter: u32) -> u32 {
    let throughput = throughput_per_quarter.max(1) as usize;
    base + u32::try_from(pending / throughput).unwrap_or(u32::MAX)
}

/// A lab's runway: quarters of planned spending its cash covers.
pub fn runway_quarters(cash: f64, quarterly_outflow: f64) -> f64 {
    if quarterly_outflow <= 0.0 {
        return f64::INFINITY;
    }
    cash.max(0.0) / quarterly_outflow
}

/// What a lab's plan will cost, for its runway and the round it announces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FundingPlan {
    /// Mean net outflow of recent quarters.
    pub burn_usd: f64,
    /// Spending already committed each quarter: staff and running costs, and
    /// the construction instalments of the halls being built.
    pub committed_per_quarter_usd: f64,
    /// GPUs to fill the power of halls built or being built, at today's price.
    pub fill_cost_usd: f64,
}

/// The quarterly outflow a lab plans for: its burn or its committed spending,
/// whichever is larger, plus filling its halls spread over `runway_quarters`.
pub fn planned_outflow(plan: &FundingPlan, runway_quarters: f64) -> f64 {
    plan.burn_usd.max(plan.committed_per_quarter_usd).max(0.0)
        + plan.fill_cost_usd.max(0.0) / runway_quarters.max(1.0)
}

/// A round sized to the plan: enough to fund `runway_quarters` of the planned
/// outflow on top of the cash the lab holds (nothing if it holds enough).
pub fn round_size(cash: f64, plan: &FundingPlan, runway_quarters: f64) -> f64 {
    (runway_quarters.max(1.0) * planned_outflow(plan, runway_quarters) - cash.max(0.0)).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn scarcity_priced_into_the_ask_warrants_capacity_only_with_none_coming() {
        let scarce = CapacitySignal {
            backlog_units: 0.0,
            produced_units: 700_000.0,
            coming_units: 0.0,
            idle_wafers: 50.0,
            wafers_per_quarter: 30_000.0,
            ask_above_launch: true,
        };
        assert!(expansion_warranted(&scarce, 0.2));
        // Capacity already coming answers the scarcity.
        assert!(!expansion_warranted(
            &CapacitySignal {
                coming_units: 288_000.0,
                ..scarce
            },
            0.2
        ));
        // Idle wafers or an ask at or below launch: no scarcity.
        assert!(!expansion_warranted(
            &CapacitySignal {
                idle_wafers: 3_000.0,
                ..scarce
            },
            0.2
        ));
        assert!(!expansion_warranted(
            &CapacitySignal {
                ask_above_launch: false,
                ..scarce
            },
            0.2
        ));
        // A backlog beyond the share of production warrants it either way.
        let backlogged = CapacitySignal {
            backlog_units: 300_000.0,
            idle_wafers: 3_000.0,
            ask_above_launch: false,
            ..scarce
        };
        assert!(expansion_warranted(&backlogged, 0.2));
    }

    proptest! {
        /// More backlog or fewer idle wafers never takes away the case for capacity.
        #[test]
        fn more_scarcity_never_weakens_the_case_for_capacity(
            backlog in 0.0f64..2e6, more in 0.0f64..1e6, produced in 0.0f64..2e6,
            coming in 0.0f64..1e6, idle in 0.0f64..5000.0, wafers in 1.0f64..1e5,
            above in proptest::bool::ANY, share in 0.0f64..1.0,
        ) {
            let signal = CapacitySignal {
                backlog_units: backlog,
                produced_units: produced,
                coming_units: coming,
                idle_wafers: idle,
                wafers_per_quarter: wafers,
                ask_above_launch: above,
            };
            if expansion_warranted(&signal, share) {
                let more_backlog = CapacitySignal { backlog_units: backlog + more, ..signal };
                let no_idle = CapacitySignal { idle_wafers: 0.0, ..signal };
                prop_assert!(expansion_warranted(&more_backlog, share));
                prop_assert!(expansion_warranted(&no_idle, share));
            }
        }
    }

    proptest! {
        /// A challenge adds between 1 and the most quarters, and happens
        /// exactly when the first draw falls below the probability.
        #[test]
        fn permit_challenges_add_bounded_whole_quarters(
            p in 0.0f64..1.0, max in 1u32..12, u1 in 0.0f64..1.0, u2 in 0.0f64..1.0,
        ) {
            let extra = permit_challenge_quarters(p, max, u1, u2);
            if u1 < p {
                prop_assert!((1..=max).contains(&extra));
            } else {
                prop_assert_eq!(extra, 0);
            }
            // A longer draw never gives a shorter delay.
            prop_assert!(permit_challenge_quarters(p, max, u1, (u2 + 0.1).min(1.0)) >= extra);
        }
    }

    proptest! {
        /// A bigger plan never asks for less; enough cash asks for nothing; the
        /// round plus the cash funds the runway at the planned outflow.
        #[test]
        fn rounds_are_sized_to_the_plan(
            cash in 0.0f64..1e11, burn in -1e9f64..2e10, committed in 0.0f64..2e10,
            fill in 0.0f64..1e11, more in 0.0f64..1e10, runway in 1.0f64..16.0,
        ) {
            let plan = FundingPlan { burn_usd: burn, committed_per_quarter_usd: committed, fill_cost_usd: fill };
            let amount = round_size(cash, &plan, runway);
            prop_assert!(amount >= 0.0);
            let bigger = FundingPlan { fill_cost_usd: fill + more, committed_per_quarter_usd: committed + more, ..plan };
            prop_assert!(round_size(cash, &bigger, runway) >= amount);
            if amount > 0.0 {
                let funded = runway_quarters(cash + amount, planned_outflow(&plan, runway));
                prop_assert!((funded - runway).abs() <= 1e-9 * runway);
            }
            prop_assert!(round_size(cash + runway * planned_outflow(&plan, runway), &plan, runway) <= 1e-6);
        }
    }

    proptest! {
        /// The premium never falls below 1, never rises more than a step,
        /// does not move when demand met capacity, rises with demand and
        /// falls with capacity.
        #[test]
        fn the_scarcity_premium_clears_within_a_step(
            previous in 1.0f64..10.0, demand in 1.0f64..1e9, more in 0.0f64..1e9,
            capacity in 1.0f64..1e9, elasticity in 0.1f64..5.0, step in 0.0f64..2.0,
        ) {
            let base = scarcity_premium(previous, demand, capacity, elasticity, step);
            prop_assert!(base >= 1.0 && base <= previous * (1.0 + step) * (1.0 + 1e-12));
            let busier = scarcity_premium(previous, demand + more, capacity, elasticity, step);
            let bigger = scarcity_premium(previous, demand, capacity + more, elasticity, step);
            prop_assert!(busier >= base * (1.0 - 1e-12));
            prop_assert!(bigger <= base * (1.0 + 1e-12));
            let even = scarcity_premium(previous, demand, demand, elasticity, step);
            prop_assert!((even - previous).abs() <= previous * 1e-12);
        }

        /// Expected demand follows the trend, within its bound.
        #[test]
        fn expected_demand_extrapolates_within_the_bound(
            last in 1.0f64..1e9, before in 1.0f64..1e9, max_trend in 0.0f64..2.0,
            price in 0.1f64..10.0, rise in 1.0f64..3.0,
        ) {
            let expected = expected_demand(last, before, price, price, 0.8, max_trend);
            prop_assert!(expected <= last * (1.0 + max_trend) * (1.0 + 1e-12));
            prop_assert!(expected >= last / (1.0 + max_trend) * (1.0 - 1e-12));
            prop_assert!((expected >= last) == (last >= before) || (expected - last).abs() < 1e-9 * last);
            // Demand that fell after the lab raised its price is not read as
            // a falling market as much as the same fall at a steady price.
            let after_rise = expected_demand(last, before, price * rise, price, 0.8, max_trend);
            prop_assert!(after_rise >= expected * (1.0 - 1e-12));
        }

        /// Idle capacity clears the premium back toward 1 and never raises it.
        #[test]
        fn idle_capacity_lets_the_premium_decay(
            previous in 1.0f64..10.0, demand in 1.0f64..1e9, spare in 1.0f64..10.0,
        ) {
            let next = scarcity_premium(previous, demand, demand * spare, 0.8, 1.0);
            prop_assert!(next <= previous && next >= 1.0);
        }

        /// A lab whose customers stay faces less elastic demand, never
        /// less than builders' own elasticity.
        #[test]
        fn kept_customers_make_demand_less_elastic(
            kept in 0.0f64..1.0, more in 0.0f64..1.0, room in 0.0f64..1.0, wider in 0.0f64..1.0,
        ) {
            let loose = lab_demand_elasticity(0.6, 1.2, kept, room);
            let held = lab_demand_elasticity(0.6, 1.2, (kept + more).min(1.0), room);
            prop_assert!(held <= loose && held >= 0.6);
            // Rivals with room to serve the leavers make demand more elastic;
            // with none the lab faces the market's elasticity.
            prop_assert!(lab_demand_elasticity(0.6, 1.2, kept, (room + wider).min(1.0)) >= loose);
            prop_assert!((lab_demand_elasticity(0.6, 1.2, kept, 0.0) - 0.6).abs() < 1e-12);
        }

        /// Room is a share: 1 without excess demand, falling as the excess
        /// grows against the same idle capacity.
        #[test]
        fn rival_room_is_the_share_rivals_could_serve(
            demand in 0.0f64..1e9, capacity in 0.0f64..1e9, idle in 0.0f64..1e9, more in 0.0f64..1e9,
        ) {
            let room = rival_room(demand, capacity, idle);
            prop_assert!((0.0..=1.0).contains(&room));
            if demand <= capacity {
                prop_assert!((room - 1.0).abs() < 1e-12);
            }
            prop_assert!(rival_room(demand + more, capacity, idle) <= room + 1e-12);
        }

        /// A worse draw never builds faster, no project takes under a
        /// quarter, and the median draw takes the median time.
        #[test]
        fn construction_time_rises_with_its_draw(
            median in 1u32..40, sigma in 0.0f64..1.0, z in -4.0f64..4.0, more in 0.0f64..2.0,
        ) {
            let quick = construction_quarters(median, sigma, z);
            let slow = construction_quarters(median, sigma, z + more);
            prop_assert!(slow >= quick && quick >= 1);
            prop_assert_eq!(construction_quarters(median, sigma, 0.0), median);
            prop_assert_eq!(construction_quarters(median, 0.0, z), median);
        }

        /// For a share inside the band: higher utilisation never moves
        /// compute away from inference, a move is at most one step, and the
        /// A premium only ever adds to the utilisation the share rule sees,
        /// more premium adds more, and no premium adds nothing.
        #[test]
        fn a_priced_shortage_counts_as_utilisation(
            utilisation in 0.0f64..2.0, premium in 0.0f64..50.0, more in 0.0f64..10.0,
            elasticity in 0.0f64..3.0,
        ) {
            let seen = utilisation_at_list_price(utilisation, premium, elasticity);
            prop_assert!(seen >= utilisation && seen.is_finite());
            prop_assert!(utilisation_at_list_price(utilisation, premium + more, elasticity) >= seen);
            prop_assert_eq!(utilisation_at_list_price(utilisation, 1.0, elasticity).to_bits(), utilisation.to_bits());
        }

        /// share stays inside the band.
        #[test]
        fn inference_share_follows_utilisation(
            share in 0.2f64..=0.8, low in 0.0f64..1.5, more in 0.0f64..1.0,
        ) {
            let rule = InferenceShareRule {
                raise_at_utilisation: 0.98,
                cut_below_utilisation: 0.7,
                step: 0.05,
                min: 0.2,
                max: 0.8,
            };
            let at_low = adjust_inference_share(share, low, &rule);
            let at_high = adjust_inference_share(share, low + more, &rule);
            prop_assert!(at_high >= at_low);
            prop_assert!((at_low - share).abs() <= rule.step + 1e-12);
            prop_assert!((rule.min..=rule.max).contains(&at_low));
        }

        /// More excess demand never lowers the next ask.
        #[test]
        fn asks_rise_with_excess_demand(previous in 1.0f64..1e5, low in -1.0f64..2.0, extra in 0.0f64..2.0, floor in 0.0f64..1e5) {
            let a = adjust_ask(previous, low, 0.3, 0.15, floor);
            let b = adjust_ask(previous, low + extra, 0.3, 0.15, floor);
            prop_assert!(b >= a);
            prop_assert!(a >= floor);
        }

        /// Rivals' asks only ever pull a sold-out ask up, and never past parity.
        #[test]
        fn rivals_pull_sold_out_asks_up_to_parity_at_most(
            ask in 1.0f64..1e5, excess in -1.0f64..5.0, per_unit in 0.1f64..10.0,
            rival in 1.0f64..1e5, catch_up in 0.0f64..1.0,
        ) {
            let next = ask_toward_rivals(ask, excess, per_unit, Some(rival), catch_up);
            prop_assert!(next >= ask);
            prop_assert!(next <= ask.max(rival * per_unit) + 1e-9);
            if excess <= 0.0 {
                prop_assert_eq!(next.to_bits(), ask.to_bits(), "unchanged without excess demand");
            }
            let alone = ask_toward_rivals(ask, excess, per_unit, None, catch_up);
            prop_assert_eq!(alone.to_bits(), ask.to_bits(), "unchanged without rivals");
        }

        /// Less land left never makes land cheaper.
        #[test]
        fn land_price_rises_as_stock_falls(base in 1.0f64..1e7, stock in 1.0f64..1e5, left in 0.0f64..1.0, used in 0.0f64..1.0) {
            let more = land_price_per_acre(base, stock, stock * left, 0.8);
            let less = land_price_per_acre(base, stock, stock * left * (1.0 - used), 0.8);
            prop_assert!(less >= more);
            prop_assert!(more >= base);
        }

        /// A thinner reserve margin never lowers the tariff.
        #[test]
        fn tariffs_rise_as_margins_thin(base in 1.0f64..500.0, margin in -0.5f64..1.0, thinner in 0.0f64..1.0) {
            let wide = tariff_per_mwh(base, margin, 0.15, 1.5);
            let thin = tariff_per_mwh(base, margin - thinner, 0.15, 1.5);
            prop_assert!(thin >= wide);
            prop_assert!(wide >= base);
        }
    }

    #[test]
    fn land_gets_dearer_as_it_runs_out() {
        let full = land_price_per_acre(1e6, 1_000.0, 1_000.0, 0.8);
        let half = land_price_per_acre(1e6, 1_000.0, 500.0, 0.8);
        assert!((full - 1e6).abs() < 1e-6);
        assert!(half > full);
    }

    #[test]
    fn asks_follow_excess_demand_but_respect_the_floor() {
        assert!(adjust_ask(100.0, 0.5, 0.2, 0.15, 10.0) > 100.0);
        assert!(adjust_ask(100.0, -0.5, 0.2, 0.15, 10.0) < 100.0);
        assert!((adjust_ask(11.0, -1.0, 1.0, 0.5, 10.0) - 10.0).abs() < 1e-12);
        assert!((adjust_ask(100.0, 10.0, 1.0, 0.15, 10.0) - 115.0).abs() < 1e-9);
    }

    #[test]
    fn tariffs_rise_only_when_reserves_are_thin() {
        assert!((tariff_per_mwh(80.0, 0.3, 0.15, 1.0) - 80.0).abs() < 1e-12);
        assert!((tariff_per_mwh(80.0, 0.0, 0.15, 1.0) - 160.0).abs() < 1e-9);
        assert!(tariff_per_mwh(80.0, 0.05, 0.15, 1.0) > 80.0);
    }

    proptest! {
        /// Capability gains are additive over the cumulative stock (two
        /// steps gain what one step to the same stock gains), never negative,
        /// and the same added compute gains less on a bigger stock.
        #[test]
        fn capability_is_logarithmic_in_cumulative_compute(
            stock in 0.0f64..1e9, added in 0.0f64..1e9, more in 0.0f64..1e9, bigger in 1.0f64..1e9,
        ) {
            let r = 2.5e5;
            let first = capability_gain(stock, stock + added, r, 0.13);
            let second = capability_gain(stock + added, stock + added + more, r, 0.13);
            let both = capability_gain(stock, stock + added + more, r, 0.13);
            prop_assert!(first >= 0.0 && second >= 0.0);
            prop_assert!((first + second - both).abs() <= 1e-9 * both.max(1.0));
            let on_bigger = capability_gain(stock + bigger, stock + bigger + added, r, 0.13);
            prop_assert!(on_bigger <= first + 1e-12);
        }
    }

    #[test]
    fn switching_costs_grow_with_tenure_up_to_a_cap() {
        assert!(switching_cost(0.2, 0.1, 4, 1.0, 8) > switching_cost(0.2, 0.1, 1, 1.0, 8));
        let capped = switching_cost(0.2, 0.1, 100, 1.0, 8);
        assert!((capped - switching_cost(0.2, 0.1, 8, 1.0, 8)).abs() < 1e-12);
    }

    #[test]
    fn locked_in_customers_raise_markups_and_idle_capacity_cuts_them() {
        let rule = MarkupRule {
            idle_utilisation: 0.75,
            idle_step: 0.08,
            raise_retention: 0.9,
            cut_retention: 0.7,
            retention_step: 0.04,
            min: 0.1,
            max: 10.0,
        };
        assert!(adjust_markup(1.0, 0.9, 0.95, &rule) > 1.0);
        assert!(adjust_markup(1.0, 0.9, 0.5, &rule) < 1.0);
        assert!((adjust_markup(1.0, 0.9, 0.8, &rule) - 1.0).abs() < 1e-12);
        // Full capacity alone does not raise it: that is the scarcity premium's job.
        assert!((adjust_markup(1.0, 1.5, 0.8, &rule) - 1.0).abs() < 1e-12);
        assert!(adjust_markup(1.0, 0.5, 0.8, &rule) < 1.0);
    }

    #[test]
    fn hhi_of_a_monopoly_is_ten_thousand() {
        assert!((hhi(&[1.0]) - 10_000.0).abs() < 1e-9);
        assert!((hhi(&[0.5, 0.5]) - 5_000.0).abs() < 1e-9);
    }

    #[test]
    fn prices_never_fall_below_cost() {
        let price = posted_price(1.0, 2.0, 0.5, Some(0.5), 0.5, 0.5);
        assert!(price >= 2.0);
    }

    #[test]
    fn permit_delay_lengthens_with_backlog() {
        assert_eq!(permit_delay_quarters(2, 0, 4), 2);
        assert_eq!(permit_delay_quarters(2, 9, 4), 4);
    }
}
