//! Arbitrary bytes as a JSON evaluation context.
//!
//! The bytes go through `parse_context_bytes` (UTF-8 check, then `parse_context_str`): a refusal must
//! carry a message. A context that parses is evaluated by the Rhai standard pack and, when
//! `rules/standard/rust/standard.wasm` has been built, by the component too; when neither reports a
//! rule error the two decisions must agree (everything but the pack identity and the cost). Any
//! panic, abort or disagreement is a crash.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use crm_rules_host::{Decision, Limits, RuleEngine, RulePack};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Counts each thread's heap bytes, so Rhai rules are held to their memory limit (see
/// `crm_rules_host::RhaiMemory`).
#[global_allocator]
static ALLOCATOR: crm_rules_host::alloc::CountingAllocator =
    crm_rules_host::alloc::CountingAllocator;

struct Packs {
    rhai: RulePack,
    wasm: Option<RulePack>,
}

/// The standard pack in both forms, loaded once per process.
static PACKS: LazyLock<Packs> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let engine = RuleEngine::new(Limits::default()).expect("engine");
    let rhai = engine
        .load_pack(root.join("rules/standard/rhai"))
        .unwrap_or_else(|error| panic!("the Rhai standard pack does not load: {error}"));
    let rust = root.join("rules/standard/rust");
    let wasm = if rust.join("standard.wasm").exists() {
        let pack = engine
            .load_pack(&rust)
            .unwrap_or_else(|error| panic!("the component standard pack does not load: {error}"));
        Some(pack)
    } else {
        eprintln!("context_json: no standard.wasm (run `cargo xtask build-rules`); Rhai only");
        None
    };
    Packs { rhai, wasm }
});

/// The parts of a decision both backends must agree on.
fn comparable(decision: &Decision) -> Value {
    let mut json = decision.to_json();
    if let Value::Object(object) = &mut json {
        object.remove("pack");
        object.remove("cost");
        // What crossing the context into a component cost: the component's alone.
        object.remove("context_cost");
    }
    json
}

fuzz_target!(|data: &[u8]| {
    let parsed = match crm_rules_host::json::parse_context_bytes(data) {
        Ok(parsed) => parsed,
        Err(error) => {
            assert!(!error.message().is_empty(), "an error without a message");
            return;
        }
    };
    let packs = &*PACKS;
    let id = parsed.id.as_deref();
    let rhai = packs.rhai.evaluate_with_id(&parsed.context, id);
    let rhai_json = comparable(&rhai);
    if let Some(wasm_pack) = &packs.wasm {
        let wasm = wasm_pack.evaluate_with_id(&parsed.context, id);
        let wasm_json = comparable(&wasm);
        if rhai.errors.is_empty() && wasm.errors.is_empty() {
            assert_eq!(wasm_json, rhai_json, "component and Rhai disagree");
        }
    }
});
