//! The rule engine: one per process. It owns the wasmtime engine (with its epoch ticker), the linker
//! and the frozen Rhai engine, and loads packs.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::LoadError;
use crate::limits::Limits;
use crate::pack::RulePack;
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

pub(crate) struct EngineInner {
    pub(crate) wasm: wasmtime::Engine,
    pub(crate) linker: wasmtime::component::Linker<StoreState>,
    pub(crate) rhai: rhai::Engine,
    pub(crate) limits: Limits,
    _ticker: EpochTicker,
}

/// Loads rule packs and evaluates them in a sandbox. Cheap to clone (shared), `Send + Sync`.
///
/// ```no_run
/// use crm_rules_host::{Limits, RuleEngine};
///
/// let engine = RuleEngine::new(Limits::default())?;
/// let pack = engine.load_pack("rules/standard/rhai")?;
/// let input = crm_rules_host::json::parse_context_str(r#"{ "now": "2026-03-17T14:00:00Z", "account": { "id": "acc_1", "name": "Acme", "tier": "smb", "timezone": "UTC", "currency": "USD" } }"#)?;
/// let decision = pack.evaluate(&input.context);
/// println!("{}", decision.to_json());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct RuleEngine {
    pub(crate) inner: Arc<EngineInner>,
}

impl RuleEngine {
    /// An engine whose evaluations run under `limits` (a pack may override the per-evaluation ones).
    ///
    /// # Errors
    /// When wasmtime cannot be configured on this machine or the epoch thread cannot start.
    pub fn new(limits: Limits) -> Result<RuleEngine, LoadError> {
        let wasm = wasm::new_engine()?;
        let linker = wasm::new_linker(&wasm)?;
        let rhai = crate::script::new_engine(&limits);
        let ticker = EpochTicker::start(&wasm)?;
        Ok(RuleEngine {
            inner: Arc::new(EngineInner {
                wasm,
                linker,
                rhai,
                limits,
                _ticker: ticker,
            }),
        })
    }

    /// The engine's default limits.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// Loads the pack in `dir` (its `pack.toml`, modules and parameters): scripts are compiled and
    /// components compiled and pre-instantiated, once.
    ///
    /// # Errors
    /// A [`LoadError`] naming the file (and for scripts the line and column) of the first problem.
    pub fn load_pack(&self, dir: impl AsRef<Path>) -> Result<RulePack, LoadError> {
        RulePack::load(self.clone(), dir.as_ref())
    }
}
