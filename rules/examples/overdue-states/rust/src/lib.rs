//! The overdue-states example policy (`rules/examples/overdue-states/README.md`), written in Rust
//! against the guest SDK: account-level overdue states, most severe first.
//!
//! The same source is compiled to a WebAssembly component (`cargo xtask build-rules`). Its twin,
//! `rules/examples/overdue-states/overdue-states.rhai`, must produce identical decisions on every
//! fixture and on generated contexts (`tests/all/example_packs.rs`).

mod overdue;

// The pack's one module: the account's overdue state.
crm_rules_guest::export_modules! {
    "overdue" => overdue::evaluate,
}

/// Each instance serves one evaluation, so its heap never needs to give memory back.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: crm_rules_guest::arena::EvaluationArena =
    crm_rules_guest::arena::EvaluationArena::new();
