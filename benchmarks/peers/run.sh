#!/usr/bin/env bash
# The peers benchmark (README.md): builds the E1 component, then runs the benchmark in release mode.
# Outside the workspace and CI; everything it builds goes to benchmarks/peers/target (gitignored).
#   benchmarks/peers/run.sh                  # 200 blocks
#   PEERS_BLOCKS=20 benchmarks/peers/run.sh  # a quick look
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="${CARGO_TARGET_DIR:-$here/target}"
export CARGO_TARGET_DIR="$target"

# The guest's standard library, for the toolchain rust-toolchain.toml pins (a no-op when present).
(cd "$here" && rustup target add wasm32-unknown-unknown)

# The component's core module, where e1-guest/pack.toml expects it (the host turns it into a
# component when it loads the pack). No DWARF, as `cargo xtask build-rules` builds guests.
(cd "$here/e1-guest" && cargo build --release --target wasm32-unknown-unknown --target-dir "$here/target/guest")

(cd "$here" && cargo run --release)
