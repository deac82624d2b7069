//! Parameters read at their declared types ([`crate::params`]): a pack's declared defaults, and a
//! context's overrides. Where [`super::params`] guesses a value's kind from its JSON shape (the
//! form of scalar parameters), these know it: `"2.5"` is a decimal for a decimal parameter, and a
//! table's rows are read column by column, so an error names `params.levels[2].days`.

use serde_json::{Map, Value};

use crate::params::{Column, ParamSpec, ParamType};
use crate::types::{Field, Param, ParamRow, ParamValue};

use super::amount::Sign;
use super::error::InputError;
use super::reader::{Path, describe, mismatch, string};
use super::time::date;
use super::value::{Source, decimal, text_list, typed_value};

/// A value of type `ty` (a manifest's `default`, converted to JSON); error paths are relative to
/// `value` (`[2].days: ...`).
pub fn param_value_as(value: &Value, ty: &ParamType) -> Result<ParamValue, InputError> {
    typed(value, &Path::Root, ty)
}

fn typed(value: &Value, path: &Path, ty: &ParamType) -> Result<ParamValue, InputError> {
    Ok(match ty {
        ParamType::Integer => match value {
            Value::Number(number) if number.is_i64() => {
                ParamValue::Integer(number.as_i64().unwrap_or_default())
            }
            other => return Err(mismatch(path, "a whole number", other)),
        },
        ParamType::Text => ParamValue::Text(string(value, path)?),
        ParamType::Flag => match value {
            Value::Bool(flag) => ParamValue::Flag(*flag),
            other => return Err(mismatch(path, "true or false", other)),
        },
        ParamType::MoneyTable => match value {
            Value::Object(_) => super::params::money_table(value, path)?,
            other => return Err(mismatch(path, ty.json_form(), other)),
        },
        ParamType::Decimal => ParamValue::Decimal(decimal(value, path)?),
        ParamType::Money => {
            ParamValue::Money(super::amount::money_signed(value, path, Sign::NonNegative)?)
        }
        ParamType::Date => ParamValue::Date(date(value, path)?),
        ParamType::TextList => ParamValue::TextList(text_list(value, path)?),
        ParamType::Table(columns) => {
            let Value::Array(rows) = value else {
                return Err(mismatch(path, ty.json_form(), value));
            };
            let mut out = Vec::with_capacity(rows.len());
            for (index, row) in rows.iter().enumerate() {
                out.push(table_row(row, &path.index(index), columns)?);
            }
            ParamValue::Table(out)
        }
    })
}

/// One row of a table: an object of the declared columns, every required one given; an optional
/// one left out or `null` is not in the row.
fn table_row(value: &Value, path: &Path, columns: &[Column]) -> Result<ParamRow, InputError> {
    let Value::Object(row) = value else {
        return Err(mismatch(
            path,
            "a row (an object of the table's columns)",
            value,
        ));
    };
    if let Some(unknown) = row
        .keys()
        .find(|key| !columns.iter().any(|column| column.name == **key))
    {
        let names: Vec<&str> = columns.iter().map(|column| column.name.as_str()).collect();
        return Err(path.field(unknown).error(format!(
            "unknown column \"{unknown}\", expected {}",
            names.join(", ")
        )));
    }
    let mut fields = Vec::with_capacity(columns.len());
    for column in columns {
        let at = path.field(&column.name);
        let cell = match row.get(&column.name) {
            None | Some(Value::Null) if column.optional => continue,
            None => {
                return Err(at.error(
                    "missing column: every row gives every column the pack does not declare \
                     optional",
                ));
            }
            Some(Value::Null) => {
                return Err(at.error(
                    "null is not a value; the column is not optional, so every row gives it",
                ));
            }
            Some(cell) => cell,
        };
        fields.push(Field {
            name: column.name.clone(),
            value: typed_value(cell, &at, column.ty, Source::Input)?,
        });
    }
    Ok(ParamRow { fields })
}

/// A context's `params` object read against the pack's declarations: each name declared (else an
/// error naming the nearest), each value of its declared type, `null` only for an optional one.
pub(crate) fn declared_params(
    value: &Value,
    path: &Path,
    specs: &[ParamSpec],
) -> Result<Vec<Param>, InputError> {
    let Value::Object(object) = value else {
        return Err(path.error(format!(
            "expected an object of parameters, found {}",
            describe(value)
        )));
    };
    declared_entries(object, path, specs)
}

fn declared_entries(
    object: &Map<String, Value>,
    path: &Path,
    specs: &[ParamSpec],
) -> Result<Vec<Param>, InputError> {
    let mut params = Vec::with_capacity(object.len());
    for (name, item) in object {
        let at = path.field(name);
        let Some(spec) = specs.iter().find(|spec| spec.name == *name) else {
            let names = specs.iter().map(|spec| spec.name.as_str());
            return Err(at.error(crate::params::undeclared_message(names, name)));
        };
        let value = match item {
            Value::Null if spec.optional => ParamValue::Unset,
            Value::Null => {
                return Err(at.error(format!(
                    "null switches a parameter off, and \"{name}\" is not optional (the pack \
                     declares it without `optional = true`)"
                )));
            }
            item => typed(item, &at, &spec.ty).map_err(|error| retyped(error, &at, spec))?,
        };
        params.push(Param {
            name: name.clone(),
            value,
        });
    }
    params.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(params)
}

/// A type error at the parameter itself (not inside a row) says what the pack declares.
fn retyped(error: InputError, at: &Path, spec: &ParamSpec) -> InputError {
    if error.path() == at.render() && error.message().starts_with("expected ") {
        let found = error
            .message()
            .rsplit("found ")
            .next()
            .unwrap_or_default()
            .to_owned();
        return InputError::new(
            error.path(),
            format!(
                "expected {}, as the pack declares, found {found}",
                spec.ty.json_form()
            ),
        );
    }
    error
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::types::Value as Typed;
    use crate::vocabulary::ValueType;

    fn specs() -> Vec<ParamSpec> {
        vec![
            ParamSpec {
                name: "levels".into(),
                ty: ParamType::Table(vec![
                    Column::required("days", ValueType::Integer),
                    Column::required("fee", ValueType::Decimal),
                    Column::optional("tag", ValueType::Text),
                ]),
                optional: false,
            },
            ParamSpec {
                name: "endless_every".into(),
                ty: ParamType::Text,
                optional: true,
            },
            ParamSpec {
                name: "sms_max".into(),
                ty: ParamType::MoneyTable,
                optional: false,
            },
        ]
    }

    fn read(value: serde_json::Value) -> Result<Vec<Param>, String> {
        let root = Path::Root;
        declared_params(&value, &root.field("params"), &specs()).map_err(|e| e.to_string())
    }

    #[test]
    fn tables_are_read_column_by_column_and_null_switches_an_optional_one_off() {
        let params = read(json!({
            "levels": [{"days": 15, "fee": "2.5"}, {"fee": "0", "days": 30}],
            "endless_every": null,
        }))
        .unwrap();
        assert_eq!(params[0].name, "endless_every");
        assert_eq!(params[0].value, ParamValue::Unset);
        let ParamValue::Table(rows) = &params[1].value else {
            panic!("{params:?}");
        };
        assert_eq!(rows[1].fields[0].value, Typed::Integer(30));
        assert_eq!(rows[1].fields[0].name, "days", "columns in declared order");
    }

    #[test]
    fn an_optional_column_may_be_left_out_or_null() {
        let params = read(json!({
            "levels": [{"days": 15, "fee": "2.5", "tag": "vip"}, {"days": 30, "fee": "1"},
                       {"days": 45, "fee": "1", "tag": null}],
        }))
        .unwrap();
        let ParamValue::Table(rows) = &params[0].value else {
            panic!("{params:?}");
        };
        let names = |row: &ParamRow| -> Vec<String> {
            row.fields.iter().map(|field| field.name.clone()).collect()
        };
        assert_eq!(names(&rows[0]), ["days", "fee", "tag"]);
        assert_eq!(names(&rows[1]), ["days", "fee"]);
        assert_eq!(names(&rows[2]), ["days", "fee"]);
        assert!(specs()[0].admits(&params[0].value));
    }

    #[test]
    fn errors_name_the_row_and_column() {
        let cases = [
            (
                json!({"levels": [{"days": 15, "fee": "2.5"}, {"days": "30", "fee": "1"}]}),
                "params.levels[1].days: expected a whole number, found a string",
            ),
            (
                json!({"levels": [{"days": 15}]}),
                "params.levels[0].fee: missing column: every row gives every column the pack does not declare optional",
            ),
            (
                json!({"levels": [{"days": 1, "fee": "1", "extra": 1}]}),
                "params.levels[0].extra: unknown column \"extra\", expected days, fee, tag",
            ),
            (
                json!({"levels": null}),
                "params.levels: null switches a parameter off, and \"levels\" is not optional",
            ),
            (
                json!({"levels": {"days": 1}}),
                "params.levels: expected a list of rows (objects), as the pack declares, found an object",
            ),
            (
                json!({"sms_maxx": {}}),
                "params.sms_maxx: the pack declares no parameter \"sms_maxx\" (did you mean \"sms_max\"?)",
            ),
        ];
        for (value, expected) in cases {
            let error = read(value.clone()).unwrap_err();
            assert!(error.starts_with(expected), "{value}: {error}");
        }
    }

    #[test]
    fn declared_values_read_relative_to_themselves() {
        let value = param_value_as(&json!(["a", "b"]), &ParamType::TextList).unwrap();
        assert_eq!(value, ParamValue::TextList(vec!["a".into(), "b".into()]));
        let error = param_value_as(&json!([1]), &ParamType::TextList).unwrap_err();
        assert_eq!(error.to_string(), "[0]: expected a string, found a number");
    }
}
