//! Fixture expectations that say what matters, end to end: `contains`, `absent`, `unordered` and
//! `next_evaluation` on a small Rhai pack, in a fixture file that passes and in variants that must
//! fail, each with the message an author reads.

use std::path::{Path, PathBuf};

use crm_rules_host::RulePack;
use crm_rules_host::fixture::{self, CaseResult};
use serde_json::{Value, json};

const MANIFEST: &str = r#"
[pack]
name = "fixture-matchers-test"
version = "1"
contract = "0.2"

[[modules]]
id = "reminders"
triggers = ["scheduled"]
source = "reminders.rhai"

[[modules]]
id = "service"
triggers = ["scheduled"]
source = "service.rhai"

[vocabulary]
templates = ["pre-7"]
"#;

/// Reminders go out from 2026-03-17T00:00:00Z (1773705600000 ms); before that instant the module
/// only says when to look again. Open invoices get a reminder (by SMS in EUR), in the order of the
/// context, which the policy does not define; the others are suppressed.
const REMINDERS: &str = r#"
fn evaluate(ctx) {
    let send_at = 1773705600000;
    if ctx.now < send_at {
        return #{ actions: [], suppressed: [], next_evaluation_at: send_at };
    }
    let actions = [];
    let suppressed = [];
    for invoice in ctx.invoices {
        if invoice.status != "open" {
            suppressed.push(#{ rule: "t.remind", subject_id: invoice.id, reason: "not-open" });
            continue;
        }
        let channel = if invoice.currency == "EUR" { "sms" } else { "email" };
        actions.push(#{ kind: "send-reminder", rule: "t.remind", key: `rem:${invoice.id}:pre-7`,
                        reason: `pre-7 reminder for ${invoice.id}`, invoice_id: invoice.id,
                        step: "pre-7", channel: channel, contact_id: "c_1", link_expired: false });
    }
    #{ actions: actions, suppressed: suppressed }
}
"#;

const SERVICE: &str = "fn evaluate(ctx) { #{ actions: [], suppressed: [] } }\n";

fn base() -> Value {
    let invoice = |id: &str, status: &str, currency: &str| {
        json!({"id": id, "status": status, "currency": currency, "total": "100.00",
               "issue_date": "2026-02-22", "due_date": "2026-03-24"})
    };
    json!({
        "now": "2026-03-17T14:00:00Z",
        "account": {"id": "acc_1", "name": "Acme", "tier": "smb", "timezone": "UTC",
                    "currency": "USD",
                    "contacts": [{"id": "c_1", "name": "Pat", "role": "billing",
                                  "email": "ap@acme.example", "phone": "+15555550100",
                                  "sms_consent": true}]},
        "invoices": [invoice("inv_1", "open", "USD"), invoice("inv_2", "paid", "USD"),
                     invoice("inv_3", "open", "EUR")],
        "payment_attempts": [], "activities": [], "promises": []
    })
}

/// The passing fixture file: every new expectation, and a pair of cases around the reminders'
/// instant.
fn passing_cases() -> Value {
    json!([
        {
            "name": "a-second-before-the-reminders",
            "input": {"now": "2026-03-16T23:59:59Z"},
            "expect": {
                "absent": {"actions": [{"kind": "send-reminder"}]},
                "next_evaluation": {"reminders": "2026-03-17T00:00:00Z", "service": null},
                "next_evaluation_at": "2026-03-17T00:00:00Z"
            }
        },
        {
            "name": "at-the-reminders-instant",
            "input": {"now": "2026-03-17T00:00:00Z"},
            "expect": {
                "contains": {
                    "actions": [{"kind": "send-reminder", "invoice_id": "inv_3", "channel": "sms"}],
                    "suppressed": [{"reason": "not-open", "subject_id": "inv_2"}]
                },
                "absent": {
                    "actions": [{"kind": "create-invoice"}, {"key": "rem:inv_2:pre-7"},
                                {"kind": "send-reminder", "invoice_id": "inv_1", "channel": "sms"}],
                    "suppressed": [{"subject_id": "inv_1"}]
                },
                "next_evaluation": {"reminders": null, "service": null}
            }
        },
        {
            "name": "multi-currency-in-any-order",
            "input": {},
            "expect": {
                "unordered": true,
                "actions": [
                    {"key": "rem:inv_3:pre-7", "channel": "sms"},
                    {"key": "rem:inv_1:pre-7", "channel": "email"}
                ],
                "suppressed": [{"subject_id": "inv_2", "reason": "not-open"}]
            }
        },
        {
            "name": "exact-lists-still-exact",
            "input": {},
            "expect": {
                "actions": [{"invoice_id": "inv_1"}, {"invoice_id": "inv_3"}],
                "suppressed": [{"subject_id": "inv_2"}],
                "contains": {"actions": [{"channel": "sms"}]},
                "absent": {"actions": [{"channel": "letter"}]}
            }
        }
    ])
}

/// A temporary pack folder, removed when dropped.
struct TempPack {
    dir: PathBuf,
    pack: RulePack,
}

impl Drop for TempPack {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl TempPack {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "crm-rules-fixture-matchers-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("fixtures/base")).unwrap();
        std::fs::write(dir.join("pack.toml"), MANIFEST).unwrap();
        std::fs::write(dir.join("reminders.rhai"), REMINDERS).unwrap();
        std::fs::write(dir.join("service.rhai"), SERVICE).unwrap();
        std::fs::write(dir.join("fixtures/base/account.json"), base().to_string()).unwrap();
        let pack = super::engine()
            .load_pack(&dir)
            .unwrap_or_else(|error| panic!("{error}"));
        TempPack { dir, pack }
    }

    fn fixtures(&self) -> PathBuf {
        self.pack.fixtures_dir()
    }

    /// Writes `cases` as the fixture file `name` (over the base).
    fn write(&self, name: &str, cases: &Value) {
        let file = json!({"base": "base/account.json", "cases": cases});
        std::fs::write(self.fixtures().join(name), file.to_string()).unwrap();
    }

    fn run(&self) -> Vec<CaseResult> {
        run_dir(&self.pack, &self.fixtures())
    }
}

fn run_dir(pack: &RulePack, dir: &Path) -> Vec<CaseResult> {
    let cases = fixture::load_dir(dir).unwrap_or_else(|error| panic!("{error}"));
    cases
        .iter()
        .map(|case| fixture::run_case(pack, case))
        .collect()
}

#[test]
fn every_new_expectation_passes_on_a_decision_that_meets_it() {
    let pack = TempPack::new("passing");
    pack.write("cases.json", &passing_cases());
    let results = pack.run();
    assert_eq!(results.len(), 4);
    super::fixtures::assert_all_pass("fixture-matchers", &results);
}

/// Runs the one case `expect` (on the base, at `now`) and returns its mismatches as `path: message`.
fn failures(pack: &TempPack, now: &str, expect: Value) -> Vec<String> {
    pack.write(
        "cases.json",
        &json!([{"name": "failing", "input": {"now": now}, "expect": expect}]),
    );
    let results = pack.run();
    assert_eq!(results.len(), 1);
    results[0]
        .mismatches
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn each_new_expectation_fails_with_expected_and_actual() {
    let pack = TempPack::new("failing");
    let at = "2026-03-17T00:00:00Z";
    assert_eq!(
        failures(
            &pack,
            at,
            json!({"absent": {"actions": [{"kind": "send-reminder", "invoice_id": "inv_3"}]}})
        ),
        ["absent.actions[0]: expected no action matching \
             {\"kind\":\"send-reminder\",\"invoice_id\":\"inv_3\"}, got actions[1] send-reminder \
             rem:inv_3:pre-7 (t.remind)"]
    );
    assert_eq!(
        failures(
            &pack,
            at,
            json!({"contains": {
                "actions": [{"kind": "send-reminder", "invoice_id": "inv_3", "channel": "email"}],
                "suppressed": [{"reason": "not-open", "subject_id": "inv_1"}]}})
        ),
        [
            "contains.actions[0]: expected an action matching \
             {\"kind\":\"send-reminder\",\"invoice_id\":\"inv_3\",\"channel\":\"email\"}, found none\n  \
             - actions[0] send-reminder rem:inv_1:pre-7 (t.remind): invoice_id: expected \"inv_3\", \
             got \"inv_1\"\n  \
             - actions[1] send-reminder rem:inv_3:pre-7 (t.remind): channel: expected \"email\", \
             got \"sms\"",
            "contains.suppressed[0]: expected a suppression matching \
             {\"reason\":\"not-open\",\"subject_id\":\"inv_1\"}, found none\n  \
             - suppressed[0] not-open inv_2 (t.remind): subject_id: expected \"inv_1\", got \"inv_2\"",
        ]
    );
    assert_eq!(
        failures(
            &pack,
            at,
            json!({"unordered": true, "actions": [{"invoice_id": "inv_3"}, {"invoice_id": "inv_3"}]})
        ),
        [
            "actions[1]: missing: expected an action matching {\"invoice_id\":\"inv_3\"} (in any \
             order), found none\n  \
             - actions[0] send-reminder rem:inv_1:pre-7 (t.remind): invoice_id: expected \"inv_3\", \
             got \"inv_1\"\n  \
             - actions[1] send-reminder rem:inv_3:pre-7 (t.remind): matches, but expected \
             actions[0] took it (an entry counts once)",
            "actions[0]: unexpected: send-reminder rem:inv_1:pre-7 (t.remind) (no expected entry \
             matches it, in any order)",
        ]
    );
    assert_eq!(
        failures(
            &pack,
            "2026-03-16T23:59:59Z",
            json!({"actions": [], "next_evaluation": {"reminders": "2026-03-17T00:00:01Z",
                                                      "service": null, "billing": null}})
        ),
        [
            "next_evaluation.billing: expected null, but the module did not run (modules that ran: \
             reminders, service)",
            "next_evaluation.reminders: expected \"2026-03-17T00:00:01Z\", got \
             \"2026-03-17T00:00:00Z\"",
        ]
    );
}

#[test]
fn an_expectation_that_cannot_be_read_names_its_case_and_the_keys() {
    let pack = TempPack::new("unreadable");
    let case = |name: &str, expect: Value| json!({"name": name, "input": {}, "expect": expect});
    pack.write(
        "cases.json",
        &json!([
            case("typo", json!({"actions": [], "unorderd": true})),
            case("nested-typo", json!({"contains": {"action": []}})),
            case("open-without-patterns", json!({"suppressed": []})),
            case(
                "pattern-not-an-object",
                json!({"absent": {"actions": ["create-invoice"]}})
            ),
        ]),
    );
    let set = fixture::load_all(&pack.fixtures()).unwrap_or_else(|error| panic!("{error}"));
    assert!(set.cases.is_empty());
    let errors: Vec<String> = set
        .errors
        .iter()
        .map(|error| error.message.clone())
        .collect();
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(
        errors[0].starts_with(
            "case `typo`: `expect` cannot be read: unknown field `unorderd`, expected one of \
             `actions`, `suppressed`, `contains`, `absent`, `unordered`, `errors`, `status`, \
             `max_fuel`, `next_evaluation_at`, `next_evaluation`"
        ),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with(
            "case `nested-typo`: `expect.contains` cannot be read: unknown field `action`, \
             expected `actions` or `suppressed`"
        ),
        "{errors:?}"
    );
    assert_eq!(
        errors[2],
        "case `open-without-patterns`: `expect`: give `actions` (the exact list), or `contains` \
         or `absent` to leave the actions open"
    );
    assert!(
        errors[3].starts_with(
            "case `pattern-not-an-object`: `expect`: `absent.actions[0]` is \"create-invoice\""
        ),
        "{errors:?}"
    );
}
