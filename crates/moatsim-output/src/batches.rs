//! Turns one quarter's [`TickFrame`] into one record batch per table, from the
//! table's column definitions (`tables/`).

use arrow_array::{ArrayRef, RecordBatch};
use moatsim_records::TickFrame;

use crate::tables::{Source, TableDef};

/// The batch of `table` for this frame. It may move the frame's vectors into
/// the batch (the builder columns), so each table is encoded from a frame
/// once.
pub fn batch_for(
    table: &TableDef,
    frame: &mut TickFrame,
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let rows = (table.rows)(frame);
    let columns: Vec<ArrayRef> = table
        .columns
        .iter()
        .map(|column| match &column.source {
            Source::Stamp(values) => values(frame.stamp, rows),
            Source::Frame(values) => values(frame),
        })
        .collect();
    RecordBatch::try_new(table.schema(), columns)
}
