#!/usr/bin/env bash
# Measure sada's statements on REAL text: runs `sada scan` on the corpora that
# scripts/corpora/real_corpora.py builds (copyright files, man pages, two hadith collections),
# timed and under a time limit, and prints one Markdown table of speed, memory and statement
# counts (plus scripts/eval/check_statements.py's quality figures when that script is there).
#
#   scripts/bench/real_text.sh [--sada PATH] [--corpora "tirmidhi bukhari ... copyright"]
#                              [--no-run] [--timeout SECS] [--dir DIR] [--table FILE]
#                              [-- extra sada scan args]
#
#   --sada PATH     sada binary (default target/release/sada, built with `cargo build --release`
#                   only when it is missing)
#   --corpora LIST  corpora to run, in this order (default: tirmidhi bukhari tirmidhi-bukhari
#                   man-nogcloud man copyright); one missing under DIR is built first with
#                   real_corpora.py
#   --timeout SECS  wall-time limit of each sada run (default 900); a run past it is killed and
#                   its row says "timeout"
#   --dir DIR       where the corpora are and the outputs go (default target/real)
#   --table FILE    also write the table to FILE
#   --no-run        run nothing: print the table of the results already in DIR
#   -- ARGS         passed to `sada scan` as they are (e.g. -- --threads 1 --max-gap 4)
#
# Per corpus NAME it leaves DIR/NAME-out/ (sada's outputs), DIR/NAME-sada.log (sada's stderr),
# DIR/NAME-check.json (check_statements.py --json, when it ran) and DIR/NAME-result.json (all the
# figures of the row, with every stage's wall time). Needs bash, python3, timeout (coreutils);
# /usr/bin/time is installed with apt-get when missing and we are root, else Python measures.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

SADA=""
CORPORA="tirmidhi bukhari tirmidhi-bukhari man-nogcloud man copyright"
TIMEOUT=900
DIR="target/real"
TABLE=""
NO_RUN=0
EXTRA=()

die() { echo "real_text.sh: $*" >&2; exit 2; }
say() { echo "real_text.sh: $*" >&2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --sada) [ $# -ge 2 ] || die "--sada needs a path"; SADA="$2"; shift 2 ;;
        --corpora) [ $# -ge 2 ] || die "--corpora needs a list"; CORPORA="$2"; shift 2 ;;
        --timeout) [ $# -ge 2 ] || die "--timeout needs seconds"; TIMEOUT="$2"; shift 2 ;;
        --dir) [ $# -ge 2 ] || die "--dir needs a directory"; DIR="$2"; shift 2 ;;
        --table) [ $# -ge 2 ] || die "--table needs a file"; TABLE="$2"; shift 2 ;;
        --no-run) NO_RUN=1; shift ;;
        --) shift; EXTRA=("$@"); break ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout must be whole seconds, not '$TIMEOUT'"
command -v python3 >/dev/null || die "python3 is needed"
command -v timeout >/dev/null || die "timeout (coreutils) is needed"

# The Markdown table of the given NAME-result.json files (also written to --table FILE).
render_table() {
    python3 - "$TABLE" "$@" <<'EOF'
import json, sys
table_file, paths = sys.argv[1], sys.argv[2:]


def num(x, nd=1):
    return 'n/a' if x is None else (f'{x:,}' if isinstance(x, int) else f'{x:.{nd}f}')


def share(c):
    return f'{c:.3f}' if isinstance(c, (int, float)) and not isinstance(c, bool) else 'n/a'


head = ['corpus', 'docs', 'MB', 'wall s', 'CPU s', 'MB/CPU-s', 'peak MiB', 'clusters',
        'statements (+boilerplate)', 'largest statement docs/occ (non-boilerplate)',
        'coherence cross-doc (non-boilerplate)',
        'match s', 'align s', 'group s']
rows = []
for p in paths:
    r = json.load(open(p))
    mb = r.get('text_bytes', 0) / 1e6 if 'text_bytes' in r else None
    status, cpu = r.get('status'), r.get('cpu_s')
    s, t, ch = r.get('summary') or {}, r.get('timings') or {}, r.get('check') or {}
    wall = num(r.get('wall_s')) if status == 'ok' else (
        f'timeout ({r.get("timeout_s")} s)' if status == 'timeout' else status)
    stm = (f'{num(s.get("statements"))} (+{num(s.get("boilerplate_statements"))})'
           if 'statements' in s else 'n/a')
    ld = ch.get('largest_docs', r.get('largest_docs'))
    lo = ch.get('largest_occurrences', r.get('largest_occurrences'))
    largest = 'n/a' if ld is None else f'{num(ld)}/{num(lo)}'
    if ld is not None and r.get('largest_docs_non_boilerplate') is not None:
        largest += (f' ({num(r["largest_docs_non_boilerplate"])}/'
                    f'{num(r["largest_occurrences_non_boilerplate"])})')
    coh = share(ch.get('coherence_cross_doc'))
    if coh != 'n/a':
        coh += f' ({share(ch.get("coherence_non_boilerplate"))})'
    rows.append([
        r['corpus'], num(r.get('documents')), num(mb), wall, num(cpu),
        num(mb / cpu, 3) if status == 'ok' and mb is not None and cpu else 'n/a',
        num(r['peak_rss_kib'] / 1024, 0) if 'peak_rss_kib' in r else 'n/a',
        num(s.get('clusters')), stm,
        largest, coh,
        num(t.get('match'), 2), num(t.get('align'), 2), num(t.get('group'), 2)])
lines = ['| ' + ' | '.join(head) + ' |', '|' + '|'.join('---' for _ in head) + '|']
lines += ['| ' + ' | '.join(row) + ' |' for row in rows]
text = '\n'.join(lines) + '\n'
print(text, end='')
if table_file:
    with open(table_file, 'w') as f:
        f.write(text)
EOF
}

if [ "$NO_RUN" = 1 ]; then
    RESULTS=()
    for name in $CORPORA; do
        if [ -f "$DIR/$name-result.json" ]; then
            RESULTS+=("$DIR/$name-result.json")
        else
            say "$name: no $DIR/$name-result.json"
        fi
    done
    [ ${#RESULTS[@]} -gt 0 ] || die "no results in $DIR"
    render_table "${RESULTS[@]}"
    exit 0
fi

if [ -z "$SADA" ]; then
    SADA="target/release/sada"
    if [ ! -x "$SADA" ]; then
        say "$SADA missing: cargo build --release"
        cargo build --release >&2 || die "cargo build --release failed"
    fi
fi
[ -x "$SADA" ] || die "no sada binary at '$SADA'"
SADA="$(cd "$(dirname "$SADA")" && pwd)/$(basename "$SADA")"

# The timer: GNU time if it is there (installed when missing and we are root), else Python's
# resource module. Either writes "wall user sys maxrss_kib" as the last line of $1.
if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing /usr/bin/time (Debian package 'time')"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 \
             && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1; } \
        || say "apt-get install time failed: measuring with Python instead"
fi
if [ -x /usr/bin/time ]; then
    timed() { local f="$1"; shift; /usr/bin/time -o "$f" -f '%e %U %S %M' "$@"; }
else
    timed() {
        python3 -c '
import resource, subprocess, sys, time
t = time.time()
rc = subprocess.call(sys.argv[2:])
r = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as f:
    f.write(f"{time.time() - t:.2f} {r.ru_utime:.2f} {r.ru_stime:.2f} {r.ru_maxrss}\n")
sys.exit(rc if rc >= 0 else 128 - rc)' "$@"
    }
fi

CHECK="scripts/eval/check_statements.py"
mkdir -p "$DIR"
say "sada: $SADA ($("$SADA" --version 2>/dev/null || echo '?')); timeout ${TIMEOUT} s; extra args: ${EXTRA[*]:-none}"

RESULTS=()
for name in $CORPORA; do
    corpus="$DIR/$name/corpus.jsonl"
    out="$DIR/$name-out"
    result="$DIR/$name-result.json"
    rm -f "$result" "$DIR/$name-check.json"
    if [ ! -f "$corpus" ]; then
        say "$name: $corpus missing, building it"
        python3 scripts/corpora/real_corpora.py --out "$DIR" --only "$name" >&2 || true
    fi
    if [ ! -f "$corpus" ]; then
        say "$name: no corpus, skipped"
        python3 -c 'import json,sys; json.dump({"corpus": sys.argv[1], "status": "no corpus"}, open(sys.argv[2], "w"))' \
            "$name" "$result"
        RESULTS+=("$result")
        continue
    fi
    rm -rf "$out"
    timefile="$(mktemp)"
    say "$name: sada scan (log $DIR/$name-sada.log) ..."
    rc=0
    timed "$timefile" timeout --signal=TERM --kill-after=30 "$TIMEOUT" \
        "$SADA" scan --quiet --out "$out" "${EXTRA[@]}" "$corpus" 2>"$DIR/$name-sada.log" || rc=$?
    times_line="$(tail -n 1 "$timefile")"
    rm -f "$timefile"
    status=ok
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        status=timeout
    elif [ "$rc" != 0 ]; then
        status="failed (exit $rc)"
        say "$name: sada exited $rc: $(tail -n 3 "$DIR/$name-sada.log" | tr '\n' ' ')"
    fi
    say "$name: $status; wall user sys maxrss_kib = $times_line"

    check_status="n/a"
    if [ "$status" = ok ]; then
        if [ -f "$CHECK" ]; then
            say "$name: $CHECK ..."
            crc=0
            timeout "$TIMEOUT" python3 "$CHECK" --json --out "$out" "$corpus" \
                >"$DIR/$name-check.json" 2>"$DIR/$name-check.log" || crc=$?
            if [ "$crc" = 0 ]; then
                check_status=ok
            else
                check_status="failed (exit $crc)"
                say "$name: $CHECK exited $crc: $(tail -n 2 "$DIR/$name-check.log" | tr '\n' ' ')"
            fi
        else
            check_status="missing"
        fi
    fi
    python3 - "$name" "$status" "$times_line" "$DIR" "$check_status" "$TIMEOUT" <<'EOF'
import json, os, sys
name, status, times_line, d, check_status, limit = sys.argv[1:]
r = {'corpus': name, 'status': status, 'timeout_s': int(limit), 'check_status': check_status}
try:
    st = json.load(open(os.path.join(d, name, 'stats.json')))
    r['documents'], r['text_bytes'] = st['documents'], st['text_bytes']
except (OSError, ValueError, KeyError):
    n = b = 0
    with open(os.path.join(d, name, 'corpus.jsonl'), encoding='utf-8') as f:
        for line in f:
            n += 1
            b += len(json.loads(line)['text'].encode())
    r['documents'], r['text_bytes'] = n, b
try:
    wall, user, sys_, rss = times_line.split()
    r.update(wall_s=float(wall), cpu_s=float(user) + float(sys_), user_s=float(user),
             sys_s=float(sys_), peak_rss_kib=int(float(rss)))
except ValueError:
    pass
out = os.path.join(d, name + '-out')
if status == 'ok':
    try:
        s = json.load(open(os.path.join(out, 'summary.json')))
        r['summary'] = {k: v for k, v in s.items() if not isinstance(v, dict)}
        r['pairs'] = s.get('pairs')
        r['timings'] = (s.get('run') or {}).get('timings')
        r['total_seconds'] = (s.get('run') or {}).get('total_seconds')
    except (OSError, ValueError) as e:
        r['summary_error'] = str(e)
    try:   # largest statements straight from statements.jsonl: of all, of non-boilerplate
        big = {'all': [0, 0], 'nonbp': [0, 0]}
        with open(os.path.join(out, 'statements.jsonl'), encoding='utf-8') as f:
            for line in f:
                s = json.loads(line)
                for k in ('all',) if s.get('boilerplate') else ('all', 'nonbp'):
                    big[k][0] = max(big[k][0], s.get('docs', 0))
                    big[k][1] = max(big[k][1], len(s.get('occurrences') or []))
        r['largest_docs'], r['largest_occurrences'] = big['all']
        r['largest_docs_non_boilerplate'], r['largest_occurrences_non_boilerplate'] = big['nonbp']
    except (OSError, ValueError):
        pass
if check_status == 'ok':
    try:
        r['check'] = json.load(open(os.path.join(d, name + '-check.json')))
    except (OSError, ValueError) as e:
        r['check_status'] = f'unreadable ({e})'
json.dump(r, open(os.path.join(d, name + '-result.json'), 'w'), indent=1, ensure_ascii=False)
EOF
    RESULTS+=("$result")
done

render_table "${RESULTS[@]}"
