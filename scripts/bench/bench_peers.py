#!/usr/bin/env python3
"""Signing speed of sada next to datasketch, rensa and gaoya: MB of text per CPU-second.

    python3 scripts/bench/bench_peers.py [--scripts arabic[,latin]] [--originals 4000 | --mb MB]
                                         [--seed 7] [--reps 5] [--tools sada,gaoya,rensa,...]
                                         [--json FILE]
    scripts/bench/bench-peers.sh [same options]  (builds sada first, then runs this)

What is measured (issue #4): every tool signs the same corpus with the same parameters --
MinHash, 128 permutations, word 5-gram shingles -- one signature per document, tokenization
included, and nothing else (no LSH query, no clustering, no output file worth mentioning).
Every tool also pays for reading corpus.jsonl and parsing its JSON.

  MB        sum of the UTF-8 bytes of the documents' `text` fields, / 1e6 (the same number
            for every tool; JSON syntax, ids and other fields are not counted)
  CPU s     user + sys of the whole process doing the work, all its threads:
            resource.getrusage(RUSAGE_CHILDREN) delta around one subprocess. For a peer this
            includes starting Python and importing the package (see "start CPU" below)
  wall s    elapsed time of that subprocess
  cores     CPU s / wall s: how many cores the process kept busy (gaoya and rensa run rayon
            thread pools internally, so CPU-seconds, not wall time, is the fair measure)
  MB/CPU-s  MB / CPU s -- the figure of merit
  x gaoya   MB/CPU-s of the row / MB/CPU-s of the fastest gaoya row (ratio to the best gaoya
            variant, so sada's ratio is never flattered by a slow way of calling gaoya)
  work      MB/CPU-s of a peer excluding interpreter start-up and imports (its CPU after the
            imports, measured inside the worker with getrusage(RUSAGE_SELF)); for sada the
            same as MB/CPU-s (a Rust binary starts in ~1 ms)

  other     share of the machine's CPU (all cores) that other processes used during the kept
            run (from /proc/stat minus the run's own CPU): noise from elsewhere

Each measurement is repeated --reps times (default 5), round-robin over all rows so a burst
of load from elsewhere hits one repetition, not all of one tool's; the repetition with the
least CPU is kept. The rows run forward in even repetitions and backward in odd ones: on this
VM the first process after one that freed a gigabyte (a peer) takes up to 50% more CPU, as the
hypervisor backs the freed memory again, and a fixed order handed that run to the same row
every time (sada's first row: `python3` runs of gaoya then sada three times over showed
0.104-0.166 s for the sada run right after gaoya, 0.104-0.124 s for the next two). On a shared machine, --wait-idle 90 waits (up to --wait-timeout s) before
each run until the machine was 90% idle over one second.

Rows
  sada        target/release/sada sign --quiet --threads T --method M --num-perm 128
              --ngram 5 --out /dev/null corpus.jsonl, T in {1, 2}, M in {oph, minhash}
              (oph: one-permutation MinHash, one hash per shingle; minhash: the classic
              k-permutation path). sada applies its Arabic normalization (folding) while
              tokenizing; the peers do not, i.e. sada does more work per byte.
  gaoya       Python tokens: re.findall(r"\\w+", text.lower()), word 5-grams joined by spaces
              (exactly as scripts/eval/peers_quality.py), signed and inserted by the index's
              parallel bulk call par_bulk_insert_tokens (MinHashStringIndex, 32-bit hashes,
              16 bands x 8 rows = 128). gaoya has no documented sign-only call; the LSH insert
              it adds is small next to hashing 128 lanes per shingle.
              native: gaoya's own Rust analyzer (analyzer='word', lowercase=True,
              ngram_range=(5, 5): whitespace-split words, punctuation kept) through its
              parallel bulk_hash_docs (sign only, rayon); a different tokenization, listed
              because it is gaoya's fastest path.
  rensa       Python tokens as above; README way: RMinHash(128, seed=1).update(shingles) per
              document; bulk: RMinHash.digest_matrix_from_token_sets(all documents) (rensa's
              high-throughput bulk call, rayon inside).
  datasketch  Python tokens as above, shingles encoded to UTF-8; MinHash.bulk(...,
              num_perm=128) (shared permutations) and, per document,
              MinHash(128).update_batch(shingles).
  python      read + JSON + the Python tokenization alone, no hashing: the floor under every
              peer row that tokenizes in Python (not a peer; no ratio).

Every row must produce one 128-lane signature per document (peers report their count and
lane width from the worker; sada is checked by an untimed run writing --format jsonl),
otherwise it is reported as FAILED: a tool that signs nothing is not fast.

The corpus is scripts/corpora/gen_corpus.py --script arabic --originals N --seed S (latin:
seed + 1), under target/bench/<script>-n<N>-s<S>/, generated once and reused. --mb M scales the
originals count to about M MB of text (4000 originals ~ 33.8 MB of Arabic text).

The peers live in the private virtualenv target/peers-venv (created with `python3 -m venv`,
`pip install datasketch gaoya rensa` when missing), shared with scripts/eval/peers_quality.py.
Each peer row runs in its own subprocess of that venv's python (this file with --worker).
sada runs from target/bench/sada-snapshot, a copy of target/release/sada taken at start (so a
cargo build elsewhere during the run cannot mix two builds in one table); its version, git
revision, build time and sha256 are printed.
"""
import json
import os
import re
import resource
import statistics
import sys
import time

if not (len(sys.argv) > 1 and sys.argv[1] == '--worker'):  # a worker's start-up stays lean
    import argparse
    import hashlib
    import platform
    import shutil
    import subprocess

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import PACKAGES, ROOT, ensure_venv, generate_corpus, tail, venv_python  # noqa: E402

BENCH_DIR = os.path.join(ROOT, 'target', 'bench')
SADA = os.path.join(ROOT, 'target', 'release', 'sada')
SADA_SNAPSHOT = os.path.join(BENCH_DIR, 'sada-snapshot')  # the binary actually run

NUM_PERM = 128
NGRAM = 5
MINHASH_SEED = 1
DEFAULT_ORIGINALS = 4000
MB_PER_4000_ORIGINALS = 33.8  # Arabic text bytes of gen_corpus --originals 4000 (seed 7)

# (tool, variant, package needed, description)
PEER_ROWS = (
    ('gaoya', 'py-tokens par_bulk_insert_tokens', 'gaoya'),
    ('gaoya', 'native analyzer bulk_hash_docs', 'gaoya'),
    ('rensa', 'py-tokens digest_matrix_from_token_sets', 'rensa'),
    ('rensa', 'py-tokens RMinHash.update per doc', 'rensa'),
    ('datasketch', 'py-tokens MinHash.bulk', 'datasketch'),
    ('datasketch', 'py-tokens update_batch per doc', 'datasketch'),
    ('python', 'read+tokenize only (no hashing)', None),
    # The Python package (python/), installed into the peers' venv from this tree: the
    # same OPH signatures as `sada sign`, all threads, tokenization included.
    ('sada-python', 'sada.signatures oph', 'sada-python'),
    # The same call on the text column of a pyarrow table (read by pyarrow.json): strings
    # read where Arrow keeps them, already UTF-8, not encoded from CPython's str.
    ('sada-python', 'sada.signatures oph, pyarrow column', 'sada-python'),
)
SADA_ROWS = tuple(('sada', f'{m} --threads {t}', m, t, None) for m in ('oph', 'minhash') for t in (1, 2)) + (
    # The practical limit: read, parse and tokenize only (`sada sign --format none`).
    ('sada', 'read+tokenize only --threads 1', 'oph', 1, 'none'),
)


# ---------------------------------------------------------------------------
# Worker: runs inside the venv, one (tool, variant) per process
# ---------------------------------------------------------------------------

_W = re.compile(r'\w+')


def shingle_strings(text, n=NGRAM):
    """Tokens and shingles exactly as scripts/eval/peers_quality.py: re.findall(r"\\w+",
    text.lower()), word n-grams joined by spaces, deduplicated; a document shorter than n
    words is one shingle of all its words."""
    tokens = _W.findall(text.lower())
    if len(tokens) < n:
        return [' '.join(tokens)] if tokens else []
    return list({' '.join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)})


def read_texts(path):
    texts = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                texts.append(json.loads(line).get('text', ''))
    return texts


def cpu_self():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def worker(tool, variant, corpus):
    """Import the peer (start-up), then read + parse + tokenize + sign every document.
    Prints one JSON line: signature count and lane width, CPU and wall of the work."""
    if tool == 'gaoya':
        from gaoya.minhash import MinHashStringIndex
    elif tool == 'rensa':
        from rensa import RMinHash
    elif tool == 'datasketch':
        from datasketch import MinHash
    elif tool == 'sada-python':
        import sada
    start_cpu = cpu_self()
    c0, t0 = cpu_self(), time.perf_counter()
    if 'pyarrow' in variant:
        import pyarrow.json
        texts = pyarrow.json.read_json(corpus)['text']
    else:
        texts = read_texts(corpus)
    n = len(texts)
    if (tool, variant) == ('gaoya', 'py-tokens par_bulk_insert_tokens'):
        index = MinHashStringIndex(hash_size=32, jaccard_threshold=0.8, num_bands=16,
                                   band_size=8, analyzer=shingle_strings)
        index.minhash_index.par_bulk_insert_tokens(list(range(n)),
                                                   [shingle_strings(t) for t in texts])
        count, width = index.size(), NUM_PERM  # 16 x 8 lanes by construction
    elif (tool, variant) == ('gaoya', 'native analyzer bulk_hash_docs'):
        index = MinHashStringIndex(hash_size=32, jaccard_threshold=0.8, num_bands=16,
                                   band_size=8, analyzer='word', lowercase=True,
                                   ngram_range=(NGRAM, NGRAM))
        sigs = index.minhash_index.bulk_hash_docs(texts)
        count, width = len(sigs), (len(sigs[0]) if sigs else 0)
    elif (tool, variant) == ('rensa', 'py-tokens digest_matrix_from_token_sets'):
        m = RMinHash.digest_matrix_from_token_sets([shingle_strings(t) for t in texts],
                                                   NUM_PERM, MINHASH_SEED)
        count, width = m.len(), m.get_num_perm()
    elif (tool, variant) == ('rensa', 'py-tokens RMinHash.update per doc'):
        sigs = []
        for t in texts:
            h = RMinHash(num_perm=NUM_PERM, seed=MINHASH_SEED)
            h.update(shingle_strings(t))
            sigs.append(h)
        count, width = len(sigs), (len(sigs[0].digest()) if sigs else 0)
    elif (tool, variant) == ('datasketch', 'py-tokens MinHash.bulk'):
        sigs = MinHash.bulk(([s.encode('utf-8') for s in shingle_strings(t)] for t in texts),
                            num_perm=NUM_PERM, seed=MINHASH_SEED)
        count, width = len(sigs), (len(sigs[0].hashvalues) if sigs else 0)
    elif (tool, variant) == ('datasketch', 'py-tokens update_batch per doc'):
        sigs = []
        for t in texts:
            h = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED)
            h.update_batch([s.encode('utf-8') for s in shingle_strings(t)])
            sigs.append(h)
        count, width = len(sigs), (len(sigs[0].hashvalues) if sigs else 0)
    elif tool == 'sada-python':  # a list of str, or a pyarrow column
        c1 = cpu_self()
        sigs = sada.signatures(texts, num_perm=NUM_PERM, ngram=NGRAM, method='oph')
        call_cpu = cpu_self() - c1  # the call alone: texts already in Python
        count, width = sigs.shape
    elif tool == 'python':
        toks = [shingle_strings(t) for t in texts]
        count, width = len(toks), 0
    else:
        raise SystemExit(f'unknown row {tool} / {variant}')
    work_cpu, work_wall = cpu_self() - c0, time.perf_counter() - t0
    result = {'count': count, 'width': width, 'docs_read': n, 'work_cpu': work_cpu,
              'work_wall': work_wall, 'start_cpu': start_cpu}
    if tool == 'sada-python':
        result['call_cpu'] = call_cpu
    print(json.dumps(result))
    return 0


# ---------------------------------------------------------------------------
# Set-up: venv, corpus, machine
# ---------------------------------------------------------------------------

def install_sada_python():
    """pip-installs the package in python/ (built by maturin) into the peers' venv; returns
    {'sada-python': reason} when that fails."""
    print('bench: pip install ./python into the peers\' venv', file=sys.stderr)
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(ROOT, 'target', 'python'))
    r = subprocess.run([venv_python(), '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check',
                        os.path.join(ROOT, 'python') + '[arrow]'], capture_output=True, text=True, env=env)
    return {} if r.returncode == 0 else {'sada-python': 'pip install ./python failed: ' + tail(r.stderr)}


def package_versions():
    code = ('import json\nfrom importlib import metadata\nout = {}\n'
            f'for p in {PACKAGES!r}:\n'
            '    try: out[p] = metadata.version(p)\n'
            '    except Exception: out[p] = None\n'
            'import sys; out["python"] = sys.version.split()[0]\nprint(json.dumps(out))')
    r = subprocess.run([venv_python(), '-c', code], capture_output=True, text=True)
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {}


def make_corpus(script, originals, seed):
    d = os.path.join(BENCH_DIR, f'{script}-n{originals}-s{seed}')
    generate_corpus(d, script, originals, seed)
    return os.path.join(d, 'corpus.jsonl')


def corpus_size(path):
    docs, nbytes = 0, 0
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                docs += 1
                nbytes += len(json.loads(line).get('text', '').encode('utf-8'))
    return docs, nbytes, os.path.getsize(path)


def machine():
    model, cores, flags = None, os.cpu_count(), ()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name') and model is None:
                    model = line.split(':', 1)[1].strip()
                elif line.startswith('flags') and not flags:
                    flags = line.split(':', 1)[1].split()
    except OSError:
        pass
    virt, tpc = None, None
    try:
        out = subprocess.run(['lscpu'], capture_output=True, text=True).stdout
        for line in out.splitlines():
            k, _, v = line.partition(':')
            if k.strip() == 'Hypervisor vendor':
                virt = v.strip()
            elif k.strip() == 'Thread(s) per core':
                tpc = v.strip()
    except OSError:
        pass
    if virt is None and 'hypervisor' in flags:
        virt = 'unknown hypervisor'
    mem = None
    try:
        with open('/proc/meminfo') as f:
            for line in f:
                if line.startswith('MemTotal'):
                    mem = f'{int(line.split()[1]) / 1048576:.1f} GiB'
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    return {'cpu': model or platform.processor() or 'unknown', 'cores': cores,
            'usable_cores': usable, 'memory': mem,
            'threads_per_core': tpc, 'virtual': virt,
            'kernel': f'{platform.system()} {platform.release()}',
            'machine': platform.machine()}


def snapshot_sada():
    """Copy target/release/sada to target/bench/sada-snapshot and run that copy: a
    `cargo build` elsewhere during the benchmark cannot mix two builds in one table."""
    os.makedirs(BENCH_DIR, exist_ok=True)
    tmp = SADA_SNAPSHOT + '.tmp'
    shutil.copy2(SADA, tmp)
    os.replace(tmp, SADA_SNAPSHOT)


def sada_info():
    st = os.stat(SADA_SNAPSHOT)
    ver = subprocess.run([SADA_SNAPSHOT, '--version'], capture_output=True,
                         text=True).stdout.strip()
    h = hashlib.sha256()
    with open(SADA_SNAPSHOT, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    git = subprocess.run(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'],
                         capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(['git', '-C', ROOT, 'status', '--porcelain', '--untracked-files=no'],
                           capture_output=True, text=True).stdout.strip()
    return {'path': os.path.relpath(SADA, ROOT), 'version': ver,
            'git': git + ('+uncommitted changes' if dirty else ''),
            'sha256': h.hexdigest()[:12],
            'built': time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(st.st_mtime))}


def loadavg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


# ---------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------

def cpu_jiffies():
    """(busy, total) jiffies of the whole machine from /proc/stat, or None."""
    try:
        with open('/proc/stat') as f:
            v = [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = v[3] + v[4]  # idle + iowait
    return sum(v) - idle, sum(v)


def wait_idle(min_idle, timeout):
    """Wait until the machine was at least min_idle % idle over one second (or timeout s).
    Returns the idle % last seen."""
    deadline = time.monotonic() + timeout
    while True:
        a = cpu_jiffies()
        time.sleep(1.0)
        b = cpu_jiffies()
        if a is None or b is None or b[1] == a[1]:
            return None
        idle = 100.0 * (1 - (b[0] - a[0]) / (b[1] - a[1]))
        if idle >= min_idle or time.monotonic() >= deadline:
            return idle


def timed(cmd, env=None):
    """Run cmd; return (returncode, stdout, stderr, wall s, CPU s of the child: user + sys,
    CPU s the rest of the machine used meanwhile)."""
    hz = os.sysconf('SC_CLK_TCK')
    j0 = cpu_jiffies()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    j1 = cpu_jiffies()
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    others = max(0.0, (j1[0] - j0[0]) / hz - cpu) if j0 and j1 else None
    return p.returncode, p.stdout, p.stderr, wall, cpu, others


def sada_cmd(method, threads, corpus, out='/dev/null', fmt=None, binary=SADA_SNAPSHOT):
    cmd = [binary, 'sign', '--quiet', '--threads', str(threads), '--method', method,
           '--num-perm', str(NUM_PERM), '--ngram', str(NGRAM)]
    if fmt:
        cmd += ['--format', fmt]
    return cmd + ['--out', out, corpus]


def check_sada(method, corpus, docs, workdir):
    """Untimed run writing JSON Lines: one ok (or empty) record per document, 128 lanes."""
    out = os.path.join(workdir, f'check-sada-{method}.sig.jsonl')
    p = subprocess.run(sada_cmd(method, 2, corpus, out=out, fmt='jsonl'),
                       capture_output=True, text=True)
    if p.returncode != 0:
        return f'sada sign exited {p.returncode}: {tail(p.stderr)}'
    count, bad, widths = 0, 0, set()
    with open(out, encoding='utf-8') as f:
        for line in f:
            if not line.strip():
                continue
            o = json.loads(line)
            count += 1
            if o.get('status') not in ('ok', 'empty'):
                bad += 1
            if o.get('status') == 'ok':
                widths.add(len(o.get('signature') or ()))
    os.remove(out)
    if count != docs:
        return f'{count} signatures for {docs} documents'
    if bad:
        return f'{bad} records not ok'
    if widths != {NUM_PERM}:
        return f'signature widths {sorted(widths)}, expected {NUM_PERM}'
    return None


def rel(p):
    return os.path.relpath(p, ROOT) if os.path.isabs(p) and p.startswith(ROOT) else p


def run_corpus(script, corpus, tools, reps, unavailable, idle=(0, 0)):
    docs, nbytes, file_bytes = corpus_size(corpus)
    mb = nbytes / 1e6
    workdir = os.path.dirname(corpus)
    rows = []
    for tool, variant, method, threads, fmt in SADA_ROWS:
        if tool not in tools:
            continue
        shown = sada_cmd(method, threads, corpus, fmt=fmt, binary=SADA)
        row = {'tool': tool, 'variant': variant, 'cmd': ' '.join(rel(c) for c in shown)}
        err = None if fmt == 'none' else check_sada(method, corpus, docs, workdir)
        if err:
            row['error'] = err
        row['_run'] = ('sada', sada_cmd(method, threads, corpus, fmt=fmt))
        rows.append(row)
    for tool, variant, pkg in PEER_ROWS:
        if tool not in tools:
            continue
        row = {'tool': tool, 'variant': variant,
               'cmd': f'{rel(venv_python())} {rel(os.path.abspath(__file__))} --worker '
                      f'{tool} "{variant}" {rel(corpus)}'}
        if pkg and pkg in unavailable:
            row['error'] = f'unavailable: {unavailable[pkg]}'
        row['_run'] = ('peer', [venv_python(), os.path.abspath(__file__), '--worker', tool,
                                variant, corpus])
        rows.append(row)

    for rep in range(reps):
        for row in (rows if rep % 2 == 0 else rows[::-1]):
            if row.get('error'):
                continue
            kind, cmd = row['_run']
            seen = wait_idle(*idle) if idle[0] > 0 else None
            print(f'bench: {script} rep {rep + 1}/{reps}: {row["tool"]} {row["variant"]}'
                  + (f' (machine {seen:.0f}% idle before)' if seen is not None else ''),
                  file=sys.stderr)
            rc, out, err, wall, cpu, others = timed(cmd)
            if rc != 0:
                row['error'] = f'exited {rc}: {tail(err)}'
                continue
            m = {'wall_s': wall, 'cpu_s': cpu, 'load1': loadavg(), 'idle_before': seen,
                 'others_cpu_s': others,
                 'others_share': (others / (wall * (os.cpu_count() or 1))
                                  if others is not None and wall > 0 else None)}
            if kind == 'peer':
                try:
                    w = json.loads(out.strip().splitlines()[-1])
                except (ValueError, IndexError):
                    row['error'] = f'worker printed no result: {tail(err or out)}'
                    continue
                m.update(w)
                if w['count'] != docs or w['docs_read'] != docs:
                    row['error'] = f"{w['count']} signatures for {docs} documents"
                    continue
                if row['tool'] != 'python' and w['width'] != NUM_PERM:
                    row['error'] = f"signature width {w['width']}, expected {NUM_PERM}"
                    continue
            row.setdefault('runs', []).append(m)

    for row in rows:
        del row['_run']
        if row.get('error') or not row.get('runs'):
            row.setdefault('error', 'no run')
            continue
        best = min(row['runs'], key=lambda m: m['cpu_s'])
        row['best'] = best
        row['mb_per_cpu_s'] = mb / best['cpu_s']
        row['mb_per_wall_s'] = mb / best['wall_s']
        row['cores_busy'] = best['cpu_s'] / best['wall_s']
        if 'work_cpu' in best:  # peers: excluding interpreter start-up and imports
            row['mb_per_work_cpu_s'] = mb / best['work_cpu'] if best['work_cpu'] > 0 else None
        else:
            row['mb_per_work_cpu_s'] = row['mb_per_cpu_s']

    gaoya = [r for r in rows if r['tool'] == 'gaoya' and 'mb_per_cpu_s' in r]
    ref = max(gaoya, key=lambda r: r['mb_per_cpu_s']) if gaoya else None
    for row in rows:
        if ref and 'mb_per_cpu_s' in row and row['tool'] != 'python':
            row['x_gaoya'] = row['mb_per_cpu_s'] / ref['mb_per_cpu_s']
    return {'corpus': rel(corpus), 'docs': docs, 'text_bytes': nbytes, 'file_bytes': file_bytes,
            'mb': mb, 'gaoya_reference': ref and f"{ref['tool']} {ref['variant']}",
            'rows': rows}


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def print_report(script, res, reps, out=sys.stdout):
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"=== {script}: {res['corpus']}: {res['docs']} documents, {res['mb']:.1f} MB of text "
      f"({res['file_bytes'] / 1e6:.1f} MB of JSONL)")
    hdr = (f"{'tool':<12}{'variant':<41}{'MB':>6}{'wall s':>8}{'CPU s':>8}{'cores':>6}"
           f"{'MB/CPU-s':>10}{'x gaoya':>9}{'work':>8}{'other':>7}")
    p(hdr)
    p('-' * len(hdr))
    for r in res['rows']:
        if 'best' not in r:
            p(f"{r['tool']:<12}{r['variant']:<41}  FAILED: {r.get('error')}")
            continue
        b = r['best']
        x = f"{r['x_gaoya']:.2f}" if 'x_gaoya' in r else '-'
        w = f"{r['mb_per_work_cpu_s']:.1f}" if r.get('mb_per_work_cpu_s') else '-'
        o = f"{100 * b['others_share']:.0f}%" if b.get('others_share') is not None else '-'
        p(f"{r['tool']:<12}{r['variant']:<41}{res['mb']:>6.1f}{b['wall_s']:>8.2f}"
          f"{b['cpu_s']:>8.2f}{r['cores_busy']:>6.2f}{r['mb_per_cpu_s']:>10.1f}{x:>9}{w:>8}{o:>7}")
    p(f"best of {reps} runs per row (least CPU), runs interleaved round-robin (forward, backward); "
      f"x gaoya = ratio to the fastest gaoya row ({res['gaoya_reference'] or 'none'})")
    p("work = MB/CPU-s excluding Python start-up + imports (peers); sada: the same as MB/CPU-s")
    p("other = share of the machine's CPU (all cores) used by other processes during the kept "
      "run: load from elsewhere, i.e. noise")
    p("the `python` row is the floor of the peers' Python tokenization; sada's `read+tokenize "
      "only` row is its own practical limit (`sada sign --format none`)")
    by = {r['variant']: r for r in res['rows'] if r['tool'] == 'sada' and 'best' in r}
    limit = by.get('read+tokenize only --threads 1')
    for m in ('oph', 'minhash'):
        t1 = by.get(f'{m} --threads 1')
        if limit and t1:
            p(f"sada {m} --threads 1 signs at {100 * t1['mb_per_cpu_s'] / limit['mb_per_cpu_s']:.0f}% "
              f"of its read+tokenize throughput")
    ref = next((r for r in res['rows'] if 'best' in r
                and f"{r['tool']} {r['variant']}" == res['gaoya_reference']), None)
    oph = by.get('oph --threads 1')
    if ref and oph:
        # Repetition k of every row ran back to back, so the ratio of the two kth runs is
        # one paired measurement: its spread is how far a single run of this script can land
        # from the ratio of the bests shown in the table.
        ratios = sorted(g['cpu_s'] / s['cpu_s'] for s, g in zip(oph['runs'], ref['runs']))
        p(f"sada oph --threads 1 over {res['gaoya_reference']}, repetition by repetition: "
          f"least {ratios[0]:.2f}x, median {statistics.median(ratios):.2f}x, most {ratios[-1]:.2f}x ({len(ratios)} pairs)")
    cli = by.get('oph --threads 2')
    for py in (r for r in res['rows'] if r['tool'] == 'sada-python' and 'best' in r and cli):
        what = ('a pyarrow column, read by pyarrow.json' if 'pyarrow' in py['variant']
                else 'a list of str, read by json, first call on them')
        p(f"{py['variant']} at {100 * py['mb_per_cpu_s'] / cli['mb_per_cpu_s']:.0f}% of "
          f"`sada sign --method oph --threads 2` per CPU-second (whole process; "
          f"{100 * py['mb_per_work_cpu_s'] / cli['mb_per_cpu_s']:.0f}% without Python's start-up and imports)")
        call = min(m['call_cpu'] for m in py['runs'])
        p(f"  the call alone ({what}): "
          f"{res['mb'] / call:.1f} MB/CPU-s, {100 * res['mb'] / call / cli['mb_per_cpu_s']:.0f}% of the command line's")
    for m in ('oph', 'minhash'):
        t1, t2 = by.get(f'{m} --threads 1'), by.get(f'{m} --threads 2')
        if t1 and t2:
            p(f"sada {m}: --threads 2 wall speed-up over --threads 1: "
              f"{t1['best']['wall_s'] / t2['best']['wall_s']:.2f}x "
              f"(CPU {t1['best']['cpu_s']:.2f} -> {t2['best']['cpu_s']:.2f} s)")
    p()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--scripts', default='arabic', help='arabic, latin or arabic,latin')
    ap.add_argument('--originals', type=int, default=None,
                    help=f'originals in the generated corpus (default {DEFAULT_ORIGINALS})')
    ap.add_argument('--mb', type=float, default=None,
                    help='scale the originals count to about this many MB of text')
    ap.add_argument('--seed', type=int, default=7, help='corpus seed (latin: seed + 1)')
    ap.add_argument('--reps', type=int, default=5, help='repetitions per row, best kept')
    ap.add_argument('--tools', default='sada,gaoya,rensa,datasketch,python,sada-python',
                    help='rows to run (comma-separated tool names)')
    ap.add_argument('--json', metavar='FILE', help='write all results as JSON')
    ap.add_argument('--wait-idle', type=float, default=0, metavar='PCT',
                    help='before each run, wait until the machine was PCT%% idle over 1 s '
                         '(shared machines; default 0: do not wait)')
    ap.add_argument('--wait-timeout', type=float, default=120, metavar='S',
                    help='give up waiting for --wait-idle after S seconds (default 120)')
    ap.add_argument('--worker', nargs=3, metavar=('TOOL', 'VARIANT', 'CORPUS'),
                    help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        return worker(*a.worker)

    if a.originals is not None and a.mb is not None:
        ap.error('--originals and --mb are exclusive')
    originals = a.originals or DEFAULT_ORIGINALS
    if a.mb is not None:
        originals = max(1, round(DEFAULT_ORIGINALS * a.mb / MB_PER_4000_ORIGINALS))
    scripts = [s.strip() for s in a.scripts.split(',') if s.strip()]
    for s in scripts:
        if s not in ('arabic', 'latin'):
            ap.error(f'unknown script {s!r} (arabic or latin)')
    tools = {t.strip() for t in a.tools.split(',') if t.strip()}
    known = {'sada'} | {t for t, _, _ in PEER_ROWS}
    if tools - known:
        ap.error(f'unknown tools {sorted(tools - known)} (known: {sorted(known)})')
    if 'sada' in tools and not os.access(SADA, os.X_OK):
        raise SystemExit(f'{SADA}: not found (cargo build --release first)')

    if 'sada' in tools:
        snapshot_sada()
    unavailable = ensure_venv('bench') if tools - {'sada'} else {}
    if 'sada-python' in tools:
        unavailable.update(install_sada_python())
    command = ' '.join(['python3', 'scripts/bench/bench_peers.py'] + (argv if argv is not None
                                                                       else sys.argv[1:]))
    results = {'command': os.environ.get('BENCH_PEERS_COMMAND') or command,
               'machine': machine(),
               'params': {'num_perm': NUM_PERM, 'ngram': NGRAM, 'minhash_seed': MINHASH_SEED,
                          'originals': originals, 'seed': a.seed, 'reps': reps_ok(a.reps),
                          'wait_idle': a.wait_idle, 'wait_timeout': a.wait_timeout},
               'versions': package_versions() if os.path.exists(venv_python()) else {},
               'sada': sada_info() if 'sada' in tools else None,
               'unavailable': unavailable, 'load1_start': loadavg(), 'corpora': {}}
    for script in scripts:
        seed = a.seed if script == 'arabic' else a.seed + 1
        corpus = make_corpus(script, originals, seed)
        res = run_corpus(script, corpus, tools, a.reps, unavailable,
                         idle=(a.wait_idle, a.wait_timeout))
        res['seed'] = seed
        results['corpora'][script] = res
    results['load1_end'] = loadavg()

    mc = results['machine']
    vm = f", virtual machine ({mc['virtual']})" if mc['virtual'] else ''
    tp = f", {mc['threads_per_core']} thread(s) per core" if mc['threads_per_core'] else ''
    print(f"machine: {mc['cpu']}, {mc['cores']} cores ({mc['usable_cores']} usable{tp}{vm}), "
          f"{mc['memory']}, {mc['kernel']} {mc['machine']}; load average (1 min) "
          f"{results['load1_start']:.2f} at start, {results['load1_end']:.2f} at end")
    print(f"command: {results['command']}")
    s = results['sada']
    v = results['versions']
    vs = ', '.join(f'{k} {v[k]}' for k in PACKAGES if v.get(k))
    sv = (f"{s['version']} (git {s['git']}, built {s['built']}, sha256 {s['sha256']}, "
          f"run from a snapshot copy)") if s else 'sada not run'
    print(f"versions: {sv}; python {v.get('python', '?')}; {vs or 'no peers'}")
    print(f"parameters: MinHash, {NUM_PERM} permutations, word {NGRAM}-grams, tokenization "
          f"and reading/JSON parsing included in every row")
    print()
    for script, res in results['corpora'].items():
        print_report(script, res, a.reps)
    for pkg, why in unavailable.items():
        print(f'unavailable: {pkg}: {why}')
    if a.json:
        with open(a.json, 'w', encoding='utf-8') as f:
            json.dump(results, f, ensure_ascii=False, indent=1)
    failed = [r for res in results['corpora'].values() for r in res['rows'] if 'best' not in r]
    return 1 if failed else 0


def reps_ok(n):
    if n < 1:
        raise SystemExit('--reps must be at least 1')
    return n


if __name__ == '__main__':
    if len(sys.argv) == 5 and sys.argv[1] == '--worker':
        sys.exit(worker(*sys.argv[2:]))
    sys.exit(main())
