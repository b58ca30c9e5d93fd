//! Reading a finished run's tables back, for commands that report on a run
//! (`moatsim calibrate`). Numbers come back as `f64` whatever their stored
//! integer or float type, strings as `String`.
//!
//! A file is trusted only once checked: where a `manifest.json` beside it
//! records its digest, the file must match it before it is decoded, and a
//! decoder that fails on damaged bytes is an error that names the file,
//! never a panic.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::{
    Array, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray, UInt8Array, UInt32Array,
    UInt64Array,
};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot open {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a readable Parquet file: {source}", path.display())]
    Parquet {
        path: PathBuf,
        #[source]
        source: parquet::errors::ParquetError,
    },
    #[error(
        "{} is damaged ({damage}); `moatsim verify {}` checks the whole run, and rerunning it replaces it",
        path.display(), path.parent().unwrap_or(Path::new(".")).display()
    )]
    Damaged {
        path: PathBuf,
        damage: crate::digest::Damage,
    },
    #[error("{} cannot be decoded, it may be damaged: {message}", path.display())]
    Undecodable { path: PathBuf, message: String },
    #[error("{} has no column `{column}`", path.display())]
    MissingColumn { path: PathBuf, column: String },
    #[error("column `{column}` of {} is not {wanted}", path.display())]
    WrongType {
        path: PathBuf,
        column: String,
        wanted: &'static str,
    },
}

/// Some columns of one table, all rows, in file order.
#[derive(Debug, Default)]
pub struct TableColumns {
    numbers: BTreeMap<String, Vec<f64>>,
    strings: BTreeMap<String, Vec<String>>,
    rows: usize,
}

impl TableColumns {
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// A numeric column asked for in [`read_columns`]; empty if it was not.
    pub fn numbers(&self, column: &str) -> &[f64] {
        self.numbers.get(column).map_or(&[], Vec::as_slice)
    }

    /// A string column asked for in [`read_columns`]; empty if it was not.
    pub fn strings(&self, column: &str) -> &[String] {
        self.strings.get(column).map_or(&[], Vec::as_slice)
    }
}

/// Checks `path` against the digest its run's manifest records, if any.
fn check_recorded(path: &Path) -> Result<(), ReadError> {
    match crate::manifest::recorded_digest(path) {
        Some(digest) => {
            crate::digest::check_file(path, &digest).map_err(|damage| ReadError::Damaged {
                path: path.to_path_buf(),
                damage,
            })
        }
        None => Ok(()),
    }
}

/// Decodes with `decode`, turning a panic of the decoder into an error that
/// names the file.
fn guarded<T>(path: &Path, decode: impl FnOnce() -> Result<T, ReadError>) -> Result<T, ReadError> {
    crate::guard::decoding(decode).unwrap_or_else(|message| {
        Err(ReadError::Undecodable {
            path: path.to_path_buf(),
            message,
        })
    })
}

/// Reads the named numeric and string columns of a Parquet table file.
pub fn read_columns(
    path: &Path,
    numeric: &[&str],
    text: &[&str],
) -> Result<TableColumns, ReadError> {
    check_recorded(path)?;
    guarded(path, || decode_columns(path, numeric, text))
}

fn decode_columns(path: &Path, numeric: &[&str], text: &[&str]) -> Result<TableColumns, ReadError> {
    let file = File::open(path).map_err(|source| ReadError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let parquet_error = |source| ReadError::Parquet {
        path: path.to_path_buf(),
        source,
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(parquet_error)?
        .build()
        .map_err(parquet_error)?;
    let mut out = TableColumns::default();
    for batch in reader {
        let batch = batch.map_err(|e| ReadError::Parquet {
            path: path.to_path_buf(),
            source: e.into(),
        })?;
        out.rows += batch.num_rows();
        for &name in numeric {
            let values = numbers_of(&batch, name, path)?;
            out.numbers
                .entry(name.to_string())
                .or_default()
                .extend(values);
        }
        for &name in text {
            let values = strings_of(&batch, name, path)?;
            out.strings
                .entry(name.to_string())
                .or_default()
                .extend(values);
        }
    }
    Ok(out)
}

/// What a column holds, as [`read_columns`] can read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Number,
    Text,
    Other,
}

/// The columns of a Parquet table file, in order, with what each holds.
pub fn column_kinds(path: &Path) -> Result<Vec<(String, ColumnKind)>, ReadError> {
    check_recorded(path)?;
    guarded(path, || decode_kinds(path))
}

fn decode_kinds(path: &Path) -> Result<Vec<(String, ColumnKind)>, ReadError> {
    use arrow_schema::DataType;
    let file = File::open(path).map_err(|source| ReadError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|source| ReadError::Parquet {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(builder
        .schema()
        .fields()
        .iter()
        .map(|field| {
            let kind = match field.data_type() {
                DataType::Float64
                | DataType::UInt64
                | DataType::UInt32
                | DataType::UInt8
                | DataType::Int64
                | DataType::Int32 => ColumnKind::Number,
                DataType::Utf8 => ColumnKind::Text,
                _ => ColumnKind::Other,
            };
            (field.name().clone(), kind)
        })
        .collect())
}

fn column<'b>(batch: &'b RecordBatch, name: &str, path: &Path) -> Result<&'b dyn Array, ReadError> {
    batch
        .column_by_name(name)
        .map(|c| c.as_ref())
        .ok_or_else(|| ReadError::MissingColumn {
            path: path.to_path_buf(),
            column: name.to_string(),
        })
}

fn numbers_of(batch: &RecordBatch, name: &str, path: &Path) -> Result<Vec<f64>, ReadError> {
    let array = column(batch, name, path)?;
    let any = array.as_any();
    // Nulls (a value the quarter did not have) read as NaN.
    macro_rules! convert {
        ($ty:ty) => {
            if let Some(a) = any.downcast_ref::<$ty>() {
                return Ok((0..a.len())
                    .map(|i| {
                        if a.is_null(i) {
                            f64::NAN
                        } else {
                            a.value(i) as f64
                        }
                    })
                    .collect());
            }
        };
    }
    convert!(Float64Array);
    convert!(UInt64Array);
    convert!(UInt32Array);
    convert!(UInt8Array);
    convert!(Int64Array);
    convert!(Int32Array);
    Err(ReadError::WrongType {
        path: path.to_path_buf(),
        column: name.to_string(),
        wanted: "a number",
    })
}

fn strings_of(batch: &RecordBatch, name: &str, path: &Path) -> Result<Vec<String>, ReadError> {
    let array = column(batch, name, path)?;
    let strings = array
        .as_any()
        .downcast_ref::<StringArray>()
        .ok_or_else(|| ReadError::WrongType {
            path: path.to_path_buf(),
            column: name.to_string(),
            wanted: "a string",
        })?;
    Ok((0..strings.len())
        .map(|i| strings.value(i).to_string())
        .collect())
}
