//! The WebAssembly backend: components of the `crm:rules/rule` world, contract 0.2 (the
//! `evaluate` interface: the context crosses in once per evaluation, modules run on it by name) or
//! the frozen 0.1 (one export per rule kind), run under fuel, an epoch deadline and a memory cap,
//! with no WASI and no imports beyond `crm:rules`' type-only interfaces.
//!
//! [`WasmRule::load`] compiles a component and finds which world it implements; [`WasmSession`]
//! runs one evaluation's calls; `packed_context` packs the context for a 0.2 component that takes
//! it in one buffer, `lend_v0_2` lends the contract's types to one that takes it typed,
//! `bridge_v0_2` converts its output back, and `bridge_v0_1` converts both ways for 0.1.

pub(crate) mod bindings;
pub(crate) mod bridge_v0_1;
pub(crate) mod bridge_v0_2;
pub(crate) mod cache;
mod lend_v0_2;
mod packed_context;
pub(crate) mod precompiled;
pub(crate) mod session;
pub(crate) mod store;
#[cfg(test)]
mod typed_crossing_tests;

use std::path::Path;

use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::error::LoadError;
use crate::explain::recorder;
use bindings::{v0_1, v0_2};
use cache::{CompileCache, Origin};
pub(crate) use session::{Entry, WasmSession};
pub(crate) use store::StoreState;

/// Milliseconds per epoch tick: the deadline's resolution.
pub(crate) const EPOCH_TICK_MS: u64 = 1;

/// Linear memory an instance-pool slot keeps resident when `PAGEMAP_SCAN` is available: the pages
/// an evaluation dirtied below it are reset in place rather than returned to the kernel. Only pages
/// a guest touched become resident, so an idle slot holds at most this much (1 MiB measured the
/// same as 4 MiB on the standard component).
const KEEP_RESIDENT: usize = 4 << 20;

/// The wasmtime engine configuration every pack shares. With `instance_pool`, instances come from a
/// pooling allocator with that many slots, each sized for `max_memory_bytes` of linear memory:
/// instantiating then reuses memory already mapped instead of calling `mmap` and `munmap` for each
/// evaluation.
pub(crate) fn new_engine(
    instance_pool: Option<u32>,
    max_memory_bytes: usize,
) -> Result<Engine, LoadError> {
    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .consume_fuel(true)
        .epoch_interruption(true)
        .max_wasm_stack(512 << 10);
    if let Some(slots) = instance_pool {
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(slots)
            .total_core_instances(slots.saturating_mul(2))
            .total_memories(slots)
            .total_tables(slots.saturating_mul(2))
            .max_memory_size(max_memory_bytes)
            // Tables are a few KiB: clearing them in place beats an `madvise` per evaluation (and
            // the TLB shootdown it sends to every other core running the host), +6 % batch
            // throughput on 2 threads.
            .table_keep_resident(64 << 10);
        if PoolingAllocationConfig::is_pagemap_scan_available() {
            // Linux 6.7+: when an instance is dropped, `PAGEMAP_SCAN` finds the pages the guest
            // dirtied and only those are reset to their initial contents, in place, up to
            // `KEEP_RESIDENT` bytes; no `madvise`, so no page faults on the next evaluation and no
            // TLB shootdown to the other cores. Measured on the standard component: one evaluation
            // 7.0x native -> 4.1-4.9x; batch on 2 threads 1.6-2x the throughput
            // (docs/performance.md). Without the ioctl, keeping memory resident means a `memset`
            // of all of it, which was slower, so dirty pages are returned with `madvise` instead.
            pool.linear_memory_keep_resident(KEEP_RESIDENT)
                .pagemap_scan(wasmtime::Enabled::Yes);
        }
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    Engine::new(&config).map_err(|error| LoadError::Engine(format!("{error:#}")))
}

/// The instances the linker provides: the contract's type-only interfaces, of both worlds. A 0.2
/// component imports those its exports' types come from (`values`, `records`, `actions`), a 0.1
/// component `types`; none has a function, so each is an empty instance.
const TYPE_INTERFACES: &[&str] = &[
    "crm:rules/values@0.2.0",
    "crm:rules/records@0.2.0",
    "crm:rules/actions@0.2.0",
    "crm:rules/types@0.1.0",
];

/// The linker: the contract's type-only interfaces ([`TYPE_INTERFACES`]), and `crm:rules/explain`,
/// whose functions report to the explaining thread's recorder and do nothing otherwise.
pub(crate) fn new_linker(engine: &Engine) -> Result<Linker<StoreState>, LoadError> {
    let engine_error = |error: wasmtime::Error| LoadError::Engine(format!("{error:#}"));
    let mut linker = Linker::new(engine);
    for name in TYPE_INTERFACES {
        linker.instance(name).map_err(engine_error)?;
    }
    let mut explain = linker
        .instance("crm:rules/explain@0.2.0")
        .map_err(engine_error)?;
    explain
        .func_wrap("explaining", |_, (): ()| Ok((recorder::active(),)))
        .map_err(engine_error)?;
    explain
        .func_wrap(
            "trace",
            |_, (rule, subject, message): (String, String, String)| {
                recorder::note(&rule, &subject, &message);
                Ok(())
            },
        )
        .map_err(engine_error)?;
    explain
        .func_wrap("param-read", |_, (name,): (String,)| {
            recorder::param_read(&name);
            Ok(())
        })
        .map_err(engine_error)?;
    Ok(linker)
}

/// The contract a component implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum World {
    /// `crm:rules/rule@0.1.0`: one export per rule kind.
    V0_1,
    /// `crm:rules/rule@0.2.0`: named modules over a context taken once.
    V0_2,
}

/// A component pre-instantiated for its world.
pub(crate) enum Pre {
    /// A 0.1 component.
    V0_1(v0_1::RulePre<StoreState>),
    /// A 0.2 component, with the modules it implements (its `modules` export, called at load).
    V0_2 {
        pre: v0_2::CheckedPre<StoreState>,
        modules: Vec<String>,
    },
}

/// A loaded component, pre-instantiated: instantiating it per evaluation costs microseconds.
pub(crate) struct WasmRule {
    pub(crate) pre: Pre,
}

impl WasmRule {
    /// Compiles a component (or a `wasm32-unknown-unknown` core module, which is turned into one),
    /// or takes it from `precompiled` (native code the host trusts, see
    /// [`precompiled::Trusted`]) or from `cache`, and finds its world: `crm:rules/rule@0.2.0`
    /// (then its `modules` export is called once, see [`WasmRule::modules`]), else `@0.1.0`.
    /// Precompiled code that wasmtime refuses is compiled instead.
    pub(crate) fn load(
        engine: &Engine,
        linker: &Linker<StoreState>,
        (cache, precompiled): (Option<&CompileCache>, Option<precompiled::Trusted<'_>>),
        module: &str,
        path: &Path,
        bytes: &[u8],
    ) -> Result<(WasmRule, Origin), LoadError> {
        let invalid = |message: String| LoadError::Component {
            module: module.to_owned(),
            path: path.to_path_buf(),
            message,
        };
        let compile = || compile(engine, path, bytes).map_err(invalid);
        let shipped = precompiled.and_then(|code| code.load(engine));
        let (component, origin) = match (shipped, cache) {
            (Some(component), _) => (component, Origin::Precompiled),
            (None, Some(cache)) => cache.load_or_compile(engine, bytes, compile)?,
            (None, None) => (compile()?, Origin::Compiled),
        };
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
        let pre = match v0_2::RulePre::new(instance_pre.clone()) {
            Ok(_) => {
                let (pre, modules) = session::check_v0_2(instance_pre)
                    .map_err(|error| invalid(format!("as crm:rules/rule@0.2.0: {error}")))?;
                Pre::V0_2 { pre, modules }
            }
            Err(error_0_2) => match v0_1::RulePre::new(instance_pre) {
                Ok(pre) => Pre::V0_1(pre),
                Err(error_0_1) => {
                    return Err(invalid(format!(
                        "does not implement crm:rules/rule@0.2.0 or @0.1.0: as 0.2, \
                         {error_0_2:#}; as 0.1, {error_0_1:#}"
                    )));
                }
            },
        };
        Ok((WasmRule { pre }, origin))
    }

    /// The contract the component implements.
    pub(crate) fn world(&self) -> World {
        match &self.pre {
            Pre::V0_1(_) => World::V0_1,
            Pre::V0_2 { .. } => World::V0_2,
        }
    }

    /// The modules a 0.2 component implements, by name (what its `modules` export returned at
    /// load); `None` for a 0.1 component, whose entry points are the three rule kinds.
    pub(crate) fn modules(&self) -> Option<&[String]> {
        match &self.pre {
            Pre::V0_1(_) => None,
            Pre::V0_2 { modules, .. } => Some(modules),
        }
    }

    /// The component, compiled: what a bundle written with precompiled code serializes.
    pub(crate) fn component(&self) -> &Component {
        match &self.pre {
            Pre::V0_1(pre) => pre.instance_pre().component(),
            Pre::V0_2 { pre, .. } => pre.instance_pre().component(),
        }
    }

    /// The engine the component was compiled for.
    pub(crate) fn engine(&self) -> &Engine {
        match &self.pre {
            Pre::V0_1(pre) => pre.engine(),
            Pre::V0_2 { pre, .. } => pre.engine(),
        }
    }
}

/// Compiles a component, a core module (turned into a component first) or WebAssembly text.
fn compile(engine: &Engine, path: &Path, bytes: &[u8]) -> Result<Component, String> {
    // Text (`.wat`) is accepted for small hand-written modules such as the hostile test corpus.
    let text_bytes;
    let bytes = if path.extension().is_some_and(|ext| ext == "wat") {
        text_bytes = wat::parse_bytes(bytes)
            .map_err(|error| format!("invalid WebAssembly text: {error}"))?
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
                format!(
                    "core module cannot be turned into a component (was it built with the \
                     crm-rules-guest SDK?): {error:#}"
                )
            })?;
        component_bytes.as_slice()
    } else if wasmparser::Parser::is_component(bytes) {
        bytes
    } else {
        return Err("not a WebAssembly component or module (bad magic number)".to_owned());
    };
    Component::new(engine, bytes).map_err(|error| format!("invalid component: {error:#}"))
}
