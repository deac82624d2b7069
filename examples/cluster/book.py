"""A book for the cluster recipes, and the check that a distributed run decided as a direct one.

    python book.py to-parquet BOOK.ndjson BOOK.parquet
        One row per line of the NDJSON book: `row_id` (the 1-based line number, int64) and
        `context` (the line's JSON text, unchanged).

    python book.py compare DECISIONS DIRECT.ndjson
        DECISIONS is the recipes' output (Parquet files or a folder of them, columns `row_id`,
        `decision`, `error`); DIRECT.ndjson is `crm-rules batch` over the same book. Every row must
        be there once, with the same decision (or an error where batch has one). Exits 1 on the
        first difference, naming the row.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def to_parquet(book: Path, out: Path, rows_per_group: int = 10_000) -> int:
    """Writes the book as Parquet; returns its number of rows."""
    with book.open("rb") as lines:
        contexts = [line.rstrip(b"\r\n").decode("utf-8") for line in lines]
    table = pa.table(
        {
            "row_id": pa.array(range(1, len(contexts) + 1), type=pa.int64()),
            "context": pa.array(contexts, type=pa.string()),
        }
    )
    pq.write_table(table, out, row_group_size=rows_per_group)
    return len(contexts)


def read_decisions(path: Path) -> dict[int, tuple[str | None, str | None]]:
    """`row_id` -> (decision JSON, error) from the recipes' Parquet output; a row twice is an error."""
    table = pq.read_table(path, columns=["row_id", "decision", "error"])
    rows: dict[int, tuple[str | None, str | None]] = {}
    for row_id, decision, error in zip(
        table.column("row_id").to_pylist(),
        table.column("decision").to_pylist(),
        table.column("error").to_pylist(),
    ):
        if row_id in rows:
            raise SystemExit(f"row {row_id} was decided twice")
        rows[row_id] = (decision, error)
    return rows


def compare(decisions: Path, direct: Path) -> int:
    """Exit status: 0 when every row matches the direct batch run, 1 otherwise."""
    distributed = read_decisions(decisions)
    count = 0
    with direct.open("rb") as lines:
        for text in lines:
            expected = json.loads(text)
            row = expected["line"]
            count += 1
            if row not in distributed:
                print(f"row {row}: missing from the distributed output", file=sys.stderr)
                return 1
            decision, error = distributed.pop(row)
            if "decision" in expected:
                if decision is None or json.loads(decision) != expected["decision"]:
                    print(f"row {row}: decided differently ({error or 'another decision'})",
                          file=sys.stderr)
                    return 1
            elif error is None or error != expected["error"]:
                print(f"row {row}: expected the error {expected['error']!r}, got {error!r}",
                      file=sys.stderr)
                return 1
    if distributed:
        print(f"{len(distributed)} rows not in the book, e.g. {next(iter(distributed))}",
              file=sys.stderr)
        return 1
    print(f"identical: {count} rows, every decision and every error as the direct batch run")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[1] == "to-parquet":
        rows = to_parquet(Path(argv[2]), Path(argv[3]))
        print(f"{rows} rows written to {argv[3]}")
        return 0
    if len(argv) == 4 and argv[1] == "compare":
        return compare(Path(argv[2]), Path(argv[3]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
