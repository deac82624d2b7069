//! References across a context: what the trigger names, and billing entities, must be in it.

use crate::types::{Context, RecordKind, Trigger};
use crate::wire::Named;

use super::error::InputError;
use super::reader::Path;

/// Checks that the trigger's attempt, invoice or record, and every `billing_entity_id`, are records
/// of the context (the JSON reader does this for every context it reads; a host that builds a
/// context in Rust calls it, or lets `RulePack::check_context` call it).
///
/// # Errors
/// The first reference that names no record, at its path (`trigger.invoice_id`).
pub fn check_references(context: &Context) -> Result<(), InputError> {
    let root = Path::Root;
    let trigger = root.field("trigger");
    let has_invoice = |id: &str| context.invoices.iter().any(|invoice| invoice.id == id);
    match &context.trigger {
        Trigger::PaymentAttempt(attempt)
            if !context
                .payment_attempts
                .iter()
                .any(|known| known.id == *attempt) =>
        {
            return Err(trigger.field("attempt_id").error(format!(
                "payment attempt \"{attempt}\" is not in payment_attempts"
            )));
        }
        Trigger::InvoiceEvent(event) if !has_invoice(&event.invoice_id) => {
            return Err(missing_invoice(&trigger, &event.invoice_id));
        }
        Trigger::Dispute(change) if !has_invoice(&change.invoice_id) => {
            return Err(missing_invoice(&trigger, &change.invoice_id));
        }
        Trigger::TagChange(change) => {
            let id = change.record_id.as_str();
            let found = match change.record {
                RecordKind::Account => context.account.id == id,
                RecordKind::Contact => context.account.contacts.iter().any(|c| c.id == id),
                RecordKind::Invoice => has_invoice(id),
                RecordKind::Deal => false,
                RecordKind::Subscription => context.subscriptions.iter().any(|s| s.id == id),
                RecordKind::PaymentAttempt => context.payment_attempts.iter().any(|a| a.id == id),
                RecordKind::BillingEntity => context.billing_entities.iter().any(|e| e.id == id),
            };
            if !found {
                let hint = if change.record == RecordKind::Deal {
                    " (a deal is only in a deal event: tag changes on deals are not a trigger)"
                } else {
                    ""
                };
                return Err(trigger.field("record_id").error(format!(
                    "{} \"{id}\" is not in the context{hint}",
                    change.record.name()
                )));
            }
        }
        _ => {}
    }
    let has_entity = |id: &str| {
        context
            .billing_entities
            .iter()
            .any(|entity| entity.id == id)
    };
    if let Some(entity) = &context.account.billing_entity_id
        && !has_entity(entity)
    {
        return Err(missing_entity(
            &root.field("account").field("billing_entity_id"),
            entity,
        ));
    }
    let invoices = root.field("invoices");
    for (index, invoice) in context.invoices.iter().enumerate() {
        if let Some(entity) = &invoice.billing_entity_id
            && !has_entity(entity)
        {
            let at = invoices.index(index);
            return Err(missing_entity(&at.field("billing_entity_id"), entity));
        }
    }
    Ok(())
}

fn missing_invoice(trigger: &Path, id: &str) -> InputError {
    trigger
        .field("invoice_id")
        .error(format!("invoice \"{id}\" is not in invoices"))
}

fn missing_entity(path: &Path, id: &str) -> InputError {
    path.error(format!(
        "billing entity \"{id}\" is not in billing_entities"
    ))
}
