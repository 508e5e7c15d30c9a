#!/usr/bin/env bash
# Quality of sada on generated corpora with known truth (near-duplicates and planted quotes).
#
#   scripts/eval/quality.sh [--sada PATH] [extra sada scan args...]
#       e.g. scripts/eval/quality.sh --threshold 0.6
#
# Environment: ORIGINALS (default 2000), QUOTES (default ORIGINALS/10), SEED (default 1),
#              CORPORA (default "arabic latin").
# Builds sada (cargo build --release; --sada PATH runs that binary instead and builds nothing),
# generates target/quality/<name>/{corpus,truth}.jsonl with scripts/corpora/gen_corpus.py,
# runs `sada scan --quiet --out target/quality/<name>-out ... ARGS` and prints both
# evaluators' tables (documents: eval_clusters.py, passages: eval_passages.py).
set -euo pipefail

SADA=""
ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --sada) [ $# -ge 2 ] || { echo "quality.sh: --sada needs a path" >&2; exit 2; }
                SADA="$2"; shift 2 ;;
        *) ARGS+=("$1"); shift ;;
    esac
done
if [ -n "$SADA" ]; then
    # absolute, since the paths below are relative to the repository root
    SADA="$(cd "$(dirname "$SADA")" && pwd)/$(basename "$SADA")"
fi
cd "$(dirname "$0")/../.."
ORIGINALS="${ORIGINALS:-2000}"
QUOTES="${QUOTES:-$((ORIGINALS / 10))}"
SEED="${SEED:-1}"
CORPORA="${CORPORA:-arabic latin}"
Q=target/quality

if [ -z "$SADA" ]; then
    cargo build --release
    SADA=target/release/sada
fi
mkdir -p "$Q"

for name in $CORPORA; do
    case "$name" in
        arabic) seed="$SEED" ;;
        latin) seed="$((SEED + 1))" ;;
        *) echo "quality.sh: unknown corpus '$name' (arabic or latin)" >&2; exit 2 ;;
    esac
    echo "=== $name"
    python3 scripts/corpora/gen_corpus.py --out "$Q/$name" --script "$name" \
        --originals "$ORIGINALS" --quotes "$QUOTES" --seed "$seed"
    rm -rf "$Q/$name-out"
    start=$(date +%s.%N)
    "$SADA" scan --quiet --out "$Q/$name-out" "$Q/$name/corpus.jsonl" "${ARGS[@]}"
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "sada scan: %.2f s\n", e - s }'
    python3 scripts/eval/eval_clusters.py --truth "$Q/$name/truth.jsonl" \
        --corpus "$Q/$name/corpus.jsonl" --out "$Q/$name-out"
    python3 scripts/eval/eval_passages.py --truth "$Q/$name/truth.jsonl" --out "$Q/$name-out"
    echo
done
