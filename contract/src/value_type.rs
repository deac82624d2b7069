//! The type of a typed value: a custom field's, a custom action's or event's field's, a table
//! parameter's column's. Its own module, so that what declares types (the vocabulary, the
//! parameters) depends on it and not on each other.

use crate::types::Value;

/// The type of a custom field, a custom action's field or an event's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// Free text.
    Text,
    /// A whole number.
    Integer,
    /// An exact decimal that is not money.
    Decimal,
    /// An amount with its currency.
    Money,
    /// Yes or no.
    Bool,
    /// A local calendar date.
    Date,
    /// An instant.
    Timestamp,
    /// A list of texts.
    TextList,
}

impl ValueType {
    /// Every type, in the order the contract lists them.
    pub const ALL: &'static [ValueType] = &[
        ValueType::Text,
        ValueType::Integer,
        ValueType::Decimal,
        ValueType::Money,
        ValueType::Bool,
        ValueType::Date,
        ValueType::Timestamp,
        ValueType::TextList,
    ];

    /// The type's name in manifests and messages (`text`, `text-list`).
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Text => "text",
            ValueType::Integer => "integer",
            ValueType::Decimal => "decimal",
            ValueType::Money => "money",
            ValueType::Bool => "bool",
            ValueType::Date => "date",
            ValueType::Timestamp => "timestamp",
            ValueType::TextList => "text-list",
        }
    }

    /// The type with this manifest name.
    pub fn from_name(name: &str) -> Option<ValueType> {
        ValueType::ALL.iter().copied().find(|ty| ty.name() == name)
    }

    /// The type of a value.
    pub fn of(value: &Value) -> ValueType {
        match value {
            Value::Text(_) => ValueType::Text,
            Value::Integer(_) => ValueType::Integer,
            Value::Decimal(_) => ValueType::Decimal,
            Value::Money(_) => ValueType::Money,
            Value::Flag(_) => ValueType::Bool,
            Value::Date(_) => ValueType::Date,
            Value::Timestamp(_) => ValueType::Timestamp,
            Value::TextList(_) => ValueType::TextList,
        }
    }
}
