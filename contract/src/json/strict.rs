//! The JSON text parser of every input (contexts, books, fixture files): serde_json's syntax, plus
//! no duplicate keys.
//!
//! serde_json keeps the last of two equal keys, so `{"total": "12000.00", "total": "1.00"}` would be
//! an invoice for 1.00. Here the second key is an error naming its path and position
//! (`invoices[0].total: duplicate key "total" at line 3 column 30`). The check is part of building
//! the value, in the same single pass over the text as `serde_json::from_str::<Value>`: a key is
//! looked up once, by the insertion into its object that building the value needs anyway, and the
//! path is rendered only when a duplicate is found.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

use super::error::InputError;
use super::reader::Path;

/// Parses `text` as one JSON value (surrounding whitespace allowed) with no duplicate keys in any
/// object. A syntax error names its line and column (see [`InputError::syntax`]); a duplicate key
/// names its path, line and column.
pub(crate) fn parse_strict(text: &str) -> Result<Value, InputError> {
    let duplicate = Cell::new(None);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let root = Path::Root;
    let seed = ValueSeed {
        path: &root,
        duplicate: &duplicate,
    };
    let parsed = seed
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value));
    parsed.map_err(|error| match duplicate.take() {
        Some(found) => InputError::new(
            found.path,
            format!(
                "duplicate key \"{}\" at line {} column {}; a field may appear only once in an \
                 object (serde_json would silently keep the last one)",
                found.key,
                error.line(),
                error.column()
            ),
        ),
        None => InputError::syntax(&error),
    })
}

/// A duplicate key found while parsing: where, and which.
struct Duplicate {
    path: String,
    key: String,
}

/// Builds a [`Value`] from whatever the deserializer holds at `path`; the first duplicate key is
/// recorded in `duplicate` and stops the parse.
#[derive(Clone, Copy)]
struct ValueSeed<'p, 'd> {
    path: &'p Path<'p>,
    duplicate: &'d Cell<Option<Duplicate>>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        // JSON text has no NaN or infinity; this mirrors serde_json's own `Value`.
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut list = Vec::new();
        loop {
            let path = self.path.index(list.len());
            let seed = ValueSeed {
                path: &path,
                duplicate: self.duplicate,
            };
            match items.next_element_seed(seed)? {
                Some(item) => list.push(item),
                None => return Ok(Value::Array(list)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut fields: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = fields.next_key::<String>()? {
            match map.entry(key) {
                Entry::Vacant(slot) => {
                    let value = {
                        let path = self.path.field(slot.key());
                        fields.next_value_seed(ValueSeed {
                            path: &path,
                            duplicate: self.duplicate,
                        })?
                    };
                    slot.insert(value);
                }
                Entry::Occupied(slot) => {
                    let key = slot.key().clone();
                    self.duplicate.set(Some(Duplicate {
                        path: self.path.field(&key).render(),
                        key,
                    }));
                    return Err(de::Error::custom("duplicate key"));
                }
            }
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn error(text: &str) -> String {
        parse_strict(text).unwrap_err().to_string()
    }

    #[test]
    fn builds_the_same_value_as_serde_json() {
        let text = r#" {"a": [1, -2, 3.5, 18446744073709551615, 18446744073709551616],
            "b": {"c": null, "d": true, "e": "\u00e9\n"}, "f": [], "g": {}} "#;
        let expected: Value = serde_json::from_str(text).unwrap();
        assert_eq!(parse_strict(text).unwrap(), expected);
        let keys: Vec<&String> = expected.as_object().unwrap().keys().collect();
        let strict = parse_strict(text).unwrap();
        let strict_keys: Vec<&String> = strict.as_object().unwrap().keys().collect();
        assert_eq!(strict_keys, keys, "field order is kept");
        assert_eq!(parse_strict("[1]").unwrap(), json!([1]));
    }

    #[test]
    fn duplicate_keys_are_located_at_every_depth() {
        assert_eq!(
            error("{\"a\": 1,\n \"a\": 2}"),
            "a: duplicate key \"a\" at line 2 column 4; a field may appear only once in an object \
             (serde_json would silently keep the last one)"
        );
        let nested = "{\"invoices\": [{\"id\": \"i\"}, {\"id\": \"j\", \"total\": \"1\", \"total\": \"2\"}]}";
        let message = error(nested);
        assert!(
            message.starts_with("invoices[1].total: duplicate key \"total\" at line 1 column "),
            "{message}"
        );
        let deep = r#"{"account": {"payment_behaviour": {"late_12m": 1, "late_12m": 0}}}"#;
        assert!(
            error(deep).starts_with("account.payment_behaviour.late_12m: duplicate key"),
            "{}",
            error(deep)
        );
        // Equal keys in different objects are not duplicates.
        assert!(parse_strict(r#"{"a": {"id": 1}, "b": {"id": 1}, "id": 2}"#).is_ok());
    }

    #[test]
    fn syntax_errors_keep_their_line_and_column() {
        assert_eq!(error("{\n  \"a\": ,\n}"), "line 2 column 8: expected value");
        assert_eq!(error("{} x"), "line 1 column 4: trailing characters");
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(error(&deep).contains("recursion limit exceeded"));
    }
}
