//! Standard output that goes away: a closed pipe ends the output quietly with the run's own exit
//! code; a full disk is an error message and exit 2. Never a panic (exit 101).

use std::process::{Output, Stdio};

use super::{CONTEXT, command, scratch, text, write_pack};

/// Runs `args` with standard output a pipe whose reading end is already closed, as `| head -1`
/// leaves it once `head` has its line (here before the first write, so it is certain).
fn into_closed_pipe(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    command(args)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .expect("crm-rules runs")
}

/// Runs `args` with standard output `/dev/full`, where every write fails with ENOSPC.
fn into_full_disk(args: &[&str]) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    command(args)
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .expect("crm-rules runs")
}

#[test]
fn a_closed_pipe_ends_each_command_quietly_with_its_own_exit_code() {
    let runs: [(&[&str], i32); 4] = [
        (&["test", "-v", "rules/standard/rhai"], 0),
        (
            &[
                "eval",
                "rules/standard/rhai",
                "--input",
                "examples/closed-won.json",
            ],
            0,
        ),
        (&["check", "rules/standard/rhai"], 0),
        (&["--help"], 0),
    ];
    for (args, code) in runs {
        let out = into_closed_pipe(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

#[test]
fn a_closed_pipe_keeps_the_exit_code_of_a_failing_run() {
    let dir = scratch("closed-pipe-failing");
    write_pack(
        &dir,
        "#{ actions: [] }",
        &format!(
            r#"{{"cases": [{{"name": "fails", "input": {CONTEXT}, "expect": {{"actions": [{{"kind": "no-action"}}]}}}}]}}"#
        ),
    );
    let out = into_closed_pipe(&["test", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let book = dir.join("book.ndjson");
    std::fs::write(&book, format!("{CONTEXT}\n{{not json\n")).unwrap();
    let out = into_closed_pipe(&["batch", dir.to_str().unwrap(), "-i", book.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).starts_with("2 contexts: 1 decisions, 1 bad input lines"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_full_disk_is_an_error_naming_standard_output_and_exit_2() {
    let runs: [&[&str]; 5] = [
        &["test", "rules/standard/rhai"],
        &[
            "eval",
            "rules/standard/rhai",
            "--input",
            "examples/closed-won.json",
        ],
        &[
            "batch",
            "rules/standard/rhai",
            "--input",
            "examples/book.ndjson",
        ],
        &["check", "rules/standard/rhai"],
        &["--help"],
    ];
    for args in runs {
        let out = into_full_disk(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("failed to write to standard output: No space left on device"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
