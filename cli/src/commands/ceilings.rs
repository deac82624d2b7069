//! The host's ceilings on what a rule may cost, as command-line flags: a pack's `[limits]` may
//! lower them, never raise them (a pack that asks for more is refused when it loads).

use std::time::Duration;

use clap::Args;
use crm_rules_host::Limits;

/// The default deadline in milliseconds, for `--max-deadline-ms`'s help.
fn default_deadline_ms() -> u64 {
    u64::try_from(Limits::default().deadline.as_millis()).unwrap_or(u64::MAX)
}

/// Ceilings on what one rule module may cost in one evaluation; each defaults to
/// `crm_rules_host::Limits::default()`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Ceilings (a pack's [limits] may lower them, never raise them)")]
pub struct Ceilings {
    /// WebAssembly fuel per module per evaluation
    #[arg(long, global = true, value_name = "FUEL", default_value_t = Limits::default().fuel)]
    max_fuel: u64,
    /// Rhai operations per module per evaluation
    #[arg(long, global = true, value_name = "OPERATIONS",
          default_value_t = Limits::default().rhai_max_operations)]
    max_operations: u64,
    /// Wall-clock deadline per module per evaluation, in milliseconds
    #[arg(long, global = true, value_name = "MS", default_value_t = default_deadline_ms())]
    max_deadline_ms: u64,
    /// Memory per module per evaluation, in bytes
    #[arg(long, global = true, value_name = "BYTES",
          default_value_t = Limits::default().max_memory_bytes)]
    max_memory_bytes: usize,
    /// Actions plus suppressions one module may return
    #[arg(long, global = true, value_name = "ENTRIES",
          default_value_t = Limits::default().max_output_entries)]
    max_output_entries: usize,
    /// Bytes of text one module may return
    #[arg(long, global = true, value_name = "BYTES",
          default_value_t = Limits::default().max_output_bytes)]
    max_output_bytes: usize,
    /// Bytes of one JSON context (a file for eval, a line for batch)
    #[arg(long, global = true, value_name = "BYTES",
          default_value_t = Limits::default().max_input_bytes)]
    max_input_bytes: usize,
}

impl Ceilings {
    /// The engine's limits: the defaults, with the flags in their place.
    pub fn limits(&self) -> Limits {
        Limits {
            fuel: self.max_fuel,
            rhai_max_operations: self.max_operations,
            deadline: Duration::from_millis(self.max_deadline_ms),
            max_memory_bytes: self.max_memory_bytes,
            max_output_entries: self.max_output_entries,
            max_output_bytes: self.max_output_bytes,
            max_input_bytes: self.max_input_bytes,
            ..Limits::default()
        }
    }
}
