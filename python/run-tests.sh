#!/usr/bin/env bash
# The Python package's checks, as .ci/run runs them on a fresh machine: the
# extension crate formatted and lint-free, the package built by maturin and
# installed with pip into a fresh virtualenv (target/py-venv; maturin, numpy, tqdm,
# pyarrow and pytest from PyPI), then its tests, which compare it with the
# `sada` binary (built here if needed).
#
# Last, the wheel python/build-wheel.sh makes is installed into another fresh virtualenv
# and scans the seeds.
#
#   python/run-tests.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="$PWD/target/python"

echo "== python: cargo fmt and clippy of the extension crate"
(cd python && cargo fmt --check && cargo clippy --all-targets -- -D warnings)

echo "== python: the sada binary the tests compare with"
CARGO_TARGET_DIR="$PWD/target" cargo build --release --quiet

echo "== python: a fresh virtualenv with the package built by pip (maturin)"
rm -rf target/py-venv
python3 -m venv target/py-venv
PIP=(target/py-venv/bin/pip install --quiet --disable-pip-version-check)
"${PIP[@]}" "maturin>=1.5,<2" numpy pyarrow pytest tqdm
"${PIP[@]}" ./python

echo "== python: pytest"
SADA_BIN="$PWD/target/release/sada" target/py-venv/bin/python -m pytest python/tests -q "$@"

echo "== python: the wheel of python/build-wheel.sh, installed into a fresh virtualenv, scans the seeds"
WHEEL="$(python/build-wheel.sh)"
rm -rf target/wheel-check
python3 -m venv target/wheel-check
target/wheel-check/bin/pip install --quiet --disable-pip-version-check "$WHEEL"
target/wheel-check/bin/python -c "
import sada
r = sada.scan('seeds')
assert len(r.statements) == 2, r.statements
print('wheel', '$(basename "$WHEEL")', 'ok:', len(r.documents), 'documents,', len(r.statements), 'statements')
"
