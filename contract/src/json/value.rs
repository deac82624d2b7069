//! Typed values in JSON: custom fields on records, a custom action's or an event's fields, an
//! activity's fields. JSON does not say whether `"12.50"` is text, a decimal or an amount, so a value
//! is always read against its declared [`ValueType`]:
//!
//! | type | JSON |
//! |---|---|
//! | `text` | `"PO-1234"` |
//! | `integer` | `712` |
//! | `decimal` | `"12.5"` (a string, or an integer; never a float) |
//! | `money` | `{"amount": "5000.00", "currency": "USD"}` |
//! | `bool` | `true` |
//! | `date` | `"2027-01-31"` |
//! | `timestamp` | `"2026-03-17T14:00:00Z"` |
//! | `text-list` | `["emea", "priority"]` |
//!
//! A set of fields is a JSON object keyed by field name (`"fields": {"po_number": "PO-1"}`).

use std::str::FromStr;

use rust_decimal::Decimal as Exact;
use serde_json::{Map, Value as Json};

use crate::types::{Decimal, Field, Value};
use crate::vocabulary::{FieldSpec, ValueType, listing};

use super::amount::{Sign, format_amount, money_signed};
use super::error::InputError;
use super::reader::{Path, describe, mismatch, string};
use super::time::{date, timestamp, timestamp_or_millis, timestamp_to_json};

/// Where a typed value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// Input (a context): instants are RFC 3339 strings.
    Input,
    /// A rule's output (or a fixture's expectation of it): instants may be integer milliseconds.
    Output,
}

/// A value of type `ty`. Money may be negative (a custom field is the CRM's own: a net balance).
pub(crate) fn typed_value(
    value: &Json,
    path: &Path,
    ty: ValueType,
    source: Source,
) -> Result<Value, InputError> {
    Ok(match ty {
        ValueType::Text => Value::Text(string(value, path)?),
        ValueType::Integer => match value {
            Json::Number(number) if number.is_i64() => {
                Value::Integer(number.as_i64().unwrap_or_default())
            }
            other => return Err(mismatch(path, "a whole number", other)),
        },
        ValueType::Decimal => Value::Decimal(decimal(value, path)?),
        ValueType::Money => Value::Money(money_signed(value, path, Sign::Any)?),
        ValueType::Bool => match value {
            Json::Bool(flag) => Value::Flag(*flag),
            other => return Err(mismatch(path, "true or false", other)),
        },
        ValueType::Date => Value::Date(date(value, path)?),
        // Input gives instants as RFC 3339; a rule's output may give integer milliseconds.
        ValueType::Timestamp => Value::Timestamp(match source {
            Source::Input => timestamp(value, path)?,
            Source::Output => timestamp_or_millis(value, path)?,
        }),
        ValueType::TextList => Value::TextList(text_list(value, path)?),
    })
}

/// A list of strings.
pub(crate) fn text_list(value: &Json, path: &Path) -> Result<Vec<String>, InputError> {
    match value {
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, item)| string(item, &path.index(index)))
            .collect(),
        other => Err(mismatch(path, "a list of strings", other)),
    }
}

/// An exact decimal: a string (`"12.5"`, `"-0.75"`) or a JSON integer; floats are refused.
pub(crate) fn decimal(value: &Json, path: &Path) -> Result<Decimal, InputError> {
    let text = match value {
        Json::String(text) => text.clone(),
        Json::Number(number) if number.is_i64() || number.is_u64() => number.to_string(),
        Json::Number(number) => {
            return Err(path.error(format!(
                "{number} is a floating-point number; write decimals as strings, e.g. \"12.5\""
            )));
        }
        other => {
            return Err(path.error(format!(
                "expected a decimal (a string like \"12.5\"), found {}",
                describe(other)
            )));
        }
    };
    let exact = Exact::from_str(&text)
        .map_err(|_| path.error(format!("\"{text}\" is not a decimal number")))?;
    decimal_from_exact(exact)
        .ok_or_else(|| path.error(format!("\"{text}\" has more than 18 significant digits")))
}

/// An exact decimal as the contract's mantissa and scale, if the mantissa fits 64 bits.
pub fn decimal_from_exact(exact: Exact) -> Option<Decimal> {
    let exact = exact.normalize();
    Some(Decimal {
        mantissa: i64::try_from(exact.mantissa()).ok()?,
        scale: u8::try_from(exact.scale()).ok()?,
    })
}

/// The contract's decimal as an exact decimal (`None` if `scale` is beyond 28).
pub fn decimal_to_exact(decimal: &Decimal) -> Option<Exact> {
    Exact::try_from_i128_with_scale(i128::from(decimal.mantissa), u32::from(decimal.scale)).ok()
}

/// A value as JSON, in the shape [`typed_value`] reads.
pub fn value_to_json(value: &Value) -> Json {
    match value {
        Value::Text(text) => Json::from(text.as_str()),
        Value::Integer(number) => Json::from(*number),
        Value::Decimal(decimal) => match decimal_to_exact(decimal) {
            Some(exact) => Json::from(exact.to_string()),
            None => Json::from(format!("{}e-{}", decimal.mantissa, decimal.scale)),
        },
        Value::Money(money) => {
            let mut object = Map::new();
            match crate::money::Currency::from_code(&money.currency) {
                Ok(code) => object.insert("amount".into(), format_amount(money.minor, code).into()),
                Err(_) => object.insert("amount_minor".into(), money.minor.into()),
            };
            object.insert("currency".into(), money.currency.as_str().into());
            Json::Object(object)
        }
        Value::Flag(flag) => Json::from(*flag),
        Value::Date(date) => Json::from(date.to_string()),
        Value::Timestamp(at) => timestamp_to_json(*at),
        Value::TextList(items) => Json::from(items.clone()),
    }
}

/// Fields as a JSON object, in their order.
pub fn fields_to_json(fields: &[Field]) -> Json {
    Json::Object(
        fields
            .iter()
            .map(|field| (field.name.clone(), value_to_json(&field.value)))
            .collect(),
    )
}

/// A JSON object of fields, each declared in `specs` (`what` names the owner in messages: `invoice`,
/// `action kind "open-ticket"`); every required one must be present.
pub(crate) fn declared_fields(
    value: &Json,
    path: &Path,
    specs: &[&FieldSpec],
    what: &str,
    source: Source,
) -> Result<Vec<Field>, InputError> {
    let Json::Object(map) = value else {
        return Err(mismatch(path, "an object of fields", value));
    };
    let mut fields = Vec::with_capacity(map.len());
    for (name, item) in map {
        let field_path = path.field(name);
        let Some(spec) = specs.iter().find(|spec| spec.name == *name) else {
            return Err(field_path.error(format!(
                "field \"{name}\" is not declared for {what} in the pack's vocabulary ({})",
                listing(specs.iter().map(|spec| spec.name.as_str()))
            )));
        };
        if item.is_null() {
            return Err(field_path.error("null is not accepted; omit a field that has no value"));
        }
        fields.push(Field {
            name: name.clone(),
            value: typed_value(item, &field_path, spec.ty, source)?,
        });
    }
    for spec in specs.iter().filter(|spec| spec.required) {
        if !map.contains_key(&spec.name) {
            return Err(path.field(&spec.name).error(format!(
                "missing required field: the pack declares \"{}\" ({}) as required for {what}",
                spec.name,
                spec.ty.name()
            )));
        }
    }
    Ok(fields)
}

/// Tags: a list of distinct, non-empty strings.
pub(crate) fn tags(value: &Json, path: &Path) -> Result<Vec<String>, InputError> {
    let Json::Array(items) = value else {
        return Err(mismatch(path, "a list of tags", value));
    };
    let mut tags: Vec<String> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let item_path = path.index(index);
        let tag = string(item, &item_path)?;
        if tag.trim().is_empty() {
            return Err(item_path.error("a tag must not be empty"));
        }
        if tags.contains(&tag) {
            return Err(item_path.error(format!("duplicate tag \"{tag}\"")));
        }
        tags.push(tag);
    }
    Ok(tags)
}

/// The fields every extensible record accepts besides its own: `tags` and `fields`.
pub(crate) const EXTRAS: &[&str] = &["tags", "fields"];

/// A record's `tags` and custom `fields` (absent: none), the fields read against what the vocabulary
/// declares for `record`.
pub(crate) fn record_extras(
    obj: &super::reader::Obj,
    vocabulary: &crate::vocabulary::Vocabulary,
    record: crate::types::RecordKind,
) -> Result<(Vec<String>, Vec<Field>), InputError> {
    use crate::wire::Named as _;
    let tags = obj.or("tags", Vec::new(), tags)?;
    let specs: Vec<&FieldSpec> = vocabulary
        .record_fields(record)
        .map(|field| &field.spec)
        .collect();
    let what = record.name();
    let empty = Json::Object(Map::new());
    let value = obj.get("fields")?.unwrap_or(&empty);
    let path = obj.path().field("fields");
    let fields = declared_fields(value, &path, &specs, what, Source::Input)?;
    Ok((tags, fields))
}
