//! Actions and suppressions in JSON, both ways.
//!
//! An action is one flat object: the common fields `kind`, `rule`, `key`, `reason`,
//! `requires_approval`, `not_before` (RFC 3339, omitted when unset), then the parameters of its
//! kind. Optional parameters that are unset are omitted. Amounts are decimal strings in major units
//! with exactly the currency's decimals (`"12000.00"`, `"48000"` for JPY). Reading accepts exactly
//! this shape, plus amounts as JSON integers and `not_before` as integer milliseconds; only
//! `requires_approval` (false) and the optional parameters may be left out.

use serde_json::{Map, Value};

use crate::types::{
    Action, ActionDetail, ActionKind, CreditTerms, Escalation, Money, NewInvoice, Notification,
    PaymentMethodRequest, Reminder, Review, SendInvoice, Suppression, Task,
};
use crate::vocabulary::Vocabulary;
use crate::wire::{Named, OpenNamed};

use super::action_kinds::{extended_detail, extended_fields, extended_to_json};
use super::amount::{Sign, amount, currency, format_amount};
use super::enums::{parse_enum, parse_open};
use super::out::Out;

use super::error::InputError;
use super::reader::{Obj, Path, boolean, string, uint};
use super::time::{timestamp_or_millis, timestamp_to_json};

/// The JSON name of an action's kind: `create-invoice`, `send-reminder`, `no-action`, or a custom
/// action's declared kind.
pub fn kind_name(detail: &ActionDetail) -> &str {
    match detail {
        ActionDetail::Custom(custom) => &custom.kind,
        core => core.kind().core_name().unwrap_or_default(),
    }
}

const COMMON: &[&str] = &[
    "kind",
    "rule",
    "key",
    "reason",
    "requires_approval",
    "not_before",
];

/// The parameter fields of each kind.
fn kind_fields(kind: &ActionKind) -> &'static [&'static str] {
    match kind {
        ActionKind::CreateInvoice => &[
            "deal_id",
            "source",
            "amount",
            "currency",
            "net_terms_days",
            "send",
        ],
        ActionKind::SendInvoice => &["invoice_id"],
        ActionKind::HoldForReview => &["queue", "subject_id"],
        ActionKind::SendReminder => &[
            "invoice_id",
            "step",
            "channel",
            "contact_id",
            "payment_link",
            "link_expired",
        ],
        ActionKind::CreateTask => &[
            "assignee_role",
            "assignee_id",
            "title",
            "due_in_business_days",
            "invoice_id",
        ],
        ActionKind::Escalate => &["target", "invoice_id", "currency", "days_past_due"],
        ActionKind::NotifyInternal => &["recipient_role", "recipient_id", "message"],
        ActionKind::SetCreditHold | ActionKind::ReleaseCreditHold => &["hold_reason"],
        ActionKind::SetCreditTerms => &["net_terms_days", "require_prepayment"],
        ActionKind::RequestPaymentMethodUpdate => &["attempt_id"],
        ActionKind::MarkPromiseKept | ActionKind::MarkPromiseBroken => &["promise_id"],
        ActionKind::NoAction => &[],
        extended => extended_fields(extended),
    }
}

/// An action as JSON (see the module documentation for the shape).
///
/// An amount in a currency the SDK does not know is written as `amount_minor` (an integer of minor
/// units) instead of `amount`, so nothing is misrepresented; such an action does not read back.
pub fn action_to_json(action: &Action) -> Value {
    let mut out = Out(Map::new());
    out.put("kind", kind_name(&action.detail));
    out.put("rule", action.rule_id.as_str());
    out.put("key", action.key.as_str());
    out.put("reason", action.reason.as_str());
    out.put("requires_approval", action.requires_approval);
    out.put_opt("not_before", action.not_before.map(timestamp_to_json));
    match &action.detail {
        ActionDetail::CreateInvoice(new) => {
            out.put("deal_id", new.deal_id.as_str());
            out.put("source", new.source.as_str());
            match crate::money::Currency::from_code(&new.amount.currency) {
                Ok(code) => out.put("amount", format_amount(new.amount.minor, code)),
                Err(_) => out.put("amount_minor", new.amount.minor),
            }
            out.put("currency", new.amount.currency.as_str());
            out.put("net_terms_days", new.net_terms_days);
            out.put("send", new.send);
        }
        ActionDetail::SendInvoice(send) => out.put("invoice_id", send.invoice_id.as_str()),
        ActionDetail::HoldForReview(review) => {
            out.put("queue", review.queue.as_str());
            out.put("subject_id", review.subject_id.as_str());
        }
        ActionDetail::SendReminder(reminder) => {
            out.put("invoice_id", reminder.invoice_id.as_str());
            out.put("step", reminder.step.as_str());
            out.put("channel", reminder.channel.name());
            out.put("contact_id", reminder.contact_id.as_str());
            out.put_opt("payment_link", reminder.payment_link.as_deref());
            out.put("link_expired", reminder.link_expired);
        }
        ActionDetail::CreateTask(task) => {
            out.put("assignee_role", task.assignee_role.name());
            out.put_opt("assignee_id", task.assignee_id.as_deref());
            out.put("title", task.title.as_str());
            out.put("due_in_business_days", task.due_in_business_days);
            out.put_opt("invoice_id", task.invoice_id.as_deref());
        }
        ActionDetail::Escalate(escalation) => {
            out.put("target", escalation.target.name());
            out.put_opt("invoice_id", escalation.invoice_id.as_deref());
            out.put_opt("currency", escalation.currency.as_deref());
            out.put("days_past_due", escalation.days_past_due);
        }
        ActionDetail::NotifyInternal(note) => {
            out.put("recipient_role", note.recipient_role.name());
            out.put_opt("recipient_id", note.recipient_id.as_deref());
            out.put("message", note.message.as_str());
        }
        ActionDetail::SetCreditHold(reason) | ActionDetail::ReleaseCreditHold(reason) => {
            out.put("hold_reason", reason.as_str());
        }
        ActionDetail::SetCreditTerms(terms) => {
            out.put("net_terms_days", terms.net_terms_days);
            out.put("require_prepayment", terms.require_prepayment);
        }
        ActionDetail::RequestPaymentMethodUpdate(request) => {
            out.put("attempt_id", request.attempt_id.as_str());
        }
        ActionDetail::MarkPromiseKept(id) | ActionDetail::MarkPromiseBroken(id) => {
            out.put("promise_id", id.as_str());
        }
        ActionDetail::NoAction => {}
        extended => extended_to_json(extended, &mut out),
    }
    Value::Object(out.0)
}

/// Reads an action written by [`action_to_json`] (or by hand, in a fixture's expected decision, or
/// by a Rhai rule), against contract 0.1's vocabulary (see [`action_from_json_in`]).
pub fn action_from_json(value: &Value) -> Result<Action, InputError> {
    action_from_json_in(value, &Vocabulary::contract_0_1())
}

/// Reads an action, typing the fields of custom actions, events and `set-field` values as the pack's
/// vocabulary declares them. An optional field that is `null` is unset (Rhai's `()`). Error paths
/// are relative to `value` (`channel: unknown channel "fax", ...`). Whether the names it uses
/// (templates, states, kinds) are declared is the host's output check, not this reader's.
pub fn action_from_json_in(value: &Value, vocabulary: &Vocabulary) -> Result<Action, InputError> {
    let obj = Obj::open(value, Path::Root)?.null_is_absent();
    let kind: ActionKind = obj.req("kind", |value, path| {
        super::records::declared_kind(value, path, vocabulary)
    })?;
    let custom_fields: &[&str] = &["fields"];
    obj.allow(&[
        COMMON,
        if kind.is_custom() {
            custom_fields
        } else {
            kind_fields(&kind)
        },
    ])?;
    Ok(Action {
        detail: detail(&obj, &kind, vocabulary)?,
        key: obj.req("key", string)?,
        not_before: obj.opt("not_before", timestamp_or_millis)?,
        requires_approval: obj.or("requires_approval", false, boolean)?,
        rule_id: obj.req("rule", string)?,
        reason: obj.req("reason", string)?,
    })
}

fn detail(
    obj: &Obj,
    kind: &ActionKind,
    vocabulary: &Vocabulary,
) -> Result<ActionDetail, InputError> {
    Ok(match kind {
        ActionKind::CreateInvoice => {
            let code = obj.req("currency", currency)?;
            ActionDetail::CreateInvoice(NewInvoice {
                deal_id: obj.req("deal_id", string)?,
                source: obj.req("source", string)?,
                amount: Money {
                    minor: obj.req("amount", |value, path| amount(value, path, code, Sign::Any))?,
                    currency: code.code.to_owned(),
                },
                net_terms_days: obj.req("net_terms_days", uint)?,
                send: obj.req("send", boolean)?,
            })
        }
        ActionKind::SendInvoice => ActionDetail::SendInvoice(SendInvoice {
            invoice_id: obj.req("invoice_id", string)?,
        }),
        ActionKind::HoldForReview => ActionDetail::HoldForReview(Review {
            queue: obj.req("queue", string)?,
            subject_id: obj.req("subject_id", string)?,
        }),
        ActionKind::SendReminder => ActionDetail::SendReminder(Reminder {
            invoice_id: obj.req("invoice_id", string)?,
            step: obj.req("step", string)?,
            channel: obj.req("channel", parse_enum)?,
            contact_id: obj.req("contact_id", string)?,
            payment_link: obj.opt("payment_link", string)?,
            link_expired: obj.req("link_expired", boolean)?,
        }),
        ActionKind::CreateTask => ActionDetail::CreateTask(Task {
            assignee_role: obj.req("assignee_role", parse_enum)?,
            assignee_id: obj.opt("assignee_id", string)?,
            title: obj.req("title", string)?,
            due_in_business_days: obj.req("due_in_business_days", uint)?,
            invoice_id: obj.opt("invoice_id", string)?,
        }),
        ActionKind::Escalate => ActionDetail::Escalate(Escalation {
            target: obj.req("target", parse_enum)?,
            invoice_id: obj.opt("invoice_id", string)?,
            currency: obj
                .opt("currency", currency)?
                .map(|code| code.code.to_owned()),
            days_past_due: obj.req("days_past_due", uint)?,
        }),
        ActionKind::NotifyInternal => ActionDetail::NotifyInternal(Notification {
            recipient_role: obj.req("recipient_role", parse_enum)?,
            recipient_id: obj.opt("recipient_id", string)?,
            message: obj.req("message", string)?,
        }),
        ActionKind::SetCreditHold => ActionDetail::SetCreditHold(obj.req("hold_reason", string)?),
        ActionKind::ReleaseCreditHold => {
            ActionDetail::ReleaseCreditHold(obj.req("hold_reason", string)?)
        }
        ActionKind::SetCreditTerms => ActionDetail::SetCreditTerms(CreditTerms {
            net_terms_days: obj.req("net_terms_days", uint)?,
            require_prepayment: obj.req("require_prepayment", boolean)?,
        }),
        ActionKind::RequestPaymentMethodUpdate => {
            ActionDetail::RequestPaymentMethodUpdate(PaymentMethodRequest {
                attempt_id: obj.req("attempt_id", string)?,
            })
        }
        ActionKind::MarkPromiseKept => {
            ActionDetail::MarkPromiseKept(obj.req("promise_id", string)?)
        }
        ActionKind::MarkPromiseBroken => {
            ActionDetail::MarkPromiseBroken(obj.req("promise_id", string)?)
        }
        ActionKind::NoAction => ActionDetail::NoAction,
        extended => extended_detail(obj, extended, vocabulary)?,
    })
}

/// A suppression as JSON: `{"rule": ..., "subject_id": ..., "reason": "dispute-open"}`.
pub fn suppression_to_json(suppression: &Suppression) -> Value {
    let mut out = Out(Map::new());
    out.put("rule", suppression.rule_id.as_str());
    out.put("subject_id", suppression.subject_id.as_str());
    out.put("reason", OpenNamed::name(&suppression.reason));
    Value::Object(out.0)
}

/// Reads a suppression written by [`suppression_to_json`]; all three fields are required.
pub fn suppression_from_json(value: &Value) -> Result<Suppression, InputError> {
    let obj =
        Obj::with_fields(value, Path::Root, &[&["rule", "subject_id", "reason"]])?.null_is_absent();
    Ok(Suppression {
        rule_id: obj.req("rule", string)?,
        subject_id: obj.req("subject_id", string)?,
        reason: obj.req("reason", parse_open)?,
    })
}

#[cfg(test)]
#[path = "action_tests.rs"]
mod tests;
