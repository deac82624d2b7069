//! The cost limits every evaluation runs under.

use std::time::Duration;

/// Hard limits on what one rule module may cost in one evaluation. [`Limits::default`] is safe for
/// untrusted rules; a pack manifest's `[limits]` table may lower or raise the per-evaluation figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// WebAssembly fuel per module per evaluation (deterministic; roughly one unit per instruction).
    /// Defaults to 10,000,000.
    pub fuel: u64,
    /// Rhai operations per module per evaluation (deterministic). Defaults to 1,000,000.
    pub rhai_max_operations: u64,
    /// Wall-clock backstop per module per evaluation, for both backends. Defaults to 1 s: fuel and
    /// operations are the deterministic limits (10,000,000 fuel stops a loop in milliseconds); the
    /// deadline only catches what they cannot, so it is generous enough never to fire on a correct
    /// rule that was merely descheduled on a loaded machine.
    pub deadline: Duration,
    /// Linear memory per WebAssembly instance, in bytes. Defaults to 64 MiB.
    pub max_memory_bytes: usize,
    /// Actions plus suppressions one module may return. Defaults to 1,000.
    pub max_output_entries: usize,
    /// Total bytes of text (keys, reasons, ids) one module may return. Defaults to 1 MiB.
    pub max_output_bytes: usize,
    /// Size of one JSON context, in bytes, accepted by [`crate::json::parse_context_limited`] (and
    /// so by `crm-rules eval` and `batch`). Defaults to 4 MiB.
    pub max_input_bytes: usize,
    /// Rhai function call depth. Defaults to 32. Fixed when the engine is built.
    pub rhai_max_call_levels: usize,
    /// Rhai expression nesting depth (statements and functions). Defaults to 64. Fixed at engine build.
    pub rhai_max_expr_depth: usize,
    /// Longest Rhai string, in bytes. Defaults to 64 KiB. Fixed at engine build.
    pub rhai_max_string_bytes: usize,
    /// Longest Rhai array. Defaults to 4,000 (Rhai re-checks sizes after each mutation, so large
    /// values make hostile scripts quadratic: the deadline bounds that). Fixed at engine build.
    pub rhai_max_array_len: usize,
    /// Entries in a Rhai object map, counted across nested maps: a Rhai rule's output of N actions
    /// of about a dozen fields each counts about 12 x N, so the default allows some 400 actions.
    /// Defaults to 5,000 (growing a map is quadratic in Rhai, like arrays). Fixed at engine build.
    pub rhai_max_map_len: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            fuel: 10_000_000,
            rhai_max_operations: 1_000_000,
            deadline: Duration::from_secs(1),
            max_memory_bytes: 64 << 20,
            max_output_entries: 1_000,
            max_output_bytes: 1 << 20,
            max_input_bytes: 4 << 20,
            rhai_max_call_levels: 32,
            rhai_max_expr_depth: 64,
            rhai_max_string_bytes: 64 << 10,
            rhai_max_array_len: 4_000,
            rhai_max_map_len: 5_000,
        }
    }
}

/// The per-evaluation limits a pack manifest may override (`[limits]` in `pack.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitOverrides {
    /// Replaces [`Limits::fuel`].
    pub fuel: Option<u64>,
    /// Replaces [`Limits::rhai_max_operations`].
    pub rhai_max_operations: Option<u64>,
    /// Replaces [`Limits::deadline`], in milliseconds.
    pub deadline_ms: Option<u64>,
    /// Replaces [`Limits::max_output_entries`].
    pub max_output_entries: Option<usize>,
    /// Replaces [`Limits::max_output_bytes`].
    pub max_output_bytes: Option<usize>,
    /// Replaces [`Limits::max_input_bytes`].
    pub max_input_bytes: Option<usize>,
}

impl Limits {
    /// These limits with a pack's overrides applied.
    pub fn with_overrides(&self, overrides: &LimitOverrides) -> Limits {
        Limits {
            fuel: overrides.fuel.unwrap_or(self.fuel),
            rhai_max_operations: overrides
                .rhai_max_operations
                .unwrap_or(self.rhai_max_operations),
            deadline: overrides
                .deadline_ms
                .map_or(self.deadline, Duration::from_millis),
            max_output_entries: overrides
                .max_output_entries
                .unwrap_or(self.max_output_entries),
            max_output_bytes: overrides.max_output_bytes.unwrap_or(self.max_output_bytes),
            max_input_bytes: overrides.max_input_bytes.unwrap_or(self.max_input_bytes),
            ..self.clone()
        }
    }
}
