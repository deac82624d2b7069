"""Pickling support: engines and packs travel between processes as what they were built from.

A pickled ``Pack`` is its path, its content hash and its engine's options. Unpickled (on a Spark,
Dask or Ray worker), it is that pack as loaded by this process's engine with those options,
loaded once per process and shared by every task after; if the files at the path hash
differently there, unpickling fails rather than decide with other rules. The path must therefore
name the same pack on every machine (a shared or replicated file system, or the same container
image). A pack loaded from a bundle's bytes (``Engine.load_bytes``) pickles as those bytes, and
needs no file at all.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Dict, Tuple

from ._errors import PackLoadError
from ._native import Engine, Pack

__all__ = ["restore_engine", "restore_pack", "restore_pack_bytes"]

_lock = threading.RLock()
_engines: Dict[Tuple[Tuple[str, Any], ...], Engine] = {}
_packs: Dict[Tuple[str, Tuple[Tuple[str, Any], ...]], Pack] = {}


def _forget_after_fork() -> None:
    """In a child made by fork(), the parent's engines are copies without their threads (they
    refuse to work): start afresh, with a lock no other thread of the parent may be holding."""
    global _lock
    _lock = threading.RLock()
    _engines.clear()
    _packs.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def _key(options: Dict[str, Any]) -> Tuple[Tuple[str, Any], ...]:
    return tuple(
        sorted(
            (name, str(value) if name == "cache_dir" and value is not None else value)
            for name, value in options.items()
        )
    )


def restore_engine(options: Dict[str, Any]) -> Engine:
    """This process's engine built with ``options`` (keyword arguments of ``Engine``)."""
    key = _key(options)
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = Engine(**options)
            _engines[key] = engine
        return engine


def restore_pack(path: str, hash: str, options: Dict[str, Any]) -> Pack:
    """The pack at ``path`` loaded by this process's engine with ``options``; refused unless its
    content hash is ``hash``."""
    key = (str(path), _key(options))
    # Held while loading: threads unpickling the same pack at once load it once.
    with _lock:
        pack = _packs.get(key)
        if pack is None or pack.hash != hash:
            pack = restore_engine(options).load(path)
            if pack.hash != hash:
                raise PackLoadError(
                    f"the pack at {path} is {pack.name} {pack.version} ({pack.hash}) here, but "
                    f"the pickled pack was {hash}: every process must see the same pack files"
                )
            _packs[key] = pack
        return pack


def restore_pack_bytes(bundle: bytes, hash: str, options: Dict[str, Any]) -> Pack:
    """The pack of the bundle ``bundle`` loaded by this process's engine with ``options``, once
    per process for each pack hash; refused unless its content hash is ``hash``."""
    key = ("bundle:" + hash, _key(options))
    with _lock:
        pack = _packs.get(key)
        if pack is None:
            pack = restore_engine(options).load_bytes(bundle)
            if pack.hash != hash:
                raise PackLoadError(
                    f"the pickled bundle holds {pack.name} {pack.version} ({pack.hash}), but "
                    f"the pickled pack was {hash}"
                )
            _packs[key] = pack
        return pack
