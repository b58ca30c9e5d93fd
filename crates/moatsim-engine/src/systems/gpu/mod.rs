//! The accelerator market, from chipmakers' supply to installed units:
//! `supply` (capacity, asks, production), `orders` (labs' and aggregate
//! buyers' bids), `clear` (fills, payments, spill-over) and `install` (units
//! into halls, refresh).

pub mod clear;
pub mod install;
pub mod orders;
pub mod supply;
