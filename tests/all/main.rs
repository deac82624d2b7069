//! The integration test binary: one `mod` per topic.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed expectation is the test failing"
)]

mod authoring_doc;
mod bad_input;
mod batch;
mod bundle;
mod compat_v0_1;
mod compile_cache;
mod contract_doc;
mod embedding;
mod example_packs;
mod explain;
mod fixture_matchers;
mod fixtures;
mod helpers;
mod hostile;
mod instances;
mod packed;
mod params;
mod parity;
mod policy_doc;
mod properties;
mod rhai_traps;
mod sandbox;
mod sandbox_holes;
mod scale;
mod vocabulary;

use std::sync::OnceLock;

/// As in the `crm-rules` binary: Rhai rules are held to their memory limit.
#[global_allocator]
static ALLOCATOR: crm_rules_host::alloc::CountingAllocator =
    crm_rules_host::alloc::CountingAllocator;

use crm_rules_host::{Limits, RuleEngine, RulePack};

/// One engine for the whole test binary, as a host process would have: the default limits, but a
/// 30 s wall-clock backstop, so a test machine loaded by parallel tests never misses a deadline that
/// fuel and operations (deterministic, unchanged) would not.
pub fn engine() -> &'static RuleEngine {
    static ENGINE: OnceLock<RuleEngine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        RuleEngine::new(Limits {
            deadline: std::time::Duration::from_secs(30),
            ..Limits::default()
        })
        .expect("engine")
    })
}

/// Loads with `engine` a pack written to a scratch folder (`name`, unique to this process): each of
/// `files` is a file name and its text (`pack.toml` among them). The folder is removed afterwards.
pub fn load_temp_pack(
    engine: &RuleEngine,
    name: &str,
    files: &[(&str, &str)],
) -> Result<RulePack, crm_rules_host::LoadError> {
    let dir = std::env::temp_dir().join(format!("crm-rules-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    for (file, text) in files {
        std::fs::write(dir.join(file), text).expect("scratch file");
    }
    let pack = engine.load_pack(&dir);
    std::fs::remove_dir_all(&dir).expect("scratch folder removed");
    pack
}

/// The three runnable forms of the standard pack: Rhai, component, and the Rust source native.
pub struct StandardPacks {
    /// `rules/standard/rhai`.
    pub rhai: RulePack,
    /// `rules/standard/rust`, the component.
    pub wasm: RulePack,
    /// `rules/standard/rust` with the Rust source linked into the host.
    pub native: RulePack,
}

/// The standard pack, loaded once per test binary.
pub fn standard() -> &'static StandardPacks {
    static PACKS: OnceLock<StandardPacks> = OnceLock::new();
    PACKS.get_or_init(|| {
        let engine = engine();
        let rhai = engine
            .load_pack(crm_rules_tests::standard_rhai())
            .unwrap_or_else(|error| panic!("{error}"));
        let wasm = engine
            .load_pack(crm_rules_tests::standard_rust())
            .unwrap_or_else(|error| panic!("{error}"));
        let native = engine
            .load_pack(crm_rules_tests::standard_rust())
            .unwrap_or_else(|error| panic!("{error}"))
            .with_native(crm_rules_standard::MODULES);
        StandardPacks { rhai, wasm, native }
    })
}
