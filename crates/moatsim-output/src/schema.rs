//! The output tables: names, columns, types and meanings.
//!
//! This list is the single source of truth: Arrow schemas are built from it,
//! `moatsim schema` prints it, and every record batch is checked against it.
//! Each table is declared in its own module under `tables/`.

pub use crate::tables::{ColumnDef, FrameColumn, ReadAs, RowCount, Source, TableDef};

/// Bumped whenever a table or column changes meaning, is added or is removed.
pub const SCHEMA_VERSION: u32 = 18;

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

/// Names of the tables whose rows are named agents' quarters
/// ([`TableDef::named_agents`]), in order.
pub fn named_agent_tables() -> Vec<&'static str> {
    tables()
        .iter()
        .filter(|t| t.named_agents)
        .map(|t| t.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::{named_agent_tables, tables};

    /// Every kind of named agent has its table counted as agent-quarters;
    /// the builders, projects, markets, world and events are not.
    #[test]
    fn the_named_agent_tables_are_the_six_agent_kinds() {
        assert_eq!(
            named_agent_tables(),
            [
                "labs",
                "accelerator_buyers",
                "investors",
                "chipmakers",
                "utilities",
                "regulators"
            ]
        );
    }

    /// `moatsim schema` prints every column's meaning, and the writer finds a
    /// column's encoding by its name, so both must be there and unique.
    #[test]
    fn every_column_has_a_meaning_and_a_name_of_its_own() {
        let mut names = BTreeSet::new();
        for table in tables() {
            assert!(names.insert(table.name), "{} twice", table.name);
            assert!(!table.description.is_empty(), "{}", table.name);
            let mut columns = BTreeSet::new();
            for column in &table.columns {
                assert!(
                    columns.insert(column.name),
                    "{}.{} twice",
                    table.name,
                    column.name
                );
                assert!(
                    !column.description.is_empty(),
                    "{}.{} has no meaning",
                    table.name,
                    column.name
                );
            }
        }
    }
}
