#!/usr/bin/env bash
# Builds sada's Python wheel (one abi3 wheel for CPython 3.10 and later) with maturin from
# PyPI, in a virtualenv of its own (target/wheel-venv), into target/wheels/ (or OUT), and
# prints the wheel's path. Needs the Rust toolchain and Python 3.
#
#   python/build-wheel.sh [OUT]
#
# Install it anywhere with `pip install target/wheels/sada-*.whl` (numpy comes with it).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
OUT="${1:-$ROOT/target/wheels}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/python}"

if [ ! -x target/wheel-venv/bin/maturin ]; then
    rm -rf target/wheel-venv
    python3 -m venv target/wheel-venv
    target/wheel-venv/bin/pip install --quiet --disable-pip-version-check "maturin>=1.5,<2"
fi
rm -f "$OUT"/sada-*.whl
(cd python && "$ROOT/target/wheel-venv/bin/maturin" build --release --quiet --out "$OUT" >&2)
ls "$OUT"/sada-*.whl
