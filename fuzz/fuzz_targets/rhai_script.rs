//! Arbitrary UTF-8 as the source of a Rhai rule module.
//!
//! Each input is written to `rule.rhai` in a folder private to the process, next to a `pack.toml`
//! declaring one module per entry point the text mentions (`evaluate_billing`, `evaluate_reminders`,
//! `evaluate_escalation`; reminders if none), and the pack is loaded through the public API, as a
//! host would, with the standard pack's prelude (`common.rhai`) and parameters, so that the
//! standard scripts in the seed corpus run as they do in the pack. The file I/O costs tens of
//! microseconds per input, far less than compiling. A script
//! that loads is evaluated on a scheduled context and on a billing context. Loading may fail and
//! rules may fail (that is a `LoadError` or an entry in `Decision::errors`); a panic, an abort, a
//! stack overflow or a hang is a crash.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::Duration;

use crm_rules_host::types::Context;
use crm_rules_host::{Limits, RuleEngine};
use libfuzzer_sys::fuzz_target;

/// Counts each thread's heap bytes, so Rhai rules are held to their memory limit (see
/// `crm_rules_host::RhaiMemory`).
#[global_allocator]
static ALLOCATOR: crm_rules_host::alloc::CountingAllocator =
    crm_rules_host::alloc::CountingAllocator;

struct State {
    engine: RuleEngine,
    dir: PathBuf,
    /// The manifest's `[pack]` table.
    header: String,
    contexts: [Context; 2],
}

const SCHEDULED: &str = r#"{
  "now": "2026-03-17T14:00:00Z",
  "account": {"id": "acc_1", "name": "Acme", "tier": "mid-market", "timezone": "America/New_York",
    "currency": "USD", "net_terms_days": 30, "risk_score": 40, "collections_owner_id": "user_col",
    "contacts": [{"id": "c_1", "name": "Pat", "role": "billing", "email": "ap@acme.example",
      "phone": "+15555550100", "sms_consent": true}],
    "payment_behaviour": {"settled_12m": 6, "late_12m": 1},
    "balances": [{"currency": "USD", "open": "12000.00", "unapplied_credit": "0"}]},
  "invoices": [
    {"id": "inv_1", "status": "open", "currency": "USD", "total": "12000.00",
     "issue_date": "2026-02-22", "due_date": "2026-03-24",
     "payment_link": {"url": "https://pay.example/inv_1", "expires_at": "2026-06-01T00:00:00Z"}},
    {"id": "inv_2", "status": "open", "currency": "JPY", "total": "48000",
     "issue_date": "2026-01-01", "due_date": "2026-01-31"}],
  "payment_attempts": [{"id": "pa_1", "at": "2026-03-10T00:00:00Z", "outcome": "declined",
    "decline_reason": "insufficient-funds"}],
  "activities": [{"id": "act_1", "key": "rem:inv_2:due", "kind": "send-reminder",
    "at": "2026-01-31T15:00:00Z", "invoice_id": "inv_2", "step": "due", "channel": "email",
    "outcome": "succeeded"}],
  "promises": [{"id": "ptp_1", "invoice_ids": ["inv_2"], "amount": {"amount": "1000", "currency": "JPY"},
    "promised_date": "2026-03-20", "status": "open"}],
  "params": {"sms_max": {"USD": "500.00"}}
}"#;

const BILLING: &str = r#"{
  "now": "2026-03-17T14:00:00Z",
  "account": {"id": "acc_1", "name": "Acme", "tier": "smb", "timezone": "Europe/Berlin",
    "currency": "EUR", "credit_limit": {"amount": "5000.00", "currency": "EUR"}},
  "deal_event": {"id": "evt_1", "kind": "milestone-reached", "occurred_at": "2026-03-17T13:59:00Z",
    "deal": {"id": "deal_1", "name": "Renewal", "stage": "closed-won",
      "amount": {"amount": "12000.00", "currency": "EUR"}, "billing_model": "milestone"},
    "milestone": {"id": "m1", "name": "Kick-off", "percent_bps": 2500}}
}"#;

/// The engine, the process's pack folder and the contexts, set up once per process.
static STATE: LazyLock<State> = LazyLock::new(|| {
    // Lower per-evaluation budgets than the defaults so that looping inputs cost milliseconds; the
    // engine-level limits (call depth, expression depth, sizes) are the defaults.
    let limits = Limits {
        rhai_max_operations: 100_000,
        deadline: Duration::from_millis(50),
        ..Limits::default()
    };
    let engine = RuleEngine::new(limits).expect("engine");
    let dir = std::env::temp_dir().join(format!("crm-rules-fuzz-rhai-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the pack folder");
    let standard = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/standard");
    let mut header = String::from("[pack]\nname = \"fuzz\"\nversion = \"0.0.0\"\n");
    let prelude = standard.join("rhai/common.rhai");
    if prelude.exists() {
        std::fs::copy(&prelude, dir.join("common.rhai")).expect("copy the prelude");
        header.push_str("rhai_prelude = \"common.rhai\"\n");
    }
    let params = standard.join("params.toml");
    if params.exists() {
        header.push_str(&format!(
            "params_file = {:?}\n",
            params.display().to_string()
        ));
    }
    let context = |text: &str| {
        crm_rules_host::json::context_from_json(text)
            .unwrap_or_else(|error| panic!("a built-in context does not parse: {error}"))
    };
    State {
        engine,
        dir,
        header,
        contexts: [context(SCHEDULED), context(BILLING)],
    }
});

const KINDS: [(&str, &str); 3] = [
    ("billing", "evaluate_billing"),
    ("reminders", "evaluate_reminders"),
    ("escalation", "evaluate_escalation"),
];

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let state = &*STATE;
    let mut manifest = state.header.clone();
    let mentioned: Vec<&str> = KINDS
        .iter()
        .filter(|(_, entry)| source.contains(entry))
        .map(|(kind, _)| *kind)
        .collect();
    let kinds = if mentioned.is_empty() {
        vec!["reminders"]
    } else {
        mentioned
    };
    for kind in kinds {
        manifest.push_str(&format!(
            "\n[[modules]]\nid = \"{kind}\"\nkind = \"{kind}\"\nsource = \"rule.rhai\"\non_error = \"skip\"\n"
        ));
    }
    std::fs::write(state.dir.join("pack.toml"), manifest).expect("write pack.toml");
    std::fs::write(state.dir.join("rule.rhai"), source).expect("write rule.rhai");
    match state.engine.load_pack(&state.dir) {
        Ok(pack) => {
            for context in &state.contexts {
                let decision = pack.evaluate(context);
                let _ = decision.to_json();
            }
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
