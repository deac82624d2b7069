//! The context as a 0.2 component's constructor takes it, lent from the host's typed context
//! (`crm_rules_contract::types`) instead of copied.
//!
//! The bindings are generated with borrowing parameters (`ownership: Borrowing` in
//! [`super::bindings::v0_2`]): a text in them is a `&str` into the host's context, and a list a
//! slice. So crossing no longer copies every text and list of the context into owned bindings
//! first. Only the slices of records (an account's invoices, say) are built, in an arena
//! ([`with_arena`]) that a thread reuses from one evaluation to the next and that holds nothing
//! but references into the context being lent: no text of one context outlives its crossing.
//!
//! The records and variants are listed once below, each destructured without `..`, so a field or
//! case the contract gains breaks the build here instead of being lent without it.

use std::cell::Cell;

use bumpalo::Bump;
use crm_rules_contract::types as sdk;

use super::bindings::v0_2::types as wit;

/// An arena that has grown past this many bytes (a very large account's) is not kept for the
/// thread's next evaluation.
const MAX_KEPT_ARENA_BYTES: usize = 1 << 20;

thread_local! {
    static ARENA: Cell<Option<Bump>> = const { Cell::new(None) };
}

/// Runs `lend` with this thread's arena, emptied afterwards (kept for the next call, unless it
/// grew past [`MAX_KEPT_ARENA_BYTES`]).
pub(crate) fn with_arena<R>(lend: impl FnOnce(&Bump) -> R) -> R {
    let mut arena = ARENA
        .try_with(Cell::take)
        .ok()
        .flatten()
        .unwrap_or_default();
    let result = lend(&arena);
    arena.reset();
    if arena.allocated_bytes() <= MAX_KEPT_ARENA_BYTES {
        let _ = ARENA.try_with(|kept| kept.set(Some(arena)));
    }
    result
}

/// The context for a component: `ctx` with `extra_params` (the pack's defaults it lacks) appended
/// to its parameters, lent for as long as `ctx`, `extra_params` and `arena` live.
pub(crate) fn context<'a>(
    ctx: &'a sdk::Context,
    extra_params: &[&'a sdk::Param],
    arena: &'a Bump,
) -> wit::Context<'a> {
    let mut lent = ctx.lend(arena);
    if !extra_params.is_empty() {
        let own = ctx.params.len();
        lent.params = arena.alloc_slice_fill_with(own + extra_params.len(), |index| {
            // `index` runs below the sum of both lengths: each side is indexed within its own.
            match index.checked_sub(own) {
                None => ctx.params[index].lend(arena),
                Some(extra) => extra_params[extra].lend(arena),
            }
        });
    }
    lent
}

/// A value of the host's context with a twin in the bindings that borrows from it.
trait Lend<'a> {
    /// The twin.
    type Lent: 'a;
    /// The twin of `self`, its slices of records made in `arena`.
    fn lend(&'a self, arena: &'a Bump) -> Self::Lent;
}

macro_rules! copied {
    ($($ty:ty),*) => {$(
        impl<'a> Lend<'a> for $ty {
            type Lent = $ty;
            fn lend(&'a self, _: &'a Bump) -> $ty {
                *self
            }
        }
    )*};
}
copied!(bool, u8, u32, i32, i64);

impl<'a> Lend<'a> for String {
    type Lent = &'a str;
    fn lend(&'a self, _: &'a Bump) -> &'a str {
        self
    }
}

impl<'a, T: Lend<'a>> Lend<'a> for Vec<T> {
    type Lent = &'a [T::Lent];
    fn lend(&'a self, arena: &'a Bump) -> &'a [T::Lent] {
        if self.is_empty() {
            return &[];
        }
        arena.alloc_slice_fill_iter(self.iter().map(|item| item.lend(arena)))
    }
}

impl<'a, T: Lend<'a>> Lend<'a> for Option<T> {
    type Lent = Option<T::Lent>;
    fn lend(&'a self, arena: &'a Bump) -> Option<T::Lent> {
        self.as_ref().map(|value| value.lend(arena))
    }
}

/// Records: `Name => Twin<'a>` when the twin borrows (it holds a text or a list), `Name => Twin`
/// when it is plain data.
macro_rules! records {
    ($($name:ident => $twin:ident $(<$lt:lifetime>)? { $($field:ident),* $(,)? })*) => {$(
        impl<'a> Lend<'a> for sdk::$name {
            type Lent = wit::$twin $(<$lt>)?;
            fn lend(&'a self, arena: &'a Bump) -> Self::Lent {
                let sdk::$name { $($field),* } = self;
                wit::$twin { $($field: $field.lend(arena)),* }
            }
        }
    )*};
}

/// Enums, and variants: a case with a payload is written `Case(binding)`.
macro_rules! variants {
    ($($name:ident => $twin:ident $(<$lt:lifetime>)? {
        $($case:ident $(($payload:ident))?),* $(,)?
    })*) => {$(
        impl<'a> Lend<'a> for sdk::$name {
            type Lent = wit::$twin $(<$lt>)?;
            fn lend(&'a self, _arena: &'a Bump) -> Self::Lent {
                match self {
                    $(sdk::$name::$case $(($payload))? =>
                        wit::$twin::$case $(($payload.lend(_arena)))?),*
                }
            }
        }
    )*};
}

// `crm:rules/values`.
records! {
    Date => Date { year, month, day }
    Money => MoneyParam<'a> { minor, currency }
    Decimal => Decimal { mantissa, scale }
    Field => FieldParam<'a> { name, value }
    Calendar => Calendar<'a> { weekend, holidays }
    ParamRow => ParamRow<'a> { fields }
    Param => Param<'a> { name, value }
}

variants! {
    Value => ValueParam<'a> {
        Text(v), Integer(v), Decimal(v), Money(v), Flag(v), Date(v), Timestamp(v), TextList(v),
    }
    Weekday => Weekday { Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday }
    ParamValue => ParamValue<'a> {
        Integer(v), Text(v), Flag(v), MoneyTable(v), Decimal(v), Money(v), Date(v), TextList(v),
        Table(v), Unset,
    }
    RecordKind => RecordKind {
        Account, Contact, Invoice, Deal, Subscription, PaymentAttempt, BillingEntity,
    }
}

// `crm:rules/records`.
records! {
    Contact => Contact<'a> { id, name, role, email, phone, sms_consent, sms_opted_out, tags, fields }
    CreditHold => CreditHold<'a> { reason, key, since }
    PaymentBehaviour => PaymentBehaviour { settled_12m, late_12m }
    Balance => Balance<'a> { currency, open_minor, unapplied_credit_minor }
    DunningStatus => DunningStatus<'a> { state, since, key }
    Account => Account<'a> {
        id, name, tier, timezone, currency, net_terms_days, credit_limit, credit_hold, risk_score,
        dunning_excluded, dunning_paused_until, account_executive_id, collections_owner_id,
        payment_method_on_file, contacts, payment_behaviour, balances, dunning_state,
        billing_entity_id, tags, fields,
    }
    PaymentLink => PaymentLink<'a> { url, expires_at }
    Instalment => Instalment<'a> { id, due_date, amount_minor, paid_minor }
    Invoice => Invoice<'a> {
        id, number, status, currency, total_minor, paid_minor, credited_minor, amount_due_minor,
        issue_date, due_date, collection_method, dispute, followup_blocked, deal_id, source_key,
        payment_link, instalments, billing_entity_id, tags, fields,
    }
    Deal => Deal<'a> {
        id, name, stage, amount, billing_model, custom_terms, signed_contract_required,
        contract_signed, payment_method_on_file, tags, fields,
    }
    Milestone => Milestone<'a> { id, name, amount_minor, percent_bps, invoiced_bps }
    Delivery => Delivery<'a> {
        batch_id, ordered_units, delivered_units, invoiced_units, unit_price_minor,
    }
    TimeApproval => TimeApproval {
        period_start, period_end, approved_minutes, hourly_rate_minor,
    }
    Retainer => Retainer {
        balance_minor, threshold_minor, method, target_minor, fixed_minor, top_up_seq,
    }
    Recurring => Recurring { next_bill_date, amount_minor }
    DealEvent => DealEvent<'a> {
        id, kind, change_origin, occurred_at, deal, milestone, delivery, time, retainer, recurring,
    }
    PaymentAttempt => PaymentAttempt<'a> {
        id, invoice_id, at, outcome, decline_reason, amount, attempt_number, source_key, tags, fields,
    }
    Activity => Activity<'a> {
        id, key, kind, rule_id, at, invoice_id, step, channel, fields, outcome,
    }
    Promise => Promise<'a> {
        id, invoice_ids, amount, promised_date, grace_days, received_minor, status,
    }
    Subscription => Subscription<'a> {
        id, plan, status, amount, current_period_end, cancel_at_period_end, tags, fields,
    }
    BillingEntity => BillingEntity<'a> { id, name, tags, fields }
    InvoiceEvent => InvoiceEvent<'a> { invoice_id, kind, amount }
    TagChange => TagChange<'a> { record, record_id, added, removed }
    DisputeChange => DisputeChange<'a> { invoice_id, status }
    Context => Context<'a> {
        now, today, trigger, account, invoices, deal_event, payment_attempts, activities, promises,
        subscriptions, billing_entities, calendar, params,
    }
}

variants! {
    Tier => Tier { Smb, MidMarket, Enterprise, Strategic }
    ContactRole => ContactRole { Billing, AccountsPayable, Executive, Other }
    InvoiceStatus => InvoiceStatus { Draft, Open, Paid, Void, Uncollectible }
    CollectionMethod => CollectionMethod { SendInvoice, ChargeAutomatically }
    DisputeStatus => DisputeStatus { None, Open, Won, Lost }
    DealStage => DealStage { Open, ClosedWon, ClosedLost }
    BillingModel => BillingModel { Fixed, Milestone, TimeAndMaterials, Retainer, Recurring }
    DealEventKind => DealEventKind {
        StageChanged, ContractSigned, PaymentMethodConfirmed, MilestoneReached, DeliveryConfirmed,
        TimeApproved, RetainerDrawdown, RecurringDue,
    }
    TopUpMethod => TopUpMethod { ToTarget, FixedAmount }
    PaymentOutcome => PaymentOutcome { Succeeded, Declined, NotAttempted, GatewayError, Pending }
    DeclineReason => DeclineReason {
        InsufficientFunds, Generic, LostOrStolen, InvalidCard, ExpiredCard,
    }
    ActivityOutcome => ActivityOutcome { Succeeded, Failed, Unknown, Pending }
    Channel => Channel { Email, Sms, Letter, Phone, Task, InApp }
    ActionKind => ActionKind<'a> {
        CreateInvoice, SendInvoice, HoldForReview, SendReminder, CreateTask, Escalate, NotifyInternal,
        SetCreditHold, ReleaseCreditHold, SetCreditTerms, RequestPaymentMethodUpdate, MarkPromiseKept,
        MarkPromiseBroken, NoAction, EnterDunningState, LeaveDunningState, ApplyFee, SendNotice,
        RequestPayment, SetField, EmitEvent, ChangeSubscription, Custom(v),
    }
    PromiseStatus => PromiseStatus { Open, Kept, Broken, Cancelled }
    SubscriptionStatus => SubscriptionStatus {
        Trialing, Active, PastDue, Unpaid, Paused, Cancelled,
    }
    InvoiceEventKind => InvoiceEventKind {
        Created, Sent, PartiallyPaid, Paid, Adjusted, CreditNote, Voided, WrittenOff,
    }
    Trigger => Trigger<'a> {
        Scheduled, DealEvent, PaymentAttempt(v), InvoiceEvent(v), TagChange(v), Dispute(v),
    }
}

#[cfg(test)]
#[path = "lend_v0_2_tests.rs"]
mod tests;
