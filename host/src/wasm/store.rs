//! The store every instance runs in: its memory cap, its fuel and deadline for one call, and how a
//! failure is classified.

use wasmtime::{Engine, ResourceLimiter, Store, Trap};

use super::EPOCH_TICK_MS;
use crate::error::RuleErrorKind;
use crate::limits::Limits;

/// Per-store state: the memory cap.
pub(crate) struct StoreState {
    pub(super) max_memory_bytes: usize,
}

/// The error a store raises when a guest grows memory past the cap (typed, so it maps to `Memory`).
#[derive(Debug, thiserror::Error)]
#[error("memory limit of {limit} bytes exceeded (the rule asked for {desired} bytes)")]
struct MemoryLimitExceeded {
    desired: usize,
    limit: usize,
}

impl ResourceLimiter for StoreState {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_memory_bytes {
            return Err(MemoryLimitExceeded {
                desired,
                limit: self.max_memory_bytes,
            }
            .into());
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// A store with a memory cap of `max_memory_bytes`, and fuel and deadline set for one call.
pub(super) fn new_store(
    engine: &Engine,
    max_memory_bytes: usize,
    limits: &Limits,
) -> Result<Store<StoreState>, (RuleErrorKind, String)> {
    let mut store = Store::new(engine, StoreState { max_memory_bytes });
    store.limiter(|state| state);
    arm(&mut store, limits)?;
    Ok(store)
}

/// Gives a store its fuel and deadline for one call.
pub(super) fn arm(
    store: &mut Store<StoreState>,
    limits: &Limits,
) -> Result<(), (RuleErrorKind, String)> {
    store
        .set_fuel(limits.fuel)
        .map_err(|error| (RuleErrorKind::Trap, format!("{error:#}")))?;
    let ticks = u64::try_from(limits.deadline.as_millis())
        .unwrap_or(u64::MAX)
        .div_ceil(EPOCH_TICK_MS)
        .max(1);
    store.set_epoch_deadline(ticks);
    store.epoch_deadline_trap();
    Ok(())
}

/// The fuel spent since the store was last armed with `limits`.
pub(super) fn fuel_used(store: &Store<StoreState>, limits: &Limits) -> u64 {
    limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0))
}

/// Maps a wasmtime error to a typed kind (by downcasting, never by matching text) and a message: the
/// cause, then the guest's backtrace.
pub(super) fn classify(error: &wasmtime::Error) -> (RuleErrorKind, String) {
    let kind = if let Some(trap) = error.downcast_ref::<Trap>() {
        match trap {
            Trap::OutOfFuel => RuleErrorKind::OutOfFuel,
            Trap::Interrupt => RuleErrorKind::Deadline,
            Trap::StackOverflow => RuleErrorKind::StackOverflow,
            _ => RuleErrorKind::Trap,
        }
    } else if error.downcast_ref::<MemoryLimitExceeded>().is_some() {
        RuleErrorKind::Memory
    } else {
        RuleErrorKind::Trap
    };
    let message = match kind {
        RuleErrorKind::OutOfFuel => "ran out of fuel".to_owned(),
        RuleErrorKind::Deadline => "ran past its deadline".to_owned(),
        // What happened first, then where: wasmtime's own chain puts the backtrace first.
        _ => match error.downcast_ref::<wasmtime::WasmBacktrace>() {
            Some(backtrace) => format!("{}; {backtrace}", error.root_cause()),
            None => format!("{error:#}"),
        }
        .replace('\n', " "),
    };
    (kind, message)
}
