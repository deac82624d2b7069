//! `docs/contract.md` stays true to the contract: its worked example is the real pack
//! `examples/packs/late-fees` (quoted verbatim, every fixture passing, every name it declares used by
//! a fixture), and it names every action kind, suppression reason, trigger, value type, record,
//! variant and enum of `wit/v0.2`, so a change to the contract cannot leave the document behind.

use std::path::{Path, PathBuf};

use crm_rules_host::fixture;
use crm_rules_host::types::{ActionKind, SuppressionReason};
use crm_rules_host::vocabulary::ValueType;
use crm_rules_host::wire::{OpenNamed, TRIGGER_KINDS};
use serde_json::Value;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn contract_doc() -> String {
    read(&crm_rules_tests::root().join("docs/contract.md"))
}

fn example_dir() -> PathBuf {
    crm_rules_tests::root().join("examples/packs/late-fees")
}

/// Every `*.wit` file of `wit/v0.2`, concatenated.
fn wit_v0_2() -> String {
    let dir = crm_rules_tests::root().join("wit/v0.2");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wit"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "wit/v0.2 has only {files:?}");
    files.iter().map(|path| read(path)).collect()
}

/// The names the WIT gives after `keyword` (`record`, `variant`): `record money {` gives `money`.
fn declared_after(wit: &str, keyword: &str) -> Vec<String> {
    let mut names: Vec<String> = wit
        .lines()
        .filter_map(|line| line.trim().strip_prefix(keyword)?.strip_prefix(' '))
        .filter_map(|rest| rest.split_once('{'))
        .map(|(name, _)| name.trim().trim_start_matches('%').to_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn the_late_fees_example_passes_every_fixture() {
    let pack = super::engine()
        .load_pack(example_dir())
        .unwrap_or_else(|error| panic!("{error}"));
    let cases = fixture::load_dir(&pack.fixtures_dir()).unwrap_or_else(|error| panic!("{error}"));
    assert!(cases.len() >= 4, "only {} fixture cases", cases.len());
    let results: Vec<_> = cases
        .iter()
        .map(|case| fixture::run_case(&pack, case))
        .collect();
    super::fixtures::assert_all_pass("examples/packs/late-fees", &results);

    // Every name the pack declares is exercised by some case: in its input (custom fields) or in the
    // decision (templates, states, suppression reasons, action kinds); and a case pins the next
    // evaluation.
    let decisions: Vec<String> = results.iter().map(|r| r.actual.to_string()).collect();
    let inputs: Vec<String> = cases.iter().map(|case| case.input.to_string()).collect();
    let used_in = |texts: &[String], name: &str| texts.iter().any(|text| text.contains(name));
    let vocabulary = pack.vocabulary();
    let mut out_names: Vec<(&str, &str)> = Vec::new();
    out_names.extend(
        vocabulary
            .templates
            .iter()
            .map(|n| ("template", n.as_str())),
    );
    out_names.extend(
        vocabulary
            .states
            .iter()
            .map(|n| ("dunning state", n.as_str())),
    );
    out_names.extend(
        vocabulary
            .suppressions
            .iter()
            .map(|n| ("suppression", n.as_str())),
    );
    out_names.extend(
        vocabulary
            .actions
            .iter()
            .map(|k| ("action kind", k.name.as_str())),
    );
    assert!(
        out_names.len() >= 4,
        "the example declares too little: {out_names:?}"
    );
    for (what, name) in out_names {
        assert!(
            used_in(&decisions, &format!("\"{name}\"")),
            "no fixture decision of the late-fees example uses its {what} `{name}`"
        );
    }
    assert!(
        !vocabulary.fields.is_empty(),
        "the example declares no custom field"
    );
    for field in &vocabulary.fields {
        let name = &field.spec.name;
        assert!(
            used_in(&inputs, &format!("\"{name}\"")),
            "no fixture input of the late-fees example sets its custom field `{name}`"
        );
    }
    assert!(
        cases
            .iter()
            .any(|case| matches!(case.case.expect.next_evaluation_at, Some(Value::String(_)))),
        "no fixture of the late-fees example asserts a next_evaluation_at"
    );
}

#[test]
fn the_contract_doc_quotes_the_example_verbatim() {
    let doc = contract_doc();
    for file in ["pack.toml", "late-fees.rhai"] {
        let text = read(&example_dir().join(file));
        assert!(
            doc.contains(text.trim()),
            "docs/contract.md must contain examples/packs/late-fees/{file} verbatim; copy it again"
        );
    }
}

#[test]
fn the_contract_doc_names_every_action_kind_and_suppression_reason() {
    let doc = contract_doc();
    let missing: Vec<&str> = ActionKind::CORE
        .iter()
        .chain(SuppressionReason::CORE)
        .chain(TRIGGER_KINDS)
        .copied()
        .filter(|name| !doc.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/contract.md does not mention these core kinds, reasons or triggers: {missing:?}"
    );
    let types: Vec<&str> = ValueType::ALL
        .iter()
        .map(|ty| ty.name())
        .filter(|name| !doc.contains(&format!("`{name}`")))
        .collect();
    assert!(
        types.is_empty(),
        "docs/contract.md does not mention the value types {types:?}"
    );
}

#[test]
fn the_contract_doc_names_every_record_variant_and_enum_of_the_wit() {
    let wit = wit_v0_2();
    let doc = contract_doc();
    let records = declared_after(&wit, "record");
    assert!(
        records.len() >= 40,
        "read only {} records: {records:?}",
        records.len()
    );
    let mut names = records;
    names.extend(declared_after(&wit, "variant"));
    names.extend(declared_after(&wit, "enum"));
    let missing: Vec<&String> = names
        .iter()
        .filter(|name| !doc.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/contract.md does not mention these records, variants or enums of wit/v0.2: {missing:?}"
    );
}
