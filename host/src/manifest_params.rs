//! Reading a manifest's `[params]` (and its `params_file`): each parameter's declaration and default.
//!
//! ```toml
//! [params]
//! own_origin = "crm-rules"                      # declared by its default: a text
//! sms_max = { USD = "500.00", JPY = "50000" }   # an amount per currency
//!
//! [params.levels]                               # declared explicitly: a table
//! type = "table"
//! columns = { schedule = "text", days = "integer", fee_percent = { type = "decimal", optional = true } }
//! default = [
//!   { schedule = "after-due-date", days = 15, fee_percent = "2.5" },
//!   { schedule = "after-due-date", days = 30 },  # no fee_percent
//! ]
//!
//! [params.endless_every]                        # optional, no default: unset unless a context sets it
//! type = "text"
//! optional = true
//! ```
//!
//! Types: `integer`, `text`, `bool`, `money-per-currency`, `decimal`, `money`, `date`, `text-list`,
//! `table` (with `columns`, each a value type: `text`, `integer`, `decimal`, `money`, `bool`, `date`,
//! `timestamp`, `text-list`; or `{ type = "text", optional = true }` for a column a row may leave
//! out). An optional parameter may be switched off by a context with `null`.

use crm_rules_contract::params::{Column, ParamSpec, ParamType};
use crm_rules_contract::types::{Param, ParamValue};
use crm_rules_contract::vocabulary::ValueType;

/// What `[params]` declares: one declaration per parameter, and the defaults (sorted by name; an
/// optional parameter without a default is [`ParamValue::Unset`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct DeclaredParams {
    pub(crate) specs: Vec<ParamSpec>,
    pub(crate) defaults: Vec<Param>,
}

/// Reads the merged `[params]` table. Errors are messages naming the key (`[params] levels.default[1].days: ...`).
pub(crate) fn read_params(table: &toml::Table) -> Result<DeclaredParams, String> {
    let mut declared = DeclaredParams::default();
    let mut shorthand = toml::Table::new();
    for (name, value) in table {
        match value {
            toml::Value::Table(entry) if entry.contains_key("type") => {
                let (spec, default) = declaration(name, entry)?;
                declared.specs.push(spec);
                declared.defaults.push(Param {
                    name: name.clone(),
                    value: default,
                });
            }
            other => {
                shorthand.insert(name.clone(), other.clone());
            }
        }
    }
    let json = serde_json::to_value(&shorthand).map_err(|error| format!("[params]: {error}"))?;
    let values =
        crate::json::params_from_json(&json).map_err(|error| format!("[params] {error}"))?;
    for param in values {
        let spec = ParamSpec::implied_by(&param.name, &param.value)
            .ok_or_else(|| format!("[params] {}: declare its type (`type = ...`)", param.name))?;
        declared.specs.push(spec);
        declared.defaults.push(param);
    }
    declared.defaults.sort_by(|a, b| a.name.cmp(&b.name));
    declared.specs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(declared)
}

/// One `name = { type = ..., ... }` declaration: its spec and its default.
fn declaration(name: &str, entry: &toml::Table) -> Result<(ParamSpec, ParamValue), String> {
    let at = format!("[params] {name}");
    if !is_param_name(name) {
        return Err(format!(
            "{at}: a parameter name is snake_case (lower-case letters, digits, _)"
        ));
    }
    let mut type_name = None;
    let mut columns = None;
    let mut optional = false;
    let mut default = None;
    for (key, value) in entry {
        match (key.as_str(), value) {
            ("type", toml::Value::String(text)) => type_name = Some(text.as_str()),
            ("columns", toml::Value::Table(table)) => columns = Some(table),
            ("optional", toml::Value::Boolean(flag)) => optional = *flag,
            ("default", value) => default = Some(value),
            ("type" | "columns" | "optional", _) => {
                return Err(format!("{at}.{key}: wrong type of value"));
            }
            (other, _) => {
                return Err(format!(
                    "{at}: unknown key `{other}`, expected type, columns, optional, default"
                ));
            }
        }
    }
    let type_name = type_name.ok_or_else(|| format!("{at}: missing `type`"))?;
    let ty = match (type_name, columns) {
        ("table", Some(columns)) => ParamType::Table(table_columns(&at, columns)?),
        ("table", None) => {
            return Err(format!(
                "{at}: a table declares its `columns` (name = type, e.g. {{ days = \"integer\" }})"
            ));
        }
        (_, Some(_)) => return Err(format!("{at}.columns: only a table has columns")),
        (other, None) => ParamType::scalar(other).ok_or_else(|| {
            format!(
                "{at}.type: unknown type `{other}`, expected one of {}",
                ParamType::NAMES.join(", ")
            )
        })?,
    };
    let value = match default {
        Some(value) => {
            let json =
                serde_json::to_value(value).map_err(|error| format!("{at}.default: {error}"))?;
            crate::json::param_value_as(&json, &ty)
                .map_err(|error| error.within(&format!("{at}.default")).to_string())?
        }
        None if optional => ParamValue::Unset,
        None => {
            return Err(format!(
                "{at}: give a `default`, or `optional = true` for a parameter that is off unless \
                 a context sets it"
            ));
        }
    };
    let spec = ParamSpec {
        name: name.to_owned(),
        ty,
        optional,
    };
    Ok((spec, value))
}

/// `columns = { name = "type", name = { type = "type", optional = true }, ... }`, in the order
/// written.
fn table_columns(at: &str, columns: &toml::Table) -> Result<Vec<Column>, String> {
    if columns.is_empty() {
        return Err(format!("{at}.columns: a table has at least one column"));
    }
    columns
        .iter()
        .map(|(name, declaration)| {
            let at = format!("{at}.columns.{name}");
            match declaration {
                toml::Value::String(ty) => Ok(Column::required(name, value_type(&at, ty)?)),
                toml::Value::Table(entry) => column_entry(&at, name, entry),
                _ => Err(format!(
                    "{at}: expected a type name, or {{ type = \"...\", optional = true }}"
                )),
            }
        })
        .collect()
}

/// `name = { type = "text", optional = true }`.
fn column_entry(at: &str, name: &str, entry: &toml::Table) -> Result<Column, String> {
    let mut ty = None;
    let mut optional = false;
    for (key, value) in entry {
        match (key.as_str(), value) {
            ("type", toml::Value::String(text)) => ty = Some(value_type(at, text)?),
            ("optional", toml::Value::Boolean(flag)) => optional = *flag,
            ("type" | "optional", _) => return Err(format!("{at}.{key}: wrong type of value")),
            (other, _) => {
                return Err(format!(
                    "{at}: unknown key `{other}`, expected type, optional"
                ));
            }
        }
    }
    let ty = ty.ok_or_else(|| format!("{at}: missing `type`"))?;
    Ok(Column {
        name: name.to_owned(),
        ty,
        optional,
    })
}

fn value_type(at: &str, name: &str) -> Result<ValueType, String> {
    ValueType::from_name(name).ok_or_else(|| {
        let all: Vec<&str> = ValueType::ALL.iter().map(|ty| ty.name()).collect();
        format!(
            "{at}: unknown type `{name}`, expected one of {}",
            all.join(", ")
        )
    })
}

fn is_param_name(name: &str) -> bool {
    name.starts_with(|first: char| first.is_ascii_lowercase())
        && name
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<DeclaredParams, String> {
        read_params(&toml::from_str(text).unwrap())
    }

    #[test]
    fn shorthand_and_declarations_are_read_with_their_defaults() {
        let declared = read(
            r#"
            own_origin = "crm-rules"
            [levels]
            type = "table"
            columns = { schedule = "text", days = "integer", fee_percent = "decimal" }
            default = [{ schedule = "after-due-date", days = 15, fee_percent = "2.5" }]
            [endless_every]
            type = "text"
            optional = true
            "#,
        )
        .unwrap();
        let names: Vec<&str> = declared
            .specs
            .iter()
            .map(|spec| spec.name.as_str())
            .collect();
        assert_eq!(names, ["endless_every", "levels", "own_origin"]);
        assert_eq!(declared.defaults[0].value, ParamValue::Unset);
        let ParamValue::Table(rows) = &declared.defaults[1].value else {
            panic!("{:?}", declared.defaults[1]);
        };
        assert_eq!(rows[0].fields[1].name, "days");
        assert!(declared.specs[1].admits(&declared.defaults[1].value));
    }

    #[test]
    fn a_column_may_be_declared_optional() {
        let declared = read(
            r#"
            [levels]
            type = "table"
            columns = { days = "integer", tag = { type = "text", optional = true } }
            default = [{ days = 15, tag = "vip" }, { days = 30 }]
            "#,
        )
        .unwrap();
        let ParamType::Table(columns) = &declared.specs[0].ty else {
            panic!("{:?}", declared.specs[0]);
        };
        assert_eq!(
            *columns,
            [
                Column::required("days", ValueType::Integer),
                Column::optional("tag", ValueType::Text)
            ]
        );
        let ParamValue::Table(rows) = &declared.defaults[0].value else {
            panic!("{:?}", declared.defaults[0]);
        };
        assert_eq!((rows[0].fields.len(), rows[1].fields.len()), (2, 1));
    }

    #[test]
    fn mistakes_name_their_key() {
        let cases = [
            (
                "[a]\ntype = \"number\"\ndefault = 1",
                "[params] a.type: unknown type `number`",
            ),
            (
                "[a]\ntype = \"table\"\ndefault = []",
                "[params] a: a table declares its `columns`",
            ),
            (
                "[a]\ntype = \"integer\"",
                "[params] a: give a `default`, or `optional = true`",
            ),
            (
                "[a]\ntype = \"integer\"\ndefualt = 1",
                "[params] a: unknown key `defualt`",
            ),
            (
                "[a]\ntype = \"table\"\ncolumns = { d = \"integer\" }\ndefault = [{ d = \"x\" }]",
                "[params] a.default[0].d: expected a whole number",
            ),
            (
                "[a]\ntype = \"table\"\ncolumns = { d = \"integer\" }\ndefault = [{ e = 1 }]",
                "[params] a.default[0].e: unknown column \"e\"",
            ),
            (
                "[a]\ntype = \"table\"\ncolumns = { d = { type = \"integer\", optinal = true } }\ndefault = []",
                "[params] a.columns.d: unknown key `optinal`, expected type, optional",
            ),
            (
                "[a]\ntype = \"table\"\ncolumns = { d = { optional = true } }\ndefault = []",
                "[params] a.columns.d: missing `type`",
            ),
            (
                "[a]\ntype = \"table\"\ncolumns = { d = \"int\" }\ndefault = []",
                "[params] a.columns.d: unknown type `int`",
            ),
            (
                "[a]\ntype = \"table\"\ncolumns = { d = \"integer\", t = { type = \"text\", optional = true } }\ndefault = [{ t = \"x\" }]",
                "[params] a.default[0].d: missing column",
            ),
            (
                "[Bad]\ntype = \"text\"\ndefault = \"x\"",
                "[params] Bad: a parameter name is snake_case",
            ),
        ];
        for (text, expected) in cases {
            let error = read(text).unwrap_err();
            assert!(error.starts_with(expected), "{text}: {error}");
        }
    }
}
