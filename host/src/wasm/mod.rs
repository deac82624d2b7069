//! The WebAssembly backend: components of the `crm:rules/rule` world, run under fuel, an epoch
//! deadline and a memory cap, with no WASI and no imports beyond `crm:rules`.

pub(crate) mod bindings;
pub(crate) mod bridge;
pub(crate) mod cache;
pub(crate) mod session;

use std::path::Path;

use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::error::LoadError;
use bindings::RulePre;
use cache::{CompileCache, Origin};
pub(crate) use session::{StoreState, WasmSession};

/// Milliseconds per epoch tick: the deadline's resolution.
pub(crate) const EPOCH_TICK_MS: u64 = 1;

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
            // Dirty pages are returned with `madvise` when an instance is dropped: measured on the
            // standard pack, keeping 64 KiB to 4 MiB resident (reset by `memset`) was slower.
            .max_memory_size(max_memory_bytes)
            // Tables are a few KiB: clearing them in place beats an `madvise` per evaluation (and
            // the TLB shootdown it sends to every other core running the host), +6 % batch
            // throughput on 2 threads.
            .table_keep_resident(64 << 10);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
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
    pub(crate) pre: RulePre<StoreState>,
}

impl WasmRule {
    /// Compiles a component (or a `wasm32-unknown-unknown` core module, which is turned into one),
    /// or takes it from `cache`, and checks it against the world.
    pub(crate) fn load(
        engine: &Engine,
        linker: &Linker<StoreState>,
        cache: Option<&CompileCache>,
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
        let (component, origin) = match cache {
            Some(cache) => cache.load_or_compile(engine, bytes, compile)?,
            None => (compile()?, Origin::Compiled),
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
        let pre = RulePre::new(instance_pre).map_err(|error| {
            invalid(format!(
                "does not implement the `crm:rules/rule@0.1.0` world: {error:#}"
            ))
        })?;
        Ok((WasmRule { pre }, origin))
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
