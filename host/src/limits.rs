//! The cost limits every evaluation runs under, and the ceilings a host sets on them.
//!
//! The host owns the limits: the [`Limits`] an engine is built with (see
//! [`crate::EngineOptions::new`]) are **ceilings**. A pack's `[limits]` table and a per-call
//! [`LimitOverrides`] may lower any per-evaluation figure, never raise it: a pack that asks for
//! more is refused when it loads (`crm-rules check` reports it), and so is a per-call override.

use std::time::Duration;

/// Hard limits on what one rule module may cost in one evaluation. [`Limits::default`] is safe for
/// untrusted rules. Given to an engine, they are the ceilings no pack or call may exceed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// WebAssembly fuel per module per evaluation (deterministic; roughly one unit per instruction).
    /// Defaults to 200,000,000: the standard pack's reminder module needs about 95 million on an
    /// account of 10,000 invoices with a reminder history, the most measured (`docs/performance.md`),
    /// so an account that size is decided with twice that to spare. A loop that burns it all is
    /// stopped in about 8 ms.
    pub fuel: u64,
    /// Rhai operations per module per evaluation (deterministic). Defaults to 10,000,000: the
    /// standard pack's reminder module uses about 5.2 million on an account of 10,000 invoices that
    /// are all due (`docs/performance.md`), so an account that size is decided with twice that to
    /// spare. A `loop {}` that spends it all is stopped in about 50 ms.
    pub rhai_max_operations: u64,
    /// Wall-clock backstop per module per evaluation, for both backends. Defaults to 1 s: fuel and
    /// operations are the deterministic limits (the default fuel stops a loop in about 8 ms, the
    /// default operations in about 50 ms); the deadline only catches what they cannot, so it is
    /// generous enough never to fire on a correct rule that was merely descheduled on a loaded
    /// machine.
    pub deadline: Duration,
    /// Memory per module per evaluation, in bytes: a WebAssembly instance's linear memory, and the
    /// heap a Rhai script holds (see [`crate::RhaiMemory`]). Defaults to 64 MiB. The engine's figure
    /// also sizes its instance-pool slots.
    pub max_memory_bytes: usize,
    /// Actions plus suppressions one module may return. Defaults to 25,000: the standard pack
    /// returns at most two per invoice (a task and a suppression), 20,000 for an account of 10,000
    /// invoices.
    pub max_output_entries: usize,
    /// Total bytes of text (keys, reasons, ids) one module may return. Defaults to 8 MiB: the
    /// standard pack's reminders for an account of 10,000 invoices are 1.1 MB of text (a reminder
    /// each) to 1.7 MB (a task and a suppression each) with short ids (`docs/performance.md`);
    /// real ids and payment links can double that.
    pub max_output_bytes: usize,
    /// Size of one JSON context, in bytes, accepted by [`crate::json::parse_context_limited`] (and
    /// so by `crm-rules eval` and `batch`). Defaults to 16 MiB: an account of 10,000 invoices with
    /// a reminder sent for two in three is 3.6 MB of compact JSON (`docs/performance.md`); a longer
    /// history and longer ids take a few times that.
    pub max_input_bytes: usize,
    /// Rhai function call depth. Defaults to 32. Fixed when the engine is built.
    pub rhai_max_call_levels: usize,
    /// Rhai expression nesting depth (statements and functions). Defaults to 64. Fixed at engine build.
    pub rhai_max_expr_depth: usize,
    /// Longest Rhai string, in bytes. Defaults to 64 KiB. Fixed at engine build. Under
    /// [`crate::RhaiMemory::Counted`] it bounds what one call may build at once (`pad`, `replace`);
    /// under [`crate::RhaiMemory::SizeLimits`] every value.
    pub rhai_max_string_bytes: usize,
    /// Longest Rhai array. Defaults to 4,000. Fixed at engine build. Like
    /// [`Limits::rhai_max_string_bytes`]: one call's output under counted memory, every value
    /// under size limits (where Rhai re-checks sizes after each mutation, which makes building a
    /// long list quadratic).
    pub rhai_max_array_len: usize,
    /// Entries in a Rhai object map, counted across nested maps; only enforced under
    /// [`crate::RhaiMemory::SizeLimits`], where a rule's output of N actions of about a dozen
    /// fields each counts about 12 x N. Defaults to 5,000. Fixed at engine build.
    pub rhai_max_map_len: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            fuel: 200_000_000,
            rhai_max_operations: 10_000_000,
            deadline: Duration::from_secs(1),
            max_memory_bytes: 64 << 20,
            max_output_entries: 25_000,
            max_output_bytes: 8 << 20,
            max_input_bytes: 16 << 20,
            rhai_max_call_levels: 32,
            rhai_max_expr_depth: 64,
            rhai_max_string_bytes: 64 << 10,
            rhai_max_array_len: 4_000,
            rhai_max_map_len: 5_000,
        }
    }
}

/// Per-evaluation limits a pack manifest (`[limits]` in `pack.toml`) or a host call may lower.
/// Each `None` keeps the figure it is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitOverrides {
    /// Lowers [`Limits::fuel`].
    pub fuel: Option<u64>,
    /// Lowers [`Limits::rhai_max_operations`].
    pub rhai_max_operations: Option<u64>,
    /// Lowers [`Limits::deadline`], in milliseconds.
    pub deadline_ms: Option<u64>,
    /// Lowers [`Limits::max_memory_bytes`].
    pub max_memory_bytes: Option<usize>,
    /// Lowers [`Limits::max_output_entries`].
    pub max_output_entries: Option<usize>,
    /// Lowers [`Limits::max_output_bytes`].
    pub max_output_bytes: Option<usize>,
    /// Lowers [`Limits::max_input_bytes`].
    pub max_input_bytes: Option<usize>,
}

/// A pack or a call asked for more than the host's ceiling.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{limit}` = {asked} is above the host's ceiling of {ceiling}; a pack or a call may only \
     lower limits (the host sets ceilings: `EngineOptions`, or the `crm-rules` limit flags)"
)]
pub struct LimitAboveCeilingError {
    /// The limit's name, as in `[limits]`.
    pub limit: &'static str,
    /// What was asked.
    pub asked: u128,
    /// The ceiling.
    pub ceiling: u128,
}

/// `asked` if it is at most `ceiling`.
fn lower<T: Copy + PartialOrd + Into<u128>>(
    limit: &'static str,
    asked: Option<T>,
    ceiling: T,
) -> Result<T, LimitAboveCeilingError> {
    match asked {
        Some(asked) if asked > ceiling => Err(LimitAboveCeilingError {
            limit,
            asked: asked.into(),
            ceiling: ceiling.into(),
        }),
        Some(asked) => Ok(asked),
        None => Ok(ceiling),
    }
}

/// `usize` as `u128`, for the error's figures (`usize` is at most 64 bits on every target we build).
fn wide(value: Option<usize>) -> Option<u128> {
    value.map(|value| value as u128)
}

impl Limits {
    /// These limits lowered by `overrides`.
    ///
    /// # Errors
    /// The first override above the figure it would replace: limits are ceilings.
    pub fn lowered_by(&self, overrides: &LimitOverrides) -> Result<Limits, LimitAboveCeilingError> {
        let narrow = |value: u128| usize::try_from(value).unwrap_or(usize::MAX);
        let deadline_ms = u64::try_from(self.deadline.as_millis()).unwrap_or(u64::MAX);
        Ok(Limits {
            fuel: lower("fuel", overrides.fuel, self.fuel)?,
            rhai_max_operations: lower(
                "rhai_max_operations",
                overrides.rhai_max_operations,
                self.rhai_max_operations,
            )?,
            deadline: match overrides.deadline_ms {
                Some(ms) => Duration::from_millis(lower("deadline_ms", Some(ms), deadline_ms)?),
                None => self.deadline,
            },
            max_memory_bytes: narrow(lower(
                "max_memory_bytes",
                wide(overrides.max_memory_bytes),
                self.max_memory_bytes as u128,
            )?),
            max_output_entries: narrow(lower(
                "max_output_entries",
                wide(overrides.max_output_entries),
                self.max_output_entries as u128,
            )?),
            max_output_bytes: narrow(lower(
                "max_output_bytes",
                wide(overrides.max_output_bytes),
                self.max_output_bytes as u128,
            )?),
            max_input_bytes: narrow(lower(
                "max_input_bytes",
                wide(overrides.max_input_bytes),
                self.max_input_bytes as u128,
            )?),
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_lower_and_never_raise() {
        let ceiling = Limits::default();
        let lowered = ceiling
            .lowered_by(&LimitOverrides {
                fuel: Some(5),
                deadline_ms: Some(10),
                max_output_entries: Some(3),
                ..LimitOverrides::default()
            })
            .unwrap();
        assert_eq!(lowered.fuel, 5);
        assert_eq!(lowered.deadline, Duration::from_millis(10));
        assert_eq!(lowered.max_output_entries, 3);
        assert_eq!(lowered.rhai_max_operations, ceiling.rhai_max_operations);
        let error = ceiling
            .lowered_by(&LimitOverrides {
                rhai_max_operations: Some(1_000_000_000_000),
                ..LimitOverrides::default()
            })
            .unwrap_err();
        assert_eq!(error.limit, "rhai_max_operations");
        assert!(error.to_string().starts_with(
            "`rhai_max_operations` = 1000000000000 is above the host's ceiling of 1000000"
        ));
        let error = ceiling
            .lowered_by(&LimitOverrides {
                deadline_ms: Some(3_600_000),
                ..LimitOverrides::default()
            })
            .unwrap_err();
        assert_eq!((error.limit, error.ceiling), ("deadline_ms", 1000));
        // Equal to the ceiling is allowed.
        assert_eq!(
            ceiling.lowered_by(&LimitOverrides {
                fuel: Some(ceiling.fuel),
                ..LimitOverrides::default()
            }),
            Ok(ceiling.clone())
        );
    }
}
