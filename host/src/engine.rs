//! The rule engine: one per process. It owns the wasmtime engine (with its epoch ticker), the linker
//! and the frozen Rhai engine, and loads packs.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::LoadError;
use crate::limits::Limits;
use crate::wasm::cache::CompileCache;
use crate::wasm::{self, EPOCH_TICK_MS, StoreState};

/// Advances the wasmtime epoch every tick so deadlines fire; stopped when the engine is dropped.
struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engine: &wasmtime::Engine) -> Result<EpochTicker, LoadError> {
        let stop = Arc::new(AtomicBool::new(false));
        let engine = engine.clone();
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("crm-rules-epoch".to_owned())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(EPOCH_TICK_MS));
                    engine.increment_epoch();
                }
            })
            .map_err(|error| {
                LoadError::Engine(format!("cannot start the epoch thread: {error}"))
            })?;
        Ok(EpochTicker {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            // A panicking ticker thread has nothing left to clean up.
            let _ = thread.join();
        }
    }
}

/// How a [`RuleEngine`] is built: its limits, where compiled components are cached, and the
/// instance pool.
///
/// ```
/// use crm_rules_host::{EngineOptions, Limits, RhaiMemory, RuleEngine};
///
/// let cache = std::env::temp_dir().join("crm-rules-doc-cache");
/// let engine = RuleEngine::with_options(
///     EngineOptions::new(Limits::default())
///         .compile_cache(Some(cache))
///         // This program keeps the system allocator: Rhai memory is bounded by size limits.
///         .rhai_memory(RhaiMemory::SizeLimits),
/// )?;
/// # Ok::<(), crm_rules_host::LoadError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineOptions {
    limits: Limits,
    compile_cache: Option<PathBuf>,
    instance_pool: Option<u32>,
    rhai_memory: RhaiMemory,
    trust_precompiled: bool,
}

/// How Rhai scripts are held to [`Limits::max_memory_bytes`].
///
/// A WebAssembly component's memory is always capped by its store. A Rhai script's values live on
/// the host's heap, which only the global allocator sees: a host that wants the same cap for
/// scripts installs [`crate::alloc::CountingAllocator`]; one that cannot says so explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RhaiMemory {
    /// Count the heap bytes each script holds, checked between operations and before any built-in
    /// that could allocate much at once: an exact cap, at linear cost. Needs
    /// [`crate::alloc::CountingAllocator`] as the program's global allocator; building an engine
    /// without it fails with a [`LoadError::Engine`] that says so. The default.
    #[default]
    Counted,
    /// Rhai's per-value size limits only ([`Limits::rhai_max_string_bytes`],
    /// [`Limits::rhai_max_array_len`], [`Limits::rhai_max_map_len`]), and what a script stores in
    /// records of the context charged against [`Limits::max_memory_bytes`] (Rhai's checks do not
    /// see inside them): no allocator needed, but the bound is approximate (many values each within
    /// the limits add up), and Rhai re-measures a value after every change, so a rule building a
    /// long list pays quadratic time and large accounts may be held for review.
    SizeLimits,
}

impl EngineOptions {
    /// Instances per engine in the default pool: enough for every thread of a large host to hold
    /// an evaluation's instances at once.
    pub const DEFAULT_INSTANCE_POOL: u32 = 256;

    /// `limits`, no compile cache, and a pool of [`EngineOptions::DEFAULT_INSTANCE_POOL`] instances.
    pub fn new(limits: Limits) -> EngineOptions {
        EngineOptions {
            limits,
            compile_cache: None,
            instance_pool: Some(Self::DEFAULT_INSTANCE_POOL),
            rhai_memory: RhaiMemory::default(),
            trust_precompiled: false,
        }
    }

    /// How Rhai scripts are held to the memory limit: [`RhaiMemory::Counted`] (the default) or
    /// [`RhaiMemory::SizeLimits`].
    pub fn rhai_memory(mut self, memory: RhaiMemory) -> EngineOptions {
        self.rhai_memory = memory;
        self
    }

    /// Keep compiled components in `dir` (created if missing), keyed by the component's content
    /// hash and the engine's configuration, so a pack loads without compiling again. `None` (the
    /// default) compiles every time. Anyone who can write to `dir` can run native code in the host:
    /// use a directory only the host's user can write.
    pub fn compile_cache(mut self, dir: Option<PathBuf>) -> EngineOptions {
        self.compile_cache = dir;
        self
    }

    /// Why `dir` cannot serve as a compile cache, if it cannot (see
    /// [`EngineOptions::compile_cache`]): with such a directory every load compiles its
    /// components again, silently. A host that cares (a job starting in many processes) checks
    /// first and says so.
    pub fn compile_cache_problem(dir: &std::path::Path) -> Option<String> {
        crate::wasm::cache::problem(dir)
    }

    /// Take component instances from a pool of `slots` pre-reserved instances (the default,
    /// with [`EngineOptions::DEFAULT_INSTANCE_POOL`] slots), or with `None` map memory for each
    /// instance on demand. A pooled engine reserves 4 GiB of address space (not memory) per slot, and
    /// refuses an evaluation, with a `trap` error naming the pool, while all slots are in use. Each
    /// slot's memory is capped at the engine's [`Limits::max_memory_bytes`].
    pub fn instance_pool(mut self, slots: Option<u32>) -> EngineOptions {
        self.instance_pool = slots;
        self
    }

    /// Load the native code a bundle carries (`crm-rules bundle --precompile`) instead of
    /// compiling its components, when it was compiled for this engine's configuration (the same
    /// crm-rules and wasmtime, target CPU and settings; otherwise the component compiles as
    /// usual). Off by default, when such code is ignored: loading it runs it in the host, and
    /// neither wasmtime nor the bundle's digest can tell who produced it. Turn it on only for
    /// bundles that reach the host as its own binary does (built by your pipeline, shipped by
    /// your deployment), never for bundles users upload.
    pub fn trust_precompiled(mut self, trust: bool) -> EngineOptions {
        self.trust_precompiled = trust;
        self
    }
}

impl Default for EngineOptions {
    fn default() -> EngineOptions {
        EngineOptions::new(Limits::default())
    }
}

pub(crate) struct EngineInner {
    pub(crate) wasm: wasmtime::Engine,
    pub(crate) linker: wasmtime::component::Linker<StoreState>,
    pub(crate) rhai: rhai::Engine,
    pub(crate) rhai_memory: RhaiMemory,
    pub(crate) limits: Limits,
    pub(crate) compile_cache: Option<CompileCache>,
    /// The key of the wasmtime engine's configuration ([`crate::wasm::cache::engine_key`]).
    pub(crate) engine_key: [u8; 32],
    /// Whether precompiled code in bundles is loaded ([`EngineOptions::trust_precompiled`]).
    pub(crate) trust_precompiled: bool,
    _ticker: EpochTicker,
}

/// Loads rule packs and evaluates them in a sandbox. Cheap to clone (shared), `Send + Sync`.
///
/// ```no_run
/// use crm_rules_host::{Limits, RuleEngine};
///
/// let engine = RuleEngine::new(Limits::default())?;
/// let pack = engine.load_pack("rules/standard/rhai")?;
/// let input = crm_rules_host::json::parse_context_str(r#"{ "now": "2026-03-17T14:00:00Z", "account": { "id": "acc_1", "name": "Acme", "tier": "smb", "timezone": "UTC", "currency": "USD" }, "invoices": [], "payment_attempts": [], "activities": [], "promises": [] }"#)?;
/// let decision = pack.evaluate(&input.context);
/// println!("{}", decision.to_json());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct RuleEngine {
    pub(crate) inner: Arc<EngineInner>,
}

impl RuleEngine {
    /// An engine whose evaluations run under `limits` (the ceilings: a pack may lower the
    /// per-evaluation ones, never raise them), with the default [`EngineOptions`].
    ///
    /// # Errors
    /// When wasmtime cannot be configured on this machine or the epoch thread cannot start.
    pub fn new(limits: Limits) -> Result<RuleEngine, LoadError> {
        RuleEngine::with_options(EngineOptions::new(limits))
    }

    /// An engine built as `options` say.
    ///
    /// # Errors
    /// When wasmtime cannot be configured on this machine (for example when the instance pool's
    /// address space cannot be reserved) or the epoch thread cannot start.
    pub fn with_options(options: EngineOptions) -> Result<RuleEngine, LoadError> {
        let EngineOptions {
            limits,
            compile_cache,
            instance_pool,
            rhai_memory,
            trust_precompiled,
        } = options;
        if rhai_memory == RhaiMemory::Counted && !crate::alloc::is_installed() {
            return Err(LoadError::Engine(
                "Rhai memory is counted (the default) but `crm_rules_host::alloc::CountingAllocator` \
                 is not the global allocator; install it (`#[global_allocator] static A: \
                 CountingAllocator = CountingAllocator;`) or choose \
                 `EngineOptions::rhai_memory(RhaiMemory::SizeLimits)`"
                    .to_owned(),
            ));
        }
        let wasm = wasm::new_engine(instance_pool, limits.max_memory_bytes)?;
        let engine_key = crate::wasm::cache::engine_key(&wasm);
        let compile_cache = compile_cache.map(|dir| CompileCache::new(&dir, engine_key));
        let linker = wasm::new_linker(&wasm)?;
        crate::explain::recorder::install();
        let rhai = crate::script::new_engine(&limits, rhai_memory);
        let ticker = EpochTicker::start(&wasm)?;
        Ok(RuleEngine {
            inner: Arc::new(EngineInner {
                wasm,
                linker,
                rhai,
                rhai_memory,
                limits,
                compile_cache,
                engine_key,
                trust_precompiled,
                _ticker: ticker,
            }),
        })
    }

    /// The engine's default limits.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }
}
