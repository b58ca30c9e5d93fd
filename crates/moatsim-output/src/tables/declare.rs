//! The typed builder a table module declares its columns with: the column's
//! name and what it reads on one line, its meaning on the next:
//!
//! ```text
//! t.f64("cash", |r| r.cash)
//!     .means("Cash at the end of the quarter, USD");
//! ```
//!
//! Each method fixes the column's Arrow type and nullability from the Rust
//! type of what it reads (`f64` → `Float64`, `Option<f64>` → nullable
//! `Float64`), so a declaration cannot disagree with the values it encodes. A
//! column starts dictionary-encoded, zstd-compressed and with min/max
//! statistics; [`Column::plain`], [`Column::raw`] and
//! [`ColumnarTable::without_statistics`] turn those off where they cost more
//! than they save (the reasons are on [`ColumnDef`]'s fields).
//!
//! Declaring a column this way costs the writer nothing: the reader (`|r|`,
//! the row) is a generic parameter, so it is inlined into the loop over the
//! rows; the only dynamic call is one per column per quarter; and the
//! builders' columns are moved out of the frame ([`ColumnarTable`]).

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int32Array, StringArray, UInt8Array, UInt32Array,
    UInt64Array,
};
use arrow_schema::DataType::{self, Boolean, Float64, Int32, UInt8, UInt32, UInt64, Utf8};
use moatsim_records::{Stamp, TickFrame};

use super::{ColumnDef, Source, TableDef};

/// A table with one row struct per row (`LabRow`, `WorldRow`, …); each column
/// reads one value from each row.
pub(super) struct Table<R: 'static> {
    name: &'static str,
    description: &'static str,
    rows: fn(&TickFrame) -> &[R],
    named_agents: bool,
    columns: Columns,
}

impl<R: 'static> Table<R> {
    /// A table named `name` whose rows are `rows(frame)`; it starts with the
    /// quarter's stamp.
    pub(super) fn new(
        name: &'static str,
        description: &'static str,
        rows: fn(&TickFrame) -> &[R],
    ) -> Self {
        Self {
            name,
            description,
            rows,
            named_agents: false,
            columns: Columns::stamped(),
        }
    }

    /// Marks each row as one named agent's quarter, so a run counts the
    /// table's rows as agent-quarters (`TableDef::named_agents`).
    pub(super) fn of_named_agents(mut self) -> Self {
        self.named_agents = true;
        self
    }

    pub(super) fn u64(
        &mut self,
        name: &'static str,
        value: impl Fn(&R) -> u64 + Send + Sync + 'static,
    ) -> Column<'_> {
        self.read(name, UInt64, false, move |rows| {
            Arc::new(UInt64Array::from_iter_values(rows.iter().map(&value)))
        })
    }

    pub(super) fn nullable_u64(
        &mut self,
        name: &'static str,
        value: impl Fn(&R) -> Option<u64> + Send + Sync + 'static,
    ) -> Column<'_> {
        self.read(name, UInt64, true, move |rows| {
            Arc::new(rows.iter().map(&value).collect::<UInt64Array>())
        })
    }

    pub(super) fn u32(
        &mut self,
        name: &'static str,
        value: impl Fn(&R) -> u32 + Send + Sync + 'static,
    ) -> Column<'_> {
        self.read(name, UInt32, false, move |rows| {
            Arc::new(UInt32Array::from_iter_values(rows.iter().map(&value)))
        })
    }

    pub(super) fn nullable_u32(
        &mut self,
        name: &'static str,
        value: impl Fn(&R) -> Option<u32> + Send + Sync + 'static,
    ) -> Column<'_> {
        self.read(name, UInt32, true, move |rows| {
            Arc::new(rows.iter().map(&value).collect::<UInt32Array>())
        })
    }

    pub(super) fn f64(
        &mut self,
        name: &'static str,
        value: impl Fn(&R) -> f64 + Send + Sync + 'static,
    ) -> Column<'_> {
        self.read(name, Float64, false, move |rows| {
            Arc::new(Float64Array::from_iter_values(rows.iter().map(&value)))
        })
    }

    pub(super) fn nullable_f64(
        &mut self,
        name: &'static str,
        value: impl Fn(&R) -> Option<f64> + Send + Sync + 'static,
    ) -> Column<'_> {
        self.read(name, Float64, true, move |rows| {
            Arc::new(rows.iter().map(&value).collect::<Float64Array>())
        })
    }

    pub(super) fn bool(
        &mut self,
        name: &'static str,
        value: impl Fn(&R) -> bool + Send + Sync + 'static,
    ) -> Column<'_> {
        self.read(name, Boolean, false, move |rows| {
            bools(rows.iter().map(&value))
        })
    }

    pub(super) fn str(
        &mut self,
        name: &'static str,
        value: impl Fn(&R) -> &str + Send + Sync + 'static,
    ) -> Column<'_> {
        self.read(name, Utf8, false, move |rows| {
            strings(rows.iter().map(&value))
        })
    }

    pub(super) fn nullable_str(
        &mut self,
        name: &'static str,
        value: impl Fn(&R) -> Option<&str> + Send + Sync + 'static,
    ) -> Column<'_> {
        self.read(name, Utf8, true, move |rows| {
            Arc::new(rows.iter().map(&value).collect::<StringArray>())
        })
    }

    /// A column encoded from the table's rows by `encode`.
    fn read(
        &mut self,
        name: &'static str,
        data_type: DataType,
        nullable: bool,
        encode: impl Fn(&[R]) -> ArrayRef + Send + Sync + 'static,
    ) -> Column<'_> {
        let rows = self.rows;
        self.columns
            .declare(name, data_type, nullable, move |frame: &mut TickFrame| {
                encode(rows(frame))
            })
    }

    /// The table's definition, its columns in the order they were declared.
    pub(super) fn build(self) -> TableDef {
        let rows = self.rows;
        TableDef {
            name: self.name,
            description: self.description,
            rows: Arc::new(move |frame: &TickFrame| rows(frame).len()),
            named_agents: self.named_agents,
            columns: self.columns.list,
        }
    }
}

/// A table the frame holds as columns (`AppBuilderColumns`, a million rows a
/// quarter): a column is moved out of the frame whole, not copied.
pub(super) struct ColumnarTable {
    name: &'static str,
    description: &'static str,
    rows: fn(&TickFrame) -> usize,
    columns: Columns,
}

impl ColumnarTable {
    /// A table named `name` with `rows(frame)` rows; it starts with the
    /// quarter's stamp.
    pub(super) fn new(
        name: &'static str,
        description: &'static str,
        rows: fn(&TickFrame) -> usize,
    ) -> Self {
        Self {
            name,
            description,
            rows,
            columns: Columns::stamped(),
        }
    }

    /// Columns declared from here on are written without min/max statistics
    /// (the stamp keeps them).
    pub(super) fn without_statistics(&mut self) {
        self.columns.statistics = false;
    }

    /// A column moved out of the frame's vector, which is left empty.
    pub(super) fn moved_u64(
        &mut self,
        name: &'static str,
        values: fn(&mut TickFrame) -> &mut Vec<u64>,
    ) -> Column<'_> {
        self.columns.declare(name, UInt64, false, move |frame| {
            Arc::new(UInt64Array::from(std::mem::take(values(frame))))
        })
    }

    /// A column moved out of the frame's vector, which is left empty.
    pub(super) fn moved_u32(
        &mut self,
        name: &'static str,
        values: fn(&mut TickFrame) -> &mut Vec<u32>,
    ) -> Column<'_> {
        self.columns.declare(name, UInt32, false, move |frame| {
            Arc::new(UInt32Array::from(std::mem::take(values(frame))))
        })
    }

    /// A column moved out of the frame's vector, which is left empty.
    pub(super) fn moved_f64(
        &mut self,
        name: &'static str,
        values: fn(&mut TickFrame) -> &mut Vec<f64>,
    ) -> Column<'_> {
        self.columns.declare(name, Float64, false, move |frame| {
            Arc::new(Float64Array::from(std::mem::take(values(frame))))
        })
    }

    /// A column of `data_type` that `encode` builds from the frame, for
    /// values that cannot be moved (Arrow packs booleans and nulls in bitmaps
    /// and strings in one buffer).
    pub(super) fn encoded(
        &mut self,
        name: &'static str,
        data_type: DataType,
        encode: fn(&mut TickFrame) -> ArrayRef,
    ) -> Column<'_> {
        self.columns.declare(name, data_type, false, encode)
    }

    /// [`Self::encoded`], for a column that may hold nulls.
    pub(super) fn nullable_encoded(
        &mut self,
        name: &'static str,
        data_type: DataType,
        encode: fn(&mut TickFrame) -> ArrayRef,
    ) -> Column<'_> {
        self.columns.declare(name, data_type, true, encode)
    }

    /// The table's definition, its columns in the order they were declared.
    pub(super) fn build(self) -> TableDef {
        TableDef {
            name: self.name,
            description: self.description,
            rows: Arc::new(self.rows),
            named_agents: false,
            columns: self.columns.list,
        }
    }
}

/// A column declared but not yet in its table: [`Column::means`] adds it, so
/// no column is written without a meaning for `moatsim schema` to print.
#[must_use = "a column joins its table only when `.means(\"…\")` gives its meaning"]
pub(super) struct Column<'t> {
    table: &'t mut Vec<ColumnDef>,
    column: ColumnDef,
}

impl Column<'_> {
    /// Written without a dictionary.
    pub(super) fn plain(mut self) -> Self {
        self.column.dictionary = false;
        self
    }

    /// Written without a dictionary or compression.
    pub(super) fn raw(mut self) -> Self {
        self.column.dictionary = false;
        self.column.compressed = false;
        self
    }

    /// The column's meaning, as `moatsim schema` prints it; the column joins
    /// its table after those declared before it.
    pub(super) fn means(mut self, description: &'static str) {
        self.column.description = description;
        self.table.push(self.column);
    }
}

/// The columns of a table being declared.
struct Columns {
    list: Vec<ColumnDef>,
    /// Whether the columns declared from now on get min/max statistics.
    statistics: bool,
}

impl Columns {
    /// `tick`, `year` and `quarter`, which every table starts with.
    fn stamped() -> Self {
        let list = vec![
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
        Self {
            list,
            statistics: true,
        }
    }

    fn declare(
        &mut self,
        name: &'static str,
        data_type: DataType,
        nullable: bool,
        encode: impl Fn(&mut TickFrame) -> ArrayRef + Send + Sync + 'static,
    ) -> Column<'_> {
        Column {
            column: ColumnDef {
                name,
                data_type,
                nullable,
                description: "",
                source: Source::Frame(Arc::new(encode)),
                dictionary: true,
                compressed: true,
                statistics: self.statistics,
            },
            table: &mut self.list,
        }
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

/// Strings, none of them null.
pub(super) fn strings<'a>(values: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(values.map(Some).collect::<StringArray>())
}

/// Booleans, none of them null.
pub(super) fn bools(values: impl Iterator<Item = bool>) -> ArrayRef {
    Arc::new(values.map(Some).collect::<BooleanArray>())
}

#[cfg(test)]
mod tests {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, UInt32Type, UInt64Type};
    use arrow_array::{BooleanArray, Float64Array, StringArray, UInt32Array, UInt64Array};
    use moatsim_records::{AppBuilderColumns, EventRow, RegulatorRow, Stamp, TickFrame, WorldRow};

    use super::{ColumnarTable, Table};
    use crate::batch_for;

    fn regulator(name: &str, cash: f64, delay: u32, pending: u64, review: bool) -> RegulatorRow {
        RegulatorRow {
            regulator_id: 7,
            name: name.to_string(),
            jurisdiction: "us".to_string(),
            cash,
            permit_delay_quarters: delay,
            permits_pending: pending,
            permits_granted: 0,
            licence_fees: 0.0,
            blocked_gpu_units: 0,
            hhi_observed: 0.0,
            antitrust_review: review,
        }
    }

    fn event(agent_id: Option<u64>, region: Option<&str>, quantity: Option<f64>) -> EventRow {
        EventRow {
            kind: "gpu_order",
            agent_id,
            counterparty_id: None,
            region: region.map(str::to_string),
            amount_usd: 0.0,
            quantity,
            detail: String::new(),
        }
    }

    fn frame() -> TickFrame {
        TickFrame {
            stamp: Stamp {
                tick: 3,
                year: 2027,
                quarter: 4,
            },
            labs: Vec::new(),
            accelerator_buyers: Vec::new(),
            investors: Vec::new(),
            chipmakers: Vec::new(),
            utilities: Vec::new(),
            regulators: vec![
                regulator("a", 1.5, 2, 10, false),
                regulator("b", 2.5, 4, 20, true),
            ],
            projects: Vec::new(),
            app_builders: AppBuilderColumns::default(),
            segment_names: Vec::new(),
            app_builder_segments: Vec::new(),
            markets: Vec::new(),
            world: WorldRow::default(),
            events: vec![
                event(Some(1), Some("us"), None),
                event(None, None, Some(4.0)),
            ],
        }
    }

    #[test]
    fn each_typed_column_reads_its_field_with_the_type_of_the_field() {
        let mut t = Table::new("regulators", "test", |f| &f.regulators);
        t.u64("pending", |r| r.permits_pending).means("u64");
        t.u32("delay", |r| r.permit_delay_quarters).means("u32");
        t.f64("cash", |r| r.cash).means("f64");
        t.bool("review", |r| r.antitrust_review).means("bool");
        t.str("name", |r| &r.name).means("str");
        let regulators = t.build();
        let batch = batch_for(&regulators, &mut frame()).expect("encodes");

        assert_eq!(batch.num_rows(), 2);
        let names: Vec<_> = regulators.columns.iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            [
                "tick", "year", "quarter", "pending", "delay", "cash", "review", "name"
            ]
        );
        assert!(regulators.columns.iter().all(|c| !c.nullable));
        assert_eq!(
            batch.column(3).as_primitive::<UInt64Type>(),
            &UInt64Array::from(vec![10, 20])
        );
        assert_eq!(
            batch.column(4).as_primitive::<UInt32Type>(),
            &UInt32Array::from(vec![2, 4])
        );
        assert_eq!(
            batch.column(5).as_primitive::<Float64Type>(),
            &Float64Array::from(vec![1.5, 2.5])
        );
        assert_eq!(
            batch.column(6).as_boolean(),
            &BooleanArray::from(vec![false, true])
        );
        assert_eq!(
            batch.column(7).as_string::<i32>(),
            &StringArray::from(vec!["a", "b"])
        );
    }

    #[test]
    fn nullable_columns_are_declared_nullable_and_keep_their_nulls() {
        let mut t = Table::new("events", "test", |f| &f.events);
        t.nullable_u64("agent", |e| e.agent_id).means("u64?");
        t.nullable_u32("agent32", |e| {
            e.agent_id.and_then(|id| u32::try_from(id).ok())
        })
        .means("u32?");
        t.nullable_f64("quantity", |e| e.quantity).means("f64?");
        t.nullable_str("region", |e| e.region.as_deref())
            .means("str?");
        let events = t.build();
        let batch = batch_for(&events, &mut frame()).expect("encodes");

        let nullable: Vec<_> = events.columns.iter().map(|c| c.nullable).collect();
        assert_eq!(nullable, [false, false, false, true, true, true, true]);
        assert_eq!(
            batch.column(3).as_primitive::<UInt64Type>(),
            &UInt64Array::from(vec![Some(1), None])
        );
        assert_eq!(
            batch.column(4).as_primitive::<UInt32Type>(),
            &UInt32Array::from(vec![Some(1), None])
        );
        assert_eq!(
            batch.column(5).as_primitive::<Float64Type>(),
            &Float64Array::from(vec![None, Some(4.0)])
        );
        assert_eq!(
            batch.column(6).as_string::<i32>(),
            &StringArray::from(vec![Some("us"), None])
        );
    }

    /// The builders' columns are the largest thing moatsim writes: a moved
    /// column must hand the frame's own allocation to Arrow, not a copy.
    #[test]
    fn moved_columns_hand_the_frames_vector_to_arrow_without_copying() {
        let mut frame = frame();
        frame.app_builders.tokens = vec![1.0, 2.0, 3.0];
        frame.app_builders.builder_id = vec![4, 5, 6];
        frame.app_builders.tenure_quarters = vec![7, 8, 9];
        let tokens = frame.app_builders.tokens.as_ptr();
        let ids = frame.app_builders.builder_id.as_ptr();
        let tenure = frame.app_builders.tenure_quarters.as_ptr();
        let mut t = ColumnarTable::new("builders", "test", |f| f.app_builders.len());
        t.moved_f64("tokens", |f| &mut f.app_builders.tokens)
            .means("f64");
        t.moved_u64("id", |f| &mut f.app_builders.builder_id)
            .means("u64");
        t.moved_u32("tenure", |f| &mut f.app_builders.tenure_quarters)
            .means("u32");
        let batch = batch_for(&t.build(), &mut frame).expect("encodes");

        assert_eq!(batch.num_rows(), 3);
        let moved_tokens = batch.column(3).as_primitive::<Float64Type>();
        assert_eq!(moved_tokens, &Float64Array::from(vec![1.0, 2.0, 3.0]));
        assert_eq!(moved_tokens.values().as_ptr(), tokens);
        let moved_ids = batch.column(4).as_primitive::<UInt64Type>();
        assert_eq!(moved_ids.values().as_ptr(), ids);
        let moved_tenure = batch.column(5).as_primitive::<UInt32Type>();
        assert_eq!(moved_tenure.values().as_ptr(), tenure);
        assert!(frame.app_builders.tokens.is_empty());
        assert!(frame.app_builders.builder_id.is_empty());
    }

    #[test]
    fn encoding_flags_change_only_where_asked() {
        let mut t = ColumnarTable::new("builders", "test", |f| f.app_builders.len());
        t.moved_f64("default", |f| &mut f.app_builders.tokens)
            .means("all on");
        t.without_statistics();
        t.moved_f64("plain", |f| &mut f.app_builders.spend)
            .plain()
            .means("no dictionary");
        t.moved_f64("raw", |f| &mut f.app_builders.profit)
            .raw()
            .means("no dictionary, no compression");
        let flags: Vec<_> = t
            .build()
            .columns
            .iter()
            .map(|c| (c.name, c.dictionary, c.compressed, c.statistics))
            .collect();
        assert_eq!(
            flags,
            [
                // The stamp: one value per row group, so no dictionary, and
                // its statistics stay whatever the table's columns do.
                ("tick", false, true, true),
                ("year", false, true, true),
                ("quarter", false, true, true),
                ("default", true, true, true),
                ("plain", false, true, false),
                ("raw", false, false, false),
            ]
        );
    }
}
