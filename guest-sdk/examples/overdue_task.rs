//! The README's "Writing a rule in Rust" example, compiled by `cargo test`.

use crm_rules_guest::prelude::*;

/// Opens a task for every overdue invoice.
fn overdue_tasks(ctx: &Context) -> Result<RuleOutput, String> {
    let history = History::new(ctx);
    let mut out = RuleOutput::empty();
    for invoice in ctx.invoices.iter().filter(|i| i.is_overdue(&ctx.today)) {
        let key = format!("task:{}:overdue", invoice.id);
        if !history.key_seen(&key) {
            out.act(
                "my.overdue",
                key,
                "overdue".to_owned(),
                ActionDetail::CreateTask(Task {
                    assignee_role: AssigneeRole::CollectionsOwner,
                    assignee_id: ctx.account.collections_owner_id.clone(),
                    title: format!("Chase invoice {}", invoice.number),
                    due_in_business_days: 2,
                    invoice_id: Some(invoice.id.clone()),
                }),
            );
        }
    }
    Ok(out)
}

crm_rules_guest::export_modules! {
    "escalation" => overdue_tasks,
}

fn main() {
    // Natively the rule is an ordinary function in `MODULES`: see `tests/all/embedding.rs`.
    assert_eq!(MODULES[0].name, "escalation");
}
