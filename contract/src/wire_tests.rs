//! The wire-name table against the WIT itself: every enum's names are its WIT cases, in order.

use std::collections::BTreeMap;

use super::*;

/// `enum` and `variant` definitions of `wit/v0.2`: name → cases (payload cases as `name(...)`).
fn wit_cases() -> BTreeMap<String, Vec<String>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit/v0.2");
    let mut found = BTreeMap::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let code: String = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for keyword in ["enum ", "variant "] {
            let mut rest = code.as_str();
            while let Some(at) = rest.find(keyword) {
                let after = &rest[at + keyword.len()..];
                let open = after.find('{').unwrap();
                let close = after.find('}').unwrap();
                let name = after[..open].trim().to_owned();
                let cases = after[open + 1..close]
                    .split(',')
                    .map(|case| case.split_whitespace().collect::<String>())
                    .filter(|case| !case.is_empty())
                    .collect();
                found.insert(name, cases);
                rest = &after[close..];
            }
        }
    }
    found
}

fn closed<T: Named>(wit_name: &str, wit: &BTreeMap<String, Vec<String>>) {
    let cases = wit
        .get(wit_name)
        .unwrap_or_else(|| panic!("no enum {wit_name} in the WIT"));
    let ours: Vec<&str> = T::ALL.iter().map(|case| case.name()).collect();
    assert_eq!(
        &ours, cases,
        "{wit_name}: the wire table differs from the WIT"
    );
    for case in T::ALL {
        assert_eq!(
            T::from_name(case.name()).map(Named::name),
            Some(case.name())
        );
    }
}

fn open<T: OpenNamed>(wit_name: &str, wit: &BTreeMap<String, Vec<String>>) {
    let cases = wit
        .get(wit_name)
        .unwrap_or_else(|| panic!("no variant {wit_name} in the WIT"));
    let (custom, core): (Vec<&String>, Vec<&String>) =
        cases.iter().partition(|case| case.contains('('));
    assert_eq!(
        custom,
        vec!["custom(string)"],
        "{wit_name}: one custom case"
    );
    assert_eq!(
        T::CORE,
        core.as_slice(),
        "{wit_name}: the wire table differs"
    );
    for name in T::CORE {
        let case = T::from_name(name);
        assert!(!case.is_custom());
        assert_eq!(case.name(), *name);
    }
    assert!(T::from_name("a-pack-own-name").is_custom());
}

#[test]
fn every_enum_is_named_as_in_the_wit() {
    let wit = wit_cases();
    closed::<Weekday>("weekday", &wit);
    closed::<RecordKind>("record-kind", &wit);
    closed::<Tier>("tier", &wit);
    closed::<ContactRole>("contact-role", &wit);
    closed::<InvoiceStatus>("invoice-status", &wit);
    closed::<CollectionMethod>("collection-method", &wit);
    closed::<DisputeStatus>("dispute-status", &wit);
    closed::<DealStage>("deal-stage", &wit);
    closed::<BillingModel>("billing-model", &wit);
    closed::<DealEventKind>("deal-event-kind", &wit);
    closed::<TopUpMethod>("top-up-method", &wit);
    closed::<PaymentOutcome>("payment-outcome", &wit);
    closed::<DeclineReason>("decline-reason", &wit);
    closed::<ActivityOutcome>("activity-outcome", &wit);
    closed::<Channel>("channel", &wit);
    closed::<PromiseStatus>("promise-status", &wit);
    closed::<SubscriptionStatus>("subscription-status", &wit);
    closed::<InvoiceEventKind>("invoice-event-kind", &wit);
    closed::<AssigneeRole>("assignee-role", &wit);
    closed::<EscalationTarget>("escalation-target", &wit);
    closed::<Block>("block", &wit);
    closed::<SubscriptionPolicy>("subscription-policy", &wit);
    closed::<FeeKind>("fee-kind", &wit);
    closed::<FeePlacement>("fee-placement", &wit);
    closed::<SubscriptionChangeKind>("subscription-change-kind", &wit);
    open::<ActionKind>("action-kind", &wit);
    open::<SuppressionReason>("suppression-reason", &wit);
}

#[test]
fn every_enum_of_the_wit_is_in_the_table() {
    // Variants that are not name tables: payloads of their own, handled by the codec.
    let not_tables = ["value", "param-value", "trigger", "action-detail"];
    let named = [
        "weekday",
        "record-kind",
        "tier",
        "contact-role",
        "invoice-status",
        "collection-method",
        "dispute-status",
        "deal-stage",
        "billing-model",
        "deal-event-kind",
        "top-up-method",
        "payment-outcome",
        "decline-reason",
        "activity-outcome",
        "channel",
        "promise-status",
        "subscription-status",
        "invoice-event-kind",
        "assignee-role",
        "escalation-target",
        "block",
        "subscription-policy",
        "fee-kind",
        "fee-placement",
        "subscription-change-kind",
        "action-kind",
        "suppression-reason",
    ];
    for name in wit_cases().keys() {
        assert!(
            named.contains(&name.as_str()) || not_tables.contains(&name.as_str()),
            "the WIT's `{name}` has no wire table in wire.rs"
        );
    }
}

#[test]
fn trigger_kinds_are_the_wit_cases() {
    let wit = wit_cases();
    let cases: Vec<String> = wit["trigger"]
        .iter()
        .map(|case| case.split('(').next().unwrap().to_owned())
        .collect();
    assert_eq!(TRIGGER_KINDS, cases.as_slice());
}

#[test]
fn every_action_kind_has_a_detail() {
    // Each core kind's detail reports that kind (the exhaustive match in `kind` covers the rest).
    assert_eq!(ActionDetail::NoAction.kind(), ActionKind::NoAction);
    assert_eq!(ActionKind::CORE.len(), 22);
}
