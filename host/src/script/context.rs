//! The evaluation context as Rhai sees it: the JSON input's shape, with exact decimal amounts (in
//! major units: `invoice.amount_due >= 500.00`), `Date` values, and instants as integer milliseconds.
//! What contract 0.2 added (tags, custom fields, the trigger, ...) is in [`super::context_extras`].

use crm_rules_contract::params::{ParamSpec, ParamType};
use crm_rules_contract::types::*;
use crm_rules_contract::vocabulary::Vocabulary;
use rhai::{Dynamic, INT, Map};

use super::context_extras as extras;
use super::dynamic::{amount, exponent, list, money, name, opt, text};
use super::record::record;

fn account(account: &Account, vocabulary: &Vocabulary) -> Dynamic {
    let contacts = list(&account.contacts, |c| {
        record!("contact" {
            "id" => text(&c.id), "name" => text(&c.name), "role" => name(&c.role),
            "email" => opt(c.email.as_deref(), text), "phone" => opt(c.phone.as_deref(), text),
            "sms_consent" => c.sms_consent.into(), "sms_opted_out" => c.sms_opted_out.into(),
            "tags" => extras::tags(&c.tags),
            "fields" => extras::fields(&c.fields, RecordKind::Contact, vocabulary),
        })
    });
    let balances = list(&account.balances, |b| {
        let e = exponent(&b.currency);
        record!("balance" {
            "currency" => text(&b.currency), "open" => amount(b.open_minor, e),
            "unapplied_credit" => amount(b.unapplied_credit_minor, e),
        })
    });
    record!("account" {
        "id" => text(&account.id),
        "name" => text(&account.name),
        "tier" => name(&account.tier),
        "timezone" => text(&account.timezone),
        "currency" => text(&account.currency),
        "net_terms_days" => opt(account.net_terms_days, |d| Dynamic::from(INT::from(d))),
        "credit_limit" => opt(account.credit_limit.as_ref(), money),
        "credit_hold" => opt(account.credit_hold.as_ref(), |h| record!("credit_hold" {
            "reason" => text(&h.reason), "key" => text(&h.key), "since" => Dynamic::from(h.since),
        })),
        "risk_score" => opt(account.risk_score, |r| Dynamic::from(INT::from(r))),
        "dunning_excluded" => account.dunning_excluded.into(),
        "dunning_paused_until" => opt(account.dunning_paused_until, Dynamic::from),
        "account_executive_id" => opt(account.account_executive_id.as_deref(), text),
        "collections_owner_id" => opt(account.collections_owner_id.as_deref(), text),
        "payment_method_on_file" => account.payment_method_on_file.into(),
        "contacts" => contacts,
        "payment_behaviour" => record!("payment_behaviour" {
            "settled_12m" => Dynamic::from(INT::from(account.payment_behaviour.settled_12m)),
            "late_12m" => Dynamic::from(INT::from(account.payment_behaviour.late_12m)),
        }),
        "balances" => balances,
        "dunning_state" => extras::dunning_state(account.dunning_state.as_ref()),
        "billing_entity_id" => opt(account.billing_entity_id.as_deref(), text),
        "tags" => extras::tags(&account.tags),
        "fields" => extras::fields(&account.fields, RecordKind::Account, vocabulary),
    })
}

fn invoice(invoice: &Invoice, vocabulary: &Vocabulary) -> Dynamic {
    let e = exponent(&invoice.currency);
    record!("invoice" {
        "id" => text(&invoice.id),
        "number" => text(&invoice.number),
        "status" => name(&invoice.status),
        "currency" => text(&invoice.currency),
        "total" => amount(invoice.total_minor, e),
        "paid" => amount(invoice.paid_minor, e),
        "credited" => amount(invoice.credited_minor, e),
        "amount_due" => amount(invoice.amount_due_minor, e),
        "issue_date" => Dynamic::from(invoice.issue_date),
        "due_date" => opt(invoice.due_date, Dynamic::from),
        "collection_method" => name(&invoice.collection_method),
        "dispute" => name(&invoice.dispute),
        "followup_blocked" => invoice.followup_blocked.into(),
        "deal_id" => opt(invoice.deal_id.as_deref(), text),
        "source_key" => opt(invoice.source_key.as_deref(), text),
        "payment_link" => opt(invoice.payment_link.as_ref(), |l| record!("payment_link" {
            "url" => text(&l.url), "expires_at" => opt(l.expires_at, Dynamic::from),
        })),
        "instalments" => extras::instalments(&invoice.instalments, &invoice.currency),
        "billing_entity_id" => opt(invoice.billing_entity_id.as_deref(), text),
        "tags" => extras::tags(&invoice.tags),
        "fields" => extras::fields(&invoice.fields, RecordKind::Invoice, vocabulary),
    })
}

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

/// The parameters by name; a table's rows carry every declared column, `()` where an optional one
/// is left out (so `row.tag` reads it either way, and a misspelt column is still an error).
fn params<'a>(params: impl Iterator<Item = &'a Param>, specs: &[ParamSpec]) -> Dynamic {
    let mut map = Map::new();
    for param in params {
        let value = match &param.value {
            ParamValue::Integer(value) => Dynamic::from(*value),
            ParamValue::Text(value) => text(value),
            ParamValue::Flag(value) => Dynamic::from(*value),
            ParamValue::MoneyTable(table) => {
                let mut amounts = Map::new();
                for money in table {
                    let value = amount(money.minor, exponent(&money.currency));
                    amounts.insert(money.currency.as_str().into(), value);
                }
                amounts.into()
            }
            ParamValue::Decimal(decimal) => extras::value(&Value::Decimal(*decimal)),
            ParamValue::Money(amount_value) => money(amount_value),
            ParamValue::Date(date) => Dynamic::from(*date),
            ParamValue::TextList(items) => list(items, |item| text(item)),
            ParamValue::Table(rows) => {
                let columns = specs
                    .iter()
                    .find(|spec| spec.name == param.name)
                    .and_then(|spec| match &spec.ty {
                        ParamType::Table(columns) => Some(columns.as_slice()),
                        _ => None,
                    });
                list(rows, |row| {
                    extras::table_row(row, columns.unwrap_or_default())
                })
            }
            ParamValue::Unset => Dynamic::UNIT,
        };
        map.insert(param.name.as_str().into(), value);
    }
    Dynamic::from(super::params::Params(map))
}

/// Keys of everything already done: activities, invoices created by a rule, the current credit hold.
fn seen_keys(ctx: &Context) -> Dynamic {
    let mut map = Map::new();
    let activities = ctx.activities.iter().map(|a| a.key.as_str());
    let invoices = ctx.invoices.iter().filter_map(|i| i.source_key.as_deref());
    let hold = ctx.account.credit_hold.iter().map(|h| h.key.as_str());
    for key in activities.chain(invoices).chain(hold) {
        map.insert(key.into(), true.into());
    }
    map.into()
}

/// The typed context and what a script's view of it adds: the parameter defaults the context does
/// not override, and the vocabulary that lays out custom fields and table rows.
pub(crate) struct Sources<'a> {
    /// The evaluation's context.
    pub(crate) ctx: &'a Context,
    /// Declared parameters the context leaves at their defaults.
    pub(crate) defaults: &'a [&'a Param],
    /// The pack's vocabulary.
    pub(crate) vocabulary: &'a Vocabulary,
}

/// The context's top-level fields as a script reads them (`ctx.invoices`), in a fixed order: the
/// index of a name here is its slot in the evaluation's cache ([`super::lazy_context`]).
pub(crate) const FIELDS: [&str; 14] = [
    "now",
    "today",
    "trigger",
    "account",
    "invoices",
    "deal_event",
    "payment_attempts",
    "activities",
    "promises",
    "subscriptions",
    "billing_entities",
    "calendar",
    "params",
    "seen_keys",
];

/// The top-level field [`FIELDS`]`[index]` as Rhai values (`()` for an index out of range, which
/// callers never pass).
pub(crate) fn top_level(index: usize, sources: &Sources<'_>) -> Dynamic {
    use crm_rules_contract::wire::OpenNamed as _;
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
        "account" => account(&ctx.account, vocabulary),
        "invoices" => list(&ctx.invoices, |i| invoice(i, vocabulary)),
        "deal_event" => opt(ctx.deal_event.as_ref(), |event| {
            deal_event(event, vocabulary)
        }),
        "payment_attempts" => list(&ctx.payment_attempts, |a| {
            record!("payment_attempt" {
                "id" => text(&a.id), "invoice_id" => opt(a.invoice_id.as_deref(), text),
                "at" => Dynamic::from(a.at), "outcome" => name(&a.outcome),
                "decline_reason" => opt(a.decline_reason.as_ref(), name),
                "amount" => opt(a.amount.as_ref(), money),
                "attempt_number" => opt(a.attempt_number, |n| Dynamic::from(INT::from(n))),
                "source_key" => opt(a.source_key.as_deref(), text),
                "tags" => extras::tags(&a.tags),
                "fields" => extras::fields(&a.fields, RecordKind::PaymentAttempt, vocabulary),
            })
        }),
        "activities" => list(&ctx.activities, |a| {
            record!("activity" {
                "id" => text(&a.id), "key" => text(&a.key), "kind" => text(a.kind.name()),
                "rule" => opt(a.rule_id.as_deref(), text),
                "at" => Dynamic::from(a.at), "invoice_id" => opt(a.invoice_id.as_deref(), text),
                "step" => opt(a.step.as_deref(), text), "channel" => opt(a.channel.as_ref(), name),
                "outcome" => name(&a.outcome), "fields" => extras::named_values(&a.fields),
            })
        }),
        "subscriptions" => list(&ctx.subscriptions, |s| extras::subscription(s, vocabulary)),
        "billing_entities" => list(&ctx.billing_entities, |e| {
            extras::billing_entity(e, vocabulary)
        }),
        "promises" => list(&ctx.promises, |p| {
            let e = exponent(&p.amount.currency);
            record!("promise" {
                "id" => text(&p.id), "invoice_ids" => list(&p.invoice_ids, |id| text(id)),
                "amount" => money(&p.amount), "promised_date" => Dynamic::from(p.promised_date),
                "grace_days" => Dynamic::from(INT::from(p.grace_days)),
                "received" => amount(p.received_minor, e), "status" => name(&p.status),
            })
        }),
        "calendar" => Dynamic::from(ctx.calendar.clone()),
        "params" => params(
            ctx.params.iter().chain(defaults.iter().copied()),
            vocabulary.params.as_deref().unwrap_or_default(),
        ),
        "seen_keys" => seen_keys(ctx),
        _ => Dynamic::UNIT,
    }
}
