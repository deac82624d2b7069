//! The evaluation context as Rhai sees it: the JSON input's shape, with exact decimal amounts (in
//! major units: `invoice.amount_due >= 500.00`), `Date` values, and instants as integer milliseconds.
//! What contract 0.2 added (tags, custom fields, the trigger, ...) is in [`super::context_extras`].

use crm_rules_contract::types::*;
use crm_rules_contract::vocabulary::Vocabulary;
use rhai::{Dynamic, INT};

use std::sync::Arc;

use super::context_extras as extras;
use super::context_records::{
    ACCOUNT, ACTIVITIES, BILLING_ENTITIES, INVOICES, PAYMENT_ATTEMPTS, PROMISES, SUBSCRIPTIONS,
    records,
};
use super::dynamic::{amount, exponent, money, name, opt, text};
use super::lent::Lent;
use super::record::{Record, record};
use super::seen_keys::SeenKeys;
use super::sources::{FIELDS, Sources};

fn deal_event(event: &DealEvent, vocabulary: &Vocabulary) -> Dynamic {
    let deal = &event.deal;
    let e = exponent(&deal.amount.currency);
    record!("deal_event" {
        "id" => text(&event.id),
        "kind" => name(&event.kind),
        "change_origin" => opt(event.change_origin.as_deref(), text),
        "occurred_at" => Dynamic::from(event.occurred_at),
        "deal" => record!("deal" {
            "id" => text(&deal.id), "name" => text(&deal.name), "stage" => name(&deal.stage),
            "amount" => money(&deal.amount), "billing_model" => name(&deal.billing_model),
            "custom_terms" => deal.custom_terms.into(),
            "signed_contract_required" => deal.signed_contract_required.into(),
            "contract_signed" => deal.contract_signed.into(),
            "payment_method_on_file" => deal.payment_method_on_file.into(),
            "tags" => extras::tags(&deal.tags),
            "fields" => extras::fields(&deal.fields, RecordKind::Deal, vocabulary),
        }),
        "milestone" => opt(event.milestone.as_ref(), |m| record!("milestone" {
            "id" => text(&m.id), "name" => text(&m.name),
            "amount" => opt(m.amount_minor, |minor| amount(minor, e)),
            "percent_bps" => opt(m.percent_bps, |bps| Dynamic::from(INT::from(bps))),
            "invoiced_bps" => Dynamic::from(INT::from(m.invoiced_bps)),
        })),
        "delivery" => opt(event.delivery.as_ref(), |d| record!("delivery" {
            "batch_id" => text(&d.batch_id),
            "ordered_units" => Dynamic::from(INT::from(d.ordered_units)),
            "delivered_units" => Dynamic::from(INT::from(d.delivered_units)),
            "invoiced_units" => Dynamic::from(INT::from(d.invoiced_units)),
            "unit_price" => amount(d.unit_price_minor, e),
        })),
        "time" => opt(event.time.as_ref(), |t| record!("time" {
            "period_start" => Dynamic::from(t.period_start),
            "period_end" => Dynamic::from(t.period_end),
            "approved_minutes" => Dynamic::from(INT::from(t.approved_minutes)),
            "hourly_rate" => amount(t.hourly_rate_minor, e),
        })),
        "retainer" => opt(event.retainer.as_ref(), |r| record!("retainer" {
            "balance" => amount(r.balance_minor, e), "threshold" => amount(r.threshold_minor, e),
            "method" => name(&r.method), "target" => amount(r.target_minor, e),
            "fixed" => amount(r.fixed_minor, e),
            "top_up_seq" => Dynamic::from(INT::from(r.top_up_seq)),
        })),
        "recurring" => opt(event.recurring.as_ref(), |r| record!("recurring" {
            "next_bill_date" => Dynamic::from(r.next_bill_date),
            "amount" => amount(r.amount_minor, e),
        })),
    })
}

/// The top-level field [`FIELDS`]`[index]` as Rhai values (`()` for an index out of range, which
/// callers never pass).
pub(crate) fn top_level(index: usize, sources: &Sources<'_>, lent: &Arc<Lent>) -> Dynamic {
    let Sources {
        ctx,
        defaults,
        vocabulary,
    } = *sources;
    let Some(field) = FIELDS.get(index) else {
        return Dynamic::UNIT;
    };
    match *field {
        "now" => Dynamic::from(ctx.now),
        "today" => Dynamic::from(ctx.today),
        "trigger" => extras::trigger(&ctx.trigger),
        "account" => Record::read_from(lent, &ACCOUNT, 0),
        "invoices" => records(lent, ctx.invoices.len(), &INVOICES),
        "deal_event" => opt(ctx.deal_event.as_ref(), |event| {
            deal_event(event, vocabulary)
        }),
        "payment_attempts" => records(lent, ctx.payment_attempts.len(), &PAYMENT_ATTEMPTS),
        "activities" => records(lent, ctx.activities.len(), &ACTIVITIES),
        "promises" => records(lent, ctx.promises.len(), &PROMISES),
        "subscriptions" => records(lent, ctx.subscriptions.len(), &SUBSCRIPTIONS),
        "billing_entities" => records(lent, ctx.billing_entities.len(), &BILLING_ENTITIES),
        "calendar" => Dynamic::from(ctx.calendar.clone()),
        "params" => super::params::Params::read_from(lent, ctx.params.len() + defaults.len()),
        "seen_keys" => SeenKeys::read_from(lent),
        _ => Dynamic::UNIT,
    }
}
