"""Decides a Parquet book of contexts with Dask: one `evaluate_batch` per partition.

    python decide.py PACK BOOK.parquet OUT_DIR [--partitions N] [--workers N]

PACK is a pack folder or a bundle (`crm-rules bundle`). The pack is loaded here and pickled into
each task: in a worker process it is loaded once, from the same path, and refused if the files
there hash differently. Each partition is decided on one thread (the workers already run one task
per core), and its rows keep their `row_id`. The output is Parquet: `row_id`, `decision` (JSON
text, null for a row that is not a valid context), `error`.
"""

from __future__ import annotations

import argparse
import time

import crm_rules
import dask
import dask.dataframe as dd
import pandas as pd
import pyarrow as pa

META = pd.DataFrame(
    {
        "row_id": pd.Series(dtype="int64"),
        "decision": pd.Series(dtype="string"),
        "error": pd.Series(dtype="string"),
    }
)


def decide(partition: pd.DataFrame, pack: crm_rules.Pack) -> pd.DataFrame:
    """The decisions of one partition's rows, in its order."""
    batch = pa.RecordBatch.from_pandas(partition[["row_id", "context"]], preserve_index=False)
    out = pack.evaluate_batch(batch, column="context", id_column="row_id", threads=1)
    return pd.DataFrame(
        {
            "row_id": out.column("id").to_pandas(),
            "decision": out.column("decision").to_pandas().astype("string"),
            "error": out.column("error").to_pandas().astype("string"),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pack")
    parser.add_argument("book")
    parser.add_argument("out")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    pack = crm_rules.Engine().load(args.pack)
    book = dd.read_parquet(args.book).repartition(npartitions=args.partitions)
    decided = book.map_partitions(decide, pack, meta=META)
    with dask.config.set(scheduler="processes", num_workers=args.workers):
        decided.to_parquet(args.out, write_index=False)
    print(f"dask: {args.partitions} partitions on {args.workers} processes, "
          f"{time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
