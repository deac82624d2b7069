//! Moves records between the contract's types (`crm_rules_contract::types`, 0.2) and the types
//! `wasmtime::component::bindgen!` generated for the frozen 0.1 WIT ([`super::bindings::v0_1`]), so
//! that 0.1 components keep running: the context goes down to 0.1 ([`Downgrade`], [`context`]), a
//! 0.1 output comes up to 0.2 ([`Upgrade`]).
//!
//! Going down loses what 0.1 cannot see:
//! - the trigger, subscriptions and billing entities of the context;
//! - every record's tags and custom fields, the account's dunning state and billing entity, an
//!   invoice's instalments and billing entity, a payment attempt's amount, attempt number and source
//!   key, an activity's rule id and fields;
//! - parameters whose value 0.1 has no case for (decimal, money, date, text list, table, unset);
//! - activities whose kind 0.1's closed `action-kind` enum cannot name (the 0.2 kinds and pack-declared
//!   ones): a 0.1 rule could only misread them. The 0.1 rules that read history look for their own
//!   kinds (reminders, tasks, escalations), which all survive;
//! - an activity's step when it is not one of 0.1's `reminder-step`s (`pre-7`, `pre-3`, `due`,
//!   `post-1`), and its channel when it is `letter`, `phone` or `in-app`.
//!
//! Coming up loses nothing: a 0.1 output is a 0.2 output without `next-evaluation-at`.
//!
//! The field lists are written once, in the macros below; a 0.1 record's literal must name every field
//! of it, and every match is exhaustive, so nothing is dropped that this documentation does not list.

use crm_rules_contract::types as sdk;

use super::bindings::v0_1::crm::rules::types as old;

/// A contract (0.2) value that 0.1 can see, whole or in part.
pub(crate) trait Downgrade {
    /// The 0.1 type.
    type Old;
    /// What 0.1 sees of it.
    fn to_v0_1(&self) -> Self::Old;
}

/// A contract (0.2) value that 0.1 could return.
pub(crate) trait Upgrade: Sized {
    /// The 0.1 type.
    type Old;
    /// The 0.2 value of what a 0.1 component returned.
    fn from_v0_1(old: Self::Old) -> Self;
}

macro_rules! identity {
    ($($ty:ty),*) => {$(
        impl Downgrade for $ty {
            type Old = $ty;
            fn to_v0_1(&self) -> $ty { self.clone() }
        }
        impl Upgrade for $ty {
            type Old = $ty;
            fn from_v0_1(old: $ty) -> $ty { old }
        }
    )*};
}
identity!(bool, u8, u32, i32, i64, String);

impl<T: Downgrade> Downgrade for Vec<T> {
    type Old = Vec<T::Old>;
    fn to_v0_1(&self) -> Self::Old {
        self.iter().map(Downgrade::to_v0_1).collect()
    }
}

impl<T: Downgrade> Downgrade for Option<T> {
    type Old = Option<T::Old>;
    fn to_v0_1(&self) -> Self::Old {
        self.as_ref().map(Downgrade::to_v0_1)
    }
}

impl<T: Upgrade> Upgrade for Vec<T> {
    type Old = Vec<T::Old>;
    fn from_v0_1(old: Self::Old) -> Self {
        old.into_iter().map(T::from_v0_1).collect()
    }
}

impl<T: Upgrade> Upgrade for Option<T> {
    type Old = Option<T::Old>;
    fn from_v0_1(old: Self::Old) -> Self {
        old.map(T::from_v0_1)
    }
}

/// Records going down: the 0.1 fields, each converted by [`Downgrade`] or by the function after `=>`.
macro_rules! records_down {
    ($($name:ident { $($field:ident $(=> $convert:path)?),* $(,)? })*) => {$(
        impl Downgrade for sdk::$name {
            type Old = old::$name;
            fn to_v0_1(&self) -> old::$name {
                old::$name { $($field: records_down!(@field self.$field $(, $convert)?)),* }
            }
        }
    )*};
    (@field $value:expr) => { Downgrade::to_v0_1(&$value) };
    (@field $value:expr, $convert:path) => { $convert(&$value) };
}

/// Records coming up: the 0.1 fields, each converted by [`Upgrade`] or by the function after `=>`,
/// then the 0.2 fields 0.1 does not have, with their values.
macro_rules! records_up {
    ($(
        $name:ident { $($field:ident $(=> $convert:path)?),* $(,)? }
        $(+ { $($extra:ident: $value:expr),* $(,)? })?
    )*) => {$(
        impl Upgrade for sdk::$name {
            type Old = old::$name;
            fn from_v0_1(old: old::$name) -> sdk::$name {
                sdk::$name {
                    $($field: records_up!(@field old.$field $(, $convert)?),)*
                    $($($extra: $value,)*)?
                }
            }
        }
    )*};
    (@field $value:expr) => { Upgrade::from_v0_1($value) };
    (@field $value:expr, $convert:path) => { $convert($value) };
}

/// Enums going down whose every 0.2 case 0.1 has (a match on the 0.2 enum: a new case fails here).
macro_rules! enums_down {
    ($($name:ident { $($case:ident),* $(,)? })*) => {$(
        impl Downgrade for sdk::$name {
            type Old = old::$name;
            fn to_v0_1(&self) -> old::$name {
                match self { $(sdk::$name::$case => old::$name::$case),* }
            }
        }
    )*};
}

/// Enums coming up: every 0.1 case, to the 0.2 case (of an enum, or a variant's case without payload).
macro_rules! enums_up {
    ($($name:ident { $($case:ident),* $(,)? })*) => {$(
        impl Upgrade for sdk::$name {
            type Old = old::$name;
            fn from_v0_1(old: old::$name) -> sdk::$name {
                match old { $(old::$name::$case => sdk::$name::$case),* }
            }
        }
    )*};
}

records_down! {
    Date { year, month, day }
    Money { minor, currency }
    Calendar { weekend, holidays }
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
    Promise { id, invoice_ids, amount, promised_date, grace_days, received_minor, status }
    Context {
        now, today, account, invoices, deal_event, payment_attempts,
        activities => activities, promises, calendar, params => params,
    }
}

enums_down! {
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
}

records_up! {
    Money { minor, currency }
    NewInvoice { deal_id, source, amount, net_terms_days, send }
    SendInvoice { invoice_id }
    Review { queue, subject_id }
    Reminder { invoice_id, step => step_name, channel, contact_id, payment_link, link_expired }
    Task { assignee_role, assignee_id, title, due_in_business_days, invoice_id }
    Escalation { target, invoice_id, currency, days_past_due }
    Notification { recipient_role, recipient_id, message }
    CreditTerms { net_terms_days, require_prepayment }
    PaymentMethodRequest { attempt_id }
    Action { detail, key, not_before, requires_approval, rule_id, reason }
    Suppression { rule_id, subject_id, reason }
    RuleOutput { actions, suppressed } + { next_evaluation_at: None }
}

enums_up! {
    Channel { Email, Sms, Task }
    AssigneeRole { CollectionsOwner, AccountExecutive }
    EscalationTarget { AccountExecutive, Collections }
    SuppressionReason {
        OwnChange, AlreadyDone, NotOpen, NothingDue, NoDueDate, DisputeOpen, FollowupBlocked,
        DunningExcluded, DunningPaused, PromiseOpen, AutomaticCollection, CreditCovers, UnknownOutcome,
        NoContact,
    }
}

impl Upgrade for sdk::ActionDetail {
    type Old = old::ActionDetail;
    fn from_v0_1(old: old::ActionDetail) -> sdk::ActionDetail {
        use old::ActionDetail as O;
        use sdk::ActionDetail as S;
        match old {
            O::CreateInvoice(p) => S::CreateInvoice(Upgrade::from_v0_1(p)),
            O::SendInvoice(p) => S::SendInvoice(Upgrade::from_v0_1(p)),
            O::HoldForReview(p) => S::HoldForReview(Upgrade::from_v0_1(p)),
            O::SendReminder(p) => S::SendReminder(Upgrade::from_v0_1(p)),
            O::CreateTask(p) => S::CreateTask(Upgrade::from_v0_1(p)),
            O::Escalate(p) => S::Escalate(Upgrade::from_v0_1(p)),
            O::NotifyInternal(p) => S::NotifyInternal(Upgrade::from_v0_1(p)),
            O::SetCreditHold(p) => S::SetCreditHold(p),
            O::ReleaseCreditHold(p) => S::ReleaseCreditHold(p),
            O::SetCreditTerms(p) => S::SetCreditTerms(Upgrade::from_v0_1(p)),
            O::RequestPaymentMethodUpdate(p) => {
                S::RequestPaymentMethodUpdate(Upgrade::from_v0_1(p))
            }
            O::MarkPromiseKept(p) => S::MarkPromiseKept(p),
            O::MarkPromiseBroken(p) => S::MarkPromiseBroken(p),
            O::NoAction => S::NoAction,
        }
    }
}

/// The wire name of a 0.1 reminder step: the template a 0.2 `send-reminder` names (see
/// [`crm_rules_contract::vocabulary::STEPS_0_1`]).
fn step_name(step: old::ReminderStep) -> String {
    match step {
        old::ReminderStep::Pre7 => "pre-7",
        old::ReminderStep::Pre3 => "pre-3",
        old::ReminderStep::Due => "due",
        old::ReminderStep::Post1 => "post-1",
    }
    .to_owned()
}

/// The 0.1 reminder step an activity's step names, if it names one.
fn step(step: &Option<String>) -> Option<old::ReminderStep> {
    match step.as_deref()? {
        "pre-7" => Some(old::ReminderStep::Pre7),
        "pre-3" => Some(old::ReminderStep::Pre3),
        "due" => Some(old::ReminderStep::Due),
        "post-1" => Some(old::ReminderStep::Post1),
        _other_template => None,
    }
}

/// The 0.1 channel, if 0.1 has it.
fn channel(channel: &Option<sdk::Channel>) -> Option<old::Channel> {
    match channel.as_ref()? {
        sdk::Channel::Email => Some(old::Channel::Email),
        sdk::Channel::Sms => Some(old::Channel::Sms),
        sdk::Channel::Task => Some(old::Channel::Task),
        sdk::Channel::Letter | sdk::Channel::Phone | sdk::Channel::InApp => None,
    }
}

/// The 0.1 action kind, if 0.1 has it.
fn action_kind(kind: &sdk::ActionKind) -> Option<old::ActionKind> {
    use old::ActionKind as O;
    use sdk::ActionKind as S;
    Some(match kind {
        S::CreateInvoice => O::CreateInvoice,
        S::SendInvoice => O::SendInvoice,
        S::HoldForReview => O::HoldForReview,
        S::SendReminder => O::SendReminder,
        S::CreateTask => O::CreateTask,
        S::Escalate => O::Escalate,
        S::NotifyInternal => O::NotifyInternal,
        S::SetCreditHold => O::SetCreditHold,
        S::ReleaseCreditHold => O::ReleaseCreditHold,
        S::SetCreditTerms => O::SetCreditTerms,
        S::RequestPaymentMethodUpdate => O::RequestPaymentMethodUpdate,
        S::MarkPromiseKept => O::MarkPromiseKept,
        S::MarkPromiseBroken => O::MarkPromiseBroken,
        S::NoAction => O::NoAction,
        S::EnterDunningState
        | S::LeaveDunningState
        | S::ApplyFee
        | S::SendNotice
        | S::RequestPayment
        | S::SetField
        | S::EmitEvent
        | S::ChangeSubscription
        | S::Custom(_) => return None,
    })
}

/// The activities 0.1 can see: those whose kind it can name (see the module docs).
fn activities(activities: &[sdk::Activity]) -> Vec<old::Activity> {
    activities
        .iter()
        .filter_map(|activity| {
            Some(old::Activity {
                id: activity.id.clone(),
                key: activity.key.clone(),
                kind: action_kind(&activity.kind)?,
                at: activity.at,
                invoice_id: activity.invoice_id.clone(),
                step: step(&activity.step),
                channel: channel(&activity.channel),
                outcome: activity.outcome.to_v0_1(),
            })
        })
        .collect()
}

/// The parameters 0.1 can see: those whose value it has a case for.
fn params(params: &[sdk::Param]) -> Vec<old::Param> {
    params.iter().filter_map(param).collect()
}

/// A parameter as 0.1 sees it, if it can.
fn param(param: &sdk::Param) -> Option<old::Param> {
    use old::ParamValue as O;
    use sdk::ParamValue as S;
    let value = match &param.value {
        S::Integer(value) => O::Integer(*value),
        S::Text(value) => O::Text(value.clone()),
        S::Flag(value) => O::Flag(*value),
        S::MoneyTable(table) => O::MoneyTable(table.to_v0_1()),
        S::Decimal(_) | S::Money(_) | S::Date(_) | S::TextList(_) | S::Table(_) | S::Unset => {
            return None;
        }
    };
    Some(old::Param {
        name: param.name.clone(),
        value,
    })
}

/// The context for a 0.1 component: what 0.1 sees of `ctx` (see the module docs), with what it sees
/// of `extra_params` (the pack's defaults the context lacks) appended to its parameters.
pub(crate) fn context(ctx: &sdk::Context, extra_params: &[&sdk::Param]) -> old::Context {
    let mut old = ctx.to_v0_1();
    old.params
        .extend(extra_params.iter().filter_map(|extra| param(extra)));
    old
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_names_are_the_0_1_templates() {
        let steps = [
            old::ReminderStep::Pre7,
            old::ReminderStep::Pre3,
            old::ReminderStep::Due,
            old::ReminderStep::Post1,
        ];
        let names: Vec<String> = steps.into_iter().map(step_name).collect();
        assert_eq!(names, crm_rules_contract::vocabulary::STEPS_0_1);
        for (old_step, name) in steps.into_iter().zip(&names) {
            assert!(step(&Some(name.clone())) == Some(old_step));
        }
        assert!(step(&Some("pre7".to_owned())).is_none());
    }
}
