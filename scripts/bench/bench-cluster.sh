#!/usr/bin/env bash
# sada scan on 1 to 4 processes of a loopback cluster (issues #7, #22): wall time, CPU, peak RSS
# per process and its ratio to one process's, bytes exchanged per document (all processes, and the
# busiest one), and a check that every cluster run writes the same documents/clusters/statements as
# one process; with RESUME=1 also a run whose process 1 is killed mid-run and then resumed.
#
#   scripts/bench/bench-cluster.sh                 # 300,000 generated documents
#   DOCS=100000 scripts/bench/bench-cluster.sh     # a smaller crawl
#
# Environment:
#   DOCS=300000          documents (examples/gen_crawl.rs; the crawl is reused when present)
#   THREADS=1            --threads of every process (1: one core per process)
#   LIMIT=2G             --memory-limit of every process, and of the single process
#   SADA_ARGS=""         more options for every run
#   PROCESSES="1 2 3 4"  cluster sizes to run (1 = a one-line hostfile: the cluster code path)
#   RESUME=0             1: for the largest size, kill process 1 once it saved its candidates,
#                        check that its peers exit 1 naming it, resume and compare
#   NO_BUILD=1           skip the cargo builds
#   MIMALLOC_PURGE_DELAY  mimalloc's delay (ms) before it returns freed memory to the system, for every
#                        run (single included) when set; see docs/performance.md "On a cluster"
#
# Each process runs under /usr/bin/time; CPU is the sum over processes, wall the slowest one,
# peak RSS the largest. Ports 25101.. on 127.0.0.1. Outputs under target/cluster/.
set -euo pipefail

cd "$(dirname "$0")/../.."
DOCS=${DOCS:-300000}
THREADS=${THREADS:-1}
LIMIT=${LIMIT:-2G}
PROCESSES=${PROCESSES:-1 2 3 4}
CRAWL=target/crawl/crawl-$DOCS.jsonl
OUT=target/cluster
SADA=target/release/sada

if [ "${NO_BUILD:-0}" != 1 ]; then
    cargo build --release --example gen_crawl
    cargo build --release
fi
if [ ! -s "$CRAWL" ]; then
    mkdir -p target/crawl
    target/release/examples/gen_crawl --docs "$DOCS" --seed 1 --words 80-250 --out "$CRAWL"
fi
mkdir -p "$OUT"

# The reference: one plain process.
/usr/bin/time -f "%e %U %S %M" -o "$OUT/single.time" \
    "$SADA" scan --quiet --threads "$THREADS" --memory-limit "$LIMIT" ${SADA_ARGS:-} --out "$OUT/single" "$CRAWL"

echo "sada scan, $DOCS documents ($(du -m "$CRAWL" | cut -f1) MB of JSONL), --threads $THREADS --memory-limit $LIMIT per process${SADA_ARGS:+, $SADA_ARGS}${MIMALLOC_PURGE_DELAY:+, MIMALLOC_PURGE_DELAY=$MIMALLOC_PURGE_DELAY}, $(nproc) cores"
echo
echo "| processes | wall s | CPU s (all processes) | documents/s | peak RSS per process (MiB, max) | RSS / one process | bytes exchanged per document (all) | per document, busiest process (sent + received) | same outputs as 1 process |"
echo "|---|---|---|---|---|---|---|---|---|"
read -r wall user sys rss <"$OUT/single.time"
awk -v w="$wall" -v u="$user" -v s="$sys" -v d="$DOCS" -v r="$rss" \
    'BEGIN {printf "| 1 (no cluster) | %.1f | %.1f | %.0f | %.0f | 1 | 0 | 0 | – |\n", w, u + s, d / w, r / 1024}'

# cluster P DIR [extra options]: starts P processes into DIR (process I writes DIR/out-I);
# their pids in PIDS.
cluster() {
    local p=$1 dir=$2
    shift 2
    : >"$dir/hosts"
    for i in $(seq 0 $((p - 1))); do echo "127.0.0.1:$((25101 + i))" >>"$dir/hosts"; done
    PIDS=()
    for i in $(seq 0 $((p - 1))); do
        timeout 3600 /usr/bin/time -f "%e %U %S %M" -o "$dir/time-$i" \
            "$SADA" scan --threads "$THREADS" --memory-limit "$LIMIT" ${SADA_ARGS:-} "$@" --out "$dir/out-$i" \
            --hosts "$dir/hosts" --process "$i" "$CRAWL" >/dev/null 2>"$dir/stderr-$i" &
        PIDS+=($!)
    done
}

same_as_single() {
    local same=yes
    for f in documents.jsonl clusters.jsonl statements.jsonl; do
        cmp -s "$OUT/single/$f" "$1/$f" || same=NO
    done
    echo $same
}

largest=1
for p in $PROCESSES; do
    largest=$p
    dir="$OUT/p$p"
    rm -rf "$dir"
    mkdir -p "$dir"
    cluster "$p" "$dir"
    for pid in "${PIDS[@]}"; do wait "$pid"; done
    python3 - "$dir" "$p" "$DOCS" "$(same_as_single "$dir/out-0")" "$rss" <<'PY'
import re, sys
d, p, docs, same, single_rss = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5]) / 1024
wall = cpu = rss = 0.0
sent = busiest = 0
for i in range(p):
    w, u, s, m = map(float, open(f"{d}/time-{i}").read().split()[-4:])
    wall, cpu, rss = max(wall, w), cpu + u + s, max(rss, m / 1024)
    # Each process prints "sent N bytes, received M bytes" on stderr (not with --quiet).
    m = re.search(r"sent (\d+) bytes, received (\d+) bytes", open(f"{d}/stderr-{i}").read())
    if m:
        sent += int(m.group(1))
        busiest = max(busiest, int(m.group(1)) + int(m.group(2)))
print(f"| {p} | {wall:.1f} | {cpu:.1f} | {docs / wall:.0f} | {rss:,.0f} | {rss / single_rss:.2f} | "
      f"{sent / docs:,.0f} | {busiest / docs:,.0f} | {same} |")
PY
done

if [ "${RESUME:-0}" = 1 ] && [ "$largest" -gt 1 ]; then
    dir="$OUT/resume"
    rm -rf "$dir"
    mkdir -p "$dir"
    # Each process saves its checkpoints under its own --out.
    cluster "$largest" "$dir" --resume
    saved="$dir/out-1/.sada-stages/process-1-of-$largest/index.bin"
    until [ -e "$saved" ]; do sleep 0.05; done
    kill "${PIDS[1]}"
    failed=0
    for i in "${!PIDS[@]}"; do
        [ "$i" = 1 ] && continue
        if ! wait "${PIDS[$i]}" && grep -q "process 1" "$dir/stderr-$i"; then failed=$((failed + 1)); fi
    done
    wait "${PIDS[1]}" || true
    cluster "$largest" "$dir" --resume
    for pid in "${PIDS[@]}"; do wait "$pid"; done
    resumed=$(python3 -c "import json,sys; print(','.join(json.load(open(sys.argv[1]))['run']['resumed']))" "$dir/out-0/summary.json")
    echo
    echo "killed process 1 of $largest once it saved its candidates: $failed of $((largest - 1)) peers exited 1 naming it;" \
        "resumed ($resumed): same outputs as 1 process: $(same_as_single "$dir/out-0")"
fi
