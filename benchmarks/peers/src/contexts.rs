//! The accounts every engine evaluates: generated from a seed as CRM JSON, parsed into the
//! contract's `Context` against the pack's vocabulary (and checked by both packs), and rendered a
//! second way for Zen.
//!
//! Each account has 8 to 12 invoices in USD and EUR (open, paid, draft, void; some fully or partly
//! paid, some disputed, a few without a due date, some sharing a due date so the id tie-break
//! matters) and 16 to 24 activities: reminders, and escalations whose keys are sometimes the ones E1
//! would produce now, so some actions are skipped as done. A few invoices carry an E1 key as their
//! source key, and a few accounts a credit hold, for the other two places keys are done.

use crm_rules_host::RulePack;
use crm_rules_host::types::{Context, ParamValue};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};
use zen_engine::Variable;

/// The evaluation instant of every account: 10:00 in New York, so `today` is 2026-03-17.
const NOW: &str = "2026-03-17T14:00:00Z";
/// `today`'s day number (days since 1970-01-01), the local date at [`NOW`].
const TODAY: i64 = 20_529;
/// The escalation levels E1 can reach with the standard parameters.
const LEVELS: [i64; 3] = [15, 30, 60];

/// One account, as each engine takes it.
pub struct Sample {
    /// The context the crm-rules engines (and the native function) read.
    pub context: Context,
    /// Zen's input (see [`zen_input`]), converted to Zen's value type once, as the context is parsed
    /// once: each evaluation gets a cheap clone, as Zen's own benchmarks pass it.
    pub zen_input: Variable,
}

/// `count` accounts from `seed`, parsed against `pack`'s vocabulary with its parameter defaults
/// applied (so the native function reads the same thresholds the packs do), each checked against
/// every pack in `packs`.
pub fn generate(seed: u64, count: usize, packs: &[&RulePack]) -> Vec<Sample> {
    let rng = &mut SmallRng::seed_from_u64(seed);
    let Some(first) = packs.first() else {
        return Vec::new();
    };
    (0..count)
        .map(|index| {
            let raw = account_context(rng, index);
            let parsed = crm_rules_host::json::parse_context_in(&raw, first.vocabulary())
                .unwrap_or_else(|error| panic!("generated context {index} is invalid: {error}"));
            let mut context = parsed.context;
            first.apply_param_defaults(&mut context);
            for pack in packs {
                if let Err(error) = pack.check_context(&context) {
                    panic!("generated context {index} fails the pack's input checks: {error}");
                }
            }
            let zen_input = Variable::from(zen_input(&raw, &context));
            Sample { context, zen_input }
        })
        .collect()
}

/// The date `days` after 1970-01-01, as `YYYY-MM-DD`.
fn date(days: i64) -> String {
    crm_rules_host::types::Date::from_day_number(days).to_string()
}

/// A decimal amount in major units from minor units (USD and EUR both have two digits).
fn amount(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// One invoice as the generator plans it, before it is written as JSON.
struct PlannedInvoice {
    id: String,
    currency: &'static str,
    status: &'static str,
    due: Option<i64>,
    fully_paid: bool,
    dispute: &'static str,
}

/// The E1 level an invoice `dpd` days past due reaches, if any.
fn level_for(dpd: i64) -> Option<i64> {
    LEVELS.iter().rev().copied().find(|level| dpd >= *level)
}

/// One account's context as the CRM would send it.
fn account_context(rng: &mut SmallRng, index: usize) -> Value {
    let account_id = format!("acc_{index:03}");
    let mut planned = Vec::new();
    let mut invoices = Vec::new();
    let mut previous_due = None;
    // How far back this account's due dates go, so the oldest invoice lands on every level.
    let depth = *pick(rng, &[12, 20, 24, 28, 32, 40, 50, 70, 100]);
    for number in 0..rng.random_range(8..=12) {
        // Zero-padded, so list order is id order (the Zen expression graph relies on it; see
        // README.md).
        let id = format!("inv_{number:02}");
        let currency = if rng.random_bool(0.65) { "USD" } else { "EUR" };
        let status = *pick(
            rng,
            &[
                "open", "open", "open", "open", "open", "open", "paid", "draft", "void",
            ],
        );
        let due = if rng.random_bool(0.08) {
            None
        } else if previous_due.is_some() && rng.random_bool(0.2) {
            previous_due
        } else {
            Some(TODAY + rng.random_range(-depth..20))
        };
        previous_due = due.or(previous_due);
        let total = rng.random_range(10_000..2_000_000_i64);
        let fully_paid = status == "paid" || rng.random_bool(0.1);
        let dispute = *pick(
            rng,
            &[
                "none", "none", "none", "none", "none", "none", "open", "open", "won",
            ],
        );
        let issue = due.unwrap_or(TODAY) - 30;
        let mut invoice = json!({
            "id": id, "number": format!("INV-{index:03}-{number:02}"), "status": status,
            "currency": currency, "total": amount(total), "issue_date": date(issue),
            "dispute": dispute,
        });
        if let Some(due) = due {
            invoice["due_date"] = json!(date(due));
        }
        if fully_paid {
            invoice["paid"] = json!(amount(total));
        } else if rng.random_bool(0.15) {
            invoice["paid"] = json!(amount(total / 3));
        }
        planned.push(PlannedInvoice {
            id,
            currency,
            status,
            due,
            fully_paid,
            dispute,
        });
        invoices.push(invoice);
    }
    // Done keys: an escalation the rule would ask for now is often already in the history (the
    // invoice picked is the anchor when it is the oldest of its currency), sometimes as an invoice's
    // source key; older levels of the same ladder are there too and change nothing.
    let mut done_keys = Vec::new();
    for invoice in &planned {
        let Some(due) = invoice.due else { continue };
        let eligible = invoice.status == "open" && !invoice.fully_paid && invoice.dispute != "open";
        let Some(level) = level_for(TODAY - due) else {
            continue;
        };
        if eligible && rng.random_bool(0.25) {
            let level = if rng.random_bool(0.7) {
                level
            } else {
                *pick(rng, &LEVELS)
            };
            done_keys.push(format!(
                "esc:{account_id}:{}:{level}:{}",
                invoice.currency, invoice.id
            ));
        }
    }
    let mut activities = Vec::new();
    let mut source_key_given = false;
    for (number, key) in done_keys.iter().enumerate() {
        // Now and then the escalation is known by the invoice it created, not by an activity.
        if !source_key_given
            && rng.random_bool(0.1)
            && let Some(invoice) = invoices.last_mut()
        {
            invoice["source_key"] = json!(key);
            source_key_given = true;
            continue;
        }
        activities.push(json!({
            "id": format!("act_esc_{number:02}"), "key": key, "kind": "escalate",
            "at": "2026-03-10T15:00:00Z", "outcome": "succeeded",
        }));
    }
    let activity_count = rng.random_range(16..=24);
    while activities.len() < activity_count {
        let invoice = pick(rng, &planned);
        let step = *pick(rng, &["pre-7", "pre-3", "due", "post-1"]);
        activities.push(json!({
            "id": format!("act_{:02}", activities.len()), "key": format!("rem:{}:{step}", invoice.id),
            "kind": "send-reminder", "at": "2026-03-01T14:00:00Z", "invoice_id": invoice.id,
            "step": step, "channel": "email", "outcome": "succeeded",
        }));
    }
    let mut account = json!({
        "id": account_id, "name": format!("Customer {index}"), "tier": "smb",
        "timezone": "America/New_York", "currency": "USD",
        "contacts": [{"id": "c_1", "name": "Pat", "role": "billing", "email": "ap@customer.example"}],
        "payment_behaviour": {"settled_12m": 6, "late_12m": 2},
        "account_executive_id": "user_ae",
        "balances": [{"currency": "USD", "open": "25000.00", "unapplied_credit": "0"}],
    });
    if rng.random_bool(0.8) {
        account["collections_owner_id"] = json!("user_col");
    }
    if rng.random_bool(0.15) {
        // Usually a decline hold; now and then the key of an E1 escalation.
        let key = match done_keys.last() {
            Some(key) if rng.random_bool(0.3) => key.clone(),
            _ => format!("hold:{account_id}:declines"),
        };
        account["credit_hold"] =
            json!({"reason": "declines", "key": key, "since": "2026-03-05T09:00:00Z"});
    }
    json!({
        "id": format!("peers-{index:03}"), "now": NOW, "account": account, "invoices": invoices,
        "payment_attempts": [], "activities": activities, "promises": [],
    })
}

fn pick<'a, T>(rng: &mut SmallRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Zen's input: the CRM JSON of the account as sent, plus what the host derives for the other
/// engines (and what Zen's expression language can compare): `today` and every invoice's
/// `issue_date` and `due_date` as day numbers (days since 1970-01-01, as the host's `Date` counts
/// them), each invoice's `amount_due` in minor units, and the pack's scalar parameters as `params`.
/// The keys already done are not precomputed: the graphs collect them from the activities, the
/// invoices' source keys and the credit hold, as the other engines do.
pub fn zen_input(raw: &Value, context: &Context) -> Value {
    let mut input = raw.clone();
    input["today"] = json!(context.today.day_number());
    let params: Map<String, Value> = context
        .params
        .iter()
        .filter_map(|param| {
            let value = match &param.value {
                ParamValue::Integer(number) => json!(number),
                ParamValue::Text(text) => json!(text),
                ParamValue::Flag(flag) => json!(flag),
                _ => return None,
            };
            Some((param.name.clone(), value))
        })
        .collect();
    input["params"] = Value::Object(params);
    if let Some(invoices) = input["invoices"].as_array_mut() {
        for (json, invoice) in invoices.iter_mut().zip(&context.invoices) {
            json["amount_due"] = json!(invoice.amount_due_minor);
            json["issue_date"] = json!(invoice.issue_date.day_number());
            if let Some(due) = &invoice.due_date {
                json["due_date"] = json!(due.day_number());
            }
        }
    }
    input
}
