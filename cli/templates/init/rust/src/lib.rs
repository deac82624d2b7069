//! The pack's rules: one module per kind, each a function of the context, exported by name with
//! `export_modules!` (each `[[modules]]` entry of pack.toml names its function with `entry`).
//!
//! Built for `wasm32-unknown-unknown` this crate is the `.wasm` file the pack loads (the host turns
//! it into a component); natively, `MODULES` is the same table, and a unit test calls a module's
//! function directly (see `escalation.rs`).

mod billing;
mod escalation;
mod reminders;

use crm_rules_guest::prelude::*;

crm_rules_guest::export_modules! {
    "billing" => billing::evaluate,
    "reminders" => reminders::evaluate,
    "escalation" => escalation::evaluate,
}

/// Each instance serves one evaluation, so its heap never needs to give memory back.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: crm_rules_guest::arena::EvaluationArena =
    crm_rules_guest::arena::EvaluationArena::new();

/// A non-negative integer parameter of the pack, as a number of days.
fn days_param(ctx: &Context, name: &str) -> Result<u32, String> {
    let days = ctx.param_int(name)?;
    u32::try_from(days).map_err(|_| format!("parameter `{name}` must be 0 or more, not {days}"))
}

/// The instant the account's local day `date` starts (daylight saving included): what a module
/// gives as `next_evaluation_at` when its outcome changes with the date.
fn start_of_local_day(ctx: &Context, date: &Date) -> Result<Timestamp, String> {
    crm_rules_guest::clock::local_time_on(date, &ctx.account.timezone, 0)
        .map_err(|error| error.to_string())
}

/// Keeps the earlier of the output's `next_evaluation_at` and `at`.
fn look_again_at(out: &mut RuleOutput, at: Timestamp) {
    out.next_evaluation_at = Some(out.next_evaluation_at.map_or(at, |known| known.min(at)));
}
