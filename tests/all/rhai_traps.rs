//! Rhai's silent traps, as rule authors meet them: each either works or is an error that says why.

use crm_rules_host::{LoadError, RuleErrorKind};

use serde_json::json;

/// Loads a one-module pack whose script is `body` (inside `fn evaluate(ctx)`), and evaluates it.
fn run(name: &str, script: &str) -> Result<Vec<(RuleErrorKind, String)>, LoadError> {
    let manifest = "[pack]\nname = \"traps\"\nversion = \"1\"\ncontract = \"0.2\"\n\n[[modules]]\nid = \"m\"\ntriggers = [\"scheduled\"]\nsource = \"m.rhai\"\n";
    let files = [("pack.toml", manifest), ("m.rhai", script)];
    let pack = super::load_temp_pack(super::engine(), &format!("traps-{name}"), &files);
    let ctx = crm_rules_host::json::context_from_value(&json!({
        "now": "2026-03-17T14:00:00Z",
        "account": {"id": "acc_1", "name": "Acme", "tier": "smb", "timezone": "UTC", "currency": "EUR"},
        "invoices": [], "payment_attempts": [], "activities": [], "promises": []
    }))
    .unwrap();
    let decision = pack?.evaluate(&ctx);
    Ok(decision
        .errors
        .iter()
        .map(|error| (error.kind, error.message.clone()))
        .collect())
}

#[test]
fn replace_and_trim_return_the_new_string_as_well() {
    let script = r#"
        fn evaluate(ctx) {
            let s = "  a-b  ";
            let t = s.trim();
            let u = t.replace("-", "+");
            // `trim` changed `s` in place and returned it; `replace` changed `t` and returned it.
            if s != "a-b" || t != "a+b" || u != "a+b" { throw `got ${s}|${t}|${u}`; }
            #{ actions: [], suppressed: [] }
        }
    "#;
    assert_eq!(run("returns", script).unwrap(), []);
}

#[test]
fn an_escaped_backtick_in_a_template_string_says_so() {
    let script = "fn evaluate(ctx) { let s = `a \\` b`; #{ actions: [] } }";
    match run("backtick", script) {
        Err(LoadError::Script { message, .. }) => {
            assert!(message.contains("cannot contain a backtick"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}
