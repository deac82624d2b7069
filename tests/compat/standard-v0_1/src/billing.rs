//! Billing triggers B0-B11 of the standard policy (`docs/policy.md`): a deal event in, invoices (or
//! reviews) out.

use crate::sdk::money::{apply_bps, bill_minutes};
use crate::sdk::prelude::*;

use crate::terms::{NewInvoice, issue};

pub(crate) fn evaluate(ctx: &Context) -> Result<RuleOutput, String> {
    let mut out = RuleOutput::empty();
    let Some(event) = &ctx.deal_event else {
        return Ok(out);
    };
    if event.change_origin.as_deref() == Some(ctx.param_text("own_origin")?) {
        no_action(&mut out, event, "billing.own-change", "own change");
        return Ok(out);
    }
    match event.kind {
        DealEventKind::StageChanged => stage_changed(ctx, &mut out, event)?,
        DealEventKind::ContractSigned | DealEventKind::PaymentMethodConfirmed => {
            contract_signed(ctx, &mut out, event)?;
        }
        DealEventKind::MilestoneReached => milestone(ctx, &mut out, event)?,
        DealEventKind::DeliveryConfirmed => delivery(ctx, &mut out, event)?,
        DealEventKind::TimeApproved => time(ctx, &mut out, event)?,
        DealEventKind::RetainerDrawdown => retainer(ctx, &mut out, event)?,
        DealEventKind::RecurringDue => recurring(ctx, &mut out, event)?,
    }
    Ok(out)
}

fn no_action(out: &mut RuleOutput, event: &DealEvent, rule_id: &str, reason: &str) {
    out.act(
        rule_id,
        format!("noop:{}", event.id),
        reason.to_owned(),
        ActionDetail::NoAction,
    );
}

fn won_key(deal: &Deal) -> String {
    format!("bill:{}:won", deal.id)
}

fn review(
    ctx: &Context,
    out: &mut RuleOutput,
    rule_id: &str,
    key: String,
    deal: &Deal,
    reason: &str,
) -> Result<(), String> {
    if ctx.key_seen(&key) {
        out.suppress(rule_id, &deal.id, SuppressionReason::AlreadyDone);
    } else {
        out.act(
            rule_id,
            key,
            reason.to_owned(),
            ActionDetail::HoldForReview(Review {
                queue: ctx.param_text("billing_review_queue")?.to_owned(),
                subject_id: deal.id.clone(),
            }),
        );
    }
    Ok(())
}

/// B1, B2, B3, B5, B11.
fn stage_changed(ctx: &Context, out: &mut RuleOutput, event: &DealEvent) -> Result<(), String> {
    let deal = &event.deal;
    match deal.stage {
        DealStage::Open => return Ok(()),
        DealStage::ClosedLost => {
            no_action(out, event, "billing.no-invoice", "deal lost");
            return Ok(());
        }
        DealStage::ClosedWon => {}
    }
    if deal.billing_model != BillingModel::Fixed {
        no_action(out, event, "billing.no-invoice", "bills on its own events");
        return Ok(());
    }
    if deal.custom_terms {
        let key = format!("review:{}:custom-terms", deal.id);
        return review(
            ctx,
            out,
            "billing.custom-terms",
            key,
            deal,
            "custom contract terms",
        );
    }
    let key = won_key(deal);
    if let Some(invoice) = ctx
        .invoices
        .iter()
        .find(|invoice| invoice.source_key.as_deref() == Some(key.as_str()))
    {
        if invoice.currency == deal.amount.currency && invoice.total_minor == deal.amount.minor {
            no_action(out, event, "billing.already-invoiced", "already invoiced");
            return Ok(());
        }
        let key = format!("review:{}:amount:{}", deal.id, deal.amount.minor);
        return review(
            ctx,
            out,
            "billing.already-invoiced",
            key,
            deal,
            "amount changed after invoicing",
        );
    }
    if ctx.key_seen(&key) {
        no_action(out, event, "billing.already-invoiced", "already invoiced");
        return Ok(());
    }
    let ready = !deal.signed_contract_required
        || deal.contract_signed
        || deal.payment_method_on_file
        || ctx.account.payment_method_on_file;
    let (rule_id, reason) = if ready {
        ("billing.closed-won", "deal closed-won")
    } else {
        (
            "billing.draft-until-signed",
            "deal closed-won; awaiting signed contract",
        )
    };
    // A deal worth nothing is not invoiced (as B7 and B8 treat a zero quantity).
    if deal.amount.minor <= 0 {
        no_action(out, event, rule_id, "nothing to invoice");
        return Ok(());
    }
    issue(
        ctx,
        out,
        NewInvoice {
            rule_id,
            key,
            deal_id: &deal.id,
            source: "deal-won",
            amount: deal.amount.clone(),
            send: ready,
            reason: reason.to_owned(),
        },
    )
}

/// B4: send the draft, or create the invoice if none exists.
fn contract_signed(ctx: &Context, out: &mut RuleOutput, event: &DealEvent) -> Result<(), String> {
    let deal = &event.deal;
    if deal.stage != DealStage::ClosedWon {
        return Ok(());
    }
    if deal.billing_model != BillingModel::Fixed || deal.custom_terms {
        no_action(out, event, "billing.no-invoice", "not billed on signature");
        return Ok(());
    }
    let key = won_key(deal);
    match ctx
        .invoices
        .iter()
        .find(|invoice| invoice.source_key.as_deref() == Some(key.as_str()))
    {
        Some(invoice) if invoice.status == InvoiceStatus::Draft => {
            let send_key = format!("send:{}", invoice.id);
            if ctx.key_seen(&send_key) {
                out.suppress(
                    "billing.contract-signed",
                    &invoice.id,
                    SuppressionReason::AlreadyDone,
                );
            } else {
                out.act(
                    "billing.contract-signed",
                    send_key,
                    "contract signed; sending the draft".to_owned(),
                    ActionDetail::SendInvoice(SendInvoice {
                        invoice_id: invoice.id.clone(),
                    }),
                );
            }
            Ok(())
        }
        Some(_) => {
            no_action(out, event, "billing.already-invoiced", "already invoiced");
            Ok(())
        }
        None if deal.amount.minor <= 0 => {
            no_action(out, event, "billing.contract-signed", "nothing to invoice");
            Ok(())
        }
        None => issue(
            ctx,
            out,
            NewInvoice {
                rule_id: "billing.contract-signed",
                key,
                deal_id: &deal.id,
                source: "deal-won",
                amount: deal.amount.clone(),
                send: true,
                reason: "contract signed".to_owned(),
            },
        ),
    }
}

fn missing(event: &DealEvent, what: &str) -> String {
    format!("deal event `{}` carries no `{what}`", event.id)
}

fn money_error(error: crate::sdk::money::MoneyError) -> String {
    error.to_string()
}

/// Creates an invoice for `minor` units of the deal currency, or records a no-action when it is zero.
fn bill(
    ctx: &Context,
    out: &mut RuleOutput,
    event: &DealEvent,
    rule_id: &str,
    key: String,
    source: &str,
    minor: i64,
) -> Result<(), String> {
    let deal = &event.deal;
    if minor <= 0 {
        no_action(out, event, rule_id, "nothing to invoice");
        return Ok(());
    }
    issue(
        ctx,
        out,
        NewInvoice {
            rule_id,
            key,
            deal_id: &deal.id,
            source,
            amount: Money::new(minor, &deal.amount.currency),
            send: true,
            reason: format!("{source} billed"),
        },
    )
}

/// B6.
fn milestone(ctx: &Context, out: &mut RuleOutput, event: &DealEvent) -> Result<(), String> {
    let deal = &event.deal;
    let milestone = event
        .milestone
        .as_ref()
        .ok_or_else(|| missing(event, "milestone"))?;
    let minor = match (milestone.amount_minor, milestone.percent_bps) {
        (Some(minor), _) => minor,
        (None, Some(bps)) => {
            if u64::from(milestone.invoiced_bps) + u64::from(bps) > 10_000 {
                let key = format!("review:{}:milestone:{}:over-100", deal.id, milestone.id);
                let reason = "invoiced percentages would exceed 100 %";
                return review(ctx, out, "billing.milestone", key, deal, reason);
            }
            apply_bps(deal.amount.minor, bps).map_err(money_error)?
        }
        (None, None) => return Err(missing(event, "milestone.amount or milestone.percent_bps")),
    };
    let key = format!("bill:{}:milestone:{}", deal.id, milestone.id);
    bill(
        ctx,
        out,
        event,
        "billing.milestone",
        key,
        "milestone",
        minor,
    )
}

/// B7.
fn delivery(ctx: &Context, out: &mut RuleOutput, event: &DealEvent) -> Result<(), String> {
    let delivery = event
        .delivery
        .as_ref()
        .ok_or_else(|| missing(event, "delivery"))?;
    let units = delivery
        .delivered_units
        .saturating_sub(delivery.invoiced_units);
    let minor = delivery
        .unit_price_minor
        .checked_mul(i64::from(units))
        .ok_or_else(|| money_error(crate::sdk::money::MoneyError::Overflow))?;
    let key = format!("bill:{}:delivery:{}", event.deal.id, delivery.batch_id);
    bill(ctx, out, event, "billing.delivery", key, "delivery", minor)
}

/// B8.
fn time(ctx: &Context, out: &mut RuleOutput, event: &DealEvent) -> Result<(), String> {
    let time = event.time.as_ref().ok_or_else(|| missing(event, "time"))?;
    let minor = bill_minutes(time.approved_minutes, time.hourly_rate_minor).map_err(money_error)?;
    let key = format!("bill:{}:time:{}", event.deal.id, time.period_start);
    bill(ctx, out, event, "billing.time", key, "time", minor)
}

/// B9.
fn retainer(ctx: &Context, out: &mut RuleOutput, event: &DealEvent) -> Result<(), String> {
    let retainer = event
        .retainer
        .as_ref()
        .ok_or_else(|| missing(event, "retainer"))?;
    if retainer.balance_minor >= retainer.threshold_minor {
        no_action(
            out,
            event,
            "billing.retainer",
            "retainer above its threshold",
        );
        return Ok(());
    }
    let minor = match retainer.method {
        TopUpMethod::ToTarget => retainer.target_minor.saturating_sub(retainer.balance_minor),
        TopUpMethod::FixedAmount => retainer.fixed_minor,
    };
    let key = format!("bill:{}:retainer:{}", event.deal.id, retainer.top_up_seq);
    bill(
        ctx,
        out,
        event,
        "billing.retainer",
        key,
        "retainer-top-up",
        minor,
    )
}

/// B10.
fn recurring(ctx: &Context, out: &mut RuleOutput, event: &DealEvent) -> Result<(), String> {
    let recurring = event
        .recurring
        .as_ref()
        .ok_or_else(|| missing(event, "recurring"))?;
    if ctx.today < recurring.next_bill_date {
        no_action(
            out,
            event,
            "billing.recurring",
            "next bill date not reached",
        );
        return Ok(());
    }
    let key = format!(
        "bill:{}:recurring:{}",
        event.deal.id, recurring.next_bill_date
    );
    bill(
        ctx,
        out,
        event,
        "billing.recurring",
        key,
        "recurring",
        recurring.amount_minor,
    )
}
