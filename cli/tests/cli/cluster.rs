//! The command line inside a cluster job: keys that join results back to their rows, bad rows that
//! do not fail a task, an explicit compile cache (and a warning when there is none), and an
//! instance pool that reserves no address space.

use std::process::Command;

use serde_json::Value;

use super::{command, root, scratch, text};

/// The example book with each line given a row key `row` (`r-1`, `r-2`, ...), and a bad line (with
/// a key) and a line that is not JSON after the first two.
fn keyed_book() -> String {
    let book = std::fs::read_to_string(root().join("examples/book.ndjson")).unwrap();
    let mut lines: Vec<String> = book
        .lines()
        .take(4)
        .enumerate()
        .map(|(index, line)| {
            let mut context: Value = serde_json::from_str(line).unwrap();
            context["row"] = format!("r-{}", index + 1).into();
            context.to_string()
        })
        .collect();
    lines.insert(2, r#"{"row": "r-bad", "now": "yesterday"}"#.to_owned());
    lines.insert(3, "{not json".to_owned());
    lines.join("\n") + "\n"
}

fn run_with_stdin(mut command: Command, stdin: &str) -> std::process::Output {
    use std::io::Write as _;
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn every_result_line_carries_its_rows_key_and_bad_rows_need_not_fail_the_task() {
    let args = [
        "batch",
        "rules/standard/rhai",
        "--input",
        "-",
        "--id-field",
        "row",
    ];
    let out = run_with_stdin(command(&args), &keyed_book());
    assert_eq!(out.status.code(), Some(1), "bad lines fail by default");
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let keys: Vec<&Value> = lines.iter().map(|line| &line["id"]).collect();
    assert_eq!(
        keys,
        [
            &Value::from("r-1"),
            &Value::from("r-2"),
            &Value::from("r-bad"),
            &Value::Null,
            &Value::from("r-3"),
            &Value::from("r-4")
        ]
    );
    assert!(
        lines[0]["decision"].is_object(),
        "the key is not read as a context field"
    );
    assert!(
        lines[2]["error"].as_str().unwrap().contains("now"),
        "{}",
        lines[2]
    );
    assert!(lines[3]["error"].is_string());
    // Kept inputs are the contexts as read, without the key: they replay as they were decided.
    let mut kept = command(&args);
    kept.arg("--keep-input");
    let out = run_with_stdin(kept, &keyed_book());
    let first: Value = serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], "r-1");
    assert_eq!(first["input"].get("row"), None, "{}", first["input"]);
    assert!(first["input"]["now"].is_string());
    let mut allowed = command(&args);
    allowed.arg("--allow-bad-lines");
    let out = run_with_stdin(allowed, &keyed_book());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).lines().count(),
        6,
        "bad rows are still reported"
    );
}

#[test]
fn the_contexts_own_id_can_be_the_key() {
    let book = std::fs::read_to_string(root().join("examples/book.ndjson")).unwrap();
    let first = book.lines().next().unwrap();
    let args = [
        "batch",
        "rules/standard/rhai",
        "--input",
        "-",
        "--id-field",
        "id",
    ];
    let out = run_with_stdin(command(&args), first);
    let line: Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    let context: Value = serde_json::from_str(first).unwrap();
    assert_eq!(line["id"], context["id"]);
    assert_eq!(line["decision"]["context_id"], context["id"]);
}

#[test]
fn without_a_cache_a_component_pack_warns_and_with_cache_dir_it_compiles_once() {
    let dir = scratch("cluster-cache");
    let cache = dir.join("cache");
    let eval = |extra: &[&str]| {
        let mut command = command(&[
            "eval",
            "rules/standard/rust",
            "--input",
            "examples/closed-won.json",
        ]);
        command.args(extra);
        // As Spark's `RDD.pipe` starts a command: an empty environment.
        command.env_clear();
        command.output().unwrap()
    };
    let out = eval(&[]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("warning: no compile cache") && stderr.contains("give --cache-dir DIR"),
        "{stderr}"
    );
    let out = eval(&["--cache-dir", cache.to_str().unwrap()]);
    assert_eq!(text(&out.stderr), "", "compiled into the cache, no warning");
    let entries = std::fs::read_dir(&cache).unwrap().count();
    assert!(entries >= 1, "the cache holds the component");
    let out = eval(&[
        "--cache-dir",
        cache.to_str().unwrap(),
        "--instance-pool",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let decision: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        decision["status"], "complete",
        "on-demand instances decide the same"
    );
    // A Rhai pack compiles nothing: no warning even without a cache.
    let mut rhai = command(&[
        "eval",
        "rules/standard/rhai",
        "--input",
        "examples/closed-won.json",
    ]);
    rhai.env_clear();
    assert_eq!(text(&rhai.output().unwrap().stderr), "");
    std::fs::remove_dir_all(&dir).unwrap();
}
