//! Shared helpers for the integration tests: paths to the repository's packs and a seeded generator
//! of random (but valid) evaluation contexts that reach every rule of the standard policy.

pub mod large_account;

use std::path::PathBuf;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), PathBuf::from)
}

/// The Rhai variant of the standard pack.
pub fn standard_rhai() -> PathBuf {
    root().join("rules/standard/rhai")
}

/// The Rust (component) variant of the standard pack.
pub fn standard_rust() -> PathBuf {
    root().join("rules/standard/rust")
}

const ZONES: &[&str] = &[
    "America/New_York",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Pacific/Auckland",
    "UTC",
];
const CURRENCIES: &[(&str, u32)] = &[("USD", 2), ("EUR", 2), ("GBP", 2), ("JPY", 0), ("KWD", 3)];

fn pick<'a, T>(rng: &mut SmallRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn amount(rng: &mut SmallRng, exponent: u32, max_major: i64) -> String {
    let minor = rng.random_range(0..=max_major * 10_i64.pow(exponent));
    let scale = 10_i64.pow(exponent);
    if exponent == 0 {
        minor.to_string()
    } else {
        format!(
            "{}.{:0width$}",
            minor / scale,
            minor % scale,
            width = exponent as usize
        )
    }
}

fn date(day_number: i64) -> String {
    crm_rules_host::types::Date::from_day_number(day_number).to_string()
}

/// A random context; `seed` makes it reproducible. Scheduled (reminders and escalation) or with a
/// deal event (billing), about half each.
pub fn random_context(seed: u64) -> Value {
    let rng = &mut SmallRng::seed_from_u64(seed);
    // Around March 2026 (the policy's examples), any hour of the day, across DST changes.
    let base = crm_rules_host::types::Date::parse("2026-03-01").map_or(20_513, |d| d.day_number());
    let today = base + rng.random_range(0..60);
    let now_ms = today * 86_400_000 + rng.random_range(0..86_400_000_i64);
    let now = crm_rules_host::json::timestamp_to_rfc3339(now_ms);
    let (currency, exponent) = *pick(rng, CURRENCIES);
    let other = *pick(rng, CURRENCIES);
    let account_id = format!("acc_{}", rng.random_range(1..4));
    let mut invoices = Vec::new();
    let mut activities = Vec::new();
    for index in 0..rng.random_range(0..6) {
        let (cur, exp) = if rng.random_bool(0.8) {
            (currency, exponent)
        } else {
            other
        };
        let id = format!("inv_{index}");
        let due = today + rng.random_range(-70..10);
        let total = amount(rng, exp, 20_000);
        let status = *pick(
            rng,
            &["open", "open", "open", "open", "paid", "draft", "void"],
        );
        let mut invoice = json!({
            "id": id, "number": format!("INV-{index}"), "status": status, "currency": cur,
            "total": total, "issue_date": date(due - 30),
            "dispute": *pick(rng, &["none", "none", "none", "none", "open", "won"]),
            "collection_method": *pick(rng, &["send-invoice", "send-invoice", "charge-automatically"]),
            "followup_blocked": rng.random_bool(0.05),
        });
        if rng.random_bool(0.9) {
            invoice["due_date"] = json!(date(due));
        }
        if rng.random_bool(0.2) {
            invoice["paid"] = invoice["total"].clone();
        }
        if rng.random_bool(0.5) {
            invoice["payment_link"] = json!({
                "url": format!("https://pay.example/{id}"),
                "expires_at": crm_rules_host::json::timestamp_to_rfc3339(now_ms + rng.random_range(-5..5) * 86_400_000),
            });
        }
        if rng.random_bool(0.3) {
            let step = *pick(rng, &["pre-7", "pre-3", "due", "post-1"]);
            activities.push(json!({
                "id": format!("act_{index}"), "key": format!("rem:{id}:{step}"), "kind": "send-reminder",
                "at": now, "invoice_id": id, "step": step, "channel": "email",
                "outcome": *pick(rng, &["succeeded", "succeeded", "unknown", "failed", "pending"]),
            }));
        }
        if rng.random_bool(0.15) {
            let level = *pick(rng, &[15, 30, 60]);
            activities.push(json!({
                "id": format!("esc_{index}"), "key": format!("esc:{account_id}:{cur}:{level}:{id}"),
                "kind": "escalate", "at": now, "outcome": "succeeded",
            }));
        }
        invoices.push(invoice);
    }
    let contacts: Vec<Value> = (0..rng.random_range(0..3))
        .map(|index| {
            let mut contact = json!({
                "id": format!("c_{index}"), "name": format!("Contact {index}"),
                "role": *pick(rng, &["billing", "accounts-payable", "other"]),
                "sms_consent": rng.random_bool(0.6), "sms_opted_out": rng.random_bool(0.2),
            });
            if rng.random_bool(0.8) {
                contact["email"] = json!(format!("c{index}@customer.example"));
            }
            if rng.random_bool(0.7) {
                contact["phone"] = json!(format!("+1555000{index:04}"));
            }
            contact
        })
        .collect();
    let settled = rng.random_range(0..8);
    let mut account = json!({
        "id": account_id, "name": "Customer", "timezone": *pick(rng, ZONES), "currency": currency,
        "tier": *pick(rng, &["smb", "mid-market", "enterprise", "strategic"]),
        "contacts": contacts,
        "payment_behaviour": {"settled_12m": settled, "late_12m": rng.random_range(0..=settled)},
        "account_executive_id": "user_ae",
        "dunning_excluded": rng.random_bool(0.05),
        "payment_method_on_file": rng.random_bool(0.3),
        "balances": [{
            "currency": currency,
            "open": amount(rng, exponent, 50_000),
            "unapplied_credit": if rng.random_bool(0.15) { amount(rng, exponent, 20_000) } else { "0".to_owned() },
        }],
    });
    if rng.random_bool(0.7) {
        account["collections_owner_id"] = json!("user_col");
    }
    if rng.random_bool(0.7) {
        account["net_terms_days"] = json!(*pick(rng, &[0, 15, 30, 45]));
    }
    if rng.random_bool(0.8) {
        account["risk_score"] = json!(rng.random_range(0..=100));
    }
    if rng.random_bool(0.3) {
        account["credit_limit"] =
            json!({"amount": amount(rng, exponent, 60_000), "currency": currency});
    }
    if rng.random_bool(0.2) {
        account["credit_hold"] =
            json!({"reason": "declines", "key": format!("hold:{account_id}:none"), "since": now});
    }
    if rng.random_bool(0.05) {
        account["dunning_paused_until"] = json!(date(today + rng.random_range(-3..4)));
    }
    let attempts: Vec<Value> = (0..rng.random_range(0..6))
        .map(|index| {
            let outcome = *pick(rng, &["declined", "declined", "succeeded", "gateway-error", "not-attempted"]);
            let mut attempt = json!({
                "id": format!("pa_{index}"),
                "at": crm_rules_host::json::timestamp_to_rfc3339(now_ms - rng.random_range(1..40) * 86_400_000),
                "outcome": outcome,
            });
            if outcome == "declined" {
                attempt["decline_reason"] = json!(*pick(rng, &["insufficient-funds", "generic", "lost-or-stolen", "expired-card", "invalid-card"]));
            }
            attempt
        })
        .collect();
    let mut promises = Vec::new();
    for invoice in &invoices {
        if !rng.random_bool(0.15) {
            continue;
        }
        let cur = invoice["currency"].as_str().unwrap_or("USD");
        let exp = CURRENCIES
            .iter()
            .find(|(c, _)| *c == cur)
            .map_or(2, |(_, e)| *e);
        promises.push(json!({
            "id": format!("ptp_{}", promises.len()), "invoice_ids": [invoice["id"].clone()],
            "amount": {"amount": amount(rng, exp, 10_000), "currency": cur},
            "promised_date": date(today + rng.random_range(-10..5)), "grace_days": rng.random_range(0..4),
            "received": amount(rng, exp, 10_000),
            "status": *pick(rng, &["open", "open", "kept"]),
        }));
    }
    let mut context = json!({
        "id": format!("random-{seed}"), "now": now, "account": account, "invoices": invoices,
        "payment_attempts": attempts, "activities": activities, "promises": promises,
        "calendar": {
            "weekend": if rng.random_bool(0.9) { json!(["saturday", "sunday"]) } else { json!(["friday", "saturday"]) },
            "holidays": if rng.random_bool(0.3) { json!([date(today + rng.random_range(-8..8))]) } else { json!([]) },
        },
    });
    if rng.random_bool(0.5) {
        let event = random_deal_event(rng, today, &now, currency, exponent);
        // Sometimes the deal was invoiced already (B4, B5): a draft or sent invoice under its key,
        // for the deal amount or another one, and reviews or sends already in the history.
        if rng.random_bool(0.3) {
            let total = if rng.random_bool(0.6) {
                event["deal"]["amount"]["amount"].clone()
            } else {
                json!(amount(rng, exponent, 100_000))
            };
            if let Some(list) = context["invoices"].as_array_mut() {
                list.push(json!({
                    "id": "inv_won", "number": "INV-WON", "currency": currency, "total": total,
                    "status": *pick(rng, &["draft", "open", "paid"]), "issue_date": date(today),
                    "due_date": date(today + 30), "source_key": "bill:deal_1:won", "deal_id": "deal_1",
                }));
            }
        }
        if rng.random_bool(0.2) {
            let key = *pick(
                rng,
                &[
                    "send:inv_won",
                    "review:deal_1:custom-terms",
                    "bill:deal_1:won",
                    "bill:deal_1:milestone:m1",
                ],
            );
            if let Some(list) = context["activities"].as_array_mut() {
                list.push(json!({"id": "act_bill", "key": key, "kind": "create-invoice", "at": now, "outcome": "succeeded"}));
            }
        }
        context["deal_event"] = event;
    }
    context
}

/// [`random_context`] with what the standard pack declares in its contract 0.2 `[vocabulary]`, for
/// its service module (S1-S3): about half the accounts have the `suspend_after_days` custom field,
/// some the `suspension-exempt` tag, some are in the `suspended` dunning state, some have the
/// module's keys done; and a third of the contexts without a deal event come with another trigger
/// the module runs on (a payment attempt, an invoice event, a tag change). The same seed gives the
/// same [`random_context`] underneath (the additions draw from a generator of their own). Parse it
/// with the pack's vocabulary (`parse_context_in`).
pub fn random_context_v0_2(seed: u64) -> Value {
    let mut context = random_context(seed);
    let rng = &mut SmallRng::seed_from_u64(seed ^ 0x5e41_1ce0_0000_0002);
    let account_id = context["account"]["id"]
        .as_str()
        .unwrap_or("acc_1")
        .to_owned();
    let now_ms = crm_rules_host::json::timestamp_from_json(&context["now"]).unwrap_or(0);
    let invoice_ids: Vec<String> = context["invoices"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|invoice| invoice["id"].as_str().map(str::to_owned))
        .collect();
    let account = &mut context["account"];
    if rng.random_bool(0.5) {
        account["fields"] = json!({"suspend_after_days": rng.random_range(1..=45)});
    }
    let exempt = rng.random_bool(0.15);
    if exempt {
        account["tags"] = json!(["suspension-exempt"]);
    } else if rng.random_bool(0.1) {
        account["tags"] = json!(["key-account"]);
    }
    let since = now_ms - rng.random_range(0..30_i64) * 86_400_000 - 3_600_000;
    if rng.random_bool(0.3) {
        account["dunning_state"] = json!({
            "state": "suspended", "since": crm_rules_host::json::timestamp_to_rfc3339(since),
            "key": format!("crm-state-{}", rng.random_range(1..1_000_u32)),
        });
    }
    if !invoice_ids.is_empty() && rng.random_bool(0.2) {
        let invoice = pick(rng, &invoice_ids);
        let key = match rng.random_range(0..3) {
            0 => format!("service:{account_id}:suspend:{invoice}"),
            1 => format!("ticket:{account_id}:suspend:{invoice}"),
            _ => format!("service:{account_id}:restore:{since}"),
        };
        if let Some(list) = context["activities"].as_array_mut() {
            list.push(
                json!({"id": "act_service", "key": key, "kind": "enter-dunning-state",
                "at": crm_rules_host::json::timestamp_to_rfc3339(since), "outcome": "succeeded"}),
            );
        }
    }
    if context.get("deal_event").is_none() && rng.random_bool(0.33) {
        let attempts: Vec<String> = context["payment_attempts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|attempt| attempt["id"].as_str().map(str::to_owned))
            .collect();
        let trigger = match rng.random_range(0..3) {
            0 if !attempts.is_empty() => {
                json!({"kind": "payment-attempt", "attempt_id": pick(rng, &attempts)})
            }
            1 if !invoice_ids.is_empty() => json!({
                "kind": "invoice-event", "invoice_id": pick(rng, &invoice_ids),
                "event": *pick(rng, &["paid", "partially-paid", "adjusted", "credit-note"]),
            }),
            _ => {
                let change = if exempt { "added" } else { "removed" };
                json!({"kind": "tag-change", "record": "account", "record_id": account_id,
                    change: ["suspension-exempt"]})
            }
        };
        context["trigger"] = trigger;
    }
    context
}

fn random_deal_event(
    rng: &mut SmallRng,
    today: i64,
    now: &str,
    currency: &str,
    exponent: u32,
) -> Value {
    let kind = *pick(
        rng,
        &[
            "stage-changed",
            "stage-changed",
            "stage-changed",
            "contract-signed",
            "payment-method-confirmed",
            "milestone-reached",
            "delivery-confirmed",
            "time-approved",
            "retainer-drawdown",
            "recurring-due",
        ],
    );
    let mut event = json!({
        "id": "evt_1", "kind": kind, "occurred_at": now,
        "deal": {
            "id": "deal_1", "name": "Deal", "amount": {"amount": amount(rng, exponent, 100_000), "currency": currency},
            "stage": *pick(rng, &["closed-won", "closed-won", "closed-won", "closed-lost", "open"]),
            "billing_model": *pick(rng, &["fixed", "fixed", "fixed", "milestone", "retainer", "recurring"]),
            "custom_terms": rng.random_bool(0.15), "signed_contract_required": rng.random_bool(0.4),
            "contract_signed": rng.random_bool(0.4), "payment_method_on_file": rng.random_bool(0.3),
        },
    });
    if rng.random_bool(0.1) {
        event["change_origin"] = json!(*pick(rng, &["crm-rules", "user"]));
    }
    match kind {
        "milestone-reached" => {
            event["milestone"] = if rng.random_bool(0.7) {
                json!({"id": "m1", "name": "M1", "percent_bps": rng.random_range(0..6000), "invoiced_bps": rng.random_range(0..8000)})
            } else {
                json!({"id": "m1", "name": "M1", "amount": amount(rng, exponent, 10_000)})
            };
        }
        "delivery-confirmed" => {
            let delivered = rng.random_range(0..20);
            event["delivery"] = json!({"batch_id": "b1", "ordered_units": 20, "delivered_units": delivered,
                "invoiced_units": rng.random_range(0..=delivered), "unit_price": amount(rng, exponent, 500)});
        }
        "time-approved" => {
            event["time"] = json!({"period_start": date(today - 7), "period_end": date(today - 1),
                "approved_minutes": rng.random_range(0..3000), "hourly_rate": amount(rng, exponent, 300)});
        }
        "retainer-drawdown" => {
            event["retainer"] = json!({"balance": amount(rng, exponent, 10_000), "threshold": amount(rng, exponent, 10_000),
                "method": *pick(rng, &["to-target", "fixed-amount"]), "target": amount(rng, exponent, 30_000),
                "fixed": amount(rng, exponent, 5_000), "top_up_seq": rng.random_range(1..5)});
        }
        "recurring-due" => {
            event["recurring"] = json!({"next_bill_date": date(today + rng.random_range(-2..3)), "amount": amount(rng, exponent, 5_000)});
        }
        _ => {}
    }
    event
}

/// A realistic scheduled context for benchmarks: one account with 10 invoices (open, overdue, paid,
/// disputed) and 20 activities, in New York.
pub fn realistic_context(seed: u64) -> Value {
    let mut context = random_context(seed);
    let today = 20_529; // 2026-03-17
    context["now"] = json!("2026-03-17T14:00:00Z");
    if let Some(object) = context.as_object_mut() {
        object.remove("deal_event");
    }
    context["account"]["timezone"] = json!("America/New_York");
    context["account"]["currency"] = json!("USD");
    context["account"]["dunning_excluded"] = json!(false);
    context["account"]["balances"] =
        json!([{"currency": "USD", "open": "25000.00", "unapplied_credit": "0"}]);
    let statuses = [
        "open", "open", "open", "open", "open", "open", "paid", "paid", "open", "draft",
    ];
    let invoices: Vec<Value> = (0..10)
        .map(|index| {
            json!({
                "id": format!("inv_{index}"), "number": format!("INV-{index}"),
                "status": statuses[index], "currency": "USD",
                "total": format!("{}.00", 150 + index * 900), "issue_date": date(today - 60 + index as i64),
                "due_date": date(today - 40 + 6 * index as i64),
                "dispute": if index == 3 { "open" } else { "none" },
                "payment_link": {"url": format!("https://pay.example/inv_{index}"), "expires_at": "2026-06-01T00:00:00Z"},
            })
        })
        .collect();
    let activities: Vec<Value> = (0..20)
        .map(|index| {
            json!({
                "id": format!("act_{index}"), "key": format!("rem:inv_{}:pre-7", index % 10),
                "kind": "send-reminder", "at": "2026-03-01T14:00:00Z", "invoice_id": format!("inv_{}", index % 10),
                "step": "pre-7", "channel": "email", "outcome": "succeeded",
            })
        })
        .collect();
    context["invoices"] = Value::Array(invoices);
    context["activities"] = Value::Array(activities);
    context["promises"] = json!([]);
    context
}
