#!/usr/bin/env bash
# sada scan on 1, 2 and 3 processes of a loopback cluster (issue #7): wall time, CPU,
# throughput per process, bytes exchanged per document, and a check that every cluster run
# writes the same documents/clusters/statements as one process.
#
#   scripts/bench/bench-cluster.sh            # 100,000 generated documents
#   DOCS=20000 scripts/bench/bench-cluster.sh # a smaller crawl
#
# Environment:
#   DOCS=100000       documents (examples/gen_crawl.rs; the crawl is reused when present)
#   THREADS=1         --threads of every process (1: one core per process)
#   SADA_ARGS=""      more options for every run, e.g. SADA_ARGS="--memory-limit 256M"
#   PROCESSES="1 2 3" cluster sizes to run (1 = a one-line hostfile: the cluster code path)
#   NO_BUILD=1        skip the cargo builds
#
# Each process runs under /usr/bin/time; CPU is the sum over processes, wall the slowest one.
# Ports 25101.. on 127.0.0.1. Outputs under target/cluster/.
set -euo pipefail

cd "$(dirname "$0")/../.."
DOCS=${DOCS:-100000}
THREADS=${THREADS:-1}
PROCESSES=${PROCESSES:-1 2 3}
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
/usr/bin/time -f "%e %U %S %M" -o "$OUT/single.time" "$SADA" scan --quiet --threads "$THREADS" ${SADA_ARGS:-} --out "$OUT/single" "$CRAWL"

echo "sada scan, $DOCS documents ($(du -m "$CRAWL" | cut -f1) MB of JSONL), --threads $THREADS per process${SADA_ARGS:+, $SADA_ARGS}, $(nproc) cores"
echo
echo "| processes | wall s | CPU s (all processes) | documents/s | documents/s per process | peak RSS per process (MiB, max) | bytes exchanged per document | same outputs as 1 process |"
echo "|---|---|---|---|---|---|---|---|"
read -r wall user sys rss <"$OUT/single.time"
awk -v w="$wall" -v u="$user" -v s="$sys" -v d="$DOCS" -v r="$rss" \
    'BEGIN {printf "| 1 (no cluster) | %.1f | %.1f | %.0f | %.0f | %.0f | 0 | – |\n", w, u + s, d / w, d / w, r / 1024}'

for p in $PROCESSES; do
    dir="$OUT/p$p"
    rm -rf "$dir"
    mkdir -p "$dir"
    : >"$dir/hosts"
    for i in $(seq 0 $((p - 1))); do echo "127.0.0.1:$((25101 + i))" >>"$dir/hosts"; done
    pids=()
    for i in $(seq 0 $((p - 1))); do
        timeout 1800 /usr/bin/time -f "%e %U %S %M" -o "$dir/time-$i" \
            "$SADA" scan --threads "$THREADS" ${SADA_ARGS:-} --out "$dir/out-$i" --hosts "$dir/hosts" --process "$i" "$CRAWL" \
            >/dev/null 2>"$dir/stderr-$i" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    # Bytes: what every process sent (each byte is received once by another).
    same=yes
    for f in documents.jsonl clusters.jsonl statements.jsonl; do
        cmp -s "$OUT/single/$f" "$dir/out-0/$f" || same=NO
    done
    python3 - "$dir" "$p" "$DOCS" "$same" <<'EOF'
import re, sys
d, p, docs, same = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
wall = cpu = rss = 0.0
for i in range(p):
    w, u, s, m = map(float, open(f"{d}/time-{i}").read().split()[-4:])
    wall, cpu, rss = max(wall, w), cpu + u + s, max(rss, m / 1024)
# Each process prints "sent N bytes" on stderr (not with --quiet).
sent = 0
for i in range(p):
    m = re.search(r"sent (\d+) bytes", open(f"{d}/stderr-{i}").read())
    sent += int(m.group(1)) if m else 0
print(f"| {p} | {wall:.1f} | {cpu:.1f} | {docs / wall:.0f} | {docs / wall / p:.0f} | {rss:,.0f} | {sent / docs:,.0f} | {same} |")
EOF
done
