//! Action and suppression JSON: the exact shape, round trips for every kind, and read errors.

use serde_json::{Value, json};

use crate::types::*;

use super::*;

fn action(detail: ActionDetail) -> Action {
    Action {
        detail,
        key: "key:1".into(),
        not_before: None,
        requires_approval: false,
        rule_id: "billing.closed-won".into(),
        reason: "because".into(),
    }
}

fn every_kind() -> Vec<Action> {
    let details = vec![
        ActionDetail::CreateInvoice(NewInvoice {
            deal_id: "deal_1".into(),
            source: "milestone".into(),
            amount: Money::new(1_200_000, "USD"),
            net_terms_days: 30,
            send: true,
        }),
        ActionDetail::CreateInvoice(NewInvoice {
            deal_id: "deal_2".into(),
            source: "deal-won".into(),
            amount: Money::new(48_000, "JPY"),
            net_terms_days: 0,
            send: false,
        }),
        ActionDetail::SendInvoice(SendInvoice {
            invoice_id: "inv_1".into(),
        }),
        ActionDetail::HoldForReview(Review {
            queue: "billing-exceptions".into(),
            subject_id: "deal_1".into(),
        }),
        ActionDetail::SendReminder(Reminder {
            invoice_id: "inv_1".into(),
            step: "pre-7".into(),
            channel: Channel::Sms,
            contact_id: "c_1".into(),
            payment_link: Some("https://pay.test/inv_1".into()),
            link_expired: true,
        }),
        ActionDetail::SendReminder(Reminder {
            invoice_id: "inv_1".into(),
            step: "post-1".into(),
            channel: Channel::Email,
            contact_id: "c_1".into(),
            payment_link: None,
            link_expired: false,
        }),
        ActionDetail::CreateTask(Task {
            assignee_role: AssigneeRole::CollectionsOwner,
            assignee_id: Some("u_co".into()),
            title: "Call Acme".into(),
            due_in_business_days: 2,
            invoice_id: Some("inv_1".into()),
        }),
        ActionDetail::CreateTask(Task {
            assignee_role: AssigneeRole::AccountExecutive,
            assignee_id: None,
            title: "Reach out".into(),
            due_in_business_days: 0,
            invoice_id: None,
        }),
        ActionDetail::Escalate(Escalation {
            target: EscalationTarget::Collections,
            invoice_id: Some("inv_1".into()),
            currency: Some("KWD".into()),
            days_past_due: 30,
        }),
        ActionDetail::NotifyInternal(Notification {
            recipient_role: AssigneeRole::AccountExecutive,
            recipient_id: Some("u_ae".into()),
            message: "heads up".into(),
        }),
        ActionDetail::SetCreditHold("three declines".into()),
        ActionDetail::ReleaseCreditHold("paid up".into()),
        ActionDetail::SetCreditTerms(CreditTerms {
            net_terms_days: 15,
            require_prepayment: true,
        }),
        ActionDetail::RequestPaymentMethodUpdate(PaymentMethodRequest {
            attempt_id: "pay_1".into(),
        }),
        ActionDetail::MarkPromiseKept("ptp_1".into()),
        ActionDetail::MarkPromiseBroken("ptp_2".into()),
        ActionDetail::NoAction,
        ActionDetail::EnterDunningState(DunningEntry {
            state: "suspended".into(),
            blocks: vec![Block::Changes, Block::Service],
            customer_message: Some("Your account is suspended".into()),
            subscriptions: SubscriptionPolicy::CancelAtPeriodEnd,
        }),
        ActionDetail::LeaveDunningState(DunningExit {
            state: "suspended".into(),
        }),
        ActionDetail::ApplyFee(Fee {
            kind: FeeKind::LateFee,
            amount: Money::new(1_250, "EUR"),
            invoice_id: Some("inv_1".into()),
            placement: FeePlacement::NewInvoice,
            label: "Late fee, reminder 2".into(),
        }),
        ActionDetail::SendNotice(Notice {
            template: "reminder2".into(),
            channel: Channel::Letter,
            contact_id: None,
            invoice_ids: vec!["inv_1".into(), "inv_2".into()],
            instalment_id: Some("inst_1".into()),
            amount_due: Money::new(120_000, "EUR"),
            fee: Some(Money::new(1_250, "EUR")),
            interest: None,
            total: Money::new(121_250, "EUR"),
            payment_link: None,
        }),
        ActionDetail::RequestPayment(PaymentRequest {
            amount: Money::new(5_000, "JPY"),
            invoice_ids: vec!["inv_1".into()],
            attempt: 2,
        }),
        ActionDetail::SetField(FieldUpdate {
            record: RecordKind::Invoice,
            record_id: "inv_1".into(),
            name: "overdue".into(),
            value: Some(crate::types::Value::Flag(true)),
        }),
        ActionDetail::SetField(FieldUpdate {
            record: RecordKind::Invoice,
            record_id: "inv_1".into(),
            name: "overdue".into(),
            value: None,
        }),
        ActionDetail::EmitEvent(Event {
            name: "campaign-ended".into(),
            fields: vec![Field {
                name: "attempts".into(),
                value: crate::types::Value::Integer(4),
            }],
        }),
        ActionDetail::ChangeSubscription(SubscriptionChange {
            subscription_id: "sub_1".into(),
            change: SubscriptionChangeKind::Pause,
        }),
        ActionDetail::Custom(CustomAction {
            kind: "open-ticket".into(),
            fields: vec![
                Field {
                    name: "queue".into(),
                    value: crate::types::Value::Text("billing".into()),
                },
                Field {
                    name: "limit".into(),
                    value: crate::types::Value::Money(Money::new(-500, "USD")),
                },
            ],
        }),
    ];
    details.into_iter().map(action).collect()
}

/// The vocabulary the 0.2 kinds above are declared in.
fn vocabulary() -> crate::vocabulary::Vocabulary {
    use crate::vocabulary::{FieldSpec, KindSpec, RecordField, ValueType, Vocabulary};
    let spec = |name: &str, ty| FieldSpec {
        name: name.into(),
        ty,
        required: false,
    };
    Vocabulary {
        fields: vec![RecordField {
            record: RecordKind::Invoice,
            spec: spec("overdue", ValueType::Bool),
            writable: true,
        }],
        events: vec![KindSpec {
            name: "campaign-ended".into(),
            fields: vec![spec("attempts", ValueType::Integer)],
        }],
        actions: vec![KindSpec {
            name: "open-ticket".into(),
            fields: vec![
                spec("queue", ValueType::Text),
                spec("limit", ValueType::Money),
            ],
        }],
        ..Vocabulary::contract_0_1()
    }
}

#[test]
fn every_kind_round_trips() {
    let mut seen = Vec::new();
    for (index, mut original) in every_kind().into_iter().enumerate() {
        if index % 2 == 0 {
            original.not_before = Some(1_774_008_000_000 + i64::try_from(index).unwrap());
            original.requires_approval = true;
        }
        let value = action_to_json(&original);
        assert_eq!(value["kind"], kind_name(&original.detail));
        let back = action_from_json_in(&value, &vocabulary())
            .unwrap_or_else(|error| panic!("{value}: {error}"));
        assert_eq!(back, original, "{value}");
        seen.push(kind_name(&original.detail).to_owned());
    }
    seen.dedup();
    assert_eq!(seen.len(), 23, "every action kind is covered");
}

#[test]
fn the_shape_is_flat_and_omits_unset_options() {
    let mut create = every_kind().remove(0);
    create.not_before = Some(1_774_008_000_000);
    assert_eq!(
        action_to_json(&create),
        json!({
            "kind": "create-invoice", "rule": "billing.closed-won", "key": "key:1",
            "reason": "because", "requires_approval": false,
            "not_before": "2026-03-20T12:00:00Z",
            "deal_id": "deal_1", "source": "milestone", "amount": "12000.00", "currency": "USD",
            "net_terms_days": 30, "send": true
        })
    );
    let yen = action_to_json(&every_kind()[1]);
    assert_eq!(yen["amount"], "48000");
    let reminder = action_to_json(&every_kind()[5]);
    assert_eq!(reminder["step"], "post-1");
    assert!(reminder.get("payment_link").is_none() && reminder.get("not_before").is_none());
    let none = action_to_json(&action(ActionDetail::NoAction));
    assert_eq!(none.as_object().unwrap().len(), 5);
}

fn read(value: Value) -> String {
    action_from_json(&value).unwrap_err().to_string()
}

#[test]
fn reading_accepts_integers_and_defaults() {
    let value = json!({
        "kind": "create-invoice", "rule": "r", "key": "k", "reason": "why",
        "not_before": 1_774_008_000_000_i64,
        "deal_id": "d", "source": "deal-won", "amount": 48000, "currency": "JPY",
        "net_terms_days": 0, "send": false
    });
    let action = action_from_json(&value).unwrap();
    assert!(!action.requires_approval);
    assert_eq!(action.not_before, Some(1_774_008_000_000));
    let ActionDetail::CreateInvoice(new) = action.detail else {
        panic!("create-invoice")
    };
    assert_eq!(new.amount, Money::new(48_000, "JPY"));
}

#[test]
fn null_is_an_unset_optional_field_in_rule_output() {
    // Rhai rules write `()` for an optional field they leave unset; it reads back as null.
    let value = json!({
        "kind": "send-reminder", "rule": "r", "key": "k", "reason": "why", "not_before": null,
        "invoice_id": "inv_1", "step": "due", "channel": "email", "contact_id": "c_1",
        "payment_link": null, "link_expired": false
    });
    let action = action_from_json(&value).unwrap();
    assert_eq!(action.not_before, None);
    let mut missing = value;
    missing["contact_id"] = Value::Null;
    assert_eq!(read(missing), "contact_id: required field is null");
}

#[test]
fn reading_names_the_bad_field() {
    let reminder = |channel: &str| {
        json!({
            "kind": "send-reminder", "rule": "r", "key": "k", "reason": "why",
            "invoice_id": "inv_1", "step": "due", "channel": channel, "contact_id": "c_1",
            "link_expired": false
        })
    };
    assert!(action_from_json(&reminder("email")).is_ok());
    assert_eq!(
        read(reminder("fax")),
        "channel: unknown channel \"fax\", expected one of email, sms, letter, phone, task, in-app"
    );
    let mut value = reminder("sms");
    value["title"] = json!("x");
    assert!(read(value).starts_with("title: unknown field \"title\", expected one of kind, rule"));
    let mut value = reminder("sms");
    value.as_object_mut().unwrap().remove("contact_id");
    assert_eq!(read(value), "contact_id: missing required field");
    let mut value = reminder("sms");
    value.as_object_mut().unwrap().remove("rule");
    assert_eq!(read(value), "rule: missing required field");
    assert_eq!(
        read(json!({"kind": "fax", "rule": "r"})),
        format!(
            "kind: unknown action kind \"fax\", expected one of {}",
            "create-invoice, send-invoice, hold-for-review, send-reminder, create-task, \
             escalate, notify-internal, set-credit-hold, release-credit-hold, set-credit-terms, \
             request-payment-method-update, mark-promise-kept, mark-promise-broken, no-action, enter-dunning-state, leave-dunning-state, apply-fee, send-notice, request-payment, set-field, emit-event, change-subscription (the core kinds and the pack's own)"
        )
    );
    let value = json!({"kind": "create-invoice", "rule": "r", "key": "k", "reason": "why",
        "deal_id": "d", "source": "s", "amount": 12.5, "currency": "USD",
        "net_terms_days": 0, "send": false});
    assert!(read(value).starts_with("amount: 12.5 is a floating-point number"));
    let value = json!({"kind": "no-action", "rule": "r", "key": "k", "reason": "why",
        "not_before": "tomorrow"});
    assert!(read(value).starts_with("not_before: invalid timestamp \"tomorrow\""));
}

#[test]
fn suppressions_round_trip() {
    let suppression = Suppression {
        rule_id: "reminders.cadence".into(),
        subject_id: "inv_1".into(),
        reason: SuppressionReason::DisputeOpen,
    };
    let value = suppression_to_json(&suppression);
    assert_eq!(
        value,
        json!({"rule": "reminders.cadence", "subject_id": "inv_1", "reason": "dispute-open"})
    );
    assert_eq!(suppression_from_json(&value).unwrap(), suppression);
    // A reason beyond the core set reads as the pack's own; the host checks it is declared.
    let own =
        suppression_from_json(&json!({"rule": "r", "subject_id": "s", "reason": "busy"})).unwrap();
    assert_eq!(own.reason, SuppressionReason::Custom("busy".into()));
    let error =
        suppression_from_json(&json!({"rule": "r", "subject_id": "s", "reason": ""})).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("reason: expected a suppression reason")
    );
}

#[test]
fn unknown_currencies_are_not_misrepresented() {
    let mut odd = every_kind().remove(0);
    if let ActionDetail::CreateInvoice(new) = &mut odd.detail {
        new.amount = Money::new(5, "XYZ");
    }
    let value = action_to_json(&odd);
    assert_eq!(value["amount_minor"], 5);
    assert!(value.get("amount").is_none());
    assert!(action_from_json(&value).is_err());
}
