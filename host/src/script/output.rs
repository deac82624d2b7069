//! A Rhai rule's return value: `#{ actions: [...], suppressed: [...], next_evaluation_at: ... }`,
//! each entry an object map of the same shape as the decision JSON (amounts may be decimals,
//! instants integer milliseconds); `next_evaluation_at` is optional.

use crm_rules_contract::types::RuleOutput;
use rhai::Dynamic;
use serde_json::Value;

use crm_rules_contract::vocabulary::Vocabulary;

use super::record::Record;
use crate::json::{action_from_json_in, suppression_from_json};

/// Where a value sits in a rule's output (`output.actions[0].title`): written out only for an
/// error, so a valid output costs no text per field.
#[derive(Clone, Copy)]
enum Path<'a> {
    Output,
    Field(&'a Path<'a>, &'a str),
    Item(&'a Path<'a>, usize),
}

impl std::fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Path::Output => f.write_str("output"),
            Path::Field(parent, name) => write!(f, "{parent}.{name}"),
            Path::Item(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

/// Converts a Rhai value to JSON: maps and records of the context, arrays, strings, integers,
/// booleans, `()` as null, decimals and dates as strings.
fn to_json(value: Dynamic, path: Path<'_>) -> Result<Value, String> {
    if value.is_unit() {
        return Ok(Value::Null);
    }
    if value.is::<Record>() {
        let map = value
            .cast::<Record>()
            .to_map()
            .map_err(|error| format!("{path}: {error}"))?;
        return to_json(Dynamic::from_map(map), path);
    }
    if value.is_map() {
        let map = value.cast::<rhai::Map>();
        let mut object = serde_json::Map::with_capacity(map.len());
        for (name, field) in map {
            let field = to_json(field, Path::Field(&path, &name))?;
            object.insert(name.to_string(), field);
        }
        return Ok(Value::Object(object));
    }
    if value.is_array() {
        let array = value.cast::<rhai::Array>();
        return array
            .into_iter()
            .enumerate()
            .map(|(index, item)| to_json(item, Path::Item(&path, index)))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    let type_name = value.type_name();
    if value.is_string() {
        let text = value.into_immutable_string().unwrap_or_default();
        return Ok(Value::String(text.to_string()));
    }
    if let Ok(number) = value.as_int() {
        return Ok(Value::from(number));
    }
    if let Ok(flag) = value.as_bool() {
        return Ok(Value::Bool(flag));
    }
    if let Ok(decimal) = value.as_decimal() {
        return Ok(Value::String(decimal.normalize().to_string()));
    }
    if let Some(date) = value.try_cast::<crm_rules_contract::types::Date>() {
        return Ok(Value::String(date.to_string()));
    }
    Err(format!(
        "{path}: a value of type `{type_name}` cannot be part of a rule's output"
    ))
}

/// Reads a rule's output; a wrong shape is a `bad output` error naming the path.
pub(crate) fn from_dynamic(value: Dynamic, vocabulary: &Vocabulary) -> Result<RuleOutput, String> {
    if !value.is_map() {
        return Err(format!(
            "the entry point must return #{{ actions: [...], suppressed: [...] }}, not a value of type `{}`",
            value.type_name()
        ));
    }
    let Value::Object(mut object) = to_json(value, Path::Output)? else {
        return Err("output: expected an object map".to_owned());
    };
    const FIELDS: [&str; 3] = ["actions", "suppressed", "next_evaluation_at"];
    if let Some(unknown) = object.keys().find(|name| !FIELDS.contains(&name.as_str())) {
        return Err(format!(
            "output.{unknown}: unknown field; the output has only `actions`, `suppressed` and \
             `next_evaluation_at`"
        ));
    }
    let next_evaluation_at = match object.remove("next_evaluation_at") {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            crate::json::timestamp_from_json(&value)
                .map_err(|error| error.within("output.next_evaluation_at").to_string())?,
        ),
    };
    let entries =
        |name: &str, object: &mut serde_json::Map<String, Value>| match object.remove(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(format!("output.{name}: expected an array")),
        };
    let actions = entries("actions", &mut object)?
        .iter()
        .enumerate()
        .map(|(index, item)| {
            action_from_json_in(item, vocabulary).map_err(|error| {
                error
                    .within(&format!("output.actions[{index}]"))
                    .to_string()
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let suppressed = entries("suppressed", &mut object)?
        .iter()
        .enumerate()
        .map(|(index, item)| {
            suppression_from_json(item).map_err(|error| {
                error
                    .within(&format!("output.suppressed[{index}]"))
                    .to_string()
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RuleOutput {
        actions,
        suppressed,
        next_evaluation_at,
    })
}
