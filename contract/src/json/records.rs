//! The context's event and history records in JSON: the deal event, payment attempts, activities
//! and promises to pay.
//!
//! Amounts of a deal event's payload (milestone, delivery, time, retainer, recurring) are in the
//! deal's currency (`deal.amount.currency`); a promise's `received` is in its `amount`'s currency.
//! Basis-point fields are 0 to 10 000.

use serde_json::Value;

use crate::money::Currency;
use crate::types::{
    ActionKind, Activity, Deal, DealEvent, Delivery, Field, Milestone, PaymentAttempt, Promise,
    RecordKind, Recurring, Retainer, TimeApproval,
};
use crate::vocabulary::{FieldSpec, Vocabulary, core_action_fields, listing};
use crate::wire::OpenNamed;

use super::amount::{Sign, amount, money};
use super::enums::{parse_enum, parse_open};
use super::error::InputError;
use super::ids::{id, ids};
use super::reader::{Obj, Path, boolean, bounded, string, uint};
use super::time::{date, timestamp};
use super::value::{EXTRAS, Source, declared_fields, record_extras};

const DEAL_EVENT: &[&str] = &[
    "id",
    "kind",
    "change_origin",
    "occurred_at",
    "deal",
    "milestone",
    "delivery",
    "time",
    "retainer",
    "recurring",
];

/// Required: `id`, `kind`, `occurred_at`, `deal`. The payload records are optional whatever the
/// kind: a rule decides what a missing payload means (usually a review).
pub(crate) fn deal_event(
    value: &Value,
    path: &Path,
    vocabulary: &Vocabulary,
) -> Result<DealEvent, InputError> {
    let obj = Obj::with_fields(value, *path, &[DEAL_EVENT])?;
    let deal = obj.req("deal", |value, path| deal(value, path, vocabulary))?;
    let code = Currency::from_code(&deal.amount.currency)
        .map_err(|error| path.field("deal").error(error.to_string()))?;
    Ok(DealEvent {
        id: obj.req("id", id)?,
        kind: obj.req("kind", parse_enum)?,
        change_origin: obj.opt("change_origin", string)?,
        occurred_at: obj.req("occurred_at", timestamp)?,
        milestone: obj.opt("milestone", |value, path| milestone(value, path, code))?,
        delivery: obj.opt("delivery", |value, path| delivery(value, path, code))?,
        time: obj.opt("time", |value, path| time_approval(value, path, code))?,
        retainer: obj.opt("retainer", |value, path| retainer(value, path, code))?,
        recurring: obj.opt("recurring", |value, path| recurring(value, path, code))?,
        deal,
    })
}

const DEAL: &[&str] = &[
    "id",
    "name",
    "stage",
    "amount",
    "billing_model",
    "custom_terms",
    "signed_contract_required",
    "contract_signed",
    "payment_method_on_file",
];

/// Required: `id`, `name`, `stage`, `amount` (a money record), `billing_model`; flags default to
/// `false`.
fn deal(value: &Value, path: &Path, vocabulary: &Vocabulary) -> Result<Deal, InputError> {
    let obj = Obj::with_fields(value, *path, &[DEAL, EXTRAS])?;
    let (tags, fields) = record_extras(&obj, vocabulary, RecordKind::Deal)?;
    Ok(Deal {
        tags,
        fields,
        id: obj.req("id", id)?,
        name: obj.req("name", string)?,
        stage: obj.req("stage", parse_enum)?,
        amount: obj.req("amount", money)?,
        billing_model: obj.req("billing_model", parse_enum)?,
        custom_terms: obj.or("custom_terms", false, boolean)?,
        signed_contract_required: obj.or("signed_contract_required", false, boolean)?,
        contract_signed: obj.or("contract_signed", false, boolean)?,
        payment_method_on_file: obj.or("payment_method_on_file", false, boolean)?,
    })
}

fn bps(value: &Value, path: &Path) -> Result<u32, InputError> {
    bounded(value, path, 10_000)
}

/// Required: `id`, `name`. Optional `amount` (deal currency) or `percent_bps`; `invoiced_bps`
/// defaults to 0.
fn milestone(value: &Value, path: &Path, code: Currency) -> Result<Milestone, InputError> {
    const FIELDS: &[&str] = &["id", "name", "amount", "percent_bps", "invoiced_bps"];
    let obj = Obj::with_fields(value, *path, &[FIELDS])?;
    Ok(Milestone {
        id: obj.req("id", id)?,
        name: obj.req("name", string)?,
        amount_minor: obj.opt("amount", |value, path| {
            amount(value, path, code, Sign::NonNegative)
        })?,
        percent_bps: obj.opt("percent_bps", bps)?,
        invoiced_bps: obj.or("invoiced_bps", 0, bps)?,
    })
}

/// Required: `batch_id`, `ordered_units`, `delivered_units`, `unit_price`; `invoiced_units`
/// defaults to 0.
fn delivery(value: &Value, path: &Path, code: Currency) -> Result<Delivery, InputError> {
    const FIELDS: &[&str] = &[
        "batch_id",
        "ordered_units",
        "delivered_units",
        "invoiced_units",
        "unit_price",
    ];
    let obj = Obj::with_fields(value, *path, &[FIELDS])?;
    Ok(Delivery {
        batch_id: obj.req("batch_id", id)?,
        ordered_units: obj.req("ordered_units", uint)?,
        delivered_units: obj.req("delivered_units", uint)?,
        invoiced_units: obj.or("invoiced_units", 0, uint)?,
        unit_price_minor: obj.req("unit_price", |value, path| {
            amount(value, path, code, Sign::NonNegative)
        })?,
    })
}

/// All fields required; `period_end` may not be before `period_start`.
fn time_approval(value: &Value, path: &Path, code: Currency) -> Result<TimeApproval, InputError> {
    const FIELDS: &[&str] = &[
        "period_start",
        "period_end",
        "approved_minutes",
        "hourly_rate",
    ];
    let obj = Obj::with_fields(value, *path, &[FIELDS])?;
    let period_start = obj.req("period_start", date)?;
    let period_end = obj.req("period_end", date)?;
    if period_end < period_start {
        return Err(path.field("period_end").error(format!(
            "period ends ({period_end}) before it starts ({period_start})"
        )));
    }
    Ok(TimeApproval {
        period_start,
        period_end,
        approved_minutes: obj.req("approved_minutes", uint)?,
        hourly_rate_minor: obj.req("hourly_rate", |value, path| {
            amount(value, path, code, Sign::NonNegative)
        })?,
    })
}

/// Required: `balance`, `threshold`, `method`, `top_up_seq`; `target` and `fixed` default to 0.
fn retainer(value: &Value, path: &Path, code: Currency) -> Result<Retainer, InputError> {
    const FIELDS: &[&str] = &[
        "balance",
        "threshold",
        "method",
        "target",
        "fixed",
        "top_up_seq",
    ];
    let obj = Obj::with_fields(value, *path, &[FIELDS])?;
    let money = |value: &Value, path: &Path| amount(value, path, code, Sign::NonNegative);
    Ok(Retainer {
        balance_minor: obj.req("balance", money)?,
        threshold_minor: obj.req("threshold", money)?,
        method: obj.req("method", parse_enum)?,
        target_minor: obj.or("target", 0, money)?,
        fixed_minor: obj.or("fixed", 0, money)?,
        top_up_seq: obj.req("top_up_seq", uint)?,
    })
}

/// Required: `next_bill_date`, `amount`.
fn recurring(value: &Value, path: &Path, code: Currency) -> Result<Recurring, InputError> {
    let obj = Obj::with_fields(value, *path, &[&["next_bill_date", "amount"]])?;
    Ok(Recurring {
        next_bill_date: obj.req("next_bill_date", date)?,
        amount_minor: obj.req("amount", |value, path| {
            amount(value, path, code, Sign::NonNegative)
        })?,
    })
}

/// Required: `id`, `at`, `outcome`. Optional `invoice_id`, `decline_reason`, `amount` (a money
/// record), `attempt_number` (1 or more), `source_key`.
pub(crate) fn payment_attempt(
    value: &Value,
    path: &Path,
    vocabulary: &Vocabulary,
) -> Result<PaymentAttempt, InputError> {
    const FIELDS: &[&str] = &[
        "id",
        "invoice_id",
        "at",
        "outcome",
        "decline_reason",
        "amount",
        "attempt_number",
        "source_key",
    ];
    let obj = Obj::with_fields(value, *path, &[FIELDS, EXTRAS])?;
    let (tags, fields) = record_extras(&obj, vocabulary, RecordKind::PaymentAttempt)?;
    Ok(PaymentAttempt {
        amount: obj.opt("amount", money)?,
        attempt_number: obj.opt("attempt_number", |value, path| {
            let number = uint(value, path)?;
            if number == 0 {
                return Err(path.error("attempt numbers start at 1"));
            }
            Ok(number)
        })?,
        source_key: obj.opt("source_key", id)?,
        tags,
        fields,
        id: obj.req("id", id)?,
        invoice_id: obj.opt("invoice_id", id)?,
        at: obj.req("at", timestamp)?,
        outcome: obj.req("outcome", parse_enum)?,
        decline_reason: obj.opt("decline_reason", parse_enum)?,
    })
}

/// Required: `id`, `key` (the key of the action it records, checked like an id), `kind` (a core
/// action kind or one the vocabulary declares), `at`, `outcome`. Optional `rule` (the rule id that
/// asked for it), `invoice_id`, `step` (a declared template), `channel`, and `fields`: the executed
/// action's fields, typed as [`core_action_fields`] lists them for a core kind, or as the vocabulary
/// declares them for the pack's own kind.
pub(crate) fn activity(
    value: &Value,
    path: &Path,
    vocabulary: &Vocabulary,
) -> Result<Activity, InputError> {
    const FIELDS: &[&str] = &[
        "id",
        "key",
        "kind",
        "rule",
        "at",
        "invoice_id",
        "step",
        "channel",
        "outcome",
        "fields",
    ];
    let obj = Obj::with_fields(value, *path, &[FIELDS])?;
    let kind: ActionKind = obj.req("kind", |value, path| declared_kind(value, path, vocabulary))?;
    Ok(Activity {
        id: obj.req("id", id)?,
        key: obj.req("key", id)?,
        rule_id: obj.opt("rule", string)?,
        at: obj.req("at", timestamp)?,
        invoice_id: obj.opt("invoice_id", id)?,
        step: obj.opt("step", |value, path| {
            declared_template(value, path, vocabulary)
        })?,
        channel: obj.opt("channel", parse_enum)?,
        outcome: obj.req("outcome", parse_enum)?,
        fields: obj.or("fields", Vec::new(), |value, path| {
            activity_fields(value, path, &kind, vocabulary)
        })?,
        kind,
    })
}

/// An action kind: a core one, or one the vocabulary declares.
pub(crate) fn declared_kind(
    value: &Value,
    path: &Path,
    vocabulary: &Vocabulary,
) -> Result<ActionKind, InputError> {
    let kind: ActionKind = parse_open(value, path)?;
    if let ActionKind::Custom(name) = &kind
        && vocabulary.action(name).is_none()
    {
        let known = ActionKind::CORE
            .iter()
            .copied()
            .chain(vocabulary.actions.iter().map(|kind| kind.name.as_str()));
        return Err(path.error(format!(
            "unknown action kind \"{name}\", {} (the core kinds and the pack's own)",
            listing(known)
        )));
    }
    Ok(kind)
}

/// A notice template (reminder step) the vocabulary declares.
pub(crate) fn declared_template(
    value: &Value,
    path: &Path,
    vocabulary: &Vocabulary,
) -> Result<String, InputError> {
    let name = string(value, path)?;
    if vocabulary.has_template(&name) {
        return Ok(name);
    }
    Err(path.error(format!(
        "template \"{name}\" is not declared in the pack's vocabulary ({})",
        listing(vocabulary.templates.iter().map(String::as_str))
    )))
}

/// An activity's fields: those of its action kind, none required (a CRM records what it kept).
fn activity_fields(
    value: &Value,
    path: &Path,
    kind: &ActionKind,
    vocabulary: &Vocabulary,
) -> Result<Vec<Field>, InputError> {
    let specs: Vec<FieldSpec> = match kind {
        ActionKind::Custom(name) => vocabulary
            .action(name)
            .map(|kind| kind.fields.clone())
            .unwrap_or_default(),
        core => core_action_fields(core)
            .iter()
            .map(|(name, ty)| FieldSpec {
                name: (*name).to_owned(),
                ty: *ty,
                required: false,
            })
            .collect(),
    };
    let optional: Vec<FieldSpec> = specs
        .into_iter()
        .map(|spec| FieldSpec {
            required: false,
            ..spec
        })
        .collect();
    let refs: Vec<&FieldSpec> = optional.iter().collect();
    let what = format!("action kind \"{}\"", kind.name());
    declared_fields(value, path, &refs, &what, Source::Input)
}

/// Required: `id`, `amount` (a money record), `promised_date`, `status`. `invoice_ids` defaults to
/// empty, `grace_days` and `received` (in the amount's currency) to 0.
pub(crate) fn promise(value: &Value, path: &Path) -> Result<Promise, InputError> {
    const FIELDS: &[&str] = &[
        "id",
        "invoice_ids",
        "amount",
        "promised_date",
        "grace_days",
        "received",
        "status",
    ];
    let obj = Obj::with_fields(value, *path, &[FIELDS])?;
    let promised = obj.req("amount", money)?;
    let code = Currency::from_code(&promised.currency)
        .map_err(|error| path.field("amount").error(error.to_string()))?;
    Ok(Promise {
        id: obj.req("id", id)?,
        invoice_ids: obj.or("invoice_ids", Vec::new(), ids)?,
        promised_date: obj.req("promised_date", date)?,
        grace_days: obj.or("grace_days", 0, uint)?,
        received_minor: obj.or("received", 0, |value, path| {
            amount(value, path, code, Sign::NonNegative)
        })?,
        status: obj.req("status", parse_enum)?,
        amount: promised,
    })
}
