//! Moves records between the SDK's types (`crm_rules_guest::types`, what the host and the Rhai backend
//! use) and the types `wasmtime::component::bindgen!` generated for the same WIT.
//!
//! Both sides are generated from one WIT file, so every record has the same fields and every enum the
//! same cases; the macros below only spell the field lists once.

use crm_rules_guest::types as sdk;

use super::bindings::crm::rules::types as wit;

/// A value with a twin on the other side of the component boundary.
pub(crate) trait Bridge: Sized {
    /// The twin type.
    type Wit;
    /// A copy for the component.
    fn to_wit(&self) -> Self::Wit;
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
identity!(bool, u8, u32, i32, i64, String);

impl<T: Bridge> Bridge for Vec<T> {
    type Wit = Vec<T::Wit>;
    fn to_wit(&self) -> Self::Wit {
        self.iter().map(Bridge::to_wit).collect()
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
            fn from_wit(wit: wit::$name) -> sdk::$name {
                sdk::$name { $($field: Bridge::from_wit(wit.$field)),* }
            }
        }
    )*};
}

macro_rules! enums {
    ($($name:ident { $($case:ident),* $(,)? })*) => {$(
        impl Bridge for sdk::$name {
            type Wit = wit::$name;
            fn to_wit(&self) -> wit::$name {
                match self { $(sdk::$name::$case => wit::$name::$case),* }
            }
            fn from_wit(wit: wit::$name) -> sdk::$name {
                match wit { $(wit::$name::$case => sdk::$name::$case),* }
            }
        }
    )*};
}

records! {
    Date { year, month, day }
    Money { minor, currency }
    Calendar { weekend, holidays }
    Param { name, value }
    Contact { id, name, role, email, phone, sms_consent, sms_opted_out }
    CreditHold { reason, key, since }
    PaymentBehaviour { settled_12m, late_12m }
    Balance { currency, open_minor, unapplied_credit_minor }
    Account {
        id, name, tier, timezone, currency, net_terms_days, credit_limit, credit_hold, risk_score,
        dunning_excluded, dunning_paused_until, account_executive_id, collections_owner_id,
        payment_method_on_file, contacts, payment_behaviour, balances,
    }
    PaymentLink { url, expires_at }
    Invoice {
        id, number, status, currency, total_minor, paid_minor, credited_minor, amount_due_minor,
        issue_date, due_date, collection_method, dispute, followup_blocked, deal_id, source_key,
        payment_link,
    }
    Deal {
        id, name, stage, amount, billing_model, custom_terms, signed_contract_required,
        contract_signed, payment_method_on_file,
    }
    Milestone { id, name, amount_minor, percent_bps, invoiced_bps }
    Delivery { batch_id, ordered_units, delivered_units, invoiced_units, unit_price_minor }
    TimeApproval { period_start, period_end, approved_minutes, hourly_rate_minor }
    Retainer { balance_minor, threshold_minor, method, target_minor, fixed_minor, top_up_seq }
    Recurring { next_bill_date, amount_minor }
    DealEvent { id, kind, change_origin, occurred_at, deal, milestone, delivery, time, retainer, recurring }
    PaymentAttempt { id, invoice_id, at, outcome, decline_reason }
    Activity { id, key, kind, at, invoice_id, step, channel, outcome }
    Promise { id, invoice_ids, amount, promised_date, grace_days, received_minor, status }
    Context {
        now, today, account, invoices, deal_event, payment_attempts, activities, promises, calendar,
        params,
    }
    NewInvoice { deal_id, source, amount, net_terms_days, send }
    SendInvoice { invoice_id }
    Review { queue, subject_id }
    Reminder { invoice_id, step, channel, contact_id, payment_link, link_expired }
    Task { assignee_role, assignee_id, title, due_in_business_days, invoice_id }
    Escalation { target, invoice_id, currency, days_past_due }
    Notification { recipient_role, recipient_id, message }
    CreditTerms { net_terms_days, require_prepayment }
    PaymentMethodRequest { attempt_id }
    Action { detail, key, not_before, requires_approval, rule_id, reason }
    Suppression { rule_id, subject_id, reason }
    RuleOutput { actions, suppressed }
}

enums! {
    Weekday { Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday }
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
    PromiseStatus { Open, Kept, Broken, Cancelled }
    PaymentOutcome { Succeeded, Declined, NotAttempted, GatewayError, Pending }
    DeclineReason { InsufficientFunds, Generic, LostOrStolen, InvalidCard, ExpiredCard }
    ActivityOutcome { Succeeded, Failed, Unknown, Pending }
    Channel { Email, Sms, Task }
    ReminderStep { Pre7, Pre3, Due, Post1 }
    ActionKind {
        CreateInvoice, SendInvoice, HoldForReview, SendReminder, CreateTask, Escalate, NotifyInternal,
        SetCreditHold, ReleaseCreditHold, SetCreditTerms, RequestPaymentMethodUpdate, MarkPromiseKept,
        MarkPromiseBroken, NoAction,
    }
    AssigneeRole { CollectionsOwner, AccountExecutive }
    EscalationTarget { AccountExecutive, Collections }
    SuppressionReason {
        OwnChange, AlreadyDone, NotOpen, NothingDue, NoDueDate, DisputeOpen, FollowupBlocked,
        DunningExcluded, DunningPaused, PromiseOpen, AutomaticCollection, CreditCovers, UnknownOutcome,
        NoContact,
    }
}

impl Bridge for sdk::ParamValue {
    type Wit = wit::ParamValue;
    fn to_wit(&self) -> wit::ParamValue {
        match self {
            sdk::ParamValue::Integer(value) => wit::ParamValue::Integer(*value),
            sdk::ParamValue::Text(value) => wit::ParamValue::Text(value.clone()),
            sdk::ParamValue::Flag(value) => wit::ParamValue::Flag(*value),
            sdk::ParamValue::MoneyTable(table) => wit::ParamValue::MoneyTable(table.to_wit()),
        }
    }
    fn from_wit(wit: wit::ParamValue) -> sdk::ParamValue {
        match wit {
            wit::ParamValue::Integer(value) => sdk::ParamValue::Integer(value),
            wit::ParamValue::Text(value) => sdk::ParamValue::Text(value),
            wit::ParamValue::Flag(value) => sdk::ParamValue::Flag(value),
            wit::ParamValue::MoneyTable(table) => {
                sdk::ParamValue::MoneyTable(Bridge::from_wit(table))
            }
        }
    }
}

impl Bridge for sdk::ActionDetail {
    type Wit = wit::ActionDetail;
    fn to_wit(&self) -> wit::ActionDetail {
        use sdk::ActionDetail as S;
        use wit::ActionDetail as W;
        match self {
            S::CreateInvoice(p) => W::CreateInvoice(p.to_wit()),
            S::SendInvoice(p) => W::SendInvoice(p.to_wit()),
            S::HoldForReview(p) => W::HoldForReview(p.to_wit()),
            S::SendReminder(p) => W::SendReminder(p.to_wit()),
            S::CreateTask(p) => W::CreateTask(p.to_wit()),
            S::Escalate(p) => W::Escalate(p.to_wit()),
            S::NotifyInternal(p) => W::NotifyInternal(p.to_wit()),
            S::SetCreditHold(p) => W::SetCreditHold(p.clone()),
            S::ReleaseCreditHold(p) => W::ReleaseCreditHold(p.clone()),
            S::SetCreditTerms(p) => W::SetCreditTerms(p.to_wit()),
            S::RequestPaymentMethodUpdate(p) => W::RequestPaymentMethodUpdate(p.to_wit()),
            S::MarkPromiseKept(p) => W::MarkPromiseKept(p.clone()),
            S::MarkPromiseBroken(p) => W::MarkPromiseBroken(p.clone()),
            S::NoAction => W::NoAction,
        }
    }
    fn from_wit(wit: wit::ActionDetail) -> sdk::ActionDetail {
        use sdk::ActionDetail as S;
        use wit::ActionDetail as W;
        match wit {
            W::CreateInvoice(p) => S::CreateInvoice(Bridge::from_wit(p)),
            W::SendInvoice(p) => S::SendInvoice(Bridge::from_wit(p)),
            W::HoldForReview(p) => S::HoldForReview(Bridge::from_wit(p)),
            W::SendReminder(p) => S::SendReminder(Bridge::from_wit(p)),
            W::CreateTask(p) => S::CreateTask(Bridge::from_wit(p)),
            W::Escalate(p) => S::Escalate(Bridge::from_wit(p)),
            W::NotifyInternal(p) => S::NotifyInternal(Bridge::from_wit(p)),
            W::SetCreditHold(p) => S::SetCreditHold(p),
            W::ReleaseCreditHold(p) => S::ReleaseCreditHold(p),
            W::SetCreditTerms(p) => S::SetCreditTerms(Bridge::from_wit(p)),
            W::RequestPaymentMethodUpdate(p) => S::RequestPaymentMethodUpdate(Bridge::from_wit(p)),
            W::MarkPromiseKept(p) => S::MarkPromiseKept(p),
            W::MarkPromiseBroken(p) => S::MarkPromiseBroken(p),
            W::NoAction => S::NoAction,
        }
    }
}
