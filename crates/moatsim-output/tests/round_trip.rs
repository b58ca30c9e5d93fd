//! Every table written and read back: the file's schema is the table's
//! definition, each column comes back equal to what the encoder built, and
//! named columns carry the frame's values (a column written under another's
//! name would fail here).

mod common;

use std::path::Path;

use arrow_array::{Array, Float64Array, RecordBatch, StringArray, UInt64Array};
use moatsim_output::{RunWriter, batch_for, tables};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn read_back(dir: &Path, table: &str) -> RecordBatch {
    let file = std::fs::File::open(dir.join(format!("{table}.parquet"))).expect("opens");
    // One quarter is one row group, read as one batch.
    let mut reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a parquet file")
        .with_batch_size(1 << 20)
        .build()
        .expect("reader");
    let batch = reader.next().expect("a batch").expect("reads");
    assert!(reader.next().is_none(), "{table}: one batch");
    batch
}

fn f64s<'a>(batch: &'a RecordBatch, column: &str) -> &'a Float64Array {
    batch
        .column_by_name(column)
        .and_then(|c| c.as_any().downcast_ref::<Float64Array>())
        .unwrap_or_else(|| panic!("{column} is Float64"))
}

#[test]
fn every_table_round_trips_under_its_own_names() {
    let (frames, provenance) = common::baseline_quarters(500, 1);
    let frame = frames.into_iter().next().expect("a quarter");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut writer = RunWriter::create(dir.path(), &provenance).expect("writer");
    writer.write_frame(frame.clone()).expect("writes");
    writer.finish().expect("finishes");

    for table in tables() {
        let expected = batch_for(&table, &mut frame.clone()).expect("encodes");
        let read = read_back(dir.path(), table.name);
        assert_eq!(read.schema(), table.schema(), "{}: schema", table.name);
        assert_eq!(
            read.num_rows(),
            (table.rows)(&frame),
            "{}: rows",
            table.name
        );
        for (i, column) in table.columns.iter().enumerate() {
            assert_eq!(
                read.column(i).to_data(),
                expected.column(i).to_data(),
                "{}.{} comes back as written",
                table.name,
                column.name
            );
        }
    }

    // Named columns carry the frame's own values.
    let labs = read_back(dir.path(), "labs");
    let cash = f64s(&labs, "cash");
    let revenue = f64s(&labs, "revenue");
    for (row, lab) in frame.labs.iter().enumerate() {
        assert_eq!(cash.value(row).to_bits(), lab.cash.to_bits());
        assert_eq!(revenue.value(row).to_bits(), lab.revenue.to_bits());
    }
    let builders = read_back(dir.path(), "app_builders");
    let ids = builders
        .column_by_name("builder_id")
        .and_then(|c| c.as_any().downcast_ref::<UInt64Array>())
        .expect("builder_id");
    let spend = f64s(&builders, "spend");
    let segment = builders
        .column_by_name("segment")
        .and_then(|c| c.as_any().downcast_ref::<StringArray>())
        .expect("segment");
    let b = &frame.app_builders;
    assert!(!b.is_empty());
    for row in 0..b.len() {
        assert_eq!(ids.value(row), b.builder_id[row]);
        assert_eq!(spend.value(row).to_bits(), b.spend[row].to_bits());
        assert_eq!(
            segment.value(row),
            frame.segment_names[usize::from(b.segment[row])]
        );
    }
    let world = read_back(dir.path(), "world");
    assert_eq!(
        f64s(&world, "hhi").value(0).to_bits(),
        frame.world.hhi.to_bits()
    );
}

/// Min/max statistics are written where they prune row groups (the
/// quarter's stamp) and not for the builders' own columns, whose every row
/// group spans all builders; the stamp is written without a dictionary.
#[test]
fn builder_files_keep_statistics_for_the_stamp_only() {
    let (frames, provenance) = common::baseline_quarters(500, 1);
    let frame = frames.into_iter().next().expect("a quarter");
    let tick = frame.stamp.tick;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut writer = RunWriter::create(dir.path(), &provenance).expect("writer");
    writer.write_frame(frame).expect("writes");
    writer.finish().expect("finishes");

    let file = std::fs::File::open(dir.path().join("app_builders.parquet")).expect("opens");
    let metadata = ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a parquet file")
        .metadata()
        .clone();
    let group = metadata.row_group(0);
    for column in group.columns() {
        let name = column.column_path().string();
        let stamp = matches!(name.as_str(), "tick" | "year" | "quarter");
        assert_eq!(
            column.statistics().is_some(),
            stamp,
            "app_builders.{name}: statistics only on the stamp"
        );
        if stamp {
            assert!(
                column.dictionary_page_offset().is_none(),
                "app_builders.{name}: no dictionary"
            );
        }
    }
    let tick_column = group
        .columns()
        .iter()
        .find(|c| c.column_path().string() == "tick")
        .expect("tick");
    match tick_column.statistics() {
        Some(parquet::file::statistics::Statistics::Int32(s)) => {
            assert_eq!(s.min_opt(), Some(&(tick as i32)));
            assert_eq!(s.max_opt(), Some(&(tick as i32)));
        }
        other => panic!("tick statistics: {other:?}"),
    }
}
