//! The README's embedding example is `host/examples/embed.rs`; this compiles and runs it, and checks
//! that the README shows it verbatim.

#[expect(
    dead_code,
    reason = "the example's `main` is for `cargo run --example`"
)]
#[path = "../../host/examples/embed.rs"]
mod embed;

#[test]
fn embedding_example_runs_and_decides() {
    let root = crm_rules_tests::root();
    let pack = root.join("rules/standard/rhai");
    let input = root.join("examples/closed-won.json");
    let decision = embed::run(
        pack.to_str().expect("utf-8 path"),
        input.to_str().expect("utf-8 path"),
    )
    .expect("the example runs");
    assert_eq!(decision["actions"][0]["key"], "bill:deal_1:won");
    assert_eq!(decision["status"], "complete");
}

#[test]
fn readme_shows_the_example_verbatim() {
    let root = crm_rules_tests::root();
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    let example = std::fs::read_to_string(root.join("host/examples/embed.rs")).expect("example");
    let body = example
        .split_once("use crm_rules_host")
        .map(|(_, rest)| format!("use crm_rules_host{rest}"))
        .expect("example body");
    assert!(
        readme.contains(body.trim()),
        "README.md must contain host/examples/embed.rs from its first `use` on; copy it again"
    );
}

#[test]
fn readme_shows_the_guest_example_verbatim() {
    let root = crm_rules_tests::root();
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    let example =
        std::fs::read_to_string(root.join("guest-sdk/examples/overdue_task.rs")).expect("example");
    let body = example
        .split_once("use crm_rules_guest")
        .and_then(|(_, rest)| rest.split_once("fn main()"))
        .map(|(rule, _)| format!("use crm_rules_guest{rule}"))
        .expect("example body");
    assert!(
        readme.contains(body.trim()),
        "README.md must contain guest-sdk/examples/overdue_task.rs up to `fn main`; copy it again"
    );
}

#[test]
fn readme_rhai_example_compiles_and_decides() {
    let root = crm_rules_tests::root();
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    let script = readme
        .split_once("```rhai\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(script, _)| script)
        .expect("a rhai block in the README");
    let dir = std::env::temp_dir().join(format!("crm-rules-readme-rhai-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("day-after.rhai"), script).unwrap();
    std::fs::write(
        dir.join("pack.toml"),
        "[pack]\nname = \"readme\"\nversion = \"1\"\n[[modules]]\nid = \"r\"\nkind = \"reminders\"\nsource = \"day-after.rhai\"\n",
    )
    .unwrap();
    let pack = super::engine()
        .load_pack(&dir)
        .expect("the README's script compiles");
    let ctx = crm_rules_host::json::context_from_json(
        r#"{"now": "2026-03-25T14:00:00Z",
            "account": {"id": "a", "name": "A", "tier": "smb", "timezone": "UTC", "currency": "USD",
                        "contacts": [{"id": "c1", "name": "C", "role": "billing", "email": "x@y.example"}]},
            "invoices": [{"id": "i1", "status": "open", "currency": "USD", "total": "10.00",
                          "issue_date": "2026-02-01", "due_date": "2026-03-24"}],
            "payment_attempts": [], "activities": [], "promises": []}"#,
    )
    .expect("context");
    let decision = pack.evaluate(&ctx);
    assert!(decision.errors.is_empty(), "{:?}", decision.errors);
    assert_eq!(decision.actions[0].action.key, "rem:i1:post-1");
    std::fs::remove_dir_all(&dir).unwrap();
}
