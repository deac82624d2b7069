"""Decides a Parquet book of contexts with Dask on a local cluster (`dask.distributed`): one
`evaluate_batch` per partition.

    python decide.py PACK BOOK.parquet OUT_DIR [--partitions N] [--workers N]

PACK is a pack folder or a bundle (`crm-rules bundle`), at a path the workers can read. The pack is
loaded here and pickled into each task: in a worker process it is loaded once, from the same path
(refused if the files there hash differently), with the engine options it was loaded with, the
compile cache among them, so the workers map the compiled component instead of compiling it. Each
partition is decided on one thread (each worker runs one task at a time), and its rows keep their
`row_id`. The partitions stay in the workers from the read to the write. The output is Parquet:
`row_id`, `decision` (JSON text, null for a row that is not a valid context), `error`. For a real
cluster, give `Client` the scheduler's address instead of a `LocalCluster`.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import crm_rules
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
    from dask.distributed import Client, LocalCluster

    cache = os.path.join(tempfile.gettempdir(), f"crm-rules-cache-{os.getuid()}")
    pack = crm_rules.Engine(cache_dir=cache).load(args.pack)
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        book = dd.read_parquet(args.book).repartition(npartitions=args.partitions)
        decided = book.map_partitions(decide, pack, meta=META)
        decided.to_parquet(args.out, write_index=False)
    print(f"dask: {args.partitions} partitions on {args.workers} worker processes, "
          f"{time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
