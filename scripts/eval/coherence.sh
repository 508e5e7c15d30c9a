#!/usr/bin/env bash
# Coherence of sada's statements on generated corpora, checked without truth by
# scripts/eval/check_statements.py (an aligner of its own): the adversarial kinds of
# scripts/corpora/gen_adversarial.py (chain, sliding, repeat, boilerplate, formulaic) and
# the quality corpora of scripts/corpora/gen_corpus.py (arabic, latin).
#
#   scripts/eval/coherence.sh [--scale S] [--sada PATH] [--out DIR]
#
# Prints one row per corpus (wall and CPU seconds of the scan, statements, largest
# statement, wall seconds of the statement stages, coherence of cross-document
# occurrence pairs: all statements and
# non-boilerplate ones) and fails (exit 1) when a corpus's non-boilerplate
# coherence is below 0.99 or any statement has two overlapping occurrences of one
# document. Run by .ci/run at scale 1; --scale 2 and 4 show how cost grows.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCALE=1
SADA=""
OUT=target/coherence
while [ $# -gt 0 ]; do
    case "$1" in
        --scale) SCALE="$2"; shift 2 ;;
        --sada) SADA="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        *) echo "coherence.sh: unknown argument '$1' (--scale S, --sada PATH, --out DIR)" >&2; exit 2 ;;
    esac
done
if [ -z "$SADA" ]; then
    cargo build --release --quiet
    SADA=target/release/sada
fi
mkdir -p "$OUT"

passed=0
failed=0
printf '| corpus | docs | wall s | CPU s | match + align + group s | statements (boilerplate) | largest (docs/occ.) | coherence all | non-boilerplate |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
run() {
    local name="$1" dir="$2"
    rm -rf "$OUT/$name-out"
    local t0 t1 cpu
    t0=$(date +%s.%N)
    # CPU seconds of the scan (user + system), without /usr/bin/time.
    cpu=$(python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{r.ru_utime + r.ru_stime:.2f}")' "$SADA" scan --quiet --out "$OUT/$name-out" "$dir/corpus.jsonl")
    t1=$(date +%s.%N)
    python3 scripts/eval/check_statements.py --json --out "$OUT/$name-out" "$dir/corpus.jsonl" > "$OUT/$name-check.json"
    python3 - "$name" "$OUT/$name-check.json" "$t0" "$t1" "$cpu" "$OUT/$name-out/summary.json" <<'EOF'
import json, sys
name, check, t0, t1, cpu, summary = sys.argv[1:]
c = json.load(open(check))
s = json.load(open(summary))
fmt = lambda x: "n/a" if x is None else f"{x:.4f}"
t = s['run']['timings']
stages = sum(t.get(k, 0.0) for k in ('match', 'align', 'group'))
print(f"| {name} | {s['documents']} | {float(t1) - float(t0):.2f} | {cpu} | {stages:.2f} | {c['statements']} ({c['boilerplate']}) "
      f"| {c['largest_docs']}/{c['largest_occurrences']} | {fmt(c['coherence_cross_doc'])} | {fmt(c['coherence_non_boilerplate'])} |")
ok = (c['coherence_non_boilerplate'] is None or c['coherence_non_boilerplate'] >= 0.99) and c['same_doc_overlaps'] == 0
sys.exit(0 if ok else 1)
EOF
}
for kind in chain sliding repeat boilerplate formulaic; do
    dir="$OUT/$kind-x$SCALE"
    [ -f "$dir/corpus.jsonl" ] || python3 scripts/corpora/gen_adversarial.py --out "$dir" --kind "$kind" --scale "$SCALE" >/dev/null
    if run "$kind-x$SCALE" "$dir"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
for script in arabic latin; do
    dir="$OUT/$script-quality-x$SCALE"
    [ -f "$dir/corpus.jsonl" ] || python3 scripts/corpora/gen_corpus.py --out "$dir" --script "$script" \
        --originals $((300 * SCALE)) --quotes $((30 * SCALE)) --seed 1 >/dev/null
    if run "$script-quality-x$SCALE" "$dir"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo
echo "coherence: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
