#!/usr/bin/env bash
# Builds the `crm_rules` Python package and runs its tests (`cargo xtask ci` runs this last).
#
#   python/run-tests.sh [PYTEST ARGS...]      (from anywhere; paths are the repository's)
#
# It keeps a virtual environment in target/python-venv with pinned maturin, pytest, pyarrow and
# mypy (recreated when the pins below change), builds the extension with `maturin develop` in the
# debug profile (cargo reuses the workspace's compiled dependencies in target/), and runs pytest
# on python/tests. The tests compare with the `crm-rules` binary and load the standard pack's
# component: both are built first if missing. Any failure stops it with a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=(maturin==1.16.0 pytest==9.2.0 pyarrow==26.0.1 mypy==2.4.1)
venv=target/python-venv
python="${PYTHON:-python3}"

started=$SECONDS
installed="$(cat "$venv/requirements.txt" 2>/dev/null || true)"
if [ ! -x "$venv/bin/python" ] || [ "$installed" != "${requirements[*]}" ]; then
    echo "python/run-tests.sh: creating $venv"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
    echo "${requirements[*]}" > "$venv/requirements.txt"
fi

if [ ! -x target/debug/crm-rules ]; then
    cargo build -p crm-rules-cli
fi
if [ ! -f rules/standard/rust/standard.wasm ]; then
    cargo xtask build-rules
fi

# `maturin develop` installs into the environment VIRTUAL_ENV names: the package's Python
# sources in place (python/python), with the compiled module copied next to them (stripped, as
# pyproject.toml says: tens of megabytes instead of hundreds for the debug build).
(
    cd python
    VIRTUAL_ENV="$PWD/../$venv" PATH="$PWD/../$venv/bin:$PATH" \
        "../$venv/bin/maturin" develop --quiet
)
echo "python/run-tests.sh: extension built and installed in $((SECONDS - started)) s"

"$venv/bin/python" -m pytest python/tests "$@"
echo "python/run-tests.sh: done in $((SECONDS - started)) s"
