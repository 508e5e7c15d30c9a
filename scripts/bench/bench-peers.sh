#!/usr/bin/env bash
# Signing speed of sada next to datasketch, rensa and gaoya (MB of text per CPU-second).
#
#   scripts/bench/bench-peers.sh [scripts/bench/bench_peers.py options]
#       e.g. scripts/bench/bench-peers.sh --scripts arabic,latin --json target/bench/results.json
#
# Builds sada (cargo build --release; skipped with NO_BUILD=1), then runs
# scripts/bench/bench_peers.py, which generates the corpus under target/bench/, creates or
# reuses the private virtualenv target/peers-venv with the peers, measures every tool 5 times
# and prints the table. See `python3 scripts/bench/bench_peers.py --help` and its docstring.
set -euo pipefail

cd "$(dirname "$0")/../.."
if [ "${NO_BUILD:-0}" != 1 ]; then
    cargo build --release
fi
BENCH_PEERS_COMMAND="scripts/bench/bench-peers.sh${*:+ $*}" exec python3 scripts/bench/bench_peers.py "$@"
