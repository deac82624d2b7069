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
    let cases = fixture::load_dir(&pack.fixtures_dir()).unwrap_or_else(|error| panic!("{error}"));
    assert!(cases.len() >= 20, "only {} fixture cases", cases.len());
    let results: Vec<_> = cases
        .iter()
        .map(|case| fixture::run_case(&pack, case))
        .collect();
    super::fixtures::assert_all_pass(path, &results);

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

    // At least one case per trigger kind a module runs on.
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

#[test]
fn invoice_ladder_passes_every_fixture() {
    let path = "rules/examples/invoice-ladder";
    let pack = load(path);
    let cases = fixture::load_dir(&pack.fixtures_dir()).unwrap_or_else(|error| panic!("{error}"));
    assert!(cases.len() >= 25, "only {} fixture cases", cases.len());
    let results: Vec<_> = cases
        .iter()
        .map(|case| fixture::run_case(&pack, case))
        .collect();
    super::fixtures::assert_all_pass(path, &results);

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

    // At least one case per trigger kind a module runs on.
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
