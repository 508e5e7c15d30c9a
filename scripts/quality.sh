#!/usr/bin/env bash
# Quality of sada on generated corpora with known truth (near-duplicates and planted quotes).
#
#   scripts/quality.sh [extra sada scan args...]      e.g. scripts/quality.sh --threshold 0.6
#
# Environment: ORIGINALS (default 2000), QUOTES (default ORIGINALS/10), SEED (default 1),
#              CORPORA (default "arabic latin").
# Builds sada (cargo build --release), generates target/quality/<name>/{corpus,truth}.jsonl,
# runs `sada scan --quiet --out target/quality/<name>-out ... "$@"` and prints both
# evaluators' tables (documents: eval_clusters.py, passages: eval_passages.py).
set -euo pipefail

cd "$(dirname "$0")/.."
ORIGINALS="${ORIGINALS:-2000}"
QUOTES="${QUOTES:-$((ORIGINALS / 10))}"
SEED="${SEED:-1}"
CORPORA="${CORPORA:-arabic latin}"
Q=target/quality

cargo build --release
SADA=target/release/sada
mkdir -p "$Q"

for name in $CORPORA; do
    case "$name" in
        arabic) seed="$SEED" ;;
        latin) seed="$((SEED + 1))" ;;
        *) echo "quality.sh: unknown corpus '$name' (arabic or latin)" >&2; exit 2 ;;
    esac
    echo "=== $name"
    python3 scripts/gen_corpus.py --out "$Q/$name" --script "$name" \
        --originals "$ORIGINALS" --quotes "$QUOTES" --seed "$seed"
    rm -rf "$Q/$name-out"
    start=$(date +%s.%N)
    "$SADA" scan --quiet --out "$Q/$name-out" "$Q/$name/corpus.jsonl" "$@"
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "sada scan: %.2f s\n", e - s }'
    python3 scripts/eval_clusters.py --truth "$Q/$name/truth.jsonl" \
        --corpus "$Q/$name/corpus.jsonl" --out "$Q/$name-out"
    python3 scripts/eval_passages.py --truth "$Q/$name/truth.jsonl" --out "$Q/$name-out"
    echo
done
