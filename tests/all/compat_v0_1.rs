//! Old rules keep running: a contract 0.1 component runs unchanged beside 0.2 ones and decides as it
//! did before the contract moved to 0.2.
//!
//! The component is the standard pack as it was at commit `66022eb` (the last commit on 0.1), built
//! from source with the 0.1 guest SDK against `wit/v0.1` (`tests/compat/standard-v0_1`, frozen; the
//! tests' build script builds it to `tests/compat/standard-v0_1.wasm`). Its pack,
//! `tests/compat/pack-v0_1`, is a 0.1 manifest (no `contract` key, modules by `kind`). On every case of
//! the standard pack's 0.1-era fixture files it must pass the fixture and make the same decision as the
//! current standard component (`rules/standard/rust`, contract 0.2), loaded in the same engine.
//!
//! `cargo test -p crm-rules-tests --test all compat`

use std::path::Path;
use std::sync::OnceLock;

use crm_rules_host::RulePack;
use crm_rules_host::fixture::{self, CaseResult, LoadedCase};
use serde_json::Value;

/// The standard pack's fixture files of the 0.1 era, named one by one: files added to the folder for
/// 0.2 (new triggers, records, actions) are not for a 0.1 component and must not be picked up.
const V0_1_FIXTURE_FILES: &[&str] = &[
    "billing.json",
    "escalation.json",
    "reminders.json",
    "time-zones.json",
];

/// The 0.1 pack over the frozen component.
fn compat_pack_dir() -> std::path::PathBuf {
    crm_rules_tests::root().join("tests/compat/pack-v0_1")
}

/// The 0.1 component's pack, loaded once, in the test binary's shared engine (where the 0.2 standard
/// packs are loaded too).
fn compat_pack() -> &'static RulePack {
    static PACK: OnceLock<RulePack> = OnceLock::new();
    PACK.get_or_init(|| {
        super::engine()
            .load_pack(compat_pack_dir())
            .unwrap_or_else(|error| panic!("the 0.1 compat pack does not load: {error}"))
    })
}

/// Whether a fixture file is one of [`V0_1_FIXTURE_FILES`].
fn is_v0_1_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| V0_1_FIXTURE_FILES.contains(&name))
}

/// Every case of the 0.1-era fixture files, with bases merged; any of them that does not load fails
/// the test.
fn v0_1_cases() -> Vec<LoadedCase> {
    let dir = compat_pack().fixtures_dir();
    let set = fixture::load_all(&dir).unwrap_or_else(|error| panic!("{error}"));
    let errors: Vec<String> = set
        .errors
        .iter()
        .filter(|error| is_v0_1_file(&error.path))
        .map(ToString::to_string)
        .collect();
    assert!(
        errors.is_empty(),
        "0.1-era fixtures do not load:\n  {}",
        errors.join("\n  ")
    );
    let cases: Vec<LoadedCase> = set
        .cases
        .into_iter()
        .filter(|case| is_v0_1_file(&case.file))
        .collect();
    for file in V0_1_FIXTURE_FILES {
        assert!(
            cases
                .iter()
                .any(|case| case.file.file_name() == Some(file.as_ref())),
            "no case loaded from `{}`",
            dir.join(file).display()
        );
    }
    cases
}

/// The parts of a decision (as JSON) that must agree between the two packs: everything but the pack
/// identity and what the evaluation cost.
fn comparable(actual: &Value) -> Value {
    let mut json = actual.clone();
    if let Value::Object(object) = &mut json {
        object.remove("pack");
        object.remove("cost");
        object.remove("context_cost");
    }
    json
}

#[test]
fn the_0_1_component_is_built_against_the_0_1_contract() {
    let path = crm_rules_tests::root().join("tests/compat/standard-v0_1.wasm");
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|error| panic!("cannot read `{}`: {error}", path.display()));
    // Every `crm:rules/<interface>@<version>` the component names (its type information), as
    // `<interface>@<version>`, the version cut to the length of `0.1.0`.
    let prefix = b"crm:rules/";
    let names: Vec<String> = bytes
        .windows(prefix.len())
        .enumerate()
        .filter(|(_, window)| *window == prefix)
        .map(|(start, _)| {
            let rest = &bytes[start + prefix.len()..];
            let interface = rest
                .iter()
                .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || **b == b'-')
                .count();
            let end = (interface + 1 + "0.1.0".len()).min(rest.len());
            String::from_utf8_lossy(&rest[..end]).into_owned()
        })
        .collect();
    assert!(
        names.iter().any(|name| name == "types@0.1.0"),
        "`{}` does not name the 0.1 contract's interface `crm:rules/types@0.1.0`: {names:?}",
        path.display()
    );
    assert!(
        names.iter().all(|name| name.ends_with("@0.1.0")),
        "`{}` names a package other than `crm:rules@0.1.0`: {names:?}",
        path.display()
    );
    let manifest = compat_pack().manifest();
    assert_eq!(
        manifest.pack.contract,
        crm_rules_host::manifest::ContractVersion::V0_1,
        "the compat pack must be a contract 0.1 manifest"
    );
}

#[test]
fn the_0_1_component_passes_every_0_1_fixture() {
    let pack = compat_pack();
    let cases = v0_1_cases();
    let results: Vec<CaseResult> = cases
        .iter()
        .map(|case| fixture::run_case(pack, case))
        .collect();
    assert!(
        results.len() >= 40,
        "only {} fixture cases in {V0_1_FIXTURE_FILES:?}",
        results.len()
    );
    super::fixtures::assert_all_pass("the 0.1 component", &results);
    // It ran as a component: every module that ran was metered as WebAssembly.
    for result in &results {
        let cost = result.actual.get("cost").and_then(Value::as_array);
        for entry in cost.into_iter().flatten() {
            assert_eq!(
                entry.get("backend").and_then(Value::as_str),
                Some("wasm"),
                "{}: a module did not run as a component: {entry}",
                result.name
            );
        }
    }
}

#[test]
fn the_0_1_component_decides_as_the_current_standard_component() {
    let old = compat_pack();
    let current = &super::standard().wasm;
    let cases = v0_1_cases();
    let differences: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let was = comparable(&fixture::run_case(old, case).actual);
            let is = comparable(&fixture::run_case(current, case).actual);
            (was != is).then(|| {
                format!(
                    "  {} ({})\n    0.1 component: {was:#}\n    current standard: {is:#}",
                    case.case.name,
                    case.file.display()
                )
            })
        })
        .collect();
    assert!(
        differences.is_empty(),
        "the 0.1 component and the current standard component decide differently on {} of {} \
         fixture inputs:\n{}",
        differences.len(),
        cases.len(),
        differences.join("\n")
    );
}
