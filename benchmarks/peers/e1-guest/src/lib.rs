//! The E1 escalation ladder alone (`tests/benches/evaluate/rhai-e1/e1.rhai`), written in Rust
//! against the guest SDK and compiled to a WebAssembly component for the peers benchmark.
//!
//! The rule itself is `src/e1.rs`; the benchmark links that same file natively as its baseline, so
//! the component and the native run execute identical code.

/// The contract's types, as `e1.rs` reads them (`super::types`).
use crm_rules_guest::types;

mod e1;

// The pack's one module (`pack.toml`): the escalation ladder.
crm_rules_guest::export_modules! {
    "escalation" => e1::evaluate,
}

/// Each instance serves one evaluation, so its heap never needs to give memory back.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: crm_rules_guest::arena::EvaluationArena =
    crm_rules_guest::arena::EvaluationArena::new();
