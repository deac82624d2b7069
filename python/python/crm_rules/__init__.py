"""crm-rules for Python: the decisions of a crm-rules pack, in-process.

One ``Engine`` per process, packs loaded once, then a decision per context (a ``dict``, or JSON
text), or a whole Arrow batch of contexts decided on several threads with the GIL released::

    import crm_rules

    engine = crm_rules.Engine()
    pack = engine.load("rules/standard/rhai")
    decision = pack.evaluate({"now": "2026-03-17T14:00:00Z", ...})
    decisions = pack.evaluate_batch(record_batch, column="context")

Invalid input raises ``InvalidContext`` (with its ``path``); a failing rule does not raise: it is
in the decision's ``errors``. Packs pickle by path and content hash, so a function shipped to
Spark, Dask or Ray workers may close over one.
"""

from __future__ import annotations

from ._errors import Error, InvalidContext, PackLoadError
from ._native import Engine, Pack

__all__ = ["Engine", "Error", "InvalidContext", "Pack", "PackLoadError"]
