//! Python values to JSON text and back.
//!
//! A context given as a `dict` is turned into JSON text and read by
//! [`crm_rules_host::RulePack::parse_context`], exactly as text would be, so a `dict` and its
//! `json.dumps` are the same input with the same checks. Only JSON's own types are taken: a `dict`
//! with `str` keys, a `list` or `tuple`, a `str`, an `int`, a `float`, a `bool` and `None` (which
//! the reader then refuses where a context has it, naming the field). Anything else (a
//! `Decimal`, a `date`, a `set`, an `int` key) is an input error at its path rather than a silent
//! conversion: amounts are decimal strings in the contract, dates `YYYY-MM-DD` strings.

use crm_rules_host::json::InputError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// Nesting deeper than this is refused: serde_json's own limit for JSON text, and a guard against
/// a `dict` that contains itself.
const MAX_DEPTH: usize = 128;

/// The JSON text of a Python value, or the input error at the path of the first value JSON cannot
/// hold.
pub(crate) fn to_json_text(value: &Bound<'_, PyAny>) -> PyResult<Result<String, InputError>> {
    let mut path = String::new();
    Ok(match to_value(value, &mut path, 0)? {
        Ok(value) => Ok(value.to_string()),
        Err(error) => Err(error),
    })
}

/// Appends `.key` (or `key` at the top) to `path`.
fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// `value` as JSON; `Err` of the inner result is an input error, of the outer one a Python error
/// (a `str` that cannot be read, a `dict` changed while read).
fn to_value(
    value: &Bound<'_, PyAny>,
    path: &mut String,
    depth: usize,
) -> PyResult<Result<Value, InputError>> {
    if depth > MAX_DEPTH {
        return Ok(Err(InputError::new(
            path.clone(),
            format!("nested deeper than {MAX_DEPTH} levels (does a dict or list contain itself?)"),
        )));
    }
    if value.is_none() {
        return Ok(Ok(Value::Null));
    }
    if let Ok(boolean) = value.cast::<PyBool>() {
        return Ok(Ok(Value::Bool(boolean.is_true())));
    }
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(Ok(Value::String(text.to_cow()?.into_owned())));
    }
    if value.is_instance_of::<PyInt>() {
        return Ok(int_value(value, path));
    }
    if let Ok(float) = value.cast::<PyFloat>() {
        // Floats are refused by the context reader with the field's path; NaN and infinities
        // have no JSON form at all.
        return Ok(match Number::from_f64(float.value()) {
            Some(number) => Ok(Value::Number(number)),
            None => Err(InputError::new(
                path.clone(),
                "NaN and infinities have no JSON form",
            )),
        });
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut object = Map::new();
        for (key, item) in dict.iter() {
            let Ok(key) = key.cast::<PyString>() else {
                return Ok(Err(InputError::new(
                    path.clone(),
                    format!(
                        "a key is {}, not a str: JSON object keys are strings",
                        type_name(&key)
                    ),
                )));
            };
            let key = key.to_cow()?.into_owned();
            let length = path.len();
            push_key(path, &key);
            let item = to_value(&item, path, depth + 1)?;
            path.truncate(length);
            match item {
                Ok(item) => object.insert(key, item),
                Err(error) => return Ok(Err(error)),
            };
        }
        return Ok(Ok(Value::Object(object)));
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let mut array = Vec::new();
        for (index, item) in value.try_iter()?.enumerate() {
            let length = path.len();
            path.push_str(&format!("[{index}]"));
            let item = to_value(&item?, path, depth + 1)?;
            path.truncate(length);
            match item {
                Ok(item) => array.push(item),
                Err(error) => return Ok(Err(error)),
            }
        }
        return Ok(Ok(Value::Array(array)));
    }
    Ok(Err(InputError::new(
        path.clone(),
        format!(
            "{} is not a JSON value (dict, list, str, int, float, bool or None); write amounts \
             as decimal strings (\"12.50\") and dates as \"YYYY-MM-DD\"",
            type_name(value)
        ),
    )))
}

/// An `int` as a JSON number, if it fits in 64 bits.
fn int_value(value: &Bound<'_, PyAny>, path: &str) -> Result<Value, InputError> {
    if let Ok(signed) = value.extract::<i64>() {
        return Ok(Value::from(signed));
    }
    if let Ok(unsigned) = value.extract::<u64>() {
        return Ok(Value::from(unsigned));
    }
    Err(InputError::new(path, "the integer does not fit in 64 bits"))
}

/// The name of a value's type, for messages.
fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "a value".to_owned(), |name| name.to_string())
}

/// A JSON value as Python objects: objects become `dict`s (in the JSON's key order), arrays
/// `list`s, numbers `int`s (or `float`s), and `null` `None`.
pub(crate) fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(boolean) => PyBool::new(py, *boolean).to_owned().into_any(),
        Value::Number(number) => {
            if let Some(signed) = number.as_i64() {
                signed.into_pyobject(py)?.into_any()
            } else if let Some(unsigned) = number.as_u64() {
                unsigned.into_pyobject(py)?.into_any()
            } else {
                number
                    .as_f64()
                    .unwrap_or(f64::NAN)
                    .into_pyobject(py)?
                    .into_any()
            }
        }
        Value::String(text) => PyString::new(py, text).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(object) => {
            let dict = PyDict::new(py);
            for (key, item) in object {
                dict.set_item(key, to_python(py, item)?)?;
            }
            dict.into_any()
        }
    })
}
