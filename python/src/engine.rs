//! `crm_rules.Engine`: the limits, compile cache and instance pool every pack of a process runs
//! with.

use std::path::PathBuf;
use std::sync::Arc;

use crm_rules_host::{EngineOptions, RuleEngine};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::errors;
use crate::options::{Options, check_process};
use crate::pack::{Pack, Source};

/// Loads rule packs; one per process, built once and kept (see the Python docstring in
/// `_native.pyi` for the arguments).
#[pyclass(frozen, module = "crm_rules")]
pub struct Engine {
    engine: RuleEngine,
    options: Options,
    /// The process that built the engine.
    pid: u32,
}

#[pymethods]
impl Engine {
    #[new]
    #[pyo3(signature = (
        *,
        max_fuel = None,
        max_operations = None,
        max_deadline_ms = None,
        max_memory_bytes = None,
        max_output_entries = None,
        max_output_bytes = None,
        max_input_bytes = None,
        cache_dir = None,
        instance_pool = EngineOptions::DEFAULT_INSTANCE_POOL,
        trust_precompiled = false,
    ))]
    #[expect(
        clippy::too_many_arguments,
        reason = "Python keyword arguments, one per engine option"
    )]
    fn new(
        py: Python<'_>,
        max_fuel: Option<u64>,
        max_operations: Option<u64>,
        max_deadline_ms: Option<u64>,
        max_memory_bytes: Option<usize>,
        max_output_entries: Option<usize>,
        max_output_bytes: Option<usize>,
        max_input_bytes: Option<usize>,
        cache_dir: Option<PathBuf>,
        instance_pool: u32,
        trust_precompiled: bool,
    ) -> PyResult<Engine> {
        let options = Options {
            max_fuel,
            max_operations,
            max_deadline_ms,
            max_memory_bytes,
            max_output_entries,
            max_output_bytes,
            max_input_bytes,
            cache_dir,
            instance_pool,
            trust_precompiled,
        };
        let engine_options = EngineOptions::new(options.limits())
            .compile_cache(options.cache_dir.clone())
            // 0 maps each instance on demand, as `crm-rules --instance-pool 0` does.
            .instance_pool((options.instance_pool > 0).then_some(options.instance_pool))
            .trust_precompiled(options.trust_precompiled);
        // Counted Rhai memory, the default: this module installs the counting allocator.
        let engine = py
            .detach(|| RuleEngine::with_options(engine_options))
            .map_err(|error| errors::load_error(&error))?;
        Ok(Engine {
            engine,
            options,
            pid: std::process::id(),
        })
    }

    /// Loads the pack at `path` (a pack folder, or a bundle file) with the GIL released.
    fn load(&self, py: Python<'_>, path: PathBuf) -> PyResult<Pack> {
        check_process(self.pid)?;
        let path = std::path::absolute(&path).unwrap_or(path);
        let pack = py
            .detach(|| self.engine.load_pack(&path))
            .map_err(|error| errors::load_error(&error))?;
        Ok(Pack::new(
            pack,
            Source::Path(path),
            self.options.clone(),
            self.pid,
        ))
    }

    /// Loads a pack from a bundle's bytes (as `crm-rules bundle` writes it), with the GIL
    /// released; the pack keeps the bytes, to pickle them.
    fn load_bytes(&self, py: Python<'_>, bundle: &[u8]) -> PyResult<Pack> {
        check_process(self.pid)?;
        let bundle: Arc<[u8]> = Arc::from(bundle);
        let pack = py
            .detach(|| self.engine.load_pack_bytes(&bundle))
            .map_err(|error| errors::load_error(&error))?;
        Ok(Pack::new(
            pack,
            Source::Bundle(bundle),
            self.options.clone(),
            self.pid,
        ))
    }

    /// The options the engine was built with, as keyword arguments of `Engine`.
    #[getter]
    fn options<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.options.to_kwargs(py)
    }

    /// Pickled as its options: unpickled, it is the process's engine with those options
    /// (`crm_rules._pickle.restore_engine`), built on first use.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let restore = py.import("crm_rules._pickle")?.getattr("restore_engine")?;
        PyTuple::new(
            py,
            [
                restore,
                PyTuple::new(py, [self.options.to_kwargs(py)?])?.into_any(),
            ],
        )
    }

    fn __repr__(&self) -> String {
        let limits = self.options.limits();
        format!(
            "Engine(max_fuel={}, max_operations={}, max_deadline_ms={}, max_memory_bytes={}, \
             max_input_bytes={})",
            limits.fuel,
            limits.rhai_max_operations,
            limits.deadline.as_millis(),
            limits.max_memory_bytes,
            limits.max_input_bytes
        )
    }
}
