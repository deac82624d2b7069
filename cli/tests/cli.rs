//! The `crm-rules` binary end to end: exit codes and what it prints.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed expectation is the test failing"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "cli/arms.rs"]
mod arms;
#[path = "cli/batch_lines.rs"]
mod batch_lines;
#[path = "cli/bundle.rs"]
mod bundle;
#[path = "cli/ceilings.rs"]
mod ceilings;
#[path = "cli/cluster.rs"]
mod cluster;
#[path = "cli/coverage.rs"]
mod coverage;
#[path = "cli/diff.rs"]
mod diff;
#[path = "cli/diff_report.rs"]
mod diff_report;
#[path = "cli/exit_codes.rs"]
mod exit_codes;
#[path = "cli/explain.rs"]
mod explain;
#[path = "cli/fixture_from_log.rs"]
mod fixture_from_log;
#[path = "cli/init.rs"]
mod init;
#[path = "cli/messages.rs"]
mod messages;
#[path = "cli/output.rs"]
mod output;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The binary, to run in the repository's root.
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_crm-rules"));
    command.current_dir(root()).args(args);
    command
}

fn crm_rules(args: &[&str]) -> Output {
    command(args).output().expect("crm-rules runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An empty folder of the system's temporary folder, private to this process and `name`.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("crm-rules-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A scheduled context for [`write_pack`]'s rule, as JSON text.
const CONTEXT: &str = r#"{"now": "2026-03-17T14:00:00Z", "account": {"id": "a", "name": "A", "tier": "smb", "timezone": "UTC", "currency": "USD"}, "invoices": [], "payment_attempts": [], "activities": [], "promises": []}"#;

/// A pack in `dir` with one reminders module whose entry point returns `output` (a Rhai map), and
/// `fixtures/cases.json` holding `cases` (JSON text).
fn write_pack(dir: &Path, output: &str, cases: &str) {
    std::fs::create_dir_all(dir.join("fixtures")).unwrap();
    std::fs::write(
        dir.join("pack.toml"),
        "[pack]\nname = \"t\"\nversion = \"1\"\n[[modules]]\nid = \"r\"\nkind = \"reminders\"\nsource = \"r.rhai\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("r.rhai"),
        format!("fn evaluate_reminders(ctx) {{ {output} }}\n"),
    )
    .unwrap();
    std::fs::write(dir.join("fixtures/cases.json"), cases).unwrap();
}

#[test]
fn eval_prints_the_decision_with_rule_ids_keys_reasons_and_fuel() {
    let out = crm_rules(&[
        "eval",
        "rules/standard/rhai",
        "--input",
        "examples/closed-won.json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let decision: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let action = &decision["actions"][0];
    assert_eq!(action["rule"], "billing.closed-won");
    assert_eq!(action["key"], "bill:deal_1:won");
    assert_eq!(action["reason"], "deal closed-won");
    assert!(
        decision["cost"][0]["fuel"]
            .as_u64()
            .is_some_and(|fuel| fuel > 0)
    );
    assert!(
        decision["pack"]["hash"]
            .as_str()
            .is_some_and(|h| h.starts_with("sha256:"))
    );
}

#[test]
fn eval_names_the_field_path_of_bad_input() {
    let out = crm_rules(&[
        "eval",
        "rules/standard/rhai",
        "--input",
        "tests/bad-input/impossible-date.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("invoices[3].due_date"), "{stderr}");
    assert!(stderr.contains("2026-02-30"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn eval_refuses_a_parameter_the_pack_does_not_declare() {
    let out = crm_rules(&[
        "eval",
        "rules/standard/rhai",
        "--input",
        "tests/bad-input/unknown-param.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "params.sms_maxx: the pack declares no parameter \"sms_maxx\" (did you mean \"sms_max\"?)"
        ),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "no decision on the defaults");
}

#[test]
fn eval_reads_standard_input_and_reports_syntax_errors_with_a_line() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crm-rules"))
        .current_dir(root())
        .args(["eval", "rules/standard/rhai", "--input", "-"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    use std::io::Write as _;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"{\n  \"now\": \n}")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("line 3"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn check_points_at_the_script_line_and_column() {
    let out = crm_rules(&["check", "tests/hostile/syntax-error"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("broken.rhai:4:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn check_refuses_a_component_importing_wasi() {
    let out = crm_rules(&["check", "tests/hostile/wasi-import"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("wasi:cli/environment@0.2.0"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn check_accepts_the_standard_rhai_pack() {
    let out = crm_rules(&["check", "rules/standard/rhai"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("fixture cases"));
}

#[test]
fn check_refuses_a_fixture_that_overrides_an_undeclared_parameter() {
    let dir = std::env::temp_dir().join(format!("crm-rules-cli-params-{}", std::process::id()));
    let fixtures = dir.join("fixtures");
    std::fs::create_dir_all(&fixtures).unwrap();
    std::fs::write(
        dir.join("pack.toml"),
        "[pack]\nname = \"t\"\nversion = \"1\"\n[[modules]]\nid = \"r\"\nkind = \"reminders\"\nsource = \"r.rhai\"\n[params]\nsms_max = { USD = \"500.00\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("r.rhai"),
        "fn evaluate_reminders(ctx) { #{ actions: [] } }\n",
    )
    .unwrap();
    let input = r#"{"now": "2026-03-17T14:00:00Z", "account": {"id": "a", "name": "A", "tier": "smb", "timezone": "UTC", "currency": "USD"}, "invoices": [], "payment_attempts": [], "activities": [], "promises": [], "params": {"sms_maxx": {"USD": "1.00"}}}"#;
    std::fs::write(
        fixtures.join("cases.json"),
        format!(
            r#"{{"cases": [{{"name": "typo", "input": {input}, "expect": {{"actions": []}}}}]}}"#
        ),
    )
    .unwrap();
    let out = crm_rules(&["check", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "case `typo`: invalid input: params.sms_maxx: the pack declares no parameter"
        ),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn test_reports_a_readable_diff_and_exits_non_zero() {
    let dir = std::env::temp_dir().join(format!("crm-rules-cli-{}", std::process::id()));
    let fixtures = dir.join("fixtures");
    std::fs::create_dir_all(&fixtures).unwrap();
    std::fs::write(
        dir.join("pack.toml"),
        "[pack]\nname = \"t\"\nversion = \"1\"\n[[modules]]\nid = \"r\"\nkind = \"reminders\"\nsource = \"r.rhai\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("r.rhai"),
        "fn evaluate_reminders(ctx) { #{ actions: [#{ kind: \"no-action\", rule: \"t.noop\", key: \"k\", reason: \"r\" }] } }\n",
    )
    .unwrap();
    let input = r#"{"now": "2026-03-17T14:00:00Z", "account": {"id": "a", "name": "A", "tier": "smb", "timezone": "UTC", "currency": "USD"}, "invoices": [], "payment_attempts": [], "activities": [], "promises": []}"#;
    std::fs::write(
        fixtures.join("cases.json"),
        format!(
            r#"{{"cases": [
                {{"name": "passes", "input": {input}, "expect": {{"actions": [{{"kind": "no-action", "key": "k"}}]}}}},
                {{"name": "fails", "input": {input}, "expect": {{"actions": [{{"kind": "no-action", "key": "other"}}]}}}}
            ]}}"#
        ),
    )
    .unwrap();
    let junit = dir.join("junit.xml");
    let out = crm_rules(&[
        "test",
        dir.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("FAIL fails"), "{stdout}");
    assert!(
        stdout.contains(r#"actions[0].key: expected "other", got "k""#),
        "{stdout}"
    );
    assert!(
        stdout.trim_end().ends_with("1 passed, 1 failed"),
        "{stdout}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("tests=\"2\" failures=\"1\""), "{xml}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn batch_keeps_order_reports_bad_lines_and_goes_on() {
    let book = std::fs::read_to_string(root().join("examples/book.ndjson")).unwrap();
    let mut lines: Vec<&str> = book.lines().take(40).collect();
    lines.insert(
        7,
        r#"{"now": "2026-03-17T14:00:00Z", "account": {"id": "a"}}"#,
    );
    lines.insert(20, "{not json");
    let dir = std::env::temp_dir().join(format!("crm-rules-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("book.ndjson");
    let output = dir.join("out.ndjson");
    std::fs::write(&input, lines.join("\n")).unwrap();
    let out = crm_rules(&[
        "batch",
        "rules/standard/rhai",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--threads",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let results: Vec<serde_json::Value> = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(results.len(), 42);
    for (index, result) in results.iter().enumerate() {
        assert_eq!(result["line"], index as u64 + 1);
    }
    assert!(
        results[7]["error"]
            .as_str()
            .unwrap()
            .contains("account.name"),
        "{}",
        results[7]
    );
    assert!(
        results[20]["error"]
            .as_str()
            .unwrap()
            .contains("line 1 column 2"),
        "{}",
        results[20]
    );
    assert_eq!(results[21]["decision"]["context_id"], "random-19");
    assert!(
        text(&out.stderr).contains("42 contexts: 40 decisions, 2 bad input lines"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn eval_refuses_a_context_over_the_input_limit_before_parsing_it() {
    let dir = std::env::temp_dir().join(format!("crm-rules-input-limit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("huge.json");
    // 17 MiB of JSON (over the 16 MiB default): never parsed.
    std::fs::write(&input, format!("{{\"now\": \"{}\"}}", "x".repeat(17 << 20))).unwrap();
    let out = crm_rules(&[
        "eval",
        "rules/standard/rhai",
        "--input",
        input.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("the limit is 16777216"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn batch_decides_the_example_book_as_the_readme_shows() {
    let out = crm_rules(&[
        "batch",
        "rules/standard/rhai",
        "--input",
        "examples/book.ndjson",
        "--threads",
        "2",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON result per line"))
        .collect();
    assert_eq!(lines.len(), 200, "one result per context");
    for (index, line) in lines.iter().enumerate() {
        assert_eq!(line["line"], index + 1, "in input order");
        assert!(
            line["decision"]["errors"]
                .as_array()
                .is_some_and(Vec::is_empty),
            "{line}"
        );
    }
    let summary = text(&out.stderr);
    assert!(
        summary.starts_with("200 contexts: 200 decisions, 0 bad input lines, 0 rule errors"),
        "{summary}"
    );
}
