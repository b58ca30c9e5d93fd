//! `[behaviour]`: the numbers of the agents' decision rules that belong to no
//! single agent, each declared once, with its default, ranges, meaning and
//! source (see [`super::declare`]). A new behavioural parameter is one entry
//! here; the engine reads it as `scenario.behaviour.<field>`.

use serde::{Deserialize, Serialize};

use super::declare::{declare_parameters, whole};
use crate::ranges::{self, range};

declare_parameters! {
    section: "behaviour",
    raw: {
        /// `[behaviour]` as written: every field may be left out.
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct RawBehaviour;
    },
    spec: {
        /// Behavioural numbers of the agents' decision rules that are not tied
        /// to one agent (`[behaviour]`): each has a default with its source and
        /// a plausible range that `moatsim params` lists.
        #[derive(Debug, Clone, Serialize)]
        pub struct BehaviourParams;
    },
    declared: BEHAVIOUR,
    parameters: {
        generation_cost_share: f64 {
            default: GENERATION_COST_SHARE = 0.7,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.5..=0.85,
            meaning: "share of the base tariff that is a utility's cost of producing a MWh",
            source: "assumption",
        },

        gpu_lead_quarters: u32 {
            default: GPU_LEAD_QUARTERS = 2,
            allowed: whole(0, 20),
            plausible: 1.0..=4.0,
            meaning: "quarters ahead of power that labs buy GPUs for sites being built",
            source: "assumption",
        },

        /// Servers' useful lives are 4–6 years in hyperscalers' accounts, and GPUs are
        /// worked harder than servers.
        refresh_min_age_quarters: u32 {
            default: REFRESH_MIN_AGE_QUARTERS = 16,
            allowed: whole(0, 200),
            plausible: 12.0..=20.0,
            meaning: "quarters a generation has been on sale before a power-limited lab may retire its units for a newer one",
            source: "assumption",
        },

        /// Decommissioning, installation and burn-in take crews and downtime, so a fleet
        /// turns over in about a year; the plausible range is two years to two quarters.
        /// The share is of the generation's installed power at the lab's energized sites in
        /// a region.
        refresh_share_per_quarter: f64 {
            default: REFRESH_SHARE_PER_QUARTER = 0.25,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.125..=0.5,
            meaning: "most of a generation's installed power a lab refreshes in one quarter, per region",
            source: "assumption",
        },

        backlog_fill_ratio: f64 {
            default: BACKLOG_FILL_RATIO = 0.8,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.6..=0.95,
            meaning: "below this share of its GPU order filled, a lab counts itself backlogged",
            source: "assumption",
        },

        backlog_premium: f64 {
            default: BACKLOG_PREMIUM = 0.5,
            allowed: range(0.0, 5.0, "a number from 0 to 5"),
            plausible: 0.2..=1.0,
            meaning: "extra willingness to pay of a backlogged lab, as a share of value",
            source: "assumption",
        },

        delay_cost_share: f64 {
            default: DELAY_COST_SHARE = 0.25,
            allowed: range(0.0, 2.0, "a number from 0 to 2"),
            plausible: 0.1..=0.5,
            meaning: "share of a site's quarterly value lost per quarter of expected wait",
            source: "assumption",
        },

        site_energy_quarters: f64 {
            default: SITE_ENERGY_QUARTERS = 8.0,
            allowed: range(0.0, 100.0, "a number from 0 to 100"),
            plausible: 4.0..=16.0,
            meaning: "quarters of energy cost labs count when comparing regions for a site",
            source: "assumption",
        },

        queue_mw_cleared_per_quarter: f64 {
            default: QUEUE_MW_CLEARED_PER_QUARTER = 2000.0,
            allowed: range(1.0, 1000000.0, "a number from 1 to 1e+06"),
            plausible: 1000.0..=4000.0,
            meaning: "MW an interconnection queue is expected to clear a quarter (turns MW ahead into quarters of waiting)",
            source: "assumption",
        },

        min_project_mw: f64 {
            default: MIN_PROJECT_MW = 100.0,
            allowed: range(1.0, 100000.0, "a number from 1 to 100000"),
            plausible: 50.0..=200.0,
            meaning: "smallest new data-center project a lab starts, MW",
            source: "assumption",
        },

        max_project_mw: f64 {
            default: MAX_PROJECT_MW = 2000.0,
            allowed: range(1.0, 100000.0, "a number from 1 to 100000"),
            plausible: 1000.0..=5000.0,
            meaning: "largest new data-center project a lab starts, MW",
            source: "assumption (cal dc_build_time_to_1gw: gigawatt sites)",
        },

        raw_land_limit_multiple: f64 {
            default: RAW_LAND_LIMIT_MULTIPLE = 1.5,
            allowed: range(1.0, 10.0, "a number from 1 to 10"),
            plausible: 1.2..=2.0,
            meaning: "most a lab pays for raw land, as a multiple of the landowners' price",
            source: "assumption",
        },

        land_banking_budget_share: f64 {
            default: LAND_BANKING_BUDGET_SHARE = 0.02,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.01..=0.05,
            meaning: "share of its dry powder a land bank puts into land a quarter (scaled by risk appetite)",
            source: "assumption",
        },

        land_scarcity_signal: f64 {
            default: LAND_SCARCITY_SIGNAL = 0.05,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.02..=0.1,
            meaning: "labs' land demand, as a share of the unsold stock, that makes a region look scarce to land banks",
            source: "assumption",
        },

        land_banking_stock_share: f64 {
            default: LAND_BANKING_STOCK_SHARE = 0.1,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.05..=0.2,
            meaning: "most of a region's unsold stock one land bank buys a quarter",
            source: "assumption",
        },

        land_resale_premium: f64 {
            default: LAND_RESALE_PREMIUM = 0.25,
            allowed: range(0.0, 10.0, "a number from 0 to 10"),
            plausible: 0.1..=0.5,
            meaning: "premium over the landowners' price at which land banks resell",
            source: "assumption",
        },

        min_close_fraction: f64 {
            default: MIN_CLOSE_FRACTION = 0.5,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.3..=0.8,
            meaning: "share of its target a round must raise to close",
            source: "assumption",
        },

        down_round_floor: f64 {
            default: DOWN_ROUND_FLOOR = 0.5,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.3..=0.8,
            meaning: "lowest pre-money a lab accepts, as a share of its current valuation",
            source: "assumption",
        },

        fill_memory: f64 {
            default: FILL_MEMORY = 0.6,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.3..=0.8,
            meaning: "share of the previous expectation buyers keep when they update a generation's expected fill",
            source: "assumption",
        },

        /// Owners build rental capacity towards the unrented demand they expect, not one
        /// quarter's: that swings with the asks, and building to it made the rental fleet,
        /// and the chip orders behind it, alternate from quarter to quarter. The same form
        /// and range as `fill_memory`.
        rental_demand_memory: f64 {
            default: RENTAL_DEMAND_MEMORY = 0.6,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.3..=0.8,
            meaning: "share of the previous expectation of unrented compute demand owners keep each quarter",
            source: "assumption",
        },

        production_buffer: f64 {
            default: PRODUCTION_BUFFER = 1.05,
            allowed: range(1.0, 3.0, "a number from 1 to 3"),
            plausible: 1.0..=1.2,
            meaning: "production scheduled per unit of backlog (a small buffer against cancelled orders)",
            source: "assumption",
        },

        ask_max_step_per_quarter: f64 {
            default: ASK_MAX_STEP_PER_QUARTER = 0.15,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.05..=0.3,
            meaning: "largest move of a posted ask (chips, rental) in one quarter, either way",
            source: "assumption",
        },

        expansion_backlog_share: f64 {
            default: EXPANSION_BACKLOG_SHARE = 0.2,
            allowed: range(0.0, 10.0, "a number from 0 to 10"),
            plausible: 0.1..=0.5,
            meaning: "backlog, as a share of production, above which a chipmaker counts a quarter as backlogged",
            source: "assumption",
        },

        initial_fleet_book_value: f64 {
            default: INITIAL_FLEET_BOOK_VALUE = 0.7,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.5..=0.9,
            meaning: "share of list price a starting fleet is carried at",
            source: "assumption",
        },

        initial_facility_book_value: f64 {
            default: INITIAL_FACILITY_BOOK_VALUE = 0.8,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.6..=0.95,
            meaning: "share of replacement cost a starting hall or packaging line is carried at",
            source: "assumption",
        },

        max_tariff_multiple: f64 {
            default: MAX_TARIFF_MULTIPLE = 3.0,
            allowed: range(1.0, 100.0, "a number from 1 to 100"),
            plausible: 2.0..=5.0,
            meaning: "tariff, as a multiple of today's, above which a lab walks away from its queue place",
            source: "assumption",
        },

        max_round_share: f64 {
            default: MAX_ROUND_SHARE = 0.5,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.25..=1.0,
            checked_last: 2,
            meaning: "largest share of one round a single investor takes",
            source: "assumption",
        },

        /// The sites energize in equal steps from the second quarter, the last of them in
        /// 2027Q4: gigawatt campuses under construction in early 2025 complete in phases
        /// through 2027 (cal `frontier_campus_size`), so the starting pipeline does not all
        /// land in the first two years.
        initial_pipeline_span_quarters: u32 {
            default: INITIAL_PIPELINE_SPAN_QUARTERS = 12,
            allowed: whole(1, 80),
            plausible: 7.0..=15.0,
            checked_last: 1,
            meaning: "quarters over which the sites under construction at the start energize",
            source: "assumption",
        },

        /// The lab's GPU bid limit before urgency.
        gpu_value_quarters: f64 {
            default: GPU_VALUE_QUARTERS = 10.0,
            allowed: range(0.0, 100.0, "a number from 0 to 100"),
            plausible: 6.0..=16.0,
            meaning: "quarters of serving revenue at which a lab values an H100e it buys",
            source: "assumption",
        },

        /// Below what an H100 sold for (cal `h100_street_price`, $25–40k).
        gpu_value_floor_per_h100e_usd: f64 {
            default: GPU_VALUE_FLOOR_PER_H100E_USD = 20_000.0,
            allowed: ranges::USD_PER_H100E,
            plausible: 10_000.0..=30_000.0,
            meaning: "the least a lab values an H100e it buys",
            source: "assumption",
        },

        gpu_weight_best: f64 {
            default: GPU_WEIGHT_BEST = 0.7,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.5..=0.9,
            meaning: "weight of a lab's GPU order on the generation with the most H100e per dollar (normalised with gpu_weight_second)",
            source: "assumption",
        },

        gpu_weight_second: f64 {
            default: GPU_WEIGHT_SECOND = 0.3,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.1..=0.5,
            meaning: "weight of a lab's GPU order on the second-best generation",
            source: "assumption",
        },

        backlog_gpu_weight_best: f64 {
            default: BACKLOG_GPU_WEIGHT_BEST = 0.5,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.3..=0.7,
            meaning: "weight of a backlogged lab's GPU order on the best generation (normalised over the three weights)",
            source: "assumption",
        },

        backlog_gpu_weight_second: f64 {
            default: BACKLOG_GPU_WEIGHT_SECOND = 0.3,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.2..=0.4,
            meaning: "weight of a backlogged lab's GPU order on the second-best generation",
            source: "assumption",
        },

        backlog_gpu_weight_third: f64 {
            default: BACKLOG_GPU_WEIGHT_THIRD = 0.2,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.1..=0.3,
            meaning: "weight of a backlogged lab's GPU order on the third-best generation",
            source: "assumption",
        },

        capacity_weight_newest: f64 {
            default: CAPACITY_WEIGHT_NEWEST = 0.6,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.5..=0.8,
            meaning: "weight of a chipmaker's packaging capacity on its newest generation on sale (normalised over the generations on sale)",
            source: "assumption",
        },

        capacity_weight_second: f64 {
            default: CAPACITY_WEIGHT_SECOND = 0.3,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.15..=0.4,
            meaning: "weight of its capacity on the second-newest generation",
            source: "assumption",
        },

        capacity_weight_third: f64 {
            default: CAPACITY_WEIGHT_THIRD = 0.1,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.0..=0.2,
            meaning: "weight of its capacity on the third-newest generation (older ones get none)",
            source: "assumption",
        },

        inference_share_step: f64 {
            default: INFERENCE_SHARE_STEP = 0.05,
            allowed: range(0.0, 0.5, "a number from 0 to 0.5"),
            plausible: 0.02..=0.1,
            meaning: "points of compute a lab moves between training and inference in a quarter",
            source: "assumption",
        },

        inference_share_min: f64 {
            default: INFERENCE_SHARE_MIN = 0.2,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.1..=0.3,
            meaning: "least share of its compute a lab serves inference with",
            source: "assumption",
        },

        inference_share_max: f64 {
            default: INFERENCE_SHARE_MAX = 0.8,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.7..=0.9,
            meaning: "most share of its compute a lab serves inference with",
            source: "assumption",
        },

        inference_raise_utilisation: f64 {
            default: INFERENCE_RAISE_UTILISATION = 0.98,
            allowed: range(0.0, 2.0, "a number from 0 to 2"),
            plausible: 0.9..=1.0,
            meaning: "utilisation at or above which a lab moves compute to inference",
            source: "assumption",
        },

        inference_cut_utilisation: f64 {
            default: INFERENCE_CUT_UTILISATION = 0.7,
            allowed: range(0.0, 2.0, "a number from 0 to 2"),
            plausible: 0.5..=0.85,
            meaning: "utilisation below which a lab moves compute to training",
            source: "assumption",
        },

        markup_idle_utilisation: f64 {
            default: MARKUP_IDLE_UTILISATION = 0.75,
            allowed: range(0.0, 2.0, "a number from 0 to 2"),
            plausible: 0.5..=0.9,
            meaning: "utilisation below which a lab cuts its markup to win volume",
            source: "assumption",
        },

        markup_idle_step: f64 {
            default: MARKUP_IDLE_STEP = 0.08,
            allowed: range(0.0, 0.5, "a number from 0 to 0.5"),
            plausible: 0.03..=0.15,
            meaning: "fraction a lab cuts its markup by in a quarter its capacity sat idle",
            source: "assumption",
        },

        markup_raise_retention: f64 {
            default: MARKUP_RAISE_RETENTION = 0.9,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.85..=0.95,
            meaning: "share of last quarter's customers staying above which a lab raises its markup (lock-in)",
            source: "assumption",
        },

        markup_cut_retention: f64 {
            default: MARKUP_CUT_RETENTION = 0.7,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.5..=0.8,
            meaning: "share of last quarter's customers staying below which a lab cuts its markup",
            source: "assumption",
        },

        markup_retention_step: f64 {
            default: MARKUP_RETENTION_STEP = 0.04,
            allowed: range(0.0, 0.5, "a number from 0 to 0.5"),
            plausible: 0.02..=0.08,
            meaning: "fraction a lab moves its markup by on retention in a quarter",
            source: "assumption",
        },

        markup_min: f64 {
            default: MARKUP_MIN = 0.1,
            allowed: range(0.0, 20.0, "a number from 0 to 20"),
            plausible: 0.0..=0.3,
            meaning: "least markup over marginal cost a lab posts",
            source: "assumption",
        },

        markup_max: f64 {
            default: MARKUP_MAX = 10.0,
            allowed: range(0.0, 100.0, "a number from 0 to 100"),
            plausible: 5.0..=20.0,
            meaning: "most markup over marginal cost a lab posts",
            source: "assumption",
        },

        price_stickiness: f64 {
            default: PRICE_STICKINESS = 0.5,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.3..=0.8,
            meaning: "share of last quarter's list price a lab keeps when it moves toward its target",
            source: "assumption",
        },

        price_rival_weight: f64 {
            default: PRICE_RIVAL_WEIGHT = 0.3,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.1..=0.5,
            meaning: "weight of rivals' mean list price in a lab's target price",
            source: "assumption",
        },

        scarcity_max_step: f64 {
            default: SCARCITY_MAX_STEP = 1.0,
            allowed: range(0.0, 5.0, "a number from 0 to 5"),
            plausible: 0.5..=2.0,
            meaning: "largest rise of a lab's scarcity premium in a quarter, as a fraction",
            source: "assumption",
        },

        demand_trend_max: f64 {
            default: DEMAND_TREND_MAX = 0.5,
            allowed: range(0.0, 5.0, "a number from 0 to 5"),
            plausible: 0.25..=1.0,
            meaning: "largest quarter-on-quarter growth (or fall, as 1/(1 + x)) a lab extrapolates from its last two quarters' token demand when it prices",
            source: "assumption",
        },

        burn_window_quarters: f64 {
            default: BURN_WINDOW_QUARTERS = 4.0,
            allowed: range(1.0, 12.0, "a number from 1 to 12"),
            plausible: 2.0..=8.0,
            meaning: "quarters of net outflow a lab averages into the burn rate its runway and round size are measured against (rounded to a whole number)",
            source: "assumption",
        },

        investor_return_target: f64 {
            default: INVESTOR_RETURN_TARGET = 0.3,
            allowed: range(0.0, 2.0, "a number from 0 to 2"),
            plausible: 0.2..=0.4,
            meaning: "yearly return investors require of a lab round; they refuse valuations that cannot return it",
            source: "assumption",
        },

        investment_horizon_years: f64 {
            default: INVESTMENT_HORIZON_YEARS = 4.0,
            allowed: range(0.25, 20.0, "a number from 0.25 to 20"),
            plausible: 3.0..=7.0,
            meaning: "years from a round to the exit investors value it at",
            source: "assumption",
        },

        growth_fade_per_year: f64 {
            default: GROWTH_FADE_PER_YEAR = 0.5,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.3..=0.8,
            meaning: "share of a lab's excess yearly revenue growth investors expect to carry into each following year",
            source: "assumption",
        },

        max_expected_growth: f64 {
            default: MAX_EXPECTED_GROWTH = 3.0,
            allowed: range(1.0, 20.0, "a number from 1 to 20"),
            plausible: 2.0..=5.0,
            meaning: "most yearly revenue growth (as a factor) investors extrapolate",
            source: "assumption",
        },

        expected_growth_prior: f64 {
            default: EXPECTED_GROWTH_PRIOR = 2.5,
            allowed: range(1.0, 10.0, "a number from 1 to 10"),
            plausible: 1.5..=3.5,
            meaning: "yearly revenue growth (as a factor) investors expect of a lab before it has a record: the consensus forecast they start from",
            source: "labs' own 2025 projections as reported: OpenAI 2025 to 2026 about 2.3x, Anthropic 2.5-3x",
        },

        growth_prior_weight_quarters: f64 {
            default: GROWTH_PRIOR_WEIGHT_QUARTERS = 8.0,
            allowed: range(0.0, 40.0, "a number from 0 to 40"),
            plausible: 4.0..=16.0,
            meaning: "quarters of a lab's revenue record worth as much as investors' prior in the growth they expect",
            source: "assumption",
        },

        distressed_sale_fraction: f64 {
            default: DISTRESSED_SALE_FRACTION = 0.3,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.2..=0.5,
            meaning: "share of what a failed lab paid for its fleet and halls that the lab buying them pays",
            source: "assumption",
        },

        max_round_dilution: f64 {
            default: MAX_ROUND_DILUTION = 0.2,
            allowed: range(0.01, 0.9, "a number from 0.01 to 0.9"),
            plausible: 0.1..=0.3,
            meaning: "largest share of itself a lab sells in one round (at its asking valuation); a plan that needs more is funded over several rounds",
            source: "2025-26 rounds sold 7-13% (OpenAI 40B at 300B, Anthropic 13B at 183B and 30B at 380B post-money)",
        },

        permit_challenge_probability: f64 {
            default: PERMIT_CHALLENGE_PROBABILITY = 0.15,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.05..=0.3,
            meaning: "chance that a site's permit is challenged (local opposition, litigation, a longer environmental review) and delayed",
            source: "assumption",
        },

        permit_challenge_max_quarters: f64 {
            default: PERMIT_CHALLENGE_MAX_QUARTERS = 4.0,
            allowed: range(1.0, 20.0, "a number from 1 to 20"),
            plausible: 2.0..=8.0,
            meaning: "most quarters a challenge adds to a permit (the delay is uniform from 1 to this, rounded down to whole quarters)",
            source: "assumption",
        },

        failover_share: f64 {
            default: FAILOVER_SHARE = 0.5,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.29..=0.7,
            meaning: "share of a rationed builder's unserved tokens its router sends, the same quarter, to labs with idle capacity (multi-homing)",
            source: "assumption bounded by a16z's 2024 enterprise survey: 29% of enterprises use five or more models, most use three or more model families",
        },

        value_token_price_elasticity: f64 {
            default: VALUE_TOKEN_PRICE_ELASTICITY = 0.25,
            allowed: range(0.0, 2.0, "a number from 0 to 2"),
            plausible: 0.0..=0.5,
            meaning: "elasticity of end users' value per token to the market's token price: as tokens get cheaper apps spend more of them per task, so each is worth less",
            source: "assumption: tokens per task now grow with capability (app_builders.tokens_per_task_per_capability), so theta is only the part of a task's token use that follows price; at most half of the 0.25-1 that Google's 49x token growth against a 5-40x price decline bounds when all of it is price-driven",
        },

        hall_lease_rate: f64 {
            default: HALL_LEASE_RATE = 0.11,
            allowed: range(0.0, 1.0, "a number from 0 to 1"),
            plausible: 0.08..=0.14,
            meaning: "yearly lease a lab pays an infrastructure fund per dollar of a hall the fund financed (its yield plus the hall's cost recovered over its life)",
            source: "assumption from Meta's Hyperion financing (27B of bonds at 6.58%, 2025) plus cost recovery over about 20 years",
        },

        lease_coverage: f64 {
            default: LEASE_COVERAGE = 0.5,
            allowed: range(0.0, 10.0, "a number from 0 to 10"),
            plausible: 0.25..=1.0,
            meaning: "most a lab's yearly hall leases may be, as a share of its revenue run-rate, for a fund to finance another hall",
            source: "assumption",
        },
    },
}
