//! Input that would change a decision is refused at every way in: a library call of
//! `RulePack::evaluate`, a batch line, a fixture file; and what is normalised instead of refused is
//! normalised as the README says.

use std::io::Cursor;
use std::path::PathBuf;

use crm_rules_host::batch::{BatchOptions, run_batch};
use crm_rules_host::fixture;
use crm_rules_host::json::{context_from_value, parse_context_str, parse_json};
use crm_rules_host::{DecisionStatus, RuleErrorKind, RulePack};
use serde_json::{Value, json};

use super::corpus;

/// A corpus file as a JSON value (the corpus files other than the duplicate-key ones are valid JSON).
fn corpus_value(name: &str) -> Value {
    let text = std::fs::read_to_string(corpus().join(name)).expect("read the corpus file");
    serde_json::from_str(&text).expect("the corpus file is JSON")
}

/// The kinds of the actions `pack` decides for `document`.
fn action_kinds(pack: &RulePack, document: &Value) -> Vec<String> {
    let ctx = context_from_value(document).expect("a valid context");
    let decision = pack.evaluate(&ctx);
    assert!(decision.errors.is_empty(), "{:?}", decision.errors);
    decision
        .to_json()
        .get("actions")
        .and_then(Value::as_array)
        .map(|actions| {
            actions
                .iter()
                .filter_map(|action| action["kind"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The issue's scenario: an account on credit hold, scheduled, with `"invoices": null`. Read as "no
/// invoices" it released the hold; it is an input error now, and so is leaving the list out.
#[test]
fn a_null_invoice_list_never_releases_a_credit_hold() {
    let document = corpus_value("null-invoices-on-credit-hold.json");
    let error = parse_context_str(&document.to_string()).unwrap_err();
    assert_eq!(error.path(), "invoices");
    assert!(
        error.message().starts_with("null is not accepted"),
        "{error}"
    );
    let mut absent = document.clone();
    absent
        .as_object_mut()
        .map(|object| object.remove("invoices"));
    let error = parse_context_str(&absent.to_string()).unwrap_err();
    assert_eq!(error.path(), "invoices");
    assert!(
        error.message().starts_with("missing required field"),
        "{error}"
    );
    // What the null used to be read as, and what the real list decides.
    let mut empty = document.clone();
    empty["invoices"] = json!([]);
    let mut overdue = document;
    overdue["invoices"] = json!([{"id": "inv_1", "status": "open", "currency": "USD",
        "total": "1200.00", "issue_date": "2026-01-15", "due_date": "2026-02-14"}]);
    let packs = crate::standard();
    for pack in [&packs.rhai, &packs.wasm] {
        assert!(action_kinds(pack, &empty).contains(&"release-credit-hold".to_owned()));
        assert!(!action_kinds(pack, &overdue).contains(&"release-credit-hold".to_owned()));
    }
}

/// A library caller that skips `check_context` gets a held decision naming the parameter, not a
/// decision made on the defaults.
#[test]
fn evaluate_holds_a_context_with_undeclared_or_mistyped_params() {
    let packs = crate::standard();
    for (file, named) in [
        ("unknown-param.json", "params.sms_maxx"),
        ("mistyped-param.json", "params.fast_payer_min_settled"),
        ("mistyped-money-param.json", "params.sms_max"),
    ] {
        let ctx = context_from_value(&corpus_value(file)).expect("the JSON layer accepts it");
        for pack in [&packs.rhai, &packs.wasm, &packs.native] {
            let decision = pack.evaluate(&ctx);
            assert_eq!(decision.status, DecisionStatus::HeldForReview, "{file}");
            assert!(
                decision.actions.is_empty() && decision.cost.is_empty(),
                "{file}"
            );
            let modules: Vec<&str> = decision.errors.iter().map(|e| e.module.as_str()).collect();
            // Every module a scheduled evaluation runs.
            assert_eq!(modules, ["reminders", "escalation", "service"], "{file}");
            for error in &decision.errors {
                assert_eq!(error.kind, RuleErrorKind::BadInput, "{file}");
                assert!(error.message.contains(named), "{file}: {}", error.message);
            }
        }
    }
    // Declared overrides of the declared kind still run; a money table may name other currencies.
    let mut document = corpus_value("unknown-param.json");
    document["params"] = json!({"sms_max": {"KWD": "10.000"}, "fast_payer_min_settled": 6});
    let ctx = context_from_value(&document).expect("valid");
    assert_eq!(packs.rhai.check_context(&ctx), Ok(()));
    assert_eq!(packs.rhai.evaluate(&ctx).status, DecisionStatus::Complete);
}

/// Every line of a batch gets its line: bad ones an error with the path, good ones a decision.
#[test]
fn batch_reports_duplicate_keys_and_bad_params_by_line() {
    let good = corpus_value("unknown-param.json");
    let mut typo = good.clone();
    let mut good = good;
    good.as_object_mut().map(|object| object.remove("params"));
    typo["id"] = json!("typo");
    let duplicate =
        good.to_string()
            .replacen("\"now\":", "\"now\":\"2026-03-18T14:00:00Z\",\"now\":", 1);
    let book = format!("{good}\n{duplicate}\n{typo}\n");
    let mut out = Vec::new();
    let summary = run_batch(
        &crate::standard().rhai,
        Cursor::new(book),
        &mut out,
        &BatchOptions {
            threads: 2,
            ..BatchOptions::default()
        },
    )
    .expect("the batch runs");
    assert_eq!((summary.decisions, summary.input_errors), (1, 2));
    let lines: Vec<Value> = String::from_utf8(out)
        .expect("UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].get("decision").is_some(), "{}", lines[0]);
    let error = |index: usize| {
        lines[index]["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        error(1).starts_with("now: duplicate key \"now\" at line 1 column "),
        "{}",
        error(1)
    );
    assert!(
        error(2).starts_with("params.sms_maxx: the pack declares no parameter \"sms_maxx\""),
        "{}",
        error(2)
    );
}

/// A temporary folder holding `cases.json` with `text`.
fn fixture_dir(tag: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("crm-rules-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a temporary folder");
    std::fs::write(dir.join("cases.json"), text).expect("write the fixture file");
    dir
}

/// A fixture file is JSON too: a duplicated key in an expectation would silently test less.
#[test]
fn fixture_files_refuse_duplicate_keys_and_bad_params() {
    let input = corpus_value("unknown-param.json");
    let text = format!(
        "{{\"cases\": [{{\"name\": \"c\", \"input\": {input},\n \"expect\": {{\"actions\": \
         [{{\"kind\": \"no-action\", \"kind\": \"send-reminder\"}}]}}}}]}}"
    );
    let dir = fixture_dir("dup-fixture", &text);
    let error = fixture::load_dir(&dir).unwrap_err().to_string();
    assert!(
        error.contains("cases[0].expect.actions[0].kind: duplicate key \"kind\" at line 2"),
        "{error}"
    );
    let text = format!(
        "{{\"cases\": [{{\"name\": \"c\", \"input\": {input}, \"expect\": {{\"actions\": []}}}}]}}"
    );
    std::fs::write(dir.join("cases.json"), text).expect("rewrite the fixture file");
    let cases = fixture::load_dir(&dir).expect("the fixture file loads");
    let result = fixture::run_case(&crate::standard().rhai, &cases[0]);
    assert!(!result.passed());
    let message = &result.mismatches[0].message;
    assert!(
        message.contains("params.sms_maxx: the pack declares no parameter"),
        "{message}"
    );
    std::fs::remove_dir_all(&dir).expect("remove the temporary folder");
}

/// What is normalised rather than refused: trailing zeros beyond the currency's decimals, and a
/// deal event without the lists its evaluation need not read.
#[test]
fn documented_normalisations_hold() {
    let mut document = corpus_value("unknown-param.json");
    document
        .as_object_mut()
        .map(|object| object.remove("params"));
    document["invoices"][0]["total"] = json!("900.000000");
    let ctx = context_from_value(&document).expect("trailing zeros are accepted");
    assert_eq!(ctx.invoices[0].total_minor, 90_000);
    let closed_won = crm_rules_tests::root().join("examples/closed-won.json");
    let text = std::fs::read_to_string(closed_won).expect("read examples/closed-won.json");
    let value = parse_json(&text).expect("JSON");
    assert!(
        value.get("invoices").is_none(),
        "the example omits its lists"
    );
    let ctx = parse_context_str(&text).expect("a deal event may omit the lists");
    assert!(ctx.context.invoices.is_empty() && ctx.context.deal_event.is_some());
}
