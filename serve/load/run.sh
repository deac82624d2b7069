#!/usr/bin/env bash
# The load figures of docs/performance.md ("The HTTP sidecar"): `crm-rules serve` on loopback under
# `wrk` (Debian's package: apt-get install wrk), beside the same book evaluated in process, and a
# soak that samples the server's resident memory.
#
#   serve/load/run.sh [SOAK_SECONDS]     (from the repository root; no soak by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
soak="${1:-0}"
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
cargo build -q --release -p crm-rules-cli -p crm-rules-tests
work="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
export BOOK="$work/book.ndjson"
target/release/gen-book 4000 > "$BOOK"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
target/release/crm-rules serve --packs rules/standard --listen "127.0.0.1:$port" --workers 2 \
    2> "$work/server.log" &
server=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" > /dev/null && break; sleep 0.2; done
for pack in standard-rust standard-rhai; do
    for connections in 2 8; do
        echo "== $pack /evaluate, $connections connections, 15 s"
        wrk -t2 -c"$connections" -d15s -s serve/load/cycle.lua \
            "http://127.0.0.1:$port/v1/packs/$pack/evaluate" | grep -E "Requests/sec|p50"
    done
    echo "== $pack /evaluate-batch, the whole book in one request"
    start=$(date +%s.%N)
    lines=$(curl -s -XPOST -H 'Content-Type: application/x-ndjson' --data-binary @"$BOOK" \
        "http://127.0.0.1:$port/v1/packs/$pack/evaluate-batch" | wc -l)
    python3 -c "print('$lines lines, %.0f contexts/s' % (4000 / ($(date +%s.%N) - $start)))"
    echo "== ${pack#standard-} in process: crm-rules batch --threads 2"
    target/release/crm-rules batch "rules/standard/${pack#standard-}" --input "$BOOK" \
        --output /dev/null --threads 2 2>&1 | tail -1
done
if [ "$soak" -gt 0 ]; then
    echo "== soak: standard-rust /evaluate, 4 connections, $soak s; resident memory every 30 s"
    wrk -t2 -c4 -d"${soak}s" -s serve/load/cycle.lua \
        "http://127.0.0.1:$port/v1/packs/standard-rust/evaluate" > "$work/soak.log" &
    for elapsed in $(seq 0 30 "$soak"); do
        echo "$elapsed s: $(ps -o rss= -p "$server") KiB"
        sleep 30
    done
    wait
    grep -E "Requests/sec|p50" "$work/soak.log"
fi
