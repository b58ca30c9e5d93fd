//! What a table and a column are, and the helpers every table module shares.
//!
//! Each table is declared once, in a module of its own (NautilusTrader's
//! shape: one module per record type); `crate::schema::tables` lists them.

pub(crate) mod accelerator_buyers;
pub(crate) mod app_builder_segments;
pub(crate) mod app_builders;
pub(crate) mod chipmakers;
pub(crate) mod events;
pub(crate) mod investors;
pub(crate) mod labs;
pub(crate) mod markets;
pub(crate) mod projects;
pub(crate) mod regulators;
pub(crate) mod utilities;
pub(crate) mod world;

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int32Array, StringArray, UInt8Array, UInt32Array,
    UInt64Array,
};
use arrow_schema::{DataType, Field, Schema};
use moatsim_records::{Stamp, TickFrame};

/// Where a column's values come from: the quarter's stamp, or the frame.
#[derive(Clone, Copy)]
pub enum Source {
    /// `tick`, `year` or `quarter`, repeated on every row.
    Stamp(fn(Stamp, usize) -> ArrayRef),
    /// The column built from the frame. It may take the frame's vectors
    /// (the builder columns are moved, not copied), so a frame is encoded
    /// once.
    Frame(fn(&mut TickFrame) -> ArrayRef),
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

impl ColumnDef {
    /// The same column, written without a dictionary.
    fn plain(mut self) -> Self {
        self.dictionary = false;
        self
    }

    /// The same column, written without min/max statistics.
    fn unranged(mut self) -> Self {
        self.statistics = false;
        self
    }

    /// The same column, written without a dictionary or compression.
    fn raw(mut self) -> Self {
        self.dictionary = false;
        self.compressed = false;
        self
    }
}

#[derive(Debug, Clone)]
pub struct TableDef {
    pub name: &'static str,
    pub description: &'static str,
    /// Rows of this table in a frame.
    pub rows: fn(&TickFrame) -> usize,
    pub columns: Vec<ColumnDef>,
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

fn col(
    name: &'static str,
    data_type: DataType,
    description: &'static str,
    values: fn(&mut TickFrame) -> ArrayRef,
) -> ColumnDef {
    ColumnDef {
        name,
        data_type,
        nullable: false,
        description,
        source: Source::Frame(values),
        dictionary: true,
        compressed: true,
        statistics: true,
    }
}

fn nullable(
    name: &'static str,
    data_type: DataType,
    description: &'static str,
    values: fn(&mut TickFrame) -> ArrayRef,
) -> ColumnDef {
    ColumnDef {
        nullable: true,
        ..col(name, data_type, description, values)
    }
}

fn stamp(
    name: &'static str,
    data_type: DataType,
    description: &'static str,
    values: fn(Stamp, usize) -> ArrayRef,
) -> ColumnDef {
    ColumnDef {
        name,
        data_type,
        nullable: false,
        description,
        source: Source::Stamp(values),
        // One value per row group: zstd shrinks the plain column to a few
        // bytes, and a dictionary would hash every row (a tenth of the
        // writer's time at a million builders, `benches/write.rs`).
        dictionary: false,
        compressed: true,
        statistics: true,
    }
}

use DataType::{Int32, UInt8, UInt32};

fn stamped(mut columns: Vec<ColumnDef>) -> Vec<ColumnDef> {
    let mut all = vec![
        stamp(
            "tick",
            UInt32,
            "Quarter index from 0 at the scenario's start",
            |s, rows| Arc::new(UInt32Array::from(vec![s.tick; rows])),
        ),
        stamp("year", Int32, "Calendar year of the quarter", |s, rows| {
            Arc::new(Int32Array::from(vec![s.year; rows]))
        }),
        stamp("quarter", UInt8, "Calendar quarter, 1 to 4", |s, rows| {
            Arc::new(UInt8Array::from(vec![s.quarter; rows]))
        }),
    ];
    all.append(&mut columns);
    all
}

/// Columns written without min/max statistics (`ColumnDef::unranged`).
fn unranged(columns: Vec<ColumnDef>) -> Vec<ColumnDef> {
    columns.into_iter().map(ColumnDef::unranged).collect()
}

/// A builder column moved out of the frame into an Arrow array, not copied.
fn moved_f64s(values: &mut Vec<f64>) -> ArrayRef {
    Arc::new(Float64Array::from(std::mem::take(values)))
}

fn moved_u64s(values: &mut Vec<u64>) -> ArrayRef {
    Arc::new(UInt64Array::from(std::mem::take(values)))
}

fn moved_u32s(values: &mut Vec<u32>) -> ArrayRef {
    Arc::new(UInt32Array::from(std::mem::take(values)))
}

fn f64s(values: impl Iterator<Item = f64>) -> ArrayRef {
    Arc::new(Float64Array::from_iter_values(values))
}

fn opt_f64s(values: impl Iterator<Item = Option<f64>>) -> ArrayRef {
    Arc::new(values.collect::<Float64Array>())
}

fn u64s(values: impl Iterator<Item = u64>) -> ArrayRef {
    Arc::new(UInt64Array::from_iter_values(values))
}

fn opt_u64s(values: impl Iterator<Item = Option<u64>>) -> ArrayRef {
    Arc::new(values.collect::<UInt64Array>())
}

fn u32s(values: impl Iterator<Item = u32>) -> ArrayRef {
    Arc::new(UInt32Array::from_iter_values(values))
}

fn strings<'a>(values: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(values.map(Some).collect::<StringArray>())
}

fn opt_strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.collect::<StringArray>())
}

fn bools(values: impl Iterator<Item = bool>) -> ArrayRef {
    Arc::new(values.map(Some).collect::<BooleanArray>())
}
