//! Reminders R1-R8 of the standard policy (`docs/policy.md`): for each open invoice, at most one
//! step, on one channel.

use crm_rules_guest::clock::{local_minute_of_day, next_local_time};
use crm_rules_guest::prelude::*;

use crate::steps::Step;

use crate::dunning_stopped;

const RULE_STEP: &str = "reminder.step";
const RULE_SUPPRESS: &str = "reminder.suppress";

pub(crate) fn evaluate(ctx: &Context) -> Result<RuleOutput, String> {
    let history = History::new(ctx);
    let mut out = RuleOutput::empty();
    for invoice in &ctx.invoices {
        remind(ctx, &history, &mut out, invoice)?;
    }
    Ok(out)
}

/// R6: why this invoice gets no reminder at all, if it gets none.
fn suppression(ctx: &Context, history: &History, invoice: &Invoice) -> Option<SuppressionReason> {
    if invoice.status != InvoiceStatus::Open {
        Some(SuppressionReason::NotOpen)
    } else if invoice.amount_due_minor <= 0 {
        Some(SuppressionReason::NothingDue)
    } else if invoice.due_date.is_none() {
        Some(SuppressionReason::NoDueDate)
    } else if invoice.dispute == DisputeStatus::Open {
        Some(SuppressionReason::DisputeOpen)
    } else if invoice.followup_blocked {
        Some(SuppressionReason::FollowupBlocked)
    } else if let Some(reason) = dunning_stopped(ctx) {
        Some(reason)
    } else if history.promise_covers(&invoice.id) {
        Some(SuppressionReason::PromiseOpen)
    } else {
        None
    }
}

/// R1: the step's date, moved off non-business days (pre-due and due back, post-due forward).
fn step_date(calendar: &Calendar, due: &Date, step: Step) -> Date {
    let nominal = due.add_days(step.offset_days());
    if step.offset_days() > 0 {
        calendar.on_or_after(&nominal)
    } else {
        calendar.on_or_before(&nominal)
    }
}

/// R1, R2: the latest step whose date has come (a later step sharing a date wins).
fn current_step(ctx: &Context, due: &Date) -> Option<Step> {
    Step::ALL
        .into_iter()
        .rev()
        .find(|step| step_date(&ctx.calendar, due, *step) <= ctx.today)
}

fn remind(
    ctx: &Context,
    history: &History,
    out: &mut RuleOutput,
    invoice: &Invoice,
) -> Result<(), String> {
    if let Some(reason) = suppression(ctx, history, invoice) {
        out.suppress(RULE_SUPPRESS, &invoice.id, reason);
        return Ok(());
    }
    // R7: unapplied credit in the invoice currency covers what is due.
    let credit = ctx
        .account
        .balance(&invoice.currency)
        .map_or(0, |balance| balance.unapplied_credit_minor);
    if credit >= invoice.amount_due_minor {
        out.suppress(RULE_SUPPRESS, &invoice.id, SuppressionReason::CreditCovers);
        let key = format!("task:{}:apply-credit", invoice.id);
        if !history.key_seen(&key) {
            task(
                ctx,
                out,
                "reminder.apply-credit",
                key,
                AssigneeRole::CollectionsOwner,
                format!("Apply unapplied credit to invoice {}", invoice.number),
                invoice,
            );
        }
        return Ok(());
    }
    let Some(due) = invoice.due_date else {
        return Ok(());
    };
    let Some(step) = current_step(ctx, &due) else {
        return Ok(());
    };
    if invoice.collection_method == CollectionMethod::ChargeAutomatically && step != Step::Post1 {
        out.suppress(
            RULE_SUPPRESS,
            &invoice.id,
            SuppressionReason::AutomaticCollection,
        );
        return Ok(());
    }
    let key = format!("rem:{}:{}", invoice.id, step.as_str());
    // R8: an earlier send of this step with an unknown outcome is never resent.
    let unknown = history
        .reminders_sent(&invoice.id)
        .any(|sent| sent.step == step.as_str() && sent.outcome == ActivityOutcome::Unknown);
    if unknown {
        let review_key = format!("review:{key}:unknown-outcome");
        if !history.key_seen(&review_key) {
            out.act(
                "reminder.unknown-outcome",
                review_key,
                format!("outcome of the {} reminder is unknown", step.as_str()),
                ActionDetail::HoldForReview(Review {
                    queue: ctx.param_text("collections_review_queue")?.to_owned(),
                    subject_id: invoice.id.clone(),
                }),
            );
        }
        return Ok(());
    }
    // R2: never resend a step, nor an earlier one once a later step went out (any channel, any
    // outcome: retrying a failed delivery is the outbox's job, under the same key).
    let already = history
        .reminders_sent(&invoice.id)
        .any(|sent| Step::from_name(sent.step).is_some_and(|sent| sent >= step));
    if already || history.key_seen(&key) {
        return Ok(());
    }
    send(ctx, out, invoice, step, key)
}

fn task(
    ctx: &Context,
    out: &mut RuleOutput,
    rule_id: &str,
    key: String,
    role: AssigneeRole,
    title: String,
    invoice: &Invoice,
) {
    let assignee_id = match role {
        AssigneeRole::CollectionsOwner => ctx.account.collections_owner_id.clone(),
        AssigneeRole::AccountExecutive => ctx.account.account_executive_id.clone(),
    };
    out.act(
        rule_id,
        key,
        title.clone(),
        ActionDetail::CreateTask(Task {
            assignee_role: role,
            assignee_id,
            title,
            due_in_business_days: 1,
            invoice_id: Some(invoice.id.clone()),
        }),
    );
}

/// R3: SMS for small amounts owed by fast payers with a consenting contact.
fn sms_contact<'a>(ctx: &'a Context, invoice: &Invoice) -> Result<Option<&'a Contact>, String> {
    let Some(ceiling) = ctx.param_money("sms_max", &invoice.currency)? else {
        return Ok(None);
    };
    let behaviour = &ctx.account.payment_behaviour;
    let min_settled = ctx.param_int("fast_payer_min_settled")?;
    let max_late_bps = ctx.param_int("fast_payer_max_late_bps")?;
    let fast = i64::from(behaviour.settled_12m) >= min_settled
        && i64::from(behaviour.late_12m) * 10_000 < i64::from(behaviour.settled_12m) * max_late_bps;
    if invoice.amount_due_minor > ceiling || !fast {
        return Ok(None);
    }
    Ok(ctx
        .account
        .contacts
        .iter()
        .find(|contact| contact.sms_consent && !contact.sms_opted_out && contact.phone.is_some()))
}

fn email_contact(ctx: &Context) -> Option<&Contact> {
    let contacts = &ctx.account.contacts;
    contacts
        .iter()
        .find(|contact| contact.role == ContactRole::Billing && contact.email.is_some())
        .or_else(|| contacts.iter().find(|contact| contact.email.is_some()))
}

/// R3, R4, R5: pick the channel and send.
fn send(
    ctx: &Context,
    out: &mut RuleOutput,
    invoice: &Invoice,
    step: Step,
    key: String,
) -> Result<(), String> {
    let title = format!("{} reminder for invoice {}", step.as_str(), invoice.number);
    if ctx.account.tier == Tier::Strategic {
        let role = AssigneeRole::AccountExecutive;
        task(ctx, out, "reminder.rep-outreach", key, role, title, invoice);
        return Ok(());
    }
    let (channel, contact) = match sms_contact(ctx, invoice)? {
        Some(contact) => (Channel::Sms, contact),
        None => match email_contact(ctx) {
            Some(contact) => (Channel::Email, contact),
            None => {
                out.suppress(RULE_STEP, &invoice.id, SuppressionReason::NoContact);
                let role = AssigneeRole::CollectionsOwner;
                task(ctx, out, "reminder.no-contact", key, role, title, invoice);
                return Ok(());
            }
        },
    };
    let zone = &ctx.account.timezone;
    let not_before = if channel == Channel::Sms {
        let minute = local_minute_of_day(ctx.now, zone).map_err(|error| error.to_string())?;
        let start = ctx.param_int("sms_window_start_hour")?;
        let end = ctx.param_int("sms_window_end_hour")?;
        if i64::from(minute) < start * 60 || i64::from(minute) >= end * 60 {
            let hour = u32::try_from(start).map_err(|_| "sms_window_start_hour out of range")?;
            Some(next_local_time(ctx.now, zone, hour).map_err(|error| error.to_string())?)
        } else {
            None
        }
    } else {
        None
    };
    let link = invoice.payment_link.as_ref();
    out.act(
        RULE_STEP,
        key,
        title,
        ActionDetail::SendReminder(Reminder {
            invoice_id: invoice.id.clone(),
            step: step.as_str().to_owned(),
            channel,
            contact_id: contact.id.clone(),
            payment_link: link.map(|link| link.url.clone()),
            link_expired: link
                .and_then(|link| link.expires_at)
                .is_some_and(|expires| expires <= ctx.now),
        }),
    );
    if let Some(action) = out.actions.last_mut() {
        action.not_before = not_before;
    }
    Ok(())
}
