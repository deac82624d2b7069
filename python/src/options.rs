//! What an engine was built with, kept so that a pack pickled in one process is loaded in another
//! under the same options, and the guard against a process forked from the one that built it.

use std::path::PathBuf;
use std::time::Duration;

use crm_rules_host::Limits;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors;

/// What an engine was built with, as given (`None`: the library's default), so that an engine can
/// be built again the same way in another process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) max_fuel: Option<u64>,
    pub(crate) max_operations: Option<u64>,
    pub(crate) max_deadline_ms: Option<u64>,
    pub(crate) max_memory_bytes: Option<usize>,
    pub(crate) max_output_entries: Option<usize>,
    pub(crate) max_output_bytes: Option<usize>,
    pub(crate) max_input_bytes: Option<usize>,
    pub(crate) cache_dir: Option<PathBuf>,
    pub(crate) instance_pool: u32,
    pub(crate) trust_precompiled: bool,
}

impl Options {
    /// The ceilings: each figure given, else the library's default.
    pub(crate) fn limits(&self) -> Limits {
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
        kwargs.set_item("trust_precompiled", self.trust_precompiled)?;
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
