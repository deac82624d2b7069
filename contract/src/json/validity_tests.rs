//! Tests of the input rules that keep a context from changing a decision silently: `null`, the
//! lists a scheduled evaluation needs, duplicate keys, ids, and consistent amounts and dates.

use serde_json::{Value, json};

use super::tests::{error, minimal};
use super::*;

fn scheduled_with_invoice() -> Value {
    let mut value = minimal();
    value["invoices"] = json!([{"id": "inv_1", "status": "open", "currency": "USD",
        "total": "1200.00", "issue_date": "2026-02-15", "due_date": "2026-03-17"}]);
    value
}

/// `scheduled_with_invoice()` with `edit` applied must fail with `expected`.
fn refused(edit: impl FnOnce(&mut Value), expected: &str) {
    let mut value = scheduled_with_invoice();
    edit(&mut value);
    assert_eq!(error(&value), expected);
}

#[test]
fn null_is_never_a_default() {
    const NULL: &str =
        "null is not accepted; omit the field to leave it unset (or give [] for no items)";
    refused(
        |v| v["invoices"] = Value::Null,
        &format!("invoices: {NULL}"),
    );
    refused(
        |v| v["invoices"][0]["due_date"] = Value::Null,
        &format!("invoices[0].due_date: {NULL}"),
    );
    refused(
        |v| v["account"]["dunning_excluded"] = Value::Null,
        &format!("account.dunning_excluded: {NULL}"),
    );
    refused(
        |v| v["account"]["credit_hold"] = Value::Null,
        &format!("account.credit_hold: {NULL}"),
    );
    refused(
        |v| v["deal_event"] = Value::Null,
        &format!("deal_event: {NULL}"),
    );
    refused(
        |v| v["calendar"] = json!({"weekend": null}),
        &format!("calendar.weekend: {NULL}"),
    );
}

#[test]
fn scheduled_contexts_list_what_they_read_and_deal_events_need_not() {
    for list in ["invoices", "payment_attempts", "activities", "promises"] {
        let mut value = scheduled_with_invoice();
        value.as_object_mut().map(|object| object.remove(list));
        assert_eq!(
            error(&value),
            format!(
                "{list}: missing required field: an evaluation of the account (not a deal \
                 event) reads this list; give [] if there are none"
            )
        );
    }
    let mut value = json!({
        "now": "2026-03-17T14:00:00Z",
        "account": {"id": "acc_1", "name": "Acme", "tier": "smb", "timezone": "UTC",
                    "currency": "USD"},
        "deal_event": {"id": "evt_1", "kind": "stage-changed", "occurred_at": "2026-03-17T13:59:00Z",
            "deal": {"id": "deal_1", "name": "Deal", "stage": "closed-won",
                     "amount": {"amount": "12000.00", "currency": "USD"}, "billing_model": "fixed"}}
    });
    let ctx = context_from_value(&value).unwrap();
    assert!(ctx.invoices.is_empty() && ctx.promises.is_empty());
    value["invoices"] = Value::Null;
    assert!(error(&value).starts_with("invoices: null is not accepted"));
}

#[test]
fn duplicate_keys_in_text_are_refused_with_their_path() {
    let text = scheduled_with_invoice().to_string().replace(
        "\"total\":\"1200.00\"",
        "\"total\":\"12000.00\",\"total\":\"1.00\"",
    );
    let error = context_from_json(&text).unwrap_err();
    assert_eq!(error.path(), "invoices[0].total");
    assert!(
        error
            .message()
            .starts_with("duplicate key \"total\" at line 1 column "),
        "{error}"
    );
}

#[test]
fn ids_and_references_are_checked_everywhere() {
    refused(
        |v| v["invoices"][0]["id"] = json!(""),
        "invoices[0].id: an id must not be empty",
    );
    refused(
        |v| v["account"]["id"] = json!("acc\u{0}1"),
        "account.id: id \"acc\\01\" contains the control character U+0000 at byte 3; ids are \
         printable text",
    );
    refused(
        |v| v["invoices"][0]["deal_id"] = json!(""),
        "invoices[0].deal_id: an id must not be empty",
    );
    refused(
        |v| {
            v["promises"] = json!([{"id": "ptp_1", "invoice_ids": ["inv_1", ""],
                "amount": {"amount": "1.00", "currency": "USD"}, "promised_date": "2026-03-20",
                "status": "open"}]);
        },
        "promises[0].invoice_ids[1]: an id must not be empty",
    );
    refused(
        |v| v["id"] = json!(" case"),
        "id: id \" case\" has leading or trailing whitespace; remove it",
    );
}

#[test]
fn invoice_amounts_and_dates_must_be_consistent() {
    refused(
        |v| v["invoices"][0]["paid"] = json!("1200.01"),
        "invoices[0].paid: paid 1200.01 is more than the total 1200.00; an invoice cannot be \
         settled beyond its total (record an overpayment as the account's unapplied credit)",
    );
    refused(
        |v| v["invoices"][0]["credited"] = json!("5000"),
        "invoices[0].credited: credited 5000.00 is more than the total 1200.00; an invoice cannot \
         be settled beyond its total (record an overpayment as the account's unapplied credit)",
    );
    refused(
        |v| v["invoices"][0]["due_date"] = json!("2026-02-14"),
        "invoices[0].due_date: the invoice is due (2026-02-14) before it was issued (2026-02-15)",
    );
    refused(
        |v| v["invoices"][0]["issue_date"] = json!("0000-02-15"),
        "invoices[0].issue_date: \"0000-02-15\" is outside the years 0001 to 9999",
    );
    refused(
        |v| v["invoices"][0]["paid"] = json!("-0.00"),
        "invoices[0].paid: amount must not be negative, found \"-0.00\"; amounts here are \
         written without a sign",
    );
    refused(
        |v| v["now"] = json!("2026-03-17 14:00:00Z"),
        "now: invalid timestamp \"2026-03-17 14:00:00Z\": date and time must be separated by \
         \"T\", e.g. \"2026-03-17T14:00:00Z\"",
    );
    // Due on the day of issue, paid in full, trailing zeros: all fine.
    let mut value = scheduled_with_invoice();
    value["invoices"][0]["due_date"] = json!("2026-02-15");
    value["invoices"][0]["paid"] = json!("900.000000");
    let ctx = context_from_value(&value).unwrap();
    assert_eq!(ctx.invoices[0].paid_minor, 90_000);
    assert_eq!(ctx.invoices[0].amount_due_minor, 30_000);
}
