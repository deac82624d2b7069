//! Precompiled code in a bundle: listed in the index like every entry, looked up by the name the
//! loading engine computes, loaded only by an engine that trusts it, and compiled over when it is
//! refused or made for another engine.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use super::tests::{engine, good, opened, refusal, with_index};
use super::{BundleOptions, write};
use crate::{ComponentLoads, EngineOptions, Limits, RhaiMemory, RuleEngine};

fn trusting_engine() -> RuleEngine {
    RuleEngine::with_options(
        EngineOptions::new(Limits::default())
            .rhai_memory(RhaiMemory::SizeLimits)
            .instance_pool(None)
            .trust_precompiled(true),
    )
    .unwrap()
}

/// The standard component's pack, bundled with its code by `engine`: the entries and the index.
fn precompiled(engine: &RuleEngine) -> (BTreeMap<String, Vec<u8>>, Value) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/standard/rust");
    let pack = engine.load_pack(&dir).unwrap();
    let options = BundleOptions {
        fixtures: false,
        precompile: true,
    };
    let bundled = write(&pack, &options).unwrap();
    assert_eq!(bundled.precompiled, 1);
    opened(&bundled.bytes)
}

fn loads(engine: &RuleEngine, bytes: &[u8]) -> ComponentLoads {
    engine.load_pack_bytes(bytes).unwrap().component_loads()
}

#[test]
fn the_code_is_listed_and_loaded_only_by_an_engine_that_trusts_it() {
    let trusting = trusting_engine();
    let (entries, index) = precompiled(&trusting);
    let code = &index["precompiled"][0];
    let entry = code["entry"].as_str().unwrap();
    assert!(entry.starts_with(".crmpack/precompiled/") && entry.ends_with(".cwasm"));
    assert_eq!(code["source"], "rust/standard.wasm");
    assert!(entries.contains_key(entry));
    let bytes = with_index(entries, &index);
    let trusted = loads(&trusting, &bytes);
    assert_eq!((trusted.precompiled, trusted.compiled), (1, 0));
    assert_eq!(trusted.precompiled_unused, 0);
    let untrusted = loads(&engine(), &bytes);
    assert_eq!((untrusted.precompiled, untrusted.compiled), (0, 1));
    assert_eq!(untrusted.precompiled_unused, 1);
}

#[test]
fn code_wasmtime_refuses_or_made_for_another_engine_is_compiled_over() {
    let trusting = trusting_engine();
    let (entries, index) = precompiled(&trusting);
    let entry = index["precompiled"][0]["entry"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut garbage = entries.clone();
    garbage.insert(entry.clone(), b"\x7fELF, but not wasmtime's".to_vec());
    let refused = loads(&trusting, &with_index(garbage, &index));
    assert_eq!((refused.precompiled, refused.compiled), (0, 1));
    assert_eq!(refused.precompiled_unused, 1);
    // Another engine configuration computes another name: the code is not found.
    let mut elsewhere = entries.clone();
    let code = elsewhere.remove(&entry).unwrap();
    let other = format!(".crmpack/precompiled/{}.cwasm", "ab".repeat(32));
    elsewhere.insert(other.clone(), code);
    let mut moved = index.clone();
    moved["precompiled"][0]["entry"] = json!(other);
    let missed = loads(&trusting, &with_index(elsewhere, &moved));
    assert_eq!((missed.precompiled, missed.compiled), (0, 1));
    assert_eq!(missed.precompiled_unused, 1);
}

#[test]
fn precompiled_entries_are_checked_like_every_entry() {
    let engine = engine();
    let (entries, index) = good(&engine, "precompiled-index");
    let code = |entry: &str, source: &str, engine_key: &str| {
        json!([{
            "entry": entry, "source": source, "engine": engine_key, "compiled_by": "test"
        }])
    };
    let name = format!(".crmpack/precompiled/{}.cwasm", "0".repeat(64));
    let key = "1".repeat(64);
    let refused = |listed: Value, with_entry: bool| {
        let mut index = index.clone();
        index["precompiled"] = listed;
        let mut entries = entries.clone();
        if with_entry {
            entries.insert(name.clone(), b"code".to_vec());
        }
        refusal(&engine, &with_index(entries, &index))
    };
    assert!(
        refused(code("pack/code.cwasm", "pack/r.rhai", &key), true)
            .contains("is not `.crmpack/precompiled/<64 hex digits>.cwasm`")
    );
    assert!(
        refused(code(&name, "pack/r.rhai", "key"), true)
            .contains("engine `key` is not 64 hex digits")
    );
    assert!(
        refused(code(&name, "elsewhere.wasm", &key), true)
            .contains("which is not one of its files")
    );
    assert_eq!(
        refused(code(&name, "pack/r.rhai", &key), false),
        format!("its index lists `{name}`, which it does not hold")
    );
    assert_eq!(
        refused(json!([]), true),
        format!("entry `{name}` is not in its index (a bundle holds only what its pack loads)")
    );
}

#[test]
fn a_pack_without_components_is_bundled_as_without_precompile() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/standard/rhai");
    let pack = engine().load_pack(&dir).unwrap();
    let with = write(
        &pack,
        &BundleOptions {
            fixtures: false,
            precompile: true,
        },
    )
    .unwrap();
    let without = write(
        &pack,
        &BundleOptions {
            fixtures: false,
            precompile: false,
        },
    )
    .unwrap();
    assert_eq!(with.precompiled, 0);
    assert!(
        with.bytes == without.bytes,
        "the index has no `precompiled` then"
    );
}
