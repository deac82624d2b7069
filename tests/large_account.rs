//! Large accounts for the scale tests and benchmarks: one account with thousands of invoices, built
//! deterministically (no randomness: invoice `i` is the same in every account that has it), so a
//! figure measured at one size can be compared with another.
//!
//! The evaluation instant is Tuesday 2026-03-17 14:00 UTC (10:00 in New York), a business day.

use serde_json::{Value, json};

/// A kind of large account: its invoices and history, given the number of invoices.
pub type Shape = fn(usize) -> Value;

/// Every kind of large account, by name.
pub const SHAPES: [(&str, Shape); 2] = [("due yesterday", due_yesterday), ("mixed", mixed)];

/// The evaluation instant of every large account.
const NOW: &str = "2026-03-17T14:00:00Z";
/// The local date of [`NOW`] in the account's zone (2026-03-17), as a day number.
const TODAY_DAY: i64 = 20_529;

fn date(day_number: i64) -> String {
    crm_rules_host::types::Date::from_day_number(day_number).to_string()
}

/// A mid-market account in New York, in USD, that pays fast, with a billing contact who takes email
/// and SMS, no credit hold, and USD 150.00 of unapplied credit (which covers the smallest invoices of
/// [`mixed`], R7).
fn account() -> Value {
    json!({
        "id": "acc_large", "name": "Large Customer", "tier": "mid-market",
        "timezone": "America/New_York", "currency": "USD", "net_terms_days": 30, "risk_score": 40,
        "account_executive_id": "user_ae", "collections_owner_id": "user_col",
        "contacts": [
            {"id": "c_1", "name": "Pat Billing", "role": "billing", "email": "ap@large.example",
             "phone": "+15555550100", "sms_consent": true},
        ],
        "payment_behaviour": {"settled_12m": 12, "late_12m": 1},
        "balances": [{"currency": "USD", "open": "0", "unapplied_credit": "150.00"}],
    })
}

fn scheduled(invoices: Vec<Value>, activities: Vec<Value>, promises: Vec<Value>) -> Value {
    // Successes on March 4 and 8, then four declines, the last for an expired card: E2 puts the
    // account on credit hold and E3 asks for a new payment method.
    let attempts: Vec<Value> = (0..12)
        .map(|index| {
            let mut attempt = json!({
                "id": format!("pa_{index}"), "at": format!("2026-03-{:02}T09:00:00Z", 1 + index),
                "outcome": if index == 3 || index == 7 { "succeeded" } else { "declined" },
            });
            if index != 3 && index != 7 {
                let reason = if index == 11 {
                    "expired-card"
                } else {
                    "insufficient-funds"
                };
                attempt["decline_reason"] = json!(reason);
            }
            attempt
        })
        .collect();
    json!({
        "now": NOW, "account": account(), "invoices": invoices,
        "payment_attempts": attempts, "activities": activities, "promises": promises,
        "calendar": {"weekend": ["saturday", "sunday"], "holidays": ["2026-03-02"]},
    })
}

/// Issue 9's account: `invoices` open USD invoices, all due yesterday and never reminded, so the
/// reminder module emits a `post-1` reminder for every one of them (SMS up to USD 500.00, email
/// above) and escalation only E2's credit hold and E3's request for a new payment method.
pub fn due_yesterday(invoices: usize) -> Value {
    let yesterday = date(TODAY_DAY - 1);
    let invoices = (0..invoices)
        .map(|index| {
            json!({
                "id": format!("inv_{index}"), "number": format!("INV-{index}"), "status": "open",
                "currency": "USD", "total": format!("{}.00", 200 + index % 900),
                "issue_date": date(TODAY_DAY - 31), "due_date": yesterday,
                "payment_link": {"url": format!("https://pay.example/inv_{index}"),
                                 "expires_at": "2026-06-01T00:00:00Z"},
            })
        })
        .collect();
    scheduled(invoices, Vec::new(), Vec::new())
}

/// An account with `invoices` invoices in every state the standard policy tells apart, and a
/// history in proportion: due dates from 45 days past to 14 days ahead, some paid, draft, void,
/// disputed, collected automatically or covered by the unapplied credit; a reminder already sent
/// for two invoices in three (one in 29 with an unknown outcome), an open promise to pay for one
/// in 25 (covering it and the next), and payment attempts. Every per-invoice path of the reminder
/// and escalation modules runs, and every look-up into the history has a large history to search.
pub fn mixed(invoices: usize) -> Value {
    let mut list = Vec::with_capacity(invoices);
    let mut activities = Vec::new();
    let mut promises = Vec::new();
    for index in 0..invoices {
        let id = format!("inv_{index}");
        let due = TODAY_DAY - 45 + i64::try_from(index % 60).unwrap_or(0);
        let status = match index % 20 {
            0 => "paid",
            1 => "draft",
            2 => "void",
            _ => "open",
        };
        let mut invoice = json!({
            "id": id, "number": format!("INV-{index}"), "status": status, "currency": "USD",
            "total": format!("{}.50", 100 + (index % 37) * 45),
            "issue_date": date(due - 30), "due_date": date(due),
            "dispute": if index % 17 == 0 { "open" } else { "none" },
            "collection_method": if index % 11 == 0 { "charge-automatically" } else { "send-invoice" },
        });
        if index % 2 == 0 {
            let expires = if index % 8 == 0 {
                NOW
            } else {
                "2026-06-01T00:00:00Z"
            };
            invoice["payment_link"] =
                json!({"url": format!("https://pay.example/{id}"), "expires_at": expires});
        }
        if index % 3 != 0 {
            let (step, outcome) = if index % 29 == 0 {
                ("due", "unknown")
            } else {
                ("pre-7", "succeeded")
            };
            activities.push(json!({
                "id": format!("act_{index}"), "key": format!("rem:{id}:{step}"),
                "kind": "send-reminder", "at": "2026-03-01T14:00:00Z", "invoice_id": id,
                "step": step, "channel": "email", "outcome": outcome,
            }));
        }
        if index % 25 == 0 {
            let covered = [id.clone(), format!("inv_{}", index + 1)];
            promises.push(json!({
                "id": format!("ptp_{index}"), "invoice_ids": covered,
                "amount": {"amount": "500.00", "currency": "USD"},
                "promised_date": date(TODAY_DAY - 6 + i64::try_from(index % 10).unwrap_or(0)),
                "grace_days": 2, "received": if index % 50 == 0 { "500.00" } else { "0" },
                "status": "open",
            }));
        }
        list.push(invoice);
    }
    scheduled(list, activities, promises)
}
