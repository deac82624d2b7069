//! Pack parameters in JSON (and in manifests converted to JSON): `{"name": value}`.
//!
//! A value is an integer ([`ParamValue::Integer`]), a string ([`ParamValue::Text`]), `true` or
//! `false` ([`ParamValue::Flag`]), or an object from currency code to amount
//! ([`ParamValue::MoneyTable`], amounts in major units as everywhere else: `{"USD": "500.00"}`).
//! Names are snake_case. Parameters come out sorted by name, money tables by currency code.

use serde_json::{Map, Value};

use crate::types::{Money, Param, ParamValue};

use super::amount::{Sign, amount, currency};
use super::error::InputError;
use super::reader::{Path, describe};

/// A parameter value as JSON: as a context's `params` override gives it, with decimals, amounts
/// and dates as text, a money table as `{"USD": "500.00"}`, a table as a list of objects, and an
/// unset optional parameter as `null`.
pub fn param_value_to_json(value: &ParamValue) -> Value {
    use crate::types::Value as Typed;
    match value {
        ParamValue::Integer(number) => Value::from(*number),
        ParamValue::Text(text) => Value::from(text.as_str()),
        ParamValue::Flag(flag) => Value::from(*flag),
        ParamValue::MoneyTable(table) => Value::Object(
            table
                .iter()
                .map(|money| {
                    let amount = super::value_to_json(&Typed::Money(money.clone()));
                    let text = amount.get("amount").cloned().unwrap_or(amount);
                    (money.currency.clone(), text)
                })
                .collect(),
        ),
        ParamValue::Decimal(decimal) => super::value_to_json(&Typed::Decimal(*decimal)),
        ParamValue::Money(money) => super::value_to_json(&Typed::Money(money.clone())),
        ParamValue::Date(date) => super::value_to_json(&Typed::Date(*date)),
        ParamValue::TextList(items) => Value::from(items.clone()),
        ParamValue::Table(rows) => Value::Array(
            rows.iter()
                .map(|row| super::fields_to_json(&row.fields))
                .collect(),
        ),
        ParamValue::Unset => Value::Null,
    }
}

/// Converts one parameter value; errors name the path relative to the value (`USD: ...`).
pub fn param_value_from_json(value: &Value) -> Result<ParamValue, String> {
    param_value(value, &Path::Root).map_err(|error| error.to_string())
}

/// Converts a parameter table (a JSON object, e.g. a manifest's `[params]` converted to JSON);
/// errors are located below `params` (`params.sms_max.USD`).
pub fn params_from_json(object: &Value) -> Result<Vec<Param>, InputError> {
    let root = Path::Root;
    params(object, &root.field("params"))
}

/// Converts the parameter table at `path`.
pub(crate) fn params_at(
    object: &Map<String, Value>,
    path: &Path,
) -> Result<Vec<Param>, InputError> {
    let mut params = Vec::with_capacity(object.len());
    for (name, value) in object {
        let here = path.field(name);
        if !is_snake_case(name) {
            return Err(here.error(format!(
                "parameter name \"{name}\" must be snake_case (lower-case letters, digits, _)"
            )));
        }
        params.push(Param {
            name: name.clone(),
            value: param_value(value, &here)?,
        });
    }
    params.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(params)
}

/// The parameter table of a context: an object, or absent.
pub(crate) fn params(value: &Value, path: &Path) -> Result<Vec<Param>, InputError> {
    match value {
        Value::Object(object) => params_at(object, path),
        other => Err(path.error(format!(
            "expected an object of parameters, found {}",
            describe(other)
        ))),
    }
}

fn is_snake_case(name: &str) -> bool {
    name.starts_with(|first: char| first.is_ascii_lowercase())
        && name
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

fn param_value(value: &Value, path: &Path) -> Result<ParamValue, InputError> {
    match value {
        Value::Bool(flag) => Ok(ParamValue::Flag(*flag)),
        Value::String(text) => Ok(ParamValue::Text(text.clone())),
        Value::Number(number) => number.as_i64().map(ParamValue::Integer).ok_or_else(|| {
            path.error(format!(
                "{number} is not a whole number that fits 64 bits; parameters are integers, \
                 texts, flags or amounts per currency"
            ))
        }),
        Value::Object(_) => money_table(value, path),
        other => Err(path.error(format!(
            "expected an integer, a string, true/false or an object of amounts per currency, \
             found {}",
            describe(other)
        ))),
    }
}

/// An object from currency code to amount, sorted by currency.
pub(crate) fn money_table(value: &Value, path: &Path) -> Result<ParamValue, InputError> {
    let Value::Object(table) = value else {
        return Err(path.error(format!(
            "expected an object of amounts per currency, found {}",
            describe(value)
        )));
    };
    let mut entries = Vec::with_capacity(table.len());
    for (code, entry) in table {
        let here = path.field(code);
        let currency = currency(&Value::String(code.clone()), &here)?;
        entries.push(Money {
            minor: amount(entry, &here, currency, Sign::NonNegative)?,
            currency: currency.code.to_owned(),
        });
    }
    entries.sort_by(|a, b| a.currency.cmp(&b.currency));
    Ok(ParamValue::MoneyTable(entries))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn table(value: Value) -> Result<Vec<Param>, String> {
        params_from_json(&value).map_err(|error| error.to_string())
    }

    #[test]
    fn converts_every_kind_of_value() {
        let params = table(json!({
            "sms_max": {"USD": "500.00", "JPY": 50000, "KWD": "150.250"},
            "own_origin": "crm-rules",
            "fast_payer_min_settled": 6,
            "send_on_weekends": false,
        }))
        .unwrap();
        let names: Vec<&str> = params.iter().map(|param| param.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "fast_payer_min_settled",
                "own_origin",
                "send_on_weekends",
                "sms_max"
            ]
        );
        assert_eq!(params[0].value, ParamValue::Integer(6));
        assert_eq!(params[1].value, ParamValue::Text("crm-rules".into()));
        assert_eq!(params[2].value, ParamValue::Flag(false));
        assert_eq!(
            params[3].value,
            ParamValue::MoneyTable(vec![
                Money::new(50_000, "JPY"),
                Money::new(150_250, "KWD"),
                Money::new(50_000, "USD"),
            ])
        );
    }

    #[test]
    fn errors_are_located_below_params() {
        let error = table(json!({"sms_max": {"USD": "5.001"}})).unwrap_err();
        assert_eq!(
            error,
            "params.sms_max.USD: \"5.001\" has 3 decimals but USD allows 2"
        );
        let error = table(json!({"sms_max": {"XYZ": "5"}})).unwrap_err();
        assert_eq!(error, "params.sms_max.XYZ: unknown currency \"XYZ\"");
        let error = table(json!({"ratio": 1.5})).unwrap_err();
        assert!(
            error.starts_with("params.ratio: 1.5 is not a whole number"),
            "{error}"
        );
        let error = table(json!({"SmsMax": 1})).unwrap_err();
        assert!(
            error.starts_with("params.SmsMax: parameter name"),
            "{error}"
        );
        let error = table(json!({"list": [1]})).unwrap_err();
        assert!(
            error.starts_with("params.list: expected an integer"),
            "{error}"
        );
    }

    #[test]
    fn single_values_report_relative_paths() {
        assert_eq!(
            param_value_from_json(&json!(30)),
            Ok(ParamValue::Integer(30))
        );
        assert_eq!(
            param_value_from_json(&json!({"USD": -1})),
            Err(
                "USD: amount must not be negative, found \"-1\"; amounts here are written without a sign"
                    .into()
            )
        );
    }
}
