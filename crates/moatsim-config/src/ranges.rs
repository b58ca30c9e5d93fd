//! The finite range every numeric field without a narrower, field-specific
//! range is held to.
//!
//! Each range is wide enough for any plausible market (several times the
//! largest published figure) and narrow enough that no product or quotient the
//! model forms from it can overflow to `inf` or underflow to `0` where it
//! divides: a value outside it is refused when the scenario is loaded, naming
//! the field. `docs/CONFIG.md` lists them; `moatsim validate --ranges` prints
//! the range of every numeric field of a scenario.

/// An inclusive range of allowed values and how to say it to a user.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub low: f64,
    pub high: f64,
    pub what: &'static str,
}

/// A range of allowed values and how to say it.
pub const fn range(low: f64, high: f64, what: &'static str) -> Range {
    Range { low, high, what }
}

/// A share of something.
pub const FRACTION: Range = range(0.0, 1.0, "a fraction from 0 to 1");
/// Money an agent holds or spends per quarter: up to $100 trillion (about
/// the world's annual GDP).
pub const USD_AMOUNT: Range = range(0.0, 1e14, "USD from 0 to 1e14");
/// A valuation or a round's size: at least $1M, at most $100 trillion.
pub const USD_VALUATION: Range = range(1e6, 1e14, "USD from 1e6 to 1e14");
/// Facility or generation capex per MW: at most $1B per MW (published
/// facility capex is $9–15M per MW).
pub const USD_PER_MW: Range = range(0.0, 1e9, "USD per MW from 0 to 1e9");
/// Data-center capex per MW: at least $100k, at most $1B.
pub const DC_USD_PER_MW: Range = range(1e5, 1e9, "USD per MW from 1e5 to 1e9");
/// A price of energy: $1 to $10,000 per MWh.
pub const USD_PER_MWH: Range = range(1.0, 1e4, "USD per MWh from 1 to 10000");
/// Land price: $1 to $1B per acre.
pub const USD_PER_ACRE: Range = range(1.0, 1e9, "USD per acre from 1 to 1e9");
/// Power of a grid, a load or a campus: up to 10 TW.
pub const MW: Range = range(0.0, 1e7, "MW from 0 to 1e7");
/// A grid's generation, or a block a utility builds: at least 1 MW.
pub const MW_POSITIVE: Range = range(1.0, 1e7, "MW from 1 to 1e7");
/// Land: up to 100 million acres.
pub const ACRES: Range = range(0.0, 1e8, "acres from 0 to 1e8");
/// Power density of land: 0.01 to 100 MW per acre.
pub const MW_PER_ACRE: Range = range(0.01, 100.0, "MW per acre from 0.01 to 100");
/// Packaging capacity: up to 100 million wafers per quarter.
pub const WAFERS: Range = range(0.0, 1e8, "wafers from 0 to 1e8");
/// Packaging capacity in use: at least one wafer per quarter.
pub const WAFERS_POSITIVE: Range = range(1.0, 1e8, "wafers from 1 to 1e8");
/// Cost of a wafer of capacity: up to $100M.
pub const USD_PER_WAFER: Range = range(0.0, 1e8, "USD per wafer from 0 to 1e8");
/// Price or cost of one accelerator: $1 to $10M.
pub const USD_PER_UNIT: Range = range(1.0, 1e7, "USD per unit from 1 to 1e7");
/// Price of compute per H100e: $1 to $10M.
pub const USD_PER_H100E: Range = range(1.0, 1e7, "USD per H100e from 1 to 1e7");
/// A growth rate per quarter: 0 to 5 (500%).
pub const GROWTH_PER_QUARTER: Range = range(0.0, 5.0, "a growth rate per quarter from 0 to 5");
/// A half-life in quarters.
pub const HALF_LIFE_QUARTERS: Range = range(0.1, 1000.0, "quarters from 0.1 to 1000");
/// A price elasticity (its absolute value).
pub const ELASTICITY: Range = range(0.0, 10.0, "an elasticity from 0 to 10");
/// A share that must be positive: a divisor.
pub const SHARE_POSITIVE: Range = range(0.01, 1.0, "a share from 0.01 to 1");
/// The exponent of a choice between values.
pub const SHARPNESS: Range = range(0.0, 50.0, "an exponent from 0 to 50");
/// Performance of one accelerator relative to an H100.
pub const H100E_PER_UNIT: Range = range(0.01, 1e4, "H100e per unit from 0.01 to 10000");
/// Power of one accelerator.
pub const WATTS: Range = range(1.0, 1e5, "watts from 1 to 100000");
/// Accelerators cut from one packaging wafer.
pub const UNITS_PER_WAFER: Range = range(0.1, 1e4, "units per wafer from 0.1 to 10000");
/// Compute in H100-equivalents: up to ten billion.
pub const H100E: Range = range(0.0, 1e10, "H100e from 0 to 1e10");
/// A reference amount of compute that others are divided by: at least one H100e.
pub const H100E_POSITIVE: Range = range(1.0, 1e12, "H100e from 1 to 1e12");
/// A lab's capability index (the baseline's leader starts at 1).
pub const CAPABILITY: Range = range(1e-3, 1e3, "a capability index from 0.001 to 1000");
/// Capability gained per log-unit of compute.
pub const CAPABILITY_RATE: Range = range(0.0, 10.0, "a rate from 0 to 10");
/// Months for compute at a fixed capability to halve.
pub const HALVING_MONTHS: Range = range(1.0, 120.0, "months from 1 to 120");
/// Capability units per doubling of serving compute.
pub const CAPABILITY_PER_DOUBLING: Range = range(0.01, 10.0, "capability units from 0.01 to 10");
/// Years for a doubling.
pub const DOUBLING_YEARS: Range = range(0.1, 100.0, "years from 0.1 to 100");
/// Valuation over run-rate revenue.
pub const REVENUE_MULTIPLE: Range = range(0.1, 1000.0, "a multiple from 0.1 to 1000");
/// Tokens one H100e serves in a quarter, millions.
pub const MTOK_PER_H100E: Range = range(1.0, 1e9, "millions of tokens from 1 to 1e9");
/// Token demand of the whole market in a quarter, millions.
pub const MTOK_MARKET: Range = range(1.0, 1e15, "millions of tokens from 1 to 1e15");
/// A price or value per million tokens: $0.001 to $1M.
pub const USD_PER_MTOK: Range = range(1e-3, 1e6, "USD per million tokens from 0.001 to 1e6");
/// A weight among segments (normalised to shares).
pub const WEIGHT: Range = range(1e-6, 1e6, "a weight from 1e-6 to 1e6");
/// A coefficient of builders' choice utility.
pub const UTILITY_WEIGHT: Range = range(0.0, 100.0, "a utility weight from 0 to 100");
/// Price of renting an H100e for an hour.
pub const USD_PER_H100E_HOUR: Range = range(0.01, 1000.0, "USD per H100e-hour from 0.01 to 1000");
