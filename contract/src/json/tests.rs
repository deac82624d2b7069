//! End-to-end tests of context input: a realistic context, then one test per class of error.

use serde_json::{Value, json};

use crate::types::*;

use super::*;

fn full() -> Value {
    json!({
        "id": "case-17",
        "now": "2026-03-17T14:00:00Z",
        "account": {
            "id": "acc_1", "name": "Acme Corp", "tier": "mid-market",
            "timezone": "America/New_York", "currency": "USD", "net_terms_days": 30,
            "credit_limit": {"amount": "50000.00", "currency": "USD"},
            "credit_hold": {"reason": "three declines", "key": "hold:acc_1:pay_0",
                            "since": "2026-03-01T09:00:00-05:00"},
            "risk_score": 42, "dunning_paused_until": "2026-03-10",
            "account_executive_id": "u_ae", "collections_owner_id": "u_co",
            "payment_method_on_file": true,
            "contacts": [
                {"id": "c_1", "name": "Ada", "role": "billing", "email": "ada@acme.test",
                 "phone": "+15550100", "sms_consent": true},
                {"id": "c_2", "name": "Bob", "role": "accounts-payable", "sms_opted_out": true}
            ],
            "payment_behaviour": {"settled_12m": 10, "late_12m": 1},
            "balances": [
                {"currency": "USD", "open": "1500.00", "unapplied_credit": "25.50"},
                {"currency": "JPY", "open": 48000}
            ]
        },
        "invoices": [
            {"id": "inv_1", "number": "INV-0001", "status": "open", "currency": "USD",
             "total": "1200.00", "paid": "200.00", "credited": "100", "issue_date": "2026-02-15",
             "due_date": "2026-03-17", "deal_id": "deal_1", "source_key": "bill:deal_1:won",
             "payment_link": {"url": "https://pay.test/inv_1",
                              "expires_at": "2026-04-01T00:00:00Z"}},
            {"id": "inv_2", "status": "open", "currency": "JPY", "total": "48000",
             "issue_date": "2026-03-01", "collection_method": "charge-automatically",
             "dispute": "open", "followup_blocked": true}
        ],
        "deal_event": {
            "id": "evt_9", "kind": "milestone-reached", "change_origin": "crm-ui",
            "occurred_at": "2026-03-17T13:59:00Z",
            "deal": {"id": "deal_1", "name": "Rollout", "stage": "closed-won",
                     "amount": {"amount": "100000.00", "currency": "USD"},
                     "billing_model": "milestone", "signed_contract_required": true,
                     "contract_signed": true},
            "milestone": {"id": "ms_2", "name": "Go-live", "percent_bps": 3000,
                          "invoiced_bps": 2000},
            "retainer": {"balance": "100", "threshold": "500.00", "method": "to-target",
                         "target": "2000", "top_up_seq": 3}
        },
        "payment_attempts": [
            {"id": "pay_1", "invoice_id": "inv_1", "at": "2026-03-10T10:00:00Z",
             "outcome": "declined", "decline_reason": "lost-or-stolen"},
            {"id": "pay_2", "at": "2026-03-11T10:00:00.250Z", "outcome": "gateway-error"}
        ],
        "activities": [
            {"id": "act_1", "key": "rem:inv_1:pre-7:email", "kind": "send-reminder",
             "at": "2026-03-10T13:00:00Z", "invoice_id": "inv_1", "step": "pre-7",
             "channel": "email", "outcome": "succeeded"}
        ],
        "promises": [
            {"id": "ptp_1", "invoice_ids": ["inv_1"],
             "amount": {"amount": "900.00", "currency": "USD"},
             "promised_date": "2026-03-20", "grace_days": 2, "received": "100.00",
             "status": "open"}
        ],
        "calendar": {"weekend": ["friday", "saturday"], "holidays": ["2026-03-20"]},
        "params": {"sms_max": {"USD": "500.00", "JPY": 50000}, "own_origin": "crm-rules",
                   "followup_days_past_due": 15, "strict": true}
    })
}

fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}

#[test]
fn a_realistic_context_parses() {
    let parsed = parse_context(&full()).unwrap();
    assert_eq!(parsed.id.as_deref(), Some("case-17"));
    let ctx = parsed.context;
    assert_eq!(ctx.now, 1_773_756_000_000);
    assert_eq!(ctx.today, d("2026-03-17"));

    let account = &ctx.account;
    assert_eq!(account.tier, Tier::MidMarket);
    assert_eq!(account.net_terms_days, Some(30));
    assert_eq!(account.credit_limit, Some(Money::new(5_000_000, "USD")));
    let hold = account.credit_hold.as_ref().unwrap();
    assert_eq!(hold.since, 1_772_373_600_000);
    assert_eq!(account.risk_score, Some(42));
    assert!(!account.dunning_excluded);
    assert_eq!(account.dunning_paused_until, Some(d("2026-03-10")));
    assert_eq!(account.contacts[0].role, ContactRole::Billing);
    assert!(account.contacts[0].sms_consent && !account.contacts[0].sms_opted_out);
    assert_eq!(account.contacts[1].email, None);
    assert!(account.contacts[1].sms_opted_out);
    assert_eq!(account.payment_behaviour.late_12m, 1);
    assert_eq!(account.balances[0].unapplied_credit_minor, 2550);
    assert_eq!(account.balances[1].open_minor, 48_000);
    assert_eq!(account.balances[1].unapplied_credit_minor, 0);

    let [first, second] = &ctx.invoices[..] else {
        panic!("two invoices")
    };
    assert_eq!(
        (first.total_minor, first.paid_minor, first.credited_minor),
        (120_000, 20_000, 10_000)
    );
    assert_eq!(first.amount_due_minor, 90_000);
    assert_eq!(first.collection_method, CollectionMethod::SendInvoice);
    assert_eq!(first.dispute, DisputeStatus::None);
    assert_eq!(
        first.payment_link.as_ref().unwrap().expires_at,
        Some(1_775_001_600_000)
    );
    assert_eq!(second.number, "inv_2");
    assert_eq!(second.amount_due_minor, 48_000);
    assert_eq!(second.due_date, None);
    assert_eq!(
        second.collection_method,
        CollectionMethod::ChargeAutomatically
    );
    assert_eq!(second.dispute, DisputeStatus::Open);

    let event = ctx.deal_event.as_ref().unwrap();
    assert_eq!(event.kind, DealEventKind::MilestoneReached);
    assert_eq!(event.deal.stage, DealStage::ClosedWon);
    assert_eq!(event.deal.amount, Money::new(10_000_000, "USD"));
    assert!(!event.deal.custom_terms);
    let milestone = event.milestone.as_ref().unwrap();
    assert_eq!(
        (milestone.amount_minor, milestone.percent_bps),
        (None, Some(3000))
    );
    let retainer = event.retainer.as_ref().unwrap();
    assert_eq!(
        (
            retainer.balance_minor,
            retainer.target_minor,
            retainer.fixed_minor
        ),
        (10_000, 200_000, 0)
    );
    assert_eq!(event.delivery, None);

    assert_eq!(
        ctx.payment_attempts[0].decline_reason,
        Some(DeclineReason::LostOrStolen)
    );
    assert_eq!(ctx.payment_attempts[1].at % 1000, 250);
    assert_eq!(ctx.activities[0].step.as_deref(), Some("pre-7"));
    assert_eq!(ctx.activities[0].kind, ActionKind::SendReminder);
    assert_eq!(ctx.promises[0].received_minor, 10_000);
    assert_eq!(ctx.promises[0].amount, Money::new(90_000, "USD"));
    assert_eq!(ctx.calendar.weekend, [Weekday::Friday, Weekday::Saturday]);
    assert_eq!(ctx.calendar.holidays, [d("2026-03-20")]);
    assert_eq!(ctx.param_money("sms_max", "JPY"), Ok(Some(50_000)));
    assert_eq!(ctx.param_int("followup_days_past_due"), Ok(15));
    assert_eq!(ctx.param_text("own_origin"), Ok("crm-rules"));
    assert_eq!(ctx.param_flag("strict"), Ok(true));
}

/// The smallest scheduled context: an account and the four lists a scheduled evaluation reads.
pub(super) fn minimal() -> Value {
    json!({
        "now": "2026-03-18T02:30:00Z",
        "account": {"id": "acc_1", "name": "Acme", "tier": "smb",
                    "timezone": "America/New_York", "currency": "USD"},
        "invoices": [], "payment_attempts": [], "activities": [], "promises": []
    })
}

#[test]
fn defaults_fill_the_rest() {
    let parsed = parse_context(&minimal()).unwrap();
    assert_eq!(parsed.id, None);
    let ctx = parsed.context;
    assert!(ctx.invoices.is_empty() && ctx.params.is_empty() && ctx.deal_event.is_none());
    assert_eq!(ctx.calendar.weekend, [Weekday::Saturday, Weekday::Sunday]);
    assert_eq!(ctx.account.payment_behaviour.settled_12m, 0);
    let mut value = minimal();
    value["calendar"] = json!({"holidays": ["2026-12-25"]});
    let ctx = context_from_value(&value).unwrap();
    assert_eq!(ctx.calendar.weekend, [Weekday::Saturday, Weekday::Sunday]);
    value["calendar"] = json!({"weekend": []});
    assert!(
        context_from_value(&value)
            .unwrap()
            .calendar
            .weekend
            .is_empty()
    );
}

#[test]
fn today_is_local_to_the_account() {
    let mut value = minimal();
    assert_eq!(context_from_value(&value).unwrap().today, d("2026-03-17"));
    value["account"]["timezone"] = json!("Asia/Tokyo");
    assert_eq!(context_from_value(&value).unwrap().today, d("2026-03-18"));
    value["account"]["timezone"] = json!("UTC");
    assert_eq!(context_from_value(&value).unwrap().today, d("2026-03-18"));
    value["today"] = json!("2026-03-18");
    assert_eq!(
        error(&value),
        "today: today is derived from now and account.timezone; remove it"
    );
}

#[test]
fn amount_due_is_derived_and_never_negative() {
    let mut value = minimal();
    value["invoices"] = json!([
        {"id": "a", "status": "open", "currency": "USD", "total": "100.00", "paid": "30",
         "credited": "0.01", "issue_date": "2026-03-01"},
        {"id": "b", "status": "paid", "currency": "USD", "total": "100.00", "paid": "100.00",
         "credited": "20", "issue_date": "2026-03-01"},
        {"id": "c", "status": "open", "currency": "KWD", "total": "1.234", "issue_date": "2026-03-01"}
    ]);
    let ctx = context_from_value(&value).unwrap();
    let due: Vec<i64> = ctx
        .invoices
        .iter()
        .map(|invoice| invoice.amount_due_minor)
        .collect();
    assert_eq!(due, [6_999, 0, 1_234]);
    value["invoices"][0]["amount_due"] = json!("69.99");
    assert!(error(&value).starts_with("invoices[0].amount_due: amount_due is derived"));
}

pub(super) fn error(value: &Value) -> String {
    parse_context(value).unwrap_err().to_string()
}

/// `full()` with `edit` applied, expected to fail with `expected`.
fn fails(edit: impl FnOnce(&mut Value), expected: &str) {
    let mut value = full();
    edit(&mut value);
    assert_eq!(error(&value), expected);
}

#[test]
fn each_error_names_its_path() {
    fails(
        |v| {
            let mut extra = v["invoices"][1].clone();
            extra["id"] = json!("inv_3");
            v["invoices"].as_array_mut().unwrap().push(extra.clone());
            extra["id"] = json!("inv_4");
            extra["due_date"] = json!("2026-02-30");
            v["invoices"].as_array_mut().unwrap().push(extra);
        },
        "invoices[3].due_date: invalid date \"2026-02-30\", expected YYYY-MM-DD",
    );
    fails(
        |v| v["account"]["timezone"] = json!("Mars/Olympus"),
        "account.timezone: unknown time zone \"Mars/Olympus\", expected an IANA name like \"America/New_York\"",
    );
    fails(
        |v| v["invoices"][0]["currency"] = json!("XYZ"),
        "invoices[0].currency: unknown currency \"XYZ\"",
    );
    fails(
        |v| v["invoices"][1]["total"] = json!("1.5"),
        "invoices[1].total: \"1.5\" has 1 decimal but JPY allows 0",
    );
    fails(
        |v| v["invoices"][0]["total"] = json!("12.345"),
        "invoices[0].total: \"12.345\" has 3 decimals but USD allows 2",
    );
    fails(
        |v| v["invoices"][0]["paid"] = json!(12.5),
        "invoices[0].paid: 12.5 is a floating-point number; write amounts as strings, e.g. \"12.50\"",
    );
    fails(
        |v| v["promises"][0]["received"] = json!("-1.5"),
        "promises[0].received: amount must not be negative, found \"-1.5\"; amounts here are written without a sign",
    );
    fails(
        |v| v["deal_event"]["deal"]["stage"] = json!("won"),
        "deal_event.deal.stage: unknown deal stage \"won\", expected one of open, closed-won, closed-lost",
    );
    fails(
        |v| v["activities"][0]["step"] = json!("pre7"),
        "activities[0].step: template \"pre7\" is not declared in the pack's vocabulary (expected one of pre-7, pre-3, due, post-1)",
    );
    fails(
        |v| {
            drop(
                v["invoices"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("issue_date"),
            )
        },
        "invoices[0].issue_date: missing required field",
    );
    fails(
        |v| drop(v.as_object_mut().unwrap().remove("now")),
        "now: missing required field",
    );
    fails(
        |v| v["account"]["contacts"][1]["emial"] = json!("x"),
        "account.contacts[1].emial: unknown field \"emial\", expected one of id, name, role, email, phone, sms_consent, sms_opted_out, tags, fields",
    );
    fails(
        |v| v["invoices"][1]["id"] = json!("inv_1"),
        "invoices[1].id: duplicate invoice id \"inv_1\"",
    );
    fails(
        |v| v["account"]["contacts"][1]["id"] = json!("c_1"),
        "account.contacts[1].id: duplicate contact id \"c_1\"",
    );
    fails(
        |v| v["account"]["balances"][1]["currency"] = json!("USD"),
        "account.balances[1].currency: duplicate balance currency \"USD\"",
    );
    fails(
        |v| v["payment_attempts"][1]["id"] = json!("pay_1"),
        "payment_attempts[1].id: duplicate payment attempt id \"pay_1\"",
    );
    fails(
        |v| v["account"]["risk_score"] = json!(101),
        "account.risk_score: expected a whole number from 0 to 100, found 101",
    );
    fails(
        |v| v["deal_event"]["milestone"]["amount"] = json!("1.001"),
        "deal_event.milestone.amount: \"1.001\" has 3 decimals but USD allows 2",
    );
    fails(
        |v| v["now"] = json!("2026-03-17 14:00"),
        "now: invalid timestamp \"2026-03-17 14:00\", expected RFC 3339 with an offset, e.g. \"2026-03-17T14:00:00Z\"",
    );
    fails(
        |v| v["params"]["sms_max"]["USD"] = json!("5.001"),
        "params.sms_max.USD: \"5.001\" has 3 decimals but USD allows 2",
    );
    fails(
        |v| v["account"]["payment_behaviour"]["late_12m"] = json!(11),
        "account.payment_behaviour.late_12m: 11 late of 10 settled; late_12m counts settled invoices paid late",
    );
}

#[test]
fn duplicates_in_every_list_are_caught() {
    let mut value = full();
    let activity = value["activities"][0].clone();
    value["activities"].as_array_mut().unwrap().push(activity);
    assert_eq!(
        error(&value),
        "activities[1].id: duplicate activity id \"act_1\""
    );
    let mut value = full();
    let promise = value["promises"][0].clone();
    value["promises"].as_array_mut().unwrap().push(promise);
    assert_eq!(
        error(&value),
        "promises[1].id: duplicate promise id \"ptp_1\""
    );
}

#[test]
fn three_decimal_currencies_take_three_decimals() {
    let mut value = minimal();
    value["account"]["balances"] = json!([{"currency": "KWD", "open": "12.345"}]);
    let ctx = context_from_value(&value).unwrap();
    assert_eq!(ctx.account.balances[0].open_minor, 12_345);
}

#[test]
fn malformed_json_gives_line_and_column() {
    let text = "{\n  \"now\": \"2026-03-17T14:00:00Z\",\n  \"account\": {\n      ,\n  }\n}";
    let error = context_from_json(text).unwrap_err();
    assert_eq!(error.path(), "");
    assert_eq!(error.to_string(), "line 4 column 7: key must be a string");
    let error = context_from_json("[]").unwrap_err();
    assert_eq!(error.to_string(), "expected an object, found a list");
    let parsed = parse_context_str(&full().to_string()).unwrap();
    assert_eq!(parsed.id.as_deref(), Some("case-17"));
    let error = parse_context_str(" \n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "the input is empty, expected a JSON object"
    );
}

#[test]
fn bytes_must_be_utf8_and_are_located() {
    let text = full().to_string();
    let parsed = parse_context_bytes(text.as_bytes()).unwrap();
    assert_eq!(parsed, parse_context_str(&text).unwrap());
    let error = parse_context_bytes(b"{\n  \"now\": \"\xC3\x28\"}").unwrap_err();
    assert_eq!(error.path(), "");
    assert_eq!(
        error.to_string(),
        "line 2 column 11: the input is not valid UTF-8 (byte 0xC3)"
    );
}
