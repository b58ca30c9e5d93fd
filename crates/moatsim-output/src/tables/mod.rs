//! What a table and a column are; each table is declared in a module of its own.
//!
//! NautilusTrader's shape: one module per record type, each holding its
//! table's only definition, which both the Arrow schema and the encoder read,
//! so a column cannot be written under another column's name. A module
//! declares its columns with the typed builder in `declare.rs`, a column in
//! two lines; `crate::schema::tables` lists the modules in the order
//! `moatsim schema` prints them.

pub(crate) mod accelerator_buyers;
pub(crate) mod app_builder_segments;
pub(crate) mod app_builders;
pub(crate) mod chipmakers;
mod declare;
pub(crate) mod events;
pub(crate) mod investors;
pub(crate) mod labs;
pub(crate) mod markets;
pub(crate) mod projects;
pub(crate) mod regulators;
pub(crate) mod utilities;
pub(crate) mod world;

use std::sync::Arc;

use arrow_array::ArrayRef;
use arrow_schema::{DataType, Field, Schema};
use moatsim_records::{Stamp, TickFrame};

/// Encodes one column of a quarter's frame. It may take the frame's vectors
/// (the builder columns are moved, not copied), so a frame is encoded once.
pub type FrameColumn = Arc<dyn Fn(&mut TickFrame) -> ArrayRef + Send + Sync>;

/// Counts a table's rows in a quarter's frame.
pub type RowCount = Arc<dyn Fn(&TickFrame) -> usize + Send + Sync>;

/// Where a column's values come from: the quarter's stamp, or the frame.
#[derive(Clone)]
pub enum Source {
    /// `tick`, `year` or `quarter`, repeated on every row.
    Stamp(fn(Stamp, usize) -> ArrayRef),
    /// The column built from the frame.
    Frame(FrameColumn),
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::Stamp(_) => "Stamp",
            Source::Frame(_) => "Frame",
        })
    }
}

/// One output column: its name, type, meaning, where its values come from
/// and how it is encoded. The Arrow schema, `moatsim schema` and the encoder
/// all read this one definition, so a column cannot be written under another
/// column's name.
#[derive(Debug, Clone)]
pub struct ColumnDef {
    pub name: &'static str,
    pub data_type: DataType,
    pub nullable: bool,
    pub description: &'static str,
    pub source: Source,
    /// Dictionary-encode the column in Parquet. Off for columns whose values
    /// are nearly all distinct (ids, builders' money and tokens), where a
    /// dictionary only costs hashing and is then abandoned.
    pub dictionary: bool,
    /// zstd-compress the column. Off for builders' money and token columns:
    /// their doubles shrink by about 5% for a seventh of the writer's time
    /// at a million builders (measured with `benches/write.rs`).
    pub compressed: bool,
    /// Write min/max statistics. Off for the builders' columns other than
    /// the quarter's stamp: every row group holds every builder, so their
    /// ranges prune nothing, and computing them took a tenth of the writer's
    /// time at a million builders (`benches/write.rs`).
    pub statistics: bool,
}

#[derive(Clone)]
pub struct TableDef {
    pub name: &'static str,
    pub description: &'static str,
    /// Rows of this table in a frame.
    pub rows: RowCount,
    /// Each row is one named agent's quarter (a lab, buyer, investor,
    /// chipmaker, utility or regulator): what a run counts as agent-quarters
    /// besides the app builders.
    pub named_agents: bool,
    pub columns: Vec<ColumnDef>,
}

impl std::fmt::Debug for TableDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableDef")
            .field("name", &self.name)
            .field("description", &self.description)
            .field("columns", &self.columns)
            .finish_non_exhaustive()
    }
}

/// What a column holds, as `reader::read_columns` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadAs {
    /// Read as numbers (doubles).
    Number,
    Text,
}

impl ColumnDef {
    /// How `reader::read_columns` reads this column; `None` for a type it
    /// does not read (booleans, lists).
    pub fn read_as(&self) -> Option<ReadAs> {
        match self.data_type {
            DataType::Float64
            | DataType::UInt64
            | DataType::UInt32
            | DataType::UInt8
            | DataType::Int64
            | DataType::Int32 => Some(ReadAs::Number),
            DataType::Utf8 => Some(ReadAs::Text),
            _ => None,
        }
    }
}

impl TableDef {
    pub fn schema(&self) -> Arc<Schema> {
        Arc::new(Schema::new(
            self.columns
                .iter()
                .map(|c| Field::new(c.name, c.data_type.clone(), c.nullable))
                .collect::<Vec<_>>(),
        ))
    }
}
