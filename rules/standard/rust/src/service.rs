//! Service status S1-S3 of the standard policy (`docs/policy.md`): an account whose oldest unpaid
//! overdue invoice reaches the contract's `suspend_after_days` has its service suspended (the pack's
//! `suspended` dunning state, and a `support-ticket` of the pack's own), and restored once that is no
//! longer so. It reads a custom field, a tag and the account's dunning state, and says when to look
//! again (`next_evaluation_at`).

use crm_rules_guest::clock::local_time_on;
use crm_rules_guest::prelude::*;

use crate::dunning_stopped;

/// The dunning state this module enters and leaves (the pack's vocabulary).
const SUSPENDED: &str = "suspended";
/// The tag, and the pack's suppression reason, of an account whose service is never suspended.
const EXEMPT: &str = "suspension-exempt";
/// The account's custom field: days past due at which its service is suspended.
const AFTER_DAYS: &str = "suspend_after_days";
/// The furthest day number a date may move to (as the Rhai variant's date arithmetic allows).
const MAX_DAY_NUMBER: i64 = 365_242_500;

pub(crate) fn evaluate(ctx: &Context) -> Result<RuleOutput, String> {
    let mut out = RuleOutput::empty();
    let after = suspend_after_days(&ctx.account)?;
    let suspended = ctx
        .account
        .dunning_state
        .as_ref()
        .filter(|status| status.state == SUSPENDED);
    if suspended.is_none() && after.is_none() {
        // No suspension clause: nothing to decide, nothing to schedule.
        return Ok(out);
    }
    let history = History::new(ctx);
    let scan = scan(ctx, &history, after);
    match (suspended, after) {
        (Some(status), _) => restore(ctx, &history, status, after, &scan, &mut out),
        (None, Some(after)) => {
            if !suspend(ctx, &history, after, &scan, &mut out)? {
                out.next_evaluation_at = next_evaluation(ctx, after, &scan)?;
            }
        }
        (None, None) => {}
    }
    Ok(out)
}

/// The account's `suspend_after_days`: `None` when the contract has no suspension clause; an error
/// when it is below one day.
fn suspend_after_days(account: &Account) -> Result<Option<i64>, String> {
    match account.field(AFTER_DAYS) {
        None => Ok(None),
        Some(Value::Integer(days)) if *days >= 1 => Ok(Some(*days)),
        Some(Value::Integer(days)) => Err(format!(
            "suspend_after_days must be at least 1 day, not {days} (account {})",
            account.id
        )),
        Some(_) => Err(format!(
            "suspend_after_days must be an integer (account {})",
            account.id
        )),
    }
}

/// What the module needs from the invoices, in one pass over those that count: open, something
/// due, a due date, not disputed and not covered by an open promise.
struct Scan<'a> {
    /// The oldest of them by due date (ties: the smaller id): the anchor, when it is overdue.
    oldest: Option<(&'a Invoice, Date)>,
    /// The oldest due date among those fewer than `suspend_after_days` days past due.
    next_due: Option<Date>,
}

fn scan<'a>(ctx: &'a Context, history: &History, after: Option<i64>) -> Scan<'a> {
    let mut found = Scan {
        oldest: None,
        next_due: None,
    };
    for invoice in &ctx.invoices {
        let Some(due) = invoice.due_date else {
            continue;
        };
        if invoice.status != InvoiceStatus::Open
            || invoice.amount_due_minor <= 0
            || invoice.dispute == DisputeStatus::Open
            || history.promise_covers(&invoice.id)
        {
            continue;
        }
        if found
            .oldest
            .is_none_or(|(oldest, oldest_due)| (due, &invoice.id) < (oldest_due, &oldest.id))
        {
            found.oldest = Some((invoice, due));
        }
        let coming = after.is_some_and(|after| ctx.today.days_since(&due) < after);
        if coming && found.next_due.is_none_or(|next| due < next) {
            found.next_due = Some(due);
        }
    }
    found
}

/// The anchor and its days past due, if it has reached `after` days (and so is overdue).
fn anchor_reached<'a>(ctx: &Context, scan: &Scan<'a>, after: i64) -> Option<(&'a Invoice, i64)> {
    let (invoice, due) = scan.oldest?;
    let dpd = ctx.today.days_since(&due);
    (dpd >= 1 && dpd >= after).then_some((invoice, dpd))
}

/// S1: suspend the account's service, or say why not. `true` when the rule acted or suppressed.
fn suspend(
    ctx: &Context,
    history: &History,
    after: i64,
    scan: &Scan,
    out: &mut RuleOutput,
) -> Result<bool, String> {
    let Some((anchor, dpd)) = anchor_reached(ctx, scan, after) else {
        return Ok(false);
    };
    let account = &ctx.account;
    let state_key = format!("service:{}:suspend:{}", account.id, anchor.id);
    let ticket_key = format!("ticket:{}:suspend:{}", account.id, anchor.id);
    let state_due = !history.key_seen(&state_key);
    let ticket_due = !history.key_seen(&ticket_key);
    if !state_due && !ticket_due {
        return Ok(false);
    }
    if let Some(reason) = dunning_stopped(ctx) {
        out.suppress("service.suspend", &account.id, reason);
        return Ok(true);
    }
    if account.has_tag(EXEMPT) {
        let reason = SuppressionReason::Custom(EXEMPT.to_owned());
        out.suppress("service.suspend", &account.id, reason);
        return Ok(true);
    }
    let number = &anchor.number;
    let reason = format!("invoice {number} is {dpd} days past due");
    if state_due {
        out.act(
            "service.suspend",
            state_key,
            reason.clone(),
            ActionDetail::EnterDunningState(DunningEntry {
                state: SUSPENDED.to_owned(),
                blocks: vec![Block::Service],
                customer_message: Some(format!(
                    "Service is suspended: invoice {number} is {dpd} days past due."
                )),
                subscriptions: SubscriptionPolicy::Keep,
            }),
        );
    }
    if ticket_due {
        let queue = ctx.param_text("support_queue")?;
        let subject = format!(
            "Service suspended for {}: invoice {number}, {dpd} days past due",
            account.name
        );
        out.act(
            "service.suspend",
            ticket_key,
            reason,
            ActionDetail::Custom(CustomAction {
                kind: "support-ticket".to_owned(),
                fields: vec![
                    Field {
                        name: "queue".to_owned(),
                        value: Value::Text(queue.to_owned()),
                    },
                    Field {
                        name: "subject".to_owned(),
                        value: Value::Text(subject),
                    },
                ],
            }),
        );
    }
    Ok(true)
}

/// S2: a suspended account whose suspension no longer holds leaves the state.
fn restore(
    ctx: &Context,
    history: &History,
    status: &DunningStatus,
    after: Option<i64>,
    scan: &Scan,
    out: &mut RuleOutput,
) {
    let reason = match after {
        None => "suspend_after_days is not set: the contract has no suspension clause".to_owned(),
        Some(_) if ctx.account.has_tag(EXEMPT) => {
            format!("the account is tagged {EXEMPT}")
        }
        Some(after) if anchor_reached(ctx, scan, after).is_none() => {
            format!("no invoice is {after} or more days past due")
        }
        Some(_) => return,
    };
    let key = format!("restore:{}", status.key);
    if !history.key_seen(&key) {
        out.act(
            "service.restore",
            key,
            reason,
            ActionDetail::LeaveDunningState(DunningExit {
                state: SUSPENDED.to_owned(),
            }),
        );
    }
}

/// S3: local midnight of the first day an invoice that counts reaches `after` days past due.
fn next_evaluation(ctx: &Context, after: i64, scan: &Scan) -> Result<Option<Timestamp>, String> {
    let Some(due) = scan.next_due else {
        return Ok(None);
    };
    let day = due
        .day_number()
        .checked_add(after)
        .filter(|day| day.abs() <= MAX_DAY_NUMBER)
        .ok_or_else(|| format!("date {due} plus {after} days is out of range"))?;
    local_time_on(&Date::from_day_number(day), &ctx.account.timezone, 0)
        .map(Some)
        .map_err(|error| error.to_string())
}
