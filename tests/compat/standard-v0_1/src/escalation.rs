//! Escalation E1-E6 of the standard policy (`docs/policy.md`): follow-ups, escalations, credit
//! holds and promises.

use std::collections::BTreeMap;

use crate::sdk::prelude::*;

use crate::dunning_stopped;

pub(crate) fn evaluate(ctx: &Context) -> Result<RuleOutput, String> {
    let history = History::new(ctx);
    let mut out = RuleOutput::empty();
    overdue(ctx, &history, &mut out)?;
    declines(ctx, &history, &mut out)?;
    hard_decline(ctx, &history, &mut out);
    release_hold(ctx, &history, &mut out);
    promises(ctx, &history, &mut out)?;
    chargebacks(ctx, &history, &mut out);
    Ok(out)
}

fn assignee(ctx: &Context, role: AssigneeRole) -> Option<String> {
    match role {
        AssigneeRole::CollectionsOwner => ctx.account.collections_owner_id.clone(),
        AssigneeRole::AccountExecutive => ctx.account.account_executive_id.clone(),
    }
}

fn escalate(
    out: &mut RuleOutput,
    rule_id: &str,
    key: String,
    reason: String,
    target: EscalationTarget,
    anchor: Option<(&Invoice, i64)>,
) {
    out.act(
        rule_id,
        key,
        reason,
        ActionDetail::Escalate(Escalation {
            target,
            invoice_id: anchor.map(|(invoice, _)| invoice.id.clone()),
            currency: anchor.map(|(invoice, _)| invoice.currency.clone()),
            days_past_due: anchor.map_or(0, |(_, dpd)| u32::try_from(dpd).unwrap_or(u32::MAX)),
        }),
    );
}

/// E1: per currency, the oldest unpaid overdue invoice that is not disputed nor promised (the
/// first of equals by due date and id), found in one pass over the invoices.
fn anchors<'a>(ctx: &'a Context, history: &History) -> BTreeMap<&'a str, &'a Invoice> {
    let mut anchors: BTreeMap<&str, &Invoice> = BTreeMap::new();
    let candidates = ctx.invoices.iter().filter(|invoice| {
        invoice.is_overdue(&ctx.today)
            && invoice.dispute != DisputeStatus::Open
            && !history.promise_covers(&invoice.id)
    });
    for invoice in candidates {
        let anchor = anchors.entry(invoice.currency.as_str()).or_insert(invoice);
        if (invoice.due_date, &invoice.id) < (anchor.due_date, &anchor.id) {
            *anchor = invoice;
        }
    }
    anchors
}

/// E1: per currency, escalate on the anchor invoice by its days past due. While dunning is stopped
/// for the account (R6's test), the action due is suppressed instead.
fn overdue(ctx: &Context, history: &History, out: &mut RuleOutput) -> Result<(), String> {
    let followup = ctx.param_int("followup_days_past_due")?;
    let to_executive = ctx.param_int("executive_days_past_due")?;
    let to_collections = ctx.param_int("collections_days_past_due")?;
    let stopped = dunning_stopped(ctx);
    for (currency, anchor) in anchors(ctx, history) {
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
        let key = format!(
            "esc:{}:{}:{}:{}",
            ctx.account.id, currency, level, anchor.id
        );
        if history.key_seen(&key) {
            continue;
        }
        if let Some(reason) = stopped {
            out.suppress("escalation.overdue", &anchor.id, reason);
            continue;
        }
        let reason = format!("invoice {} is {dpd} days past due", anchor.number);
        if level == to_collections {
            let target = EscalationTarget::Collections;
            escalate(
                out,
                "escalation.overdue",
                key,
                reason,
                target,
                Some((anchor, dpd)),
            );
        } else if level == to_executive {
            let target = EscalationTarget::AccountExecutive;
            let notify_key = format!("notify:{key}");
            escalate(
                out,
                "escalation.overdue",
                key,
                reason.clone(),
                target,
                Some((anchor, dpd)),
            );
            out.act(
                "escalation.overdue",
                notify_key,
                reason.clone(),
                ActionDetail::NotifyInternal(Notification {
                    recipient_role: AssigneeRole::AccountExecutive,
                    recipient_id: assignee(ctx, AssigneeRole::AccountExecutive),
                    message: reason,
                }),
            );
        } else {
            let days = ctx.param_int("followup_due_business_days")?;
            out.act(
                "escalation.overdue",
                key,
                reason.clone(),
                ActionDetail::CreateTask(Task {
                    assignee_role: AssigneeRole::CollectionsOwner,
                    assignee_id: assignee(ctx, AssigneeRole::CollectionsOwner),
                    title: format!("Follow up: {reason}"),
                    due_in_business_days: u32::try_from(days)
                        .map_err(|_| "followup_due_business_days out of range")?,
                    invoice_id: Some(anchor.id.clone()),
                }),
            );
        }
    }
    Ok(())
}

/// E2: repeated real declines since the last success put the account on credit hold.
fn declines(ctx: &Context, history: &History, out: &mut RuleOutput) -> Result<(), String> {
    let declines = ctx.declines_since_last_success();
    let limit = ctx.param_int("declines_before_hold")?;
    if ctx.account.credit_hold.is_some() || i64::try_from(declines).unwrap_or(i64::MAX) < limit {
        return Ok(());
    }
    let cycle = ctx
        .payment_attempts
        .iter()
        .filter(|attempt| attempt.outcome == PaymentOutcome::Succeeded)
        .max_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)))
        .map_or("none", |attempt| attempt.id.as_str());
    let account = &ctx.account.id;
    let reason = format!("{declines} declined payments since the last success");
    let hold_key = format!("hold:{account}:{cycle}");
    if history.key_seen(&hold_key) {
        return Ok(());
    }
    out.act(
        "escalation.declines",
        hold_key,
        reason.clone(),
        ActionDetail::SetCreditHold(reason.clone()),
    );
    let target = EscalationTarget::Collections;
    let key = format!("esc:{account}:declines:{cycle}");
    escalate(out, "escalation.declines", key, reason, target, None);
    Ok(())
}

/// E3: the latest attempt was a hard decline: ask for a new payment method, do not retry.
fn hard_decline(ctx: &Context, history: &History, out: &mut RuleOutput) {
    let latest = ctx
        .payment_attempts
        .iter()
        .max_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    let Some(attempt) = latest else { return };
    let hard = matches!(
        attempt.decline_reason,
        Some(DeclineReason::LostOrStolen | DeclineReason::InvalidCard | DeclineReason::ExpiredCard)
    );
    let key = format!("pmu:{}", attempt.id);
    if attempt.outcome == PaymentOutcome::Declined && hard && !history.key_seen(&key) {
        out.act(
            "escalation.hard-decline",
            key,
            "hard decline: the payment method cannot be retried".to_owned(),
            ActionDetail::RequestPaymentMethodUpdate(PaymentMethodRequest {
                attempt_id: attempt.id.clone(),
            }),
        );
    }
}

/// E4: a hold with nothing overdue in any currency is released.
fn release_hold(ctx: &Context, history: &History, out: &mut RuleOutput) {
    let Some(hold) = &ctx.account.credit_hold else {
        return;
    };
    if ctx
        .invoices
        .iter()
        .any(|invoice| invoice.is_overdue(&ctx.today))
    {
        return;
    }
    let key = format!("release:{}", hold.key);
    if !history.key_seen(&key) {
        out.act(
            "escalation.release-hold",
            key,
            "nothing overdue".to_owned(),
            ActionDetail::ReleaseCreditHold("nothing overdue".to_owned()),
        );
    }
}

/// E5: promises past their grace period are kept (>= the kept share received) or broken.
fn promises(ctx: &Context, history: &History, out: &mut RuleOutput) -> Result<(), String> {
    let kept_bps = ctx.param_int("promise_kept_bps")?;
    for promise in &ctx.promises {
        let expired = ctx.today.days_since(&promise.promised_date) > i64::from(promise.grace_days);
        if promise.status != PromiseStatus::Open || !expired {
            continue;
        }
        let kept = i128::from(promise.received_minor) * 10_000
            >= i128::from(promise.amount.minor) * i128::from(kept_bps);
        if kept {
            let key = format!("promise:{}:kept", promise.id);
            if !history.key_seen(&key) {
                let reason = "promise to pay kept".to_owned();
                out.act(
                    "escalation.promise",
                    key,
                    reason,
                    ActionDetail::MarkPromiseKept(promise.id.clone()),
                );
            }
            continue;
        }
        let key = format!("promise:{}:broken", promise.id);
        if history.key_seen(&key) {
            continue;
        }
        let reason = format!("promise to pay {} broken", promise.id);
        out.act(
            "escalation.promise",
            key,
            reason.clone(),
            ActionDetail::MarkPromiseBroken(promise.id.clone()),
        );
        let key = format!("esc:{}:promise:{}", ctx.account.id, promise.id);
        let target = EscalationTarget::AccountExecutive;
        escalate(out, "escalation.promise", key, reason, target, None);
    }
    Ok(())
}

/// E6: a dispute opened on a paid invoice (a chargeback) needs a person.
fn chargebacks(ctx: &Context, history: &History, out: &mut RuleOutput) {
    for invoice in &ctx.invoices {
        if invoice.status != InvoiceStatus::Paid || invoice.dispute != DisputeStatus::Open {
            continue;
        }
        let key = format!("task:{}:chargeback", invoice.id);
        if history.key_seen(&key) {
            continue;
        }
        let title = format!("Chargeback on paid invoice {}", invoice.number);
        out.act(
            "escalation.chargeback",
            key,
            title.clone(),
            ActionDetail::CreateTask(Task {
                assignee_role: AssigneeRole::CollectionsOwner,
                assignee_id: assignee(ctx, AssigneeRole::CollectionsOwner),
                title,
                due_in_business_days: 1,
                invoice_id: Some(invoice.id.clone()),
            }),
        );
    }
}
