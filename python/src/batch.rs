//! Arrow batches of contexts in, batches of decisions out: `Pack.evaluate_batch`.
//!
//! The input is a `pyarrow.RecordBatch`, or any object with `__arrow_c_array__` (one batch) or
//! `__arrow_c_stream__` (a `pyarrow.Table`, a `RecordBatchReader`, a pandas or polars data frame),
//! imported through the Arrow PyCapsule interface. Its context column holds one JSON context per
//! row, as `string`, `large_string`, `string_view` or the three binary types.
//!
//! Every row yields exactly one output row, in input order: `line` (the row's 1-based position,
//! counted across a stream's batches), `id` (the `id_column`, unchanged, when one is named),
//! `decision` (the decision's JSON, as `crm-rules batch` writes it; null when the row is not a
//! valid context), `error` (why not, with the field path; null otherwise) and `status`
//! (`complete`, `partial` or `held-for-review`; null on error). A null row is an error row, never
//! dropped. The rows are decided on `threads` threads with the GIL released; the order of the
//! output does not depend on them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow_array::cast::AsArray;
use arrow_array::ffi_stream::RecordBatchStreamReader;
use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch, RecordBatchReader, StringArray};
use arrow_pyarrow::{FromPyArrow, IntoPyArrow, Table, ToPyArrow};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use crm_rules_host::{DecisionStatus, RulePack};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;

/// Rows handed to a thread at a time: enough to amortise the hand-over, few enough to balance
/// threads when some contexts take much longer than others.
const CHUNK_ROWS: usize = 32;

/// The columns a batch is read from.
pub(crate) struct Columns<'a> {
    /// The JSON contexts.
    pub(crate) context: &'a str,
    /// Carried through to the output as `id`, when given.
    pub(crate) id: Option<&'a str>,
}

/// What one row became: the decision's JSON and its status, or why the row is not a context.
type Row = Result<(String, &'static str), String>;

/// Decides `batch` (see the module documentation) and returns a `pyarrow.RecordBatch`, or a
/// `pyarrow.Table` for a stream.
pub(crate) fn evaluate<'py>(
    py: Python<'py>,
    pack: &RulePack,
    batch: &Bound<'py, PyAny>,
    columns: &Columns<'_>,
    threads: usize,
) -> PyResult<Bound<'py, PyAny>> {
    if batch.hasattr("__arrow_c_array__")? {
        let input = RecordBatch::from_pyarrow_bound(batch)?;
        let schema = output_schema(&input.schema(), columns)?;
        let output = py.detach(|| decide_batch(pack, &input, &schema, columns, 1, threads))?;
        return output.to_pyarrow(py);
    }
    if !batch.hasattr("__arrow_c_stream__")? {
        return Err(PyTypeError::new_err(format!(
            "expected a pyarrow.RecordBatch or Table, or an object with __arrow_c_array__ or \
             __arrow_c_stream__; got {}",
            batch.get_type().name()?
        )));
    }
    let reader = RecordBatchStreamReader::from_pyarrow_bound(batch)?;
    let schema = output_schema(&reader.schema(), columns)?;
    let mut outputs = Vec::new();
    let mut first_line = 1;
    // Each batch is read with the GIL held (a producer may call back into Python) and decided
    // without it.
    for input in reader {
        let input = input.map_err(arrow_error)?;
        let context = column(&input, columns.context)?;
        context.to_data().validate_full().map_err(arrow_error)?;
        let output =
            py.detach(|| decide_batch(pack, &input, &schema, columns, first_line, threads))?;
        first_line += input.num_rows() as u64;
        outputs.push(output);
    }
    Table::try_new(outputs, schema)
        .map_err(arrow_error)?
        .into_pyarrow(py)
}

/// An Arrow error as a Python `ValueError`.
fn arrow_error(error: ArrowError) -> PyErr {
    PyValueError::new_err(error.to_string())
}

/// The column called `name`.
fn column(batch: &RecordBatch, name: &str) -> PyResult<ArrayRef> {
    match batch.column_by_name(name) {
        Some(column) => Ok(Arc::clone(column)),
        None => Err(missing_column(&batch.schema(), name)),
    }
}

/// `ValueError` naming the missing column and the ones there are.
fn missing_column(schema: &Schema, name: &str) -> PyErr {
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    PyValueError::new_err(format!(
        "the batch has no column {name:?} (its columns: {})",
        names.join(", ")
    ))
}

/// `line`, `id` (when asked for: the input's field, renamed), `decision`, `error`, `status`.
fn output_schema(input: &Schema, columns: &Columns<'_>) -> PyResult<SchemaRef> {
    let context = input
        .field_with_name(columns.context)
        .map_err(|_| missing_column(input, columns.context))?;
    if !is_text(context.data_type()) {
        return Err(PyTypeError::new_err(format!(
            "column {:?} is {}; contexts are JSON text: string, large_string, string_view or \
             binary",
            columns.context,
            context.data_type()
        )));
    }
    let mut fields = vec![Field::new("line", DataType::Int64, false)];
    if let Some(id) = columns.id {
        let id = input
            .field_with_name(id)
            .map_err(|_| missing_column(input, id))?;
        fields.push(id.clone().with_name("id"));
    }
    fields.push(Field::new("decision", DataType::Utf8, true));
    fields.push(Field::new("error", DataType::Utf8, true));
    fields.push(Field::new("status", DataType::Utf8, true));
    Ok(Arc::new(Schema::new(fields)))
}

/// Whether a column of this type can hold JSON text.
fn is_text(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Binary
            | DataType::LargeBinary
            | DataType::BinaryView
    )
}

/// The bytes of row `index`, or `None` for a null row.
fn row_bytes(column: &dyn Array, index: usize) -> Option<&[u8]> {
    if column.is_null(index) {
        return None;
    }
    if let Some(array) = column.as_string_opt::<i32>() {
        Some(array.value(index).as_bytes())
    } else if let Some(array) = column.as_string_opt::<i64>() {
        Some(array.value(index).as_bytes())
    } else if let Some(array) = column.as_string_view_opt() {
        Some(array.value(index).as_bytes())
    } else if let Some(array) = column.as_binary_opt::<i32>() {
        Some(array.value(index))
    } else if let Some(array) = column.as_binary_opt::<i64>() {
        Some(array.value(index))
    } else {
        column.as_binary_view_opt().map(|array| array.value(index))
    }
}

/// Decides one row, as `crm-rules batch` decides one line.
fn decide_row(pack: &RulePack, bytes: Option<&[u8]>) -> Row {
    let Some(bytes) = bytes else {
        return Err("the context is null".to_owned());
    };
    let text = crm_rules_host::json::text_from_bytes(bytes).map_err(|error| error.to_string())?;
    if text.trim_matches([' ', '\t', '\r', '\n']).is_empty() {
        return Err("the context is blank; each row holds one JSON context".to_owned());
    }
    let parsed = pack
        .parse_context(text)
        .map_err(|error| error.to_string())?;
    let decision = pack.evaluate_with_id(&parsed.context, parsed.id.as_deref());
    let status = match decision.status {
        DecisionStatus::Complete => "complete",
        DecisionStatus::Partial => "partial",
        DecisionStatus::HeldForReview => "held-for-review",
    };
    Ok((decision.to_json().to_string(), status))
}

/// Decides every row of `column` on up to `threads` threads, in chunks taken in turn; the rows
/// come back in input order.
fn decide_rows(pack: &RulePack, column: &dyn Array, threads: usize) -> Result<Vec<Row>, String> {
    let rows = column.len();
    let chunks = rows.div_ceil(CHUNK_ROWS);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let chunk = next.fetch_add(1, Ordering::Relaxed);
            if chunk >= chunks {
                return done;
            }
            let range = chunk * CHUNK_ROWS..rows.min((chunk + 1) * CHUNK_ROWS);
            let decided: Vec<Row> = range
                .map(|index| decide_row(pack, row_bytes(column, index)))
                .collect();
            done.push((chunk, decided));
        }
    };
    let threads = threads.min(chunks).max(1);
    let mut done = if threads == 1 {
        work()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
            let mut done = Vec::with_capacity(chunks);
            for handle in handles {
                match handle.join() {
                    Ok(part) => done.extend(part),
                    Err(_) => return Err("an evaluation thread panicked".to_owned()),
                }
            }
            Ok(done)
        })?
    };
    done.sort_unstable_by_key(|(chunk, _)| *chunk);
    Ok(done.into_iter().flat_map(|(_, rows)| rows).collect())
}

/// A `string` column, refused when its text would overflow 32-bit offsets.
fn string_column<'a>(
    name: &str,
    values: impl Iterator<Item = Option<&'a str>> + Clone,
) -> PyResult<ArrayRef> {
    let bytes: usize = values.clone().map(|value| value.map_or(0, str::len)).sum();
    if i32::try_from(bytes).is_err() {
        return Err(PyValueError::new_err(format!(
            "the {name} column of this batch would hold {bytes} bytes, more than an Arrow string \
             column can (2 GiB); decide smaller batches"
        )));
    }
    Ok(Arc::new(values.collect::<StringArray>()))
}

/// Decides one input batch into an output batch of `schema`, its lines numbered from
/// `first_line`.
fn decide_batch(
    pack: &RulePack,
    input: &RecordBatch,
    schema: &SchemaRef,
    columns: &Columns<'_>,
    first_line: u64,
    threads: usize,
) -> PyResult<RecordBatch> {
    let context = column(input, columns.context)?;
    let rows = decide_rows(pack, context.as_ref(), threads).map_err(PyRuntimeError::new_err)?;
    let first = i64::try_from(first_line).unwrap_or(i64::MAX);
    let lines: Int64Array = (0..rows.len() as i64)
        .map(|offset| first.saturating_add(offset))
        .collect();
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(lines)];
    if let Some(id) = columns.id {
        arrays.push(column(input, id)?);
    }
    let decisions = rows
        .iter()
        .map(|row| row.as_ref().ok().map(|(json, _)| json.as_str()));
    let errors = rows
        .iter()
        .map(|row| row.as_ref().err().map(String::as_str));
    let statuses = rows
        .iter()
        .map(|row| row.as_ref().ok().map(|(_, status)| *status));
    arrays.push(string_column("decision", decisions)?);
    arrays.push(string_column("error", errors)?);
    arrays.push(string_column("status", statuses)?);
    RecordBatch::try_new(Arc::clone(schema), arrays).map_err(arrow_error)
}
