//! `[app_builders]`: the app-builder population. Its size, demand and
//! choice weights are required fields, checked in `validate/apps.rs`; its
//! behavioural parameters are declared here once each, with default, ranges,
//! meaning and source (see [`super::declare`]).

use serde::{Deserialize, Serialize};

use super::declare::declare_parameters;
use crate::ranges::{self, range};
use crate::raw::RawSegment;
use crate::scenario::Segment;

declare_parameters! {
    section: "app_builders",
    raw: {
        /// `[app_builders]` as written.
        #[derive(Debug, Clone, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct RawAppBuilders;
        before {
            pub count: i64,
            pub initial_market_mtok_per_quarter: f64,
            pub reference_price_per_mtok: f64,
            pub price_elasticity: f64,
            pub entry_rate_per_quarter: f64,
            pub exit_after_loss_quarters: i64,
            pub capability_weight: f64,
            pub price_weight: f64,
            pub switching_cost_base: f64,
            pub switching_cost_growth: f64,
            pub switching_cost_cap_quarters: i64,
            pub rationing_penalty: f64,
        }
        after {
            pub segments: Vec<RawSegment>,
        }
    },
    spec: {
        /// The app-builder population: its size and demand, how builders
        /// choose providers, and the behavioural parameters of builders and
        /// their end users.
        #[derive(Debug, Clone, Serialize)]
        pub struct AppBuilderSpec;
        before {
            pub count: u64,
            pub initial_market_mtok_per_quarter: f64,
            pub reference_price_per_mtok: f64,
            pub price_elasticity: f64,
            pub entry_rate_per_quarter: f64,
            pub exit_after_loss_quarters: u32,
            pub capability_weight: f64,
            pub price_weight: f64,
            pub switching_cost_base: f64,
            pub switching_cost_growth: f64,
            pub switching_cost_cap_quarters: u32,
            pub rationing_penalty: f64,
        }
        after {
            pub segments: Vec<Segment>,
        }
        fixed: AppBuilderFixed,
    },
    declared: APP_BUILDERS,
    parameters: {
        /// Set so builders spend 20–60% of revenue on tokens in 2025 (AI application gross
        /// margins of 40–80%). A builder of depth d keeps `(1 + d)` times it
        /// (`rules::builder_capture`).
        generic_capture: f64 {
            default: GENERIC_CAPTURE = 0.15,
            allowed: ranges::FRACTION,
            plausible: 0.05..=0.3,
            meaning: "share of the surplus per token (end users' value less the token price) a generic builder keeps at the starting crowding; depth d keeps (1 + d) times it",
            source: "assumption",
        },

        /// The share a builder keeps is scaled by `(builders at the start / builders
        /// now)^crowding_elasticity`.
        crowding_elasticity: f64 {
            default: CROWDING_ELASTICITY = 1.0,
            allowed: range(0.0, 3.0, "an elasticity from 0 to 3"),
            plausible: 0.5..=1.5,
            meaning: "elasticity of builders' kept surplus to the number of builders in their segment (1: margin ∝ 1/N, the circular-city model)",
            source: "assumption",
        },

        normal_margin: f64 {
            default: NORMAL_MARGIN = 0.1,
            allowed: range(0.01, 0.9, "a profit margin from 0.01 to 0.9"),
            plausible: 0.05..=0.2,
            meaning: "profit margin at which entry into a segment stops (entry runs at entry_rate_per_quarter at twice it)",
            source: "assumption",
        },

        end_user_capability_weight: f64 {
            default: END_USER_CAPABILITY_WEIGHT = 8.0,
            allowed: ranges::UTILITY_WEIGHT,
            plausible: 2.0..=12.0,
            meaning: "end users' weight on capability when choosing between builders' apps and labs' own products",
            source: "assumption",
        },

        end_user_price_weight: f64 {
            default: END_USER_PRICE_WEIGHT = 1.5,
            allowed: ranges::UTILITY_WEIGHT,
            plausible: 0.5..=3.0,
            meaning: "end users' weight on log price in that choice",
            source: "assumption",
        },

        end_user_reconsider_share: f64 {
            default: END_USER_RECONSIDER_SHARE = 0.2,
            allowed: range(0.0, 1.0, "a share from 0 to 1"),
            plausible: 0.15..=0.4,
            meaning: "share of a segment's end users who choose between builders' apps and labs' products again each quarter; the rest stay",
            source: "assumption bounded by consumer subscription churn (5-10% a month, 15-27% a quarter) and AI-assistant retention (ChatGPT one-month retention 56-90% in public cohort data)",
        },

        provider_review_share: f64 {
            default: PROVIDER_REVIEW_SHARE = 0.35,
            allowed: range(0.01, 1.0, "a share from 0.01 to 1"),
            plausible: 0.25..=0.5,
            meaning: "share of app builders who review their model provider in a quarter (their integration and evaluation cycle); the others stay",
            source: "assumption bounded by annual to semi-annual enterprise contracts and evaluation cycles, and by the fastest observed shift of enterprise API share (about 10 points a year, Menlo Ventures 2023-25)",
        },

        /// Answers grow longer as models reason and act: 2.2x a year for non-reasoning
        /// models and 5x for reasoning ones (Epoch AI, 2025-04), 3-4x per request over
        /// two years on OpenRouter (2024-01..2025-11), against the frontier's capability
        /// growth of about 0.55 a year in the baseline: ln(2) / 0.55 = 1.26.
        tokens_per_task_per_capability: f64 {
            default: TOKENS_PER_TASK_PER_CAPABILITY = 1.26,
            allowed: range(0.0, 10.0, "a rate from 0 to 10"),
            plausible: 1.0..=2.9,
            meaning: "growth of log tokens per task per unit of the frontier's capability (longer reasoning, more context, agents)",
            source: "v3: benchmark_output_length_growth, tokens_per_request_growth_openrouter",
        },

        /// The mean of 213 published diffusion fits (Sultan, Farley and Lehmann 1990);
        /// study means range 0.0007–0.03 (Chandrasekaran and Tellis 2007).
        adoption_innovation_per_year: f64 {
            default: ADOPTION_INNOVATION_PER_YEAR = 0.03,
            allowed: range(0.0, 2.0, "a rate per year from 0 to 2"),
            plausible: 0.001..=0.03,
            meaning: "Bass coefficient of innovation p: the yearly rate at which those not yet using a segment's applications adopt them without imitating others",
            source: "v3: bass_p_mean_sultan1990, bass_p_range_reviews",
        },

        /// Study means 0.38–0.53 (Chandrasekaran and Tellis 2007); cell phones 0.51. AI
        /// reached in two years the adoption the internet took five to reach (Anthropic
        /// Economic Index, 2025-09), so the upper end.
        adoption_imitation_per_year: f64 {
            default: ADOPTION_IMITATION_PER_YEAR = 0.5,
            allowed: range(0.0, 5.0, "a rate per year from 0 to 5"),
            plausible: 0.38..=0.53,
            meaning: "Bass coefficient of imitation q: the yearly rate of adoption per share of the ceiling already adopted",
            source: "v3: bass_q_mean_sultan1990, bass_q_range_reviews, us_workers_using_ai_at_work",
        },

        /// About a year of the frontier's capability growth (0.5 a year) for agents to go
        /// from a quarter to three quarters of a segment's tasks.
        agent_width: f64 {
            default: AGENT_WIDTH = 0.25,
            allowed: range(0.0, 10.0, "capability units from 0 to 10"),
            plausible: 0.1..=0.5,
            meaning: "width in capability of the logistic over which agents take over a segment's tasks, and over which a capability threshold opens new uses",
            source: "assumption",
        },

        /// Most of a longer task is context: DeepSeek's published serving data has 78%
        /// of tokens as input, 56% of them cache hits.
        task_compute_elasticity: f64 {
            default: TASK_COMPUTE_ELASTICITY = 0.4,
            allowed: range(0.0, 1.0, "an elasticity from 0 to 1"),
            plausible: 0.2..=0.6,
            meaning: "elasticity of serving compute per task to tokens per task (below 1: added tokens are mostly cheap context)",
            source: "tiers: input_token_share_deepseek, cached_input_price_fraction, output_input_price_ratio (revenue per token about 0.31x the output price); the range is an assumption around it",
        },

        builder_shock_sigma: f64 {
            default: BUILDER_SHOCK_SIGMA = 0.1,
            allowed: range(0.0, 2.0, "a log-standard deviation from 0 to 2"),
            plausible: 0.05..=0.3,
            meaning: "log-standard deviation of a builder's quarterly demand shock",
            source: "assumption",
        },

        segment_shock_sigma: f64 {
            default: SEGMENT_SHOCK_SIGMA = 0.1,
            allowed: range(0.0, 2.0, "a log-standard deviation from 0 to 2"),
            plausible: 0.05..=0.3,
            meaning: "log-standard deviation of a segment's quarterly demand shock (common to its builders and the labs' products in it)",
            source: "assumption",
        },

        /// Software companies' operating costs fall as a share of revenue as they grow, but
        /// not by much.
        fixed_cost_scale_elasticity: f64 {
            default: FIXED_COST_SCALE_ELASTICITY = 0.85,
            allowed: range(0.0, 1.5, "an elasticity from 0 to 1.5"),
            plausible: 0.5..=1.0,
            meaning: "elasticity of a builder's operating costs to its customer base (1: in proportion; below 1: economies of scale)",
            source: "assumption",
        },
    },
}
