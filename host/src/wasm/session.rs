//! Running components: the store each evaluation gets, its limits, and how a failure is classified.
//!
//! An evaluation opens a [`WasmSession`]. The first module of a component instantiates it (from its
//! `InstancePre`, out of the engine's instance pool) in a store of its own; the component's other
//! modules in the same evaluation call that instance again, with their fuel and deadline reset. The
//! instance is dropped with the session, so nothing a rule keeps in its memory survives into the
//! next evaluation: same context, same decision. After a trap the instance is dropped at once and
//! the next module gets a fresh one.

use crm_rules_guest::types as sdk;
use wasmtime::{ResourceLimiter, Store, Trap};

use super::bindings::Rule;
use super::bindings::crm::rules::types::Context as WitContext;
use super::bridge::Bridge as _;
use super::{EPOCH_TICK_MS, WasmRule};
use crate::error::RuleErrorKind;
use crate::limits::Limits;
use crate::manifest::RuleKind;

/// Per-store state: the memory cap.
pub(crate) struct StoreState {
    max_memory_bytes: usize,
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

/// A live instance and its store.
struct Live {
    store: Store<StoreState>,
    rule: Rule,
}

/// What one module call returned, and the fuel it used.
pub(crate) type CallResult = (Result<sdk::RuleOutput, (RuleErrorKind, String)>, u64);

/// The component instances of one evaluation (see the module docs).
pub(crate) struct WasmSession<'p> {
    components: &'p [WasmRule],
    /// The engine-wide memory cap: a per-call limit can lower it, never raise it (the instance
    /// pool's slots are sized by it).
    memory_ceiling: usize,
    live: Vec<Option<Live>>,
}

impl<'p> WasmSession<'p> {
    pub(crate) fn new(components: &'p [WasmRule], memory_ceiling: usize) -> WasmSession<'p> {
        WasmSession {
            components,
            memory_ceiling,
            live: components.iter().map(|_| None).collect(),
        }
    }

    /// The memory cap under `limits`: lowered by them, never raised past the ceiling.
    fn memory_cap(&self, limits: &Limits) -> usize {
        limits.max_memory_bytes.min(self.memory_ceiling)
    }

    /// A store for `component` with its memory cap, fuel and deadline set for one call.
    fn new_store(
        &self,
        component: &WasmRule,
        limits: &Limits,
    ) -> Result<Store<StoreState>, (RuleErrorKind, String)> {
        let max_memory_bytes = self.memory_cap(limits);
        let mut store = Store::new(component.pre.engine(), StoreState { max_memory_bytes });
        store.limiter(|state| state);
        arm(&mut store, limits)?;
        Ok(store)
    }

    /// Instantiates every component in a fresh store and drops it, calling nothing: what an
    /// evaluation pays per component before its first call.
    pub(crate) fn instantiate_all(&self, limits: &Limits) -> Result<(), (RuleErrorKind, String)> {
        for component in self.components {
            let mut store = self.new_store(component, limits)?;
            component
                .pre
                .instantiate_checked_at_load(&mut store)
                .map_err(|error| classify(&error))?;
        }
        Ok(())
    }

    /// Calls `kind`'s entry point of component `index` under `limits`.
    pub(crate) fn call(
        &mut self,
        index: usize,
        kind: RuleKind,
        ctx: &WitContext,
        limits: &Limits,
    ) -> CallResult {
        let Some(component) = self.components.get(index) else {
            return (
                Err((RuleErrorKind::Trap, format!("no component #{index}"))),
                0,
            );
        };
        let reused = self.live.get_mut(index).and_then(Option::take);
        let Live { mut store, rule } = match reused {
            Some(mut live) => {
                live.store.data_mut().max_memory_bytes = self.memory_cap(limits);
                if let Err(error) = arm(&mut live.store, limits) {
                    return (Err(error), 0);
                }
                live
            }
            None => {
                let mut store = match self.new_store(component, limits) {
                    Ok(store) => store,
                    Err(error) => return (Err(error), 0),
                };
                // Instantiation runs under the same fuel and deadline as the call it serves.
                match component.pre.instantiate_checked_at_load(&mut store) {
                    Ok(rule) => Live { store, rule },
                    Err(error) => return (Err(classify(&error)), fuel_used(&store, limits)),
                }
            }
        };
        let result = match kind {
            RuleKind::Billing => rule.call_evaluate_billing(&mut store, ctx),
            RuleKind::Reminders => rule.call_evaluate_reminders(&mut store, ctx),
            RuleKind::Escalation => rule.call_evaluate_escalation(&mut store, ctx),
        };
        let fuel = fuel_used(&store, limits);
        let outcome = match result {
            Ok(returned) => {
                // The instance is healthy (a rule that reports a failure has not trapped).
                if let Some(slot) = self.live.get_mut(index) {
                    *slot = Some(Live { store, rule });
                }
                returned
                    .map(sdk::RuleOutput::from_wit)
                    .map_err(|message| (RuleErrorKind::RuleFailed, message))
            }
            // A trapped instance is poisoned: it is dropped here, with its store.
            Err(error) => Err(classify(&error)),
        };
        (outcome, fuel)
    }
}

/// Gives a store its fuel and deadline for one call.
fn arm(store: &mut Store<StoreState>, limits: &Limits) -> Result<(), (RuleErrorKind, String)> {
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

fn fuel_used(store: &Store<StoreState>, limits: &Limits) -> u64 {
    limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0))
}

/// Maps a wasmtime error to a typed kind (by downcasting, never by matching text) and a message: the
/// cause, then the guest's backtrace.
fn classify(error: &wasmtime::Error) -> (RuleErrorKind, String) {
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
