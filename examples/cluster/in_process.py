"""Decides a Parquet book in this one process with the `crm_rules` package: the baseline of the
cluster recipes (no engine, no partitions), on every core.

    python in_process.py PACK BOOK.parquet OUT_DIR [--partitions N]

`--partitions` is accepted for the verify script's sake and ignored.
"""

from __future__ import annotations

import argparse
import os
import time

import crm_rules
import pyarrow as pa
import pyarrow.parquet as pq


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pack")
    parser.add_argument("book")
    parser.add_argument("out")
    parser.add_argument("--partitions", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    pack = crm_rules.Engine().load(args.pack)
    book = pq.read_table(args.book)
    out = pack.evaluate_batch(book, column="context", id_column="row_id")
    os.makedirs(args.out, exist_ok=True)
    pq.write_table(
        pa.table({"row_id": out.column("id"), "decision": out.column("decision"),
                  "error": out.column("error")}),
        os.path.join(args.out, "part-0.parquet"),
    )
    print(f"in-process: {book.num_rows} rows, {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
