//! The wire names of the contract's enums: how each case is spelled in JSON, in Rhai and in
//! manifests. One table for every backend and codec, checked against `wit/v0.2` by a test.
//!
//! Names are the WIT case names (kebab-case). Closed enums implement [`Named`]: the name function is an
//! exhaustive `match`, so a new WIT case does not compile until it is named here. The two open
//! variants, [`ActionKind`] and [`SuppressionReason`], implement [`OpenNamed`]: their core cases are
//! named here, and any other name is the pack-declared `custom` case, which the host checks against
//! the pack's vocabulary.

use crate::types::{
    ActionDetail, ActionKind, ActivityOutcome, AssigneeRole, BillingModel, Block, Channel,
    CollectionMethod, ContactRole, DealEventKind, DealStage, DeclineReason, DisputeStatus,
    EscalationTarget, FeeKind, FeePlacement, InvoiceEventKind, InvoiceStatus, PaymentOutcome,
    PromiseStatus, RecordKind, SubscriptionChangeKind, SubscriptionPolicy, SubscriptionStatus,
    SuppressionReason, Tier, TopUpMethod, Trigger, Weekday,
};

/// A closed WIT enum and the wire name of each case.
pub trait Named: Copy + Sized + 'static {
    /// What a value of the enum is called in messages (`invoice status`).
    const WHAT: &'static str;
    /// Every case, in WIT order.
    const ALL: &'static [Self];
    /// The case's wire name.
    fn name(self) -> &'static str;
    /// The case with this wire name, if there is one.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|case| case.name() == name)
    }
}

/// The wire names of every case of `T`, comma separated (for messages).
pub fn names<T: Named>() -> String {
    T::ALL
        .iter()
        .map(|case| case.name())
        .collect::<Vec<_>>()
        .join(", ")
}

macro_rules! named {
    ($ty:ident, $what:literal, { $($case:ident => $name:literal),+ $(,)? }) => {
        impl Named for $ty {
            const WHAT: &'static str = $what;
            const ALL: &'static [Self] = &[$($ty::$case),+];
            fn name(self) -> &'static str {
                match self {
                    $($ty::$case => $name),+
                }
            }
        }
    };
}

named!(Weekday, "weekday", {
    Monday => "monday", Tuesday => "tuesday", Wednesday => "wednesday", Thursday => "thursday",
    Friday => "friday", Saturday => "saturday", Sunday => "sunday",
});
named!(RecordKind, "record kind", {
    Account => "account", Contact => "contact", Invoice => "invoice", Deal => "deal",
    Subscription => "subscription", PaymentAttempt => "payment-attempt",
    BillingEntity => "billing-entity",
});
named!(Tier, "tier", {
    Smb => "smb", MidMarket => "mid-market", Enterprise => "enterprise", Strategic => "strategic",
});
named!(ContactRole, "contact role", {
    Billing => "billing", AccountsPayable => "accounts-payable", Executive => "executive",
    Other => "other",
});
named!(InvoiceStatus, "invoice status", {
    Draft => "draft", Open => "open", Paid => "paid", Void => "void",
    Uncollectible => "uncollectible",
});
named!(CollectionMethod, "collection method", {
    SendInvoice => "send-invoice", ChargeAutomatically => "charge-automatically",
});
named!(DisputeStatus, "dispute status", {
    None => "none", Open => "open", Won => "won", Lost => "lost",
});
named!(DealStage, "deal stage", {
    Open => "open", ClosedWon => "closed-won", ClosedLost => "closed-lost",
});
named!(BillingModel, "billing model", {
    Fixed => "fixed", Milestone => "milestone", TimeAndMaterials => "time-and-materials",
    Retainer => "retainer", Recurring => "recurring",
});
named!(DealEventKind, "deal event kind", {
    StageChanged => "stage-changed", ContractSigned => "contract-signed",
    PaymentMethodConfirmed => "payment-method-confirmed", MilestoneReached => "milestone-reached",
    DeliveryConfirmed => "delivery-confirmed", TimeApproved => "time-approved",
    RetainerDrawdown => "retainer-drawdown", RecurringDue => "recurring-due",
});
named!(TopUpMethod, "top-up method", {
    ToTarget => "to-target", FixedAmount => "fixed-amount",
});
named!(PaymentOutcome, "payment outcome", {
    Succeeded => "succeeded", Declined => "declined", NotAttempted => "not-attempted",
    GatewayError => "gateway-error", Pending => "pending",
});
named!(DeclineReason, "decline reason", {
    InsufficientFunds => "insufficient-funds", Generic => "generic",
    LostOrStolen => "lost-or-stolen", InvalidCard => "invalid-card", ExpiredCard => "expired-card",
});
named!(ActivityOutcome, "activity outcome", {
    Succeeded => "succeeded", Failed => "failed", Unknown => "unknown", Pending => "pending",
});
named!(Channel, "channel", {
    Email => "email", Sms => "sms", Letter => "letter", Phone => "phone", Task => "task",
    InApp => "in-app",
});
named!(PromiseStatus, "promise status", {
    Open => "open", Kept => "kept", Broken => "broken", Cancelled => "cancelled",
});
named!(SubscriptionStatus, "subscription status", {
    Trialing => "trialing", Active => "active", PastDue => "past-due", Unpaid => "unpaid",
    Paused => "paused", Cancelled => "cancelled",
});
named!(InvoiceEventKind, "invoice event kind", {
    Created => "created", Sent => "sent", PartiallyPaid => "partially-paid", Paid => "paid",
    Adjusted => "adjusted", CreditNote => "credit-note", Voided => "voided",
    WrittenOff => "written-off",
});
named!(AssigneeRole, "assignee role", {
    CollectionsOwner => "collections-owner", AccountExecutive => "account-executive",
});
named!(EscalationTarget, "escalation target", {
    AccountExecutive => "account-executive", Collections => "collections",
});
named!(Block, "block", {
    Changes => "changes", Service => "service", Billing => "billing",
});
named!(SubscriptionPolicy, "subscription policy", {
    Keep => "keep", CancelNow => "cancel-now", CancelAtPeriodEnd => "cancel-at-period-end",
});
named!(FeeKind, "fee kind", {
    LateFee => "late-fee", DunningFee => "dunning-fee", Interest => "interest",
});
named!(FeePlacement, "fee placement", {
    OnInvoice => "on-invoice", NewInvoice => "new-invoice",
});
named!(SubscriptionChangeKind, "subscription change", {
    CancelNow => "cancel-now", CancelAtPeriodEnd => "cancel-at-period-end", Pause => "pause",
    Resume => "resume",
});

/// An open WIT variant: named core cases, and a `custom` case the pack declares.
pub trait OpenNamed: Sized + 'static {
    /// What a value is called in messages (`action kind`).
    const WHAT: &'static str;
    /// The wire names of the core cases, in WIT order.
    const CORE: &'static [&'static str];
    /// The wire name: a core case's name, or the custom case's own.
    fn name(&self) -> &str;
    /// A core case's name; `None` for the custom case.
    fn core_name(&self) -> Option<&'static str>;
    /// The core case with this name, or the custom case carrying it.
    fn from_name(name: &str) -> Self;
    /// Whether this is the pack-declared case.
    fn is_custom(&self) -> bool;
}

macro_rules! open_named {
    ($ty:ident, $what:literal, { $($case:ident => $name:literal),+ $(,)? }) => {
        impl OpenNamed for $ty {
            const WHAT: &'static str = $what;
            const CORE: &'static [&'static str] = &[$($name),+];
            fn name(&self) -> &str {
                match self {
                    $($ty::$case => $name,)+
                    $ty::Custom(name) => name,
                }
            }
            fn core_name(&self) -> Option<&'static str> {
                match self {
                    $($ty::$case => Some($name),)+
                    $ty::Custom(_) => None,
                }
            }
            fn from_name(name: &str) -> Self {
                match name {
                    $($name => $ty::$case,)+
                    other => $ty::Custom(other.to_owned()),
                }
            }
            fn is_custom(&self) -> bool {
                matches!(self, $ty::Custom(_))
            }
        }
    };
}

open_named!(ActionKind, "action kind", {
    CreateInvoice => "create-invoice", SendInvoice => "send-invoice",
    HoldForReview => "hold-for-review", SendReminder => "send-reminder",
    CreateTask => "create-task", Escalate => "escalate", NotifyInternal => "notify-internal",
    SetCreditHold => "set-credit-hold", ReleaseCreditHold => "release-credit-hold",
    SetCreditTerms => "set-credit-terms",
    RequestPaymentMethodUpdate => "request-payment-method-update",
    MarkPromiseKept => "mark-promise-kept", MarkPromiseBroken => "mark-promise-broken",
    NoAction => "no-action", EnterDunningState => "enter-dunning-state",
    LeaveDunningState => "leave-dunning-state", ApplyFee => "apply-fee",
    SendNotice => "send-notice", RequestPayment => "request-payment", SetField => "set-field",
    EmitEvent => "emit-event", ChangeSubscription => "change-subscription",
});
open_named!(SuppressionReason, "suppression reason", {
    OwnChange => "own-change", AlreadyDone => "already-done", NotOpen => "not-open",
    NothingDue => "nothing-due", NoDueDate => "no-due-date", DisputeOpen => "dispute-open",
    FollowupBlocked => "followup-blocked", DunningExcluded => "dunning-excluded",
    DunningPaused => "dunning-paused", PromiseOpen => "promise-open",
    AutomaticCollection => "automatic-collection", CreditCovers => "credit-covers",
    UnknownOutcome => "unknown-outcome", NoContact => "no-contact",
});

impl ActionDetail {
    /// The action's kind: the core kind of its case, or a custom action's declared kind.
    pub fn kind(&self) -> ActionKind {
        match self {
            ActionDetail::CreateInvoice(_) => ActionKind::CreateInvoice,
            ActionDetail::SendInvoice(_) => ActionKind::SendInvoice,
            ActionDetail::HoldForReview(_) => ActionKind::HoldForReview,
            ActionDetail::SendReminder(_) => ActionKind::SendReminder,
            ActionDetail::CreateTask(_) => ActionKind::CreateTask,
            ActionDetail::Escalate(_) => ActionKind::Escalate,
            ActionDetail::NotifyInternal(_) => ActionKind::NotifyInternal,
            ActionDetail::SetCreditHold(_) => ActionKind::SetCreditHold,
            ActionDetail::ReleaseCreditHold(_) => ActionKind::ReleaseCreditHold,
            ActionDetail::SetCreditTerms(_) => ActionKind::SetCreditTerms,
            ActionDetail::RequestPaymentMethodUpdate(_) => ActionKind::RequestPaymentMethodUpdate,
            ActionDetail::MarkPromiseKept(_) => ActionKind::MarkPromiseKept,
            ActionDetail::MarkPromiseBroken(_) => ActionKind::MarkPromiseBroken,
            ActionDetail::NoAction => ActionKind::NoAction,
            ActionDetail::EnterDunningState(_) => ActionKind::EnterDunningState,
            ActionDetail::LeaveDunningState(_) => ActionKind::LeaveDunningState,
            ActionDetail::ApplyFee(_) => ActionKind::ApplyFee,
            ActionDetail::SendNotice(_) => ActionKind::SendNotice,
            ActionDetail::RequestPayment(_) => ActionKind::RequestPayment,
            ActionDetail::SetField(_) => ActionKind::SetField,
            ActionDetail::EmitEvent(_) => ActionKind::EmitEvent,
            ActionDetail::ChangeSubscription(_) => ActionKind::ChangeSubscription,
            ActionDetail::Custom(custom) => ActionKind::Custom(custom.kind.clone()),
        }
    }
}

/// The wire names of the trigger's cases, in WIT order.
pub const TRIGGER_KINDS: &[&str] = &[
    "scheduled",
    "deal-event",
    "payment-attempt",
    "invoice-event",
    "tag-change",
    "dispute",
];

impl Trigger {
    /// The trigger's wire name (`scheduled`, `payment-attempt`): what a manifest's `triggers` lists.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Trigger::Scheduled => "scheduled",
            Trigger::DealEvent => "deal-event",
            Trigger::PaymentAttempt(_) => "payment-attempt",
            Trigger::InvoiceEvent(_) => "invoice-event",
            Trigger::TagChange(_) => "tag-change",
            Trigger::Dispute(_) => "dispute",
        }
    }
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
