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
/// Lognormal spread of a project's construction time; row
/// `dc_build_time_to_1gw` (1–3.6 years) read as a 90% range:
/// ln(3.6 / 1) / (2 × 1.645) = 0.39.
pub const DC_BUILD_SIGMA: f64 = 0.39;
/// Elasticity of land price to the share of a region's zoned stock used. Model assumption.
pub const LAND_PRICE_ELASTICITY: f64 = 0.8;
/// Capability per e-fold of a lab's cumulative effective training compute. Model assumption (plausible 0.15–0.5): keeps the leader's capability growth near version 1's, about 0.15 a quarter, when effective compute grows about 1.5x a quarter.
pub const CAPABILITY_RATE: f64 = 0.3;
/// Cumulative effective training compute (H100e-quarters) at the scale of the capability log. Model assumption.
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

// [behaviour]: the agents' decision rules.
/// Share of the base tariff that is a utility's cost of producing a MWh. Model assumption (plausible 0.5–0.85).
pub const GENERATION_COST_SHARE: f64 = 0.7;
/// Quarters ahead of power that labs buy GPUs for sites being built. Model assumption (plausible 1–4).
pub const GPU_LEAD_QUARTERS: u32 = 2;
/// Quarters a generation has been on sale before a power-limited lab may retire
/// its units for a newer one. Model assumption: servers' useful lives of 4–6
/// years in hyperscalers' accounts, and GPUs worked harder than servers
/// (plausible 12–20).
pub const REFRESH_MIN_AGE_QUARTERS: u32 = 16;
/// Most of a generation's installed power a lab refreshes in one quarter, per
/// region. Model assumption: decommissioning, installation and burn-in take
/// crews and downtime, so a fleet turns over in about a year (plausible
/// 0.125–0.5: two years to two quarters).
pub const REFRESH_SHARE_PER_QUARTER: f64 = 0.25;
/// Below this share of its GPU order filled, a lab counts itself backlogged. Model assumption (plausible 0.6–0.95).
pub const BACKLOG_FILL_RATIO: f64 = 0.8;
/// Extra willingness to pay of a backlogged lab, as a share of value. Model assumption (plausible 0.2–1.0).
pub const BACKLOG_PREMIUM: f64 = 0.5;
/// Share of a site's quarterly value lost per quarter of expected wait. Model assumption (plausible 0.1–0.5).
pub const DELAY_COST_SHARE: f64 = 0.25;
/// Quarters of energy cost labs count when comparing regions for a site. Model assumption (plausible 4.0–16.0).
pub const SITE_ENERGY_QUARTERS: f64 = 8.0;
/// MW an interconnection queue is expected to clear a quarter (turns MW ahead into quarters of waiting). Model assumption (plausible 1000.0–4000.0).
pub const QUEUE_MW_CLEARED_PER_QUARTER: f64 = 2000.0;
/// Smallest new data-center project a lab starts, MW. Model assumption (plausible 50.0–200.0).
pub const MIN_PROJECT_MW: f64 = 100.0;
/// Largest new data-center project a lab starts, MW. Assumption (cal dc_build_time_to_1gw: gigawatt sites) (plausible 1000.0–5000.0).
pub const MAX_PROJECT_MW: f64 = 2000.0;
/// Most a lab pays for raw land, as a multiple of the landowners' price. Model assumption (plausible 1.2–2.0).
pub const RAW_LAND_LIMIT_MULTIPLE: f64 = 1.5;
/// Share of its dry powder a land bank puts into land a quarter (scaled by risk appetite). Model assumption (plausible 0.01–0.05).
pub const LAND_BANKING_BUDGET_SHARE: f64 = 0.02;
/// Labs' land demand, as a share of the unsold stock, that makes a region look scarce to land banks. Model assumption (plausible 0.02–0.1).
pub const LAND_SCARCITY_SIGNAL: f64 = 0.05;
/// Most of a region's unsold stock one land bank buys a quarter. Model assumption (plausible 0.05–0.2).
pub const LAND_BANKING_STOCK_SHARE: f64 = 0.1;
/// Premium over the landowners' price at which land banks resell. Model assumption (plausible 0.1–0.5).
pub const LAND_RESALE_PREMIUM: f64 = 0.25;
/// Share of its target a round must raise to close. Model assumption (plausible 0.3–0.8).
pub const MIN_CLOSE_FRACTION: f64 = 0.5;
/// Lowest pre-money a lab accepts, as a share of its current valuation. Model assumption (plausible 0.3–0.8).
pub const DOWN_ROUND_FLOOR: f64 = 0.5;
/// Share of the previous expectation buyers keep when they update a generation's expected fill. Model assumption (plausible 0.3–0.8).
pub const FILL_MEMORY: f64 = 0.6;
/// Production scheduled per unit of backlog (a small buffer against cancelled orders). Model assumption (plausible 1.0–1.2).
pub const PRODUCTION_BUFFER: f64 = 1.05;
/// Largest move of a posted ask (chips, rental) in one quarter, either way. Model assumption (plausible 0.05–0.3).
pub const ASK_MAX_STEP_PER_QUARTER: f64 = 0.15;
/// Backlog, as a share of production, above which a chipmaker counts a quarter as backlogged. Model assumption (plausible 0.1–0.5).
pub const EXPANSION_BACKLOG_SHARE: f64 = 0.2;
/// Share of list price a starting fleet is carried at. Model assumption (plausible 0.5–0.9).
pub const INITIAL_FLEET_BOOK_VALUE: f64 = 0.7;
/// Share of replacement cost a starting hall or packaging line is carried at. Model assumption (plausible 0.6–0.95).
pub const INITIAL_FACILITY_BOOK_VALUE: f64 = 0.8;
/// Tariff, as a multiple of today's, above which a lab walks away from its queue place. Model assumption (plausible 2.0–5.0).
pub const MAX_TARIFF_MULTIPLE: f64 = 3.0;
/// Largest share of one round a single investor takes. Model assumption (plausible 0.25–1.0).
pub const MAX_ROUND_SHARE: f64 = 0.5;
/// Quarters over which the sites under construction at the start energize:
/// the last of them in 2027Q4. Model assumption (plausible 7–15): gigawatt
/// campuses under construction in early 2025 complete in phases through
/// 2027 (cal `frontier_campus_size`), so the starting pipeline does not all
/// land in the first two years.
pub const INITIAL_PIPELINE_SPAN_QUARTERS: u32 = 12;
/// Quarters of serving revenue at which a lab values an H100e it buys (its
/// GPU bid limit before urgency). Model assumption (plausible 6–16).
pub const GPU_VALUE_QUARTERS: f64 = 10.0;
/// The least a lab values an H100e it buys, USD. Model assumption (plausible
/// 10,000–30,000; cal `h100_street_price` 25–40k per H100).
pub const GPU_VALUE_FLOOR_PER_H100E_USD: f64 = 20_000.0;
/// Weight of a lab's GPU order on the generation with the most H100e per dollar (normalised with gpu_weight_second). Model assumption (plausible 0.5–0.9).
pub const GPU_WEIGHT_BEST: f64 = 0.7;
/// Weight of a lab's GPU order on the second-best generation. Model assumption (plausible 0.1–0.5).
pub const GPU_WEIGHT_SECOND: f64 = 0.3;
/// Weight of a backlogged lab's GPU order on the best generation (normalised over the three weights). Model assumption (plausible 0.3–0.7).
pub const BACKLOG_GPU_WEIGHT_BEST: f64 = 0.5;
/// Weight of a backlogged lab's GPU order on the second-best generation. Model assumption (plausible 0.2–0.4).
pub const BACKLOG_GPU_WEIGHT_SECOND: f64 = 0.3;
/// Weight of a backlogged lab's GPU order on the third-best generation. Model assumption (plausible 0.1–0.3).
pub const BACKLOG_GPU_WEIGHT_THIRD: f64 = 0.2;
/// Weight of a chipmaker's packaging capacity on its newest generation on sale (normalised over the generations on sale). Model assumption (plausible 0.5–0.8).
pub const CAPACITY_WEIGHT_NEWEST: f64 = 0.6;
/// Weight of its capacity on the second-newest generation. Model assumption (plausible 0.15–0.4).
pub const CAPACITY_WEIGHT_SECOND: f64 = 0.3;
/// Weight of its capacity on the third-newest generation (older ones get none). Model assumption (plausible 0–0.2).
pub const CAPACITY_WEIGHT_THIRD: f64 = 0.1;
/// Points of compute a lab moves between training and inference in a quarter. Model assumption (plausible 0.02–0.1).
pub const INFERENCE_SHARE_STEP: f64 = 0.05;
/// Least share of its compute a lab serves inference with. Model assumption (plausible 0.1–0.3).
pub const INFERENCE_SHARE_MIN: f64 = 0.2;
/// Most share of its compute a lab serves inference with. Model assumption (plausible 0.7–0.9).
pub const INFERENCE_SHARE_MAX: f64 = 0.8;
/// Utilisation at or above which a lab moves compute to inference. Model assumption (plausible 0.9–1).
pub const INFERENCE_RAISE_UTILISATION: f64 = 0.98;
/// Utilisation below which a lab moves compute to training. Model assumption (plausible 0.5–0.85).
pub const INFERENCE_CUT_UTILISATION: f64 = 0.7;
/// Utilisation below which a lab cuts its markup to win volume. Model assumption (plausible 0.5–0.9).
pub const MARKUP_IDLE_UTILISATION: f64 = 0.75;
/// Fraction a lab cuts its markup by in a quarter its capacity sat idle. Model assumption (plausible 0.03–0.15).
pub const MARKUP_IDLE_STEP: f64 = 0.08;
/// Share of last quarter's customers staying above which a lab raises its markup (lock-in). Model assumption (plausible 0.85–0.95).
pub const MARKUP_RAISE_RETENTION: f64 = 0.9;
/// Share of last quarter's customers staying below which a lab cuts its markup. Model assumption (plausible 0.5–0.8).
pub const MARKUP_CUT_RETENTION: f64 = 0.7;
/// Fraction a lab moves its markup by on retention in a quarter. Model assumption (plausible 0.02–0.08).
pub const MARKUP_RETENTION_STEP: f64 = 0.04;
/// Least markup over marginal cost a lab posts. Model assumption (plausible 0–0.3).
pub const MARKUP_MIN: f64 = 0.1;
/// Most markup over marginal cost a lab posts. Model assumption (plausible 5–20).
pub const MARKUP_MAX: f64 = 10.0;
/// Share of last quarter's list price a lab keeps when it moves toward its target. Model assumption (plausible 0.3–0.8).
pub const PRICE_STICKINESS: f64 = 0.5;
/// Weight of rivals' mean list price in a lab's target price. Model assumption (plausible 0.1–0.5).
pub const PRICE_RIVAL_WEIGHT: f64 = 0.3;
/// Largest rise of a lab's scarcity premium in a quarter, as a fraction. Model assumption (plausible 0.5–2).
pub const SCARCITY_MAX_STEP: f64 = 1.0;
/// Largest quarter-on-quarter growth (or fall, as 1/(1 + x)) a lab extrapolates from its last two quarters' token demand when it prices. Model assumption (plausible 0.25–1).
pub const DEMAND_TREND_MAX: f64 = 0.5;
/// Differentiation of a lab's first-party product, as a builder's depth. Model assumption (plausible 0.2–0.8).
pub const PRODUCT_DEPTH: f64 = 0.5;
/// Share of the surplus per token a generic builder keeps at the starting crowding. Model assumption (plausible 0.05–0.3), set so builders spend 20–60% of revenue on tokens in 2025 (AI application gross margins of 40–80%).
pub const GENERIC_CAPTURE: f64 = 0.15;
/// Elasticity of builders' kept surplus to the number of builders in the segment. Model assumption (plausible 0.5–1.5; 1 is the circular-city model, margin ∝ 1/N).
pub const CROWDING_ELASTICITY: f64 = 1.0;
/// Profit margin at which entry into a segment stops. Model assumption (plausible 0.05–0.2).
pub const NORMAL_MARGIN: f64 = 0.1;
/// End users' weight on capability when choosing between builders' apps and labs' products. Model assumption (plausible 2–12).
pub const END_USER_CAPABILITY_WEIGHT: f64 = 8.0;
/// End users' weight on log price in that choice. Model assumption (plausible 0.5–3).
pub const END_USER_PRICE_WEIGHT: f64 = 1.5;
/// Share of a segment's end users who choose between builders' apps and labs' products again each quarter (habit, memory, subscriptions keep the rest). Assumption bounded by consumer subscription churn (5–10% a month, 15–27% a quarter) and AI-assistant retention (ChatGPT one-month retention 56–90% in public cohort data); plausible 0.15–0.4.
pub const END_USER_RECONSIDER_SHARE: f64 = 0.2;
/// Share of app builders who review their model provider in a quarter. Assumption bounded by enterprise practice: annual to semi-annual contracts and evaluation cycles (0.25–0.5 a quarter), and the fastest observed shift of enterprise API share (Anthropic, about 10 points a year, Menlo Ventures 2023–25); plausible 0.25–0.5.
pub const PROVIDER_REVIEW_SHARE: f64 = 0.35;
/// Log-standard deviation of a builder's quarterly demand shock. Model assumption (plausible 0.05–0.3).
pub const BUILDER_SHOCK_SIGMA: f64 = 0.1;
/// Log-standard deviation of a segment's quarterly demand shock. Model assumption (plausible 0.05–0.3).
pub const SEGMENT_SHOCK_SIGMA: f64 = 0.1;
/// Elasticity of a builder's operating costs to its customer base. Model assumption (plausible 0.5–1): software companies' operating costs fall as a share of revenue as they grow, but not by much.
pub const FIXED_COST_SCALE_ELASTICITY: f64 = 0.85;
/// Quarters of net outflow a lab averages into the burn rate its runway and round size are measured against (rounded to a whole number). Model assumption (plausible 2–8).
pub const BURN_WINDOW_QUARTERS: f64 = 4.0;
/// Quarters of its first quarter's effective training compute a lab has accumulated before the run (with effective compute growing about 1.5x a quarter, the past sums to about two). Model assumption (plausible 1–8).
pub const PRIOR_TRAINING_QUARTERS: f64 = 2.0;
/// Log-standard deviation of a lab's research luck on its capability gain in a quarter. Model assumption (plausible 0.1–0.4).
pub const RESEARCH_LUCK_SIGMA: f64 = 0.2;
/// Chance a lab makes a capability breakthrough in a quarter. Model assumption (plausible 0.005–0.05).
pub const BREAKTHROUGH_RATE_PER_QUARTER: f64 = 0.02;
/// Capability a breakthrough adds (about two-thirds of a quarter of the leader's progress). Model assumption (plausible 0.05–0.3).
pub const BREAKTHROUGH_SIZE: f64 = 0.1;
/// Yearly return investors require of a lab round; they refuse valuations that cannot return it. Model assumption (plausible 0.2–0.4).
pub const INVESTOR_RETURN_TARGET: f64 = 0.3;
/// Years from a round to the exit investors value it at. Model assumption (plausible 3–7).
pub const INVESTMENT_HORIZON_YEARS: f64 = 4.0;
/// Share of a lab's excess yearly revenue growth investors expect to carry into each following year. Model assumption (plausible 0.3–0.8).
pub const GROWTH_FADE_PER_YEAR: f64 = 0.5;
/// Most yearly revenue growth (as a factor) investors extrapolate. Model assumption (plausible 2–5).
pub const MAX_EXPECTED_GROWTH: f64 = 3.0;
/// Yearly revenue growth (as a factor) investors expect of a lab before it has a record: the consensus forecast they start from. Labs' own 2025 projections as reported (OpenAI 2025 to 2026 about 2.3x, Anthropic 2.5–3x); plausible 1.5–3.5.
pub const EXPECTED_GROWTH_PRIOR: f64 = 2.5;
/// Quarters of a lab's revenue record worth as much as investors' prior in the growth they expect. Model assumption (plausible 4–16).
pub const GROWTH_PRIOR_WEIGHT_QUARTERS: f64 = 8.0;
/// Share of what a failed lab paid for its fleet and halls that the lab buying them pays. Model assumption (plausible 0.2–0.5).
pub const DISTRESSED_SALE_FRACTION: f64 = 0.3;
/// Largest share of itself a lab sells in one round (at its asking valuation); a plan that needs more is funded over several rounds. 2025–26 rounds sold 7–13% (OpenAI 40B at 300B, Anthropic 13B at 183B and 30B at 380B post-money); plausible 0.1–0.3.
pub const MAX_ROUND_DILUTION: f64 = 0.2;
/// Chance that a site's permit is challenged (local opposition, litigation, a longer environmental review) and delayed. Model assumption (plausible 0.05–0.3).
pub const PERMIT_CHALLENGE_PROBABILITY: f64 = 0.15;
/// Most quarters a challenge adds to a permit (the delay is uniform from 1 to this, rounded down to whole quarters). Model assumption (plausible 2–8).
pub const PERMIT_CHALLENGE_MAX_QUARTERS: f64 = 4.0;
/// Share of a rationed builder's unserved tokens its router sends, the same quarter, to labs with idle capacity (multi-homing). Assumption bounded by a16z's 2024 enterprise survey (initial-state share_of_enterprises_using_5plus_models_2024 0.29; most use three or more model families); plausible 0.29–0.7.
pub const FAILOVER_SHARE: f64 = 0.5;
/// Elasticity of end users' value per token to the market's token price: as tokens get cheaper apps spend more of them per task, so each is worth less. Assumption bounded by Google's token growth against the fixed-capability price decline (plausible 0.25–1).
pub const VALUE_TOKEN_PRICE_ELASTICITY: f64 = 0.5;
/// Yearly lease a lab pays an infrastructure fund per dollar of a hall the fund financed (its yield plus the hall's cost recovered over its life). Assumption from Meta's Hyperion financing ($27B of bonds at 6.58%, 2025) plus cost recovery over about 20 years; plausible 0.08–0.14.
pub const HALL_LEASE_RATE: f64 = 0.11;
/// Most a lab's yearly hall leases may be, as a share of its revenue run-rate, for a fund to finance another hall. Model assumption (plausible 0.25–1).
pub const LEASE_COVERAGE: f64 = 0.5;
