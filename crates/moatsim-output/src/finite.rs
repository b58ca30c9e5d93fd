//! The last line of defence against `NaN` and `inf` in the output: every
//! floating-point column of every batch is checked before it is written, and
//! the first non-finite value fails the run with the table, column, row and
//! quarter that hold it. A run never writes a number a user cannot compute with.

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;

/// A non-finite value found in a batch about to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct NonFinite {
    pub column: String,
    pub value: f64,
    /// The row's identifying columns, such as `lab_id=3, name=frontier-a`.
    pub row: String,
    /// The row's quarter, such as `2026Q4 (tick 7)`.
    pub when: String,
}

/// Columns that identify a row: the ones before the first floating-point
/// column, after the stamp. At most this many are named in a message.
const IDENTIFYING_COLUMNS: usize = 3;

/// The first non-finite value of any `Float64` column (nulls are allowed).
pub fn first_non_finite(batch: &RecordBatch) -> Option<NonFinite> {
    let schema = batch.schema();
    for (index, field) in schema.fields().iter().enumerate() {
        if field.data_type() != &DataType::Float64 {
            continue;
        }
        let column = batch.column(index).as_primitive::<Float64Type>();
        // A plain scan of the values buffer vectorises; nulls are looked at only
        // when a non-finite value is found.
        let found = column
            .values()
            .iter()
            .enumerate()
            .position(|(row, v)| !v.is_finite() && column.is_valid(row));
        if let Some(row) = found {
            return Some(NonFinite {
                column: field.name().clone(),
                value: column.value(row),
                row: describe_row(batch, row),
                when: when(batch, row),
            });
        }
    }
    None
}

fn when(batch: &RecordBatch, row: usize) -> String {
    let cell = |name: &str| {
        batch
            .column_by_name(name)
            .map_or_else(|| "?".to_string(), |c| cell_text(c.as_ref(), row))
    };
    format!(
        "{}Q{} (tick {})",
        cell("year"),
        cell("quarter"),
        cell("tick")
    )
}

fn describe_row(batch: &RecordBatch, row: usize) -> String {
    let schema = batch.schema();
    let mut parts = Vec::new();
    for (index, field) in schema.fields().iter().enumerate() {
        if matches!(field.name().as_str(), "tick" | "year" | "quarter") {
            continue;
        }
        if field.data_type() == &DataType::Float64 || parts.len() == IDENTIFYING_COLUMNS {
            break;
        }
        let value = cell_text(batch.column(index).as_ref(), row);
        parts.push(format!("{}={value}", field.name()));
    }
    if parts.is_empty() {
        format!("row {row}")
    } else {
        parts.join(", ")
    }
}

/// One cell as text, for the few types identifying columns have.
fn cell_text(array: &dyn Array, row: usize) -> String {
    use arrow_array::types::{Int32Type, UInt8Type, UInt32Type, UInt64Type};
    if array.is_null(row) {
        return "null".into();
    }
    if let Some(values) = array.as_string_opt::<i32>() {
        return values.value(row).to_string();
    }
    if let Some(values) = array.as_primitive_opt::<UInt64Type>() {
        return values.value(row).to_string();
    }
    if let Some(values) = array.as_primitive_opt::<UInt32Type>() {
        return values.value(row).to_string();
    }
    if let Some(values) = array.as_primitive_opt::<Int32Type>() {
        return values.value(row).to_string();
    }
    if let Some(values) = array.as_primitive_opt::<UInt8Type>() {
        return values.value(row).to_string();
    }
    if let Some(values) = array.as_boolean_opt() {
        return values.value(row).to_string();
    }
    format!("{:?}", array.data_type())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Float64Array, StringArray, UInt32Array, UInt64Array};
    use arrow_schema::{Field, Schema};

    use super::*;

    fn batch(values: Vec<Option<f64>>) -> RecordBatch {
        let rows = values.len();
        let schema = Schema::new(vec![
            Field::new("tick", DataType::UInt32, false),
            Field::new("lab_id", DataType::UInt64, false),
            Field::new("name", DataType::Utf8, false),
            Field::new("cash", DataType::Float64, true),
        ]);
        let names: Vec<String> = (0..rows).map(|i| format!("lab-{i}")).collect();
        RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(UInt32Array::from(vec![7; rows])),
                Arc::new(UInt64Array::from_iter_values(0..rows as u64)),
                Arc::new(StringArray::from_iter_values(names)),
                Arc::new(Float64Array::from(values)),
            ],
        )
        .expect("a valid batch")
    }

    #[test]
    fn finite_values_and_nulls_pass() {
        assert_eq!(
            first_non_finite(&batch(vec![Some(1.0), None, Some(-3.5)])),
            None
        );
    }

    #[test]
    fn nan_and_infinity_are_found_with_their_row() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let found = first_non_finite(&batch(vec![Some(1.0), Some(bad)])).expect("found");
            assert_eq!(found.column, "cash");
            assert_eq!(found.row, "lab_id=1, name=lab-1");
            assert_eq!(found.when, "?Q? (tick 7)");
            assert_eq!(found.value.is_nan(), bad.is_nan());
        }
    }
}
