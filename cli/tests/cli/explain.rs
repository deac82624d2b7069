//! `crm-rules explain PACK --input FILE [--json]`.

use serde_json::Value;

use super::{CONTEXT, crm_rules, scratch, text, write_pack};

/// The overdue-states context in which the account enters `warning`, written to `dir`.
fn warning_context(dir: &std::path::Path) -> std::path::PathBuf {
    let fixtures = super::root().join("rules/examples/overdue-states/fixtures");
    let mut input: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures.join("base/account.json")).unwrap())
            .unwrap();
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures.join("conditions.json")).unwrap())
            .unwrap();
    let case = file["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["name"] == "warning-at-30-days")
        .unwrap();
    crm_rules_host::fixture::merge_patch(&mut input, &case["input"]);
    let path = dir.join("warning.json");
    std::fs::write(&path, input.to_string()).unwrap();
    path
}

#[test]
fn explain_prints_what_each_module_read_fired_and_noted_on_both_backends() {
    let dir = scratch("explain");
    let context = warning_context(&dir);
    let mut notes = Vec::new();
    for pack in [
        "rules/examples/overdue-states",
        "rules/examples/overdue-states/rust",
    ] {
        let out = crm_rules(&["explain", pack, "--input", context.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let tree = text(&out.stdout);
        assert!(
            tree.contains(": complete, 1 actions, 0 suppressed, 0 errors"),
            "{tree}"
        );
        assert!(
            tree.contains("├─ fired overdue.enter: enter-dunning-state overdue:acc_1:1:warning"),
            "{tree}"
        );
        assert!(
            tree.contains("note overdue.enter on acc_1: state warning: its condition holds"),
            "{tree}"
        );
        assert!(tree.contains("states = [5 entries]"), "{tree}");
        let out = crm_rules(&[
            "explain",
            pack,
            "--input",
            context.to_str().unwrap(),
            "--json",
        ]);
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["consistent"], true);
        assert_eq!(json["decision"]["actions"][0]["rule"], "overdue.enter");
        notes.push(json["modules"][0]["notes"].clone());
    }
    assert_eq!(notes[0], notes[1], "one trace format for both backends");
    assert_eq!(notes[0].as_array().unwrap().len(), 5);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn explain_refuses_bad_input_with_its_path_and_flags_a_rule_that_acts_differently() {
    let dir = scratch("explain-bad");
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        CONTEXT.replace("\"invoices\": []", "\"invoices\": [{\"id\": 1}]"),
    )
    .unwrap();
    let out = crm_rules(&[
        "explain",
        "rules/standard/rhai",
        "--input",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("invoices[0]"),
        "{}",
        text(&out.stderr)
    );
    let pack = dir.join("pack");
    write_pack(
        &pack,
        r#"let seen = false; trace("t.r", "a", || { seen = true; "x" }); let actions = []; if seen { actions.push(#{ kind: "no-action", rule: "t.r", key: "k", reason: "r" }); } #{ actions: actions }"#,
        r#"{"cases": []}"#,
    );
    let context = dir.join("context.json");
    std::fs::write(&context, CONTEXT).unwrap();
    let out = crm_rules(&[
        "explain",
        pack.to_str().unwrap(),
        "--input",
        context.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("decided differently while explained"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_pack_or_file_is_a_usage_error_naming_it_for_explain_and_from_log() {
    for args in [
        vec![
            "explain",
            "rules/no-such-pack",
            "--input",
            "examples/packs/first-pack/try.json",
        ],
        vec![
            "explain",
            "examples/packs/first-pack",
            "--input",
            "no-such-context.json",
        ],
        vec![
            "fixture",
            "from-log",
            "no-such-log.ndjson",
            "--pack",
            "examples/packs/first-pack",
            "--account",
            "acc_1",
        ],
        vec![
            "fixture",
            "from-log",
            "examples/book.ndjson",
            "--pack",
            "rules/no-such-pack",
            "--account",
            "acc_1",
        ],
    ] {
        let out = crm_rules(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        let named = args
            .iter()
            .any(|arg| arg.contains("no-such") && stderr.contains(arg));
        assert!(named, "{args:?}: {stderr}");
    }
}
