//! `crm-rules diff CHAMPION CHALLENGER --input BOOK`: both packs on every context, and what differs.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{crm_rules, root, scratch, text};

/// A copy of the standard Rhai pack in `dir`, named `standard-next`, with `followup_days_past_due`
/// set to `days` (15 in the standard pack).
fn standard_with_followup_after(dir: &Path, days: u32) -> PathBuf {
    let pack = dir.join("next");
    std::fs::create_dir_all(&pack).unwrap();
    for entry in std::fs::read_dir(root().join("rules/standard/rhai")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, pack.join(path.file_name().unwrap())).unwrap();
        }
    }
    let manifest = std::fs::read_to_string(pack.join("pack.toml")).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        manifest.replace("name = \"standard-rhai\"", "name = \"standard-next\""),
    )
    .unwrap();
    let params = std::fs::read_to_string(root().join("rules/standard/params.toml")).unwrap();
    let changed = params.replace(
        "followup_days_past_due = 15",
        &format!("followup_days_past_due = {days}"),
    );
    assert!(
        days == 15 || changed != params,
        "the threshold is in params.toml"
    );
    std::fs::write(dir.join("params.toml"), changed).unwrap();
    pack
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect()
}

#[test]
fn an_unchanged_policy_differs_in_nothing() {
    let dir = scratch("diff-same");
    let next = standard_with_followup_after(&dir, 15);
    let out = crm_rules(&[
        "diff",
        "rules/standard/rhai",
        next.to_str().unwrap(),
        "--input",
        "examples/book.ndjson",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["contexts"], 200);
    assert_eq!(summary["compared"], 200);
    assert_eq!(summary["changed"], 0);
    assert_eq!(summary["examples"], Value::Array(vec![]));
    for counts in summary["kinds"].as_object().unwrap().values() {
        assert_eq!(counts["champion"], counts["challenger"]);
    }
    assert_ne!(summary["champion"]["hash"], summary["challenger"]["hash"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_lower_threshold_shows_each_changed_context_and_the_same_on_any_number_of_threads() {
    let dir = scratch("diff-threshold");
    let next = standard_with_followup_after(&dir, 10);
    let run = |threads: &str, output: &Path| {
        let out = crm_rules(&[
            "diff",
            "rules/standard/rhai",
            next.to_str().unwrap(),
            "--input",
            "examples/book.ndjson",
            "--output",
            output.to_str().unwrap(),
            "--json",
            "--threads",
            threads,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let one = run("1", &dir.join("one.ndjson"));
    let two = run("2", &dir.join("two.ndjson"));
    assert_eq!(one, two, "the summary does not depend on threads");
    let changed = std::fs::read_to_string(dir.join("one.ndjson")).unwrap();
    assert_eq!(
        changed,
        std::fs::read_to_string(dir.join("two.ndjson")).unwrap()
    );
    let changed = json_lines(&changed);
    assert!(!changed.is_empty());
    assert_eq!(one["changed"], changed.len());
    // Only escalation's follow-up tasks move: each changed context trades a task keyed at 15 days
    // for one keyed at 10, or gains one, and nothing else changes.
    let tasks = &one["kinds"]["create-task"];
    assert!(tasks["added"].as_u64().unwrap() > 0, "{tasks}");
    for (kind, counts) in one["kinds"].as_object().unwrap() {
        if kind != "create-task" {
            assert_eq!(
                (&counts["added"], &counts["removed"]),
                (&0.into(), &0.into()),
                "{kind}"
            );
        }
    }
    let mut lines = Vec::new();
    for diff in &changed {
        lines.push(diff["line"].as_u64().unwrap());
        for action in diff["added"].as_array().unwrap() {
            assert_eq!(action["kind"], "create-task");
            assert!(action["key"].as_str().unwrap().contains(":10:"), "{action}");
        }
        for action in diff["removed"].as_array().into_iter().flatten() {
            assert!(action["key"].as_str().unwrap().contains(":15:"), "{action}");
        }
    }
    assert!(
        lines.windows(2).all(|pair| pair[0] < pair[1]),
        "in input order"
    );
    assert_eq!(
        one["examples"][0], changed[0],
        "the first change is the first example"
    );
    // The table on a terminal names the same figures.
    let out = crm_rules(&[
        "diff",
        "rules/standard/rhai",
        next.to_str().unwrap(),
        "--input",
        "examples/book.ndjson",
    ]);
    let table = text(&out.stdout);
    assert!(
        table.contains(&format!("200 compared, {} changed", changed.len())),
        "{table}"
    );
    assert!(table.contains("+ create-task esc:"), "{table}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_lines_and_fields_only_one_pack_declares_are_counted_per_side_never_dropped() {
    let dir = scratch("diff-vocabulary");
    let next = dir.join("first-next");
    std::fs::create_dir_all(next.join("fixtures")).unwrap();
    let first = root().join("examples/packs/first-pack");
    std::fs::copy(first.join("overdue.rhai"), next.join("overdue.rhai")).unwrap();
    let manifest = std::fs::read_to_string(first.join("pack.toml")).unwrap();
    std::fs::write(
        next.join("pack.toml"),
        manifest.replace("name = \"first-pack\"", "name = \"first-next\"")
            + "\n[vocabulary.fields.account]\ncredit_rating = \"text\"\n",
    )
    .unwrap();
    let context: Value =
        serde_json::from_str(&std::fs::read_to_string(first.join("try.json")).unwrap()).unwrap();
    let mut rated = context.clone();
    rated["account"]["fields"] = serde_json::json!({"credit_rating": "B"});
    let book = format!("{context}\n{{not json\n{rated}\n\n{context}\n");
    let book_path = dir.join("book.ndjson");
    std::fs::write(&book_path, book).unwrap();
    let output = dir.join("changed.ndjson");
    let out = crm_rules(&[
        "diff",
        first.to_str().unwrap(),
        next.to_str().unwrap(),
        "--input",
        book_path.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "unreadable lines: {}",
        text(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["contexts"], 5);
    assert_eq!(summary["compared"], 2);
    assert_eq!(
        summary["input_errors"],
        serde_json::json!({"champion": 1, "challenger": 0, "both": 2})
    );
    let reported = json_lines(&std::fs::read_to_string(&output).unwrap());
    let lines: Vec<u64> = reported
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        lines,
        vec![2, 3, 4],
        "every unreadable line, with its number"
    );
    let rated_line = &reported[1];
    assert!(
        rated_line["champion_error"]
            .as_str()
            .unwrap()
            .contains("account.fields.credit_rating"),
        "{rated_line}"
    );
    assert_eq!(rated_line.get("challenger_error"), None);
    assert!(
        reported[2]["champion_error"]
            .as_str()
            .unwrap()
            .contains("blank")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_pack_or_book_is_a_usage_error() {
    let out = crm_rules(&[
        "diff",
        "rules/standard/rhai",
        "rules/no-such-pack",
        "--input",
        "examples/book.ndjson",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("rules/no-such-pack"),
        "{}",
        text(&out.stderr)
    );
    let out = crm_rules(&[
        "diff",
        "rules/standard/rhai",
        "rules/standard/rust",
        "--input",
        "no-such-book.ndjson",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no-such-book.ndjson"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_readme_walkthrough_runs_and_quotes_what_diff_prints() {
    let dir = scratch("diff-walkthrough");
    let next = dir.join("standard-next");
    copy_tree(&root().join("rules/standard"), &next);
    let edit = |file: &str, from: &str, to: &str| {
        let path = next.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} has {from}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    };
    edit(
        "params.toml",
        "collections_days_past_due = 60",
        "collections_days_past_due = 45",
    );
    edit(
        "rhai/pack.toml",
        "name = \"standard-rhai\"",
        "name = \"standard-next\"",
    );
    let next_rhai = next.join("rhai");
    let out = crm_rules(&["test", next_rhai.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert!(stdout.ends_with("162 passed, 1 failed\n"), "{stdout}");
    assert!(stdout.contains("FAIL e1-60-days-collections"), "{stdout}");
    let report = dir.join("report.html");
    let out = crm_rules(&[
        "diff",
        "rules/standard/rhai",
        next_rhai.to_str().unwrap(),
        "--input",
        "examples/book.ndjson",
        "--examples",
        "2",
        "--html",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let printed = text(&out.stdout);
    assert!(
        readme.contains(&format!("```text\n{printed}```")),
        "the README's walkthrough must quote what diff prints; copy it again:\n{printed}"
    );
    assert!(std::fs::metadata(&report).unwrap().len() > 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Copies the files of `from` into `to`, folders included, except build output (`target`).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        if path.is_dir() {
            if name != "target" {
                copy_tree(&path, &to.join(name));
            }
        } else {
            std::fs::copy(&path, to.join(name)).unwrap();
        }
    }
}
