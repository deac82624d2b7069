//! The contract's records and variants in the packed format: each listed once, fields and cases in
//! WIT order (checked against `wit/v0.2` by a test).
//!
//! Packing destructures a record without `..` and matches a variant exhaustively, and unpacking
//! builds a record with every field named, so a field or case the contract gains breaks the build
//! here instead of crossing without it.

use super::{Pack, Reader, Unpack, UnpackError};
use crate::types::{self as t, Context, Param};

/// Records, their fields in WIT order. One marked `#[unpack_only]` is packed by a function of its
/// own (the context, by [`pack_context_with`]).
macro_rules! records {
    ($($(#[$unpack_only:ident])? $name:ident { $($field:ident),* $(,)? })*) => {
        $(
            records!(@pack $(#[$unpack_only])? $name { $($field),* });

            impl Unpack for t::$name {
                fn unpack(reader: &mut Reader<'_>) -> Result<t::$name, UnpackError> {
                    // Fields in a struct expression are evaluated in the order written.
                    Ok(t::$name { $($field: Unpack::unpack(reader)?),* })
                }
            }
        )*

        /// Every record above and its fields, in the order they are packed.
        #[cfg(test)]
        pub(super) const RECORDS: &[(&str, &[&str])] =
            &[$((stringify!($name), &[$(stringify!($field)),*])),*];
    };
    (@pack $name:ident { $($field:ident),* }) => {
        impl Pack for t::$name {
            fn pack(&self, out: &mut Vec<u8>) {
                let t::$name { $($field),* } = self;
                $($field.pack(out);)*
            }
        }
    };
    (@pack #[unpack_only] $name:ident { $($field:ident),* }) => {};
}

/// Enums and variants, their cases in WIT order; a case with a payload is written `Case(binding)`.
macro_rules! variants {
    ($($name:ident { $($case:ident $(($payload:ident))?),* $(,)? })*) => {
        $(
            impl Pack for t::$name {
                fn pack(&self, out: &mut Vec<u8>) {
                    const CASES: &[&str] = &[$(stringify!($case)),*];
                    match self {
                        $(t::$name::$case $(($payload))? => {
                            const TAG: u8 = case_index(CASES, stringify!($case));
                            out.push(TAG);
                            $($payload.pack(out);)?
                        })*
                    }
                }
            }

            impl Unpack for t::$name {
                fn unpack(reader: &mut Reader<'_>) -> Result<t::$name, UnpackError> {
                    const WHAT: &str = concat!("the ", stringify!($name), " cases");
                    let tag = reader.byte(WHAT)?;
                    let mut next = 0u8;
                    $(
                        if tag == next {
                            return Ok(t::$name::$case $(({
                                let $payload = Unpack::unpack(reader)?;
                                $payload
                            }))?);
                        }
                        next += 1;
                    )*
                    Err(reader.not_a_case(WHAT, tag))
                }
            }
        )*

        /// Every enum and variant above and its cases, in the order they are numbered.
        #[cfg(test)]
        pub(super) const VARIANTS: &[(&str, &[&str])] =
            &[$((stringify!($name), &[$(stringify!($case)),*])),*];
    };
}

/// The index of `case` in `cases`: a case's tag, computed when the crate is compiled.
#[allow(
    clippy::panic,
    reason = "only ever evaluated in a `const`: a panic is a build error, never a runtime one"
)]
const fn case_index(cases: &[&str], case: &str) -> u8 {
    let mut index = 0;
    while index < cases.len() {
        if same_text(cases[index], case) {
            // No contract enum has more than 255 cases; the variants below have at most 23.
            return index as u8;
        }
        index += 1;
    }
    panic!("a case is missing from its own list")
}

/// `a == b`, in a `const fn`.
const fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut index = 0;
    while index < a.len() {
        if a[index] != b[index] {
            return false;
        }
        index += 1;
    }
    true
}

records! {
    // `crm:rules/values`.
    Date { year, month, day }
    Money { minor, currency }
    Decimal { mantissa, scale }
    Field { name, value }
    Calendar { weekend, holidays }
    ParamRow { fields }
    Param { name, value }
    // `crm:rules/records`.
    Contact { id, name, role, email, phone, sms_consent, sms_opted_out, tags, fields }
    CreditHold { reason, key, since }
    PaymentBehaviour { settled_12m, late_12m }
    Balance { currency, open_minor, unapplied_credit_minor }
    DunningStatus { state, since, key }
    Account {
        id, name, tier, timezone, currency, net_terms_days, credit_limit, credit_hold, risk_score,
        dunning_excluded, dunning_paused_until, account_executive_id, collections_owner_id,
        payment_method_on_file, contacts, payment_behaviour, balances, dunning_state,
        billing_entity_id, tags, fields,
    }
    PaymentLink { url, expires_at }
    Instalment { id, due_date, amount_minor, paid_minor }
    Invoice {
        id, number, status, currency, total_minor, paid_minor, credited_minor, amount_due_minor,
        issue_date, due_date, collection_method, dispute, followup_blocked, deal_id, source_key,
        payment_link, instalments, billing_entity_id, tags, fields,
    }
    Deal {
        id, name, stage, amount, billing_model, custom_terms, signed_contract_required,
        contract_signed, payment_method_on_file, tags, fields,
    }
    Milestone { id, name, amount_minor, percent_bps, invoiced_bps }
    Delivery { batch_id, ordered_units, delivered_units, invoiced_units, unit_price_minor }
    TimeApproval { period_start, period_end, approved_minutes, hourly_rate_minor }
    Retainer { balance_minor, threshold_minor, method, target_minor, fixed_minor, top_up_seq }
    Recurring { next_bill_date, amount_minor }
    DealEvent {
        id, kind, change_origin, occurred_at, deal, milestone, delivery, time, retainer, recurring,
    }
    PaymentAttempt {
        id, invoice_id, at, outcome, decline_reason, amount, attempt_number, source_key, tags, fields,
    }
    Activity { id, key, kind, rule_id, at, invoice_id, step, channel, fields, outcome }
    Promise { id, invoice_ids, amount, promised_date, grace_days, received_minor, status }
    Subscription {
        id, plan, status, amount, current_period_end, cancel_at_period_end, tags, fields,
    }
    BillingEntity { id, name, tags, fields }
    InvoiceEvent { invoice_id, kind, amount }
    TagChange { record, record_id, added, removed }
    DisputeChange { invoice_id, status }
    #[unpack_only]
    Context {
        now, today, trigger, account, invoices, deal_event, payment_attempts, activities, promises,
        subscriptions, billing_entities, calendar, params,
    }
}

variants! {
    // `crm:rules/values`.
    Value { Text(v), Integer(v), Decimal(v), Money(v), Flag(v), Date(v), Timestamp(v), TextList(v) }
    Weekday { Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday }
    ParamValue {
        Integer(v), Text(v), Flag(v), MoneyTable(v), Decimal(v), Money(v), Date(v), TextList(v),
        Table(v), Unset,
    }
    RecordKind { Account, Contact, Invoice, Deal, Subscription, PaymentAttempt, BillingEntity }
    // `crm:rules/records`.
    Tier { Smb, MidMarket, Enterprise, Strategic }
    ContactRole { Billing, AccountsPayable, Executive, Other }
    InvoiceStatus { Draft, Open, Paid, Void, Uncollectible }
    CollectionMethod { SendInvoice, ChargeAutomatically }
    DisputeStatus { None, Open, Won, Lost }
    DealStage { Open, ClosedWon, ClosedLost }
    BillingModel { Fixed, Milestone, TimeAndMaterials, Retainer, Recurring }
    DealEventKind {
        StageChanged, ContractSigned, PaymentMethodConfirmed, MilestoneReached, DeliveryConfirmed,
        TimeApproved, RetainerDrawdown, RecurringDue,
    }
    TopUpMethod { ToTarget, FixedAmount }
    PaymentOutcome { Succeeded, Declined, NotAttempted, GatewayError, Pending }
    DeclineReason { InsufficientFunds, Generic, LostOrStolen, InvalidCard, ExpiredCard }
    ActivityOutcome { Succeeded, Failed, Unknown, Pending }
    PromiseStatus { Open, Kept, Broken, Cancelled }
    SubscriptionStatus { Trialing, Active, PastDue, Unpaid, Paused, Cancelled }
    InvoiceEventKind {
        Created, Sent, PartiallyPaid, Paid, Adjusted, CreditNote, Voided, WrittenOff,
    }
    Trigger { Scheduled, DealEvent, PaymentAttempt(v), InvoiceEvent(v), TagChange(v), Dispute(v) }
    // `crm:rules/actions`, as far as a context holds them.
    Channel { Email, Sms, Letter, Phone, Task, InApp }
    ActionKind {
        CreateInvoice, SendInvoice, HoldForReview, SendReminder, CreateTask, Escalate, NotifyInternal,
        SetCreditHold, ReleaseCreditHold, SetCreditTerms, RequestPaymentMethodUpdate, MarkPromiseKept,
        MarkPromiseBroken, NoAction, EnterDunningState, LeaveDunningState, ApplyFee, SendNotice,
        RequestPayment, SetField, EmitEvent, ChangeSubscription, Custom(v),
    }
}

/// Packs `ctx`, its fields in the order `Context`'s unpacking above reads them, with
/// `extra_params` appended after its own parameters (so the host need not copy the context to add
/// them).
pub(super) fn pack_context_with(ctx: &Context, extra_params: &[&Param], out: &mut Vec<u8>) {
    let Context {
        now,
        today,
        trigger,
        account,
        invoices,
        deal_event,
        payment_attempts,
        activities,
        promises,
        subscriptions,
        billing_entities,
        calendar,
        params,
    } = ctx;
    now.pack(out);
    today.pack(out);
    trigger.pack(out);
    account.pack(out);
    invoices.pack(out);
    deal_event.pack(out);
    payment_attempts.pack(out);
    activities.pack(out);
    promises.pack(out);
    subscriptions.pack(out);
    billing_entities.pack(out);
    calendar.pack(out);
    super::pack_length(params.len() + extra_params.len(), out);
    for param in params.iter().chain(extra_params.iter().copied()) {
        param.pack(out);
    }
}
