//! The records of the context a script reads field by field: the account, invoices, activities,
//! payment attempts, promises, subscriptions and billing entities. Each is a [`Record`] that points
//! at its typed record ([`At`]) and converts a field only when a script first reads it, so a rule
//! that reads an invoice's status and due date pays for those two, not for the invoice's twenty.
//! Their smaller parts (a contact, a balance, a payment link) are built whole when the field that
//! holds them is read.

use std::sync::Arc;

use crm_rules_contract::types::{
    Account, Activity, BillingEntity, Invoice, PaymentAttempt, Promise, RecordKind, Subscription,
};
use crm_rules_contract::vocabulary::Vocabulary;
use rhai::{Array, Dynamic, INT};

use super::context::Sources;
use super::context_extras::{self as extras, fields, tags};
use super::dynamic::{amount, exponent, list, money, name, opt, text};
use super::lazy_context::Conversion;
use super::record::{Record, Shape, record};

/// Where a record read field by field sits in the typed context.
#[derive(Debug, Clone, Copy)]
pub(crate) enum At {
    /// `ctx.account`.
    Account,
    /// `ctx.invoices[i]`.
    Invoice(usize),
    /// `ctx.activities[i]`.
    Activity(usize),
    /// `ctx.payment_attempts[i]`.
    PaymentAttempt(usize),
    /// `ctx.promises[i]`.
    Promise(usize),
    /// `ctx.subscriptions[i]`.
    Subscription(usize),
    /// `ctx.billing_entities[i]`.
    BillingEntity(usize),
}

impl At {
    /// The fields of the record here.
    pub(crate) fn shape(self) -> &'static Shape {
        match self {
            At::Account => &ACCOUNT.shape,
            At::Invoice(_) => &INVOICE.shape,
            At::Activity(_) => &ACTIVITY.shape,
            At::PaymentAttempt(_) => &PAYMENT_ATTEMPT.shape,
            At::Promise(_) => &PROMISE.shape,
            At::Subscription(_) => &SUBSCRIPTION.shape,
            At::BillingEntity(_) => &BILLING_ENTITY.shape,
        }
    }

    /// Field `index` of the record here, converted (`()` past the end: callers never go there).
    pub(crate) fn field(self, sources: &Sources<'_>, index: usize) -> Dynamic {
        let ctx = sources.ctx;
        let v = sources.vocabulary;
        let value = match self {
            At::Account => ACCOUNT.field(Some(&ctx.account), index, v),
            At::Invoice(i) => INVOICE.field(ctx.invoices.get(i), index, v),
            At::Activity(i) => ACTIVITY.field(ctx.activities.get(i), index, v),
            At::PaymentAttempt(i) => PAYMENT_ATTEMPT.field(ctx.payment_attempts.get(i), index, v),
            At::Promise(i) => PROMISE.field(ctx.promises.get(i), index, v),
            At::Subscription(i) => SUBSCRIPTION.field(ctx.subscriptions.get(i), index, v),
            At::BillingEntity(i) => BILLING_ENTITY.field(ctx.billing_entities.get(i), index, v),
        };
        value.unwrap_or_default()
    }
}

/// The records `at(0)`, `at(1)`, ... `at(count - 1)` as a list.
pub(crate) fn records(conversion: &Arc<Conversion>, count: usize, at: fn(usize) -> At) -> Dynamic {
    Dynamic::from_array(
        (0..count)
            .map(|index| Record::read_from(conversion, at(index)))
            .collect::<Array>(),
    )
}

/// A kind of record read field by field: its shape, and one conversion per field, in its order.
pub(crate) struct FieldsOf<T: 'static> {
    shape: Shape,
    convert: &'static [fn(&T, &Vocabulary) -> Dynamic],
}

impl<T> FieldsOf<T> {
    fn field(&self, record: Option<&T>, index: usize, vocabulary: &Vocabulary) -> Option<Dynamic> {
        let convert = self.convert.get(index)?;
        Some(convert(record?, vocabulary))
    }
}

/// A [`FieldsOf`] from `name => conversion` pairs, the conversions reading `$record` (and the
/// pack's `$vocabulary`).
macro_rules! fields_of {
    ($kind:literal, |$record:ident: $ty:ty, $vocabulary:ident| {
        $($name:literal => $value:expr),* $(,)?
    }) => {
        FieldsOf::<$ty> {
            shape: Shape { kind: $kind, fields: &[$($name),*] },
            convert: &[$(|$record: &$ty, $vocabulary: &Vocabulary| -> Dynamic {
                let _ = $vocabulary;
                $value
            }),*],
        }
    };
}

static ACCOUNT: FieldsOf<Account> = fields_of!("account", |account: Account, vocabulary| {
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
    "contacts" => list(&account.contacts, |c| record!("contact" {
        "id" => text(&c.id), "name" => text(&c.name), "role" => name(&c.role),
        "email" => opt(c.email.as_deref(), text), "phone" => opt(c.phone.as_deref(), text),
        "sms_consent" => c.sms_consent.into(), "sms_opted_out" => c.sms_opted_out.into(),
        "tags" => tags(&c.tags),
        "fields" => fields(&c.fields, RecordKind::Contact, vocabulary),
    })),
    "payment_behaviour" => record!("payment_behaviour" {
        "settled_12m" => Dynamic::from(INT::from(account.payment_behaviour.settled_12m)),
        "late_12m" => Dynamic::from(INT::from(account.payment_behaviour.late_12m)),
    }),
    "balances" => list(&account.balances, |b| record!("balance" {
        "currency" => text(&b.currency), "open" => amount(b.open_minor, exponent(&b.currency)),
        "unapplied_credit" => amount(b.unapplied_credit_minor, exponent(&b.currency)),
    })),
    "dunning_state" => extras::dunning_state(account.dunning_state.as_ref()),
    "billing_entity_id" => opt(account.billing_entity_id.as_deref(), text),
    "tags" => tags(&account.tags),
    "fields" => fields(&account.fields, RecordKind::Account, vocabulary),
});

static INVOICE: FieldsOf<Invoice> = fields_of!("invoice", |invoice: Invoice, vocabulary| {
    "id" => text(&invoice.id),
    "number" => text(&invoice.number),
    "status" => name(&invoice.status),
    "currency" => text(&invoice.currency),
    "total" => amount(invoice.total_minor, exponent(&invoice.currency)),
    "paid" => amount(invoice.paid_minor, exponent(&invoice.currency)),
    "credited" => amount(invoice.credited_minor, exponent(&invoice.currency)),
    "amount_due" => amount(invoice.amount_due_minor, exponent(&invoice.currency)),
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
    "tags" => tags(&invoice.tags),
    "fields" => fields(&invoice.fields, RecordKind::Invoice, vocabulary),
});

static ACTIVITY: FieldsOf<Activity> = fields_of!("activity", |a: Activity, vocabulary| {
    "id" => text(&a.id),
    "key" => text(&a.key),
    "kind" => text(crm_rules_contract::wire::OpenNamed::name(&a.kind)),
    "rule" => opt(a.rule_id.as_deref(), text),
    "at" => Dynamic::from(a.at),
    "invoice_id" => opt(a.invoice_id.as_deref(), text),
    "step" => opt(a.step.as_deref(), text),
    "channel" => opt(a.channel.as_ref(), name),
    "outcome" => name(&a.outcome),
    "fields" => extras::named_values(&a.fields),
});

static PAYMENT_ATTEMPT: FieldsOf<PaymentAttempt> = fields_of!("payment_attempt", |a: PaymentAttempt, vocabulary| {
    "id" => text(&a.id),
    "invoice_id" => opt(a.invoice_id.as_deref(), text),
    "at" => Dynamic::from(a.at),
    "outcome" => name(&a.outcome),
    "decline_reason" => opt(a.decline_reason.as_ref(), name),
    "amount" => opt(a.amount.as_ref(), money),
    "attempt_number" => opt(a.attempt_number, |n| Dynamic::from(INT::from(n))),
    "source_key" => opt(a.source_key.as_deref(), text),
    "tags" => tags(&a.tags),
    "fields" => fields(&a.fields, RecordKind::PaymentAttempt, vocabulary),
});

static PROMISE: FieldsOf<Promise> = fields_of!("promise", |p: Promise, vocabulary| {
    "id" => text(&p.id),
    "invoice_ids" => list(&p.invoice_ids, |id| text(id)),
    "amount" => money(&p.amount),
    "promised_date" => Dynamic::from(p.promised_date),
    "grace_days" => Dynamic::from(INT::from(p.grace_days)),
    "received" => amount(p.received_minor, exponent(&p.amount.currency)),
    "status" => name(&p.status),
});

static SUBSCRIPTION: FieldsOf<Subscription> = fields_of!("subscription", |s: Subscription, vocabulary| {
    "id" => text(&s.id),
    "plan" => text(&s.plan),
    "status" => name(&s.status),
    "amount" => money(&s.amount),
    "current_period_end" => opt(s.current_period_end, Dynamic::from),
    "cancel_at_period_end" => s.cancel_at_period_end.into(),
    "tags" => tags(&s.tags),
    "fields" => fields(&s.fields, RecordKind::Subscription, vocabulary),
});

static BILLING_ENTITY: FieldsOf<BillingEntity> = fields_of!("billing_entity", |e: BillingEntity, vocabulary| {
    "id" => text(&e.id),
    "name" => text(&e.name),
    "tags" => tags(&e.tags),
    "fields" => fields(&e.fields, RecordKind::BillingEntity, vocabulary),
});
