//! `docs/policy.md` stays true to the standard pack: the rule ids it names are the ones both variants
//! emit, every parameter of `params.toml` is there with its default, every suppression reason of the
//! contract is there, and no document or pack file sends readers to a file outside the repository.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::fixtures::RULE_IDS;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn policy_doc() -> String {
    read(&crm_rules_tests::root().join("docs/policy.md"))
}

/// Every file under `dir` (recursively) whose name ends with one of `extensions`.
fn files(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|error| panic!("{dir:?}: {error}"));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if extensions
                .iter()
                .any(|ext| path.extension().is_some_and(|e| e == *ext))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The text of every file of one variant of the standard pack.
fn sources(dir: &str, extension: &str) -> String {
    let dir = crm_rules_tests::root().join(dir);
    files(&dir, &[extension])
        .iter()
        .map(|path| read(path))
        .collect()
}

fn is_rule_id(text: &str) -> bool {
    ["billing.", "reminder.", "escalation.", "service."]
        .iter()
        .any(|prefix| {
            text.strip_prefix(prefix).is_some_and(|name| {
                !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            })
        })
}

/// The rule ids a text names as code (between backticks) or as string literals (between quotes).
fn rule_ids_between(text: &str, delimiter: char) -> BTreeSet<String> {
    text.split(delimiter)
        .skip(1)
        .step_by(2)
        .filter(|span| is_rule_id(span))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_policy_doc_names_exactly_the_rule_ids_both_variants_emit() {
    let documented = rule_ids_between(&policy_doc(), '`');
    let rust = rule_ids_between(&sources("rules/standard/rust/src", "rs"), '"');
    let rhai = rule_ids_between(&sources("rules/standard/rhai", "rhai"), '"');
    assert_eq!(rust, rhai, "the two variants emit different rule ids");
    assert_eq!(
        documented, rust,
        "docs/policy.md against the packs' rule ids"
    );
    let expected: BTreeSet<String> = RULE_IDS.iter().map(|id| (*id).to_owned()).collect();
    assert_eq!(
        documented, expected,
        "docs/policy.md against the fixtures' rule ids"
    );
}

/// The words of a TOML value or of a table cell: `{ USD = "500.00" }` and `USD 500.00` alike.
fn words(text: &str) -> BTreeSet<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .filter(|word| !word.is_empty())
        .collect()
}

#[test]
fn every_parameter_is_documented_with_its_default() {
    let doc = policy_doc();
    let params = read(&crm_rules_tests::root().join("rules/standard/params.toml"));
    let mut count = 0;
    for line in params.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("params.toml: not `name = value`: {line}"));
        let name = name.trim();
        let row_start = format!("| `{name}` |");
        let row = doc
            .lines()
            .find(|row| row.starts_with(&row_start))
            .unwrap_or_else(|| panic!("docs/policy.md has no parameter row for `{name}`"));
        let default_cell = row.split('|').nth(2).unwrap_or_default();
        let missing: Vec<&str> = words(value)
            .difference(&words(default_cell))
            .copied()
            .collect();
        assert!(
            missing.is_empty(),
            "docs/policy.md: the default of `{name}` lacks {missing:?} of `{}`",
            value.trim()
        );
        count += 1;
    }
    assert!(count >= 18, "only {count} parameters read from params.toml");
}

#[test]
fn every_suppression_reason_of_the_contract_is_documented() {
    // The core reasons (the pack-declared `custom` case is the pack's own business).
    let reasons: Vec<&str> =
        <crm_rules_host::types::SuppressionReason as crm_rules_host::wire::OpenNamed>::CORE
            .to_vec();
    assert_eq!(reasons.len(), 14, "{reasons:?}");
    let doc = policy_doc();
    for reason in reasons {
        assert!(
            doc.contains(&format!("`{reason}`")),
            "docs/policy.md does not mention the suppression reason `{reason}`"
        );
    }
}

#[test]
fn no_document_or_pack_file_refers_to_a_file_outside_the_repository() {
    let root = crm_rules_tests::root();
    let mut checked = vec![root.join("README.md")];
    checked.extend(files(&root.join("docs"), &["md"]));
    checked.extend(files(
        &root.join("rules"),
        &["md", "toml", "rhai", "rs", "json"],
    ));
    for path in &checked {
        assert!(
            !read(path).contains("shared/"),
            "{} refers to `shared/`, which is not part of the repository",
            path.display()
        );
    }
    let readme = read(&root.join("README.md"));
    assert!(
        readme.contains("(docs/policy.md)"),
        "README links docs/policy.md"
    );
}
