//! # crm-rules-compat-standard-v0-1: the 0.1 standard component, frozen
//!
//! A frozen copy of the standard policy's Rust pack (`rules/standard/rust/src`) and of the guest SDK it
//! was built with (`guest-sdk/src`, here under [`sdk`]), both exactly as they were at commit `66022eb`,
//! the last commit before the contract moved from `crm:rules@0.1.0` to `crm:rules@0.2.0`. It is built
//! from source against the frozen 0.1 WIT (`wit/v0.1`) into the 0.1 component
//! `tests/compat/standard-v0_1.wasm`, which `tests/compat/pack-v0_1` loads, so that a test
//! (`tests/all/compat_v0_1.rs`) can prove that 0.1 components keep running unchanged beside 0.2 ones and
//! keep deciding as before.
//!
//! Never edit this crate except to keep it compiling: it stands for a 0.1 component its author built
//! once and never touched again. The only changes from `66022eb` are those moving two crates into one
//! requires: the SDK's paths under `crate::sdk`, the WIT path, the bindings module, and the export
//! macro (its generated glue now expands in the crate that defines it, so it allows `unsafe_code`
//! itself). The original description:
//!
//! > The standard crm-rules policy (`docs/policy.md`), written in Rust against the guest SDK.
//! >
//! > The same source is compiled to a WebAssembly component (`cargo xtask build-rules`) and linked
//! > natively into the host's tests and benchmarks as the performance baseline. Its twin,
//! > `rules/standard/rhai`, must produce identical decisions on every fixture.

pub mod sdk;

mod billing;
mod escalation;
mod reminders;
mod terms;

use crate::sdk::prelude::*;

/// The standard pack: billing triggers, reminders and escalation.
pub struct Standard;

impl Rules for Standard {
    fn billing(ctx: &Context) -> Result<RuleOutput, String> {
        billing::evaluate(ctx)
    }

    fn reminders(ctx: &Context) -> Result<RuleOutput, String> {
        reminders::evaluate(ctx)
    }

    fn escalation(ctx: &Context) -> Result<RuleOutput, String> {
        escalation::evaluate(ctx)
    }
}

crate::export_rules!(Standard);

/// Each instance serves one evaluation, so its heap never needs to give memory back.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: crate::sdk::arena::EvaluationArena = crate::sdk::arena::EvaluationArena::new();

/// R6 and E1: why dunning is stopped for the whole account at `ctx.today`, if it is: the account is
/// excluded from dunning, or paused up to and including a date not yet passed.
fn dunning_stopped(ctx: &Context) -> Option<SuppressionReason> {
    let account = &ctx.account;
    if account.dunning_excluded {
        Some(SuppressionReason::DunningExcluded)
    } else if account
        .dunning_paused_until
        .is_some_and(|until| ctx.today <= until)
    {
        Some(SuppressionReason::DunningPaused)
    } else {
        None
    }
}
