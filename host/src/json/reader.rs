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

/// A JSON object being read, with the path of the object itself.
#[derive(Debug)]
pub(crate) struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: Path<'a>,
}

impl<'a> Obj<'a> {
    /// Opens `value` as an object.
    pub(crate) fn open(value: &'a Value, path: Path<'a>) -> Result<Obj<'a>, InputError> {
        match value {
            Value::Object(map) => Ok(Obj { map, path }),
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

    /// Field `name`, unless absent or null.
    pub(crate) fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|value| !value.is_null())
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

    /// An optional field (absent or null is `None`), converted by `convert`.
    pub(crate) fn opt<T>(
        &self,
        name: &str,
        convert: impl FnOnce(&'a Value, &Path) -> Result<T, InputError>,
    ) -> Result<Option<T>, InputError> {
        match self.get(name) {
            Some(value) => convert(value, &self.path.field(name)).map(Some),
            None => Ok(None),
        }
    }

    /// An optional field with a default for absent or null.
    pub(crate) fn or<T>(
        &self,
        name: &str,
        default: T,
        convert: impl FnOnce(&'a Value, &Path) -> Result<T, InputError>,
    ) -> Result<T, InputError> {
        Ok(self.opt(name, convert)?.unwrap_or(default))
    }

    /// A list field (absent or null is empty), each element converted by `convert`.
    pub(crate) fn list<T>(
        &self,
        name: &str,
        mut convert: impl FnMut(&'a Value, &Path) -> Result<T, InputError>,
    ) -> Result<Vec<T>, InputError> {
        let path = self.path.field(name);
        match self.get(name) {
            None => Ok(Vec::new()),
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
        let items = self.list(name, convert)?;
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

/// A list of strings.
pub(crate) fn strings(value: &Value, path: &Path) -> Result<Vec<String>, InputError> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, item)| string(item, &path.index(index)))
            .collect(),
        other => Err(mismatch(path, "a list of strings", other)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_render_fields_and_indices() {
        let root = Path::Root;
        let invoices = root.field("invoices");
        let third = invoices.index(3);
        assert_eq!(third.field("due_date").render(), "invoices[3].due_date");
        assert_eq!(root.render(), "");
        assert_eq!(root.index(0).field("id").render(), "[0].id");
    }

    #[test]
    fn fields_are_typed_and_located() {
        let value = json!({"name": 5, "tags": ["a", 1], "flag": null, "n": -1});
        let obj = Obj::open(&value, Path::Root).unwrap();
        let error = obj.req("name", string).unwrap_err();
        assert_eq!(error.to_string(), "name: expected a string, found a number");
        let error = obj.req("tags", strings).unwrap_err();
        assert_eq!(
            error.to_string(),
            "tags[1]: expected a string, found a number"
        );
        assert!(!obj.or("flag", false, boolean).unwrap());
        let error = obj.req("flag", boolean).unwrap_err();
        assert_eq!(error.to_string(), "flag: required field is null");
        let error = obj.req("missing", boolean).unwrap_err();
        assert_eq!(error.to_string(), "missing: missing required field");
        let error = obj.req("n", uint).unwrap_err();
        assert_eq!(
            error.to_string(),
            "n: expected a whole number from 0 to 4294967295, found -1"
        );
        let huge: Value = serde_json::from_str("{\"n\": 18446744073709551616}").unwrap();
        let error = Obj::open(&huge, Path::Root)
            .unwrap()
            .req("n", uint)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "n: expected a whole number from 0 to 4294967295, found a number too large for 64 bits"
        );
    }

    #[test]
    fn unknown_fields_and_duplicates_are_named() {
        let value = json!({"items": [{"id": "a"}, {"id": "b"}, {"id": "a"}], "itemz": 1});
        let error = Obj::with_fields(&value, Path::Root, &[&["items"]]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "itemz: unknown field \"itemz\", expected one of items"
        );
        let obj = Obj::open(&value, Path::Root).unwrap();
        let error = obj
            .unique_list(
                "items",
                "item id",
                "id",
                |id: &String| id,
                |item, path| Obj::open(item, *path)?.req("id", string),
            )
            .unwrap_err();
        assert_eq!(error.to_string(), "items[2].id: duplicate item id \"a\"");
    }
}
