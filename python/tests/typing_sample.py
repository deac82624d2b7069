"""Uses the whole typed API; ``mypy --strict`` must accept it (test_crm_rules.py runs it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pyarrow as pa  # type: ignore[import-untyped]

import crm_rules

engine = crm_rules.Engine(max_input_bytes=1 << 20, cache_dir=None, instance_pool=0)
options: Dict[str, Any] = engine.options
pack: crm_rules.Pack = engine.load(Path("rules/standard/rhai"))
name: str = pack.name
where: Path | None = pack.path
bundled: crm_rules.Pack = engine.load_bytes(b"")
decision: Dict[str, Any] = pack.evaluate({"now": "2026-03-17T14:00:00Z"})
text: str = pack.evaluate_json(b"{}")
try:
    pack.evaluate("{}")
except crm_rules.InvalidContext as error:
    field: str = error.path
    message: str = error.message
except crm_rules.PackLoadError:
    pass
except crm_rules.Error:
    pass
batch = pa.record_batch({"context": pa.array([json.dumps(decision)])})
decisions = pack.evaluate_batch(batch, column="context", id_column=None, threads=1)
table = pack.evaluate_batch(pa.Table.from_batches([batch]), threads=None)
