//! The WebAssembly backend: components of the `crm:rules/rule` world, run under fuel, an epoch
//! deadline and a memory cap, with no WASI and no imports beyond `crm:rules`.

pub(crate) mod bindings;
pub(crate) mod bridge;

use std::path::Path;

use crm_rules_guest::types as sdk;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, ResourceLimiter, Store, Trap};

use crate::error::{LoadError, RuleErrorKind};
use crate::limits::Limits;
use crate::manifest::RuleKind;
use bindings::RulePre;
use bridge::Bridge;

/// Milliseconds per epoch tick: the deadline's resolution.
pub(crate) const EPOCH_TICK_MS: u64 = 1;

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

/// The wasmtime engine configuration every pack shares.
pub(crate) fn new_engine() -> Result<Engine, LoadError> {
    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .consume_fuel(true)
        .epoch_interruption(true)
        .max_wasm_stack(512 << 10);
    Engine::new(&config).map_err(|error| LoadError::Engine(format!("{error:#}")))
}

/// The linker: it provides nothing but the (type-only) `crm:rules/types` interface.
pub(crate) fn new_linker(engine: &Engine) -> Result<Linker<StoreState>, LoadError> {
    let mut linker = Linker::new(engine);
    linker
        .instance("crm:rules/types@0.1.0")
        .map_err(|error| LoadError::Engine(format!("{error:#}")))?;
    Ok(linker)
}

/// A loaded component, pre-instantiated: instantiating it per evaluation costs microseconds.
pub(crate) struct WasmRule {
    pre: RulePre<StoreState>,
}

impl WasmRule {
    /// Compiles a component (or a `wasm32-unknown-unknown` core module, which is turned into one) and
    /// checks it against the world.
    pub(crate) fn load(
        engine: &Engine,
        linker: &Linker<StoreState>,
        module: &str,
        path: &Path,
        bytes: &[u8],
    ) -> Result<WasmRule, LoadError> {
        let invalid = |message: String| LoadError::Component {
            module: module.to_owned(),
            path: path.to_path_buf(),
            message,
        };
        // Text (`.wat`) is accepted for small hand-written modules such as the hostile test corpus.
        let text_bytes;
        let bytes = if path.extension().is_some_and(|ext| ext == "wat") {
            text_bytes = wat::parse_bytes(bytes)
                .map_err(|error| invalid(format!("invalid WebAssembly text: {error}")))?
                .into_owned();
            text_bytes.as_slice()
        } else {
            bytes
        };
        let component_bytes;
        let bytes = if wasmparser::Parser::is_core_wasm(bytes) {
            component_bytes = wit_component::ComponentEncoder::default()
                .module(bytes)
                .and_then(|encoder| encoder.validate(true).encode())
                .map_err(|error| {
                    invalid(format!(
                        "core module cannot be turned into a component (was it built with the \
                         crm-rules-guest SDK?): {error:#}"
                    ))
                })?;
            component_bytes.as_slice()
        } else if wasmparser::Parser::is_component(bytes) {
            bytes
        } else {
            return Err(invalid(
                "not a WebAssembly component or module (bad magic number)".to_owned(),
            ));
        };
        let component = Component::new(engine, bytes)
            .map_err(|error| invalid(format!("invalid component: {error:#}")))?;
        for (name, _) in component.component_type().imports(engine) {
            if !name.starts_with("crm:rules/") {
                return Err(LoadError::ForbiddenImport {
                    module: module.to_owned(),
                    path: path.to_path_buf(),
                    import: name.to_owned(),
                });
            }
        }
        let instance_pre = linker
            .instantiate_pre(&component)
            .map_err(|error| invalid(format!("cannot be linked against the sandbox: {error:#}")))?;
        let pre = RulePre::new(instance_pre).map_err(|error| {
            invalid(format!(
                "does not implement the `crm:rules/rule@0.1.0` world: {error:#}"
            ))
        })?;
        Ok(WasmRule { pre })
    }

    /// Runs one entry point in a fresh store: the result and the fuel it used.
    pub(crate) fn call(
        &self,
        kind: RuleKind,
        ctx: &bindings::crm::rules::types::Context,
        limits: &Limits,
    ) -> (Result<sdk::RuleOutput, (RuleErrorKind, String)>, u64) {
        let engine = self.pre.engine();
        let mut store = Store::new(
            engine,
            StoreState {
                max_memory_bytes: limits.max_memory_bytes,
            },
        );
        store.limiter(|state| state);
        if let Err(error) = store.set_fuel(limits.fuel) {
            return (Err((RuleErrorKind::Trap, format!("{error:#}"))), 0);
        }
        let ticks = u64::try_from(limits.deadline.as_millis())
            .unwrap_or(u64::MAX)
            .div_ceil(EPOCH_TICK_MS)
            .max(1);
        store.set_epoch_deadline(ticks);
        store.epoch_deadline_trap();
        let result = self
            .pre
            .instantiate(&mut store)
            .and_then(|rule| match kind {
                RuleKind::Billing => rule.call_evaluate_billing(&mut store, ctx),
                RuleKind::Reminders => rule.call_evaluate_reminders(&mut store, ctx),
                RuleKind::Escalation => rule.call_evaluate_escalation(&mut store, ctx),
            });
        let fuel_used = limits.fuel - store.get_fuel().unwrap_or(0);
        let outcome = match result {
            Ok(Ok(output)) => Ok(sdk::RuleOutput::from_wit(output)),
            Ok(Err(message)) => Err((RuleErrorKind::RuleFailed, message)),
            Err(error) => Err(classify(&error)),
        };
        (outcome, fuel_used)
    }
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
