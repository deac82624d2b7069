//! What a pack declares about each of its parameters: its type (a scalar, a list of texts, or a
//! table of typed columns) and whether a context may switch it off.
//!
//! A manifest declares a parameter by its default (`sms_max = { USD = "500.00" }` is a money table,
//! `own_origin = "crm-rules"` a text), or explicitly for the types a value alone cannot tell
//! (`levels = { type = "table", columns = { days = "integer", fee = "decimal" }, default = [...] }`;
//! a column a row may leave out is `tag = { type = "text", optional = true }`).
//! A context's override is read at the declared type, so `params.levels[2].days` is checked like any
//! other input.

use crate::types::{Field, ParamRow, ParamValue};
use crate::value_type::ValueType;

/// The type of a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamType {
    /// A whole number.
    Integer,
    /// A text.
    Text,
    /// Yes or no.
    Flag,
    /// One amount per currency.
    MoneyTable,
    /// An exact decimal that is not money.
    Decimal,
    /// One amount in one currency.
    Money,
    /// A local date.
    Date,
    /// A list of texts.
    TextList,
    /// Rows of named, typed columns: every required column in every row, an optional one where a
    /// row gives it.
    Table(Vec<Column>),
}

/// One column of a table parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column's name (`days`).
    pub name: String,
    /// The type of its cells.
    pub ty: ValueType,
    /// A row may leave the cell out (or give `null`); the row then has no value for it.
    pub optional: bool,
}

impl Column {
    /// A column every row gives.
    pub fn required(name: &str, ty: ValueType) -> Column {
        Column {
            name: name.to_owned(),
            ty,
            optional: false,
        }
    }

    /// A column a row may leave out.
    pub fn optional(name: &str, ty: ValueType) -> Column {
        Column {
            optional: true,
            ..Column::required(name, ty)
        }
    }
}

impl ParamType {
    /// The type's name in manifests and messages.
    pub fn name(&self) -> &'static str {
        match self {
            ParamType::Integer => "integer",
            ParamType::Text => "text",
            ParamType::Flag => "bool",
            ParamType::MoneyTable => "money-per-currency",
            ParamType::Decimal => "decimal",
            ParamType::Money => "money",
            ParamType::Date => "date",
            ParamType::TextList => "text-list",
            ParamType::Table(_) => "table",
        }
    }

    /// The names a manifest's `type` may give (a table also needs its `columns`).
    pub const NAMES: &'static [&'static str] = &[
        "integer",
        "text",
        "bool",
        "money-per-currency",
        "decimal",
        "money",
        "date",
        "text-list",
        "table",
    ];

    /// The scalar type called `name` (not `table`, which needs its columns).
    pub fn scalar(name: &str) -> Option<ParamType> {
        Some(match name {
            "integer" => ParamType::Integer,
            "text" => ParamType::Text,
            "bool" => ParamType::Flag,
            "money-per-currency" => ParamType::MoneyTable,
            "decimal" => ParamType::Decimal,
            "money" => ParamType::Money,
            "date" => ParamType::Date,
            "text-list" => ParamType::TextList,
            _ => return None,
        })
    }

    /// How a value of this type is written in JSON, for messages.
    pub fn json_form(&self) -> &'static str {
        match self {
            ParamType::Integer => "an integer",
            ParamType::Text => "a string",
            ParamType::Flag => "true or false",
            ParamType::MoneyTable => "an object of amounts per currency",
            ParamType::Decimal => "a decimal (a string like \"2.5\")",
            ParamType::Money => "an amount with its currency ({\"amount\", \"currency\"})",
            ParamType::Date => "a date (YYYY-MM-DD)",
            ParamType::TextList => "a list of strings",
            ParamType::Table(_) => "a list of rows (objects)",
        }
    }

    /// Whether `value` is of this type (a table's rows: the declared columns in their order, each
    /// of its type, every required one, nothing else).
    pub fn admits(&self, value: &ParamValue) -> bool {
        match (self, value) {
            (ParamType::Integer, ParamValue::Integer(_))
            | (ParamType::Text, ParamValue::Text(_))
            | (ParamType::Flag, ParamValue::Flag(_))
            | (ParamType::MoneyTable, ParamValue::MoneyTable(_))
            | (ParamType::Decimal, ParamValue::Decimal(_))
            | (ParamType::Money, ParamValue::Money(_))
            | (ParamType::Date, ParamValue::Date(_))
            | (ParamType::TextList, ParamValue::TextList(_)) => true,
            (ParamType::Table(columns), ParamValue::Table(rows)) => {
                rows.iter().all(|row| row_fits(columns, row))
            }
            _ => false,
        }
    }
}

fn row_fits(columns: &[Column], row: &ParamRow) -> bool {
    let mut cells = row.fields.iter().peekable();
    for column in columns {
        match cells.peek() {
            Some(cell) if cell.name == column.name => {
                if ValueType::of(&cell.value) != column.ty {
                    return false;
                }
                cells.next();
            }
            _ if column.optional => {}
            _ => return false,
        }
    }
    cells.next().is_none()
}

/// One declared parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamSpec {
    /// The parameter's name (snake_case).
    pub name: String,
    /// Its type.
    pub ty: ParamType,
    /// A context may set it to `null` (switched off, [`ParamValue::Unset`]); a declaration without
    /// a default is optional and unset unless a context sets it.
    pub optional: bool,
}

impl ParamSpec {
    /// The declaration a default value implies: its own type, not optional (the form of every
    /// parameter before declarations existed).
    pub fn implied_by(name: &str, value: &ParamValue) -> Option<ParamSpec> {
        let ty = match value {
            ParamValue::Integer(_) => ParamType::Integer,
            ParamValue::Text(_) => ParamType::Text,
            ParamValue::Flag(_) => ParamType::Flag,
            ParamValue::MoneyTable(_) => ParamType::MoneyTable,
            ParamValue::Decimal(_) => ParamType::Decimal,
            ParamValue::Money(_) => ParamType::Money,
            ParamValue::Date(_) => ParamType::Date,
            ParamValue::TextList(_) => ParamType::TextList,
            ParamValue::Table(_) | ParamValue::Unset => return None,
        };
        Some(ParamSpec {
            name: name.to_owned(),
            ty,
            optional: false,
        })
    }

    /// Whether `value` may be this parameter's value (of its type, or unset if it is optional).
    pub fn admits(&self, value: &ParamValue) -> bool {
        match value {
            ParamValue::Unset => self.optional,
            other => self.ty.admits(other),
        }
    }
}

/// The message for a parameter `name` the pack does not declare (`declared` are the names it
/// does): the nearest declared name when one is close enough to be a typo, else every declared name.
pub fn undeclared_message<'a>(
    declared: impl Iterator<Item = &'a str> + Clone,
    name: &str,
) -> String {
    let unknown = format!("the pack declares no parameter \"{name}\"");
    let names: Vec<&str> = declared.clone().collect();
    match crate::suggest::closest(declared, name) {
        Some(known) => format!("{unknown} (did you mean \"{known}\"?)"),
        None if names.is_empty() => {
            format!("{unknown}; it declares none (remove \"params\" from the context)")
        }
        None => format!(
            "{unknown}; it declares {} (remove the override or add the parameter to the pack)",
            names.join(", ")
        ),
    }
}

/// A table parameter's row read by column: what a Rust rule uses on `ctx.param_table(..)`.
pub trait RowExt {
    /// The value of `column`, if the row has it.
    fn column(&self, column: &str) -> Option<&crate::types::Value>;
}

impl RowExt for ParamRow {
    fn column(&self, column: &str) -> Option<&crate::types::Value> {
        self.fields
            .iter()
            .find(|field: &&Field| field.name == column)
            .map(|field| &field.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Value;

    fn row(cells: &[(&str, Value)]) -> ParamRow {
        ParamRow {
            fields: cells
                .iter()
                .map(|(name, value)| Field {
                    name: (*name).to_owned(),
                    value: value.clone(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_row_fits_with_its_required_columns_in_order_and_optional_ones_where_given() {
        let ty = ParamType::Table(vec![
            Column::required("days", ValueType::Integer),
            Column::optional("tag", ValueType::Text),
            Column::required("fee", ValueType::Integer),
        ]);
        let fits = |cells: &[(&str, Value)]| ty.admits(&ParamValue::Table(vec![row(cells)]));
        let days = ("days", Value::Integer(1));
        let tag = ("tag", Value::Text("vip".into()));
        let fee = ("fee", Value::Integer(5));
        assert!(fits(&[days.clone(), tag.clone(), fee.clone()]));
        assert!(
            fits(&[days.clone(), fee.clone()]),
            "the optional cell left out"
        );
        assert!(
            !fits(&[days.clone(), tag.clone()]),
            "a required cell missing"
        );
        assert!(!fits(&[fee.clone(), days.clone()]), "out of declared order");
        assert!(
            !fits(&[days.clone(), ("tag", Value::Integer(1)), fee.clone()]),
            "mistyped"
        );
        assert!(
            !fits(&[days, fee, ("extra", Value::Integer(1))]),
            "an undeclared cell"
        );
    }
}
