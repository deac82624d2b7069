//! `escalation.long-overdue`: a task for the collections owner when an open invoice is
//! `escalate_after_days` or more days past due, once per invoice. An invoice in an open dispute is
//! left to the dispute process, and a `dispute-open` suppression says so.

use crm_rules_guest::prelude::*;

/// The rule id every action and suppression of this module carries.
const RULE: &str = "escalation.long-overdue";

/// The `escalation` module: runs on the scheduled evaluation (pack.toml: `triggers = ["scheduled"]`).
pub(crate) fn evaluate(ctx: &Context) -> Result<RuleOutput, String> {
    let after = i64::from(crate::days_param(ctx, "escalate_after_days")?);
    let history = History::new(ctx);
    let mut out = RuleOutput::empty();
    for invoice in &ctx.invoices {
        let Some(due) = invoice.due_date else {
            continue;
        };
        if invoice.status != InvoiceStatus::Open || invoice.amount_due_minor <= 0 {
            continue;
        }
        let late = ctx.today.days_since(&due);
        if late < after {
            // Nothing changes for this invoice before the local midnight that starts day `after`.
            let at = crate::start_of_local_day(ctx, &due.add_days(after))?;
            crate::look_again_at(&mut out, at);
            continue;
        }
        if invoice.dispute == DisputeStatus::Open {
            out.suppress(RULE, &invoice.id, SuppressionReason::DisputeOpen);
            continue;
        }
        let key = format!("task:{}:long-overdue", invoice.id);
        if history.key_seen(&key) {
            continue; // the task exists already
        }
        let amount = Money::new(invoice.amount_due_minor, &invoice.currency).display();
        out.act(
            RULE,
            key,
            format!("invoice {} is {late} days past due", invoice.number),
            ActionDetail::CreateTask(Task {
                assignee_role: AssigneeRole::CollectionsOwner,
                assignee_id: ctx.account.collections_owner_id.clone(),
                title: format!(
                    "Call about invoice {}: {amount} open, {late} days past due",
                    invoice.number
                ),
                due_in_business_days: 2,
                invoice_id: Some(invoice.id.clone()),
            }),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crm_rules_guest::testing::context;

    /// The fixture case `task-at-45-days`, natively: a unit test gives the parameters the pack
    /// would (`params`), since no manifest is read here.
    #[test]
    fn a_task_at_45_days_past_due() -> Result<(), Box<dyn std::error::Error>> {
        let ctx = context(
            r#"{
                "now": "2026-03-17T14:00:00Z",
                "account": {"id": "acc_1", "name": "Acme Corp", "tier": "mid-market",
                            "timezone": "America/New_York", "currency": "USD",
                            "collections_owner_id": "u_dana"},
                "invoices": [{"id": "inv_7", "number": "INV-7", "status": "open",
                              "currency": "USD", "total": "2500.00",
                              "issue_date": "2026-01-01", "due_date": "2026-01-31"}],
                "payment_attempts": [], "activities": [], "promises": [],
                "params": {"escalate_after_days": 45}
            }"#,
        )?;
        let out = super::evaluate(&ctx)?;
        assert_eq!(out.actions.len(), 1);
        assert_eq!(out.actions[0].key, "task:inv_7:long-overdue");
        Ok(())
    }
}
