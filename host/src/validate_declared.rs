//! Checks a rule's output against the contract's open names: every template, dunning state, action
//! kind, event, suppression reason and custom field it uses must be declared in the pack's
//! vocabulary, with values of the declared types; and the 0.2 actions' own consistency rules: the
//! invoices they name are the context's, in the action's currency, amounts in known currencies, and a
//! notice's total is its amount due, fee and interest.

use crm_rules_contract::money::Currency;
use crm_rules_contract::types::{
    ActionDetail, Context, Field, Money, RuleOutput, SuppressionReason, Value,
};
use crm_rules_contract::vocabulary::{FieldSpec, ValueType, Vocabulary, listing};
use crm_rules_contract::wire::Named;

/// `Ok` if everything `output` names is declared and its 0.2 actions are consistent; otherwise a
/// message naming the entry (`actions[2].state: ...`).
pub(crate) fn check_declared(
    output: &RuleOutput,
    vocabulary: &Vocabulary,
    ctx: &Context,
) -> Result<(), String> {
    let now = ctx.now;
    for (index, action) in output.actions.iter().enumerate() {
        check_action(&action.detail, vocabulary)
            .and_then(|()| check_money(&action.detail, ctx))
            .map_err(|message| format!("actions[{index}].{message}"))?;
    }
    for (index, suppression) in output.suppressed.iter().enumerate() {
        if let SuppressionReason::Custom(reason) = &suppression.reason
            && !vocabulary.has_suppression(reason)
        {
            return Err(format!(
                "suppressed[{index}].reason: \"{reason}\" is neither a core reason nor declared in \
                 the pack's vocabulary ({})",
                listing(vocabulary.suppressions.iter().map(String::as_str))
            ));
        }
    }
    if let Some(at) = output.next_evaluation_at
        && at <= now
    {
        return Err(format!(
            "next_evaluation_at: {} is not after the evaluation's now ({}); give an instant to come",
            crate::json::timestamp_to_rfc3339(at),
            crate::json::timestamp_to_rfc3339(now)
        ));
    }
    Ok(())
}

fn declared(name: &str, what: &str, known: &[String]) -> Result<(), String> {
    if known.iter().any(|declared| declared == name) {
        return Ok(());
    }
    Err(format!(
        ": {what} \"{name}\" is not declared in the pack's vocabulary ({})",
        listing(known.iter().map(String::as_str))
    ))
}

fn check_action(detail: &ActionDetail, vocabulary: &Vocabulary) -> Result<(), String> {
    let at =
        |field: &str, result: Result<(), String>| result.map_err(|error| format!("{field}{error}"));
    match detail {
        ActionDetail::SendReminder(reminder) => at(
            "step",
            declared(&reminder.step, "template", &vocabulary.templates),
        ),
        ActionDetail::SendNotice(notice) => {
            at(
                "template",
                declared(&notice.template, "template", &vocabulary.templates),
            )?;
            if notice.invoice_ids.is_empty() {
                return Err("invoice_ids: a notice covers at least one invoice".to_owned());
            }
            let currency = &notice.amount_due.currency;
            let others = [
                ("fee", notice.fee.as_ref()),
                ("interest", notice.interest.as_ref()),
            ];
            for (name, money) in others.into_iter().chain([("total", Some(&notice.total))]) {
                same_currency(name, money, currency)?;
            }
            Ok(())
        }
        ActionDetail::EnterDunningState(entry) => at(
            "state",
            declared(&entry.state, "dunning state", &vocabulary.states),
        ),
        ActionDetail::LeaveDunningState(exit) => at(
            "state",
            declared(&exit.state, "dunning state", &vocabulary.states),
        ),
        ActionDetail::ApplyFee(fee) => {
            if fee.amount.minor <= 0 {
                return Err("amount: a fee must be positive".to_owned());
            }
            if fee.placement == crm_rules_contract::types::FeePlacement::OnInvoice
                && fee.invoice_id.is_none()
            {
                return Err("invoice_id: a fee placed on an invoice names the invoice".to_owned());
            }
            Ok(())
        }
        ActionDetail::RequestPayment(request) => {
            if request.invoice_ids.is_empty() {
                return Err("invoice_ids: a payment request pays at least one invoice".to_owned());
            }
            if request.attempt == 0 {
                return Err("attempt: attempts are numbered from 1".to_owned());
            }
            if request.amount.minor <= 0 {
                return Err("amount: a payment request must be for a positive amount".to_owned());
            }
            Ok(())
        }
        ActionDetail::SetField(update) => {
            let record = update.record.name();
            let Some(field) = vocabulary.record_field(update.record, &update.name) else {
                return Err(format!(
                    "name: field \"{}\" of {record} is not declared in the pack's vocabulary",
                    update.name
                ));
            };
            if !field.writable {
                return Err(format!(
                    "name: field \"{}\" of {record} is not declared writable (`writable = true`)",
                    update.name
                ));
            }
            match &update.value {
                Some(value) if ValueType::of(value) != field.spec.ty => Err(format!(
                    "value: field \"{}\" is declared {}, the value is {}",
                    update.name,
                    field.spec.ty.name(),
                    ValueType::of(value).name()
                )),
                None if field.spec.required => Err(format!(
                    "value: field \"{}\" is required on every {record}; it cannot be cleared",
                    update.name
                )),
                _ => Ok(()),
            }
        }
        ActionDetail::EmitEvent(event) => match vocabulary.event(&event.name) {
            Some(spec) => typed_fields(&event.fields, &spec.fields),
            None => Err(format!(
                "name: event \"{}\" is not declared in the pack's vocabulary ({})",
                event.name,
                listing(vocabulary.events.iter().map(|event| event.name.as_str()))
            )),
        },
        ActionDetail::Custom(custom) => match vocabulary.action(&custom.kind) {
            Some(spec) => typed_fields(&custom.fields, &spec.fields),
            None => Err(format!(
                "kind: action kind \"{}\" is not declared in the pack's vocabulary ({})",
                custom.kind,
                listing(vocabulary.actions.iter().map(|kind| kind.name.as_str()))
            )),
        },
        ActionDetail::CreateInvoice(_)
        | ActionDetail::SendInvoice(_)
        | ActionDetail::HoldForReview(_)
        | ActionDetail::CreateTask(_)
        | ActionDetail::Escalate(_)
        | ActionDetail::NotifyInternal(_)
        | ActionDetail::SetCreditHold(_)
        | ActionDetail::ReleaseCreditHold(_)
        | ActionDetail::SetCreditTerms(_)
        | ActionDetail::RequestPaymentMethodUpdate(_)
        | ActionDetail::MarkPromiseKept(_)
        | ActionDetail::MarkPromiseBroken(_)
        | ActionDetail::ChangeSubscription(_)
        | ActionDetail::NoAction => Ok(()),
    }
}

/// The amounts of a 0.2 action: known currencies, invoices of the context in the action's currency,
/// and a notice's total adding up.
fn check_money(detail: &ActionDetail, ctx: &Context) -> Result<(), String> {
    let invoice_in = |field: &str, id: &str, currency: &str| -> Result<(), String> {
        match ctx.invoices.iter().find(|invoice| invoice.id == id) {
            None => Err(format!("{field}: invoice \"{id}\" is not in the context")),
            Some(invoice) if invoice.currency != currency => Err(format!(
                "{field}: invoice \"{id}\" is in {}, the action in {currency}",
                invoice.currency
            )),
            Some(_) => Ok(()),
        }
    };
    let known = |field: &str, money: &Money| -> Result<(), String> {
        Currency::from_code(&money.currency)
            .map(|_| ())
            .map_err(|error| format!("{field}: {error}"))
    };
    match detail {
        ActionDetail::ApplyFee(fee) => {
            known("amount", &fee.amount)?;
            match &fee.invoice_id {
                Some(id) => invoice_in("invoice_id", id, &fee.amount.currency),
                None => Ok(()),
            }
        }
        ActionDetail::SendNotice(notice) => {
            known("amount_due", &notice.amount_due)?;
            let currency = &notice.amount_due.currency;
            for id in &notice.invoice_ids {
                invoice_in("invoice_ids", id, currency)?;
            }
            if let Some(instalment) = &notice.instalment_id {
                instalment_of_one_invoice(instalment, &notice.invoice_ids, ctx)?;
            }
            let parts = [
                Some(&notice.amount_due),
                notice.fee.as_ref(),
                notice.interest.as_ref(),
            ];
            let sum = parts
                .into_iter()
                .flatten()
                .try_fold(0_i64, |sum, money| sum.checked_add(money.minor));
            if sum != Some(notice.total.minor) {
                return Err(format!(
                    "total: {} is not the amount due, fee and interest together",
                    notice.total.minor
                ));
            }
            Ok(())
        }
        ActionDetail::RequestPayment(request) => {
            known("amount", &request.amount)?;
            for id in &request.invoice_ids {
                invoice_in("invoice_ids", id, &request.amount.currency)?;
            }
            Ok(())
        }
        ActionDetail::SetField(update) => match &update.value {
            Some(Value::Money(money)) => known("value", money),
            _ => Ok(()),
        },
        ActionDetail::EmitEvent(event) => known_in_fields(&event.fields),
        ActionDetail::Custom(custom) => known_in_fields(&custom.fields),
        _ => Ok(()),
    }
}

/// A notice about an instalment covers exactly the one invoice the instalment belongs to.
fn instalment_of_one_invoice(
    instalment: &str,
    invoice_ids: &[String],
    ctx: &Context,
) -> Result<(), String> {
    let [invoice_id] = invoice_ids else {
        return Err(format!(
            "instalment_id: a notice about instalment \"{instalment}\" covers its one invoice, \
             not {} invoices",
            invoice_ids.len()
        ));
    };
    let belongs = ctx
        .invoices
        .iter()
        .find(|invoice| &invoice.id == invoice_id)
        .is_some_and(|invoice| invoice.instalments.iter().any(|i| i.id == instalment));
    if belongs {
        Ok(())
    } else {
        Err(format!(
            "instalment_id: \"{instalment}\" is not an instalment of invoice \"{invoice_id}\""
        ))
    }
}

fn known_in_fields(fields: &[Field]) -> Result<(), String> {
    for field in fields {
        if let Value::Money(money) = &field.value {
            Currency::from_code(&money.currency)
                .map_err(|error| format!("fields.{}: {error}", field.name))?;
        }
    }
    Ok(())
}

fn same_currency(name: &str, money: Option<&Money>, currency: &str) -> Result<(), String> {
    match money {
        Some(money) if money.currency != currency => Err(format!(
            "{name}: in {}, but the notice is in {currency} (one notice, one currency)",
            money.currency
        )),
        _ => Ok(()),
    }
}

/// Fields of an event or custom action against their declaration: each declared, of its type, no
/// name twice, every required one present.
fn typed_fields(fields: &[Field], specs: &[FieldSpec]) -> Result<(), String> {
    for (index, field) in fields.iter().enumerate() {
        let Some(spec) = specs.iter().find(|spec| spec.name == field.name) else {
            return Err(format!(
                "fields.{}: not declared ({})",
                field.name,
                listing(specs.iter().map(|spec| spec.name.as_str()))
            ));
        };
        if ValueType::of(&field.value) != spec.ty {
            return Err(format!(
                "fields.{}: declared {}, the value is {}",
                field.name,
                spec.ty.name(),
                ValueType::of(&field.value).name()
            ));
        }
        if fields[..index]
            .iter()
            .any(|earlier| earlier.name == field.name)
        {
            return Err(format!("fields.{}: given twice", field.name));
        }
    }
    for spec in specs.iter().filter(|spec| spec.required) {
        if !fields.iter().any(|field| field.name == spec.name) {
            return Err(format!("fields.{}: required, and missing", spec.name));
        }
    }
    Ok(())
}
