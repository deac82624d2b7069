//! Structured parameters end to end: a table and an optional parameter declared in a manifest, read
//! by a Rhai rule, overridden (or switched off) by a context with errors at `params.levels[1].days`.

use crm_rules_host::{DecisionStatus, RulePack};
use serde_json::{Value, json};

const MANIFEST: &str = r#"
[pack]
name = "params-test"
version = "1"
contract = "0.2"

[[modules]]
id = "ladder"
triggers = ["scheduled"]
source = "ladder.rhai"

[params]
label = "ladder"

[params.levels]
type = "table"
columns = { days = "integer", fee = "decimal", template = "text" }
default = [
  { days = 15, fee = "2.5", template = "reminder1" },
  { days = 30, fee = "5", template = "reminder2" },
]

[params.endless_every]
type = "text"
optional = true
"#;

/// Emits one no-action per level (its key naming the level), and one more if `endless_every` is on.
const SCRIPT: &str = r#"
fn evaluate(ctx) {
    let out = #{ actions: [], suppressed: [] };
    for level in ctx.params.levels {
        out.actions.push(#{ kind: "no-action", rule: "ladder.level", reason: `fee ${level.fee}`,
                            key: `level:${level.days}:${level.template}` });
    }
    if ctx.params.endless_every != () {
        out.actions.push(#{ kind: "no-action", rule: "ladder.endless", reason: "endless",
                            key: `endless:${ctx.params.endless_every}` });
    }
    out
}
"#;

fn pack() -> &'static RulePack {
    static PACK: std::sync::OnceLock<RulePack> = std::sync::OnceLock::new();
    PACK.get_or_init(|| {
        let files = [("pack.toml", MANIFEST), ("ladder.rhai", SCRIPT)];
        super::load_temp_pack(super::engine(), "params", &files)
            .unwrap_or_else(|error| panic!("{error}"))
    })
}

fn context(params: Value) -> String {
    json!({
        "now": "2026-03-17T14:00:00Z",
        "account": {"id": "acc_1", "name": "Acme", "tier": "smb", "timezone": "UTC",
                    "currency": "EUR"},
        "invoices": [], "payment_attempts": [], "activities": [], "promises": [],
        "params": params
    })
    .to_string()
}

fn keys(params: Value) -> Vec<String> {
    let parsed = pack()
        .parse_context(&context(params))
        .unwrap_or_else(|error| panic!("{error}"));
    let decision = pack().evaluate(&parsed.context);
    assert_eq!(
        decision.status,
        DecisionStatus::Complete,
        "{:?}",
        decision.errors
    );
    decision
        .actions
        .iter()
        .map(|decided| decided.action.key.clone())
        .collect()
}

#[test]
fn a_rule_reads_the_declared_table_and_the_optional_switch() {
    assert_eq!(
        keys(json!({})),
        ["level:15:reminder1", "level:30:reminder2"]
    );
    let overridden = json!({
        "levels": [{"days": 7, "fee": "1.25", "template": "early"}],
        "endless_every": "monthly"
    });
    assert_eq!(keys(overridden), ["level:7:early", "endless:monthly"]);
    assert_eq!(
        keys(json!({"endless_every": null})),
        ["level:15:reminder1", "level:30:reminder2"],
        "null switches the optional parameter off"
    );
}

#[test]
fn overrides_are_read_at_the_declared_types_with_their_paths() {
    let cases = [
        (
            json!({"levels": [{"days": 7, "fee": "1", "template": "a"}, {"days": "30", "fee": "1", "template": "b"}]}),
            "params.levels[1].days: expected a whole number, found a string",
        ),
        (
            json!({"levels": [{"days": 7, "fee": 1.5, "template": "a"}]}),
            "params.levels[0].fee: 1.5 is a floating-point number",
        ),
        (
            json!({"levels": null}),
            "params.levels: null switches a parameter off, and \"levels\" is not optional",
        ),
        (
            json!({"label": 3}),
            "params.label: expected a string, as the pack declares, found a number",
        ),
        (
            json!({"levles": []}),
            "params.levles: the pack declares no parameter \"levles\" (did you mean \"levels\"?)",
        ),
    ];
    for (params, expected) in cases {
        let error = match pack().parse_context(&context(params.clone())) {
            Ok(_) => panic!("accepted {params}"),
            Err(error) => error.to_string(),
        };
        assert!(error.starts_with(expected), "{params}: {error}");
    }
}
