//! Exit codes as `--help` documents them, and `test` going on past what does not load.

use super::{CONTEXT, crm_rules, scratch, text, write_pack};

#[test]
fn every_help_states_the_exit_codes() {
    for command in [&[][..], &["eval"], &["batch"], &["test"], &["check"]] {
        let mut args = command.to_vec();
        args.push("--help");
        let out = crm_rules(&args);
        assert!(out.status.success(), "{args:?}");
        let help = text(&out.stdout);
        let codes = help
            .split_once("Exit status:")
            .map(|(_, codes)| codes)
            .unwrap_or_else(|| panic!("{args:?} --help has no exit status: {help}"));
        for code in ["\n  0  ", "\n  2  "] {
            assert!(codes.contains(code), "{args:?}: {help}");
        }
    }
}

#[test]
fn test_writes_junit_with_a_pack_that_does_not_load_and_runs_the_others() {
    let dir = scratch("junit-load-failure");
    let junit = dir.join("junit.xml");
    let out = crm_rules(&[
        "test",
        "tests/hostile/syntax-error",
        "rules/standard/rhai",
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("failed to load pack `tests/hostile/syntax-error`"),
        "{}",
        text(&out.stderr)
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout
            .trim_end()
            .ends_with(" passed, 0 failed, 1 not loaded"),
        "{stdout}"
    );
    let xml = std::fs::read_to_string(&junit).expect("the JUnit file is written");
    assert!(
        xml.contains(
            r#"<testsuite name="tests/hostile/syntax-error" tests="1" failures="0" errors="1">"#
        ),
        "{xml}"
    );
    assert!(xml.contains("broken.rhai:4:"), "{xml}");
    assert!(
        xml.contains(r#"<testsuite name="rules/standard/rhai""#),
        "the other pack's results are kept: {xml}"
    );
    assert!(xml.contains("scenario-01-closed-won-invoice-sent"), "{xml}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn test_goes_on_past_a_fixture_file_or_case_that_does_not_load() {
    let dir = scratch("fixture-load-failure");
    let passing =
        format!(r#"{{"name": "passes", "input": {CONTEXT}, "expect": {{"actions": []}}}}"#);
    let unreadable =
        format!(r#"{{"name": "typo-in-expect", "input": {CONTEXT}, "expect": {{"action": []}}}}"#);
    write_pack(
        &dir,
        "#{ actions: [] }",
        &format!(r#"{{"cases": [{passing}, {unreadable}]}}"#),
    );
    std::fs::write(dir.join("fixtures/broken.json"), "{\"cases\": [").unwrap();
    let junit = dir.join("junit.xml");
    let out = crm_rules(&[
        "test",
        dir.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("broken.json: invalid JSON"), "{stderr}");
    assert!(
        stderr.contains(
            "cases.json: case `typo-in-expect`: `expect` cannot be read: unknown field `action`"
        ),
        "{stderr}"
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout
            .trim_end()
            .ends_with("1 passed, 0 failed, 2 not loaded"),
        "{stdout}"
    );
    let xml = std::fs::read_to_string(&junit).expect("the JUnit file is written");
    assert!(
        xml.contains(r#"tests="3" failures="0" errors="2""#),
        "{xml}"
    );
    assert!(xml.contains(r#"name="passes"/>"#), "{xml}");
    std::fs::remove_dir_all(&dir).unwrap();
}
