//! Moves records between the contract's types (`crm_rules_contract::types`, what the host and the
//! Rhai backend use) and the types `wasmtime::component::bindgen!` generated for the same 0.2 WIT
//! ([`super::bindings::v0_2`]): the context into a component, its output back.
//!
//! Both sides are generated from one WIT package, so every record has the same fields and every enum
//! and variant the same cases; the macros below only spell the field and case lists once, and every
//! match is exhaustive, so a case added to the WIT breaks the build here instead of being lost.

use crm_rules_contract::types as sdk;

use super::bindings::v0_2::types as wit;

/// A value with a twin on the other side of the component boundary.
pub(crate) trait Bridge: Sized {
    /// The twin type.
    type Wit;
    /// A copy for the component.
    fn to_wit(&self) -> Self::Wit;
    /// Makes `into` a copy for the component, as [`Bridge::to_wit`] would, reusing the texts and
    /// lists it already holds (their allocations) where it can.
    fn to_wit_into(&self, into: &mut Self::Wit) {
        *into = self.to_wit();
    }
    /// The value the component returned.
    fn from_wit(wit: Self::Wit) -> Self;
}

macro_rules! identity {
    ($($ty:ty),*) => {$(
        impl Bridge for $ty {
            type Wit = $ty;
            fn to_wit(&self) -> $ty { self.clone() }
            fn from_wit(wit: $ty) -> $ty { wit }
        }
    )*};
}
identity!(bool, u8, u32, i32, i64);

impl Bridge for String {
    type Wit = String;
    fn to_wit(&self) -> String {
        self.clone()
    }
    fn to_wit_into(&self, into: &mut String) {
        into.clone_from(self);
    }
    fn from_wit(wit: String) -> String {
        wit
    }
}

impl<T: Bridge> Bridge for Vec<T> {
    type Wit = Vec<T::Wit>;
    fn to_wit(&self) -> Self::Wit {
        self.iter().map(Bridge::to_wit).collect()
    }
    fn to_wit_into(&self, into: &mut Self::Wit) {
        into.truncate(self.len());
        for (item, slot) in self.iter().zip(into.iter_mut()) {
            item.to_wit_into(slot);
        }
        let reused = into.len();
        into.extend(self.iter().skip(reused).map(Bridge::to_wit));
    }
    fn from_wit(wit: Self::Wit) -> Self {
        wit.into_iter().map(T::from_wit).collect()
    }
}

impl<T: Bridge> Bridge for Option<T> {
    type Wit = Option<T::Wit>;
    fn to_wit(&self) -> Self::Wit {
        self.as_ref().map(Bridge::to_wit)
    }
    fn to_wit_into(&self, into: &mut Self::Wit) {
        match (self, into) {
            (Some(value), Some(slot)) => value.to_wit_into(slot),
            (value, slot) => *slot = value.to_wit(),
        }
    }
    fn from_wit(wit: Self::Wit) -> Self {
        wit.map(T::from_wit)
    }
}

macro_rules! records {
    ($($name:ident { $($field:ident),* $(,)? })*) => {$(
        impl Bridge for sdk::$name {
            type Wit = wit::$name;
            fn to_wit(&self) -> wit::$name {
                wit::$name { $($field: self.$field.to_wit()),* }
            }
            fn to_wit_into(&self, into: &mut wit::$name) {
                // Every field, by the same list as `to_wit`: none keeps a previous value.
                $(self.$field.to_wit_into(&mut into.$field);)*
            }
            fn from_wit(wit: wit::$name) -> sdk::$name {
                sdk::$name { $($field: Bridge::from_wit(wit.$field)),* }
            }
        }
    )*};
}

/// Enums, and variants: a case with a payload is written `Case(binding)`.
macro_rules! variants {
    ($($name:ident { $($case:ident $(($payload:ident))?),* $(,)? })*) => {$(
        impl Bridge for sdk::$name {
            type Wit = wit::$name;
            fn to_wit(&self) -> wit::$name {
                match self {
                    $(sdk::$name::$case $(($payload))? => wit::$name::$case $(($payload.to_wit()))?),*
                }
            }
            fn from_wit(wit: wit::$name) -> sdk::$name {
                match wit {
                    $(wit::$name::$case $(($payload))? =>
                        sdk::$name::$case $((Bridge::from_wit($payload)))?),*
                }
            }
        }
    )*};
}

// `crm:rules/values`.
records! {
    Date { year, month, day }
    Money { minor, currency }
    Decimal { mantissa, scale }
    Field { name, value }
    Calendar { weekend, holidays }
    ParamRow { fields }
    Param { name, value }
}

variants! {
    Value {
        Text(v), Integer(v), Decimal(v), Money(v), Flag(v), Date(v), Timestamp(v), TextList(v),
    }
    Weekday { Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday }
    ParamValue {
        Integer(v), Text(v), Flag(v), MoneyTable(v), Decimal(v), Money(v), Date(v), TextList(v),
        Table(v), Unset,
    }
    RecordKind { Account, Contact, Invoice, Deal, Subscription, PaymentAttempt, BillingEntity }
}

// `crm:rules/records`.
records! {
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
    DealEvent { id, kind, change_origin, occurred_at, deal, milestone, delivery, time, retainer, recurring }
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
    Context {
        now, today, trigger, account, invoices, deal_event, payment_attempts, activities, promises,
        subscriptions, billing_entities, calendar, params,
    }
}

variants! {
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
    Channel { Email, Sms, Letter, Phone, Task, InApp }
    ActionKind {
        CreateInvoice, SendInvoice, HoldForReview, SendReminder, CreateTask, Escalate, NotifyInternal,
        SetCreditHold, ReleaseCreditHold, SetCreditTerms, RequestPaymentMethodUpdate, MarkPromiseKept,
        MarkPromiseBroken, NoAction, EnterDunningState, LeaveDunningState, ApplyFee, SendNotice,
        RequestPayment, SetField, EmitEvent, ChangeSubscription, Custom(v),
    }
    PromiseStatus { Open, Kept, Broken, Cancelled }
    SubscriptionStatus { Trialing, Active, PastDue, Unpaid, Paused, Cancelled }
    InvoiceEventKind {
        Created, Sent, PartiallyPaid, Paid, Adjusted, CreditNote, Voided, WrittenOff,
    }
    Trigger {
        Scheduled, DealEvent, PaymentAttempt(v), InvoiceEvent(v), TagChange(v), Dispute(v),
    }
}

// `crm:rules/actions`.
records! {
    NewInvoice { deal_id, source, amount, net_terms_days, send }
    SendInvoice { invoice_id }
    Review { queue, subject_id }
    Reminder { invoice_id, step, channel, contact_id, payment_link, link_expired }
    Task { assignee_role, assignee_id, title, due_in_business_days, invoice_id }
    Escalation { target, invoice_id, currency, days_past_due }
    Notification { recipient_role, recipient_id, message }
    CreditTerms { net_terms_days, require_prepayment }
    PaymentMethodRequest { attempt_id }
    DunningEntry { state, blocks, customer_message, subscriptions }
    DunningExit { state }
    Fee { kind, amount, invoice_id, placement, label }
    Notice {
        template, channel, contact_id, invoice_ids, instalment_id, amount_due, fee, interest, total,
        payment_link,
    }
    PaymentRequest { amount, invoice_ids, attempt }
    FieldUpdate { record, record_id, name, value }
    Event { name, fields }
    SubscriptionChange { subscription_id, change }
    CustomAction { kind, fields }
    Action { detail, key, not_before, requires_approval, rule_id, reason }
    Suppression { rule_id, subject_id, reason }
    RuleOutput { actions, suppressed, next_evaluation_at }
}

variants! {
    AssigneeRole { CollectionsOwner, AccountExecutive }
    EscalationTarget { AccountExecutive, Collections }
    Block { Changes, Service, Billing }
    SubscriptionPolicy { Keep, CancelNow, CancelAtPeriodEnd }
    FeeKind { LateFee, DunningFee, Interest }
    FeePlacement { OnInvoice, NewInvoice }
    SubscriptionChangeKind { CancelNow, CancelAtPeriodEnd, Pause, Resume }
    ActionDetail {
        CreateInvoice(p), SendInvoice(p), HoldForReview(p), SendReminder(p), CreateTask(p),
        Escalate(p), NotifyInternal(p), SetCreditHold(p), ReleaseCreditHold(p), SetCreditTerms(p),
        RequestPaymentMethodUpdate(p), MarkPromiseKept(p), MarkPromiseBroken(p), NoAction,
        EnterDunningState(p), LeaveDunningState(p), ApplyFee(p), SendNotice(p), RequestPayment(p),
        SetField(p), EmitEvent(p), ChangeSubscription(p), Custom(p),
    }
    SuppressionReason {
        OwnChange, AlreadyDone, NotOpen, NothingDue, NoDueDate, DisputeOpen, FollowupBlocked,
        DunningExcluded, DunningPaused, PromiseOpen, AutomaticCollection, CreditCovers, UnknownOutcome,
        NoContact, Custom(reason),
    }
}

/// The context for a component: `ctx` with `extra_params` (the pack's defaults it lacks) appended to
/// its parameters. Made in `spare` (the context an earlier evaluation on this thread crossed with,
/// see `super::spare_context`) when there is one, reusing its allocations.
pub(crate) fn context(
    ctx: &sdk::Context,
    extra_params: &[&sdk::Param],
    spare: Option<wit::Context>,
) -> wit::Context {
    let mut wit = match spare {
        Some(mut wit) => {
            ctx.to_wit_into(&mut wit);
            wit
        }
        None => ctx.to_wit(),
    };
    wit.params
        .extend(extra_params.iter().map(|param| param.to_wit()));
    wit
}
