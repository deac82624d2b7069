//! `reminders.before-due`: an email reminder `reminder_days_before` days before an open invoice
//! falls due (or on any later day before it, if a run was missed), once per invoice, to the
//! account's first contact with an email address. No such contact: a `no-contact` suppression says
//! why nothing went.

use crm_rules_guest::prelude::*;

/// The rule id every action and suppression of this module carries.
const RULE: &str = "reminders.before-due";

/// The `reminders` module: runs on the scheduled evaluation (pack.toml: `triggers = ["scheduled"]`).
pub(crate) fn evaluate(ctx: &Context) -> Result<RuleOutput, String> {
    let days_before = crate::days_param(ctx, "reminder_days_before")?;
    let history = History::new(ctx);
    let contact = ctx
        .account
        .contacts
        .iter()
        .find(|contact| contact.email.is_some());
    let mut out = RuleOutput::empty();
    for invoice in &ctx.invoices {
        let Some(due) = invoice.due_date else {
            continue;
        };
        if invoice.status != InvoiceStatus::Open || invoice.amount_due_minor <= 0 {
            continue;
        }
        if ctx.today >= due {
            continue; // due or late: past the time for a reminder
        }
        let remind_on = due.add_days(-i64::from(days_before));
        if ctx.today < remind_on {
            // Nothing changes for this invoice before the local midnight that starts `remind_on`.
            let at = crate::start_of_local_day(ctx, &remind_on)?;
            crate::look_again_at(&mut out, at);
            continue;
        }
        let key = format!("reminder:{}:before-due", invoice.id);
        if history.key_seen(&key) {
            continue; // sent already
        }
        let Some(contact) = contact else {
            out.suppress(RULE, &invoice.id, SuppressionReason::NoContact);
            continue;
        };
        out.act(
            RULE,
            key,
            format!("invoice {} falls due on {due}", invoice.number),
            ActionDetail::SendReminder(Reminder {
                invoice_id: invoice.id.clone(),
                step: "before-due".to_owned(),
                channel: Channel::Email,
                contact_id: contact.id.clone(),
                payment_link: None,
                link_expired: false,
            }),
        );
    }
    Ok(out)
}
