//! # crm-rules-python
//!
//! The native half of the `crm_rules` Python package (`crm_rules._native`, built by maturin as an
//! abi3 wheel for CPython 3.9 and later): an [`engine::Engine`] per process, [`pack::Pack`]s loaded
//! once, a decision per context (a `dict`, or JSON text), and Arrow batches of contexts decided on
//! several threads with the GIL released ([`batch`]). The Python half (`python/crm_rules/`) holds
//! the exception classes, the pickling support and the type stubs.
//!
//! ## Memory of Rhai rules
//!
//! A Rust extension module has its own global allocator, separate from Python's (the interpreter
//! allocates its objects with its own allocator, which no extension replaces): every Rust
//! allocation of this library goes through [`ALLOCATOR`], the host's
//! [`crm_rules_host::alloc::CountingAllocator`]. So the engine keeps its default,
//! [`crm_rules_host::RhaiMemory::Counted`]: a Rhai script is held to `max_memory_bytes` exactly,
//! as in the `crm-rules` binary, and Python code and objects are never counted against a rule.

mod batch;
mod convert;
mod engine;
mod options;
mod pack;

use pyo3::prelude::*;

/// Counts the heap bytes each thread holds, so that Rhai rules are held to their memory limit
/// (see the crate documentation). It serves the Rust code of this module only.
#[global_allocator]
static ALLOCATOR: crm_rules_host::alloc::CountingAllocator =
    crm_rules_host::alloc::CountingAllocator;

/// The exception classes, defined in Python (`crm_rules/_errors.py`) so that they can inherit from
/// two bases, carry typed attributes and pickle across processes.
pub mod errors {
    use crm_rules_host::LoadError;
    use crm_rules_host::json::InputError;
    use pyo3::PyErr;

    pyo3::import_exception!(crm_rules._errors, Error);
    pyo3::import_exception!(crm_rules._errors, InvalidContext);
    pyo3::import_exception!(crm_rules._errors, PackLoadError);

    /// `InvalidContext(path, message)`.
    pub fn invalid_context(error: &InputError) -> PyErr {
        InvalidContext::new_err((error.path().to_owned(), error.message().to_owned()))
    }

    /// `PackLoadError(message)`, or `Error(message)` when the engine itself could not be set up.
    pub fn load_error(error: &LoadError) -> PyErr {
        match error {
            LoadError::Engine(_) => Error::new_err(error.to_string()),
            _ => PackLoadError::new_err(error.to_string()),
        }
    }
}

/// The `crm_rules._native` module: `Engine` and `Pack`.
#[pymodule]
#[pyo3(name = "_native")]
fn native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<engine::Engine>()?;
    module.add_class::<pack::Pack>()?;
    Ok(())
}
