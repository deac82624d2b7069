//! The example packs of `rules/examples/`: policies that are not the standard one, written on
//! contract 0.2 without bending it. Each passes every fixture, declares every name its parameters
//! use, and has fixtures for every trigger it runs on.

use std::collections::BTreeSet;

use crm_rules_host::{RulePack, fixture};

fn load(path: &str) -> RulePack {
    super::engine()
        .load_pack(crm_rules_tests::root().join(path))
        .unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// The trigger a case's input evaluates on: its `trigger`'s kind, else what a context without one
/// means (`deal-event` with a `deal_event`, else `scheduled`).
fn trigger_kind(input: &serde_json::Value) -> String {
    match input.get("trigger").and_then(|trigger| trigger.get("kind")) {
        Some(kind) => kind
            .as_str()
            .expect("a trigger kind is a string")
            .to_owned(),
        None if input.get("deal_event").is_some() => "deal-event".to_owned(),
        None => "scheduled".to_owned(),
    }
}

/// Runs every fixture case of `pack` (at `path`), at least `minimum` of them, and asserts they pass.
fn run_fixtures(
    pack: &RulePack,
    path: &str,
    minimum: usize,
) -> (Vec<fixture::LoadedCase>, Vec<fixture::CaseResult>) {
    let cases = fixture::load_dir(&pack.fixtures_dir()).unwrap_or_else(|error| panic!("{error}"));
    assert!(cases.len() >= minimum, "only {} fixture cases", cases.len());
    let results: Vec<_> = cases
        .iter()
        .map(|case| fixture::run_case(pack, case))
        .collect();
    super::fixtures::assert_all_pass(path, &results);
    (cases, results)
}

/// At least one case per trigger kind a module of `pack` runs on.
fn assert_every_trigger_has_a_case(pack: &RulePack, cases: &[fixture::LoadedCase]) {
    let covered: BTreeSet<String> = cases.iter().map(|case| trigger_kind(&case.input)).collect();
    for module in &pack.manifest().modules {
        assert!(
            !module.triggers.is_empty(),
            "module {} has no triggers",
            module.id
        );
        for trigger in &module.triggers {
            assert!(
                covered.contains(trigger),
                "module {} runs on {trigger}, but no fixture case has that trigger (cases have {covered:?})",
                module.id
            );
        }
    }
}

/// The `column` of every row of the table parameter `name`'s default in the manifest.
fn table_column(pack: &RulePack, name: &str, column: &str) -> Vec<String> {
    let rows = pack
        .manifest()
        .params
        .get(name)
        .and_then(|param| param.get("default"))
        .and_then(|default| default.as_array())
        .unwrap_or_else(|| panic!("params.{name} has no default table"));
    rows.iter()
        .map(|row| {
            row.get(column)
                .and_then(|value| value.as_str())
                .unwrap_or_else(|| panic!("params.{name}: a row without a text `{column}`"))
                .to_owned()
        })
        .collect()
}

#[test]
fn overdue_states_passes_every_fixture() {
    let path = "rules/examples/overdue-states";
    let pack = load(path);
    let (cases, results) = run_fixtures(&pack, path, 20);

    // Every state the `states` table names is declared, in the vocabulary's order (most severe
    // first), and so is every state a balance threshold names.
    let declared = &pack.vocabulary().states;
    let states = table_column(&pack, "states", "state");
    assert_eq!(
        &states, declared,
        "the states table and [vocabulary] states differ (names or order)"
    );
    for state in table_column(&pack, "balance_thresholds", "state") {
        assert!(
            declared.contains(&state),
            "balance_thresholds names the undeclared state {state:?}"
        );
    }

    // Some case enters each state.
    let decisions: Vec<String> = results.iter().map(|r| r.actual.to_string()).collect();
    for state in &states {
        let entered = format!("\"state\":\"{state}\"");
        assert!(
            decisions.iter().any(|decision| decision.contains(&entered)),
            "no fixture's decision names the state {state:?}"
        );
    }

    assert_every_trigger_has_a_case(&pack, &cases);
}

#[test]
fn invoice_ladder_passes_every_fixture() {
    let path = "rules/examples/invoice-ladder";
    let pack = load(path);
    let (cases, results) = run_fixtures(&pack, path, 25);

    // The templates are the numbered reminders and the endless one; the `reminders` table has a row
    // per numbered reminder at most, each with a schedule the policy knows.
    let templates = &pack.vocabulary().templates;
    assert_eq!(
        templates,
        &["reminder1", "reminder2", "reminder3", "endless"],
        "[vocabulary] templates"
    );
    let schedules = table_column(&pack, "reminders", "schedule");
    assert!(
        (1..=3).contains(&schedules.len()),
        "{} default reminders",
        schedules.len()
    );
    for schedule in &schedules {
        assert!(
            ["after-invoice-date", "before-due-date", "after-due-date"]
                .contains(&schedule.as_str()),
            "reminders: unknown schedule {schedule:?}"
        );
    }

    // Some case sends each template, and fees go both on the invoice and on a new one.
    let decisions: Vec<String> = results.iter().map(|r| r.actual.to_string()).collect();
    let expected = templates
        .iter()
        .map(|template| format!("\"template\":\"{template}\""))
        .chain(["on-invoice", "new-invoice"].map(|p| format!("\"placement\":\"{p}\"")));
    for needle in expected {
        assert!(
            decisions.iter().any(|decision| decision.contains(&needle)),
            "no fixture's decision has {needle}"
        );
    }

    assert_every_trigger_has_a_case(&pack, &cases);
}

/// The Rust component of the overdue-states pack (`rules/examples/overdue-states/rust`) passes every
/// fixture of the pack, as the Rhai script does.
#[test]
fn overdue_states_rust_passes_every_fixture() {
    let path = "rules/examples/overdue-states/rust";
    let pack = load(path);
    run_fixtures(&pack, path, 20);
}

/// The overdue states, most severe first (the pack's `[vocabulary] states`).
const OVERDUE_STATES: [&str; 5] = ["cancelled", "suspended", "blocked", "grace", "warning"];

/// A generated context for the overdue-states pack: the fixtures' base account with invoices of
/// varied counts, ages, amounts, currencies and tags, account tags, a current dunning state with its
/// transitions, payment attempts (the last declined one's reason varies) and a trigger.
fn overdue_context(seed: u64) -> serde_json::Value {
    use crm_rules_guest::types::Date;
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};
    use serde_json::json;

    let mut rng = SmallRng::seed_from_u64(seed);
    let today = Date::new(2026, 3, 17).expect("a valid date");
    // Currencies of 2, 0 and 3 digits; EUR and USD have balance thresholds, the others do not.
    let currencies: [(&str, u32); 5] = [("EUR", 2), ("EUR", 2), ("USD", 2), ("JPY", 0), ("KWD", 3)];
    let amount = |minor: i64, exponent: u32| {
        if exponent == 0 {
            return minor.to_string();
        }
        let scale = 10_i64.pow(exponent);
        format!(
            "{}.{:0width$}",
            minor / scale,
            minor % scale,
            width = exponent as usize
        )
    };

    let mut invoices = Vec::new();
    let count = rng.random_range(0..=5);
    for n in 1..=count {
        let (currency, exponent) = currencies[rng.random_range(0..currencies.len())];
        // Most totals around the thresholds (EUR 1000.00), some small.
        let major: i64 = if rng.random_bool(0.5) {
            rng.random_range(1..=400)
        } else {
            rng.random_range(400..=1600)
        };
        let total = major * 10_i64.pow(exponent) + rng.random_range(0..10_i64.pow(exponent));
        let age = match rng.random_range(0..4) {
            0 => rng.random_range(0..30),
            1 => rng.random_range(28..33),
            2 => rng.random_range(55..95),
            _ => rng.random_range(0..130),
        };
        let status = match rng.random_range(0..10) {
            0 => "paid",
            1 => "draft",
            2 => "void",
            3 => "uncollectible",
            _ => "open",
        };
        let mut invoice = json!({
            "id": format!("inv_{n}"),
            "number": format!("INV-{n}"),
            "status": status,
            "currency": currency,
            "total": amount(total, exponent),
            "issue_date": today.add_days(-age).to_string(),
        });
        if status == "paid" {
            invoice["paid"] = json!(amount(total, exponent));
        } else if status == "open" && rng.random_bool(0.2) {
            invoice["paid"] = json!(amount(rng.random_range(0..total), exponent));
        }
        if rng.random_bool(0.15) {
            invoice["tags"] = json!(["written-off"]);
        } else if rng.random_bool(0.1) {
            invoice["tags"] = json!(["reviewed"]);
        }
        invoices.push(invoice);
    }

    let reasons = [
        "insufficient-funds",
        "generic",
        "lost-or-stolen",
        "invalid-card",
        "expired-card",
    ];
    let mut attempts = Vec::new();
    for n in 1..=rng.random_range(0..=3) {
        let outcome = match rng.random_range(0..6) {
            0 => "succeeded",
            1 => "pending",
            2 => "gateway-error",
            _ => "declined",
        };
        // Few distinct instants, so ties (broken by the larger id) happen.
        let hour = rng.random_range(6..9);
        let mut attempt = json!({
            "id": format!("pa_{n}"),
            "at": format!("2026-03-1{}T0{hour}:00:00Z", rng.random_range(5..7)),
            "outcome": outcome,
        });
        if let Some(first) = invoices.first() {
            attempt["invoice_id"] = first["id"].clone();
        }
        if outcome == "declined" {
            attempt["decline_reason"] = json!(reasons[rng.random_range(0..reasons.len())]);
        }
        attempts.push(attempt);
    }

    let mut account = json!({});
    let mut tags = Vec::new();
    if rng.random_bool(0.3) {
        tags.push("key-account");
    }
    if rng.random_bool(0.1) {
        tags.push("overdue-enforcement-off");
    }
    if rng.random_bool(0.1) {
        tags.push("vip");
    }
    if !tags.is_empty() {
        account["tags"] = json!(tags);
    }

    // The current state and the transitions that led to it.
    let mut activities = Vec::new();
    let transitions = rng.random_range(0..=3);
    for n in 1..=transitions {
        let state = OVERDUE_STATES[rng.random_range(0..OVERDUE_STATES.len())];
        activities.push(json!({
            "id": format!("a_{n}"),
            "key": format!("overdue:acc_1:{n}:{state}"),
            "kind": "enter-dunning-state",
            "at": "2026-03-01T09:00:00Z",
            "outcome": "succeeded",
        }));
    }
    if transitions > 0 && rng.random_bool(0.8) {
        let state = OVERDUE_STATES[rng.random_range(0..OVERDUE_STATES.len())];
        account["dunning_state"] = json!({
            "state": state,
            "since": "2026-03-01T09:00:00Z",
            "key": format!("overdue:acc_1:{transitions}:{state}"),
        });
    }
    if rng.random_bool(0.1) {
        // The next transition's key already done (by another kind of action): nothing emitted.
        let to = [
            "clear",
            OVERDUE_STATES[rng.random_range(0..OVERDUE_STATES.len())],
        ][rng.random_range(0..2)];
        activities.push(json!({
            "id": "a_done",
            "key": format!("overdue:acc_1:{}:{to}", transitions + 1),
            "kind": "notify-internal",
            "at": "2026-03-02T09:00:00Z",
            "outcome": "succeeded",
        }));
    }

    let mut input = json!({
        "now": "2026-03-17T09:00:00Z",
        "account": {
            "id": "acc_1",
            "name": "Northwind Hosting Ltd",
            "tier": "smb",
            "timezone": "Europe/Berlin",
            "currency": "EUR",
            "contacts": [
                {"id": "c_1", "name": "Ada Price", "role": "billing", "email": "billing@northwind.example"}
            ]
        },
        "invoices": invoices,
        "payment_attempts": attempts,
        "activities": activities,
        "promises": [],
    });
    if let serde_json::Value::Object(extra) = account {
        for (name, value) in extra {
            input["account"][name] = value;
        }
    }
    if rng.random_bool(0.15) {
        // Thresholds at scales other than the currency's, and in other currencies.
        input["params"] = json!({
            "balance_thresholds": [
                {"state": "suspended", "currency": "EUR", "amount": "999.995"},
                {"state": "suspended", "currency": "JPY", "amount": "100000"},
                {"state": "blocked", "currency": "KWD", "amount": "500.5"},
            ],
        });
    }
    if rng.random_bool(0.25) {
        input["params"]["states"] = overdue_states_table(&mut rng);
    }

    let trigger = match rng.random_range(0..4) {
        1 if !input["payment_attempts"]
            .as_array()
            .is_none_or(Vec::is_empty) =>
        {
            let attempts = input["payment_attempts"].as_array().expect("attempts");
            let attempt = &attempts[rng.random_range(0..attempts.len())];
            Some(json!({"kind": "payment-attempt", "attempt_id": attempt["id"].clone()}))
        }
        2 if !input["invoices"].as_array().is_none_or(Vec::is_empty) => {
            let invoices = input["invoices"].as_array().expect("invoices");
            let invoice = &invoices[rng.random_range(0..invoices.len())];
            let event = ["created", "paid", "partially-paid"][rng.random_range(0..3)];
            Some(
                json!({"kind": "invoice-event", "invoice_id": invoice["id"].clone(), "event": event}),
            )
        }
        3 => {
            let tag = ["key-account", "overdue-enforcement-off", "vip"][rng.random_range(0..3)];
            let (added, removed) = if rng.random_bool(0.5) {
                (json!([tag]), json!([]))
            } else {
                (json!([]), json!([tag]))
            };
            Some(json!({
                "kind": "tag-change", "record": "account", "record_id": "acc_1",
                "added": added, "removed": removed,
            }))
        }
        _ => None,
    };
    if let Some(trigger) = trigger {
        input["trigger"] = trigger;
    }
    input
}

/// A `states` table for a context to override the pack's with: 1 to 3 rows, each giving a random
/// subset of the condition's parts (none at all, sometimes), and now and then a value a row may not
/// give (an empty tag, `min_unpaid` 0, ...), so the two backends' error paths are compared too.
fn overdue_states_table(rng: &mut rand::rngs::SmallRng) -> serde_json::Value {
    use rand::Rng;
    use serde_json::json;

    let mut rows = Vec::new();
    for _ in 0..rng.random_range(1..=3) {
        let state = OVERDUE_STATES[rng.random_range(0..OVERDUE_STATES.len())];
        let subscriptions = ["keep", "cancel-now", "cancel-at-period-end"][rng.random_range(0..3)];
        let mut row = json!({
            "state": state,
            "block_changes": rng.random_bool(0.5),
            "block_service": rng.random_bool(0.5),
            "block_billing": rng.random_bool(0.3),
            "subscriptions": subscriptions,
        });
        let parts = [
            ("min_days", json!(rng.random_range(0..100))),
            ("min_unpaid", json!(rng.random_range(1..4))),
            ("failed_reasons", json!(["expired-card", "generic"])),
            ("with_tag", json!("key-account")),
            ("without_tag", json!("vip")),
            ("message", json!("Please pay.")),
            ("interval_days", json!(rng.random_range(1..10))),
        ];
        for (column, value) in parts {
            if rng.random_bool(0.35) {
                row[column] = value;
            }
        }
        if rng.random_bool(0.1) {
            let broken = [
                ("min_days", json!(-1)),
                ("min_unpaid", json!(0)),
                ("failed_reasons", json!([])),
                ("with_tag", json!("")),
                ("without_tag", json!("")),
                ("message", json!("")),
                ("interval_days", json!(0)),
                ("subscriptions", json!("pause")),
            ];
            let (column, value) = broken[rng.random_range(0..broken.len())].clone();
            row[column] = value;
        }
        rows.push(row);
    }
    json!(rows)
}

/// The Rhai script and the Rust component of the overdue-states pack decide the same, on every
/// fixture input and on generated contexts that reach every state.
#[test]
fn overdue_states_rhai_and_rust_agree() {
    let rhai = load("rules/examples/overdue-states");
    let rust = load("rules/examples/overdue-states/rust");
    let same = |label: &str, input: &serde_json::Value| -> serde_json::Value {
        let ctx = crm_rules_host::json::parse_context_in(input, rhai.vocabulary())
            .map(|parsed| parsed.context)
            .and_then(|ctx| rhai.check_context(&ctx).map(|()| ctx))
            .unwrap_or_else(|error| panic!("{label}: invalid input: {error}\n{input:#}"));
        let from_rhai = super::parity::comparable(&rhai.evaluate(&ctx));
        let from_rust = super::parity::comparable(&rust.evaluate(&ctx));
        assert_eq!(
            from_rhai, from_rust,
            "{label}: the Rhai script and the Rust component differ\ninput: {input:#}"
        );
        from_rhai
    };

    let cases = fixture::load_dir(&rhai.fixtures_dir()).unwrap_or_else(|error| panic!("{error}"));
    for case in &cases {
        same(&case.case.name, &case.input);
    }

    let mut entered: BTreeSet<String> = BTreeSet::new();
    let mut kinds: BTreeSet<String> = BTreeSet::new();
    let mut failed = 0;
    for seed in 0..600 {
        let decision = same(&format!("generated context {seed}"), &overdue_context(seed));
        // Only a generated `states` row that gives a value it may not (see
        // `overdue_states_table`) fails the evaluation, on both backends alike.
        for error in decision["errors"].as_array().into_iter().flatten() {
            let message = error["message"].as_str().unwrap_or_default();
            assert!(
                message.starts_with("states: "),
                "generated context {seed}: {decision:#}"
            );
            failed += 1;
        }
        for action in decision["actions"].as_array().into_iter().flatten() {
            kinds.insert(action["kind"].as_str().unwrap_or_default().to_owned());
            if action["kind"] == "enter-dunning-state" {
                entered.insert(action["state"].as_str().unwrap_or_default().to_owned());
            }
        }
        if !decision["suppressed"].as_array().is_none_or(Vec::is_empty) {
            kinds.insert("suppressed".to_owned());
        }
    }
    for state in OVERDUE_STATES {
        assert!(
            entered.contains(state),
            "no generated context enters {state} (entered: {entered:?})"
        );
    }
    for kind in ["leave-dunning-state", "suppressed"] {
        assert!(kinds.contains(kind), "no generated decision has {kind}");
    }
    assert!(
        (5..60).contains(&failed),
        "{failed} of 600 generated contexts failed: the error paths are compared on a few"
    );
}
