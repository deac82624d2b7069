"""Tests of the crm_rules package, against the repository's standard pack and examples.

Run by ``python/run-tests.sh`` (CI), after ``cargo xtask build-rules`` has built the standard
pack's component and ``cargo test --workspace`` the ``crm-rules`` binary, whose output is the
reference: a decision here must be the decision ``crm-rules eval`` and ``crm-rules batch`` make.
"""

from __future__ import annotations

import copy
import decimal
import json
import os
import pickle
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List

import pyarrow as pa  # type: ignore[import-untyped]
import pytest

import crm_rules

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "target" / "debug" / "crm-rules"
CLOSED_WON = ROOT / "examples" / "closed-won.json"
BOOK = ROOT / "examples" / "book.ndjson"
PACKS = ["rules/standard/rhai", "rules/standard/rust"]


def cli(*args: str) -> str:
    """The standard output of ``crm-rules --no-cache ARGS``."""
    if not CLI.exists():
        pytest.fail(f"{CLI} is missing: build it first (cargo build -p crm-rules-cli)")
    done = subprocess.run(
        [str(CLI), "--no-cache", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture(scope="module")
def engine() -> crm_rules.Engine:
    return crm_rules.Engine()


@pytest.fixture(scope="module", params=PACKS)
def pack(request: pytest.FixtureRequest, engine: crm_rules.Engine) -> crm_rules.Pack:
    return engine.load(ROOT / request.param)


@pytest.fixture(scope="module")
def rhai(engine: crm_rules.Engine) -> crm_rules.Pack:
    return engine.load(ROOT / "rules/standard/rhai")


def book_lines() -> List[str]:
    return BOOK.read_text().splitlines()


def scheduled_context() -> Dict[str, Any]:
    """The first context of the book with an invoice and no deal event."""
    for line in book_lines():
        context: Dict[str, Any] = json.loads(line)
        if context.get("invoices") and "deal_event" not in context:
            return context
    raise AssertionError("the book has no scheduled context with invoices")


def test_pack_identity_matches_the_command_line(pack: crm_rules.Pack) -> None:
    decision = json.loads(cli("eval", str(pack.path), "--input", str(CLOSED_WON)))
    assert decision["pack"] == {"name": pack.name, "version": pack.version, "hash": pack.hash}
    assert pack.hash.startswith("sha256:")
    assert pack.path is not None and pack.path.is_absolute()
    assert pack.name in repr(pack)


def test_evaluate_dict_text_and_bytes_match_crm_rules_eval(pack: crm_rules.Pack) -> None:
    expected = json.loads(cli("eval", str(pack.path), "--input", str(CLOSED_WON)))
    text = CLOSED_WON.read_text()
    assert pack.evaluate(json.loads(text)) == expected
    assert pack.evaluate(text) == expected
    assert pack.evaluate(CLOSED_WON.read_bytes()) == expected
    assert json.loads(pack.evaluate_json(text)) == expected
    # The decision keeps the JSON's key order.
    assert list(pack.evaluate(text)) == list(expected)
    assert expected["status"] == "complete"
    assert [action["key"] for action in expected["actions"]] == ["bill:deal_1:won"]


def test_invalid_context_names_the_field(rhai: crm_rules.Pack) -> None:
    context = scheduled_context()
    context["invoices"][0]["due_date"] = "2026-02-30"
    for given in (context, json.dumps(context)):
        with pytest.raises(crm_rules.InvalidContext) as raised:
            rhai.evaluate(given)
        error = raised.value
        assert error.path == "invoices[0].due_date"
        assert "2026-02-30" in error.message
        assert str(error) == f"{error.path}: {error.message}"
        assert isinstance(error, crm_rules.Error) and isinstance(error, ValueError)
    # An exception raised on a worker reaches the driver whole.
    copied = pickle.loads(pickle.dumps(error))
    assert (type(copied), copied.path, copied.message) == (type(error), error.path, error.message)


def test_values_json_cannot_hold_are_refused_at_their_path(rhai: crm_rules.Pack) -> None:
    context = scheduled_context()
    context["invoices"][0]["total"] = decimal.Decimal("12.50")
    with pytest.raises(crm_rules.InvalidContext) as raised:
        rhai.evaluate(context)
    assert raised.value.path == "invoices[0].total"
    assert "Decimal" in raised.value.message

    context = scheduled_context()
    context["account"]["contacts"] = None
    with pytest.raises(crm_rules.InvalidContext) as raised:
        rhai.evaluate(context)
    assert raised.value.path == "account.contacts"

    looped: Dict[str, Any] = copy.deepcopy(scheduled_context())
    looped["account"]["self"] = looped
    with pytest.raises(crm_rules.InvalidContext, match="nested deeper"):
        rhai.evaluate(looped)


def test_json_syntax_errors_give_line_and_column(rhai: crm_rules.Pack) -> None:
    with pytest.raises(crm_rules.InvalidContext) as raised:
        rhai.evaluate('{"now": ')
    assert raised.value.path == ""
    assert raised.value.message.startswith("line 1 column")
    with pytest.raises(crm_rules.InvalidContext, match="UTF-8"):
        rhai.evaluate(b'{"now": "\xff"}')


def test_a_context_of_another_type_is_a_type_error(rhai: crm_rules.Pack) -> None:
    with pytest.raises(TypeError, match="dict, or JSON text"):
        rhai.evaluate(42)  # type: ignore[arg-type]


def test_a_pack_that_does_not_load_raises_pack_load_error(
    engine: crm_rules.Engine, tmp_path: Path
) -> None:
    with pytest.raises(crm_rules.PackLoadError, match="pack.toml"):
        engine.load(tmp_path)


def test_a_failing_rule_is_in_the_decision_not_raised() -> None:
    # Ten Rhai operations are not enough for any module: every one fails, as data.
    pack = crm_rules.Engine(max_operations=10).load(ROOT / "rules/standard/rhai")
    decision = pack.evaluate(scheduled_context())
    assert decision["status"] == "held-for-review"
    assert {error["kind"] for error in decision["errors"]} == {"out-of-fuel"}


def test_rhai_memory_is_counted_by_the_modules_allocator() -> None:
    # The module installs the counting allocator: a script past 4 KiB of heap is stopped.
    pack = crm_rules.Engine(max_memory_bytes=4 << 10).load(ROOT / "rules/standard/rhai")
    decision = pack.evaluate(scheduled_context())
    assert decision["status"] == "held-for-review"
    assert {error["kind"] for error in decision["errors"]} == {"memory"}


def book_batch(with_bad_rows: bool = True) -> pa.RecordBatch:
    """The book's 200 contexts, then a null row and a row that is not JSON, with an id column."""
    contexts: List[Any] = book_lines()
    if with_bad_rows:
        contexts += [None, "{not json"]
    return pa.record_batch(
        {
            "account": pa.array([f"row-{n}" for n in range(len(contexts))]),
            "context": pa.array(contexts, pa.string()),
        }
    )


@pytest.fixture(scope="module")
def batch_lines(pack: crm_rules.Pack) -> List[Dict[str, Any]]:
    """What ``crm-rules batch`` writes for the book."""
    output = cli("batch", str(pack.path), "--input", str(BOOK))
    return [json.loads(line) for line in output.splitlines()]


def test_evaluate_batch_matches_crm_rules_batch(
    pack: crm_rules.Pack, batch_lines: List[Dict[str, Any]]
) -> None:
    batch = book_batch()
    result = pack.evaluate_batch(batch, id_column="account")
    assert isinstance(result, pa.RecordBatch)
    assert result.schema.names == ["line", "id", "decision", "error", "status"]
    assert result.schema.field("line").type == pa.int64()
    assert result.num_rows == 202
    rows = result.to_pylist()
    assert [row["line"] for row in rows] == list(range(1, 203))
    assert result.column("id").equals(batch.column("account"))
    assert len(batch_lines) == 200
    for row, line in zip(rows, batch_lines):
        assert row["error"] is None
        assert json.loads(row["decision"]) == line["decision"], f"line {row['line']}"
        assert row["status"] == line["decision"]["status"]
    null, bad = rows[200], rows[201]
    assert (null["decision"], null["status"], null["error"]) == (None, None, "the context is null")
    assert bad["decision"] is None and bad["error"].startswith("line 1 column 2")


def test_batch_output_does_not_depend_on_threads(rhai: crm_rules.Pack) -> None:
    batch = book_batch()
    one = rhai.evaluate_batch(batch, threads=1)
    assert one.schema.names == ["line", "decision", "error", "status"]
    assert rhai.evaluate_batch(batch, threads=3).equals(one)
    assert rhai.evaluate_batch(batch).equals(one)


def test_streams_give_a_table_numbered_across_batches(rhai: crm_rules.Pack) -> None:
    batch = book_batch()
    table = pa.Table.from_batches([batch.slice(start, 50) for start in range(0, 202, 50)])
    assert table.column("context").num_chunks == 5
    result = rhai.evaluate_batch(table, id_column="account")
    assert isinstance(result, pa.Table)
    assert result.num_rows == 202
    whole = pa.Table.from_batches([rhai.evaluate_batch(batch, id_column="account")])
    assert result.combine_chunks().equals(whole.combine_chunks())
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
    assert rhai.evaluate_batch(reader).num_rows == 202


@pytest.mark.parametrize(
    "kind", [pa.large_string(), pa.string_view(), pa.binary(), pa.large_binary()]
)
def test_every_text_type_is_read(rhai: crm_rules.Pack, kind: pa.DataType) -> None:
    batch = book_batch()
    expected = rhai.evaluate_batch(batch)
    cast = pa.record_batch({"context": batch.column("context").cast(kind)})
    assert rhai.evaluate_batch(cast).equals(expected)


def test_batch_argument_errors(rhai: crm_rules.Pack) -> None:
    batch = book_batch()
    with pytest.raises(ValueError, match="no column \"contexts\""):
        rhai.evaluate_batch(batch, column="contexts")
    with pytest.raises(ValueError, match="no column \"missing\""):
        rhai.evaluate_batch(batch, id_column="missing")
    with pytest.raises(TypeError, match="JSON text"):
        rhai.evaluate_batch(pa.record_batch({"context": pa.array([1, 2])}))
    with pytest.raises(TypeError, match="__arrow_c_array__"):
        rhai.evaluate_batch(book_lines())  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="threads"):
        rhai.evaluate_batch(batch, threads=0)
    blank = rhai.evaluate_batch(pa.record_batch({"context": pa.array([" "])}))
    assert blank.column("error")[0].as_py().startswith("the context is blank")


def test_evaluate_batch_releases_the_gil(rhai: crm_rules.Pack) -> None:
    contexts = book_lines() * 10
    batch = pa.record_batch({"context": pa.array(contexts)})
    ticks = 0
    stop = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    counter = threading.Thread(target=count)
    counter.start()
    try:
        time.sleep(0.05)
        before = ticks
        started = time.monotonic()
        rhai.evaluate_batch(batch, threads=1)
        elapsed = time.monotonic() - started
        during = ticks - before
    finally:
        stop.set()
        counter.join()
    # Holding the GIL, the call would leave the counter a switch interval (5 ms) at most.
    assert elapsed > 0.1, "the batch was too quick to tell"
    assert during > 1_000, f"the counter ran {during} times in {elapsed:.2f} s"


def test_packs_and_engines_pickle_by_path_and_hash(
    engine: crm_rules.Engine, rhai: crm_rules.Pack
) -> None:
    copied = pickle.loads(pickle.dumps(rhai))
    assert (copied.path, copied.hash) == (rhai.path, rhai.hash)
    assert pickle.loads(pickle.dumps(rhai)) is copied, "loaded once per process"
    assert copied.evaluate(CLOSED_WON.read_text()) == rhai.evaluate(CLOSED_WON.read_text())
    assert pickle.loads(pickle.dumps(engine)).options == engine.options
    # In another process, as on a Spark, Dask or Ray worker.
    code = (
        "import pickle, sys; pack = pickle.load(sys.stdin.buffer); "
        "print(pack.evaluate_json(open(sys.argv[1]).read()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(CLOSED_WON)],
        input=pickle.dumps(rhai), capture_output=True, check=True,
    )
    assert json.loads(done.stdout) == rhai.evaluate(CLOSED_WON.read_text())


def test_an_unpickled_pack_with_other_files_is_refused(
    engine: crm_rules.Engine, tmp_path: Path
) -> None:
    standard = tmp_path / "standard"
    shutil.copytree(ROOT / "rules/standard", standard, ignore=shutil.ignore_patterns("target"))
    pickled = pickle.dumps(engine.load(standard / "rhai"))
    with open(standard / "params.toml", "a") as params:
        params.write("\n# changed\n")
    with pytest.raises(crm_rules.PackLoadError, match="every process must see the same"):
        pickle.loads(pickled)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The standard Rhai pack as a bundle, written by ``crm-rules bundle``."""
    path = tmp_path_factory.mktemp("bundle") / "standard-rhai.crmpack"
    cli("bundle", "rules/standard/rhai", "--output", str(path))
    return path


def test_bundles_load_from_a_file_or_from_bytes(
    engine: crm_rules.Engine, rhai: crm_rules.Pack, bundle: Path, tmp_path: Path
) -> None:
    from_file = engine.load(bundle)
    from_bytes = engine.load_bytes(bundle.read_bytes())
    assert from_file.hash == from_bytes.hash == rhai.hash
    assert (from_file.path, from_bytes.path) == (bundle, None)
    expected = rhai.evaluate(CLOSED_WON.read_text())
    assert from_file.evaluate(CLOSED_WON.read_text()) == expected
    assert from_bytes.evaluate(CLOSED_WON.read_text()) == expected
    # Pickled as its bytes: a process without the pack's files decides the same.
    assert pickle.loads(pickle.dumps(from_bytes)) is pickle.loads(pickle.dumps(from_bytes))
    code = "import pickle, sys; print(pickle.load(sys.stdin.buffer).evaluate_json(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", code, CLOSED_WON.read_text()],
        input=pickle.dumps(from_bytes), capture_output=True, check=True, cwd=tmp_path,
    )
    assert json.loads(done.stdout) == expected
    with pytest.raises(crm_rules.PackLoadError, match="bundle"):
        engine.load_bytes(b"not a bundle")


def test_a_bundles_precompiled_code_is_loaded_only_when_trusted(
    engine: crm_rules.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "standard-rust.crmpack"
    cli("bundle", "rules/standard/rust", "--precompile", "--output", str(path))
    folder = engine.load(ROOT / "rules/standard/rust")
    untrusted = engine.load(path)
    assert untrusted.component_loads == {
        "compiled": 1, "from_cache": 0, "precompiled": 0, "precompiled_unused": 1,
    }
    trusting = crm_rules.Engine(instance_pool=4, trust_precompiled=True)
    trusted = trusting.load(path)
    assert trusted.component_loads["precompiled"] == 1
    assert trusted.component_loads["compiled"] == 0
    expected = folder.evaluate(CLOSED_WON.read_text())
    assert trusted.evaluate(CLOSED_WON.read_text()) == untrusted.evaluate(CLOSED_WON.read_text())
    assert trusted.evaluate(CLOSED_WON.read_text()) == expected
    # A pickled pack is loaded again with its engine's options, trust included.
    assert pickle.loads(pickle.dumps(trusted)).component_loads["precompiled"] == 1


def in_forked_child(engine: crm_rules.Engine, rhai: crm_rules.Pack) -> int:
    """0 if the copies refuse to work, naming fork(), and an unpickled pack works; else why not."""
    for attempt in (lambda: rhai.evaluate("{}"), lambda: engine.load(ROOT / "rules/standard/rhai")):
        try:
            attempt()
            return 1
        except crm_rules.Error as error:
            if "fork()" not in str(error):
                return 2
    try:
        fresh = pickle.loads(pickle.dumps(rhai))
        return 0 if fresh.evaluate(CLOSED_WON.read_text())["status"] == "complete" else 3
    except BaseException:
        return 4


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_pack_copied_by_fork_refuses_to_work_but_unpickles(
    engine: crm_rules.Engine, rhai: crm_rules.Pack
) -> None:
    pickle.loads(pickle.dumps(rhai))  # cached in this process: the child must not reuse it
    pid = os.fork()
    if pid == 0:
        os._exit(in_forked_child(engine, rhai))
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status


def test_stubs_type_check_with_mypy_strict() -> None:
    mypy = pytest.importorskip("mypy.api")
    sample = Path(__file__).with_name("typing_sample.py")
    cache = ROOT / "target" / "python-venv" / "mypy-cache"
    out, err, status = mypy.run(["--strict", "--cache-dir", str(cache), str(sample), __file__])
    assert status == 0, out + err
