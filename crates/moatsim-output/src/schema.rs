//! The output tables: names, columns, types and meanings.
//!
//! This list is the single source of truth: Arrow schemas are built from it,
//! `moatsim schema` prints it, and every record batch is checked against it.
//! Each table is declared in its own module under `tables/`.

pub use crate::tables::{ColumnDef, Source, TableDef};

/// Bumped whenever a table or column changes meaning, is added or is removed.
pub const SCHEMA_VERSION: u32 = 13;

/// Every table moatsim writes, in the order they are listed by `moatsim schema`.
pub fn tables() -> Vec<TableDef> {
    use crate::tables::{
        accelerator_buyers, app_builder_segments, app_builders, chipmakers, events, investors,
        labs, markets, projects, regulators, utilities, world,
    };
    vec![
        labs::table(),
        accelerator_buyers::table(),
        investors::table(),
        chipmakers::table(),
        utilities::table(),
        regulators::table(),
        projects::table(),
        app_builders::table(),
        app_builder_segments::table(),
        markets::table(),
        world::table(),
        events::table(),
    ]
}

/// Names of all tables, in order.
pub fn table_names() -> Vec<&'static str> {
    tables().iter().map(|t| t.name).collect()
}
