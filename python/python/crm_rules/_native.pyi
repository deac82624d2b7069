"""Type stubs of the native module, ``crm_rules._native`` (``Engine`` and ``Pack``)."""

import os
from pathlib import Path
from typing import Any, Protocol, overload

import pyarrow

__all__ = ["ArrowArrayExportable", "ArrowStreamExportable", "Context", "Engine", "Pack"]

#: A context: a ``dict`` of JSON values, or the JSON text (``str``, or UTF-8 ``bytes``).
Context = dict[str, Any] | str | bytes | bytearray

class ArrowArrayExportable(Protocol):
    """One Arrow batch, by the PyCapsule interface: a ``pyarrow.RecordBatch``, or any object
    with ``__arrow_c_array__`` returning a struct array."""

    def __arrow_c_array__(
        self, requested_schema: object | None = None
    ) -> tuple[object, object]: ...

class ArrowStreamExportable(Protocol):
    """A stream of Arrow batches, by the PyCapsule interface: a ``pyarrow.Table`` or
    ``RecordBatchReader``, a pandas (>= 2.2) or polars data frame."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...

class Engine:
    """Loads rule packs. Build one per process and keep it: it owns the compiled-code cache, the
    sandbox's threads and the limits.

    Each ``max_*`` argument is a ceiling (``None``: the library's default, as in ``crm-rules
    --help``): a pack's ``[limits]`` may lower it, never raise it, and a pack asking for more
    fails to load. Rhai rules are held to ``max_memory_bytes`` exactly: the module counts its
    own (Rust) heap allocations, which Python's allocator never sees.

    Args:
        max_fuel: WebAssembly fuel per module per evaluation (default 200,000,000).
        max_operations: Rhai operations per module per evaluation (default 10,000,000).
        max_deadline_ms: wall-clock backstop per module per evaluation (default 1,000).
        max_memory_bytes: memory per module per evaluation (default 64 MiB).
        max_output_entries: actions plus suppressions per module (default 25,000).
        max_output_bytes: bytes of text a module may return (default 8 MiB).
        max_input_bytes: size of one JSON context (default 16 MiB).
        cache_dir: keep compiled components in this folder, so that other processes (every
            worker of a cluster node) load them in milliseconds instead of compiling them again.
            ``None`` (the default) compiles in every process. Anyone who can write to it can run
            code in the process: use a folder only this user can write.
        instance_pool: WebAssembly instances kept ready (256). Each slot reserves 4 GiB of
            address space, not memory: about 1 TiB for 256, which some cluster managers (YARN's
            virtual-memory check) count against a container. ``0`` maps each instance on demand
            instead, at some cost per evaluation. Keep at least as many slots as threads
            evaluating at once.
        trust_precompiled: load the native code a bundle carries (``crm-rules bundle
            --precompile``) instead of compiling its components, when it was compiled for this
            engine's configuration. Off by default: loading the code runs it in this process and
            nothing can check who produced it, so turn it on only for bundles your own pipeline
            built and shipped, never for bundles users upload.

    Raises:
        Error: when the engine cannot start on this machine.
    """

    def __init__(
        self,
        *,
        max_fuel: int | None = None,
        max_operations: int | None = None,
        max_deadline_ms: int | None = None,
        max_memory_bytes: int | None = None,
        max_output_entries: int | None = None,
        max_output_bytes: int | None = None,
        max_input_bytes: int | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        instance_pool: int = 256,
        trust_precompiled: bool = False,
    ) -> None: ...
    def load(self, path: str | os.PathLike[str]) -> Pack:
        """Loads the pack at ``path``, a pack folder (``pack.toml``, modules, parameters) or a
        bundle file: scripts are compiled, components compiled and pre-instantiated, once. The
        GIL is released meanwhile.

        Raises:
            PackLoadError: naming the file (and for a script the line and column) of the first
                problem.
        """
    def load_bytes(self, bundle: bytes) -> Pack:
        """Loads a pack from a bundle's bytes (as ``crm-rules bundle`` writes it): the same pack,
        with the same hash, as from its folder. The pack keeps the bytes, and pickles as them, so
        it can be shipped to workers that have no copy of the pack's files.

        Raises:
            PackLoadError: the bytes are not a valid bundle, or its pack does not load.
        """
    @property
    def options(self) -> dict[str, Any]:
        """The keyword arguments the engine was built with."""

class Pack:
    """A loaded pack: evaluations never change it, and may run on many threads at once.

    A pack pickles as its path (or its bundle's bytes), content hash and engine options;
    unpickled in another process it is loaded there (once per process) and refused, with
    ``PackLoadError``, if the files at that path hash differently. A pack copied into a child process by ``fork()`` refuses to evaluate:
    load it (or unpickle it) in the child.
    """

    @property
    def name(self) -> str:
        """The pack's name, from its manifest."""
    @property
    def version(self) -> str:
        """The pack's version, from its manifest."""
    @property
    def hash(self) -> str:
        """``sha256:<hex>``: the content hash of the rules, which every decision records."""
    @property
    def path(self) -> Path | None:
        """The folder or bundle file the pack was loaded from (absolute); ``None`` for a pack
        loaded from a bundle's bytes."""
    @property
    def component_loads(self) -> dict[str, int]:
        """How its components were obtained when it was loaded: counts under ``compiled``,
        ``from_cache``, ``precompiled`` (the bundle's code, loaded) and ``precompiled_unused``
        (the bundle's code, not loaded: not trusted, or compiled for another configuration)."""
    def evaluate(self, context: Context) -> dict[str, Any]:
        """The decision on one context, as ``crm-rules eval`` prints it: ``pack``, ``status``,
        ``actions``, ``suppressed``, ``errors``, ``cost``, and more (see the README).

        ``context`` is a ``dict`` of JSON values (``str`` keys; amounts as decimal strings, dates
        as ``"YYYY-MM-DD"`` strings; never ``None``) or the JSON text. A rule that fails does not
        raise: it is an entry in ``errors`` and sets ``status``. The GIL is released while the
        context is read and decided.

        Raises:
            InvalidContext: the context is not valid input; ``path`` names the field.
            TypeError: ``context`` is neither a ``dict`` nor text.
        """
    def evaluate_json(self, context: Context) -> str:
        """``evaluate``, with the decision as compact JSON text (the ``decision`` of a
        ``crm-rules batch`` line)."""
    @overload
    def evaluate_batch(
        self,
        batch: ArrowArrayExportable,
        column: str = "context",
        id_column: str | None = None,
        threads: int | None = None,
    ) -> pyarrow.RecordBatch: ...
    @overload
    def evaluate_batch(
        self,
        batch: ArrowStreamExportable,
        column: str = "context",
        id_column: str | None = None,
        threads: int | None = None,
    ) -> pyarrow.Table: ...
    def evaluate_batch(
        self,
        batch: ArrowArrayExportable | ArrowStreamExportable,
        column: str = "context",
        id_column: str | None = None,
        threads: int | None = None,
    ) -> pyarrow.RecordBatch | pyarrow.Table:
        """Decides every row of an Arrow batch of JSON contexts, one output row per input row,
        in input order.

        ``batch[column]`` holds one context per row (``string``, ``large_string``,
        ``string_view`` or binary). The result has the columns ``line`` (``int64``: the row's
        1-based position, counted across a stream's batches), ``id`` (``batch[id_column]``
        unchanged, only when ``id_column`` is given), ``decision`` (the decision's JSON text;
        null when the row is not a valid context), ``error`` (why not, starting with the field
        path; null otherwise) and ``status`` (``complete``, ``partial`` or
        ``held-for-review``; null on error). A null or blank row is an error row, never dropped.

        A batch (``__arrow_c_array__``) gives a ``pyarrow.RecordBatch``; a stream
        (``__arrow_c_stream__`` only: a ``pyarrow.Table``, a data frame) a ``pyarrow.Table``.
        The rows are decided on ``threads`` threads (``None``: one per core this process may
        use) with the GIL released; on executors that already run a task per core (Spark, Dask,
        Ray), pass ``threads=1``.

        Raises:
            ValueError: the column is missing, or the data is not valid Arrow.
            TypeError: ``batch`` is not Arrow data, or the column does not hold text.
        """
