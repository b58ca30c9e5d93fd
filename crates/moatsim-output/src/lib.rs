//! Output tables of moatsim: Arrow schemas and per-quarter Parquet writing.
//!
//! This is the only crate that knows Arrow and Parquet. It turns the engine's
//! [`moatsim_records::TickFrame`]s into one record batch per table per quarter.

mod batches;
pub mod digest;
pub mod finite;
mod guard;
pub mod manifest;
pub mod reader;
pub mod runs;
pub mod schema;
mod tables;
mod writer;

pub use batches::batch_for;
pub use guard::quiet_decoding_panics;
pub use schema::{ColumnDef, SCHEMA_VERSION, TableDef, named_agent_tables, table_names, tables};
pub use writer::{
    BackgroundWriter, OutputError, Provenance, RunWriter, WriteSummary, WrittenTable,
    merge_segments, remove_segments, segment_path, segment_suffix,
};
