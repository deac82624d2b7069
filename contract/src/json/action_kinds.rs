//! The action kinds contract 0.2 added, in JSON: dunning states, fees, notices, payment requests,
//! field updates, events, subscription changes and the pack's own kinds.
//!
//! Amounts are flat, like `create-invoice`'s: one `currency` and decimal strings in its major units
//! (`"amount_due": "120.00", "fee": "5.00", "total": "125.00", "currency": "EUR"`). Typed values
//! (`set-field`'s `value`, the `fields` of events and custom actions) are in the shape of
//! [`super::value`], at the type the vocabulary declares.

use serde_json::{Map, Value};

use crate::money::Currency;
use crate::types::{
    ActionDetail, ActionKind, CustomAction, DunningEntry, DunningExit, Event, Fee, FieldUpdate,
    Money, Notice, PaymentRequest, SubscriptionChange,
};
use crate::vocabulary::{FieldSpec, Vocabulary};
use crate::wire::Named;

use super::amount::{Sign, amount, currency, format_amount};
use super::enums::parse_enum;
use super::error::InputError;
use super::ids::ids;
use super::out::Out;
use super::reader::{Obj, Path, string, uint};
use super::value::{Source, declared_fields, fields_to_json, typed_value, value_to_json};

/// The parameter fields of each 0.2 kind (the 0.1 kinds are in [`super::action`]).
pub(crate) fn extended_fields(kind: &ActionKind) -> &'static [&'static str] {
    match kind {
        ActionKind::EnterDunningState => &["state", "blocks", "customer_message", "subscriptions"],
        ActionKind::LeaveDunningState => &["state"],
        ActionKind::ApplyFee => &[
            "fee_kind",
            "amount",
            "currency",
            "invoice_id",
            "placement",
            "label",
        ],
        ActionKind::SendNotice => &[
            "template",
            "channel",
            "contact_id",
            "invoice_ids",
            "instalment_id",
            "currency",
            "amount_due",
            "fee",
            "interest",
            "total",
            "payment_link",
        ],
        ActionKind::RequestPayment => &["amount", "currency", "invoice_ids", "attempt"],
        ActionKind::SetField => &["record", "record_id", "name", "value"],
        ActionKind::EmitEvent => &["name", "fields"],
        ActionKind::ChangeSubscription => &["subscription_id", "change"],
        _ => &["fields"],
    }
}

fn put_money(out: &mut Out, name: &str, money: &Money) {
    match Currency::from_code(&money.currency) {
        Ok(code) => out.put(name, format_amount(money.minor, code)),
        Err(_) => out.put(&format!("{name}_minor"), money.minor),
    }
}

/// Writes the parameters of a 0.2 kind.
pub(crate) fn extended_to_json(detail: &ActionDetail, out: &mut Out) {
    match detail {
        ActionDetail::EnterDunningState(entry) => {
            out.put("state", entry.state.as_str());
            let blocks: Vec<&str> = entry.blocks.iter().map(|block| block.name()).collect();
            out.put("blocks", blocks);
            out.put_opt("customer_message", entry.customer_message.as_deref());
            out.put("subscriptions", entry.subscriptions.name());
        }
        ActionDetail::LeaveDunningState(exit) => out.put("state", exit.state.as_str()),
        ActionDetail::ApplyFee(fee) => {
            out.put("fee_kind", fee.kind.name());
            put_money(out, "amount", &fee.amount);
            out.put("currency", fee.amount.currency.as_str());
            out.put_opt("invoice_id", fee.invoice_id.as_deref());
            out.put("placement", fee.placement.name());
            out.put("label", fee.label.as_str());
        }
        ActionDetail::SendNotice(notice) => {
            out.put("template", notice.template.as_str());
            out.put("channel", notice.channel.name());
            out.put_opt("contact_id", notice.contact_id.as_deref());
            out.put("invoice_ids", notice.invoice_ids.clone());
            out.put_opt("instalment_id", notice.instalment_id.as_deref());
            out.put("currency", notice.amount_due.currency.as_str());
            put_money(out, "amount_due", &notice.amount_due);
            for (name, money) in [("fee", &notice.fee), ("interest", &notice.interest)] {
                if let Some(money) = money {
                    put_money(out, name, money);
                }
            }
            put_money(out, "total", &notice.total);
            out.put_opt("payment_link", notice.payment_link.as_deref());
        }
        ActionDetail::RequestPayment(request) => {
            put_money(out, "amount", &request.amount);
            out.put("currency", request.amount.currency.as_str());
            out.put("invoice_ids", request.invoice_ids.clone());
            out.put("attempt", request.attempt);
        }
        ActionDetail::SetField(update) => {
            out.put("record", update.record.name());
            out.put("record_id", update.record_id.as_str());
            out.put("name", update.name.as_str());
            out.put_opt("value", update.value.as_ref().map(value_to_json));
        }
        ActionDetail::EmitEvent(event) => {
            out.put("name", event.name.as_str());
            out.put("fields", fields_to_json(&event.fields));
        }
        ActionDetail::ChangeSubscription(change) => {
            out.put("subscription_id", change.subscription_id.as_str());
            out.put("change", change.change.name());
        }
        ActionDetail::Custom(custom) => out.put("fields", fields_to_json(&custom.fields)),
        _ => {}
    }
}

/// Reads the parameters of a 0.2 kind (or a custom one).
pub(crate) fn extended_detail(
    obj: &Obj,
    kind: &ActionKind,
    vocabulary: &Vocabulary,
) -> Result<ActionDetail, InputError> {
    let money_in = |obj: &Obj, name: &str, code: Currency| -> Result<Money, InputError> {
        Ok(Money {
            minor: obj.req(name, |value, path| amount(value, path, code, Sign::Any))?,
            currency: code.code.to_owned(),
        })
    };
    let money_opt = |obj: &Obj, name: &str, code: Currency| -> Result<Option<Money>, InputError> {
        Ok(obj
            .opt(name, |value, path| amount(value, path, code, Sign::Any))?
            .map(|minor| Money {
                minor,
                currency: code.code.to_owned(),
            }))
    };
    Ok(match kind {
        ActionKind::EnterDunningState => ActionDetail::EnterDunningState(DunningEntry {
            state: obj.req("state", string)?,
            blocks: obj.list("blocks", parse_enum)?,
            customer_message: obj.opt("customer_message", string)?,
            subscriptions: obj.req("subscriptions", parse_enum)?,
        }),
        ActionKind::LeaveDunningState => ActionDetail::LeaveDunningState(DunningExit {
            state: obj.req("state", string)?,
        }),
        ActionKind::ApplyFee => {
            let code = obj.req("currency", currency)?;
            ActionDetail::ApplyFee(Fee {
                kind: obj.req("fee_kind", parse_enum)?,
                amount: money_in(obj, "amount", code)?,
                invoice_id: obj.opt("invoice_id", string)?,
                placement: obj.req("placement", parse_enum)?,
                label: obj.req("label", string)?,
            })
        }
        ActionKind::SendNotice => {
            let code = obj.req("currency", currency)?;
            ActionDetail::SendNotice(Notice {
                template: obj.req("template", string)?,
                channel: obj.req("channel", parse_enum)?,
                contact_id: obj.opt("contact_id", string)?,
                invoice_ids: obj.req("invoice_ids", ids)?,
                instalment_id: obj.opt("instalment_id", string)?,
                amount_due: money_in(obj, "amount_due", code)?,
                fee: money_opt(obj, "fee", code)?,
                interest: money_opt(obj, "interest", code)?,
                total: money_in(obj, "total", code)?,
                payment_link: obj.opt("payment_link", string)?,
            })
        }
        ActionKind::RequestPayment => {
            let code = obj.req("currency", currency)?;
            ActionDetail::RequestPayment(PaymentRequest {
                amount: money_in(obj, "amount", code)?,
                invoice_ids: obj.req("invoice_ids", ids)?,
                attempt: obj.req("attempt", uint)?,
            })
        }
        ActionKind::SetField => {
            let record = obj.req("record", parse_enum)?;
            let name = obj.req("name", string)?;
            let declared = vocabulary.record_field(record, &name);
            let value = obj.opt("value", |value, path| match declared {
                Some(field) => typed_value(value, path, field.spec.ty, Source::Output),
                None => Err(undeclared_field(path, record.name(), &name)),
            })?;
            ActionDetail::SetField(FieldUpdate {
                record,
                record_id: obj.req("record_id", string)?,
                name,
                value,
            })
        }
        ActionKind::EmitEvent => {
            let name = obj.req("name", string)?;
            let specs = vocabulary.event(&name).map(|event| event.fields.as_slice());
            ActionDetail::EmitEvent(Event {
                fields: fields_of(obj, specs, &format!("event \"{name}\""))?,
                name,
            })
        }
        ActionKind::ChangeSubscription => ActionDetail::ChangeSubscription(SubscriptionChange {
            subscription_id: obj.req("subscription_id", string)?,
            change: obj.req("change", parse_enum)?,
        }),
        ActionKind::Custom(name) => {
            let specs = vocabulary.action(name).map(|kind| kind.fields.as_slice());
            ActionDetail::Custom(CustomAction {
                kind: name.clone(),
                fields: fields_of(obj, specs, &format!("action kind \"{name}\""))?,
            })
        }
        _ => ActionDetail::NoAction,
    })
}

/// The `fields` object of an event or a custom action, typed as declared (an undeclared event or
/// kind has no fields to type: any field is an error, and the host reports the name itself).
fn fields_of(
    obj: &Obj,
    specs: Option<&[FieldSpec]>,
    what: &str,
) -> Result<Vec<crate::types::Field>, InputError> {
    let specs: Vec<&FieldSpec> = specs.unwrap_or_default().iter().collect();
    let empty = Value::Object(Map::new());
    let value = obj.get("fields")?.unwrap_or(&empty);
    declared_fields(
        value,
        &obj.path().field("fields"),
        &specs,
        what,
        Source::Output,
    )
}

fn undeclared_field(path: &Path, record: &str, name: &str) -> InputError {
    path.error(format!(
        "field \"{name}\" of {record} is not declared in the pack's vocabulary, so its type is \
         unknown; declare it under [vocabulary.fields.{record}]"
    ))
}
