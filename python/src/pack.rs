//! `crm_rules.Pack`: a loaded pack, evaluating one context at a time or an Arrow batch of them.

use std::path::PathBuf;
use std::sync::Arc;

use crm_rules_host::RulePack;
use crm_rules_host::json::InputError;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString, PyTuple};
use serde_json::Value;

use crate::options::{Options, check_process};
use crate::{batch, convert, errors};

/// A context as given, copied out of Python so that it can be read with the GIL released.
enum ContextInput {
    /// JSON text (a `str`, or a `dict` turned into text).
    Text(String),
    /// JSON as bytes (`bytes` or `bytearray`): checked for UTF-8 (and UTF-16) as a file is.
    Bytes(Vec<u8>),
}

impl ContextInput {
    /// Takes a `dict`, a `str` or `bytes`.
    fn from_python(context: &Bound<'_, PyAny>) -> PyResult<Result<ContextInput, InputError>> {
        if let Ok(text) = context.cast::<PyString>() {
            return Ok(Ok(ContextInput::Text(text.to_cow()?.into_owned())));
        }
        if let Ok(bytes) = context.cast::<PyBytes>() {
            return Ok(Ok(ContextInput::Bytes(bytes.as_bytes().to_vec())));
        }
        if let Ok(bytes) = context.cast::<PyByteArray>() {
            return Ok(Ok(ContextInput::Bytes(bytes.to_vec())));
        }
        if context.is_instance_of::<pyo3::types::PyDict>() {
            return Ok(convert::to_json_text(context)?.map(ContextInput::Text));
        }
        Err(PyTypeError::new_err(format!(
            "a context is a dict, or JSON text as str or bytes; got {}",
            context.get_type().name()?
        )))
    }

    /// The JSON text: a leading byte-order mark is skipped, bytes must be UTF-8.
    fn text(&self) -> Result<&str, InputError> {
        match self {
            ContextInput::Text(text) => crm_rules_host::json::text_from_bytes(text.as_bytes()),
            ContextInput::Bytes(bytes) => crm_rules_host::json::text_from_bytes(bytes),
        }
    }
}

/// Where a pack was loaded from: what a pickled pack is loaded from again.
pub(crate) enum Source {
    /// A pack folder or bundle file, by its absolute path.
    Path(PathBuf),
    /// A bundle's bytes.
    Bundle(Arc<[u8]>),
}

/// A loaded pack (see `_native.pyi` for the Python documentation).
#[pyclass(frozen, module = "crm_rules")]
pub struct Pack {
    pack: RulePack,
    source: Source,
    /// The engine's options, for pickling.
    options: Options,
    /// The process that built its engine (see [`check_process`]).
    pid: u32,
}

impl Pack {
    /// Wraps a pack loaded from `source` by an engine built with `options` in process `pid`.
    pub(crate) fn new(pack: RulePack, source: Source, options: Options, pid: u32) -> Pack {
        Pack {
            pack,
            source,
            options,
            pid,
        }
    }

    /// The decision on `context` as JSON, with the GIL released while it is read and decided.
    fn decide(&self, py: Python<'_>, context: &Bound<'_, PyAny>) -> PyResult<Value> {
        check_process(self.pid)?;
        let input = ContextInput::from_python(context)?.map_err(|e| errors::invalid_context(&e))?;
        let pack = &self.pack;
        let decided = py.detach(|| {
            let parsed = pack.parse_context(input.text()?)?;
            Ok::<_, InputError>(
                pack.evaluate_with_id(&parsed.context, parsed.id.as_deref())
                    .to_json(),
            )
        });
        decided.map_err(|error| errors::invalid_context(&error))
    }
}

#[pymethods]
impl Pack {
    /// The pack's name, from its manifest.
    #[getter]
    fn name(&self) -> &str {
        &self.pack.identity().name
    }

    /// The pack's version, from its manifest.
    #[getter]
    fn version(&self) -> &str {
        &self.pack.identity().version
    }

    /// `sha256:<hex>`: the content hash every decision records.
    #[getter]
    fn hash(&self) -> &str {
        &self.pack.identity().hash
    }

    /// The folder or bundle file it was loaded from; `None` for a bundle loaded from bytes.
    #[getter]
    fn path(&self) -> Option<PathBuf> {
        match &self.source {
            Source::Path(path) => Some(path.clone()),
            Source::Bundle(_) => None,
        }
    }

    /// How the pack's components were obtained when it was loaded, as a `dict` of counts:
    /// `compiled`, `from_cache`, `precompiled` (the bundle's code, loaded) and
    /// `precompiled_unused` (the bundle's code, not loaded).
    #[getter]
    fn component_loads(&self) -> std::collections::BTreeMap<&'static str, usize> {
        let loads = self.pack.component_loads();
        std::collections::BTreeMap::from([
            ("compiled", loads.compiled),
            ("from_cache", loads.from_cache),
            ("precompiled", loads.precompiled),
            ("precompiled_unused", loads.precompiled_unused),
        ])
    }

    /// The decision on one context, as a `dict`.
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        context: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let decision = self.decide(py, context)?;
        convert::to_python(py, &decision)
    }

    /// The decision on one context, as compact JSON text.
    fn evaluate_json(&self, py: Python<'_>, context: &Bound<'_, PyAny>) -> PyResult<String> {
        Ok(self.decide(py, context)?.to_string())
    }

    /// Decides every row of an Arrow batch (or stream) of JSON contexts.
    #[pyo3(signature = (batch, column = "context", id_column = None, threads = None))]
    fn evaluate_batch<'py>(
        &self,
        py: Python<'py>,
        batch: &Bound<'py, PyAny>,
        column: &str,
        id_column: Option<&str>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        check_process(self.pid)?;
        let threads = match threads {
            Some(0) => return Err(PyValueError::new_err("threads must be at least 1")),
            Some(threads) => threads,
            None => std::thread::available_parallelism().map_or(1, usize::from),
        };
        let columns = batch::Columns {
            context: column,
            id: id_column,
        };
        batch::evaluate(py, &self.pack, batch, &columns, threads)
    }

    /// Pickled as its path (or its bundle's bytes) and hash: unpickled, it is that pack loaded
    /// in the receiving process (once per process), and refused if the files there hash
    /// differently.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let pickle = py.import("crm_rules._pickle")?;
        let (restore, source) = match &self.source {
            Source::Path(path) => (
                pickle.getattr("restore_pack")?,
                path.clone().into_pyobject(py)?.into_any(),
            ),
            Source::Bundle(bytes) => (
                pickle.getattr("restore_pack_bytes")?,
                PyBytes::new(py, bytes).into_any(),
            ),
        };
        let arguments = (source, self.hash().to_owned(), self.options.to_kwargs(py)?);
        PyTuple::new(py, [restore, arguments.into_pyobject(py)?.into_any()])
    }

    fn __repr__(&self) -> String {
        let identity = self.pack.identity();
        let source = match &self.source {
            Source::Path(path) => format!("{:?}", path.display().to_string()),
            Source::Bundle(bytes) => format!("a bundle of {} bytes", bytes.len()),
        };
        format!(
            "<crm_rules.Pack {} {} {} from {source}>",
            identity.name, identity.version, identity.hash
        )
    }
}
