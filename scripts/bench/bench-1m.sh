#!/usr/bin/env bash
# Scale benchmark of `sada scan` on a generated crawl (issue #5): wall time, throughput,
# peak memory, bytes per document, and which stage holds the peak.
#
#   scripts/bench/bench-1m.sh                 # 1,000,000 documents
#   DOCS=100000 scripts/bench/bench-1m.sh     # a smaller crawl
#
# Environment:
#   DOCS=1000000        documents to generate (examples/gen_crawl.rs)
#   SEED=1              generator seed
#   WORDS=80-250        body words per document (gen_crawl --words)
#   CRAWL=target/crawl/crawl-$DOCS.jsonl     the corpus; generated when missing
#   OUT=target/crawl/out-$DOCS               sada's output directory
#   THREADS=            sada --threads (default: all cores)
#   SADA_ARGS=          more `sada scan` options, e.g. SADA_ARGS="--memory-limit 1G"
#   MAX_RSS_MB=12000    kill sada if its resident memory goes above this
#   NO_BUILD=1          skip the cargo builds
#   SADA=target/release/sada   the binary measured (e.g. another build, for an A/B run)
#
# Runs `/usr/bin/time -v $SADA scan --quiet --out $OUT $CRAWL`, samples the
# resident memory of sada every 0.5 s into $OUT.rss.tsv (seconds, MB), and prints the
# results from /usr/bin/time and $OUT/summary.json. The stage of each sample is found by
# laying the stage timings of summary.json (`run.timings`, in the order the stages ran)
# end to end from the start of the process; what follows `locate` is the report.
set -euo pipefail

cd "$(dirname "$0")/../.."
DOCS=${DOCS:-1000000}
SEED=${SEED:-1}
WORDS=${WORDS:-80-250}
CRAWL=${CRAWL:-target/crawl/crawl-$DOCS.jsonl}
OUT=${OUT:-target/crawl/out-$DOCS}
MAX_RSS_MB=${MAX_RSS_MB:-12000}
SADA=${SADA:-target/release/sada}

if [ ! -x /usr/bin/time ]; then
    echo "bench-1m: /usr/bin/time is missing (Debian: apt-get install time)" >&2
    exit 1
fi
if [ "${NO_BUILD:-0}" != 1 ]; then
    cargo build --release --example gen_crawl
    cargo build --release
fi
if [ ! -s "$CRAWL" ]; then
    target/release/examples/gen_crawl --docs "$DOCS" --seed "$SEED" --words "$WORDS" --out "$CRAWL"
fi

mkdir -p "$OUT"
TIMEV="$OUT.time.txt"
RSS="$OUT.rss.tsv"
args=(scan --quiet --out "$OUT")
if [ -n "${THREADS:-}" ]; then args+=(--threads "$THREADS"); fi
# shellcheck disable=SC2206  # SADA_ARGS is split on purpose
if [ -n "${SADA_ARGS:-}" ]; then args+=($SADA_ARGS); fi
args+=("$CRAWL")

sync
/usr/bin/time -v -o "$TIMEV" "$SADA" "${args[@]}" &
timepid=$!
# The sada process is the child of /usr/bin/time.
pid=""
for _ in $(seq 1 200); do
    pid=$(cat "/proc/$timepid/task/$timepid/children" 2>/dev/null | awk '{print $1}') || true
    [ -n "$pid" ] && break
    sleep 0.01
done
start=$(date +%s.%N)
: >"$RSS"
killed=0
while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
    kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    if [ -n "$kb" ]; then
        now=$(date +%s.%N)
        awk -v s="$start" -v n="$now" -v kb="$kb" 'BEGIN {printf "%.2f\t%.0f\n", n - s, kb / 1024}' >>"$RSS"
        if [ "$kb" -gt $((MAX_RSS_MB * 1024)) ]; then
            echo "bench-1m: sada uses $((kb / 1024)) MB > MAX_RSS_MB=$MAX_RSS_MB, killing it" >&2
            kill "$pid"
            killed=1
            break
        fi
    fi
    sleep 0.5
done
status=0
wait "$timepid" || status=$?
if [ "$killed" = 1 ] || [ "$status" != 0 ]; then
    echo "bench-1m: sada failed (exit $status); /usr/bin/time says:" >&2
    cat "$TIMEV" >&2
    exit 1
fi

python3 - "$CRAWL" "$OUT" "$TIMEV" "$RSS" "$DOCS" <<'EOF'
import json, os, re, sys

crawl, out, timev, rss, docs_env = sys.argv[1:]
tv = open(timev).read()

def field(name):
    m = re.search(r"^\s*" + re.escape(name) + r": (.*)$", tv, re.M)
    return m.group(1).strip() if m else None

def seconds(s):
    secs = 0.0
    for part in s.split(":"):
        secs = secs * 60 + float(part)
    return secs

wall = seconds(field("Elapsed (wall clock) time (h:mm:ss or m:ss)"))
peak_kb = int(field("Maximum resident set size (kbytes)"))
user, sys_ = float(field("User time (seconds)")), float(field("System time (seconds)"))
summary = json.load(open(os.path.join(out, "summary.json")))
docs = summary["documents"]
size = os.path.getsize(crawl)
peak = peak_kb * 1024

print(f"sada scan on {crawl}: {docs} documents, {size / 1e6:.1f} MB of JSONL, "
      f"{summary['text_bytes'] / 1e6:.1f} MB of text, {summary['tokens']} tokens")
print()
print("| measure | value |")
print("|---|---|")
print(f"| wall time | {wall:.1f} s |")
print(f"| CPU time (user + sys) | {user + sys_:.1f} s ({(user + sys_) / wall:.2f} cores busy) |")
print(f"| throughput | {size / 1e6 / wall:.1f} MB/s of JSONL, {docs / wall:,.0f} documents/s |")
print(f"| peak RSS | {peak / 2**20:,.0f} MiB ({peak / 1e9:.2f} GB) |")
print(f"| peak RSS per document | {peak / docs:,.0f} bytes |")
print(f"| clusters | {summary['clusters']} ({summary['exact_clusters']} exact, {summary['near_clusters']} near), "
      f"{summary['clustered_documents']} documents |")
print(f"| statements | {summary['statements']} ({summary['cross_source_statements']} across sources, "
      f"{summary['boilerplate_statements']} boilerplate set aside) |")
p = summary["pairs"]
print(f"| pairs | {p['candidates']} LSH candidates, {p['verified']} verified, "
      f"{p['aligned']} aligned, {p['passages']} passages |")
run = summary["run"]
sp = run.get("spilled", {})
print(f"| --memory-limit | {run.get('memory_limit', 0) / 2**30:.2f} GiB; spilled: words {sp.get('words', 0) / 1e6:.0f} MB, "
      f"signatures {sp.get('signatures', 0) / 1e6:.0f} MB, sorted runs {sp.get('sorted', 0) / 1e6:.0f} MB |")

# Stage of each RSS sample: stages laid end to end from the start of the process.
# Reading and analysis alternate batch by batch: one phase. `verify` also covers the
# exact-duplicate grouping that runs just before `index` (short).
timings = summary["run"]["timings"]
phases = {}
for stage, secs in timings.items():
    key = "read+analyze" if stage in ("read", "analyze") else stage
    phases[key] = phases.get(key, 0.0) + secs
bounds, t = [], 0.0
for stage, secs in phases.items():
    bounds.append((stage, t, t + secs))
    t += secs
samples = []
for line in open(rss):
    s, mb = line.split()
    samples.append((float(s), float(mb)))

def stage_at(s):
    for stage, a, b in bounds:
        if s < b:
            return stage
    return "report"

maxima = {}
for s, mb in samples:
    st = stage_at(s)
    maxima[st] = max(maxima.get(st, 0.0), mb)
print()
print("| stage | seconds | share | max RSS sampled in the stage (MiB) |")
print("|---|---|---|---|")
total = sum(timings.values())
for stage, secs in timings.items():
    m = maxima.get("read+analyze" if stage in ("read", "analyze") else stage)
    print(f"| {stage} | {secs:.2f} | {100 * secs / total:.0f}% | {m:,.0f} |" if m is not None
          else f"| {stage} | {secs:.2f} | {100 * secs / total:.0f}% | – |")
rest = wall - total
m = maxima.get("report")
print(f"| report (+ exit) | {rest:.2f} | – | {m:,.0f} |" if m is not None else f"| report (+ exit) | {rest:.2f} | – | – |")
if samples:
    s, mb = max(samples, key=lambda x: x[1])
    print()
    print(f"highest sample: {mb:,.0f} MiB at {s:.1f} s, in stage {stage_at(s)} "
          f"({len(samples)} samples every 0.5 s in {rss})")
EOF
