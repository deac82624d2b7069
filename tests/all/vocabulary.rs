//! Contract 0.2's declared extension points, end to end: what a pack declares is what its input and
//! output may name (input errors with their path, `bad-output` naming the entry), triggers choose the
//! modules that run, and `next_evaluation_at` is checked and merged.

use crm_rules_host::{DecisionStatus, LoadError, RuleErrorKind, RulePack};
use serde_json::{Value, json};

const MANIFEST: &str = r#"
[pack]
name = "vocabulary-test"
version = "1"
contract = "0.2"

[[modules]]
id = "out"
triggers = ["scheduled"]
source = "out.rhai"

[[modules]]
id = "on-payment"
triggers = ["payment-attempt"]
entry = "on_payment"
source = "out.rhai"

[vocabulary]
templates = ["late-notice"]
states = ["final-notice"]
suppressions = ["fee-exempt"]

[vocabulary.fields.invoice]
po_number = { type = "text", required = true }
overdue = { type = "bool", writable = true }
region = "text"

[vocabulary.actions.post-to-ledger]
amount = { type = "money", required = true }
"#;

/// The `out` module returns the output case the context's `case` parameter names; `on-payment`
/// only says when to look again.
const SCRIPT: &str = r#"
fn act(fields) {
    let action = #{ rule: "t.rule", key: "k:1", reason: "test" };
    action += fields;
    #{ actions: [action], suppressed: [] }
}
fn notice(template, total) {
    act(#{ kind: "send-notice", template: template, channel: "letter", invoice_ids: ["inv_1"],
           currency: "EUR", amount_due: "100.00", fee: "5.00", total: total })
}
fn evaluate(ctx) {
    switch ctx.params.scenario {
        "notice" => notice("late-notice", "105.00"),
        "undeclared-template" => notice("reminder-9", "105.00"),
        "wrong-total" => notice("late-notice", "104.00"),
        "foreign-instalment" => act(#{ kind: "send-notice", template: "late-notice",
                                       channel: "letter", invoice_ids: ["inv_1"],
                                       instalment_id: "i9", currency: "EUR",
                                       amount_due: "100.00", total: "100.00" }),
        "undeclared-state" => act(#{ kind: "enter-dunning-state", state: "suspended",
                                     blocks: ["service"], subscriptions: "keep" }),
        "read-only-field" => act(#{ kind: "set-field", record: "invoice", record_id: "inv_1",
                                    name: "region", value: "emea" }),
        "fee-currency" => act(#{ kind: "apply-fee", fee_kind: "late-fee", amount: "5.00",
                                 currency: "USD", invoice_id: "inv_1", placement: "on-invoice",
                                 label: "Late fee" }),
        "missing-field" => act(#{ kind: "post-to-ledger", fields: #{} }),
        "undeclared-reason" => #{ actions: [], suppressed: [
            #{ rule: "t", subject_id: "inv_1", reason: "busy" }] },
        "past-evaluation" => #{ actions: [], suppressed: [], next_evaluation_at: ctx.now },
        "read-fields" => {
            let fields = ctx.invoices[0].fields;
            if fields.po_number != "PO-7" || fields.region != () || !("overdue" in fields) {
                throw `unexpected fields ${fields}`;
            }
            #{ actions: [], suppressed: [] }
        }
        "read-undeclared" => ctx.invoices[0].fields.colour,
        _ => throw `unknown case ${ctx.params.scenario}`
    }
}
fn on_payment(ctx) { #{ actions: [], suppressed: [], next_evaluation_at: ctx.now + 1000 } }
"#;

fn pack() -> &'static RulePack {
    static PACK: std::sync::OnceLock<RulePack> = std::sync::OnceLock::new();
    PACK.get_or_init(|| {
        let manifest = format!("{MANIFEST}\n[params]\nscenario = \"notice\"\n");
        let files = [("pack.toml", manifest.as_str()), ("out.rhai", SCRIPT)];
        super::load_temp_pack(super::engine(), "vocabulary", &files)
            .unwrap_or_else(|error| panic!("{error}"))
    })
}

fn context(invoice_extra: Value, extra: Value) -> Value {
    let mut invoice = json!({
        "id": "inv_1", "status": "open", "currency": "EUR", "total": "100.00",
        "issue_date": "2026-02-01", "due_date": "2026-03-01",
        "fields": {"po_number": "PO-7"}
    });
    merge(&mut invoice, invoice_extra);
    let mut ctx = json!({
        "now": "2026-03-17T14:00:00Z",
        "account": {"id": "acc_1", "name": "Acme", "tier": "smb", "timezone": "Europe/Berlin",
                    "currency": "EUR"},
        "invoices": [invoice], "payment_attempts": [], "activities": [], "promises": []
    });
    merge(&mut ctx, extra);
    ctx
}

fn merge(target: &mut Value, patch: Value) {
    if let (Value::Object(target), Value::Object(patch)) = (target, patch) {
        for (key, value) in patch {
            target.insert(key, value);
        }
    }
}

fn input_error(ctx: &Value) -> String {
    match pack().parse_context(&ctx.to_string()) {
        Ok(_) => panic!("accepted: {ctx}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn custom_fields_are_read_at_their_declared_types() {
    let ok = pack().parse_context(&context(json!({}), json!({})).to_string());
    let parsed = ok.unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(parsed.context.invoices[0].fields.len(), 1);
    let cases = [
        (
            json!({"fields": {}}),
            "invoices[0].fields.po_number: missing required field",
        ),
        (
            json!({"fields": {"po_number": 7}}),
            "invoices[0].fields.po_number: expected a string",
        ),
        (
            json!({"fields": {"po_number": "PO-7", "colour": "red"}}),
            "invoices[0].fields.colour: field \"colour\" is not declared for invoice",
        ),
        (
            json!({"tags": ["a", "a"]}),
            "invoices[0].tags[1]: duplicate tag \"a\"",
        ),
    ];
    for (extra, expected) in cases {
        let error = input_error(&context(extra, json!({})));
        assert!(error.starts_with(expected), "{error}");
    }
    let undeclared_state = json!({"account": {"id": "acc_1", "name": "Acme", "tier": "smb",
        "timezone": "Europe/Berlin", "currency": "EUR",
        "dunning_state": {"state": "suspended", "since": "2026-03-01T00:00:00Z",
                          "key": "k:suspend"}}});
    let error = input_error(&context(json!({}), undeclared_state));
    assert!(
        error.starts_with(
            "account.dunning_state.state: dunning state \"suspended\" is not declared"
        ),
        "{error}"
    );
}

#[test]
fn triggers_choose_the_modules_and_must_name_records_of_the_context() {
    let attempt = json!({
        "trigger": {"kind": "payment-attempt", "attempt_id": "pa_1"},
        "payment_attempts": [{"id": "pa_1", "at": "2026-03-17T13:00:00Z", "outcome": "declined"}]
    });
    let parsed = pack()
        .parse_context(&context(json!({}), attempt).to_string())
        .unwrap_or_else(|error| panic!("{error}"));
    let decision = pack().evaluate(&parsed.context);
    let ran: Vec<&str> = decision
        .cost
        .iter()
        .map(|cost| cost.module.as_str())
        .collect();
    assert_eq!(ran, ["on-payment"]);
    assert_eq!(
        decision.to_json()["next_evaluation_at"],
        "2026-03-17T14:00:01Z",
        "the earliest of the modules' instants"
    );
    let missing = json!({"trigger": {"kind": "payment-attempt", "attempt_id": "pa_9"}});
    let error = input_error(&context(json!({}), missing));
    assert!(
        error
            .starts_with("trigger.attempt_id: payment attempt \"pa_9\" is not in payment_attempts"),
        "{error}"
    );
}

/// The `out` module's decision on output case `case`.
fn outcome(case: &str) -> (DecisionStatus, Vec<(RuleErrorKind, String)>) {
    let params = json!({"params": {"scenario": case}});
    let parsed = pack()
        .parse_context(&context(json!({}), params).to_string())
        .unwrap_or_else(|error| panic!("{error}"));
    let decision = pack().evaluate(&parsed.context);
    let errors = decision
        .errors
        .iter()
        .map(|error| (error.kind, error.message.clone()))
        .collect();
    (decision.status, errors)
}

#[test]
fn output_may_only_name_what_the_pack_declares() {
    let (status, errors) = outcome("notice");
    assert_eq!(
        (status, errors.len()),
        (DecisionStatus::Complete, 0),
        "{errors:?}"
    );
    let cases = [
        (
            "undeclared-template",
            "actions[0].template: template \"reminder-9\" is not declared",
        ),
        (
            "wrong-total",
            "actions[0].total: 10400 is not the amount due, fee and interest",
        ),
        (
            "foreign-instalment",
            "actions[0].instalment_id: \"i9\" is not an instalment of invoice \"inv_1\"",
        ),
        (
            "undeclared-state",
            "actions[0].state: dunning state \"suspended\" is not declared",
        ),
        (
            "read-only-field",
            "actions[0].name: field \"region\" of invoice is not declared writable",
        ),
        (
            "fee-currency",
            "actions[0].invoice_id: invoice \"inv_1\" is in EUR, the action in USD",
        ),
        (
            "missing-field",
            "output.actions[0].fields.amount: missing required field",
        ),
        (
            "undeclared-reason",
            "suppressed[0].reason: \"busy\" is neither a core reason nor declared",
        ),
        (
            "past-evaluation",
            "next_evaluation_at: 2026-03-17T14:00:00Z is not after the evaluation's now",
        ),
    ];
    for (case, expected) in cases {
        let (status, errors) = outcome(case);
        assert_eq!(status, DecisionStatus::HeldForReview, "{case}");
        let [(kind, message)] = errors.as_slice() else {
            panic!("{case}: {errors:?}");
        };
        assert_eq!(*kind, RuleErrorKind::BadOutput, "{case}: {message}");
        assert!(message.contains(expected), "{case}: {message}");
    }
}

#[test]
fn rules_read_declared_custom_fields_and_only_those() {
    let (status, errors) = outcome("read-fields");
    assert_eq!(
        (status, errors.len()),
        (DecisionStatus::Complete, 0),
        "{errors:?}"
    );
    let (_, errors) = outcome("read-undeclared");
    let [(kind, message)] = errors.as_slice() else {
        panic!("{errors:?}");
    };
    assert_eq!(*kind, RuleErrorKind::Script);
    assert_eq!(
        message,
        "invoice has no custom field `colour`: a pack reads the custom fields it declares under \
         [vocabulary.fields.invoice]"
    );
}

#[test]
fn a_vocabulary_needs_contract_0_2_and_names_its_mistakes() {
    let dir = std::env::temp_dir().join(format!("crm-rules-vocabulary-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("out.rhai"), SCRIPT).unwrap();
    let load = |manifest: &str| {
        std::fs::write(dir.join("pack.toml"), manifest).unwrap();
        match super::engine().load_pack(&dir) {
            Err(LoadError::Manifest { message, .. }) => message,
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("loaded: {manifest}"),
        }
    };
    let old = MANIFEST.replace("contract = \"0.2\"\n", "");
    assert!(load(&old).contains("[vocabulary] is contract 0.2"));
    let typo = MANIFEST.replace("triggers = [\"scheduled\"]", "triggers = [\"schedule\"]");
    assert!(load(&typo).contains("unknown trigger `schedule` (did you mean `scheduled`?)"));
    let bad_type = MANIFEST.replace("region = \"text\"", "region = \"string\"");
    assert!(load(&bad_type).contains("vocabulary.fields.invoice.region: unknown type `string`"));
    std::fs::remove_dir_all(&dir).unwrap();
}
