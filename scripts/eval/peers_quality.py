#!/usr/bin/env python3
"""Document-clustering quality of sada next to datasketch, gaoya and rensa on one corpus.

    python3 scripts/eval/peers_quality.py [--originals 2000] [--seed 1] [--scripts arabic,latin]
                                          [--threshold 0.6] [--json FILE]

For each corpus (scripts/corpora/gen_corpus.py, under target/peers/<script>/; the latin corpus
gets seed + 1, as in scripts/eval/quality.sh, so both are the corpora quality.sh scores) and for each
threshold (0.8, the usual setting, and --threshold, sada's default), every tool clusters the
same documents with the same parameters: MinHash with 128 permutations over word 5-gram
shingles. Each run writes target/peers/<script>-out/<tool>-t<T>/documents.jsonl in sada's
format ({"id", "cluster"?}) and is scored by eval_clusters.evaluate, so all tools are
measured identically. One table per corpus is printed; --json FILE writes every result.

Tools
  sada             target/release/sada scan --quiet --out OUT corpus.jsonl --threshold T
                   (everything else at its defaults: 128 permutations, word 5-grams, LSH bands
                   chosen from T, drift guard --min-pair-similarity 0.5, all cores). The
                   table's b x r for sada is the banding its summary.json reports.
  datasketch       what text-dedup's minhash script / the datasketch docs do: tokens =
                   re.findall(r"\\w+", text.lower()), word 5-gram shingles joined by spaces,
                   MinHash(num_perm=128), MinHashLSH(threshold=T) (bands chosen by datasketch),
                   insert every document, query every document, union-find over the query
                   results -> connected components. LSH candidates are not verified.
  datasketch+fold  the same, but tokens = normalizer.normalize_tokens(text) (the reference
                   Arabic folding sada applies): separates normalization from clustering.
  gaoya            MinHashStringIndex(hash_size=32, jaccard_threshold=T, same bands x rows as
                   datasketch, analyzer = the shingle function above); its query keeps only
                   documents whose estimated Jaccard reaches T; union-find over query results.
  rensa            RMinHash(num_perm=128) + RMinHashLSH(threshold=T, num_perm=128, num_bands=B)
                   with B the divisor of 128 that minimizes datasketch's false-positive +
                   false-negative criterion (rensa needs num_perm % B == 0); candidates are
                   kept when RMinHash.jaccard >= T (the recipe of rensa's README); union-find.
  rensa/16b        the same with num_bands=16 (8 rows), the value of the README's example,
                   whatever T: a banding that favours recall, since candidates are verified.

Wall seconds: sada's whole process (reading, document clusters, and whatever else the binary
does in a scan, e.g. recycled statements, plus writing all its outputs; all cores); for
peers, reading the corpus + tokenizing + hashing + indexing + querying + union-find, in one
Python thread (writing documents.jsonl and scoring excluded).

The peers live in a private virtualenv, target/peers-venv (created with `python3 -m venv`,
packages pip-installed when missing); the script re-executes itself inside it. A package that
cannot be installed or imported is reported as unavailable and the others still run.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import PACKAGES, ROOT, ensure_venv, fmt, generate_corpus, venv_python  # noqa: E402
from eval.eval_clusters import evaluate  # noqa: E402
from eval.normalizer import normalize_tokens  # noqa: E402

PEERS_DIR = os.path.join(ROOT, 'target', 'peers')
SADA = os.path.join(ROOT, 'target', 'release', 'sada')
ENV_UNAVAILABLE = 'PEERS_QUALITY_UNAVAILABLE'
ENV_INSIDE = 'PEERS_QUALITY_IN_VENV'

NUM_PERM = 128
NGRAM = 5
SEED = 1
USUAL_THRESHOLD = 0.8
RENSA_README_BANDS = 16  # num_bands of the deduplication example in rensa's README
TOOLS = ('sada', 'datasketch', 'datasketch+fold', 'gaoya', 'rensa', 'rensa/16b')
TOOL_PACKAGE = {'datasketch': 'datasketch', 'datasketch+fold': 'datasketch',
                'gaoya': 'gaoya', 'rensa': 'rensa', 'rensa/16b': 'rensa'}


# ---------------------------------------------------------------------------
# Virtualenv bootstrap
# ---------------------------------------------------------------------------

def bootstrap():
    """Create the venv, install what is missing, then exec this script inside it.
    Returns only when the venv cannot be had (the caller then runs without peers)."""
    unavailable = ensure_venv('peers')
    py = venv_python()
    if not os.path.exists(py):
        return unavailable
    env = dict(os.environ)
    env[ENV_UNAVAILABLE] = json.dumps(unavailable)
    env[ENV_INSIDE] = '1'
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(py, [py, os.path.abspath(__file__)] + sys.argv[1:], env)


# ---------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------

def make_corpus(script, originals, seed):
    d = os.path.join(PEERS_DIR, script)
    generate_corpus(d, script, originals, seed)
    return os.path.join(d, 'corpus.jsonl'), os.path.join(d, 'truth.jsonl')


def read_docs(path):
    ids, texts = [], []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line:
                o = json.loads(line)
                ids.append(str(o['id']))
                texts.append(o.get('text', ''))
    return ids, texts


# ---------------------------------------------------------------------------
# Peers: tokenization, clustering
# ---------------------------------------------------------------------------

_W = re.compile(r'\w+')


def plain_tokens(text):
    return _W.findall(text.lower())


def shingle_strings(tokens, n=NGRAM):
    """Word n-grams joined by spaces (a document shorter than n words: one shingle of all
    its words, as normalizer.shingles does)."""
    if len(tokens) < n:
        return [' '.join(tokens)] if tokens else []
    return list({' '.join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)})


class UnionFind:
    def __init__(self, n):
        self.parent = list(range(n))

    def find(self, x):
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def labels(self):
        return [self.find(i) for i in range(len(self.parent))]


def rensa_bands(threshold, num_perm):
    from datasketch.lsh import _false_negative_probability, _false_positive_probability
    best = None
    for b in range(1, num_perm + 1):
        if num_perm % b:
            continue
        r = num_perm // b
        err = 0.5 * _false_positive_probability(threshold, b, r) \
            + 0.5 * _false_negative_probability(threshold, b, r)
        if best is None or err < best[0]:
            best = (err, b, r)
    return best[1], best[2]


def run_datasketch(texts, threshold, fold):
    from datasketch import MinHash, MinHashLSH
    tok = normalize_tokens if fold else plain_tokens
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    sigs = []
    for i, t in enumerate(texts):
        m = MinHash(num_perm=NUM_PERM, seed=SEED)
        m.update_batch([s.encode('utf-8') for s in shingle_strings(tok(t))])
        sigs.append(m)
        lsh.insert(i, m, check_duplication=False)
    uf = UnionFind(len(texts))
    for i, m in enumerate(sigs):
        for j in lsh.query(m):
            uf.union(i, j)
    return uf.labels(), {'bands': lsh.b, 'rows': lsh.r, 'verify': 'none'}


def run_gaoya(texts, threshold):
    from datasketch.lsh import _optimal_param
    from gaoya.minhash import MinHashStringIndex
    b, r = _optimal_param(threshold, NUM_PERM, 0.5, 0.5)
    analyzer = lambda text: shingle_strings(plain_tokens(text))  # noqa: E731
    index = MinHashStringIndex(hash_size=32, jaccard_threshold=threshold, num_bands=b,
                               band_size=r, analyzer=analyzer)
    for i, t in enumerate(texts):
        index.insert_document(i, t)
    uf = UnionFind(len(texts))
    for i, t in enumerate(texts):
        for j in index.query(t):
            uf.union(i, j)
    return uf.labels(), {'bands': b, 'rows': r, 'verify': 'estimated J >= T (in query)'}


def run_rensa(texts, threshold, bands=None):
    from rensa import RMinHash, RMinHashLSH
    if bands is None:
        b, r = rensa_bands(threshold, NUM_PERM)
    else:
        b, r = bands, NUM_PERM // bands
    lsh = RMinHashLSH(threshold=threshold, num_perm=NUM_PERM, num_bands=b)
    sigs = []
    for i, t in enumerate(texts):
        m = RMinHash(num_perm=NUM_PERM, seed=SEED)
        m.update(shingle_strings(plain_tokens(t)))
        sigs.append(m)
        lsh.insert(i, m)
    uf = UnionFind(len(texts))
    for i, m in enumerate(sigs):
        for j in lsh.query(m):
            if j != i and m.jaccard(sigs[j]) >= threshold:
                uf.union(i, j)
    return uf.labels(), {'bands': b, 'rows': r, 'verify': 'RMinHash.jaccard >= T'}


def write_documents(out_dir, ids, labels):
    os.makedirs(out_dir, exist_ok=True)
    size = {}
    for lab in labels:
        size[lab] = size.get(lab, 0) + 1
    cid = {}
    with open(os.path.join(out_dir, 'documents.jsonl'), 'w', encoding='utf-8') as f:
        for did, lab in zip(ids, labels):
            o = {'id': did}
            if size[lab] > 1:
                o['cluster'] = cid.setdefault(lab, len(cid))
            f.write(json.dumps(o) + '\n')


def run_peer(tool, corpus, threshold, out_dir):
    t0 = time.perf_counter()
    ids, texts = read_docs(corpus)
    if tool == 'datasketch':
        labels, info = run_datasketch(texts, threshold, fold=False)
    elif tool == 'datasketch+fold':
        labels, info = run_datasketch(texts, threshold, fold=True)
    elif tool == 'gaoya':
        labels, info = run_gaoya(texts, threshold)
    elif tool == 'rensa':
        labels, info = run_rensa(texts, threshold)
    elif tool == 'rensa/16b':
        labels, info = run_rensa(texts, threshold, bands=RENSA_README_BANDS)
    else:
        raise ValueError(tool)
    wall = time.perf_counter() - t0
    write_documents(out_dir, ids, labels)
    return wall, info


def run_sada(corpus, threshold, out_dir):
    if os.path.isdir(out_dir):
        for name in os.listdir(out_dir):
            p = os.path.join(out_dir, name)
            if os.path.isfile(p):
                os.remove(p)
    cmd = [SADA, 'scan', '--quiet', '--out', out_dir, corpus, '--threshold', f'{threshold:g}']
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    wall = time.perf_counter() - t0
    info = {'cmd': ' '.join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd)}
    try:  # the banding sada chose and its own timings, when its summary tells them
        with open(os.path.join(out_dir, 'summary.json'), encoding='utf-8') as f:
            summary = json.load(f)
        banding = summary.get('parameters', {}).get('banding') or {}
        if 'bands' in banding and 'rows' in banding:
            info.update(bands=banding['bands'], rows=banding['rows'])
        info['summary_run'] = summary.get('run')
    except (OSError, ValueError):
        pass
    info['verify'] = 'estimated J >= T, cluster representative + drift guard'
    return wall, info


def sada_binary_info():
    st = os.stat(SADA)
    ver = subprocess.run([SADA, '--version'], capture_output=True, text=True).stdout.strip()
    return {'path': os.path.relpath(SADA, ROOT), 'version': ver, 'size': st.st_size,
            'mtime': time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(st.st_mtime)) + ' UTC'}


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def kind_rate(r, k):
    v = r['kind_recall'].get(k)
    return None if v is None else v['rate']


def print_table(script, rows, out=sys.stdout):
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f'=== {script}')
    first = next((x['eval'] for x in rows if x.get('eval')), None)
    if first:
        p(f"truth: {first['truth_docs']} docs in {first['truth_families']} families "
          f"({first['truth_multi_families']} with 2+ docs), {first['true_pairs']} true pairs")
    hdr = (f"{'tool':<16}{'T':>5}  {'precision':>9}  {'recall':>7}  {'F1':>7}  {'drift':>6}  "
           f"{'exact':>7}  {'edit@5%':>7}  {'wall s':>7}  {'LSH b x r':>9}")
    p(hdr)
    p('-' * len(hdr))
    for x in rows:
        if x.get('error'):
            p(f"{x['tool']:<16}{x['threshold']:>5.2f}  unavailable: {x['error']}")
            continue
        r = x['eval']
        lsh = f"{x['info']['bands']} x {x['info']['rows']}" if 'bands' in x['info'] else '-'
        p(f"{x['tool']:<16}{x['threshold']:>5.2f}  {fmt(r['precision']):>9}  {fmt(r['recall']):>7}  "
          f"{fmt(r['f1']):>7}  {r['drift']['violations']:>6}  {fmt(kind_rate(r, 'exact')):>7}  "
          f"{fmt(kind_rate(r, 'edit@5%')):>7}  {x['wall_s']:>7.2f}  {lsh:>9}")
    p()


def package_versions():
    from importlib import metadata
    out = {}
    for pkg in PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--originals', type=int, default=2000)
    ap.add_argument('--seed', type=int, default=1,
                    help='corpus seed (the latin corpus gets seed + 1, as in quality.sh)')
    ap.add_argument('--scripts', default='arabic,latin')
    ap.add_argument('--threshold', type=float, default=0.6,
                    help="sada's default threshold, run besides the usual 0.8 (default 0.6)")
    ap.add_argument('--json', metavar='FILE', help='write all results as JSON')
    ap.add_argument('--no-venv', action='store_true',
                    help='run in this interpreter (peers must be importable here)')
    a = ap.parse_args(argv)

    scripts = [s.strip() for s in a.scripts.split(',') if s.strip()]
    for s in scripts:
        if s not in ('arabic', 'latin'):
            ap.error(f'unknown script {s!r} (arabic or latin)')

    unavailable = {}
    if not a.no_venv and os.environ.get(ENV_INSIDE) != '1':
        unavailable = bootstrap()  # returns only when the venv could not be made
    unavailable.update(json.loads(os.environ.get(ENV_UNAVAILABLE, '{}')))
    for pkg in PACKAGES:
        if pkg in unavailable:
            continue
        try:
            __import__(pkg)
        except Exception as e:  # noqa: BLE001
            unavailable[pkg] = f'import failed: {e}'

    if not os.access(SADA, os.X_OK):
        raise SystemExit(f'{SADA}: not found (cargo build --release first)')

    thresholds = [USUAL_THRESHOLD]
    if abs(a.threshold - USUAL_THRESHOLD) > 1e-9:
        thresholds.append(a.threshold)

    results = {'params': {'num_perm': NUM_PERM, 'ngram': NGRAM, 'minhash_seed': SEED,
                          'thresholds': thresholds, 'originals': a.originals, 'seed': a.seed},
               'versions': package_versions(), 'unavailable': unavailable,
               'sada_binary': sada_binary_info(), 'corpora': {}}
    for pkg, why in unavailable.items():
        print(f'peers: {pkg} unavailable: {why}', file=sys.stderr)

    for script in scripts:
        seed = a.seed if script == 'arabic' else a.seed + 1
        corpus, truth = make_corpus(script, a.originals, seed)
        out_root = os.path.join(PEERS_DIR, f'{script}-out')
        rows = []
        for t in thresholds:
            for tool in TOOLS:
                row = {'tool': tool, 'threshold': t}
                pkg = TOOL_PACKAGE.get(tool)
                if pkg and pkg in unavailable:
                    row['error'] = unavailable[pkg]
                    rows.append(row)
                    continue
                out_dir = os.path.join(out_root, f'{tool.replace("+", "-")}-t{t:g}')
                print(f'{script}: {tool} at T={t:g}', file=sys.stderr)
                try:
                    if tool == 'sada':
                        wall, info = run_sada(corpus, t, out_dir)
                    else:
                        wall, info = run_peer(tool, corpus, t, out_dir)
                except Exception as e:  # noqa: BLE001
                    row['error'] = f'{type(e).__name__}: {e}'
                    rows.append(row)
                    continue
                row.update(wall_s=wall, info=info, out=os.path.relpath(out_dir, ROOT),
                           eval=evaluate(truth, corpus, out_dir, threshold=t))
                rows.append(row)
        results['corpora'][script] = {'seed': seed, 'corpus': os.path.relpath(corpus, ROOT),
                                      'runs': rows}
        print_table(script, rows)
        sys.stdout.flush()

    vs = ', '.join(f'{k} {v}' for k, v in results['versions'].items() if v)
    sb = results['sada_binary']
    print(f"versions: {sb['version'] or 'sada'} (binary built {sb['mtime']}); {vs or 'no peers'}")
    for pkg, why in unavailable.items():
        print(f'unavailable: {pkg}: {why}')
    if a.json:
        with open(a.json, 'w', encoding='utf-8') as f:
            json.dump(results, f, ensure_ascii=False, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
