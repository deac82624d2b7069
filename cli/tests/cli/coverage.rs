//! `crm-rules test --coverage`, `--min-coverage` and `--coverage-json`, and the declared rule ids
//! that make an undeclared one `bad-output`.

use std::path::Path;

use super::{CONTEXT, crm_rules, scratch, text};

/// A pack whose module declares `t.act`, `t.hold` and `t.never`: with `params.mode` "act" it fires
/// `t.act`, with "hold" it stands `t.hold` down, with "typo" it emits the undeclared `t.akt`.
fn write_pack(dir: &Path, rules: &str, modes: &[&str]) {
    std::fs::create_dir_all(dir.join("fixtures")).unwrap();
    std::fs::write(
        dir.join("pack.toml"),
        format!(
            "[pack]\nname = \"t\"\nversion = \"1\"\n[[modules]]\nid = \"r\"\nkind = \"reminders\"\n\
             source = \"r.rhai\"\n{rules}\n[params]\nmode = \"act\"\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("r.rhai"),
        r#"fn evaluate_reminders(ctx) {
    let mode = ctx.params.mode;
    if mode == "act" { return #{ actions: [#{ kind: "no-action", rule: "t.act", key: "k", reason: "r" }] }; }
    if mode == "typo" { return #{ actions: [#{ kind: "no-action", rule: "t.akt", key: "k", reason: "r" }] }; }
    #{ actions: [], suppressed: [#{ rule: "t.hold", subject_id: "a", reason: "dispute-open" }] }
}
"#,
    )
    .unwrap();
    let cases: Vec<String> = modes
        .iter()
        .enumerate()
        .map(|(index, mode)| {
            let mut input: serde_json::Value = serde_json::from_str(CONTEXT).unwrap();
            input["params"] = serde_json::json!({"mode": mode});
            format!(
                r#"{{"name": "{mode}-{index}", "input": {input}, "expect": {{"contains": {{}}}}}}"#
            )
        })
        .collect();
    std::fs::write(
        dir.join("fixtures/cases.json"),
        format!(r#"{{"cases": [{}]}}"#, cases.join(",")),
    )
    .unwrap();
}

const RULES: &str = r#"rules = ["t.act", "t.hold", "t.never"]"#;

#[test]
fn coverage_counts_fired_and_stood_down_and_lists_the_rules_never_reached() {
    let dir = scratch("coverage");
    write_pack(&dir, RULES, &["act", "act", "hold"]);
    let json = dir.join("coverage.json");
    let out = crm_rules(&[
        "test",
        dir.to_str().unwrap(),
        "--coverage",
        "--coverage-json",
        json.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("2 of 3 declared rule ids reached (66.7%) by 3 cases"),
        "{stdout}"
    );
    let line = |rule: &str| {
        stdout
            .lines()
            .find(|line| line.trim_start().starts_with(rule))
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(line("t.act"), "t.act fired in 2 stood down in 0");
    assert_eq!(line("t.hold"), "t.hold fired in 0 stood down in 1");
    assert_eq!(
        line("t.never"),
        "t.never fired in 0 stood down in 0 NEVER REACHED"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let rules = &report[0]["modules"][0]["rules"];
    assert_eq!(rules[0]["rule"], "t.act");
    assert_eq!(rules[0]["fired"], 2);
    assert_eq!(rules[2]["rule"], "t.never");
    assert_eq!(rules[2]["fired"], 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn min_coverage_fails_the_run_below_the_threshold_and_passes_at_it() {
    let dir = scratch("min-coverage");
    write_pack(&dir, RULES, &["act", "hold"]);
    let out = crm_rules(&["test", dir.to_str().unwrap(), "--min-coverage", "80"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("reach 66.7% of the declared rule ids, below --min-coverage 80%; never reached: r/t.never"),
        "{stderr}"
    );
    assert!(
        text(&out.stdout).contains("2 passed, 0 failed"),
        "the cases themselves pass"
    );
    let out = crm_rules(&["test", dir.to_str().unwrap(), "--min-coverage", "66"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = crm_rules(&["test", dir.to_str().unwrap(), "--min-coverage", "101"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn min_coverage_refuses_a_module_that_declares_no_rule_ids() {
    let dir = scratch("no-rules");
    write_pack(&dir, "", &["act"]);
    let out = crm_rules(&["test", dir.to_str().unwrap(), "--min-coverage", "0"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("module(s) r declare no rule ids"),
        "{stderr}"
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("t.act") && stdout.contains("(not declared)"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_undeclared_rule_id_is_bad_output_naming_the_nearest_declared_one() {
    let dir = scratch("undeclared-rule");
    write_pack(&dir, RULES, &[]);
    let context = dir.join("typo.json");
    let mut input: serde_json::Value = serde_json::from_str(CONTEXT).unwrap();
    input["params"] = serde_json::json!({"mode": "typo"});
    std::fs::write(&context, input.to_string()).unwrap();
    let out = crm_rules(&[
        "eval",
        dir.to_str().unwrap(),
        "--input",
        context.to_str().unwrap(),
    ]);
    let decision: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let error = &decision["errors"][0];
    assert_eq!(error["kind"], "bad-output", "{decision}");
    assert_eq!(
        error["message"],
        "actions[0]: rule id `t.akt` is not among the module's declared `rules` (did you mean \
         `t.act`?); declare it in pack.toml or fix the id"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_rules_list_that_is_empty_or_repeats_an_id_does_not_load() {
    for (rules, message) in [
        ("rules = []", "module `r` declares `rules = []`"),
        (
            r#"rules = ["t.act", "t.act"]"#,
            "rule id `t.act` is declared twice",
        ),
        (
            r#"rules = ["t.act", " "]"#,
            "`rules` holds an empty rule id",
        ),
    ] {
        let dir = scratch("bad-rules");
        write_pack(&dir, rules, &["act"]);
        let out = crm_rules(&["check", dir.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{rules}");
        assert!(
            text(&out.stderr).contains(message),
            "{rules}: {}",
            text(&out.stderr)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
