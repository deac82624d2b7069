//! `crm_rules.Engine`: the limits, compile cache and instance pool every pack of a process runs
//! with.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crm_rules_host::{EngineOptions, Limits, RuleEngine};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::errors;
use crate::pack::{Pack, Source};

/// What an engine was built with, as given (`None`: the library's default), so that an engine can
/// be built again the same way in another process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    max_fuel: Option<u64>,
    max_operations: Option<u64>,
    max_deadline_ms: Option<u64>,
    max_memory_bytes: Option<usize>,
    max_output_entries: Option<usize>,
    max_output_bytes: Option<usize>,
    max_input_bytes: Option<usize>,
    cache_dir: Option<PathBuf>,
    instance_pool: u32,
}

impl Options {
    /// The ceilings: each figure given, else the library's default.
    fn limits(&self) -> Limits {
        let default = Limits::default();
        Limits {
            fuel: self.max_fuel.unwrap_or(default.fuel),
            rhai_max_operations: self.max_operations.unwrap_or(default.rhai_max_operations),
            deadline: self
                .max_deadline_ms
                .map_or(default.deadline, Duration::from_millis),
            max_memory_bytes: self.max_memory_bytes.unwrap_or(default.max_memory_bytes),
            max_output_entries: self
                .max_output_entries
                .unwrap_or(default.max_output_entries),
            max_output_bytes: self.max_output_bytes.unwrap_or(default.max_output_bytes),
            max_input_bytes: self.max_input_bytes.unwrap_or(default.max_input_bytes),
            ..default
        }
    }

    /// The options as the keyword arguments of `Engine(...)`.
    pub(crate) fn to_kwargs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("max_fuel", self.max_fuel)?;
        kwargs.set_item("max_operations", self.max_operations)?;
        kwargs.set_item("max_deadline_ms", self.max_deadline_ms)?;
        kwargs.set_item("max_memory_bytes", self.max_memory_bytes)?;
        kwargs.set_item("max_output_entries", self.max_output_entries)?;
        kwargs.set_item("max_output_bytes", self.max_output_bytes)?;
        kwargs.set_item("max_input_bytes", self.max_input_bytes)?;
        kwargs.set_item("cache_dir", self.cache_dir.clone())?;
        kwargs.set_item("instance_pool", self.instance_pool)?;
        Ok(kwargs)
    }
}

/// Refuses to run in a process forked from process `pid`, where an engine was built: the child
/// has a copy of the engine without its threads (the one that enforces deadlines among them).
pub(crate) fn check_process(pid: u32) -> PyResult<()> {
    if std::process::id() == pid {
        Ok(())
    } else {
        Err(errors::Error::new_err(
            "this engine (or a pack it loaded) was built in another process and copied here by \
             fork(), without its threads; build the Engine in this process (a pickled pack is \
             loaded again by the process that unpickles it), or start workers with the \
             'spawn' or 'forkserver' method",
        ))
    }
}

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
        };
        let engine_options = EngineOptions::new(options.limits())
            .compile_cache(options.cache_dir.clone())
            // 0 maps each instance on demand, as `crm-rules --instance-pool 0` does.
            .instance_pool((options.instance_pool > 0).then_some(options.instance_pool));
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
