//! A Rhai rule's return value: `#{ actions: [...], suppressed: [...], next_evaluation_at: ... }`,
//! each entry an object map of the same shape as the decision JSON (amounts may be decimals,
//! instants integer milliseconds); `next_evaluation_at` is optional.

use crm_rules_contract::types::RuleOutput;
use rhai::Dynamic;
use serde_json::Value;

use crm_rules_contract::vocabulary::Vocabulary;

use super::record::Record;
use super::seen_keys::SeenKeys;
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

/// Converts a Rhai value to JSON: maps, records and `seen_keys` of the context, arrays, strings,
/// integers, booleans, `()` as null, decimals and dates as strings.
fn to_json(value: Dynamic, path: Path<'_>) -> Result<Value, String> {
    if value.is_unit() {
        return Ok(Value::Null);
    }
    if value.is::<Record>() || value.is::<SeenKeys>() {
        let map = if value.is::<Record>() {
            value.cast::<Record>().to_map()
        } else {
            value.cast::<SeenKeys>().to_map()
        };
        let map = map.map_err(|error| format!("{path}: {error}"))?;
        return to_json(Dynamic::from_map(map), path);
    }
    if value.is_map() {
        let map = value.cast::<rhai::Map>();
        let mut object = serde_json::Map::with_capacity(map.len());
        for (name, field) in map {
            let field = to_json(field, Path::Field(&path, &name))?;
            object.insert(String::from(name.as_str()), field);
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
    if value.is_string() {
        let text = value.into_immutable_string().unwrap_or_default();
        // Not `to_string()`: that goes through `Display` and the formatter, about 200 instructions
        // a text before the copy.
        return Ok(Value::String(String::from(text.as_str())));
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
    if value.is::<crm_rules_contract::types::Date>() {
        let date = value.cast::<crm_rules_contract::types::Date>();
        return Ok(Value::String(date.to_string()));
    }
    Err(format!(
        "{path}: a value of type `{}` cannot be part of a rule's output",
        value.type_name()
    ))
}

/// Reads a rule's output; a wrong shape is a `bad output` error naming the path.
///
/// The output map and its lists are read as Rhai values; each action and suppression is written
/// as JSON and read as a fixture's is, so both are read by one reader.
pub(crate) fn from_dynamic(value: Dynamic, vocabulary: &Vocabulary) -> Result<RuleOutput, String> {
    if !value.is_map() {
        return Err(format!(
            "the entry point must return #{{ actions: [...], suppressed: [...] }}, not a value of type `{}`",
            value.type_name()
        ));
    }
    let mut output = value.cast::<rhai::Map>();
    const FIELDS: [&str; 3] = ["actions", "suppressed", "next_evaluation_at"];
    if let Some(unknown) = output.keys().find(|name| !FIELDS.contains(&name.as_str())) {
        return Err(format!(
            "output.{unknown}: unknown field; the output has only `actions`, `suppressed` and \
             `next_evaluation_at`"
        ));
    }
    let next_evaluation_at = match output.remove("next_evaluation_at") {
        None => None,
        Some(value) if value.is_unit() => None,
        Some(value) => {
            let json = to_json(value, Path::Field(&Path::Output, "next_evaluation_at"))?;
            Some(
                crate::json::timestamp_from_json(&json)
                    .map_err(|error| error.within("output.next_evaluation_at").to_string())?,
            )
        }
    };
    let actions = read_each(output.remove("actions"), "actions", |item| {
        action_from_json_in(item, vocabulary)
    })?;
    let suppressed = read_each(
        output.remove("suppressed"),
        "suppressed",
        suppression_from_json,
    )?;
    Ok(RuleOutput {
        actions,
        suppressed,
        next_evaluation_at,
    })
}

/// Reads every item of the output's list `name` (absent or `()` is empty) with `read`, each item
/// written as JSON first, into a list sized to its items.
///
/// Collecting a `Result` iterator cannot know its length, so it reserves four items at once; four
/// actions are over a kilobyte, and on glibc an allocation that size first merges every small
/// block freed so far, which the interpreter leaves thousands of.
fn read_each<T>(
    list: Option<Dynamic>,
    name: &str,
    read: impl Fn(&Value) -> Result<T, crate::json::InputError>,
) -> Result<Vec<T>, String> {
    let items = match list {
        None => return Ok(Vec::new()),
        Some(value) if value.is_unit() => return Ok(Vec::new()),
        Some(value) if value.is_array() => value.cast::<rhai::Array>(),
        Some(_) => return Err(format!("output.{name}: expected an array")),
    };
    let list_path = Path::Field(&Path::Output, name);
    let mut read_items = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let json = to_json(item, Path::Item(&list_path, index))?;
        let item = read(&json)
            .map_err(|error| error.within(&format!("output.{name}[{index}]")).to_string())?;
        read_items.push(item);
    }
    Ok(read_items)
}

#[cfg(test)]
mod tests {
    use rhai::Dynamic;
    use serde_json::json;

    use super::{Path, to_json};

    fn action(fields: &[(&str, Dynamic)]) -> Dynamic {
        let map: rhai::Map = fields
            .iter()
            .map(|(name, value)| ((*name).into(), value.clone()))
            .collect();
        Dynamic::from_map(map)
    }

    #[test]
    fn every_kind_of_value_a_rule_returns_becomes_its_json() {
        let date = crm_rules_contract::types::Date {
            year: 2026,
            month: 3,
            day: 9,
        };
        let value = action(&[
            ("title", Dynamic::from("Follow up: invoice INV-7")),
            ("days", Dynamic::from_int(31)),
            ("urgent", Dynamic::from_bool(true)),
            (
                "amount",
                Dynamic::from_decimal(rust_decimal::Decimal::new(120_500, 3)),
            ),
            ("due", Dynamic::from(date)),
            ("note", Dynamic::UNIT),
            (
                "ids",
                Dynamic::from_array(vec![Dynamic::from("a"), Dynamic::from("b")]),
            ),
        ]);
        assert_eq!(
            to_json(value, Path::Output),
            Ok(json!({
                "amount": "120.5", "days": 31, "due": "2026-03-09", "ids": ["a", "b"],
                "note": null, "title": "Follow up: invoice INV-7", "urgent": true,
            }))
        );
    }

    #[test]
    fn a_value_json_cannot_hold_is_an_error_naming_its_path_and_type() {
        let value = action(&[("count", Dynamic::from(7_u8))]);
        let path = Path::Item(&Path::Field(&Path::Output, "actions"), 0);
        assert_eq!(
            to_json(value, path),
            Err(
                "output.actions[0].count: a value of type `u8` cannot be part of a rule's output"
                    .to_owned()
            )
        );
    }
}
