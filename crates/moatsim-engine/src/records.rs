//! The quarter's records, from `moatsim-records` (a crate of its own so the
//! output crate can write them without depending on the ECS).

pub use moatsim_records::*;
