//! The native baseline: E1 as a plain Rust function over `crm_rules_host::types::Context`.
//!
//! It is the very source file the component is compiled from (`e1-guest/src/e1.rs`), linked
//! natively here, so the component's ratio to it is the sandbox's cost alone.

/// The contract's types, as `e1.rs` reads them (`super::types`): the host's re-export of
/// `crm-rules-contract`, the same types the guest SDK re-exports.
use crm_rules_host::types;

#[path = "../e1-guest/src/e1.rs"]
mod e1;

/// E1 on `ctx`: the actions it asks for, or why it could not run (a missing threshold).
pub fn evaluate(ctx: &types::Context) -> Result<types::RuleOutput, String> {
    e1::evaluate(ctx)
}
