#!/usr/bin/env bash
# Fuzzes a running `crm-rules serve` from its own OpenAPI document with Schemathesis (PyPI): every
# operation, with generated bodies, parameters and the bearer tokens; fails on any 5xx answer.
#
#   serve/schemathesis/run.sh [MAX_EXAMPLES]     (from the repository root; 50 by default)
#
# It builds the CLI, installs Schemathesis into target/schemathesis-venv, serves examples/packs
# and the standard packs on a free loopback port with API and admin tokens, and runs
# `st run --checks not_a_server_error`.
set -euo pipefail
cd "$(dirname "$0")/../.."
max_examples="${1:-50}"
cargo build -q -p crm-rules-cli
venv=target/schemathesis-venv
if [ ! -x "$venv/bin/st" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "schemathesis==4.32.5"
fi
work="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
token="fuzz-token-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$token" > "$work/token"
mkdir -p "$work/packs"
cp -r examples/packs/* "$work/packs/"
cp -r rules/standard "$work/packs/standard"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
target/debug/crm-rules serve --packs "$work/packs" --listen "127.0.0.1:$port" \
    --api-token-file "$work/token" --admin-token-file "$work/token" 2> "$work/server.log" &
server=$!
for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/readyz" > /dev/null && break
    sleep 0.2
done
SCHEMATHESIS_HOOKS=hooks PYTHONPATH=serve/schemathesis "$venv/bin/st" run \
    "http://127.0.0.1:$port/v1/openapi.json" \
    --checks not_a_server_error \
    --max-examples "$max_examples" \
    -H "Authorization: Bearer $token"
