//! E1, the escalation ladder alone, decision for decision the twin of
//! `tests/benches/evaluate/rhai-e1/e1.rhai`: per currency, the overdue open invoice with the oldest
//! due date (ties: the smaller id) that is not in an open dispute; by its days past due, a follow-up
//! task, an escalation to the account executive, or to collections, once per anchor and level.
//!
//! This file is compiled twice: into the component (`e1-guest`, on the guest SDK) and natively into
//! the benchmark (on `crm_rules_host::types`). Both name the contract's types `super::types`; they
//! are the same Rust types, from `crm-rules-contract`.

use std::collections::BTreeMap;

use super::types::{
    ActionDetail, AssigneeRole, Context, DisputeStatus, Escalation, EscalationTarget, Invoice,
    RuleOutput, Task,
};

/// The rule id every E1 action carries.
const RULE_ID: &str = "escalation.overdue";

/// Business days the follow-up task is due in (the Rhai twin's literal).
const FOLLOWUP_DUE_BUSINESS_DAYS: u32 = 2;

/// Per currency, the anchor invoice: overdue (open, something due, due strictly before today), not
/// in an open dispute, the oldest by due date, ties broken by the smaller id.
fn anchors(ctx: &Context) -> BTreeMap<&str, &Invoice> {
    let mut anchors: BTreeMap<&str, &Invoice> = BTreeMap::new();
    let candidates = ctx
        .invoices
        .iter()
        .filter(|invoice| invoice.is_overdue(&ctx.today) && invoice.dispute != DisputeStatus::Open);
    for invoice in candidates {
        let anchor = anchors.entry(invoice.currency.as_str()).or_insert(invoice);
        if (invoice.due_date, &invoice.id) < (anchor.due_date, &anchor.id) {
            *anchor = invoice;
        }
    }
    anchors
}

/// The `escalation` module: for each currency (in order) whose anchor is at least
/// `followup_days_past_due` days past due, the action of the highest level reached, unless its key
/// was done already (an activity's key, an invoice's source key, the credit hold's key).
///
/// # Errors
/// A threshold parameter is missing or not an integer.
pub(crate) fn evaluate(ctx: &Context) -> Result<RuleOutput, String> {
    let followup = ctx.param_int("followup_days_past_due")?;
    let to_executive = ctx.param_int("executive_days_past_due")?;
    let to_collections = ctx.param_int("collections_days_past_due")?;
    let mut out = RuleOutput::empty();
    for (currency, anchor) in anchors(ctx) {
        let dpd = anchor.days_past_due(&ctx.today).unwrap_or(0);
        let level = if dpd >= to_collections {
            to_collections
        } else if dpd >= to_executive {
            to_executive
        } else if dpd >= followup {
            followup
        } else {
            continue;
        };
        let key = format!("esc:{}:{currency}:{level}:{}", ctx.account.id, anchor.id);
        if ctx.key_seen(&key) {
            continue;
        }
        let reason = format!("invoice {} is {dpd} days past due", anchor.number);
        let detail = if level == followup {
            ActionDetail::CreateTask(Task {
                assignee_role: AssigneeRole::CollectionsOwner,
                assignee_id: ctx.account.collections_owner_id.clone(),
                title: format!("Follow up: {reason}"),
                due_in_business_days: FOLLOWUP_DUE_BUSINESS_DAYS,
                invoice_id: Some(anchor.id.clone()),
            })
        } else {
            ActionDetail::Escalate(Escalation {
                target: if level == to_collections {
                    EscalationTarget::Collections
                } else {
                    EscalationTarget::AccountExecutive
                },
                invoice_id: Some(anchor.id.clone()),
                currency: Some(currency.to_owned()),
                days_past_due: u32::try_from(dpd).unwrap_or(u32::MAX),
            })
        };
        out.act(RULE_ID, key, reason, detail);
    }
    Ok(out)
}
