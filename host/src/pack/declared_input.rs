//! A context against the pack's vocabulary, for contexts that did not come through the JSON reader
//! (built in Rust by an embedder): the same rules, with the same field paths.

use crm_rules_contract::extras::Extensible;
use crm_rules_contract::types::{ActionKind, Context, RecordKind};
use crm_rules_contract::vocabulary::{ValueType, Vocabulary, listing};

use crate::json::InputError;

/// Checks custom fields (declared, typed, required ones present), activity templates and kinds,
/// and the account's dunning state.
pub(crate) fn check_declared_input(
    ctx: &Context,
    vocabulary: &Vocabulary,
) -> Result<(), InputError> {
    let account = &ctx.account;
    // Paths are written out only for an error: a valid context costs no text per record.
    check_record(
        account,
        RecordKind::Account,
        || "account".into(),
        vocabulary,
    )?;
    for (index, contact) in account.contacts.iter().enumerate() {
        let path = || format!("account.contacts[{index}]");
        check_record(contact, RecordKind::Contact, path, vocabulary)?;
    }
    for (index, invoice) in ctx.invoices.iter().enumerate() {
        let path = || format!("invoices[{index}]");
        check_record(invoice, RecordKind::Invoice, path, vocabulary)?;
    }
    if let Some(event) = &ctx.deal_event {
        let path = || "deal_event.deal".into();
        check_record(&event.deal, RecordKind::Deal, path, vocabulary)?;
    }
    for (index, attempt) in ctx.payment_attempts.iter().enumerate() {
        let path = || format!("payment_attempts[{index}]");
        check_record(attempt, RecordKind::PaymentAttempt, path, vocabulary)?;
    }
    for (index, subscription) in ctx.subscriptions.iter().enumerate() {
        let path = || format!("subscriptions[{index}]");
        check_record(subscription, RecordKind::Subscription, path, vocabulary)?;
    }
    for (index, entity) in ctx.billing_entities.iter().enumerate() {
        let path = || format!("billing_entities[{index}]");
        check_record(entity, RecordKind::BillingEntity, path, vocabulary)?;
    }
    if let Some(status) = &account.dunning_state
        && !vocabulary.has_state(&status.state)
    {
        return Err(InputError::new(
            "account.dunning_state.state",
            format!(
                "dunning state \"{}\" is not declared in the pack's vocabulary ({})",
                status.state,
                listing(vocabulary.states.iter().map(String::as_str))
            ),
        ));
    }
    for (index, activity) in ctx.activities.iter().enumerate() {
        if let Some(step) = &activity.step
            && !vocabulary.has_template(step)
        {
            return Err(InputError::new(
                format!("activities[{index}].step"),
                format!(
                    "template \"{step}\" is not declared in the pack's vocabulary ({})",
                    listing(vocabulary.templates.iter().map(String::as_str))
                ),
            ));
        }
        if let ActionKind::Custom(kind) = &activity.kind
            && vocabulary.action(kind).is_none()
        {
            return Err(InputError::new(
                format!("activities[{index}].kind"),
                format!("action kind \"{kind}\" is not declared in the pack's vocabulary"),
            ));
        }
        check_activity_fields(activity, index, vocabulary)?;
    }
    Ok(())
}

/// An activity's fields: those of its action kind, at their types (as the JSON reader reads them).
fn check_activity_fields(
    activity: &crm_rules_contract::types::Activity,
    index: usize,
    vocabulary: &Vocabulary,
) -> Result<(), InputError> {
    for field in &activity.fields {
        let declared = match &activity.kind {
            ActionKind::Custom(kind) => vocabulary
                .action(kind)
                .and_then(|spec| spec.fields.iter().find(|spec| spec.name == field.name))
                .map(|spec| spec.ty),
            core => crm_rules_contract::vocabulary::core_action_fields(core)
                .iter()
                .find(|(name, _)| *name == field.name)
                .map(|(_, ty)| *ty),
        };
        let at = || format!("activities[{index}].fields.{}", field.name);
        match declared {
            None => {
                return Err(InputError::new(
                    at(),
                    "not a field of the activity's action kind",
                ));
            }
            Some(ty) if ty != ValueType::of(&field.value) => {
                let found = ValueType::of(&field.value).name();
                return Err(InputError::new(
                    at(),
                    format!("a {} field, given a {found}", ty.name()),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn check_record(
    record: &impl Extensible,
    kind: RecordKind,
    path: impl Fn() -> String,
    vocabulary: &Vocabulary,
) -> Result<(), InputError> {
    for (index, field) in record.fields().iter().enumerate() {
        let at = || format!("{}.fields.{}", path(), field.name);
        let Some(declared) = vocabulary.record_field(kind, &field.name) else {
            let names = vocabulary.record_fields(kind).map(|f| f.spec.name.as_str());
            return Err(InputError::new(
                at(),
                format!(
                    "field \"{}\" is not declared ({})",
                    field.name,
                    listing(names)
                ),
            ));
        };
        let found = ValueType::of(&field.value);
        if found != declared.spec.ty {
            return Err(InputError::new(
                at(),
                format!(
                    "declared {}, the value is {}",
                    declared.spec.ty.name(),
                    found.name()
                ),
            ));
        }
        if record.fields()[..index]
            .iter()
            .any(|earlier| earlier.name == field.name)
        {
            return Err(InputError::new(at(), "the field is given twice"));
        }
    }
    for declared in vocabulary
        .record_fields(kind)
        .filter(|field| field.spec.required)
    {
        if record.field(&declared.spec.name).is_none() {
            return Err(InputError::new(
                format!("{}.fields.{}", path(), declared.spec.name),
                "missing required field (the pack declares it required)",
            ));
        }
    }
    Ok(())
}
