//! The records of the context a script reads field by field: the account, invoices, activities,
//! payment attempts, promises, subscriptions and billing entities. Each is a [`Record`] that points
//! at its typed record (a [`Source`] and an index) and converts a field only when a script first
//! reads it, so a rule that reads an invoice's status and due date pays for those two, not for the
//! invoice's twenty.
//! Their smaller parts (a contact, a balance, a payment link) are built whole when the field that
//! holds them is read.

use std::sync::Arc;

use crm_rules_contract::types::{
    Account, Activity, BillingEntity, Invoice, PaymentAttempt, Promise, RecordKind, Subscription,
};
use crm_rules_contract::vocabulary::Vocabulary;
use rhai::{Array, Dynamic, INT};

use super::context_extras::{self as extras, fields, tags};
use super::dynamic::{amount, exponent, list, money, name, opt, text};
use super::lent::Lent;
use super::record::{Record, Shape, Source, record, shape};

/// `ctx.account`.
pub(crate) static ACCOUNT: Source = Source {
    shape: &ACCOUNT_FIELDS.shape,
    field: |sources, _, field| {
        ACCOUNT_FIELDS.field(Some(&sources.ctx.account), field, sources.vocabulary)
    },
};

/// `ctx.invoices[i]`.
pub(crate) static INVOICES: Source = Source {
    shape: &INVOICE_FIELDS.shape,
    field: |sources, i, field| {
        INVOICE_FIELDS.field(sources.ctx.invoices.get(i), field, sources.vocabulary)
    },
};

/// `ctx.activities[i]`.
pub(crate) static ACTIVITIES: Source = Source {
    shape: &ACTIVITY_FIELDS.shape,
    field: |sources, i, field| {
        ACTIVITY_FIELDS.field(sources.ctx.activities.get(i), field, sources.vocabulary)
    },
};

/// `ctx.payment_attempts[i]`.
pub(crate) static PAYMENT_ATTEMPTS: Source = Source {
    shape: &PAYMENT_ATTEMPT_FIELDS.shape,
    field: |sources, i, field| {
        let attempt = sources.ctx.payment_attempts.get(i);
        PAYMENT_ATTEMPT_FIELDS.field(attempt, field, sources.vocabulary)
    },
};

/// `ctx.promises[i]`.
pub(crate) static PROMISES: Source = Source {
    shape: &PROMISE_FIELDS.shape,
    field: |sources, i, field| {
        PROMISE_FIELDS.field(sources.ctx.promises.get(i), field, sources.vocabulary)
    },
};

/// `ctx.subscriptions[i]`.
pub(crate) static SUBSCRIPTIONS: Source = Source {
    shape: &SUBSCRIPTION_FIELDS.shape,
    field: |sources, i, field| {
        let subscription = sources.ctx.subscriptions.get(i);
        SUBSCRIPTION_FIELDS.field(subscription, field, sources.vocabulary)
    },
};

/// `ctx.billing_entities[i]`.
pub(crate) static BILLING_ENTITIES: Source = Source {
    shape: &BILLING_ENTITY_FIELDS.shape,
    field: |sources, i, field| {
        let entity = sources.ctx.billing_entities.get(i);
        BILLING_ENTITY_FIELDS.field(entity, field, sources.vocabulary)
    },
};

/// The first `count` records of `source` as a list.
pub(crate) fn records(lent: &Arc<Lent>, count: usize, source: &'static Source) -> Dynamic {
    Dynamic::from_array(
        (0..count)
            .map(|index| Record::read_from(lent, source, index))
            .collect::<Array>(),
    )
}

/// A kind of record read field by field: its shape, and one conversion per field, in its order.
pub(crate) struct FieldsOf<T: 'static> {
    shape: Shape,
    convert: &'static [fn(&T, &Vocabulary) -> Dynamic],
}

impl<T> FieldsOf<T> {
    /// Field `index` of `record`, converted (`()` for a record or field that is not there, which
    /// callers never ask for).
    fn field(&self, record: Option<&T>, index: usize, vocabulary: &Vocabulary) -> Dynamic {
        match (record, self.convert.get(index)) {
            (Some(record), Some(convert)) => convert(record, vocabulary),
            _ => Dynamic::UNIT,
        }
    }
}

/// A [`FieldsOf`] from `name => conversion` pairs, the conversions reading `$record` (and the
/// pack's `$vocabulary`).
macro_rules! fields_of {
    ($kind:literal, |$record:ident: $ty:ty, $vocabulary:ident| {
        $($name:literal => $value:expr),* $(,)?
    }) => {
        FieldsOf::<$ty> {
            shape: shape!($kind, [$($name),*]),
            convert: &[$(|$record: &$ty, $vocabulary: &Vocabulary| -> Dynamic {
                let _ = $vocabulary;
                $value
            }),*],
        }
    };
}

static ACCOUNT_FIELDS: FieldsOf<Account> = fields_of!("account", |account: Account, vocabulary| {
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

static INVOICE_FIELDS: FieldsOf<Invoice> = fields_of!("invoice", |invoice: Invoice, vocabulary| {
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

static ACTIVITY_FIELDS: FieldsOf<Activity> = fields_of!("activity", |a: Activity, vocabulary| {
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

static PAYMENT_ATTEMPT_FIELDS: FieldsOf<PaymentAttempt> = fields_of!("payment_attempt", |a: PaymentAttempt, vocabulary| {
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

static PROMISE_FIELDS: FieldsOf<Promise> = fields_of!("promise", |p: Promise, vocabulary| {
    "id" => text(&p.id),
    "invoice_ids" => list(&p.invoice_ids, |id| text(id)),
    "amount" => money(&p.amount),
    "promised_date" => Dynamic::from(p.promised_date),
    "grace_days" => Dynamic::from(INT::from(p.grace_days)),
    "received" => amount(p.received_minor, exponent(&p.amount.currency)),
    "status" => name(&p.status),
});

static SUBSCRIPTION_FIELDS: FieldsOf<Subscription> = fields_of!("subscription", |s: Subscription, vocabulary| {
    "id" => text(&s.id),
    "plan" => text(&s.plan),
    "status" => name(&s.status),
    "amount" => money(&s.amount),
    "current_period_end" => opt(s.current_period_end, Dynamic::from),
    "cancel_at_period_end" => s.cancel_at_period_end.into(),
    "tags" => tags(&s.tags),
    "fields" => fields(&s.fields, RecordKind::Subscription, vocabulary),
});

static BILLING_ENTITY_FIELDS: FieldsOf<BillingEntity> = fields_of!("billing_entity", |e: BillingEntity, vocabulary| {
    "id" => text(&e.id),
    "name" => text(&e.name),
    "tags" => tags(&e.tags),
    "fields" => fields(&e.fields, RecordKind::BillingEntity, vocabulary),
});
