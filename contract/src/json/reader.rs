//! A small path-tracking reader over `serde_json::Value`: typed field access with exact error paths.
//!
//! Every converter has the shape `fn(&Value, &Path) -> Result<T, InputError>`; [`Obj`] applies one
//! to a field, a list or an optional value and supplies the path. Paths are a linked list on the
//! stack and are rendered only when an error is reported, so the happy path does not allocate them.

use serde_json::{Map, Value};

use super::error::InputError;

/// Where a value sits in the document: a chain of fields and list indices.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Path<'a> {
    /// The value handed to the conversion.
    Root,
    /// A field of an object.
    Field(&'a Path<'a>, &'a str),
    /// An element of a list.
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    /// The path of field `name` below this one.
    pub(crate) fn field(&'a self, name: &'a str) -> Path<'a> {
        Path::Field(self, name)
    }

    /// The path of element `index` below this one.
    pub(crate) fn index(&'a self, index: usize) -> Path<'a> {
        Path::Index(self, index)
    }

    /// The path as text: `invoices[3].due_date`.
    pub(crate) fn render(&self) -> String {
        let mut segments = Vec::new();
        let mut current = self;
        loop {
            match current {
                Path::Root => break,
                Path::Field(parent, name) => {
                    segments.push(Segment::Field(name));
                    current = parent;
                }
                Path::Index(parent, index) => {
                    segments.push(Segment::Index(*index));
                    current = parent;
                }
            }
        }
        let mut text = String::new();
        for segment in segments.iter().rev() {
            match segment {
                Segment::Field(name) => {
                    if !text.is_empty() {
                        text.push('.');
                    }
                    text.push_str(name);
                }
                Segment::Index(index) => text.push_str(&format!("[{index}]")),
            }
        }
        text
    }

    /// An error at this path.
    pub(crate) fn error(&self, message: impl Into<String>) -> InputError {
        InputError::new(self.render(), message)
    }
}

enum Segment<'a> {
    Field(&'a str),
    Index(usize),
}

/// How a JSON value is described in messages: `a string`, `null`.
pub(crate) fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// `expected {what}, found {what the value is}`.
pub(crate) fn mismatch(path: &Path, expected: &str, found: &Value) -> InputError {
    path.error(format!("expected {expected}, found {}", describe(found)))
}

/// Whether a list field may be left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presence {
    /// Absent means empty.
    Optional,
    /// Absent is an error; the text says why the list is needed.
    Required(&'static str),
}

/// A JSON object being read, with the path of the object itself.
#[derive(Debug)]
pub(crate) struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: Path<'a>,
    /// Whether `null` reads as an absent field (rule output) instead of an error (input).
    null_is_absent: bool,
}

impl<'a> Obj<'a> {
    /// Opens `value` as an object.
    pub(crate) fn open(value: &'a Value, path: Path<'a>) -> Result<Obj<'a>, InputError> {
        match value {
            Value::Object(map) => Ok(Obj {
                map,
                path,
                null_is_absent: false,
            }),
            other => Err(mismatch(&path, "an object", other)),
        }
    }

    /// Opens `value` as an object whose fields are all among `groups` (else an error naming the
    /// first unknown field and listing the known ones).
    pub(crate) fn with_fields(
        value: &'a Value,
        path: Path<'a>,
        groups: &[&[&str]],
    ) -> Result<Obj<'a>, InputError> {
        let obj = Obj::open(value, path)?;
        obj.allow(groups)?;
        Ok(obj)
    }

    /// This object with `null` read as an absent field, for rule output read back (Rhai writes `()`,
    /// which becomes `null`, for an optional field a rule leaves unset). Input never gets this:
    /// there `null` is an error (see [`Obj::get`]).
    pub(crate) fn null_is_absent(self) -> Obj<'a> {
        Obj {
            null_is_absent: true,
            ..self
        }
    }

    /// The path of the object itself.
    pub(crate) fn path(&self) -> &Path<'a> {
        &self.path
    }

    /// Rejects any field not among `groups`.
    pub(crate) fn allow(&self, groups: &[&[&str]]) -> Result<(), InputError> {
        for key in self.map.keys() {
            if !groups.iter().any(|group| group.contains(&key.as_str())) {
                let known: Vec<&str> = groups
                    .iter()
                    .flat_map(|group| group.iter().copied())
                    .collect();
                return Err(self.path.field(key).error(format!(
                    "unknown field \"{key}\", expected one of {}",
                    known.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// Rejects field `name` with `message` if it is present (for derived fields such as `today`).
    pub(crate) fn reject(&self, name: &str, message: &str) -> Result<(), InputError> {
        match self.map.get(name) {
            Some(_) => Err(self.path.field(name).error(message)),
            None => Ok(()),
        }
    }

    /// Field `name`, `None` if absent. `null` is an error: it never stands for a default, a
    /// missing record or an empty list (an input that means "none" omits the field, or gives `[]`).
    pub(crate) fn get(&self, name: &str) -> Result<Option<&'a Value>, InputError> {
        match self.map.get(name) {
            Some(Value::Null) if self.null_is_absent => Ok(None),
            Some(Value::Null) => Err(self.path.field(name).error(
                "null is not accepted; omit the field to leave it unset (or give [] for no items)",
            )),
            other => Ok(other),
        }
    }

    /// A required field, converted by `convert`.
    pub(crate) fn req<T>(
        &self,
        name: &str,
        convert: impl FnOnce(&'a Value, &Path) -> Result<T, InputError>,
    ) -> Result<T, InputError> {
        let path = self.path.field(name);
        match self.map.get(name) {
            Some(Value::Null) => Err(path.error("required field is null")),
            Some(value) => convert(value, &path),
            None => Err(path.error("missing required field")),
        }
    }

    /// An optional field (absent is `None`; null is an error), converted by `convert`.
    pub(crate) fn opt<T>(
        &self,
        name: &str,
        convert: impl FnOnce(&'a Value, &Path) -> Result<T, InputError>,
    ) -> Result<Option<T>, InputError> {
        match self.get(name)? {
            Some(value) => convert(value, &self.path.field(name)).map(Some),
            None => Ok(None),
        }
    }

    /// An optional field with a default for absent (null is an error).
    pub(crate) fn or<T>(
        &self,
        name: &str,
        default: T,
        convert: impl FnOnce(&'a Value, &Path) -> Result<T, InputError>,
    ) -> Result<T, InputError> {
        Ok(self.opt(name, convert)?.unwrap_or(default))
    }

    /// A list field (absent is empty; null is an error), each element converted by `convert`.
    pub(crate) fn list<T>(
        &self,
        name: &str,
        convert: impl FnMut(&'a Value, &Path) -> Result<T, InputError>,
    ) -> Result<Vec<T>, InputError> {
        self.list_if(name, Presence::Optional, convert)
    }

    /// A list field that must be present (`[]` when there is nothing) when `presence` is
    /// [`Presence::Required`]; otherwise as [`Obj::list`].
    pub(crate) fn list_if<T>(
        &self,
        name: &str,
        presence: Presence,
        mut convert: impl FnMut(&'a Value, &Path) -> Result<T, InputError>,
    ) -> Result<Vec<T>, InputError> {
        let path = self.path.field(name);
        match self.get(name)? {
            None => match presence {
                Presence::Optional => Ok(Vec::new()),
                Presence::Required(why) => Err(path.error(format!(
                    "missing required field: {why}; give [] if there are none"
                ))),
            },
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (index, item) in items.iter().enumerate() {
                    out.push(convert(item, &path.index(index))?);
                }
                Ok(out)
            }
            Some(other) => Err(mismatch(&path, "a list", other)),
        }
    }

    /// A list field whose elements must have distinct keys: the second element with a key already
    /// seen is an error at `{name}[i].{key_field}`: `duplicate {what} "{key}"`.
    pub(crate) fn unique_list<T>(
        &self,
        name: &str,
        what: &str,
        key_field: &str,
        key: impl Fn(&T) -> &str,
        convert: impl FnMut(&'a Value, &Path) -> Result<T, InputError>,
    ) -> Result<Vec<T>, InputError> {
        self.unique_list_if(name, Presence::Optional, what, key_field, key, convert)
    }

    /// [`Obj::unique_list`], required when `presence` says so (see [`Obj::list_if`]).
    pub(crate) fn unique_list_if<T>(
        &self,
        name: &str,
        presence: Presence,
        what: &str,
        key_field: &str,
        key: impl Fn(&T) -> &str,
        convert: impl FnMut(&'a Value, &Path) -> Result<T, InputError>,
    ) -> Result<Vec<T>, InputError> {
        let items = self.list_if(name, presence, convert)?;
        let mut seen = std::collections::HashSet::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let id = key(item);
            if !seen.insert(id) {
                let list = self.path.field(name);
                let element = list.index(index);
                return Err(element
                    .field(key_field)
                    .error(format!("duplicate {what} \"{id}\"")));
            }
        }
        Ok(items)
    }
}

/// A string.
pub(crate) fn string(value: &Value, path: &Path) -> Result<String, InputError> {
    match value {
        Value::String(text) => Ok(text.clone()),
        other => Err(mismatch(path, "a string", other)),
    }
}

/// `true` or `false`.
pub(crate) fn boolean(value: &Value, path: &Path) -> Result<bool, InputError> {
    match value {
        Value::Bool(flag) => Ok(*flag),
        other => Err(mismatch(path, "true or false", other)),
    }
}

/// A whole number from 0 to `max`.
pub(crate) fn whole(value: &Value, path: &Path, max: u64) -> Result<u64, InputError> {
    match value.as_u64() {
        Some(number) if number <= max => Ok(number),
        _ => {
            let found = match value {
                Value::Number(number) => {
                    beyond_64_bits(number).unwrap_or_else(|| number.to_string())
                }
                other => describe(other).to_owned(),
            };
            Err(path.error(format!(
                "expected a whole number from 0 to {max}, found {found}"
            )))
        }
    }
}

/// How an integer literal too large for 64 bits is described: JSON parsers keep it only as a
/// rounded float (`18446744073709551616` reads back as `1.8446744073709552e19`), so printing it would
/// show a number the input never contained. `None` for any other number.
pub(crate) fn beyond_64_bits(number: &serde_json::Number) -> Option<String> {
    let float = number.as_f64().filter(|_| number.is_f64())?;
    // 2^63: every whole float at or beyond it (either sign) is outside i64, and the u64 range past
    // it would have been read as a u64, not a float.
    (float.fract() == 0.0 && float.abs() >= 9_223_372_036_854_775_808.0)
        .then(|| "a number too large for 64 bits".to_owned())
}

/// A `u32`.
pub(crate) fn uint(value: &Value, path: &Path) -> Result<u32, InputError> {
    bounded(value, path, u32::MAX)
}

/// A `u32` from 0 to `max`.
pub(crate) fn bounded(value: &Value, path: &Path, max: u32) -> Result<u32, InputError> {
    let number = whole(value, path, u64::from(max))?;
    u32::try_from(number).map_err(|_| path.error("number out of range"))
}

#[cfg(test)]
#[path = "reader_tests.rs"]
mod tests;
