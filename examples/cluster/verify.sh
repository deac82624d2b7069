#!/usr/bin/env bash
# Runs a cluster recipe over a generated book and checks that it decided exactly as a direct
# `crm-rules batch` run on the same book: every row, every decision, every error.
#
#   examples/cluster/verify.sh dask|spark|ray|local [CONTEXTS] [PARTITIONS]
#
# `local` is the baseline: the same package in one process (examples/cluster/in_process.py).
#
# CONTEXTS (2000) contexts (the example book repeated; `gen-book`'s with PROFILE=release), plus two
# lines that are not contexts, go into a Parquet book;
# the pack (PACK, default the standard component) is shipped as a bundle. PROFILE=release uses
# release builds (for figures). The Python packages are pinned below and installed into
# target/cluster-venv, with the crm_rules module built from python/ by maturin. `cargo xtask ci`
# runs the Dask recipe; Spark (needs Java 17+) and Ray are run by hand (docs/scale.md).
set -euo pipefail
cd "$(dirname "$0")/../.."

engine=${1:?usage: examples/cluster/verify.sh dask|spark|ray|local [CONTEXTS] [PARTITIONS]}
contexts=${2:-2000}
partitions=${3:-8}
profile=${PROFILE:-debug}
pack=${PACK:-rules/standard/rust}

common=(maturin==1.16.0 pyarrow==26.0.1 pandas==3.1.1)
case "$engine" in
    dask) extra=("dask[dataframe]==2026.8.0" distributed==2026.8.0) ;;
    spark) extra=(pyspark==4.3.0) ;;
    ray) extra=("ray[data]==2.60.0") ;;
    local) extra=() ;;
    *) echo "unknown engine '$engine': dask, spark, ray or local" >&2; exit 2 ;;
esac

venv=target/cluster-venv
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
wanted="${common[*]} ${extra[*]}"
if ! grep -qxF "$wanted" "$venv/installed-$engine.txt" 2>/dev/null; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${common[@]}" "${extra[@]}"
    echo "$wanted" > "$venv/installed-$engine.txt"
fi

cargo_profile=()
if [ "$profile" = release ]; then cargo_profile=(--release); fi
# In CI `cargo test --workspace` has built target/debug/crm-rules with the workspace's features;
# building it again for this package alone would compile wasmtime a second time.
bin=target/$profile/crm-rules
if [ "$profile" = release ] || [ ! -x "$bin" ]; then
    cargo build --quiet "${cargo_profile[@]}" -p crm-rules-cli
fi
if [ ! -f rules/standard/rust/standard.wasm ]; then
    cargo xtask build-rules
fi
(
    cd python
    VIRTUAL_ENV="$PWD/../$venv" PATH="$PWD/../$venv/bin:$PATH" \
        "../$venv/bin/maturin" develop --quiet --strip "${cargo_profile[@]}"
)

# The book is kept per profile and size, so that every engine runs on the same one.
book=target/cluster/book-$profile-$contexts
work=target/cluster/$engine-$profile-$contexts
rm -rf "$work"
mkdir -p "$work" "$book"
if [ ! -f "$book/book.parquet" ]; then
    if [ "$profile" = release ]; then
        cargo build --quiet --release -p crm-rules-tests --bin gen-book
        target/release/gen-book "$contexts" > "$book/book.ndjson"
    else
        # The example book's 200 contexts, repeated: enough to spread over partitions.
        : > "$book/book.ndjson"
        while [ "$(wc -l < "$book/book.ndjson")" -lt "$contexts" ]; do
            cat examples/book.ndjson >> "$book/book.ndjson"
        done
        head -n "$contexts" "$book/book.ndjson" > "$book/book.tmp"
        mv "$book/book.tmp" "$book/book.ndjson"
    fi
    printf '%s\n' '{"now": "not a time"}' '{not json' >> "$book/book.ndjson"
    "$venv/bin/python" examples/cluster/book.py to-parquet "$book/book.ndjson" "$book/book.parquet"
fi
"$bin" bundle "$pack" -o "$work/pack.crmpack" --no-fixtures > /dev/null

started=$(date +%s%N)
"$bin" batch "$work/pack.crmpack" --input "$book/book.ndjson" --output "$work/direct.ndjson" \
    --threads 2 --allow-bad-lines 2> "$work/direct.log"
echo "direct batch: $(( ($(date +%s%N) - started) / 1000000 )) ms: $(head -1 "$work/direct.log")"

# Spark's Python workers run the interpreter PYSPARK_PYTHON names: the one with crm_rules.
export PYSPARK_PYTHON="$PWD/$venv/bin/python"
started=$(date +%s%N)
script="examples/$engine/decide.py"
if [ "$engine" = local ]; then script=examples/cluster/in_process.py; fi
if ! "$venv/bin/python" "$script" "$work/pack.crmpack" "$book/book.parquet" \
    "$work/decisions" --partitions "$partitions" > "$work/decide.log" 2>&1; then
    cat "$work/decide.log" >&2
    echo "the $engine recipe failed" >&2
    exit 1
fi
echo "$engine recipe: $(( ($(date +%s%N) - started) / 1000000 )) ms (interpreter and $engine start-up included): $(tail -1 "$work/decide.log")"
"$venv/bin/python" examples/cluster/book.py compare "$work/decisions" "$work/direct.ndjson"
