//! Every fixture of the standard pack passes on both variants (and natively), and together the
//! fixtures exercise every rule of the policy.

use std::collections::BTreeMap;

use crm_rules_host::RulePack;
use crm_rules_host::fixture::{self, CaseResult};

/// Every rule id the standard policy can put in a decision.
pub const RULE_IDS: &[&str] = &[
    "billing.own-change",
    "billing.closed-won",
    "billing.draft-until-signed",
    "billing.custom-terms",
    "billing.contract-signed",
    "billing.already-invoiced",
    "billing.milestone",
    "billing.delivery",
    "billing.time",
    "billing.retainer",
    "billing.recurring",
    "billing.no-invoice",
    "billing.risk-terms",
    "billing.credit-limit",
    "reminder.step",
    "reminder.suppress",
    "reminder.rep-outreach",
    "reminder.no-contact",
    "reminder.apply-credit",
    "reminder.unknown-outcome",
    "escalation.overdue",
    "escalation.declines",
    "escalation.hard-decline",
    "escalation.release-hold",
    "escalation.promise",
    "escalation.chargeback",
    "service.suspend",
    "service.restore",
];

fn run_all(pack: &RulePack) -> Vec<CaseResult> {
    let cases = fixture::load_dir(&pack.fixtures_dir()).expect("fixtures load");
    cases
        .iter()
        .map(|case| fixture::run_case(pack, case))
        .collect()
}

/// Asserts every case passed; on failure, lists each failed case (name and file) with its
/// mismatches.
pub(crate) fn assert_all_pass(name: &str, results: &[CaseResult]) {
    let failures: Vec<String> = results
        .iter()
        .filter(|result| !result.passed())
        .map(|result| {
            let details: Vec<String> = result
                .mismatches
                .iter()
                .map(|m| format!("    {}: {}", m.path, m.message))
                .collect();
            let file = result.file.display();
            format!("  {} ({file})\n{}", result.name, details.join("\n"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{name}: {} of {} fixtures failed:\n{}",
        failures.len(),
        results.len(),
        failures.join("\n")
    );
}

#[test]
fn rhai_variant_passes_every_fixture() {
    let results = run_all(&super::standard().rhai);
    assert!(results.len() >= 40, "only {} fixture cases", results.len());
    assert_all_pass("rhai", &results);
}

#[test]
fn component_variant_passes_every_fixture() {
    assert_all_pass("wasm", &run_all(&super::standard().wasm));
}

#[test]
fn native_build_passes_every_fixture() {
    assert_all_pass("native", &run_all(&super::standard().native));
}

#[test]
fn fixtures_cover_every_rule() {
    let results = run_all(&super::standard().wasm);
    let mut hits: BTreeMap<&str, Vec<&str>> = RULE_IDS.iter().map(|id| (*id, Vec::new())).collect();
    for result in &results {
        for id in &result.rule_ids {
            match hits.get_mut(id.as_str()) {
                Some(cases) => cases.push(&result.name),
                None => panic!("fixture `{}` names unknown rule id `{id}`", result.name),
            }
        }
    }
    println!("fixture coverage per rule id:");
    for (id, cases) in &hits {
        println!("  {id:28} {:3}  {}", cases.len(), cases.join(", "));
    }
    let missing: Vec<&&str> = hits
        .iter()
        .filter(|(_, c)| c.is_empty())
        .map(|(id, _)| id)
        .collect();
    assert!(missing.is_empty(), "rules no fixture reaches: {missing:?}");
}
