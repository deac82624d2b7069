//! Checks every rule output against the contract and the size limits, whatever the backend.

use crm_rules_contract::money::Currency;
use crm_rules_contract::types::{ActionDetail, Field, RuleOutput, Value};

use crate::error::RuleErrorKind;
use crate::limits::Limits;

/// Bytes of text in an action (its strings), the measure `max_output_bytes` caps.
fn action_bytes(action: &crm_rules_contract::types::Action) -> usize {
    let opt = |text: &Option<String>| text.as_ref().map_or(0, String::len);
    let ids = |ids: &[String]| ids.iter().map(String::len).sum::<usize>();
    let detail = match &action.detail {
        ActionDetail::CreateInvoice(p) => {
            p.deal_id.len() + p.source.len() + p.amount.currency.len()
        }
        ActionDetail::SendInvoice(p) => p.invoice_id.len(),
        ActionDetail::HoldForReview(p) => p.queue.len() + p.subject_id.len(),
        ActionDetail::SendReminder(p) => {
            p.invoice_id.len() + p.contact_id.len() + p.payment_link.as_ref().map_or(0, String::len)
        }
        ActionDetail::CreateTask(p) => {
            p.title.len()
                + p.assignee_id.as_ref().map_or(0, String::len)
                + p.invoice_id.as_ref().map_or(0, String::len)
        }
        ActionDetail::Escalate(p) => {
            p.invoice_id.as_ref().map_or(0, String::len)
                + p.currency.as_ref().map_or(0, String::len)
        }
        ActionDetail::NotifyInternal(p) => {
            p.message.len() + p.recipient_id.as_ref().map_or(0, String::len)
        }
        ActionDetail::SetCreditHold(text)
        | ActionDetail::ReleaseCreditHold(text)
        | ActionDetail::MarkPromiseKept(text)
        | ActionDetail::MarkPromiseBroken(text) => text.len(),
        ActionDetail::RequestPaymentMethodUpdate(p) => p.attempt_id.len(),
        ActionDetail::SetCreditTerms(_) | ActionDetail::NoAction => 0,
        ActionDetail::EnterDunningState(p) => p.state.len() + opt(&p.customer_message),
        ActionDetail::LeaveDunningState(p) => p.state.len(),
        ActionDetail::ApplyFee(p) => p.label.len() + opt(&p.invoice_id),
        ActionDetail::SendNotice(p) => {
            p.template.len()
                + opt(&p.contact_id)
                + ids(&p.invoice_ids)
                + opt(&p.instalment_id)
                + opt(&p.payment_link)
        }
        ActionDetail::RequestPayment(p) => ids(&p.invoice_ids),
        ActionDetail::SetField(p) => {
            p.record_id.len() + p.name.len() + p.value.as_ref().map_or(0, value_bytes)
        }
        ActionDetail::EmitEvent(p) => p.name.len() + fields_bytes(&p.fields),
        ActionDetail::ChangeSubscription(p) => p.subscription_id.len(),
        ActionDetail::Custom(p) => p.kind.len() + fields_bytes(&p.fields),
    };
    detail + action.key.len() + action.rule_id.len() + action.reason.len()
}

/// Bytes of text in a typed value.
fn value_bytes(value: &Value) -> usize {
    match value {
        Value::Text(text) => text.len(),
        Value::TextList(items) => items.iter().map(String::len).sum(),
        Value::Money(money) => money.currency.len(),
        Value::Integer(_)
        | Value::Decimal(_)
        | Value::Flag(_)
        | Value::Date(_)
        | Value::Timestamp(_) => 0,
    }
}

fn fields_bytes(fields: &[Field]) -> usize {
    fields
        .iter()
        .map(|field| field.name.len() + value_bytes(&field.value))
        .sum()
}

/// `Ok` if the output respects the limits and the contract; otherwise the error kind and message.
pub(crate) fn check(output: &RuleOutput, limits: &Limits) -> Result<(), (RuleErrorKind, String)> {
    let entries = output.actions.len() + output.suppressed.len();
    if entries > limits.max_output_entries {
        return Err((
            RuleErrorKind::OutputTooLarge,
            format!(
                "returned {entries} actions and suppressions; the limit is {}",
                limits.max_output_entries
            ),
        ));
    }
    let bytes: usize = output.actions.iter().map(action_bytes).sum::<usize>()
        + output
            .suppressed
            .iter()
            .map(|s| s.rule_id.len() + s.subject_id.len())
            .sum::<usize>();
    if bytes > limits.max_output_bytes {
        return Err((
            RuleErrorKind::OutputTooLarge,
            format!(
                "returned {bytes} bytes of text; the limit is {}",
                limits.max_output_bytes
            ),
        ));
    }
    let bad = |message: String| Err((RuleErrorKind::BadOutput, message));
    for (index, action) in output.actions.iter().enumerate() {
        if action.key.is_empty() {
            return bad(format!("actions[{index}]: empty idempotency key"));
        }
        if action.rule_id.is_empty() {
            return bad(format!("actions[{index}]: empty rule id"));
        }
        if let ActionDetail::CreateInvoice(invoice) = &action.detail {
            if let Err(error) = Currency::from_code(&invoice.amount.currency) {
                return bad(format!("actions[{index}].currency: {error}"));
            }
            if invoice.amount.minor <= 0 {
                return bad(format!(
                    "actions[{index}].amount: an invoice amount must be positive"
                ));
            }
        }
    }
    for (index, suppression) in output.suppressed.iter().enumerate() {
        if suppression.rule_id.is_empty() || suppression.subject_id.is_empty() {
            return bad(format!("suppressed[{index}]: empty rule or subject id"));
        }
    }
    Ok(())
}

/// Every rule id of `output` is one of `declared` (the module's `rules`).
///
/// # Errors
/// The first action or suppression under another id, with the nearest declared one.
pub(crate) fn check_rule_ids(output: &RuleOutput, declared: &[String]) -> Result<(), String> {
    let actions = output
        .actions
        .iter()
        .enumerate()
        .map(|(index, action)| (format!("actions[{index}]"), &action.rule_id));
    let suppressed = output
        .suppressed
        .iter()
        .enumerate()
        .map(|(index, suppression)| (format!("suppressed[{index}]"), &suppression.rule_id));
    for (place, rule) in actions.chain(suppressed) {
        if !declared.iter().any(|id| id == rule) {
            let hint = crate::suggest::closest(declared.iter().map(String::as_str), rule)
                .map(|near: &str| format!(" (did you mean `{near}`?)"))
                .unwrap_or_default();
            return Err(format!(
                "{place}: rule id `{rule}` is not among the module's declared `rules`{hint}; \
                 declare it in pack.toml or fix the id"
            ));
        }
    }
    Ok(())
}
