//! Moves a 0.2 component's output from the types `wasmtime::component::bindgen!` generated for the
//! WIT ([`super::bindings::v0_2`]) into the contract's types (`crm_rules_contract::types`, what the
//! host and the Rhai backend use). The context goes the other way lent, not converted
//! (`super::lend_v0_2`).
//!
//! Both sides are generated from one WIT package, so every record has the same fields and every enum
//! and variant the same cases; the macros below only spell the field and case lists once, and every
//! match is exhaustive, so a case added to the WIT breaks the build here instead of being lost.

use crm_rules_contract::types as sdk;

use super::bindings::v0_2::types as wit;

/// A value a component returns, with its twin in the contract's types.
pub(crate) trait Lift: Sized {
    /// The type the bindings lift it as.
    type Wit;
    /// The contract's value for what the component returned.
    fn from_wit(wit: Self::Wit) -> Self;
}

macro_rules! identity {
    ($($ty:ty),*) => {$(
        impl Lift for $ty {
            type Wit = $ty;
            fn from_wit(wit: $ty) -> $ty { wit }
        }
    )*};
}
identity!(bool, u8, u32, i32, i64, String);

impl<T: Lift> Lift for Vec<T> {
    type Wit = Vec<T::Wit>;
    fn from_wit(wit: Self::Wit) -> Self {
        wit.into_iter().map(T::from_wit).collect()
    }
}

impl<T: Lift> Lift for Option<T> {
    type Wit = Option<T::Wit>;
    fn from_wit(wit: Self::Wit) -> Self {
        wit.map(T::from_wit)
    }
}

/// Records: `Name => Twin`, the twin being the bindings' type of the same WIT record.
macro_rules! records {
    ($($name:ident => $twin:ident { $($field:ident),* $(,)? })*) => {$(
        impl Lift for sdk::$name {
            type Wit = wit::$twin;
            fn from_wit(wit: wit::$twin) -> sdk::$name {
                sdk::$name { $($field: Lift::from_wit(wit.$field)),* }
            }
        }
    )*};
}

/// Enums, and variants: a case with a payload is written `Case(binding)`.
macro_rules! variants {
    ($($name:ident => $twin:ident { $($case:ident $(($payload:ident))?),* $(,)? })*) => {$(
        impl Lift for sdk::$name {
            type Wit = wit::$twin;
            fn from_wit(wit: wit::$twin) -> sdk::$name {
                match wit {
                    $(wit::$twin::$case $(($payload))? =>
                        sdk::$name::$case $((Lift::from_wit($payload)))?),*
                }
            }
        }
    )*};
}

// What the actions use of `crm:rules/values` and `crm:rules/records`.
records! {
    Date => Date { year, month, day }
    Money => MoneyResult { minor, currency }
    Decimal => Decimal { mantissa, scale }
    Field => FieldResult { name, value }
}

variants! {
    Value => ValueResult {
        Text(v), Integer(v), Decimal(v), Money(v), Flag(v), Date(v), Timestamp(v), TextList(v),
    }
    RecordKind => RecordKind {
        Account, Contact, Invoice, Deal, Subscription, PaymentAttempt, BillingEntity,
    }
    Channel => Channel { Email, Sms, Letter, Phone, Task, InApp }
}

// `crm:rules/actions`.
records! {
    NewInvoice => NewInvoice { deal_id, source, amount, net_terms_days, send }
    SendInvoice => SendInvoice { invoice_id }
    Review => Review { queue, subject_id }
    Reminder => Reminder { invoice_id, step, channel, contact_id, payment_link, link_expired }
    Task => Task { assignee_role, assignee_id, title, due_in_business_days, invoice_id }
    Escalation => Escalation { target, invoice_id, currency, days_past_due }
    Notification => Notification { recipient_role, recipient_id, message }
    CreditTerms => CreditTerms { net_terms_days, require_prepayment }
    PaymentMethodRequest => PaymentMethodRequest { attempt_id }
    DunningEntry => DunningEntry { state, blocks, customer_message, subscriptions }
    DunningExit => DunningExit { state }
    Fee => Fee { kind, amount, invoice_id, placement, label }
    Notice => Notice {
        template, channel, contact_id, invoice_ids, instalment_id, amount_due, fee, interest, total,
        payment_link,
    }
    PaymentRequest => PaymentRequest { amount, invoice_ids, attempt }
    FieldUpdate => FieldUpdate { record, record_id, name, value }
    Event => Event { name, fields }
    SubscriptionChange => SubscriptionChange { subscription_id, change }
    CustomAction => CustomAction { kind, fields }
    Action => Action { detail, key, not_before, requires_approval, rule_id, reason }
    Suppression => Suppression { rule_id, subject_id, reason }
    RuleOutput => RuleOutput { actions, suppressed, next_evaluation_at }
}

variants! {
    AssigneeRole => AssigneeRole { CollectionsOwner, AccountExecutive }
    EscalationTarget => EscalationTarget { AccountExecutive, Collections }
    Block => Block { Changes, Service, Billing }
    SubscriptionPolicy => SubscriptionPolicy { Keep, CancelNow, CancelAtPeriodEnd }
    FeeKind => FeeKind { LateFee, DunningFee, Interest }
    FeePlacement => FeePlacement { OnInvoice, NewInvoice }
    SubscriptionChangeKind => SubscriptionChangeKind { CancelNow, CancelAtPeriodEnd, Pause, Resume }
    ActionDetail => ActionDetail {
        CreateInvoice(p), SendInvoice(p), HoldForReview(p), SendReminder(p), CreateTask(p),
        Escalate(p), NotifyInternal(p), SetCreditHold(p), ReleaseCreditHold(p), SetCreditTerms(p),
        RequestPaymentMethodUpdate(p), MarkPromiseKept(p), MarkPromiseBroken(p), NoAction,
        EnterDunningState(p), LeaveDunningState(p), ApplyFee(p), SendNotice(p), RequestPayment(p),
        SetField(p), EmitEvent(p), ChangeSubscription(p), Custom(p),
    }
    SuppressionReason => SuppressionReason {
        OwnChange, AlreadyDone, NotOpen, NothingDue, NoDueDate, DisputeOpen, FollowupBlocked,
        DunningExcluded, DunningPaused, PromiseOpen, AutomaticCollection, CreditCovers, UnknownOutcome,
        NoContact, Custom(reason),
    }
}
