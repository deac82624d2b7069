//! `RulePack::explain`: one trace format for both backends, recorded only while explaining.

use crm_rules_host::decision::Backend;
use crm_rules_host::explain::Explanation;
use serde_json::Value;

use crate::{engine, load_temp_pack, standard};

/// A context of the overdue-states fixtures in which the account enters `warning`.
fn warning_context() -> crm_rules_host::types::Context {
    let dir = crm_rules_tests::root().join("rules/examples/overdue-states/fixtures");
    let base: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("base/account.json")).expect("base"),
    )
    .expect("JSON");
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("conditions.json")).expect("file"))
            .expect("JSON");
    let case = file["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|case| case["name"] == "warning-at-30-days")
        .expect("the case");
    let mut input = base;
    crm_rules_host::fixture::merge_patch(&mut input, &case["input"]);
    crm_rules_host::json::context_from_json(&input.to_string()).expect("a context")
}

fn notes(explanation: &Explanation) -> Vec<(String, String, String)> {
    explanation.modules[0]
        .notes
        .iter()
        .map(|note| {
            (
                note.rule.clone(),
                note.subject.clone(),
                note.message.clone(),
            )
        })
        .collect()
}

#[test]
fn both_backends_explain_the_overdue_states_alike() {
    let root = crm_rules_tests::root();
    let rhai = engine()
        .load_pack(root.join("rules/examples/overdue-states"))
        .expect("rhai pack");
    let wasm = engine()
        .load_pack(root.join("rules/examples/overdue-states/rust"))
        .expect("component pack");
    let ctx = warning_context();
    let (by_rhai, by_wasm) = (rhai.explain(&ctx, None), wasm.explain(&ctx, None));
    for explanation in [&by_rhai, &by_wasm] {
        assert!(explanation.consistent);
        let module = &explanation.modules[0];
        assert_eq!(module.fired.len(), 1);
        assert_eq!(module.fired[0].rule, "overdue.enter");
        assert_eq!(
            explanation.decision.cost[0].fuel, module.fuel,
            "the plain run's cost"
        );
    }
    let expected: Vec<(String, String, String)> = ["cancelled", "suspended", "blocked", "grace"]
        .iter()
        .map(|state| format!("state {state}: its condition does not hold"))
        .chain(["state warning: its condition holds".to_owned()])
        .map(|message| ("overdue.enter".to_owned(), "acc_1".to_owned(), message))
        .collect();
    assert_eq!(notes(&by_rhai), expected);
    assert_eq!(notes(&by_wasm), expected);
    let params = |explanation: &Explanation| {
        let mut names: Vec<String> = explanation.modules[0]
            .params_read
            .iter()
            .map(|param| param["name"].as_str().expect("a name").to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(params(&by_rhai), params(&by_wasm));
    assert!(params(&by_rhai).contains(&"states".to_owned()));
    let fields = by_rhai.modules[0]
        .fields_read
        .as_ref()
        .expect("tracked in Rhai");
    let invoices = fields
        .iter()
        .find(|read| read.field == "invoices")
        .expect("read");
    assert_eq!(invoices.records, Some(ctx.invoices.len()));
    assert_eq!(by_wasm.modules[0].backend, Backend::Wasm);
    assert_eq!(
        by_wasm.modules[0].fields_read, None,
        "not tracked in a component"
    );
}

#[test]
fn nothing_is_recorded_outside_an_explanation_and_decisions_do_not_change() {
    let ctx = warning_context();
    let root = crm_rules_tests::root();
    let wasm = engine()
        .load_pack(root.join("rules/examples/overdue-states/rust"))
        .expect("component pack");
    let plain = wasm.evaluate(&ctx);
    let explained = wasm.explain(&ctx, None);
    assert_eq!(plain, explained.decision);
    // A later plain evaluation on this thread records nothing and costs what it cost before.
    let again = wasm.evaluate(&ctx);
    assert_eq!(again.cost, plain.cost);
}

#[test]
fn the_standard_pack_reads_the_same_parameters_natively_and_as_a_component() {
    let ctx = crm_rules_host::json::context_from_json(
        &std::fs::read_to_string(
            crm_rules_tests::root().join("examples/packs/first-pack/try.json"),
        )
        .expect("a context"),
    )
    .expect("a context");
    let packs = standard();
    let by_wasm = packs.wasm.explain(&ctx, None);
    let by_native = packs.native.explain(&ctx, None);
    let by_rhai = packs.rhai.explain(&ctx, None);
    // The same parameters, in the same order: the Rust twin (component and native) and the Rhai
    // pack read their policy alike.
    let params = |explanation: &Explanation| -> Vec<(String, Vec<Value>)> {
        let modules = explanation.modules.iter();
        modules
            .map(|module| (module.module.clone(), module.params_read.clone()))
            .collect()
    };
    assert_eq!(params(&by_wasm), params(&by_native));
    assert_eq!(params(&by_wasm), params(&by_rhai));
    let reminders = &params(&by_rhai)[0];
    assert_eq!(reminders.0, "reminders");
    assert!(!reminders.1.is_empty());
}

#[test]
fn a_rule_that_acts_differently_while_explained_is_caught() {
    let pack = load_temp_pack(
        engine(),
        "explain-inconsistent",
        &[
            (
                "pack.toml",
                "[pack]\nname = \"t\"\nversion = \"1\"\n[[modules]]\nid = \"r\"\nkind = \"reminders\"\nsource = \"r.rhai\"\n",
            ),
            (
                "r.rhai",
                r#"fn evaluate_reminders(ctx) {
    let explained = false;
    trace("t.r", "a", || { explained = true; "seen" });
    let actions = [];
    if explained { actions.push(#{ kind: "no-action", rule: "t.r", key: "k", reason: "r" }); }
    #{ actions: actions }
}
"#,
            ),
        ],
    )
    .expect("pack");
    let ctx = warning_context();
    let explanation = pack.explain(&ctx, None);
    assert!(!explanation.consistent, "the explained run acted");
    assert!(
        explanation.decision.actions.is_empty(),
        "the real decision did not"
    );
    assert_eq!(explanation.modules[0].notes.len(), 1);
}

#[test]
fn a_rule_tracing_in_a_loop_keeps_a_bounded_trace() {
    let pack = load_temp_pack(
        engine(),
        "explain-flood",
        &[
            (
                "pack.toml",
                "[pack]\nname = \"t\"\nversion = \"1\"\n[[modules]]\nid = \"r\"\nkind = \"reminders\"\nsource = \"r.rhai\"\n",
            ),
            (
                "r.rhai",
                "fn evaluate_reminders(ctx) {\n    for i in 0..50000 { trace(\"t.r\", \"a\", \"again\"); }\n    #{ actions: [] }\n}\n",
            ),
        ],
    )
    .expect("pack");
    let explanation = pack.explain(&warning_context(), None);
    assert_eq!(explanation.modules[0].notes.len(), 10_000);
}
