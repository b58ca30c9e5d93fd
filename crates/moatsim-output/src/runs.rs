//! The `runs` table of a sweep: one row per planned run with its id, scenario,
//! seed, status and every swept parameter, so results join to parameters in one
//! query. Its columns depend on the sweep, so it is built here from plain
//! columns rather than declared under `tables/` with the run's own tables.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::OutputError;

/// One column of the runs table.
#[derive(Debug, Clone)]
pub enum RunsColumn {
    Text(Vec<String>),
    Number(Vec<Option<f64>>),
    Count(Vec<u64>),
}

/// Writes `columns` to `path` atomically: into a temporary file in the same
/// folder, then renamed over the old table, so readers never see half a file.
pub fn write_runs_table(path: &Path, columns: &[(String, RunsColumn)]) -> Result<(), OutputError> {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, column)| match column {
            RunsColumn::Text(_) => Field::new(name, DataType::Utf8, false),
            RunsColumn::Number(_) => Field::new(name, DataType::Float64, true),
            RunsColumn::Count(_) => Field::new(name, DataType::UInt64, false),
        })
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let arrays: Vec<ArrayRef> = columns
        .iter()
        .map(|(_, column)| -> ArrayRef {
            match column {
                RunsColumn::Text(values) => Arc::new(StringArray::from_iter_values(values)),
                RunsColumn::Number(values) => Arc::new(Float64Array::from(values.clone())),
                RunsColumn::Count(values) => Arc::new(UInt64Array::from(values.clone())),
            }
        })
        .collect();
    let table = "runs";
    let batch = RecordBatch::try_new(Arc::clone(&schema), arrays)
        .map_err(|source| OutputError::Arrow { table, source })?;
    let temporary = path.with_file_name(format!(".runs-{}.parquet.partial", std::process::id()));
    let file = File::create(&temporary).map_err(|source| OutputError::Create {
        path: temporary.clone(),
        source,
    })?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_created_by(format!("moatsim {}", env!("CARGO_PKG_VERSION")))
        .build();
    let parquet = |source| OutputError::Parquet { table, source };
    let mut writer =
        ArrowWriter::try_new(BufWriter::new(file), schema, Some(properties)).map_err(parquet)?;
    writer.write(&batch).map_err(parquet)?;
    writer.close().map_err(parquet)?;
    std::fs::rename(&temporary, path).map_err(|source| OutputError::Create {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(())
}
