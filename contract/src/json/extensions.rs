//! The records contract 0.2 added, in JSON: subscriptions, billing entities, instalments, the
//! account's dunning state, and the trigger.

use serde_json::Value;

use crate::money::Currency;
use crate::types::{
    BillingEntity, DisputeChange, DunningStatus, Instalment, InvoiceEvent, RecordKind,
    Subscription, TagChange, Trigger,
};
use crate::vocabulary::{Vocabulary, listing};
use crate::wire::TRIGGER_KINDS;

use super::amount::{Sign, amount, money};
use super::enums::parse_enum;
use super::error::InputError;
use super::ids::id;
use super::reader::{Obj, Path, boolean, string};
use super::time::{date, timestamp};
use super::value::{EXTRAS, record_extras, tags};

/// Required: `id`, `plan`, `status`, `amount` (a money record). Optional `current_period_end`;
/// `cancel_at_period_end` defaults to `false`.
pub(crate) fn subscription(
    value: &Value,
    path: &Path,
    vocabulary: &Vocabulary,
) -> Result<Subscription, InputError> {
    const FIELDS: &[&str] = &[
        "id",
        "plan",
        "status",
        "amount",
        "current_period_end",
        "cancel_at_period_end",
    ];
    let obj = Obj::with_fields(value, *path, &[FIELDS, EXTRAS])?;
    let (tags, fields) = record_extras(&obj, vocabulary, RecordKind::Subscription)?;
    Ok(Subscription {
        id: obj.req("id", id)?,
        plan: obj.req("plan", string)?,
        status: obj.req("status", parse_enum)?,
        amount: obj.req("amount", money)?,
        current_period_end: obj.opt("current_period_end", timestamp)?,
        cancel_at_period_end: obj.or("cancel_at_period_end", false, boolean)?,
        tags,
        fields,
    })
}

/// Required: `id`, `name`.
pub(crate) fn billing_entity(
    value: &Value,
    path: &Path,
    vocabulary: &Vocabulary,
) -> Result<BillingEntity, InputError> {
    let obj = Obj::with_fields(value, *path, &[&["id", "name"], EXTRAS])?;
    let (tags, fields) = record_extras(&obj, vocabulary, RecordKind::BillingEntity)?;
    Ok(BillingEntity {
        id: obj.req("id", id)?,
        name: obj.req("name", string)?,
        tags,
        fields,
    })
}

/// Required: `id`, `due_date`, `amount` (in the invoice's currency). `paid` defaults to 0 and may
/// not exceed `amount`.
pub(crate) fn instalment(
    value: &Value,
    path: &Path,
    code: Currency,
) -> Result<Instalment, InputError> {
    let obj = Obj::with_fields(value, *path, &[&["id", "due_date", "amount", "paid"]])?;
    let money = |value: &Value, path: &Path| amount(value, path, code, Sign::NonNegative);
    let amount_minor = obj.req("amount", money)?;
    let paid_minor = obj.or("paid", 0, money)?;
    if paid_minor > amount_minor {
        return Err(path.field("paid").error(format!(
            "paid {} is more than the instalment's amount {}",
            code.format_minor(paid_minor),
            code.format_minor(amount_minor)
        )));
    }
    Ok(Instalment {
        id: obj.req("id", id)?,
        due_date: obj.req("due_date", date)?,
        amount_minor,
        paid_minor,
    })
}

/// Required: `state` (declared in the vocabulary), `since`, `key` (checked like an id).
pub(crate) fn dunning_status(
    value: &Value,
    path: &Path,
    vocabulary: &Vocabulary,
) -> Result<DunningStatus, InputError> {
    let obj = Obj::with_fields(value, *path, &[&["state", "since", "key"]])?;
    let state = obj.req("state", |value, path| {
        declared_state(value, path, vocabulary)
    })?;
    Ok(DunningStatus {
        state,
        since: obj.req("since", timestamp)?,
        key: obj.req("key", id)?,
    })
}

/// A dunning state's name, which the vocabulary must declare.
pub(crate) fn declared_state(
    value: &Value,
    path: &Path,
    vocabulary: &Vocabulary,
) -> Result<String, InputError> {
    let state = string(value, path)?;
    if vocabulary.has_state(&state) {
        return Ok(state);
    }
    Err(path.error(format!(
        "dunning state \"{state}\" is not declared in the pack's vocabulary ({})",
        listing(vocabulary.states.iter().map(String::as_str))
    )))
}

/// `{"kind": "scheduled"}`, `{"kind": "deal-event"}`, `{"kind": "payment-attempt", "attempt_id"}`,
/// `{"kind": "invoice-event", "invoice_id", "event", "amount"?}`, `{"kind": "tag-change", "record",
/// "record_id", "added"?, "removed"?}`, `{"kind": "dispute", "invoice_id", "status"}`. That the
/// records it names exist is checked with the whole context ([`super::context`]).
pub(crate) fn trigger(value: &Value, path: &Path) -> Result<Trigger, InputError> {
    let obj = Obj::open(value, *path)?;
    let kind = obj.req("kind", string)?;
    let fields: &[&str] = match kind.as_str() {
        "scheduled" | "deal-event" => &[],
        "payment-attempt" => &["attempt_id"],
        "invoice-event" => &["invoice_id", "event", "amount"],
        "tag-change" => &["record", "record_id", "added", "removed"],
        "dispute" => &["invoice_id", "status"],
        other => {
            return Err(path.field("kind").error(format!(
                "unknown trigger \"{other}\", expected one of {}",
                TRIGGER_KINDS.join(", ")
            )));
        }
    };
    obj.allow(&[&["kind"], fields])?;
    Ok(match kind.as_str() {
        "scheduled" => Trigger::Scheduled,
        "deal-event" => Trigger::DealEvent,
        "payment-attempt" => Trigger::PaymentAttempt(obj.req("attempt_id", id)?),
        "invoice-event" => Trigger::InvoiceEvent(InvoiceEvent {
            invoice_id: obj.req("invoice_id", id)?,
            kind: obj.req("event", parse_enum)?,
            amount: obj.opt("amount", money)?,
        }),
        "tag-change" => {
            let change = TagChange {
                record: obj.req("record", parse_enum)?,
                record_id: obj.req("record_id", id)?,
                added: obj.or("added", Vec::new(), tags)?,
                removed: obj.or("removed", Vec::new(), tags)?,
            };
            if change.added.is_empty() && change.removed.is_empty() {
                return Err(path.error("a tag change adds or removes at least one tag"));
            }
            Trigger::TagChange(change)
        }
        _ => Trigger::Dispute(DisputeChange {
            invoice_id: obj.req("invoice_id", id)?,
            status: obj.req("status", parse_enum)?,
        }),
    })
}
