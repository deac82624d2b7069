//! What contract 0.2 added to the context, as Rhai sees it: tags and custom fields on records, the
//! trigger, subscriptions, billing entities, instalments and the account's dunning state.
//!
//! A record's `fields` holds every field the pack declares for that kind of record: its value, or
//! `()` when the record has none (so `invoice.fields.po_number` reads a declared field whether or
//! not it is set, and an undeclared or misspelt name is an error that says so). Values are typed: text is a string,
//! integers `INT`, decimals exact decimals, money a record of `amount` and `currency`, dates `Date`, instants integer
//! milliseconds, text lists arrays. `tags` is an array of strings.

use crm_rules_contract::json::decimal_to_exact;
use crm_rules_contract::params::Column;
use crm_rules_contract::types::{
    DunningStatus, Field, Instalment, ParamRow, RecordKind, Trigger, Value,
};
use crm_rules_contract::vocabulary::Vocabulary;
use rhai::{Array, Dynamic, Map};

use super::dynamic::{amount, exponent, list, money, name, opt, text};
use super::record::record;

/// A typed value.
pub(crate) fn value(value: &Value) -> Dynamic {
    match value {
        Value::Text(text_value) => text(text_value),
        Value::Integer(number) => Dynamic::from(*number),
        Value::Decimal(decimal) => {
            decimal_to_exact(decimal).map_or(Dynamic::UNIT, Dynamic::from_decimal)
        }
        Value::Money(amount_value) => money(amount_value),
        Value::Flag(flag) => Dynamic::from(*flag),
        Value::Date(date) => Dynamic::from(*date),
        Value::Timestamp(at) => Dynamic::from(*at),
        Value::TextList(items) => list(items, |item| text(item)),
    }
}

/// A record's custom fields: every declared one, `()` where the record has no value.
pub(crate) fn fields(fields: &[Field], record: RecordKind, vocabulary: &Vocabulary) -> Dynamic {
    use crm_rules_contract::wire::Named as _;
    let mut values = Map::new();
    for declared in vocabulary.record_fields(record) {
        values.insert(declared.spec.name.as_str().into(), Dynamic::UNIT);
    }
    for field in fields {
        values.insert(field.name.as_str().into(), value(&field.value));
    }
    Dynamic::from(super::custom_fields::CustomFields {
        record: record.name(),
        values,
    })
}

/// Named values (an event's or a custom action's fields; a table row) as a map.
pub(crate) fn named_values(fields: &[Field]) -> Dynamic {
    let mut map = Map::new();
    for field in fields {
        map.insert(field.name.as_str().into(), value(&field.value));
    }
    Dynamic::from_map(map)
}

/// A table parameter's row as a map: its cells, and `()` for each of `columns` it leaves out.
pub(crate) fn table_row(row: &ParamRow, columns: &[Column]) -> Dynamic {
    let mut map = Map::new();
    for column in columns {
        map.insert(column.name.as_str().into(), Dynamic::UNIT);
    }
    for field in &row.fields {
        map.insert(field.name.as_str().into(), value(&field.value));
    }
    Dynamic::from_map(map)
}

/// Tags as an array of strings.
pub(crate) fn tags(tags: &[String]) -> Dynamic {
    Dynamic::from_array(tags.iter().map(|tag| text(tag)).collect::<Array>())
}

/// The trigger: `#{kind: "scheduled"}`, `#{kind: "payment-attempt", attempt_id: ...}`, ...
pub(crate) fn trigger(trigger: &Trigger) -> Dynamic {
    let kind = text(trigger.kind_name());
    match trigger {
        Trigger::Scheduled | Trigger::DealEvent => record!("trigger" { "kind" => kind }),
        Trigger::PaymentAttempt(id) => {
            record!("trigger" { "kind" => kind, "attempt_id" => text(id) })
        }
        Trigger::InvoiceEvent(event) => record!("trigger" {
            "kind" => kind, "invoice_id" => text(&event.invoice_id), "event" => name(&event.kind),
            "amount" => opt(event.amount.as_ref(), money),
        }),
        Trigger::TagChange(change) => record!("trigger" {
            "kind" => kind, "record" => name(&change.record),
            "record_id" => text(&change.record_id), "added" => tags(&change.added),
            "removed" => tags(&change.removed),
        }),
        Trigger::Dispute(change) => record!("trigger" {
            "kind" => kind, "invoice_id" => text(&change.invoice_id),
            "status" => name(&change.status),
        }),
    }
}

/// An invoice's instalments, amounts in the invoice's currency.
pub(crate) fn instalments(instalments: &[Instalment], currency: &str) -> Dynamic {
    let e = exponent(currency);
    list(instalments, |instalment| {
        record!("instalment" {
            "id" => text(&instalment.id), "due_date" => Dynamic::from(instalment.due_date),
            "amount" => amount(instalment.amount_minor, e),
            "paid" => amount(instalment.paid_minor, e),
        })
    })
}

/// The account's dunning state.
pub(crate) fn dunning_state(status: Option<&DunningStatus>) -> Dynamic {
    opt(status, |status| {
        record!("dunning_state" {
            "state" => text(&status.state), "since" => Dynamic::from(status.since),
            "key" => text(&status.key),
        })
    })
}
