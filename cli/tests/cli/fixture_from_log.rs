//! `crm-rules fixture from-log`: logged decisions (batch output with inputs kept, or a decision
//! log) become fixture cases that `crm-rules test` runs.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

use super::{crm_rules, root, scratch, text};

/// Copies the folder `from` into `to`, recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A copy of `examples/packs/first-pack` in `dir`, and the log of `crm-rules batch --keep-input`
/// over a book of four lines: acc_1 (a task for inv_1), acc_2 (a task for inv_9), acc_3 (VIP:
/// inv_1 suppressed), and a line that is not JSON.
fn setup(dir: &Path) -> (PathBuf, PathBuf) {
    let pack = dir.join("first-pack");
    copy_dir(&root().join("examples/packs/first-pack"), &pack);
    let context: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/packs/first-pack/try.json")).unwrap(),
    )
    .unwrap();
    let mut lines = Vec::new();
    for account in ["acc_1", "acc_2", "acc_3"] {
        let mut context = context.clone();
        context["account"]["id"] = json!(account);
        if account == "acc_2" {
            context["invoices"][0]["id"] = json!("inv_9");
        }
        if account == "acc_3" {
            context["account"]["tags"] = json!(["vip"]);
        }
        lines.push(context.to_string());
    }
    lines.push("{not json".to_owned());
    let book = dir.join("book.ndjson");
    std::fs::write(&book, lines.join("\n") + "\n").unwrap();
    let log = dir.join("decisions.ndjson");
    let out = crm_rules(&[
        "batch",
        "examples/packs/first-pack",
        "--input",
        book.to_str().unwrap(),
        "--output",
        log.to_str().unwrap(),
        "--keep-input",
        "--threads",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    (pack, log)
}

/// `crm-rules fixture from-log LOG --pack PACK ARGS...`.
fn from_log(log: &Path, pack: &Path, args: &[&str]) -> Output {
    let mut all = vec![
        "fixture",
        "from-log",
        log.to_str().unwrap(),
        "--pack",
        pack.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    crm_rules(&all)
}

/// The log's lines, as JSON.
fn log_lines(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The cases of the pack's `fixtures/disputed.json`.
fn disputed(pack: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(pack.join("fixtures/disputed.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["cases"]
        .as_array()
        .unwrap()
        .clone()
}

fn names(cases: &[Value]) -> Vec<&str> {
    cases
        .iter()
        .map(|case| case["name"].as_str().unwrap())
        .collect()
}

/// Runs `crm-rules test` on `pack` and checks that every case passes, `extra` of them beyond the
/// example's own.
fn assert_test_passes(pack: &Path, extra: usize) {
    let own = std::fs::read_to_string(pack.join("fixtures/overdue.json")).unwrap();
    let own = serde_json::from_str::<Value>(&own).unwrap()["cases"]
        .as_array()
        .unwrap()
        .len();
    let out = crm_rules(&["test", pack.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.ends_with(&format!("{} passed, 0 failed\n", own + extra)),
        "{stdout}"
    );
}

#[test]
fn cases_selected_by_account_line_and_key_are_the_logged_decisions_and_pass() {
    let dir = scratch("from-log-select");
    let (pack, log) = setup(&dir);
    let logged = log_lines(&log);
    for (args, name) in [
        (["--account", "acc_1"], "disputed-account-acc_1-line-1"),
        (["--line", "3"], "disputed-account-acc_3-line-3"),
        (
            ["--key", "task:inv_9:overdue"],
            "disputed-account-acc_2-line-2",
        ),
    ] {
        let out = from_log(&log, &pack, &args);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert!(
            stdout.contains(&format!("ok   {name}: reproduces the logged decision")),
            "{stdout}"
        );
        assert!(stdout.contains("1 case written to `"), "{stdout}");
        assert!(stdout.contains("1 reproduces, 0 differ"), "{stdout}");
        assert!(
            !text(&out.stderr).contains("warning"),
            "{}",
            text(&out.stderr)
        );
    }
    let cases = disputed(&pack);
    assert_eq!(
        names(&cases),
        [
            "disputed-account-acc_1-line-1",
            "disputed-account-acc_3-line-3",
            "disputed-account-acc_2-line-2"
        ]
    );
    // The input is the logged context, whole; the expectation the logged decision, exact.
    let (case, entry) = (&cases[0], &logged[0]);
    assert_eq!(case["input"], entry["input"]);
    let decision = &entry["decision"];
    assert_eq!(case["expect"]["actions"], decision["actions"]);
    assert_eq!(case["expect"]["actions"][0]["module"], "overdue");
    assert_eq!(case["expect"]["suppressed"], json!([]));
    assert_eq!(case["expect"]["status"], "complete");
    assert_eq!(
        case["expect"]["next_evaluation_at"],
        decision["next_evaluation_at"]
    );
    assert!(case["expect"].get("errors").is_none(), "{case}");
    assert!(case["expect"].get("max_fuel").is_none(), "{case}");
    let description = case["description"].as_str().unwrap();
    assert!(
        description.contains("decisions.ndjson` line 1"),
        "{description}"
    );
    assert!(
        description.contains(decision["pack"]["hash"].as_str().unwrap()),
        "{description}"
    );
    assert_eq!(
        cases[1]["expect"]["suppressed"][0]["reason"], "vip-account",
        "{}",
        cases[1]
    );
    assert_eq!(cases[1]["expect"]["actions"], json!([]));
    assert_test_passes(&pack, 3);
    // Selectors of different kinds must all match.
    let out = from_log(&log, &pack, &["--account", "acc_1", "--line", "2"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_decision_log_line_becomes_a_case_named_by_its_request() {
    let dir = scratch("from-log-decision-log");
    let (pack, log) = setup(&dir);
    let logged = log_lines(&log);
    // The sidecar's `--decision-log` shape: one `/evaluate` request, one line of a batch request.
    let line = |request: &str, line: Option<u64>, entry: &Value| {
        let decision = &entry["decision"];
        let mut fields = json!({
            "at_unix_ms": 1_773_756_000_000_u64,
            "request_id": request,
            "pack": {"name": decision["pack"]["name"], "hash": decision["pack"]["hash"]},
        });
        if let Some(line) = line {
            fields["line"] = json!(line);
        }
        fields["latency_us"] = json!(180);
        fields["input"] = entry["input"].clone();
        fields["decision"] = decision.clone();
        fields.to_string()
    };
    let decision_log = dir.join("decision-log.ndjson");
    let text_of_log = [
        line("req-7", None, &logged[1]),
        line("req-8", Some(1), &logged[0]),
    ]
    .join("\n");
    std::fs::write(&decision_log, text_of_log + "\n").unwrap();
    let out = from_log(&decision_log, &pack, &["--request-id", "req-7"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = from_log(
        &decision_log,
        &pack,
        &[
            "--request-id",
            "req-8",
            "--line",
            "1",
            "--name",
            "Complaint 12",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let cases = disputed(&pack);
    assert_eq!(
        names(&cases),
        [
            "disputed-account-acc_2-request-req-7",
            "complaint-12-account-acc_1-request-req-8-line-1"
        ]
    );
    let description = cases[0]["description"].as_str().unwrap();
    assert!(
        description.contains("request req-7, at 2026-03-17T14:00:00Z"),
        "{description}"
    );
    assert_eq!(cases[0]["input"], logged[1]["input"]);
    assert_test_passes(&pack, 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_log_lines_are_reported_with_their_numbers_and_counted() {
    let dir = scratch("from-log-bad-lines");
    let (pack, log) = setup(&dir);
    let logged = std::fs::read_to_string(&log).unwrap();
    let first = logged.lines().next().unwrap();
    let without_input = json!({"line": 9, "decision": {"actions": []}}).to_string();
    let broken = dir.join("broken.ndjson");
    std::fs::write(
        &broken,
        format!("{first}\n{{\"line\": 2, \"decisi\n\n{without_input}\n"),
    )
    .unwrap();
    let out = from_log(&broken, &pack, &["--account", "acc_1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("broken.ndjson` line 2: not JSON (EOF while parsing"),
        "{stderr}"
    );
    assert!(stderr.contains("line 3: a blank line; skipped"), "{stderr}");
    assert!(
        stderr.contains(
            "line 4: a decision without its `input`: run `crm-rules batch` with `--keep-input`"
        ),
        "{stderr}"
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("1 reproduces, 0 differ; 3 bad lines of the log skipped"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn nothing_selected_or_no_match_exits_2_and_writes_nothing() {
    let dir = scratch("from-log-no-match");
    let (pack, log) = setup(&dir);
    let out = from_log(&log, &pack, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("give --account, --key, --line or --request-id"),
        "{}",
        text(&out.stderr)
    );
    let out = from_log(&log, &pack, &["--account", "acc_404", "--key", "k"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "matches --account acc_404, and --key k; read 4 lines: 3 decisions, 1 input error \
             line, 0 bad lines"
        ),
        "{stderr}"
    );
    // Line 4 of the book was not JSON: an input error, not a decision.
    let out = from_log(&log, &pack, &["--line", "4"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("line 4 (book line 4) is an input error, not a decision"),
        "{stderr}"
    );
    assert!(!pack.join("fixtures/disputed.json").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_case_name_taken_gets_a_suffix_and_a_file_with_a_base_is_refused() {
    let dir = scratch("from-log-collision");
    let (pack, log) = setup(&dir);
    for _ in 0..2 {
        let out = from_log(&log, &pack, &["--account", "acc_1", "--file", "disputed"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    assert_eq!(
        names(&disputed(&pack)),
        [
            "disputed-account-acc_1-line-1",
            "disputed-account-acc_1-line-1-2"
        ]
    );
    assert_test_passes(&pack, 2);
    let out = from_log(&log, &pack, &["--account", "acc_1", "--file", "overdue"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("has a `base`"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_changed_pack_is_warned_about_and_a_decision_it_no_longer_makes_is_a_diff() {
    let dir = scratch("from-log-changed");
    let (pack, log) = setup(&dir);
    let logged_hash = log_lines(&log)[0]["decision"]["pack"]["hash"]
        .as_str()
        .unwrap()
        .to_owned();
    let rules = pack.join("overdue.rhai");
    let source = std::fs::read_to_string(&rules).unwrap();
    std::fs::write(&rules, format!("{source}// reviewed\n")).unwrap();
    let out = from_log(&log, &pack, &["--account", "acc_1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "warning: the pack has changed since this decision was logged: the case records what \
             the logged version decided"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("decided by {logged_hash};")),
        "{stderr}"
    );
    assert!(stderr.contains("is now sha256:"), "{stderr}");
    assert!(text(&out.stdout).contains("1 reproduces"));
    // The policy now waits 40 days: the logged task is not made any more.
    let manifest = pack.join("pack.toml");
    let toml = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        toml.replace("task_after_days = 30", "task_after_days = 40"),
    )
    .unwrap();
    let out = from_log(&log, &pack, &["--account", "acc_2"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("DIFF disputed-account-acc_2-line-2: the pack now decides otherwise"),
        "{stdout}"
    );
    assert!(stdout.contains("0 reproduce, 1 differs"), "{stdout}");
    let out = crm_rules(&["test", pack.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_challengers_decision_is_refused_for_another_pack_unless_allowed() {
    let dir = scratch("from-log-challenger");
    let (pack, log) = setup(&dir);
    let mut entry = log_lines(&log)[0].clone();
    entry["decision"]["pack"]["name"] = json!("first-pack-next");
    entry["decision"]["arm"] = json!("challenger");
    let challenger_log = dir.join("arms.ndjson");
    std::fs::write(&challenger_log, format!("{entry}\n")).unwrap();
    let out = from_log(&challenger_log, &pack, &["--line", "1"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("log line 1: decided by pack `first-pack-next`, not by `first-pack`"),
        "{stderr}"
    );
    assert!(stderr.contains("the challenger arm made it"), "{stderr}");
    assert!(!pack.join("fixtures/disputed.json").exists());
    let out = from_log(
        &challenger_log,
        &pack,
        &["--line", "1", "--allow-other-pack"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("recorded in `first-pack` all the same"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(disputed(&pack).len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
