//! `[cloud]`: the rules of the cloud-rental market, each declared once, with
//! its default, ranges, meaning and source (see [`super::declare`]).

use serde::{Deserialize, Serialize};

use super::declare::declare_parameters;
use crate::ranges::{self, range};

declare_parameters! {
    section: "cloud",
    raw: {
        /// `[cloud]` as written: every field may be left out.
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct RawCloud;
        after {
            // Removed in schema 6 (rental capacity and its cost now come from the
            // owners' fleets); read only to say so instead of "unknown field".
            pub capacity_h100e: Option<toml::Value>,
            pub capacity_growth_per_quarter: Option<toml::Value>,
            pub min_ask_per_h100e_hour_usd: Option<toml::Value>,
        }
    },
    spec: {
        /// The cloud-rental market: compute rented by the quarter from owners
        /// inside the simulation (aggregate buyers with a `rental_share`), one
        /// market per region.
        #[derive(Debug, Clone, Serialize)]
        pub struct CloudSpec;
    },
    declared: CLOUD,
    parameters: {
        /// On-demand H100 rates were about $2–3 an hour in early 2025, committed contracts
        /// lower.
        ask_per_h100e_hour_usd: f64 {
            default: CLOUD_ASK_PER_H100E_HOUR_USD = 2.2,
            allowed: ranges::USD_PER_H100E_HOUR,
            plausible: 1.5..=3.0,
            meaning: "every region's first rental ask per H100e-hour",
            source: "assumption (initial-state h100_on_demand_sxm 2.99, h100e_effective_contract_price_lab 1.95)",
        },

        ask_sensitivity: f64 {
            default: CLOUD_ASK_SENSITIVITY = 0.3,
            allowed: range(0.0, 2.0, "a number from 0 to 2"),
            meaning: "how strongly the rental ask follows last quarter's excess demand",
            source: "assumption",
        },

        rent_cash_share: f64 {
            default: CLOUD_RENT_CASH_SHARE = 0.05,
            allowed: ranges::FRACTION,
            plausible: 0.02..=0.1,
            meaning: "most of its cash a lab spends on rent per quarter",
            source: "assumption",
        },

        /// Between investment-grade hyperscaler debt and neocloud borrowing costs.
        owner_cost_of_capital_per_year: f64 {
            default: CLOUD_OWNER_COST_OF_CAPITAL_PER_YEAR = 0.10,
            allowed: range(0.0, 0.5, "a yearly rate from 0 to 0.5"),
            plausible: 0.06..=0.15,
            meaning: "yearly return cloud owners require on their fleets",
            source: "assumption",
        },

        /// Bounded below by what labs paid under contract in 2024: a lab that signs at that
        /// price values the compute above it.
        training_value_per_h100e_hour_usd: f64 {
            default: CLOUD_TRAINING_VALUE_PER_H100E_HOUR_USD = 3.0,
            allowed: ranges::USD_PER_H100E_HOUR,
            plausible: 2.0..=5.0,
            meaning: "what labs state an H100e-hour of training is worth to them",
            source: "assumption (initial-state h100e_effective_contract_price_lab 1.95, p95 2.52, as a floor)",
        },
    },
}
