//! The JSON names of the contract's enums: kebab-case WIT names, both ways.
//!
//! Each enum gets one table, written once by the `named!` macro: the name function is an exhaustive
//! `match` (a new WIT case does not compile until it is named here) and the parser is driven by the
//! same list. The only names that differ from WIT are the reminder steps (`pre-7` for WIT `pre7`).

use serde_json::Value;

use crm_rules_guest::types::{
    ActionKind, ActivityOutcome, AssigneeRole, BillingModel, Channel, CollectionMethod,
    ContactRole, DealEventKind, DealStage, DeclineReason, DisputeStatus, EscalationTarget,
    InvoiceStatus, PaymentOutcome, PromiseStatus, ReminderStep, SuppressionReason, Tier,
    TopUpMethod, Weekday,
};

use super::error::InputError;
use super::reader::{Path, describe};

/// A WIT enum with JSON names.
pub(crate) trait Named: Copy + Sized + 'static {
    /// What a value of the enum is called in messages (`invoice status`).
    const WHAT: &'static str;
    /// Every case, in WIT order.
    const ALL: &'static [Self];
    /// The case's JSON name.
    fn name(self) -> &'static str;
}

/// Converts a JSON string naming a case of `T`.
pub(crate) fn parse_enum<T: Named>(value: &Value, path: &Path) -> Result<T, InputError> {
    let Value::String(text) = value else {
        return Err(path.error(format!(
            "expected a string naming a {}, found {}",
            T::WHAT,
            describe(value)
        )));
    };
    T::ALL
        .iter()
        .copied()
        .find(|case| case.name() == text)
        .ok_or_else(|| {
            path.error(format!(
                "unknown {} \"{text}\", expected one of {}",
                T::WHAT,
                names::<T>()
            ))
        })
}

/// The JSON names of every case, comma separated.
pub(crate) fn names<T: Named>() -> String {
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
    Email => "email", Sms => "sms", Task => "task",
});
named!(ReminderStep, "reminder step", {
    Pre7 => "pre-7", Pre3 => "pre-3", Due => "due", Post1 => "post-1",
});
named!(ActionKind, "action kind", {
    CreateInvoice => "create-invoice", SendInvoice => "send-invoice",
    HoldForReview => "hold-for-review", SendReminder => "send-reminder",
    CreateTask => "create-task", Escalate => "escalate", NotifyInternal => "notify-internal",
    SetCreditHold => "set-credit-hold", ReleaseCreditHold => "release-credit-hold",
    SetCreditTerms => "set-credit-terms",
    RequestPaymentMethodUpdate => "request-payment-method-update",
    MarkPromiseKept => "mark-promise-kept", MarkPromiseBroken => "mark-promise-broken",
    NoAction => "no-action",
});
named!(PromiseStatus, "promise status", {
    Open => "open", Kept => "kept", Broken => "broken", Cancelled => "cancelled",
});
named!(AssigneeRole, "assignee role", {
    CollectionsOwner => "collections-owner", AccountExecutive => "account-executive",
});
named!(EscalationTarget, "escalation target", {
    AccountExecutive => "account-executive", Collections => "collections",
});
named!(SuppressionReason, "suppression reason", {
    OwnChange => "own-change", AlreadyDone => "already-done", NotOpen => "not-open",
    NothingDue => "nothing-due", NoDueDate => "no-due-date", DisputeOpen => "dispute-open",
    FollowupBlocked => "followup-blocked", DunningExcluded => "dunning-excluded",
    DunningPaused => "dunning-paused", PromiseOpen => "promise-open",
    AutomaticCollection => "automatic-collection", CreditCovers => "credit-covers",
    UnknownOutcome => "unknown-outcome", NoContact => "no-contact",
});

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn round_trips<T: Named + PartialEq + std::fmt::Debug>() {
        for case in T::ALL {
            let parsed: T = parse_enum(&json!(case.name()), &Path::Root).unwrap();
            assert_eq!(parsed, *case);
        }
        let mut seen: Vec<&str> = T::ALL.iter().map(|case| case.name()).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), T::ALL.len(), "duplicate names for {}", T::WHAT);
    }

    #[test]
    fn every_name_parses_back() {
        round_trips::<Weekday>();
        round_trips::<Tier>();
        round_trips::<ContactRole>();
        round_trips::<InvoiceStatus>();
        round_trips::<CollectionMethod>();
        round_trips::<DisputeStatus>();
        round_trips::<DealStage>();
        round_trips::<BillingModel>();
        round_trips::<DealEventKind>();
        round_trips::<TopUpMethod>();
        round_trips::<PaymentOutcome>();
        round_trips::<DeclineReason>();
        round_trips::<ActivityOutcome>();
        round_trips::<Channel>();
        round_trips::<ReminderStep>();
        round_trips::<ActionKind>();
        round_trips::<PromiseStatus>();
        round_trips::<AssigneeRole>();
        round_trips::<EscalationTarget>();
        round_trips::<SuppressionReason>();
    }

    #[test]
    fn reminder_steps_match_the_sdk_names() {
        for step in ReminderStep::ALL {
            assert_eq!(Named::name(step), step.as_str());
        }
    }

    #[test]
    fn unknown_values_list_the_allowed_ones() {
        let root = Path::Root;
        let path = root.field("channel");
        let error = parse_enum::<Channel>(&json!("fax"), &path).unwrap_err();
        assert_eq!(
            error.to_string(),
            "channel: unknown channel \"fax\", expected one of email, sms, task"
        );
        let error = parse_enum::<Tier>(&json!(3), &path).unwrap_err();
        assert_eq!(
            error.message(),
            "expected a string naming a tier, found a number"
        );
    }
}
