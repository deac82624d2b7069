"""Decides a Parquet book of contexts with Ray Data: `map_batches` on a pool of actors, each
loading the pack once from a bundle's bytes held in Ray's object store.

    python decide.py PACK.crmpack BOOK.parquet OUT_DIR [--partitions N] [--actors N]

The bundle's bytes are put in the object store once; every actor loads the pack from them
(`Engine.load_bytes`), so the workers need no copy of the pack's files. Each actor decides its
batches on one thread. Rows keep their `row_id`. The output is Parquet: `row_id`, `decision` (JSON
text, null for a row that is not a valid context), `error`.
"""

from __future__ import annotations

import argparse
import time

import pyarrow as pa
import ray


class Decider:
    """One actor: the pack, loaded once."""

    def __init__(self, bundle: bytes) -> None:
        import crm_rules

        self.pack = crm_rules.Engine().load_bytes(bundle)

    def __call__(self, batch: pa.Table) -> pa.Table:
        out = self.pack.evaluate_batch(batch, column="context", id_column="row_id", threads=1)
        return pa.table(
            {"row_id": out.column("id"), "decision": out.column("decision"),
             "error": out.column("error")}
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle")
    parser.add_argument("book")
    parser.add_argument("out")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--actors", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    # One CPU more than the actors hold, for the tasks that read and write the Parquet files:
    # with the actors holding every CPU, the read never starts.
    ray.init(num_cpus=args.actors + 1, include_dashboard=False, log_to_driver=False)
    with open(args.bundle, "rb") as file:
        bundle = file.read()
    book = ray.data.read_parquet(args.book, override_num_blocks=args.partitions)
    decided = book.map_batches(
        Decider,
        fn_constructor_kwargs={"bundle": bundle},
        batch_format="pyarrow",
        batch_size=2000,
        concurrency=args.actors,
        num_cpus=1,
    )
    decided.write_parquet(args.out)
    ray.shutdown()
    print(f"ray: {args.actors} actors, {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
