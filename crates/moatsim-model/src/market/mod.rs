//! Pure market-clearing functions, one module per market.
//!
//! Each function takes the quarter's offers and bids as plain data and returns
//! fills. Callers pass bids sorted by bidder id; ties are broken by that order,
//! so identical inputs always give identical outputs.

pub mod allocation;
pub mod apps;
pub mod capital;
pub mod cloud;
pub mod contracts;
pub mod demand;
pub mod forecast;
pub mod gpu;
pub mod inference;
pub mod land;
pub mod networking;
pub mod power;
pub mod site;
pub mod tiers;
pub mod vintages;
