//! The standard crm-rules policy (`docs/policy.md`), written in Rust against the guest SDK.
//!
//! The same source is compiled to a WebAssembly component (`cargo xtask build-rules`) and linked natively
//! into the host's tests and benchmarks as the performance baseline. Its twin, `rules/standard/rhai`,
//! must produce identical decisions on every fixture.

mod billing;
mod escalation;
mod reminders;
mod service;
mod steps;
mod terms;

use crm_rules_guest::prelude::*;

// The standard pack's modules: billing triggers, reminders, escalation and service status.
crm_rules_guest::export_modules! {
    "billing" => billing::evaluate,
    "reminders" => reminders::evaluate,
    "escalation" => escalation::evaluate,
    "service" => service::evaluate,
}

/// Each instance serves one evaluation, so its heap never needs to give memory back.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: crm_rules_guest::arena::EvaluationArena =
    crm_rules_guest::arena::EvaluationArena::new();

/// R6, E1 and S1: why dunning is stopped for the whole account at `ctx.today`, if it is: the account is
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
