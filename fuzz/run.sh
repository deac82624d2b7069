#!/usr/bin/env bash
# Runs one cargo-fuzz target for a while: fuzz/run.sh TARGET [SECONDS] [-- more libFuzzer flags]
#
#   fuzz/run.sh context_json 600
#   fuzz/run.sh rhai_script 600 -- -jobs=1 -timeout=10
#
# Installs cargo-fuzz from crates.io when it is missing (needs the nightly toolchain for the
# sanitizer flags), seeds an empty corpus from the repository (fixtures, bad inputs, books, rule scripts)
# and keeps libFuzzer's output in fuzz/artifacts/TARGET/last-run.log (ignored by git, like the
# corpus). A crash, or an input running longer than 30 s (-timeout), leaves its input in
# fuzz/artifacts/TARGET/ and makes this script exit non-zero.
set -euo pipefail

target="${1:?usage: fuzz/run.sh context_json|rhai_script|batch_lines [SECONDS] [-- libFuzzer flags]}"
seconds="${2:-60}"
shift $(( $# >= 2 ? 2 : 1 ))
[[ "${1:-}" == "--" ]] && shift

fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$fuzz_dir")"
cd "$fuzz_dir"

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "run.sh: cargo-fuzz needs a nightly toolchain: rustup toolchain install nightly" >&2
    exit 2
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "run.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

corpus="$fuzz_dir/corpus/$target"
mkdir -p "$corpus" "$fuzz_dir/artifacts/$target"
if [[ -z "$(ls -A "$corpus")" ]]; then
    echo "run.sh: seeding $corpus" >&2
    case "$target" in
        context_json)
            cp "$root"/tests/bad-input/*.json "$root"/rules/standard/fixtures/base/*.json "$corpus"/
            rm -f "$corpus/expected.json"
            # Every fixture case's input with its base merged (RFC 7396 merge patch), if Python is here.
            if command -v python3 >/dev/null; then
                python3 - "$root/rules/standard/fixtures" "$corpus" <<'PY'
import json, pathlib, sys
fixtures, corpus = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
def merge(target, patch):
    if not isinstance(patch, dict):
        return patch
    target = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = merge(target.get(key), value)
    return target
for file in sorted(fixtures.glob("*.json")):
    doc = json.loads(file.read_text())
    base = json.loads((file.parent / doc["base"]).read_text()) if "base" in doc else {}
    for case in doc.get("cases", []):
        name = f"{file.stem}-{case['name']}.json"
        (corpus / name).write_text(json.dumps(merge(base, case["input"]), indent=1))
PY
            fi
            if [[ ! -f "$root/rules/standard/rust/standard.wasm" ]]; then
                echo "run.sh: no standard.wasm, so Rhai only; build it with: cargo xtask build-rules" >&2
            fi
            ;;
        batch_lines)
            # The mixed book (every kind of bad line) and the first lines of the example book.
            cp "$root"/tests/batch-input/*.ndjson "$corpus"/
            head -n 3 "$root/examples/book.ndjson" > "$corpus/book-head.ndjson"
            ;;
        rhai_script)
            for script in "$root"/rules/standard/rhai/*.rhai "$root"/tests/hostile/*/*.rhai \
                "$root"/tests/bad-input/scripts/*.rhai; do
                cp "$script" "$corpus/$(basename "$(dirname "$script")")-$(basename "$script")"
            done
            ;;
    esac
fi

dict=()
[[ -f "$fuzz_dir/dicts/$target.dict" ]] && dict=("-dict=$fuzz_dir/dicts/$target.dict")

log="$fuzz_dir/artifacts/$target/last-run.log"
echo "run.sh: $target for ${seconds}s, log in $log" >&2
status=0
cargo +nightly fuzz run "$target" "$corpus" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=30 -print_final_stats=1 "${dict[@]}" "$@" \
    2>&1 | tee "$log" || status=$?
echo "run.sh: $(grep -E '^Done [0-9]+ runs' "$log" || echo 'no final line (crashed?)')" >&2
exit "$status"
