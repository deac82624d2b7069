"""Decides a Parquet book of contexts with PySpark: `mapInArrow`, one `evaluate_batch` per Arrow
batch, the pack shipped to the executors as one bundle file.

    python decide.py PACK.crmpack BOOK.parquet OUT_DIR [--partitions N] [--master local[2]]

The bundle (`crm-rules bundle PACK -o PACK.crmpack`) reaches every executor through
`SparkContext.addFile`; each executor process loads it once (`SparkFiles.get`), with a compile cache
in the executor's own temporary folder, and decides its batches on one thread (Spark already runs
a task per core). The executors' Python (`PYSPARK_PYTHON`) needs `crm_rules` and `pyarrow`
installed. Rows keep their `row_id`. The output is Parquet: `row_id`, `decision` (JSON text,
null for a row that is not a valid context), `error`.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Iterator

import pyarrow as pa
from pyspark import SparkFiles
from pyspark.sql import SparkSession

SCHEMA = "row_id long, decision string, error string"

_PACK = None


def _pack(name: str):
    """The bundle `name`, loaded once per executor process."""
    global _PACK
    if _PACK is None:
        import crm_rules

        cache = os.path.join(tempfile.gettempdir(), f"crm-rules-cache-{os.getuid()}")
        _PACK = crm_rules.Engine(cache_dir=cache).load(SparkFiles.get(name))
    return _PACK


def decider(bundle_name: str):
    def decide(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        pack = _pack(bundle_name)
        for batch in batches:
            out = pack.evaluate_batch(batch, column="context", id_column="row_id", threads=1)
            yield pa.RecordBatch.from_arrays(
                [out.column("id"), out.column("decision"), out.column("error")],
                names=["row_id", "decision", "error"],
            )

    return decide


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle")
    parser.add_argument("book")
    parser.add_argument("out")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    started = time.perf_counter()
    spark = (
        SparkSession.builder.master(args.master)
        .appName("crm-rules")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "2000")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.addFile(os.path.abspath(args.bundle))
    book = spark.read.parquet(args.book).repartition(args.partitions)
    decided = book.mapInArrow(decider(os.path.basename(args.bundle)), SCHEMA)
    decided.write.mode("overwrite").parquet(args.out)
    spark.stop()
    print(f"spark: {args.partitions} partitions on {args.master}, "
          f"{time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
