//! Error text: what a failing case did, TOML errors that keep their snippet, input encodings.

use super::{CONTEXT, crm_rules, scratch, text, write_pack};

#[test]
fn a_failing_case_shows_the_actual_suppressed_list() {
    let dir = scratch("suppressed");
    write_pack(
        &dir,
        r#"#{ actions: [], suppressed: [#{ rule: "t.quiet", subject_id: "inv_9", reason: "dispute-open" }] }"#,
        &format!(
            r#"{{"cases": [{{"name": "expects-none", "input": {CONTEXT}, "expect": {{"actions": [], "suppressed": []}}}}]}}"#
        ),
    );
    let out = crm_rules(&["test", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let shown = stdout
        .split_once("  actual suppressed:\n")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no actual suppressed list: {stdout}"));
    assert!(
        shown.starts_with(r#"    {"rule":"t.quiet","subject_id":"inv_9","reason":"dispute-open""#),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failing_absent_or_contains_names_the_entries_and_exits_1() {
    let dir = scratch("absent");
    write_pack(
        &dir,
        r#"#{ actions: [#{ kind: "hold-for-review", rule: "t.hold", key: "hold:a", reason: "test", queue: "billing", subject_id: "a" }] }"#,
        &format!(
            r#"{{"cases": [
                {{"name": "forbids-holds", "input": {CONTEXT},
                  "expect": {{"absent": {{"actions": [{{"kind": "hold-for-review"}}]}}}}}},
                {{"name": "wants-the-finance-queue", "input": {CONTEXT},
                  "expect": {{"contains": {{"actions": [{{"kind": "hold-for-review", "queue": "finance"}}]}}}}}},
                {{"name": "allows-others", "input": {CONTEXT},
                  "expect": {{"absent": {{"actions": [{{"kind": "create-invoice"}}]}}}}}}
            ]}}"#
        ),
    );
    let junit = dir.join("junit.xml");
    let out = crm_rules(&[
        "test",
        dir.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let absent = "FAIL forbids-holds (";
    let message = "  absent.actions[0]: expected no action matching {\"kind\":\"hold-for-review\"}, \
                   got actions[0] hold-for-review hold:a (t.hold)\n";
    assert!(stdout.contains(absent), "{stdout}");
    assert!(stdout.contains(message), "{stdout}");
    let contains = "  contains.actions[0]: expected an action matching \
                    {\"kind\":\"hold-for-review\",\"queue\":\"finance\"}, found none\n    \
                    - actions[0] hold-for-review hold:a (t.hold): queue: expected \"finance\", got \
                    \"billing\"\n";
    assert!(stdout.contains(contains), "{stdout}");
    assert!(!stdout.contains("FAIL allows-others"), "{stdout}");
    assert!(
        stdout.trim_end().ends_with("1 passed, 2 failed"),
        "{stdout}"
    );
    let xml = std::fs::read_to_string(&junit).expect("the JUnit file is written");
    assert!(
        xml.contains(
            "absent.actions[0]: expected no action matching {&quot;kind&quot;:&quot;hold-for-review&quot;}, \
             got actions[0] hold-for-review hold:a (t.hold)"
        ),
        "{xml}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn toml_errors_keep_their_snippet_on_lines_of_its_own() {
    let dir = scratch("toml-snippet");
    std::fs::write(
        dir.join("pack.toml"),
        "[pack]\nname = \"t\"\nversion = \"1\"\nparams_file = \"params.toml\"\n\n[[modules]]\nid = \"r\"\nmodle = \"x\"\n",
    )
    .unwrap();
    let out = crm_rules(&["check", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].ends_with("pack.toml`: line 8, column 1: unknown field `modle`, expected one of `id`, `kind`, `source`, `triggers`, `entry`, `on_error`, `rules`"),
        "{stderr}"
    );
    assert_eq!(
        lines[1..],
        ["  |", "8 | modle = \"x\"", "  | ^^^^^"],
        "{stderr}"
    );
    // The same for a parameter file.
    std::fs::write(
        dir.join("pack.toml"),
        "[pack]\nname = \"t\"\nversion = \"1\"\nparams_file = \"params.toml\"\n\n[[modules]]\nid = \"r\"\nkind = \"reminders\"\nsource = \"r.rhai\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("params.toml"), "sms_max = { USD = \"500.00\"\n").unwrap();
    let out = crm_rules(&["check", dir.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].contains("params.toml`: line 1, column "),
        "{stderr}"
    );
    assert_eq!(lines[2], "1 | sms_max = { USD = \"500.00\"", "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn eval_skips_a_utf8_byte_order_mark() {
    let dir = scratch("bom");
    let input = dir.join("windows.json");
    let context = std::fs::read(super::root().join("examples/closed-won.json")).unwrap();
    std::fs::write(&input, [&b"\xEF\xBB\xBF"[..], &context].concat()).unwrap();
    let out = crm_rules(&[
        "eval",
        "rules/standard/rhai",
        "--input",
        input.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let decision: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decision["actions"][0]["key"], "bill:deal_1:won");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn eval_refuses_utf16_with_a_hint_and_locates_bytes_that_are_not_utf8() {
    let dir = scratch("utf16");
    let context = std::fs::read_to_string(super::root().join("examples/closed-won.json")).unwrap();
    let input = dir.join("utf16.json");
    let utf16: Vec<u8> = context.encode_utf16().flat_map(u16::to_le_bytes).collect();
    for bytes in [[&b"\xFF\xFE"[..], &utf16].concat(), utf16.clone()] {
        std::fs::write(&input, bytes).unwrap();
        let out = crm_rules(&[
            "eval",
            "rules/standard/rhai",
            "--input",
            input.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stderr).contains("the input looks like UTF-16; save it as UTF-8"),
            "{}",
            text(&out.stderr)
        );
    }
    // "Acme Corpé" saved as Latin-1: the é is the single byte 0xE9.
    let mut latin1 = context.replacen("Acme Corp", "Acme Corp?", 1).into_bytes();
    let at = latin1.iter().position(|byte| *byte == b'?').unwrap();
    latin1[at] = 0xE9;
    std::fs::write(&input, latin1).unwrap();
    let out = crm_rules(&[
        "eval",
        "rules/standard/rhai",
        "--input",
        input.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("line 5 column 38: the input is not valid UTF-8 (byte 0xE9)"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
